"""Read commands open the ledger read-only (issue 12): they work for a user who
may only read the ledger, or only read its folder, see a writer's live WAL, and
never leave -wal/-shm files of their own behind, so the owner can still write.
A write by such a user is refused with "permission denied".

CI runs as root, and root may write anything: the reader is uid 65534 (and the
owner, where it is not root, uid 65533), set in a child forked after the imports
(the venv's interpreter need not be reachable by them), in a 0755 folder outside
pytest's 0700 temp root. Dates are explicit and no later than 2025-12-31; ids
take the real clock's year, so they are matched by pattern."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complaintctl.cli import app

READER = 65534
OWNER = 65533
CC = re.compile(r"CC-\d{4}-\d{4}")
RMA = re.compile(r"RMA-\d{4}-\d{4}")


def log_args(customer: str, received: str) -> tuple[str, ...]:
    return ("log", "--customer", customer, "--description", "电机异响", "--category",
            "quality", "--severity", "medium", "--channel", "phone", "--product", "XD-200",
            "--received", received, "--contact", "13812345678", "--no-input")


def as_root(db: Path, *args: str):
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def root_ok(db: Path, *args: str) -> str:
    result = as_root(db, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def as_user(uid: int, db: Path, *args: str) -> tuple[int, str, str]:
    """The command run by `uid` (its own group, no others): (exit code, stdout, stderr)."""
    return _outcome(*_started(uid, db, args))


def _started(uid: int, db: Path, args: tuple[str, ...],
             prepare: Callable[[], None] | None = None) -> tuple[int, int]:
    """The command run by `uid` in a child (after `prepare`, there): its pid and the end
    of the pipe its outcome comes through (_outcome)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            signal.alarm(120)  # a hung child dies rather than hang the suite
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            if prepare is not None:
                prepare()
            result = CliRunner().invoke(app, ["--db", str(db), *args])
            err = result.stderr
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                err += "Traceback (in the child)\n" + "".join(
                    traceback.format_exception(result.exception))
            payload = [result.exit_code, result.stdout, err]
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            payload = [-1, "", "Traceback (in the child)\n" + "".join(
                traceback.format_exception(exc))]
        try:
            with os.fdopen(write_end, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(payload))
        finally:
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _outcome(pid: int, read_end: int) -> tuple[int, str, str]:
    with os.fdopen(read_end, encoding="utf-8") as fh:
        data = fh.read()
    _pid, status = os.waitpid(pid, 0)
    if not data:
        return -2, "", f"the child died (wait status {status})"
    code, out, err = json.loads(data)
    return code, out, err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def owned_by(folder: Path, uid: int) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.lstat().st_uid == uid)


def _build(db: Path) -> dict[str, str]:
    """A ledger with a complaint and a return on it, closed cleanly; their ids."""
    root_ok(db, "init", "--timezone", "Asia/Shanghai")
    cid = CC.search(root_ok(db, *log_args("华东电器有限公司", "2025-10-09 10:00"))).group(0)
    rma = RMA.search(root_ok(db, "return", "open", cid, "--qty", "2",
                             "--at", "2025-10-09 11:00")).group(0)
    for side in ("-wal", "-shm", "-journal"):
        assert not Path(str(db) + side).exists(), f"{side} left by a clean close"
    return {"cid": cid, "rma": rma}


def reads(ids: dict[str, str]) -> list[tuple[tuple[str, ...], list[str]]]:
    """Each read command of the contract, with what its output must contain."""
    return [
        (("list",), [ids["cid"]]),
        (("show", ids["cid"]), [ids["cid"], "华东电器有限公司"]),
        (("overdue", "--as-of", "2025-12-31 12:00"), [ids["cid"]]),
        (("report", "--month", "2025-10"), ["2025-10"]),
        (("return", "list"), [ids["rma"]]),
        (("policy", "show"), ["Asia/Shanghai"]),
    ]


