"""Backups: a consistent copy of the ledger, taken while others keep writing.

The copy is made with SQLite's online backup API from a read-only opening of
the ledger, into a temporary file (0600) beside the target; it is switched to
a rollback journal (``journal_mode = DELETE``: it reads from read-only archive
media with no ``-wal``/``-shm``), checked, and renamed into place. A half-made
or unchecked backup never appears at the target, and the ledger is never
written. A storage module: SQL lives here, and SQLite's errors become
`LedgerError` (through `store.translate`) naming the user's paths only.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from complaintctl import store
from complaintctl.errors import BadInput, LedgerError, Refused
from complaintctl.i18n import _, denied, disk_refused, ngettext, os_reason
from complaintctl.store import Ledger

# Pages copied per step of the backup API (4 MiB of 4 KiB pages).
STEP_PAGES = 1024

# A check of the written copy, opened read-only as a ledger: the problems it found
# (empty when all holds). `backup` runs CHECKS and then the caller's own (`verify`).
Check = Callable[[Ledger], list[str]]


@dataclass(frozen=True)
class Backup:
    """What was written: the target as the user spelled it, and what the copy holds."""

    ledger: Path
    path: str
    complaints: int
    events: int
    size: int
    version: int
    # partial copies that killed backups had left in the folder, removed
    removed: tuple[str, ...] = ()


def backup(ledger_path: Path, target: str, *, checks: Sequence[Check] = (),
           step_pages: int = STEP_PAGES) -> Backup:
    """Copy the ledger at `ledger_path` to `target` (a file; an earlier backup there
    is replaced, any other file is refused). The caller has made sure `target` is
    not the ledger or one of its side files. `checks` run on the copy after the
    built-in ones, before it is put in place; any problem leaves nothing behind."""
    path = _target(target)
    _may_replace(path, target)
    source, version = _open_source(Path(ledger_path).expanduser())
    try:
        with _temporary(path, target) as tmp:
            counts = _copy(source, tmp, target, step_pages)
            problems = check_copy(tmp, version=version, counts=counts, checks=checks)
            under = store.written_under_read(source.path)  # (a reader's copy: see store)
            if under is not None:
                raise under
            if problems:
                raise LedgerError(_("the backup of {ledger} failed its check, so nothing "
                                    "was written at {target}: {problems}").format(
                    ledger=source.path, target=target, problems="; ".join(problems)),
                                  hint=_("run the backup again; if it fails again, the ledger "
                                         "itself may be damaged"), code="backup_check",
                                  path=target, problems=problems)
            size = os.stat(tmp).st_size
            _fsync(tmp)
            os.replace(tmp, path)
            _fsync_folder(path.parent)
        removed = _stale_copies(path.parent, os.stat(path).st_mtime)
    finally:
        source.close()
    return Backup(source.path, target, counts["complaints"], counts["events"], size, version,
                  removed)


# The temporary files complaintctl writes beside the file it makes (tempfile's names:
# PARTIAL, 8 random characters, an ending): no one else's file is so named (a user's own
# .ledger.db.20261130.backup was taken for one), and the name of the file made is not in
# them (a long name, valid, was too long with it).
PARTIAL = ".complaintctl-"
OUTPUT_PARTIAL = ".partial"  # a file written by --output
BACKUP_PARTIAL = ".partial-backup"
# A backup's temporary copy, or an SQLite file beside one, left by a backup killed before
# it could remove it.
_STALE = re.compile(rf"^{re.escape(PARTIAL)}[a-z0-9_]{{8}}{re.escape(BACKUP_PARTIAL)}"
                    r"(?:-journal|-wal|-shm)?$")
# And what an --output write killed outright left.
STALE_OUTPUT = re.compile(rf"^{re.escape(PARTIAL)}[a-z0-9_]{{8}}{re.escape(OUTPUT_PARTIAL)}$")
STALE_AFTER = 3600  # seconds: a backup of a large ledger still copying is younger


def _stale_copies(folder: Path, now: float) -> tuple[str, ...]:
    """Remove the partial copies killed backups left in `folder` (each a whole ledger,
    contacts and all: one kept past a forget-contact undoes it), those older than
    STALE_AFTER before `now` (the new backup's own time, as the file system keeps it:
    the same clock as theirs); their names."""
    return stale_removed(folder, _STALE.match, now)


def stale_removed(folder: Path, match: Callable[[str], object], now: float | None = None
                  ) -> tuple[str, ...]:
    """Remove what a killed command left in `folder` (its temporary files, or its
    folders): the entries whose names `match`, this user's own, older than STALE_AFTER
    before `now` (default: the folder's own time, which the file system keeps on the
    same clock as theirs); their names. Others' and what goes meanwhile are left."""
    import shutil

    removed = []
    try:
        names = sorted(os.listdir(folder))
        if now is None:
            now = os.stat(folder).st_mtime
    except OSError:
        return ()
    uid = getattr(os, "getuid", lambda: None)()
    for name in names:
        if not match(name):
            continue
        try:
            st = os.lstat(folder / name)
            if uid is not None and st.st_uid != uid:
                continue
            latest = st.st_mtime
            if stat.S_ISDIR(st.st_mode):  # a folder still written in is in use: its files'
                # times, not its own (set when its first file was made)
                with os.scandir(folder / name) as inside:
                    latest = max([latest, *(e.stat(follow_symlinks=False).st_mtime
                                            for e in inside)])
            if now - latest <= STALE_AFTER:
                continue
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(folder / name)
            else:
                (folder / name).unlink()
            removed.append(name)
        except OSError:  # another's, or gone meanwhile: left as it is
            continue
    return tuple(removed)


