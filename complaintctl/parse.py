"""Input rules for everything a user types: text, enumerated words, dates,
quantities and money. Pure: the current instant is passed in, never read.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import IO, Literal, overload

from complaintctl import i18n, words
from complaintctl.errors import BadInput
from complaintctl.i18n import N_, _, shown
from complaintctl.words import INVISIBLE, INVISIBLE_DROPPED

UTC = timezone.utc

# The enumerated words of SPEC sections 1-4: their codes, from the one word table
# (complaintctl/words.py), which also holds their labels and synonyms.
CHANNELS = words.codes("channel")
CATEGORIES = words.codes("category")
SEVERITIES = words.codes("severity")
DEMANDS = words.codes("demand")
CAUSE_CATEGORIES = words.codes("cause_category")
RESPONSIBILITIES = words.codes("responsibility")
DISPOSITIONS = words.codes("disposition")
SATISFACTIONS = words.codes("satisfaction")
# A note of the communication log is a contact by one of the revisit methods, or an
# internal remark (not a contact with the customer: last_contact_at skips it).
NOTE_KINDS = words.codes("method")
REVISIT_METHODS = tuple(m for m in NOTE_KINDS if m != "internal")
FORMATS = ("table", "json", "csv", "markdown")
INSPECTION_RESULTS = words.codes("inspection")
RETURN_ACTIONS = words.codes("return_action")
LANGUAGES = words.codes("language")

# The word-table field an option's value belongs to (an option not here, such as
# --format, takes exactly the words it is given, as loosely typed as the others).
OPTION_FIELDS = {
    "--channel": "channel", "--category": "category", "--severity": "severity",
    "--demand": "demand", "--cause-category": "cause_category",
    "--responsibility": "responsibility", "--disposition": "disposition",
    "--satisfaction": "satisfaction", "--method": "method", "--kind": "method",
    "--result": "inspection", "--action": "return_action", "--status": "status",
    "--lang": "language", "LANGUAGE": "language", "--format": "format",
}


@overload
def choice(value: str, allowed: Iterable[str], option: str, *, field: str | None = ...,
           extra: Iterable[words.Word] = ...) -> str: ...
@overload
def choice(value: None, allowed: Iterable[str], option: str, *, field: str | None = ...,
           extra: Iterable[words.Word] = ...) -> None: ...
@overload
def choice(value: str | None, allowed: Iterable[str], option: str, *,
           field: str | None = ..., extra: Iterable[words.Word] = ...) -> str | None: ...


def choice(value: str | None, allowed: Iterable[str], option: str, *,
           field: str | None = None, extra: Iterable[words.Word] = ()) -> str | None:
    """An enumerated word -> its code, through words.resolve (the code, the English or
    Chinese label, a synonym; case and width do not matter). `allowed`: the codes
    accepted here; `field`: the word-table field (default: the option's, see
    OPTION_FIELDS); `extra`: words the table does not hold (a ledger's categories
    with their labels). None passes through."""
    if value is None:
        return None
    try:
        return words.resolve(field or OPTION_FIELDS.get(option, option), value, allowed,
                             extra=extra, option=option)
    except BadInput:
        # a word for none where the value may be left out (--demand 无 was told the
        # list of demands; at the prompt, that 无 is not in it)
        if option in _OPTIONAL_WORDS and means_none(value.strip()):
            raise _none_word(value.strip(), option, _(
                "leave {field} out (at the prompt: press Enter to skip it)").format(
                    field=option)) from None
        raise


def language(value: str, option: str) -> str:
    """A display language as init --lang and policy language take it: as the root's
    --lang and COMPLAINTCTL_LANG read it (zh-TW, zh_HK.UTF-8, zh-Hant are Chinese: those
    took them, these refused them and hinted zh-cn), or a word of the table (中文)."""
    from complaintctl import language_of

    return language_of(value) or choice(value, LANGUAGES, option)


# The word options a step may be given without (a word for none in them is refused as
# one, with how to leave them out).
_OPTIONAL_WORDS = frozenset({"--demand", "--responsibility", "--cause-category"})


_ALLOWED_CONTROLS = {"\n", "\t"}

NOT_UTF8_HINT = N_("convert it to UTF-8 first, e.g. iconv -f GBK -t UTF-8")


def _not_utf8(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


# The options whose values are paths of files (an argument's may be one too).
_FILE_OPTIONS = frozenset({"--output", "--rejects", "--mapping", "--db"})


def arguments(argv: list[str], takes_value: Callable[[str], bool] = lambda name: True
              ) -> None:
    """Refuse a command line holding bytes that are not UTF-8 (a GBK shell or script:
    Python hands them over as lone surrogates, which SQLite, Rich and every encoder
    refuse later with a traceback). Names the option the value belongs to (the word
    before it, if `takes_value` says that option takes one: after --dry-run it is an
    argument)."""
    for i, arg in enumerate(argv):
        if not _not_utf8(arg):
            continue
        name, value = _("argument"), arg
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif arg.startswith("-"):
            name = _("option")
        elif i and argv[i - 1].startswith("-") and "=" not in argv[i - 1] and \
                takes_value(argv[i - 1]):
            name = argv[i - 1]
        import os

        # a file's name in GBK (unzipped from a Chinese Windows archive), or a folder's on
        # its way: iconv converts what a file holds, not its name (an argument or a file
        # option only: a customer named as a file there is is no file)
        try:  # (a lone surrogate no byte gave, from a program calling in-process: no file)
            raw = os.fsencode(value)
            named = name in _FILE_OPTIONS or name == _("argument") and (
                os.path.lexists(raw) or bool(os.path.dirname(raw))
                and os.path.isdir(os.path.dirname(raw)))
        except (UnicodeError, ValueError):
            named = False
        raise BadInput(_("{field} {value} is not valid text (not UTF-8)").format(
            field=name, value=shown(value)), hint=_(
                "the name of a file or folder on its path is not UTF-8: rename them to "
                "UTF-8, e.g. convmv -f GBK -t UTF-8 -r --notest PATH, or give another "
                "name") if named else _(NOT_UTF8_HINT))


def stream_text(stream: IO[str] | IO[bytes] | None, field: str) -> str:
    """All of a text stream (stdin), decoded as strict UTF-8 (a leading BOM, as
    Windows Notepad writes, is dropped). Bytes in another encoding are bad input
    that names the first offending byte, not a decoding traceback; no stream (stdin
    closed: `<&-`) is bad input too."""
    closed = BadInput(_("{field} - reads the text from standard input, which is closed")
                      .format(field=field),
                      hint=_("pipe the text in (… | complaintctl …), or give it as "
                             "{field} TEXT").format(field=field), code="no_stdin")
    if stream is None:
        raise closed
    try:
        raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    except (OSError, ValueError):  # a descriptor closed under it, or not readable
        raise closed from None
    if isinstance(raw, str):
        return raw
    return decoded_text(raw, field)


def decoded_text(raw: bytes, field: str) -> str:
    """Bytes read for `field` as strict UTF-8 (stream_text's), a leading BOM dropped."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(_("{field} - (stdin) is not valid text (not UTF-8): byte {byte} "
                         "at offset {offset}").format(
                             field=field, byte=f"{raw[exc.start]:#04x}", offset=exc.start),
                       hint=_(NOT_UTF8_HINT)) from None


# Characters that show nothing, dropped from typed text (words.INVISIBLE says which).
_INVISIBLE = INVISIBLE_DROPPED
# The tags: kept after a black flag (🏴 and its tags are England's, Scotland's, Wales's
# flags), dropped anywhere else.
TAGS = "\U000e0001" + "".join(map(chr, range(0xE0020, 0xE0080)))
_STRAY_TAGS = re.compile("(?<![\U0001F3F4\U000E0020-\U000E007F])[\U000E0001\U000E0020-"
                         "\U000E007F]+")
# Kept in a text among the letters of their script (the Mongolian vowel separator, the
# fillers of conjoining jamo), dropped elsewhere (华东\u115f电器 was another customer
# than 华东电器); a text of them alone (with format characters) shows nothing: it is empty.
FILLERS = "\u180e\u115f\u1160"
_JAMO = "\u1100-\u115e\u1161-\u11ff\ua960-\ua97f\ud7b0-\ud7ff"  # (the fillers not)
_STRAY_FILLER = re.compile(f"(?<![{_JAMO}])[\u115f\u1160](?![\u115f\u1160]*[{_JAMO}])"
                           "|(?<![\u1800-\u18af])\u180e|\u180e(?![\u1800-\u18af])")
# The joiners and the emoji's variation selectors, kept for the emoji and the scripts that
# need them, dropped beside a Chinese, Japanese or Korean character (the joiners beside an
# ASCII letter, digit or sign too), where none does:
# 华东\u200d电器 (pasted from a chat) was another customer than 华东电器, unfound by
# `list --customer 华东电器` and no repeat of it.
JOINERS = "\u200c\u200d\ufe0e\ufe0f"
_CJK = "\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f"
_STRAY_JOINER = re.compile(f"(?<=[{_CJK}])[{JOINERS}]+|[\u200c\u200d]+(?=[{_CJK}])"
                           # (and joiners beside a Latin letter, a digit or a sign, where
                           # none is needed either: XD\u200c200 was another product)
                           "|(?<=[\x21-\x7e])[\u200c\u200d]+|[\u200c\u200d]+(?=[\x21-\x7e])")
# Format characters a script draws (the Arabic number signs, the end of an ayah, the Syriac
# abbreviation mark, the Kaithi number signs): a text of them is not blank.
_SHOWN_MARKS = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891"
                         "\u08e2\U000110bd\U000110cd")
# Marks that reorder what follows them on screen (發票\u202egpj.exe shows as 發票exe.jpg),
# and line and paragraph separators in a one-line field: refused as control characters
# (and shown as '?' in an attached file's name).
DIRECTION = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\u2028\u2029\x85")


def one_line(name: str, mark: str = "?") -> str:
    """A name (a file's, a sheet's) kept or shown on one line, as it reads: its control
    characters, direction marks (发票\u202egpj.exe shown as 发票exe.jpg) and line breaks
    each `mark`."""
    return "".join(mark if ord(ch) < 32 or ord(ch) == 127 or ch in DIRECTION
                   or ch in LINE_BREAKS else ch for ch in name)


# In a name, the full-width forms of Latin letters, digits and the signs a model, order
# or lot number is written with (ＫＦＲ－３５, as a Chinese input method left on full
# width types it) are read as the half-width ones; Chinese punctuation (（）：，、) stays.
_NAME_WIDTH = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                     *range(0xFF41, 0xFF5B), *map(ord, "－＿．／＃＆＋＠"))}
_FULL_WIDTH = {half: wide for wide, half in _NAME_WIDTH.items()}
_SPACES = re.compile(r"\s+")
# The fields that name something (name()), not free text: as log, amend, assign, the
# filters and the importer read them.
NAME_FIELDS = frozenset({"customer", "contact", "product", "lot", "order_no", "region",
                         "department", "owner", "supplier"})
# What name() would change in a stripped text: a full-width sign it reads as half-width,
# two spaces, or a space other than " " (the importer's fast path sends such a cell here).
NAME_CHANGES = re.compile("[" + "".join(map(chr, _NAME_WIDTH)) + r"]|\s\s|[^\S ]")


@overload
def name(value: str | None, field: str, *, required: Literal[True],
         looked_for: bool = ...) -> str: ...
@overload
def name(value: str | None, field: str, *, required: bool = ...,
         looked_for: bool = ...) -> str | None: ...


def name(value: str | None, field: str, *, required: bool = False,
         looked_for: bool = False) -> str | None:
    """A name that tells records apart or together (a customer, a product, a lot, an
    order, a contact, a region, a department, an owner, a supplier): text(), its
    full-width letters, digits and number signs read as half-width and each run of
    spaces as one. ＫＦＲ－３５ 空调 and KFR-35  空调 were three products in the report
    and no repeat of each other. `looked_for`: a part of one a listing is filtered by,
    where a word for none is text like any (list --product NA finds NA-100 充电器)."""
    found = text(value, field, required=required, max_len=NAME_MOST)
    if found is None:
        return None
    found = _SPACES.sub(" ", name_width(found))
    if field in _NONE_REFUSED and not looked_for and \
            means_none(found, region=field == "--region"):
        raise _none_word(found, field, _("leave {field} out (at the prompt: press Enter to "
                                         "skip it)").format(field=field))
    if field == "--customer" and not looked_for and only_contact(found):
        # (a caller's number typed at 客户: it went into every listing and the events in
        # clear, out of reach of masking and of forget-contact)
        raise BadInput(_("{value} looks like a phone number or e-mail address, not the name "
                         "of a customer").format(value=shown(mask(found) or found)), hint=_(
            "give it with --contact (masked on output, and erasable), and name who "
            "complained with --customer (a caller who gave no name: how to tell them "
            "apart, e.g. 匿名来电 3月4日 上午)"), code="customer_contact", field=field)
    if field == "--customer" and not looked_for and means_none(found):
        # (two unknown callers logged as 不详 about one product were one customer's
        # repeat complaint, and counted in the repeat rate)
        # (a code of its own: the prompt's "press Enter to skip" and amend's "--clear" are
        # for a field that may be empty, and a customer may not)
        raise BadInput(_("{value} means none, not a value of {field}").format(
            value=shown(found), field=field), hint=_(
                "name who complained, as they gave it: a person or a company (a caller who "
                "gave no name: how to tell them apart, e.g. 匿名来电 3月4日 上午)"),
            code="customer_unknown", field=field, value=found)
    return found


