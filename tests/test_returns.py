"""Returned goods (客退品): quantities always balance, through the real command."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule
from support import LedgerMachine, received_and_scrapped

RETURN_KEYS = {"id", "complaint_id", "stage", "authorised_qty", "received_qty", "disposed_qty",
               "discrepancy", "due_at", "cost_of_loss", "repair_cost", "dispositions"}


@pytest.fixture
def rma(ledger):
    """A high complaint received Mon 16 Nov 09:00 with a return of 5 authorised at 10:00."""
    cid = ledger.log(severity="high", received="2026-11-16 09:00")
    rid = ledger("return", "open", cid, "--qty", "5", "--reason", "异响",
                 "--at", "2026-11-16 10:00").stdout.strip()
    return cid, rid


def test_full_return(ledger, rma):
    cid, rid = rma
    assert rid == "RMA-2026-0001"
    r = ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 09:00")
    assert "Warning: RMA-2026-0001: 3 received, 5 authorised (short 2)" in r.stderr
    ledger("return", "receive", rid, "--qty", "2", "--note", "第二批", "--at", "2026-11-17 15:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "4",
           "--cause", "轴承不良", "--at", "2026-11-18 09:00")
    ledger("return", "dispose", rid, "--action", "repair", "--qty", "3", "--repair-cost",
           "120.50", "--at", "2026-11-18 10:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "2", "--cost", "300",
           "--at", "2026-11-18 11:00")
    r = ledger("return", "close", rid, "--at", "2026-11-18 12:00")
    assert r.stderr == ("RMA-2026-0001 closed: authorised 5, received 5, disposed 5 (repair 3, "
                        "scrap 2); cost of loss 300.00 CNY, repair cost 120.50 CNY.\n")
    (row,) = ledger.json("return", "list")
    assert RETURN_KEYS <= set(row)
    assert row["stage"] == "closed" and row["discrepancy"] is False
    assert (row["authorised_qty"], row["received_qty"], row["disposed_qty"]) == (5, 5, 5)
    assert row["dispositions"] == {"repair": 3, "scrap": 2}
    assert (row["cost_of_loss"], row["repair_cost"]) == ("300.00", "120.50")
    assert row["due_at"] is None
    assert ledger.rows("SELECT cost_of_loss, repair_cost FROM returns") == [(30000, 12050)]
    # every step is on the complaint's timeline, with actor and time
    events = [e for e in ledger.json("show", cid)["events"] if e["kind"].startswith("return")]
    assert [e["kind"] for e in events] == ["return-open", "return-receive", "return-receive",
                                           "return-inspect", "return-dispose", "return-dispose",
                                           "return-close"]
    assert all(e["actor"] == "tester" for e in events)
    assert events[1]["at"] == "2026-11-17T01:00:00Z"
    assert ledger.json("show", cid)["returns"][0]["id"] == rid
    assert ledger.json("show", rid)["receipts"][1]["note"] == "第二批"
    # the CSV of the return gives each cost with its currency, as its table and markdown
    # do (its dispositions and history said 300.00 bare, beside a cost of loss in CNY)
    lines = [line for line in ledger("show", rid, "--format", "csv").stdout.splitlines()
             if "loss" in line or "repair" in line]
    assert lines and all(re.search(r"\d\.\d\d(?! CNY)", line) is None for line in lines), \
        lines


def test_return_list_newest_first_limited_and_streamed(ledger, rma):
    """return list: the newest opened first; a table of at most --limit (default 200)
    says how many it left out; csv and json stream every row, the quantities by
    disposition included."""
    cid, first = rma
    second = ledger("return", "open", cid, "--qty", "2", "--at", "2026-11-16 11:00").stdout.strip()
    third = ledger("return", "open", cid, "--qty", "1", "--at", "2026-11-16 12:00").stdout.strip()
    ledger("return", "receive", first, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", first, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-17 10:00")
    ledger("return", "dispose", first, "--action", "scrap", "--qty", "2", "--cost", "10",
           "--at", "2026-11-17 11:00")
    ledger("return", "dispose", first, "--action", "rework", "--qty", "3",
           "--at", "2026-11-17 12:00")
    assert [r["id"] for r in ledger.json("return", "list")] == [third, second, first]
    assert ledger.json("return", "list")[2]["dispositions"] == {"rework": 3, "scrap": 2}
    # csv and markdown name each disposition by its word, as `show` does (the codes
    # leaked into the Chinese csv: "rework: 3, scrap: 2" beside 已处置, 确认缺陷)
    csv_text = ledger("return", "list", "--format", "csv").stdout
    assert f'{first},' in csv_text and '"rework 3, scrap 2"' in csv_text
    zh = ledger("--lang", "zh", "return", "list", "--format", "csv").stdout
    assert "返工 3、报废 2" in zh and "rework" not in zh
    assert "| 返工 3、报废 2 |" in ledger("--lang", "zh", "return", "list", "--format",
                                         "markdown").stdout
    r = ledger("return", "list", "--limit", "2")
    assert third in r.stdout and second in r.stdout and first not in r.stdout
    assert r.stderr == "Showing 2 of 3; use --limit 0 for all.\n"
    assert ledger("return", "list").stderr == ""  # all three fit the default 200
    lines = ledger("return", "list", "--format", "csv").stdout.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [third, second, first]
    assert '"rework 3, scrap 2"' in lines[3]
    assert [r["id"] for r in ledger.json("return", "list", "--limit", "1")] == [third]
    md = ledger("return", "list", "--format", "markdown").stdout.splitlines()
    assert md[0] == "## Returns" and [line.split(" | ")[0] for line in md[4:]] == [
        f"| {third}", f"| {second}", f"| {first}"]
    none = ledger.log()  # a complaint without returns (one not in the ledger is refused)
    assert ledger("return", "list", "--format", "markdown", "--complaint", none
                  ).stdout == "No returns match.\n"


def test_discrepancy_is_flagged_not_refused(ledger, rma):
    cid, rid = rma
    ledger("return", "receive", rid, "--qty", "7", "--at", "2026-11-17 09:00")
    (row,) = ledger.json("return", "list", "--open")
    assert row["discrepancy"] is True and row["received_qty"] == 7
    assert "over 2" in ledger("return", "list").stdout
    assert "DISCREPANCY" in ledger("show", rid).stdout
    assert ledger.json("return", "list", "--complaint", cid)[0]["id"] == rid
    assert ledger.json("return", "list", "--complaint", ledger.log()) == []
    # the mailed listing says it as the table does: over 2, and the inspection late (it
    # said "yes" and the bare deadline)
    md = ledger("return", "list", "--format", "markdown").stdout
    assert "| 7 | 0 | over 2 |  |  | 2026-11-19 09:00 late |" in md, md
    zh = ledger("--lang", "zh", "return", "list", "--format", "markdown").stdout
    assert "| 多 2 |" in zh and " 逾期 |" in zh, zh
    assert ledger.json("return", "list")[0]["due_at"] == "2026-11-19T01:00:00Z"  # (as it was)


def refused(ledger, *args, message, code=1):
    before = ledger.snapshot()
    r = ledger(*args, code=code)
    assert r.stderr.splitlines()[0].startswith("Error: ") and message in r.stderr, r.stderr
    assert ledger.snapshot() == before
    return r


def test_more_authorised_than_the_complaints_quantity_is_said_not_refused(ledger):
    """500 typed for 5: returns of the complaint's product authorised beyond the quantity
    it gives as affected went unremarked until the goods came. Said (exit 0), the earlier
    returns counted in; one of another product is not compared; the calendar's warnings
    of `return open`, never printed before, go the same way."""
    cid = ledger.log("--quantity", "10", received="2026-11-16 09:00")
    r = ledger("return", "open", cid, "--qty", "10", "--at", "2026-11-16 10:00")
    assert r.stderr == f"Return RMA-2026-0001 authorised for 10 on {cid}.\n", r.stderr
    r = ledger("return", "open", cid, "--qty", "500", "--at", "2026-11-16 10:05")
    assert r.stdout == "RMA-2026-0002\n"
    assert r.stderr == (
        f"Warning: {cid}: 510 authorised for return in all, more than the 10 its complaint "
        f"gives as the quantity affected\nReturn RMA-2026-0002 authorised for 500 on {cid}.\n"
    ), r.stderr
    r = ledger("return", "open", cid, "--qty", "50", "--product", "KB-12",
               "--at", "2026-11-16 10:10")
    assert "Warning" not in r.stderr, r.stderr
    assert ledger.rows("SELECT id, authorised_qty FROM returns ORDER BY id") == [
        ("RMA-2026-0001", 10), ("RMA-2026-0002", 500), ("RMA-2026-0003", 50)]
    zh = ledger("--lang", "zh", "return", "open", cid, "--qty", "1", "--at",
                "2026-11-16 10:15").stderr
    assert f"警告：{cid}：累计授权退货 511，多于投诉登记的涉及数量 10\n" in zh, zh


def test_goods_received_after_the_inspection_are_inspected_before_a_disposition(ledger, rma):
    """Goods received after the inspection (and after every unit had a disposition) were
    disposed of without one: restocked, never inspected. They now wait for an
    inspection (its own 48-hour deadline), which counts every unit received, and the
    disposition's deadline runs from it."""
    cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-17 10:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "5", "--cost", "500",
           "--at", "2026-11-17 11:00")
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-18 09:00")
    (row,) = ledger.json("return", "list")
    assert (row["stage"], row["due_at"]) == ("received", "2026-11-20T01:00:00Z"), row
    # the inspection it took back, in the history by the name show gives it (it read
    # "was inspected_at: …" in both languages)
    assert "was inspected: 2026-11-17 10:00" in ledger("show", rid, "--format", "csv").stdout
    assert "检验时间：2026-11-17 10:00 → （无）" in ledger("--lang", "zh", "show", rid, "--format",
                                                   "csv").stdout
    r = refused(ledger, "return", "dispose", rid, "--action", "restock", "--qty", "3",
                message="cannot dispose of goods on RMA-2026-0001: goods were received after "
                "its inspection and are not inspected yet")
    assert "Hint: inspect them (an inspection counts every unit received): complaintctl " \
        "return inspect RMA-2026-0001" in r.stderr, r.stderr
    late = ledger.json("overdue", "--as-of", "2026-11-21 09:00")
    assert [(x["id"], x["stage"]) for x in late if x["id"] == rid] == [(rid, "inspect")], late
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "8",
           "--at", "2026-11-18 10:00")
    ledger("return", "dispose", rid, "--action", "restock", "--qty", "3",
           "--at", "2026-11-18 11:00")
    ledger("return", "close", rid, "--at", "2026-11-18 12:00")
    assert ledger.rows("SELECT stage, round, done_at IS NOT NULL FROM stages WHERE "
                       "return_id = ? ORDER BY rowid", (rid,)) == [
        ("inspect", 1, 1), ("dispose", 1, 1), ("inspect", 2, 1), ("dispose", 2, 1)]
    assert ledger.rows("SELECT inspected_at, defective_qty FROM returns") == [
        ("2026-11-18T02:00:00Z", 8)]
    assert ledger.json("verify")["ok"]


