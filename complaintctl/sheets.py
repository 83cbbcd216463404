"""The files of `export`: CSV, XLSX and JSON lines from plain rows (exports.py), each
written as a stream of bytes for the atomic writer; no database.

The data is not translated: headers are the JSON keys, values the stored codes.
CSV: UTF-8 with a BOM (Excel reads it as UTF-8), CRLF, every cell through
render.neutralise (the formula guard). XLSX: typed cells — times as Excel
date-times in the ledger's time zone, money as numbers in the currency's format,
counts as numbers — and every text written as a string cell, never a formula.
JSON lines: one object per line, codes, UTC ISO times, money as exact decimal text.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from complaintctl.errors import BadInput, ComplaintctlError
from complaintctl.i18n import _
from complaintctl.parse import from_iso
from complaintctl.render import NOT_TEXT, csv_fields, neutralise, plain_texts

Column = tuple[str, str]

# The most rows a worksheet holds (Excel's limit), the header row included.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CHARS = 32_767  # in one cell

# (yen as JP¥: a ledger in yen read as yuan with ¥ alone, which a Chinese reader takes for
# the yuan)
_SYMBOLS = {"CNY": "¥", "RMB": "¥", "JPY": "JP¥", "USD": "$", "EUR": "€", "GBP": "£",
            "HKD": "HK$", "TWD": "NT$", "KRW": "₩", "INR": "₹"}


class Counted:
    """Batches of rows, counting the rows that passed through (`n`)."""

    def __init__(self, batches: Iterable[list[tuple[Any, ...]]]) -> None:
        self.batches = batches
        self.n = 0

    def __iter__(self) -> Iterator[list[tuple[Any, ...]]]:
        for batch in self.batches:
            self.n += len(batch)
            yield batch


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _fields(values: Sequence[Any]) -> Sequence[str]:
    """One column of a batch as CSV fields: each value's text (None empty) through the
    formula guard, quoted where csv.writer quotes; a column at a time (render)."""
    texts = plain_texts(values, any_type=True)
    if texts is None:
        texts = [neutralise(_text(v)) for v in values]
    return csv_fields(texts)


def _flag_texts(values: Sequence[Any]) -> list[str | None]:
    """A yes/no column as JSON says it: true, false (None empty)."""
    return [None if v is None else "true" if v else "false" for v in values]


def csv_chunks(columns: Sequence[Column], batches: Iterable[Sequence[tuple[Any, ...]]]
               ) -> Iterator[bytes]:
    """UTF-8 with a BOM, CRLF, every cell through the formula guard: what csv.writer
    (excel dialect) writes for these rows, a batch at a time."""
    yield ("\ufeff" + ",".join(csv_fields([neutralise(key) for key, _kind in columns]))
           + "\r\n").encode("utf-8")
    flags = {i for i, (_key, kind) in enumerate(columns) if kind == "flag"}
    for batch in batches:
        if batch:
            fields = [_fields(_flag_texts(values) if i in flags else values)
                      for i, values in enumerate(zip(*batch, strict=True))]
            yield ("\r\n".join(map(",".join, zip(*fields, strict=True))) + "\r\n"
                   ).encode("utf-8")


def jsonl_chunks(columns: Sequence[Column], batches: Iterable[Sequence[tuple[Any, ...]]]
                 ) -> Iterator[bytes]:
    """One JSON object a line. Without nested objects a batch is encoded as one array
    by the C encoder, its items then split where `},{"<first key>":` joins them (it
    cannot occur inside a string, where a quote is escaped); with them (the events'
    data and old values, decoded), an object at a time."""
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def _object(text: str | bytes) -> Any:
        """The stored document decoded; one that does not decode (an event edited by
        hand: verify names it) as the text it is, a string, for the archive."""
        try:
            return json.loads(text)
        except ValueError:
            return text if isinstance(text, str) else repr(text)  # (bytes: as written)

    keys = [key for key, _kind in columns]
    objects = [i for i, (_key, kind) in enumerate(columns) if kind == "json"]
    joint = "},{" + dump(keys[0]) + ":"
    for batch in batches:
        if not batch:
            continue
        if objects:
            rows = []
            for row in batch:
                values = list(row)
                for i in objects:
                    values[i] = _object(values[i]) if values[i] else None
                rows.append(dump(dict(zip(keys, values, strict=True))))
            text = "\n".join(rows)
        else:
            text = dump(list(map(dict, map(zip, itertools.repeat(keys), batch))))
            text = text[1:-1].replace(joint, "}\n{" + dump(keys[0]) + ":")
        yield (text + "\n").encode("utf-8")


EXCEL_EPOCH = date(1899, 12, 31).toordinal()  # Excel's day 0 (serials count days from it)
# Before it a time is written as its text: write_datetime takes a time on 1900-01-01
# for a time of day alone (serial 0.x, shown 1900-01-00), and one before 1900 is a
# negative serial (#####)
EXCEL_FIRST = datetime(1900, 1, 2)


def excel_day(value: str) -> int:
    """The Excel serial of a day (ISO text): days from 1899-12-31, one more from March
    1900 on, as Excel counts a 29 February 1900 (XlsxWriter's write_datetime took
    1900-01-01 at midnight for a time of day alone: serial 0, shown 1900-01-00).
    ValueError for text that is no day."""
    serial = date.fromisoformat(value).toordinal() - EXCEL_EPOCH
    return serial + (serial >= 60)


def money_format(currency: str | None) -> str:
    """Excel's number format for an amount of `currency` (two decimals, as stored; none
    for a currency without a smaller unit: the yen)."""
    from complaintctl.i18n import WHOLE_CURRENCIES

    code = "".join(ch for ch in (currency or "") if ch.isalnum()).upper()
    number = "#,##0" if code in WHOLE_CURRENCIES else "#,##0.00"
    symbol = _SYMBOLS.get(code)
    if symbol:
        return f'"{symbol}"{number}'
    return f'{number} "{code}"' if code else number


def excel_money(value: Any) -> float | None:
    """An amount (exact decimal text) as the number a cell holds, or None when it has
    more than 15 significant digits (an Excel number keeps 15: a total of
    122000100028448.96 showed 122000100028449); such a one is written as its text."""
    text = str(value)
    if len(text) <= 15:  # (at most 15 digits: exact, and most amounts are; read as text,
        # four times as fast as through Decimal on every money cell of an export)
        return float(text)
    amount = Decimal(text)
    if len(amount.normalize().as_tuple().digits) > 15:
        return None
    return float(amount)


# A workbook's private working folder (tempfile.mkdtemp's name).
_WORK_FOLDER = re.compile(r"^complaintctl-xlsx-[a-z0-9_]{8}$")
# The working folders of killed workbook writes this process removed (their paths), for
# the command to say, as it says the partial files it removes.
REMOVED: list[str] = []


def book_chunks(fill: Callable[[Any], None], *, constant_memory: bool = True
                ) -> Iterator[bytes]:
    """A workbook as chunks of bytes for the atomic writer: XlsxWriter builds it in a
    private temporary folder, with every string a string (never a formula, number or
    link), `fill(book)` adds the sheets; the file is then read out in chunks, and the
    folder removed whatever happens.

    `constant_memory`: each row goes to a temporary file as it is written (rows of a
    sheet must come in order), its texts inline: memory stays flat however many rows.
    Without it XlsxWriter holds every cell until the end and writes each distinct
    text once (shared strings): about a third less CPU for the same cells, and some
    1.3 kB more a line of ten cells (workbook.IN_MEMORY_LINES)."""
    import errno
    import os
    import shutil
    import tempfile

    import xlsxwriter

    from complaintctl.archive import stale_removed

    folder = tempfile.mkdtemp(prefix="complaintctl-xlsx-")
    # what an export killed outright left (kill -9, the OOM killer): its sheets, the
    # contacts unmasked with --reveal, for good. Judged by the file system's clock (this
    # folder's time), as theirs are: a process whose clock reads otherwise (faketime, a
    # clock set wrong) took every other export's folder for an old one, and removed it
    # under it
    REMOVED.extend(str(Path(folder).parent / name) for name in stale_removed(
        Path(folder).parent, _WORK_FOLDER.match, os.stat(folder).st_mtime))
    try:
        path = os.path.join(folder, "book.xlsx")
        # made 0600 before XlsxWriter writes its zip into it (truncated, the mode kept):
        # a workbook killed halfway (kill -9) leaves no file of another mode behind
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        book = xlsxwriter.Workbook(path, {
            "constant_memory": constant_memory, "tmpdir": folder, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False})
        try:
            try:
                fill(book)
                book.close()
            except xlsxwriter.exceptions.FileCreateError as exc:  # its own temporary files
                # could not be written (the disk full, a file size limit): said as the
                # output that cannot be written, not as an unexpected failure
                reason = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) \
                    else None
                raise reason or OSError(str(exc)) from None
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            # the temporary folder's disk full (a small /tmp), not the output's: "cannot
            # write events.xlsx: no space left on the disk" sent someone to a disk with
            # 56 GB free
            raise ComplaintctlError(_(
                "no space left in the temporary folder {folder}, where the workbook is built"
            ).format(folder=Path(folder).parent), hint=_(
                "free some space there, or set TMPDIR to a folder on a disk with room, then "
                "run it again"), code="disk_full") from None
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class _Wide(dict[str, bool]):
    """Whether a character is East-Asian wide or full-width, looked up once."""

    def __missing__(self, ch: str) -> bool:
        import unicodedata

        wide = self[ch] = unicodedata.east_asian_width(ch) in "WF"
        return wide


_WIDE = _Wide()


def text_width(text: str) -> int:
    """Columns a text takes: East-Asian wide and full-width characters count two."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(_WIDE.__getitem__, text))


