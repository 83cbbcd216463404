"""`verify`: what an auditor checks (issue 13). Read-only, like views.py: plain data out.

On a small ledger everything is read in one snapshot (`lg.read()`), but SQLite's own
checks, which read the file on a connection of their own, in a thread beside the rest.
A large one is checked by processes of their own, each check in a snapshot of its own
(`verify` says how, and why the findings are the same):

1. SQLite's own checks: `PRAGMA integrity_check` and `foreign_key_check`.
2. The hash chain (store.event_hash), streamed in id order. Each event is checked
   against the stored hash of the event before it, so one edited event is one
   problem (at itself), a deleted one a problem at the next id, an inserted one a
   problem at itself (and, in the middle, at the one after it).
3. The current state against what the events recorded: a complaint's status, each
   stage's deadline and start, a return's quantities and stage.
4. The settings, policy, escalation and calendar against their events, replayed
   from the init event.
5. Derived tables (`day_tallies`, `day_rollups`, `handling_times`) against a recount.
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
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from complaintctl.i18n import N_
from complaintctl.settings import (
    ATTACHMENT_MAX_MB_KEY,
    CALENDAR_SETTINGS,
    CATEGORY_LABELS_KEY,
    DEFAULT_SETTINGS,
    LANGUAGE_KEY,
    LEGACY_ROLES,
    REPEAT_WINDOW_KEY,
    calendar_digest,
)
from complaintctl.store import (
    DEMO_MARK,
    EVENT_COLUMNS,
    UNREADABLE,
    Ledger,
    chain_head,
    foreign_key_violations,
    integrity_check,
    prefetch,
)
from complaintctl.workflow import STATUS_STEPS

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

Problem = dict[str, Any]

# Events that record the complaint's status (`log` leaves it logged and says so by its kind).
STATUS_KINDS = ("log", *STATUS_STEPS)
# Events that record a return's stage (`return-open` leaves it authorised).
RETURN_KINDS = ("return-open", "return-receive", "return-inspect", "return-dispose",
                "return-close")
# Events that set what the settings tables hold, replayed in id order from `init`.
SETTINGS_KINDS = ("init", "policy-set", "categories", "timezone", "calendar",
                  "attachment-limit", "language", "repeat-window")
# Settings stored as JSON text, compared as what they decode to.
_JSON_SETTINGS = frozenset({"categories", CATEGORY_LABELS_KEY})
# Keys of an init event that are not rows of the settings table.
_INIT_NOT_SETTINGS = frozenset({"policy", "escalation", "categories", "calendar_sha256",
                                "settings"})
# Settings only an event sets after init: one in the table that no event set was put
# there by hand (the calendar's too, once init recorded them).
_SET_BY_EVENTS = frozenset({LANGUAGE_KEY, ATTACHMENT_MAX_MB_KEY, CATEGORY_LABELS_KEY})

_FETCH = 10_000


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def problem(kind: str, id: Any, stored: Any = None, expected: Any = None,  # noqa: A002
            detail: str = "", **params: Any) -> Problem:
    """A finding. `detail` is an English msgid (N_), translated when shown; with
    `params` its fields are filled in (the JSON's detail in English, the table's in the
    reader's language: render.verify_lines)."""
    found: Problem = {"kind": kind, "id": _no_bytes(id), "stored": _no_bytes(stored),
                      "expected": _no_bytes(expected), "detail": detail}
    if params:  # (a key of bytes in the detail too: "refers to complaints b'CC-…'")
        params = {k: _no_bytes(v) for k, v in params.items()}
        found["detail"], found["_detail"] = detail.format(**params), (detail, params)
    if any(_BYTES_SAID.search(str(found[f])) for f in ("id", "stored", "expected")):
        found["_bytes"] = True  # (a check read bytes where text is kept: _guarded names
        # where, check_text)
    return found


# How a problem says bytes it read where text is kept (a BLOB in a TEXT column): as
# SQLite writes a BLOB, x'00ff' (Python's b'\x00\xff' stopped the JSON: "unexpected
# failure", and nothing for a monitor to read); and that a value holds such bytes.
_BYTES_SAID = re.compile(r"\bx'[0-9a-f]*'|\bb'[^']*'|\bb\"[^\"]*\"")


def _no_bytes(value: Any) -> Any:
    """A problem's value with its bytes written as SQLite writes a BLOB (x'00ff')."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"x'{bytes(value).hex()}'"
    if isinstance(value, (list, tuple)):
        return [_no_bytes(v) for v in value]
    return value


def _rows(cur: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    """A query's rows, fetched in batches (never the whole result at once)."""
    while True:
        batch = cur.fetchmany(_FETCH)
        if not batch:
            return
        yield from batch


# --- the result -----------------------------------------------------------------------

# A ledger of this many events or more is checked by processes of their own, one per
# processor (at most MAX_WORKERS), each check on a read-only connection of its own.
PARALLEL_FROM = 400_000
MAX_WORKERS = 4


def verify(lg: Ledger, head: str | None = None) -> dict[str, Any]:
    """Every check. `head`: a chain head recorded earlier (a report's `chain_head`),
    which must still be an event's hash. Returns {ok, head {id, hash}, events,
    problems, unrecorded, head_found {id, hash} | None, before_chain}.

    A small ledger is read in one snapshot, SQLite's own checks beside the rest in a
    thread (they read the file inside SQLite, which lets go of the GIL). A large one
    (PARALLEL_FROM events) is cut into checks (_plan) that processes of their own take
    in turn, each on a read-only connection, in a snapshot of its own; the chain is
    checked up to the head read here (events are append-only: the ids up to it are the
    same in theirs), and every other check holds within its own snapshot."""
    with lg.read() as cur:
        last_id, last_hash = chain_head(cur)
        old = before_chain(cur)
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        if last_id < PARALLEL_FROM or workers < 2:
            results = _serially(lg, cur, last_id, head)
        else:
            plan = _plan(cur, last_id, head, parts=2 * workers)
    if last_id >= PARALLEL_FROM and workers >= 2:
        # every check reads its part of the file at once: from a cold cache that is
        # scattered reads, so the file is read ahead in order beside them
        import threading

        threading.Thread(target=prefetch, args=(lg.path,), daemon=True).start()
        results = _in_parallel(lg.path, plan, workers)
    return {**_result(results, last_id, last_hash, head), "before_chain": old}


def _once(problems: list[Problem]) -> list[Problem]:
    """The problems, a value of another type named once (check_text names the values no
    check could read for each check that met one)."""
    named: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        # (and any line twice: the deadlines of a complaint whose event's id is unreadable
        # were said by the check and again by its second reading, counted twice)
        said = (p["kind"], str(p["id"]), str(p["stored"])) if p["kind"] == "type" else (
            p["kind"], str(p["id"]), str(p["stored"]), str(p["expected"]), p["detail"])
        if said in named:
            continue
        named.add(said)
        out.append(p)
    return out


def before_chain(cur: sqlite3.Cursor) -> int:
    """How many complaints have steps recorded before the hash chain (an upgraded
    ledger's older events, which record no login): their records are not compared with
    those steps, and the chain over those events is the one `upgrade` worked out from
    them as it found them. verify said OK of such a ledger edited by hand with only a
    note on its deadlines. Read along the events' ids up to the first chained one."""
    (first,) = cur.execute("SELECT min(id) FROM events WHERE login IS NOT NULL").fetchone()
    return int(cur.execute(
        "SELECT count(DISTINCT complaint_id) FROM events WHERE id < ? AND complaint_id IS "
        "NOT NULL", (first if first is not None else 2 ** 63 - 1,)).fetchone()[0])


def unreadable(why: str, code: str | None = None) -> dict[str, Any]:
    """verify's result for a ledger SQLite could not read through (damaged pages, a disk
    that failed): no check could run; the one finding says why (the command's error
    says it too). One that needs an upgrade (`code` needs_upgrade) is said as such, not as
    damage (a monitor sent someone to restore a backup)."""
    found = problem("upgrade", None, why, "ok", N_(
        "the ledger needs an upgrade before it can be checked: {why}"), why=why) \
        if code == "needs_upgrade" else problem(
            "integrity", None, why, "ok", N_("the ledger could not be read: {why}"), why=why)
    return {"ok": False, "head": None, "events": None, "unrecorded": 0, "head_found": None,
            "before_chain": 0, "problems": [found]}


Task = tuple[Any, Any, tuple[Any, ...]]  # (key, check(cur, *args), args)


def _plan(cur: sqlite3.Cursor, last_id: int, head: str | None, parts: int) -> list[Task]:
    """Every check, the chain cut by event id and the deadlines by complaint id into
    `parts` each, the rollups' recount by measure: the longest first, so that each
    worker takes the next one when it is free and the two cores of the 1M demo end
    within seconds of each other. SQLite's integrity_check (a third of the work there,
    one statement) starts first, then the tasks of several seconds each (the
    foreign keys, the chain's parts, the two costliest recounts, the deadlines'
    parts), then the short ones."""
    from complaintctl import rollups

    ids = [last_id * k // parts for k in range(parts + 1)]
    (n,) = cur.execute("SELECT count(*) FROM complaints").fetchone()
    cuts = {row[0] for k in range(1, parts) for row in cur.execute(
        "SELECT id FROM complaints ORDER BY id LIMIT 1 OFFSET ?", (n * k // parts,))}
    bounds: list[str | None] = [None, *sorted(cuts), None]
    # the rollups' recount: the measures of complaints by received day in one pass,
    # each other measure and handling_times apart; costliest first (1M demo, CPU s:
    # stage_done 5, handling 5, the received measures 2.6, resolve_done 2.4, cause
    # and validity 1.5 each)
    others: list[str] = [m for m in ("stage_done", "resolve_done", "cause", "validity")
                         if m in rollups.RECOUNT]
    others += sorted(set(rollups.RECOUNT) - set(others) - set(rollups.RECEIVED))
    recounts: list[Task] = [(("rollups", m), check_rollups, ((m,), False)) for m in others]
    recounts.insert(1, (("rollups", "received"), check_rollups, (rollups.RECEIVED, False)))
    return [("integrity", check_integrity, ()),
            ("foreign_keys", check_foreign_keys, ()),
            *((("chain", i), check_chain_part, (lo, hi, head))
              for i, (lo, hi) in enumerate(zip(ids, ids[1:], strict=False))),
            *((("event_forms", i), check_event_forms, (lo, hi))
              for i, (lo, hi) in enumerate(zip(ids, ids[1:], strict=False))),
            recounts[0],
            (("rollups", "handling"), check_rollups, ((), True)),
            *((("deadlines", i), check_deadlines, (lo, hi))
              for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False))),
            *(((name, i), check, (lo, hi))
              for name, check in (("intake", check_intake), ("records", check_records),
                                  ("contacts", check_contacts),
                                  ("stage_ends", check_stage_ends),
                                  ("progress", check_progress))
              for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False))),
            ("status", check_status, ()),
            ("schema", check_schema, ()),
            ("counters", check_counters, ()),
            ("import_batches", check_import_batches, ()),
            ("rounds", check_rounds, ()),
            ("types", check_types, ()),
            ("last_contact", check_last_contact, ()),
            ("repeat_keys", check_repeat_keys, ()),
            *recounts[1:3],
            ("returns", check_returns, ()),
            ("tallies", check_day_tallies, ()),
            *recounts[3:],
            ("settings", check_settings, ()),
            ("blobs", check_blobs, ())]


def _serially(lg: Ledger, cur: sqlite3.Cursor, last_id: int, head: str | None
              ) -> dict[Any, Any]:
    """Every check in this process: SQLite's in a thread on a connection of its own,
    the others in the snapshot `cur` reads."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        apart = pool.submit(_apart, str(lg.path), "integrity", sqlite_checks, ())
        checks: list[tuple[Any, Any, tuple[Any, ...]]] = [
            (("chain", 0), check_chain_part, (0, last_id, head)),
            (("deadlines", 0), check_deadlines, ()), (("intake", 0), check_intake, ()),
            (("records", 0), check_records, ()), (("contacts", 0), check_contacts, ()),
            (("stage_ends", 0), check_stage_ends, ()), (("progress", 0), check_progress, ()),
            ("schema", check_schema, ()),
            ("counters", check_counters, ()),
            ("import_batches", check_import_batches, ()),
            ("rounds", check_rounds, ()),
            ("types", check_types, ()), (("event_forms", 0), check_event_forms, ()),
            ("status", check_status, ()),
            ("last_contact", check_last_contact, ()),
            ("repeat_keys", check_repeat_keys, ()), ("returns", check_returns, ()),
            ("tallies", check_tallies, ()), ("settings", check_settings, ()),
            ("blobs", check_blobs, ())]
        results: dict[Any, Any] = {key: _guarded(key, check, cur, *args)
                                   for key, check, args in checks}
        results["integrity"] = apart.result()
        results["foreign_keys"] = []
    return results


def _in_parallel(path: Path, plan: list[Task], workers: int) -> dict[Any, Any]:
    """The plan's checks on `workers` processes (spawned, not forked: this process has an
    SQLite connection open), taken in the plan's order, each worker given its next check
    when it sends back its last. Each worker has a pipe of its own and no lock it shares
    with another: one stopped anywhere (Ctrl-C, SIGTERM to the process group) holds up no
    other, and they are killed whatever they were doing. (A multiprocessing.Pool stopped
    so could hang in its join for good, or warn of the semaphores it leaked.)"""
    import multiprocessing
    import signal
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("spawn")
    # the workers never see Ctrl-C or a terminal's hangup (the command stops them), not
    # even while they start: blocked before they are made, a mask they keep
    held = {signal.SIGINT, signal.SIGHUP}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    procs, ends = [], []
    try:
        try:
            for _n in range(min(workers, len(plan))):
                mine, theirs = context.Pipe()
                proc = context.Process(target=_worker, args=(str(path), theirs), daemon=True)
                proc.start()
                theirs.close()
                procs.append(proc)
                ends.append(mine)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
        tasks = iter(plan)
        busy: dict[Any, Any] = {}  # a worker's end -> the key of the check it is doing
        for end in ends:
            task = next(tasks, None)
            if task is not None:
                end.send(task)
                busy[end] = task[0]
        results: dict[Any, Any] = {}
        while busy:
            for ready in cast("list[Connection]", wait(list(busy))):
                try:
                    ok, value = ready.recv()
                except EOFError:  # (killed from outside: said as the check's stop)
                    raise RuntimeError(f"a worker of verify stopped during {busy[ready]!r}"
                                       ) from None
                if not ok:
                    raise value
                results[busy.pop(ready)] = value
                task = next(tasks, None)
                if task is not None:
                    ready.send(task)
                    busy[ready] = task[0]
        for end in ends:
            end.send(None)
        return results
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        for proc in procs:
            proc.join(5)
        for end in ends:
            end.close()


def _worker(path: str, conn: Any) -> None:
    """A worker of _in_parallel: checks as they come, until None (or the pipe closes)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (the command stops it)
    try:
        while (task := conn.recv()) is not None:
            key, check, args = task
            try:
                conn.send((True, _apart(path, key, check, args)))
            except Exception as exc:  # noqa: BLE001 - raised again in the command
                conn.send((False, exc.with_traceback(None)))
    except (EOFError, OSError):  # the command went away
        pass


def _apart(path: str, key: Any, check: Any, args: tuple[Any, ...]) -> Any:
    """One check on a read-only connection of its own, in one snapshot."""
    lg = Ledger.open(Path(path))
    try:
        with lg.read() as cur:
            return _guarded(key, check, cur, *args)
    finally:
        lg.close()


def _result(results: dict[Any, Any], last_id: int, last_hash: str, head: str | None
            ) -> dict[str, Any]:
    """The checks' findings in one order, whichever way they were run: SQLite's, the
    chain's, the head, the records', the settings', the tallies', the files'."""
    def parts(name: str) -> list[Any]:
        return [results[k] for k in sorted(k for k in results
                                           if isinstance(k, tuple) and k[0] == name)]

    from complaintctl import rollups

    chain, deadlines = parts("chain"), parts("deadlines")
    settings_problems, settings_unrecorded = results["settings"]
    problems: list[Problem] = [*results["integrity"], *results["foreign_keys"]]
    problems += [p for part in chain for p in part["problems"]]
    found = next((p["found"] for p in reversed(chain) if p["found"] is not None), None)
    if head is not None and found is None:
        problems.append(problem("head", None, None, head,
                                N_("no event has this hash: the history up to it was "
                                   "rewritten, this copy ends before it (copied without its "
                                   "-wal, an older backup), or it is another ledger's")))
    elif head is not None and any(p["kind"] == "chain" and p["id"] <= found
                                  for part in chain for p in part["problems"]):
        # the event is there, but the history up to it no longer holds (a deleted or
        # edited earlier event): --head promises every link up to it
        problems.append(problem("head", found, None, head, N_(
            "the event with this hash is there, but a link before it is broken: the "
            "history up to it was changed")))
    problems += results["schema"] + results["counters"] + results["rounds"] + results["types"]
    problems += [p for part in parts("event_forms") for p in part]
    problems += results["import_batches"]
    problems += [p for part in parts("intake") for p in part]
    problems += [p for part in parts("records") for p in part]
    problems += [p for part in parts("contacts") for p in part]
    problems += [p for part in parts("stage_ends") for p in part]
    problems += [p for part in parts("progress") for p in part]
    # a key worked out from a customer or product found changed by hand is that finding's
    changed = {p["id"] for p in problems if p["kind"] in ("customer", "product")}
    problems += results["status"] + results["last_contact"]
    problems += [p for p in results["repeat_keys"] if p["id"] not in changed]
    problems += [p for part, _n in deadlines for p in part]
    problems += results["returns"] + settings_problems + results["tallies"]
    if parts("rollups"):
        # the rollups' recount in parts: each part's day_rollups in order (by measure,
        # day, key), each measure in one part, at most MOST of each part; in the order
        # of the measures' names (a stable sort keeps each one's order) the first MOST
        recounted = [r for part in parts("rollups") for r in part]
        rolled = sorted((r for r in recounted if r[0] == "day_rollups"),
                        key=lambda r: r[1].split(" ", 1)[0])
        problems += _rollup_problems(
            rolled[:rollups.MOST] + [r for r in recounted if r[0] != "day_rollups"])
    problems += results["blobs"]
    problems = _once(problems)
    return {"ok": not problems, "head": {"id": last_id, "hash": _text(last_hash) or ""},
            "events": sum(part["events"] for part in chain), "problems": problems,
            "unrecorded": sum(n for _p, n in deadlines) + settings_unrecorded,
            "head_found": None if found is None else {"id": found, "hash": head}}


