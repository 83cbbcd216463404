"""The whole life of a complaint through the real command: output, stored
rows and events."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintctl.store import encode as _encode


def test_log_prints_id_and_stores_record(ledger):
    result = ledger("log", "--customer", "Acme Ltd", "--description", "Motor hums",
                    "--category", "quality", "--severity", "high", "--channel", "email",
                    "--product", "XD-200", "--lot", "L1", "--quantity", "5", "--order", "SO-1",
                    "--region", "华东", "--demand", "exchange", "--shipped", "2026-09-01",
                    "--contact", "buyer@acme.example", "--received", "2026-09-30 10:00")
    assert result.stdout == "CC-2026-0001\n"
    assert "Logged CC-2026-0001 (high)" in result.stderr
    row = ledger.rows("SELECT id, status, customer, severity, received_at, logged_by, quantity, "
                      "shipped_on, contact FROM complaints")[0]
    assert row == ("CC-2026-0001", "logged", "Acme Ltd", "high", "2026-09-30T02:00:00Z",
                   "tester", 5, "2026-09-01", "buyer@acme.example")
    events = ledger.rows("SELECT kind, actor, at FROM events WHERE complaint_id IS NOT NULL")
    assert events == [("log", "tester", "2026-09-30T02:00:00Z")]
    # ids are sequential and never reused
    assert ledger.log(customer="B", product="P2") == "CC-2026-0002"


def test_happy_path(ledger):
    cid = ledger.log()
    ledger("--as", "周敏", "assign", cid, "--dept", "质量部", "--owner", "王芳", "--at",
           "2026-09-30 11:00")
    r = ledger("investigate", cid, "--finding", "3 台均有异响", "--at", "2026-10-08 09:00")
    assert f"{cid} is investigating" in r.stderr
    ledger("investigate", cid, "--cause", "装配扭矩不足", "--cause-category", "manufacturing",
           "--responsibility", "company", "--containment", "隔离库存", "--corrective", "改扭矩",
           "--preventive", "加检验", "--at", "2026-10-08 15:00")
    action = ledger("action", "add", cid, "--text", "更新作业指导书", "--owner", "刘洋",
                    "--due", "2026-11-30", "--at", "2026-10-08 16:00").stdout.strip()
    r = ledger("resolve", cid, "--disposition", "refund", "--summary", "退款 1,250.50 元",
               "--amount", "1250.50", "--approved-by", "质量经理", "--at", "2026-10-09 10:00")
    assert "approver" not in r.stderr, r.stderr
    ledger("action", "done", action)
    ledger("action", "verify", action, "--note", "三批无复发")
    r = ledger("revisit", cid, "--satisfaction", "satisfied", "--method", "phone",
               "--demand-met", "--note", "满意", "--at", "2026-10-10 10:00")
    assert f"{cid} is closed" in r.stderr

    rec = ledger.json("show", cid)
    assert rec["status"] == "closed"
    assert rec["department"] == "质量部" and rec["owner"] == "王芳"
    assert rec["investigation"]["root_cause"] == "装配扭矩不足"
    assert rec["investigation"]["validity"] == "upheld"
    assert len(rec["investigation"]["entries"]) == 2  # findings accumulate
    assert rec["resolution"]["amount"] == "1250.50" and rec["resolution"]["currency"] == "CNY"
    assert rec["actions"][0]["verified_by"] == "tester"
    assert rec["revisits"][0]["satisfaction"] == "satisfied"
    assert rec["revisits"][0]["demand_met"] is True
    assert [e["kind"] for e in rec["events"]] == [
        "log", "assign", "investigate", "investigate", "action-add", "resolve", "revisit",
        "action-done", "action-verify"]
    assert rec["events"][1]["actor"] == "周敏"
    # every stage done; the resolve stage by its 5-wd deadline
    stages = {s["stage"]: s for s in rec["stages"]}
    assert set(stages) == {"assign", "investigate", "resolve", "revisit"}
    assert all(s["done_at"] for s in stages.values())
    assert stages["resolve"]["due_at"] == "2026-10-13T02:00:00Z"
    assert ledger.rows("SELECT amount FROM complaints") == [(125050,)]


def test_reopen_path(ledger):
    cid = ledger.log()
    ledger.to_state(cid, "resolved")
    r = ledger("revisit", cid, "--satisfaction", "unsatisfied", "--demand-not-met",
               "--at", "2026-10-09 16:00")
    assert f"{cid} is investigating" in r.stderr
    assert "reopened (1)" in r.stderr
    rec = ledger.json("show", cid)
    assert rec["status"] == "investigating" and rec["reopen_count"] == 1
    # second resolve: 3 working days from the reopen, Fri 16:00 → Sat 10 Oct (a make-up
    # working day), Mon, Tue 16:00
    second = [s for s in rec["stages"] if s["stage"] == "resolve" and s["round"] == 2][0]
    assert second["due_at"] == "2026-10-13T08:00:00Z" and second["done_at"] is None
    assert rec["deadlines"]["resolve"] == "2026-10-13T08:00:00Z"
    r = ledger("resolve", cid, "--disposition", "compensation", "--amount", "300",
               "--summary", "补偿 300 元", "--at", "2026-10-12 10:00")
    # money moved without the approval SPEC's resolve records (主管批示): taken, and said
    assert r.stderr.startswith(f"Warning: {cid}: 300.00 CNY recorded with no approver "
                               "(--approved-by); an approval given later goes in a note\n"), \
        r.stderr
    ledger("revisit", cid, "--satisfaction", "basically-satisfied", "--at", "2026-10-12 17:00")
    rec = ledger.json("show", cid)
    assert rec["status"] == "closed" and rec["reopen_count"] == 1
    assert [r["round"] for r in rec["resolutions"]] == [1, 2]
    # the second round keeps when the first was resolved (the year's counts read it)
    assert ledger.rows("SELECT round, previous_at FROM resolutions ORDER BY round") == [
        (1, None), (2, rec["resolutions"][0]["at"])]
    assert [r["satisfaction"] for r in rec["revisits"]] == ["unsatisfied",
                                                           "basically-satisfied"]
    kinds = [e["kind"] for e in rec["events"]]
    assert kinds.count("revisit") == 2 and kinds.count("resolve") == 2
    reopen = [e for e in rec["events"] if e["kind"] == "revisit"][0]
    assert reopen["data"]["reopen_count"] == 1 and reopen["old"]["status"] == "resolved"


@pytest.mark.parametrize("word", ["无", "（无）", "n/a", "/", "Ｎ／Ａ", "ＮＯＮＥ"])
def test_an_approver_that_means_none_is_refused_not_recorded_as_a_name(ledger, word):
    """`--approved-by 无` was stored as the approver's name: no "no approver" warning,
    and show said "approved by 无" of money nobody approved. A word for none is refused
    (exit 2) with what to do; the ledger is unchanged."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    before = ledger.snapshot()
    r = ledger("resolve", cid, "--disposition", "refund", "--amount", "500",
               "--approved-by", word, "--summary", "退款", code=2)
    assert r.stderr == (
        f"Error: '{word}' means none, not a value of --approved-by\nHint: name who approved "
        "it, or leave --approved-by out: the amount is then recorded with a warning that "
        "nobody approved it\n"), r.stderr
    assert ledger.snapshot() == before


