"""Reports against a small ledger whose every figure is worked out by hand.

All times Asia/Shanghai, CN calendar (1-7 Oct 2026 holidays, Sat 10 Oct a
make-up working day). The October story:

A  medium quality phone, 华东/P1, received Thu 8 Oct 09:00; assigned 10:00 (due
   9 Oct 09:00, on time); cause found 9 Oct 10:00 (due 12 Oct 10:00, on time); a
   return of 5 (3 arrive), a CAPA item; resolved 12 Oct 09:00 (due 14 Oct, on
   time); revisit satisfied 12 Oct 15:00 (due 13 Oct 09:00): closed. 4.0 days.
B  high delivery email, Acme/P2, received Tue 20 Oct 09:00; assigned 15:00 (due
   13:00: late); not upheld 21 Oct 09:00 (due 22 Oct 15:00); resolved 23 Oct 09:00
   (due 23 Oct 09:00: on time, inclusive); revisit unsatisfied 26 Oct 09:00 (due
   26 Oct 09:00, on time): reopened, second resolve due 29 Oct 09:00; resolved
   again 30 Oct 09:00 (late); revisited 2 Nov. 10.0 days. A CAPA item never done.
C  low quality phone, 华东/P1 again on 28 Oct: a repeat of A; never assigned
   (assign due 29 Oct 09:00: late at the end of October).
D  received 5 Oct, voided the same day: not counted as received.
E  medium service, received Fri 25 Sep 10:00 (September); assigned 9 Oct 10:00
   (due 28 Sep: late); investigate due 13 Oct and resolve due 9 Oct: both late
   at the end of October.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from complaintctl.cli import app

REPORT_KEYS = {"period", "received", "resolved", "closed", "voided", "backlog", "by_category",
               "by_channel", "by_severity", "by_product", "by_customer", "by_department",
               "pareto_category", "pareto_cause", "handling_days", "on_time_rate", "on_time",
               "late_at_end", "satisfaction_rate", "reopen_rate", "repeat_rate",
               "not_upheld_rate", "capa", "returns", "previous_period", "year_to_date",
               "register"}


def _log(run, customer, product, severity, category, channel, received):
    return run("log", "--customer", customer, "--product", product, "--severity", severity,
               "--category", category, "--channel", channel, "--description", "x",
               "--received", received).stdout.strip()


@pytest.fixture
def history(ledger):
    run = ledger
    e = _log(run, "Zeta", "P3", "medium", "service", "web", "2026-09-25 10:00")
    d = _log(run, "Dup", "P9", "medium", "quality", "phone", "2026-10-05 09:00")
    run("void", d, "--reason", "logged twice", "--at", "2026-10-05 12:00")
    a = _log(run, "华东", "P1", "medium", "quality", "phone", "2026-10-08 09:00")
    run("assign", a, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-08 10:00")
    run("assign", e, "--dept", "客服部", "--owner", "Li", "--at", "2026-10-09 10:00")
    run("investigate", e, "--finding", "looking", "--at", "2026-10-09 11:00")
    run("investigate", a, "--cause", "扭矩", "--cause-category", "manufacturing",
        "--at", "2026-10-09 10:00")
    run("action", "add", a, "--text", "改作业指导书", "--owner", "王芳", "--due", "2026-10-20",
        "--at", "2026-10-09 11:00")
    rma = run("return", "open", a, "--qty", "5", "--at", "2026-10-09 12:00").stdout.strip()
    run("return", "receive", rma, "--qty", "3", "--at", "2026-10-10 09:00")
    run("return", "inspect", rma, "--result", "defect-confirmed", "--defective", "3",
        "--at", "2026-10-10 10:00")
    run("return", "dispose", rma, "--action", "scrap", "--qty", "2", "--cost", "100",
        "--at", "2026-10-12 10:00")
    run("return", "dispose", rma, "--action", "repair", "--qty", "1", "--repair-cost",
        "20.50", "--at", "2026-10-12 11:00")
    run("return", "close", rma, "--at", "2026-10-12 12:00")
    run("resolve", a, "--disposition", "exchange", "--summary", "换新", "--at",
        "2026-10-12 09:00")
    run("revisit", a, "--satisfaction", "satisfied", "--at", "2026-10-12 15:00")
    run("action", "done", "1", "--at", "2026-10-15 09:00")
    run("action", "verify", "1", "--at", "2026-10-25 09:00")
    b = _log(run, "Acme", "P2", "high", "delivery", "email", "2026-10-20 09:00")
    run("assign", b, "--dept", "物流部", "--owner", "Tom", "--at", "2026-10-20 15:00")
    run("investigate", b, "--not-upheld", "--reason", "in spec", "--at", "2026-10-21 09:00")
    run("action", "add", b, "--text", "培训", "--owner", "Tom", "--due", "2026-10-25",
        "--at", "2026-10-21 10:00")
    run("resolve", b, "--disposition", "explanation", "--summary", "解释", "--at",
        "2026-10-23 09:00")
    run("revisit", b, "--satisfaction", "unsatisfied", "--at", "2026-10-26 09:00")
    run("resolve", b, "--disposition", "explanation", "--summary", "再解释", "--at",
        "2026-10-30 09:00")
    run("revisit", b, "--satisfaction", "basically-satisfied", "--at", "2026-11-02 09:00")
    c = _log(run, "华东", "P1", "low", "quality", "phone", "2026-10-28 09:00")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "rma": rma}


def test_october_every_figure(ledger, history):
    rep = ledger.json("report", "--month", "2026-10")
    assert REPORT_KEYS <= set(rep)
    assert rep["period"]["from"] == "2026-10-01" and rep["period"]["to"] == "2026-10-31"
    assert rep["period"]["start_at"] == "2026-09-30T16:00:00Z"
    assert rep["period"]["end_at"] == "2026-10-31T16:00:00Z"
    assert (rep["received"], rep["resolved"], rep["closed"], rep["voided"]) == (3, 2, 1, 1)
    assert rep["backlog"] == {"start": 1, "end": 3, "change": 2}
    assert rep["by_category"] == [{"key": "quality", "count": 2, "share": 0.6667},
                                  {"key": "delivery", "count": 1, "share": 0.3333}]
    assert rep["by_channel"] == [{"key": "phone", "count": 2, "share": 0.6667},
                                 {"key": "email", "count": 1, "share": 0.3333}]
    # a scale, in its order (by count and code it read high, low, medium)
    assert [(r["key"], r["count"]) for r in rep["by_severity"]] == [("high", 1), ("medium", 1),
                                                                    ("low", 1)]
    assert [(r["key"], r["count"]) for r in rep["by_product"]] == [("P1", 2), ("P2", 1)]
    assert [(r["key"], r["count"]) for r in rep["by_customer"]] == [("华东", 2), ("Acme", 1)]
    depts = {r["key"]: r for r in rep["by_department"]}
    assert set(depts) == {"质量部", "物流部", "(none)"}
    assert (depts["质量部"]["count"], depts["质量部"]["resolved"],
            depts["质量部"]["on_time_rate"], depts["质量部"]["handling_days_mean"]) == (
        1, 1, 1.0, 4.0)
    assert (depts["物流部"]["resolved"], depts["物流部"]["on_time_rate"],
            depts["物流部"]["handling_days_mean"]) == (1, 0.5, 10.0)
    # what the rate is of: B resolved twice (reopened), once by its deadline
    assert (depts["物流部"]["resolves"], depts["物流部"]["resolves_on_time"]) == (2, 1)
    assert depts["(none)"]["resolved"] == 0 and depts["(none)"]["on_time_rate"] is None
    assert (depts["物流部"]["handling_days_median"], depts["物流部"]["handling_days_p90"],
            depts["(none)"]["handling_days_median"]) == (10.0, 10.0, None)
    assert rep["pareto_category"] == [
        {"key": "quality", "count": 2, "share": 0.6667, "cumulative_share": 0.6667},
        {"key": "delivery", "count": 1, "share": 0.3333, "cumulative_share": 1.0}]
    # every complaint concluded in October: b, not upheld, without a category under (none),
    # last of its count
    assert rep["pareto_cause"] == [
        {"key": "manufacturing", "count": 1, "share": 0.5, "cumulative_share": 0.5},
        {"key": "(none)", "count": 1, "share": 0.5, "cumulative_share": 1.0}]
    h = rep["handling_days"]
    assert (h["mean"], h["median"], h["p90"], h["count"]) == (7.0, 7.0, 10.0, 2)
    assert h["by_category"] == [
        {"key": "delivery", "count": 1, "mean": 10.0, "median": 10.0, "p90": 10.0},
        {"key": "quality", "count": 1, "mean": 4.0, "median": 4.0, "p90": 4.0}]
    # every stage, in order, null when none was done in the period (stable keys)
    assert list(rep["on_time_rate"].items()) == [
        ("assign", 0.3333), ("investigate", 1.0), ("resolve", 0.6667), ("revisit", 1.0),
        ("second-revisit", None), ("inspect", 1.0), ("dispose", 1.0)]
    # and what each is of: the stages done in October, and by their deadline
    assert rep["on_time"] == {
        "assign": {"done": 3, "on_time": 1}, "investigate": {"done": 2, "on_time": 2},
        "resolve": {"done": 3, "on_time": 2}, "revisit": {"done": 2, "on_time": 2},
        "second-revisit": {"done": 0, "on_time": 0}, "inspect": {"done": 1, "on_time": 1},
        "dispose": {"done": 1, "on_time": 1}}
    assert rep["late_at_end"] == 3
    assert (rep["satisfaction_rate"], rep["reopen_rate"], rep["repeat_rate"],
            rep["not_upheld_rate"]) == (0.5, 0.5, 0.3333, 0.5)
    # and what they are of: C repeats A among three received; B's investigation, one of
    # two concluded, not upheld
    assert (rep["repeats"], rep["received"], rep["not_upheld"], rep["concluded"]) == (1, 3, 1, 2)
    assert rep["capa"] == {"opened": 2, "done": 1, "verified": 1, "late": 1}
    # in CSV each a number beside the summary's sentence (it could not be summed)
    text = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                  "summary").stdout
    rows = dict(r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if len(r) == 2)
    assert [rows[f"CAPA items {k}"] for k in ("opened", "done", "verified", "late at the end "
                                              "(whenever opened)")] == ["2", "1", "1", "1"]
    assert rep["returns"] == {
        "authorised": 1, "authorised_quantity": 5, "quantity_received": 3, "discrepancies": 1,
        "by_disposition": [{"key": "scrap", "quantity": 2}, {"key": "repair", "quantity": 1}],
        "cost_of_loss": "100.00", "repair_cost": "20.50", "currency": "CNY"}
    # and the returns' figures (a sentence only: the workbook had them as numbers)
    assert [rows[k] for k in ("returns authorised", "quantity authorised", "quantity received",
                              "returns with a count discrepancy")] == ["1", "5", "3", "1"]
    p = rep["previous_period"]
    assert (p["from"], p["to"], p["received"], p["resolved"], p["closed"], p["voided"],
            p["received_change"]) == ("2026-09-01", "2026-09-30", 1, 0, 0, 0, 2.0)
    y = rep["year_to_date"]
    assert (y["received"], y["resolved"], y["closed"], y["voided"]) == (4, 2, 1, 1)
    reg = rep["register"]
    assert [r["id"] for r in reg] == [history["d"], history["a"], history["b"], history["c"]]
    a_line = reg[1]
    assert (a_line["customer"], a_line["product"], a_line["disposition"], a_line["result"],
            a_line["closed_at"]) == ("华东", "P1", "exchange", "closed (satisfied)",
                                     "2026-10-12T07:00:00Z")
    # (the satisfaction as its code too: a BI job parsed "closed (satisfied)" for it)
    assert (a_line["status"], a_line["satisfaction"]) == ("closed", "satisfied")
    assert reg[0]["result"] == "void" and reg[0]["satisfaction"] is None


def test_spellings_the_repeat_check_takes_as_one_are_one_row_by_customer_and_product(
        ledger, tmp_path):
    """The tables by customer and product split XD-200, xd200 and XD 200 (and Acme
    Ltd. / ACME LTD) into rows of their own, while the repeat rate took them as one:
    a Pareto split by spelling. Counted as one under the spelling counted most, the
    others named beside it (JSON `spellings`; CSV keeps the key as it is)."""
    for customer, product, day in (("Acme Ltd.", "XD-200", "02"), ("ACME LTD", "xd200", "03"),
                                   ("Acme Ltd.", "XD-200", "04"), ("华东", "XD 200", "05"),
                                   ("华东", "M1/2", "06"), ("华东", "M12", "07")):
        _log(ledger, customer, product, "low", "quality", "phone", f"2026-10-{day} 09:00")
    rep = ledger.json("report", "--month", "2026-10")
    assert rep["by_product"] == [
        {"key": "XD-200", "count": 4, "share": 0.6667, "spellings": ["XD-200", "XD 200",
                                                                     "xd200"]},
        {"key": "M1/2", "count": 1, "share": 0.1667, "spellings": ["M1/2"]},
        {"key": "M12", "count": 1, "share": 0.1667, "spellings": ["M12"]}]
    assert rep["by_customer"] == [
        {"key": "Acme Ltd.", "count": 3, "share": 0.5, "spellings": ["Acme Ltd.", "ACME LTD"]},
        {"key": "华东", "count": 3, "share": 0.5, "spellings": ["华东"]}]
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert "| XD-200 (also XD 200, xd200) | 4 |" in md, md
    assert "| Acme Ltd. (also ACME LTD) | 3 |" in md
    zh = ledger("--lang", "zh", "report", "--month", "2026-10", "--format", "markdown").stdout
    assert "| XD-200（另写作 XD 200、xd200） | 4 |" in zh, zh
    csv_text = ledger("report", "--month", "2026-10", "--format", "csv").stdout
    assert "\nXD-200,4,66.7%" in csv_text and "also" not in csv_text, csv_text
    import openpyxl

    ledger("report", "--month", "2026-10", "--format", "xlsx", "--output", tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["By product"]
    assert ["XD-200 (also XD 200, xd200)", 4] in [[c.value for c in row][:2]
                                                    for row in sheet.iter_rows()]


@pytest.mark.parametrize("period", [("--month", "2030-01"), ("--week", "2031-01-06"),
                                    ("--since", "2030-01-01", "--until", "2030-12-31")])
def test_a_period_that_has_not_begun_is_refused(ledger, history, tmp_path, period):
    """A mistyped year is not a report of nothing: exit 2, no file written."""
    out = tmp_path / "r.csv"
    r = ledger("report", *period, "--output", out, code=2)
    assert r.stderr.startswith("Error: the period from 20") and "has not begun" in r.stderr
    assert "Hint: a report covers what has happened" in r.stderr
    assert not out.exists()


def test_a_period_before_the_first_complaint_says_so(ledger, history):
    """`-q report --month 2016-11` (a year mistyped in cron) mailed a report of zeros,
    exit 0, without a word, where overdue --as-of warns of the same mistake. Said on
    stderr (with --quiet too); a period that reaches the first complaint is not."""
    said = ("Warning: the period ends before the ledger's first complaint (received "
            "2026-09-25 10:00): check the dates of the period\n")
    for args in (("-q", "report", "--month", "2016-11", "--format", "csv"),
                 ("report", "--since", "2026-01-01", "--until", "2026-09-24",
                  "--format", "json")):
        r = ledger(*args)
        assert r.stderr == said, (args, r.stderr)
    assert ledger("report", "--since", "2026-01-01", "--until", "2026-09-25", "--format",
                  "json").stderr == ""


def test_the_output_file_name_says_the_format(ledger, history, tmp_path):
    """report --output r.csv / r.json / r.md without --format: the name says which, as
    export reads it; a name that says none is refused (exit 2), nothing written."""
    month = ("report", "--month", "2026-10", "--output")
    ledger(*month, tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf# summary")
    ledger(*month, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["period"]["label"] == "month 2026-10"
    ledger(*month, tmp_path / "r.md")
    assert (tmp_path / "r.md").read_text().startswith("#")
    r = ledger(*month, tmp_path / "r.pdf", code=2)
    assert "Error: a table is for the terminal" in r.stderr
    assert "name it .md, .csv, .json or .xlsx" in r.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_the_returns_section_keeps_counts_and_money_in_their_own_columns(ledger, history):
    """--format csv --section returns put the costs as text in the quantity column
    ("100.00 CNY"), and no line had the quantity authorised (the JSON and xlsx have it):
    the quantity column adds up to the units disposed of, the costs are numbers with the
    currency beside their name, and the summary's returns line has the units."""
    lines = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                   "returns").stdout.lstrip("\ufeff").splitlines()
    assert lines == ["disposition,quantity,amount", "scrap,2,", "repair,1,",
                     "cost of loss (CNY),,100.00", "repair cost (CNY),,20.50"], lines
    summary = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                     "summary").stdout
    assert 'returns,"1 authorised (5 units); 3 units received (of any return), 1 with a ' \
        'count discrepancy"' in summary, summary
    zh = ledger("--lang", "zh", "report", "--month", "2026-10", "--format", "csv",
                "--section", "summary").stdout
    assert "授权 1 单（5 件）；收货 3 件（含以前各期授权的退货）" in zh, zh
    # every rate of the summary with what it is of (the repeat and not-upheld rates had no
    # counts); CAPA's late are those open at the end whenever opened, which may be more
    # than the period opened
    assert 'repeat rate,33.3% (1 of 3 received)' in summary, summary
    assert 'not upheld rate,50.0% (1 of 2 investigations concluded)' in summary, summary
    assert 'CAPA,"opened 2, done 1, verified 1; late at the end 1 (whenever opened)"' \
        in summary, summary
    # the most first; as many, in the procedure's order (scrap before restock), not the
    # codes' (restock before scrap)
    cid = ledger.log(received="2026-10-20 09:00")
    rma = ledger("return", "open", cid, "--qty", "2", "--at", "2026-10-20 10:00").stdout.strip()
    ledger("return", "receive", rma, "--qty", "2", "--at", "2026-10-21 09:00")
    ledger("return", "inspect", rma, "--result", "no-defect-found", "--at", "2026-10-21 10:00")
    ledger("return", "dispose", rma, "--action", "restock", "--qty", "2", "--at",
           "2026-10-21 11:00")
    rows = ledger.json("report", "--month", "2026-10")["returns"]["by_disposition"]
    assert rows == [{"key": "scrap", "quantity": 2}, {"key": "restock", "quantity": 2},
                    {"key": "repair", "quantity": 1}], rows