def norm_contact(text: str) -> str:
    """A text as a contact is looked for in it: full-width forms as ASCII (NFKC), any
    case, the ideographic full stop between two letters as a point (li@example。com),
    no spaces around @ or a point in an address (li @ example.com)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold()
    if "@" not in text:
        return text
    text = re.sub(r"(?<=[a-z0-9])\s*。\s*(?=[a-z0-9])", ".", text)
    return re.sub(r"(?<=[\w.])\s*@\s*(?=\w)|(?<=\w)\s+\.\s+(?=\w)",
                  lambda m: m[0].strip(), text)


def only_contact(value: str) -> bool:
    """Whether a name is a phone number or an e-mail address and nothing else (13812345678,
    +86 138-1234-5678, buyer@example.com, li @ example。com as a contact is read): not a
    name that holds a date or a number beside its words (匿名来电 2026-03-04, 客户
    0755-1234567 is a company's name with its line)."""
    text = norm_contact(value).strip()
    if ADDRESS.fullmatch(text):
        return True
    text = _EXTENSION.sub("", text)  # (021-61234567转8001: a number and its extension)
    if PLAIN_CONTACT.fullmatch(text) is None or not looks_like_contact(text):
        return False
    # digits alone are a customer's number in a register (the CFPB's 1800001, 客户编号
    # 100234567) unless shaped as a phone number is: a mobile, or one with its area code
    return not text.isdigit() or _BARE_PHONE.fullmatch(text) is not None


# A run of digits alone that is a phone number (only_contact): a mainland mobile (1 and
# ten more), a number with its area code (0 and nine to eleven more), an international
# one (00 and its country's code).
_BARE_PHONE = re.compile(r"1[3-9][0-9]{9}|0[1-9][0-9]{8,10}|00[1-9][0-9]{7,12}|[48]00[0-9]{7}")
# An extension after a phone number: 转 8001, 分机 8001, ext. 8001.
_EXTENSION = re.compile(r"(?<=[0-9])\s*(?:转|分机|ext\.?)\s*[0-9]{1,6}$", re.IGNORECASE)


def _none_word(found: str, field: str, hint: str) -> BadInput:
    return BadInput(_("{value} means none, not a value of {field}").format(
        value=shown(found), field=field), hint=hint, code="none_word", field=field,
        value=found)


def not_none(value: str | None, field: str, hint: str) -> str | None:
    """`value` as it is, unless it is a word for none (无, 没有, -, n/a …): refused, with
    `hint` (a root cause 无 concluded an investigation, a supplier 无 was a supplier)."""
    if value is not None and means_none(value.strip("（）()【】[]。.，,、 ") or value):
        raise _none_word(value, field, hint)
    return value


def someone(value: str | None, field: str) -> str:
    """name() of whom a step makes answer for it (assign's --dept and --owner, a CAPA
    item's --owner): required, and a word for none is no one (an owner 无 made a late
    item nobody answers for, listed under 无). A filter by them (list --owner) takes any
    name: one stored so before is found."""
    found = name(value, field, required=True)
    # (（无）, 无。: as the screens write none)
    return not_none(found, field, _("{field} names who answers for it: a department or a "
                                    "person").format(field=field)) or found


# What a clerk types for "none" (无, 没有, 不详, n/a, /; NA too but in a region):
# in an optional name it is no contact or product (a product 没有 made every later
# complaint of its customer with the same "product" a repeat); a field that may be left
# out refuses it, an import reads it as no value (importer._NONE_READ).
NONE_WORDS = frozenset({"无", "没有", "没", "暂无", "不详", "未知", "不知道", "无型号", "无此项",
                        "未提供", "未留", "没留", "空", "n/a", "na", "none", "nil", "null",
                        "-", "--", "/", "—", "——", "?", "？",
                        # (as Hong Kong and Taiwan write them)
                        "無", "沒有", "沒", "暫無", "不詳", "無型號", "沒留"})
# NA in a region is North America, a region.
_NONE_IN_REGION = NONE_WORDS - {"na"}


def means_none(value: str, *, region: bool = False) -> bool:
    """Whether a name (or a text) is a word for none (NONE_WORDS; in a region, not NA), in
    any width (Ｎ／Ａ, as an input method in full width types it, was a description)."""
    if not value.isascii():
        import unicodedata

        value = unicodedata.normalize("NFKC", value)
    if " " in value and len(value) <= 8:  # (n / a, as n/a)
        value = "".join(value.split())
    return value.casefold() in (_NONE_IN_REGION if region else NONE_WORDS)
_NONE_REFUSED = frozenset({"--contact", "--product", "--order", "--lot", "--region"})


# The longest name, a line (a customer of 19,999 characters was taken, and told to keep
# its gist and attach the rest as a file).
NAME_MOST = 500


def repeat_key(customer: str | None, product: str | None) -> str | None:
    """What the repeat check matches a complaint by: its customer and its product as a
    clerk calls them the same, letter case, spaces and (in a customer's name)
    punctuation aside — ACME Ltd. and Acme Ltd, 华东电器 有限公司 and 华东电器有限公司, xd-200,
    XD 200 and XD200 are one. A product keeps its dots and slashes (M1/2 is not M12,
    1.5 kW not 15 kW). None without a product: no repeat check."""
    if not customer or not product:
        return None
    return f"{name_key(customer, True)}\x1f{name_key(product, False)}"


@lru_cache(maxsize=65_536)
def name_key(value: str, loose: bool) -> str:
    """A customer's (`loose`) or a product's name as repeat_key takes it: spellings that
    give one key are one name."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", value).casefold()
    kept = "".join(ch for ch in folded if not _dropped(unicodedata.category(ch), loose))
    return kept or folded.strip()


def _dropped(category: str, loose: bool) -> bool:
    """A character the repeat key leaves out: a space, a control character, a dash or an
    underscore; `loose` (a customer's name) any punctuation. A character of a private
    use area (a rare name character a Chinese system puts there) or one this Python
    does not know yet is kept: two names that differ in it are two names."""
    return category[0] == "Z" or category in ("Cc", "Pd", "Pc") or \
        loose and category[0] == "P"


def name_width(text: str) -> str:
    """The full-width Latin letters, digits and number signs of `text` as half-width, as
    name() reads a name (２０２６－００１ is 2026-001; Chinese punctuation stays)."""
    return text.translate(_NAME_WIDTH)


def key_fold(key: str) -> str:
    """A register's key (its own id, a source_key) as keys are compared, never as one is
    stored or shown: full-width letters and digits as half-width, as in a name, and
    letter case aside (ＫＳ２０２４－０３４, KS2024-034 and ks2024-034 are one key: a newer
    copy of a register that retyped AB-1 as ab-1 brought that complaint in twice, and
    show --ref ks2024-034 found nothing). The ledger keeps each key as the register
    wrote it, keys an older import stored as typed among them: both sides are folded."""
    return name_width(key).casefold()


def full_width(text: str) -> str:
    """name_width's other way: the half-width letters, digits and number signs of
    `text` as full-width (what an import before keys were read as names stored)."""
    return text.translate(_FULL_WIDTH)


def text_filter(value: str | None, field: str, *, an_id: bool = False,
                a_name: bool = False, actions: bool = False, whole: bool = False
                ) -> str | None:
    """A text a listing is filtered by (`an_id`: a complaint's id; `a_name`: read as
    name() reads one; `actions`: of CAPA items; `whole`: a contact, matched whole): an
    empty one is refused, not taken as no filter (a cron line whose variable came out
    empty listed the whole ledger as if filtered)."""
    found = name(value, field, looked_for=True) if a_name else text(value, field)
    if value is not None and found is None:
        if an_id:
            message, hint = (_("{field} is empty: it would list every complaint's"),
                             _("give a complaint's id, or leave {field} out"))
        elif whole:  # (part of a number finds nobody: "give part of what to match" misled)
            message, hint = (_("{field} is empty: it would match every complaint"),
                             _("give the whole phone number, e-mail address or account id, "
                               "or leave {field} out"))
        else:
            message, hint = (_("{field} is empty: it would match every CAPA item") if actions
                             else _("{field} is empty: it would match every complaint"),
                             _("give part of what to match, or leave {field} out"))
        raise BadInput(message.format(field=field), hint=hint.format(field=field),
                       code="empty_filter", field=field)
    return found


def _direction_mark(message: str) -> BadInput:
    """The refusal of a mark that turns the text's direction (U+202E): invisible, pasted
    with the text from a web page or a chat ("a control character … remove it" left
    nothing to see)."""
    return BadInput(message, hint=_("type the value again rather than paste it (the mark "
                                    "came with the text copied from a web page or a chat)"),
                    code="control_character")


@overload
def text(value: str | None, field: str, *, multiline: bool = ..., required: Literal[True],
         max_len: int = ...) -> str: ...
@overload
def text(value: str | None, field: str, *, multiline: bool = ..., required: bool = ...,
         max_len: int = ...) -> str | None: ...


def text(value: str | None, field: str, *, multiline: bool = False,
         required: bool = False, max_len: int = 20000) -> str | None:
    """NFC-normalise and strip (full-width spaces too); refuse control characters.

    Returns None for a missing value; an empty value is refused when required,
    else treated as missing.
    """
    if value is None:
        if required:
            raise BadInput(_("{field} is required").format(field=field))
        return None
    import unicodedata  # here, not at the top: about 1 ms that read-only commands skip

    if multiline:  # a one-line field names the carriage return it holds (0x0d)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    # (what shows nothing out before NFC: a grapheme joiner between u and its umlaut
    # kept them apart from ü)
    value = unicodedata.normalize("NFC", value.translate(_INVISIBLE))
    if any(ch in FILLERS for ch in value):
        value = _STRAY_FILLER.sub("", value)
    if any("\U000e0000" <= ch <= "\U000e007f" for ch in value):
        value = _STRAY_TAGS.sub("", value)
    if any(ch in JOINERS for ch in value):
        value = _STRAY_JOINER.sub("", value)
    value = value.strip()
    if _not_utf8(value):
        raise BadInput(_("{field} {value} is not valid text (not UTF-8)").format(
            field=field, value=shown(value)), hint=_(NOT_UTF8_HINT))
    allowed = _ALLOWED_CONTROLS if multiline else set()
    for ch in value:
        if ch in DIRECTION and ch not in allowed:
            raise _direction_mark(_("{field} holds an invisible mark that turns the text's "
                                    "direction ({char})").format(field=field,
                                                                char=f"U+{ord(ch):04X}"))
        if (unicodedata.category(ch) == "Cc" or not multiline
                and ch in LINE_BREAKS) and ch not in allowed:
            raise BadInput(_("{field} contains a control character ({char})").format(
                field=field, char=f"U+{ord(ch):04X}"),  # (a character, not a byte: 0x202e)
                hint=_("remove it; this field is one line") if not multiline and (
                    ch in LINE_BREAKS or ch in "\n\r") else _("remove it"))
    if value and all(ch in FILLERS or ch.isspace() or unicodedata.category(ch) == "Cf"
                     and ch not in _SHOWN_MARKS for ch in value):
        value = ""  # (of marks, fillers and spaces that show nothing: a blank-looking name)
    if value == "-" and multiline and field.startswith("--") and field != "--description":
        # (--description - reads stdin, as the others do not: the text piped in was lost
        # and "-" kept for good, an event)
        raise BadInput(_("{field} -: only --description reads its text from stdin").format(
            field=field), hint=_('give the text itself, in quotes: {field} "…" (a text in a '
                                 'file: {field} "$(cat FILE)")').format(field=field),
            code="stdin_text", field=field)
    if not value:
        if required:
            raise BadInput(_("{field} must not be empty").format(field=field),
                           hint=_("type the value after {field}, in quotes if it has "
                                  "spaces").format(field=field), code="empty_value")
        return None
    if len(value) > max_len:
        raise BadInput(_("{field} is longer than {most} characters").format(
            field=field, most=max_len),
            hint=_("keep the gist here and attach the whole text as a file: complaintctl "
                   "attach ID FILE") if multiline else _("shorten it: a name or a one-line "
                                                         "value is at most {most} "
                                                         "characters").format(most=max_len),
            code="text_too_long", field=field)
    if field == "--description" and no_description(value):
        # (无, -, / filed a complaint with no description, which it cannot be filed without)
        raise _none_word(value, field, _("write what the customer said, in their words"))
    return value


def no_description(value: str) -> bool:
    """Whether a description is a word for none (无, -, /, N/A): no description, which a
    complaint cannot be filed without (`log`, and an import's row)."""
    return len(value) <= 6 and means_none(value.strip("（）()【】[]。.，,、 ") or value)


# A billion units is more than any order or return a complaint is about, far below
# SQLite's 64-bit integers even when every row of a large ledger is summed, and it
# keeps Python's unbounded ints (Typer passes `--qty 99999999999999999999` through)
# from reaching SQLite ("Python int too large") or range() and sort keys.
MAX_QUANTITY = 10**9


@overload
def quantity(value: int, field: str, *, most: int = ...) -> int: ...
@overload
def quantity(value: int | None, field: str, *, most: int = ...) -> int | None: ...


def quantity(value: int | None, field: str, *, most: int = MAX_QUANTITY) -> int | None:
    """A whole number within ±most; its sign is the caller's rule (returned goods:
    returns.count)."""
    if value is not None and not -most <= value <= most:
        raise _out_of_range(field, value, most)
    return value


def _out_of_range(field: str, value: int | str, most: int) -> BadInput:
    """A whole number beyond ±most, as typed (a count too long to read: its text)."""
    return BadInput(_("{field} {value} is out of range").format(field=field,
                                                                value=shown(value)),
                    hint=_("{field} takes a whole number up to {most}").format(
                        field=field, most=f"{most:,}"))


@overload
def positive_int(value: int, field: str, *, allow_zero: bool = ...,
                 most: int = ...) -> int: ...
@overload
def positive_int(value: int | None, field: str, *, allow_zero: bool = ...,
                 most: int = ...) -> int | None: ...


def positive_int(value: int | None, field: str, *, allow_zero: bool = False,
                 most: int = MAX_QUANTITY) -> int | None:
    if value is None:
        return None
    if value < 0 or (value == 0 and not allow_zero):
        raise BadInput((_("{field} must be 0 or a positive whole number, not {value}")
                        if allow_zero else
                        _("{field} must be a positive whole number, not {value}")).format(
            field=field, value=value),
            hint=(_("0 means no limit; else a count such as {field} 20") if allow_zero else
                  _("type a count such as {field} 1")).format(field=field))
    return quantity(value, field, most=most)


# A deadline or escalation threshold of more than 1,000 hours, days or working days
# is a typing slip, and a huge one overflows every deadline computed from it later.
MAX_DURATION = 1000


# Full-width letters, digits and signs (４ｗｄ, as a Chinese IME types them) as ASCII; not
# NFKC, which also reads a superscript ² as 2.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def half_width(value: str) -> str:
    return value.translate(_HALF_WIDTH)


# A count as clerks type it and registers write it: a unit of pieces after it (5台, 5
# pcs; not a packing unit: 5箱 is five cartons of any number), commas between
# thousands (1,200), a whole number as Excel stores it (5.0).
# The units a count may carry (5台, 5 pcs): a unit of one piece, not a carton of any number.
_UNIT = r"(?:\s*(?:台|件|个|只|套|支|片|张|组|颗|条|块|卷|根|粒|双|对|部|pcs?|units?|ea|sets?)\.?)?"
_COUNT = re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0*)?" + _UNIT,
                    re.IGNORECASE | re.ASCII)


# A count with a fraction (2.5, 2.50台), and one whose point may be a thousands mark
# (1.000, 12.000: no comma before it).
# (each with a count's own unit after it, if any: 1.000箱 is a carton, said as one)
_FRACTION = re.compile(r"[+-]?[0-9,]*\.[0-9]*[1-9][0-9]*" + _UNIT, re.IGNORECASE | re.ASCII)
_THOUSANDS_POINT = re.compile(r"\+?0*[1-9][0-9]{0,2}\.000" + _UNIT,
                              re.IGNORECASE | re.ASCII)
# A count written the European way, points between the thousands (1.000.000, 1.500,
# 10.000,00).
_EUROPEAN = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?" + _UNIT,
                       re.IGNORECASE | re.ASCII)


