"""History entered late (issue 15): the working-day calendar covers every year the
ledger holds (extended from the holidays package, or a warning where it has no
data), `policy calendar --refresh`, and repeat complaints by the time the customer
complained, whatever the order they are entered in."""

from __future__ import annotations

import json
from datetime import date

import pytest

from complaintctl import deadlines, settings


def events(run, kind: str) -> list[tuple]:
    return run.rows("SELECT complaint_id, data, old FROM events WHERE kind = ? ORDER BY id",
                    (kind,))


def setting(run, key: str) -> str | None:
    rows = run.rows("SELECT value FROM settings WHERE key = ?", (key,))
    return rows[0][0] if rows else None


def verified(run) -> None:
    result = run("verify")
    assert result.stdout.startswith("OK"), result.stdout


def dues(run, cid: str) -> dict[str, str]:
    return dict(run.rows("SELECT stage, due_at FROM stages WHERE complaint_id = ?", (cid,)))


# --- the calendar covers every year the ledger holds --------------------------------------

def test_a_complaint_back_dated_into_2013_counts_2013s_holidays(ledger):
    """The ledger was made in 2026 with 2016-2031; a complaint received on 30 Sep 2013
    extends the calendar with 2013-2015 from the holidays package (a `calendar` event
    in the same transaction), and its deadlines skip National Day week and count the
    make-up Saturday 12 Oct 2013."""
    assert setting(ledger, "calendar_years") == "2016-2031"
    result = ledger("log", "--customer", "华东电器", "--description", "异响", "--category",
                    "quality", "--severity", "medium", "--channel", "phone",
                    "--product", "XD-200", "--received", "2013-09-30 10:00")
    cid = result.stdout.strip()
    assert "assign by 2013-10-08 10:00; resolve by 2013-10-12 10:00" in result.stderr
    assert "Warning" not in result.stderr
    # Shanghai 10:00 is 02:00 UTC
    assert dues(ledger, cid) == {"assign": "2013-10-08T02:00:00Z",
                                 "resolve": "2013-10-12T02:00:00Z"}
    assert setting(ledger, "calendar_years") == "2013-2031"
    assert setting(ledger, "calendar_covered_from") == "2001"
    (none, data, old), = events(ledger, "calendar")
    data = json.loads(data)
    assert none is None and old is None
    assert data["years"] == [2013, 2014, 2015]
    assert "2013-10-01" in data["added"]["holiday"]
    assert "2013-10-12" in data["added"]["workday"]
    assert data["settings"]["calendar_years"] == "2013-2031"
    kinds = [k for (k,) in ledger.rows("SELECT kind FROM events ORDER BY id")]
    assert kinds == ["init", "calendar", "log"]
    # the Spring Festival of 2013: 9-15 Feb off, Sat 16 and Sun 17 Feb worked
    cid = ledger.log(received="2013-02-08 10:00", severity="low", customer="乙")
    assert dues(ledger, cid) == {"assign": "2013-02-16T02:00:00Z",
                                 "resolve": "2013-02-27T02:00:00Z"}
    assert len(events(ledger, "calendar")) == 1  # covered now
    verified(ledger)


def test_a_step_in_a_year_past_the_calendar_extends_it(run, monkeypatch):
    """A ledger whose calendar ends with the year it was made in (2025-2026 here):
    a step with --at in its last year needs the next one (a deadline may fall
    there), so the step's transaction extends it, recorded before the step's event."""
    monkeypatch.setattr(settings, "CALENDAR_YEARS_BACK", 1)
    monkeypatch.setattr(settings, "CALENDAR_YEARS_AHEAD", 0)
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    assert setting(run, "calendar_years") == "2025-2026"
    cid = run.log(received="2025-12-30 10:00")
    assert [k for (k,) in run.rows("SELECT kind FROM events ORDER BY id")] == ["init", "log"]
    result = run("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at",
                 "2026-01-05 09:00")
    assert "Warning" not in result.stderr  # 2026 has official data
    assert [k for (k,) in run.rows("SELECT kind FROM events ORDER BY id")] == \
        ["init", "log", "calendar", "assign"]
    assert setting(run, "calendar_years") == "2025-2027"
    verified(run)


def test_a_year_the_package_has_no_data_for_is_warned_of(ledger):
    """1998 is before the make-up working days the holidays package knows for China
    (2001-2026): the calendar is extended (rule-based holidays) and the clerk is
    warned, in English and in Chinese; every later complaint there warns again."""
    result = ledger("log", "--customer", "甲", "--description", "x", "--category", "quality",
                    "--severity", "medium", "--channel", "phone", "--received",
                    "1998-10-10 10:00")
    assert ("Warning: the holidays package has no official CN calendar for 1998: deadlines "
            "there count weekends and rule-based holidays only") in result.stderr
    assert result.stderr.count("1998") >= 2
    assert setting(ledger, "calendar_years") == "1998-2031"
    result = ledger("--lang", "zh", "log", "--customer", "乙", "--description", "x",
                    "--category", "quality", "--severity", "medium", "--channel", "phone",
                    "--received", "1998-11-10 10:00")
    assert "1998" in result.stderr and "holidays" in result.stderr
    assert "Warning" not in result.stderr
    assert len(events(ledger, "calendar")) == 1
    # a deadline warning for a year past the data still speaks of the deadline
    cid = ledger.log(received="2026-11-20 10:00", severity="low")
    assert dues(ledger, cid)["resolve"] < "2027"
    verified(ledger)


