"""The ledger file: finding and identifying it, opening it for reading or for
writing, creating it whole, upgrading it, and the one transaction every step
writes in (``BEGIN IMMEDIATE``: the step reads, checks and writes inside it).

SQLite's errors become `LedgerError` here; nothing above this module sees an
``sqlite3`` exception. Every method takes the instant `now` and the acting
user from the caller; the clock is read in cli.py only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from complaintctl import migrations, settings
from complaintctl.errors import ComplaintctlError, LedgerError, NotFound, Refused
from complaintctl.i18n import N_, _, file_size_limit, os_reason, path_said, shown
from complaintctl.parse import from_iso, iso, record_key, wall
from complaintctl.settings import Config

UTC = timezone.utc
BUSY_TIMEOUT_MS = 30_000
# A step waits for the write lock in slices of this length, so that Ctrl-C stops the
# wait at once (SQLite's own wait cannot be interrupted).
_BUSY_SLICE_MS = 100

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every complaintctl ledger has had since its first schema.
_LEDGER_TABLES = frozenset({"settings", "complaints", "events"})

INSERT_EVENT = ("INSERT INTO events (complaint_id, return_id, at, recorded_at, actor, login, "
                "kind, data, old, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
# The columns an event's hash covers, in this order (with the previous event's hash first).
EVENT_COLUMNS = ("complaint_id", "return_id", "at", "recorded_at", "actor", "login", "kind",
                 "data", "old")
INSERT_STAGE = ("INSERT INTO stages (complaint_id, return_id, stage, round, started_at, due_at, "
                "done_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


class Outcome:
    """What a write step did: the record's id and anything worth saying."""

    def __init__(self, id: str, status: str | None = None, *,  # noqa: A002
                 warnings: list[str] | None = None, data: dict[str, Any] | None = None):
        self.id, self.status = id, status
        self.warnings: list[str] = warnings or []
        self.notes: list[str] = []
        self.data: dict[str, Any] = data or {}


def _make_encode() -> Callable[[Any], str]:
    """json.dumps(..., ensure_ascii=False, sort_keys=True), its C encoder built once:
    JSONEncoder.encode builds one for each call, and every event stores two
    documents (with no cycles to look for)."""
    base = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C encoder
        return base.encode
    try:
        encoder = make(None, base.default, json.encoder.encode_basestring,
                       None, base.key_separator, base.item_separator, True, False, True)
    except TypeError:  # not the C encoder this was written for
        return base.encode
    return lambda document: "".join(encoder(document, 0))


encode = _make_encode()


def dumps(data: dict[str, Any] | None) -> str | None:
    if data is None:
        return None
    return encode({k: v for k, v in data.items() if v is not None})


# --- errors ----------------------------------------------------------------------

def _no_ledger(path: Path) -> LedgerError:
    """A relative path is said with the folder it was looked for in (a cron job's runs
    in another); the hint names the path first: a mistyped one, made with init, is an
    empty ledger whose overdue says "Nothing is overdue"."""
    said = path_said(path)
    try:
        folder = None if Path(path).is_absolute() else os.getcwd()
    except OSError:  # (the folder it runs in was removed)
        folder = None
    return LedgerError(_("no ledger at {path}").format(path=said) if folder is None else
                       _("no ledger at {path} (looked for in {folder})").format(
                           path=said, folder=path_said(folder)),
                       hint=_("check --db and COMPLAINTCTL_DB for a mistyped path; a new "
                              "ledger is made with: complaintctl init"),
                       code="no_ledger", path=str(path))


def _not_ledger(path: Path, why: str) -> LedgerError:
    """`why`: translated, or SQLite's own words."""
    return LedgerError(_("{path} is not a complaintctl ledger ({why})").format(
        path=path_said(path), why=why),
                       hint=_("check --db / COMPLAINTCTL_DB; complaintctl leaves other files "
                              "as they are"), code="not_a_ledger", path=str(path), why=why)


_DENIED = {"read": N_("permission denied: cannot read {path}"),
           "write": N_("permission denied: cannot write {path}"),
           "create": N_("permission denied: cannot create {path}")}


