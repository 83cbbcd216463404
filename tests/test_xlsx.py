"""report --format xlsx: the workbook a quality manager presents (every sheet, the
numbers of `report --format json`, typed cells, native charts, text never a
formula, 0600, never onto the ledger) and --trend N in every format, at --as-of.

The ledger is test_reports' October story (see its docstring), plus a complaint
from a customer whose name looks like a formula."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from test_reports import history  # noqa: F401 - the fixture, used by name

from complaintctl import trend

FORMULA = '=HYPERLINK("http://evil.example/x","点我")'
SHEETS = ["Summary", "Register (客户投诉处理月报表)", "By category", "By channel", "By severity",
          "By department", "By product", "By customer", "Pareto", "On-time rate by stage",
          "Handling days by category", "CAPA", "Returns (客退品)", "Refunds, discounts, compens.",
          "Trend"]


@pytest.fixture
def month(ledger, history):  # noqa: F811 - the fixture imported above
    cid = ledger("log", "--customer", FORMULA, "--product", "+P7", "--severity", "low",
                 "--category", "service", "--channel", "web", "--description", "x",
                 "--quantity", "3", "--received", "2026-10-16 14:30").stdout.strip()
    return {**history, "formula": cid, "run": ledger}


def _book(run, tmp_path, *args, name="m.xlsx"):
    out = tmp_path / name
    result = run("report", *args, "--format", "xlsx", "--output", out)
    return out, result


def _load(path: Path):
    import openpyxl

    return openpyxl.load_workbook(path)


def _rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True)]


def _table(ws, header_first: str) -> tuple[list, list[tuple]]:
    """The header row that starts with `header_first` and the rows under it, up to an
    empty row."""
    rows = _rows(ws)
    top = next(i for i, r in enumerate(rows) if r[0] == header_first)
    body = []
    for r in rows[top + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return list(rows[top]), body


def _pct(rate):
    """A rate's cell holds its exact value; the JSON report, the same to 4 decimals."""
    return None if rate is None else pytest.approx(rate, abs=5e-5)


def test_every_sheet_holds_the_numbers_of_the_json_report(month, tmp_path):
    run = month["run"]
    rep = run.json("report", "--month", "2026-10", "--trend", "12")
    path, result = _book(run, tmp_path, "--month", "2026-10")
    assert result.stdout == "" and "Wrote" in result.stderr
    book = _load(path)
    assert book.sheetnames == SHEETS

    summary = {r[0]: r[1:] for r in _rows(book["Summary"]) if r[0]}
    assert summary["chain head: hash"][0] == rep["chain_head"]["hash"]
    assert summary["chain head: event"][0] == rep["chain_head"]["id"]
    prev, ytd = rep["previous_period"], rep["year_to_date"]
    for key in ("received", "resolved", "closed", "voided"):
        value, before, change, year = summary[key][:4]
        assert (value, before, year) == (rep[key], prev[key], ytd[key])
        assert change == _pct(prev[f"{key}_change"])
    assert summary["received"][2] == pytest.approx(3.0)  # 环比: 1 in Sept, 4 in Oct
    # the year to date's days, which a week across New Year needs to be read right
    assert (summary["year to date: from"][0], summary["year to date: to"][0]) == (
        datetime(2026, 1, 1), datetime(2026, 10, 31)), summary
    assert summary["late at end"][0] == rep["late_at_end"]
    assert summary["backlog at the end"][0] == rep["backlog"]["end"]
    assert summary["handling days: mean"][0] == pytest.approx(rep["handling_days"]["mean"])
    assert summary["satisfaction rate"][0] == _pct(rep["satisfaction_rate"])
    # what the rate is of, as numbers (the sheet had the revisits, not the satisfied)
    assert (summary["revisits"][0], summary["revisits satisfied or basically satisfied"][0]
            ) == (rep["revisits"], rep["satisfied"])
    assert summary["repeat rate"][0] == _pct(rep["repeat_rate"])
    assert summary["on-time rate: resolve"][0] == _pct(rep["on_time_rate"]["resolve"])
    assert summary["on-time rate: resolve"][0] == 2 / 3  # exactly, where JSON says 0.6667
    assert summary["CAPA late"][0] == rep["capa"]["late"]
    assert summary["cost of loss"][0] == 100.0 and summary["repair cost"][0] == 20.5

    header, reg = _table(book["Register (客户投诉处理月报表)"], "id")
    assert header == ["id", "received", "closed", "customer", "product", "qty", "disposition",
                      "result", "department", "owner"]
    assert [r[0] for r in reg] == [r["id"] for r in rep["register"]]

    for sheet, key in (("By category", "by_category"), ("By channel", "by_channel"),
                       ("By severity", "by_severity"), ("By customer", "by_customer"),
                       ("By product", "by_product"), ("By department", "by_department")):
        _h, rows = _table(book[sheet], _h_first(sheet))
        assert [r[1] for r in rows] == [x["count"] for x in rep[key]], sheet
        assert [r[2] for r in rows] == [_pct(x["share"]) for x in rep[key]], sheet
    _h, cats = _table(book["By category"], "category")
    assert [r[0] for r in cats] == ["quality", "delivery", "service"]

    pareto = _rows(book["Pareto"])
    for title, key in (("Pareto of categories", "pareto_category"),
                       ("Pareto of cause categories", "pareto_cause")):
        top = next(i for i, r in enumerate(pareto) if r[0] == title)
        body = pareto[top + 3: top + 3 + len(rep[key])]
        assert [(r[1], r[3], r[4]) for r in body] == [
            (x["count"], _pct(x["cumulative_share"]), 0.8) for x in rep[key]]

    _h, stages = _table(book["On-time rate by stage"], "stage")
    assert [r[1:] for r in stages] == [
        (rep["on_time"][k]["done"], rep["on_time"][k]["on_time"], _pct(v))
        for k, v in rep["on_time_rate"].items()]
    _h, depts = _table(book["By department"], "department")
    assert [r[3:7] for r in depts] == [
        (d["resolved"], d["resolves"], d["resolves_on_time"], _pct(d["on_time_rate"]))
        for d in rep["by_department"]]
    _h, handling = _table(book["Handling days by category"], "category")
    assert handling[-1] == ("all", rep["handling_days"]["count"], rep["handling_days"]["mean"],
                            rep["handling_days"]["median"], rep["handling_days"]["p90"])
    assert {r[0]: r[1] for r in _rows(book["CAPA"])[1:]} == {
        f"CAPA {k}": n for k, n in rep["capa"].items()}
    _h, quantities = _table(book["Returns (客退品)"], "disposition")
    assert [r[1] for r in quantities] == [d["quantity"] for d in rep["returns"]["by_disposition"]]

    _h, points = _table(book["Trend"], "period")
    assert len(points) == 12 == len(rep["trend"])
    assert [(r[0], r[3], r[4], r[5]) for r in points] == [
        (p["label"], p["received"], p["resolved"], p["closed"]) for p in rep["trend"]]
    assert [(r[6], r[7]) for r in points] == [
        (_pct(p["on_time_rate"]), _pct(p["satisfaction_rate"])) for p in rep["trend"]]
    assert points[-1][0] == "2026-10" and points[0][0] == "2025-11"