def test_as_of_cuts_the_period(ledger, history):
    """On 27 Oct 00:00 the month so far: C not yet received, B reopened, not re-resolved."""
    rep = ledger.json("report", "--month", "2026-10", "--as-of", "2026-10-27 00:00")
    assert rep["period"]["end_at"] == "2026-10-26T16:00:00Z"
    assert (rep["received"], rep["resolved"], rep["closed"]) == (2, 2, 1)
    assert rep["reopen_rate"] == 0.5 and rep["repeat_rate"] == 0.0
    assert rep["backlog"]["end"] == 2  # B investigating again, E
    assert rep["on_time_rate"]["resolve"] == 1.0  # the late second resolve is after it
    assert rep["capa"]["late"] == 1  # B's item was due 25 Oct


def test_an_as_of_before_the_period_is_named_to_its_second(ledger):
    """--as-of 2026-10-31 23:59:59 for November was said as 23:59: to the second when it
    is not a whole minute, as every instant a report is as of."""
    before = ledger.snapshot()
    r = ledger("report", "--month", "2026-11", "--as-of", "2026-10-31 23:59:59", code=2)
    assert r.stderr.startswith("Error: --as-of 2026-10-31 23:59:59 is before the period, "
                               "which begins 2026-11-01\n"), r.stderr
    assert ledger.snapshot() == before


def test_week_report_and_previous_week(ledger, history):
    rep = ledger.json("report", "--week", "2026-10-21")
    assert (rep["period"]["from"], rep["period"]["to"]) == ("2026-10-19", "2026-10-25")
    assert (rep["received"], rep["resolved"], rep["closed"]) == (1, 1, 0)
    assert rep["previous_period"]["from"] == "2026-10-12"
    assert rep["previous_period"]["received"] == 0
    assert rep["previous_period"]["received_change"] is None
    assert rep["capa"] == {"opened": 1, "done": 0, "verified": 1, "late": 1}


def test_since_until_range(ledger, history):
    rep = ledger.json("report", "--since", "2026-10-08", "--until", "2026-10-08")
    assert rep["received"] == 1 and rep["register"][0]["id"] == history["a"]
    assert rep["previous_period"]["from"] == "2026-10-07"


def test_empty_period_is_stated_and_exit_0(ledger, history):
    rep = ledger.json("report", "--month", "2026-06")
    assert rep["received"] == 0 and rep["register"] == []
    for key in ("satisfaction_rate", "reopen_rate", "repeat_rate", "not_upheld_rate"):
        assert rep[key] is None
    assert rep["handling_days"]["mean"] is None
    assert rep["on_time_rate"] == dict.fromkeys(("assign", "investigate", "resolve", "revisit",
                                                 "second-revisit", "inspect", "dispose"))
    assert rep["previous_period"]["received_change"] is None
    table = ledger("report", "--month", "2026-06")
    # once, on stdout (cron mailed it twice, stderr and stdout); "no complaints" read as
    # none at all with a backlog of 138 and stages late
    assert "No complaint was received, resolved or closed in this period." in table.stdout
    # (on stderr only the warning of a period before the first complaint, this one)
    assert table.stderr == ("Warning: the period ends before the ledger's first complaint "
                            "(received 2026-09-25 10:00): check the dates of the period\n")
    md = ledger("report", "--month", "2026-06", "--format", "markdown").stdout
    assert "No complaint was received, resolved or closed in this period." in md


def test_default_periods_are_the_last_complete_ones(ledger):
    rep = ledger.json("report", "--month", "--as-of", "2026-11-23 09:00")
    assert (rep["period"]["from"], rep["period"]["to"]) == ("2026-10-01", "2026-10-31")
    rep = ledger.json("report", "--week", "--as-of", "2026-11-23 09:00")  # a Monday
    assert (rep["period"]["from"], rep["period"]["to"]) == ("2026-11-16", "2026-11-22")


def test_formats_and_atomic_output(ledger, history, tmp_path):
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert md.startswith("# Complaint report") and "## Pareto of categories" in md
    assert "| quality | 2 | 66.7% | 66.7% |" in md
    text = ledger("report", "--month", "2026-10", "--format", "csv").stdout
    assert text.startswith("\ufeff# summary") and "# register" in text
    only = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                  "by_category").stdout
    rows = list(csv.reader(io.StringIO(only.lstrip("\ufeff"))))
    assert rows == [["category", "count", "share"], ["quality", "2", "66.7%"],
                    ["delivery", "1", "33.3%"]]
    # no rate is an empty cell, as no handling days are (it was "—", text in a column of
    # numbers); the terminal keeps its dash
    tables = ledger("report", "--month", "2026-10", "--format", "csv").stdout.partition(
        "# by_category")[2]  # (the summary's sentences keep theirs)
    assert tables and "—" not in tables, tables
    assert "\nsecond revisit,0,0,\n" in tables, tables
    assert "—" in ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    out = tmp_path / "reports" / "2026-10.json"
    out.parent.mkdir()
    r = ledger("report", "--month", "2026-10", "--format", "json", "--output", str(out))
    assert r.stdout == "" and "Wrote" in r.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["received"] == 3
    assert [p.name for p in out.parent.iterdir()] == ["2026-10.json"]  # no temp file left
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    table = ledger("report", "--month", "2026-10").stdout
    assert "Pareto of categories" in table and "█" in table and "Register" in table


