"""What `show` prints: a complaint as the handling form a quality engineer knows (客户投诉
处理单 / 8D report) and a return as its RMA sheet, in sections, from the plain data that
views.show and views.return_show read. Pure: no database, no clock (the instant to judge
open deadlines against is passed in), no terminal; render.py draws the sections.

Every value a step stores appears in some section: intake (with the assignment),
validity, investigation (D3 containment, D4 cause, D5/D7 actions), CAPA items (D6),
resolution and approval, returns, revisits, deadlines, notes, attachments, and the
history, whose values are the same words and local times as the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta, tzinfo
from decimal import Decimal
from typing import Any

from complaintctl import i18n, words, workflow
from complaintctl.i18n import C_, NC_, _, listing
from complaintctl.parse import from_iso, wall
from complaintctl.render import (
    ATTACHMENT_COLS,
    N_,
    NOT_TEXT,
    NOTE_COLS,
    Col,
    Section,
    attachment_rows,
    cell_text,
    label,
    return_table_row,
    size_text,
    stage_label,
    without_empty_return,
)


def _returns_footer(ids: list[str]) -> str:
    """Where a return's own record is: a command to paste (the first return's), and the
    others named ("RMA-1 | RMA-2" pasted was a shell pipe)."""
    text = _("Receipts, inspection notes and each disposition: complaintctl show {id}"
             ).format(id=ids[0])
    if len(ids) > 1:
        text += _(" (the same for {ids})").format(ids=listing(ids[1:]))
    return text


def _t(value: str | None, tz: tzinfo) -> str:
    """A stored UTC time in the ledger's zone, as every other time on the screen."""
    return cell_text(value, "time", tz)


def _by(at: str | None, actor: str | None, tz: tzinfo) -> str:
    if not at:
        return ""
    if not actor:
        return _t(at, tz)
    return _("{time} by {actor}").format(time=_t(at, tz), actor=actor)


