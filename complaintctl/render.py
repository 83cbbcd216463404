"""Output: Rich tables for a terminal; json, csv (UTF-8 with BOM, formula
cells neutralised) and markdown (pipes escaped) for files and mail.

Works on plain data (lists of dicts); never touches the database. User text
is always rendered as text, never as Rich markup. Rich is imported only when
a Rich table is drawn.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import math
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

from complaintctl import i18n, words
from complaintctl.i18n import C_, NC_, _, ngettext
from complaintctl.parse import from_iso, looks_like_contact, mask, wall

if TYPE_CHECKING:  # Rich is imported when a table is drawn, not with this module
    from rich.box import Box
    from rich.console import Console, RenderableType
    from rich.table import Table

UTC = timezone.utc


def N_(message: str) -> str:
    """Marks a message for the catalogue (Babel's default keywords include N_) where it
    is defined at import time: a column header or a field name, translated with `_`
    when it is drawn, in the language chosen by then."""
    return message


# A breakdown's row of what has no value (no department yet): reports.py's key.
NONE_KEY = N_("(none)")


class Col(NamedTuple):
    key: str
    header: str  # an English msgid (N_): translated when drawn
    kind: str = "text"  # text | code (never wrapped) | wrap (long text) | time | day | num
    # | counts ({code: n}, with `word`)
    word: str | None = None  # a words.TABLE field: the stored code is shown by its label
    decimals: int = 1  # a fraction's places (handling days: 2, as JSON and the summary)

    def cell(self, row: dict[str, Any], tz: tzinfo) -> str:
        value = row.get(self.key)
        if value == NONE_KEY:
            return _(NONE_KEY)
        if self.decimals != 1 and isinstance(value, float):
            return f"{value:.{self.decimals}f}"
        if self.word is not None and isinstance(value, str):
            return label(self.word, value)
        if self.word is not None and isinstance(value, dict):  # {code: n}, as `show` has it
            return i18n.listing([f"{label(self.word, k)} {n}" for k, n in value.items()])
        return cell_text(value, self.kind, tz)

    def title(self) -> str:
        return _(self.header)


_WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
             N_("Saturday"), N_("Sunday"))


def weekday(n: int) -> str:
    """A day of the week by its number (0 Monday), in the reader's language."""
    return _(_WEEKDAYS[n])


def cell_text(value: Any, kind: str, tz: tzinfo) -> str:
    if value is None:
        return ""
    if kind == "time" and isinstance(value, str) and value.endswith("Z"):
        return local_time(value, tz)
    if kind == "day" and isinstance(value, str) and value.endswith("Z"):
        return local_time(value, tz)[:10]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, (bytes, bytearray)):  # a BLOB put by hand where text is kept:
        raise TypeError(NOT_TEXT)  # the ledger's fault (run: store.not_text), not b'x'
    return str(value)


# What a value of bytes met where text is shown raises (run.py says it as the ledger's:
# store.not_text, "verify names where"); it was shown as b'x', a customer's name in a
# spreadsheet.
NOT_TEXT = "bytes where text is kept"


def local_time(value: str, tz: tzinfo, seconds: bool = False) -> str:
    return wall(datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC).astimezone(tz),
                seconds)


# Codes shown here that are not words a user types (so not in the word table).
_SHOWN_WORDS: dict[str, dict[str, str]] = {
    "record_kind": {"complaint": NC_("kind", "complaint"), "return": NC_("kind", "return")},
    "validity": {"upheld": N_("upheld"), "not-upheld": N_("not upheld")},
    "day_kind": {"holiday": N_("holiday"), "workday": N_("make-up working day"),
                 "closure": N_("company closure day")},
}


# Words of a ledger that the word table does not hold (the categories the user added,
# with their labels): given by the command from the ledger's settings (`use_words`).
_EXTRA: dict[str, tuple[words.Word, ...]] = {}


def use_words(field: str, extra: Sequence[words.Word]) -> None:
    """Show the codes of `field` that the table does not know by `extra`'s labels."""
    _EXTRA[field] = tuple(extra)


def label(field: str, code: str | None) -> str:
    """A stored code as the reader's language shows it: the word table's label (or the
    code itself when the table does not know it: a category the user added)."""
    if code is None:
        return ""
    if field in _SHOWN_WORDS:
        msg = _SHOWN_WORDS[field].get(code)
        return _(msg) if msg else code
    return words.label(field, code, i18n.lang(), _EXTRA.get(field, ()))


def category_list(codes: Sequence[str]) -> str:
    """The categories as the reader's language names them, each code beside a label that
    differs from it (质量（quality）, 包装 (packaging)), listed as a sentence lists."""
    return i18n.listing([code if (name := label("category", code)) == code else
                         name + i18n.aside(code) for code in codes])


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
# What follows the guard's apostrophe: a formula's start, or another apostrophe (a cell
# that itself begins '@ or '' is guarded too, so that taking one apostrophe off is
# always right: an actor '@boss read back as @boss broke a hand check of the chain).
_GUARDED = (*_FORMULA_START, "'")


def neutralise(value: str) -> str:
    """A spreadsheet cell that would start a formula gets a leading apostrophe, and so
    does one that starts with an apostrophe before such a character."""
    return "'" + value if value.startswith(_FORMULA_START) or (
        value[:1] == "'" and value[1:2] in _GUARDED) else value


def unguarded(value: str) -> str:
    """neutralise undone: a CSV cell read back ('+86 138… is +86 138…). A spreadsheet
    opening a CSV shows the apostrophe as text and saves it so; nobody types one before
    a formula character in a register."""
    return value[1:] if value[:1] == "'" and value[1:2] in _GUARDED else value


def to_csv(rows: Iterable[dict[str, Any]], cols: Sequence[Col], tz: tzinfo,
           bom: bool = True) -> str:
    import csv

    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.title() for c in cols])
    for row in rows:
        writer.writerow([neutralise(c.cell(row, tz)) for c in cols])
    return buf.getvalue()


# --- streams: a listing of any length, a batch of rows at a time ----------------------
#
# The writers below take batches of a listing's COLUMNS (never a list of every row, never
# a dict per row) and give the same bytes as to_csv / to_json would for those rows. A
# column is converted whole, by C-level passes over it: its cells are joined once
# (with _SEP) and that text scanned for what would need work (a formula start, a quote
# or comma, "(none)", a time not in the stored form); a column that needs nothing goes
# out as it is, a code column through a dict of its fields, a time column through a
# dict of the local date and hour of each UTC hour. Only what the scans find goes
# through Col.cell a cell at a time.

STREAM_BATCH = 256  # rows a batch: read from the cursor, written as one chunk (smaller
# batches stay in the CPU caches: 256 rows took 0.7-0.8 of the CPU of 2000)

# Joins a column's cells for the scans: a cell starts at the text's start or after it.
# The same character inside a cell only makes a scan find more than there is (and the
# column take the exact slow path), never less.
_SEP = "\x1f"
_NoneType = type(None)
_EMPTY: dict[Any, str] = {None: ""}


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """What makes csv.writer quote a field (QUOTE_MINIMAL: a comma, a quote, a line
    break); a cell of a joined column that starts a formula (the first cell is checked
    with startswith); the hour of a stored time (YYYY-MM-DDTHH, ASCII digits).
    Compiled when a stream is first written, not when the module is imported."""
    return (re.compile('[,"\r\n]'),
            re.compile(_SEP + "(?:'?[" + re.escape("".join(_FORMULA_START)) + "]|'')"),
            re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}"))


_HOUR = operator.itemgetter(slice(0, 13))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv_field(text: str) -> str:
    """A cell as csv.writer writes it (excel dialect, QUOTE_MINIMAL: quoted when it
    holds a comma, a quote or a line break)."""
    return _quoted(text) if _patterns()[0].search(text) else text


def _fields_of(cells: Sequence[str], joined: str) -> Sequence[str]:
    """csv_fields of `cells`, whose _SEP-join is `joined`: the cells that need quotes
    found by one C-level pass, and only those rewritten."""
    needs_quotes = _patterns()[0].search
    if not needs_quotes(joined):
        return cells
    fields = list(cells)
    for i in itertools.compress(range(len(fields)), map(needs_quotes, fields)):
        fields[i] = _quoted(fields[i])
    return fields


def csv_fields(cells: Sequence[str]) -> Sequence[str]:
    """A column of cell texts as CSV fields: quoted where csv.writer quotes them."""
    return _fields_of(cells, _SEP.join(cells))


def _joined(values: Sequence[Any], any_type: bool = False
            ) -> tuple[Sequence[str], str] | None:
    """The column's cells as cell_text gives them (None as empty; integers and, with
    `any_type`, any value as str() gives it) and their _SEP-join, when they are all
    text, or text and None (or, with `any_type`, integers...): else None."""
    try:
        return values, _SEP.join(values)
    except TypeError:
        pass
    try:  # None as ""
        texts: Sequence[str] = list(map(_EMPTY.get, values, values))
        return texts, _SEP.join(texts)
    except TypeError:  # not text, or not even a key (a return's quantities by disposition)
        pass
    types = set(map(type, values))
    if bytes in types:
        raise TypeError(NOT_TEXT)
    if any_type or types <= {str, int, _NoneType}:
        texts = ["" if v is None else str(v) for v in values]
    else:
        return None
    return texts, _SEP.join(texts)


def _starts_formula(joined: str) -> bool:
    return joined.startswith(_FORMULA_START) or (joined[:1] == "'" and joined[1:2] in _GUARDED
                                                 ) or _patterns()[1].search(joined) is not None


def plain_texts(values: Sequence[Any], any_type: bool = False) -> Sequence[str] | None:
    """The column's cells as cell_text and the formula guard give them, found with a
    few C-level scans, when it is plain: text, integers and None (as empty; with
    `any_type`, any value as str() gives it), none starting a formula. None when it
    is not (a float, a formula start: the caller converts cell by cell; a separator
    inside a text that a formula character follows also lands there, which gives the
    same cells)."""
    found = _joined(values, any_type)
    if found is None or _starts_formula(found[1]):
        return None
    return found[0]


class _Labels(dict[Any, str]):
    """A code column's fields, as the Col shows them (label, formula guard, quotes),
    one lookup per distinct code of the stream."""

    def __init__(self, col: Col, tz: tzinfo) -> None:
        super().__init__()
        self.col, self.tz = col, tz

    def __missing__(self, value: Any) -> str:
        text = self[value] = _csv_field(neutralise(self.col.cell({self.col.key: value},
                                                                 self.tz)))
        return text

    def __call__(self, values: Sequence[Any]) -> Sequence[str]:
        return list(map(self.__getitem__, values))


class _Numbers(_Labels):
    """A number column's fields, one str() per distinct value. Only for a column of
    integers and None: a float equal to an integer would find the integer's field."""

    def __call__(self, values: Sequence[Any]) -> Sequence[str]:
        if not set(map(type, values)) <= {int, _NoneType}:
            return _each(self.col, self.tz, values)
        return list(map(self.__getitem__, values))


def _each(col: Col, tz: tzinfo, values: Sequence[Any]) -> Sequence[str]:
    """The column's fields a cell at a time, as to_csv writes them."""
    return csv_fields([neutralise(col.cell({col.key: v}, tz)) for v in values])


class _Hours(dict[str, str | None]):
    """The local "YYYY-MM-DD HH" of each UTC hour "YYYY-MM-DDTHH" met (the hour of a
    stored time: its first 13 characters); None for any other text, and for an hour
    whose minutes cannot simply be copied (the zone's offset not in whole hours there,
    or not the same at its start and at the next hour's) or whose times may have been
    shown twice (the offset changed in the three hours before: parse.wall adds the
    offset to those). Worked out a UTC day at a time."""

    def __init__(self, tz: tzinfo) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, hour: Any) -> str | None:
        if len(self) > 50_000:  # a bound, whatever the span of the ledger
            self.clear()
        day = hour[:10] if isinstance(hour, str) else ""
        if _patterns()[2].fullmatch(hour if isinstance(hour, str) else "") and \
                (day + "T00") not in self:
            try:
                midnight = datetime.fromisoformat(day + "T00:00:00").replace(tzinfo=UTC)
                starts = [(midnight + step).astimezone(self.tz) for step in _STEPS]
            except (OverflowError, ValueError):  # not a date, or out of datetime's years
                starts = []
            offsets = [t.utcoffset() for t in starts]
            dates: dict[int, str] = {}  # "YYYY-MM-DD " by day of the month (2 at most)
            starts = starts[_BEFORE:]
            for h, there in enumerate(starts[:24]):
                offset = offsets[h + _BEFORE]
                if (offset is not None and not offset.total_seconds() % 3600 and
                        offsets[h:h + _BEFORE + 2].count(offset) == _BEFORE + 2):
                    date_text = dates.get(there.day) or dates.setdefault(
                        there.day, there.isoformat(" ", "hours")[:11])
                    self[day + _T_HH[h]] = date_text + _HH[there.hour]
                else:
                    self[day + _T_HH[h]] = None
        return self.setdefault(hour, None)


_BEFORE = 3  # hours before a UTC day whose offsets are looked at too
_STEPS = [timedelta(hours=h) for h in range(-_BEFORE, 25)]
_HH = [f"{h:02d}" for h in range(24)]
_T_HH = ["T" + hh for hh in _HH]


@functools.cache
def _minutes() -> dict[str, str]:
    """The rest of a stored time after its hour (":MM:SSZ") and its minutes (":MM")."""
    return {f":{m:02d}:{sec:02d}Z": f":{m:02d}" for m in range(60) for sec in range(60)}


_REST = operator.itemgetter(slice(13, None))


