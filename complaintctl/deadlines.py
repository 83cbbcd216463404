"""Deadlines, working days and escalation (SPEC section 3). Pure: every
instant and the calendar's days are passed in; nothing here reads the clock,
the database or imports the `holidays` package (see `load_country_calendar`).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, NamedTuple

from complaintctl.errors import BadInput
from complaintctl.i18n import N_, _, shown

UTC = timezone.utc

SEVERITIES = ("critical", "high", "medium", "low")

# Stage keys of the policy, in the order a complaint meets them.
# "reopen" is the second resolve after an unsatisfied revisit; its stage row is
# called "resolve" (a resolve after a reopen completes the resolve stage).
POLICY_STAGES = ("assign", "investigate", "resolve", "revisit", "reopen", "second-revisit",
                 "inspect", "dispose")
# The stages a complaint's and a return's deadlines are kept by (a reopening's are its
# investigate and resolve of round 2): `show --format json`'s deadlines and the exports'
# deadlines.* columns, every one of them, null until started.
COMPLAINT_STAGES = ("assign", "investigate", "resolve", "revisit", "second-revisit")
RETURN_STAGES = ("inspect", "dispose")

DEFAULT_POLICY: dict[str, dict[str, str | None]] = {
    "assign": {"critical": "1h", "high": "4h", "medium": "1wd", "low": "1wd"},
    "investigate": {"critical": "48h", "high": "2wd", "medium": "3wd", "low": "5wd"},
    "resolve": {"critical": "2wd", "high": "3wd", "medium": "5wd", "low": "10wd"},
    "revisit": {"critical": "1wd", "high": "1wd", "medium": "1wd", "low": "2wd"},
    "reopen": {"critical": "3wd", "high": "3wd", "medium": "3wd", "low": "3wd"},
    "second-revisit": {"critical": "90d", "high": None, "medium": None, "low": None},
    "inspect": {s: "48h" for s in SEVERITIES},
    "dispose": {s: "3wd" for s in SEVERITIES},
}

# (level, working days late, whom it escalates to): the roles are codes of the word
# table's "role" field (shown as 部门经理 or "department manager"); a role the user
# sets is kept as typed. Before migration 12 these were texts such as
# "department manager (部门经理)" (settings.LEGACY_ROLES).
DEFAULT_ESCALATION: tuple[tuple[int, int, str], ...] = (
    (1, 0, "department_manager"),
    (2, 1, "branch_head"),
    (3, 2, "general_manager"),
)

_DURATION = re.compile(r"^\s*(\d{1,4})\s*(h|d|wd|个?小时|个?钟头|个?自然日|天|日|"
                       r"个?工作[日天])\s*$", re.IGNORECASE | re.ASCII)
# The units as the policy's legend names them in Chinese (小时, 天, 工作日), as stored.
_UNITS = {"小时": "h", "个小时": "h", "钟头": "h", "个钟头": "h", "天": "d", "日": "d",
          "自然日": "d", "个自然日": "d", "工作日": "wd", "个工作日": "wd", "工作天": "wd",
          "个工作天": "wd"}


class Duration(NamedTuple):
    amount: int
    unit: str  # "h" elapsed hours, "d" calendar days, "wd" working days

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def read_duration(value: str) -> Duration | None:
    """A duration as typed (4h, 3wd, 3 工作日, 90天, and as Hong Kong and Taiwan write
    them: 2小時, 4工作天; 0 too), None if it is not one."""
    from complaintctl.words import hans

    m = _DURATION.match(hans(value))
    if not m:
        return None
    unit = m.group(2).lower()
    return Duration(int(m.group(1)), _UNITS.get(unit, unit))


@lru_cache(maxsize=256)
def parse_duration(value: str) -> Duration:
    found = read_duration(value)
    if found is None:
        raise BadInput(_("cannot read duration {value}").format(value=shown(value)),
                       hint=_("type hours, calendar days or working days, e.g. 4h, 90d, 3wd "
                              "(or 4小时, 90天, 3工作日)"))
    if found.amount <= 0:
        raise BadInput(_("duration {value} is no time at all").format(value=shown(value)),
                       hint=_("give at least 1 (e.g. 1h), or none for no deadline"),
                       code="zero_duration")
    return found


class Calendar:
    """Working days: weekdays not in `weekend`, minus holidays, plus make-up workdays.

    A plain class, not a dataclass: defining one costs about 0.4 ms of start-up.
    """

    def __init__(self, weekend: frozenset[int] = frozenset({5, 6}),
                 holidays: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset(),
                 covered_until: int | None = None, user_years: frozenset[int] = frozenset(),
                 covered_from: int | None = None, years: tuple[int, int] | None = None):
        self.weekend, self.holidays, self.workdays = weekend, holidays, workdays
        self.covered_until = covered_until  # last year with official data (see
        # _data_years); None: rule-based
        self.covered_from = covered_from  # first year with official data; None: no bound
        self.years = years  # (first, last) year of the country's days stored; None: unknown
        self.user_years = user_years  # years the user filled in by hand
        self._ordinals: list[int] = []
        self._span = (0, -1)
        self._after: dict[tuple[date, int], date] = {}

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend

    def working_day_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (remembered: deadlines start on few days)."""
        found = self._after.get((day, n))
        if found is None:
            found, left = day, n
            while left > 0:
                found += timedelta(days=1)
                if self.is_working_day(found):
                    left -= 1
            self._after[(day, n)] = found
        return found

    def covers(self, year: int) -> bool:
        """Whether `year` has official data: stored, and within the years the package
        has the government's yearly calendar for (_data_years), or filled in by the user."""
        return year in self.user_years or self.official(year)

    def official(self, year: int) -> bool:
        """Whether the country's own days of `year` are official data (the user's days
        aside): stored, and within the years the package has the government's yearly
        calendar for (_data_years)."""
        if self.years is not None and not self.years[0] <= year <= self.years[1]:
            return False
        if self.covered_from is not None and year < self.covered_from:
            return False
        return self.covered_until is None or year <= self.covered_until

    def stored(self, year: int) -> bool:
        """Whether the country's days of `year` are in the ledger (official or rule-based)."""
        return self.years is not None and self.years[0] <= year <= self.years[1]

    def first_and_last(self) -> tuple[int | None, int | None]:
        """The first and last year covered without asking year by year (None: no bound)."""
        lo = self.covered_from
        if self.years is not None:
            lo = self.years[0] if lo is None else max(lo, self.years[0])
        hi = self.covered_until
        if self.years is not None:
            hi = self.years[1] if hi is None else min(hi, self.years[1])
        return lo, hi

    def _working_ordinals(self, first: date, last: date) -> list[int]:
        """Sorted ordinals of working days, cached over a span of whole years."""
        lo, hi = date(first.year - 1, 1, 1).toordinal(), date(last.year + 1, 12, 31).toordinal()
        if not (self._span[0] <= lo and hi <= self._span[1]):
            lo, hi = min(lo, self._span[0] or lo), max(hi, self._span[1])
            self._ordinals = [o for o in range(lo, hi + 1)
                              if self.is_working_day(date.fromordinal(o))]
            self._span = (lo, hi)
        return self._ordinals

    def working_days_between(self, after: date, before: date) -> int:
        """Working days d with after < d < before."""
        if before <= after:
            return 0
        ords = self._working_ordinals(after, before)
        return max(0, bisect_left(ords, before.toordinal())
                   - bisect_right(ords, after.toordinal()))


