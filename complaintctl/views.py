"""The reads behind show, list, overdue and the return listings: plain data out,
each view read in one snapshot. Contacts come out masked unless asked.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
import sqlite3
from collections.abc import Generator, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from complaintctl import deadlines, returns, words, workflow
from complaintctl.errors import NotFound
from complaintctl.i18n import _, shown
from complaintctl.parse import (
    PLAIN_CONTACT,
    format_money,
    from_iso,
    full_width,
    iso,
    key_fold,
    mask,
    name_width,
    record_key,
)
from complaintctl.store import Ledger, Rows, sql_order

_OPEN = ", ".join(f"'{s}'" for s in workflow.OPEN_STATES)

_NOTE_COLS = "id, return_id, at, actor, kind, text"
_ATTACHMENT_COLS = "id, return_id, name, size, type, sha256, at, actor, note"



def contains(text: str) -> str:
    """The LIKE pattern of a text filter: any part of the value, Latin letters in
    either case (SQLite's LIKE; as fast as instr, where lower() cost a quarter more on
    a million rows), its own %, _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

def _rows(cur: sqlite3.Cursor, sql: str, params: tuple[Any, ...] | list[Any] = ()
          ) -> list[dict[str, Any]]:
    cur.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _one(cur: sqlite3.Cursor, sql: str, params: tuple[Any, ...], missing: NotFound
         ) -> dict[str, Any]:
    rows = _rows(cur, sql, params)
    if not rows:
        raise missing
    return rows[0]


def _events(cur: sqlite3.Cursor, column: str, value: str) -> list[dict[str, Any]]:
    """The history of a complaint or a return, oldest first, JSON decoded; each event with
    its id, the login that typed it and its hash, as `export events` has them (an
    auditor matches the two)."""
    events = _rows(cur, "SELECT at, recorded_at, actor, kind, data, old, id, login, hash "
                   f"FROM events WHERE {column} = ? ORDER BY at, id", (value,))
    for e in events:
        e["data"] = _document(e["data"])
        e["old"] = _document(e["old"]) if e["old"] else None
    return events


def _document(text: Any) -> dict[str, Any]:
    """An event's document; one that is not (an edit made by hand: verify names it) as
    {"unreadable": its text}, so that the history around it can still be read."""
    try:
        found = json.loads(text)
    except (TypeError, ValueError):
        found = None
    return found if isinstance(found, dict) else {
        "unreadable": text if isinstance(text, str) else repr(text)}  # (bytes: as written)


def is_return_id(lg: Ledger, record_id: str) -> bool:
    return record_key(record_id).startswith(lg.config.settings["return_prefix"] + "-")


def show(lg: Ledger, complaint_id: str, *, reveal: bool = False) -> dict[str, Any]:
    """The whole record: fields, deadlines, investigation, actions, history.

    The contact is masked unless `reveal`; the history never held it (its events
    keep a keyed hash, see complaints.contact_ref).
    """
    with lg.read() as cur:
        c = _one(cur, "SELECT * FROM complaints WHERE id = ?", (record_key(complaint_id),),
                 NotFound(_("no complaint {id}").format(id=shown(complaint_id)),
                          hint=_("find it with: complaintctl list --customer NAME"),
                          code="no_complaint", record=complaint_id))
        cid = c["id"]
        stages = _rows(cur, "SELECT stage, round, started_at, due_at, done_at, outcome FROM "
                       "stages WHERE complaint_id = ? AND return_id IS NULL ORDER BY id",
                       (cid,))
        events = _events(cur, "complaint_id", cid)
        resolutions = _rows(cur, "SELECT round, at, actor, disposition, amount, currency, "
                            "approved_by, summary FROM resolutions WHERE complaint_id = ? "
                            "ORDER BY id", (cid,))
        revisits = _rows(cur, "SELECT at, actor, method, satisfaction, demand_met, note FROM "
                         "revisits WHERE complaint_id = ? ORDER BY id", (cid,))
        repeated_by = [r for (r,) in cur.execute(
            "SELECT id FROM complaints WHERE repeat_of = ? AND status != 'void' "
            "ORDER BY received_at",  # a voided one keeps its link, but is set aside
            (cid,)).fetchall()]
        entries = _rows(cur, "SELECT at, actor, finding, validity, reason, root_cause, "
                        "cause_category, responsibility, supplier, containment, corrective, "
                        "preventive FROM investigations WHERE complaint_id = ? ORDER BY id",
                        (cid,))
        actions = _rows(cur, "SELECT id, text, owner, due_at, created_at, done_at, done_by, "
                        "verified_at, verified_by, verify_note FROM actions "
                        "WHERE complaint_id = ? ORDER BY id", (cid,))
        rets = returns_list(lg, complaint_id=cid)
        notes = _rows(cur, f"SELECT {_NOTE_COLS} FROM notes WHERE complaint_id = ? "
                      "ORDER BY at, id", (cid,))
        attachments = _rows(cur, f"SELECT {_ATTACHMENT_COLS} FROM attachments "
                            "WHERE complaint_id = ? ORDER BY id", (cid,))
    for r in resolutions:
        r["amount"] = format_money(r["amount"])
    for r in revisits:
        r["demand_met"] = None if r["demand_met"] is None else bool(r["demand_met"])
    return {
        "id": cid,
        "source_key": c["source_key"],
        "import_batch": c["import_batch"],
        "status": c["status"],
        "severity": c["severity"],
        "category": c["category"],
        "channel": c["channel"],
        "customer": c["customer"],
        "contact": c["contact"] if reveal else mask(c["contact"]),
        # (none and erased: the erasure's time, where "never given" looked the same)
        "contact_erased_at": None if c["contact"] else next(
            (e["at"] for e in reversed(events) if e["kind"] == "forget-contact"), None),
        "region": c["region"],
        "order_no": c["order_no"],
        "product": c["product"],
        "lot": c["lot"],
        "quantity": c["quantity"],
        "shipped_on": c["shipped_on"],
        "demand": c["demand"],
        "description": c["description"],
        "received_at": c["received_at"],
        "last_contact_at": c["last_contact_at"],
        "logged_at": c["logged_at"],
        "logged_by": c["logged_by"],
        "department": c["department"],
        "owner": c["owner"],
        # (every stage, null until started, as the export's deadlines.* columns: its keys
        # changed with the state, and d["deadlines"]["investigate"] failed on a new one)
        "deadlines": {**dict.fromkeys(deadlines.COMPLAINT_STAGES),
                      **{s["stage"]: s["due_at"] for s in stages}},
        "stages": stages,
        "reopen_count": c["reopen_count"],
        "repeat_of": c["repeat_of"],
        "repeated_by": repeated_by,
        "investigation": {
            "validity": c["validity"], "root_cause": c["root_cause"],
            "cause_category": c["cause_category"], "responsibility": c["responsibility"],
            "supplier": workflow.supplier_shown(c["responsibility"], c["supplier"]),
            "concluded_at": c["concluded_at"],
            "entries": entries,
        },
        "resolution": resolutions[-1] if resolutions else None,
        "resolutions": resolutions,
        "actions": actions,
        "returns": rets,
        "revisits": revisits,
        "notes": notes,
        "attachments": attachments,
        "closed_at": c["closed_at"],
        "close_reason": c["close_reason"],
        "voided_at": c["voided_at"],
        "void_reason": c["void_reason"],
        "events": events,
    }