class _Times:
    """A time column's cells as local "YYYY-MM-DD HH:MM", as Col.cell gives them: when
    every cell is in the stored form (YYYY-MM-DDTHH:MM:SSZ, a real date), the local
    date and hour of its UTC hour (_Hours) and the minutes copied from the stored text
    (looked up in _minutes, which also checks the form); any other column a cell at a
    time."""

    def __init__(self, col: Col, tz: tzinfo, hours: _Hours) -> None:
        self.col, self.tz, self.hours = col, tz, hours

    def __call__(self, values: Sequence[Any]) -> Sequence[str]:
        try:  # None for an hour it cannot shorten: None + str, a TypeError
            return list(map(operator.add, map(self.hours.__getitem__, map(_HOUR, values)),
                            map(_minutes().__getitem__, map(_REST, values))))
        except (TypeError, KeyError):  # not a text, not in the stored form
            return _each(self.col, self.tz, values)


def _column_fields(col: Col, tz: tzinfo, hours: _Hours
                   ) -> Callable[[Sequence[Any]], Sequence[str]]:
    """What turns one column of a batch into its CSV fields (as to_csv writes them);
    `hours`: the local hours of the stream (its time columns share them)."""
    if col.word is not None:  # (a column of {code: n} is not cached by its values)
        return functools.partial(_each, col, tz) if col.kind == "counts" else _Labels(col, tz)
    if col.kind == "time":
        return _Times(col, tz, hours)
    if col.kind == "num":
        return _Numbers(col, tz)
    if col.kind == "day":
        return functools.partial(_each, col, tz)
    none_shown = _(NONE_KEY)
    none_cell = None if none_shown == NONE_KEY else _SEP + NONE_KEY + _SEP

    def plain(values: Sequence[Any]) -> Sequence[str]:
        found = _joined(values)
        if found is None:
            return _each(col, tz, values)
        texts, joined = found
        if _starts_formula(joined) or (none_cell is not None and
                                       none_cell in _SEP + joined + _SEP):
            return _each(col, tz, values)
        return _fields_of(texts, joined)
    return plain


def csv_stream(batches: Iterable[Sequence[Sequence[Any]]], cols: Sequence[Col], tz: tzinfo,
               bom: bool = True) -> Iterator[bytes]:
    """to_csv of a listing given as batches of COLUMNS (one sequence of values per Col,
    in the order of `cols`), as UTF-8 bytes, one chunk per batch: the same bytes, in
    memory one batch at a time. Each column is converted whole (see _column_fields),
    the lines joined by str.join."""
    head = ",".join(_csv_field(c.title()) for c in cols) + "\r\n"
    yield (("\ufeff" if bom else "") + head).encode("utf-8")
    hours = _Hours(tz)
    converters = [_column_fields(c, tz, hours) for c in cols]
    for columns in batches:
        if columns and columns[0]:
            fields = [conv(values) for conv, values in zip(converters, columns, strict=True)]
            yield ("\r\n".join(map(",".join, zip(*fields, strict=True))) + "\r\n"
                   ).encode("utf-8")


def json_stream(batches: Iterable[Sequence[Sequence[Any]]], keys: Sequence[str]
                ) -> Iterator[bytes]:
    """to_json of a listing given as batches of columns (one per key), as UTF-8 bytes,
    one chunk per batch: the same bytes, in memory one batch at a time. A batch is
    encoded as one JSON array by the C encoder; its items are then put one a line
    where `}, {"<first key>": ` joins them, which happens only between items: inside
    a JSON string a quote is always escaped."""
    dump = json.JSONEncoder(ensure_ascii=False).encode
    joint = "}, {" + dump(keys[0]) + ": "
    first = True
    for columns in batches:
        if not columns or not columns[0]:
            continue
        text = dump(list(map(dict, map(zip, itertools.repeat(keys),
                                       zip(*columns, strict=True)))))
        text = text[1:-1].replace(joint, "},\n{" + dump(keys[0]) + ": ")
        yield (("[\n" if first else ",\n") + text).encode("utf-8")
        first = False
    yield b"[]\n" if first else b"\n]\n"


def kv_csv(pairs: Sequence[tuple[str, str]], tz: tzinfo, bom: bool = True) -> str:
    """Field/value pairs as a two-column CSV."""
    return to_csv([{"field": k, "value": v} for k, v in pairs],
                  (Col("field", N_("field")), Col("value", N_("value"))), tz, bom=bom)


# What markdown would read as markup in a cell (emphasis, a link, code, HTML, an entity,
# strike-through, the cell's end): shown as typed. A customer named
# "[领取赔偿](http://…)" was a live link in the mailed report.
_MD_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "*": "\\*", "_": "\\_",
                             "`": "\\`", "[": "\\[", "]": "\\]", "~": "\\~", "\r": ""})
# and a tag or an entity, with a backslash before its < or & (CommonMark's escape); any
# other < > & is text as it stands. The mailed report is read as plain text too: its
# department R&D was R&amp;D there, A&B <Co> was A&amp;B &lt;Co&gt;.
_MD_TAG_OR_ENTITY = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)")


def md_code(text: str) -> str:
    """`text` as a code span, its fence longer than any run of backticks in it (a ledger
    path with a backtick ended the span a hint's command was in, cutting it in two)."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_cell(value: str) -> str:
    text = _MD_TAG_OR_ENTITY.sub(lambda m: "\\" + m[0], value.translate(_MD_ESCAPES))
    return text.replace("\n", "<br>")


def to_markdown(rows: Iterable[dict[str, Any]], cols: Sequence[Col], tz: tzinfo,
                title: str | None = None) -> str:
    lines = [f"## {md_cell(title)}", ""] if title else []
    lines.append("| " + " | ".join(md_cell(c.title()) for c in cols) + " |")
    lines.append("|" + "|".join("---:" if c.kind == "num" else "---" for c in cols) + "|")
    for row in rows:
        lines.append("| " + " | ".join(md_cell(c.cell(row, tz)) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def markdown_stream(batches: Iterable[Sequence[Sequence[Any]]], keys: Sequence[str],
                    cols: Sequence[Col], tz: tzinfo, title: str | None = None
                    ) -> Iterator[bytes]:
    """to_markdown of a listing given as batches of columns (one per key), as UTF-8
    bytes, one chunk per batch: the same bytes, in memory one batch at a time."""
    head = to_markdown((), cols, tz, title)
    yield head.encode("utf-8")
    for columns in batches:
        rows = map(dict, map(zip, itertools.repeat(keys), zip(*columns, strict=True)))
        lines = ["| " + " | ".join(md_cell(c.cell(row, tz)) for c in cols) + " |"
                 for row in rows]
        if lines:
            yield ("\n".join(lines) + "\n").encode("utf-8")


def kv_markdown(pairs: Sequence[tuple[str, str]], title: str | None = None) -> str:
    lines = [f"## {md_cell(title)}", ""] if title else []
    lines += [f"| {md_cell(_('field'))} | {md_cell(_('value'))} |", "|---|---|"]
    lines += [f"| {md_cell(k)} | {md_cell(v)} |" for k, v in pairs]
    return "\n".join(lines) + "\n"


# --- Rich ------------------------------------------------------------------

_STYLE = {"ascii": False}


def use_ascii(on: bool) -> None:
    """Draw table lines with ASCII: some CJK terminals draw box characters (East
    Asian "ambiguous" width) double and break the columns."""
    _STYLE["ascii"] = on


# The widest a terminal is taken to be: COLUMNS=99999999 made `report` draw its rules
# that wide (minutes, and 3 MB a line at a million).
WIDEST = 1000


def console(on_broken_pipe: Callable[[], None] | None = None) -> Console:
    """A Console that prints text as it is, at most WIDEST columns wide;
    `on_broken_pipe`, if given, is called instead of Rich's own handler (which exits 1)
    when stdout's reader went away."""
    from rich.console import Console

    if on_broken_pipe is None:
        con = Console(highlight=False, emoji=False, markup=False)
    else:
        reader_gone = on_broken_pipe

        class _Console(Console):  # Rich's documented way: override the method in a subclass
            def on_broken_pipe(self) -> None:
                reader_gone()

        con = _Console(highlight=False, emoji=False, markup=False)
    if not con.is_terminal and not os.environ.get("COLUMNS", "").strip():
        # a file or a pipe is 80 columns wide unless COLUMNS says otherwise (Rich took
        # the size of whichever of stdin and stderr was a terminal: `overdue > today.txt`
        # typed in a window of 40 left the customer out of the file)
        con.width = 80
    if con.width > WIDEST:
        con.width = WIDEST
    return con


def _cut(text: str, width: int, mark: str = "~") -> str:
    """`text` in `width` columns, cut with `mark` ("~" in ASCII, else "…") when longer:
    a CJK character is two columns, and one that would cross the edge goes whole, the
    mark right after the last one kept (rich's own cut left a space before its "…":
    Osaka家电 …)."""
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return text
    # by the character a reader sees, whole (an emoji family of seven code points, two
    # columns, was cut after its second: a man, a joiner, a woman and a joiner left)
    try:
        from rich.cells import split_graphemes  # (rich 14.1 and later)
    except ImportError:  # pragma: no cover - an older rich: by code point, as before
        spans = [(i, i + 1, cell_len(ch)) for i, ch in enumerate(text)]
    else:
        spans = split_graphemes(text)[0]
    end = used = 0
    for _start, stop, w in spans:
        if used + w > width - 1:
            break
        end, used = stop, used + w
    kept = text[:end]
    flags = len(kept) - len(kept.rstrip(_REGIONAL))
    if flags % 2:  # (a flag is two regional indicators: half of one is none)
        kept = kept[:-1]
    return kept.rstrip() + mark  # (王芳 Wang cut after its space: 王芳 …)


# The regional indicators, two of which make a flag (🇨🇳).
_REGIONAL = "".join(map(chr, range(0x1F1E6, 0x1F200)))


def ellipsis() -> str:
    """What stands for text left out: "…", or ".." where --ascii draws the lines."""
    return ".." if _STYLE["ascii"] else "…"


# Marks of ambiguous East Asian width (two columns on the CJK terminals --ascii is for,
# one to Rich) and what --ascii draws for them: a history's 已登记 → 已分派 moved the
# table's right border by a column.
_ASCII_MARKS = str.maketrans({"→": "->", "←": "<-", "–": "-", "—": "-", "…": "~",
                              "·": ".", "×": "x", "“": '"', "”": '"', "‘": "'", "’": "'"})


def ascii_marks_of(text: str) -> str:
    """`text` with _ASCII_MARKS drawn in ASCII."""
    return text.translate(_ASCII_MARKS)


def ascii_marks(renderable: Any) -> Any:
    """A table, text or group of them with _ASCII_MARKS drawn in ASCII, before Rich lays
    it out (so that it measures what is drawn): the cells, titles and headers."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Span, Text

    if isinstance(renderable, str):
        return ascii_marks_of(renderable)
    if isinstance(renderable, Wrapped):
        return Wrapped(ascii_marks_of(renderable.text), renderable.items)
    if isinstance(renderable, Text):
        plain = renderable.plain
        if plain == ascii_marks_of(plain):
            return renderable
        out = renderable.blank_copy()
        for part in renderable.divide(i + d for i, ch in enumerate(plain)
                                      if ch != ascii_marks_of(ch) for d in (0, 1)):
            if len(part.plain) == 1 and part.plain != ascii_marks_of(part.plain):
                mark = ascii_marks_of(part.plain)
                part = Text(mark, style=part.style, spans=[
                    Span(0, len(mark), span.style) for span in part.spans])
            out.append_text(part)
        return out
    if isinstance(renderable, Table):
        renderable.title = ascii_marks(renderable.title) if renderable.title else None
        for column in renderable.columns:
            column.header = ascii_marks(column.header)
            column._cells = [ascii_marks(cell) for cell in column._cells]
        return renderable
    if isinstance(renderable, Group):
        return Group(*(ascii_marks(r) for r in renderable.renderables))
    return renderable


def ascii_only() -> bool:
    """Whether --ascii asked for table lines (and marks) in ASCII."""
    return bool(_STYLE["ascii"])


def none() -> str:
    """What stands for no value in a cell: "—", or "-" where --ascii draws the lines (an
    em dash is as ambiguous in width as the box lines)."""
    return "-" if _STYLE["ascii"] else "—"


def _box() -> Box:
    from rich import box

    return box.ASCII if _STYLE["ascii"] else box.SIMPLE_HEAD


def _widths(cols: Sequence[Col], cells: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width on a terminal: its title's or its widest cell's."""
    from rich.cells import cell_len

    return [max([cell_len(c.title()), *(cell_len(line[i]) for line in cells)])
            for i, c in enumerate(cols)]


_DAY_WIDTH = len("2026-11-12")
# The width below which a text column of a table is too narrow to read (see rich_table).
_TEXT_LEAST = 10
# The width below which a text column is not read at all (four Chinese characters): a
# table that cannot give its text columns that much is stacked (rich_table).
_TEXT_NARROWEST = 8