def test_no_defect_found_needs_no_defective_count(ledger, rma):
    """`--result no-defect-found` was refused "Missing option '--defective'" (exit 2, a
    usage block): no defect found is 0 defective. Another result still needs it."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    before = ledger.snapshot()
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--at",
               "2026-11-17 10:00", code=2)
    assert r.stderr.startswith("Error: --result defect-confirmed needs --defective N: how "
                               "many units were found defective\nHint: e.g. --defective 3"), \
        r.stderr
    assert "Usage:" not in r.stderr and ledger.snapshot() == before
    # a return that does not exist is said first (the count was asked for, then "no such")
    r = ledger("return", "inspect", "RMA-2099-0001", "--result", "defect-confirmed", code=1)
    assert r.stderr.startswith("Error: no return 'RMA-2099-0001'"), r.stderr
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 10:00")
    assert ledger.rows("SELECT result, defective_qty FROM returns") == [
        ("no-defect-found", 0)]


def test_refusals_leave_the_ledger_unchanged(ledger, rma):
    cid, rid = rma
    refused(ledger, "return", "inspect", rid, "--result", "no-defect-found", "--defective", "0",
            message="nothing has been received yet")
    # a count below one is refused (exit 1, like any imbalance, as the returns issue
    # asks), said before an id unknown: only the unknown id was said
    refused(ledger, "return", "receive", rid, "--qty", "0", message="--qty must be a positive")
    refused(ledger, "return", "receive", rid, "--qty", "-3", message="--qty must be a positive")
    r = refused(ledger, "return", "open", cid, "--qty", "0", message="--qty must be a positive")
    for args, said in (
            (("receive", "RMA-2026-0099", "--qty", "0"), "--qty must be a positive whole "
             "number, not 0"),
            (("open", "CC-2026-0099", "--qty", "-1"), "--qty must be a positive whole "
             "number, not -1"),
            (("dispose", "RMA-2026-0099", "--action", "scrap", "--qty", "0"),
             "--qty must be a positive whole number, not 0"),
            (("inspect", "RMA-2026-0099", "--result", "defect-confirmed", "--defective", "-1"),
             "--defective must be 0 or more, not -1"),
            (("correct", "RMA-2026-0099", "--received", "-1", "--reason", "录错"),
             "--received must be 0 or more, not -1")):
        refused(ledger, "return", *args, message=f"Error: {said}\nHint: ")
    # a cost with a sign: the hint is about costs, not a complaint's disposition (refund …)
    cost = ledger("return", "dispose", rid, "--action", "scrap", "--qty", "1", "--cost", "-5",
                  code=2)
    assert "Error: --cost must be zero or more, not '-5'\nHint: type the amount without a " \
        "sign\n" == cost.stderr
    assert "Hint: goods are counted in whole units, e.g. --qty 5" in r.stderr
    ledger("return", "receive", rid, "--qty", "4", "--at", "2026-11-17 09:00")
    refused(ledger, "return", "dispose", rid, "--action", "scrap", "--qty", "1",
            message="it is not inspected yet")
    refused(ledger, "return", "inspect", rid, "--result", "defect-confirmed", "--defective",
            "5", message="5 defective is more than the 4 received")
    # a result that says the opposite of its count (both were stored as typed)
    before = ledger.snapshot()
    for result, n, message, hint in (
            ("no-defect-found", "4", "--result no-defect-found with 4 defective: a unit found "
             "defective is a defect confirmed", "give --defective 0, or --result "
             "defect-confirmed"),
            ("defect-confirmed", "0", "--result defect-confirmed with none defective",
             "give the number found defective with --defective N, or --result "
             "no-defect-found")):
        r = ledger("return", "inspect", rid, "--result", result, "--defective", n, code=2)
        assert r.stderr == f"Error: {message}\nHint: {hint}\n", r.stderr
    assert ledger.snapshot() == before
    ledger("return", "inspect", rid, "--result", "customer-damage", "--defective", "4",
           "--at", "2026-11-18 09:00")
    refused(ledger, "return", "dispose", rid, "--action", "scrap", "--qty", "5",
            message="only 4 of the 4 received are without a disposition")
    ledger("return", "dispose", rid, "--action", "return-to-customer", "--qty", "3")
    r = refused(ledger, "return", "close", rid, message="1 of the 4 received units has no "
                "disposition")
    assert "Hint: give it one: complaintctl return dispose RMA-2026-0001 --action ACTION " \
        "--qty 1" in r.stderr, r.stderr
    refused(ledger, "return", "dispose", rid, "--action", "scrap", "--qty", "1", "--at",
            "2026-11-01", message="is before the return's previous step", code=2)
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "1")
    ledger("return", "close", rid)
    refused(ledger, "return", "receive", rid, "--qty", "1", message="it is closed")
    refused(ledger, "return", "dispose", rid, "--action", "scrap", "--qty", "1",
            message="it is closed")
    r = refused(ledger, "return", "close", rid, message="it is closed")
    assert f"Hint: its history: complaintctl show {rid}" in r.stderr, r.stderr
    r = refused(ledger, "return", "receive", rid, "--qty", "1", message="it is closed")
    assert f"Hint: open a new return: complaintctl return open {cid} --qty N" in r.stderr
    refused(ledger, "return", "receive", "RMA-2026-0042", "--qty", "1",
            message="no return 'RMA-2026-0042'")
    refused(ledger, "return", "dispose", rid, "--action", "burn", "--qty", "1", code=2,
            message="--action 'burn' is not one of")


def test_return_on_void_or_closed_complaint_is_refused(ledger):
    a = ledger.log()
    ledger.to_state(a, "void")
    refused(ledger, "return", "open", a, "--qty", "1",
            message=f"cannot open a return on {a}: it is void")
    b = ledger.log(product="B")
    ledger.to_state(b, "closed")
    refused(ledger, "return", "open", b, "--qty", "1",
            message=f"cannot open a return on {b}: it is closed")


def test_a_closed_return_of_a_void_complaint_offers_no_new_return(ledger):
    cid = ledger.log()
    rid = ledger("return", "open", cid, "--qty", "1", "--at", "2026-11-16 10:00").stdout.strip()
    ledger("return", "close", rid, "--at", "2026-11-16 11:00")
    ledger("void", cid, "--reason", "logged twice")
    for args in (("close", rid), ("receive", rid, "--qty", "1")):
        r = refused(ledger, "return", *args, message="it is closed")
        assert f"Hint: its history: complaintctl show {rid}" in r.stderr, r.stderr
        assert "return open" not in r.stderr


def test_void_with_open_return_is_refused(ledger):
    cid = ledger.log()
    ledger("return", "open", cid, "--qty", "1", "--at", "2026-09-30 11:00")
    r = refused(ledger, "void", cid, "--reason", "mistake", message="it has open returns")
    # nothing came: it closes as it is (a complaint logged by mistake waits for no goods)
    assert "Hint: close them first; next: complaintctl return close RMA-2026-0001\n" in \
        r.stderr, r.stderr


def test_a_complaint_closed_with_open_returns_says_so(ledger):
    """A revisit (or a close without one) closed a complaint whose returned goods were
    still undisposed, one of them late, without a word: the customer's side is done,
    the warehouse's goes on, and the clerk is told which returns are still open."""
    cid = ledger.log()
    ledger.to_state(cid, "resolved")
    ledger("return", "open", cid, "--qty", "2", "--at", "2026-10-09 10:00")
    ledger("return", "open", cid, "--qty", "1", "--at", "2026-10-09 10:30")
    r = ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-10-09 15:00")
    assert "Warning: CC-2026-0001 is closed with returns still open (RMA-2026-0001, " \
        "RMA-2026-0002): they go on; next: complaintctl return receive RMA-2026-0001 --qty " \
        "N; complaintctl return receive RMA-2026-0002 --qty N" in r.stderr, r.stderr
    assert ledger.json("show", cid)["status"] == "closed"
    # where each return's record is: one command to paste ("show RMA-1 | RMA-2" was a pipe)
    shown = " ".join(ledger("show", cid).stdout.split())
    assert "Receipts, inspection notes and each disposition: complaintctl show " \
        "RMA-2026-0001 (the same for RMA-2026-0002)" in shown, shown
    ledger("return", "close", "RMA-2026-0001")
    ledger("return", "close", "RMA-2026-0002")
    quiet = ledger.log(customer="乙公司")
    ledger.to_state(quiet, "resolved")
    r = ledger("revisit", quiet, "--satisfaction", "satisfied", "--at", "2026-10-09 15:00")
    assert "Warning" not in r.stderr, r.stderr  # no return: nothing to say
    other = ledger.log(customer="丙公司")
    ledger.to_state(other, "resolved")
    ledger("return", "open", other, "--qty", "1", "--at", "2026-10-09 10:00")
    r = ledger("--lang", "zh", "close", other, "--no-revisit", "--reason", "客户拒绝回访",
               "--at", "2026-10-09 15:00")
    assert "RMA-2026-0003" in r.stderr and "警告" in r.stderr, r.stderr


def test_late_returns_appear_in_overdue(ledger, rma):
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    # inspection due 48 h after the first receipt: Thu 19 Nov 09:00
    rows = [r for r in ledger.json("overdue", "--as-of", "2026-11-19 09:01")
            if r["kind"] == "return"]
    assert [(r["id"], r["stage"], r["due_at"]) for r in rows] == [
        (rid, "inspect", "2026-11-19T01:00:00Z")]
    assert rows[0]["escalation_level"] == 1
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-19 10:00")
    # disposition due 3 wd after inspection: Tue 24 Nov 10:00
    (row,) = [r for r in ledger.json("overdue", "--as-of", "2026-11-24 10:30")
              if r["kind"] == "return"]
    assert (row["stage"], row["due_at"]) == ("dispose", "2026-11-24T02:00:00Z")
    assert ledger.json("return", "list")[0]["due_at"] == "2026-11-24T02:00:00Z"