def by_ref(lg: Ledger, ref: str) -> str:
    """The complaint an import brought in with the register's id `ref` (source_key);
    the newest when several registers used it."""
    with lg.read() as cur:  # (the keys list --ref takes: _held_keys)
        keys = _held_keys(cur, ref.strip())
        found = [r for (r,) in cur.execute(
            f"SELECT id FROM complaints WHERE source_key IN ({', '.join('?' * len(keys))}) "
            "ORDER BY logged_at DESC, id DESC", keys).fetchall()] if keys else []
    if not found:
        raise NotFound(_("no complaint imported with the register's id {ref}").format(
            ref=shown(ref)), hint=_("list the imported ones with: complaintctl list --format "
                                   "json (their source_key)"), code="no_ref", record=ref)
    return found[0]


# A return's row in a listing: its stage, quantities, open deadline and costs, with its
# complaint's customer, department and owner (_finish_returns adds the rest).
RETURN_KEYS = ("id", "complaint_id", "stage", "opened_at", "product", "lot", "authorised_qty",
               "received_qty", "disposed_qty", "result", "defective_qty", "cause",
               "cost_of_loss", "repair_cost", "first_received_at", "inspected_at", "closed_at",
               "customer", "department", "owner", "due_at")
_RETURN_SELECT = (
    "SELECT r.id, r.complaint_id, r.stage, r.opened_at, r.product, r.lot, r.authorised_qty, "
    "r.received_qty, r.disposed_qty, r.result, r.defective_qty, r.cause, r.cost_of_loss, "
    "r.repair_cost, r.first_received_at, r.inspected_at, r.closed_at, c.customer, "
    "c.department, c.owner, (SELECT min(s.due_at) FROM stages s WHERE s.return_id = r.id "
    "AND s.done_at IS NULL) AS due_at FROM returns r JOIN complaints c ON c.id = r.complaint_id")
_OPENED = RETURN_KEYS.index("opened_at")
# and its JSON: those and what _finish_returns adds
RETURN_JSON_KEYS = (*RETURN_KEYS, "discrepancy", "dispositions", "currency")


def _return_clause(open_only: bool, complaint_id: str | None, return_id: str | None
                   ) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if open_only:
        where.append("r.closed_at IS NULL")
    for col, value in (("r.complaint_id", complaint_id), ("r.id", return_id)):
        if value:
            where.append(f"{col} = ?")
            params.append(record_key(value))
    return (" WHERE " + " AND ".join(where)) if where else "", params


_ACTION_ORDER = words.codes("return_action")


