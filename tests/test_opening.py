"""Opening a ledger (issue 12): only `init` and `demo` create one; a missing path,
a folder, a device, another program's file, a ledger of a newer or older schema
are refused and left exactly as they were; `report --output` never overwrites
the ledger; `demo` only fills its own ledgers; `policy timezone` changes the
zone. Messages are matched by their key phrases only."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from support import oldest_ledger
from typer.testing import CliRunner

from complaintctl.cli import app

SIDE_FILES = ("-wal", "-shm", "-journal")

LOG_FULL = ("log", "--customer", "华东电器有限公司", "--description", "电机异响",
            "--category", "quality", "--severity", "medium", "--channel", "phone",
            "--product", "XD-200", "--lot", "L2509", "--quantity", "3", "--order", "PO-1",
            "--region", "华东", "--demand", "exchange", "--shipped", "2025-10-01",
            "--received", "2025-10-09 10:00", "--contact", "13812345678", "--no-input")

READS = {
    "list": ("list",),
    "show": ("show", "CC-2025-0001"),
    "overdue": ("overdue",),
    "report": ("report", "--month", "2025-10"),
    "return-list": ("return", "list"),
    "policy-show": ("policy", "show"),
}

# init, a write, every read, demo and upgrade: the representative set of issue 12
EVERY = {"init": ("init", "--timezone", "Asia/Shanghai"), "log": LOG_FULL, **READS,
         "demo": None, "upgrade": ("upgrade",)}


def invoke(db: Path | None, *args: str):
    """The real command (`--db` first when given); a traceback fails the test."""
    argv = (["--db", str(db)] if db is not None else []) + [str(a) for a in args]
    result = CliRunner().invoke(app, argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    return result


def command(db: Path, name: str):
    """Command `name` of EVERY on the ledger at `db` (demo takes its own --db)."""
    if name == "demo":
        return invoke(None, "demo", "--db", str(db), "--complaints", "5")
    return invoke(db, *EVERY[name])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def side_files(path: Path) -> list[str]:
    return [path.name + s for s in SIDE_FILES if Path(str(path) + s).exists()]


def ok(db: Path, *args: str) -> str:
    result = invoke(db, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def new_ledger(db: Path, timezone: str = "Asia/Shanghai") -> Path:
    """A real ledger with one complaint (CC-yyyy-0001), closed cleanly."""
    db.parent.mkdir(parents=True, exist_ok=True)
    ok(db, "init", "--timezone", timezone)
    ok(db, *LOG_FULL)
    assert side_files(db) == []
    return db


# --- a missing path ----------------------------------------------------------

MISSING = {**READS, "log": LOG_FULL,
           "assign": ("assign", "CC-2025-0001", "--dept", "QA", "--owner", "王芳",
                      "--at", "2025-10-09 11:00"),
           "policy-timezone": ("policy", "timezone", "Asia/Shanghai"),
           "upgrade": ("upgrade",)}


@pytest.mark.parametrize("folder_exists", [False, True], ids=["no-folder", "folder"])
@pytest.mark.parametrize("name", list(MISSING))
def test_missing_path_is_refused_and_nothing_created(tmp_path, env, name, folder_exists):
    folder = tmp_path / "data"
    if folder_exists:
        folder.mkdir()
    db = folder / "ledger.db"
    # by $COMPLAINTCTL_DB (the env fixture points it here) and by --db
    for how in (None, db):
        result = invoke(how, *MISSING[name])
        assert result.exit_code == 1, (result.exit_code, result.output)
        assert "no ledger at" in result.stderr and str(db) in result.stderr, result.stderr
        assert re.search(r"complaintctl (--db \S+ )?init", result.stderr), result.stderr
        assert not db.exists() and side_files(db) == []
        assert folder.exists() == folder_exists
        if folder_exists:
            assert os.listdir(folder) == []


def test_the_next_steps_init_and_a_hint_name_carry_the_db_typed(tmp_path, monkeypatch):
    """With COMPLAINTCTL_DB naming the production ledger, `--db test.db init` said "Next:
    complaintctl log …" and "change it with complaintctl policy timezone …": pasted,
    they acted on production. So did the hint of an unknown id. Each carries the --db
    typed; a line that names no command to type is left alone."""
    prod, test = tmp_path / "prod.db", tmp_path / "测试 账本.db"
    monkeypatch.setenv("COMPLAINTCTL_DB", str(prod))
    monkeypatch.setenv("TZ", "UTC")
    result = invoke(test, "init")
    assert result.exit_code == 0, result.output
    quoted = f"'{test}'"
    assert f"Next: complaintctl --db {quoted} log (on a terminal" in result.stderr, \
        result.stderr
    assert f"change it with complaintctl --db {quoted} policy timezone Asia/Shanghai" in \
        result.stderr, result.stderr
    result = invoke(test, "show", "CC-2026-0009")
    assert result.stderr.endswith(f"Hint: find it with: complaintctl --db {quoted} list "
                                  "--customer NAME\n"), result.stderr
    assert not prod.exists()


def test_init_on_a_link_to_nothing_says_so(tmp_path):
    """init on a dangling symbolic link said "no ledger at …; create one with init"."""
    link = tmp_path / "ledger.db"
    link.symlink_to("missing.db")
    result = invoke(link, "init")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {link} is a symbolic link to missing.db, which "
                                    "does not exist\nHint: give the ledger's own path")
    assert os.path.islink(link) and not (tmp_path / "missing.db").exists()


@pytest.mark.parametrize(("content", "why"), [(b"", "the file is empty"),
                                               (b"hi\n", "not an SQLite database")])
def test_init_on_a_file_that_is_not_a_ledger_says_it_makes_a_new_one(tmp_path, content,
                                                                       why):
    """init on an empty or a text file said "is not a complaintctl ledger", hinting at
    --db, as if init had wanted a ledger there."""
    db = tmp_path / "x.db"
    db.write_bytes(content)
    result = invoke(db, "init", "--timezone", "Asia/Shanghai")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {db} is there already and is not a ledger ({why}): "
                             "init makes a new file and leaves any other as it is\n"
                             "Hint: give a path where no file is: complaintctl --db NEW.db "
                             "init\n"), result.stderr
    assert db.read_bytes() == content


def test_init_creates_a_private_folder_and_file(tmp_path):
    db = tmp_path / "new" / "ledger.db"
    result = invoke(db, "init", "--timezone", "Asia/Shanghai")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    # a folder that exists keeps its mode
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    assert invoke(shared / "ledger.db", "init").exit_code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "ledger.db").stat().st_mode) == 0o600
    # and init on a ledger is refused, untouched
    before = sha256(db)
    again = invoke(db, "init")
    assert again.exit_code == 1 and "already a ledger" in again.stderr, again.output
    assert sha256(db) == before


# --- files that are not (this complaintctl's) ledgers -----------------------------

def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE inventory (sku TEXT PRIMARY KEY, qty INTEGER)")
    conn.execute("INSERT INTO inventory VALUES ('XD-200', 12)")
    conn.commit()
    conn.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("客户名单\nthis is not a database\n", encoding="utf-8")


def _newer(path: Path) -> None:
    new_ledger(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


NOT_OURS = {"foreign-sqlite": _foreign_sqlite, "empty": _empty, "text": _text,
            "newer-schema": _newer}


def _expected_messages(kind: str, name: str) -> tuple[str, ...]:
    """Key phrases, any of which the refusal may carry."""
    if kind == "newer-schema":
        phrases: tuple[str, ...] = ("newer complaintctl",)
        if name == "init":
            phrases += ("already a ledger",)
    elif name == "init":  # (init makes a new file: it says it leaves this one)
        phrases = ("is there already and is not a ledger",)
    else:
        phrases = ("not a complaintctl ledger",)
    if name == "demo":
        phrases += ("not a demo ledger",)
    return phrases


@pytest.mark.parametrize("name", list(EVERY))
@pytest.mark.parametrize("kind", list(NOT_OURS))
def test_a_file_that_is_not_our_ledger_is_left_as_it_is(tmp_path, kind, name):
    db = tmp_path / "data" / "file.db"
    db.parent.mkdir()
    NOT_OURS[kind](db)
    assert side_files(db) == []
    before = sha256(db)
    result = command(db, name)
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert any(p in result.stderr for p in _expected_messages(kind, name)), result.stderr
    assert "Error:" in result.stderr and str(db) in result.stderr, result.stderr
    if kind == "newer-schema" and "newer complaintctl" in result.stderr:
        assert "999" in result.stderr, result.stderr
    assert sha256(db) == before
    assert side_files(db) == []
    assert os.listdir(db.parent) == [db.name]


# --- an older schema ---------------------------------------------------------------

def _user_version(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("name", ["list", "show", "overdue", "report", "log", "init",
                                  "demo"])
def test_an_older_ledger_is_refused_until_upgraded(tmp_path, name):
    db = tmp_path / "old.db"
    oldest_ledger(db, 2025)
    before = sha256(db)
    result = command(db, name)
    assert result.exit_code == 1, (result.exit_code, result.output)
    if name not in ("init", "demo"):  # those may say it is a ledger / not a demo one
        assert "needs an upgrade" in result.stderr, result.stderr
        # (the ledger named in the command to paste: a pasted `complaintctl upgrade`
        # upgraded the default ledger)
        assert f"complaintctl --db {db} upgrade" in result.stderr, result.stderr
    assert sha256(db) == before and side_files(db) == []
    assert _user_version(db) == 1


def test_upgrade_migrates_an_older_ledger(tmp_path):
    db = tmp_path / "old.db"
    oldest_ledger(db, 2025)
    refused = invoke(db, "list")
    assert refused.exit_code == 1 and "needs an upgrade" in refused.stderr, refused.output
    done = invoke(db, "upgrade")
    assert done.exit_code == 0, done.output
    assert done.stderr.strip(), "upgrade reports its progress on stderr"
    assert _user_version(db) > 1
    listed = invoke(db, "list")
    assert listed.exit_code == 0 and "CC-2025-0001" in listed.stdout, listed.output
    shown = json.loads(ok(db, "show", "CC-2025-0001", "--format", "json"))
    assert shown["customer"] == "华东电器" and shown["description"] == "电机异响 [批次]"
    version, migrated = _user_version(db), sha256(db)
    again = invoke(db, "upgrade")
    assert again.exit_code == 0 and "up to date" in again.output, again.output
    assert _user_version(db) == version and sha256(db) == migrated


# --- not a regular file -------------------------------------------------------------

def _directory(path: Path) -> None:
    path.mkdir()
    os.chmod(path, 0o755)


def _device(path: Path) -> None:
    """A copy of /dev/null."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    os.chmod(path, 0o666)