def test_a_demo_with_a_seed_it_holds_already_is_refused(run):
    """A second `demo` into its own file, with the same seed (the default): every
    complaint came in again as its own twin, received at the same instant and linked as
    its repeat, and the repeat rate doubled without a word. A seed given that it holds is
    refused, the file as it was; without one, the next seed it does not hold is taken,
    and said."""
    import sqlite3

    def counts() -> list[tuple[int, ...]]:
        conn = sqlite3.connect(run.db)
        try:
            return [conn.execute(sql).fetchone() for sql in (
                "SELECT count(*) FROM complaints", "SELECT count(*) FROM events")]
        finally:
            conn.close()

    run("demo", "--complaints", "50", "--db", run.db)
    before = counts()
    r = run("demo", "--complaints", "50", "--db", run.db, "--seed", "2026", code=1)
    assert r.stderr == (f"Error: {run.db} holds the demo's complaints of seed 2026 already: "
                        "the same again would each be its twin\nHint: leave --seed out to add "
                        "others (with the next seed it does not hold), or make a new file: "
                        "complaintctl demo --db NEW.db\n"), r.stderr
    assert counts() == before
    r = run("demo", "--complaints", "50", "--db", run.db)  # as the spec writes it
    assert "  added with seed 2027: the ledger holds the demo's complaints of the seeds " \
        "before it\n" in r.stderr, r.stderr
    assert "added with seed" not in run("demo", "--complaints", "5", "--db", run.db,
                                        "--seed", "9").stderr
    conn = sqlite3.connect(run.db)
    assert conn.execute("SELECT count(*) FROM complaints").fetchone() == (105,)
    assert conn.execute("SELECT count(*) FROM complaints c JOIN complaints p ON p.id = "
                        "c.repeat_of AND p.received_at = c.received_at").fetchone() == (0,)
    assert conn.execute("SELECT json_extract(data, '$.seed') FROM events WHERE kind = 'demo' "
                        "ORDER BY id").fetchall() == [(2026,), (2027,), (9,)]
    conn.close()


def test_the_demo_warns_of_the_calendar_as_import_does(run):
    """The demo writes through the bulk writer and prints its calendar warnings in
    import's words, after its summary: on a demo ledger whose calendar has official
    data up to 2025 only, its steps in 2026 and its deadlines in working days in 2026
    (not the 90-day second revisits in 2027: calendar days need no calendar)."""
    import sqlite3

    from complaintctl.complaints import deadline_warning, gap_warning

    run("demo", "--complaints", "5", "--db", run.db)
    conn = sqlite3.connect(run.db)
    conn.execute("UPDATE settings SET value = '2025' WHERE key = 'calendar_covered_until'")
    conn.commit()
    conn.close()
    result = run("demo", "--complaints", "300", "--db", run.db, "--seed", "7")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Demo ledger: ")
    assert lines[2:4] == ["Warning: " + w for w in (
        gap_warning(2026, "CN"), deadline_warning(2026, "CN", True))]
    assert lines[4] == "Try:"
    assert sum("Warning" in line for line in lines) == 2


def test_a_refused_log_leaves_the_calendar_as_it_was(ledger):
    """The extension is part of the step's transaction: a refusal undoes it."""
    before = ledger.snapshot()
    result = ledger("log", "--customer", "甲", "--description", "x", "--category",
                    "weather", "--severity", "medium", "--channel", "phone",
                    "--received", "2013-09-30 10:00", code=2)
    assert "weather" in result.stderr
    assert ledger.snapshot() == before
    result = ledger("log", "--customer", "甲", "--description", "x", "--category",
                    "quality", "--severity", "medium", "--channel", "phone",
                    "--received", "2036-09-30 10:00", code=2)
    assert "future" in result.stderr
    assert ledger.snapshot() == before


# --- policy calendar --refresh ------------------------------------------------------------

def _older_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """The holidays package as it was before it knew 2026's National Day: without its
    days off after 1 Oct and its make-up Saturday."""
    real = deadlines.load_country_calendar

    def older(country: str, years: range):
        found, workdays, weekend, covered = real(country, years)
        found = {d: n for d, n in found.items() if not date(2026, 10, 2) <= d <= date(2026, 10, 8)}
        return found, {d for d in workdays if d != date(2026, 10, 10)}, weekend, covered

    monkeypatch.setattr(deadlines, "load_country_calendar", older)


@pytest.mark.parametrize("country", ["CN", "TW", "HK"])
def test_refresh_of_a_new_ledger_records_nothing(run, country):
    """A new ledger stored no first year of official data, and its first --refresh
    recorded a `calendar` event that added and removed nothing (the package the same)."""
    run("init", "--country", country, "--timezone", "Asia/Shanghai")
    before = run.snapshot()
    result = run("policy", "calendar", "--refresh")
    assert "nothing changed" in result.stderr, result.stderr
    assert run.snapshot() == before