# --- 1. SQLite ------------------------------------------------------------------------

def sqlite_checks(cur: sqlite3.Cursor) -> list[Problem]:
    return check_integrity(cur) + check_foreign_keys(cur)


def check_integrity(cur: sqlite3.Cursor) -> list[Problem]:
    """SQLite's integrity_check (store.integrity_check): every page and b-tree, every
    index against its table, NOT NULL, CHECK and UNIQUE constraints."""
    return [problem("integrity", None, msg, "ok", "PRAGMA integrity_check")
            for msg in integrity_check(cur)]


def check_foreign_keys(cur: sqlite3.Cursor) -> list[Problem]:
    """SQLite's foreign_key_check (store.foreign_key_violations)."""
    return [problem("foreign_key", f"{table} row {rowid}", None, None,
                    N_("refers to a missing row of {parent}") if key is None else
                    N_("refers to {parent} {key}, which is not there"), parent=parent,
                    key=key)
            for table, rowid, parent, key in foreign_key_violations(cur)]


# --- 2. the hash chain ------------------------------------------------------------------

def check_chain_part(cur: sqlite3.Cursor, lo: int, hi: int, head: str | None
                     ) -> dict[str, Any]:
    """Stream the events lo < id <= hi in id order; each stored hash must be
    store.event_hash of the previous event's stored hash and the row as stored. Returns
    {problems, events, found: the id of the event whose hash is `head`, or None}.

    Since every link is checked against the stored hash before it, the links can be
    checked in parts, each on its own."""
    return _chain_part(cur.connection, lo, hi, head)


def _chain_part(conn: sqlite3.Connection, lo: int, hi: int, head: str | None
                ) -> dict[str, Any]:
    """The links of the events with lo < id <= hi.

    The row is joined in SQL (store.event_hash's text: columns as stored, None as '',
    separated by U+001F) and read as UTF-8 bytes, so Python only hashes it: the columns
    are TEXT, which SQLite hands over as the very UTF-8 bytes event_hash encodes. The
    loop is the cost of the whole check (seven million rows in the demo's largest
    ledger): three columns, the cursor iterated directly, nothing else per row."""
    body = " || char(31) || ".join(f"coalesce({c}, '')" for c in EVENT_COLUMNS)
    sha = hashlib.sha256
    sep = b"\x1f"
    wanted = head.encode("ascii") if head is not None else None
    problems: list[Problem] = []
    n, found = 0, None
    factory = conn.text_factory
    conn.text_factory = bytes
    try:
        first, previous = conn.execute("SELECT id, hash FROM events WHERE id <= ? ORDER BY "
                                       "id DESC LIMIT 1", (lo,)).fetchone() or (0, b"")
        previous = previous or b""
        rows = conn.execute(f"SELECT id, hash, {body} FROM events WHERE id > ? AND id <= ? "
                            "ORDER BY id", (lo, hi))
        event_id = first
        for n, (event_id, stored, text) in enumerate(rows, 1):  # noqa: B007 (n: a count)
            digest = sha(previous + sep + text).hexdigest().encode()
            if stored != digest:
                computed = digest.decode()
                (before,) = conn.execute("SELECT max(id) FROM events WHERE id < ?",
                                         (event_id,)).fetchone()
                # (the record the event is of, named: "chain 919" alone sent the auditor
                # to sqlite3 to find whose history was touched)
                of = conn.execute("SELECT coalesce(return_id, complaint_id) FROM events "
                                  "WHERE id = ?", (event_id,)).fetchone()
                record = _text(of[0]) if of else None
                if not stored:  # (NULL, or blanked to '': no hash either)
                    problems.append(_link(event_id, None, computed, N_("no hash"), record))
                elif (before or 0) < event_id - 1:  # (ids are never reused nor skipped)
                    problems.append(_link(
                        event_id, _text(stored), computed,
                        N_("the event's hash does not follow from the event before it: "
                           "event #{first} is missing") if (before or 0) == event_id - 2 else
                        N_("the event's hash does not follow from the event before it: "
                           "events #{first} to #{last} are missing"), record,
                        first=(before or 0) + 1, last=event_id - 1))
                else:
                    problems.append(_link(
                        event_id, _text(stored), computed,
                        N_("the event's hash does not follow from the event before it"),
                        record))
            if wanted is not None and stored == wanted:  # (no --head: a NULL hash is none)
                found = event_id
            # (a hash blanked: the next link is checked against the hash it should have,
            # or one edit would be two lines, the next event's named though untouched)
            previous = stored or digest
        if n < event_id - first:  # ids skipped where the hashes follow: a chain recomputed
            problems += _missing_events(conn, first, lo, hi, {p["id"] for p in problems})
    finally:
        conn.text_factory = factory
    return {"problems": problems, "events": n, "found": found}


# A broken link's detail, and the same naming the record the event is of.
_OF_RECORD = {
    N_("no hash"): N_("no hash (an event of {record})"),
    N_("the event's hash does not follow from the event before it"):
        N_("the event's hash does not follow from the event before it (an event of "
           "{record})"),
    N_("the event's hash does not follow from the event before it: event #{first} is "
       "missing"):
        N_("the event's hash does not follow from the event before it (an event of "
           "{record}): event #{first} is missing"),
    N_("the event's hash does not follow from the event before it: events #{first} to "
       "#{last} are missing"):
        N_("the event's hash does not follow from the event before it (an event of "
           "{record}): events #{first} to #{last} are missing")}


def _link(event_id: int, stored: str | None, computed: str, detail: str,
          record: str | None, **params: Any) -> Problem:
    """A broken link of the chain: the event's id, and in its detail the complaint or
    return it is of (none: the ledger's own, a setting's)."""
    if record is not None:
        detail, params = _OF_RECORD[detail], {**params, "record": record}
    return problem("chain", event_id, stored, computed, detail, **params)


def _missing_events(conn: sqlite3.Connection, first: int, lo: int, hi: int,
                    named: set[int]) -> list[Problem]:
    """The events missing between `first` (the last id before the part, 0 for none) and
    the ids of lo < id <= hi, where the hash that follows them does not say so already
    (`named`): ids are never skipped nor reused (AUTOINCREMENT; a step rolled back gives
    its id back), so an event deleted and the chain after it recomputed still shows."""
    out: list[Problem] = []
    for event_id, before in conn.execute(
            "SELECT id, before FROM (SELECT id, coalesce(lag(id) OVER (ORDER BY id), ?) AS "
            "before FROM events WHERE id > ? AND id <= ?) WHERE id > before + 1 ORDER BY id",
            (first, lo, hi)):
        if event_id not in named:
            out.append(problem(
                "chain", event_id, None, None,
                N_("event #{first} before this one is missing, its hash left out of the "
                   "chain") if before == event_id - 2 else
                N_("events #{first} to #{last} before this one are missing, their hashes "
                   "left out of the chain"), first=before + 1, last=event_id - 1))
    return out


def _text(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# --- 3. the current state against the events ----------------------------------------------

def check_status(cur: sqlite3.Cursor) -> list[Problem]:
    """Each complaint's status is the one its latest status-bearing event recorded."""
    latest = "CASE e.kind WHEN 'log' THEN 'logged' ELSE json_extract(e.data, '$.status') END"
    sql = ("SELECT id, status, expected FROM (SELECT c.id, c.status, "
           f"(SELECT {latest} FROM events e INDEXED BY events_complaint WHERE "
           f"e.complaint_id = c.id AND e.kind IN {_in(STATUS_KINDS)} AND json_valid(e.data) "
           "ORDER BY e.id DESC LIMIT 1) AS expected FROM complaints c) "
           "WHERE status IS NOT expected ORDER BY id")
    if isinstance(cur, _Unindexed):  # without events_complaint the subquery above scans
        # every event for each complaint: the latest status event of each in one pass
        # (max() takes its row's other columns with it)
        sql = (f"SELECT c.id, c.status, l.expected FROM complaints c LEFT JOIN (SELECT "
               f"e.complaint_id AS cid, {latest} AS expected, max(e.id) FROM events e WHERE "
               f"e.kind IN {_in(STATUS_KINDS)} AND json_valid(e.data) GROUP BY "
               "e.complaint_id) l ON l.cid = c.id WHERE c.status IS NOT l.expected "
               "ORDER BY c.id")
    found = [problem("status", cid, stored, expected,
                     N_("the complaint's status is not the one its latest step recorded")
                     if expected is not None else N_("no event records this complaint's "
                                                     "status"))
             for cid, stored, expected in cur.execute(sql).fetchall()]
    # a complaint's first event is its log: a step before it was moved there (two events
    # swapped and the chain recomputed, which the head kept outside alone exposes, passed
    # when the status came out the same); events from before the chain (no login) aside
    first = ("SELECT c.id, e.kind FROM complaints c JOIN events e ON e.id = (SELECT min(f.id) "
             "FROM events f INDEXED BY events_complaint WHERE f.complaint_id = c.id) WHERE "
             "e.kind <> 'log' AND e.login IS NOT NULL ORDER BY c.id")
    if isinstance(cur, _Unindexed):
        first = ("SELECT c.id, e.kind FROM complaints c JOIN (SELECT complaint_id, min(id) AS "
                 "id FROM events GROUP BY complaint_id) m ON m.complaint_id = c.id JOIN events e "
                 "ON e.id = m.id WHERE e.kind <> 'log' AND e.login IS NOT NULL ORDER BY c.id")
    found += [problem("first_event", cid, kind, "log",
                      N_("the complaint's first event is not its log: its history is out of "
                         "order"))
              for cid, kind in cur.execute(first).fetchall()]
    return found


# The intake fields a complaint's `log` event records and an `amend` event changes: the
# complaint's column holds the latest value they recorded (the contact apart: the events
# hold only a keyed hash of it).
INTAKE_RECORDED = ("severity", "category", "channel", "customer", "product", "region",
                   "order_no", "lot", "quantity", "shipped_on", "demand", "description",
                   "received_at", "logged_at", "source_key", "import_batch")


def check_intake(cur: sqlite3.Cursor, lo: str | None = None, hi: str | None = None
                 ) -> list[Problem]:
    """Each intake field of the complaints lo <= id < hi is the latest value its log and
    amend events recorded. A complaint never amended (nearly all): its log event's
    values, read as one JSON array, against its columns as one (a parse a complaint, no
    grouping). An amended one: the latest value of each field over its log and amend
    events (SQLite's max() takes the row's other columns with it). A complaint with
    events from before the hash chain (an upgraded ledger; they may not record every
    field) is left out. An event whose data is not JSON (the chain check names it) is
    skipped."""
    found = _json_tolerant(_intake_differs, cur, lo, hi)
    old = {cid for cid, *_rest in found if _has_old_events(cur.connection, cid.encode())}
    return [problem(field, cid, have, want,
                    N_("the complaint's field is not the latest value its log and "
                       "amendments recorded"))
            for cid, field, have, want in sorted(found) if cid not in old or want is not None
            ] + _amendments_replayed(cur, lo, hi)


def _amendments_replayed(cur: sqlite3.Cursor, lo: str | None, hi: str | None
                         ) -> list[Problem]:
    """Each amendment of a complaint lo <= id < hi records as a field's old value the one
    its log and the amendments before it left (none when they left none): an old value
    edited, the chain recomputed, made `show` say "severity: medium → critical" under a
    log of high, and verify said OK. Only amended complaints are read, their log and
    amend events in order; an event whose data is not JSON (the chain check names it)
    and a complaint with events from before the hash chain are passed over."""
    bounds, params = _bounds("c.id", lo, hi)
    out: list[Problem] = []
    values: dict[str, Any] | None = None  # the complaint's fields as replayed so far
    sources: dict[str, int] = {}  # the event each of them is from
    complaint = None
    for cid, event_id, kind, data, was in cur.execute(
            "SELECT e.complaint_id, e.id, e.kind, e.data, e.old FROM events e INDEXED BY "
            "events_complaint WHERE e.complaint_id IN (SELECT c.id FROM complaints c WHERE "
            f"1 {bounds}AND EXISTS (SELECT 1 FROM events a INDEXED BY events_complaint WHERE "
            "a.complaint_id = c.id AND a.kind = 'amend')) AND e.kind IN ('log', 'amend') "
            "ORDER BY e.complaint_id, e.id", params):
        if cid != complaint:  # None until its log: passed over while None
            complaint, values = cid, None
            if _has_old_events(cur.connection, str(cid).encode()):
                continue
            values = {}
        if values is None:
            continue
        try:
            recorded, before = json.loads(data), json.loads(was) if was else {}
        except (TypeError, ValueError):
            values = None
            continue
        if not isinstance(recorded, dict) or not isinstance(before, dict):
            values = None
            continue
        if kind == "log":
            values = {k: recorded.get(k) for k in INTAKE_RECORDED}
            sources = dict.fromkeys(INTAKE_RECORDED, event_id)
            continue
        listed = recorded.get("cleared")
        cleared = listed if isinstance(listed, list) else []
        for field in INTAKE_RECORDED:
            if field not in recorded and field not in cleared:
                continue
            if before.get(field) != values.get(field):  # (which of the two was changed,
                # the events cannot tell: both named)
                out.append(problem("event", event_id, before.get(field), values.get(field), N_(
                    "the amendment's old value of {field} is not the value event #{source} "
                    "recorded: one of the two was changed"), field=field,
                    source=sources.get(field, "?")))
            values[field] = None if field in cleared else recorded.get(field)
            sources[field] = event_id
    return out


def _json_tolerant(read: Callable[..., Any], cur: sqlite3.Cursor, lo: str | None,
                   hi: str | None) -> Any:
    """read(cur, lo, hi, valid=…) of events' data: at once, and again skipping the events
    whose data is not JSON (the chain check names them) when SQLite stops at one."""
    try:
        return read(cur, lo, hi, valid="")
    except sqlite3.OperationalError as exc:
        if "JSON" not in str(exc):
            raise
        return read(cur, lo, hi, valid="AND json_valid(e.data) ")


def check_contacts(cur: sqlite3.Cursor, lo: str | None = None, hi: str | None = None
                   ) -> list[Problem]:
    """The contact of each complaint lo <= id < hi is the one its events last recorded:
    the keyed hash (complaints.contact_ref) of its contact and salt is the one its
    latest log or amend event that gave a contact holds; none when none was given, or
    after a forget-contact. A contact changed or wiped by hand was not noticed. A
    problem names the hashes, never the contact. Complaints with events from before
    the hash chain are left out, as check_intake leaves them. One pass over the slice's
    events in the order of events_complaint (by complaint, then id), one over its
    complaints; an event whose data is not JSON (the chain check names it) is skipped."""
    from complaintctl.complaints import contact_ref

    recorded = _json_tolerant(_contacts_recorded, cur, lo, hi)
    bounds, params = _bounds("id", lo, hi)
    found: list[tuple[str, str | None, str | None]] = []
    for cid, contact, salt in cur.execute(
            f"SELECT id, contact, contact_salt FROM complaints WHERE 1 {bounds}", params):
        want = recorded.get(cid)
        have = None if contact is None else contact_ref(salt or "", contact)
        if have != want:
            found.append((cid, have, want))
    return [problem("contact", cid, have, want,
                    N_("the complaint's contact is not the one its events last recorded "
                       "(they hold its keyed hash)"))
            for cid, have, want in found
            if not _has_old_events(cur.connection, cid.encode())]


def _contacts_recorded(cur: sqlite3.Cursor, lo: str | None, hi: str | None, *, valid: str
                       ) -> dict[str, str | None]:
    """check_contacts: complaint -> the contact's hash its events last recorded (None
    after a forget-contact)."""
    bounds, params = _bounds("e.complaint_id", lo, hi)
    latest: dict[str, str | None] = {}
    for cid, kind, ref in cur.execute(
            "SELECT e.complaint_id, e.kind, json_extract(e.data, '$.contact') FROM events e "
            f"INDEXED BY events_complaint WHERE e.complaint_id IS NOT NULL {bounds}AND "
            f"(e.kind IN ('log', 'amend') {valid}OR e.kind = 'forget-contact') "
            "ORDER BY e.complaint_id, e.id", params):
        if kind == "forget-contact":
            latest[cid] = None
        elif ref is not None:
            latest[cid] = ref
    return latest


# When a complaint's stage ends, by the complaint's own columns and step rows (which
# check_intake, check_records and check_status hold to the events): done by the step
# that does it, at its time; void by a void or an amendment; open while nothing has
# done it. A stage row ended or reopened by hand hid a late complaint from `overdue`
# and changed the on-time rates, and verify passed.
_STAGE_DONE_BY = {
    "assign": "s.done_at IS c.assigned_at",
    "investigate": "s.done_at IS c.concluded_at",
    "resolve": "EXISTS (SELECT 1 FROM resolutions r INDEXED BY resolutions_complaint WHERE "
               "r.complaint_id = c.id AND r.round = s.round AND r.at = s.done_at)",
    "revisit": "(EXISTS (SELECT 1 FROM revisits v INDEXED BY revisits_contact WHERE "
               "v.complaint_id = c.id AND v.at = s.done_at AND v.from_status = 'resolved') "
               "OR EXISTS (SELECT 1 FROM events e INDEXED BY events_complaint WHERE "
               "e.complaint_id = c.id AND e.kind = 'close' AND e.at = s.done_at))",
    "second-revisit": "EXISTS (SELECT 1 FROM revisits v INDEXED BY revisits_contact WHERE "
                      "v.complaint_id = c.id AND v.at = s.done_at)",
}
_STAGE_OPEN_WHILE = {
    "assign": "c.assigned_at IS NULL",
    "investigate": "c.concluded_at IS NULL",
    "resolve": "NOT EXISTS (SELECT 1 FROM resolutions r INDEXED BY resolutions_complaint "
               "WHERE r.complaint_id = c.id AND r.round = s.round)",
    "revisit": "c.status = 'resolved'",
    "second-revisit": "c.status = 'closed'",
}


def check_stage_ends(cur: sqlite3.Cursor, lo: str | None = None, hi: str | None = None
                     ) -> list[Problem]:
    """Each stage of the complaints lo <= id < hi ended (or is open) as its complaint's
    steps say (_STAGE_DONE_BY, _STAGE_OPEN_WHILE): done at the time of the step that
    does it; void at the time of a `void` or an `amend` of its complaint; open only
    while none has, and never on a void complaint. A return's inspect and dispose
    stages: done at one of the return's steps, none open once it is closed, inspect
    not open once inspected; void at a correction of its count (return correct: when
    it was entered), or a dispose stage not late yet at goods received after the
    inspection. A
    complaint with events from before the hash chain is left out."""
    bounds, params = _bounds("s.complaint_id", lo, hi)  # (on the index the rows are read by)
    done = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _STAGE_DONE_BY.items())
    open_ = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _STAGE_OPEN_WHILE.items())
    ended = ("EXISTS (SELECT 1 FROM events e INDEXED BY events_complaint WHERE "
             "e.complaint_id = c.id AND e.kind IN ('void', 'amend') AND e.at = s.done_at)")
    found = cur.execute(
        "SELECT c.id, s.stage, s.round, s.done_at, s.outcome FROM stages s "
        "INDEXED BY stages_complaint JOIN complaints c ON c.id = s.complaint_id "
        f"WHERE s.return_id IS NULL {bounds}AND CASE "
        f"WHEN s.done_at IS NULL THEN c.status = 'void' OR NOT CASE s.stage {open_} "
        "ELSE 1 END "
        f"WHEN s.outcome = 'void' THEN NOT {ended} "
        f"ELSE s.outcome IS NOT 'done' OR NOT CASE s.stage {done} ELSE 1 END END",
        params).fetchall()
    rbounds, rparams = _bounds("r.complaint_id", lo, hi)
    step = ("EXISTS (SELECT 1 FROM events e INDEXED BY events_return WHERE e.return_id = "
            "r.id AND e.kind IN ({kinds}) AND e.at = s.done_at)")
    # a stage a correction of the count ended (return correct), not any receipt: to
    # none, which leaves the return authorised (its inspection owed), or down to what has
    # a disposition, which leaves it dispositioned (its disposition owed)
    # -- or a disposition owed, not late yet, that goods received after the inspection
    # ended (the inspection again owes it anew). A correction ends it when it is entered
    # (its clock, at most its recorded_at, or its own time when that is later); one
    # written before 7 December 2026 ended it at its own time, which is still taken (the
    # ledger does not say which complaintctl wrote a correction).
    corrected = ("EXISTS (SELECT 1 FROM events e INDEXED BY events_return WHERE e.return_id = "
                 "r.id AND e.kind = 'return-receive' AND (e.at = s.done_at OR s.done_at > "
                 "e.at AND s.done_at <= e.recorded_at AND s.done_at >= strftime("
                 f"'%Y-%m-%dT%H:%M:%SZ', e.recorded_at, '-{_CORRECTED_WAIT} seconds') AND "
                 "json_valid(e.data) AND json_extract(e.data, '$.correction') IS 1) AND "
                 "json_valid(e.data) AND (json_extract(e.data, '$.correction') IS 1 AND "
                 "(json_extract(e.data, '$.stage') = 'authorised' OR s.stage = 'dispose' AND "
                 "json_extract(e.data, '$.stage') = 'dispositioned') OR "
                 "json_extract(e.data, '$.correction') IS NOT 1 AND s.stage = 'dispose' AND "
                 "json_extract(e.data, '$.stage') = 'received' AND s.started_at <= s.done_at "
                 "AND (s.due_at IS NULL OR s.due_at >= s.done_at)))")
    found += cur.execute(
        "SELECT r.id, s.stage, s.round, s.done_at, s.outcome FROM returns r "
        "INDEXED BY returns_complaint JOIN stages s INDEXED BY stages_return ON "
        f"s.return_id = r.id WHERE s.return_id IS NOT NULL {rbounds}AND CASE "
        "WHEN s.done_at IS NULL THEN r.closed_at IS NOT NULL OR s.stage = 'inspect' AND "
        "r.inspected_at IS NOT NULL "
        "WHEN s.outcome = 'void' THEN NOT " + corrected +
        " WHEN s.stage = 'inspect' THEN NOT " + step.format(
            kinds="'return-inspect', 'return-close'") +
        " ELSE NOT " + step.format(kinds="'return-dispose', 'return-close'") + " END",
        rparams).fetchall()
    out = []
    for rid, stage, round_, done_at, outcome in found:
        if _has_old_events(cur.connection, _complaint_of(cur, rid).encode()):
            continue
        stored = f"{stage} {round_}: " + (f"{outcome} {done_at}" if done_at else "open")
        expected = _stage_end(cur, rid, stage, round_)
        if expected == stored or (stage == "revisit" and _stage_end(
                cur, rid, stage, round_, revisit=True) == stored):
            # the stage is as the steps say: a column it was compared with (a revisit's
            # from_status too) was changed by hand, and its own finding names it
            continue
        out.append(problem("stage", rid, stored, expected, N_(
            "the stage did not end as the steps recorded say: done by the step that does "
            "it, at its time, or open while none has")))
    return out