@pytest.mark.parametrize("name", ["init", "log", "list", "show", "report", "demo", "upgrade"])
@pytest.mark.parametrize("make", [_directory, _device], ids=["directory", "device"])
def test_a_path_that_is_not_a_regular_file_is_refused(tmp_path, make, name):
    path = tmp_path / "ledger.db"
    make(path)
    before = os.stat(path)
    around = sorted(os.listdir(tmp_path))
    inside = sorted(os.listdir(path)) if path.is_dir() else None
    result = command(path, name)
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "is not a ledger file" in result.stderr and str(path) in result.stderr, \
        result.stderr
    after = os.stat(path)
    assert (after.st_mode, after.st_uid, after.st_gid, after.st_rdev) == (
        before.st_mode, before.st_uid, before.st_gid, before.st_rdev)
    assert sorted(os.listdir(tmp_path)) == around
    if inside is not None:
        assert sorted(os.listdir(path)) == inside


# --- report --output is never the ledger ------------------------------------------------

@pytest.mark.parametrize("target", ["", "-wal", "-shm", "-journal", "other-spelling"])
def test_report_output_onto_the_ledger_is_refused(tmp_path, target):
    db = new_ledger(tmp_path / "data" / "ledger.db")
    before = sha256(db)
    if target == "other-spelling":
        out = tmp_path / "data" / ".." / "data" / "ledger.db"
    else:
        out = Path(str(db) + target)
    result = invoke(db, "report", "--month", "2025-10", "--format", "csv", "--output",
                    str(out))
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "is the ledger itself" in result.stderr or "is the ledger's -" in result.stderr, \
        result.stderr
    assert sha256(db) == before
    listed = invoke(db, "list")
    assert listed.exit_code == 0 and "CC-" in listed.stdout, listed.output
    assert sha256(db) == before


