"""The returned-goods steps (SPEC section 4): open, receive, inspect, dispose,
close. Each reads the return inside its transaction, checks it with the pure
rules of `returns`, then writes its numbers, its stages and its event.
Quantities are added in SQL (``n = n + ?``), never written back from a read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from complaintctl import returns, workflow
from complaintctl.complaints import (
    calendar_warnings,
    capa_open,
    check_at,
    due_said,
    finish_stage,
    next_id,
    open_stage,
    recorded,
    second_due,
)
from complaintctl.errors import BadInput, NotFound
from complaintctl.i18n import N_, _, shown, term
from complaintctl.parse import format_money, from_iso, iso, record_key
from complaintctl.store import Ledger, Outcome, fetch_record


def _return(lg: Ledger, cur: sqlite3.Cursor, return_id: str) -> dict[str, Any]:
    """A return with its complaint's severity and status."""
    key = record_key(return_id)
    r = fetch_record(cur, "returns", key)
    if r is None:
        if fetch_record(cur, "complaints", key) is not None:
            raise NotFound(_("{id} is a complaint, not a return").format(id=key),
                           hint=_("its returns: complaintctl return list --complaint {id}"
                                  ).format(id=key), code="a_complaint", record=return_id)
        raise NotFound(_("no return {value}").format(value=shown(return_id)),
                       hint=_("find it with: complaintctl return list --complaint ID"),
                       code="no_return", record=return_id)
    c = lg.rows.complaint(cur, r["complaint_id"])
    return {**r, "severity": c["severity"], "complaint_status": c["status"]}


@contextmanager
def _step(lg: Ledger, return_id: str, check: Callable[[dict[str, Any]], None], at: datetime,
          now: datetime, actor: str, does: str | None = None
          ) -> Iterator[tuple[sqlite3.Cursor, dict[str, Any], datetime]]:
    """The transaction of a return step: the return read inside it, checked by the
    step's rule (returns.check_*), and the step's time after the return's last one
    (complaints.check_at: the time to record) and after the start of the stage it
    `does`, if open."""
    with lg.write() as cur:
        r = _return(lg, cur, return_id)
        check(r)
        # (nor before the start of the stage it does: a correction that raised
        # the count opens the disposition of the new units when it is entered, its own
        # time the receipt's, and a disposition dated back before that did a stage
        # before it started)
        (staged,) = cur.execute(
            "SELECT max(started_at) FROM stages INDEXED BY stages_return WHERE return_id = ? "
            "AND stage = ? AND done_at IS NULL", (r["id"], does)).fetchone() if does else (None,)
        at = check_at(lg, at, now, max(r["last_step_at"], staged or ""),
                      _("the return's previous step"), actor=actor)
        yield cur, r, at


def _write(lg: Ledger, cur: sqlite3.Cursor, r: dict[str, Any], values: dict[str, Any],
           added: dict[str, int], kind: str, at: datetime, now: datetime, actor: str,
           data: dict[str, Any], old: dict[str, Any], moves: bool = True) -> str:
    """Write a return's new numbers (`added` to the stored ones), its stage and the
    event; returns the stage. `moves` False: a step dated before the return's last
    (a correction of a count), which a next step may still not go before."""
    merged = {**r, **values, **{k: r[k] + n for k, n in added.items()}}
    values = {**values, "stage": returns.stage(merged),
              "last_step_at": iso(at) if moves else max(iso(at), r["last_step_at"])}
    sets = [f"{k} = ?" for k in values] + [f"{k} = {k} + ?" for k in added]
    cur.execute(f"UPDATE returns SET {', '.join(sets)} WHERE id = ?",
                (*values.values(), *added.values(), r["id"]))
    lg.event(cur, r["complaint_id"], kind, at, now, actor,
             {**data, "stage": values["stage"]}, {**old, "stage": r["stage"]},
             return_id=r["id"])
    return str(values["stage"])


def _rounds(lg: Ledger, cur: sqlite3.Cursor, r: dict[str, Any], stage: str) -> int:
    """How many stages `stage` the return has had."""
    lg.rows.flush(cur)
    return int(cur.execute("SELECT count(*) FROM stages WHERE return_id = ? AND stage = ?",
                           (r["id"], stage)).fetchone()[0])


def _dispose_open(lg: Ledger, cur: sqlite3.Cursor, r: dict[str, Any]) -> bool:
    return _dispose_owed(lg, cur, r) is not None


