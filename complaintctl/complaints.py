"""The complaint and CAPA steps (SPEC sections 2 and 3).

Each step reads the complaint inside its one ``BEGIN IMMEDIATE`` transaction,
asks `workflow` whether the move is legal and what its guards say, then writes
the row, its stages and its append-only event; a refusal rolls everything
back. Rows go through `lg.rows` (see store.Rows), so the demo's bulk writer
can hold them in memory without these steps knowing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from complaintctl import deadlines, i18n, parse, returns, words, workflow
from complaintctl.errors import BadInput, NotFound, Refused
from complaintctl.i18n import N_, _, listing, ngettext, shown, term
from complaintctl.parse import Now, format_money, from_iso, iso, record_key, record_number
from complaintctl.store import Ledger, Outcome, fetch_record

# Intake fields `amend` may correct (option name → column).
AMENDABLE = ("customer", "contact", "channel", "region", "order_no", "product", "lot",
             "quantity", "shipped_on", "category", "severity", "demand", "description",
             "received_at")


# --- helpers shared with the return steps ---------------------------------------

def check_at(lg: Ledger, at: datetime, now: datetime, after: str | None,
             what: str | None = None, *, actor: str | None = None) -> datetime:
    """The step's time, checked: `what` is what `after` is, translated (default "the
    previous step"). With the step's `actor`, the calendar is made to cover the step's
    time (cover). A step given no time (`at` is the clock's, parse.Now) just after one
    stamped a moment ahead of the clock takes that one's time: another clerk's step
    committed while this one waited for the ledger (its clock was read before), or
    another machine's clock up to workflow.FUTURE_GRACE ahead; it was refused. One
    stamped further ahead is refused as ahead of the clock."""
    before = from_iso(after) if after else None
    clock = isinstance(at, Now)
    if clock and before is not None and at < before <= now + workflow.FUTURE_GRACE:
        at = before
    workflow.check_time(at, now, after=before, what=what, local=lg.local, clock=clock)
    if actor is not None:
        cover(lg, at, now=now, actor=actor)
    return at


# What a step recorded on a complaint is, as a back-dated step placed before it names it.
_RECORDED_AS = {"note": N_("a note recorded on it"), "attach": N_("a file attached to it"),
                "action": N_("a CAPA item's step recorded on it"),
                "return": N_("a return's step recorded on it")}
_RECORDED_STEP = N_("a step recorded on it")
# Steps that are no record of what happened after the complaint came in: its log (dated
# when received), a correction of it, a repeat link, an erasure.
NOT_AFTER = ("log", "amend", "repeat-link", "forget-contact")


def check_after_records(lg: Ledger, cur: sqlite3.Cursor, cid: str, at: datetime,
                        now: datetime, kinds: tuple[str, ...] | None = None) -> datetime:
    """check_at of a step that ends what may be recorded on a complaint (void: anything;
    closing: a CAPA item added, a return opened), against what is recorded on it (its
    notes, files, CAPA items, returns) and not only its last status step: a void
    back-dated before a return and a customer's call made a history of both on a void
    complaint, which the steps themselves refuse (verify said OK)."""
    where = f"kind IN ({', '.join('?' * len(kinds))})" if kinds else \
        f"kind NOT IN ({', '.join('?' * len(NOT_AFTER))})"
    found = cur.execute(f"SELECT at, kind FROM events WHERE complaint_id = ? AND {where} "
                        "ORDER BY at DESC, id DESC LIMIT 1",
                        (cid, *(kinds or NOT_AFTER))).fetchone()
    if found is None or found[0] <= iso(at):
        return at
    return check_at(lg, at, now, found[0], recorded_as(found[1]))


def recorded_as(kind: str) -> str:
    """A step of `kind` recorded on a complaint, as a back-dated step placed before it
    names it (translated)."""
    return _(_RECORDED_AS.get(kind.split("-")[0], _RECORDED_STEP))


def cover(lg: Ledger, at: datetime, *, now: datetime, actor: str) -> None:
    """Inside the step's transaction: the country calendar covers the year of `at` and
    the next (a deadline may fall there), extended from the `holidays` package with a
    `calendar` event when it did not; the years it has no data for go to
    lg.calendar_gaps, which calendar_warnings turns into warnings. Cheap when covered.
    The step starts here: the deadlines a refused one noted are let go."""
    lg.working_dues = []
    cfg = lg.config
    year = at.astimezone(cfg.tz).year
    cal = cfg.calendar()
    span = cal.years
    if span is None or span[0] <= year < span[1]:  # stored, and the next year too
        lg.calendar_gaps = [] if cal.covers(year) else [year]
        return
    cur = lg.conn.cursor()
    extended: list[bool] = []

    def record(data: dict[str, Any]) -> None:
        extended.append(True)
        lg.event(cur, None, "calendar", now, now, actor, data)

    from complaintctl.settings import ensure_calendar_years

    gaps = ensure_calendar_years(cur, (year, year + 1), record)
    if extended:
        lg.forget_config()
    lg.calendar_gaps = [y for y in gaps if y == year]


def next_id(cur: sqlite3.Cursor, kind: str, prefix: str, year: int) -> tuple[str, int]:
    seq = cur.execute("INSERT INTO id_counters (kind, year, last) VALUES (?, ?, 1) "
                      "ON CONFLICT (kind, year) DO UPDATE SET last = last + 1 "
                      "RETURNING last", (kind, year)).fetchall()[0][0]
    return f"{prefix}-{year}-{seq:04d}", seq


def open_stage(lg: Ledger, cur: sqlite3.Cursor, complaint_id: str, stage: str,
               policy_key: str, severity: str, start: datetime, round_: int = 1,
               return_id: str | None = None) -> datetime | None:
    """Start a stage with its deadline from the policy; None if it has none. A deadline
    in working days is noted for calendar_warnings (hours and calendar days do not use
    the calendar)."""
    cfg = lg.config
    duration = deadlines.policy_duration(cfg.policy(), policy_key, severity)
    if duration is None:
        return None
    due = deadlines.add_duration(start, duration, cfg.calendar(), cfg.tz)
    if duration.unit == "wd":
        lg.working_dues.append(due)
    lg.rows.add_stage(cur, [complaint_id, return_id, stage, round_, iso(start), iso(due),
                            None, None])
    return due


def due_said(lg: Ledger, stage: str, due: datetime | None) -> list[str]:
    """The deadline of the stage a step opened, as its note (as log says its own: what
    the owner has until); none for a stage with no deadline."""
    return [_("{stage} due {time}").format(stage=term("stage", stage),
                                           time=lg.local(due))] if due else []


def finish_stage(lg: Ledger, cur: sqlite3.Cursor, complaint_id: str, stage: str | None,
                 at: datetime, outcome: str = "done", return_id: str | None = None) -> None:
    lg.rows.finish_stages(cur, complaint_id, stage, iso(at), outcome, return_id)


# A repeat complaint (重复投诉) is defined by when the customer complained: a complaint
# repeats the latest one of the same customer about the same product (the same
# repeat_key: parse.repeat_key, letter case and spaces aside) received within
# the repeat window before it (at the same instant: the one entered before it), void
# ones aside. REPEAT_EARLIER finds that one for a new complaint; repeat_later the
# complaints received after a new (back-dated) one whose latest earlier one it now is.
# bulk.Writer follows the same rule, whatever the order its histories come in.
# (REPEAT_EARLIER gives the earlier one's words and logging time too: log tells one
# typed twice, _TYPED_TWICE.)
REPEAT_EARLIER = ("SELECT id, received_at, customer, product, description, logged_at "
                  "FROM complaints "
                  "WHERE repeat_key = ? AND received_at <= ? AND received_at >= ? "
                  "AND status != 'void' ORDER BY received_at DESC, rowid DESC LIMIT 1")
# How soon after an earlier complaint with the same words one is taken for typed twice
_TYPED_TWICE = timedelta(minutes=15)

REPEAT_LATER = ("SELECT c.id, c.repeat_of, p.received_at FROM complaints c "
                "LEFT JOIN complaints p ON p.id = c.repeat_of "
                "WHERE c.repeat_key = ? AND c.received_at > ? "
                "AND c.received_at <= ? AND c.status != 'void' ORDER BY c.received_at, c.rowid")


def repeat_later(cur: sqlite3.Cursor, key: str, received: str, until: str
                 ) -> list[tuple[str, str | None]]:
    """The complaints of `key` received after `received` (up to `until`, the window
    after it) that a complaint received at `received`, entered now, is the latest
    earlier one of: (id, the one each repeated until now)."""
    return [(cid, before) for cid, before, before_received in cur.execute(
        REPEAT_LATER, (key, received, until)).fetchall()
        if before is None or before_received <= received]


# The latest earlier complaint of one that is in the ledger already (itself aside; at
# the same instant, one entered before it): what its repeat_of should be.
REPEAT_OF_ONE = ("SELECT id FROM complaints WHERE repeat_key = ? "
                 "AND received_at >= ? AND status != 'void' AND id != ? AND (received_at < ? "
                 "OR (received_at = ? AND rowid < ?)) "
                 "ORDER BY received_at DESC, rowid DESC LIMIT 1")


def relink(lg: Ledger, cur: sqlite3.Cursor, spans: list[tuple[str, str]],
           also: str | None, *, now: datetime, actor: str, of: Sequence[str] = (),
           at: datetime | None = None) -> list[tuple[str, str | None]]:
    """After a complaint left the repeat check or moved in it (void; amend of its
    customer, product or received time): the repeat link of every complaint that may
    have changed is worked out again by the rule of `log` — those of each span
    (repeat key, received from) up to the repeat window after it, `also`, and those
    that repeat one of `of` (a link made under a longer window reaches further back
    than the span). Each link that changed is set with a `repeat-link` event, dated
    `at` (the step's time: a void back-dated to 30 October unlinked its repeats then, for
    a report as of that day; not before the complaint relinked was received), else now;
    returns (id, repeats now)."""
    window = lg.config.repeat_window
    seen: set[str] = set()
    rows: list[tuple[str, int, str, str | None, str | None]] = []
    for span, lo in spans:
        hi = iso(from_iso(lo) + window)
        rows += cur.execute(
            "SELECT id, rowid, received_at, repeat_of, repeat_key FROM complaints "
            "WHERE repeat_key = ? AND received_at >= ? AND received_at <= ? "
            "AND status != 'void' ORDER BY received_at, rowid", (span, lo, hi)).fetchall()
    if also is not None:
        rows += cur.execute("SELECT id, rowid, received_at, repeat_of, repeat_key "
                            "FROM complaints WHERE id = ? AND status != 'void'",
                            (also,)).fetchall()
    for one in of:
        rows += cur.execute("SELECT id, rowid, received_at, repeat_of, repeat_key "
                            "FROM complaints WHERE repeat_of = ? AND status != 'void' "
                            "ORDER BY received_at, rowid", (one,)).fetchall()
    changed: list[tuple[str, str | None]] = []
    for cid, rowid, received, before, key in rows:
        if cid in seen:
            continue
        seen.add(cid)
        now_of = None
        if key:
            found = cur.execute(REPEAT_OF_ONE, (
                key, iso(from_iso(received) - window), cid, received, received,
                rowid)).fetchone()
            now_of = found[0] if found else None
        if now_of != before:
            lg.rows.update(cur, "complaints", cid, {"repeat_of": now_of})
            lg.event(cur, cid, "repeat-link", now if at is None else max(
                at, from_iso(received)), now, actor, {"repeat_of": now_of},
                {"repeat_of": before})
            changed.append((cid, now_of))
    return changed


def relink_notes(changed: list[tuple[str, str | None]]) -> list[str]:
    """What a step warns the clerk of the repeat links it changed (as `log` does)."""
    return [_("{id} now repeats {earlier}; linked").format(id=cid, earlier=of) if of else
            _("{id} no longer repeats an earlier complaint; unlinked").format(id=cid)
            for cid, of in changed]


def calendar_warnings(lg: Ledger) -> list[str]:
    """The step's warnings about the calendar: the year it landed in has no official
    data (lg.calendar_gaps, taken), a deadline in working days it set falls in a year
    without it (lg.working_dues, taken)."""
    cfg = lg.config
    gaps, lg.calendar_gaps = lg.calendar_gaps, []
    dues, lg.working_dues = lg.working_dues, []
    country = cfg.settings.get("country")
    out = [gap_warning(y, country) for y in gaps]
    cal = cfg.calendar()
    years = deadlines.uncovered_years(dues, cal, cfg.tz)
    return out + [deadline_warning(y, country, cal.stored(y)) for y in years if y not in gaps]


def deadline_warning(year: int, country: str | None, stored: bool = False) -> str:
    """What a command says of a deadline that falls in a year the calendar has no
    official data for (a step in that year says gap_warning instead). `stored`: the
    year's rule-based holidays are in the ledger (a year the package has no make-up
    days for), so deadlines there skip those as well as weekends."""
    if stored:
        return _("a deadline falls in {year}, which the {country} calendar does not cover "
                 "yet: it counts weekends and rule-based holidays only. Add {year}'s public "
                 "holidays and make-up working days with `complaintctl policy calendar "
                 "--add-holiday DATE --add-workday DATE`").format(year=year, country=country)
    return _("a deadline falls in {year}, which the {country} calendar does not "
             "cover yet: it counts weekends only. Add {year}'s public holidays and "
             "make-up working days with `complaintctl policy calendar --add-holiday "
             "DATE --add-workday DATE`").format(year=year, country=country)


def gap_warning(year: int, country: str | None) -> str:
    """What a command says of a year the holidays package has no official data for."""
    return _("the holidays package has no official {country} calendar for {year}: "
             "deadlines there count weekends and rule-based holidays only. Add {year}'s "
             "public holidays and make-up working days with `complaintctl policy calendar "
             "--add-holiday DATE --add-workday DATE`").format(year=year, country=country)


def recorded(**dues: datetime | None) -> dict[str, str] | None:
    """The deadlines a step set, as its event records them (verify checks the stages
    against them)."""
    return {stage: iso(due) for stage, due in dues.items() if due is not None} or None


def contact_ref(salt: str, value: str) -> str:
    """What an event holds for a contact: a keyed hash, never the value. The value and
    its salt live only in the complaint's row, so erasing them (forget-contact)
    leaves nothing in the history that leads back to the person."""
    from hashlib import sha256

    return "h:" + sha256((salt + value).encode("utf-8")).hexdigest()[:32]


def _check_category(lg: Ledger, category: str | None) -> None:
    if category is not None and category not in lg.config.categories:
        raise BadInput(_("--category {value} is not one of: {allowed}").format(
            value=shown(category), allowed=", ".join(lg.config.categories)),
                       code="unknown_category", value=category)


# --- lifecycle ---------------------------------------------------------------------

def earlier_repeat(lg: Ledger, customer: str, product: str, received_at: datetime
                   ) -> tuple[str, datetime, int] | None:
    """The complaint a new one of `customer` about `product` received at `received_at`
    would repeat (REPEAT_EARLIER: log's own rule), as the clerk is still on the phone:
    its id, when it was received, and the window in days; None if none. Read only."""
    with lg.read() as cur:
        window = lg.config.repeat_window
        key = parse.repeat_key(customer, product)
        row = _latest_earlier(cur, key, received_at, window) if key else None
    return (row[0], parse.from_iso(row[1]), window.days) if row else None


def _latest_earlier(cur: sqlite3.Cursor, key: str, received_at: datetime,
                    window: timedelta
                    ) -> tuple[str, str, str, str, str | None, str | None] | None:
    """REPEAT_EARLIER's complaint for the repeat key `key`: (id, received_at, customer,
    product, description, logged_at)."""
    return cur.execute(REPEAT_EARLIER, (key, iso(received_at), iso(received_at - window))
                       ).fetchone()


def log(lg: Ledger, fields: dict[str, Any], *, received_at: datetime, now: datetime,
        actor: str, contact_kept: bool = False) -> Outcome:
    """`log`: a new complaint, its first deadlines, and the repeat check. `contact_kept`:
    the clerk kept a contact that holds no number or address as typed, asked at the
    prompt (no warning then to correct it)."""
    workflow.check_time(received_at, now, option="--received", local=lg.local)
    with lg.write() as cur:
        _check_category(lg, fields["category"])
        cover(lg, received_at, now=now, actor=actor)
        cfg = lg.config
        year = now.astimezone(cfg.tz).year
        window = cfg.repeat_window
        cid, seq = next_id(cur, "complaint", cfg.settings["id_prefix"], year)
        lg.making = (cid, lg.committed)  # (an interruption once it is committed names it)
        repeat_of = None
        row = None
        later: list[tuple[str, str | None]] = []
        key = parse.repeat_key(fields["customer"], fields.get("product"))
        typed_twice = False
        if key:
            row = _latest_earlier(cur, key, received_at, window)
            repeat_of = row[0] if row else None
            later = repeat_later(cur, key, iso(received_at), iso(received_at + window))
        if row is not None:  # the same words logged minutes before: typed twice?
            description, logged_at = row[4], row[5]
            typed_twice = description == fields.get("description") and logged_at is not None \
                and now - from_iso(logged_at) < _TYPED_TWICE
        record = {"id": cid, "year": year, "seq": seq, "received_at": iso(received_at),
                  "logged_at": iso(now), "logged_by": actor, "status": "logged",
                  "repeat_of": repeat_of, "last_step_at": iso(received_at), **fields,
                  "repeat_key": key}
        if fields.get("contact"):
            record["contact_salt"] = lg.salt_source()
        cur.execute(f"INSERT INTO complaints ({', '.join(record)}) VALUES "
                    f"({', '.join('?' for _ in record)})", tuple(record.values()))
        lg.rows.logged(cur, record)
        sev = fields["severity"]
        dues = [open_stage(lg, cur, cid, "assign", "assign", sev, received_at),
                open_stage(lg, cur, cid, "resolve", "resolve", sev, received_at)]
        data = {k: v for k, v in record.items()
                if k not in ("id", "year", "seq", "last_step_at", "status", "contact_salt",
                             "repeat_key")}
        if fields.get("contact"):
            data["contact"] = contact_ref(record["contact_salt"], fields["contact"])
        data["deadlines"] = recorded(assign=dues[0], resolve=dues[1])
        lg.event(cur, cid, "log", received_at, now, actor, data)
        for other, before in later:  # received after this one: now its repeats
            lg.rows.update(cur, "complaints", other, {"repeat_of": cid})
            lg.event(cur, other, "repeat-link", now, now, actor, {"repeat_of": cid},
                     {"repeat_of": before})
    out = Outcome(cid, "logged", warnings=calendar_warnings(lg))
    if fields.get("contact") and not contact_kept:  # (a prompt's answer one out of step:
        # the category's number, 1, stored as the contact unsaid)
        out.warnings += _contact_said(fields["contact"], cid)
    if typed_twice:  # (the quick start's own mistake: the repeat rate counted it)
        out.warnings.insert(0, _(
            "{id} has the words of {earlier}, logged minutes before: if it was typed twice, "
            "void it: complaintctl void {id} --reason {reason}").format(
                id=cid, earlier=repeat_of, reason=i18n.shell_word(_("typed twice"))))
    if repeat_of:
        out.warnings.insert(0, ngettext(
            "repeat complaint: {customer} complained about {product} within {days} day "
            "in {earlier}; linked",
            "repeat complaint: {customer} complained about {product} within {days} days "
            "in {earlier}; linked", window.days).format(
                customer=fields["customer"], product=fields["product"], days=window.days,
                earlier=repeat_of))
    if later:
        out.warnings.insert(1 if repeat_of else 0, ngettext(
            "{later}, received after this within the repeat window ({days} d), now "
            "repeats {id}; linked",
            "{later}, received after this within the repeat window ({days} d), now "
            "repeat {id}; linked", len(later)).format(
                days=window.days, later=", ".join(other for other, _before in later),
                id=cid))
    if repeat_of and row is not None and (row[2], row[3]) != (fields["customer"],
                                                              fields["product"]):
        out.warnings.insert(1, _(  # beside the repeat it is about
            "{earlier} has them as {customer} and {product}: the repeat check takes "
            "letter case, spaces and a name's punctuation as the same").format(
                earlier=repeat_of, customer=shown(row[2]), product=shown(row[3])))
    passed = [stage for stage, due in (("assign", dues[0]), ("resolve", dues[1]))
              if due is not None and due < now]
    if passed:  # back-dated: overdue from the start (nothing said so until overdue ran)
        out.notes.append(ngettext(
            "Its {stages} deadline has passed already (it was received {received}): it is "
            "overdue from the start and shows in complaintctl overdue.",
            "Its {stages} deadlines have passed already (it was received {received}): it is "
            "overdue from the start and shows in complaintctl overdue.", len(passed)).format(
                stages=listing([term("stage", s) for s in passed]) if i18n.lang() == "zh"
                else " and ".join(term("stage", s) for s in passed),  # (its assign and
                received=lg.local(received_at)))  # resolve deadlines: not "assign, resolve")
    out.data = {"repeat_of": repeat_of, "deadlines": {"assign": dues[0], "resolve": dues[1]},
                "repeated_by": [other for other, _before in later]}
    return out


def assign(lg: Ledger, complaint_id: str, department: str, owner: str, note: str | None, *,
           at: datetime, now: datetime, actor: str) -> Outcome:
    """`assign`: route to a department and owner; the first assignment ends the
    assign stage and starts the investigation's."""
    with lg.write() as cur:
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        new = workflow.next_state("assign", c["status"], cid, severity=c["severity"],
                                  second_due=second_due(cur, c),
                                  capa=lambda: capa_open(cur, c["id"]))
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        if (c["department"], c["owner"], note) == (department, owner, None):
            # to what it is already: said, nothing recorded (an event that changed
            # nothing stood in the history as a reassignment)
            out = Outcome(cid, c["status"], data={"unchanged": True})
            out.notes.append(_("{id} is assigned to {dept} / {owner} already: nothing "
                               "recorded").format(id=cid, dept=department, owner=owner))
            return out
        values = {"status": new, "department": department, "owner": owner,
                  "last_step_at": iso(at)}
        due = None
        if c["assigned_at"] is None:
            values["assigned_at"] = iso(at)
            finish_stage(lg, cur, cid, "assign", at)
            due = open_stage(lg, cur, cid, "investigate", "investigate", c["severity"], at)
        lg.rows.update(cur, "complaints", cid, values)
        cur.execute("INSERT INTO assignments (complaint_id, at, actor, department, owner, "
                    "note) VALUES (?, ?, ?, ?, ?, ?)",
                    (cid, iso(at), actor, department, owner, note))
        lg.event(cur, cid, "assign", at, now, actor,
                 {"department": department, "owner": owner, "note": note, "status": new,
                  "deadlines": recorded(investigate=due)},
                 {"department": c["department"], "owner": c["owner"], "status": c["status"]})
    out = Outcome(cid, new, warnings=calendar_warnings(lg))
    out.notes += due_said(lg, "investigate", due)
    return out


