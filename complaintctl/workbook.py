"""The report as a workbook (`report --format xlsx`): the sheets a management review
reads, in the report's language, from the report's plain data (reports.Report.build
and trend.series); no database, no clock.

Cells are typed: counts and money are numbers (money in the ledger's currency
format), rates percentages, days numbers, dates and times Excel dates in the
ledger's time zone. Every text is written as a string cell (never a formula, a
number or a link: sheets.book_chunks sets the workbook so, and this module writes
text only with write_string, through its undecorated _write_string). Column
widths count East-Asian wide characters as two. Charts are XlsxWriter's native
charts: a Pareto is columns for the counts and a line for the cumulative share on a
secondary axis from 0 to 100 %, with the 80 % level as a constant dashed line; the
trend is columns for the counts and lines for the rates.

Every sheet is written top to bottom, row after row. XlsxWriter holds the
workbook in memory and writes each distinct text once (shared strings) up to
IN_MEMORY_LINES lines of the register; a longer register is streamed
(constant_memory: each row to a temporary file as it is written). The cells are
the same either way; in memory, XlsxWriter also caches the charted cells' values
in the charts. Times are written as the number write_datetime would compute
(`_Serials`, from the stored text), with the date-time format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from operator import itemgetter
from typing import Any

from complaintctl import render
from complaintctl.i18n import _, ngettext
from complaintctl.parse import from_iso
from complaintctl.render import N_, NC_, NONE_KEY, label, period_label, report_title
from complaintctl.sheets import (
    EXCEL_EPOCH,
    EXCEL_FIRST,
    book_chunks,
    excel_day,
    excel_money,
    money_format,
    text_width,
)

_BAD_IN_NAME = str.maketrans({c: "_" for c in "[]:*?/\\"})
_MAX_WIDTH = 60
# The most lines of the register a workbook is built in memory for: about 1.3 kB a
# line (92,464 lines: 120 MB more than streamed, for a third less CPU), so at most
# some 65 MB beside the report's own data; a longer register (a busier month, a long
# --since/--until with --register) is streamed.
IN_MEMORY_LINES = 50_000

# A column: (header msgid, kind, key in the row, word-table field or None).
# Kinds: text, int, pct, days, money, time (an ISO UTC instant), date (an ISO day).
Column = tuple[str, str, str, str | None]

# The header of a breakdown's first column (render's, translated when written).
_BY = {"by_category": (N_("category"), "category"), "by_channel": (N_("channel"), "channel"),
       "by_severity": (N_("severity"), "severity"), "by_product": (N_("product"), None),
       "by_customer": (N_("customer"), None), "by_department": (N_("department"), None)}
_PARETO = {"pareto_category": (N_("category"), "category"),
           "pareto_cause": (N_("cause category"), "cause_category")}
_PARETO_EMPTY = {"pareto_category": N_("No complaint was received in this period."),
                 "pareto_cause": N_("No investigation was concluded in this period.")}


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid worksheet name (31 characters, none of []:*?/\\), unique in the book."""
    name = title.translate(_BAD_IN_NAME).strip("'")[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" {n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


class _Book:
    """The workbook with its formats and the names of its sheets."""

    def __init__(self, book: Any, tz: tzinfo, currency: str) -> None:
        self.book, self.tz = book, tz
        self.serials = _Serials(tz)
        self.names: set[str] = set()
        fmt = book.add_format
        self.formats = {
            "title": fmt({"bold": True, "font_size": 14}),
            "header": fmt({"bold": True, "bg_color": "#D9E1F2", "bottom": 1,
                           "text_wrap": True, "valign": "top"}),
            "bold": fmt({"bold": True}),
            "int": fmt({"num_format": "#,##0"}),
            "pct": fmt({"num_format": "0.0%"}),
            "days": fmt({"num_format": "0.00"}),
            "money": fmt({"num_format": money_format(currency)}),
            "time": fmt({"num_format": "yyyy-mm-dd hh:mm"}),
            # the instant a report is as of, to the second (re-run from the minute shown,
            # it counted otherwise)
            "instant": fmt({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "date": fmt({"num_format": "yyyy-mm-dd"}),
        }

    def sheet(self, title: str) -> _Sheet:
        return _Sheet(self, sheet_name(title, self.names))


class _Serials:
    """The Excel serials (days since 1899-12-31, the time a fraction of a day) of stored
    instants (ISO UTC text, `parse.iso`) in the ledger's time zone: the numbers
    XlsxWriter's write_datetime computes from the local date-times, bit for bit.
    `hours` holds, for each UTC hour met ("YYYY-MM-DDTHH:"), the local second its
    first second is (counted from the epoch), when the zone's offset is the same at
    its first and last second; 0 when it is not (the hour of a DST switch), for an
    hour before March 1900 (Excel's leap-year quirk) or for text of another shape:
    those instants go through datetime as before."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.hours: dict[str, int] = {}

    def hour(self, prefix: str) -> int:
        """The local second that starts the UTC hour `prefix` (0: use datetime)."""
        base = 0
        try:
            start = datetime(int(prefix[0:4]), int(prefix[5:7]), int(prefix[8:10]),
                             int(prefix[11:13]), tzinfo=timezone.utc)
        except ValueError:
            start = None
        if start is not None and prefix[4::3] == "--T:":
            offset = start.astimezone(self.tz).utcoffset()
            if (offset is not None and not offset.microseconds and offset == (
                    start + timedelta(seconds=3599)).astimezone(self.tz).utcoffset()):
                base = ((start.toordinal() - EXCEL_EPOCH) * 86400 + start.hour * 3600
                        + int(offset.total_seconds()))
                if base < 61 * 86400:
                    base = 0
        self.hours[prefix] = base
        return base


class _Sheet:
    """A worksheet written top to bottom, that remembers how wide its columns must be
    (from the distinct texts and the largest number written in each).

    Cells go through XlsxWriter's undecorated writers (`_write_string`,
    `_write_number`: what write_string and write_number call once they have checked
    that the cell is not given in A1 notation, which it never is here), and every
    distinct text of a column is shown, measured and labelled once."""

    def __init__(self, book: _Book, name: str) -> None:
        self.book, self.name = book, name
        self.ws = ws = book.book.add_worksheet(name)
        self.put_string = getattr(ws, "_write_string", ws.write_string)
        self.put_number = getattr(ws, "_write_number", ws.write_number)
        self.row = 0
        self.widths: dict[int, int] = {}

    def _fit(self, col: int, width: int) -> None:
        self.widths[col] = max(self.widths.get(col, 0), width)

    def text(self, col: int, value: str, fmt: str | None = None, fit: bool = True) -> None:
        self.put_string(self.row, col, value, self.book.formats[fmt] if fmt else None)
        if fit:
            self._fit(col, text_width(value) + 2)

    def writer(self, col: int, kind: str, word: str | None = None,
               show: Callable[[Any], str] | None = None) -> Callable[[int, Any], None]:
        """A function that writes one typed value (never None) of column `col` in a row.
        A text is shown by `show` when given, else by the label of `word`."""
        ws, formats = self.ws, self.book.formats
        put_number = self.put_number
        if kind in ("int", "pct", "days", "money"):
            fmt = formats[kind]
            most = [0.0]

            def number(row: int, value: Any) -> None:
                n = excel_money(value) if kind == "money" \
                    else getattr(value, "exact", value)  # a rate: its exact value
                if n is None:  # (an amount of more digits than an Excel number keeps)
                    ws.write_string(row, col, str(value), fmt)
                    return
                put_number(row, col, n, fmt)
                if abs(n) > most[0]:
                    most[0] = abs(n)
                    self._fit(col, {"int": len(f"{n:,.0f}"), "pct": 7, "days": len(f"{n:.2f}"),
                                    "money": len(f"{n:,.2f}") + 3}[kind] + 2)
            return number
        if kind in ("time", "date", "instant"):
            write_datetime, fmt = ws.write_datetime, formats[kind]
            self._fit(col, {"time": 18, "instant": 21, "date": 12}[kind])
            if kind == "date":  # its serial (sheets.excel_day)
                def day(row: int, value: Any) -> None:
                    put_number(row, col, excel_day(value), fmt)
                return day
            tz, hours, hour = self.book.tz, self.book.serials.hours, self.book.serials.hour

            def instant(row: int, value: Any) -> None:
                base = hours.get(value[:14]) if len(value) == 20 else 0
                if base is None:
                    base = hour(value[:14])
                if base and value[16] == ":" and value[19] == "Z":
                    days, seconds = divmod(base + int(value[14:16]) * 60 + int(value[17:19]),
                                           86400)
                    # (as XlsxWriter: the days plus the fraction, then the day Excel
                    # counts for 1900-02-29)
                    put_number(row, col, days + float(seconds) / 86400 + 1, fmt)
                else:
                    local = from_iso(value).astimezone(tz).replace(tzinfo=None)
                    if local < EXCEL_FIRST:  # no Excel date (a negative serial: #####):
                        # the previous period of a report from 1900-01-01 counted to 1899
                        self.put_string(row, col, local.strftime(
                            "%Y-%m-%d %H:%M:%S" if kind == "instant" else "%Y-%m-%d %H:%M"))
                    else:
                        write_datetime(row, col, local, fmt)
            return instant
        put_string, widths = self.put_string, self.widths
        self._fit(col, 0)
        shown: dict[Any, str] = {}

        def first(value: Any) -> str:
            """A value's text, the first time it is met in this column."""
            v = value if show is None else show(value)
            if v == NONE_KEY:
                text = _(NONE_KEY)
            elif word and isinstance(v, str):
                text = label(word, v)
            elif isinstance(v, (bytes, bytearray)):  # a BLOB put by hand where text is
                # kept: the ledger's fault (run: store.not_text), as the CSV says it, not
                # b'…' in a cell of the archive
                raise TypeError(render.NOT_TEXT)
            else:
                text = v if isinstance(v, str) else str(v)
            shown[value] = text
            # (a text at most twice its length wide cannot widen a column already as wide)
            if 2 * len(text) + 2 > widths[col] < _MAX_WIDTH:
                widths[col] = max(widths[col], text_width(text) + 2)
            return text

        def text(row: int, value: Any) -> None:
            put_string(row, col, shown.get(value) or first(value))
        return text

    def value(self, col: int, value: Any, kind: str, word: str | None = None) -> None:
        """One typed cell of the current row (nothing for None)."""
        if value is not None:
            self.writer(col, kind, word)(self.row, value)

    def title(self, text: str) -> None:
        self.text(0, text, "title", fit=False)
        self.row += 2

    def header(self, headers: Sequence[str]) -> int:
        """A header row; returns its row number."""
        for c, h in enumerate(headers):
            self.text(c, _(h), "header")
        self.row += 1
        return self.row - 1

    def table(self, columns: Sequence[Column], rows: Iterable[dict[str, Any]], *,
              pick: Callable[[dict[str, Any]], Sequence[Any]] | None = None,
              shows: dict[int, Callable[[Any], str]] | None = None,
              filter_and_freeze: bool = False) -> tuple[int, int]:
        """A header and one row per item; returns (first data row, last data row).
        `pick`: an item's values in the columns' order (default: by their keys);
        `shows`: how a column's values are shown, by column (see `writer`)."""
        top = self.header([h for h, _k, _key, _w in columns])
        writers = [self.writer(c, kind, word, (shows or {}).get(c))
                   for c, (_h, kind, _key, word) in enumerate(columns)]
        if pick is None:
            keys = [key for _h, _kind, key, _w in columns]

            def pick(item: dict[str, Any]) -> Sequence[Any]:
                return [item.get(key) for key in keys]
        r = self.row
        for item in rows:
            for value, write in zip(pick(item), writers, strict=True):
                if value is not None:
                    write(r, value)
            r += 1
        self.row = r
        if filter_and_freeze:
            self.ws.freeze_panes(top + 1, 0)
            self.ws.autofilter(top, 0, max(top, self.row - 1), len(columns) - 1)
        return top + 1, self.row - 1

    def skip(self, n: int = 1) -> None:
        self.row += n

    def finish(self) -> None:
        for col, width in sorted(self.widths.items()):
            self.ws.set_column(col, col, min(max(width, 8), _MAX_WIDTH))


# --- the sheets -------------------------------------------------------------------

def _summary(book: _Book, rep: dict[str, Any]) -> None:
    sh = book.sheet(_("Summary"))
    sh.title(_("Complaint report (客户投诉处理报表): {period}").format(
        period=period_label(rep["period"])))
    # The figures keep their rows from one report to the next (a workbook linking
    # Summary!B22 month after month read another figure when a notice or a row came and
    # went): the notice of an empty period has its row, blank when there is none, and so
    # has the previous period's end
    if render.report_is_empty(rep):  # (said first, as the other formats say it)
        sh.text(0, _(render.EMPTY_PERIOD), "bold", fit=False)
    sh.skip()
    per, head = rep["period"], rep.get("chain_head") or {"id": 0, "hash": ""}
    info: list[tuple[str, Any, str]] = [
        (N_("period"), period_label(per), "text"), (N_("from"), per["from"], "date"),
        (N_("to"), per["to"], "date"), (N_("as of"), per["as_of"], "instant"),
        # a period still running is compared with as much of the one before (empty when
        # the period is over: the previous one is whole)
        (N_("the previous period counted to"), rep["previous_period"].get("until"),
         "instant"),
        # the year to date's days (a week across New Year counts 1 to 3 January only)
        (N_("year to date: from"), rep["year_to_date"]["from"], "date"),
        (N_("year to date: to"), rep["year_to_date"]["to"], "date"),
        (N_("chain head: event"), head["id"], "int"),
        (N_("chain head: hash"), head["hash"] or _("(no events)"), "text"),
        (N_("currency"), rep["returns"]["currency"], "text")]
    for name, value, kind in info:
        sh.text(0, _(name), "bold")
        sh.value(1, value, kind)
        sh.skip()
    sh.skip()
    prev, ytd = rep["previous_period"], rep["year_to_date"]
    sh.header([N_("figure"), N_("this period"), N_("the previous period"),
               N_("change on the previous period"), N_("year to date")])
    for key in ("received", "resolved", "closed", "voided"):
        sh.text(0, _(key))
        sh.value(1, rep[key], "int")
        sh.value(2, prev[key], "int")
        sh.value(3, prev.get(f"{key}_change"), "pct")
        sh.value(4, ytd[key], "int")
        sh.skip()
    b, h, c, ret = rep["backlog"], rep["handling_days"], rep["capa"], rep["returns"]
    figures: list[tuple[str, Any, str]] = [
        (_("backlog at the start"), b["start"], "int"),
        (_("backlog at the end"), b["end"], "int"),
        (_("backlog change"), b["change"], "int"),
        (_("late at end"), rep["late_at_end"], "int"),
        (_("handling days: mean"), h["mean"], "days"),
        (_("handling days: median"), h["median"], "days"),
        (_("handling days: p90"), h["p90"], "days"),
        (_("complaints resolved (handling days)"), h["count"], "int"),
        *((_("on-time rate: {stage}").format(stage=label("stage", stage)), rate, "pct")
          for stage, rate in rep["on_time_rate"].items()),
        (_("satisfaction rate"), rep["satisfaction_rate"], "pct"),
        (_("revisits"), rep["revisits"], "int"),
        (_("revisits satisfied or basically satisfied"), rep["satisfied"], "int"),
        (_("reopen rate"), rep["reopen_rate"], "pct"),
        (_("complaints reopened"), rep["reopened"], "int"),
        (_("repeat rate"), rep["repeat_rate"], "pct"),
        (_("repeat complaints"), rep["repeats"], "int"),
        (_("not upheld rate"), rep["not_upheld_rate"], "pct"),
        (_("investigations concluded"), rep["concluded"], "int"),
        (_("not upheld"), rep["not_upheld"], "int"),
        (_("CAPA opened"), c["opened"], "int"), (_("CAPA done"), c["done"], "int"),
        (_("CAPA verified"), c["verified"], "int"), (_("CAPA late"), c["late"], "int"),
        *((_(name), ret[key], "int") for key, name in render.RETURN_FIGURES),
        (_("cost of loss"), ret["cost_of_loss"], "money"),
        (_("repair cost"), ret["repair_cost"], "money"),
        (_("refunds, discounts, compensation"), rep["paid"]["amount"], "money"),
        (_("resolutions with an amount"), rep["paid"]["count"], "int"),
        (_("refunds, discounts, compensation without an amount"),
         rep["paid"].get("without_amount", 0), "int"),
        *((name, text, "text") for name, text in (*render.register_left_out(rep),
                                                  *render.voided_imports(rep, book.tz)))]
    for name, value, kind in figures:
        sh.text(0, name)
        sh.value(1, value, kind)  # (none: an empty cell, as the other sheets leave it; a
        sh.skip()  # "—" was text in a column of numbers, which a sum or a sort stops at)
    sh.finish()


# (the result: render.register_rows' words for a line's status and result)
REGISTER: tuple[Column, ...] = (
    (N_("id"), "text", "id", None), (N_("received"), "time", "received_at", None),
    (N_("closed"), "time", "closed_at", None), (N_("customer"), "text", "customer", None),
    (N_("product"), "text", "product", None), (N_("qty"), "int", "quantity", None),
    (N_("disposition"), "text", "disposition", "disposition"),
    (N_("result"), "text", "result_shown", None),
    (N_("department"), "text", "department", None), (N_("owner"), "text", "owner", None))
_LINE = itemgetter("id", "received_at", "closed_at", "customer", "product", "quantity",
                   "disposition", "status", "result", "department", "owner")


def _register(book: _Book, rep: dict[str, Any]) -> None:
    """One row per line of the register: the result column's value is the line's
    (status, result), put in words once per distinct pair."""

    def pick(line: dict[str, Any]) -> Sequence[Any]:
        cid, received, closed, customer, product, qty, disp, status, result, dept, owner = (
            _LINE(line))
        return (cid, received, closed, customer, product, qty, disp, (status, result), dept,
                owner)

    def result(pair: tuple[str | None, str | None]) -> str:
        status, result = pair
        return str(render.register_rows([{"status": status, "result": result}])[0][
            "result_shown"])

    sh = book.sheet(report_title("register", rep["period"]))
    sh.table(REGISTER, rep["register"], pick=pick, shows={7: result}, filter_and_freeze=True)
    sh.finish()


def _breakdown(book: _Book, rep: dict[str, Any], name: str) -> None:
    header, word = _BY[name]
    cols: list[Column] = [(header, "text", "key", word),
                          (N_("count"), "int", "count", None),
                          (N_("share"), "pct", "share", None)]
    if name == "by_department":
        cols += [(N_("resolved"), "int", "resolved", None),
                 (N_("resolves"), "int", "resolves", None),
                 (N_("on time"), "int", "resolves_on_time", None),
                 (NC_("on-time", "rate"), "pct", "on_time_rate", None),
                 (N_("mean days"), "days", "handling_days_mean", None),
                 (N_("median"), "days", "handling_days_median", None),
                 (N_("p90"), "days", "handling_days_p90", None)]
    sh = book.sheet(report_title(name))
    sh.table(cols, render.spelt(rep[name]), filter_and_freeze=True)
    sh.finish()


def _pareto_chart(book: _Book, sh: _Sheet, first: int, last: int, title: str) -> Any:
    """Columns for the counts (column B), a line for the cumulative share (D) and the
    80 % level (E) on a secondary axis from 0 to 100 %."""
    name = sh.name
    bars = book.book.add_chart({"type": "column"})
    bars.add_series({"name": _("count"), "categories": [name, first, 0, last, 0],
                     "values": [name, first, 1, last, 1], "fill": {"color": "#4472C4"},
                     "gap": 50})
    line = book.book.add_chart({"type": "line"})
    line.add_series({"name": _("cumulative share"), "categories": [name, first, 0, last, 0],
                     "values": [name, first, 3, last, 3], "y2_axis": True,
                     "line": {"color": "#C00000", "width": 2.25},
                     "marker": {"type": "circle", "size": 5,
                                "fill": {"color": "#C00000"}, "border": {"color": "#C00000"}}})
    line.add_series({"name": _("80% level"), "categories": [name, first, 0, last, 0],
                     "values": [name, first, 4, last, 4], "y2_axis": True,
                     "line": {"color": "#7F7F7F", "width": 1.5, "dash_type": "dash"},
                     "marker": {"type": "none"}})
    line.set_y2_axis({"min": 0, "max": 1, "major_unit": 0.2, "num_format": "0%",
                      "name": _("cumulative share")})
    bars.combine(line)
    bars.set_title({"name": title, "name_font": {"size": 12}})
    bars.set_y_axis({"name": _("count"), "min": 0, "major_gridlines": {"visible": True}})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 620, "height": 340})
    return bars