def path_of_one_line(value: str, field: str) -> None:
    """Refuse a file's path holding a control character or a line break (one read from
    a file with its newline: the message printed it raw, and `--db "…\n" init` made a
    ledger whose name ends in one)."""
    if value.isprintable():  # (every path typed: no import of unicodedata for overdue)
        return
    import unicodedata

    if "\x00" in value:  # (as the system refuses it, in the words run.guarded says it)
        raise BadInput(_("a file name cannot hold a NUL character (0x00)"),
                       hint=_("type the name again without it"), code="nul_in_path")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            raise BadInput(_("{field} {value} contains a control character ({char})").format(
                field=field, value=shown(value), char=f"U+{ord(ch):04X}"),
                hint=_("a path is one line: a line break at its end, read from a file?")
                if ch in "\n\r\u2028\u2029" else _("remove it"), code="control_in_path")


def read_count(value: str, field: str) -> int | None:
    """The whole number of a count as typed (５台 too: full-width is read as
    half-width), None if it is not one; one of more digits than any count has is out
    of range (int() of thousands of digits failed, of a million took seconds)."""
    typed = words.hans(half_width(value).strip())
    m = _COUNT.fullmatch(typed)
    if m is None:
        if _EUROPEAN.fullmatch(typed):  # 1.000.000, 1.500 (1,500, not 1.5), 10.000,00
            raise BadInput(_("{field} {value} has points between its thousands: write the "
                             "count in digits alone, or with commas (1,000)").format(
                field=field, value=shown(value)), hint=_("e.g. 5 or 5台"))
        if _FRACTION.fullmatch(typed):  # 2.5, 2.50台 (it said "write it in digits")
            raise BadInput(_("{field} {value}: a count is a whole number of units").format(
                field=field, value=shown(value)), hint=_("e.g. 5 or 5台"))
        return None
    if _THOUSANDS_POINT.fullmatch(typed):  # 1.000: one unit, or a thousand written the
        # European way? (it was read as 1, and 1,000 as a thousand; 001.000 as 1)
        one = m.group(2).lstrip("0")
        raise BadInput(_("{field} {value} could be read two ways: as {one} or as "
                         "{thousand}").format(field=field, value=shown(value),
                                              one=one, thousand=one + "000"),
                       hint=_("write the count without the point, e.g. {one} or "
                              "{thousand}").format(one=one, thousand=one + "000"))
    digits = m.group(2).replace(",", "").lstrip("0") or "0"  # (int() counts the zeros)
    if len(digits) > _DIGITS_MOST:
        raise _out_of_range(field, value, MAX_QUANTITY)
    return int(m.group(1) + digits)


# More digits than any count has, by far: a count of more is out of range before int()
# reads it (of thousands of digits it failed, of a million it took seconds).
_DIGITS_MOST = 100


def numbers_in(value: str, field: str, *, most: int = MAX_DURATION) -> str:
    """A word holding a number (a duration 4h, 3wd; an escalation level): the number
    in digits 0-9 (str.isdigit() accepts '²', which int() refuses) and at most `most`.
    Returns the value unchanged."""
    if any(ch.isdigit() and ch not in "0123456789" for ch in value):
        raise BadInput(_("{field} {value}: type the number with the digits 0-9").format(
            field=field, value=shown(value)))
    for digits in re.findall(r"[0-9]+", value):
        if len(digits) > 9 or int(digits) > most:
            raise BadInput(_("{field} {value} is out of range").format(
                field=field, value=shown(value)),
                hint=_("a number up to {most}").format(most=f"{most:,}"))
    return value


def _number_typed(value: str, prefix: str) -> str:
    """What is left of a record's number as typed (12, #12, A-12, ATT-7, or in full width,
    １２, as a Chinese IME types it) once its mark and prefix are taken off."""
    import unicodedata

    typed = unicodedata.normalize("NFKC", value).strip().lstrip("#").upper()
    if not typed.startswith(prefix):  # (-6 and --6 are no number: they acted on 6)
        return typed
    return typed.removeprefix(prefix).removeprefix("-")


def record_number(value: str, prefix: str) -> int | None:
    """A record's number as typed (see _number_typed), within SQLite's rowids; None for
    anything else."""
    digits = _number_typed(value, prefix)
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 18 \
        else None


def action_number(value: str, field: str = "ACTION") -> str:
    """An action number as shown (12, #12, A-12): digits 0-9 within SQLite's rowids.
    Returns the value unchanged."""
    digits = _number_typed(value, "A")
    if digits.isdigit() and not (digits.isascii() and len(digits) <= 18):
        raise BadInput(_("{field} {value} is not an action number").format(
            field=_(field), value=shown(value)),  # (ACTION as the usage line says it)
            hint=_("action numbers are shown by: complaintctl show COMPLAINT"))
    return value


# Amounts are stored as integer minor units in SQLite's signed 64-bit integers
# (at most 9.2e18). A trillion in the ledger's currency (10**14 minor units)
# covers a large claim even in currencies counted in thousands (VND, IDR), and
# about 92,000 such maxima still add up without overflowing a report's SUM().
MAX_AMOUNT = 10**12


# Commas between thousands (1,250.50); money() reads the amount NFKC-normalised, so
# 1，250 typed with a full-width comma is matched as 1,250.
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


# The signs and words of a currency written around an amount (¥1,250.50, 1250元, RMB 80,
# $100, 100 USD), by its code (the code itself is taken too): read in a ledger kept in
# that currency, where they can mean nothing else; another currency's are refused. After
# NFKC (￥ is ¥, ＄ is $) and with traditional characters read as simplified (港幣 is
# 港币). 元 is the yuan, and in Hong Kong, Macau and Taiwan their own dollar too, as $ is;
# 块 (块钱) is how the yuan and Taiwan's dollar are said, 元整 how a receipt writes them.
CURRENCY_SIGNS: dict[str, tuple[str, ...]] = {
    "CNY": ("¥", "元", "RMB", "人民币", "元整", "块", "块钱", "元人民币", "人民币元"),
    "USD": ("US$", "$", "美元", "美金"), "EUR": ("€", "欧元"),
    "GBP": ("£", "英镑"), "JPY": ("¥", "円", "日元", "日圆"),
    "HKD": ("HK$", "港元", "港币", "元", "$", "元整", "港纸"),
    "TWD": ("NT$", "NTD", "新台币", "台币", "元", "$", "块", "块钱", "元整"),
    "MOP": ("MOP$", "澳门元", "澳门币", "元", "$", "元整")}
# A $ alone, in a ledger of another currency than a dollar written so where it is kept
# (the US, Hong Kong, Taiwan, Macau: $1,250 there is their own): whose it is, nobody can
# tell.
_DOLLAR = re.compile(r"^\s*\$\s*|\s*\$\s*$")


