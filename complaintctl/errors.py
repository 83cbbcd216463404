"""Typed domain errors. Each carries a one-line message and an optional hint.

`cli.py` is the one place that turns them into ``Error: …`` on stderr and an
exit code: ``Refused`` family → 1, ``BadInput`` → 2.
"""

from __future__ import annotations


class ComplaintctlError(Exception):
    """Base of every error a user may see."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class Refused(ComplaintctlError):
    """A well-formed request the procedure does not allow."""


class IllegalTransition(Refused):
    """A command not allowed from the record's current state."""


class NotFound(Refused):
    """No complaint, return or action with that id."""


class QuantityImbalance(Refused):
    """Returned-goods quantities would not balance."""


class LedgerError(Refused):
    """The ledger file cannot be opened, is locked or is of a newer version."""


class BadInput(ComplaintctlError):
    """A value that cannot be parsed or violates an input rule."""

    exit_code = 2