def rich_table(rows: Iterable[dict[str, Any]], cols: Sequence[Col], tz: tzinfo,
               title: str | None = None, styles: dict[str, str] | None = None,
               caption: str | None = None, width: int | None = None) -> Table:
    """A table whose text columns wrap (Wrapped). `width`, the terminal's: when the
    columns that do not wrap leave the text columns too little of it, each time goes
    onto two lines, its day over its hour, so that the text beside it keeps its room
    (at 60 columns a stage's name and state were one character wide, 阶/段)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    rows = list(rows)
    cells = [[c.cell(row, tz) for c in cols] for row in rows]
    # narrow: the columns that do not wrap (times, days, numbers, ids) leave the text
    # columns less than they need, each its width up to _TEXT_LEAST
    widths = _widths(cols, cells)
    fixed = [c.kind in ("time", "day", "num", "code") for c in cols]
    narrow = width is not None and width - len(cols) - 1 - sum(
        w for w, f in zip(widths, fixed, strict=True) if f) < sum(
        min(w, _TEXT_LEAST) for w, f in zip(widths, fixed, strict=True) if not f)
    # as wide as its title where the terminal has room: a narrow table wrapped its title
    # (the calendar's ……（另每周日休息 / ）)
    table = Table(title=Text(title) if title else None, box=_box(),
                  title_justify="left", show_lines=False, pad_edge=False,
                  padding=(0, 0), caption=Text(caption) if caption else None,
                  caption_justify="left",
                  min_width=min(cell_len(title), width or cell_len(title)) if title else None)
    # a text column is never narrower than the longest run it must not break (an
    # amount, a MIME type, an id: ¥15,000.0 | 0 read as another number), up to _RUN_MOST
    runs = [min(_RUN_MOST, max((cell_len(a) for line in cells for a in _ATOM.findall(line[i])
                                if not a.isspace()), default=0))
            for i in range(len(cols))]
    wraps = [c.kind not in ("day", "num", "code") for c in cols]
    least = _least_widths(cols, cells, widths, runs, wraps, narrow)
    if width is not None and sum(least) + len(cols) + 1 > width:
        # not even that fits: rich cut the columns that do not wrap (P90 0.93 read 0.9,
        # ¥1,500.00 ¥1,5) and folded the rest a character a line (确/认/缺/陷)
        return _stacked(rows, cols, cells, wraps, title, caption, styles, width)
    fit = _fit_widths(cols, cells, widths, runs, wraps, narrow, width, least)
    for i, c in enumerate(cols):
        table.add_column(Text(c.title()), overflow="fold",
                         justify="right" if c.kind == "num" else "left",
                         no_wrap=c.kind in ("day", "num", "code") or
                         c.kind == "time" and not narrow,
                         width=None if fit is None else fit[i],
                         min_width=cell_len(c.title()) if c.kind in ("code", "num") else
                         _DAY_WIDTH if narrow and c.kind == "time" else runs[i] or None,
                         max_width=_DAY_WIDTH if narrow and c.kind == "time" else None)
    for row, line in zip(rows, cells, strict=True):
        style = (styles or {}).get(row.get("_style", ""), "")
        table.add_row(*(Wrapped(text) if wrap else Text(text)
                        for text, wrap in zip(line, wraps, strict=True)), style=style)
    return table


def _least_widths(cols: Sequence[Col], cells: Sequence[Sequence[str]], widths: list[int],
                  runs: list[int], wraps: list[bool], narrow: bool) -> list[int]:
    """The least width each column of rich_table is readable at: a column that does not
    wrap (a number, a day, an id) its whole width, a time its day's when `narrow`, a text
    column its longest unbreakable run and _TEXT_NARROWEST, or its widest value when
    that is less, and half its title's longest word (a title folds: depart | ment, 责任 |
    部门, where stacking the table made ten rows of a report a hundred lines)."""
    from rich.cells import cell_len

    def title(c: Col) -> int:
        return max(2, -(-max(map(cell_len, c.title().split() or [""])) // 2))

    return [max(title(c), runs[i], min(max((cell_len(line[i]) for line in cells), default=0),
                                       _TEXT_NARROWEST))
            if wrap and c.kind != "time" else _DAY_WIDTH if narrow and c.kind == "time"
            else widths[i] for i, (c, wrap) in enumerate(zip(cols, wraps, strict=True))]


def _stacked(rows: Sequence[dict[str, Any]], cols: Sequence[Col],
             cells: Sequence[Sequence[str]], wraps: Sequence[bool], title: str | None,
             caption: str | None, styles: dict[str, str] | None,
             width: int | None = None) -> Table:
    """rich_table's rows one under another, each column's title beside its value, for a
    terminal too narrow for the table's columns side by side: every figure whole. Where
    `width` (the terminal's) cannot hold a title beside a value that never wraps (an id,
    a count), each title is over its value (CC-2025-000 | 8 at 20 columns)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, box=None, show_header=False,
                  title_justify="left", pad_edge=False, padding=(0, 1, 0, 0),
                  caption=Text(caption) if caption else None, caption_justify="left")
    over = width is not None and max((cell_len(c.title()) for c in cols), default=0) + 1 + max(
        (cell_len(line[i]) for line in cells for i, wrap in enumerate(wraps) if not wrap),
        default=0) > width
    if not over:
        table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for n, (row, line) in enumerate(zip(rows, cells, strict=True)):
        if n:
            table.add_row(*("",) * (1 if over else 2))
        style = (styles or {}).get(row.get("_style", ""), "")
        for c, text, wrap in zip(cols, line, wraps, strict=True):
            value = Wrapped(text) if wrap else Text(text)
            if over:
                table.add_row(Text(c.title(), style="bold"), style=style)
                table.add_row(value, style=style)
            else:
                table.add_row(Text(c.title()), value, style=style)
    table.add_row(*("",) * (1 if over else 2))  # (a blank line before what follows)
    return table


def _fit_widths(cols: Sequence[Col], cells: Sequence[Sequence[str]], widths: list[int],
                runs: list[int], wraps: list[bool], narrow: bool, width: int | None,
                floor: list[int]) -> list[int] | None:
    """Each column's width in rich_table when the least its text columns ask (the
    longest unbreakable run, the widest ；-item, the title) and the columns that never
    wrap leave more than `width`: the widest text column narrowed first, down to the
    least it asks, then below it down to `floor` (_least_widths; rich_table stacks the
    rows of a table that does not fit even so). Rich's own
    widths of a table too wide for the terminal can still be too wide, and it crops the
    table: at 70 columns an attachment's note 客户现场拍摄 lost its 场, with nothing to say
    so. None: the table fits whole (or no width is known)."""
    if width is None:
        return None
    from rich.cells import cell_len

    text = [i for i, (c, wrap) in enumerate(zip(cols, wraps, strict=True))
            if wrap and c.kind != "time"]
    # a short text (a person's or a step's name, 倉管黃小玲, 新增纠正预防措施) is asked
    # whole, up to _RUN_MOST: taken one character at a time it was narrowed to four
    # cells, the name on three lines, while the long text beside it kept its width
    asked = {i: max(floor[i], cell_len(cols[i].title()), runs[i], max((
                        cell_len(p) for line in cells
                                            for part in line[i].split("\n")
                                            for p in _atoms(part) if not p.isspace()),
                                           default=0),
                    min(_RUN_MOST, widths[i]) if cols[i].kind == "text" else 0)
             for i in text}
    out = [_DAY_WIDTH if narrow and c.kind == "time" else w
           for c, w in zip(cols, widths, strict=True)]
    room = width - len(cols) - 1 - sum(w for i, w in enumerate(out) if i not in asked)
    if sum(out[i] for i in text) <= room:
        return None
    for i in text:
        out[i] = max(out[i], asked[i])
    while sum(out[i] for i in text) > room:  # the widest narrowed first, as rich does
        over = [i for i in text if out[i] > asked[i]] or [i for i in text if out[i] > floor[i]]
        if not over:
            return None  # (rich_table stacks a table that does not fit its floor)
        out[max(over, key=lambda j: out[j])] -= 1
    return out


# The widest unbreakable run a text column keeps whole (rich_table).
_RUN_MOST = 16


