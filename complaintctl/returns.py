"""Returned-goods rules (SPEC section 4), pure: quantities balance, steps come
in order, a closed return takes nothing more. The ledger calls `check_*`
before it writes and `stage` to name where a return stands.

A return's numbers are a plain dict with the `returns` row's keys.
"""

from __future__ import annotations

from typing import Any

from complaintctl.errors import QuantityImbalance, Refused

STAGES = ("authorised", "received", "inspected", "dispositioned", "closed")


def stage(r: dict[str, Any]) -> str:
    """Where a return stands: the last step that holds for all its units."""
    if r.get("closed_at"):
        return "closed"
    if r.get("inspected_at") and r["received_qty"] and r["disposed_qty"] == r["received_qty"]:
        return "dispositioned"
    if r.get("inspected_at"):
        return "inspected"
    if r["received_qty"]:
        return "received"
    return "authorised"


def discrepancy(r: dict[str, Any]) -> bool:
    """Goods have arrived and their count differs from what was authorised."""
    return bool(r["received_qty"]) and r["received_qty"] != r["authorised_qty"]


def _positive(qty: int, option: str) -> None:
    """Goods are counted in whole units: a refusal (exit 1), like any imbalance."""
    if qty <= 0:
        raise QuantityImbalance(f"{option} must be a positive whole number, not {qty}")


def check_open(qty: int) -> None:
    _positive(qty, "--qty")


def _not_closed(r: dict[str, Any], doing: str) -> None:
    if r.get("closed_at"):
        raise Refused(f"cannot {doing} {r['id']}: it is closed",
                      hint=f"open a new return: complaintctl return open "
                      f"{r['complaint_id']} --qty N")


def check_receive(r: dict[str, Any], qty: int) -> None:
    _positive(qty, "--qty")
    _not_closed(r, "receive goods on")


def check_inspect(r: dict[str, Any], defective: int) -> None:
    _not_closed(r, "inspect")
    if defective < 0:
        raise QuantityImbalance(f"--defective must be zero or more, not {defective}")
    if not r["received_qty"]:
        raise Refused(f"cannot inspect {r['id']}: nothing has been received yet",
                      hint=f"record the count first: complaintctl return receive {r['id']} "
                      "--qty N")
    if defective > r["received_qty"]:
        raise QuantityImbalance(f"cannot inspect {r['id']}: {defective} defective is more than "
                                f"the {r['received_qty']} received")


def check_dispose(r: dict[str, Any], qty: int) -> None:
    _positive(qty, "--qty")
    _not_closed(r, "dispose of goods on")
    if not r.get("inspected_at"):
        raise Refused(f"cannot dispose of goods on {r['id']}: it is not inspected yet",
                      hint=f"complaintctl return inspect {r['id']} --result ... --defective N")
    left = r["received_qty"] - r["disposed_qty"]
    if qty > left:
        raise QuantityImbalance(
            f"cannot dispose of {qty} on {r['id']}: only {left} of the {r['received_qty']} "
            f"received are without a disposition",
            hint=f"dispose of at most {left}" if left else "every received unit has one")


def check_close(r: dict[str, Any]) -> None:
    _not_closed(r, "close")
    if r["disposed_qty"] != r["received_qty"]:
        left = r["received_qty"] - r["disposed_qty"]
        raise QuantityImbalance(
            f"cannot close {r['id']}: {left} of the {r['received_qty']} received units have "
            f"no disposition",
            hint=f"complaintctl return dispose {r['id']} --action ACTION --qty {left}")
