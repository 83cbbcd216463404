"""The rows of a register file, one at a time: CSV (UTF-8, UTF-8 with a BOM, GB18030 —
which reads GBK and GB2312 too, and Windows' € as 0x80 — or Big5, found by trying and,
between them, by which reading is plausible Chinese, on a tie by the ledger's region;
or the encoding given) and XLSX (python-calamine;
the first sheet or the one named). Every cell comes out as text (or None when empty):
the mapping reads the values. No database, no terminal."""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Collection, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from complaintctl import i18n
from complaintctl.errors import BadInput
from complaintctl.i18n import N_, _, pgettext, shown
from complaintctl.parse import one_line
from complaintctl.render import unguarded

# How much of a CSV file is read to tell its encoding (the rest is checked as read).
_SNIFF = 1 << 20


class Table:
    """A register: its header row and an iterator over its data rows, each with its
    row number in the file (the header is row 1).

    A CSV whose encoding the ledger's region decides (it reads as GBK and as Big5 alike,
    or as nonsense UTF-8 and as Chinese) is opened once the reader knows the ledger
    (`in_region`); read before that (--template, which opens none), as without a
    preference (refused with its readings, but for UTF-8 that has only signs beyond
    ASCII). Whatever reads without a preference reads the same with one, or is refused
    with one."""

    def __init__(self, header: list[str], rows: Iterator[tuple[int, list[str | None]]],
                 encoding: str | None = None, sheet: str | None = None,
                 zone: str | None = None,
                 across: dict[int, tuple[int, int]] | None = None):
        self._header, self._rows, self._encoding = header, rows, encoding
        self.sheet = sheet  # a workbook's sheet read (None for a CSV)
        # the rows (by number) whose one value is a cell merged across columns (a section
        # heading, 2025年度 over A3:G3, between a register's years), as the rows are read:
        # -> the first and last column index (as read) of its range
        self.across: dict[int, tuple[int, int]] = {} if across is None else across
        # the time zone a complaintctl export says its date-times are in (None: not said)
        self.zone = zone
        # a workbook's formula cells without a calculated value (read as empty), by column
        # index as read: (row number, the cell named) of each (_uncalculated_and_hidden)
        self.uncalculated: dict[int, list[tuple[int, str]]] = {}
        # its rows below the header that Excel hides, by number (_uncalculated_and_hidden)
        self.hidden: list[int] = []
        self._open: Any = None  # the region -> Table of a CSV the region decides

    @property
    def header(self) -> list[str]:
        self._settle(None)
        return self._header

    @property
    def rows(self) -> Iterator[tuple[int, list[str | None]]]:
        self._settle(None)
        return self._rows

    @property
    def encoding(self) -> str | None:
        self._settle(None)
        return self._encoding

    def in_region(self, region: str | None) -> Table:
        """This table, read as a ledger in `region` (its country) reads it."""
        self._settle(region)
        return self

    def _settle(self, region: str | None) -> None:
        if self._open is not None:
            table = self._open(region)
            self._open = None
            self._header, self._rows, self._encoding = table._header, table._rows, \
                table._encoding

    def peek(self, n: int) -> list[tuple[int, list[str | None]]]:
        """The first `n` data rows (fewer in a shorter file), which `rows` gives all the
        same."""
        self._settle(None)
        ahead = list(itertools.islice(self._rows, n))
        self._rows = itertools.chain(ahead, self._rows)
        return ahead

    def without_rejects_columns(self, read: Collection[str] = ()) -> Table:
        """This table without the columns `import --skip-bad` puts before each refused
        row in its rejects file (its row number and reason, cli._rejects_csv): that file,
        corrected and imported, carried them into the next rejects file, which then had
        row,reason,row,reason and the reasons of the round before beside the new ones.
        Not a register's own columns so headed that the mapping reads (`read`: its
        headers; a register's Reason mapped to the description was "not in the file").
        After the region is known (in_region): the header would settle it unasked."""
        read_folded = {h.strip().casefold() for h in read}
        n = _rejects_columns(self.header)
        if any(h.strip().casefold() in read_folded for h in self.header[:n]):
            return self
        if n:
            rows = self._rows
            self._header = self._header[n:]
            self._rows = ((number, cells[n:]) for number, cells in rows)
            self.across = {number: (first - n, last - n)
                           for number, (first, last) in self.across.items()}
            self.uncalculated = {i - n: cells for i, cells in self.uncalculated.items()
                                 if i >= n}
        return self


def _rejects_columns(header: list[str]) -> int:
    """How many columns a header begins with that are a rejects file's row and reason
    (in English or in any language of the catalogues: written in one, imported in
    another); pairs of them, as an earlier version left them after each round."""
    pairs = {("row", "reason"), (_("row"), pgettext("rejects", "reason"))}
    for code in ("zh",):
        catalogue = i18n._catalogue(code)
        if catalogue is not None:
            pairs.add((catalogue.gettext("row"), catalogue.pgettext("rejects", "reason")))
    pairs = {(row.casefold(), reason.casefold()) for row, reason in pairs}
    n = 0
    while tuple(h.strip().casefold() for h in header[n:n + 2]) in pairs:
        n += 2
    return n