def _stage_end(cur: sqlite3.Cursor, cid: str, stage: str, round_: int, *,
               revisit: bool = False) -> str | None:
    """How a complaint's assign, investigate or resolve stage ended by its steps' events
    (done at the time of the first assignment, the first investigation that concluded,
    the round's resolution; void at the complaint's voiding; or open), as a stage finding
    shows it: the time a stage's end was moved from (an auditor read "expected —" for a
    late resolution dated on time). From the events, not the complaint's columns: a
    column changed by hand made the untouched stage a finding, "expected" the changed
    value. None for another stage (a revisit's, a return's), one an amendment ended, or
    a round no step opened. With `revisit`, a revisit stage's too (done by the revisit
    or close after its round's resolution), which check_stage_ends reads only to pass
    over a stage whose revisit row's from_status was changed (that row's finding names
    it), and does not show."""
    if stage not in ("assign", "investigate", "resolve", *(("revisit",) if revisit else ())
                     ) or cur.execute(
            "SELECT 1 FROM events e INDEXED BY events_complaint, json_each(e.data, "
            "'$.stages_ended') j WHERE e.complaint_id = ? AND e.kind = 'amend' AND "
            "json_valid(e.data) AND j.value = ? LIMIT 1", (cid, stage)).fetchone():
        return None  # (one an amendment ended: at its time, which the row does not keep)
    steps = cur.execute(
        "SELECT kind, at, json_extract(data, '$.validity'), json_extract(data, "
        "'$.root_cause'), json_extract(data, '$.status'), json_extract(data, '$.round') "
        "FROM events INDEXED BY events_complaint WHERE complaint_id = ? AND kind IN "
        "('assign', 'investigate', 'resolve', 'revisit', 'close', 'void') AND "
        "json_valid(data) ORDER BY id", (cid,)).fetchall()
    # the resolutions, by place in `steps`: (its round as recorded, else by their order)
    resolved = [(i, n or k) for k, (i, n) in enumerate(
        ((i, n) for i, (kind, *_, n) in enumerate(steps) if kind == "resolve"), 1)]
    if stage == "resolve":  # round n: opened by the log or the n-1th reopening revisit
        if round_ > 1 + sum(kind == "revisit" and status == "investigating"
                            for kind, _at, _v, _c, status, _r in steps):
            return None
        done = next((steps[i][1] for i, n in resolved if n == round_), None)
    elif stage == "revisit":  # round n: opened by the round's resolution, done by the
        # revisit (whatever it found) or close that follows it
        opened = next((i for i, n in resolved if n == round_), None)
        if opened is None:
            return None
        done = next((at for kind, at, *_ in steps[opened + 1:] if kind in ("revisit",
                                                                              "close")), None)
    elif stage == "assign":
        done = next((at for kind, at, *_ in steps if kind == "assign"), None)
    else:
        done = next((at for kind, at, validity, cause, *_ in steps if kind == "investigate"
                     and (cause is not None or validity == "not-upheld")), None)
    voided = next((at for kind, at, *_ in steps if kind == "void"), None)
    end = f"done {done}" if done else f"void {voided}" if voided else "open"
    return f"{stage} {round_}: {end}"


def _complaint_of(cur: sqlite3.Cursor, rid: str) -> str:
    """The complaint of a return (a complaint's own id for a complaint)."""
    row = cur.execute("SELECT complaint_id FROM returns WHERE id = ?", (rid,)).fetchone()
    return str(row[0]) if row else rid


# A status step dated before the one it follows (a complaint's or a return's): the bound
# the step was checked against set back by hand and put back, every event genuine; or the
# events themselves put in another order and their chain worked out again (said as the
# bound alone, it sent an auditor to a column nobody had touched).
_STEP_BEFORE = N_("the step is dated before the step it follows: the events were put in "
                  "another order, or its bound (last_step_at) was set back by hand when it "
                  "was taken")


def check_progress(cur: sqlite3.Cursor, lo: str | None = None, hi: str | None = None
                   ) -> list[Problem]:
    """What each complaint lo <= id < hi keeps of its progress, replayed from its
    steps' events in order: `last_step_at` (the bound a next step may not be before:
    the later of its received time and its latest status step; set back by hand, a
    step dated before the steps it follows was taken), `validity` (the latest one an
    investigation gave, or upheld once a root cause was found) and `concluded_at` (the
    first investigation with a root cause or not upheld); and that no status step is
    dated before the one it follows (the bound set back by hand, a step taken before
    it, and the bound put back: every event genuine, a late resolution dated on time).
    Complaints with events from before the hash chain are left out."""
    replayed, disorders, firsts = _json_tolerant(_progress_replayed, cur, lo, hi)
    # the received time its log and amendments recorded (the column changed by hand is
    # named by check_intake: the bound is worked out from what the events say, not from
    # it, which named the untouched last_step_at too)
    recorded = _json_tolerant(_received_replayed, cur, lo, hi)
    bounds, params = _bounds("id", lo, hi)
    out: list[Problem] = [
        problem("step_order", cid, f"#{eid} {kind} {at}", previous, _STEP_BEFORE)
        for cid, eid, kind, at, previous in disorders
        if not _has_old_events(cur.connection, cid.encode())]
    for cid, received, *have in cur.execute(
            "SELECT id, received_at, last_step_at, validity, concluded_at FROM complaints "
            f"WHERE 1 {bounds}", params):
        last, validity, concluded = replayed.get(cid, ("", None, None))
        received = recorded.get(cid) or received  # (as the events say: check_intake
        want = (max(received, last), validity, concluded)  # names the column's change)
        first = firsts.get(cid)
        if first is not None and first[2] < received and not _has_old_events(
                cur.connection, cid.encode()):  # (its bound set back before it was received)
            out.append(problem("step_order", cid, f"#{first[0]} {first[1]} {first[2]}",
                               received, N_("the step is dated before the complaint was "
                                            "received (its bound, last_step_at, was set "
                                            "back by hand when it was taken)")))
        for field, value, expected in zip(("last_step_at", "validity", "concluded_at"), have,
                                          want, strict=True):
            if value != expected and not _has_old_events(cur.connection, cid.encode()):
                out.append(problem(field, cid, value, expected,
                                   N_("the complaint's field is not what its events "
                                      "recorded")))
    return out


def _received_replayed(cur: sqlite3.Cursor, lo: str | None, hi: str | None, *, valid: str
                       ) -> dict[str, str]:
    """check_progress: complaint -> the received time its latest log or amend event that
    gave one recorded."""
    bounds, params = _bounds("e.complaint_id", lo, hi)
    return dict(cur.execute(
        "SELECT e.complaint_id, json_extract(e.data, '$.received_at') FROM events e "
        f"INDEXED BY events_complaint WHERE e.complaint_id IS NOT NULL {bounds}AND e.kind IN "
        f"('log', 'amend') {valid}AND json_extract(e.data, '$.received_at') IS NOT NULL "
        "ORDER BY e.complaint_id, e.id", params).fetchall())


def _progress_replayed(cur: sqlite3.Cursor, lo: str | None, hi: str | None, *, valid: str
                       ) -> tuple[dict[str, tuple[str, str | None, str | None]],
                                  list[tuple[str, int, str, str, str]],
                                  dict[str, tuple[int, str, str]]]:
    """check_progress: complaint -> (its latest status step's time, validity,
    concluded_at) from its events, in the order of events_complaint; and the status
    steps dated before the latest one before them: (complaint, event id, kind, at, the
    latest before); and each complaint's first status step (id, kind, at)."""
    bounds, params = _bounds("e.complaint_id", lo, hi)
    out: dict[str, tuple[str, str | None, str | None]] = {}
    disorders: list[tuple[str, int, str, str, str]] = []
    firsts: dict[str, tuple[int, str, str]] = {}
    for cid, eid, kind, at, validity, cause in cur.execute(
            "SELECT e.complaint_id, e.id, e.kind, e.at, CASE e.kind WHEN 'investigate' THEN "
            "json_extract(e.data, '$.validity') END, CASE e.kind WHEN 'investigate' THEN "
            "json_extract(e.data, '$.root_cause') END FROM events e INDEXED BY "
            f"events_complaint WHERE e.complaint_id IS NOT NULL {bounds}AND e.kind IN "
            f"{_in(STATUS_STEPS)} {valid}ORDER BY e.complaint_id, e.id", params):
        last, was, concluded = out.get(cid, ("", None, None))
        if not last:
            firsts[cid] = (eid, kind, at)
        elif at < last:
            disorders.append((cid, eid, kind, at, last))
        if kind == "investigate":
            if validity is not None:
                was = validity
            elif cause and was is None:
                was = "upheld"
            if concluded is None and (cause is not None or validity == "not-upheld"):
                concluded = at
        out[cid] = (max(last, at), was, concluded)
    return out, disorders, firsts


def _intake_differs(cur: sqlite3.Cursor, lo: str | None, hi: str | None, *, valid: str
                    ) -> list[tuple[str, str, Any, Any]]:
    """check_intake's differences: (id, field, stored, recorded)."""
    bounds, params = _bounds("c.id", lo, hi)
    amended = ("SELECT 1 FROM events a INDEXED BY events_complaint WHERE a.complaint_id = "
               "c.id AND a.kind = 'amend'")
    paths = ", ".join(f"'$.{k}'" for k in INTAKE_RECORDED)
    columns = ", ".join(f"c.{k}" for k in INTAKE_RECORDED)
    out: list[tuple[str, str, Any, Any]] = []
    for cid, have, want in cur.execute(
            f"SELECT c.id, json_array({columns}), json_extract(e.data, {paths}) FROM "
            "complaints c JOIN events e INDEXED BY events_complaint ON e.complaint_id = c.id "
            f"AND e.kind = 'log' {valid}WHERE 1 {bounds}AND NOT EXISTS ({amended}) AND "
            f"json_extract(e.data, {paths}) IS NOT json_array({columns})", params):
        out += [(cid, k, h, w) for k, h, w in zip(INTAKE_RECORDED, json.loads(have),
                                                    json.loads(want), strict=True) if h != w]
    stored = "CASE g.k " + " ".join(f"WHEN '{k}' THEN c.{k}" for k in INTAKE_RECORDED) + \
        " END"
    # each value recorded, and each field an amend emptied ("cleared": [field …]) as NULL
    mine = (f"e.complaint_id IN (SELECT c.id FROM complaints c WHERE 1 {bounds}AND EXISTS "
            f"({amended}))")
    out += cur.execute(
        f"SELECT g.cid, g.k, {stored} AS s, g.v FROM (SELECT cid, k, v, max(id) FROM ("
        "SELECT e.complaint_id AS cid, j.key AS k, j.value AS v, e.id AS id FROM events e "
        f"INDEXED BY events_complaint, json_each(e.data) j WHERE {mine} AND e.kind IN "
        f"('log', 'amend') {valid}AND j.key IN {_in(INTAKE_RECORDED)} UNION ALL "
        "SELECT e.complaint_id, j.value, NULL, e.id FROM events e INDEXED BY "
        f"events_complaint, json_each(e.data, '$.cleared') j WHERE {mine} AND e.kind = "
        f"'amend' {valid}AND j.value IN {_in(INTAKE_RECORDED)}) GROUP BY cid, k) g "
        "JOIN complaints c ON c.id = g.cid WHERE s IS NOT g.v", params * 2).fetchall()
    return out


