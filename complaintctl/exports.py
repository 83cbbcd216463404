"""The reads behind `export`: every complaint, event, return or CAPA item as plain
rows, streamed from one read snapshot (a cursor, never a list), so an export of a
million rows holds one batch of rows in memory at a time.

Columns are the keys of `show --format json` (a nested key as `section.key`),
values are the stored codes and UTC ISO times, money the exact decimal text
(`format_money`). Each column says what kind of value it holds, so a file format
can type its cells (sheets.py). Contacts come out masked unless asked; an erased
contact is NULL in the row and stays empty either way.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from complaintctl import deadlines, workflow
from complaintctl.i18n import NC_
from complaintctl.parse import format_money, iso, mask
from complaintctl.store import Ledger
from complaintctl.views import IdOrderWithinTime

WHATS = ("complaints", "events", "returns", "actions")
# What each is called in a sentence (translated where shown).
WHAT_NAMES = {"complaints": NC_("export", "complaints"), "events": NC_("export", "events"),
              "returns": NC_("export", "returns"), "actions": NC_("export", "actions")}

# What each WHAT's --since/--until select on: a complaint by when it was received,
# an event by when it was RECORDED (a back-dated step written today is in today's
# archive), a return by when it was opened, a CAPA item by when it was added.
PERIOD_COLUMN = {"complaints": "received_at", "events": "recorded_at",
                 "returns": "opened_at", "actions": "created_at"}

# Kinds of value: text, code (an enumerated word's code), time (UTC ISO), date
# (YYYY-MM-DD), money (decimal text), count (an integer), json (an object, kept as
# the stored text, byte for byte, so the hash chain can be checked from the file).
Column = tuple[str, str]


@dataclass(frozen=True)
class Export:
    """One export: its columns, and its rows as a generator of batches (lists of row
    tuples, at most BATCH each) that reads the ledger while it is consumed (the
    snapshot is open until the last batch or close(): a caller that may stop early
    closes it while the ledger is still open)."""
    what: str
    columns: tuple[Column, ...]
    batches: Generator[list[tuple[Any, ...]], None, None]


BATCH = 256  # rows read from the cursor at a time (a batch that stays in the CPU caches)


def day_bounds(since: date | None, until: date | None, tz: tzinfo
               ) -> tuple[str | None, str | None]:
    """The UTC instants [start of `since`, start of the day after `until`) in `tz`."""
    def start(d: date) -> str:
        return iso(datetime.combine(d, time(), tz))
    return (start(since) if since else None,
            start(until + timedelta(days=1)) if until else None)


def _where(column: str, since: str | None, until: str | None) -> tuple[str, list[str]]:
    where, params = [], []
    if since is not None:
        where.append(f"{column} >= ?")
        params.append(since)
    if until is not None:
        where.append(f"{column} < ?")
        params.append(until)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _stream(lg: Ledger, sql: str, params: list[str],
            shape: Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]] | None = None,
            order: tuple[int, int] | None = None
            ) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of `sql`, a batch at a time, through `shape`. `order` (time column, id
    column): `sql` is ordered by the time alone, and each run of one time is put in
    ascending id order here (an ORDER BY on both would make SQLite sort every row,
    whole)."""
    with lg.read() as cur:
        cur.arraysize = BATCH
        cur.execute(sql, params)
        batches: Iterable[list[tuple[Any, ...]]] = iter(cur.fetchmany, [])
        if order is not None:
            batches = IdOrderWithinTime(batches, *order, descending=False)
        for batch in batches:
            yield shape(batch) if shape else batch


def _columns_mapped(batch: list[tuple[Any, ...]],
                    funcs: dict[int, Callable[[Any], Any]]) -> list[tuple[Any, ...]]:
    """The batch with funcs[i] applied to every value of column i (a column at a time)."""
    columns = list(zip(*batch, strict=True))
    for i, func in funcs.items():
        columns[i] = tuple(map(func, columns[i]))
    return list(zip(*columns, strict=True))


# --- complaints ------------------------------------------------------------------

