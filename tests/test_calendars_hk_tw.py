"""The Hong Kong, Macau and Taiwan calendars (defects found by a tester from HK/TW).

HK: deadlines skip the general holidays (Cap. 149: offices and banks close), not only
the statutory ones: Good Friday and the day following it were working days
(2026-04-03/04, 2027-03-26/27). Macau has the same split in the holidays package.
TW: the package carries the DGPA's 2026 calendar, which has no make-up working day;
"official data" was the last year with make-up days (2025), so every step in 2026
warned, `policy show` said "official data up to 2025", and adding 2026-12-25, a
holiday already, was recorded as a new one. A year without data still warns.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import pytest

from complaintctl import cli, deadlines
from complaintctl import run as run_module


def setting(run, key: str) -> str | None:
    rows = run.rows("SELECT value FROM settings WHERE key = ?", (key,))
    return rows[0][0] if rows else None


def dues(run, cid: str) -> dict[str, str]:
    return dict(run.rows("SELECT stage, due_at FROM stages WHERE complaint_id = ?", (cid,)))


def country_days(run, first: str, last: str) -> dict[str, str]:
    return dict(run.rows("SELECT day, kind FROM calendar_days WHERE source = 'country' "
                         "AND day BETWEEN ? AND ?", (first, last)))


def verified(run) -> None:
    result = run("verify")
    assert result.stdout.startswith("OK"), result.stdout


def clock_at(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    """The commands' clock at `at` (conftest pins it to 2026-11-23 otherwise)."""
    monkeypatch.setattr(cli, "_now", lambda: at)
    monkeypatch.setattr(run_module, "_now", lambda: at)


def log(run, received: str, customer: str = "X"):
    return run("log", "--no-input", "--customer", customer, "--channel", "phone",
               "--category", "quality", "--severity", "medium", "--description", "x",
               "--received", received)


# --- Hong Kong: the general holidays -------------------------------------------------------

@pytest.fixture
def hk(run):
    run("init", "--country", "HK", "--timezone", "Asia/Hong_Kong", "--currency", "HKD")
    return run


def test_hk_calendar_has_good_friday_and_the_day_following(hk):
    days = {d["day"]: d for d in hk.json("policy", "calendar", "--year", "2026")}
    assert days["2026-04-03"]["name"] == "Good Friday"
    assert days["2026-04-04"]["name"] == "The day following Good Friday"
    assert days["2026-04-03"]["kind"] == days["2026-04-04"]["kind"] == "holiday"
    days27 = {d["day"]: d["name"] for d in hk.json("policy", "calendar", "--year", "2027")}
    assert days27["2027-03-26"] == "Good Friday"
    assert days27["2027-03-27"] == "The day following Good Friday"
    # stored in the ledger, so that deadlines count them
    assert country_days(hk, "2026-04-03", "2026-04-04") == {"2026-04-03": "holiday",
                                                            "2026-04-04": "holiday"}
    assert country_days(hk, "2027-03-26", "2027-03-27") == {"2027-03-26": "holiday",
                                                            "2027-03-27": "holiday"}
    result = hk("--lang", "zh", "policy", "calendar", "--year", "2026")
    # in Hong Kong's own Chinese, as its clerks write them
    assert "耶穌受難節" in result.stdout and "耶穌受難節翌日" in result.stdout, result.stdout


def test_hk_deadline_skips_good_friday_2026(hk):
    """Received Thursday 2026-04-02: Good Friday, the day following it (Saturday, a
    working day in HK otherwise), Sunday, the day following Ching Ming and the day
    following Easter Monday are off: assign (1 wd) is due Wednesday 8 April."""
    result = log(hk, "2026-04-02 10:00")
    cid = result.stdout.strip()
    assert "assign by 2026-04-08 10:00; resolve by 2026-04-13 10:00" in result.stderr
    assert "Warning" not in result.stderr  # HK's holidays follow rules: no year warned of
    assert dues(hk, cid) == {"assign": "2026-04-08T02:00:00Z",
                             "resolve": "2026-04-13T02:00:00Z"}
    verified(hk)


def test_hk_deadline_skips_good_friday_2027(hk, monkeypatch):
    """Received Thursday 2027-03-25: Good Friday, the day following it, Sunday and
    Easter Monday are off: assign is due Tuesday 30 March."""
    clock_at(monkeypatch, datetime(2027, 4, 30, 4, tzinfo=timezone.utc))
    result = log(hk, "2027-03-25 10:00")
    assert "assign by 2027-03-30 10:00" in result.stderr
    assert dues(hk, result.stdout.strip())["assign"] == "2027-03-30T02:00:00Z"