def test_return_policy_is_configurable(ledger, rma):
    _cid, rid = rma
    ledger("policy", "set", "inspect", "all", "24h")
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    assert ledger.json("return", "list")[0]["due_at"] == "2026-11-18T01:00:00Z"


def test_demo_has_returns_in_every_stage(run):
    run("demo", "--complaints", "600", "--db", run.db)
    rows = run.json("return", "list")
    assert {r["stage"] for r in rows} == {"authorised", "received", "inspected",
                                          "dispositioned", "closed"}
    assert any(r["discrepancy"] for r in rows)
    assert any(r["kind"] == "return" for r in run.json("overdue"))
    for r in rows:
        assert r["disposed_qty"] <= r["received_qty"]
        assert sum(r["dispositions"].values()) == r["disposed_qty"]


# --- random sequences against a model ---------------------------------------------------

qty = st.integers(-1, 6)


class ReturnMachine(LedgerMachine):
    TEMPLATE = (("init", "--timezone", "Asia/Shanghai"),
                ("log", "--customer", "A", "--description", "x", "--category", "quality",
                 "--severity", "low", "--channel", "phone", "--received", "2026-01-05"))

    def __init__(self):
        super().__init__()
        self.clock = datetime(2026, 1, 6, 9, 0)
        self.receipts: list[int] = []
        self.disposed = 0
        self.inspected = False
        self.closed = False
        self.rid = ""

    def run(self, *args: str, ok: bool) -> None:
        self.clock += timedelta(hours=1)
        result = self.invoke(*args, "--at", self.clock.strftime("%Y-%m-%d %H:%M"))
        assert result.exit_code == (0 if ok else 1), (args, result.output)

    @initialize(authorised=st.integers(1, 8))
    def open(self, authorised):
        self.run("return", "open", "CC-2026-0001", "--qty", str(authorised), ok=True)
        [(self.rid,)] = self.rows("SELECT max(id) FROM returns")

    @rule(n=qty)
    def receive(self, n):
        ok = not self.closed and n > 0
        self.run("return", "receive", self.rid, "--qty", str(n), ok=ok)
        if ok:
            self.receipts.append(n)
            self.inspected = False  # goods after the inspection wait for one again

    @rule(defective=qty)
    def inspect(self, defective):
        ok = not self.closed and sum(self.receipts) > 0 and 0 <= defective <= sum(self.receipts)
        self.run("return", "inspect", self.rid, "--result",
                 "defect-confirmed" if defective else "no-defect-found", "--defective",
                 str(defective), ok=ok)
        self.inspected = self.inspected or ok

    @rule(n=qty, action=st.sampled_from(["scrap", "repair", "restock"]))
    def dispose(self, n, action):
        ok = (not self.closed and self.inspected and 0 < n
              and self.disposed + n <= sum(self.receipts))
        self.run("return", "dispose", self.rid, "--action", action, "--qty", str(n), ok=ok)
        if ok:
            self.disposed += n

    @rule()
    def close(self):
        ok = not self.closed and self.disposed == sum(self.receipts)
        self.run("return", "close", self.rid, ok=ok)
        self.closed = self.closed or ok

    @invariant()
    def balances(self):
        if not self.rid:
            return
        conn = sqlite3.connect(self.db)
        try:
            received, disposed, closed = conn.execute(
                "SELECT received_qty, disposed_qty, closed_at IS NOT NULL FROM returns "
                "WHERE id = ?", (self.rid,)).fetchone()
            receipts = conn.execute("SELECT coalesce(sum(qty), 0) FROM return_receipts WHERE "
                                    "return_id = ?", (self.rid,)).fetchone()[0]
            split = conn.execute("SELECT coalesce(sum(qty), 0) FROM return_dispositions WHERE "
                                 "return_id = ?", (self.rid,)).fetchone()[0]
        finally:
            conn.close()
        assert received == receipts == sum(self.receipts)
        assert disposed == split == self.disposed <= received
        assert bool(closed) == self.closed


ReturnMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=20,
                                           deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
test_return_state_machine = ReturnMachine.TestCase


def test_capa_items_and_returns_are_not_dated_before_the_complaints_last_step(ledger):
    """`action add` and `return open` checked --at against the receipt alone: added on
    11-02 10:00 to a complaint investigated on 11-04, the item stood in the history at a
    time the complaint was logged, a state that refuses it."""
    cid = ledger.log(received="2026-11-02 09:00")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-03 10:00")
    ledger("investigate", cid, "--cause", "扭矩不足", "--cause-category", "manufacturing",
           "--at", "2026-11-04 10:00")
    before = ledger.snapshot()
    for args in (("action", "add", cid, "--text", "培训", "--owner", "乙", "--due",
                  "2026-11-20", "--at", "2026-11-02 10:00"),
                 ("return", "open", cid, "--qty", "1", "--at", "2026-11-03 12:00")):
        r = ledger(*args, code=2)
        assert "is before the previous step (2026-11-04 10:00)\nHint: give a time after it, " \
            "or leave --at out" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    ledger("action", "add", cid, "--text", "培训", "--owner", "乙", "--due", "2026-11-20",
           "--at", "2026-11-04 10:00")  # at the step itself: taken
    ledger("return", "open", cid, "--qty", "1", "--at", "2026-11-04 11:00")


def test_return_list_of_a_complaint_not_in_the_ledger_is_refused(ledger):
    """`return list --complaint CC-2026-0099` (a mistyped id) said "No returns match.",
    exit 0, as for a complaint without returns."""
    cid = ledger.log()
    for fmt in ("table", "csv", "json"):
        r = ledger("return", "list", "--complaint", "CC-2026-0099", "--format", fmt, code=1)
        assert r.stderr.startswith("Error: no complaint 'CC-2026-0099'\n"), r.stderr
        assert r.stdout == ""
    assert ledger("return", "list", "--complaint", cid).stdout == "No returns match.\n"


def test_a_return_is_numbered_by_the_year_it_was_entered(ledger):
    """Entered in 2026 for goods authorised on 31 December 2025 (back-dated with --at), a
    return was RMA-2025-0001: numbered by the year of --at, where complaints (and the
    README) go by the year of entry."""
    cid = ledger.log(received="2025-12-30 09:00")
    assert cid.startswith("CC-2026-")
    ledger("return", "open", cid, "--qty", "1", "--at", "2025-12-31 10:00")
    assert ledger.rows("SELECT id, year, opened_at FROM returns") == [
        ("RMA-2026-0001", 2026, "2025-12-31T02:00:00Z")]


def test_counts_typed_as_clerks_write_them(ledger):
    """`--quantity 5台`, `--qty ５台`, `1,200` were refused on the command line with
    Click's "not a valid integer" while `import` read the same cells (the README lists
    them): one reader for both now; other text is still refused, the ledger unchanged."""
    from test_words import refused

    cid = ledger.log("--quantity", "1,200", severity="high", received="2026-11-16 09:00")
    other = ledger.log("--quantity", "５ 台", received="2026-11-16 09:30")
    assert ledger.rows("SELECT quantity FROM complaints ORDER BY id") == [(1200,), (5,)]
    rid = ledger("return", "open", cid, "--qty", "５台", "--at", "2026-11-16 10:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "5 pcs", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "4件",
           "--at", "2026-11-18 09:00")
    assert ledger.rows("SELECT authorised_qty, received_qty, defective_qty FROM returns") == \
        [(5, 5, 4)]
    # (a carton holds any number); saying how to write it (Click's "'三台' is not a valid
    # int" did not)
    for typed in ("5x", "1,20台", "五台", "5箱", "5盒"):
        refused(ledger, "amend", other, "--quantity", typed, "--reason", "x",
                message=f"Invalid value for '--quantity': '{typed}' is not a count of units: "
                "write it in digits, e.g. 5, 5台 or 5 pcs (not 五台, nor 5箱: a carton holds "
                "any number)")


@pytest.mark.parametrize(("typed", "said"), [
    ("1.000", "--qty '1.000' could be read two ways: as 1 or as 1000\n"
              "Hint: write the count without the point, e.g. 1 or 1000\n"),
    ("12.000 pcs", "--qty '12.000 pcs' could be read two ways: as 12 or as 12000\n"
                   "Hint: write the count without the point, e.g. 12 or 12000\n"),
    ("2.5", "--qty '2.5': a count is a whole number of units\nHint: e.g. 5 or 5台\n"),
    ("３.５台", "--qty '３.５台': a count is a whole number of units\nHint: e.g. 5 or 5台\n"),
    ("1.000.000", "--qty '1.000.000' has points between its thousands: write the count in "
                  "digits alone, or with commas (1,000)\nHint: e.g. 5 or 5台\n"),
    # three digits after the point: a thousands mark, not a fraction (1.500 was told a
    # count is whole, when 1,500 was written the European way)
    ("1.500", "--qty '1.500' has points between its thousands: write the count in "
              "digits alone, or with commas (1,000)\nHint: e.g. 5 or 5台\n"),
    # zeros in front are the same two readings (001.000 was taken as 1)
    ("001.000", "--qty '001.000' could be read two ways: as 1 or as 1000\n"
                "Hint: write the count without the point, e.g. 1 or 1000\n"),
    # a carton is a carton before anything else (it was told to write 1,000箱)
    ("1.000箱", "Invalid value for '--qty': '1.000箱' is not a count of units: write it in "
               "digits, e.g. 5, 5台 or 5 pcs (not 五台, nor 5箱: a carton holds any number)\n")])
def test_a_count_with_a_point_is_refused_unless_it_is_whole(ledger, rma, typed, said):
    """`--qty 1.000` recorded one unit where `--qty 1,000` records a thousand (a clerk
    writing a thousand the European way lost 999), and 2.5 was told to "write it in
    digits"; 3.0 and 1,000.000 are still whole counts."""
    _cid, rid = rma
    before = ledger.snapshot()
    r = ledger("return", "receive", rid, "--qty", typed, "--at", "2026-11-17 09:00", code=2)
    assert r.stderr.endswith(f"\nError: {said}") or r.stderr == f"Error: {said}", r.stderr
    assert ledger.snapshot() == before
    ledger("return", "receive", rid, "--qty", "3.0", "--at", "2026-11-17 09:00")
    ledger("return", "receive", rid, "--qty", "1,000.000", "--at", "2026-11-17 10:00")
    ledger("return", "receive", rid, "--qty", "1.0000", "--at", "2026-11-17 11:00")
    r = ledger("return", "receive", rid, "--qty", "-1.000", code=1)  # (its sign kept: no
    # reading of it is a count)
    assert r.stderr.startswith("Error: --qty must be a positive whole number, not -1\n")
    assert ledger.rows("SELECT received_qty FROM returns WHERE id = ?", (rid,)) == [(1004,)]


