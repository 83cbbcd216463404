"""Per-day rollups and handling times (migration 14): what a report of a long period
adds up instead of reading every row.

The triggers of migration 14 keep `day_rollups` and `handling_times` with every
ordinary step. The bulk writer sets those triggers aside like the tally triggers,
counts what it writes as it goes and adds that once, at its end (`add_written`).
`verify` compares both tables with a recount from the rows (`problems`).

What each measure counts is said in schema.sql. Here are the same counts as
queries over the rows, one per measure: `{where}` restricts them to the rows a
bulk write added (rowid above a mark), or to nothing in a full recount.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from complaintctl.store import sql_order

# The triggers the bulk writer sets aside (and rebuilds) with the tally triggers.
TRIGGERS = ("rollup_complaint_logged", "rollup_complaint_changed", "rollup_department_changed",
            "rollup_handling_changed", "rollup_resolution", "rollup_stage_done",
            "rollup_stage_changed")

# The measures of complaints by the day they were received: a column's value each,
# and repeats (received_recount counts them all in one pass).
RECEIVED = ("category", "channel", "severity", "product", "department", "repeats")

# measure -> SQL of (day, key, n, ok) from the rows; {c}, {s}: conditions on the
# complaints' rowid and the stages' id.
_BY_RECEIVED = ("SELECT substr(received_at, 1, 10), coalesce({col}, ''), count(*), 0 "
                "FROM complaints WHERE {{c}} GROUP BY 1, 2")
RECOUNT = {
    **{col: _BY_RECEIVED.format(col=col)
       for col in RECEIVED[:-1]},
    "repeats": "SELECT substr(received_at, 1, 10), 'yes', count(*), 0 FROM complaints "
               "WHERE repeat_of IS NOT NULL AND {c} GROUP BY 1",
    "cause": "SELECT substr(concluded_at, 1, 10), cause_category, count(*), 0 FROM complaints "
             "WHERE concluded_at IS NOT NULL AND cause_category IS NOT NULL AND {c} "
             "GROUP BY 1, 2",
    "validity": "SELECT substr(concluded_at, 1, 10), coalesce(validity, ''), count(*), 0 "
                "FROM complaints WHERE concluded_at IS NOT NULL AND {c} GROUP BY 1, 2",
    "stage_done": "SELECT substr(done_at, 1, 10), stage, count(*), sum(done_at <= due_at) "
                  "FROM stages WHERE outcome = 'done' AND {s} GROUP BY 1, 2",
    "resolve_done": "SELECT substr(s.done_at, 1, 10), coalesce(c.department, ''), count(*), "
                    "sum(s.done_at <= s.due_at) FROM stages s JOIN complaints c ON "
                    "c.id = s.complaint_id WHERE s.stage = 'resolve' AND s.outcome = 'done' "
                    "AND {s} GROUP BY 1, 2",
}

# handling_times as the rows say it should be; {r}: a condition on the resolutions' id.
HANDLING = ("SELECT r.at, r.complaint_id, r.round, julianday(r.at) - julianday(c.received_at), "
            "c.category, c.department, (SELECT x.at FROM resolutions x WHERE x.complaint_id = "
            "r.complaint_id AND x.round = r.round + 1) FROM resolutions r JOIN complaints c "
            "ON c.id = r.complaint_id WHERE {r}")


def marks(cur: sqlite3.Cursor) -> tuple[int, ...]:
    """The last rowid of complaints, stages and resolutions: a bulk write adds rows
    after them."""
    return tuple(cur.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
                 for table in ("complaints", "stages", "resolutions"))


# A bulk writer's handling times, one row per resolution it wrote (HANDLING's columns:
# the days from the two instants, as SQLite counts them).
INSERT_HANDLING = ("INSERT INTO handling_times (at, complaint_id, round, days, category, "
                   "department, next_at) VALUES (?, ?, ?, julianday(?) - julianday(?), ?, ?, ?)")


def add_written(cur: sqlite3.Cursor, counts: dict[tuple[str, str, str], int],
                on_time: dict[tuple[str, str, str], int]) -> None:
    """Add to day_rollups what a bulk write counted of the rows it added, as RECOUNT
    counts them ((measure, day, key) -> n, and -> how many on time): new complaints
    with their stages, never changes to older rows (but a relinked one, see
    `relinked`). The writer writes the handling times of its resolutions itself
    (INSERT_HANDLING)."""
    cur.executemany("INSERT INTO day_rollups (measure, day, key, n, ok) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (measure, day, key) DO UPDATE SET n = n + excluded.n, "
                    "ok = ok + excluded.ok",
                    [(*key, n, on_time.get(key, 0)) for key, n in sorted(counts.items())])


def relinked(cur: sqlite3.Cursor, cid: str, after: tuple[int, ...]) -> None:
    """Before a bulk write sets the `repeat_of` of a complaint that was in the ledger
    before it (rowid at or below its mark, which `add_written` does not see) and had
    none: that complaint's day counts one repeat more."""
    cur.execute("INSERT INTO day_rollups (measure, day, key, n, ok) SELECT 'repeats', "
                "substr(received_at, 1, 10), 'yes', 1, 0 FROM complaints WHERE id = ? AND "
                "rowid <= ? AND repeat_of IS NULL ON CONFLICT (measure, day, key) DO UPDATE "
                "SET n = n + 1", (cid, after[0]))