# --- every value of its column's type -------------------------------------------------------

# A TEXT column turns any number given to it into text (its affinity): only numbers
# and bytes can be of another type than their column's. (Bytes in a TEXT column, which
# its affinity keeps, are named here, a look at every text value that costs verify about
# 8 %; text whose bytes are not UTF-8 by check_text, when a check meets it.)
_TYPES = {"INTEGER": ("integer",), "BLOB": ("blob",), "REAL": ("real", "integer"),
          # (a TEXT column turns a number into text: what else it can hold is bytes, a BLOB
          # put there by hand, which every command would read as bytes and compare with
          # text: a deadline so was no deadline to overdue)
          "TEXT": ("text",)}
# The values of the wrong type named, at most, in each table.
_TYPES_MOST = 100


# Every kind of event complaintctl writes (tests/test_verify.py: every step's is here).
EVENT_KINDS = frozenset((
    *STATUS_KINDS, *RETURN_KINDS, *SETTINGS_KINDS, "amend", "forget-contact", "action-add",
    "action-done", "action-verify", "note", "attach", "repeat-link", "demo", "import",
    "import-void"))
# The events not of a form the tool writes named, at most.
_FORMS_MOST = 100


def check_event_forms(cur: sqlite3.Cursor, lo: int = 0, hi: int | None = None
                      ) -> list[Problem]:
    """Every event from the first that records a login on (an upgraded ledger's older
    ones have none, and are left out) records one, is of a kind complaintctl writes,
    names who took the step, its `at` and `recorded_at` are instants as stored
    (2026-11-20T03:00:00Z), and its `data` and `old` are JSON: an event appended by hand
    with its hash worked out passed the chain (kind delete-everything, no actor, no
    login, at "2099-13-45 later"), and show listed it; one edited into what is not JSON,
    the chain worked out again, was named nowhere. One pass over the events
    lo < id <= hi (None: no bound) in SQLite."""
    (first,) = cur.execute("SELECT min(id) FROM events WHERE login IS NOT NULL").fetchone()
    if first is None:
        return []  # (a ledger from before the chain: its events record no login)
    # a demo ledger's events are made up, and its second demo recorded no login before
    # 6 December 2026: in a ledger with the demo's mark none is a finding (a real one
    # with that mark is named by the settings check)
    demo = cur.execute("SELECT 1 FROM settings WHERE key = ?", (DEMO_MARK,)).fetchone()
    marks = ", ".join("?" * len(EVENT_KINDS))
    bad_at, bad_recorded = (f"{_AS_STORED.format(c)} IS NOT {c}" for c in ("at", "recorded_at"))
    # what is not JSON, as its bytes (a text that is no UTF-8 read as bytes too)
    bad_json = [f"CASE WHEN {c} IS NULL OR json_valid({c}) THEN NULL ELSE CAST({c} AS BLOB) "
                "END" for c in ("data", "old")]
    found = cur.execute(
        f"SELECT id, kind, actor, at, recorded_at, login, {', '.join(bad_json)}, {bad_at}, "
        f"{bad_recorded} FROM events "
        f"WHERE id >= ? AND id > ? AND id <= ? AND ("
        f"{'' if demo else 'login IS NULL OR trim(login) = ? OR '}"
        f"kind NOT IN ({marks}) OR trim(coalesce(actor, '')) = '' OR {bad_at} OR "
        f"{bad_recorded} OR NOT json_valid(data) OR (old IS NOT NULL AND NOT json_valid(old))) "
        f"ORDER BY id LIMIT {_FORMS_MOST}",
        (first, lo, hi if hi is not None else 2 ** 63 - 1, *([] if demo else [""]),
         *sorted(EVENT_KINDS))).fetchall()
    out: list[Problem] = []
    for eid, kind, actor, at, recorded, login, data, old, *bad in found:
        # (none would also leave its complaint out of the checks an old one is; a blank
        # one, " ", names nobody either: it passed)
        if (login is None or not login.strip()) and not demo:
            out.append(problem("event", eid, None, None, N_(
                "the event records no login: only events from before the hash chain, "
                "older than the first with one, have none")))
        if kind not in EVENT_KINDS:
            out.append(problem("event", eid, kind, None, N_("not a kind of event "
                                                            "complaintctl writes")))
        if not (actor or "").strip():
            out.append(problem("event", eid, actor, None, N_("the event names no actor")))
        # (each named by its column: two such times were two lines alike)
        for column, value, not_stored in zip(("at", "recorded_at"), (at, recorded), bad,
                                             strict=True):
            if not_stored:
                out.append(problem("event", eid, value, None, N_(
                    "the event's {column} is not an instant as complaintctl stores one"),
                    column=column))
        # (show read it as "unreadable", and the checks that read it skipped it)
        for column, value in (("data", data), ("old", old)):
            if value is not None:
                out.append(problem("event", eid, _cut(_text(value)), None, N_(
                    "the event's {column} is not valid JSON"), column=column))
    return out


def _cut(value: str | None, most: int = 60) -> str | None:
    """A value shown on a line of its own, at most `most` characters of it."""
    return value if value is None or len(value) <= most else value[:most - 1] + "…"


# An instant as SQLite writes it back (parse.iso's form), through its day number (the
# modifier: without one it writes the fields as read): julianday() alone took
# 2026-11-31 (as 1 December), 24:00:00 and a lower-case z for times
_AS_STORED = "strftime('%Y-%m-%dT%H:%M:%SZ', {}, '+0 seconds')"


def check_types(cur: sqlite3.Cursor) -> list[Problem]:
    """Every value of every column is of the type the column is declared with (or NULL):
    SQLite keeps what it is given, and a number written as text, or text into a
    quantity, by hand stops the figures and the other checks that read it."""
    out: list[Problem] = []
    conn = cur.connection
    # the events too (the hash chain reads their values as bytes: a BLOB of the same bytes
    # hashes the same), not the stored files' bytes (their sha256)
    for (table,) in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                "name NOT LIKE 'sqlite_%' AND name != 'blob_chunks' "
                                "ORDER BY name").fetchall():
        info = conn.execute(f"PRAGMA table_info({table})").fetchall()
        typed = [(name, _TYPES[decl.upper()]) for _cid, name, decl, *_rest in info
                 if decl.upper() in _TYPES]
        keys = _key_columns(info)
        if not typed:
            continue
        where = " OR ".join(f"typeof({name}) NOT IN {_in((*kinds, 'null'))}"
                            for name, kinds in typed)
        rows = conn.execute(
            f"SELECT {', '.join(keys)}, {', '.join(f'typeof({n})' for n, _k in typed)} "
            f"FROM {table} WHERE {where} LIMIT {_TYPES_MOST}").fetchall()
        for row in rows:
            row_key, types = _key_said(row[:len(keys)]), row[len(keys):]
            out += [problem("type", f"{table} {row_key} {name}", have, kinds[0],
                            N_("a value of another type than its column's"))
                    for (name, kinds), have in zip(typed, types, strict=True)
                    if have not in (*kinds, "null")]
        if len(rows) == _TYPES_MOST:  # (the rest counted, not listed: "101 problems found"
            # of 2,000 rows changed sent someone to restore 100)
            (more,) = conn.execute(f"SELECT count(*) - {_TYPES_MOST} FROM {table} "
                                   f"WHERE {where}").fetchone()
            if more:
                out.append(problem("type", table, f"{more:,}", None, N_(
                    "{n} more rows of this table hold a value of another type than its "
                    "column's (the first {most} are listed)"), n=f"{more:,}", most=_TYPES_MOST))
    return out


# The columns that hold what identifies a person: masked where verify shows them.
_PERSONAL = frozenset(("contact",))


def check_text(cur: sqlite3.Cursor) -> list[Problem]:
    """Every value of a TEXT column that is not text Python can read: bytes that are not
    UTF-8, or bytes stored as such (a BLOB, which a TEXT column keeps), by table, row and
    column (at most _TYPES_MOST a table). Read as bytes, every row of every table: run
    only when a check met one (_guarded)."""
    out: list[Problem] = []
    conn = cur.connection
    factory = conn.text_factory
    conn.text_factory = bytes
    try:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "AND name NOT LIKE 'sqlite_%' AND name != 'blob_chunks' "
                                     "ORDER BY name").fetchall():
            table = _text(table)
            info = [tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                          for v in row)
                    for row in conn.execute(f"PRAGMA table_info({table})").fetchall()]
            texts = [str(name) for _cid, name, decl, *_rest in info
                     if str(decl).upper() == "TEXT"]
            if not texts:
                continue
            keys = _key_columns(info)
            found = 0
            for row in _rows(conn.execute(
                    f"SELECT {', '.join(keys)}, {', '.join(f'{t}, typeof({t})' for t in texts)} "
                    f"FROM {table}")):
                where = _key_said(row[:len(keys)])
                values = row[len(keys):]
                for name, value, kind in zip(texts, values[::2], values[1::2], strict=True):
                    if not isinstance(value, bytes):
                        continue
                    if kind == b"blob":
                        out.append(problem("type", f"{table} {where} {name}", "blob",
                                           "text", N_("a value of another type than its "
                                                      "column's")))
                        found += 1
                        continue
                    try:
                        value.decode("utf-8")
                    except UnicodeDecodeError:
                        said = _replaced(value)
                        if name in _PERSONAL:  # (verify's output is mailed from cron)
                            from complaintctl.parse import mask

                            said = mask(said) or said
                        out.append(problem("type", f"{table} {where} {name}",
                                           said, "text", N_(
                                               "text whose bytes are not UTF-8 (changed by "
                                               "hand, or damaged on the disk); shown with "
                                               "them replaced by \ufffd")))
                        found += 1
                if found >= _TYPES_MOST:
                    break
    finally:
        conn.text_factory = factory
    return out


def _key_columns(info: list[tuple[Any, ...]]) -> list[str]:
    """The columns a table's row is named by (check_types, check_text): its primary key's,
    else rowid. Each read apart: json_array of a key holding bytes stopped the check."""
    return [str(name) for _cid, name, _decl, _nn, _default, pk in
            sorted(info, key=lambda r: r[5]) if pk] or ["rowid"]


def _key_said(values: tuple[Any, ...]) -> str:
    """A row's key as a problem names it: its values apart, bytes read as text (so both
    checks name a BLOB key alike, and verify says it once: _once)."""
    return " ".join(_replaced(k) if isinstance(k, bytes) else str(k) for k in values)


class _Unindexed:
    """A cursor whose statements read without the indexes named (`INDEXED BY` taken out):
    a check reads along the index it names, and one dropped behind the tool's back
    stopped the checks of statuses, amounts, deadlines and contacts too, which hid a
    status changed beside it. Slower, as whole scans; the schema's line names the index."""

    def __init__(self, cur: Any, names: list[str]):
        self._cur, self._names = cur, names
        self._unnamed = re.compile(r"\s+INDEXED\s+BY\s+(?:{})\b".format(
            "|".join(map(re.escape, names))))

    @property
    def connection(self) -> Any:  # (a check that reads through its cursor's connection)
        return _Unindexed(self._cur.connection, self._names)

    def execute(self, sql: str, *args: Any) -> Any:
        return self._cur.execute(self._unnamed.sub("", sql), *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        return self._cur.executemany(self._unnamed.sub("", sql), *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)

    def __setattr__(self, name: str, value: Any) -> None:  # (text_factory: the wrapped one's)
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._cur, name, value)


def _guarded(key: Any, check: Any, *args: Any) -> Any:
    """A check's result; one that stops at a value of another type than its column's
    (which check_types names) is a problem rather than a failure of verify: the other
    checks still run and the report is still written. An index missing (which
    check_schema names) is read without (_Unindexed). Text whose bytes are not UTF-8
    (a hand edit, a byte the disk flipped), which Python cannot read as text, is read
    with those bytes replaced (U+FFFD), and named by table, row and column (check_text):
    one such value stopped every check, said as SQL text, "cannot use ledger"."""
    missing: list[str] = []
    lenient = False
    while True:
        try:
            cur = _Unindexed(args[0], missing) if missing else args[0] if args else None
            if not lenient:
                result = check(*((cur, *args[1:]) if args else ()))
                if args and any(p.get("_bytes") for p in _problems_in(key, result)):
                    return _with_problems(key, result, check_text(args[0]))
                return result
            conn = args[0].connection
            factory = conn.text_factory
            conn.text_factory = _replaced
            try:
                return _with_problems(key, check(cur, *args[1:]), check_text(args[0]))
            finally:
                conn.text_factory = factory
        except sqlite3.OperationalError as exc:
            if str(exc).startswith(UNREADABLE) and args and not lenient:
                lenient = True  # (bytes where text was expected stop it again: said)
                continue
            gone = re.match(r"no such index: (\w+)", str(exc))
            if gone is None or gone[1] in missing or not args or not _unindexed_fits(args[0]):
                failed: BaseException = exc
                break
            missing.append(gone[1])
        except (TypeError, AttributeError, ValueError, ArithmeticError) as exc:
            failed = exc  # (bytes met by code that takes text: 'bytes' has no .encode)
            break
    found = _stopped(key, failed)
    return _with_problems(key, found, check_text(args[0])) if lenient else found




def _replaced(data: bytes) -> str:
    """A text_factory: text whose bytes are not UTF-8 read with them replaced."""
    return data.decode("utf-8", "replace")


def _problems_in(key: Any, result: Any) -> list[Problem]:
    """The problems of a check's result (in its shape: see _stopped)."""
    name = key[0] if isinstance(key, tuple) else key
    if name == "chain":
        return list(result["problems"])
    if name in ("deadlines", "settings"):
        return list(result[0])
    if name == "rollups":  # (its recount's rows, not problems)
        return []
    return [p for p in result if isinstance(p, dict)]


def _with_problems(key: Any, result: Any, more: list[Problem]) -> Any:
    """A check's result (in its shape: see _stopped) with the problems `more` added."""
    name = key[0] if isinstance(key, tuple) else key
    if name == "chain":
        return {**result, "problems": [*result["problems"], *more]}
    if name in ("deadlines", "settings"):
        return [*result[0], *more], result[1]
    return [*result, *more]


# The most events a ledger may hold for a check to read it without an index it names: a
# correlated subquery then scans every event for each row (a return's events without
# events_return: 2 min 49 s at 20,000 complaints, hours at a million), so a larger one's
# check stops at the missing index, which the schema's line names.
_UNINDEXED_MOST = 50_000


def _unindexed_fits(cur: Any) -> bool:
    (last,) = cur.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
    return bool(last <= _UNINDEXED_MOST)


def _stopped(key: Any, exc: BaseException) -> Any:
    """_guarded's problem for a check that stopped (any other failure raised again)."""
    if isinstance(exc, sqlite3.OperationalError) and not str(exc).startswith(
            ("no such index", "no such table", *UNREADABLE)):
        raise exc
    name = key[0] if isinstance(key, tuple) else key
    schema = isinstance(exc, sqlite3.OperationalError) and not str(exc).startswith(UNREADABLE)
    # (SQLite's words name what is missing; Python's about a value are no one's business:
    # "AttributeError: 'bytes' object has no attribute 'encode'", said to an auditor)
    found = problem("check", name, f"{type(exc).__name__}: {exc}" if schema else None,
                    None, N_(
        "this check stopped at part of the schema that is missing (see the schema's "
        "lines)") if schema else N_(
        "this check stopped at a value it cannot read (see the values of another type "
        "than their column's)"))
    if name == "chain":
        return {"problems": [found], "events": 0, "found": None}
    if name in ("deadlines", "settings"):
        return [found], 0
    return [found]


# --- the rows of the steps, both ways ------------------------------------------------------

def _money(column: str) -> str:
    """A column of cents as its events write the amount ("12.50"); 0 as no amount."""
    return (f"CASE WHEN {column} IS NULL OR {column} = 0 THEN NULL ELSE printf('%d.%02d', "
            f"{column} / 100, {column} % 100) END")


_INVESTIGATED = ("finding", "validity", "reason", "root_cause", "cause_category",
                 "responsibility", "supplier", "containment", "corrective", "preventive")


def _j(*paths: str) -> list[str]:
    return [f"json_extract(e.data, '$.{p}')" for p in paths]


def _fields(*paths: str, money: tuple[str, ...] = ()) -> str:
    """An event's actor and the values at `paths` as one text, as _cells writes a row's
    (one JSON parse for all of them); `money`: amounts, "0.00" read as none."""
    text = "e.actor"
    if paths:
        text += (" || x'1f' || json_extract(e.data, " + ", ".join(f"'$.{p}'" for p in paths)
                 + ")" if len(paths) > 1 else f" || x'1f' || json_array({_j(*paths)[0]})")
    for p in money:
        text += f" || x'1f' || coalesce(nullif(json_extract(e.data, '$.{p}'), '0.00'), '')"
    return text