@pytest.mark.parametrize("blank", ["", " ", "\u3000"])
def test_an_approver_given_empty_is_refused(ledger, blank):
    """`--approved-by ""` (a script's $APPROVER unset) resolved a refund as approved by
    nobody, with only a warning on stderr, where every other text option given empty is
    refused. Refused (exit 2); the ledger is unchanged."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    before = ledger.snapshot()
    r = ledger("resolve", cid, "--disposition", "refund", "--amount", "500",
               "--approved-by", blank, "--summary", "退款", code=2)
    assert r.stderr.startswith("Error: --approved-by must not be empty\n"), r.stderr
    assert ledger.snapshot() == before


def test_close_without_revisit_and_void(ledger):
    a = ledger.log()
    ledger.to_state(a, "resolved")
    ledger("close", a, "--no-revisit", "--reason", "客户拒绝回访", "--at", "2026-10-09 12:00")
    assert ledger.rows("SELECT status, close_reason FROM complaints WHERE id = ?", (a,)) == [
        ("closed", "客户拒绝回访")]
    b = ledger.log(customer="Other", product="Y")
    ledger("void", b, "--reason", "logged twice")
    assert ledger.rows("SELECT status FROM complaints WHERE id = ?", (b,)) == [("void",)]
    # a void complaint has no open stages; nothing is deleted
    assert ledger.rows("SELECT count(*) FROM stages WHERE complaint_id = ? AND done_at IS NULL",
                       (b,)) == [(0,)]
    assert ledger.rows("SELECT count(*) FROM complaints") == [(2,)]


def test_reassignment_keeps_history_and_investigating_state(ledger):
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    ledger("assign", cid, "--dept", "技术部", "--owner", "Li Na", "--note", "needs R&D")
    rec = ledger.json("show", cid)
    assert rec["status"] == "investigating"  # unchanged when already investigating
    assert rec["department"] == "技术部"
    assert ledger.rows("SELECT department, owner FROM assignments ORDER BY id") == [
        ("质量部", "王芳"), ("技术部", "Li Na")]
    event = [e for e in rec["events"] if e["kind"] == "assign"][-1]
    assert event["old"] == {"department": "质量部", "owner": "王芳", "status": "investigating"}


def test_amend_received_says_only_the_deadlines_it_moves(ledger):
    """A received time corrected after the assignment said the investigation "now due"
    at the instant it was due before: its deadline runs from the assignment."""
    cid = ledger.log(received="2026-10-09 09:00")
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-10-09 10:00")
    investigate = ledger.rows("SELECT due_at FROM stages WHERE stage = 'investigate'")
    r = ledger("amend", cid, "--received", "2026-10-09 08:30", "--reason", "typo")
    assert "resolve now due" in r.stderr and "investigate" not in r.stderr, r.stderr
    assert ledger.rows("SELECT due_at FROM stages WHERE stage = 'investigate'") == investigate
    # received on a Saturday, corrected within the day: the deadlines (from Monday's
    # start) stay and are not said to move; the stages start when it was received all
    # the same (their start was left at the time corrected)
    other = ledger.log(received="2026-10-17 10:00")
    due = ledger.rows("SELECT stage, due_at FROM stages WHERE complaint_id = ?", (other,))
    r = ledger("amend", other, "--received", "2026-10-17 08:30", "--reason", "typo")
    assert "now due" not in r.stderr, r.stderr
    assert ledger.rows("SELECT stage, due_at FROM stages WHERE complaint_id = ?",
                       (other,)) == due
    assert ledger.rows("SELECT DISTINCT started_at FROM stages WHERE complaint_id = ?",
                       (other,)) == [("2026-10-17T00:30:00Z",)]
    ledger("verify")


def test_amend_keeps_old_values_and_moves_open_deadlines(ledger):
    cid = ledger.log(severity="low")
    before = ledger.json("show", cid)["deadlines"]["resolve"]
    r = ledger("amend", cid, "--severity", "high", "--product", "XD-300",
               "--reason", "clerk typo")
    assert "resolve now due" in r.stderr
    rec = ledger.json("show", cid)
    assert rec["severity"] == "high" and rec["product"] == "XD-300"
    assert rec["deadlines"]["resolve"] == "2026-10-10T02:00:00Z" != before
    amend = [e for e in rec["events"] if e["kind"] == "amend"][0]
    # the deadlines it moved, as they were (an auditor read only the new ones)
    assert amend["old"] == {"severity": "low", "product": "XD-200",
                            "deadlines": {"assign": "2026-10-08T02:00:00Z", "resolve": before}}
    assert amend["data"]["reason"] == "clerk typo"
    history = ledger("show", cid).stdout
    assert "due: assign 2026-10-08 10:00 → " in " ".join(history.split()), history


def test_a_corrected_received_time_is_the_one_a_first_step_may_not_be_before(ledger):
    """`amend --received` left the step check at the time first typed: corrected to
    later, an assignment dated before the complaint was received was taken (its stage
    done before it started, "on time"); corrected to earlier, the paper's real dates
    were refused as before the previous step."""
    later = ledger.log(received="2026-10-01 09:00")
    ledger("amend", later, "--received", "2026-10-03 09:00", "--reason", "was the 3rd")
    before = ledger.snapshot()
    r = ledger("assign", later, "--dept", "QA", "--owner", "Li", "--at", "2026-10-02 10:00",
               code=2)
    assert "is before the previous step (2026-10-03 09:00)" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    earlier = ledger.log(received="2026-10-05 09:00", customer="Acme")
    ledger("amend", earlier, "--received", "2026-10-04 09:00", "--reason", "was the 4th")
    ledger("assign", earlier, "--dept", "QA", "--owner", "Li", "--at", "2026-10-04 10:00")
    assert ledger.rows("SELECT last_step_at FROM complaints WHERE id = ?", (earlier,)) == [
        ("2026-10-04T02:00:00Z",)]
    # with a step taken, a correction to earlier leaves the step's time the bound
    ledger("amend", earlier, "--received", "2026-10-03 09:00", "--reason", "the 3rd even")
    assert ledger.rows("SELECT last_step_at FROM complaints WHERE id = ?", (earlier,)) == [
        ("2026-10-04T02:00:00Z",)]
    ledger("verify")


def test_amend_clear_empties_an_optional_field_typed_by_mistake(ledger):
    """A lot number or a ship date filled in by mistake could be corrected but never
    emptied (`--lot ""` is refused as empty). `--clear` empties it, the old value kept
    in the event; verify replays it."""
    cid = ledger.log("--lot", "L2610", "--region", "华东", "--shipped", "2026-09-20")
    ledger("amend", cid, "--clear", "lot", "--clear", "shipped", "--demand", "refund",
           "--reason", "填错了")
    rec = ledger.json("show", cid)
    assert (rec["lot"], rec["shipped_on"], rec["region"], rec["demand"]) == (
        None, None, "华东", "refund")
    amend = [e for e in rec["events"] if e["kind"] == "amend"][0]
    assert amend["data"] == {"demand": "refund", "reason": "填错了",
                             "cleared": ["lot", "shipped_on"]}
    assert amend["old"] == {"lot": "L2610", "shipped_on": "2026-09-20"}
    shown = ledger("show", cid).stdout
    assert "emptied: lot (was L2610), shipped (was 2026-09-20)" in " ".join(shown.split())
    zh = ledger("--lang", "zh", "show", cid).stdout
    assert "已清空：批号（原为L2610）、发货日期（原为2026-09-20）" in "".join(zh.split())
    assert ledger("verify").stdout.startswith("OK")
    # what cannot be cleared, or is empty already, or is given too: refused, nothing written
    before = ledger.snapshot()
    for args, message in [
            (("--clear", "customer"), "--clear customer: a complaint always has one\n"
             "Hint: correct it with --customer VALUE"),
            (("--clear", "product"), "--clear product: a product is corrected, not cleared "
             "(it ties repeat complaints together)\nHint: correct it with --product VALUE"),
            (("--clear", "contact"), "--clear contact: a contact is erased, not cleared\n"
             "Hint: complaintctl forget-contact"),
            # (named as typed: --clear 产品 was answered "--clear product")
            (("--clear", "产品"), "--clear 产品: a product is corrected, not cleared"),
            (("--clear", "联系方式"), "--clear 联系方式: a contact is erased"),
            (("--clear", "colour"), "--clear 'colour' is not one of: region, order, lot, "
             "quantity, shipped, demand"),
            (("--clear", "region", "--region", "华南"), "--region is both given and cleared")]:
        r = ledger("amend", cid, *args, "--reason", "x", code=2)
        assert r.stderr.startswith(f"Error: {message}"), r.stderr
    # what the ledger holds already: said, nothing recorded, exit 0, as assign to the same
    # owner says (a correction script run again failed the second time with exit 1; two
    # clerks making the same correction at once, the second was told exit 2 before that)
    for args, said in [
            (("--clear", "lot"), f"{cid}: --lot is empty already: nothing recorded\n"),
            (("--clear", "lot", "--clear", "order"),
             f"{cid}: --lot, --order are empty already: nothing recorded\n"),
            (("--clear", "批号", "--clear", "lot"),  # (named twice: said once)
             f"{cid}: --lot is empty already: nothing recorded\n"),
            (("--clear", "lot", "--region", "华东"),
             f"{cid} holds every value given already: nothing recorded\n")]:
        assert ledger("amend", cid, *args, "--reason", "x").stderr == said, args
    assert ledger.snapshot() == before


def _open_dues(ledger, cid):
    """A complaint's assign and resolve deadlines, as `show` gives them."""
    return {k: v for k, v in ledger.json("show", cid)["deadlines"].items()
            if k in ("assign", "resolve")}