def _local_start(start: datetime, cal: Calendar, tz: tzinfo) -> datetime:
    """Local wall time of `start`; on a non-working day, 00:00 of the next working day."""
    local = start.astimezone(tz)
    if cal.is_working_day(local.date()):
        return local
    return datetime.combine(cal.working_day_after(local.date(), 1), time(0), tz)


def _at_local(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock, tz).astimezone(UTC).astimezone(tz)


def day_offset(tz: tzinfo, day: date) -> timedelta | None:
    """The UTC offset of every wall time of the local `day` in `tz`, or None when the
    day has more than one (a change of offset: the offset is asked at the start of
    every hour and at the day's last instant, so a change shows unless it is undone
    within the hour). What a bulk path needs to convert a day's times by arithmetic."""
    start = datetime(day.year, day.month, day.day)
    first = tz.utcoffset(start)
    if first is None:
        return None
    for at in (*(start.replace(hour=h) for h in range(1, 24)),
               start.replace(hour=23, minute=59, second=59, microsecond=999999)):
        if tz.utcoffset(at) != first:
            return None
    return first


def add_working_days(start: datetime, n: int, cal: Calendar, tz: tzinfo) -> datetime:
    """The same clock time on the n-th following working day (SPEC 3)."""
    local = _local_start(start, cal, tz)
    day = cal.working_day_after(local.date(), n)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tz).astimezone(UTC)


