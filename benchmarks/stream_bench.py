"""Listings and exports that stream (issue 16): rows a second, CPU, and peak memory
of `list --format csv|json`, `list --customer 华东` (the table), and `export`, on
demo ledgers, next to the Python floor, in paired runs against the version before.

    python benchmarks/stream_bench.py --ledger PATH [--ledger PATH ...] \\
        [--before SRC_DIR] [--runs 3] [--out DIR] [--only list,table,export]
        (--only also takes list-csv, list-json or list-markdown for one of them)

Each round runs, one after the other: the floor (`python -c 'import sqlite3'`),
the version before (when --before names a source tree: run as `python -m
complaintctl` with that tree first on PYTHONPATH) and this version. A figure is
the median of the rounds with its spread [min–max]; each run's CPU (user + sys)
and peak RSS are those of the child (os.wait4), so memory is the command's own.
Rows per CPU second are given whole (rows / the child's CPU) and net of the floor
(rows / (CPU - the floor's CPU of the same round)); peak memory in MB (10^6 bytes)
and MiB.
Output goes to /dev/null for `list`, to a file in --out for `export` (deleted
after each run). Prints markdown rows for the README. Not a test: timings on a
shared machine belong here.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable


def run(cmd: list[str], env: dict[str, str], stdout_path: str = os.devnull
        ) -> tuple[float, float, float]:
    """Wall s, CPU s (user + sys) and peak RSS MiB of one child."""
    start = time.perf_counter()
    with open(stdout_path, "wb") as out, open(os.devnull, "wb") as err:
        pid = os.posix_spawn(cmd[0], cmd, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)])
        _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return (fmt.format(statistics.median(values)) + " [" + fmt.format(min(values)) + "–" +
            fmt.format(max(values)) + "]")


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ledger", action="append", required=True, type=Path)
    ap.add_argument("--before", help="source tree of the version before (e.g. main)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("/tmp"))
    ap.add_argument("--only", default="list,table,export")
    ap.add_argument("--exports", default="complaints:csv,events:csv,events:jsonl,"
                    "complaints:xlsx")
    args = ap.parse_args()
    only = set(args.only.split(","))
    args.ledger = [p.resolve() for p in args.ledger]
    args.out = args.out.resolve()
    # Not from a source tree: `python -m` puts the current folder first on sys.path,
    # which would run that tree's complaintctl instead of --before's.
    os.chdir(tempfile.gettempdir())
    base = {**os.environ, "COMPLAINTCTL_USER": "bench", "COLUMNS": "160"}
    base.pop("FORCE_COLOR", None)
    base.pop("PYTHONDONTWRITEBYTECODE", None)  # what users run: with bytecode caches
    versions = {"after": {**base}}
    if args.before:
        versions = {"before": {**base, "PYTHONPATH": args.before}, **versions}
    print("| ledger | command | version | rows | wall s | CPU s | rows/s (wall) | "
          "rows per CPU s | rows per CPU s net of floor | peak MB | peak MiB | "
          "× floor (CPU) | floor CPU ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for db in args.ledger:
        n = count(db, "SELECT count(*) FROM complaints")
        events = count(db, "SELECT count(*) FROM events")
        hd = count(db, "SELECT count(*) FROM complaints WHERE instr(customer, '华东') > 0")
        cases: list[tuple[str, list[str], int, bool]] = []
        for fmt in ("csv", "json", "markdown"):
            if ("list" in only and fmt != "markdown") or f"list-{fmt}" in only:
                cases.append((f"list --format {fmt}", ["list", "--format", fmt], n, False))
        if "table" in only:
            cases += [("list --customer 华东 (table)", ["list", "--customer", "华东"],
                       min(200, hd), False)]
        if "export" in only:
            for item in args.exports.split(","):
                what, fmt = item.split(":")
                rows = events if what == "events" else n
                cases.append((f"export {what} --format {fmt}",
                              ["export", what, "--format", fmt, "--output",
                               str(args.out / f"stream-bench.{fmt}")], rows, True))
        for label, argv, rows, to_file in cases:
            results: dict[str, list[tuple[float, float, float]]] = {v: [] for v in versions}
            floors: list[tuple[float, float, float]] = []
            for env in versions.values():  # warm-up: caches, bytecode
                run([PY, "-m", "complaintctl", "--db", str(db), "list", "--limit", "1"], env)
            for _round in range(args.runs):
                floors.append(run([PY, "-c", "import sqlite3"], base))
                for version, env in versions.items():
                    results[version].append(run([PY, "-m", "complaintctl", "--db", str(db),
                                                 *argv], env))
                    if to_file:
                        Path(argv[-1]).unlink(missing_ok=True)
            floor_cpu = statistics.median(f[1] for f in floors)
            for version, res in results.items():
                walls, cpus, peaks = ([r[i] for r in res] for i in range(3))
                ratios = [c / f[1] for c, f in zip(cpus, floors, strict=True)]
                net = [rows / max(c - f[1], 1e-6) for c, f in zip(cpus, floors, strict=True)]
                print(f"| {n:,} | {label} | {version} | {rows:,} | {spread(walls)} | "
                      f"{spread(cpus)} | {spread([rows / w for w in walls], '{:,.0f}')} | "
                      f"{spread([rows / c for c in cpus], '{:,.0f}')} | "
                      f"{spread(net, '{:,.0f}')} | "
                      f"{spread([p * 1024 * 1024 / 1e6 for p in peaks], '{:.0f}')} | "
                      f"{spread(peaks, '{:.0f}')} | "
                      f"{spread(ratios, '{:.1f}')} | "
                      f"{floor_cpu * 1000:.0f} |", flush=True)
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
