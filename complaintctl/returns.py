"""Returned-goods rules (SPEC section 4), pure: quantities balance, steps come
in order, a closed return takes nothing more. The ledger calls `check_*`
before it writes and `stage` to name where a return stands.

A return's numbers are a plain dict with the `returns` row's keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from complaintctl.errors import BadInput, QuantityImbalance, Refused
from complaintctl.i18n import _, listing, ngettext, term
from complaintctl.workflow import OPEN_STATES

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


def next_step(rid: str, stage_now: str, *, ending: bool = False) -> str:
    """The command that moves an open return at `stage_now` on towards its closing
    (`ending`: its complaint is to be voided, so goods that did not come are not
    waited for)."""
    # (the values to type in the reader's words: --result 检验结果 --defective 数量)
    if stage_now == "authorised" and not ending:
        return _("complaintctl return receive {id} --qty N").format(id=rid)
    if stage_now == "received":
        return _("complaintctl return inspect {id} --result ... --defective N").format(id=rid)
    if stage_now == "inspected":
        return _("complaintctl return dispose {id} --action ... --qty N").format(id=rid)
    return f"complaintctl return close {rid}"  # (nothing came, or every unit has one)


def check_void(cid: str, open_returns: Sequence[tuple[str, str]]) -> None:
    """A complaint with returns not closed is not voided: (each one's id, its stage); the
    hint gives each one's next step (one with goods not yet disposed of cannot close at
    once)."""
    if open_returns:
        ids = [rid for rid, _stage in open_returns]
        raise Refused(_("cannot void {id}: it has open returns ({returns})").format(
            id=cid, returns=listing(ids)),
                      hint=_("close them first; next: {steps}").format(
                          steps=_("; ").join(next_step(rid, stage, ending=True)
                                             for rid, stage in open_returns)),
                      code="void_open_returns", record=cid, returns=ids)


def difference_said(diff: int) -> str:
    """A received total's difference from what was authorised, as a clerk says it: short
    2, over 8 (a warning said -2, which the Chinese read as no word: （-2）)."""
    return _("short {n}").format(n=-diff) if diff < 0 else _("over {n}").format(n=diff)


def discrepancy(r: dict[str, Any]) -> bool:
    """Goods have arrived and their count differs from what was authorised."""
    return bool(r["received_qty"]) and r["received_qty"] != r["authorised_qty"]


def count(value: int, option: str, *, zero: bool = False) -> int:
    """A count of units as typed (--qty; with `zero`, --received and --defective): refused
    below 1 (0), whatever the return holds, exit 1 like any imbalance, as the returns issue
    asks (README). The command checks it before the return is looked up (it was said only
    after an unknown id's)."""
    if value > 0 or zero and value == 0:
        return value
    hint = {"--received": _("the number of units that came back in all, e.g. --received 5"),
            "--defective": _("the number of units found defective, 0 for none")}.get(
                option) or _("goods are counted in whole units, e.g. {option} 5").format(
                    option=option)
    if zero:
        raise QuantityImbalance(_("{option} must be 0 or more, not {value}").format(
            option=option, value=value), hint=hint)
    raise QuantityImbalance(_("{option} must be a positive whole number, not {value}").format(
        option=option, value=value), hint=hint)


def check_open(qty: int) -> None:
    count(qty, "--qty")


def _not_closed(r: dict[str, Any], message: str, *, closing: bool = False) -> None:
    """`message`: the refusal, translated, with the return's {id}. The hint offers a new
    return only where one can be opened (and not to someone closing it again)."""
    if r.get("closed_at"):
        if not closing and r.get("complaint_status") in OPEN_STATES:
            hint = _("open a new return: complaintctl return open {complaint} --qty N")
        else:  # (the return's own: its complaint's history is a page of other steps)
            hint = _("its history: complaintctl show {id}")
        raise Refused(message.format(id=r["id"]), hint=hint.format(
            complaint=r["complaint_id"], id=r["id"]))


def check_receive(r: dict[str, Any], qty: int) -> None:
    count(qty, "--qty")
    _not_closed(r, _("cannot receive goods on {id}: it is closed"))


def check_correct(r: dict[str, Any], received: int) -> None:
    """A received count corrected: a return with a count (one with none is received,
    not corrected), not closed, whose goods received since its inspection are
    inspected first (the inspection counts every unit); once inspected, never to none
    nor below what it found defective; never below what has a disposition."""
    count(received, "--received", zero=True)
    _not_closed(r, _("cannot correct the count of {id}: it is closed"))
    if not r["received_qty"]:
        raise Refused(_("cannot correct the count of {id}: nothing has been received yet"
                        ).format(id=r["id"]),
                      hint=_("record the count: complaintctl return receive {id} --qty N"
                             ).format(id=r["id"]), code="nothing_received")
    # first what no step can clear (after a disposition the refusal named the inspection,
    # whose hint, inspect again, left a needless inspection and the same refusal)
    if received < r["disposed_qty"]:
        raise QuantityImbalance(
            ngettext("cannot correct {id} to {received} received: {disposed} of its units "
                     "has a disposition",
                     "cannot correct {id} to {received} received: {disposed} of its units "
                     "have a disposition", r["disposed_qty"]).format(
                         id=r["id"], received=received, disposed=r["disposed_qty"]),
            hint=_("correct it to {disposed} or more").format(disposed=r["disposed_qty"]))
    if r.get("inspected_at") is None and r.get("result") is not None:
        raise Refused(_("cannot correct the count of {id}: goods were received after its "
                        "inspection and are not inspected yet").format(id=r["id"]),
                      hint=_("inspect them first (an inspection counts every unit "
                             "received): complaintctl return inspect {id} --result ... "
                             "--defective N; then correct the count").format(id=r["id"]),
                      code="received_since_inspection")
    inspected = r.get("inspected_at") is not None
    if inspected and not received:
        raise QuantityImbalance(
            _("cannot correct {id} to none received: its goods were inspected").format(
                id=r["id"]), hint=_("give the count that came"), code="below_inspection")
    if inspected and received < (r["defective_qty"] or 0):
        raise QuantityImbalance(
            _("cannot correct {id} to {received} received: its inspection found {defective} "
              "defective").format(id=r["id"], received=received,
                                  defective=r["defective_qty"] or 0),
            hint=_("inspect again with the count among the units that came "
                   "(complaintctl return inspect {id} --result ... --defective N), then "
                   "correct it").format(id=r["id"]), code="below_inspection")


def check_inspect(r: dict[str, Any], defective: int | None, result: str | None = None
                  ) -> None:
    """The inspection's count against the goods received, and against its own result:
    no defect found with units found defective, or a defect confirmed in none, says two
    things at once. No count (None) is 0 with no defect found, else missing."""
    _not_closed(r, _("cannot inspect {id}: it is closed"))
    if defective is None:
        if result == "no-defect-found":
            return check_inspect(r, 0, result)
        raise BadInput(_("--result {result} needs --defective N: how many units were found "
                         "defective").format(result=term("inspection", result)),
                       hint=_("e.g. --defective 3 (0 with --result no-defect-found, which "
                              "may leave it out)"), code="defective_missing")
    count(defective, "--defective", zero=True)
    if result == "no-defect-found" and defective:
        raise BadInput(_("--result no-defect-found with {n} defective: a unit found defective "
                         "is a defect confirmed").format(n=defective),
                       hint=_("give --defective 0, or --result defect-confirmed"),
                       code="result_contradicts_count")
    if result == "defect-confirmed" and not defective:
        raise BadInput(_("--result defect-confirmed with none defective"),
                       hint=_("give the number found defective with --defective N, or "
                              "--result no-defect-found"), code="result_contradicts_count")
    if not r["received_qty"]:
        raise Refused(_("cannot inspect {id}: nothing has been received yet").format(
            id=r["id"]),
                      hint=_("record the count first: complaintctl return receive {id} "
                             "--qty N").format(id=r["id"]))
    if defective > r["received_qty"]:
        raise QuantityImbalance(_("cannot inspect {id}: {defective} defective is more than "
                                  "the {received} received").format(
            id=r["id"], defective=defective, received=r["received_qty"]),
            hint=_("count the defective among the units received; record a later delivery "
                   "first with complaintctl return receive {id} --qty N").format(id=r["id"]))


def inspection_cause(r: dict[str, Any], result: str, cause: str | None) -> str | None:
    """The cause an inspection leaves on the return: the one it gives, else, when it
    confirms a defect again (goods received after an inspection are inspected again,
    the first units with them), the one found before (a second count without a cause
    wiped 轴承不良 from the return, its export and its complaint's table)."""
    if cause is None and result == "defect-confirmed" and r["result"] == result:
        return r["cause"]
    return cause


def check_dispose(r: dict[str, Any], qty: int) -> None:
    count(qty, "--qty")
    _not_closed(r, _("cannot dispose of goods on {id}: it is closed"))
    if not r.get("inspected_at"):
        if r.get("result"):  # inspected before more goods came: they are not
            raise Refused(_("cannot dispose of goods on {id}: goods were received after its "
                            "inspection and are not inspected yet").format(id=r["id"]),
                          hint=_("inspect them (an inspection counts every unit received): "
                                 "complaintctl return inspect {id} --result ... --defective N"
                                 ).format(id=r["id"]), code="received_since_inspection")
        raise Refused(_("cannot dispose of goods on {id}: it is not inspected yet").format(
            id=r["id"]),
                      hint=_("complaintctl return inspect {id} --result ... --defective N"
                             ).format(id=r["id"]))
    left = r["received_qty"] - r["disposed_qty"]
    if not left:  # (it said "only 0 of the 5 received are without a disposition")
        raise QuantityImbalance(
            ngettext("cannot dispose of {qty} on {id}: its {received} received unit has a "
                     "disposition already",
                     "cannot dispose of {qty} on {id}: every one of the {received} received "
                     "units has a disposition already", r["received_qty"]).format(
                qty=qty, id=r["id"], received=r["received_qty"]),
            hint=_("close it: complaintctl return close {id}; if more goods came, record "
                   "them first: complaintctl return receive {id} --qty N").format(id=r["id"]))
    if qty > left:
        raise QuantityImbalance(
            ngettext("cannot dispose of {qty} on {id}: only {left} of the {received} "
                     "received is without a disposition",
                     "cannot dispose of {qty} on {id}: only {left} of the {received} "
                     "received are without a disposition", left).format(
                qty=qty, id=r["id"], left=left, received=r["received_qty"]),
            hint=_("dispose of at most {left}").format(left=left))


def check_close(r: dict[str, Any]) -> None:
    _not_closed(r, _("cannot close {id}: it is closed"), closing=True)
    if r["disposed_qty"] != r["received_qty"]:
        left = r["received_qty"] - r["disposed_qty"]
        raise QuantityImbalance(
            ngettext("cannot close {id}: {left} of the {received} received units has no "
                     "disposition", "cannot close {id}: {left} of the {received} received "
                     "units have no disposition", left).format(
                id=r["id"], left=left, received=r["received_qty"]),
            # goods not inspected (or received after its inspection) take no disposition
            # until they are (check_dispose): "give it one" led to that refusal
            hint=_("give it one: complaintctl return dispose {id} --action ACTION --qty {left}"
                   ).format(id=r["id"], left=left) if r.get("inspected_at") else
            _("inspect them first (an inspection counts every unit received), then give "
              "them one: complaintctl return inspect {id} --result ... --defective N"
              ).format(id=r["id"]))