_C_PLAIN: tuple[tuple[str, str, str], ...] = (
    # (column, kind, SQL on complaints c)
    ("id", "text", "c.id"),
    ("source_key", "text", "c.source_key"),
    ("status", "code", "c.status"),
    ("severity", "code", "c.severity"),
    ("category", "code", "c.category"),
    ("channel", "code", "c.channel"),
    ("customer", "text", "c.customer"),
    ("contact", "text", "c.contact"),
    # when the contact was erased on the person's request (forget-contact), as show has it:
    # an erased contact read as one never given; none while a contact is there again
    # (given since: the row said both a contact and its erasure)
    ("contact_erased_at", "time", "CASE WHEN c.contact IS NULL THEN (SELECT e.at FROM "
     "events e WHERE e.complaint_id = c.id AND e.kind = 'forget-contact' ORDER BY e.id DESC "
     "LIMIT 1) END"),
    ("region", "text", "c.region"),
    ("order_no", "text", "c.order_no"),
    ("product", "text", "c.product"),
    ("lot", "text", "c.lot"),
    ("quantity", "count", "c.quantity"),
    ("shipped_on", "date", "c.shipped_on"),
    ("demand", "code", "c.demand"),
    ("description", "text", "c.description"),
    ("received_at", "time", "c.received_at"),
    ("last_contact_at", "time", "c.last_contact_at"),
    ("logged_at", "time", "c.logged_at"),
    ("logged_by", "text", "c.logged_by"),
    ("department", "text", "c.department"),
    ("owner", "text", "c.owner"),
    ("assigned_at", "time", "c.assigned_at"),
    ("reopen_count", "count", "c.reopen_count"),
    ("repeat_of", "text", "c.repeat_of"),
    ("investigation.validity", "code", "c.validity"),
    ("investigation.root_cause", "text", "c.root_cause"),
    ("investigation.cause_category", "code", "c.cause_category"),
    ("investigation.responsibility", "code", "c.responsibility"),
    # (none once the responsibility moved to the company or the customer, as show says:
    # workflow.supplier_shown)
    ("investigation.supplier", "text", "CASE WHEN c.responsibility IN ({}) THEN NULL ELSE "
     "c.supplier END".format(", ".join(f"'{r}'" for r in workflow.NOT_SUPPLIER))),
    ("investigation.concluded_at", "time", "c.concluded_at"),
) + tuple(
    # what the row's investigation said beyond its conclusion: the latest of each (the
    # round trip lost them; `show` has every entry)
    (f"investigation.{field}", "text",
     ("CASE WHEN c.validity = 'not-upheld' THEN " if field == "reason" else "")
     + f"(SELECT i.{field} FROM investigations i WHERE i.complaint_id = c.id AND "
     f"i.{field} IS NOT NULL ORDER BY i.id DESC LIMIT 1)"
     + (" END" if field == "reason" else ""))  # (a reason a later finding overturned: none)
    for field in ("finding", "reason", "containment", "corrective", "preventive")
) + (
    ("resolution.round", "count", "r.round"),
    ("resolution.at", "time", "r.at"),
    ("resolution.actor", "text", "r.actor"),
    ("resolution.disposition", "code", "r.disposition"),
    ("resolution.amount", "money", "r.amount"),
    ("resolution.currency", "text", "r.currency"),
    ("resolution.approved_by", "text", "r.approved_by"),
    ("resolution.summary", "text", "r.summary"),
    ("revisit.at", "time", "v.at"),
    ("revisit.method", "code", "v.method"),
    ("revisit.satisfaction", "code", "v.satisfaction"),
    ("revisit.demand_met", "flag", "v.demand_met"),
    ("revisit.note", "text", "v.note"),
    ("closed_at", "time", "c.closed_at"),
    ("close_reason", "text", "c.close_reason"),
    ("voided_at", "time", "c.voided_at"),
    ("void_reason", "text", "c.void_reason"),
    ("import_batch", "count", "c.import_batch"),
    # when the import batch that brought it in was voided (`import --void-batch`): the
    # reports leave it out, and so does an import of this file (the shipped mapping's
    # leave_out)
    ("import_batch_voided_at", "time", "(SELECT b.voided_at FROM import_batches b WHERE "
     "b.id = c.import_batch)"),
) + tuple(
    (f"deadlines.{stage}", "time",
     "(SELECT s.due_at FROM stages s WHERE s.complaint_id = c.id AND s.return_id IS NULL "
     f"AND s.stage = '{stage}' ORDER BY s.id DESC LIMIT 1)") for stage in deadlines.COMPLAINT_STAGES
) + tuple(
    (f"{table}.count", "count",
     f"(SELECT count(*) FROM {table} x WHERE x.complaint_id = c.id)")
    for table in ("actions", "returns", "revisits", "notes", "attachments")
) + (
    ("repeated_by.count", "count",
     "(SELECT count(*) FROM complaints k WHERE k.repeat_of = c.id AND k.status != 'void')"),
)

