"""The mapping a user writes once per register (a TOML file): which column holds which
complaintctl field, the register's own id, its words, defaults, date formats and
where a step without a date of its own takes one. And the starter mapping that
`import FILE --template` guesses from a header row. No database, no terminal.

    key = "投诉单号"
    [columns]
    received_at = "投诉日期"      # field = column header
    [values.severity]
    "特急" = "critical"           # the file's word = complaintctl's word
    [defaults]
    channel = "phone"
    [formats]
    received_at = "%d/%m/%Y"
    [dates]
    resolved_at = "received_at"   # the resolve step's time, from another field or column
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from complaintctl.errors import BadInput
from complaintctl.i18n import N_, _, shown
from complaintctl.parse import one_line

# The fields a register's columns may hold, by their JSON keys (show --format json /
# export complaints), with their kind: text, word (an enumerated value, read through
# the word table), time, date, count, money, bool.
FIELDS: dict[str, str] = {
    # intake
    "customer": "text", "contact": "text", "channel": "word", "category": "word",
    "severity": "word", "demand": "word", "region": "text", "order_no": "text",
    "product": "text", "lot": "text", "quantity": "count", "shipped_on": "date",
    "received_at": "time", "description": "text", "logged_by": "text",
    # the history a register records
    "status": "word", "department": "text", "owner": "text", "assigned_at": "time",
    "finding": "text", "validity": "word", "cause": "text", "cause_category": "word",
    "responsibility": "word", "supplier": "text", "not_upheld_reason": "text",
    "containment": "text", "corrective": "text", "preventive": "text",
    "concluded_at": "time", "disposition": "word", "amount": "money",
    "approved_by": "text", "resolved_at": "time", "summary": "text",
    "satisfaction": "word", "revisit_method": "word", "demand_met": "bool",
    "revisit_note": "text", "revisited_at": "time", "closed_at": "time",
    "close_reason": "text", "voided_at": "time", "void_reason": "text",
    # the currency of the row's amount: read only to refuse another than the ledger's
    # (an export of a ledger kept in yuan, imported into one kept in dollars, turned
    # ¥211,015.20 into $211,015.20)
    "currency": "text",
}

# Other names of the same fields: the short forms of the options, export's dotted
# columns, and a few obvious ones.
ALIASES: dict[str, str] = {
    "received": "received_at", "order": "order_no", "shipped": "shipped_on",
    "dept": "department", "assigned": "assigned_at", "root_cause": "cause",
    "investigation.root_cause": "cause", "investigation.validity": "validity",
    "investigation.cause_category": "cause_category",
    "investigation.responsibility": "responsibility", "investigation.supplier": "supplier",
    "investigation.concluded_at": "concluded_at", "concluded": "concluded_at",
    "resolution.disposition": "disposition", "resolution.amount": "amount",
    "resolution.approved_by": "approved_by", "resolution.at": "resolved_at",
    "resolution.summary": "summary", "resolved": "resolved_at",
    "revisit.at": "revisited_at", "revisit.satisfaction": "satisfaction",
    "revisit.method": "revisit_method", "revisited": "revisited_at", "method": "revisit_method",
    "closed": "closed_at", "voided": "voided_at", "reason": "not_upheld_reason",
    "investigation.reason": "not_upheld_reason", "investigation.finding": "finding",
    "investigation.containment": "containment", "investigation.corrective": "corrective",
    "investigation.preventive": "preventive", "revisit.demand_met": "demand_met",
    "revisit.note": "revisit_note", "resolution.currency": "currency",
}

# The word-table field a `word` field is read through (where its name differs).
WORD_FIELD = {"revisit_method": "method", "status": "status"}

# Fields the row hash leaves out: an 11-digit phone number could be brute-forced
# from a hash of it.
UNHASHED = frozenset({"contact"})


def canonical(name: str) -> str | None:
    """The field a name in a mapping means, or None."""
    name = name.strip()
    if name in FIELDS:
        return name
    return ALIASES.get(name) or ALIASES.get(name.lower())


# The line breaks a header may hold (typed with Alt+Enter in its cell), with the spaces
# around them.
_LINE_BREAK = re.compile(r"[ \t]*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+[ \t]*")


def column_said(header: str) -> str:
    """A column's header as a message names it: on one line, each line break in its cell
    a space (投诉 Alt+Enter 日期 is 投诉 日期; `row 10, column 投诉⏎日期: …` was one
    message on two lines). Only said so: the header is matched as it is written."""
    if not _LINE_BREAK.search(header):
        return header
    return _LINE_BREAK.sub(" ", header).strip()


@dataclass
class Mapping:
    columns: dict[str, str]  # field -> header
    # the header(s) of the register's own id: one column, or several whose values
    # together name a row (a register numbered anew on each sheet: 编号 and 投诉日期)
    key: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> word -> code
    defaults: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)  # step time -> field or header
    name: str = ""
    refuse_masked: tuple[str, ...] = ()  # fields whose masked values (****1234) are refused
    # headers of columns that, filled in, leave the row out (complaintctl's export: the
    # rows of a voided import batch, which the reports leave out); said, never refused
    leave_out: tuple[str, ...] = ()
    # headers of columns a file may lack: the fields mapped to them are then not read
    # (complaintctl's export before it had the investigation's texts)
    optional: tuple[str, ...] = ()
    # the header of a column that holds a row's register id from an import before
    # (complaintctl's export: source_key): where it is filled in, it is the row's key (its
    # register id, stored and matched), the key's column giving its id alone (kept)
    register_key: str | None = None

    @property
    def key_name(self) -> str | None:
        """The key as a problem names its column: the header, or the headers joined (each
        on one line: column_said)."""
        return " + ".join(map(column_said, self.key)) if self.key else None


def _bad(path: str, message: str, hint: str | None = None) -> BadInput:
    return BadInput(_("mapping {path}: {message}").format(path=path, message=message),
                    hint=hint, code="bad_mapping")


def shipped(name: str) -> Path | None:
    """A mapping complaintctl ships (`--mapping complaintctl`), by name."""
    from importlib import resources

    if not name.replace("-", "").replace("_", "").isalnum():
        return None
    entry = resources.files("complaintctl") / "mappings" / f"{name}.toml"
    return Path(str(entry)) if entry.is_file() else None


def load(spec: str) -> Mapping:
    """The mapping in the TOML file `spec`, or the shipped one of that name."""
    path = Path(spec).expanduser()
    if not path.is_file():
        found = shipped(spec)
        if found is None and path.is_dir():
            raise BadInput(_("--mapping {spec} is a folder").format(spec=spec),
                           hint=_("give the mapping's TOML file in it"), code="no_mapping")
        if found is None:
            raise BadInput(_("no mapping {spec}").format(spec=spec),
                           hint=_("give a TOML file, or start one with: complaintctl import "
                                  "FILE --template > map.toml"), code="no_mapping")
        path = found
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found]
    try:
        data = path.read_bytes()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Notepad's "Unicode"
            # and PowerShell 5's `>` write it (its NULs read as a binary file's)
            data = data.decode("utf-16").encode("utf-8")
        if b"\x00" in data[:4096]:  # (the ledger given as the mapping was hinted iconv,
            # which "converts" it into a garbage utf8.toml)
            raise _bad(str(path), _("not a text file (an SQLite database, such as a ledger)")
                       if data.startswith(b"SQLite format 3\x00") else _(
                           "not a text file (a workbook or another binary file)"),
                       hint=_("a mapping is a TOML text file; start one with: complaintctl "
                              "import FILE --template > map.toml"))
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad(str(path), _("not UTF-8 text"), hint=_(
            "save it as UTF-8 (in Notepad: Save as, Encoding UTF-8), or convert it: "
            "iconv -f GBK -t UTF-8 {path} > utf8.toml").format(path=path)) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # the parser's own words are English: where it stopped is said in the user's,
        # and what it met in them where they are known
        detail = str(exc)
        at = re.search(r"\(at line (\d+), column (\d+)\)", detail)
        if at is None:
            raise _bad(str(path), detail) from None
        said = detail[:at.start()].strip()
        hint = _('a line is a name = "text in double quotes", e.g. customer = "客户名称" '
                 'under [columns]')
        lines = text.splitlines()
        line = lines[int(at.group(1)) - 1] if int(at.group(1)) <= len(lines) else ""
        if any(q in line for q in "“”‘’＂"):  # an IME's quotes: TOML takes "…" only
            hint = _("line {line} has Chinese quotes (“ ”): type them as straight double "
                     "quotes \" (the input method's English mode), e.g. key = \"编号\"").format(
                line=at.group(1))
        elif said == "Cannot overwrite a value" and "=" in line:  # a name given twice
            # (a template's line appended again: "how a line is written" was beside it)
            name = line.split("=", 1)[0].strip()
            first = None  # the line before it in the same [table] (one of another table's
            # of the name is not the one it overwrites)
            for n in range(int(at.group(1)) - 1, 0, -1):
                other = lines[n - 1].strip()
                if other.startswith("["):
                    break
                if "=" in other and other.split("=", 1)[0].strip() == name:
                    first = n
                    break
            raise _bad(str(path), _("{name} is given twice (lines {first} and {line})").format(
                name=name, first=first or "?", line=at.group(1)),
                hint=_("keep one of the two lines")) from None
        raise _bad(str(path), _("not TOML at line {line}, column {column} ({detail})").format(
            line=at.group(1), column=at.group(2),
            detail=_(_TOML_SAID[said]) if said in _TOML_SAID else said), hint=hint) from None
    return parse(doc, str(path))


# What Python's TOML parser says most often, in the user's words.
_TOML_SAID = {
    "Invalid value": N_("a value that is not text in double quotes, a number or true/false"),
    "Expected ']' at the end of a table declaration": N_("a [table] without its ]"),
    "Expected '=' after a key in a key/value pair": N_("a name without = after it"),
    "Unclosed string": N_("text without its closing quote"),
    "Cannot declare ('columns',) twice": N_("[columns] twice"),
}


def _table(doc: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise _bad(where, _("[{table}] must be a table").format(table=name))
    return value


def _fields(table: dict[str, Any], name: str, where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        f = canonical(key)
        if f is None:
            import difflib

            near = difflib.get_close_matches(key, list(FIELDS), n=1, cutoff=0.75)
            raise _bad(where, _("[{table}] {key}: no such field").format(table=name, key=key)
                       + (_(" (did you mean {word}?)").format(word=near[0]) if near else ""),
                       hint=_("fields: {fields}").format(fields=", ".join(FIELDS)))
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _bad(where, _("[{table}] {key} must be text").format(table=name, key=key))
        out[f] = str(value)
    return out


def parse(doc: dict[str, Any], where: str) -> Mapping:
    known = {"key", "columns", "values", "defaults", "formats", "dates", "refuse_masked",
             "leave_out", "optional", "register_key"}
    for name in doc:
        if name not in known:
            raise _bad(where, _("unknown entry {name}").format(name=name),
                       hint=_("a mapping has key, [columns], [values.FIELD], [defaults], "
                              "[formats] and [dates]"))
    key = doc.get("key")
    if isinstance(key, str):
        key = [key]
    if key is not None and (not isinstance(key, list) or not key or not all(
            isinstance(k, str) and k.strip() for k in key) or len(set(key)) != len(key)):
        raise _bad(where, _("key must be a column header, or a list of different column "
                            "headers"),
                   hint=_("e.g. key = \"投诉单号\", or for a register numbered anew on each "
                          "sheet: key = [\"编号\", \"投诉日期\"]"))
    columns = _fields(_table(doc, "columns", where), "columns", where)
    if not columns:
        raise _bad(where, _("[columns] is empty"),
                   hint=_("start from: complaintctl import FILE --template"))
    values: dict[str, dict[str, str]] = {}
    for name, table in _table(doc, "values", where).items():
        f = canonical(name)
        if f is None or not isinstance(table, dict):
            raise _bad(where, _("[values.{field}]: no such field").format(field=name))
        values[f] = {str(k): "" if v is None else str(v) for k, v in table.items()}
    defaults = _fields(_table(doc, "defaults", where), "defaults", where)
    formats = _fields(_table(doc, "formats", where), "formats", where)
    for f, fmt in formats.items():  # (strptime's year without one: 1900, taken as it)
        if "%Y" not in fmt and "%y" not in fmt:
            raise _bad(where, _("[formats] {field} = {format} has no year (%Y or %y): its "
                                "dates would be read as in 1900").format(
                                    field=f, format=shown(fmt)),
                       hint=_("a register that writes its dates without the year (1.25, 3月5日) "
                              "needs the year in its cells; a single cell can be given a "
                              "line under [values.{field}] (\"1.25\" = \"2026-01-25\")").format(
                                  field=f))
    dates = _fields(_table(doc, "dates", where), "dates", where)
    for f in dates:
        if FIELDS[f] != "time":
            raise _bad(where, _("[dates] {field} is not a time").format(field=f))
    masked = doc.get("refuse_masked", [])
    if not isinstance(masked, list):
        raise _bad(where, _("refuse_masked must be a list of fields"))
    leave_out = doc.get("leave_out", [])
    if not isinstance(leave_out, list) or not all(isinstance(h, str) and h.strip()
                                                  for h in leave_out):
        raise _bad(where, _("leave_out must be a list of column headers"))
    optional = doc.get("optional", [])
    if not isinstance(optional, list) or not all(isinstance(h, str) and h.strip()
                                                 for h in optional):
        raise _bad(where, _("optional must be a list of column headers"))
    register_key = doc.get("register_key")
    if register_key is not None and (not isinstance(register_key, str) or not
                                     register_key.strip() or len(key or ()) != 1):
        raise _bad(where, _("register_key must be a column header, beside a key of one "
                            "column"))
    return Mapping(columns=columns, key=tuple(key or ()), values=values, defaults=defaults,
                   formats=formats, dates=dates, name=where,
                   refuse_masked=tuple(canonical(m) or m for m in masked),
                   leave_out=tuple(leave_out), optional=tuple(optional),
                   register_key=register_key)


# --- the starter mapping -----------------------------------------------------------

# A cell that is a value, not a column's name: an e-mail address or a phone number
# (seven digits or more: a contact), a full date (2024-05-01, 2024/5/1, 2024年5月1日),
# a bare number.
CONTACT_LIKE = re.compile(r"@|(\d[\s\-()+]*){7}")
_DATE_LIKE = re.compile(r"\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)")
_NUMBER_LIKE = re.compile(r"\s*[+-]?\d+(?:[.,]\d+)?\s*")


def reads_as_data(header: list[str]) -> bool:
    """Whether a file's "header row" is a row of data (a register saved without its
    header): a cell holds a contact or a date, or two cells are numbers. Such a row is
    never echoed (a customer, a phone number) nor written into a mapping."""
    cells = [h for h in header if h]
    if any(CONTACT_LIKE.search(h) or _DATE_LIKE.match(h) for h in cells):
        return True
    return sum(1 for h in cells if _NUMBER_LIKE.fullmatch(h)) >= 2


def no_header(file_name: str) -> BadInput:
    """A file whose first row reads as data: said without its cells."""
    return BadInput(_("{file} seems to have no header row: its first row reads as data "
                      "(a date, a phone number …), not as column names").format(
                          file=file_name),
                    hint=_("add the register's header row above its first row (投诉日期, "
                           "客户名称, 联系电话 …), save it, and try again"),
                    code="no_header_row")

# Headers a Chinese or English register uses, by field, the likeliest first (compared
# without spaces, case-folded; a header containing one of these is taken for the field,
# but one marked "=", too common a part of other headers, only as the whole header).
GUESSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (the call's time before 接收日期, which may be the day goods or papers came in)
    ("received_at", ("投诉日期", "投诉时间", "受理日期", "受理时间", "接诉日期", "登记日期",
                     "来电时间", "来电日期", "反馈日期", "反馈时间", "接收日期", "接收时间",
                     "收到日期",
                     "=日期", "receiveddate", "datereceived", "received")),
    ("customer", ("客户名称", "客户单位", "客户", "投诉单位", "单位名称", "投诉人", "customer",
                  "company")),
    ("contact", ("联系电话", "联系方式", "联络方式", "联络电话", "电话", "手机", "contact",
                 "phone")),
    ("channel", ("投诉渠道", "渠道", "投诉管道", "反映管道", "反应管道", "来源", "投诉方式",
                 "channel",
                 "submittedvia")),
    ("category", ("投诉类别", "投诉类型", "问题类别", "问题类型", "问题分类", "投诉分类", "类别",
                  "category")),
    ("severity", ("严重程度", "严重等级", "严重度", "紧急程度", "投诉等级", "重要程度", "优先级",
                  "等级", "级别", "severity")),
    ("demand", ("客户要求", "诉求", "demand")),
    ("region", ("区域", "地区", "region", "state")),
    ("order_no", ("订单号", "订单编号", "order")),
    ("product", ("产品型号", "产品名称", "品名", "物料名称", "产品", "型号", "机型", "product")),
    ("lot", ("批号", "批次", "序列号", "lot", "serial")),
    ("quantity", ("不良数量", "数量", "台数", "件数", "quantity", "qty")),
    ("shipped_on", ("发货日期", "出货日期", "shipped")),
    ("description", ("投诉内容", "问题描述", "投诉描述", "详细描述", "投诉详情", "=描述",
                     "description", "issue", "narrative")),
    ("logged_by", ("受理人", "登记人", "loggedby")),
    ("department", ("责任部门", "责任单位", "处理部门", "处理单位", "department")),
    ("owner", ("责任人", "负责人", "处理人", "owner")),
    ("assigned_at", ("分派日期", "转交日期", "派单日期", "datesenttocompany", "assigned")),
    # (before cause: 不成立原因 is why a complaint was judged not upheld, not its cause)
    # (not 不成立 alone: 成立/不成立 heads a column of the validity)
    ("not_upheld_reason", ("不成立原因", "不成立理由", "不成立说明", "不予受理原因",
                           "不予受理理由", "不受理原因", "不受理理由", "notupheldreason",
                           "reasonnotupheld")),
    ("cause", ("原因分析", "根本原因", "原因", "rootcause", "cause")),
    ("cause_category", ("原因类别", "causecategory")),
    ("finding", ("调查结果", "调查情况", "finding")),
    ("containment", ("临时措施", "围堵措施", "应急措施", "containment")),
    ("corrective", ("纠正措施", "整改措施", "corrective")),
    ("preventive", ("预防措施", "preventive")),
    ("validity", ("是否成立", "投诉是否成立", "validity")),
    ("disposition", ("处理方式", "disposition", "companyresponse")),
    ("amount", ("金额", "赔偿金额", "赔付金额", "=赔付", "=赔偿", "amount")),
    ("currency", ("币种", "币别", "货币", "currency")),
    ("approved_by", ("主管批示", "批示人", "批准人", "审批人", "approvedby")),
    ("resolved_at", ("处理日期", "处理完成日期", "完成日期", "答复日期", "答覆日期", "resolved")),
    ("summary", ("处理说明", "答复内容", "答覆内容", "=处理结果", "处理意见", "处理措施",
                 "处理情况", "summary")),
    ("satisfaction", ("满意度", "回访结果", "客户满意度", "satisfaction")),
    ("revisit_method", ("回访方式", "revisitmethod")),
    ("revisited_at", ("回访日期", "回访时间", "revisited")),
    ("revisit_note", ("回访情况", "回访记录", "客户意见")),
    ("closed_at", ("结案日期", "关闭日期", "closed")),
    # (a 作废 row of the 状态 column needs its day: left unmapped, every one was refused)
    ("voided_at", ("作废日期", "作废时间")),
    ("void_reason", ("作废原因", "作废理由")),
    ("status", ("处理状态", "投诉状态", "状态", "status")),
)

# Headers a field is never guessed from, though they contain one of its words: the
# reason a complaint was judged not upheld (不成立原因) is no root cause.
_NOT_FOR = {"cause": ("不成立", "不予受理", "不受理", "notupheld")}

# The register's own id, best first. Never 序号 (a row's number: renumbered when the
# sheet is sorted) nor an order's number (订单编号: order_no, shared by complaints).
_KEY_GUESSES = ("投诉单号", "投诉编号", "登记编号", "单号", "编号", "complaintid", "id", "ref")
_NOT_KEYS = ("序号", "订单", "order", "发票", "合同")


def _norm(text: str) -> str:
    return "".join(text.split()).casefold().replace("_", "").replace("-", "")


# What a group of a two-row header (readers._two_row_header) ends with: 处理情况 over
# 日期 is 处理日期 (a column named 处理情况/日期 is guessed as that).
_GROUP_ENDS = ("情况", "记录", "信息", "结果", "栏")


def _guess_norm(header: str) -> str:
    """_norm of a header, its traditional characters read as simplified (投訴單號 is
    投诉单号) and Taiwan's 客訴 as 投诉 (客訴日期 is 投诉日期); a grouped one (处理情况/日期)
    as its group's stem and its own name (处理日期)."""
    from complaintctl.words import hans

    header = hans(header).replace("客诉", "投诉")
    group, slash, name = header.rpartition("/")
    if slash and group and name:
        for end in _GROUP_ENDS:
            if group.endswith(end) and len(group) > len(end):
                group = group[:-len(end)]
                break
        return _norm(group + name)
    return _norm(header)