def _pareto(book: _Book, rep: dict[str, Any]) -> None:
    sh = book.sheet(_("Pareto"))
    for name, (header, word) in _PARETO.items():
        top = sh.row
        title = report_title(name)
        sh.title(title)
        rows = [{**r, "level": 0.8} for r in rep[name]]
        first, last = sh.table([(header, "text", "key", word),
                                (N_("count"), "int", "count", None),
                                (N_("share"), "pct", "share", None),
                                (N_("cumulative share"), "pct", "cumulative_share", None),
                                (N_("80% level"), "pct", "level", None)], rows)
        if rows:
            sh.ws.insert_chart(top, 6, _pareto_chart(book, sh, first, last, title))
        else:  # what this table counts, not the whole period (a month that resolved and
            # closed some, received none, was said to have had nothing)
            sh.text(0, _(_PARETO_EMPTY[name]), fit=False)
            sh.skip()
        # the next table starts below this chart (about 18 rows high)
        sh.row = max(sh.row + 2, top + 20)
    sh.finish()


def _on_time(book: _Book, rep: dict[str, Any]) -> None:
    sh = book.sheet(report_title("on_time"))
    sh.table([(N_("stage"), "text", "key", "stage"), (N_("done"), "int", "done", None),
              (N_("on time"), "int", "on_time", None),
              (N_("on-time rate"), "pct", "rate", None)],
             [{"key": k, **rep["on_time"][k], "rate": v} for k, v in rep["on_time_rate"].items()])
    sh.finish()


