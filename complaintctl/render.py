"""Output: Rich tables for a terminal; json, csv (UTF-8 with BOM, formula
cells neutralised) and markdown (pipes escaped) for files and mail.

Works on plain data (lists of dicts); never touches the database. User text
is always rendered as text, never as Rich markup. Rich is imported only when
a Rich table is drawn.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

from complaintctl import i18n, words

if TYPE_CHECKING:  # Rich is imported when a table is drawn, not with this module
    from rich.box import Box
    from rich.console import Console, RenderableType
    from rich.table import Table

UTC = timezone.utc


class Col(NamedTuple):
    key: str
    header: str
    kind: str = "text"  # text | code (never wrapped) | wrap (long text) | time | day | num

    def cell(self, row: dict[str, Any], tz: tzinfo) -> str:
        return cell_text(row.get(self.key), self.kind, tz)


def cell_text(value: Any, kind: str, tz: tzinfo) -> str:
    if value is None:
        return ""
    if kind == "time" and isinstance(value, str) and value.endswith("Z"):
        return local_time(value, tz)
    if kind == "day" and isinstance(value, str) and value.endswith("Z"):
        return local_time(value, tz)[:10]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def local_time(value: str, tz: tzinfo) -> str:
    dt = datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC).astimezone(tz)
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {dt.hour:02d}:{dt.minute:02d}"


# --- plain formats ----------------------------------------------------------

def to_json(data: Any) -> str:
    """JSON with one list item or one top-level key per line, the rest compact:
    readable, diffable, and written by json's C encoder (its indenting encoder is
    pure Python and ten times slower on a 10,000-line register)."""
    dump = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per item

    if isinstance(data, list):
        return "[\n" + ",\n".join(dump(row) for row in data) + "\n]\n" if data else "[]\n"
    if isinstance(data, dict) and data:
        return "{\n" + ",\n".join(f"  {dump(k)}: {dump(v)}" for k, v in data.items()) + "\n}\n"
    return dump(data) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A spreadsheet cell that would start a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(rows: Iterable[dict[str, Any]], cols: Sequence[Col], tz: tzinfo,
           bom: bool = True) -> str:
    import csv

    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.header for c in cols])
    for row in rows:
        writer.writerow([neutralise(c.cell(row, tz)) for c in cols])
    return buf.getvalue()


def kv_csv(pairs: Sequence[tuple[str, str]], tz: tzinfo, bom: bool = True) -> str:
    """Field/value pairs as a two-column CSV."""
    return to_csv([{"field": k, "value": v} for k, v in pairs],
                  (Col("field", "field"), Col("value", "value")), tz, bom=bom)


def md_cell(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "")
            .replace("\n", "<br>"))


def to_markdown(rows: Iterable[dict[str, Any]], cols: Sequence[Col], tz: tzinfo,
                title: str | None = None) -> str:
    lines = [f"## {md_cell(title)}", ""] if title else []
    lines.append("| " + " | ".join(md_cell(c.header) for c in cols) + " |")
    lines.append("|" + "|".join("---:" if c.kind == "num" else "---" for c in cols) + "|")
    for row in rows:
        lines.append("| " + " | ".join(md_cell(c.cell(row, tz)) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def kv_markdown(pairs: Sequence[tuple[str, str]], title: str | None = None) -> str:
    lines = [f"## {md_cell(title)}", ""] if title else []
    lines += ["| field | value |", "|---|---|"]
    lines += [f"| {md_cell(k)} | {md_cell(v)} |" for k, v in pairs]
    return "\n".join(lines) + "\n"


# --- Rich ------------------------------------------------------------------

_STYLE = {"ascii": False}


def use_ascii(on: bool) -> None:
    """Draw table lines with ASCII: some CJK terminals draw box characters (East
    Asian "ambiguous" width) double and break the columns."""
    _STYLE["ascii"] = on


def console(on_broken_pipe: Callable[[], None] | None = None) -> Console:
    """A Console that prints text as it is; `on_broken_pipe`, if given, is called
    instead of Rich's own handler (which exits 1) when stdout's reader went away."""
    from rich.console import Console

    if on_broken_pipe is None:
        return Console(highlight=False, emoji=False, markup=False)
    reader_gone = on_broken_pipe

    class _Console(Console):  # Rich's documented way: override the method in a subclass
        def on_broken_pipe(self) -> None:
            reader_gone()

    return _Console(highlight=False, emoji=False, markup=False)


def _box() -> Box:
    from rich import box

    return box.ASCII if _STYLE["ascii"] else box.SIMPLE_HEAD


def rich_table(rows: Iterable[dict[str, Any]], cols: Sequence[Col], tz: tzinfo,
               title: str | None = None, styles: dict[str, str] | None = None) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, box=_box(),
                  title_justify="left", show_lines=False, pad_edge=False,
                  padding=(0, 0))
    for c in cols:
        table.add_column(Text(c.header), overflow="fold",
                         justify="right" if c.kind == "num" else "left",
                         no_wrap=c.kind in ("time", "day", "num", "code"),
                         min_width=len(c.header) if c.kind in ("code", "num") else None)
    for row in rows:
        style = (styles or {}).get(row.get("_style", ""), "")
        table.add_row(*(Text(c.cell(row, tz)) for c in cols), style=style)
    return table


def kv_table(pairs: Sequence[tuple[str, str]], title: str | None = None) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, box=_box(), show_header=False,
                  title_justify="left")
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for k, v in pairs:
        table.add_row(Text(k), Text(v))
    return table


# --- the shapes of each listing ---------------------------------------------

LIST_COLS = (Col("id", "id", "code"), Col("received_at", "received", "day"),
             Col("status", "status", "code"), Col("severity", "severity", "code"),
             Col("category", "category"), Col("customer", "customer", "wrap"),
             Col("product", "product", "wrap"), Col("owner", "owner"))

LIST_CSV_COLS = (Col("id", "id"), Col("received_at", "received", "time"), Col("status", "status"),
                 Col("severity", "severity"), Col("category", "category"),
                 Col("channel", "channel"), Col("customer", "customer"),
                 Col("contact", "contact"), Col("product", "product"),
                 Col("quantity", "quantity", "num"), Col("department", "department"),
                 Col("owner", "owner"), Col("reopen_count", "reopened", "num"),
                 Col("repeat_of", "repeat of"), Col("description", "description"),
                 Col("last_contact_at", "last contact", "time"))

OVERDUE_COLS = (Col("id", "id", "code"), Col("kind", "kind", "code"),
                Col("stage", "stage", "code"), Col("severity", "severity", "code"),
                Col("department", "dept"), Col("owner", "owner"),
                Col("customer", "customer", "wrap"), Col("due_at", "due", "time"),
                Col("late_hours", "late h", "num"), Col("late_working_days", "late wd", "num"),
                Col("escalation_level", "level", "num"), Col("escalate_to", "escalate to"))

# A terminal is narrow: the table keeps what a supervisor acts on.
OVERDUE_TABLE_COLS = (Col("id", "id", "code"), Col("stage", "stage", "code"),
                      Col("department", "dept"), Col("owner", "owner"),
                      Col("due_at", "due", "time"), Col("late", "late", "num"),
                      Col("escalation", "escalate to"))


def overdue_table_row(row: dict[str, Any]) -> dict[str, Any]:
    """Late as working days (or hours under one), level folded into whom."""
    late = (f"{row['late_working_days']} wd" if row["late_working_days"]
            else f"{row['late_hours']:.1f} h")
    return {**row, "late": late, "_style": str(row["escalation_level"]),
            "escalation": f"L{row['escalation_level']} "
                          f"{words.label('role', row['escalate_to'], i18n.lang())}"}

STAGE_COLS = (Col("stage", "stage", "code"), Col("round", "round", "num"),
              Col("started_at", "started", "time"), Col("due_at", "due", "time"),
              Col("done_at", "done", "time"), Col("state", "state"))

ACTION_COLS = (Col("id", "action", "num"), Col("text", "text", "wrap"), Col("owner", "owner"),
               Col("due_at", "due", "time"), Col("done_at", "done", "time"),
               Col("verified_at", "verified", "time"), Col("verified_by", "verified by"))

EVENT_COLS = (Col("at", "at", "time"), Col("actor", "actor"), Col("kind", "kind", "code"),
              Col("summary", "what", "wrap"))

RETURN_COLS = (Col("id", "id", "code"), Col("complaint_id", "complaint", "code"),
               Col("stage", "stage", "code"), Col("authorised_qty", "auth", "num"),
               Col("received_qty", "recv", "num"),
               Col("disposed_qty", "disp", "num"), Col("flag", "count", "code"),
               Col("due_at", "due", "time"))

RETURN_CSV_COLS = (Col("id", "id"), Col("complaint_id", "complaint"), Col("stage", "stage"),
                   Col("customer", "customer"), Col("product", "product"), Col("lot", "lot"),
                   Col("opened_at", "opened", "time"), Col("authorised_qty", "authorised", "num"),
                   Col("received_qty", "received", "num"), Col("disposed_qty", "disposed", "num"),
                   Col("discrepancy", "discrepancy"), Col("result", "result"),
                   Col("defective_qty", "defective", "num"), Col("due_at", "due", "time"),
                   Col("dispositions", "dispositions"), Col("cost_of_loss", "cost of loss"),
                   Col("repair_cost", "repair cost"), Col("currency", "currency"))

NOTE_COLS = (Col("at", "at", "time"), Col("actor", "by"), Col("kind", "kind", "code"),
             Col("return_id", "return", "code"), Col("text", "note", "wrap"))

ATTACHMENT_COLS = (Col("id", "att", "num"), Col("name", "name", "wrap"),
                   Col("size_shown", "size", "num"), Col("type", "type", "wrap"),
                   Col("sha256_short", "sha256", "code"), Col("actor", "by"),
                   Col("at", "at", "time"), Col("return_id", "return", "code"),
                   Col("note", "note", "wrap"))


def without_empty_return(rows: Sequence[dict[str, Any]], cols: Sequence[Col],
                         record_id: str | None = None) -> tuple[Col, ...]:
    """The columns, less `return` when no row is on a return other than the record
    shown (a narrow terminal)."""
    if any(r.get("return_id") not in (None, record_id) for r in rows):
        return tuple(cols)
    return tuple(c for c in cols if c.key != "return_id")


def size_text(size: int) -> str:
    """A file size as a person reads it: 812 B, 4.2 KB, 20.0 MB (of 1024)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def attachment_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attachments with their size readable and their sha256 short (12 hex digits)."""
    return [{**r, "size_shown": size_text(r["size"]), "sha256_short": r["sha256"][:12]}
            for r in rows]


def evidence_pairs(rec: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    """Notes and attachments as field/value pairs (the csv of `show`)."""
    pairs = []
    for n in rec.get("notes") or []:
        where = f" on {n['return_id']}" if n["return_id"] and n["return_id"] != rec["id"] \
            else ""
        pairs.append((f"note {n['id']}", f"{cell_text(n['at'], 'time', tz)} {n['kind']} by "
                      f"{n['actor']}{where}: {n['text']}"))
    for a in attachment_rows(rec.get("attachments") or []):
        pairs.append((f"attachment {a['id']}",
                      f"{a['name']} ({a['size_shown']}, {a['type'] or 'unknown type'}, "
                      f"sha256 {a['sha256_short']}) by {a['actor']} "
                      f"{cell_text(a['at'], 'time', tz)}"
                      + (f" on {a['return_id']}" if a["return_id"]
                         and a["return_id"] != rec["id"] else "")
                      + (f": {a['note']}" if a["note"] else "")))
    return pairs


RECEIPT_COLS = (Col("at", "received", "time"), Col("actor", "by"), Col("qty", "qty", "num"),
                Col("note", "note", "wrap"))

DISPOSITION_COLS = (Col("at", "at", "time"), Col("actor", "by"), Col("action", "action"),
                    Col("qty", "qty", "num"), Col("cost_of_loss", "loss", "num"),
                    Col("repair_cost", "repair", "num"), Col("note", "note", "wrap"))


def return_table_row(row: dict[str, Any]) -> dict[str, Any]:
    """The receipt discrepancy as a clerk says it: short 2, over 1."""
    diff = row["received_qty"] - row["authorised_qty"]
    flag = "" if not row["discrepancy"] else (f"short {-diff}" if diff < 0 else f"over {diff}")
    return {**row, "flag": flag}


def return_pairs(r: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    pairs = [("id", r["id"]), ("complaint", r["complaint_id"]), ("stage", r["stage"]),
             ("customer", r["customer"] or ""), ("product", r["product"] or ""),
             ("lot", r["lot"] or ""), ("reason", r["reason"] or ""),
             ("opened", f"{cell_text(r['opened_at'], 'time', tz)} by {r['opened_by']}"),
             ("authorised", str(r["authorised_qty"])),
             ("received", str(r["received_qty"])
              + ("  (DISCREPANCY: differs from authorised)" if r["discrepancy"] else "")),
             ("inspection", " ".join(x for x in (r["result"], f"{r['defective_qty']} defective"
                                                 if r["defective_qty"] is not None else None,
                                                 r["cause"]) if x)),
             ("disposed", f"{r['disposed_qty']} of {r['received_qty']}"
              + (f" ({cell_text(r['dispositions'], 'text', tz)})" if r["dispositions"] else "")),
             ("cost of loss", f"{r['cost_of_loss']} {r['currency']}"),
             ("repair cost", f"{r['repair_cost']} {r['currency']}"),
             ("due", cell_text(r["due_at"], "time", tz)),
             ("closed", cell_text(r["closed_at"], "time", tz))]
    return [(k, v) for k, v in pairs if v]


ESCALATION_STYLES = {"1": "yellow", "2": "bold yellow", "3": "bold red"}


def event_summary(event: dict[str, Any]) -> str:
    data = {k: v for k, v in event["data"].items() if k != "status"}
    if event["kind"] == "note":
        return f"{data.get('kind')}: {data.get('text')}"
    if event["kind"] == "attach":
        return (f"attachment {data.get('attachment')}: {data.get('name')} "
                f"({size_text(data.get('size') or 0)}, sha256 {str(data.get('sha256'))[:12]})"
                + (f"; {data['note']}" if data.get("note") else ""))
    if isinstance(data.get("deadlines"), dict):  # stage → due instant, as the step set them
        data["deadlines"] = ", ".join(f"{stage} {cell_text(due, 'time', UTC)} UTC"
                                      for stage, due in data["deadlines"].items())
    text = "; ".join(f"{k}: {cell_text(v, 'text', UTC)}" for k, v in data.items())
    if event.get("old"):
        old = "; ".join(f"{k}: {cell_text(v, 'text', UTC)}" for k, v in event["old"].items()
                        if v is not None)
        if old:
            text += f"  (was {old})"
    return text


def record_pairs(rec: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    """The fields of `show`, in the order of the paper form (客户投诉登记表)."""
    inv = rec["investigation"]
    res = rec["resolution"] or {}
    pairs = [
        ("id", rec["id"]), ("status", rec["status"]), ("severity", rec["severity"]),
        ("category", rec["category"]), ("channel", rec["channel"]),
        ("received", cell_text(rec["received_at"], "time", tz)),
        ("last contact", cell_text(rec.get("last_contact_at"), "time", tz)),
        ("logged", f"{cell_text(rec['logged_at'], 'time', tz)} by {rec['logged_by']}"),
        ("customer", rec["customer"]), ("contact", rec["contact"] or ""),
        ("region", rec["region"] or ""), ("order", rec["order_no"] or ""),
        ("product", rec["product"] or ""), ("lot", rec["lot"] or ""),
        ("quantity", cell_text(rec["quantity"], "num", tz)),
        ("shipped", rec["shipped_on"] or ""), ("demand", rec["demand"] or ""),
        ("description", rec["description"]),
        ("department", rec["department"] or ""), ("owner", rec["owner"] or ""),
        ("repeat of", rec["repeat_of"] or ""),
        ("repeated by", ", ".join(rec.get("repeated_by") or [])),
        ("reopened", str(rec["reopen_count"])),
        ("validity", inv["validity"] or ""), ("root cause", inv["root_cause"] or ""),
        ("cause category", inv["cause_category"] or ""),
        ("responsibility", " ".join(x for x in (inv["responsibility"], inv["supplier"]) if x)),
        ("disposition", res.get("disposition") or ""),
        ("amount", " ".join(x for x in (res.get("amount"), res.get("currency")) if x)),
        ("approved by", res.get("approved_by") or ""),
        ("customer told", res.get("summary") or ""),
        ("closed", cell_text(rec["closed_at"], "time", tz)
         + (f" ({rec['close_reason']})" if rec.get("close_reason") else "")),
        ("void", (rec["void_reason"] or "")),
    ]
    return [(k, v) for k, v in pairs if v not in ("", None)]


def stage_rows(rec: dict[str, Any], as_of_iso: str) -> list[dict[str, Any]]:
    rows = []
    for s in rec["stages"]:
        if s["outcome"] == "void":
            state = "void"
        elif s["done_at"]:
            state = "on time" if s["done_at"] <= s["due_at"] else "late"
        else:
            state = "LATE" if as_of_iso > s["due_at"] else "open"
        rows.append({**s, "state": state})
    return rows


# --- reports ---------------------------------------------------------------------

REPORT_SECTIONS = ("summary", "by_category", "by_channel", "by_severity", "by_product",
                   "by_customer", "by_department", "pareto_category", "pareto_cause",
                   "handling", "on_time", "returns", "register")

SHARE_COLS = (Col("key", "key"), Col("count", "count", "num"), Col("share_pct", "share", "num"))
DEPT_COLS = (*SHARE_COLS, Col("resolved", "resolved", "num"),
             Col("on_time_pct", "on time", "num"),
             Col("handling_days_mean", "mean days", "num"))
PARETO_COLS = (Col("key", "key"), Col("count", "count", "num"),
               Col("share_pct", "share", "num"), Col("cumulative_pct", "cumulative", "num"))
HANDLING_COLS = (Col("key", "category"), Col("count", "count", "num"),
                 Col("mean", "mean", "num"), Col("median", "median", "num"),
                 Col("p90", "p90", "num"))
ON_TIME_COLS = (Col("key", "stage"), Col("rate_pct", "on time", "num"))
DISPOSITION_COLS_R = (Col("key", "disposition"), Col("quantity", "quantity", "num"))
REGISTER_COLS = (Col("id", "id", "code"), Col("received_at", "received", "day"),
                 Col("closed_at", "closed", "day"), Col("customer", "customer", "wrap"),
                 Col("product", "product", "wrap"), Col("quantity", "qty", "num"),
                 Col("disposition", "disposition"), Col("result", "result"))

REPORT_TITLES = {
    "summary": "Summary", "by_category": "By category", "by_channel": "By channel",
    "by_severity": "By severity", "by_product": "By product", "by_customer": "By customer",
    "by_department": "By department", "pareto_category": "Pareto of categories",
    "pareto_cause": "Pareto of cause categories", "handling": "Handling days by category",
    "on_time": "On-time rate by stage", "returns": "Returns (退货)",
    "register": "Register (客户投诉处理月报表)"}


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _days(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def report_summary(rep: dict[str, Any]) -> list[tuple[str, str]]:
    b, h, c, p, y = (rep["backlog"], rep["handling_days"], rep["capa"], rep["previous_period"],
                     rep["year_to_date"])
    ret = rep["returns"]
    change = p["received_change"]
    return [
        ("period", rep["period"]["label"]),
        ("received", str(rep["received"])), ("resolved", str(rep["resolved"])),
        ("closed", str(rep["closed"])), ("voided", str(rep["voided"])),
        ("backlog", f"{b['start']} → {b['end']} ({b['change']:+d})"),
        ("late at end", str(rep["late_at_end"])),
        ("handling days", f"mean {_days(h['mean'])}, median {_days(h['median'])}, "
                          f"p90 {_days(h['p90'])} ({h['count']} resolved)"),
        ("satisfaction rate", f"{pct(rep['satisfaction_rate'])} of {rep['revisits']} revisits"),
        ("reopen rate", f"{pct(rep['reopen_rate'])} ({rep['reopened']} reopened)"),
        ("repeat rate", pct(rep["repeat_rate"])),
        ("not upheld rate", pct(rep["not_upheld_rate"])),
        ("CAPA", f"opened {c['opened']}, done {c['done']}, verified {c['verified']}, "
                 f"late {c['late']}"),
        ("returns", f"{ret['authorised']} authorised, {ret['quantity_received']} units "
                    f"received, {ret['discrepancies']} with a count discrepancy"),
        ("previous period", f"{p['from']} to {p['to']}: received {p['received']} "
                            f"({'—' if change is None else f'{change * 100:+.1f}%'}), "
                            f"resolved {p['resolved']}, closed {p['closed']}"),
        ("year to date", f"received {y['received']}, resolved {y['resolved']}, "
                         f"closed {y['closed']}, voided {y['voided']}"),
    ]


def report_tables(rep: dict[str, Any]) -> dict[str, tuple[list[dict[str, Any]], tuple[Col, ...]]]:
    """Every table section of a report as (rows, columns)."""
    def shares(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "share_pct": pct(r["share"])} for r in rows]

    def pareto(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "share_pct": pct(r["share"]),
                 "cumulative_pct": pct(r["cumulative_share"])} for r in rows]

    ret = rep["returns"]
    returns_rows = [*ret["by_disposition"],
                    {"key": "cost of loss", "quantity": f"{ret['cost_of_loss']} "
                     f"{ret['currency']}"},
                    {"key": "repair cost", "quantity": f"{ret['repair_cost']} "
                     f"{ret['currency']}"}]
    return {
        "by_category": (shares(rep["by_category"]), SHARE_COLS),
        "by_channel": (shares(rep["by_channel"]), SHARE_COLS),
        "by_severity": (shares(rep["by_severity"]), SHARE_COLS),
        "by_product": (shares(rep["by_product"]), SHARE_COLS),
        "by_customer": (shares(rep["by_customer"]), SHARE_COLS),
        "by_department": ([{**r, "share_pct": pct(r["share"]),
                            "on_time_pct": pct(r["on_time_rate"])}
                           for r in rep["by_department"]], DEPT_COLS),
        "pareto_category": (pareto(rep["pareto_category"]), PARETO_COLS),
        "pareto_cause": (pareto(rep["pareto_cause"]), PARETO_COLS),
        "handling": (rep["handling_days"]["by_category"], HANDLING_COLS),
        "on_time": ([{"key": k, "rate_pct": pct(v)} for k, v in rep["on_time_rate"].items()],
                    ON_TIME_COLS),
        "returns": (returns_rows, DISPOSITION_COLS_R),
        "register": (rep["register"], REGISTER_COLS),
    }


def report_is_empty(rep: dict[str, Any]) -> bool:
    return not any((rep["received"], rep["resolved"], rep["closed"], rep["voided"],
                    rep["revisits"], rep["returns"]["authorised"],
                    rep["returns"]["quantity_received"]))


def report_csv(rep: dict[str, Any], tz: tzinfo, section: str | None = None) -> str:
    summary = report_summary(rep)
    tables = report_tables(rep)
    if section == "summary":
        return kv_csv(summary, tz)
    if section:
        rows, cols = tables[section]
        return to_csv(rows, cols, tz)
    parts = ["\ufeff# summary\r\n" + kv_csv(summary, tz, bom=False)]
    for name, (rows, cols) in tables.items():
        parts.append(f"# {name}\r\n" + to_csv(rows, cols, tz, bom=False))
    return "\r\n".join(parts)


# Sections that grow with the ledger: a terminal or a mail shows their top lines.
LONG_SECTIONS = {"by_customer": 20, "by_product": 20, "register": 50}


def chain_footer(rep: dict[str, Any]) -> str:
    """The line under a report that names the ledger's history it was made from
    (`complaintctl verify --head HASH` checks later that it is still there)."""
    head = rep.get("chain_head") or {"id": 0, "hash": ""}
    return f"Chain head: event #{head['id']} {head['hash'] or '(no events)'}"


def report_markdown(rep: dict[str, Any], tz: tzinfo, section: str | None = None) -> str:
    text = f"# Complaint report (客户投诉处理报表): {md_cell(rep['period']['label'])}\n\n"
    if report_is_empty(rep):
        text += "No complaints in this period.\n\n"
    if section in (None, "summary"):
        text += kv_markdown(report_summary(rep), REPORT_TITLES["summary"])
    for name, (rows, cols) in report_tables(rep).items():
        if section in (None, name) and (rows or section):
            shown = rows if section else rows[:LONG_SECTIONS.get(name, len(rows))]
            text += "\n" + to_markdown(shown, cols, tz, REPORT_TITLES[name])
            if len(shown) < len(rows):
                text += (f"\n… and {len(rows) - len(shown)} more (`--section {name}` "
                         "lists them all).\n")
    if section is None:
        text += "\n" + md_cell(chain_footer(rep)) + "\n"
    return text


def pareto_chart(rows: list[dict[str, Any]], title: str, width: int = 30) -> Table:
    """A Pareto as bars in the terminal: share per key and the running share."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), box=None, title_justify="left", show_header=True,
                  pad_edge=False)
    table.add_column("key", overflow="fold")
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("share", no_wrap=True)
    table.add_column("cumulative", justify="right", no_wrap=True)
    for r in rows:
        bar = ("#" if _STYLE["ascii"] else "█") * max(1, round((r["share"] or 0) * width))
        table.add_row(Text(str(r["key"])), str(r["count"]),
                      Text(f"{bar} {pct(r['share'])}", style="cyan"),
                      pct(r["cumulative_share"]))
    return table