def guess(header: list[str]) -> tuple[str | None, dict[str, str], list[str]]:
    """(key header, field -> header, headers left over) guessed from a header row."""
    normed = [(h, _guess_norm(h)) for h in header if h]
    taken: set[str] = set()
    key = None
    keys = [(h, n) for h, n in normed if not any(w in n for w in _NOT_KEYS)]
    for rank in (*_KEY_GUESSES, None):  # the exact words in their order, then any 单号/编号
        found_key = next((h for h, n in keys if n == rank or rank is None and
                          n.endswith(("单号", "编号"))), None)
        if found_key is not None:
            key = found_key
            taken.add(found_key)
            break
    found: dict[str, str] = {}

    def free(f: str, h: str, n: str) -> bool:  # a header not taken that may be f's
        return h not in taken and not any(x in n for x in _NOT_FOR.get(f, ()))

    for f, words in GUESSES:  # exact headers first, the likeliest word first
        for w in words:
            h = next((h for h, n in normed if n == w.lstrip("=") and free(f, h, n)), None)
            if h is not None:
                found[f] = h
                taken.add(h)
                break
    for f, words in GUESSES:  # then headers containing a word
        if f in found:
            continue
        for h, n in normed:
            if any(w in n for w in words if len(w) > 1 and not w.startswith("=")) and \
                    free(f, h, n):
                found[f] = h
                taken.add(h)
                break
    left = [h for h, _n in normed if h not in taken]
    return key, found, left


