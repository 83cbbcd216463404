"""day_rollups and handling_times (migration 14): what a report of a long period adds
up instead of reading every row. Kept by every writer (the steps, amend and void, the
bulk writer, the migration), recounted by verify, and a report through them equals
the report read from the rows (`Report(rollups=False)`, the reference path) for
weeks, months and ranges, as of any instant."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintctl import demo, reports, rollups
from complaintctl.store import Ledger

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A Shanghai demo ledger of 800 complaints (written by the bulk writer)."""
    ledger = Ledger.create(tmp_path_factory.mktemp("rollups") / "l.db", now=NOW,
                           init={"country": "CN", "timezone": "Asia/Shanghai"}, demo=True)
    demo.fill(ledger, 800, now=NOW)
    yield ledger
    ledger.close()


def _both(ledger: Ledger, period: reports.Period, at: datetime) -> tuple[dict, dict]:
    rolled = reports.Report(ledger.conn, ledger.tz, period, at, "CNY").build()
    rows = reports.Report(ledger.conn, ledger.tz, period, at, "CNY", rollups=False).build()
    return rolled, rows


def _last_step(conn: sqlite3.Connection) -> datetime:
    last = conn.execute("SELECT max(at) FROM events").fetchone()[0]
    return datetime.fromisoformat(last.replace("Z", "+00:00"))


def test_demo_rollups_equal_a_recount(filled):
    assert rollups.problems(filled.conn) == []
    measures = {m for (m,) in filled.conn.execute("SELECT DISTINCT measure FROM day_rollups")}
    assert measures == set(rollups.RECOUNT)
    assert filled.conn.execute("SELECT count(*) FROM handling_times").fetchone()[0] == \
        filled.conn.execute("SELECT count(*) FROM resolutions").fetchone()[0]


PERIODS = [reports.week_of(date(2026, 10, 7)), reports.month_of(2026, 9),
           reports.month_of(2026, 11), reports.between(date(2025, 1, 1), date(2026, 12, 31)),
           reports.between(date(2026, 3, 3), date(2026, 8, 19))]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_report_through_rollups_equals_the_rows(filled, period):
    end = _last_step(filled.conn)
    for at in (NOW, end, end - timedelta(days=3, hours=5, minutes=7),
               datetime(2026, 10, 15, 9, 30, tzinfo=timezone.utc)):
        rolled, rows = _both(filled, period, at)
        assert rolled == rows, (period.label, at)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.dates(date(2026, 1, 1), date(2026, 11, 30)), days=st.integers(0, 200),
       back=st.integers(0, 60 * 24 * 90))
def test_any_range_as_of_any_instant_equals_the_rows(filled, first, days, back):
    """Ranges with partial days at both ends, as of instants between steps too."""
    period = reports.between(first, first + timedelta(days=days))
    at = _last_step(filled.conn) - timedelta(minutes=back)
    rolled, rows = _both(filled, period, at)
    assert rolled == rows


def _log(run, customer, category, received, severity="medium", channel="phone"):
    return run("log", "--customer", customer, "--product", "P1", "--severity", severity,
               "--category", category, "--channel", channel, "--description", "x",
               "--received", received).stdout.strip()


