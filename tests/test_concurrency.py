"""Several processes working on one ledger at once: every write lands, nobody sees
a lock error or a traceback, the file stays sound, and N identical steps on one
record taken at the same moment leave exactly one step in the ledger.

The races are real processes forked after the imports and released together by
a barrier; each runs the real command through Typer's CliRunner. Every trial
gets a fresh copy of a ledger prepared once for the module. Dates are explicit
and no later than 2025-12-31; ids take the real clock's year, so they are
matched by pattern."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complaintctl.cli import app

CC = re.compile(r"CC-\d{4}-\d{4}")
RMA = re.compile(r"RMA-\d{4}-\d{4}")

N = 8  # processes in each race
TRIALS = 6  # a race that shows in one trial of three is missed by six with p < 0.1
CTX = multiprocessing.get_context("fork")

WORKER = textwrap.dedent("""
    import sys
    from typer.testing import CliRunner
    from complaintctl.cli import app

    worker, count, first = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    runner = CliRunner()

    def run(*args, allowed=(0,)):
        result = runner.invoke(app, ["--as", f"clerk{worker}", *args])
        if result.exit_code not in allowed:
            sys.stderr.write(f"FAILED {args}: {result.output}\\n")
            sys.exit(1)
        return result

    if first == "init":  # every worker tries to make the ledger; one does
        result = run("init", "--timezone", "Asia/Shanghai", allowed=(0, 1))
        if result.exit_code == 1 and "already a ledger" not in result.stderr:
            sys.stderr.write(f"FAILED init: {result.output}\\n")
            sys.exit(1)
    for i in range(count):
        cid = run("log", "--customer", f"客户{worker}-{i}", "--description", "并发",
                  "--category", "quality", "--severity", "high", "--channel", "phone",
                  "--product", "XD", "--received", "2025-11-03 09:00").stdout.strip()
        run("assign", cid, "--dept", "QA", "--owner", f"owner{worker}", "--at",
            "2025-11-03 10:00")
        run("investigate", cid, "--cause", "torque", "--at", "2025-11-03 11:00")
