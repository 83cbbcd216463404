"""The ledger's settings: time zone, currency, display language, categories (and the
labels of those the user added), the deadline policy, escalation and the
working-day calendar. `Config` reads them (once per command); the `set_*` steps
change them, each with its event.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaintctl import deadlines, i18n, words
from complaintctl.errors import BadInput, LedgerError, Refused
from complaintctl.i18n import N_, _, listing, ngettext, shown, term
from complaintctl.parse import CATEGORIES, CURRENCY_SIGNS, from_iso, half_width

if TYPE_CHECKING:
    from complaintctl.store import Ledger

DEFAULT_SETTINGS = {
    "country": "CN",
    "timezone": "UTC",
    "currency": "CNY",
    "id_prefix": "CC",
    "return_prefix": "RMA",
    "repeat_window_days": "90",
    "categories": json.dumps(list(CATEGORIES)),
}

# Years of the country calendar copied into the ledger, around the year it is set. A
# complaint or step in a year outside them extends them (ensure_calendar_years).
CALENDAR_YEARS_BACK, CALENDAR_YEARS_AHEAD = 10, 5

# The settings that say what the stored country calendar is: its years ("2013-2031"),
# and the first and last year the holidays package has official data for (make-up
# working days; empty: a rule-based calendar, every year).
CALENDAR_SETTINGS = ("country", "calendar_weekend", "calendar_years", "calendar_covered_from",
                     "calendar_covered_until")

Policy = dict[str, dict[str, str | None]]

# The labels of the categories the user added: {code: {"en": ..., "zh": ...}} as JSON,
# a key of its own that exists once a label was given.
CATEGORY_LABELS_KEY = "category_labels"
LANGUAGE_KEY = "language"

# The default escalation roles as complaintctl stored them before migration 12 made
# them codes (deadlines.DEFAULT_ESCALATION): what init and policy-set events of older
# ledgers recorded, read as the codes the migration wrote (audit's replay).
LEGACY_ROLES = {
    "department manager (部门经理)": "department_manager",
    "branch head (分总)": "branch_head",
    "general manager (总经理)": "general_manager",
}

# The currencies in use (ISO 4217, as CLDR lists them for some country in December 2026;
# Babel's data, copied: it is not a dependency of the command). A ledger keeps the code
# it was made with; only a new one is checked.
CURRENCIES = frozenset((
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR "
    "ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD "
    "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR "
    "PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE "
    "SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS "
    "VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"
).split())
# What clerks type for a currency: the signs and words amounts are written with
# (parse.CURRENCY_SIGNS), but $ (whose dollar?), and ¥ the yuan (as Chinese clerks mean
# it; the yen is 円 or 日元); 元 is the country's own (currency(): the yuan, or the dollar
# of a ledger kept in HK$, NT$ or MOP$, where it made a ledger in patacas); the euro's
# name too (€, Euro and 欧元). A word of more than one currency (块, said of the yuan and
# of Taiwan's dollar) is the home country's if it is one of them, else the first's.
_SIGN_CODES: dict[str, list[str]] = {}
for _code, _signs in CURRENCY_SIGNS.items():
    for _sign in _signs:
        if _sign not in ("$", "¥", "元"):
            _SIGN_CODES.setdefault(_sign.upper(), []).append(_code)
_CURRENCY_WORDS = {**{sign: codes[0] for sign, codes in _SIGN_CODES.items()},
                   "¥": "CNY", "￥": "CNY", "EURO": "EUR", "EUROS": "EUR"}


# The currency of a country calendar's country, when init is not told one (a Taiwan ledger
# was made in CNY): the regions complaintctl is made for and the most common others.
COUNTRY_CURRENCY = {
    "CN": "CNY", "HK": "HKD", "MO": "MOP", "TW": "TWD", "SG": "SGD", "MY": "MYR",
    "JP": "JPY", "KR": "KRW", "TH": "THB", "VN": "VND", "ID": "IDR", "PH": "PHP",
    "IN": "INR", "AU": "AUD", "NZ": "NZD", "US": "USD", "CA": "CAD", "MX": "MXN",
    "BR": "BRL", "GB": "GBP", "CH": "CHF", "SE": "SEK", "NO": "NOK", "DK": "DKK",
    "PL": "PLN", "CZ": "CZK", "HU": "HUF", "TR": "TRY", "AE": "AED", "SA": "SAR",
    "ZA": "ZAR", "RU": "RUB",
    **dict.fromkeys(("AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT",
                     "LT", "LU", "LV", "MT", "NL", "PT", "SI", "SK"), "EUR"),
}


# The clock of the countries whose ledgers are made most: init warns when the machine's
# zone, taken by default, keeps another time.
COUNTRY_ZONE = {"CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "MO": "Asia/Macau",
                "TW": "Asia/Taipei"}


def same_clock(one: str, other: str, now: datetime) -> bool:
    """Whether two zones keep the same time `now` and half a year after (PRC and
    Asia/Shanghai, ROC and Asia/Taipei: the same clock by other names)."""
    try:
        a, b = ZoneInfo(one), ZoneInfo(other)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return True  # (an unknown zone is refused by init itself)
    return all(t.astimezone(a).utcoffset() == t.astimezone(b).utcoffset()
               for t in (now, now + timedelta(days=182)))


# The zones that keep one offset all year (EST, MST, Etc/GMT+5), taken for a place's
# clock: a US office's EST is an hour off for eight months of the year. (Etc/GMT-8 is
# China's clock all year, Etc/GMT+0 UTC: not said.)
_FIXED_OFFSET = re.compile(r"EST|MST|Etc/GMT(?:\+(?:[1-9]|1[0-2])|-(?:[1-79]|1[0-4]))",
                           re.IGNORECASE)


def fixed_offset_warning(name: str, now: datetime) -> str | None:
    """What to say of a zone whose name reads as a place's clock but is a fixed offset
    (None for any other)."""
    if not _FIXED_OFFSET.fullmatch(name.strip()):
        return None
    try:
        offset = now.astimezone(ZoneInfo(name.strip())).strftime("%z")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return _("{zone} keeps UTC{offset} all year, without daylight saving time: where the "
             "clocks change, give the place's zone, e.g. America/New_York, "
             "America/Denver").format(
        zone=name.strip(), offset=f"{offset[:3]}:{offset[3:]}".replace("-", "\u2212"))


def same_zone(one: str, other: str) -> bool:
    """Whether two zone names keep the same clock at every time: the same zone by two
    names (UTC and Etc/UTC, PRC and Asia/Shanghai). Compared twice a month from 1970 to
    2040, so that zones whose clocks change on other days (Cairo, Athens) are not taken
    for one another, as two samples took them."""
    if one == other:
        return True
    try:
        a, b = ZoneInfo(one), ZoneInfo(other)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    start = datetime(1970, 1, 1, tzinfo=timezone.utc)
    return all((t := start + timedelta(days=d)).astimezone(a).utcoffset()
               == t.astimezone(b).utcoffset() for d in range(0, 366 * 70, 15))


def currency(value: str, option: str = "--currency", *, home: str = "CNY") -> str:
    """A currency as typed (cny, RMB, 人民币, €, 欧元, 港幣) -> its ISO 4217 code; 元 (or 圆)
    is the `home` country's (NT$ in Taiwan, HK$ in Hong Kong), the yuan elsewhere."""
    import unicodedata

    from complaintctl.words import hans

    # (ＣＮＹ in full width, as a Chinese input method left on it types it)
    code = hans(unicodedata.normalize("NFKC", value).strip()).upper()
    if code in ("元", "圆") or home in _SIGN_CODES.get(code, ()) or \
            code == "¥" and home == "JPY":  # (¥ is the yen in a Japanese ledger)
        code = home
    else:
        code = _CURRENCY_WORDS.get(code, code)
    if code in ("$", "＄"):  # US, Hong Kong, Taiwan, Macau …: not one currency
        raise BadInput(_("{option} {value} is the sign of several dollars: whose is it?"
                         ).format(option=option, value=shown(value)),
                       hint=_("type its code: {option} USD (US$), HKD (HK$), TWD (NT$) …"
                              ).format(option=option), code="unknown_currency", value=value)
    if code in i18n.THOUSANDTHS_CURRENCIES:  # (an amount of 1.234 was refused as "more
        # than two decimals" in a ledger made in it)
        raise BadInput(_("{option} {value}: {code} amounts are counted in thousandths, and "
                         "complaintctl keeps amounts to the hundredth").format(
            option=option, value=shown(value), code=code),
            hint=_("keep the ledger in another currency, e.g. {option} USD").format(
                option=option), code="unknown_currency", value=value)
    if code not in CURRENCIES:
        raise BadInput(_("{option} {value} is not a currency code").format(
            option=option, value=shown(value)),
            hint=_("type its ISO 4217 code, e.g. {option} CNY (人民币), USD, EUR").format(
                option=option), code="unknown_currency", value=value)
    return code