def read_only_disk(folder: Path) -> bool:
    """Whether `folder` is on a disk mounted read-only (access() says only "no")."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # (no statvfs: Windows)
        return False


def _permission_denied(path: Path, doing: str) -> LedgerError:
    if doing != "read" and read_only_disk(Path(path).expanduser().absolute().parent):
        # a read-only mount: no access to ask for
        whole = Path(path).expanduser()
        left = _journal_left(whole) is not None or _left_behind(Path(f"{whole}-wal"))
        return LedgerError(_("cannot write {path}: the disk is read-only").format(
            path=path), hint=_(
                "a write left files beside it ({name}-*), so it cannot be read there either: "
                "copy the ledger with them to a writable disk and run a complaintctl command "
                "on the copy").format(name=Path(path).name) if left else _(
                "it can be read there (overdue, show, report, verify); steps are written to "
                "the ledger on a writable disk"), code="read_only_disk", path=str(path))
    folder = Path(path).expanduser().absolute().parent
    message = _(_DENIED[doing]).format(path=path_said(path))
    if doing == "write" and os.access(path, os.W_OK) and not os.access(folder, os.W_OK | os.X_OK):
        # the file may be written, its folder not: SQLite makes its -wal, -shm and
        # journal beside it (the message named the file alone)
        message = _("permission denied: cannot write in the folder {folder}, where the ledger "
                    "keeps its -wal and -shm files").format(folder=path_said(folder))
    return LedgerError(message, hint=_("ask for access to the ledger file and its folder "
                                       "(README: sharing a ledger)"),
                       code="permission_denied", path=str(path))


# What a ledger's disk must have free for SQLite to open it (the -shm's 32 KiB, the
# -wal's first pages) and to write a step: less is a full disk.
_SPACE_NEEDED = 1 << 20


def space_left(path: Path) -> int:
    """Bytes free to this user on the disk of `path`'s folder (a large number when it
    cannot be told)."""
    try:
        found = os.statvfs(Path(path).expanduser().parent)
    except (OSError, AttributeError, ValueError):  # (no statvfs: Windows)
        return 1 << 62
    return found.f_bavail * found.f_frsize


# How near the limit on a file's size (file_size_limit) the largest of a ledger's files
# must be for a write that failed to be said to have met it (an index build's sort
# files are beside it: a demo under `ulimit -f 20000` failed at 19 of its 20 MB).
_NEAR_LIMIT = 16 << 20


def _largest(path: Path) -> int:
    """The size of the largest of the files of the ledger at `path` (0 if none)."""
    sizes = [0]
    for suffix in ("", *SIDE_SUFFIXES):
        with suppress(OSError):
            sizes.append(os.stat(f"{path}{suffix}").st_size)
    return max(sizes)


# What Python's sqlite3 says of text whose bytes are not UTF-8, and SQLite of bytes (a
# BLOB) where text was expected: a value changed by hand or damaged (translate; verify
# names where, audit._guarded).
UNREADABLE = ("Could not decode to UTF-8", "JSON cannot hold BLOB values")


def translate(exc: sqlite3.Error, path: Path) -> LedgerError:
    """An SQLite error as the user should read it."""
    text = str(exc)
    low = text.lower()
    if "readonly" in low or "read-only" in low or "permission" in low:
        return _permission_denied(path, "write")
    if _busy(low):
        return LedgerError(_("the ledger is busy: another program kept it locked for 30 s"),
                           hint=_("try again in a moment; nothing was changed"),
                           code="busy", path=str(path))
    limit = file_size_limit()
    if limit is not None and ("full" in low or "disk i/o" in low) and \
            limit < _largest(path) + _NEAR_LIMIT:  # (a file grew to the limit, not the disk)
        return LedgerError(_("{path} could not be written: this program may write no file "
                             "larger than {size} bytes here (ulimit -f)").format(
            path=path, size=f"{limit:,}"), hint=_("raise that limit (ulimit -f unlimited; cron's "
                                          "or systemd's LimitFSIZE), or free some space on "
                                          "the disk, then run it again; nothing was changed"),
            code="io", path=str(path), detail=text)
    if "full" in low:
        return LedgerError(_("no space left on the disk of {path}").format(path=path),
                           hint=_("free some space on that disk, then run it again; nothing "
                                  "was changed"), code="disk_full", path=str(path))
    if "disk i/o" in low and space_left(path) < _SPACE_NEEDED:
        # (a full disk: SQLite cannot make the -shm every reader needs, and says "disk
        # I/O error" of it; every command, reads and backup too, said the disk "could not
        # be read or written")
        return LedgerError(_("no space left on the disk of {path}").format(path=path),
                           hint=_("free some space on that disk, then run it again; nothing "
                                  "was changed"), code="disk_full", path=str(path))
    if "disk i/o" in low:
        return LedgerError(_("the disk of {path} could not be read or written").format(
            path=path), hint=_("check the disk and its free space, then run it again"),
            code="io", path=str(path), detail=text)
    if "malformed" in low and (under := written_under_read(path)) is not None:
        return under  # (not damaged: a writer checkpointed into an immutable read)
    if "malformed" in low:  # an SQLite file (its header reads) whose pages do not
        return LedgerError(_("{path} is damaged ({why})").format(path=path, why=text),
                           hint=_("restore it from your latest backup (complaintctl backup "
                                  "makes them); nothing was changed"),
                           code="damaged", path=str(path), why=text)
    if "not a database" in low or "encrypted" in low:
        return _not_ledger(path, text)
    if low.startswith("no such index:") or low.startswith("no such table:"):
        # an index (or table) dropped by hand: not the disk's fault
        return LedgerError(_("{path} lacks part of its schema ({why}): it was changed by "
                             "hand").format(path=path, why=text),
                           hint=_("complaintctl verify names what differs; restore the "
                                  "ledger from your latest backup"),
                           code="schema_changed", path=str(path), why=text)
    if text.startswith(UNREADABLE):
        # a value that is not text where text is kept (bytes that are not UTF-8, a BLOB):
        # changed by hand or damaged on the disk, not the disk's space (it was "cannot use
        # ledger", with the SQL that read it and a hint about free space)
        import re

        column = re.search(r"column '(\w+)'", text)
        return not_text(path, column[1] if column else None)
    if isinstance(exc, sqlite3.IntegrityError) and low.startswith("unique constraint"):
        # every step reads and checks inside its transaction: a row already there under
        # the key it writes (an id counter set back by hand) is the ledger's, not the disk
        return LedgerError(_("{path} holds rows its counters do not account for ({why}): it "
                             "was changed by hand").format(path=path, why=text),
                           hint=_("complaintctl verify names what differs; restore the "
                                  "ledger from your latest backup"),
                           code="schema_changed", path=str(path), why=text)
    return LedgerError(_("cannot use ledger {path} ({reason})").format(path=path, reason=text),
                       hint=_("check the file, its folder and the free disk space"),
                       code="sqlite", path=str(path), detail=text)


def not_text(path: Path, column: str | None = None) -> LedgerError:
    """A value that is not text where text is kept, in `column` when known: changed by
    hand or damaged on the disk (verify names where)."""
    return LedgerError((_("{path} holds a value of {column} that is not text it can read "
                          "(bytes that are not UTF-8): it was changed by hand, or "
                          "damaged on the disk") if column else
                        _("{path} holds a value that is not text it can read (bytes that "
                          "are not UTF-8, or not text at all): it was changed by hand, or "
                          "damaged on the disk")).format(path=path, column=column or ""),
                       hint=_("complaintctl verify names where; restore the ledger from "
                              "your latest backup"), code="not_text", path=str(path))


def put_in_place(made: Path | str, path: Path) -> bool:
    """Move a file made aside (`made`) to `path`, only if nothing is there: whether it
    did (False: something is there now, and `made` stays)."""
    try:
        os.link(made, path)
    except FileExistsError:
        return False
    except OSError:  # no hard links here: take the small race
        if os.path.lexists(path):
            return False
        os.rename(made, path)
        return True
    Path(made).unlink()
    return True


def peek_language(path: Path) -> str | None:
    """The display language a ledger file is set to, or None (no file, not a ledger, no
    setting, or unreadable). Read as an immutable file: no lock, no -wal or -shm made,
    nothing of the file touched; a change still in the -wal is not seen (the command's
    own opening of the ledger applies it)."""
    try:
        path = Path(path).expanduser()
        if not path.is_file():
            return None
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True)
        try:
            found = conn.execute(
                "SELECT value FROM settings WHERE key = ?", (settings.LANGUAGE_KEY,)).fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError):
        return None
    return found[0] if found and isinstance(found[0], str) else None


@contextmanager
def storage_errors(path: Callable[[], Path | None]) -> Iterator[None]:
    """The boundary of a command: an SQLite error that got this far becomes a
    LedgerError (the transactions translate their own; this catches the rest,
    e.g. reading settings from a damaged file)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc, path() or Path(_("the ledger"))) from None


def _busy(message: str) -> bool:
    """Whether SQLite's message (lower case) says another connection holds the lock."""
    return "locked" in message or "busy" in message


@contextmanager
def _waiting(cur: sqlite3.Cursor | sqlite3.Connection, ms: int) -> Iterator[int]:
    """The connection waits at most `ms` for a lock inside the block, and as long as it
    did before after it (the block gets that, the connection's own wait)."""
    (before,) = cur.execute("PRAGMA busy_timeout").fetchone()
    cur.execute(f"PRAGMA busy_timeout = {ms}")
    try:
        yield before
    finally:
        cur.execute(f"PRAGMA busy_timeout = {before}")