def investigate(lg: Ledger, complaint_id: str, data: dict[str, Any], *, at: datetime,
                now: datetime, actor: str, typed: bool = False) -> Outcome:
    """`investigate`: findings; a root cause or a not-upheld decision concludes it.
    `typed`: the command's options (a supplier beside the company held responsible
    refused: workflow.check_supplier_typed), not a register's row."""
    workflow.check_investigate_args(data)
    with lg.write() as cur:
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        new = workflow.next_state("investigate", c["status"], cid, severity=c["severity"],
                                  second_due=second_due(cur, c),
                                  capa=lambda: capa_open(cur, c["id"]))
        workflow.check_supplier_named(c, data)  # (its options checked before: above)
        if typed:
            workflow.check_supplier_typed(c, data)
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        concluding = data.get("root_cause") is not None or data.get("validity") == "not-upheld"
        cur.execute("INSERT INTO investigations (complaint_id, at, actor, finding, validity, "
                    "reason, root_cause, cause_category, responsibility, supplier, "
                    "containment, corrective, preventive) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cid, iso(at), actor, data.get("finding"), data.get("validity"),
                     data.get("reason"), data.get("root_cause"), data.get("cause_category"),
                     data.get("responsibility"), data.get("supplier"),
                     data.get("containment"), data.get("corrective"),
                     data.get("preventive")))
        values: dict[str, Any] = {"status": new, "last_step_at": iso(at)}
        for key in ("validity", "root_cause", "cause_category", "responsibility", "supplier"):
            if data.get(key) is not None:
                values[key] = data[key]
        if concluding and c["concluded_at"] is None:
            values["concluded_at"] = iso(at)
            finish_stage(lg, cur, cid, "investigate", at)
        if data.get("root_cause") and values.get("validity") is None and c["validity"] is None:
            values["validity"] = "upheld"
        lg.rows.update(cur, "complaints", cid, values)
        lg.event(cur, cid, "investigate", at, now, actor, {**data, "status": new},
                 {k: c[k] for k in values if k not in ("last_step_at",)})
    out = Outcome(cid, new, warnings=calendar_warnings(lg))
    if values.get("validity") == "upheld" and data.get("validity") is None:
        # (set without a word, a misuse by the customer's own account too: counted upheld)
        out.notes.append(_("recorded as upheld (a root cause was found); if it does not "
                           "stand: complaintctl investigate {id} --not-upheld --reason TEXT"
                           ).format(id=cid))
    if workflow.supplier_shown(c["responsibility"], c["supplier"]) and \
            not workflow.supplier_shown(data.get("responsibility"), c["supplier"]):
        # (the supplier held responsible before is named no more)
        out.notes.append(_("the supplier held responsible before, {supplier}, is no longer "
                           "named (it stays in the history)").format(
                               supplier=shown(c["supplier"])))
    if c["root_cause"] is not None and data.get("root_cause") not in (None, c["root_cause"]):
        # (replaced without a word: show names the latest, the history the one before)
        out.notes.append(_("the root cause recorded before, {old}, is replaced (it stays in "
                           "the history)").format(old=shown(c["root_cause"])))
    return out