def _received_and_inspected(ledger, rma) -> str:
    """The fixture's return of 5, all received on the 17th and found defective on the
    18th: its id."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-18 09:00")
    return rid


def test_a_disposals_history_line_gives_the_running_total(ledger, rma):
    """A disposal's line read "was disposed: 0" (原为 已处置：0), a word-for-word
    rendering of what the event kept, where a receipt's reads "received in all: 0 → 3"."""
    rid = _received_and_inspected(ledger, rma)
    ledger("return", "dispose", rid, "--action", "repair", "--qty", "2", "--at",
           "2026-11-18 10:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "3", "--at",
           "2026-11-18 11:00")
    text = " ".join(ledger("show", rid).stdout.split())
    assert "disposed in all: 0 → 2" in text and "disposed in all: 2 → 5" in text, text
    assert "was disposed" not in text


def test_return_list_on_a_narrow_terminal_keeps_the_deadline(ledger, rma, monkeypatch):
    """At 60 columns `return list` lost its deadline, the column that matters for open
    returns, and kept an empty count check: those go first now."""
    ledger("return", "receive", rma[1], "--qty", "5", "--at", "2026-11-17 09:00")
    monkeypatch.setenv("COLUMNS", "60")
    out = ledger("return", "list", "--open").stdout
    header = next(line for line in out.splitlines() if line.lstrip().startswith("id"))
    assert header.split()[-1] == "due", out
    assert "2026-11-1" in out  # the deadline itself


def test_an_inspection_again_keeps_what_it_replaces_in_its_event(ledger, rma):
    """A second inspection without a cause emptied the first one's cause and note, and
    its event kept only the old result and count: 轴承不良 and 初检 were gone from the
    record without a word. A defect confirmed again now keeps the cause."""
    cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "1",
           "--cause", "轴承不良", "--note", "初检", "--at", "2026-11-18 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--at", "2026-11-18 10:00")
    shown = ledger.json("show", rid)
    second = [e for e in shown["events"] if e["kind"] == "return-inspect"][1]
    assert second["old"] == {"result": "defect-confirmed", "defective_qty": 1,
                             "cause": "轴承不良", "note": "初检", "stage": "inspected"}, second
    text = " ".join(ledger("show", rid).stdout.split())
    assert "was note: 初检" in text, text
    # the defect confirmed again keeps the cause found (the count alone wiped it from
    # the return, its export and its complaint's table); its event says it
    assert shown["cause"] == "轴承不良" and second["data"]["cause"] == "轴承不良", shown
    assert shown["inspection_note"] is None
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--cause", "外壳开裂", "--at", "2026-11-18 11:00")
    assert ledger.json("show", rid)["cause"] == "外壳开裂"
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--defective", "0",
           "--at", "2026-11-18 12:00")
    assert ledger.json("show", rid)["cause"] is None  # no defect: no cause
    assert ledger("verify").stdout.startswith("OK")


def test_return_list_in_markdown_shows_amounts_as_the_screen_does(ledger, rma):
    """`return list --format markdown` printed 12500.50 where every other markdown
    (show, the report) prints 12,500.50 CNY, or ¥12,500.50 in Chinese (README)."""
    rid = _received_and_inspected(ledger, rma)
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "5", "--cost", "12500.5",
           "--at", "2026-11-18 10:00")
    assert "| 12,500.50 CNY | 0.00 CNY |" in ledger("return", "list", "--format",
                                                    "markdown").stdout
    assert "| ¥12,500.50 | ¥0.00 |" in ledger("--lang", "zh", "return", "list", "--format",
                                               "markdown").stdout
    assert ",12500.50,0.00," in ledger("return", "list", "--format", "csv").stdout


def test_closing_a_return_names_its_dispositions_as_show_does(ledger, rma):
    """`return close` in English said "(return-to-supplier 1, scrap 4)", the codes,
    where show, return list and the Chinese message name them: return to supplier."""
    rid = _received_and_inspected(ledger, rma)
    ledger("return", "dispose", rid, "--action", "退供应商", "--qty", "1", "--at",
           "2026-11-18 10:00")
    ledger("return", "dispose", rid, "--action", "discount-sale", "--qty", "4", "--cost",
           "10", "--at", "2026-11-18 10:30")
    r = ledger("return", "close", rid, "--at", "2026-11-18 12:00")
    assert "disposed 5 (discount sale 4, return to supplier 1);" in r.stderr, r.stderr


def test_return_list_shows_its_costs_and_says_a_deadline_is_past(ledger, rma, monkeypatch):
    """The list's help promised costs that its table never showed (csv, json and
    markdown had them), and a return days past its deadline looked like one on time."""
    rid = _received_and_inspected(ledger, rma)
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "2", "--cost", "1250.5",
           "--at", "2026-11-18 10:00")
    ledger("return", "dispose", rid, "--action", "repair", "--qty", "3", "--repair-cost", "80",
           "--at", "2026-11-18 11:00")
    cid = ledger.log(customer="乙公司", received="2026-11-19 09:00")
    late = ledger("return", "open", cid, "--qty", "2", "--at", "2026-11-19 10:00").stdout.strip()
    ledger("return", "receive", late, "--qty", "2", "--at", "2026-11-19 11:00")  # inspect by 21st
    monkeypatch.setenv("COLUMNS", "120")
    lines = ledger("return", "list").stdout.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("id"))
    assert header.split() == ["id", "complaint", "stage", "auth", "recv", "disp", "count",
                              "loss", "repair", "due"], header
    disposed = next(line for line in lines if line.startswith(f" {rid} "))
    assert "1,250.50 CNY" in disposed and "80.00 CNY" in disposed, disposed
    overdue = next(line for line in lines if line.startswith(f" {late} "))
    assert overdue.rstrip().endswith("2026-11-21 11:00 late"), overdue
    zh = ledger("--lang", "zh", "return", "list").stdout
    assert "¥1,250.50" in zh and "2026-11-21 11:00 逾期" in zh, zh
    monkeypatch.setenv("COLUMNS", "60")  # the costs go first on a narrow terminal
    narrow = ledger("return", "list").stdout
    assert "1,250.50" not in narrow and "2026-11-21 11:00" in narrow, narrow
    # at 60 columns a late return's deadline was cut to "2026-11-21 11:00 la…" (English's
    # "dispositioned" took the room): a stage's name is cut first
    assert "2026-11-21 11:00 late" in narrow and "disposition…" in narrow, narrow
    # a short count stays flagged where the units disposed of can go instead (the stage
    # says how far the disposition went), in both languages
    short = ledger.log(customer="丙公司", received="2026-11-19 09:00")
    rma = ledger("return", "open", short, "--qty", "20", "--at", "2026-11-19 10:00").stdout.strip()
    ledger("return", "receive", rma, "--qty", "18", "--at", "2026-11-19 11:00")
    monkeypatch.setenv("COLUMNS", "70")
    for lang, flag in (("en", "short 2"), ("zh", "少 2")):
        lines = ledger("--lang", lang, "return", "list").stdout.splitlines()
        line = next(x for x in lines if x.startswith(f" {rma} "))
        assert flag in line and "…" not in line, "\n".join(lines)
        if lang == "en":  # (English's stage names are wider: the units disposed of went)
            assert lines[2].split() == ["id", "stage", "auth", "recv", "count", "due"], lines


def test_an_inspection_again_says_what_it_replaces(ledger, rma):
    """A second inspection replaced the first's count without a word (5 defective became
    3, the lower cost of the same scrap unexplained): it says what it replaces, and the
    event keeps it; the same inspection again says nothing."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    first = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
                   "--at", "2026-11-17 10:00")
    assert "replaces" not in first.stderr
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
               "--at", "2026-11-17 11:00")
    assert ("Warning: RMA-2026-0001: this inspection replaces the one before (defect-confirmed, "
            "5 defective)") in r.stderr, r.stderr
    assert ledger.rows("SELECT defective_qty FROM returns") == [(3,)]
    again = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective",
                   "3", "--at", "2026-11-17 12:00")
    assert "replaces" not in again.stderr
    # the same result and count with a cause found (不良, then 确认不良 --cause 划伤) said
    # nothing; then a cause changed says the one it replaces
    r = ledger("return", "inspect", rid, "--result", "确认不良", "--defective", "3",
               "--cause", "划伤", "--at", "2026-11-17 13:00")
    assert ("Warning: RMA-2026-0001: this inspection replaces the one before (defect-confirmed, "
            "3 defective)") in r.stderr, r.stderr
    r = ledger("--lang", "zh", "return", "inspect", rid, "--result", "确认不良", "--defective",
               "3", "--cause", "压伤", "--at", "2026-11-17 14:00")
    assert "警告：RMA-2026-0001：本次检验取代上一次的结果（确认缺陷，不良 3 件，原因：划伤）" \
        in r.stderr, r.stderr
    assert ledger.rows("SELECT cause FROM returns") == [("压伤",)]


def test_a_disposition_says_what_it_did(ledger, rma):
    """`return dispose` answered "RMA-… is inspected" (其 已检验): the units just given a
    disposition, and what is left, in the reader's words."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-17 10:00")
    r = ledger("return", "dispose", rid, "--action", "返工", "--qty", "2", "--at",
               "2026-11-17 11:00")
    assert r.stderr == f"{rid}: 2 to rework; 3 received units still without a disposition.\n"
    r = ledger("--lang", "zh", "return", "dispose", rid, "--action", "scrap", "--qty", "3",
               "--at", "2026-11-17 12:00")
    assert r.stderr == f"{rid}：3 件报废；已收货的每一件都已处置。\n", r.stderr