def _pairs(items: Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Field/value pairs, less those with nothing to say (bytes, a BLOB put by hand, are
    the ledger's fault, not a customer's name b'x': render.cell_text)."""
    if any(isinstance(v, (bytes, bytearray)) for _k, v in items):
        raise TypeError(NOT_TEXT)
    return [(k, str(v)) for k, v in items if v not in (None, "")]


def _dated(entries: Sequence[dict[str, Any]], key: str, tz: tzinfo) -> str:
    """One field of several investigation entries: the text alone when one entry has
    it, else each on its own line after its date."""
    have = [e for e in entries if e.get(key)]
    if len(have) == 1:
        return str(have[0][key])
    return "\n".join(f"{_t(e['at'], tz)}: {e[key]}" for e in have)


# --- the complaint -------------------------------------------------------------------

def _last_event(rec: dict[str, Any], kind: str) -> dict[str, Any] | None:
    found = [e for e in rec["events"] if e["kind"] == kind]
    return found[-1] if found else None


def intake_pairs(rec: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    """The registration (客户投诉登记表): who complained, when, how, about what, asking
    what; then whom it went to."""
    assigned = _last_event(rec, "assign")
    voided = _last_event(rec, "void")
    return _pairs([
        (_("id"), rec["id"]),
        (_("register id"), rec.get("source_key")),
        (_("status"), label("status", rec["status"])),
        (_("severity"), label("severity", rec["severity"])),
        (_("received"), _t(rec["received_at"], tz)),
        (_("channel"), label("channel", rec["channel"])),
        (_("customer"), rec["customer"]),
        (_("contact"), rec["contact"] if not rec.get("contact_erased_at") else _(
            "erased on request {time}").format(time=_t(rec["contact_erased_at"], tz))),
        (_("region"), rec["region"]),
        (_("order"), rec["order_no"]),
        (_("product"), rec["product"]),
        (_("lot"), rec["lot"]),
        (_("quantity"), rec["quantity"]),
        (_("shipped"), rec["shipped_on"]),
        (_("category"), label("category", rec["category"])),
        (_("description"), rec["description"]),
        (_("demand"), label("demand", rec["demand"])),
        (_("logged"), _by(rec["logged_at"], rec["logged_by"], tz)),
        (_("last contact"), _t(rec.get("last_contact_at"), tz)),
        (_("repeat of"), rec["repeat_of"]),
        (_("repeated by"), i18n.listing(rec.get("repeated_by") or [])),
        (_("reopened"), rec["reopen_count"] or None),
        (_("department"), rec["department"]),
        (_("owner"), rec["owner"]),
        (_("assigned"), _by(assigned["at"], assigned["actor"], tz) if assigned else None),
        (_("assignment note"), assigned["data"].get("note") if assigned else None),
        (_("voided"), _voided(rec, voided, tz) if rec["voided_at"] else None),
    ])


def _voided(rec: dict[str, Any], voided: dict[str, Any] | None, tz: tzinfo) -> str:
    """When and by whom a complaint was voided, and why: 2026-12-06 08:34（wang）：重复登记."""
    by = _by(rec["voided_at"], voided["actor"] if voided else None, tz)
    if not rec["void_reason"]:
        return by
    return _("{field}: {value}").format(field=by, value=rec["void_reason"])


def validity_pairs(rec: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    """Whether the complaint stands (投诉是否成立) and why not."""
    inv = rec["investigation"]
    return _pairs([
        (_("validity"), label("validity", inv["validity"])),
        # (upheld after all: the not-upheld decision's reason read as the upheld one's)
        (_("reason") if inv["validity"] != "upheld" else _("reason not upheld, withdrawn"),
         _dated(inv["entries"], "reason", tz)),
        (_("concluded"), _t(inv["concluded_at"], tz)),
    ])


def investigation_pairs(rec: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    """调查分析 as the 8D steps: findings, D3 containment, D4 root cause (its category and
    who is responsible), D5 corrective and D7 preventive action (D6 is the CAPA items)."""
    inv = rec["investigation"]
    entries = inv["entries"]
    responsibility = label("responsibility", inv["responsibility"])
    supplier = inv["supplier"]
    if supplier and inv["responsibility"] == "supplier":  # 供应商（宁波精工）
        responsibility, supplier = (responsibility + i18n.aside(supplier)).strip(), None
    return _pairs([
        (_("findings"), _dated(entries, "finding", tz)),
        (_("D3 containment"), _dated(entries, "containment", tz)),
        (_("D4 root cause"), inv["root_cause"]),
        (_("cause category"), label("cause_category", inv["cause_category"])),
        (_("responsibility"), responsibility),
        (_("supplier"), supplier),  # (named apart when not the one responsible: "(S)")
        (_("D5 corrective action"), _dated(entries, "corrective", tz)),
        (_("D7 preventive action"), _dated(entries, "preventive", tz)),
        (_("investigated"), "\n".join(_by(e["at"], e["actor"], tz) for e in entries)),
    ])


def resolution_pairs(rec: dict[str, Any], tz: tzinfo, plain: bool = False
                     ) -> list[tuple[str, str]]:
    """处理结果 and 经理批示, each round of it; then the closing."""
    out: list[tuple[str, Any]] = []
    several = len(rec["resolutions"]) > 1
    for r in rec["resolutions"]:
        def key(name: str, r: dict[str, Any] = r) -> str:
            return _("round {n}: {field}").format(n=r["round"], field=name) if several \
                else name
        out += [
            (key(_("disposition")), label("disposition", r["disposition"])),
            (key(_("amount")), i18n.money(r["amount"], r["currency"], plain)),
            (key(_("approved by")), r["approved_by"]),
            (key(_("customer told")), r["summary"]),
            (key(_("resolved")), _by(r["at"], r["actor"], tz)),
        ]
    # the step that closed it: a close, or a revisit (a satisfied one closed it; the
    # last close's actor was named, or none, under another step's time)
    closing = next((e for e in reversed(rec["events"]) if e["kind"] in ("close", "revisit")
                    and e["at"] == rec["closed_at"]), None)
    if rec["closed_at"]:
        actor = closing["actor"] if closing else None
        if rec.get("close_reason") and actor:  # one bracket: （王芳；客户拒绝回访）, not two
            closed = _("{time} by {actor} ({reason})").format(
                time=_t(rec["closed_at"], tz), actor=actor, reason=rec["close_reason"])
        else:
            closed = _by(rec["closed_at"], actor, tz)
            if rec.get("close_reason"):
                closed += i18n.aside(rec["close_reason"])
        out.append((_("closed"), closed))
    return _pairs(out)


LIFECYCLE = words.codes("stage")


def stage_rows(rec: dict[str, Any], as_of_iso: str) -> list[dict[str, Any]]:
    """The deadlines in the order of the procedure (round by round), each with its
    status: on time or late when done, open or overdue when not, or void."""
    rows = []
    for s in rec["stages"]:
        if s["outcome"] == "void":
            state = _("void")
        elif s["done_at"]:
            # done late: 逾期完成, not the open stage's 已逾期 (two words a clerk confused)
            state = _("on time") if s["done_at"] <= s["due_at"] else C_("done", "late")
            by = (from_iso(s["done_at"]) - from_iso(s["due_at"])).total_seconds()
            if 0 < by < 60:  # its times, to the minute, are the same: said by how much
                state = _("{state} (by {n} s)").format(state=state, n=int(by))
        else:
            state = _("overdue") if as_of_iso > s["due_at"] else _("open")
        name = stage_label(s["stage"], s["round"])
        if s["round"] > 1:
            name = _("{stage} (round {n})").format(stage=name, n=s["round"])
        rows.append({**s, "stage_shown": name, "state": state})
    # a second revisit after a reopening is stored as round 1 again (the round of a
    # closing, not of its revisits): numbered here by when each began, as resolve and
    # revisit are (two "second revisit" lines could not be told apart)
    seconds = sorted((r for r in rows if r["stage"] == "second-revisit" and r["round"] == 1
                      and r.get("return_id") is None), key=lambda r: r["started_at"])
    for n, row in enumerate(seconds[1:], start=2):
        row["stage_shown"] = _("{stage} (round {n})").format(stage=row["stage_shown"], n=n)
    order = {code: i for i, code in enumerate(LIFECYCLE)}
    # the second revisit follows the closing, after every round
    rows.sort(key=lambda s: (s["stage"] == "second-revisit", s["round"],
                             order.get(s["stage"], len(order))))
    return rows


STAGE_COLS = (Col("stage_shown", N_("stage")), Col("started_at", N_("started"), "time"),
              Col("due_at", N_("due"), "time"), Col("done_at", N_("done"), "time"),
              Col("state", N_("status")))


def _stage_table_cols(rows: Sequence[dict[str, Any]]) -> tuple[Col, ...]:
    """The deadlines on the screen: the status first after the stage (on a narrow
    terminal the last column was squeezed out, and the status is what is read), the
    done column only when a stage is done."""
    by_key = {c.key: c for c in STAGE_COLS}
    return _with_something(tuple(by_key[k] for k in ("stage_shown", "state", "started_at",
                                                     "due_at", "done_at")),
                           rows, {"done_at": lambda r: r["done_at"]})


# A CAPA item's state (workflow.action_state), in words.
ACTION_STATES = {"verified": N_("verified"), "done": NC_("action state", "done"),
                 "overdue": N_("overdue"), "open": N_("open"), "void": N_("void")}


def _state_shown(a: dict[str, Any], state: str) -> str:
    """An item's state in words, and "done late" when it was done after its due day
    (an item done a week late read plain "verified", the same as one on time)."""
    if workflow.done_late(a):
        return _("verified, done late") if state == "verified" else _("done late")
    return _(ACTION_STATES[state])


def action_rows(rec: dict[str, Any], as_of_iso: str, tz: tzinfo | None = None
                ) -> list[dict[str, Any]]:
    rows = []
    void = rec.get("status") == "void"
    for a in rec["actions"]:
        state = workflow.action_state(a, as_of_iso)
        # an item not done of a voided complaint is owed no more: not "overdue" (its done
        # is refused as the complaint is void), as the report and action list leave it out
        shown = _("void") if void and state in ("open", "overdue") else _state_shown(a, state)
        rows.append({**a, "state": shown,
                     "name": _("action {n}").format(n=a["id"]),
                     "due_at": due_shown(a["due_at"], tz) if tz is not None else a["due_at"]})
    return rows


def due_shown(due_at: str | None, tz: tzinfo) -> str | None:
    """A CAPA item's due as a day column shows it: the day, for one due by its end (as
    --due DATE sets it); the day and time, for one given a time (due 12:00 and done 12:30
    showed the same day, "done late" unexplained)."""
    if due_at is None:
        return None
    try:
        at = from_iso(due_at)
        local, after = at.astimezone(tz), (at + timedelta(seconds=1)).astimezone(tz)
    except (TypeError, ValueError, OverflowError):  # a value edited by hand (verify names
        return str(due_at)  # it): as it is
    # (the day's last second, whatever the clock read then: a due typed at 23:59 is a
    # time, shown so; where the clocks jump from 23:00 to 00:00 the day ends at 22:59:59)
    return wall(local)[:10 if after.date() != local.date() else None]


def action_list_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """views.action_list's items with their state in words, for a table or a file."""
    return [{**a, "state_shown": _state_shown(a, a["state"])} for a in rows]