def test_refresh_takes_the_newest_data_and_keeps_deadlines_set(run, monkeypatch):
    """A ledger made with an older package: --refresh adds what the installed one
    knows, says what changed, records it as an event that verify replays; deadlines
    already set keep their dates; run again, it changes nothing and records nothing."""
    with monkeypatch.context() as patched:
        _older_package(patched)
        run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    cid = run.log(received="2026-09-30 10:00", severity="medium")
    set_before = dues(run, cid)
    assert set_before["resolve"] == "2026-10-08T02:00:00Z"  # the older calendar's count
    result = run("policy", "calendar", "--refresh")
    assert "added 1 make-up working day: 2026-10-10" in result.stderr
    assert ("added 5 public holidays: 2026-10-02, 2026-10-03, 2026-10-05, 2026-10-06, "
            "2026-10-07") in result.stderr
    assert "Deadlines already set keep their dates" in result.stderr
    (none, data, _old), = events(run, "calendar")
    data = json.loads(data)
    assert data["added"]["workday"] == ["2026-10-10"]
    assert len(data["added"]["holiday"]) == 5 and not data.get("removed")
    assert data["refresh"].startswith("holidays ")
    assert dues(run, cid) == set_before
    cid2 = run.log(received="2026-09-30 10:00", severity="medium", customer="乙")
    assert dues(run, cid2)["resolve"] == "2026-10-13T02:00:00Z"  # 8, 9, Sat 10, 12, 13
    verified(run)
    result = run("policy", "calendar", "--refresh")
    assert "nothing changed" in result.stderr
    assert len(events(run, "calendar")) == 1
    verified(run)


def test_refresh_alone(ledger):
    before = ledger.snapshot()
    result = ledger("policy", "calendar", "--refresh", "--add-holiday", "2026-12-01", code=2)
    assert "Error: give --refresh alone" in result.stderr
    result = ledger("policy", "calendar", "--refresh", "--country", "US", code=2)
    assert "Error: give --refresh alone" in result.stderr
    assert ledger.snapshot() == before


@pytest.mark.parametrize("twice", [("--add-holiday", "--add-workday"),
                                   ("--add-closure", "--remove")])
def test_a_day_given_two_kinds_at_once_is_refused(ledger, twice):
    """The last one won silently: 2026-12-28 a holiday, then a workday, exit 0."""
    before = ledger.snapshot()
    result = ledger("policy", "calendar", twice[0], "2026-12-28", twice[1], "2026-12-28",
                    code=2)
    assert result.stderr.startswith(f"Error: 2026-12-28 is given to both {twice[0]} and "
                                    f"{twice[1]}\nHint: a day is one kind of day")
    assert ledger.snapshot() == before
    # the same day twice in one option is one day
    ledger("policy", "calendar", "--add-holiday", "2026-12-28", "--add-holiday", "2026-12-28")


def test_a_tampered_calendar_setting_fails_verify(ledger):
    """verify replays the calendar's settings its events recorded."""
    ledger.log(received="2013-09-30 10:00")
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE settings SET value = '2014-2031' WHERE key = 'calendar_years'")
    conn.commit()
    conn.close()
    result = ledger("verify", code=1)
    assert "calendar_years" in result.stdout + result.stderr


# --- repeats by the time the customer complained ------------------------------------------

def test_a_repeat_entered_out_of_order_links_both_ways(ledger):
    """B (received 20 Oct) is entered first; A (received 1 Oct, same customer and
    product) entered later repeats nothing earlier, and B now repeats A: its
    repeat_of is set, with a repeat-link event on B recording the old value. A0
    (15 Sep) entered last: A now repeats A0, and B keeps A (the later one)."""
    b = ledger.log(received="2026-10-20 10:00")
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (b,)) == [(None,)]
    result = ledger("log", "--customer", "华东电器有限公司", "--description", "电机异响",
                    "--category", "quality", "--severity", "medium", "--channel", "phone",
                    "--product", "XD-200", "--received", "2026-10-01 10:00")
    a = result.stdout.strip()
    assert (f"Warning: {b}, received after this within the repeat window (90 d), now "
            f"repeats {a}; linked") in result.stderr
    assert ledger.rows("SELECT id, repeat_of FROM complaints ORDER BY id") == [
        (b, a), (a, None)]
    (on, data, old), = events(ledger, "repeat-link")
    assert (on, json.loads(data), json.loads(old)) == (b, {"repeat_of": a}, {})
    result = ledger("log", "--customer", "华东电器有限公司", "--description", "电机异响",
                    "--category", "quality", "--severity", "medium", "--channel", "phone",
                    "--product", "XD-200", "--received", "2026-09-15 10:00")
    a0 = result.stdout.strip()
    assert f"{a}, received after this within the repeat window (90 d), now repeats {a0}" \
        in result.stderr
    assert b not in result.stderr
    assert dict(ledger.rows("SELECT id, repeat_of FROM complaints")) == {
        b: a, a: a0, a0: None}
    assert len(events(ledger, "repeat-link")) == 2
    show = ledger.json("show", b)
    assert show["repeat_of"] == a
    assert "linked as a repeat" in ledger("show", b).stdout
    verified(ledger)