def _signs(words: list[str], pattern: str = "") -> re.Pattern[str]:
    """The words (longest first), or `pattern`, before or after the rest."""
    alternatives = "|".join([*(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                             *([pattern] if pattern else [])])
    return re.compile(rf"^\s*(?:{alternatives})\s*|\s*(?:{alternatives})\s*$", re.IGNORECASE)


def _currency_signs(code: str) -> re.Pattern[str]:
    return _signs([code, *CURRENCY_SIGNS.get(code, ())])


# Any currency's sign or code around a number (after the ledger's own were taken off).
_ANY_CURRENCY = _signs(sorted({w for ws in CURRENCY_SIGNS.values() for w in ws}), "[A-Z]{3}")
# What is read as a number: digits with a point (and a sign, refused below with its own
# words); not Decimal's other forms (1e3, 1_000), which nobody means as an amount.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


# The units a Chinese amount may be typed in (万: ten thousand, 亿: a hundred million;
# 萬, 億 in traditional characters are read as these).
_CN_UNITS = {"万": 10_000, "亿": 100_000_000}


def _foreign(raw: str, currency: str) -> bool:
    """`raw` is a number (in ten thousands too: 1.2万美元) with a sign or code around it
    that is not the ledger's `currency`'s (a $ alone aside: money says why)."""
    mine = {w.casefold() for w in (currency, *CURRENCY_SIGNS.get(currency, ()))}
    if not any(m.group().strip().casefold() not in mine | {"$"}
               for m in _ANY_CURRENCY.finditer(raw)):
        return False
    rest = _ANY_CURRENCY.sub("", raw).replace(",", "").strip()
    return bool(_NUMBER.fullmatch(rest.removesuffix("万").removesuffix("亿").rstrip()))


def names_currency(word: str, currency: str) -> bool:
    """`word` (a register's currency column: CNY, 人民币, ¥) is `currency`'s code or sign."""
    import unicodedata

    typed = unicodedata.normalize("NFKC", word).strip().casefold()
    return typed in {w.casefold() for w in (currency, *CURRENCY_SIGNS.get(currency, ()))}


def _other_currency(value: str, field: str, currency: str) -> BadInput:
    return BadInput(_("{field} {value} is in another currency than the ledger's "
                      "({code})").format(field=field, value=shown(value), code=currency),
                    hint=_("amounts are kept in {code}: give the amount in it, e.g. "
                           "{field} {example}").format(code=currency, field=field,
                                                       example=_example(currency)),
                    code="other_currency", field=field)


def _example(currency: str | None) -> str:
    """An amount to give as an example: whole in a currency without a smaller unit (the
    yen's 1250.50 was itself refused)."""
    return "1250" if currency in i18n.WHOLE_CURRENCIES else "1250.50"


# An amount whose point may be a thousands mark: one to three digits, a point, three
# digits (1.250, 12.500).
_POINT_THOUSANDS = re.compile(r"\+?[1-9][0-9]{0,2}\.[0-9]{3}")


def money(value: str | None, field: str = "--amount", *, currency: str | None = None
          ) -> int | None:
    """Parse an amount into integer minor units (cents, 分); never a float. `currency`:
    the ledger's, whose signs and code written around the number are taken (¥1,250.50,
    1250元, $100, 100 USD); another currency's are refused as such. 1.5万 is 15000."""
    if value is None:
        return None
    import unicodedata  # full-width digits and point, as a Chinese IME types them
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

    raw = words.hans(unicodedata.normalize("NFKC", value).strip())
    if currency:
        own = _currency_signs(currency)
        if _foreign(raw, currency):  # before the ledger's own sign is taken off: 1200美元
            raise _other_currency(value, field, currency)  # ended with 元, the yuan's
        raw = own.sub("", raw) or raw
        if own.search(raw):  # ¥¥1250, 1250元元: its own sign twice is no amount (below), not
            pass  # another currency's
        elif _DOLLAR.search(raw) and _NUMBER.fullmatch(_DOLLAR.sub("", raw).replace(",", "")):
            raise BadInput(_("{field} {value}: a $ alone may be any dollar; the ledger keeps "
                             "its amounts in {code}").format(field=field, value=shown(value),
                                                             code=currency),
                           hint=_("give the amount without it, e.g. {field} {example}"
                                  ).format(field=field, example=_example(currency)),
                           code="dollar_sign", field=field,
                           number=_DOLLAR.sub("", raw))  # (what a register writes instead)
        elif _ANY_CURRENCY.search(raw) and _NUMBER.fullmatch(
                _ANY_CURRENCY.sub("", raw).replace(",", "")):
            raise _other_currency(value, field, currency)
    # 1.5万 (元): in ten thousands, as a Chinese clerk says and types an amount; 1.2亿, in
    # hundreds of millions (it was "not an amount" where 万 was taken)
    unit = _CN_UNITS.get(raw[-1:], 1) if raw else 1
    if unit != 1:
        raw = raw[:-1].rstrip()
    if "," in raw and _THOUSANDS.fullmatch(raw):
        raw = raw.replace(",", "")  # 1,250.50: separators of thousands
    elif unit == 1 and _POINT_THOUSANDS.fullmatch(raw):  # 1.250: 1,250 written the
        # European way, or 1.25? (a euro ledger stored 1.25 for a German clerk's 1.250)
        large, small = raw.replace(".", "").lstrip("+"), raw.lstrip("+")
        if small.endswith("0"):  # 1.250: as 1.25 (as it was kept)
            small = small[:-1]
        raise BadInput(_("{field} {value} could be read two ways: as {small} or as "
                         "{large}").format(field=field, value=shown(value),
                                           small=small, large=large),
                       hint=_("write it without the point, e.g. {field} {large}, or with "
                              "at most two decimals").format(field=field, large=large),
                       code="amount_point_thousands", field=field, small=small, large=large)
    try:
        if not _NUMBER.fullmatch(raw):  # any other comma (12,50 or 99，5), 1e3, NaN: refused
            raise InvalidOperation
        with localcontext() as exact:  # (a product rounds to 28 digits by default:
            exact.prec = len(raw) + 10  # 1.00000000000000000000000000001亿 was 1亿)
            amount = Decimal(raw) * unit
    except InvalidOperation:
        raise BadInput(_("{field} {value} is not an amount").format(
            field=field, value=shown(value)),
            hint=(_("type a whole number, e.g. {field} 1250 (a comma only between "
                    "thousands: 1,250)") if currency in i18n.WHOLE_CURRENCIES else
                  _("type a number with a point before at most two decimals, e.g. {field} "
                    "1250.50 (a comma only between thousands: 1,250.50)")).format(
                field=field), unread=True) from None  # (an import says it in its terms)
    if amount < 0:
        raise BadInput((_("{field} must be more than 0, not {value}") if field == "--amount"
                        else _("{field} must be zero or more, not {value}")).format(
            field=field, value=shown(value)),
            hint=_("type the amount without a sign: what the money is for is the "
                   "disposition (refund, compensation …)") if field == "--amount" else
            _("type the amount without a sign"))
    if amount > MAX_AMOUNT:  # before quantize(), which fails on a huge exponent
        raise BadInput(_("{field} {value} is out of range").format(
            field=field, value=shown(value)),
            hint=_("an amount is at most {most}").format(most=f"{MAX_AMOUNT:,}"))
    if currency in i18n.WHOLE_CURRENCIES and amount != amount.to_integral_value():
        raise BadInput(_("{field} {value}: {code} has no unit smaller than one").format(
            field=field, value=shown(value), code=currency),
            hint=_("give a whole amount, e.g. {field} {rounded}").format(
                field=field, rounded=amount.quantize(Decimal("1"), ROUND_HALF_UP))
            if amount >= Decimal("0.5") else  # (0.4 offered 0, itself refused)
            _("give a whole amount: the least is 1"))
    if amount != amount.quantize(Decimal("0.01")):
        raise BadInput(_("{field} {value} has more than two decimals").format(
            field=field, value=shown(value)),
            hint=_("amounts are kept to the cent: e.g. {field} {rounded}").format(
                field=field, rounded=amount.quantize(Decimal("0.01"), ROUND_HALF_UP))
            if amount >= Decimal("0.005") else  # (0.004 offered 0.00, itself refused)
            _("amounts are kept to the cent: the least is 0.01"), code="many_decimals")
    return int(amount * 100)


def format_money(minor: int | None) -> str | None:
    if minor is None:
        return None
    if not isinstance(minor, int):  # a value written by hand, not in whole cents (verify
        from decimal import Decimal, InvalidOperation  # names it): said as it is, not a

        try:  # failure of show or report
            return str(Decimal(str(minor)) / 100)
        except InvalidOperation:
            return str(minor)
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


# --- dates and times -------------------------------------------------------

# Dates a user types must fall in these years. Python's datetime spans years 1-9999
# and the arithmetic near either end overflows: 0001-01-01 00:00 in Shanghai is in
# year 0 in UTC, the week of 0001-01-01 starts before year 1, a deadline or the
# next month after 9999-12 is past year 9999. No complaint, shipment, holiday or
# report period of a living business is before 1900 or after 2199, and the margin
# of decades on both sides keeps every offset the ledger adds (time zones, 90-day
# revisits, previous periods, working-day counts) far from the edges.
FIRST_YEAR, LAST_YEAR = 1900, 2199



def _check_year(year: int, field: str, value: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadInput(_("{field} {value} is out of range").format(
            field=field, value=shown(value)),
            hint=_("type a date with a year from {first} to {last}").format(
                first=FIRST_YEAR, last=LAST_YEAR), code="date_out_of_range")


_CJK_DATE = re.compile(r"^\s*([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?(.*)$")

# A date typed as numbers alone: its first one, two or three numbers and what follows.
# Only year-month-day is taken (2026-03-04, 2026/3/4, 2026.3.4, 20260304): 03/04/2026
# is 3 April to some and 4 March to others, and no rule over the digits tells which
# (20/11/2026 only seems clear), so every other order is refused, whatever the digits.
_NUMERIC_DATE = re.compile(r"^([0-9]+)(?:\s*([./-])\s*([0-9]+)(?:\s*[./-]\s*([0-9]+))?)?"
                           r"(?![0-9:])(.*)$")
# An ISO week as typed (2026-W49, 2026w49, 2026-w49-3): read as fromisoformat reads it.
_ISO_WEEK = re.compile(r"^([0-9]{4})-?[wW]([0-9]{2})(?:-?([1-7]))?$")
# and as the Chinese report names it (2026年第48周, the title of last week's report)
_CJK_WEEK = re.compile(r"^([0-9]{4})\s*年\s*第\s*([0-9]{1,2})\s*周$")
_CJK_MONTH = re.compile(r"\s*([0-9]{4})\s*年\s*([0-9]{1,2})\s*月(?:份)?\s*")
_SPACED_NUMBERS = re.compile(r"^[0-9]+\s+[0-9]+\s+[0-9]+(?![0-9:])")
_SIGNED_NUMBER = re.compile(r"^[+-]\s*[0-9]")
_LETTER = re.compile(r"[^\W\d_]")
# A weekday names no one date (`monday` was next Monday, in the future): refused.
# A weekday of last, this or next week in English (last Friday, next Tue), as the Chinese
# words say it (上周五, 下周二): `last friday` was "a weekday, not a date".
_EN_WEEKDAY = (r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?"
               r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?")
_ENGLISH_WEEK = re.compile(rf"^\s*(last|this|next)\s+({_EN_WEEKDAY})\b", re.IGNORECASE)
_ENGLISH_WEEK_OF = {"last": "上", "this": "本", "next": "下"}
_ENGLISH_WEEK_ALONE = re.compile(r"^\s*(last|this|next)\s+week\s*$", re.IGNORECASE)
# The weekdays as the week words write them, Monday first (周五, 上周一).
_WEEKDAY_CHARS = "一二三四五六日"
_WEEKDAY = re.compile(rf"\b(?:{_EN_WEEKDAY})\b|(?:周|星期|礼拜)[一二三四五六七日天末]"
                      r"|(?<=[(（])[一二三四五六日](?=[)）])",  # （五）, as a form abbreviates it
                      re.IGNORECASE)
# A year of the Republic of China, as Taiwan's forms write it: 民國115年 is 2026 (as
# numbers, 115/10/23, _year_first reads it: a year of three digits is no other).
# A year of three digits without 民國 is one only where the Republic's years are the
# custom: in a ledger on Taiwan's clock (elsewhere 114/03/04 is refused, not read as 2025).
_ROC_YEAR = re.compile(r"^(?:(?:中华)?民国\s*(0*[1-9][0-9]{0,2})\s*([年/.-])|(1[0-9]{2})\s*(年))")
_ROC_ZONES = frozenset({"Asia/Taipei", "ROC"})
# A ROC date in seven digits, on Taiwan's clock: year (100-199), month, day.
_ROC_COMPACT = re.compile(r"(1[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])")
# A weekday named with a date, with the brackets or comma around it: （星期二）, (Tue),
# ", Tuesday".
_WEEKDAY_AROUND = re.compile(r"[\s,(（]*(?:" + _WEEKDAY.pattern + r")[\s,)）]*", re.IGNORECASE)
# Numbers written in Chinese characters where a date or a time has them: 下午三点,
# 三点十五, 十点一刻, 二〇二六年十二月三日, 民國一一五年; and a weekday by its digit, 上周5.
_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = "[零〇○一二两三四五六七八九十]+"
_CN_BEFORE_UNIT = re.compile(rf"(?<![周期拜])({_CN_NUMBER})(?=\s*[年月日号点时分秒])")
_CN_AFTER_HOUR = re.compile(rf"(?<=[0-9]点)([一三]刻|{_CN_NUMBER})"
                            r"(?![0-9零〇○一二两三四五六七八九十月日号])")
_DIGIT_WEEKDAY = re.compile(r"(周|星期|礼拜)\s*([1-7])(?![0-9])")


def _cn_number(text: str) -> str:
    """二十三 -> 23, 十 -> 10, 二〇二六 -> 2026, 一一五 -> 115, 一刻 -> 15; text that is no
    such number as it is (二十二十, 十十)."""
    if text.endswith("刻"):
        return str(15 * _CN_DIGITS[text[0]])
    tens, ten, ones = text.partition("十")
    if not ten:
        return "".join(str(_CN_DIGITS[ch]) for ch in text)
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return text
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


def _date_text(value: str) -> str:
    """A date, month or year as typed, as they are read: full-width forms as ASCII (as a
    Chinese input method types them), Traditional characters as Simplified, its numbers in
    digits (_arabic), stripped."""
    import unicodedata

    return _arabic(words.hans(_DATE_MARKED.sub(_date_marks, unicodedata.normalize(
        "NFKC", value).strip())))


# Marks a word processor or a chat app puts between a year-first date's numbers for - and
# . (an en or em dash, a hyphen, a minus sign, the ideographic full stop): read as them
# there only (9:00–10:00 is a span of time, not 9:00 at UTC-10:00).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DATE_MARKED = re.compile(f"(?<![0-9:])[0-9]{{4}}([{_DASHES}\u3002])[0-9]{{1,2}}"
                          f"(?:\\1[0-9]{{1,2}})?(?![0-9])")
_DATE_MARKS = str.maketrans({**dict.fromkeys(_DASHES, "-"), "\u3002": "."})


def _date_marks(m: re.Match[str]) -> str:
    return m[0].translate(_DATE_MARKS)


def _arabic(raw: str) -> str:
    """`raw` with the numbers of its date and time written in digits (下午三点十五 -> 下午3点15,
    上周5 -> 上周五, 三点钟 -> 3点); a text without them as it is."""
    raw = _DIGIT_WEEKDAY.sub(lambda m: m[1] + _WEEKDAY_CHARS[int(m[2]) - 1], raw)
    raw = raw.replace("点钟", "点")  # 三点钟
    if not any(ch in _CN_DIGITS or ch == "十" for ch in raw):
        return raw
    raw = _CN_BEFORE_UNIT.sub(lambda m: _cn_number(m[1]), raw)
    # (三点五 alone is 3:05 to some and half past three to others: left as typed, refused)
    return _CN_AFTER_HOUR.sub(lambda m: m[1] if len(m[1]) == 1 else
                              _cn_number(m[1]).zfill(2), raw)


_WEEKDAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# A weekday of last, this or next week (Monday to Sunday, as China counts them): 上周五,
# 上个星期五, 这周一, 本礼拜三, 下周二 -- one date each (a weekday alone names none).
_WEEK_NAMED = r"^(上上|下下|上|这|本|今|呢|下)个?\s*(?:周|星期|礼拜)"
_WEEK_OF = re.compile(_WEEK_NAMED + "([一二三四五六日天])")
_WEEK_OFFSET = {"上上": -2, "下下": 2, "上": -1, "这": 0, "本": 0, "今": 0, "呢": 0, "下": 1}
# A date written after a day of a week (上周五 2026-01-01): two days, not a day and a time.
_DATE_IN = re.compile(r"\d{4}|[年月日]|\d[-/.]\d")


def _monday(now: datetime, tz: tzinfo, which: str) -> date:
    """The Monday of the week `which` (上, 这, 下 … of _WEEK_OFFSET) names, in `tz`."""
    today = now.astimezone(tz).date()
    return today - timedelta(days=today.weekday() - 7 * _WEEK_OFFSET[which])


def _weekday_is(year: int, month: int, day: int, weekdays: list[int | None]) -> bool:
    """Whether that day of that year falls on each of the weekdays (a day that is not
    in that year, 29 February, falls on none)."""
    try:
        return all(date(year, month, day).weekday() == w for w in weekdays)
    except ValueError:
        return False


def _weekday_of(word: str) -> int | None:
    """The weekday (Monday 0) a word names: tue, Tuesday, 周二, 星期日; None for 周末."""
    if word[-1] in _WEEKDAY_NUMBERS:
        return _WEEKDAY_NUMBERS[word[-1]]
    if word[-1] == "末":
        return None
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(word[:3].lower())


# The words for now, today and yesterday, in both languages.
_NOW_WORDS = {"now": "now", "现在": "now", "today": "today", "今天": "today",
              "今日": "today", "yesterday": "yesterday", "昨天": "yesterday",
              "昨日": "yesterday", "前天": "2 days ago",
              # Cantonese: 尋日, 琴日 (yesterday), 前日
              "寻日": "yesterday", "尋日": "yesterday", "琴日": "yesterday",
              "前日": "2 days ago",
              # ahead, for a date that may be ahead (action add --due 明天): a time that
              # may not is refused as in the future, as one typed
              "tomorrow": "tomorrow", "明天": "tomorrow", "明日": "tomorrow",
              "听日": "tomorrow", "聽日": "tomorrow", "后天": "in 2 days",
              "後天": "in 2 days", "大后天": "in 3 days", "大後天": "in 3 days"}
_DAYS_BACK = {"today": 0, "yesterday": 1, "2 days ago": 2, "tomorrow": -1, "in 2 days": -2,
              "in 3 days": -3}
# The day word of the day after (the midnight that ends 昨天晚上 is 今天凌晨0点).
_NEXT_DAY_WORD = {"昨天": "今天", "昨日": "今日", "前天": "昨天", "寻日": "今日", "尋日": "今日",
                  "琴日": "今日", "前日": "尋日", "yesterday": "today", "今天": "明天",
                  "今日": "明日", "明天": "后天", "明日": "后天", "听日": "后天", "聽日": "后天",
                  "后天": "大后天", "後天": "大後天", "today": "tomorrow"}
# A day word with a time after it: 昨天 14:30, today 9:30, 今天 9点30分.
_DAY_AND_TIME = re.compile("^(" + "|".join(w for w, meaning in _NOW_WORDS.items()
                                           if meaning in _DAYS_BACK) + r")\s*(.+)$")
# A time of day as clerks write it: 9点, 9点30分, 09时30分00秒, 3点半, 9点整, with the part
# of the day before it (下午3点, 晚上8点半, 下午 3:30); 9:30 alone ISO reads itself.
_DAY_PART = r"(上午|早上|早晨|凌晨|中午|下午|傍晚|晚上|夜里)"
# The parts of the day Hong Kong says otherwise, as the ones above: 朝早, 上晝 (morning),
# 下晝 (afternoon), 晏晝 (midday), 夜晚 (evening); and a day with its part in one word:
# 昨晚, 尋晚, 琴晚 (last night), 今晚, 今早, 明早, 明晚, Hong Kong's 今朝 (this morning),
# 聽朝 and 聽晚 (tomorrow's); and the short 早 and 晚 before an hour (早8点, 晚8点半: 早上,
# 晚上).
_CANTONESE_PARTS = re.compile("朝早|[上下晏][晝昼]|夜晚|[昨今寻尋琴明聽听]晚|[今明]早|[今聽听]朝|"
                              "(?<![傍夜昨今寻尋琴明朝])[早晚](?=\\s*[0-9零〇一二两兩三四五六七八九十])")
_PART_OF = {"朝早": "上午", "上晝": "上午", "上昼": "上午", "下晝": "下午", "下昼": "下午",
            "晏晝": "中午", "晏昼": "中午", "夜晚": "晚上", "昨晚": "昨天晚上",
            "寻晚": "昨天晚上", "尋晚": "昨天晚上", "琴晚": "昨天晚上", "今晚": "今天晚上",
            "今早": "今天上午", "明早": "明天上午", "明晚": "明天晚上", "早": "上午",
            "晚": "晚上", "今朝": "今天上午", "聽朝": "明天上午", "听朝": "明天上午",
            "聽晚": "明天晚上", "听晚": "明天晚上"}
# A week named alone (上周, 本周, 这个星期), for the options that take a week.
_WEEK_ALONE = re.compile(_WEEK_NAMED + "$")
_CJK_CLOCK = re.compile(rf"^\s*{_DAY_PART}?\s*([0-9]{{1,2}})\s*[点时]\s*(?:(半)|([0-9]{{1,2}})\s*"
                        r"分?\s*(?:([0-9]{1,2})\s*秒)?)?\s*整?\s*$")
_PART_CLOCK = re.compile(rf"^\s*{_DAY_PART}\s*([0-9]{{1,2}})()[:：]([0-9]{{2}})"
                         r"(?:[:：]([0-9]{2}))?\s*$")
# The hours each part of the day names, as typed -> on the 24-hour clock: one the part
# contradicts (上午15点, 凌晨10点) or that names no one night (晚上12点, 晚上1点) is
# refused, not read 12 hours off.
_PART_HOURS: dict[str, dict[int, int]] = {
    **dict.fromkeys(("上午", "早上", "早晨"), {h: h for h in range(5, 13)}),
    "凌晨": {**{h: h for h in range(0, 7)}, 12: 0},
    "中午": {11: 11, 12: 12, 13: 13, 1: 13, 2: 14},
    "下午": {**{h: h + 12 for h in range(1, 8)}, **{h: h for h in range(13, 20)}},
    "傍晚": {**{h: h + 12 for h in range(4, 9)}, **{h: h for h in range(16, 21)}},
    **dict.fromkeys(("晚上", "夜里"), {**{h: h + 12 for h in range(6, 12)},
                                   **{h: h for h in range(18, 24)}}),
}
# A date written any way, then such a time of day (2026-12-03 下午3点, 2026/12/3 15点半).
_DATE_AND_CLOCK = re.compile(rf"^(.*?[0-9])\s*({_DAY_PART}?\s*[0-9]{{1,2}}\s*[点时].*|"
                             rf"{_DAY_PART}\s*[0-9]{{1,2}}[:：].*)$")
# A month and day without the year (3月5日): refused, the hint giving the year.
_NO_YEAR = re.compile(r"^\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?")


# A day and a time of day written with a point or a comma (2026-03-04 14.30), and an
# hour with any other fraction after it (14.5, 14,305).
_DOTTED_CLOCK = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([01]?[0-9]|2[0-3])[.,]"
                           r"([0-5][0-9])$")
_HOUR_FRACTION = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{1,2}[.,]")


def _clock(text: str) -> str:
    """9点30分 -> 09:30, 下午3点半 -> 15:30 (an ISO time of day); other text, and a time
    its part of the day contradicts (上午15点, 晚上12点: which night?), as it is, for
    the caller to refuse."""
    m = _CJK_CLOCK.match(text) or _PART_CLOCK.match(text)
    if not m:
        return text
    part, hour = m.group(1), int(m.group(2))
    minute = 30 if m.group(3) else int(m.group(4) or 0)
    second = int(m.group(5) or 0)
    if part in ("上午", "下午") and m.re is _PART_CLOCK and 1 <= hour <= 11:
        # 上午/下午 with a colon is AM/PM of a 12-hour clock, as Windows writes a time
        # (下午 08:30:00 is 20:30, was refused); 上午 12:05 is 00:05 to Windows and noon to
        # a clerk, and 下午 0:30 neither: refused with both readings, not read 12 hours off
        hour += 12 if part == "下午" else 0
        part = None
    elif (part, hour) in (("上午", 12), ("下午", 0)) and m.re is _PART_CLOCK and minute <= 59:
        raise _PartContradicts(part, hour, minute)
    elif (part, hour) in (("上午", 0), ("下午", 12)) and m.re is _PART_CLOCK:
        part = None  # (上午 0:30 and 下午 12:30 say one time each)
    elif part == "下午" and m.re is _PART_CLOCK and 13 <= hour <= 23:
        part = None  # (下午 20:30 said twice)
    if part is not None:
        if hour not in _PART_HOURS[part]:
            if hour <= 23 and minute <= 59:
                raise _PartContradicts(part, hour, minute)
            return text  # (下午25点: no hour at all; read as nothing, and said so)
        hour = _PART_HOURS[part][hour]
    if hour > 23 or minute > 59 or second > 59:
        return text
    return f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second else "")