def action_list_table_rows(rows: list[dict[str, Any]], tz: tzinfo) -> list[dict[str, Any]]:
    """action_list_rows for the terminal's table: each due as due_shown says it."""
    return [{**a, "due_at": due_shown(a["due_at"], tz)} for a in action_list_rows(rows)]


# `action list`: the items of many complaints, each with its complaint and customer.
ACTION_LIST_TABLE_COLS = (Col("id", N_("#"), "num"), Col("complaint_id", N_("complaint"), "code"),
                          Col("customer", N_("customer")), Col("text", N_("action"), "wrap"),
                          Col("owner", N_("owner")), Col("due_at", N_("due"), "day"),
                          Col("state_shown", N_("status")))
ACTION_LIST_COLS = (Col("id", N_("#"), "num"), Col("complaint_id", N_("complaint"), "code"),
                    Col("customer", N_("customer")), Col("text", N_("action"), "wrap"),
                    Col("owner", N_("owner")), Col("due_at", N_("due"), "time"),
                    Col("created_at", N_("added"), "time"), Col("done_at", N_("done"), "time"),
                    Col("done_by", N_("done by")), Col("verified_at", N_("verified"), "time"),
                    Col("verified_by", N_("verified by")),
                    Col("verify_note", N_("verification"), "wrap"),
                    Col("state_shown", N_("status")))


# Import batches (import --batches): the terminal's columns without the file's hash (the
# sheet of a workbook after its file's name, by the caller).
# (every row of a batch in one of rows, new, new steps, already imported, conflicts and
# refused: the table left "already imported" out, and a batch of a register imported
# again read as rows accounted for nowhere)
BATCH_TABLE_COLS = (Col("id", N_("batch"), "num"), Col("at", N_("imported"), "time"),
                    Col("actor", N_("by")), Col("file", N_("file"), "wrap"),
                    Col("rows", N_("rows"), "num"), Col("added", N_("new"), "num"),
                    Col("updated", N_("new steps"), "num"),
                    Col("unchanged", N_("already imported"), "num"),
                    Col("conflicts", N_("conflicts"), "num"),
                    Col("refused", N_("refused"), "num"),  # (rows left out: --skip-bad)
                    Col("voided_at", N_("voided"), "day"),  # (its day: all of it in 120)
                    Col("void_reason", N_("why voided"), "wrap"))
# csv, json and markdown: the file's sheet, hash and mapping too, and the time a batch was
# voided (in the order they had)
_BATCH = {c.key: c for c in BATCH_TABLE_COLS}
BATCH_COLS = (*(_BATCH[k] for k in ("id", "at", "actor", "file")), Col("sheet", N_("sheet")),
              Col("sha256", N_("sha256"), "code"), Col("mapping", N_("mapping"), "wrap"),
              *(_BATCH[k] for k in ("rows", "added", "updated", "conflicts", "unchanged",
                                    "refused")),
              Col("voided_at", N_("voided"), "time"), _BATCH["void_reason"])