def _handling(book: _Book, rep: dict[str, Any]) -> None:
    sh = book.sheet(report_title("handling"))
    h = rep["handling_days"]
    cols: list[Column] = [(N_("category"), "text", "key", "category"),
                          (N_("count"), "int", "count", None), (N_("mean"), "days", "mean", None),
                          (N_("median"), "days", "median", None),
                          (N_("p90"), "days", "p90", None)]
    # every category, then all of them (last, as the table, markdown and CSV have it)
    sh.table(cols, [*h["by_category"], {**h, "key": _("all")}] if h["count"] else [])
    sh.finish()


def _capa(book: _Book, rep: dict[str, Any]) -> None:
    sh = book.sheet(_("CAPA"))
    c = rep["capa"]
    # each figure by its own words ("opened" alone is a return's, 授权, in Chinese)
    figures = {"opened": _("CAPA opened"), "done": _("CAPA done"),
               "verified": _("CAPA verified"), "late": _("CAPA late")}
    sh.table([(N_("figure"), "text", "key", None), (N_("count"), "int", "n", None)],
             [{"key": text, "n": c[k]} for k, text in figures.items()])
    sh.finish()


def _returns(book: _Book, rep: dict[str, Any]) -> None:
    sh = book.sheet(report_title("returns"))
    ret = rep["returns"]
    sh.table([(N_("figure"), "text", "key", None), (N_("count"), "int", "n", None)],
             [{"key": _(name), "n": ret[key]} for key, name in render.RETURN_FIGURES])
    sh.skip()
    sh.table([(NC_("return", "disposition"), "text", "key", "return_action"),
              (N_("quantity"), "int", "quantity", None)], ret["by_disposition"])
    sh.skip()
    sh.table([(N_("figure"), "text", "key", None), (N_("amount"), "money", "amount", None)], [
        {"key": _("cost of loss"), "amount": ret["cost_of_loss"]},
        {"key": _("repair cost"), "amount": ret["repair_cost"]}])
    sh.finish()


