"""A report's trend: the N periods ending with the report's (ISO weeks for a week,
calendar months for a month, windows of the same number of days for a range), each
counted by the report's own period computation (`reports.trend_point`) at the
report's instant, so that with `--as-of` every point is what was true then.

Read-only; the caller holds one read snapshot for the report and its trend. The
cost grows with the number of periods (each is a few indexed counts over its own
days), not with the ledger.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, tzinfo
from typing import Any

from complaintctl import reports
from complaintctl.reports import Period

# The keys of a point, in order (the JSON's `trend` list; csv and the workbook's columns).
KEYS = ("label", "from", "to", "until", "received", "resolved", "closed", "on_time_rate",
        "satisfaction_rate", "paid")
# The figures of a point (what a chart or a sparkline draws).
FIGURES = ("received", "resolved", "closed", "on_time_rate", "satisfaction_rate", "paid")
RATES = ("on_time_rate", "satisfaction_rate")

MAX_PERIODS = 120


def periods(period: Period, n: int) -> list[Period]:
    """The `n` periods ending with `period`, oldest first; fewer when they would begin
    before the first year a date may have (parse.FIRST_YEAR: a trend of 80 windows of
    a 27-year range went back before year 1, "unexpected failure")."""
    from datetime import date

    from complaintctl.parse import FIRST_YEAR

    first = date(FIRST_YEAR, 1, 1)
    out = [period]
    while len(out) < n:
        try:
            before = out[-1].previous()
        except (OverflowError, ValueError):  # before year 1
            break
        if before.first < first:
            break
        out.append(before)
    return out[::-1]


def series(conn: sqlite3.Connection, tz: tzinfo, period: Period, n: int, as_of: datetime
           ) -> list[dict[str, Any]]:
    """The trend's points, oldest first, each {label, from, to, until, received, resolved,
    closed, on_time_rate, satisfaction_rate, paid} (rates are fractions, or None; paid an
    amount in the ledger's currency, "1250.50"; until: the last second counted of a
    period not over at `as_of`, else None — its counts are not a whole period's)."""
    from complaintctl.parse import iso

    out = []
    for p in periods(period, n):
        point = reports.trend_point(conn, tz, p, as_of)
        # its last second counted: the instant itself (a step at it is counted; it said
        # the second before, and at midnight the day before)
        until = iso(as_of) if as_of < p.bounds(tz)[1] else None
        out.append({"label": p.short_label, "from": p.first.isoformat(),
                    "to": p.last.isoformat(), "until": until, **point})
    return out