# CAPA items (纠正预防措施, D6): the terminal's columns are dates; markdown and csv carry
# the times and who.
ACTION_TABLE_COLS = (Col("id", N_("#"), "num"), Col("text", N_("action"), "wrap"),
                     Col("owner", N_("owner")), Col("due_at", N_("due"), "day"),
                     Col("done_at", N_("done"), "day"), Col("verified_at", N_("verified"), "day"),
                     Col("verify_note", N_("verification"), "wrap"),
                     # (one word, never broken: 已完成，待验 | 证 at 80 columns)
                     Col("state", N_("status"), "code"))
ACTION_COLS = (Col("id", N_("#"), "num"), Col("text", N_("action"), "wrap"),
               Col("owner", N_("owner")), Col("due_at", N_("due"), "day"),
               Col("created_at", N_("added"), "time"), Col("done_at", N_("done"), "time"),
               Col("done_by", N_("done by")), Col("verified_at", N_("verified"), "time"),
               Col("verified_by", N_("verified by")),
               Col("verify_note", N_("verification"), "wrap"), Col("state", N_("status")))


def return_rows(rec: dict[str, Any], tz: tzinfo, plain: bool = False) -> list[dict[str, Any]]:
    rows = []
    for r in rec["returns"]:
        inspection = i18n.phrases([x for x in (
            label("inspection", r["result"]),
            _("{n} defective").format(n=r["defective_qty"])
            if r["defective_qty"] is not None else None, r["cause"]) if x])
        rows.append({**return_table_row(r), "inspection": inspection,
                     "dispositions_shown": i18n.listing(
                         [f"{label('return_action', a)} {q}"
                          for a, q in r["dispositions"].items()]),
                     "loss": i18n.money(r["cost_of_loss"], r["currency"], plain),
                     "repair": i18n.money(r["repair_cost"], r["currency"], plain)})
        rows[-1]["costs"] = _("loss {loss}, repair {repair}").format(
            loss=rows[-1]["loss"], repair=rows[-1]["repair"])
    return rows


RETURN_TABLE_COLS = (Col("id", N_("return"), "code"),
                     Col("stage", N_("stage"), "code", "return_stage"),
                     Col("authorised_qty", N_("auth"), "num"),
                     Col("received_qty", N_("recv"), "num"),
                     Col("disposed_qty", N_("disp"), "num"),
                     Col("flag", NC_("check", "count"), "code"),
                     Col("inspection", N_("inspection"), "wrap"),
                     Col("dispositions_shown", N_("dispositions"), "wrap"),
                     Col("costs", N_("costs"), "wrap"))
# Columns of show's returns table left out when no return has anything in them yet (at 80
# columns, three near-empty columns split their headers: "dispositio / ns"): what fills each.
_RETURN_OPTIONAL: dict[str, Callable[[dict[str, Any]], object]] = {
    "inspection": lambda r: r["inspection"],
    "dispositions_shown": lambda r: r["dispositions"],
    "costs": lambda r: any(Decimal(r[k] or 0) for k in ("cost_of_loss", "repair_cost"))}


def _with_something(cols: Sequence[Col], rows: Sequence[dict[str, Any]],
                    optional: dict[str, Callable[[dict[str, Any]], object]]
                    ) -> tuple[Col, ...]:
    """`cols` but those of `optional` (column: what fills it) that no row fills."""
    return tuple(c for c in cols if c.key not in optional
                 or any(optional[c.key](r) for r in rows))


RETURN_COLS = (Col("id", N_("return"), "code"),
               Col("stage", N_("stage"), "code", "return_stage"),
               Col("opened_at", N_("opened"), "time"),
               Col("authorised_qty", N_("authorised"), "num"),
               Col("received_qty", NC_("quantity", "received"), "num"),
               Col("disposed_qty", N_("disposed"), "num"),
               Col("flag", NC_("check", "count"), "code"),
               Col("inspection", N_("inspection"), "wrap"),
               Col("dispositions_shown", N_("dispositions"), "wrap"),
               Col("loss", N_("cost of loss")), Col("repair", N_("repair cost")),
               Col("due_at", N_("due"), "time"),
               Col("closed_at", NC_("return", "closed"), "time"))

# 回访: how, how satisfied, whether the demand was met, and the customer's words.
# (its person is the seeds' 回访人, who made the revisit, not 经办人)
REVISIT_COLS = (Col("at", N_("at"), "time"), Col("actor", NC_("revisit", "by")),
                Col("method", N_("method"), "code", "method"),
                Col("satisfaction", N_("satisfaction"), "code", "satisfaction"),
                Col("demand_met", N_("demand met"), "code"),
                Col("note", N_("customer's words"), "wrap"))


def complaint_title(rec: dict[str, Any]) -> str:
    return _("Complaint {id}").format(id=rec["id"])