def test_a_received_count_typed_wrong_is_corrected(ledger):
    """50 typed for 5 received could never be put right: the return showed +45 for ever,
    the month's report counted 50, and nothing could be disposed of to close it but 45
    units that never came. `return correct --received N --reason` records the
    difference as a receipt with the reason, dated when the goods came (the latest
    receipt) and entered now: the receipts still add up, the period they came in counts
    what came, the inspection of the goods stands; never below what has a disposition
    or what the inspection found defective, nor on a closed return."""
    cid = ledger.log(severity="high", received="2026-10-29 09:00")
    rid = ledger("return", "open", cid, "--qty", "5", "--at", "2026-10-29 10:00").stdout.strip()
    r = ledger("return", "receive", rid, "--qty", "50", "--at", "2026-10-30 09:00")
    assert "return correct RMA-2026-0001 --received N --reason TEXT" in r.stderr, r.stderr
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-17 10:00")
    # refusals: below the inspection (none received too)
    refused(ledger, "return", "correct", rid, "--received", "2", "--reason", "录错",
            message="cannot correct RMA-2026-0001 to 2 received: its inspection found 3 "
            "defective")
    refused(ledger, "return", "correct", rid, "--received", "0", "--reason", "录错",
            message="cannot correct RMA-2026-0001 to none received: its goods were inspected")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "4",
           "--at", "2026-11-17 11:00")
    # refusals: no reason, below what has a disposition (said first: it was said as the
    # inspection, whose hint, inspect again, left an inspection and the same refusal),
    # less than none, before the receipt it corrects; nothing changes
    before = ledger.snapshot()
    r = ledger("return", "correct", rid, "--received", "5", code=2)
    assert r.stderr.startswith("Error: return correct needs --reason"), r.stderr
    for received in ("3", "2"):
        r = refused(ledger, "return", "correct", rid, "--received", received, "--reason",
                    "录错", message=f"cannot correct RMA-2026-0001 to {received} received: 4 "
                    "of its units have a disposition")
        assert r.stderr.endswith("Hint: correct it to 4 or more\n"), r.stderr
    refused(ledger, "return", "correct", rid, "--received", "-1", "--reason", "录错",
            message="--received must be 0 or more, not -1")
    refused(ledger, "return", "correct", rid, "--received", "5", "--reason", "录错",
            "--at", "2026-10-29 09:00", code=2,
            message="is before the receipt it corrects (2026-10-30 09:00)")
    r = ledger("amend", rid, "--reason", "录错", code=1)  # amend is a complaint's
    assert r.stderr == (f"Error: {rid} is a return, not a complaint\nHint: its complaint is "
                        f"{cid}; a return's own steps (its count corrected too): complaintctl "
                        "return --help\n"), r.stderr
    # a return's id given for the complaint whose returns to list: that listing
    r = ledger("return", "list", "--complaint", rid, code=1)
    assert r.stderr == (f"Error: {rid} is a return, not a complaint\nHint: its complaint's "
                        f"returns: complaintctl return list --complaint {cid}\n"), r.stderr
    assert ledger.snapshot() == before
    r = ledger("return", "correct", rid, "--received", "6", "--reason", "录错，实收 6")
    assert "RMA-2026-0001 is inspected: received corrected from 50 to 6." in r.stderr, r.stderr
    assert "Warning: RMA-2026-0001: 6 received, 5 authorised (over 1)" in r.stderr, r.stderr
    (row,) = ledger.json("return", "list")
    assert (row["received_qty"], row["disposed_qty"], row["stage"], row["due_at"]) == (
        6, 4, "inspected", "2026-11-20T02:00:00Z"), row  # the disposition owed, as before
    assert ledger.rows("SELECT at, qty, note FROM return_receipts ORDER BY id") == [
        ("2026-10-30T01:00:00Z", 50, None), ("2026-10-30T01:00:00Z", -44, "录错，实收 6")]
    events = ledger.json("show", rid)["events"]
    (fix,) = [e for e in events if e["data"].get("correction")]
    assert (fix["at"], fix["recorded_at"], fix["data"]["qty"]) == (
        "2026-10-30T01:00:00Z", "2026-11-23T12:00:00Z", -44), fix
    history = ledger("--lang", "zh", "show", rid, "--format", "csv").stdout
    assert "收货数量更正" in history and "原因：录错，实收 6" in history, history
    # the period the goods came in counts what came; the next one is not made negative
    october = ledger.json("report", "--month", "2026-10")["returns"]
    assert (october["quantity_received"], october["discrepancies"]) == (6, 1), october
    november = ledger.json("report", "--month", "2026-11")["returns"]
    assert november["quantity_received"] == 0, november
    # the same count again records nothing; a later count corrects the later receipt
    before = ledger.snapshot()
    r = ledger("return", "correct", rid, "--received", "6", "--reason", "再次")
    assert "RMA-2026-0001 has 6 received already: nothing recorded." in r.stderr
    assert ledger.snapshot() == before
    ledger("return", "correct", rid, "--received", "5", "--reason", "又点了一遍")
    ledger("return", "dispose", rid, "--action", "rework", "--qty", "1",
           "--at", "2026-11-18 11:00")
    ledger("return", "close", rid, "--at", "2026-11-18 12:00")
    refused(ledger, "return", "correct", rid, "--received", "6", "--reason", "x",
            message="cannot correct the count of RMA-2026-0001: it is closed")
    assert ledger.json("report", "--month", "2026-10")["returns"]["discrepancies"] == 0
    assert ledger.json("verify")["ok"]


def test_a_count_corrected_down_to_what_has_a_disposition_owes_none_more(ledger, rma):
    """Corrected down to what has a disposition, the return owed a disposition of units
    that never came (late in overdue); corrected up after every unit had one, it owed
    none for the new ones. The disposition owed follows the count."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "10", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 10:00")
    ledger("return", "dispose", rid, "--action", "restock", "--qty", "3",
           "--at", "2026-11-17 11:00")
    ledger("return", "correct", rid, "--received", "3", "--reason", "实收 3")
    (row,) = ledger.json("return", "list")
    assert (row["stage"], row["due_at"]) == ("dispositioned", None), row
    assert [x for x in ledger.json("overdue", "--as-of", "2026-12-01 09:00")
            if x["id"] == rid] == []
    assert ledger.json("verify")["ok"]
    r = ledger("return", "correct", rid, "--received", "4", "--reason", "又找到一件")
    # the disposition of the unit found is owed from when it was known (3 working days
    # from the clock's 2026-11-23 20:00), not from the receipt: it was not born late
    assert "RMA-2026-0001: the units counted in now are to be disposed of by 2026-11-26 " \
        "20:00" in r.stderr, r.stderr
    (row,) = ledger.json("return", "list")
    assert (row["stage"], row["due_at"]) == ("inspected", "2026-11-26T12:00:00Z"), row
    assert ledger.rows("SELECT stage, round, outcome FROM stages WHERE return_id = ? "
                       "ORDER BY id", (rid,)) == [
        ("inspect", 1, "done"), ("dispose", 1, "void"), ("dispose", 2, None)]
    ledger("return", "dispose", rid, "--action", "restock", "--qty", "1")
    ledger("return", "close", rid)
    assert ledger.json("verify")["ok"]
    # a stage ended by hand at an ordinary receipt's time is found
    cid2 = ledger.log(severity="high", received="2026-11-16 09:00")
    other = ledger("return", "open", cid2, "--qty", "5", "--at", "2026-11-16 10:00"
                   ).stdout.strip()
    ledger("return", "receive", other, "--qty", "5", "--at", "2026-11-17 09:00")
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE stages SET done_at = started_at, outcome = 'void' WHERE "
                     "return_id = ? AND done_at IS NULL", (other,))
    conn.close()
    found = json.loads(ledger("verify", "--format", "json", code=1).stdout)
    assert any(p["kind"] == "stage" and p["id"] == other for p in found["problems"]), found


def test_what_a_correction_would_contradict_is_refused(ledger, rma):
    """A count corrected from none to some (no inspection owed after), to none past an
    inspection that a later receipt took back (the inspection's result kept beside 0
    received), or while goods received since the inspection wait for one (a disposition
    owed for good, or an inspection owed for goods that never came), dated after the
    inspection (units never inspected), or of a complaint's id: each refused, saying
    what to do; a stage ended by hand at a correction that did not end it is found."""
    cid, rid = rma
    ledger("return", "receive", rid, "--qty", "10", "--at", "2026-11-17 09:00")
    ledger("return", "correct", rid, "--received", "0", "--reason", "记错单")
    refused(ledger, "return", "correct", rid, "--received", "10", "--reason", "还是对的",
            message="cannot correct the count of RMA-2026-0001: nothing has been received "
            "yet")
    ledger("return", "receive", rid, "--qty", "10", "--at", "2026-11-17 10:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "4",
           "--at", "2026-11-17 11:00")
    refused(ledger, "return", "correct", rid, "--received", "8", "--reason", "x", "--at",
            "2026-11-17 12:00", code=2, message="--at 2026-11-17 12:00 is after the "
            "inspection of RMA-2026-0001 (2026-11-17 11:00): goods that came after it are a "
            "receipt")
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-18 09:00")
    for count in ("0", "3", "10"):
        r = refused(ledger, "return", "correct", rid, "--received", count, "--reason", "x",
                    message="cannot correct the count of RMA-2026-0001: goods were received "
                    "after its inspection and are not inspected yet")
        assert "Hint: inspect them first" in r.stderr, r.stderr
    r = refused(ledger, "return", "correct", cid, "--received", "1", "--reason", "x",
                message=f"Error: {cid} is a complaint, not a return")
    assert f"Hint: its returns: complaintctl return list --complaint {cid}" in r.stderr
    # the inspection again, then the count: the disposition owed follows it
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "4",
           "--at", "2026-11-18 10:00")
    ledger("return", "correct", rid, "--received", "10", "--reason", "那 2 件是别的客退单的")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "10",
           "--at", "2026-11-18 11:00")
    assert ledger.json("verify")["ok"]
    ledger("return", "correct", rid, "--received", "11", "--reason", "少点了一件")
    assert ledger.json("verify")["ok"]
    conn = sqlite3.connect(ledger.db)
    with conn:  # the disposition the raise made owed, ended by hand at the correction
        conn.execute("UPDATE stages SET done_at = (SELECT max(at) FROM return_receipts), "
                     "outcome = 'void' WHERE return_id = ? AND done_at IS NULL", (rid,))
    conn.close()
    found = json.loads(ledger("verify", "--format", "json", code=1).stdout)
    assert [p["id"] for p in found["problems"] if p["kind"] == "stage"] == [rid], found


def test_an_inspection_says_the_deadline_of_the_disposition_it_opens(ledger, rma):
    """`return inspect` said only "RMA-… is inspected.", where assign and resolve say the
    deadline of the stage they open."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 10:00")
    said = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective",
                  "2", "--at", "2026-11-17 11:00").stderr
    assert said == f"{rid} is inspected.\ndispose due 2026-11-20 11:00\n", said