def _begin_write(cur: sqlite3.Cursor, begin: str) -> None:
    """Begin a write transaction, waiting for another writer as long as the connection's
    busy timeout says (BUSY_TIMEOUT_MS), in short slices between which Ctrl-C is seen.
    Counted in slices, not read off a clock (under a faked clock, time.monotonic()
    overflowed)."""
    _in_slices(cur, begin)


def _in_slices(cur: sqlite3.Cursor | sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    """`sql`, waiting for a lock as _begin_write does: the first read of a ledger a
    writer holds (a rollback journal's writer keeps readers out while it commits) is
    stopped by Ctrl-C at once too, not after SQLite's own 30 s wait."""
    with _waiting(cur, _BUSY_SLICE_MS) as wait_ms:
        for left in range(max(1, -(-wait_ms // _BUSY_SLICE_MS)) - 1, -1, -1):
            try:
                return cur.execute(sql)
            except sqlite3.OperationalError as exc:
                if not _busy(str(exc).lower()) or not left:
                    raise
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def rolling_back(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Whatever fails inside rolls the open transaction back; an SQLite error
    becomes a LedgerError."""
    try:
        yield
    except GeneratorExit:  # left unfinished and collected (after an interrupt): the
        raise  # connection, closed by then, rolled back what it had
    except BaseException as exc:
        try:
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.ProgrammingError:  # closed already: closing rolled it back
            pass
        if isinstance(exc, sqlite3.Error):
            raise translate(exc, path) from None
        raise


def sql_order(value: Any) -> tuple[int, Any]:
    """A key that orders values as SQLite's ORDER BY does with its BINARY collation:
    NULL, numbers, text (by code point, which is the order of its UTF-8 bytes), blobs."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    return (2, value) if isinstance(value, str) else (3, bytes(value))


def fetch_record(cur: sqlite3.Cursor, table: str, key: str | int) -> dict[str, Any] | None:
    """One row of `table` by id, as a dict (table names come from code)."""
    cur.execute(f"SELECT * FROM {table} WHERE id = ?", (key,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row,
                                             strict=True))


# --- files -----------------------------------------------------------------------

# POSIX drops every lock a process holds on a file when the process closes any
# descriptor of that file -- SQLite's locks on the ledger too, which another process's
# writes then go past (verify's own connection beside a step: "malformed", a wrong
# index count, complaints "no event records"). A descriptor this process opens on a
# ledger it has a connection to (the file's first bytes read for a second connection,
# the read-ahead of verify) is therefore closed only once its last connection is, as
# SQLite does with its own. By the file's (device, inode).
_CONNECTED: dict[tuple[int, int], int] = {}
_CLOSE_LATER: dict[tuple[int, int], list[int]] = {}


def _file_key(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def close_file(fd: int) -> None:
    """os.close, or, for a file a connection of this process has open, at its close."""
    try:
        key = _file_key(os.fstat(fd))
    except OSError:
        key = None
    if key is not None and _CONNECTED.get(key):
        _CLOSE_LATER.setdefault(key, []).append(fd)
    else:
        os.close(fd)


def _connected(path: Path) -> tuple[int, int] | None:
    """A connection to `path` opened: its file's key (None if it cannot be looked at)."""
    try:
        key = _file_key(os.stat(path))
    except OSError:
        return None
    _CONNECTED[key] = _CONNECTED.get(key, 0) + 1
    return key


def _disconnected(key: tuple[int, int] | None) -> None:
    """A connection closed: the descriptors kept for its file close with the last."""
    if key is None:
        return
    left = _CONNECTED.get(key, 1) - 1
    if left > 0:
        _CONNECTED[key] = left
        return
    _CONNECTED.pop(key, None)
    for fd in _CLOSE_LATER.pop(key, ()):
        try:
            os.close(fd)
        except OSError:
            pass


def prefetch(path: Path, chunk: int = 8 << 20) -> None:
    """Ask the kernel to read the whole file into its page cache, in order, chunk by
    chunk (one WILLNEED call reads at most a few MB): for a reader about to go through
    all of it from several processes at once, whose reads would otherwise reach a
    cold disk in scattered order. Nothing where the hint does not exist, or where the
    file would take more than half of the memory available. Errors are ignored: it is
    only a hint."""
    if not hasattr(os, "posix_fadvise"):
        return
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            available = next(int(line.split()[1]) * 1024 for line in fh
                             if line.startswith("MemAvailable:"))
        fd = os.open(path, os.O_RDONLY)
    except (OSError, StopIteration, ValueError, IndexError):
        return
    try:
        size = os.fstat(fd).st_size
        if size > available // 2:
            return
        for offset in range(0, size, chunk):
            os.posix_fadvise(fd, offset, chunk, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass
    finally:
        close_file(fd)


# The page cache SQLite's integrity_check may fill (integrity_check), in MB.
INTEGRITY_CACHE_MB = 256


def integrity_check(cur: sqlite3.Cursor) -> list[str]:
    """SQLite's integrity_check: its messages, none when all holds.

    With a page cache of up to INTEGRITY_CACHE_MB (allocated as used, given back
    after): an index in another order than its table (handling_times by days) is
    looked up entry by entry at random pages, each read again from the file through
    SQLite's default 2 MB cache (the 1M demo: 45-49 CPU s with it, 39-44 with 256 MB)."""
    (cache,) = cur.execute("PRAGMA cache_size").fetchone()
    cur.execute(f"PRAGMA cache_size = {-INTEGRITY_CACHE_MB * 1024}")
    try:
        found = cur.execute("PRAGMA integrity_check").fetchall()
    finally:
        cur.execute(f"PRAGMA cache_size = {cache}")
    return [msg for (msg,) in found if msg != "ok"]


def quoted(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def foreign_key_violations(cur: sqlite3.Cursor) -> list[tuple[str, int, str, Any]]:
    """SQLite's foreign_key_check: (table, rowid, parent table, the key it holds) of
    each row that refers to a missing one, none when all hold (the key names the row
    gone: a complaint deleted by hand was "a missing row of complaints" 24 times, its
    id nowhere). The PRAGMA runs only when a cheaper check (_foreign_keys_hold) cannot
    say that every key has its row."""
    if _foreign_keys_hold(cur):
        return []
    out = []
    for table, rowid, parent, fk in cur.execute("PRAGMA foreign_key_check").fetchall():
        column = next((row[3] for row in cur.execute(
            f"PRAGMA foreign_key_list({quoted(table)})") if row[0] == fk), None)
        key = None if rowid is None or column is None else cur.execute(
            f"SELECT {quoted(column)} FROM {quoted(table)} WHERE rowid = ?", (rowid,)
        ).fetchone()
        out.append((table, rowid, parent, None if key is None else key[0]))
    return out


def _foreign_keys_hold(cur: sqlite3.Cursor) -> bool:
    """Whether every value of every foreign key (single-column, as all of the
    schema's are) has its parent row: each distinct value looked up once, where
    foreign_key_check looks up every row (the 1M demo: 6.9 million events and 4.5
    million stages refer to a million complaints; 5 CPU s here against 8). The
    comparison is the parent column's, as the PRAGMA's: both columns have the same
    affinity in the schema, and a value of another type than the parent's matches
    nothing in either. False (let the PRAGMA tell) at the first value without its
    row, at a key of several columns, or where the query cannot be run at all (a
    parent table missing: the PRAGMA reports that its way)."""
    try:
        tables = [name for (name,) in cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            keys = cur.execute(f"PRAGMA foreign_key_list({quoted(table)})").fetchall()
            if any(seq > 0 for _id, seq, *_rest in keys):
                return False
            for _id, _seq, parent, column, parent_column, *_rest in keys:
                if parent_column is None:  # the parent's primary key
                    pk = [row[1] for row in cur.execute(
                        f"PRAGMA table_info({quoted(parent)})") if row[5]]
                    if len(pk) != 1:
                        return False
                    parent_column = pk[0]
                missing = cur.execute(
                    f"SELECT 1 FROM (SELECT DISTINCT {quoted(column)} AS v FROM {quoted(table)} "
                    f"WHERE {quoted(column)} IS NOT NULL) WHERE NOT EXISTS (SELECT 1 FROM "
                    f"{quoted(parent)} WHERE {quoted(parent_column)} = v) LIMIT 1").fetchone()
                if missing is not None:
                    return False
    except sqlite3.Error:
        return False
    return True


# The names SQLite gives the files it keeps beside a database: its name and these.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def ledger_files(path: Path) -> tuple[Path, ...]:
    """The ledger and the files SQLite keeps beside it."""
    return (path, *(Path(f"{path}{suffix}") for suffix in SIDE_SUFFIXES))


def _header(path: Path) -> bytes:
    """The first 100 bytes of an existing regular file, or the reason it is no ledger."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _no_ledger(path) from None
    except PermissionError:
        raise _permission_denied(path, "read") from None
    except OSError as exc:
        raise LedgerError(_("cannot open ledger {path} ({reason})").format(
            path=path, reason=os_reason(exc)), code="os", path=str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        message = (_("{path} is not a ledger file: it is a folder") if stat.S_ISDIR(st.st_mode)
                   else _("{path} is not a ledger file: it is not a regular file"))
        raise LedgerError(message.format(path=path_said(path)),
                          hint=_("give the path of a ledger file (check --db / "
                                 "COMPLAINTCTL_DB)"), code="not_a_file",
                          path=str(path))
    try:
        fd = os.open(path, os.O_RDONLY)
    except PermissionError:
        raise _permission_denied(path, "read") from None
    try:
        header = os.read(fd, 100)
    finally:
        close_file(fd)  # (a second connection's look must not undo the first's locks)
    if not header:
        raise _not_ledger(path, _("the file is empty"))
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise _not_ledger(path, _("not an SQLite database"))
    return header


def _quoted_path(path: Path) -> str:
    """A ledger's path as a hint gives it to paste (a pasted `complaintctl upgrade`
    upgraded the default ledger, not the one named by --db)."""
    import shlex

    return shlex.quote(str(path))


def _uri(path: Path, mode: str) -> str:
    text = str(path.absolute()).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{text}?{mode}"


def _connect(path: Path, *, write: bool, again: int = 5) -> sqlite3.Connection:
    """A connection that creates nothing that was not there.

    Reading: `mode=ro`, except for a WAL ledger that no writer has open (no -shm)
    which this user cannot write: there SQLite would create -wal/-shm files owned
    by the reader (the owner's writes then fail) or, in a read-only folder, refuse;
    with no writer there is nothing in a WAL to miss, so it is read as immutable.
    And except for a ledger a bulk write was interrupted in (its rollback journal
    left beside it): SQLite puts it back as it was at the first read, which takes a
    connection that may write; a user who may not is told why it cannot be read."""
    header = _header(path)
    folder = path.absolute().parent
    can_write = os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)
    wal = header[18] == 2
    idle = wal and _probed_idle(path)
    journal_left = _journal_left(path) if not wal else None
    if write:
        if not can_write:
            raise _permission_denied(path, "write")
        mode = "mode=rw"
    elif wal and idle and not can_write:
        left = Path(f"{path}-wal")
        if _left_behind(left):  # a writer stopped without closing:
            # read as immutable, the file would show what was before its last steps
            raise _left_beside(path, "wal_left", _(
                "{file} holds steps a writer left without closing the ledger: they are "
                "read once someone who may write it runs a complaintctl command on it"
            ).format(file=left), _("the steps are kept"))
        mode = "immutable=1"
        # (written_under_read looks again; a second opening by the same command, verify's
        # integrity check, keeps the first's stamp: forget_reads clears them after it)
        _READ_WHOLE.setdefault(os.path.abspath(path), _stamp(path))
    elif journal_left is not None:
        if not can_write and (conn := _read_beside_a_writer(path)) is not None:
            return conn
        if not can_write:
            raise _left_beside(path, "journal_left", _(
                "an interrupted write left {file} beside the ledger: it reads again once "
                "someone who may write it runs a complaintctl command on it").format(
                    file=journal_left), _("nothing is lost (the write is undone)"))
        mode = "mode=rw"  # the read puts back what the interrupted write changed
    else:
        mode = "mode=ro"
        if wal and not can_write and again:
            conn = _read_while_in_use(path)
            # (None: the program that had it open closed it meanwhile: idle now)
            return conn if conn is not None else _connect(path, write=False,
                                                          again=again - 1)
        if wal:
            return _read_wal(path)
    return _raw_connect(path, mode)


def _read_wal(path: Path) -> sqlite3.Connection:
    """A read-only connection to a WAL ledger. SQLite makes or grows its -shm to read it,
    which a full disk (or `ulimit -f`) refuses: then every reader failed, the morning's
    overdue and a backup to another disk too, and verify called the ledger damaged. With
    no step in its -wal (none there, or empty: nobody can be writing one on that disk
    either) there is nothing to miss: it is read as immutable, as for a user who may not
    write it."""
    conn = _raw_connect(path, "mode=ro")
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # (opens the -wal and -shm)
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        try:
            steps = Path(f"{path}-wal").stat().st_size
        except FileNotFoundError:
            steps = 0
        if steps or getattr(exc, "sqlite_errorname", "") not in ("SQLITE_IOERR_SHMSIZE",
                                                                   "SQLITE_FULL"):
            raise translate(exc, path) from None
    _READ_WHOLE.setdefault(os.path.abspath(path), _stamp(path))
    return _raw_connect(path, "immutable=1")


def _left_behind(wal: Path) -> bool:
    """Whether a -wal with steps in it stays beside a ledger nobody has open: one a
    writer stopped without closing left. A writer closing removes its -shm, then its
    -wal: a reader that looked between the two took it for one left behind ("holds steps
    a writer left", exit 1, some reads in a hundred while clerks worked), so it looks
    again for a moment before it says so."""
    import time

    for _wait in range(10):
        try:
            if wal.stat().st_size == 0:
                return False
        except FileNotFoundError:
            return False
        time.sleep(0.02)
    return True


def _read_while_in_use(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to a WAL ledger another program had open (its -shm there),
    for a user who may not write it. That program may close it between the look and
    this read: its -wal and -shm go, and SQLite, which may not make them again here,
    says "read-only" (a supervisor's morning cron said "permission denied: cannot write"
    a few times in a hundred). Then the ledger is idle (None), and read as such."""
    conn = _raw_connect(path, "mode=ro")
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # (opens the -wal and -shm)
        return conn
    except sqlite3.DatabaseError as exc:  # (closed, whatever it says)
        conn.close()
        low = str(exc).lower()
        if "readonly" not in low and "read-only" not in low:
            raise translate(exc, path) from None
        return None


# The ledgers read as immutable (a WAL ledger nobody had open, which this user may not
# write), with their file's stamp then: an owner who opens one meanwhile checkpoints
# into the file under the read, which sees part of each ("malformed", or rows of two
# moments). The file's own change says so (a writer's steps still in its -wal are not
# in the file: what is read is the moment before them, whole).
_READ_WHOLE: dict[str, tuple[int, int]] = {}


def forget_reads() -> None:
    """A command is over: the next one (in a long-lived process) reads afresh."""
    _READ_WHOLE.clear()


def written_under_read(path: Path) -> LedgerError | None:
    """The refusal of a read that a writer changed the file under (_READ_WHOLE), None
    when it did not: what was read may mix two moments, or fail as damaged."""
    stamp = _READ_WHOLE.get(os.path.abspath(path))
    if stamp is None or _stamp(path) == stamp:
        return None
    return LedgerError(_("{path} was written while it was read (someone recorded a step): "
                         "what was read may mix before and after").format(path=path),
                       hint=_("run the command again; nothing was changed"),
                       code="written_while_read", path=str(path))


def _read_beside_a_writer(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to a ledger whose rollback journal is a live writer's (a
    first import committing: it holds the ledger's lock, and SQLite waits for it to
    finish, as every reader does), None when the journal is one an interrupted write
    left (SQLite would need to write to put it back). A reader during a first import's
    commit was told "an interrupted write left …-journal"."""
    conn = _raw_connect(path, "mode=ro")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        conn.close()
        if _busy(str(exc).lower()):  # a writer still at it after the wait: busy
            raise translate(exc, path) from None
        return None
    return conn


def _left_beside(path: Path, code: str, message: str, outcome: str) -> LedgerError:
    """A ledger a user who may only read cannot be shown as it is (a file a writer left
    beside it): what to ask of its owner, and what becomes of the steps; on a disk
    mounted read-only (a snapshot, archive media), where nobody can, what to do there."""
    if read_only_disk(path.absolute().parent):
        return LedgerError(message, hint=_(
            "the disk is read-only, so nobody can here: copy the ledger together with the "
            "files beside it ({name}-*) to a writable disk and run a complaintctl command on "
            "the copy; {outcome}").format(name=path.name, outcome=outcome),
            code=code, path=str(path))
    return LedgerError(message, hint=_("ask the ledger's owner to run, e.g., complaintctl "
                                       "verify; {outcome}").format(outcome=outcome),
                       code=code, path=str(path))


# The first bytes of a rollback journal that holds pages to put back ("hot"); a journal
# whose header was zeroed (a writer stopped at the end of its commit, kill -9) holds
# none, SQLite passes it over, and nothing remains to be undone.
_HOT_JOURNAL = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"


def _journal_left(path: Path) -> Path | None:
    """The rollback journal of a write that did not finish, if any: one with pages to
    put back (an empty or zeroed one stays beside the ledger until a write, and was
    read as one: a user who may only read was kept out, though nothing was left to
    undo)."""
    journal = Path(f"{path}-journal")
    try:
        with open(journal, "rb") as fh:
            return journal if fh.read(len(_HOT_JOURNAL)) == _HOT_JOURNAL else None
    except OSError:
        return None


def _probed_idle(path: Path) -> bool:
    """Whether a WAL ledger is idle (no -shm: nobody has it open), after making sure
    that it is a ledger this complaintctl can open before SQLite leaves a -wal or
    -shm beside it. The check reads the file as immutable, which assumes nobody
    changes it meanwhile; another complaintctl may open it and checkpoint into the
    file during the read, which then sees half of it ("malformed"). A check that
    fails while the file changed under it is taken again; once the ledger is seen
    in use, the ordinary connection identifies it instead."""
    shm = Path(f"{path}-shm")
    for _attempt in range(5):
        if shm.exists():
            return False
        before = _stamp(path)
        try:
            _identify(_raw_connect(path, "immutable=1"), path, close=True)
        except LedgerError:
            if shm.exists():
                return False  # in use now: the ordinary connection identifies it
            if _stamp(path) == before:
                raise  # nobody wrote it: what the check found is so
            continue  # written while read, and closed again: look again
        return True
    return False


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _raw_connect(path: Path, mode: str) -> sqlite3.Connection:
    try:
        return sqlite3.connect(_uri(path, mode), uri=True, isolation_level=None,
                               timeout=BUSY_TIMEOUT_MS / 1000, cached_statements=1024)
    except sqlite3.Error as exc:
        raise translate(exc, path) from None


def _identify(conn: sqlite3.Connection, path: Path, *, close: bool = False) -> int:
    """The schema version of a complaintctl ledger, or the reason it is not one."""
    try:
        names = {name for (name,) in _in_slices(
            conn, "SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    finally:
        if close:
            conn.close()
    if version < 1 or not _LEDGER_TABLES <= names:
        raise _not_ledger(path, _("it has no complaintctl tables"))
    if version > migrations.LATEST:
        raise LedgerError(_("{path} was written by a newer complaintctl (schema version "
                            "{version}; this one knows up to {latest})").format(
            path=path, version=version, latest=migrations.LATEST),
                          hint=_("install the newer complaintctl to use it"),
                          code="newer_schema", path=str(path), version=version,
                          latest=migrations.LATEST)
    return version


def _secure_dir(path: Path) -> None:
    """Create the ledger's folder 0700, and each folder above it that is missing too
    (mkdir's `parents` makes those with the umask's mode: 0777 under umask 0, where
    another user could put a folder of theirs in the place of the ledger's); a folder
    that exists is left as it is."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # another complaintctl made it a moment ago
            continue
        os.chmod(folder, 0o700)


def journal(cur: sqlite3.Cursor, *, wal: bool, wait_ms: int = 0) -> bool:
    """Switch the ledger to WAL, or to a rollback journal for one bulk write. Leaving
    WAL takes only when no other connection has the ledger open, and either switch
    waits at most `wait_ms` for the others: returns whether it switched (if not,
    the ledger stays as it was, and the next opening for writing switches it back
    to WAL)."""
    try:
        with _waiting(cur, wait_ms):  # then the connection's own wait again
            mode = cur.execute(f"PRAGMA journal_mode = {'WAL' if wal else 'DELETE'}"
                               ).fetchone()[0]
    except sqlite3.OperationalError:  # busy: leave it as it is
        return False
    switched = mode == ("wal" if wal else "delete")
    if switched:
        cur.execute("PRAGMA synchronous = FULL")  # (_pragmas says why, for WAL too)
    return switched


def statements(sql: str) -> list[str]:
    """Split a schema script into statements (triggers keep their inner ';')."""
    out: list[str] = []
    buf: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        text = "\n".join(buf)
        if stripped.endswith(";") and sqlite3.complete_statement(text):
            out.append(text)
            buf = []
    if buf and "".join(buf).strip():
        out.append("\n".join(buf))
    return out


def event_row(complaint_id: str | None, kind: str, at: datetime, now: datetime, actor: str,
              data: dict[str, Any], old: dict[str, Any] | None = None,
              return_id: str | None = None, login: str | None = None) -> tuple[Any, ...]:
    """An event's columns in EVENT_COLUMNS order (its hash is added when it is written)."""
    return (complaint_id, return_id, iso(at), iso(now), actor, login, kind, dumps(data),
            dumps(old))


def event_hash(previous: str, row: tuple[Any, ...] | list[Any]) -> str:
    """The hash chain: an event's hash covers the previous event's hash and its own
    columns (EVENT_COLUMNS) exactly as stored, so that an edited, removed or
    inserted event breaks every hash after it."""
    from hashlib import sha256  # writes and verify only: not on the read path's start-up

    text = "\x1f".join([previous, *("" if v is None else str(v) for v in row)])
    return sha256(text.encode("utf-8")).hexdigest()


def chain_head(cur: sqlite3.Cursor) -> tuple[int, str]:
    """(id, hash) of the newest event; (0, '') in a ledger with none."""
    row = cur.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1] or "") if row else (0, "")


_RECORDED = EVENT_COLUMNS.index("recorded_at")
# How far a command's clock may be behind the newest event for the event to be recorded
# at that event's time: the time it can wait for the ledger (BUSY_TIMEOUT_MS) and work
# before it writes, with room. Further behind is a clock set back, not a wait: kept as
# read (a clock once set a year ahead must not date every later event a year ahead).
_WAITED_MOST = timedelta(minutes=5)


def chained(cur: sqlite3.Cursor, rows: list[tuple[Any, ...]], in_order: bool = False
            ) -> list[tuple[Any, ...]]:
    """Event rows with their hashes, in order, after the newest event in the ledger (one
    read of it, inside the write transaction). `in_order` (what a command records now):
    each recorded no earlier than the event before it when its clock was read at most
    _WAITED_MOST before that one. A command reads the clock before it waits for the
    ledger: a clerk who started first and wrote second had the later id and the earlier
    recorded_at, and a day's export of the events was no stretch of the chain (ids 14,
    16, 19 on one day, 15, 17, 18 on the next). Histories told with their own times
    (the demo, tests) keep them."""
    newest = cur.execute("SELECT hash, recorded_at FROM events ORDER BY id DESC LIMIT 1"
                         ).fetchone()
    previous, latest = (newest[0] or "", newest[1] or "") if newest else ("", "")
    out = []
    for row in rows:
        mine = row[_RECORDED]
        if in_order and latest and mine < latest and \
                iso(from_iso(mine) + _WAITED_MOST) >= latest:
            row = (*row[:_RECORDED], latest, *row[_RECORDED + 1:])
        latest = row[_RECORDED]
        previous = event_hash(previous, row)
        out.append((*row, previous))
    return out


# A ledger made by `demo` says so, with the last event the demo wrote: any other
# step adds an event after it, and the demo then leaves the ledger alone.
DEMO_MARK = "demo_through_event"


def demo_mark(cur: sqlite3.Cursor) -> tuple[str | None, int]:
    """(the demo's mark, if any; the last event's id)."""
    (mark,) = cur.execute("SELECT value FROM settings WHERE key = ?", (DEMO_MARK,)
                          ).fetchone() or (None,)
    last = cur.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    return mark, last


def mark_demo(cur: sqlite3.Cursor) -> None:
    """Mark a ledger as the demo's, up to its last event."""
    cur.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                "UPDATE SET value = excluded.value", (DEMO_MARK, str(demo_mark(cur)[1])))


# --- how a step's rows reach the file ------------------------------------------------

class Rows:
    """A step's complaint, stage and event rows, written through one statement each.

    The steps change a complaint's row, its stages and its events only through
    these methods; bulk.Held keeps a new complaint's in memory instead (demo)."""

    def complaint(self, cur: sqlite3.Cursor, complaint_id: str) -> dict[str, Any]:
        """The complaint's row, read inside the step's transaction."""
        key = record_key(complaint_id)
        row = fetch_record(cur, "complaints", key)
        if row is None:
            r = fetch_record(cur, "returns", key)
            if r is not None:  # (amend RMA-… said "no complaint RMA-…")
                raise NotFound(
                    _("{id} is a return, not a complaint").format(id=r["id"]),
                    hint=_("its complaint is {complaint}; a return's own steps (its count "
                           "corrected too): complaintctl return --help").format(
                               complaint=r["complaint_id"]),
                    code="a_return", record=complaint_id, complaint=r["complaint_id"])
            raise NotFound(_("no complaint {value}").format(value=shown(complaint_id)),
                           hint=_("find it with: complaintctl list --customer NAME"),
                           code="no_complaint", record=complaint_id)
        return row

    def logged(self, cur: sqlite3.Cursor, record: dict[str, Any]) -> None:
        """A new complaint's row was inserted."""

    def update(self, cur: sqlite3.Cursor, table: str, record_id: str,
               values: dict[str, Any]) -> None:
        """Set columns of one complaint (or one return) by id; names come from code."""
        cols = ", ".join(f"{k} = ?" for k in values)
        cur.execute(f"UPDATE {table} SET {cols} WHERE id = ?", (*values.values(), record_id))

    def add_stage(self, cur: sqlite3.Cursor, row: list[Any]) -> None:
        cur.execute(INSERT_STAGE, row)

    def finish_stages(self, cur: sqlite3.Cursor, complaint_id: str, stage: str | None,
                      done_at: str, outcome: str, return_id: str | None) -> None:
        """End the open stage `stage` of the complaint (or of its return `return_id`);
        stage None: every open stage of that return."""
        if stage is None:
            cur.execute("UPDATE stages SET done_at = ?, outcome = ? WHERE return_id = ? "
                        "AND done_at IS NULL", (done_at, outcome, return_id))
            return
        cur.execute("UPDATE stages SET done_at = ?, outcome = ? WHERE complaint_id = ? "
                    "AND stage = ? AND done_at IS NULL AND return_id IS ?",
                    (done_at, outcome, complaint_id, stage, return_id))

    def event(self, cur: sqlite3.Cursor, row: tuple[Any, ...], in_order: bool = False
              ) -> None:
        cur.executemany(INSERT_EVENT, chained(cur, [row], in_order))

    def flush(self, cur: sqlite3.Cursor) -> None:
        """Write anything held, before a step reads or writes rows another way."""


# --- the open ledger ---------------------------------------------------------------

def random_salts(per_draw: int = 512) -> Callable[[], str]:
    """Contact salts, 8 bytes of os.urandom each in hex, drawn `per_draw` at a time
    when first needed: one system call for as many complaints (an import's
    hundred thousand made one each)."""
    def salts() -> Iterator[str]:
        while True:
            pool = os.urandom(8 * per_draw).hex()
            yield from (pool[i:i + 16] for i in range(0, len(pool), 16))

    return partial(next, salts())


class Ledger:
    """An open ledger: its connection, its settings (read once, read again when
    another process has committed), and the transactions steps write in."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, writable: bool):
        self.conn = conn
        self.path = path
        self._file = _connected(path)  # (close_file)
        self.writable = writable
        self.rows = Rows()
        # The operating-system account behind the steps (the actor is whom --as names).
        self.login: str | None = None
        # A command's steps, recorded now (chained's in_order), not a history told with
        # its own times (the demo, the tests' histories)
        self.live = False
        # Salts for contact references (events never hold a contact); the demo seeds its own.
        self.salt_source: Callable[[], str] = random_salts()
        # Years the step in hand landed in that the country calendar has no official
        # data for (settings.ensure_calendar_years): its warnings say so.
        self.calendar_gaps: list[int] = []
        # Write transactions committed through this connection: an interruption after
        # one must not be said to have written nothing; and the record the transaction
        # in hand makes (log's new id), named by an interruption once it is committed.
        self.committed = 0
        self.making: tuple[str, int] | None = None  # (the id, `committed` before it)
        # The deadlines in working days the step in hand set (complaints.open_stage): one
        # in a year the calendar does not cover is warned of.
        self.working_dues: list[datetime] = []
        self.version = migrations.LATEST  # the schema version of the file
        self._config: Config | None = None
        self._config_version = -1

    @classmethod
    def open(cls, path: Path, *, write: bool = False, older: bool = False) -> Ledger:
        """Open an existing, up-to-date ledger: for reading only unless `write`.
        Never creates, converts or upgrades anything. `older`: a ledger that needs an
        upgrade opens too, for reading its file as it is (backup)."""
        path = Path(path).expanduser()
        conn = _connect(path, write=write)
        try:
            version = _identify(conn, path)
            if version < migrations.LATEST and not (older and not write):
                raise LedgerError(_("{path} needs an upgrade (schema version {version}, this "
                                    "complaintctl uses {latest})").format(
                    path=path, version=version, latest=migrations.LATEST),
                                  hint=_("back it up (complaintctl --db {db} backup PATH), "
                                         "then run: complaintctl --db {db} upgrade").format(
                                      db=_quoted_path(path)), code="needs_upgrade",
                                  path=str(path),
                                  version=version, latest=migrations.LATEST)
            _pragmas(conn, path, write=write)
        except BaseException:
            conn.close()
            raise
        ledger = cls(conn, path, writable=write)
        ledger.version = version
        return ledger

    @classmethod
    def create(cls, path: Path, *, init: dict[str, str], now: datetime, demo: bool = False,
               login: str | None = None, actor: str = "system") -> Ledger:
        """Build a new ledger whole beside `path` and put it in place only if nothing
        is there: a half-made or empty ledger never appears, and a file that is
        there (a ledger or not) is left as it is. `demo`: marked as the demo's."""
        path = Path(path).expanduser()
        if os.path.islink(path) and not os.path.exists(path):  # open would say "no ledger"
            raise Refused(_("{path} is a symbolic link to {target}, which does not exist")
                          .format(path=path, target=os.readlink(path)),
                          hint=_("give the ledger's own path with --db, or remove the link"),
                          code="dangling_link", path=str(path))
        if os.path.lexists(path):
            try:
                cls.open(path).close()
            except LedgerError as exc:  # another file: said as init refuses it (its
                # hint pointed at --db, as if init wanted a ledger there)
                if exc.code != "not_a_ledger":
                    raise
                raise Refused(_("{path} is there already and is not a ledger ({why}): init "
                                "makes a new file and leaves any other as it is").format(
                    path=path_said(path), why=exc.params.get("why")),
                    hint=_("give a path where no file is: complaintctl --db NEW.db init"),
                    code="not_a_ledger", path=str(path)) from None
            raise Refused(_("{path} is already a ledger").format(path=path_said(path)),
                          hint=_("change its settings with: complaintctl policy"),
                          code="already_a_ledger", path=str(path))
        values, days = settings.initial(init, now)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
        try:
            _secure_dir(path.parent)
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
        except PermissionError:
            raise _permission_denied(path, "create") from None
        except OSError as exc:
            raise LedgerError(_("cannot create ledger {path} ({reason})").format(
                path=path, reason=os_reason(exc)),
                              code="os", path=str(path)) from None
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                cur = conn.cursor()
                cur.execute("PRAGMA foreign_keys = ON")
                cur.execute("BEGIN IMMEDIATE")
                for stmt in statements(migrations.current_schema()):
                    cur.execute(stmt)
                start = settings.fill_new(cur, values, days)
                cur.executemany(INSERT_EVENT, chained(cur, [event_row(
                    None, "init", now, now, actor, start, login=login)]))
                if demo:
                    mark_demo(cur)
                cur.execute(f"PRAGMA user_version = {migrations.LATEST}")
                cur.execute("COMMIT")
            finally:
                conn.close()
            if not put_in_place(tmp, path):
                raise Refused(_("{path} is already a ledger (made a moment ago)").format(
                    path=path_said(path)), hint=_("change its settings with: complaintctl policy"),
                              code="already_a_ledger", path=str(path))
        except sqlite3.Error as exc:
            raise translate(exc, path) from None
        finally:
            Path(tmp).unlink(missing_ok=True)
        ledger = cls.open(path, write=True)
        ledger.login = login
        return ledger

    @classmethod
    def upgrade(cls, path: Path, progress: Callable[[int, str], None],
                committed: Callable[[], None] = lambda: None) -> tuple[int, int]:
        """Bring an older ledger to this complaintctl's schema in one transaction;
        returns (version before, version now). `committed` is called once it is (an
        interruption after it must not say that nothing was written)."""
        path = Path(path).expanduser()
        try:  # up to date: read, not opened for writing (a user who may only read the
            # ledger was told "permission denied" where nothing was to be done)
            if _identify(_connect(path, write=False), path, close=True) == migrations.LATEST:
                return migrations.LATEST, migrations.LATEST
        except ComplaintctlError:
            pass  # (the opening for writing below says why)
        conn = _connect(path, write=True)
        try:
            before = _identify(conn, path)
            if before < migrations.LATEST:
                cur = conn.cursor()
                cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                cur.execute("BEGIN IMMEDIATE")
                try:
                    # what this run upgrades from: another may have done it while it waited
                    version = before = cur.execute("PRAGMA user_version").fetchone()[0]
                    for number, name, step in migrations.steps():
                        if number > version:
                            progress(number, name)
                            if isinstance(step, str):
                                for stmt in statements(step):
                                    cur.execute(stmt)
                            else:
                                step(cur)
                            cur.execute(f"PRAGMA user_version = {number}")
                    try:
                        cur.execute("COMMIT")
                    except KeyboardInterrupt:  # (while SQLite committed: over if not open)
                        if not conn.in_transaction:
                            committed()
                        raise
                    committed()
                except BaseException:
                    conn.rollback()
                    raise
            _pragmas(conn, path, write=True)
        except sqlite3.Error as exc:
            raise translate(exc, path) from None
        finally:
            conn.close()
        return before, migrations.LATEST

    def close(self) -> None:
        self.conn.close()
        _disconnected(self._file)
        self._file = None

    # --- settings ---------------------------------------------------------------

    @property
    def config(self) -> Config:
        """The ledger's settings, policy and calendar, read once."""
        if self._config is None:
            self._config = Config(self.conn)
            self._config_version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return self._config

    def forget_config(self) -> None:
        self._config = None

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    def local(self, dt: datetime, seconds: bool = False) -> str:
        return wall(dt.astimezone(self.tz), seconds)

    # --- transactions -----------------------------------------------------------

    def write(self) -> AbstractContextManager[sqlite3.Cursor]:
        """One BEGIN IMMEDIATE transaction: the step reads, checks and writes inside
        it, all of it or none of it. Inside a bigger unit (a bulk write) it joins it."""
        if self.conn.in_transaction:
            return nullcontext(self.conn.cursor())
        return self._transaction("BEGIN IMMEDIATE")

    def read(self) -> AbstractContextManager[sqlite3.Cursor]:
        """One snapshot for every query of a view."""
        if self.conn.in_transaction:
            return nullcontext(self.conn.cursor())
        return self._transaction("BEGIN")

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Cursor]:
        conn = self.conn
        if begin != "BEGIN" and not self.writable:
            raise LedgerError(_("the ledger was opened for reading"), code="read_only")
        cur = conn.cursor()
        with rolling_back(conn, self.path):
            if begin == "BEGIN":
                cur.execute(begin)
                _in_slices(cur, "SELECT 1 FROM sqlite_master LIMIT 1")  # its read lock
            else:
                _begin_write(cur, begin)
                self.still_there()
            self._refresh_config(cur)
            yield cur
            if begin == "BEGIN":
                cur.execute("COMMIT")
            else:
                self.commit(cur)

    def still_there(self) -> None:
        """Refuse to write once the file the connection has open is no longer the one
        its path names: moved aside, replaced by a backup or removed while the step
        waited for another writer. Its step would be written into the file set aside
        (or one gone), exit 0, the id printed to the clerk given again by the ledger
        put in its place. (Looked at once the write lock is held; the file being moved
        between this look and the commit, a few milliseconds, is not seen.)"""
        if self._file is None:
            return
        try:
            now = _file_key(os.stat(self.path))
        except OSError:
            now = None
        if now != self._file:
            raise LedgerError(
                _("{path} was moved, replaced or removed while this step waited for it: "
                  "nothing was recorded").format(path=path_said(self.path)),
                hint=_("check that --db names the ledger in use now, and run the step "
                       "again"), code="ledger_replaced", path=str(self.path))

    def commit(self, cur: sqlite3.Cursor) -> None:
        """COMMIT a write transaction, counted in `committed`. Ctrl-C (or SIGTERM) while
        SQLite commits is raised as the call returns, inside the `try`: the transaction
        is then over, committed, and counted, so that the interruption does not say
        "nothing was written" of a change that is in the ledger."""
        try:
            cur.execute("COMMIT")
        except KeyboardInterrupt:  # (a COMMIT SQLite refused, a full disk, rolled back)
            if not self.conn.in_transaction:
                self.committed += 1
            raise
        self.committed += 1

    def as_made(self) -> bool:
        """Whether the ledger holds nothing but what making it wrote: no complaint, no
        event but its own (init, the calendar); False if it cannot be read."""
        try:
            return self.conn.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM complaints) AND NOT EXISTS (SELECT 1 "
                "FROM events WHERE kind NOT IN ('init', 'calendar'))").fetchone()[0] == 1
        except sqlite3.Error:
            return False

    def checkpoint(self, wait_ms: int = 5000) -> bool:
        """Copy the WAL into the file and empty it (after an erasure): whether it did,
        all of it; False if a reader kept part of it after waiting `wait_ms` for the
        readers to finish. Only the busy flag (the first column) says so: a TRUNCATE
        checkpoint that completed gives its page counts as 0 (the WAL they counted is
        gone), and the note "old bytes gone" of a second run never came."""
        try:
            with _waiting(self.conn, wait_ms):
                busy, _log, _copied = self.conn.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from None
        return not busy

    def _refresh_config(self, cur: sqlite3.Cursor) -> None:
        """Settings read before the transaction began are read again if another
        process has committed since (a policy changed a moment ago applies)."""
        if self._config is not None and \
                cur.execute("PRAGMA data_version").fetchone()[0] != self._config_version:
            self._config = None

    def event(self, cur: sqlite3.Cursor, complaint_id: str | None, kind: str, at: datetime,
              now: datetime, actor: str, data: dict[str, Any],
              old: dict[str, Any] | None = None, return_id: str | None = None) -> None:
        """The step's append-only event row (a command's in order: chained)."""
        row = event_row(complaint_id, kind, at, now, actor, data, old, return_id, self.login)
        self.rows.event(cur, row, in_order=self.live)


def _pragmas(conn: sqlite3.Connection, path: Path, *, write: bool) -> None:
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not write:
            conn.execute("PRAGMA query_only = 1")
            return
        conn.execute("PRAGMA foreign_keys = ON")
        # Overwritten and deleted values are zeroed, not left in free space (an erased
        # contact must be gone from the file).
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB at most, allocated as used
        # Statement journals (one per INSERT/UPDATE that may fail half-way) in memory,
        # not in temp files: a third of the cost of a complaint insert.
        conn.execute("PRAGMA temp_store = MEMORY")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # new; or a bulk write (demo) has it in rollback-journal mode for now:
            # then leave it so, and the next opening switches it
            journal(conn.cursor(), wal=True, wait_ms=BUSY_TIMEOUT_MS)
        # FULL in WAL mode too: NORMAL syncs the WAL only at checkpoints, and a step
        # committed and told to the customer (its id printed) could vanish in a power
        # cut, its id then given again. A step's commit costs one fsync more.
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