def _h_first(sheet: str) -> str:
    return sheet.removeprefix("By ")


def test_cells_are_typed(month, tmp_path):
    path, _r = _book(month["run"], tmp_path, "--month", "2026-10")
    book = _load(path)
    reg = book["Register (客户投诉处理月报表)"]
    assert reg.freeze_panes == "A2" and reg.auto_filter.ref.startswith("A1:J")
    a = next(row for row in reg.iter_rows(min_row=2) if row[0].value == month["a"])
    # received Thu 8 Oct 09:00 Shanghai time, an Excel date in the ledger's zone
    assert a[1].value == datetime(2026, 10, 8, 9, 0) and a[1].number_format == "yyyy-mm-dd hh:mm"
    assert a[2].value == datetime(2026, 10, 12, 15, 0)
    assert a[1].data_type == "d" and a[5].value is None  # no quantity given
    f = next(row for row in reg.iter_rows(min_row=2) if row[0].value == month["formula"])
    assert f[5].value == 3 and f[5].data_type == "n"
    assert a[6].value == "exchange" and a[7].value == "closed (satisfied)"
    cats = book["By category"]
    assert cats["B2"].data_type == "n" and cats["C2"].number_format == "0.0%"
    summary = {r[0].value: r[1] for r in book["Summary"].iter_rows() if r[0].value}
    assert summary["cost of loss"].number_format == '"¥"#,##0.00'
    assert summary["cost of loss"].data_type == "n"
    assert summary["from"].value == datetime(2026, 10, 1)
    assert summary["from"].number_format == "yyyy-mm-dd"
    assert summary["satisfaction rate"].number_format == "0.0%"
    # columns fit CJK: the register's title-wide customer column counts 华 as two
    assert reg.column_dimensions["D"].width >= len(FORMULA) + 2


def test_text_that_looks_like_a_formula_stays_a_string(month, tmp_path):
    path, _r = _book(month["run"], tmp_path, "--month", "2026-10")
    reg = _load(path)["Register (客户投诉处理月报表)"]
    row = next(r for r in reg.iter_rows(min_row=2) if r[0].value == month["formula"])
    assert row[3].value == FORMULA and row[3].data_type == "s"
    assert row[4].value == "+P7" and row[4].data_type == "s"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode(), name