# --- the target -----------------------------------------------------------------------

def _cannot(target: str, reason: str, hint: str, exc: BaseException | None = None
            ) -> BadInput | Refused:
    """Refused (exit 1) when the disk or the folder's rights refused it (`exc`), as for
    every file complaintctl writes; bad input (exit 2) when the target's name is wrong."""
    return (Refused if exc is not None and (disk_refused(exc) or denied(exc)) else BadInput)(
        _("cannot write backup {target}: {reason}").format(target=target, reason=reason),
        hint=hint, code="backup_target", path=target, reason=reason)


def _target(target: str) -> Path:
    """The target as a path in a folder that exists; refuses a folder."""
    try:
        path = Path(target).expanduser()
    except RuntimeError as exc:  # ~name of an unknown user
        raise _cannot(target, str(exc), _("give a path you may write to")) from None
    if path.is_dir():
        raise _cannot(target, _("it is a folder"),
                      _("give a file name in it, e.g. {path}").format(
                          path=os.path.join(target, "ledger-backup.db")))
    folder = path.parent
    if target.endswith("/"):  # a folder's name (the path drops the slash): not there
        folder = path
    if not folder.is_dir():
        raise _cannot(target, (_("folder {folder} is not a folder") if folder.exists()
                               else _("folder {folder} does not exist")).format(folder=folder),
                      _("create the folder first, or give a file in a folder that exists"))
    return path




def _may_replace(path: Path, target: str) -> None:
    """Nothing at the target, or an earlier backup: a complaintctl ledger in rollback-
    journal mode with no SQLite files beside it. A working ledger (WAL mode, or in
    use) and any other file are refused, and left as they are; so are a name SQLite
    gives its files beside a database (x.db-wal: a reader of x.db would take the
    backup in, then delete it) and SQLite files left beside the target by a file no
    longer there (a reader of the backup would take them in: a damaged copy)."""
    side = next((s for s in store.SIDE_SUFFIXES if path.name.endswith(s)), None)
    if side is not None:
        raise Refused(_("{target} is the name SQLite gives the {suffix} file of a database "
                        "beside it, which SQLite takes in or deletes").format(
            target=target, suffix=side), hint=_("choose another name"),
                      code="backup_side_name", path=target)
    if not os.path.lexists(path):
        left = [f.name for f in store.ledger_files(path)[1:] if os.path.lexists(f)]
        if left:
            raise Refused(ngettext(  # (one file was "are still there … read them")
                "{files} of an earlier file named {target} is still there: SQLite would "
                "read it into the backup", "{files} of an earlier file named {target} are "
                "still there: SQLite would read them into the backup", len(left)).format(
                files=", ".join(left), target=target),
                          hint=ngettext("move it away with the file it belongs to, or choose "
                                        "another name", "move them away with the file they "
                                        "belong to, or choose another name", len(left)),
                          code="backup_side_files", path=target)
        return

    def refuse(why: str, working: bool = False) -> Refused:
        # (the files beside it that are there: -wal and -shm were named when neither was)
        beside = [f"{target}{end}" for end in ("-wal", "-shm", "-journal")
                  if working and os.path.lexists(f"{path}{end}")]
        return Refused(_("{target} exists and {why}; backup replaces only an earlier backup")
                       .format(target=target, why=why),
                       hint=_("choose another name, or move that file away yourself, with the "
                              "files beside it ({files})").format(files=", ".join(beside))
                       if beside else
                       _("choose another name, or move that file away yourself"),
                       code="backup_would_replace", path=target, why=why)

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # (before it is opened: a pipe's open waits for
            raise refuse(_("is not a regular file"))  # a writer, and the backup hung)
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise refuse(_("cannot be read ({reason})").format(
            reason=os_reason(exc))) from None
    if len(header) < 100 or not header.startswith(store.SQLITE_HEADER):
        raise refuse(_("is not a complaintctl ledger"))
    beside = [f.name for f in store.ledger_files(path)[1:] if os.path.lexists(f)]
    if beside:
        raise refuse(_("is a working ledger ({files} beside it), not a backup").format(
            files=", ".join(beside)), working=True)
    if header[18] == 2:
        raise refuse(_("is a working ledger (WAL mode), not a backup"), working=True)
    try:
        Ledger.open(path).close()
    except LedgerError as exc:
        if exc.code not in ("needs_upgrade", "newer_schema"):  # an older backup will do
            raise refuse(_("is not a complaintctl ledger")) from None