def kv_table(pairs: Sequence[tuple[str, str]], title: str | None = None,
             width: int | None = None, items: bool = False) -> Table:
    """Field/value pairs as a table; `items`: a value set as a list breaks between its
    items (Wrapped)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, box=_box(), show_header=False,
                  title_justify="left")
    # a long name wraps rather than take the values' room (English's "refunds, discounts,
    # compensation" left them 22 columns at 60, a line of 0 and one of 1 at 80), where
    # the terminal is narrow for it: a third of it, at least _KV_NAME_MOST
    table.add_column("field", style="bold",
                     max_width=None if width is None else max(_KV_NAME_MOST, width // 3))
    table.add_column("value", overflow="fold")
    for k, v in pairs:  # (a name's gloss whole: D3 临时对策（应急措 | 施）)
        table.add_row(Wrapped(k, terms=True), Wrapped(v, items))
    return table


# The least a kv_table's names keep before they wrap, on a narrow terminal.
_KV_NAME_MOST = 20


# --- wrapping Chinese text in a column ----------------------------------------------

# Rich breaks a line at spaces only: a Chinese sentence (no spaces) was folded anywhere,
# inside an amount or an id (¥1,250. | 50; RMA-202 | 6-0001), a line starting with ；.
# Wrapped breaks as Chinese is set: between two Chinese characters, at spaces, never
# inside a run of other letters, digits and signs, never before a closing mark nor
# after an opening one.
# (an escalation level joined to its count or role by a no-break space is one piece with
# it, L1 3 or L1 部门经理, 一级 3, which a line broke between: kept_levels; not any text's)
_ATOM = re.compile(r"[(\[]?(?:L[0-9]|[一二三四五六七八九]级)\xa0[^\s、，；,;）)]+|"
                   r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+|.", re.S)
_CLOSING = frozenset("，。、；：！？）」』】》〉”’…%,.;:!?)]}")
# and what joins the piece after it: an opening mark, and the colon between a field's
# name and its value (金额：¥500.00 stays together)
_OPENING = frozenset("（「『【《〈“‘([{：")
# A day and the time after it (2026-12-05 19:00) are one piece: read split over two lines
# as a day and a time of something else
_DAY_END = re.compile(r"\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]")
# a count, or a code (the 8D's D4): with the word after it (1555 件, D4 根本原因)
_COUNT = re.compile(r"[（(]?(?:第 ?)?[0-9][0-9,]*|[A-Z]{1,2}[0-9]{1,2}")
# The longest field name (with its ：) kept as one piece: four characters, 投诉内容.
_NAME_MOST = 5


# The longest run of Chinese kept whole by _terms: a word or a short term (解释说明).
_TERM_MOST = 4
# and the longest gloss in brackets after a code (open（未结案）, actions（纠正预防措施）)
_GLOSS_MOST = 8


def _gloss(atoms: list[str], i: int) -> int:
    """The end (exclusive) of a gloss that starts at atoms[i]: a bracket opened on a
    Chinese character, at most _GLOSS_MOST of them, closed by the last; `i` if none."""
    if not (atoms[i][:1] in ("（", "(") and _CJK.match(atoms[i][1:2]) and len(atoms[i]) == 2):
        return i
    for j in range(i + 1, min(len(atoms), i + _GLOSS_MOST)):
        atom = atoms[j]
        if not _CJK.match(atom):
            return i
        if atom[1:] in ("）", ")"):
            return j + 1
        if atom[1:]:  # another mark first (未结、案): not a gloss
            return i
    return i


def _terms(atoms: list[str]) -> list[str]:
    """`atoms` with each run of at most _TERM_MOST Chinese characters that stands between
    other text made one piece, and one after a code and a space joined to it: the words
    of a list, `explanation 解释说明、other 其他`, help read 解释说 | 明 and visit | 来访
    (a sentence's longer run still breaks between any two characters)."""
    def single(atom: str) -> bool:  # one Chinese character, with the marks closing it
        return bool(_CJK.match(atom)) and (len(atom) == 1 or atom[1] in _CLOSING)

    out: list[str] = []
    i = 0
    while i < len(atoms):
        j = _gloss(atoms, i)
        if j > i:  # one piece, with the code it glosses when nothing parts them
            term = "".join(atoms[i:j])
            if out and out[-1][-1:].isalnum() and not _CJK.search(out[-1][-1]):
                out[-1] += term
            else:
                out.append(term)
            i = j
            continue
        while j < len(atoms) and single(atoms[j]):
            j += 1
            if atoms[j - 1][1:]:  # a closing mark ends the run
                break
        if j == i or j - i > _TERM_MOST or i and _CJK.search(atoms[i - 1][-1]) \
                or j < len(atoms) and _CJK.match(atoms[j]):
            out.append(atoms[i])
            i += 1
            continue
        term = "".join(atoms[i:j])
        if len(out) > 1 and out[-1] == " " and not _CJK.search(out[-2]) and out[-2][-1:].isalnum():
            del out[-1]
            out[-1] += " " + term  # (visit 来访、)
        else:
            out.append(term)
        i = j
    return out


def _atoms(paragraph: str, grouped: bool = True) -> list[str]:
    """The paragraph in the pieces a line may break between (spaces their own). The
    items of a list set with ；(渠道：电话；订单号：SO-2611-0042；) are one piece each
    (unless not `grouped`): moved whole to the next line when it has not the room
    (渠道：电 | 话 read badly), and broken at their joins only when wider than a line
    (wrap_lines)."""
    out: list[str] = []
    glue = False  # the last piece ended with an opening mark or ：: the next joins it
    for piece in _ATOM.findall(paragraph):
        if out and not piece.isspace() and not out[-1].isspace() and (
                glue or piece[0] in _CLOSING):
            out[-1] += piece
            if piece == "：" and len(out[-1]) == 2 and _CJK.match(out[-1]):  # a field's
                # name before it is one piece (投诉内 | 容：…): a short one that starts the
                # text or an item (not a clause's end in prose, 第 3 批次的产品：)
                k = 1
                while k < len(out) and k + 1 < _NAME_MOST and len(out[-1 - k]) == 1 \
                        and _CJK.match(out[-1 - k]):
                    k += 1
                if k > 1 and (k == len(out) or out[-1 - k].isspace()
                              or out[-1 - k][-1] in "；，。"):
                    out[-k:] = ["".join(out[-k:])]
        elif out and _CJK.match(piece) and len(piece) == 1 and out[-1][-1:].isdigit() \
                and not out[-1].isspace():  # a number and the measure word written right
            out[-1] += piece  # against it: 照片12 | 张, 抽检50 | 台 read as lines ending on
            # a number (it ends a piece: 12张 moves whole)
        else:
            out.append(piece)
        glue = piece[-1] in _OPENING
        if len(out) > 2 and out[-2] == " " and out[-3].endswith("第") and out[-1].isdigit():
            out[-3:] = ["".join(out[-3:])]  # an ordinal: 重新处理（第 | 2 轮）
        if len(out) > 2 and out[-2] == " " and out[-3][-1:].isdigit() and (
                _CLOCK.match(out[-1]) and _DAY_END.search(out[-3])
                or _CJK.match(out[-1]) and _COUNT.fullmatch(out[-3])):  # (and a count
            out[-3:] = ["".join(out[-3:])]  # keeps its unit: 1555 | 件 read as a line
            # ending on a number; not a model's number, XD-200 电 | 机)
    if "；" not in paragraph or not grouped:
        return out
    items: list[str] = []
    open_item = False  # the last of items is an item not yet ended by ；
    for piece in out:
        if open_item and not piece.isspace():
            items[-1] += piece
        else:
            items.append(piece)
        open_item = not piece.isspace() and not piece.endswith("；")
    return items


def wrap_lines(text: str, width: int, terms: bool = False, items: bool = False,
               grouped: bool = True) -> list[str]:
    """`text` in lines of at most `width` display columns (a CJK character is two),
    broken as Wrapped says; a piece wider than a line is broken at its joins first (the
    value of 金额：¥1,250.50 on the next line), and only then cut where it must be.
    `terms`: a short run of Chinese between other text is one piece (_terms). `items`:
    a paragraph set as a list with ， or ； breaks between its items only (_ITEMS).
    `grouped` False: the items set with ； are not kept whole (_atoms; help's prose, where
    a long one moved whole left a line half empty)."""
    from rich.cells import cell_len, chop_cells

    width = max(width, 2)
    lines: list[str] = []
    line, used = "", 0

    def place(piece: str) -> None:
        nonlocal line, used
        if piece.isspace():  # between pieces; none at a line's start (2026-11-28 | 21:51
            if line:  # when a day and its time are broken apart); one at its end goes
                line, used = line + " ", used + 1
            return
        size = cell_len(piece)
        if used + size <= width:
            line, used = line + piece, used + size
            return
        head, colon, tail = piece.partition("：")
        if size > width and colon and tail and cell_len(head) <= _RUN_MOST \
                and "；" not in head:  # a field's name kept whole (投诉内 | 容：…), its
            place(head + colon)  # value begun beside it where it has the room; a
            if cell_len(tail) <= _RUN_MOST:  # short one whole (渠道：电 | 话 read badly)
                place(tail)
            else:
                for part in _atoms(tail, grouped=False):
                    place(part)
            return
        if size > width:  # never fits a line: its joins undone (a closing mark kept)
            parts: list[str] = []
            for part in _ATOM.findall(piece):  # (an opening mark kept with what follows
                # it: a line ended 联系方式：（, the next began 已脱敏保存）)
                if parts and (part[0] in _CLOSING or parts[-1][-1] in "（「『【《〈“‘([{"):
                    parts[-1] += part
                else:
                    parts.append(part)
            if len(parts) > 1:
                for part in parts:
                    place(part)
                return
        if line.strip():
            lines.append(line.rstrip())
        line, used = "", 0
        if size <= width:
            line, used = piece, size
            return
        *whole, rest = chop_cells(piece, width)  # one piece wider than a line: cut
        lines.extend(whole)
        line, used = rest, cell_len(rest)

    for paragraph in text.split("\n"):
        body = paragraph.lstrip()
        indent = paragraph[:len(paragraph) - len(body)]
        if body and cell_len(indent) < width // 2:  # a paragraph's indent (　　 in Chinese)
            line, used = indent, cell_len(indent)
        for piece in (_items(body, width) if items and _ITEMS_SET.search(body)
                      else _terms(_atoms(body, grouped)) if terms else _atoms(body, grouped)):
            place(piece)
        lines.append(line.rstrip())
        line, used = "", 0
    return lines


# The items of a list set with ， or ； (a report's summary: 受理 1834，处理 1785，结案
# 1766，作废 36), each whole on a line where it fits, and what a ： leads them with (its
# period): broken anywhere, the line read 作 | 废 36, 收货 | 332 件, 处理 37 | （+29.7%）.
# An item wider than the line is broken as any text is (_atoms: a count with its unit, 折让
# 27 | 次共 read badly), and so at its 、 first (赔偿 30 次共 ¥73,619.92、…).
_ITEMS = re.compile(r"[^，；：、]*[，；：、]\s*|[^，；：、]+")
_ITEMS_SET = re.compile(r"[，；]")


def _items(body: str, width: int) -> list[str]:
    """The pieces of a paragraph set as a list (wrap_lines's `items`)."""
    from rich.cells import cell_len

    out: list[str] = []
    for item in _ITEMS.findall(body):
        out += [item] if cell_len(item) <= width else _atoms(item, grouped=False)
    return out


class Wrapped:
    """A table cell's text, wrapped to its column by wrap_lines (see _ATOM); `items` and
    `terms`, as wrap_lines takes them."""

    def __init__(self, text: str, items: bool = False, terms: bool = False):
        self.text = text
        self.items = items
        self.terms = terms

    def __rich_measure__(self, console: Console, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.measure import Measurement

        pieces = [cell_len(p) for line in self.text.split("\n")
                  for p in (_terms(_atoms(line)) if self.terms else _atoms(line))
                  if not p.isspace()]
        widest = max((cell_len(line) for line in self.text.split("\n")), default=0)
        return Measurement(min(max(pieces, default=0), widest), widest).clamp(
            max_width=options.max_width)

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.text import Text

        yield Text("\n".join(wrap_lines(self.text, options.max_width, terms=self.terms,
                                        items=self.items)), overflow="fold")



def fitted_table(rows: Sequence[dict[str, Any]], cols: Sequence[Col], tz: tzinfo, width: int,
                 title: str | None = None, *, shrink: dict[str, int],
                 drop: Sequence[str] = (), styles: dict[str, str] | None = None,
                 then_drop: Sequence[str] = (), comfort: dict[str, int] | None = None
                 ) -> Table:
    """A table of one line per row in `width` columns. Columns in `shrink` (key: the
    narrowest it may get) give up width, the widest first, and cut their text with
    "…" by display width (a CJK character is two columns); the others keep their
    width. When even the narrowest widths do not fit, the columns in `drop` go, in
    that order, then those in `then_drop`, then the shrinking columns, the last first:
    the other columns (an id, how late) are never cut (at 60 columns they were:
    CC-2026-0…, "11…"); and rows that do not fit even so are stacked.
    `comfort` (key: a width): the columns in `drop` go first rather than cut these
    below it (a Chinese overdue table at 80 columns kept the due time and cut every
    customer to 广州白云…, where the English one, its headers wider, gave it up)."""
    from rich.table import Table
    from rich.text import Text

    every = list(cols)
    cols = list(cols)
    cells = [[c.cell(r, tz) for c in cols] for r in rows]
    if _STYLE["ascii"]:  # measured as they are drawn
        cells = [[ascii_marks_of(v) for v in line] for line in cells]
    whole = [list(line) for line in cells]  # (the stacked table's: every column)
    while True:
        widths = _widths(cols, cells)
        mins = [min(w, shrink.get(c.key, w)) for c, w in zip(cols, widths, strict=True)]
        budget = width - len(cols) - 1  # a space between columns and at each edge
        keys = [c.key for c in cols]
        # the widths the names keep (their comfort, or less when they are narrower): a
        # column in `drop` goes rather than cut them below; kept where they fit (the sum
        # alone let the widest give way below it, a name cut while the due time stayed)
        kept = [max(m, min(w, comfort[c.key])) if comfort and c.key in comfort else m
                for c, w, m in zip(cols, widths, mins, strict=True)]
        crowded = bool(comfort) and any(k in keys for k in drop) and sum(kept) > budget
        if comfort and sum(kept) <= budget:
            mins = kept
        # (a name is never narrowed below its least: the columns that may go before it go
        # first, then the names, the last first; at 60 columns the customer read 苏…
        # under cu… beside the category and the day received kept whole)
        gone = next((k for k in (*drop, *then_drop, *reversed(list(shrink))) if k in keys),
                    None)
        if sum(mins) <= budget and not crowded or gone is None:
            break
        i = keys.index(gone)
        del cols[i]
        for line in cells:
            del line[i]
    if sum(mins) > budget:
        # nothing left to give up and still too wide: rich cut the id and how late
        # (CC-2025-00…, 240…) at 40 columns; row under row, every value whole, and
        # every column (there is room for those given up)
        return _stacked(rows, every, whole, [c.kind not in ("day", "num", "code")
                                             for c in every], title, None, styles, width)
    excess = sum(widths) - budget
    while excess > 0:
        wide = [i for i, c in enumerate(cols) if c.key in shrink and widths[i] > mins[i]]
        if not wide:
            break
        i = max(wide, key=lambda j: (widths[j] - mins[j], widths[j]))
        widths[i] -= 1
        excess -= 1
    table = Table(title=Text(title) if title else None, box=_box(), title_justify="left",
                  pad_edge=False, padding=(0, 0))
    # "…" is as ambiguous in width as the box lines --ascii avoids: "~" there
    mark = "~" if _STYLE["ascii"] else "…"
    cut = [[_cut(v, w, mark) for v, w in zip(line, widths, strict=True)] for line in cells]
    for c, w in zip(cols, widths, strict=True):
        table.add_column(Text(_cut(c.title(), w, mark)), width=w, no_wrap=True,
                         overflow="crop" if _STYLE["ascii"] else "ellipsis",
                         justify="right" if c.kind == "num" else "left")
    for r, line in zip(rows, cut, strict=True):
        table.add_row(*(Text(v) for v in line), style=(styles or {}).get(r.get("_style", ""), ""))
    # what fitting it gave up, for a reader who does not see the terminal (a file, a
    # cron job's mail: the costs of `return list` went without a word)
    shortened = [i for i in range(len(cols)) if any(
        line[i] != short[i] for line, short in zip(cells, cut, strict=True))]
    table.fitted = Fitted(  # type: ignore[attr-defined]
        width, [c.title() for c in every if c not in cols], [cols[i].title() for i in shortened])
    return table


class Fitted(NamedTuple):
    """What fitted_table gave up to fit `width` columns: the columns left out, and those
    whose text it cut (their titles)."""
    width: int
    left_out: list[str]
    cut: list[str]


# --- the shapes of each listing ---------------------------------------------

LIST_COLS = (Col("id", N_("id"), "code"), Col("received_at", N_("received"), "day"),
             Col("status", N_("status"), "code", "status"),
             Col("severity", N_("severity"), "code", "severity"),
             Col("category", N_("category"), word="category"),
             Col("customer", N_("customer"), "wrap"),
             Col("product", N_("product"), "wrap"), Col("owner", N_("owner")))

# A terminal is narrow: one line per complaint, the names cut with "…" (show has them
# whole), the owner given up before anything else at 80 columns if it must.
LIST_SHRINK = {"customer": 10, "product": 8, "owner": 6}


def list_table(rows: Sequence[dict[str, Any]], tz: tzinfo, width: int, title: str) -> Table:
    return fitted_table(rows, LIST_COLS, tz, width, title, shrink=LIST_SHRINK, drop=("owner",),
                        then_drop=("category", "received_at"))


LIST_CSV_COLS = (Col("id", N_("id")), Col("source_key", N_("register id")),
                 Col("received_at", N_("received"), "time"),
                 Col("status", N_("status"), word="status"),
                 Col("severity", N_("severity"), word="severity"),
                 Col("category", N_("category"), word="category"),
                 Col("channel", N_("channel"), word="channel"),
                 Col("customer", N_("customer")),
                 Col("contact", N_("contact")), Col("product", N_("product")),
                 Col("quantity", N_("quantity"), "num"),
                 Col("department", N_("department")),
                 Col("owner", N_("owner")), Col("reopen_count", N_("reopened"), "num"),
                 Col("repeat_of", N_("repeat of")), Col("description", N_("description")),
                 Col("last_contact_at", N_("last contact"), "time"))

OVERDUE_COLS = (Col("id", N_("id"), "code"), Col("kind", N_("kind"), "code", "record_kind"),
                Col("stage", N_("stage"), "code", "stage"),
                Col("severity", N_("severity"), "code", "severity"),
                Col("department", N_("dept")), Col("owner", N_("owner")),
                Col("customer", N_("customer"), "wrap"), Col("due_at", N_("due"), "time"),
                Col("late_hours", N_("late h"), "num"),
                Col("late_working_days", N_("late wd"), "num"),
                Col("escalation_level", N_("level"), "num"),
                Col("escalate_to", N_("escalate to"), word="role"),
                # after the columns it always had: a return's complaint, a stage's round
                Col("complaint_id", N_("complaint"), "code"), Col("round", N_("round"), "num"),
                Col("product", N_("product")))
# markdown is read by a person: the stage in words with its round (csv keeps the code;
# JSON has the round apart)
OVERDUE_MARKDOWN_COLS = tuple(Col("stage_shown", N_("stage")) if c.key == "stage" else c
                              for c in OVERDUE_COLS)


def stage_label(stage: str, round_: int) -> str:
    """A stage's name, a resolve after the first round named as the reopen deadline it
    is due by (重新处理, as `policy show` names it)."""
    if stage == "resolve" and round_ > 1:
        return C_("stage after a reopening", "resolve")
    return label("stage", stage)


def stage_shown(row: dict[str, Any]) -> str:
    """A late stage in words, with its round after the first: 处理（第 2 轮）, resolve #2."""
    stage = stage_label(row["stage"], row.get("round", 1))
    return stage if row.get("round", 1) == 1 else _("{stage} #{n}").format(
        stage=stage, n=row["round"])

# A terminal is narrow: one line per stage late, what a supervisor acts on. Whom a
# level escalates to is the same on every row of that level, so the table shows the
# level and says once, under it, whom each level goes to; the due time only where
# there is room (the late column says how late).
OVERDUE_TABLE_COLS = (Col("id", N_("id"), "code"), Col("stage", N_("stage")),
                      # (a short header, as FMEA's 严重度: 严重程度 took 8 columns of
                      # 60 for values of one character, the names cut to one)
                      Col("severity", NC_("overdue: a short header", "severity"),
                          word="severity"),
                      Col("customer", N_("customer")),
                      Col("who", NC_("overdue: the owner and department", "owner")),
                      Col("due_at", N_("due"), "time"), Col("late", N_("late"), "num"),
                      Col("level", N_("level")))
OVERDUE_SHRINK = {"customer": 10, "who": 8}
# The names are worth more than the due time (the late column says how late): it goes
# before they are cut below these.
OVERDUE_COMFORT = {"customer": 16, "who": 12}


_ZH_UNITS = {"h": "小时", "d": "天", "wd": "个工作日"}


def duration(text: str) -> str:
    """A policy's duration as stored (4h, 90d, 3wd) as the reader reads it: in Chinese
    4小时, 90天, 3工作日 (the units `policy set` takes too); in English as typed."""
    from complaintctl.deadlines import read_duration

    found = read_duration(text) if i18n.lang() == "zh" else None
    return text if found is None else f"{found.amount}{_ZH_UNITS[found.unit]}"


def overdue_table_row(row: dict[str, Any]) -> dict[str, Any]:
    """Late as working days (or hours under one), the level as L1..L9, the owner and
    department in one column (the owner first: a narrow column keeps the name)."""
    hours = row["late_hours"]
    late = (_("{n} wd").format(n=row["late_working_days"]) if row["late_working_days"]
            else _("{n} h").format(n=f"{hours:.1f}" if hours >= 0.1 else "<0.1"))
    level = row["escalation_level"]
    return {**row, "late": late, "_style": str(level), "stage": stage_shown(row),
            # (none yet: its assign stage is late; a blank read as a cell lost)
            "who": " ".join(x for x in (row["owner"], row["department"]) if x) or "-",
            "level": level_said(level) if level else "-"}  # late, not yet escalated


# The levels of escalation as a Chinese reader says them (一级 … 九级): L1 … L9 otherwise.
_ZH_LEVELS = "一二三四五六七八九"


def level_said(level: int) -> str:
    """An escalation level as the reader says it: L3, or 三级 in Chinese (a code L3 read
    as English in a Chinese table)."""
    if i18n.lang() == "zh" and 1 <= level <= len(_ZH_LEVELS):
        return f"{_ZH_LEVELS[level - 1]}级"
    return f"L{level}"


def escalation_legend(rows: Sequence[dict[str, Any]]) -> str:
    """Whom each level shown escalates to: "L3 general manager; L2 branch head"; empty
    when no row is escalated."""
    roles = {r["escalation_level"]: r["escalate_to"] for r in rows if r["escalation_level"]}
    if not roles:
        return ""
    return _("Escalate to: {roles}").format(roles=(
        "、" if i18n.lang() == "zh" else "; ").join(
        f"{level_said(lvl)} {label('role', roles[lvl])}" for lvl in sorted(roles,
                                                                           reverse=True)))


def overdue_table(rows: Sequence[dict[str, Any]], tz: tzinfo, width: int, title: str,
                  every: Sequence[dict[str, Any]] | None = None
                  ) -> tuple[RenderableType, ...]:
    """The title line and the table of `rows`, its legend naming whom every level of
    `every` (the whole listing the title counts, when the table is cut) escalates to.
    The title is a line of its own, wrapped at the terminal's width: as the table's, it
    was wrapped at the table's, and a title naming its filters broke in the middle of
    its count."""

    table = fitted_table([overdue_table_row(r) for r in rows], OVERDUE_TABLE_COLS, tz, width,
                         None, shrink=OVERDUE_SHRINK, drop=("due_at",),
                         then_drop=("severity",), styles=ESCALATION_STYLES,
                         comfort=OVERDUE_COMFORT)
    legend = escalation_legend(rows if every is None else every)
    # the legend a line of its own under the table, wrapped at the terminal's width (as
    # the table's caption, rich wrapped it again at the table's, L1 | 部门经理)
    return (kept_levels(title, width), table,
            *((kept_levels(legend, width),) if legend else ()))


_LEVEL_SPACE = re.compile(r"(?<![A-Za-z0-9])(L[0-9]|[一二三四五六七八九]级) ")  # (level_said)


def kept_levels(text: str, width: int) -> Any:
    """`text` wrapped at `width` with each escalation level kept with what follows it
    (its count, L1 3; its role, L1 部门经理): a line ended （L3 143、L2 1、L1 and the next
    began 3）."""
    from rich.text import Text

    lines = wrap_lines(_LEVEL_SPACE.sub("\\1\xa0", text), width)
    return Text("\n".join(lines).replace("\xa0", " "))


RETURN_COLS = (Col("id", N_("id"), "code"), Col("complaint_id", N_("complaint"), "code"),
               Col("stage", N_("stage"), "code", "return_stage"),
               Col("authorised_qty", N_("auth"), "num"),
               Col("received_qty", N_("recv"), "num"),
               Col("disposed_qty", N_("disp"), "num"), Col("flag", NC_("check", "count"), "code"),
               Col("loss_shown", N_("loss"), "num"), Col("repair_shown", N_("repair"), "num"),
               Col("due_shown", N_("due"), "code"))
# What a narrow terminal gives up first: the costs, the complaint's id, the units with a
# disposition (the stage says how far that went), the count check (the deadline, the
# return's and its stage stay; a short count is flagged where it can: at 60 columns it
# went before the units disposed of did).
RETURN_DROP = ("repair_shown", "loss_shown", "complaint_id", "disposed_qty", "flag")
# and a stage's name is cut (dispositioned to dispos…) before the deadline's "late" was,
# but only once those are gone (receiv… read worse than a column less: its comfort, as
# OVERDUE_COMFORT's)
RETURN_SHRINK = {"stage": 7}
RETURN_COMFORT = {"stage": len("dispositioned")}

RETURN_CSV_COLS = (Col("id", N_("id")), Col("complaint_id", N_("complaint")),
                   Col("stage", N_("stage"), word="return_stage"),
                   Col("customer", N_("customer")), Col("product", N_("product")),
                   Col("lot", N_("lot")), Col("opened_at", N_("opened"), "time"),
                   Col("authorised_qty", N_("authorised"), "num"),
                   Col("received_qty", NC_("quantity", "received"), "num"),
                   Col("disposed_qty", N_("disposed"), "num"),
                   Col("discrepancy", N_("discrepancy")),
                   Col("result", N_("result"), word="inspection"),
                   Col("defective_qty", N_("defective"), "num"), Col("due_at", N_("due"), "time"),
                   Col("dispositions", N_("dispositions"), "counts", "return_action"),
                   Col("cost_of_loss", N_("cost of loss")),
                   Col("repair_cost", N_("repair cost")), Col("currency", N_("currency")))

# and in markdown (the mailed listing): the count check and the deadline as the table says
# them, short 1 and late (it said "yes" and the bare time: which were late, by how much
# the count was off, was lost in the mail)
RETURN_MD_COLS = tuple(Col("flag", N_("discrepancy")) if c.key == "discrepancy" else
                       Col("due_shown", N_("due")) if c.key == "due_at" else c
                       for c in RETURN_CSV_COLS)

NOTE_COLS = (Col("at", N_("at"), "time"), Col("actor", N_("by")),
             Col("kind", N_("kind"), "code", "method"),
             Col("return_id", N_("return"), "code"), Col("text", N_("note"), "wrap"))

ATTACHMENT_COLS = (Col("id", N_("att"), "num"), Col("name", N_("name"), "wrap"),
                   Col("size_shown", N_("size"), "num"), Col("type", N_("type"), "wrap"),
                   Col("sha256_short", N_("sha256"), "code"), Col("actor", N_("by")),
                   Col("at", N_("at"), "time"), Col("return_id", N_("return"), "code"),
                   Col("note", N_("note"), "wrap"))
# A file's: every value whole (the bytes, the hash an auditor compares with sha256sum).
ATTACHMENT_CSV_COLS = tuple(
    Col("size", N_("bytes"), "num") if c.key == "size_shown" else
    Col("sha256", N_("sha256"), "code") if c.key == "sha256_short" else c
    for c in ATTACHMENT_COLS)


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


def return_listing_row(row: dict[str, Any], now: str, tz: tzinfo) -> dict[str, Any]:
    """A row of `return list`'s table: return_table_row's, with its costs (none shown
    while nothing cost anything) and its deadline said late once past (the list's help
    promised the costs; a return days late looked like one on time), styled as
    overdue's most late."""
    out = return_table_row(row)
    for key, shown in (("cost_of_loss", "loss_shown"), ("repair_cost", "repair_shown")):
        value = row.get(key)
        out[shown] = i18n.money(value, row.get("currency")) \
            if value not in (None, "0.00", "0") else ""
    due = row.get("due_at")
    late = due is not None and due < now
    out["due_shown"] = "" if due is None else local_time(due, tz) + (
        " " + _("late") if late else "")
    if late:
        out["_style"] = "3"
    return out


def return_table_row(row: dict[str, Any]) -> dict[str, Any]:
    """The receipt discrepancy as a clerk says it: short 2, over 1."""
    from complaintctl.returns import difference_said

    flag = "" if not row["discrepancy"] else difference_said(
        row["received_qty"] - row["authorised_qty"])
    return {**row, "flag": flag}


ESCALATION_STYLES = {"1": "yellow", "2": "bold yellow", "3": "bold red"}


# --- a record in sections (show) ----------------------------------------------------

class Section(NamedTuple):
    """A part of a record: field/value pairs, or rows in columns (`table_cols`, if
    given, are the terminal's narrower choice). In csv each row becomes one line whose
    field is `name(row)` (default: its first column) and whose value is its other
    columns as "column: value; …"."""
    title: str
    pairs: Sequence[tuple[str, str]] = ()
    rows: Sequence[dict[str, Any]] = ()
    cols: Sequence[Col] = ()
    table_cols: Sequence[Col] | None = None
    footer: str = ""
    name: Callable[[dict[str, Any]], str] | None = None
    name_keys: Sequence[str] = ()  # csv: the columns `name` already says
    value: Callable[[dict[str, Any]], str] | None = None  # csv: the value of a row

    def csv_lines(self, tz: tzinfo) -> list[tuple[str, str]]:
        if self.pairs:
            return list(self.pairs)
        lines = []
        skip = set(self.name_keys) if self.name else {self.cols[0].key}
        for row in self.rows:
            field = self.name(row) if self.name else self.cols[0].cell(row, tz)
            value = self.value(row) if self.value else _("; ").join(  # (as the language
                # writes them: 阶段：已关闭；… as the history's rows, not 阶段: 已关闭; …)
                _("{field}: {value}").format(field=c.title(), value=v) for c in self.cols
                if c.key not in skip for v in [c.cell(row, tz)] if v)
            lines.append((field, value))
        return lines


def record_csv(sections: Sequence[Section], tz: tzinfo) -> str:
    """A record for Excel: three columns, section, field and value, one fact (or one
    row of a table section) per line, in the order of the screen; filter on the first
    column to see one section."""
    import csv

    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_("section"), _("field"), _("value")])
    for s in sections:
        for field, value in s.csv_lines(tz):
            writer.writerow([neutralise(s.title), neutralise(field), neutralise(value)])
        if s.footer:
            writer.writerow([neutralise(s.title), "", neutralise(s.footer)])
    return buf.getvalue()