def test_report_refusals(ledger):
    for args, message in [
        ((), "give one of --week"),
        # two periods were told "give one of", as none was
        (("--week", "--month"), "Error: --week, --month given: a report is of one period\n"
         "Hint: give one of --week"),
        (("--month", "--since", "2026-10-01", "--until", "2026-10-31"),
         "Error: --month, --since/--until given: a report is of one period"),
        (("--since", "2026-10-01"), "--since and --until go together"),
        (("--since", "2026-10-05", "--until", "2026-10-01"), "--until is before --since"),
        (("--month", "2026-13"), "cannot read --month"),
        (("--month", "--section", "nope", "--format", "csv"), "--section 'nope' is not one of"),
        (("2026-10",), "a date goes with --week"),
        # two periods each with its value: Click's "extra argument" alone said nothing
        (("--week", "2026-10-12", "--month", "2026-10"),
         "Hint: give one of --week [DATE], --month [YYYY-MM], or --since DATE --until DATE"),
    ]:
        r = ledger("report", *args, code=2)
        assert message in r.stderr, (args, r.stderr)


def test_report_runs_without_a_terminal(ledger, history, env):
    """As cron runs it: a subprocess, no TTY, no colour codes, exit 0."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "complaintctl", "report", "--month",
                           "2026-10"], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "COMPLAINTCTL_DB": str(env)}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout and "Summary" in proc.stdout


def test_a_complaint_closed_twice_in_a_period_counts_once(ledger):
    # (critical: reopened from closed by its second revisit, the only revisit from closed)
    cid = _log(ledger, "Acme", "P1", "critical", "quality", "phone", "2026-06-01 09:00")
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-06-01 10:00")
    ledger("investigate", cid, "--cause", "x", "--at", "2026-06-02 09:00")
    ledger("resolve", cid, "--disposition", "exchange", "--summary", "s", "--at",
           "2026-06-03 09:00")
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-06-04 09:00")
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-06-10 09:00")
    ledger("resolve", cid, "--disposition", "refund", "--amount", "10", "--summary", "s",
           "--at", "2026-06-11 09:00")
    ledger("close", cid, "--no-revisit", "--reason", "declined", "--at", "2026-06-12 09:00")
    rep = ledger.json("report", "--month", "2026-06")
    assert (rep["received"], rep["resolved"], rep["closed"]) == (1, 1, 1)
    assert rep["backlog"] == {"start": 0, "end": 0, "change": 0}
    assert rep["reopen_rate"] == 1.0 and rep["satisfaction_rate"] == 0.5
    mid = ledger.json("report", "--month", "2026-06", "--as-of", "2026-06-10 12:00")
    assert mid["backlog"]["end"] == 1 and mid["closed"] == 1


def test_a_write_landing_during_a_report_is_in_none_of_its_figures(ledger, history, env,
                                                                   monkeypatch):
    """Every figure comes from one snapshot: a complaint logged by someone else while
    the report is half-way (after the counts, before the register) shows up in
    neither the count nor the register."""
    from datetime import datetime, timezone

    from complaintctl import complaints
    from complaintctl.reports import Report
    from complaintctl.store import Ledger

    original = Report.register

    def register_after_a_write(self):
        now = datetime(2026, 11, 2, 2, tzinfo=timezone.utc)
        other = Ledger.open(env, write=True)
        try:
            complaints.log(other, {"customer": "Late", "product": "P7", "severity": "low",
                       "category": "quality", "channel": "phone", "description": "x"},
                      received_at=datetime(2026, 10, 15, 2, tzinfo=timezone.utc), now=now,
                      actor="someone else")
        finally:
            other.close()
        return original(self)

    monkeypatch.setattr(Report, "register", register_after_a_write)
    rep = ledger.json("report", "--month", "2026-10", "--as-of", "2026-11-02 10:00")
    # the register lists D (voided) too
    assert rep["received"] == 3 and len(rep["register"]) == 4
    assert "Late" not in {r["customer"] for r in rep["register"]}
    monkeypatch.setattr(Report, "register", original)
    rep = ledger.json("report", "--month", "2026-10", "--as-of", "2026-11-02 10:00")
    assert rep["received"] == 4 and len(rep["register"]) == 5


# --- a report as of an instant shows what was true then ---------------------------
#
# These ledgers are built once per module, with the clock pinned and every step at an
# explicit time in 2025 (Asia/Shanghai, CN calendar).

PINNED_NOW = datetime(2025, 12, 31, 4, tzinfo=timezone.utc)


def _cli(db, *args) -> str:
    """The real command on ledger `db` with the clock pinned; its stdout."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("complaintctl.cli._now", lambda: PINNED_NOW)
        result = CliRunner().invoke(app, ["--db", str(db), "--as", "tester",
                                          *(str(a) for a in args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _report_json(db, *args) -> dict:
    return json.loads(_cli(db, "report", *args, "--format", "json"))


def _one_complaint(db, severity: str = "medium") -> str:
    """A new Shanghai ledger with one complaint received 2025-03-03 09:00."""
    _cli(db, "init", "--country", "CN", "--timezone", "Asia/Shanghai")
    return _cli(db, "log", "--customer", "华东", "--product", "P1", "--severity", severity,
                "--category", "quality", "--channel", "phone", "--description", "x",
                "--received", "2025-03-03 09:00").strip()


@pytest.fixture(scope="module")
def stepped(tmp_path_factory):
    """One critical complaint stepped through every state at known instants: assigned to
    质量部, reassigned, cause found, resolved (exchange), closed by a satisfied revisit,
    reopened from closed (by its second revisit), a new cause category, resolved again
    (refund), closed by a basically satisfied revisit; and afterwards its customer's name
    amended."""
    db = tmp_path_factory.mktemp("stepped") / "ledger.db"
    cid = _one_complaint(db, "critical")
    for *step, at in [
        ("assign", cid, "--dept", "质量部", "--owner", "王芳", "2025-03-03 10:00"),
        ("assign", cid, "--dept", "客服部", "--owner", "Li", "2025-03-04 09:00"),
        ("investigate", cid, "--cause", "扭矩", "--cause-category", "manufacturing",
         "2025-03-05 09:00"),
        ("resolve", cid, "--disposition", "exchange", "--summary", "换新", "2025-03-06 09:00"),
        ("revisit", cid, "--satisfaction", "satisfied", "2025-03-07 09:00"),
        ("revisit", cid, "--satisfaction", "unsatisfied", "2025-03-10 09:00"),
        ("investigate", cid, "--cause", "设计", "--cause-category", "design",
         "2025-03-10 13:00"),
        ("resolve", cid, "--disposition", "refund", "--amount", "10", "--summary", "退款",
         "2025-03-11 09:00"),
        ("revisit", cid, "--satisfaction", "basically-satisfied", "2025-03-12 09:00"),
    ]:
        _cli(db, *step, "--at", at)
    _cli(db, "amend", cid, "--customer", "华东电器", "--reason", "full name")
    return db, cid


@pytest.mark.parametrize(
    ("as_of", "status", "dept", "owner", "disposition", "closed_at", "result", "cause"), [
        ("2025-03-03 09:30", "logged", None, None, None, None, "logged", None),
        ("2025-03-03 10:00", "assigned", "质量部", "王芳", None, None, "assigned", None),
        ("2025-03-04 12:00", "assigned", "客服部", "Li", None, None, "assigned", None),
        ("2025-03-05 12:00", "investigating", "客服部", "Li", None, None, "investigating",
         "manufacturing"),
        ("2025-03-06 12:00", "resolved", "客服部", "Li", "exchange", None, "resolved",
         "manufacturing"),
        ("2025-03-07 12:00", "closed", "客服部", "Li", "exchange", "2025-03-07T01:00:00Z",
         "closed (satisfied)", "manufacturing"),
        ("2025-03-10 12:00", "investigating", "客服部", "Li", "exchange", None,
         "investigating", "manufacturing"),
        ("2025-03-11 12:00", "resolved", "客服部", "Li", "refund", None, "resolved", "design"),
        ("2025-03-12 12:00", "closed", "客服部", "Li", "refund", "2025-03-12T01:00:00Z",
         "closed (basically-satisfied)", "design"),
        ("2025-04-02 12:00", "closed", "客服部", "Li", "refund", "2025-03-12T01:00:00Z",
         "closed (basically-satisfied)", "design"),
    ])
def test_report_as_of_shows_the_complaint_as_it_was_then(stepped, as_of, status, dept, owner,
                                                         disposition, closed_at, result,
                                                         cause):
    """Status, assignment, disposition, closing and cause are replayed to the instant (a
    step at exactly that instant is in force); the customer is read as amended."""
    db, cid = stepped
    rep = _report_json(db, "--month", "2025-03", "--as-of", as_of)
    (line,) = rep["register"]
    assert (line["id"], line["customer"], line["product"]) == (cid, "华东电器", "P1")
    assert (line["status"], line["disposition"], line["closed_at"], line["result"]) == (
        status, disposition, closed_at, result)
    assert line["satisfaction"] == (result[len("closed ("):-1] if "(" in result else None)
    assert [(d["key"], d["count"]) for d in rep["by_department"]] == [(dept or "(none)", 1)]
    assert [p["key"] for p in rep["pareto_cause"]] == ([cause] if cause else [])
    assert (line["department"], line["owner"]) == (dept, owner)


def test_register_result_of_a_complaint_closed_without_a_revisit_after_reopening(tmp_path):
    """Reopened by an unsatisfied revisit, resolved again and closed without a revisit:
    the register said 'closed (unsatisfied)', the satisfaction of the revisit that
    reopened it; now and as of an instant after the close."""
    db = tmp_path / "ledger.db"
    cid = _one_complaint(db)
    for *step, at in [
        ("assign", cid, "--dept", "质量部", "--owner", "王芳", "2025-03-03 10:00"),
        ("investigate", cid, "--cause", "扭矩", "--cause-category", "manufacturing",
         "2025-03-05 09:00"),
        ("resolve", cid, "--disposition", "exchange", "--summary", "换新", "2025-03-06 09:00"),
        ("revisit", cid, "--satisfaction", "unsatisfied", "2025-03-07 09:00"),
        ("resolve", cid, "--disposition", "refund", "--amount", "10", "--summary", "退款",
         "2025-03-10 09:00"),
        ("close", cid, "--no-revisit", "--reason", "客户拒绝回访", "2025-03-11 09:00"),
    ]:
        _cli(db, *step, "--at", at)
    for as_of in ([], ["--as-of", "2025-03-20 12:00"]):
        (line,) = _report_json(db, "--month", "2025-03", *as_of)["register"]
        assert (line["status"], line["closed_at"], line["result"], line["satisfaction"]) == (
            "closed", "2025-03-11T01:00:00Z", "closed", None), as_of


def test_the_year_to_date_of_a_period_over_new_year_is_the_year_of_its_end(tmp_path):
    """A period over New Year reported before it (the running week in late December, or
    --as-of then): the year to date read "2026-01-01 to 2025-12-28", all 0, smaller than
    the period it holds. It is the year of the end counted: the instant's, here."""
    db = tmp_path / "ledger.db"
    _cli(db, "init", "--country", "CN", "--timezone", "Asia/Shanghai")
    _cli(db, "log", "--customer", "华东", "--product", "P1", "--severity", "medium",
         "--category", "quality", "--channel", "phone", "--description", "x",
         "--received", "2025-12-20 10:00")
    rep = _report_json(db, "--since", "2025-12-15", "--until", "2026-01-15", "--as-of",
                       "2025-12-28 12:00")
    assert rep["received"] == 1
    ytd = rep["year_to_date"]
    assert (ytd["from"], ytd["to"], ytd["received"]) == ("2025-01-01", "2025-12-28", 1), ytd
    # and when the period ends first: its own year, as before
    rep = _report_json(db, "--month", "2025-12")
    assert (rep["year_to_date"]["from"], rep["year_to_date"]["received"]) == ("2025-01-01", 1)


def test_a_department_with_nothing_resolved_says_none_for_each_figure(tmp_path):
    """A department with nothing resolved (the unassigned): its rate said "—", its mean,
    median and p90 blank cells, which read as cut off. Each says "—"; a CSV's are empty."""
    db = tmp_path / "ledger.db"
    _one_complaint(db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "120")
        table = _cli(db, "report", "--month", "2025-03")
    (line,) = [x.split() for x in table.splitlines() if x.split()[:1] == ["(none)"]]
    assert line[-4:] == ["—"] * 4, table
    csv_text = _cli(db, "report", "--month", "2025-03", "--section", "by_department",
                    "--format", "csv")
    assert "\n(none),1,100.0%,0,0,0,,,,\n" in csv_text, csv_text


def test_report_as_of_now_reads_the_current_columns(stepped):
    """With no step after the instant the complaints' columns are read as they are:
    the same report as with --as-of after the last step."""
    db, _cid = stepped
    later = _report_json(db, "--month", "2025-03", "--as-of", "2025-04-02 12:00")
    now = _report_json(db, "--month", "2025-03")
    assert now["period"]["as_of"] == "2025-12-31T04:00:00Z"
    assert {**now, "period": None} == {**later, "period": None}


# A story of six complaints (A to F) and a return, each step at its own time, in time
# order: reassignment while investigating, a not-upheld finding, reopening from resolved
# and from closed, close --no-revisit, a void, a cause category changed, a CAPA item, a
# return, and steps after the end of March. {A}… stand for the ids the log steps print.
STORY: list[tuple[str, tuple[str, ...]]] = [
    ("2025-02-26 10:00", ("log", "A", "华东", "P1", "critical", "quality", "phone")),
    ("2025-02-27 10:00", ("assign", "{A}", "--dept", "质量部", "--owner", "王芳")),
    ("2025-03-03 09:00", ("log", "B", "Acme", "P2", "high", "delivery", "email")),
    ("2025-03-03 10:00", ("investigate", "{A}", "--finding", "looking")),
    ("2025-03-03 15:00", ("assign", "{B}", "--dept", "物流部", "--owner", "Tom")),
    ("2025-03-04 09:00", ("investigate", "{B}", "--not-upheld", "--reason", "in spec")),
    ("2025-03-04 10:00", ("investigate", "{A}", "--cause", "扭矩", "--cause-category",
                          "manufacturing")),
    ("2025-03-04 11:00", ("action", "add", "{A}", "--text", "改作业指导书", "--owner", "王芳",
                          "--due", "2025-03-10")),
    ("2025-03-05 09:00", ("assign", "{B}", "--dept", "客服部", "--owner", "Li")),
    ("2025-03-05 09:30", ("log", "C", "华东", "P1", "low", "quality", "phone")),
    ("2025-03-05 10:00", ("resolve", "{A}", "--disposition", "exchange", "--summary", "换新")),
    ("2025-03-06 09:00", ("resolve", "{B}", "--disposition", "explanation", "--summary",
                          "解释")),
    ("2025-03-06 10:00", ("revisit", "{A}", "--satisfaction", "satisfied")),
    ("2025-03-07 09:00", ("revisit", "{B}", "--satisfaction", "unsatisfied")),
    ("2025-03-09 09:00", ("void", "{C}", "--reason", "logged twice")),
    ("2025-03-10 09:00", ("resolve", "{B}", "--disposition", "explanation", "--summary",
                          "再解释")),
    ("2025-03-10 09:30", ("log", "D", "Zeta", "P3", "medium", "service", "web")),
    ("2025-03-10 11:00", ("assign", "{D}", "--dept", "质量部", "--owner", "王芳")),
    ("2025-03-10 12:00", ("return", "open", "{D}", "--qty", "4")),
    ("2025-03-11 09:00", ("close", "{B}", "--no-revisit", "--reason", "declined")),
    ("2025-03-12 09:00", ("return", "receive", "{RMA}", "--qty", "3")),
    ("2025-03-12 10:00", ("investigate", "{D}", "--cause", "来料", "--cause-category",
                          "supplier")),
    ("2025-03-13 09:00", ("return", "inspect", "{RMA}", "--result", "defect-confirmed",
                          "--defective", "3")),
    ("2025-03-13 10:00", ("revisit", "{A}", "--satisfaction", "unsatisfied")),
    ("2025-03-14 09:00", ("return", "dispose", "{RMA}", "--action", "scrap", "--qty", "3",
                          "--cost", "30")),
    ("2025-03-14 10:00", ("investigate", "{A}", "--cause", "设计", "--cause-category",
                          "design")),
    ("2025-03-14 11:00", ("return", "close", "{RMA}")),
    ("2025-03-15 09:00", ("resolve", "{D}", "--disposition", "return", "--summary", "退货")),
    ("2025-03-17 10:00", ("resolve", "{A}", "--disposition", "refund", "--amount", "50",
                          "--summary", "退款")),
    ("2025-03-18 10:00", ("revisit", "{A}", "--satisfaction", "basically-satisfied")),
    ("2025-03-19 10:00", ("action", "done", "1")),
    ("2025-03-20 09:00", ("log", "E", "Beta", "P4", "critical", "quality", "hotline")),
    ("2025-03-24 09:00", ("assign", "{E}", "--dept", "质量部", "--owner", "王芳")),
    ("2025-03-31 20:00", ("investigate", "{E}", "--cause", "漏检", "--cause-category",
                          "inspection")),
    ("2025-04-01 09:00", ("log", "F", "Acme", "P2", "medium", "delivery", "email")),
    ("2025-04-01 10:00", ("resolve", "{E}", "--disposition", "repair", "--summary", "维修")),
    ("2025-04-02 09:00", ("revisit", "{E}", "--satisfaction", "satisfied")),
    ("2025-04-02 10:00", ("assign", "{F}", "--dept", "物流部", "--owner", "Tom")),
]
STORY_TIMES = [when for when, _args in STORY]
assert STORY_TIMES == sorted(STORY_TIMES)


def _copy_ledger(db, to):
    """A consistent copy of a ledger (its WAL included)."""
    src, dst = sqlite3.connect(db), sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return to


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """The whole story in one ledger, and the ledger as it was after each step:
    cuts[k] holds only the first k steps, as if the clerk had typed nothing later."""
    folder = tmp_path_factory.mktemp("story")
    db = folder / "full.db"
    _cli(db, "init", "--country", "CN", "--timezone", "Asia/Shanghai")
    cuts = [_copy_ledger(db, folder / "cut-00.db")]
    ids: dict[str, str] = {}
    for k, (when, args) in enumerate(STORY, 1):
        if args[0] == "log":
            _log, key, customer, product, severity, category, channel = args
            ids[key] = _cli(db, "log", "--customer", customer, "--product", product,
                            "--severity", severity, "--category", category, "--channel",
                            channel, "--description", "x", "--received", when).strip()
        else:
            out = _cli(db, *(a.format(**ids) for a in args), "--at", when)
            if args[:2] == ("return", "open"):
                ids["RMA"] = out.strip()
        cuts.append(_copy_ledger(db, folder / f"cut-{k:02d}.db"))
    return db, cuts


_minutes = st.builds(lambda m: (datetime(2025, 2, 25) + timedelta(minutes=m)).strftime(
    "%Y-%m-%d %H:%M"), st.integers(0, 40 * 24 * 60))
PERIODS = [("--month", "2025-03"), ("--week", "2025-03-12"),
           ("--since", "2025-03-05", "--until", "2025-03-14")]
FIRST_DAYS = {PERIODS[0]: "2025-03-01", PERIODS[1]: "2025-03-10", PERIODS[2]: "2025-03-05"}


@settings(max_examples=30, deadline=None)
@given(when=st.one_of(st.sampled_from(STORY_TIMES), _minutes), period=st.sampled_from(PERIODS))
@example(when="2025-03-07 12:00", period=PERIODS[0])  # B reopened from resolved
@example(when="2025-03-13 12:00", period=PERIODS[0])  # A reopened from closed
@example(when="2025-03-11 09:00", period=PERIODS[0])  # B closed without a revisit, just now
@example(when="2025-04-01 12:00", period=PERIODS[0])  # after the month: E resolved
def test_a_report_as_of_an_instant_is_the_report_of_the_ledger_as_it_was_then(story, when,
                                                                               period):
    """Every figure and every register line of `report --as-of T` equals the same report
    on a ledger that holds only the steps up to T."""
    db, cuts = story
    then = cuts[sum(1 for t in STORY_TIMES if t <= when)]
    if when[:10] < FIRST_DAYS[period]:  # before the period: refused (every figure was 0)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("complaintctl.cli._now", lambda: PINNED_NOW)
            result = CliRunner().invoke(app, ["--db", str(db), "report", *period, "--as-of",
                                              when])
        assert result.exit_code == 2 and "is before the period" in result.stderr
        return
    full = _report_json(db, *period, "--as-of", when)
    cut = _report_json(then, *period, "--as-of", when)
    # the history each report was made from (not "as of"): the cut's is shorter
    assert full.pop("chain_head")["id"] >= cut.pop("chain_head")["id"]
    assert full["register"] == cut["register"]
    assert full == cut


def test_a_share_is_rounded_once_from_its_exact_value(ledger):
    """4 of 21 is 0.1905 in JSON (4 decimals) and 19.0 % on paper: rounding the
    4-decimal figure again gave 19.1 %, and 19.1 % + 81.0 % = 100.1 %."""
    for i in range(21):
        cid = ledger.log(received=f"2026-10-{i + 1:02d} 10:00")
        if i < 4:
            ledger("amend", cid, "--category", "delivery", "--reason", "录错类别")
    rep = ledger.json("report", "--month", "2026-10")
    assert [(r["key"], r["count"], r["share"]) for r in rep["by_category"]] == [
        ("quality", 17, 0.8095), ("delivery", 4, 0.1905)]
    csv_text = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                      "pareto_category").stdout
    assert "quality,17,81.0%,81.0%" in csv_text and "delivery,4,19.0%,100.0%" in csv_text
    markdown = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert "19.0%" in markdown and "19.1%" not in markdown


def test_a_report_counts_what_happened_at_its_instant(ledger):
    """The clock is pinned: a complaint logged now, then the report as of now, in the
    same second. The cut-off left out what happened at the instant itself (a script
    that logs and then reports at once saw 0), while its replay of states took it in."""
    cid = ledger("log", "--customer", "Acme", "--description", "d", "--category",
                 "quality", "--severity", "low", "--channel", "phone").stdout.strip()
    rep = ledger.json("report", "--month", "2026-11")
    assert rep["received"] == 1 and rep["backlog"]["end"] == 1
    assert rep["period"]["end_at"] == rep["period"]["as_of"] == "2026-11-23T12:00:00Z"
    # an explicit instant likewise (Shanghai time): the second before it, not yet
    rep = ledger.json("report", "--month", "2026-11", "--as-of", "2026-11-23 19:59:59")
    assert rep["received"] == 0
    rep = ledger.json("report", "--month", "2026-11", "--as-of", "2026-11-23 20:00")
    assert rep["received"] == 1
    ledger("void", cid, "--reason", "重复录入")  # in the same second again
    rep = ledger.json("report", "--month", "2026-11")
    assert (rep["received"], rep["voided"], rep["backlog"]["end"]) == (0, 1, 0)


def test_the_backlog_is_taken_just_inside_the_period(ledger):
    """The backlog at the end counted a complaint received at the next period's first
    instant (and, as of an instant, one received the second after it): start +
    received − closed no longer made the end."""
    ledger.log(received="2026-10-20 14:00")
    ledger.log(received="2026-11-01 00:00", customer="乙公司")
    october = ledger.json("report", "--month", "2026-10")
    assert october["received"] == 1 and october["backlog"] == {"start": 0, "end": 1,
                                                               "change": 1}
    november = ledger.json("report", "--month", "2026-11")
    assert november["received"] == 1 and november["backlog"]["start"] == 1
    assert november["backlog"]["end"] == 2
    before = ledger.json("report", "--month", "2026-10", "--as-of", "2026-10-20 13:59:59")
    assert before["received"] == 0 and before["backlog"]["end"] == 0
    at = ledger.json("report", "--month", "2026-10", "--as-of", "2026-10-20 14:00")
    assert at["received"] == 1 and at["backlog"]["end"] == 1


def test_a_stage_done_at_the_next_periods_first_second_was_late_at_the_end(ledger):
    """An assign due 10-31 11:00 done at 11-01 00:00:00 is a completion of November, not
    of October; October's report counted it neither done nor late at its end (overdue
    as of 10-31 23:59:59 lists it). Likewise a CAPA item."""
    cid = ledger.log(received="2026-10-31 10:00", severity="critical")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-01 00:00:00")
    late = ledger.json("overdue", "--as-of", "2026-10-31 23:59:59")
    assert [(r["id"], r["stage"]) for r in late] == [(cid, "assign")]
    october = ledger.json("report", "--month", "2026-10")
    assert october["late_at_end"] == 1 and october["on_time"]["assign"]["done"] == 0
    november = ledger.json("report", "--month", "2026-11")
    assert november["on_time"]["assign"] == {"done": 1, "on_time": 0}
    # as of an instant, a stage done at that very instant is done (as overdue has it)
    at = ledger.json("report", "--month", "2026-11", "--as-of", "2026-11-01 00:00:00")
    assert at["late_at_end"] == 0 and at["on_time"]["assign"]["done"] == 1
    ledger("investigate", cid, "--finding", "密封不良", "--at", "2026-11-01 01:00")
    ledger("action", "add", cid, "--text", "培训", "--owner", "王芳", "--due",
           "2026-11-20 09:00", "--at", "2026-11-10 10:00")
    ledger("action", "done", "1", "--at", "2026-11-21 00:00:00")
    assert ledger.json("report", "--since", "2026-11-20", "--until",
                       "2026-11-20")["capa"]["late"] == 1
    assert ledger.json("report", "--since", "2026-11-21", "--until",
                       "2026-11-21")["capa"]["done"] == 1


def test_a_report_cut_at_its_instant_says_as_of_when(ledger):
    """A month still running, or one given --as-of before its end, read like a closed
    month in the table, markdown and csv (what cron mails): they say as of when."""
    ledger.log(received="2026-10-20 14:00")
    running = ledger("report", "--month", "2026-11", "--format", "markdown").stdout
    assert "| as of | 2026-11-23 20:00 |" in running  # the pinned clock, Shanghai time
    cut = ledger("report", "--month", "2026-10", "--as-of", "2026-10-25 09:00", "--format",
                 "csv", "--section", "summary").stdout
    assert "as of,2026-10-25 09:00" in cut
    # a closed month too: its register's states are of the instant it was made (two
    # copies of October mailed on different days differed without a word)
    whole = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert "| as of | 2026-11-23 20:00 |" in whole
    assert "as of,2026-11-23 20:00" in ledger("report", "--month", "2026-10", "--format",
                                              "csv", "--section", "summary").stdout
    zh = ledger("--lang", "zh", "report", "--month", "2026-11", "--format", "markdown").stdout
    assert "| 截至 | 2026-11-23 20:00 |" in zh


def test_a_report_as_of_an_instant_inside_a_minute_says_its_second(ledger, tmp_path):
    """The as-of instant was printed to the minute: a report as of 23:59:59 said "as of
    2026-10-31 23:59" and counted a complaint that the one re-run as of that printed
    minute does not. Said to the second when it is not a whole minute, in every format."""
    ledger.log(received="2026-10-31 23:59:30")
    cut = ("report", "--month", "2026-10", "--as-of", "2026-10-31 23:59:59")
    csv_text = ledger(*cut, "--format", "csv", "--section", "summary").stdout
    assert "as of,2026-10-31 23:59:59\n" in csv_text and "received,1\n" in csv_text
    assert "| as of | 2026-10-31 23:59:59 |" in ledger(*cut, "--format", "markdown").stdout
    assert ledger.json(*cut)["period"]["as_of"] == "2026-10-31T15:59:59Z"  # (ISO, UTC)
    whole = ledger("report", "--month", "2026-10", "--as-of", "2026-10-31 23:59", "--format",
                   "csv", "--section", "summary").stdout
    assert "as of,2026-10-31 23:59\n" in whole and "received,0\n" in whole
    # the workbook's cell shows its seconds
    out = tmp_path / "r.xlsx"
    ledger(*cut, "--format", "xlsx", "--output", out)
    import zipfile

    with zipfile.ZipFile(out) as z:
        styles = z.read("xl/styles.xml").decode()
    assert 'formatCode="yyyy-mm-dd hh:mm:ss"' in styles


def test_a_cut_section_names_the_command_that_lists_it_all(ledger, monkeypatch):
    """The hint under a cut register left out the period: run as printed, it was
    refused ('give one of --week …')."""
    from complaintctl import render

    monkeypatch.setitem(render.LONG_SECTIONS, "register", 1)
    monkeypatch.setenv("COLUMNS", "200")
    ledger.log(received="2026-10-20 14:00")
    ledger.log(received="2026-10-21 14:00", customer="乙公司")
    # (the ledger named: the fixture's COMPLAINTCTL_DB, which the mail's reader has not)
    db = f"complaintctl --db {ledger.db}"
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert (f"… and 1 more (`{db} report --month 2026-10 --format markdown --section "
            "register` lists them all).") in md
    table = ledger("report", "--month", "2026-10").stdout
    assert f"… and 1 more: {db} report --month 2026-10 --format csv --section " \
        "register" in table
    whole = ledger("report", "--month", "2026-10", "--format", "markdown", "--section",
                   "register").stdout
    assert whole.count("| CC-") == 2
    # the same ledger and instant: the hint dropped --db and --as-of, and its command
    # listed another ledger's, or today's, register
    md = ledger("--db", ledger.db, "report", "--month", "2026-10", "--as-of",
                "2026-10-25 09:00", "--format", "markdown").stdout
    command = (f"complaintctl --db {ledger.db} report --month 2026-10 --as-of "
               "'2026-10-25 09:00' --format markdown --section register")
    assert f"… and 1 more (`{command}` lists them all)." in md, md
    table = ledger("--db", ledger.db, "report", "--month", "2026-10", "--as-of",
                   "2026-10-25 09:00").stdout
    assert command.replace("markdown", "csv") in table, table
    # by its whole path: a relative --db (cron's folder) meant nothing to the mail's reader
    monkeypatch.chdir(ledger.db.parent.parent)
    md = ledger("--db", f"{ledger.db.parent.name}/{ledger.db.name}", "report", "--month",
                "2026-10", "--format", "markdown").stdout
    assert f"(`complaintctl --db {ledger.db} report --month 2026-10" in md, md
    # a path with a backtick ended the code span the command was in: a longer fence
    odd = ledger.db.parent / "qa`s.db"
    ledger("backup", odd)
    md = ledger("--db", odd, "report", "--month", "2026-10", "--format", "markdown").stdout
    assert f"(`` complaintctl --db '{odd}' report --month 2026-10 --format markdown " \
        "--section register `` lists them all)." in md, md
    # and when cron names it by COMPLAINTCTL_DB (the reader's own default ledger was listed)
    monkeypatch.setenv("COMPLAINTCTL_DB", f"{ledger.db.parent.name}/{ledger.db.name}")
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert f"(`complaintctl --db {ledger.db} report --month 2026-10" in md, md
    # and in the language asked for (the command printed gave English headers)
    table = ledger("--lang", "中文", "report", "--month", "2026-10").stdout
    assert f"{db} --lang zh report --month 2026-10 --format csv --section register" \
        in table, table
    # at 60 columns the command and the chain head are printed whole, each on its line
    # (folded by Rich, a pasted command or a hash for verify --head came out cut in two;
    # then the command ran on past the terminal after "… and 1 more:"), and a week's
    # title too long for its rule is on its own line, not cut with "…"
    monkeypatch.setenv("COLUMNS", "60")
    lines = ledger("report", "--week", "2026-10-20").stdout.splitlines()
    at = lines.index("… and 1 more:")
    assert lines[at + 1:at + 3] == [f"{db} report --week 2026-10-19 --format csv --section "
                                    "register", ""], lines
    head = ledger.json("report", "--week", "2026-10-20")["chain_head"]
    # (the hash on a line of its own, whole, where the line would not fit: it wrapped in
    # its middle at 80 columns)
    at = lines.index(f"Chain head: event #{head['id']}")
    assert lines[at + 1] == head["hash"], lines[at:]
    assert lines[0] == "Complaint report: week 2026-W43 (2026-10-19 to 2026-10-25)", lines[:2]
    assert set(lines[1]) == {"─"}
    # in Chinese at 40 columns, the week's dates on a line of their own (with no space to
    # break at, 2026-10- / 19 was cut in two)
    monkeypatch.setenv("COLUMNS", "40")
    lines = ledger("--lang", "zh", "report", "--week", "2026-10-20").stdout.splitlines()
    assert lines[:2] == ["客户投诉处理报表：2026年第43周",
                         "（2026-10-19 至 2026-10-25）"], lines[:3]


def test_the_csv_report_carries_the_chain_head_verify_checks(ledger):
    """JSON, markdown and the workbook named the chain head; the CSV cron mails and people
    keep did not, so it could not be checked later with verify --head."""
    import csv
    import io

    ledger.log(received="2026-10-20 10:00")
    head = ledger.json("report", "--month", "2026-10")["chain_head"]
    for args in ((), ("--section", "summary")):
        text = ledger("report", "--month", "2026-10", "--format", "csv", *args).stdout
        rows = {r[0]: r[1] for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if len(r) == 2}
        assert rows["chain head: event"] == str(head["id"]), rows
        assert rows["chain head: hash"] == head["hash"]
        # and the markdown (its summary alone had none)
        text = ledger("report", "--month", "2026-10", "--format", "markdown", *args).stdout
        assert text.rstrip().endswith(f"Chain head: event #{head['id']} {head['hash']}"), text
    assert ledger("verify", "--head", head["hash"]).stdout.startswith("OK")


@pytest.mark.parametrize(("args", "message"), [
    (("--as-of", "2027-01-31"), "Error: --as-of 2027-01-31 00:00 is in the future\nHint: a "
     "report covers what has happened"),
    (("--section", "register"), "Error: --section goes with csv or markdown\nHint: e.g. "
     "--format csv --section register"),
    (("--format", "json", "--section", "summary"), "Error: --section goes with csv or "
     "markdown"),
    (("--as-of", "2026-09-30 23:59"), "Error: --as-of 2026-09-30 23:59 is before the "
     "period, which begins 2026-10-01\nHint: a report as of an instant covers a period"),
    (("--output", "."), "Error: cannot write .: it is a folder\n"),
    (("--output", "no/such/"), "Error: cannot write no/such/: folder no/such/ does not exist\n"),
])
def test_a_report_refuses_what_it_would_ignore_or_make_up(ledger, args, message):
    """A future --as-of was accepted and stamped on the report as its instant; --section
    with the table or JSON was ignored, the whole report shown; a folder for --output
    was 'a table is for the terminal'."""
    ledger.log(received="2026-10-20 14:00")
    before = ledger.snapshot()
    r = ledger("report", "--month", "2026-10", *args, code=2)
    assert r.stderr.startswith(message), r.stderr
    assert ledger.snapshot() == before


def test_a_capa_item_due_on_a_day_is_late_only_after_that_day(ledger):
    """--due 2026-11-20 was stored as 00:00 that day: the item counted late on its own
    due day. A day alone is due by its end; a time typed is the time."""
    cid = ledger.log(received="2026-09-30 10:00")
    ledger.to_state(cid, "investigating")
    ledger("action", "add", cid, "--text", "培训", "--owner", "王芳", "--due", "2026-11-20",
           "--at", "2026-10-27 10:00")
    ledger("action", "add", cid, "--text", "复查", "--owner", "王芳", "--due",
           "2026-11-20 09:00", "--at", "2026-10-27 10:00")
    assert ledger.rows("SELECT due_at FROM actions ORDER BY id") == [
        ("2026-11-20T15:59:59Z",), ("2026-11-20T01:00:00Z",)]

    def late(as_of: str) -> int:
        return ledger.json("report", "--since", "2026-11-20", "--until", "2026-11-20",
                           "--as-of", as_of)["capa"]["late"]

    assert late("2026-11-20 08:00") == 0
    assert late("2026-11-20 12:00") == 1  # the one due at 09:00
    assert late("2026-11-21 08:00") == 2
    # at its due instant it is not late yet, as a stage is not (it counted late at that
    # very second); a second later it is
    assert late("2026-11-20 09:00:00") == 0
    assert late("2026-11-20 09:00:01") == 1
    assert late("2026-11-20 23:59:59") == 1


def test_a_repeat_unlinked_since_is_counted_as_it_was_linked_at_the_reports_instant(ledger):
    """A report as of 25 October counted the first complaint (void only since) as received
    but no longer its repeat: the void's unlinking, after that instant, changed the
    past. The links as stored, each undone by a void after the instant put back (not
    those made since, nor those an amendment undid: a first version replayed every
    repeat-link step after the instant, and an import's links, written at its own
    time, changed the past with its rows' order; and it grew with the square of them)."""
    first = ledger.log(received="2026-10-01 10:00")
    again = ledger.log(received="2026-10-20 09:00")
    as_of = ("--month", "2026-10", "--as-of", "2026-10-25 12:00")

    def counted(*args: str) -> tuple[int, int]:
        rep = ledger.json("report", *args)
        return rep["received"], rep["repeats"]

    assert counted(*as_of) == (2, 1)
    ledger("void", first, "--reason", "logged twice", "--at", "2026-10-30 09:00")
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (again,)) == [(None,)]
    assert counted(*as_of) == (2, 1)  # as it was on the 25th
    assert counted("--month", "2026-10") == (1, 0)  # as it is
    # the unlinking is dated as the void, entered now: as of the 31st the repeat is gone
    assert ledger.rows("SELECT at, recorded_at FROM events WHERE kind = 'repeat-link'") == [
        ("2026-10-30T01:00:00Z", "2026-11-23T12:00:00Z")]
    assert counted("--month", "2026-10", "--as-of", "2026-10-31 12:00") == (1, 0)
    # a complaint logged now, received on 10 October: the one of the 20th repeats it
    ledger.log(received="2026-10-10 10:00")
    assert ledger.rows("SELECT repeat_of IS NOT NULL FROM complaints WHERE id = ?",
                       (again,)) == [(1,)]
    # as of the 25th the 20th's repeats (the 10th's: a link made since follows the
    # received times, as the counts do); the 10th's was never linked to the 1st's
    assert counted(*as_of) == (3, 1)
    assert counted("--month", "2026-10", "--as-of", "2026-10-31 12:00") == (2, 1)
    assert counted("--month", "2026-10") == (2, 1)
    # a product corrected: as amended at any instant (the 20th's is another product)
    ledger("amend", again, "--product", "XD-999", "--reason", "型号录错")
    assert counted(*as_of) == (3, 0)
    assert counted("--month", "2026-10") == (2, 0)
    assert ledger("verify").exit_code == 0


@pytest.mark.parametrize("window, then, changed_to", [("30", 0, "90"), ("90", 1, "30")])
def test_a_repeat_as_of_an_instant_keeps_the_window_it_was_linked_under(ledger, window, then,
                                                                         changed_to):
    """A second version worked the links out again with today's repeat window: once it
    had changed, a void after the instant made a complaint a repeat as of then that was
    never linked (widened), or took one off (narrowed). The links as stored count."""
    ledger("policy", "repeat-window", window)
    first = ledger.log(received="2026-08-01 10:00")
    ledger.log(received="2026-10-15 10:00")  # 75 days after: a repeat under 90, not 30
    as_of = ("--month", "2026-10", "--as-of", "2026-10-25 12:00")

    def counted() -> tuple[int, int]:
        rep = ledger.json("report", *as_of)
        return rep["received"], rep["repeats"]

    assert counted() == (1, then)
    ledger("policy", "repeat-window", changed_to)
    ledger("void", first, "--reason", "logged twice", "--at", "2026-11-10 09:00")
    assert counted() == (1, then)


def test_the_previous_period_line_gives_each_figure_its_change(ledger):
    """It read "received 2 (+100.0%), resolved 3, closed 1": the change for received
    alone, so resolved and closed read as this period's figures."""
    ledger.log(received="2026-09-20 10:00")
    ledger.log(received="2026-10-20 10:00")
    ledger.log(received="2026-10-21 10:00", customer="乙公司")
    voided = ledger.log(received="2026-09-21 10:00", customer="丙公司")
    ledger("void", voided, "--reason", "重复录入", "--at", "2026-09-22 10:00")
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    # (voided too: the table, markdown and CSV left it out, as JSON and the workbook
    # have it)
    assert "| previous period | 2026-09-01 to 2026-09-30: received 1 (+100.0%), resolved 0 " \
        "(—), closed 0 (—), voided 1 (-100.0%) |" in md, md
    zh = ledger("--lang", "zh", "report", "--month", "2026-10", "--format", "markdown").stdout
    assert "受理 1（+100.0%），处理 0（—），结案 0（—），作废 1（-100.0%）" in zh, zh


def test_a_satisfaction_rate_of_one_revisit_says_revisit(ledger):
    """"100.0% of 1 revisits": the count now chooses its word (ngettext); and every rate
    says what it is of, the satisfied and the reopened among how many (a manager found
    "83.3% of 6 revisits" and "14.3% (1 reopened)" left him to work out the rest)."""
    cid = ledger.log(received="2026-09-20 10:00")
    ledger.to_state(cid, "closed")
    month = ledger.json("show", cid)["revisits"][0]["at"][:7]
    md = ledger("report", "--month", month, "--format", "markdown").stdout
    assert "| satisfaction rate | 100.0% (1 of 1 revisit satisfied or basically satisfied) |" \
        in md, md
    assert "| reopen rate | 0.0% (0 reopened; 1 resolved) |" in md, md
    assert ledger.json("report", "--month", month)["satisfied"] == 1


def test_a_format_the_output_name_contradicts_is_refused(ledger, tmp_path):
    """--format csv --output r.xlsx wrote csv text into a file named .xlsx."""
    out = tmp_path / "r.xlsx"
    r = ledger("report", "--month", "2026-10", "--format", "csv", "--output", out, code=2)
    assert r.stderr.startswith(f"Error: --output {out} is named for xlsx, not csv\n")
    assert not out.exists()
    ledger("report", "--month", "2026-10", "--format", "csv", "--output", tmp_path / "r.txt")
    ledger("report", "--month", "2026-10", "--output", tmp_path / "r.md")  # the name says it


def test_capa_items_are_listed_soonest_due_first_and_the_late_ones_alone(ledger):
    """The report counted "CAPA … late 170" and nothing listed them: a supervisor could
    not see whose corrective actions were late without exporting and filtering."""
    a = ledger.log(received="2026-09-30 10:00")
    ledger.to_state(a, "investigating")
    b = ledger.log(received="2026-09-30 11:00", customer="Acme")
    ledger.to_state(b, "investigating")
    for cid, text, owner, due in (
            (a, "培训", "王芳", "2026-11-10"), (a, "复查", "王芳", "2026-12-20"),
            (a, "改图", "王芳", "2026-11-01"), (a, "换料", "王芳", "2026-11-02"),
            (b, "加严检验", "李强", "2026-11-05")):
        ledger("action", "add", cid, "--text", text, "--owner", owner, "--due", due,
               "--at", "2026-10-27 10:00")
    ledger("action", "done", "3", "--at", "2026-10-30 10:00")
    ledger("action", "done", "4", "--at", "2026-10-30 10:00")
    ledger("action", "verify", "4", "--note", "有效", "--at", "2026-10-31 10:00")

    def listed(*args: str) -> list[tuple[int, str]]:
        return [(r["id"], r["state"]) for r in ledger.json("action", "list", *args)]

    assert listed() == [(3, "done"), (5, "overdue"), (1, "overdue"), (2, "open")]
    assert listed("--late") == [(5, "overdue"), (1, "overdue")]
    assert listed("--all")[:2] == [(3, "done"), (4, "verified")]
    assert listed("--owner", "李") == [(5, "overdue")]
    assert listed("--complaint", b.lower()) == [(5, "overdue")]
    table = ledger("action", "list", "--late").stdout
    assert table.startswith("CAPA items late at 2026-11-2") and "加严检验" in table
    zh = ledger("--lang", "zh", "action", "list", "--late", "--format", "csv").stdout
    assert zh.startswith("\ufeff#,投诉,客户,措施,") and ",已逾期" in zh
    before = ledger.snapshot()
    r = ledger("action", "list", "--late", "--all", code=2)
    assert "Error: --late and --all ask for different lists" in r.stderr
    r = ledger("action", "list", "--complaint", "CC-2026-9999", code=1)
    assert "Error: no complaint 'CC-2026-9999'" in r.stderr
    assert ledger.snapshot() == before
    # an item done after its due day says so (it read plain "done" or "verified", the
    # same as one on time); in show too, whose terminal table had no status at all
    ledger("action", "done", "1", "--at", "2026-11-12 10:00")  # due 11-10
    table = ledger("action", "list", "--all").stdout
    line = next(x for x in table.splitlines() if x.lstrip().startswith("1 "))
    assert line.rstrip().endswith("done late"), table
    assert next(x for x in table.splitlines() if x.lstrip().startswith("3 ")).rstrip(
        ).endswith(" done"), table
    shown = ledger("show", a).stdout
    capa = shown[shown.index("CAPA items"):]
    assert "done late" in capa and "status" in capa.splitlines()[2], capa
    ledger("action", "verify", "1", "--note", "有效", "--at", "2026-11-13 10:00")
    assert "verified, done late" in ledger("action", "list", "--all").stdout
    # JSON keeps the state's code and says done late beside it (a script had to compare
    # done_at with due_at itself)
    items = {r["id"]: r for r in ledger.json("action", "list", "--all")}
    assert (items[1]["state"], items[1]["done_late"]) == ("verified", True)
    assert (items[3]["state"], items[3]["done_late"]) == ("done", False)
    assert items[5]["done_late"] is False  # not done yet: overdue, not done late


def test_rates_to_four_decimals_round_half_away_from_zero():
    """25 of 32 is 0.78125: JSON said 0.7812 (Python's round, half to even) where the
    README and the percentages (78.1 %, half away from zero) round up."""
    from complaintctl import render, reports

    assert reports.Rate(25 / 32) == 0.7813 and reports.Rate(1 / 16) == 0.0625
    assert reports.Rate(-25 / 32) == -0.7813 and reports.Rate(2 / 3) == 0.6667
    assert render.pct(reports.Rate(1 / 16)) == "6.3%"


def test_handling_time_by_department_has_its_median_and_p90(ledger):
    """SPEC 7: handling time mean, median and p90 by category and by department; the
    departments had their mean only. Three resolved in 1, 2 and 10 days: median 2, p90
    10 (nearest rank), in every format."""
    for n, days in enumerate((1, 2, 10), start=1):
        cid = ledger.log(customer=f"客户{n}", received="2026-10-05 09:00")
        ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-05 10:00")
        ledger("investigate", cid, "--cause", "扭矩不足", "--cause-category",
               "manufacturing", "--at", "2026-10-05 11:00")
        ledger("resolve", cid, "--disposition", "exchange", "--summary", "换新", "--at",
               f"2026-10-{5 + days:02d} 09:00")
    rep = ledger.json("report", "--month", "2026-10")
    (dept,) = [d for d in rep["by_department"] if d["key"] == "质量部"]
    assert (dept["handling_days_mean"], dept["handling_days_median"],
            dept["handling_days_p90"]) == (4.33, 2.0, 10.0), dept
    csv_text = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                      "by_department").stdout
    assert csv_text.lstrip("\ufeff").splitlines()[-2:] == [
        "department,count,share,resolved,resolves,on time,rate,mean days,median,p90",
        "质量部,3,100.0%,3,3,2,66.7%,4.33,2.00,10.00"], csv_text  # as JSON and the summary