""")


@pytest.mark.slow
@pytest.mark.parametrize("created_first", [True, False])
def test_parallel_writers(run, env, created_first):
    """With the ledger made beforehand, or by whichever worker's `init` comes first
    (only `init` and `demo` create a ledger)."""
    if created_first:
        run("init", "--timezone", "Asia/Shanghai")
    workers, count = 4, 12
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(w), str(count),
                               "-" if created_first else "init"],
                              env={**os.environ, "COMPLAINTCTL_DB": str(env)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(workers)]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    conn = sqlite3.connect(env)
    total = workers * count
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM complaints").fetchone() == (
        total, total)
    assert conn.execute("SELECT count(*) FROM complaints WHERE status = 'investigating'"
                        ).fetchone()[0] == total
    assert conn.execute("SELECT count(*) FROM events WHERE complaint_id IS NOT NULL"
                        ).fetchone()[0] == total * 3
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'init'").fetchone()[0] == 1
    # ids are a gapless sequence even under contention
    seqs = sorted(r[0] for r in conn.execute("SELECT seq FROM complaints"))
    assert seqs == list(range(1, total + 1))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


# --- the races ------------------------------------------------------------------


def _racer(barrier, queue, index: int, argv: list[str]) -> None:
    """One racing process: wait for the others, run the command, report back."""
    runner = CliRunner()
    try:
        barrier.wait(timeout=60)
        result = runner.invoke(app, argv)
        err = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            err += "".join(traceback.format_exception(result.exception))
        queue.put((index, result.exit_code, result.stdout, err))
    except BaseException as exc:  # noqa: BLE001 - reported to the test, never lost
        queue.put((index, -1, "", "Traceback (racer)\n" + "".join(
            traceback.format_exception(exc))))


def race(argvs: list[list[str]]) -> list[tuple[int, str, str]]:
    """Run the commands in as many processes released together; (code, out, err) each."""
    barrier = CTX.Barrier(len(argvs))
    queue = CTX.Queue()
    procs = [CTX.Process(target=_racer, args=(barrier, queue, i, argv))
             for i, argv in enumerate(argvs)]
    for p in procs:
        p.start()
    results: dict[int, tuple[int, str, str]] = {}
    try:
        for _ in procs:
            index, code, out, err = queue.get(timeout=120)
            results[index] = (code, out, err)
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
                p.join()
    return [results[i] for i in range(len(argvs))]


def _ok(runner: CliRunner, db: Path, *args: str) -> str:
    result = runner.invoke(app, ["--db", str(db), "--as", "builder", *args])
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _complaint(runner: CliRunner, db: Path, upto: str) -> str:
    """A complaint taken along the happy path to `upto`; its id."""
    out = _ok(runner, db, "log", "--customer", "华东电器", "--description", "电机异响",
              "--category", "quality", "--severity", "medium", "--channel", "phone",
              "--product", "XD-200", "--received", "2025-11-03 09:00")
    cid = CC.search(out).group(0)
    steps = [
        ("assigned", ("assign", cid, "--dept", "质量部", "--owner", "王芳",
                      "--at", "2025-11-03 10:00")),
        ("investigating", ("investigate", cid, "--cause", "扭矩不足", "--cause-category",
                           "manufacturing", "--at", "2025-11-04 09:00")),
        ("resolved", ("resolve", cid, "--disposition", "exchange", "--summary", "换新",
                      "--at", "2025-11-05 09:00")),
    ]
    for state, args in steps:
        if upto == "logged":
            break
        _ok(runner, db, *args)
        if state == upto:
            break
    return cid


@pytest.fixture(scope="module")
def template():
    """One ledger holding a record ready for each race, and the ids to race on."""
    folder = Path(tempfile.mkdtemp(prefix="cc-race-"))
    db = folder / "ledger.db"
    runner = CliRunner()
    _ok(runner, db, "init", "--timezone", "Asia/Shanghai")
    ids: dict[str, str] = {
        "resolve": _complaint(runner, db, "investigating"),
        "revisit": _complaint(runner, db, "resolved"),
        "revisit-closing": _complaint(runner, db, "resolved"),
        "close": _complaint(runner, db, "resolved"),
        "void": _complaint(runner, db, "logged"),
        "assign": _complaint(runner, db, "logged"),
    }
    capa = _complaint(runner, db, "investigating")
    ids["action-done"] = _ok(runner, db, "action", "add", capa, "--text", "加严扭矩检验",
                             "--owner", "李强", "--due", "2025-11-20 17:00",
                             "--at", "2025-11-04 10:00").strip()
    assert ids["action-done"].isdigit(), ids["action-done"]
    ids["action-done-complaint"] = capa
    # a return whose every received unit has a disposition: ready to close
    rc = _complaint(runner, db, "investigating")
    rma = RMA.search(_ok(runner, db, "return", "open", rc, "--qty", "2",
                         "--at", "2025-11-04 10:00")).group(0)
    _ok(runner, db, "return", "receive", rma, "--qty", "2", "--at", "2025-11-05 09:00")
    _ok(runner, db, "return", "inspect", rma, "--result", "defect-confirmed",
        "--defective", "2", "--at", "2025-11-05 10:00")
    _ok(runner, db, "return", "dispose", rma, "--action", "scrap", "--qty", "2",
        "--at", "2025-11-05 11:00")
    ids["return-close"] = rma
    # a return authorised for N units, nothing received yet
    rr = _complaint(runner, db, "investigating")
    ids["return-receive"] = RMA.search(_ok(runner, db, "return", "open", rr, "--qty", str(N),
                                           "--at", "2025-11-04 10:00")).group(0)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    yield db, ids
    shutil.rmtree(folder, ignore_errors=True)


def _copy(template_db: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_db, dest)
    os.chmod(dest, 0o600)
    return dest


def _count(db: Path, sql: str, params: tuple = ()) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _no_lock_or_traceback(results) -> list[str]:
    return [f"process {i}: {err.strip()[-300:]}" for i, (_c, _o, err) in enumerate(results)
            if "locked" in err.lower() or "Traceback" in err]


# Each race: the command (after --db), the id it is about, the refusal the losers
# see, the event kind it writes, and an extra row count (table, key column) if any.
ONE_WINNER = {
    "resolve": (lambda i: ["resolve", i["resolve"], "--disposition", "exchange",
                           "--summary", "换新", "--at", "2025-11-05 09:00"],
                r"cannot resolve CC-\d{4}-\d{4}: it is resolved",
                "complaint_id", "resolve", ("resolutions", "complaint_id")),
    "revisit": (lambda i: ["revisit", i["revisit"], "--satisfaction", "unsatisfied",
                           "--at", "2025-11-06 09:00"],
                r"cannot revisit CC-\d{4}-\d{4}: it is investigating",
                "complaint_id", "revisit", ("revisits", "complaint_id")),
    # (the losers of a closing revisit were taken as a later call, and succeeded)
    "revisit-closing": (lambda i: ["revisit", i["revisit-closing"], "--satisfaction",
                                   "satisfied", "--at", "2025-11-06 09:00"],
                        r"cannot revisit CC-\d{4}-\d{4}: it is closed, and no second revisit "
                        r"of it is due", "complaint_id", "revisit", ("revisits", "complaint_id")),
    "close": (lambda i: ["close", i["close"], "--no-revisit", "--reason", "x",
                         "--at", "2025-11-06 09:00"],
              r"cannot close CC-\d{4}-\d{4}: it is closed",
              "complaint_id", "close", None),
    "void": (lambda i: ["void", i["void"], "--reason", "x", "--at", "2025-11-03 10:00"],
             r"cannot void CC-\d{4}-\d{4}: it is void",
             "complaint_id", "void", None),
    "action-done": (lambda i: ["action", "done", i["action-done"],
                               "--at", "2025-11-05 10:00"],
                    r"action \d+ is already done",
                    "complaint_id", "action-done", None),
    "return-close": (lambda i: ["return", "close", i["return-close"],
                                "--at", "2025-11-06 09:00"],
                     r"cannot close RMA-\d{4}-\d{4}: it is closed",
                     "return_id", "return-close", None),
}


def _trials(tmp_path: Path, template, check: Callable[[Path, dict, list], list[str]],
            argvs: Callable[[dict], list[list[str]]]) -> None:
    """TRIALS races on fresh copies; every problem of every trial, then fail once."""
    template_db, ids = template
    problems: list[str] = []
    for trial in range(TRIALS):
        db = _copy(template_db, tmp_path / f"trial{trial}" / "ledger.db")
        results = race([["--db", str(db), "--as", f"clerk{k}", *argv]
                        for k, argv in enumerate(argvs(ids))])
        found = _no_lock_or_traceback(results) + check(db, ids, results)
        if _integrity(db) != "ok":
            found.append(f"integrity_check: {_integrity(db)}")
        problems += [f"trial {trial}: {p}" for p in found]
    assert not problems, f"{len(problems)} problems in {TRIALS} trials:\n" + "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(ONE_WINNER))
def test_identical_concurrent_steps_one_wins(tmp_path, template, kind):
    make_argv, refusal, key_col, event_kind, extra = ONE_WINNER[kind]
    template_db, ids = template
    record = (ids["action-done-complaint"] if kind == "action-done" else
              ids[kind])
    events_sql = f"SELECT count(*) FROM events WHERE kind = ? AND {key_col} = ?"
    events_before = _count(template_db, events_sql, (event_kind, record))
    extra_before = (_count(template_db, f"SELECT count(*) FROM {extra[0]} WHERE {extra[1]} = ?",
                           (record,)) if extra else 0)

    def check(db, _ids, results) -> list[str]:
        found = []
        codes = [c for c, _o, _e in results]
        if codes.count(0) != 1 or codes.count(1) != N - 1:
            found.append(f"exit codes {sorted(codes)} (want one 0 and {N - 1} 1)")
        for c, _o, err in results:
            if c == 1 and not re.search(refusal, err):
                found.append(f"a loser's message is not /{refusal}/: {err.strip()[:200]!r}")
        new_events = _count(db, events_sql, (event_kind, record)) - events_before
        if new_events != 1:
            found.append(f"{new_events} new {event_kind!r} events (want 1)")
        if extra:
            rows = _count(db, f"SELECT count(*) FROM {extra[0]} WHERE {extra[1]} = ?",
                          (record,)) - extra_before
            if rows != 1:
                found.append(f"{rows} new {extra[0]} rows (want 1)")
        return found

    _trials(tmp_path, template, check, lambda i: [make_argv(i)] * N)


@pytest.mark.slow
def test_concurrent_receipts_all_count(tmp_path, template):
    """N receipts of one unit each on a return authorised for N: every one counts."""

    def check(db, ids, results) -> list[str]:
        found = []
        codes = [c for c, _o, _e in results]
        if codes != [0] * N:
            found.append(f"exit codes {codes} (want all 0): "
                         + "; ".join(e.strip()[:150] for c, _o, e in results if c))
        rid = ids["return-receive"]
        stored = _count(db, "SELECT received_qty FROM returns WHERE id = ?", (rid,))
        summed = _count(db, "SELECT coalesce(sum(qty), 0) FROM return_receipts "
                            "WHERE return_id = ?", (rid,))
        if not stored == summed == N:
            found.append(f"returns.received_qty {stored}, receipts sum {summed} (want {N})")
        inspect = _count(db, "SELECT count(*) FROM stages WHERE return_id = ? AND "
                             "stage = 'inspect'", (rid,))
        if inspect != 1:
            found.append(f"{inspect} inspect stages opened (want 1)")
        return found

    _trials(tmp_path, template, check,
            lambda i: [["return", "receive", i["return-receive"], "--qty", "1",
                        "--at", "2025-11-05 09:00"]] * N)


@pytest.mark.slow
def test_concurrent_assign_opens_one_investigation(tmp_path, template):
    """N assigns (different owners) of one logged complaint: all succeed, one
    investigate stage is opened and the assign stage is finished once."""

    def check(db, ids, results) -> list[str]:
        found = []
        codes = [c for c, _o, _e in results]
        if codes != [0] * N:
            found.append(f"exit codes {codes} (want all 0): "
                         + "; ".join(e.strip()[:150] for c, _o, e in results if c))
        cid = ids["assign"]
        investigate = _count(db, "SELECT count(*) FROM stages WHERE complaint_id = ? AND "
                                 "return_id IS NULL AND stage = 'investigate'", (cid,))
        if investigate != 1:
            found.append(f"{investigate} investigate stages (want 1)")
        assign_rows = _count(db, "SELECT count(*) FROM stages WHERE complaint_id = ? AND "
                                 "return_id IS NULL AND stage = 'assign'", (cid,))
        assign_done = _count(db, "SELECT count(*) FROM stages WHERE complaint_id = ? AND "
                                 "return_id IS NULL AND stage = 'assign' AND done_at IS NOT "
                                 "NULL", (cid,))
        if (assign_rows, assign_done) != (1, 1):
            found.append(f"assign stage rows {assign_rows}, finished {assign_done} "
                         f"(want 1, 1)")
        assigns = _count(db, "SELECT count(*) FROM events WHERE complaint_id = ? AND "
                             "kind = 'assign'", (cid,))
        if assigns != N:
            found.append(f"{assigns} assign events (want {N}: each one is a step)")
        return found

    _trials(tmp_path, template, check,
            lambda i: [["assign", i["assign"], "--dept", "质量部", "--owner", f"owner{k}",
                        "--at", "2025-11-03 10:00"] for k in range(N)])


NOTES = textwrap.dedent("""
    import subprocess, sys
    from pathlib import Path

    i = 0
    while not Path(sys.argv[2]).exists():  # a clerk's note a process, until the test is done
        done = subprocess.run([sys.executable, "-m", "complaintctl", "-q", "note", sys.argv[1],
                               "--text", f"n{i}"], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"FAILED note: {done.stderr}")
        i += 1