def _cells(actor: str, *columns: str, money: tuple[str, ...] = ()) -> str:
    """A row's actor and columns as one text, as _fields writes an event's."""
    text = actor
    if columns:
        text += f" || x'1f' || json_array({', '.join(columns)})"
    for column in money:
        text += f" || x'1f' || coalesce({_money(column)}, '')"
    return text


# The tables of rows a return's step leaves (their complaint is the return's).
_OF_RETURNS = ("return_receipts", "return_dispositions")


class _RowEvent(NamedTuple):
    """A kind of row a step leaves beside its event (see _ROW_EVENTS)."""

    kind: str  # the event's
    table: str  # the row's table, its key and its values as SQL over `r`
    key: str
    values: str
    event_key: str  # the event's key and values, as SQL over `e`
    event_values: str
    where: str = "1"  # which rows of the table are of this kind
    names: tuple[str, ...] = ()  # the columns of `values`, in order (who first)

    @property
    def cid(self) -> str:
        """The row's complaint, as SQL."""
        return "t.complaint_id" if self.table in _OF_RETURNS else "r.complaint_id"

    @property
    def rows(self) -> str:
        """FROM … WHERE …, with {bounds} on `cid`."""
        join = " JOIN returns t ON t.id = r.return_id" if self.table in _OF_RETURNS else ""
        return f" FROM {self.table} r{join} WHERE {self.where} {{bounds}}"


# Each row a step leaves beside its event, and that event. A row and an event of one
# complaint match when kind, key (the instant, and the record's own number or return
# where it has one) and values (who, and what the step recorded) are the same; every row
# must have its event and every event its row, so a row changed, added or deleted by hand
# is found (the reports count from these rows).
_ROW_EVENTS: tuple[_RowEvent, ...] = (
    _RowEvent("assign", "assignments", "json_array(r.at)",
              _cells("r.actor", "r.department", "r.owner", "r.note"), "json_array(e.at)",
              _fields("department", "owner", "note"),
              names=("actor", "department", "owner", "note")),
    _RowEvent("investigate", "investigations", "json_array(r.at)",
              _cells("r.actor", *(f"r.{k}" for k in _INVESTIGATED)), "json_array(e.at)",
              _fields(*_INVESTIGATED), names=("actor", *_INVESTIGATED)),
    # (its round too: the round a reopened complaint's resolution is counted in, and its
    # handling time's, as the resolve event records it)
    _RowEvent("resolve", "resolutions", "json_array(r.at)",
              _cells("r.actor", "r.disposition", "r.approved_by", "r.summary", "r.currency",
                     "r.round", money=("r.amount",)), "json_array(e.at)",
              _fields("disposition", "approved_by", "summary", "currency", "round",
                      money=("amount",)),
              names=("actor", "disposition", "approved_by", "summary", "currency", "round",
                     "amount")),
    # (and the state it left the complaint in and the one it found, which the closings
    # and reopenings are counted by: the status its event records, and its old one)
    _RowEvent("revisit", "revisits", "json_array(r.at)",
              _cells("r.actor", "r.satisfaction", "r.method", "r.note",
                     "CASE r.demand_met WHEN 1 THEN json('true') WHEN 0 THEN json('false') "
                     "END", "r.to_status") + " || x'1f' || json_array(r.from_status)",
              "json_array(e.at)",
              _fields("satisfaction", "method", "note", "demand_met", "status") +
              " || x'1f' || json_array(json_extract(e.old, '$.status'))",
              names=("actor", "satisfaction", "method", "note", "demand_met", "to_status",
                     "from_status")),
    _RowEvent("return-receive", "return_receipts", "json_array(r.at, r.return_id)",
              _cells("r.actor", "r.qty", "r.note"), "json_array(e.at, e.return_id)",
              _fields("qty", "note"), names=("actor", "qty", "note")),
    _RowEvent("return-dispose", "return_dispositions", "json_array(r.at, r.return_id)",
              _cells("r.actor", "r.action", "r.qty", "r.note",
                     money=("r.cost_of_loss", "r.repair_cost")),
              "json_array(e.at, e.return_id)",
              _fields("action", "qty", "note", money=("cost_of_loss", "repair_cost")),
              names=("actor", "action", "qty", "note", "cost_of_loss", "repair_cost")),
    _RowEvent("note", "notes", "json_array(r.id, r.at, r.return_id)",
              _cells("r.actor", "r.kind", "r.text"),
              f"json_array({_j('note')[0]}, e.at, e.return_id)", _fields("kind", "text"),
              names=("actor", "kind", "text")),
    _RowEvent("attach", "attachments", "json_array(r.id, r.at, r.return_id)",
              _cells("r.actor", "r.sha256", "r.name", "r.size", "r.type", "r.note"),
              f"json_array({_j('attachment')[0]}, e.at, e.return_id)",
              _fields("sha256", "name", "size", "type", "note"),
              names=("actor", "sha256", "name", "size", "type", "note")),
    _RowEvent("action-add", "actions", "json_array(r.id, r.created_at)",
              _cells("r.created_by", "r.text", "r.owner", "r.due_at"),
              f"json_array({_j('action')[0]}, e.at)", _fields("text", "owner", "due_at"),
              names=("created_by", "text", "owner", "due_at")),
    _RowEvent("action-done", "actions", "json_array(r.id, r.done_at)", "r.done_by",
              f"json_array({_j('action')[0]}, e.at)", _fields(),
              where="r.done_at IS NOT NULL", names=("done_by",)),
    _RowEvent("action-verify", "actions", "json_array(r.id, r.verified_at)",
              _cells("r.verified_by", "r.verify_note"),
              f"json_array({_j('action')[0]}, e.at)", _fields("note"),
              where="r.verified_at IS NOT NULL", names=("verified_by", "verify_note")),
)
_TABLE_OF = {r.kind: r.table for r in _ROW_EVENTS}
_NAMES_OF = {r.kind: r.names for r in _ROW_EVENTS}

# What the complaint's own columns take from its events, folded in order (_replay): who
# logged it, the one it repeats, its assignment, reopenings, closing and voiding, and
# what its steps left on it (the latest revisit's satisfaction, the latest
# resolution's disposition, amount, time, approver, summary and currency, each finding of
# the investigation as the latest investigate event that gave it recorded it).
_FOUND = ("root_cause", "cause_category", "responsibility", "supplier")
# The latest resolution's approver, summary and currency: folded as one value (the JSON
# array its event's data gives for them, and the row's as one; _RESOLVED), named apart.
_RESOLVED_AS = ("approved_by", "resolution_summary", "currency")
_FOLDED = ("logged_by", "repeat_of", "assigned_at", "department", "owner", "reopen_count",
           "closed_at", "close_reason", "voided_at", "void_reason", "satisfaction",
           "disposition", "amount", "resolved_at", "resolved", *_FOUND)
# Each kind's values for _replay, as up to four columns.
_FOLD_DATA: dict[str, tuple[str, ...]] = {
    "log": (*_j("logged_by", "repeat_of"), "json_type(e.data, '$.logged_by')"),
    "repeat-link": tuple(_j("repeat_of")),
    "assign": ("e.at", *_j("department", "owner")),
    "revisit": ("e.at", *_j("status"), "json_extract(e.old, '$.status')",
                *_j("satisfaction")),
    "close": ("e.at", *_j("reason"), "json_extract(e.old, '$.status')"),
    "void": ("e.at", *_j("reason")),
    "resolve": (*_j("disposition", "amount"), "e.at",
                "json_extract(e.data, '$.approved_by', '$.summary', '$.currency')"),
    "investigate": tuple(_j(*_FOUND)),
}
# Complaints a range is read in, at most (the rows and events of that many in memory).
_RECORDS_SLICE = 20_000


def check_records(cur: sqlite3.Cursor, lo: str | None = None, hi: str | None = None
                  ) -> list[Problem]:
    """The complaints lo <= id < hi: every row of their steps (assignments,
    investigations, resolutions, revisits, receipts, dispositions, notes, attachments,
    CAPA items) against the events that recorded it, both ways (_ROW_EVENTS), and their
    own columns that steps set (_FOLDED) against their events replayed. Read a slice
    of complaints at a time. Complaints with events from before the hash chain (an
    upgraded ledger: they may not record everything) are left out."""
    out: list[Problem] = []
    for a, b in _slices(cur, lo, hi):
        try:
            out += _records_between(cur.connection, a, b, valid="")
        except sqlite3.OperationalError as exc:  # an event that is not JSON: read around it
            if "JSON" not in str(exc):
                raise
            out += _records_between(cur.connection, a, b, valid=(
                "WHEN NOT json_valid(e.data) OR NOT json_valid(coalesce(e.old, '{}')) THEN "
                "NULL "))
    return out


def _slices(cur: sqlite3.Cursor, lo: str | None, hi: str | None
            ) -> Iterator[tuple[str | None, str | None]]:
    """lo..hi cut into ranges of complaint ids of at most _RECORDS_SLICE complaints."""
    start = lo
    while True:
        bounds, params = _bounds("id", start, hi)
        row = cur.execute(f"SELECT id FROM complaints WHERE 1 {bounds}ORDER BY id LIMIT 1 "
                          "OFFSET ?", (*params, _RECORDS_SLICE)).fetchone()
        if row is None:
            yield start, hi
            return
        yield start, row[0]
        start = row[0]


def _records_between(conn: sqlite3.Connection, lo: str | None, hi: str | None, *,
                     valid: str) -> list[Problem]:
    """check_records of the complaints lo <= id < hi. `valid`: a CASE branch that leaves
    out an event whose data is not JSON (the chain check names it), or "" when every
    event's is (a JSON check of each costs as much as reading it). Counted and compared
    in C (Counter, tuples) while all holds; worked through in Python only when not."""
    from operator import itemgetter

    kinds = tuple(dict.fromkeys((*(r.kind for r in _ROW_EVENTS), *_FOLD_DATA)))
    bounds, params = _bounds("e.complaint_id", lo, hi)

    def case(values: dict[str, str]) -> str:
        return f"CASE {valid}" + " ".join(f"WHEN e.kind = '{k}' THEN {v}"
                                            for k, v in values.items()) + " END"

    # an event as one text: complaint, kind, key, values (a row's, the same way)
    entry = case({r.kind: f"e.complaint_id || x'1e' || e.kind || x'1e' || {r.event_key} || "
                          f"x'1e' || {r.event_values}" for r in _ROW_EVENTS})
    folds = [case({k: sql[i] for k, sql in _FOLD_DATA.items() if len(sql) > i})
             for i in range(4)]
    events = conn.execute(
        f"SELECT e.complaint_id, e.kind, e.login, {entry}, {', '.join(folds)} FROM events e "
        f"INDEXED BY events_complaint WHERE e.complaint_id IS NOT NULL {bounds}AND "
        f"(e.kind IN {_in(kinds)} OR e.login IS NULL) ORDER BY e.complaint_id, e.id",
        params).fetchall()
    recorded = Counter(map(itemgetter(3), events))
    recorded.pop(None, None)
    rows: Counter[str] = Counter()
    for r in _ROW_EVENTS:
        rbounds, rparams = _bounds(r.cid, lo, hi)
        rows.update(map(itemgetter(0), conn.execute(
            f"SELECT {r.cid} || x'1e' || '{r.kind}' || x'1e' || {r.key} || x'1e' || "
            f"{r.values}{r.rows.format(bounds=rbounds)}", rparams)))
    # an upgraded ledger's complaints with events from before the chain: what those
    # events recorded is not compared (they may not record everything); every row and
    # value a later event recorded is, and no row may stand there with no event
    # unless an old event was its own
    old_entries = Counter(e[3] for e in events if e[2] is None)
    out: list[Problem] = []
    if not dict.__eq__(recorded, rows):  # (Counter's own == is a loop in Python)
        out += _unmatched(recorded, rows, old_entries, _old_times(
            conn, lo, hi, {cid for cid, _kind, login, *_rest in events if login is None}))
    replayed, fresh = _replay(events)
    cbounds, cparams = _bounds("id", lo, hi)
    for cid, *have in conn.execute(
            f"SELECT id, {', '.join(_STORED_FOLDED)} FROM complaints WHERE 1 "
            f"{cbounds}ORDER BY id", cparams):
        want = replayed.get(cid, _NOTHING_FOLDED)
        if tuple(have) == want:
            continue
        marks = fresh.get(cid)
        for i, (field, value, expected) in enumerate(zip(_FOLDED, have, want, strict=True)):
            if marks is not None and not marks[i]:
                continue
            if field == "resolved" and value != expected:  # each column by its name
                out += [problem(name, cid, have_one, want_one, N_(
                    "the complaint's field is not what its events recorded"))
                    for name, have_one, want_one in zip(_RESOLVED_AS, _cells_of(value),
                                                        _cells_of(expected), strict=True)
                    if have_one != want_one]
            elif value != expected and not (field == "logged_by" and expected is _UNKNOWN):
                out.append(problem(field, cid, value, expected,
                                   N_("the complaint's field is not what its events "
                                      "recorded")))
    return out


def _cells_of(value: str | None) -> list[Any]:
    """_RESOLVED_AS's values from the JSON array they were folded into (none: each none)."""
    cells = json.loads(value) if value is not None else None
    return cells if isinstance(cells, list) and len(cells) == len(_RESOLVED_AS) else \
        [None] * len(_RESOLVED_AS)


def _old_times(conn: sqlite3.Connection, lo: str | None, hi: str | None, cids: set[str]
               ) -> dict[str, str]:
    """The latest time an event from before the chain (login NULL) was recorded at, by
    complaint of `cids` (in lo <= id < hi, the slice read: along events_complaint): a
    row of a step before it may be one those events did not record."""
    if not cids:
        return {}
    bounds, params = _bounds("complaint_id", lo, hi)
    return {cid: at for cid, at in conn.execute(
        "SELECT complaint_id, max(recorded_at) FROM events INDEXED BY events_complaint "
        f"WHERE complaint_id IS NOT NULL {bounds}AND login IS NULL GROUP BY complaint_id",
        params) if cid in cids}


_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z")


def _unmatched(recorded: Counter[str], rows: Counter[str], old_entries: Counter[str],
               old_until: dict[str, str]) -> list[Problem]:
    """The rows with no event like them, and the events with no row: a row and an event
    of the same key with other values are one problem. In an upgraded ledger what an
    event from before the chain recorded (`old_entries`) is not compared, nor a row no
    event records of a step before the latest of those (`old_until`, by complaint)."""
    def split(entry: str) -> tuple[str, str, str, str]:
        cid, kind, key, value = entry.split("\x1e", 3)
        return cid, kind, key, _shown_cells(value)

    old_missing = {split(e)[:3] for e, n in (recorded - rows).items() if n and e in old_entries}
    missing = [split(e) for e, n in (recorded - rows).items() if n and e not in old_entries]
    extra = [split(e) for e, n in (rows - recorded).items() if n]
    by_key: dict[tuple[str, str, str], str] = {(c, k, key): v for c, k, key, v in missing}
    out: list[Problem] = []
    for cid, kind, key, value in sorted(extra):
        if (cid, kind, key) in old_missing:
            continue  # an old event's row, recorded the old way
        want = by_key.pop((cid, kind, key), None)
        if want is None and cid in old_until and (at := _INSTANT.search(key)) and \
                at.group(0) <= old_until[cid]:
            continue  # a step of the time the old events may not record
        if want is None:
            out.append(problem(_TABLE_OF[kind], _named(cid, key), value, None,
                               N_("no event records this row")))
            continue
        # which columns differ, by name (an auditor read two unlabelled lists)
        have_cells, want_cells = json.loads(value), json.loads(want)
        differ = [name for name, a, b in zip(_NAMES_OF[kind], have_cells, want_cells,
                                             strict=False) if a != b]
        out.append(problem(_TABLE_OF[kind], _named(cid, key), value, want, N_(
            "this row is not what its event recorded (in {columns})"), columns=", ".join(
                differ)) if differ and len(have_cells) == len(_NAMES_OF[kind]) else
            problem(_TABLE_OF[kind], _named(cid, key), value, want,
                    N_("this row is not what its event recorded")))
    for cid, kind, key, value in sorted(missing):
        if (cid, kind, key) not in by_key:
            continue
        out.append(problem(_TABLE_OF[kind], _named(cid, key), None, value,
                           N_("an event records this row, which is not there")))
    return out


def _shown_cells(value: str) -> str:
    """_cells' (or _fields') text as one JSON array: who, then each value."""
    who, *parts = value.split("\x1f")
    cells: list[Any] = [who]
    for part in parts:
        cells += json.loads(part) if part.startswith("[") else [part or None]
    return json.dumps(cells, ensure_ascii=False)


def _named(cid: str, key: str) -> str:
    """A row's name in a problem: its complaint, then its number, instant, return."""
    return " ".join([cid, *(str(k) for k in json.loads(key) if k is not None)])


# _replay's result for a complaint with no events it folds, and the mark of a log event
# that did not record who logged it (a version before it did): not compared.
_UNKNOWN = object()
_NOTHING_FOLDED = tuple(_UNKNOWN if f == "logged_by" else 0 if f == "reopen_count" else None
                        for f in _FOLDED)