def _charts(path: Path, sheet: str) -> list[str]:
    """The XML of the charts drawn on `sheet`, found as Excel finds them: workbook.xml
    names the sheet's part, its rels its drawing, the drawing's rels its charts."""
    with zipfile.ZipFile(path) as z:
        def rels(part: str) -> dict[str, str]:
            folder, name = part.rsplit("/", 1)
            xml = z.read(f"{folder}/_rels/{name}.rels").decode()
            return {rid: os.path.normpath(f"{folder}/{target}") for rid, target in
                    re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', xml)}

        book = z.read("xl/workbook.xml").decode()
        rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"',
                        book).group(1)
        part = rels("xl/workbook.xml")[rid]
        drawing = re.search(r'<drawing r:id="(rId\d+)"', z.read(part).decode())
        if drawing is None:
            return []
        drawing_part = rels(part)[drawing.group(1)]
        return [z.read(p).decode() for p in rels(drawing_part).values()
                if "/charts/" in p]


def test_native_charts_on_the_pareto_and_trend_sheets(month, tmp_path):
    path, _r = _book(month["run"], tmp_path, "--month", "2026-10")
    pareto = _charts(path, "Pareto")
    assert len(pareto) == 2  # categories, cause categories
    for xml in pareto:
        assert "<c:barChart>" in xml and "<c:lineChart>" in xml
        assert xml.count("<c:valAx>") == 2  # the counts, and the secondary 0-100 % axis
        assert '<c:max val="1"/>' in xml and '<c:min val="0"/>' in xml
        assert "<c:v>80% level</c:v>" in xml
    trend_charts = _charts(path, "Trend")
    assert len(trend_charts) == 1 and "<c:barChart>" in trend_charts[0]
    assert "<c:lineChart>" in trend_charts[0]
    assert _charts(path, "Summary") == []


def test_the_workbook_in_chinese(month, tmp_path):
    run = month["run"]
    path, result = _book(run, tmp_path, "--month", "2026-10")
    zh = tmp_path / "zh.xlsx"
    run("--lang", "zh", "report", "--month", "2026-10", "--output", zh)
    book = _load(zh)
    assert book.sheetnames[:2] == ["概要", "客户投诉处理月报表"]
    header, reg = _table(book["客户投诉处理月报表"], "编号")
    assert "客户" in header and any(r[6] == "换货" for r in reg)
    # each figure in its own words: a CAPA item is 新增, not a return's 授权; a return's
    # disposition is 处置, not a complaint's 处理方式
    capa = [r[0] for r in _rows(book["纠正预防措施"])[1:]]
    assert capa[0] == "新增纠正预防措施" and not any("授权" in str(x) for x in capa)
    assert any(r[0] == "处置" for r in _rows(book["客退品"])), _rows(book["客退品"])
    # the reopen figure counts complaints (as the markdown says: 重新处理 n 件), not the
    # times they were reopened (重新处理次数, show's word for a complaint's own count)
    summary = {r[0]: r[1] for r in _rows(book["概要"]) if r}
    assert "重新处理的投诉" in summary and "重新处理次数" not in summary, summary
    reopened = json.loads(run("report", "--month", "2026-10", "--format", "json").stdout)
    assert summary["重新处理的投诉"] == reopened["reopened"] == 1, summary
    # the same numbers in either language
    en = _load(path)
    assert [r[1:] for r in _rows(en["Trend"])[3:]] == [r[1:] for r in _rows(book["趋势"])[3:]]


def test_file_is_0600_and_written_whole(month, tmp_path):
    path, _r = _book(month["run"], tmp_path, "--month", "2026-10")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    _book(month["run"], tmp_path, "--week", "2026-10-21", name="w.xlsx")
    _book(month["run"], tmp_path, "--since", "2026-10-01", "--until", "2026-10-14",
          name="r.xlsx")
    weeks = _table(_load(tmp_path / "w.xlsx")["Trend"], "period")[1]
    assert [r[0] for r in weeks][-2:] == ["2026-W42", "2026-W43"] and len(weeks) == 12
    spans = _table(_load(tmp_path / "r.xlsx")["Trend"], "period")[1]
    assert spans[-1][0] == "2026-10-01..2026-10-14"
    assert spans[-2][0] == "2026-09-17..2026-09-30"