def _finish_returns(cur: sqlite3.Cursor, rows: list[tuple[Any, ...]], currency: str
                    ) -> list[dict[str, Any]]:
    """Rows of _RETURN_SELECT as dicts, with the receipt discrepancy, the quantities by
    disposition (read in chunks of 500 returns), the costs as amounts and the currency."""
    found = [dict(zip(RETURN_KEYS, row, strict=True)) for row in rows]
    split: dict[str, dict[str, int]] = {}
    ids = [r["id"] for r in found]
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for rid, action, qty in cur.execute(
                "SELECT return_id, action, sum(qty) FROM return_dispositions WHERE "
                f"return_id IN ({', '.join('?' * len(part))}) GROUP BY return_id, "
                "action ORDER BY return_id, action", part).fetchall():
            split.setdefault(rid, {})[action] = qty
    for r in found:
        r["discrepancy"] = returns.discrepancy(r)
        got = split.get(r["id"], {})  # in the procedure's order (rework, repair, scrap …)
        r["dispositions"] = {a: got[a] for a in _ACTION_ORDER if a in got} | got
        r["cost_of_loss"] = format_money(r["cost_of_loss"])
        r["repair_cost"] = format_money(r["repair_cost"])
        r["currency"] = currency
    return found


def returns_list(lg: Ledger, *, open_only: bool = False, complaint_id: str | None = None,
                 return_id: str | None = None) -> list[dict[str, Any]]:
    """Returns with their stage, quantities, open deadline, costs and dispositions, in
    the order they were opened (a complaint's, in show)."""
    clause, params = _return_clause(open_only, complaint_id, return_id)
    currency = lg.config.currency
    with lg.read() as cur:
        rows = cur.execute(f"{_RETURN_SELECT}{clause} ORDER BY r.opened_at, r.id",
                           params).fetchall()
        return _finish_returns(cur, rows, currency)


def return_show(lg: Ledger, return_id: str) -> dict[str, Any]:
    """A return with its receipts, dispositions, stages and history."""
    with lg.read() as cur:
        r = _one(cur, "SELECT id, reason, inspection_note, opened_by FROM returns "
                 "WHERE id = ?", (record_key(return_id),),
                 NotFound(_("no return {id}").format(id=shown(return_id)),
                          hint=_("find it with: complaintctl return list --complaint ID"),
                          code="no_return", record=return_id))
        (row,) = returns_list(lg, return_id=r["id"])
        row.update({"reason": r["reason"], "inspection_note": r["inspection_note"],
                    "opened_by": r["opened_by"]})
        row["receipts"] = _rows(cur, "SELECT at, actor, qty, note FROM return_receipts WHERE "
                                "return_id = ? ORDER BY id", (r["id"],))
        disp = _rows(cur, "SELECT at, actor, action, qty, cost_of_loss, repair_cost, note "
                     "FROM return_dispositions WHERE return_id = ? ORDER BY id", (r["id"],))
        row["stages"] = _rows(cur, "SELECT stage, round, started_at, due_at, done_at, "
                              "outcome FROM stages WHERE return_id = ? ORDER BY id", (r["id"],))
        row["events"] = _events(cur, "return_id", r["id"])
        row["notes"] = _rows(cur, f"SELECT {_NOTE_COLS} FROM notes WHERE return_id = ? "
                             "ORDER BY at, id", (r["id"],))
        row["attachments"] = _rows(cur, f"SELECT {_ATTACHMENT_COLS} FROM attachments "
                                   "WHERE return_id = ? ORDER BY id", (r["id"],))
    for d in disp:
        d["cost_of_loss"] = format_money(d["cost_of_loss"])
        d["repair_cost"] = format_money(d["repair_cost"])
    row["disposition_lines"] = disp
    return row


LIST_COLUMNS = ("id", "source_key", "received_at", "status", "severity", "category",
                "channel", "customer", "contact", "product", "quantity", "department",
                "owner", "reopen_count",
                "repeat_of", "description", "last_contact_at")
_LIST_CONTACT = LIST_COLUMNS.index("contact")

# A listing that stops at --limit counts the matches beyond it only up to COUNT_CAP (or
# twice the limit, when that is more): a text filter (instr) cannot use an index, and
# an exact total would read every complaint of the ledger for a table of 200 rows.
COUNT_CAP = 1000


_SELECT = ", ".join(LIST_COLUMNS)
_ID, _RECEIVED = LIST_COLUMNS.index("id"), LIST_COLUMNS.index("received_at")


