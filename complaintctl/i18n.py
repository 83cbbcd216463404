"""The display language: English ("en") or Simplified Chinese ("zh").

Messages are written in English and wrapped for gettext: `_("no complaint {id}")`
translates (format after translating, with named fields), `N_("...")` only marks
a text for extraction (help texts, tables of messages), `ngettext(s, p, n)` picks
by number, `C_(context, "...")` (pgettext) and `NC_(context, "...")` (marked,
translated by `_` where shown) tell apart one English word meant two ways. The
Chinese catalogue is `locale/zh/LC_MESSAGES/complaintctl.mo`, compiled from the
`.po` beside it (`python tools/catalogue.py`, see the README's "For developers").

The language of a run (`choose`, called by `cli` before the command line is
parsed): `--lang`, else `COMPLAINTCTL_LANG`, else the ledger's own setting once a
ledger is open (`use_ledger_language`), else the locale in gettext's order
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English. English opens no catalogue:
`_` then returns its argument.

Light on purpose: every module imports it, and `--help` must stay fast.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

# The package's (the early interrupt chooses its words before this module loads).
from complaintctl import language_of, locale_language

if TYPE_CHECKING:
    from gettext import GNUTranslations

DOMAIN = "complaintctl"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")

_LANG = "en"
_CATALOGUE: GNUTranslations | None = None  # None: English, no catalogue open
_CHOSEN = False  # (choose)
_EXPLICIT = False  # chosen by --lang or COMPLAINTCTL_LANG: the ledger's setting yields
_LOADED: dict[str, GNUTranslations] = {}


def _(message: str) -> str:
    """`message` in the display language (as given when there is no translation).
    A text marked by `NC_` carries its context and is looked up with it."""
    if _CATALOGUE is None or not message:
        return message.partition(_CONTEXT)[2] if _CONTEXT in message else message
    if _CONTEXT in message:
        context, _sep, text = message.partition(_CONTEXT)
        return _CATALOGUE.pgettext(context, text)
    return _CATALOGUE.gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


# gettext's separator of a context and its message (as .mo files store them).
_CONTEXT = "\x04"


def pgettext(context: str, message: str) -> str:
    """`message` as meant in `context`: one English word that Chinese says two ways
    ("received" a date or a quantity; "closed" a column or a state)."""
    if _CATALOGUE is None:
        return message
    return _CATALOGUE.pgettext(context, message)


C_ = pgettext


def NC_(context: str, message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark `message` in `context` for extraction, to be translated where it is
    shown by `_()` (which reads the context back); shown as `message` in English."""
    return context + _CONTEXT + message


def ngettext(singular: str, plural: str, n: int) -> str:
    if _CATALOGUE is None:
        return singular if n == 1 else plural
    return _CATALOGUE.ngettext(singular, plural, n)


def term(field: str, code: str | None) -> str:
    """A stored code (a status, a disposition ...) as a message names it: the code
    itself in English (the word the user types), its label in Chinese."""
    if _LANG == "en" or code is None:
        return code or ""
    from complaintctl import words

    return words.label(field, code, _LANG)


def row_ranges(rows: list[int], most: int = 20) -> str:
    """Row numbers as ranges (2–6, 9, 12–30), the first `most` of them (then …)."""
    ranges: list[list[int]] = []
    for row in sorted(rows):
        if ranges and row == ranges[-1][1] + 1:
            ranges[-1][1] = row
        else:
            ranges.append([row, row])
    shown = [f"{a}–{b}" if b > a else str(a) for a, b in ranges[:most]]
    return listing(shown + (["…"] if len(ranges) > most else []))


def listing(items: list[str] | tuple[str, ...], lang: str | None = None) -> str:
    """Items named in a sentence: "a, b, c" in English, "a、b、c" in Chinese (in `lang`,
    default the display language)."""
    return ("、" if (lang or _LANG) == "zh" else ", ").join(items)