@contextmanager
def _temporary(path: Path, target: str) -> Iterator[Path]:
    """A new empty file, 0600, beside the target; removed (with any SQLite file
    beside it) unless it was renamed into place."""
    try:
        fd, name = tempfile.mkstemp(prefix=PARTIAL, suffix=BACKUP_PARTIAL,
                                    dir=path.parent)
    except (OSError, ValueError) as exc:  # no permission, a NUL in the name, ...
        raise _cannot(target, os_reason(exc),
                      _("give a file in a folder you may write to"), exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        for f in store.ledger_files(tmp):
            f.unlink(missing_ok=True)


# --- the copy --------------------------------------------------------------------------

def _open_source(path: Path) -> tuple[Ledger, int]:
    """The ledger opened for reading; one that needs an upgrade is backed up too (the
    moment before an upgrade is when a backup matters)."""
    lg = Ledger.open(path, older=True)
    return lg, lg.version


_COUNTS = {"complaints": "SELECT count(*) FROM complaints",
           "events": "SELECT count(*) FROM events"}


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {name: conn.execute(sql).fetchone()[0] for name, sql in _COUNTS.items()}


def _copy(source: Ledger, tmp: Path, target: str, step_pages: int) -> dict[str, int]:
    """Copy one snapshot of the ledger into `tmp`, a step of pages at a time; return
    its counts. In WAL mode (every ledger a writer has opened) the read transaction
    held across the steps pins the snapshot: writers go on committing meanwhile
    (readers never block them in WAL), and the copy never restarts. A ledger in
    rollback-journal mode (a bulk demo write) is copied without holding the lock
    between steps: SQLite restarts the copy if a writer commits meanwhile."""
    conn = source.conn
    try:
        wal = conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        if wal:
            conn.execute("BEGIN")
        try:
            snapshot = row_counts(conn)  # in WAL mode: starts the snapshot the copy takes
            dst = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.backup(dst, pages=step_pages)
            finally:
                dst.close()
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")
        if not wal:  # the copy may be of a later state than the counts: count the copy
            check = sqlite3.connect(tmp)
            try:
                snapshot = row_counts(check)
            finally:
                check.close()
    except sqlite3.Error as exc:
        raise store.translate(exc, Path(target)) from None
    try:
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            mode = dst.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise store.translate(exc, Path(target)) from None
    if mode != "delete":
        raise LedgerError(_("cannot switch backup {target} to a rollback journal ({mode})")
                          .format(target=target, mode=mode),
                          code="backup_journal", path=target)
    return snapshot


# --- the checks --------------------------------------------------------------------------

def _sound(lg: Ledger) -> list[str]:
    """SQLite's own checks: the file's structure, and every foreign key."""
    cur = lg.conn.cursor()
    problems = [f"integrity_check: {msg}" for msg in store.integrity_check(cur)]
    problems += [_("foreign_key_check: {table} row {row} refers to a missing {parent}").format(
        table=table, row=rowid, parent=parent)
                 for table, rowid, parent, _key in store.foreign_key_violations(cur)]
    return problems


# Run on every copy before it is put in place, before the caller's own checks.
CHECKS: list[Check] = [_sound]


def check_copy(tmp: Path, *, version: int, counts: dict[str, int],
               checks: Sequence[Check] = ()) -> list[str]:
    """The problems of the copy at `tmp`, in words that never name `tmp`: it must be
    in rollback-journal mode, open as a complaintctl ledger of the ledger's schema
    version, hold the counted rows, and pass CHECKS and `checks`."""
    with open(tmp, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or header[18] != 1 or header[19] != 1:
        return [_("it is not in rollback-journal mode")]
    try:
        lg = Ledger.open(tmp, older=True)  # an older ledger is backed up before its upgrade
        if lg.version != version:
            lg.close()
            return [_("it is not of schema version {version}").format(version=version)]
    except LedgerError as exc:
        return [_("it does not open as a complaintctl ledger ({code})").format(code=exc.code)]
    try:
        found = row_counts(lg.conn)
        problems = [_("it holds {found} {table}, the ledger {expected}").format(
            found=found[k], table=k, expected=n) for k, n in counts.items() if found[k] != n]
        for check in (*CHECKS, *checks):
            problems += check(lg)
        return problems
    except sqlite3.Error as exc:
        return [_("it cannot be read ({reason})").format(reason=exc)]
    finally:
        lg.close()


# --- durability -----------------------------------------------------------------------

def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (not possible everywhere: then the rename stands)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
