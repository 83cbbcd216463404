"""`verify`: what an auditor checks (issue 13). Read-only, like views.py: plain data out.

Everything is read in one snapshot of the ledger (`lg.read()`), but SQLite's own
checks, which read the file on a connection of their own, in a thread beside the rest:

1. SQLite's own checks: `PRAGMA integrity_check` and `foreign_key_check`.
2. The hash chain (store.event_hash), streamed in id order. Each event is checked
   against the stored hash of the event before it, so one edited event is one
   problem (at itself), a deleted one a problem at the next id, an inserted one a
   problem at itself (and, in the middle, at the one after it).
3. The current state against what the events recorded: a complaint's status, each
   stage's deadline, a return's quantities and stage.
4. The settings, policy, escalation and calendar against their events, replayed
   from the init event.
5. Derived tables (`day_tallies`) against a recount.
6. Attachments (the blobs of migration 11, when the ledger has them): each blob's
   chunks against its sha256 and size.

A problem is {kind, id, stored, expected, detail}. Stages whose deadlines were set
before events recorded them (a ledger upgraded from before issue 13) cannot be
checked: they are counted as `unrecorded`, which is not a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from complaintctl.i18n import N_
from complaintctl.reports import STATUS_STEPS
from complaintctl.settings import (
    ATTACHMENT_MAX_MB_KEY,
    CATEGORY_LABELS_KEY,
    LANGUAGE_KEY,
    LEGACY_ROLES,
    calendar_digest,
)
from complaintctl.store import EVENT_COLUMNS, Ledger, chain_head

Problem = dict[str, Any]

# Events that record the complaint's status (`log` leaves it logged and says so by its kind).
STATUS_KINDS = ("log", *STATUS_STEPS)
# Events that record a return's stage (`return-open` leaves it authorised).
RETURN_KINDS = ("return-open", "return-receive", "return-inspect", "return-dispose",
                "return-close")
# Events that set what the settings tables hold, replayed in id order from `init`.
SETTINGS_KINDS = ("init", "policy-set", "categories", "timezone", "calendar",
                  "attachment-limit", "language")
# Settings stored as JSON text, compared as what they decode to.
_JSON_SETTINGS = frozenset({"categories", CATEGORY_LABELS_KEY})
# Keys of an init event that are not rows of the settings table.
_INIT_NOT_SETTINGS = frozenset({"policy", "escalation", "categories", "calendar_sha256"})

_FETCH = 10_000


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def problem(kind: str, id: Any, stored: Any = None, expected: Any = None,  # noqa: A002
            detail: str = "") -> Problem:
    return {"kind": kind, "id": id, "stored": stored, "expected": expected, "detail": detail}


def _rows(cur: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    """A query's rows, fetched in batches (never the whole result at once)."""
    while True:
        batch = cur.fetchmany(_FETCH)
        if not batch:
            return
        yield from batch


# --- the result -----------------------------------------------------------------------

def verify(lg: Ledger, head: str | None = None) -> dict[str, Any]:
    """Every check. `head`: a chain head recorded earlier (a report's `chain_head`),
    which must still be an event's hash. Returns {ok, head {id, hash}, events,
    problems, unrecorded, head_found {id, hash} | None}."""
    with ThreadPoolExecutor(1) as pool:
        # SQLite's own checks read the whole file inside SQLite, which lets go of the
        # GIL: on a connection of their own they run beside the others
        apart = pool.submit(_sqlite_checks_apart, lg.path)
        with lg.read() as cur:
            result = _checks(lg, cur, head)
        result["problems"][:0] = apart.result()
    return {"ok": not result["problems"], **result}


def _checks(lg: Ledger, cur: sqlite3.Cursor, head: str | None) -> dict[str, Any]:
    """Every check but SQLite's own, in the one snapshot `cur` reads."""
    chain = check_chain(lg.conn, head, lg.path)
    problems: list[Problem] = chain["problems"]
    if head is not None and chain["head_found"] is None:
        problems.append(problem("head", None, None, head,
                                N_("no event has this hash: the history up to it was "
                                   "rewritten, or it is another ledger's")))
    problems += check_status(cur)
    deadline_problems, unrecorded = check_deadlines(cur, chain["old_events"])
    problems += deadline_problems
    problems += check_returns(cur)
    settings_problems, settings_unrecorded = check_settings(cur)
    problems += settings_problems
    problems += check_tallies(cur)
    problems += check_blobs(cur)
    return {"head": chain["head"], "events": chain["events"], "problems": problems,
            "unrecorded": unrecorded + settings_unrecorded, "head_found": chain["head_found"]}