# The first bytes of a workbook: XLSX (a zip), and Excel 97–2003's .xls (an OLE compound
# file; so is a workbook saved with a password). Told by what the file holds, not its
# name: WPS saves an XLSX as .xls, and a .xls renamed .xlsx is still one.
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def is_workbook(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(8)
    return head.startswith(_ZIP) or head == _OLE


class Detected:
    """What the start of a CSV file reads as: one encoding (`fixed`), or the encoding
    each preference takes (`picks`: None, gb18030, big5 -> an encoding, None where it is
    refused) with the readings in doubt, to show them."""

    def __init__(self, fixed: str | None, picks: dict[str | None, str | None] | None = None,
                 doubt: tuple[str, ...] = (), head: bytes = b""):
        self.fixed, self.picks, self.doubt, self.head = fixed, picks or {}, doubt, head

    def pick(self, region: str | None) -> str:
        if self.fixed is not None:
            return self.fixed
        prefer = preference(region)
        found = self.picks.get(prefer)
        if found is None:
            raise self.refusal(prefer)
        return found

    def refusal(self, prefer: str | None) -> BadInput:
        """The file refused: the readings in doubt, each with its first line holding
        more than ASCII, and the --encoding of each (the preferred first)."""
        encs = sorted(self.doubt, key=lambda e: (_family(e) != prefer,
                                                 prefer is not None and e == "utf-8-sig"))
        line, raw = _sample(self.head)
        names = [_(_REGION_NAMES[e]) for e in encs]
        if len(names) == 2:
            said = _("cannot tell the file's encoding: it reads as {first} and as {second}, "
                     "and neither is clearly the right one; its line {line} in each:").format(
                         first=names[0], second=names[1], line=line)
        else:
            said = _("cannot tell the file's encoding: it reads as {first}, as {second} and "
                     "as {third}, and none is clearly the right one; its line {line} in "
                     "each:").format(first=names[0], second=names[1], third=names[2],
                                     line=line)
        options = [f"--encoding {_OPTION.get(e, e)}" for e in encs]
        width = max(len(o) for o in options)
        for option, enc in zip(options, encs, strict=True):
            said += f"\n  {option + ':':<{width + 1}} {_shown_line(raw, enc)}"
        return BadInput(said, hint=_("give the one whose line reads right: {options}").format(
            options=_(" or ").join(options)), code="ambiguous_encoding",
            readings=[_OPTION.get(e, e) for e in encs], line=line)


# The preferred reading of a ledger's country, and what a reading is called.
_PREFER = {"CN": "gb18030", "TW": "big5", "HK": "big5", "MO": "big5"}
_REGION_NAMES = {"utf-8-sig": N_("UTF-8"), "gb18030": N_("GBK (mainland China)"),
                 "big5": N_("Big5 (Taiwan, Hong Kong)"),
                 "cp950": N_("Big5 (Taiwan, Hong Kong)"),  # (what --encoding big5 reads)
                 "big5hkscs": N_("Big5-HKSCS (Hong Kong)")}
_OPTION = {"utf-8-sig": "utf-8", "gb18030": "gbk", "cp950": "big5"}


def preference(region: str | None) -> str | None:
    """The reading a ledger in `region` (its country) prefers between GBK and Big5:
    gb18030, big5 or None."""
    return _PREFER.get((region or "").strip().upper())


def _family(enc: str) -> str:
    return "big5" if enc in _BIG5 else enc


def _detect(head: bytes, whole: bool) -> Detected:
    """What a CSV file whose start is `head` (`whole`: the whole file) reads as; its
    pick(region) is the encoding for a ledger in `region` (its country: CN prefers GBK,
    TW, HK and MO Big5; None, no preference). utf-8-sig when the bytes read as UTF-8 (a
    BOM or none) — unless that reading holds no Chinese and makes no sense as text while
    a GBK or Big5 reading is Chinese; else gb18030 (a superset of GBK and GB2312, what
    Chinese Windows saves) or Big5 (what Windows saves in Taiwan and Hong Kong: big5,
    cp950 or big5hkscs, the first that reads the bytes). Nearly every Big5 file also
    reads as GBK, as other text: the reading whose Chinese characters are the common
    ones of its set, with no kana or private-use characters, is taken (_score); on a tie
    the region's. BadInput (ambiguous_encoding) when neither is clearly right and there
    is no preference to settle it, showing a line in each reading; BadInput here when
    nothing reads it."""
    if head.startswith(codecs.BOM_UTF8):
        return Detected("utf-8-sig")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Detected("utf-16")  # Excel's "Unicode text" (tab-separated)
    utf8 = _decoded(head, "utf-8", whole)
    if utf8 is not None and (utf8.isascii() or _CJK.search(utf8)):
        return Detected("utf-8-sig")
    gbk = _decoded(head, "gb18030", whole)
    big5, big5_text = next(((enc, text) for enc in _BIG5
                            if (text := _decoded(head, enc, whole)) is not None),
                           (None, None))
    if utf8 is not None:
        return _utf8_or_chinese(head, utf8, gbk, big5, big5_text)
    if big5 is None or big5_text is None:
        if gbk is None:
            raise BadInput(_("cannot tell the file's encoding: it is neither UTF-8 nor GBK"),
                           hint=_("give it with --encoding, e.g. --encoding big5"),
                           code="unknown_encoding")
        return Detected("gb18030")
    if gbk is None:
        return Detected(big5)
    return _settled(_chinese(_score(gbk, _gb2312_level1), _score(big5_text, _big5_frequent),
                             big5), ("gb18030", big5), head)


def _settled(picks: dict[str | None, str | None], doubt: tuple[str, ...],
             head: bytes) -> Detected:
    """One encoding when every preference takes it, else the picks."""
    taken = set(picks.values())
    if len(taken) == 1 and None not in taken:
        return Detected(taken.pop())
    return Detected(None, picks, doubt, head)


def _chinese(as_gbk: _Score, as_big5: _Score, big5: str) -> dict[str | None, str | None]:
    """Which of GBK and Big5 each preference takes (None: refused): the clearly more
    plausible reading, else the preferred one."""
    gbk_says, big5_says = as_gbk.plausible, as_big5.plausible
    if gbk_says is None and big5_says is None:  # no Chinese either way: a tie
        return {None: None, "gb18030": "gb18030", "big5": big5}
    if gbk_says is None:  # one reading is symbols and letters only: it wins unless the
        gbk_says = 0.5 if (big5_says or 0.0) >= 0.5 else 1.0  # other is plausible too
    if big5_says is None:
        big5_says = 0.5 if gbk_says >= 0.5 else 1.0
    if big5_says - gbk_says >= _CLEARLY:
        return dict.fromkeys(_PREFS, big5)
    if gbk_says - big5_says >= _CLEARLY:
        return dict.fromkeys(_PREFS, "gb18030")
    return {None: None, "gb18030": "gb18030", "big5": big5}


def _utf8_or_chinese(head: bytes, utf8: str, gbk: str | None, big5: str | None,
                     big5_text: str | None) -> Detected:
    """A file that reads as UTF-8 without a Chinese character in it, and as GBK or Big5:
    UTF-8 unless a Chinese reading makes sense (GBK bytes of 漏水 are valid UTF-8:
    "©ˮ"). Then the UTF-8 reading decides: letters in words (Müller) only are UTF-8;
    modifier letters, IPA, controls, letters of two scripts in a word (ʧЧ), as many as
    such words or more, are the Chinese reading for a ledger that prefers one, refused
    for another; fewer, refused; symbols alone are UTF-8 except for a ledger that
    prefers Chinese (refused)."""
    scores = {}
    if gbk is not None:
        scores["gb18030"] = _score(gbk, _gb2312_level1)
    if big5 is not None and big5_text is not None:
        scores[big5] = _score(big5_text, _big5_frequent)
    chinese = {enc: s for enc, s in scores.items() if s.chinese}
    if not chinese:
        return Detected("utf-8-sig")
    plausible, implausible = _as_text(utf8)
    if plausible and not implausible:
        return Detected("utf-8-sig")
    if big5 in chinese and "gb18030" in chinese and big5 is not None:
        among = _chinese(chinese["gb18030"], chinese[big5], big5)
    else:
        only = next(iter(chinese))
        among = dict.fromkeys(_PREFS, only)
    picks: dict[str | None, str | None] = {}
    for prefer in _PREFS:
        if implausible >= plausible > 0 or implausible and not plausible:
            # nonsense as UTF-8 (no more words than not): the region's Chinese
            picks[prefer] = among[prefer] if prefer is not None else None
        elif implausible:  # more words than nonsense: unclear
            picks[prefer] = None
        else:  # symbols only: UTF-8 unless the ledger expects Chinese
            picks[prefer] = "utf-8-sig" if prefer is None else None
    return _settled(picks, ("utf-8-sig", *chinese), head)


# The Big5 codecs tried, in order: Windows' (cp950, what Excel saves in Taiwan: it reads
# every byte Python's big5 reads, and 11 of them as the symbols they are there, ‧ ～ ￥
# ﹑, where big5 read • ∼ ¥ ､ without a word; and 碁 粧 銹 裏 墻 恒 嫺, which big5 lacks:
# a register holding one only after its first MB was refused whole; so big5 itself is
# never tried: what cp950 cannot read, it cannot either); Hong Kong's (big5hkscs: with
# Cantonese characters such as 嘅 啲 唔, but reading a few of big5's symbols otherwise,
# so not the first).
_BIG5 = ("cp950", "big5hkscs")

# The preferences detection knows: none, GBK's and Big5's.
_PREFS: tuple[str | None, ...] = (None, "gb18030", "big5")

# How much more plausible one reading must be than the other to be taken (a share of
# its characters; measured: a register's header and a row read right score 0.9–1.0,
# read as the other set 0.1–0.6).
_CLEARLY = 0.2

# How many characters beyond ASCII of the sample are scored, at most (enough to tell,
# and cheap: they are looked for in its start, in the whole sample when too few are
# there).
_SCORED = 20000

# How much a character no Chinese register holds (kana, hangul, the private use area,
# rare blocks) counts against a reading, as so many uncommon characters.
_STRONGLY = 4

# Chinese, Japanese or Korean text: a UTF-8 reading holding it is UTF-8.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
                  "\U00020000-\U0003ffff]")