# Each of _FOLDED's places, by its name (the findings' from the first on).
(_LOGGED_BY, _REPEAT_OF, _ASSIGNED_AT, _DEPARTMENT, _OWNER, _REOPENS, _CLOSED_AT,
 _CLOSE_REASON, _VOIDED_AT, _VOID_REASON, _SATISFACTION, _DISPOSITION, _AMOUNT,
 _RESOLVED_AT, _RESOLVED, _FIRST_FOUND) = (_FOLDED.index(f) for f in (
    "logged_by", "repeat_of", "assigned_at", "department", "owner", "reopen_count",
    "closed_at", "close_reason", "voided_at", "void_reason", "satisfaction", "disposition",
    "amount", "resolved_at", "resolved", _FOUND[0]))
# The complaint's columns as _replay gives them: the amount as its events write it, the
# reason it was closed only while it is (a reopening before this version left it), the
# approver, summary and currency as one JSON array as json_extract gives them from the
# resolve event (none while the complaint has none of them: never resolved).
_STORED_FOLDED = tuple(
    "CASE WHEN typeof(amount) = 'integer' THEN printf('%d.%02d', amount / 100, amount % 100) "
    "ELSE amount END" if f == "amount" else
    "CASE WHEN status = 'closed' THEN close_reason END" if f == "close_reason" else
    "CASE WHEN coalesce(" + ", ".join(_RESOLVED_AS) + ") IS NOT NULL THEN json_array(" +
    ", ".join(_RESOLVED_AS) + ") END" if f == "resolved" else f
    for f in _FOLDED)


def _replay(events: list[tuple[Any, ...]]
            ) -> tuple[dict[str, tuple[Any, ...]], dict[str, list[bool]]]:
    """What each complaint's _FOLDED columns should hold, from its events (check_records'
    rows: complaint, kind, login, entry, four values), folded in order; and, for a
    complaint with events from before the hash chain (login NULL: an upgraded ledger,
    whose old events may not record everything), which of them a later event set (those
    are checked; its reopenings only when no old revisit counted among them)."""
    out: dict[str, list[Any]] = {}
    fresh: dict[str, list[bool]] = {}
    counted_old: set[str] = set()  # reopenings an old revisit counted
    for cid, kind, login, _entry, a, b, c, d in events:
        if login is None and cid not in fresh:
            fresh[cid] = [False] * len(_FOLDED)
        if kind not in _FOLD_DATA:
            continue
        r = out.get(cid)
        if r is None:
            r = out[cid] = list(_NOTHING_FOLDED)
        touched: tuple[int, ...] = ()
        if kind == "assign":
            if r[_ASSIGNED_AT] is None:
                r[_ASSIGNED_AT] = a
                touched = (_ASSIGNED_AT,)
            r[_DEPARTMENT], r[_OWNER] = b, c
            touched += (_DEPARTMENT, _OWNER)
        elif kind == "revisit":
            r[_SATISFACTION] = d
            touched = (_SATISFACTION,)
            if b == "investigating":
                r[_REOPENS] += 1
                r[_CLOSED_AT] = r[_CLOSE_REASON] = None
                touched += (_REOPENS, _CLOSED_AT, _CLOSE_REASON)
            elif b == "closed" and c != "closed":
                r[_CLOSED_AT], r[_CLOSE_REASON] = a, None
                touched += (_CLOSED_AT, _CLOSE_REASON)
        elif kind == "investigate":
            for i, value in enumerate((a, b, c, d), _FIRST_FOUND):
                if value is not None:
                    r[i] = value
                    touched += (i,)
        elif kind == "resolve":
            r[_DISPOSITION], r[_AMOUNT], r[_RESOLVED_AT], r[_RESOLVED] = a, b, c, d
            touched = (_DISPOSITION, _AMOUNT, _RESOLVED_AT, _RESOLVED)
        elif kind == "log":
            if c is not None:
                r[_LOGGED_BY] = a
                touched = (_LOGGED_BY,)
            r[_REPEAT_OF] = b
            touched += (_REPEAT_OF,)
        elif kind == "repeat-link":
            r[_REPEAT_OF] = a
            touched = (_REPEAT_OF,)
        elif kind == "close":
            r[_CLOSED_AT], r[_CLOSE_REASON] = a, b
            touched = (_CLOSED_AT, _CLOSE_REASON)
        elif kind == "void":
            # (a closed complaint voided, by an import's --void-batch: its close reason
            # stays in the row, and is read only while it is closed, _STORED_FOLDED)
            r[_VOIDED_AT], r[_VOID_REASON], r[_CLOSE_REASON] = a, b, None
            touched = (_VOIDED_AT, _VOID_REASON, _CLOSE_REASON)
        marks = fresh.get(cid)
        if marks is not None:
            for i in touched:  # set by this event: checked if it is a later one
                marks[i] = login is not None and (i != _REOPENS or cid not in counted_old)
            if login is None and _REOPENS in touched:
                counted_old.add(cid)
    return {cid: tuple(r) for cid, r in out.items()}, fresh


# Every setting complaintctl writes: another was put there by hand.
_KNOWN_SETTINGS = frozenset((*DEFAULT_SETTINGS, *CALENDAR_SETTINGS, CATEGORY_LABELS_KEY,
                             LANGUAGE_KEY, ATTACHMENT_MAX_MB_KEY, DEMO_MARK))
# The records numbered by year through id_counters, and the table of each.
_NUMBERED = (("complaint", "complaints"), ("return", "returns"))


def check_counters(cur: sqlite3.Cursor) -> list[Problem]:
    """The numbering and the settings' names: each kind's id counter of a year is the
    highest number given that year (lowered, every `log` then fails on a number given
    already; raised, numbers are skipped, and ids are sequential); the events' own
    counter (AUTOINCREMENT) is the last event's id (above it, the latest events were
    deleted: the chain cannot tell a history cut at its end); and every setting is one
    complaintctl writes."""
    out: list[Problem] = []
    for kind, table in _NUMBERED:
        given = dict(cur.execute(f"SELECT year, max(seq) FROM {table} GROUP BY year"))
        counted = dict(cur.execute("SELECT year, last FROM id_counters WHERE kind = ?",
                                   (kind,)))
        for year in sorted(given.keys() | counted.keys(), key=str):
            if given.get(year) != counted.get(year):
                out.append(problem("id_counter", f"{kind} {year}", counted.get(year),
                                   given.get(year), N_(
                    "the id counter is not the highest number given that year: ids would "
                    "be given twice (the next one refused) or skipped")))
    numbered = cur.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    (last,) = cur.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
    if numbered is None and last:
        out.append(problem("events", "sqlite_sequence", None, last, N_(
            "the events' counter was deleted: a history cut at its end could not be told")))
    elif numbered is not None and numbered[0] != last:
        out.append(problem("events", "sqlite_sequence", numbered[0], last, N_(
            "the events were numbered past the last one there: the latest events were "
            "deleted (or the counter changed by hand)") if numbered[0] > last else N_(
            "the events' counter was set back by hand: ids would be given twice")))
    for key, value in cur.execute("SELECT key, value FROM settings ORDER BY key"):
        if key not in _KNOWN_SETTINGS:
            out.append(problem("setting", key, value, None, N_(
                "complaintctl never writes this setting: it was put there by hand")))
    return out


def check_import_batches(cur: sqlite3.Cursor) -> list[Problem]:
    """Each import batch against the history: its file, sha256, mapping, time and who
    against its `import` event, and whether (when, why) it was voided against its
    `import-void` event (the reports leave a voided batch out: a voided_at set or
    cleared by hand changed every figure). A batch imported before those events were
    written is held to what it can be: voided when a `void` event of its own
    (--void-batch's, which names the batch) says so (one voided with none, every
    complaint of it void already, cannot be told from one voided by hand)."""
    out: list[Problem] = []
    imports: dict[Any, tuple[Any, ...]] = {}
    voids: dict[Any, tuple[Any, ...]] = {}
    for kind, at, actor, batch, file, digest, mapping, reason in cur.execute(
            "SELECT kind, at, actor, json_extract(data, '$.batch'), json_extract(data, "
            "'$.file'), json_extract(data, '$.sha256'), json_extract(data, '$.mapping'), "
            "json_extract(data, '$.reason') FROM events WHERE complaint_id IS NULL AND kind "
            "IN ('import', 'import-void') AND json_valid(data) ORDER BY id"):
        if kind == "import":
            imports[batch] = (file, digest, mapping, at, actor)
        else:
            voids[batch] = (at, reason)
    legacy = {batch for (batch,) in cur.execute(
        "SELECT DISTINCT json_extract(data, '$.import_batch') FROM events WHERE kind = 'void' "
        "AND json_valid(data) AND json_extract(data, '$.import_batch') IS NOT NULL")}
    held = set()
    for batch, file, digest, mapping, at, actor, voided_at, reason in cur.execute(
            "SELECT id, file, sha256, mapping, at, actor, voided_at, void_reason FROM "
            "import_batches ORDER BY id"):
        held.add(batch)
        if batch in imports:
            for name, have, want in zip(("file", "sha256", "mapping", "at", "actor"),
                                        (file, digest, mapping, at, actor), imports[batch],
                                        strict=True):
                if have != want:
                    out.append(problem("import_batch", f"{batch} {name}", have, want, N_(
                        "the import batch is not what its import event recorded")))
        if batch in voids:
            want_at, want_reason = voids[batch]
            for name, have, want in (("voided_at", voided_at, want_at),
                                     ("void_reason", reason, want_reason)):
                if have != want:
                    out.append(problem("import_batch", f"{batch} {name}", have, want, N_(
                        "the import batch's void is not what its import-void event "
                        "recorded: the reports leave out a voided batch")))
        elif batch in imports or batch in legacy:
            # (a batch imported before these events, voided by --void-batch when every
            # complaint of it was void already, left no event to tell: not held to one)
            if (voided_at is not None) != (batch in legacy) or (
                    voided_at is None and reason is not None):
                out.append(problem("import_batch", f"{batch} voided_at", voided_at, None
                                   if batch not in legacy else "(voided)", N_(
                    "the import batch is marked voided, or not, against its history: the "
                    "reports leave out a voided batch")))
    for batch in sorted((imports.keys() | voids.keys()) - held, key=str):
        out.append(problem("import_batch", str(batch), None, "(a batch)", N_(
            "the history records an import batch the table does not hold")))
    return out


def check_schema(cur: sqlite3.Cursor) -> list[Problem]:
    """The ledger's tables, indexes, triggers and views are the schema's, no fewer and
    no more: every trigger as the schema writes it (those that keep the events, notes
    and attachments append-only above all: one dropped, or put back with the same name
    and another body, their rows could have been changed), every index (one dropped
    made `report` fail with a hint about the disk), every table with the schema's
    columns; and nothing the schema does not make (a trigger that copied each contact
    into a table of its own kept it past `forget-contact`). Triggers, indexes and views
    are compared without whitespace, comments or letter case; tables by their columns
    (an upgraded ledger's CREATE TABLE text is SQLite's own, with the columns added)."""
    def text(conn: sqlite3.Connection | sqlite3.Cursor, kind: str, name: str) -> str | None:
        """An object's SQL on one line (what an altered trigger says instead: its stored
        value read "—", as if it were missing); a table's columns say _columns_differ."""
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type = ? AND name = ?",
                           (kind, name)).fetchone()
        return " ".join(str(row[0]).split()) if row and row[0] else None

    schema = _made()  # the objects as SQLite keeps the schema's
    try:
        want = _objects(schema)
        have = _objects(cur)
        out = []
        for key, shape in want.items():
            kind, name = key
            if key not in have:
                out.append(problem(kind, name, None, name, _MISSING[kind]))
            elif kind == "table" and have[key] != shape:
                out.append(problem(kind, name, *_columns_differ(have[key], shape),
                                   _ALTERED[kind]))
            elif kind == "table" and (rules := _rules(cur, name)).keys() != (
                    made := _rules(schema, name)).keys():
                # (its columns the schema's, a CHECK or a REFERENCES taken out with
                # writable_schema: what the table refuses no longer refused, said OK)
                out.append(problem(kind, name, "; ".join(
                    rules[k] for k in rules if k not in made) or None, "; ".join(
                    made[k] for k in made if k not in rules) or None,
                                   N_("a table of the ledger does not have the schema's "
                                      "constraints (CHECK, REFERENCES): values it refuses "
                                      "could be written")))
            elif have[key] != shape:
                out.append(problem(kind, name, text(cur, kind, name),
                                   text(schema, kind, name), _ALTERED[kind]))
    finally:
        schema.close()
    for kind, name in sorted(have.keys() - want.keys()):
        out.append(problem(kind, name, name, None, N_(
            "the schema does not make this: it could copy or change rows behind the "
            "tool's back (a contact kept past forget-contact)")))
    return out


def not_made(cur: sqlite3.Cursor) -> list[tuple[str, str]]:
    """The ledger's tables, triggers and views the schema does not make, and its
    triggers not as the schema writes them ((kind, name), in order): what could copy a
    row elsewhere as it changes (a trigger that kept each erased contact in a table of
    its own), as check_schema names them. forget-contact refuses while there is one. An
    extra index keeps nothing a row does not (its entry goes with the value)."""
    schema = _made()
    try:
        want = _objects(schema)
    finally:
        schema.close()
    have = _objects(cur)
    return sorted(key for key in have if key[0] in ("table", "trigger", "view") and (
        key not in want or (key[0] == "trigger" and have[key] != want[key])))


def _made() -> sqlite3.Connection:
    """A database in memory with the schema's objects, as SQLite keeps them."""
    from complaintctl import migrations

    schema = sqlite3.connect(":memory:")
    try:
        schema.executescript(migrations.current_schema())
    except BaseException:
        schema.close()
        raise
    return schema


def _columns_differ(have: list[tuple[Any, ...]], want: list[tuple[Any, ...]]
                    ) -> tuple[str | None, str | None]:
    """A table's columns that differ, as the ledger has them and as the schema makes
    them (name, type and what else it declares; "—" where it has none): an extra column
    was named only as "the table", where a copied contact would sit."""
    def shown(column: tuple[Any, ...]) -> str:
        name, type_, notnull, default, key = column
        return " ".join(str(x) for x in (name, type_, "NOT NULL" if notnull else "",
                                         f"DEFAULT {default}" if default is not None else "",
                                         "PRIMARY KEY" if key else "") if x)

    held, made = set(have), set(want)
    stored = [shown(c) for c in have if c not in made]
    expected = [shown(c) for c in want if c not in held]
    if not stored and not expected:  # the same columns in another order
        stored, expected = [str(c[0]) for c in have], [str(c[0]) for c in want]
    return ", ".join(stored) or None, ", ".join(expected) or None


_MISSING = {"trigger": N_("a trigger of the ledger is missing: the rows it guards could "
                          "have been changed"),
            "index": N_("an index of the ledger is missing: the commands that read along "
                        "it stop or slow down"),
            "table": N_("a table of the ledger is missing"),
            "view": N_("a view of the ledger is missing")}
_ALTERED = {"trigger": N_("a trigger of the ledger is not the schema's: the rows it guards "
                          "could have been changed"),
            "index": N_("an index of the ledger is not the schema's"),
            "table": N_("a table of the ledger does not have the schema's columns"),
            "view": N_("a view of the ledger is not the schema's")}


def _objects(conn: sqlite3.Connection | sqlite3.Cursor) -> dict[tuple[str, str], Any]:
    """(kind, name) -> what is compared: a table's columns (name, type, not null,
    default, key), another object's SQL as _trigger_text leaves it, with its table.
    SQLite's own objects (sqlite_sequence, sqlite_stat1, autoindexes: names it keeps for
    itself, `sqlite_` in any case) are left out; not every name that begins `sqlite`: a
    trigger named sqlitespy is anyone's, and was left out unseen."""
    found = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE "
                         "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").fetchall()
    out: dict[tuple[str, str], Any] = {}
    for kind, name, table, sql in found:
        if kind == "table":
            quoted = name.replace('"', '""')
            out[kind, name] = [tuple(c[1:6]) for c in conn.execute(
                f'PRAGMA table_info("{quoted}")').fetchall()]
        else:
            out[kind, name] = (table, _trigger_text(sql or ""))
    return out


