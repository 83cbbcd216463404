"""The complaint lifecycle as data (SPEC section 2), its one refusal message, and
the guards that are not state changes, as pure functions beside the table.

A row of TRANSITIONS maps a command to {from_state: to_state}. A to_state of
SAME leaves the state unchanged; a dict picks the target by the step's outcome
(the revisit's satisfaction). Nothing here touches the database: the step
modules read a record inside their transaction, ask this module whether the
move is legal, then write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from complaintctl.errors import BadInput, IllegalTransition, Refused
from complaintctl.i18n import N_, _, listing, term

STATES = ("logged", "assigned", "investigating", "resolved", "closed", "void")
OPEN_STATES = ("logged", "assigned", "investigating", "resolved")
SAME = "="

# Which revisit closes a complaint and which reopens it: decided here, stored with
# the revisit (revisits.to_status), never re-derived from the satisfaction word.
REVISIT_OUTCOME = {"satisfied": "closed", "basically-satisfied": "closed",
                   "unsatisfied": "investigating"}
_NOT_VOID = ("logged", "assigned", "investigating", "resolved", "closed")

TRANSITIONS: dict[str, dict[str, str | dict[str, str]]] = {
    "assign": {"logged": "assigned", "assigned": "assigned", "investigating": SAME},
    "investigate": {"assigned": "investigating", "investigating": SAME},
    "action add": {"investigating": SAME, "resolved": SAME},
    "action done": {s: SAME for s in _NOT_VOID},
    "action verify": {s: SAME for s in _NOT_VOID},
    "resolve": {"investigating": "resolved"},
    "revisit": {"resolved": REVISIT_OUTCOME, "closed": REVISIT_OUTCOME},
    "close": {"resolved": "closed"},
    "void": {"logged": "void", "assigned": "void"},
    "amend": {s: SAME for s in _NOT_VOID},
    "return open": {s: SAME for s in OPEN_STATES},
}

COMMANDS = tuple(TRANSITIONS)

# The steps that go on a complaint in any state but void and move nothing (SPEC section
# 8, check_not_void): named after the table's among the steps allowed next ("allowed
# next: amend" of a closed complaint read as if a later call could not be noted).
ANY_BUT_VOID = ("note", "attach")

# The refusal of a command of two words, said in words ("cannot return open CC-…" and
# "cannot action add CC-…" read the command as a verb); the others name the command.
_REFUSED_AS = {
    "action add": N_("cannot add a CAPA item to {id}: it is {state}; allowed next: "
                     "{allowed}"),
    "action done": N_("cannot mark a CAPA item of {id} done: it is {state}; allowed next: "
                      "{allowed}"),
    "action verify": N_("cannot verify a CAPA item of {id}: it is {state}; allowed next: "
                        "{allowed}"),
    "return open": N_("cannot open a return on {id}: it is {state}; allowed next: "
                      "{allowed}"),
}

# The kinds of event whose step changes a complaint's status (each event records the
# status it left in data.status) or what a report shows of it besides intake fields;
# each sets the complaint's last_step_at, the time a next step may not be before (`log`
# sets it to the time received).
STATUS_STEPS = ("assign", "investigate", "resolve", "revisit", "close", "void")

def action_state(a: dict[str, Any], now: str) -> str:
    """A CAPA item's state at `now` (an ISO time): verified, done, overdue or open."""
    return "verified" if a["verified_at"] else "done" if a["done_at"] else \
        "overdue" if now > a["due_at"] else "open"


def done_late(a: dict[str, Any]) -> bool:
    """A CAPA item done after its due time (verified or not)."""
    return bool(a["done_at"] and a["due_at"] and a["done_at"] > a["due_at"])


# A step's time may be this much ahead of the clock (two machines' clocks differ).
FUTURE_GRACE = timedelta(seconds=60)


def allowed_from(state: str, severity: str | None = None, second_due: bool | None = None,
                 capa: tuple[bool, bool] | None = None) -> list[str]:
    """The commands allowed from a state, in table order; a CAPA item's own steps only
    where the complaint can have an item (added while it was investigated: a logged
    complaint was offered "action done, action verify" and no item to do); a revisit of
    a closed complaint only where it may be critical (`severity` None: not known) and,
    when `second_due` is given, only while its second revisit is due (one whose second
    revisit was recorded was offered the revisit it then refused); `capa`, when given:
    whether it has an item to mark done, and one to verify (a closed complaint with no
    item was offered "action done, action verify"). Then a note and an attachment,
    allowed but on a void complaint (ANY_BUT_VOID)."""
    early = state not in TRANSITIONS["action add"] and state in ("logged", "assigned")
    # (only a critical one has a second revisit)
    second = severity in (None, "critical") if second_due is None else second_due
    return [_("revisit (a critical complaint's second revisit)")
            if state == "closed" and cmd == "revisit" else cmd
            for cmd, row in TRANSITIONS.items() if state in row
            and not (early and cmd in ("action done", "action verify"))
            and not (capa is not None and (cmd == "action done" and not capa[0]
                                           or cmd == "action verify" and not capa[1]))
            and not (state == "closed" and cmd == "revisit" and not second)] + \
        ([] if state == "void" else list(ANY_BUT_VOID))


