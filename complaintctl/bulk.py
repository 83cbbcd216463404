"""The one bulk writer, for `demo` and `import`: many complaint histories in one
transaction, by the same rules as the typed commands, fast and in bounded memory.

A `History` is one complaint as it was told: its intake (the fields `log` takes,
when it was received, when and by whom it was logged) and the steps after it, in
the order they were typed, each with its time, the time it was recorded, the
actor and its facts (the command's options, named as `through_steps` passes
them). A history's returns and CAPA actions are named by their place among its
`return-open` and `action-add` steps (0, 1 …): their ids are given when written.

    with bulk.writing(lg) as writer:        # BEGIN IMMEDIATE … COMMIT, or nothing
        for history in histories:
            cid = writer.add(history)       # a refusal leaves nothing of this history

`Writer.add` tells a history to the complaint's row held in memory by the rules
the step modules follow: `workflow` (transitions, guards, step times), `deadlines`
(each stage's deadline from the policy and the calendar) and `returns`
(quantities), the repeat check, contact references, ids and their counters, and
the events with their old values, deadlines, login and hash chain. A step the
rules refuse raises the error the command would (with the step's place in its
params) and nothing of that history is kept; the block may go on, or raise to
leave the ledger as it was. The rows go into per-table batches, written by one
`executemany` per table every `batch` complaints. Every index but the one the
repeat check reads is dropped for the transaction and built once before the
commit (in a ledger that holds complaints, only once the write is large beside
it: see ASIDE_SHARE); the day tallies and the rollups (rollups.py) are counted in memory as
each history is accepted and added once, the handling times written with each
batch. Deadlines in working days are worked out once per UTC day where the zone's
offset is steady (_WorkingDues), and the documents of assign, resolve and revisit
are encoded once per values with the deadline set into them. The transaction
runs with a bounded page cache and index sorts in temporary files, so memory does
not grow with the number of complaints; into the demo's file or a ledger that holds
no complaint yet, with a rollback journal (pages written once; see writing()).

The repeat check is complaints.log's: by the time each complaint was received,
whatever the order the histories come in (a history received before others
already added links the later ones to itself, with their `repeat-link` events,
as `log` does). A history in a year the stored calendar does not hold extends it
first (settings.ensure_calendar_years, its `calendar` event in the chain, inside
a savepoint that a refused history rolls back). The steps warn of a year without
official data (complaints.calendar_warnings): the one a step is in, and one a
deadline it sets falls in. The writer notes the same, per history, kept when the
history is: the years its steps are in (`Writer.calendar_gaps`, {year: histories})
and those its deadlines fall in from a step in another year (`deadline_gaps`; a
deadline is looked at only when its stored text is outside the years the calendar
surely covers, one comparison a stage, whatever the unit of its duration).
`Writer.calendar_warnings()` puts them in the steps' words, each line once, by
year: what `import` and `demo` print after the block.

What it does not do (yet): steps on a complaint already in the ledger (an import
of a newer register: run those through the step functions, after the block),
notes, attachments, amend and forget-contact. An ordinary step inside the block
is refused (it would miss the rows held and the tallies).

A history's `extra` (import: its `source`) and a step's `extra` (import: `estimated`)
are members the events' data carry besides the facts, appended to the encoded
document (after its sorted keys). `writing(keep=…)` keeps indexes the caller reads
inside the block (import compares rows with the complaints already there).

`through_steps` tells the same history through the ordinary step functions, one
transaction a step: the slow path the bulk one equals row for row
(tests/test_bulk.py), and the meaning of every kind of step and of its facts.
"""

from __future__ import annotations

import gc
import shlex
import sqlite3
from bisect import bisect_left, bisect_right, insort_right
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from hashlib import sha256
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from complaintctl import deadlines, returns, rollups, workflow
from complaintctl.complaints import (
    OPEN_ONLY,
    _check_category,
    contact_ref,
    deadline_warning,
    gap_warning,
    recorded_as,
)
from complaintctl.errors import BadInput, NotFound, Refused
from complaintctl.i18n import _, shown
from complaintctl.parse import format_money, from_iso, repeat_key
from complaintctl.store import (
    INSERT_EVENT,
    INSERT_STAGE,
    Ledger,
    Outcome,
    Rows,
    demo_mark,
    encode,
    journal,
    mark_demo,
    rolling_back,
)

UTC = timezone.utc

# --- what the writer is given ---------------------------------------------------------


class Step(NamedTuple):
    """One step of a complaint after its `log`, as typed.

    kind: assign, investigate, resolve, revisit, close (without a revisit), void,
    action-add, action-done, action-verify, return-open, return-receive,
    return-inspect, return-dispose, return-close. facts: the command's options by
    name (see `through_steps`); `return` and `action` are the place of the return or
    action within the history. now: when it was recorded (None: at its time)."""

    kind: str
    at: datetime
    actor: str
    facts: dict[str, Any]
    now: datetime | None = None
    # What the step's event carries besides its facts (import: {"estimated": True}).
    extra: dict[str, Any] | None = None


class History(NamedTuple):
    """A complaint: its intake (the fields `log` takes), when it was received, when
    and by whom it was logged, and its steps in the order they were typed."""

    fields: dict[str, Any]
    received_at: datetime
    logged_at: datetime
    actor: str
    steps: list[Step]
    # What every event of the history carries besides its facts (import: its source
    # {file, row, row_hash}).
    extra: dict[str, Any] | None = None
    # and what the log's event carries besides (import: {"estimated": True} when an
    # intake value came from the mapping's [defaults]).
    log_extra: dict[str, Any] | None = None
    # A register's row that records no second revisit (import): a critical complaint's
    # second revisit due before the history was entered (a step's `now`) is not asked
    # for -- the register does not say whether it was made -- rather than late in
    # `overdue` from the day of the import.
    lapse_second_revisit: bool = False


# --- the transaction ------------------------------------------------------------------

# The index the repeat check reads: kept when the ledger has complaints, built when
# first needed otherwise (see Writer._repeat_of). Every other index is dropped and
# built once before the commit: at once in an empty ledger, and in one that holds
# complaints once the write has added a fifth as many as it held (and a batch) --
# before that, rows go into the live indexes, which for a few hundred rows into a
# million costs a second where building every index again costs half a minute.
REPEAT_INDEX = "complaints_repeat_key"
ASIDE_SHARE = 5

# The tally triggers: the writer counts the day tallies itself and adds them once.
TALLY_TRIGGERS = ("tally_received", "tally_resolutions", "tally_closing_revisits")
# and the triggers of the last contact on a new complaint and a revisit: the writer
# sets the column itself.
LAST_CONTACT_TRIGGERS = ("last_contact_logged", "last_contact_revisit")
# and the rollup triggers: the rollups of what it wrote are added once at the end.
ROLLUP_TRIGGERS = rollups.TRIGGERS

# Complaints written per batch (one executemany per table).
BATCH = 2000

# Binding a None costs Python's sqlite3 module (3.11) twice what binding a text does:
# with no adapter registered for it, it asks the protocol type for `__adapt__`, which
# raises an AttributeError whose message is formatted and dropped, once a None. The
# batches bind about 35 a complaint. An adapter for None is found in the registry at
# once; this one (a C method: the value of any key in an empty dict) returns None,
# which binds NULL as before (264 → 132 ns a None). It serves every connection of the
# process, as every registered adapter does, and changes no stored value.
_NULL: Callable[[None], None] = {}.get  # type: ignore[assignment]
sqlite3.register_adapter(type(None), _NULL)

# The page cache of a bulk transaction. Tables are written at their end and the kept
# index is small, so a modest cache spills little; index builds sort through temporary
# files beyond it. (An unbounded one grew to several GiB at a million complaints.)
BULK_CACHE_KIB = 64 * 1024
# and while the indexes set aside are built again: the sorter of CREATE INDEX sorts in
# runs of the cache's size, and runs of 2 MB (SQLite's default cache) stay in the CPU's
# caches where 64 MB runs do not (the million-complaint demo's builds: 37.4 s of CPU
# with 64 MB, 25.5 s with 2 MB; benchmarks/README.md).
INDEX_CACHE_KIB = 2000

# The connection's cache outside a bulk write (store._pragmas sets the same).
_CACHE_KIB = 64 * 1024


class _Closed(Rows):
    """What `lg.rows` is during a bulk write: the ordinary steps would join its
    transaction but miss the rows it holds and the tallies; they must not run."""

    def complaint(self, cur: sqlite3.Cursor, complaint_id: str) -> dict[str, Any]:
        raise RuntimeError("an ordinary step inside a bulk write")

    def logged(self, cur: sqlite3.Cursor, record: dict[str, Any]) -> None:
        raise RuntimeError("an ordinary step inside a bulk write")

    def event(self, cur: sqlite3.Cursor, row: tuple[Any, ...], in_order: bool = False
              ) -> None:
        raise RuntimeError("an ordinary step inside a bulk write")


def _check_demo(lg: Ledger, cur: sqlite3.Cursor) -> None:
    mark, last = demo_mark(cur)
    if mark is None or int(mark) != last:
        message = (_("{path} is not a demo ledger any more: it has steps the demo did not "
                     "write") if mark is not None else _("{path} is not a demo ledger"))
        # a file not there (the hint named demo.db, the very file refused)
        fresh = next(candidate for n in range(2, 10_000) if not (
            candidate := lg.path.with_name(f"{lg.path.stem}-{n}{lg.path.suffix}")).exists())
        raise Refused(message.format(path=lg.path),
                      hint=_("the demo fills a new file: complaintctl demo --db {path}").format(
                          path=shlex.quote(str(fresh))),
                      code="not_a_demo_ledger", path=str(lg.path))


# The triggers a bulk write sets aside: it does their work itself.
_WRITERS_TRIGGERS = frozenset((*TALLY_TRIGGERS, *ROLLUP_TRIGGERS, *LAST_CONTACT_TRIGGERS))