def test_handling_days_by_category_come_the_most_first(ledger):
    """各类别处理天数 was in the order of the English codes (delivery, logistics, other,
    quality …), which reads as no order at all in Chinese; every other breakdown is the
    most first."""
    for product, category in (("A", "delivery"), ("B", "quality"), ("C", "quality")):
        cid = ledger.log("--category", category, product=product)
        ledger.to_state(cid, "resolved")
    rep = ledger.json("report", "--month", "2026-10")
    assert [(c["key"], c["count"]) for c in rep["handling_days"]["by_category"]] == [
        ("quality", 2), ("delivery", 1)]


def test_a_report_as_of_an_instant_dates_its_year_to_date_to_it(ledger):
    """`report --month 2026-10 --as-of "2026-10-15 12:00"` gave year_to_date "to":
    "2026-10-31" with its counts as of the 15th."""
    ledger.log(received="2026-10-10 09:00")
    ledger.log(received="2026-10-20 09:00", product="B")
    ytd = ledger.json("report", "--month", "2026-10", "--as-of",
                      "2026-10-15 12:00")["year_to_date"]
    assert (ytd["from"], ytd["to"], ytd["received"]) == ("2026-01-01", "2026-10-15", 1)
    whole = ledger.json("report", "--month", "2026-10")["year_to_date"]
    assert (whole["to"], whole["received"]) == ("2026-10-31", 2)