def resolve(lg: Ledger, complaint_id: str, disposition: str, summary: str, amount: int | None,
            approved_by: str | None, *, at: datetime, now: datetime, actor: str,
            typed: bool = False) -> Outcome:
    """`resolve`: the resolution told to the customer; the revisit stage starts."""
    with lg.write() as cur:
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        new = workflow.next_state("resolve", c["status"], cid, severity=c["severity"],
                                  second_due=second_due(cur, c),
                                  capa=lambda: capa_open(cur, c["id"]))
        workflow.check_resolve(c, disposition, amount)
        workflow.check_amount_given(cid, disposition, amount)
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        currency = lg.config.currency if amount is not None else None
        round_ = c["reopen_count"] + 1
        # resolved_at is the previous round's time until this round sets it
        cur.execute("INSERT INTO resolutions (complaint_id, round, at, actor, "
                    "disposition, amount, currency, approved_by, summary, previous_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cid, round_, iso(at), actor, disposition, amount, currency, approved_by,
                     summary, c["resolved_at"] if round_ > 1 else None))
        finish_stage(lg, cur, cid, "resolve", at)
        due = open_stage(lg, cur, cid, "revisit", "revisit", c["severity"], at, round_=round_)
        values = {"status": new, "disposition": disposition, "amount": amount,
                  "currency": currency, "approved_by": approved_by,
                  "resolution_summary": summary, "resolved_at": iso(at),
                  "last_step_at": iso(at)}
        lg.rows.update(cur, "complaints", cid, values)
        lg.event(cur, cid, "resolve", at, now, actor,
                 {"disposition": disposition, "summary": summary,
                  "amount": format_money(amount), "currency": currency,
                  "approved_by": approved_by, "round": round_, "status": new,
                  "deadlines": recorded(revisit=due)},
                 # (the round before's amount and approver too: a history line said
                 # "amount: 300.00" without the 1,250.50 it replaced)
                 {"status": c["status"], "disposition": c["disposition"],
                  "amount": None if c["amount"] is None else format_money(c["amount"]),
                  "currency": None if c["amount"] is None else c["currency"],
                  "approved_by": c["approved_by"]})
    warnings = calendar_warnings(lg)
    if typed and amount and approved_by is None:  # (SPEC: 主管批示 where money moves; not
        # required: the typed step says so; an import takes a register's rows as they are)
        warnings.insert(0, _("{id}: {amount} recorded with no approver (--approved-by); "
                             "an approval given later goes in a note").format(
            id=cid, amount=i18n.money(format_money(amount), lg.config.currency)))
    out = Outcome(cid, new, warnings=warnings)
    out.notes += due_said(lg, "revisit", due)
    return out


def _open_returns(lg: Ledger, cur: sqlite3.Cursor, cid: str) -> list[tuple[str, str]]:
    """The returns of a complaint not closed yet, with their stage."""
    lg.rows.flush(cur)
    return cur.execute("SELECT id, stage FROM returns WHERE complaint_id = ? AND "
                       "closed_at IS NULL ORDER BY rowid", (cid,)).fetchall()


def _closed_with_returns(lg: Ledger, cur: sqlite3.Cursor, cid: str) -> list[str]:
    """The warning of a complaint closed while its returned goods are still being dealt
    with (the customer's side is done; the warehouse's goes on, and stays in overdue),
    with the next step of each (every unit disposed of: its closing)."""
    left = _open_returns(lg, cur, cid)
    if not left:
        return []
    return [_("{id} is closed with returns still open ({returns}): they go on; next: "
              "{steps}").format(id=cid, returns=listing([rid for rid, _stage in left]),
                                steps=_("; ").join(returns.next_step(rid, stage)
                                                   for rid, stage in left))]


# A second revisit an import did not ask for (bulk.History.lapse_second_revisit: due
# before the import, not in the register), still to be recorded: a closed imported
# complaint whose severity has one, with no second-revisit stage and no revisit since
# it was closed. SQL over `c`, a complaints row.
LAPSED_SECOND = (
    "(c.import_batch IS NOT NULL AND c.status = 'closed' AND NOT EXISTS (SELECT 1 FROM "
    "stages s WHERE s.complaint_id = c.id AND s.return_id IS NULL AND s.stage = "
    "'second-revisit' AND s.started_at >= c.closed_at) AND NOT EXISTS (SELECT 1 FROM "
    "revisits v WHERE v.complaint_id = c.id AND v.from_status = 'closed' AND v.at >= "
    "c.closed_at) AND EXISTS (SELECT 1 FROM policy p WHERE p.stage = 'second-revisit' AND "
    "p.severity = c.severity AND p.duration IS NOT NULL))")


# Whether the second revisit of the complaint `c` may be recorded now (of a closed one):
# its stage open, or one an import owes (LAPSED_SECOND).
SECOND_DUE = (
    "(EXISTS (SELECT 1 FROM stages s WHERE s.complaint_id = c.id AND s.return_id IS NULL AND "
    f"s.stage = 'second-revisit' AND s.done_at IS NULL) OR {LAPSED_SECOND})")