def next_state(command: str, state: str, record_id: str, outcome: str | None = None, *,
               severity: str | None = None, second_due: bool | None = None,
               capa: Callable[[], tuple[bool, bool]] | None = None) -> str:
    """The state after `command`, or IllegalTransition naming what is allowed (of a
    complaint of `severity`, when given; `second_due`, and `capa` asked only then: see
    allowed_from)."""
    row = TRANSITIONS[command]
    if state not in row:
        allowed = allowed_from(state, severity, second_due, capa() if capa else None)
        raise IllegalTransition(
            (_(_REFUSED_AS[command]) if command in _REFUSED_AS else
             _("cannot {command} {id}: it is {state}; allowed next: {allowed}")).format(
                command=command, id=record_id, state=term("status", state),
                allowed=listing(allowed) or _("nothing (only show)")),
            hint=_("see its history with: complaintctl show {id}").format(id=record_id),
            command=command, state=state, record=record_id, allowed=allowed)
    target = row[state]
    if isinstance(target, dict):
        target = target[outcome or ""]
    return state if target == SAME else target


# --- guards: pure checks on what a step is given -----------------------------

def check_second_revisit(cid: str, due: bool, critical: bool = False,
                         recorded: bool = True) -> None:
    """A closed complaint is revisited only for its scheduled second revisit (a critical
    one's, due 90 days after closing: `due`, its stage open). Two clerks revisiting one
    complaint at once both succeeded, the second taken for a later call. `recorded`:
    a critical one's second revisit was made (one graded critical after it closed had
    none scheduled, and was told it was recorded already)."""
    if not due:
        raise IllegalTransition(
            (_("cannot revisit {id}: it is closed, and its second revisit was recorded "
               "already") if critical and recorded else
             _("cannot revisit {id}: it is closed, and no second revisit of it is due "
               "(none is open: it was not critical when it closed, or an amendment ended "
               "it)")
             if critical else
             _("cannot revisit {id}: it is closed, and no second revisit of it is due "
               "(only a critical complaint has one)")).format(id=cid),
            hint=_("a later call goes in its communication log: complaintctl note {id} "
                   "--text …; a new problem is a new complaint: complaintctl log").format(
                id=cid), command="revisit", state="closed", record=cid)


def check_time(at: datetime, now: datetime, *, after: datetime | None = None,
               what: str | None = None, option: str = "--at",
               local: Callable[[datetime], str] = str, clock: bool = False,
               future_hint: str | None = None) -> None:
    """A step's time is not in the future and not before what it follows (`what`,
    translated; default "the previous step"). `clock`: the step was given no time, and
    `at` is this machine's clock. `future_hint`: what to do of a time in the future
    where leaving the option out is no answer (amend's --received)."""
    if at > now + FUTURE_GRACE:
        raise BadInput(_("{option} {time} is in the future").format(option=option,
                                                                     time=local(at)),
                       hint=future_hint or _("leave {option} out to record it now").format(
                           option=option),
                       code="time_in_future", option=option, value=at)
    if after is not None and at < after:
        time, then = told_apart(at, after, local)
        if clock:  # no time given (now): the step before was recorded ahead of this
            # clock (another machine's, more than the minute a step follows it by) --
            # "--at … is before" and "leave --at out" said to one who had
            # ("the complaint was received (…) is recorded ahead" read as broken English)
            raise Refused(_("{what} at {then}, as recorded: that is ahead of this machine's "
                            "clock ({time})").format(what=what or _("the previous step"),
                                                     then=then, time=time),
                          hint=_("check the clocks of this machine and of the one that "
                                 "recorded it"),
                          code="clock_behind", option=option, value=at, after=after)
        raise BadInput(_("{option} {time} is before {what} ({then})").format(
            option=option, time=time, what=what or _("the previous step"), then=then),
                       hint=_("give a time after it, or leave {option} out").format(
                           option=option),
                       code="time_before", option=option, value=at, after=after)


def told_apart(one: datetime, other: datetime, local: Callable[[datetime], str]
               ) -> tuple[str, str]:
    """Two instants as a message names them (`local`: to the minute), to the second when
    they are within one minute: "20:39 is before (20:39)" said nothing (the seconds after
    the minute: parse.wall gives a day, a time, maybe an offset)."""
    first, second = local(one), local(other)
    if first == second:
        first, second = (f"{text[:16]}:{dt.second:02d}{text[16:]}"
                         for text, dt in ((first, one), (second, other)))
    return first, second