# Names the system's zone files answer to that name no zone: localtime is this machine's
# own (a shared ledger's dates would be read in each machine's zone), posixrules a
# default rule (New York's on Debian), Factory none.
_NOT_ZONES = frozenset({"localtime", "factory", "posixrules"})


# An id's prefix: 1 to 8 ASCII letters, as ids are read back in any case and width and
# without their dashes (parse.record_key: K2 2026 0001 read as no id).
_PREFIX = re.compile(r"[A-Z]{1,8}")


def id_prefixes(complaint: str | None, return_: str | None) -> dict[str, str]:
    """The settings of `init --id-prefix/--return-prefix` (those given), checked: a
    prefix of letters, the two different (an id's prefix says whether it is a
    complaint's or a return's)."""
    import unicodedata

    out: dict[str, str] = {}
    for key, option, value in (("id_prefix", "--id-prefix", complaint),
                               ("return_prefix", "--return-prefix", return_)):
        if value is None:
            continue
        typed = unicodedata.normalize("NFKC", value).strip().rstrip("-")
        if not _PREFIX.fullmatch(typed.upper()) or not typed.isascii():  # (ß is SS upper)
            raise BadInput(_("{option} {value}: a prefix is 1 to 8 letters (A to Z)").format(
                option=option, value=shown(value)),
                           hint=_("e.g. {option} {example}").format(
                               option=option, example="KS" if key == "id_prefix" else "TH"),
                           code="id_prefix", value=value)
        out[key] = typed.upper()
    complaints = out.get("id_prefix", DEFAULT_SETTINGS["id_prefix"])
    returns = out.get("return_prefix", DEFAULT_SETTINGS["return_prefix"])
    if complaints == returns:
        raise BadInput(_("complaints and returns cannot share the prefix {prefix}: an id's "
                         "prefix says which it is").format(prefix=complaints),
                       hint=_("give them different prefixes, e.g. --id-prefix KS "
                              "--return-prefix TH"), code="id_prefix", value=complaints)
    return out


def zone(name: str, option: str = "--timezone") -> ZoneInfo:
    try:
        if name.strip().lower() in _NOT_ZONES:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # (Asia: a folder of zones, which
        # the system said as "it is a folder: …/zoneinfo/Asia", exit 1)
        same = _zone_in_any_case(name)
        raise BadInput(_("unknown time zone {name}").format(name=shown(name)),
                       hint=_("did you mean {option} {zone}?").format(option=option, zone=same)
                       if same else _("type an IANA name, e.g. {option} Asia/Shanghai").format(
                           option=option),
                       code="unknown_timezone", value=name) from None


def _zone_in_any_case(name: str) -> str | None:
    """The zone spelt `name` in another letter case (asia/shanghai: Asia/Shanghai), named
    by its city alone (Berlin), or one letter off (Europe/Berln), or None. Zone names are
    case-sensitive where the files are (Linux); a user types them as a name."""
    import unicodedata
    import zoneinfo

    typed = unicodedata.normalize("NFKC", name).strip().casefold().replace(" ", "_")
    if not typed or typed in _NOT_ZONES:
        return None
    try:
        names = sorted(zoneinfo.available_timezones())
    except (OSError, ValueError):
        return None
    same = next((z for z in names if z.casefold() == typed), None)
    if same is not None:
        return same
    # a city alone (Berlin, New York: the zone that ends in it), or one letter off
    # (Europe/Berln): an office abroad was offered Asia/Shanghai
    cities = [z for z in names if "/" in z and z.rsplit("/", 1)[1].casefold() == typed]
    if len(cities) == 1:
        return cities[0]
    import difflib

    folded = {z.casefold(): z for z in names if "/" in z}
    near = difflib.get_close_matches(typed, list(folded), n=1, cutoff=0.9)
    return folded[near[0]] if near else None


