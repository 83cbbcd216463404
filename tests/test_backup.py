"""`complaintctl backup PATH` (issue 13): a complete, consistent copy of the ledger
taken while others keep writing, 0600, in rollback-journal mode (it reads from
read-only archive media), checked before it appears at PATH, and an ordinary
ledger afterwards. It never writes the ledger, its side files, a folder or a
file that is not an earlier backup. Subprocesses use dates <= 2025-12-31."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import oldest_ledger, read_rows

from complaintctl import migrations

BACKED_UP = re.compile(r"^Backed up (\S+) to (\S+) \((\d+) complaints?, (\d+) events?, "
                       r"[\d.]+ MB, schema version (\d+)\)\.$")


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def journal_bytes(path: Path) -> tuple[int, int]:
    """The header's write and read versions: (1, 1) rollback journal, (2, 2) WAL."""
    header = path.read_bytes()[:20]
    return header[18], header[19]


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest()
                                         if p.is_file() else "folder")
            for p in sorted(folder.rglob("*"))}


def fill(run) -> list[str]:
    """Complaints in several states, a CAPA item and a return."""
    ids = [run.log(received=f"2026-09-{d:02d} 10:00") for d in (21, 22, 23, 24)]
    run.to_state(ids[0], "closed")
    run.to_state(ids[1], "investigating")
    run.to_state(ids[2], "void")
    run("action", "add", ids[1], "--text", "加严扭矩检验", "--owner", "李强",
        "--due", "2026-10-20 17:00", "--at", "2026-10-08 10:00")
    run("return", "open", ids[1], "--qty", "2", "--at", "2026-10-08 10:00")
    return ids


def test_a_backup_is_a_complete_private_ordinary_ledger(ledger, env, tmp_path):
    fill(ledger)
    before = hashlib.sha256(env.read_bytes()).hexdigest()
    target = tmp_path / "backups" / "ledger-2026-11-23.db"
    target.parent.mkdir()
    umask = os.umask(0o022)  # the usual umask, which makes SQLite's own files 0644
    try:
        result = ledger("backup", target)
    finally:
        os.umask(umask)
    assert result.stdout == ""
    line = result.stderr.strip()
    match = BACKED_UP.match(line)
    assert match, line
    assert match.group(1) == str(env) and match.group(2) == str(target)
    assert match.group(3) == "4" and int(match.group(5)) == migrations.LATEST
    assert int(match.group(4)) == read_rows(env, "SELECT count(*) FROM events")[0][0]
    # the same rows, the same schema version; the ledger's own file untouched
    assert dump(target) == dump(env)
    assert pragma(target, "user_version") == pragma(env, "user_version")
    assert hashlib.sha256(env.read_bytes()).hexdigest() == before
    # private, in rollback-journal mode, sound, and nothing else left in its folder
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert journal_bytes(target) == (1, 1)
    assert pragma(target, "journal_mode") == "delete"
    assert pragma(target, "integrity_check") == "ok"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    # an ordinary ledger: every read works on it, and reading it leaves no -wal/-shm
    for args in (("list",), ("show", "CC-2026-0002"), ("return", "list"), ("overdue",)):
        assert ledger.json("--db", str(target), *args) == ledger.json(*args)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_an_earlier_backup_is_replaced_in_place(ledger, env, tmp_path):
    target = tmp_path / "ledger-latest.db"
    ledger.log()
    ledger("backup", target)
    first = dump(target)
    ledger.log(customer="第二个客户")
    result = ledger("backup", target)
    assert "(2 complaints," in result.stderr
    assert dump(target) == dump(env) != first
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(
        (".", "ledger-latest"))) == [target.name]


def test_an_older_ledger_is_backed_up_before_its_upgrade(run, env, tmp_path):
    env.parent.mkdir()
    oldest_ledger(env, 2025)
    before = tree(env.parent)
    target = tmp_path / "before-upgrade.db"
    result = run("backup", target)
    assert "(1 complaint, 1 event, " in result.stderr and "schema version 1)" in result.stderr
    assert tree(env.parent) == before
    assert dump(target) == dump(env) and pragma(target, "user_version") == 1
    # the backup is that old ledger: refused until upgraded, like the original
    assert "needs an upgrade" in run("--db", str(target), "list", code=1).stderr
    run("--db", str(target), "upgrade")
    assert "CC-2025-0001" in run("--db", str(target), "list").stdout


# --- refusals -----------------------------------------------------------------------

def _other_file(path: Path) -> None:
    path.write_text("meeting notes\n", encoding="utf-8")


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.commit()
    conn.close()


def _working_ledger(path: Path) -> None:
    """Another department's ledger (WAL mode, closed cleanly)."""
    from typer.testing import CliRunner

    from complaintctl.cli import app

    assert CliRunner().invoke(app, ["--db", str(path), "init"]).exit_code == 0