def complaint_sections(rec: dict[str, Any], tz: tzinfo, as_of_iso: str, plain: bool = False
                       ) -> list[Section]:
    """The whole complaint, section by section, in the order of the procedure; a
    section with nothing in it is left out. `plain` (csv): amounts as stored."""
    returns = return_rows(rec, tz, plain)
    sections = [
        Section(_("Intake"), pairs=intake_pairs(rec, tz)),
        Section(_("Validity"), pairs=validity_pairs(rec, tz)),
        Section(_("Investigation (8D: D3–D7)"),
                pairs=investigation_pairs(rec, tz)),
        Section(_("CAPA items (D6)"), rows=action_rows(rec, as_of_iso, tz), cols=ACTION_COLS,
                table_cols=ACTION_TABLE_COLS, name=lambda r: str(r["name"]),
                name_keys=("id",)),
        Section(_("Resolution and approval"), pairs=resolution_pairs(rec, tz, plain)),
        Section(_("Returns"), rows=returns, cols=RETURN_COLS,
                table_cols=_with_something(RETURN_TABLE_COLS, returns, _RETURN_OPTIONAL),
                footer=_returns_footer([r["id"] for r in returns]) if returns else ""),
        Section(_("Revisits"), rows=rec["revisits"], cols=REVISIT_COLS),
        Section(_("Deadlines"), rows=(stages := stage_rows(rec, as_of_iso)), cols=STAGE_COLS,
                table_cols=_stage_table_cols(stages)),
        *evidence_sections(rec, tz),
        history_section(rec["events"], tz,
                        rec["returns"][0]["currency"] if rec["returns"] else None, plain),
    ]
    return [s for s in sections if s.pairs or s.rows]


def evidence_sections(rec: dict[str, Any], tz: tzinfo) -> list[Section]:
    """The communication log (沟通记录) and the attachments (凭证); in csv each note or
    file is one sentence."""
    notes, atts = rec["notes"], attachment_rows(rec["attachments"])

    def where(row: dict[str, Any]) -> str:
        return (" " + _("on {record}").format(record=row["return_id"])
                if row["return_id"] and row["return_id"] != rec["id"] else "")

    def note(n: dict[str, Any]) -> str:
        return _("{time} {kind} by {actor}{where}: {text}").format(
            time=_t(n["at"], tz), kind=label("method", n["kind"]), actor=n["actor"],
            where=where(n), text=n["text"])

    def attachment(a: dict[str, Any]) -> str:
        text = _("{name} ({size}, {type}, sha256 {sha}) by {actor} {time}").format(
            name=a["name"], size=a["size_shown"], type=a["type"] or _("unknown type"),
            sha=a["sha256_short"], actor=a["actor"], time=_t(a["at"], tz)) + where(a)
        return text + (f": {a['note']}" if a["note"] else "")

    return [Section(_("Communication log (沟通记录)"), rows=notes,
                    cols=without_empty_return(notes, NOTE_COLS, rec["id"]),
                    name=lambda n: _("note {n}").format(n=n["id"]), value=note),
            Section(_("Attachments (凭证)"), rows=atts,
                    cols=without_empty_return(atts, ATTACHMENT_COLS, rec["id"]),
                    # (on the terminal without the hash, which no clerk reads there: at 80
                    # columns it split the names, 签收 / 单.pdf; attachment list has it)
                    table_cols=tuple(c for c in without_empty_return(
                        atts, ATTACHMENT_COLS, rec["id"]) if c.key != "sha256_short"),
                    name=lambda a: _("attachment {n}").format(n=a["id"]), value=attachment)]


# --- the return -----------------------------------------------------------------------

def return_pairs(r: dict[str, Any], tz: tzinfo, plain: bool = False) -> list[tuple[str, str]]:
    received = str(r["received_qty"])
    if r["discrepancy"]:
        received += ("" if i18n.lang() == "zh" else "  ") + _(  # (zh: its full-width bracket)
            "(DISCREPANCY: differs from authorised)")
    inspection = i18n.phrases([x for x in (
        label("inspection", r["result"]),
        _("{n} defective").format(n=r["defective_qty"])
        if r["defective_qty"] is not None else None, r["cause"]) if x])
    disposed = _("{n} of {total}").format(n=r["disposed_qty"], total=r["received_qty"])
    if r["dispositions"]:
        disposed += i18n.aside(i18n.listing([f"{label('return_action', a)} {q}"
                                             for a, q in r["dispositions"].items()]))
    return _pairs([
        (_("id"), r["id"]), (_("complaint"), r["complaint_id"]),
        (_("stage"), label("return_stage", r["stage"])),
        (_("customer"), r["customer"]), (_("product"), r["product"]), (_("lot"), r["lot"]),
        (_("reason"), r["reason"]),
        (_("opened"), _by(r["opened_at"], r["opened_by"], tz)),
        (_("authorised"), r["authorised_qty"]),
        (_(NC_("quantity", "received")), received),
        (_("first received"), _t(r["first_received_at"], tz)),
        (_("inspection"), inspection),
        (_("inspected"), _t(r["inspected_at"], tz)),
        (_("inspection note"), r.get("inspection_note")),
        (_("disposed"), disposed),
        (_("cost of loss"), i18n.money(r["cost_of_loss"], r["currency"], plain)),
        (_("repair cost"), i18n.money(r["repair_cost"], r["currency"], plain)),
        (_("due"), _t(r["due_at"], tz)),
        (_(NC_("return", "closed")), _t(r["closed_at"], tz)),
    ])


