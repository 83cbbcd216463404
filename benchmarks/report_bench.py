"""The reports of issue 16 side by side: the version before (OLD, a non-editable
install of main in another virtual environment, on its own copy of the ledger) and
this one, run alternately with the Python floor, in fresh processes.

    python benchmarks/report_bench.py --old OLD_EXE --old-db OLD.db --new-db NEW.db \
        [--new NEW_EXE] [--runs 5] [--label 1M] [--only two-year,month,week,month-03,trend]
        [--as-of 2026-03-17T13:45:10Z --runs 0]

    python benchmarks/report_bench.py --queries LEDGER -- report --month 2026-03 [--as-of W]

The second form times every SQL statement of one report in this process (CPU of
each `execute` and its fetch, by statement; the report's own Python and the JSON
besides), the way to see which query still reads every row of a period.

OLD.db is the ledger at the schema OLD reads; NEW.db the same ledger upgraded
(`complaintctl --db NEW.db upgrade`). For each report: CPU seconds (user + system
of the child, from wait4) and peak RSS of every run, and the floor's CPU in the same
pair; printed as the median [min-max] of the per-pair ratios, the median seconds
and the largest peak. The JSON of both versions is compared (apart from what this
version adds: `register_included`, and the register of a long range, which it
leaves out by default).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

FLOOR = [sys.executable, "-c", "import sqlite3"]
NEW = str(Path(sys.executable).with_name("complaintctl"))
REPORTS = {
    "two-year": ["report", "--since", "2025-01-01", "--until", "2026-12-31"],
    "month": ["report", "--month", "2026-11"],
    "week": ["report", "--week", "2026-11-25"],
    "month-03": ["report", "--month", "2026-03"],  # the workbook's month (issue 16/17)
    "trend": ["report", "--month", "2026-03", "--trend", "12"],
}


def run(cmd: list[str], out: Path | None = None) -> tuple[float, float]:
    """(CPU seconds of the child, its peak RSS in MB). The peak comes from
    /usr/bin/time: a child's own ru_maxrss starts at the size of the process that
    forked it (this one, which holds two reports' JSON)."""
    with tempfile.NamedTemporaryFile() as peak, open(out or os.devnull, "wb") as sink:
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name, *cmd],
                                stdout=sink, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}")
        kib = int(Path(peak.name).read_text().split()[-1])
    return usage.ru_utime + usage.ru_stime, kib / 1024