def test_the_working_files_are_0600_too(month, tmp_path, monkeypatch):
    """XlsxWriter's own zip in the private working folder: 0644 under the usual umask, and
    left behind by a workbook killed halfway (kill -9) until the next one cleans up."""
    import xlsxwriter

    seen: list[tuple[str, int, int]] = []
    close = xlsxwriter.Workbook.close

    def looked_at(book):
        close(book)
        folder = os.path.dirname(book.filename)
        seen.extend((name, os.stat(os.path.join(folder, name)).st_mode & 0o777,
                     os.stat(folder).st_mode & 0o777) for name in os.listdir(folder))

    monkeypatch.setattr(xlsxwriter.Workbook, "close", looked_at)
    umask = os.umask(0o022)
    try:
        path, _r = _book(month["run"], tmp_path, "--month", "2026-10")
    finally:
        os.umask(umask)
    assert seen == [("book.xlsx", 0o600, 0o700)], seen
    assert os.stat(path).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_refused_onto_the_ledger(month, suffix):
    run = month["run"]
    before, raw = run.snapshot(), run.db.read_bytes()
    target = f"{run.db}{suffix}"
    result = run("report", "--month", "2026-10", "--format", "xlsx", "--output", target,
                 code=2)
    said = f"the ledger's {suffix} file (SQLite keeps" if suffix else "the ledger itself"
    assert f"Error: --output {target} is {said}" in result.stderr, result.stderr
    assert run.snapshot() == before and run.db.read_bytes() == raw
    # --db a symlink to the ledger: the real file's -wal was written over (the check
    # compared the link's names)
    link = run.db.with_name("alias.db")
    link.symlink_to(run.db)
    result = run("--db", link, "report", "--month", "2026-10", "--format", "json",
                 "--output", target, code=2)
    assert f"Error: --output {target} is {said}" in result.stderr, result.stderr
    assert run.snapshot() == before and run.db.read_bytes() == raw


@pytest.mark.parametrize("args, message", [
    (("--format", "xlsx"), "Error: a workbook is written to a file"),
    (("--format", "xlsx", "--output", "x.xlsx", "--section", "register"),
     "Error: --section goes with csv or markdown"),
    (("--trend", "-1"), "Error: --trend -1 is not between 0 and 120"),
    (("--trend", "121", "--format", "json"), "Error: --trend 121 is not between 0 and 120"),
    (("--format", "csv", "--section", "trend"), "Error: --section trend needs --trend N"),
    # (a WPS user's .xls: "a table is for the terminal" said nothing of the name)
    (("--output", "m.xls"), "Error: m.xls: complaintctl writes workbooks as .xlsx, not .xls "
     "or .et (Excel 2007 and later, WPS open it)\nHint: name it m.xlsx"),
    (("--format", "xlsx", "--output", "m.et"), "Hint: name it m.xlsx"),
    (("--format", "csv", "--output", "m.XLS"), "Hint: name it m.xlsx"),
])
def test_bad_input_exits_2(month, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = month["run"]("report", "--month", "2026-10", *args, code=2)
    assert message in result.stderr
    assert list(tmp_path.glob("*.xlsx")) == []


# --- the trend in every format --------------------------------------------------

def test_trend_in_json_markdown_csv_and_terminal_at_an_instant(month, tmp_path):
    run = month["run"]
    as_of = ("--as-of", "2026-10-21 00:00")
    rep = run.json("report", "--month", "2026-10", "--trend", "3", *as_of)
    points = rep["trend"]
    assert [list(p) for p in points] == [list(trend.KEYS)] * 3
    assert [p["label"] for p in points] == ["2026-08", "2026-09", "2026-10"]
    # on 21 Oct 00:00: A, the formula's and B received (C on 28 Oct, D voided), A resolved
    # and closed
    assert (points[-1]["received"], points[-1]["resolved"], points[-1]["closed"]) == (3, 1, 1)
    assert points[-1]["satisfaction_rate"] == 1.0
    assert points[1]["received"] == 1 and points[0]["received"] == 0
    assert points[0]["on_time_rate"] is None
    # each point is what its own report says at that instant
    for p in points:
        own = run.json("report", "--since", p["from"], "--until", p["to"], *as_of)
        assert (own["received"], own["resolved"], own["closed"]) == (
            p["received"], p["resolved"], p["closed"])
    # the month not over at that instant says to when it is counted (its counts read as
    # a collapse); the whole months do not
    assert [p["until"] for p in points] == [None, None, "2026-10-20T16:00:00Z"]
    later = run.json("report", "--month", "2026-10", "--trend", "3")["trend"][-1]
    assert (later["received"], later["resolved"], later["until"]) == (4, 2, None)
    assert "trend" not in run.json("report", "--month", "2026-10")

    md = run("report", "--month", "2026-10", "--trend", "3", "--format", "markdown",
             *as_of).stdout
    assert "## Trend" in md
    assert "| 2026-10 (to 2026-10-21 00:00) | 2026-10-01 | 2026-10-31 | 3 | 1 | 1 |" in md, md
    assert "| 2026-09 | 2026-09-01 | 2026-09-30 | 1 |" in md, md
    csv_text = run("report", "--month", "2026-10", "--trend", "3", "--format", "csv",
                   "--section", "trend", *as_of).stdout
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0] == ("period,from,to,received,resolved,closed,on-time rate,satisfaction rate,"
                        "paid out (CNY)")
    assert lines[-1].startswith("2026-10 (to 2026-10-21 00:00),2026-10-01,2026-10-31,3,1,1,")
    whole = run("report", "--month", "2026-10", "--trend", "3", "--format", "csv").stdout
    assert "# trend" in whole.splitlines()

    table = run("report", "--month", "2026-10", "--trend", "3", *as_of).stdout
    line = next(x for x in table.splitlines() if x.startswith("received "))
    assert "▁" in line and "█" in line
    assert "2026-08 … 2026-10*" in table
    assert "* 2026-10 is counted to 2026-10-21 00:00: it is not over" in table, table
    assert "*" not in run("report", "--month", "2026-10", "--trend", "3").stdout
    out, _r = _book(run, tmp_path, "--month", "2026-10", "--trend", "3", *as_of)
    _h, rows = _table(_load(out)["Trend"], "period")
    assert [r[0] for r in rows] == ["2026-08", "2026-09", "2026-10 (to 2026-10-21 00:00)"], rows
    ascii_table = run("--ascii", "report", "--month", "2026-10", "--trend", "3", *as_of).stdout
    assert "█" not in ascii_table.split("Trend")[1]