def _dispose_owed(lg: Ledger, cur: sqlite3.Cursor, r: dict[str, Any]
                  ) -> tuple[str | None, str] | None:
    """The return's open dispose stage, (due, started), if it has one."""
    lg.rows.flush(cur)
    return cur.execute("SELECT due_at, started_at FROM stages WHERE return_id = ? AND "
                       "stage = 'dispose' AND done_at IS NULL", (r["id"],)).fetchone()


def return_open(lg: Ledger, complaint_id: str, qty: int, product: str | None, lot: str | None,
                reason: str | None, *, at: datetime, now: datetime, actor: str) -> Outcome:
    """`return open`: authorise a return against an open complaint."""
    returns.check_open(qty)
    with lg.write() as cur:
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        workflow.next_state("return open", c["status"], cid, severity=c["severity"],
                            second_due=second_due(cur, c),
                            capa=lambda: capa_open(cur, cid))
        # after the complaint's last step: the state it allows this in is the state then
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        year = now.astimezone(lg.tz).year  # numbered by the year of entry, as complaints are
        rid, seq = next_id(cur, "return", lg.config.settings["return_prefix"], year)
        row = {"id": rid, "complaint_id": cid, "year": year, "seq": seq,
               "opened_at": iso(at), "opened_by": actor, "authorised_qty": qty,
               "product": product or c["product"], "lot": lot or c["lot"],
               "reason": reason, "stage": "authorised", "last_step_at": iso(at)}
        cur.execute(f"INSERT INTO returns ({', '.join(row)}) VALUES "
                    f"({', '.join('?' for _ in row)})", tuple(row.values()))
        lg.event(cur, cid, "return-open", at, now, actor,
                 {"return": rid, "authorised_qty": qty, "product": row["product"],
                  "lot": row["lot"], "reason": reason}, return_id=rid)
        said = []
        if c["quantity"] is not None and row["product"] == c["product"]:
            # more of the complaint's product authorised, this one with the earlier ones,
            # than it says are affected (500 typed for 5): said, not refused (a customer
            # may send back more than first reported)
            (authorised,) = cur.execute(
                "SELECT sum(authorised_qty) FROM returns WHERE complaint_id = ? AND "
                "product IS ?", (cid, row["product"])).fetchone()
            if authorised > c["quantity"]:
                said.append(_(_OVER_QUANTITY).format(id=cid, authorised=f"{authorised:,}",
                                                     quantity=f"{c['quantity']:,}"))
    return Outcome(rid, "authorised", data={"complaint_id": cid},
                   warnings=said + calendar_warnings(lg))


# More authorised for return than the complaint's quantity (translated where it is said).
_OVER_QUANTITY = N_("{id}: {authorised} authorised for return in all, more than the "
                    "{quantity} its complaint gives as the quantity affected")


# A received total that is not what was authorised: flagged, never refused (translated
# where it is said).
_DISCREPANCY = N_("{id}: {received} received, {authorised} authorised ({difference})")


def return_receive(lg: Ledger, return_id: str, qty: int, note: str | None, *, at: datetime,
                   now: datetime, actor: str) -> Outcome:
    """`return receive`: goods counted in; partial receipts add up."""
    with _step(lg, return_id, lambda r: returns.check_receive(r, qty), at, now,
               actor) as (cur, r, at):
        out = Outcome(r["id"])
        cur.execute("INSERT INTO return_receipts (return_id, at, actor, qty, note) "
                    "VALUES (?, ?, ?, ?, ?)", (r["id"], iso(at), actor, qty, note))
        values: dict[str, Any] = {}
        dues: dict[str, datetime | None] = {}
        old: dict[str, Any] = {"received_qty": r["received_qty"]}
        if r["first_received_at"] is None:  # (after a correction to none: its next round)
            values["first_received_at"] = iso(at)
            dues["inspect"] = open_stage(lg, cur, r["complaint_id"], "inspect", "inspect",
                                         r["severity"], at,
                                         round_=_rounds(lg, cur, r, "inspect") + 1,
                                         return_id=r["id"])
        elif r["inspected_at"] is not None:  # goods after the inspection: inspected in turn
            values["inspected_at"], old["inspected_at"] = None, r["inspected_at"]
            dues["inspect"] = open_stage(lg, cur, r["complaint_id"], "inspect", "inspect",
                                         r["severity"], at,
                                         round_=_rounds(lg, cur, r, "inspect") + 1,
                                         return_id=r["id"])
            # no disposition until then: the one owed, not late yet, ends here, and the
            # inspection again owes it anew (its 3 working days ran on while it was
            # refused, and it was counted late); one late already stays late
            owed = _dispose_owed(lg, cur, r)  # (one owed from after the receipt's date, a
            # receipt typed later from a paper record: left as it is; at its due instant
            # it is not late yet: done then, it is on time)
            if owed is not None and owed[1] <= iso(at) and (owed[0] is None or
                                                           owed[0] >= iso(at)):
                finish_stage(lg, cur, r["complaint_id"], "dispose", at, "void",
                             return_id=r["id"])
        total = r["received_qty"] + qty
        again = dues.get("inspect")
        if r["inspected_at"] is not None and again is not None:  # (it said only "received")
            out.notes.append(_("{id} waits for an inspection again (goods came after its "
                               "inspection): inspect by {time}").format(
                id=r["id"], time=lg.local(again)))
        out.status = _write(lg, cur, r, values, {"received_qty": qty}, "return-receive", at,
                            now, actor, {"return": r["id"], "qty": qty, "received_qty": total,
                                         "note": note, "deadlines": recorded(**dues)}, old)
    if total != r["authorised_qty"]:
        out.warnings.append(_(_DISCREPANCY).format(
            id=r["id"], received=total, authorised=r["authorised_qty"],
            difference=returns.difference_said(total - r["authorised_qty"])))
        if total > r["authorised_qty"] and r["result"] is not None:  # inspected before
            # this receipt: a count is corrected once every unit received is inspected
            # (returns.check_correct), and the way that is refused is not offered
            out.notes.append(_("a count typed wrong is corrected once the goods received "
                               "since its inspection are inspected: complaintctl return "
                               "inspect {id} --result ... --defective N, then complaintctl "
                               "return correct {id} --received N --reason TEXT").format(
                id=r["id"]))
        elif total > r["authorised_qty"]:  # more than came back, as often as not a typing
            # slip
            out.notes.append(_("a count typed wrong is corrected with: complaintctl return "
                               "correct {id} --received N --reason TEXT").format(id=r["id"]))
    out.data = {"received_qty": total}
    out.warnings += calendar_warnings(lg)
    return out