def _rules(conn: sqlite3.Connection | sqlite3.Cursor, table: str) -> dict[str, str]:
    """A table's constraints beside its columns, each by what is compared -> as written
    (said): its foreign keys (as SQLite reads them), and its CHECKs (from its SQL) by the
    columns each names, numbered (an upgraded ledger's are written otherwise than the
    schema's, 0007's comparisons for IN: one taken out is what is found)."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (table,)).fetchone()
    sql = str(row[0]) if row and row[0] else ""
    quoted = table.replace('"', '""')
    columns = {str(c[1]).lower() for c in conn.execute(f'PRAGMA table_info("{quoted}")')}
    out = {(rule := f"{r[3]} REFERENCES {r[2]} ({r[4] or ''})").lower(): rule
           for r in conn.execute(f'PRAGMA foreign_key_list("{quoted}")').fetchall()}
    seen: Counter[str] = Counter()
    for check in _checks(sql):
        named = ",".join(sorted(columns & set(re.findall(r"[a-z_][a-z0-9_]*", check.lower()))))
        seen[named] += 1
        out[f"check {named} #{seen[named]}"] = " ".join(check.split())
    return out


def _checks(sql: str) -> list[str]:
    """The CHECK constraints of a CREATE TABLE (`CHECK (…)`, its parentheses balanced,
    string literals and quoted names kept whole, comments passed over), as written."""
    out: list[str] = []
    low, i, n = sql.lower(), 0, len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i) or sql.startswith("/*", i):  # a comment (the word
            # check in one: "the repeat check matches by")
            end = sql.find("\n" if ch == "-" else "*/", i + 2)
            i = n if end < 0 else end + (1 if ch == "-" else 2)
            continue
        if ch in "'\"`[":  # a literal or a quoted name: passed over whole
            close = "]" if ch == "[" else ch
            i = sql.find(close, i + 1)
            i = n if i < 0 else i + 1
            continue
        if low.startswith("check", i) and (i == 0 or not (low[i - 1].isalnum() or
                                                         low[i - 1] == "_")):
            start = sql.find("(", i)
            depth, j = 0, start
            while 0 <= j < n:
                if sql[j] in "'\"":
                    j = sql.find(sql[j], j + 1)
                    if j < 0:
                        break
                elif sql[j] == "(":
                    depth += 1
                elif sql[j] == ")":
                    depth -= 1
                    if not depth:
                        break
                j += 1
            if start < 0 or j < 0:
                break
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        i += 1
    return out


def _trigger_text(sql: str) -> str:
    """A trigger's SQL without comments, whitespace, `IF NOT EXISTS` or letter case, but
    its string literals as written: a trigger put back with `'…--'` in a literal (the
    rest of its line taken for a comment) and a statement after it, or with 'Closed' for
    'closed', guarded nothing and passed."""
    parts: list[str] = []
    code: list[str] = []

    def flush() -> None:
        text = re.sub(r"\bIF\s+NOT\s+EXISTS\b", "", "".join(code), flags=re.IGNORECASE)
        parts.append(re.sub(r"\s+", "", text).lower())
        code.clear()

    for m in _SQL_PIECE.finditer(sql):
        literal, comment, other = m.groups()
        if literal is not None:
            flush()
            parts.append(literal)
        elif comment is not None:
            code.append(" ")
        else:
            code.append(other)
    flush()
    return "".join(parts)


# SQL in pieces: a string literal ('' inside it), a comment (-- to the line's end, or
# /* … */), anything else.
_SQL_PIECE = re.compile(r"('(?:[^']|'')*'?)|(--[^\n]*|/\*.*?(?:\*/|\Z))|([^'\-/]+|[\-/])",
                        re.S)


# The last contact with the customer, recounted: the latest of the complaint's intake,
# its contact notes (any kind but internal) and its revisits, each subquery along its
# index (notes_contact, revisits_contact). The triggers of migration 16 keep it.
LAST_CONTACT = ("max(c.received_at, coalesce((SELECT max(n.at) FROM notes n WHERE "
                "n.complaint_id = c.id AND n.kind != 'internal'), ''), coalesce((SELECT "
                "max(v.at) FROM revisits v WHERE v.complaint_id = c.id), ''))")


def check_last_contact(cur: sqlite3.Cursor) -> list[Problem]:
    """Each complaint's last_contact_at is the latest of its intake, contact notes and
    revisits."""
    sql = ("SELECT id, last_contact_at, expected FROM (SELECT c.id, c.last_contact_at, "
           f"{LAST_CONTACT} AS expected FROM complaints c) "
           "WHERE last_contact_at IS NOT expected ORDER BY id")
    return [problem("last_contact", cid, stored, expected,
                    N_("the complaint's last contact is not the latest of its intake, "
                       "contact notes and revisits"))
            for cid, stored, expected in cur.execute(sql).fetchall()]


def check_repeat_keys(cur: sqlite3.Cursor) -> list[Problem]:
    """Each complaint's repeat key is its customer's and product's (parse.repeat_key):
    the repeat check matches by it."""
    from complaintctl.parse import repeat_key

    return [problem("repeat_key", cid, stored, expected,
                    N_("the complaint's repeat key is not its customer's and product's"))
            for cid, customer, product, stored in cur.execute(
                "SELECT id, customer, product, repeat_key FROM complaints ORDER BY id")
            if stored != (expected := repeat_key(customer, product))]


# What check_returns compares of a return, in its order: the kind of a finding, whether
# it is compared only when the events hold it (none in a ledger from before they did),
# and what a finding says. Its query gives each as (stored, from the events).
_RETURN_FIGURES = (
    ("return_opened", True, N_("the return's opening time, authorised quantity, product, "
                               "lot and reason are not what its return-open event "
                               "recorded")),
    ("return_closed", False, N_("the return's closing time is not the one its return-close "
                                "event recorded")),
    ("return_costs", False, N_("the return's cost of loss and repair cost are not the sums "
                               "of its dispositions")),
    ("inspection", True, N_("the return's inspection is not what its latest inspection "
                            "recorded")),
    ("received_qty", False, N_("received_qty is not the sum of the return's receipts")),
    ("disposed_qty", False, N_("disposed_qty is not the sum of the return's dispositions")),
    ("return_stage", False, N_("the return's stage is not the one its latest step recorded")),
    ("inspected_at", False, N_("the return's inspection time is not that of the first "
                               "inspection after its latest receipt")),
    ("first_received_at", False, N_("the return's first receipt time is not that of its "
                                    "first receipt (after its latest correction to none)")),
    ("return_last_step", False, N_("the return's last step time (the bound its next step may "
                                   "not be before) is not the latest of its steps' times")),
)


def check_returns(cur: sqlite3.Cursor) -> list[Problem]:
    """Each return's quantities are the sums its receive and dispose events recorded, its
    costs the sums of its dispositions, its opening time, authorised quantity and who
    opened it what its return-open event recorded, its stage the one its latest return event
    recorded, its inspection (result, defective quantity, cause, note) what its
    latest inspection recorded, its inspection time that of the first inspection
    after its latest receipt, its first receipt and last step times what its events
    say (_RETURN_FIGURES); and no step of it dated before the one it follows."""
    def total(kind: str) -> str:
        return ("(SELECT coalesce(sum(json_extract(e.data, '$.qty')), 0) FROM events e "
                f"WHERE e.return_id = r.id AND e.kind = '{kind}' AND json_valid(e.data))")

    pairs = (
        # (and who opened it, the event's actor: told apart below, _opened)
        ("json_array(r.opened_at, r.authorised_qty, r.product, r.lot, r.reason, r.opened_by)",
         "(SELECT json_array(e.at, json_extract(e.data, '$.authorised_qty'), "
         "json_extract(e.data, '$.product'), json_extract(e.data, '$.lot'), "
         "json_extract(e.data, '$.reason'), e.actor) FROM events e "
         "WHERE e.return_id = r.id AND e.kind = 'return-open' AND json_valid(e.data) "
         "ORDER BY e.id LIMIT 1)"),
        ("r.closed_at", "(SELECT e.at FROM events e WHERE e.return_id = r.id AND e.kind = "
         "'return-close' ORDER BY e.id DESC LIMIT 1)"),
        ("json_array(r.cost_of_loss, r.repair_cost)",
         "(SELECT json_array(coalesce(sum(d.cost_of_loss), 0), coalesce(sum(d.repair_cost), "
         "0)) FROM return_dispositions d WHERE d.return_id = r.id)"),
        ("json_array(r.result, r.defective_qty, r.cause, r.inspection_note)",
         "(SELECT json_array(json_extract(e.data, '$.result'), json_extract(e.data, "
         "'$.defective_qty'), json_extract(e.data, '$.cause'), json_extract(e.data, '$.note')) "
         "FROM events e WHERE e.return_id = r.id AND e.kind = 'return-inspect' AND "
         "json_valid(e.data) ORDER BY e.id DESC LIMIT 1)"),
        ("r.received_qty", total("return-receive")),
        ("r.disposed_qty", total("return-dispose")),
        ("r.stage", "(SELECT CASE e.kind WHEN 'return-open' THEN 'authorised' ELSE "
         "json_extract(e.data, '$.stage') END FROM events e WHERE e.return_id = r.id AND "
         f"e.kind IN {_in(RETURN_KINDS)} AND json_valid(e.data) ORDER BY e.id DESC LIMIT 1)"),
        # a receipt takes the inspection back (a correction of the count does not): the
        # first inspection after the latest receipt, or none
        ("r.inspected_at", "(SELECT e.at FROM events e WHERE e.return_id = r.id AND e.kind = "
         "'return-inspect' AND e.id > coalesce((SELECT max(x.id) FROM events x WHERE "
         "x.return_id = r.id AND x.kind = 'return-receive' AND json_valid(x.data) AND "
         "json_extract(x.data, '$.correction') IS NOT 1), 0) ORDER BY e.id LIMIT 1)"),
        # the first receipt, or the first after a correction to none (its next round)
        ("r.first_received_at", "(SELECT e.at FROM events e WHERE e.return_id = r.id AND "
         "e.kind = 'return-receive' AND e.id > coalesce((SELECT max(x.id) FROM events x "
         "WHERE x.return_id = r.id AND x.kind = 'return-receive' AND json_valid(x.data) AND "
         "json_extract(x.data, '$.correction') IS 1 AND json_extract(x.data, "
         "'$.received_qty') = 0), 0) ORDER BY e.id LIMIT 1)"),
        ("r.last_step_at", "(SELECT max(e.at) FROM events e INDEXED BY events_return WHERE "
         f"e.return_id = r.id AND e.kind IN {_in(RETURN_KINDS)})"),
    )
    sql = ("SELECT r.id, " + ", ".join(f"{have}, {want}" for have, want in pairs) +
           " FROM returns r ORDER BY r.id")
    out = []
    for rid, *values in cur.execute(sql):
        for (kind, recorded_only, detail), have, want in zip(
                _RETURN_FIGURES, values[::2], values[1::2], strict=True):
            if have != want and not (recorded_only and want is None):
                if kind == "return_opened":
                    out += _opened(rid, have, want, detail)
                    continue
                if kind == "return_costs":  # cents, as amounts are written ("300.00")
                    have, want = _amounts(have), _amounts(want)
                out.append(problem(kind, rid, have, want, detail))
    # a step dated before the return's latest one (a correction of a count is dated when
    # the goods came: its own rule, rma.return_correct)
    for rid, eid, kind, at, previous in cur.execute(
            "SELECT return_id, id, kind, at, previous FROM (SELECT e.return_id, e.id, e.kind, "
            "e.at, CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.correction') END "
            "AS correction, max(e.at) OVER (PARTITION BY e.return_id ORDER BY e.id ROWS "
            "BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous FROM events e INDEXED "
            "BY events_return WHERE "
            f"e.return_id IS NOT NULL AND e.kind IN {_in(RETURN_KINDS)}) WHERE correction IS "
            "NOT 1 AND at < previous ORDER BY return_id, id"):
        out.append(problem("step_order", rid, f"#{eid} {kind} {at}", previous, _STEP_BEFORE))
    return out


def _opened(rid: str, have: str, want: str, detail: str) -> list[Problem]:
    """A return's opening (a JSON array: time, authorised quantity, product, lot, reason,
    who opened it) against its return-open event's: the first five as one finding, as
    they were compared before, who opened it (opened_by) as a finding of its own."""
    try:
        stored, recorded = json.loads(have), json.loads(want)
    except (TypeError, ValueError):
        return [problem("return_opened", rid, have, want, detail)]
    out = []
    if stored[:5] != recorded[:5]:
        out.append(problem("return_opened", rid, _json(stored[:5]), _json(recorded[:5]),
                           detail))
    if stored[5:] != recorded[5:]:
        out.append(problem("returns", rid, stored[5], recorded[5], N_(
            "this row is not what its event recorded (in {columns})"), columns="opened_by"))
    return out


def _json(value: Any) -> str:
    """A value as SQLite's json_array writes it (no spaces)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _amounts(cents: str | None) -> str | None:
    """A JSON array of amounts in cents as decimal amounts: [30000,12050] ->
    ["300.00","120.50"] (any other value as it is)."""
    try:
        values = json.loads(cents or "")
    except ValueError:
        return cents
    if not isinstance(values, list):
        return cents
    return json.dumps([f"{'-' if v < 0 else ''}{abs(v) // 100}.{abs(v) % 100:02d}"
                       if isinstance(v, int) else v for v in values])


def check_rounds(cur: sqlite3.Cursor) -> list[Problem]:
    """Each resolution's `previous_at` (what the reopen rate and the handling of a round
    are counted from) is the time of the complaint's resolution before it, none for
    its first round."""
    out = []
    # (the one before it, by id, whatever its round says: a round changed by hand is its
    # row's finding, _ROW_EVENTS, not again this one's; the first has none before it)
    for cid, round_, have, want in cur.execute(
            "SELECT r.complaint_id, r.round, r.previous_at, (SELECT p.at FROM resolutions p "
            "WHERE p.complaint_id = r.complaint_id AND p.id < r.id ORDER BY p.id DESC LIMIT "
            "1) FROM resolutions r WHERE r.previous_at IS NOT NULL OR r.round > 1"):
        if have != want:
            out.append(problem("resolutions", f"{cid} #{round_}", have, want, N_(
                "the resolution's previous_at is not the time of the resolution before "
                "it")))
    return out


def check_deadlines(cur: sqlite3.Cursor, lo: str | None = None, hi: str | None = None
                    ) -> tuple[list[Problem], int]:
    """Each stage row's due_at is the deadline its events recorded, and its started_at
    the time of the step that opened it (of the complaints lo <= id < hi; None: no
    bound). A stage moved by hand to start later dropped out of `overdue --as-of` for
    the time before, and verify said OK.

    For one (complaint, return, stage) the events' `data.deadlines` say, in id order:
    an `amend` moved the open stage (the newest row), any other step opened a new row,
    started at its time (_OPENED_AT). An amendment of the received time starts the
    complaint's assign and first resolve stage, while open, at the time it records
    (_complaint_deadlines).
    Rows and recorded deadlines are matched from the newest back, so that the rows of a
    ledger upgraded from before the events recorded deadlines are the oldest ones: those
    are counted as unrecorded when the complaint has such old events (events without a
    login, from before the hash chain), else they are problems (a row its events do not
    account for).

    Fast path (_deadlines_differ): one row per complaint from each side, compared as
    bytes. Only a complaint whose texts differ is read row by row and matched as above."""
    conn = cur.connection
    try:
        differ = _deadlines_differ(conn, lo, hi, valid=False)
    except sqlite3.OperationalError as exc:
        # an event whose data is not JSON (the chain names it): read again, skipping it
        if "JSON" not in str(exc):
            raise
        differ = _deadlines_differ(conn, lo, hi, valid=True)
    problems: list[Problem] = []
    unrecorded = 0
    for key in differ:
        cid = key.decode("utf-8", "replace")
        found, n = _complaint_deadlines(cid, _recorded_of(conn, key), _stages_of(conn, key),
                                        _has_old_events(conn, key))
        problems += found
        unrecorded += n
    return problems, unrecorded


def _deadlines_differ(conn: sqlite3.Connection, lo: str | None, hi: str | None, *,
                      valid: bool) -> list[bytes]:
    """The complaints (ids as UTF-8 bytes) whose deadlines need a closer look: from each
    side one row per complaint, its stages (return, stage, due) in id order and its
    recorded deadlines in event order, each joined into one text by SQL (with each
    stage's start, and the time of the event that recorded its deadline). Equal texts
    (and no amend) is the common case and means every row matches.

    `valid`: skip events whose data is not JSON (json_each stops the query at one);
    only then, since that check costs a tenth of the whole check (every event's data
    parsed twice) and the events the tool writes are JSON."""
    unit, record = "char(31)", "char(30)"
    bounds, params = _bounds("complaint_id", lo, hi)
    e_bounds = _bounds("e.complaint_id", lo, hi)[0]
    stages = (f"SELECT complaint_id, count(*), group_concat(coalesce(return_id, '') || "
              f"{unit} || stage || {unit} || due_at || {unit} || started_at, {record}) FROM "
              f"stages INDEXED BY stages_complaint WHERE 1 {bounds} GROUP BY complaint_id "
              "ORDER BY complaint_id")
    recorded = (f"SELECT e.complaint_id, count(*), group_concat(coalesce(e.return_id, '') || "
                f"{unit} || j.key || {unit} || j.value || {unit} || e.at, {record}), "
                "max(e.kind = 'amend') "
                "FROM events e INDEXED BY events_complaint, json_each(e.data, '$.deadlines') j "
                f"WHERE e.complaint_id IS NOT NULL {e_bounds}"
                "AND instr(e.data, '\"deadlines\"') > 0 "
                f"{'AND json_valid(e.data) ' if valid else ''}"
                "GROUP BY e.complaint_id ORDER BY e.complaint_id")
    factory = conn.text_factory
    conn.text_factory = bytes  # no decoding: SQLite's order of TEXT is the bytes' order
    try:
        return _differ(conn.execute(stages, params), conn.execute(recorded, params))
    finally:
        conn.text_factory = factory