def toml_string(text: str) -> str:
    """A TOML basic string: a header broken over lines in its cell (Alt+Enter) keeps its
    line breaks as escapes (a raw one is not TOML), control characters as \\uXXXX."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return '"' + "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}"
                         for c in escaped) + '"'


# Rows of a register the template reads to see what a column holds.
_SAMPLE = 200


def _words_of(field_name: str, column: list[str]) -> bool:
    """Whether the values of a column are (mostly: four in five) words of an enumerated
    field, read through the word table as the import reads them; a column whose only
    such word is 一般 (a severity too) is not taken for a satisfaction."""
    hits = [v for v in column if _reads_as(field_name, v)]
    return bool(column) and len(hits) * 5 >= len(column) * 4 and \
        any(v != "一般" for v in hits)


def _reads_as(field_name: str, value: str) -> bool:
    from complaintctl import words

    try:
        words.lookup(field_name, value)
    except words.UnknownWord:
        return False
    return True


# A cell that stands for no value in a register (/, -, —, 无, N/A): left out of what a
# column is judged by, and given its [values] line ("/" = "") in the template.
_PLACEHOLDER = re.compile(r"[/／\\\-－—–]+|无|n/?a", re.IGNORECASE)  # (not √ ×, ★★: words)


def _column(header: list[str], h: str, sample: list[list[str | None]]) -> list[str]:
    """The non-empty values of column `h` in the sample rows."""
    i = header.index(h)
    return [str(cells[i]).strip() for cells in sample if i < len(cells) and cells[i]
            and str(cells[i]).strip()]


def _by_values(header: list[str], found: dict[str, str], left: list[str],
               sample: list[list[str | None]]) -> None:
    """A column the header did not name as a satisfaction whose values are satisfaction
    words (回访情况: 满意, 不满意, 基本满意), taken for `satisfaction` in place of what it
    was guessed as (the revisit's note) or left as: as a note, every row's revisit and
    its date were dropped (a revisit needs its satisfaction). Placeholders (/) are not
    counted: a register writes one where there was no revisit."""
    if not sample or "satisfaction" in found:
        return
    candidates = [h for h in (found.get("revisit_note"), *left) if h]
    if not candidates:
        return
    values = {h: [v for v in _column(header, h, sample) if not _PLACEHOLDER.fullmatch(v)]
              for h in candidates}
    for h in candidates:
        if _words_of("satisfaction", values[h]):
            if found.get("revisit_note") == h:
                del found["revisit_note"]
            else:
                left.remove(h)
            found["satisfaction"] = h
            return


def template(header: list[str], file_name: str,
             rows: Iterable[tuple[int, list[str | None]]] | None = None) -> str:
    """A starter mapping for a register with this header row, to edit; `rows`, its data
    rows as readers.Table gives them (the first are read), show what a column the header
    leaves in doubt holds."""
    if reads_as_data(header):  # its cells would be guessed as columns, a phone among them
        raise no_header(file_name)
    key, found, left = guess(header)
    sample = [cells for _number, cells in islice(rows, _SAMPLE)] if rows is not None else []
    _by_values(header, found, left, sample)
    # the placeholders of the columns of words (/ for no revisit): each given its line
    placeholders = {f: sorted({v for v in _column(header, found[f], sample)
                               if _PLACEHOLDER.fullmatch(v)})
                    for f in sorted(found, key=list(FIELDS).index)
                    if FIELDS[f] in ("word", "time", "date", "count", "money")}
    lines = [_("# complaintctl import mapping for {file} (guessed from its header row: "
               "check every line)").format(file=one_line(file_name)),  # (a line break
             # in the name began a line of TOML)
             _("# [columns]: complaintctl field = the register's column header."),
             _("# Values are read through complaintctl's words (codes, English and "
               "Chinese labels, synonyms); list the others under [values.FIELD]."), ""]
    if key:
        lines.append(f"key = {toml_string(key)}")
    else:
        lines.append(_("# key = \"...\"   # the register's own id: needed to import it again"))
    lines += ["", "[columns]"]
    order = list(FIELDS)
    for f in sorted(found, key=order.index):
        lines.append(f"{f} = {toml_string(found[f])}")
    if left:
        lines.append("")
        lines.append(_("# Columns not guessed (map them, or leave them out):"))
        lines += [f"# ? = {toml_string(h)}" for h in left]
    # an example under it: a field the sheet has no column for (every one had: "e.g.:"
    # followed by nothing)
    fallback = {"channel": "other", "category": "other", "severity": "medium"}
    missing = [f for f in fallback if f not in found]
    # a field a step needs beside one the register has a column for (an assignment's
    # owner beside its department, a resolution's summary beside its disposition): its
    # default, commented out and said (the template's own file was refused row by row,
    # "an assignment needs a department and an owner", with no line to start from)
    alone = [(f, beside, value) for f, beside, value in _COMPANIONS
             if beside in found and f not in found]
    a_default = [f"# {f} = {toml_string(v)}" for f, v in (
        ("region", "华东"), ("department", "质量部"), ("owner", "王芳"), ("lot", "L2401"),
        ("demand", "exchange")) if f not in found and f not in {a[0] for a in alone}][:1] \
        if not missing and not alone else []
    lines += ["", "[defaults]",
              _("# A value for a field that is missing or empty, e.g.:")
              if missing or a_default or alone
              else _("# A value for a field that is missing or empty.")]
    # Left commented out: a column not recognised may hold them (紧急程度 did, and every
    # row came in as medium, a fire among them); the import then refuses a row without
    # them, and the user maps the column or takes the default knowingly.
    if missing:
        lines.append(_("# No column was recognised for {fields}: map yours above, or remove "
                       "the # to give every row the same value (a default severity hides "
                       "critical complaints).").format(fields=", ".join(missing)))
    lines += [f'# {f} = "{fallback[f]}"' for f in missing]
    for f, beside, value in alone:
        lines.append(_("# {beside} has a column, {field} none: the step needs both; map "
                       "yours above, or remove the # to give every row the same {field} "
                       "(until then a row with a {beside} is refused).").format(
                           beside=beside, field=f))
        lines.append(f"# {f} = {toml_string(value)}")
    lines += a_default
    for f, marks in placeholders.items():
        if marks:
            lines += ["", f"[values.{f}]", _("# the register's placeholder: no value")]
            lines += [f'{toml_string(mark)} = ""' for mark in marks]
    example = next(f for f in ("severity", "category", "channel", "demand")
                   if not placeholders.get(f))  # (not a table written above: a TOML error)
    lines += ["", f"# [values.{example}]",
              _("# \"the file's word\" = \"complaintctl's word\""),
              "", "# [formats]", '# received_at = "%d/%m/%Y"', "", "# [dates]",
              _("# where a step without its own date takes its time (marked estimated):")]
    # Steps whose date the register does not keep: each taken from another (the
    # template's own file was refused row by row: "the investigate step has no date",
    # "the assign step has no date")
    dated = []
    if found.keys() & {"department", "owner"} and "assigned_at" not in found:
        dated += [_("# the assignment (department, owner) has no date of its own in this "
                    "register: the complaint's"), 'assigned_at = "received_at"']
    if found.keys() & _INVESTIGATED and "concluded_at" not in found and \
            "resolved_at" in found:
        dated += [_("# the investigation's conclusion (its cause, whether upheld) has no "
                    "date of its own in this register: its resolution's"),
                  'concluded_at = "resolved_at"']
    if dated:
        lines[-2] = "[dates]"
        lines += [*dated, ""]
    else:
        lines += ['# resolved_at = "received_at"', ""]
    return "\n".join(lines)


# A field a step needs beside another (its step's, its register's column for the other
# found), and a value to give every row, commented out: template.
_COMPANIONS = (("owner", "department", "质量部负责人"), ("department", "owner", "质量部"),
               ("summary", "disposition", "见登记表"))

# The fields that make a row's investigation step (its date: concluded_at).
_INVESTIGATED = frozenset({"finding", "validity", "cause", "cause_category", "responsibility",
                           "supplier", "not_upheld_reason", "containment", "corrective",
                           "preventive"})