def check_reads(uid: int, db: Path, ids: dict[str, str]) -> list[str]:
    """Every read as `uid`; the problems found (so one run shows them all)."""
    problems = []
    for args, needles in reads(ids):
        code, out, err = as_user(uid, db, *args)
        if code != 0:
            problems.append(f"{' '.join(args)}: exit {code}: {err.strip()[-400:]}")
            continue
        problems += [f"{' '.join(args)}: {needle!r} not in output" for needle in needles
                     if needle not in out]
        if "Traceback" in err:
            problems.append(f"{' '.join(args)}: {err.strip()[-400:]}")
    return problems


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory):
    """Run every command once as root, so whatever the commands import lazily is
    imported before a child drops its privileges (it may not read root's files)."""
    db = tmp_path_factory.mktemp("warm") / "ledger.db"
    ids = _build(db)
    for args, _needles in reads(ids):
        root_ok(db, *args)
        root_ok(db, *args, "--format", "json")
    root_ok(db, *log_args("B", "2025-10-10 09:00"))
    root_ok(db, "verify")  # (its thread pool, imported lazily)
    import concurrent.futures.thread  # noqa: F401 - the same, should verify take another way


@pytest.fixture
def base():
    """A 0755 folder in /tmp (pytest's own temp root is 0700: no entry for others)."""
    path = Path(tempfile.mkdtemp(prefix="cc-readonly-", dir="/tmp"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def ledger_in(base: Path, folder_mode: int) -> tuple[Path, dict[str, str]]:
    folder = base / "ledgers"
    folder.mkdir()
    db = folder / "ledger.db"
    ids = _build(db)
    os.chmod(db, 0o644)
    os.chmod(folder, folder_mode)
    return db, ids


def test_reads_in_a_folder_the_reader_may_only_read(base):
    """0644 ledger, 0755 folder, both root's; the last writer closed cleanly (no -shm)."""
    db, ids = ledger_in(base, 0o755)
    before = sha256(db)
    problems = check_reads(READER, db, ids)
    assert not problems, "\n".join(problems)
    assert sorted(os.listdir(db.parent)) == ["ledger.db"]
    assert sha256(db) == before


def test_reads_see_a_writers_live_wal(base):
    """A writer holds the ledger open; the newest rows are only in its WAL."""
    db, ids = ledger_in(base, 0o755)
    keeper = sqlite3.connect(db)  # stays open: nobody checkpoints the WAL away
    try:
        keeper.execute("SELECT count(*) FROM complaints").fetchone()
        newest = CC.search(root_ok(db, *log_args("华南贸易公司", "2025-10-10 09:00"))
                           ).group(0)
        wal = Path(str(db) + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        # the main file alone does not have it yet (what immutable=1 would read)
        frozen = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
        assert frozen.execute("SELECT count(*) FROM complaints WHERE id = ?",
                              (newest,)).fetchone()[0] == 0
        frozen.close()
        for side in ("", "-wal", "-shm"):
            os.chmod(str(db) + side, 0o644)
        problems = check_reads(READER, db, ids)
        code, out, err = as_user(READER, db, "show", newest)
        if code != 0 or newest not in out or "华南贸易公司" not in out:
            problems.append(f"show {newest}: exit {code}: {err.strip()[-400:]}")
        code, out, err = as_user(READER, db, "list")
        if code != 0 or newest not in out or ids["cid"] not in out:
            problems.append(f"list misses the WAL's row: exit {code}: {err.strip()[-400:]}")
        assert not problems, "\n".join(problems)
        assert owned_by(db.parent, READER) == []
    finally:
        keeper.close()


@pytest.mark.parametrize("args", [
    ("log", "--customer", "C", "--description", "x", "--category", "quality",
     "--severity", "low", "--channel", "phone", "--received", "2025-10-11 09:00",
     "--no-input"),
    ("assign", "{cid}", "--dept", "QA", "--owner", "王芳", "--at", "2025-10-09 12:00"),
], ids=["log", "assign"])
def test_a_write_by_a_reader_is_permission_denied(base, args):
    db, ids = ledger_in(base, 0o755)
    before = sha256(db)
    code, _out, err = as_user(READER, db, *(a.format(**ids) for a in args))
    assert code == 1, (code, err)
    assert "permission denied" in err.lower(), err
    assert "try again" not in err and "busy" not in err.lower(), err
    assert "Traceback" not in err
    assert sha256(db) == before
    assert sorted(os.listdir(db.parent)) == ["ledger.db"]


def test_a_writer_whose_folder_is_read_only_is_told_of_the_folder(base):
    """The ledger writable by its user, its folder not (0555): "permission denied: cannot
    write …/ledger.db" named the file, which the user could write."""
    db, ids = ledger_in(base, 0o777)
    os.chown(db, READER, READER)
    os.chmod(db, 0o600)
    os.chmod(db.parent, 0o555)
    before = sha256(db)
    code, _out, err = as_user(READER, db, "assign", ids["cid"], "--dept", "QA", "--owner",
                              "王芳", "--at", "2025-10-09 12:00")
    assert code == 1, (code, err)
    assert err.startswith(f"Error: permission denied: cannot write in the folder {db.parent}, "
                          "where the ledger keeps its -wal and -shm files\n"), err
    assert sha256(db) == before


def test_upgrade_of_an_up_to_date_ledger_by_a_reader_says_it_is_up_to_date(base):
    """It opened the ledger for writing first: "permission denied" (exit 1) where there
    was nothing to do; nothing is left beside the ledger."""
    db, _ids = ledger_in(base, 0o755)
    before = sha256(db)
    code, out, err = as_user(READER, db, "upgrade")
    assert code == 0, (code, err)
    assert "up to date" in out + err and "permission" not in err.lower(), (out, err)
    assert sha256(db) == before
    assert sorted(os.listdir(db.parent)) == ["ledger.db"]


@pytest.mark.parametrize("args", [
    ("report", "--month", "2025-10", "--output", "{out}/r.md"),
    ("export", "complaints", "--output", "{out}/e.csv"),
    ("backup", "{out}/b.db"),
], ids=["report", "export", "backup"])
def test_a_file_written_where_the_reader_may_not_write_is_refused_not_bad_usage(base, args):
    """A report, export or backup into a folder the user may not write in was exit 2, as a
    mistyped name: cron could not tell a crontab to fix from the folder's rights, which
    a ledger this user may not write already said with exit 1."""
    db, ids = ledger_in(base, 0o755)
    code, _out, err = as_user(READER, db, *(a.format(out=db.parent, **ids) for a in args))
    assert code == 1, (code, err)
    assert err.startswith("Error: cannot write ") and ": permission denied\n" in err, err
    assert "Hint: give " in err and "may write to" in err, err
    assert sorted(os.listdir(db.parent)) == ["ledger.db"]
    # a folder that is not there is still a name to correct
    code, _out, err = as_user(READER, db, *(a.format(out=base / "nowhere", **ids)
                                             for a in args))
    assert code == 2 and "does not exist" in err, (code, err)


def test_a_reader_in_a_writable_folder_leaves_nothing_of_its_own(base):
    """Root's 0644 ledger in a 0777 folder: the reader could create -wal/-shm there."""
    db, ids = ledger_in(base, 0o777)
    before = sha256(db)
    problems = check_reads(READER, db, ids)
    assert not problems, "\n".join(problems)
    assert owned_by(db.parent, READER) == []
    assert sha256(db) == before
    assert as_root(db, *log_args("D", "2025-10-11 09:00")).exit_code == 0


def test_the_owner_still_writes_after_a_reader(base):
    """The ledger is another user's (0644, uid 65533) in a 0777 folder: after the
    reader's reads and its refused write, the owner's `log` works."""
    db, ids = ledger_in(base, 0o777)
    os.chown(db, OWNER, OWNER)
    problems = check_reads(READER, db, ids)
    code, _out, err = as_user(READER, db, *log_args("E", "2025-10-11 09:00"))
    if code != 1 or "permission denied" not in err.lower():
        problems.append(f"the reader's log: exit {code}: {err.strip()[-400:]}")
    if owned_by(db.parent, READER):
        problems.append(f"the reader left {owned_by(db.parent, READER)}")
    code, out, err = as_user(OWNER, db, *log_args("F", "2025-10-11 10:00"))
    if code != 0 or not CC.search(out):
        problems.append(f"the owner's log afterwards: exit {code}: {err.strip()[-400:]}")
    else:
        newest = CC.search(out).group(0)
        code, out, err = as_user(OWNER, db, "list")
        if code != 0 or newest not in out:
            problems.append(f"the owner's list: exit {code}: {err.strip()[-400:]}")
    assert not problems, "\n".join(problems)


def test_a_journal_with_nothing_to_undo_does_not_keep_a_reader_out(base):
    """kill -9 at the end of a first import's commit left its rollback journal with a
    zeroed header (nothing to put back; SQLite passes it over), and only a write removes
    it: a user who may only read was told "an interrupted write left …-journal", and
    the owner's verify the hint asked for did not clear it. A journal with pages to put
    back still keeps them out (reading it needs a write)."""
    db, ids = ledger_in(base, 0o755)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")  # as a bulk write leaves it
    conn.close()
    journal = Path(f"{db}-journal")
    journal.write_bytes(bytes(512) + b"left over")
    os.chmod(journal, 0o644)
    code, out, err = as_user(READER, db, "list")
    assert code == 0 and ids["cid"] in out, err
    journal.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(504))
    code, _out, err = as_user(READER, db, "list")
    assert code == 1 and "an interrupted write left" in err, err


WRITER_MID_COMMIT = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = DELETE")  # as a bulk write runs
conn.execute("PRAGMA cache_size = 10")  # its pages spill to the file, as a large write's
conn.execute("BEGIN IMMEDIATE")  # do: the journal is synced, its header set
conn.execute("UPDATE complaints SET customer = 'changed'")
conn.execute("CREATE TABLE filler (x)")
conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 1000,)] * 500)
with open(sys.argv[1] + "-journal", "rb") as fh:
    print(fh.read(8).hex(), flush=True)