def test_what_is_not_a_repeat(ledger):
    """Another product, another customer, received more than the window after, or
    void (a void complaint is not relinked): not linked, either way."""
    later = ledger.log(received="2026-10-20 10:00")
    void = ledger.log(received="2026-10-25 10:00")  # repeats `later`
    ledger("void", void, "--reason", "logged twice", "--at", "2026-10-25 11:00")
    mid = ledger.log(received="2026-10-22 10:00")  # repeats `later`; `void` keeps it
    other_product = ledger.log(received="2026-10-01 10:00", product="PS-5")
    other_customer = ledger.log(received="2026-10-01 10:00", customer="别的公司")
    early = ledger.log(received="2026-07-01 10:00")  # 111 days before `later`
    assert dict(ledger.rows("SELECT id, repeat_of FROM complaints")) == {
        later: None, void: later, mid: later, other_product: None, other_customer: None,
        early: None}
    assert events(ledger, "repeat-link") == []
    verified(ledger)


def test_a_repeat_is_the_same_customer_and_product_however_the_clerk_typed_them(ledger):
    """The repeat check matched customer and product exactly: ACME Ltd. and Acme Ltd,
    华东电器 有限公司 and 华东电器有限公司, xd-200 and XD 200 were no repeat of each other.
    Letter case, spaces and a customer's punctuation aside, they are now; a product's
    dots and slashes are kept (M1/2 is not M12). An amendment moves the link by the same
    key; `verify` finds a key that is not the customer's and product's."""
    a = ledger.log(customer="华东电器有限公司", product="XD-200", received="2026-10-01 10:00")
    result = ledger("log", "--customer", "华东电器 有限公司", "--description", "又响了",
                    "--category", "quality", "--severity", "medium", "--channel", "phone",
                    "--product", "xd 200", "--received", "2026-10-10 10:00")
    b = result.stdout.strip()
    assert ("Warning: repeat complaint: 华东电器 有限公司 complained about xd 200 within 90 "
            f"days in {a}; linked\nWarning: {a} has them as '华东电器有限公司' and 'XD-200': "
            "the repeat check takes letter case, spaces and a name's punctuation as the same"
            ) in result.stderr, result.stderr
    c = ledger.log(customer="Acme Ltd.", product="PS-5", received="2026-10-02 10:00")
    d = ledger.log(customer="ACME LTD", product="ps5", received="2026-10-03 10:00")
    same = ledger.log(customer="ACME LTD", product="ps5", received="2026-10-03 11:00")
    told = ledger("log", "--customer", "ACME LTD", "--description", "again", "--category",
                  "quality", "--severity", "medium", "--channel", "phone", "--product", "ps5",
                  "--received", "2026-10-03 12:00")
    again = told.stdout.strip()
    assert f"repeat complaint: ACME LTD complained about ps5 within 90 days in {same}" \
        in told.stderr, told.stderr
    assert "has them as" not in told.stderr, told.stderr  # (spelt the same: not said)
    e = ledger.log(customer="Acme", product="M1/2", received="2026-10-04 10:00")
    f = ledger.log(customer="Acme", product="M12", received="2026-10-05 10:00")
    assert links(ledger) == {a: None, b: a, c: None, d: c, same: d, again: same, e: None,
                             f: None}
    assert ledger.json("show", a)["repeated_by"] == [b]
    result = ledger("amend", b, "--product", "PS-5", "--reason", "型号记错")
    assert f"{b} no longer repeats an earlier complaint; unlinked" in result.stderr
    result = ledger("amend", b, "--product", "XD200", "--reason", "型号改回")
    assert f"{b} now repeats {a}; linked" in result.stderr, result.stderr
    assert links(ledger)[b] == a
    verified(ledger)
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET repeat_key = 'x' || char(27) || '[2J' || "
                     "char(8238) WHERE id = ?", (d,))
    conn.close()
    result = ledger("verify", code=1)
    found = [line.split() for line in result.stdout.splitlines()[1:]]
    # (a value written by hand is shown escaped: no control character reaches a terminal)
    assert found == [["repeat_key", d, "x\\x1b[2J\\u202e", "acmeltd\\x1fps5", "the",
                      "complaint's",
                      "repeat", "key", "is", "not", "its", "customer's", "and", "product's"]]