def _sqlite_checks_apart(path: Path) -> list[Problem]:
    """SQLite's checks on a read-only connection of their own (in another thread)."""
    apart = Ledger.open(path)
    try:
        with apart.read() as cur:
            return sqlite_checks(cur)
    finally:
        apart.close()


# --- 1. SQLite ------------------------------------------------------------------------

def sqlite_checks(cur: sqlite3.Cursor) -> list[Problem]:
    out = [problem("integrity", None, msg, "ok", "PRAGMA integrity_check")
           for (msg,) in cur.execute("PRAGMA integrity_check").fetchall() if msg != "ok"]
    for table, rowid, parent, _fk in cur.execute("PRAGMA foreign_key_check").fetchall():
        out.append(problem("foreign_key", f"{table} row {rowid}", None, None,
                           f"refers to a missing row of {parent}"))
    return out


# --- 2. the hash chain ------------------------------------------------------------------

def check_chain(conn: sqlite3.Connection, head: str | None = None,
                path: Path | None = None) -> dict[str, Any]:
    """Stream the events in id order; each stored hash must be store.event_hash of the
    previous event's stored hash and the row as stored. Returns {problems, events,
    head {id, hash}, head_found {id, hash} | None, old_events: the complaints that have
    events from before the login and hash columns (their deadlines were not recorded)}.

    Since every link is checked against the stored hash before it, the links can be
    checked in parts: a ledger of PARALLEL_FROM events or more (and its `path`) is
    split by id into one part per processor, each checked by a process of its own on
    a read-only connection (events are append-only: the ids up to this snapshot's
    last one are the same in theirs)."""
    last_id, last_hash = chain_head(conn.cursor())
    n_parts = min(os.cpu_count() or 1, MAX_PARTS)
    if path is None or last_id < PARALLEL_FROM or n_parts < 2:
        parts = [_chain_part(conn, 0, last_id, head)]
    else:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        bounds = [last_id * k // n_parts for k in range(n_parts + 1)]
        # spawn, not fork: this process has SQLite connections and a thread at work
        with ProcessPoolExecutor(n_parts, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_chain_part_apart, str(path), lo, hi, head)
                       for lo, hi in zip(bounds, bounds[1:], strict=False)]
            parts = [f.result() for f in futures]
    found = next((p["found"] for p in reversed(parts) if p["found"] is not None), None)
    return {"problems": [x for p in parts for x in p["problems"]],
            "events": sum(p["events"] for p in parts),
            "head": {"id": last_id, "hash": _text(last_hash) or ""},
            "head_found": None if found is None else {"id": found, "hash": head},
            "old_events": set().union(*(p["old_events"] for p in parts))}


# A chain of this many events or more is checked in parts, one process per processor.
PARALLEL_FROM = 400_000
MAX_PARTS = 4


def _chain_part_apart(path: str, lo: int, hi: int, head: str | None) -> dict[str, Any]:
    """_chain_part in a process of its own, on a read-only connection of its own."""
    lg = Ledger.open(Path(path))
    try:
        with lg.read():
            return _chain_part(lg.conn, lo, hi, head)
    finally:
        lg.close()