def report_rich(rep: dict[str, Any], tz: tzinfo) -> list[RenderableType]:
    from rich.rule import Rule
    from rich.text import Text

    out: list[RenderableType] = [Rule(Text(f"Complaint report: {rep['period']['label']}"))]
    if report_is_empty(rep):
        out.append(Text("No complaints in this period."))
    out.append(kv_table(report_summary(rep), REPORT_TITLES["summary"]))
    for name, (rows, cols) in report_tables(rep).items():
        if not rows:
            continue
        if name.startswith("pareto_"):
            out.append(pareto_chart(rep[name], REPORT_TITLES[name]))
            continue
        shown = rows[:LONG_SECTIONS.get(name, len(rows))]
        out.append(rich_table(shown, cols, tz, REPORT_TITLES[name]))
        if len(shown) < len(rows):
            out.append(Text(f"… and {len(rows) - len(shown)} more: complaintctl report "
                            f"--format csv --section {name}"))
    out.append(Text(chain_footer(rep)))
    return out


# --- verify -----------------------------------------------------------------------

VERIFY_FIELDS = ("kind", "id", "stored", "expected", "detail")


def _verify_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def verify_lines(problems: list[dict[str, Any]]) -> str:
    """One line per problem: kind, id, stored, expected, detail (aligned columns, no
    box: cron mails it, grep and awk read it; tabs and newlines in values escaped)."""
    rows = [[_verify_cell(p[f]).replace("\t", "\\t").replace("\n", "\\n")
             for f in VERIFY_FIELDS] for p in problems]
    header = ["kind", "id", "stored", "expected", "detail"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    return "".join("  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[-1]])
                   .rstrip() + "\n" for r in [header, *rows])


def verify_ok(result: dict[str, Any]) -> str:
    head = result["head"]
    line = f"OK: {result['events']} events, chain head #{head['id']} {head['hash']}"
    found = result.get("head_found")
    if found:
        line += f"; --head is event #{found['id']}"
    return line + "\n"


def verify_json(result: dict[str, Any]) -> dict[str, Any]:
    return {"ok": result["ok"], "head": result["head"], "events": result["events"],
            "problems": result["problems"], "unrecorded": result["unrecorded"],
            "head_found": result["head_found"]}
