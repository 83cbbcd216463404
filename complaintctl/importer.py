"""`import`: an old register (CSV or XLSX) into the ledger through a mapping, as
complaint histories told to the one bulk writer (complaintctl.bulk) by the same
rules as the typed commands; and `import --void-batch`.

One pass over the file, in bounded memory: each row is read through the mapping
(mapping.py: fields, words, defaults, formats, dates) into a History; a new one is
added to the bulk writer at once; a row whose `key` (the register's own id) the
ledger already holds is compared with what the ledger recorded: the same (nothing
to do), new steps since (told through the ordinary step functions after the bulk
block, as bulk.py says), or a conflict (reported, never changed). A row that cannot
be read, or that the rules refuse, is a problem with its row and column.

All or nothing unless `skip_bad`: one problem and the transaction is rolled back
(the caller lists them); `dry_run` runs everything inside the transaction and rolls
it back. Every event of an imported row carries `source: {file, row, row_hash}`; the
row hash leaves the contact out. A step whose time or facts came from [dates] or
[defaults] is marked `estimated`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from complaintctl import (
    bulk,
    complaints,
    deadlines,
    i18n,
    parse,
    returns,
    settings,
    words,
    workflow,
)
from complaintctl.bulk import History, Step
from complaintctl.errors import BadInput, ComplaintctlError, IllegalTransition, NotFound, Refused
from complaintctl.evidence import display_name
from complaintctl.i18n import N_, NC_, _, listing, ngettext, shown, term
from complaintctl.mapping import (
    CONTACT_LIKE,
    FIELDS,
    UNHASHED,
    WORD_FIELD,
    Mapping,
    column_said,
    reads_as_data,
    toml_string,
)
from complaintctl.readers import NumberCell, RoundedCell, Table
from complaintctl.render import unguarded
from complaintctl.store import Ledger, Rows, encode, iso

UTC = timezone.utc
_MIDNIGHT = datetime.min.time()

# The fields `log` takes (the complaint's intake).
INTAKE = ("customer", "description", "contact", "channel", "category", "severity", "demand",
          "region", "order_no", "product", "lot", "quantity", "shipped_on")
# The words of a totals row's label cell (合计：, 总 计, 1月小计, Grand total), and of a
# signature row's (制表人：张三, 审核：); in Traditional characters too (合計, 製表人, 審核).
_TOTALS = re.compile(r"\s*\S{0,6}?([合总總小共]\s*[计計])\s*[:：]?\s*|"
                     r"\s*((grand|sub)\s*)?totals?\s*:?\s*|\s*sum\s*:?\s*", re.IGNORECASE)
# A number Excel has written in scientific notation (1.38001E+10, 2.02503E+17, 1.2e+5),
# as a CSV it saved holds a long number of a column in General: six digits of it kept.
# (General shows a number of 11 digits or more so, a mobile number among them: one digit,
# its decimals, E+10 and up; a lot 3E+2 or 12E+05 is no number Excel wrote)
_SHORTENED = re.compile(r"[+-]?[0-9](?:[.,][0-9]+)?[eE]\+(?:1[0-9]|[2-9][0-9]|[0-9]{3})")
# The fields whose values are long numbers written as text (a phone number, an order or
# lot number), where such a value is a number lost; and the key's columns.
_NUMBERED = ("contact", "order_no", "lot")
_FOOTER = re.compile(r"\s*([制製]表|填表|[编編][制製]|[审審][核批]|批准|[复復]核|核准)人?\s*[:：]")
REQUIRED = ("customer", "description", "channel", "category", "severity", "received_at")
# Intake compared with the ledger on a re-import (the contact never is: it may have
# been erased on request, and is never filled in again).
COMPARED = tuple(f for f in INTAKE if f not in UNHASHED) + ("received_at",)

_INVESTIGATION = ("finding", "validity", "cause", "cause_category", "responsibility",
                  "supplier", "not_upheld_reason", "containment", "corrective", "preventive")
# Step fact names (bulk.through_steps) of the investigation's fields.
_FACT = {"cause": "root_cause", "not_upheld_reason": "reason"}

_TRUE = {"yes", "y", "true", "1", "是", "有", "满足", "已满足", "t"}
_FALSE = {"no", "n", "false", "0", "否", "无", "未满足", "不满足", "f"}

# 投诉是否成立: the investigate command's --not-upheld, as a register writes it.
_VALIDITY = (words.Word("upheld", "upheld", "成立", ("是", "有效", "属实", "yes")),
             words.Word("not-upheld", "not upheld", "不成立", ("否", "无效", "不属实", "no")))

# The text fields whose options take several lines (investigate --cause, void --reason
# …): a line break in their cells is kept, as the command keeps it (only description,
# summary and finding took one: an export of a void reason typed on two lines was
# refused by the import of that export).
_MULTILINE = frozenset(("description", "summary", "finding", "cause", "not_upheld_reason",
                        "containment", "corrective", "preventive", "revisit_note",
                        "close_reason", "void_reason"))

# What parse.text would change or refuse: control characters (\r among them),
# surrogates (bytes that were not UTF-8). Text without them, already NFC, is only
# stripped.
# What sends a cell through parse.text rather than the fast path: control characters,
# the invisible ones parse.text drops (a zero-width space kept 华东\u200b电器 apart from
# 华东电器), direction marks and line separators it refuses, lone surrogates.
_PLAIN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                    f"{parse.INVISIBLE}{parse.TAGS}{''.join(parse.FILLERS)}{parse.JOINERS}]")

# The fields that name something, read as parse.name reads them (full-width letters,
# digits and number signs as half-width, each run of spaces as one), as `log` stores them:
# ＫＦＲ－３５ 空调 and KFR-35  空调 are one product, and a repeat of each other.
NAMES = parse.NAME_FIELDS

# A date as a register writes it in Chinese, in the one form read without parse_when.
_CJK_DAY = re.compile("([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})[日号]?")
# A month and a day without a year (1.25, 3.5, 12/31, 3-5, 25.1), as a register keeping
# the year in its title or its sheet's name writes them: said as having no year.
_MONTH_DAY = re.compile(r"(0?[1-9]|[12][0-9]|3[01])\s*[./\-]\s*(0?[1-9]|[12][0-9]|3[01])"
                        r"\s*\.?")

# (field, its fact's name in the investigate step) of the investigation's fields.
_FACTS = tuple((f, _FACT.get(f, f)) for f in _INVESTIGATION)

# Cells named at most in the refusal of formulas without a calculated value.
_FORMULAS_NAMED = 3

# Distinct texts a column's converter remembers (then it starts again).
_MEMO_MOST = 8192

_NONE: Any = object()  # not remembered yet


def _never(_text: str) -> None:
    """A field that is not a name: nothing the fast path would miss."""
    return None


def _remembered(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """`convert`, remembering what each text gave (not what it refused)."""
    memo: dict[str, Any] = {}

    def remembered(raw: str) -> Any:
        value = memo.get(raw, _NONE)
        if value is _NONE:
            value = convert(raw)
            if len(memo) >= _MEMO_MOST:
                memo.clear()
            memo[raw] = value
        return value

    return remembered


@dataclass
class Problem:
    """A row the import cannot take: `rule` when every value read but a rule refused
    it (exit 1), else a value that cannot be read (exit 2)."""

    row: int
    column: str | None
    message: str
    rule: bool = False
    cells: list[str | None] | None = None
    code: str | None = None  # what kind of problem (BadInput's code), for the hint

    def line(self) -> str:
        if self.column is None:
            return _("row {row}: {message}").format(row=self.row, message=self.message)
        return _("row {row}, column {column}: {message}").format(
            row=self.row, column=self.column, message=self.message)


@dataclass
class Result:
    batch: int | None = None
    rows: int = 0
    added: int = 0
    unchanged: int = 0
    updated: int = 0  # complaints that got new steps
    told: int = 0  # of those, how many had them told so far (_tell_steps)
    steps: int = 0  # the steps they got
    conflicts: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    dry_run: bool = False
    # rows with nothing in the columns the mapping reads (a register numbered ahead, 序号
    # filled down an empty sheet): not complaints, skipped
    blank: int = 0
    totals: int = 0  # totals rows (合计, Total): no customer, no date, a totals word
    footers: int = 0  # signature rows (制表人：…, 审核：…)
    # section headings: a row whose one value is a cell merged across the columns the
    # mapping reads (2025年度 over A3:G3, between a register's years)
    headings: int = 0
    left_out: int = 0  # rows the mapping leaves out (leave_out)
    # how the register's words were read (a dry run): Reader.words_read
    words_read: Counter[tuple[str, str, str, str | None]] | None = None
    # stages of the complaints imported that are past due already, and the oldest due
    late: int = 0
    late_since: str | None = None
    late_revisits: int = 0  # of them, revisits (a register that never recorded closings)
    # closed critical complaints whose second revisit, due before the import and not in
    # the register, is not asked for (History.lapse_second_revisit)
    second_lapsed: int = 0

    @property
    def refused(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def none_good(self) -> bool:
        """Every row with something to import was refused (--skip-bad takes none)."""
        return bool(self.problems) and not (self.added or self.updated or self.unchanged
                                            or self.conflicts)


class _Rollback(Exception):
    """Leaves the bulk block so that nothing is written (dry run, or refused rows)."""


def _excel_day(text: str) -> str | None:
    """The day an Excel date number stands for (45730: 2025-03-14), for a number of five
    digits from 1954 to 2119, and with its time of day when it has a fraction (a
    date-time cell in General: 45721.5 is 2025-03-05 12:00, to the second); None for
    anything else."""
    whole, point, fraction = text.partition(".")
    if len(whole) != 5 or not whole.isdigit() or not 20000 <= int(whole) <= 80000 or (
            point and not (fraction.isdigit() and fraction.isascii())):
        return None
    day = date(1899, 12, 30) + timedelta(days=int(whole))
    seconds = round(float("0." + fraction) * 86400) if fraction else 0
    if not seconds or seconds >= 86400:  # (a fraction of a second off midnight: the day)
        return day.isoformat() if seconds < 86400 else (day + timedelta(days=1)).isoformat()
    return f"{day.isoformat()} {seconds // 3600:02d}:{seconds // 60 % 60:02d}" + (
        f":{seconds % 60:02d}" if seconds % 60 else "")


# --- reading a row ---------------------------------------------------------------------

class _Row:
    """One row read through the mapping: values by field, which came from [defaults],
    and the problems found."""

    def __init__(self, number: int, cells: list[str | None]):
        self.number, self.cells = number, cells
        self.values: dict[str, Any] = {}
        self.defaulted: set[str] = set()
        self.problems: list[Problem] = []
        # what refuses the row only when it comes in new (a row already imported is
        # compared with its complaint, which may have gone on by hand since)
        self.if_new: list[Problem] = []
        self.closed_reopened: datetime | None = None  # closed in the register, reopened


def _header_fold(name: str) -> str:
    """A header as a mapping's is matched with it: full width as ASCII, no spaces nor line
    breaks (客户 + Alt+Enter + 名称 in one cell is the mapping's 客户名称)."""
    return "".join(unicodedata.normalize("NFKC", name).split())


class _Headers(dict[str, int]):
    """The file's header, column by name: the name as written, else as _header_fold
    reads it (the first column of that reading)."""

    def __init__(self, exact: dict[str, int]) -> None:
        super().__init__(exact)
        self.folded: dict[str, int] = {}
        for h, i in sorted(exact.items(), key=lambda hi: hi[1]):
            self.folded.setdefault(_header_fold(h), i)

    def __missing__(self, name: str) -> int:
        return self.folded[_header_fold(name)]

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or (
            isinstance(name, str) and _header_fold(name) in self.folded)


class Reader:
    """Reads rows of one file through one mapping, for one ledger.

    Each mapped column is read by a converter made once from the mapping (its field's
    kind, words, format and column name); the converters of words, dates, counts,
    amounts and yes/no remember what each distinct text made (a register repeats its
    words and dates), up to _MEMO_MOST texts a column."""

    def __init__(self, lg: Ledger, table: Table, mapping: Mapping, *, now: datetime,
                 tally_words: bool = False):
        self.lg, self.mapping, self.now = lg, mapping, now
        # rows of complaints held whose investigation or revisit texts the ledger's step
        # does not have (not brought in: _changed_facts), by row number
        self.texts_not_taken: list[int] = []
        # (column, the word table's field, the file's word, the code read) -> rows, when
        # `tally_words` (a dry run says how the register's words were read)
        self.words_read: Counter[tuple[str, str, str, str | None]] | None = \
            Counter() if tally_words else None
        self.tz = lg.tz
        # a complaintctl export's workbook in another zone than the ledger's: its
        # date-times (local, without their zone) are read in the zone it names (read in
        # the ledger's, every time moved by the difference, without a word)
        self.file_zone: str | None = None
        if table.zone is not None:
            try:
                zone = settings.zone(table.zone)
            except BadInput:
                raise BadInput(_("the workbook says its times are in {zone}, a time zone "
                                 "this machine does not know: read in this ledger's "
                                 "({own}), each would be moved").format(
                                     zone=shown(table.zone), own=lg.tz.key),
                               hint=_("update the time zone data (pip install -U tzdata), "
                                      "or import a CSV export (its times are UTC)"),
                               code="unknown_timezone") from None
            if not settings.same_zone(table.zone, lg.tz.key):  # (UTC is Etc/UTC)
                self.tz, self.file_zone = zone, table.zone
        cfg = lg.config
        self.categories, self.category_words = cfg.categories, cfg.category_words
        header = table.header
        self.header = header
        self.across = table.across  # (filled as its rows are read: Reader.heading)
        where = _Headers({h: i for i, h in reversed(list(enumerate(header)))})
        absent = {h for h in mapping.optional if h not in where}
        if absent:  # (an older export of complaintctl has fewer columns)
            mapping = self.mapping = dataclasses.replace(mapping, columns={
                f: h for f, h in mapping.columns.items() if h not in absent})
        missing = list(dict.fromkeys(h for h in (*mapping.columns.values(), *mapping.key)
                                     if h not in where))
        if missing:
            raise BadInput(ngettext("column {columns} is not in the file",
                                    "columns {columns} are not in the file", len(missing))
                           .format(columns=listing([shown(column_said(h))
                                                         for h in missing])),
                           # a first row of data (a customer, a contact person): not echoed
                           hint=_("the file seems to have no header row: its first row "
                                  "reads as data (a date, a phone number …), not as column "
                                  "names; add the register's header row above it")
                           if reads_as_data(header) else
                           _("its columns: {header}").format(header=headers_shown(header)),
                           code="no_column", columns=missing)
        # each mapped column as messages name it: on one line (a header typed over two
        # lines in its cell, 投诉⏎日期, broke each line naming it in two)
        self.said = {f: column_said(h) for f, h in mapping.columns.items()}
        used = {*mapping.columns.values(), *mapping.key,
                *(src for src in mapping.dates.values() if src in where)}
        # (by the name as written, or, a name not in the file as written, as _header_fold
        # reads it: 客户 名称 and 客户⏎名称 are both the mapping's 客户名称)
        folds = Counter(map(_header_fold, header))

        def columns_of(name: str) -> list[int]:
            exact = [i for i, h in enumerate(header) if h == name]
            return exact if exact else [i for i, h in enumerate(header)
                                        if _header_fold(h) == _header_fold(name)]

        twice = sorted((h for h in used if h in where and (
            header.count(h) > 1 or h not in header and folds[_header_fold(h)] > 1)),
            key=lambda h: where[h])
        if twice:  # which of them the mapping means cannot be told: refused, not guessed
            raise BadInput(_("column {column} is in the file more than once (columns "
                             "{letters})").format(
                column=column_said(twice[0]),
                letters=", ".join(map(_letter, columns_of(twice[0])))),
                hint=_("rename them in the file so that each header is different (e.g. "
                       "{column}1, {column}2), and map the one meant").format(
                    column=column_said(twice[0])), code="column_twice",
                column=twice[0])
        self.index = {f: where[h] for f, h in mapping.columns.items()}
        # the key's columns: one (its cell is the row's source key, as always), or several
        # (their cells joined, each escaped: two rows with other cells never join alike)
        self.key_indexes = tuple(where[h] for h in mapping.key)
        # the register id of a row imported before, where the file has its column
        self.register_index = where.get(mapping.register_key) \
            if mapping.register_key is not None else None
        self.key_index = self.key_indexes[0] if len(self.key_indexes) == 1 else None
        # [dates]: a field's time from another field, or from a column of its own
        self.date_from: dict[str, tuple[str, int | None]] = {}
        for f, src in mapping.dates.items():
            from complaintctl.mapping import canonical

            other = canonical(src)
            if other is not None and FIELDS[other] == "time":
                self.date_from[f] = (other, None)
            elif src in where:  # (the column named on one line, as a problem names it)
                self.date_from[f] = (column_said(src), where[src])
            else:
                raise BadInput(_("mapping: [dates] {field} = {source} is neither a time "
                                 "field nor a column of the file").format(field=f,
                                                                          source=shown(src)),
                               code="bad_mapping")
        # [leave_out]: the columns that, filled in, leave a row out (those the file has)
        self.leave_out = tuple(where[h] for h in mapping.leave_out if h in where)
        self.data_columns = sorted({*self.index.values(), *(
            i for _src, i in self.date_from.values() if i is not None)}
            - ({self.key_index} if self.key_index is not None else set()))
        # every column the mapping reads, the key's among them
        self.read_columns = sorted({*self.data_columns, *self.key_indexes})
        # formula cells without a calculated value in the columns it reads (refused by
        # formulas_checked, but those of rows the import skips)
        self.uncalculated = {i: table.uncalculated[i] for i in sorted(
            {*self.read_columns, *self.leave_out} & table.uncalculated.keys())}
        contact = self.index.get("contact")
        self.width = len(header)
        self.contact = contact if contact is not None and contact < self.width else None
        self._converters: dict[tuple[str, str, str], Callable[[str], Any]] = {}
        # the columns of long numbers (_NUMBERED and the key's), as (index, column said),
        # and the rows where each has one Excel wrote in scientific notation (its digits
        # lost: 1.38001E+10 came in as that text without a word)
        numbered = {self.index[f]: self.column(f) for f in reversed(_NUMBERED)
                    if f in self.index}
        numbered.update((i, column_said(h)) for h, i in zip(mapping.key, self.key_indexes,
                                                             strict=True))
        self.numbered = sorted(numbered.items())
        self.shortened: dict[int, list[int]] = {}
        self.shortened_first: dict[int, str] = {}  # (its first value, by column)
        # and those with a number cell of more digits than Excel keeps (readers.RoundedCell)
        self.rounded: dict[int, list[int]] = {}
        self.rounded_first: dict[int, str] = {}
        # (field, what its step lacked) -> the rows whose value of it no step took
        self.unused: dict[tuple[str, str], list[int]] = {}
        # a register's word for none (无, 没有, /) in a contact, product, order, lot or
        # region: no value (a product 没有 made the customer's next complaint its
        # repeat), said with how many rows held it: (field, the word) -> rows
        self.read_as_none: Counter[tuple[str, str]] = Counter()
        # the UTC offset of the ledger's zone by local day, where one offset holds all day
        self._offsets: dict[date, timedelta | None] = {}
        self.latest = now + timedelta(minutes=5)  # a step after it is in the future
        # the source keys the ledger holds, where the import has read them (key_of)
        self.known: dict[str, str] = {}
        # a part of a key of several columns that is a mapped date (投诉日期 = received_at):
        # the date as read, in one form (2024-01-08, or 2024-01-08 09:30 with its time),
        # so that an Excel date cell, the same date typed 2024/1/8 and a date-time cell
        # give one key (they gave three: a re-import came in again, as repeats)
        dated = {h: (f, kind) for f, kind in FIELDS.items() if kind in ("time", "date")
                 for h in [mapping.columns.get(f)] if h is not None}
        self.key_dates: tuple[Callable[[str], str | None] | None, ...] = () \
            if self.key_index is not None else tuple(
                self._key_date(*dated[h]) if h in dated else None for h in mapping.key)
        # what `read` reads, worked out once: (field, cell index, column, converter) of
        # the mapped fields, and (field, default text, name, converter) of the defaults
        self.plan = [(f, self.index[f], self.column(f), self._converter(f, kind, self.column(f)))
                     for f, kind in FIELDS.items() if f in self.index]
        self.fallbacks = []
        for f, text in mapping.defaults.items():
            if FIELDS[f] in ("time", "date") and text in FIELDS:  # assigned_at =
                # "received_at" under [defaults]: read as a date, refused on every row
                raise BadInput(_("[defaults] {field} = \"{value}\" names a field: a day "
                                 "taken from another field goes under [dates]").format(
                    field=f, value=text), hint=_("move the line under [dates]: {line}").format(
                        line=f'{f} = "{text}"'), code="bad_mapping")
            name = _("[defaults] {field}").format(field=f)
            self.fallbacks.append((f, text, name, self._converter(f, FIELDS[f], name)))
        # the column a step's time is named by in a problem, by its time field
        # (a time from another field through [dates]: that field's column, as the file
        # names it; "column resolved_at" was said beside "column 处理日期" for one cell)
        sources = {f: self.date_from.get(self._date_field(f), (self._date_field(f), None))[0]
                   for f in FIELDS}
        self.time_column = {f: self.column(f) if f in self.index else
                            self.column(sources[f]) if sources[f] in self.index else
                            sources[f]
                            for f, kind in FIELDS.items() if kind == "time"}
        self.required = [(f, self.column(f), self.said.get(f)) for f in REQUIRED]
        unmapped = [f for f in REQUIRED if f not in mapping.columns and f not in
                    mapping.defaults and f not in self.date_from]
        if unmapped:  # said once, not on every row (12,000 lines for a 3,000-row register)
            raise BadInput(ngettext("the mapping gives no column for {fields}, which every "
                                    "complaint needs",
                                    "the mapping gives no column for {fields}, which every "
                                    "complaint needs", len(unmapped)).format(
                fields=", ".join(unmapped)),
                hint=_("map a column of the file to each under [columns], or give its "
                       "value under [defaults] (e.g. {line})").format(
                    line=_DEFAULT_EXAMPLES[unmapped[0]]) if unmapped[0] in _DEFAULT_EXAMPLES
                else _("map a column of the file to each under [columns] (e.g. {line})"
                       ).format(line=f'{unmapped[0]} = "…"'),
                code="bad_mapping", fields=unmapped)
        self._check_value_words()

    def formulas_checked(self, open_table: Callable[[], Table]) -> None:
        """Refuses formula cells without a calculated value (read as empty: an amount of
        =M2*2 came in as none) in a column the mapping reads, but those of a totals or
        signature row, which the import skips (an ERP's 合计 row of =SUM(H2:H3) stopped
        the whole import). The file is read again to tell those rows only when there
        are such cells."""
        if not self.uncalculated:
            return
        rows = {r for cells in self.uncalculated.values() for r, _named in cells}
        skipped, last = set(), max(rows)
        for number, cells in open_table().rows:
            if number > last:
                break
            if number in rows and self.summing(cells) is not None:
                skipped.add(number)
        for i, found in self.uncalculated.items():
            named = [cell for r, cell in found if r not in skipped]
            if not named:
                continue
            raise BadInput(ngettext(
                "column {column}: {n} formula cell holds no calculated value ({cells}); it "
                "would be read as empty",
                "column {column}: {n} formula cells hold no calculated value (first: "
                "{cells}); they would be read as empty", len(named)).format(
                    column=column_said(self.header[i]) if i < len(self.header) else
                    str(i + 1), n=len(named), cells=", ".join(named[:_FORMULAS_NAMED])),
                hint=_("a program wrote the file and nobody has opened it since: open it in "
                       "Excel or WPS and save it (that calculates its formulas), then "
                       "import it again"), code="uncalculated_formulas")

    def _check_value_words(self) -> None:
        """Each word a mapping's [values.FIELD] gives for an enumerated field is one
        complaintctl knows: said once, before any row is read (every row holding the
        file's word said it, quoting the file's word with a did-you-mean of the other)."""
        for f, own in self.mapping.values.items():
            if FIELDS.get(f) != "word":
                continue
            allowed = self.categories if f == "category" else None
            extra = self.category_words if f == "category" else \
                _VALIDITY if f == "validity" else ()
            for word, target in own.items():
                if not target:  # the file's word means: no value
                    continue
                try:
                    words.lookup(WORD_FIELD.get(f, f), target, allowed, extra)
                except words.UnknownWord as exc:
                    hint = _(" (did you mean {word}?)").format(word=exc.suggestion) \
                        if exc.suggestion else ""
                    raise BadInput(_("mapping [values.{key}]: {target} (given for {word}) is "
                                     "not a {field}{hint}").format(
                        key=f, target=shown(target), word=shown(word), field=_(f), hint=hint),
                        hint=_("its words: {words}").format(words=", ".join(
                            w.code for w in exc.choices)),
                        code="bad_mapping", field=f) from None

    # --- what no step took ------------------------------------------------------

    def _defaults_made(self, kind: str, used: tuple[str, ...], v: dict[str, Any],
                       defaulted: set[str]) -> str | None:
        """An empty date of a step whose values all came from [defaults] (a cause given
        to every row, the open ones too): the row has no such step, the default made it;
        what to map instead. None for a step of the row's own."""
        made = [u for u in used if v.get(u) is not None]
        if not made or not defaulted.issuperset(made):
            return None
        if kind == "investigate" and made == ["cause"] and "summary" in self.index:
            return _("empty, and the {step} step needs its date: this row has no "
                     "investigation of its own, [defaults] cause gives one to every row, "
                     "the open ones too; map cause to a column instead, so that only the "
                     "rows with a cause are investigated (a register that says the cause "
                     "in its summary: cause = {column} under [columns])").format(
                step=step_word(kind), column=toml_string(self.mapping.columns["summary"]))
        fields = ", ".join(made)
        return _("empty, and the {step} step needs its date: this row has no {step} step "
                 "of its own, [defaults] {fields} gives one to every row; map {fields} to "
                 "a column instead, so that only the rows that have a value take the step"
                 ).format(step=step_word(kind), fields=fields)

    def _given(self, f: str) -> bool:
        """Whether the mapping gives field `f` a value: a column, [defaults], or (a time)
        [dates]."""
        return f in self.index or f in self.mapping.defaults or self._time_mapped(f)

    def _no_satisfaction(self, revisited: datetime) -> str:
        """A row closed after its revisit date whose revisit has no satisfaction: its
        column not mapped, or empty in the row."""
        if not self._given("satisfaction"):
            return _("closed after a revisit ({column} {time}), but the revisit has no "
                     "satisfaction: map the column of 满意, 不满意 … to satisfaction").format(
                column=self.time_column["revisited_at"], time=self.lg.local(revisited))
        return _("closed after a revisit ({column} {time}), but this row's satisfaction "
                 "({satisfaction}) is empty: fill it in, or give close_reason for a "
                 "complaint closed without a revisit").format(
            column=self.time_column["revisited_at"], time=self.lg.local(revisited),
            satisfaction=self.column("satisfaction"))

    def _unused_by(self, row: _Row, fields: tuple[str, ...], need: str) -> None:
        """Note each of `fields` with a value in the row's own column that its step did
        not take, for want of `need` (satisfaction, department, cause)."""
        values, defaulted = row.values, row.defaulted
        for f in fields:
            value = values.get(f)
            if f in self.index and value is not None and f not in defaulted and \
                    not parse.means_none(str(value)):  # (a register's "/")
                self.unused.setdefault((f, need), []).append(row.number)

    def _zero(self, raw: Any) -> bool:
        """Whether an amount's cell holds 0 (¥0, 0.00: read as no money), not a
        placeholder the mapping reads as none (/)."""
        own = self.mapping.values.get("amount")
        if own is not None and raw in own:  # [values.amount] "免费" = "0", "0" = ""
            raw = own[raw]
        if raw is None or not str(raw).strip():
            return False
        try:
            return parse.money(str(raw), currency=self.lg.config.currency) == 0
        except BadInput:
            return False

    def unused_warnings(self, refused: Collection[int] = ()) -> list[str]:
        """The values of step columns no step took, in words: a column given in rows
        but not used, and why (the step's field not mapped, or empty in those rows), of
        the rows not `refused` (a row refused after it was read was counted and listed);
        and the words for none read as no value."""
        out = [ngettext("{column}: {value} read as none (no value), in {n} row",
                        "{column}: {value} read as none (no value), in {n} rows", n).format(
            column=self.column(f), value=shown(word), n=f"{n:,}")
            for (f, word), n in self.read_as_none.items()]
        for (f, need), all_rows in self.unused.items():
            rows = [r for r in all_rows if r not in refused]
            if not rows:
                continue
            n, column = len(rows), self.column(f)
            group = _NEED_GROUP[need]
            listed = i18n.listing(list(map(str, rows[:_ROWS_LISTED]))) + \
                (" …" if n > _ROWS_LISTED else "")
            if need == "zero":  # a refund of 0: no amount
                out.append(ngettext(
                    "{column} is 0 in {n} row of a refund, discount or compensation: "
                    "imported without an amount (row {rows}; a resolution that paid nothing "
                    "has another disposition)",
                    "{column} is 0 in {n} rows of a refund, discount or compensation: "
                    "imported without an amount (rows {rows}; a resolution that paid nothing "
                    "has another disposition)", n).format(column=column, n=f"{n:,}",
                                                          rows=listed))
                continue
            if need == "void":  # a reason for voiding, on a row that is not void
                out.append(ngettext(
                    "{column} given in {n} row but not used: the row is not void (row "
                    "{rows})",
                    "{column} given in {n} rows but not used: the rows are not void (rows "
                    "{rows})", n).format(column=column, n=f"{n:,}", rows=listed))
                continue
            if need == "revisited":  # closed by a revisit, not without one
                out.append(ngettext(
                    "{column} given in {n} row but not used: its revisit closed the "
                    "complaint (a reason is recorded for closing without a revisit; row "
                    "{rows})",
                    "{column} given in {n} rows but not used: their revisits closed the "
                    "complaints (a reason is recorded for closing without a revisit; rows "
                    "{rows})", n).format(column=column, n=f"{n:,}", rows=listed))
                continue
            if need == "status_behind":
                out.append(ngettext(
                    "{column} says less than the row's dates in {n} row: the complaint comes "
                    "in where its dates (and [dates]) take it, past that status (row "
                    "{rows}); if the status is right, a date is not",
                    "{column} says less than the rows' dates in {n} rows: the complaints come "
                    "in where their dates (and [dates]) take them, past that status (rows "
                    "{rows}); if the status is right, a date is not", n).format(
                    column=column, n=f"{n:,}", rows=listed))
                continue
            if need == "status":
                out.append(ngettext(
                    "{column} given in {n} row but not used: the row's steps do not reach "
                    "the status it gives, and the complaint comes in where they leave it "
                    "(row {rows}: the columns of the missing steps are not mapped, or "
                    "empty there)",
                    "{column} given in {n} rows but not used: the rows' steps do not reach "
                    "the status they give, and the complaints come in where their steps "
                    "leave them (rows {rows}: the columns of the missing steps are not "
                    "mapped, or empty there)", n).format(
                    column=column, n=f"{n:,}", rows=listed))
                continue
            if not any(self._given(g) for g in group):
                out.append(_unmapped(need, n).format(column=column, n=f"{n:,}"))
                continue
            out.append(ngettext(
                "{column} given in {n} row but not used: its {field} ({field_column}) is "
                "empty (row {rows})",
                "{column} given in {n} rows but not used: their {field} ({field_column}) is "
                "empty (rows {rows})", n).format(
                column=column, n=f"{n:,}", field=_(_NEED_WORDS[need]),
                field_column=_(", ").join(dict.fromkeys(  # (one column for both: once)
                    self.column(g) for g in group if self._given(g))),
                rows=listed))
        return out

    def shortened_warnings(self) -> list[str]:
        """The columns of long numbers (a contact, an order or lot number, the key) with
        values Excel wrote in scientific notation when it saved the file, one warning a
        column: not refused (the number is lost all the same), said (it came in as
        1.38001E+10 without a word), with the column's first such value for an example
        (a contact's masked: a made-up one, said as the cell's, sent the clerk looking for
        it); and those with number cells of more digits than Excel keeps."""
        out = []
        for i, column in self.numbered:
            rows = self.shortened.get(i)
            if rows:
                example = self.shortened_first[i]
                if i == self.contact:  # (masked, as every contact shown)
                    example = parse.mask(example) or example
                out.append(ngettext(
                    "column {column}, row {rows}: a number Excel has shortened to scientific "
                    "notation ({example}) when it saved the file; its digits are "
                    "lost, and it is read as it is written: take the numbers from the "
                    "original workbook, or format the column as text in Excel before saving "
                    "the file",
                    "column {column}, rows {rows}: numbers Excel has shortened to scientific "
                    "notation (such as {example}) when it saved the file; their digits are "
                    "lost, and they are read as they are written: take the numbers from the "
                    "original workbook, or format the column as text in Excel before saving "
                    "the file", len(rows)).format(column=column, rows=i18n.row_ranges(rows),
                                                  example=example))
            rows = self.rounded.get(i)
            if rows:
                out.append(ngettext(
                    "column {column}, row {rows}: a number cell of more digits than Excel "
                    "keeps ({example}): its digits after the 15th were lost when it was typed "
                    "as a number, and are read as the zeros Excel shows; take the numbers from "
                    "where they came from, or type them again in a column formatted as text",
                    "column {column}, rows {rows}: number cells of more digits than Excel "
                    "keeps (such as {example}): their digits after the 15th were lost when "
                    "they were typed as numbers, and are read as the zeros Excel shows; take "
                    "the numbers from where they came from, or type them again in a column "
                    "formatted as text", len(rows)).format(
                        column=column, rows=i18n.row_ranges(rows),
                        example=(parse.mask(self.rounded_first[i]) or "")
                        if i == self.contact else self.rounded_first[i]))
        return out

    # --- cells -----------------------------------------------------------------

    def column(self, f: str) -> str:
        """The column of field `f` as a message names it (on one line), else the field."""
        return self.said.get(f) or f

    def _own_time_of(self, column: str | None) -> bool:
        """Whether `column` is mapped to the time of a step of its own after the log (a
        step that borrows its time then fails with that step: said once, in the column's
        words; the receipt's column is never out of order)."""
        return any(f in self.index and c == column and f != "received_at"
                   for f, c in self.time_column.items())

    def _time_mapped(self, f: str, seen: tuple[str, ...] = ()) -> bool:
        """Whether a column gives time field `f` (its own, or one [dates] names, through
        the fields it names in turn: concluded_at = "resolved_at", resolved_at =
        "closed_at")."""
        if f in self.index:
            return True
        source, index = self.date_from.get(f, (None, None))
        return index is not None or (source is not None and f not in seen
                                     and self._time_mapped(source, (*seen, f)))

    def _date_field(self, f: str) -> str:
        """The field whose column (or [dates] column) gives time field `f`: `f` itself, or
        the last of the fields its [dates] lines name in turn (a loop of them: `f`)."""
        seen = [f]
        while f not in self.index:
            source, index = self.date_from.get(f, (None, None))
            if source is None or index is not None or source in seen:
                break
            f = source
            seen.append(f)
        return f

    def blank(self, cells: list[str | None]) -> bool:
        """Nothing in any column the mapping reads but the key (a row numbered ahead in
        an empty register: its 序号 alone)."""
        return not any(cells[i] for i in self.data_columns if i < len(cells))

    def left_out(self, cells: list[str | None]) -> bool:
        """A row the mapping leaves out (`leave_out`: one of those columns filled in)."""
        return any(cells[i] for i in self.leave_out if i < len(cells))

    def summing(self, cells: list[str | None]) -> str | None:
        """A row of the register that is not a complaint: its totals ("totals": 合计,
        1月小计 or Total in a cell, the counts and amounts summed beside it) or its
        signatures ("footer": 制表人：…, 审核：…). Neither has a customer or a date
        received, but for the label itself merged across those columns."""
        labels = {c for c in cells if c and (_TOTALS.fullmatch(c) or _FOOTER.match(c))}
        if not labels:
            return None
        for f in ("customer", "received_at"):
            i = self.index.get(f)
            if i is not None and i < len(cells) and cells[i] and cells[i] not in labels:
                return None
        return "totals" if any(_TOTALS.fullmatch(c) for c in labels) else "footer"

    def heading(self, number: int) -> bool:
        """A section heading of the register, not a complaint: the row's one value is a
        cell merged across every column the mapping reads (2025年度 over A3:G3, between
        two years of rows). A value merged across only some of them (a text run over two
        columns) is not one: the row is read, and refused for what it lacks."""
        span, read = self.across.get(number), self.read_columns
        return span is not None and bool(read) and span[0] <= read[0] and read[-1] <= span[1]

    def lacking(self, state: str, kind: str) -> str:
        """What a row whose `kind` step the state its earlier steps left (`state`, in
        _BEFORE) does not allow lacks, and what to map for it."""
        if state == "assigned" and "cause" not in self.index and "summary" in self.index:
            return _(_NO_CAUSE_COLUMN).format(
                step=step_word(kind), column=toml_string(self.mapping.columns["summary"]),
                dates="" if self._time_mapped("concluded_at") else _(
                    " and concluded_at = \"resolved_at\" under [dates]"),
                upheld="" if "validity" not in self.index else _(
                    "; “upheld” (成立) alone, without a cause, makes no investigation"))
        return _(_BEFORE[state]).format(step=step_word(kind))

    def cell(self, row: _Row, f: str) -> str | None:
        i = self.index.get(f)
        if i is None or i >= len(row.cells):
            return None
        return row.cells[i]

    def read(self, number: int, cells: list[str | None]) -> _Row:
        row = _Row(number, cells)
        values = row.values
        width = len(cells)
        for i, _column in self.numbered:
            raw = cells[i] if i < width else None
            if raw and ("E+" in raw or "e+" in raw) and _SHORTENED.fullmatch(raw):
                self.shortened.setdefault(i, []).append(number)
                self.shortened_first.setdefault(i, raw.strip())
            elif type(raw) is RoundedCell:  # (a workbook's number cell: no notation, the
                # digits past the 15th zeros all the same, said nowhere)
                self.rounded.setdefault(i, []).append(number)
                self.rounded_first.setdefault(i, raw)
        for f, i, column, convert in self.plan:
            raw = cells[i] if i < width else None
            if raw is not None:
                try:
                    value = convert(raw)
                except BadInput as exc:
                    self._problem(row, column, exc, raw, f)
                    continue
                if value is not None:
                    values[f] = value
        for f, text, name, convert in self.fallbacks:
            if values.get(f) is None and not self.unread(row, f):
                try:
                    value = convert(text)
                except BadInput as exc:
                    self._problem(row, name, exc)
                    continue
                if value is not None:
                    values[f] = value
                    row.defaulted.add(f)
        return row

    def _value(self, row: _Row, f: str, kind: str, raw: str, column: str) -> Any:
        try:
            return self._converter(f, kind, column)(raw)
        except BadInput as exc:
            self._problem(row, column, exc, raw, f)
            return None

    @staticmethod
    def _problem(row: _Row, column: str, exc: BadInput, raw: str | None = None,
                 f: str | None = None) -> None:
        message = exc.message
        prefix = f"{column} "
        if message.startswith(prefix):  # "投诉日期 '…' is …": the column is said once
            message = message[len(prefix):]
        if raw and f != "contact" and exc.code != "looks_like_contact" and \
                parse.looks_like_contact(raw):
            # a contact column mapped to a date or a count listed every customer's number
            # in clear (a message may show it changed: in half width, its tab escaped,
            # cut): said masked, in place of what it was refused for
            message = _contact_said(raw)
        row.problems.append(Problem(row.number, column, message, cells=row.cells,
                                    code=exc.code))

    def _converter(self, f: str, kind: str, column: str) -> Callable[[str], Any]:
        """What reads a text of field `f` (its kind `kind`) from `column`: the value, or
        BadInput."""
        found = self._converters.get((f, kind, column))
        if found is None:
            found = self._make(f, kind, column)
            own = self.mapping.values.get(f)
            if own and kind not in ("text", "word"):  # those read their [values] lines
                found = _through(own, found)
            if kind in ("money", "count", "bool", "time", "date"):
                found = _told_how(found, f, kind, self.lg.config.currency)
            self._converters[(f, kind, column)] = found
        return found

    def _key_date(self, f: str, kind: str) -> Callable[[str], str | None]:
        """A key's date cell of field `f` as the key holds it: the local day, and the
        time of day when it has one (2024-01-08, 2024-01-08 09:30); None when the cell
        is not a date (the row's reading says so)."""
        convert, tz = self._converter(f, kind, self.column(f)), self.tz

        def key_date(raw: str) -> str | None:
            try:
                value = convert(raw)
            except BadInput:
                return None
            if value is None or isinstance(value, str):  # a "date" field: its day
                return value
            local = value.astimezone(tz)
            if (local.hour, local.minute, local.second) == (0, 0, 0):
                return local.date().isoformat()
            return local.strftime("%Y-%m-%d %H:%M" if not local.second else
                                  "%Y-%m-%d %H:%M:%S")

        return _remembered(key_date)

    def _make(self, f: str, kind: str, column: str) -> Callable[[str], Any]:
        if kind == "text":
            own = self.mapping.values.get(f)
            masked = f in self.mapping.refuse_masked
            multiline = f in _MULTILINE
            plain, normalized = _PLAIN.search, unicodedata.is_normalized
            is_name = f in NAMES
            changes = parse.NAME_CHANGES.search if is_name else _never
            read_none, region = f in _NONE_READ, f == "region"
            is_contact = f == "contact"
            read_as_none = self.read_as_none

            any_other = None if own is None else own.get("*")

            def text(raw: str) -> str | None:
                if own is not None and raw in own:  # [values.department] "品质部" = "质量部"
                    raw = own[raw]
                    if not raw:
                        return None
                elif any_other is not None and raw.strip():  # "*": any other text (a cause
                    raw = any_other  # column fed by the disposition's: its 换货 stored as
                    if not raw:  # the root cause, the "*" line passed over unsaid)
                        return None
                if masked and "*" in raw:
                    raise BadInput(_("{value} is masked; import an export made with "
                                     "--reveal").format(value=shown(raw)), code="masked")
                found: str | None
                if plain(raw) is None and len(raw) <= 20000 and normalized("NFC", raw) \
                        and changes(stripped := raw.strip()) is None:
                    found = stripped or None  # what parse.text (or name) makes of it
                elif is_name:
                    found = parse.name(raw, column)
                else:
                    found = parse.text(raw, column, multiline=multiline)
                if found is not None and read_none and parse.means_none(found, region=region):
                    read_as_none[f, found] += 1
                    return None
                if is_contact and found is not None and found[-1] == "0" and \
                        (number := _FLOAT_NUMBER.fullmatch(found)) is not None:
                    return number[1]  # 13812345678.0: a phone number a script wrote as a
                    # number (as a sheet's number cell of it is read)
                return found

            return text  # texts seldom repeat: not remembered
        if kind == "word":
            read = _remembered(lambda raw: self._word(f, raw))
            tally, field = self.words_read, WORD_FIELD.get(f, f)
            if tally is None:
                return read

            def counted(raw: str) -> str | None:
                code = read(raw)
                tally[column, field, raw, code] += 1
                return code

            return counted
        if kind == "time":
            return self._time_converter(f)
        if kind == "date":
            tz, when = self.tz, self._time_converter(f)
            return _remembered(lambda raw: when(raw).astimezone(tz).date().isoformat())
        if kind == "count":
            def count(raw: str) -> int:
                # full-width digits (５台), the register's unit after it (5台, 5 pcs), a
                # comma between thousands (1,200)
                n = parse.read_count(raw, column)
                if n is None or n <= 0:
                    raise BadInput(_("{value} is not a whole number above 0").format(
                        value=shown(raw)))
                return parse.quantity(n, column)

            return _remembered(count)
        if kind == "money":
            code = self.lg.config.currency

            def money(raw: str) -> int | None:  # ¥1,250.50, 1250元 in a register in yuan
                # a register's 0 or 0.00 is its way of saying no money moved (a resolve
                # step refuses an amount of 0)
                return parse.money(raw, column, currency=code) or None

            return _remembered(money)
        if kind == "bool":
            def yes_no(raw: str) -> bool:
                k = words.key(raw)
                if k in _TRUE:
                    return True
                if k in _FALSE:
                    return False
                raise BadInput(_("{value} is not yes or no").format(value=shown(raw)))

            return _remembered(yes_no)
        raise AssertionError(kind)

    def _word(self, f: str, raw: str) -> str | None:
        """The code of the file's word `raw` in field `f`: the mapping's own line for
        it (exactly, or as words.key folds it), else the word table (codes, labels,
        synonyms), else the mapping's "*" line -- any other word, so "*" never
        overrides a word complaintctl understands. "" means no value."""
        own = self.mapping.values.get(f) or {}
        text, wildcard = raw, None
        if raw in own:
            text = own[raw]
        elif own:
            k = words.key(raw)
            hit = next((v for w, v in own.items() if w != "*" and words.key(w) == k), None)
            if hit is not None:
                text = hit
            else:
                wildcard = own.get("*")
        wf = WORD_FIELD.get(f, f)
        allowed = self.categories if f == "category" else None
        extra = self.category_words if f == "category" else \
            _VALIDITY if f == "validity" else ()
        code: str | None = None
        try:
            if text != "":  # the file's word means: no value
                try:
                    code = words.lookup(wf, text, allowed, extra)
                except words.UnknownWord:
                    if wildcard is None:
                        raise
                    code = words.lookup(wf, wildcard, allowed, extra) if wildcard else None
        except words.UnknownWord as exc:
            hint = _(" (did you mean {word}?)").format(word=exc.suggestion) \
                if exc.suggestion else ""
            if parse.looks_like_contact(raw):  # the contact column mapped to this field
                raise BadInput(_("{value} is not a {field}: it looks like a phone number or "
                                 "e-mail address; is the column the contact?").format(
                    value=shown(parse.mask(raw)), field=_field_said(f)),
                    code="looks_like_contact") from None
            raise BadInput(_("{value} is not a {field}{hint}; list it under [values.{key}]")
                           .format(value=shown(raw), field=_field_said(f), hint=hint, key=f)
                           ) from None
        return code

    def _time_converter(self, f: str) -> Callable[[str], datetime]:
        """_time of field `f`, remembered by text; a wall time in ISO form (what a sheet
        holds, what export writes) read by fromisoformat and the day's offset alone."""
        if f in self.mapping.formats:
            return _remembered(lambda raw: self._time(f, raw))
        offsets, read, utc, first, last = self._offsets, datetime.fromisoformat, self._utc, \
            parse.FIRST_YEAR, parse.LAST_YEAR

        def time_of(raw: str) -> datetime:
            try:  # fromisoformat takes no space around the text: raw is as _time strips it
                naive: datetime | None = read(raw)
            except ValueError:
                naive = None
            if naive is not None and naive.tzinfo is None and first <= naive.year <= last:
                offset = offsets.get(naive.date())
                return (naive - offset).replace(tzinfo=UTC) if offset is not None \
                    else utc(naive)
            return self._time(f, raw)

        return _remembered(time_of)

    def _time(self, f: str, raw: str) -> datetime:
        """A cell's date: in the mapping's [formats] format for `f`, if it has one, else
        (a format is for the cells written that way: it was the only reading, and the
        column's real date cells and 2021/3/4 were refused) read as any date is."""
        fmt = self.mapping.formats.get(f)

        def bad() -> BadInput:
            if fmt is not None:
                return BadInput(_("{value} is not a date (nor in the mapping's format "
                                  "{format})").format(value=shown(raw), format=fmt))
            return BadInput(_("{value} is not a date").format(value=shown(raw)))

        def out_of_range() -> BadInput:  # (a date all the same: "is not a date" left the
            # clerk guessing, where log says the years)
            return BadInput(_("{value} is out of range: a date with a year from {first} to "
                              "{last}").format(value=shown(raw), first=parse.FIRST_YEAR,
                                               last=parse.LAST_YEAR), code="out_of_range")

        if fmt is not None:
            try:
                parsed = datetime.strptime(raw.strip(), fmt)
            except ValueError:
                pass
            else:
                if parsed.tzinfo is None:
                    return self._utc(parsed)
                return parsed.astimezone(UTC)
        text = raw.strip()
        try:  # the common case, fast: ISO 8601 (what export writes, what a sheet holds)
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] == "Z"
                                            else text)
        except ValueError:
            day = _CJK_DAY.fullmatch(text)  # 2025年3月4日, as parse_when reads it
            found: datetime | None
            try:
                found = datetime(int(day[1]), int(day[2]), int(day[3])) if day else None
            except ValueError:  # no such day: parse_when says so
                found = None
            if found is None or not parse.FIRST_YEAR <= found.year <= parse.LAST_YEAR:
                try:
                    # (上周五, 昨天: a register's date written out, never counted from today)
                    return parse.parse_when(text, now=self.now, tz=self.tz, field=f,
                                            relative_days=False)
                except BadInput as exc:
                    # (the codes below: said as they are, without the [formats] advice
                    # of _told_how, which no format can follow for them)
                    serial = _excel_day(text)
                    if serial is not None:  # a date cell saved as General: its number
                        # (as text in a CSV, or in a cell of text: a date format set on it
                        # leaves it as it is, so the date is typed in again, or mapped)
                        raise BadInput(_("{value} is not a date (as an Excel date number "
                                         "it is {day}: type the date into the cell, or give "
                                         "the cell a line under [values.{key}]: {line})"
                                         ).format(value=shown(raw), day=serial, key=f,
                                                  line=f"{toml_string(text)} = \"{serial}\""),
                                       code="excel_serial") from None
                    if exc.code == "no_year" and exc.hint:  # (the cell's own day with a
                        # year, as the command line gives it: 2/29 was told "e.g. 2025年3月5日",
                        # as if corrected to another day, in a year without a 29 February)
                        raise BadInput(_("{value} is not a date: it has no year ({hint})"
                                         ).format(value=shown(raw), hint=exc.hint),
                                       code="no_year") from None
                    if exc.code == "no_year" or _MONTH_DAY.fullmatch(text):  # 3月5日, 1.25
                        raise BadInput(_("{value} is not a date: it has no year (e.g. "  # (a
                                         "2025年3月5日)").format(value=shown(raw)),  # format
                                       code="no_year") from None  # has no year to give)
                    if exc.code == "relative_date":
                        raise BadInput(_("{value} is not a date: it counts from the day it "
                                         "was written, which the file does not say (write "
                                         "the date itself)").format(value=shown(raw))) from None
                    if exc.code == "roc_year":
                        raise BadInput(_("{value} is not a date here: a year of three digits "
                                         "is a year of the Republic (民國) only in a ledger on "
                                         "Taiwan's time").format(value=shown(raw))) from None
                    if exc.code == "date_out_of_range":
                        raise out_of_range() from None
                    if exc.code in ("no_such_day", "no_such_time", "weekday_date",
                                    "ambiguous_date", "two_days"):
                        raise BadInput(_("{value} is not a date").format(
                            value=shown(raw)), hint=exc.hint) from None
                    raise bad() from None
            parsed = found
        if not parse.FIRST_YEAR <= parsed.year <= parse.LAST_YEAR:
            raise out_of_range()
        if parsed.tzinfo is None:  # the ledger's zone (a wall time in a gap: as parse_when)
            return self._utc(parsed)
        return parsed.astimezone(UTC)

    def _utc(self, naive: datetime) -> datetime:
        """A wall time of the ledger's zone in UTC: what
        naive.replace(tzinfo=tz).astimezone(UTC) gives, by the day's one offset where
        the day has one (the zone's arithmetic only once a day)."""
        day = naive.date()
        offset = self._offsets.get(day, _NONE)
        if offset is _NONE:
            offset = self._offsets[day] = deadlines.day_offset(self.tz, day)
        if offset is None:  # the offset changes that day: the zone says which applies
            at = naive.replace(tzinfo=self.tz).astimezone(UTC)
            shown_then = at.astimezone(self.tz)
            if shown_then.replace(tzinfo=None) != naive and naive.time() != _MIDNIGHT:
                # a time the clocks skipped (02:30 the night they went forward): moved an
                # hour without a word, where every command refuses it (a day alone whose
                # midnight they skipped starts at its first instant, as parse_when has it)
                raise BadInput(_("{value}: the clocks of {zone} went forward over that "
                                 "time").format(value=f"{naive:%Y-%m-%d %H:%M}",
                                                zone=self.tz),
                               hint=_("type the time as the clocks showed it: {time}").format(
                                   time=f"{shown_then:%Y-%m-%d %H:%M}"),
                               code="time_skipped")
            return at
        return (naive - offset).replace(tzinfo=UTC)

    # --- a row's history ---------------------------------------------------------

    def unread(self, row: _Row, f: str) -> bool:
        """Whether a value of `f` was there but could not be read (already a problem)."""
        if not row.problems:
            return False
        column = self.column(f)
        return any(p.column == column for p in row.problems)

    def _time_unread(self, row: _Row, f: str) -> bool:
        """Whether the time of `f` is missing because a cell it comes from (its own
        column, or the one [dates] names) could not be read: said once, for the cell."""
        if self.unread(row, f):
            return True
        src = self.date_from.get(f)
        if src is not None and src[1] is None and self._date_field(f) != f:
            f = self._date_field(f)  # (through the fields [dates] names in turn)
            if self.unread(row, f):
                return True
            src = self.date_from.get(f)
        return src is not None and (self.unread(row, src[0]) if src[1] is None else
                                    any(p.column == src[0] for p in row.problems))

    def key(self, row: _Row) -> str | None:
        return self.key_of(row.cells)

    def key_of(self, cells: list[str | None]) -> str | None:
        """The row's source key: its register id from an import before, where the mapping
        has a register_key and the row fills it in (complaintctl's export of a complaint
        imported from a register: its register id was lost when the ledger moved, and
        the register imported again came in twice), else id_key_of."""
        if self.register_index is not None:
            cell = cells[self.register_index] if self.register_index < len(cells) else None
            if cell:
                register = parse.name_width(cell)
                if register not in self.known and (held := self.id_key_of(cells)) in \
                        self.known:  # (a ledger that took this export before keyed the row
                    return held  # by its id: that is its key there, not a new row)
                return register
        return self.id_key_of(cells)

    def id_key_of(self, cells: list[str | None]) -> str | None:
        """The row's key cells: its key cell; of a key of several columns, their cells
        joined by " | " with a | or \\ inside a cell escaped (so that no two rows whose
        cells differ give one key); None when a cell of it is empty. Full-width letters
        and digits are read as half-width, as in a name (２０２６－００１, typed with an
        input method on full width, is 2026-001); its letters as written (AB-1 stored as
        such), found in the ledger with letter case aside when not as written
        (known_keys)."""
        if self.key_index is not None:
            cell = cells[self.key_index] if self.key_index < len(cells) else None
            if cell:
                cell = parse.name_width(cell)
            if cell and cell[0] == "0" and cell.isdigit() and cell not in self.known:
                # a number Excel shows as 001, read as shown since; an import before
                # that kept it as 1: that is its key in this ledger, as stored
                short = cell.lstrip("0") or "0"
                if short in self.known:
                    return short
            return cell
        if not self.key_indexes:
            return None
        parts = []
        for i, dated in zip(self.key_indexes, self.key_dates, strict=True):
            cell = cells[i] if i < len(cells) else None
            if not cell:
                return None
            if dated is not None:  # a date: as read, in one form
                cell = dated(cell)
                if cell is None:
                    return None
            else:
                cell = parse.name_width(cell)
            parts.append(str(cell).replace("\\", "\\\\").replace("|", "\\|"))
        return " | ".join(parts)

    def key_cells(self, cells: list[str | None]) -> tuple[str, ...]:
        """The cells of the key's columns, as written (each a key of one column)."""
        width = len(cells)
        return tuple(c for i in self.key_indexes if i < width and (c := cells[i]))

    def cells_digest(self, cells: list[str | None], but_key: bool = False) -> bytes:
        """A digest of the cells the mapping reads (the contact too: two rows that differ
        in it are two complaints), to tell a row pasted twice; `but_key`: but the key's."""
        width = len(cells)
        text = "\x1f".join(str(cells[i] or "") if i < width else ""
                            for i in self.read_columns
                            if not but_key or i not in self.key_indexes)
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def key_empty(self, cells: list[str | None]) -> str | None:
        """The key's column that is empty in the row (the first), else None."""
        for h, i in zip(self.mapping.key, self.key_indexes, strict=True):
            if i >= len(cells) or not cells[i]:
                return column_said(h)
        return None

    def row_hash(self, row: _Row) -> str:
        """SHA-256 of the row's cells but the contact, joined by U+001F (an empty or
        missing cell as empty text, cells beyond the header left out)."""
        cells = row.cells
        width = self.width
        if len(cells) != width:
            cells = (cells + [None] * width)[:width]
        parts = [c or "" for c in cells]
        if self.contact is not None:
            del parts[self.contact]
        try:
            text = "\x1f".join(parts)
        except TypeError:  # a cell that is not text
            text = "\x1f".join("" if c is None else str(c) for c in
                               (cells[:self.contact] + cells[self.contact + 1:]
                                if self.contact is not None else cells))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def when(self, row: _Row, f: str, seen: tuple[str, ...] = ()) -> tuple[datetime | None,
                                                                          bool]:
        """A step's time: its own column, or where [dates] says (estimated), through the
        fields it names in turn (concluded_at = "resolved_at" where resolved_at =
        "closed_at": it was taken as no date, and the row told to add the line it had)."""
        v = row.values.get(f)
        if v is not None:
            return v, f in row.defaulted
        src = self.date_from.get(f)
        if src is None or f in seen:
            return None, False
        name, i = src
        if i is None:
            return self.when(row, name, (*seen, f))[0], True
        raw = row.cells[i] if i < len(row.cells) else None
        if raw is None:
            return None, True
        value = self._value(row, f, "time", raw, name)
        return value, True

    def _same_day_date(self, at: datetime, before: datetime) -> bool:
        """Whether `at` is a date without a time of day (local midnight) on the local day
        of `before`."""
        local = at.astimezone(self.tz)
        return (local.hour, local.minute, local.second) == (0, 0, 0) and \
            local.date() == before.astimezone(self.tz).date()

    def history(self, row: _Row, *, actor: str, source: dict[str, Any]
                ) -> tuple[History | None, list[tuple[str, str]]]:
        """The row's complaint history (None when it has problems), and the steps by
        (kind, the column their time came from)."""
        v = row.values
        problems = row.problems
        for f, name, column in self.required:
            if v.get(f) is None and not any(p.column == name for p in problems):
                message = (_("empty; {field} is required").format(field=_field_said(f))
                           if column
                           else _("no value for {field}: map a column to it or give it "
                                  "under [defaults]").format(field=f))
                problems.append(Problem(row.number, column, message, cells=row.cells))
        # (what `log` refuses of its customer and description, the same here: a caller's
        # number as the customer went into every listing in clear, out of reach of masking
        # and forget-contact; a description 无 filed a complaint without one)
        customer, description = v.get("customer"), v.get("description")
        if customer is not None and parse.only_contact(customer):
            problems.append(Problem(row.number, self.column("customer"), _(
                "{value} looks like a phone number or e-mail address, not the name of a "
                "customer: map the register's column of numbers to contact, and give who "
                "complained here (a caller who gave no name: how to tell them apart, e.g. "
                "匿名来电 3月4日 上午)").format(value=shown(parse.mask(customer) or customer)),
                cells=row.cells))
        if description is not None and parse.no_description(description):
            problems.append(Problem(row.number, self.column("description"), _(
                "{value} means none: a complaint needs what the customer said, in their "
                "words").format(value=shown(description)), cells=row.cells))
        if v.get("currency") and v.get("amount") is not None and not parse.names_currency(
                v["currency"], self.lg.config.currency):
            problems.append(Problem(row.number, self.column("currency"), _contact_said(
                v["currency"]) if parse.looks_like_contact(v["currency"]) else _(
                "{value}: the amount is in another currency than the ledger's ({code})"
            ).format(value=shown(v["currency"]), code=self.lg.config.currency),
                rule=True, cells=row.cells))
        received = v.get("received_at")
        if received is not None and received > self.latest:  # said as each step's is
            problems.append(Problem(row.number, self.column("received_at"), _(
                _IN_THE_FUTURE).format(time=self.lg.local(received)), rule=True,
                cells=row.cells))
        fields = dict(zip(INTAKE, map(v.get, INTAKE), strict=True))
        if v.get("logged_by"):
            fields["logged_by"] = v["logged_by"]
        steps: list[Step] = []
        columns: list[tuple[str, str]] = []
        last: tuple[datetime, str] | None = (received, self.column("received_at")) \
            if received else None
        now, latest, defaulted = self.now, self.latest, row.defaulted

        def step(kind: str, time_field: str, facts: dict[str, Any], used: tuple[str, ...],
                 needed: bool = True, estimate: bool = False) -> None:
            nonlocal last
            at = v.get(time_field)
            borrowed = at is None  # its time from another field, under [dates]
            if at is not None:
                estimated = time_field in defaulted
            else:
                at, estimated = self.when(row, time_field)
            estimated = estimated or estimate
            if at is None:
                if needed and not self._time_unread(row, time_field):
                    if self._time_mapped(time_field):  # mapped: this row's cell is empty
                        problems.append(Problem(
                            row.number, self.time_column[time_field],
                            self._defaults_made(kind, used, v, defaulted) or
                            _("empty, and the {step} step needs its date").format(
                                step=step_word(kind)), cells=row.cells))
                        return
                    problems.append(Problem(
                        row.number, None, _("the {step} step has no date: map {field} to a "
                                            "column, or say where it comes from under "
                                            "[dates]").format(step=step_word(kind),
                                                              field=time_field),
                        cells=row.cells))
                return
            column = self.time_column[time_field]
            if at > latest:
                problems.append(Problem(row.number, column, _(_IN_THE_FUTURE).format(
                    time=self.lg.local(at)), rule=True, cells=row.cells))
                return
            if last is not None and at < last[0] and self._same_day_date(at, last[0]):
                at, estimated = last[0], True  # a date without its time, on the day of the
                # step before (a timed receipt, then the day it was assigned): at that step
            if last is not None and at < last[0]:
                problems.append(Problem(row.number, column, _(
                    "the {step} step, dated {time} from this column under [dates], comes "
                    "before {other} {then}").format(
                        step=step_word(kind), time=self.lg.local(at), other=last[1],
                        then=self.lg.local(last[0]))
                    if borrowed and not self._own_time_of(column) else _(
                    "{time} is before {other} {then}: the dates run backwards").format(
                        time=self.lg.local(at), other=last[1], then=self.lg.local(last[0])),
                    rule=True, cells=row.cells))
                return
            last = (at, column)
            if not estimated and defaulted:
                estimated = any(u in defaulted for u in used)
            steps.append(Step(kind, at, actor, facts, now,
                              {"estimated": True} if estimated else None))
            columns.append((kind, column))

        department, owner = v.get("department"), v.get("owner")
        if department or owner:
            if not (department and owner):
                missing = "owner" if department else "department"
                if missing in self.index and not self.unread(row, missing):
                    # mapped: this row's cell is empty (said as an empty date is)
                    problems.append(Problem(row.number, self.column(missing), _(
                        "empty, and the {step} step needs it").format(
                            step=step_word("assign")), cells=row.cells))
                elif not self.unread(row, missing):
                    problems.append(Problem(row.number, None, _(
                        "an assignment needs a department and an owner; {field} is empty "
                        "(map it, or give it under [defaults])").format(field=missing),
                        cells=row.cells))
            else:
                step("assign", "assigned_at", {"department": department, "owner": owner},
                     ("department", "owner"))
        facts = {fact: v.get(f) for f, fact in _FACTS}
        if facts["reason"] and not facts["validity"]:
            facts["validity"] = "not-upheld"
        if facts["validity"] != "not-upheld":
            facts["reason"] = None
        if facts["validity"] == "upheld" and not facts["root_cause"]:
            facts["validity"] = None  # upheld is what a root cause says; alone it is nothing
        summary_taken = False  # as a not-upheld reason: the summary is used
        if any(x is not None for x in facts.values()):
            if facts["validity"] == "not-upheld" and not facts["reason"]:
                summary_taken = bool(v.get("summary"))
                facts["reason"] = v.get("summary") or _("not upheld (from the register)")
            step("investigate", "concluded_at", facts, _INVESTIGATION)
        disposition = v.get("disposition")
        if disposition or v.get("resolved_at"):
            if not disposition or not v.get("summary"):
                missing = "disposition" if not disposition else "summary"
                if missing in self.index and not self.unread(row, missing):
                    # mapped: this row's cell is empty (the column is named, not the field)
                    problems.append(Problem(row.number, self.column(missing), _(
                        "empty, and the {step} step needs it").format(
                            step=step_word("resolve")), cells=row.cells))
                elif not self.unread(row, missing):
                    problems.append(Problem(row.number, None, _(
                        "a resolution needs {field}: map a column to it or give it under "
                        "[defaults]").format(field=_field_said(missing)), cells=row.cells))
            else:
                step("resolve", "resolved_at",
                     {"disposition": disposition, "summary": v["summary"],
                      "amount": v.get("amount"), "approved_by": v.get("approved_by")},
                     ("disposition", "summary", "amount", "approved_by"))
        elif v.get("amount") is not None:  # it would be dropped without a word
            problems.append(Problem(row.number, self.column("amount"), _(
                "an amount is paid in a resolution: map disposition and resolved_at, or "
                "give them under [defaults] and [dates]"), cells=row.cells))
        closed_at = v.get("closed_at")
        revisited = self.when(row, "revisited_at")[0]
        if closed_at is None:  # a register without closing dates: [dates] closed_at = …
            closed_at = self.when(row, "closed_at")[0]
            if revisited is not None and v.get("satisfaction") not in (None, "unsatisfied"):
                # a row with its revisit (满意, and its date) has no closing of its own to
                # date: the revisit closed it (the date borrowed for rows closed without
                # one made it a second revisit, refused as none is due)
                closed_at = None
        closing = closed_at is not None
        earlier_round = v.get("satisfaction") == "unsatisfied" and revisited is not None \
            and bool(steps) and steps[-1].kind == "resolve" and revisited < steps[-1].at
        if earlier_round:
            # an unsatisfied revisit before the row's (latest) resolution reopened an
            # earlier round, which one row does not carry: the complaint comes in resolved
            # (and closed after, below, if the row closed it without a revisit)
            pass
        elif v.get("satisfaction") and closed_at is not None and revisited is not None \
                and revisited > closed_at and v["satisfaction"] != "unsatisfied":
            # a second revisit after the closing one (critical complaints): the closing
            # revisit at closed_at (its satisfaction is not in the row: estimated), then
            # the row's
            facts = {"satisfaction": v["satisfaction"], "method": v.get("revisit_method")}
            step("revisit", "closed_at", facts, ("satisfaction",), estimate=True)
            step("revisit", "revisited_at", {**facts, "demand_met": v.get("demand_met"),
                                             "note": v.get("revisit_note")}, ("satisfaction",))
        elif v.get("satisfaction"):
            time_field = "revisited_at" if revisited is not None or not closing \
                else "closed_at"
            step("revisit", time_field,
                 {"satisfaction": v["satisfaction"], "method": v.get("revisit_method"),
                  "demand_met": v.get("demand_met"), "note": v.get("revisit_note")},
                 ("satisfaction",))
            if v.get("severity") == "critical" and revisited is not None and \
                    closed_at is not None and closed_at > revisited and \
                    v["satisfaction"] != "unsatisfied":
                # a critical complaint closed (结案) after its closing revisit: the second
                # revisit closed it then (its words are not in the row: estimated); the
                # closing date was dropped, and the second revisit left overdue
                step("revisit", "closed_at", {"satisfaction": v["satisfaction"],
                                              "method": v.get("revisit_method")},
                     ("satisfaction",), estimate=True)
        if v.get("closed_at") is not None and v.get("satisfaction") == "unsatisfied" \
                and not earlier_round:
            # the register closed it (结案) and its revisit reopens it: the closing was
            # dropped without a word, and the complaint came in owing a second handling
            row.closed_reopened = v["closed_at"]
            row.if_new.append(Problem(row.number, self.column("closed_at"), _(
                "closed on {time}, but the revisit is {satisfaction}, which reopens the "
                "complaint for a second handling: a reopened complaint is closed by its "
                "next resolution and revisit (enter them after the import), or leave this "
                "row's {column} empty to import it reopened").format(
                time=self.lg.local(v["closed_at"]),
                satisfaction=term("satisfaction", "unsatisfied"),
                column=self.column("closed_at")) if revisited is None or
                revisited <= v["closed_at"] or self._same_day_date(v["closed_at"], revisited)
                else _(
                "closed on {time} and revisited after that ({revisited}) with "
                "{satisfaction}, which reopens the complaint: the row does not say which "
                "revisit closed it; correct the dates in the file, or enter this complaint "
                "by hand").format(
                time=self.lg.local(v["closed_at"]), revisited=self.lg.local(revisited),
                satisfaction=term("satisfaction", "unsatisfied")),
                rule=True, cells=row.cells))
        elif closing and (earlier_round or not v.get("satisfaction")):
            if not v.get("close_reason"):
                if revisited is not None and not earlier_round and not self.unread(
                        row, "satisfaction"):
                    # the row has its revisit: what is missing is its satisfaction, not
                    # a reason for closing without one
                    message = self._no_satisfaction(revisited)
                else:
                    message = _("closed without a revisit needs close_reason: map a column "
                                "to it or give it under [defaults]")
                row.problems.append(Problem(row.number, self.column("closed_at"), message,
                                            cells=row.cells))
            else:
                step("close", "closed_at", {"reason": v["close_reason"]}, ("close_reason",))
        status = v.get("status")
        voided = v.get("voided_at") or status == "void"
        if voided and (reached := _reached(steps)[0]) not in _VOIDABLE and not problems:
            # (said in the register's words, before any date: the void step's date order
            # came first, and once corrected the step's refusal named CLI commands)
            problems.append(Problem(row.number, self.column("status") if status == "void"
                                    else self.time_column["voided_at"], _(
                "{void} in the register, but the row's steps reach {reached}: a complaint "
                "is voided only before it is investigated, and one taken that far is closed "
                "instead; correct the status, or empty the columns of the later steps if "
                "they were never taken").format(
                    void=term("status", "void"), reached=term("status", reached)),
                cells=row.cells, rule=True))  # (a rule refuses it: exit 1, every value read)
        elif voided:
            step("void", "voided_at", {"reason": v.get("void_reason") or _(
                "void in the register")}, ("void_reason",))
        elif status in _STEPS_OF and not row.problems:
            reached, blocked = _reached(steps)
            if _RANK[reached] < _RANK[status]:  # the register says more than its dates do
                # a step the row has that its earlier ones do not allow: what it lacks
                # (a resolution date with no cause: the investigation), not its columns
                reopened = blocked is None and steps[-1].kind == "revisit" and \
                    steps[-1].facts.get("satisfaction") == "unsatisfied"
                message = (self.lacking(reached, blocked)
                           if blocked is not None and reached in _BEFORE else _(
                    "the revisit is {satisfaction}, which reopens the complaint ({reached}), "
                    "but the status is {status}: correct the one that is wrong").format(
                        satisfaction=term("satisfaction", "unsatisfied"),
                        reached=term("status", reached), status=term("status", status))
                           if reopened else self._no_satisfaction(revisited)
                    if status == "closed" and reached == "resolved" and revisited is not None
                    and not v.get("satisfaction") and not self.unread(row, "satisfaction")
                    # (the row has its revisit date: what it lacks is the satisfaction, not
                    # the columns the hint below names, mapped and filled already)
                    else _(
                    "the status is {status} but the row's steps reach only {reached}: map "
                    "the columns of the missing steps ({fields}), or say under [dates] where "
                    "their times come from").format(
                        status=term("status", status), reached=term("status", reached),
                        fields=_(", ").join(f if isinstance(f, str) else _(
                            "{first} or {second}").format(first=f[0], second=f[1])
                                            for f in _STEPS_OF[status])))
                problems.append(Problem(  # (a step lacking one before it: not the status)
                    row.number, self.column("status") if blocked is None or reached not in
                    _BEFORE else None, message, rule=True, cells=row.cells))
        if row.problems or received is None:
            return None, columns
        # values of the row's own columns that no step took, the step lacking what it needs
        if not v.get("satisfaction"):
            self._unused_by(row, _REVISIT_TAKES, "satisfaction")
        if not (department or owner):
            self._unused_by(row, ("assigned_at",), "department")
        if not any(s.kind == "investigate" for s in steps):
            self._unused_by(row, ("concluded_at",), "cause")
        if v.get("validity") == "upheld" and not v.get("cause"):  # (dropped above)
            self._unused_by(row, ("validity",), "upheld")
        reached_now = _reached(steps)[0]
        if status in _STATUS_AHEAD and _RANK[reached_now] < _RANK[status]:
            self._unused_by(row, ("status",), "status")  # (the steps win: _STEPS_OF)
        elif status in _RANK and status != "void" and reached_now != "void" and \
                _RANK[status] < _RANK[reached_now]:  # (处理中 on a row its dates close:
            # said, as the other way is; a [dates] line that closes every resolved row
            # closed those the register marks 已处理 without a word)
            self._unused_by(row, ("status",), "status_behind")
        kinds = {s.kind for s in steps}
        if "resolve" not in kinds:  # (a summary, approver or close reason was dropped)
            self._unused_by(row, ("approved_by",) if summary_taken else
                            ("summary", "approved_by"), "disposition")
        if "close" not in kinds and "void" not in kinds and not row.closed_reopened:
            # (a closing its unsatisfied revisit reopened is said apart, row.if_new)
            closed = any(s.kind == "revisit" and s.facts.get("satisfaction") != "unsatisfied"
                         for s in steps)
            self._unused_by(row, ("close_reason",), "revisited" if closed else "closed_at")
        if "void" not in kinds:
            self._unused_by(row, ("void_reason",), "void" if self._given("voided_at") or
                            self._given("status") else "voided_at")
        if "amount" in self.index and any(
                s.kind == "resolve" and s.facts["amount"] is None
                and s.facts["disposition"] in workflow.PAYING for s in steps) \
                and self._zero(row.cells[self.index["amount"]]):
            self.unused.setdefault(("amount", "zero"), []).append(row.number)
        # an intake value from [defaults] rather than its column: the log is estimated too
        log_extra = {"estimated": True} if defaulted and not defaulted.isdisjoint(_LOGGED) \
            else None
        return History(fields, received, self.now, actor, steps, {"source": source},
                       log_extra, not _second_revisit_in(steps)), columns