def test_amend_after_a_policy_change_keeps_the_policy_the_deadline_was_promised_by(ledger):
    """Correcting a received time by five minutes after `policy set resolve … 1wd`
    pulled the promised resolve deadline in by days (and escalated it): the amendment
    recomputed it with today's policy. Now with the policy in force when the stage was
    opened, for a corrected time and a corrected severity alike."""
    a, b = ledger.log(), ledger.log(customer="华南机电")

    def dues(cid):
        return _open_dues(ledger, cid)

    promised = dues(b)
    ledger("amend", a, "--received", "2026-09-30 10:05", "--reason", "录错五分钟")
    moved = dues(a)
    ledger("amend", a, "--severity", "high", "--reason", "升级")
    high = dues(a)
    assert moved != promised and high != moved
    ledger("policy", "set", "resolve", "all", "1wd")
    ledger("policy", "set", "assign", "all", "1h")
    ledger("amend", b, "--received", "2026-09-30 10:05", "--reason", "录错五分钟")
    assert dues(b) == moved
    ledger("amend", b, "--severity", "high", "--reason", "升级")
    assert dues(b) == high
    ledger("amend", b, "--severity", "medium", "--reason", "降回")
    assert dues(b) == moved
    assert ledger("verify").exit_code == 0
    # a stage opened after the change takes the new policy, and keeps it when amended
    c = ledger.log(customer="北方机械", received="2026-10-14 09:00")
    fresh = dues(c)
    ledger("amend", c, "--received", "2026-10-14 09:00:30", "--reason", "秒")
    assert dues(c)["resolve"] == fresh["resolve"].replace(":00Z", ":30Z")