def test_the_repeat_window_is_set_by_policy_repeat_window(ledger):
    """SPEC: repeats within the last 90 days (configurable); no command set it (`policy
    set repeat all 60d` was refused as a stage, with did-you-mean reopen). Set, it
    applies to complaints logged from then on; a link made before stays; verify checks
    the setting against its event; bad values are refused with the ledger unchanged."""
    a = ledger.log(received="2026-07-01 10:00")
    b = ledger.log(received="2026-09-15 10:00")  # 76 days after a: a repeat within 90
    before = ledger.snapshot()
    for value, said in (("3wd", "Error: cannot read repeat window '3wd'\nHint: give "
                                "calendar days, e.g. 60, 60d or 60天"),
                        ("0", "Error: DAYS '0' is out of range\nHint: a whole number of "
                              "days from 1 to 3650"),
                        ("９９９９", "Error: DAYS '９９９９' is out of range"),
                        ("99999", "Error: DAYS '99999' is out of range")):
        assert ledger("policy", "repeat-window", value, code=2).stderr.startswith(said)
    r = ledger("policy", "set", "repeat", "all", "60d", code=2)
    assert r.stderr == ("Error: the repeat window is not a stage's deadline\nHint: set it "
                        "with: complaintctl policy repeat-window DAYS (e.g. 60d)\n")
    assert ledger.snapshot() == before
    assert ledger("policy", "repeat-window").stdout == "90 days\n"
    r = ledger("policy", "repeat-window", "６０天")
    assert "Repeat window 90 → 60 days, for complaints logged from now on" in r.stderr
    assert "already 60 days" in ledger("policy", "repeat-window", "60").stderr
    assert "Repeat window 60 → 1 day," in ledger("policy", "repeat-window", "1").stderr
    assert ledger("policy", "repeat-window").stdout == "1 day\n"
    ledger("policy", "repeat-window", "60")
    assert "repeat window 60 days" in ledger("policy", "show").stdout
    c = ledger.log(received="2026-11-10 10:00")  # 56 days after b: a repeat within 60
    d = ledger.log(received="2026-09-01 10:00", product="PS-5")
    e = ledger.log(received="2026-11-01 10:00", product="PS-5")  # 61 days after d: none
    assert links(ledger) == {a: None, b: a, c: b, d: None, e: None}
    (data, old), *_after = ledger.rows("SELECT data, old FROM events WHERE kind = "
                                       "'repeat-window' ORDER BY id")
    assert (json.loads(data), json.loads(old)) == ({"repeat_window_days": 60},
                                                   {"repeat_window_days": 90})
    verified(ledger)
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE settings SET value = '365' WHERE key = 'repeat_window_days'")
    conn.close()
    r = ledger("verify", code=1)
    assert "repeat_window_days" in r.stdout and "the setting is not what its events set" \
        in r.stdout, r.stdout


def test_a_link_made_under_a_longer_window_is_worked_out_again(ledger):
    """b repeats a (76 days apart, within 90); the window shortened to 60, a void of a
    and an amendment of c's customer left b repeating the voided a and d repeating
    Carl's complaint: a relink looked only as far as the window after the one that
    moved. Those that repeat it are worked out again too."""
    a = ledger.log(received="2026-07-01 10:00")
    b = ledger.log(received="2026-09-15 10:00")
    c = ledger.log(customer="Bob", received="2026-07-01 10:00")
    d = ledger.log(customer="Bob", received="2026-09-15 10:00")
    assert links(ledger) == {a: None, b: a, c: None, d: c}
    ledger("policy", "repeat-window", "60")
    r = ledger("void", a, "--reason", "录错")
    assert f"{b} no longer repeats an earlier complaint; unlinked" in r.stderr, r.stderr
    r = ledger("amend", c, "--customer", "Carl", "--reason", "客户记错")
    assert f"{d} no longer repeats an earlier complaint; unlinked" in r.stderr, r.stderr
    assert links(ledger) == {a: None, b: None, c: None, d: None}
    verified(ledger)


def links(run) -> dict[str, str | None]:
    return dict(run.rows("SELECT id, repeat_of FROM complaints"))


def test_voiding_the_earlier_one_relinks_its_repeats(ledger):
    """A0 (15 Sep), A (1 Oct), B (20 Oct) and C (22 Oct): A repeats A0, B repeats A,
    C repeats B. A was logged by mistake: voiding it links B to A0 (the latest
    earlier one not void), with a repeat-link event recording the old link and a
    warning; C keeps B. Voiding A0 then leaves B repeating nothing. The repeat rate of
    October follows; the rollups and the chain verify."""
    a0 = ledger.log(received="2026-09-15 10:00")
    a = ledger.log(received="2026-10-01 10:00")
    b = ledger.log(received="2026-10-20 10:00")
    c = ledger.log(received="2026-10-22 10:00")
    assert links(ledger) == {a0: None, a: a0, b: a, c: b}
    before = ledger.json("report", "--month", "2026-10")["repeat_rate"]
    result = ledger("void", a, "--reason", "logged twice", "--at", "2026-10-01 11:00")
    assert f"Warning: {b} now repeats {a0}; linked" in result.stderr
    assert links(ledger) == {a0: None, a: a0, b: a0, c: b}
    # the voided one keeps its link, set aside: show does not count it a repeat of A0
    assert ledger.json("show", a0)["repeated_by"] == [b]
    (on, data, old), = events(ledger, "repeat-link")
    assert (on, json.loads(data), json.loads(old)) == (b, {"repeat_of": a0}, {"repeat_of": a})
    result = ledger("void", a0, "--reason", "test entry", "--at", "2026-09-15 11:00")
    assert f"Warning: {b} no longer repeats an earlier complaint; unlinked" in result.stderr
    assert links(ledger) == {a0: None, a: a0, b: None, c: b}
    # the history says which way each link went (an unlink read "linked as a repeat")
    steps = [line for line in ledger("show", b, "--format", "markdown").stdout.splitlines()
             if "repeat" in line and "|" in line]
    assert [("linked as a repeat" in x, "no longer a repeat" in x) for x in steps[-2:]] == [
        (True, False), (False, True)], steps
    after = ledger.json("report", "--month", "2026-10")["repeat_rate"]
    assert before != after
    verified(ledger)