# A day as typed before a time, 2026-12-01 or 2026年12月1日 (its date for a hint).
_DAY_TYPED = re.compile(r"([0-9]{4})\s*[-年/.]\s*([0-9]{1,2})\s*[-月/.]\s*([0-9]{1,2})\s*[日号]?")
# A time of day alone, as _clocks leaves 下午3点 (15:00).
_BARE_CLOCK = re.compile(r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?")


class _PartContradicts(ValueError):
    """A part of the day that does not name the hour typed (下午8点: 晚上8点 or 20:00)."""

    def __init__(self, part: str, hour: int, minute: int):
        super().__init__(part)
        self.part, self.hour, self.minute = part, hour, minute

    def hint(self, day: str = "") -> str:
        """The times the hour may have meant, each as a part of the day says it and on
        the 24-hour clock: 下午8点 -> 上午8点 (08:00) / 晚上8点 (20:00); 上午15点 -> 下午3点
        (15:00); after the day typed before it (昨天上午15点 -> 昨天下午3点: the hint
        without it was refused as no day)."""
        typed = self.hour
        meant = [typed] if typed > 12 else [typed % 12, typed % 12 + 12]
        ymd = _DAY_TYPED.fullmatch(day.strip())
        if ymd is not None:  # a date, written as each of the times writes it (2026年2月13日
            # 中午12点 beside 2026-02-14 凌晨0点: which to copy?)
            try:
                day = date(*map(int, ymd.groups())).isoformat()
            except ValueError:
                pass
        day = f"{day} " if day[-1:].isdigit() else day  # 2026-11-03 下午3点, 昨天下午3点
        shown = []
        for clock in meant:
            if clock == 0 and self.part in ("晚上", "夜里"):  # midnight ends its day
                try:  # the next day's 0点, by its date when the day typed is one
                    ymd = _DAY_TYPED.fullmatch(day.strip())
                    if ymd is None:
                        raise ValueError(day)
                    after = (date(*map(int, ymd.groups())) + timedelta(days=1)).isoformat()
                    shown.append(f"{after} 凌晨0点" + (f"{self.minute}分" if self.minute
                                                     else "") + f" ({after} 00:{self.minute:02d})")
                except ValueError:  # a day word: the word of the day after (昨天 -> 今天);
                    # any other, the next day said (it is not read: the hint is a hint)
                    word = _NEXT_DAY_WORD.get(day.strip())
                    midnight = f"{word}凌晨0点" if word else f"{day}次日凌晨0点"
                    shown.append(midnight + (f"{self.minute}分" if self.minute else "") +
                                 f" ({word + ' ' if word else ''}00:{self.minute:02d})")
                continue
            parts = ("中午",) if clock == 12 else ("凌晨", "上午", "下午", "晚上", "中午")
            said = [(p, h) for p in parts for h, on in _PART_HOURS[p].items()
                    if on == clock and h <= 12]
            if said:  # the hour typed if it can be (0点 for midnight: 凌晨12点 is rare)
                p, h = min(said, key=lambda ph: ph[1] != (0 if clock == 0 else typed))
                shown.append(f"{day}{p}{h}点" + (f"{self.minute}分" if self.minute else "")
                             + f" ({day.strip() + ' ' if day else ''}{clock:02d}:"
                             f"{self.minute:02d})")
        return _("write {words}").format(words=" / ".join(shown))


# A span of time at the end of a date (9:00-10:00, 9:30~11, 下午3点到4点, 10-11点): not a
# time with an offset (after a T, 2026-03-04T09:00-10:00, or seconds; or _an_offset's).
_SPAN_MARK = r"(?:-|~|～|至|到|–|—|－)"
_SPAN_MINUTES = r"(?:\s*(?:[0-9]{1,2}\s*分?|半|一刻|三刻))?"
_SPAN_CLOCK = rf"(?:[0-9]{{1,2}}:[0-9]{{2}}|[0-9]{{1,2}}\s*[点時时]{_SPAN_MINUTES})"
_SPAN_END = rf"[0-9]{{1,2}}(?::[0-9]{{2}})?(?:\s*[点時时]{_SPAN_MINUTES})?"
_SPAN = re.compile(rf"(?<![Tt0-9:])(?:{_SPAN_CLOCK}|[0-9]{{1,2}}(?=\s*{_SPAN_MARK}\s*[0-9]{{1,2}}"
                   rf"\s*[点時时]))\s*{_SPAN_MARK}\s*{_SPAN_END}\s*$"
                   # (whole hours after a day: 2026-03-04 10-11 was 10:00 at UTC-11:00)
                   rf"|(?<=\s)[0-9]{{1,2}}\s*{_SPAN_MARK}\s*[0-9]{{1,2}}\s*$")
# A time of day, a hyphen and an hour (14:30-05:00, 9:00-10:00): an offset or a span.
_DASH_CLOCKS = re.compile(r"(?<![Tt0-9:])([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2})"
                          r"(?::?([0-9]{2}))?\s*$")


def _an_offset(raw: str) -> bool:
    """Whether a time followed by a hyphen and an hour is the time with its offset: the
    hour after the hyphen no later than the time (14:30-05:00, as str(datetime) writes
    it; a span ends after it begins: 9:00-10:00, 14:30-15:00), or written as complaintctl
    writes a time's offset, a space before the sign and none after (01:30 -05:00, the
    second 01:30 of a night the clocks go back in New York, printed so by show and
    overdue, was refused as a span)."""
    printed = _PRINTED_OFFSET.search(raw)
    if printed is not None:
        return timedelta(hours=-int(printed[1])) >= _OFFSET_LEAST
    m = _DASH_CLOCKS.search(raw)
    return m is not None and int(m[3]) * 60 + int(m[4] or 0) <= int(m[1]) * 60 + int(m[2])


# A time and its offset west of UTC as local_time writes it: "01:30 -05:00".
_PRINTED_OFFSET = re.compile(r"(?<![0-9:])[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})? -([0-9]{2}):"
                             r"[0-9]{2}$")


# The offsets time zones have, UTC-12:00 to UTC+14:00.
_OFFSET_LEAST, _OFFSET_MOST = timedelta(hours=-12), timedelta(hours=14)


def _offset_said(at: datetime) -> str:
    """An aware time's offset as ISO 8601 writes it: +08:00, -15:00."""
    offset = f"{at:%z}"
    return f"{offset[:3]}:{offset[3:5]}"
# A zone's abbreviation after a date or a time (EST, CEST, JST, GMT+8, UTC-5; not TBD).
# The hours from UTC of the zones' abbreviations that name one offset (CST, IST: two
# or three places, none)
_ZONE_HOURS = {"EST": -5, "EDT": -4, "CDT": -5, "MDT": -6, "MST": -7, "PST": -8, "PDT": -7,
               "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1, "MSK": 3,
               "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11}
_ZONE_AT_END = re.compile(r"(?<![A-Za-z])(?:[A-Z]{1,4}T|UTC|(?:GMT|UTC)[+-][0-9]{1,2})$")


class _ZoneInWords(ValueError):
    """A time zone python-dateutil would read wrongly or not at all."""


class _PartOfADay(ValueError):
    """A date without its year, month or day (Nov 2026, Dec 5), which python-dateutil
    would fill in from today."""


_OTHER_DEFAULT = datetime(1999, 2, 3)  # (not a day today could be, a leap year apart)


# A numeric offset at the end of a time, not after a zone's name (GMT+8 is read the POSIX
# way, eight hours behind, and refused).
_NUMERIC_OFFSET = re.compile(r"(?<![A-Za-z])\s*([+-])([0-9]{2}):?([0-9]{2})$")


# A time of day written with a colon (14:30, 2:30 pm), taken out before _year_guessed.
_CLOCK_IN = re.compile(r"\b[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:\s*[ap]\.?m\.?)?",
                       re.IGNORECASE)


def _year_guessed(raw: str) -> bool:
    """A day written with a month's name whose year would be a guess: no number of four
    digits, and two numbers or more besides a time with a colon (4-Mar-21, 4th Mar 21,
    Dec 3 9.30 -- dateutil read them 2004-03-21 and 2009-12-03)."""
    text = _CLOCK_IN.sub(" ", raw)
    if not re.search(r"[a-z]{3}", text, re.IGNORECASE) or re.search(r"[0-9]{4}", text):
        return False
    return len(re.findall(r"[0-9]+", text)) >= 2


def _dateutil_parse(value: str, default: datetime) -> datetime:
    """The uncommon forms; a zone among them is refused (_ZoneInWords): dateutil drops
    a name it does not know (EST, CST) with a warning, reads GMT+8 the POSIX way (as
    eight hours behind) and a known name (UTC) rightly; one rule for all of them."""
    import warnings

    from dateutil import parser  # only for the uncommon forms

    with warnings.catch_warnings():
        warnings.simplefilter("error", parser.UnknownTimezoneWarning)
        try:
            parsed = parser.parse(value, default=default, dayfirst=False, yearfirst=True)
            # what it did not find it takes from `default`: read again with another, a
            # day it names only in part (Nov 2026, Dec 5) comes out another day
            other = parser.parse(value, default=_OTHER_DEFAULT, dayfirst=False,
                                 yearfirst=True)
        except parser.UnknownTimezoneWarning:
            raise _ZoneInWords from None
    if parsed.tzinfo is not None:
        # an offset written as one (01 Dec 2026 14:30:00 +08:00, as mail headers write a
        # time: it was refused as "a zone in words", the message asking for an offset)
        m = _NUMERIC_OFFSET.search(value)
        if m is None or parsed.utcoffset() != (1 if m[1] == "+" else -1) * timedelta(
                hours=int(m[2]), minutes=int(m[3])):
            raise _ZoneInWords
        return parsed
    if other.date() != parsed.date():
        raise _PartOfADay
    return parsed


def _not_roc(year: str, field: str, value: str) -> BadInput:
    return BadInput(_("{field} {value}: a year of three digits ({year}) is a year of the "
                      "Republic (民國) only in a ledger on Taiwan's time").format(
        field=field, value=shown(value), year=year),
        hint=_("write the year in full, e.g. {full}, or 民國{year}年 for a year of the "
               "Republic (a Taiwan ledger on another clock: complaintctl policy timezone "
               "Asia/Taipei)").format(full=int(year) + 1911, year=year), code="roc_year",
        value=value)


# A span of time from now written where a date goes: +7d, 7 days, 7天后 (15日, 5月 are a
# day and a month, said as they are).
_FROM_NOW = re.compile(r"(?:[+＋]\s*[0-9]+\s*(?:d|days?|w|wks?|weeks?|h|hours?|months?|天|日|周|"
                       r"星期|个?月|小时)|[0-9]+\s*(?:d|days?|w|wks?|weeks?|hours?|months?|天|"
                       r"日(?=\s*(?:后|以后|之后))|周|星期|个月|小时))\s*(?:后|以后|之后|later)?",
                       re.IGNORECASE)
# The options whose day may be ahead of now, by a word (明天, 下周五).
_AHEAD_FIELDS = frozenset({"--due", "--as-of"})

# The options that take a day (no time of day): a number of four digits there is a year.
_DAY_FIELDS = frozenset({"--since", "--until", "--week", "--shipped", "--add-holiday",
                         "--add-workday", "--add-closure", "--remove"})


# A month and a day in numbers, no year (11-3, 12/3, 11.3 14:00).
_MONTH_DAY_NUMBERS = re.compile(r"([0-9]{1,2})([-/])([0-9]{1,2})(?:\s+[0-9]{1,2}:[0-9]{2})?")


def _year_first(raw: str, field: str, value: str, roc: bool = True) -> str:
    """A date typed as numbers, in the ISO order (2026/3/4 -> 2026-03-04, the rest as
    typed); any other order of numbers is refused, as is a weekday."""
    hint = _("type the year first: 2026-03-04 or 2026年3月4日")
    if (weekday := _WEEKDAY.search(raw)) is not None:  # 周五 alone: which week's (the
        # year first was no help)
        n = _weekday_of(weekday[0])
        named = _WEEKDAY_CHARS[n] if n is not None else "六"  # (周末: its Saturday)
        raise BadInput(_("{field} {value} is a weekday, not a date").format(
            field=field, value=shown(value)), hint=_(
                "name its week, e.g. {this} or {other}, or type the date: 2026-03-04").format(
                    this=f"本周{named}", other=f"{'下' if field == '--due' else '上'}周{named}"),
            code="weekday_date", value=value)
    ambiguous = BadInput(_("{field} {value}: numbers alone could be more than one date"
                           ).format(field=field, value=shown(value)), hint=hint,
                         code="ambiguous_date", value=value)
    if _SPACED_NUMBERS.match(raw) and len(raw.split()[0]) == 4:  # 2026 11 05: the year
        y, mo, d = raw.split()[:3]  # is first already ("type the year first", it said)
        ambiguous.hint = _("type it with dashes: {field} {year}-{month}-{day}").format(
            field=field, year=y, month=mo.zfill(2), day=d.zfill(2))
    if _FROM_NOW.fullmatch(raw):  # +7d, 7天后: a span counted from today, not numbers of a
        # date ("numbers alone could be more than one date", it said)
        raise BadInput(_("{field} {value} is a span of time from now, not a date").format(
            field=field, value=shown(value)), hint=(_(
                "give the day itself, e.g. {field} 2026-03-04, or a day by its word: "
                "明天, 下周五, next Friday") if field in _AHEAD_FIELDS else _(
                "give the day itself, e.g. {field} 2026-03-04")).format(field=field),
            code="span_not_date", value=value)
    m = _NUMERIC_DATE.match(raw)
    if m is None:
        if _SPACED_NUMBERS.match(raw) or _SIGNED_NUMBER.match(raw):
            raise ambiguous
        return raw
    first, sep, second, third, rest = m.groups()
    if sep is None and _LETTER.search(rest):  # 4 Mar 2026: the month has a name
        return raw
    if sep is None and len(first) == 4 and not rest.strip() and field in _DAY_FIELDS and \
            FIRST_YEAR <= int(first) <= LAST_YEAR:  # 2026: a year, no day ("type the year
        # first", it said to one who had; where a time may be typed, 1930 may be 19:30)
        raise BadInput(_("{field} {value} is a year, not a day").format(
            field=field, value=shown(value)),
            hint=_("give the day, e.g. {field} {day} (a year's report: report --since "
                   "{year}-01-01 --until {year}-12-31)").format(
                field=field, year=first, day=f"{first}-12-31" if field == "--until"
                else f"{first}-01-01") if field in ("--since", "--until") else
            _("give a week by a day of it, e.g. --week {year}-W01").format(year=first)
            if field == "--week" else
            _("give the day, e.g. {field} {day}").format(field=field, day=f"{first}-01-01"),
            code="year_not_day", value=value)
    if sep is not None and len(first) == 3 and third is not None and first[0] == "1":
        if not roc:
            raise _not_roc(first, field, value)
        first = str(int(first) + 1911)  # 114/03/04: a year of the Republic, Taiwan's 2025
    if sep is None and len(first) == 8 and not rest.strip(" T0123456789:.Z+-"):  # 20260304
        first, second, third = first[:4], first[4:6], first[6:]
    elif sep is not None and len(first) == 4 and third is None and second.isdigit() \
            and 1 <= int(second) <= 12 and not rest.strip():  # 2026-11: a month
        raise BadInput(_("{field} {value} is a month, not a day").format(
            field=field, value=shown(value)), hint=_("give the day too, e.g. {field} "
                                                     "{year}-{month:02d}-01").format(
            field=field, year=first, month=int(second)), code="month_not_day", value=value)
    elif sep is None or len(first) != 4 or third is None:
        raise ambiguous
    try:
        day = date(int(first), int(second), int(third))
    except ValueError:
        raise BadInput(_("cannot read {field} {value}: there is no such day").format(
            field=field, value=shown(value)),
            hint=_("type a date like 2026-03-04 or 2026年3月4日"), code="no_such_day",
            value=value) from None
    return day.isoformat() + rest


def _nearest_year(today: date, month: int, day: int, ahead: bool) -> int:
    """The year a month and day without one most likely means: for a date ahead (a due
    day) the one nearest today (1月5日 typed in December is next January: the hint
    offered one eleven months gone); for any other (when something happened, a
    period's bound) the latest not after today (the next January was then refused as
    in the future)."""
    def distance(year: int) -> int:
        try:
            gap = (date(year, month, day) - today).days
        except ValueError:  # 2月29日 of a common year, 13月: this year's number will do
            return 1 << 30
        return abs(gap) if ahead or gap <= 0 else 1 << 29
    return min((today.year, today.year + 1, today.year - 1), key=distance)


def _week_in_year(year: int, week: int, field: str, value: str) -> None:
    """An ISO week its year has (2025 has 52: its week 53, or week 0, was "cannot read"
    with the hint for a date)."""
    if not 1 <= year <= 9999:  # (0000-W01: the range's own refusal says it)
        return
    weeks = date(year, 12, 28).isocalendar()[1]  # (the 28th is in the year's last week)
    if not 1 <= week <= weeks:
        raise BadInput(_("cannot read {field} {value}: the ISO weeks of {year} are 1 to "
                         "{weeks}").format(
            field=field, value=shown(value), year=year, weeks=weeks),
            hint=(_("its last week is {year}-W{weeks}; the next year's first, {next}-W01")
                  .format(year=year, weeks=weeks, next=year + 1) if week else
                  # (week 0: the one before its first, the year before's last; the hint
                  # offered weeks a year on)
                  _("the week before {year}-W01 is {before}-W{weeks}").format(
                      year=year, before=year - 1,
                      weeks=date(year - 1, 12, 28).isocalendar()[1])),
            code="no_such_week", value=value)


def _clocks(raw: str, local_now: datetime) -> str:
    """A day word or a Chinese date with a time (昨天 14:30, 2026年3月4日 下午3点), a
    time alone, or a date with a Chinese time: the day and the time as ISO reads them."""
    m = _DAY_AND_TIME.match(raw.lower())
    if m:  # 昨天 14:30
        day = local_now.date() - timedelta(days=_DAYS_BACK[_NOW_WORDS[m.group(1)]])
        raw = f"{day.isoformat()} {_clock(m.group(2))}"
    m = _CJK_DATE.match(raw)
    if m:
        raw = (f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d} "
               f"{_clock(m.group(4).strip())}").strip()
    if _CJK_CLOCK.match(raw) or _PART_CLOCK.match(raw):  # a time alone names no day
        raw = _clock(raw)
    elif (m := _DATE_AND_CLOCK.match(raw)) and (clock := _clock(m.group(2))) != m.group(2):
        raw = f"{m.group(1)} {clock}"
    return raw


class Now(datetime):
    """The clock's time, taken for a step given no time (--at left out): such a step
    follows one stamped a moment ahead of it (complaints.check_at), a time typed never
    moves. (Its arithmetic keeps the type; what the step records is its text.)"""

    @classmethod
    def of(cls, dt: datetime) -> Now:
        return cls(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond,
                   dt.tzinfo, fold=dt.fold)


# A time of day as a date's text holds it once read (25:00, 14点70分 as 14:70): its
# hour, minute and second, for the refusal of one no clock shows.
_A_CLOCK = re.compile(r"(?<![\d:])(\d{1,2})(?::|[点點时時])(\d{1,2})(?::(\d{1,2}))?(?![\d:])")


def parse_when(value: str, *, now: datetime, tz: tzinfo, field: str = "date",
               day_only: bool = False, relative_days: bool = True) -> datetime:
    """A user's WHEN → an aware datetime in UTC.

    Accepts ISO 8601 and other year-first dates (2026/3/4, 2026.3.4), 2026年3月4日
    [10:00], the forms python-dateutil reads with a month's name (4 Mar 2026), and
    the words now, today (00:00 today), yesterday (00:00 yesterday), 现在, 今天, 昨天,
    前天, a day word with a time (昨天 14:30), and times as 9点30分 or 09时30分.
    Refuses dates typed as numbers in another order (03/04/2026) and weekdays.
    A time without a zone is in the ledger's time zone. `relative_days` False (a file's
    dates): the days counted from today (今天, 昨天, 上周五 …) are refused.
    """
    raw = _date_text(value)
    if _SPAN.search(raw) and not _an_offset(raw):  # 9:00-10:00 was 9:00 at UTC-10:00,
        # the next day's 03:00
        raise BadInput(_("{field} {value} is a span of time: give one time, when it "
                         "began").format(field=field, value=shown(value)),
                       hint=_("e.g. 2026-03-04 09:00; a time with its offset from UTC is "
                              "written after a T: 2026-03-04T14:30-05:00"),
                       code="time_span", value=value)
    roc = getattr(tz, "key", None) in _ROC_ZONES
    bare = _ROC_YEAR.match(raw)
    if bare is not None and bare[3] and not roc:  # 114年3月4日 outside Taiwan
        raise _not_roc(bare[3], field, value)
    raw = _ROC_YEAR.sub(lambda m: f"{int(m[1] or m[3]) + 1911}{m[2] or m[4]}", raw)
    compact = _ROC_COMPACT.fullmatch(raw) if roc else None
    if compact is not None:  # 1130506, as Taiwan's ERPs write 民國113年5月6日 (it was taken
        # for a phone number, and shown masked)
        raw = f"{int(compact[1]) + 1911}-{compact[2]}-{compact[3]}"
    raw = _CANTONESE_PARTS.sub(lambda m: _PART_OF[m[0]], raw)
    # last Friday, this Monday, next Tuesday: the week words' days (上周五, 本周一, 下周二)
    raw = _ENGLISH_WEEK.sub(lambda m: f"{_ENGLISH_WEEK_OF[m[1].lower()]}周"
                            f"{_WEEKDAY_CHARS[_weekday_of(m[2]) or 0]}", raw)
    # and the week alone (last week: report --week took 上周 and last Friday, not it)
    raw = _ENGLISH_WEEK_ALONE.sub(lambda m: f"{_ENGLISH_WEEK_OF[m[1].lower()]}周", raw)
    relative = _WEEK_OF.match(raw)
    week = _WEEK_ALONE.match(raw)
    if not relative_days and (relative or week or _NOW_WORDS.get(raw.lower()) is not None
                              or _DAY_AND_TIME.match(raw)):
        raise BadInput(_("{field} {value} is a day counted from today, which a register "
                         "cannot mean: its date is written out").format(
            field=field, value=shown(value)), hint=_("write the date itself, e.g. "
                                                     "2025-03-04"), code="relative_date",
            value=value)
    if week is not None:  # report --week 上周: its Monday (a week is no other option's)
        if field != "--week":
            raise BadInput(_("{field} {value} is a week, not a day").format(
                field=field, value=shown(value)), hint=(
                    _("name its day: {value}五, or the date itself").format(value=raw)
                    if (alone := _ENGLISH_WEEK_ALONE.match(_date_text(value))) is None else
                    _("name its day: {value} Friday, or the date itself").format(
                        value=alone[1].lower())),
                code="week_not_day", value=value)
        return datetime.combine(_monday(now, tz, week[1]), time(0), tz).astimezone(UTC)
    if relative is not None:  # 上周五下午3点: one date, the Friday of last week
        day = _monday(now, tz, relative[1]) + timedelta(days=_WEEKDAY_NUMBERS[relative[2]])
        after = raw[relative.end():].strip()
        if _DATE_IN.search(after):
            raise BadInput(_("cannot read {field} {value}: {day} names the day itself").format(
                field=field, value=shown(value), day=raw[:relative.end()]),
                hint=_("give a time after it ({day} 15:00), or the date alone").format(
                    day=raw[:relative.end()]), code="two_days", value=value)
        raw = f"{day.isoformat()} {after}".strip()
    named = _WEEKDAY.findall(raw)
    rest = _WEEKDAY_AROUND.sub(" ", raw).strip() if named else ""
    weekdays = [_weekday_of(w) for w in named]
    if rest and None not in weekdays and (any(ch.isdigit() for ch in rest) or
                                          rest.lower() in _NOW_WORDS) and not (
            _CJK_CLOCK.match(rest) or _PART_CLOCK.match(rest) or _BARE_CLOCK.fullmatch(rest)):
        # (a weekday with a time alone, 周五下午3点, is a weekday: refused as one)
        # a date with its weekday, as a letter writes it: 2026年12月1日（星期二）; every
        # weekday named must be that date's (周二 2026-01-06（星期五） was taken as Tuesday)
        try:
            at = parse_when(rest, now=now, tz=tz, field=field, day_only=day_only,
                            relative_days=relative_days)
        except BadInput as exc:  # 12月1日（星期一）: the year of a Monday 1 December
            m = _NO_YEAR.match(rest)
            if exc.code != "no_year" or m is None:
                # said of the value as typed, not of the part read without its weekday
                exc.message = exc.message.replace(shown(rest), shown(value))
                exc.args = (exc.message,)
                raise
            month_no, day_no = int(m.group(1)), int(m.group(2))
            start = _nearest_year(now.astimezone(tz).date(), month_no, day_no,
                                  ahead=field == "--due")
            years = [y for y in range(start, start - 12, -1) if _weekday_is(
                y, month_no, day_no, weekdays)]
            raise BadInput(_("cannot read {field} {value}: it has no year").format(
                field=field, value=shown(value)), hint=_(
                    "give the year first, e.g. {year}年{month}月{day}日").format(
                        year=years[0] if years else start, month=month_no, day=day_no),
                code="no_year") from None
        local = at.astimezone(tz)
        for word, weekday in zip(named, weekdays, strict=True):
            if local.weekday() != weekday:
                raise BadInput(_("{field} {value}: {date} is not a {weekday}").format(
                    field=field, value=shown(value), date=local.date().isoformat(),
                    weekday=word if len(word) > 1 else f"星期{word}"),
                    hint=_("give the date alone, e.g. {field} {date}").format(
                        # (quoted for the shell: shown() quotes with “” in Chinese, which a
                        # pasted command took as part of the date)
                        field=field, date=shlex.quote(" ".join(rest.split()))),
                    code="weekday_contradicts", value=value)
        return at
    word = _NOW_WORDS.get(raw.lower())
    local_now = now.astimezone(tz)
    if word == "now":
        return now.astimezone(UTC)
    if word in _DAYS_BACK:
        day = local_now.date() - timedelta(days=_DAYS_BACK[word])
        return datetime.combine(day, time(0), tz).astimezone(UTC)
    try:
        raw = _clocks(raw, local_now)
    except _PartContradicts as wrong:  # (上午15点, 下午8点: read as nothing at all)
        raise BadInput(_("cannot read {field} {value}: {part} does not go with {hour}").format(
            field=field, value=shown(value), part=wrong.part, hour=f"{wrong.hour}点"),
            hint=wrong.hint(raw.partition(wrong.part)[0].strip()), code="part_of_day",
            value=value) from None
    m = _NO_YEAR.match(raw)
    if m:
        rest = value.strip()[m.end():].strip()
        year_after = re.fullmatch(r"\d{4}年?", rest)  # 11月27日 2026: the year after it
        raise BadInput(_("cannot read {field} {value}: {problem}").format(
            field=field, value=shown(value), problem=_("the year goes first") if year_after
            else _("it has no year")),
            hint=_("give the year first, e.g. {year}年{month}月{day}日").format(
                year=rest[:4] if year_after else _nearest_year(
                    local_now.date(), int(m.group(1)), int(m.group(2)), ahead=field == "--due"),
                month=int(m.group(1)), day=int(m.group(2)))
            + (f" {rest}" if rest and not year_after else ""),
            code="no_year")
    if raw:
        raw = _CJK_WEEK.sub(lambda w: f"{w[1]}-W{int(w[2]):02d}", raw)
        raw = _ISO_WEEK.sub(lambda w: f"{w[1]}-W{w[2]}" + (f"-{w[3]}" if w[3] else ""), raw)
        if (week := _ISO_WEEK.match(raw)) is not None:
            _week_in_year(int(week[1]), int(week[2]), field, value)
        if (month := _CJK_MONTH.fullmatch(raw)) is not None:  # 2026年11月, as 2026-11
            raise BadInput(_("{field} {value} is a month, not a day").format(
                field=field, value=shown(value)), hint=_("give the day too, e.g. {field} "
                                                         "{year}年{month}月1日").format(
                field=field, year=month[1], month=int(month[2])), code="month_not_day",
                value=value)
        if (md := _MONTH_DAY_NUMBERS.fullmatch(raw)) is not None:  # 11-3, 12/3: a day
            # jotted without its year (the hint offered 2026-03-04, read as a reading of it)
            month_no, day_no = int(md[1]), int(md[3])
            if month_no > 12 >= day_no:  # 13/3: the day first
                month_no, day_no = day_no, month_no
            if 1 <= month_no <= 12 and 1 <= day_no <= 31:
                year = _nearest_year(local_now.date(), month_no, day_no,
                                     ahead=field in _AHEAD_FIELDS)
                if (month_no, day_no) == (2, 29):  # the latest leap year's, not this one's
                    year = next(y for y in range(year, year - 8, -1)
                                if y % 4 == 0 and (y % 100 or y % 400 == 0))
                try:  # (2/30 was offered 2026-02-30, refused again when copied)
                    date(year, month_no, day_no)
                except ValueError:
                    raise BadInput(_("cannot read {field} {value}: there is no such day"
                                     ).format(field=field, value=shown(value)),
                                   hint=_("type a date like 2026-03-04 or 2026年3月4日"),
                                   code="no_such_day", value=value) from None
                raise BadInput(_("cannot read {field} {value}: {problem}").format(
                    field=field, value=shown(value), problem=_("it has no year")),
                    hint=_("give the year first, e.g. {year}-{month:02d}-{day:02d} or "
                           "{year}年{month}月{day}日").format(year=year, month=month_no,
                                                            day=day_no), code="no_year")
        raw = _year_first(raw, field, value, roc)
        # 14.30 (or 14,30) after a day is half past two, as many write it; fromisoformat
        # took it for 14:00 and 0.30 seconds. Any other fraction of an hour is refused.
        m = _DOTTED_CLOCK.match(raw)
        if m:
            raw = f"{m[1]} {int(m[2]):02d}:{m[3]}"
        elif _HOUR_FRACTION.match(raw):
            raise BadInput(_("cannot read {field} {value}").format(
                field=field, value=shown(value)),
                hint=_("type the time with a colon, e.g. 2026-03-04 14:30"),
                code="bad_time", value=value)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        if _year_guessed(raw):
            # 4-Mar-21 (Excel's d-mmm-yy) was read year first, as 2004-03-21: a year of
            # two digits is no year to guess
            raise BadInput(_("cannot read {field} {value}: its year is not written in "
                             "full").format(
                field=field, value=shown(value)),
                hint=_("write the year in full, e.g. 2021-03-04 or 4 Mar 2021"),
                code="two_digit_year", value=value) from None
        try:
            midnight = datetime.combine(local_now.date(), time(0))
            parsed = _dateutil_parse(raw, midnight)
        except _PartOfADay:
            clock = _BARE_CLOCK.fullmatch(raw)  # a time alone (15:00, 下午3点): its day
            raise BadInput(_("cannot read {field} {value}: it does not name one day (its "
                             "year, month and day)").format(field=field, value=shown(value)),
                           hint=_("give its day too, e.g. {field} \"{day} {time}\" or {field} "
                                  "\"today {time}\"").format(
                               field=field, day=local_now.date().isoformat(), time=raw)
                           if clock else
                           _("type the whole date, e.g. 2026-03-04 or 2026年3月4日"),
                           code="part_of_a_day", value=value) from None
        except (ValueError, OverflowError) as exc:
            if isinstance(exc, _ZoneInWords) or _ZONE_AT_END.search(raw):
                # (2026-03-04 EST, a day with a zone: dateutil reads no date in it)
                # (the example's offset the ledger's own now: +08:00 was said in Berlin)
                offset = _offset_said(local_now)
                message = _("{field} {value}: a time zone is read only as an offset ({offset} "
                            "or Z)").format(field=field, value=shown(value), offset=offset)
                typed = _ZONE_AT_END.sub("", raw.strip()).strip()
                if day_only:  # (it offered a time with an offset, which a day refuses)
                    raise BadInput(message, hint=_(
                        "type the day alone, e.g. {field} {day}: the day is taken whole, in "
                        "the ledger's time zone").format(
                            field=field, day=typed.split()[0] if typed else
                            f"{local_now:%Y-%m-%d}"), code="zone_in_words",
                        value=value) from None
                # the example the time typed, not this minute's (copied, it was another
                # instant): with the offset of UTC or GMT±N as said, or of a zone's
                # abbreviation that names one offset (EST); else this minute's, in the
                # ledger's zone (the typed time with the ledger's offset was 13 hours off
                # 10:00 EST)
                said = re.search(r"(?:UTC|GMT)(?:([+-])([0-9]{1,2}))?$", raw.strip())
                abbreviation = re.search(r"[A-Z]{2,4}T$", raw.strip())
                hours = int(said[1] + said[2]) if said is not None and said[1] else 0 \
                    if said is not None else _ZONE_HOURS.get(abbreviation[0]) \
                    if abbreviation else None
                zone = timezone(timedelta(hours=hours)) if hours is not None and \
                    -24 < hours < 24 else None  # (GMT+25: no offset, it was a failure)
                try:
                    if zone is None:
                        raise ValueError(typed)
                    at = datetime.strptime(typed, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
                except ValueError:
                    at = local_now.astimezone(zone or tz)
                example = f"{at:%Y-%m-%dT%H:%M}" + ("Z" if zone is not None and hours == 0
                                                     else _offset_said(at))
                raise BadInput(message, hint=_("type the time in the ledger's time zone "
                                               "({zone}), or with its offset: {example}"
                                               ).format(zone=tz, example=example),
                               code="zone_in_words", value=value) from None
            clock = _A_CLOCK.search(raw)
            if clock is not None and (int(clock[1]) > 23 or int(clock[2]) > 59
                                      or int(clock[3] or 0) > 59):
                raise BadInput(_("cannot read {field} {value}: there is no such time of day "
                                 "({time})").format(field=field, value=shown(value),
                                                    time=clock[0]),
                               hint=_("hours run 0 to 23, minutes 0 to 59, e.g. 2026-03-04 "
                                      "14:30"), code="no_such_time", value=value) from None
            raise BadInput(_("cannot read {field} {value}").format(
                field=field, value=shown(value)),
                hint=_("type a date like 2026-03-04 or 2026年3月4日, or today, yesterday")
                if day_only else _("type a date like 2026-03-04 or 2026-03-04 14:30 (2026年3月4日 "
                                   "14点30分), or tomorrow, 明天, 下周五 (a due date is ahead)")
                if field == "--due" else _("type a date like 2026-03-04 or 2026-03-04 14:30 "
                                           "(2026年3月4日 14点30分), or now, today, yesterday "
                                           "(昨天 14:30)")) from None
    _check_year(parsed.year, field, value)  # before any time-zone arithmetic
    utc_offset = parsed.utcoffset()
    if utc_offset is not None and not _OFFSET_LEAST <= utc_offset <= _OFFSET_MOST:
        # (14:30-15:00, a span of time, was 14:30 at UTC-15:00: the next day's 05:30)
        raise BadInput(_("{field} {value}: {offset} is no time zone's offset (they run from "
                         "-12:00 to +14:00): a span of time?").format(
            field=field, value=shown(value), offset=_offset_said(parsed)),
            hint=_("give one time: when it began, e.g. 2026-03-04 14:30"), code="bad_offset",
            value=value)
    if parsed.tzinfo is None:
        wall = parsed
        parsed = parsed.replace(tzinfo=tz).astimezone(UTC)  # a fold: its first time
        later = parsed.astimezone(tz)
        if later.replace(tzinfo=None) != wall and (
                wall.time() != time(0) or _CLOCK_TYPED.search(raw)):
            # the clocks went forward over it; a day typed alone whose midnight they went
            # over (America/Santiago, Africa/Cairo) starts at its first instant, 01:00
            raise BadInput(_("{field} {value}: the clocks of {zone} went forward over that "
                             "time").format(field=field, value=shown(value), zone=tz),
                           hint=_("type the time as the clocks showed it: {time}").format(
                               time=f"{later:%Y-%m-%d %H:%M}"),
                           code="time_skipped", value=value)
    return parsed.astimezone(UTC)


# A time of day in what was typed: 14:30, 14：30, 9点, 09时, T14, 3pm, 下午 (_CLOCK), or
# the word now.
_CLOCK = (r"[0-9][:：][0-9]|[0-9]\s*[点时]|T[0-9]|[0-9]\s*[ap]\.?m\b|" + _DAY_PART)
_CLOCK_TYPED = re.compile(_CLOCK, re.IGNORECASE)
_TIME_TYPED = re.compile(rf"{_CLOCK}|^\s*(now|现在)\s*$", re.IGNORECASE)


def parse_due(value: str, *, now: datetime, tz: tzinfo, field: str = "--due") -> datetime:
    """A due date: a day typed alone is due by its end (23:59:59 in the ledger's zone),
    so that what is done on its day is on time; a time typed is the time."""
    import unicodedata

    at = parse_when(value, now=now, tz=tz, field=field)
    if _TIME_TYPED.search(words.hans(unicodedata.normalize("NFKC", value))):
        return at
    day = at.astimezone(tz).date() + timedelta(days=1)
    return (datetime.combine(day, time(0), tz).astimezone(UTC) - timedelta(seconds=1))


def parse_day(value: str, *, now: datetime, tz: tzinfo, field: str = "date") -> date:
    """A user's DATE → a calendar date (in the ledger's time zone). A time of day typed
    with it is refused: it was dropped without a word (`list --until "… 12:00"` listed
    the whole day)."""
    import unicodedata

    if _CLOCK_TYPED.search(words.hans(unicodedata.normalize("NFKC", value))):
        raise BadInput(_("{field} takes a day, not a time of day: {value}").format(
            field=field, value=shown(value)),
            hint=_("type the day alone, e.g. {field} 2026-03-04: the day is taken whole, in "
                   "the ledger's time zone").format(field=field), code="day_with_time",
            value=value)
    local = parse_when(value, now=now, tz=tz, field=field, day_only=True).astimezone(tz)
    # a time in another form (14.30, 1430, 14h30): not the day's first instant (00:00,
    # or 01:00 where the clocks went forward over midnight)
    if local.astimezone(UTC) != datetime.combine(local.date(), time(0), tz).astimezone(UTC):
        raise BadInput(_("{field} takes a day, not a time of day: {value}").format(
            field=field, value=shown(value)),
            hint=_("type the day alone, e.g. {field} 2026-03-04: the day is taken whole, in "
                   "the ledger's time zone").format(field=field), code="day_with_time",
            value=value)
    return local.date()


# Two days with a range's mark between them (2026-12-24..2026-12-31, 2026-12-24/2026-12-31,
# 12月24日至31日, 12月24日-31日); not one day typed with spaces (2026 - 12 - 28)
_DAY_RANGE = re.compile(r"\d.*?(?:\.\.|[~～至到—–])\s*\d"
                        r"|\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*(?:-|/)\s*\d"
                        r"|日\s*-\s*\d")


def calendar_day(value: str, *, now: datetime, tz: tzinfo, field: str) -> date:
    """A day of the calendar's (policy calendar --add-closure …): parse_day, a range
    refused as one (a year-end closure typed 2026-12-24..2026-12-31 was told a time
    zone is read only as an offset)."""
    if _DAY_RANGE.search(words.hans(value)):
        raise BadInput(_("{field} takes one day, not a range: {value}").format(
            field=field, value=shown(value)),
            hint=_("give {field} once for each day, e.g. {field} 2026-12-24 {field} "
                   "2026-12-25").format(field=field), code="day_range", value=value)
    return parse_day(value, now=now, tz=tz, field=field)


def past_day(value: str, *, now: datetime, tz: tzinfo, field: str) -> date:
    """A day that has happened (a ship date): parse_day, refusing a day after today."""
    day = parse_day(value, now=now, tz=tz, field=field)
    if day > now.astimezone(tz).date():
        raise BadInput(_("{field} {value} is in the future").format(
            field=field, value=day.isoformat()),
            hint=_("give the day the goods left; a shipment still to come is not a fact "
                   "of the complaint yet"), code="in_the_future", field=field)
    return day


# A month counted from today's: 上个月, 上月, 本月, 这个月, 上上个月, 下个月.
_MONTH_NAMED = re.compile(r"\s*(上上|上|本|这|今|下)个?月\s*")
_MONTH_OFFSET = {"上上": -2, "上": -1, "本": 0, "这": 0, "今": 0, "下": 1}
# and in English (last month: it was refused where 上个月 was read)
_ENGLISH_MONTH = re.compile(r"\s*(last|this|next)\s+month\s*", re.IGNORECASE)


def parse_month(value: str, field: str = "--month", *, tz: tzinfo | None = None,
                today: date | None = None) -> tuple[int, int]:
    """2026-03, 2026/3, 2026.3 or 2026年3月, full-width digits and numbers in characters
    too (as a Chinese IME types them, and as every day option reads them); 民國115年11月,
    and on Taiwan's clock (`tz`) 115年11月 and 115/11; 上个月, 本月 … counted from
    `today`."""
    typed = _date_text(value)
    named = _MONTH_NAMED.fullmatch(typed) if today is not None else None
    if named is None and today is not None and \
            (english := _ENGLISH_MONTH.fullmatch(typed)) is not None:
        named = _MONTH_NAMED.fullmatch(_ENGLISH_WEEK_OF[english[1].lower()] + "月")
    if named is not None and today is not None:
        n = today.year * 12 + today.month - 1 + _MONTH_OFFSET[named[1]]
        return n // 12, n % 12 + 1
    # 民國115年11月, and 115年11月 or 115/11 on Taiwan's clock: the Republic's year
    roc = re.match(r"\s*(?:(?:中华)?民国\s*0*([1-9][0-9]{0,2})|(1[0-9]{2}))\s*(?=[-/.年])",
                   typed)
    if roc is not None:
        if roc[2] and getattr(tz, "key", None) not in _ROC_ZONES:
            raise _not_roc(roc[2], field, value)
        typed = str(int(roc[1] or roc[2]) + 1911) + typed[roc.end():]
    m = re.fullmatch(r"\s*([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?\s*", typed)
    if not m or not 1 <= int(m.group(2)) <= 12:
        alone = re.fullmatch(r"\s*([0-9]{1,2})\s*月(?:份)?\s*", typed)  # 11月: which year's
        if alone is not None and 1 <= int(alone[1]) <= 12 and today is not None:
            year = today.year if int(alone[1]) <= today.month else today.year - 1
            raise BadInput(_("cannot read {field} {value}: it has no year").format(
                field=field, value=shown(value)), hint=_(
                    "give the year first, e.g. {field} {year}年{month}月").format(
                        field=field, year=year, month=int(alone[1])), code="no_year")
        raise BadInput(_("cannot read {field} {value}").format(field=field, value=shown(value)),
                       hint=_("type a month like 2026-03"))
    _check_year(int(m.group(1)), field, value)
    return int(m.group(1)), int(m.group(2))


def parse_year(value: str, field: str = "--year", *, tz: tzinfo | None = None) -> int:
    """2027, 2027年, 民國116年, and on Taiwan's clock (`tz`) 116 (a year of the Republic),
    full-width digits and numbers in characters too."""
    typed = _date_text(value)
    typed = re.sub(r"年$", "", typed).strip()
    spelt = re.fullmatch(r"((?:中华)?民国\s*)?(" + _CN_NUMBER + ")", typed)
    if spelt is not None:  # 二〇二七, 民国一一六
        typed = (spelt[1] or "") + _cn_number(spelt[2])
    republic = re.fullmatch(r"(?:中华)?民国\s*0*([1-9][0-9]{0,2})", typed)
    if republic is not None:
        typed = str(int(republic[1]) + 1911)
    elif re.fullmatch(r"1[0-9]{2}", typed):
        if getattr(tz, "key", None) not in _ROC_ZONES:
            raise _not_roc(typed, field, value)
        typed = str(int(typed) + 1911)
    if not (typed.isascii() and typed.isdigit() and len(typed) == 4):
        raise BadInput(_("{field} {value} is not a year").format(field=field,
                                                                  value=shown(value)),
                       hint=_("e.g. {field} 2027").format(field=field), code="bad_year",
                       value=value)
    _check_year(int(typed), field, value)
    return int(typed)


def record_key(value: str) -> str:
    """A complaint's or return's id as typed, as stored: full-width letters, digits and
    dashes (ＣＣ－２０２６－０００１, as a Chinese IME types them) read as ASCII; any case;
    its number without the zeros ids are written with (CC-2026-1 is CC-2026-0001)."""
    import unicodedata

    key = unicodedata.normalize("NFKC", value).translate(_ID_MARKS).strip().upper()
    if not key:  # a script's $ID left unset: "no complaint ''", exit 1, read as not found
        raise BadInput(_("the id is empty"),
                       hint=_("give the id of a complaint or a return, e.g. CC-2026-0001"),
                       code="empty_id")
    for ch in key:  # (a script's id with a stray byte: no id holds one, said as a typo)
        if ch in DIRECTION:  # (as a text's)
            raise _direction_mark(_("the id {value} holds an invisible mark that turns the "
                                    "text's direction ({char})").format(
                                        value=shown(value), char=f"U+{ord(ch):04X}"))
        if ch < " " or "\x7f" <= ch <= "\x9f" or ch in LINE_BREAKS:
            raise BadInput(_("the id {value} contains a control character ({char})").format(
                value=shown(value), char=f"U+{ord(ch):04X}"), hint=_("remove it"),
                code="control_character")
    short = _SHORT_NUMBER.match(key)
    if short:
        return f"{short[1]}{int(short[2]):04d}"
    run = _RUN_TOGETHER.match(key)  # CC20260003, CC 2026 0003, CC_2026_3: as a form or a
    # spreadsheet writes it
    return f"{run[1]}-{run[2]}-{int(run[3]):04d}" if run else key


# An id pasted from a chat, a web page or a word processor: the characters that show
# nothing dropped (CC-2026-0001 with a zero-width space was "no complaint"), and its
# hyphens as typesetting writes them (‐ ‑ ‒ – — − ﹣) read as the ASCII one.
_ID_MARKS = {**dict.fromkeys(map(ord, INVISIBLE + TAGS)),
             **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63"),
                             ord("-"))}
_SHORT_NUMBER = re.compile(r"^(.+-[0-9]{4}-)([0-9]{1,3})$")
_RUN_TOGETHER = re.compile(r"^([A-Z]+)[ _]?-?[ _]?([0-9]{4})[ _]?-?[ _]?([0-9]{1,6})$")


# Whether a zone's offset changes on a local day (the day a time read on it may be
# one of two), by zone and day: most days of most zones need no second look.
_OFFSET_CHANGES: dict[tuple[tzinfo | None, int], bool] = {}


def wall(local: datetime, seconds: bool = False) -> str:
    """An aware time as its zone's clocks showed it, to the minute (2026-10-25 02:20),
    with the offset after it (2026-10-25 02:20 +01:00) in the hour the clocks went back
    over, which they showed twice: there the time alone names two instants (a step
    done at 02:20 read as before one started at 02:40). `seconds`: to the second when
    it is not a whole minute (the instant a report or listing is as of: re-run from the
    minute it printed, it counted otherwise)."""
    text = (f"{local.year:04d}-{local.month:02d}-{local.day:02d} "
            f"{local.hour:02d}:{local.minute:02d}")
    if seconds and local.second:
        text += f":{local.second:02d}"
    key = (local.tzinfo, local.toordinal())
    changes = _OFFSET_CHANGES.get(key)
    if changes is None:
        day = datetime(local.year, local.month, local.day, tzinfo=local.tzinfo)
        changes = _OFFSET_CHANGES[key] = (
            day.utcoffset() != (day + timedelta(days=1)).utcoffset())
    if changes:
        offset = local.utcoffset()
        if offset is not None and local.replace(fold=1 - local.fold).utcoffset() != offset:
            minutes = abs(offset) // timedelta(minutes=1)
            sign = "-" if offset < timedelta(0) else "+"
            text += f" {sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return text


@lru_cache(maxsize=4096)
def iso(dt: datetime) -> str:
    """The stored form of an instant: UTC, seconds, 'Z' (sorts as text). Cached: a
    step formats the same instants several times."""
    u = dt.astimezone(UTC)  # hot: called for every stored time (f-string beats strftime)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def from_iso(value: str) -> datetime:
    """The inverse of iso() (fromisoformat is ten times faster than strptime)."""
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)