def test_amend_after_a_zone_or_calendar_change_keeps_the_day_the_deadline_was_set(ledger):
    """After `policy timezone` or a closure day added, an amendment recomputed the open
    deadlines with today's zone and calendar: low and back to medium moved a promised
    resolve deadline by the zones' difference, or by the closure. The zone and calendar
    of the step that set each deadline are used now."""
    a, b = ledger.log(), ledger.log(customer="华南机电")

    def dues(cid):
        return _open_dues(ledger, cid)

    promised = dues(a)
    ledger("amend", b, "--received", "2026-09-30 10:05", "--reason", "录错五分钟")
    moved = dues(b)
    assert moved != promised
    ledger("policy", "timezone", "America/New_York")
    ledger("policy", "calendar", "--add-closure", "2026-10-09", "--add-holiday", "2026-10-12")
    ledger("amend", a, "--severity", "low", "--reason", "降级")
    ledger("amend", a, "--severity", "medium", "--reason", "恢复")
    assert dues(a) == promised
    ledger("amend", a, "--received", "2026-09-29 22:05", "--reason", "录错五分钟")  # New York
    assert dues(a) == moved
    assert ledger("verify").exit_code == 0
    # the days removed since are undone too: a deadline set with them keeps them
    c = ledger.log(customer="北方机械", received="2026-10-08 21:00")  # New York time
    fresh = dues(c)
    ledger("policy", "calendar", "--remove", "2026-10-09", "--remove", "2026-10-12")
    ledger("amend", c, "--severity", "high", "--reason", "升级")
    ledger("amend", c, "--severity", "medium", "--reason", "恢复")
    assert dues(c) == fresh


def test_amending_severity_ends_a_stage_the_new_severity_does_not_have(ledger):
    """Critical, closed by a satisfied revisit, then amended to low: its 90-day second
    revisit (critical only) stayed open, and in March it escalated to the general
    manager as a low complaint."""
    cid = ledger.log(severity="critical")
    ledger.to_state(cid, "closed")
    assert ledger.rows("SELECT stage FROM stages WHERE complaint_id = ? AND done_at IS NULL",
                       (cid,)) == [("second-revisit",)]
    r = ledger("amend", cid, "--severity", "low", "--reason", "录入错误，实为低级")
    assert "second-revisit no longer applies (low): ended" in r.stderr, r.stderr
    assert ledger.rows("SELECT outcome FROM stages WHERE complaint_id = ? AND "
                       "stage = 'second-revisit'", (cid,)) == [("void",)]
    assert [r for r in ledger.json("overdue", "--as-of", "2027-03-15 09:00")
            if r["complaint_id"] == cid] == []
    amend = [e for e in ledger.json("show", cid)["events"] if e["kind"] == "amend"][0]
    assert amend["data"]["stages_ended"] == ["second-revisit"]
    # in the history as words (it read "stages_ended: ['second-revisit']")
    history = ledger("--lang", "zh", "show", cid, "--format", "csv").stdout
    assert "已终止的阶段：二次回访" in history, history
    assert ledger("verify").exit_code == 0
    # corrected back: the second revisit the complaint still waits for opens again
    due = ledger.rows("SELECT due_at FROM stages WHERE complaint_id = ? AND "
                      "stage = 'second-revisit'", (cid,))[0][0]
    r = ledger("amend", cid, "--severity", "critical", "--reason", "还是特殊投诉")
    assert "second-revisit now due" in r.stderr, r.stderr
    assert ledger.rows("SELECT due_at, done_at, outcome FROM stages WHERE complaint_id = ? "
                       "AND stage = 'second-revisit'", (cid,)) == [(due, None, None)]
    assert ledger("verify").exit_code == 0
    # a stage the complaint has gone past stays ended: the assignment of one assigned since
    ledger("policy", "set", "assign", "medium", "none")
    other = ledger.log(severity="high", customer="华南机电")
    ledger("amend", other, "--severity", "medium", "--reason", "x")
    assert ledger.rows("SELECT outcome FROM stages WHERE complaint_id = ? AND stage = "
                       "'assign'", (other,)) == [("void",)]
    ledger("assign", other, "--dept", "质量部", "--owner", "王芳")
    ledger("amend", other, "--severity", "high", "--reason", "x")
    assert ledger.rows("SELECT outcome FROM stages WHERE complaint_id = ? AND stage = "
                       "'assign'", (other,)) == [("void",)]
    assert ledger("verify").exit_code == 0


def test_a_severity_without_deadlines_is_said_as_such_when_logged(ledger):
    """`Logged CC-2026-0001 (low); .` (zh: （低）；。) when policy gives the severity no
    deadline at all."""
    ledger("policy", "set", "assign", "low", "none")
    ledger("policy", "set", "resolve", "low", "none")
    r = ledger("log", "--customer", "Acme", "--description", "x", "--category", "quality",
               "--severity", "low", "--channel", "phone")
    assert r.stderr.startswith("Logged CC-2026-0001 (low); no deadlines for this severity.\n")
    r = ledger("--lang", "zh", "log", "--customer", "Acme", "--description", "y", "--category",
               "quality", "--severity", "low", "--channel", "phone")
    assert "；。" not in r.stderr and "CC-2026-0002" in r.stderr