def test_a_disposition_late_already_stays_owed_and_late_when_more_goods_come(ledger, rma):
    """A disposition late already stays owed, and late, when more goods come (a version
    that ended it at the receipt took it out of overdue and counted it on time)."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-16 11:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--at", "2026-11-16 12:00")  # dispose due 11-19 12:00
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "1", "--at",
           "2026-11-20 10:00")  # partly, late already
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-20 11:00")
    late = [(x["stage"], x["due_at"]) for x in
            ledger.json("overdue", "--as-of", "2026-11-20 12:00") if x["id"] == rid]
    assert ("dispose", "2026-11-19T04:00:00Z") in late, late
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-20 13:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "4", "--at",
           "2026-11-21 10:00")
    assert ledger.rows("SELECT round, outcome, done_at FROM stages WHERE return_id = ? AND "
                       "stage = 'dispose' ORDER BY id", (rid,)) == [
        (1, "done", "2026-11-21T02:00:00Z")]
    on_time = ledger.json("report", "--month", "2026-11")["on_time"]["dispose"]
    assert (on_time["done"], on_time["on_time"]) == (1, 0), on_time
    assert ledger.json("verify")["ok"]


def test_a_receipt_dated_before_a_disposition_began_ends_nothing(ledger, rma):
    """A count raised opens the disposition owed from when it is typed (now); a receipt
    typed after it but dated before (a paper record) leaves it as it is, and verify holds
    (a version that ended it there failed verify on the ledger's own rows)."""
    _cid, rid = rma
    received_and_scrapped(ledger, rid, 3, 2, 3, ("2026-11-16 11:00", "2026-11-16 12:00",
                                                 "2026-11-17 10:00"))
    ledger("return", "correct", rid, "--received", "5", "--reason", "typed 3 for 5")
    ledger("return", "receive", rid, "--qty", "1", "--at", "2026-11-18 10:00")
    assert ledger.rows("SELECT round, outcome FROM stages WHERE return_id = ? AND stage = "
                       "'dispose' ORDER BY id", (rid,)) == [(1, "done"), (2, None)]
    assert ledger.json("verify")["ok"]


def test_a_late_disposition_made_void_at_a_later_receipt_is_found(ledger, rma):
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-16 11:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--at", "2026-11-16 12:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "3", "--at",
           "2026-11-20 10:00")  # done, late
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-20 11:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-20 12:00")
    assert ledger.json("verify")["ok"]
    conn = sqlite3.connect(ledger.db)
    with conn:  # its lateness hidden: void at the later receipt
        conn.execute("UPDATE stages SET outcome = 'void', done_at = '2026-11-20T03:00:00Z' "
                     "WHERE return_id = ? AND stage = 'dispose' AND round = 1", (rid,))
    conn.close()
    found = json.loads(ledger("verify", "--format", "json", code=1).stdout)
    assert [(p["kind"], p["id"]) for p in found["problems"]] == [("stage", rid)], found


def test_a_count_lowered_is_not_dated_after_the_latest_receipt(ledger, rma):
    """500 typed for 50 on 30 October, corrected with --at 15 November: November's report
    counted -450 units received (the README promises a correction typed later does not
    make a later period's receipts negative). On the receipt's own day it may be (no
    period's report parts them); a count raised may be dated later (goods that came
    unrecorded came then)."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "500", "--at", "2026-11-17 09:00")
    r = refused(ledger, "return", "correct", rid, "--received", "50", "--reason", "多打0",
                "--at", "2026-11-22 10:00", code=2,
                message="Error: --at 2026-11-22 10:00 is on a later day than the latest "
                "receipt of RMA-2026-0001 (2026-11-17 09:00): a count lowered restates goods "
                "received by then, and the report of a later period would count them "
                "negative\n")
    assert r.stderr.endswith("Hint: leave --at out: the correction is dated at the latest "
                             "receipt\n"), r.stderr
    ledger("return", "correct", rid, "--received", "50", "--reason", "多打0")
    assert ledger.rows("SELECT at, qty FROM return_receipts ORDER BY id") == [
        ("2026-11-17T01:00:00Z", 500), ("2026-11-17T01:00:00Z", -450)]
    ledger("return", "correct", rid, "--received", "52", "--reason", "漏记两件", "--at",
           "2026-11-20 10:00")
    assert ledger.rows("SELECT at, qty FROM return_receipts ORDER BY id")[2:] == [
        ("2026-11-20T02:00:00Z", 2)]


def test_a_receipt_on_the_wrong_return_is_corrected_to_none(ledger, rma):
    """Goods counted in on the wrong return: corrected to none, the return waits for
    goods again (its inspection no longer owed: not in overdue), a later count opens
    a new one, and it can close with nothing received."""
    cid, rid = rma
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 09:00")
    ledger("return", "correct", rid, "--received", "0", "--reason", "记错了客退单",
           "--at", "2026-11-17 10:00")
    (row,) = ledger.json("return", "list")
    assert (row["received_qty"], row["stage"], row["due_at"]) == (0, "authorised", None), row
    assert [x for x in ledger.json("overdue", "--as-of", "2026-12-01 09:00")
            if x["id"] == rid] == []
    assert ledger.rows("SELECT stage, outcome FROM stages WHERE return_id = ?", (rid,)) == [
        ("inspect", "void")]
    assert ledger.json("verify")["ok"]
    # the same correction typed again (a clerk on the phone): nothing recorded, as any
    # count held already (it was refused, "nothing has been received yet")
    before = ledger.snapshot()
    r = ledger("return", "correct", rid, "--received", "0", "--reason", "记错了客退单")
    assert r.stderr == f"{rid} has 0 received already: nothing recorded.\n", r.stderr
    assert ledger.snapshot() == before
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-19 09:00")
    (row,) = ledger.json("return", "list")
    assert (row["stage"], row["due_at"]) == ("received", "2026-11-21T01:00:00Z"), row
    assert ledger.rows("SELECT stage, round, outcome FROM stages WHERE return_id = ? ORDER "
                       "BY id", (rid,)) == [("inspect", 1, "void"), ("inspect", 2, None)]
    # nothing received: corrected it is not (a count is received)
    refused(ledger, "return", "correct", ledger("return", "open", cid, "--qty", "1").stdout
            .strip(), "--received", "1", "--reason", "x", message="cannot correct the count "
            "of RMA-2026-0002: nothing has been received yet")
    ledger("return", "correct", rid, "--received", "0", "--reason", "又记错了",
           "--at", "2026-11-19 10:00")
    ledger("return", "close", rid, "--at", "2026-11-19 11:00")
    assert ledger.json("verify")["ok"]
    assert ledger.rows("SELECT received_qty, first_received_at, closed_at IS NOT NULL FROM "
                       "returns WHERE id = ?", (rid,)) == [(0, None, 1)]


def test_void_and_close_name_each_open_returns_next_step(ledger, rma):
    """`void` with a return whose goods were not disposed of said "close them first:
    complaintctl return close RMA" (a placeholder, and a step then refused); closing
    the complaint told to close its returns "once every unit has a disposition" when
    every unit had one. Each return's own next step is named."""
    cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    r = refused(ledger, "void", cid, "--reason", "重复", message="cannot void")
    assert r.stderr.splitlines()[1] == ("Hint: close them first; next: complaintctl return "
                                        f"inspect {rid} --result ... --defective N"), r.stderr
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 10:00")
    ledger("return", "dispose", rid, "--action", "return-to-customer", "--qty", "5",
           "--at", "2026-11-17 11:00")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-17 12:00")
    ledger("investigate", cid, "--cause", "运输受压", "--cause-category", "logistics",
           "--at", "2026-11-17 13:00")
    ledger("resolve", cid, "--disposition", "explanation", "--summary", "已说明",
           "--at", "2026-11-17 14:00")
    r = ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-11-17 15:00")
    assert (f"Warning: {cid} is closed with returns still open ({rid}): they go on; next: "
            f"complaintctl return close {rid}\n") in r.stderr, r.stderr


def test_the_opening_time_and_the_authorised_quantity_have_two_names(ledger, rma):
    """In Chinese 授权 headed the authorised quantity in the table and the opening time
    in the CSV (beside 授权数量): the time is 授权时间."""
    header = ledger("--lang", "zh", "return", "list", "--format", "csv").stdout.splitlines()[0]
    assert "授权时间" in header.split(",") and "授权数量" in header.split(","), header
    assert "授权," not in header + ",", header
    shown = ledger("--lang", "zh", "show", rma[1], "--format", "csv").stdout
    assert "客退品,授权时间,2026-11-16 10:00" in shown, shown


def test_restocking_defective_units_and_a_receipt_after_the_inspection_are_said(ledger, rma):
    """Units the inspection found defective went back into stock without a word, and a
    receipt after the inspection said only "received" (the dispose after it was then
    refused): the first is warned of (never refused: the clerk may know better), the
    second says the return waits for an inspection again, and by when."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--at", "2026-11-17 10:00")
    r = ledger("return", "dispose", rid, "--action", "restock", "--qty", "3",
               "--at", "2026-11-17 11:00")
    assert "Warning" not in r.stderr, r.stderr  # the three sound ones
    r = ledger("return", "dispose", rid, "--action", "restock", "--qty", "1",
               "--at", "2026-11-17 11:30")
    assert ("Warning: RMA-2026-0001: 4 restocked, but the inspection found 2 of the 5 "
            "received defective\n") in r.stderr, r.stderr
    r = ledger("return", "receive", rid, "--qty", "1", "--at", "2026-11-18 09:00")
    assert ("RMA-2026-0001 waits for an inspection again (goods came after its inspection): "
            "inspect by 2026-11-20 09:00\n") in r.stderr, r.stderr
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--at", "2026-11-18 10:00")
    zh = ledger("--lang", "zh", "return", "receive", rid, "--qty", "1", "--at",
                "2026-11-18 11:00").stderr
    assert "RMA-2026-0001 需要重新检验（检验后又收到货物）：请在 2026-11-20 11:00 前检验" in zh, zh


def test_an_inspection_after_a_restock_that_finds_them_defective_is_warned_of(ledger, rma):
    """Restocked as sound, then inspected again as defective: the restock's warning was
    given only in the other order, and the return closed with defective units on the
    shelf without a word."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 10:00")
    ledger("return", "dispose", rid, "--action", "restock", "--qty", "2",
           "--at", "2026-11-17 11:00")
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
               "--cause", "划伤", "--at", "2026-11-17 12:00")
    assert ("Warning: RMA-2026-0001: 2 restocked, but the inspection found 2 of the 2 "
            "received defective\n") in r.stderr, r.stderr
    # one defective of the two: one restocked is sound, one is not
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "1",
               "--cause", "划伤", "--at", "2026-11-17 12:30")
    assert "2 restocked, but the inspection found 1 of the 2" in r.stderr, r.stderr
    assert ledger.json("verify")["ok"]