# An export's column widths, in characters: a date-time, a day and an amount as Excel
# shows them (a column too narrow for a date shows ########); a text column as wide as
# its header and the widest of the first rows, within these bounds.
_KIND_WIDTHS = {"time": 20, "stamp": 22, "date": 12, "money": 16}
_TEXT_WIDTHS = (8, 50)


def _column_widths(columns: Sequence[Column], first: Sequence[tuple[Any, ...]]) -> list[int]:
    widths = []
    for c, (key, kind) in enumerate(columns):
        width = text_width(key) + 2
        if kind in _KIND_WIDTHS:
            width = max(width, _KIND_WIDTHS[kind])
        else:
            width = max([width, *(text_width(str(row[c])) + 2 for row in first
                                  if row[c] is not None)])
        widths.append(min(max(width, _TEXT_WIDTHS[0]), _TEXT_WIDTHS[1]))
    return widths


# The workbook property that names the time zone an export's date-times are in (they
# are local times, without their zone): an import of the workbook reads them in it.
ZONE_PROPERTY = "complaintctl time zone"


def zone_name(tz: tzinfo) -> str:
    """The IANA name of a ledger's zone (UTC for datetime.timezone.utc)."""
    return str(getattr(tz, "key", None) or tz.tzname(None) or "UTC")


