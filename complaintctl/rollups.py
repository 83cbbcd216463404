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

# The triggers the bulk writer sets aside (and rebuilds) with the tally triggers.
TRIGGERS = ("rollup_complaint_logged", "rollup_complaint_changed", "rollup_department_changed",
            "rollup_handling_changed", "rollup_resolution", "rollup_stage_done",
            "rollup_stage_changed")

# measure -> SQL of (day, key, n, ok) from the rows; {c}, {s}: conditions on the
# complaints' rowid and the stages' id.
_BY_RECEIVED = ("SELECT substr(received_at, 1, 10), coalesce({col}, ''), count(*), 0 "
                "FROM complaints WHERE {{c}} GROUP BY 1, 2")
RECOUNT = {
    **{col: _BY_RECEIVED.format(col=col)
       for col in ("category", "channel", "severity", "product", "department")},
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


def problems(conn: sqlite3.Connection | sqlite3.Cursor, most: int = 50
             ) -> list[tuple[str, str, Any, Any]]:
    """Where the rollups differ from a recount of the rows: (table, which, kept,
    recounted), at most `most` of each table. Rows of day_rollups that went back to
    zero are not differences."""
    out: list[tuple[str, str, Any, Any]] = []
    recount = " UNION ALL ".join(
        f"SELECT '{m}' AS measure, * FROM ({sql.format(c='1', s='1')})"
        for m, sql in RECOUNT.items())
    rows = conn.execute(
        f"WITH recount (measure, day, key, n, ok) AS ({recount}), kept AS (SELECT measure, "
        "day, key, n, ok FROM day_rollups WHERE n != 0 OR ok != 0), "
        "diff AS (SELECT * FROM kept EXCEPT SELECT * FROM recount UNION "
        "SELECT * FROM recount EXCEPT SELECT * FROM kept) "
        "SELECT DISTINCT d.measure, d.day, d.key, k.n, k.ok, r.n, r.ok FROM diff d "
        "LEFT JOIN kept k USING (measure, day, key) LEFT JOIN recount r "
        "USING (measure, day, key) ORDER BY 1, 2, 3 LIMIT ?", (most,)).fetchall()
    for measure, day, key, kn, kok, rn, rok in rows:
        out.append(("day_rollups", f"{measure} {day} {key}",
                    f"{kn or 0} ({kok or 0} on time)" if measure.endswith("_done") else kn or 0,
                    f"{rn or 0} ({rok or 0} on time)" if measure.endswith("_done") else rn or 0))
    handling = HANDLING.format(r="1")
    for row in conn.execute(
            f"SELECT * FROM (SELECT at, complaint_id, round, days, category, department, "
            f"next_at FROM handling_times EXCEPT {handling}) UNION ALL "
            f"SELECT * FROM ({handling} EXCEPT SELECT at, complaint_id, round, days, category, "
            "department, next_at FROM handling_times) ORDER BY 2, 3 LIMIT ?", (most,)):
        at, cid, round_, *_ = row
        kept = conn.execute("SELECT days, category, department, next_at FROM handling_times "
                            "WHERE at = ? AND complaint_id = ? AND round = ?",
                            (at, cid, round_)).fetchone()
        out.append(("handling_times", f"{cid} round {round_} {at}",
                    None if kept is None else list(kept), list(row[3:])))
    return out