def _chain_part(conn: sqlite3.Connection, lo: int, hi: int, head: str | None
                ) -> dict[str, Any]:
    """The links of the events with lo < id <= hi.

    The row is joined in SQL (store.event_hash's text: columns as stored, None as '',
    separated by U+001F) and read as UTF-8 bytes, so Python only hashes it: the columns
    are TEXT, which SQLite hands over as the very UTF-8 bytes event_hash encodes."""
    body = " || char(31) || ".join(f"coalesce({c}, '')" for c in EVENT_COLUMNS)
    sha = hashlib.sha256
    sep = b"\x1f"
    wanted = head.encode("ascii") if head is not None else None
    problems: list[Problem] = []
    old_events: set[str] = set()
    n, found = 0, None
    factory = conn.text_factory
    conn.text_factory = bytes
    try:
        (previous,) = conn.execute("SELECT hash FROM events WHERE id <= ? ORDER BY id DESC "
                                   "LIMIT 1", (lo,)).fetchone() or (b"",)
        previous = previous or b""
        cur = conn.execute(f"SELECT id, hash, {body}, CASE WHEN login IS NULL THEN "
                           "complaint_id END FROM events WHERE id > ? AND id <= ? "
                           "ORDER BY id", (lo, hi))
        while True:
            batch = cur.fetchmany(_FETCH)
            if not batch:
                break
            n += len(batch)
            for event_id, stored, text, old in batch:
                computed = sha(previous + sep + text).hexdigest().encode("ascii")
                if stored != computed:
                    problems.append(problem(
                        "chain", event_id, _text(stored), computed.decode("ascii"),
                        N_("no hash") if stored is None else
                        N_("the event's hash does not follow from the event before it")))
                if stored == wanted:
                    found = event_id
                if old is not None:
                    old_events.add(old.decode("utf-8", "replace"))
                previous = stored or b""
    finally:
        conn.text_factory = factory
    return {"problems": problems, "events": n, "found": found, "old_events": old_events}