def add_duration(start: datetime, duration: Duration, cal: Calendar, tz: tzinfo) -> datetime:
    if duration.unit == "h":
        return (start + timedelta(hours=duration.amount)).astimezone(UTC)
    if duration.unit == "d":
        local = start.astimezone(tz)
        return _at_local(local.date() + timedelta(days=duration.amount),
                         local.timetz().replace(tzinfo=None), tz).astimezone(UTC)
    return add_working_days(start, duration.amount, cal, tz)


class Lateness(NamedTuple):
    late_hours: float
    late_working_days: int
    level: int
    escalate_to: str | None


class LateAt:
    """How late deadlines are at one instant `as_of`: what depends on the instant
    alone is worked out once, for the hundreds of stages `overdue` measures."""

    def __init__(self, as_of: datetime, cal: Calendar, tz: tzinfo,
                 escalation: tuple[tuple[int, int, str], ...] = DEFAULT_ESCALATION):
        self.as_of, self.cal, self.tz = as_of, cal, tz
        self.now = as_of.astimezone(tz)
        self.today = self.now.date()
        self.today_works = cal.is_working_day(self.today)
        self.levels = sorted(escalation)

    def working_days(self, due: datetime) -> int:
        """The largest n with add_working_days(due, n) <= as_of (0 when not late)."""
        if self.as_of <= due:
            return 0
        base = _local_start(due, self.cal, self.tz)
        start = base.date()
        n = self.cal.working_days_between(start, self.today)
        if (self.today > start and self.today_works
                and _at_local(self.today, base.timetz().replace(tzinfo=None), self.tz)
                <= self.now):
            n += 1
        return n

    def __call__(self, due: datetime) -> Lateness:
        """How late a stage due at `due` is, and its escalation level (0 = not late).

        A level applies once the stage is past due by its threshold: 0 wd means
        any time after the deadline; n wd means at or after the deadline moved
        forward by n working days.
        """
        wd = self.working_days(due)
        level, role = 0, None
        if self.as_of > due:
            for lvl, after, name in self.levels:
                if wd >= after:
                    level, role = lvl, name
        # hours to a tenth, half away from zero as a clerk rounds (round() of a float gave
        # 15 minutes as 0.2 and 45 as 0.8), from the whole seconds stored
        seconds = round((self.as_of - due).total_seconds())
        tenths = (abs(seconds) * 20 + 3600) // 7200
        return Lateness(math.copysign(tenths, seconds) / 10, wd, level, role)


def late_working_days(due: datetime, as_of: datetime, cal: Calendar, tz: tzinfo) -> int:
    """The largest n with add_working_days(due, n) <= as_of (0 when not late)."""
    return LateAt(as_of, cal, tz).working_days(due)


def lateness(due: datetime, as_of: datetime, cal: Calendar, tz: tzinfo,
             escalation: tuple[tuple[int, int, str], ...] = DEFAULT_ESCALATION) -> Lateness:
    """How late a stage is at `as_of` (see LateAt)."""
    return LateAt(as_of, cal, tz, escalation)(due)


def policy_duration(policy: dict[str, dict[str, str | None]], stage: str,
                    severity: str) -> Duration | None:
    value = policy.get(stage, {}).get(severity)
    return parse_duration(value) if value else None


def stage_due(policy: dict[str, dict[str, str | None]], stage: str, severity: str,
              start: datetime, cal: Calendar, tz: tzinfo) -> datetime | None:
    """The deadline of a stage that starts at `start`, or None if the policy has none."""
    duration = policy_duration(policy, stage, severity)
    return None if duration is None else add_duration(start, duration, cal, tz)


