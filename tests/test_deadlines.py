"""Deadline arithmetic (pure) and escalation at its exact thresholds (through
`overdue --as-of`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintctl.deadlines import (
    Calendar,
    Duration,
    add_duration,
    add_working_days,
    late_working_days,
    lateness,
    load_country_calendar,
    parse_duration,
    uncovered_years,
)
from complaintctl.errors import BadInput

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
PLAIN = Calendar()  # Saturday and Sunday off, no holidays


@lru_cache
def cn() -> Calendar:
    found, workdays, weekend, covered = load_country_calendar("CN", range(2024, 2028))
    return Calendar(weekend=weekend, holidays=frozenset(found), workdays=frozenset(workdays),
                    covered_until=covered)


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_hours_are_elapsed_hours_even_over_weekend():
    start = sh("2026-10-09 22:00")  # Friday
    assert add_duration(start, Duration(4, "h"), PLAIN, SH) == sh("2026-10-10 02:00")
    assert add_duration(start, Duration(48, "h"), cn(), SH) == sh("2026-10-11 22:00")


def test_working_days_skip_weekends():
    assert add_working_days(sh("2026-11-20 10:00"), 1, PLAIN, SH) == sh("2026-11-23 10:00")
    assert add_working_days(sh("2026-11-18 10:00"), 5, PLAIN, SH) == sh("2026-11-25 10:00")


def test_cn_national_day_with_make_up_saturday():
    start = sh("2026-09-30 10:00")
    assert add_working_days(start, 1, cn(), SH) == sh("2026-10-08 10:00")
    assert add_working_days(start, 3, cn(), SH) == sh("2026-10-10 10:00")  # make-up Saturday
    assert add_working_days(start, 5, cn(), SH) == sh("2026-10-13 10:00")


def test_start_on_non_working_day_counts_from_next_working_day():
    # Saturday 15:00 → counted from Monday 00:00; 1 wd → Tuesday 00:00
    assert add_working_days(sh("2026-11-21 15:00"), 1, PLAIN, SH) == sh("2026-11-24 00:00")
    # during National Day: counted from Thursday 8 October 00:00
    assert add_working_days(sh("2026-10-03 09:00"), 2, cn(), SH) == sh("2026-10-10 00:00")


def test_company_closure_days_are_skipped():
    closed = Calendar(holidays=frozenset({date(2026, 11, 23), date(2026, 11, 24)}))
    assert add_working_days(sh("2026-11-20 10:00"), 1, closed, SH) == sh("2026-11-25 10:00")


def test_calendar_days_keep_the_wall_clock():
    assert add_duration(sh("2026-01-01 10:00"), Duration(90, "d"), PLAIN, SH) == \
        sh("2026-04-01 10:00")


def test_uncovered_year_is_known():
    """2026 is published; 2030 cannot be yet (a newer holidays may know 2027)."""
    found, workdays, weekend, covered = load_country_calendar("CN", range(2026, 2031))
    cal = Calendar(weekend=weekend, holidays=frozenset(found), workdays=frozenset(workdays),
                   covered_until=covered)
    assert cal.covers(2026) and not cal.covers(2030)
    assert PLAIN.covers(2099)


_ZONES = [UTC, SH, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago"),
          ZoneInfo("America/New_York")]


@settings(max_examples=300, deadline=None)
@given(utc=st.datetimes(datetime(2025, 12, 25), datetime(2027, 1, 6)),
       given_in=st.sampled_from(_ZONES), ledger_tz=st.sampled_from(_ZONES))
def test_uncovered_years_are_the_local_years_past_the_calendar(utc, given_in, ledger_tz):
    """Its shortcut (well inside the covered years) never hides a local year past them,
    across New Year and time zones 25 hours apart."""
    cal = Calendar(covered_until=2026)
    instant = utc.replace(tzinfo=UTC).astimezone(given_in)
    local_year = instant.astimezone(ledger_tz).year
    assert uncovered_years([instant], cal, ledger_tz) == ([local_year] if local_year > 2026
                                                          else [])


@pytest.mark.parametrize("text", ["4h", "3wd", "90d", " 2 WD "])
def test_parse_duration(text):
    assert str(parse_duration(text)) == text.strip().lower().replace(" ", "")


@pytest.mark.parametrize("text", ["", "3", "0h", "-1wd", "3 weeks", "1.5h"])
def test_parse_duration_refuses(text):
    with pytest.raises(BadInput):
        parse_duration(text)


def test_escalation_levels_at_exact_thresholds():
    due = sh("2026-10-10 10:00")  # a make-up working Saturday
    at = {lvl: lateness(due, sh(t), cn(), SH).level for lvl, t in [
        (0, "2026-10-10 10:00"), (1, "2026-10-10 10:00:01"), (11, "2026-10-12 09:59"),
        (2, "2026-10-12 10:00"), (22, "2026-10-13 09:59"), (3, "2026-10-13 10:00")]}
    assert at == {0: 0, 1: 1, 11: 1, 2: 2, 22: 2, 3: 3}


# --- properties --------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 20),
                        timezones=st.just(SH))


@settings(max_examples=300, deadline=None)
@given(start=instants, n=st.integers(1, 30))
def test_working_day_deadline_properties(start, n):
    cal = cn()
    due = add_working_days(start, n, cal, SH).astimezone(SH)
    assert due > start
    assert cal.is_working_day(due.date())
    # exactly n working days after the (normalised) start day
    base = start if cal.is_working_day(start.date()) else None
    first = start.date() if base else start.date() + timedelta(days=1)
    while not cal.is_working_day(first):
        first += timedelta(days=1)
    assert cal.working_days_between(first, due.date()) == n - 1
    # the same clock time, or 00:00 when the start was not a working day
    assert due.time() == (start.time() if base else datetime.min.time())


@settings(max_examples=300, deadline=None)
@given(due=instants, n=st.integers(0, 40), extra=st.integers(0, 3600 * 20))
def test_late_working_days_inverts_add(due, n, extra):
    """late_working_days(due, add_wd(due, n) + ε) is n while ε stays under the next step."""
    cal = cn()
    step_n = add_working_days(due, n, cal, SH) if n else due
    nxt = add_working_days(due, n + 1, cal, SH)
    probe = step_n + timedelta(seconds=extra)
    if probe >= nxt:
        return
    if n == 0 and probe == due:
        assert late_working_days(due, probe, cal, SH) == 0
        return
    assert late_working_days(due, probe, cal, SH) == n


# --- through the command ------------------------------------------------------------

def test_cn_example_deadlines_through_the_command(ledger):
    cid = ledger.log(severity="medium")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-30 10:00")
    rec = ledger.json("show", cid)
    assert rec["deadlines"]["investigate"] == "2026-10-10T02:00:00Z"  # 10:00 Shanghai
    assert rec["deadlines"]["resolve"] == "2026-10-13T02:00:00Z"


@pytest.mark.parametrize(("as_of", "level", "late_wd", "late_h"), [
    ("2026-10-10 10:00", None, None, None),
    ("2026-10-10 10:01", 1, 0, 0.0),
    ("2026-10-12 09:59", 1, 0, 48.0),
    ("2026-10-12 10:00", 2, 1, 48.0),
    ("2026-10-13 09:59", 2, 1, 72.0),
    ("2026-10-13 10:00", 3, 2, 72.0),
])
def test_overdue_escalation_thresholds(ledger, as_of, level, late_wd, late_h):
    cid = ledger.log(severity="medium")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-30 10:00")
    ledger("investigate", cid, "--finding", "looking", "--at", "2026-10-09 10:00")
    rows = [r for r in ledger.json("overdue", "--as-of", as_of) if r["stage"] == "investigate"]
    if level is None:
        assert rows == []
        return
    (row,) = rows
    assert row["escalation_level"] == level and row["late_working_days"] == late_wd
    assert round(row["late_hours"]) == late_h
    assert row["escalate_to"] == {1: "department_manager", 2: "branch_head",  # codes
                                  3: "general_manager"}[level]


def test_a_stage_late_below_the_first_escalation_is_listed_at_level_0(run, monkeypatch):
    """With level 1 raised to 1wd, a stage a few hours late was left out of overdue
    altogether ('Nothing is overdue', [] in JSON, nothing from cron) while show called it
    overdue and the report counted it late."""
    from conftest import TZ
    from support import NOW, set_clock

    ledger = run  # made, and level 1 raised, before the instants below: in force then
    set_clock(monkeypatch, datetime(2026, 9, 29, tzinfo=timezone.utc))
    ledger("init", "--country", "CN", "--timezone", TZ)
    ledger("policy", "set", "escalation", "1", "1wd")
    set_clock(monkeypatch, NOW)
    cid = ledger.log(severity="medium")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-30 10:00")
    ledger("investigate", cid, "--finding", "looking", "--at", "2026-10-09 10:00")
    (row,) = [r for r in ledger.json("overdue", "--as-of", "2026-10-10 12:00")
              if r["stage"] == "investigate"]
    assert (row["escalation_level"], row["escalate_to"], row["late_hours"]) == (0, None, 2.0)
    assert (row["complaint_id"], row["round"]) == (cid, 1)
    monkeypatch.setenv("COLUMNS", "100")
    out = ledger("overdue", "--as-of", "2026-10-10 12:00").stdout
    line = next(x for x in out.splitlines() if "investigate" in x)
    assert line.split()[-3:] == ["2.0", "h", "-"] and "Escalate to" not in out, out
    assert "not escalated yet 1" in out.splitlines()[0]
    # a minute late: under a tenth of an hour, not "0.0 h"
    out = ledger("overdue", "--as-of", "2026-10-10 10:01").stdout
    assert "<0.1 h" in out and "0.0 h" not in out
    # csv carries the round and the complaint (a return's complaint; JSON has them too)
    rows = ledger("overdue", "--as-of", "2026-10-10 12:00", "--format", "csv").stdout
    header = rows.lstrip("\ufeff").splitlines()[0].split(",")
    assert header[-3:] == ["complaint", "round", "product"]


def test_overdue_in_the_past_escalates_by_the_levels_and_calendar_of_then(run, monkeypatch):
    """A past `overdue --as-of` counted working days late by today's calendar and
    escalated by today's levels and roles: a level raised, a role renamed or a closure
    day added a week later changed what had been late on a day gone by. As of an instant
    before a change, the change is not in force; after it, it is."""
    from conftest import TZ
    from support import NOW, set_clock

    ledger = run  # made when the complaint came, and changed a week after
    set_clock(monkeypatch, datetime(2026, 10, 11, 12, 30, tzinfo=timezone.utc))
    ledger("init", "--country", "CN", "--timezone", TZ)
    cid = ledger.log(severity="medium", received="2026-10-11 20:00")
    set_clock(monkeypatch, NOW)

    def late(at: str) -> tuple:
        (row,) = [r for r in ledger.json("overdue", "--as-of", at) if r["stage"] == "assign"]
        assert row["complaint_id"] == cid, row
        return row["late_working_days"], row["escalation_level"], row["escalate_to"]

    thursday = late("2026-10-15 08:00")
    assert thursday == (2, 3, "general_manager"), thursday
    wednesday = late("2026-10-14 08:00")
    assert wednesday == (1, 2, "branch_head"), wednesday
    set_clock(monkeypatch, datetime(2026, 10, 20, 1, tzinfo=timezone.utc))  # 09:00 there
    ledger("policy", "set", "escalation", "3", "3wd")
    ledger("policy", "set", "escalation", "2", "1wd", "--role", "质量总监")
    ledger("policy", "set", "escalation", "4", "5wd", "--role", "董事长")
    ledger("policy", "calendar", "--add-closure", "2026-10-14")
    assert late("2026-10-15 08:00") == thursday
    assert late("2026-10-20 08:59") == (5, 3, "general_manager")
    # from the change on: the closure day not counted, level 3 at 3wd, level 4 there
    assert late("2026-10-20 09:00") == (4, 3, "general_manager")
    assert late("2026-10-21 09:00") == (5, 4, "董事长")
    assert late("2026-10-14 08:00") == wednesday  # the role renamed since: not then
    (row,) = [r for r in ledger.json("overdue") if r["stage"] == "assign"]  # now: the same
    assert (row["late_working_days"], row["escalation_level"]) == (4, 3), row

@pytest.mark.parametrize(("minutes", "shown"), [(15, 0.3), (45, 0.8), (3, 0.1), (2, 0.0),
                                                 (27, 0.5), (33, 0.6), (90, 1.5)])
def test_hours_late_round_half_away_from_zero(ledger, minutes, shown):
    """15 minutes late read 0.2 h and 45 minutes 0.8 (Python's round of a float: to
    even, and 0.25 is no exact binary fraction); a clerk rounds half up, as the report's
    percentages do."""
    from datetime import datetime, timedelta

    cid = ledger.log(severity="critical", received="2026-11-02 09:00")  # assign by 10:00
    as_of = datetime(2026, 11, 2, 10, 0) + timedelta(minutes=minutes)
    rows = [r for r in ledger.json("overdue", "--as-of", as_of.strftime("%Y-%m-%d %H:%M"))
            if r["complaint_id"] == cid and r["stage"] == "assign"]
    assert [r["late_hours"] for r in rows] == ([shown] if minutes else []), rows