def test_the_trend_says_what_each_period_paid_out(month, tmp_path):
    """The report's paid (refunds, discounts, compensation) had no point in the trend:
    a month-end manager could not see the money's course beside the counts."""
    run = month["run"]
    e = month["e"]  # investigating since 9 Oct
    run("investigate", e, "--cause", "漏发配件", "--at", "2026-10-10 09:00")
    run("resolve", e, "--disposition", "refund", "--summary", "退款", "--amount", "1250.50",
        "--at", "2026-10-24 09:00")
    run("revisit", e, "--satisfaction", "unsatisfied", "--at", "2026-11-02 09:00")
    run("resolve", e, "--disposition", "compensation", "--summary", "再赔", "--amount", "80",
        "--at", "2026-11-03 09:00")
    points = run.json("report", "--month", "2026-11", "--trend", "3")["trend"]
    assert [(p["label"], p["paid"]) for p in points] == [
        ("2026-09", "0.00"), ("2026-10", "1250.50"), ("2026-11", "80.00")]
    for p in points:  # each point is its own report's figure
        assert p["paid"] == run.json("report", "--since", p["from"], "--until",
                                     p["to"])["paid"]["amount"]
    # as of an instant: what was paid by then
    early = run.json("report", "--month", "2026-10", "--trend", "2", "--as-of",
                     "2026-10-21 00:00")["trend"]
    assert [p["paid"] for p in early] == ["0.00", "0.00"]
    csv_lines = run("report", "--month", "2026-11", "--trend", "3", "--format", "csv",
                    "--section", "trend").stdout.lstrip("\ufeff").splitlines()
    assert csv_lines[0].endswith(",satisfaction rate,paid out (CNY)"), csv_lines[0]
    assert csv_lines[2].endswith(",1250.50") and csv_lines[3].endswith(",80.00")
    md = run("report", "--month", "2026-11", "--trend", "3", "--format", "markdown").stdout
    assert "| paid out |" in md and "| 1,250.50 CNY |" in md
    table = run("report", "--month", "2026-11", "--trend", "3").stdout
    line = next(x for x in table.splitlines() if x.startswith("paid out (CNY) "))
    assert line.split()[-2:] == ["0.00", "80.00"], line
    zh = run("--lang", "zh", "report", "--month", "2026-11", "--trend", "3").stdout
    assert any(x.startswith("赔付金额 ") and x.endswith(" ¥80.00") for x in zh.splitlines()), zh
    path, _ = _book(run, tmp_path, "--month", "2026-11", "--trend", "3")
    header, body = _table(_load(path)["Trend"], "period")
    assert header[-1] == "paid out"
    assert [r[-1] for r in body] == [0, 1250.5, 80], body