def capa_open(cur: sqlite3.Cursor, cid: str) -> tuple[bool, bool]:
    """Whether complaint `cid` has a CAPA item to mark done, and one done to verify (the
    steps a refusal names: workflow.allowed_from)."""
    to_do, to_verify = cur.execute(
        "SELECT count(*) FILTER (WHERE done_at IS NULL), count(*) FILTER (WHERE done_at IS "
        "NOT NULL AND verified_at IS NULL) FROM actions WHERE complaint_id = ?",
        (cid,)).fetchone()
    return bool(to_do), bool(to_verify)


def second_due(cur: sqlite3.Cursor, c: dict[str, Any]) -> bool | None:
    """Whether a closed critical complaint's second revisit may be recorded now
    (SECOND_DUE), for the steps a refusal names (workflow.allowed_from); None for any
    other complaint (its severity says)."""
    if c["status"] != "closed" or c["severity"] != "critical":
        return None
    return bool(cur.execute(f"SELECT {SECOND_DUE} FROM complaints c WHERE c.id = ?",
                            (c["id"],)).fetchone()[0])


# A second revisit this soon after the closing one is said (it is due months later);
# within a day, refused: the one call typed twice (a register's import may tell both at
# the closing, marked estimated: the bulk writer takes it).
SECOND_SOON = timedelta(days=7)
SECOND_DUPLICATE = timedelta(days=1)


def revisit(lg: Ledger, complaint_id: str, satisfaction: str, method: str | None,
            demand_met: bool | None, note: str | None, *, at: datetime, now: datetime,
            actor: str) -> Outcome:
    """`revisit`: the call-back; satisfied closes, unsatisfied reopens."""
    with lg.write() as cur:
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        new = workflow.next_state("revisit", c["status"], cid, satisfaction,
                                  severity=c["severity"],
                                  capa=lambda: capa_open(cur, c["id"]))
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        if new == "closed" and c["status"] != "closed":
            at = check_after_records(lg, cur, cid, at, now, OPEN_ONLY)
        out = Outcome(cid, new)
        lapsed = c["status"] == "closed" and cur.execute(
            f"SELECT {LAPSED_SECOND} FROM complaints c WHERE c.id = ?", (cid,)).fetchone()[0]
        cur.execute("INSERT INTO revisits (complaint_id, at, actor, method, satisfaction, "
                    "demand_met, note, from_status, to_status) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cid, iso(at), actor, method, satisfaction,
                     None if demand_met is None else int(demand_met), note, c["status"], new))
        second = c["status"] == "closed"
        if second:  # only for its scheduled second revisit (its stage open)
            pending = cur.execute(
                "SELECT due_at FROM stages WHERE complaint_id = ? AND return_id IS NULL AND "
                "stage = 'second-revisit' AND done_at IS NULL", (cid,)).fetchone()
            critical = c["severity"] == "critical"
            workflow.check_second_revisit(
                cid, pending is not None or bool(lapsed), critical=critical,
                recorded=critical and cur.execute(  # (this one's row is in: before it)
                    "SELECT count(*) FROM revisits WHERE complaint_id = ? AND from_status = "
                    "'closed'", (cid,)).fetchone()[0] > 1)
            closed = from_iso(c["closed_at"]) if c["closed_at"] else None
            if closed is not None and at - closed < SECOND_DUPLICATE:
                # (two clerks typing the one call, or one correcting its answer, took the
                # 90-day second revisit and could reopen the complaint)
                raise Refused(_("cannot revisit {id}: it was closed {time}, less than a day "
                                "ago; its second revisit is due {due}").format(
                    id=cid, time=lg.local(closed),
                    due=lg.local(from_iso(pending[0])) if pending and pending[0]
                    else _("none")),
                    hint=_("a revisit is never corrected by another; a later call goes in its "
                           "communication log: complaintctl note {id} --text …").format(id=cid),
                    code="second_revisit_too_soon", record=cid)
            if closed is not None and at - closed < SECOND_SOON:
                out.warnings.append(_(
                    "{id} was closed {time}: this one is its second revisit (二次回访), "
                    "recorded as the customer's answer now; a revisit is never corrected by "
                    "another").format(id=cid, time=lg.local(closed)))
        finish_stage(lg, cur, cid, "second-revisit" if second else "revisit", at)
        values: dict[str, Any] = {"status": new, "satisfaction": satisfaction,
                                  "last_step_at": iso(at)}
        due = None
        if new == "closed":
            if not second:
                values["closed_at"] = iso(at)
                out.warnings += _closed_with_returns(lg, cur, cid)
                due = open_stage(lg, cur, cid, "second-revisit", "second-revisit",
                                 c["severity"], at)
                if due:
                    out.notes.append(_("second revisit due {time}").format(
                        time=lg.local(due)))
        else:
            values["reopen_count"] = c["reopen_count"] + 1
            values["closed_at"] = values["close_reason"] = None  # the close event keeps it
            finish_stage(lg, cur, cid, "second-revisit", at)
            due = open_stage(lg, cur, cid, "resolve", "reopen", c["severity"], at,
                             round_=values["reopen_count"] + 1)
            # (its round too, as show and overdue name the stage: 重新处理（第 2 轮）)
            out.notes.append(_("reopened ({count}); new resolve deadline {time} (round "
                               "{round})").format(
                count=values["reopen_count"], round=values["reopen_count"] + 1,
                time=lg.local(due) if due else _("none")))
        lg.rows.update(cur, "complaints", cid, values)
        lg.event(cur, cid, "revisit", at, now, actor,
                 {"satisfaction": satisfaction, "method": method, "demand_met": demand_met,
                  "note": note, "status": new, "reopen_count": values.get("reopen_count"),
                  "deadlines": recorded(**{"second-revisit" if new == "closed"
                                           else "resolve": due})},
                 {"status": c["status"], "reopen_count": c["reopen_count"]})
    out.warnings += calendar_warnings(lg)
    return out


# What only an open complaint takes: a closing is not back-dated before one of them.
OPEN_ONLY = ("action-add", "return-open")


def close_no_revisit(lg: Ledger, complaint_id: str, reason: str, *, at: datetime,
                     now: datetime, actor: str) -> Outcome:
    """`close --no-revisit`: close a resolved complaint the customer cannot be
    called back on, with the reason."""
    workflow.check_reason("close --no-revisit", reason)
    with lg.write() as cur:
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        new = workflow.next_state("close", c["status"], cid, severity=c["severity"],
                                  second_due=second_due(cur, c),
                                  capa=lambda: capa_open(cur, c["id"]))
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        at = check_after_records(lg, cur, cid, at, now, OPEN_ONLY)
        finish_stage(lg, cur, cid, "revisit", at)
        # closed however: a critical complaint's 90-day second revisit (SPEC 3) starts
        due = open_stage(lg, cur, cid, "second-revisit", "second-revisit", c["severity"], at)
        lg.rows.update(cur, "complaints", cid, {"status": new, "closed_at": iso(at),
                                                "close_reason": reason,
                                                "last_step_at": iso(at)})
        lg.event(cur, cid, "close", at, now, actor,
                 {"no_revisit": True, "reason": reason, "status": new,
                  "deadlines": recorded(**{"second-revisit": due})},
                 {"status": c["status"]})
        warnings = _closed_with_returns(lg, cur, cid)
    out = Outcome(cid, new, warnings=warnings + calendar_warnings(lg))
    if due:
        out.notes.append(_("second revisit due {time}").format(time=lg.local(due)))
    return out


def void(lg: Ledger, complaint_id: str, reason: str, *, at: datetime, now: datetime,
         actor: str) -> Outcome:
    """`void`: a complaint logged by mistake; it stays in the ledger."""
    workflow.check_reason("void", reason)
    with lg.write() as cur:
        lg.rows.flush(cur)
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        new = workflow.next_state("void", c["status"], cid, severity=c["severity"],
                                  second_due=second_due(cur, c),
                                  capa=lambda: capa_open(cur, c["id"]))
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        at = check_after_records(lg, cur, cid, at, now)
        returns.check_void(cid, _open_returns(lg, cur, cid))
        cur.execute("UPDATE stages SET done_at = ?, outcome = 'void' WHERE complaint_id = ? "
                    "AND done_at IS NULL", (iso(at), cid))
        lg.rows.update(cur, "complaints", cid, {"status": new, "voided_at": iso(at),
                                                "void_reason": reason,
                                                "last_step_at": iso(at)})
        lg.event(cur, cid, "void", at, now, actor, {"reason": reason, "status": new},
                 {"status": c["status"]})
        changed = relink(lg, cur, [(c["repeat_key"], c["received_at"])]
                         if c["repeat_key"] else [], None, now=now, actor=actor, of=[cid],
                         at=at)
    return Outcome(cid, new, warnings=relink_notes(changed) + calendar_warnings(lg))


# The intake fields `amend --clear` empties, by the option's name: optional, and read by
# no deadline, repeat check or rollup (a product is corrected, not cleared: it is half
# of the repeat check's key).
CLEARABLE = {"region": "region", "order": "order_no", "lot": "lot", "quantity": "quantity",
             "shipped": "shipped_on", "demand": "demand"}


# The Chinese names of the fields `--clear` refuses (each said why by its code).
_NOT_CLEARED = {"联系方式": "contact", "联系电话": "contact", "电话": "contact", "产品": "product",
                "产品型号": "product", "客户": "customer", "客户名称": "customer",
                "投诉内容": "description", "描述": "description", "渠道": "channel",
                "类别": "category", "严重程度": "severity", "受理时间": "received"}


def clearable(name: str) -> str:
    """The column `amend --clear NAME` empties; BadInput for another field."""
    word = name.strip().lower().removeprefix("--")
    try:  # its code, or its name as the screens show it (批号), as words.resolve reads it
        return CLEARABLE[words.lookup("clear_field", word)]
    except words.UnknownWord as exc:
        unknown = exc
    # a field that is not cleared, by its Chinese name too (客户 is not 客户要求)
    word = _NOT_CLEARED.get(word, word)
    if word == "contact":
        # (named as typed: --clear 联系方式 was answered "--clear contact")
        raise BadInput(_("--clear {field}: a contact is erased, not cleared").format(
            field=name.strip()), hint=_("complaintctl forget-contact ID --reason TEXT erases "
                                        "it, from the history too"), code="clear_contact")
    if word == "product":
        raise BadInput(_("--clear {field}: a product is corrected, not cleared (it ties "
                         "repeat complaints together)").format(field=name.strip()),
                       hint=_("correct it with --product VALUE"), code="not_clearable")
    if word in ("customer", "description", "channel", "category", "severity", "received"):
        raise BadInput(_("--clear {field}: a complaint always has one").format(
            field=name.strip()), hint=_("correct it with --{field} VALUE").format(field=word),
            code="not_clearable")
    raise words.unknown("clear_field", unknown, option="--clear")