COMPLAINT_COLUMNS: tuple[Column, ...] = tuple((k, kind) for k, kind, _sql in _C_PLAIN)
_CONTACT = COMPLAINT_COLUMNS.index(("contact", "text"))
_AMOUNT = COMPLAINT_COLUMNS.index(("resolution.amount", "money"))
_DEMAND_MET = COMPLAINT_COLUMNS.index(("revisit.demand_met", "flag"))
_ID, _RECEIVED = COMPLAINT_COLUMNS.index(("id", "text")), COMPLAINT_COLUMNS.index(
    ("received_at", "time"))


def _flag_or_none(value: Any) -> bool | None:
    """A yes/no column's value; None (not recorded) stays empty."""
    return None if value is None else bool(value)


def complaints(lg: Ledger, since: str | None, until: str | None, *, reveal: bool = False
               ) -> Export:
    """Every complaint, one row each: its fields, current state, the latest resolution
    and revisit, the last deadline of each stage (as `show`), and how many actions,
    returns, revisits, notes, attachments and repeats it has."""
    clause, params = _where("c.received_at", since, until)

    sql = ("SELECT " + ", ".join(s for _k, _kind, s in _C_PLAIN) + " FROM complaints c "
           "LEFT JOIN resolutions r ON r.id = (SELECT max(id) FROM resolutions "
           "WHERE complaint_id = c.id) "
           "LEFT JOIN revisits v ON v.id = (SELECT max(id) FROM revisits "
           f"WHERE complaint_id = c.id){clause} ORDER BY c.received_at")

    funcs: dict[int, Callable[[Any], Any]] = {_AMOUNT: format_money,
                                              _DEMAND_MET: _flag_or_none}
    if not reveal:
        funcs[_CONTACT] = mask
    return Export("complaints", COMPLAINT_COLUMNS,
                  _stream(lg, sql, params, lambda batch: _columns_mapped(batch, funcs),
                          order=(_RECEIVED, _ID)))


# --- events ----------------------------------------------------------------------

# The events' times are "stamp"s: as stored (UTC, ISO 8601) in every format, XLSX too,
# where a local date-time made the hash chain uncheckable (the rule hashes the stored
# text) and, in the hour a zone's clocks go back, two instants one cell.
EVENT_COLUMNS: tuple[Column, ...] = (
    ("id", "count"), ("complaint_id", "text"), ("return_id", "text"), ("at", "stamp"),
    ("recorded_at", "stamp"), ("actor", "text"), ("login", "text"), ("kind", "code"),
    ("data", "json"), ("old", "json"), ("hash", "text"))


def events(lg: Ledger, since: str | None, until: str | None) -> Export:
    """The audit trail as stored, with the old values and the hash chain; selected by
    when each event was recorded. Contacts are in it only as keyed hashes ("h:…")."""
    clause, params = _where("recorded_at", since, until)
    sql = (f"SELECT {', '.join(k for k, _kind in EVENT_COLUMNS)} FROM events{clause} "
           "ORDER BY id")
    return Export("events", EVENT_COLUMNS, _stream(lg, sql, params))


# --- returns ---------------------------------------------------------------------