def record_markdown(title: str, sections: Sequence[Section], tz: tzinfo) -> str:
    parts = [f"# {md_cell(title)}\n"]
    for s in sections:
        if s.pairs:
            parts.append(kv_markdown(s.pairs, s.title))
        else:
            parts.append(to_markdown(s.rows, s.cols, tz, s.title))
        if s.footer:
            parts[-1] += f"\n{md_cell(s.footer)}\n"
    return "\n".join(parts)


def record_rich(title: str, sections: Sequence[Section], tz: tzinfo,
                width: int | None = None) -> list[RenderableType]:
    from rich.text import Text

    out: list[RenderableType] = [Text(title, style="bold")]
    for s in sections:
        if s.pairs:
            out.append(kv_table(s.pairs, s.title, width))
        else:
            out.append(rich_table(s.rows, s.table_cols or s.cols, tz, s.title, width=width))
        if s.footer:
            out.append(Text(s.footer))
    return out


# --- reports ---------------------------------------------------------------------

REPORT_SECTIONS = ("summary", "by_category", "by_channel", "by_severity", "by_product",
                   "by_customer", "by_department", "pareto_category", "pareto_cause",
                   "handling", "on_time", "returns", "paid", "register", "trend")

# The header of a breakdown's first column: what it counts by.
_KEY_HEADERS = {"category": N_("category"), "channel": N_("channel"),
                "severity": N_("severity"), "cause_category": N_("cause category"),
                "product": N_("product"), "customer": N_("customer"),
                "department": N_("department")}


def _share_cols(word: str | None = None, by: str | None = None) -> tuple[Col, ...]:
    return (Col("key", _KEY_HEADERS.get(by or word or "", N_("key")), word=word),
            Col("count", N_("count"), "num"), Col("share_pct", N_("share"), "num"))


SHARE_COLS = _share_cols()
DEPT_COLS = (*_share_cols(by="department"), Col("resolved", N_("resolved"), "num"),
             Col("resolves", N_("resolves"), "num"), Col("resolves_on_time", N_("on time"), "num"),
             Col("on_time_pct", NC_("on-time", "rate"), "num"),
             Col("handling_days_mean", N_("mean days"), "num", decimals=2),
             Col("handling_days_median", N_("median"), "num", decimals=2),
             Col("handling_days_p90", N_("p90"), "num", decimals=2))


_HANDLING_DAYS = ("handling_days_mean", "handling_days_median", "handling_days_p90")