def check_amendable(lg: Ledger, complaint_id: str) -> None:
    """The complaint is in the ledger and its state allows an amendment: asked before a
    description is typed at the terminal (amend checks it again in its write)."""
    with lg.read() as cur:
        c = lg.rows.complaint(cur, complaint_id)
    workflow.next_state("amend", c["status"], c["id"])


def amend(lg: Ledger, complaint_id: str, changes: dict[str, Any], reason: str, *,
          now: datetime, actor: str, clear: Sequence[str] = ()) -> Outcome:
    """`amend`: correct intake fields, and empty the optional ones in `clear`
    (columns); open stages follow a corrected severity or received time. The event
    records the fields emptied under "cleared" (its data leaves out empty values)."""
    workflow.check_reason("amend", reason)
    clear = list(dict.fromkeys(clear))  # a field named twice (--clear 批号 --clear lot), once
    twice = sorted(f for f in clear if changes.get(f) is not None)
    if twice:
        option = "--" + {v: k for k, v in CLEARABLE.items()}[twice[0]]
        raise BadInput(_("{field} is both given and cleared").format(field=option),
                       hint=_("give the corrected value, or --clear it, not both"),
                       code="given_and_cleared")
    if all(v is None for v in changes.values()) and not clear:
        if record_key(complaint_id).startswith(lg.config.settings["return_prefix"] + "-"):
            with lg.read() as cur:  # a return's id: said so (its hint led to a refusal)
                lg.rows.complaint(cur, complaint_id)
        raise BadInput(_("nothing to amend: no field was given"),
                       hint=_("give each field to correct with its right value, e.g. "
                              "complaintctl amend {id} --severity high --reason TEXT").format(
                                  id=complaint_id), code="nothing_to_amend")
    only_clear = bool(clear) and all(v is None for v in changes.values())
    if set(changes) - set(AMENDABLE):
        raise BadInput(_("cannot amend {fields}").format(
            fields=", ".join(sorted(set(changes) - set(AMENDABLE)))), code="not_amendable")
    with lg.write() as cur:
        lg.rows.flush(cur)
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        workflow.next_state("amend", c["status"], cid, severity=c["severity"])
        _check_category(lg, changes.get("category"))
        given_contact = changes.get("contact")
        changes = {k: v for k, v in changes.items() if v is not None and c[k] != v}
        cleared = list(dict.fromkeys(f for f in clear if c[f] is not None))
        if not changes and not cleared:
            # what the ledger holds already: said, nothing recorded, exit 0, as assign
            # to the same owner and return correct with the same count (a correction
            # script run again, or two clerks making the same correction at once, failed
            # the second time with exit 1; with exit 2 before that)
            out = Outcome(cid, c["status"], data={"unchanged": True})
            out.notes.append(ngettext(
                "{id}: {fields} is empty already: nothing recorded",
                "{id}: {fields} are empty already: nothing recorded", len(clear)).format(
                    id=cid, fields=listing(["--" + {v: k for k, v in CLEARABLE.items()}[f]
                                            for f in clear]))
                if only_clear else
                _("{id} holds every value given already: nothing recorded").format(id=cid))
            return out
        if "received_at" in changes:
            first = cur.execute(  # (a repeat link or an erasure is no entry of its own)
                "SELECT at, kind FROM events WHERE complaint_id = ? AND kind NOT IN "
                "('log', 'amend', 'repeat-link', 'forget-contact') ORDER BY at, id LIMIT 1",
                (cid,)).fetchone()
            received = from_iso(changes["received_at"])
            # (log's hint, "leave --received out to record it now", is no amendment)
            workflow.check_time(received, now, option="--received", local=lg.local,
                                future_hint=_("give the time it was received"))
            if c["logged_at"] and changes["received_at"] > c["logged_at"]:
                # received after it was typed in: a report or overdue --as-of between the
                # two left out a complaint that was in the ledger then
                time, then = workflow.told_apart(received, from_iso(c["logged_at"]),
                                                 lg.local)  # (11:00 is after 11:00)
                raise BadInput(_("--received {time} is after the complaint was logged "
                                 "({then})").format(time=time, then=then),
                               hint=_("give the time it was received, no later than it "
                                      "was logged"), code="time_after", option="--received",
                               value=received)
            if first is not None and changes["received_at"] > first[0]:
                # (a note or a file is no step: named as what it is)
                message = _("--received is after the complaint's first note ({time})") \
                    if first[1] == "note" else _("--received is after the complaint's first "
                                                 "attached file ({time})") \
                    if first[1] == "attach" else _("--received is after the complaint's "
                                                   "first step ({time})")
                raise BadInput(message.format(time=lg.local(from_iso(first[0]))),
                               hint=_("a complaint is received before anything is recorded "
                                      "on it: give a time no later than that"),
                               code="time_after", option="--received", value=received)
            cover(lg, received, now=now, actor=actor)
        # what it sets besides, not in its event: the time a next step may not be before,
        # the repeat key
        moved: dict[str, Any] = {}
        if "customer" in changes or "product" in changes:
            moved["repeat_key"] = parse.repeat_key(changes.get("customer", c["customer"]),
                                                   changes.get("product", c["product"]))
        if "received_at" in changes:
            (last_step,) = cur.execute(
                f"SELECT max(at) FROM events WHERE complaint_id = ? AND kind IN "
                f"({', '.join('?' * len(workflow.STATUS_STEPS))})",
                (cid, *workflow.STATUS_STEPS)).fetchone()
            moved["last_step_at"] = max(changes["received_at"], last_step or "")
        out = Outcome(cid, c["status"])
        data: dict[str, Any] = {**changes, "reason": reason}
        old = {k: c[k] for k in (*changes, *cleared)}
        if cleared:
            data["cleared"] = cleared
        # the event keeps its reason for good: with --contact, not the contact, given or
        # stored, changed or not (the one given again unchanged, beside another field,
        # went in with its reason; another field's amendment alone is not looked at)
        held = [v for v in (given_contact, c["contact"]) if v] if given_contact else []
        if any(contact_finder(v)(reason) for v in held):
            raise BadInput(_("--reason holds the contact: the history would keep it "
                             "for good, where it keeps a contact only as a keyed hash"),
                           hint=_("say what was corrected without the number or address, "
                                  "e.g. --reason \"客户更换了联系电话\""),
                           code="reason_holds_contact", record=cid)
        if "contact" in changes:
            if _erased(cur, cid):
                out.warnings.append(_("the contact of {id} was erased on the person's "
                                      "request before: keep it only if they agreed").format(
                                          id=cid))
            # a new key for the new contact: the old one's hash stays in the history under
            # the old key, which goes with it (kept beside the new contact, it let the
            # replaced number be found again from the hash by trying numbers)
            salt = lg.salt_source()
            changes["contact_salt"] = salt
            data["contact"] = contact_ref(salt, changes["contact"])
            if c["contact"]:
                old["contact"] = contact_ref(c["contact_salt"] or "", c["contact"])
        lg.rows.update(cur, "complaints", cid, {**changes, **dict.fromkeys(cleared), **moved})
        if "received_at" in changes:  # a deadline kept is a promise made: said, not moved
            # (from the received time its deadline was set from: a second correction
            # said nothing, the stage no longer starting at the one it corrected)
            found = cur.execute(
                "SELECT stage, started_at FROM stages WHERE complaint_id = ? AND return_id IS "
                "NULL AND stage IN ('assign', 'resolve') AND round = 1 AND started_at != ? "
                "AND done_at IS NOT NULL ORDER BY id", (cid, changes["received_at"])
            ).fetchall()
            for started in dict.fromkeys(started for _stage, started in found):
                done = [stage for stage, at in found if at == started]
                out.warnings.append(ngettext(
                    "{id}: its {stages} stage, done already, keeps the deadline set from the "
                    "received time before ({time}): whether it was on time is still judged "
                    "by it",
                    "{id}: its {stages} stages, done already, keep the deadlines set from the "
                    "received time before ({time}): whether they were on time is still "
                    "judged by them", len(done)).format(
                    stages=listing([term("stage", s) for s in done]), id=cid,
                    time=lg.local(from_iso(started))))
        if changes.get("severity") == "critical" and c["status"] == "closed" and \
                not cur.execute("SELECT 1 FROM stages WHERE complaint_id = ? AND stage = "
                                "'second-revisit' LIMIT 1", (cid,)).fetchone():
            # (an amendment adds no stage it never had: said, not found out at the revisit)
            out.warnings.append(_("{id} closed before it was critical: no second revisit "
                                  "is asked of it; a later call goes in its communication "
                                  "log").format(id=cid))
        if "severity" in changes or "received_at" in changes:
            dues, ended, before = _recompute_open_stages(lg, cur, cid, iso(now))
            if before:  # the deadlines it moves, as they were (an auditor's old → new)
                old["deadlines"] = before
            out.notes.extend(_("{stage} now due {time}").format(
                stage=term("stage", stage), time=lg.local(due)) for stage, due in dues.items())
            out.notes.extend(_("{stage} no longer applies ({severity}): ended").format(
                stage=term("stage", stage), severity=term("severity", changes.get(
                    "severity", c["severity"]))) for stage in ended)
            data["deadlines"] = recorded(**dues)
            if ended:
                data["stages_ended"] = ended
        lg.event(cur, cid, "amend", now, now, actor, data, old)
        if {"customer", "product", "received_at"} & set(changes):
            out.warnings.extend(relink_notes(relink(lg, cur, [
                (key, received) for key, received in (
                    (c["repeat_key"], c["received_at"]),
                    (moved.get("repeat_key", c["repeat_key"]),
                     changes.get("received_at", c["received_at"])))
                if key], cid, now=now, actor=actor, of=[cid])))
    out.warnings += calendar_warnings(lg)
    if changes.get("contact"):  # (log's warning sends the clerk here; a second slip here
        # went unsaid)
        out.warnings += _contact_said(changes["contact"], cid)
    return out