# At most this many differences of each table are named.
MOST = 50


def problems(conn: sqlite3.Connection | sqlite3.Cursor, most: int | None = None,
             measures: tuple[str, ...] | None = None, handling: bool = True
             ) -> list[tuple[str, str, Any, Any]]:
    """Where the rollups differ from a recount of the rows: (table, which, kept,
    recounted), at most `most` (None: MOST) of each table, day_rollups by (measure, day, key),
    handling_times by (complaint, round, time). Rows of day_rollups that went back to
    zero are not differences. `measures` (None: all) and `handling`: a part only
    (verify's parallel tasks; the parts of distinct measures, in the order of their
    names, put together give the whole).

    Each measure is recounted by its own query (RECOUNT) and compared with its kept
    rows in a dict (a few thousand (day, key) per measure); handling_times both ways
    through the indexes (a recounted row that has no equal kept row, a kept row whose
    resolution is gone), without sorting either side."""
    most = MOST if most is None else most
    out: list[tuple[str, str, Any, Any]] = []
    diff: list[tuple[Any, ...]] = []
    names = sorted(RECOUNT if measures is None else measures)
    received = set(names) & set(RECEIVED)
    counted = received_recount(conn) if len(received) > 1 else {}
    for measure in names:
        kept = {(day, key): (n, ok) for day, key, n, ok in conn.execute(
            "SELECT day, key, n, ok FROM day_rollups WHERE measure = ? AND (n != 0 OR "
            "ok != 0)", (measure,))}
        found: list[tuple[Any, Any, Any, Any]] = []
        recount = ((day, key, n, 0) for (day, key), n in counted[measure].items()) \
            if measure in counted else conn.execute(RECOUNT[measure].format(c="1", s="1"))
        for day, key, n, ok in recount:
            have = kept.pop((day, key), None)
            if have is None or have[0] != n or have[1] != ok:
                found.append((day, key, have, (n, ok)))
        found += [(day, key, have, None) for (day, key), have in kept.items()]
        found.sort(key=lambda d: (sql_order(d[0]), sql_order(d[1])))
        diff += [(measure, *d) for d in found[:most - len(diff)]]
        if len(diff) >= most:
            break
    for measure, day, key, have, want in diff:
        (kn, kok), (rn, rok) = have or (None, None), want or (None, None)
        out.append(("day_rollups", f"{measure} {day} {key}",
                    f"{kn or 0} ({kok or 0} on time)" if measure.endswith("_done") else kn or 0,
                    f"{rn or 0} ({rok or 0} on time)" if measure.endswith("_done") else rn or 0))
    if handling:
        out += _handling_problems(conn, most)
    return out