def _text(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# --- 3. the current state against the events ----------------------------------------------

def check_status(cur: sqlite3.Cursor) -> list[Problem]:
    """Each complaint's status is the one its latest status-bearing event recorded."""
    sql = ("SELECT id, status, expected FROM (SELECT c.id, c.status, "
           "(SELECT CASE e.kind WHEN 'log' THEN 'logged' ELSE json_extract(e.data, "
           "'$.status') END FROM events e INDEXED BY events_complaint WHERE "
           f"e.complaint_id = c.id AND e.kind IN {_in(STATUS_KINDS)} AND json_valid(e.data) "
           "ORDER BY e.id DESC LIMIT 1) AS expected FROM complaints c) "
           "WHERE status IS NOT expected ORDER BY id")
    return [problem("status", cid, stored, expected,
                    N_("the complaint's status is not the one its latest step recorded")
                    if expected is not None else N_("no event records this complaint's status"))
            for cid, stored, expected in cur.execute(sql).fetchall()]


def check_returns(cur: sqlite3.Cursor) -> list[Problem]:
    """Each return's quantities are the sums its receive and dispose events recorded, and
    its stage the one its latest return event recorded."""
    def total(kind: str) -> str:
        return ("(SELECT coalesce(sum(json_extract(e.data, '$.qty')), 0) FROM events e "
                f"WHERE e.return_id = r.id AND e.kind = '{kind}' AND json_valid(e.data))")

    sql = (f"SELECT r.id, r.received_qty, {total('return-receive')}, r.disposed_qty, "
           f"{total('return-dispose')}, r.stage, (SELECT CASE e.kind WHEN 'return-open' "
           "THEN 'authorised' ELSE json_extract(e.data, '$.stage') END FROM events e "
           f"WHERE e.return_id = r.id AND e.kind IN {_in(RETURN_KINDS)} "
           "AND json_valid(e.data) ORDER BY e.id DESC LIMIT 1) FROM returns r ORDER BY r.id")
    out = []
    for rid, received, received_e, disposed, disposed_e, stage, stage_e in cur.execute(sql):
        if received != received_e:
            out.append(problem("received_qty", rid, received, received_e,
                               N_("received_qty is not the sum of the return's receipts")))
        if disposed != disposed_e:
            out.append(problem("disposed_qty", rid, disposed, disposed_e,
                               N_("disposed_qty is not the sum of the return's dispositions")))
        if stage != stage_e:
            out.append(problem("return_stage", rid, stage, stage_e,
                               N_("the return's stage is not the one its latest step recorded")))
    return out


def check_deadlines(cur: sqlite3.Cursor, old_events: set[str]) -> tuple[list[Problem], int]:
    """Each stage row's due_at is the deadline its events recorded.

    For one (complaint, return, stage) the events' `data.deadlines` say, in id order:
    an `amend` moved the open stage (the newest row), any other step opened a new row.
    Rows and recorded deadlines are matched from the newest back, so that the rows of a
    ledger upgraded from before the events recorded deadlines are the oldest ones: those
    are counted as unrecorded when the complaint has such old events, else they are
    problems (a row its events do not account for).

    Fast path, one row per complaint from each side: its stages (return, stage, due) in
    id order and its recorded deadlines in event order, each joined into one text by
    SQL. Equal texts (and no amend) is the common case and means every row matches;
    only a complaint whose texts differ is read row by row and matched as above."""
    conn = cur.connection
    unit, record = "char(31)", "char(30)"
    stages = conn.execute(
        f"SELECT complaint_id, count(*), group_concat(coalesce(return_id, '') || {unit} || "
        f"stage || {unit} || due_at, {record}) FROM stages INDEXED BY stages_complaint "
        "GROUP BY complaint_id ORDER BY complaint_id")
    # (json_valid: an event that is not JSON is skipped here, the chain names it)
    recorded = conn.execute(
        f"SELECT e.complaint_id, count(*), group_concat(coalesce(e.return_id, '') || {unit} "
        f"|| j.key || {unit} || j.value, {record}), max(e.kind = 'amend') "
        "FROM events e INDEXED BY events_complaint, json_each(e.data, '$.deadlines') j "
        "WHERE e.complaint_id IS NOT NULL AND instr(e.data, '\"deadlines\"') > 0 "
        "AND json_valid(e.data) GROUP BY e.complaint_id ORDER BY e.complaint_id")
    problems: list[Problem] = []
    unrecorded = 0
    none = (None, 0, None, 0)
    s_iter, r_iter = _rows(stages), _rows(recorded)
    srow, rrow = next(s_iter, None), next(r_iter, None)
    while srow is not None or rrow is not None:
        if rrow is None or (srow is not None and srow[0] < rrow[0]):
            assert srow is not None
            cid, have, want = srow[0], srow, none
            srow = next(s_iter, None)
        elif srow is None or rrow[0] < srow[0]:
            cid, have, want = rrow[0], none, rrow
            rrow = next(r_iter, None)
        else:
            cid, have, want = srow[0], srow, rrow
            srow, rrow = next(s_iter, None), next(r_iter, None)
        if have[1:3] == want[1:3] and not want[3]:
            continue
        found, n = _complaint_deadlines(cid, _recorded_of(conn, cid), _stages_of(conn, cid),
                                        cid in old_events)
        problems += found
        unrecorded += n
    return problems, unrecorded


def _recorded_of(conn: sqlite3.Connection, cid: str) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT complaint_id, return_id, kind = 'amend', json_extract(data, '$.deadlines') "
        "FROM events INDEXED BY events_complaint WHERE complaint_id = ? AND "
        "instr(data, '\"deadlines\"') > 0 AND json_valid(data) ORDER BY id", (cid,)
    ).fetchall()


def _stages_of(conn: sqlite3.Connection, cid: str) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT complaint_id, return_id, stage, round, due_at FROM stages "
                        "INDEXED BY stages_complaint WHERE complaint_id = ? ORDER BY id",
                        (cid,)).fetchall()


def _complaint_deadlines(cid: str, recorded_rows: list[tuple[Any, ...]],
                         stage_rows: list[tuple[Any, ...]], old: bool
                         ) -> tuple[list[Problem], int]:
    expected: dict[tuple[Any, str], list[Any]] = {}
    for _cid, rid, amend, text in recorded_rows:
        try:
            recorded = json.loads(text)
        except (TypeError, ValueError):
            recorded = None
        if not isinstance(recorded, dict):
            continue
        for stage, due in recorded.items():
            dues = expected.setdefault((rid, stage), [])
            if amend and dues:
                dues[-1] = due
            else:
                dues.append(due)
    rows: dict[tuple[Any, str], list[tuple[Any, ...]]] = {}
    for row in stage_rows:
        rows.setdefault((row[1], row[2]), []).append(row)
    problems: list[Problem] = []
    unrecorded = 0
    for key in rows.keys() | expected.keys():
        rid, stage = key
        have, want = rows.get(key, []), expected.get(key, [])
        extra = len(have) - len(want)
        for row in have[:max(extra, 0)]:
            if old:
                unrecorded += 1
            else:
                problems.append(problem("deadline", rid or cid, row[4], None,
                                        f"{stage} stage (round {row[3]}): no event recorded "
                                        "this deadline"))
        for due in want[:max(-extra, 0)]:
            problems.append(problem("deadline", rid or cid, None, due,
                                    f"{stage} stage: an event recorded this deadline but "
                                    "there is no stage row for it"))
        for row, due in zip(have[max(extra, 0):], want[max(-extra, 0):], strict=True):
            if row[4] != due:
                problems.append(problem("deadline", rid or cid, row[4], due,
                                        f"{stage} stage (round {row[3]}) due_at"))
    problems.sort(key=lambda p: (str(p["id"]), p["detail"]))
    return problems, unrecorded