def return_correct(lg: Ledger, return_id: str, received: int, reason: str | None, *,
                   at: datetime | None, now: datetime, actor: str) -> Outcome:
    """`return correct`: the received count corrected (50 typed for 5), as a receipt of
    the difference with the reason, dated when the goods it restates came -- the
    return's latest receipt, or `at` (not before it, nor after the inspection) -- and
    entered now: the reports of that period count what came (a correction typed in
    December made December's receipts negative), and nothing recorded changes. The
    goods inspected were the ones that came: the inspection stands (returns.
    check_correct refuses what it would contradict), and the disposition owed follows
    the count. Corrected to none (counted on the wrong return, not inspected), the
    return waits for goods again: the inspection it owed ends."""
    reason = workflow.check_reason("return correct", reason)
    with lg.write() as cur:
        r = _return(lg, cur, return_id)
        (last,) = cur.execute("SELECT max(at) FROM return_receipts WHERE return_id = ?",
                              (r["id"],)).fetchone()  # (one at least if it has a count)
        if not received and not r["received_qty"] and r["closed_at"] is None and \
                last is not None:  # corrected to none already: the same correction typed
            # again records nothing, as any count held already (it was refused, "nothing
            # has been received yet"); its time checked as any correction's
            if at is not None:
                check_at(lg, at, now, last, _("the receipt it corrects"))
            return Outcome(r["id"], r["stage"], data={"received_qty": 0, "changed": False,
                                                      "was": 0})
        returns.check_correct(r, received)
        when = from_iso(last) if at is None else at
        when = check_at(lg, when, now, last, _("the receipt it corrects"), actor=actor)
        if r["inspected_at"] is not None and iso(when) > r["inspected_at"]:
            raise BadInput(_("--at {time} is after the inspection of {id} ({then}): goods "
                             "that came after it are a receipt").format(
                time=lg.local(when), id=r["id"], then=lg.local(from_iso(r["inspected_at"]))),
                hint=_("record them with: complaintctl return receive {id} --qty N").format(
                    id=r["id"]), code="correction_after_inspection")
        out = Outcome(r["id"], r["stage"], data={"received_qty": received, "changed": False,
                                                 "was": r["received_qty"]})
        qty = received - r["received_qty"]
        if qty < 0 and when.astimezone(lg.tz).date() > \
                from_iso(last).astimezone(lg.tz).date():  # fewer came: the receipts it
            # restates came by then (dated in a later month, that month's report counted
            # -450 received; on the receipt's own day no period's report goes negative)
            raise BadInput(_("--at {time} is on a later day than the latest receipt of {id} "
                             "({then}): a count lowered restates goods received by then, and "
                             "the report of a later period would count them negative").format(
                time=lg.local(when), id=r["id"], then=lg.local(from_iso(last))),
                hint=_("leave --at out: the correction is dated at the latest receipt"),
                code="correction_after_receipt")
        if not qty:  # what it holds already: nothing recorded
            return out
        cur.execute("INSERT INTO return_receipts (return_id, at, actor, qty, note) "
                    "VALUES (?, ?, ?, ?, ?)", (r["id"], iso(when), actor, qty, reason))
        values: dict[str, Any] = {}
        old: dict[str, Any] = {"received_qty": r["received_qty"]}
        dues: dict[str, datetime | None] = {}
        # A stage the count no longer owes ends when the correction is entered, `now`
        # (or at its own time, if that is later: a receipt another clerk committed while
        # it waited, another machine's clock a little ahead): owed until then (and late,
        # if it was: overdue --as-of an instant before says so still), never ended before
        # it started (at the receipt it restates, a disposition owed since a count raised
        # later ended days before its start, and its days late were gone from every past
        # overdue)
        ended = max(now, when)
        if not received:  # none came: nothing to inspect until some do
            values["first_received_at"] = None
            old["first_received_at"] = r["first_received_at"]
            finish_stage(lg, cur, r["complaint_id"], None, ended, "void", return_id=r["id"])
        elif r["inspected_at"] is not None:  # the disposition owed follows the count
            owed = _dispose_open(lg, cur, r)
            if owed and received == r["disposed_qty"]:
                finish_stage(lg, cur, r["complaint_id"], "dispose", ended, "void",
                             return_id=r["id"])
            elif not owed and received > r["disposed_qty"]:  # owed from now, when known
                dues["dispose"] = open_stage(lg, cur, r["complaint_id"], "dispose", "dispose",
                                             r["severity"], now,
                                             round_=_rounds(lg, cur, r, "dispose") + 1,
                                             return_id=r["id"])
                if dues["dispose"] is not None:
                    out.notes.append(_("{id}: the units counted in now are to be disposed of "
                                       "by {time}").format(
                        id=r["id"], time=lg.local(dues["dispose"])))
        out.status = _write(lg, cur, r, values, {"received_qty": qty}, "return-receive",
                            when, now, actor, {"return": r["id"], "qty": qty,
                                               "received_qty": received, "note": reason,
                                               "correction": True,
                                               "deadlines": recorded(**dues)}, old,
                            moves=False)
        out.data["changed"] = True
    if received and received != r["authorised_qty"]:
        out.warnings.append(_(_DISCREPANCY).format(
            id=r["id"], received=received, authorised=r["authorised_qty"],
            difference=returns.difference_said(received - r["authorised_qty"])))
    out.warnings += calendar_warnings(lg)
    return out