def _pareto_cols(word: str) -> tuple[Col, ...]:
    return (Col("key", _KEY_HEADERS[word], word=word), Col("count", N_("count"), "num"),
            Col("share_pct", N_("share"), "num"),
            Col("cumulative_pct", N_("cumulative"), "num"))


HANDLING_COLS = (Col("key", N_("category"), word="category"), Col("count", N_("count"), "num"),
                 Col("mean", N_("mean"), "num", decimals=2),
                 Col("median", N_("median"), "num", decimals=2),
                 Col("p90", N_("p90"), "num", decimals=2))
ON_TIME_COLS = (Col("key", N_("stage"), word="stage"), Col("done", N_("done"), "num"),
                Col("on_time", N_("on time"), "num"),
                Col("rate_pct", N_("on-time rate"), "num"))
DISPOSITION_COLS_R = (Col("key", NC_("return", "disposition"), word="return_action"),
                      Col("quantity", N_("quantity"), "num"), Col("amount", N_("amount"), "num"))
def _paid_cols(currency: str | None) -> tuple[Col, ...]:
    """The paid section's columns; in CSV the amount's names its currency."""
    return (Col("key", N_("disposition"), word="disposition"),
            Col("count", N_("resolutions"), "num"),
            Col("amount", N_("amount") if currency is None else f"{_('amount')} ({currency})",
                "num"))


REGISTER_COLS = (Col("id", N_("id"), "code"), Col("received_at", N_("received"), "day"),
                 Col("closed_at", N_("closed"), "day"), Col("customer", N_("customer"), "wrap"),
                 Col("product", N_("product"), "wrap"), Col("quantity", N_("qty"), "num"),
                 Col("disposition", N_("disposition"), word="disposition"),
                 Col("result_shown", N_("result")))
# The register on a terminal: one line per complaint. A closed complaint's result is
# its customer's satisfaction (the closed column says it is closed); dates are MM-DD
# when they all fall in one year (the title names the period); long names are cut
# with "…" (csv and markdown carry them whole).
REGISTER_TABLE_COLS = (Col("id", N_("id"), "code"), Col("received_day", N_("received")),
                       Col("closed_day", N_("closed")), Col("customer", N_("customer")),
                       Col("product", N_("product")), Col("quantity", N_("qty"), "num"),
                       Col("disposition", N_("disposition"), word="disposition"),
                       Col("result_short", N_("result")))
REGISTER_SHRINK = {"customer": 8, "product": 6, "result_short": 6}
# A report's trend (--trend N): one line per period, oldest first.
TREND_COLS = (Col("label", N_("period"), "code"), Col("from", N_("from"), "code"),
              Col("to", N_("to"), "code"), Col("received", N_("received"), "num"),
              Col("resolved", N_("resolved"), "num"), Col("closed", N_("closed"), "num"),
              Col("on_time_pct", N_("on-time rate"), "num"),
              Col("satisfaction_pct", N_("satisfaction rate"), "num"))
TREND_FIGURES = (("received", N_("received")), ("resolved", N_("resolved")),
                 ("closed", N_("closed")), ("on_time_rate", N_("on-time rate")),
                 ("satisfaction_rate", N_("satisfaction rate")), ("paid", N_("paid out")))


def _trend_cols(currency: str | None) -> tuple[Col, ...]:
    """The trend's columns; what each period's refunds, discounts and compensation paid
    out last, in CSV as a plain amount with the currency in the column's name."""
    return (*TREND_COLS, Col("paid_shown", N_("paid out") if currency is None
                             else f"{_('paid out')} ({currency})", "num"))
_SPARKS = "▁▂▃▄▅▆▇█"
_SPARKS_ASCII = "_.-:=+*#"


def sparkline(values: Sequence[float | None], ascii_only: bool = False) -> str:
    """One character per value, from the lowest bar (the smallest value, or zero for
    counts) to the highest (the largest); a gap where there is no value."""
    marks = _SPARKS_ASCII if ascii_only else _SPARKS
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(0.0, *known), max(known)
    span = (high - low) or 1.0
    return "".join(" " if v is None else marks[min(len(marks) - 1, int(
        (v - low) / span * (len(marks) - 1) + 0.5))] for v in values)


def trend_label(point: dict[str, Any], tz: tzinfo | None) -> str:
    """A trend point's period as shown: a period not over at the report's instant says
    to which day it is counted (2026-12 (to 2026-12-05)): its counts read as a collapse
    otherwise."""
    if not point.get("until") or tz is None:
        return str(point["label"])
    return _("{period} (to {day})").format(period=point["label"], day=_until_day(point, tz))


