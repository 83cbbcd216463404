"""schema.sql is the schema of a fresh ledger; older ledgers upgrade forward
with their data intact; the file is private; the built wheel works."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlite_utils
from support import oldest_ledger, tallies_and_recount

from complaintctl import migrations

ROOT = Path(__file__).resolve().parents[1]


def shape(conn: sqlite3.Connection) -> dict:
    """Tables with their columns, foreign keys, indexes and triggers, as sqlite-utils
    introspects them: what the schema promises, whatever the CREATE text looks like."""
    db = sqlite_utils.Database(conn)
    out: dict = {}
    for table in db.tables:
        out[table.name] = (
            [(c.name, c.type, c.notnull, c.default_value, c.is_pk) for c in table.columns],
            sorted((fk.column, fk.other_table, fk.other_column) for fk in table.foreign_keys),
            sorted((i.name, tuple(i.columns), i.unique, i.partial) for i in table.indexes
                   if not i.name.startswith("sqlite_autoindex")))
    out["triggers"] = sorted((t.name, t.table) for t in db.triggers)
    return out


def schema_sql_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript((ROOT / "schema.sql").read_text(encoding="utf-8"))
    return conn


def test_fresh_ledger_has_exactly_schema_sql(ledger, env):
    conn = sqlite3.connect(env)
    assert shape(conn) == shape(schema_sql_db())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # the packaged copy is schema.sql itself
    assert migrations.current_schema() == (ROOT / "schema.sql").read_text(encoding="utf-8")


def test_what_a_bulk_write_names_exists():
    """The bulk writer keeps the indexes it reads and sets the tally triggers aside,
    by name: they are in the schema."""
    from complaintctl.bulk import REPEAT_INDEX, TALLY_TRIGGERS

    names = {n for (n,) in schema_sql_db().execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' OR type = 'trigger'")}
    assert {REPEAT_INDEX, *TALLY_TRIGGERS} <= names


def test_migrations_are_numbered_without_gaps():
    numbers = [n for n, _name, _sql in migrations.steps()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert migrations.LATEST == numbers[-1]


def test_oldest_ledger_upgrades_with_data_intact(run, env):
    env.parent.mkdir(parents=True)
    oldest_ledger(env)
    before = env.read_bytes()
    refused = run("show", "CC-2026-0001", code=1)  # no command upgrades it by the way
    assert "needs an upgrade" in refused.stderr and f"complaintctl --db {env} upgrade" in \
        refused.stderr
    assert env.read_bytes() == before
    done = run("upgrade")
    assert f"from schema version 1 to {migrations.LATEST}" in done.stderr
    assert "up to date" in run("upgrade").stderr
    rec = run.json("show", "CC-2026-0001")
    assert rec["customer"] == "华东电器" and rec["description"] == "电机异响 [批次]"
    assert {k: v for k, v in rec["deadlines"].items() if v} == {
        "assign": "2026-10-08T02:00:00Z"}
    conn = sqlite3.connect(env)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
    assert shape(conn) == shape(schema_sql_db())
    # a receipt may be a correction, less than none (migration 21; shape has no CHECKs)
    (receipts,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = "
                               "'return_receipts'").fetchone()
    assert "CHECK (qty != 0)" in receipts and "qty > 0" not in receipts, receipts
    # and it keeps working: the next id continues the sequence
    new = run("log", "--customer", "B", "--description", "x", "--category", "quality",
              "--severity", "low", "--channel", "phone").stdout.strip()
    assert new == "CC-2026-0002"


def test_an_upgrade_that_waited_for_another_says_the_ledger_is_up_to_date(run, env,
                                                                        monkeypatch):
    """Two `upgrade` at once: the one that waited for the other's transaction said
    "Upgraded from schema version 1 to 16" too (the version it reported was read
    before it waited), though the other did the work."""
    from complaintctl import store

    env.parent.mkdir(parents=True)
    oldest_ledger(env)
    run("upgrade")
    identify = store._identify
    monkeypatch.setattr(store, "_identify", lambda conn, path, **kw: (
        identify(conn, path, **kw), 1)[1])  # read as version 1 before the wait
    done = run("upgrade")
    assert "up to date" in done.stderr and "Upgraded" not in done.stderr, done.stderr


@pytest.mark.parametrize("when", ["after", "during"])
def test_an_upgrade_interrupted_after_its_commit_says_it_is_written(run, env, monkeypatch,
                                                                   when):
    """SIGTERM a moment after the upgrade committed said "Interrupted; nothing was
    written." (exit 130) of a ledger then at the new schema: an administrator told so
    would restore the backup or upgrade again for nothing."""
    from complaintctl import store

    env.parent.mkdir(parents=True)
    oldest_ledger(env)
    if when == "after":  # (the pragmas are set once the transaction is over)
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        monkeypatch.setattr(store, "_pragmas", interrupted)
    else:  # Ctrl-C while SQLite commits: raised as the COMMIT returns
        connect = store._connect

        class Cursor(sqlite3.Cursor):
            def execute(self, sql, *args):
                done = super().execute(sql, *args)
                if sql == "COMMIT":
                    raise KeyboardInterrupt
                return done

        monkeypatch.setattr(store, "_connect", lambda path, **kw: _wrapped(
            connect(path, **kw), Cursor))
    r = run("upgrade", code=130)
    assert f"Interrupted after the upgrade was written: {env} is at schema version " \
        f"{migrations.LATEST}." in r.stderr, r.stderr
    assert "nothing was written" not in r.stderr
    conn = sqlite3.connect(env)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST


def _wrapped(conn, cursor_class):
    """`conn` whose cursor() gives `cursor_class` cursors."""
    class Proxy:
        def __init__(self, inner):
            self._inner = inner

        def cursor(self, factory=cursor_class):
            return self._inner.cursor(factory)

        def __getattr__(self, name):
            return getattr(self._inner, name)

    return Proxy(conn)


def _oldest_ledger_with(path: Path, rows_sql: str) -> sqlite3.Connection:
    """The oldest ledger with more rows added by `rows_sql`; a connection to it."""
    path.parent.mkdir(parents=True)
    oldest_ledger(path)
    conn = sqlite3.connect(path)
    conn.executescript(rows_sql)
    conn.commit()
    return conn


def test_upgrade_keeps_the_last_contact_on_the_complaint(run, env):
    """Migration 16 fills complaints.last_contact_at (the latest of the receipt and the
    revisits); its triggers keep it from then on."""
    conn = _oldest_ledger_with(env, """
        INSERT INTO revisits (complaint_id, at, actor, satisfaction) VALUES
          ('CC-2026-0001', '2026-10-09T05:00:00Z', '王芳', 'unsatisfied'),
          ('CC-2026-0001', '2026-10-10T05:00:00Z', '王芳', 'satisfied');
    """)
    (received,), = conn.execute("SELECT received_at FROM complaints").fetchall()
    assert received < "2026-10-10T05:00:00Z"
    run("upgrade")
    assert conn.execute("SELECT id, last_contact_at FROM complaints").fetchall() == [
        ("CC-2026-0001", "2026-10-10T05:00:00Z")]
    new = run("log", "--customer", "B", "--description", "x", "--category", "quality",
              "--severity", "low", "--channel", "phone", "--received", "2026-10-20 09:00"
              ).stdout.strip()
    assert run.json("show", new)["last_contact_at"] == "2026-10-20T01:00:00Z"


def test_upgrade_gives_every_complaint_its_repeat_key(run, env):
    """Migration 20 fills complaints.repeat_key (letter case and spaces aside) for every
    complaint: a complaint logged after the upgrade as xd 200 of 华东 电器 repeats the
    XD-200 of 华东电器 held before; the link the ledger had stays as it was."""
    conn = _oldest_ledger_with(env, "")
    (held,), = conn.execute("SELECT id FROM complaints").fetchall()
    run("upgrade")
    assert conn.execute("SELECT repeat_key FROM complaints").fetchall() == [
        ("华东电器\x1fxd200",)]
    new = run("log", "--customer", "华东 电器", "--product", "xd 200", "--description", "x",
              "--category", "quality", "--severity", "low", "--channel", "phone",
              "--received", "2026-10-20 09:00").stdout.strip()
    assert run.json("show", new)["repeat_of"] == held
    assert conn.execute("SELECT repeat_of FROM complaints WHERE id = ?", (held,)
                        ).fetchall() == [(None,)]


def test_upgrade_records_when_the_round_before_was_resolved(run, env):
    """Migration 6 fills resolutions.previous_at for the rounds after a reopen."""
    conn = _oldest_ledger_with(env, """
        INSERT INTO resolutions (complaint_id, round, at, actor, disposition, summary) VALUES
          ('CC-2026-0001', 1, '2026-10-09T02:00:00Z', '王芳', 'explanation', 'first'),
          ('CC-2026-0001', 2, '2026-10-20T03:00:00Z', '王芳', 'repair', 'second'),
          ('CC-2026-0001', 3, '2026-10-28T04:00:00Z', '王芳', 'refund', 'third');
    """)
    run("upgrade")
    assert conn.execute("SELECT round, previous_at FROM resolutions ORDER BY round").fetchall() \
        == [(1, None), (2, "2026-10-09T02:00:00Z"), (3, "2026-10-20T03:00:00Z")]


def test_upgrade_counts_the_day_tallies_of_existing_rows(run, env):
    """Migration 8 tallies what the ledger already holds; steps after it add to that."""
    conn = _oldest_ledger_with(env, """
        INSERT INTO resolutions (complaint_id, round, at, actor, disposition, summary) VALUES
          ('CC-2026-0001', 1, '2026-10-09T02:00:00Z', '王芳', 'explanation', 'first'),
          ('CC-2026-0001', 2, '2026-10-09T23:00:00Z', '王芳', 'repair', 'second');
        INSERT INTO revisits (complaint_id, at, actor, satisfaction) VALUES
          ('CC-2026-0001', '2026-10-09T05:00:00Z', '王芳', 'unsatisfied'),
          ('CC-2026-0001', '2026-10-10T05:00:00Z', '王芳', 'satisfied');
        INSERT INTO events (complaint_id, at, recorded_at, actor, kind, data, old) VALUES
          ('CC-2026-0001', '2026-10-09T05:00:00Z', '2026-10-09T05:00:00Z', '王芳', 'revisit',
           '{}', '{"status": "resolved"}'),
          ('CC-2026-0001', '2026-10-10T05:00:00Z', '2026-10-10T05:00:00Z', '王芳', 'revisit',
           '{}', '{"status": "resolved"}');
    """)
    run("upgrade")
    kept, recount = tallies_and_recount(conn)
    assert kept == recount == {("received", "2026-09-30"): 1,
                               ("resolutions", "2026-10-09"): 2,
                               ("closing_revisits", "2026-10-10"): 1}
    run("log", "--customer", "B", "--description", "x", "--category", "quality",
        "--severity", "low", "--channel", "phone", "--received", "2026-09-30 12:00")
    assert tallies_and_recount(conn)[0][("received", "2026-09-30")] == 2


def test_newer_ledger_is_refused(run, env):
    run("init")
    conn = sqlite3.connect(env)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    r = run("list", code=1)
    assert "was written by a newer complaintctl (schema version 999" in r.stderr


def test_not_a_ledger_is_refused(run, env):
    env.parent.mkdir(parents=True)
    env.write_bytes(b"this is not sqlite" * 100)
    r = run("list", code=1)
    assert r.stderr.startswith("Error: ") and "not a complaintctl ledger" in r.stderr


def test_events_and_complaints_cannot_be_deleted(ledger, env):
    ledger.log()
    conn = sqlite3.connect(env)
    for sql in ("DELETE FROM events", "UPDATE events SET actor = 'x'",
                "DELETE FROM complaints"):
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute(sql)
    conn.rollback()


def test_check_constraints_guard_enumerated_columns(ledger, env):
    ledger.log()
    conn = sqlite3.connect(env)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE complaints SET status = 'lost'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE complaints SET severity = 'urgent'")


@pytest.mark.parametrize("road", ["fresh", "upgraded"])
def test_enumerated_checks_are_comparisons_and_still_refuse(run, env, road):
    """CHECK (x IN (...)) builds a throwaway table for every row it checks; migration 7
    rewrites them as comparisons. Both roads end with no IN list and the same refusals,
    on the very connection that upgraded the ledger too."""
    from datetime import datetime, timezone

    from complaintctl import complaints
    from complaintctl.store import Ledger

    env.parent.mkdir(parents=True)
    now = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    if road == "upgraded":
        oldest_ledger(env)
        Ledger.upgrade(env, lambda number, name: None)
        ledger = Ledger.open(env, write=True)
    else:
        ledger = Ledger.create(env, init={}, now=now)
    out = complaints.log(ledger, {"customer": "A", "channel": "phone", "category": "quality",
                      "severity": "low", "description": "x"}, received_at=now, now=now,
                     actor="t")
    conn = ledger.conn
    tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    assert len(tables) > 10 and [n for n, sql in tables if " IN (" in sql] == []
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for sql in ("UPDATE complaints SET status = 'lost'", "UPDATE complaints SET channel = 'fax2'",
                "UPDATE complaints SET demand = 'cake'", "UPDATE stages SET stage = 'nap'",
                "UPDATE stages SET done_at = 'x', outcome = 'maybe'",
                "INSERT INTO calendar_days (day, source, kind) VALUES ('2026-01-01', 'user', 'x')"):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(sql)
    conn.execute("UPDATE complaints SET demand = 'refund' WHERE id = ?", (out.id,))
    conn.execute("UPDATE complaints SET demand = NULL WHERE id = ?", (out.id,))
    assert conn.execute("SELECT count(*) FROM complaints").fetchone()[0] == \
        (2 if road == "upgraded" else 1)
    ledger.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_ledger_directory_and_files_are_private(ledger, env):
    ledger.log()
    assert stat.S_IMODE(env.parent.stat().st_mode) == 0o700
    for path in env.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_every_folder_made_for_a_new_ledger_is_private(run, tmp_path):
    """`--db a/b/ledger.db` under umask 0: only the last folder was made 0700, the one
    above 0777 (another user could rename b and put their own folder there)."""
    old = os.umask(0)
    try:
        run("--db", str(tmp_path / "a" / "b" / "new.db"), "init")
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(tmp_path.stat().st_mode) != 0o777  # one that was there: as it was


def test_a_ledger_another_init_made_a_moment_ago_is_refused_with_a_hint(run, env,
                                                                       monkeypatch):
    """init and demo racing on a new path: the loser's refusal had no Hint line."""
    from complaintctl import store

    def beaten(src, dst):
        raise FileExistsError(dst)

    monkeypatch.setattr(store.os, "link", beaten)
    r = run("init", code=1)
    assert r.stderr == (f"Error: {env} is already a ledger (made a moment ago)\n"
                        "Hint: change its settings with: complaintctl policy\n")