RECEIPT_COLS = (Col("at", NC_("time", "received"), "time"), Col("actor", N_("by")),
                Col("qty", N_("qty"), "num"), Col("note", N_("note"), "wrap"))

# What returned units were given (rework, scrap …), named apart from a CAPA item: both
# are an "action" in English, 处置 and 措施 in Chinese.
_DISPOSED_AS = NC_("return", "action")

DISPOSITION_COLS = (Col("at", N_("at"), "time"), Col("actor", N_("by")),
                    Col("action", _DISPOSED_AS, word="return_action"),
                    Col("qty", N_("qty"), "num"), Col("cost_of_loss", N_("loss"), "num"),
                    Col("repair_cost", N_("repair"), "num"), Col("note", N_("note"), "wrap"))


def return_title(r: dict[str, Any]) -> str:
    return _("Return {id}").format(id=r["id"])


def return_sections(r: dict[str, Any], tz: tzinfo, as_of_iso: str, plain: bool = False
                    ) -> list[Section]:
    # a line's amounts as the rest of the form writes them in Chinese (¥1,200.00: one
    # character more); in English without the code, which the narrow table has no room for
    coded = i18n.lang() == "zh"  # (its decimals as its currency has them: 4,500 yen)
    sections = [
        Section(_("Return"), pairs=return_pairs(r, tz, plain)),
        Section(_("Receipts"), rows=r["receipts"], cols=RECEIPT_COLS),
        Section(_("Dispositions"), rows=[
            {**d, "cost_of_loss": i18n.money(d["cost_of_loss"], r["currency"], plain,
                                             code=coded),
             "repair_cost": i18n.money(d["repair_cost"], r["currency"], plain, code=coded)}
            for d in r["disposition_lines"]], cols=DISPOSITION_COLS),  # (csv: as stored,
        # with the currency's code, as the return's own costs are: 300.10 CNY)
        Section(_("Deadlines"), rows=(stages := stage_rows(r, as_of_iso)), cols=STAGE_COLS,
                table_cols=_stage_table_cols(stages)),
        *evidence_sections(r, tz),
        history_section(r["events"], tz, r["currency"], plain),
    ]
    return [s for s in sections if s.pairs or s.rows]


# --- the history ------------------------------------------------------------------------

STEP_NAMES = {
    "log": N_("logged"), "assign": N_("assigned"), "investigate": N_("investigated"),
    "resolve": NC_("step", "resolved"), "revisit": N_("revisited"),
    "close": NC_("step", "closed"),
    "void": N_("voided"), "amend": N_("amended"), "forget-contact": N_("contact erased"),
    "action-add": N_("CAPA item added"), "action-done": N_("CAPA item done"),
    "action-verify": N_("CAPA item verified"), "return-open": N_("return opened"),
    "return-receive": N_("return received"), "return-inspect": N_("return inspected"),
    "return-dispose": N_("return dispositioned"), "return-close": N_("return closed"),
    "note": N_("note"), "attach": N_("attached"),
    "repeat-link": N_("linked as a repeat"),
}

# The names of the values an event records, as the rest of `show` calls them.
FIELD_NAMES = {
    "return": N_("return"), "severity": N_("severity"), "received_at": N_("received"),
    "channel": N_("channel"),
    "customer": N_("customer"), "contact": N_("contact"), "region": N_("region"),
    "order_no": N_("order"), "product": N_("product"), "lot": N_("lot"),
    "quantity": N_("quantity"), "shipped_on": N_("shipped"), "category": N_("category"),
    "description": N_("description"), "demand": N_("demand"),
    "logged_at": NC_("time", "logged"), "logged_by": N_("logged by"),
    "department": N_("department"), "owner": N_("owner"), "status": N_("status"),
    "validity": N_("validity"), "reason": N_("reason"), "finding": N_("findings"),
    "containment": N_("D3 containment"), "root_cause": N_("D4 root cause"),
    "cause_category": N_("cause category"), "responsibility": N_("responsibility"),
    "supplier": N_("supplier"), "corrective": N_("D5 corrective action"),
    "preventive": N_("D7 preventive action"),
    "action": N_("action"), "text": N_("text"), "due_at": N_("due"),
    "authorised_qty": N_("authorised"), "qty": N_("qty"),
    "received_qty": N_("received in all"), "stage": N_("stage"), "result": N_("inspection"),
    "defective_qty": N_("defective"), "cause": N_("cause"),
    "disposed_qty": N_("disposed in all"),
    "cost_of_loss": N_("cost of loss"), "repair_cost": N_("repair cost"),
    "round": N_("round"), "disposition": N_("disposition"), "amount": N_("amount"),
    "currency": N_("currency"), "approved_by": N_("approved by"),
    "summary": N_("customer told"), "method": N_("method"),
    "satisfaction": N_("satisfaction"), "demand_met": N_("demand met"),
    "reopen_count": N_("reopened"), "kind": N_("kind"), "attachment": N_("attachment"),
    "name": N_("name"), "size": N_("size"), "type": N_("type"), "sha256": N_("sha256"),
    "note": N_("note"), "no_revisit": N_("no revisit"), "repeat_of": N_("repeat of"),
    # what an import adds to its events
    "import_batch": N_("import batch"), "source_key": N_("register id"),
    "source": N_("source"), "estimated": N_("estimated"),
    # the intake fields an amend emptied, the stages its severity no longer has
    "cleared": N_("emptied"), "stages_ended": N_("stages ended"),
    # the inspection goods received after it took back (the return waits for another)
    "inspected_at": N_("inspected"), "first_received_at": N_("first received"),
}
_ORDER = {key: i for i, key in enumerate(FIELD_NAMES)}