def _one_side_file_left(path: Path) -> None:
    Path(f"{path}-wal").write_bytes(b"")


def _left_side_files(path: Path) -> None:
    """A working ledger's -wal and -shm, the ledger itself moved away."""
    _working_ledger(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE scratch (x)")
    conn.commit()
    Path(f"{path}-wal").rename(f"{path}.keep-wal")  # closing would fold it in
    Path(f"{path}-shm").rename(f"{path}.keep-shm")
    conn.close()
    path.rename(path.with_name("moved-away.db"))
    Path(f"{path}.keep-wal").rename(f"{path}-wal")
    Path(f"{path}.keep-shm").rename(f"{path}-shm")


def _a_pipe(path: Path) -> None:
    """A named pipe: opened to read its header, the backup waited for a writer forever
    (a cron job with a wrong path hung for good)."""
    os.mkfifo(path)


IS_LEDGER = "backup PATH {path} is the ledger itself"
IS_ITS = "backup PATH {path} is the ledger's {file} file (SQLite keeps its latest writes"
REFUSED = {
    # name: (the PATH argument relative to tmp_path, or a maker; exit code; message)
    "the-ledger": ("data/ledger.db", 2, IS_LEDGER),
    "its-wal": ("data/ledger.db-wal", 2, IS_ITS.replace("{file}", "-wal")),
    "its-shm": ("data/ledger.db-shm", 2, IS_ITS.replace("{file}", "-shm")),
    "its-journal": ("data/ledger.db-journal", 2, IS_ITS.replace("{file}", "-journal")),
    "other-spelling": ("data/../data/ledger.db", 2, IS_LEDGER),
    "a-folder": ("data", 2, "cannot write backup {path}: it is a folder"),
    "a-missing-folder": ("nowhere/backup.db", 2,
                         "cannot write backup {path}: folder {tmp}/nowhere does not exist"),
    # a path ending in / names a folder: it wrote a file called `nowhere` (cron's archive
    # folder not mounted: every night one file overwritten)
    "a-missing-folder-by-its-slash": ("nowhere/", 2,
                                      "cannot write backup {path}: folder {tmp}/nowhere does "
                                      "not exist"),
    "a-text-file": (_other_file, 1,
                    "{path} exists and is not a complaintctl ledger; backup replaces only "
                    "an earlier backup"),
    "a-pipe": (_a_pipe, 1, "{path} exists and is not a regular file; backup replaces only "
                           "an earlier backup"),
    "another-sqlite-file": (_foreign_sqlite, 1, "{path} exists and is not a complaintctl "
                                                "ledger"),
    "a-working-ledger": (_working_ledger, 1, "{path} exists and is a working ledger (WAL "
                                             "mode), not a backup"),
    # the -wal of another database: its next reader took the backup in, then deleted it
    "a-side-file-name": ("backup.db-wal", 1, "{path} is the name SQLite gives the -wal file "
                                             "of a database beside it"),
    # the file moved away as the hint said, its -wal left: the new backup read with it
    # was damaged ("malformed"), and `backup` said it was written
    "side-files-left-of-a-file-moved-away": (_left_side_files, 1,
                                             "ledger.db-wal, ledger.db-shm of an earlier "
                                             "file named {path} are still there"),
    # (one file was "are still there: SQLite would read them")
    "a-side-file-left": (_one_side_file_left, 1, "ledger.db-wal of an earlier file named "
                                                 "{path} is still there: SQLite would read "
                                                 "it into the backup\nHint: move it away"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_targets_leave_everything_as_it_was(ledger, env, tmp_path, case):
    ledger.log()
    where, code, message = REFUSED[case]
    if callable(where):
        target = tmp_path / "backups" / "ledger.db"
        target.parent.mkdir()
        where(target)
    else:
        target = f"{tmp_path / where}/" if where.endswith("/") else tmp_path / where
    before = tree(tmp_path)
    result = ledger("backup", target, code=code)
    assert f"Error: {message.format(path=target, tmp=tmp_path)}" in result.stderr, \
        result.stderr
    assert "Hint: " in result.stderr
    assert ".backup" not in result.stderr  # never the temporary file's name
    assert tree(tmp_path) == before


def test_a_dash_is_no_file_to_back_up_to(ledger, tmp_path, monkeypatch):
    """`backup -` wrote a file named `-` (exit 0), where `report --output -` refuses it."""
    ledger.log()
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    result = ledger("backup", "-", code=2)
    assert result.stderr == ("Error: cannot write -: '-' would be a file of that name, not "
                             "the terminal\nHint: give a file name\n"), result.stderr
    assert tree(tmp_path) == before and not (tmp_path / "-").exists()


def test_no_ledger_no_backup(run, env, tmp_path):
    target = tmp_path / "backup.db"
    result = run("backup", target, code=1)
    assert f"no ledger at {env}" in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_a_ledger_that_has_an_earlier_backup_with_side_files_is_refused(ledger, tmp_path):
    """A backup someone opened as a working ledger (a -wal beside it) is in use."""
    target = tmp_path / "ledger-latest.db"
    ledger.log()
    ledger("backup", target)
    Path(f"{target}-wal").write_bytes(b"")
    before = tree(tmp_path)
    result = ledger("backup", target, code=1)
    assert f"{target} exists and is a working ledger (ledger-latest.db-wal beside it)" in \
        result.stderr
    # the files beside it that are there (-wal and -shm were named when neither was)
    assert result.stderr.endswith("Hint: choose another name, or move that file away "
                                  f"yourself, with the files beside it ({target}-wal)\n"), \
        result.stderr
    assert tree(tmp_path) == before
    Path(f"{target}-wal").unlink()
    with sqlite3.connect(target) as db:  # a working ledger with nothing beside it
        db.execute("PRAGMA journal_mode = WAL")
    sqlite3.connect(target).close()
    assert not Path(f"{target}-wal").exists()
    result = ledger("backup", target, code=1)
    assert result.stderr.endswith("Hint: choose another name, or move that file away "
                                  "yourself\n"), result.stderr


# --- while others write ------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from typer.testing import CliRunner
    from complaintctl.cli import app

    worker, count = sys.argv[1], int(sys.argv[2])
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, ["--as", f"clerk{worker}", *args])
        if result.exit_code != 0:
            sys.stderr.write(f"FAILED {args}: {result.output}\\n")
            sys.exit(1)
        return result.stdout.strip()

    for i in range(count):
        cid = run("log", "--customer", f"客户{worker}-{i}", "--description", "并发",
                  "--category", "quality", "--severity", "high", "--channel", "phone",
                  "--product", "XD", "--received", "2025-11-03 09:00")
        run("assign", cid, "--dept", "QA", "--owner", f"owner{worker}", "--at",
            "2025-11-03 10:00")
        run("investigate", cid, "--cause", "torque", "--at", "2025-11-03 11:00")
""")

# What each status has in a consistent copy: its events, and its stages (done or not).
NEEDS = {"logged": ({"log"}, {("assign", 0), ("resolve", 0)}),
         "assigned": ({"log", "assign"}, {("assign", 1), ("resolve", 0), ("investigate", 0)}),
         "investigating": ({"log", "assign", "investigate"},
                           {("assign", 1), ("resolve", 0), ("investigate", 1)})}


def _consistent(path: Path) -> dict[str, int]:
    """Check one backup; its complaints and events counted."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        events: dict[str, set[str]] = {}
        for cid, kind in conn.execute("SELECT complaint_id, kind FROM events "
                                      "WHERE complaint_id IS NOT NULL"):
            events.setdefault(cid, set()).add(kind)
        stages: dict[str, set[tuple[str, int]]] = {}
        for cid, stage, done in conn.execute("SELECT complaint_id, stage, done_at IS NOT "
                                             "NULL FROM stages"):
            stages.setdefault(cid, set()).add((stage, done))
        statuses = dict(conn.execute("SELECT id, status FROM complaints"))
        for cid, status in statuses.items():
            need_events, need_stages = NEEDS[status]
            assert events.get(cid, set()) == need_events, (path, cid, status, events.get(cid))
            assert stages.get(cid) == need_stages, (path, cid, status, stages.get(cid))
        assert set(events) <= set(statuses) and set(stages) <= set(statuses)
        seqs = sorted(r[0] for r in conn.execute("SELECT seq FROM complaints"))
        assert seqs == list(range(1, len(seqs) + 1))  # a prefix of the id sequence
        return {"complaints": len(statuses),
                "events": conn.execute("SELECT count(*) FROM events").fetchone()[0]}
    finally:
        conn.close()


@pytest.mark.slow
def test_a_backup_taken_while_four_processes_write_is_consistent(ledger, env, tmp_path):
    workers, count = 4, 12
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(w), str(count)],
                              env={**os.environ, "COMPLAINTCTL_DB": str(env)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(workers)]
    backups: list[tuple[Path, bool]] = []  # (file, taken while every writer was running)

    def take() -> None:
        running = all(p.poll() is None for p in procs)
        target = tmp_path / f"ledger-{len(backups):03d}.db"
        result = ledger("backup", target)
        assert BACKED_UP.match(result.stderr.strip()), result.stderr
        backups.append((target, running and all(p.poll() is None for p in procs)))

    try:
        while any(p.poll() is None for p in procs):
            take()
            assert len(backups) < 1000
    finally:
        errors = [p.communicate(timeout=300)[1] for p in procs]
    take()  # and one after every writer has finished
    for p, err in zip(procs, errors, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    assert any(during for _path, during in backups), "no backup was taken during the writes"
    total = workers * count
    final_events = read_rows(env, "SELECT * FROM events ORDER BY id")
    assert len(final_events) == 1 + total * 3
    assert read_rows(env, "SELECT count(*) FROM complaints")[0][0] == total
    seen = []
    for path, _during in backups:
        counted = _consistent(path)
        # the copy is the ledger as it was at one moment: its events are the first ones
        events = read_rows(path, "SELECT * FROM events ORDER BY id")
        assert events == final_events[:len(events)]
        assert counted["events"] == len(events)
        seen.append((counted["complaints"], counted["events"]))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        # and it verifies: the hash chain, the records against their events, the tallies
        checked = ledger("--db", path, "verify")
        assert checked.stdout.startswith("OK: "), checked.stdout
    assert seen == sorted(seen)  # taken one after the other: never going back
    # the last one, taken after every writer finished, is the whole ledger
    assert dump(backups[-1][0]) == dump(env)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_copy_that_fails_a_check_is_never_put_in_place(ledger, env, tmp_path):
    """The seam for `verify`: archive.backup runs the caller's checks on the copy; a
    problem leaves the earlier backup at PATH as it was, and no temporary file."""
    from complaintctl import archive
    from complaintctl.errors import LedgerError

    target = tmp_path / "backups" / "ledger-latest.db"
    target.parent.mkdir()
    ledger.log()
    ledger("backup", target)
    before = tree(target.parent)
    ledger.log(customer="第二个客户")
    seen: list[int] = []

    def broken(lg) -> list[str]:
        seen.append(lg.conn.execute("SELECT count(*) FROM complaints").fetchone()[0])
        return ["the chain does not hold at event 7"]

    with pytest.raises(LedgerError) as raised:
        archive.backup(env, str(target), checks=[broken])
    assert seen == [2]  # it ran on the new copy
    assert raised.value.code == "backup_check"
    assert raised.value.message.endswith(f"nothing was written at {target}: the chain does "
                                         "not hold at event 7")
    assert tree(target.parent) == before


def test_the_partial_copy_a_killed_backup_left_is_removed(ledger, env, tmp_path):
    """A backup killed with kill -9 left its hidden temporary copy, a whole ledger with
    its contacts, which nothing ever removed (past a forget-contact too): the next backup
    into that folder removes those older than an hour, and says so; a younger one may be
    a backup still copying, and is left."""
    ledger.log()
    folder = tmp_path / "bk"
    folder.mkdir()
    stale = folder / ".complaintctl-3ugl3xyr.partial-backup"
    journal = folder / ".complaintctl-3ugl3xyr.partial-backup-journal"
    young = folder / ".complaintctl-k2j4h5g6.partial-backup"
    other = folder / ".notes.txt"
    # the user's own hidden dated copy, its name like a temporary file's: it was removed
    own = folder / ".ledger.db.20261130.backup"
    for f in (stale, journal, young, other, own):
        f.write_bytes(b"x")
    old = os.stat(stale).st_mtime - 7200
    for f in (stale, journal, own):
        os.utime(f, (old, old))
    r = ledger("backup", folder / "ledger-2026-12-06.db")
    # (its journal with it: said apart, as "a partial copy" too, it read as two copies)
    assert f"Removed {stale.name} (and its -journal): a partial copy a killed backup had " \
        "left.\n" in r.stderr, r.stderr
    assert f"Removed {journal.name}" not in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        ".complaintctl-k2j4h5g6.partial-backup", ".ledger.db.20261130.backup",
        ".notes.txt", "ledger-2026-12-06.db"]
    # a name as long as a file's may be (255 bytes): the temporary copy's is not longer
    # (it held the name, and such a backup was refused as "the name is too long")
    long = folder / ("备" * 81 + ".db")
    ledger("backup", long)
    assert long.exists()


def test_a_backup_onto_a_read_only_disk_is_the_disks_refusal(ledger, env, tmp_path,
                                                             monkeypatch):
    """A read-only mount exited 2 (bad input) where report --output and export exit 1:
    the disk's refusal is no mistake of the command line."""
    import errno

    from complaintctl import archive

    ledger.log()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(archive.tempfile, "mkstemp", read_only)
    target = tmp_path / "ro" / "b.db"
    target.parent.mkdir()
    r = ledger("backup", target, code=1)
    assert f"Error: cannot write backup {target}: the disk is read-only" in r.stderr, r.stderr
    assert not target.exists()