def test_the_trend_on_a_narrow_terminal_cuts_no_figure(month, monkeypatch):
    """At 60 columns (--ascii: its span's '..' one column wider) and 50 the terminal's
    trend cut each last figure: 17 for 175, 144,394.4 for 144,394.44, which read as real
    numbers. The span goes up into the title, then the figures go one under another."""
    run = month["run"]
    e = month["e"]
    run("investigate", e, "--cause", "漏发配件", "--at", "2026-10-10 09:00")
    run("resolve", e, "--disposition", "refund", "--summary", "退款", "--amount",
        "144394.44", "--at", "2026-11-03 09:00")
    for columns, ascii_ in (("100", False), ("60", True), ("50", False), ("40", False),
                            ("40", True)):
        monkeypatch.setenv("COLUMNS", columns)
        out = run(*(("--ascii",) if ascii_ else ()), "report", "--month", "2026-11",
                  "--trend", "3").stdout
        trend = out[out.index("Trend"):out.index("Chain head")]
        assert "144,394.44" in trend and "0.00" in trend, (columns, trend)
        assert max(len(line.rstrip()) for line in trend.splitlines()) <= int(columns), trend
        assert ("2026-09 .. 2026-11" if ascii_ else "2026-09 … 2026-11") in trend, trend
        if columns == "40":
            lines = trend.splitlines()
            at = [line.rstrip() for line in lines].index("paid out (CNY)")
            assert lines[at + 1].split()[-3:] == ["0.00", "->" if ascii_ else "→",
                                                  "144,394.44"], lines


def test_the_same_report_is_the_same_workbook_byte_for_byte(month, tmp_path):
    """docProps/core.xml held the clock's time: a cron job's two runs of one report
    (--as-of) differed, so a rerun could not be told to be the same."""
    run = month["run"]
    args = ("--month", "2026-10", "--as-of", "2026-11-01 08:00")
    one, _ = _book(run, tmp_path, *args, name="one.xlsx")
    two, _ = _book(run, tmp_path, *args, name="two.xlsx")
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as z:
        core = z.read("docProps/core.xml").decode()
    # the instant the figures are of, in UTC: the month's end (24:00 in Shanghai)
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-10-31T16:00:00Z<" in core, core


def test_a_trend_stops_at_the_first_year_a_date_may_have(ledger, tmp_path):
    """80 windows of a 27-year range went back before year 1: "unexpected failure:
    OverflowError" (exit 1), and so did the workbook of 1900-2100 (its trend of 12)."""
    points = ledger.json("report", "--since", "2000-01-01", "--until", "2026-12-31",
                         "--trend", "80")["trend"]
    assert [p["from"] for p in points] == ["1918-12-31", "1945-12-31", "1972-12-31",
                                           "2000-01-01"]
    assert ledger.json("report", "--month", "1900-03", "--trend", "5")["trend"][0][
        "from"] == "1900-01-01"
    out = tmp_path / "all.xlsx"
    r = ledger("report", "--since", "1900-01-01", "--until", "2100-12-31", "--output", out)
    assert out.exists() and "unexpected" not in r.stderr


def test_the_first_of_january_1900_is_a_day_not_a_time(ledger, tmp_path):
    """XlsxWriter takes a date-time on 1900-01-01 for a time of day alone: the period's
    from was serial 0, shown 1900-01-00."""
    ledger.log(received="1900-01-01 00:00")
    out = tmp_path / "1900.xlsx"
    ledger("report", "--month", "1900-01", "--output", out)
    sheet = _load(out)["Summary"]
    cells = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert cells["from"] == datetime(1900, 1, 1) and cells["to"] == datetime(1900, 1, 31)


def test_sparkline_scales_from_zero_and_leaves_gaps():
    from complaintctl.render import sparkline

    assert sparkline([0, 4, 8]) == "▁▅█"
    assert sparkline([None, 1.0]) == " █"
    assert sparkline([None, None]) == "  "
    assert sparkline([1, 2], ascii_only=True) == "=#"