def test_an_hk_ledger_made_before_gets_the_general_holidays_by_refresh(run, monkeypatch):
    """A ledger made with the statutory days only: --refresh adds the general holidays
    (Good Friday, the day following it, ...), and deadlines set later skip them."""
    with monkeypatch.context() as before:
        before.setattr(deadlines, "_CATEGORIES", {})  # what the code did before
        run("init", "--country", "HK", "--timezone", "Asia/Hong_Kong")
    assert country_days(run, "2026-04-03", "2026-04-04") == {}
    result = run("policy", "calendar", "--refresh")
    assert "2026-04-03, 2026-04-04" in result.stderr
    assert country_days(run, "2026-04-03", "2026-04-04") == {"2026-04-03": "holiday",
                                                             "2026-04-04": "holiday"}
    cid = log(run, "2026-04-02 10:00").stdout.strip()
    assert dues(run, cid)["assign"] == "2026-04-08T02:00:00Z"
    verified(run)


def test_macau_has_its_general_holidays_too(run):
    """Macau: the package's "public" category is the mandatory (statutory) days, its
    "optional" one the public holidays offices close on (Good Friday, Christmas, ...)."""
    run("init", "--country", "MO", "--timezone", "Asia/Macau")
    days = {d["day"]: d["name"] for d in run.json("policy", "calendar", "--year", "2026")}
    assert days["2026-04-03"] == "Good Friday"
    assert days["2026-12-25"] == "Christmas Day"
    result = log(run, "2026-04-02 10:00")
    assert "assign by 2026-04-06 10:00" in result.stderr  # Fri 3, Sat 4 and Sun 5 off


# --- Taiwan: official data for 2026 --------------------------------------------------------

@pytest.fixture
def tw(run):
    run("init", "--country", "TW", "--timezone", "Asia/Taipei", "--currency", "TWD")
    return run


def test_tw_2026_is_official_data(tw):
    """The DGPA's 2026 calendar (no make-up working day) is in the package: no warning
    on a step in 2026, and `policy show` says official data up to 2026."""
    assert setting(tw, "calendar_covered_until") == "2026"
    result = log(tw, "2026-04-02 10:00")
    assert "Warning" not in result.stderr
    assert "no official" not in result.stderr
    # Fri 3 (Children's Day observed), Sat 4, Sun 5, Mon 6 (Tomb-Sweeping Day observed)
    assert "assign by 2026-04-07 10:00" in result.stderr
    cid = result.stdout.strip()
    assert dues(tw, cid)["assign"] == "2026-04-07T02:00:00Z"
    result = tw("assign", cid, "--dept", "品保部", "--owner", "林", "--at", "2026-04-07 09:00")
    assert "Warning" not in result.stderr
    shown = tw("policy", "show").stdout
    assert re.search(r"official data \d{4}-2026\)", " ".join(shown.split())), shown
    assert tw.json("policy", "show")["calendar_covered_until"] == 2026
    verified(tw)
    # the holidays named in Taiwan's own Chinese, every one: the package's Simplified
    # names lacked 臺灣光復節, which came in Traditional beside 台湾光复节（补假）
    names = tw("--lang", "zh", "policy", "calendar", "--year", "2026").stdout
    assert "臺灣光復暨金門古寧頭大捷紀念日（補假）" in names and "补假" not in names, names


def test_tw_a_year_without_data_still_warns(tw, monkeypatch):
    """2027 with holidays 0.109 (the year after the package's last DGPA calendar)."""
    year = deadlines.country_data_years("TW")[1] + 1
    clock_at(monkeypatch, datetime(year, 3, 10, 4, tzinfo=timezone.utc))
    result = log(tw, f"{year}-03-02 10:00")
    assert (f"Warning: the holidays package has no official TW calendar for {year}: "
            "deadlines there count weekends and rule-based holidays only") in result.stderr


def test_tw_a_holiday_of_the_package_is_a_holiday_already(tw):
    """2026-12-25 (Constitution Day, a day off again from 2025) was answered "is now a
    holiday" and recorded: the package's 2026 is official data, so it is one already."""
    before = tw.snapshot()
    result = tw("policy", "calendar", "--add-holiday", "2026-12-25")
    assert "is now a holiday" not in result.stderr + result.stdout
    assert ("2026-12-25 is a public holiday of the country calendar already "
            "(Constitution Day)") in result.stderr + result.stdout
    assert tw.snapshot() == before  # no user day, no event
    assert tw.rows("SELECT * FROM calendar_days WHERE source = 'user'") == []
    assert tw.rows("SELECT * FROM events WHERE kind = 'calendar'") == []