def _columns(rows: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
    """A batch of rows as its columns, the contact masked."""
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    columns[_LIST_CONTACT] = masked(columns[_LIST_CONTACT])
    return columns


# By length: the stars of a mask, and the slice of the text it keeps (parse.mask).
_STARS: list[str] = []
_KEPT: list[slice] = []
_NONE_EMPTY: dict[Any, str] = {None: ""}


def masked(values: Sequence[Any]) -> Sequence[Any]:
    """parse.mask of each value, by C-level passes over the column (a mask is the
    stars for its length and the part it keeps), None kept as None."""
    texts: list[Any] = list(map(_NONE_EMPTY.get, values, values))
    try:
        lengths = list(map(len, texts))
        while len(_STARS) <= max(lengths, default=0):
            n = len(_STARS)
            # parse.mask's rule for a plain contact, asked once a length (of a number: a
            # word of letters is masked whole, as a short number beside words is)
            stars = (mask("1" * n) or "").count("*")
            _STARS.append("*" * stars)
            _KEPT.append(slice(stars, None))
        done = list(map(operator.add, map(_STARS.__getitem__, lengths),
                        map(operator.getitem, texts, map(_KEPT.__getitem__, lengths))))
    except TypeError:  # not text: as parse.mask does with it
        return list(map(mask, values))
    # a number or an address with words beside it ("+852 2345-6789（陳生）"): parse.mask
    # shows its last digits or characters, not the words' (a plain one, as above)
    # (a number's digits alone, the common contact, are told by a C-level pass)
    plain = PLAIN_CONTACT.fullmatch
    for i in itertools.compress(range(len(texts)), map(operator.not_, map(str.isdigit, texts))):
        if len(texts[i]) > 4 and not plain(texts[i]):
            done[i] = mask(texts[i])
    if None in values:
        for i in itertools.compress(range(len(done)), map(operator.is_, values,
                                                          itertools.repeat(None))):
            done[i] = None
    return done


class IdOrderWithinTime:
    """Batches of rows ordered by a time column alone (an index's order), as batches
    ordered by (time, id), both descending or both ascending: each run of one time
    put in id order, as SQLite's ORDER BY would (which sorts every row, whole, for a
    second key its index lacks). The rows of the last time of a batch wait
    (`waiting`) for the next batch: the run may go on there."""

    def __init__(self, batches: Iterable[list[tuple[Any, ...]]], time: int, id_: int,
                 descending: bool) -> None:
        self.batches = batches
        self.waiting: list[tuple[Any, ...]] = []
        self.time, self.id, self.descending = operator.itemgetter(time), id_, descending

    def __iter__(self) -> Iterator[list[tuple[Any, ...]]]:
        for fetched in self.batches:
            rows = self.waiting + fetched if self.waiting else fetched
            times = list(map(self.time, rows))
            last, k = times[-1], len(times) - 1
            while k > 0 and times[k - 1] == last:
                k -= 1
            self.waiting = rows[k:]
            if k:
                yield self._sorted_runs(rows[:k], times[:k])
        if self.waiting:
            rows, self.waiting = self.waiting, []
            yield self._sorted_runs(rows, list(map(self.time, rows)))

    def _sorted_runs(self, rows: list[tuple[Any, ...]], times: list[Any]
                     ) -> list[tuple[Any, ...]]:
        """`rows` (in time order) with each run of one time in id order."""
        ties = list(itertools.compress(range(1, len(times)),
                                       map(operator.eq, times[1:], times)))
        if not ties:
            return rows
        rows = list(rows)
        i, key = 0, self.id
        while i < len(ties):
            start, end = ties[i] - 1, ties[i] + 1
            while i + 1 < len(ties) and ties[i + 1] == end:
                end += 1
                i += 1
            rows[start:end] = sorted(rows[start:end], key=lambda r: sql_order(r[key]),
                                     reverse=self.descending)
            i += 1
        return rows


class Count(NamedTuple):
    """How many complaints match: `total` exactly, or, when `more`, more than `total`."""
    total: int
    more: bool = False


class _Newest:
    """A listing newest first, up to a limit: `shown` and `count` are known once the
    last batch has been read."""

    def __init__(self, lg: Ledger, clause: str, params: list[Any], limit: int | None,
                 count_order: str = "") -> None:
        self.lg, self.clause, self.params, self.limit = lg, clause, params, limit or 0
        self.count_order = count_order
        self.shown = 0
        self.count: Count | None = None

    def _newest(self, cur: sqlite3.Cursor, sql: str, time: int, id_: int, size: int,
                matches: str) -> Iterator[list[tuple[Any, ...]]]:
        """Batches of the rows of `sql` (ordered by its time column, newest first), each
        run of one time in descending id order, up to the limit; then `count` from
        `matches` (one row per match), capped when the limit cut the listing short."""
        cur.execute(sql, self.params)
        cur.arraysize = min(size, self.limit + 1) if self.limit else size
        more = False
        ordered = IdOrderWithinTime(iter(cur.fetchmany, []), time, id_, True)
        for rows in ordered:
            if self.limit and self.shown + len(rows) > self.limit:
                rows = rows[:self.limit - self.shown]
                more = True
            if rows:
                self.shown += len(rows)
                yield rows
            # a full page, and rows after it: there are more (without reading on)
            more = more or (self.limit > 0 and self.shown == self.limit and
                            bool(ordered.waiting))
            if more:
                break
        if more:
            cap = max(COUNT_CAP, 2 * self.limit)
            n = cur.execute(f"SELECT count(*) FROM ({matches} LIMIT ?)",
                            [*self.params, cap + 1]).fetchone()[0]
            self.count = Count(cap, True) if n > cap else Count(n)
        else:
            self.count = Count(self.shown)


class Listing(_Newest):
    """The complaints of a `list`, newest first, read from one snapshot while they are
    consumed, a batch at a time; each batch as its columns (a tuple per column of
    LIST_COLUMNS, the contact masked), the form a writer converts fastest."""

    def batches(self, size: int = 1000) -> Generator[list[Sequence[Any]], None, None]:
        with self.lg.read() as cur:
            # Ordered by the time alone, the index's order (with "id DESC" as well SQLite
            # sorts every row, whole: a tenth of a listing's time, and for a table of
            # 200 the whole ledger with its subqueries); the complaints received at one
            # instant are put in descending id order by IdOrderWithinTime.
            for rows in self._newest(cur, f"SELECT {_SELECT} FROM complaints{self.clause}"
                                     " ORDER BY received_at DESC", _RECEIVED, _ID, size,
                                     f"SELECT 1 FROM complaints{self.clause}{self.count_order}"):
                yield _columns(rows)

    def dicts(self) -> list[dict[str, Any]]:
        """Every row as a dict (for a table: the listing is limited)."""
        return [dict(zip(LIST_COLUMNS, row, strict=True))
                for columns in self.batches() for row in zip(*columns, strict=True)]


class ReturnListing(_Newest):
    """The returns of a `return list`, newest opened first, read from one snapshot a
    batch at a time; each batch as returns_list's dicts."""

    def batches(self, size: int = 1000) -> Generator[list[dict[str, Any]], None, None]:
        currency = self.lg.config.currency
        with self.lg.read() as cur:
            more = cur.connection.cursor()  # the dispositions, beside the listing's reads
            for rows in self._newest(cur, f"{_RETURN_SELECT}{self.clause} ORDER BY "
                                     "r.opened_at DESC", _OPENED, 0, size,
                                     f"SELECT 1 FROM returns r{self.clause}"):
                yield _finish_returns(more, rows, currency)

    def dicts(self) -> list[dict[str, Any]]:
        return [r for batch in self.batches() for r in batch]


def return_stream(lg: Ledger, *, open_only: bool = False, complaint_id: str | None = None,
                  limit: int | None = None) -> ReturnListing:
    """Returns matching the filters, the newest opened first, at most `limit` (0 or None:
    all), as a ReturnListing to read batch by batch. A complaint that is not in the
    ledger is NotFound (a mistyped id read "No returns match.", exit 0)."""
    if complaint_id:
        try:
            Rows().complaint(lg.conn.cursor(), complaint_id)
        except NotFound as exc:
            if exc.code != "a_return":
                raise
            # (its hint pointed at the return commands' help, not at this listing)
            raise NotFound(exc.message, hint=_(
                "its complaint's returns: complaintctl return list --complaint {complaint}"
            ).format(complaint=exc.params["complaint"]), code="a_return",
                record=complaint_id, complaint=exc.params["complaint"]) from None
    clause, params = _return_clause(open_only, complaint_id, None)
    return ReturnListing(lg, clause, params, limit)


def _contain(where: list[str], params: list[Any],
             filters: tuple[tuple[str, str | None], ...], *, loose: bool = False) -> None:
    """The text filters given, (column, text): the name in the column contains the text,
    spaces, dashes and underscores aside (_name_match; `loose`, a customer's name: dots
    too): an owner assigned as 王 芳 was left out of `overdue --owner 王芳` without a
    word, XD-200 out of `list --product XD200`."""
    for col, value in filters:
        if value:
            clause, values = _name_match(col, value, loose=loose)
            where.append(clause)
            params += values


# What a name filter looks past, as the repeat key does (parse.repeat_key), in what SQL
# does without Python per row: spaces, dashes and underscores, and in a customer's name
# dots (names are stored as parse.name reads them: one kind of space, these half width).
# XD200 finds XD-200 and XD 200; "Acme Ltd." finds Acme Ltd and ACME LTD.
_NAME_GAPS = (" ", "-", "_")
_CUSTOMER_GAPS = (*_NAME_GAPS, ".")
_SUBSEQUENCE = 8  # characters of the text the cheap first test looks for, in order


def _name_match(col: str, value: str, *, loose: bool) -> tuple[str, list[str]]:
    """A condition that the name in `col` contains the text (contains) once both are
    read without their spaces, dashes and underscores (`loose`, a customer's name:
    dots too): the spellings a clerk types of one name; with its parameters. The
    replace()s cost a row several plain matches (65 ms against 10 on 100,000 rows); a
    first test that the name holds the text's first characters in their order (true
    of every match) leaves them to the few rows that might match: a rare name is found
    as fast as by the plain match."""
    gaps = _CUSTOMER_GAPS if loose else _NAME_GAPS
    bare = value
    for gap in gaps:
        bare = bare.replace(gap, "")
    if not bare:  # nothing but what is looked past: as typed
        return f"{col} LIKE ? ESCAPE '\\'", [contains(value)]
    stripped = col
    for gap in gaps:
        stripped = f"replace({stripped}, '{gap}', '')"
    return (f"{col} LIKE ? ESCAPE '\\' AND {stripped} LIKE ? ESCAPE '\\'",
            ["%" + "%".join(contains(ch)[1:-1] for ch in bare[:_SUBSEQUENCE]) + "%",
             contains(bare)])


NAMES_SHOWN = 8  # of the departments or owners there are, in a warning


def _nearness(text: str, name: str) -> float:
    """How near a name is to a filter that found nothing: the better of the two read
    whole (difflib's ratio) and of how much of the text the name holds in order (a
    filter is part of a name: 华冬电器 is near 华东电器有限公司, whose ratio is low)."""
    import difflib

    text, name = text.casefold(), name.casefold()
    match = difflib.SequenceMatcher(None, text, name)
    held = sum(block.size for block in match.get_matching_blocks()) / len(text)
    return max(match.ratio(), held)


def first_received(lg: Ledger) -> str | None:
    """When the ledger's first complaint was received (stored form), None if it has none."""
    with lg.read() as cur:
        (first,) = cur.execute("SELECT min(received_at) FROM complaints").fetchone()
    return first


def never_matched(lg: Ledger, department: str | None, owner: str | None,
                  table: str = "assignments", customer: str | None = None
                  ) -> list[tuple[str, str, list[str], bool]]:
    """The --dept and --owner filters no assignment (`table` "actions": no CAPA item)
    ever matched (a misspelt department in a cron line printed "nothing overdue" every
    morning), and the --customer no complaint has: (field, text, the names there are
    nearest to it first, at most NAMES_SHOWN, whether there are more). Read only when a
    listing came out empty."""
    out: list[tuple[str, str, list[str], bool]] = []
    with lg.read() as cur:
        for column, text, source in (("department", department, table),
                                     ("owner", owner, table),
                                     ("customer", customer, "complaints")):
            if not text:
                continue
            clause, values = _name_match(column, text, loose=column == "customer")
            if cur.execute(f"SELECT 1 FROM {source} WHERE {clause} LIMIT 1", values
                           ).fetchone() is None:
                names = [name for (name,) in cur.execute(
                    f"SELECT DISTINCT {column} FROM {source} WHERE {column} IS NOT NULL "
                    "LIMIT 1000")]
                # those holding most of the text's characters and pairs of characters
                # (each of them, not its first eight: names that share a prefix; pairs:
                # 2222 tells …2222 from every name with a 2), wherever they are among
                # many (a ledger of 5,000 customers: the first thousand had not the one
                # meant; and among Latin names every one holds a letter of it)
                folded = text.casefold().replace(" ", "")
                parts = [*list(dict.fromkeys(folded))[:32],
                         *list(dict.fromkeys(folded[i:i + 2] for i in range(len(folded) - 1)
                                             ))[:32]]
                held = " + ".join(f"(instr(lower({column}), ?) > 0)" for _p in parts)
                near = [name for (name,) in cur.execute(
                    f"SELECT {column} FROM (SELECT DISTINCT {column} FROM {source} WHERE "
                    f"{column} IS NOT NULL) ORDER BY {held} DESC LIMIT 500", parts)
                        ] if parts else []
                known = sorted(dict.fromkeys([*near, *names]),
                               key=lambda name: -_nearness(text, name))[:NAMES_SHOWN]
                out.append((column, text, known, len(names) > len(known)))
    return out


def _held_keys(cur: sqlite3.Cursor, ref: str) -> list[str]:
    """The source keys the ledger holds that are `ref` (show --ref, list --ref): as
    typed, as an import reads a key, or as one before stored it; when none is, those that
    are it as an import compares keys (parse.key_fold: letter case aside), by reading
    every key (ab-1 is ab-1 where the ledger holds AB-1 and ab-1). A key of several
    columns (003 | 2025-03-08) is found typed with the bar spaced otherwise (003|2025-03-08),
    and by its first column alone (003: every complaint numbered so, with the one a key
    of that column alone brought in, which a register re-imported under the longer key
    leaves voided)."""
    joined = _key_parts(ref)
    one_column = joined == ref.strip()  # (no bar: also the first column of longer keys)
    typed = list(dict.fromkeys((ref, name_width(ref), full_width(name_width(ref)), joined)))
    keys = [k for (k,) in cur.execute(
        "SELECT DISTINCT source_key FROM complaints WHERE source_key IN "
        f"({', '.join('?' * len(typed))})", typed)]
    if one_column:
        first = name_width(joined) + " | "
        keys += [k for (k,) in cur.execute(
            "SELECT DISTINCT source_key FROM complaints WHERE source_key >= ? AND "
            "source_key < ?", (first, first + "\U0010ffff"))]
    if not keys:
        wanted = key_fold(joined)
        first_of = wanted + " | " if one_column else None
        keys = [k for (k,) in cur.execute(
            "SELECT DISTINCT source_key FROM complaints WHERE source_key IS NOT NULL")
            if (folded := key_fold(k)) == wanted
            or first_of is not None and folded.startswith(first_of)]
    return list(dict.fromkeys(keys))


def _key_parts(ref: str) -> str:
    """A key typed with its columns' bars spaced any way, as an import joins them
    (" | "; a bar escaped, \\|, is a cell's own)."""
    parts = re.split(r"(?<!\\)\|", ref)
    return " | ".join(part.strip() for part in parts) if len(parts) > 1 else ref.strip()


def list_stream(lg: Ledger, *, status: str | None = None, department: str | None = None,
                owner: str | None = None, customer: str | None = None,
                product: str | None = None, category: str | None = None,
                severity: str | None = None, since: datetime | None = None,
                until: datetime | None = None, limit: int | None = None,
                ref: str | None = None, ids: Sequence[str] | None = None) -> Listing:
    """Complaints matching every filter given, newest first, at most `limit` (0 or
    None: all), as a Listing to read batch by batch. `ref`: the id of an imported
    register (source_key), exactly; `ids`: among these complaints only."""
    where: list[str] = []
    params: list[Any] = []
    if ids is not None:
        where.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(ids)))
    if ref is not None:  # as typed, as an import reads a key, as one before stored it, or
        # in another letter case (ab-1 for AB-1): the keys held that are it as an import
        # compares keys
        with lg.read() as cur:
            keys = _held_keys(cur, ref)
        where.append(f"source_key IN ({', '.join('?' * len(keys))})" if keys else "0")
        params += keys
    if status == "open":
        where.append(f"status IN ({_OPEN})")
        status = None
    for col, value in (("status", status), ("category", category), ("severity", severity)):
        if value:
            where.append(f"{col} = ?")
            params.append(value)
    _contain(where, params, (("department", department), ("owner", owner),
                             ("product", product)))
    _contain(where, params, (("customer", customer),), loose=True)
    if since:
        where.append("received_at >= ?")
        params.append(iso(since))
    if until:
        where.append("received_at < ?")
        params.append(iso(until))
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    # The capped count reads the newest first, as the listing does: the matches of a
    # text are then found at the rate they occur, through the index that holds the
    # received time with the customer, product and department (complaints_received_void)
    # -- in the order of the customer index (complaints_repeat, which SQLite picks
    # otherwise) a common text may come only after most of the ledger. Not with a
    # status: its own index finds the matches, and an order would sort them all.
    order = "" if status or "status IN" in clause else " ORDER BY received_at DESC"
    return Listing(lg, clause, params, limit, order)