def test_a_week_across_new_year_says_the_days_of_its_year_to_date(ledger):
    """2026-W01 (29 December 2025 to 4 January 2026) counts the year to date from 1
    January: fewer than the week itself, said without its days ("本年累计 | 受理 33" under
    a week of 93) it read as wrong. The table and the markdown give its days."""
    ledger.log(received="2025-12-30 09:00")
    ledger.log(received="2026-01-02 09:00", product="B")
    args = ("report", "--week", "2026-W01")
    rep = ledger.json(*args)
    assert (rep["received"], rep["year_to_date"]["received"]) == (2, 1)
    md = ledger(*args, "--format", "markdown").stdout
    assert "| year to date | 2026-01-01 to 2026-01-04: received 1, resolved 0," in md, md
    zh = ledger("--lang", "zh", *args, "--format", "markdown").stdout
    assert "| 本年累计 | 2026-01-01 至 2026-01-04：受理 1，" in zh, zh


def test_the_report_says_what_the_period_paid_its_customers(ledger, tmp_path):
    """Refunds, discounts and compensation given with `resolve --amount` were in no
    report (the 月报表 has its 赔偿¥; a manager asks for the month's total): each
    round's resolution counted on its day, exact in cents, by disposition."""
    import csv
    import io

    from openpyxl import load_workbook

    def resolved(customer: str, disposition: str, amount: str, day: str) -> str:
        cid = ledger.log(customer=customer, received=f"{day} 08:00")
        ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", f"{day} 09:00")
        ledger("investigate", cid, "--cause", "扭矩不足", "--at", f"{day} 10:00")
        ledger("resolve", cid, "--disposition", disposition, "--summary", "s", "--amount",
               amount, "--at", f"{day} 11:00")
        return cid

    resolved("甲", "refund", "0.10", "2026-10-05")
    resolved("乙", "refund", "0.20", "2026-10-06")
    again = resolved("丙", "compensation", "1250.50", "2026-10-07")
    resolved("丁", "refund", "99", "2026-09-28")  # the month before: not October's
    ledger("revisit", again, "--satisfaction", "unsatisfied", "--at", "2026-10-08 09:00")
    ledger("investigate", again, "--cause", "再查", "--at", "2026-10-09 09:00")
    ledger("resolve", again, "--disposition", "compensation", "--summary", "追加", "--amount",
           "500", "--at", "2026-10-10 09:00")  # a second offer: another payment
    paid = ledger.json("report", "--month", "2026-10")["paid"]
    assert paid == {"count": 4, "amount": "1750.80", "currency": "CNY", "by_disposition": [
        {"key": "compensation", "count": 2, "amount": "1750.50"},
        {"key": "refund", "count": 2, "amount": "0.30"}], "without_amount": 0}
    # as of an instant before the second offer: what had been paid then
    before = ledger.json("report", "--month", "2026-10", "--as-of", "2026-10-09 12:00")["paid"]
    assert (before["count"], before["amount"]) == (3, "1250.80")
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert "| refunds, discounts, compensation | 1,750.80 CNY in 4 resolutions (compensation " \
        "1,750.50 CNY in 2, refund 0.30 CNY in 2) |" in md, md
    zh = ledger("--lang", "zh", "report", "--month", "2026-10", "--format", "markdown").stdout
    assert "| 赔付金额 | ¥1,750.80，共 4 次处理（赔偿 2 次共 ¥1,750.50、退款 2 次共 " \
        "¥0.30） |" in zh, zh
    text = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                  "summary").stdout
    rows = dict(r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if len(r) == 2)
    # (in CSV a plain amount, the currency in its name: the sentence could not be summed)
    assert rows["refunds, discounts, compensation (CNY)"] == "1750.80"
    assert rows["resolutions with an amount"] == "4"
    section = ledger("report", "--month", "2026-10", "--format", "csv", "--section",
                     "paid").stdout
    assert section.splitlines() == ["\ufeffdisposition,resolutions,amount (CNY)",
                                    "compensation,2,1750.50", "refund,2,0.30",
                                    "all,4,1750.80"], repr(section)
    zh = ledger("--lang", "zh", "report", "--month", "2026-10", "--format", "markdown",
                "--section", "退款").stdout  # (it offered 退货, the returns)
    assert "| 赔偿 | 2 | ¥1,750.50 |" in zh and "| 全部 | 4 | ¥1,750.80 |" in zh, zh
    out = tmp_path / "r.xlsx"
    ledger("report", "--month", "2026-10", "--output", out)
    sheet = load_workbook(out)["Summary"]
    cells = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert cells["refunds, discounts, compensation"] == 1750.8
    assert cells["resolutions with an amount"] == 4
    assert cells["refunds, discounts, compensation without an amount"] == 0
    september = ledger.json("report", "--month", "2026-09")["paid"]
    assert (september["count"], september["amount"]) == (1, "99.00")
    # a period that paid nothing says 0.00, as the csv and the paid table do (it said —)
    md = ledger("report", "--month", "2026-08", "--format", "markdown").stdout
    assert "| refunds, discounts, compensation | 0.00 CNY |" in md, md