""")


@pytest.mark.slow
def test_verify_beside_writers_finds_nothing_wrong(tmp_path):
    """`verify` read SQLite's checks on a second connection in a thread, and opening
    that one read the file's first bytes through a descriptor it then closed: POSIX
    drops every lock a process holds on a file at such a close, the first
    connection's too, and the writers' steps went past its snapshot ("malformed", a
    wrong count in an index, complaints "no event records") -- a nightly verify
    mailing false alarms whose hint says to restore the backup."""
    db = tmp_path / "ledger.db"
    env = {**os.environ, "COMPLAINTCTL_DB": str(db), "COMPLAINTCTL_USER": "tester"}
    subprocess.run([sys.executable, "-m", "complaintctl", "-q", "demo", "--complaints",
                    "3000", "--db", str(db)], env=env, check=True)
    conn = sqlite3.connect(db)  # (closed: a connection left open hid the fault)
    first, second = conn.execute("SELECT id FROM complaints WHERE status != 'void' "
                                 "LIMIT 2").fetchall()
    conn.close()
    stop = tmp_path / "stop"
    writers = [subprocess.Popen([sys.executable, "-c", NOTES, cid, str(stop)], env=env,
                                stderr=subprocess.PIPE, text=True)
               for (cid,) in (first, second)]
    failures = []
    try:
        for _ in range(12):  # about one in four failed
            done = subprocess.run([sys.executable, "-m", "complaintctl", "verify"], env=env,
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                failures.append(done.stdout + done.stderr)
    finally:
        stop.touch()
        for w in writers:
            _out, err = w.communicate(timeout=120)
            assert w.returncode == 0, err
    assert failures == []
    assert subprocess.run([sys.executable, "-m", "complaintctl", "verify"], env=env,
                          capture_output=True, text=True).returncode == 0


HOLD = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")  # as a writer of a rollback journal commits
    print("held", flush=True)
    time.sleep(40)
""")