def list_complaints(lg: Ledger, *, limit: int | None = None, **filters: Any
                    ) -> tuple[list[dict[str, Any]], Count]:
    """list_stream's complaints as dicts, and how many match."""
    listing = list_stream(lg, limit=limit, **filters)
    rows = listing.dicts()
    assert listing.count is not None
    return rows, listing.count


# CAPA items of complaints not void (a void one's are owed no more), and those late at
# a time (?): past their due date and not done. action list --late lists the two at
# once, and overdue points to it when it would list one.
_OWED_ACTION = "c.status != 'void'"
_LATE_ACTION = "a.done_at IS NULL AND a.due_at < ?"


def late_actions(lg: Ledger, now: str) -> bool:
    """Whether a CAPA item is late at `now` (one action list --late lists):
    the first found through the index of those not done. (Counted, each one's complaint
    read: 31 ms of the 100,000-complaint demo's 5,313, 0.8 s the first time in a process,
    where overdue takes 40.)"""
    with lg.read() as cur:
        found = cur.execute(
            "SELECT 1 FROM actions a JOIN complaints c ON c.id = a.complaint_id WHERE "
            f"{_OWED_ACTION} AND {_LATE_ACTION} LIMIT 1", (now,)).fetchone()
    return found is not None


def action_list(lg: Ledger, now: str, *, late: bool = False, every: bool = False,
                owner: str | None = None, complaint_id: str | None = None
                ) -> list[dict[str, Any]]:
    """CAPA items, the soonest due first: those not verified yet (`every`: all; `late`:
    those not done and past due at `now`), of an owner (a part of the name) or of one
    complaint. Each with its complaint's customer and status, its state code
    (verified, done, overdue, open; void: one not done of a void complaint, listed only
    when its complaint is asked for, never as late) and whether it was done late."""
    # (a void complaint's items are owed no more: left out, but of the one complaint
    # asked for, whose items were "No CAPA item matches" while show listed them)
    where, params = ([] if complaint_id and not late else [_OWED_ACTION]), []
    if late:
        where.append(_LATE_ACTION)
        params.append(now)
    elif not every:
        where.append("a.verified_at IS NULL")
    _contain(where, params, (("a.owner", owner),))
    with lg.read() as cur:
        if complaint_id:
            key = Rows().complaint(cur, complaint_id)["id"]  # NotFound for a mistyped id
            where.append("a.complaint_id = ?")
            params.append(key)
        rows = _rows(cur, "SELECT a.id, a.complaint_id, c.customer, c.status AS "
                     "complaint_status, a.text, a.owner, a.due_at, a.created_at, "
                     "a.created_by, a.done_at, a.done_by, a.verified_at, a.verified_by, "
                     "a.verify_note FROM actions a JOIN "
                     f"complaints c ON c.id = a.complaint_id WHERE "
                     f"{' AND '.join(where) or '1'} ORDER BY a.due_at, a.id", tuple(params))
    for a in rows:
        a["state"] = workflow.action_state(a, now)
        if a["complaint_status"] == "void" and a["state"] in ("open", "overdue"):
            a["state"] = "void"
        a["done_late"] = workflow.done_late(a)
    return rows