def _set_aside_triggers(cur: sqlite3.Cursor) -> dict[str, str]:
    """Drop the tally, rollup and last-contact triggers; returns the statements that make
    them again, by name."""
    found = cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                        "sql IS NOT NULL").fetchall()
    dropped = {name: sql for name, sql in found if name in _WRITERS_TRIGGERS}
    for name in dropped:
        cur.execute(f"DROP TRIGGER {name}")
    return dropped


def _set_aside_indexes(cur: sqlite3.Cursor, keep: frozenset[str]) -> dict[str, str]:
    """Drop the indexes but `keep`; returns the statements that make them again, by name.
    Their pages are freed without zeroing them (secure_delete off for the drops: it would
    write every page of a large ledger's indexes twice, to the journal and back); no
    index holds a contact (tests/test_bulk.py), the only value that must not outlive its
    erasure."""
    found = cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                        "sql IS NOT NULL").fetchall()
    dropped = {name: sql for name, sql in found if name not in keep}
    (secure,) = cur.execute("PRAGMA secure_delete").fetchone()
    cur.execute("PRAGMA secure_delete = OFF")
    try:
        for name in dropped:
            cur.execute(f"DROP INDEX {name}")
    finally:
        cur.execute(f"PRAGMA secure_delete = {int(secure)}")
    return dropped