def _differ(stages: sqlite3.Cursor, recorded: sqlite3.Cursor) -> list[bytes]:
    """Merge the two sides (each ordered by complaint) into the complaints that differ."""
    differ: list[bytes] = []
    none = (None, 0, None, 0)
    s_iter, r_iter = iter(stages), iter(recorded)
    srow, rrow = next(s_iter, None), next(r_iter, None)
    while srow is not None or rrow is not None:
        if rrow is None or (srow is not None and srow[0] < rrow[0]):
            assert srow is not None
            key, have, want = srow[0], srow, none
            srow = next(s_iter, None)
        elif srow is None or rrow[0] < srow[0]:
            key, have, want = rrow[0], none, rrow
            rrow = next(r_iter, None)
        else:
            key, have, want = srow[0], srow, rrow
            srow, rrow = next(s_iter, None), next(r_iter, None)
        if have[1:3] != want[1:3] or want[3]:
            differ.append(key)
    return differ


def _bounds(column: str, lo: str | None, hi: str | None) -> tuple[str, tuple[str, ...]]:
    """SQL (`AND …`) and parameters for lo <= column < hi, either bound None for none."""
    sql = ""
    params: tuple[str, ...] = ()
    if lo is not None:
        sql, params = f"AND {column} >= ? ", (lo,)
    if hi is not None:
        sql, params = sql + f"AND {column} < ? ", (*params, hi)
    return sql, params


# When the stage a step opened started (SQL over `e`, an event that recorded a deadline):
# at the step's time; a correction of a return's count (return correct) is dated when the
# goods came and opens the disposition it owes from when it was entered, its recorded_at
# (which may be up to store._WAITED_MOST later than that clock: _CORRECTED_WAIT). The
# fast path (_deadlines_differ) compares with the step's time alone: the few complaints
# with such a correction are read row by row, as an amended one is.
_OPENED_AT = ("CASE WHEN e.kind = 'return-receive' AND json_extract(e.data, '$.correction') "
              "IS 1 THEN e.recorded_at ELSE e.at END")
_CORRECTED_WAIT = 5 * 60
# The complaint's stages an amendment of its received time starts again (round 1).
_FROM_RECEIPT = ("assign", "resolve")


def _recorded_of(conn: sqlite3.Connection, cid: bytes) -> list[tuple[Any, ...]]:
    """The complaint's events that recorded deadlines, or that start or end its assign
    and first resolve stage, in order: (complaint, return, kind, deadlines, the time the
    stages it opened started, the received time it recorded, the stages it ended,
    whether it is a correction of a return's count)."""
    return conn.execute(
        "SELECT e.complaint_id, e.return_id, e.kind, json_extract(e.data, '$.deadlines'), "
        f"{_OPENED_AT}, CASE WHEN e.kind IN ('log', 'amend') THEN json_extract(e.data, "
        "'$.received_at') END, CASE WHEN e.kind = 'amend' THEN json_extract(e.data, "
        "'$.stages_ended') END, e.kind = 'return-receive' AND json_extract(e.data, "
        "'$.correction') IS 1 FROM events e INDEXED BY events_complaint WHERE "
        "e.complaint_id = CAST(? AS TEXT) AND (instr(e.data, '\"deadlines\"') > 0 OR e.kind "
        "IN ('log', 'amend', 'assign', 'resolve', 'void')) AND json_valid(e.data) ORDER BY "
        "e.id", (cid,)).fetchall()


def _stages_of(conn: sqlite3.Connection, cid: bytes) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT complaint_id, return_id, stage, round, due_at, started_at "
                        "FROM stages INDEXED BY stages_complaint WHERE complaint_id = "
                        "CAST(? AS TEXT) ORDER BY id", (cid,)).fetchall()


def _has_old_events(conn: sqlite3.Connection, cid: bytes) -> bool:
    """Whether the complaint has events from before the login and hash columns (its
    deadlines were not recorded then)."""
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM events INDEXED BY "
                             "events_complaint WHERE complaint_id = CAST(? AS TEXT) AND "
                             "login IS NULL)", (cid,)).fetchone()[0])


def _complaint_deadlines(cid: str, recorded_rows: list[tuple[Any, ...]],
                         stage_rows: list[tuple[Any, ...]], old: bool
                         ) -> tuple[list[Problem], int]:
    # (return, stage) -> [due, started, whether a correction's clock] of each stage its
    # events opened, in order
    expected: dict[tuple[Any, str], list[list[Any]]] = {}
    received = None  # the received time its log and amendments recorded, the latest
    waiting = dict.fromkeys(_FROM_RECEIPT, False)  # its assign, first resolve stage open
    for _cid, rid, kind, text, started, given, ended, corrected in recorded_rows:
        amend = kind == "amend"
        if kind == "void":
            waiting = dict.fromkeys(waiting, False)
        elif kind in waiting and rid is None:  # the first assignment, resolution ends it
            waiting[kind] = False
        elif amend and ended:  # (void by the amendment: its start as it was)
            try:
                gone = json.loads(ended)
            except (TypeError, ValueError):
                gone = []
            for stage in waiting:
                waiting[stage] = waiting[stage] and not (isinstance(gone, list) and
                                                         stage in gone)
        if given is not None:
            received = given
            if amend:  # an open one starts at it (its deadline recorded if it moved)
                for stage, open_ in waiting.items():
                    dues = expected.get((None, stage))
                    if open_ and dues is not None and len(dues) == 1:
                        dues[0][1] = received
        try:
            recorded = json.loads(text)
        except (TypeError, ValueError):
            recorded = None
        if not isinstance(recorded, dict):
            continue
        for stage, due in recorded.items():
            dues = expected.setdefault((rid, stage), [])
            if amend and dues:  # the open stage moved (or one it had ended, opened again)
                dues[-1][0] = due
                if rid is None and stage in waiting and len(dues) == 1:
                    dues[-1][1], waiting[stage] = received, True
            else:
                dues.append([due, started, bool(corrected)])
                if kind == "log" and rid is None and stage in waiting:
                    waiting[stage] = True
    rows: dict[tuple[Any, str], list[tuple[Any, ...]]] = {}
    for row in stage_rows:
        rows.setdefault((row[1], row[2]), []).append(row)
    problems: list[Problem] = []
    unrecorded = 0
    for key in rows.keys() | expected.keys():
        rid, stage = key
        have, want = rows.get(key, []), expected.get(key, [])
        extra = len(have) - len(want)
        if extra > 0 and not old:  # a row no event made is a later one (rows in id
            have = have[len(want):] + have[:len(want)]  # order), matched from the first
        for row in have[:max(extra, 0)]:
            if old:
                unrecorded += 1
            else:
                problems.append(problem("deadline", rid or cid, row[4], None, N_(
                    "the {stage} stage's deadline (round {round}): no event recorded it"),
                    stage=stage, round=row[3]))
        for due, *_start in want[:max(-extra, 0)]:
            problems.append(problem("deadline", rid or cid, None, due, N_(
                "the {stage} stage's deadline: an event recorded it, but there is no "
                "stage for it"), stage=stage))
        for row, (due, started, corrected) in zip(have[max(extra, 0):],
                                                  want[max(-extra, 0):], strict=True):
            if row[4] != due:
                problems.append(problem("deadline", rid or cid, row[4], due, N_(
                    "the {stage} stage's deadline (round {round}) is not the one its event "
                    "recorded"), stage=stage, round=row[3]))
            if row[5] != started and not (corrected and _waited(row[5], started)):
                problems.append(problem("stages", f"{rid or cid} {stage} round {row[3]}",
                                        row[5], started, N_(
                    "this row is not what its event recorded (in {columns})"),
                    columns="started_at"))
    problems.sort(key=lambda p: (str(p["id"]), p["detail"]))
    return problems, unrecorded


def _waited(started: Any, recorded: Any) -> bool:
    """Whether a stage a correction opened started at most _CORRECTED_WAIT before its
    event's recorded_at (a command's clock, read before it waited for the ledger: the
    event is recorded no earlier than the one before it, store.chained)."""
    from complaintctl.parse import from_iso

    try:
        gap = (from_iso(recorded) - from_iso(started)).total_seconds()
    except (TypeError, ValueError):
        return False
    return 0 <= gap <= _CORRECTED_WAIT


# --- 4. settings against their events -----------------------------------------------------

def _calendar_days_differ(cur: sqlite3.Cursor, user_days: dict[str, str],
                          stored: dict[str, str]) -> list[Problem]:
    """The days of a calendar whose digest is not the recorded one, by day (its two
    digests alone did not say which day was added, removed or renamed): those the user
    added, against what the events set; the country's, against its calendar in the
    holidays package for the stored years (kind, and a holiday's name)."""
    from complaintctl import deadlines

    found = [problem("calendar", day, have or "—", want or "—", N_(
        "this day of the calendar is not what its events set (policy calendar)"))
        for day, have, want in _days_differ(
            {d: k for d, k in cur.execute("SELECT day, kind FROM calendar_days WHERE "
                                          "source = 'user'")}, user_days)]
    span, country = stored.get("calendar_years") or "", stored.get("country")
    if country and re.fullmatch(r"[0-9]{4}-[0-9]{4}", span):
        try:
            holidays, workdays, _weekend, _covered = deadlines.load_country_calendar(
                country, range(int(span[:4]), int(span[5:]) + 1))
        except Exception:  # noqa: BLE001 - a country the package no longer has: the
            return found  # digest's line says it all the same
        want = {d.isoformat(): f"holiday {n}" for d, n in holidays.items()}
        want.update({d.isoformat(): "workday" for d in workdays})
        have = {d: k if k == "workday" else f"{k} {n}" for d, k, n in cur.execute(
            "SELECT day, kind, name FROM calendar_days WHERE source = 'country'")}
        found += [problem("calendar", day, h or "—", w or "—", N_(
            "this day of the country calendar is not the holidays package's for it"))
            for day, h, w in _days_differ(have, want)]
    return found


def _days_differ(have: dict[str, str], want: dict[str, str]
                 ) -> list[tuple[str, str | None, str | None]]:
    """The keys whose values differ between the two, in order: (key, have, want)."""
    return [(k, have.get(k), want.get(k)) for k in sorted(have.keys() | want.keys())
            if have.get(k) != want.get(k)]


def check_settings(cur: sqlite3.Cursor) -> tuple[list[Problem], int]:
    """Replay the init event's settings (its calendar's too, recorded since 6 December
    2026), policy and escalation, then every later policy-set, categories, timezone,
    calendar, attachment-limit, language and repeat-window event, and compare with the
    tables; a setting only events set that none did was put there by hand. The
    default roles older events recorded as texts are read as the codes migration 12
    made them. A ledger whose init event recorded none of it (made before issue 13)
    is unrecorded."""
    events = cur.execute("SELECT id, kind, data FROM events WHERE complaint_id IS NULL AND "
                         f"kind IN {_in(SETTINGS_KINDS)} ORDER BY id").fetchall()
    settings: dict[str, Any] = {}
    policy: dict[tuple[Any, Any], Any] = {}
    escalation: dict[int, tuple[Any, Any]] = {}
    digest: str | None = None
    user_days: dict[str, str] = {}  # the days the user added, as the events set them
    started = calendar_recorded = False
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
            if isinstance(data.get("settings"), dict):  # the calendar's, as stored
                calendar_recorded = True
                settings.update({k: v for k, v in data["settings"].items()
                                 if k in CALENDAR_SETTINGS})
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
        elif kind == "repeat-window" and REPEAT_WINDOW_KEY in data:
            settings[REPEAT_WINDOW_KEY] = str(data[REPEAT_WINDOW_KEY])
        elif kind == "calendar" and ("country" in data or "settings" in data):
            if "country" in data:
                settings["country"] = data["country"]
            # the calendar's own settings (its years, the years of official data), as
            # the events of issue 15 record them: extended, refreshed, a new country
            if isinstance(data.get("settings"), dict):
                settings.update({k: v for k, v in data["settings"].items()
                                 if k in CALENDAR_SETTINGS})
        if kind == "calendar":  # (a user's day: policy calendar --add-…, --remove)
            for day_kind in ("holiday", "workday", "closure"):
                for day in data.get(f"add_{day_kind}") or ():
                    user_days[str(day)] = day_kind
            for day in data.get("remove") or ():
                user_days.pop(str(day), None)
        if kind in ("init", "calendar") and "calendar_sha256" in data:
            digest = data["calendar_sha256"]
    if not started:
        return problems, 1
    stored = dict(cur.execute("SELECT key, value FROM settings").fetchall())
    if DEMO_MARK in stored and calendar_recorded:  # set by hand in a real ledger, `demo`
        # would add to it (a ledger made before the demo recorded its event, whose init
        # recorded no calendar settings either, is read as before)
        mark = stored[DEMO_MARK]
        found = cur.execute("SELECT kind FROM events WHERE id = ?", (
            int(mark) if mark.isdigit() else -1,)).fetchone()
        if found is None or found[0] not in ("demo", "init"):
            problems.append(problem("setting", DEMO_MARK, mark, None, N_(
                "the demo's mark names no event the demo wrote")))
    unset = _SET_BY_EVENTS | (set(CALENDAR_SETTINGS) if calendar_recorded else set())
    for key in sorted(unset & (stored.keys() - settings.keys())):
        problems.append(problem("setting", key, stored[key], None,
                                N_("no event set this setting")))
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
            problems += _calendar_days_differ(cur, user_days, stored)
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
    """day_tallies, day_rollups and handling_times against a recount of the rows."""
    from complaintctl import rollups

    return check_day_tallies(cur) + _rollup_problems(_ok_shown(cur, rollups.problems(cur)))


def check_day_tallies(cur: sqlite3.Cursor) -> list[Problem]:
    kept, recount = tallies_and_recount(cur)
    return [problem("day_tally", f"{m} {d}", kept.get((m, d), 0), recount.get((m, d), 0),
                    N_("the day's tally is not the count of its rows"))
            for m, d in sorted(kept.keys() | recount.keys())
            if kept.get((m, d), 0) != recount.get((m, d), 0)]


def check_rollups(cur: sqlite3.Cursor, measures: tuple[str, ...], handling: bool
                  ) -> list[tuple[str, str, Any, Any]]:
    """A part of the rollups' recount (rollups.problems): these measures, and
    handling_times if `handling`."""
    from complaintctl import rollups

    return _ok_shown(cur, rollups.problems(cur, measures=measures, handling=handling))


def _ok_shown(cur: sqlite3.Cursor, found: list[tuple[str, str, Any, Any]]
              ) -> list[tuple[str, str, Any, Any]]:
    """rollups.problems with a day_rollups row whose `ok` alone differs shown by both its
    columns: it shows `ok` only for the measures that count steps done on time, and such
    a row of another measure read the same count twice ("1 1"). Its `ok` as kept, and as
    its measure's recount (RECOUNT: one query for each such measure) has it."""
    from complaintctl import rollups

    recounted: dict[str, dict[tuple[Any, Any], tuple[Any, Any]]] = {}
    out = []
    for table, which, stored, expected in found:
        measure, _, rest = which.partition(" ")
        day, _, key = rest.partition(" ")
        if table == "day_rollups" and stored == expected and measure in rollups.RECOUNT:
            if measure not in recounted:
                recounted[measure] = {(d, k): (n, ok) for d, k, n, ok in cur.execute(
                    rollups.RECOUNT[measure].format(c="1", s="1"))}
            kept = cur.execute("SELECT n, ok FROM day_rollups WHERE measure = ? AND day = ? "
                               "AND key = ?", (measure, day, key)).fetchone()
            want = recounted[measure].get((day, key))
            stored, expected = (f"{n or 0} (ok {ok or 0})" for n, ok in (
                kept or (None, None), want or (None, None)))
        out.append((table, which, stored, expected))
    return out


def _rollup_problems(found: list[tuple[str, str, Any, Any]]) -> list[Problem]:
    return [problem("day_rollup" if table == "day_rollups" else "handling_time", which,
                    stored, expected, N_("the day's rollup is not the count of its rows")
                    if table == "day_rollups" else
                    N_("the handling time is not what the complaint and its resolution say"))
            for table, which, stored, expected in found]


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
        # (as bytes, whatever the column holds: a text of bytes that are not UTF-8, put
        # there by hand, stopped the whole check, "cannot use ledger")
        for (data,) in _rows(conn.execute("SELECT CAST(data AS BLOB) FROM blob_chunks "
                                          "WHERE sha256 = ? ORDER BY seq", (sha,))):
            data = data if isinstance(data, bytes) else str(data).encode("utf-8")
            h.update(data)
            n += len(data)
            count += 1
        if h.hexdigest() == sha and n == size and count == chunks:
            continue
        # the evidence it is, as show names it (the sha256 alone sent an auditor to join
        # the tables by hand): every attachment of these bytes
        used = ", ".join(f"{cid} #{aid} {name}" for aid, cid, name in cur.execute(
            "SELECT id, complaint_id, name FROM attachments WHERE sha256 = ? ORDER BY id",
            (sha,)).fetchall()) or "-"
        if h.hexdigest() != sha:
            out.append(problem("attachment", sha, h.hexdigest(), sha,
                               N_("the stored bytes do not hash to the file's sha256 "
                                  "(attachment {attachments})"), attachments=used))
        if n != size or count != chunks:
            out.append(problem("attachment", sha, _chunks(n, count), _chunks(size, chunks),
                               N_("the stored bytes are not the file's size (attachment "
                                  "{attachments})"), attachments=used))
    return out


def _chunks(size: int, chunks: int) -> str:
    """A stored file's size and its number of chunks ("1 chunks" read badly)."""
    return f"{size} bytes in {chunks} chunk{'' if chunks == 1 else 's'}"