def attachment_list(lg: Ledger, record_id: str) -> list[dict[str, Any]]:
    """The attachments of a complaint (its returns' included) or of a return."""
    key = record_key(record_id)
    returned = is_return_id(lg, key)
    with lg.read() as cur:
        table, missing = ("returns", NotFound(
            _("no return {id}").format(id=shown(record_id)), code="no_return",
            hint=_("find it with: complaintctl return list --complaint ID"), record=record_id)) \
            if returned else ("complaints", NotFound(
                _("no complaint {id}").format(id=shown(record_id)),
                hint=_("find it with: complaintctl list --customer NAME"), code="no_complaint",
                record=record_id))
        _one(cur, f"SELECT id FROM {table} WHERE id = ?", (key,), missing)
        column = "return_id" if returned else "complaint_id"
        return _rows(cur, f"SELECT {_ATTACHMENT_COLS}, complaint_id FROM attachments "
                     f"WHERE {column} = ? ORDER BY id", (key,))


def status_counts(lg: Ledger) -> dict[str, int]:
    """Complaints by status."""
    with lg.read() as cur:
        return dict(cur.execute("SELECT status, count(*) FROM complaints "
                                "GROUP BY status ORDER BY status").fetchall())


def show_first_id(lg: Ledger) -> str | None:
    """A complaint worth showing first: the latest reopened one, else the latest."""
    with lg.read() as cur:
        row = cur.execute("SELECT id FROM complaints WHERE reopen_count > 0 "
                          "ORDER BY received_at DESC LIMIT 1").fetchone() or \
            cur.execute("SELECT id FROM complaints ORDER BY received_at DESC "
                        "LIMIT 1").fetchone()
    return row[0] if row else None