def _paid(book: _Book, rep: dict[str, Any]) -> None:
    """What the period's resolutions paid or credited, by disposition and in all."""
    # (a sheet's name is 31 characters at most: "Refunds, compensation" left out the
    # discounts, often its largest line)
    sh = book.sheet(_("Refunds, discounts, compens."))
    sh.title(report_title("paid"))
    paid = rep["paid"]
    sh.table([(N_("disposition"), "text", "key", "disposition"),
              (N_("resolutions"), "int", "count", None),
              (N_("amount"), "money", "amount", None)],
             [*paid["by_disposition"],
              {"key": _("all"), "count": paid["count"], "amount": paid["amount"]}])
    sh.finish()


TREND: tuple[Column, ...] = (
    (N_("period"), "text", "label", None), (N_("from"), "date", "from", None),
    (N_("to"), "date", "to", None), (N_("received"), "int", "received", None),
    (N_("resolved"), "int", "resolved", None), (N_("closed"), "int", "closed", None),
    (N_("on-time rate"), "pct", "on_time_rate", None),
    (N_("satisfaction rate"), "pct", "satisfaction_rate", None),
    (N_("paid out"), "money", "paid", None))  # (not charted: an amount beside counts)


def _trend(book: _Book, rep: dict[str, Any]) -> None:
    sh = book.sheet(_("Trend"))
    points = rep["trend"]
    # (the last named after a comma: "the 12 periods to 2026-01-01 to 2026-11-30")
    title = ngettext("Trend: {n} period, the last {period}", "Trend: {n} periods, the last "
                     "{period}", len(points)).format(n=len(points),
                                                     period=period_label(rep["period"]))
    sh.title(title)
    first, last = sh.table(TREND, [{**p, "label": render.trend_label(p, book.tz)}
                                   for p in points], filter_and_freeze=False)
    name = sh.name
    bars = book.book.add_chart({"type": "column"})
    for col, color in ((3, "#4472C4"), (4, "#A5A5A5"), (5, "#70AD47")):
        bars.add_series({"name": [name, first - 1, col], "categories": [name, first, 0, last, 0],
                         "values": [name, first, col, last, col], "fill": {"color": color}})
    lines = book.book.add_chart({"type": "line"})
    for col, color in ((6, "#C00000"), (7, "#ED7D31")):
        lines.add_series({"name": [name, first - 1, col], "categories": [name, first, 0, last, 0],
                          "values": [name, first, col, last, col], "y2_axis": True,
                          "line": {"color": color, "width": 2.25},
                          "marker": {"type": "circle", "size": 5, "fill": {"color": color},
                                     "border": {"color": color}}})
    lines.set_y2_axis({"min": 0, "max": 1, "major_unit": 0.2, "num_format": "0%"})
    bars.combine(lines)
    bars.set_title({"name": title, "name_font": {"size": 12}})
    bars.set_y_axis({"name": _("count"), "min": 0})
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 760, "height": 360})
    sh.finish()
    sh.ws.insert_chart(last + 3, 0, bars)