_LOGGED = frozenset((*INTAKE, "received_at", "logged_by"))  # the fields of the log step


def _second_revisit_in(steps: list[Step]) -> bool:
    """Whether a row's steps hold a second revisit (a revisit after the closing one):
    one that does not is imported without a second revisit owed once it was due before
    the import (History.lapse_second_revisit)."""
    closed = False
    for s in steps:
        if s.kind == "revisit" and closed:
            return True
        if s.kind == "close" or s.kind == "revisit":
            closed = s.kind == "close" or s.facts.get("satisfaction") != "unsatisfied"
    return False

# The revisit's fields besides its satisfaction, which a revisit needs.
_REVISIT_TAKES = ("revisited_at", "revisit_method", "demand_met", "revisit_note")
# What a step lacks, by the fields that give it (an assignment: a department or owner).
_NEED_GROUP = {"satisfaction": ("satisfaction",), "department": ("department", "owner"),
               "cause": _INVESTIGATION, "upheld": ("cause",), "status": (),
               "disposition": ("disposition",), "closed_at": ("closed_at",),
               "voided_at": ("voided_at", "status"), "revisited": (), "zero": (),
               "void": (), "status_behind": ()}
# (named in the reader's language: the field's English name stood in a Chinese message)
_NEED_WORDS = {"satisfaction": N_("satisfaction"), "department": N_("department"),
               "cause": N_("cause"), "upheld": N_("cause"), "disposition": N_("disposition"),
               "closed_at": N_("closing date"), "voided_at": N_("void date or status")}