class Config:
    """What the ledger's settings tables say, read when first asked."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self.settings: dict[str, str] = dict(conn.execute("SELECT key, value FROM settings"))
        try:
            self.tz = ZoneInfo(self.settings["timezone"])
            self.currency = self.settings["currency"]
            self.categories: tuple[str, ...] = tuple(json.loads(self.settings["categories"]))
            self.category_labels: dict[str, dict[str, str]] = json.loads(
                self.settings.get(CATEGORY_LABELS_KEY) or "{}")
            self.category_words: tuple[words.Word, ...] = _category_words(
                self.categories, self.category_labels)
        except (KeyError, ValueError, TypeError, AttributeError,
                ZoneInfoNotFoundError) as exc:
            raise LedgerError(_("the ledger's settings are damaged ({problem})").format(
                problem=repr(exc)), hint=_("run: complaintctl verify"), code="damaged_settings"
                              ) from None
        # The ledger's display language ("en", "zh"), None when never set.
        self.language: str | None = self.settings.get(LANGUAGE_KEY) or None
        self._policy: Policy | None = None
        self._calendar: deadlines.Calendar | None = None

    @property
    def repeat_window(self) -> timedelta:
        """How far back a complaint of the same customer and product makes a new one a
        repeat (repeat_window_days)."""
        return timedelta(days=int(self.settings.get(REPEAT_WINDOW_KEY,
                                                    REPEAT_WINDOW_DEFAULT)))

    def policy(self) -> Policy:
        if self._policy is None:
            table: Policy = {}
            for stage, sev, dur in self._conn.execute("SELECT stage, severity, duration "
                                                      "FROM policy"):
                table.setdefault(stage, {})[sev] = dur
            self._policy = table
        return self._policy

    def escalation(self, as_of: str | None = None) -> tuple[tuple[int, int, str], ...]:
        """The escalation levels (level, working days late, role); `as_of` (a stored
        instant): as they were then, today's with every escalation `policy-set`
        recorded after it undone, newest first (a level added since, gone)."""
        levels = {level: (after, role) for level, after, role in self._conn.execute(
            "SELECT level, after_working_days, role FROM escalation")}
        if as_of is not None:
            for data, old in self._conn.execute(
                    "SELECT data, old FROM events WHERE kind = 'policy-set' AND at > ? "
                    "AND complaint_id IS NULL ORDER BY id DESC", (as_of,)).fetchall():
                then, before = json.loads(data), json.loads(old or "{}")
                if "escalation_level" not in then:
                    continue
                if before.get("after_working_days") is None:
                    levels.pop(then["escalation_level"], None)
                else:
                    role = before.get("role")
                    levels[then["escalation_level"]] = (before["after_working_days"],
                                                        LEGACY_ROLES.get(role, role))
        return tuple((level, *levels[level]) for level in sorted(levels))

    def calendar(self) -> deadlines.Calendar:
        if self._calendar is None:
            rows = self._conn.execute("SELECT day, source, kind FROM calendar_days "
                                      "ORDER BY source")  # 'user' after 'country': it wins
            self._calendar = _calendar_of(rows, self.settings)
        return self._calendar

    def calendar_then(self, event_id: int | None) -> deadlines.Calendar:
        """The calendar as it was when event `event_id` was recorded: today's, with the
        `calendar` events since undone, newest first (the days a user added or removed,
        a refresh's days, the weekend). An extension to years it did not hold is kept
        (it changed no day it knew). A change of country since cannot be undone (the
        old country's days are not kept): today's calendar then."""
        if event_id is None:
            return self.calendar()
        return self._calendar_undoing(self._conn.execute(
            "SELECT data, old FROM events WHERE kind = 'calendar' AND id > ? ORDER BY id DESC",
            (event_id,)).fetchall())

    def calendar_as_of(self, at: str) -> deadlines.Calendar:
        """calendar_then of the last event recorded at the stored instant `at` or before:
        the calendar as it stood then (overdue --as-of counts working days late by it)."""
        return self._calendar_undoing(self._conn.execute(
            "SELECT data, old FROM events WHERE kind = 'calendar' AND at > ? AND "
            "complaint_id IS NULL ORDER BY id DESC", (at,)).fetchall())

    def _calendar_undoing(self, changes: list[tuple[str, str | None]]) -> deadlines.Calendar:
        """Today's calendar with the `calendar` events `changes` (data, old: newest
        first) undone."""
        if not changes:
            return self.calendar()
        days = {(d, src): k for d, src, k in self._conn.execute(
            "SELECT day, source, kind FROM calendar_days")}
        settings = dict(self.settings)
        for data_s, old_s in changes:
            data, old = json.loads(data_s), json.loads(old_s or "{}")
            if "country" in data:
                return self.calendar()
            if "years" in data:  # an extension: years it knew nothing of, kept
                continue
            for kind in ("holiday", "workday", "closure"):
                for d in data.get(f"add_{kind}", ()):
                    replaced = old.get("replaced", {}).get(d)
                    if replaced is None:
                        days.pop((d, "user"), None)
                    else:
                        days[d, "user"] = replaced
            for d in data.get("remove", ()):
                days[d, "user"] = old.get("removed", {}).get(d, "holiday")
            for listed in (data.get("added") or {}).values():  # a refresh
                for d in listed:
                    days.pop((d, "country"), None)
            for kind, listed in (data.get("removed") or {}).items():
                for d in listed:
                    days[d, "country"] = kind
            if old.get("calendar_weekend"):
                settings["calendar_weekend"] = old["calendar_weekend"]
        return _calendar_of(sorted(((d, src, k) for (d, src), k in days.items()),
                                   key=lambda r: r[1]), settings)

    def days_of(self, year: int) -> list[dict[str, Any]]:
        """The days of `year` the calendar holds apart from its weekend, as deadlines
        count them (a day the user set wins over the country's): day, kind (holiday,
        workday: a make-up working day, closure), source (country, user) and name."""
        found: dict[str, dict[str, Any]] = {}
        for day, source, kind, name in self._conn.execute(
                "SELECT day, source, kind, name FROM calendar_days WHERE day >= ? AND "
                "day < ? ORDER BY day, source", (f"{year:04d}-", f"{year + 1:04d}-")):
            found[day] = {"day": day, "kind": kind, "source": source, "name": name}
        return list(found.values())

    def user_days(self) -> list[dict[str, str]]:
        return [{"day": d, "kind": k, "name": n} for d, k, n in self._conn.execute(
            "SELECT day, kind, name FROM calendar_days WHERE source = 'user' ORDER BY day")]

    def view(self) -> dict[str, Any]:
        """`policy show`: everything a supervisor sets."""
        s = self.settings
        return {
            "country": s.get("country"),
            "timezone": s.get("timezone"),
            "currency": s.get("currency"),
            "repeat_window_days": self.repeat_window.days,
            "attachment_max_mb": int(s.get(ATTACHMENT_MAX_MB_KEY)
                                     or ATTACHMENT_MAX_MB_DEFAULT),
            "language": self.language,
            "categories": list(self.categories),
            "category_labels": self.category_labels,
            "calendar_years": s.get("calendar_years"),
            "calendar_covered_until": int(s["calendar_covered_until"])
            if s.get("calendar_covered_until") else None,
            "calendar_covered_from": int(s["calendar_covered_from"])
            if s.get("calendar_covered_from") else None,
            "deadlines": self.policy(),
            "escalation": [{"level": lvl, "after_working_days": a, "role": r}
                           for lvl, a, r in self.escalation()],
            "user_days": self.user_days(),
        }


# What `policy set` takes for no deadline, in both languages.
_NO_DEADLINE = ("none", "-", "无", "不限", "无期限", "没有")
# A date the holidays package writes month first in an English name (substituted from
# 01/04/2026), which complaintctl refuses on input as ambiguous: shown year first.
_MONTH_FIRST = re.compile(r"\b([0-9]{2})/([0-9]{2})/([0-9]{4})\b")


def calendar_days(cfg: Config, year: int, lang: str
                  ) -> tuple[list[dict[str, Any]], dict[str, str], tuple[int, int] | None]:
    """`policy calendar`'s days of `year` (Config.days_of), the country's holidays named
    in `lang` where the holidays package has it, and, for a year the ledger does not
    hold yet, the package's days (those a step dated then adds) with the years it holds
    (else None)."""
    found = cfg.days_of(year)
    country, cal = cfg.settings["country"], cfg.calendar()
    stored: tuple[int, int] | None = None
    if cal.years is not None and not cal.stored(year):
        stored = cal.years
        holidays, workdays, _weekend, _covered = deadlines.load_country_calendar(
            country, range(year, year + 1))
        found = sorted([*({"day": d.isoformat(), "kind": "holiday", "source": "country",
                           "name": n} for d, n in holidays.items() if d.year == year),
                        *({"day": d.isoformat(), "kind": "workday", "source": "country",
                           "name": "make-up working day"} for d in workdays),  # as stored
                        *(d for d in found if d["source"] == "user")],
                       key=lambda d: (d["day"], d["source"] == "user"))
    # (JSON gives these: "substituted from 01/04/2026" there, 2026-01-04 in the others)
    found = [{**d, "name": _MONTH_FIRST.sub(r"\3-\1-\2", d["name"])} if d.get("name") else d
             for d in found]
    package = deadlines.holiday_names(country, year, lang) if any(
        d["source"] == "country" and d["kind"] == "holiday" for d in found) else {}
    named = {d["day"]: _MONTH_FIRST.sub(r"\3-\1-\2", package.get(d["day"]) or d["name"])
             for d in found if d["source"] == "country" and (package.get(d["day"]) or d["name"])}
    return found, named, stored


def _calendar_of(rows: Iterable[tuple[str, str, str]], s: dict[str, str]
                 ) -> deadlines.Calendar:
    """A calendar from its days (day, source, kind), the country's before the user's,
    which win, and its settings."""
    hol: set[date] = set()
    work: set[date] = set()
    user_years: set[int] = set()
    for day_s, source, kind in rows:
        day = date.fromisoformat(day_s)
        if kind == "workday":
            work.add(day)
            hol.discard(day)
        else:
            hol.add(day)
            if source == "user":
                work.discard(day)
        if source == "user" and kind in ("holiday", "workday"):
            user_years.add(day.year)
    covered = s.get("calendar_covered_until")
    since = s.get("calendar_covered_from")
    return deadlines.Calendar(
        weekend=frozenset(json.loads(s.get("calendar_weekend", "[5, 6]"))),
        holidays=frozenset(hol), workdays=frozenset(work),
        covered_until=int(covered) if covered else None,
        user_years=frozenset(user_years),
        covered_from=int(since) if since else None,
        years=_span(s.get("calendar_years")))


def _category_words(categories: tuple[str, ...], labels: dict[str, dict[str, str]]
                    ) -> tuple[words.Word, ...]:
    """The words of the categories the user added (the table knows the others): their
    labels, or the code itself in a language without one. `words.label` and
    `parse.choice` take them as `extra`."""
    known = set(words.codes("category"))
    return tuple(words.Word(c, labels.get(c, {}).get("en") or c,
                            labels.get(c, {}).get("zh") or c)
                 for c in categories if c not in known)


# --- a new ledger -------------------------------------------------------------

def initial(init: dict[str, str], now: datetime) -> tuple[dict[str, str], dict[str, Any]]:
    """(settings, country calendar) of a new ledger, checked before anything is made."""
    values = dict(DEFAULT_SETTINGS)
    # an empty language is none chosen; an empty country or zone is refused by its check
    values.update({k: v for k, v in init.items() if v or k in ("country", "timezone")})
    zone(values["timezone"])
    days = country_days(values["country"], now)
    values["country"] = days["country"]
    return values, days


def fill_new(cur: sqlite3.Cursor, values: dict[str, str], days: dict[str, Any]
             ) -> dict[str, Any]:
    """The first rows of a new ledger: settings, calendar, default policy, escalation;
    returns what the ledger starts with, for its init event (verify replays the
    later policy events over it)."""
    cur.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", values.items())
    store_calendar(cur, days)
    cur.executemany("INSERT INTO policy (stage, severity, duration) VALUES (?, ?, ?)",
                    [(st, sev, dur) for st, row in deadlines.DEFAULT_POLICY.items()
                     for sev, dur in row.items()])
    cur.executemany("INSERT INTO escalation (level, after_working_days, role) "
                    "VALUES (?, ?, ?)", deadlines.DEFAULT_ESCALATION)
    return {**{k: v for k, v in values.items() if k != "categories"},
            "categories": json.loads(values["categories"]),
            "policy": deadlines.DEFAULT_POLICY,
            "escalation": [list(e) for e in deadlines.DEFAULT_ESCALATION],
            # the calendar's settings as stored, as a calendar event records them
            "settings": _calendar_settings(cur),
            "calendar_sha256": calendar_digest(cur)}


def calendar_digest(cur: sqlite3.Cursor) -> str:
    """A digest of the calendar days as stored, recorded by the events that set them."""
    from hashlib import sha256

    h = sha256()
    for row in cur.execute("SELECT day, source, kind, name FROM calendar_days "
                           "ORDER BY day, source").fetchall():
        h.update("\x1f".join("" if v is None else str(v) for v in row).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def country_days(country: str, now: datetime, also: range | None = None) -> dict[str, Any]:
    """The country calendar of the years around `now` (and the years `also`, a ledger's
    stored ones, when the country changes)."""
    country = deadlines.country_code(country)
    year = now.year
    lo, hi = year - CALENDAR_YEARS_BACK, year + CALENDAR_YEARS_AHEAD
    if also:
        lo, hi = min(lo, also.start), max(hi, also.stop - 1)
    years = range(lo, hi + 1)
    found, workdays, weekend, covered = deadlines.load_country_calendar(country, years)
    # the first year of official data (a new ledger had none stored, and its first
    # --refresh recorded that as a change of nothing else)
    since = deadlines.country_data_years(country.upper())[0] if covered is not None else None
    return {"country": country.upper(), "holidays": found, "workdays": workdays,
            "weekend": weekend, "covered": covered, "years": years, "covered_from": since}


def _span(text: str | None) -> tuple[int, int] | None:
    """The stored years ("2016-2031") as (first, last); None when not recorded."""
    try:
        lo, hi = (int(v) for v in (text or "").split("-"))
    except ValueError:
        return None
    return lo, hi


def _range(text: str | None) -> range | None:
    span = _span(text)
    return None if span is None else range(span[0], span[1] + 1)


def _calendar_settings(cur: sqlite3.Cursor) -> dict[str, str]:
    """What the settings say of the stored country calendar (CALENDAR_SETTINGS)."""
    return {k: v for k, v in cur.execute(
        f"SELECT key, value FROM settings WHERE key IN ({', '.join('?' * len(CALENDAR_SETTINGS))})",
        CALENDAR_SETTINGS).fetchall()}


def _has_data(year: int, cal: dict[str, str], user_years: set[int]) -> bool:
    """Whether the stored calendar has official data for `year` (deadlines.Calendar.covers)."""
    return deadlines.Calendar(
        covered_until=int(cal["calendar_covered_until"]) if cal.get("calendar_covered_until")
        else None,
        covered_from=int(cal["calendar_covered_from"]) if cal.get("calendar_covered_from")
        else None,
        years=_span(cal.get("calendar_years")), user_years=frozenset(user_years)).covers(year)


def _user_years(cur: sqlite3.Cursor) -> set[int]:
    return {int(y) for (y,) in cur.execute(
        "SELECT DISTINCT substr(day, 1, 4) FROM calendar_days WHERE source = 'user' "
        "AND kind IN ('holiday', 'workday')").fetchall()}


def ensure_calendar_years(cur: sqlite3.Cursor, years: Iterable[int],
                          record: Callable[[dict[str, Any]], None]) -> list[int]:
    """Make the stored country calendar cover `years`, inside the caller's write
    transaction: years outside the stored ones are copied from the `holidays` package
    (the stored years stay one span: the years between come too), and `record` is
    given the data of the `calendar` event that says so (the caller writes the event:
    lg.event, or the bulk writer's chain); it is not called when nothing was missing.
    Returns those of `years` the package has no official data for (before or after
    its make-up working days, or outside its years): deadlines there count weekends
    and the package's rule-based holidays only, and the caller warns."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    cal = _calendar_settings(cur)
    span = _span(cal.get("calendar_years"))
    country = cal.get("country")
    if country and span is not None and (wanted[0] < span[0] or wanted[-1] > span[1]):
        lo, hi = min(span[0], wanted[0]), max(span[1], wanted[-1])
        new = [y for y in range(lo, hi + 1) if not span[0] <= y <= span[1]]
        holidays, workdays, _weekend, _covered = deadlines.load_country_calendar(
            country, range(new[0], new[-1] + 1))
        added_h = sorted((d, n) for d, n in holidays.items() if d.year in new)
        added_w = sorted(d for d in workdays if d.year in new)
        cur.executemany("INSERT OR IGNORE INTO calendar_days (day, source, kind, name) "
                        "VALUES (?, 'country', 'holiday', ?)",
                        [(d.isoformat(), n) for d, n in added_h])
        cur.executemany("INSERT OR IGNORE INTO calendar_days (day, source, kind, name) "
                        "VALUES (?, 'country', 'workday', 'make-up working day')",
                        [(d.isoformat(),) for d in added_w])
        values = {"calendar_years": f"{lo}-{hi}"}
        if not cal.get("calendar_covered_from") and cal.get("calendar_covered_until"):
            first, _last = deadlines.country_data_years(country)
            values["calendar_covered_from"] = "" if first is None else str(first)
        _put(cur, values)
        cal.update(values)
        record({"years": new,
                "added": {"holiday": [d.isoformat() for d, _n in added_h],
                          "workday": [d.isoformat() for d in added_w]},
                "settings": {k: cal.get(k) for k in CALENDAR_SETTINGS if k in cal},
                "calendar_sha256": calendar_digest(cur)})
    user = _user_years(cur) if cal.get("calendar_covered_until") else set()
    return [y for y in wanted if not _has_data(y, cal, user)]


# How many of the newest events a change of the rules is dated after.
_NEWEST_LOOKED_AT = 1000


@contextmanager
def _changing(lg: Ledger, now: datetime) -> Iterator[sqlite3.Cursor]:
    """lg.write() for a change of the rules, dated by this machine's clock: one behind the
    ledger's newest event (by more than a step may be) is refused, as a step's is. A
    change dated before the history it follows (before `init`, even) was read by
    `overdue --as-of` as in force at an instant it was not."""
    from complaintctl import workflow

    with lg.write() as cur:
        # the latest of the newest events (a note typed on a clock set right again after
        # a step from one years ahead is recorded after it, dated before it)
        newest = cur.execute(
            "SELECT max(recorded_at) FROM (SELECT recorded_at FROM events ORDER BY id DESC "
            f"LIMIT {_NEWEST_LOOKED_AT})").fetchone()
        if newest and newest[0] and \
                now + workflow.FUTURE_GRACE < (latest := from_iso(newest[0])):
            workflow.check_time(now, now, after=latest, what=_("the ledger's newest event"),
                                local=lg.local, clock=True)
        yield cur


def refresh_calendar(lg: Ledger, *, now: datetime, actor: str) -> dict[str, Any]:
    """`policy calendar --refresh`: the stored years of the country calendar again, from
    the installed `holidays` package (next year's make-up working days arrive that
    way). Deadlines already set keep their dates. Returns what changed: days added
    and removed, by kind; no event when nothing did."""
    import holidays as hol

    with _changing(lg, now) as cur:
        cal = _calendar_settings(cur)
        span = _span(cal.get("calendar_years"))
        country = cal.get("country") or ""
        if span is None:
            raise Refused(_("the ledger does not say which years its calendar holds"),
                          hint=_("set the country again: complaintctl policy calendar "
                                 "--country CN"), code="calendar_years_unknown")
        years = range(span[0], span[1] + 1)
        holidays, workdays, weekend, covered = deadlines.load_country_calendar(country, years)
        first, _last = deadlines.country_data_years(country) if covered is not None \
            else (None, None)
        want = {(d.isoformat(), "holiday", n) for d, n in holidays.items()}
        want |= {(d.isoformat(), "workday", "make-up working day") for d in workdays
                 if d.year in years}
        have = set(cur.execute("SELECT day, kind, name FROM calendar_days "
                               "WHERE source = 'country'").fetchall())
        added, removed = sorted(want - have), sorted(have - want)
        values = {"calendar_weekend": json.dumps(sorted(weekend)),
                  "calendar_covered_until": "" if covered is None else str(covered),
                  "calendar_covered_from": "" if first is None else str(first)}
        changed = {k: v for k, v in values.items() if cal.get(k, "") != v}
        change: dict[str, Any] = {
            "added": _by_kind(added), "removed": _by_kind(removed),
            "package": f"holidays {hol.__version__}"}
        if not added and not removed and not changed:
            return {**change, "changed": False}
        cur.executemany("DELETE FROM calendar_days WHERE day = ? AND source = 'country' "
                        "AND kind = ? AND name IS ?", removed)
        cur.executemany("INSERT INTO calendar_days (day, source, kind, name) "
                        "VALUES (?, 'country', ?, ?) ON CONFLICT (day, source) DO UPDATE "
                        "SET kind = excluded.kind, name = excluded.name", added)
        old = {k: cal.get(k) for k in changed}
        _put(cur, values)
        cal.update(values)
        lg.event(cur, None, "calendar", now, now, actor,
                 {"refresh": change["package"], "added": change["added"],
                  "removed": change["removed"],
                  "settings": {k: cal.get(k) for k in CALENDAR_SETTINGS if k in cal},
                  "calendar_sha256": calendar_digest(cur)}, old or None)
    lg.forget_config()
    return {**change, "changed": True}


def _by_kind(days: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    """Days as an event records them: {kind: [day, ...]}."""
    out: dict[str, list[str]] = {}
    for day, kind, _name in days:
        out.setdefault(kind, []).append(day)
    return out


def store_calendar(cur: sqlite3.Cursor, days: dict[str, Any]) -> None:
    cur.execute("DELETE FROM calendar_days WHERE source = 'country'")
    cur.executemany("INSERT INTO calendar_days (day, source, kind, name) "
                    "VALUES (?, 'country', 'holiday', ?)",
                    [(d.isoformat(), n) for d, n in sorted(days["holidays"].items())])
    cur.executemany("INSERT INTO calendar_days (day, source, kind, name) "
                    "VALUES (?, 'country', 'workday', 'make-up working day')",
                    [(d.isoformat(),) for d in sorted(days["workdays"])])
    values = {"country": days["country"],
              "calendar_weekend": json.dumps(sorted(days["weekend"])),
              "calendar_covered_until": "" if days["covered"] is None
              else str(days["covered"]),
              "calendar_years": f"{days['years'].start}-{days['years'].stop - 1}"}
    if "covered_from" in days:
        values["calendar_covered_from"] = days["covered_from"] or ""
    _put(cur, values)


def _put(cur: sqlite3.Cursor, values: dict[str, str]) -> None:
    cur.executemany("INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", values.items())


# --- policy steps -----------------------------------------------------------------

# `policy set escalation LEVEL ...` and `policy set STAGE all ...`: words beside the
# table's stages and severities.
_ESCALATION = words.Word("escalation", "escalation", "升级", ("投诉升级",))
_ALL_SEVERITIES = words.Word("all", "all", "全部", ("所有",))


def set_policy(lg: Ledger, stage: str, severity: str, duration: str | None, *, now: datetime,
               actor: str, role: str | None = None
               ) -> list[tuple[str, str, str | None, bool, str | None]]:
    """`policy set`: change deadlines for stages that start from now on. The stage
    and severity are words of the table (`policy set 处理 高 4wd`). Returns the settings
    (stage, severity, duration, whether it changed, what it was): setting what is set
    already records nothing (a setup script run again)."""
    if words.hans(stage.strip().lower()) in _REPEAT_WORDS:
        raise BadInput(_("the repeat window is not a stage's deadline"),
                       hint=_("set it with: complaintctl policy repeat-window DAYS (e.g. 60d)"),
                       code="repeat_window_not_a_stage")
    stage = words.resolve("stage", stage, (*deadlines.POLICY_STAGES, "escalation"),
                          extra=(_ESCALATION,), option="STAGE")
    if stage == "escalation":
        return _set_escalation(lg, severity, duration, role, now=now, actor=actor)
    if role is not None:  # (dropped without a word: the supervisor thought it set)
        raise BadInput(_("--role is for escalation only: a stage's deadline has no role"),
                       hint=_("e.g. complaintctl policy set escalation 2 1wd --role 分总"),
                       code="role_not_escalation")
    severity = words.resolve("severity", severity, (*deadlines.SEVERITIES, "all"),
                             extra=(_ALL_SEVERITIES,), option="SEVERITY")
    sevs = deadlines.SEVERITIES if severity == "all" else (severity,)
    if duration is not None and words.hans(duration.strip().lower()) not in _NO_DEADLINE:
        duration = str(deadlines.parse_duration(duration))
    else:
        duration = None
    with _changing(lg, now) as cur:
        old = lg.config.policy()
        # (`all`: those so already are said so, and neither written nor recorded)
        changed = [sv for sv in sevs if old.get(stage, {}).get(sv) != duration]
        changes = [(stage, sv, duration, sv in changed, old.get(stage, {}).get(sv))
                   for sv in sevs]
        if not changed:
            return changes
        cur.executemany("UPDATE policy SET duration = ? WHERE stage = ? AND severity = ?",
                        [(duration, stage, sv) for sv in changed])
        lg.event(cur, None, "policy-set", now, now, actor,
                 {"stage": stage, "severities": changed, "duration": duration},
                 {"durations": {sv: old.get(stage, {}).get(sv) for sv in changed}})
    lg.forget_config()
    return changes


def _set_escalation(lg: Ledger, level_s: str, duration: str | None, role: str | None, *,
                    now: datetime, actor: str
                    ) -> list[tuple[str, str, str | None, bool, str | None]]:
    if not (level_s.isascii() and level_s.isdigit() and 1 <= int(level_s) <= 9):
        raise BadInput(_("escalation level {level} is not a number from 1 to 9").format(
            level=shown(level_s)),
            hint=_("e.g. complaintctl policy set escalation 2 1wd --role 分总"),
                       code="escalation_level", value=level_s)
    level = int(level_s)
    if duration is None:
        raise BadInput(_("give the working days late, e.g. 0wd, 1wd"), code="escalation_after")
    # 0wd is a threshold, not a duration; 1工作日 and １wd are 1wd
    threshold = deadlines.read_duration(half_width(duration))
    if threshold is None or threshold.unit != "wd" or threshold.amount > 999:
        raise BadInput(_("escalation threshold {duration} must be working days, e.g. 1wd"
                         ).format(duration=shown(duration)),
                       code="escalation_after", value=duration)
    after = threshold.amount
    with _changing(lg, now) as cur:
        old = {lvl: (a, r) for lvl, a, r in lg.config.escalation()}
        missing = min(set(range(1, max(old, default=0) + 2)) - set(old))
        if level not in old and level > missing:  # (6 over 3: it was taken, and no level
            # is ever removed)
            raise BadInput(_("escalation level {level} would leave level {missing} empty: "
                             "the levels go up one at a time").format(
                level=level, missing=missing),
                hint=_("the levels: {levels}; the next is {next}").format(
                    levels=listing([str(n) for n in sorted(old)]) or _("none"),
                    next=missing), code="escalation_gap", level=level)
        if role is None and level not in old:
            raise BadInput(_("escalation level {level} is new: name whom it goes to with "
                             "--role").format(level=level), code="escalation_role", level=level)
        if role is not None:  # a built-in role by its code, label or synonym (分总 is
            # branch_head, as shown), any other as typed
            try:
                role = words.lookup("role", role)
            except words.UnknownWord:
                pass
        role = role or old[level][1]
        for other, (other_after, _role) in sorted(old.items()):
            # no level sooner than the one below it: a level 2 later than level 3 skipped
            # the branch head (L1 straight to L3), without a word
            if other < level and other_after > after or other > level and other_after < after:
                raise BadInput(_("escalation {level} at {after}wd would come out of order "
                                 "(level {other}: {other_after}wd)").format(
                    level=level, after=after, other=other, other_after=other_after),
                    hint=_("a level starts no sooner than the one below it; see them "
                           "with complaintctl policy show"), code="escalation_order",
                    level=level)
        unchanged = old.get(level) == (after, role)
        was = f"{old[level][0]}wd {old[level][1]}" if level in old else None
        setting: list[tuple[str, str, str | None, bool, str | None]] = [
            ("escalation", str(level), f"{after}wd {role}", not unchanged, was)]
        if unchanged:
            return setting
        cur.execute("INSERT INTO escalation (level, after_working_days, role) "
                    "VALUES (?, ?, ?) ON CONFLICT (level) DO UPDATE SET "
                    "after_working_days = excluded.after_working_days, role = excluded.role",
                    (level, after, role))
        lg.event(cur, None, "policy-set", now, now, actor,
                 {"escalation_level": level, "after_working_days": after, "role": role},
                 {"after_working_days": old.get(level, (None,))[0],
                  "role": old.get(level, (None, None))[1]})
    return setting


# What `policy calendar` says of a day added, by its kind; of one that was so already.
DAY_KINDS = {"holiday": N_("{day} is now a holiday"), "workday": N_("{day} is now a workday"),
             "closure": N_("{day} is now a company closure day")}
DAY_KIND_NAMES = {"holiday": N_("a holiday you added"), "workday": N_("a workday you added"),
                  "closure": N_("a company closure day")}
DAY_KINDS_ALREADY = {"holiday": N_("{day} is a holiday already"),
                     "workday": N_("{day} is a workday already"),
                     "closure": N_("{day} is a company closure day already")}


def set_calendar(lg: Ledger, *, now: datetime, actor: str, country: str | None = None,
                 add_holiday: list[date] | None = None, add_workday: list[date] | None = None,
                 add_closure: list[date] | None = None,
                 remove: list[date] | None = None) -> tuple[list[str], bool]:
    """`policy calendar`: the country, and the user's own days. Returns what to say,
    and whether anything changed (nothing is recorded when nothing did)."""
    # a day given twice to one option is one day: recorded and said once (its event
    # listed it twice, and "is now a company closure day" was printed twice)
    add_holiday, add_workday, add_closure, remove = (
        list(dict.fromkeys(group or ())) for group in (add_holiday, add_workday, add_closure,
                                                        remove))
    given: dict[date, str] = {}
    for option, group in (("--add-holiday", add_holiday), ("--add-workday", add_workday),
                          ("--add-closure", add_closure), ("--remove", remove)):
        for d in group or ():
            if given.get(d, option) != option:  # the last would win, silently
                raise BadInput(_("{day} is given to both {first} and {second}").format(
                    day=d.isoformat(), first=given[d], second=option),
                    hint=_("a day is one kind of day: give it once"), code="day_given_twice",
                    day=d.isoformat())
            given[d] = option
    notes: list[str] = []
    if country is None and not given:
        raise BadInput(_("nothing to change"),
                       hint=_("give --country, --add-holiday, --add-workday, "
                              "--add-closure or --remove"), code="nothing_to_change")
    # (--country "" is refused as no calendar: it showed the calendar, exit 0)
    days = country_days(country, now, _range(lg.config.settings.get("calendar_years"))) \
        if country is not None else None
    with _changing(lg, now) as cur:
        existing = {d: (k, n) for d, k, n in cur.execute(
            "SELECT day, kind, name FROM calendar_days WHERE source = 'user'").fetchall()}
        data: dict[str, Any] = {}
        old: dict[str, Any] = {}
        # (read in this transaction; policy calendar --refresh takes the newest days)
        if days:  # the country named as well (BW is Botswana, not a state)
            code, name = days["country"], deadlines.country_name(days["country"])
            said = code if name is None else _("{country} ({name})").format(country=code,
                                                                            name=name)
            if code == lg.config.settings.get("country"):
                notes.append(_("calendar is {country} already").format(country=said))
                days = None
            else:
                notes.append(_("calendar is now {country}").format(country=said))
        if days:
            old["country"] = lg.config.settings.get("country")
            store_calendar(cur, days)
            lg.forget_config()  # (the days below are checked against the new country's)
            data["country"] = days["country"]
            data["settings"] = _calendar_settings(cur)
        # the country's own days (of the country this command may have just set): one
        # given as what it is there already adds nothing (2027-01-01 "is now a holiday",
        # recorded, on a CN calendar that has it)
        national = {d: (k, n) for d, k, n in cur.execute(
            "SELECT day, kind, name FROM calendar_days WHERE source = 'country'").fetchall()}
        before = lg.config.calendar()
        weekend = before.weekend
        for kind, group in (("holiday", add_holiday), ("workday", add_workday),
                            ("closure", add_closure)):
            for d in group or ():
                if existing.get(d.isoformat(), ("",))[0] == kind:  # as it is: nothing to do
                    notes.append(_(DAY_KINDS_ALREADY[kind]).format(day=d.isoformat()))
                    continue
                if kind == "workday" and d.isoformat() not in existing and \
                        d.isoformat() not in national and d.weekday() not in weekend:
                    notes.append(_("{day} is a working day already: a make-up working day "
                                   "(调休上班) is a weekend day or a holiday worked").format(
                                       day=d.isoformat()))
                    continue
                if kind != "workday" and d.isoformat() not in existing and \
                        d.weekday() in weekend and \
                        national.get(d.isoformat(), ("",))[0] != "workday" and \
                        (kind == "closure" or before.covers(d.year)):
                    # (a Saturday "is now a company closure day", recorded, changed nothing;
                    # so did a holiday on it, a weekend day being no working day either
                    # way, but in a year not covered: there it fills the year in, as the
                    # official notice lists it, 2028-01-01 a Saturday)
                    notes.append((_("{day} is a weekend day already: a company closure day "
                                    "is a working day the company does not work")
                                  if kind == "closure" else
                                  _("{day} is a weekend day already: a holiday on it "
                                    "changes no deadline")).format(day=d.isoformat()))
                    continue
                # (in a year without official data the user's day confirms the guess:
                # entering a year's days by hand is what ends its warning)
                # (a closure on a public holiday: a day off already, and its holiday's
                # name was hidden under "company closure day")
                if d.isoformat() not in existing and national.get(d.isoformat(), ("",))[0] \
                        == ("holiday" if kind == "closure" else kind) and \
                        lg.config.calendar().official(d.year):
                    if kind == "workday":
                        notes.append(_("{day} is a make-up working day of the country "
                                       "calendar already").format(day=d.isoformat()))
                        continue
                    name = deadlines.holiday_names(  # in the reader's language if it can be
                        lg.config.settings.get("country") or "", d.year, i18n.lang()
                    ).get(d.isoformat(), national[d.isoformat()][1])
                    notes.append(_("{day} is a public holiday of the country calendar already "
                                   "({name})").format(day=d.isoformat(), name=name))
                    continue
                cur.execute("INSERT INTO calendar_days (day, source, kind, name) "
                            "VALUES (?, 'user', ?, ?) ON CONFLICT (day, source) DO UPDATE "
                            "SET kind = excluded.kind, name = excluded.name",
                            (d.isoformat(), kind, f"added by {actor}"))
                data.setdefault(f"add_{kind}", []).append(d.isoformat())
                if d.isoformat() in existing:
                    was = existing[d.isoformat()][0]
                    old.setdefault("replaced", {})[d.isoformat()] = was
                    # (a closure made a holiday, or back: said, not done quietly)
                    notes.append(_("{now} (it was {kind})").format(
                        kind=_(DAY_KIND_NAMES.get(was, was)),
                        now=_(DAY_KINDS[kind]).format(day=d.isoformat())))
                    continue
                was = national.get(d.isoformat(), ("",))[0]
                if was and was != kind:  # the country's own day overridden: said (a
                    # make-up working day closed, National Day worked, without a word)
                    notes.append(_("{now} (it was {kind})").format(
                        now=_(DAY_KINDS[kind]).format(day=d.isoformat()),
                        kind=_("a make-up working day of the country calendar")
                        if was == "workday" else
                        _("a public holiday of the country calendar: {name}").format(
                            name=deadlines.holiday_names(
                                lg.config.settings.get("country") or "", d.year, i18n.lang()
                            ).get(d.isoformat(), national[d.isoformat()][1]))))
                    continue
                notes.append(_(DAY_KINDS[kind]).format(day=d.isoformat()))
        for d in remove or ():
            if d.isoformat() not in existing:
                raise Refused(_("{day} is not a day you added").format(day=d.isoformat()),
                              hint=_("see them with: complaintctl policy calendar"),
                              code="not_a_user_day", day=d.isoformat())
            cur.execute("DELETE FROM calendar_days WHERE day = ? AND source = 'user'",
                        (d.isoformat(),))
            data.setdefault("remove", []).append(d.isoformat())
            old.setdefault("removed", {})[d.isoformat()] = existing[d.isoformat()][0]
            notes.append(_("{day} follows the country calendar again").format(
                day=d.isoformat()))
        # a year without official data that one day of the user's now counts as filled
        # in: said, so that one holiday added is not taken for the year done (its
        # warnings end; the make-up working days are still the user's to add)
        for year in sorted({int(d[:4]) for kind in ("holiday", "workday")
                            for d in data.get(f"add_{kind}", ())}):
            if not before.covers(year):
                notes.append(_("{year} has no official data: it now counts as filled in by "
                               "you, and its deadlines are no longer warned of; add all of "
                               "its public holidays and make-up working days (the country's "
                               "rule-based days stay beside yours)").format(year=year))
        if not data:  # every day given is so already: nothing recorded
            return notes, False
        data["calendar_sha256"] = calendar_digest(cur)
        lg.event(cur, None, "calendar", now, now, actor, data, old or None)
    lg.forget_config()
    return notes, True


# What parts the items of a list: none is in a category's word.
_LIST_MARKS = frozenset(",，、;；")


def set_categories(lg: Ledger, add: list[str], remove: list[str], *, now: datetime,
                   actor: str, label_en: str | None = None, label_zh: str | None = None,
                   relabel: str | None = None) -> tuple[list[str], bool]:
    """`policy categories`: the configurable list of complaint categories, and the
    English and Chinese labels of one the user adds (`--add 包装 --label-en packaging`)
    or added before (`--relabel 包装 --label-en packing`). Every code, label and
    synonym names one category only, so that each word a clerk types is one. Returns
    the list and whether anything changed: a category added again (a setup script run
    twice) is in the list already, and what is so already records nothing."""
    with _changing(lg, now) as cur:
        cfg = lg.config
        old, old_labels = list(cfg.categories), cfg.category_labels
        new, labels = list(old), {c: dict(v) for c, v in old_labels.items()}
        extra = cfg.category_words

        def claimed(text: str, among: list[str]) -> str | None:
            """The category `text` already names among `among`, if any."""
            try:
                return words.lookup("category", text, among, extra)
            except words.UnknownWord:
                return None

        add = [half_width(word) for word in add]  # (ｆｏｏ as a Chinese IME types it)
        for word in remove:  # (added again and removed: removed, its label kept apart)
            named = claimed(word, [*new, *add]) or word
            if named in add:
                raise BadInput(_("category {word} is given to both --add and --remove"
                                 ).format(word=shown(named)),
                               hint=_("give it to one of them"), code="add_and_remove",
                               value=named)
        for word in add:
            if word.isdigit() or word.startswith("-") or _LIST_MARKS.intersection(word):
                # a number is picked by its place at the prompt (1 is quality), a comma
                # parts the lists every message gives, -x reads as an option
                raise BadInput(_("{word} cannot be a category: a category is a word, not a "
                                 "number, with no comma or semicolon in it, not starting "
                                 "with -").format(word=shown(word)),
                               hint=_("e.g. policy categories --add 包装 --label-en "
                                      "packaging"), code="bad_category_word", value=word)
            if word in new:  # a setup script run again: added already (its labels may
                continue  # change below)
            other = claimed(word, new)
            if other is not None:
                raise BadInput(_("{word} is already a word for category {category}").format(
                    word=shown(word), category=shown(term("category", other))),
                    hint=_("type {category} for it, or add another word").format(
                        category=term("category", other)), code="category_exists",
                    value=word)
            new.append(word)
        for word in remove:
            code = claimed(word, new)
            if code is None:
                raise BadInput(_("category {word} is not in the list").format(
                    word=shown(word)), hint=_("the list: {categories}").format(
                    categories=_category_list(new)), code="no_category", value=word)
            used = cur.execute("SELECT count(*) FROM complaints WHERE category = ?",
                               (code,)).fetchone()[0]
            if used:
                raise Refused(ngettext("cannot remove category {word}: {count} complaint has "
                                       "it", "cannot remove category {word}: {count} "
                                       "complaints have it", used).format(
                                           word=shown(term("category", code)),
                                           count=used),
                              hint=_("categories in use stay, so reports can still count "
                                     "them"), code="category_in_use", value=code,
                              count=used)
            new.remove(code)
            labels.pop(code, None)
        if label_en is not None or label_zh is not None:
            target = _label_target(add, relabel, new, claimed)
            others = [c for c in new if c != target]
            for lang, text in (("en", label_en), ("zh", label_zh)):
                if text is None:
                    continue
                other = claimed(text, others)
                if other is not None:
                    raise BadInput(_("{word} is already a word for category {category}"
                                     ).format(word=shown(text),
                                              category=shown(term("category", other))),
                                   hint=_("give category {category} another label").format(
                                       category=target), code="category_label_taken",
                                   value=text)
                labels.setdefault(target, {})[lang] = text
        elif relabel is not None:
            raise BadInput(_("--relabel needs --label-en or --label-zh"),
                           code="nothing_to_change")
        if not new:
            raise Refused(_("the category list cannot be empty"), code="no_categories")
        if new == old and labels == old_labels:  # so already: nothing recorded
            return new, False
        cur.execute("UPDATE settings SET value = ? WHERE key = 'categories'",
                    (json.dumps(new, ensure_ascii=False),))
        data: dict[str, Any] = {"categories": new}
        before: dict[str, Any] = {"categories": old}
        if labels or CATEGORY_LABELS_KEY in cfg.settings:
            _put(cur, {CATEGORY_LABELS_KEY: json.dumps(labels, ensure_ascii=False,
                                                       sort_keys=True)})
            data[CATEGORY_LABELS_KEY] = labels
            before[CATEGORY_LABELS_KEY] = old_labels
        lg.event(cur, None, "categories", now, now, actor, data, before)
    lg.forget_config()
    return new, True


def _category_list(categories: list[str]) -> str:
    """The categories as a hint lists them, in the reader's words (the Chinese one listed
    the codes, with commas: quality, delivery, …)."""
    return listing([term("category", c) for c in categories])


def _label_target(add: list[str], relabel: str | None, categories: list[str],
                  claimed: Any) -> str:
    """The one category --label-en/--label-zh name: the one added, or --relabel's."""
    if relabel is not None and add:
        raise BadInput(_("give --add or --relabel, not both"), code="label_target")
    target: str | None
    if relabel is None:
        if not add:  # (it said "label one category", as if more had been named)
            raise BadInput(_("--label-en and --label-zh need the category they label"),
                           hint=_("name it with --add (a new one) or --relabel (one in the "
                                  "list): policy categories --relabel 包装 --label-en "
                                  "packaging"), code="label_target")
        if len(add) != 1:
            raise BadInput(_("--label-en and --label-zh label one category"),
                           hint=_("add one at a time: policy categories --add 包装 "
                                  "--label-en packaging"), code="label_target")
        target = add[0]  # (one in the list already, added again, is labelled as well)
    else:
        target = claimed(relabel, categories)
        if target is None:
            raise BadInput(_("category {word} is not in the list").format(
                word=shown(relabel)), hint=_("the list: {categories}").format(
                    categories=_category_list(categories)), code="no_category", value=relabel)
    if target in words.codes("category"):
        raise BadInput(_("category {word} comes with complaintctl, and so do its labels"
                         ).format(word=shown(target)),
                       hint=_("label the categories you added"), code="builtin_category",
                       value=target)
    return target


def set_language(lg: Ledger, code: str, *, now: datetime, actor: str
                 ) -> tuple[str | None, str]:
    """`policy language`: the ledger's display language (en, zh), for whoever runs
    complaintctl on it without --lang or COMPLAINTCTL_LANG (cron under LANG=C)."""
    with _changing(lg, now) as cur:
        old = lg.config.language
        if old == code:  # nothing to change (a setup script run again): no event
            return old, code
        _put(cur, {LANGUAGE_KEY: code})
        lg.event(cur, None, "language", now, now, actor, {LANGUAGE_KEY: code},
                 {LANGUAGE_KEY: old})
    lg.forget_config()
    return old, code


def set_timezone(lg: Ledger, name: str, *, now: datetime, actor: str) -> tuple[str, str]:
    """`policy timezone`: the zone local times are read and shown in from now on.
    Deadlines already set are stored instants: they stay where they are (shown in
    the new zone); day boundaries of reports and new deadlines follow the new zone."""
    new = str(zone(name, "complaintctl policy timezone"))
    with _changing(lg, now) as cur:
        old = lg.config.settings["timezone"]
        if old == new:
            return old, new
        _put(cur, {"timezone": new})
        lg.event(cur, None, "timezone", now, now, actor, {"timezone": new},
                 {"timezone": old})
    lg.forget_config()
    return old, new


# What `policy set` is given for the repeat window (set by `policy repeat-window`).
_REPEAT_WORDS = ("repeat", "repeats", "repeat-window", "repeat window", "repeat_window",
                 "repeat_window_days", "window", "重复", "重复投诉", "重复期", "重复投诉期",
                 "重复投诉判定期", "判定期")
REPEAT_WINDOW_KEY, REPEAT_WINDOW_DEFAULT, REPEAT_WINDOW_MOST = "repeat_window_days", "90", 3650


def set_repeat_window(lg: Ledger, days: str, *, now: datetime, actor: str
                      ) -> tuple[int, int]:
    """`policy repeat-window`: the days before a complaint within which one of the same
    customer about the same product is a repeat, for complaints logged from now on (a
    link made before stays until a void or an amendment works out again the links
    around it: complaints.relink). `days`: 60, 60d, 60天."""
    text = half_width(days).strip()
    number = re.match(r"[0-9]+", text)
    if number and len(number.group()) > 4:  # more digits than a duration is read with
        text = str(REPEAT_WINDOW_MOST + 1) + text[number.end():]
    found = deadlines.read_duration(text + "d" if text.isascii() and text.isdigit() else text)
    if found is None or found.unit != "d":
        raise BadInput(_("cannot read repeat window {value}").format(value=shown(days)),
                       hint=_("give calendar days, e.g. 60, 60d or 60天"),
                       code="repeat_window_days", value=days)
    if not 1 <= found.amount <= REPEAT_WINDOW_MOST:
        raise BadInput(_("{field} {value} is out of range").format(field=_("DAYS"),
                                                                   value=shown(days)),
                       hint=_("a whole number of days from 1 to {most}").format(
                           most=REPEAT_WINDOW_MOST), code="repeat_window_range", value=days)
    with _changing(lg, now) as cur:
        old = lg.config.repeat_window.days
        if old == found.amount:
            return old, old
        _put(cur, {REPEAT_WINDOW_KEY: str(found.amount)})
        lg.event(cur, None, "repeat-window", now, now, actor,
                 {REPEAT_WINDOW_KEY: found.amount}, {REPEAT_WINDOW_KEY: old})
    lg.forget_config()
    return old, found.amount


# The size limit per attached file (evidence.py): a whole number of MB, 25 unless set.
ATTACHMENT_MAX_MB_KEY, ATTACHMENT_MAX_MB_DEFAULT, ATTACHMENT_MAX_MB_MOST = \
    "attachment_max_mb", 25, 2000


def set_attachment_limit(lg: Ledger, max_mb: int, *, now: datetime, actor: str
                         ) -> tuple[int, int]:
    """`policy attachments --max-mb N`: the size limit for files attached from now on
    (a ledger holds them all, and every backup copies them)."""
    if not 1 <= max_mb <= ATTACHMENT_MAX_MB_MOST:
        raise BadInput(_("{field} {value} is out of range").format(field="--max-mb",
                                                                   value=shown(max_mb)),
                       hint=_("a whole number of MB from 1 to {most}").format(
                           most=ATTACHMENT_MAX_MB_MOST),
                       code="attachment_limit_range", value=max_mb)
    with _changing(lg, now) as cur:
        stored = lg.config.settings.get(ATTACHMENT_MAX_MB_KEY)
        old = int(stored) if stored else ATTACHMENT_MAX_MB_DEFAULT
        if old == max_mb:
            return old, max_mb
        _put(cur, {ATTACHMENT_MAX_MB_KEY: str(max_mb)})
        lg.event(cur, None, "attachment-limit", now, now, actor,
                 {ATTACHMENT_MAX_MB_KEY: max_mb}, {ATTACHMENT_MAX_MB_KEY: old})
    lg.forget_config()
    return old, max_mb