def uncovered_years(instants: list[datetime], cal: Calendar, tz: tzinfo) -> list[int]:
    """Years of these instants that the calendar does not cover yet."""
    first, last = cal.first_and_last()
    if all((last is None or d.year < last or (d.year == last and (d.month, d.day) < (12, 30)))
           and (first is None or d.year > first or (d.year == first
                                                    and (d.month, d.day) > (1, 2)))
           for d in instants):
        return []  # two time zones are less than two days apart
    return sorted({d.astimezone(tz).year for d in instants if not cal.covers(
        d.astimezone(tz).year)})


# Countries where the `holidays` package's default category ("public") holds the
# statutory days only, the days an employer must give (HK: Employment Ordinance s. 39;
# MO: the mandatory holidays), and its "optional" category the general holidays,
# on which offices, banks and schools close (HK: General Holidays Ordinance, Cap. 149;
# MO: the public holidays): Good Friday, the day after it, Macau's Christmas and
# more are general holidays only. A deadline skips both (the general holidays hold
# every statutory day on a working day, 1990-2040). Keyed by the ISO alpha-2 and
# alpha-3 codes the package takes.
_CATEGORIES: dict[str, tuple[str, ...]] = {
    "HK": ("public", "optional"), "HKG": ("public", "optional"),
    "MO": ("public", "optional"), "MAC": ("public", "optional"),
}


def _calendar(hol: Any, country: str, **options: Any) -> Any:
    """holidays.country_holidays of a ledger's country: a code (DE), or a code and a
    subdivision (DE-BW: Baden-Württemberg's Fronleichnam and Allerheiligen too), with
    the categories of the days offices close on (_CATEGORIES; else the package's
    public holidays)."""
    code, _dash, subdiv = country.upper().partition("-")
    if code in _CATEGORIES:
        options.setdefault("categories", _CATEGORIES[code])
    return hol.country_holidays(code, subdiv=subdiv or None, **options)


def country_code(country: str) -> str:
    """A country as the ledger stores it: upper case, its ISO 3166 two-letter code for a
    three-letter one the package knows (CHN is CN: stored as typed, it was a change of
    country from CN, and an amendment then counted days added since)."""
    from holidays import registry

    code, dash, subdiv = country.upper().partition("-")
    if len(code) == 3:
        code = next((entry[1] for entry in registry.COUNTRIES.values() if entry[2] == code),
                    code)
    return code + dash + subdiv


def country_name(country: str) -> str | None:
    """The country of a code as the `holidays` package names it (BW: Botswana; DE-BW:
    Germany, BW), None for one it does not know: said when a calendar is chosen, as a
    user typing BW for Baden-Württemberg got Botswana's working days without a word."""
    from holidays import registry

    code, _dash, subdiv = country.upper().partition("-")
    for module, entry in registry.COUNTRIES.items():
        if entry[1] == code:
            name = _(_COUNTRY_NAMES[code]) if code in _COUNTRY_NAMES else \
                module.replace("_", " ").title()
            return _("{country}, {part}").format(country=name, part=subdiv) if subdiv \
                else name
    return None


# The names of the countries a ledger here is most often on, as the reader's language
# has them (the package's module names them in English, Hong Kong "Hongkong").
_COUNTRY_NAMES = {"CN": N_("China"), "HK": N_("Hong Kong"), "MO": N_("Macau"),
                  "TW": N_("Taiwan"), "SG": N_("Singapore"), "MY": N_("Malaysia"),
                  "JP": N_("Japan"), "KR": N_("South Korea"), "VN": N_("Vietnam"),
                  "TH": N_("Thailand"), "US": N_("United States"), "DE": N_("Germany"),
                  "GB": N_("United Kingdom"), "FR": N_("France")}


# A year whose government calendar the package's per-year tables were checked with,
# as their class's docstring cites it, one reference a year ("* [2026](https://…)").
_CITED_YEAR = re.compile(r"^\s*\*\s*\[(\d{4})\]\(", re.MULTILINE)


def _entries(value: Any) -> tuple[tuple[Any, ...], ...]:
    """A year's entries of a `special_*_holidays` table: one tuple, or a tuple of them."""
    return value if value and isinstance(value[0], tuple) else (value,)