def received_recount(conn: sqlite3.Connection | sqlite3.Cursor
                     ) -> dict[str, dict[tuple[Any, Any], int]]:
    """RECOUNT of the RECEIVED measures in one pass over the complaints (the index on
    received_at that holds every column they count) instead of one query each: measure
    -> {(day, key): n}, the same counts as their queries. In received_at order the
    complaints of one day come together, so each column of a day is counted by
    Counter (in C); a day met twice (a received_at that is not text) adds up."""
    from collections import Counter
    from itertools import groupby
    from operator import itemgetter

    columns = RECEIVED[:-1]
    counts: dict[str, dict[tuple[Any, Any], int]] = {m: {} for m in RECEIVED}
    rows = conn.execute(
        "SELECT substr(received_at, 1, 10), "
        + ", ".join(f"coalesce({col}, '')" for col in columns)
        + ", repeat_of IS NOT NULL FROM complaints INDEXED BY complaints_received_void "
        "ORDER BY received_at")
    for day, group in groupby(rows, itemgetter(0)):
        values = list(zip(*group, strict=True))
        for measure, column in zip(columns, values[1:], strict=False):
            into = counts[measure]
            for key, n in Counter(column).items():
                into[(day, key)] = into.get((day, key), 0) + n
        repeats = sum(values[-1])
        if repeats:
            into = counts["repeats"]
            into[(day, "yes")] = into.get((day, "yes"), 0) + repeats
    return counts


_HANDLING_COLUMNS = "at, complaint_id, round, days, category, department, next_at"


def _handling_problems(conn: sqlite3.Connection | sqlite3.Cursor, most: int
                       ) -> list[tuple[str, str, Any, Any]]:
    """handling_times against HANDLING, one problem per differing (time, complaint,
    round): kept (days, category, department, next_at) or None, recounted or None."""
    recounted = conn.execute(
        f"WITH recount ({_HANDLING_COLUMNS}) AS ({HANDLING.format(r='1')}) "
        "SELECT * FROM recount r WHERE NOT EXISTS (SELECT 1 FROM handling_times k WHERE "
        "k.at = r.at AND k.complaint_id = r.complaint_id AND k.round = r.round AND "
        "k.days IS r.days AND k.category IS r.category AND k.department IS r.department "
        "AND k.next_at IS r.next_at) ORDER BY 2, 3, 1 LIMIT ?", (most,)).fetchall()
    # a kept row with no recounted row of its key (same values or not): its resolution
    # or its complaint is gone (a recounted row of its key that differs is found above)
    kept_only = conn.execute(
        f"SELECT {_HANDLING_COLUMNS} FROM handling_times k WHERE NOT EXISTS (SELECT 1 "
        "FROM resolutions r JOIN complaints c ON c.id = r.complaint_id WHERE "
        "r.complaint_id = k.complaint_id AND r.round = k.round AND r.at = k.at) "
        "ORDER BY 2, 3, 1 LIMIT ?", (most,)).fetchall()
    rows = [(row, list(row[3:])) for row in recounted] + [(row, None) for row in kept_only]
    rows.sort(key=lambda r: (sql_order(r[0][1]), sql_order(r[0][2]), sql_order(r[0][0])))
    out: list[tuple[str, str, Any, Any]] = []
    for (at, cid, round_, *_values), expected in rows[:most]:
        kept = conn.execute("SELECT days, category, department, next_at FROM handling_times "
                            "WHERE at = ? AND complaint_id = ? AND round = ?",
                            (at, cid, round_)).fetchone()
        out.append(("handling_times", f"{cid} round {round_} {at}",
                    None if kept is None else list(kept), expected))
    return out