def test_the_command_line_loads_the_workbook_modules_only_for_xlsx():
    code = ("import sys, complaintctl.cli; print(sorted(m for m in ('xlsxwriter', "
            "'complaintctl.workbook', 'complaintctl.trend') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == "[]"


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = _load(path)
    return {ws.title: [(c.coordinate, c.value, c.data_type, c.number_format, c.font.b)
                       for row in ws.iter_rows() for c in row if c.value is not None]
            + [(k, d.width) for k, d in sorted(ws.column_dimensions.items())]
            + [ws.freeze_panes, ws.auto_filter.ref] for ws in book.worksheets}


def test_a_register_too_long_to_hold_is_streamed_into_the_same_cells(month, tmp_path,
                                                                     monkeypatch):
    from complaintctl import workbook

    run = month["run"]
    held, _r = _book(run, tmp_path, "--month", "2026-10")
    monkeypatch.setattr(workbook, "IN_MEMORY_LINES", 1)
    streamed, _r = _book(run, tmp_path, "--month", "2026-10", name="s.xlsx")
    with zipfile.ZipFile(held) as a, zipfile.ZipFile(streamed) as b:
        assert "xl/sharedStrings.xml" in a.namelist()
        assert "xl/sharedStrings.xml" not in b.namelist()  # inline strings, row by row
    assert _cells(held) == _cells(streamed)
    assert len(_charts(streamed, "Pareto")) == 2 and len(_charts(streamed, "Trend")) == 1


def test_times_are_the_numbers_write_datetime_writes_across_dst(tmp_path):
    """The register's times are computed from the stored text, a zone's offset once an
    hour: bit for bit XlsxWriter's write_datetime of the local time, in the hours of
    a DST switch too (and before March 1900, where Excel counts a 29 February)."""
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    import xlsxwriter

    from complaintctl import workbook
    from complaintctl.parse import from_iso, iso

    starts = [datetime(2026, 3, 8, 5, tzinfo=timezone.utc),  # New York springs forward
              datetime(2026, 11, 1, 4, tzinfo=timezone.utc),  # and falls back
              datetime(1900, 2, 28, 2, tzinfo=timezone.utc)]
    instants = [iso(s + timedelta(seconds=97 * i)) for s in starts for i in range(150)]
    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    tz = ZoneInfo("America/New_York")
    sheet = workbook._Book(book, tz, "USD").sheet("t")
    write, fmt = sheet.writer(0, "time"), sheet.book.formats["time"]
    for r, value in enumerate(instants):
        write(r, value)
        sheet.ws.write_datetime(r, 1, from_iso(value).astimezone(tz).replace(tzinfo=None), fmt)
    book.close()
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r'<c r="([AB])(\d+)" s="\d+"><v>([^<]+)</v></c>', xml)
    ours = [(row, v) for col, row, v in cells if col == "A"]
    theirs = [(row, v) for col, row, v in cells if col == "B"]
    assert len(ours) == len(instants) and ours == theirs


@pytest.mark.parametrize("error", ["ENOSPC", "EFBIG"])
def test_a_workbook_that_cannot_be_written_is_said_so(month, tmp_path, monkeypatch, error):
    """The disk full (or a file size limit) while XlsxWriter wrote its own temporary files
    came out as "unexpected failure: FileCreateError"; csv and json said "cannot write".
    Its temporary folder's disk full is said as that folder's (tests/test_export.py)."""
    import errno
    import tempfile

    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    code = getattr(errno, error)

    def full(self):
        raise FileCreateError(OSError(code, os.strerror(code)))

    monkeypatch.setattr(xlsxwriter.Workbook, "close", full)
    out = tmp_path / "m.xlsx"
    r = month["run"]("report", "--month", "2026-10", "--output", out, code=1)
    said = (f"Error: no space left in the temporary folder {tempfile.gettempdir()}, where "
            "the workbook is built\n") if error == "ENOSPC" else f"Error: cannot write {out}: "
    assert r.stderr.startswith(said), r.stderr
    assert "unexpected" not in r.stderr and not out.exists()
    assert not list(tmp_path.glob("*.xlsx*"))


def test_an_empty_table_says_what_it_lacks_and_an_empty_period_says_so_first(ledger, tmp_path):
    """The Pareto sheet said "No complaint was received, resolved or closed in this
    period." under a table that was empty in a month that resolved and closed one; an
    empty month said so only there (markdown says it at the top); a trend of one
    period read "the 1 periods"."""
    ledger.to_state(ledger.log(), "resolved")  # (received in September, resolved in October)
    out, _r = _book(ledger, tmp_path, "--month", "2026-10", "--trend", "1")
    book = _load(out)
    pareto = [v for row in _rows(book["Pareto"]) for v in row if isinstance(v, str)]
    assert "No complaint was received in this period." in pareto
    assert not any("resolved or closed" in v for v in pareto), pareto
    summary = [v for row in _rows(book["Summary"]) for v in row if isinstance(v, str)]
    assert not any("No complaint" in v for v in summary), summary
    assert _rows(book["Trend"])[0][0].startswith("Trend: 1 period, the last ")
    empty, _r = _book(ledger, tmp_path, "--month", "2026-08", name="e.xlsx")
    book = _load(empty)
    assert [r[0] for r in _rows(book["Summary"])][:4].count(
        "No complaint was received, resolved or closed in this period.") == 1


def test_the_summarys_figures_keep_their_rows_and_a_missing_one_is_an_empty_cell(
        ledger, tmp_path):
    """The Summary's figures moved a row or two from one report to the next (an empty
    period's notice, a running period's "counted to" row came and went): a workbook that
    linked Summary!B22 month after month read another figure. A figure with nothing to
    divide was the text "—" in a column of numbers; the other sheets leave the cell
    empty."""
    ledger.to_state(ledger.log(), "resolved")
    books = {name: _rows(_load(_book(ledger, tmp_path, *args, name=f"{name}.xlsx")[0])
                         ["Summary"])
             for name, args in (("empty", ("--month", "2026-08")),
                                ("whole", ("--month", "2026-10")),
                                ("running", ("--month", "2026-11")))}
    places = {name: [r[0] for r in rows] for name, rows in books.items()}
    assert places["empty"][3:] == places["whole"][3:] == places["running"][3:], places
    assert places["empty"][2] == "No complaint was received, resolved or closed in this " \
        "period." and places["whole"][2] is None
    at = places["empty"].index("satisfaction rate")
    assert books["empty"][at][1] is None, books["empty"][at]
    assert not any(v == "—" for rows in books.values() for row in rows for v in row)


