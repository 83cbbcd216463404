"""The bulk writer's speed and memory: `complaintctl demo --complaints N` into a new
file, as CPU seconds (user + system) and peak memory from `/usr/bin/time -v`,
beside the floor of the same run: the same rows written by a bare
`executemany` per table into tables without indexes or triggers, then the
indexes built (what SQLite must do at least; no Python work per complaint).

    python benchmarks/demo_bench.py [--sizes 100000] [--runs 3] [--dir DIR] [--keep]
    python benchmarks/demo_bench.py --profile 20000 [--top 40]
    python benchmarks/demo_bench.py --split 100000 [--src DIR]

`--profile` runs demo.fill under cProfile (CPU time of this process) in this
process (the command itself leaves through os._exit, which skips cProfile's report)
and prints the functions that took longest, by their own time and with what they
call. `--split` runs demo.fill without a profiler and splits its CPU seconds into
parts by timers around them: drawing the histories (demo.py), the writer's Python
(rules, deadlines, rows, documents, hash chain), the executemany of each batch,
the end (id counters, day tallies and rollups), the index builds and the commit.

The machine is shared: each line also gives the load average before and after.
Prints markdown rows for benchmarks/README.md. Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = str(Path(sys.executable).with_name("complaintctl"))
CHUNK = 20_000
# the settings `complaintctl demo` makes its new ledger with (its country's clock)
DEMO_INIT = {"timezone": "Asia/Shanghai"}


def command(src: str | None) -> list[str]:
    """The installed command, or the one in the source tree `src` (another version)."""
    if src is None:
        return [EXE]
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {src!r}); "
            "from complaintctl.cli import main; main()"]


def timed_demo(path: Path, n: int, src: str | None = None) -> dict[str, float]:
    """`/usr/bin/time -v complaintctl --db PATH demo --complaints N`."""
    env = {**os.environ, "COMPLAINTCTL_USER": "bench"}
    load = os.getloadavg()[0]
    out = subprocess.run(["/usr/bin/time", "-v", *command(src), "--db", str(path), "demo",
                          "--complaints", str(n)], env=env, capture_output=True, text=True,
                         check=True).stderr

    def field(name: str) -> str:
        found = re.search(rf"^\s*{re.escape(name)}: (.*)$", out, re.MULTILINE)
        assert found, (name, out)
        return found.group(1)

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    return {"user": float(field("User time (seconds)")),
            "sys": float(field("System time (seconds)")),
            "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
            "wall": sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall))),
            "load_before": load, "load_after": os.getloadavg()[0]}


def floor(ledger: Path, scratch: Path) -> dict[str, float]:
    """The rows of `ledger`, table by table in rowid order, written into a new file of
    the same tables (no indexes, no triggers, foreign keys off) by executemany, then
    its indexes built: CPU seconds of those statements only (reading the rows is not
    counted)."""
    src = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    dst = sqlite3.connect(scratch, isolation_level=None)
    objects = src.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
    tables = [(name, sql) for kind, name, sql in objects if kind == "table"]
    indexes = [sql for kind, _name, sql in objects if kind == "index"]
    dst.execute("PRAGMA journal_mode = DELETE")
    dst.execute("PRAGMA temp_store = FILE")
    for _name, sql in tables:
        dst.execute(sql)
    dst.execute("BEGIN")
    inserting = 0.0
    rows = 0
    for name, _sql in tables:
        cols = [c[1] for c in src.execute(f"PRAGMA table_info({name})")]
        insert = (f"INSERT INTO {name} ({', '.join(cols)}) VALUES "
                  f"({', '.join('?' for _ in cols)})")
        cur = src.execute(f"SELECT {', '.join(cols)} FROM {name}")
        while batch := cur.fetchmany(CHUNK):
            start = time.process_time()
            dst.executemany(insert, batch)
            inserting += time.process_time() - start
            rows += len(batch)
    start = time.process_time()
    for sql in indexes:
        dst.execute(sql)
    dst.execute("COMMIT")
    building = time.process_time() - start
    src.close()
    dst.close()
    return {"insert": inserting, "indexes": building, "rows": rows}


def split(n: int, src: str | None, where: str | None = None) -> None:
    """demo.fill of n complaints into a new ledger, its CPU seconds (user and system)
    split into parts."""
    import resource

    if src is not None:
        sys.path.insert(0, src)
    from datetime import datetime, timezone

    from complaintctl import bulk, demo, views
    from complaintctl.store import Ledger

    def clock() -> tuple[float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime, usage.ru_stime

    def since(start: tuple[float, float]) -> tuple[float, float]:
        user, system = clock()
        return user - start[0], system - start[1]

    parts: dict[str, list[float]] = {}

    def add(part: str, spent: tuple[float, float]) -> None:
        got = parts.setdefault(part, [0.0, 0.0])
        got[0] += spent[0]
        got[1] += spent[1]

    draw = demo.histories

    def histories(*args: object, **kwargs: object) -> object:
        it = draw(*args, **kwargs)  # type: ignore[arg-type]
        while True:
            start = clock()
            try:
                history = next(it)
            except StopIteration:
                return
            finally:
                add("drawing the histories (demo.py)", since(start))
            yield history

    write, finish = bulk.Writer.write, bulk.Writer.finish
    in_write = [0.0, 0.0]
    finished: list[tuple[float, float]] = []

    def timed_write(self: bulk.Writer) -> None:
        start = clock()
        write(self)
        spent = since(start)
        add("executemany of the batches", spent)
        in_write[0] += spent[0]
        in_write[1] += spent[1]

    def timed_finish(self: bulk.Writer) -> None:
        in_write[:] = [0.0, 0.0]
        start = clock()
        finish(self)
        user, system = since(start)
        add("end: id counters, day tallies, rollups", (user - in_write[0], system - in_write[1]))
        finished.append(clock())

    counts = views.status_counts

    def timed_counts(lg: Ledger) -> dict[str, int]:
        add("index builds and commit", since(finished.pop()))
        return counts(lg)

    demo.histories = histories  # type: ignore[assignment]
    bulk.Writer.write = timed_write  # type: ignore[method-assign]
    bulk.Writer.finish = timed_finish  # type: ignore[method-assign]
    views.status_counts = timed_counts
    now = datetime(2026, 12, 4, 8, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        ledger = Ledger.create(Path(tmp) / "demo.db", init=DEMO_INIT, now=now, demo=True)
        start = clock()
        demo.fill(ledger, n, now=now)
        total = since(start)
        ledger.close()
    add("the writer's Python (rules, rows, documents, hashes)",
        (total[0] - sum(p[0] for p in parts.values()),
         total[1] - sum(p[1] for p in parts.values())))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu = total[0] + total[1]
    print(f"{n:,} complaints: {cpu:.1f} s CPU ({total[0]:.1f} user, {total[1]:.1f} system), "
          f"{cpu / n * 1e6:.0f} µs a complaint, peak {peak:.0f} MB, "
          f"load {os.getloadavg()[0]:.1f}")
    print("| part | CPU s | user | system | µs a complaint |\n|---|---:|---:|---:|---:|")
    for part, (user, system) in parts.items():
        print(f"| {part} | {user + system:.2f} | {user:.2f} | {system:.2f} "
              f"| {(user + system) / n * 1e6:.1f} |")


def profile(n: int, top: int) -> None:
    import cProfile
    import pstats
    from datetime import datetime, timezone

    from complaintctl import demo
    from complaintctl.store import Ledger

    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger.create(Path(tmp) / "demo.db", init=DEMO_INIT, now=now, demo=True)
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        demo.fill(ledger, n, now=now)
        profiler.disable()
        ledger.close()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where the ledgers go (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the ledgers")
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--src", action="append", default=[], metavar="DIR",
                    help="also time the complaintctl in this source tree (each run alternates)")
    ap.add_argument("--profile", type=int, metavar="N")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--split", type=int, metavar="N")
    args = ap.parse_args()
    if args.profile:
        profile(args.profile, args.top)
        return
    if args.split:
        split(args.split, args.src[0] if args.src else None, args.dir)
        return
    where = Path(args.dir or tempfile.mkdtemp(prefix="demo-bench-"))
    where.mkdir(parents=True, exist_ok=True)
    print("| complaints | version | run | CPU s (user+sys) | µs a complaint | peak MB | wall s | "
          "floor CPU s (insert + indexes) | × floor | load before/after |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    versions: list[str | None] = [*args.src, None]
    for n in (int(s) for s in args.sizes.split(",")):
        for run in range(1, args.runs + 1):
            for src in versions:
                print(line(where, n, run, src, not args.no_floor, args.keep), flush=True)


def line(where: Path, n: int, run: int, src: str | None, with_floor: bool, keep: bool) -> str:
    """One timed demo (and its floor) as a markdown row."""
    path = where / f"demo-{n}-{run}-{'this' if src is None else Path(src).name}.db"
    for old in where.glob(path.name + "*"):
        old.unlink()
    got = timed_demo(path, n, src)
    cpu = got["user"] + got["sys"]
    cells = [f"{n:,}", src or "this", str(run),
             f"{cpu:.1f} ({got['user']:.1f}+{got['sys']:.1f})", f"{cpu / n * 1e6:.0f}",
             f"{got['rss_mb']:.0f}", f"{got['wall']:.1f}"]
    if with_floor:
        scratch = where / "floor.db"
        for old in where.glob(scratch.name + "*"):
            old.unlink()
        f = floor(path, scratch)
        scratch.unlink()
        base = f["insert"] + f["indexes"]
        cells += [f"{base:.1f} ({f['insert']:.1f} + {f['indexes']:.1f})", f"{cpu / base:.2f}"]
    else:
        cells += ["", ""]
    cells.append(f"{got['load_before']:.1f} / {os.getloadavg()[0]:.1f}")
    if not keep:
        for old in where.glob(path.name + "*"):
            old.unlink()
    return "| " + " | ".join(cells) + " |"

if __name__ == "__main__":
    main()