def _recompute_open_stages(lg: Ledger, cur: sqlite3.Cursor, cid: str, now: str
                           ) -> tuple[dict[str, datetime], list[str], dict[str, str]]:
    """The open stages' deadlines again, from their (corrected) start, with the policy
    that was in force when each was first set: an amendment corrects the intake, it
    does not apply a later policy to a deadline already promised. A stage that policy
    has none of for the corrected severity (the second revisit of a complaint that is
    not critical after all) ends now, void: it no longer applies (it stayed open and
    escalated to the general manager); one an earlier amendment ended so opens again
    when the severity it is corrected to has it and the complaint still waits for it
    (critical, low, critical again kept no second revisit). Returns the deadlines that
    changed (or came back), the stages ended, and the deadlines those that changed had
    (as stored; none for one that came back)."""
    severity, received, status, assigned, concluded, reopens = cur.execute(
        "SELECT severity, received_at, status, assigned_at, concluded_at, reopen_count FROM "
        "complaints WHERE id = ?", (cid,)).fetchone()
    cfg = lg.config
    dues: dict[str, datetime] = {}
    ended: list[str] = []
    before: dict[str, str] = {}
    # (an amendment is refused for a void complaint: a void stage of one that is not was
    # ended by an amendment)
    rows = cur.execute("SELECT id, stage, round, started_at, done_at, due_at FROM stages "
                       "WHERE complaint_id = ? AND (done_at IS NULL OR outcome = 'void') "
                       "AND return_id IS NULL", (cid,)).fetchall()
    waits = {"assign": assigned is None,
             "investigate": concluded is None and status in ("assigned", "investigating"),
             "resolve": status in ("logged", "assigned", "investigating"),
             "revisit": status == "resolved", "second-revisit": status == "closed"}
    for sid, stage, round_, started, done, was_due in rows:
        if done is not None and not (
                waits.get(stage) and (stage not in ("resolve", "revisit")
                                      or round_ == reopens + 1)
                and (stage != "second-revisit" or not cur.execute(
                    "SELECT EXISTS (SELECT 1 FROM revisits WHERE complaint_id = ? AND "
                    "at > ?)", (cid, started)).fetchone()[0])):
            continue  # ended by an amendment, and the complaint has gone past it since
        start = from_iso(started)
        if stage in ("assign", "resolve") and round_ == 1:
            start = from_iso(received)
        key = "reopen" if stage == "resolve" and round_ > 1 else stage
        # the policy, the calendar and the time zone of the step that set the deadline
        since = _opening_event(cur, cid, stage, round_)
        duration = _duration_then(cur, since, key, severity, cfg.policy())
        due = deadlines.stage_due({key: {severity: duration}}, key, severity, start,
                                  cfg.calendar_then(since), _zone_then(cur, since, cfg.tz))
        if due is None:
            if done is None:
                cur.execute("UPDATE stages SET done_at = ?, outcome = 'void' WHERE id = ?",
                            (now, sid))
                ended.append(stage)
            continue
        cur.execute("UPDATE stages SET started_at = ?, due_at = ?, done_at = NULL, "
                    "outcome = NULL WHERE id = ?", (iso(start), iso(due), sid))
        if done is not None or iso(due) != was_due:  # (the same deadline from a start a
            dues[stage] = due  # little earlier, or an investigation's, which runs from
            # its assignment, is not said to move: its start is put right all the same)
            if done is None and was_due:
                before[stage] = was_due
    return dues, ended, before


def _opening_event(cur: sqlite3.Cursor, cid: str, stage: str, round_: int) -> int | None:
    """The event of the step that opened a stage: the round's step whose event recorded
    the stage's deadline (an amendment's does not count); None in an older ledger."""
    opened = [i for (i,) in cur.execute(
        "SELECT id FROM events WHERE complaint_id = ? AND kind != 'amend' AND "
        "json_extract(data, ?) IS NOT NULL ORDER BY id", (cid, f'$.deadlines."{stage}"'))]
    if not opened:
        return None
    return int(opened[-1] if stage == "second-revisit" else
               opened[min(round_, len(opened)) - 1])


def _zone_then(cur: sqlite3.Cursor, since: int | None, tz: ZoneInfo) -> ZoneInfo:
    """The ledger's time zone when event `since` was recorded: the one the first
    `policy timezone` after it replaced; today's when none did (or `since` is None)."""
    import json

    row = None if since is None else cur.execute(
        "SELECT old FROM events WHERE kind = 'timezone' AND id > ? ORDER BY id LIMIT 1",
        (since,)).fetchone()
    return ZoneInfo(json.loads(row[0])["timezone"]) if row else tz


def _duration_then(cur: sqlite3.Cursor, since: int | None, key: str, severity: str,
                   policy: dict[str, dict[str, str | None]]) -> str | None:
    """The policy's duration of (`key`, `severity`) when event `since` (the step that
    opened the stage) was recorded: today's, with every `policy-set` since then undone,
    newest first; None (an older ledger): today's."""
    import json

    value = policy.get(key, {}).get(severity)
    if since is None:
        return value
    for data, old in cur.execute("SELECT data, old FROM events WHERE kind = 'policy-set' "
                                 "AND id > ? ORDER BY id DESC", (since,)).fetchall():
        then, before = json.loads(data), json.loads(old or "{}")
        if then.get("stage") == key and severity in then.get("severities", ()):
            value = before.get("durations", {}).get(severity)
    return value


def _erased(cur: sqlite3.Cursor, cid: str) -> bool:
    """Whether the complaint's contact was erased on request (a forget-contact event)."""
    return bool(cur.execute("SELECT EXISTS (SELECT 1 FROM events WHERE complaint_id = ? AND "
                            "kind = 'forget-contact')", (cid,)).fetchone()[0])


# What may stand between the digits of a phone number in a text: parse's, and brackets
# around a country or area code ((+86)138…, (0755)1234…).
_BETWEEN_DIGITS = r"[\s\-\u2010-\u2015\u2212~./()（）·_]{0,3}"
# A digit joined to what comes next by a dash, a point or a slash: part of one longer
# number (400-2345-6789 does not hold 2345-6789; a date before a number, 2026/01/05 138…,
# is apart from it by a space).
_JOINED = r"[\-\u2010-\u2015\u2212~./·_]"


_norm_contact = parse.norm_contact


class _Number(NamedTuple):
    """A phone number as a contact holds it: its digits as written (its country code's
    with them, 00 left off), whether a country code was written, and its national forms
    (without the code, 1 to 3 digits; without a trunk 0: 0755-1234 5678 is 755…); and a
    landline's own number without its area code, when the contact writes the code apart
    (021-6234 5678: 62345678), as a note or a reason may write it."""
    digits: str
    coded: bool
    national: tuple[str, ...]
    local: str | None = None


# China's code written without its + or 00, as business cards and forms write it
# (86-138-0013-8000, 8613800138000): 86 before a number of 10 or 11 digits that is not a
# trunk 0 (no number written so in China is 12 or 13 digits long otherwise); and Hong
# Kong's and Macau's, 852 and 853 before a number of 8 digits ((852) 9123 4567, as
# Hong Kong's cards print it, was not found by 91234567), Taiwan's 886 before one of 8
# or 9 (886-2-2345-6789).
_BARE_CN = re.compile(r"86(?=[1-9]\d{9,10}$)|85[23](?=[2-9]\d{7}$)|886(?=[2-9]\d{7,8}$)")
_BARE_CODES = ("86", "852", "853", "886")
# A landline's area code written apart: a trunk 0, 1 to 3 digits (Taipei's 02, China's
# 021, 0755), then a separator or a bracket ((021) 6234-5678, 0755-1234 5678, 02-2345-6789),
# and its own number of 7 or 8 digits.
_AREA_APART = re.compile(r"[(（]?0\d{1,3}[)）]?(?=[\s\-\u2010-\u2015\u2212~./·_)）])")
# China's code before a number (+86, 0086, 86, (+86)), or Taiwan's, Hong Kong's, Macau's,
# and the trunk 0 some write after it in brackets (+86 (0)21 …); then the area code
# without its 0, written apart (one digit: Taipei's 2).
_CN_CODE = re.compile(r"[(（]?(?:\+|00)?(?:886|85[23]|86)[)）]?[\s\-\u2010-\u2015\u2212~./·_]*"
                      r"(?:[(（]0[)）][\s\-\u2010-\u2015\u2212~./·_]*)?")
_AREA_AFTER_CODE = re.compile(r"[(（]?0?[2-9]\d{0,2}[)）]?"
                              r"(?=[\s\-\u2010-\u2015\u2212~./·_)）])|[(（]?10[)）]?"
                              r"(?=[\s\-\u2010-\u2015\u2212~./·_)）])")


def _number(contact: str) -> _Number | None:
    """The phone number in a contact (电话 +86 138-1234-5678: parse.contact_parts's), or
    None for an address or a contact without seven digits."""
    text = _norm_contact(contact)
    address, span = parse.contact_parts(text)
    if address is not None or span is None:
        return None
    run = text[span[0]:span[1]]
    digits = "".join(ch for ch in run if ch.isdigit())
    coded = run.startswith(("+", "00")) or run.lstrip("(（").startswith("+")
    if run.startswith("00"):
        digits = digits[2:]
    bare = not coded and _BARE_CN.match(digits)
    if bare:
        national: tuple[str, ...] = (digits[bare.end():],)
    elif coded:
        national = tuple(digits[n:] for n in (1, 2, 3) if len(digits) - n >= 7)
    else:
        national = (digits[1:],) if digits.startswith("0") and len(digits) >= 8 else (digits,)
    # the landline's own number, its area code written apart: 021-6234 5678, and under
    # China's code +86 21 6234 5678, 86-21-6234-5678, +86 (0)21 6234 5678
    after = run
    if coded or bare:
        code = _CN_CODE.match(run) if digits.startswith(_BARE_CODES) else None
        after = run[code.end():] if code else ""
    area = (_AREA_APART if after is run else _AREA_AFTER_CODE).match(after)
    local = None
    if area is not None:
        rest = "".join(ch for ch in after[area.end():] if ch.isdigit())
        local = rest if 7 <= len(rest) <= 8 else None
    return _Number(digits, coded or bool(bare), national, local)


def _parts(contact: str) -> list[str]:
    """Each address and each phone number of seven digits or more in a contact (李四
    a@b.cn, c@d.cn; 138 1234 5678（张） / 139 8765 4321（李）)."""
    text = _norm_contact(contact)
    found = [m[0] for m in parse.ADDRESS.finditer(text)]
    rest = parse.ADDRESS.sub(" ", text)
    return found + [number for m in parse.PHONE.finditer(rest)
                    if sum(ch.isdigit() for ch in m[0]) >= 7 for number in _numbers(m[0])]


