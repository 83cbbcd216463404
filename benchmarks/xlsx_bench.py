"""The monthly workbook (`report --month M --format xlsx`, with its 12-month trend) on
a big ledger, in CPU seconds beside the floors of the same run.

    python benchmarks/xlsx_bench.py --db LEDGER [--month 2026-03] [--runs 3]

Each round runs, one after the other, in fresh processes and with output to a
temporary folder:

- `floor`: `python -c 'import sqlite3'` (the interpreter's start);
- `json`: `report --month M --format json` (the report's queries and its JSON);
- `json+trend`: the same with `--trend 12` (the twelve periods' counts added);
- `xlsx`: `report --month M --output FILE.xlsx` (the report, the trend, the workbook);
- `xlsxwriter floor`: bare XlsxWriter in constant_memory mode writing as many rows
  as the month's register of the same kinds of cell (7 strings, 1 number, 2 date
  times), nothing else: what any workbook of that register costs at least.

Prints one markdown line per run: CPU (user+sys, from the child's rusage), peak
RSS and wall time. Not a test: CI machines are too noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = str(Path(sys.executable).with_name("complaintctl"))

XLSXWRITER_FLOOR = """
import sys, datetime, xlsxwriter
n = int(sys.argv[1])
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True,
                                         "strings_to_formulas": False})
ws = book.add_worksheet("register")
when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
t = datetime.datetime(2026, 3, 1, 9, 30)
texts = ["CC-2026-000001", "华东电器有限公司", "XD-200 电机", "换货", "结案（满意）", "质量部",
         "王芳"]
for r in range(1, n + 1):
    for c, v in enumerate(texts):
        ws.write_string(r, c, v)
    ws.write_number(r, 7, 3)
    ws.write_datetime(r, 8, t, when)
    ws.write_datetime(r, 9, t, when)
book.close()
"""


def measure(cmd: list[str]) -> tuple[float, float, float, float]:
    """(user s, sys s, peak MB, wall s) of one run in a process of its own."""
    script = ("import resource, subprocess, sys, time; s = time.perf_counter(); "
              "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
              "w = time.perf_counter() - s; u = resource.getrusage(resource.RUSAGE_CHILDREN); "
              "print(u.ru_utime, u.ru_stime, u.ru_maxrss / 1024, w)")
    out = subprocess.run([sys.executable, "-c", script, *cmd], capture_output=True, text=True,
                         check=True).stdout.split()
    user, system, peak, wall = (float(x) for x in out)
    return user, system, peak, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--month", default="2026-03")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    base = [EXE, "--db", args.db, "--quiet", "report", "--month", args.month]
    with tempfile.TemporaryDirectory() as tmp:
        rep = json.loads(subprocess.run([*base, "--format", "json"], capture_output=True,
                                        text=True, check=True).stdout)
        n = len(rep["register"])
        print(f"{args.month}: {n:,} register rows, {rep['received']:,} received")
        runs = {
            "floor": [sys.executable, "-c", "import sqlite3"],
            "json": [*base, "--format", "json"],
            "json+trend": [*base, "--format", "json", "--trend", "12"],
            "xlsx": [*base, "--output", os.path.join(tmp, "m.xlsx")],
            "xlsxwriter floor": [sys.executable, "-c", XLSXWRITER_FLOOR, str(n),
                                 os.path.join(tmp, "floor.xlsx")],
        }
        print("| run | what | CPU s (user+sys) | peak MB | wall s | load |")
        print("|---:|---|---:|---:|---:|---:|")
        for i in range(1, args.runs + 1):
            for name, cmd in runs.items():
                user, system, peak, wall = measure(cmd)
                print(f"| {i} | {name} | {user + system:.2f} ({user:.2f}+{system:.2f}) | "
                      f"{peak:.0f} | {wall:.2f} | {os.getloadavg()[0]:.1f} |", flush=True)
                time.sleep(0.5)
        size = os.path.getsize(os.path.join(tmp, "m.xlsx"))
        print(f"workbook: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