def conjoined(items: list[str] | tuple[str, ...]) -> str:
    """Items that all hold: "a, b and c" in English ("every Saturday, Sunday off" read as
    a list cut short), "a、b、c" in Chinese."""
    if _LANG == "zh" or len(items) < 2:
        return listing(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def phrases(items: list[str] | tuple[str, ...]) -> str:
    """Parts of one statement: "a, b" in English, "a，b" in Chinese."""
    return ("，" if _LANG == "zh" else ", ").join(items)


def aside(text: str) -> str:
    """A remark after what it qualifies: " (text)" in English, "（text）" in Chinese."""
    return f"（{text}）" if _LANG == "zh" else f" ({text})"


# The longest value an error message quotes whole; a longer one is quoted by its first
# SHOWN_HEAD characters and its length (i18n_click cuts Click's own quotes alike).
SHOWN_MOST, SHOWN_HEAD = 80, 60


def shell_word(word: str) -> str:
    """`word` as a shell reads it back in a command a hint prints: as it is when it holds
    nothing the shell acts on (a Chinese word needs no quotes: shlex.quote gave '质量部'),
    else quoted (a register named `reg $(touch x);.csv` made a hint a command that ran
    it)."""
    import re
    import shlex

    return word if re.fullmatch(r"[\w.@%+=:,/-]+", word) else shlex.quote(word)


def shown(value: object) -> str:
    """A value the user gave, quoted in an error message: 'value' in English (a
    number as it is), “value” in Chinese; control characters escaped as Python
    writes them, and bytes that were not UTF-8 as \\xNN (Python decodes such argv
    bytes to lone surrogates, U+DC80-U+DCFF, which no terminal can print: echoing
    them raw would fail again). One longer than a line is cut after its first 60
    characters, its length said (a 5,000-digit --limit was echoed whole)."""
    whole = value if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** SHOWN_MOST:
        whole = str(value)
    if whole is not None and len(whole) > SHOWN_MOST:
        return _("{value} ({n} characters)").format(value=shown(whole[:SHOWN_HEAD] + "…"),
                                                     n=f"{len(whole):,}")
    text = repr(value)
    if "\\udc" in text:
        import re

        text = re.sub(r"\\udc([89a-f][0-9a-f])", r"\\x\1", text)
    if _LANG == "zh":
        return f"“{text[1:-1]}”" if isinstance(value, str) else f"“{text}”"
    return text


def path_said(path: object) -> str:
    """A path named in a message: as it is, unless it begins or ends with a space (a
    stray one in `--db "r.db "`, invisible unquoted: "no ledger at r.db " while r.db
    is there), or holds what shown() escapes; then quoted as shown() quotes."""
    text = str(path)
    return shown(text) if text != text.strip() or not text.isprintable() else text


# Currencies with no unit smaller than one (ISO 4217's minor unit 0: the yen, the won, the
# dong …): an amount in them is whole, and written without decimals.
WHOLE_CURRENCIES = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split())
# Currencies counted in thousandths (the dinars, the rial): not kept exactly in cents.
THOUSANDTHS_CURRENCIES = frozenset("BHD IQD JOD KWD LYD OMR TND".split())


def money(amount: str | None, currency: str | None, plain: bool = False, *,
          code: bool = True) -> str:
    """An amount as parse.format_money gives it ("1250.50") written for a reader: its
    thousands grouped and its currency after it ("1,250.50 CNY"); in Chinese a yuan
    amount with its sign before it ("¥1,250.50"), as a Chinese form writes it. ""
    for none. `plain` (CSV, for a program): as stored, with its code ("1250.50 CNY");
    not `code`: without it ("1,250 " for yen)."""
    if amount is None:
        return ""
    if plain:
        return f"{amount} {currency}" if currency else amount
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    whole, point, cents = digits.partition(".")
    if currency in WHOLE_CURRENCIES and cents.strip("0") == "":  # 1,250 JPY, not 1,250.00
        point = cents = ""
    if whole.isdigit():
        digits = f"{int(whole):,}{point}{cents}"
    if not code:  # (its decimals as its currency has them; a narrow column has no room
        return sign + digits  # for the code)
    if _LANG == "zh" and currency == "CNY":
        return f"{sign}¥{digits}"
    return f"{sign}{digits} {currency}" if currency else sign + digits


# What the operating system says of a failed file operation, in the display language
# (its own strerror is English whatever the language).
_OS_REASONS = {"EACCES": N_("permission denied"), "EPERM": N_("operation not permitted"),
               "ENOSPC": N_("no space left on the disk"),
               "EDQUOT": N_("the disk quota is used up"),
               "EFBIG": N_("the file is larger than this system allows"),
               "EROFS": N_("the disk is read-only"),
               "ENOENT": N_("no such file or folder"),
               "EISDIR": N_("it is a folder"), "ENOTDIR": N_("a part of the path is not a folder"),
               "EIO": N_("input/output error (the disk)"),
               "ENAMETOOLONG": N_("the name is too long")}
# Those a hint answers with free space rather than another folder.
DISK_FULL = frozenset({"ENOSPC", "EDQUOT", "EFBIG"})


def file_size_limit() -> int | None:
    """The most bytes this process may write into one file (`ulimit -f`, cron's or
    systemd's LimitFSIZE); None when it has no such limit. A write past it fails as a
    full disk would, or SQLite's "disk I/O error", on a disk with room to spare: a
    hint that said to check the disk sent an administrator to a healthy one."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    except (ImportError, OSError, ValueError, AttributeError):  # (no such limit: Windows)
        return None
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    return int(soft)


def _errno_name(exc: BaseException) -> str | None:
    """The system error's name (ENOSPC …), if `exc` carries one."""
    import errno

    return errno.errorcode.get(getattr(exc, "errno", None) or -1)