def test_amending_customer_product_or_received_time_moves_the_links(ledger):
    """A (1 Oct) and B (20 Oct) of XD-200: B repeats A. A's product was mistyped and is
    PS-5: B no longer repeats it, and A now repeats P (PS-5, 10 Sep). Amended back to
    XD-200 and received 25 Oct (after B), A now repeats B, and B still repeats
    nothing. Each changed link is a repeat-link event; the chain verifies."""
    p = ledger.log(received="2026-09-10 10:00", product="PS-5")
    a = ledger.log(received="2026-10-01 10:00")
    b = ledger.log(received="2026-10-20 10:00")
    assert links(ledger) == {p: None, a: None, b: a}
    result = ledger("amend", a, "--product", "PS-5", "--reason", "mistyped")
    assert f"{b} no longer repeats an earlier complaint; unlinked" in result.stderr
    assert f"{a} now repeats {p}; linked" in result.stderr
    assert links(ledger) == {p: None, a: p, b: None}
    ledger("amend", a, "--product", "XD-200", "--received", "2026-10-25 10:00",
           "--reason", "the register had it right")
    assert links(ledger) == {p: None, a: b, b: None}
    assert [(on, json.loads(d)) for on, d, _o in events(ledger, "repeat-link")] == [
        (b, {}), (a, {"repeat_of": p}), (a, {"repeat_of": b})]  # None is left out
    verified(ledger)


@pytest.mark.parametrize("window", ["30"])
def test_the_window_is_the_ledgers(ledger, window):
    """repeat_window_days as the ledger has it, after as before."""
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE settings SET value = ? WHERE key = 'repeat_window_days'", (window,))
    conn.commit()
    conn.close()
    b = ledger.log(received="2026-10-20 10:00")
    ledger.log(received="2026-09-01 10:00")  # 49 days before: outside 30
    c = ledger.log(received="2026-09-25 10:00")  # 25 days before: inside
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (b,)) == [(c,)]


def test_amend_of_the_received_time_into_2013_extends_the_calendar(ledger):
    """`amend --received` recomputes the open stages' deadlines: in 2013's calendar."""
    cid = ledger.log(received="2016-03-01 10:00")
    ledger("amend", cid, "--received", "2013-09-30 10:00", "--reason", "typo")
    assert dues(ledger, cid) == {"assign": "2013-10-08T02:00:00Z",
                                 "resolve": "2013-10-12T02:00:00Z"}
    assert [k for (k,) in ledger.rows("SELECT kind FROM events ORDER BY id")] == \
        ["init", "log", "calendar", "amend"]
    verified(ledger)


def test_a_received_time_after_the_first_entry_names_it(ledger):
    """A note taken before the corrected received time was called "the complaint's
    first step"; a note is no step: named as a note."""
    cid = ledger.log(received="2026-11-02 09:00")
    ledger("note", cid, "--text", "客户来电", "--at", "2026-11-02 10:00")
    before = ledger.snapshot()
    r = ledger("amend", cid, "--received", "2026-11-02 11:00", "--reason", "录错", code=2)
    assert r.stderr == ("Error: --received is after the complaint's first note "
                        "(2026-11-02 10:00)\nHint: a complaint is received before anything "
                        "is recorded on it: give a time no later than that\n"), r.stderr
    assert ledger.snapshot() == before
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-02 09:30")
    r = ledger("amend", cid, "--received", "2026-11-02 09:45", "--reason", "录错", code=2)
    assert r.stderr.startswith("Error: --received is after the complaint's first step "
                               "(2026-11-02 09:30)"), r.stderr
    assert ledger.rows("SELECT received_at FROM complaints WHERE id = ?", (cid,)) == [
        ("2026-11-02T01:00:00Z",)]


