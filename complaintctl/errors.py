"""Typed domain errors. Each carries a code, its parameters, a one-line message
and an optional hint.

The message and hint are written in the display language when the error is
raised (`_("no complaint {value}").format(value=shown(...))`: see i18n); the code and
parameters are the same in every language, for a program to read.
`cli.py` is the one place that turns them into ``Error: …`` (错误：…) on stderr
and an exit code: ``Refused`` family → 1, ``BadInput`` → 2.
"""

from __future__ import annotations

from typing import Any


class ComplaintctlError(Exception):
    """Base of every error a user may see."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = None,
                 **params: Any):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code
        self.params = params


class Refused(ComplaintctlError):
    """A well-formed request the procedure does not allow."""

    code = "refused"


class IllegalTransition(Refused):
    """A command not allowed from the record's current state."""

    code = "illegal_transition"


class NotFound(Refused):
    """No complaint, return or action with that id."""

    code = "not_found"


class QuantityImbalance(Refused):
    """Returned-goods quantities would not balance."""

    code = "quantity_imbalance"


class LedgerError(Refused):
    """The ledger file is missing, not a ledger, of another version, busy or not
    writable by this user."""

    code = "ledger"


class BadInput(ComplaintctlError):
    """A value that cannot be parsed or violates an input rule."""

    exit_code = 2
    code = "bad_input"


class VerifyFailed(Refused):
    """`verify` found problems (they are printed before this error is raised)."""

    code = "verify_failed"