# Values that are codes of the word table, by the event field that holds them.
FIELD_WORDS = {
    "category": "category", "channel": "channel", "demand": "demand", "severity": "severity",
    "status": "status", "validity": "validity", "cause_category": "cause_category",
    "responsibility": "responsibility", "disposition": "disposition",
    "satisfaction": "satisfaction", "method": "method", "kind": "method",
    "result": "inspection",
}


def _value(kind: str, key: str, value: Any, tz: tzinfo) -> str:
    if isinstance(value, str) and value.startswith("h:") and key == "contact":
        return _("(kept only as a keyed hash)")
    word = FIELD_WORDS.get(key)
    if kind.startswith("return-"):
        word = {"stage": "return_stage", "action": "return_action"}.get(key, word)
    if word and isinstance(value, str):
        return label(word, value)
    if isinstance(value, str) and value.endswith("Z") and value[:4].isdigit():
        return _t(value, tz)
    if key == "stages_ended" and isinstance(value, list):
        return listing([i18n.term("stage", str(stage)) for stage in value])
    if key == "size" and isinstance(value, int):
        return size_text(value)
    if key == "sha256" and isinstance(value, str):
        return value[:12]
    if key == "source" and isinstance(value, dict):  # the file and row (its hash: JSON)
        if value.get("sheet"):  # a workbook's: row 5 is on every sheet
            return _("{file}, sheet {sheet}, row {row}").format(
                file=value.get("file"), sheet=value["sheet"], row=value.get("row"))
        return _("{file}, row {row}").format(file=value.get("file"), row=value.get("row"))
    return cell_text(value, "text", tz)


# What a resolve decides, the round before's kept in a later round's old values.
_ROUND_DECIDED = ("disposition", "amount", "currency", "approved_by")

# The amounts a step records (parse.format_money's text): a resolution's with its
# currency beside it, a disposition's costs in the ledger's.
_AMOUNTS = frozenset({"amount", "cost_of_loss", "repair_cost"})