def test_a_tw_ledger_made_before_is_right_after_refresh(run, monkeypatch):
    """A TW ledger made when "official" meant the last year with make-up days (2025):
    --refresh takes the data years again, and 2026 stops warning."""
    real = deadlines.load_country_calendar

    def older(country: str, years: range):
        found, workdays, weekend, _covered = real(country, years)
        return found, workdays, weekend, 2025

    with monkeypatch.context() as before:
        before.setattr(deadlines, "load_country_calendar", older)
        run("init", "--country", "TW", "--timezone", "Asia/Taipei")
    assert "no official TW calendar for 2026" in log(run, "2026-04-02 10:00").stderr
    result = run("policy", "calendar", "--refresh")
    assert "nothing changed" not in result.stderr
    assert setting(run, "calendar_covered_until") == "2026"
    (data,), = run.rows("SELECT data FROM events WHERE kind = 'calendar'")
    assert json.loads(data)["settings"]["calendar_covered_until"] == "2026"
    assert "Warning" not in log(run, "2026-04-02 11:00", customer="Y").stderr
    verified(run)


# --- which years have official data ----------------------------------------------------------

def test_official_data_years_of_the_countries():
    """China as before (its make-up days 2001-2026 in holidays 0.109); Taiwan 1998-2026
    (the DGPA calendars the package cites, 2026 without a make-up day); countries whose
    holidays follow rules alone (HK, MO, DE-BW) have no such years, never warned of."""
    first, last = deadlines.country_data_years("CN")
    assert first == 2001 and last is not None and last >= 2026
    first, last = deadlines.country_data_years("TW")
    assert first == 1998 and last is not None and last >= 2026
    for country in ("HK", "MO", "DE-BW", "US"):
        assert deadlines.country_data_years(country) == (None, None)
    assert deadlines.load_country_calendar("TW", range(2026, 2027))[3] == last
    # the last year of the package, not of the years read
    assert deadlines.load_country_calendar("CN", range(2020, 2021))[3] == \
        deadlines.country_data_years("CN")[1]
    assert deadlines.load_country_calendar("HK", range(2026, 2027))[3] is None


class _FakeStaticHolidays:
    """Per-year calendars checked with:
        * [2019](https://example.invalid/2019)
        * [2021](https://example.invalid/2021)
    """

    special_public_holidays = {2020: (1, 2, 1, 4)}  # 2020-01-02 off, Saturday 4th worked


class _Fake:
    weekend = {5, 6}

    def __init__(self, tables: dict):
        vars(self).update(tables)


def test_data_years_come_from_the_tables_and_the_years_cited():
    """A year with an entry, a make-up day's year, and a year the table class cites;
    not an observed-day table filled ahead by rule; none for a country without
    make-up days, however many one-off days its tables hold."""
    tables = {"special_public_holidays": {2020: (1, 2, 1, 4), 2018: (5, 2, "bridge")},
              "special_public_holidays_observed": {2072: (1, 5, "observed")}}
    assert deadlines._data_years(_Fake(tables)) == (2018, 2021)
    assert deadlines._data_years(_Fake({"special_public_holidays": {
        2026: ((1, 2, "one-off"), (10, 9, "another"))}})) == (None, None)
    # a make-up day across the year's end counts its own year
    assert deadlines._data_years(_Fake({"special_public_holidays": {
        2020: (12, 31, 1, 9, 2021)}})) == (2019, 2021)  # 2021-01-09 a Saturday
    assert date(2021, 1, 9).weekday() == 5


@pytest.mark.parametrize(("country", "code"), [("TW", "TWD"), ("HK", "HKD"), ("MO", "MOP"),
                                               ("CN", "CNY"), ("DE", "EUR")])
def test_a_ledger_is_in_its_countrys_currency_unless_told(run, tmp_path, country, code):
    """`init --country TW` without --currency made a ledger in CNY: a Taiwan clerk's
    NT$ amounts were then refused as another currency."""
    db = tmp_path / f"{country}.db"
    r = run("--db", db, "init", "--country", country, "--timezone", "Asia/Taipei")
    assert f"currency {code})." in r.stderr, r.stderr
    other = tmp_path / f"{country}-usd.db"
    r = run("--db", other, "init", "--country", country, "--timezone", "Asia/Taipei",
            "--currency", "USD")
    assert "currency USD)." in r.stderr