def _held_in_a_rollback_journal(tmp_path, *init: str
                                ) -> tuple[dict[str, str], subprocess.Popen[str]]:
    """A new ledger (`init` with these options) in a rollback journal, as a backup is,
    held by another process's writer (HOLD); returns the environment naming it and the
    holder, to kill."""
    db = tmp_path / "ledger.db"
    env = {**os.environ, "COMPLAINTCTL_DB": str(db), "COMPLAINTCTL_USER": "tester",
           "LANG": "C.UTF-8"}
    env.pop("COMPLAINTCTL_LANG", None)
    subprocess.run([sys.executable, "-m", "complaintctl", "-q", "init", *init], env=env,
                   check=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return env, holder


def test_a_typo_in_overdue_is_said_at_once_while_a_writer_holds_the_ledger(tmp_path):
    """`overdue --format yaml` on a ledger in a rollback journal that a writer held opened
    the ledger first (for its language): 30 s of waiting, then "busy", exit 1, for a
    typo. Refused at once, exit 2, in the ledger's language still."""
    import time

    env, holder = _held_in_a_rollback_journal(tmp_path, "--lang", "zh")
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "complaintctl", "overdue", "--format",
                               "yaml"], env=env, capture_output=True, text=True, timeout=60)
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("错误：--format “yaml”不在可选范围内"), done.stderr
    assert took < 20, took  # (not the 30 s of the writer's lock)


