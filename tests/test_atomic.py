"""A step reads, checks and writes inside one transaction: a second connection
that tries the same step between the first one's read and its write cannot get
in, and afterwards finds the record moved on (the deterministic twin of the
process races in test_concurrency.py)."""

from __future__ import annotations

import pytest

from complaintctl import complaints, rma, workflow
from complaintctl.errors import IllegalTransition, LedgerError, Refused
from complaintctl.store import Ledger


def _second(env) -> Ledger:
    other = Ledger.open(env, write=True)
    other.conn.execute("PRAGMA busy_timeout = 50")
    return other


@pytest.fixture
def investigating(ledger, env):
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    return cid


def _step_between_read_and_write(monkeypatch, module, name, second_step):
    """Patch the guard `module.name` (called after the step's read, before its
    write) to run `second_step` there, once; returns what it raised."""
    seen: list[BaseException | None] = []
    original = getattr(module, name)

    def guard(*args, **kwargs):
        if not seen:
            try:
                second_step()
                seen.append(None)
            except (LedgerError, Refused) as exc:
                seen.append(exc)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, guard)
    return seen


def test_resolve_by_another_connection_between_read_and_write_waits(
        ledger, env, investigating, monkeypatch):
    from datetime import datetime, timezone

    at = datetime(2026, 10, 10, 2, tzinfo=timezone.utc)
    now = datetime(2026, 10, 11, 2, tzinfo=timezone.utc)
    other = _second(env)

    def resolve_too():
        complaints.resolve(other, investigating, "exchange", "second", None, None, at=at,
                           now=now, actor="b")

    seen = _step_between_read_and_write(monkeypatch, workflow, "check_resolve", resolve_too)
    first = Ledger.open(env, write=True)
    out = complaints.resolve(first, investigating, "exchange", "first", None, None, at=at,
                             now=now, actor="a")
    assert out.status == "resolved"
    # the second could not begin while the first held the record it had read
    assert isinstance(seen[0], LedgerError) and seen[0].code == "busy"
    monkeypatch.undo()
    with pytest.raises(IllegalTransition, match="it is resolved"):
        resolve_too()
    assert ledger.rows("SELECT summary FROM resolutions") == [("first",)]
    assert ledger.rows("SELECT count(*) FROM events WHERE kind = 'resolve'") == [(1,)]
    first.close()
    other.close()


def test_receipts_between_read_and_write_both_count(ledger, env, investigating, monkeypatch):
    """Additive steps add in SQL: a receipt that lands between another's read and
    write is not lost (it waits, then counts)."""
    from datetime import datetime, timezone

    from complaintctl import returns

    rid = ledger("return", "open", investigating, "--qty", "8", "--at",
                 "2026-10-09 10:00").stdout.strip()
    at = datetime(2026, 10, 10, 2, tzinfo=timezone.utc)
    other = _second(env)

    def receive_too():
        rma.return_receive(other, rid, 3, None, at=at, now=at, actor="b")

    seen = _step_between_read_and_write(monkeypatch, returns, "check_receive", receive_too)
    first = Ledger.open(env, write=True)
    rma.return_receive(first, rid, 5, None, at=at, now=at, actor="a")
    assert isinstance(seen[0], LedgerError)
    monkeypatch.undo()
    receive_too()
    assert ledger.rows("SELECT received_qty FROM returns") == [(8,)]
    assert ledger.rows("SELECT sum(qty) FROM return_receipts") == [(8,)]
    first.close()
    other.close()
