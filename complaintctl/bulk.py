"""The demo's bulk writer: one transaction for a whole history, fast.

Nothing else knows it exists: the steps write through `lg.rows` (store.Rows),
and for the length of `writing()` that is a `Held`, which keeps a new
complaint's row, stages (its returns' too) and events in memory while it takes
its steps, then writes them once: one UPDATE of the columns that changed, the
stages as they ended up and the events, in the order they came. The
transaction also runs with a rollback journal instead of WAL (WAL writes every
page twice: into the log, then into the file), and drops the indexes no step
reads, to build them once before it commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from complaintctl.errors import Refused
from complaintctl.i18n import _
from complaintctl.store import (
    INSERT_EVENT,
    INSERT_STAGE,
    Ledger,
    Rows,
    chained,
    demo_mark,
    journal,
    mark_demo,
    rolling_back,
)

# Indexes that the write steps read (repeat check, a complaint's or a return's
# stages, a complaint's returns): a bulk write keeps them; it drops the others
# and builds them again before it commits.
WRITE_PATH_INDEXES = frozenset({"complaints_repeat", "stages_complaint", "stages_return",
                                "returns_complaint"})

# The page cache of a bulk transaction: it holds the pages it changed, so a larger
# cache spills less; bounded, since an unbounded one grew to several GiB at 1M.
BULK_CACHE_KIB = 512 * 1024

# Positions in a stage row (store.INSERT_STAGE's column order).
_RETURN, _STAGE, _DONE, _OUTCOME = 1, 2, 6, 7


class _Complaint:
    __slots__ = ("row", "changed", "stages", "events")

    def __init__(self, row: dict[str, Any]):
        self.row = row
        self.changed: dict[str, Any] = {}
        self.stages: list[list[Any]] = []
        self.events: list[tuple[Any, ...]] = []


class Held(Rows):
    """Rows of the newest complaint kept in memory until the next is logged, or a
    step that reads its rows another way asks for them (flush)."""

    def __init__(self) -> None:
        self._held: _Complaint | None = None
        self._blank: dict[str, Any] | None = None

    def _holding(self, complaint_id: str | None) -> _Complaint | None:
        held = self._held
        return held if held is not None and held.row["id"] == complaint_id else None

    def complaint(self, cur: sqlite3.Cursor, complaint_id: str) -> dict[str, Any]:
        held = self._holding(complaint_id.strip().upper())
        return dict(held.row) if held is not None else super().complaint(cur, complaint_id)

    def logged(self, cur: sqlite3.Cursor, record: dict[str, Any]) -> None:
        self.flush(cur)
        if self._blank is None:
            cols = cur.execute("PRAGMA table_info(complaints)").fetchall()
            values = cur.execute("SELECT " + ", ".join(c[4] or "NULL" for c in cols)
                                 ).fetchone()
            self._blank = {c[1]: v for c, v in zip(cols, values, strict=True)}
        self._held = _Complaint({**self._blank, **record})

    def update(self, cur: sqlite3.Cursor, table: str, record_id: str,
               values: dict[str, Any]) -> None:
        held = self._holding(record_id) if table == "complaints" else None
        if held is None:
            super().update(cur, table, record_id, values)
            return
        held.row.update(values)
        held.changed.update(values)

    def add_stage(self, cur: sqlite3.Cursor, row: list[Any]) -> None:
        held = self._holding(row[0])
        if held is None:
            super().add_stage(cur, row)
        else:
            held.stages.append(row)

    def finish_stages(self, cur: sqlite3.Cursor, complaint_id: str, stage: str | None,
                      done_at: str, outcome: str, return_id: str | None) -> None:
        held = self._holding(complaint_id)
        if held is None:
            super().finish_stages(cur, complaint_id, stage, done_at, outcome, return_id)
            return
        for row in held.stages:
            if (stage is None or row[_STAGE] == stage) and row[_RETURN] == return_id \
                    and row[_DONE] is None:
                row[_DONE], row[_OUTCOME] = done_at, outcome

    def event(self, cur: sqlite3.Cursor, row: tuple[Any, ...]) -> None:
        held = self._holding(row[0])
        if held is None:
            super().event(cur, row)
        else:
            held.events.append(row)

    def flush(self, cur: sqlite3.Cursor) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        if held.changed:
            super().update(cur, "complaints", held.row["id"], held.changed)
        cur.executemany(INSERT_STAGE, held.stages)
        cur.executemany(INSERT_EVENT, chained(cur, held.events))


def _drop_indexes(cur: sqlite3.Cursor) -> list[str]:
    """Drop the indexes no write step reads; returns their CREATE statements."""
    found = cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                        "AND sql IS NOT NULL").fetchall()
    dropped = [(name, sql) for name, sql in found if name not in WRITE_PATH_INDEXES]
    for name, _sql in dropped:
        cur.execute(f"DROP INDEX {name}")
    return [sql for _name, sql in dropped]


def _check_demo(lg: Ledger, cur: sqlite3.Cursor) -> None:
    mark, last = demo_mark(cur)
    if mark is None or int(mark) != last:
        message = (_("{path} is not a demo ledger any more: it has steps the demo did not "
                     "write") if mark is not None else _("{path} is not a demo ledger"))
        raise Refused(message.format(path=lg.path),
                      hint=_("the demo fills a new file: complaintctl demo --db demo.db"),
                      code="not_a_demo_ledger", path=str(lg.path))


@contextmanager
def writing(lg: Ledger, *, hold: bool = True, demo: bool = False) -> Iterator[None]:
    """One transaction for everything the block does through `lg`. With `demo`, the
    ledger must be one the demo made and nobody has used since; it stays marked.
    `hold` (tests turn it off to prove a held fill and a written-through one equal)."""
    conn = lg.conn
    cur = conn.cursor()
    if demo:  # before the journal switch: a ledger that is not the demo's stays as it is
        _check_demo(lg, cur)
    switched = journal(cur, wal=False)
    held = Held() if hold else None
    try:
        with rolling_back(conn, lg.path):
            cur.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            cur.execute("BEGIN IMMEDIATE")
            if demo:
                _check_demo(lg, cur)
            rebuild = _drop_indexes(cur) if held else []
            if held:
                lg.rows = held
            yield
            if held:
                held.flush(cur)
            for sql in rebuild:
                cur.execute(sql)
            if demo:
                mark_demo(cur)
            cur.execute("COMMIT")
    finally:
        lg.rows = Rows()
        cur.execute("PRAGMA cache_size = -65536")
        if switched:
            journal(cur, wal=True)