def queries(db: str, argv: list[str]) -> None:
    """Build one report (json) with every statement timed; print the slowest."""
    import time
    from collections import defaultdict
    from datetime import date, datetime, timezone

    from complaintctl import render, reports
    from complaintctl.parse import from_iso
    from complaintctl.store import Ledger

    ap = argparse.ArgumentParser(prog="report_bench.py --queries LEDGER --")
    ap.add_argument("report")
    ap.add_argument("--week")
    ap.add_argument("--month")
    ap.add_argument("--since")
    ap.add_argument("--until")
    ap.add_argument("--as-of")
    a = ap.parse_args(argv)
    if a.week:
        period = reports.week_of(date.fromisoformat(a.week))
    elif a.month:
        period = reports.month_of(*map(int, a.month.split("-")))
    else:
        period = reports.between(date.fromisoformat(a.since), date.fromisoformat(a.until))
    as_of = from_iso(a.as_of) if a.as_of else datetime.now(timezone.utc)
    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])

    class Rows:
        def __init__(self, rows: list[Any], description: Any) -> None:
            self.rows, self.description = rows, description

        def fetchone(self) -> Any:
            return self.rows[0] if self.rows else None

        def fetchall(self) -> list[Any]:
            return self.rows

        def __iter__(self) -> Any:
            return iter(self.rows)

    class Timed:  # the connection, each statement run and fetched whole, timed
        def __init__(self, conn: Any) -> None:
            self.conn = conn

        in_transaction = property(lambda self: self.conn.in_transaction)

        def cursor(self) -> Any:
            return self.conn.cursor()

        def execute(self, sql: str, params: Any = ()) -> Rows:
            t = time.process_time()
            cur = self.conn.execute(sql, params)
            rows = cur.fetchall()
            entry = spent[" ".join(sql.split())]
            entry[0] += 1
            entry[1] += time.process_time() - t
            entry[2] += len(rows)
            return Rows(rows, cur.description)

    ledger = Ledger.open(Path(db))
    start = time.process_time()
    with ledger.read():
        rep = reports.Report(Timed(ledger.conn), ledger.tz, period, as_of,
                             ledger.config.currency).build()
    built = time.process_time()
    text = render.to_json(rep)
    done = time.process_time()
    sql = sum(v[1] for v in spent.values())
    print(f"{period.label}: build {built - start:.3f} s CPU (SQL {sql:.3f} s), json "
          f"{done - built:.3f} s, {len(text.encode()) / 1e6:.1f} MB")
    for stmt, (n, cpu, rows) in sorted(spent.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"{cpu:7.3f} s  x{n:<3} {rows:>8} rows  {stmt[:110]}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--queries":
        rest = sys.argv[3:]
        queries(sys.argv[2], rest[1:] if rest[:1] == ["--"] else rest)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", default=NEW, help="the command of this version")
    ap.add_argument("--old-db", required=True)
    ap.add_argument("--new-db", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--long-runs", type=int, default=3, help="runs of the two-year report")
    ap.add_argument("--label", default="")
    ap.add_argument("--as-of", help="every report as of this instant (JSON compared byte "
                    "for byte; a mid-period instant replays); --runs 0: compare only")
    ap.add_argument("--only", default=",".join(REPORTS))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    for name in args.only.split(","):
        # as of now, the usual report; or as of one instant for both (--as-of)
        report = REPORTS[name] + ["--format", "json"] + (
            ["--as-of", args.as_of] if args.as_of else [])
        old = [args.old, "--db", args.old_db, *report]
        new = [args.new, "--db", args.new_db, *report]
        # a warm-up of each, and their outputs compared
        run(old, tmp / "old.json")
        run(new, tmp / "new.json")
        a, b = (json.loads((tmp / f).read_text()) for f in ("old.json", "new.json"))
        for rep in (a, b):  # the instant it was made (seconds apart)
            rep.pop("register_included", None)  # (not in versions before it)
            rep["period"].pop("as_of")
            if name == "two-year":
                rep["period"].pop("end_at")
            for point in rep.get("trend", ()):  # (the current month's cut-off is now)
                point.pop("end_at", None)
        if name == "two-year":
            a["register"] = b["register"] = []
        if args.as_of:  # nothing left out: the bytes
            same = ("same bytes" if (tmp / "old.json").read_bytes()
                    == (tmp / "new.json").read_bytes() else "BYTES DIFFER")
        elif a == b:
            same = "same JSON"
        else:
            same = "JSON DIFFERS: " + ", ".join(
                k for k in a if a.get(k) != b.get(k))
        if not args.runs:
            print(f"| {args.label} | {name} | {' '.join(report)} | {same} |", flush=True)
            continue
        size = (tmp / "old.json").stat().st_size, (tmp / "new.json").stat().st_size
        del a, b
        pairs: dict[str, list[tuple[float, float, float]]] = {"old": [], "new": []}
        for _ in range(args.long_runs if name == "two-year" else args.runs):
            for which, cmd in (("old", old), ("new", new)):
                floor, _ = run(FLOOR)
                cpu, peak = run(cmd)
                pairs[which].append((cpu, floor, peak))
        for which in ("old", "new"):
            ratios = [c / f for c, f, _ in pairs[which]]
            cpu = statistics.median(c for c, _, _ in pairs[which])
            print(f"| {args.label} | {name} | {which} | {statistics.median(ratios):.1f}x "
                  f"[{min(ratios):.1f}-{max(ratios):.1f}] | {cpu:.3f} s | "
                  f"{max(p for _, _, p in pairs[which]):.0f} MB | "
                  f"{size[0 if which == 'old' else 1] / 1e6:.1f} MB | {same} |", flush=True)


if __name__ == "__main__":
    main()