def _until_day(point: dict[str, Any], tz: tzinfo) -> str:
    """The day and minute a trend point not over is counted to, in the ledger's time zone
    (the day alone read as all of it: a report as of 21 October 00:00 counts that
    instant's steps)."""
    return from_iso(point["until"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def trend_rows(points: Sequence[dict[str, Any]], currency: str, plain: bool,
               tz: tzinfo | None = None) -> list[dict[str, Any]]:
    rate = _cell_pct if plain else pct
    return [{**p, "label": trend_label(p, tz), "on_time_pct": rate(p["on_time_rate"]),
             "satisfaction_pct": rate(p["satisfaction_rate"]),
             "paid_shown": p["paid"] if plain else i18n.money(p["paid"], currency)}
            for p in points]


def trend_table(points: Sequence[dict[str, Any]], title: str, currency: str,
                tz: tzinfo | None = None, width: int | None = None) -> Table:
    """The trend in a terminal: per figure, a sparkline of its periods, the first and
    the last period's value. In `width` columns: the periods' span goes up into the
    title where the columns do not fit beside it, and the figures are set one under
    another where they do not fit even so (Rich cut them: 17 for 175, 144,394.4 for
    144,394.44, at 60 columns)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    # the figures' names keep their width: on a narrow terminal the periods' labels
    # (2026-10-04..2026-10-17 for a range) give way, not the names (a trend of five
    # unnamed lines)
    # the amounts' currency code in the name (10,182.32 CNY twice did not fit 60
    # columns); a sign before each amount where it has one (¥10,182.32 in Chinese)
    coded = i18n.money("0.00", currency).endswith(f" {currency}")
    names = [f"{_(name)} ({currency})" if key == "paid" and coded else _(name)
             for key, name in TREND_FIGURES]
    first, last = (p["label"].split("..")[0] + ("*" if p.get("until") else "")
                   for p in (points[0], points[-1]))  # a range's label by its first day
    # (2026-10-04..2026-10-17 is 2026-10-04); one not over marked, the mark said below
    span = f"{first} {ellipsis()} {last}"
    rows: list[tuple[str, str, str, str]] = []
    for (key, _n), name in zip(TREND_FIGURES, names, strict=True):
        values = [p[key] for p in points]
        if key == "paid":  # an amount ("1250.50"): drawn as a number, shown as money
            ends = [i18n.money(v, None if coded else currency) for v in (values[0], values[-1])]
            values = [float(v) for v in values]
        else:
            shown = pct if key.endswith("_rate") else (lambda v: none() if v is None
                                                        else str(v))
            ends = [shown(values[0]), shown(values[-1])]
        rows.append((name, sparkline(values, _STYLE["ascii"]), ends[0], ends[1]))
    caption = Text(_("* {period} is counted to {day}: it is not over").format(
        period=points[-1]["label"].split("..")[0], day=_until_day(points[-1], tz))) \
        if points[-1].get("until") and tz is not None else None
    # every column whole: the names, the sparkline, the first and last values
    widths = [max(cell_len(n) for n in [*names, _("figure")]), len(points) + 1,
              *(max(cell_len(h), *(cell_len(r[i]) for r in rows))
                for i, h in ((2, first), (3, last)))]
    spread = sum(widths) + 2 * (len(widths) - 1)  # (a column's padding each side)
    if width is not None and spread + max(0, cell_len(span) - widths[1]) > width:
        title = _("{title} ({span})").format(title=title, span=span)  # the span above,
        # its column as wide as the line
        span = ""
    if width is not None and spread > width:  # one under another: each figure whole
        table = Table(title=Text(title), box=None, show_header=False, title_justify="left",
                      pad_edge=False, padding=(0, 1, 0, 0), caption=caption,
                      caption_justify="left", min_width=min(width, cell_len(title)))
        table.add_column("field", overflow="fold")  # (the title whole where it fits: it
        # was wrapped to the rows' width, its span broken)
        arrow = "->" if _STYLE["ascii"] else "→"
        for name, line, one, other in rows:  # (the first and the last value, as the
            # title's span names their periods)
            table.add_row(Text(name, style="bold"))
            table.add_row(Text.assemble("  ", (line, "cyan"), f"  {one} {arrow} {other}"))
        table.add_row("")
        return table
    table = Table(title=Text(title), box=None, title_justify="left", pad_edge=False,
                  caption=caption, caption_justify="left")
    table.add_column(Text(_("figure")), no_wrap=True, min_width=widths[0])
    table.add_column(Text(span), no_wrap=True, min_width=widths[1])
    # the first and last values keep their width too (an amount was cut to 23,350.62 C…)
    for head, least in ((first, widths[2]), (last, widths[3])):
        table.add_column(Text(head), justify="right", no_wrap=True, min_width=least)
    for name, line, one, other in rows:
        table.add_row(Text(name), Text(line, style="cyan"), one, other)
    return table


def register_table(rows: Sequence[dict[str, Any]], tz: tzinfo, width: int,
                   title: str) -> Table:
    days = [{k: cell_text(r.get(k), "day", tz) for k in ("received_at", "closed_at")}
            for r in rows]
    one_year = len({d[:4] for day in days for d in day.values() if d}) <= 1
    shown = [{**r, "received_day": d["received_at"][5:] if one_year else d["received_at"],
              "closed_day": d["closed_at"][5:] if one_year else d["closed_at"]}
             for r, d in zip(rows, days, strict=True)]
    return fitted_table(shown, REGISTER_TABLE_COLS, tz, width, title, shrink=REGISTER_SHRINK)


def register_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The register's result in words: the status, and the satisfaction of a closed
    complaint's revisit (stored as "closed (satisfied)")."""
    out = []
    for r in rows:
        status, result = r.get("status") or "", r.get("result") or ""
        satisfaction = (result[len(status) + 2:-1] if status and
                        result.startswith(status + " (") and result.endswith(")") else None)
        shown = label("status", status) if status else result
        out.append({**r, "result_shown": _("{status} ({satisfaction})").format(
            status=shown, satisfaction=label("satisfaction", satisfaction))
                    if satisfaction else shown,
                    "result_short": label("satisfaction", satisfaction) if satisfaction
                    else shown})
    return out


REPORT_TITLES = {
    "summary": N_("Summary"), "by_category": N_("By category"),
    "by_channel": N_("By channel"), "by_severity": N_("By severity"),
    "by_product": N_("By product"), "by_customer": N_("By customer"),
    "by_department": N_("By department"), "pareto_category": N_("Pareto of categories"),
    "pareto_cause": N_("Pareto of cause categories"),
    "handling": N_("Handling days by category"), "on_time": N_("On-time rate by stage"),
    "returns": N_("Returns (客退品)"),
    "paid": N_("Refunds, discounts and compensation (退款、折让与赔偿)"),
    "register": N_("Register (客户投诉处理登记表)"),
    "trend": N_("Trend")}
# The register of a month is the form's monthly one; of a week or other days, the register.
_MONTHLY_REGISTER = N_("Register (客户投诉处理月报表)")


def report_title(name: str, period: dict[str, Any] | None = None) -> str:
    """A section's title; the register's names the month's form for a month's report."""
    if name == "register" and period is not None and period.get("kind") == "month":
        return _(_MONTHLY_REGISTER)
    return _(REPORT_TITLES[name])


def pct(rate: float | None, signed: bool = False) -> str:
    """A rate as a percentage to one decimal, from its exact value (reports.Rate), half
    away from zero as a clerk (and Excel's ROUND) rounds: 1/16 is 6.3 %. `signed`: a
    change, with its + or −."""
    if rate is None:
        return none()
    exact = getattr(rate, "exact", rate) * 1000
    tenths = math.floor(abs(exact) + 0.5)
    return f"{math.copysign(tenths, exact) / 10:{'+' if signed else ''}.1f}%"


def _cell_pct(rate: float | None) -> str:
    """pct for a CSV cell: no rate is an empty cell (as no handling days are), not "—"
    (text in a column of numbers)."""
    return "" if rate is None else pct(rate)


def _days(v: float | None) -> str:
    return none() if v is None else f"{v:.2f}"


PAID = N_("refunds, discounts, compensation")


def _paid_text(paid: dict[str, Any]) -> str:
    """What the period's resolutions paid or credited: 19,250.00 CNY in 5 resolutions
    (compensation 12,000.00 CNY in 2, refund 7,250.00 CNY in 3: "refund 7,250.00 CNY × 3"
    read as three times that); and how many refunds, discounts or compensation were
    recorded without an amount (not in the total)."""
    unknown = paid.get("without_amount", 0)
    parts = [ngettext("{amount} in {count} resolution ({split})",
                      "{amount} in {count} resolutions ({split})", paid["count"]).format(
        amount=i18n.money(paid["amount"], paid["currency"]), count=paid["count"],
        split=i18n.listing([ngettext("{disposition} {amount} in {count}",
                                     "{disposition} {amount} in {count}", d["count"]).format(
            disposition=label("disposition", d["key"]),
            amount=i18n.money(d["amount"], paid["currency"]), count=d["count"])
            for d in paid["by_disposition"]]))] if paid["count"] else []
    if unknown:
        parts.append(ngettext("{count} recorded without an amount, not in the total",
                              "{count} recorded without an amount, not in the total",
                              unknown).format(count=unknown))
    # (nothing paid is an amount, 0.00 CNY, as the csv's summary and the paid table say)
    return ("；" if i18n.lang() == "zh" else "; ").join(parts) if parts else i18n.money(
        paid["amount"], paid["currency"])


def _units(n: int) -> str:
    """A count of returned units ("1 units" read badly)."""
    return ngettext("{n} unit", "{n} units", n).format(n=n)


def report_summary(rep: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    b, h, c, p, y = (rep["backlog"], rep["handling_days"], rep["capa"], rep["previous_period"],
                     rep["year_to_date"])
    ret = rep["returns"]
    period = rep["period"]
    # the instant it is of: a report cut at it (a period still running, or --as-of
    # before its end) reads like a closed period otherwise, and a closed period's
    # register and late figures are of it (two copies of one month mailed on different
    # days differ by their register's states, as the JSON and the workbook say)
    cut = [(_("as of"), local_time(period["as_of"], tz, seconds=True))] \
        if period.get("as_of") else []
    return [
        (_("period"), period_label(period)), *cut,
        (_("received"), str(rep["received"])), (_("resolved"), str(rep["resolved"])),
        (_("closed"), str(rep["closed"])), (_("voided"), str(rep["voided"])),
        (_("backlog"), f"{b['start']} → {b['end']}" + i18n.aside(f"{b['change']:+d}")),
        (_("late at end"), str(rep["late_at_end"])),
        (_("handling days"), _("mean {mean}, median {median}, p90 {p90} ({n} resolved)").format(
            mean=_days(h["mean"]), median=_days(h["median"]), p90=_days(h["p90"]),
            n=h["count"])),
        (_("satisfaction rate"), ngettext(
            "{rate} ({satisfied} of {n} revisit satisfied or basically satisfied)",
            "{rate} ({satisfied} of {n} revisits satisfied or basically satisfied)",
            rep["revisits"]).format(rate=pct(rep["satisfaction_rate"]), n=rep["revisits"],
                                    satisfied=rep["satisfied"])),
        # (not "of": a complaint resolved last period and reopened in this one is among
        # the reopened and not the resolved, and "2 reopened of 1 resolved" read wrong)
        (_("reopen rate"), _("{rate} ({n} reopened; {resolved} resolved)").format(
            rate=pct(rep["reopen_rate"]), n=rep["reopened"], resolved=rep["resolved"])),
        (_("repeat rate"), _("{rate} ({n} of {received} received)").format(
            rate=pct(rep["repeat_rate"]), n=rep["repeats"], received=rep["received"])),
        (_("not upheld rate"), _("{rate} ({n} of {concluded} investigations concluded)").format(
            rate=pct(rep["not_upheld_rate"]), n=rep["not_upheld"], concluded=rep["concluded"])),
        # (late: every item open past its due at the end, whenever opened; it may be more
        # than the period opened)
        (_("CAPA"), _("opened {opened}, done {done}, verified {verified}; late at the end "
                      "{late} (whenever opened)").format(
            opened=c["opened"], done=c["done"], verified=c["verified"], late=c["late"])),
        (_("returns"), _("{authorised} authorised ({units}); {received} received (of any "
                         "return), {discrepancies} with a count discrepancy").format(
            authorised=ret["authorised"], units=_units(ret["authorised_quantity"]),
            received=_units(ret["quantity_received"]), discrepancies=ret["discrepancies"])),
        (_(PAID), _paid_text(rep["paid"])),
        # each figure with this period's change from it (JSON has every one; the line
        # had received's alone, and "resolved 3" read as this period's)
        (_("previous period"), _("{first} to {last}: received {received} ({change}), resolved "
                                 "{resolved} ({resolved_change}), closed {closed} "
                                 "({closed_change}), voided {voided} ({voided_change})").format(
            first=p["from"], last=p["to"] if not p.get("until") else _(
                "{time} (as far into it as this period)").format(
                    time=wall(from_iso(p["until"]).astimezone(tz), seconds=True)),
            received=p["received"],
            change=pct(p["received_change"], signed=True), resolved=p["resolved"],
            resolved_change=pct(p["resolved_change"], signed=True), closed=p["closed"],
            closed_change=pct(p["closed_change"], signed=True), voided=p["voided"],
            voided_change=pct(p["voided_change"], signed=True))),
        # with its days: a week across New Year (2026-W53) counts 1 to 3 January only,
        # less than the week itself, and read as wrong without them
        (_("year to date"), _("{first} to {last}: received {received}, resolved {resolved}, "
                              "closed {closed}, voided {voided}").format(
            first=y["from"], last=y["to"], received=y["received"], resolved=y["resolved"],
            closed=y["closed"], voided=y["voided"])),
        *register_left_out(rep),
        *voided_imports(rep, tz),
    ]


def has_register(rep: dict[str, Any]) -> bool:
    """Whether the report holds its register (a period longer than a month has it only
    with --register)."""
    return bool(rep.get("register_included", True))


# What an empty period's report says, in every format.
EMPTY_PERIOD = N_("No complaint was received, resolved or closed in this period.")


def register_left_out(rep: dict[str, Any]) -> list[tuple[str, str]]:
    """The summary's line for a register left out (a period longer than a month, without
    --register): its section is not there at all, rather than empty as if nothing had
    been received."""
    if has_register(rep):
        return []
    if rep.get("register_left_out") == "asked":  # (a week said "a period this long")
        return [(_("register"), _("left out, as --no-register asked"))]
    return [(_("register"), _("left out for a period this long: add --register for it"))]


def register_note(rep: dict[str, Any]) -> str | None:
    """The line under the register when it has more lines than complaints received: those
    voided in the period are listed (as void) but not counted as received."""
    lines, received, voided = len(rep.get("register") or ()), rep["received"], rep["voided"]
    here = lines - received  # received and voided in the period: listed, not counted
    if here <= 0:
        return None
    if here != voided:  # some voided in it were received before it (not listed)
        return ngettext(
            "{lines} lines: the {received} complaints received, and {here} received and "
            "voided in the period (logged by mistake: not counted as received; {voided} "
            "voided in it in all)",
            "{lines} lines: the {received} complaints received, and {here} received and "
            "voided in the period (logged by mistake: not counted as received; {voided} "
            "voided in it in all)", here).format(lines=lines, received=received, here=here,
                                                   voided=voided)
    return ngettext("{lines} lines: the {received} complaints received, and {voided} voided "
                    "in the period (logged by mistake: not counted as received)",
                    "{lines} lines: the {received} complaints received, and {voided} voided "
                    "in the period (logged by mistake: not counted as received)",
                    voided).format(lines=lines, received=received, voided=voided)


def voided_imports(rep: dict[str, Any], tz: tzinfo) -> list[tuple[str, str]]:
    """The summary's line for the voided import batches the report left out (none: no
    line)."""
    batches = rep.get("voided_imports") or []
    if not batches:
        return []
    return [(_("voided imports"), _("left out of every figure: {batches}").format(
        batches=i18n.listing([ngettext(
            "import batch {batch} ({n} complaint), voided {time}",
            "import batch {batch} ({n} complaints), voided {time}", b["complaints"]).format(
            batch=b["batch"], n=b["complaints"],
            time=wall(from_iso(b["voided_at"]).astimezone(tz))) + (ngettext(
                "; the new steps it gave {n} complaint of earlier imports still count",
                "; the new steps it gave {n} complaints of earlier imports still count",
                b["gave_steps_to"]).format(n=b["gave_steps_to"])
                if b.get("gave_steps_to") else "") for b in batches])))]


def words_read(tally: Mapping[tuple[str, str, str, str | None], int], most: int = 12
               ) -> str:
    """A dry run's account of how the register's words were read: each column's words,
    the most rows first, each with what it was read as (in the reader's language) and
    in how many rows; at most `most` a column."""
    by_column: dict[str, list[tuple[str, str, str | None, int]]] = {}
    for (column, field, raw, code), n in tally.items():
        by_column.setdefault(column, []).append((field, raw, code, n))
    lines = [_("How the register's words were read (rows):")]
    for column, found in by_column.items():
        found.sort(key=lambda w: (-w[3], w[1]))
        said = [_("{word} → {value} ×{n}").format(  # (a contact column's number masked)
            word=i18n.shown(mask(raw) if looks_like_contact(raw) else raw),
            value=label(field, code) if code else _("(none)"),
            n=f"{n:,}")
            for field, raw, code, n in found[:most]]
        if len(found) > most:
            said.append(ngettext("{n} more word", "{n} more words", len(found) - most)
                        .format(n=len(found) - most))
        lines.append("  " + _("{column}: {words}").format(column=column,
                                                          words=i18n.listing(said)))
    return "\n".join(lines) + "\n"


def spelt(rows: list[dict[str, Any]], plain: bool = False) -> list[dict[str, Any]]:
    """A breakdown by customer or product with each name's other spellings (counted in
    it) beside it: XD-200 (also xd200, XD 200); `plain` (CSV): the key as it is."""
    if plain:
        return rows
    return [{**r, "key": _("{name} (also {spellings})").format(
        name=r["key"], spellings=i18n.listing(r["spellings"][1:]))}
        if len(r.get("spellings") or ()) > 1 else r for r in rows]


def report_tables(rep: dict[str, Any], tz: tzinfo, plain: bool = False
                  ) -> dict[str, tuple[list[dict[str, Any]], tuple[Col, ...]]]:
    """Every table section of a report as (rows, columns); `plain`: amounts as stored
    with their code (CSV), not as a reader writes them (i18n.money)."""
    def shares(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "share_pct": pct(r["share"])} for r in rows]

    def pareto(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "share_pct": pct(r["share"]),
                 "cumulative_pct": pct(r["cumulative_share"])} for r in rows]

    # what became of the units, a count each in the quantity column (which adds up to
    # the units disposed of), and the costs in the amount column: in CSV a plain number,
    # the currency beside the cost's name (the costs stood in the quantity column as
    # text, "117874.00 CNY")
    ret = rep["returns"]

    def cost(name: str, amount: str) -> dict[str, Any]:
        if plain:
            return {"key": f"{name} ({ret['currency']})", "amount": amount}
        return {"key": name, "amount": i18n.money(amount, ret["currency"])}

    returns_rows = [*ret["by_disposition"], cost(_("cost of loss"), ret["cost_of_loss"]),
                    cost(_("repair cost"), ret["repair_cost"])]
    # what the resolutions paid, by disposition and in all: in CSV a plain amount, the
    # currency in the column's name (the summary's line is a sentence)
    paid = rep["paid"]

    def money(amount: str) -> str:
        return amount if plain else i18n.money(amount, paid["currency"])

    rate = _cell_pct if plain else pct
    paid_rows = [*({**d, "amount": money(d["amount"])} for d in paid["by_disposition"]),
                 {"key": _("all"), "count": paid["count"], "amount": money(paid["amount"])}]
    return {
        "by_category": (shares(rep["by_category"]), _share_cols("category")),
        "by_channel": (shares(rep["by_channel"]), _share_cols("channel")),
        "by_severity": (shares(rep["by_severity"]), _share_cols("severity")),
        "by_product": (shares(spelt(rep["by_product"], plain)), _share_cols(by="product")),
        "by_customer": (shares(spelt(rep["by_customer"], plain)), _share_cols(by="customer")),
        # (a department with nothing resolved: its handling days said "—" as its rate
        # is, not blank cells that read as cut off; a CSV's cells empty, as its rate's)
        "by_department": ([{**r, "share_pct": pct(r["share"]),
                            "on_time_pct": rate(r["on_time_rate"]),
                            **({} if plain else {k: none() for k in _HANDLING_DAYS
                                                 if r.get(k) is None})}
                           for r in rep["by_department"]], DEPT_COLS),
        "pareto_category": (pareto(rep["pareto_category"]), _pareto_cols("category")),
        "pareto_cause": (pareto(rep["pareto_cause"]), _pareto_cols("cause_category")),
        # every category, then all of them (as the workbook's sheet has it)
        "handling": ([*(h := rep["handling_days"])["by_category"],
                      *([{"key": _("all"), **{k: h[k] for k in ("count", "mean", "median",
                                                               "p90")}}] if h["count"] else [])],
                     HANDLING_COLS),
        "on_time": ([{"key": k, **rep["on_time"][k], "rate_pct": rate(v)}
                     for k, v in rep["on_time_rate"].items()], ON_TIME_COLS),
        "returns": (returns_rows, DISPOSITION_COLS_R),
        "paid": (paid_rows, _paid_cols(paid["currency"] if plain else None)),
        **({"register": (register_rows(rep["register"]), REGISTER_COLS)}
           if has_register(rep) else {}),
        **({"trend": (trend_rows(rep["trend"], paid["currency"], plain, tz),
                      _trend_cols(paid["currency"] if plain else None))}
           if rep.get("trend") else {}),
    }


def report_is_empty(rep: dict[str, Any]) -> bool:
    return not any((rep["received"], rep["resolved"], rep["closed"], rep["voided"],
                    rep["revisits"], rep["returns"]["authorised"],
                    rep["returns"]["quantity_received"]))


def report_csv(rep: dict[str, Any], tz: tzinfo, section: str | None = None) -> str:
    # the chain head as the workbook's summary has it (JSON, markdown and the workbook
    # had it; the CSV cron mails and people keep could not be checked later with
    # verify --head); what the period paid as a plain amount, the currency in its name
    # (the sentence of the other formats could not be summed)
    head = rep.get("chain_head") or {"id": 0, "hash": ""}
    paid = rep["paid"]
    summary = [(f"{name} ({paid['currency']})", paid["amount"]) if name == _(PAID) else
               (name, value) for name, value in report_summary(rep, tz)]
    summary += [(_("resolutions with an amount"), str(paid["count"])),
                (_("refunds, discounts, compensation without an amount"),
                 str(paid.get("without_amount", 0))),
                # the CAPA figures as numbers beside the summary's sentence (which could
                # not be summed in Excel)
                *((_(name), str(rep["capa"][key])) for key, name in _CAPA_FIGURES),
                # and the returns' (a sentence too: the workbook had them as numbers)
                *((_(name), str(rep["returns"][key])) for key, name in RETURN_FIGURES),
                (_("chain head: event"), str(head["id"])),
                (_("chain head: hash"), head["hash"] or _("(no events)"))]
    tables = report_tables(rep, tz, plain=True)
    if section == "summary":
        return kv_csv(summary, tz)
    if section:
        rows, cols = tables[section]
        return to_csv(rows, cols, tz)
    parts = ["\ufeff# summary\r\n" + kv_csv(summary, tz, bom=False)]
    for name, (rows, cols) in tables.items():
        parts.append(f"# {name}\r\n" + to_csv(rows, cols, tz, bom=False))
    return "\r\n".join(parts)


# The CAPA figures a report's CSV gives one by one.
_CAPA_FIGURES = (("opened", N_("CAPA items opened")), ("done", N_("CAPA items done")),
                 ("verified", N_("CAPA items verified")),
                 ("late", N_("CAPA items late at the end (whenever opened)")))


# and the returns' (the workbook's summary and returns sheet name them so too).
RETURN_FIGURES = (("authorised", N_("returns authorised")),
                   ("authorised_quantity", N_("quantity authorised")),
                   ("quantity_received", N_("quantity received")),
                   ("discrepancies", N_("returns with a count discrepancy")))


# Sections that grow with the ledger: a terminal or a mail shows their top lines.
LONG_SECTIONS = {"by_customer": 20, "by_product": 20, "register": 50}


def more_command(rep: dict[str, Any], name: str, fmt: str, again: tuple[str, str]) -> str:
    """The command that lists all of a section a report cut short: the same ledger,
    period and instant (`again`: the options before `report` and after the period,
    as the command line gave them)."""
    return (f"complaintctl{again[0]} report {period_options(rep['period'])}{again[1]} "
            f"--format {fmt} --section {name}")


def period_options(period: dict[str, Any]) -> str:
    """The options that ask for this report's period again (a hint's command line)."""
    if period["kind"] == "week":
        return f"--week {period['from']}"
    if period["kind"] == "month":
        return f"--month {period['from'][:7]}"
    return f"--since {period['from']} --until {period['to']}"


def chain_footer(rep: dict[str, Any]) -> str:
    """The line under a report that names the ledger's history it was made from
    (`complaintctl verify --head HASH` checks later that it is still there)."""
    head = rep.get("chain_head") or {"id": 0, "hash": ""}
    return _("Chain head: event #{id} {hash}").format(
        id=head["id"], hash=head["hash"] or _("(no events)"))


def period_label(period: dict[str, Any]) -> str:
    """A report's period as the reader's language names it (the JSON keeps its
    English `label`): a week, a month, or the days from and to."""
    first, last = period["from"], period["to"]
    if period["kind"] == "week":
        year, week, _day = date.fromisoformat(first).isocalendar()
        return _("week {year}-W{week} ({first} to {last})").format(
            year=year, week=week if i18n.lang() == "zh" else f"{week:02d}", first=first,
            last=last)
    if period["kind"] == "month":
        year, month = int(first[:4]), int(first[5:7])
        return _("month {year}-{month}").format(
            year=year, month=month if i18n.lang() == "zh" else f"{month:02d}")
    return _("{first} to {last}").format(first=first, last=last)


def report_markdown(rep: dict[str, Any], tz: tzinfo, section: str | None = None,
                    again: tuple[str, str] = ("", "")) -> str:
    text = "# " + md_cell(_("Complaint report (客户投诉处理报表): {period}").format(
        period=period_label(rep["period"]))) + "\n\n"
    if report_is_empty(rep):
        text += _(EMPTY_PERIOD) + "\n\n"
    if section in (None, "summary"):
        text += kv_markdown(report_summary(rep, tz), report_title("summary"))
    for name, (rows, cols) in report_tables(rep, tz).items():
        if section in (None, name) and (rows or section):
            shown = rows if section else rows[:LONG_SECTIONS.get(name, len(rows))]
            text += ("" if text.endswith("\n\n") else "\n") + to_markdown(
                shown, cols, tz, report_title(name, rep["period"]))  # (one blank line)
            if name == "register" and (note := register_note(rep)):
                text += "\n" + md_cell(note) + "\n"
            if len(shown) < len(rows):
                text += "\n" + _("… and {n} more ({command} lists them all).").format(
                    n=len(rows) - len(shown),
                    command=md_code(more_command(rep, name, "markdown", again))) + "\n"
    if section in (None, "summary"):  # (as the CSV's summary carries it: verify --head)
        text += "\n" + md_cell(chain_footer(rep)) + "\n"
    return text


def pareto_chart(rows: list[dict[str, Any]], title: str, width: int = 30,
                 word: str | None = None, room: int | None = None) -> Table:
    """A Pareto as bars in the terminal: share per key and the running share. `room`:
    the terminal's width, which the bars give way to first (at 40 columns a name was
    folded, manufacturin | g, beside bars of six); where bars of one do not make room,
    row under row, every name and figure whole (_stacked)."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    keys = [(_(NONE_KEY) if r["key"] == NONE_KEY else label(word, r["key"])
             if word and isinstance(r["key"], str) else str(r["key"])) for r in rows]
    key_head, count_head = _(_KEY_HEADERS.get(word or "", "key")), _("count")
    share_head, cumulative_head = _("share"), _("cumulative")

    def widest(head: str, texts: Iterable[str]) -> int:
        return max(cell_len(t) for t in [head, *texts])

    key_width = widest(key_head, keys)
    if room is not None:  # what the bars have beside the other columns whole (a column's
        # padding each side: 2 between columns), and a space and the share after them
        left = room - key_width - 6 - 1 - widest(
            count_head, (str(r["count"]) for r in rows)) - widest(
            cumulative_head, (pct(r["cumulative_share"]) for r in rows)) - max(
            (cell_len(pct(r["share"])) for r in rows), default=6)
        width = max(1, min(width, left))
        if left < 1:
            # not even bars of one beside every name whole: row under row, each title
            # beside its value, every name and figure whole (names cut to a letter,
            # 45… for 45.1%, bars of one alike: "a figure is never cut")
            shares = [f"{pct(r['share'])}" for r in rows]
            cells = [[key, str(r["count"]), share, pct(r["cumulative_share"])]
                     for r, key, share in zip(rows, keys, shares, strict=True)]
            cols = [Col("key", key_head), Col("count", count_head, "num"),
                    Col("share", share_head, "num"), Col("cumulative", cumulative_head,
                                                         "num")]
            return _stacked(rows, cols, cells, [True, False, False, False], title, None,
                            None, room)
    table = Table(title=Text(title), box=None, title_justify="left", show_header=True,
                  pad_edge=False)
    table.add_column(Text(key_head), overflow="fold")
    table.add_column(Text(count_head), justify="right", no_wrap=True)
    table.add_column(Text(share_head), no_wrap=True)
    table.add_column(Text(cumulative_head), justify="right", no_wrap=True)
    for r, key in zip(rows, keys, strict=True):
        bar = ("#" if _STYLE["ascii"] else "█") * max(1, round((r["share"] or 0) * width))
        table.add_row(Text(key), str(r["count"]),
                      Text(f"{bar} {pct(r['share'])}", style="cyan"),
                      pct(r["cumulative_share"]))
    return table


class Unbroken(str):
    """A line to copy whole (a command, a hash): printed as it is, never folded by Rich
    (whose line breaks would cut the command a user pastes); the terminal folds it on
    screen if it must, and a copy gives it back as one line."""

    __slots__ = ()


def report_rich(rep: dict[str, Any], tz: tzinfo, width: int = 80,
                again: tuple[str, str] = ("", "")) -> list[RenderableType]:
    from rich.cells import cell_len
    from rich.rule import Rule
    from rich.text import Text

    title = _("Complaint report: {period}").format(period=period_label(rep["period"]))
    # a rule cuts a title it cannot hold with "…" (a week's dates at 60 columns): then
    # the title on its own line(s), the rule under it
    line = "-" if _STYLE["ascii"] else "─"
    out: list[RenderableType] = [Rule(Text(title), characters=line)] \
        if cell_len(title) + 6 <= width else [
            # (Chinese has no space to break at: the week's dates were cut in the middle,
            # 2026-11- / 30; they go on a line of their own)
            Text(title.replace("（", "\n（", 1) if cell_len(title) > width else title),
            Rule(characters=line)]
    if report_is_empty(rep):
        out.append(Text(_(EMPTY_PERIOD)))
    out.append(kv_table(report_summary(rep, tz), report_title("summary"), width, items=True))
    for name, (rows, cols) in report_tables(rep, tz).items():
        if not rows:
            continue
        if name == "trend":
            out.append(trend_table(rep["trend"], report_title(name), rep["paid"]["currency"],
                                   tz, width))
            continue
        if name.startswith("pareto_"):
            # the bars give way on a narrow terminal, not the words (原因类 | 别)
            out.append(pareto_chart(rep[name], report_title(name), room=width,
                                    word={"pareto_category": "category",
                                          "pareto_cause": "cause_category"}[name]))
            continue
        shown = rows[:LONG_SECTIONS.get(name, len(rows))]
        if name == "register":
            out.append(register_table(shown, tz, width, report_title(name, rep["period"])))
            if note := register_note(rep):
                out.append(Wrapped(note))
        else:
            out.append(rich_table(shown, cols, tz, report_title(name), width=width))
        if len(shown) < len(rows):
            command = more_command(rep, name, "csv", again)
            # the command on a line of its own where the line runs past the terminal
            out += _copied_whole(_("… and {n} more: {command}").format(
                n=len(rows) - len(shown), command=command), command, width)
            out.append(Unbroken(""))  # (the next section's title came right under it)
    # the hash an auditor copies on a line of its own where it does not fit (it wrapped
    # in its middle)
    out += _copied_whole(chain_footer(rep), (rep.get("chain_head") or {}).get("hash"), width)
    return out


def _copied_whole(line: str, tail: str | None, width: int) -> list[Unbroken]:
    """A line that ends with what a user copies (`tail`: a command, a hash): one line
    where it fits `width`, else the words before it on one and `tail` whole on the next."""
    from rich.cells import cell_len

    if tail and cell_len(line) > width and line.endswith(tail):
        return [Unbroken(line[:-len(tail)].rstrip()), Unbroken(tail)]
    return [Unbroken(line)]


# --- verify -----------------------------------------------------------------------

VERIFY_FIELDS = ("kind", "id", "stored", "expected", "detail")


def _verify_cell(value: Any) -> str:
    if value is None:
        return none()
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _width(text: str) -> int:
    """Terminal columns of `text`: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _detail(p: dict[str, Any]) -> str:
    """A finding's detail in the reader's language, its fields filled in (a stage by
    its label: 处理, not resolve)."""
    if "_detail" not in p:
        return _(p["detail"])
    msgid, params = p["_detail"]
    if "stage" in params:
        params = {**params, "stage": label("stage", params["stage"])}
    return _(msgid).format(**params)


# C0, DEL and C1, the line and paragraph separators, and the bidirectional controls
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_control(found: re.Match[str]) -> str:
    ch = found.group()
    return {"\t": "\\t", "\n": "\\n"}.get(ch) or (
        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def verify_lines(problems: list[dict[str, Any]], terminal: int | None = None) -> str:
    """One line per problem: kind, id, stored, expected, detail (aligned columns, no
    box: cron mails it, grep and awk read it); on a terminal `terminal` columns wide
    that they do not fit, a block per problem. Tabs, newlines and every other control
    character in values escaped: a value verify finds may have been written by hand,
    an escape sequence to the terminal included."""
    rows = [[_CONTROL.sub(_escape_control, _detail(p) if f == "detail" and p[f]
                          else _verify_cell(p[f]))
             for f in VERIFY_FIELDS] for p in problems]
    header = [_("kind"), _("id"), _("stored"), _("expected"), _("detail")]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join([*(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=False)),
                        r[-1]]).rstrip() for r in [header, *rows]]
    if terminal is None or max(map(_width, lines)) <= terminal:
        return "".join(line + "\n" for line in lines)
    # on a terminal too narrow for the lines (a value's 64 hex digits padded every one to
    # 220 columns, each problem wrapped over four screen lines, its detail apart from its
    # kind): each problem a block, its kind and id, then what was stored and expected
    colon = "：" if i18n.lang() == "zh" else ": "
    return "\n".join(f"{kind}  {id_}\n" + "".join(
        f"  {name}{colon}{value}\n" for name, value in ((header[2], stored),
                                                       (header[3], expected)) if value)
        + (f"  {detail}\n" if detail else "") for kind, id_, stored, expected, detail in rows)