def _numbers(run: str) -> list[str]:
    """A run of digits read as one phone number, or as two when it is too long for one
    (more than 15 digits) and a slash or a space parts it into runs of seven or more:
    13912345678 / 13812345678 was one number of 22 digits, neither of them found."""
    if sum(ch.isdigit() for ch in run) <= 15:
        return [run]
    pieces = [p for p in re.split(r"\s*/\s*|\s+", run) if sum(ch.isdigit() for ch in p) >= 7]
    return pieces or [run]


# An account's id in a contact (read case-folded), looked for alone as a number is: after
# WeChat's name, with or without a colon (微信 wang_xiao88, WeChat ID: lily_2026), an id as
# WeChat makes them (a letter, then 5 to 19 letters, digits, _ or -); after another label
# and a colon, one such id holding a digit, _ or - (a word, "name: Smith", is not one).
# Not an address's name (邮箱：zhangwei88@163.com held the id zhangwei88, and every
# zhangwei88@… was taken for the same person): no @ or .domain after it.
_ID_END = r"(?![a-z0-9_-]|[@.][a-z0-9])"
_WECHAT_ID = rf"([a-z][a-z0-9_-]{{5,19}}){_ID_END}"
_ACCOUNT_IDS = (rf"(?:微信号?\s*[:：]?\s*|(?<![a-z0-9_-])(?:wechat(?:\s*id)?|weixin|wx)"
                rf"(?:\s*[:：]\s*|\s+)){_WECHAT_ID}",
                r"(?<![a-z0-9_-])[^\W\d_][^\W\d]{0,15}?\s*[:：]\s*"
                rf"([a-z](?=[a-z0-9_-]*[0-9_-])[a-z0-9_-]{{4,19}}){_ID_END}")
# An id as WeChat makes one, typed alone (list --contact wang_xiao88).
BARE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")


def _ids(contact: str) -> list[str]:
    """The account ids a contact holds (_ACCOUNT_IDS: wechat:lily_2026 holds lily_2026),
    each once."""
    import re

    typed = _norm_contact(contact)
    return list(dict.fromkeys(m[1] for pattern in _ACCOUNT_IDS
                              for m in re.finditer(pattern, typed)))


def _address(contact: str) -> str | None:
    found = parse.ADDRESS.search(_norm_contact(contact))
    return found[0] if found else None


def contact_finder(contact: str) -> Callable[[str], bool]:
    """Whether a text holds `contact`'s number or address (the one in it, 电话 +86
    138-1234-5678 or 张三 <a@b.cn>): an address in any case or width, not inside a
    longer one (a@b.cn is not in ba@b.cn); a phone number of seven digits or more by its
    digits however spaced, dashed or slashed, with its own country code or none, the
    trunk 0 or none (+8613812345678, +86 755 1234 5678 for 0755-12345678), not inside a
    longer number (2345678 is not 13812345678, nor is 400-2345-6789 +852 2345 6789)."""
    import re

    parts = _parts(contact)
    ids = [i for i in _ids(contact) if i not in parts]
    if len(parts) > 1 or parts and ids:  # two numbers, addresses or ids: each of them
        finders = [contact_finder(part) for part in (*parts, *ids)]
        return lambda text: any(found(text) for found in finders)
    number, address = _number(contact), _address(contact)
    if number is None:
        # (a contact neither, a WeChat id: whole, and the id it holds alone)
        typed = [address] if address else [_norm_contact(contact).strip(), *ids]
        # (Chinese written right against it is no part of it: 客户邮件a@b.cn。要求)
        found = re.compile(rf"(?<![a-z0-9_.+\-])(?:{'|'.join(map(re.escape, typed))})"
                           rf"(?![a-z0-9_]|-[a-z0-9]|\.[a-z0-9])")

        def has_address(text: str) -> bool:
            return found.search(_norm_contact(text)) is not None
        return has_address

    def spaced(form: str) -> str:
        return _BETWEEN_DIGITS.join(form)
    # as written (its own code with it, + or 00 before it or not); or a national form,
    # after a code (its own, when it has one: checked below) or none, a trunk 0 or none
    code = rf"(?:[(（]?(?:\+|00)(\d{{1,3}})[)）]?{_BETWEEN_DIGITS})?"
    # (China's 86 without its + or 00 before a national number of 10 or 11 digits:
    # 86-138-0013-8000; captured, so that a number under another code is not it)
    bare = rf"(?:(86){_BETWEEN_DIGITS})?"
    forms = [rf"(?:\+|00)?{spaced(number.digits)}",
             *(rf"{code if not 10 <= len(n) <= 11 else f'(?:{code}|{bare})'}0?"
               rf"{_BETWEEN_DIGITS}{spaced(n)}" for n in number.national),
             # (not after an area code written apart: 0755 6234 5678 is not it)
             *([rf"(?<![0-9)）][ \u3000])(?<![0-9)）][ \u3000]{{2}})(?<![)）])"
                rf"{spaced(number.local)}"] if number.local else [])]
    found = re.compile(rf"(?<!\d)(?<!\d{_JOINED})(?:{'|'.join(forms)})(?!{_JOINED}?\d)")
    own = {number.digits[:len(number.digits) - len(n)] for n in number.national} \
        if number.coded else None

    def holds(text: str) -> bool:
        for m in found.finditer(_norm_contact(text)):
            codes = [c for c in m.groups() if c]
            if own is None or not codes or codes[0] in own:  # (+1 … is not +86 …)
                return True
        return False
    return holds


def same_contact_as(one: str) -> Callable[[str], bool]:
    """Whether a contact is the same person's as `one` (read once: compared with every
    contact of a ledger): the same address in any case or width (张三 <a@b.cn> and
    A@B.cn); the same phone number however written, with or without the country code one
    of them is written with and the trunk 0 (+86 139 1111 2222 and 139-1111-2222;
    0755-12345678 and +86 755 1234 5678), but not under two codes (+1 … is not +86 …),
    and never a number that merely ends like the other (2345678 is not 13812345678). A
    contact of several (138…（张） / 139…（李）; a@b.cn, c@d.cn; a WeChat id beside a
    number) is each of them: the second was never compared, and `list --contact` missed
    the complaint."""
    mine = [_same_one(part) for part in contact_pieces(one)]
    if len(mine) == 1:
        first = mine[0]
        return lambda other: any(first(piece) for piece in contact_pieces(other))
    return lambda other: any(same(piece) for piece in contact_pieces(other) for same in mine)


def contact_pieces(contact: str) -> list[str]:
    """Each number, address and account id a contact holds (_parts, _ids), or the
    contact whole when it holds none."""
    parts = _parts(contact)
    return [*parts, *(i for i in _ids(contact) if i not in parts)] or [contact]


def _same_one(one: str) -> Callable[[str], bool]:
    """same_contact_as for one number, address or id."""
    a, mine, typed = _number(one), _address(one), _norm_contact(one).strip()

    def same(other: str) -> bool:
        b = _number(other)
        if a is None or b is None:
            if a is None and b is None and mine is not None:
                return mine == _address(other)
            return typed == _norm_contact(other).strip()
        if a.coded and b.coded:
            return a.digits == b.digits
        if a.local and a.local == b.digits or b.local and b.local == a.digits:
            return True  # a landline's own number without its area code (62345678)
        return a.digits == b.digits or bool({a.digits, *a.national} & {b.digits, *b.national}
                                            & {*a.national, *b.national})
    return same


def _mentions(cur: sqlite3.Cursor, cid: str, contact: str) -> list[tuple[str, str]]:
    """The steps of a complaint whose text holds its contact (a note "客户电话
    138-1234-5678", an attachment's name, a description): contact_finder's: (kind, at)
    of each. Those texts are the history and stay; forget-contact said "erased"
    without a word."""
    holds = contact_finder(contact)
    rows = cur.execute("SELECT kind, at, data, old FROM events WHERE complaint_id = ? AND "
                       "kind != 'forget-contact' ORDER BY id", (cid,)).fetchall()
    return [(kind, at) for kind, at, data, old in rows
            if holds(data) or old and holds(old)]


# ASCII as its full-width forms (a Chinese input method's ａ…ｚ, ０…９).
_FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def _written_elsewhere(cur: sqlite3.Cursor, cid: str, contact: str) -> list[str]:
    """The other complaints whose texts (a description, a note, a summary, an attachment's
    name: their events') hold `contact` (contact_finder's); the events first narrowed in
    SQL to those holding a number's last three digits written together (in ASCII or full
    width) or an address's name before its @."""
    holds = contact_finder(contact)
    near: list[str] = []
    args: list[str] = []
    # (and the account ids it holds, a WeChat id: a contact of none of those, whole; such
    # a contact was looked for in none of the other complaints' texts)
    for part in [*_parts(contact), *_ids(contact)] or [contact]:
        number = _number(part)
        if number is not None:
            tail = number.digits[-3:]
            for form in (tail, tail.translate(_FULL_WIDTH)):
                near.append("instr(data, ?) OR instr(old, ?)")
                args += [form, form]
        elif name := (_address(part) or _norm_contact(part).strip()).partition("@")[0]:
            # any case (LIKE's, in ASCII), and in full width (ｗａｎｇ＠…) in either case
            for form in {name, *(n.translate(_FULL_WIDTH) for n in (name.lower(),
                                                                     name.upper()))}:
                near.append("data LIKE ? OR old LIKE ?")
                args += [f"%{form}%"] * 2
    if not near:
        return []
    found: list[str] = []
    for other, data, old in cur.execute(
            "SELECT complaint_id, data, old FROM events WHERE complaint_id IS NOT NULL AND "
            f"complaint_id != ? AND ({' OR '.join(near)}) ORDER BY complaint_id, id",
            (cid, *args)):
        if (not found or found[-1] != other) and (holds(data) or old and holds(old)):
            found.append(other)
    return found


def _others_with(cur: sqlite3.Cursor, cid: str | None, contact: str) -> list[str]:
    """The other complaints (than `cid`) whose contact is the same person's
    (same_contact_as): an erasure is asked for by a person, not for a complaint. One pass
    over the complaints with a contact, every one compared (narrowed in SQL by the
    number's last digits, +33 6 12 34 56 78 was not found as itself: 0.44 s of Python
    for 20,000 contacts)."""
    same = same_contact_as(contact)
    return [other for other, value in cur.execute(
        "SELECT id, contact FROM complaints WHERE contact IS NOT NULL AND id IS NOT ? "
        "ORDER BY id", (cid,)) if same(value)]