def event_summary(event: dict[str, Any], tz: tzinfo, currency: str | None = None,
                  plain: bool = False) -> str:
    """What a step recorded, as a person reads it: the fields by the names `show` uses,
    codes as words, times in the ledger's zone, amounts as the screen writes them
    (i18n.money; as stored when `plain`, for csv); the status it moved from and to;
    the values a correction replaced; the deadlines it set. `currency`: the ledger's,
    for the amounts a step records without one."""
    kind, data, old = event["kind"], dict(event["data"]), dict(event.get("old") or {})
    # A later round's resolve replaced the round before's decision on the complaint's
    # row: said as that round's, not as a correction of it ("refund → compensation"
    # read as the refund changed into a compensation, both paid)
    earlier = {k: old.pop(k) for k in _ROUND_DECIDED if k in old} \
        if kind == "resolve" and isinstance(data.get("round"), int) and data["round"] > 1 \
        else {}
    if not plain and "currency" in data and "amount" in data:  # written with the amount
        currency = data.pop("currency")
        old.pop("currency", None)
    elif not plain and "currency" in old and "amount" in old:  # the amount it replaced
        currency = old.pop("currency")

    def name(key: str) -> str:
        if key == "action" and kind == "return-dispose":  # not a CAPA item (措施)
            return _(_DISPOSED_AS)
        if key == "action" and kind.startswith("action-"):  # the CAPA item's number: "措施：
            return _("action number")  # 93" read as an action called 93
        return _(FIELD_NAMES[key]) if key in FIELD_NAMES else key

    # (csv: an amount as stored, with the currency's code when the event gives none
    # beside it: a disposition's costs said "300.10" where every other line said "CNY")
    coded = "currency" not in data and "currency" not in old

    def val(key: str, value: Any) -> str:
        if key in _AMOUNTS and isinstance(value, str) and (not plain or coded):
            return i18n.money(value, currency, plain)
        return _value(kind, key, value, tz)

    # The colon and the separators as the language writes them ("类别：质量；…").
    pair, semicolon = _("{field}: {value}"), _("; ")
    comma = "、" if i18n.lang() == "zh" else ", "

    if kind == "note":
        return pair.format(field=val("kind", data.get("kind")), value=data.get("text"))
    if kind == "attach":
        return (_("attachment {n}: {name} ({size}, sha256 {sha})").format(
            n=data.get("attachment"), name=data.get("name"),
            size=size_text(data.get("size") or 0), sha=str(data.get("sha256"))[:12])
            + (semicolon + str(data["note"]) if data.get("note") else ""))
    parts: list[str] = []
    moved = [k for k in ("status", "stage") if k in data and k in old and data[k] != old[k]]
    for k in moved:
        parts.append(pair.format(
            field=name(k), value=f"{val(k, old.pop(k))} → {val(k, data.pop(k))}"))
    data.pop("status", None)
    old.pop("status", None)
    if kind.startswith("return-"):
        data.pop("stage", None)
        old.pop("stage", None)
    dues = data.pop("deadlines", None)
    moved_from = old.pop("deadlines", None)  # (an amendment's: the deadlines it moved)
    if kind == "log":  # who typed it and when: the history's own columns say so
        data.pop("logged_at", None)
        data.pop("logged_by", None)
    if kind == "return-dispose" and isinstance(old.get("disposed_qty"), int) and \
            isinstance(data.get("qty"), int) and "disposed_qty" not in data:
        # the running total as a receipt shows its own (disposed in all: 0 → 2), not
        # "was disposed: 0"
        data["disposed_qty"] = old["disposed_qty"] + data["qty"]
    if kind == "return-receive" and data.pop("correction", None):  # (the step's name says it)
        data["reason"] = data.pop("note", None)
    if data.get("round") == 1:
        del data["round"]
    if "reopen_count" not in data:
        old.pop("reopen_count", None)
    for k, v in sorted(data.items(), key=lambda kv: _ORDER.get(kv[0], len(_ORDER))):
        if v is None:
            continue
        if k == "cleared" and isinstance(v, list):  # each with the value it had
            parts.append(pair.format(field=name(k), value=comma.join(
                _("{field} (was {value})").format(field=name(f), value=val(f, old.pop(f)))
                if old.get(f) is not None else name(f)
                for f in v)))
            continue
        if k == "contact" and str(old.get(k)).startswith("h:") and str(v).startswith("h:"):
            old.pop(k)  # both as keyed hashes: "(kept …) → (kept …)" said nothing
            parts.append(pair.format(field=name(k), value=_(
                "changed (the old and the new kept only as keyed hashes)")))
        elif k in old and old[k] is not None and old[k] != v:
            parts.append(pair.format(
                field=name(k), value=f"{val(k, old.pop(k))} → {val(k, v)}"))
        else:
            parts.append(pair.format(field=name(k), value=val(k, v)))
            old.pop(k, None)
    # what the step no longer has (a second round without an approver): "was approver:
    # 张总" in English, 批示人：张总 → （无） in Chinese
    gone = C_("a value the step no longer has", "{field}: {value}")
    was = [gone.format(field=name(k), value=val(k, v)) for k, v in old.items() if v is not None]
    if was:
        parts.append(_("was {values}").format(values=comma.join(was)))
    if earlier:
        told = [val("disposition", earlier["disposition"])] if earlier.get("disposition") \
            else []
        if earlier.get("amount") is not None:
            told.append(str(earlier["amount"]) if plain else
                        i18n.money(str(earlier["amount"]), earlier.get("currency") or currency))
        if earlier.get("approved_by"):
            told.append(_("approved by {name}").format(name=earlier["approved_by"]))
        parts.append(_("round {n} was: {decision}").format(
            n=data.get("round", 2) - 1, decision=comma.join(told)))
    if isinstance(dues, dict) and dues:
        was_due = moved_from if isinstance(moved_from, dict) else {}
        parts.append(_("due: {deadlines}").format(deadlines=comma.join(
            f"{label('stage', stage)} {_t(was_due[stage], tz)} → {_t(due, tz)}"
            if was_due.get(stage) else f"{label('stage', stage)} {_t(due, tz)}"
            for stage, due in dues.items())))
    if semicolon == "; ":
        return semicolon.join(parts)
    # a Chinese text that ends a sentence (客户要求换货。) takes no ；after it
    return "".join(p + ("" if i == len(parts) - 1 or p.endswith(_ZH_ENDS) else semicolon)
                   for i, p in enumerate(parts))


# What ends a Chinese sentence or clause: no ；after it.
_ZH_ENDS = ("。", "！", "？", "；", "…")


def history_rows(events: Sequence[dict[str, Any]], tz: tzinfo, currency: str | None = None,
                 plain: bool = False) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        entered = _t(e.get("recorded_at"), tz)
        if entered == _t(e["at"], tz):
            entered = ""
        what = event_summary(e, tz, currency, plain)
        step = STEP_NAMES.get(e["kind"])
        if e["kind"] == "repeat-link" and not (e.get("data") or {}).get("repeat_of"):
            step = N_("no longer a repeat")  # (a link taken off: by an amend or a void)
        elif e["kind"] == "return-receive" and (e.get("data") or {}).get("correction"):
            step = N_("return count corrected")  # (return correct: a receipt of the difference)
        rows.append({**e, "step": _(step) if step else e["kind"], "what": what,
                     "entered": entered,
                     "what_entered": what + (_(" (entered {time})").format(time=entered)
                                             if entered else "")})
    return rows


HISTORY_COLS = (Col("at", N_("at"), "time"), Col("actor", N_("by")), Col("step", N_("step")),
                Col("what", N_("what"), "wrap"), Col("entered", N_("entered"), "time"))
HISTORY_TABLE_COLS = (Col("at", N_("at"), "time"), Col("actor", N_("by")),
                      Col("step", N_("step")), Col("what_entered", N_("what"), "wrap"))


def history_section(events: Sequence[dict[str, Any]], tz: tzinfo, currency: str | None = None,
                    plain: bool = False) -> Section:
    def name(row: dict[str, Any]) -> str:
        return _("{time} {step} by {actor}").format(time=_t(row["at"], tz), step=row["step"],
                                                    actor=row["actor"])

    return Section(_("History (times in {zone})").format(zone=str(tz)),
                   rows=history_rows(events, tz, currency, plain), cols=HISTORY_COLS,
                   table_cols=HISTORY_TABLE_COLS, name=name,
                   value=lambda row: str(row["what_entered"]))