def return_inspect(lg: Ledger, return_id: str, result: str, defective: int | None,
                   cause: str | None, note: str | None, *, at: datetime, now: datetime,
                   actor: str) -> Outcome:
    """`return inspect`: the inspection of the received goods (no count: 0 with no
    defect found, else refused, after the return is found). The inspection it holds
    already, typed again (the same result, count, cause and note, nothing received
    since), records nothing and says so, as `return correct` of the same count does
    (it was a second "return inspected" event, said as a new inspection)."""
    with _step(lg, return_id, lambda r: returns.check_inspect(r, defective, result), at,
               now, actor) as (cur, r, at):
        defective = defective or 0
        out = Outcome(r["id"], data={"changed": False})
        # the inspection before (one after goods received since it too: it counted fewer)
        before = (r["result"], r["defective_qty"], r["cause"], r["inspection_note"]) \
            if r["result"] is not None else None
        again = r["inspected_at"] is None  # (goods received since it: all counted again)
        received = r["received_qty"]
        cause = returns.inspection_cause(r, result, cause)
        if not again and before == (result, defective, cause, note):
            # what it holds already (read in this transaction): nothing recorded
            out.status = r["stage"]
            out.notes.append(_("{id} has this inspection already ({result}, {n} defective): "
                               "nothing recorded.").format(
                id=r["id"], result=term("inspection", result), n=defective))
            return out
        out.data["changed"] = True
        values: dict[str, Any] = {"result": result, "defective_qty": defective,
                                  "cause": cause, "inspection_note": note}
        due = None
        if r["inspected_at"] is None:
            values["inspected_at"] = iso(at)
            finish_stage(lg, cur, r["complaint_id"], "inspect", at, return_id=r["id"])
            if not _dispose_open(lg, cur, r):  # (owed still for units inspected before)
                due = open_stage(lg, cur, r["complaint_id"], "dispose", "dispose",
                                 r["severity"], at, round_=_rounds(lg, cur, r, "dispose") + 1,
                                 return_id=r["id"])
        if defective and r["disposed_qty"]:  # found defective after some were restocked
            out.warnings += _restocked_defective(cur, r, defective)
        out.status = _write(lg, cur, r, values, {}, "return-inspect", at, now, actor,
                            {"return": r["id"], "result": result, "defective_qty": defective,
                             "cause": cause, "note": note, "deadlines": recorded(dispose=due)},
                            # what an inspection again replaces, kept (a cause it does not
                            # repeat was lost without a word)
                            {"result": r["result"], "defective_qty": r["defective_qty"],
                             "cause": r["cause"], "note": r["inspection_note"]})
    out.notes += due_said(lg, "dispose", due)  # (as assign and resolve say theirs)
    if before is not None and before != (result, defective, cause, note):
        # an inspection again replaces the one before (its values kept in the event): said,
        # so that a count lowered by mistake is seen (and a cause or note changed: the
        # same result in other words, 不良 then 确认不良 --cause 划伤, said nothing); after
        # goods received since, with the units it counts (the defective found before among
        # them: a count of the new goods alone lowered it without a word)
        said = (_("{id}: this inspection replaces the one before ({result}, {n} defective, "
                  "cause {cause})") if before[2] else
                _("{id}: this inspection replaces the one before ({result}, {n} defective)")
                ).format(id=out.id, result=term("inspection", before[0]), n=before[1],
                         cause=before[2])
        if again:
            said += _("; it counts every unit received, {received} in all").format(
                received=received)
        out.warnings.append(said)
    out.warnings += calendar_warnings(lg)
    return out


