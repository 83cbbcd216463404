"""Reports (SPEC section 7): the monthly register and summary (客户投诉处理月报表),
the returns report (退货周报/月报) and the figures management watches.

Read-only. Every figure is one SQL aggregate (or a small set) over its
period's rows, found through an index; percentiles are computed here from
one sorted column. Each figure's definition is the docstring next to its query.
The three counts a year-to-date figure needs (complaints received,
resolutions, closing revisits) add up per-day tallies for the whole UTC days
of a span and count only its two partial days row by row (see `_tallied`).
A long period (`_long`: a fifth of the ledger or more) reads what must see every
row of it (handling times, customers) along a whole index in that index's order
instead of sorting its rows; medians and p90 step an index to their rank, and a
mean from SQLite's sum of whole seconds is summary_stats's (`_hundredths`).

A period is [start, end) in UTC, from local calendar days. The cut-off of a
report is min(end, as_of): what happened after it is not counted, and "at
period end" means at the cut-off.

What a report shows of a complaint (its status, assignment, investigation,
disposition and closing) is what was true at the report's instant `as_of`.
When no step was recorded after that instant (the usual report, as of now) the
complaints' own columns say exactly that and are read as they are. Otherwise
those values are replayed from the steps up to the instant (`_THEN`): the
assignments, investigations, resolutions, revisits and events, each by its
`at`. Intake fields (customer, product, category, received time…) are always
read as amended: an amendment corrects a mistake, it is not a later fact.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from complaintctl.parse import SEVERITIES, format_money, from_iso, iso, name_key
from complaintctl.rollups import RECEIVED, RECOUNT
from complaintctl.store import chain_head
from complaintctl.words import codes
from complaintctl.workflow import OPEN_STATES, PAYING, STATUS_STEPS

OPEN = "(" + ", ".join(f"'{state}'" for state in OPEN_STATES) + ")"  # SQL: status IN {OPEN}
_END = "9999-12-31T00:00:00Z"  # after every stored time: [t, _END) is "from t on"
_ACTION_PLACE = {a: i for i, a in enumerate(codes("return_action"))}  # the procedure's order
STAGE_ORDER = ("assign", "investigate", "resolve", "revisit", "second-revisit", "inspect",
               "dispose")

# The register (one line per complaint) is in a report of up to this many days (a
# month); a longer one has it only when asked for (`register=True`, --register).
REGISTER_DAYS = 31
_SECOND = timedelta(seconds=1)  # stored instants are whole seconds


def _second_before(instant: str) -> str:
    """The last stored instant before `instant` (a bound [.., instant) as an instant)."""
    return iso(from_iso(instant) - _SECOND)

# The fields received complaints are counted by in day_rollups (measure = the column).
ROLLED_UP = RECEIVED[:-1]
# What a complaint counts under each day_rollups measure of received complaints (SQL).
_RECEIVED_KEYS = {**{column: column for column in ROLLED_UP},
                  "repeats": "CASE WHEN repeat_of IS NOT NULL THEN 'yes' END"}

# A period is long when it holds at least this share of the ledger's complaints (or
# resolutions): then a figure that must see every row of it reads a whole index in its
# order (handling times by their days, customers by name) instead of sorting the
# period's rows; the same numbers either way.
LONG_SHARE = 0.2
_KINDS = "(" + ", ".join(f"'{kind}'" for kind in STATUS_STEPS) + ")"
# Concluded in [?, ?) without a cause category (the index complaints_uncategorised,
# migration 19, holds exactly these).
_UNCATEGORISED = "concluded_at >= ? AND concluded_at < ? AND cause_category IS NULL"

# A voided import batch (`import --void-batch`: a register brought in wrongly, whose
# rows may come in again) is left out of every figure, whatever the report's instant,
# as if it had never been imported: its complaints and everything of theirs (steps,
# stages, returns, CAPA items, events) and what the day tallies and rollups counted of
# them. A report of a ledger with one reads each table through a statement's common
# table expression of the same name that leaves them out (`_leaving_out`); the tallies
# and rollups are the kept ones less a recount of the batch's rows (few). A ledger
# without one reads its tables as they are.
_VOIDED_BATCHES = "SELECT id FROM main.import_batches WHERE voided_at IS NOT NULL"
_WITHDRAWN = f"SELECT id FROM main.complaints WHERE import_batch IN ({_VOIDED_BATCHES})"
_OF_THEIRS = f"complaint_id IS NULL OR complaint_id NOT IN ({_WITHDRAWN})"
_OF_THEIR_RETURNS = (f"return_id NOT IN (SELECT id FROM main.returns WHERE complaint_id IN "
                     f"({_WITHDRAWN}))")


def _in_main(sql: str) -> str:
    """`sql` with the ledger's tables it reads named in the main schema (what a common
    table expression of the same name would otherwise stand for)."""
    return re.sub(r"\b(FROM|JOIN) (complaints|stages|resolutions|revisits)\b", r"\1 main.\2",
                  sql)


_LEAVING_OUT: dict[str, str] = {
    "complaints": "SELECT * FROM main.complaints WHERE import_batch IS NULL OR import_batch "
                  f"NOT IN ({_VOIDED_BATCHES})",
    **{table: f"SELECT * FROM main.{table} WHERE {_OF_THEIRS}"
       for table in ("stages", "events", "assignments", "investigations", "resolutions",
                     "revisits", "actions", "returns", "handling_times")},
    **{table: f"SELECT * FROM main.{table} WHERE {_OF_THEIR_RETURNS}"
       for table in ("return_receipts", "return_dispositions")},
    # what the tally triggers of migration 8 counted of the batch's rows, taken off
    "day_tallies": " UNION ALL ".join((
        "SELECT measure, day, n FROM main.day_tallies",
        "SELECT 'received', substr(received_at, 1, 10), -count(*) FROM main.complaints "
        f"WHERE import_batch IN ({_VOIDED_BATCHES}) GROUP BY 2",
        "SELECT 'resolutions', substr(at, 1, 10), -count(*) FROM main.resolutions WHERE "
        f"complaint_id IN ({_WITHDRAWN}) GROUP BY 2",
        "SELECT 'closing_revisits', substr(at, 1, 10), -count(*) FROM main.revisits WHERE "
        "from_status = 'resolved' AND satisfaction != 'unsatisfied' AND complaint_id IN "
        f"({_WITHDRAWN}) GROUP BY 2")),
    # and what the rollups counted of them (rollups.RECOUNT of their rows)
    "day_rollups": "SELECT measure, day, key, n, ok FROM main.day_rollups UNION ALL SELECT "
                   "measure, day, key, -n, -ok FROM (WITH x (measure, day, key, n, ok) AS ("
                   + " UNION ALL ".join(
                       f"SELECT '{measure}', * FROM ({_in_main(sql)})"
                       for measure, sql in RECOUNT.items()).format(
                       c=f"import_batch IN ({_VOIDED_BATCHES})",
                       s=f"complaint_id IN ({_WITHDRAWN})")
                   + ") SELECT * FROM x)",
}

_NAMED = re.compile(r"\b(" + "|".join(_LEAVING_OUT) + r")\b")
_HINTS = re.compile(r" (?:INDEXED BY \w+|NOT INDEXED)\b")
# (SQLite 3.35 on: each table read as one query, not as a temporary copy where it is
# named twice)
_INLINE = "NOT MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""


def _leaving_out(sql: str) -> str:
    """`sql` reading the ledger's tables as if the voided import batches had never been
    imported: each table it names is a common table expression of _LEAVING_OUT (the
    index it named is no index of those: the planner chooses)."""
    names = dict.fromkeys(_NAMED.findall(sql))
    if not names:
        return sql
    return ("WITH " + ", ".join(f"{name} AS {_INLINE}({_LEAVING_OUT[name]})" for name in names)
            + " " + _HINTS.sub("", sql))


# A complaint `c` as it was at the instant :t, replayed from its steps up to then
# (SQL expressions; :t is an ISO time). The latest assignment, resolution and
# revisit at or before :t; the status the latest status-changing step left.
_THEN = {
    "status": "coalesce((SELECT json_extract(e.data, '$.status') FROM events e "
              f"WHERE e.complaint_id = c.id AND e.kind IN {_KINDS} AND e.at <= :t "
              "ORDER BY e.at DESC, e.id DESC LIMIT 1), 'logged')",
    "department": "(SELECT a.department FROM assignments a WHERE a.complaint_id = c.id "
                  "AND a.at <= :t ORDER BY a.at DESC, a.id DESC LIMIT 1)",
    "owner": "(SELECT a.owner FROM assignments a WHERE a.complaint_id = c.id "
             "AND a.at <= :t ORDER BY a.at DESC, a.id DESC LIMIT 1)",
    "disposition": "(SELECT r.disposition FROM resolutions r WHERE r.complaint_id = c.id "
                   "AND r.at <= :t ORDER BY r.round DESC LIMIT 1)",
    "satisfaction": "(SELECT v.satisfaction FROM revisits v WHERE v.complaint_id = c.id "
                    "AND v.at <= :t ORDER BY v.at DESC, v.id DESC LIMIT 1)",
    "last_revisit": "(SELECT max(v.at) FROM revisits v WHERE v.complaint_id = c.id "
                    "AND v.at <= :t)",
    # when it last went from resolved to closed: a closing revisit, or close --no-revisit
    "closing_revisit": "(SELECT max(v.at) FROM revisits v WHERE v.complaint_id = c.id AND "
                       "v.from_status = 'resolved' AND v.to_status = 'closed' AND v.at <= :t)",
    # (by the complaint's events: the planner would walk every close event up to :t)
    "close_event": "(SELECT max(e.at) FROM events e INDEXED BY events_complaint WHERE "
                   "e.complaint_id = c.id AND e.kind = 'close' AND e.at <= :t)",
    "cause_category": "(SELECT i.cause_category FROM investigations i WHERE i.complaint_id "
                      "= c.id AND i.at <= :t AND i.cause_category IS NOT NULL "
                      "ORDER BY i.at DESC, i.id DESC LIMIT 1)",
    # the latest validity recorded; a root cause with none recorded before it finds the
    # complaint upheld (as investigate does, without writing it on the investigation)
    "validity": "coalesce((SELECT i.validity FROM investigations i WHERE i.complaint_id = "
                "c.id AND i.at <= :t AND i.validity IS NOT NULL ORDER BY i.at DESC, i.id DESC "
                "LIMIT 1), (SELECT 'upheld' FROM investigations i WHERE i.complaint_id = c.id "
                "AND i.at <= :t AND i.root_cause IS NOT NULL LIMIT 1))",
}


# --- periods (pure) -------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str  # week | month | range
    first: date  # first day, local
    last: date  # last day, local, inclusive

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(0), tz)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tz)
        return start, end

    def previous(self) -> Period:
        if self.kind == "week":
            return week_of(self.first - timedelta(days=7))
        if self.kind == "month":
            return month_of(*_month_before(self.first.year, self.first.month))
        days = (self.last - self.first).days + 1
        return Period("range", self.first - timedelta(days=days), self.first - timedelta(days=1))

    @property
    def short_label(self) -> str:
        """The period's name in a trend (the same in every language): 2026-W05, 2026-03,
        or 2026-03-01..2026-03-14."""
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        return f"{self.first}..{self.last}"

    @property
    def label(self) -> str:
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"week {year}-W{week:02d} ({self.first} to {self.last})"
        if self.kind == "month":
            return f"month {self.first:%Y-%m}"
        return f"{self.first} to {self.last}"


def _next_day(day: str) -> str:
    """The ISO day after an ISO day."""
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _whole_days(lo: str, hi: str) -> tuple[str, str]:
    """The whole UTC days inside [lo, hi) as [first, last) (ISO days; none when first
    >= last): what the per-day tallies and rollups answer, the ends read by rows."""
    return (lo[:10] if lo[10:] == "T00:00:00Z" else _next_day(lo[:10])), hi[:10]


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def week_of(day: date) -> Period:
    """The ISO week (Monday to Sunday) that contains `day`."""
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def month_of(year: int, month: int) -> Period:
    nxt = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return Period("month", date(year, month, 1), nxt - timedelta(days=1))


def last_complete_week(today: date) -> Period:
    return week_of(today - timedelta(days=today.weekday() + 7))


def last_complete_month(today: date) -> Period:
    return month_of(*_month_before(today.year, today.month))


def between(first: date, last: date) -> Period:
    return Period("range", first, last)


# --- statistics (pure) ----------------------------------------------------------

class Rate(float):
    """A rate as reported: to 4 decimals (what JSON shows and what it equals), keeping
    its exact value (`exact`) for a percentage shown to one decimal (render.pct) or a
    workbook's cell: 4/21 is 0.1905 to 4 decimals, and 19.1 % when that is rounded
    again, where it is 19.0 %."""

    __slots__ = ("exact",)
    exact: float

    def __new__(cls, exact: float) -> Rate:
        # half away from zero, as the percentages are (render.pct): 25/32 is 0.7813
        rate = super().__new__(cls, math.copysign(math.floor(abs(exact) * 10_000 + 0.5),
                                                  exact) / 10_000)
        rate.exact = exact
        return rate


def _rate(num: int | None, den: int | None) -> float | None:
    """A fraction between 0 and 1 (a Rate), or None when there is nothing to divide by."""
    return None if not den else Rate((num or 0) / den)


def _hundredths(seconds: int, parts: int = 1) -> float:
    """`seconds` / `parts` seconds as days to 2 decimals, half away from zero as a clerk
    (and Excel's ROUND) rounds, exactly: a handling time is a whole number of seconds
    (its days carry julianday's noise: 4 d 36 min read 4.02499999… and came out 4.02;
    round() also halved to even, 4.125 days 4.12)."""
    whole = (200 * abs(seconds) + 86400 * parts) // (172800 * parts)
    return math.copysign(whole, seconds) / 100


def _seconds(days: float) -> int:
    """A handling time's whole seconds, from its days as stored."""
    return round(days * 86400)


def summary_stats(values: list[float]) -> dict[str, float | None]:
    """Mean, median and p90 (nearest rank: the ceil(0.9 n)-th smallest), in days."""
    if not values:
        return {"mean": None, "median": None, "p90": None}
    v = sorted(map(_seconds, values))
    n = len(v)
    median = _hundredths(v[n // 2]) if n % 2 else _hundredths(v[n // 2 - 1] + v[n // 2], 2)
    return {"mean": _hundredths(sum(v), n), "median": median,
            "p90": _hundredths(v[max(0, math.ceil(0.9 * n) - 1)])}


def _severity_rank(row: tuple[Any, int]) -> int:
    """critical first, low last (a severity the table does not know after them)."""
    return SEVERITIES.index(row[0]) if row[0] in SEVERITIES else len(SEVERITIES)


def _shares(rows: list[tuple[Any, int]], total: int) -> list[dict[str, Any]]:
    return [{"key": k if k is not None else "(none)", "count": c, "share": _rate(c, total)}
            for k, c in rows]


def _name_shares(rows: list[tuple[Any, int]], total: int, loose: bool
                 ) -> list[dict[str, Any]]:
    """_shares of a breakdown by customer (`loose`) or product, the spellings the repeat
    check takes as one name (ACME Ltd. and Acme Ltd; XD-200, xd200 and XD 200) counted
    as one: under the spelling counted most (of two as many, the first in order), every
    spelling in `spellings`, that one first (none for no name). A Pareto split by
    spelling misled."""
    groups: dict[str | None, list[tuple[Any, int]]] = {}
    for k, n in rows:
        groups.setdefault(None if k is None else name_key(k, loose), []).append((k, n))
    merged = []
    for members in groups.values():
        members.sort(key=lambda kv: (-kv[1], str(kv[0])))
        merged.append((members[0][0], sum(n for _k, n in members), [k for k, _n in members]))
    merged.sort(key=lambda r: (-r[1], r[0] is not None, str(r[0] or "")))
    out = _shares([(k, n) for k, n, _s in merged], total)
    for row, (_k, _n, spellings) in zip(out, merged, strict=True):
        row["spellings"] = [k for k in spellings if k is not None]
    return out


def _pareto(rows: list[tuple[Any, int]]) -> list[dict[str, Any]]:
    """Sorted by count, largest first, with the running share of the total."""
    total = sum(c for _, c in rows)
    out, running = [], 0
    for k, c in sorted(rows, key=lambda r: (-r[1], r[0] is None, str(r[0]))):  # (none) last
        running += c
        out.append({"key": k if k is not None else "(none)", "count": c,
                    "share": _rate(c, total), "cumulative_share": _rate(running, total)})
    return out


# --- the queries -------------------------------------------------------------------

class Report:
    """The figures of one period, read from an open ledger connection."""

    def __init__(self, conn: sqlite3.Connection, tz: tzinfo, period: Period,
                 as_of: datetime, currency: str, *, register: bool | None = None,
                 rollups: bool = True):
        """`register`: include the register (default: for periods of up to
        REGISTER_DAYS days). `rollups`: False reads every figure from the rows (the
        slow reference path the tests compare the rollups with)."""
        self.conn = conn
        self.with_register = (register if register is not None
                              else (period.last - period.first).days < REGISTER_DAYS)
        self.register_asked = register is not None  # (left out on request, or by length)
        self.rollups = rollups
        self.tz = tz
        self.period = period
        self.currency = currency
        start, end = period.bounds(tz)
        self.lo = iso(start)
        # The cut-off, as shown and for what is late at it; what is counted is what
        # happened up to the instant as_of included (`< hi`: stored instants are whole
        # seconds), as what is replayed at it (`<= :t`): a report as of now counts the
        # step recorded in this very second, which it left out.
        self.end_at = iso(min(end, as_of))
        self.hi = iso(min(end, as_of + _SECOND))
        self.as_of = iso(as_of)
        self._as_of_hi = iso(as_of + _SECOND)
        # the last day counted: the period's, or the instant's when that comes first
        self.last_day = min(period.last, as_of.astimezone(tz).date())
        self._replay: bool | None = None
        self._voided: dict[str, dict[Any, int]] | None = None
        self._left_out: bool | None = None  # whether a voided import batch is left out
        self._long_cache: dict[str, bool] = {}
        # None: choose by the period's length (`_long`); True/False: the tests' choice
        self.by_index: bool | None = None

    def _run(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Every query of the report: in a ledger with a voided import batch, through
        `_leaving_out` (asked once, inside the report's snapshot)."""
        if self._left_out is None:
            self._left_out = bool(self.conn.execute(
                f"SELECT EXISTS ({_VOIDED_BATCHES})").fetchone()[0])
        return self.conn.execute(_leaving_out(sql) if self._left_out else sql, params)

    def _one(self, sql: str, *params: Any) -> Any:
        return self._run(sql, params).fetchone()[0]

    def _all(self, sql: str, *params: Any) -> list[tuple]:
        return self._run(sql, params).fetchall()

    def _then(self, sql: str, **params: Any) -> list[tuple]:
        """Rows of `sql` in which {name} stands for _THEN[name] at the report's instant."""
        return self._run(sql.format(**_THEN), {**params, "t": self.as_of}).fetchall()

    @property
    def replay(self) -> bool:
        """Whether a step was recorded after the report's instant: then the complaints'
        columns hold later facts, and what was true at the instant is replayed (read
        inside the report's snapshot; one index probe per kind of step)."""
        if self._replay is None:
            self._replay = bool(self._one(
                f"SELECT EXISTS (SELECT 1 FROM events WHERE kind IN {_KINDS} AND at > ?)",
                self.as_of))
        return self._replay

    def _tallied(self, measure: str, count: str, lo: str, hi: str) -> int:
        """`count` (SQL counting the rows in [?, ?)) over [lo, hi): the whole UTC days
        inside the span from day_tallies, the partial days at its ends by `count`.
        A year then costs one day's rows and a year's tallies, not a year's rows."""
        first, last = _whole_days(lo, hi)
        if first >= last:
            return self._one(count, lo, hi)
        whole = self._one("SELECT coalesce(sum(n), 0) FROM day_tallies WHERE measure = ? "
                          "AND day >= ? AND day < ?", measure, first, last)
        return (whole + self._one(count, lo, f"{first}T00:00:00Z")
                + self._one(count, f"{last}T00:00:00Z", hi))

    def _rolled(self, measure: str, rows: str, lo: str, hi: str, *extra: Any
                ) -> dict[Any, list[int]]:
        """{key: [n, ok]} of a day_rollups `measure` over [lo, hi): the whole UTC days
        from the rollups, the partial days at the ends by `rows` (SQL of the rows in
        [?, ?) grouped by key: key, n, ok; `extra` parameters follow the two).
        The key '' of a rollup (none) is None, as in the rows."""
        out: dict[Any, list[int]] = {}

        def add(found: list[tuple]) -> None:
            for key, n, ok in found:
                slot = out.setdefault(None if key == "" else key, [0, 0])
                slot[0] += n
                slot[1] += ok or 0

        first, last = _whole_days(lo, hi)
        if first >= last:
            add(self._all(rows, lo, hi, *extra))
            return out
        add(self._all("SELECT key, sum(n), sum(ok) FROM day_rollups WHERE measure = ? AND "
                      "day >= ? AND day < ? GROUP BY key", measure, first, last))
        add(self._all(rows, lo, f"{first}T00:00:00Z", *extra))
        add(self._all(rows, f"{last}T00:00:00Z", hi, *extra))
        return out

    def _received_by(self, column: str, measure: str) -> list[tuple[Any, int]]:
        """Complaints received in the period and not voided before the cut-off, by a
        column of theirs now, from the rollups: what they count, less those voided
        before the cut-off (few: read by their own index), in the order of
        `breakdown` (most first, then by key)."""
        rows = (f"SELECT {column}, count(*), 0 FROM complaints WHERE received_at >= ? AND "
                f"received_at < ? AND (voided_at IS NULL OR voided_at >= ?) GROUP BY 1")
        found = self._rolled(measure, rows, self.lo, self.hi, self.hi)
        # the rolled-up days count the voided too
        for key, n in self._voided_in_whole_days().get(measure, {}).items():
            found.setdefault(key, [0, 0])[0] -= n
        return sorted(((k, v[0]) for k, v in found.items() if v[0]),
                      key=lambda kv: (-kv[1], kv[0] is not None, kv[0] or ""))

    def _voided_in_whole_days(self) -> dict[str, dict[Any, int]]:
        """{measure: {key: n}} of the complaints received in the whole UTC days of the
        period and voided before the cut-off (few: read once, by their own index), for
        every measure of received complaints and the customer."""
        if self._voided is None:
            self._voided = {}
            first, last = _whole_days(self.lo, self.hi)
            if first < last:
                names = (*_RECEIVED_KEYS, "customer")
                found = self._all(
                    f"SELECT {', '.join(_RECEIVED_KEYS.values())}, customer FROM complaints "
                    "INDEXED BY complaints_voided WHERE voided_at IS NOT NULL AND received_at "
                    ">= ? AND received_at < ? AND voided_at < ?", f"{first}T00:00:00Z",
                    f"{last}T00:00:00Z", self.hi)
                for i, name in enumerate(names):
                    counts = self._voided[name] = {}
                    for row in found:
                        counts[row[i]] = counts.get(row[i], 0) + 1
        return self._voided

    def _long(self, measure: str) -> bool:
        """Whether the period holds at least LONG_SHARE of all the ledger's `measure`
        (a day_tallies measure) up to its cut-off."""
        if measure not in self._long_cache:
            count = {"received": "SELECT count(*) FROM complaints WHERE received_at >= ? AND "
                                 "received_at < ?",
                     "resolutions": "SELECT count(*) FROM resolutions WHERE at >= ? AND "
                                    "at < ?"}[measure]
            inside = self._tallied(measure, count, self.lo, self.hi) if self.hi > self.lo else 0
            every = self._one("SELECT coalesce(sum(n), 0) FROM day_tallies WHERE measure = ?",
                              measure)
            self._long_cache[measure] = bool(inside) and inside >= LONG_SHARE * every
        return self._long_cache[measure]

    def _index_way(self, measure: str) -> bool:
        """Whether a figure that must see every row of the period reads a whole index
        in its order instead: with the rollups, for a long period (`_long` of
        `measure`), or as the tests chose (`by_index`)."""
        return self.rollups and (self._long(measure) if self.by_index is None
                                 else self.by_index)

    # counts ---------------------------------------------------------------

    def received(self, lo: str, hi: str) -> int:
        """Complaints received in [lo, hi), leaving out those voided before the cut-off
        (logged by mistake)."""
        received = self._tallied("received", "SELECT count(*) FROM complaints WHERE "
                                 "received_at >= ? AND received_at < ?", lo, hi)
        return received - self._one(
            "SELECT count(*) FROM complaints WHERE voided_at IS NOT NULL AND received_at >= ? "
            "AND received_at < ? AND voided_at < ?", lo, hi, hi)

    def resolved(self, lo: str, hi: str) -> int:
        """Complaints with at least one resolution (customer told) in [lo, hi).

        Counted as the range's resolutions, less the later rounds whose round before
        is in the range too (reopens are few; a DISTINCT over a year of resolutions
        is not). Each later round keeps when the round before it was resolved."""
        total = self._tallied("resolutions", "SELECT count(*) FROM resolutions WHERE at >= ? "
                              "AND at < ?", lo, hi)
        again = self._one("SELECT count(*) FROM resolutions INDEXED BY resolutions_again "
                          "WHERE round > 1 AND at >= ? AND at < ? AND previous_at >= ?",
                          lo, hi, lo)
        return total - again

    def _revisit_moves(self, lo: str, hi: str | None) -> tuple[int, int]:
        """Revisits in [lo, hi) (hi None: after lo, to this day) that closed a resolved
        complaint, and that reopened a closed one (each counted on its own index).
        Each revisit records the states it moved the complaint from and to."""
        span = "at >= ? AND at < ?" if hi else "at > ?"
        params = (lo, hi) if hi else (lo,)
        closing = ("SELECT count(*) FROM revisits WHERE from_status = 'resolved' AND "
                   "to_status = 'closed' AND ")
        closes = (self._tallied("closing_revisits", closing + span, lo, hi) if hi
                  else self._tallied("closing_revisits", closing + "at >= ? AND at < ?",
                                     lo, _END) - self._one(closing + "at = ?", lo))
        reopens = self._one("SELECT count(*) FROM revisits WHERE from_status = 'closed' AND "
                            f"to_status = 'investigating' AND {span}", *params)
        return closes, reopens

    def closed(self, lo: str, hi: str) -> int:
        """Complaints that went from resolved to closed in [lo, hi): a satisfied (or
        basically satisfied) revisit, or close --no-revisit.

        A complaint closes twice only if a revisit reopened it from closed in
        between: those few are counted once."""
        closings, reopened_from_closed = self._revisit_moves(lo, hi)
        closings += self._one("SELECT count(*) FROM events WHERE kind = 'close' AND at >= ? "
                              "AND at < ?", lo, hi)
        if not reopened_from_closed:
            return closings
        twice = self._one(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT "
            "  (SELECT count(*) FROM revisits v WHERE v.complaint_id = x.cid AND v.at >= ? "
            "   AND v.at < ? AND v.from_status = 'resolved' AND v.to_status = 'closed')"
            "  + (SELECT count(*) FROM events e WHERE e.complaint_id = x.cid AND e.kind = "
            "   'close' AND e.at >= ? AND e.at < ?) AS n "
            "  FROM (SELECT DISTINCT complaint_id AS cid FROM revisits WHERE at >= ? AND "
            "  at < ? AND from_status = 'closed' AND to_status = 'investigating') x) "
            "WHERE n > 1", lo, hi, lo, hi, lo, hi)
        return closings - twice

    def voided(self, lo: str, hi: str) -> int:
        """Complaints voided (logged by mistake) in [lo, hi)."""
        return self._one("SELECT count(*) FROM events WHERE kind = 'void' AND at >= ? "
                         "AND at < ?", lo, hi)

    def counts(self, lo: str, hi: str) -> dict[str, int]:
        return {"received": self.received(lo, hi), "resolved": self.resolved(lo, hi),
                "closed": self.closed(lo, hi), "voided": self.voided(lo, hi)}

    def open_at(self, at: str) -> int:
        """Backlog: complaints open (logged to resolved) at an instant.

        Counted back from today's open complaints by undoing every change after the
        instant, so the cost follows the events since then, not the whole ledger.
        """
        open_now = self._one(f"SELECT count(*) FROM complaints WHERE status IN {OPEN}")
        received_after = self._tallied(
            "received", "SELECT count(*) FROM complaints WHERE received_at >= ? AND "
            "received_at < ?", at, _END) - self._one(
            "SELECT count(*) FROM complaints WHERE received_at = ?", at)
        closes, reopens = self._revisit_moves(at, None)
        closes += self._one("SELECT count(*) FROM events WHERE kind = 'close' AND at > ?", at)
        voids = self._one("SELECT count(*) FROM events WHERE kind = 'void' AND at > ?", at)
        return open_now - (received_after - closes + reopens - voids)

    # breakdowns ---------------------------------------------------------

    def breakdown(self, column: str) -> list[tuple[Any, int]]:
        """Complaints received in the period, counted by one field (the department: the
        one assigned at the report's instant)."""
        if self.rollups and column in ROLLED_UP and not (column in _THEN and self.replay):
            return self._received_by(column, column)
        if column in _THEN and self.replay:
            return self._then(
                f"SELECT x, count(*) AS n FROM (SELECT {{{column}}} AS x FROM complaints c "
                "WHERE c.received_at >= :lo AND c.received_at < :hi AND (c.voided_at IS NULL "
                "OR c.voided_at >= :hi)) GROUP BY x ORDER BY n DESC, x", lo=self.lo, hi=self.hi)
        if column == "customer" and self._index_way("received"):
            return self._customers()
        return self._all(
            f"SELECT {column}, count(*) AS n FROM complaints WHERE received_at >= ? AND "
            "received_at < ? AND (voided_at IS NULL OR voided_at >= ?) "
            f"GROUP BY {column} ORDER BY n DESC, {column}", self.lo, self.hi, self.hi)

    def _customers(self) -> list[tuple[Any, int]]:
        """`breakdown("customer")` of a long period: the index of customers read whole in
        their order (no sort of the period's rows), less the voided of the whole days
        (`_voided_in_whole_days`) and of the partial days at the ends (by their rows)."""
        found = dict(self._all(
            "SELECT customer, count(*) FROM complaints INDEXED BY complaints_repeat WHERE "
            "received_at >= ? AND received_at < ? GROUP BY customer", self.lo, self.hi))
        first, last = _whole_days(self.lo, self.hi)
        voided = dict(self._voided_in_whole_days().get("customer", {})) if first < last else {}
        ends = ((self.lo, self.hi),) if first >= last else (
            (self.lo, f"{first}T00:00:00Z"), (f"{last}T00:00:00Z", self.hi))
        for lo, hi in ends:
            for key, n in self._all(
                    "SELECT customer, count(*) FROM complaints WHERE received_at >= ? AND "
                    "received_at < ? AND voided_at < ? GROUP BY 1", lo, hi, self.hi):
                voided[key] = voided.get(key, 0) + n
        for key, n in voided.items():
            found[key] -= n
        return sorted(((k, n) for k, n in found.items() if n),
                      key=lambda kv: (-kv[1], kv[0] is not None, kv[0] or ""))

    def cause_categories(self) -> list[tuple[Any, int]]:
        """Cause categories of investigations concluded in the period (each complaint's
        cause category at the report's instant), and under None those concluded without
        one (a register imported without 原因类别, a cause typed alone, a not-upheld
        decision without one): every complaint concluded in the period, once, as the
        not-upheld rate counts them; the Pareto's shares are of all of them."""
        if self.rollups and not self.replay:
            found = self._rolled("cause", "SELECT cause_category, count(*), 0 FROM complaints "
                                 "WHERE concluded_at >= ? AND concluded_at < ? AND "
                                 "cause_category IS NOT NULL GROUP BY 1", self.lo, self.hi)
            rows = [(k, v[0]) for k, v in found.items() if v[0]]
            none = self._one(f"SELECT count(*) FROM complaints INDEXED BY "
                             f"complaints_uncategorised WHERE {_UNCATEGORISED}",
                             self.lo, self.hi)
            return sorted(rows, key=lambda kv: str(kv[0])) + ([(None, none)] if none else [])
        if self.replay:
            return self._then(
                "SELECT x, count(*) FROM (SELECT {cause_category} AS x FROM complaints c "
                "WHERE c.concluded_at >= :lo AND c.concluded_at < :hi) GROUP BY x",
                lo=self.lo, hi=self.hi)
        return self._all("SELECT cause_category, count(*) FROM complaints WHERE "
                         "concluded_at >= ? AND concluded_at < ? GROUP BY cause_category",
                         self.lo, self.hi)

    def handling_days(self) -> Iterator[tuple[str, str | None, float]]:
        """(category, department at the report's instant, days) of every complaint with
        a resolution in the period: what `handling` gives without the id, read in one
        pass over handling_times (one row per resolution, the days already computed),
        leaving out each resolution whose next round is in the period too. Replayed
        from the steps (`handling`) when a department may have changed since the
        instant."""
        if not self.rollups or self.replay:
            for _cid, category, department, days in self.handling():
                yield category, department, days
            return
        yield from self._run(
            "SELECT category, department, days FROM handling_times WHERE at >= ? AND at < ? "
            "AND (next_at IS NULL OR next_at >= ?)", (self.lo, self.hi, self.hi))

    def handling_by_index(self) -> tuple[dict[str, Any], dict[Any, dict[str, Any]],
                                         dict[Any, dict[str, Any]]]:
        """The handling-time figures of `handling_days` (overall: mean, median, p90 and
        count; by category and by department: count, mean, median, p90),
        read through the indexes of handling_times in the order of their days: counts
        and sums by category and by department in one pass each, a median or p90 by
        stepping the index to its rank, no row of the period brought into Python. Each
        mean is the one `summary_stats` gives (whole seconds, summed exactly)."""
        span = "at >= ? AND at < ? AND (next_at IS NULL OR next_at >= ?)"
        params = (self.lo, self.hi, self.hi)

        def groups(column: str) -> dict[Any, tuple[int, int]]:
            # (the sum of whole seconds: exact, in any order; summary_stats's)
            return {key: (n, total) for key, n, total in self._all(
                f"SELECT {column}, count(*), sum(CAST(round(days * 86400) AS INTEGER)) "
                f"FROM handling_times INDEXED BY handling_times_{column} WHERE {span} "
                f"GROUP BY {column}", *params)}

        def stats(index: str, where: str, extra: tuple[Any, ...], n: int, total: int
                  ) -> dict[str, Any]:
            def ranked(limit: int, offset: int, order: str = "") -> list[int]:
                return [_seconds(d) for (d,) in self._all(
                    f"SELECT days FROM handling_times INDEXED BY {index} WHERE {span}{where} "
                    f"ORDER BY days{order} LIMIT ? OFFSET ?", *params, *extra, limit, offset)]

            if n % 2:
                median = _hundredths(ranked(1, n // 2)[0])
            else:
                median = _hundredths(sum(ranked(2, n // 2 - 1)), 2)
            # the k-th smallest is the (n - 1 - k)-th largest: step from the nearer end
            p90 = ranked(1, n - max(0, math.ceil(0.9 * n) - 1) - 1, " DESC")[0]
            return {"mean": _hundredths(total, n), "median": median, "p90": _hundredths(p90),
                    "count": n}

        def by(column: str) -> tuple[dict[Any, tuple[int, int]], dict[Any, dict[str, Any]]]:
            found = groups(column)
            return found, {key: {"count": n, **{k: v for k, v in stats(
                f"handling_times_{column}", f" AND {column} IS ?", (key,), n, total
            ).items() if k != "count"}} for key, (n, total) in found.items()}

        categories, by_cat = by("category")
        _departments, by_dept = by("department")
        n = sum(c[0] for c in categories.values())
        if not n:
            return {**summary_stats([]), "count": 0}, by_cat, by_dept
        overall = stats("handling_times_days", "", (), n,
                        sum(c[1] for c in categories.values()))
        return overall, by_cat, by_dept

    def on_time_by_department(self, department_of: dict[str, Any] | None = None
                              ) -> dict[Any, tuple[int, int]]:
        """Resolve-stage completions in the period, and how many by their deadline, by
        the complaint's department at the report's instant (`department_of`: id ->
        department, needed only when replayed)."""
        if self.rollups and not self.replay:
            found = self._rolled(
                "resolve_done", "SELECT c.department, count(*), sum(s.done_at <= s.due_at) "
                "FROM stages s JOIN complaints c ON c.id = s.complaint_id WHERE s.done_at >= ? "
                "AND s.done_at < ? AND s.outcome = 'done' AND s.stage = 'resolve' GROUP BY 1",
                self.lo, self.hi)
            return {d: (n, ok or 0) for d, (n, ok) in found.items() if n}
        if department_of is None:
            department_of = {cid: dept for cid, _cat, dept, _days in self.handling()}
        dept_done: dict[Any, list[int]] = {}
        for cid, ok in self.resolve_completions():
            dept_done.setdefault(department_of.get(cid), []).append(ok)
        return {d: (len(v), sum(v)) for d, v in dept_done.items()}

    def handling(self) -> list[tuple[str, str, str | None, float]]:
        """Handling time in calendar days, for complaints with a resolution in the period:
        from received to their latest resolution in the period. One row per complaint:
        (id, category, department at the report's instant, days)."""
        if self.replay:
            return self._then(
                "SELECT c.id, c.category, {department}, "
                "julianday(max(r.at)) - julianday(c.received_at) "
                "FROM resolutions r JOIN complaints c ON c.id = r.complaint_id "
                "WHERE r.at >= :lo AND r.at < :hi GROUP BY r.complaint_id",
                lo=self.lo, hi=self.hi)
        return self._all(
            "SELECT c.id, c.category, c.department, "
            "julianday(max(r.at)) - julianday(c.received_at) "
            "FROM resolutions r JOIN complaints c ON c.id = r.complaint_id "
            "WHERE r.at >= ? AND r.at < ? GROUP BY r.complaint_id", self.lo, self.hi)

    def on_time(self) -> list[tuple[str, int, int]]:
        """Stage completions in the period, and how many by their deadline (inclusive).
        A resolve after a reopen is a completion of the resolve stage."""
        if self.rollups:
            found = self._rolled("stage_done", "SELECT stage, count(*), sum(done_at <= due_at) "
                                 "FROM stages WHERE done_at >= ? AND done_at < ? AND "
                                 "outcome = 'done' GROUP BY stage", self.lo, self.hi)
            return [(k, v[0], v[1]) for k, v in sorted(found.items()) if v[0]]
        return self._all("SELECT stage, count(*), sum(done_at <= due_at) FROM stages "
                         "WHERE done_at >= ? AND done_at < ? AND outcome = 'done' "
                         "GROUP BY stage", self.lo, self.hi)

    def resolve_completions(self) -> list[tuple[str, int]]:
        """Resolve-stage completions in the period: (complaint id, done by its deadline)."""
        return self._all("SELECT complaint_id, done_at <= due_at FROM stages WHERE "
                         "done_at >= ? AND done_at < ? AND outcome = 'done' AND "
                         "stage = 'resolve'", self.lo, self.hi)

    def late_at_end(self) -> int:
        """Stages (complaints and returns) past their deadline and not done at the cut-off:
        done at `hi` or after, as the period's completions (`< hi`) do not count it (one
        done at the very first second of the next month was neither done in the month
        nor late at its end)."""
        at = self.end_at
        still_open = self._one("SELECT count(*) FROM stages WHERE done_at IS NULL AND "
                               "due_at < ?", at)
        # (due before the cut-off and done after it: done late, among few)
        done_later = self._one("SELECT count(*) FROM stages INDEXED BY stages_done_late WHERE "
                               "done_at > due_at AND done_at >= ? AND due_at < ? AND "
                               "started_at <= ?", self.hi, at, at)
        return still_open + done_later

    def satisfaction(self) -> tuple[int, int]:
        """Revisits in the period, and how many satisfied or basically satisfied (the
        customer's answer, SPEC 7, whatever state the revisit moved the complaint to).

        Through rollups: the closing revisits (from resolved to closed) from the day
        tallies, the others and the unsatisfied each by their small index; every
        revisit has one of the three answers (schema.sql)."""
        if self.rollups:
            closing = self._tallied(
                "closing_revisits", "SELECT count(*) FROM revisits WHERE from_status = "
                "'resolved' AND to_status = 'closed' AND at >= ? AND at < ?", self.lo, self.hi)
            others = self._one(
                "SELECT count(*) FROM revisits INDEXED BY revisits_not_closing WHERE "
                "(from_status IS NOT 'resolved' OR to_status IS NOT 'closed') AND at >= ? AND "
                "at < ?", self.lo, self.hi)
            unsatisfied = self._one(
                "SELECT count(*) FROM revisits INDEXED BY revisits_unsatisfied WHERE "
                "satisfaction = 'unsatisfied' AND at >= ? AND at < ?", self.lo, self.hi)
            return closing + others, closing + others - unsatisfied
        n, ok = self._run(
            "SELECT count(*), coalesce(sum(satisfaction IN ('satisfied', "
            "'basically-satisfied')), 0) FROM revisits WHERE at >= ? AND at < ?",
            (self.lo, self.hi)).fetchone()
        return n, ok

    def reopened(self) -> int:
        """Complaints reopened (a revisit that sent them back to investigating) in the
        period."""
        return self._one("SELECT count(DISTINCT complaint_id) FROM revisits INDEXED BY "
                         "revisits_reopened WHERE to_status = 'investigating' AND at >= ? AND "
                         "at < ?", self.lo, self.hi)

    def repeats(self) -> int:
        """Complaints received in the period that repeat an earlier one (at the report's
        instant)."""
        if self.rollups:
            found = self._received_by("CASE WHEN repeat_of IS NOT NULL THEN 'yes' END",
                                      "repeats")
            now = sum(n for k, n in found if k == "yes")
        else:
            now = self._one("SELECT count(*) FROM complaints WHERE received_at >= ? AND "
                            "received_at < ? AND (voided_at IS NULL OR voided_at >= ?) AND "
                            "repeat_of IS NOT NULL", self.lo, self.hi, self.hi)
        return now + self._unlinked_since()

    def _unlinked_since(self) -> int:
        """The complaints received in the period (and not voided by its cut-off) that
        repeat none now only because the complaint they repeated was voided after the
        cut-off: at the report's instant they were repeats (a report as of 25 November
        counted the repeat of a complaint voided on the 30th no more, and that complaint
        still). From the links as they were stored (under the repeat window of their
        day), each unlinked by a `repeat-link` step after the instant whose old value is
        a complaint voided after the cut-off, of the same customer and product still (an
        amendment since corrects the past too, as intake fields do); a link made since
        is not taken off (it follows the received times, as the counts do: an import
        links its rows at its own time), and nothing of a voided import batch counts.
        Read by the steps' kind and time: none for a report as of now."""
        return self._one(
            "SELECT count(DISTINCT x.id) FROM events e INDEXED BY events_kind_at JOIN "
            "complaints x ON x.id = e.complaint_id JOIN complaints y ON y.id = CASE WHEN "
            "json_valid(e.old) THEN json_extract(e.old, '$.repeat_of') END WHERE e.kind = "
            "'repeat-link' AND e.at > ? AND y.voided_at >= ? AND y.repeat_key = "
            "x.repeat_key AND x.repeat_of IS NULL AND x.received_at >= ? AND x.received_at "
            "< ? AND (x.voided_at IS NULL OR x.voided_at >= ?)",
            self.as_of, self.hi, self.lo, self.hi, self.hi)

    def concluded(self) -> tuple[int, int]:
        """Investigations concluded in the period, and how many found not upheld (at the
        report's instant)."""
        if self.rollups and not self.replay:
            found = self._rolled("validity", "SELECT validity, count(*), 0 FROM complaints "
                                 "WHERE concluded_at >= ? AND concluded_at < ? GROUP BY 1",
                                 self.lo, self.hi)
            return (sum(v[0] for v in found.values()),
                    found.get("not-upheld", [0])[0])
        if self.replay:
            n, no = self._then(
                "SELECT count(*), coalesce(sum(x = 'not-upheld'), 0) FROM (SELECT {validity} "
                "AS x FROM complaints c WHERE c.concluded_at >= :lo AND c.concluded_at < :hi)",
                lo=self.lo, hi=self.hi)[0]
            return n, no
        n, no = self._run(
            "SELECT count(*), coalesce(sum(validity = 'not-upheld'), 0) FROM complaints "
            "WHERE concluded_at >= ? AND concluded_at < ?", (self.lo, self.hi)).fetchone()
        return n, no

    def capa(self) -> dict[str, int]:
        """CAPA items opened, done and verified in the period; late: past due and not
        done at the cut-off."""
        lo, hi = self.lo, self.hi
        return {
            "opened": self._one("SELECT count(*) FROM actions WHERE created_at >= ? AND "
                                "created_at < ?", lo, hi),
            "done": self._one("SELECT count(*) FROM actions WHERE done_at >= ? AND done_at < ?",
                              lo, hi),
            "verified": self._one("SELECT count(*) FROM actions WHERE verified_at >= ? AND "
                                  "verified_at < ?", lo, hi),
            # an item is due after it was created, so due before the cut-off means
            # created before it; at its due instant it is not late yet, as a stage is
            # not (late_at_end: it was counted late at that very second)
            "late": self._one("SELECT count(*) FROM actions WHERE done_at IS NULL AND "
                              "due_at < ?", self.end_at)
            + self._one("SELECT count(*) FROM actions INDEXED BY actions_done_late WHERE "
                        "done_at > due_at AND done_at >= ? AND due_at < ?", self.hi,
                        self.end_at),
        }

    def returns(self) -> dict[str, Any]:
        """Returns authorised in the period; units received in it; returns whose count
        changed in it (their receipts in it, corrections included, do not net to none)
        and whose count at the cut-off differs from what was authorised (a count
        corrected to none is no discrepancy, as returns.discrepancy has it);
        quantity by disposition, cost of loss and repair cost of dispositions in it.

        A discrepancy is counted in the period its count changed in: a receipt typed
        wrong (1000 for none) and corrected back in the same period (the correction
        dated at the receipt it restates) received nothing there, and its shortfall,
        counted in the period the goods came, is not counted again."""
        lo, hi = self.lo, self.hi
        authorised, authorised_qty = self._run(
            "SELECT count(*), coalesce(sum(authorised_qty), 0) FROM returns WHERE "
            "opened_at >= ? AND opened_at < ?", (lo, hi)).fetchone()
        received = self._one("SELECT coalesce(sum(qty), 0) FROM return_receipts WHERE "
                             "at >= ? AND at < ?", lo, hi)
        # (the count changed in [lo, hi): its receipts there do not net to none; a sum of
        # none is NULL, no change either)
        changed = ("(SELECT sum(qty) FROM return_receipts x WHERE x.return_id = r.id AND "
                   "x.at >= ? AND x.at < ?) != 0")
        discrepancy = (
            "SELECT count(*) FROM returns r WHERE r.id IN (SELECT return_id FROM "
            "return_receipts WHERE at >= ? AND at < ? GROUP BY return_id HAVING sum(qty) != 0) "
            "AND r.authorised_qty != (SELECT nullif(sum(qty), 0) FROM return_receipts x WHERE "
            "x.return_id = r.id AND x.at < ?)")
        if self._index_way("received"):
            # A long period: a return with no receipt from the cut-off on had received
            # its received_qty by then (the sum of its receipts; verify checks it), so
            # only the returns short of or over what was authorised are looked at; the
            # few with later receipts are counted from their receipts.
            later = "SELECT return_id FROM return_receipts WHERE at >= ?"
            discrepancies = self._one(
                "SELECT count(*) FROM returns r NOT INDEXED WHERE r.received_qty != "
                f"r.authorised_qty AND r.received_qty != 0 AND r.id NOT IN ({later}) AND "
                f"{changed}", hi, lo, hi) + self._one(
                f"SELECT count(*) FROM returns r WHERE r.id IN ({later}) AND {changed} "
                "AND r.authorised_qty != (SELECT nullif(sum(qty), 0) FROM return_receipts x "
                "WHERE x.return_id = r.id AND x.at < ?)", hi, lo, hi, hi)
        else:
            discrepancies = self._one(discrepancy, lo, hi, hi)
        split = []
        action = self._one("SELECT min(action) FROM return_dispositions")
        while action is not None:  # each action's span of its index, in the actions' order
            qty, loss, repair = self._run(
                "SELECT sum(qty), sum(cost_of_loss), sum(repair_cost) FROM return_dispositions "
                "INDEXED BY return_dispositions_action WHERE action = ? AND at >= ? AND at < ?",
                (action, lo, hi)).fetchone()
            if qty is not None:
                split.append((action, qty, loss, repair))
            action = self._one("SELECT min(action) FROM return_dispositions WHERE action > ?",
                               action)
        return {"authorised": authorised, "authorised_quantity": authorised_qty,
                "quantity_received": received, "discrepancies": discrepancies,
                # the most first, as every breakdown (the codes' order read as none in
                # Chinese), as many in the procedure's order (rework, repair, scrap …)
                "by_disposition": [{"key": a, "quantity": q} for a, q, _, _ in sorted(
                    split, key=lambda x: (-x[1], _ACTION_PLACE.get(x[0], 99), x[0]))],
                "cost_of_loss": format_money(sum(x[2] for x in split)),
                "repair_cost": format_money(sum(x[3] for x in split)),
                "currency": self.currency}

    def paid(self) -> dict[str, Any]:
        """What the period's resolutions paid or credited the customers (an amount: a
        refund, a discount, compensation), in all and by disposition, the most first;
        each round's resolution counted on its day (a reopened complaint's second offer
        is another payment). Exact: summed in cents. `without_amount`: the refunds,
        discounts and compensation recorded with no amount (an imported register's),
        which the total cannot hold."""
        rows = self._all("SELECT disposition, count(amount), sum(amount), count(*) - "
                         "count(amount) FROM resolutions INDEXED BY resolutions_paid WHERE "
                         f"(amount IS NOT NULL OR disposition IN {_PAID_SQL}) AND at >= ? "
                         "AND at < ? GROUP BY disposition", self.lo, self.hi)
        paid = sorted((r[:3] for r in rows if r[1]), key=lambda r: (-r[2], r[0]))
        return {"count": sum(r[1] for r in paid),
                "amount": format_money(sum(r[2] for r in paid)), "currency": self.currency,
                "by_disposition": [{"key": d, "count": n, "amount": format_money(total)}
                                   for d, n, total in paid],
                "without_amount": sum(r[3] for r in rows)}

    def voided_imports(self) -> list[dict[str, Any]]:
        """The voided import batches, left out of every figure (`_LEAVING_OUT`): each
        batch's id, when it was voided, how many complaints it had brought in, and how
        many complaints of other batches not void it gave new steps (a newer copy's: those
        steps stay, and count with their complaints; its import-void event names them).
        A batch voided before that event was written: the batch's own count of them."""
        return [{"batch": batch, "voided_at": at, "complaints": n, "gave_steps_to": given}
                for batch, at, n, given in self.conn.execute(
                    "SELECT b.id, b.voided_at, (SELECT count(*) FROM complaints c WHERE "
                    "c.import_batch = b.id), CASE WHEN EXISTS (SELECT 1 FROM events e "
                    "WHERE e.complaint_id IS NULL AND e.kind = 'import-void' AND "
                    "json_extract(e.data, '$.batch') = b.id) THEN (SELECT count(*) FROM "
                    "events e, json_each(e.data, '$.kept') k JOIN complaints c ON c.id = "
                    "k.value WHERE e.complaint_id IS NULL AND e.kind = 'import-void' AND "
                    "json_extract(e.data, '$.batch') = b.id AND (c.import_batch IS NULL OR "
                    f"c.import_batch NOT IN ({_VOIDED_BATCHES}))) ELSE b.updated END FROM "
                    "import_batches b WHERE b.voided_at IS NOT NULL ORDER BY b.id")]

    def register(self) -> list[dict[str, Any]]:
        """One line per complaint received in the period (月报表): received and closed
        dates, customer, product, quantity, disposition and result, and the department
        and owner, all as they were at the report's instant."""
        if self.replay:
            return self._register_then()
        # (the closing revisit's satisfaction as its code beside the result that says it:
        # a BI job parsed "closed (basically-satisfied)" for it)
        cur = self._run(
            "SELECT id, received_at, closed_at, customer, product, quantity, disposition, "
            "status, CASE WHEN status = 'closed' AND satisfaction IS NOT NULL "
            "AND (SELECT max(v.at) FROM revisits v WHERE v.complaint_id = c.id) >= closed_at "
            "THEN satisfaction END AS said, department, owner "
            "FROM complaints c WHERE received_at >= ? AND received_at < ? "
            "ORDER BY received_at, id", (self.lo, self.hi))
        return [{"id": cid, "received_at": received, "closed_at": closed, "customer": customer,
                 "product": product, "quantity": quantity, "disposition": disposition,
                 "status": status, "result": f"{status} ({said})" if said else status,
                 "satisfaction": said, "department": department, "owner": owner}
                for (cid, received, closed, customer, product, quantity, disposition, status,
                     said, department, owner) in cur]

    def _register_then(self) -> list[dict[str, Any]]:
        """The register replayed to the report's instant (the same lines, keys and order
        as `register` reads from the complaints' columns)."""
        rows = self._then(
            "SELECT c.id, c.received_at, c.customer, c.product, c.quantity, {status}, "
            "{disposition}, {satisfaction}, {last_revisit}, {department}, {owner}, "
            "{closing_revisit}, {close_event} FROM complaints c WHERE c.received_at >= :lo AND "
            "c.received_at < :hi ORDER BY c.received_at, c.id", lo=self.lo, hi=self.hi)
        out = []
        for (cid, received, customer, product, quantity, status, disposition, satisfaction,
             last_revisit, department, owner, closing_revisit, close_event) in rows:
            closed_at = max(filter(None, (closing_revisit, close_event)), default=None) \
                if status == "closed" else None
            # the satisfaction of a revisit at or after the closing (not of the one that
            # reopened it before a close without a revisit)
            said = closed_at is not None and satisfaction and last_revisit >= closed_at
            out.append({
                "id": cid, "received_at": received, "closed_at": closed_at,
                "customer": customer, "product": product, "quantity": quantity,
                "disposition": disposition, "status": status,
                "result": f"{status} ({satisfaction})" if said else status,
                "satisfaction": satisfaction if said else None,
                "department": department, "owner": owner})
        return out

    # assembly -------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        """Every figure, all read from one snapshot of the ledger (a write that lands
        half-way through is in none of them)."""
        if self.conn.in_transaction:
            return self._build()
        self.conn.execute("BEGIN")
        try:
            return self._build()
        finally:
            self.conn.execute("COMMIT")

    def _build(self) -> dict[str, Any]:
        lo, hi = self.lo, self.hi
        # the history this report was made from: `verify --head HASH` checks it is still there
        head_id, head_hash = chain_head(self.conn.cursor())
        counts = self.counts(lo, hi)
        received = counts["received"]
        # open just before the period's first instant and at its last (open_at counts what
        # happened at its instant: the period is [lo, hi)); an instant before the period:
        # nothing after it is known, the backlog then included
        start_backlog = self.open_at(_second_before(min(lo, hi)))
        end_backlog = self.open_at(_second_before(hi))
        department_of: dict[str, Any] | None = None
        if not self.replay and self._index_way("resolutions"):
            overall, by_cat, by_dept = self.handling_by_index()
        else:
            by_dept_handling: dict[Any, list[float]] = {}
            by_cat_handling: dict[Any, list[float]] = {}
            all_days: list[float] = []
            if self.rollups and not self.replay:
                for cat, dept, days in self.handling_days():
                    by_cat_handling.setdefault(cat, []).append(days)
                    by_dept_handling.setdefault(dept, []).append(days)
                    all_days.append(days)
            else:
                department_of = {}
                for cid, cat, dept, days in self.handling():
                    by_cat_handling.setdefault(cat, []).append(days)
                    by_dept_handling.setdefault(dept, []).append(days)
                    all_days.append(days)
                    department_of[cid] = dept
            overall = {**summary_stats(all_days), "count": len(all_days)}
            by_cat = {k: {"count": len(v), **summary_stats(v)}
                      for k, v in by_cat_handling.items()}
            by_dept = {k: {"count": len(v), **summary_stats(v)}
                       for k, v in by_dept_handling.items()}
        # every stage's completions in the period and how many by their deadline (0, 0
        # for one none was done of: its rate null, stable keys)
        done = {stage: (n, ok or 0) for stage, n, ok in self.on_time()}
        stages_done = {s: done.get(s, (0, 0)) for s in STAGE_ORDER}
        # resolved and on time by department: the complaints resolved in the period are
        # the handling rows; a resolve-stage completion is one of their resolutions
        resolved_dept = {d: figures["count"] for d, figures in by_dept.items()}
        on_time_dept = self.on_time_by_department(department_of)
        departments = _shares(self.breakdown("department"), received)
        seen = {d["key"] for d in departments}
        # (departments that resolved complaints but received none in the period, by name)
        departments += [{"key": d, "count": 0, "share": _rate(0, received)}
                        for d in sorted(resolved_dept, key=lambda d: (d is None, d or ""))
                        if (d if d is not None else "(none)") not in seen]
        for d in departments:
            key = None if d["key"] == "(none)" else d["key"]
            d["resolved"] = resolved_dept.get(key, 0)
            # (the rate's own counts: a complaint reopened and resolved again in the
            # period is two resolves)
            d["resolves"], d["resolves_on_time"] = on_time_dept.get(key, (0, 0))
            d["on_time_rate"] = _rate(d["resolves_on_time"], d["resolves"])
            for k in ("mean", "median", "p90"):
                d[f"handling_days_{k}"] = by_dept[key][k] if key in by_dept else None
        revisits, satisfied = self.satisfaction()
        concluded, not_upheld = self.concluded()
        prev = self.period.previous()
        p_start, p_end = prev.bounds(self.tz)
        start, end = self.period.bounds(self.tz)
        # a period still running at the report's instant is compared with as much of the
        # one before (1-5 December with 1-5 November, not the whole month: -88.9 %), on
        # the clocks (aware times of one zone subtract and add as wall times: 12:00
        # against 12:00 across a change of the clocks, not an hour off)
        so_far = from_iso(self.hi).astimezone(self.tz) - start
        partial = from_iso(self.hi) < end and p_start + so_far < p_end  # (else all of it:
        # 31 March at noon against the whole of February)
        p_cut = p_start + so_far if partial else p_end
        p_lo, p_hi = iso(p_start), iso(p_cut)
        # what happened after the report's instant is not counted in the period before
        # either (an instant before that period leaves it empty)
        before = self.counts(p_lo, max(p_lo, min(p_hi, self._as_of_hi)))
        previous = {**before, **changes(counts, before),
                    "until": iso(p_cut - _SECOND) if partial else None}
        # (the year of the end: the period's last day, or the report's instant's when that
        # comes first; a period over New Year reported in December read "2026-01-01 to
        # 2025-12-28", all 0)
        ytd_lo = iso(datetime.combine(date(self.last_day.year, 1, 1), time(0), self.tz))
        categories = self.breakdown("category")
        return {
            "period": {"kind": self.period.kind, "from": self.period.first.isoformat(),
                       "to": self.period.last.isoformat(), "label": self.period.label,
                       "start_at": lo, "end_at": self.end_at, "as_of": self.as_of},
            "chain_head": {"id": head_id, "hash": head_hash},
            **counts,
            "backlog": {"start": start_backlog, "end": end_backlog,
                        "change": end_backlog - start_backlog},
            "by_category": _shares(categories, received),
            "by_channel": _shares(self.breakdown("channel"), received),
            # a scale, in its order (by count it read high, low, medium, critical)
            "by_severity": _shares(sorted(self.breakdown("severity"), key=_severity_rank),
                                   received),
            "by_product": _name_shares(self.breakdown("product"), received, False),
            "by_customer": _name_shares(self.breakdown("customer"), received, True),
            "by_department": departments,
            "pareto_category": _pareto(categories),
            "pareto_cause": _pareto(self.cause_categories()),
            "handling_days": {**overall,
                              # the most first, as every breakdown (the codes' order read
                              # as no order in Chinese)
                              "by_category": [{"key": k, **by_cat[k]} for k in sorted(
                                  by_cat, key=lambda k: (-by_cat[k]["count"], k))]},
            # every stage, null when none was done in the period (stable keys)
            "on_time_rate": {s: _rate(ok, n) for s, (n, ok) in stages_done.items()},
            # what each rate is of: the stages done in the period, and by their deadline
            "on_time": {s: {"done": n, "on_time": ok} for s, (n, ok) in stages_done.items()},
            "late_at_end": self.late_at_end(),
            "satisfaction_rate": _rate(satisfied, revisits),
            "revisits": revisits, "satisfied": satisfied,  # (what the rate is of)
            "reopened": (reopened := self.reopened()),
            "reopen_rate": _rate(reopened, counts["resolved"]),
            "repeat_rate": _rate(repeats := self.repeats(), received),
            "repeats": repeats,
            "not_upheld_rate": _rate(not_upheld, concluded),
            # (what the rate is of: investigations concluded in the period)
            "concluded": concluded, "not_upheld": not_upheld,
            "capa": self.capa(),
            "returns": self.returns(),
            "paid": self.paid(),
            "previous_period": {"from": prev.first.isoformat(), "to": prev.last.isoformat(),
                                **previous},
            "year_to_date": {"from": f"{self.last_day.year}-01-01",
                             "to": self.last_day.isoformat(), **self.counts(ytd_lo, hi)},
            "register": self.register() if self.with_register else [],
            "register_included": self.with_register,
            # why it is not there: "asked" (--no-register) or "long" (over a month)
            "register_left_out": None if self.with_register else
            "asked" if self.register_asked else "long",
            "voided_imports": self.voided_imports() if self._left_out else [],
        }


# The dispositions in which money is paid or credited, as SQL: the index resolutions_paid
# names the same (migration 18; a test holds the two alike).
_PAID_SQL = "(" + ", ".join(f"'{d}'" for d in PAYING) + ")"


def period_figures(conn: sqlite3.Connection, tz: tzinfo, period: Period,
                   as_of: datetime) -> dict[str, Any]:
    """The headline figures of one period, cheaply (a point of a trend): complaints
    received, resolved, closed and voided; the on-time rate of all stage completions
    and by stage; revisits and the satisfaction rate; what its resolutions paid. The
    same numbers as `Report.build()` for that period and instant, read from the day
    tallies and rollups for whole days and from the rows for the partial days at its
    ends (what was paid from its own small index), so the
    cost follows the number of days, not of complaints (a month of the 1M demo ledger
    reads about 30 rollup rows per measure). Call inside one read transaction for a
    consistent series."""
    rep = Report(conn, tz, period, as_of, "", register=False)
    # an instant before the period: nothing of it has happened yet
    lo, hi = rep.lo, max(rep.lo, rep.hi)
    counts = rep.counts(lo, hi)
    stages = rep.on_time() if hi > lo else []
    done, on_time = sum(n for _, n, _ in stages), sum(ok or 0 for _, _, ok in stages)
    revisits, satisfied = rep.satisfaction() if hi > lo else (0, 0)
    return {"from": period.first.isoformat(), "to": period.last.isoformat(),
            "start_at": rep.lo, "end_at": rep.end_at, **counts,
            "on_time_rate": _rate(on_time, done),
            "on_time_by_stage": {**dict.fromkeys(STAGE_ORDER),
                                 **{s: _rate(ok, n) for s, n, ok in stages}},
            "revisits": revisits, "satisfaction_rate": _rate(satisfied, revisits),
            "paid": rep.paid()["amount"]}


# --- 环比 and the trend (small additions; the report above is unchanged) -------------

def changes(now: dict[str, int], before: dict[str, int]) -> dict[str, float | None]:
    """环比: each count's change on the period before, as a fraction (None when the
    period before had none): received_change, resolved_change, closed_change,
    voided_change."""
    return {f"{k}_change": None if not before[k] else Rate((now[k] - before[k]) / before[k])
            for k in ("received", "resolved", "closed", "voided")}


def trend_point(conn: sqlite3.Connection, tz: tzinfo, period: Period, as_of: datetime
                ) -> dict[str, Any]:
    """One point of a trend: the period's counts as its report counts them, its on-time
    rate (every stage completed in it, by its deadline), satisfaction rate and what its
    resolutions paid (an amount as the report's `paid` gives it), all at `as_of` (what
    happened after it is not counted); from period_figures."""
    figures = period_figures(conn, tz, period, as_of)
    return {k: figures[k] for k in ("received", "resolved", "closed", "on_time_rate",
                                    "satisfaction_rate", "paid")}
