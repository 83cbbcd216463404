"""Speed of the commands people type many times a day, and of the reports, on
demo ledgers of 10k, 100k and 1M complaints, next to the Python floor.

    python benchmarks/bench.py [--sizes 10000,100000,1000000] [--dir DIR] [--runs 7]

Ledgers are built once with `complaintctl demo` into DIR (default
benchmarks/ledgers, ignored by git) and reused. Every figure is the median
wall time of several runs of the installed command in a fresh process, and
its ratio to `python3 -c 'import sqlite3'` run alternately with it. Prints a
markdown table for the README. Not a test: CI machines are too noisy.

    python benchmarks/bench.py --startup [--sizes ...] [--dir DIR] [--runs 15]
        [--before SRC]

The start-up table (issue 16): `overdue --format json` (output discarded) and the
`overdue` Rich table on a pseudo-terminal (120 columns), plus `--help` and `log`,
in rounds of the floor, the command and (with `--before SRC`, a source tree of
an older version, e.g. `git archive main | tar -x -C SRC`) the same command from
that version. Each round runs its commands in a rotated order; a ratio is taken
within one round, so every ratio compares runs made seconds apart. Printed per
command: median wall ms, median wall ratio [min–max], median CPU ratio (the
child's user+sys over the floor's) [min–max], peak RSS, and the load average.

    python benchmarks/bench.py --profile [--top 30] -- ARGS...

Runs `complaintctl ARGS` once with COMPLAINTCTL_PROFILE set and prints the
profile of the whole run (imports included), by cumulative time.
"""

from __future__ import annotations

import argparse
import atexit
import os
import pty
import select
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXE = str(Path(sys.executable).with_name("complaintctl"))
LOG_ARGS = ["log", "--customer", "华东电器有限公司", "--description", "电机异响，三台都有",
            "--contact", "13812345678", "--channel", "phone", "--category", "quality",
            "--severity", "high", "--demand", "exchange", "--region", "华东", "--order",
            "SO-1", "--product", "XD-200 电机", "--lot", "L1", "--quantity", "3",
            "--shipped", "2026-10-01", "--received", "now", "--no-input"]


FLOOR = [sys.executable, "-c", "import sqlite3"]