def test_amend_of_the_received_time_says_the_done_stages_keep_their_deadlines(ledger):
    """The received time corrected earlier after the complaint was assigned and resolved:
    show's intake said the new time while its assign and resolve stages, done, kept the
    deadlines of the old one (a resolution late by the corrected time counted on time),
    and nothing said so. Kept (a deadline promised stays as it was) and said."""
    cid = ledger.log(severity="high", received="2026-11-02 09:30")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-02 14:30")
    before = ledger.rows("SELECT stage, due_at, done_at FROM stages WHERE done_at IS NOT NULL")
    r = ledger("amend", cid, "--received", "2026-11-01 16:00", "--reason", "受理时间录错")
    assert (f"Warning: {cid}: its assign stage, done already, keeps the deadline set from the "
            "received time before (2026-11-02 09:30): whether it was on time is still judged "
            "by it\n") in r.stderr, r.stderr
    assert ledger.rows("SELECT stage, due_at, done_at FROM stages WHERE done_at IS NOT NULL"
                       ) == before
    # corrected again: still kept, from the time it was set from (it said nothing, the
    # stage no longer starting at the time this correction corrects)
    r = ledger("amend", cid, "--received", "2026-11-01 15:00", "--reason", "再改")
    assert (f"Warning: {cid}: its assign stage, done already, keeps the deadline set from the "
            "received time before (2026-11-02 09:30)") in r.stderr, r.stderr
    # stages set from different received times are each said with their own
    ledger("investigate", cid, "--cause", "焊点", "--at", "2026-11-03 10:00")
    ledger("resolve", cid, "--disposition", "repair", "--summary", "修好", "--at",
           "2026-11-04 10:00")
    r = ledger("amend", cid, "--received", "2026-11-01 14:00", "--reason", "又改")
    assert (f"Warning: {cid}: its assign stage, done already, keeps the deadline set from the "
            "received time before (2026-11-02 09:30)") in r.stderr, r.stderr
    assert (f"Warning: {cid}: its resolve stage, done already, keeps the deadline set from "
            "the received time before (2026-11-01 15:00)") in r.stderr, r.stderr
    # and back to the time the assign stage's was set from: nothing to say of it
    r = ledger("amend", cid, "--received", "2026-11-02 09:30", "--reason", "原来是对的")
    assert "its assign stage" not in r.stderr, r.stderr
    assert "its resolve stage, done already" in r.stderr, r.stderr
    # assigned at the instant it was received (an import's [dates]): its investigate
    # stage started then too, but its deadline never hung on the received time
    other = ledger.log(severity="high", received="2026-11-03 09:30")
    ledger("assign", other, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-03 09:30")
    ledger("investigate", other, "--cause", "焊点", "--at", "2026-11-03 10:00")
    r = ledger("amend", other, "--received", "2026-11-03 08:00", "--reason", "录错")
    assert f"Warning: {other}: its assign stage, done already" in r.stderr, r.stderr
    verified(ledger)


def test_a_name_typed_in_full_width_or_with_double_spaces_is_the_same_name(ledger):
    """ＫＦＲ－３５ 空调 (an input method left on full width), KFR-35  空调 (two spaces) and
    KFR-35 空调 were three products in the report and no repeat of each other; a
    filter typed in full width found nothing. Names are read as half-width, spaces
    as one; Chinese punctuation stays as typed."""
    first = ledger.log(customer="Acme Ltd", product="KFR-35 空调", received="2026-11-01 09:00")
    second = ledger.log(customer="Ａｃｍｅ  Ｌｔｄ", product="ＫＦＲ－３５ 空调",
                        received="2026-11-02 09:00")
    third = ledger.log(customer="Acme Ltd", product="KFR-35\u3000\u3000空调",
                       received="2026-11-03 09:00")
    assert ledger.rows("SELECT id, customer, product, repeat_of FROM complaints ORDER BY id") == [
        (first, "Acme Ltd", "KFR-35 空调", None), (second, "Acme Ltd", "KFR-35 空调", first),
        (third, "Acme Ltd", "KFR-35 空调", second)]
    assert [r["id"] for r in ledger.json("list", "--product", "ＫＦＲ－３５")] == [
        third, second, first]
    (row,) = ledger.json("report", "--month", "2026-11")["by_product"]
    assert (row["key"], row["count"]) == ("KFR-35 空调", 3)
    other = ledger.log(customer="华东（上海）", product="XD-200", received="2026-11-04 09:00")
    assert ledger.rows("SELECT customer FROM complaints WHERE id = ?", (other,)) == [
        ("华东（上海）",)]
    ledger("amend", other, "--lot", "Ｌ２６１１", "--reason", "批号")
    assert ledger.rows("SELECT lot FROM complaints WHERE id = ?", (other,)) == [("L2611",)]


def test_a_calendar_names_its_country_in_the_readers_language(run):
    """In Chinese the country was named in English ("日历现在按 HK（Hongkong）"), and
    Hong Kong as the package's module spells it in English too."""
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    assert "calendar is now HK (Hong Kong)" in run("policy", "calendar", "--country",
                                                   "HK").stderr
    zh = run("--lang", "zh", "policy", "calendar", "--country", "CN").stderr
    assert "日历现在按 CN（中国）" in zh, zh
    zh = run("--lang", "zh", "policy", "calendar", "--country", "CN").stderr
    assert "日历已是 CN（中国），未作更改" in zh, zh
    zh = run("--lang", "zh", "policy", "calendar", "--country", "DE-BW").stderr
    assert "DE-BW（德国，BW）" in zh, zh


def test_a_calendar_names_its_country_and_takes_a_state(run):
    """BW typed for Baden-Württemberg gave Botswana's working days, said only as "calendar
    is now BW"; DE-BW (a country and its state) was refused, so Stuttgart's deadlines
    counted Fronleichnam and Allerheiligen as working days."""
    run("init", "--country", "DE", "--timezone", "Europe/Berlin", "--currency", "EUR")
    assert "calendar is now BW (Botswana)" in run("policy", "calendar", "--country",
                                                  "BW").stderr
    assert "calendar is now DE-BW (Germany, BW)" in run("policy", "calendar", "--country",
                                                        "de-bw").stderr
    days = {d["day"]: d["name"] for d in run.json("policy", "calendar", "--year", "2027",
                                                  "--format", "json")}
    assert days["2027-11-01"] == "All Saints' Day" and days["2027-05-27"] == "Corpus Christi"
    assert "calendar is now DE (Germany)" in run("policy", "calendar", "--country",
                                                  "DE-").stderr  # (not a calendar "DE-")
    run("policy", "calendar", "--country", "DE-BW")
    r = run("policy", "calendar", "--country", "DE-XX", code=2)
    assert "unknown country calendar 'DE-XX'" in r.stderr and "e.g. DE-BW" in r.stderr
    # a deadline in working days steps over the state's holiday: Wed 3 June 2026 10:00
    # + 1 wd is Fri 5 June (Thu 4 June is Fronleichnam there)
    run("policy", "set", "assign", "high", "1wd")
    cid = run("log", "--customer", "Müller GmbH", "--description", "x", "--channel", "phone",
              "--category", "quality", "--severity", "high", "--received",
              "2026-06-03 10:00").stdout.strip()
    assert run.json("show", cid)["deadlines"]["assign"] == "2026-06-05T08:00:00Z"
    assert run("verify").stdout.startswith("OK")


def test_a_second_resolution_says_the_amount_and_approver_it_replaced(ledger):
    """The second round's resolve line said "disposition: refund → compensation" but
    "amount: 300.00 CNY; approved by: 总经理" without the 1,250.50 and 质量经理 of the
    round before, which an auditor compares; then said them as "old → new", which a
    supervisor read as the refund corrected into a compensation (both were paid)."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    ledger("resolve", cid, "--disposition", "refund", "--amount", "1250.50", "--approved-by",
           "质量经理", "--summary", "退款", "--at", "2026-10-09 09:00")
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 15:00")
    ledger("investigate", cid, "--cause", "扭矩不足", "--at", "2026-10-10 09:00")
    ledger("resolve", cid, "--disposition", "compensation", "--amount", "300",
           "--approved-by", "总经理", "--summary", "赔偿", "--at", "2026-10-10 10:00")
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-10 15:00")
    ledger("investigate", cid, "--cause", "扭矩不足", "--at", "2026-10-11 09:00")
    ledger("resolve", cid, "--disposition", "explanation", "--summary", "说明",
           "--at", "2026-10-11 10:00")
    events = ledger.json("show", cid)["events"]
    resolves = [e for e in events if e["kind"] == "resolve"]
    assert [e.get("old") for e in resolves] == [
        {"status": "investigating"},
        {"status": "investigating", "disposition": "refund", "amount": "1250.50",
         "currency": "CNY", "approved_by": "质量经理"},
        {"status": "investigating", "disposition": "compensation", "amount": "300.00",
         "currency": "CNY", "approved_by": "总经理"}], resolves
    out = ledger("show", cid).stdout
    flat = " ".join(out.split())
    # each round's decision as its own, with the one before it, not as a correction
    # ("refund → compensation" read as the refund changed into a compensation: both paid)
    assert ("disposition: compensation; amount: 300.00 CNY; approved by: 总经理; customer "
            "told: 赔偿; round 1 was: refund, 1,250.50 CNY, approved by 质量经理") in flat, out
    assert ("disposition: explanation; customer told: 说明; round 2 was: compensation, "
            "300.00 CNY, approved by 总经理") in flat, out
    assert "→ compensation" not in flat and "was amount" not in flat, out
    zh = "".join(ledger("--lang", "zh", "show", cid).stdout.split())
    assert "第1轮为：退款、¥1,250.50、批示人质量经理" in zh, zh


def test_a_received_time_is_not_amended_after_the_complaint_was_logged_nor_ahead(ledger,
                                                                                 monkeypatch):
    """A complaint logged on 11-02 with no step yet took --received 11-04 (received two
    days after it was typed in: a report or overdue --as-of between the two left out a
    complaint in the ledger then); a received time ahead of the clock was answered with
    log's hint, "leave --received out to record it now", which records nothing."""
    from datetime import datetime, timezone

    from complaintctl import cli
    from complaintctl import run as run_module

    logged = datetime(2026, 11, 2, 1, tzinfo=timezone.utc)  # 09:00 in Shanghai
    monkeypatch.setattr(cli, "_now", lambda: logged)
    monkeypatch.setattr(run_module, "_now", lambda: logged)
    cid = ledger.log()
    later = datetime(2026, 11, 5, 1, tzinfo=timezone.utc)
    monkeypatch.setattr(cli, "_now", lambda: later)
    monkeypatch.setattr(run_module, "_now", lambda: later)
    before = ledger.snapshot()
    r = ledger("amend", cid, "--received", "2026-11-04 09:00", "--reason", "改", code=2)
    assert r.stderr == ("Error: --received 2026-11-04 09:00 is after the complaint was logged "
                        "(2026-11-02 09:00)\nHint: give the time it was received, no later "
                        "than it was logged\n"), r.stderr
    r = ledger("amend", cid, "--received", "2026-11-06 09:00", "--reason", "改", code=2)
    assert r.stderr == ("Error: --received 2026-11-06 09:00 is in the future\nHint: give the "
                        "time it was received\n"), r.stderr
    assert ledger.snapshot() == before
    ledger("amend", cid, "--received", "2026-11-01 17:00", "--reason", "前一天下班前来电")
    assert ledger.rows("SELECT received_at FROM complaints WHERE id = ?", (cid,)) == [
        ("2026-11-01T09:00:00Z",)]