def _dispose_stages(ledger, rid):
    return ledger.rows("SELECT round, due_at, done_at, outcome FROM stages WHERE return_id = ? "
                       "AND stage = 'dispose' ORDER BY round", (rid,))


def test_goods_after_the_inspection_owe_the_disposition_anew(ledger, rma):
    """Goods received after the inspection stop the disposition (refused until inspected
    again), and the one owed kept its due from the first inspection: its working days ran
    on while it was refused, and the report counted it late. It ends at the receipt, and
    the inspection again owes it anew; one late already stays as it is (next test)."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-17 10:00")
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-18 09:00")
    assert _dispose_stages(ledger, rid) == [
        (1, "2026-11-20T02:00:00Z", "2026-11-18T01:00:00Z", "void")]
    assert not [s for s in ledger.json("overdue", "--as-of", "2026-11-21 09:00")
                if s["stage"] == "dispose"]
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
               "--at", "2026-11-19 10:00")
    assert "dispose due 2026-11-24 10:00" in r.stderr, r.stderr
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "5",
           "--at", "2026-11-23 11:00")
    assert _dispose_stages(ledger, rid) == [
        (1, "2026-11-20T02:00:00Z", "2026-11-18T01:00:00Z", "void"),
        (2, "2026-11-24T02:00:00Z", "2026-11-23T03:00:00Z", "done")]
    report = ledger.json("report", "--month", "2026-11")
    assert report["on_time"]["dispose"] == {"done": 1, "on_time": 1}, report["on_time"]
    ledger("verify")


def test_goods_at_the_dispositions_due_instant_owe_it_anew(ledger, rma):
    """At its due instant a stage is not late yet (done then, it is on time): goods then
    ended it no more than goods later did, and the disposition was counted late."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-17 10:00")
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-20 10:00")  # its due
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-20 11:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "5",
           "--at", "2026-11-23 10:00")
    assert [s[3] for s in _dispose_stages(ledger, rid)] == ["void", "done"]
    report = ledger.json("report", "--month", "2026-11")
    assert report["on_time"]["dispose"] == {"done": 1, "on_time": 1}, report["on_time"]
    ledger("verify")


def test_goods_after_a_late_inspection_leave_the_disposition_late(ledger, rma):
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-17 10:00")
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-21 09:00")  # due the 20th
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-23 09:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "5",
           "--at", "2026-11-23 10:00")
    assert _dispose_stages(ledger, rid) == [
        (1, "2026-11-20T02:00:00Z", "2026-11-23T02:00:00Z", "done")]
    report = ledger.json("report", "--month", "2026-11")
    assert report["on_time"]["dispose"] == {"done": 1, "on_time": 0}, report["on_time"]
    ledger("verify")


def test_dispositions_are_said_in_the_procedures_order(ledger, rma):
    """Closing a return said 降价销售 1、退回客户 2、返工 1、报废 2: the codes' alphabetical
    order. They come in the order the procedure lists them (rework, repair, scrap …)."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-17 10:00")
    for action, qty in (("discount-sale", "1"), ("return-to-customer", "2"), ("rework", "1"),
                        ("scrap", "1")):
        ledger("return", "dispose", rid, "--action", action, "--qty", qty,
               "--at", "2026-11-17 11:00")
    r = ledger("--lang", "zh", "return", "close", rid, "--at", "2026-11-17 12:00")
    assert "（返工 1、报废 1、降价销售 1、退回客户 2）" in r.stderr, r.stderr
    (row,) = ledger.json("return", "list")
    assert list(row["dispositions"]) == ["rework", "scrap", "discount-sale",
                                         "return-to-customer"], row


def test_the_same_inspection_again_records_nothing(ledger, rma):
    """`return inspect --result no-defect-found` typed twice recorded a second "return
    inspected" event and said "is inspected." both times, where `return correct` of the
    same count says "nothing recorded" and writes nothing. The inspection the return
    holds already (the same result, count, cause and note, nothing received since)
    records nothing and says so (exit 0); anything else in it, or goods received
    since, is an inspection again."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 10:00")
    kinds = "SELECT count(*) FROM events WHERE return_id = ? AND kind = 'return-inspect'"
    before = ledger.snapshot()
    for again in (["--result", "no-defect-found"],
                  ["--result", "no-defect-found", "--defective", "0", "--at",
                   "2026-11-17 11:00"]):
        r = ledger("return", "inspect", rid, *again)
        assert r.stderr == ("RMA-2026-0001 has this inspection already (no-defect-found, 0 "
                            "defective): nothing recorded.\n"), r.stderr
        assert "replaces" not in r.stderr, r.stderr
        assert ledger.snapshot() == before
    # a note, a result or a count of its own is an inspection again
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--note", "复检",
           "--at", "2026-11-17 12:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
           "--cause", "轴承不良", "--note", "复检", "--at", "2026-11-17 13:00")
    assert ledger.rows(kinds, (rid,)) == [(3,)]
    # the defect confirmed again without a cause keeps the cause: the same inspection
    before = ledger.snapshot()
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
               "--note", "复检", "--at", "2026-11-17 14:00")
    assert "nothing recorded." in r.stderr and ledger.snapshot() == before, r.stderr
    r = ledger("--lang", "zh", "return", "inspect", rid, "--result", "defect-confirmed",
               "--defective", "2", "--cause", "轴承不良", "--note", "复检")
    assert ledger.snapshot() == before, r.stderr
    # goods received since wait for an inspection: the same values inspect them
    ledger("return", "receive", rid, "--qty", "1", "--at", "2026-11-18 09:00")
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
               "--cause", "轴承不良", "--note", "复检", "--at", "2026-11-18 10:00")
    assert "nothing recorded" not in r.stderr, r.stderr
    assert ledger.rows(kinds, (rid,)) == [(4,)]
    assert ledger.json("show", rid)["stage"] == "inspected"
    assert ledger("verify").stdout.startswith("OK")


@pytest.mark.slow
def test_identical_concurrent_inspections_record_one(ledger, rma, env):
    """N identical inspections of a received return at the same moment: one records it,
    the others find it there (read and checked in the writing transaction) and record
    nothing; none fails."""
    from test_concurrency import race

    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    argv = ["--db", str(env), "return", "inspect", rid, "--result", "defect-confirmed",
            "--defective", "1", "--cause", "划伤", "--at", "2026-11-17 10:00"]
    results = race([argv] * 6)
    assert [code for code, _out, _err in results] == [0] * 6, results
    assert sum("nothing recorded" in err for _c, _o, err in results) == 5, results
    assert ledger.rows("SELECT count(*) FROM events WHERE return_id = ? AND kind = "
                       "'return-inspect'", (rid,)) == [(1,)]


def test_a_return_list_into_a_file_says_the_columns_it_left_out(ledger, rma, monkeypatch):
    """`return list` piped or redirected (80 columns) dropped the cost columns without a
    word (a cron job's mail lost the repair cost). Written where no terminal shows it,
    a table fitted to the width says what it left out or cut; given room, nothing."""
    rid = _received_and_inspected(ledger, rma)
    for action, cost in (("repair", ("--repair-cost", "120.50")), ("scrap", ("--cost", "9"))):
        ledger("return", "dispose", rid, "--action", action, "--qty", "2", *cost)
    monkeypatch.setenv("COLUMNS", "60")
    r = ledger("return", "list")
    assert "120.50" not in r.stdout
    assert r.stderr.startswith("To fit 60 columns the table left out "), r.stderr
    assert "repair" in r.stderr.splitlines()[0] and r.stderr.splitlines()[0].endswith(
        ": set COLUMNS wider, or use --format csv for every column whole."), r.stderr
    monkeypatch.setenv("COLUMNS", "200")
    r = ledger("return", "list")
    assert "120.50" in r.stdout and "To fit" not in r.stderr, r.stderr


def test_a_count_lowered_again_ends_the_disposition_it_owed_when_entered(ledger, rma,
                                                                        monkeypatch):
    """5 received and restocked, the count raised to 7 (a disposition owed from then,
    late a week on, at level 3), then lowered to 5 again: the disposition owed was ended
    at the latest receipt, days before it started, and was gone from every overdue
    --as-of the days it was late. It ends when the correction is entered now."""
    from datetime import datetime, timezone

    from complaintctl import cli
    from complaintctl import run as run_module

    def clock(*when: int) -> None:
        at = datetime(*when, tzinfo=timezone.utc)
        monkeypatch.setattr(cli, "_now", lambda: at)
        monkeypatch.setattr(run_module, "_now", lambda: at)

    _cid, rid = rma
    clock(2026, 11, 17, 2)  # 10:00 in Shanghai
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "no-defect-found", "--at", "2026-11-17 09:30")
    ledger("return", "dispose", rid, "--action", "restock", "--qty", "5",
           "--at", "2026-11-17 09:40")
    ledger("return", "correct", rid, "--received", "7", "--reason", "少记两件")
    clock(2026, 11, 24, 2)
    (late,) = [r for r in ledger.json("overdue") if r["id"] == rid]
    assert (late["stage"], late["late_working_days"], late["escalation_level"]) == \
        ("dispose", 2, 3), late
    ledger("return", "correct", rid, "--received", "5", "--reason", "还是 5 件")
    assert [r for r in ledger.json("overdue") if r["id"] == rid] == []
    then = [r for r in ledger.json("overdue", "--as-of", "2026-11-23 12:00") if r["id"] == rid]
    assert [(r["stage"], r["late_working_days"]) for r in then] == [("dispose", 1)], then
    assert ledger.rows("SELECT round, started_at, due_at, done_at, outcome FROM stages WHERE "
                       "return_id = ? AND stage = 'dispose' ORDER BY round", (rid,)) == [
        (1, "2026-11-17T01:30:00Z", "2026-11-20T01:30:00Z", "2026-11-17T01:40:00Z", "done"),
        (2, "2026-11-17T02:00:00Z", "2026-11-20T02:00:00Z", "2026-11-24T02:00:00Z", "void")]
    assert ledger.json("verify")["ok"]