def test_the_reports_paying_dispositions_are_the_workflows():
    """The report reads resolutions_paid by its WHERE (migration 18), which names the
    dispositions in which money is paid; the command refuses those without an amount."""
    from complaintctl import reports, workflow

    assert reports._PAID_SQL == "(" + ", ".join(f"'{d}'" for d in workflow.PAYING) + ")"
    schema = (Path(__file__).parent.parent / "schema.sql").read_text(encoding="utf-8")
    assert f"disposition IN {reports._PAID_SQL}" in schema



def test_a_period_still_running_is_compared_with_as_much_of_the_one_before(ledger):
    """`report --month` on the 5th compared 5 days with the whole month before: received
    -88.9 %, every month, in the morning report."""
    for day in ("2026-10-02", "2026-10-04", "2026-10-20", "2026-10-28"):
        ledger.log(received=f"{day} 10:00", customer=f"客户{day}")
    ledger.log(received="2026-11-03 10:00", customer="十一月")
    as_of = ("--as-of", "2026-11-05 12:00")
    prev = ledger.json("report", "--month", "2026-11", *as_of)["previous_period"]
    # 1 October 00:00 to 5 October 12:00 in Shanghai: two of the four
    assert (prev["received"], prev["received_change"], prev["until"]) == (
        2, -0.5, "2026-10-05T04:00:00Z")
    line = next(x for x in ledger("report", "--month", "2026-11", *as_of).stdout.splitlines()
                if "previous period" in x)
    assert "2026-10-01 to 2026-10-05 12:00 (as far into it as this period)" in line, line
    # a finished period, the whole one before, as before
    done = ledger.json("report", "--month", "2026-10")  # (September before it: none)
    assert (done["received"], done["previous_period"]["until"]) == (4, None)