def os_reason(exc: BaseException) -> str:
    """Why a file operation failed, said in the display language when the system's
    error is a common one; its own words (or the exception's) otherwise."""
    name = _errno_name(exc)
    if name in _OS_REASONS:
        return _(_OS_REASONS[name])
    return getattr(exc, "strerror", None) or str(exc)


def disk_refused(exc: BaseException) -> bool:
    """Whether the disk refused a write, not the file's name (full, read-only, failing):
    exit 1, as stdout onto a full disk; a wrong name is bad usage (exit 2)."""
    return _errno_name(exc) in DISK_FULL or _errno_name(exc) in ("EROFS", "EIO")


def too_large(exc: BaseException) -> bool:
    """Whether a write failed at this process's limit on a file's size (EFBIG: `ulimit -f`,
    LimitFSIZE), not for want of space (file_size_limit)."""
    return _errno_name(exc) == "EFBIG"


def denied(exc: BaseException) -> bool:
    """Whether the system refused a write for want of permission: exit 1, as for a ledger
    this user may not write (the command line is not wrong; the folder's rights are)."""
    return _errno_name(exc) in ("EACCES", "EPERM")


def disk_full(exc: BaseException) -> bool:
    """Whether a failed write ran out of room (the disk, a quota, a file size limit)."""
    return _errno_name(exc) in DISK_FULL


def lang() -> str:
    """The display language: "en" or "zh"."""
    return _LANG


def set_lang(value: str) -> None:
    """Display `value` ("en", "zh", or a spelling `normalise` knows) from now on."""
    global _LANG, _CATALOGUE
    code = normalise(value)
    if code is None:
        raise ValueError(f"unknown language {value!r}")
    _CATALOGUE = None if code == "en" else _catalogue(code)
    _LANG = code


def catalogue_path(code: str) -> str:
    return os.path.join(LOCALE_DIR, code, "LC_MESSAGES", DOMAIN + ".mo")


def _catalogue(code: str) -> GNUTranslations | None:
    """The compiled catalogue of `code`, read once per process; None (English
    shown) when the installation lacks it."""
    if code not in _LOADED:
        from gettext import GNUTranslations

        try:
            with open(catalogue_path(code), "rb") as fh:
                _LOADED[code] = GNUTranslations(fh)
        except OSError:
            return None
    return _LOADED[code]


def normalise(value: str | None) -> str | None:
    """"en" or "zh" for a language the user may type (zh, zh_CN, zh-Hans, 中文, en,
    en_US, English ...); None for anything else."""
    return language_of(value)


def from_locale(environ: Mapping[str, str]) -> str | None:
    """The language the locale asks for, read as gettext reads it: the first of
    LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set, a colon-separated list
    tried in order; `zh*` is Chinese, `en*`, `C` and `POSIX` English. None when
    it names neither (another language: English is then shown)."""
    return locale_language(environ)


def root_option(argv: Sequence[str], name: str,
                takes_value: Collection[str] = ("--db", "--as", "--lang")) -> str | None:
    """The value of the root's option `name` on this command line (before the
    command's name), read before Click parses anything. `takes_value`: the root's
    options that take a value."""
    args = iter(argv)
    for arg in args:
        if arg == name:
            return next(args, None)
        if arg.startswith(name + "="):
            return arg.partition("=")[2]
        if arg == "--":
            return None
        if arg in takes_value:
            next(args, None)
        elif not arg.startswith("-"):
            return None  # the command: its options are its own (init --lang)
    return None


def choose(flag: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Set the language of this run before any ledger is open: `flag` (the value of
    --lang), else COMPLAINTCTL_LANG, else the locale, else English. Values that
    name no language are passed over (the --lang option itself refuses them)."""
    global _EXPLICIT, _CHOSEN
    _CHOSEN = True
    env = os.environ if environ is None else environ
    for value in (flag, env.get("COMPLAINTCTL_LANG")):
        code = normalise(value)
        if code is not None:
            set_lang(code)
            _EXPLICIT = True
            return code
    code = from_locale(env) or "en"
    set_lang(code)
    _EXPLICIT = False
    return code


def chosen() -> bool:
    """Whether this run's language was chosen yet (choose): a Ctrl-C while the modules
    load says its words in the language it would have had."""
    return _CHOSEN


def explicit() -> bool:
    """Whether --lang or COMPLAINTCTL_LANG chose the language of this run."""
    return _EXPLICIT


def use_ledger_language(value: str | None) -> None:
    """A ledger is open: its language setting wins over the locale, not over
    --lang or COMPLAINTCTL_LANG."""
    code = normalise(value)
    if not _EXPLICIT and code is not None and code != _LANG:
        set_lang(code)