def xlsx_chunks(columns: Sequence[Column], batches: Iterable[Sequence[tuple[Any, ...]]], *,
                tz: tzinfo, currency: str | None, sheet: str) -> Iterator[bytes]:
    """The export's workbook: one sheet, a header row of the JSON keys, typed cells,
    the rows taken a batch at a time; its columns as wide as their kind, header and
    first batch need (Excel showed every date-time as ######## in a default column)."""

    def fill(book: Any) -> None:
        if "time" in (kind for _key, kind in columns):  # (Excel keeps it when it saves)
            book.set_custom_property(ZONE_PROPERTY, zone_name(tz))
        ws = book.add_worksheet(sheet)
        rows = iter(batches)
        first = next(rows, [])
        for c, width in enumerate(_column_widths(columns, first)):
            ws.set_column(c, c, width)
        header = book.add_format({"bold": True})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        money: dict[str, Any] = {}
        # the currency an amount is in: its row's own currency column, else the ledger's
        cur_col = next((i for i, (key, _kind) in enumerate(columns)
                        if key.split(".")[-1] == "currency"), None)
        kinds = [kind for _key, kind in columns]
        ws.freeze_panes(1, 0)
        for c, (key, _kind) in enumerate(columns):
            ws.write_string(0, c, key, header)
        r = 0
        for r, row in enumerate(itertools.chain(first, itertools.chain.from_iterable(rows)),
                                start=1):
            if r >= XLSX_MAX_ROWS:
                raise BadInput(_("more rows than a worksheet holds ({limit})").format(
                    limit=f"{XLSX_MAX_ROWS - 1:,}"),
                    hint=_("export a shorter period with --since and --until, or use "
                           "--format csv or jsonl"), code="too_many_rows")
            for c, value in enumerate(row):
                if value is None:
                    continue
                if type(value) is bytes:  # a BLOB put by hand where text is kept: the
                    # ledger's fault, as the CSV says it (run: store.not_text), not b'…' in
                    # a cell of the archive
                    raise TypeError(NOT_TEXT)
                kind = kinds[c]
                if kind == "time":
                    aware = from_iso(value).astimezone(tz)
                    local = aware.replace(tzinfo=None)
                    if aware.fold:  # the second time of an hour the clocks go back over:
                        # as its text with its offset (a date-time cell, which has none,
                        # came back the first time, an hour early)
                        ws.write_string(r, c, aware.isoformat(sep=" "))
                    elif local < EXCEL_FIRST:
                        ws.write_string(r, c, local.strftime("%Y-%m-%d %H:%M:%S"))
                    else:
                        ws.write_datetime(r, c, local, when)
                elif kind == "date":
                    try:
                        ws.write_number(r, c, excel_day(value), day)
                    except (TypeError, ValueError):
                        ws.write_string(r, c, str(value))
                elif kind == "money":
                    code = (row[cur_col] if cur_col is not None else None) or currency or ""
                    if code not in money:
                        money[code] = book.add_format({"num_format": money_format(code)})
                    amount = excel_money(value)
                    if amount is None:  # (more digits than an Excel number keeps)
                        ws.write_string(r, c, str(value), money[code])
                    else:
                        ws.write_number(r, c, amount, money[code])
                elif kind == "count":
                    ws.write_number(r, c, value)
                elif kind == "flag":
                    ws.write_boolean(r, c, bool(value))
                else:
                    text = str(value)
                    if len(text) > XLSX_MAX_CHARS:  # Excel's limit: XlsxWriter would cut it
                        raise BadInput(_("worksheet row {row}, column {column}: {n} "
                                         "characters, more than a cell holds ({limit})").format(
                            row=r + 1, column=columns[c][0], n=f"{len(text):,}",
                            limit=f"{XLSX_MAX_CHARS:,}"),
                            hint=_("use --format csv or jsonl, which keep every character"),
                            code="cell_too_long")
                    ws.write_string(r, c, text)
        ws.autofilter(0, 0, r, len(columns) - 1)

    return book_chunks(fill)