def verify_ok(result: dict[str, Any], terminal: int | None = None) -> str:
    """verify's line when all is well; on a `terminal` too narrow for it, the hash an
    auditor copies on a line of its own, whole (the terminal folded it in the middle), as
    a report's chain head is. One line for a file or a pipe (grep, awk read it so)."""
    head = result["head"]
    line = ngettext("OK: {events} event, chain head #{id} {hash}",
                    "OK: {events} events, chain head #{id} {hash}", result["events"]).format(
        events=result["events"], id=head["id"], hash=head["hash"])
    found = result.get("head_found")
    after = _("; --head is event #{id}").format(id=found["id"]) if found else ""
    if terminal is not None and head["hash"]:
        from rich.cells import cell_len

        if cell_len(line + after) > terminal:
            return "".join(part + "\n" for part in (
                *_copied_whole(line, head["hash"], terminal), *([after.lstrip("; ；")]
                                                                if after else [])))
    return line + after + "\n"


def verify_json(result: dict[str, Any]) -> dict[str, Any]:
    return {"ok": result["ok"], "head": result["head"], "events": result["events"],
            "problems": [{f: p[f] for f in VERIFY_FIELDS} for p in result["problems"]],
            "unrecorded": result["unrecorded"],
            "head_found": result["head_found"], "before_chain": result["before_chain"]}