def test_repeat_complaint_is_linked_and_announced(ledger):
    first = ledger.log(received="2026-07-01 09:00")
    second = ledger("log", "--customer", "华东电器有限公司", "--description", "又坏了",
                    "--category", "quality", "--severity", "low", "--channel", "phone",
                    "--product", "XD-200", "--received", "2026-09-20 09:00")
    sid = second.stdout.strip()
    assert "repeat complaint" in second.stderr and first in second.stderr
    assert ledger.json("show", sid)["repeat_of"] == first
    # the latest earlier complaint is the one linked; another product is no repeat;
    # 91 days apart is no repeat
    third = ledger.log(received="2026-11-21 09:00")
    assert ledger.json("show", third)["repeat_of"] == sid
    fourth = ledger.log(product="Other", received="2026-11-21 10:00")
    assert ledger.json("show", fourth)["repeat_of"] is None
    late = ledger.log(customer="New Co", received="2026-01-01 09:00")
    later = ledger.log(customer="New Co", received="2026-04-02 09:00")
    assert ledger.json("show", late)["repeat_of"] is None
    assert ledger.json("show", later)["repeat_of"] is None


def test_show_masks_contact_unless_revealed(ledger):
    cid = ledger.log()
    table = ledger("show", cid).stdout
    assert "*******5678" in table and "13812345678" not in table
    assert ledger.json("show", cid)["contact"] == "*******5678"
    log_event = ledger.json("show", cid)["events"][0]
    assert re.fullmatch(r"h:[0-9a-f]{32}", log_event["data"]["contact"])
    revealed = ledger("show", cid, "--reveal", "--format", "json").stdout
    assert json.loads(revealed)["contact"] == "13812345678"
    assert revealed.count("13812345678") == 1  # the history holds only a keyed hash
    assert not ledger.rows("SELECT id FROM events WHERE data LIKE '%13812345678%' "
                           "OR old LIKE '%13812345678%'")
    for fmt in ("csv", "markdown", "json", "table"):
        assert "13812345678" not in ledger("list", "--format", fmt).stdout


def test_a_number_with_a_name_after_it_shows_its_last_digits_not_the_name(ledger):
    """"+852 2345-6789（陳生）" showed **************（陳生）: the last 4 characters were the
    person's name, and no digit by which a clerk knows the number."""
    cid = ledger.log("--contact", "+852 2345-6789（陳生）")
    assert ledger.json("show", cid)["contact"] == "**********6789****"
    listed = ledger("list", "--format", "csv").stdout
    assert "**********6789****" in listed and "陳生" not in listed
    other = ledger.log("--contact", "buyer7@example.com", customer="乙公司")
    assert ledger.json("show", other)["contact"] == "**************.com"  # as before
    dashed = ledger.log("--contact", "0912-345-678 林先生", customer="丙公司")
    assert ledger.json("show", dashed)["contact"] == "*******5-678****"
    # the number's last digits, not a digit of the words after it (13812345678 李 3楼
    # showed 678 李 3), and an address's last characters, not the name after it
    for contact, masked in (("13812345678 李 3楼", "*******5678*****"),
                            ("zhang@example.com（张）", "*************.com***"),
                            ("138 1234 5678 ext. 9", "*********5678*******"),
                            # a short number beside a word, masked whole as one alone
                            ("分机 8021", "*******"),
                            # an account's last 4 (masked whole, two could not be told
                            # apart)
                            ("wxid_abc123", "*******c123"),
                            ("微信 wang_xiao88", "**********ao88")):
        customer = f"丁公司 {len(masked)} {masked[-4:]}"  # (a customer that is a number is
        # refused: one of its own, to list it alone)
        other = ledger.log("--contact", contact, customer=customer)
        assert ledger.json("show", other)["contact"] == masked
        listed = ledger("list", "--customer", customer, "--format", "csv").stdout
        assert masked in listed and "李" not in listed.split(masked)[0][-3:], listed


def test_show_json_has_contract_keys(ledger):
    cid = ledger.log()
    rec = ledger.json("show", cid)
    for key in ("id", "status", "severity", "category", "channel", "customer", "contact",
                "product", "received_at", "department", "owner", "deadlines", "reopen_count",
                "repeat_of", "investigation", "resolution", "actions", "returns", "revisits",
                "events"):
        assert key in rec, key
    # (every stage's key, null until started: the keys changed with the state)
    assert rec["deadlines"] == {"assign": "2026-10-08T02:00:00Z", "investigate": None,
                                "resolve": "2026-10-13T02:00:00Z", "revisit": None,
                                "second-revisit": None}
    assert set(rec["events"][0]) >= {"at", "actor", "kind", "data"}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@settings(deadline=None)  # no time limit per example: faketime runs, busy machines
@given(document=st.dictionaries(st.text(), _json, max_size=6))
def test_event_documents_are_json_dumps_with_sorted_keys(document):
    """Events store json.dumps(data, ensure_ascii=False, sort_keys=True); the ledger
    builds that encoder once, and must write exactly the same text."""
    assert _encode(document) == json.dumps(document, ensure_ascii=False, sort_keys=True)


def test_the_assign_confirmation_says_the_names_as_kept(ledger):
    """`--dept " 质量部 "` was kept trimmed but echoed with its spaces."""
    cid = ledger.log()
    r = ledger("assign", cid, "--dept", " 质量部 ", "--owner", "\u3000王芳 ")
    # (and its investigation's deadline, as log says its own: a clerk was told none)
    assert r.stderr == f"{cid} is assigned: 质量部 / 王芳.\ninvestigate due 2026-11-26 20:00\n", \
        r.stderr
    assert ledger.rows("SELECT department, owner FROM complaints") == [("质量部", "王芳")]