time.sleep(3.0)  # the write ends meanwhile (the reader forked long before)
conn.execute("ROLLBACK")
"""


def test_a_reader_waits_for_a_writer_whose_journal_is_live(base):
    """A first import into an empty ledger writes in a rollback journal; a user who may
    only read, reading while it committed, was told "an interrupted write left
    …-journal beside the ledger" (exit 1) -- the journal of a writer holding the lock,
    not one left behind. They wait for it, as every reader does. (The writer is another
    process: SQLite's locks do not survive this one's fork.)"""
    import subprocess
    import sys

    db, ids = ledger_in(base, 0o755)
    writer = subprocess.Popen([sys.executable, "-c", WRITER_MID_COMMIT, str(db)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "d9d505f920a163d7"  # (hot)
        code, out, err = as_user(READER, db, "list")
        assert code == 0 and ids["cid"] in out and "changed" not in out, (code, err)
    finally:
        assert writer.wait(timeout=60) == 0


def test_a_step_on_a_read_only_disk_says_the_disk_is(ledger, monkeypatch):
    """A step on a ledger on a read-only mount said "permission denied … ask for access":
    no access would help; `backup` and `report` there said "the disk is read-only"."""
    from complaintctl import store

    cid = ledger.log()
    before = ledger.snapshot()
    real_access, real_statvfs = os.access, os.statvfs

    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(store.os, "access", lambda path, mode, **kw: False if mode & os.W_OK
                        else real_access(path, mode, **kw))
    monkeypatch.setattr(store.os, "statvfs", lambda path: ReadOnly())
    r = ledger("assign", cid, "--dept", "QA", "--owner", "王芳", code=1)
    assert r.stderr.startswith(f"Error: cannot write {ledger.db}: the disk is read-only\n"
                               "Hint: it can be read there"), r.stderr
    assert "permission" not in r.stderr
    # a ledger that needs an upgrade cannot be read there either: not "it can be read
    # there (overdue, show …)", which refuse it
    from support import oldest_ledger

    old = ledger.db.parent / "old.db"
    oldest_ledger(old)
    r = ledger("--db", old, "upgrade", code=1)
    assert r.stderr.startswith(f"Error: cannot write {old}: the disk is read-only\nHint: "
                               "until it is upgraded it cannot be read either: copy it to a "
                               f"writable disk (complaintctl --db {old} backup COPY.db)"), \
        r.stderr
    # a journal an interrupted write left there: not "it can be read there", nor "ask the
    # owner to run verify", which nobody can on that disk
    journal = Path(f"{ledger.db}-journal")
    journal.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 504)
    r = ledger("assign", cid, "--dept", "QA", "--owner", "王芳", code=1)
    assert r.stderr.endswith("Hint: a write left files beside it (ledger.db-*), so it cannot be "
                             "read there either: copy the ledger with them to a writable "
                             "disk and run a complaintctl command on the copy\n"), r.stderr
    journal.unlink()
    # and steps a writer left in a -wal there (a snapshot taken while it was open): not
    # "ask the ledger's owner to run verify", which nobody can do on that disk
    copy = ledger.db.parent / "snap" / "copy.db"
    copy.parent.mkdir()
    conn = sqlite3.connect(ledger.db)
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute(f"PRAGMA user_version = {version}")
    shutil.copy(ledger.db, copy)
    shutil.copy(f"{ledger.db}-wal", f"{copy}-wal")
    conn.close()
    r = ledger("--db", copy, "list", code=1)
    assert r.stderr.endswith("Hint: the disk is read-only, so nobody can here: copy the ledger "
                             "together with the files beside it (copy.db-*) to a writable disk "
                             "and run a complaintctl command on the copy; the steps are kept\n"
                             ), r.stderr
    monkeypatch.setattr(store.os, "statvfs", real_statvfs)
    r = ledger("assign", cid, "--dept", "QA", "--owner", "王芳", code=1)
    assert "permission denied: cannot write" in r.stderr, r.stderr  # a writable disk
    assert ledger.snapshot() == before


def _read_written_under(db: Path, args: tuple[str, ...], module: str, name: str,
                        times: int = 4) -> tuple[int, str, str]:
    """`args` run by the reader; when it calls `module.name` (halfway through its read),
    the owner logs a complaint (and closes the ledger: checkpointed into the file), at
    each of its first `times` calls (a read written under before anything went out is
    taken again, three times: the fourth is refused)."""
    go_read, go_write = os.pipe()
    ack_read, ack_write = os.pipe()

    def hooked() -> None:  # (in the reader)
        import importlib

        owner = importlib.import_module(module)
        called = getattr(owner, name)
        calls = []

        def halfway(*a, **kw):
            calls.append(1)
            if len(calls) <= times:
                os.write(go_write, b"x")
                os.read(ack_read, 1)
            return called(*a, **kw)

        setattr(owner, name, halfway)

    started = _started(READER, db, args, hooked)
    os.close(go_write)  # (a reader that never calls it, or dies: read() gives b"", no hang)
    os.close(ack_read)
    try:
        for n in range(times):
            got = os.read(go_read, 1)
            if n and got == b"":  # (it was not read again: done)
                break
            assert got == b"x", f"{module}.{name} was not called"
            root_ok(db, *log_args(f"宁波精工 {n}", "2025-10-11 09:00"))
            os.write(ack_write, b"x")
    finally:
        os.close(go_read)
        os.close(ack_write)
    return _outcome(*started)


def test_a_read_the_owner_writes_under_says_so_not_damaged(base):
    """A reader who may not write an idle WAL ledger reads it as immutable; the owner
    logging meanwhile checkpointed into the file under the read, and `verify` or
    `export` said "damaged (database disk image is malformed): restore it from your
    latest backup" (a supervisor following it loses the steps since), `list` gave rows
    of two moments without a word. The read is refused as written under it (exit 1)."""
    db, ids = ledger_in(base, 0o755)
    code, out, err = _read_written_under(db, ("list",), "complaintctl.render", "list_table")
    assert code == 1, (code, out, err)
    assert err == (f"Error: {db} was written while it was read (someone recorded a step): "
                   "what was read may mix before and after\nHint: run the command again; "
                   "nothing was changed\n"), err
    code, out, err = as_user(READER, db, "list")  # and again: the ledger is whole
    assert code == 0 and "宁波精工 3" in out, (code, err)
    # a file made of such a read does not take the place of the one there
    target = base / "out"
    target.mkdir(mode=0o777)
    os.chmod(target, 0o777)
    (target / "c.csv").write_text("earlier\n", encoding="utf-8")
    os.chmod(target / "c.csv", 0o666)
    code, out, err = _read_written_under(db, ("export", "complaints", "--format", "csv",
                                              "--output", str(target / "c.csv")),
                                         "complaintctl.exports", "complaints")
    assert code == 1 and "was written while it was read" in err, (code, err)
    assert (target / "c.csv").read_text(encoding="utf-8") == "earlier\n"
    assert sorted(os.listdir(target)) == ["c.csv"]
    # nothing read across it is printed (the report went out whole, then exit 1)
    code, out, err = _read_written_under(db, ("report", "--month", "2025-10", "--format",
                                              "json"), "complaintctl.render", "to_json")
    assert (code, out) == (1, "") and "was written while it was read" in err, (code, err)
    # verify: its second opening (the integrity check) kept the first's stamp ("damaged:
    # restore it from your latest backup"), and a refusal of what it read ("the latest
    # events were deleted") stands for the read
    for hooked in ("_serially", "check_records"):
        code, out, err = _read_written_under(db, ("verify",), "complaintctl.audit", hooked)
        assert code == 1 and "was written while it was read" in err, (hooked, code, out, err)
        assert "damaged" not in err and "deleted" not in out + err, (hooked, out, err)
    # a backup's copy is not put in place (its own check said "the ledger itself may be
    # damaged"); a typo's refusal stays its own
    code, out, err = _read_written_under(db, ("backup", str(target / "b.db")),
                                         "complaintctl.archive", "check_copy")
    assert code == 1 and "was written while it was read" in err, (code, err)
    assert not (target / "b.db").exists()
    code, out, err = _read_written_under(db, ("show", "CC-1999-0001"), "complaintctl.cli",
                                         "_open", times=1)
    assert code == 1 and "was written while it was read" not in err, (code, err)


def test_a_read_written_under_before_it_said_anything_is_taken_again(base):
    """A supervisor's cron read while a clerk logged was refused "written while it was
    read: run the command again" (about one run in twenty): read again, up to three
    times, when nothing of it went out yet; what comes out is the ledger after the
    clerk's step, whole."""
    db, ids = ledger_in(base, 0o755)
    code, out, err = _read_written_under(db, ("list",), "complaintctl.render", "list_table",
                                         times=1)
    assert (code, err) == (0, ""), (code, err)
    assert "宁波精工 0" in out and ids["cid"] in out, out
    code, out, err = _read_written_under(db, ("report", "--month", "2025-10", "--format",
                                              "json"), "complaintctl.render", "to_json",
                                         times=3)
    assert (code, err) == (0, ""), (code, err)
    assert json.loads(out)["received"] == 5  # the four before, and the three clerk's steps
    code, out, err = _read_written_under(db, ("verify",), "complaintctl.audit", "_serially",
                                         times=1)
    assert code == 0 and out.startswith("OK"), (code, out, err)