# Statuses a register gives that no date of a row reaches (resolved and closed are
# refused short of their steps, _STEPS_OF): 处理中 with nothing but an assignment.
_STATUS_AHEAD = frozenset(("assigned", "investigating"))
_ROWS_LISTED = 10  # row numbers a warning lists
# The fields a register's word for none (parse.NONE_WORDS) is read as no value in.
_NONE_READ = frozenset(("contact", "product", "order_no", "lot", "region", "approved_by"))


# A whole number written as a float, as a script or a database export writes a phone
# number column of numbers (13812345678.0).
_FLOAT_NUMBER = re.compile(r"([0-9]{5,15})\.0+")


def _contact_said(raw: str) -> str:
    """A row's value refused in a field it is no value of, that looks like a phone
    number or an address: said masked, with what it looks like."""
    return _("{value} is not a value of this column's field: it looks like a phone number "
             "or e-mail address; is the column the contact?").format(
        value=shown(parse.mask(raw.strip())))


def _field_said(f: str) -> str:
    """A field as a row's problem names it: the mapping's key for it (what a mapping is
    written with); in Chinese after the name the screens give it (严重程度（severity）)."""
    if i18n.lang() != "zh":
        return f
    from complaintctl.form import FIELD_NAMES

    name = FIELD_NAMES.get(f)
    return f"{_(name)}（{f}）" if name else f