def test_every_step_keeps_the_rollups(ledger):
    """Log, assign and reassign, investigate, resolve, reopen and resolve again, revisit,
    amend the received time and the category, void: the rollups stay a recount of the
    rows, and a report through them equals one from the rows as of every step."""
    run = ledger
    a = _log(run, "华东", "quality", "2026-10-08 09:00")
    b = _log(run, "Acme", "delivery", "2026-10-08 23:30", severity="high", channel="email")
    d = _log(run, "Dup", "quality", "2026-10-09 09:00")
    run("assign", a, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-08 10:00")
    run("assign", b, "--dept", "物流部", "--owner", "Tom", "--at", "2026-10-09 10:00")
    run("investigate", a, "--cause", "扭矩", "--cause-category", "manufacturing",
        "--at", "2026-10-09 10:00")
    run("investigate", b, "--not-upheld", "--reason", "in spec", "--at", "2026-10-10 09:00")
    run("resolve", a, "--disposition", "exchange", "--summary", "换新", "--at",
        "2026-10-12 09:00")
    run("resolve", b, "--disposition", "explanation", "--summary", "解释", "--at",
        "2026-10-13 09:00")
    run("revisit", b, "--satisfaction", "unsatisfied", "--at", "2026-10-14 09:00")
    run("assign", b, "--dept", "客服部", "--owner", "Li", "--at", "2026-10-15 10:00")
    run("resolve", b, "--disposition", "explanation", "--summary", "再解释", "--at",
        "2026-10-16 09:00")
    run("revisit", a, "--satisfaction", "satisfied", "--at", "2026-10-16 15:00")
    run("amend", a, "--received", "2026-10-07 07:00", "--category", "technical",
        "--reason", "paper form")
    run("void", d, "--reason", "logged twice", "--at", "2026-10-18 12:00")
    conn = sqlite3.connect(run.db)
    try:
        assert rollups.problems(conn) == []
        assert conn.execute("SELECT count(*), count(next_at) FROM handling_times").fetchone() \
            == (3, 1)
    finally:
        conn.close()
    lg = Ledger.open(run.db)
    try:
        for period in (reports.week_of(date(2026, 10, 7)), reports.month_of(2026, 10),
                       reports.between(date(2026, 10, 9), date(2026, 10, 16)),
                       reports.between(date(2025, 10, 1), date(2026, 12, 31))):
            for at in ("2026-10-09T03:00:00Z", "2026-10-12T01:00:00Z", "2026-10-13T12:00:00Z",
                       "2026-10-15T01:59:59Z", "2026-10-15T02:00:00Z", "2026-10-16T02:00:00Z",
                       "2026-10-18T05:00:00Z", "2026-11-20T00:00:00Z"):
                instant = datetime.fromisoformat(at.replace("Z", "+00:00"))
                rolled, rows = _both(lg, period, instant)
                assert rolled == rows, (period.label, at)
    finally:
        lg.close()


def test_verify_names_a_tampered_rollup(ledger):
    run = ledger
    a = _log(run, "华东", "quality", "2026-10-08 09:00")
    run("assign", a, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-08 10:00")
    run("investigate", a, "--cause", "扭矩", "--cause-category", "manufacturing",
        "--at", "2026-10-09 10:00")
    run("resolve", a, "--disposition", "exchange", "--summary", "换新", "--at",
        "2026-10-12 09:00")
    run("verify")
    conn = sqlite3.connect(run.db)
    conn.execute("UPDATE day_rollups SET n = n + 1 WHERE measure = 'channel'")
    conn.execute("UPDATE handling_times SET days = days + 1")
    conn.commit()
    conn.close()
    result = run("verify", "--format", "json", code=1)
    out = json.loads(result.stdout)
    found = {(p["kind"], p["id"]) for p in out["problems"]}
    assert ("day_rollup", "channel 2026-10-08 phone") in found
    assert any(kind == "handling_time" and a in which for kind, which in found)


def test_a_long_range_has_the_register_only_when_asked(ledger):
    """Over 31 days the register (one line per complaint) is left out unless
    --register; a month keeps it, and --no-register leaves it out."""
    run = ledger
    cid = _log(run, "华东", "quality", "2026-10-08 09:00")
    long = run.json("report", "--since", "2026-01-01", "--until", "2026-12-31")
    assert long["register"] == [] and long["register_included"] is False
    assert long["received"] == 1
    asked = run.json("report", "--since", "2026-01-01", "--until", "2026-12-31", "--register")
    assert [r["id"] for r in asked["register"]] == [cid] and asked["register_included"]
    month = run.json("report", "--month", "2026-10")
    assert [r["id"] for r in month["register"]] == [cid]
    assert run.json("report", "--month", "2026-10", "--no-register")["register"] == []
    # and why: asked, or a period too long (a week with --no-register said "a period this
    # long")
    assert long["register_left_out"] == "long" and month["register_left_out"] is None
    week = run("report", "--week", "2026-10-05", "--no-register").stdout
    assert "left out, as --no-register asked" in week and "this long" not in week, week
    # left out, it says so: the section is not there, rather than empty as if nothing had
    # been received (a quarter's `--section register` from cron read as none)
    span = ("report", "--since", "2026-01-01", "--until", "2026-12-31")
    whole = run(*span, "--format", "csv").stdout
    assert "# register" not in whole
    assert "register,left out for a period this long: add --register for it" in whole
    assert "left out for a period this long" in run(*span).stdout
    named = run(*span, "--format", "csv", "--section", "register").stdout  # asked by name
    assert cid in named
    before = run.snapshot()
    r = run(*span, "--format", "csv", "--section", "register", "--no-register", code=2)
    assert "--section register and --no-register ask for opposites" in r.stderr
    assert run.snapshot() == before
    assert "left out" not in run("report", "--month", "2026-10", "--format", "csv").stdout


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_period_figures_equal_the_report(filled, period):
    """The trend's point of a period (reports.period_figures) is the report's."""
    for at in (NOW, datetime(2026, 10, 15, 9, 30, tzinfo=timezone.utc)):
        rep = reports.Report(filled.conn, filled.tz, period, at, "CNY", rollups=False).build()
        point = reports.period_figures(filled.conn, filled.tz, period, at)
        for key in ("received", "resolved", "closed", "voided", "revisits",
                    "satisfaction_rate"):
            assert point[key] == rep[key], key
        assert point["on_time_by_stage"] == rep["on_time_rate"]
        assert point["end_at"] == rep["period"]["end_at"]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
def test_long_and_short_ways_give_the_same_report(filled, period):
    """A long period reads handling times and customers through whole indexes in their
    order (`by_index`), a short one from the period's rows: both equal the rows, as of
    now and as of instants between steps (the means from SQLite's sum of whole seconds,
    exact in any order)."""
    end = _last_step(filled.conn)
    for at in (NOW, end - timedelta(days=3, hours=5, minutes=7)):
        rows = reports.Report(filled.conn, filled.tz, period, at, "CNY", rollups=False).build()
        for by_index in (True, False):
            rep = reports.Report(filled.conn, filled.tz, period, at, "CNY")
            rep.by_index = by_index
            assert rep.build() == rows, (period.label, at, by_index)


def test_handling_days_are_rounded_from_whole_seconds_half_away_from_zero():
    """Handling days are julianday differences, which carry binary noise: 4 days 36
    minutes read 4.024999… and was given as 4.02 (a clerk rounds 4.025 to 4.03), the
    mean of it and 4.125 days 4.07 (4.075: 4.08). Each time is a whole number of
    seconds; the figures are rounded from those, exactly, half away from zero."""
    import random

    def noisy(seconds: int) -> float:  # as SQLite computes a handling time
        conn = sqlite3.connect(":memory:")
        try:
            return conn.execute("SELECT julianday('2026-11-02T00:00:00Z', ?) - "
                                "julianday('2026-11-02T00:00:00Z')",
                                (f"+{seconds} seconds",)).fetchone()[0]
        finally:
            conn.close()

    tie = 4 * 86400 + 36 * 60  # 4.025 days
    assert noisy(tie) != 4.025  # (the noise the figures must not follow)
    assert reports.summary_stats([noisy(tie)]) == {"mean": 4.03, "median": 4.03, "p90": 4.03}
    assert reports.summary_stats([noisy(tie), noisy(4 * 86400 + 3 * 3600)])["mean"] == 4.08
    # and against exact fractions, for random whole-second times
    from fractions import Fraction

    def exact(seconds: Fraction) -> float:
        hundredths = seconds * 100 / 86400
        return float(int(hundredths + Fraction(1, 2))) / 100

    rng = random.Random(16)
    for _ in range(500):
        values = [rng.choice((rng.randint(0, 10 ** 7), 864 * rng.randint(0, 10 ** 4) // 2 * 2
                              + 432)) for _ in range(rng.randint(1, 9))]
        stats = reports.summary_stats([v / 86400 for v in values])
        v, n = sorted(values), len(values)
        median = Fraction(v[n // 2]) if n % 2 else Fraction(v[n // 2 - 1] + v[n // 2], 2)
        assert stats == {"mean": exact(Fraction(sum(v), n)), "median": exact(median),
                         "p90": exact(Fraction(v[max(0, -(-9 * n // 10) - 1)]))}, values


def test_which_periods_are_long(filled):
    """The two years hold the whole demo (the index way); a week or a month is short."""
    two_years, week = PERIODS[3], PERIODS[0]
    assert reports.Report(filled.conn, filled.tz, two_years, NOW, "CNY")._long("resolutions")
    assert reports.Report(filled.conn, filled.tz, two_years, NOW, "CNY")._long("received")
    assert not reports.Report(filled.conn, filled.tz, week, NOW, "CNY")._long("received")
    # an instant before the period: nothing in it
    assert not reports.Report(filled.conn, filled.tz, two_years,
                              datetime(2024, 6, 1, tzinfo=timezone.utc), "CNY")._long("received")


def test_the_received_measures_in_one_pass_are_their_recount(filled):
    """verify counts the measures of complaints by their received day in one pass:
    the same counts as each measure's own query (RECOUNT)."""
    one_pass = rollups.received_recount(filled.conn)
    assert set(one_pass) == set(rollups.RECEIVED)
    for measure in rollups.RECEIVED:
        by_query = {(day, key): n for day, key, n, _ok in filled.conn.execute(
            rollups.RECOUNT[measure].format(c="1", s="1"))}
        assert one_pass[measure] == by_query and by_query, measure