@pytest.mark.slow
def test_ctrl_c_stops_a_read_waiting_for_a_writer_at_once(tmp_path):
    """A read of a ledger in a rollback journal (a backup restored, a first import)
    while a writer held it: Ctrl-C was seen only when SQLite's own wait of 30 s ended.
    It waits in slices now, as a step does."""
    import signal
    import time

    env, holder = _held_in_a_rollback_journal(tmp_path)
    try:
        for command in (["overdue"], ["list"]):
            reader = subprocess.Popen([sys.executable, "-m", "complaintctl", *command],
                                      env=env, stderr=subprocess.PIPE, text=True,
                                      preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                       signal.SIG_DFL))
            time.sleep(1.5)  # waiting for the lock by now
            sent = time.monotonic()
            reader.send_signal(signal.SIGINT)
            _out, err = reader.communicate(timeout=60)
            assert reader.returncode == 130, err
            assert time.monotonic() - sent < 10, command  # (it was up to 30 s)
            assert "Interrupted" in err and "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()


def test_demos_started_together_on_a_new_file_both_fill_it(tmp_path):
    """Two demos started at once on the same new file: the second to make it was refused,
    "already a ledger (made a moment ago)", told to change its settings with policy; a
    moment later it would have waited and added to the demo. Both add now."""
    for trial in range(3):
        db = tmp_path / f"d{trial}.db"
        results = race([["--db", str(db), "--as", "x", "-q", "demo", "--complaints", "40",
                         "--seed", str(seed)] for seed in (1, 2)])
        assert [code for code, _o, _e in results] == [0, 0], results
        assert _count(db, "SELECT count(*) FROM complaints") == 80
        assert _integrity(db) == "ok"