def test_a_reader_whose_writer_closes_as_it_opens_still_reads(base):
    """The reader saw the owner's -shm (in use) and opened the ledger read-only; the
    owner closed it in between, its -wal and -shm gone, and SQLite, which may not make
    them again in that folder, said read-only: "permission denied: cannot write" for
    a command that writes nothing (a few morning crons in a hundred)."""
    db, ids = ledger_in(base, 0o755)
    import subprocess
    import sys

    # the owner: a separate process that holds the ledger open until told
    keeper = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT count(*) FROM complaints').fetchone(); "
        "print('open', flush=True); sys.stdin.readline(); c.close()"), str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert keeper.stdout is not None and keeper.stdout.readline() == "open\n"
        assert Path(f"{db}-shm").exists()
        os.chmod(f"{db}-shm", 0o644)
        os.chmod(f"{db}-wal", 0o644)

        def closed_meanwhile() -> None:  # (in the reader) after the look, before the read
            from complaintctl import store

            looked = store._probed_idle
            calls = []

            def then_closed(path: Path) -> bool:
                idle = looked(path)
                calls.append(idle)
                if len(calls) > 1:  # (the look again, after the read-only refusal)
                    return idle
                keeper.stdin.write("close\n")  # type: ignore[union-attr]
                keeper.stdin.flush()  # type: ignore[union-attr]
                for _wait in range(500):
                    if not Path(f"{db}-shm").exists():
                        break
                    import time
                    time.sleep(0.01)
                return idle

            store._probed_idle = then_closed

        code, out, err = _outcome(*_started(READER, db, ("list",), closed_meanwhile))
    finally:
        if keeper.stdin is not None and not keeper.stdin.closed:
            try:
                keeper.stdin.write("close\n")
                keeper.stdin.close()
            except BrokenPipeError:
                pass
        keeper.wait(timeout=30)
    assert (code, err) == (0, ""), (code, out, err)
    assert ids["cid"] in out, out
    assert owned_by(db.parent, READER) == []