def test_the_way_to_correct_an_excess_count_offered_is_one_that_is_taken(ledger, rma):
    """Goods received after the inspection, the total over what was authorised: the
    receipt offered `return correct`, which was then refused (those goods are not
    inspected yet). It offers the inspection first, and each way offered is taken."""
    _cid, rid = rma
    r = ledger("return", "receive", rid, "--qty", "50", "--at", "2026-11-17 09:00")
    said = f"a count typed wrong is corrected with: complaintctl return correct {rid} " \
        "--received N --reason TEXT"
    assert said in r.stderr, r.stderr
    ledger("return", "correct", rid, "--received", "5", "--reason", "多打了一个 0")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-17 10:00")
    r = ledger("return", "receive", rid, "--qty", "55", "--at", "2026-11-17 11:00")
    assert said not in r.stderr, r.stderr
    assert ("a count typed wrong is corrected once the goods received since its inspection "
            f"are inspected: complaintctl return inspect {rid} --result ... --defective N, "
            f"then complaintctl return correct {rid} --received N --reason TEXT") in r.stderr
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-17 12:00")
    ledger("return", "correct", rid, "--received", "5", "--reason", "五十五是误录")
    assert ledger.rows("SELECT received_qty FROM returns WHERE id = ?", (rid,)) == [(5,)]
    assert ledger.json("verify")["ok"]


def test_a_correction_behind_the_receipts_clock_ends_no_stage_before_it_started(
        ledger, rma, monkeypatch):
    """A receipt recorded at 11:00:00 by a machine whose clock is a little ahead, corrected
    to none on one that reads 10:59:30: the inspection it owed ended at 10:59:30, before
    it started, and verify said the stage did not end as the steps say."""
    from datetime import datetime, timezone

    from complaintctl import cli
    from complaintctl import run as run_module

    def clock(*when: int) -> None:
        moment = datetime(*when, tzinfo=timezone.utc)
        monkeypatch.setattr(cli, "_now", lambda: moment)
        monkeypatch.setattr(run_module, "_now", lambda: moment)

    _cid, rid = rma
    clock(2026, 11, 17, 3, 0, 30)  # 11:00:30 in Shanghai
    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 11:00")
    clock(2026, 11, 17, 2, 59, 30)
    ledger("return", "correct", rid, "--received", "0", "--reason", "记错了客退单")
    assert ledger.rows("SELECT started_at, done_at, outcome FROM stages WHERE return_id = ?",
                       (rid,)) == [("2026-11-17T03:00:00Z", "2026-11-17T03:00:00Z", "void")]
    assert ledger.json("verify")["ok"]


def test_a_disposition_is_not_dated_before_the_stage_a_correction_opened(ledger, rma):
    """A count raised after the disposition opens the disposition of the new units when
    it is entered (now), its own time the receipt's: a disposition dated back before that
    was taken, a stage done before it started (on time in the month's report)."""
    _cid, rid = rma
    received_and_scrapped(ledger, rid, 5, 5, 5, ("2026-11-17 09:00", "2026-11-17 10:00",
                                                 "2026-11-17 11:00"))
    ledger("return", "correct", rid, "--received", "6", "--reason", "漏录一件")
    refused(ledger, "return", "dispose", rid, "--action", "restock", "--qty", "1", "--at",
            "2026-11-17 12:00", code=2,
            message="--at 2026-11-17 12:00 is before the return's previous step "
                    "(2026-11-23 20:00)")
    ledger("return", "dispose", rid, "--action", "restock", "--qty", "1")
    assert ledger.rows("SELECT count(*) FROM stages WHERE done_at < started_at") == [(0,)]
    assert ledger.json("verify")["ok"]


def test_a_return_not_inspected_is_not_told_to_give_a_disposition_at_its_closing(ledger,
                                                                                  rma):
    """Goods received after the inspection: `return close` hinted `return dispose`, which
    was then refused (they are inspected first). The step really next is given; so it is
    of goods never inspected."""
    _cid, rid = rma

    def close_refused(left: int, received: int) -> None:
        before = ledger.snapshot()
        r = ledger("return", "close", rid, code=1)
        assert r.stderr == (f"Error: cannot close {rid}: {left} of the {received} received "
                            "units have no disposition\nHint: inspect them first (an "
                            "inspection counts every unit received), then give them one: "
                            f"complaintctl return inspect {rid} --result ... --defective N\n"
                            ), r.stderr
        assert ledger.snapshot() == before

    ledger("return", "receive", rid, "--qty", "3", "--at", "2026-11-17 09:00")
    close_refused(3, 3)
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--at", "2026-11-17 10:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "3", "--cost", "10",
           "--at", "2026-11-17 11:00")
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-18 09:00")
    close_refused(2, 5)
    before = ledger.snapshot()
    r = ledger("--lang", "zh", "return", "close", rid, code=1)
    assert r.stderr.splitlines()[1] == (
        "提示：请先检验（检验计入已收到的全部数量），再处置：complaintctl return inspect "
        f"{rid} --result 检验结果 --defective 数量"), r.stderr
    assert ledger.snapshot() == before
    # the steps it names are taken, in turn; inspected, the units left are to be disposed of
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-18 10:00")
    r = ledger("return", "close", rid, code=1)
    assert r.stderr.splitlines()[1] == ("Hint: give it one: complaintctl return dispose "
                                        f"{rid} --action ACTION --qty 2"), r.stderr
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "2", "--at",
           "2026-11-18 11:00")
    ledger("return", "close", rid, "--at", "2026-11-18 12:00")
    assert ledger.rows("SELECT stage, disposed_qty FROM returns") == [("closed", 5)]


def test_a_disposition_of_a_return_with_none_left_says_every_unit_has_one(ledger, rma):
    """"only 0 of the 5 received are without a disposition" (只有 0 件尚未处置): every
    received unit has one already, said so, and its next step given."""
    _cid, rid = rma
    received_and_scrapped(ledger, rid, 5, 5, 5, ("2026-11-17 09:00", "2026-11-17 10:00",
                                                 "2026-11-17 11:00"))
    before = ledger.snapshot()
    r = ledger("return", "dispose", rid, "--action", "scrap", "--qty", "1", code=1)
    assert r.stderr == (f"Error: cannot dispose of 1 on {rid}: every one of the 5 received "
                        "units has a disposition already\nHint: close it: complaintctl return "
                        f"close {rid}; if more goods came, record them first: complaintctl "
                        f"return receive {rid} --qty N\n"), r.stderr
    r = ledger("--lang", "zh", "return", "dispose", rid, "--action", "scrap", "--qty", "1",
               code=1)
    assert r.stderr.splitlines()[0] == f"错误：无法为 {rid} 处置 1 件：收货 5 件已全部处置", \
        r.stderr
    assert "只有" not in r.stderr and r.stdout == ""
    assert ledger.snapshot() == before


def test_a_disposition_is_said_by_its_label(ledger, rma):
    """`return dispose` said "2 to return-to-customer" (the stored code) where the close
    line, show and the Chinese say the label."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "5",
           "--at", "2026-11-17 10:00")
    r = ledger("return", "dispose", rid, "--action", "return-to-customer", "--qty", "2",
               "--at", "2026-11-17 11:00")
    assert r.stderr == (f"{rid}: 2 to return to customer; 3 received units still without a "
                        "disposition.\n"), r.stderr
    r = ledger("return", "dispose", rid, "--action", "discount-sale", "--qty", "2",
               "--at", "2026-11-17 12:00")
    assert r.stderr == (f"{rid}: 2 to discount sale; 1 received unit still without a "
                        "disposition.\n"), r.stderr
    r = ledger("--lang", "zh", "return", "dispose", rid, "--action", "return-to-supplier",
               "--qty", "1", "--at", "2026-11-17 13:00")
    assert r.stderr == f"{rid}：1 件退回供应商；已收货的每一件都已处置。\n", r.stderr
    assert ledger.rows("SELECT action, qty FROM return_dispositions ORDER BY id") == [
        ("return-to-customer", 2), ("discount-sale", 2), ("return-to-supplier", 1)]
    r = ledger("return", "close", rid, "--at", "2026-11-17 14:00")
    assert "(discount sale 2, return to customer 2, return to supplier 1)" in r.stderr, \
        r.stderr


def test_a_correction_below_one_disposed_unit_says_it_in_the_singular(ledger, rma):
    """"1 of its units have a disposition": the refusal had one form for any number."""
    _cid, rid = rma
    received_and_scrapped(ledger, rid, 5, 1, 1,
                          ("2026-11-17 09:00", "2026-11-17 10:00", "2026-11-17 11:00"))
    r = refused(ledger, "return", "correct", rid, "--received", "0", "--reason", "录错",
                message=f"cannot correct {rid} to 0 received: 1 of its units has a "
                "disposition\nHint: correct it to 1 or more\n")
    assert r.exit_code == 1


def test_an_inspection_after_goods_received_since_says_what_it_replaces(ledger, rma):
    """A second box came after the inspection; the clerk counted only its 2 defective,
    and the 4 found before were replaced without a word (the warning was said only when
    nothing had come since). Said, with every unit it counts."""
    _cid, rid = rma
    ledger("return", "receive", rid, "--qty", "5", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "4",
           "--cause", "虚焊", "--at", "2026-11-17 10:00")
    ledger("return", "receive", rid, "--qty", "2", "--at", "2026-11-18 09:00")
    r = ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "2",
               "--at", "2026-11-18 10:00")
    assert (f"Warning: {rid}: this inspection replaces the one before (defect-confirmed, 4 "
            "defective, cause 虚焊); it counts every unit received, 7 in all\n") in r.stderr, \
        r.stderr
    assert ledger.rows("SELECT defective_qty FROM returns WHERE id = ?", (rid,)) == [(2,)]
    r = ledger("--lang", "zh", "return", "inspect", rid, "--result", "defect-confirmed",
               "--defective", "6", "--at", "2026-11-18 11:00")  # (nothing came since)
    said = f"警告：{rid}：本次检验取代上一次的结果（确认缺陷，不良 2 件，原因：虚焊）\n"
    assert said in r.stderr, r.stderr