def return_dispose(lg: Ledger, return_id: str, action: str, qty: int, cost: int | None,
                   repair_cost: int | None, note: str | None, *, at: datetime,
                   now: datetime, actor: str) -> Outcome:
    """`return dispose`: a disposition for some of the received units."""
    with _step(lg, return_id, lambda r: returns.check_dispose(r, qty), at, now,
               actor, does="dispose") as (cur, r, at):
        out = Outcome(r["id"])
        cur.execute("INSERT INTO return_dispositions (return_id, at, actor, action, qty, "
                    "cost_of_loss, repair_cost, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (r["id"], iso(at), actor, action, qty, cost or 0, repair_cost or 0, note))
        disposed = r["disposed_qty"] + qty
        if action == "restock" and r["defective_qty"]:  # defective goods back on the shelf
            out.warnings += _restocked_defective(cur, r, r["defective_qty"])
        if disposed == r["received_qty"]:
            finish_stage(lg, cur, r["complaint_id"], "dispose", at, return_id=r["id"])
        out.status = _write(lg, cur, r, {}, {"disposed_qty": qty, "cost_of_loss": cost or 0,
                                             "repair_cost": repair_cost or 0},
                            "return-dispose", at, now, actor,
                            {"return": r["id"], "action": action, "qty": qty,
                             "cost_of_loss": format_money(cost),
                             "repair_cost": format_money(repair_cost), "note": note},
                            {"disposed_qty": r["disposed_qty"]})
    out.data = {"left": r["received_qty"] - disposed}
    out.warnings += calendar_warnings(lg)
    return out


def _restocked_defective(cur: sqlite3.Cursor, r: dict[str, Any], defective: int
                         ) -> list[str]:
    """The warning when more units were restocked than the inspection (`defective` of
    the received found defective) left sound: at a restock, and at an inspection again
    after one (restocked, then found defective: said nothing, and the return closed with
    defective units on the shelf)."""
    (restocked,) = cur.execute(
        "SELECT coalesce(sum(qty), 0) FROM return_dispositions WHERE return_id = ? "
        "AND action = 'restock'", (r["id"],)).fetchone()
    if restocked <= r["received_qty"] - defective:
        return []
    return [_("{id}: {restocked} restocked, but the inspection found {defective} of the "
              "{received} received defective").format(
        id=r["id"], restocked=restocked, defective=defective, received=r["received_qty"])]


def return_close(lg: Ledger, return_id: str, *, at: datetime, now: datetime,
                 actor: str) -> Outcome:
    """`return close`: once every received unit has a disposition."""
    with _step(lg, return_id, returns.check_close, at, now, actor) as (cur, r, at):
        # nothing came back: no inspection or disposition is owed any more
        finish_stage(lg, cur, r["complaint_id"], None, at, return_id=r["id"])
        status = _write(lg, cur, r, {"closed_at": iso(at)}, {}, "return-close", at, now,
                        actor, {"return": r["id"]}, {})
    return Outcome(r["id"], status, warnings=calendar_warnings(lg))
