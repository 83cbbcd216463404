"""The complaint lifecycle as data (SPEC section 2), and its one refusal message.

A row of TRANSITIONS maps a command to {from_state: to_state}. A to_state of
SAME leaves the state unchanged; a dict picks the target by the step's outcome
(the revisit's satisfaction). Nothing here touches the database.
"""

from __future__ import annotations

from complaintctl.errors import IllegalTransition

STATES = ("logged", "assigned", "investigating", "resolved", "closed", "void")
OPEN_STATES = ("logged", "assigned", "investigating", "resolved")
SAME = "="

_REVISIT = {"satisfied": "closed", "basically-satisfied": "closed",
            "unsatisfied": "investigating"}
_NOT_VOID = ("logged", "assigned", "investigating", "resolved", "closed")

TRANSITIONS: dict[str, dict[str, str | dict[str, str]]] = {
    "assign": {"logged": "assigned", "assigned": "assigned", "investigating": SAME},
    "investigate": {"assigned": "investigating", "investigating": SAME},
    "action add": {"investigating": SAME, "resolved": SAME},
    "action done": {s: SAME for s in _NOT_VOID},
    "action verify": {s: SAME for s in _NOT_VOID},
    "resolve": {"investigating": "resolved"},
    "revisit": {"resolved": _REVISIT, "closed": _REVISIT},
    "close": {"resolved": "closed"},
    "void": {"logged": "void", "assigned": "void"},
    "amend": {s: SAME for s in _NOT_VOID},
    "return open": {s: SAME for s in OPEN_STATES},
}

COMMANDS = tuple(TRANSITIONS)


def allowed_from(state: str) -> list[str]:
    """The commands allowed from a state, in table order."""
    return [cmd for cmd, row in TRANSITIONS.items() if state in row]


def next_state(command: str, state: str, record_id: str, outcome: str | None = None) -> str:
    """The state after `command`, or IllegalTransition naming what is allowed."""
    row = TRANSITIONS[command]
    if state not in row:
        allowed = ", ".join(allowed_from(state)) or "nothing (only show)"
        raise IllegalTransition(
            f"cannot {command} {record_id}: it is {state}; allowed next: {allowed}",
            hint=f"see its history with: complaintctl show {record_id}")
    target = row[state]
    if isinstance(target, dict):
        target = target[outcome]  # type: ignore[index]
    return state if target == SAME else target