@contextmanager
def writing(lg: Ledger, *, demo: bool = False, batch: int = BATCH,
            keep: frozenset[str] = frozenset()) -> Iterator[Writer]:
    """One transaction for everything added through the writer it yields: all of it
    is committed when the block ends, none of it if the block raises. With `demo`,
    the ledger must be one the demo made and nobody has used since; it stays
    marked. `keep`: indexes the caller reads inside the block (import reads the
    complaints it already holds), kept rather than set aside."""
    conn = lg.conn
    cur = conn.cursor()
    if demo:  # before the journal switch: a ledger that is not the demo's stays as it is
        _check_demo(lg, cur)
    # A rollback journal writes each page once, not twice, but while it commits a reader
    # holds up everyone (and one paging a listing, for as long as the pager is open): only
    # for the demo's own file and a ledger that holds no complaint yet (a register's first
    # import). A ledger in use stays in WAL, where readers never block.
    switched = (demo or cur.execute("SELECT 1 FROM complaints LIMIT 1").fetchone() is None) \
        and journal(cur, wal=False)
    # Index builds sort more than the cache holds: in temporary files, not in memory.
    cur.execute("PRAGMA temp_store = FILE")
    # The writer writes a complaint before anything that refers to it, and every
    # reference is one it made: SQLite need not look each one up (verify checks them).
    cur.execute("PRAGMA foreign_keys = OFF")
    # The rows of a batch are many small containers that live until it is written, and
    # none is part of a cycle: the cyclic garbage collector would only walk them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with rolling_back(conn, lg.path):
            cur.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            # (on the rollback journal an IMMEDIATE write lets readers in until its cache
            # spills: for the first seconds of a demo, `overdue` said "Nothing is overdue"
            # of a ledger being filled, or taken back if interrupted; they wait instead)
            cur.execute("BEGIN EXCLUSIVE" if switched else "BEGIN IMMEDIATE")
            lg.still_there()
            lg.forget_config()  # settings as this transaction reads them
            if demo:
                _check_demo(lg, cur)
            (held,) = cur.execute("SELECT coalesce(max(rowid), 0) FROM complaints").fetchone()
            rebuild = _set_aside_triggers(cur)
            aside: tuple[int, frozenset[str]] | None = None
            if held:  # set aside once the write is large beside the ledger (Writer._accept)
                aside = (max(batch, held // ASIDE_SHARE), keep | {REPEAT_INDEX})
            else:
                rebuild.update(_set_aside_indexes(cur, keep))
            written_after = rollups.marks(cur)
            writer = Writer(lg, cur, batch=batch, set_aside=rebuild, aside=aside)
            writer.rollup_marks = written_after
            lg.rows = _Closed()
            yield writer
            writer.finish()
            cur.execute(f"PRAGMA cache_size = -{INDEX_CACHE_KIB}")
            for sql in rebuild.values():
                cur.execute(sql)
            if demo:
                mark_demo(cur)
            lg.commit(cur)
    finally:
        if collecting:
            gc.enable()
        lg.rows = Rows()
        cur.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.execute("PRAGMA foreign_keys = ON")
        if switched:
            journal(cur, wal=True)


# --- the writer -----------------------------------------------------------------------

_INSERT_ASSIGNMENT = ("INSERT INTO assignments (complaint_id, at, actor, department, owner, "
                      "note) VALUES (?, ?, ?, ?, ?, ?)")
_INSERT_INVESTIGATION = (
    "INSERT INTO investigations (complaint_id, at, actor, finding, validity, reason, "
    "root_cause, cause_category, responsibility, supplier, containment, corrective, "
    "preventive) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_RESOLUTION = ("INSERT INTO resolutions (complaint_id, round, at, actor, disposition, "
                      "amount, currency, approved_by, summary, previous_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_REVISIT = ("INSERT INTO revisits (complaint_id, at, actor, method, satisfaction, "
                   "demand_met, note, from_status, to_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_ACTION = ("INSERT INTO actions (id, complaint_id, text, owner, due_at, created_at, "
                  "created_by, done_at, done_by, verified_at, verified_by, verify_note) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_RECEIPT = ("INSERT INTO return_receipts (return_id, at, actor, qty, note) "
                   "VALUES (?, ?, ?, ?, ?)")
_INSERT_DISPOSITION = ("INSERT INTO return_dispositions (return_id, at, actor, action, qty, "
                       "cost_of_loss, repair_cost, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")

_INVESTIGATION_FACTS = ("finding", "validity", "reason", "root_cause", "cause_category",
                        "responsibility", "supplier", "containment", "corrective",
                        "preventive")
_CONCLUSION_COLUMNS = ("validity", "root_cause", "cause_category", "responsibility",
                       "supplier")
# Intake columns an event of `log` leaves out.
_NOT_LOGGED = frozenset({"id", "year", "seq", "last_step_at", "status", "contact_salt"})

# Positions in a stage row (store.INSERT_STAGE's column order) and an action row.
_RETURN, _STAGE, _STARTED, _DUE, _DONE, _OUTCOME = 1, 2, 4, 5, 6, 7
_A_ID, _A_CID, _A_CREATED, _A_DONE, _A_DONE_BY, _A_VERIFIED = 0, 1, 5, 7, 8, 9

# Documents kept encoded, by their values (the old values of a step are few).
_MEMO_MOST = 50_000


def _dumps(data: dict[str, Any]) -> str:
    """store.dumps: the document without its None values, keys sorted."""
    return encode({k: v for k, v in data.items() if v is not None})


def _iso(dt: datetime) -> str:
    """parse.iso (UTC, seconds, 'Z'): the day and the time of day, each formatted once."""
    if dt.tzinfo is UTC:  # its fields are UTC already (the demo's, most often)
        second = dt.hour * 3600 + dt.minute * 60 + dt.second
        clock = _UTC_CLOCKS[second]
        if clock is None:
            clock = _UTC_CLOCKS[second] = f"T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"
        try:
            return _UTC_DAYS[dt.toordinal()] + clock
        except KeyError:
            text = _UTC_DAYS[dt.toordinal()] = dt.date().isoformat()
            return text + clock
    if dt.microsecond:  # a whole number of seconds is exact as a float timestamp
        dt = dt.replace(microsecond=0)
    day, second = divmod(int(dt.timestamp()), 86400)
    try:
        text = _DAYS[day]
    except KeyError:
        text = _DAYS[day] = date.fromordinal(_EPOCH + day).isoformat()
    try:
        return text + _CLOCKS[second]
    except KeyError:
        clock = _CLOCKS[second] = f"T{second // 3600:02d}:{second // 60 % 60:02d}:" \
            f"{second % 60:02d}Z"
        return text + clock


# The rollups counted by a complaint's received day and one of its columns (the
# measure is the column's name; "repeats", the last of rollups.RECEIVED, is counted apart).
_BY_RECEIVED = rollups.RECEIVED[:-1]
_EPOCH = date(1970, 1, 1).toordinal()
_FUTURE_GRACE = workflow.FUTURE_GRACE
# Where a UTC day's offset is looked at to see that it does not change that day: its
# start, every hour and its last second (as deadlines.day_offset looks at a local day).
_DAY_PROBES = (*(timedelta(hours=h) for h in range(24)), timedelta(seconds=86399))
_DAYS: dict[int, str] = {}
_CLOCKS: dict[int, str] = {}
_UTC_DAYS: dict[int, str] = {}  # by ordinal
# by second of the day: a list, not a dict, as an index makes no key tuple and compares
# none (a dict's key found is read again from memory: 86,400 of them, seldom cached)
_UTC_CLOCKS: list[str | None] = [None] * 86400
_RECEIVED = itemgetter(0)  # of an entry of Writer.recent


class _Case:
    """The complaint a history is about, while its steps are applied."""

    __slots__ = ("row", "received", "last", "stages", "returns", "actions", "tallies",
                 "repeat_received", "later", "resolutions", "lapsed", "recorded",
                 "open_only")

    def __init__(self, row: dict[str, Any], received: datetime):
        self.row = row
        self.received = received
        self.last = received  # the time of the last step that moved it (last_step_at)
        self.stages: list[list[Any]] = []
        self.returns: list[dict[str, Any]] = []
        self.actions: list[list[Any]] = []
        self.tallies: list[tuple[str, str]] = [("received", row["received_at"][:10])]
        self.repeat_received: str | None = None  # when the one it repeats was received
        # complaints received after it that now repeat it: (id, the one each repeated)
        self.later: list[tuple[str, str | None, str]] = []
        self.resolutions: list[tuple[str, int]] = []  # (at, round), in order
        self.lapsed = False  # its second revisit not asked for (History.lapse_second_revisit)
        # the latest step recorded on it, and the latest that only an open complaint takes
        # (action-add, return-open): (at, kind), as complaints.check_after_records reads
        # them, for a void and a closing
        self.recorded: tuple[str, str] = ("", "")
        self.open_only: tuple[str, str] = ("", "")


class Writer:
    """Applies histories and writes their rows in batches (see the module's text)."""

    def __init__(self, lg: Ledger, cur: sqlite3.Cursor, *, batch: int = BATCH,
                 set_aside: dict[str, str] | None = None,
                 aside: tuple[int, frozenset[str]] | None = None):
        self.lg, self.cur, self.batch = lg, cur, batch
        cfg = lg.config
        self.tz, self.policy = cfg.tz, cfg.policy()
        # The calendar and the instants it covers without a second look (_covers)
        self.calendar = cfg.calendar()
        self._cover_from, self._cover_until = _cover_bounds(self.calendar, self.tz)
        # Years histories landed in that the country calendar has no official data
        # for (settings.ensure_calendar_years), with how many histories did: a command
        # warns of them. Those of the history in hand are kept apart until it is taken.
        self.calendar_gaps: Counter[int] = Counter()
        self._gaps: set[int] = set()
        # Years without official data that a deadline fell in from a step in another
        # year (complaints.calendar_warnings), with how many histories had one; the
        # deadlines outside [from, until) (stored text) are the only ones looked at.
        self.deadline_gaps: Counter[int] = Counter()
        self._due_years: set[int] = set()
        self._due_from, self._due_until = _due_bounds(self.calendar, self.tz)
        self._savepoint = False
        self.currency, self.categories = cfg.currency, cfg.categories
        self.prefixes = {"complaint": cfg.settings["id_prefix"],
                         "return": cfg.settings["return_prefix"]}
        self.window = cfg.repeat_window
        # the marks rollups.add_written counts from (set by `writing`)
        self.rollup_marks: tuple[int, ...] = (0, 0, 0)
        self.login, self.login_text = lg.login, lg.login or ""
        self.local = lg.local
        self._durations: dict[tuple[str, str], deadlines.Duration | None] = {}
        # (UTC day, working days) -> how a deadline of a stage started that day ends
        self._working_due = _WorkingDues(self.calendar, self.tz)
        head = cur.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        self.previous = (head[0] or "") if head else ""
        self.next_action = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM actions"
                                       ).fetchone()[0]
        # (kind, year) -> the last number given, in the order first used (a new counter's
        # row is inserted then, by the steps)
        self.counters: dict[tuple[str, int], int] = {}
        self.complaint_columns = _columns(cur, "complaints")
        self._id_at = self.complaint_columns.index("id")
        self._repeat_at = self.complaint_columns.index("repeat_of")
        self._received_at = self.complaint_columns.index("received_at")
        # rowids the complaints this writer adds will have (the repeat check orders
        # complaints received at the same instant by them, as the steps do)
        self.rowid_base = cur.execute("SELECT coalesce(max(rowid), 0) FROM complaints"
                                      ).fetchone()[0]
        self.return_columns = _columns(cur, "returns")
        self.blank_complaint = _defaults(cur, "complaints", self.complaint_columns)
        self.blank_return = _defaults(cur, "returns", self.return_columns)
        self.complaint_row = itemgetter(*self.complaint_columns)
        self.return_row = itemgetter(*self.return_columns)
        self.insert_complaint = _insert("complaints", self.complaint_columns)
        self.insert_return = _insert("returns", self.return_columns)
        self.tallies: Counter[tuple[str, str]] = Counter()
        self.tallied: list[tuple[str, str]] = []  # the batch's, counted when it is written
        # The rollups of what it writes (rollups.RECOUNT, counted here rather than
        # recounted in SQL): (measure, day, key) -> n, and how many of those on time,
        # added once at the end (the keys of a batch are counted when it is written);
        # the handling times go with each batch.
        self.rollup_n: Counter[tuple[str, str, str]] = Counter()
        self.rollup_ok: Counter[tuple[str, str, str]] = Counter()
        self.counted: list[tuple[str, str, str]] = []
        self.counted_ok: list[tuple[str, str, str]] = []
        self.handling: list[tuple[Any, ...]] = []
        self._memo: dict[tuple[Any, ...], str] = {}
        # documents with a deadline set into them (_parts): (without it, the
        # text before the deadline's place, the text after)
        self._docs: dict[tuple[Any, ...], tuple[str, str, str]] = {}
        self._extra_text = ""  # what the events' data carry besides the facts: '"k":v}'
        # the rows of the batch, per table, in the order the steps made them
        self.complaints: list[tuple[Any, ...]] = []
        self.returns: list[tuple[Any, ...]] = []
        self.stages: list[list[Any]] = []
        self.events: list[tuple[Any, ...]] = []
        self.assignments: list[tuple[Any, ...]] = []
        self.investigations: list[tuple[Any, ...]] = []
        self.resolutions: list[tuple[Any, ...]] = []
        self.revisits: list[tuple[Any, ...]] = []
        self.actions: list[list[Any]] = []
        self.receipts: list[tuple[Any, ...]] = []
        self.dispositions: list[tuple[Any, ...]] = []
        self._lists: tuple[list[Any], ...] = (
            self.complaints, self.returns, self.stages, self.events, self.assignments,
            self.investigations, self.resolutions, self.revisits, self.actions, self.receipts,
            self.dispositions, self.handling)
        # The repeat check. Complaints this writer added and did not void, by their
        # repeat key (parse.repeat_key): (received_at, id, rowid, the one it repeats,
        # when that one was received) in the order received (those received at the same
        # instant in the order added), and all of them in the order added; those
        # received before `forgotten` were let go. What is not here is asked of the
        # ledger, through complaints_repeat_key (built when first needed).
        self.recent: dict[str, list[tuple[str, str, int, str | None, str | None]]] = {}
        self._recent_order: deque[tuple[str, str]] = deque()
        self._latest = ""  # the latest received_at added
        self.forgotten = ""
        self.ask_ledger = cur.execute("SELECT 1 FROM complaints LIMIT 1").fetchone() is not None
        self.set_aside = {} if set_aside is None else set_aside
        # (complaints added, indexes kept): when to set the indexes aside, None once
        # they are (or when they were from the start)
        self.aside = aside
        self.added = 0
        # histories whose second revisit, due before they were entered, is not asked for
        self.second_lapsed = 0
        self._lapse = False  # the history in hand's lapse_second_revisit
        self._steps: dict[str, Callable[[_Case, Step, str, str], None]] = {
            "assign": self._assign, "investigate": self._investigate,
            "resolve": self._resolve, "revisit": self._revisit, "close": self._close,
            "void": self._void, "action-add": self._action_add,
            "action-done": self._action_done, "action-verify": self._action_verify,
            "return-open": self._return_open, "return-receive": self._return_receive,
            "return-inspect": self._return_inspect, "return-dispose": self._return_dispose,
            "return-close": self._return_close}

    # --- one history ---------------------------------------------------------------

    def add(self, history: History) -> str:
        """Apply a history; returns its complaint's id. A step the rules refuse raises
        their error (with `step`, its place, 0 for the log, in its params) and leaves
        nothing of this history behind: the block may go on with the next one."""
        marks = list(map(len, self._lists))
        state = (self.previous, self.next_action, dict(self.counters))
        place = 0
        self._gaps = set()
        if self._due_years:
            self._due_years = set()
        base = history.extra
        self._lapse = history.lapse_second_revisit
        texts: dict[int, str] = {}  # the extras' text, by id of the dict, each once
        self._extra_text = self._extra_fields(base, texts)
        try:
            case = self._log(history, self._extra_text_of(base, history.log_extra, texts)
                             if history.log_extra else None)
            steps = self._steps
            lo, hi = self._cover_from, self._cover_until
            for step in history.steps:
                place += 1
                if base is not None or step.extra is not None:
                    self._extra_text = self._extra_text_of(base, step.extra, texts)
                at = _iso(step.at)
                now = at if step.now is None or step.now == step.at else _iso(step.now)
                try:
                    apply = steps[step.kind]
                except KeyError:
                    raise _unknown(step.kind) from None
                if not lo <= step.at < hi:
                    self._cover(step.at, now, step.actor)
                    lo, hi = self._cover_from, self._cover_until
                apply(case, step, at, now)
                if at >= case.recorded[0]:
                    case.recorded = (at, step.kind)
                    if step.kind in OPEN_ONLY:
                        case.open_only = case.recorded
        except BaseException as exc:
            for rows, mark in zip(self._lists, marks, strict=True):
                del rows[mark:]
            self.previous, self.next_action, self.counters = state
            if self._savepoint:  # the calendar this history extended, undone
                self.cur.execute("ROLLBACK TO bulk_calendar")
                self.cur.execute("RELEASE bulk_calendar")
                self._savepoint = False
                self._calendar_changed()
            if isinstance(exc, (BadInput, Refused)):
                exc.params.setdefault("step", place)
            raise
        finally:
            self._extra_text = ""
        if self._savepoint:
            self.cur.execute("RELEASE bulk_calendar")
            self._savepoint = False
        self._accept(case)
        return str(case.row["id"])

    # --- the calendar -----------------------------------------------------------

    def _cover(self, instant: datetime, now: str, actor: str) -> None:
        """complaints.cover: the calendar covers the year of `instant` and the next,
        extended inside a savepoint (a refused history takes its extension back)
        with its `calendar` event in the chain; a year without official data is
        noted for the warning."""
        year = instant.astimezone(self.tz).year
        span = self.calendar.years
        if span is not None and not span[0] <= year < span[1]:
            if not self._savepoint:
                self.cur.execute("SAVEPOINT bulk_calendar")
                self._savepoint = True
            from complaintctl.settings import ensure_calendar_years

            def record(data: dict[str, Any]) -> None:
                self._event(None, "calendar", now, now, actor, _dumps(data))

            gaps = ensure_calendar_years(self.cur, (year, year + 1), record)
            self._calendar_changed()
            if year in gaps:
                self._gaps.add(year)
        elif not self.calendar.covers(year):
            self._gaps.add(year)

    def _note_due(self, due: str, start: datetime) -> None:
        """A deadline outside the years the calendar surely covers: its year is warned
        of, as complaints.calendar_warnings does, when the calendar has no official
        data for it, unless the step that set it is in that year (whose own warning,
        gap_warning, says it already)."""
        year = from_iso(due).astimezone(self.tz).year
        if not self.calendar.covers(year) and year != start.astimezone(self.tz).year:
            self._due_years.add(year)

    def calendar_warnings(self) -> list[str]:
        """What a command warns of the calendar after the block, in the words of the
        steps (complaints.calendar_warnings), once a year however many histories met
        it: a year histories landed in that has no official data (gap_warning), and
        one a deadline fell in from another year (deadline_warning). The lines the
        steps typed one by one would print, each once, by year."""
        country = self.lg.config.settings.get("country")
        out: list[str] = []
        for year in sorted(self.calendar_gaps.keys() | self.deadline_gaps.keys()):
            if year in self.calendar_gaps:
                out.append(gap_warning(year, country))
            if year in self.deadline_gaps:
                out.append(deadline_warning(year, country, self.calendar.stored(year)))
        return out

    def _calendar_changed(self) -> None:
        self.lg.forget_config()
        self.calendar = self.lg.config.calendar()
        self._cover_from, self._cover_until = _cover_bounds(self.calendar, self.tz)
        self._due_from, self._due_until = _due_bounds(self.calendar, self.tz)
        self._durations.clear()
        self._working_due = _WorkingDues(self.calendar, self.tz)

    def _accept(self, case: _Case) -> None:
        row = case.row
        if self._gaps:
            self.calendar_gaps.update(self._gaps)
        if self._due_years:
            self.deadline_gaps.update(self._due_years)
        if case.later:
            self._relink(row, case.later)
        if case.lapsed:
            self.second_lapsed += 1
        self.complaints.append(self.complaint_row(row))
        if case.returns:
            self.returns.extend(map(self.return_row, case.returns))
            self.actions.extend(case.actions)
        elif case.actions:
            self.actions.extend(case.actions)
        if row["status"] != "void" and row["repeat_key"]:
            received, key = row["received_at"], row["repeat_key"]
            insort_right(self.recent.setdefault(key, []),
                         (received, row["id"], self.rowid_base + self.added + 1,
                          row["repeat_of"], case.repeat_received), key=_RECEIVED)
            self._recent_order.append((received, key))
            if received > self._latest:
                self._latest = received
        self.tallied += case.tallies
        self._count(case)
        self.added += 1
        if self.added % self.batch == 0:
            if self.aside is not None and self.added >= self.aside[0]:
                self.set_aside.update(_set_aside_indexes(self.cur, self.aside[1]))
                self.aside = None
            self.write()

    def _count(self, case: _Case) -> None:
        """The rollups of an accepted complaint (rollups.RECOUNT of its rows as written:
        they do not change after, but for a relinked repeat, see _relink) and the
        handling times of its resolutions (rollups.HANDLING: every round is in its
        history)."""
        row, keys = case.row, self.counted
        day = row["received_at"][:10]
        keys += [(column, day, "" if row[column] is None else row[column])
                 for column in _BY_RECEIVED]
        department = row["department"]
        if row["repeat_of"] is not None:
            keys.append(("repeats", day, "yes"))
        concluded = row["concluded_at"]
        if concluded is not None:
            if row["cause_category"] is not None:
                keys.append(("cause", concluded[:10], row["cause_category"]))
            keys.append(("validity", concluded[:10],
                         "" if row["validity"] is None else row["validity"]))
        oks = self.counted_ok
        for stage in case.stages:
            if stage[_OUTCOME] == "done":
                done = stage[_DONE]
                key = ("stage_done", done[:10], stage[_STAGE])
                keys.append(key)
                ok = done <= stage[_DUE]
                if ok:
                    oks.append(key)
                if stage[_STAGE] == "resolve":
                    key = ("resolve_done", done[:10], "" if department is None else department)
                    keys.append(key)
                    if ok:
                        oks.append(key)
        if case.resolutions:
            cid, received, category = row["id"], row["received_at"], row["category"]
            after = {round_: at for at, round_ in case.resolutions}
            self.handling.extend((at, cid, round_, at, received, category, row["department"],
                                  after.get(round_ + 1)) for at, round_ in case.resolutions)

    @staticmethod
    def _extra_fields(extra: dict[str, Any] | None, texts: dict[int, str]) -> str:
        """The members of `extra` as JSON text ending the document ('"k":v}')."""
        if not extra:
            return ""
        text = texts.get(id(extra))
        if text is None:
            text = texts[id(extra)] = encode(extra)[1:]
        return text

    def _extra_text_of(self, base: dict[str, Any] | None, step: dict[str, Any] | None,
                       texts: dict[int, str]) -> str:
        if not step:
            return self._extra_fields(base, texts)
        if not base:
            return self._extra_fields(step, texts)
        return encode({**base, **step})[1:]

    # --- the rows ---------------------------------------------------------------

    def write(self) -> None:
        """Write the batch: the rows of each table, parents first (_insert_all)."""
        cur = self.cur
        _insert_all(cur, self.insert_complaint, self.complaints)
        _insert_all(cur, self.insert_return, self.returns)
        _insert_all(cur, INSERT_STAGE, self.stages)
        _insert_all(cur, INSERT_EVENT, self.events)
        _insert_all(cur, _INSERT_ASSIGNMENT, self.assignments)
        _insert_all(cur, _INSERT_INVESTIGATION, self.investigations)
        _insert_all(cur, _INSERT_RESOLUTION, self.resolutions)
        _insert_all(cur, _INSERT_REVISIT, self.revisits)
        _insert_all(cur, _INSERT_ACTION, self.actions)
        _insert_all(cur, _INSERT_RECEIPT, self.receipts)
        _insert_all(cur, _INSERT_DISPOSITION, self.dispositions)
        _insert_all(cur, rollups.INSERT_HANDLING, self.handling)
        self.tallies.update(self.tallied)
        self.tallied.clear()
        self.rollup_n.update(self.counted)
        self.rollup_ok.update(self.counted_ok)
        self.counted.clear()
        self.counted_ok.clear()
        for rows in self._lists:
            rows.clear()
        self._forget()
        if len(self._memo) > _MEMO_MOST:
            self._memo.clear()
        if len(self._docs) > _MEMO_MOST:
            self._docs.clear()

    def finish(self) -> None:
        """The last batch, the id counters and the day tallies."""
        self.write()
        self.cur.executemany(
            "INSERT INTO id_counters (kind, year, last) VALUES (?, ?, ?) ON CONFLICT "
            "(kind, year) DO UPDATE SET last = excluded.last",
            [(kind, year, last) for (kind, year), last in self.counters.items()])
        self.cur.executemany(
            "INSERT INTO day_tallies (measure, day, n) VALUES (?, ?, ?) ON CONFLICT "
            "(measure, day) DO UPDATE SET n = n + excluded.n",
            [(measure, day, n) for (measure, day), n in sorted(self.tallies.items())])
        self.tallies.clear()
        rollups.add_written(self.cur, self.rollup_n, self.rollup_ok)
        self.rollup_n, self.rollup_ok = Counter(), Counter()

    # --- what every step shares -------------------------------------------------

    def _next_id(self, kind: str, year: int) -> tuple[str, int]:
        key = (kind, year)
        last = self.counters.get(key)
        if last is None:
            found = self.cur.execute("SELECT last FROM id_counters WHERE kind = ? AND "
                                     "year = ?", key).fetchone()
            last = found[0] if found else 0
        self.counters[key] = last = last + 1
        return f"{self.prefixes[kind]}-{year}-{last:04d}", last

    def _open(self, case: _Case, stage: str, key: str, start: datetime, start_iso: str,
              round_: int = 1, return_id: str | None = None, lapse_before: str | None = None
              ) -> str | None:
        """Start a stage with its deadline (deadlines.stage_due, the policy's duration
        looked up once); returns the deadline as stored, None if the policy has none or
        it is before `lapse_before` (a second revisit not asked for: case.lapsed)."""
        severity = case.row["severity"]
        try:
            duration = self._durations[key, severity]
        except KeyError:
            duration = self._durations[key, severity] = deadlines.policy_duration(
                self.policy, key, severity)
        if duration is None:
            return None
        if duration.unit == "wd":
            due = self._working_due(start, start_iso, duration)
        else:
            due = _iso(deadlines.add_duration(start, duration, self.calendar, self.tz))
        if lapse_before is not None and due < lapse_before:
            case.lapsed = True
            return None
        if duration.unit == "wd" and not self._due_from <= due < self._due_until:
            self._note_due(due, start)  # (stored text, compared as such; hours and calendar
            # days need no calendar, and a deadline not set is not warned of)
        row = [case.row["id"], return_id, stage, round_, start_iso, due, None, None]
        self.stages.append(row)
        case.stages.append(row)
        return due

    @staticmethod
    def _finish(case: _Case, stage: str | None, done: str, return_id: str | None = None
                ) -> None:
        for row in case.stages:
            if row[_DONE] is None and (stage is None or row[_STAGE] == stage) \
                    and row[_RETURN] == return_id:
                row[_DONE], row[_OUTCOME] = done, "done"

    # A document that recurs (the old values of a step) is encoded once, kept by its
    # values: a step looks for it with `self._memo.get(key) or self._remember(key,
    # {...})`, so the document is built only when it is not there, with no function
    # made for each step to build it (the texts are never empty).
    def _remember(self, key: tuple[Any, ...], data: dict[str, Any]) -> str:
        text = self._memo[key] = _dumps(data)
        return text

    # and one with a deadline set into it: looked for in `self._docs`, made by _parts
    # when it is not there, then _with_deadline.
    def _parts(self, key: tuple[Any, ...], document: dict[str, Any]
               ) -> tuple[str, str, str]:
        """encode of `document`, and the text before and after the place its member
        "deadlines" takes (see _with_deadline), kept by `key`."""
        marked = encode({**document, "deadlines": 0})
        at = marked.index('"deadlines": 0')
        parts = self._docs[key] = (encode(document), marked[:at],
                                   marked[at + len('"deadlines": 0'):])
        return parts

    def _event(self, cid: str | None, kind: str, at: str, now: str, actor: str, data: str,
               old: str | None = None, return_id: str | None = None) -> None:
        """store.event_row and store.chained, for one event of the batch: `data` and
        `old` come encoded (store.dumps)."""
        if self._extra_text and cid:  # appended: no decoding and encoding again for each
            # event (a history's calendar event, cid None, is the ledger's, not the row's),
            # with the separator json.dumps puts between members: the text is json.dumps of
            # the object a JSON-lines export gives, in its keys' order (with "," alone it
            # was no json.dumps at all, and an import's events checked as tampered)
            data = data[:-1] + (", " if len(data) > 2 else "") + self._extra_text
        text = "\x1f".join((self.previous, cid or "", return_id or "", at, now, actor,
                            self.login_text, kind, data, old or ""))
        self.previous = sha256(text.encode("utf-8")).hexdigest()
        self.events.append((cid, return_id, at, now, actor, self.login, kind, data, old,
                            self.previous))

    def ledger_event(self, kind: str, at: datetime, actor: str, data: dict[str, Any]) -> None:
        """An event of the ledger's own (of no complaint: an import batch's), in the chain
        with the histories' events."""
        when = _iso(at)
        self._event(None, kind, when, when, actor, _dumps(data))

    def _check_at(self, at: datetime, now: datetime | None, after: datetime,
                  what: str = "the previous step") -> None:
        if at < after or at > (now or at) + _FUTURE_GRACE:  # the guard says why
            workflow.check_time(at, now or at, after=after, what=what, local=self.local)

    def _check_records(self, step: Step, at: str, latest: tuple[str, str]) -> None:
        """complaints.check_after_records: a void or a closing not before the latest
        step `latest` (at, kind) recorded on the complaint that it would end."""
        if latest[0] > at:
            self._check_at(step.at, step.now, from_iso(latest[0]), recorded_as(latest[1]))

    def _check_after(self, step: Step, at: str, after: str, what: str) -> None:
        """_check_at after a stored instant: compared as stored text (`at` is the
        step's; a stored instant is a whole second, so the step is before it exactly
        when its text sorts before), read back only to say why."""
        if at < after or step.now is not None and step.at > step.now + _FUTURE_GRACE:
            self._check_at(step.at, step.now, from_iso(after), what)

    # --- log --------------------------------------------------------------------

    def _log(self, h: History, log_text: str | None = None) -> _Case:
        """The log step; `log_text`: what its event carries besides (not the links it
        writes on other complaints), when more than the history's extra."""
        fields, received, now, actor = h.fields, h.received_at, h.logged_at, h.actor
        if received > now + _FUTURE_GRACE:  # the guard says why
            workflow.check_time(received, now, option="--received", local=self.local)
        if fields["category"] not in self.categories:
            _check_category(self.lg, fields["category"])  # says why (None passes)
        year = now.astimezone(self.tz).year
        cid, seq = self._next_id("complaint", year)
        received_iso = _iso(received)
        logged_at = _iso(now)
        repeat_of = repeat_received = None
        later: list[tuple[str, str | None, str]] = []
        key = repeat_key(fields["customer"], fields.get("product"))
        if key:
            repeat_of, repeat_received, later = self._repeats(key, received, received_iso)
        row = {**self.blank_complaint, **fields, "id": cid, "year": year, "seq": seq,
               "received_at": received_iso, "logged_at": logged_at,
               "logged_by": fields.get("logged_by") or actor, "status": "logged",
               "repeat_of": repeat_of, "last_step_at": received_iso,
               "last_contact_at": received_iso, "repeat_key": key}
        data = {k: v for k, v in fields.items() if v is not None}
        data["received_at"], data["logged_at"], data["logged_by"] = \
            received_iso, logged_at, row["logged_by"]
        if repeat_of is not None:
            data["repeat_of"] = repeat_of
        if fields.get("contact"):
            row["contact_salt"] = self.lg.salt_source()
            data["contact"] = contact_ref(row["contact_salt"], fields["contact"])
        if not self._cover_from <= received < self._cover_until:
            self._cover(received, logged_at, actor)
        case = _Case(row, received)
        case.repeat_received, case.later = repeat_received, later
        dues = {}
        if due := self._open(case, "assign", "assign", received, received_iso):
            dues["assign"] = due
        if due := self._open(case, "resolve", "resolve", received, received_iso):
            dues["resolve"] = due
        if dues:
            data["deadlines"] = dues
        shared = self._extra_text
        if log_text is not None:
            self._extra_text = log_text
        self._event(cid, "log", received_iso, logged_at, actor, encode(data))
        # a link on another complaint is not that one's row: without the import's source
        self._extra_text = ""
        for other, before, _got in later:  # received after this one: now its repeats
            self._event(other, "repeat-link", logged_at, logged_at, actor,
                        _dumps({"repeat_of": cid}), _dumps({"repeat_of": before}))
        self._extra_text = shared
        return case

    def _repeats(self, key: str, received: datetime, received_iso: str
                 ) -> tuple[str | None, str | None, list[tuple[str, str | None, str]]]:
        """complaints.log's repeat check (REPEAT_EARLIER, repeat_later): the latest
        complaint of the same repeat key `key` (customer and product) received within the
        window before this one (at the same instant: entered before it), and not void
        (its id and received_at); and those received within the window after it whose
        latest earlier one this one now is (id, the one each repeated until now, its
        received_at), in the order received. Those this writer added are remembered; older ones, and
        every one when the histories come out of the order they were received in,
        are asked of the ledger (the demo's, oldest first, never asks)."""
        lo = _iso(received - self.window)
        best: tuple[str, str, int] | None = None
        # id -> (received_at, rowid, the one it repeats, when that one was received)
        after: dict[str, tuple[str, int, str | None, str | None]] = {}
        entries = self.recent.get(key, ())
        if entries:  # in the order received: those after it, and the latest before it
            at = bisect_right(entries, received_iso, key=_RECEIVED)
            for entry in entries[at:]:
                after[entry[1]] = (entry[0], entry[2], entry[3], entry[4])
            if at and entries[at - 1][0] >= lo:
                best = entries[at - 1][:3]
        if self.ask_ledger or lo < self.forgotten:
            if REPEAT_INDEX in self.set_aside:  # what is not written yet is remembered
                self.cur.execute(self.set_aside.pop(REPEAT_INDEX))
            found = self.cur.execute(
                "SELECT received_at, id, rowid FROM complaints WHERE repeat_key = ? "
                "AND received_at <= ? AND received_at >= ? "
                "AND status != 'void' ORDER BY received_at DESC, rowid DESC LIMIT 1",
                (key, received_iso, lo)).fetchone()
            if found is not None and (best is None or (found[0], found[2]) > (best[0], best[2])):
                best = found
            for cid, got, rowid, before, before_got in self.cur.execute(
                    "SELECT c.id, c.received_at, c.rowid, c.repeat_of, p.received_at "
                    "FROM complaints c LEFT JOIN complaints p ON p.id = c.repeat_of "
                    "WHERE c.repeat_key = ? AND c.received_at > ? "
                    "AND c.received_at <= ? AND c.status != 'void'",
                    (key, received_iso, _iso(received + self.window))).fetchall():
                if cid in after:
                    continue  # remembered, as it is now
                if before is not None and before_got is None:  # in the batch, not written
                    before_got = next((e[0] for e in entries if e[1] == before), "")
                after[cid] = (got, rowid, before, before_got)
        later: list[tuple[str, str | None, str]] = []
        if after:
            until = _iso(received + self.window)
            for cid, (got, _rowid, before, before_got) in sorted(
                    after.items(), key=lambda item: (item[1][0], item[1][1])):
                if got <= until and (before_got is None or before_got <= received_iso):
                    later.append((cid, before, got))
        if best is None:
            return None, None, later
        return best[1], best[0], later

    def _relink(self, row: dict[str, Any], later: list[tuple[str, str | None, str]]
                ) -> None:
        """The complaints received after a new one that now repeat it: their rows (in
        the batch, or in the ledger) and what is remembered of them."""
        cid, received = row["id"], row["received_at"]
        batch = {r[self._id_at]: i for i, r in enumerate(self.complaints)}
        relinked = {other for other, _before, _got in later}
        first = {other for other, before, _got in later if before is None}  # a repeat from now
        for other in relinked:
            at = batch.get(other)
            if at is None:
                rollups.relinked(self.cur, other, self.rollup_marks)
                if other in first:  # one this writer wrote in an earlier batch
                    mine = self.cur.execute(
                        "SELECT substr(received_at, 1, 10) FROM complaints WHERE id = ? "
                        "AND rowid > ?", (other, self.rollup_marks[0])).fetchone()
                    if mine is not None:
                        self._repeat_counted(mine[0])
                self.cur.execute("UPDATE complaints SET repeat_of = ? WHERE id = ?",
                                 (cid, other))
            else:
                values = list(self.complaints[at])
                values[self._repeat_at] = cid
                self.complaints[at] = tuple(values)
                if other in first:
                    self._repeat_counted(values[self._received_at][:10])
        entries = self.recent.get(row["repeat_key"], [])
        for i, entry in enumerate(entries):
            if entry[1] in relinked:
                entries[i] = (entry[0], entry[1], entry[2], cid, received)

    def _repeat_counted(self, day: str) -> None:
        """One more repeat received on `day` (a complaint relinked after it was counted)."""
        self.rollup_n["repeats", day, "yes"] += 1

    def _forget(self) -> None:
        """Let go of the remembered complaints received more than the window before the
        latest one: a history received after that latest one cannot be a repeat of
        them (one received earlier asks the ledger)."""
        if not self._recent_order:
            return
        horizon = _iso(datetime.fromisoformat(self._latest[:-1]).replace(tzinfo=UTC)
                       - self.window)
        order, recent = self._recent_order, self.recent
        while order and order[0][0] < horizon:
            received, key = order.popleft()
            entries = recent[key]
            entries.pop(bisect_left(entries, received, key=_RECEIVED))
            if not entries:
                del recent[key]
        if horizon > self.forgotten:
            self.forgotten = horizon

    # --- the complaint's steps ----------------------------------------------------

    def _assign(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, f = case.row, step.facts
        cid, status = c["id"], c["status"]
        new = workflow.next_state("assign", status, cid, severity=c["severity"])
        self._check_at(step.at, step.now, case.last)
        department, owner, note = f["department"], f["owner"], f.get("note")
        key: tuple[Any, ...] = ("assign", c["department"], c["owner"], status)
        old = self._memo.get(key) or self._remember(key, {
            "department": c["department"], "owner": c["owner"], "status": status})
        due = None
        if c["assigned_at"] is None:
            c["assigned_at"] = at
            self._finish(case, "assign", at)
            due = self._open(case, "investigate", "investigate", step.at, at)
        key = ("assign", department, owner, new, note)
        parts = self._docs.get(key)
        if parts is None:
            data = {"department": department, "owner": owner, "status": new}
            if note is not None:
                data["note"] = note
            parts = self._parts(key, data)
        c["status"], c["department"], c["owner"] = new, department, owner
        c["last_step_at"], case.last = at, step.at
        self.assignments.append((cid, at, step.actor, department, owner, note))
        self._event(cid, "assign", at, now, step.actor,
                    _with_deadline(parts, "investigate", due), old)

    def _investigate(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, data = case.row, step.facts
        cid = c["id"]
        new = workflow.next_state("investigate", c["status"], cid, severity=c["severity"])
        workflow.check_investigate(c, data)
        self._check_at(step.at, step.now, case.last)
        concluding = data.get("root_cause") is not None or data.get("validity") == "not-upheld"
        self.investigations.append((cid, at, step.actor,
                                    *map(data.get, _INVESTIGATION_FACTS)))
        values: dict[str, Any] = {"status": new}
        for key in _CONCLUSION_COLUMNS:
            if data.get(key) is not None:
                values[key] = data[key]
        if concluding and c["concluded_at"] is None:
            values["concluded_at"] = at
            self._finish(case, "investigate", at)
        if data.get("root_cause") and values.get("validity") is None and c["validity"] is None:
            values["validity"] = "upheld"
        old = self._dumps_old(c, values)
        c.update(values)
        c["last_step_at"], case.last = at, step.at
        done = ("investigate", new, *data.items())
        text = self._memo.get(done) or self._remember(done, {**data, "status": new})
        self._event(cid, "investigate", at, now, step.actor, text, old)

    def _dumps_old(self, c: dict[str, Any], values: dict[str, Any]) -> str:
        olds = tuple([(k, c[k]) for k in values])
        return self._memo.get(olds) or self._remember(olds, dict(olds))

    def _resolve(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, f = case.row, step.facts
        cid, status = c["id"], c["status"]
        disposition, amount = f["disposition"], f.get("amount")
        approved_by, summary = f.get("approved_by"), f["summary"]
        new = workflow.next_state("resolve", status, cid, severity=c["severity"])
        workflow.check_resolve(c, disposition, amount)
        self._check_at(step.at, step.now, case.last)
        currency = self.currency if amount is not None else None
        round_ = c["reopen_count"] + 1
        self.resolutions.append((cid, round_, at, step.actor, disposition, amount, currency,
                                 approved_by, summary, c["resolved_at"] if round_ > 1 else None))
        self._finish(case, "resolve", at)
        case.resolutions.append((at, round_))
        due = self._open(case, "revisit", "revisit", step.at, at, round_=round_)
        # (the round before's amount and approver too, as the step writes them)
        was = ("resolve", status, c["disposition"])
        old = (self._memo.get(was) or self._remember(was, {
            "status": status, "disposition": c["disposition"]})) if (
            c["amount"] is None and c["approved_by"] is None) else _dumps({
                "status": status, "disposition": c["disposition"],
                "amount": None if c["amount"] is None else format_money(c["amount"]),
                "currency": None if c["amount"] is None else c["currency"],
                "approved_by": c["approved_by"]})
        c["status"], c["disposition"], c["amount"], c["currency"] = \
            new, disposition, amount, currency
        c["approved_by"], c["resolution_summary"] = approved_by, summary
        c["resolved_at"] = c["last_step_at"] = at
        case.last = step.at
        case.tallies.append(("resolutions", at[:10]))
        if amount is None:
            key = ("resolve", disposition, summary, round_, new, approved_by)
            text = _with_deadline(self._docs.get(key) or self._parts(key, _resolution(
                disposition, summary, round_, new, amount, currency, approved_by)),
                "revisit", due)
        else:  # amounts vary: not worth remembering
            data = _resolution(disposition, summary, round_, new, amount, currency,
                               approved_by)
            text = encode({**data, "deadlines": {"revisit": due}} if due else data)
        self._event(cid, "resolve", at, now, step.actor, text, old)

    def _revisit(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, f = case.row, step.facts
        cid, status, reopens = c["id"], c["status"], c["reopen_count"]
        satisfaction, demand_met = f["satisfaction"], f.get("demand_met")
        method, note = f.get("method"), f.get("note")
        new = workflow.next_state("revisit", status, cid, satisfaction, severity=c["severity"])
        if status == "closed":  # only for its scheduled second revisit
            workflow.check_second_revisit(cid, any(
                s[_STAGE] == "second-revisit" and s[_DONE] is None and s[_RETURN] is None
                for s in case.stages), critical=c["severity"] == "critical")
        self._check_at(step.at, step.now, case.last)
        if new == "closed" and status != "closed":
            self._check_records(step, at, case.open_only)
        self.revisits.append((cid, at, step.actor, method, satisfaction,
                              None if demand_met is None else int(demand_met), note,
                              status, new))
        second = status == "closed"
        self._finish(case, "second-revisit" if second else "revisit", at)
        due, stage, reopened = None, "second-revisit", None
        if new == "closed":
            if not second:
                case.tallies.append(("closing_revisits", at[:10]))
                c["closed_at"] = at
                due = self._open(case, "second-revisit", "second-revisit", step.at, at,
                                 lapse_before=now if self._lapse else None)
        else:
            reopened = c["reopen_count"] = reopens + 1
            c["closed_at"] = c["close_reason"] = None  # (the close event keeps the reason)
            self._finish(case, "second-revisit", at)
            due, stage = self._open(case, "resolve", "reopen", step.at, at,
                                    round_=reopens + 2), "resolve"
        c["status"], c["satisfaction"], c["last_step_at"] = new, satisfaction, at
        if at > c["last_contact_at"]:
            c["last_contact_at"] = at
        case.last = step.at
        key: tuple[Any, ...] = ("revisit", satisfaction, new, reopened, method, demand_met,
                                type(demand_met), note)
        parts = self._docs.get(key)
        if parts is None:
            data: dict[str, Any] = {"satisfaction": satisfaction, "status": new}
            if reopened is not None:
                data["reopen_count"] = reopened
            if method is not None:
                data["method"] = method
            if demand_met is not None:
                data["demand_met"] = demand_met
            if note is not None:
                data["note"] = note
            parts = self._parts(key, data)
        key = ("revisit", status, reopens)
        old = self._memo.get(key) or self._remember(key, {
            "status": status, "reopen_count": reopens})
        self._event(cid, "revisit", at, now, step.actor, _with_deadline(parts, stage, due),
                    old)

    def _close(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, reason = case.row, step.facts["reason"]
        status = c["status"]
        workflow.check_reason("close --no-revisit", reason)
        new = workflow.next_state("close", status, c["id"], severity=c["severity"])
        self._check_at(step.at, step.now, case.last)
        self._check_records(step, at, case.open_only)
        self._finish(case, "revisit", at)
        due = self._open(case, "second-revisit", "second-revisit", step.at, at,
                         lapse_before=now if self._lapse else None)
        c["status"], c["closed_at"], c["close_reason"], c["last_step_at"] = \
            new, at, reason, at
        case.last = step.at
        key, old = ("close", reason, new), ("status", status)
        parts = self._docs.get(key) or self._parts(key, {
            "no_revisit": True, "reason": reason, "status": new})
        self._event(c["id"], "close", at, now, step.actor,
                    _with_deadline(parts, "second-revisit", due),
                    self._memo.get(old) or self._remember(old, {"status": status}))

    def _void(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, reason = case.row, step.facts["reason"]
        status = c["status"]
        workflow.check_reason("void", reason)
        new = workflow.next_state("void", status, c["id"], severity=c["severity"])
        self._check_at(step.at, step.now, case.last)
        self._check_records(step, at, case.recorded)
        returns.check_void(c["id"], [(r["id"], r["stage"]) for r in case.returns
                                     if r["closed_at"] is None])
        for row in case.stages:  # every open stage, its returns' too
            if row[_DONE] is None:
                row[_DONE], row[_OUTCOME] = at, "void"
        c["status"], c["voided_at"], c["void_reason"], c["last_step_at"] = new, at, reason, at
        case.last = step.at
        key, old = ("void", reason, new), ("status", status)
        self._event(c["id"], "void", at, now, step.actor,
                    self._memo.get(key) or self._remember(key, {
                        "reason": reason, "status": new}),
                    self._memo.get(old) or self._remember(old, {"status": status}))
        # complaints.void's relink: those this one linked to itself when it was logged
        # (received after it) go back to the one each repeated before; nothing else in
        # the ledger changed since
        shared, self._extra_text = self._extra_text, ""  # (not the other's row: _log)
        for other, before, got in case.later:  # dated as complaints.relink dates them
            self._event(other, "repeat-link", max(at, got), now, step.actor,
                        _dumps({"repeat_of": before}), _dumps({"repeat_of": c["id"]}))
        self._extra_text = shared
        case.later = []

    # --- CAPA actions -----------------------------------------------------------

    def _action(self, case: _Case, step: Step) -> list[Any]:
        ref = step.facts["action"]
        if not isinstance(ref, int) or not 0 <= ref < len(case.actions):
            raise NotFound(_("no action {ref} in this history").format(ref=shown(ref)),
                           code="no_action", record=ref)
        return case.actions[ref]

    def _action_add(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, f = case.row, step.facts
        workflow.next_state("action add", c["status"], c["id"], severity=c["severity"])
        self._check_at(step.at, step.now, case.last)
        workflow.check_due(f["due"], step.at, self.local)
        aid = self.next_action
        self.next_action += 1
        due = _iso(f["due"])
        case.actions.append([aid, c["id"], f["text"], f["owner"], due, at, step.actor,
                             None, None, None, None, None])
        self._event(c["id"], "action-add", at, now, step.actor, encode(
            {"action": aid, "text": f["text"], "owner": f["owner"], "due_at": due}))

    def _action_view(self, a: list[Any], case: _Case) -> dict[str, Any]:
        return {"id": a[_A_ID], "done_at": a[_A_DONE], "verified_at": a[_A_VERIFIED],
                "done_by": a[_A_DONE_BY], "verified_by": a[_A_VERIFIED + 1],
                "complaint_id": a[_A_CID], "complaint_status": case.row["status"]}

    def _action_done(self, case: _Case, step: Step, at: str, now: str) -> None:
        a = self._action(case, step)
        workflow.next_state("action done", case.row["status"], a[_A_CID],
                            severity=case.row["severity"])
        workflow.check_action_done(self._action_view(a, case),
                                   lambda s: self.local(from_iso(s)))
        self._check_after(step, at, a[_A_CREATED], "the action was added")
        a[_A_DONE], a[_A_DONE_BY] = at, step.actor
        self._event(a[_A_CID], "action-done", at, now, step.actor,
                    encode({"action": a[_A_ID]}))

    def _action_verify(self, case: _Case, step: Step, at: str, now: str) -> None:
        a = self._action(case, step)
        note = step.facts.get("note")
        workflow.next_state("action verify", case.row["status"], a[_A_CID],
                            severity=case.row["severity"])
        workflow.check_action_verify(self._action_view(a, case),
                                     lambda s: self.local(from_iso(s)))
        self._check_after(step, at, a[_A_DONE], "the action was done")
        a[_A_VERIFIED:] = [at, step.actor, note]
        self._event(a[_A_CID], "action-verify", at, now, step.actor,
                    _dumps({"action": a[_A_ID], "note": note}))

    # --- returns ----------------------------------------------------------------

    def _return(self, case: _Case, step: Step, at: str,
                check: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """rma._step: the return, checked by the step's rule, and the step's time after
        the return's last one."""
        ref = step.facts["return"]
        if not isinstance(ref, int) or not 0 <= ref < len(case.returns):
            raise NotFound(_("no return {ref} in this history").format(ref=shown(ref)),
                           code="no_return", record=ref)
        r = case.returns[ref]
        check(r)
        self._check_after(step, at, r["last_step_at"], "the return's previous step")
        return r

    def _return_write(self, case: _Case, r: dict[str, Any], values: dict[str, Any],
                      added: dict[str, int], kind: str, step: Step, at: str, now: str,
                      data: dict[str, Any], old: dict[str, Any]) -> None:
        """rma._write: the return's new numbers, its stage and the event."""
        old = {**old, "stage": r["stage"]}
        r.update(values)
        for key, n in added.items():
            r[key] += n
        r["stage"] = returns.stage(r)
        r["last_step_at"] = at
        self._event(case.row["id"], kind, at, now, step.actor,
                    _dumps({**data, "stage": r["stage"]}), _dumps(old), return_id=r["id"])

    def _return_open(self, case: _Case, step: Step, at: str, now: str) -> None:
        c, f = case.row, step.facts
        qty = f["qty"]
        returns.check_open(qty)
        workflow.next_state("return open", c["status"], c["id"], severity=c["severity"])
        self._check_at(step.at, step.now, case.last)
        year = (step.now or step.at).astimezone(self.tz).year  # the year of entry
        rid, seq = self._next_id("return", year)
        row = {"id": rid, "complaint_id": c["id"], "year": year, "seq": seq, "opened_at": at,
               "opened_by": step.actor, "authorised_qty": qty,
               "product": f.get("product") or c["product"], "lot": f.get("lot") or c["lot"],
               "reason": f.get("reason"), "stage": "authorised", "last_step_at": at}
        case.returns.append({**self.blank_return, **row})
        self._event(c["id"], "return-open", at, now, step.actor,
                    _dumps({"return": rid, "authorised_qty": qty, "product": row["product"],
                            "lot": row["lot"], "reason": row["reason"]}), return_id=rid)

    def _return_receive(self, case: _Case, step: Step, at: str, now: str) -> None:
        f = step.facts
        qty, note = f["qty"], f.get("note")
        r = self._return(case, step, at, lambda r: returns.check_receive(r, qty))
        self.receipts.append((r["id"], at, step.actor, qty, note))
        values: dict[str, Any] = {}
        dues: dict[str, str | None] = {}
        old: dict[str, Any] = {"received_qty": r["received_qty"]}
        if r["first_received_at"] is None:
            values["first_received_at"] = at
            dues["inspect"] = self._open(case, "inspect", "inspect", step.at, at,
                                         return_id=r["id"])
        elif r["inspected_at"] is not None:  # goods after the inspection: inspected in turn
            values["inspected_at"], old["inspected_at"] = None, r["inspected_at"]
            dues["inspect"] = self._open(case, "inspect", "inspect", step.at, at,
                                         round_=_rounds(case, r, "inspect") + 1,
                                         return_id=r["id"])
            for row in case.stages:  # the disposition owed, not late yet, ends (as
                # rma.return_receive: the inspection again owes it anew)
                if row[_RETURN] == r["id"] and row[_STAGE] == "dispose" and \
                        row[_DONE] is None and row[_STARTED] <= at and \
                        (row[_DUE] is None or row[_DUE] >= at):
                    row[_DONE], row[_OUTCOME] = at, "void"
        total = r["received_qty"] + qty
        self._return_write(case, r, values, {"received_qty": qty}, "return-receive", step,
                           at, now, {"return": r["id"], "qty": qty, "received_qty": total,
                                     "note": note, "deadlines": _deadlines(dues)}, old)

    def _return_inspect(self, case: _Case, step: Step, at: str, now: str) -> None:
        f = step.facts
        defective = f["defective"]
        r = self._return(case, step, at,
                         lambda r: returns.check_inspect(r, defective, f["result"]))
        cause = returns.inspection_cause(r, f["result"], f.get("cause"))
        values: dict[str, Any] = {"result": f["result"], "defective_qty": defective,
                                  "cause": cause, "inspection_note": f.get("note")}
        due = None
        if r["inspected_at"] is None:
            values["inspected_at"] = at
            self._finish(case, "inspect", at, r["id"])
            if not any(s[_RETURN] == r["id"] and s[_STAGE] == "dispose" and s[_DONE] is None
                       for s in case.stages):  # (owed still for units inspected before)
                due = self._open(case, "dispose", "dispose", step.at, at,
                                 round_=_rounds(case, r, "dispose") + 1, return_id=r["id"])
        self._return_write(case, r, values, {}, "return-inspect", step, at, now,
                           {"return": r["id"], "result": f["result"],
                            "defective_qty": defective, "cause": cause,
                            "note": f.get("note"), "deadlines": _deadlines({"dispose": due})},
                           {"result": r["result"], "defective_qty": r["defective_qty"],
                            "cause": r["cause"], "note": r["inspection_note"]})

    def _return_dispose(self, case: _Case, step: Step, at: str, now: str) -> None:
        f = step.facts
        qty, cost, repair = f["qty"], f.get("cost"), f.get("repair_cost")
        r = self._return(case, step, at, lambda r: returns.check_dispose(r, qty))
        self.dispositions.append((r["id"], at, step.actor, f["action"], qty, cost or 0,
                                  repair or 0, f.get("note")))
        if r["disposed_qty"] + qty == r["received_qty"]:
            self._finish(case, "dispose", at, r["id"])
        self._return_write(case, r, {}, {"disposed_qty": qty, "cost_of_loss": cost or 0,
                                         "repair_cost": repair or 0}, "return-dispose",
                           step, at, now,
                           {"return": r["id"], "action": f["action"], "qty": qty,
                            "cost_of_loss": format_money(cost),
                            "repair_cost": format_money(repair), "note": f.get("note")},
                           {"disposed_qty": r["disposed_qty"]})

    def _return_close(self, case: _Case, step: Step, at: str, now: str) -> None:
        r = self._return(case, step, at, returns.check_close)
        self._finish(case, None, at, r["id"])  # every open stage of the return
        self._return_write(case, r, {"closed_at": at}, {}, "return-close", step, at, now,
                           {"return": r["id"]}, {})


class _WorkingDues:
    """_iso(deadlines.add_duration(start, duration, calendar, tz)) of durations in
    working days, worked out once per UTC day of the start (see _day_plan)."""

    def __init__(self, calendar: deadlines.Calendar, tz: Any):
        self.calendar, self.tz = calendar, tz
        # (UTC day, working days) -> how a deadline of a stage started that day ends
        self._plans: dict[tuple[str, int], Any] = {}
        self._offsets: dict[tuple[bool, date], timedelta | None] = {}

    def __call__(self, start: datetime, start_iso: str, duration: deadlines.Duration
                 ) -> str:
        """_iso(deadlines.add_duration(start, duration …)) of a duration in working days,
        worked out once per UTC day of `start` (see _day_plan)."""
        plan = self._plans.get((start_iso[:10], duration.amount))
        if plan is None:
            plan = self._plans[start_iso[:10], duration.amount] = self._day_plan(
                start_iso[:10], duration)
        if plan:
            part = plan[1] if start_iso[11:19] >= plan[0] else plan[2]
            if part is not None:
                return part[1] + start_iso[10:] if part[0] else part[1]
        return _iso(deadlines.add_duration(start, duration, self.calendar, self.tz))

    def _offset(self, day: datetime | date) -> timedelta | None:
        """The zone's offset all through a UTC day (a datetime: its start) or a local
        day (a date), None if it changes that day (remembered)."""
        key = (isinstance(day, datetime), day)
        try:
            return self._offsets[key]
        except KeyError:
            pass
        if isinstance(day, datetime):
            offsets = {(day + step).astimezone(self.tz).utcoffset() for step in _DAY_PROBES}
            found = offsets.pop() if len(offsets) == 1 else None
        else:
            found = deadlines.day_offset(self.tz, day)
        self._offsets[key] = found
        return found

    def _day_plan(self, day: str, duration: deadlines.Duration
                  ) -> tuple[str, tuple[bool, str] | None, tuple[bool, str] | None] | None:
        """How deadlines.add_working_days ends for a start on the UTC day `day`: None
        (work each out) unless the zone's offset is the same all that day. Then the
        day splits at the UTC time of local midnight (the threshold) into two parts,
        each on one local date: (threshold, the part from it, the part before it), a
        part being (False, the deadline) when its local date is not a working day (it
        then starts at 00:00 of the next one: one deadline for all), (True, the UTC
        day of the deadline) when the deadline keeps the start's UTC time of day (its
        day's offset is the start's all day long), or None (work each out)."""
        tz, cal, n = self.tz, self.calendar, duration.amount
        first = datetime.fromisoformat(day).replace(tzinfo=UTC)
        offset = self._offset(first)
        if offset is None:
            return None
        threshold = int(-offset.total_seconds()) % 86400
        clock = f"{threshold // 3600:02d}:{threshold // 60 % 60:02d}:{threshold % 60:02d}"

        def part(probe: datetime) -> tuple[bool, str] | None:
            local = probe.astimezone(tz)
            if not cal.is_working_day(local.date()):
                return False, _iso(deadlines.add_working_days(probe, n, cal, tz))
            target = cal.working_day_after(local.date(), n)
            if self._offset(target) != offset:
                return None
            return True, (first.date() + (target - local.date())).isoformat()

        return (clock, part(first + timedelta(seconds=threshold)),
                part(first) if threshold else None)


def _with_deadline(parts: tuple[str, str, str], stage: str, due: str | None) -> str:
    """encode of a document (its Writer._parts) with, if `due`, the member "deadlines":
    {stage: due}, set into its text (stage names and stored instants need no escaping)."""
    if not due:
        return parts[0]
    return f'{parts[1]}"deadlines": {{"{stage}": "{due}"}}{parts[2]}'


def _resolution(disposition: str, summary: str, round_: int, new: str, amount: int | None,
                currency: str | None, approved_by: str | None) -> dict[str, Any]:
    """The document of a resolve's event, without its deadline."""
    data: dict[str, Any] = {"disposition": disposition, "summary": summary,
                            "round": round_, "status": new}
    if amount is not None:
        data["amount"], data["currency"] = format_money(amount), currency
    if approved_by is not None:
        data["approved_by"] = approved_by
    return data


def _rounds(case: _Case, r: dict[str, Any], stage: str) -> int:
    """rma._rounds: how many stages `stage` the return has had."""
    return sum(1 for s in case.stages if s[_RETURN] == r["id"] and s[_STAGE] == stage)


def _unknown(kind: str) -> BadInput:
    return BadInput(_("unknown step {kind}").format(kind=shown(kind)), code="unknown_step",
                    value=kind)


def _deadlines(dues: dict[str, str | None]) -> dict[str, str] | None:
    """complaints.recorded, of deadlines already stored as text."""
    return {stage: due for stage, due in dues.items() if due is not None} or None


_NEVER_BEFORE = datetime.min.replace(tzinfo=UTC)
_NEVER_AFTER = datetime.max.replace(tzinfo=UTC)


def _cover_bounds(cal: deadlines.Calendar, tz: Any) -> tuple[datetime, datetime]:
    """The instants [from, until) whose year has official calendar data and whose year
    and next year are stored: a history there needs no look at the calendar."""
    first, last = cal.first_and_last()
    until = None if cal.covered_until is None else cal.covered_until + 1
    if cal.years is not None:
        until = cal.years[1] if until is None else min(until, cal.years[1])
    return (_NEVER_BEFORE if first is None else datetime(first, 1, 1, tzinfo=tz).astimezone(UTC),
            _NEVER_AFTER if until is None else datetime(until, 1, 1, tzinfo=tz).astimezone(UTC))


def _due_bounds(cal: deadlines.Calendar, tz: Any) -> tuple[str, str]:
    """The instants [from, until), as stored text, whose local year the calendar has
    official data for without asking year by year (Calendar.first_and_last): a
    deadline there is not warned of."""
    first, last = cal.first_and_last()
    return ("" if first is None else _iso(datetime(first, 1, 1, tzinfo=tz)),
            "~" if last is None else _iso(datetime(last + 1, 1, 1, tzinfo=tz)))


def _columns(cur: sqlite3.Cursor, table: str) -> list[str]:
    return [c[1] for c in cur.execute(f"PRAGMA table_info({table})").fetchall()]


def _defaults(cur: sqlite3.Cursor, table: str, columns: list[str]) -> dict[str, Any]:
    """A row of `table` with nothing set: each column's default (NULL if it has none)."""
    info = cur.execute(f"PRAGMA table_info({table})").fetchall()
    values = cur.execute("SELECT " + ", ".join(c[4] or "NULL" for c in info)).fetchone()
    return dict(zip(columns, values, strict=True))


# Parameters a statement binds at most (SQLite before 3.32 allows no more than 999).
_PARAMETERS_MOST = 999
_MANY_ROWS: dict[str, tuple[int, int, str]] = {}


def _insert_all(cur: sqlite3.Cursor, sql: str, rows: list[Any]) -> None:
    """executemany of `sql` (an INSERT of one row of ? values) for `rows`, in their
    order: as many rows as fit in one statement's parameters at a time, as one INSERT
    of that many VALUES rows (a row costs SQLite a third less that way than one
    statement each), the rest one by one."""
    if not rows:
        return
    try:
        width, k, many = _MANY_ROWS[sql]
    except KeyError:
        head, _sep, one = sql.rpartition(" VALUES ")
        width = one.count("?")
        k = _PARAMETERS_MOST // width
        many = f"{head} VALUES {', '.join([one] * k)}"
        _MANY_ROWS[sql] = (width, k, many)
    full = len(rows) - len(rows) % k
    if full:
        flat = list(chain.from_iterable(rows[:full] if full < len(rows) else rows))
        n = k * width
        cur.executemany(many, [flat[i:i + n] for i in range(0, len(flat), n)])
    if full < len(rows):
        cur.executemany(sql, rows[full:])


def _insert(table: str, columns: list[str]) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            f"({', '.join('?' for _ in columns)})")


# --- the same history, one step at a time ----------------------------------------------

def through_steps(lg: Ledger, history: History, warnings: list[str] | None = None) -> str:
    """Tell a history through the ordinary step functions, as if typed one command
    at a time (each in its own transaction); returns the complaint's id. `warnings`,
    if given, gets what each step warned of, in order."""
    from complaintctl import complaints

    h = history
    said: list[str] = [] if warnings is None else warnings
    out = complaints.log(lg, h.fields, received_at=h.received_at, now=h.logged_at,
                         actor=h.actor)
    cid = out.id
    said += out.warnings
    return_ids: list[str] = []
    action_ids: list[str] = []
    for step in h.steps:
        said += step_through(lg, cid, step, return_ids, action_ids).warnings
    return cid


def step_through(lg: Ledger, cid: str, step: Step, return_ids: list[str] | None = None,
                 action_ids: list[str] | None = None) -> Outcome:
    """One step of a history on complaint `cid`, through its ordinary step function
    (its own transaction): what the step would be, typed. The history's returns and
    actions, referred to by their place in it, are `return_ids` and `action_ids`,
    which a return-open or action-add appends to."""
    from complaintctl import complaints, rma

    return_ids = [] if return_ids is None else return_ids
    action_ids = [] if action_ids is None else action_ids
    f, kind = step.facts, step.kind
    at, now, actor = step.at, step.now or step.at, step.actor
    if kind == "assign":
        return complaints.assign(lg, cid, f["department"], f["owner"], f.get("note"),
                                 at=at, now=now, actor=actor)
    if kind == "investigate":
        return complaints.investigate(lg, cid, f, at=at, now=now, actor=actor)
    if kind == "resolve":
        return complaints.resolve(lg, cid, f["disposition"], f["summary"], f.get("amount"),
                                  f.get("approved_by"), at=at, now=now, actor=actor)
    if kind == "revisit":
        return complaints.revisit(lg, cid, f["satisfaction"], f.get("method"),
                                  f.get("demand_met"), f.get("note"), at=at, now=now,
                                  actor=actor)
    if kind == "close":
        return complaints.close_no_revisit(lg, cid, f["reason"], at=at, now=now, actor=actor)
    if kind == "void":
        return complaints.void(lg, cid, f["reason"], at=at, now=now, actor=actor)
    if kind == "action-add":
        out = complaints.action_add(lg, cid, f["text"], f["owner"], f["due"], at=at,
                                    now=now, actor=actor)
        action_ids.append(str(out.data["action"]))
        return out
    if kind == "action-done":
        return complaints.action_done(lg, action_ids[f["action"]], at=at, now=now,
                                      actor=actor)
    if kind == "action-verify":
        return complaints.action_verify(lg, action_ids[f["action"]], f.get("note"), at=at,
                                        now=now, actor=actor)
    if kind == "return-open":
        out = rma.return_open(lg, cid, f["qty"], f.get("product"), f.get("lot"),
                              f.get("reason"), at=at, now=now, actor=actor)
        return_ids.append(out.id)
        return out
    if kind == "return-receive":
        return rma.return_receive(lg, return_ids[f["return"]], f["qty"], f.get("note"),
                                  at=at, now=now, actor=actor)
    if kind == "return-inspect":
        return rma.return_inspect(lg, return_ids[f["return"]], f["result"], f["defective"],
                                  f.get("cause"), f.get("note"), at=at, now=now, actor=actor)
    if kind == "return-dispose":
        return rma.return_dispose(lg, return_ids[f["return"]], f["action"], f["qty"],
                                  f.get("cost"), f.get("repair_cost"), f.get("note"),
                                  at=at, now=now, actor=actor)
    if kind == "return-close":
        return rma.return_close(lg, return_ids[f["return"]], at=at, now=now, actor=actor)
    raise _unknown(kind)