def chunks(rep: dict[str, Any], tz: tzinfo, currency: str) -> Iterator[bytes]:
    """The report's workbook as chunks of bytes for the atomic writer: held in memory
    (XlsxWriter's shared strings, the cheaper mode) up to IN_MEMORY_LINES lines of
    the register, streamed row by row (constant_memory) beyond."""
    return book_chunks(lambda book: fill(book, rep, tz, currency),
                       constant_memory=len(rep.get("register") or ()) > IN_MEMORY_LINES)


def fill(book: Any, rep: dict[str, Any], tz: tzinfo, currency: str) -> None:
    """Every sheet of the report into an XlsxWriter workbook (sheets.book_chunks)."""
    b = _Book(book, tz, currency)
    # created: the instant the figures are of, not the clock's (the same report run
    # twice, a finished period or --as-of, is the same file byte for byte)
    made = from_iso(rep["period"]["end_at"]).astimezone(timezone.utc).replace(tzinfo=None)
    book.set_properties({"title": _("Complaint report (客户投诉处理报表): {period}").format(
        period=period_label(rep["period"])), "comments": render.chain_footer(rep),
        "created": made})
    _summary(b, rep)
    if render.has_register(rep):  # else the summary says it was left out
        _register(b, rep)
    for name in ("by_category", "by_channel", "by_severity", "by_department", "by_product",
                 "by_customer"):
        _breakdown(b, rep, name)
    _pareto(b, rep)
    _on_time(b, rep)
    _handling(b, rep)
    _capa(b, rep)
    _returns(b, rep)
    _paid(b, rep)
    if rep.get("trend"):
        _trend(b, rep)