def check_reason(command: str, reason: str | None) -> str:
    """Void, close without a revisit and amend say why (SPEC section 2)."""
    if not reason or not reason.strip():
        raise BadInput(_("{command} needs --reason").format(command=command),
                       hint=_("say why in a few words: --reason TEXT (it stays in the "
                              "history)"), code="reason_required", command=command)
    return reason


def check_investigate(c: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """An investigation's options (check_investigate_args), then what they need of the
    complaint (check_supplier_named)."""
    check_investigate_args(data)
    check_supplier_named(c, data)


# The responsibilities beside which no supplier is named: once one is recorded, the
# supplier named before is no longer the one responsible (supplier_shown).
NOT_SUPPLIER = ("company", "customer")


def supplier_shown(responsibility: str | None, supplier: str | None) -> str | None:
    """The supplier a complaint names now: none once its responsibility moved to the
    company or the customer (the name recorded before stays in the history; it was
    shown, exported and counted as if still at fault)."""
    return None if responsibility in NOT_SUPPLIER else supplier


def check_supplier_typed(c: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """A supplier typed (`investigate --supplier`) names the one held responsible: not
    beside the company or the customer found responsible, in the same step or before
    (taken, it was named nowhere: supplier_shown). A register's row that names the part's
    supplier beside its company's responsibility is taken as written."""
    responsibility = data.get("responsibility") or c["responsibility"]
    if data.get("supplier") and responsibility in NOT_SUPPLIER:
        raise BadInput(_("--supplier names the supplier held responsible, not beside "
                         "--responsibility {responsibility}").format(
                             responsibility=term("responsibility", responsibility)),
                       hint=_("leave --supplier out, or give --responsibility {supplier} "
                              "with it").format(supplier=term("responsibility", "supplier")),
                       code="supplier_not_responsible")


def check_supplier_named(c: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """A supplier held responsible is named, in this investigation or one before."""
    if data.get("responsibility") == "supplier" and not (data.get("supplier")
                                                        or c["supplier"]):
        raise BadInput(_("--responsibility {supplier} needs --supplier NAME").format(
            supplier=term("responsibility", "supplier")),
                       hint=_("name the supplier: --supplier NAME"), code="supplier_required")


def check_investigate_args(data: Mapping[str, Any]) -> None:
    """What an investigation's options say, whatever the complaint: checked before its
    state (--not-upheld without --reason was exit 1, "it is logged", on a complaint
    not assigned yet, and exit 2 on one that was)."""
    if not any(v is not None for v in data.values()):
        raise BadInput(_("nothing to record"),
                       hint=_("give --finding, --cause, --not-upheld --reason, "
                              "--cause-category, --responsibility, --containment, "
                              "--corrective or --preventive"),
                       code="nothing_to_record")
    if data.get("validity") == "not-upheld" and not data.get("reason"):
        raise BadInput(_("--not-upheld needs --reason (why the complaint does not stand)"),
                       hint=_("say why in a few words, e.g. --not-upheld --reason "
                              "\"客户使用不当，产品符合规格\" (it stays in the history)"),
                       code="not_upheld_needs_reason")
    if data.get("reason") and data.get("validity") != "not-upheld":
        raise BadInput(_("--reason goes with --not-upheld"),
                       hint=_("--reason says why a complaint does not stand: give "
                              "--not-upheld with it, or say the finding with --finding TEXT"),
                       code="reason_without_not_upheld")


# The dispositions in which no money moves: an amount beside them is a mistake
# (a goodwill payment is a compensation).
NO_MONEY = ("explanation", "no-action")
# Those in which it is paid or credited: a resolution told now says how much (an
# imported register's may not; the report counts those apart).
PAYING = ("refund", "discount", "compensation")


def check_amount_given(cid: str, disposition: str, amount: int | None) -> None:
    """A refund, discount or compensation resolved now says its amount (the report's
    total left one without it out)."""
    if amount is None and disposition in PAYING:
        raise BadInput(_("a resolution with {disposition} needs --amount: what the customer "
                         "is paid or credited").format(
                             disposition=term("disposition", disposition)),
                       hint=_("e.g. --amount 1250.50, in the ledger's currency"),
                       code="amount_missing", record=cid, disposition=disposition)


def check_resolve(c: Mapping[str, Any], disposition: str, amount: int | None = None) -> None:
    """A resolution follows a concluded investigation; not upheld resolves with an
    explanation; an amount is money that moves: not 0, not beside an explanation or
    no action."""
    cid = c["id"]
    # (upheld again after a not-upheld decision, with no cause: it concluded on the
    # decision withdrawn, and resolved with a refund and no root cause ever recorded)
    if c["concluded_at"] is not None and c["validity"] == "upheld" and not c["root_cause"]:
        raise Refused(_("cannot resolve {id}: it was found not upheld, then upheld, and no "
                        "root cause is recorded").format(id=cid),
                      hint=_("record it: complaintctl investigate {id} --cause TEXT").format(
                          id=cid), code="not_concluded", record=cid)
    if c["concluded_at"] is None:
        raise Refused(_("cannot resolve {id}: its investigation has no root cause or "
                        "not-upheld decision yet").format(id=cid),
                      hint=_("record one: complaintctl investigate {id} --cause TEXT "
                             "(or --not-upheld --reason TEXT)").format(id=cid),
                      code="not_concluded", record=cid)
    if c["validity"] == "not-upheld" and disposition != "explanation":
        raise Refused(_("cannot resolve {id} with {disposition}: it was found not upheld")
                      .format(id=cid, disposition=term("disposition", disposition)),
                      hint=_("a not-upheld complaint resolves with --disposition explanation; "
                             "if it stands after all, record that first: complaintctl "
                             "investigate {id} --upheld --cause TEXT").format(id=cid),
                      code="not_upheld_disposition", record=cid, disposition=disposition)
    if amount == 0:
        raise BadInput(_("an amount of 0 records no money"),
                       # (a refund must say what it paid: leaving the amount out is refused)
                       hint=_("give the amount the {disposition} paid or credited; if nothing "
                              "was, resolve with another disposition (explanation, no-action "
                              "…)").format(disposition=term("disposition", disposition))
                       if disposition in PAYING else
                       _("leave the amount out when nothing is paid or credited"),
                       code="amount_zero", record=cid)
    if amount is not None and disposition in NO_MONEY:
        raise BadInput(_("an amount is money paid or credited; with {disposition} none "
                         "moves").format(disposition=term("disposition", disposition)),
                       hint=_("leave the amount out, or give the disposition that paid it "
                              "(refund, discount, compensation …)"),
                       code="amount_without_money", record=cid, disposition=disposition)


def check_not_void(record_id: str, status: str, command: str,
                   complaint_id: str | None = None) -> None:
    """Notes and attachments (ANY_BUT_VOID) go on a record in any state but void (SPEC
    section 8); a return (`complaint_id` given) is judged by its complaint's state."""
    if status == "void":
        message = (_("cannot {command} {id}: its complaint {complaint} is void")
                   if complaint_id else _("cannot {command} {id}: it is void"))
        raise IllegalTransition(message.format(command=command, id=record_id,
                                               complaint=complaint_id),
                                hint=_("see its history with: complaintctl show {id}").format(
                                    id=record_id),
                                code="record_void", command=command, state=status,
                                record=record_id, allowed=[])


def check_action_done(a: Mapping[str, Any], local: Callable[[str], str]) -> None:
    if a["done_at"]:  # (by whom: the second of two clerks marking it at once was not told)
        raise Refused(_("action {action} is already done ({time}, by {actor})").format(
            action=a["id"], time=local(a["done_at"]), actor=a.get("done_by") or "?"),
                      hint=_("its effectiveness is checked next: complaintctl action verify "
                             "{action} --note TEXT").format(action=a["id"])
                      if not a.get("verified_at") else _(
                          "it is verified too: complaintctl action list --complaint {id} "
                          "--all").format(id=a.get("complaint_id")),
                      code="action_done", action=a["id"])


def check_action_verify(a: Mapping[str, Any], local: Callable[[str], str]) -> None:
    if not a["done_at"]:
        raise Refused(_("action {action} is not done yet").format(action=a["id"]),
                      hint=_("mark it done first: complaintctl action done {action}").format(
                          action=a["id"]),
                      code="action_not_done", action=a["id"])
    if a["verified_at"]:
        raise Refused(_("action {action} is already verified ({time}, by {actor})").format(
            action=a["id"], time=local(a["verified_at"]), actor=a.get("verified_by") or "?"),
                      hint=_("see it with: complaintctl action list --complaint {id} "
                             "--all").format(id=a.get("complaint_id")),
                      code="action_verified", action=a["id"])


def check_due(due: datetime, at: datetime, local: Callable[[datetime], str]) -> None:
    if due == at:  # (--due now: late the moment it was added)
        raise BadInput(_("--due {time} is when the action is added: it would be late at "
                         "once").format(time=local(due)),
                       hint=_("give a due date after it, e.g. --due tomorrow"),
                       code="due_before", value=due)
    if due < at:
        raise BadInput(_("--due {time} is before the action is added ({at})").format(
            time=local(due), at=local(at)),
                       hint=_("give a due date after it"), code="due_before", value=due)