def _data_years(cal: Any) -> tuple[int | None, int | None]:
    """The first and last year a `holidays` calendar object has official data for, for a
    country whose working days move by yearly decree, with make-up working days
    (CN's 调休, TW's 補班); (None, None) for one whose days follow rules alone.

    The package keeps each year's decree in tables keyed by year (`special_*_holidays`:
    days off moved from a make-up working day, one-off days off); a year with data is
    one of their years, a make-up day's year, or a year whose government calendar the
    class holding those tables cites one by one (Taiwan's DGPA calendar of 2026 moved no
    day, so no table has 2026: the class cites it). Not the `*_observed` tables, which
    some countries fill by rule decades ahead (AZ: 2072). The years between the first
    and the last count as covered. Reads the tables and docstrings, not the years: fast.
    (Under `python -OO`, without docstrings, a year only cited is not known.)"""
    years: set[int] = set()
    make_up = False
    for name, table in vars(cal).items():
        if not (name.startswith("special_") and name.endswith("_holidays")
                and isinstance(table, dict)):
            continue
        for year, value in table.items():
            years.add(year)
            for entry in _entries(value):
                if len(entry) >= 4:  # (month, day, from month, from day[, from year])
                    moved = date(entry[4] if len(entry) == 5 else year, entry[2], entry[3])
                    if moved.weekday() in cal.weekend:
                        make_up = True
                        years.add(moved.year)
    if not make_up:
        return None, None
    import sys

    where = type(cal).__module__
    module = sys.modules.get(where)
    for value in vars(module).values() if module is not None else ():
        if isinstance(value, type) and value.__module__ == where and any(
                name.startswith("special_") for name in vars(value)):
            years.update(int(y) for y in _CITED_YEAR.findall(value.__doc__ or ""))
    return min(years), max(years)


def country_data_years(country: str) -> tuple[int | None, int | None]:
    """The first and last year the `holidays` package has official data for, for a
    country with yearly make-up working days ((None, None) for one without: every
    year is rule-based alike, and none is warned of); see _data_years. The years
    outside them are rule-based guesses, or nothing."""
    import holidays as hol

    try:
        cal = _calendar(hol, country)
    except (NotImplementedError, KeyError, AttributeError):
        return None, None
    return _data_years(cal)


def holiday_names(country: str, year: int, lang: str) -> dict[str, str]:
    """A country's public holidays of `year` by day (ISO), named in `lang` (zh: zh_CN;
    Taiwan's, Hong Kong's and Macao's in their own Chinese, as their clerks write them:
    the package's zh_CN lacks some, which came in Traditional beside Simplified ones)
    where the `holidays` package has that language for the country; {} where it has
    not (the names the ledger stores, the package's own language, stand then)."""
    import holidays as hol

    base = country.upper().partition("-")[0]
    own = {"TW": "zh_TW", "HK": "zh_HK", "MO": "zh_MO"}.get(base)
    code = {"zh": own or "zh_CN", "en": "en_US"}.get(lang)
    if code is None or code not in hol.list_localized_countries().get(base, ()):
        return {}
    try:
        cal = _calendar(hol, country, years=year, language=code)
    except (NotImplementedError, KeyError):
        return {}
    return {d.isoformat(): str(name) for d, name in cal.items()}


def load_country_calendar(country: str, years: range) -> tuple[dict[date, str],
                                                                  set[date], frozenset[int],
                                                                  int | None]:
    """Read a country's public holidays and make-up workdays from `holidays`.

    The one place that imports the package (70 ms): the ledger stores what it
    returns, so that reading paths never need it.
    Returns (holidays, make-up workdays, weekend weekdays, last official year: see
    _data_years; None for a country whose days follow rules alone).
    """
    import holidays as hol

    try:
        cal = _calendar(hol, country, years=years)
    except (NotImplementedError, KeyError):
        raise BadInput(_("unknown country calendar {value}").format(value=shown(country)),
                       hint=_("type an ISO 3166 code known to the holidays package, e.g. CN, "
                              "US, DE, or a country and its state or province, e.g. "
                              "DE-BW")) from None
    found = {d: str(name) for d, name in cal.items()}
    make_up = set(getattr(cal, "weekend_workdays", ()) or ())
    workdays = {d for d in make_up if d.year in years}
    return found, workdays, frozenset(getattr(cal, "weekend", {5, 6})), _data_years(cal)[1]