def _unmapped(need: str, n: int) -> str:
    """A column given in `n` rows whose values no step took, because nothing is mapped
    to what the step needs (`need`)."""
    if need == "satisfaction":
        return ngettext("{column} given in {n} row but not used: no satisfaction column "
                        "mapped (a revisit needs one: map the column of 满意, 不满意 … to "
                        "satisfaction)",
                        "{column} given in {n} rows but not used: no satisfaction column "
                        "mapped (a revisit needs one: map the column of 满意, 不满意 … to "
                        "satisfaction)", n)
    if need == "upheld":
        return ngettext("{column} given in {n} row but not used: upheld (成立) is recorded "
                        "with the root cause found, and no cause column is mapped (map the "
                        "column of 原因分析 to cause)",
                        "{column} given in {n} rows but not used: upheld (成立) is recorded "
                        "with the root cause found, and no cause column is mapped (map the "
                        "column of 原因分析 to cause)", n)
    if need == "disposition":
        return ngettext("{column} given in {n} row but not used: no disposition column "
                        "mapped (a resolution needs its disposition, 处理方式, and its date)",
                        "{column} given in {n} rows but not used: no disposition column "
                        "mapped (a resolution needs its disposition, 处理方式, and its date)",
                        n)
    if need == "closed_at":
        return ngettext("{column} given in {n} row but not used: no closing date mapped (map "
                        "the column of 结案日期 to closed_at, or say where it comes from "
                        "under [dates])",
                        "{column} given in {n} rows but not used: no closing date mapped (map "
                        "the column of 结案日期 to closed_at, or say where it comes from "
                        "under [dates])", n)
    if need == "voided_at":
        return ngettext("{column} given in {n} row but not used: no void date or status "
                        "mapped",
                        "{column} given in {n} rows but not used: no void date or status "
                        "mapped", n)
    if need == "department":
        return ngettext("{column} given in {n} row but not used: no department or owner "
                        "column mapped (an assignment needs both)",
                        "{column} given in {n} rows but not used: no department or owner "
                        "column mapped (an assignment needs both)", n)
    return ngettext("{column} given in {n} row but not used: no investigation column mapped "
                    "(cause, validity …)",
                    "{column} given in {n} rows but not used: no investigation column "
                    "mapped (cause, validity …)", n)


# A register's status that its steps must reach (a status short of them is the register's
# own lag: the steps win), and the fields of the steps that reach it.
_RANK = {state: i for i, state in enumerate(workflow.STATES)}  # the procedure's order
_STEPS_OF: dict[str, tuple[str | tuple[str, str], ...]] = {
    "resolved": ("disposition", "resolved_at"),
    "closed": ("resolved_at", ("closed_at", "revisited_at"))}  # (either of a pair)


# What a step of a row needs before it, in the register's fields, by the state the row's
# earlier steps left the complaint in (the transition table's refusal names commands).
_BEFORE = {"logged": N_("the row's {step} step has no assignment before it: map department "
                       "and owner (or give them under [defaults])"),
           "assigned": N_("the row's {step} step has no investigation before it: map cause "
                          "(or validity) and where concluded_at comes from; “upheld” (成立) "
                          "alone, without a cause, makes no investigation"),
           "investigating": N_("the row's {step} step has no resolution before it: map "
                               "disposition, summary and resolved_at")}


# _BEFORE's "assigned" for a mapping without a cause column but with the resolution's
# summary: a register like the 客户投诉处理月报表 (处理方式, 处理说明, 处理日期) says its cause
# there, and a column may feed two fields.
_NO_CAUSE_COLUMN = N_("the row's {step} step has no investigation before it, and the mapping "
                      "has no column for cause: a register that says the cause in its "
                      "summary takes it from there (cause = {column} under [columns]){dates}"
                      "{upheld}")


# A step of a history by the word a clerk uses for it (the command's, in English).
_STEP_WORDS = {"log": NC_("command", "log"), "assign": NC_("command", "assign"),
               "investigate": NC_("command", "investigate"),
               "resolve": NC_("command", "resolve"), "revisit": NC_("command", "revisit"),
               "close": NC_("command", "close"), "void": NC_("command", "void")}


def step_word(kind: str) -> str:
    return _(_STEP_WORDS[kind]) if kind in _STEP_WORDS else kind


def _in_register(exc: ComplaintctlError, key: str | None, reader: Reader) -> str:
    """A refusal of the writer in the register's terms: the id it would have had is
    never made, so the row's key stands for it; an illegal step says what the row lacks."""
    if isinstance(exc, IllegalTransition) and exc.params.get("state") in _BEFORE:
        return reader.lacking(exc.params["state"], str(exc.params.get("command")))
    record = exc.params.get("record")
    if isinstance(record, str) and record:
        return exc.message.replace(record, key or _("this row"))
    return exc.message


def _reached(steps: list[Step]) -> tuple[str, str | None]:
    """The status a row's steps end in, by the transition table, and the step that
    could not be taken from it (None when all were)."""
    state = "logged"
    for s in steps:
        try:
            state = workflow.next_state(s.kind, state, "", s.facts.get("satisfaction"))
        except (IllegalTransition, KeyError):  # the writer refuses the row, naming it
            return state, s.kind
    return state, None


# What a cell's refusal adds, by the kind of its field: how the mapping reads a
# register's own way of writing one ('无' is not an amount said nothing of it, as a
# word's refusal does).
_TOLD_HOW = {
    "money": N_("{message}; a register's own way of writing one goes under [values.{key}] "
                "(\"无\" = \"\" for none)"),
    "count": N_("{message}; a register's own way of writing one goes under [values.{key}] "
                "(\"若干\" = \"\" for none)"),
    "bool": N_("{message}; a register's own way of writing one goes under [values.{key}] "
                "(\"√\" = \"yes\")"),
    "time": (_IN_A_FORMAT := N_("{message}; a column written in one other way takes its "
                                "format under [formats] ({example}), a single cell a line "
                                "under [values.{key}]")),
    "date": _IN_A_FORMAT,
    # a word in a date's column (待定, 未回访): no format reads it
    "date-word": N_("{message}; a register's word for none goes under [values.{key}] "
               "({example} = \"\")"),
    # and in a date every row must have (received_at): the word given its date
    "date-word-required": N_("{message}; a cell written so takes its date under "
                             "[values.{key}] ({example} = \"2025-01-02\")"),
}