# What may stand between the digits of a phone number as people write it: spaces,
# dashes of every kind (the en dash Word and Excel put in, the minus sign), a tilde,
# dots, slashes; up to three (138 - 1234 - 5678).
PHONE_BETWEEN = r"[\s\-\u2010-\u2015\u2212~./·_]{0,3}"
# A phone number inside a contact or a text (电话 +86 138-1234-5678, 13812345678 张先生),
# its country code's + or 00 and a bracketed area code with it ((0755) 1234-5678, not
# the （2号楼） after one); an e-mail address inside one (张三 <a@b.cn>).
PHONE = re.compile(rf"(?:\+|00)?(?:[(（]\+?[0-9]{{1,4}}[)）]{PHONE_BETWEEN})?[0-9]"
                   rf"(?:{PHONE_BETWEEN}[0-9])+")
ADDRESS = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A contact that is a phone number or an address and nothing else, ending in its digit
# or its address: masked by its last 4 characters alike (views.masked, fast).
PLAIN_CONTACT = re.compile(r"[+0-9\s\-()（）./]*[0-9]|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


# What holds seven digits or more and is no phone number: a date (2025/13/01 mistyped
# too), a date and time run together, a decimal, a count grouped in thousands.
_NO_PHONE = re.compile(r"(?:[0-9]{4}(?:[-/.][0-9]{1,2}){2}"
                       # (a year of the Republic, 115/11/03: with a real month and day,
                       # as 555-12-34, a phone number, is not)
                       r"|[0-9]{3}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12][0-9]|3[01])|[0-9]{1,2}[-/.][0-9]{1,2}[-/.]"
                       r"[0-9]{4})(?:[ T][0-9]{1,2}(?::[0-9]{2}){1,2}(?:\.[0-9]+)?)?"
                       r"|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                       r"(?:[0-9]{4}(?:[0-9]{2})?)?|[-+]?[0-9][0-9,]*\.[0-9]+"
                       r"|[0-9]{1,3}(?:[ ,][0-9]{3})+")


def looks_like_contact(text: str) -> bool:
    """Whether a value holds an e-mail address or a phone number (a run of seven digits
    or more, as contact_parts finds one: 13912345678 张先生, 021-6123 4567转801), unless
    it is a date, a date and time, a decimal or a count grouped in thousands: one a
    register gives in a column mapped to another field is masked where a message shows
    it (a contact column mapped to the channel listed every number in clear)."""
    import unicodedata

    value = unicodedata.normalize("NFKC", text).strip()
    if ADDRESS.search(value):
        return True
    if _NO_PHONE.fullmatch(value) or value.isdigit() and len(value) > _PHONE_MOST:
        return False  # (a count of 20 digits in a register, too many for a phone number,
        # was said masked as one, "is the column the contact?", not as out of range)
    return contact_parts(value)[1] is not None


# The most digits a phone number has (E.164's 15): a run of digits alone longer is none.
_PHONE_MOST = 15


def contact_parts(contact: str) -> tuple[str | None, tuple[int, int] | None]:
    """The address in a contact, and the span of its phone number (the run of seven
    digits or more with the most digits), each None where there is none."""
    address = ADDRESS.search(contact)
    runs = [m for m in PHONE.finditer(contact) if sum(ch.isdigit() for ch in m[0]) >= 7]
    best = max(runs, key=lambda m: sum(ch.isdigit() for ch in m[0]), default=None)
    return (address[0] if address else None), (best.span() if best else None)


def mask_within(text: str, holds: Callable[[str], bool]) -> str:
    """`text` with each e-mail address and phone number in it (a run of seven digits or
    more) that `holds` finds (a contact's: a date in the same name stays) masked as `mask`
    masks a contact, the rest as it is (客户13877776666.jpg is 客户*******6666.jpg)."""
    def masked(found: re.Match[str]) -> str:
        if found[0].count("@") == 0 and sum(ch.isdigit() for ch in found[0]) < 7 \
                or not holds(found[0]):
            return found[0]
        return mask(found[0]) or ""

    return PHONE.sub(masked, ADDRESS.sub(masked, text))


# An account id (WeChat, QQ by name, a username): a letter, then five or more letters,
# digits, _ . or -.
_ACCOUNT = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{4,}")


def _last_account(contact: str) -> re.Match[str] | None:
    found = None
    for found in _ACCOUNT.finditer(contact):  # noqa: B007 - the last one
        pass
    return found


def mask(contact: str | None) -> str | None:
    """All but the last 4 characters become '*'; 4 or fewer are masked whole. A contact
    with words beside its number or address shows the last 4 of those alone: the last 4
    digits of the number ("+852 2345-6789（陳生）" showed the name and no digit; a dash
    among them kept: 0912-345-678 林先生 is *******5-678****), the last 4 characters of
    the address (zhang@example.com（张） showed m（张）)."""
    if not contact:
        return contact
    if len(contact) <= 4:
        return "*" * len(contact)
    if PLAIN_CONTACT.fullmatch(contact):  # (views.masked takes these by their length)
        return "*" * (len(contact) - 4) + contact[-4:]
    address, phone = contact_parts(contact)
    if address is not None:
        end = contact.index(address) + len(address)
        first = max(end - 4, contact.index(address))
    elif phone is not None:
        digits = [i for i in range(*phone) if contact[i].isdigit()]
        first, end = digits[-4], digits[-1] + 1
    elif (account := _last_account(contact)) is not None:  # wxid_abc123, 微信 wang_xiao88:
        first, end = account.end() - 4, account.end()  # an account's last 4 (it was masked
        # whole: two accounts could not be told apart)
    elif sum(ch.isdigit() for ch in contact) <= 4:  # 电话 1234, 分机 8021: a short number,
        return "*" * len(contact)  # masked whole as a contact of 4 characters is
    else:
        first, end = len(contact) - 4, len(contact)
    return "*" * first + contact[first:end] + "*" * (len(contact) - end)