_R_PLAIN: tuple[tuple[str, str, str], ...] = (
    ("id", "text", "r.id"),
    ("complaint_id", "text", "r.complaint_id"),
    # whose goods and who deals with them: a returns report groups by them
    ("customer", "text", "c.customer"),
    ("department", "text", "c.department"),
    ("owner", "text", "c.owner"),
    ("stage", "code", "r.stage"),
    ("opened_at", "time", "r.opened_at"),
    ("opened_by", "text", "r.opened_by"),
    ("product", "text", "r.product"),
    ("lot", "text", "r.lot"),
    ("reason", "text", "r.reason"),
    ("authorised_qty", "count", "r.authorised_qty"),
    ("received_qty", "count", "r.received_qty"),
    # returns.discrepancy: goods arrived, and their count differs from what was authorised
    ("discrepancy", "flag", "coalesce(r.received_qty, 0) != 0 AND "
     "r.received_qty != r.authorised_qty"),
    ("first_received_at", "time", "r.first_received_at"),
    ("inspected_at", "time", "r.inspected_at"),
    ("result", "code", "r.result"),
    ("defective_qty", "count", "r.defective_qty"),
    ("cause", "text", "r.cause"),
    ("inspection_note", "text", "r.inspection_note"),
    ("disposed_qty", "count", "r.disposed_qty"),
    ("cost_of_loss", "money", "r.cost_of_loss"),
    ("repair_cost", "money", "r.repair_cost"),
    ("currency", "text", "?"),
    ("closed_at", "time", "r.closed_at"),
    ("due_at", "time", "(SELECT min(s.due_at) FROM stages s WHERE s.return_id = r.id "
     "AND s.done_at IS NULL)"),
) + tuple(
    (f"deadlines.{stage}", "time",
     f"(SELECT s.due_at FROM stages s WHERE s.return_id = r.id AND s.stage = '{stage}' "
     "ORDER BY s.id DESC LIMIT 1)") for stage in deadlines.RETURN_STAGES
) + tuple(
    (f"dispositions.{action}", "count",
     # (by the return: the index of actions, which SQLite took, read every disposition
     # of that action for each return, the export's time growing with the square)
     "(SELECT sum(d.qty) FROM return_dispositions d INDEXED BY return_dispositions_return "
     f"WHERE d.return_id = r.id AND d.action = '{action}')")
    for action in ("rework", "repair", "scrap", "restock", "discount-sale",
                   "return-to-customer", "return-to-supplier")
)

RETURN_COLUMNS: tuple[Column, ...] = tuple((k, kind) for k, kind, _sql in _R_PLAIN)
_MONEY_R = [i for i, (_k, kind) in enumerate(RETURN_COLUMNS) if kind == "money"]
_FLAG_R = [k for k, _kind in RETURN_COLUMNS].index("discrepancy")


def returns(lg: Ledger, since: str | None, until: str | None) -> Export:
    """Every return (客退品): stage, quantities, inspection, costs, its open deadline,
    the last deadline of each of its stages, and the quantities of each disposition."""
    clause, params = _where("r.opened_at", since, until)
    sql = ("SELECT " + ", ".join(s for _k, _kind, s in _R_PLAIN) +
           f" FROM returns r JOIN complaints c ON c.id = r.complaint_id{clause} "
           "ORDER BY r.opened_at, r.id")

    funcs: dict[int, Callable[[Any], Any]] = dict.fromkeys(_MONEY_R, format_money)
    funcs[_FLAG_R] = bool
    return Export("returns", RETURN_COLUMNS,
                  _stream(lg, sql, [lg.config.currency, *params],
                          lambda batch: _columns_mapped(batch, funcs)))


# --- actions ---------------------------------------------------------------------

ACTION_COLUMNS: tuple[Column, ...] = (
    ("id", "count"), ("complaint_id", "text"), ("text", "text"), ("owner", "text"),
    ("due_at", "time"), ("created_at", "time"), ("created_by", "text"),
    ("done_at", "time"), ("done_by", "text"), ("verified_at", "time"),
    ("verified_by", "text"), ("verify_note", "text"))


def actions(lg: Ledger, since: str | None, until: str | None) -> Export:
    """Every CAPA item (纠正预防措施), selected by when it was added."""
    clause, params = _where("created_at", since, until)
    sql = (f"SELECT {', '.join(k for k, _kind in ACTION_COLUMNS)} FROM actions{clause} "
           "ORDER BY created_at, id")
    return Export("actions", ACTION_COLUMNS, _stream(lg, sql, params))


def export(lg: Ledger, what: str, since: str | None, until: str | None, *,
           reveal: bool = False) -> Export:
    if what == "complaints":
        return complaints(lg, since, until, reveal=reveal)
    if what == "events":
        return events(lg, since, until)
    if what == "returns":
        return returns(lg, since, until)
    return actions(lg, since, until)