def test_the_part_of_the_period_before_is_cut_on_the_clocks(ledger, tmp_path):
    """Across a change of the clocks the period before was cut an hour off (11:00 for
    12:00 in the last week of March, 13:00 in October); and 31 March at noon against
    all of February was called "as far into it" with an until."""
    db = tmp_path / "be.db"
    ledger("--db", db, "init", "--timezone", "Europe/Berlin", "--country", "DE")
    for at in ("2026-03-22 11:30", "2026-10-18 11:30", "2026-10-18 12:30"):
        ledger("--db", db, "log", "--no-input", "--customer", "X", "--description", "d",
               "--channel", "phone", "--category", "quality", "--severity", "low",
               "--received", at)

    def previous(*args: str) -> tuple[int, str | None]:
        p = ledger.json("--db", db, "report", *args)["previous_period"]
        return p["received"], p["until"]

    # 29 March 12:00 (summer time) against 22 March 12:00 (winter time)
    assert previous("--week", "2026-03-23", "--as-of", "2026-03-29 12:00") == (
        1, "2026-03-22T11:00:00Z")
    # 25 October 12:00 (winter time) against 18 October 12:00 (summer time): not 12:30
    assert previous("--week", "2026-10-19", "--as-of", "2026-10-25 12:00") == (
        1, "2026-10-18T10:00:00Z")
    # the month before is shorter than as far as this one has gone: all of it
    assert previous("--month", "2026-03", "--as-of", "2026-03-31 12:00") == (0, None)


def test_the_pareto_of_causes_counts_those_without_a_category(ledger):
    """An investigation concluded with a cause and no category (typed so, or imported from
    a register without 原因类别) was left out of the Pareto of causes, which then showed
    the categorised ones as 100 %: it counts under (none), both ways of reading."""
    from datetime import datetime, timezone

    from complaintctl import reports
    from complaintctl.store import Ledger

    a, b, c = (ledger.log(received="2026-11-02 09:00") for _ in range(3))
    for cid in (a, b, c):
        ledger("assign", cid, "--dept", "质量部", "--owner", "王工", "--at", "2026-11-02 10:00")
    ledger("investigate", a, "--cause", "轴承磨损", "--at", "2026-11-03 10:00")
    ledger("investigate", b, "--cause", "模具", "--cause-category", "design",
           "--at", "2026-11-03 10:00")
    ledger("investigate", c, "--not-upheld", "--reason", "正常磨损", "--at", "2026-11-03 10:00")
    rep = ledger.json("report", "--month", "2026-11")
    # every complaint concluded, once: the not-upheld one without a category too
    assert [(p["key"], p["count"], p["share"]) for p in rep["pareto_cause"]] == [
        ("(none)", 2, 0.6667), ("design", 1, 0.3333)], rep["pareto_cause"]
    lg = Ledger.open(ledger.db)
    at = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    rows = reports.Report(lg.conn, lg.tz, reports.month_of(2026, 11), at, "CNY",
                          rollups=False).build()
    assert rows["pareto_cause"] == rep["pareto_cause"]
    # as of an instant before a later step: replayed, the same rule
    ledger("resolve", b, "--disposition", "exchange", "--summary", "换新", "--at",
           "2026-11-05 10:00")
    then = ledger.json("report", "--month", "2026-11", "--as-of", "2026-11-04 10:00")
    assert [(p["key"], p["count"]) for p in then["pareto_cause"]] == [("(none)", 2),
                                                                      ("design", 1)]