# What no Chinese register holds: kana (and half-width kana), hangul, bopomofo, the
# private use areas, CJK extension A and beyond, compatibility ideographs, radicals,
# Yi.
_NOT_CHINESE = re.compile("[\u1100-\u11ff\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f"
                          "\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf\ua000-\ua4cf"
                          "\uac00-\ud7af\ue000-\uf8ff\uf900-\ufaff\uff66-\uff9f"
                          "\U00020000-\U0010ffff]")
_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")


class _Score:
    """How a reading's characters beyond ASCII look as Chinese: its ideographs, those
    common in their set, the characters no Chinese register holds, and the ideographs
    wedged between Latin letters or digits (M眉ller, 25掳C), as no Chinese is written."""

    def __init__(self, ideographs: int, common: int, foreign: int, wedged: int):
        self.ideographs, self.common, self.foreign = ideographs, common, foreign
        self.wedged = wedged

    @property
    def plausible(self) -> float | None:
        """The share of common ideographs, the foreign characters counting strongly
        against; None when there is neither (symbols, punctuation, other letters: they
        tell nothing)."""
        weight = self.ideographs + _STRONGLY * self.foreign
        return self.common / weight if weight else None

    @property
    def chinese(self) -> bool:
        """Whether the reading is plausible Chinese text."""
        said = self.plausible
        return said is not None and said >= 0.5 and not self.foreign \
            and self.wedged * 2 < self.ideographs


_LATIN_AROUND = re.compile(r"[A-Za-z0-9]")


def _score(text: str, common: Any) -> _Score:
    """`text` scored as Chinese (_Score), from its first _SCORED characters beyond ASCII."""
    ideographs = hits = foreign = wedged = 0
    seen: dict[str, bool] = {}
    for n, m in enumerate(re.finditer(r"[^\x00-\x7f]", text)):
        if n >= _SCORED:
            break
        ch = m.group()
        if _IDEOGRAPH.match(ch):
            ideographs += 1
            known = seen.get(ch)
            if known is None:
                known = seen[ch] = bool(common(ch))
            hits += known
            at = m.start()
            before, after = text[at - 1:at], text[at + 1:at + 2]
            if _LATIN_AROUND.match(before) and _LATIN_AROUND.match(after) and \
                    (before.isalpha() or after.isalpha()):
                wedged += 1
        elif _NOT_CHINESE.match(ch):
            foreign += 1
    return _Score(ideographs, hits, foreign, wedged)


# Latin-1 signs a text may hold beside letters and digits (25°C, ±0.5, ½, €200, ©, µm);
# the others (¤ ¦ ¨ ¬ ¯ ´ ¸ ¡ ¿ …) alone are what GBK's bytes read as in UTF-8.
_USUAL_SIGNS = frozenset("°±×÷©®£¥€µ·§²³½¼¾\u00a0«»")
# Greek letters written in units and formulas beside Latin ones (10kΩ, Φ6, Δt, µm).
_UNIT_GREEK = frozenset("µΩΦΔαβγδλπσθμωφ")


def _script(ch: str) -> str:
    if ord(ch) < 0x250:
        return "LATIN"
    import unicodedata

    return unicodedata.name(ch, "?").split(" ")[0]


def _as_text(text: str) -> tuple[int, int]:
    """(plausible, implausible): how many of the characters beyond ASCII of a UTF-8
    reading read as text — letters inside words of one script (Müller, Ελλάδα) — and
    how many do not: controls, modifier letters and IPA (ˮ ʧ), a letter alone, letters
    of two scripts in a word (ʧЧ), Latin-1 signs seldom written. Symbols beside text
    (25°C, €200) are neither."""
    import unicodedata

    plausible = implausible = 0
    words = {m.start(): m.group() for m in re.finditer(r"[^\W\d_]+", text[:_SCORED * 4])
             if not m.group().isascii()}
    in_word: set[int] = set()
    for at, word in words.items():
        scripts = {_script(ch) for ch in word if ch not in _UNIT_GREEK}
        if len(word) == 1 and (text[at - 1:at] + text[at + 1:at + 2]).isdigit():
            in_word.add(at)  # a letter at a number: a sign (Ø10), neither
            continue
        odd = len(word) == 1 or len(scripts) > 1
        for i, ch in enumerate(word):
            in_word.add(at + i)
            if ch.isascii():
                continue
            if unicodedata.category(ch) == "Lm" or 0x250 <= ord(ch) <= 0x2FF:
                implausible += 1
            elif ch in _UNIT_GREEK and len(word) > 1:
                continue
            elif odd:
                implausible += 1
            else:
                plausible += 1
    for m in re.finditer(r"[^\x00-\x7f]", text[:_SCORED * 4]):
        if m.start() in in_word:
            continue
        ch = m.group()
        category = unicodedata.category(ch)
        if category[0] == "C" or category[0] == "M" or \
                (ord(ch) <= 0xFF and ch not in _USUAL_SIGNS):
            implausible += 1
    return plausible, implausible