def overdue(lg: Ledger, as_of: datetime, *, department: str | None = None,
            owner: str | None = None, severity: str | None = None,
            customer: str | None = None, current: bool = True) -> list[dict[str, Any]]:
    """Every stage past its deadline at `as_of`, most late first.

    With `current` (as_of is now), only the open-stage index is read; for
    an earlier instant, stages done after it count as open then, and the
    department and owner (shown and filtered on) are those of the assignment
    in force then; a voided import batch's complaints are left out (reports.py).
    """
    at = iso(as_of)
    if current:
        where = ["s.done_at IS NULL", "s.due_at < ?"]
        params: list[Any] = [at]
        owners, then = "c", ""
    else:
        # (a voided import batch is left out, as the reports leave it out: its rows were
        # wrong, and the register imported again is there beside it)
        where = ["s.due_at < ?", "s.started_at <= ?", "(s.done_at IS NULL OR s.done_at > ?)",
                 "(c.import_batch IS NULL OR c.import_batch NOT IN (SELECT id FROM "
                 "import_batches WHERE voided_at IS NOT NULL))"]
        params = [at, at, at, at]
        owners, then = "a", (
            "LEFT JOIN assignments a ON a.id = (SELECT x.id FROM assignments x WHERE "
            "x.complaint_id = s.complaint_id AND x.at <= ? ORDER BY x.at DESC, x.id DESC "
            "LIMIT 1) ")
    _contain(where, params, ((f"{owners}.department", department), (f"{owners}.owner", owner)))
    _contain(where, params, (("c.customer", customer),), loose=True)
    if severity:
        where.append("c.severity = ?")
        params.append(severity)
    cfg = lg.config
    with lg.read() as cur:
        rows = cur.execute(
            "SELECT s.complaint_id, s.return_id, s.stage, s.round, s.due_at, c.severity, "
            f"{owners}.department, {owners}.owner, c.customer, c.product FROM stages s "
            f"JOIN complaints c ON c.id = s.complaint_id {then}WHERE {' AND '.join(where)} "
            "ORDER BY s.due_at, s.complaint_id, s.id", params).fetchall()
        # in the past, by the calendar and the escalation levels as they stood then
        late_at = deadlines.LateAt(as_of, cfg.calendar() if current else cfg.calendar_as_of(at),
                                   cfg.tz, cfg.escalation(None if current else at))
    out = []
    for cid, rid, stage, round_, due_s, sev, dept, own, cust, prod in rows:
        late = late_at(from_iso(due_s))  # late, if below the first escalation: level 0
        out.append({"id": rid or cid, "kind": "return" if rid else "complaint",
                    "complaint_id": cid, "stage": stage, "round": round_, "severity": sev,
                    "department": dept, "owner": own, "customer": cust, "product": prod,
                    "due_at": due_s, "late_hours": late.late_hours,
                    "late_working_days": late.late_working_days,
                    "escalation_level": late.level, "escalate_to": late.escalate_to})
    return out
