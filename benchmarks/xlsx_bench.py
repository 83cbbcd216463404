"""The monthly workbook (`report --month M --output m.xlsx`, with its 12-month trend) on
a big ledger, in CPU seconds beside the floors of the same run, and split in parts.

    python benchmarks/xlsx_bench.py --db LEDGER [--month 2026-03] [--runs 3]

Each round runs, one after the other, in fresh processes and with output to a
temporary folder:

- `floor`: `python -c 'import sqlite3'` (the interpreter's start);
- `xlsx`: `report --month M --output FILE.xlsx` (the report, the trend, the workbook);
- `parts`: what that command does, in one process timed at each step (`PARTS`):
  `start` (the interpreter and the imports the command needs), `data` (the
  report's queries and the trend's, reports.Report.build and trend.series: what
  `--format json` computes), `workbook` (workbook.chunks, the file written);
- `xlsxwriter floor`: bare XlsxWriter writing as many rows as the month's register
  of the same kinds of cell (7 strings, 1 number, 2 date-times) through its public
  typed methods (write_string, write_number, write_datetime), nothing else, in
  constant_memory mode as it was measured before (December 2026) and in its
  default mode (`xlsxwriter floor, in memory`), as the report's workbook is built
  up to workbook.IN_MEMORY_LINES lines. The register's texts are the month's own.

Prints one markdown line per run: CPU (user+sys, from the child's rusage), peak
RSS and wall time, and the parts. Not a test: CI machines are too noisy.
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
import json, sys, datetime, xlsxwriter
rows = json.load(open(sys.argv[1]))
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": sys.argv[3] == "stream",
                                         "strings_to_formulas": False})
ws = book.add_worksheet("register")
when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
t = datetime.datetime(2026, 3, 1, 9, 30)
for r, texts in enumerate(rows, start=1):
    for c, v in enumerate(texts):
        ws.write_string(r, c, v)
    ws.write_number(r, 7, 3)
    ws.write_datetime(r, 8, t, when)
    ws.write_datetime(r, 9, t, when)
book.close()
"""

# The command's steps, as cli.report_cmd takes them, timed (CPU of this process).
PARTS = """
import resource, sys
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
from datetime import datetime, timezone
from pathlib import Path
from complaintctl import i18n, render, reports, trend, workbook
from complaintctl.store import Ledger
t0 = cpu()
ledger = Ledger.open(Path(sys.argv[1]))
i18n.use_ledger_language(getattr(ledger.config, "language", None))
tz, now = ledger.tz, datetime.now(timezone.utc)
period = reports.month_of(*map(int, sys.argv[2].split("-")))
with ledger.read():
    rep = reports.Report(ledger.conn, tz, period, now, ledger.config.currency).build()
    rep["trend"] = trend.series(ledger.conn, tz, period, 12, now)
render.use_words("category", ledger.config.category_words)
t1 = cpu()
with open(sys.argv[3], "wb") as fh:
    for chunk in workbook.chunks(rep, tz, ledger.config.currency):
        fh.write(chunk)
t2 = cpu()
print(t0, t1 - t0, t2 - t1)
"""


def measure(cmd: list[str]) -> tuple[float, float, float, float, str]:
    """(user s, sys s, peak MB, wall s, what it printed) of one run in a process of its
    own."""
    script = ("import resource, subprocess, sys, time; s = time.perf_counter(); "
              "out = subprocess.run(sys.argv[1:], check=True, capture_output=True, "
              "text=True).stdout; "
              "w = time.perf_counter() - s; u = resource.getrusage(resource.RUSAGE_CHILDREN); "
              "print(u.ru_utime, u.ru_stime, u.ru_maxrss / 1024, w, repr(out))")
    out = subprocess.run([sys.executable, "-c", script, *cmd], capture_output=True, text=True,
                         check=True).stdout.split(" ", 4)
    user, system, peak, wall = (float(x) for x in out[:4])
    return user, system, peak, wall, eval(out[4])  # noqa: S307 - our own repr()


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
        print(f"{args.month}: {n:,} register rows, {rep['received']:,} received, "
              f"{len(rep['by_customer']):,} customers")
        texts = os.path.join(tmp, "register.json")
        with open(texts, "w") as fh:
            json.dump([[r["id"], r["customer"] or "", r["product"] or "", r["disposition"] or "",
                        r["result"] or "", r["department"] or "", r["owner"] or ""]
                       for r in rep["register"]], fh)
        del rep
        runs = {
            "floor": [sys.executable, "-c", "import sqlite3"],
            "xlsx": [*base, "--output", os.path.join(tmp, "m.xlsx")],
            "parts": [sys.executable, "-c", PARTS, args.db, args.month,
                      os.path.join(tmp, "p.xlsx")],
            "xlsxwriter floor": [sys.executable, "-c", XLSXWRITER_FLOOR, texts,
                                 os.path.join(tmp, "floor.xlsx"), "stream"],
            "xlsxwriter floor, in memory": [sys.executable, "-c", XLSXWRITER_FLOOR, texts,
                                            os.path.join(tmp, "floor.xlsx"), "memory"],
        }
        print("| run | what | CPU s (user+sys) | peak MB | wall s | load | parts: start, "
              "data, workbook (CPU s) |")
        print("|---:|---|---:|---:|---:|---:|---|")
        for i in range(1, args.runs + 1):
            for name, cmd in runs.items():
                user, system, peak, wall, out = measure(cmd)
                parts = ""
                if name == "parts":
                    parts = ", ".join(f"{float(x):.2f}" for x in out.split())
                print(f"| {i} | {name} | {user + system:.2f} ({user:.2f}+{system:.2f}) | "
                      f"{peak:.0f} | {wall:.2f} | {os.getloadavg()[0]:.1f} | {parts} |",
                      flush=True)
                time.sleep(0.5)
        size = os.path.getsize(os.path.join(tmp, "m.xlsx"))
        print(f"workbook: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