def _once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - start


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median seconds of `runs` runs (after one warm-up), output discarded, and the
    median of the floor run alternately with them: this machine's speed drifts
    by a fifth over minutes, and a ratio must compare like with like."""
    _once(cmd, env)
    samples, floors = [], []
    for _ in range(runs):
        floors.append(_once(FLOOR, env))
        samples.append(_once(cmd, env))
    return statistics.median(samples), statistics.median(floors)


def build(path: Path, n: int) -> float:
    if path.exists():
        return 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([EXE, "--db", str(path), "demo", "--complaints", str(n)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def equal_range(path: Path, count: int) -> tuple[str, str, int]:
    """The local dates of a span holding about `count` of the latest complaints."""
    conn = sqlite3.connect(path)
    try:
        first = conn.execute("SELECT received_at FROM complaints ORDER BY received_at DESC "
                             "LIMIT 1 OFFSET ?", (count,)).fetchone()[0]
        last = conn.execute("SELECT max(received_at) FROM complaints").fetchone()[0]
        inside = conn.execute("SELECT count(*) FROM complaints WHERE received_at >= ? AND "
                              "received_at < date(?, '+1 day')", (first[:10], last[:10])
                              ).fetchone()[0]
    finally:
        conn.close()
    return first[:10], last[:10], inside


def month_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM complaints WHERE received_at >= "
                            "date('now', 'start of month', '-1 month') AND received_at < "
                            "date('now', 'start of month')").fetchone()[0]
    finally:
        conn.close()


class Run:
    """One run of a command in a fresh process: wall seconds, CPU seconds of the
    child (user + system) and its peak RSS in MiB."""

    def __init__(self, cmd: list[str], env: dict[str, str], on_pty: bool = False):
        if on_pty:
            master, slave = pty.openpty()
            import fcntl
            import struct
            import termios

            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
            out: int = slave
        else:
            out = subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=out)
        if on_pty:
            os.close(slave)
            while True:  # read what the terminal shows, or the child blocks writing it
                ready, _w, _x = select.select([master], [], [], 0.5)
                if ready:
                    try:
                        if not os.read(master, 65536):
                            break
                    except OSError:  # EIO: the child closed its side
                        break
                elif proc.poll() is not None:
                    break
        _pid, status, usage = os.wait4(proc.pid, 0)
        self.wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if on_pty:
            os.close(master)
        if proc.returncode != 0:
            raise SystemExit(f"{cmd} exited {proc.returncode}")
        self.cpu = usage.ru_utime + usage.ru_stime
        self.rss = usage.ru_maxrss / 1024


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}× [{min(values):.2f}–{max(values):.2f}]"


def startup(sizes: list[int], ledgers: dict[int, Path], runs: int, env: dict[str, str],
            before: str | None) -> None:
    """The start-up table: overdue json and pty table, --help and log, as ratios to
    the floor of the same round; with `before`, the older version beside."""
    versions = {"now": [EXE]}
    if before:
        script = Path(tempfile.mkdtemp(prefix="bench-before-")) / "complaintctl"
        atexit.register(shutil.rmtree, script.parent, ignore_errors=True)
        script.write_text("from complaintctl.cli import main\nmain()\n")
        versions["before"] = [sys.executable, str(script)]
    env_before = {**env, "PYTHONPATH": before or ""}
    print("| ledger | command | version | wall ms | × floor (wall) | × floor (CPU) | "
          "peak MiB | load before/after |")
    print("|---|---|---|---:|---:|---:|---:|---|")

    def table(label: str, what: str, args: list[str], on_pty: bool = False,
              scratch: Path | None = None) -> None:
        load = os.getloadavg()[0]
        cmds = {version: ([*exe, *args], on_pty) for version, exe in versions.items()}
        if scratch is not None:  # `log` writes: each version on its own copy
            for version in versions:
                copy = scratch.with_name(f"{scratch.stem}-{version}.db")
                shutil.copy(scratch, copy)
                cmds[version] = ([*versions[version], "--db", str(copy), *args], on_pty)
        found = _paired(cmds, runs, env, env_before, on_pty)
        after = os.getloadavg()[0]
        floors = found.pop("floor")
        for version, got in found.items():
            wall = [g.wall / f.wall for g, f in zip(got, floors, strict=True)]
            cpu = [g.cpu / f.cpu for g, f in zip(got, floors, strict=True)]
            print(f"| {label} | {what} | {version} | "
                  f"{statistics.median(g.wall for g in got) * 1000:.0f} | {_spread(wall)} | "
                  f"{_spread(cpu)} | {max(g.rss for g in got):.0f} | "
                  f"{load:.1f} / {after:.1f} |", flush=True)
        if scratch is not None:
            for version in versions:
                scratch.with_name(f"{scratch.stem}-{version}.db").unlink()

    print(f"floor: {' '.join(FLOOR)}; {runs} rounds; {os.cpu_count()} CPUs", flush=True)
    table("-", "--help", ["--help"])
    for n in sizes:
        db = ["--db", str(ledgers[n])]
        label = f"{n:,}"
        table(label, "overdue --format json", [*db, "overdue", "--format", "json"])
        table(label, "overdue (Rich table, pty)", [*db, "overdue"], on_pty=True)
    smallest = min(sizes)
    table(f"{smallest:,}", "log, every option given", LOG_ARGS, scratch=ledgers[smallest])


def _paired(cmds: dict[str, tuple[list[str], bool]], runs: int, env: dict[str, str],
            env_before: dict[str, str], on_pty: bool) -> dict[str, list[Run]]:
    """`runs` rounds (after one warm-up round) of the floor and each version, each
    round in a rotated order, each version in its own environment (the older one
    on its PYTHONPATH; on a pty, without COLUMNS: the terminal's width counts)."""
    def env_of(name: str) -> dict[str, str]:
        base = env_before if name == "before" else env
        if on_pty:
            base = {k: v for k, v in base.items() if k not in ("COLUMNS", "LINES")}
        return base

    names = ["floor", *cmds]
    every = {"floor": (FLOOR, False), **cmds}
    found: dict[str, list[Run]] = {n: [] for n in names}
    for r in range(runs + 1):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            cmd, on_pty = every[name]
            done = Run(cmd, env_of(name), on_pty)
            if r:
                found[name].append(done)
    return found


def profile(args: list[str], top: int, env: dict[str, str]) -> None:
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.prof"
        subprocess.run([EXE, *args], env={**env, "COMPLAINTCTL_PROFILE": str(out)},
                       stdout=subprocess.DEVNULL, check=False)
        stats = pstats.Stats(str(out))
        stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--dir", default=str(HERE / "ledgers"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--startup", action="store_true",
                    help="only the start-up table (overdue json / pty table, --help, log)")
    ap.add_argument("--before", metavar="SRC",
                    help="with --startup: also time the version in this source tree")
    ap.add_argument("--profile", action="store_true",
                    help="profile one run of complaintctl ARGS (after --)")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("args", nargs="*")
    args = ap.parse_args()
    env = {**os.environ, "COMPLAINTCTL_USER": "bench", "COLUMNS": "120"}
    env.pop("FORCE_COLOR", None)
    # Measure what users run: with bytecode caches (an installed wheel has them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.profile:
        profile(args.args, args.top, env)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    ledgers = {n: Path(args.dir) / f"demo-{n}.db" for n in sizes}
    if args.startup:
        for n in sizes:
            build(ledgers[n], n)
        startup(sizes, ledgers, args.runs, env, args.before)
        return
    scratches = {n: p.with_name(p.stem + "-scratch.db") for n, p in ledgers.items()}
    built = {n: build(ledgers[n], n) for n in sizes}
    # Copies to time `log` on, all made before anything is timed: for a while after
    # copying hundreds of MB the machine writes them back, and whatever runs then
    # (reads too) costs up to half again.
    for n in sizes:
        shutil.copy(ledgers[n], scratches[n])
    os.sync()
    time.sleep(10)
    print("| ledger | command | ms | floor ms | × floor |")
    print("|---|---|---:|---:|---:|")

    def row(label: str, what: str, seconds: float | tuple[float, float]) -> None:
        if isinstance(seconds, tuple):
            took, floor = seconds
            print(f"| {label} | {what} | {took * 1000:.0f} | {floor * 1000:.0f} | "
                  f"{took / floor:.1f} |", flush=True)
        else:
            print(f"| {label} | {what} | {seconds * 1000:.0f} | | |", flush=True)

    row("-", "complaintctl --help", timed([EXE, "--help"], args.runs, env))
    smallest = min(sizes)
    for n in sizes:
        path, scratch = ledgers[n], scratches[n]
        label = f"{n:,}"
        if built[n]:
            row(label, f"demo --complaints {n} (build)", built[n])
        db = ["--db", str(path)]
        row(label, "overdue --format json", timed([EXE, *db, "overdue", "--format", "json"],
                                                   args.runs, env))
        row(label, "overdue (Rich table)", timed([EXE, *db, "overdue"], args.runs, env))
        row(label, f"report --month --format json ({month_size(path):,} in the month)",
            timed([EXE, *db, "report", "--month", "--format", "json"], args.runs, env))
        row(label, "report --week --format json",
            timed([EXE, *db, "report", "--week", "--format", "json"], args.runs, env))
        first, last, inside = equal_range(path, smallest * 8 // 10)
        row(label, f"report --since {first} --until {last} ({inside:,} complaints)",
            timed([EXE, *db, "report", "--since", first, "--until", last, "--format", "json"],
                  args.runs, env))
        row(label, "log, every option given",
            timed([EXE, "--db", str(scratch), *LOG_ARGS], args.runs, env))
        scratch.unlink()


if __name__ == "__main__":
    main()