def test_report_output_elsewhere_still_written(tmp_path):
    db = new_ledger(tmp_path / "data" / "ledger.db")
    out = tmp_path / "data" / "ledger.csv"
    result = invoke(db, "report", "--month", "2025-10", "--format", "csv", "--output",
                    str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()


# --- demo fills only its own ledgers ------------------------------------------------------

def _complaints(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM complaints").fetchone()[0]
    finally:
        conn.close()


def test_demo_refuses_a_real_ledger(tmp_path):
    db = new_ledger(tmp_path / "real.db")
    before = sha256(db)
    result = invoke(None, "demo", "--db", str(db), "--complaints", "5")
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "not a demo ledger" in result.stderr and str(db) in result.stderr, result.stderr
    # (a file not there: it named demo.db, refused the same way when that was the one)
    assert result.stderr.endswith("Hint: the demo fills a new file: complaintctl demo --db "
                                  f"{tmp_path / 'real-2.db'}\n"), result.stderr
    assert sha256(db) == before and side_files(db) == []


def test_demo_makes_a_ledger_only_where_the_command_line_names_it(tmp_path, monkeypatch):
    """`complaintctl demo` with neither --db made the default ledger (or
    COMPLAINTCTL_DB's) a demo: init then said "already a ledger", and the department's
    real complaints went in among 300 fake ones. Both refused, nothing made; the demo
    goes where --db names, before the command or after it."""
    for where in (tmp_path / "env" / "ledger.db", None):
        if where is None:
            monkeypatch.delenv("COMPLAINTCTL_DB", raising=False)
            monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        else:
            monkeypatch.setenv("COMPLAINTCTL_DB", str(where))
        result = invoke(None, "demo", "--complaints", "5")
        assert result.exit_code == 2, (result.exit_code, result.output)
        assert result.stderr.startswith("Error: the demo makes a ledger of its own only in "
                                        "a file named with --db, never where the default "
                                        "ledger is or COMPLAINTCTL_DB points ("), result.stderr
        assert "Hint: complaintctl demo --db demo.db" in result.stderr
    # the default place named with --db too: it is the real ledger's
    named = tmp_path / "xdg" / "complaintctl" / "ledger.db"
    assert invoke(named, "demo", "--complaints", "5").exit_code == 2
    made = [p for p in (*(tmp_path / "env").rglob("*"), *(tmp_path / "xdg").rglob("*"))
            if p.is_file()]
    assert made == []
    assert invoke(tmp_path / "named.db", "demo", "--complaints", "5").exit_code == 0
    assert _complaints(tmp_path / "named.db") == 5


def test_demo_adds_to_its_own_ledger_until_another_step(tmp_path):
    db = tmp_path / "new.db"
    first = invoke(None, "demo", "--db", str(db), "--complaints", "5")
    assert first.exit_code == 0, first.output
    assert _complaints(db) == 5
    ok(db, "list")  # reading is not a step
    second = invoke(None, "demo", "--db", str(db), "--complaints", "5", "--seed", "7")
    assert second.exit_code == 0, second.output
    assert _complaints(db) == 10
    ok(db, *LOG_FULL)  # a step of its own: now it is somebody's ledger
    before = sha256(db)
    third = invoke(None, "demo", "--db", str(db), "--complaints", "5", "--seed", "8")
    assert third.exit_code == 1, (third.exit_code, third.output)
    assert "not a demo ledger" in third.stderr, third.stderr
    assert sha256(db) == before and _complaints(db) == 11


# --- policy timezone -----------------------------------------------------------------------

def test_policy_timezone_changes_the_zone_and_keeps_instants(tmp_path):
    db = new_ledger(tmp_path / "ledger.db", timezone="UTC")
    cid = json.loads(ok(db, "list", "--format", "json"))[0]["id"]
    deadlines = json.loads(ok(db, "show", cid, "--format", "json"))["deadlines"]
    result = invoke(db, "policy", "timezone", "Asia/Shanghai")
    assert result.exit_code == 0, result.output
    assert json.loads(ok(db, "policy", "show", "--format", "json"))["timezone"] == \
        "Asia/Shanghai"
    # deadlines already stored keep their instants
    assert json.loads(ok(db, "show", cid, "--format", "json"))["deadlines"] == deadlines
    # an event records the old value
    conn = sqlite3.connect(db)
    data, old = conn.execute("SELECT data, old FROM events ORDER BY id DESC LIMIT 1"
                             ).fetchone()
    conn.close()
    assert "Asia/Shanghai" in (data or "") and "UTC" in (old or ""), (data, old)


def test_policy_timezone_unknown_zone_is_bad_input(tmp_path):
    db = new_ledger(tmp_path / "ledger.db")
    before = sha256(db)
    result = invoke(db, "policy", "timezone", "Mars/Base")
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Mars/Base" in result.stderr, result.stderr
    # the hint names this command, not init's --timezone; with the --db typed (pasted
    # without it, it changed the ledger COMPLAINTCTL_DB names)
    assert "Hint: type an IANA name, e.g. complaintctl --db " \
        f"{db} policy timezone Asia/Shanghai\n" in result.stderr, result.stderr
    assert sha256(db) == before
    assert json.loads(ok(db, "policy", "show", "--format", "json"))["timezone"] == \
        "Asia/Shanghai"


# --- a ledger that another process opens while this one looks at it -----------------

@pytest.mark.parametrize("still_open", [False, True], ids=["closed-again", "still-open"])
@pytest.mark.parametrize("name", ["list", "log"])
def test_a_ledger_written_while_it_is_checked_still_opens(tmp_path, monkeypatch, name,
                                                          still_open):
    """An idle WAL ledger is checked through an immutable read before it is opened. If
    another complaintctl opens it and checkpoints into the file during that read, the
    read may see half a page and report it malformed (seen once under load in a race
    of eight assigns). If the other one has closed it again, the check is taken again;
    if it still has it open (its -shm is there), the ordinary connection identifies
    the ledger instead. Either way the command succeeds."""
    from complaintctl import store

    db = new_ledger(tmp_path / "data" / "ledger.db")
    real = store._identify
    probes: list[str] = []

    def torn_once(conn, path, *, close=False):
        if close and not probes:  # the immutable check; the file changes meanwhile
            probes.append("torn")
            st = os.stat(path)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
            if still_open:  # what the other complaintctl leaves beside it while open
                other = sqlite3.connect(path)
                other.execute("PRAGMA user_version").fetchone()
                held.append(other)
            conn.close()
            raise store.translate(sqlite3.DatabaseError("database disk image is malformed"),
                                  path)
        if close:
            probes.append("again")
        return real(conn, path, close=close)

    held: list[sqlite3.Connection] = []
    monkeypatch.setattr(store, "_identify", torn_once)
    args = ("list",) if name == "list" else LOG_FULL
    try:
        result = invoke(db, *args)
    finally:
        for other in held:
            other.close()
    assert result.exit_code == 0, result.output
    assert probes == (["torn"] if still_open else ["torn", "again"])
    assert "malformed" not in result.stderr


def test_a_damaged_file_that_nobody_writes_is_still_refused(tmp_path, monkeypatch):
    """The check is taken again only when the file changed under it: a file that reads
    as malformed while nobody writes it is reported, once."""
    from complaintctl import store

    db = new_ledger(tmp_path / "data" / "ledger.db")
    calls: list[int] = []

    def malformed(conn, path, *, close=False):
        calls.append(1)
        conn.close()
        raise store.translate(sqlite3.DatabaseError("database disk image is malformed"), path)

    monkeypatch.setattr(store, "_identify", malformed)
    before = sha256(db)
    result = invoke(db, "list")
    assert result.exit_code == 1, result.output
    assert "Error:" in result.stderr and str(db) in result.stderr
    assert calls == [1]
    assert sha256(db) == before and side_files(db) == []


def test_a_write_killed_in_rollback_journal_mode_is_put_back_by_the_next_read(ledger):
    """A first import (or a demo) writes with a rollback journal; killed, it left the
    journal beside the ledger, and every read command then said "permission denied:
    cannot write" to the owner (cron's overdue, verify and backup failed) until a
    step happened to be run."""
    import subprocess
    import sys

    cid = ledger.log()
    script = ("import os, sqlite3, sys\n"
              "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "c.execute('PRAGMA journal_mode = DELETE')\n"
              "c.execute('PRAGMA cache_size = 1')\n"
              "c.execute('BEGIN IMMEDIATE')\n"
              "c.execute(\"UPDATE complaints SET customer = 'half-written'\")\n"
              "c.execute('CREATE TABLE filler (x)')\n"
              "c.executemany('INSERT INTO filler VALUES (?)', [(os.urandom(2000),)] * 500)\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(ledger.db)], check=True, timeout=60)
    journal = Path(f"{ledger.db}-journal")
    assert journal.exists() and journal.stat().st_size > 0
    assert ledger.json("show", cid)["customer"] == "华东电器有限公司"
    assert not journal.exists()
    assert ledger("verify").exit_code == 0
    ledger("log", "--customer", "Acme", "--description", "x", "--category", "quality",
           "--severity", "low", "--channel", "phone")


@pytest.mark.parametrize("args", [["--db", "", "overdue"], ["--db", "", "list"],
                                  ["--db", "", "init"], ["demo", "--db", ""],
                                  ["--db", "  ", "log", "--customer", "Z"]])
def test_an_empty_db_names_no_ledger(run, env, monkeypatch, tmp_path, args):
    """`--db "$QA_DB"` with QA_DB unset read (or wrote) $COMPLAINTCTL_DB's ledger or the
    default one: "Nothing is overdue" from another ledger, a complaint logged there."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    run("init")  # the ledger $COMPLAINTCTL_DB names
    before = sorted(tmp_path.rglob("*"))
    r = run(*args, code=2)
    assert "Error: --db is empty: it names no ledger" in r.stderr
    assert sorted(tmp_path.rglob("*")) == before
    monkeypatch.setenv("COMPLAINTCTL_DB", "")
    r = run("overdue", code=2)
    assert "Error: COMPLAINTCTL_DB is empty: it names no ledger" in r.stderr


@pytest.mark.parametrize("given", ["{db}/", "{db}/.", "./{db}/.", "new.db/"])
def test_a_path_that_ends_as_a_folders_is_refused(run, env, tmp_path, monkeypatch, given):
    """`--db r.db/` used r.db and wrote to it, and `--db x.db/ init` made the file x.db: a
    mistyped folder's path was taken for the file."""
    run("init")
    monkeypatch.chdir(env.parent)
    path = given.format(db=env.name)
    before = sorted(tmp_path.rglob("*")), env.read_bytes()
    for args in (("--db", path, "note", "CC-2026-0001", "--text", "x"),
                 ("--db", path, "overdue"), ("--db", path, "init")):
        r = run(*args, code=2)
        assert f"Error: --db '{path}' ends as a folder's path does, not a file's" \
            in r.stderr, r.stderr
        assert "Hint: give the ledger file's path, without the / at its end" in r.stderr
    monkeypatch.setenv("COMPLAINTCTL_DB", path)
    assert "Error: COMPLAINTCTL_DB '" in run("overdue", code=2).stderr
    assert (sorted(tmp_path.rglob("*")), env.read_bytes()) == before


def test_a_path_with_a_stray_space_is_quoted_and_a_folder_names_both_sources(run, env,
                                                                             monkeypatch):
    """"no ledger at r.db " (the space unseen) while r.db is there, and init made a
    ledger named "r.db ": refused; a folder in COMPLAINTCTL_DB was told to give --db a
    ledger's path."""
    run("init")
    before = sorted(env.parent.iterdir())
    for args in (("overdue",), ("init",), ("log", "--customer", "x")):
        r = run("--db", f"{env} ", *args, code=2)
        assert f"Error: --db '{env} ' begins or ends with a space\n" in r.stderr, r.stderr
    assert sorted(env.parent.iterdir()) == before  # (init made a ledger "ledger.db ")
    monkeypatch.setenv("COMPLAINTCTL_DB", str(env.parent))
    r = run("overdue", code=1)
    assert f"Error: {env.parent} is not a ledger file: it is a folder\n" in r.stderr
    assert "Hint: give the path of a ledger file (check --db / COMPLAINTCTL_DB)" in r.stderr


def test_a_reader_who_may_not_write_is_not_shown_a_ledger_without_its_last_steps(ledger,
                                                                                 monkeypatch):
    """A writer stopped without closing left its steps in the -wal, and the -shm went (a
    copy, a cleaner): a user who may only read was shown the ledger as it was before
    those steps, without a word (the file read as immutable ignores the -wal)."""
    import subprocess
    import sys

    from complaintctl import store

    cid = ledger.log()
    script = ("import os, sqlite3, sys\n"
              "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
              "c.execute(\"UPDATE complaints SET customer = 'WAL-ONLY'\")\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(ledger.db)], check=True, timeout=60)
    Path(f"{ledger.db}-shm").unlink()
    assert Path(f"{ledger.db}-wal").stat().st_size > 0
    real = os.access
    monkeypatch.setattr(store.os, "access", lambda p, mode, **kw: False if mode & os.W_OK
                        else real(p, mode, **kw))
    r = ledger("show", cid, code=1)
    assert "-wal holds steps a writer left without closing the ledger" in r.stderr, r.stderr
    monkeypatch.setattr(store.os, "access", real)
    assert ledger.json("show", cid)["customer"] == "WAL-ONLY"


def test_a_first_import_waits_for_another_writer_as_a_step_does(ledger, tmp_path):
    """Switching an empty ledger to a rollback journal for the bulk write left the
    connection's lock wait at 0: a first import while another program held the write
    lock gave up at once ("the ledger is busy"), where every step waits up to 30 s."""
    import subprocess
    import sys

    register = tmp_path / "r.csv"
    register.write_text("编号,投诉日期,客户,渠道,类别,严重程度,内容\n"
                        "R-1,2026-10-01,甲,电话,质量,中级,异响\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('key = "编号"\n[columns]\nreceived = "投诉日期"\ncustomer = "客户"\n'
                       'channel = "渠道"\ncategory = "类别"\nseverity = "严重程度"\n'
                       'description = "内容"\n', encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\nprint('held', flush=True)\nsys.stdin.read()\n",
         str(ledger.db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        env = {**os.environ, "COMPLAINTCTL_DB": str(ledger.db)}
        importing = subprocess.Popen([sys.executable, "-m", "complaintctl", "import",
                                      str(register), "--mapping", str(mapping)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):  # waiting, not refused
            importing.wait(timeout=2)
    finally:
        holder.communicate("", timeout=30)
    out, err = importing.communicate(timeout=60)
    assert importing.returncode == 0, err
    assert "Import batch 1: 1 new complaint" in err
    assert ledger.rows("SELECT source_key FROM complaints") == [("R-1",)]


@pytest.mark.parametrize(("tz", "stored"), [("PRC", "PRC"), ("Japan", "Japan"),
                                             (":/usr/share/zoneinfo/Asia/Tokyo", "Asia/Tokyo")])
def test_init_takes_the_machines_zone_from_any_tz_that_names_one(tmp_path, monkeypatch, tz,
                                                                  stored):
    """TZ=PRC (common on Chinese servers) was dropped for /etc/localtime's zone (UTC
    here) without a word: every deadline and report day 8 hours off."""
    monkeypatch.setenv("TZ", tz)
    db = tmp_path / "ledger.db"
    ok(db, "init")
    assert json.loads(ok(db, "policy", "show", "--format", "json"))["timezone"] == stored


@pytest.mark.parametrize(("args", "env", "message"), [
    ((), "CST-8", "this machine's time zone TZ=CST-8 is not a zone name complaintctl can read"),
    # a folder of zones (exit 1: "it is a folder: …/tzdata/zoneinfo/Asia")
    ((), "Asia", "this machine's time zone TZ=Asia is not a zone name complaintctl can read"),
    (("--timezone", "Asia"), None, "unknown time zone 'Asia'"),
    (("--timezone", "Etc"), None, "unknown time zone 'Etc'"),
    (("--timezone", ""), None, "unknown time zone ''"),
    (("--country", ""), None, "unknown country calendar ''"),
    (("--country", " "), None, "unknown country calendar ''")])
def test_init_refuses_a_zone_or_country_it_cannot_read_and_makes_no_file(tmp_path, monkeypatch,
                                                                        args, env, message):
    """A POSIX TZ rule names no zone; `--timezone "$ZONE"` with the variable unset made a
    UTC ledger, `--country ""` a CN one, each without a word."""
    if env is not None:
        monkeypatch.setenv("TZ", env)
    db = tmp_path / "ledger.db"
    result = invoke(db, "init", *args)
    assert result.exit_code == 2, result.output
    assert f"Error: {message}" in result.stderr
    assert not db.exists()


def test_init_takes_the_departments_own_id_prefixes(run):
    """The SPEC makes the prefix configurable; no command could set it (a department
    numbering its complaints KS-2026-… edited the settings by hand, and verify then
    failed for good). `init` takes both; refused ones make no file."""
    for args, message in [
            (("--id-prefix", "客诉"), "--id-prefix '客诉': a prefix is 1 to 8 letters (A to "
             "Z)\nHint: e.g. --id-prefix KS"),
            (("--id-prefix", ""), "--id-prefix '': a prefix is 1 to 8 letters"),
            # (an id is read without its dashes too: K2 2026 0001 was no id)
            (("--id-prefix", "K2"), "--id-prefix 'K2': a prefix is 1 to 8 letters"),
            (("--id-prefix", "ß"), "--id-prefix 'ß': a prefix is 1 to 8 letters"),  # (not SS)
            (("--return-prefix", "R-M-A"), "--return-prefix 'R-M-A': a prefix is"),
            (("--id-prefix", "rma"), "complaints and returns cannot share the prefix RMA: "
             "an id's prefix says which it is")]:
        r = run("init", *args, code=2)
        assert r.stderr.startswith(f"Error: {message}"), r.stderr
        assert not run.db.exists()
    run("init", "--id-prefix", "ks", "--return-prefix", "ＴＨ", "--timezone", "Asia/Shanghai")
    cid = run.log()
    assert cid.startswith("KS-") and cid.endswith("-0001"), cid
    rid = run("return", "open", cid, "--qty", "2").stdout.strip()
    assert rid.startswith("TH-") and rid.endswith("-0001"), rid
    assert run.json("show", cid.lower().replace("-0001", "-1"))["id"] == cid
    assert run.json("show", cid.replace("-", " "))["id"] == cid  # KS 2026 0001
    assert run.json("show", rid)["id"] == rid
    r = run("amend", rid, "--region", "华东", "--reason", "x", code=1)
    assert f"{rid} is a return" in r.stderr, r.stderr
    assert run("verify").stdout.startswith("OK")


def test_a_fixed_offset_zone_by_name_is_warned_of(run):
    """`policy timezone EST` was taken without a word: EST is UTC−05:00 all year, and a
    US office's deadlines and report days were an hour off for eight months of it. Taken,
    with a warning naming a place's zone; a place's zone, UTC or an Etc/ offset (China's
    clock all year) is taken without one."""
    r = run("init", "--timezone", "EST", "--country", "US")
    assert ("Warning: EST keeps UTC\u221205:00 all year, without daylight saving time: "
            "where the clocks change, give the place's zone, e.g. America/New_York, "
            "America/Denver") in r.stderr, r.stderr
    for zone, offset in (("MST", "\u221207:00"), ("Etc/GMT+5", "\u221205:00"),
                         ("Etc/GMT-1", "+01:00")):
        r = run("policy", "timezone", zone)
        assert f"Warning: {zone} keeps UTC{offset} all year" in r.stderr, r.stderr
    # (China's clock by its offset, UTC by another name: a fixed offset as meant)
    for zone in ("America/New_York", "UTC", "Etc/GMT-8", "Etc/GMT+0", "PRC"):
        r = run("policy", "timezone", zone)
        assert "Warning" not in r.stderr, r.stderr
    assert run("policy", "timezone").stdout == "PRC\n"


def test_a_missing_ledger_by_a_relative_path_names_the_folder_and_the_path_first(
        tmp_path, monkeypatch):
    """`COMPLAINTCTL_DB=t5/d.db` in a cron job run from / said "no ledger at t5/d.db" and
    offered init first: the folder it looked in unsaid, and init of a mistyped path is an
    empty ledger whose overdue then says "Nothing is overdue"."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCTL_DB", "t5/d.db")
    result = invoke(None, "overdue")
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"Error: no ledger at t5/d.db (looked for in {tmp_path})\nHint: "
                             "check --db "
                             "and COMPLAINTCTL_DB for a mistyped path; a new ledger is made "
                             "with: complaintctl init\n"), result.stderr
    assert not (tmp_path / "t5").exists()
    # in a folder that was removed (os.getcwd fails): said without it, not "cannot write"
    from complaintctl import store

    def gone() -> str:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(store.os, "getcwd", gone)
    result = invoke(None, "overdue")
    assert result.stderr.startswith("Error: no ledger at t5/d.db\nHint: check --db"), \
        result.stderr


def test_a_zone_typed_in_another_case_is_offered_as_it_is_spelt(run):
    """`init --timezone asia/shanghai` was "unknown time zone", offering Asia/Shanghai only
    as an example; a zone typed in another letter case (or with a space for its _) is
    offered as it is spelt, as is one named by its city alone or one letter off. Still
    refused: a zone's name is the file's."""
    for typed, zone in (("asia/shanghai", "Asia/Shanghai"),
                        ("america/new york", "America/New_York"),
                        ("Ａｓｉａ/Ｓｈａｎｇｈａｉ", "Asia/Shanghai"),
                        # a city alone, a letter off: an office abroad was offered
                        # Asia/Shanghai for Berlin
                        ("Berlin", "Europe/Berlin"), ("New York", "America/New_York"),
                        ("Europe/Berln", "Europe/Berlin")):
        r = run("init", "--timezone", typed, code=2)
        assert r.stderr.endswith(f"Hint: did you mean --timezone {zone}?\n"), r.stderr
        assert not run.db.exists()
    run("init", "--timezone", "Asia/Shanghai")
    r = run("policy", "timezone", "europe/berlin", code=2)
    assert "did you mean complaintctl policy timezone Europe/Berlin?" in r.stderr, r.stderr