def test_a_complaint_logged_after_its_deadlines_says_it_is_overdue_already(ledger):
    """A back-dated complaint whose deadlines had passed (a critical one received four
    days ago: assign within the hour) was logged without a word; the supervisor found
    it in the morning's overdue."""
    r = ledger("log", "--customer", "甲", "--description", "x", "--channel", "phone",
               "--category", "quality", "--severity", "critical", "--received",
               "2026-11-19 09:00")
    assert "\nIts assign and resolve deadlines have passed already (it was received " \
           "2026-11-19 09:00): it is overdue from the start and shows in complaintctl " \
           "overdue.\n" in r.stderr, r.stderr
    cid = r.stdout.strip()
    assert ledger.rows("SELECT id FROM complaints") == [(cid,)]  # logged all the same
    r = ledger("log", "--customer", "乙", "--description", "x", "--channel", "phone",
               "--category", "quality", "--severity", "low", "--received",
               "2026-11-20 09:00")  # assign by the 23rd 09:00, resolve in December
    assert "Its assign deadline has passed already" in r.stderr, r.stderr
    r = ledger("log", "--customer", "丙", "--description", "x", "--channel", "phone",
               "--category", "quality", "--severity", "low", "--received",
               "2026-11-23 08:00")
    assert "passed already" not in r.stderr, r.stderr
    # said with the confirmation, which --quiet leaves out (a script typing in old paper
    # records gets its ids, not a line each on stderr)
    r = ledger("--quiet", "log", "--customer", "丁", "--description", "x", "--channel", "phone",
               "--category", "quality", "--severity", "low", "--received", "2026-11-02 08:00")
    assert r.stderr == "", r.stderr


def test_assigning_to_the_department_and_owner_it_has_records_nothing(ledger):
    """A second `assign` to the same department and owner stood in the history as a
    reassignment that changed nothing; it says so now and records nothing (with a
    note, it is recorded: the note is new)."""
    cid = ledger.log()
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-30 11:00")
    before = ledger.snapshot()
    r = ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-30 12:00")
    assert r.stderr == f"{cid} is assigned to 质量部 / 王芳 already: nothing recorded\n"
    assert ledger.snapshot() == before
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--note", "请加急",
           "--at", "2026-09-30 12:00")
    assert [e["kind"] for e in ledger.json("show", cid)["events"]] == ["log", "assign",
                                                                       "assign"]


def test_a_second_revisit_soon_after_the_first_is_refused_or_said(ledger):
    """A revisit typed again a minute after the one that closed a critical complaint (two
    clerks typing the one call, or one correcting its answer) was taken, silently, as its
    90-day second revisit, and reopened it: within a day it is refused, the ledger as it
    was; within a week it is recorded as told, and says what it is."""
    cid = ledger.log(severity="critical")
    ledger.to_state(cid, "closed")
    before = ledger.snapshot()
    r = ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 15:01",
               code=1)
    assert r.stderr.startswith(f"Error: cannot revisit {cid}: it was closed 2026-10-09 15:00, "
                               "less than a day ago; its second revisit is due 2027-01-07 "
                               "15:00\nHint: a revisit is never corrected by another"), r.stderr
    assert ledger.snapshot() == before
    r = ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-12 10:00")
    assert (f"Warning: {cid} was closed 2026-10-09 15:00: this one is its second revisit "
            "(二次回访), recorded as the customer's answer now; a revisit is never corrected "
            "by another") in r.stderr, r.stderr
    assert ledger.rows("SELECT status FROM complaints WHERE id = ?", (cid,)) == [
        ("investigating",)]
    # months later, as due: nothing to say
    other = ledger.log(severity="critical")
    ledger.to_state(other, "closed")
    r = ledger("revisit", other, "--satisfaction", "satisfied", "--at", "2026-11-20 10:00")
    assert "second revisit (二次回访)" not in r.stderr, r.stderr


def test_a_critical_complaint_closed_without_a_revisit_is_revisited_in_90_days(ledger):
    """SPEC 3: the second revisit of a critical complaint starts when it is closed; closed
    with --no-revisit (the customer declined the first call) it had none."""
    cid = ledger.log(severity="critical")
    ledger.to_state(cid, "resolved")
    r = ledger("close", cid, "--no-revisit", "--reason", "客户拒绝回访", "--at",
               "2026-10-09 15:00")
    assert "second revisit due 2027-01-07 15:00" in r.stderr, r.stderr
    assert ledger.rows("SELECT due_at FROM stages WHERE complaint_id = ? AND stage = "
                       "'second-revisit'", (cid,)) == [("2027-01-07T07:00:00Z",)]
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-11-20 10:00")
    assert ledger("verify").exit_code == 0


def test_a_closed_complaint_is_revisited_only_for_its_second_revisit(ledger):
    """A revisit of a closed medium complaint, or of one closed without a revisit, was
    taken as 'a later call' and could reopen it (two clerks revisiting at once both
    succeeded so). SPEC 2: from closed only for the scheduled second revisit."""
    cid = ledger.log(severity="medium")
    ledger.to_state(cid, "closed")
    other = ledger.log(severity="medium")
    ledger.to_state(other, "resolved")
    ledger("close", other, "--no-revisit", "--reason", "客户拒绝回访", "--at",
           "2026-10-09 15:00")
    before = ledger.snapshot()
    for record in (cid, other):
        r = ledger("revisit", record, "--satisfaction", "unsatisfied", "--at",
                   "2026-10-20 10:00", code=1)
        assert r.stderr.startswith(f"Error: cannot revisit {record}: it is closed, and no "
                                   "second revisit of it is due (only a critical complaint "
                                   "has one)\nHint: a later call goes in its communication "
                                   f"log: complaintctl note {record} --text …"), r.stderr
    assert ledger.snapshot() == before
    critical = ledger.log(severity="critical")
    ledger.to_state(critical, "closed")
    ledger("revisit", critical, "--satisfaction", "satisfied", "--at", "2026-11-20 10:00")
    r = ledger("revisit", critical, "--satisfaction", "satisfied", "--at", "2026-11-21 10:00",
               code=1)  # its one second revisit is done
    assert f"cannot revisit {critical}: it is closed, and its second revisit was recorded " \
        "already" in r.stderr, r.stderr
    # graded critical after it closed: none was scheduled, none recorded (it was told
    # "its second revisit was recorded already")
    r = ledger("amend", cid, "--severity", "critical", "--reason", "涉及安全")
    assert r.stderr.startswith(f"Warning: {cid} closed before it was critical: no second "
                               "revisit is asked of it; a later call goes in its "
                               "communication log\n"), r.stderr  # (said now, not at the call)
    before = ledger.snapshot()
    r = ledger("revisit", cid, "--satisfaction", "satisfied", code=1)
    assert r.stderr.startswith(f"Error: cannot revisit {cid}: it is closed, and no second "
                               "revisit of it is due (none is open: it was not critical when "
                               "it closed, or an amendment ended it)\n"), r.stderr
    assert ledger.snapshot() == before