def test_a_reader_never_reads_a_demo_being_made_as_empty(tmp_path):
    """For the first seconds of a demo into its new file, `overdue` read the empty ledger
    it had just made: "[]", exit 0, of a file being filled (or taken back if
    interrupted). The demo makes and fills its file under a name of its own beside it and
    puts it in place whole: a reader finds no ledger there until then, and the whole
    demo after (a first import's readers wait for its lock: test_bulk)."""
    import time

    db = tmp_path / "d.db"
    env = {**os.environ, "COMPLAINTCTL_USER": "tester"}
    demo = subprocess.Popen([sys.executable, "-m", "complaintctl", "-q", "demo", "--db",
                             str(db), "--complaints", "4000"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reads = []
    try:
        deadline = time.monotonic() + 120
        while demo.poll() is None:
            assert time.monotonic() < deadline, "the demo took too long"
            if not list(tmp_path.glob(".d.db.*.demo")) and not db.exists():
                time.sleep(0.01)
                continue
            read = subprocess.run([sys.executable, "-m", "complaintctl", "--db", str(db),
                                   "overdue", "--format", "json"], env=env,
                                  capture_output=True, text=True, timeout=120)
            reads.append((read.returncode, read.stdout, read.stderr))
        assert demo.returncode == 0, demo.stderr.read() if demo.stderr else ""
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    assert reads, "the demo ended before a read"
    for code, out, err in reads:
        if code == 0:
            assert json.loads(out), "an empty ledger was read while the demo made it"
        else:
            assert err.startswith(f"Error: no ledger at {db}"), err
    assert not list(tmp_path.glob(".d.db.*"))  # (nothing left beside it)


SWAP = textwrap.dedent("""
    import os, shutil, sqlite3, sys, time
    db, how = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    time.sleep(4)  # the step waits for the lock by now (its Python started and imported)
    folder = os.path.dirname(db)
    aside = os.path.join(folder, "damaged")
    os.mkdir(aside)
    for suffix in ("", "-wal", "-shm"):  # (the README's restore: the ledger moved aside)
        if os.path.exists(db + suffix):
            os.rename(db + suffix, os.path.join(aside, os.path.basename(db) + suffix))
    if how == "restored":
        shutil.copy(os.path.join(folder, "backup.db"), db)
        os.chmod(db, 0o600)
    conn.execute("ROLLBACK")
""")


@pytest.mark.parametrize("how", ["restored", "moved"])
def test_a_step_waiting_while_the_ledger_is_moved_aside_records_nothing(tmp_path, how):
    """A clerk's `log` waited for another writer while the admin moved the ledger aside
    and put a backup in its place (or only moved it): the step went into the file set
    aside, exit 0, its id printed, and the restored ledger gave that id again. Refused
    now, exit 1, nothing written in either file."""
    db = tmp_path / "ledger.db"
    env = {**os.environ, "COMPLAINTCTL_DB": str(db), "COMPLAINTCTL_USER": "tester",
           "LANG": "C.UTF-8"}
    env.pop("COMPLAINTCTL_LANG", None)

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "complaintctl", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    assert command("-q", "init", "--timezone", "Asia/Shanghai").returncode == 0
    log = ["log", "--customer", "华东电器", "--description", "异响", "--channel", "phone",
           "--category", "quality", "--severity", "high", "--no-input"]
    assert command(*log).returncode == 0
    assert command("-q", "backup", str(tmp_path / "backup.db")).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", SWAP, str(db), how],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        done = command(*log)
    finally:
        holder.wait(timeout=60)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout == "", done.stdout
    assert done.stderr == (
        f"Error: {db} was moved, replaced or removed while this step waited for it: "
        "nothing was recorded\nHint: check that --db names the ledger in use now, and run "
        "the step again\n"), done.stderr
    assert _count(tmp_path / "damaged" / "ledger.db", "SELECT count(*) FROM complaints") == 1
    if how == "restored":
        assert _count(db, "SELECT count(*) FROM complaints") == 1
        assert command(*log).returncode == 0  # the ledger in place takes the step again
        assert _count(db, "SELECT count(*) FROM complaints") == 2
    else:
        assert not db.exists()
