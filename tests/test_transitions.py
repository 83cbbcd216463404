"""Every transition the table forbids is refused (exit 1, one message naming
the state and what is allowed, ledger unchanged); and random command sequences
agree with a simple model of the procedure."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from support import LedgerMachine, tallies_and_recount

from complaintctl import workflow

# Valid arguments for each command of the table: only the state can refuse them.
ARGS = {
    "assign": lambda cid: ("assign", cid, "--dept", "QA", "--owner", "Li"),
    "investigate": lambda cid: ("investigate", cid, "--finding", "seen"),
    "action add": lambda cid: ("action", "add", cid, "--text", "fix", "--owner", "Li",
                               "--due", "2026-12-01"),
    "action done": lambda aid: ("action", "done", aid),
    "action verify": lambda aid: ("action", "verify", aid),
    "resolve": lambda cid: ("resolve", cid, "--disposition", "exchange", "--summary", "ok"),
    "revisit": lambda cid: ("revisit", cid, "--satisfaction", "satisfied"),
    "close": lambda cid: ("close", cid, "--no-revisit", "--reason", "declined"),
    "void": lambda cid: ("void", cid, "--reason", "mistake"),
    "amend": lambda cid: ("amend", cid, "--customer", "Renamed", "--reason", "typo"),
    "return open": lambda cid: ("return", "open", cid, "--qty", "1"),
}

# An action can only be added while investigating or resolved, and a complaint is
# void only from logged/assigned: no action exists on a void complaint.
UNREACHABLE = {("action done", "void"), ("action verify", "void")}

FORBIDDEN = [(cmd, state) for cmd in workflow.COMMANDS for state in workflow.STATES
             if state not in workflow.TRANSITIONS[cmd]]

# A command of two words is refused in words ("cannot return open CC-…" read it as a
# verb); the others by their name.
REFUSED_AS = {"action add": "add a CAPA item to {id}",
              "action done": "mark a CAPA item of {id} done",
              "action verify": "verify a CAPA item of {id}",
              "return open": "open a return on {id}"}


def test_table_covers_every_command():
    assert set(ARGS) == set(workflow.COMMANDS)
    assert UNREACHABLE <= set(FORBIDDEN)


def _action_in_state(ledger, cid: str, state: str) -> str:
    """Bring `cid` to `state` with an action (done, for verify refusals) on it."""
    ledger.to_state(cid, "investigating")
    # (added while it was investigated: the closing below is dated before today)
    aid = ledger(*ARGS["action add"](cid), "--at", "2026-10-08 10:00").stdout.strip()
    ledger("action", "done", aid, "--at", "2026-10-08 11:00")
    if state != "investigating":
        ledger("resolve", cid, "--disposition", "exchange", "--summary", "ok", "--at",
               "2026-10-09 09:00")
    if state == "closed":
        ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-10-09 15:00")
    return aid


@pytest.mark.parametrize(("command", "state"),
                         [p for p in FORBIDDEN if p not in UNREACHABLE])
def test_forbidden_transition_is_refused_and_changes_nothing(ledger, command, state):
    cid = ledger.log()
    ledger.to_state(cid, state)
    before = ledger.snapshot()
    result = ledger(*ARGS[command](cid), code=1)
    # (no CAPA item: none to mark done or verify)
    allowed = ", ".join(workflow.allowed_from(state, "medium", capa=(False, False))) or \
        "nothing (only show)"
    refused = REFUSED_AS.get(command, command + " {id}").format(id=cid)
    assert result.stderr.splitlines()[0] == (
        f"Error: cannot {refused}: it is {state}; allowed next: {allowed}")
    assert result.stdout == ""
    assert ledger.snapshot() == before


def test_a_logged_complaint_is_not_offered_the_steps_of_capa_items_it_cannot_have(ledger):
    """"allowed next: assign, action done, action verify, void …" for a logged complaint:
    an item is added while a complaint is investigated, so a logged one has none."""
    cid = ledger.log()
    r = ledger("resolve", cid, "--disposition", "refund", "--summary", "s", code=1)
    assert r.stderr.splitlines()[0] == (f"Error: cannot resolve {cid}: it is logged; allowed "
                                        "next: assign, void, amend, return open, note, attach")
    ledger.to_state(cid, "investigating")
    r = ledger("close", cid, "--no-revisit", "--reason", "x", code=1)
    assert "action done" not in r.stderr and "action verify" not in r.stderr, r.stderr
    # offered only for an item it has: one to mark done, then one to verify (a closed
    # complaint without items was offered both)
    ledger("action", "add", cid, "--text", "培训", "--owner", "王芳", "--due", "2026-12-20")
    r = ledger("close", cid, "--no-revisit", "--reason", "x", code=1)
    assert "action done" in r.stderr and "action verify" not in r.stderr, r.stderr
    ledger("action", "done", "1")
    r = ledger("close", cid, "--no-revisit", "--reason", "x", code=1)
    assert "action done" not in r.stderr and "action verify" in r.stderr, r.stderr


def test_a_two_word_command_is_refused_in_words_and_a_note_is_offered(ledger):
    """"cannot action add CC-…" and "cannot return open CC-…" read the command as a verb;
    and "allowed next: amend" of a closed complaint left out the note and the attachment
    it still takes (any state but void), as if a later call could not be noted."""
    cid = ledger.log()
    before = ledger.snapshot()
    r = ledger("action", "add", cid, "--text", "t", "--owner", "o", "--due", "2026-12-20",
               code=1)
    assert r.stderr == (f"Error: cannot add a CAPA item to {cid}: it is logged; allowed next: "
                        "assign, void, amend, return open, note, attach\n"
                        f"Hint: see its history with: complaintctl show {cid}\n"), r.stderr
    assert r.stdout == "" and ledger.snapshot() == before
    r = ledger("--lang", "zh", "action", "add", cid, "--text", "t", "--owner", "o", "--due",
               "2026-12-20", code=1)
    assert r.stderr.splitlines()[0] == (f"错误：无法对 {cid} 执行 action add：当前状态为“已登记”；"
                                        "下一步可执行：assign、void、amend、return open、note、"
                                        "attach"), r.stderr
    closed = ledger.log(customer="乙公司")
    ledger.to_state(closed, "closed")
    before = ledger.snapshot()
    r = ledger("return", "open", closed, "--qty", "1", code=1)
    assert r.stderr.splitlines()[0] == (f"Error: cannot open a return on {closed}: it is "
                                        "closed; allowed next: amend, note, attach"), r.stderr
    assert ledger.snapshot() == before
    # what it offers is taken
    ledger("note", closed, "--text", "客户来电致谢")
    assert ledger.rows("SELECT text FROM notes WHERE complaint_id = ?", (closed,)) == [
        ("客户来电致谢",)]
    void = ledger.log(customer="丙公司")
    ledger.to_state(void, "void")
    before = ledger.snapshot()
    r = ledger("return", "open", void, "--qty", "1", code=1)
    assert r.stderr.splitlines()[0] == (f"Error: cannot open a return on {void}: it is void; "
                                        "allowed next: nothing (only show)"), r.stderr
    ledger("note", void, "--text", "x", code=1)  # (none offered: none taken)
    assert ledger.snapshot() == before


def test_allowed_action_steps_on_closed_complaint(ledger):
    """CAPA outlives the complaint: done and verify work once it is closed."""
    cid = ledger.log()
    aid = _action_in_state(ledger, cid, "closed")
    ledger("action", "verify", aid)
    assert ledger.rows("SELECT verified_by FROM actions") == [("tester",)]


# --- the state machine ---------------------------------------------------------------

# The model: the spec's table again, written independently of workflow.py.
MODEL = {
    "assign": {"logged": "assigned", "assigned": "assigned", "investigating": "investigating"},
    "investigate": {"assigned": "investigating", "investigating": "investigating"},
    "resolve": {"investigating": "resolved"},
    "close": {"resolved": "closed"},
    "void": {"logged": "void", "assigned": "void"},
    "amend": {s: s for s in ("logged", "assigned", "investigating", "resolved", "closed")},
    "action add": {"investigating": "investigating", "resolved": "resolved"},
}

class ComplaintMachine(LedgerMachine):
    def __init__(self):
        super().__init__()
        self.clock = datetime(2026, 1, 5, 9, 0)
        self.status = "logged"
        self.reopen = 0
        self.events = 0
        self.concluded = False
        self.validity: str | None = None
        self.actions: list[dict[str, bool]] = []
        self.cid = ""

    def _at(self) -> str:
        self.clock += timedelta(hours=1)
        return self.clock.strftime("%Y-%m-%d %H:%M")

    def run(self, *args: str, ok: bool) -> None:
        result = self.invoke(*args)
        assert result.exit_code == (0 if ok else 1), (args, self.status, result.output)
        if ok:
            self.events += 1
        else:
            assert result.stderr.startswith("Error: ")

    def step(self, command: str, *args: str, ok: bool | None = None) -> bool:
        allowed = self.status in MODEL[command] if ok is None else ok
        self.run(*args, ok=allowed)
        if allowed:
            self.status = MODEL[command][self.status]
        return allowed

    @initialize()
    def log(self):
        result = self.invoke("log", "--customer", "Acme", "--description", "broken",
                             "--category", "quality", "--severity", "high", "--channel",
                             "phone", "--received", self._at())
        assert result.exit_code == 0, result.output
        self.cid = result.stdout.strip()
        self.events = 1
        self.owner: str | None = None

    @rule(owner=st.sampled_from(["Li", "Wang"]))
    def assign(self, owner):
        if self.step("assign", "assign", self.cid, "--dept", "QA", "--owner", owner,
                     "--at", self._at()):
            if owner == self.owner:  # to whom it is assigned already: nothing recorded
                self.events -= 1
            self.owner = owner

    @rule(kind=st.sampled_from(["finding", "cause", "not-upheld"]))
    def investigate(self, kind):
        extra = {"finding": ("--finding", "seen"), "cause": ("--cause", "torque"),
                 "not-upheld": ("--not-upheld", "--reason", "in spec")}[kind]
        if self.step("investigate", "investigate", self.cid, *extra, "--at", self._at()):
            if kind == "not-upheld":
                self.validity = "not-upheld"
            elif kind == "cause" and self.validity is None:
                self.validity = "upheld"
            self.concluded = self.concluded or kind != "finding"

    @rule(disposition=st.sampled_from(["exchange", "explanation"]))
    def resolve(self, disposition):
        ok = (self.status == "investigating" and self.concluded
              and (self.validity != "not-upheld" or disposition == "explanation"))
        self.step("resolve", "resolve", self.cid, "--disposition", disposition,
                  "--summary", "told", "--at", self._at(), ok=ok)

    @rule(satisfaction=st.sampled_from(["satisfied", "basically-satisfied", "unsatisfied"]))
    def revisit(self, satisfaction):
        # from closed only for a critical complaint's second revisit: this one is high
        ok = self.status == "resolved"
        self.run("revisit", self.cid, "--satisfaction", satisfaction, "--at", self._at(), ok=ok)
        if ok:
            if satisfaction == "unsatisfied":
                self.status = "investigating"
                self.reopen += 1
            else:
                self.status = "closed"

    @rule()
    def close(self):
        self.step("close", "close", self.cid, "--no-revisit", "--reason", "declined",
                  "--at", self._at())

    @rule()
    def void(self):
        self.step("void", "void", self.cid, "--reason", "mistake", "--at", self._at())

    @rule(name=st.sampled_from(["Acme", "华东电器", "Globex"]))
    def amend(self, name):
        # amending to the value already recorded records nothing (exit 0: said so)
        if self.rows("SELECT customer FROM complaints") == [(name,)]:
            return
        self.step("amend", "amend", self.cid, "--customer", name, "--reason", "typo")

    @rule(days=st.integers(1, 3))
    def amend_received(self, days):
        # received earlier, across UTC days: the day tallies follow the move
        [(current,)] = self.rows("SELECT received_at FROM complaints")
        earlier = datetime.fromisoformat(current.replace("Z", "+00:00")) - timedelta(days=days)
        self.step("amend", "amend", self.cid, "--received",
                  earlier.strftime("%Y-%m-%d %H:%M %z"), "--reason", "paper date")

    @rule()
    def action_add(self):
        # (at the model's clock: a closing is never dated before an item added)
        if self.step("action add", "action", "add", self.cid, "--text", "fix", "--owner", "Li",
                     "--due", "2026-12-31", "--at", self._at()):
            self.actions.append({"done": False, "verified": False})

    @precondition(lambda self: self.actions)
    @rule(data=st.data())
    def action_done(self, data):
        index = data.draw(st.integers(0, len(self.actions) - 1))
        action = self.actions[index]
        ok = self.status != "void" and not action["done"]
        self.run("action", "done", str(self._action_id(index)), ok=ok)
        action["done"] = action["done"] or ok

    @precondition(lambda self: self.actions)
    @rule(data=st.data())
    def action_verify(self, data):
        index = data.draw(st.integers(0, len(self.actions) - 1))
        action = self.actions[index]
        ok = self.status != "void" and action["done"] and not action["verified"]
        self.run("action", "verify", str(self._action_id(index)), ok=ok)
        action["verified"] = action["verified"] or ok

    def _action_id(self, index: int) -> int:
        return self.rows("SELECT id FROM actions ORDER BY id")[index][0]

    @invariant()
    def ledger_matches_model(self):
        if not self.cid:
            return
        conn = sqlite3.connect(self.db)
        try:
            status, reopen = conn.execute("SELECT status, reopen_count FROM complaints "
                                          "WHERE id = ?", (self.cid,)).fetchone()
            events = conn.execute("SELECT count(*) FROM events WHERE complaint_id = ?",
                                  (self.cid,)).fetchone()[0]
            open_stages = conn.execute("SELECT count(*) FROM stages WHERE done_at IS NULL "
                                       "AND complaint_id = ?", (self.cid,)).fetchone()[0]
            kept, recount = tallies_and_recount(conn)
        finally:
            conn.close()
        assert (status, reopen, events) == (self.status, self.reopen, self.events)
        assert kept == recount  # the reports' day tallies follow every step
        if status == "void":
            assert open_stages == 0


ComplaintMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_complaint_state_machine = ComplaintMachine.TestCase