def test_a_closed_complaints_next_steps_say_which_revisit(ledger):
    """'allowed next: … revisit' on a closed complaint offered what is refused but for a
    critical complaint's second revisit."""
    cid = ledger.log(severity="critical")
    ledger.to_state(cid, "closed")
    r = ledger("resolve", cid, "--disposition", "repair", "--summary", "s", code=1)
    assert "revisit (a critical complaint's second revisit)" in r.stderr, r.stderr
    # a complaint that is not critical has no second revisit: not offered (void of a
    # closed high complaint listed it)
    high = ledger.log(severity="high")
    ledger.to_state(high, "closed")
    before = ledger.snapshot()
    r = ledger("void", high, "--reason", "x", code=1)
    assert r.stderr.startswith(f"Error: cannot void {high}: it is closed; allowed next: "
                               "amend, note, attach\n"), r.stderr  # (no CAPA item: none to
    # do or verify)
    assert ledger.snapshot() == before
    # a critical one whose second revisit was recorded: none is due, none offered (it
    # was offered, then refused as "recorded already")
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-11-20 10:00")
    before = ledger.snapshot()
    for args, refused in ((("resolve", cid, "--disposition", "repair", "--summary", "s"),
                           "resolve"),
                          (("return", "open", cid, "--qty", "1"), "open a return on"),
                          (("action", "add", cid, "--text", "t", "--owner", "o", "--due",
                            "2026-12-20"), "add a CAPA item to")):
        r = ledger(*args, code=1)
        assert f"cannot {refused} {cid}: it is closed; allowed next: amend, note, " \
            "attach\n" in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_a_steps_line_names_its_record_before_what_it_noted(ledger):
    """`revisit … unsatisfied` printed "reopened (1); new resolve deadline …" and then
    "CC-… is investigating.": the first line named no complaint."""
    cid = ledger.log()
    ledger.to_state(cid, "resolved")
    out = ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at",
                 "2026-10-10 09:00").stderr.splitlines()
    assert out[0] == f"{cid} is investigating.", out
    assert out[1].startswith("reopened (1); new resolve deadline "), out
    # and its round, as show and overdue name the stage (重新处理（第 2 轮）): the Chinese
    # said 第 1 次 beside them
    assert out[1].endswith(" (round 2)"), out
    said = ledger("--lang", "zh", "resolve", cid, "--disposition", "refund", "--summary",
                  "退款", "--amount", "10", "--approved-by", "经理", "--at",
                  "2026-10-11 09:00").stderr
    # (the step asked for next, by when: resolve says the revisit's deadline)
    assert said == f"{cid} 已处理；下一步请回访客户。\n回访期限 2026-10-13 00:00\n", said
    again = ledger("--lang", "zh", "revisit", cid, "--satisfaction", "不满意", "--at",
                   "2026-10-12 09:00").stderr.splitlines()
    assert again[1].startswith("已转入重新处理（第 2 次重新打开，即第 3 轮处理）；"
                               "新的处理期限 "), again
    assert "重新处理（第 3 轮）" in ledger("--lang", "zh", "show", cid).stdout


def test_a_capa_item_due_on_a_day_nobody_works_is_warned_of(ledger):
    """`action add … --due 2026-10-05` (National Day) was taken without a word, and the
    item was late on 10-06 at 09:00, still in the holiday; the deadlines the policy sets
    skip such days. Taken as typed, with a warning (a Saturday, National Day); a working
    day, none. (The steps of
    CAPA items printed none of their warnings, the calendar's of a year without official
    data among them.)"""
    cid = ledger.log(received="2026-09-21 09:00")
    ledger.to_state(cid, "investigating")
    r = ledger("action", "add", cid, "--text", "培训", "--owner", "刘洋", "--due", "2026-12-26")
    assert r.stderr.startswith("Warning: CAPA item 1 is due on 2026-12-26, not a working day "
                               "(a weekend, a holiday or a closure)\nAction 1 added to "), \
        r.stderr
    assert r.stdout == "1\n"
    r = ledger("action", "add", cid, "--text", "培训", "--owner", "刘洋", "--due", "2026-12-28")
    assert "Warning" not in r.stderr, r.stderr
    r = ledger("action", "add", cid, "--text", "复查", "--owner", "刘洋", "--due", "2027-10-01")
    assert "Warning: CAPA item 3 is due on 2027-10-01" in r.stderr, r.stderr


def test_a_back_dated_void_or_closing_is_not_placed_before_what_is_recorded_on_it(ledger):
    """A void typed with --at before a return, a customer's call and a CAPA item recorded
    on the complaint (a closing revisit before a CAPA item added) was taken: its history
    then had them on a void (closed) complaint, which the steps themselves refuse, and
    verify said OK. Refused, naming what is recorded; at or after it, taken."""
    def refused(*args: str, code: int, message: str) -> None:
        before = ledger.snapshot()
        r = ledger(*args, code=code)
        assert message in r.stderr, r.stderr
        assert ledger.snapshot() == before

    cid = ledger.log(received="2026-11-02 09:00")
    ledger("note", cid, "--text", "客户来电", "--at", "2026-11-02 10:30")
    refused("void", cid, "--reason", "误录", "--at", "2026-11-02 09:30", code=2,
            message="Error: --at 2026-11-02 09:30 is before a note recorded on it "
            "(2026-11-02 10:30)\nHint: give a time after it, or leave --at out")
    ledger("void", cid, "--reason", "误录", "--at", "2026-11-02 10:30")
    other = ledger.log(received="2026-09-29 09:00", customer="乙公司")
    ledger.to_state(other, "resolved")  # resolved 2026-10-09 09:00
    ledger("action", "add", other, "--text", "培训", "--owner", "刘洋", "--due", "2026-11-30",
           "--at", "2026-10-09 10:00")
    for step in (("revisit", other, "--satisfaction", "satisfied"),
                 ("close", other, "--no-revisit", "--reason", "联系不上")):
        refused(*step, "--at", "2026-10-09 09:45", code=2,
                message="Error: --at 2026-10-09 09:45 is before a CAPA item's step recorded "
                "on it (2026-10-09 10:00)")
    ledger("note", other, "--text", "已回电", "--at", "2026-10-09 11:00")  # a note: any state
    ledger("revisit", other, "--satisfaction", "satisfied", "--at", "2026-10-09 10:30")
    assert ledger.rows("SELECT status FROM complaints WHERE id IN (?, ?) ORDER BY id",
                       (cid, other)) == [("void",), ("closed",)]
    assert ledger("verify").stdout.startswith("OK")