def test_the_register_says_why_it_has_more_lines_than_complaints_received(ledger, history,
                                                                           monkeypatch):
    """October's register lists D, voided the day it was logged, beside A, B and C: four
    lines under "received 3", and a clerk counting them found a figure wrong."""
    monkeypatch.setenv("COLUMNS", "100")
    note = "4 lines: the 3 complaints received, and 1 voided in the period (logged by " \
        "mistake: not counted as received)"
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert note in md, md
    table = " ".join(ledger("report", "--month", "2026-10").stdout.split())
    assert note in table, table
    # a period without a void says nothing of it
    assert "lines: the" not in ledger("report", "--month", "2026-09", "--format",
                                      "markdown").stdout
    # one received before the period and voided in it (not a line of its register) beside:
    # the note was gone, the lines no longer received + voided
    early = ledger.log(received="2026-09-28 09:00")
    ledger("void", early, "--reason", "误登记", "--at", "2026-10-06 09:00")
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert "4 lines: the 3 complaints received, and 1 received and voided in the period " \
        "(logged by mistake: not counted as received; 2 voided in it in all)" in md, md


def test_the_summary_s_long_names_wrap_rather_than_crowd_the_values(ledger, history,
                                                                   monkeypatch):
    """English's "refunds, discounts, compensation" made the names' column 35 wide: at 80
    columns a value wrapped a lone "0" onto a line of its own, at 60 every value had 22
    columns. A name wraps at 20."""
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    lines = ledger("report", "--month", "2026-10").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("refunds, "))
    assert lines[at].split()[:2] == ["refunds,", "discounts,"], lines[at:at + 3]
    assert lines[at + 1].split()[0] == "compensation", lines[at:at + 3]
    value = lines[at].index("discounts,") + len("discounts,")
    assert value < 30 and all(cell_len(line.rstrip()) <= 80 for line in lines), lines
    # where the terminal has the room, the name is whole (at 120 every name wrapped at 20:
    # D3 临时对策（应急措 | 施）)
    monkeypatch.setenv("COLUMNS", "120")
    lines = ledger("report", "--month", "2026-10").stdout.splitlines()
    assert any(line.split()[:3] == ["refunds,", "discounts,", "compensation"]
               for line in lines), lines


@pytest.mark.parametrize("columns", [56, 64, 80])
def test_the_chinese_summary_breaks_between_its_items(ledger, history, monkeypatch, columns):
    """The summary's lists (本年累计 …：受理 1803，处理 1744，结案 1730，作废 36) broke
    anywhere: 作 | 废 36, 收货 | 633 件, 处理 37 | （+29.7%）. They break after ， and ；,
    an item whole on its line where it fits."""
    monkeypatch.setenv("COLUMNS", str(columns))
    lines = ledger("--lang", "zh", "report", "--month", "2026-10").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("环比"))
    rows = lines[at:next(i for i in range(at, len(lines)) if not lines[i].strip())]
    values = [line[line.index("  ", 3):].strip() if line.strip().startswith(("环比", "本年"))
              else line.strip() for line in rows]
    assert len(values) > 2, rows  # (broken at all, at each width)
    for line, after in zip(values, values[1:], strict=False):
        if not after.startswith("20"):  # (the next row)
            assert line.endswith(("，", "；", "：", "、")), rows
    assert "作废" in "".join(values) and not any(v.endswith("作") for v in values), rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_narrow_terminal_stacks_a_table_rather_than_cut_its_figures(ledger, history,
                                                                        monkeypatch, lang):
    """At 60 columns the department table lost its department column and cut its
    figures, P90 0.93 read 0.9 (rich crops a column that does not wrap when the table is
    wider than the terminal): a table whose columns cannot all be drawn whole is drawn
    row under row, each figure beside its title."""
    monkeypatch.setenv("COLUMNS", "60")
    rows = ledger.json("report", "--month", "2026-10")["by_department"]
    assert rows and any(r["handling_days_p90"] is not None for r in rows), rows
    lines = ledger("--lang", lang, "report", "--month", "2026-10").stdout.splitlines()
    title = "按部门" if lang == "zh" else "By department"
    at = next(i for i, line in enumerate(lines) if line.strip() == title)
    block = [line.split() for line in lines[at + 1:at + 1 + 12 * len(rows)]]
    from rich.cells import cell_len

    assert all(cell_len(line.rstrip()) <= 60 for line in lines[at:at + 12 * len(rows)])
    p90 = "P90" if lang == "zh" else "p90"
    for row in rows:  # each department's name and figures, whole, beside their titles
        if row["key"] != "(none)":  # (shown as the language says it: （无）)
            assert [row["key"]] in [fields[-1:] for fields in block], (row, block)
        if row["handling_days_p90"] is not None:
            assert [p90, f"{row['handling_days_p90']:.2f}"] in block, "\n".join(lines[at:])
    # at 80 the same table keeps its columns side by side, every figure whole
    monkeypatch.setenv("COLUMNS", "80")
    lines = ledger("--lang", lang, "report", "--month", "2026-10").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == title)
    header = lines[at + 2].split()
    assert header[-1] == p90, lines[at:at + 4]
    for row in rows:
        if row["handling_days_p90"] is not None:
            line = next(x for x in lines[at + 4:] if x.split()[:1] == [row["key"]])
            assert line.split()[-1] == f"{row['handling_days_p90']:.2f}", line


def test_handling_days_round_half_away_from_zero_as_excel_does(ledger):
    """Handling times of 3.125 and 4.125 days (whole hours: n days and 3 h) were given as
    3.62 (mean and median) and 4.12 (p90): round() halves to even, where a clerk's
    ROUND(4.125, 2) in Excel is 4.13, and 0.375 went up while 3.625 went down."""
    for received, resolved in (("2026-11-02 10:00", "2026-11-05 13:00"),
                               ("2026-11-02 10:00", "2026-11-06 13:00")):
        cid = ledger.log(received=received)
        ledger("assign", cid, "--dept", "Q", "--owner", "o", "--at", "2026-11-02 11:00")
        ledger("investigate", cid, "--cause", "c", "--cause-category", "design", "--at",
               "2026-11-03 10:00")
        ledger("resolve", cid, "--disposition", "repair", "--summary", "s", "--at", resolved)
    report = ledger.json("report", "--month", "2026-11", "--as-of", "2026-11-23 20:00")
    days = report["handling_days"]
    assert [days[k] for k in ("mean", "median", "p90")] == [3.63, 3.63, 4.13], days
    assert [(g["key"], g["mean"], g["median"], g["p90"]) for g in days["by_category"]] == [
        ("quality", 3.63, 3.63, 4.13)], days
    text = ledger("report", "--month", "2026-11", "--as-of", "2026-11-23 20:00").stdout
    assert "3.63" in text and "4.13" in text and "3.62" not in text, text
    # 4 days 36 minutes: 4.025 days, which julianday gives as 4.024999…
    cid = ledger.log(received="2026-11-02 00:00")
    ledger("assign", cid, "--dept", "Q", "--owner", "o", "--at", "2026-11-02 01:00")
    ledger("investigate", cid, "--cause", "c", "--cause-category", "design", "--at",
           "2026-11-03 10:00")
    ledger("resolve", cid, "--disposition", "repair", "--summary", "s", "--at",
           "2026-11-06 00:36")
    days = ledger.json("report", "--month", "2026-11", "--as-of", "2026-11-23 20:00")[
        "handling_days"]
    assert [days[k] for k in ("mean", "median", "p90")] == [3.76, 4.03, 4.13], days


def test_a_receipt_typed_wrong_and_corrected_in_a_later_month_is_no_discrepancy_there(ledger):
    """12 authorised, 9 received in October, then 1000 typed on 2 November and corrected
    back to 9 (dated at that receipt): October counts the shortfall (9 received, one
    discrepancy); November said 0 received and 1 discrepancy, the same shortfall
    counted again in a month where nothing came. A discrepancy is counted in the
    period the return's count changed in (its receipts there do not net to none);
    goods that did come in November (2 of 5, then 30 typed for 2 more, corrected to 4)
    still count there. As of an instant, what was true then; both ways of counting
    (a short period read from its receipts, a long one from the returns)."""
    a = ledger.log(received="2026-10-01 09:00")
    one = ledger("return", "open", a, "--qty", "12", "--at", "2026-10-02 10:00").stdout.strip()
    two = ledger("return", "open", a, "--qty", "5", "--at", "2026-10-02 11:00").stdout.strip()
    ledger("return", "receive", one, "--qty", "9", "--at", "2026-10-05 10:00")
    ledger("return", "receive", two, "--qty", "2", "--at", "2026-10-06 10:00")
    ledger("return", "receive", one, "--qty", "1000", "--at", "2026-11-02 10:00")
    ledger("return", "correct", one, "--received", "9", "--reason", "多打了")
    assert ledger.rows("SELECT at, qty FROM return_receipts WHERE return_id = ? ORDER BY id",
                       (one,))[1:] == [("2026-11-02T02:00:00Z", 1000),
                                       ("2026-11-02T02:00:00Z", -1000)]

    def returns(*args: str) -> tuple[int, int]:
        got = ledger.json("report", *args)["returns"]
        return got["quantity_received"], got["discrepancies"]

    def figures(november: tuple[int, int]) -> None:
        assert returns("--month", "2026-10") == (11, 2)  # 9 of 12, 2 of 5
        assert returns("--month", "2026-11", "--as-of", "2026-11-02 18:00") == (0, 0)
        assert returns("--month", "2026-11", "--as-of", "2026-11-03 09:00") == (0, 0)
        assert returns("--month", "2026-11") == november

    figures((0, 0))  # (it said 1); no complaint received in November: a short period
    ledger("return", "receive", two, "--qty", "30", "--at", "2026-11-03 10:00")
    ledger("return", "correct", two, "--received", "4", "--reason", "实收 2 件")
    figures((2, 1))  # two's count changed in November: 2 to 4 of 5
    ledger.log(received="2026-11-20 09:00")  # half the ledger's complaints: a long period
    figures((2, 1))
    assert returns("--since", "2026-10-01", "--until", "2026-11-30") == (13, 2)


def test_one_returned_unit_is_one_unit(ledger):
    """The summary said "1 authorised (1 units); 1 units received"."""
    cid = ledger.log(received="2026-11-02 09:00")
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-11-02 09:30")
    rid = ledger("return", "open", cid, "--qty", "1", "--at", "2026-11-02 10:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "1", "--at", "2026-11-03 10:00")
    summary = ledger("report", "--month", "2026-11", "--format", "csv", "--section",
                     "summary").stdout
    assert 'returns,"1 authorised (1 unit); 1 unit received (of any return), 0 with a ' \
        'count discrepancy"' in summary, summary


def test_a_pareto_too_wide_for_the_terminal_goes_row_under_row_every_figure_whole(
        run, monkeypatch):
    """At 40 columns the Paretos cut their names (manufacturi…, customer mi…) and at 26
    their figures too (45…, 100.…), where every other table of the report goes row under
    row: "a figure is never cut"."""
    run("demo", "--complaints", "400", "--db", run.db)
    monkeypatch.setenv("COLUMNS", "30")
    out = run("report", "--month", "2026-10").stdout
    section = out[out.index("Pareto of cause categories"):out.index("Handling")]
    assert "…" not in section, section
    lines = [line.rstrip() for line in section.splitlines()]
    assert max(len(line) for line in lines) <= 30, section
    data = run.json("report", "--month", "2026-10")
    for row in data["pareto_cause"]:
        share = f"{100 * row['share']:.1f}%"
        assert any(line.split() == ["share", share] for line in lines), (share, section)
