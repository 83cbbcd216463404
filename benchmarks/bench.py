"""Speed of the commands people type many times a day, and of the reports, on
demo ledgers of 10k, 100k and 1M complaints, next to the Python floor.

    python benchmarks/bench.py [--sizes 10000,100000,1000000] [--dir DIR] [--runs 7]

Ledgers are built once with `complaintctl demo` into DIR (default
benchmarks/ledgers, ignored by git) and reused. Every figure is the median
wall time of several runs of the installed command in a fresh process, and
its ratio to `python3 -c 'import sqlite3'` run alternately with it. Prints a
markdown table for the README. Not a test: CI machines are too noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--dir", default=str(HERE / "ledgers"))
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    env = {**os.environ, "COMPLAINTCTL_USER": "bench", "COLUMNS": "120"}
    env.pop("FORCE_COLOR", None)
    # Measure what users run: with bytecode caches (an installed wheel has them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    sizes = [int(s) for s in args.sizes.split(",")]
    ledgers = {n: Path(args.dir) / f"demo-{n}.db" for n in sizes}
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