@pytest.mark.parametrize(("args", "said"), [
    (("--country", "JP", "--timezone", "Asia/Tokyo", "--currency", "¥"), "calendar JP"),
    (("--country", "JP", "--timezone", "Asia/Tokyo", "--currency", "￥"), "calendar JP"),
    (("--country", "ＣＮ", "--timezone", "Asia/Shanghai", "--currency", "ＣＮＹ"), "calendar CN"),
    (("--country", "CN", "--timezone", "Asia/Shanghai", "--currency", "¥"), "calendar CN")])
def test_the_yen_sign_and_full_width_codes_at_init(run, tmp_path, args, said):
    """¥ made a Japanese ledger in CNY without a word; ＣＮ and ＣＮＹ (a Chinese input
    method left on full width) were unknown, without a hint."""
    r = run("--db", tmp_path / "l.db", "init", *args)
    code = "JPY" if "JP" in args else "CNY"
    assert f"({said}, " in r.stderr and f"currency {code})." in r.stderr, r.stderr


def test_a_taiwan_ledgers_dollar_and_clock(run, tmp_path, monkeypatch):
    """`--currency 元` made a Taiwan ledger in CNY (元 is the country's own dollar), and a
    Taiwan ledger made on a UTC server refused its 民國 dates without saying why."""
    r = run("--db", tmp_path / "a.db", "init", "--country", "TW", "--timezone", "Asia/Taipei",
            "--currency", "元")
    assert "currency TWD)." in r.stderr, r.stderr
    r = run("--db", tmp_path / "d.db", "init", "--country", "TW", "--timezone", "Asia/Taipei",
            "--currency", "塊")  # 三百塊: Taiwan's dollar there, not the yuan
    assert "currency TWD)." in r.stderr, r.stderr
    monkeypatch.setenv("TZ", "UTC")
    r = run("--db", tmp_path / "b.db", "init", "--country", "TW")
    assert ("Warning: the ledger's clock is this machine's, UTC, not TW's: dates and deadlines "
            f"are read on it; change it with complaintctl --db {tmp_path / 'b.db'} policy "
            "timezone Asia/Taipei") in r.stderr, r.stderr
    monkeypatch.setenv("TZ", "ROC")  # Taiwan's clock by another name: nothing to say
    r = run("--db", tmp_path / "c.db", "init", "--country", "TW")
    assert "Warning" not in r.stderr, r.stderr


def test_hong_kong_and_taiwan_numbers_are_found_as_they_are_written_there(run):
    """A Hong Kong number printed with its code in brackets, (852) 9123 4567, was not
    found by its 8 digits; a Taipei landline, 02-2345-6789 or 886-2-2345-6789, not by
    23456789, nor one form by the other: "No complaints match.", read as the person never
    having complained."""
    run("init", "--country", "TW", "--timezone", "Asia/Taipei")
    ids = {}
    for contact in ("(852) 9123 4567", "02-2345-6789", "886-2-2345-6789", "(02) 2345-6789",
                    "+853 9123 4567"):
        ids[contact] = run("log", "--customer", "甲", "--contact", contact, "--channel",
                           "phone", "--category", "quality", "--severity", "low",
                           "--description", "x").stdout.strip()

    def found(contact: str) -> set[str]:
        return {r["id"] for r in run.json("list", "--contact", contact)}

    assert found("91234567") == {ids["(852) 9123 4567"], ids["+853 9123 4567"]}
    assert found("+852 9123 4567") == found("9123 4567") - {ids["+853 9123 4567"]} == {
        ids["(852) 9123 4567"]}
    taipei = {ids["02-2345-6789"], ids["886-2-2345-6789"], ids["(02) 2345-6789"]}
    assert found("23456789") == found("02-2345-6789") == found("+886 2 2345 6789") == taipei
    assert found("2345678") == set()  # (a number that merely ends like it is not it)


def test_a_roc_date_in_seven_digits_is_read_on_taiwan_s_clock(run):
    """1130506, as Taiwan's ERPs write 民國113年5月6日, was taken for a phone number in an
    import (and shown masked); on Taiwan's clock it is that day, elsewhere not read."""
    run("init", "--country", "TW", "--timezone", "Asia/Taipei")
    cid = run("log", "--customer", "丙公司", "--channel", "phone", "--category", "quality",
              "--severity", "low", "--description", "x", "--received", "1130506"
              ).stdout.strip()
    assert run.rows("SELECT received_at FROM complaints WHERE id = ?", (cid,)) == [
        ("2024-05-05T16:00:00Z",)]
    run("log", "--customer", "丙公司", "--channel", "phone", "--category", "quality",
        "--severity", "low", "--description", "x", "--received", "1131306", code=2)