_YEAR_FIRST = re.compile(r"\s*[0-9]{4}\s*[-/.年]")
# A date or time after the import's instant (a year typed wrong: 2052 for 2025).
_IN_THE_FUTURE = N_("{time} is in the future: correct the date in the cell (a year or month "
                    "typed wrong?)")
# A date of three numbers parted by one mark (23/6/5, 03/04/2025), for the format it may be.
_THREE_NUMBERS = re.compile(r"\s*([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{1,2}|[0-9]{4})"
                            r"(?:\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?\s*")
_MOST = {"%y": 99, "%Y": 9999, "%m": 12, "%d": 31}


# A day, a month by its English name, a year: how Excel writes a date (5-Jan-26).
_NAMED_MONTH = re.compile(r"([0-9]{1,2})([-/ ])(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                          r"([-/ ])([0-9]{2}|[0-9]{4})", re.IGNORECASE)


def _format_example(raw: str, key: str) -> str:
    """The [formats] line of a date written as `raw`: with its own mark (23/6/5:
    %y/%m/%d, not %y.%m.%d), in the orders its numbers may be read in (03/04/2025: the
    day or the month first)."""
    found = _THREE_NUMBERS.fullmatch(raw)
    named = _NAMED_MONTH.fullmatch(raw)
    if found is None and named is not None:  # 5-Jan-26, 05 Jan 2026: Excel's, its month
        # by name (it offered %y.%m.%d)
        day, mark, _month, mark2, year = named.groups()
        return f'{key} = "%d{mark}%b{mark2}{"%Y" if len(year) == 4 else "%y"}"'
    if found is None:
        return f'{key} = "%y.%m.%d"'
    first, mark, second, last, seconds = found.groups()
    orders = [("%d", "%m", "%Y"), ("%m", "%d", "%Y")] if len(last) == 4 else \
        [("%y", "%m", "%d"), ("%d", "%m", "%y"), ("%m", "%d", "%y")]
    numbers = (int(first), int(second), int(last))
    fit = [order for order in orders
           if all(n <= _MOST[part] for n, part in zip(numbers, order, strict=True))]
    clock = "" if ":" not in raw else " %H:%M:%S" if seconds else " %H:%M"  # (23/6/5 14:30)
    return _(" or ").join(f'{key} = "{mark.join(order)}{clock}"' for order in fit or orders[:1])


def _told_how(convert: Callable[[str], Any], f: str, kind: str, currency: str | None = None
              ) -> Callable[[str], Any]:
    """`convert`, its refusal saying how the mapping reads a register's own way (_TOLD_HOW);
    an amount's, what to write instead (_amount_said; `currency`, the ledger's)."""
    def told(raw: str) -> Any:
        try:
            return convert(raw)
        except BadInput as exc:
            if exc.code == "amount_point_thousands" and isinstance(raw, NumberCell):
                # a number cell, 2.675, has no thousands mark: it was offered 2675 (and the
                # line for it stored ¥2,675.00 for a cell shown ¥2.68)
                exc = BadInput(_("{field} {value} has more than two decimals").format(
                    field=exc.params["field"], value=shown(raw)), code="many_decimals")
            if exc.code == "many_decimals":  # 12345.675, that a sheet shows ¥12,345.68
                raise BadInput(_("{message}: a sheet may show the cell rounded while it "
                                 "holds this; round it in the sheet (=ROUND(cell, 2)) and "
                                 "save, or give the amount under [values.{key}]").format(
                    message=exc.message, key=f), hint=exc.hint) from None
            if kind == "money" and (said := _amount_said(exc, raw, f, currency)):
                raise BadInput(said, hint=exc.hint, code=exc.code) from None
            if exc.code != BadInput.code:  # (one of its own: another currency, masked …)
                raise
            if kind in ("time", "date") and _YEAR_FIRST.match(raw):  # 2025/13/01: written
                # the usual way, and no such day: no other format to give, the cell to set right
                raise BadInput(_("{message}: correct the cell, or give it its date under "
                                 "[values.{key}] ({line})").format(
                    message=exc.message, key=f, line=f"{toml_string(raw)} = \"…\""),
                    hint=exc.hint) from None
            if kind in ("money", "count") and any(ch.isdigit() for ch in raw):
                raise  # (-500, 1.234, 0: a number, refused as one; 无, 若干 are words)
            if kind in ("time", "date") and not any(ch.isdigit() for ch in raw):
                raise BadInput(_(_TOLD_HOW["date-word-required" if f in REQUIRED
                                           else "date-word"]).format(
                    message=exc.message, key=f, example=json.dumps(raw, ensure_ascii=False)),
                    hint=exc.hint) from None
            raise BadInput(_(_TOLD_HOW[kind]).format(
                message=exc.message, key=f, example=_format_example(raw, f)
                if kind in ("time", "date") else ""), hint=exc.hint) from None

    return told


# A [defaults] line for a required field the mapping left out, as the hint gives it (a
# missing customer was shown channel = "phone", a field mapped already); the customer,
# the description and the day are each row's own: a column, not one value for all
_DEFAULT_EXAMPLES = {"channel": 'channel = "phone"', "category": 'category = "quality"',
                     "severity": 'severity = "medium"'}


# An amount written with a decimal comma (12,50: twelve and a half, in much of Europe).
_DECIMAL_COMMA = re.compile(r"\s*([0-9]+),([0-9]{1,2})\s*")


# The capital figures (大写) of an amount written out: 壹仟贰佰元整.
_CAPITAL_FIGURES = re.compile("[壹贰叁肆伍陆柒捌玖拾佰仟貳參陸]")


def _amount_said(exc: BadInput, raw: str, key: str, currency: str | None) -> str | None:
    """An amount's refusal (parse.money) in a register's terms: what to write in the
    cell instead, or the mapping's line for it (the command's hint names its option);
    None for one said as it is."""
    if exc.code == "amount_point_thousands":
        large, small = exc.params["large"], exc.params["small"]
        if len(str(small).partition(".")[2]) > 2:  # (12.505: the very value refused)
            return _("{message}: write {large}, or the amount rounded to two decimals, in "
                     "the cell, or give it a line under [values.{key}] ({line})").format(
                message=exc.message, large=large, key=key,
                line=f"{toml_string(raw)} = {toml_string(large)}")
        return _("{message}: write {large} or {small} in the cell, or give it a line under "
                 "[values.{key}] ({line})").format(
            message=exc.message, large=large, small=small, key=key,
            line=f"{toml_string(raw)} = {toml_string(large)}")
    if exc.code == "dollar_sign":
        number = exc.params["number"]
        return _("{message}: write an amount in {code} without the $ ({number}), one in "
                 "another currency converted to {code}; or give the cell a line under "
                 "[values.{key}] ({line})").format(
            message=exc.message, code=currency, number=number, key=key,
            line=f"{toml_string(raw)} = {toml_string(number)}")
    if _CAPITAL_FIGURES.search(raw):  # 壹仟元整, as a cheque or a 付款单 writes it
        return _("{message}: an amount in capital figures (大写) is not read; write it in "
                 "figures in the cell, or give the cell a line under [values.{key}] "
                 "({line})").format(message=exc.message, key=key,
                                    line=f"{toml_string(raw)} = \"…\"")
    if not exc.params.get("unread") or not any(ch.isdigit() for ch in raw):
        return None  # (无, 若干: a word, which _TOLD_HOW says how to map)
    if currency in i18n.WHOLE_CURRENCIES:
        return _("{message}: write it as a whole number, with commas only between "
                 "thousands (e.g. 1,250), or give the cell a line under [values.{key}] "
                 "({line})").format(message=exc.message, key=key,
                                    line=f"{toml_string(raw)} = \"…\"")
    comma = _DECIMAL_COMMA.fullmatch(raw)
    example = f"{comma[1]}.{comma[2]}" if comma else "1250.50"
    return _("{message}: write it with a point before at most two decimals, and commas only "
             "between thousands (e.g. {example}), or give the cell a line under "
             "[values.{key}] ({line})").format(
        message=exc.message, example=example, key=key,
        line=f"{toml_string(raw)} = {toml_string(example if comma else '…')}")


def _through(own: dict[str, str], convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """A converter of a date, count, amount or yes/no that first reads the mapping's
    [values.FIELD] lines: a register's placeholder ("/" = "": no value) or its own way
    of writing one ("5台" = "5")."""
    def through(raw: str) -> Any:
        if raw in own:
            raw = own[raw]
            if not raw:
                return None
        return convert(raw)

    return through


# A header cell that looks like a value, not a column's name: an e-mail address, a phone
# number (seven digits or more), or long text. Such a "header" (a first row of data, a
# file of another kind) is not echoed: it may be a customer's contact.
_VALUE_LIKE = CONTACT_LIKE
_HEADERS_SHOWN = 30  # headers a message lists
_HEADER_LONGEST = 40  # characters of one


def headers_shown(header: list[str]) -> str:
    """A file's header row as a message lists it: each quoted, those that look like
    values (a phone number, an e-mail address, long text) left out and counted, at most
    _HEADERS_SHOWN of them."""
    names = [h for h in header if h and not _VALUE_LIKE.search(h)
             and len(h) <= _HEADER_LONGEST]
    out = listing([shown(h) for h in names[:_HEADERS_SHOWN]])
    more = len(names) - _HEADERS_SHOWN
    if more > 0:
        out += _(", and {n} more headers").format(n=more)
    values = sum(1 for h in header if h) - len(names)
    if values:
        out += ("; " if out else "") + ngettext(
            "{n} cell that reads as a value, not a header, left out",
            "{n} cells that read as values, not headers, left out", values).format(n=values)
    return out


def _letter(i: int) -> str:
    """A column's letter as Excel shows it (0 -> A, 26 -> AA)."""
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


# --- the ledger's side -------------------------------------------------------------------

# The indexes a re-import reads inside the bulk block (_stored), kept there.
_READ_INSIDE = frozenset({"assignments_complaint", "investigations_complaint",
                          "resolutions_complaint", "revisits_complaint"})


def known_keys(cur: sqlite3.Cursor) -> dict[str, str]:
    """source_key -> complaint id, of every complaint an import brought in and did not
    void as a batch (a voided batch's rows may come in again), looked up as key_fold
    reads a key (_Keys)."""
    return _Keys(cur.execute(
        "SELECT c.source_key, c.id FROM complaints c LEFT JOIN import_batches b "
        "ON b.id = c.import_batch WHERE c.source_key IS NOT NULL AND b.voided_at IS NULL "
        "ORDER BY c.id").fetchall())


class _Keys(dict[str, str]):
    """Stored source keys -> complaint id, a key found as stored, else as key_fold reads
    it (full width as half width, letter case aside): a key the ledger stored as the
    register wrote it (AB-1; ＫＳ２０２４－０３４, by an import before keys were read as
    names) is found however a newer copy writes it (ab-1, KS2024-034): the row is that
    complaint, not a new one. A key stored as written is that one first (a ledger an
    import before held AB-1 and ab-1 as two complaints: ab-1 is ab-1); of two that fold
    alike and neither is, the first by id."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs[::-1])  # (the first by id, as before, of a key twice)
        self.folded: dict[str, str] = {}
        for key, cid in pairs:
            self.folded.setdefault(parse.key_fold(key), cid)

    def __missing__(self, key: str) -> str:
        return self.folded[parse.key_fold(key)]

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (
            isinstance(key, str) and parse.key_fold(key) in self.folded)

    def get(self, key: str, default: Any = None) -> Any:  # (key_fold once, not twice)
        found = dict.get(self, key)
        return found if found is not None else self.folded.get(parse.key_fold(key), default)


def erased_received(cur: sqlite3.Cursor) -> dict[tuple[str, str, str | None], str]:
    """(customer, received_at, product) -> complaint id, of every complaint whose
    contact was erased on request, however it came in: a row that tells the same
    complaint under another key (the register imported again with a key of two columns,
    or none, or its ids renumbered) does not bring the contact back either. (The same
    customer's complaint of that day about another product keeps its own contact; one
    about the same product is taken for it: the erased contact cannot be compared, its
    salt gone.)"""
    return {(customer, received, text): cid for customer, received, text, cid in cur.execute(
        "SELECT c.customer, c.received_at, c.product, c.id FROM complaints c WHERE "
        "EXISTS (SELECT 1 FROM events e WHERE e.complaint_id = c.id AND e.kind = "
        "'forget-contact') ORDER BY c.id")}


def erased_keys(cur: sqlite3.Cursor) -> dict[str, str]:
    """source_key -> complaint id, of the imported complaints whose contact was erased on
    request (forget-contact), voided batches included: a row of theirs brought in again
    (after its batch was voided) does not bring the contact back."""
    return _Keys(cur.execute(
        "SELECT c.source_key, c.id FROM complaints c WHERE c.source_key IS NOT NULL AND "
        "EXISTS (SELECT 1 FROM events e WHERE e.complaint_id = c.id AND e.kind = "
        "'forget-contact') ORDER BY c.id").fetchall())


def _erased_said(result: Result, number: int, key: str | None, gone: str,
                 fields: dict[str, Any], steps: list[Step]) -> list[str]:
    """A new row of a complaint whose contact was erased on request (`gone`): its contact
    is left out, and said. Returns the texts of the row that hold the contact (the import
    would keep them, as the row's events, for good: the row is refused)."""
    holds = complaints.contact_finder(fields["contact"])
    fields["contact"] = None
    row = _("row {row}: {key}").format(row=number, key=key) if key is not None else \
        _("row {row}").format(row=number)
    result.warnings.append(_("{row}: its contact was erased on request ({id}): it is not "
                             "brought in again").format(row=row, id=gone))
    texts = [name for name in _TEXT_FIELDS if isinstance(fields.get(name), str)
             and holds(fields[name])]
    texts += [name for step in steps for name, value in step.facts.items()
              if isinstance(value, str) and holds(value) and name not in texts]
    return texts


# The free texts of a row's intake, where a clerk may have written a phone number.
_TEXT_FIELDS = ("description", "customer", "order_no", "lot", "region", "product")


# What _compare reads of a complaint the ledger holds.
_STORED = (*COMPARED, "closed_at", "satisfaction", "voided_at", "disposition",
           "reopen_count", "status", "id", "contact", "import_batch")
_STEP_TABLES = (("assignments", "assign"), ("investigations", "investigate"),
                ("resolutions", "resolve"), ("revisits", "revisit"))
# The facts of each step a register row tells (Reader.history), which its table keeps
# under the same names: a re-import compares them with the row's own step at that time.
_STEP_FACTS = {"assign": ("department", "owner"),
               "investigate": tuple(fact for _f, fact in _FACTS),
               "resolve": ("disposition", "summary", "amount", "approved_by"),
               "revisit": ("satisfaction", "method", "demand_met", "note")}
# The mapping's field of a fact whose name differs (for the column named in a conflict).
_FIELD_OF_FACT = {"root_cause": "cause", "reason": "not_upheld_reason",
                  "method": "revisit_method", "note": "revisit_note"}
# The index a keyless import reads inside the bulk block (_imported_at), kept there.
_READ_BY_TIME = frozenset({"complaints_received"})
# Rows read ahead, so that the complaints they name are read from the ledger together.
_AHEAD = 500


def _own(cur: sqlite3.Cursor, ids: list[str]) -> dict[str, tuple[str, str]]:
    """id -> (received_at, customer) of this ledger's complaints among `ids`: the keys of
    rows it holds under no import (a row of its own export, `--mapping complaintctl`,
    is keyed by the id it has here). Not those of a voided import batch: an export
    imported into a fresh ledger gets the same ids, and once that batch is voided it is
    imported again (it was refused as the ledger's own)."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    return {cid: (received, customer) for cid, received, customer in cur.execute(
        f"SELECT id, received_at, customer FROM complaints WHERE id IN ({marks}) AND ("
        "import_batch IS NULL OR import_batch NOT IN (SELECT id FROM import_batches "
        "WHERE voided_at IS NOT NULL))", ids)}


def _stored(cur: sqlite3.Cursor, cids: list[str]) -> dict[str, dict[str, Any]]:
    """What _compare needs of each complaint in `cids`, by id: its fields, the times of
    its steps by kind ("@assign" …) and whether its second revisit is due, in one query
    for them all."""
    if not cids:
        return {}
    # one JSON document a complaint: [[[at, fact …] …] for each step table]
    steps = "json_array(" + ", ".join(
        f"(SELECT json_group_array(json_array(at, {', '.join(_STEP_FACTS[kind])})) "
        f"FROM {table} WHERE complaint_id = c.id)" for table, kind in _STEP_TABLES) + ")"
    found: dict[str, dict[str, Any]] = {}
    width = len(_STORED)
    for cid, *values in cur.execute(
            f"SELECT c.id, {', '.join('c.' + f for f in _STORED)}, {steps}, "
            f"{complaints.SECOND_DUE} FROM complaints c "
            f"WHERE c.id IN ({', '.join('?' * len(cids))})", cids):
        record = found[cid] = dict(zip(_STORED, values[:width], strict=True))
        record["second_revisit_due"] = bool(values[width + 1])
        for (_table, kind), held in zip(_STEP_TABLES, json.loads(values[width]), strict=True):
            facts: dict[str, list[tuple[Any, ...]]] = {}  # at -> the facts of each step then
            for at, *told in held:
                facts.setdefault(at, []).append(tuple(told))
            record["@" + kind] = Counter({at: len(told) for at, told in facts.items()})
            record["#" + kind] = facts
    return found


# The stored form of an instant (store.iso without its cache: a register's instants
# seldom repeat).
_stamp = parse.iso.__wrapped__
# _compare's intake fields, received_at (last in COMPARED) apart.
_INTAKE_COMPARED = COMPARED[:-1]


def _compare(reader: Reader, row: _Row, history: History, stored: dict[str, Any]
             ) -> tuple[list[Step], str | None]:
    """The steps of the row the ledger does not hold yet, or a conflict."""
    fields = history.fields
    changes: list[tuple[str, Any, Any]] = []  # every one that differs, not the first alone
    for f in _INTAKE_COMPARED:
        new = fields.get(f)
        old = stored.get(f)
        if new is None and f in _NONE_READ and isinstance(old, str) and \
                parse.means_none(old, region=f == "region"):
            continue  # the file's 无, held as it was read before it was none (no change)
        if not _same(old, new) and not (f in NAMES and _same_name(old, new)):
            changes.append((reader.column(f), *_words_said(f, old, new)))
    new = _stamp(history.received_at)
    old = stored.get("received_at")
    local = reader.lg.local
    if new != old:  # said in the ledger's time, as the register has it, not as stored
        changes.append((reader.column("received_at"), *(_apart(
            local, reader.lg.tz, parse.from_iso(old), history.received_at) if old else
            (None, local(history.received_at)))))
    if changes:
        return [], _differs_all(changes)
    new_steps: list[Step] = []
    held_by_kind: dict[str, Counter[str]] = {}
    for step in history.steps:
        kind = step.kind
        at = _stamp(step.at)
        held = held_by_kind.get(kind)
        if held is None:  # each held step matches one step of the row
            held = held_by_kind[kind] = Counter(stored.get("@" + kind) or _held_apart(
                kind, stored))
        if held[at] > 0:
            held[at] -= 1
            if new_steps:  # held after one the ledger does not hold: that one was changed
                return [], _another_time(new_steps[0], stored, reader.lg)
            changed = _changed_facts(reader, step, stored["#" + kind][at]) \
                if kind in _STEP_FACTS else None
            if changed is not None:
                return [], changed
            if kind in _STEP_FACTS and _texts_differ(step, [  # (an investigation's: any
                    # of its entries, the export giving the latest of each; a revisit's,
                    # the one held then, each revisit a step of its own)
                    one for when, rows in stored["#" + kind].items() for one in rows
                    if kind == "investigate" or when == at]):
                number = ((history.extra or {}).get("source") or {}).get("row", 0)
                if number not in reader.texts_not_taken[-1:]:  # (a row once, its steps
                    reader.texts_not_taken.append(number)  # come one after another)
            continue
        if held.total() and kind in ("assign", "resolve", "close", "void"):
            # the ledger has this step at another time: the register was changed
            return [], _another_time(step, stored, reader.lg)
        new_steps.append(step)
    if new_steps:  # what the steps typed would say first (the same in a dry run)
        first = new_steps[0]
        command = first.kind.replace("-", " ")
        if command in workflow.TRANSITIONS:
            try:
                workflow.next_state(command, stored["status"], stored["id"],
                                    first.facts.get("satisfaction"),
                                    severity=stored.get("severity"),
                                    second_due=stored["second_revisit_due"]
                                    if stored["status"] == "closed"
                                    and stored.get("severity") == "critical" else None)
                if command == "revisit" and stored["status"] == "closed":  # (closed by hand
                    workflow.check_second_revisit(  # since: the dry run counted it new)
                        stored["id"], stored["second_revisit_due"],
                        critical=stored.get("severity") == "critical")
            except IllegalTransition as exc:
                return [], _new_refused(first.kind, exc.message)
    return new_steps, None


# What a step's row says of it beyond what it decided: the texts of an investigation and
# a revisit, and whether the revisit met the demand. They never make a conflict
# (complaintctl's export gives each investigation text as the latest of any entry: a
# corrective action added after the conclusion made every later import of the export a
# conflict, its new steps lost; an older export has none of them): one that differs
# from the ledger's step is not brought in, and said (_texts_differ).
_ADDED_TEXTS = frozenset({"finding", "reason", "containment", "corrective", "preventive",
                          "note", "demand_met"})


def _texts_differ(step: Step, held: list[tuple[Any, ...]]) -> bool:
    """Whether the row gives a value of _ADDED_TEXTS that no step of its kind the ledger
    holds has (at any time: the export gives the latest of any entry, and one added here
    since, by investigate, is there)."""
    names = _STEP_FACTS[step.kind]
    told = [int(v) if isinstance(v, bool) else v for v in map(step.facts.get, names)]
    return any(name in _ADDED_TEXTS and told[i] is not None and not any(
        _same(one[i], told[i]) for one in held) for i, name in enumerate(names))


def _changed_facts(reader: Reader, step: Step, held: list[tuple[Any, ...]]) -> str | None:
    """A step of the row the ledger holds at its time: None when one held then has its
    facts (a department, an owner, a cause, an amount, a satisfaction …), else the
    first that differs from the first held then (a newer copy of the register that
    changed a fact kept its step's time: it was "already imported", silently). The
    values of _ADDED_TEXTS are not compared (_texts_differ says them)."""
    names = _STEP_FACTS[step.kind]
    facts = step.facts
    told = tuple(int(v) if isinstance(v, bool) else v for v in map(facts.get, names))
    same = _same_name if step.kind == "assign" else _same  # (a department, an owner)
    if "validity" in names and "root_cause" in names:  # upheld, said or not, where a root
        # cause was found (a ledger moved by its export recorded it as said; a register
        # without the column says it by the cause: a conflict neither could make agree)
        v, c = names.index("validity"), names.index("root_cause")

        def implied(one: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple("upheld" if i == v and x is None and one[c] else x
                         for i, x in enumerate(one))

        told, held = implied(told), [implied(one) for one in held]

    def agrees(one: tuple[Any, ...]) -> bool:
        return all(name in _ADDED_TEXTS or same(old, new)
                   for name, old, new in zip(names, one, told, strict=True))

    if any(map(agrees, held)):
        return None
    changes = []
    for name, old, new in zip(names, held[0], told, strict=True):
        if name not in _ADDED_TEXTS and not same(old, new):
            if name == "amount":
                old, new = parse.format_money(old), parse.format_money(new)
            elif name == "demand_met":
                old, new = (None if x is None else _("yes") if x else _("no")
                            for x in (old, new))
            field = _FIELD_OF_FACT.get(name, name)
            changes.append((reader.column(field), *_words_said(field, old, new)))
    return _differs_all(changes) if changes else None  # (told is not in held: one differs)


def _words_said(field: str, old: Any, new: Any) -> tuple[Any, Any]:
    """A conflict's two values of a word field as the screens say them (退货, basically
    satisfied; not the codes return, basically-satisfied): what the file says, not what
    is stored."""
    if FIELDS.get(field) != "word":
        return old, new
    name, lang = WORD_FIELD.get(field, field), i18n.lang()
    said = [None if x is None else words.label(name, str(x), lang) for x in (old, new)]
    return said[0], said[1]


def _same(old: Any, new: Any) -> bool:
    """A stored value is the file's: also one an import stored with a CSV export's formula
    guard ('-外观划伤, '+86 138…) before the guard came off when a file is read."""
    return old == new or isinstance(old, str) and old[:1] == "'" and unguarded(old) == new


def _same_name(old: Any, new: Any) -> bool:
    """_same, for a name: also one an import stored before names were read as parse.name
    reads them (KFR-35  空调, ＫＦＲ－３５, now KFR-35 空调 in the file as read)."""
    if _same(old, new):
        return True
    if not isinstance(old, str) or not isinstance(new, str):
        return False
    try:
        return parse.name(unguarded(old), "") == new
    except BadInput:
        return False


def _held_apart(kind: str, stored: dict[str, Any]) -> list[str]:
    """The times of a step without a table of its own the ledger holds: a close without
    a revisit, a void."""
    if kind == "close":
        return [stored["closed_at"]] if stored["closed_at"] and \
            stored["satisfaction"] is None else []
    if kind == "void":
        return [stored["voided_at"]] if stored["voided_at"] else []
    return []


def _new_refused(kind: str, message: str) -> str:
    return _("its new {step} step was refused: {message}").format(step=step_word(kind),
                                                                 message=message)


def _another_time(step: Step, stored: dict[str, Any], lg: Ledger) -> str:
    """A step of the row at another time than the ledger's of its kind: both times (to
    the second when that is where they differ)."""
    held = stored.get("@" + step.kind) or _held_apart(step.kind, stored)
    if not held:
        return _("its {step} step is at another time than the ledger's; the ledger is left "
                 "as it is").format(step=step_word(step.kind))
    times = sorted(parse.from_iso(at) for at in held)
    said = [_apart(lg.local, lg.tz, step.at, t) for t in times]
    new = next((x for x, y in said if len(x) > 16), said[0][0])
    return _("its {step} step is at {new} in the file, at {old} in the ledger; the ledger "
             "is left as it is").format(step=step_word(step.kind), new=new,
                                        old=listing([old for _new, old in said]))


def _apart(local: Callable[[datetime], str], tz: tzinfo, a: datetime, b: datetime
           ) -> tuple[str, str]:
    """Two times as the ledger shows them, to the minute; to the second when that is
    where they differ (a sheet re-saved by Excel drops the seconds: "was '2025-12-06
    17:03', the file now says '2025-12-06 17:03'")."""
    x, y = local(a), local(b)
    if x == y and a != b:
        x, y = (t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") for t in (a, b))
    return x, y


def _as_stored(value: str) -> str:
    """A value quoted as shown() quotes it, a backslash in it once (中兴\\北京 read
    '中兴\\\\北京', Python's repr); the control characters a one-line field cannot hold
    are escaped still."""
    return shown(value).replace("\\\\", "\\")


def _differs_all(changes: list[tuple[str, Any, Any]]) -> str:
    """Every value of a row that differs from the ledger's, each with both values; a
    column that feeds two fields (处理方式: the disposition and its summary) once, by
    its last (its text as the file has it: "was 'exchange' … was '换货'" read as two)."""
    last = {column: (old, new) for column, old, new in changes}
    changes = [(column, *last.pop(column)) for column, _old, _new in changes
               if column in last]
    return _("{changes}; the ledger is left as it is").format(changes=_("; ").join(
        _("{column} was {old}, the file now says {new}").format(
            column=column, old=_as_stored(str(old)) if old is not None else "—",
            new=_as_stored(str(new)) if new is not None else "—")
        for column, old, new in changes))


class _Sourced(Rows):
    """Rows for the ordinary steps of an import: each event of the row's complaint
    carries the row's source in its data; an event the step writes on another complaint
    (a repeat link a void changes) does not, not being that complaint's row."""

    def __init__(self, extra: dict[str, Any], cid: str):
        self.extra, self.cid = extra, cid

    def event(self, cur: sqlite3.Cursor, row: tuple[Any, ...], in_order: bool = False
              ) -> None:
        if row[0] != self.cid:
            super().event(cur, row, in_order)
            return
        data = json.loads(row[7]) if row[7] else {}
        super().event(cur, (*row[:7], encode({**data, **self.extra}), *row[8:]), in_order)


def _batch_row(cur: sqlite3.Cursor, file: str, digest: str, mapping: str, now: datetime,
               actor: str) -> int:
    cur.execute("INSERT INTO import_batches (file, sha256, mapping, at, actor) "
                "VALUES (?, ?, ?, ?, ?)", (file, digest, mapping, iso(now), actor))
    return int(cur.lastrowid or 0)


def _not_again(cur: sqlite3.Cursor, path: Path, digest: str) -> None:
    """Without a key a row cannot be recognised: the same file twice is refused."""
    found = cur.execute("SELECT id, file FROM import_batches WHERE sha256 = ? AND "
                        "voided_at IS NULL AND added > 0 ORDER BY id LIMIT 1",
                        (digest,)).fetchone()
    if found is not None:
        message = _("{file} was imported already, as batch {batch}; without a key in the "
                    "mapping its rows would come in twice") if found[1] == path.name else _(
            "{file} holds what was imported already from {other}, as batch {batch}; "
            "without a key in the mapping its rows would come in twice")  # (a copy)
        raise Refused(message.format(file=path.name, other=found[1],
                                     batch=found[0]),
                      hint=_("give the mapping key = \"the register's id column\", or void "
                             "that batch first: complaintctl import --void-batch {batch} "
                             "--reason TEXT").format(batch=found[0]),
                      code="imported_already", batch=found[0])


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(lg: Ledger, path: Path, open_table: Callable[[], Table], mapping: Mapping, *,
        now: datetime, actor: str, dry_run: bool = False, skip_bad: bool = False,
        progress: Callable[[int], None] | None = None,
        told: Callable[[int, int], None] | None = None) -> Result:
    """Import the register (`open_table` opens it); see the module's text. `told(n, of)`:
    the new steps of complaints held before, told each in its own transaction after the
    import's (n complaints of `of` so far)."""
    region = lg.config.settings.get("country")

    read = {*mapping.columns.values(), *mapping.key, *mapping.leave_out,
            *mapping.dates.values()}

    def opened() -> Table:  # every reading of it, as a ledger in its country reads a CSV
        # that reads as GBK and as Big5 alike; a corrected rejects file without its row and
        # reason columns (but those the mapping reads: a register's own Row, Reason)
        return open_table().in_region(region).without_rejects_columns(read)

    table = opened()
    reader = Reader(lg, table, mapping, now=now, tally_words=dry_run)
    reader.formulas_checked(opened)
    digest = file_digest(path)
    with lg.read() as cur:  # only which indexes the write keeps: the checks come inside it
        imported = cur.execute("SELECT 1 FROM complaints WHERE source_key IS NOT NULL "
                               "LIMIT 1").fetchone() is not None
        by_time = _READ_BY_TIME if _by_time(cur, bool(mapping.key)) else frozenset()
    # the highest number of a key that comes in as the id it names (a ledger's export
    # brought into another: its ids kept; _kept_ids)
    kept = _kept_ids(lg, table, opened, reader, now)
    options: dict[str, Any] = {"now": now, "actor": actor, "dry_run": dry_run,
                               "skip_bad": skip_bad, "progress": progress, "told": told,
                               "kept": kept}
    if imported and reader.key_indexes and table.encoding is not None \
            and _all_known(lg, opened, reader):
        # a CSV whose every key the ledger holds (read once more: a stream) adds nothing:
        # read in an ordinary transaction, without the bulk writer, which would set every
        # index aside and build it again
        try:
            return _import(lg, path, table, reader, mapping, digest, None, **options)
        except _New:  # one came in new after all (a batch was voided a moment ago)
            table = opened()
            reader = Reader(lg, table, mapping, now=now, tally_words=dry_run)
    return _import(lg, path, table, reader, mapping, digest,
                   (_READ_INSIDE if imported else frozenset()) | by_time, **options)


def _id_shape(prefix: str) -> re.Pattern[str]:
    """A complaint's id as a ledger whose prefix is `prefix` gives it: the year it was
    entered, its number in that year (four digits at least)."""
    return re.compile(re.escape(prefix) + "-([0-9]{4})-([0-9]{4,})")


def _kept_ids(lg: Ledger, table: Table, open_table: Callable[[], Table], reader: Reader,
              now: datetime) -> int:
    """The highest number among the keys of the file's new rows that name an id the
    import can give as it is: of this ledger's form, of the year the import numbers in
    (the writer numbers a complaint in the year it is entered), and free here; 0 for
    none. A ledger's export imported into another is keyed by its ids, in the order
    received: numbered in that order, a complaint entered late with an earlier date
    (a back-dated log, a second import) moved every id after it, and the old id on
    paper named another customer's complaint. A file of keys that are not all ids of
    this form (a register's own numbers) keeps none: read again only when the first key
    of `table` (peeked at, not read) is one, and then until the first that is not."""
    if reader.key_index is None:
        return 0
    prefix = lg.config.settings["id_prefix"]
    shape, year = _id_shape(prefix), now.astimezone(lg.tz).year
    first = next((k for _number, cells in table.peek(_PEEKED) if not (
        reader.blank(cells) or reader.summing(cells)) and (k := reader.id_key_of(cells))), None)
    if first is None or shape.fullmatch(first) is None:
        return 0
    top = 0
    try:
        with lg.read() as cur:
            known = reader.known = known_keys(cur)
            last = _last_given(cur, year)
            for _number, cells in open_table().rows:
                if reader.blank(cells) or reader.left_out(cells) or reader.summing(cells):
                    continue
                key = reader.id_key_of(cells)  # (its id: a register id it holds aside)
                if key is None or reader.key_of(cells) in known:  # (compared with its
                    continue  # complaint, not added)
                found = shape.fullmatch(key)
                if found is None:
                    return 0
                seq = _number_of(found, prefix, year)
                # (a number the counter passed is free only where no complaint has it)
                if seq > top and (seq > last or not _taken(cur, key)):
                    top = seq
    except BadInput:  # the import itself says so, where it says it
        return 0
    return top


# Rows of a file looked at for its first key (_kept_ids).
_PEEKED = 50


def _number_of(found: re.Match[str], prefix: str, year: int) -> int:
    """The number of an id `found` (_id_shape's match) when it is of `year` and written as
    the writer writes one (four digits at least, no more zeros): one an import may give
    as it is; 0 otherwise."""
    seq = int(found[2])
    return seq if int(found[1]) == year and found[0] == f"{prefix}-{year}-{seq:04d}" else 0


def _last_given(cur: sqlite3.Cursor, year: int) -> int:
    """The last number the ledger gave a complaint of `year` (bulk.Writer's counter)."""
    (last,) = cur.execute("SELECT coalesce(max(last), 0) FROM id_counters WHERE "
                          "kind = 'complaint' AND year = ?", (year,)).fetchone()
    return int(last)


def _taken(cur: sqlite3.Cursor, cid: str) -> bool:
    """Whether a complaint of the ledger has the id `cid`."""
    return cur.execute("SELECT 1 FROM complaints WHERE id = ?", (cid,)).fetchone() is not None


class _Numbering:
    """The ids of an import's new complaints, through the writer's counter of the year
    (bulk.Writer.counters: the last number given, which the writer's next complaint
    follows): a row keyed by an id the import may keep (_kept_ids: up to `top`) gets
    it, where the ledger has no complaint under it (one committed since the file was
    read); any other row one above `top` and every number given, so that no id is
    given twice. The counter ends at the highest number given (verify holds it to
    that); the numbers of refused rows are left unused."""

    def __init__(self, writer: bulk.Writer, cur: sqlite3.Cursor, prefix: str, year: int,
                 top: int):
        self.writer, self.cur, self.prefix, self.year = writer, cur, prefix, year
        self.counter = ("complaint", year)
        self.shape = _id_shape(prefix)
        self.given = _last_given(cur, year)  # the highest number given (the ledger's before)
        self.floor = max(self.given, top)  # what an id not kept is given above
        self.top = top

    def add(self, history: History, key: str | None) -> str:
        counters = self.writer.counters
        seq = self._kept(key)
        counters[self.counter] = before = seq - 1 if seq else max(self.floor, self.given)
        try:
            return self.writer.add(history)
        finally:  # (a refused history leaves the counter as it found it)
            if counters[self.counter] > before:
                self.given = max(self.given, counters[self.counter])

    def _kept(self, key: str | None) -> int:
        found = self.shape.fullmatch(key) if key is not None else None
        if found is None:
            return 0
        seq = _number_of(found, self.prefix, self.year)
        return seq if seq and seq <= self.top and not _taken(self.cur, found[0]) else 0

    def finish(self) -> None:
        """The counter at the highest number given (none added: as it was)."""
        if self.given:
            self.writer.counters[self.counter] = self.given
        else:
            self.writer.counters.pop(self.counter, None)


def _by_time(cur: sqlite3.Cursor, keyed: bool) -> bool:
    """Whether an import's rows are matched with earlier imports by the time received
    (_imported_before): without a key, when any import brought complaints in; with one,
    when an import without a key did (its rows no key names)."""
    return _keyless_before(cur) or not keyed and cur.execute(
        "SELECT 1 FROM complaints WHERE import_batch IS NOT NULL LIMIT 1").fetchone() \
        is not None


def _keyless_before(cur: sqlite3.Cursor) -> bool:
    """Whether an import batch (not voided) was imported without a key: its complaints
    have no source key (a batch's are all keyed or none is). One probe a batch."""
    return any(cur.execute("SELECT source_key IS NULL FROM complaints WHERE import_batch = ? "
                           "LIMIT 1", (b,)).fetchone() == (1,)
               for (b,) in cur.execute("SELECT id FROM import_batches WHERE voided_at IS "
                                       "NULL").fetchall())


class _New(Exception):
    """A row of an import without the bulk writer is new: it needs the writer."""


def _all_known(lg: Ledger, open_table: Callable[[], Table], reader: Reader) -> bool:
    """Whether the ledger holds every row's key (as it is now: the import reads them
    again in its own transaction)."""
    with lg.read() as cur:
        keys = reader.known = known_keys(cur)
    try:
        for _number, cells in open_table().rows:
            if reader.key_of(cells) not in keys:
                return False
    except BadInput:  # the import itself says so, where it says it
        return False
    return True


def _import(lg: Ledger, path: Path, table: Table, reader: Reader, mapping: Mapping,
            digest: str, keep: frozenset[str] | None, *, now: datetime, actor: str,
            dry_run: bool, skip_bad: bool, progress: Callable[[int], None] | None,
            told: Callable[[int, int], None] | None = None, kept: int = 0) -> Result:
    """run's one pass over the rows: through the bulk writer (keeping the indexes
    `keep`), or, when `keep` is None, in an ordinary transaction that adds nothing
    (_New at the first row to add). `kept`: _kept_ids's."""
    result = Result(dry_run=dry_run, header=list(table.header))
    if table.hidden:  # (read as any other: a row hidden for the screen may be real)
        result.warnings.append(ngettext(
            "row {rows} is hidden in the sheet: it is read as any other (delete it in the "
            "sheet if it is not a complaint)",
            "rows {rows} are hidden in the sheet: they are read as any other (delete them in "
            "the sheet if they are not complaints)", len(table.hidden)).format(
                rows=listing([str(n) for n in table.hidden[:10]]
                                  + (["…"] if len(table.hidden) > 10 else []))))
    if reader.file_zone is not None:
        result.warnings.append(_(
            "the workbook's times are in {zone}, the time zone of the ledger it was "
            "exported from; they are read in it (this ledger keeps {own})").format(
                zone=reader.file_zone, own=lg.tz.key))
    result.words_read = reader.words_read
    # the steps for the ordinary path: (key, id, its new steps, what their events carry,
    # the column of each kind's time)
    later: list[tuple[str, str, list[Step], dict[str, Any], dict[str, str]]] = []
    seen: dict[str, int] = {}  # key -> the row it was first in
    mapping_name = Path(mapping.name).name
    writer: bulk.Writer | None = None
    block: AbstractContextManager[Any] = lg.write() if keep is None else \
        bulk.writing(lg, keep=keep)
    try:
        with block as opened:
            if keep is not None:
                writer = opened
            cur = opened if writer is None else writer.cur
            # what is imported already, read in the write's own transaction: an import
            # of the same register by someone else a moment before is seen
            keys = reader.known = known_keys(cur)
            erased = erased_keys(cur)
            erased_at = erased_received(cur)
            if not mapping.key:
                _not_again(cur, path, digest)
            # the names as the history keeps them, as an attachment's: their control
            # characters, direction marks and line breaks '?' (a register named with an
            # escape sequence cleared the screen of whoever read the history, for good)
            file_name, sheet = display_name(path.name), table.sheet and display_name(
                table.sheet)
            batch = _batch_row(cur, file_name, digest, display_name(mapping_name), now, actor)
            result.batch = batch
            (events_before,) = cur.execute("SELECT coalesce(max(id), 0) FROM events"
                                           ).fetchone()
            # the batch in the history (verify holds its row to it): which file, by whom
            record = {"batch": batch, "file": file_name, "sha256": digest,
                      "mapping": display_name(mapping_name), "sheet": sheet}
            if writer is not None:
                writer.ledger_event("import", now, actor, record)
            else:
                lg.event(cur, None, "import", now, now, actor, record)
            prefix = lg.config.settings["id_prefix"]
            numbering = _Numbering(writer, cur, prefix, now.astimezone(lg.tz).year, kept) \
                if writer is not None else None
            # new complaints keyed by an id of this ledger's form that came in under
            # another (the first: key, id, whether another complaint has its id), how many
            shape, n_moved = _id_shape(prefix), 0
            moved: list[tuple[str, str, bool]] = []
            rows = iter(table.rows)
            key_of = reader.key_of
            parts_of = reader.key_cells if len(mapping.key) > 1 else _no_cells
            # without a key: rows the same in every column the mapping reads (a row
            # pasted twice), by a digest of those cells -> the first row
            same: dict[bytes, int] | None = None if mapping.key else {}
            # the complaints earlier imports brought in (_by_time), by the time they were
            # received, as rows of this file are matched with them (_imported_before);
            # none when there are none (a first import asked the ledger once a time
            # received, over a table it grows with no index on it); asked again inside
            # the write: another's import committed since is matched all the same, more
            # slowly without the index
            imported_at: dict[str, list[tuple[Any, ...]]] | None = {} if (
                keep and _READ_BY_TIME <= keep or _by_time(cur, bool(mapping.key))) else None
            matched: set[str] = set()  # those a row of this file was matched with
            twins: list[tuple[int, int]] = []  # (a row, the earlier one it is the same as)
            # and in a keyed register, new rows the same as an earlier new one but the key
            same_but_key: dict[bytes, int] = {}
            keyed_twins: list[tuple[int, int]] = []
            # keyed rows the ledger holds, and those of them that conflict in what was
            # received (another customer or date: another complaint under the same number)
            held_rows, renumbered = 0, []
            while ahead := list(islice(rows, _AHEAD)):
                stored: dict[str, dict[str, Any]] = {}
                # this ledger's own complaints the rows' keys are the ids of
                own = _own(cur, list({k for _n, cells in ahead if (k := key_of(cells))})) \
                    if mapping.key else {}
                if keys and mapping.key:  # the complaints these rows name
                    stored = _stored(cur, list({keys[k] for _n, cells in ahead
                                                if (k := key_of(cells)) in keys} |
                                               {keys[c] for _n, cells in ahead
                                                for c in parts_of(cells) if c in keys}))
                for number, cells in ahead:
                    result.rows += 1
                    if progress is not None and result.rows % 500 == 0:
                        progress(result.rows)
                    if reader.blank(cells):  # (合计 or 制表人 in the key's column alone:
                        summing = reader.summing(cells)  # a totals or signature row)
                        if summing == "totals":
                            result.totals += 1
                        elif summing == "footer":
                            result.footers += 1
                        elif reader.heading(number):  # 2025年度 merged across, in the key's
                            result.headings += 1  # column
                        else:
                            result.blank += 1
                        continue
                    if reader.left_out(cells):
                        result.left_out += 1
                        held_key = key_of(cells) if mapping.key else None
                        if held_key in keys:  # marked in the register since it came in
                            result.warnings.append(_(
                                "row {row}: {key} ({id}) is left out by the mapping's "
                                "leave_out, but the ledger holds it: void it if it should go "
                                "(complaintctl void {id} --reason …)").format(
                                row=number, key=held_key, id=keys[held_key]))
                        continue
                    summing = reader.summing(cells)
                    if summing == "totals":
                        result.totals += 1
                        continue
                    if summing == "footer":
                        result.footers += 1
                        continue
                    if reader.heading(number):  # (it was read as a complaint: one error
                        result.headings += 1  # a column, each of them 2025年度)
                        continue
                    row = reader.read(number, cells)
                    key = reader.key(row)
                    # the row hash only where an event will carry it (below); the sheet of
                    # a workbook (row 5 is on every sheet)
                    source = {"file": file_name, "row": number, "row_hash": None,
                              "batch": batch}
                    if sheet is not None:
                        source["sheet"] = sheet
                    history, columns = reader.history(row, actor=actor, source=source)
                    if key is not None:  # in either case one key, as in the ledger
                        # (but two it holds apart as written, from an import before this
                        # took letter case aside, stay two)
                        first = seen.setdefault(key if key in reader.known else
                                                key.casefold(), number)
                        if first != number:
                            row.problems.append(Problem(number, mapping.key_name, _(
                                "{key} is in the file twice (also in row {row}): delete this "
                                "row if it is the same complaint, or give it a key of its own "
                                "if it is another").format(key=shown(key), row=first),
                                rule=True, cells=cells))
                            history = None
                    elif mapping.key and not row.problems:
                        row.problems.append(Problem(number, reader.key_empty(cells), _(
                            "empty: every row needs its key to be imported again"),
                            cells=cells))
                        history = None
                    if history is None:  # each problem once (a column that feeds several
                        # fields through [dates] was said once for each of them)
                        once = {(p.column, p.message): p for p in row.problems}
                        refusals = list(once.values()) or [Problem(
                            number, None, _("cannot be read"), cells=cells)]
                        if key is not None and key in keys:  # (a row the ledger holds,
                            # brought in once corrected, refused in every later copy with
                            # no word that it is in: said, on its first problem)
                            refusals[0] = dataclasses.replace(refusals[0], message=_(
                                "{message} (the ledger holds {key} as {id})").format(
                                    message=refusals[0].message, key=key, id=keys[key]))
                        result.problems.extend(refusals)
                        continue
                    mine = own.get(key) if key is not None and keys.get(key) != key \
                        else None  # (one imported under a key that is its id here too: held)
                    if mine is not None and mine == (iso(history.received_at),
                                                     history.fields.get("customer")):
                        # the ledger's export brought back into it: every complaint twice,
                        # the repeats relinked to the copies (another ledger's complaint
                        # under the same number was received otherwise: it comes in; one
                        # imported under a key that is an id here too is its own complaint
                        # all the same)
                        result.problems.append(Problem(number, mapping.key_name, _(
                            "the ledger holds this complaint under this id (received at "
                            "the same time, from the same customer): an export goes into "
                            "another ledger, not back into the one it came from"),
                            rule=True, cells=cells))
                        continue
                    if key is not None and key in keys:
                        cid = keys[key]
                        new_steps, conflict = _compare(reader, row, history, stored[cid])
                        held_rows += 1
                        if conflict is not None and _received_otherwise(history,
                                                                        stored[cid]):
                            renumbered.append(cid)
                        contact = history.fields.get("contact")
                        # (not on a row of another complaint than the one held under its
                        # key, another customer on another day: its contact is that
                        # other's, and `amend --contact` would write it on the wrong one)
                        if contact and key not in erased and \
                                not _same_name(stored[cid]["contact"], contact) and not (
                                    conflict and _another_complaint(history, stored[cid])):
                            # not a conflict (the contact is not compared: it may have been
                            # erased); said, since the ledger keeps its own, whether or not
                            # the row conflicts in another column
                            result.warnings.append(_(
                                "row {row}: {key} ({id}): the file has another contact than "
                                "the ledger, which keeps its own (complaintctl amend {id} "
                                "--contact … --reason … changes it)").format(
                                    row=number, key=key, id=cid))
                        if row.closed_reopened is not None and stored[cid]["status"] not in (
                                "closed", "void") and not (
                                    conflict and _another_complaint(history, stored[cid])):
                            # closed in the register, reopened in the ledger: said (the
                            # ledger keeps what was recorded; its second handling is owed)
                            result.warnings.append(_(
                                "row {row}: {key} ({id}): the register closes it on {time}, "
                                "but its unsatisfied revisit reopened it here: its second "
                                "handling is owed (complaintctl resolve {id} …, then revisit)"
                            ).format(row=number, key=key, id=cid,
                                     time=lg.local(row.closed_reopened)))
                        if conflict is not None:
                            result.conflicts.append(Problem(number, None, _(
                                "{key} ({id}): {message}").format(key=key, id=cid,
                                                                  message=conflict),
                                # (another complaint under the same number: not one to
                                # correct by amend, whose hint would write it over)
                                code="another_complaint" if _another_complaint(
                                    history, stored[cid]) else None))
                        elif new_steps:
                            source["row_hash"] = reader.row_hash(row)
                            later.append((key, cid, new_steps, history.extra or {},
                                          dict(columns)))
                            result.updated += 1
                            result.steps += len(new_steps)
                        else:
                            result.unchanged += 1
                        continue
                    earlier = _keyed_alone(reader, cells, history, keys, stored) \
                        if parts_of is not _no_cells else None
                    if earlier is not None:  # imported before under one of its columns
                        result.problems.append(Problem(number, mapping.key_name, _(
                            "{key} is new under this key, but {id} (import batch {batch}, "
                            "key {old}) has its customer and date received: the register "
                            "was imported with a key of one column; void batch {batch} "
                            "first (complaintctl import --void-batch {batch} --reason …), "
                            "then import it again with this key").format(
                                key=shown(key), id=earlier["id"], old=shown(earlier["key"]),
                                batch=earlier["import_batch"]), rule=True, cells=cells))
                        continue
                    if writer is None:  # new after all: the bulk writer's work
                        raise _New
                    if imported_at is not None:
                        before = _imported_before(cur, imported_at, matched, history, batch,
                                                  keyed=bool(mapping.key))
                        if before is not None:  # a newer copy's row: it would come in twice
                            result.problems.append(Problem(number, None, _imported_said(
                                before, keyed=bool(mapping.key)), rule=True, cells=cells))
                            continue
                    if row.if_new:
                        result.problems.extend(row.if_new)
                        continue
                    source["row_hash"] = reader.row_hash(row)
                    fields = history.fields  # made for this row: added to in place
                    fields["source_key"], fields["import_batch"] = key, batch
                    gone = erased.get(key) if key is not None else None
                    if gone is None and erased_at:
                        gone = erased_at.get((str(fields.get("customer")),
                                              iso(history.received_at),
                                              fields.get("product")))
                    if gone is not None and fields.get("contact"):
                        held = _erased_said(result, number, key, gone, fields, history.steps)
                        if held:  # the erased contact in a text of the row: refused
                            result.problems.append(Problem(number, None, _(
                                "its {fields} holds the contact erased on request ({id}), "
                                "which the history would keep for good: take it out of the "
                                "file").format(fields=i18n.listing(
                                    [_field_said(f) for f in held]), id=gone), rule=True,
                                cells=cells))
                            continue
                    id_key = reader.id_key_of(cells)  # (the id it is kept under: not a
                    # register id it holds from an import before)
                    try:
                        cid = writer.add(history) if numbering is None else \
                            numbering.add(history, id_key)
                    except ComplaintctlError as exc:
                        place = exc.params.get("step", 0)
                        kind = "log" if not place else history.steps[place - 1].kind
                        result.problems.append(Problem(number, None, _(
                            "{step}: {message}").format(step=step_word(kind), message=_in_register(
                                exc, key, reader)), rule=True, cells=cells))
                        continue
                    result.added += 1
                    if id_key is not None and cid != id_key and shape.fullmatch(id_key):
                        n_moved += 1
                        if not moved:  # (and whether another has its id: checked once)
                            moved.append((id_key, cid, cur.execute(
                                "SELECT 1 FROM complaints WHERE id = ?", (id_key,)).fetchone()
                                is not None))
                    if same is not None:
                        first = same.setdefault(reader.cells_digest(cells), number)
                        if first != number:
                            twins.append((number, first))
                    else:  # (keyed: the same but the key, a row pasted and renumbered)
                        first = same_but_key.setdefault(reader.cells_digest(cells, True),
                                                        number)
                        if first != number:
                            keyed_twins.append((number, first))
            if progress is not None:
                progress(result.rows)
            result.warnings += reader.shortened_warnings()
            result.warnings += reader.unused_warnings({p.row for p in result.problems})
            if reader.texts_not_taken:
                rows_said = reader.texts_not_taken
                result.warnings.append(ngettext(
                    "{n} row of a complaint held says of its investigation or revisit what "
                    "the ledger's step does not (a finding, a not-upheld reason, a "
                    "containment, corrective or preventive action, the revisit's note or "
                    "whether the demand was met): not brought in (row {rows}); the ledger "
                    "keeps its own",
                    "{n} rows of complaints held say of their investigation or revisit what "
                    "the ledger's steps do not (a finding, a not-upheld reason, a "
                    "containment, corrective or preventive action, the revisit's note or "
                    "whether the demand was met): not brought in (rows {rows}); the ledger "
                    "keeps its own",
                    len(rows_said)).format(n=f"{len(rows_said):,}",
                                           rows=i18n.row_ranges(rows_said)))
            if renumbered and len(renumbered) * 2 >= held_rows and len(renumbered) >= 2:
                result.warnings.append(_renumbered_said(cur, reader, renumbered))
            # a refused file brings nothing in: nothing to say of links or ids it made; but
            # a dry run says what the good rows would give with --skip-bad, links and all
            refused = bool(result.problems) and (not skip_bad or result.none_good)
            if numbering is not None:
                numbering.finish()
            if writer is not None:  # the links the writer changed on complaints already held
                writer.write()
                result.second_lapsed = writer.second_lapsed
                if not refused or dry_run and not result.none_good:
                    result.warnings += _relinked_said(cur, events_before, batch, dry_run)
                    result.warnings += _typed_twins_said(cur, events_before, batch, dry_run)
                    if moved:
                        result.warnings.append(_moved_said(moved[0], n_moved, numbering,
                                                           dry_run))
            # after an import (not a dry run) the file's row is in: the extra complaint is
            # voided, not the row deleted and the file imported again (refused: imported
            # already)
            result.warnings += _twins_said(twins, None if dry_run or refused else (
                cur, events_before, batch))
            result.warnings += _twins_said(keyed_twins, None if dry_run or refused else (
                cur, events_before, batch), keyed=True)
            if dry_run and result.added and not result.none_good:  # what it would leave
                _count_late(cur, result, now)  # in overdue at once, before it is undone
            if dry_run or refused:
                raise _Rollback
            cur.execute("UPDATE import_batches SET rows = ?, added = ?, updated = ?, "
                        "unchanged = ?, conflicts = ?, refused = ? WHERE id = ?",
                        (result.rows, result.added, result.updated, result.unchanged,
                         len(result.conflicts), result.refused, batch))
    except _Rollback:
        if not dry_run:
            result.batch = None
        elif later:  # the new steps told as the import tells them, each refused one a
            try:  # conflict (before a step a clerk typed since), in a transaction rolled
                with lg.write():  # back whole
                    _tell_steps(lg, later, result, tried=True)
                    raise _Rollback
            except _Rollback:
                pass
        return result
    # the writer extended the calendar to every year it met (bulk.py); where the
    # holidays package has no official data for a year a step or a deadline is in, the
    # command warns as the steps would
    if writer is not None:
        result.warnings += writer.calendar_warnings()
    counted = (result.updated, len(result.conflicts))
    try:
        _tell_steps(lg, later, result, told=told)
    except KeyboardInterrupt:  # the batch says what was told by then, not what was to be
        # (6,577 of 8,000 complaints had their steps, and --batches said 8,000)
        result.updated -= len(later) - result.told
        with lg.write() as cur:
            cur.execute("UPDATE import_batches SET updated = ?, conflicts = ? WHERE id = ?",
                        (result.updated, len(result.conflicts), result.batch))
        raise
    if (result.updated, len(result.conflicts)) != counted:  # the batch says what happened
        with lg.write() as cur:
            cur.execute("UPDATE import_batches SET updated = ?, conflicts = ? WHERE id = ?",
                        (result.updated, len(result.conflicts), result.batch))
    if result.added:  # old history whose steps stop short: it is all in `overdue` at once
        with lg.read() as cur:
            _count_late(cur, result, now)
    return result


def _count_late(cur: sqlite3.Cursor, result: Result, now: datetime) -> None:
    """The stages of the batch's new complaints past due at `now`, the oldest due, and
    how many of them are revisits."""
    result.late, result.late_since, result.late_revisits = cur.execute(
        "SELECT count(*), min(s.due_at), coalesce(sum(s.stage = 'revisit'), 0) FROM "
        "stages s JOIN complaints c ON c.id = s.complaint_id WHERE c.import_batch = ? AND "
        "s.done_at IS NULL AND s.due_at < ?", (result.batch, iso(now))).fetchone()


@contextmanager
def _undone_if_refused(lg: Ledger) -> Iterator[None]:
    """Inside a transaction the caller holds (an import's dry run, rolled back whole):
    what the block wrote is undone if it raises, as its own transaction would be."""
    cur = lg.conn.cursor()
    cur.execute("SAVEPOINT undone_if_refused")
    try:
        yield
    except BaseException:
        cur.execute("ROLLBACK TO undone_if_refused")
        cur.execute("RELEASE undone_if_refused")
        raise
    cur.execute("RELEASE undone_if_refused")


def _tell_steps(lg: Ledger, later: list[tuple[str, str, list[Step], dict[str, Any],
                                          dict[str, str]]], result: Result, *,
                tried: bool = False, told: Callable[[int, int], None] | None = None
                ) -> None:
    """The new steps of complaints the ledger holds (`later`: key, id, the steps, what
    their events carry, the column of each kind's time), each through its ordinary step
    function, each in its own transaction; one refused is a conflict, and the steps of
    its row after it are not told. `tried`: inside a transaction the caller rolls back
    (a dry run), each complaint's steps undone if one is refused, as their own
    transactions would be. `result.told`: the complaints whose steps were told (or begun:
    a complaint's first step written counts it), and `told(n, of)` as it goes."""
    saved = lg.rows
    if told is not None and later:
        told(0, len(later))
    for n, (key, cid, new_steps, extra, time_columns) in enumerate(later):
        result.told = n
        for done, step in enumerate(new_steps):
            lg.rows = _Sourced({**extra, **(step.extra or {})}, cid)
            try:
                with _undone_if_refused(lg) if tried else nullcontext():
                    said = bulk.step_through(lg, cid, step).warnings
            except ComplaintctlError as exc:
                message = _new_refused(step.kind, exc.message)
                if exc.code == "time_before":  # said in the register's terms
                    message = _("its new {step} step ({column}: {time}) is before what the "
                                "ledger holds ({then})").format(
                        step=step_word(step.kind), column=time_columns.get(step.kind, "?"),
                        time=lg.local(step.at), then=lg.local(exc.params["after"]))
                result.conflicts.append(Problem(
                    int(extra.get("source", {}).get("row", 0)), None,
                    _("{key} ({id}): {message}").format(key=key, id=cid, message=message)))
                result.steps -= len(new_steps) - done  # this one and those after it
                if not done:
                    result.updated -= 1
                break
            finally:
                lg.rows = saved
            if result.told == n:  # (its first step written: it has new steps)
                result.told = n + 1
                if told is not None:
                    told(n + 1, len(later))
            # each line once, as the writer's (a year's warning for many complaints)
            result.warnings += [w for w in said if w not in result.warnings]
    result.told = len(later)


def _imported_before(cur: sqlite3.Cursor, imported_at: dict[str, list[tuple[Any, ...]]],
                     matched: set[str], history: History, batch: int, *, keyed: bool = False
                     ) -> tuple[Any, ...] | None:
    """The complaint an earlier import (not voided) brought in that a row of a register
    without a key is (id, batch, its source key, status), if any: received at the same
    instant, from the same customer, about the same product, as the repeat check takes
    them (letter case, spaces and punctuation aside; no product on either side, or on
    both); each held complaint is one row's only (two complaints alike imported before
    are two rows of a newer copy, and a third row is new), the one with the row's
    description first. `imported_at`: what was read of the ledger, by the time received;
    `matched`: the complaints rows of this file were matched with. `keyed`: a row of a
    register with a key, new under it: only complaints imported without a key (a
    register imported first without one came in twice when imported with one)."""
    stamp = _stamp(history.received_at)
    held = imported_at.get(stamp)
    if held is None:
        held = imported_at[stamp] = cur.execute(
            "SELECT c.id, c.import_batch, c.source_key, c.status, c.customer, c.product, "
            "c.description FROM complaints c JOIN import_batches b ON b.id = c.import_batch "
            "WHERE c.received_at = ? AND b.voided_at IS NULL AND c.import_batch != ? "
            f"{'AND c.source_key IS NULL ' if keyed else ''}"
            "ORDER BY c.status = 'void', c.id", (stamp, batch)).fetchall()
    if not held:
        return None
    fields = history.fields
    customer, product = fields.get("customer"), fields.get("product")
    if not customer:
        return None
    who = parse.name_key(customer, True)
    what = parse.name_key(product, False) if product else None
    alike = [h for h in held if h[0] not in matched and h[4] and
             parse.name_key(h[4], True) == who and
             (parse.name_key(h[5], False) if h[5] else None) == what]
    if not alike:
        return None
    found = next((h for h in alike if h[6] == fields.get("description")), alike[0])
    matched.add(found[0])
    return found[:4]


def _imported_said(held: tuple[Any, ...], *, keyed: bool = False) -> str:
    """A row of a register without a key that an earlier import brought in (held: id,
    batch, source key, status): refused, and how to import a newer copy. `keyed`: a row
    new under this mapping's key that an import without a key brought in."""
    cid, batch, key, _status = held
    if keyed:
        return _("{id} of import batch {batch}, imported without a key, was received at "
                 "the same time, from the same customer, about the same product: this row "
                 "would come in twice; void batch {batch} (complaintctl import --void-batch "
                 "{batch} --reason …) and import the register again with this key, or "
                 "import only the new rows with --skip-bad").format(id=cid, batch=batch)
    if key is not None:  # imported with a key, which this mapping leaves out
        return _("{id} of import batch {batch} (key {key}) was received at the same time, "
                 "from the same customer, about the same product: without a key in the "
                 "mapping this row cannot be told from it, and would come in twice; give "
                 "the mapping the key that import had (a newer copy then adds only what "
                 "happened since), or import only the new rows with --skip-bad").format(
                     id=cid, batch=batch, key=shown(key))
    return _("{id} of import batch {batch} was received at the same time, from the same "
             "customer, about the same product: without a key in the mapping this row "
             "cannot be told from it, and would come in twice; import only the new rows "
             "with --skip-bad, or, for a newer copy to add what happened since, map the "
             "register's id column as key, void batch {batch} (complaintctl import "
             "--void-batch {batch} --reason …) and import the register again").format(
                 id=cid, batch=batch)


def _no_cells(_cells: list[str | None]) -> tuple[str, ...]:
    return ()


def _keyed_alone(reader: Reader, cells: list[str | None], history: History,
                 keys: dict[str, str], stored: dict[str, dict[str, Any]]
                 ) -> dict[str, Any] | None:
    """The complaint an import keyed by one column of this row's key (编号 alone, before
    the mapping took key = ["编号", "投诉日期"]) brought in, when it has the row's customer
    and time received: the same row, which the new key would bring in again."""
    for cell in reader.key_cells(cells):
        cid = keys.get(cell)
        held = stored.get(cid) if cid is not None else None
        if held is not None and held.get("import_batch") is not None and \
                _same_name(held.get("customer"), history.fields.get("customer")) and \
                held.get("received_at") == _stamp(history.received_at):
            return {**held, "key": cell}
    return None


def _another_complaint(history: History, stored: dict[str, Any]) -> bool:
    """Whether a row whose key the ledger holds is surely another complaint than the one
    held under it (a register numbered anew): another customer, received another time."""
    return not _same_name(stored.get("customer"), history.fields.get("customer")) and \
        stored.get("received_at") != _stamp(history.received_at)


def _received_otherwise(history: History, stored: dict[str, Any]) -> bool:
    """Whether a row whose key the ledger holds names another complaint than the one held
    under it: another customer, or another time received (to the minute: a sheet re-saved
    by Excel drops the seconds, which numbers no row anew)."""
    return not _same(stored.get("customer"), history.fields.get("customer")) or \
        (stored.get("received_at") or "")[:16] != _stamp(history.received_at)[:16]


def _renumbered_said(cur: sqlite3.Cursor, reader: Reader, cids: list[str]) -> str:
    """Conflicts that look like a register numbered anew on each sheet or each year (001,
    002 … again): most rows whose key the ledger holds were received otherwise than the
    complaints under those keys. What to write in the mapping, and what to do about the
    batches that brought the others in under the same numbers."""
    marks = ", ".join("?" * len(cids))
    batches = [b for (b,) in cur.execute(
        f"SELECT DISTINCT import_batch FROM complaints WHERE id IN ({marks}) AND "
        "import_batch IS NOT NULL ORDER BY 1", cids)]
    key = reader.mapping.key
    received = reader.mapping.columns.get("received_at")
    # (as TOML writes them: a header typed over two lines in its cell, 投诉\n日期, on one)
    suggested = "[" + ", ".join(toml_string(h) for h in (*key, *(
        [received] if received and received not in key else []))) + "]"
    # (not ngettext: one batch is named in the command, several listed, in every language)
    void = _("void the batch that used the old key (complaintctl import --void-batch "
             "{batch} --reason …)").format(batch=batches[0]) if len(batches) == 1 else _(
        "void the batches that used the old key (complaintctl import --void-batch ID "
        "--reason … for each of {batches})").format(batches=", ".join(map(str, batches)))
    return ngettext(
        "{n} row has the key ({key}) of a complaint imported before with another customer "
        "or date received: first check that the mapping reads the customer and the date "
        "received from the columns the import before read them from; if it does and the "
        "register numbers its rows anew on each sheet or year, make the key more than one "
        "column, e.g. key = {suggested}, {void} and import each sheet again",
        "{n} rows have the key ({key}) of complaints imported before with another customer "
        "or date received: first check that the mapping reads the customer and the date "
        "received from the columns the import before read them from; if it does and the "
        "register numbers its rows anew on each sheet or year, make the key more than one "
        "column, e.g. key = {suggested}, {void} and import each sheet again",
        len(cids)).format(
        n=f"{len(cids):,}", key=reader.mapping.key_name, suggested=suggested, void=void)


def _moved_said(first: tuple[str, str, bool], n: int, numbering: _Numbering | None,
               dry_run: bool) -> str:
    """New complaints keyed by an id of this ledger's form that came in under another id
    (the first of them: key, id, whether another complaint has its id; how many): a
    reference to the old id names another complaint here, or none; why, and how to find
    one by its old id."""
    key, cid, held = first
    found = _id_shape(numbering.prefix).fullmatch(key) if numbering is not None else None
    if found is not None and numbering is not None and int(found[1]) != numbering.year:
        why = _("an id is numbered in the year its complaint is entered here, {year}"
                ).format(year=numbering.year)
    elif held:
        why = _("another complaint has that id here")
    else:  # (_kept_ids met a key of another form)
        why = _("the file's keys are not all ids of this ledger's form")
    return (ngettext(
        "{n} complaint would come in under another id than its key ({key} as {id}: {why}): "
        "a reference to its old id would name another complaint here, or none",
        "{n} complaints would come in under other ids than their keys (the first: {key} as "
        "{id}: {why}): a reference to an old id would name another complaint here, or none",
        n) if dry_run else ngettext(
        "{n} complaint came in under another id than its key ({key} is {id} here: {why}): a "
        "reference to its old id names another complaint here, or none; find it by its old "
        "id with complaintctl show --ref {key} (or list --ref {key})",
        "{n} complaints came in under other ids than their keys (the first: {key} is {id} "
        "here: {why}): a reference to an old id names another complaint here, or none; find "
        "one by its old id, e.g. complaintctl show --ref {key} (or list --ref {key})", n)
    ).format(n=f"{n:,}", key=key, id=cid, why=why)


def _twins_said(twins: list[tuple[int, int]],
                imported: tuple[sqlite3.Cursor, int, int] | None = None,
                keyed: bool = False) -> list[str]:
    """Rows that are the same as an earlier row in every column the mapping reads (a row
    pasted twice; `keyed`: but the key, a register's number the copy was given anew,
    as Excel's fill handle gives it): each came in as a complaint of its own, the later
    one a repeat of the earlier. Said row by row, up to _ROWS_LISTED, then counted.
    `imported`: (the import's cursor, the last event before it, its batch) after an
    import, which then advises voiding the later row's complaint."""
    listed = twins[:_ROWS_LISTED]
    columns = _("every column the mapping reads but the key") if keyed else \
        _("every column the mapping reads")
    if imported is None:
        out = [_("row {row} is the same as row {first} in {columns}: each is a complaint of "
                 "its own (a row pasted twice? delete it from the file and import it again)"
                 ).format(row=row, first=first, columns=columns)
               for row, first in listed]
    else:
        cur, after, batch = imported
        ids = _ids_of_rows(cur, after, [row for row, _first in listed])
        out = []
        for row, first in listed:
            cid, status = ids.get(row, ("ID", None))
            # `void` takes a complaint not yet investigated; --void-batch any, and the file
            # corrected may then come in again
            out.append((_(
                "row {row} is the same as row {first} in {columns}: each came in as a "
                "complaint of its own (a row pasted twice? void the extra one: complaintctl "
                "void {id} --reason …)") if status in _VOIDABLE else _(
                "row {row} is the same as row {first} in {columns}: each came in as a "
                "complaint of its own ({id}; a row pasted twice? void this import, "
                "complaintctl import --void-batch {batch} --reason …, delete the row from "
                "the file and import it again)")).format(
                    row=row, first=first, id=cid, batch=batch, columns=columns))
    return out + _more(len(twins) - _ROWS_LISTED, ngettext(
        "{n} more row is the same as an earlier one in {columns}",
        "{n} more rows are the same as an earlier one in {columns}",
        max(len(twins) - _ROWS_LISTED, 1)).replace("{columns}", columns))


def _typed_twins_said(cur: sqlite3.Cursor, after: int, batch: int, dry_run: bool
                      ) -> list[str]:
    """Rows that came in as a repeat of a complaint typed in the ledger (not imported),
    received at the same instant from the same customer and product: most often the
    row itself, refused by an earlier import and typed by hand, now in twice (the
    month's received count one too many). Read from the log events written since
    event `after`; up to _ROWS_LISTED, then counted."""
    repeats = cur.execute(
        "SELECT json_extract(e.data, '$.source.row'), c.id, c.status, c.repeat_of, "
        "c.received_at FROM events e JOIN complaints c ON c.id = e.complaint_id WHERE e.id > "
        "? AND e.kind = 'log' AND c.import_batch IS ? AND c.repeat_of IS NOT NULL "
        "ORDER BY e.id", (after, batch)).fetchall()
    of = {cid: (parent, received) for _row, cid, _status, parent, received in repeats}
    root: dict[str, str | None] = {}  # where each one's run of one instant leads (in order:
    # a run of N rows of one date is a chain of N, walked once, not once from each row)
    found = []
    for row, cid, status, parent, received in repeats:
        # up the repeats of the same instant in the batch (a second row of that instant
        # repeats the first one of the batch, and the one typed may be either)
        if parent in of and of[parent][1] == received:
            parent = root.get(parent, parent)
        root[cid] = parent
        if status == "void" or parent is None or parent in of:  # (one the register voided
            continue  # is no twin to void)
        held = cur.execute("SELECT received_at, import_batch, status FROM complaints WHERE "
                           "id = ?", (parent,)).fetchone()
        if held is not None and held[0] == received and held[1] is None and held[2] != "void":
            found.append((row, cid, status, parent, held[2]))
    out = []
    for row, cid, status, typed, typed_status in found[:_ROWS_LISTED]:
        if dry_run:
            out.append(_("row {row} was received at the same instant as {typed}, typed in "
                         "the ledger, from the same customer and product: if it is that "
                         "complaint (the row typed by hand), it would come in twice; leave "
                         "the row out of the file").format(row=row, typed=typed))
        else:
            out.append((_(
                "row {row} came in as {id}, received at the same instant as {typed}, typed "
                "in the ledger, from the same customer and product: if they are one "
                "complaint, void the extra one: complaintctl void {id} --reason …")
                if status in _VOIDABLE else _(
                "row {row} came in as {id}, received at the same instant as {typed}, typed "
                "in the ledger, from the same customer and product: if they are one "
                "complaint, void the one typed: complaintctl void {typed} --reason …")
                if typed_status in _VOIDABLE else _(
                "row {row} came in as {id}, received at the same instant as {typed}, typed "
                "in the ledger, from the same customer and product: if they are one "
                "complaint, void this import (complaintctl import --void-batch {batch} "
                "--reason …), leave the row out of the file and import it again")).format(
                row=row, id=cid, typed=typed, batch=batch))
    return out + _more(len(found) - _ROWS_LISTED, ngettext(
        "{n} more row was received at the same instant as a complaint typed in the ledger",
        "{n} more rows were received at the same instant as a complaint typed in the ledger",
        max(len(found) - _ROWS_LISTED, 1)))


def _more(more: int, line: str) -> list[str]:
    """The line that counts what a warning's list left out ({n}), if it left out any."""
    return [line.format(n=f"{more:,}")] if more > 0 else []


# The states `void` takes a complaint from (the transition table's).
_VOIDABLE = frozenset(workflow.TRANSITIONS["void"])


def _ids_of_rows(cur: sqlite3.Cursor, after: int, rows: list[int]
                 ) -> dict[int, tuple[str, str]]:
    """The complaints (id, status) this import logged for rows `rows` of its file (by
    their log events, written since event `after`)."""
    if not rows:
        return {}
    return {int(row): (cid, status) for cid, status, row in cur.execute(
        "SELECT e.complaint_id, c.status, json_extract(e.data, '$.source.row') FROM events e "
        "JOIN complaints c ON c.id = e.complaint_id WHERE e.id > ? AND e.kind = 'log' AND "
        f"json_extract(e.data, '$.source.row') IN ({', '.join('?' * len(rows))})",
        (after, *rows))}


def _relinked_said(cur: sqlite3.Cursor, after: int, batch: int, dry_run: bool = False
                   ) -> list[str]:
    """The complaints held before the import that a complaint it brought in relinked (a
    repeat of an earlier one, received before them), in the words `void` and
    `--void-batch` use: read from the events written since event `after`, up to
    _ROWS_LISTED, then counted. A dry run says what would be (it said "now repeats …;
    linked" of a link nothing wrote)."""
    changed: dict[str, str | None] = {}
    before: dict[str, str | None] = {}  # what each repeated before the import
    for cid, data, old in cur.execute(
            "SELECT e.complaint_id, e.data, e.old FROM events e JOIN complaints c ON c.id = "
            "e.complaint_id WHERE e.id > ? AND e.kind = 'repeat-link' AND "
            "c.import_batch IS NOT ? ORDER BY e.id", (after, batch)):
        changed[cid] = json.loads(data).get("repeat_of")
        before.setdefault(cid, json.loads(old or "{}").get("repeat_of"))
    # (linked to a row the register voided, then back: no change to say)
    items = [(cid, now) for cid, now in changed.items() if now != before[cid]]
    if dry_run:
        return [_("{id} would repeat {earlier}; it would be linked").format(
                    id=cid, earlier=of) if of else
                _("{id} would no longer repeat an earlier complaint; it would be unlinked"
                  ).format(id=cid) for cid, of in items[:_ROWS_LISTED]] + _more(
            len(items) - _ROWS_LISTED, ngettext(
                "{n} more complaint of the ledger would repeat one this import would bring "
                "in", "{n} more complaints of the ledger would repeat one this import would "
                "bring in", max(len(items) - _ROWS_LISTED, 1)))
    return complaints.relink_notes(items[:_ROWS_LISTED]) + _more(
        len(items) - _ROWS_LISTED, ngettext(
            "{n} more complaint of the ledger repeats one this import brought in; linked",
            "{n} more complaints of the ledger repeat one this import brought in; linked",
            max(len(items) - _ROWS_LISTED, 1)))


# --- void a batch --------------------------------------------------------------------------

class VoidedBatch(NamedTuple):
    """What `void_batch` did (or, in a dry run, would do)."""

    ids: list[str]  # the complaints it voided
    relinked: list[tuple[str, str | None]]  # complaints.relink's changed links
    kept: int  # complaints of earlier batches it gave new steps (those steps stay)
    void_already: int  # complaints of the batch voided before (by `void`, or the register)
    # steps typed on its complaints since it came in (no file's), and on how many: the
    # reports leave them out with the batch; and which, by complaint: [(id, [kind …])]
    typed: tuple[int, int] = (0, 0)
    typed_on: list[tuple[str, list[str]]] = []


def void_batch(lg: Ledger, batch: int, reason: str, *, now: datetime, actor: str,
               dry_run: bool = False) -> VoidedBatch:
    """Void every complaint a batch brought in (nothing is deleted): an event `void` for
    each, whatever its state (a wrong import is undone whole; a complaint with an open
    return is refused, as `void` refuses it). Returns their ids, and the repeat links
    of complaints outside the batch that changed (complaints.relink: (id, the one it
    repeats now), which complaints.relink_notes puts in words, as `void` does), the
    number of complaints of earlier batches it gave new steps (those steps stay) and of
    its own that were void already. `dry_run`: all of it checked and done inside the
    transaction, which is then rolled back."""
    try:
        with lg.write() as cur:
            done = _void_batch(lg, cur, batch, reason, now=now, actor=actor)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return done


def _void_batch(lg: Ledger, cur: sqlite3.Cursor, batch: int, reason: str, *, now: datetime,
                actor: str) -> VoidedBatch:
    from complaintctl import workflow

    workflow.check_reason("void", reason)
    found = cur.execute("SELECT voided_at, at, file FROM import_batches WHERE id = ?",
                        (batch,)).fetchone()
    if found is None:
        raise NotFound(_("no import batch {batch}").format(batch=batch),
                       hint=_("list them with: complaintctl import --batches"), code="no_batch",
                       record=batch)
    if found[0] is not None:
        raise Refused(_("import batch {batch} is already void").format(batch=batch),
                      code="batch_void", record=batch)
    rows = cur.execute("SELECT id, status, last_step_at FROM complaints WHERE import_batch = "
                       "? ORDER BY id", (batch,)).fetchall()
    # one time for every void, as `void` takes it: after a step stamped a moment ahead
    # of the clock (parse.Now), the latest of them; one stamped further ahead is refused
    when: datetime = parse.Now.of(now)
    for cid, status, last in rows:
        returns.check_void(cid, cur.execute(
            "SELECT id, stage FROM returns WHERE complaint_id = ? AND closed_at IS NULL "
            "ORDER BY rowid", (cid,)).fetchall())
        if status != "void":  # (check_at's time is never before the one it is given)
            when = complaints.check_at(lg, parse.Now.of(when), now, last,
                                       _("the last step of {id}").format(id=cid))
    at = iso(when)
    ids = []
    for cid, status, _last in rows:
        if status == "void":
            continue
        cur.execute("UPDATE stages SET done_at = ?, outcome = 'void' WHERE complaint_id = ? "
                    "AND done_at IS NULL", (at, cid))
        cur.execute("UPDATE complaints SET status = 'void', voided_at = ?, void_reason = ?, "
                    "last_step_at = ? WHERE id = ?", (at, reason, at, cid))
        lg.event(cur, cid, "void", when, now, actor,
                 {"reason": reason, "status": "void", "import_batch": batch},
                 {"status": status})
        ids.append(cid)
    cur.execute("UPDATE import_batches SET voided_at = ?, void_reason = ? WHERE id = ?",
                (at, reason, batch))
    kept = steps_given(cur, batch, found[1], found[2])
    # the void of the batch in the history (verify holds the row to it): the reports leave
    # the batch out from now on, whether or not its complaints were void already; with the
    # complaints of other batches it gave steps, which stay (the reports count them while
    # those batches are not void)
    lg.event(cur, None, "import-void", when, now, actor,  # (the batch's voided_at)
             {"batch": batch, "reason": reason, "complaints": len(ids), "kept": kept})
    # complaints outside the batch that repeated one of it repeat another now (or none)
    spans = cur.execute(
        "SELECT DISTINCT c.repeat_key, c.received_at FROM complaints c JOIN "
        "complaints r ON r.repeat_of = c.id WHERE c.import_batch = ? AND c.repeat_key IS NOT "
        "NULL AND r.status != 'void' ORDER BY 2", (batch,)).fetchall()
    changed = complaints.relink(lg, cur, spans, None, now=now, actor=actor, of=ids)
    # (which they are, by complaint, in the order typed: "type them again" named none)
    on: dict[str, list[str]] = {}
    steps = 0
    for cid, kind in cur.execute(
            "SELECT e.complaint_id, e.kind FROM events e JOIN complaints c ON "
            "c.id = e.complaint_id WHERE c.import_batch = ? AND e.kind NOT IN ('void', "
            "'repeat-link', 'forget-contact') AND json_valid(e.data) AND json_extract(e.data, "
            "'$.source') IS NULL ORDER BY e.id", (batch,)):
        on.setdefault(cid, []).append(kind)
        steps += 1
    return VoidedBatch(ids, changed, len(kept), len(rows) - len(ids), (steps, len(on)),
                       sorted(on.items()))


def steps_given(cur: sqlite3.Cursor, batch: int, at: str, file: str) -> list[str]:
    """The complaints of other batches, not void as batches, that batch `batch` gave new
    steps (a newer copy of the register): their events were recorded at the import's
    instant, from its file (every event an import writes carries its source)."""
    return [cid for (cid,) in cur.execute(
        "SELECT DISTINCT e.complaint_id FROM events e JOIN complaints c ON c.id = "
        "e.complaint_id WHERE e.recorded_at = ? AND e.complaint_id IS NOT NULL AND "
        "json_valid(e.data) AND json_extract(e.data, '$.source.file') = ? AND "
        # the batch each event names (one imported before events named it: the file's,
        # at the import's instant)
        "coalesce(json_extract(e.data, '$.source.batch'), ?) = ? AND "
        "c.import_batch IS NOT ? AND (c.import_batch IS NULL OR c.import_batch NOT IN "
        "(SELECT id FROM import_batches WHERE voided_at IS NOT NULL)) ORDER BY 1",
        (at, file, batch, batch, batch))]


def batches(lg: Ledger) -> Iterator[dict[str, Any]]:
    """The import batches, each with the sheet of the workbook it read (its import event's;
    none for a CSV, or a batch imported before the events named it)."""
    with lg.read() as cur:
        c = cur.execute(
            "SELECT b.*, (SELECT json_extract(e.data, '$.sheet') FROM events e WHERE "
            "e.complaint_id IS NULL AND e.kind = 'import' AND json_valid(e.data) AND "
            "json_extract(e.data, '$.batch') = b.id) AS sheet FROM import_batches b "
            "ORDER BY b.id")
        names = [d[0] for d in c.description]
        rows = c.fetchall()
    for r in rows:
        yield dict(zip(names, r, strict=True))