# --- 4. settings against their events -----------------------------------------------------

def check_settings(cur: sqlite3.Cursor) -> tuple[list[Problem], int]:
    """Replay the init event's settings, policy and escalation, then every later
    policy-set, categories, timezone, calendar, attachment-limit and language event,
    and compare with the tables. The default roles older events recorded as texts
    are read as the codes migration 12 made them.
    A ledger whose init event recorded none of it (made before issue 13) is unrecorded."""
    events = cur.execute("SELECT id, kind, data FROM events WHERE complaint_id IS NULL AND "
                         f"kind IN {_in(SETTINGS_KINDS)} ORDER BY id").fetchall()
    settings: dict[str, Any] = {}
    policy: dict[tuple[Any, Any], Any] = {}
    escalation: dict[int, tuple[Any, Any]] = {}
    digest: str | None = None
    started = False
    problems: list[Problem] = []
    for event_id, kind, text in events:
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            problems.append(problem("event", event_id, text, None, N_("not a JSON document")))
            continue
        if not isinstance(data, dict):
            continue
        if kind == "init" and "policy" in data:
            started = True
            settings = {k: v for k, v in data.items() if k not in _INIT_NOT_SETTINGS}
            settings["categories"] = data.get("categories")
            policy = {(stage, sev): dur for stage, row in data["policy"].items()
                      for sev, dur in row.items()}
            escalation = {lvl: (after, _role(role))
                          for lvl, after, role in data.get("escalation", [])}
        elif kind == "policy-set" and "escalation_level" in data:
            escalation[data["escalation_level"]] = (data.get("after_working_days"),
                                                    _role(data.get("role")))
        elif kind == "policy-set":
            for sev in data.get("severities", []):
                policy[(data.get("stage"), sev)] = data.get("duration")
        elif kind == "categories":
            settings["categories"] = data.get("categories")
            if CATEGORY_LABELS_KEY in data:
                settings[CATEGORY_LABELS_KEY] = data[CATEGORY_LABELS_KEY]
        elif kind == "language":
            settings[LANGUAGE_KEY] = data.get(LANGUAGE_KEY)
        elif kind == "timezone":
            settings["timezone"] = data.get("timezone")
        elif kind == "attachment-limit" and ATTACHMENT_MAX_MB_KEY in data:
            settings[ATTACHMENT_MAX_MB_KEY] = str(data[ATTACHMENT_MAX_MB_KEY])
        elif kind == "calendar" and "country" in data:
            settings["country"] = data["country"]
        if kind in ("init", "calendar") and "calendar_sha256" in data:
            digest = data["calendar_sha256"]
    if not started:
        return problems, 1
    stored = dict(cur.execute("SELECT key, value FROM settings").fetchall())
    for key, want in sorted(settings.items()):
        have: Any = stored.get(key)
        if key in _JSON_SETTINGS and have is not None:
            try:
                have = json.loads(have)
            except ValueError:
                pass
        if have != want:
            problems.append(problem("setting", key, have, want,
                                    N_("the setting is not what its events set")))
    table = {(stage, sev): dur for stage, sev, dur in cur.execute(
        "SELECT stage, severity, duration FROM policy").fetchall()}
    for cell in sorted(table.keys() | policy.keys(), key=str):
        if table.get(cell, "(no row)") != policy.get(cell, "(no row)"):
            problems.append(problem("policy", f"{cell[0]}/{cell[1]}",
                                    table.get(cell, "(no row)"), policy.get(cell, "(no row)"),
                                    N_("the deadline policy is not what its events set")))
    esc = {lvl: (after, role) for lvl, after, role in cur.execute(
        "SELECT level, after_working_days, role FROM escalation").fetchall()}
    for lvl in sorted(esc.keys() | escalation.keys()):
        have_e, want_e = esc.get(lvl), escalation.get(lvl)
        if have_e != want_e:
            problems.append(problem("escalation", f"level {lvl}", _esc(have_e), _esc(want_e),
                                    N_("escalation is not what its events set")))
    if digest is not None:
        now = calendar_digest(cur)
        if now != digest:
            problems.append(problem("calendar", "calendar_days", now, digest,
                                    N_("the calendar is not the one its latest event recorded")))
    return problems, 0