def _sample(head: bytes) -> tuple[int, bytes]:
    """(its line number, its bytes): the first line of `head` holding more than ASCII."""
    m = re.search(rb"[\x80-\xff]", head)
    at = m.start() if m else 0
    start = head.rfind(b"\n", 0, at) + 1
    end = head.find(b"\n", at)
    return head.count(b"\n", 0, at) + 1, head[start:end if end >= 0 else len(head)]


# How much of a line the refusal shows, in characters.
_SHOWN = 40


def _shown_line(raw: bytes, enc: str) -> str:
    """The line `raw` read in `enc`, cut to _SHOWN characters, controls escaped."""
    raw = raw[:_SHOWN * 4].rstrip(b"\r")
    try:
        text = raw.decode(enc, _errors(enc))
    except UnicodeDecodeError:
        text = raw.decode(enc, "replace")
    if len(text) > _SHOWN:
        text = text[:_SHOWN] + "…"
    import unicodedata

    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cf") else ch
                   for ch in text)


def _euro(exc: UnicodeError) -> tuple[str, int]:
    """The byte 0x80 of a GBK file read as €, as code page 936 (Chinese Windows) writes
    it; Python's gbk and gb18030 have no such character. Any other bad byte is bad."""
    if isinstance(exc, UnicodeDecodeError) and exc.object[exc.start:exc.start + 1] == b"\x80":
        return "€", exc.start + 1
    raise exc


codecs.register_error("complaintctl-cp936", _euro)


def _errors(enc: str) -> str:
    """The errors handler a file in `enc` is read with: GBK's with Windows' euro."""
    try:
        return "complaintctl-cp936" if codecs.lookup(enc).name == "gb18030" else "strict"
    except LookupError:
        return "strict"


def _decoded(head: bytes, enc: str, whole: bool = False) -> str | None:
    """`head` read in `enc`, a character cut at its end left out unless it is the
    `whole` file; None when it is not `enc` text."""
    errors = _errors(enc)
    try:
        return head.decode(enc, errors)
    except UnicodeDecodeError as exc:
        if whole or exc.start < len(head) - 3:  # not a cut: not `enc` (read no further)
            return None
    for cut in range(1, 4):  # a character may be cut at the end of what was read
        try:
            return head[:len(head) - cut].decode(enc, errors)
        except UnicodeDecodeError:
            pass
    return None