def test_a_capa_item_done_or_verified_again_says_by_whom_and_what_next(ledger):
    """The second of two clerks marking an item done was told "action 1 is already done
    (time)", without who did it or a hint; verified again, "already verified" alone."""
    cid = ledger.log(received="2026-09-29 09:00")
    ledger.to_state(cid, "investigating")
    ledger("action", "add", cid, "--text", "培训", "--owner", "刘洋", "--due", "2026-12-20",
           "--at", "2026-10-08 10:00")
    ledger("--as", "刘洋", "action", "done", "1", "--at", "2026-10-08 11:00")

    def refused(*args: str) -> str:
        before = ledger.snapshot()
        r = ledger(*args, code=1)
        assert ledger.snapshot() == before
        return r.stderr

    said = refused("action", "done", "1")
    assert said == ("Error: action 1 is already done (2026-10-08 11:00, by 刘洋)\nHint: "
                    "its effectiveness is checked next: complaintctl action verify 1 "
                    "--note TEXT\n"), said
    ledger("--as", "质量经理", "action", "verify", "1", "--note", "有效")
    said = refused("action", "verify", "1")
    assert said == ("Error: action 1 is already verified (2026-11-23 20:00, by 质量经理)\n"
                    "Hint: see it with: "
                    f"complaintctl action list --complaint {cid} --all\n"), said
    said = refused("action", "done", "1")
    assert said.endswith(f"Hint: it is verified too: complaintctl action list --complaint "
                         f"{cid} --all\n"), said


def test_a_correction_says_what_it_replaces_and_to_the_second(ledger):
    """A second `investigate --cause` replaced the root cause without a word (show names
    the latest, the history the one before); `amend --received` 30 seconds after the
    complaint was logged said "11:00 is after … (11:00)", which told the clerk nothing."""
    cid = ledger.log(received="2026-11-20 09:00")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-20 10:00")
    r = ledger("investigate", cid, "--cause", "排产系统故障", "--at", "2026-11-20 11:00")
    assert "replaced" not in r.stderr
    # (upheld was set without a word, a misuse by the customer's own account too)
    assert r.stderr.endswith("recorded as upheld (a root cause was found); if it does not "
                             f"stand: complaintctl investigate {cid} --not-upheld --reason "
                             "TEXT\n"), r.stderr
    r = ledger("investigate", cid, "--cause", "承运商运力不足", "--at", "2026-11-20 12:00")
    assert r.stderr.endswith("the root cause recorded before, '排产系统故障', is replaced "
                             "(it stays in the history)\n"), r.stderr
    assert "replaced" not in ledger("investigate", cid, "--cause", "承运商运力不足",
                                    "--at", "2026-11-20 12:30").stderr
    logged = ledger.json("show", cid)["logged_at"]  # 20:00:00 on the pinned clock
    assert logged == "2026-11-23T12:00:00Z", logged
    before = ledger.snapshot()
    r = ledger("amend", cid, "--received", "2026-11-23 20:00:30", "--reason", "t", code=2)
    assert r.stderr.startswith("Error: --received 2026-11-23 20:00:30 is after the complaint "
                               "was logged (2026-11-23 20:00:00)\n"), r.stderr
    assert ledger.snapshot() == before


def test_amend_contact_warns_of_one_that_holds_no_number_as_log_does(ledger):
    """log's warning of a contact that holds no number, address or account id sends the
    clerk to `amend --contact`; there a second slip (a real number replaced by a name)
    was taken without a word."""
    cid = ledger.log("--contact", "13811110000")
    r = ledger("amend", cid, "--contact", "王五的表哥", "--reason", "录错")
    assert r.stderr.startswith("Warning: the contact (*****) holds no phone number (seven "
                               "digits or more), e-mail address or account id: it was "
                               f"recorded as typed; correct it with complaintctl amend {cid} "
                               "--contact VALUE --reason TEXT\n"), r.stderr
    assert "Warning" not in ledger("amend", cid, "--contact", "13900001111", "--reason",
                                   "对了").stderr


def test_a_complaint_typed_twice_is_said_as_maybe_typed_twice(ledger):
    """The same complaint typed twice seconds apart was said as a repeat complaint only
    (the quick start's own mistake, voided there): the repeat rate counted it. With the
    same words within minutes, the warning says how to void it; other words, not."""
    args = ("--customer", "深圳市佳达科技", "--product", "KB-12", "--description",
            "控制板上电后指示灯不亮")
    first = ledger.log("--description", "控制板上电后指示灯不亮", customer="深圳市佳达科技",
                       product="KB-12", received="2026-11-23 19:50")
    r = ledger("log", *args, "--channel", "email", "--category", "quality", "--severity",
               "medium", "--received", "2026-11-23 19:55")
    second = r.stdout.strip()
    assert f"Warning: {second} has the words of {first}, logged minutes before: if it was " \
        f"typed twice, void it: complaintctl void {second} --reason 'typed twice'\n" in \
        r.stderr, r.stderr
    r = ledger("log", "--customer", "深圳市佳达科技", "--product", "KB-12", "--description",
               "另一个问题", "--channel", "email", "--category", "quality", "--severity",
               "medium", "--received", "2026-11-23 19:58")
    assert "typed twice" not in r.stderr and "repeat complaint" in r.stderr, r.stderr
