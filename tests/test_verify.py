"""`complaintctl verify` (issue 13): a clean ledger verifies; each change made behind
the tool's back with sqlite3 (triggers dropped where they stand in the way) is named,
with exit 1; `--head` proves an earlier head is still in the history; every report
carries the chain head it was made from."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import oldest_ledger, read_rows, received_and_scrapped

from complaintctl import audit

HEAD_RE = r"^OK: \d+ events?, chain head #\d+ [0-9a-f]{64}$"


@pytest.fixture
def full(ledger):
    """Complaints in every state, a return through close, and every kind of settings
    change (policy, escalation, calendar, categories, time zone, repeat window)."""
    ids = {}
    for state in ("logged", "assigned", "investigating", "resolved", "closed", "void"):
        cid = ledger.log()
        ledger.to_state(cid, state)
        ids[state] = cid
    # reopened by an unsatisfied revisit, then an amend that moves its open deadlines
    cid = ledger.log(severity="high")
    ledger.to_state(cid, "resolved")
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 15:00")
    ledger("amend", cid, "--severity", "critical", "--reason", "worse than said")
    ids["reopened"] = cid
    # a return through close
    rcid = ledger.log(severity="high", received="2026-11-16 09:00")
    rid = ledger("return", "open", rcid, "--qty", "5", "--at", "2026-11-16 10:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 09:00")
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-17 15:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "4",
           "--at", "2026-11-18 09:00")
    ledger("return", "dispose", rid, "--action", "repair", "--qty", "3", "--at",
           "2026-11-18 10:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "2", "--at",
           "2026-11-18 11:00")
    ledger("return", "close", rid, "--at", "2026-11-18 12:00")
    ids["return"] = rid
    # settings changes, each with its event
    ledger("policy", "set", "resolve", "high", "3wd")
    ledger("policy", "set", "escalation", "2", "2wd", "--role", "质量总监")
    ledger("policy", "calendar", "--add-holiday", "2026-12-24", "--add-closure", "2026-12-31")
    ledger("policy", "calendar", "--remove", "2026-12-31")
    ledger("policy", "categories", "--add", "packaging")
    ledger("policy", "timezone", "Europe/Berlin")
    ledger("policy", "repeat-window", "60")
    # a complaint logged after the changes (new policy, new zone)
    ids["late"] = ledger.log(severity="high", received="2026-11-20 10:00")
    return ids


def tamper(db: Path, *sql: str, params: tuple = ()) -> None:
    """Change the ledger with sqlite3 directly, as someone bypassing the tool would."""
    conn = sqlite3.connect(db)
    try:
        for statement in sql:
            conn.execute(statement, params if "?" in statement else ())
        conn.commit()
    finally:
        conn.close()


def schema_of(db: Path, name: str) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)
                            ).fetchone()[0]
    finally:
        conn.close()


def verify_fails(ledger, *args: str) -> list[dict]:
    """verify exits 1 and says how many problems; returns them (from --format json)."""
    out = ledger("verify", *args, code=1)
    assert "Error: " in out.stderr and "found" in out.stderr
    data = json.loads(ledger("verify", *args, "--format", "json", code=1).stdout)
    assert data["ok"] is False
    return data["problems"]


def event_id(ledger, kind: str, nth: int = 0) -> int:
    return ledger.rows("SELECT id FROM events WHERE kind = ? ORDER BY id", (kind,))[nth][0]


def test_a_clean_ledger_verifies_quietly(ledger, full):
    import re

    out = ledger("verify")
    assert re.match(HEAD_RE, out.stdout.strip()), out.stdout
    assert out.stdout.count("\n") == 1 and out.stderr == ""
    (last_id, last_hash), = ledger.rows("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1")
    assert out.stdout.strip().endswith(f"#{last_id} {last_hash}")
    data = ledger.json("verify")
    assert data["ok"] is True and data["problems"] == []
    assert data["head"] == {"id": last_id, "hash": last_hash}
    assert data["events"] == ledger.rows("SELECT count(*) FROM events")[0][0]


def test_a_new_ledger_verifies_with_one_event(run, tmp_path):
    """"OK: 1 events" for a new ledger (its one event, the policy set at init)."""
    db = tmp_path / "new.db"
    run("--db", db, "init", "--timezone", "UTC")
    assert run("--db", db, "verify").stdout.startswith("OK: 1 event, chain head #1 ")
    zh = run("--lang", "zh", "--db", db, "verify").stdout
    assert zh.startswith("正常：共 1 条事件，链头 #1 "), zh


def test_a_demo_ledger_verifies(run, tmp_path):
    db = tmp_path / "demo.db"
    run("demo", "--db", db, "--complaints", "150")
    assert run("--db", db, "verify").stdout.startswith("OK: ")


def test_a_damaged_page_is_said_to_be_damage_not_another_program_s_file(run, tmp_path):
    """A leaf page of the events overwritten: SQLite reads the file as "malformed",
    which was said as 'is not a complaintctl ledger' with a hint to check --db."""
    db = tmp_path / "demo.db"
    run("demo", "--db", db, "--complaints", "150")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (page,) = conn.execute("SELECT pageno FROM dbstat WHERE name = 'events' AND "
                           "pagetype = 'leaf' LIMIT 1 OFFSET 5").fetchone()
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * 4096 + 1500)
        fh.write(b"\x5a" * 600)
    damaged = db.read_bytes()
    result = run("--db", db, "verify", code=1)
    assert result.stderr.startswith(f"Error: {db} is damaged (database disk image is "
                                    "malformed)\nHint: restore it from your latest backup")
    assert db.read_bytes() == damaged
    # a monitor reading verify's JSON got nothing on stdout: the worst finding is in it
    result = run("--db", db, "verify", "--format", "json", code=1)
    assert json.loads(result.stdout) == {
        "ok": False, "head": None, "events": None, "unrecorded": 0, "head_found": None,
        "before_chain": 0, "problems": [{"kind": "integrity", "id": None,
                      "stored": "database disk image is malformed", "expected": "ok",
                      "detail": "the ledger could not be read: database disk image is "
                                "malformed"}]}, result.stdout
    assert result.stderr.startswith(f"Error: {db} is damaged")
    assert db.read_bytes() == damaged
    # and a file that is no ledger at all (a --db mistyped in the monitor's crontab)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    result = run("--db", other, "verify", "--format", "json", code=1)
    found = json.loads(result.stdout)
    assert found["ok"] is False and [p["stored"] for p in found["problems"]] == [
        "not an SQLite database"], found
    # nothing at the path, or a folder there: the JSON says so too (stdout was empty)
    for path, said in ((tmp_path / "missing.db", f"no ledger at {tmp_path / 'missing.db'}"),
                       (tmp_path, f"{tmp_path} is not a ledger file: it is a folder")):
        result = run("--db", path, "verify", "--format", "json", code=1)
        found = json.loads(result.stdout)
        assert found["ok"] is False and found["head"] is None and [
            p["stored"] for p in found["problems"]] == [said], found
        assert result.stderr.startswith(f"Error: {said}\n"), result.stderr
    assert not (tmp_path / "missing.db").exists()
    # a ledger that only needs an upgrade is not said as damaged (a monitor sent someone
    # to restore a backup of an "integrity" problem)
    old = tmp_path / "old.db"
    run("demo", "--db", old, "--complaints", "10")
    tamper(old, "PRAGMA user_version = 20")
    result = run("--db", old, "verify", "--format", "json", code=1)
    (found,) = json.loads(result.stdout)["problems"]
    assert found["kind"] == "upgrade" and "needs an upgrade" in found["stored"], found
    assert found["detail"].startswith("the ledger needs an upgrade before it can be checked")


def test_an_edited_event_is_named(ledger, env, full):
    target = event_id(ledger, "assign", 1)
    trigger = schema_of(env, "events_no_update")
    tamper(env, "DROP TRIGGER events_no_update",
           f"UPDATE events SET actor = 'someone else' WHERE id = {target}", trigger)
    problems = verify_fails(ledger)
    # the event, and the row of its step that no longer is what it records
    (cid, at), = ledger.rows("SELECT complaint_id, at FROM events WHERE id = ?", (target,))
    assert [(p["kind"], p["id"]) for p in problems] == [
        ("chain", target), ("assignments", f"{cid} {at}")]
    assert problems[1]["expected"].startswith('["someone else",')
    out = ledger("verify", code=1)
    header, line, _row = out.stdout.splitlines()
    assert header.split()[:4] == ["kind", "id", "stored", "expected"]
    assert line.split()[:2] == ["chain", str(target)]
    assert "Error: 2 problems found" in out.stderr


def test_an_event_whose_document_is_not_json_can_still_be_read(ledger, env, full, tmp_path):
    """An event's data edited into what is not JSON made `show` and `export events
    --format jsonl` stop with "unexpected failure: JSONDecodeError": an auditor could not
    read the history that holds the evidence. Shown as it is, and verify names it."""
    target = event_id(ledger, "void")
    (cid,), = ledger.rows("SELECT complaint_id FROM events WHERE id = ?", (target,))
    trigger = schema_of(env, "events_no_update")
    tamper(env, "DROP TRIGGER events_no_update",
           f"UPDATE events SET data = 'x{{' WHERE id = {target}", trigger)
    assert ("chain", target) in [(p["kind"], p["id"]) for p in verify_fails(ledger)]
    events = ledger.json("show", cid)["events"]
    assert [e["data"] for e in events if e["id"] == target] == [{"unreadable": "x{"}]
    assert "unreadable: x{" in ledger("show", cid).stdout
    out = tmp_path / "events.jsonl"
    ledger("export", "events", "--format", "jsonl", "--output", out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["data"] for r in rows if r["id"] == target] == ["x{"]  # the text as stored
    # bytes in its place: shown and exported as written, not "bytes not serializable"
    tamper(env, "DROP TRIGGER events_no_update",
           f"UPDATE events SET data = X'ff00' WHERE id = {target}", trigger)
    events = ledger.json("show", cid)["events"]
    assert [e["data"] for e in events if e["id"] == target] == [{"unreadable": "b'\\xff\\x00'"}]
    ledger("export", "events", "--format", "jsonl", "--output", out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["data"] for r in rows if r["id"] == target] == ["b'\\xff\\x00'"]


def test_an_edited_status_in_an_event_breaks_the_chain_there(ledger, env, full):
    target = event_id(ledger, "void")
    trigger = schema_of(env, "events_no_update")
    tamper(env, "DROP TRIGGER events_no_update",
           "UPDATE events SET data = replace(data, '\"void\"', '\"closed\"') "
           f"WHERE id = {target}", trigger)
    problems = verify_fails(ledger)
    assert ("chain", target) in [(p["kind"], p["id"]) for p in problems]


@pytest.mark.parametrize("blank", ["NULL", "''"])
def test_a_broken_link_names_its_record_and_a_blanked_hash_is_one_line(ledger, env, full,
                                                                       blank):
    """`chain 919` alone sent the auditor to sqlite3 to find whose history was touched: the
    detail names the complaint the event is of. A hash blanked was two lines, the next
    event named too though untouched ("one edit is one line", the README says); one
    blanked to '' was said as a hash that does not follow, stored as nothing."""
    target = event_id(ledger, "assign", 1)
    trigger = schema_of(env, "events_no_update")
    (of,) = ledger.rows("SELECT complaint_id FROM events WHERE id = ?", (target,))[0]
    tamper(env, "DROP TRIGGER events_no_update",
           f"UPDATE events SET hash = {blank} WHERE id = {target}", trigger)
    chain = [p for p in verify_fails(ledger) if p["kind"] == "chain"]
    assert [(p["id"], p["stored"], p["detail"]) for p in chain] == [
        (target, None, f"no hash (an event of {of})")], chain
    # (no --head given: no head found, not the event whose hash is NULL "matching" none)
    assert json.loads(ledger("verify", "--format", "json", code=1).stdout)["head_found"] \
        is None
    zh = ledger("--lang", "zh", "verify", code=1).stdout
    assert of in zh and "an event of" not in zh, zh
    # with the history broken, what the events say a record should be may be the forgery
    # (a customer edited in the log event was said as "expected", the true one "stored")
    assert ledger("verify", code=1).stderr.endswith(
        "the history itself was changed too (the chain lines), so what an event changed says "
        "may be the change, not the record: compare with a backup from before it\n")


def test_a_deleted_event_is_named_by_the_next_id(ledger, env, full):
    target = event_id(ledger, "investigate", 1)
    trigger = schema_of(env, "events_no_delete")
    tamper(env, "DROP TRIGGER events_no_delete", f"DELETE FROM events WHERE id = {target}",
           trigger)
    chain = [p for p in verify_fails(ledger) if p["kind"] == "chain"]
    assert [p["id"] for p in chain] == [target + 1]
    # said as missing, not as an edit of the next one
    (of,) = ledger.rows("SELECT complaint_id FROM events WHERE id = ?", (target + 1,))[0]
    assert chain[0]["detail"] == ("the event's hash does not follow from the event before "
                                  f"it (an event of {of}): event #{target} is missing"), chain
    line = ledger("verify", code=1).stdout
    assert f"event #{target} is missing" in line, line
    # two in a row
    tamper(env, "DROP TRIGGER events_no_delete", f"DELETE FROM events WHERE id = {target + 1}",
           trigger)
    chain = [p for p in verify_fails(ledger) if p["kind"] == "chain"]
    assert [p["detail"].rpartition(": ")[2] for p in chain] == [
        f"events #{target} to #{target + 1} are missing"], chain
    # the first event alone: "events #1 to #1 are missing"
    tamper(env, "DROP TRIGGER events_no_delete", "DELETE FROM events WHERE id = 1", trigger)
    chain = [p for p in verify_fails(ledger) if p["kind"] == "chain"]
    assert chain[0]["detail"].rpartition(": ")[2] == "event #1 is missing", chain


def test_an_inserted_event_is_named(ledger, env, full):
    (last,) = ledger.rows("SELECT max(id) FROM events")[0]
    tamper(env, "INSERT INTO events (complaint_id, at, recorded_at, actor, kind, data, login, "
           "hash) VALUES (NULL, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'x', "
           "'note', '{}', 'x', ?)", params=("0" * 64,))
    chain = [p for p in verify_fails(ledger) if p["kind"] == "chain"]
    assert [p["id"] for p in chain] == [last + 1]
    assert chain[0]["stored"] == "0" * 64 and len(chain[0]["expected"]) == 64


def test_an_event_inserted_in_a_gap_is_named(ledger, env, full):
    target = event_id(ledger, "resolve")
    trigger = schema_of(env, "events_no_delete")
    tamper(env, "DROP TRIGGER events_no_delete", f"DELETE FROM events WHERE id = {target}",
           trigger,
           "INSERT INTO events (id, complaint_id, at, recorded_at, actor, kind, data, login, "
           f"hash) VALUES ({target}, NULL, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', "
           "'x', 'note', '{}', 'x', NULL)")
    chain = [p for p in verify_fails(ledger) if p["kind"] == "chain"]
    assert chain[0]["id"] == target and chain[0]["stored"] is None


def test_a_status_changed_directly_is_named_with_both_values(ledger, env, full):
    cid = full["assigned"]
    tamper(env, f"UPDATE complaints SET status = 'closed' WHERE id = '{cid}'")
    problems = verify_fails(ledger)
    assert problems == [{"kind": "status", "id": cid, "stored": "closed",
                         "expected": "assigned", "detail": problems[0]["detail"]}]
    line = ledger("verify", code=1).stdout.splitlines()[1]
    assert line.split()[:4] == ["status", cid, "closed", "assigned"]


def test_intake_fields_changed_directly_are_named(ledger, env, full):
    """verify said OK after a complaint's severity, customer or product was rewritten
    behind the tool's back (show then said 'low' where its own history said 'critical'):
    each intake field is the latest value its log and amend events recorded."""
    plain, amended = full["closed"], full["logged"]
    ledger("amend", amended, "--customer", "华东电器（集团）", "--reason", "全称")
    tamper(env, f"UPDATE complaints SET severity = 'low', quantity = 99 WHERE id = '{plain}'",
           f"UPDATE complaints SET customer = '别的客户' WHERE id = '{amended}'")
    found = {(p["kind"], p["id"]): (p["stored"], p["expected"]) for p in verify_fails(ledger)}
    assert found[("severity", plain)][0] == "low" and found[("severity", plain)][1] != "low"
    assert found[("quantity", plain)][0] == 99
    assert found[("customer", amended)] == ("别的客户", "华东电器（集团）")
    assert len(found) == 3


def test_a_contact_changed_or_wiped_directly_is_named_by_its_hash(ledger, env, full):
    """verify said OK after a contact was rewritten, or wiped outside forget-contact:
    its keyed hash is the one its latest log or amend event holds (none after a
    forget-contact); the problem names hashes, never the contact."""
    changed, wiped, erased, amended = (full["closed"], full["assigned"], full["logged"],
                                       full["resolved"])
    ledger("amend", amended, "--contact", "13900001111", "--reason", "新号码")
    ledger("forget-contact", erased, "--reason", "本人要求")
    assert ledger.json("verify")["ok"]
    tamper(env, f"UPDATE complaints SET contact = '00000000000' WHERE id = '{changed}'",
           f"UPDATE complaints SET contact = NULL, contact_salt = NULL WHERE id = '{wiped}'",
           f"UPDATE complaints SET contact = '13812345678' WHERE id = '{amended}'")
    found = {p["id"]: (p["stored"], p["expected"]) for p in verify_fails(ledger)
             if p["kind"] == "contact"}
    assert set(found) == {changed, wiped, amended}, found
    assert found[wiped][0] is None and found[wiped][1].startswith("h:")
    assert all(v is None or v.startswith("h:") for pair in found.values() for v in pair)
    assert "00000000000" not in str(found) and "13812345678" not in str(found)


def test_a_stage_ended_or_reopened_by_hand_is_named(ledger, env, full):
    """A stage row marked done (or void) by hand hid a late complaint from `overdue`,
    and a late resolve dated earlier turned late into on time in the report: verify
    said OK. Each stage ends as its complaint's steps say, or is open while none has."""
    logged, resolved, closed, rid = (full["logged"], full["resolved"], full["closed"],
                                     full["return"])
    tamper(env,
           "UPDATE stages SET done_at = '2026-10-01T00:00:00Z', outcome = 'void' WHERE "
           f"complaint_id = '{logged}' AND stage = 'assign'",
           "UPDATE stages SET done_at = '2026-10-01T00:00:00Z' WHERE "
           f"complaint_id = '{resolved}' AND stage = 'resolve'",
           f"UPDATE stages SET done_at = NULL, outcome = NULL WHERE complaint_id = '{closed}' "
           "AND stage = 'revisit'",
           f"UPDATE stages SET done_at = NULL, outcome = NULL WHERE return_id = '{rid}' AND "
           "stage = 'inspect'")
    problems = [p for p in verify_fails(ledger) if p["kind"] == "stage"]
    found = sorted((p["id"], p["stored"]) for p in problems)
    assert found == sorted([(logged, "assign 1: void 2026-10-01T00:00:00Z"),
                            (resolved, "resolve 1: done 2026-10-01T00:00:00Z"),
                            (closed, "revisit 1: open"), (rid, "inspect 1: open")]), found
    # the end its steps say, where it can be told from them (an auditor read "expected —"
    # beside a late resolution dated on time)
    (resolved_at,), = ledger.rows("SELECT at FROM resolutions WHERE complaint_id = ?",
                                  (resolved,))
    expected = {p["id"]: p["expected"] for p in problems}
    assert expected[resolved] == f"resolve 1: done {resolved_at}", expected
    assert expected[logged] == "assign 1: open", expected
    assert expected[closed] is None and expected[rid] is None
    # one an amendment ended (its policy has none for the corrected severity) is void at
    # the amendment's time, which the row does not keep: no expected end rather than a
    # wrong one (a reviewer read "done" at a later assignment's time)
    ledger("policy", "set", "assign", "low", "none")
    cid = ledger.log(severity="medium", received="2026-10-01 10:00")
    ledger("amend", cid, "--severity", "low", "--reason", "定级有误")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-02 11:00")
    tamper(env, "UPDATE stages SET done_at = '2026-10-01T05:00:00Z' WHERE complaint_id = "
                f"'{cid}' AND stage = 'assign'")
    (p,) = [p for p in verify_fails(ledger) if p["kind"] == "stage" and p["id"] == cid]
    assert p["expected"] is None, p


def test_progress_conclusion_logging_and_return_figures_changed_directly_are_named(
        ledger, env, full):
    """Fields verify did not check, each changed by hand, each shown by `show`, the
    exports or the reports: a not-upheld decision made upheld, the conclusion's time,
    the time a paper record was typed in (logged_at), the bound a next step may not be
    before (set back, a step dated before the steps it follows was taken), a return's
    opening, authorised quantity and costs."""
    closed, resolved, rid = full["closed"], full["resolved"], full["return"]
    tamper(env,
           f"UPDATE complaints SET validity = 'not-upheld', concluded_at = "
           f"'2026-10-01T00:00:00Z', logged_at = received_at WHERE id = '{closed}'",
           f"UPDATE complaints SET last_step_at = '2026-09-30T03:00:00Z' WHERE id = "
           f"'{resolved}'",
           "UPDATE returns SET opened_at = '2026-01-01T00:00:00Z', authorised_qty = 50, "
           f"cost_of_loss = 1 WHERE id = '{rid}'")
    problems = verify_fails(ledger)
    found = {(p["kind"], p["id"]) for p in problems}
    # (not the investigate stage beside it: it ends at the conclusion the events record)
    assert found == {("validity", closed), ("concluded_at", closed), ("logged_at", closed),
                     ("last_step_at", resolved), ("return_opened", rid),
                     ("return_costs", rid)}, found
    # the costs as amounts are written, not in cents beside the amounts of the other lines
    (costs,) = [p for p in problems if p["kind"] == "return_costs"]
    stored, expected = json.loads(costs["stored"]), json.loads(costs["expected"])
    assert stored[0] == "0.01" and all(len(v.split(".")[1]) == 2 for v in stored + expected), costs


def test_what_the_steps_left_changed_directly_is_named(ledger, env, full):
    """An amount, a satisfaction and a root cause rewritten behind the tool's back passed
    verify (show then said 10,000.00 where its history said 100.00)."""
    closed, reopened = full["closed"], full["reopened"]
    ledger("resolve", full["investigating"], "--disposition", "refund", "--amount", "100",
           "--summary", "退款", "--approved-by", "经理")
    tamper(env, f"UPDATE complaints SET amount = 1000000 WHERE id = '{full['investigating']}'",
           f"UPDATE complaints SET root_cause = '客户误用' WHERE id = '{closed}'",
           f"UPDATE complaints SET satisfaction = 'satisfied' WHERE id = '{reopened}'")
    found = {(p["kind"], p["id"]): (p["stored"], p["expected"]) for p in verify_fails(ledger)}
    assert found[("amount", full["investigating"])] == ("10000.00", "100.00")
    assert found[("root_cause", closed)][0] == "客户误用"
    assert found[("satisfaction", reopened)] == ("satisfied", "unsatisfied")
    assert len(found) == 3


def test_the_rows_a_report_counts_changed_directly_are_named(ledger, env, full):
    """A revisit's satisfaction, a resolution's amount and an investigation's validity
    rewritten in their own tables passed verify, and moved the report's satisfaction
    rate, amounts and not-upheld rate."""
    closed = full["closed"]
    tamper(env, f"UPDATE revisits SET satisfaction = 'unsatisfied' WHERE complaint_id = "
                f"'{closed}'",
           f"UPDATE resolutions SET amount = 99999999 WHERE complaint_id = '{closed}'",
           f"UPDATE investigations SET validity = 'not-upheld' WHERE complaint_id = '{closed}'")
    found = {p["kind"]: p for p in verify_fails(ledger)}
    assert set(found) == {"revisits", "resolutions", "investigations"}
    assert found["revisits"]["id"].startswith(f"{closed} ")
    assert '"unsatisfied"' in found["revisits"]["stored"]
    assert '"satisfied"' in found["revisits"]["expected"]
    assert '"999999.99"' in found["resolutions"]["stored"]
    assert '"not-upheld"' in found["investigations"]["stored"]
    # which columns differ, by name (an auditor read two unlabelled lists)
    assert {k: p["detail"] for k, p in found.items()} == {
        "revisits": "this row is not what its event recorded (in satisfaction)",
        "resolutions": "this row is not what its event recorded (in amount)",
        "investigations": "this row is not what its event recorded (in validity)"}
    zh = ledger("--lang", "zh", "verify", code=1).stdout
    assert "这条记录与其事件所记录的不符（不同之处：satisfaction）" in zh, zh


def test_a_resolutions_currency_changed_directly_is_named(ledger, env, full):
    """The currency of a resolution's amount changed in its table passed verify: show
    said 1,200.00 USD where the step recorded CNY."""
    ledger("resolve", full["investigating"], "--disposition", "refund", "--amount", "1200",
           "--summary", "退款", "--approved-by", "经理")
    assert ledger("verify").exit_code == 0
    tamper(env, "UPDATE resolutions SET currency = 'USD' WHERE amount = 120000")
    (found,) = verify_fails(ledger)
    assert found["kind"] == "resolutions" and found["id"].startswith(full["investigating"])
    assert '"USD"' in found["stored"] and '"CNY"' in found["expected"], found


def test_a_missing_append_only_trigger_is_named(ledger, env, full):
    """With a note's append-only trigger dropped, its text could be rewritten and verify
    said OK."""
    tamper(env, "DROP TRIGGER notes_no_change")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["expected"]) == ("trigger", "notes_no_change",
                                                   "notes_no_change")


def test_an_object_the_schema_does_not_make_or_a_missing_index_is_named(ledger, env,
                                                                          full):
    """A trigger that copied each new contact into a table of its own kept the contact
    past forget-contact, in every backup, and verify said OK; a dropped index made
    `report` fail with a hint about the disk, and verify said OK."""
    tamper(env, "CREATE TABLE shadow (contact TEXT)", "CREATE TRIGGER shadow_in AFTER "
                "INSERT ON complaints BEGIN INSERT INTO shadow VALUES (NEW.contact); END",
           "CREATE VIEW everything AS SELECT * FROM complaints",
           "DROP INDEX complaints_status", "DROP INDEX resolutions_again",
           "CREATE INDEX resolutions_again ON resolutions (at)")
    found = {(p["kind"], p["id"]): p["detail"] for p in verify_fails(ledger)}
    extra = ("the schema does not make this: it could copy or change rows behind the "
             "tool's back (a contact kept past forget-contact)")
    assert found == {("table", "shadow"): extra, ("trigger", "shadow_in"): extra,
                     ("view", "everything"): extra,
                     ("index", "complaints_status"): "an index of the ledger is missing: "
                                                     "the commands that read along it stop "
                                                     "or slow down",
                     ("index", "resolutions_again"): "an index of the ledger is not the "
                                                     "schema's"}


def test_a_column_added_to_a_table_is_named(ledger, env, full):
    """A column added by hand (where a copied contact would sit) was said only as "the
    table complaints" with its name where the column's belonged."""
    tamper(env, "ALTER TABLE complaints ADD COLUMN spy",
           "ALTER TABLE notes ADD COLUMN copy TEXT NOT NULL DEFAULT ''")
    found = {p["id"]: (p["stored"], p["expected"], p["detail"]) for p in verify_fails(ledger)}
    detail = "a table of the ledger does not have the schema's columns"
    assert found == {"complaints": ("spy", None, detail),
                     "notes": ("copy TEXT NOT NULL DEFAULT ''", None, detail)}, found
    assert "complaints  spy" in ledger("verify", code=1).stdout


def test_an_index_a_check_reads_along_when_missing_is_named_not_the_disk(ledger, env,
                                                                          full, monkeypatch):
    """With events_complaint dropped verify itself stopped with "cannot use ledger … (no
    such index)" and a hint about the free disk space; so did `report` without its
    index."""
    cid = full["closed"]
    # (an amended complaint too: its deadlines' check set the connection's text_factory,
    # which the first version of the reading without an index did not pass on)
    ledger("amend", full["assigned"], "--severity", "critical", "--reason", "worse")
    tamper(env, "DROP INDEX events_complaint", "DROP INDEX resolutions_again",
           "DROP INDEX stages_complaint",
           f"UPDATE complaints SET status = 'investigating' WHERE id = '{cid}'")
    found = verify_fails(ledger)
    named = {(p["kind"], p["id"]) for p in found}
    assert ("index", "events_complaint") in named, found
    # the checks that read along it read without it: none stops, and the status changed
    # beside the dropped index is named (it was hidden by the checks that stopped)
    assert not [p for p in found if p["kind"] == "check"], found
    assert ("status", cid) in named, found
    # in a larger ledger (hours without the index), a check says it stopped there
    monkeypatch.setattr(audit, "_UNINDEXED_MOST", 0)
    found = verify_fails(ledger)
    stopped = [p for p in found if p["kind"] == "check"]
    assert stopped and all(p["stored"].startswith("OperationalError: no such index: ")
                           for p in stopped), found
    r = ledger("report", "--month", "2026-10", "--format", "json", code=1)
    assert "lacks part of its schema (no such index: resolutions_again): it was changed by " \
        "hand" in r.stderr and "disk" not in r.stderr, r.stderr


def test_a_last_contact_changed_directly_is_named(ledger, env, full):
    """last_contact_at is kept by triggers (migration 16): a value set behind the tool's
    back is named with the one the intake, notes and revisits give."""
    cid = full["closed"]
    (kept,), = ledger.rows("SELECT last_contact_at FROM complaints WHERE id = ?", (cid,))
    tamper(env, f"UPDATE complaints SET last_contact_at = '2027-01-01T00:00:00Z' "
                f"WHERE id = '{cid}'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == (
        "last_contact", cid, "2027-01-01T00:00:00Z", kept)
    assert "last contact is not the latest" in p["detail"]


def test_a_logged_complaint_expects_logged(ledger, env, full):
    cid = full["logged"]
    tamper(env, f"UPDATE complaints SET status = 'resolved' WHERE id = '{cid}'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == ("status", cid, "resolved",
                                                               "logged")


def test_a_deadline_changed_directly_is_named(ledger, env, full):
    cid = full["reopened"]
    (sid, due), = ledger.rows("SELECT id, due_at FROM stages WHERE complaint_id = ? AND "
                              "stage = 'resolve' AND round = 2", (cid,))
    tamper(env, f"UPDATE stages SET due_at = '2027-01-31T00:00:00Z' WHERE id = {sid}")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == (
        "deadline", cid, "2027-01-31T00:00:00Z", due)
    assert "resolve" in p["detail"]


def test_a_return_stage_deadline_changed_directly_is_named(ledger, env, full):
    rid = full["return"]
    tamper(env, "UPDATE stages SET due_at = '2027-01-31T00:00:00Z' WHERE return_id = "
           f"'{rid}' AND stage = 'inspect'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"]) == ("deadline", rid, "2027-01-31T00:00:00Z")


def test_a_stage_row_no_event_accounts_for_is_named(ledger, env, full):
    cid = full["logged"]
    tamper(env, "INSERT INTO stages (complaint_id, stage, round, started_at, due_at) VALUES "
           f"('{cid}', 'investigate', 1, '2026-09-30T02:00:00Z', '2027-01-01T00:00:00Z')")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == (
        "deadline", cid, "2027-01-01T00:00:00Z", None)


def test_a_column_changed_by_hand_is_named_once_not_on_the_stage_beside_it(ledger, env,
                                                                          full):
    """A stage's expected end was read from the complaint's columns: an assigned_at
    changed by hand, or a resolution row deleted, named the untouched stage too, with
    the changed value (or "open") as what it should be; a stage row added by hand for a
    second round named the genuine first round as the one no event recorded. The stage
    is compared with what the events say."""
    resolved, assigned = full["resolved"], full["assigned"]
    tamper(env, "UPDATE complaints SET assigned_at = '2026-10-20T00:00:00Z' WHERE id = "
                f"'{resolved}'")
    problems = verify_fails(ledger)
    assert [(p["kind"], p["id"], p["stored"]) for p in problems] == [
        ("assigned_at", resolved, "2026-10-20T00:00:00Z")], problems
    tamper(env, "DROP TRIGGER IF EXISTS resolutions_no_delete",
           f"DELETE FROM resolutions WHERE complaint_id = '{resolved}'")
    problems = verify_fails(ledger)
    assert "stage" not in {p["kind"] for p in problems}, problems
    assert any(p["kind"] == "resolutions" and p["id"].startswith(resolved)
               for p in problems), problems
    (due,), = ledger.rows("SELECT due_at FROM stages WHERE complaint_id = ? AND stage = "
                          "'resolve'", (assigned,))
    tamper(env, "INSERT INTO stages (complaint_id, stage, round, started_at, due_at) VALUES "
                f"('{assigned}', 'resolve', 2, '2026-11-01T00:00:00Z', '2027-01-01T00:00:00Z')")
    found = [p for p in verify_fails(ledger) if p["id"] == assigned]
    assert [(p["kind"], p["stored"], p["expected"]) for p in found] == [
        ("deadline", "2027-01-01T00:00:00Z", None)], found
    assert "round 2" in found[0]["detail"] and due != "2027-01-01T00:00:00Z"


def test_a_received_quantity_changed_directly_is_named(ledger, env, full):
    rid = full["return"]
    tamper(env, f"UPDATE returns SET received_qty = 7 WHERE id = '{rid}'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == ("received_qty", rid, 7, 5)


def test_a_return_stage_changed_directly_is_named(ledger, env, full):
    rid = full["return"]
    tamper(env, f"UPDATE returns SET stage = 'inspected' WHERE id = '{rid}'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == ("return_stage", rid,
                                                               "inspected", "closed")


def test_a_policy_row_changed_directly_is_named(ledger, env, full):
    tamper(env, "UPDATE policy SET duration = '30wd' WHERE stage = 'resolve' AND "
           "severity = 'high'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == ("policy", "resolve/high",
                                                               "30wd", "3wd")


def test_escalation_settings_and_calendar_changed_directly_are_named(ledger, env, full):
    tamper(env, "UPDATE escalation SET role = 'nobody' WHERE level = 2",
           "UPDATE settings SET value = 'UTC' WHERE key = 'timezone'",
           "UPDATE settings SET value = '[\"quality\"]' WHERE key = 'categories'",
           "DELETE FROM calendar_days WHERE day = '2026-12-24' AND source = 'user'")
    found = {(p["kind"], p["id"]): p for p in verify_fails(ledger)}
    assert set(found) == {("escalation", "level 2"), ("setting", "timezone"),
                          ("setting", "categories"), ("calendar", "calendar_days"),
                          ("calendar", "2026-12-24")}
    # the day itself, beside the two digests (which said nothing of which day)
    day = found[("calendar", "2026-12-24")]
    assert (day["stored"], day["expected"], day["detail"]) == (
        "—", "holiday", "this day of the calendar is not what its events set (policy "
        "calendar)")
    assert found[("setting", "timezone")]["expected"] == "Europe/Berlin"
    assert found[("escalation", "level 2")]["expected"] == "2wd 质量总监"
    assert "packaging" in found[("setting", "categories")]["expected"]


def test_a_country_day_changed_directly_is_named_by_its_day(ledger, env):
    """A country holiday renamed, removed or added by hand was said only by the
    calendar's two digests; each day is named, against the holidays package's."""
    ledger("policy", "calendar", "--add-closure", "2026-12-31")
    tamper(env, "UPDATE calendar_days SET name = 'Fake Day' WHERE day = '2026-10-01' AND "
           "source = 'country'",
           "DELETE FROM calendar_days WHERE day = '2026-10-02' AND source = 'country'",
           "INSERT INTO calendar_days VALUES ('2026-11-11', 'country', 'holiday', 'Singles')",
           "UPDATE calendar_days SET kind = 'holiday' WHERE day = '2026-12-31'")
    found = {p["id"]: (p["stored"], p["expected"]) for p in verify_fails(ledger)
             if p["kind"] == "calendar" and p["id"] != "calendar_days"}
    assert found == {"2026-10-01": ("holiday Fake Day", "holiday National Day"),
                     "2026-10-02": ("—", "holiday National Day"),
                     "2026-11-11": ("holiday Singles", "—"),
                     "2026-12-31": ("holiday", "closure")}, found


def test_an_attachment_limit_changed_directly_is_named(ledger, env):
    ledger("policy", "attachments", "--max-mb", "30")
    assert ledger("verify").stdout.startswith("OK: ")
    tamper(env, "UPDATE settings SET value = '2000' WHERE key = 'attachment_max_mb'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == (
        "setting", "attachment_max_mb", "2000", "30")


def test_the_calendars_settings_and_a_setting_no_event_set_are_named(ledger, env):
    """The working week changed by hand (Sunday a working day: every new deadline a day
    shorter) passed verify: init did not record the calendar's settings. A language or
    an attachment limit put in the table by hand, which only an event sets, passed too."""
    assert ledger("verify").stdout.startswith("OK: ")
    tamper(env, "UPDATE settings SET value = '[6]' WHERE key = 'calendar_weekend'",
           "UPDATE settings SET value = '2031' WHERE key = 'calendar_covered_until'",
           "INSERT INTO settings (key, value) VALUES ('attachment_max_mb', '500')",
           "INSERT INTO settings (key, value) VALUES ('language', 'en')")
    found = {p["id"]: p for p in verify_fails(ledger) if p["kind"] == "setting"}
    assert set(found) == {"calendar_weekend", "calendar_covered_until", "attachment_max_mb",
                          "language"}, found
    assert (found["calendar_weekend"]["stored"], found["calendar_weekend"]["expected"]) == (
        "[6]", "[5, 6]")
    assert found["language"]["detail"] == "no event set this setting"


def test_a_returns_inspection_time_changed_directly_is_named(ledger, env):
    """A return's inspected_at set by hand (an inspection made up, or one a later receipt
    took back put back) passed verify, and the goods could be disposed of uninspected."""
    cid = ledger.log(severity="high", received="2026-11-16 09:00")
    rid = ledger("return", "open", cid, "--qty", "5", "--at", "2026-11-16 10:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 10:00")
    ledger("return", "receive", rid, "--qty", "1", "--at", "2026-11-18 09:00")
    assert ledger.rows("SELECT inspected_at FROM returns") == [(None,)]  # (taken back)
    assert ledger("verify").exit_code == 0
    tamper(env, "UPDATE returns SET inspected_at = '2026-11-17T02:00:00Z'")
    found = {p["kind"]: p for p in verify_fails(ledger)}
    p = found["inspected_at"]
    assert (p["id"], p["stored"], p["expected"]) == (rid, "2026-11-17T02:00:00Z", None), p
    assert set(found) <= {"inspected_at", "stage"}, found  # (an open inspect stage too)


def test_a_step_taken_with_its_bound_set_back_by_hand_is_named(ledger, env):
    """An insider set a complaint's (and a return's) last_step_at back by hand, dated a
    resolution (an inspection) before the step it follows, and put the bound back:
    every event genuine, a late resolution on time, and verify said OK. A return's first
    receipt time edited passed too, and the events' counter deleted."""
    cid = ledger.log(severity="critical", received="2026-11-15 09:00")
    ledger("assign", cid, "--dept", "质量部", "--owner", "张工", "--at", "2026-11-15 12:00")
    rid = ledger("return", "open", cid, "--qty", "3", "--at", "2026-11-16 09:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-18 09:00")
    ledger("investigate", cid, "--finding", "查", "--at", "2026-11-19 09:00")
    assert ledger("verify").exit_code == 0
    tamper(env, "UPDATE complaints SET last_step_at = '2026-11-15T04:00:00Z'",
           "UPDATE returns SET last_step_at = '2026-11-16T01:00:00Z'")
    ledger("investigate", cid, "--cause", "x", "--at", "2026-11-16 09:00")
    ledger("resolve", cid, "--disposition", "explanation", "--summary", "s", "--at",
           "2026-11-16 10:00")
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 09:00")
    (resolve,), = ledger.rows("SELECT id FROM events WHERE kind = 'resolve'")
    (inspect,), = ledger.rows("SELECT id FROM events WHERE kind = 'return-inspect'")
    tamper(env, "UPDATE complaints SET last_step_at = '2026-11-19T01:00:00Z'",
           "UPDATE returns SET last_step_at = '2026-11-18T01:00:00Z', "
           "first_received_at = '2026-11-15T01:00:00Z'", "DELETE FROM sqlite_sequence")
    found = {(p["kind"], p["id"], p["stored"]): p["expected"] for p in verify_fails(ledger)}
    assert found == {
        ("step_order", cid, f"#{resolve - 1} investigate 2026-11-16T01:00:00Z"):
            "2026-11-19T01:00:00Z",
        ("step_order", cid, f"#{resolve} resolve 2026-11-16T02:00:00Z"): "2026-11-19T01:00:00Z",
        ("step_order", rid, f"#{inspect} return-inspect 2026-11-17T01:00:00Z"):
            "2026-11-18T01:00:00Z",
        ("first_received_at", rid, "2026-11-15T01:00:00Z"): "2026-11-18T01:00:00Z",
        ("events", "sqlite_sequence", None): inspect}, found


def test_a_step_dated_before_the_complaint_was_received_is_named(ledger, env):
    """The bound set back before the received time, a step dated before the complaint
    came (an assignment 'on time'), the bound put back: verify said OK (the order of
    the steps was checked among themselves only)."""
    cid = ledger.log(severity="critical", received="2026-11-10 09:00")
    tamper(env, "UPDATE complaints SET last_step_at = '2026-11-01T00:00:00Z'")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-05 09:00")
    tamper(env, "UPDATE complaints SET last_step_at = '2026-11-10T01:00:00Z'")
    (assign,), = ledger.rows("SELECT id FROM events WHERE kind = 'assign'")
    found = {(p["kind"], p["id"], p["stored"]): p["expected"] for p in verify_fails(ledger)}
    assert found == {("step_order", cid, f"#{assign} assign 2026-11-05T01:00:00Z"):
                     "2026-11-10T01:00:00Z"}, found


def test_a_returns_last_step_time_and_first_receipt_follow_a_correction(ledger, env):
    """The return's bound is the latest of its steps' times (a correction of a count,
    dated when the goods came, does not move it back); its first receipt time is cleared
    by a correction to none and set by the next receipt: verify holds both, and names
    the bound edited."""
    cid = ledger.log(severity="high", received="2026-11-16 09:00")
    rid = ledger("return", "open", cid, "--qty", "5", "--at", "2026-11-16 10:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "correct", rid, "--received", "0", "--reason", "wrong return")
    ledger("return", "receive", rid, "--qty", "4", "--at", "2026-11-18 09:00")
    ledger("return", "correct", rid, "--received", "3", "--reason", "miscounted")
    assert ledger.rows("SELECT first_received_at, last_step_at FROM returns") == [
        ("2026-11-18T01:00:00Z", "2026-11-18T01:00:00Z")]
    assert ledger("verify").exit_code == 0
    tamper(env, "UPDATE returns SET last_step_at = '2026-11-16T02:00:00Z'")
    found = {(p["kind"], p["id"]): (p["stored"], p["expected"]) for p in verify_fails(ledger)}
    assert found == {("return_last_step", rid): ("2026-11-16T02:00:00Z",
                                                 "2026-11-18T01:00:00Z")}, found


def test_a_demo_mark_set_by_hand_in_a_real_ledger_is_named(ledger, env, run):
    """The demo's mark put in a real ledger's settings by hand passed verify, and `demo`
    then added made-up complaints to it, with nothing in the history to tell them from
    the real ones. The demo records a `demo` event, which its mark names."""
    ledger.log()
    tamper(env, "INSERT INTO settings (key, value) VALUES ('demo_through_event', "
                "(SELECT max(id) FROM events))")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"]) == ("setting", "demo_through_event"), p
    assert p["detail"].startswith("the demo's mark names no event the demo wrote"), p
    demo = env.parent / "demo.db"
    run("--db", demo, "demo", "--complaints", "30")
    run("--db", demo, "demo", "--complaints", "10", "--seed", "7")  # more, into its own
    assert run("--db", demo, "verify").stdout.startswith("OK: ")
    assert read_rows(demo, "SELECT data FROM events WHERE kind = 'demo' ORDER BY id") == [
        ('{"complaints": 30, "seed": 2026}',), ('{"complaints": 10, "seed": 7}',)]
    # a ledger made before the demo recorded its event (its init recorded no calendar
    # settings either): its mark is read as before, a demo ledger of then still verifies
    old = env.parent / "old.db"
    oldest_ledger(old)
    run("--db", old, "upgrade")
    tamper(old, "INSERT INTO settings (key, value) VALUES ('demo_through_event', "
                "(SELECT max(id) FROM events))")
    assert run("--db", old, "verify").stdout.startswith("OK: ")


def test_a_day_tally_changed_directly_is_named(ledger, env, full):
    tamper(env, "UPDATE day_tallies SET n = n + 5 WHERE measure = 'received' AND "
           "day = '2026-11-16'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == ("day_tally",
                                                               "received 2026-11-16", 6, 1)


def test_head_of_an_earlier_report_passes_and_a_made_up_one_fails(ledger, full):
    earlier = ledger.json("report", "--month", "2026-10")["chain_head"]
    assert earlier == ledger.json("verify")["head"]
    ledger.log(received="2026-11-21 10:00")  # the ledger moves on
    out = ledger("verify", "--head", earlier["hash"])
    assert out.stdout.startswith("OK: ") and f"#{earlier['id']}" in out.stdout
    data = ledger.json("verify", "--head", earlier["hash"])
    assert data["ok"] and data["head_found"] == earlier and data["head"]["id"] > earlier["id"]
    made_up = "ab" * 32
    failed = ledger("verify", "--head", made_up, code=1)
    assert made_up in failed.stderr and made_up in failed.stdout
    assert "Hint: check the head was copied from this ledger's report or verify" in failed.stderr
    (p,) = verify_fails(ledger, "--head", made_up)
    assert (p["kind"], p["expected"]) == ("head", made_up)
    # a copy cut short at its end (without its -wal, an older backup) is named among the
    # causes, not only a rewritten history
    assert "this copy ends before it (copied without its -wal, an older backup)" \
        in p["detail"], p
    assert "not a copy taken without its -wal or an older backup" in failed.stderr
    assert "64 hex" in ledger("verify", "--head", "nothex", code=2).stderr


def test_a_head_behind_a_broken_link_fails(ledger, env, full):
    """--head said the head was found (head_found set, no finding of its own) when an
    event before it had been deleted: the promise is every link up to it holding."""
    head = ledger.json("verify")["head"]
    ledger.log(received="2026-11-21 10:00")
    tamper(env, "DROP TRIGGER events_no_delete",
           f"DELETE FROM events WHERE id = {head['id'] - 3}")
    failed = ledger("verify", "--head", head["hash"], code=1)
    assert f"Error: chain head {head['hash']} is there, but the history up to it was " \
        "changed" in failed.stderr, failed.stderr
    (p,) = [p for p in verify_fails(ledger, "--head", head["hash"]) if p["kind"] == "head"]
    assert (p["id"], p["expected"]) == (head["id"], head["hash"]), p
    # the newest head, after the break: the history up to it was changed too
    later = json.loads(ledger("verify", "--format", "json", code=1).stdout)["head"]
    assert "head" in {p["kind"] for p in verify_fails(ledger, "--head", later["hash"])}


def _append_forged(env: Path, **given: Any) -> int:
    """An event appended by hand, its hash worked out from the one before (the chain
    holds); `given` replaces the defaults of a well-formed one. Returns its id."""
    from complaintctl.store import EVENT_COLUMNS, event_hash

    row = {"complaint_id": None, "return_id": None, "at": "2026-11-23T12:00:00Z",
           "recorded_at": "2026-11-23T12:00:00Z", "actor": "x", "login": "root",
           "kind": "demo", "data": "{}", "old": None, **given}
    conn = sqlite3.connect(env)
    try:
        (previous,) = conn.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1"
                                   ).fetchone()
        values = [row[c] for c in EVENT_COLUMNS]
        cur = conn.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}, hash) VALUES "
                           f"({', '.join('?' * len(EVENT_COLUMNS))}, ?)",
                           (*values, event_hash(previous, values)))
        conn.commit()
        return int(cur.lastrowid or 0)
    finally:
        conn.close()


def test_an_event_appended_by_hand_in_no_form_the_tool_writes_is_named(ledger, env, full):
    """An event appended with its hash worked out, of no kind the tool writes, no actor,
    no login (which also left its complaint out of the checks an upgraded ledger's old
    events are), times that are no times: verify said OK and show listed it."""
    eid = _append_forged(env, complaint_id=full["assigned"], at="2099-13-45 later",
                         recorded_at="yesterday", actor="", login=None,
                         kind="delete-everything")
    found = [(p["kind"], p["id"], p["stored"]) for p in verify_fails(ledger)]
    assert found == [("event", eid, None), ("event", eid, "delete-everything"),
                     ("event", eid, ""), ("event", eid, "2099-13-45 later"),
                     ("event", eid, "yesterday")], found
    # the two times are named apart, by their columns (two lines alike, before)
    failed = ledger("verify", code=1).stdout
    assert "the event's at is not an instant" in failed, failed
    assert "the event's recorded_at is not an instant" in failed, failed


def test_an_event_naming_nobody_by_blanks_is_named(ledger, env, full):
    """An actor or a login of spaces, appended (or rewritten) with the chain worked out,
    named nobody and passed: an empty actor was named, " " was not."""
    eid = _append_forged(env, actor=" ", login=" \t")
    found = [(p["kind"], p["id"], p["stored"]) for p in verify_fails(ledger)]
    assert found == [("event", eid, None), ("event", eid, " ")], found


@pytest.mark.parametrize("at", ["2026-11-31T10:00:00Z", "2026-11-30T24:00:00Z",
                                "2026-11-30T10:00:00z", "2026-11-30 10:00:00Z"])
def test_an_event_time_no_calendar_has_is_named(ledger, env, full, at):
    """julianday() read 31 November as 1 December (and 24:00, and a lower-case z): an
    event dated so, its hash worked out, passed; show then stopped on it."""
    eid = _append_forged(env, at=at)
    found = [(p["kind"], p["id"], p["stored"]) for p in verify_fails(ledger)]
    assert found == [("event", eid, at)], found


def test_every_kind_of_event_a_step_writes_is_one_verify_knows():
    """A new kind of step must be added to what verify accepts (else every ledger it is
    written into fails)."""
    from complaintctl.audit import EVENT_KINDS
    from complaintctl.form import STEP_NAMES

    assert set(STEP_NAMES) <= EVENT_KINDS


def test_an_append_only_trigger_put_back_with_another_body_shows_both(ledger, env, full):
    """A trigger made again with another body was named with "—" as its stored value,
    read as missing: both texts are shown."""
    tamper(env, "DROP TRIGGER events_no_update",
           "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT 1; END")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"]) == ("trigger", "events_no_update")
    assert p["stored"] == ("CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN "
                           "SELECT 1; END"), p
    assert "RAISE(ABORT, 'events are append-only')" in p["expected"], p


@pytest.mark.parametrize("body", [
    # '--' inside a literal: the rest of the line was taken for a comment, and the guard
    # (WHERE 0) with the statement after it passed
    "SELECT RAISE(ABORT, 'events are append-only--') WHERE 0; SELECT ('\n')",
    # a literal in another case ('Closed' for 'closed' in a tally's trigger guards
    # nothing): literals were folded with the rest
    "SELECT RAISE(ABORT, 'EVENTS ARE APPEND-ONLY')"])
def test_a_trigger_differing_inside_its_literals_is_named(ledger, env, full, body):
    tamper(env, "DROP TRIGGER events_no_update",
           f"CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN {body}; END")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"]) == ("trigger", "events_no_update"), p
    # letter case, spaces and comments outside literals are still no difference
    tamper(env, "DROP TRIGGER events_no_update",
           "create trigger events_no_update BEFORE update ON events -- kept\n"
           "begin /* the guard */ select raise(abort,   'events are append-only'); end")
    assert ledger("verify").stdout.startswith("OK")


def rewritten(db: Path, *sql: str, params: tuple = (),
              guards: tuple[str, ...] = ("events_no_update",)) -> None:
    """A history rewritten whole, as someone who edits the file would: `sql` (as tamper
    runs it) with the append-only triggers `guards` set aside, every event's hash
    recomputed after it, the triggers put back."""
    from complaintctl.store import EVENT_COLUMNS, event_hash

    kept = [schema_of(db, name) for name in guards]
    conn = sqlite3.connect(db)
    try:
        for name in guards:
            conn.execute(f"DROP TRIGGER {name}")
        for statement in sql:
            conn.execute(statement, params if "?" in statement else ())
        previous = ""
        for row_id, *row in conn.execute(f"SELECT id, {', '.join(EVENT_COLUMNS)} FROM "
                                         "events ORDER BY id").fetchall():
            previous = event_hash(previous, row)
            conn.execute("UPDATE events SET hash = ? WHERE id = ?", (previous, row_id))
        for trigger in kept:
            conn.execute(trigger)
        conn.commit()
    finally:
        conn.close()


def test_a_rewritten_history_loses_the_earlier_head(ledger, env, full):
    """Someone who edits an event and recomputes every hash after it has a chain that
    holds: the head recorded before is what exposes it."""
    earlier = ledger.json("verify")["head"]
    target = event_id(ledger, "assign")
    # (its recorded time: an actor or a value edited is found by the rows beside it)
    rewritten(env, f"UPDATE events SET recorded_at = '2026-11-20T00:00:00Z' WHERE id = "
                   f"{target}")
    assert ledger("verify").stdout.startswith("OK: ")  # the chain itself holds
    (p,) = verify_fails(ledger, "--head", earlier["hash"])
    assert p["kind"] == "head"


@pytest.mark.parametrize("gone", [1, 2])
def test_events_deleted_with_the_chain_recomputed_are_named_by_the_ids_they_left(
        ledger, env, full, gone):
    """Internal notes deleted (events and rows) and every hash after them recomputed:
    verify said "OK: 4 events, chain head #5" over ids 1, 2, 4, 5 (ids are never
    skipped: the gap is the sign, no stored head needed)."""
    cid = full["investigating"]
    for hour in (10, 11, 12):
        ledger("note", cid, "--kind", "internal", "--text", f"内部 {hour}",
               "--at", f"2026-10-20 {hour}:00")
    doomed = [event_id(ledger, "note", k) for k in range(gone)]
    assert doomed == list(range(doomed[0], doomed[0] + gone))
    rewritten(env, f"DELETE FROM events WHERE id IN ({', '.join(map(str, doomed))})",
              f"DELETE FROM notes WHERE id IN (SELECT id FROM notes ORDER BY id LIMIT {gone})",
              guards=("events_no_update", "events_no_delete", "notes_no_delete"))
    (p,) = verify_fails(ledger)
    after = doomed[-1] + 1
    assert (p["kind"], p["id"], p["detail"]) == ("chain", after, (
        f"event #{doomed[0]} before this one is missing, its hash left out of the chain"
        if gone == 1 else f"events #{doomed[0]} to #{doomed[-1]} before this one are "
        "missing, their hashes left out of the chain")), p
    assert f"chain  {after}" in ledger("verify", code=1).stdout


def test_an_amendments_old_value_edited_with_the_chain_recomputed_is_named(ledger, env,
                                                                           full):
    """An amendment's recorded old severity edited (medium → high) and every hash after it
    recomputed: show said "severity: high → critical" under a log of medium, and verify
    said OK. Amendments made as the tool makes them (a value changed twice, one emptied
    and given again) verify clean."""
    cid = full["assigned"]
    ledger("amend", cid, "--severity", "critical", "--reason", "更严重")
    ledger("amend", cid, "--severity", "low", "--lot", "L9", "--reason", "再次更正")
    ledger("amend", cid, "--clear", "lot", "--reason", "批号不详")
    ledger("amend", cid, "--lot", "L10", "--region", "华南", "--reason", "查到批号")
    assert ledger("verify").stdout.startswith("OK: ")
    ((first, was),) = ledger.rows("SELECT id, old FROM events WHERE kind = 'amend' AND "
                                  "complaint_id = ? ORDER BY id LIMIT 1", (cid,))
    assert '"severity": "medium"' in was, was  # (what the log recorded)
    rewritten(env, "UPDATE events SET old = ? WHERE id = ?",
              params=(was.replace('"medium"', '"high"'), first))
    (p,) = verify_fails(ledger)
    ((logged,),) = ledger.rows("SELECT id FROM events WHERE kind = 'log' AND complaint_id = ?",
                               (cid,))
    assert (p["kind"], p["id"], p["stored"], p["expected"], p["detail"]) == (
        "event", first, "high", "medium", "the amendment's old value of severity is not the "
        f"value event #{logged} recorded: one of the two was changed"), p


def test_reports_carry_the_chain_head(ledger, full):
    (last_id, last_hash), = ledger.rows("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1")
    rep = ledger.json("report", "--month", "2026-10")
    assert rep["chain_head"] == {"id": last_id, "hash": last_hash}
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert md.rstrip().endswith(f"Chain head: event #{last_id} {last_hash}")
    table = ledger("report", "--month", "2026-10").stdout
    assert f"Chain head: event #{last_id}" in table


def test_an_upgraded_ledger_counts_unrecorded_deadlines_apart(run, env):
    env.parent.mkdir(parents=True)
    oldest_ledger(env)
    run("upgrade")
    out = run("verify")
    assert out.stdout.startswith("OK: 1 event, ")
    assert "Note: " in out.stderr and "not checked" in out.stderr
    data = run.json("verify")
    assert data["ok"] and data["unrecorded"] >= 1
    # the complaints with steps from before the chain are counted and said: their records
    # are not compared with those steps (OK said nothing of it)
    assert data["before_chain"] == 1, data
    assert "Note: 1 complaint has steps recorded before the hash chain (an upgraded " \
        "ledger): its record is not compared with them" in out.stderr, out.stderr
    run("log", "--customer", "新客户", "--description", "d", "--category", "quality",
        "--severity", "low", "--channel", "phone")  # (one after the upgrade: not counted)
    assert run.json("verify")["before_chain"] == 1


def test_an_upgraded_complaints_later_steps_are_checked(run, env):
    """A complaint with an event from before the chain was left out of the row checks
    whole, its steps after the upgrade too: a compensation of 5,000 edited to 1.00 and
    an unsatisfied revisit edited to satisfied passed as OK. What the old events
    recorded is still not compared; what later events recorded is."""
    env.parent.mkdir(parents=True)
    oldest_ledger(env)
    run("upgrade")
    cid = "CC-2026-0001"
    run("assign", cid, "--dept", "QA", "--owner", "W", "--at", "2026-10-09 10:00")
    run("investigate", cid, "--cause", "c", "--cause-category", "design", "--at",
        "2026-10-09 11:00")
    run("resolve", cid, "--disposition", "compensation", "--amount", "5000", "--summary", "s",
        "--approved-by", "经理", "--at", "2026-10-09 12:00")
    run("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 13:00")
    assert run("verify").stdout.startswith("OK: ")
    tamper(env, f"UPDATE resolutions SET amount = 100 WHERE complaint_id = '{cid}'",
           f"UPDATE revisits SET satisfaction = 'satisfied' WHERE complaint_id = '{cid}'",
           f"UPDATE assignments SET owner = 'Nobody' WHERE complaint_id = '{cid}'",
           f"UPDATE complaints SET owner = 'Nobody', amount = 100 WHERE id = '{cid}'")
    found = {(p["kind"], p["id"].split(" ")[0]) for p in verify_fails(run)}
    assert {("resolutions", cid), ("revisits", cid), ("assignments", cid), ("owner", cid),
            ("amount", cid)} <= found, found


def test_integrity_and_foreign_keys_are_checked(ledger, env, full):
    tamper(env, "INSERT INTO assignments (complaint_id, at, actor, department, owner) "
           "VALUES ('CC-2026-9999', '2026-11-01T00:00:00Z', 'x', 'd', 'o')")
    found = verify_fails(ledger)
    assert [(p["kind"], p["id"][:11]) for p in found] == [
        ("foreign_key", "assignments"), ("assignments", "CC-2026-999")]
    assert found[1]["detail"] == "no event records this row"
    assert found[1]["id"] == "CC-2026-9999 2026-11-01T00:00:00Z"


def test_a_complaint_deleted_by_hand_is_named_on_every_row_that_refers_to_it(ledger, env,
                                                                             full):
    """Its events' lines said "refers to a missing row of complaints", the complaint's
    id nowhere (an auditor read 24 such lines for one deleted complaint)."""
    cid = full["logged"]
    tamper(env, "PRAGMA foreign_keys = OFF", "DROP TRIGGER IF EXISTS complaints_no_delete",
           f"DELETE FROM complaints WHERE id = '{cid}'")
    found = [p for p in verify_fails(ledger) if p["kind"] == "foreign_key"]
    assert found and {p["detail"] for p in found} == {
        f"refers to complaints {cid}, which is not there"}, found
    zh = ledger("--lang", "zh", "verify", code=1).stdout
    assert f"引用的 complaints {cid} 不存在" in zh, zh


def test_a_deadlines_finding_is_a_sentence_in_the_readers_language(ledger, env, full):
    """"resolve stage (round 2) due_at", in English under --lang zh too."""
    cid = full["reopened"]
    tamper(env, "UPDATE stages SET due_at = '2027-01-31T00:00:00Z' WHERE complaint_id = "
           f"'{cid}' AND stage = 'resolve' AND round = 2")
    (p,) = verify_fails(ledger)
    assert p["detail"] == "the resolve stage's deadline (round 2) is not the one its event " \
        "recorded" and "_detail" not in p
    zh = ledger("--lang", "zh", "verify", code=1).stdout
    assert "处理阶段的期限（第 2 轮）与其事件所记录的不一致" in zh, zh


@pytest.mark.parametrize("sql", [
    None,
    "UPDATE events SET complaint_id = 'CC-2026-9999' WHERE id = (SELECT max(id) FROM events "
    "WHERE complaint_id IS NOT NULL)",
    "UPDATE events SET return_id = 'RMA-2026-0099' WHERE id = (SELECT max(id) FROM events "
    "WHERE complaint_id IS NOT NULL)",
    "UPDATE complaints SET repeat_of = 'CC-2020-0001' WHERE rowid = 1",
    "UPDATE complaints SET import_batch = 7 WHERE rowid = 1",
    "UPDATE stages SET complaint_id = x'4343' WHERE id = 1",
    "UPDATE stages SET complaint_id = 12 WHERE id = 1",
    "DROP TABLE returns",
])
def test_the_foreign_key_fast_check_agrees_with_sqlite(ledger, env, full, sql):
    """Each distinct value looked up once says "all hold" exactly when SQLite's
    foreign_key_check finds nothing, and verify names the rows the PRAGMA names."""
    from complaintctl import audit, store

    if sql is not None:
        tamper(env, "PRAGMA foreign_keys = OFF", "DROP TRIGGER IF EXISTS events_no_update", sql)
    conn = sqlite3.connect(env)
    try:
        pragma = conn.execute("PRAGMA foreign_key_check").fetchall()
        assert store._foreign_keys_hold(conn.cursor()) is (pragma == [])
        named = [p["id"] for p in audit.check_foreign_keys(conn.cursor())]
    finally:
        conn.close()
    assert named == [f"{table} row {rowid}" for table, rowid, _parent, _fk in pragma]
    assert (sql is None) is (pragma == [])


def test_attached_files_are_checked_against_their_hash(ledger, env, full):
    """The blobs of migration 11 (another branch): made here by hand if this ledger has
    none, so the check runs before and after that merge."""
    import hashlib

    first, second = b"photo " * 1000, b"signed delivery note"
    sha = hashlib.sha256(first + second).hexdigest()
    tamper(env, "CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, size INTEGER "
           "NOT NULL, chunks INTEGER NOT NULL)",
           "CREATE TABLE IF NOT EXISTS blob_chunks (sha256 TEXT NOT NULL REFERENCES blobs "
           "(sha256), seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sha256, seq)) "
           "WITHOUT ROWID")
    conn = sqlite3.connect(env)
    conn.execute("INSERT INTO blobs VALUES (?, ?, 2)", (sha, len(first + second)))
    conn.executemany("INSERT INTO blob_chunks VALUES (?, ?, ?)",
                     [(sha, 0, first), (sha, 1, second)])
    conn.commit()
    conn.close()
    assert ledger("verify").stdout.startswith("OK: ")
    tamper(env, "DROP TRIGGER IF EXISTS blob_chunks_no_change")  # as a tamperer would
    tamper(env, "UPDATE blob_chunks SET data = ? WHERE seq = 1",
           params=(b"signed delivery notE",))
    trigger, p = verify_fails(ledger)
    assert (trigger["kind"], trigger["id"]) == ("trigger", "blob_chunks_no_change")
    assert (p["kind"], p["id"], p["expected"]) == ("attachment", sha, sha)


def test_an_altered_attachment_is_named_by_its_complaint_and_number(ledger, env, tmp_path):
    """A forged attachment was named by its sha256 alone (an auditor joined the tables by
    hand to find whose evidence it was), and its size as "6 bytes in 1 chunks"."""
    import hashlib

    cid = ledger.log()
    receipt = tmp_path / "r.txt"
    receipt.write_bytes(b"receipt\n")
    ledger("attach", cid, str(receipt))
    ledger("attach", cid, str(receipt), "--note", "again")  # (the same bytes, stored once)
    sha = hashlib.sha256(b"receipt\n").hexdigest()
    tamper(env, "DROP TRIGGER blob_chunks_no_change",
           "UPDATE blob_chunks SET data = CAST('forged' AS BLOB)")
    found = [p for p in verify_fails(ledger) if p["kind"] == "attachment"]
    assert [(p["id"], p["stored"], p["expected"], p["detail"]) for p in found] == [
        (sha, hashlib.sha256(b"forged").hexdigest(), sha, "the stored bytes do not hash to "
         f"the file's sha256 (attachment {cid} #1 r.txt, {cid} #2 r.txt)"),
        (sha, "6 bytes in 1 chunk", "8 bytes in 1 chunk", "the stored bytes are not the "
         f"file's size (attachment {cid} #1 r.txt, {cid} #2 r.txt)")]
    assert f"{cid} #1 r.txt" in ledger("--lang", "zh", "verify", code=1).stdout


def test_a_long_chain_is_checked_in_parts_with_the_same_findings(ledger, env, full,
                                                                 monkeypatch):
    from complaintctl import audit

    monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
    monkeypatch.setattr(audit.os, "cpu_count", lambda: 3)
    whole = ledger.json("verify")
    assert whole["ok"] and whole["events"] == ledger.rows("SELECT count(*) FROM events")[0][0]
    edited, deleted = event_id(ledger, "assign", 1), event_id(ledger, "revisit", 1)
    tamper(env, "DROP TRIGGER events_no_update", "DROP TRIGGER events_no_delete",
           f"UPDATE events SET actor = 'someone else' WHERE id = {edited}",
           f"DELETE FROM events WHERE id = {deleted}")
    chain = [p["id"] for p in verify_fails(ledger, "--head", whole["head"]["hash"])
             if p["kind"] == "chain"]
    assert chain == [edited, deleted + 1]


@pytest.fixture
def in_parts(monkeypatch):
    """verify as on a large ledger: every check in a process of its own (two spawned
    workers), the chain and the deadlines cut into parts."""
    from complaintctl import audit

    monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
    monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)


def test_in_parts_every_check_finds_what_it_finds_in_one_snapshot(ledger, env, full,
                                                                   monkeypatch):
    earlier = ledger.json("verify")["head"]
    edited = event_id(ledger, "resolve", 1)
    rid = full["return"]
    tamper(env, "DROP TRIGGER events_no_update",
           f"UPDATE events SET actor = 'someone else' WHERE id = {edited}",
           f"UPDATE complaints SET status = 'closed' WHERE id = '{full['assigned']}'",
           "UPDATE stages SET due_at = '2027-01-31T00:00:00Z' WHERE id = (SELECT max(id) "
           f"FROM stages WHERE complaint_id = '{full['reopened']}')",
           "INSERT INTO stages (complaint_id, stage, round, started_at, due_at) VALUES "
           f"('{full['logged']}', 'investigate', 1, '2026-09-30T02:00:00Z', "
           "'2027-01-01T00:00:00Z')",
           f"UPDATE returns SET received_qty = 7 WHERE id = '{rid}'",
           f"UPDATE complaints SET last_contact_at = NULL WHERE id = '{full['closed']}'",
           "UPDATE policy SET duration = '30wd' WHERE stage = 'resolve' AND severity = 'high'",
           "UPDATE day_tallies SET n = n + 5 WHERE measure = 'received' AND day = '2026-11-16'",
           "INSERT INTO assignments (complaint_id, at, actor, department, owner) "
           "VALUES ('CC-2026-9999', '2026-11-01T00:00:00Z', 'x', 'd', 'o')",
           f"UPDATE complaints SET severity = 'low' WHERE id = '{full['closed']}'",
           f"UPDATE complaints SET contact = '0' WHERE id = '{full['resolved']}'",
           "UPDATE stages SET done_at = '2026-10-01T00:00:00Z', outcome = 'done' WHERE "
           f"complaint_id = '{full['logged']}' AND stage = 'assign'")
    whole = verify_fails(ledger, "--head", earlier["hash"])  # (an event before it edited)
    assert {p["kind"] for p in whole} == {"chain", "head", "status", "deadline", "received_qty",
                                          "policy", "day_tally", "foreign_key",
                                          "last_contact", "trigger", "severity",
                                          "resolutions", "assignments", "contact", "stage"}
    from complaintctl import audit

    monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
    for cpus in (2, 3):
        monkeypatch.setattr(audit.os, "cpu_count", lambda cpus=cpus: cpus)
        assert verify_fails(ledger, "--head", earlier["hash"]) == whole


def test_in_parts_a_clean_ledger_verifies_and_finds_an_earlier_head(ledger, full, in_parts):
    data = ledger.json("verify")
    assert data["ok"] and data["events"] == ledger.rows("SELECT count(*) FROM events")[0][0]
    assert ledger.json("verify", "--head", data["head"]["hash"])["head_found"] == data["head"]


def test_in_parts_an_upgraded_ledger_counts_unrecorded_deadlines_apart(run, env, in_parts):
    env.parent.mkdir(parents=True)
    oldest_ledger(env)
    run("upgrade")
    data = run.json("verify")
    assert data["ok"] and data["unrecorded"] >= 1


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_an_event_that_is_not_json_is_named_and_the_rest_still_checked(ledger, env, full,
                                                                       monkeypatch, parts):
    """The deadlines are read without checking every event is JSON (a tenth of verify's
    time on a large ledger): one that is not makes them read again, skipping it."""
    from complaintctl import audit

    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    target = event_id(ledger, "assign", 1)
    tamper(env, "DROP TRIGGER events_no_update",
           f"UPDATE events SET data = '{{\"deadlines\": {{\"investigate\": ' WHERE id = {target}",
           f"UPDATE complaints SET status = 'resolved' WHERE id = '{full['logged']}'")
    found = [(p["kind"], p["id"]) for p in verify_fails(ledger)]
    assert ("chain", target) in found and ("status", full["logged"]) in found


def _rechained(db: Path, sql: str) -> None:
    """An edit to the events made with the append-only trigger set aside, and every
    hash worked out again from the first event on: the chain holds."""
    from complaintctl.store import EVENT_COLUMNS, event_hash

    trigger = schema_of(db, "events_no_update")
    conn = sqlite3.connect(db)
    try:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute(sql)
        previous = ""
        for eid, *row in conn.execute(f"SELECT id, {', '.join(EVENT_COLUMNS)} FROM events "
                                      "ORDER BY id").fetchall():
            previous = event_hash(previous, tuple(row))
            conn.execute("UPDATE events SET hash = ? WHERE id = ?", (previous, eid))
        conn.execute(trigger)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_an_events_data_or_old_edited_into_what_is_not_json_chain_recomputed_is_named(
        ledger, env, full, monkeypatch, parts):
    """An event's data edited into what is not JSON, the chain worked out again: verify
    named the rows its step left (no event records them), never the event itself, which
    show reads as "unreadable". Named as an event not of the tool's form, as its column
    is (data, or an amendment's old values)."""
    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    resolved, amended = event_id(ledger, "resolve"), event_id(ledger, "amend")
    _rechained(env, f"UPDATE events SET data = CASE id WHEN {resolved} THEN '{{not json' "
                    f"ELSE data END, old = CASE id WHEN {amended} THEN '[\"x\"' ELSE old END "
                    f"WHERE id IN ({resolved}, {amended})")
    problems = verify_fails(ledger)
    assert "chain" not in {p["kind"] for p in problems}, problems
    events = [(p["id"], p["stored"], p["detail"]) for p in problems if p["kind"] == "event"]
    assert sorted(events) == sorted([
        (resolved, "{not json", "the event's data is not valid JSON"),
        (amended, '["x"', "the event's old is not valid JSON")]), problems


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_a_day_rollups_ok_changed_directly_shows_the_column_that_differs(
        ledger, env, full, monkeypatch, parts):
    """A day_rollups row of a measure that counts no steps on time, its `ok` raised by
    hand: the line showed its `n` as both values ("1 1")."""
    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    (day, key, n), = ledger.rows("SELECT day, key, n FROM day_rollups WHERE measure = "
                                 "'category' ORDER BY day, key LIMIT 1")
    tamper(env, "UPDATE day_rollups SET ok = ok + 1 WHERE measure = 'category' AND day = ? "
                "AND key = ?", params=(day, key))
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == (
        "day_rollup", f"category {day} {key}", f"{n} (ok 1)", f"{n} (ok 0)"), p
    line = ledger("verify", code=1).stdout.splitlines()[1]
    assert f"{n} (ok 1)" in line and f"{n} (ok 0)" in line


def test_an_object_whose_name_begins_sqlite_is_named_all_the_same(ledger, env, full):
    """Names that begin "sqlite" were all left out as SQLite's own: a table `sqlitespy`
    and a trigger copying each contact into it passed; SQLite keeps only `sqlite_` ones."""
    tamper(env, "CREATE TABLE sqlitespy (contact TEXT)", "CREATE TRIGGER sqlitespy_in AFTER "
                "INSERT ON complaints BEGIN INSERT INTO sqlitespy VALUES (NEW.contact); END")
    found = {(p["kind"], p["id"]) for p in verify_fails(ledger)}
    assert found == {("table", "sqlitespy"), ("trigger", "sqlitespy_in")}, found


def test_in_parts_the_rollups_recount_finds_what_it_finds_in_one_snapshot(ledger, env, full,
                                                                         monkeypatch):
    """The recount of day_rollups by measure and of handling_times, each a task of its
    own: the same problems in the same order, at most rollups.MOST of each table."""
    from complaintctl import audit, rollups

    monkeypatch.setattr(rollups, "MOST", 3)  # here; the spawned workers keep 50
    cid = full["closed"]
    tamper(env, "UPDATE day_rollups SET n = n + 1 WHERE measure IN ('category', 'validity')",
           "INSERT INTO day_rollups VALUES ('cause', '2026-01-01', 'design', 2, 0)",
           "UPDATE day_rollups SET ok = ok + 1 WHERE measure = 'resolve_done'",
           f"UPDATE handling_times SET days = days + 1 WHERE complaint_id = '{cid}'",
           "INSERT INTO handling_times VALUES ('2026-01-01T00:00:00Z', 'CC-2026-9999', 1, 2.0, "
           "NULL, NULL, NULL)")
    whole = verify_fails(ledger)
    rolled = [(p["kind"], p["id"]) for p in whole if p["kind"] in ("day_rollup", "handling_time")]
    assert [k for k, _id in rolled] == ["day_rollup"] * 3 + ["handling_time"] * 2
    assert rolled[0][1].startswith("category ") and rolled[3][1] == f"{cid} round 1 " + \
        ledger.rows(f"SELECT at FROM handling_times WHERE complaint_id = '{cid}'")[0][0]
    assert rolled[4][1] == "CC-2026-9999 round 1 2026-01-01T00:00:00Z"
    monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
    monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    assert verify_fails(ledger) == whole


# Edits by hand an auditor found verify said OK to: each one must be found, by the
# kind of problem given (most need no trigger dropped: these rows have none).
HAND_EDITS = [
    ("DELETE FROM revisits WHERE id = (SELECT min(id) FROM revisits)", "revisits"),
    ("UPDATE actions SET done_at = NULL, done_by = NULL, verified_at = NULL, "
     "verified_by = NULL, verify_note = NULL", "actions"),
    ("UPDATE return_dispositions SET cost_of_loss = 0", "return_dispositions"),
    ("DELETE FROM return_receipts WHERE id = (SELECT min(id) FROM return_receipts)",
     "return_receipts"),
    ("UPDATE complaints SET owner = '某人' WHERE owner IS NOT NULL", "owner"),
    ("UPDATE complaints SET logged_by = 'someone'", "logged_by"),
    ("UPDATE complaints SET reopen_count = 0", "reopen_count"),
    ("UPDATE complaints SET closed_at = NULL WHERE status = 'closed'", "closed_at"),
    ("UPDATE complaints SET close_reason = '客户同意撤诉' WHERE status = 'closed'",
     "close_reason"),
    ("UPDATE complaints SET void_reason = 'x' WHERE status = 'void'", "void_reason"),
    ("UPDATE complaints SET assigned_at = '2026-10-01T00:00:00Z' WHERE assigned_at IS NOT "
     "NULL", "assigned_at"),
    ("UPDATE complaints SET repeat_of = NULL", "repeat_of"),
    ("DELETE FROM assignments", "assignments"),
    ("DELETE FROM investigations WHERE id = (SELECT max(id) FROM investigations)",
     "investigations"),
    ("UPDATE returns SET cause = '用户误用', defective_qty = 0", "inspection"),
    # a guard dropped, the edit, and a guard of the same name that guards nothing put back
    ("DROP TRIGGER notes_no_change", "UPDATE notes SET text = '客户同意撤诉'",
     "CREATE TRIGGER notes_no_change BEFORE UPDATE ON notes WHEN 0 BEGIN SELECT 1; END",
     "notes"),
    ("DROP TRIGGER attachments_no_delete", "DELETE FROM attachments",
     "CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments WHEN 0 BEGIN "
     "SELECT 1; END", "attachments"),
    ("DROP TRIGGER attachments_no_delete", "CREATE TRIGGER attachments_no_delete BEFORE "
     "DELETE ON attachments WHEN 0 BEGIN SELECT 1; END", "trigger"),
]


def test_what_the_steps_left_beside_their_events_is_checked_both_ways(ledger, tmp_path):
    """A deleted unsatisfied call-back, CAPA items undone, a cost of loss zeroed, a
    receipt deleted, the owner, who logged it, reopenings, closing and voiding changed:
    verify said OK, and the reports counted from the edited rows."""
    first = ledger.log()
    again = ledger.log()  # repeats the first
    ledger.to_state(first, "resolved")
    ledger("revisit", first, "--satisfaction", "unsatisfied", "--at", "2026-10-09 15:00")
    ledger("action", "add", first, "--text", "加严检验", "--owner", "李强", "--due",
           "2026-10-30", "--at", "2026-10-09 16:00")
    ledger("action", "done", "1", "--at", "2026-10-10 09:00")
    ledger("action", "verify", "1", "--note", "有效", "--at", "2026-10-11 09:00")
    ledger("note", first, "--text", "客户来电催办", "--at", "2026-10-09 17:00")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    ledger("attach", first, str(photo), "--at", "2026-10-09 17:30")
    ledger.to_state(again, "resolved")
    ledger("close", again, "--no-revisit", "--reason", "客户拒绝回访", "--at",
           "2026-10-20 09:00")
    voided = ledger.log(customer="Acme")
    ledger.to_state(voided, "void")
    rcid = ledger.log(customer="Globex")
    ledger.to_state(rcid, "assigned")
    rid = ledger("return", "open", rcid, "--qty", "2", "--at", "2026-10-04 11:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-10-05 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--cause", "轴承", "--at", "2026-10-05 10:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "2", "--cost", "300",
           "--at", "2026-10-05 11:00")
    assert ledger("verify").stdout.startswith("OK: ")
    clean = ledger.db.read_bytes()
    missed = []
    for *sql, kind in HAND_EDITS:
        ledger.db.write_bytes(clean)
        for suffix in ("-wal", "-shm"):
            Path(f"{ledger.db}{suffix}").unlink(missing_ok=True)
        tamper(ledger.db, *sql)
        found = json.loads(ledger("verify", "--format", "json", code=None).stdout)
        if kind not in {p["kind"] for p in found["problems"]}:
            missed.append((sql, kind, found["problems"]))
    assert missed == []


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_a_value_of_another_type_is_named_and_verify_still_answers(ledger, env, full,
                                                                   monkeypatch, parts):
    """An amount of 1.5 or 'zz' written by hand: verify stopped with "unexpected
    failure" and printed no JSON at all (a cron job parsing it got nothing)."""
    if parts:
        from complaintctl import audit

        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    tamper(env, f"UPDATE complaints SET amount = 1.5 WHERE id = '{full['closed']}'",
           "UPDATE return_dispositions SET cost_of_loss = 'zz' WHERE id = (SELECT min(id) "
           "FROM return_dispositions)")
    found = verify_fails(ledger)
    named = {(p["kind"], p["id"]) for p in found}
    assert ("type", f"complaints {full['closed']} amount") in named
    assert any(kind == "type" and id_.endswith(" cost_of_loss") for kind, id_ in named)
    assert ("amount", full["closed"]) in named  # and what the steps recorded differs
    assert "unexpected failure" not in ledger("verify", code=1).stderr
    # show and report read it too, as it is (they stopped: "Unknown format code 'd' for
    # object of type 'float'")
    tamper(env, f"UPDATE resolutions SET amount = 1.5 WHERE complaint_id = '{full['closed']}'")
    assert ledger.json("show", full["closed"])["resolution"]["amount"] == "0.015"
    ledger("report", "--month", "2026-10", "--format", "json")


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_text_that_is_not_utf8_or_bytes_in_a_text_column_is_named_and_verify_answers(
        ledger, env, full, monkeypatch, parts):
    """One byte that is not UTF-8 (a hand edit, a byte a failing disk flipped) in a text
    cell stopped verify whole: "cannot use ledger (Could not decode to UTF-8 column
    'json_array(c.severity, …' )", no chain checked, the SQL as the problem, a hint about
    free disk space; bytes (a BLOB) there, "JSON cannot hold BLOB values". Each is named
    by table, row and column; the other checks still run; every other command says what
    it met, without its SQL."""
    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    head = ledger.json("verify")["head"]
    tamper(env, f"UPDATE complaints SET region = CAST(x'e58dff' AS TEXT) WHERE id = "
           f"'{full['closed']}'",
           f"UPDATE assignments SET owner = x'e78e8b' WHERE complaint_id = '{full['assigned']}'")
    found = verify_fails(ledger)
    named = [(p["kind"], p["id"], p["stored"]) for p in found if p["kind"] == "type"]
    assert ("type", f"complaints {full['closed']} region", "\ufffd\ufffd") in named
    assert any(kind == "type" and id_.startswith("assignments ") and id_.endswith(" owner")
               and stored == "blob" for kind, id_, stored in named), named
    assert len(named) == 2, named  # (once each, however many checks met it)
    result = json.loads(ledger("verify", "--format", "json", code=1).stdout)
    assert result["head"] == head and result["events"] == head["id"]  # (the chain checked)
    assert ("region", full["closed"]) in {(p["kind"], p["id"]) for p in found}
    out = ledger("verify", code=1)
    assert "Could not decode" not in out.stdout + out.stderr
    assert "not UTF-8" in out.stdout, out.stdout
    r = ledger("show", full["closed"], code=1)
    assert r.stderr == (
        f"Error: {env} holds a value of region that is not text it can read (bytes that are "
        "not UTF-8): it was changed by hand, or damaged on the disk\nHint: complaintctl "
        "verify names where; restore the ledger from your latest backup\n"), r.stderr


def test_bytes_where_text_is_kept_are_said_as_the_ledger_s_not_as_a_failure(ledger, env,
                                                                            full):
    """A BLOB put by hand into a text column comes out of SQLite as bytes: `show --format
    json` said "unexpected failure: TypeError: Object of type bytes is not JSON
    serializable" and the report's JSON "normalize() argument 2 must be str, not bytes"
    (with a hint that it may be a bug). Each now says the ledger holds a value that is
    not text (exit 1), as a value that is not UTF-8 is said."""
    tamper(env, f"UPDATE complaints SET customer = CAST('abc' AS BLOB) WHERE id = "
           f"'{full['closed']}'")
    said = (f"Error: {env} holds a value that is not text it can read (bytes that are not "
            "UTF-8, or not text at all): it was changed by hand, or damaged on the disk\n"
            "Hint: complaintctl verify names where; restore the ledger from your latest "
            "backup\n")
    # (and in a table, CSV or markdown, where it was shown as b'abc', exit 0)
    for argv in (("show", full["closed"], "--format", "json"),
                 ("report", "--since", "2026-01-01", "--until", "2026-12-31", "--format",
                  "json"),
                 *(("show", full["closed"], "--format", f) for f in ("table", "csv",
                                                                      "markdown")),
                 *(("list", "--limit", "0", "--format", f) for f in ("table", "csv",
                                                                      "markdown")),
                 # (an export to a workbook wrote b'abc' into the customer's cell, exit 0)
                 *(("export", "complaints", "--format", f, "--output",
                    str(env.parent / f"out.{f}")) for f in ("csv", "xlsx", "jsonl"))):
        r = ledger(*argv, code=1)
        assert r.stderr == said, (argv, r.stderr)
        assert "unexpected" not in r.stderr
        assert not list(env.parent.glob("out.*")), argv  # (no file left)


def test_bytes_where_text_is_kept_are_named_though_no_check_stops_at_them(ledger, env, full):
    """A deadline stored as a BLOB of its own bytes passed verify (exit 0), left the late
    stage out of `overdue` (bytes never compare with text) and stopped `show`; an event's
    actor or data as a BLOB passed too (the chain hashes their bytes) and went into the
    archive as b'…'. Each is named by table, row and column."""
    head = ledger.json("verify")["head"]
    tamper(env, f"UPDATE stages SET due_at = CAST(due_at AS BLOB) WHERE complaint_id = "
           f"'{full['assigned']}' AND done_at IS NULL",
           "DROP TRIGGER events_no_update",
           f"UPDATE events SET actor = CAST(actor AS BLOB) WHERE id = {head['id']}")
    found = verify_fails(ledger)
    stages = ledger.rows("SELECT rowid FROM stages WHERE complaint_id = ? AND done_at IS "
                         "NULL", (full["assigned"],))
    assert len(stages) == 2  # (investigate and resolve)
    named = {(p["kind"], p["id"], p["stored"], p["expected"]) for p in found
             if p["kind"] == "type"}
    assert named == {*(("type", f"stages {rowid} due_at", "blob", "text")
                       for (rowid,) in stages),
                     ("type", f"events {head['id']} actor", "blob", "text")}, found


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_a_complaint_id_stored_as_bytes_is_named_once_and_the_other_checks_run(
        ledger, env, full, monkeypatch, parts):
    """A complaint's id made a BLOB by hand stopped verify whole with its own error, "holds
    a value that is not text … Hint: complaintctl verify names where" (exit 1, the JSON
    empty): a check met `'bytes' object has no attribute 'encode'`. The id is named once
    (check_types and check_text alike: it was also said as b'CC-…'), the checks that stop
    say so without Python's words, and the rest still run."""
    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    cid = full["closed"]
    tamper(env, f"UPDATE complaints SET id = CAST(id AS BLOB) WHERE id = '{cid}'")
    found = verify_fails(ledger)
    types = [(p["id"], p["stored"], p["expected"]) for p in found if p["kind"] == "type"]
    assert types == [(f"complaints {cid} id", "blob", "text")], types
    stopped = [p for p in found if p["kind"] == "check"]
    assert stopped and all(p["stored"] is None for p in stopped), stopped
    assert any(p["kind"] == "foreign_key" and cid in p["detail"] for p in found), found
    out = ledger("verify", code=1).stdout
    assert "b'" not in out and "AttributeError" not in out and "object has no" not in out, out


def test_an_event_s_complaint_id_as_bytes_is_said_once_and_without_python_s_words(
        ledger, env, full):
    """An event's complaint id made a BLOB: the foreign key's line said "refers to
    complaints b'CC-…'", and the complaint's deadline lines came twice (the check and its
    second reading), counted twice. Bytes are said as SQLite writes them; each line once."""
    target = event_id(ledger, "assign")
    (cid,) = ledger.rows("SELECT complaint_id FROM events WHERE id = ?", (target,))[0]
    tamper(env, "DROP TRIGGER events_no_update",
           f"UPDATE events SET complaint_id = CAST(complaint_id AS BLOB) WHERE id = {target}")
    found = verify_fails(ledger)
    said = [json.dumps(p, sort_keys=True) for p in found]
    assert len(said) == len(set(said)), found
    (key,) = [p for p in found if p["kind"] == "foreign_key" and p["id"] == f"events row {target}"]
    assert key["detail"] == f"refers to complaints x'{cid.encode().hex()}', which is not there"
    out = ledger("verify", code=1)
    assert "b'" not in out.stdout + out.stderr, out.stdout


def test_values_of_another_type_beyond_those_listed_are_counted(ledger, env, full,
                                                               monkeypatch):
    """verify lists at most _TYPES_MOST such values a table, and said nothing of the rest:
    "101 problems found" of 2,000 rows changed. The rest are counted on one line."""
    monkeypatch.setattr(audit, "_TYPES_MOST", 2)
    tamper(env, "UPDATE complaints SET region = CAST('x' AS BLOB)")
    (n,) = ledger.rows("SELECT count(*) FROM complaints")[0]
    assert n > 3
    found = [p for p in verify_fails(ledger) if p["kind"] == "type"]
    assert len(found) == 3, found
    assert found[-1] == {"kind": "type", "id": "complaints", "stored": f"{n - 2}",
                         "expected": None, "detail": f"{n - 2} more rows of this table hold "
                         "a value of another type than its column's (the first 2 are listed)"}


def test_a_contact_that_is_not_utf8_is_shown_masked(ledger, env, full):
    """verify's line of a value that is not UTF-8 showed it whole: one flipped byte in a
    contact mailed the customer's phone number from cron. A contact is shown masked."""
    tamper(env, f"UPDATE complaints SET contact = CAST(contact || x'ff' AS TEXT) WHERE id = "
           f"'{full['closed']}'")
    out = ledger("verify", code=1)
    assert "13812345678" not in out.stdout and "12345678" not in out.stdout, out.stdout
    (line,) = [p for p in verify_fails(ledger) if p["kind"] == "type"]
    assert line["id"] == f"complaints {full['closed']} contact"
    assert line["stored"] == "*******5678*", line


def test_a_reader_that_stops_early_does_not_hide_the_problems(run, tmp_path):
    """`verify | head` on more problems than a pipe holds exited 0 with no "Error:" line
    (a reader gone is no error for a listing): a monitor reading the exit code was told
    the ledger was whole. The problems found still exit 1 and say so."""
    db = tmp_path / "demo.db"
    run("demo", "--db", db, "--complaints", "800")
    tamper(db, "UPDATE complaints SET region = 'X' WHERE region IS NOT NULL")
    proc = subprocess.Popen([sys.executable, "-m", "complaintctl", "--db", str(db), "verify"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "COMPLAINTCTL_USER": "tester"})
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"kind ")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1, err
    assert err.startswith("Error: ") and " problems found\n" in err, err


def test_an_interrupt_stops_the_parallel_checks_at_once(run, tmp_path):
    """Ctrl-C during a verify of a large ledger (its checks in worker processes) could hang
    it for good in the pool's join, or leave a warning of leaked semaphores. Each worker
    has a pipe of its own and is killed: the interrupt comes through at once, and no
    worker is left."""
    import multiprocessing
    import signal
    import time

    import support

    db = tmp_path / "demo.db"
    run("demo", "--db", db, "--complaints", "20")
    plan = [(("sleep", n), support.sleepy, (60,)) for n in range(4)]

    def ctrl_c(_signum, _frame):  # (Ctrl-C's own handler's doing; a kernel timer, which
        raise KeyboardInterrupt  # faketime leaves alone, where a thread's timer never fired)

    before = signal.signal(signal.SIGALRM, ctrl_c)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, 3)
    try:
        with pytest.raises(KeyboardInterrupt):
            audit._in_parallel(db, plan, 2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    assert time.monotonic() - start < 30
    assert multiprocessing.active_children() == []
    # and the checks' results come back by their keys when nothing stops them
    plan = [(("sleep", n), support.sleepy, (0,)) for n in range(5)]
    assert audit._in_parallel(db, plan, 2) == {("sleep", n): [] for n in range(5)}


def test_a_check_that_stops_at_a_value_says_so_and_the_others_still_run(ledger, env, full,
                                                                        monkeypatch):
    """Whatever a value written by hand does to one check, verify answers: that check
    says where it stopped, the others still report (exit 1, the JSON whole)."""
    from complaintctl import audit

    def stops(cur):
        raise ValueError("Unknown format code 'd' for object of type 'float'")

    monkeypatch.setattr(audit, "check_returns", stops)
    tamper(env, f"UPDATE complaints SET status = 'closed' WHERE id = '{full['assigned']}'")
    found = verify_fails(ledger)
    assert [(p["kind"], p["id"]) for p in found] == [
        ("status", full["assigned"]), ("check", "returns")]
    # (said in verify's words: Python's, "ValueError: Unknown format code 'd' …", are
    # no auditor's business)
    assert found[1]["stored"] is None and found[1]["detail"].startswith(
        "this check stopped at a value it cannot read"), found[1]


def test_a_deleted_init_event_is_not_put_down_to_an_upgraded_ledger(ledger, env, full):
    """The first event (init) deleted: the chain named it, and a note beside it put the
    settings no event recorded down to "an upgraded ledger"."""
    tamper(env, "DROP TRIGGER events_no_delete",
           "DELETE FROM events WHERE id = (SELECT min(id) FROM events)")
    r = ledger("verify", code=1)
    assert r.stdout.startswith("kind") and "\nchain " in r.stdout
    assert "upgraded ledger" not in r.stderr, r.stderr


def test_the_numbering_and_unknown_settings_are_checked(ledger, env, full):
    """An id counter lowered by hand made every `log` fail on a number given already
    (raised, ids were skipped); the last event deleted (its trigger dropped first) or
    the events' counter set back, and a setting complaintctl never writes (one put in
    to make `demo` write into a real ledger): verify said OK to each."""
    tamper(env, "UPDATE id_counters SET last = last - 1 WHERE kind = 'complaint'",
           "INSERT INTO settings VALUES ('contact_key', 'x')",
           "UPDATE sqlite_sequence SET seq = seq + 3 WHERE name = 'events'")
    found = {(p["kind"], p["id"]): (p["stored"], p["expected"]) for p in verify_fails(ledger)}
    (last,), = ledger.rows("SELECT max(id) FROM events")
    (given,), = ledger.rows("SELECT max(seq) FROM complaints WHERE year = 2026")
    assert found == {("id_counter", "complaint 2026"): (given - 1, given),
                     ("setting", "contact_key"): ("x", None),
                     ("events", "sqlite_sequence"): (last + 3, last)}, found
    # a log then stopped on the number given already: said as the hand's change, not as
    # a disk to look at ("cannot use ledger … (UNIQUE constraint failed …)", free space)
    before = ledger.snapshot()
    r = ledger("log", "--customer", "Z", "--description", "d", "--channel", "phone",
               "--category", "quality", "--severity", "low", "--no-input", code=1)
    assert "holds rows its counters do not account for (UNIQUE constraint failed: " \
        "complaints.year, complaints.seq): it was changed by hand" in r.stderr, r.stderr
    assert "Hint: complaintctl verify names what differs" in r.stderr and \
        "disk" not in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_a_rounds_previous_time_and_a_returns_closing_are_checked(ledger, env, full):
    """previous_at set back by hand moved a reopened complaint into another month's
    resolved count and reopen rate; a return's closed_at emptied listed it among the
    open ones; its reason, product and lot changed: verify said OK to each."""
    cid = full["resolved"]
    ledger("revisit", cid, "--satisfaction", "unsatisfied")
    ledger("investigate", cid, "--finding", "again")
    ledger("resolve", cid, "--disposition", "exchange", "--summary", "again")
    rid = ledger("return", "open", cid, "--qty", "1", "--reason", "异响").stdout.strip()
    ledger("return", "receive", rid, "--qty", "1")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "1")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "1")
    ledger("return", "close", rid)
    tamper(env, "UPDATE resolutions SET previous_at = '2020-01-01T00:00:00Z' WHERE round = 2",
           f"UPDATE returns SET closed_at = NULL, reason = 'x' WHERE id = '{rid}'")
    found = {(p["kind"], p["id"]) for p in verify_fails(ledger)}
    assert {("resolutions", f"{cid} #2"), ("return_closed", rid),
            ("return_opened", rid)} <= found, found


def test_a_received_time_changed_by_hand_is_named_alone(ledger, env, full):
    """received_at set back by hand: verify named it, and named last_step_at too, with an
    "expected" value worked out from the tampered received_at (the bound's own value
    was untouched and right)."""
    cid = ledger.log(received="2026-10-09 09:00")
    (received,), = ledger.rows("SELECT received_at FROM complaints WHERE id = ?", (cid,))
    tamper(env, f"UPDATE complaints SET received_at = '2026-10-01T01:00:00Z' WHERE id = '{cid}'")
    found = [(p["kind"], p["id"], p["stored"], p["expected"]) for p in verify_fails(ledger)]
    assert found == [("received_at", cid, "2026-10-01T01:00:00Z", received)], found
    # set later than its first step: not a step dated before it was received as well
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-10-09 10:00")
    tamper(env, f"UPDATE complaints SET received_at = '2026-10-20T01:00:00Z' WHERE id = '{cid}'")
    found = [(p["kind"], p["id"]) for p in verify_fails(ledger)]
    assert found == [("received_at", cid)], found


def test_a_revisits_states_changed_directly_are_named_once(ledger, env, full):
    """A closing revisit made a reopening (to_status), its day's tally of closings
    lowered to match, passed verify: the reports counted one closing less and one
    reopening more. Each revisit row holds the status its event recorded and the one
    before (its old status); a changed from_status is named on its row alone, not again
    on the revisit stage it ended."""
    closed = full["closed"]
    assert ledger("verify").exit_code == 0
    (rid, day), = ledger.rows("SELECT id, substr(at, 1, 10) FROM revisits WHERE "
                              "complaint_id = ?", (closed,))
    clean = env.read_bytes()
    tamper(env, f"UPDATE revisits SET to_status = 'investigating' WHERE id = {rid}",
           "UPDATE day_tallies SET n = n - 1 WHERE measure = 'closing_revisits' AND "
           f"day = '{day}'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"].split()[0]) == ("revisits", closed), p
    assert p["detail"] == "this row is not what its event recorded (in to_status)", p
    assert json.loads(p["stored"])[-2:] == ["investigating", "resolved"], p
    assert json.loads(p["expected"])[-2:] == ["closed", "resolved"], p
    env.write_bytes(clean)
    tamper(env, f"UPDATE revisits SET from_status = 'closed' WHERE id = {rid}",
           "UPDATE day_tallies SET n = n - 1 WHERE measure = 'closing_revisits' AND "
           f"day = '{day}'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"].split()[0]) == ("revisits", closed), p
    assert p["detail"] == "this row is not what its event recorded (in from_status)", p


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_a_stages_start_moved_directly_is_named(ledger, env, full, monkeypatch, parts):
    """An open investigation's started_at moved a year later passed verify, and the
    stage dropped out of `overdue --as-of` for that year. Each stage starts at the time
    of the step that opened it (the assignment here; a return's receipt; a reopening
    revisit for a later round), as its deadline is the one that step's event recorded."""
    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    assigned, reopened, rid = full["assigned"], full["reopened"], full["return"]
    assert ledger("verify").exit_code == 0
    (opened,), = ledger.rows("SELECT at FROM events WHERE complaint_id = ? AND kind = "
                             "'assign'", (assigned,))
    (started,), = ledger.rows("SELECT started_at FROM stages WHERE complaint_id = ? AND "
                              "stage = 'investigate'", (assigned,))
    assert started == opened
    def late() -> list[tuple[str, str]]:
        return [(r["id"], r["stage"]) for r in ledger.json("overdue", "--as-of", "2026-11-20")]

    assert (assigned, "investigate") in late()
    tamper(env, "UPDATE stages SET started_at = strftime('%Y-%m-%dT%H:%M:%SZ', started_at, "
                f"'+1 year') WHERE complaint_id = '{assigned}' AND stage = 'investigate'",
           "UPDATE stages SET started_at = '2026-10-20T00:00:00Z' WHERE complaint_id = "
           f"'{reopened}' AND stage = 'resolve' AND round = 2",
           "UPDATE stages SET started_at = '2026-11-16T00:00:00Z' WHERE return_id = "
           f"'{rid}' AND stage = 'inspect'")
    assert (assigned, "investigate") not in late()
    (reopening,), = ledger.rows("SELECT at FROM events WHERE complaint_id = ? AND kind = "
                                "'revisit'", (reopened,))
    (receipt,), = ledger.rows("SELECT min(at) FROM return_receipts WHERE return_id = ?",
                              (rid,))
    found = sorted((p["kind"], p["id"], p["stored"], p["expected"], p["detail"])
                   for p in verify_fails(ledger))
    detail = "this row is not what its event recorded (in started_at)"
    assert found == sorted([
        ("stages", f"{assigned} investigate round 1", "2027" + opened[4:], opened, detail),
        ("stages", f"{reopened} resolve round 2", "2026-10-20T00:00:00Z", reopening, detail),
        ("stages", f"{rid} inspect round 1", "2026-11-16T00:00:00Z", receipt, detail)]), found


def test_a_stage_started_again_by_an_amended_received_time_is_checked(ledger, env):
    """An amendment of the received time starts the complaint's open assign and resolve
    stages at it (its event records their deadlines only where they moved: 10:00 and
    11:00 of a Saturday give the same working-day deadline); a stage done before keeps
    its start; a correction of a return's count opens the disposition it owes from
    when it was entered (its event is dated when the goods came). All of it verifies,
    and a start set back to what it was before the amendment is named."""
    moved = ledger.log(received="2026-11-14 10:00")  # a Saturday
    ledger("amend", moved, "--received", "2026-11-14 11:00", "--reason", "时间有误")
    (data,), = ledger.rows("SELECT data FROM events WHERE complaint_id = ? AND kind = "
                           "'amend'", (moved,))
    assert "deadlines" not in json.loads(data), data
    done = ledger.log(received="2026-11-10 10:00", customer="Acme")
    ledger("assign", done, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-10 12:00")
    ledger("amend", done, "--received", "2026-11-10 09:00", "--reason", "时间有误")
    assert ledger.rows("SELECT stage, started_at FROM stages WHERE complaint_id = ? AND "
                       "stage IN ('assign', 'resolve') ORDER BY stage", (done,)) == [
        ("assign", "2026-11-10T02:00:00Z"), ("resolve", "2026-11-10T01:00:00Z")]
    rcid = ledger.log(received="2026-11-02 10:00", customer="Globex", severity="high")
    ledger("assign", rcid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-02 10:30")
    rid = ledger("return", "open", rcid, "--qty", "5", "--at", "2026-11-02 11:00").stdout.strip()
    received_and_scrapped(ledger, rid, 2, 2, 2, ("2026-11-03 10:00", "2026-11-04 10:00",
                                                 "2026-11-05 10:00"))
    ledger("return", "correct", rid, "--received", "4", "--reason", "少数了")
    (at, recorded), = ledger.rows("SELECT at, recorded_at FROM events WHERE return_id = ? "
                                  "ORDER BY id DESC LIMIT 1", (rid,))
    assert ledger.rows("SELECT started_at FROM stages WHERE return_id = ? AND stage = "
                       "'dispose' AND round = 2", (rid,)) == [(recorded,)] and at < recorded
    assert ledger("verify").exit_code == 0
    tamper(env, "UPDATE stages SET started_at = '2026-11-14T02:00:00Z' WHERE complaint_id = "
                f"'{moved}' AND stage = 'assign'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"]) == (
        "stages", f"{moved} assign round 1", "2026-11-14T02:00:00Z", "2026-11-14T03:00:00Z"), p


def test_a_corrections_stage_may_start_before_its_event_was_recorded():
    """A command reads its clock before it waits for the ledger, and its event is
    recorded no earlier than the one before it (store.chained): the disposition a
    correction opens may start up to five minutes before its event's recorded_at."""
    recorded = "2026-11-23T12:05:00Z"
    events = [("C-1", "R-1", "return-receive", '{"dispose": "2026-11-26T12:05:00Z"}',
               recorded, None, None, 1)]

    def found(started: str) -> list[str]:
        rows = [("C-1", "R-1", "dispose", 2, "2026-11-26T12:05:00Z", started)]
        return [p["id"] for p in audit._complaint_deadlines("C-1", events, rows, False)[0]]

    assert found(recorded) == [] and found("2026-11-23T12:01:30Z") == []
    assert found("2026-11-23T11:55:00Z") == ["R-1 dispose round 2"]
    assert found("2026-11-23T12:06:00Z") == ["R-1 dispose round 2"]


def test_a_resolutions_round_changed_directly_is_named_once(ledger, env, full):
    """A resolution's round changed by hand, its handling times worked out again to
    match, passed verify: the reopen rate and the handling of a round count by it.
    Named on the resolution's row alone (in round), not again as its previous_at or as
    the resolve stage it ended."""
    from complaintctl import rollups

    closed, reopened = full["closed"], full["reopened"]
    ledger("investigate", reopened, "--finding", "again", "--at", "2026-10-10 09:00")
    ledger("resolve", reopened, "--disposition", "refund", "--amount", "100", "--summary",
           "退款", "--approved-by", "经理", "--at", "2026-10-10 10:00")
    assert ledger("verify").exit_code == 0

    def handling(cid: str) -> tuple[str, str]:
        return (f"DELETE FROM handling_times WHERE complaint_id = '{cid}'",
                "INSERT INTO handling_times " + rollups.HANDLING.format(
                    r=f"r.complaint_id = '{cid}'"))

    clean = env.read_bytes()
    for cid, sql in ((closed, "UPDATE resolutions SET round = 2 WHERE complaint_id = ?"),
                     (reopened, "UPDATE resolutions SET round = 1 WHERE complaint_id = ? AND "
                                "round = 2")):
        env.write_bytes(clean)
        tamper(env, sql.replace("?", f"'{cid}'"), *handling(cid))
        problems = verify_fails(ledger)
        assert [(p["kind"], p["id"].split()[0], p["detail"]) for p in problems] == [
            ("resolutions", cid, "this row is not what its event recorded (in round)")], \
            problems


def test_a_complaints_resolution_columns_changed_directly_are_named(ledger, env, full):
    """The complaint's resolution time, approver, summary and currency (what show, list
    and the exports read) rewritten by hand passed verify: each is what its latest
    resolve event recorded, the previous round's while a reopened complaint waits for
    its next one."""
    paid, closed = full["investigating"], full["closed"]
    ledger("resolve", paid, "--disposition", "refund", "--amount", "1200", "--summary",
           "退款", "--approved-by", "经理", "--at", "2026-10-09 10:00")
    (resolved,), = ledger.rows("SELECT at FROM events WHERE complaint_id = ? AND kind = "
                               "'resolve'", (paid,))
    assert ledger("verify").exit_code == 0
    tamper(env, "UPDATE complaints SET resolved_at = '2026-10-01T00:00:00Z', approved_by = "
                f"'总经理', resolution_summary = '已退款', currency = 'USD' WHERE id = '{paid}'",
           f"UPDATE complaints SET resolution_summary = NULL WHERE id = '{closed}'",
           f"UPDATE complaints SET approved_by = '某人' WHERE id = '{full['logged']}'")
    found = {(p["kind"], p["id"]): (p["stored"], p["expected"]) for p in verify_fails(ledger)}
    assert found == {
        ("resolved_at", paid): ("2026-10-01T00:00:00Z", resolved),
        ("approved_by", paid): ("总经理", "经理"),
        ("resolution_summary", paid): ("已退款", "退款"),
        ("currency", paid): ("USD", "CNY"),
        ("resolution_summary", closed): (None, "换新"),
        ("approved_by", full["logged"]): ("某人", None)}, found


def test_a_returns_opener_changed_directly_is_named(ledger, env, full):
    """Who opened a return (show's "opened by") rewritten by hand passed verify: it is
    the actor of its return-open event."""
    rid = full["return"]
    assert ledger("verify").exit_code == 0
    tamper(env, f"UPDATE returns SET opened_by = '某人' WHERE id = '{rid}'")
    (p,) = verify_fails(ledger)
    assert (p["kind"], p["id"], p["stored"], p["expected"], p["detail"]) == (
        "returns", rid, "某人", "tester",
        "this row is not what its event recorded (in opened_by)"), p
    # beside the opening's other columns, each named as before
    tamper(env, f"UPDATE returns SET authorised_qty = 50 WHERE id = '{rid}'")
    assert sorted(p["kind"] for p in verify_fails(ledger)) == ["return_opened", "returns"]


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_a_complaints_log_and_first_step_swapped_chain_recomputed_is_named(
        ledger, env, monkeypatch, parts):
    """Two events of a complaint swapped (its assign before its log), every hash worked
    out again: verify said OK when the status came out the same (the assign was not its
    latest step). Its first event must be its log."""
    from complaintctl.store import EVENT_COLUMNS

    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    logged, assigned = (ledger.rows("SELECT id FROM events WHERE complaint_id = ? AND kind = ?",
                                    (cid, kind))[0][0] for kind in ("log", "assign"))
    ledger("verify")
    columns = ", ".join(EVENT_COLUMNS)
    conn = sqlite3.connect(env)
    rows = {eid: row for eid, *row in conn.execute(
        f"SELECT id, {columns} FROM events WHERE id IN (?, ?)", (logged, assigned))}
    conn.close()
    sets = ", ".join(f"{c} = ?" for c in EVENT_COLUMNS)
    conn = sqlite3.connect(env)
    trigger = schema_of(env, "events_no_update")
    conn.execute("DROP TRIGGER events_no_update")
    for eid, other in ((logged, assigned), (assigned, logged)):
        conn.execute(f"UPDATE events SET {sets} WHERE id = ?", (*rows[other], eid))
    conn.execute(trigger)
    conn.commit()
    conn.close()
    _rechained(env, "SELECT 1")
    problems = verify_fails(ledger)
    assert "chain" not in {p["kind"] for p in problems}, problems
    assert [(p["id"], p["stored"], p["detail"]) for p in problems
            if p["kind"] == "first_event"] == [
        (cid, "assign", "the complaint's first event is not its log: its history is out of "
                        "order")], problems


def test_two_events_swapped_with_their_chain_worked_out_again_are_said_as_either_cause(
        ledger, env):
    """Two steps' events swapped, and the hashes worked out again: verify named it, but
    said only that the bound (last_step_at) had been set back by hand, a column nobody
    had touched. It says both causes it can be."""
    import hashlib

    cid = ledger.log(received="2026-11-01 09:00")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-01 10:00")
    ledger("investigate", cid, "--finding", "拆机", "--at", "2026-11-02 10:00")
    ledger("investigate", cid, "--finding", "轴承磨损", "--at", "2026-11-03 10:00")
    a, b = [i for (i,) in ledger.rows("SELECT id FROM events WHERE kind = 'investigate' "
                                      "ORDER BY id")]
    cols = ["complaint_id", "return_id", "at", "recorded_at", "actor", "login", "kind",
            "data", "old"]
    conn = sqlite3.connect(env)
    try:
        trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = "
                               "'events_no_update'").fetchone()[0]
        conn.execute("DROP TRIGGER events_no_update")
        one = conn.execute(f"SELECT {', '.join(cols)} FROM events WHERE id = ?", (a,)).fetchone()
        two = conn.execute(f"SELECT {', '.join(cols)} FROM events WHERE id = ?", (b,)).fetchone()
        sets = ", ".join(f"{c} = ?" for c in cols)
        conn.execute(f"UPDATE events SET {sets} WHERE id = ?", (*two, a))
        conn.execute(f"UPDATE events SET {sets} WHERE id = ?", (*one, b))
        previous = ""
        for row in conn.execute(f"SELECT id, {', '.join(cols)} FROM events ORDER BY id"
                                ).fetchall():
            previous = hashlib.sha256("\x1f".join(
                [previous, *("" if v is None else str(v) for v in row[1:])]).encode()
            ).hexdigest()
            conn.execute("UPDATE events SET hash = ? WHERE id = ?", (previous, row[0]))
        conn.execute(trigger)
        conn.commit()
    finally:
        conn.close()
    found = verify_fails(ledger)
    order = [p for p in found if p["kind"] == "step_order"]
    assert [(p["id"], p["detail"]) for p in order] == [
        (cid, "the step is dated before the step it follows: the events were put in another "
              "order, or its bound (last_step_at) was set back by hand when it was taken")], found


def test_a_table_whose_check_or_foreign_key_was_taken_out_by_hand_is_named(ledger, env):
    """CHECK (quantity IS NULL OR quantity > 0) and REFERENCES complaints (id) taken out
    of the tables' SQL with writable_schema: verify said OK, "the schema as written",
    where the tables no longer refused what they refuse (an events row naming no
    complaint among them). Named, by table, with what is missing."""
    ledger.log()
    conn = sqlite3.connect(env)
    try:
        conn.execute("PRAGMA writable_schema = ON")
        for name, cut in (("complaints", "CHECK (quantity IS NULL OR quantity > 0)"),
                          ("events", "REFERENCES complaints (id)")):
            (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                  (name,)).fetchone()
            assert cut in sql
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?",
                         (sql.replace(cut, ""), name))
        conn.commit()
    finally:
        conn.close()
    found = verify_fails(ledger)
    tables = {p["id"]: p for p in found if p["kind"] == "table"}
    assert tables.keys() == {"complaints", "events"}, found
    assert "CHECK (quantity IS NULL OR quantity > 0)" in tables["complaints"]["expected"]
    assert tables["events"]["expected"] == "complaint_id REFERENCES complaints (id)"
    assert tables["events"]["stored"] is None


@pytest.mark.parametrize("parts", [False, True], ids=["whole", "in-parts"])
def test_bytes_in_a_text_column_no_json_reads_are_named_and_the_json_is_whole(
        ledger, env, full, monkeypatch, parts):
    """A BLOB in stages.due_at (a column no check reads through JSON) stopped verify with
    "unexpected failure: Object of type bytes is not JSON serializable", and --format json
    printed nothing; one in done_at was shown as Python's b'…'. Named by table, row and
    column; a value read as bytes said as SQLite writes a BLOB, x'00ff'."""
    if parts:
        monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
        monkeypatch.setattr(audit.os, "cpu_count", lambda: 2)
    (sid,) = ledger.rows("SELECT min(id) FROM stages WHERE due_at IS NOT NULL")[0]
    tamper(env, f"UPDATE stages SET due_at = x'00ff' WHERE id = {sid}")
    found = verify_fails(ledger)
    assert ("type", f"stages {sid} due_at", "blob") in {
        (p["kind"], p["id"], p["stored"]) for p in found}, found
    assert any(p["stored"] == "x'00ff'" for p in found), found
    out = ledger("verify", code=1)
    assert "unexpected failure" not in out.stderr and "b'" not in out.stdout, out.stdout