def test_an_amount_of_more_digits_than_excel_keeps_is_written_as_its_text(ledger, tmp_path):
    """11 refunds of 999,999,999,999.99 (each within the most an amount may be): JSON
    and CSV said 10999999999999.89, the workbook's cell 10999999999999.9 (an Excel
    number keeps 15 digits). Such a total is written as its exact text; one amount,
    and any of 15 digits or fewer, stays a number."""
    for day in range(11, 22):
        cid = ledger.log(received="2026-09-29 09:00", customer=f"客户{day}")
        ledger.to_state(cid, "investigating")
        ledger("resolve", cid, "--disposition", "refund", "--summary", "退款", "--amount",
               "999999999999.99", "--approved-by", "总经理", "--at",
               f"2026-10-{day:02d} 15:00")
    paid = ledger.json("report", "--month", "2026-10")["paid"]["amount"]
    assert paid == "10999999999999.89", paid
    path, _r = _book(ledger, tmp_path, "--month", "2026-10")
    cells = [c for row in _load(path)["Summary"].iter_rows() for c in row
             if c.value in ("10999999999999.89", 10999999999999.89)]
    assert [(c.value, c.data_type) for c in cells] == [("10999999999999.89", "s")], cells
    export = tmp_path / "r.xlsx"
    ledger("export", "complaints", "--output", export)
    amounts = [c.value for row in _load(export).worksheets[0].iter_rows() for c in row
               if c.value in ("999999999999.99", 999999999999.99)]
    assert amounts == [999999999999.99] * 11, amounts


# The mapping of the small registers of one sheet a year below.
SHEET_MAPPING = ('key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
                 'description = "投诉内容"\nseverity = "严重程度"\ncategory = "投诉类别"\n'
                 '[defaults]\nchannel = "phone"\n')


def test_a_row_hidden_in_the_sheet_is_read_and_said(ledger, tmp_path):
    """A row Excel hides (a test row, one "deleted" by hiding it) came in as a complaint
    with nothing said. It is read as any other, and said, in a dry run too."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "投诉日期", "客户名称", "投诉内容", "严重程度", "投诉类别"])
    sheet.append(["A-1", "2026-03-06", "甲公司", "破损", "中", "质量"])
    sheet.append(["A-9", "2026-03-07", "测试客户", "测试数据", "中", "质量"])
    sheet.row_dimensions[3].hidden = True
    path = tmp_path / "h.xlsx"
    book.save(path)
    mapping = tmp_path / "h.toml"
    mapping.write_text(SHEET_MAPPING, encoding="utf-8")
    said = ("Warning: row 3 is hidden in the sheet: it is read as any other (delete it in the "
            "sheet if it is not a complaint)")
    assert said in ledger("import", path, "--mapping", mapping, "--dry-run").stderr
    r = ledger("import", path, "--mapping", mapping)
    assert said in r.stderr, r.stderr
    assert ledger.rows("SELECT source_key FROM complaints ORDER BY source_key") == [
        ("A-1",), ("A-9",)]


def test_a_refusal_on_a_sheet_chosen_names_the_sheet(ledger, tmp_path):
    """A workbook of one sheet a year has a row 2 on each: `--sheet 2024年`'s refusals
    said "row 2, column 投诉日期" with no sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    header = ["编号", "投诉日期", "客户名称", "投诉内容", "严重程度", "投诉类别"]
    first = book.active
    first.title = "2023年"
    first.append(header)
    first.append(["A-1", "2023-03-06", "甲公司", "破损", "中", "质量"])
    second = book.create_sheet("2024年")
    second.append(header)
    second.append(["B-1", "2024-02-30", "乙公司", "破损", "中", "质量"])
    path = tmp_path / "years.xlsx"
    book.save(path)
    mapping = tmp_path / "y.toml"
    mapping.write_text(SHEET_MAPPING, encoding="utf-8")
    before = ledger.snapshot()
    for dry in ((), ("--dry-run",)):
        r = ledger("import", path, "--mapping", mapping, "--sheet", "2024年", *dry, code=2)
        assert r.stderr.startswith("sheet 2024年: row 2, column 投诉日期: '2024-02-30'"), \
            r.stderr
    assert ledger.snapshot() == before