def test_a_reader_between_a_closing_writers_shm_and_wal_still_reads(base):
    """A writer closing removes its -shm, then its -wal: a reader who may not write,
    looking between the two, said "…-wal holds steps a writer left without closing the
    ledger" (exit 1, some reads in a hundred while clerks worked). It looks again for a
    moment; a -wal that goes is no writer's left behind."""
    db, ids = ledger_in(base, 0o755)
    wal = Path(f"{db}-wal")
    wal.write_bytes(b"\0" * 4096)  # (the closing writer's, about to go)
    go_read, go_write = os.pipe()

    def between() -> None:  # (in the reader) once it has seen no -shm: the writer goes on
        from complaintctl import store

        looked = store._probed_idle

        def then_writer_closes(path: Path) -> bool:
            idle = looked(path)
            os.write(go_write, b"x")
            return idle

        store._probed_idle = then_writer_closes

    started = _started(READER, db, ("list", "--format", "json"), between)
    os.close(go_write)
    try:
        assert os.read(go_read, 1) == b"x"
        import time

        time.sleep(0.03)
        wal.unlink()
    finally:
        os.close(go_read)
    code, out, err = _outcome(*started)
    assert (code, err) == (0, ""), (code, err)
    assert ids["cid"] in out


def test_a_table_printed_whole_before_a_write_is_not_refused_after_it(base):
    """A supervisor's `overdue` or `list` table was printed whole, then refused "written
    while it was read" (exit 1), a clerk's step having landed while it was drawn: each
    part of an output is checked before it goes out; after the last, nothing is."""
    db, ids = ledger_in(base, 0o755)
    code, out, err = _read_written_under(db, ("list",), "complaintctl.cli", "_shown_of",
                                         times=1)
    assert (code, err) == (0, ""), (code, err)
    assert ids["cid"] in out


def test_a_full_disk_is_said_to_be_full(ledger, monkeypatch):
    """On a disk with 16 KB free SQLite cannot make the -shm every reader needs and says
    "disk I/O error": overdue, backup and every step said "the disk of … could not be
    read or written". A full disk is said so; another I/O error as before."""
    import sqlite3

    from complaintctl import store

    class Full:
        f_flag, f_bavail, f_frsize = 0, 4, 4096

    def io_error(conn, path, *, write):
        raise store.translate(sqlite3.OperationalError("disk I/O error"), path)

    monkeypatch.setattr(store, "_pragmas", io_error)
    monkeypatch.setattr(store.os, "statvfs", lambda path: Full())
    for args in (("overdue",), ("backup", str(ledger.db.parent / "b.db")), ("list",)):
        r = ledger(*args, code=1)
        assert r.stderr == (f"Error: no space left on the disk of {ledger.db}\nHint: free "
                            "some space on that disk, then run it again; nothing was "
                            "changed\n"), r.stderr
    Full.f_bavail = 1 << 20
    r = ledger("overdue", code=1)
    assert r.stderr.startswith(f"Error: the disk of {ledger.db} could not be read or "
                               "written\n"), r.stderr