def _role(recorded: Any) -> Any:
    """A role as an event recorded it, as the escalation table holds it now."""
    return LEGACY_ROLES.get(recorded, recorded) if isinstance(recorded, str) else recorded


def _esc(value: tuple[Any, Any] | None) -> str | None:
    return None if value is None else f"{value[0]}wd {value[1]}"


# --- 5. derived tables --------------------------------------------------------------------

# What day_tallies summarises, recounted from the rows themselves.
TALLY_RECOUNT = {
    "received": "SELECT substr(received_at, 1, 10), count(*) FROM complaints GROUP BY 1",
    "resolutions": "SELECT substr(at, 1, 10), count(*) FROM resolutions GROUP BY 1",
    "closing_revisits": "SELECT substr(at, 1, 10), count(*) FROM revisits WHERE "
                        "from_status = 'resolved' AND to_status = 'closed' GROUP BY 1",
}


def tallies_and_recount(conn: sqlite3.Connection | sqlite3.Cursor
                        ) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(the day tallies the ledger keeps, the same counted from the rows); days whose
    tally went back to zero (an amended date) are left out of the first."""
    kept = {(m, d): n for m, d, n in conn.execute("SELECT measure, day, n FROM day_tallies")
            if n}
    recount = {(m, d): n for m, sql in TALLY_RECOUNT.items() for d, n in conn.execute(sql)}
    return kept, recount


def check_tallies(cur: sqlite3.Cursor) -> list[Problem]:
    kept, recount = tallies_and_recount(cur)
    return [problem("day_tally", f"{m} {d}", kept.get((m, d), 0), recount.get((m, d), 0),
                    N_("the day's tally is not the count of its rows"))
            for m, d in sorted(kept.keys() | recount.keys())
            if kept.get((m, d), 0) != recount.get((m, d), 0)]


# --- 6. attachments -----------------------------------------------------------------------

def check_blobs(cur: sqlite3.Cursor) -> list[Problem]:
    """Each stored file's chunks, in order, hash to its sha256 and add up to its size
    (tables of migration 11; a ledger without them has nothing to check)."""
    tables = {name for (name,) in cur.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
        "('blobs', 'blob_chunks')")}
    if tables != {"blobs", "blob_chunks"}:
        return []
    out = []
    conn = cur.connection
    for sha, size, chunks in cur.execute("SELECT sha256, size, chunks FROM blobs "
                                         "ORDER BY sha256").fetchall():
        h, n, count = hashlib.sha256(), 0, 0
        for (data,) in _rows(conn.execute("SELECT data FROM blob_chunks WHERE sha256 = ? "
                                          "ORDER BY seq", (sha,))):
            data = data if isinstance(data, bytes) else str(data).encode("utf-8")
            h.update(data)
            n += len(data)
            count += 1
        if h.hexdigest() != sha:
            out.append(problem("attachment", sha, h.hexdigest(), sha,
                               N_("the stored bytes do not hash to the file's sha256")))
        if n != size or count != chunks:
            out.append(problem("attachment", sha, f"{n} bytes in {count} chunks",
                               f"{size} bytes in {chunks} chunks",
                               N_("the stored bytes are not the file's size")))
    return out