def test_a_ledger_folder_another_process_made_a_moment_ago_is_used(run, env, monkeypatch):
    """Two first commands at once both find no folder; the one that creates it second
    must go on with the folder the other made (test_parallel_writers met this)."""
    real_mkdir = Path.mkdir

    def beaten_to_it(self, *args, **kwargs):
        real_mkdir(self, *args, **kwargs)  # the other process
        real_mkdir(self, *args, **kwargs)  # this one: FileExistsError

    monkeypatch.setattr(Path, "mkdir", beaten_to_it)
    run("init")
    cid = run.log()
    monkeypatch.undo()
    assert cid == "CC-2026-0001" and run.rows("SELECT id FROM complaints") == [(cid,)]
    assert stat.S_IMODE(env.parent.stat().st_mode) == 0o700


@pytest.mark.slow
def test_built_wheel_installs_and_runs(tmp_path):
    """The wheel, not the checkout: schema.sql and migrations must be inside it."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(dist), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("complaintctl-*.whl"))
    with zipfile.ZipFile(wheel) as whl:  # the compiled catalogue, not its source
        names = set(whl.namelist())
    assert "complaintctl/locale/zh/LC_MESSAGES/complaintctl.mo" in names
    assert not any(n.endswith(".po") for n in names)
    target = tmp_path / "site"
    # pip on the real clock: under libfaketime (the suite is run years ahead) pip itself
    # failed now and then ("OverflowError: timestamp too large to convert to C
    # _PyTime_t"); what it installs does not depend on the date
    real_clock = {k: v for k, v in os.environ.items()
                  if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                    "--quiet", "--target", str(target), str(wheel)], check=True,
                   capture_output=True, timeout=300, env=real_clock)
    env = {**os.environ, "PYTHONPATH": str(target),
           "COMPLAINTCTL_DB": str(tmp_path / "w" / "ledger.db")}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "complaintctl", *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=120)

    where = subprocess.run([sys.executable, "-c",
                            "import complaintctl; print(complaintctl.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert where.stdout.startswith(str(target))  # the wheel's copy, not the checkout
    assert (target / "complaintctl" / "schema.sql").is_file()
    assert cli("init", "--timezone", "Asia/Shanghai").returncode == 0
    log = cli("log", "--customer", "华东", "--description", "异响", "--category", "quality",
              "--severity", "low", "--channel", "phone", "--received", "2025-11-03 09:00")
    assert log.returncode == 0, log.stderr
    assert re.fullmatch(r"CC-\d{4}-0001", log.stdout.strip())  # the real clock's year
    shown = cli("show", log.stdout.strip(), "--format", "json")
    assert '"customer": "华东"' in shown.stdout
    zh = cli("--lang", "zh", "assign", log.stdout.strip())
    assert zh.returncode == 2 and "错误：缺少选项“--dept”。" in zh.stderr
    assert cli("--lang", "zh", "--help").stdout.startswith("用法：")


def test_upgrade_computes_the_rollups_of_existing_rows(run, env):
    """Migration 14 rolls up what the ledger already holds (day_rollups and
    handling_times equal a recount); steps after it add to that."""
    from complaintctl import rollups

    conn = _oldest_ledger_with(env, """
        INSERT INTO resolutions (complaint_id, round, at, actor, disposition, summary) VALUES
          ('CC-2026-0001', 1, '2026-10-09T02:00:00Z', '王芳', 'explanation', 'first'),
          ('CC-2026-0001', 2, '2026-10-09T23:00:00Z', '王芳', 'repair', 'second');
    """)
    run("upgrade")
    assert rollups.problems(conn) == []
    assert conn.execute("SELECT round, next_at FROM handling_times ORDER BY round").fetchall() \
        == [(1, "2026-10-09T23:00:00Z"), (2, None)]
    assert conn.execute("SELECT n FROM day_rollups WHERE measure = 'category' AND day = "
                        "'2026-09-30'").fetchall() == [(1,)]
    run("log", "--customer", "B", "--description", "x", "--category", "quality",
        "--severity", "low", "--channel", "phone", "--received", "2026-09-30 12:00")
    assert rollups.problems(conn) == []


def test_an_interrupt_while_the_repeat_keys_are_worked_out_is_said_as_one(tmp_path, monkeypatch):
    """Ctrl-C (or SIGTERM) while step 20 of an upgrade worked out the repeat keys (a Python
    function SQLite calls for each complaint) was said "cannot use ledger (user-defined
    function raised exception)", exit 1, with a hint about the disk: it is an
    interruption (exit 130), the step rolled back."""
    import importlib
    import signal

    from complaintctl import parse

    step = importlib.import_module("complaintctl.migrations.0020_repeat_key")
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("CREATE TABLE complaints (customer TEXT, product TEXT, received_at TEXT)")
    conn.executemany("INSERT INTO complaints VALUES (?, ?, '2026-01-01T00:00:00Z')",
                     [(f"客户{n}", "XD-200") for n in range(50)])
    calls: list[int] = []

    def key(customer, product):
        if not calls:  # as the signal comes while SQLite calls it
            os.kill(os.getpid(), signal.SIGINT)
        calls.append(1)
        return f"{customer}|{product}"

    monkeypatch.setattr(parse, "repeat_key", key)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        step.upgrade(conn.cursor())
    assert signal.getsignal(signal.SIGINT) is before  # (its own handler taken back)
    assert len(calls) < 50  # (stopped, not run to its end)
    conn.close()