def _gb2312_level1(ch: str) -> bool:
    """Whether `ch` is in GB2312's level 1 (the 3,755 common characters of simplified
    Chinese: lead bytes 0xB0–0xD7)."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7


def _big5_frequent(ch: str) -> bool:
    """Whether `ch` is a common character of traditional Chinese: one GB2312 holds in
    its level 1 (the forms both sets share: 工, 大, 公司), or one it does not hold (電,
    機) in Big5's block of frequently used characters (the 5,401 of 0xA440–0xC67E,
    which also has rare ones GB2312 puts in its level 2: 陲, 覃, 夤)."""
    try:
        return _gb2312_level1(ch) if len(ch.encode("gb2312")) == 2 else False
    except UnicodeEncodeError:
        pass
    try:
        code = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xA440 <= int.from_bytes(code, "big") <= 0xC67E


def _encoding(name: str) -> str:
    try:
        codec = codecs.lookup(name)
        if not getattr(codec, "_is_text_encoding", True):  # rot13, base64, zlib …
            raise LookupError(name)
        found = codec.name
    except LookupError:
        raise BadInput(_("--encoding {value} is not an encoding").format(value=shown(name)),
                       hint=_("e.g. --encoding gbk or --encoding utf-8"),
                       code="bad_encoding") from None
    if found in ("gbk", "gb2312"):
        return "gb18030"  # reads the same files, and more
    if found == "big5":
        return "cp950"  # as Windows saves it: the same bytes, and more (_BIG5)
    return "utf-8-sig" if found == "utf-8" else found


def open_table(path: Path, *, sheet: str | None = None, encoding: str | None = None,
               region: str | None = None) -> Table:
    """The register in `path`; BadInput when it cannot be read. `region`, the ledger's
    country, settles a CSV that reads as two encodings (Table.in_region, later, too)."""
    try:
        # a register is a file on disk: a pipe would wait for a writer, a device such
        # as /dev/zero be read without end
        if path.exists() and not path.is_dir() and not path.is_file():
            raise BadInput(_("cannot read {path}: it is not a regular file (a device, a "
                             "pipe or a socket)").format(path=path),
                           hint=_("give the register saved as a file: .xlsx, .xls or .csv"),
                           code="file_not_regular")
        if is_workbook(path):
            if encoding is not None:  # (taken without a word, as if it had been used)
                raise BadInput(_("--encoding is for a CSV file; {path} is a workbook, whose "
                                 "text is Unicode").format(path=path),
                               hint=_("leave --encoding out"), code="encoding_not_csv")
            return _xlsx(path, sheet)
        if sheet is not None:
            raise BadInput(_("--sheet is for an XLSX file; {path} is not one").format(
                path=path), code="sheet_not_xlsx")
        return _csv(path, encoding, region)
    except FileNotFoundError:
        raise BadInput(_("no file {path}").format(path=path), code="no_file") from None
    except IsADirectoryError:
        raise BadInput(_("{path} is a folder, not a file").format(path=path)) from None
    except PermissionError:
        raise BadInput(_("cannot read {path}: permission denied").format(path=path)) from None


def default_rejects(path: Path, sheet: str | None) -> str:
    """Where `import --skip-bad` writes the refused rows without --rejects: FILE.rejects.csv
    in the current folder; for a workbook's sheet other than its first, FILE.SHEET.rejects.csv
    (登记表.2025年.rejects.csv), so that one sheet's rejects do not replace another's."""
    # (a name's control characters '_', as a sheet's: a default made with them was refused
    # as a --rejects nobody typed)
    name = f"{one_line(path.stem, '_')}.rejects.csv"
    if sheet is None:
        return name
    try:
        from python_calamine import CalamineWorkbook

        with open(path, "rb") as fh:
            names = list(CalamineWorkbook.from_filelike(fh).sheet_names)
    except Exception:  # noqa: BLE001 - not a workbook: the import says so
        names = []
    if names and sheet == names[0]:
        return name
    # (Excel allows none of \ / : * ? [ ] in a sheet's name; a file name none of these)
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", sheet).strip(". ") or "sheet"
    return f"{one_line(path.stem, '_')}.{safe}.rejects.csv"


def _clean(value: str) -> str | None:
    value = value.strip()
    return value or None


def _delimiter(fh: Any) -> str:
    """A tab when the first lines (a title, the header) have more tabs than commas
    (Excel's "Unicode text", a register copied out of a sheet), else a comma. The file
    is read again from its start."""
    head = ""
    try:
        for _line in range(_ABOVE_HEADER):
            head += fh.readline(_SNIFF)
    except UnicodeError:  # said with its row when the rows are read
        pass
    fh.seek(0)
    return "\t" if head.count("\t") > head.count(",") else ","


def _not_json(fh: Any, path: Path) -> None:
    """A file whose first line is a JSON object or array (export's JSON lines, a JSON
    document) is refused as what it is: read as CSV, its first record was taken for the
    header and echoed, contact and all, as "its columns". The file is read again from
    its start."""
    import json

    try:
        line = fh.readline(_SNIFF).strip().lstrip("\ufeff")
    except UnicodeError:  # said with its row when the rows are read
        line = ""
    fh.seek(0)
    if line[:1] not in ("{", "["):
        return
    try:
        json.loads(line)
    except ValueError:
        if line not in ("{", "["):  # ([ or { alone: a JSON document over several lines)
            return
        message = _("{path} is JSON, not a register: import reads CSV, XLSX or XLS files")
    else:
        message = _("{path} is JSON lines, not a register: import reads CSV, XLSX or XLS "
                    "files")
    raise BadInput(message.format(path=path),
                   hint=_("export as CSV (complaintctl export complaints --reveal --output "
                          "all.csv) and import that, or save the register from Excel as "
                          ".xlsx or .csv"), code="not_a_register")


def _csv(path: Path, encoding: str | None, region: str | None = None) -> Table:
    if encoding is None:
        with open(path, "rb") as raw:
            head = raw.read(_SNIFF)
            whole = not raw.read(1)
        found = _detect(head, whole)
        if found.fixed is None and region is None:  # the ledger's region will say
            def settle(where: str | None) -> Table:
                return _csv(path, found.pick(where))

            table = Table([], iter(()))
            table._open = settle
            return table
        enc = found.pick(region)
    else:
        enc = _encoding(encoding)
    fh = open(path, encoding=enc, newline="", errors=_errors(enc))  # noqa: SIM115 (the rows own it)
    # A cell may be as long as _CELL_MOST (the text fields refuse over 20,000 characters,
    # with their row); a quote opened in a cell and never closed is refused whole
    # (_unclosed), where the reader took every row after it as that one cell.
    csv.field_size_limit(_CELL_MOST)
    delimiter = ","
    try:
        _not_json(fh, path)
        delimiter = _delimiter(fh)
        _unclosed(path, enc, delimiter)
        reader = csv.reader(fh, delimiter=delimiter)
        at, header = _header(reader)
    except UnicodeError as exc:  # also UTF-16 without its BOM, an `undefined` codec
        fh.close()
        raise _undecodable(path, enc, getattr(exc, "row", 1), delimiter) from None
    if not header:
        fh.close()
        raise BadInput(_("{path} has no header row").format(path=path),
                       hint=_no_header_hint(at), code="no_header")
    try:
        below = next(reader, None)
    except UnicodeError:
        fh.close()
        raise _undecodable(path, enc, at + 1, delimiter) from None
    two_rows = _two_row_header(header, below)
    if two_rows is not None:
        header, at, below = two_rows, at + 1, None
    else:
        header = [h.strip().lstrip("\ufeff") for h in header]

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        with fh:
            number = at
            ahead = below  # the row read to see whether the header went on in it
            while True:
                try:
                    row = ahead if ahead is not None else next(reader)
                except StopIteration:
                    return
                except UnicodeError:
                    raise _undecodable(path, enc, number + 1, delimiter) from None
                ahead = None
                number += 1
                # as _clean, inline, and the formula guard of an export taken off
                cells = [(unguarded(cell) if cell[:1] == "'" else cell).strip() or None
                         for cell in row]
                if any(cells):  # a row of empty cells is skipped
                    yield number, cells

    return Table(header, rows(), enc)


# The longest cell a CSV may have, in characters (Python's csv reader stops at 131,072
# with an error of its own).
_CELL_MOST = 1 << 20


def _unclosed(path: Path, enc: str, delimiter: str) -> None:
    """A pass over the file with a strict reader, for what the ordinary one would read
    silently wrong: a quote opened in a cell and never closed (the end of the file, or
    the cell's limit, reached inside it). A quote inside a cell ("华东"电器) is read as
    before; text that is not in `enc` is said by the rows' own reading."""
    with open(path, encoding=enc, newline="", errors=_errors(enc)) as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        row = 0
        while True:
            row += 1
            try:
                if next(reader, None) is None:
                    return
            except UnicodeError:
                return
            except csv.Error as exc:
                reason = str(exc)
                if "unexpected end of data" in reason or "field larger" in reason:
                    raise _not_csv(path, row) from None


def _not_csv(path: Path, row: int) -> BadInput:
    """A quote (") opened in a cell of row `row` (a record: a cell in quotes may hold line
    breaks) and never closed: the reader would take everything after it as that cell,
    up to the end of the file or the cell's limit."""
    return BadInput(_("row {row}: a quote (\") opens a cell in {path} and is never closed "
                      "(everything after it would be one cell)").format(row=row, path=path),
                    hint=_("open the file in a spreadsheet or a text editor, correct the "
                           "quotes in that row and save it again"), code="bad_csv", row=row)


# Rows above the header a register may have: a title (2024年客户投诉登记表, often merged
# across the sheet), a date or department line, blank rows.
_ABOVE_HEADER = 10


_LABELLED = re.compile(r"[^:：]{1,12}[:：]\s*\S")


def _header(rows: Iterator[Any]) -> tuple[int, list[Any] | None]:
    """(its row number, the header row): the first of the first rows with at least two
    cells filled, not all of them "label：value"; rows above it with one cell or none (a
    title) or only such cells (填表部门：品质部, 填表日期：2024-12-31) are passed over."""
    for number in range(1, _ABOVE_HEADER + 1):
        try:
            row = next(rows, None)
        except UnicodeError as exc:  # said with the row it is in
            exc.row = number  # type: ignore[attr-defined]
            raise
        if row is None:
            return number, None
        filled = [str(c).strip() for c in row if c not in (None, "") and str(c).strip()]
        # (a line of 填表部门：品质部, 填表日期：… over the header: every cell a label and
        # its value, which no header is)
        if len(filled) >= 2 and not all(_LABELLED.match(c) for c in filled):
            return number, row
    return _ABOVE_HEADER + 1, None  # (rows go on: the header, if any, is below them)


def _no_header_hint(at: int) -> str | None:
    """What a file without a header row in its first rows is told, when it has more rows
    (a header below a long 填表说明 was "has no header row" and no more)."""
    if at <= _ABOVE_HEADER:
        return None
    return _("the header row (the column names) is looked for in the first {n} rows: "
             "delete the rows above it, save, and try again").format(n=_ABOVE_HEADER)


def _two_row_header(header: list[Any], below: list[Any] | None) -> list[str] | None:
    """The names of a header drawn in two rows, as registers in Excel often are (处理情况
    merged across 处理人 | 处理日期 | 处理结果 above them, 序号 merged down both rows):
    `header` has a group — a label followed by empty cells — and the row `below` names
    columns under the groups only (elsewhere it is empty or repeats the name above).
    Each column is named by the row below, else by the row above; a name that would be
    there twice is the group's and its own (回访情况/日期). None when `below` is not
    such a row (it is data, or there is no group)."""
    if below is None:
        return None
    top = [str(c).strip().lstrip("\ufeff") if c is not None else "" for c in header]
    sub = [str(c).strip() if c is not None else "" for c in below]
    width = max(len(top), len(sub))
    top += [""] * (width - len(top))
    sub += [""] * (width - len(sub))
    group: list[str | None] = [None] * width  # the label of the group a column is in
    label: str | None = None
    for j in range(width):
        if top[j]:
            label = top[j] if j + 1 < width and not top[j + 1] else None
        if label is not None:
            group[j] = label
    named = [j for j in range(width) if group[j] is not None and sub[j]]
    if not any(group[j] is not None and not top[j] for j in named):
        return None  # nothing below names a column the row above left unnamed
    alone = [j for j in range(width) if sub[j] and group[j] is None and sub[j] != top[j]]
    if alone:  # a cell outside the groups: data, unless it is a group of one column (回访
        #情况 over 满意度 alone: the row below was read as data, 满意度 a satisfaction) in
        # a row whose other columns outside the groups are as empty as a header merged
        # down both rows leaves them (序号, 投诉日期); a row of data fills them
        down = [j for j in range(width) if group[j] is None and top[j] and not sub[j]]
        if any(not top[j] for j in alone) or len(down) < len(alone):
            return None
        for j in alone:
            group[j] = top[j]
    names = [sub[j] if group[j] is not None and sub[j] else top[j] for j in range(width)]
    twice = {n for n in names if n and names.count(n) > 1}
    return [f"{group[j]}/{n}" if n in twice and group[j] is not None and sub[j] else n
            for j, n in enumerate(names)]


def _merged(sheet: Any, header_row: int) -> dict[tuple[int, int], tuple[int, int, int]]:
    """The cells of merged ranges below the header that take the range's value, as (row
    number, column index as read) -> (the range's top-left cell, its last column index):
    a register merges a date or a customer over the rows it holds for, and each of those
    rows means it. Only the range's first column: a value merged across columns is one
    cell's, not each column's (a section heading, 2025年度 merged over A3:G3, was read as
    a date, a channel, a category … of 2025年度, one error a column). Empty when the
    reader cannot say."""
    try:
        ranges = sheet.merged_cell_ranges or []
        first_col = sheet.start[1] if sheet.start else 0
    except Exception:  # noqa: BLE001 - an older reader or a format without them
        return {}
    cells: dict[tuple[int, int], tuple[int, int, int]] = {}
    for (r0, c0), (r1, c1) in ranges:
        if r0 + 1 <= header_row:  # a title over the header, or the header itself
            continue
        top = (r0 + 1, c0 - first_col, c1 - first_col)
        for r in range(r0 + 1, r1 + 2):
            cells[(r, c0 - first_col)] = top
    return cells


def _undecodable(path: Path, enc: str, row: int, delimiter: str = ",") -> BadInput:
    """The file is not in `enc` from a row on: that row found by _bad_row (`row`, where
    the reader stopped, when it cannot say), the encoding named as people name it (the
    codec read UTF-8 as utf-8-sig, to drop a BOM, and GBK as its superset gb18030), and
    the encoding to try next (Hong Kong's Big5 when Big5 failed)."""
    row = _bad_row(path, enc, delimiter) or row
    name = _NAMES.get(enc, enc)
    if enc == "utf-8-sig":
        hint = _("give the file's encoding with --encoding, e.g. --encoding gbk")
    elif enc == "cp950":  # (--encoding big5 is read as cp950: _encoding)
        hint = _("give the file's encoding with --encoding: Big5 with Hong Kong's "
                 "characters (HKSCS, such as 嘅 啲 唔) is --encoding big5hkscs")
    elif enc == "gb18030":
        hint = _("give the file's encoding with --encoding (e.g. big5, utf-8)")
    else:
        hint = _("give the file's encoding with --encoding (e.g. gbk, utf-8)")
    return BadInput(_("row {row}: {path} is not {encoding} text").format(
        row=row, path=path, encoding=name), hint=hint, code="undecodable", row=row)


_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GBK (GB18030)", "big5": "Big5",
          "cp950": "Big5", "big5hkscs": "Big5-HKSCS"}

# Codecs whose text cannot be read a line at a time from the bytes: a line break is not
# the byte 0x0A in them, or a line's meaning depends on the ones before.
_STATEFUL = ("utf_16", "utf_32", "utf_7", "iso2022", "hz")


def _bad_row(path: Path, enc: str, delimiter: str) -> int | None:
    """The row (a record, as the reader numbers them) holding the file's first bytes
    that are not `enc` text. The text reader decodes the file in blocks of thousands of
    bytes, so the row it was reading when a block failed may be rows before the bad
    one (the header, for a bad character in row 2). Read again a line of bytes at a
    time (a line break is 0x0A in every ASCII-compatible codec); None for the codecs
    that cannot be read so, or when the rows cannot be told."""
    try:
        name = codecs.lookup(enc).name.replace("-", "_")
        # (utf-8-sig writes its BOM first: a line break is still 0x0A)
        if name.startswith(_STATEFUL) or not "a\n".encode(enc).endswith(b"a\n"):
            return None
    except (LookupError, UnicodeError):  # (the `undefined` codec encodes nothing)
        return None

    found: list[int] = []  # the bad bytes' line, once found
    errors = _errors(enc)

    def lines() -> Iterator[str]:
        with open(path, "rb") as fh:
            for raw in fh:
                try:
                    yield raw.decode(enc, errors)
                except UnicodeDecodeError as exc:
                    found.append(1)
                    # the text before the bad bytes and a mark in their place, ending the
                    # reading: the row the mark is in is the last one read
                    yield raw[:exc.start].decode(enc, "replace") + "?"
                    return

    rows = 0
    try:
        for _row in csv.reader(lines(), delimiter=delimiter):
            rows += 1
    except (csv.Error, UnicodeError, OSError, LookupError):
        return None
    return rows if found and rows else None


# The whole numbers a float holds exactly (2**53): beyond, its digits past the 15th or
# 16th are not the file's either, and the number is read as Excel shows it.
_EXACT = 2.0 ** 53


class NumberCell(str):
    """The text of a number cell with a fractional part (2.675): no mark of the thousands
    can be in it, as one typed as text may have (1.250)."""

    __slots__ = ()


class RoundedCell(str):
    """The text of a whole number cell beyond the digits a float holds (2**53): Excel
    keeps 15 significant digits, and the rest are zeros here (an 18-digit order number
    typed as a number); the importer warns of it in a column of long numbers."""

    __slots__ = ()


def _cell(value: Any) -> str | None:
    """An XLSX cell as text: dates as ISO, whole floats without their .0."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # as Excel shows it: 15 significant digits (¥3.30 is
        # stored as 3.3000000000000003, which is not an amount of cents; an 18-digit order
        # number typed as a number, 123456789012345678, is 123456789012346000 there, and
        # came in as the binary's 123456789012345696)
        if value.is_integer():
            if abs(value) < _EXACT:  # (a 16-digit key an ERP wrote is held exactly)
                return str(int(value))
            digits, power = f"{abs(value):.14e}".split("e")  # 15 digits, then zeros
            return RoundedCell(("-" if value < 0 else "") + digits.replace(".", "")
                               + "0" * (int(power) - 14))
        return NumberCell(f"{value:.15g}")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# A number format that shows a whole number padded with zeros, text around it or not:
# 000 (1 shows 001), "CC-"0000, 0000"号". Its first section; None for any other format
# (a number in General, with decimals, a date …, read as before).
_FORMAT_PART = re.compile(r'"([^"]*)"|\\(.)|(0+)|(.)')


def _padding(code: str) -> tuple[str, int, str] | None:
    """(the text before, the digits shown, the text after) of a number format that pads
    a whole number with zeros, else None."""
    before, zeros, after = "", 0, ""
    for quoted, escaped, digits, other in _FORMAT_PART.findall(code):
        if other == ";":  # the first section: a positive number's
            break
        if other or (digits and zeros):
            return None
        if digits:
            zeros = len(digits)
        elif zeros:
            after += quoted or escaped
        else:
            before += quoted or escaped
    if zeros < 2 and not (zeros and (before or after)):
        return None  # 0 alone shows the number as it is
    return before, zeros, after


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _cell_index(ref: str) -> tuple[int, int]:
    """(row number, column index from 0) of a cell reference such as C4."""
    letters = ref.rstrip("0123456789")
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch.upper()) - 64
    return int(ref[len(letters):]), column - 1


def _sheet_member(z: Any, sheet: str) -> str | None:
    """The name, in the workbook's zip `z`, of the XML of its sheet `sheet`."""
    from xml.etree import ElementTree

    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rid = next((e.get(_RELS + "id") for e in book.iter(_MAIN + "sheet")
                if e.get("name") == sheet), None)
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next((e.get("Target") or "" for e in rels if e.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


# How much of a sheet's XML is read at a time when looking for a formula in it.
_CHUNK = 1 << 20


def _uncalculated_and_hidden(path: Path, sheet: str, first_col: int, header_row: int
                             ) -> tuple[dict[int, list[tuple[int, str]]], list[int]]:
    """Below the header of an XLSX sheet, in one reading of its XML:
    - the formula cells that hold no calculated value: a workbook a program wrote (an
      ERP's export, an openpyxl script) and nobody opened in Excel or WPS since, whose
      formulas calamine reads as empty cells (an amount of =M2*2 came in as none); by
      column index as read, (row number, the cell as "M3 (=M2*2)") of each (those of a
      row the import skips, 合计's =SUM, are no matter);
    - the rows Excel hides (a test row, a row "deleted" by hiding it), by number: read
      as any other, and said (a hidden 作废 row came in as a complaint unsaid).
    The XML is first searched, in chunks, for a formula (<f> with a namespace's prefix
    or without) and a hidden row, and parsed only for what it holds; nothing when it
    holds neither or cannot be read."""
    import zipfile
    from xml.etree import ElementTree

    found: dict[int, list[tuple[int, str]]] = {}
    hidden: list[int] = []
    try:
        with zipfile.ZipFile(path) as z:
            name = _sheet_member(z, sheet)
            if name is None:
                return {}, []
            formulas = hiding = False
            with z.open(name) as fh:
                tail = b""
                while not (formulas and hiding) and (chunk := fh.read(_CHUNK)):
                    seen = tail + chunk
                    formulas = formulas or re.search(rb"<(?:\w+:)?f[ >/]", seen) is not None
                    hiding = hiding or b"hidden=" in seen
                    tail = seen[-16:]
            if not (formulas or hiding):
                return {}, []
            with z.open(name) as fh:
                for _event, e in ElementTree.iterparse(fh):
                    if e.tag == _MAIN + "c" and formulas:
                        formula, value = e.find(_MAIN + "f"), e.find(_MAIN + "v")
                        ref = e.get("r") or ""
                        if formula is None or value is not None and (
                                value.text or e.get("t") == "str") or not ref:
                            continue
                        row, column = _cell_index(ref)
                        if row <= header_row:
                            continue
                        found.setdefault(column - first_col, []).append(
                            (row, f"{ref} (={formula.text or ''})"))
                    elif e.tag == _MAIN + "row":
                        number = int(e.get("r") or 0)
                        if hiding and number > header_row and e.get("hidden") in ("1", "true"):
                            hidden.append(number)
                        e.clear()  # (bounded memory: a row at a time)
            return found, hidden
    except Exception:  # noqa: BLE001 - a workbook calamine read but this cannot: as read
        return {}, []


def _padded_numbers(path: Path, sheet: str, first_col: int
                    ) -> dict[tuple[int, int], tuple[str, int, str]]:
    """The number cells of an XLSX sheet that Excel shows padded with zeros (a register's
    编号 1 in the format 000 shows 001, and is 001 in a CSV saved from it), as (row
    number, column index as read) -> _padding; empty when the workbook has no such
    format (the styles are read, the sheet only then) or cannot say."""
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as z:
            styles = ElementTree.fromstring(z.read("xl/styles.xml"))
            codes = {f.get("numFmtId"): f.get("formatCode") or "" for f in
                     styles.iter(_MAIN + "numFmt")}
            padded = {}
            xfs = styles.find(_MAIN + "cellXfs")
            for i, xf in enumerate(() if xfs is None else xfs.iter(_MAIN + "xf")):
                code = codes.get(xf.get("numFmtId"))
                shown = _padding(code) if code else None
                if shown is not None:
                    padded[str(i)] = shown
            if not padded:
                return {}
            name = _sheet_member(z, sheet)
            if name is None:
                return {}
            found: dict[tuple[int, int], tuple[str, int, str]] = {}
            with z.open(name) as fh:
                for _event, e in ElementTree.iterparse(fh):
                    if e.tag == _MAIN + "c":
                        style = e.get("s")
                        if style in padded and e.get("t") in (None, "n") and e.get("r"):
                            row, column = _cell_index(e.get("r") or "")
                            found[(row, column - first_col)] = padded[style]
                    elif e.tag == _MAIN + "row":
                        e.clear()  # (bounded memory: a row at a time)
            return found
    except Exception:  # noqa: BLE001 - a workbook calamine read but this cannot: as read
        return {}


def _xlsx(path: Path, sheet: str | None) -> Table:
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as fh:
        is_ole = fh.read(8) == _OLE
    try:  # from the file's bytes, whatever its name says (from_path goes by the suffix)
        with open(path, "rb") as fh:
            book = CalamineWorkbook.from_filelike(fh)
    except Exception as exc:  # calamine's own errors (a broken zip, not a workbook)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        with open(path, "rb") as fh:
            ole = fh.read(8) == _OLE
        if ole:  # an .xls calamine cannot read, or a workbook saved with a password
            raise BadInput(_("cannot read {path} as a workbook: {reason}").format(
                path=path, reason=reason),
                hint=_("it is an Excel 97–2003 file or one saved with a password: open it in "
                       "Excel or WPS and save it as .xlsx (Excel Workbook) without a "
                       "password"), code="bad_xlsx") from None
        raise BadInput(_("cannot read {path} as XLSX: {reason}").format(
            path=path, reason=reason), code="bad_xlsx") from None
    names = list(book.sheet_names)
    if sheet is None:
        if not names:
            raise BadInput(_("{path} has no sheet").format(path=path), code="no_sheet")
        sheet = names[0]
    elif sheet not in names:
        raise BadInput(_("no sheet {sheet} in {path}").format(sheet=shown(sheet), path=path),
                       hint=_("its sheets: {names}").format(names=", ".join(names)),
                       code="no_sheet")
    found = book.get_sheet_by_name(sheet)
    rows_in = iter(found.iter_rows())
    at, header_cells = _header(rows_in)
    if not header_cells:  # (a first sheet of notes: which sheet holds the register)
        raise BadInput(_("{path} has no header row").format(path=path) if len(names) < 2
                       else _("sheet {sheet} of {path} has no header row").format(
                           sheet=shown(sheet), path=path),
                       hint=_no_header_hint(at) or (_(
                           "the register is on another sheet? Its sheets: {names}; choose "
                           "one with --sheet NAME").format(names=", ".join(names))
                           if len(names) > 1 else None), code="no_header")
    header = [_cell(c) or "" for c in header_cells]
    below = next(rows_in, None)
    two_rows = _two_row_header(header, None if below is None else [_cell(c) for c in below])
    if two_rows is not None:
        header, at, below = two_rows, at + 1, None
    merged = _merged(found, at)
    try:
        first_col = found.start[1] if found.start else 0
    except Exception:  # noqa: BLE001 - an older reader
        first_col = 0
    padded = _padded_numbers(path, sheet, first_col) if not is_ole else {}

    across: dict[int, tuple[int, int]] = {}

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        number = at
        tops: dict[tuple[int, int, int], str | None] = {}  # a merged range's top-left value
        for raw in itertools.chain(() if below is None else (below,), rows_in):
            number += 1
            cells = [_cell(c) for c in raw]
            if padded:  # a number Excel shows padded with zeros (001): as shown
                for j, value in enumerate(raw):
                    if isinstance(value, float) and value.is_integer() and value >= 0:
                        shown = padded.get((number, j))
                        if shown is not None:
                            cells[j] = f"{shown[0]}{int(value):0{shown[1]}d}{shown[2]}"
            if merged:
                for j, c in enumerate(cells):
                    top = merged.get((number, j))
                    if top is None:
                        continue
                    if top[:2] == (number, j):
                        tops[top] = c
                    elif c is None:  # shown as the merged cell's value: read as it
                        cells[j] = tops.get(top)
                filled = [j for j, c in enumerate(cells) if c is not None]
                if len(filled) == 1:  # its one value a cell merged across columns
                    top = merged.get((number, filled[0]))
                    if top is not None and top[2] > top[1]:
                        across[number] = (top[1], top[2])
            if any(c is not None for c in cells):
                yield number, cells

    table = Table(header, rows(), sheet=sheet, zone=None if is_ole else _workbook_zone(path),
                  across=across)
    if not is_ole:  # (the columns the mapping reads are refused for them: importer.Reader)
        table.uncalculated, table.hidden = _uncalculated_and_hidden(path, sheet, first_col, at)
    return table


def _workbook_zone(path: Path) -> str | None:
    """The time zone a complaintctl export wrote into the workbook's custom properties
    (sheets.ZONE_PROPERTY), if any."""
    import zipfile
    from xml.etree import ElementTree

    from complaintctl.sheets import ZONE_PROPERTY

    try:
        with zipfile.ZipFile(path) as z:
            if "docProps/custom.xml" not in z.namelist():
                return None
            props = ElementTree.fromstring(z.read("docProps/custom.xml"))
    except Exception:  # noqa: BLE001 - a workbook calamine read but this cannot: not said
        return None
    for prop in props:
        if prop.get("name") == ZONE_PROPERTY:
            return next((v.text.strip() for v in prop if v.text and v.text.strip()), None)
    return None