def with_contact(lg: Ledger, contact: str) -> list[str]:
    """The complaints whose contact is the same person's as `contact` (same_contact_as:
    the number however written, the address in any case, a contact that is neither
    whole): `list --contact`, so that a person's complaints are found by their number
    without an export of every contact in clear."""
    with lg.read() as cur:
        return _others_with(cur, None, contact)


# A QQ number, 5 to 11 digits after its name (QQ 123456, QQ号：10001): an account, though
# shorter than a phone number (log warned of it as holding none).
_QQ = re.compile(r"qq\s*号?\s*[:：]?\s*[1-9][0-9]{4,10}(?![0-9])", re.IGNORECASE)


def _contact_said(contact: str, cid: str) -> list[str]:
    """The warning of a contact recorded that holds no number, address or account id."""
    if reachable(contact):
        return []
    return [_("the contact ({masked}) holds no phone number (seven digits or more), e-mail "
              "address or account id: it was recorded as typed; correct it with complaintctl "
              "amend {id} --contact VALUE --reason TEXT").format(
                  masked=parse.mask(contact), id=cid)]


def reachable(contact: str) -> bool:
    """Whether a contact holds a way to reach someone: a whole number, address or
    account id (whole_contact), or a QQ number (QQ 12345678)."""
    return whole_contact(contact) or _QQ.search(contact) is not None


def whole_contact(contact: str) -> bool:
    """Whether a contact looked for is a whole number, address or account id (a part
    of one, 2222, finds nobody: `list --contact` says so rather than only "No complaints
    match.", read as the person having none)."""
    return bool(_parts(contact) or _ids(contact) or BARE_ID.fullmatch(contact.strip()))


def forget_contact(lg: Ledger, complaint_id: str, reason: str, *, now: datetime,
                   actor: str) -> Outcome:
    """`forget-contact`: erase a complaint's contact on the person's request. The value
    and its salt go; the events kept only a keyed hash of it, so the history and
    its hash chain stay whole. The ledger overwrites freed bytes (secure_delete)
    and the WAL is emptied into the file afterwards, so the bytes are gone."""
    workflow.check_reason("forget-contact", reason)
    with lg.write() as cur:
        lg.rows.flush(cur)
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        _refuse_not_made(cur, cid)
        again = not c["contact"] and _erased(cur, cid)
        if not c["contact"] and not again:
            raise Refused(_("{id} has no contact to forget").format(id=cid),
                          code="no_contact", record=cid)
        if not again:
            if contact_finder(c["contact"])(reason):  # the event would keep it for good
                raise BadInput(_("--reason holds the contact being erased: the history "
                                 "would keep it for good"),
                               hint=_("say who asked and how without the number or "
                                      "address, e.g. --reason \"客户来电要求删除\""),
                               code="reason_holds_contact", record=cid)
            written = _mentions(cur, cid, c["contact"])
            others = _others_with(cur, cid, c["contact"])
            lg.rows.update(cur, "complaints", cid, {"contact": None, "contact_salt": None})
            lg.event(cur, cid, "forget-contact", now, now, actor, {"reason": reason},
                     {"contact": contact_ref(c["contact_salt"] or "", c["contact"])})
    # the other complaints whose texts hold it: read after, not holding the other
    # writers up (a scan of every event)
    elsewhere: list[str] = []
    attached: list[tuple[int, str]] = []
    unsearched: list[tuple[int, str]] = []
    if not again:
        from complaintctl import evidence

        with lg.read() as cur:
            elsewhere = _written_elsewhere(cur, cid, c["contact"])
            # (and the files attached to it: an e-mail saved whole keeps it, unchanged)
            attached, unsearched = evidence.searched_for(cur, cid,
                                                         contact_finder(c["contact"]))
    # the steps whose text still holds it, (kind, at) each: the command names them
    out = Outcome(cid, c["status"], data={"again": bool(again),
                                         "written": [] if again else written,
                                         "others": [] if again else others,
                                         "elsewhere": elsewhere, "attached": attached,
                                         "unsearched": unsearched})
    # Run again after an erasure a reader held up: nothing more is recorded; the old
    # copy of the page is written over now, if the readers are done.
    # (said as one sentence: two lines, "the contact of … was erased already" / "its old
    # bytes are gone …", read as leftovers)
    written_over = lg.checkpoint()
    if again:
        out.notes.append((_("{id}: its contact was erased already; its old bytes are gone "
                            "from the ledger file now") if written_over else
                          _("{id}: its contact was erased already")).format(id=cid))
    if not written_over:
        out.warnings.append(_(
            "another program is reading the ledger: until it is done, the ledger file "
            "still holds the old copy of what was erased. Run this command again then, to "
            "write over it"))
    return out


def check_allowed(lg: Ledger, complaint_id: str, command: str) -> None:
    """IllegalTransition (naming the state and what may follow it) when `command` cannot
    be taken from the complaint's state; NotFound for no such complaint. A read, for
    choosing which refusal to say first (close without --no-revisit on a logged
    complaint was told to add --no-revisit, then refused for its state)."""
    with lg.read() as cur:  # (its CAPA items read only for a refusal, as the steps do)
        c = lg.rows.complaint(cur, complaint_id)
        workflow.next_state(command, c["status"], c["id"], severity=c["severity"],
                            second_due=second_due(cur, c), capa=lambda: capa_open(cur, c["id"]))


def _refuse_not_made(cur: sqlite3.Cursor, cid: str) -> None:
    """Refused, before anything is written, while the ledger holds a table, trigger or
    view complaintctl does not make (or a trigger of its own with another body): one
    could copy the contact elsewhere as it is erased (a trigger that kept each old
    contact in a table of its own), and the command said it was erased. What verify
    names (audit.not_made: its knowledge of the schema)."""
    from complaintctl import audit

    found = audit.not_made(cur)
    if found:
        raise Refused(_("the ledger holds what complaintctl does not make ({objects}): it "
                        "could keep the contact of {id} past its erasure; nothing was "
                        "erased").format(objects=listing([f"{kind} {shown(name)}"
                                                          for kind, name in found]), id=cid),
                      hint=_("see what they are and what else differs from the schema: "
                             "complaintctl verify"),
                      code="schema_not_made", record=cid)


# --- CAPA actions --------------------------------------------------------------------

def _action(lg: Ledger, cur: sqlite3.Cursor, action_id: str) -> dict[str, Any]:
    """An action with its complaint's status, read inside the step's transaction."""
    number = record_number(action_id, "A")
    if number is None:
        raise BadInput(_("{value} is not an action number").format(value=shown(action_id)),
                       hint=_("action numbers are shown by: complaintctl show COMPLAINT"),
                       code="bad_action_id", value=action_id)
    action = fetch_record(cur, "actions", number)
    if action is None:
        raise NotFound(_("no action {value}").format(value=shown(action_id)),
                       hint=_("action numbers are shown by: complaintctl show COMPLAINT"),
                       code="no_action", record=action_id)
    action["complaint_status"] = lg.rows.complaint(cur, action["complaint_id"])["status"]
    return action


def action_add(lg: Ledger, complaint_id: str, text: str, owner: str, due: datetime, *,
               at: datetime, now: datetime, actor: str) -> Outcome:
    with lg.write() as cur:
        c = lg.rows.complaint(cur, complaint_id)
        cid = c["id"]
        workflow.next_state("action add", c["status"], cid, severity=c["severity"],
                            second_due=second_due(cur, c),
                                  capa=lambda: capa_open(cur, c["id"]))
        # after the complaint's last step: the state it allows this in is the state then
        at = check_at(lg, at, now, c["last_step_at"], actor=actor)
        workflow.check_due(due, at, lg.local)
        cur.execute("INSERT INTO actions (complaint_id, text, owner, due_at, created_at, "
                    "created_by) VALUES (?, ?, ?, ?, ?, ?)",
                    (cid, text, owner, iso(due), iso(at), actor))
        aid = cur.lastrowid
        lg.event(cur, cid, "action-add", at, now, actor,
                 {"action": aid, "text": text, "owner": owner, "due_at": iso(due)})
        warnings = calendar_warnings(lg)
        day = due.astimezone(lg.tz).date()
        if not lg.config.calendar().is_working_day(day):  # (National Day's 10-05: late
            # at 10-06 09:00, while nobody worked; the deadlines the policy sets skip such
            # days, a date typed is kept as typed)
            warnings.append(_("CAPA item {n} is due on {day}, not a working day (a "
                              "weekend, a holiday or a closure)").format(
                n=aid, day=day.isoformat()))
    return Outcome(cid, c["status"], data={"action": aid}, warnings=warnings)


def action_done(lg: Ledger, action_id: str, *, at: datetime, now: datetime,
                actor: str) -> Outcome:
    with lg.write() as cur:
        a = _action(lg, cur, action_id)
        workflow.next_state("action done", a["complaint_status"], a["complaint_id"])
        workflow.check_action_done(a, lambda s: lg.local(from_iso(s)))
        at = check_at(lg, at, now, a["created_at"], _("the action was added"), actor=actor)
        cur.execute("UPDATE actions SET done_at = ?, done_by = ? WHERE id = ?",
                    (iso(at), actor, a["id"]))
        lg.event(cur, a["complaint_id"], "action-done", at, now, actor, {"action": a["id"]})
    return Outcome(a["complaint_id"], a["complaint_status"], data={"action": a["id"]},
                   warnings=calendar_warnings(lg))


def action_verify(lg: Ledger, action_id: str, note: str | None, *, at: datetime,
                  now: datetime, actor: str) -> Outcome:
    with lg.write() as cur:
        a = _action(lg, cur, action_id)
        workflow.next_state("action verify", a["complaint_status"], a["complaint_id"])
        workflow.check_action_verify(a, lambda s: lg.local(from_iso(s)))
        at = check_at(lg, at, now, a["done_at"], _("the action was done"), actor=actor)
        cur.execute("UPDATE actions SET verified_at = ?, verified_by = ?, verify_note = ? "
                    "WHERE id = ?", (iso(at), actor, note, a["id"]))
        lg.event(cur, a["complaint_id"], "action-verify", at, now, actor,
                 {"action": a["id"], "note": note})
    return Outcome(a["complaint_id"], a["complaint_status"], data={"action": a["id"]},
                   warnings=calendar_warnings(lg))
