"""`import` (issue 15): a Chinese register in GBK CSV or XLSX through a mapping, with its
history as lifecycle steps; dry run; a bad row refuses the whole file, named by row and
column; a re-import adds nothing; a newer copy adds the steps since; a changed row is
a conflict; a batch voided whole; the round trip through `export complaints`; the
starter mapping; an English register shaped like the CFPB's, with no code change."""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from support import dump, read_rows

from complaintctl import parse

HEADER = ["投诉单号", "投诉日期", "客户名称", "联系电话", "投诉渠道", "投诉类别", "严重程度",
          "产品型号", "投诉内容", "受理人", "责任部门", "责任人", "分派日期", "原因分析",
          "原因类别", "处理方式", "处理说明", "处理日期", "回访结果", "回访日期"]

ROWS = [
    ["2025-001", "2025年3月3日", "华东电器有限公司", "13812345678", "电话", "质量", "高级",
     "XD-200", "电机异响", "周敏", "质量部", "王芳", "2025-03-03", "扭矩不足", "制造",
     "换货", "换新机三台", "2025-03-06", "满意", "2025-03-07"],
    ["2025-002", "2025/3/10", "宁波精工", "", "邮件", "交付", "中级", "PS-5", "晚到三天",
     "周敏", "物流部", "刘洋", "2025-03-11", "", "", "", "", "", "", ""],
    ["2025-003", "2025-04-01", "Acme", "", "来访", "服务", "低级", "XD-300", "态度差", "吴婷",
     "", "", "", "", "", "", "", "", "", ""],
]

MAPPING = """
key = "投诉单号"

[columns]
received = "投诉日期"
customer = "客户名称"
contact = "联系电话"
channel = "投诉渠道"
category = "投诉类别"
severity = "严重程度"
product = "产品型号"
description = "投诉内容"
logged_by = "受理人"
department = "责任部门"
owner = "责任人"
assigned_at = "分派日期"
cause = "原因分析"
cause_category = "原因类别"
disposition = "处理方式"
summary = "处理说明"
resolved = "处理日期"
satisfaction = "回访结果"
revisited = "回访日期"

[values.category]
"交付" = "delivery"

[dates]
concluded_at = "resolved_at"
"""


def write_csv(path: Path, rows: list[list[str]], encoding: str = "gbk",
              header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path):
    m = tmp_path / "map.toml"
    m.write_text(MAPPING, encoding="utf-8")
    return {"csv": write_csv(tmp_path / "登记表.csv", ROWS), "map": m, "dir": tmp_path}


def complaints(run) -> list[tuple]:
    return run.rows("SELECT source_key, status, customer, channel, category, severity, "
                    "logged_by, department, assigned_at, concluded_at, resolved_at, "
                    "closed_at, import_batch FROM complaints ORDER BY source_key")


def _beyond_the_batch(ledger, before: list[str]) -> list[str]:
    """What an import changed in the ledger besides its batch: the batch's row, its
    `import` event and the events' counter (sqlite_sequence) left out."""
    return [x for x in ledger.snapshot() if x not in before and "import_batches" not in x
            and "'import','{\"batch\"" not in x and "sqlite_sequence" not in x]


def test_gbk_register_with_history(ledger, files):
    r = ledger("import", files["csv"], "--mapping", files["map"])
    assert "Import batch 1: 3 new complaints, 0 already imported." in r.stderr
    rows = complaints(ledger)
    assert [x[:8] for x in rows] == [
        ("2025-001", "closed", "华东电器有限公司", "phone", "quality", "high", "周敏", "质量部"),
        ("2025-002", "assigned", "宁波精工", "email", "delivery", "medium", "周敏", "物流部"),
        ("2025-003", "logged", "Acme", "visit", "service", "low", "吴婷", None)]
    assert rows[0][8:12] == ("2025-03-02T16:00:00Z", "2025-03-05T16:00:00Z",
                             "2025-03-05T16:00:00Z", "2025-03-06T16:00:00Z")
    assert {x[12] for x in rows} == {1}
    # the events: usual kinds, the importing user as actor, the source in each; the
    # investigation's time came from [dates]: estimated
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    shown = ledger.json("show", "--ref", "2025-001")
    assert shown["id"] == cid and shown["source_key"] == "2025-001"
    kinds = [(e["kind"], e["actor"], e["data"]["source"]["row"], e["data"].get("estimated"))
             for e in shown["events"]]
    assert kinds == [("log", "tester", 2, None), ("assign", "tester", 2, None),
                     ("investigate", "tester", 2, True), ("resolve", "tester", 2, None),
                     ("revisit", "tester", 2, None)]
    source = shown["events"][0]["data"]["source"]
    assert source["file"] == "登记表.csv" and len(source["row_hash"]) == 64
    # the row hash leaves the contact out: the same row with another phone, same hash
    other = write_csv(files["dir"] / "other.csv", [ROWS[0][:3] + ["13900000000"] + ROWS[0][4:]])
    from support import NOW

    from complaintctl import importer, mapping, readers
    from complaintctl.store import Ledger

    lg = Ledger.open(ledger.db)
    table = readers.open_table(other)
    reader = importer.Reader(lg, table, mapping.load(str(files["map"])), now=NOW)
    number, cells = next(table.rows)
    assert reader.row_hash(reader.read(number, cells)) == source["row_hash"]
    lg.close()
    assert [r["source_key"] for r in ledger.json("list", "--ref", "2025-002")] == ["2025-002"]
    assert ledger("verify").exit_code == 0


def test_show_names_what_an_import_adds_to_its_events(ledger, files, monkeypatch):
    """The history of an imported complaint showed import_batch, source_key and the
    source with its 64-digit row hash as stored: named as show names them, the source
    as its file and row (the hash stays in the JSON)."""
    ledger("import", files["csv"], "--mapping", files["map"])
    monkeypatch.setenv("COLUMNS", "300")  # each history line whole
    zh = ledger("--lang", "zh", "show", "--ref", "2025-001").stdout
    for part in ("导入批次：1", "原登记编号：2025-001", "来源：登记表.csv 第 2 行", "推定：是"):
        assert part in zh, (part, zh)
    en = ledger("show", "--ref", "2025-001").stdout
    for part in ("import batch: 1", "register id: 2025-001", "source: 登记表.csv, row 2",
                 "estimated: yes"):  # (the investigation's time came from [dates])
        assert part in en, (part, en)
    for text in (zh, en):
        assert "row_hash" not in text and "import_batch" not in text and "source_key" not in text
    data = ledger.json("show", "--ref", "2025-001")["events"][0]["data"]
    assert len(data["source"]["row_hash"]) == 64


def test_an_amount_without_a_resolution_is_refused_not_dropped(ledger, files):
    """赔偿金额 on a row with no 处理方式 nor 处理日期 came in logged, the amount gone."""
    header = [*HEADER, "赔偿金额"]
    rows = [[*ROWS[0], "1,250.50"], [*ROWS[2], "500"]]
    path = write_csv(files["dir"] / "amounts.csv", rows, header=header)
    mapping = files["dir"] / "amounts.toml"
    mapping.write_text(MAPPING.replace('revisited = "回访日期"\n',
                                       'revisited = "回访日期"\namount = "赔偿金额"\n'),
                       encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)  # as a resolution's own gaps
    assert "row 3, column 赔偿金额: an amount is paid in a resolution" in r.stderr, r.stderr
    assert "row 2" not in r.stderr  # the resolved row takes its amount
    assert ledger.snapshot() == before


def test_a_registers_0_amount_is_no_money_and_an_explanation_pays_none(ledger, files):
    """A register's 0.00 in 赔偿金额 beside 换货 was stored as an amount paid (a resolve
    step now refuses 0); 300 beside 解释说明 was stored as paid: the row is refused."""
    header = [*HEADER, "赔偿金额"]
    explained = [*ROWS[0], "300"]
    explained[0], explained[15] = "2025-004", "解释说明"
    rows = [[*ROWS[0], "0.00"], explained]
    path = write_csv(files["dir"] / "amounts.csv", rows, header=header)
    mapping = files["dir"] / "amounts.toml"
    mapping.write_text(MAPPING.replace('revisited = "回访日期"\n',
                                       'revisited = "回访日期"\namount = "赔偿金额"\n'),
                       encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--skip-bad", "--rejects",
               files["dir"] / "rejects.csv")
    assert ledger.rows("SELECT disposition, amount, currency FROM resolutions") == [
        ("exchange", None, None)]
    assert ledger.rows("SELECT disposition, amount FROM complaints") == [("exchange", None)]
    rejects = (files["dir"] / "rejects.csv").read_text(encoding="utf-8-sig")
    assert "2025-004" in rejects and "with explanation none moves" in rejects, rejects
    assert "1 refused" in r.stdout + r.stderr or "refused: 1" in r.stdout + r.stderr, r.stdout
    # the batches' table says so too (it showed 2 rows, 1 new, and nothing of the other)
    table = ledger("import", "--batches").stdout
    assert " conflicts refused " in table, table
    assert ledger.json("import", "--batches")[0]["refused"] == 1


def test_a_refund_without_an_amount_is_imported_and_counted_apart(ledger, files):
    """A register's 退款 with no amount came in and the report's paid left it out without
    a word (resolve on the command line now refuses a refund without --amount)."""
    refunded = list(ROWS[0])
    refunded[15] = "退款"
    path = write_csv(files["dir"] / "refund.csv", [refunded, ROWS[1]])
    mapping = files["dir"] / "refund.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT disposition, amount FROM resolutions") == [("refund", None)]
    rep = ledger.json("report", "--month", "2025-03")
    assert rep["paid"] == {"count": 0, "amount": "0.00", "currency": "CNY",
                           "by_disposition": [], "without_amount": 1}
    summary = ledger("report", "--month", "2025-03").stdout
    # (the name wraps: "refunds, discounts," over "compensation"; the value beside both)
    assert "1 recorded without an amount, not in the total" in " ".join(
        " ".join(summary.split()).split("refunds, discounts,")[1:]), summary
    zh = ledger("--lang", "zh", "report", "--month", "2025-03").stdout
    assert "另有 1 笔未记金额，未计入合计" in zh, zh
    csv_text = ledger("report", "--month", "2025-03", "--format", "csv").stdout
    assert '"refunds, discounts, compensation without an amount",1' in csv_text, csv_text
    # a refund told now says how much
    cid = ledger.rows("SELECT id FROM complaints WHERE disposition IS NULL")[0][0]
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2025-03-12 09:00")
    ledger("investigate", cid, "--cause", "x", "--at", "2025-03-12 10:00")
    before = ledger.snapshot()
    r = ledger("resolve", cid, "--disposition", "refund", "--summary", "退款", "--at",
               "2025-03-12 11:00", code=2)
    assert r.stderr.startswith("Error: a resolution with refund needs --amount: what the "
                               "customer is paid or credited\nHint: e.g. --amount 1250.50"
                               ), r.stderr
    assert ledger.snapshot() == before
    ledger("resolve", cid, "--disposition", "discount", "--summary", "折让", "--amount", "30",
           "--at", "2025-03-12 11:00")
    paid = ledger.json("report", "--month", "2025-03")["paid"]
    assert (paid["count"], paid["amount"], paid["without_amount"]) == (1, "30.00", 1)


def test_each_contact_gets_its_own_salt(ledger, files):
    """Salts are drawn from os.urandom in blocks: still one of its own for each
    complaint, 16 hex digits, the same phone number salted differently."""
    rows = [[f"2025-1{i}", *row[1:3], "13900000000", *row[4:]] for i, row in enumerate(ROWS)]
    same = write_csv(files["dir"] / "same.csv", rows)
    assert ledger("import", same, "--mapping", files["map"]).exit_code == 0
    salts = [s for (s,) in ledger.rows("SELECT contact_salt FROM complaints")]
    assert len(salts) == 3 and len(set(salts)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{16}", s) for s in salts)


def test_an_intake_value_from_defaults_marks_the_log_estimated(ledger, files):
    """The issue: a step whose fact came from [defaults] is marked estimated; the log is
    a step, its channel a fact. A row with its own channel is not marked, nor is the
    repeat link the estimated row makes on a complaint typed before the import."""
    typed = ledger.log(customer="宁波精工", product="PS-5", received="2025-03-20 10:00")
    rows = [ROWS[0], ROWS[1][:4] + [""] + ROWS[1][5:]]
    path = write_csv(files["dir"] / "no-channel.csv", rows)
    files["map"].write_text(MAPPING + '\n[defaults]\nchannel = "phone"\n', encoding="utf-8")
    ledger("import", path, "--mapping", files["map"])
    marks = [[(e["kind"], e["data"].get("estimated")) for e in
              ledger.json("show", "--ref", key)["events"]][:2]
             for key in ("2025-001", "2025-002")]
    assert marks == [[("log", None), ("assign", None)], [("log", True), ("assign", None)]]
    assert ledger.rows("SELECT source_key, channel FROM complaints WHERE source_key IS NOT "
                       "NULL ORDER BY source_key") == [("2025-001", "phone"), ("2025-002", "phone")]
    (link,) = [e for e in ledger.json("show", typed)["events"] if e["kind"] == "repeat-link"]
    assert link["data"]["repeat_of"] == ledger.json("show", "--ref", "2025-002")["id"]
    assert "estimated" not in link["data"]


def test_xlsx_register(ledger, tmp_path, files):
    import xlsxwriter

    path = tmp_path / "register.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write(0, 0, "这一页不是登记表")
    sheet = book.add_worksheet("登记表")
    sheet.write_row(0, 0, HEADER)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    from datetime import datetime

    for i, row in enumerate(ROWS, start=1):
        for j, value in enumerate(row):
            if j == 1 and i == 1:
                sheet.write_datetime(i, j, datetime(2025, 3, 3), date_format)  # a real date
            elif value:
                sheet.write(i, j, value)
    book.close()
    r = ledger("import", path, "--mapping", files["map"], "--sheet", "登记表")
    assert "3 new complaints" in r.stderr
    assert [x[:3] for x in complaints(ledger)] == [
        ("2025-001", "closed", "华东电器有限公司"), ("2025-002", "assigned", "宁波精工"),
        ("2025-003", "logged", "Acme")]
    bad = ledger("import", path, "--mapping", files["map"], "--sheet", "无此页", code=2)
    assert "no sheet '无此页'" in bad.stderr and "登记表" in bad.stderr
    # the first sheet, of notes, read for the register: which sheets there are, and how
    # to choose (it said only "has no header row")
    bad = ledger("import", path, "--mapping", files["map"], code=2)
    assert bad.stderr == (f"Error: sheet '说明' of {path} has no header row\nHint: the "
                          "register is on another sheet? Its sheets: 说明, 登记表; choose one "
                          "with --sheet NAME\n"), bad.stderr
    # --encoding is a CSV's (it was taken without a word, as --sheet on a CSV is not)
    before = ledger.snapshot()
    bad = ledger("import", path, "--mapping", files["map"], "--sheet", "登记表",
                 "--encoding", "gbk", code=2)
    assert bad.stderr == (f"Error: --encoding is for a CSV file; {path} is a workbook, whose "
                          "text is Unicode\nHint: leave --encoding out\n"), bad.stderr
    assert ledger.snapshot() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipe_or_a_device_is_not_read_as_a_register(ledger, files, tmp_path):
    """`import /dev/zero` read without end (3.8 GB in six seconds) and a named pipe
    waited for a writer for ever: a register is a file on disk."""
    pipe = tmp_path / "register.csv"
    os.mkfifo(pipe)
    before = ledger.snapshot()
    for path in (str(pipe), "/dev/zero"):
        for args in (("--mapping", str(files["map"])), ("--template",)):
            r = ledger("import", path, *args, code=2)
            assert r.stderr.startswith(f"Error: cannot read {path}: it is not a regular file "
                                       "(a device, a pipe or a socket)\nHint: give the "
                                       "register saved as a file"), r.stderr
    assert ledger.snapshot() == before


def test_a_word_the_mapping_gives_that_is_no_word_is_said_once_before_the_rows(ledger,
                                                                              files):
    """[values.severity] "一级" = "高级别": every row with 一级 said '"一级" is not a
    severity (did you mean 高级?)' -- the file's word blamed, with a guess of the other."""
    mapping = files["dir"] / "bad.toml"
    mapping.write_text(MAPPING.replace("[values.category]", '[values.severity]\n"一级" = '
                                       '"高级别"\n\n[values.category]'), encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", mapping, "--dry-run", code=2)
    assert r.stderr.startswith("Error: mapping [values.severity]: '高级别' (given for '一级') "
                               "is not a severity"), r.stderr
    assert "Hint: its words: critical, high, medium, low" in r.stderr
    assert "row " not in r.stderr and r.stderr.count("Error: ") == 1
    assert ledger.snapshot() == before


def test_rows_numbered_ahead_with_nothing_else_are_skipped_not_refused(ledger, files):
    """A register numbered down the sheet before it was filled in: each row holding its
    序号 (or register key) alone was refused with four "empty" errors."""
    header = ["序号", "投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度",
              "投诉内容"]
    path = write_csv(files["dir"] / "ahead.csv", [
        ["1", "KS-1", "2025-03-05", "甲", "电话", "质量", "高", "异响"],
        ["2", "", "", "", "", "", "", ""], ["3", "KS-3", "", "", "", "", "", ""],
        ["4", "", "", "", "", "", "", "  "]], header=header)
    mapping = files["dir"] / "ahead.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived = "投诉日期"\ncustomer = "客户名称"'
                       '\nchannel = "投诉渠道"\ncategory = "投诉类别"\nseverity = "严重程度"\n'
                       'description = "投诉内容"\n', encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "Import batch 1: 1 new complaint, 0 already imported, 3 rows with nothing to " \
        "import skipped." in r.stderr, r.stderr
    assert ledger.rows("SELECT source_key FROM complaints") == [("KS-1",)]


def test_a_totals_row_is_skipped_and_counted(ledger, files):
    """A register ends with its 合计 row (the key column says 合计, the quantities and
    amounts summed): it was refused like a complaint with four empty fields, and the
    whole file with it. A row with a customer or a date is never taken for one."""
    totals = ["合计：", *[""] * 18, "3"]
    total = ["", "", "", "", "", "", "", "", "Total", *[""] * 11]
    path = write_csv(files["dir"] / "totals.csv", [*ROWS, totals, total])
    r = ledger("import", path, "--mapping", files["map"])
    assert "Import batch 1: 3 new complaints, 0 already imported, 2 totals rows (合计) " \
        "skipped." in r.stderr, r.stderr
    assert ledger.rows("SELECT count(*) FROM complaints") == [(3,)]
    # a row with a customer is a complaint, whatever another cell says: refused (no date)
    named = ["2025-009", "", "甲公司", *[""] * 5, "合计", *[""] * 11]
    r = ledger("import", write_csv(files["dir"] / "named.csv", [named]), "--mapping",
               files["map"], code=2)
    assert "row 2, column 投诉日期" in r.stderr, r.stderr
    r = ledger("--lang", "zh", "import", path, "--mapping", files["map"], "--dry-run")
    assert "跳过合计行 2 行" in r.stdout, r.stdout


def test_totals_merged_across_columns_and_signature_rows_are_skipped(ledger, files):
    """A 合计 merged across the first columns (its value counts for each column it
    covers: a "date" and a "channel" of 合计) and monthly 1月小计 rows were refused, and
    the whole file with them; so were the 制表人：… / 审核：… lines under a register."""
    import xlsxwriter

    path = files["dir"] / "totals.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(ROWS, start=1):
        sheet.write_row(i, 0, row)
    sheet.merge_range(4, 0, 4, 6, "合计")
    sheet.write_number(4, 7, 3)
    sheet.write_row(5, 0, ["1月小计", "", "", "", "", "", "", "3"])
    sheet.write_row(6, 0, ["制表人：周敏", "", "", "", "审核：王芳"])
    book.close()
    r = ledger("import", path, "--mapping", files["map"])
    assert "3 new complaints, 0 already imported, 2 totals rows (合计) skipped, 1 signature " \
        "row (制表人, 审核) skipped." in r.stderr, r.stderr
    # 合计 alone in the key's column (投诉单号), nothing else in a column read: a totals row
    # (it was counted as a row with nothing to import)
    totals = write_csv(files["dir"] / "totals.csv", [*ROWS, ["合计"] + [""] * 19])
    r = ledger("import", totals, "--mapping", files["map"], "--dry-run")
    assert r.stdout.endswith("0 new complaints, 3 already imported, 1 totals row (合计) "
                             "skipped.\n"), r.stdout


def test_a_line_of_labels_over_a_two_row_header_is_passed_over(ledger, files):
    """填表部门：品质部 and 填表日期：… over the header were taken for the header (two
    cells filled): the real header's groups lost their columns, and the row of their
    names was refused as a complaint. Grouped names are guessed by their group too
    (处理情况/日期 is 处理日期: resolved_at)."""
    top = ["序号", "投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度",
           "问题描述", "处理情况", "", "", "回访情况", ""]
    below = ["", "", "", "", "", "", "", "", "处理人", "日期", "结果", "日期", "结果"]
    rows = [["1", "B-1", "2024/3/5", "甲", "电话", "质量", "一般", "坏", "张三", "2024/3/6",
             "换货", "2024/3/8", "满意"]]
    path = files["dir"] / "labels.csv"
    with open(path, "w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["2024年客户投诉登记表"])
        out.writerow(["填表部门：品质部", "", "", "", "", "", "", "", "填表日期：2024-12-31"])
        out.writerows([top, below, *rows])
    text = ledger("import", path, "--template").stdout
    for line in ('owner = "处理人"', 'resolved_at = "处理情况/日期"',
                 'summary = "处理情况/结果"', 'satisfaction = "回访情况/结果"',
                 'revisited_at = "回访情况/日期"'):
        assert line in text, (line, text)
    mapping = files["dir"] / "labels.toml"
    assert '\nassigned_at = "received_at"\n' in text, text  # (no assignment date: the
    # template says where it comes from, as the user had to)
    mapping.write_text(text.replace("[defaults]\n", '[defaults]\ncause = "未填"\ndepartment = '
                                    '"品质部"\ndisposition = "exchange"\n', 1)
                       + ('' if 'concluded_at' in text else 'concluded_at = "resolved_at"\n'),
                       encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "1 new complaint" in r.stderr, r.stderr
    assert ledger.rows("SELECT status, owner, satisfaction FROM complaints") == [
        ("closed", "张三", "satisfied")]


def test_counts_with_full_width_digits_units_and_thousands(ledger, files):
    """５台, ２０台, 1,200 and 1,200台 were refused as "not a whole number above 0"."""
    header = [*HEADER, "数量"]
    values = ["５台", "２０台", "1,200", "1,200台"]
    rows = []
    for n, value in enumerate(values):
        row = [*ROWS[2], value]
        row[0] = f"Q-{n}"
        rows.append(row)
    path = write_csv(files["dir"] / "counts.csv", rows, header=header)
    mapping = files["dir"] / "counts.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'quantity = "数量"\n\n'
                                       "[values.category]"), encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT quantity FROM complaints ORDER BY source_key") == [
        (5,), (20,), (1200,), (1200,)]
    bad = write_csv(files["dir"] / "bad.csv", [[*ROWS[2][:1], *ROWS[2][1:], "1,20"]],
                    header=header)
    r = ledger("import", bad, "--mapping", mapping, code=2)
    assert "'1,20' is not a whole number above 0" in r.stderr, r.stderr


# A register of resolved rows that records no revisit nor closing, and its mapping.
RESOLVED_HEADER = ["编号", "投诉日期", "客户名称", "投诉内容", "严重程度", "责任部门", "责任人",
                   "原因分析", "处理方式", "处理日期"]
RESOLVED_HEAD = ('key = "编号"\n[columns]\ncustomer = "客户名称"\nseverity = "严重程度"\n'
                 'received_at = "投诉日期"\ndescription = "投诉内容"\ndepartment = "责任部门"\n'
                 'owner = "责任人"\ncause = "原因分析"\ndisposition = "处理方式"\n'
                 'resolved_at = "处理日期"\n[defaults]\nchannel = "phone"\n'
                 'category = "quality"\nsummary = "已处理"\n')
RESOLVED_DATES = '[dates]\nassigned_at = "received_at"\nconcluded_at = "resolved_at"\n'


def test_resolved_rows_never_revisited_are_told_how_to_come_in_closed(ledger, tmp_path):
    """A register that never recorded its closings: every resolved row came in with its
    revisit open, L3 in `overdue` the next morning, and the warning named a status
    column the register does not have. It says how to close them by their resolution's
    date, and importing it again so closes them."""
    path = write_csv(tmp_path / "r.csv", [
        ["001", "2026-03-01", "华东电器", "屏幕破裂", "高", "质量部", "王芳", "焊接不良", "换货",
         "2026-03-05"],
        ["002", "2026-03-02", "南方", "漏水", "低", "质量部", "李明", "密封圈", "维修",
         "2026-03-08"]], encoding="utf-8-sig",
        header=RESOLVED_HEADER)
    head, dates = RESOLVED_HEAD, RESOLVED_DATES
    mapping = tmp_path / "m.toml"
    mapping.write_text(head + dates, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "2 of them are revisits: if the register never recorded its closings, add " \
        'closed_at = "resolved_at" under [dates] and close_reason = "…" under [defaults], ' \
        "and import it again (each resolved row is then closed, marked estimated)\n" \
        in r.stderr, r.stderr
    assert [s["stage"] for s in ledger.json("overdue")] == ["revisit", "revisit"]
    mapping.write_text(head + 'close_reason = "历史数据，未回访"\n' + dates
                       + 'closed_at = "resolved_at"\n', encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "2 with new steps (2 steps)" in r.stderr, r.stderr
    assert ledger.json("overdue") == []
    assert ledger.rows("SELECT status, close_reason FROM complaints") == [
        ("closed", "历史数据，未回访")] * 2


def test_an_import_cut_short_in_its_new_steps_says_so_and_its_batch_what_it_gave(
        ledger, tmp_path, monkeypatch):
    """A newer copy of the register interrupted while its new steps went in (a
    transaction each, after the import's): 6,577 of 8,000 complaints had them, `import
    --batches` said 8,000, and the message only that the import was in the ledger. The
    batch says how many had them; the message says so and to import the file again,
    which gives the rest theirs."""
    from complaintctl import bulk

    rows = [[f"00{i}", f"2026-03-0{i}", f"客户{i}", "漏水", "低", "质量部", "李明", "密封圈",
             "维修", "2026-03-08"] for i in range(1, 4)]
    path = write_csv(tmp_path / "r.csv", rows, encoding="utf-8-sig",
                     header=RESOLVED_HEADER)
    head, dates = RESOLVED_HEAD, RESOLVED_DATES
    mapping = tmp_path / "m.toml"
    mapping.write_text(head + dates, encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    mapping.write_text(head + 'close_reason = "历史数据，未回访"\n' + dates
                       + 'closed_at = "resolved_at"\n', encoding="utf-8")
    through = bulk.step_through
    calls = []

    def cut(*args, **kw):
        calls.append(args[1])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return through(*args, **kw)

    monkeypatch.setattr(bulk, "step_through", cut)
    r = ledger("import", path, "--mapping", mapping, code=130)
    assert r.stderr.endswith(
        "Interrupted after the import was recorded, while it gave complaints held before "
        "their new steps: 1 of 3 had them (see it with complaintctl import --batches). "
        "Import the file again to give the rest theirs.\n"), r.stderr
    assert ledger.rows("SELECT updated FROM import_batches ORDER BY id") == [(0,), (1,)]
    assert ledger.rows("SELECT status FROM complaints ORDER BY id") == [
        ("closed",), ("resolved",), ("resolved",)]
    monkeypatch.setattr(bulk, "step_through", through)
    r = ledger("import", path, "--mapping", mapping)
    assert "2 with new steps (2 steps)" in r.stderr, r.stderr
    assert ledger.rows("SELECT status FROM complaints") == [("closed",)] * 3


def test_a_conflict_says_a_word_as_the_screens_do_and_a_column_once(ledger, tmp_path):
    """A newer copy's 处理方式 changed from 换货 to 退货: the conflict said the stored codes
    ('exchange', 'return'), in Chinese too, and a column that feeds two fields (the
    disposition and its summary) twice, with two pairs of values. Said once, as the
    screens say the word (the file's text where a field keeps it)."""
    header = ["编号", "投诉日期", "客户名称", "投诉内容", "严重程度", "责任部门", "责任人",
              "原因分析", "处理方式", "处理日期"]
    row = ["001", "2026-03-01", "华东电器", "漏水", "低", "质量部", "李明", "密封圈", "换货",
           "2026-03-08"]
    head = ('key = "编号"\n[columns]\ncustomer = "客户名称"\nseverity = "严重程度"\n'
            'received_at = "投诉日期"\ndescription = "投诉内容"\ndepartment = "责任部门"\n'
            'owner = "责任人"\ncause = "原因分析"\ndisposition = "处理方式"\n'
            'resolved_at = "处理日期"\n[defaults]\nchannel = "phone"\ncategory = "quality"\n'
            '[dates]\nassigned_at = "received_at"\nconcluded_at = "resolved_at"\n')
    mapping = tmp_path / "m.toml"
    for summary, word, said_en, said_zh in (
            # (in English the screens' words too: 'no action', not the code no-action)
            ('summary = "已处理"\n', "不处理",
             "处理方式 was 'exchange', the file now says 'no action'",
             "“处理方式”列原为“换货”，文件现为“不处理”"),
            ('summary = "处理方式"\n', "退货", "处理方式 was '换货', the file now says '退货'",
             "“处理方式”列原为“换货”，文件现为“退货”")):
        ledger("--db", tmp_path / "l.db", "init", "--timezone", "Asia/Shanghai")
        text = head.replace("[defaults]\n", "[defaults]\n" + summary) if "已" in summary \
            else head.replace('resolved_at = "处理日期"\n', 'resolved_at = "处理日期"\n' + summary)
        mapping.write_text(text, encoding="utf-8")
        first = write_csv(tmp_path / "r.csv", [row], encoding="utf-8-sig", header=header)
        ledger("--db", tmp_path / "l.db", "import", first, "--mapping", mapping)
        newer = write_csv(tmp_path / "r2.csv", [[*row[:8], word, row[9]]],
                          encoding="utf-8-sig", header=header)
        for lang, said in (("en", said_en), ("zh", said_zh)):
            r = ledger("--db", tmp_path / "l.db", "--lang", lang, "import", newer,
                       "--mapping", mapping, "--dry-run")
            line = next(x for x in r.stderr.splitlines() if "001" in x)
            assert said in line and line.count("处理方式") == 1, line
            assert "exchange" not in line or lang == "en", line
        (tmp_path / "l.db").unlink()


def test_an_import_says_how_many_of_its_stages_are_late_already(ledger, files):
    """A department's two years of history: every resolved row without a revisit date
    came in with its revisit stage open, ~700 working days late at L3, and `overdue`
    the next morning was all history; nothing said so when it was imported."""
    r = ledger("import", files["csv"], "--mapping", files["map"])
    from datetime import datetime
    from zoneinfo import ZoneInfo

    late = ledger.json("overdue", "--limit", "0")
    oldest = datetime.fromisoformat(min(s["due_at"] for s in late).replace("Z", "+00:00"))
    day = oldest.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    (line,) = [x for x in r.stderr.splitlines() if " past due already " in x]
    assert line == (f"Warning: {len(late)} stages of the complaints imported are past due "
                    f"already (the oldest since {day}): overdue lists them; a finished "
                    "complaint comes in closed with its revisit date, or its status (已结案) "
                    "and a close_reason"), line
    again = ledger("import", files["csv"], "--mapping", files["map"])  # nothing new: quiet
    assert " past due already " not in again.stderr


def test_a_dry_run_says_how_many_stages_would_be_late_at_once(ledger, files):
    """The dry run is where a clerk can still add the register's closings to the mapping;
    it said nothing of the stages the import would leave past due, only the import did."""
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", files["map"], "--dry-run")
    assert ledger.snapshot() == before
    (line,) = [x for x in r.stderr.splitlines() if " past due at once " in x]
    ledger("import", files["csv"], "--mapping", files["map"])
    late = ledger.json("overdue", "--limit", "0")
    assert late
    from datetime import datetime
    from zoneinfo import ZoneInfo

    oldest = datetime.fromisoformat(min(s["due_at"] for s in late).replace("Z", "+00:00"))
    day = oldest.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert line == (f"Warning: {len(late)} stages of these complaints would be past due at "
                    f"once (the oldest since {day}): overdue would list them; a finished "
                    "complaint comes in closed with its revisit date, or its status (已结案) "
                    "and a close_reason"), line


def test_dry_run_writes_nothing_and_says_how_the_words_were_read(ledger, files):
    """A dry run said only the counts: how 高级, 交付 or 换货 were read (the mapping's
    [values] lines or the word table) was seen only after the import, complaint by
    complaint. It says each column's words, what each became, in how many rows."""
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", files["map"], "--dry-run")
    assert r.stdout == (
        "How the register's words were read (rows):\n"
        "  投诉渠道: '来访' → visit ×1, '电话' → phone ×1, '邮件' → email ×1\n"
        "  投诉类别: '交付' → delivery ×1, '服务' → service ×1, '质量' → quality ×1\n"
        "  严重程度: '中级' → medium ×1, '低级' → low ×1, '高级' → high ×1\n"
        "  原因类别: '制造' → manufacturing ×1\n"
        "  处理方式: '换货' → exchange ×1\n"
        "  回访结果: '满意' → satisfied ×1\n"
        "Dry run, nothing written: 3 new complaints, 0 already imported.\n"), r.stdout
    assert ledger.snapshot() == before
    # the most rows first, at most 12 words a column; in Chinese, as the labels say them
    rows = [[f"2025-{i:03d}", "2025-03-03", "甲", "", "电话" if i % 3 else "邮件",
             ROWS[0][5], f"{(i % 14) + 1}级" if i > 13 else "高级", *ROWS[2][7:]]
            for i in range(1, 31)]
    path = write_csv(files["dir"] / "many.csv", rows)
    mapping = files["dir"] / "many.toml"
    mapping.write_text(MAPPING + "\n[values.severity]\n" + "".join(
        f'"{n}级" = "low"\n' for n in range(1, 15)), encoding="utf-8")
    r = ledger("--lang", "zh", "import", path, "--mapping", mapping, "--dry-run")
    lines = r.stdout.splitlines()
    assert lines[0] == "登记表中的词语读作（行数）："
    assert lines[1] == "  投诉渠道：“电话” → 电话 ×20、“邮件” → 邮件 ×10", lines
    assert lines[3].startswith("  严重程度：“高级” → 高 ×13、“1级” → 低 ×2、") and \
        lines[3].endswith("、另有 3 个词"), lines[3]
    assert ledger.snapshot() == before
    # a file with a bad row: the words are said all the same (they were only when every
    # row was good), before the refusal
    rows[0][1] = "2025/13/01"
    path = write_csv(files["dir"] / "many.csv", rows)
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert r.stdout.startswith("How the register's words were read (rows):\n"
                               "  投诉渠道: '电话' → phone ×20, '邮件' → email ×10\n"), r.stdout
    assert "row 2, column 投诉日期: '2025/13/01' is not a date" in r.stderr
    assert ledger.snapshot() == before


def test_a_dry_run_with_refused_rows_says_what_the_good_rows_would_give(ledger, files):
    """A dry run of a file with bad rows said the problems and "nothing was imported"
    (as if it had tried): what the good rows would give (--skip-bad) took a second run.
    It says both, and the refusal is said as a dry run's."""
    rows = [list(r) for r in ROWS]
    rows[1][1] = "2025/13/01"
    path = write_csv(files["dir"] / "bad.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], "--dry-run", code=2)
    assert r.stdout.endswith("Dry run, nothing written; with --skip-bad: 2 new complaints, "
                             "0 already imported, 1 refused.\n"), r.stdout
    assert "row 3, column 投诉日期: '2025/13/01' is not a date" in r.stderr
    assert "Error: 1 row refused: without --skip-bad the import would take nothing\n" \
        in r.stderr, r.stderr
    assert ledger.snapshot() == before
    # with --skip-bad the counts are the dry run's own line, as before
    r = ledger("import", path, "--mapping", files["map"], "--dry-run", "--skip-bad")
    assert r.stdout.endswith("Dry run, nothing written: 2 new complaints, 0 already "
                             "imported, 1 refused.\n"), r.stdout
    # no good row: no counts to give
    for row in rows:
        row[1] = "2025/13/01"
    path = write_csv(files["dir"] / "bad.csv", rows)
    r = ledger("import", path, "--mapping", files["map"], "--dry-run", code=2)
    assert "with --skip-bad" not in r.stdout, r.stdout
    assert "Error: 3 rows refused: the import would take nothing\n" in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_bad_rows_refuse_the_file(ledger, files):
    rows = [list(r) for r in ROWS]
    rows[1][1] = "2025/13/01"
    rows[2][6] = "甲级"
    path = write_csv(files["dir"] / "bad.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert "row 3, column 投诉日期: '2025/13/01' is not a date" in r.stderr
    assert "row 4, column 严重程度: '甲级' is not a severity" in r.stderr
    assert "Error: 2 rows refused; nothing was imported" in r.stderr
    assert ledger.snapshot() == before
    # in Chinese the field by its name, the mapping's key beside it ("不是有效的 severity")
    rows[1][2] = ""
    r = ledger("--lang", "zh", "import", write_csv(files["dir"] / "bad.csv", rows),
               "--mapping", files["map"], code=2)
    assert "第 3 行“客户名称”列：为空；客户（customer）为必填项" in r.stderr, r.stderr
    assert "第 4 行“严重程度”列：“甲级”不是有效的严重程度（severity）；请在 [values.severity] " \
        "中列出它" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    # every value reads, but a row's dates run backwards: a rule refuses it (exit 1)
    rows = [list(r) for r in ROWS]
    rows[0][17] = "2025-03-01"
    path = write_csv(files["dir"] / "backwards.csv", rows)
    r = ledger("import", path, "--mapping", files["map"], code=1)
    assert "row 2, column 处理日期: 2025-03-01 00:00 is before" in r.stderr
    assert "the dates run backwards" in r.stderr
    # once, by the file's column: the investigation takes its time from it ([dates]),
    # and the same refusal was said again as "column resolved_at"
    assert r.stderr.count("row 2, column ") == 1 and "column resolved_at" not in r.stderr
    assert ledger.snapshot() == before
    # --rejects onto the register itself, the mapping or another ledger: refused before
    # anything is imported (it wrote over the register, after the import committed)
    other = files["dir"] / "other.db"
    ledger("--db", other, "init")
    for target, why in ((path, "is a file this command reads"),
                        (files["map"], "is a file this command reads"),
                        (other, "is an SQLite database (another ledger?)")):
        raw = Path(target).read_bytes()
        r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects",
                   target, code=2)
        assert f"Error: --rejects {target} {why}" in r.stderr
        assert Path(target).read_bytes() == raw and ledger.snapshot() == before
    # --skip-bad: the good rows in, the bad one to --rejects (0600) with its reason
    rejects = files["dir"] / "rejects.csv"
    r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects", rejects)
    assert "2 new complaints" in r.stderr and "1 refused" in r.stderr
    assert stat.S_IMODE(os.stat(rejects).st_mode) == 0o600
    lines = list(csv.reader(rejects.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0][:3] == ["row", "reason", "投诉单号"]
    assert lines[1][0] == "2" and "dates run backwards" in lines[1][1]
    assert lines[1][2] == "2025-001"


def test_skip_bad_with_every_row_refused_is_refused_as_without_it(ledger, files):
    """--skip-bad on a file whose every row was refused exited 0 ("Import batch 1: 0 new
    complaints, … 3 refused") and wrote an empty batch: a cron job saw success. Now it
    is refused as without --skip-bad (exit 2: a value unreadable; 1: a rule), nothing
    written but the rejects, which say why; a dry run exits the same, writing nothing."""
    rows = [list(r) for r in ROWS]
    for row in rows:
        row[1] = "2025/13/01"
    path = write_csv(files["dir"] / "bad.csv", rows)
    rejects = files["dir"] / "rejects.csv"
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects", rejects,
               "--dry-run", code=2)
    assert "Error: every row was refused (3); nothing was imported" in r.stderr, r.stderr
    assert not rejects.exists() and ledger.snapshot() == before
    r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects", rejects,
               code=2)
    assert "row 2, column 投诉日期: '2025/13/01' is not a date" in r.stderr
    assert (f"Error: every row was refused (3), written with their reasons to {rejects}; "
            "nothing was imported\nHint: correct the file or the mapping and import it "
            "again") in r.stderr, r.stderr
    assert "Import batch" not in r.stderr and ledger.snapshot() == before
    lines = list(csv.reader(rejects.read_text(encoding="utf-8-sig").splitlines()))
    assert [x[0] for x in lines[1:]] == ["2", "3", "4"] and "is not a date" in lines[1][1]
    assert stat.S_IMODE(os.stat(rejects).st_mode) == 0o600
    # a rule refusing every row: exit 1; one row already imported is a good row
    ledger("import", files["csv"], "--mapping", files["map"])
    backwards = [list(r) for r in ROWS[:1]]
    backwards[0][0], backwards[0][17] = "2025-009", "2025-03-01"  # resolved before received
    path = write_csv(files["dir"] / "backwards.csv", backwards)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects", rejects,
               code=1)
    assert f"Error: its 1 row was refused, written with its reason to {rejects}; nothing " \
        "was imported" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    path = write_csv(files["dir"] / "with-old.csv", [*backwards, ROWS[1]])
    r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects", rejects)
    assert "0 new complaints, 1 already imported, 1 refused" in r.stderr, r.stderr
    # corrected, nothing refused: the rejects file of the run before is said to be that
    r = ledger("import", files["csv"], "--mapping", files["map"], "--skip-bad", "--rejects",
               rejects)
    assert f"Warning: {rejects} is from an earlier import: no row was refused this time" \
        in r.stderr, r.stderr


def test_reimport_newer_copy_conflict(ledger, files):
    ledger("import", files["csv"], "--mapping", files["map"])
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", files["map"])
    assert "0 new complaints, 3 already imported" in r.stderr
    # nothing but the batch's own row and its event
    assert len(ledger.snapshot()) == len(before) + 2
    assert ledger.rows("SELECT kind, data FROM events WHERE complaint_id IS NULL AND kind = "
                       "'import' ORDER BY id")[-1] == ("import", json.dumps(
        {"batch": 2, "file": "登记表.csv", "mapping": "map.toml",
         "sha256": ledger.rows("SELECT sha256 FROM import_batches WHERE id = 2")[0][0]},
        ensure_ascii=False, sort_keys=True))
    # a newer copy: 2025-002 was investigated, resolved and closed since; 2025-003's
    # customer was changed in the register (a conflict: reported, not changed); a new row
    rows = [list(r) for r in ROWS]
    rows[1][13:20] = ["包装破损", "物流", "换货", "补发两箱", "2025-03-15", "基本满意",
                      "2025-03-20"]
    rows[2][2] = "Acme Ltd"
    rows.append(["2025-004", "2025-05-05", "华南机电", "", "电话", "质量", "中级", "XD-200",
                 "漏油", "吴婷", "", "", "", "", "", "", "", "", "", ""])
    newer = write_csv(files["dir"] / "newer.csv", rows)
    r = ledger("import", newer, "--mapping", files["map"])
    assert "1 new complaint, 1 already imported, 1 with new steps (3 steps), 1 conflict" in r.stderr
    assert "Warning: conflict: row 4: 2025-003" in r.stderr
    assert "客户名称 was 'Acme', the file now says 'Acme Ltd'" in r.stderr
    # what to do, said once (it came back with every copy, with no word of it)
    assert r.stderr.count("Hint: the ledger keeps its own values; where the file is right, "
                          "correct the complaint (an intake value: complaintctl amend ID "
                          "--customer … --reason …") == 1, r.stderr
    rows_now = {x[0]: x for x in complaints(ledger)}
    assert rows_now["2025-002"][1] == "closed"
    assert rows_now["2025-003"][2] == "Acme"
    shown = ledger.json("show", "--ref", "2025-002")
    added = [e for e in shown["events"] if e["kind"] in ("investigate", "resolve", "revisit")]
    assert [e["data"]["source"]["file"] for e in added] == ["newer.csv"] * 3
    assert ledger("verify").exit_code == 0
    # voiding the newer copy's batch voids the complaint it brought in, and says that the
    # steps it gave 2025-002 stay (they are not undone)
    r = ledger("import", "--void-batch", "3", "--reason", "映射错了")
    assert "Voided 1 complaint of import batch 3." in r.stderr
    assert ("Warning: the new steps batch 3 gave 1 complaint of an earlier import stay, and "
            "count in the reports (a step is never undone): to undo them too, void that earlier "
            "batch as well and import the right register again") in r.stderr, r.stderr
    assert {x[0]: x[1] for x in complaints(ledger)}["2025-002"] == "closed"
    # and the reports say so beside the batch they leave out: its steps on 2025-002 count
    rep = ledger.json("report", "--month", "2025-03")
    assert rep["voided_imports"] == [{"batch": 3, "voided_at": "2026-11-23T12:00:00Z",
                                      "complaints": 1, "gave_steps_to": 1}]
    assert rep["resolved"] == 2  # 2025-001, and 2025-002 by batch 3's step
    assert ("import batch 3 (1 complaint), voided 2026-11-23 20:00; the new steps it gave 1 "
            "complaint of earlier imports still count") in ledger(
        "report", "--month", "2025-03", "--format", "markdown").stdout
    # the earlier batch voided too: its steps count no more, and the report says nothing
    # of them (it said they "still count")
    ledger("import", "--void-batch", "1", "--reason", "都错了")
    rep = ledger.json("report", "--month", "2025-03")
    assert [b["gave_steps_to"] for b in rep["voided_imports"]] == [0, 0]
    assert rep["resolved"] == 0 and "still count" not in ledger(
        "report", "--month", "2025-03", "--format", "markdown").stdout


def test_a_changed_step_date_is_a_conflict_in_the_dry_run_and_the_import_alike(ledger, files):
    """A newer copy whose 处理日期 moved a day made the dry run promise three new steps
    (an investigation estimated from it, the resolution, the revisit) and the import
    then refuse one as a 'conflict' while saying '1 with new steps (2)', its batch row
    counting no conflict; a complaint voided since the import was promised new steps."""
    ledger("import", files["csv"], "--mapping", files["map"])
    rows = [list(r) for r in ROWS]
    rows[0][17] = "2025-03-05"  # 处理日期 (the investigation's time too, by [dates])
    moved = write_csv(files["dir"] / "moved.csv", rows)
    before = ledger.snapshot()
    # (both times: "at another time than the ledger's" said neither)
    said = ("2025-001 (CC-2026-0001): its resolve step is at 2025-03-05 00:00 in the file, "
            "at 2025-03-06 00:00 in the ledger; the ledger is left as it is")
    for dry in (["--dry-run"], []):
        r = ledger("import", moved, "--mapping", files["map"], *dry)
        assert f"Warning: conflict: row 2: {said}" in r.stderr, r.stderr
        assert "0 new complaints, 2 already imported, 1 conflict." in r.stdout + r.stderr
        assert "new steps" not in r.stdout + r.stderr
    batch = ledger.rows("SELECT updated, unchanged, conflicts FROM import_batches WHERE id = 2")
    assert batch == [(0, 2, 1)]
    assert _beyond_the_batch(ledger, before) == []
    # voided by a clerk since: its new steps are refused in the dry run already
    rows = [list(r) for r in ROWS]
    rows[1][13:20] = ["包装破损", "物流", "换货", "补发两箱", "2025-03-15", "基本满意",
                      "2025-03-20"]
    newer = write_csv(files["dir"] / "newer.csv", rows)
    ledger("void", "CC-2026-0002", "--reason", "重复录入")
    said = ("2025-002 (CC-2026-0002): its new investigate step was refused: cannot "
            "investigate CC-2026-0002: it is void")
    for dry in (["--dry-run"], []):
        r = ledger("import", newer, "--mapping", files["map"], *dry)
        assert f"Warning: conflict: row 3: {said}" in r.stderr, r.stderr
        assert "new steps" not in r.stdout + r.stderr


def test_an_old_critical_complaints_second_revisit_is_not_asked_for(ledger, files):
    """A register's critical complaint closed in 2025 came in with its 90-day second
    revisit owed and late at once (level 3, the general manager, in every morning's
    overdue): one row does not say whether it was made. Due before the import and not
    in the row, none is asked for (said, with how many); one due after the import is
    owed as usual, and a closing typed by hand owes it as always."""
    rows = [list(r) for r in ROWS[:1]] * 3
    rows = [[f"2025-00{i + 1}", *r[1:]] for i, r in enumerate(rows)]
    for r in rows:
        r[6] = "紧急"
    rows[1][1], rows[1][12], rows[1][17], rows[1][19] = (  # closed 2026-11-10: due in 2027
        "2026-11-02", "2026-11-03", "2026-11-06", "2026-11-10")
    rows[2][17], rows[2][19] = "2025-03-06", "2025-03-07"
    path = write_csv(files["dir"] / "critical.csv", rows)
    r = ledger("import", path, "--mapping", files["map"], "--dry-run")
    assert ("2 critical complaints came in closed with their second revisits due before the "
            "import and not in the register: none is asked for (not in overdue)") in r.stderr, \
        r.stderr
    r = ledger("import", path, "--mapping", files["map"])
    assert "2 critical complaints came in closed" in r.stderr, r.stderr
    assert "past due already" not in r.stderr, r.stderr
    stages = ledger.rows("SELECT c.source_key, s.due_at FROM stages s JOIN complaints c ON "
                         "c.id = s.complaint_id WHERE s.stage = 'second-revisit'")
    assert stages == [("2025-002", "2027-02-07T16:00:00Z")], stages
    assert [x["complaint_id"] for x in ledger.json("overdue")] == []
    assert ledger("verify").exit_code == 0
    # not asked for, it may still be recorded, once (it was refused as "recorded already")
    first = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    ledger("revisit", first, "--satisfaction", "satisfied", "--at", "2025-06-05 10:00")
    r = ledger("revisit", first, "--satisfaction", "satisfied", "--at", "2025-06-06 10:00",
               code=1)
    assert "its second revisit was recorded already" in r.stderr, r.stderr
    assert ledger("verify").exit_code == 0
    # typed by hand, a back-dated closing still owes its second revisit
    cid = ledger.log(severity="critical", received="2025-01-02 09:00")
    ledger.to_state(cid, "closed")
    assert [x["stage"] for x in ledger.json("overdue", "--as-of", "2027-02-01")
            if x["complaint_id"] == cid] == ["second-revisit"]


def test_a_revisit_of_a_complaint_closed_since_is_a_conflict_in_the_dry_run_too(ledger,
                                                                                files):
    """Closed by hand in the ledger after the import (no revisit), a newer copy of the
    register with its revisit: the dry run counted "1 with new steps (1)", the import
    then refused it as a conflict (no second revisit is due of a complaint not critical).
    Both say the conflict now, the ledger left as it is."""
    rows = [list(r) for r in ROWS[:2]]
    rows[0][18:20] = ["", ""]  # 2025-001 resolved, not revisited
    ledger("import", write_csv(files["dir"] / "v1.csv", rows), "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    ledger("close", cid, "--no-revisit", "--reason", "客户拒绝回访", "--at", "2025-03-07")
    newer = write_csv(files["dir"] / "v2.csv", [ROWS[0], ROWS[1]])
    said = (f"Warning: conflict: row 2: 2025-001 ({cid}): its new revisit step was refused: "
            f"cannot revisit {cid}: it is closed, and no second revisit of it is due")
    before = ledger.snapshot()
    for dry in (["--dry-run"], []):
        r = ledger("import", newer, "--mapping", files["map"], *dry)
        assert said in r.stderr, r.stderr
        assert "0 new complaints, 1 already imported, 1 conflict." in r.stdout + r.stderr
        assert "new steps" not in r.stdout + r.stderr
    assert ledger.rows("SELECT status FROM complaints WHERE id = ?", (cid,)) == [("closed",)]
    assert ledger.rows("SELECT count(*) FROM revisits") == [(0,)]
    assert [x for x in ledger.snapshot() if x not in before and "import" not in x and
            "sqlite_sequence" not in x] == []


def test_a_revisit_of_a_critical_complaint_whose_second_revisit_is_made_is_a_conflict(
        ledger, files):
    """A critical complaint closed by hand, its second revisit made: a newer copy of the
    register has another revisit, a conflict that says why (in the dry run too), the
    ledger left as it is."""
    rows = [list(r) for r in ROWS[:2]]
    rows[0][6], rows[0][18:20] = "紧急", ["", ""]  # resolved, not revisited
    ledger("import", write_csv(files["dir"] / "v1.csv", rows), "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2025-03-07")
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2025-06-10")
    rows[0][18:20] = ["满意", "2025-03-20"]
    newer = write_csv(files["dir"] / "v2.csv", rows)
    before = ledger.snapshot()
    for dry in (["--dry-run"], []):
        r = ledger("import", newer, "--mapping", files["map"], *dry)
        assert (f"Warning: conflict: row 2: 2025-001 ({cid}): its new revisit step was "
                f"refused: cannot revisit {cid}: it is closed, and its second revisit was "
                "recorded already") in r.stderr, r.stderr
        assert "0 new complaints, 1 already imported, 1 conflict." in r.stdout + r.stderr
    assert [x for x in ledger.snapshot() if x not in before and "import" not in x and
            "sqlite_sequence" not in x] == []


def test_new_steps_the_ledger_refuses_are_counted_as_a_conflict(ledger, files):
    """The steps a newer copy adds are told one by one after the import; one refused
    (here: before a step a clerk typed since) took back one step of the count though
    those after it were not told either, and the batch row kept the count before."""
    ledger("import", files["csv"], "--mapping", files["map"])
    ledger("investigate", "CC-2026-0002", "--finding", "仓库复核", "--at", "2025-03-18 09:00")
    rows = [list(r) for r in ROWS]
    rows[1][13:20] = ["包装破损", "物流", "换货", "补发两箱", "2025-03-15", "基本满意",
                      "2025-03-20"]
    newer = write_csv(files["dir"] / "newer.csv", rows)
    before = ledger.rows("SELECT count(*) FROM events WHERE kind != 'import'")
    r = ledger("import", newer, "--mapping", files["map"])
    assert ("Warning: conflict: row 3: 2025-002 (CC-2026-0002): its new investigate step "
            "(处理日期: 2025-03-15 00:00) is before what the ledger holds (2025-03-18 09:00)"
            ) in r.stderr, r.stderr
    assert "Import batch 2: 0 new complaints, 2 already imported, 1 conflict." in r.stderr
    assert ledger.rows("SELECT updated, unchanged, conflicts FROM import_batches "
                       "WHERE id = 2") == [(0, 2, 1)]
    assert ledger.rows("SELECT count(*) FROM events WHERE kind != 'import'") == before


def test_times_and_steps_are_said_as_the_register_and_the_clerk_have_them(ledger, files):
    """A changed 投诉日期 was said in stored UTC instants (a day off for a date typed in
    Shanghai); a 投诉日期 in the future was 'log: --received …', without its column; the
    Chinese messages named steps by their English commands (assign 步骤没有日期)."""
    ledger("import", files["csv"], "--mapping", files["map"])
    rows = [list(r) for r in ROWS]
    rows[2][1] = "2025-04-02"
    r = ledger("import", write_csv(files["dir"] / "moved.csv", rows), "--mapping",
               files["map"])
    assert "投诉日期 was '2025-04-01 00:00', the file now says '2025-04-02 00:00'" in r.stderr
    future = [[*ROWS[2][:1], "2031-01-01", *ROWS[2][2:]]]
    future[0][0] = "2025-009"
    r = ledger("import", write_csv(files["dir"] / "future.csv", future), "--mapping",
               files["map"], code=1)
    assert "row 2, column 投诉日期: 2031-01-01 00:00 is in the future" in r.stderr, r.stderr
    undated = [list(ROWS[1])]
    undated[0][0], undated[0][12] = "2025-010", ""  # an owner and no 分派日期
    mapping = files["dir"] / "nodates.toml"
    mapping.write_text(files["map"].read_text(encoding="utf-8").replace(
        'assigned_at = "分派日期"\n', ""), encoding="utf-8")
    r = ledger("--lang", "zh", "import", write_csv(files["dir"] / "undated.csv", undated),
               "--mapping", mapping, "--dry-run", code=2)
    assert "“分派”步骤没有日期" in r.stderr and "assign 步骤" not in r.stderr, r.stderr


def test_erased_contact_is_not_filled_in(ledger, files):
    ledger("import", files["csv"], "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    ledger("forget-contact", cid, "--reason", "客户要求删除")
    r = ledger("import", files["csv"], "--mapping", files["map"])
    assert "3 already imported" in r.stderr
    assert ledger.rows("SELECT contact FROM complaints WHERE id = ?", (cid,)) == [(None,)]


def test_a_key_of_two_columns_is_found_by_ref_typed_loosely_and_by_its_first(ledger, files):
    """A register voided and imported again under key = [编号, 投诉日期], as the tool
    advises: `list --ref 2025-001` found only the voided complaint of the old key, and
    `show --ref "2025-001|2025-03-03"` nothing (the bar spaced otherwise than stored)."""
    ledger("import", files["csv"], "--mapping", files["map"])
    ledger("import", "--void-batch", "1", "--reason", "编号每年重排")
    two = files["dir"] / "two.toml"
    two.write_text(MAPPING.replace('key = "投诉单号"', 'key = ["投诉单号", "投诉日期"]'),
                   encoding="utf-8")
    ledger("import", files["csv"], "--mapping", two)
    old, new = (ledger.rows("SELECT id FROM complaints WHERE source_key = ?", (key,))[0][0]
                for key in ("2025-001", "2025-001 | 2025-03-03"))
    rows = ledger.json("list", "--ref", "2025-001")
    assert [(r["id"], r["status"]) for r in rows] == [(new, "closed"), (old, "void")], rows
    for typed in ("2025-001|2025-03-03", " 2025-001  |  2025-03-03 ", "2025-001 | 2025-03-03"):
        assert ledger.json("show", "--ref", typed)["id"] == new, typed
        assert [r["id"] for r in ledger.json("list", "--ref", typed)] == [new], typed
    # a part that is no key's first column finds nothing, as before
    assert ledger.json("list", "--ref", "2025-00") == []
    ledger("show", "--ref", "2025-001|2025-03-04", code=1)


def test_an_erased_contact_does_not_come_back_under_another_key(ledger, files):
    """The erasure was matched by the register's id alone: the register voided and
    imported again with a key of two columns (as the renumbering advice says), or without
    a key, brought the erased number back. A row of the same customer received at the
    same instant is that complaint; a text of the row holding the number is said."""
    rows = [list(r) for r in ROWS]
    rows[0][8] = "电机异响，客户电话 138 1234 5678"
    register = write_csv(files["dir"] / "r.csv", rows)
    ledger("import", register, "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    ledger("forget-contact", cid, "--reason", "客户要求删除")
    ledger("import", "--void-batch", "1", "--reason", "编号每年重排")
    two = files["dir"] / "two.toml"
    two.write_text(MAPPING.replace('key = "投诉单号"', 'key = ["投诉单号", "投诉日期"]'),
                   encoding="utf-8")
    # the row's description holds the number: refused (the history would keep it)
    before = ledger.snapshot()
    r = ledger("import", register, "--mapping", two, code=1)
    assert (f"row 2: its description holds the contact erased on request ({cid}), which the "
            "history would keep for good: take it out of the file") in r.stderr, r.stderr
    assert ledger.snapshot() == before
    # in Chinese the field by its name (it was the mapping's key alone, "其 description")
    r = ledger("--lang", "zh", "import", register, "--mapping", two, code=1)
    assert "第 2 行：其投诉内容（description）中含有已应要求删除的联系方式" in r.stderr, r.stderr
    rows[0][8] = "电机异响"
    register = write_csv(files["dir"] / "r.csv", rows)
    r = ledger("import", register, "--mapping", two)
    assert (f"Warning: row 2: 2025-001 | 2025-03-03: its contact was erased on request ({cid}): "
            "it is not brought in again") in r.stderr, r.stderr
    assert ledger.rows("SELECT contact FROM complaints WHERE import_batch = 2 AND customer = "
                       "'华东电器有限公司'") == [(None,)]
    # the same customer's complaint of that day about another product keeps its contact
    rows.append(["2025-009", "2025年3月3日", "华东电器有限公司", "13900001111"] + ROWS[0][4:7]
                + ["PS-5"] + ROWS[0][8:])
    r = ledger("import", write_csv(files["dir"] / "r2.csv", rows), "--mapping", two)
    assert "row 5" not in r.stderr, r.stderr
    assert ledger.rows("SELECT contact FROM complaints WHERE source_key LIKE '2025-009%'") == [
        ("13900001111",)]
    files_of_ledger = [p for p in ledger.db.parent.iterdir() if p.name.startswith("ledger.db")]
    assert not any(b"13812345678" in p.read_bytes() for p in files_of_ledger)


def test_void_batch(ledger, files):
    ledger("import", files["csv"], "--mapping", files["map"])
    own = ledger.log(received="2025-03-20 10:00")  # repeats 2025-001 (3 March)
    first = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (own,)) == [(first,)]
    r = ledger("import", "--void-batch", "1", "--reason", "映射错了")
    # what repeated a voided row repeats nothing now (a repeat-link event says so)
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (own,)) == [(None,)]
    assert ledger.rows("SELECT complaint_id, old FROM events WHERE kind = 'repeat-link'") == [
        (own, json.dumps({"repeat_of": first}))]
    assert "Voided 3 complaints of import batch 1." in r.stderr
    assert {s for (s,) in ledger.rows("SELECT status FROM complaints WHERE import_batch = 1")
            } == {"void"}
    assert ledger.rows("SELECT status FROM complaints WHERE id = ?", (own,)) == [("logged",)]
    assert ledger.rows("SELECT count(*) FROM events WHERE kind = 'void'") == [(3,)]
    assert ledger("verify").exit_code == 0
    again = ledger("import", "--void-batch", "1", "--reason", "再来", code=1)
    assert "already void" in again.stderr
    assert "no import batch 9" in ledger("import", "--void-batch", "9", "--reason", "x",
                                         code=1).stderr
    # the voided batch's rows may come in again
    r = ledger("import", files["csv"], "--mapping", files["map"])
    assert "3 new complaints" in r.stderr


def test_void_batch_with_an_open_return_is_refused(ledger, files):
    """A batch one of whose complaints has a return not closed: refused, with the
    return's next step, in a dry run too (it crashed: "unexpected failure: ValueError")."""
    ledger("import", files["csv"], "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-002'")[0][0]
    rid = ledger("return", "open", cid, "--qty", "2").stdout.strip()
    before = ledger.snapshot()
    for dry in ((), ("--dry-run",)):
        r = ledger("import", "--void-batch", "1", "--reason", "映射错了", *dry, code=1)
        assert r.stderr == (f"Error: cannot void {cid}: it has open returns ({rid})\nHint: "
                            f"close them first; next: complaintctl return close {rid}\n"), \
            r.stderr
    assert ledger.snapshot() == before


def test_void_batch_dry_run_writes_nothing(ledger, files):
    """`--void-batch --dry-run` says what it would void and writes nothing (it voided
    the batch for good, the --dry-run unread); the count says those void already."""
    ledger("import", files["csv"], "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-003'")[0][0]
    ledger("void", cid, "--reason", "录入重复")
    before = ledger.snapshot()
    r = ledger("import", "--void-batch", "1", "--reason", "映射错了", "--dry-run")
    assert r.stderr.splitlines() == [
        "Dry run, nothing written: 2 complaints of import batch 1 would be voided. 1 more "
        "of it was void already."], r.stderr
    assert ledger.snapshot() == before
    r = ledger("import", "--void-batch", "1", "--reason", "映射错了")
    assert r.stderr.splitlines()[0] == ("Voided 2 complaints of import batch 1. 1 more of it "
                                        "was void already.")
    assert ledger.rows("SELECT count(*) FROM complaints WHERE status = 'void'") == [(3,)]


def test_a_refused_import_says_no_link_it_did_not_make(ledger, files):
    """A file refused whole made no repeat links: it said 'X now repeats Y; linked' of a
    complaint id that was never kept."""
    first = ledger.log(received="2025-02-20 10:00")
    later = ledger.log(received="2025-03-20 10:00")
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (later,)) == [(first,)]
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[1][14] = "不知道"  # a cause category no word reads: the file is refused
    r = ledger("import", write_csv(files["dir"] / "bad.csv", rows), "--mapping", files["map"],
               code=None)
    assert r.exit_code in (1, 2) and "nothing was imported" in r.stderr, r.stderr
    assert "now repeats" not in r.stderr and "linked" not in r.stderr, r.stderr
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (later,)) == [(first,)]
    # the dry run of a good file says what it would link, as would be (it said "now
    # repeats …; linked", 已关联, of a link nothing wrote)
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", files["map"], "--dry-run")
    assert re.search(rf"Warning: {later} would repeat CC-\d{{4}}-\d{{4}}; it would be "
                     r"linked\n", r.stderr), r.stderr
    assert "now repeats" not in r.stderr
    assert ledger.snapshot() == before


def test_template_guessed_from_chinese_headers(ledger, files):
    r = ledger("import", files["csv"], "--template")
    text = r.stdout
    assert 'key = "投诉单号"' in text
    for line in ('received_at = "投诉日期"', 'customer = "客户名称"', 'contact = "联系电话"',
                 'channel = "投诉渠道"', 'category = "投诉类别"', 'severity = "严重程度"',
                 'product = "产品型号"', 'description = "投诉内容"', 'logged_by = "受理人"',
                 'department = "责任部门"', 'owner = "责任人"', 'assigned_at = "分派日期"',
                 'cause = "原因分析"', 'cause_category = "原因类别"', 'disposition = "处理方式"',
                 'summary = "处理说明"', 'resolved_at = "处理日期"', 'satisfaction = "回访结果"',
                 'revisited_at = "回访日期"'):
        assert line in text, line
    # the template is a mapping that imports the file it was made from: its causes
    # dated by the resolution (every row with a cause was refused, "the investigate step
    # has no date", until the user added that line)
    assert '\n[dates]\n' in text and '\nconcluded_at = "resolved_at"\n' in text, text
    (files["dir"] / "t.toml").write_text(text, encoding="utf-8")
    r = ledger("import", files["csv"], "--mapping", files["dir"] / "t.toml", "--dry-run")
    assert "Dry run, nothing written: 3 new complaints" in r.stdout, r.output


@pytest.mark.parametrize("header", ["描述", "详细描述", "投诉详情"])
def test_a_template_takes_a_bare_description_header(ledger, files, header):
    """A register's 描述 was left `# ? = "描述"`, and the dry run then said the mapping
    gives no column for the description; 处理描述 (what was done) is not it."""
    path = write_csv(files["dir"] / "reg.csv", [["华东电器", "异响", "处理完毕", "电话", "质量",
                                                 "高", "2026/11/20"]],
                     header=["客户", header, "处理描述", "渠道", "类别", "严重程度", "受理日期"])
    text = ledger("import", path, "--template").stdout
    assert f'description = "{header}"' in text, text
    assert 'description = "处理描述"' not in text, text

@pytest.mark.parametrize("header", ["接收日期", "来电日期", "收到日期", "反馈日期", "来电时间"])
def test_a_template_takes_the_day_a_call_came_as_the_received_date(ledger, files, header):
    """A register's 接收日期 (or 来电日期 …) was left `# ? = "接收日期"`, and the import then
    refused the mapping: "gives no column for received_at, which every complaint needs";
    so were an appliance register's 单位名称 (the customer), 机型 (the product), 台数 (the
    quantity) and 赔付 (the amount)."""
    path = write_csv(files["dir"] / "reg.csv", [["华东电器", "异响", "电话", "质量", "高",
                                                 "2026/11/20", "XD-200", "3", ""]],
                     header=["单位名称", "问题描述", "渠道", "类别", "严重程度", header, "机型",
                             "台数", "赔付"])
    text = ledger("import", path, "--template").stdout
    for line in (f'received_at = "{header}"', 'customer = "单位名称"', 'product = "机型"',
                 'quantity = "台数"', 'amount = "赔付"'):
        assert f"\n{line}\n" in text, (line, text)
    # of the call's time and 接收日期 (maybe the day goods came in), the call's
    both = write_csv(files["dir"] / "both.csv", [["华东电器", "2026/11/21", "2026/11/20 9:00"]],
                     header=["单位名称", "接收日期", "来电时间"])
    assert '\nreceived_at = "来电时间"\n' in ledger("import", both, "--template").stdout
    (files["dir"] / "t.toml").write_text(text, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["dir"] / "t.toml", "--dry-run")
    assert "Dry run, nothing written: 1 new complaint" in r.stdout, r.output


def test_a_templates_own_register_without_an_assignment_date_imports(ledger, files):
    """A register with 责任部门 and 责任人 but no date of the assignment: the template's own
    mapping refused every row ("the assign step has no date"); it dates the assignment
    by the complaint (estimated). 批示人, the screens' word, is the approver."""
    path = write_csv(files["dir"] / "reg.csv", [[
        "R1", "2026-10-01", "甲公司", "电话", "质量", "高", "异响", "质量部", "王芳", "张总"]],
        header=["编号", "投诉日期", "客户", "渠道", "类别", "严重程度", "描述", "责任部门",
                "责任人", "批示人"])
    text = ledger("import", path, "--template").stdout
    assert '\napproved_by = "批示人"\n' in text, text
    assert '\n[dates]\n' in text and '\nassigned_at = "received_at"\n' in text, text
    (files["dir"] / "reg.toml").write_text(text, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["dir"] / "reg.toml")
    assert "1 new complaint" in r.stderr, r.stderr
    assert ledger.rows("SELECT status, department, owner FROM complaints") == [
        ("assigned", "质量部", "王芳")]

def test_a_template_takes_the_likeliest_header_and_leaves_free_text_out_of_words(ledger,
                                                                                files):
    """投诉时间 and 登记日期 both there: 登记日期 (the later in the list of words, but the
    first in the file) was taken for received_at; 投诉人 for the customer beside
    客户单位; 处理结果 ("返工后重发，客户满意") became the disposition, and every row was
    "not a disposition"; 完成日期 and 回访情况 were left out."""
    header = ["序号", "登记日期", "投诉时间", "投诉人", "客户单位", "问题描述", "处理结果",
              "完成日期", "回访情况", "发货日期"]
    path = write_csv(files["dir"] / "likely.csv", [["1"] * len(header)], header=header)
    text = ledger("import", path, "--template").stdout
    for line in ('received_at = "投诉时间"', 'customer = "客户单位"', 'summary = "处理结果"',
                 'resolved_at = "完成日期"', 'revisit_note = "回访情况"',
                 'shipped_on = "发货日期"'):
        assert f"\n{line}\n" in text, (line, text)
    assert "disposition = " not in text.replace("# disposition", "")


def test_a_template_never_gives_a_default_severity_unasked(ledger, files):
    """紧急程度 and 问题类型 were not recognised, and the template wrote active defaults
    severity = "medium" and category = "other": a register's 紧急 fire came in as medium.
    Now those columns are recognised; and where none is, the defaults stay commented out
    and the import refuses the rows without them."""
    header = ["客诉单号", "登记日期", "客户", "来源", "问题类型", "紧急程度", "问题描述", "品名",
              "纠正措施", "回访方式"]
    urgent = write_csv(files["dir"] / "urgent.csv", [
        ["U-1", "2025-03-05", "甲", "电话", "质量", "紧急", "电机冒烟起火", "泵", "", ""]],
        header=header)
    text = ledger("import", urgent, "--template").stdout
    for line in ('severity = "紧急程度"', 'category = "问题类型"', 'product = "品名"',
                 'corrective = "纠正措施"', 'revisit_method = "回访方式"'):
        assert f"\n{line}\n" in text, (line, text)
    assert "\nseverity = \"medium\"" not in text and "No column was recognised" not in text
    # (every one recognised: its "e.g.:" was followed by nothing; with every field of its
    # examples mapped too, no "e.g.:")
    assert "# A value for a field that is missing or empty, e.g.:\n# region = \"华东\"\n" \
        in text, text
    every = write_csv(files["dir"] / "every.csv", [["1", "2025-03-05", "甲", "电话", "质量", "高",
                                                    "x", "华东", "QA", "王", "L1", "退货"]],
                      header=["客诉单号", "登记日期", "客户", "来源", "问题类型", "紧急程度",
                              "问题描述", "区域", "责任部门", "责任人", "批号", "客户要求"])
    assert "\n# A value for a field that is missing or empty.\n\n" in ledger(
        "import", every, "--template").stdout
    (files["dir"] / "u.toml").write_text(text, encoding="utf-8")
    ledger("import", urgent, "--mapping", files["dir"] / "u.toml")
    assert ledger.rows("SELECT severity, category FROM complaints") == [("critical", "quality")]
    # a register with no severity column at all: the defaults are there, commented out
    bare = write_csv(files["dir"] / "bare.csv", [["U-2", "2025-03-05", "乙", "电话", "异响"]],
                     header=["客诉单号", "登记日期", "客户", "来源", "问题描述"])
    text = ledger("import", bare, "--template").stdout
    assert ("# No column was recognised for category, severity: map yours above, or remove "
            "the # to give every row the same value (a default severity hides critical "
            "complaints).\n# category = \"other\"\n# severity = \"medium\"\n") in text, text
    (files["dir"] / "b.toml").write_text(text, encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", bare, "--mapping", files["dir"] / "b.toml", code=2)
    # said once for the file, not on each row (a 3,000-row register: 6,000 lines)
    # (its example the first field named: it was channel = "phone", a field mapped)
    assert r.stderr == ("Error: the mapping gives no column for category, severity, which "
                        "every complaint needs\nHint: map a column of the file to each under "
                        "[columns], or give its value under [defaults] (e.g. category = "
                        "\"quality\")\n")
    assert ledger.snapshot() == before
    # a customer is each row's own: a column, not one value for all
    (files["dir"] / "c.toml").write_text(
        '[columns]\nreceived_at = "登记日期"\ndescription = "问题描述"\n'
        '[defaults]\nchannel = "phone"\ncategory = "quality"\nseverity = "low"\n',
        encoding="utf-8")
    r = ledger("import", bare, "--mapping", files["dir"] / "c.toml", code=2)
    assert r.stderr.endswith("Hint: map a column of the file to each under [columns] (e.g. "
                             "customer = \"…\")\n"), r.stderr
    assert ledger.snapshot() == before


def test_a_template_of_headers_broken_over_lines_is_a_mapping_that_imports(ledger, files):
    """Alt+Enter in a header cell: the template writes the break as \\n (a raw one made a
    mapping that import refused), and the import with it reads the rows."""
    header = [h.replace("客户名称", "客户\n名称").replace("严重程度", "严重\r\n程度")
              .replace("联系电话", "联系\t电话") for h in HEADER]
    path = write_csv(files["dir"] / "broken.csv", ROWS, header=header)
    text = ledger("import", path, "--template").stdout
    assert 'customer = "客户\\n名称"' in text and 'severity = "严重\\r\\n程度"' in text, text
    # the register keeps no date of its investigations: the template says where it is
    # taken from (the user had to)
    assert '\n[dates]\n' in text and '\nconcluded_at = "resolved_at"\n' in text, text
    (files["dir"] / "broken.toml").write_text(text, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["dir"] / "broken.toml", "--dry-run")
    assert "3 new complaints" in r.stdout, r.output


def test_round_trip_through_export(ledger, tmp_path, env, monkeypatch):
    """export complaints --reveal of a ledger, imported with the shipped mapping into a
    fresh one: the same monthly figures."""
    run = ledger
    a = run.log(received="2026-08-03 09:00")
    run.to_state(a, "assigned")
    b = run.log(received="2026-09-30 10:00", customer="宁波精工", severity="high")
    run.to_state(b, "closed")
    c = run.log(received="2026-09-30 10:00", product="PS-5")
    run.to_state(c, "void")
    d = run.log(received="2026-10-02 10:00", customer="Acme", severity="low")
    run("assign", d, "--dept", "技术部", "--owner", "刘洋", "--at", "2026-10-03 10:00")
    run("investigate", d, "--not-upheld", "--reason", "符合规格", "--at", "2026-10-04 10:00")
    run("resolve", d, "--disposition", "explanation", "--summary", "解释", "--at",
        "2026-10-05 10:00")
    run("close", d, "--no-revisit", "--reason", "客户拒绝回访", "--at", "2026-10-06 10:00")
    e = run.log(received="2026-10-20 10:00", customer="华南机电", severity="critical")
    run("assign", e, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-20 11:00")
    run("investigate", e, "--cause", "焊点虚焊", "--cause-category", "supplier",
        "--responsibility", "supplier", "--supplier", "宁波精工", "--at", "2026-10-21 10:00")
    run("resolve", e, "--disposition", "compensation", "--summary", "赔偿", "--amount",
        "1250.50", "--at", "2026-10-22 10:00")
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    masked = tmp_path / "masked.csv"
    run("export", "complaints", "--output", masked)

    def reports() -> list[dict]:
        figures = []
        for month in ("2026-08", "2026-09", "2026-10", "2026-11"):
            rep = run.json("report", "--month", month, "--as-of", "2026-11-23 12:00")
            figures.append({k: rep[k] for k in (
                "received", "resolved", "closed", "voided", "backlog", "by_category",
                "by_channel", "by_severity", "by_product", "by_customer", "by_department",
                "pareto_category", "pareto_cause", "handling_days", "not_upheld_rate")})
        return figures

    first = reports()
    # brought back into the ledger it came from: every complaint was filed twice (the
    # keys are ids here, under no import) and the repeats relinked to the copies
    before = run.snapshot()
    back = run("import", out, "--mapping", "complaintctl", code=1)
    # (said once for the rows it is true of, not once a row)
    assert back.stderr.startswith(
        "rows 2–6 (5 rows), column id: the ledger holds this complaint under this "
        "id (received at the same time, from the same customer): an export goes into "
        "another ledger, not back into the one it came from\n"
        "Error: 5 rows refused; nothing was imported"), back.stderr
    assert run.snapshot() == before
    fresh = tmp_path / "fresh.db"
    monkeypatch.setenv("COMPLAINTCTL_DB", str(fresh))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    refused = run("import", masked, "--mapping", "complaintctl", code=2)
    assert "is masked; import an export made with --reveal" in refused.stderr
    # the closing hint too: --skip-bad (what it said) would have imported none of them
    assert refused.stderr.endswith("Hint: the file is an export with its contacts masked: "
                                   "export again with --reveal (complaintctl export "
                                   "complaints --reveal --output FILE) and import that\n")
    r = run("import", out, "--mapping", "complaintctl")
    assert "5 new complaints" in r.stderr
    # (its own stages past due are said; the advice for a register that never recorded
    # its closings is not given to a ledger's own export)
    assert r.stderr.endswith("Warning: 3 stages of the complaints imported are past due "
                             "already (the oldest since 2026-08-10): overdue lists them\n")
    assert "close_reason" not in r.stderr and "never recorded" not in r.stderr, r.stderr
    assert reports() == first
    assert run("verify").exit_code == 0


def readme_mapping() -> str:
    """The CFPB-shaped mapping the README shows, as it is written there."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- cfpb-mapping -->", 1)[1]
    return block.split("```toml\n", 1)[1].split("```", 1)[0]


def test_cfpb_shaped_register(ledger, tmp_path):
    header = ["Date received", "Product", "Issue", "Company", "State", "Submitted via",
              "Date sent to company", "Company response to consumer",
              "Timely response?", "Consumer disputed?", "Complaint ID"]
    rows = [
        ["2016-03-01", "Mortgage", "Struggling to pay mortgage", "Big Bank", "CA",
         "Referral", "2016-03-02", "Closed with explanation", "Yes", "No", "1800001"],
        ["2016-03-02", "Credit reporting", "Incorrect information on your report",
         "Bureau Inc", "NY", "Web", "2016-03-02", "Closed with monetary relief", "Yes",
         "Yes", "1800002"],
        ["2016-03-05", "Debt collection", "Communication tactics", "Collect LLC", "TX",
         "Phone", "2016-03-06", "In progress", "Yes", "", "1800003"],
        ["2016-03-07", "Mortgage", "Billing disputes", "Big Bank", "CA", "Postal mail",
         "2016-03-08", "Closed with non-monetary relief", "Yes", "No", "1800004"],
    ]
    path = write_csv(tmp_path / "complaints.csv", rows, encoding="utf-8", header=header)
    m = tmp_path / "cfpb.toml"
    shown = readme_mapping()
    assert '"Closed with non-monetary relief" = "repair"' in shown
    m.write_text(shown.replace('= "repair"', '= "goodwill"'), encoding="utf-8")
    r = ledger("import", path, "--mapping", m, code=2)
    assert "Error: mapping [values.disposition]: 'goodwill' (given for 'Closed with " \
        "non-monetary relief') is not a disposition" in r.stderr  # once, not row by row
    m.write_text(shown, encoding="utf-8")
    r = ledger("import", path, "--mapping", m)
    assert "4 new complaints" in r.stderr
    got = ledger.rows("SELECT source_key, status, channel, category, disposition, department "
                      "FROM complaints ORDER BY source_key")
    assert got == [("1800001", "resolved", "regulator", "billing", "explanation", "Big Bank"),
                   ("1800002", "resolved", "web", "service", "compensation", "Bureau Inc"),
                   ("1800003", "investigating", "phone", "other", None, "Collect LLC"),
                   ("1800004", "resolved", "letter", "billing", "repair", "Big Bank")]
    # nothing made up silently: the severity came from [defaults] (the log), the owner
    # too (the assignment), the resolution's date from [dates], the cause from [defaults]
    events = ledger.json("show", "--ref", "1800001")["events"]
    assert [(e["kind"], e["data"].get("estimated")) for e in events] == [
        ("log", True), ("assign", True), ("investigate", True), ("resolve", True)]


@pytest.mark.parametrize(("encoding", "message"), [
    ("utf-16", "登记表.csv is not utf-16 text"),  # UTF-16 wants a BOM
    ("undefined", "登记表.csv is not undefined text"),
    ("rot13", "--encoding 'rot13' is not an encoding"),
    ("base64", "--encoding 'base64' is not an encoding"),
    ("zlib", "--encoding 'zlib' is not an encoding")])
def test_an_encoding_that_cannot_read_the_file_is_bad_input(ledger, files, encoding,
                                                            message):
    """These ended in 'unexpected failure: UnicodeError …' (exit 1): Python's codecs
    that are not text encodings, and UTF-16's complaint of a missing BOM."""
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", files["map"], "--encoding", encoding,
               "--dry-run", code=2)
    assert r.stderr.startswith("Error: ") and f"{message}\nHint: " in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_a_mapping_that_is_not_toml_or_not_utf8_says_where_and_how(ledger, files):
    """The TOML parser's message was all English in the Chinese interface; a mapping
    saved in GBK had no hint."""
    bad = files["dir"] / "bad.toml"
    bad.write_text('key = "投诉单号\n[columns]\n', encoding="utf-8")
    r = ledger("--lang", "zh", "import", files["csv"], "--mapping", bad, code=2)
    assert r.stderr.startswith("错误：映射 ") and "第 1 行第 12 列不是 TOML 格式" in r.stderr
    assert "提示：每行是 名称 = " in r.stderr
    gbk = files["dir"] / "gbk.toml"
    gbk.write_bytes('[columns]\ncustomer = "客户名称"\n'.encode("gbk"))
    r = ledger("import", files["csv"], "--mapping", gbk, code=2)
    assert "not UTF-8 text\nHint: save it as UTF-8" in r.stderr and "iconv -f GBK" in r.stderr
    # a binary file (the ledger itself, a workbook) is no GBK text: iconv "converted" the
    # ledger into a garbage utf8.toml
    before = ledger.snapshot()
    book = files["dir"] / "map.xlsx"
    book.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40))
    for given, what in ((ledger.db, "an SQLite database, such as a ledger"),
                        (book, "a workbook or another binary file")):
        r = ledger("import", files["csv"], "--mapping", given, code=2)
        assert r.stderr == (f"Error: mapping {given}: not a text file ({what})\nHint: a "
                            "mapping is a TOML text file; start one with: complaintctl import "
                            "FILE --template > map.toml\n"), r.stderr
    assert ledger.snapshot() == before
    # a mapping saved as UTF-16 (Notepad's "Unicode", PowerShell 5's >) is read as text
    # (its NULs were taken for a binary file's)
    utf16 = files["dir"] / "map16.toml"
    utf16.write_bytes(files["map"].read_text(encoding="utf-8").encode("utf-16"))
    r = ledger("import", files["csv"], "--mapping", utf16, "--dry-run")
    assert "3 new complaints" in r.stdout + r.stderr, (r.stdout, r.stderr)


def test_usage_errors(ledger, files):
    assert "give --mapping" in ledger("import", files["csv"], code=2).stderr
    # another ledger given as the register is read, not taken for an output
    other = files["dir"] / "other.db"
    ledger("--db", other, "init")
    r = ledger("import", other, "--mapping", files["map"], "--dry-run", code=2)
    assert "does not write over" not in r.stderr and r.stderr.startswith("Error: ")
    assert "no mapping nope" in ledger("import", files["csv"], "--mapping", "nope",
                                       code=2).stderr
    bad = files["dir"] / "bad.toml"
    bad.write_text('[columns]\nnonsense = "x"\n', encoding="utf-8")
    assert "nonsense: no such field" in ledger("import", files["csv"], "--mapping", bad,
                                               code=2).stderr
    missing = files["dir"] / "missing.toml"
    missing.write_text('[columns]\ncustomer = "客户"\n', encoding="utf-8")
    assert "column '客户' is not in the file" in ledger("import", files["csv"], "--mapping",
                                                     missing, code=2).stderr
    assert "--void-batch needs --reason" in ledger("import", "--void-batch", "1",
                                                   code=2).stderr
    # UTF-8 with a BOM, and an explicit encoding
    utf8 = write_csv(files["dir"] / "utf8.csv", ROWS, encoding="utf-8-sig")
    assert "3 new complaints" in ledger("import", utf8, "--mapping", files["map"],
                                        "--dry-run").stdout
    assert "3 new complaints" in ledger("import", files["csv"], "--mapping", files["map"],
                                        "--encoding", "gbk", "--dry-run").stdout
    # a GBK file read as UTF-8 is named as the user named it (not Python's utf-8-sig)
    wrong = ledger("import", files["csv"], "--mapping", files["map"], "--encoding", "utf-8",
                   code=2).stderr
    assert "is not UTF-8 text" in wrong and "utf-8-sig" not in wrong, wrong
    assert "Hint: give the file's encoding with --encoding, e.g. --encoding gbk" in wrong
    wrong = ledger("import", utf8, "--mapping", files["map"], "--encoding", "gbk",
                   code=2).stderr
    assert "is not GBK (GB18030) text" in wrong, wrong
    assert json.loads(ledger("show", "--ref", "nope", "--format", "json", code=1).stdout
                      or "null") is None


def test_cron_quiet_and_chinese(ledger, files):
    """From cron (no terminal) only the summary; with --quiet nothing; the bad rows in
    Chinese with --lang zh."""
    r = ledger("--quiet", "import", files["csv"], "--mapping", files["map"])
    # only trouble: the register's open steps are overdue at once
    assert r.stdout == "" and r.stderr.startswith("Warning: 4 stages of the complaints "
                                                  "imported are past due already")
    assert r.stderr.count("\n") == 1
    rows = [list(r) for r in ROWS]
    rows[0][0] = "2025-101"
    rows[0][1] = "2025/13/01"
    path = write_csv(files["dir"] / "bad.csv", rows[:1])
    r = ledger("--lang", "zh", "import", path, "--mapping", files["map"], code=2)
    assert "第 2 行“投诉日期”列：“2025/13/01”不是日期" in r.stderr
    assert "错误：1 行被拒绝；未导入任何内容" in r.stderr


def test_indexes_named_exist():
    """The indexes a re-import keeps inside the bulk block are in the schema."""
    from test_schema import schema_sql_db

    from complaintctl.importer import _READ_INSIDE

    names = {n for (n,) in schema_sql_db().execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert _READ_INSIDE <= names


def test_void_batch_warns_of_the_repeats_it_relinked(ledger, files):
    """A complaint typed after an imported one repeated it; voiding the batch links it
    to the complaint typed before (a repeat-link event), and the command says so with
    `void`'s own words, after its count line."""
    def repeat_of(cid: str) -> str | None:
        return ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (cid,))[0][0]

    earlier = ledger.log(received="2025-02-20 10:00")  # before 2025-001 (3 March)
    ledger("import", files["csv"], "--mapping", files["map"])
    imported = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    later = ledger.log(received="2025-03-20 10:00")
    assert (repeat_of(imported), repeat_of(later)) == (earlier, imported)
    r = ledger("import", "--void-batch", "1", "--reason", "映射错了")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == ["Voided 3 complaints of import batch 1.",
                                     "Every report leaves the batch out, whatever its "
                                     "period; import the register again once it is right.",
                                     f"Warning: {later} now repeats {earlier}; linked"]
    assert repeat_of(later) == earlier
    assert ledger.rows("SELECT complaint_id, data, old FROM events WHERE kind = "
                       "'repeat-link'") == [(later, json.dumps({"repeat_of": earlier}),
                                             json.dumps({"repeat_of": imported}))]


def test_calendar_covers_the_register_years(ledger, files):
    """The bulk writer extends the calendar to every year the register holds, inside
    the import's transaction (a `calendar` event in the chain), and the import warns of
    a year the holidays package has no official data for."""
    rows = [["2013-001", "2013-09-30"] + ROWS[2][2:], ["1998-001", "1998-06-01"] + ROWS[2][2:]]
    register = write_csv(files["dir"] / "old.csv", rows)
    r = ledger("import", register, "--mapping", files["map"])
    assert "2 new complaints" in r.stderr
    assert "Warning:" in r.stderr and "1998" in r.stderr
    assert "2013" not in r.stderr.split("Warning:", 1)[1]
    assert ledger.rows("SELECT kind FROM calendar_days WHERE day = '2013-10-01'") == [
        ("holiday",)]
    assert ledger.rows("SELECT count(*) FROM events WHERE kind = 'calendar'")[0][0] >= 1
    ledger("verify")


def _warnings(result) -> list[str]:
    """The warnings, but the one of stages past due already (its own test says it)."""
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")
            and " past due already " not in line]


def test_a_wildcard_word_takes_only_the_words_nothing_else_names(ledger, files):
    """"*" = "other" is any other word: not one the mapping lists, nor a code, label or
    synonym complaintctl understands (质量 is quality, not other)."""
    mapping = files["dir"] / "wild.toml"
    mapping.write_text(MAPPING.replace('"交付" = "delivery"',
                                       '"交付" = "delivery"\n"*" = "other"'), encoding="utf-8")
    rows = [[f"2025-{n}", "2025-05-06", "甲公司", "", "电话", word, "低级", "XD-200", "异响",
             "周敏"] + [""] * 10
            for n, word in enumerate(("质量", "交付", "包装箱破", "quality", "服务"), 300)]
    ledger("import", write_csv(files["dir"] / "wild.csv", rows), "--mapping", mapping)
    assert ledger.rows("SELECT source_key, category FROM complaints ORDER BY source_key") == [
        ("2025-300", "quality"), ("2025-301", "delivery"), ("2025-302", "other"),
        ("2025-303", "quality"), ("2025-304", "service")]


def test_a_newer_copy_warns_of_what_its_new_steps_warn(ledger, files):
    """The steps a newer copy adds to complaints already imported go through the
    ordinary steps: their warnings (here a deadline in a year without official data)
    are printed as the first import prints the writer's, each line once."""
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE settings SET value = '2025' WHERE key = 'calendar_covered_until'")
    conn.commit()
    conn.close()
    first = ["2025-201", "2025-12-01", "甲公司", "", "电话", "质量", "低级", "XD-200", "异响",
             "周敏"] + [""] * 10
    second = ["2025-202", "2025-12-02", "乙公司", "", "电话", "质量", "低级", "XD-200", "异响",
              "周敏"] + [""] * 10
    register = write_csv(files["dir"] / "december.csv", [first, second])
    assert _warnings(ledger("import", register, "--mapping", files["map"])) == []
    assigned = [row[:10] + ["质量部", "王芳", "2025-12-29"] + [""] * 7 for row in (first, second)]
    newer = write_csv(files["dir"] / "december-2.csv", assigned)
    out = ledger("import", newer, "--mapping", files["map"])
    assert _warnings(out) == [
        "Warning: a deadline falls in 2026, which the CN calendar does not cover yet: it "
        "counts weekends and rule-based holidays only. Add 2026's public holidays and "
        "make-up working days with `complaintctl policy calendar --add-holiday DATE "
        "--add-workday DATE`"]
    assert ledger.rows("SELECT c.source_key, substr(s.due_at, 1, 4) FROM stages s JOIN "
                       "complaints c ON c.id = s.complaint_id WHERE s.stage = 'investigate' "
                       "ORDER BY c.source_key") == [("2025-201", "2026"), ("2025-202", "2026")]


def test_deadlines_in_a_year_without_data_warn_as_the_steps_do(ledger, files):
    """A calendar whose official data ends with 2025 (as an older holidays package
    would have left it): a register whose deadlines fall in 2026, from steps in 2025,
    and a complaint received in 2026. The import warns what the same steps typed one
    by one warn, each line once."""
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE settings SET value = '2025' WHERE key = 'calendar_covered_until'")
    conn.commit()
    conn.close()
    rows = [["2025-101", "2025-12-26", "甲公司", "", "电话", "质量", "低级", "XD-200", "异响",
             "周敏", "质量部", "王芳", "2025-12-29"] + [""] * 7,
            ["2026-102", "2026-01-05", "乙公司", "", "电话", "质量", "低级", "XD-200", "异响",
             "周敏"] + [""] * 10]
    register = write_csv(files["dir"] / "new-year.csv", rows)
    imported = _warnings(ledger("import", register, "--mapping", files["map"]))
    assert imported == [
        "Warning: the holidays package has no official CN calendar for 2026: deadlines there "
        "count weekends and rule-based holidays only. Add 2026's public holidays and make-up "
        "working days with `complaintctl policy calendar --add-holiday DATE --add-workday "
        "DATE`",
        "Warning: a deadline falls in 2026, which the CN calendar does not cover yet: it "
        "counts weekends and rule-based holidays only. Add 2026's public holidays and "
        "make-up working days with `complaintctl policy calendar --add-holiday DATE "
        "--add-workday DATE`"]
    # the same history typed (other customers: no repeat warnings among them)
    typed: list[str] = []
    log = ("log", "--description", "异响", "--category", "quality", "--severity", "low",
           "--channel", "phone", "--product", "XD-200")
    result = ledger(*log, "--customer", "丙公司", "--received", "2025-12-26")
    typed += _warnings(result)
    typed += _warnings(ledger("assign", result.stdout.strip(), "--dept", "质量部", "--owner",
                              "王芳", "--at", "2025-12-29"))
    typed += _warnings(ledger(*log, "--customer", "丁公司", "--received", "2026-01-05"))
    # (the calendar's; a complaint typed after its deadlines also says it is overdue)
    typed = [w for w in typed if "overdue from the start" not in w]
    assert len(typed) == 3 and set(typed) == set(imported)
    assert ledger.rows("SELECT c.source_key, s.stage, substr(s.due_at, 1, 4) FROM stages s "
                       "JOIN complaints c ON c.id = s.complaint_id WHERE c.source_key IS NOT "
                       "NULL ORDER BY s.id") == [
        ("2025-101", "assign", "2025"), ("2025-101", "resolve", "2026"),
        ("2025-101", "investigate", "2026"), ("2026-102", "assign", "2026"),
        ("2026-102", "resolve", "2026")]


def test_without_a_key_the_same_file_is_refused(ledger, files):
    keyless = files["dir"] / "keyless.toml"
    keyless.write_text(MAPPING.replace('key = "投诉单号"', "").replace(
        '[values.category]', '[values.department]\n"物流部" = "储运部"\n\n[values.category]'),
        encoding="utf-8")
    ledger("import", files["csv"], "--mapping", keyless)
    assert ledger.rows("SELECT source_key, department FROM complaints ORDER BY id") == [
        (None, "质量部"), (None, "储运部"), (None, None)]
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", keyless, code=1)
    assert "登记表.csv was imported already, as batch 1" in r.stderr
    assert ledger.snapshot() == before
    # a copy under another name is said as the file it was imported from
    copy = files["dir"] / "副本.csv"
    copy.write_bytes(files["csv"].read_bytes())
    r = ledger("import", copy, "--mapping", keyless, code=1)
    assert r.stderr.startswith("Error: 副本.csv holds what was imported already from "
                               "登记表.csv, as batch 1; without a key"), r.stderr
    assert ledger.snapshot() == before


def test_round_trip_of_a_reopened_and_a_twice_revisited_complaint(ledger, tmp_path,
                                                                   monkeypatch):
    """One row carries the last round: a reopened complaint resolved again comes in
    resolved; a critical one revisited twice comes in closed on its closing day."""
    run = ledger

    def reopened(customer: str) -> str:
        """Resolved, revisited unsatisfied, resolved again."""
        cid = run.log(received="2026-09-01 10:00", customer=customer)
        run("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-01 11:00")
        run("investigate", cid, "--cause", "扭矩不足", "--at", "2026-09-02 10:00")
        run("resolve", cid, "--disposition", "exchange", "--summary", "换新", "--at",
            "2026-09-03 10:00")
        run("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-09-04 10:00")
        run("resolve", cid, "--disposition", "refund", "--summary", "退款", "--amount", "100",
            "--at", "2026-09-07 10:00")
        return cid

    reopened("华东电器有限公司")
    # and then closed without a revisit: it came back resolved (and overdue for a
    # revisit), the close dropped
    c = reopened("乙公司")
    run("close", c, "--no-revisit", "--reason", "客户拒绝回访", "--at", "2026-09-08 10:00")
    b = run.log(received="2026-09-01 10:00", severity="critical", customer="Acme")
    run("assign", b, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-01 11:00")
    run("investigate", b, "--cause", "焊点", "--at", "2026-09-02 10:00")
    run("resolve", b, "--disposition", "repair", "--summary", "维修", "--at",
        "2026-09-03 10:00")
    run("revisit", b, "--satisfaction", "satisfied", "--at", "2026-09-04 10:00")
    run("revisit", b, "--satisfaction", "basically-satisfied", "--at", "2026-11-20 10:00")
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    first = run.rows("SELECT customer, status, resolved_at, closed_at, disposition "
                     "FROM complaints ORDER BY customer")
    monkeypatch.setenv("COMPLAINTCTL_DB", str(tmp_path / "fresh.db"))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    run("import", out, "--mapping", "complaintctl")
    assert run.rows("SELECT customer, status, resolved_at, closed_at, disposition "
                    "FROM complaints ORDER BY customer") == first
    kinds = [(e["kind"], e["data"].get("estimated")) for e in
             run.json("show", "--ref", b)["events"]]
    assert kinds[-2:] == [("revisit", True), ("revisit", None)]
    assert [e["kind"] for e in run.json("show", "--ref", c)["events"]][-2:] == [
        "resolve", "close"]
    assert run("verify").exit_code == 0



def test_round_trip_carries_what_the_investigation_and_revisit_said(ledger, tmp_path,
                                                                    monkeypatch):
    """The export had no column for the not-upheld reason (the import took the summary
    for it), the findings, containment and corrective texts, the revisit's demand met
    and note (an investigating complaint with only a finding came back assigned); the
    import refused a void reason, a cause and a closing reason on two lines, which the
    commands take."""
    run = ledger
    a = run.log(received="2026-10-01 09:00", customer="甲公司")
    run("assign", a, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-01 10:00")
    run("investigate", a, "--finding", "复现", "--at", "2026-10-02 10:00")
    b = run.log(received="2026-10-01 09:30", customer="乙公司")
    run("assign", b, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-01 10:00")
    run("investigate", b, "--not-upheld", "--reason", "符合规格,\n属正常磨损",
        "--containment", "隔离库存", "--at", "2026-10-02 10:00")
    run("resolve", b, "--disposition", "explanation", "--summary", "已解释", "--at",
        "2026-10-03 10:00")
    run("close", b, "--no-revisit", "--reason", "客户拒绝\n回访", "--at", "2026-10-04 10:00")
    c = run.log(received="2026-10-01 09:40", customer="丙公司")
    run("assign", c, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-01 10:00")
    run("investigate", c, "--cause", "扭矩不足\n第二行", "--corrective", "改扭矩",
        "--preventive", "点检", "--at", "2026-10-02 10:00")
    run("resolve", c, "--disposition", "repair", "--summary", "维修", "--at",
        "2026-10-03 10:00")
    run("revisit", c, "--satisfaction", "satisfied", "--demand-met", "--note", "很好",
        "--at", "2026-10-04 10:00")
    d = run.log(received="2026-10-01 09:50", customer="丁公司")
    run("void", d, "--reason", "重复登记\n见甲公司", "--at", "2026-10-01 11:00")
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    facts = ("SELECT c.customer, c.status, c.void_reason, c.close_reason, c.root_cause, "
             "(SELECT group_concat(coalesce(i.finding, '') || '|' || coalesce(i.reason, '') "
             "|| '|' || coalesce(i.containment, '') || '|' || coalesce(i.corrective, '') || "
             "'|' || coalesce(i.preventive, ''), ';') FROM investigations i WHERE "
             "i.complaint_id = c.id), (SELECT v.demand_met || '|' || v.note FROM revisits v "
             "WHERE v.complaint_id = c.id) FROM complaints c ORDER BY c.customer")
    first = run.rows(facts)
    assert first[2][5] == "|符合规格,\n属正常磨损|隔离库存||", first
    monkeypatch.setenv("COMPLAINTCTL_DB", str(tmp_path / "fresh.db"))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    run("import", out, "--mapping", "complaintctl")
    assert run.rows(facts) == first
    assert first[3][:2] == ("甲公司", "investigating")
    # voided and imported again: the copy's ids are the export's (a fresh ledger in the
    # same year), which was refused as "the ledger holds this complaint under this id"
    run("import", "--void-batch", "1", "--reason", "重导")
    r = run("import", out, "--mapping", "complaintctl")
    assert "4 new complaints" in r.stderr, r.stderr
    assert run("verify").exit_code == 0


def test_an_amount_in_another_currency_is_refused(ledger, tmp_path, monkeypatch):
    """A ledger kept in yuan, exported and imported into one kept in dollars: its
    ¥1,250.50 came in as $1,250.50 (the export's currency column was not read)."""
    monkeypatch.chdir(tmp_path)  # (--skip-bad writes its rejects here)
    run = ledger
    run.log(received="2026-10-01 09:00")
    b = run.log(received="2026-10-01 10:00", customer="乙公司")
    run("assign", b, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-01 11:00")
    run("investigate", b, "--cause", "焊点", "--at", "2026-10-02 10:00")
    run("resolve", b, "--disposition", "compensation", "--summary", "赔偿", "--amount",
        "1250.50", "--at", "2026-10-03 10:00")
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    monkeypatch.setenv("COMPLAINTCTL_DB", str(tmp_path / "usd.db"))
    run("init", "--country", "US", "--timezone", "America/New_York", "--currency", "USD")
    before = run.snapshot()
    r = run("import", out, "--mapping", "complaintctl", code=1)
    assert "column resolution.currency: 'CNY': the amount is in another currency than " \
        "the ledger's (USD)" in r.stderr, r.stderr
    assert run.snapshot() == before
    # a row without an amount is not refused for its currency
    r = run("import", out, "--mapping", "complaintctl", "--skip-bad")
    assert "1 new complaint" in r.stderr, r.stderr


def test_a_workbook_export_is_read_in_the_zone_it_was_written_in(ledger, tmp_path,
                                                                 monkeypatch):
    """The XLSX export writes local times without their zone: imported into a ledger in
    another zone, every time moved by the difference without a word. The workbook names
    its zone; the import reads the times in it and says so."""
    run = ledger  # (Asia/Shanghai)
    a = run.log(received="2026-10-01 09:00")
    run("assign", a, "--dept", "质量部", "--owner", "王芳", "--at", "2026-10-01 10:00")
    out = tmp_path / "all.xlsx"
    run("export", "complaints", "--reveal", "--format", "xlsx", "--output", out)
    first = run.rows("SELECT received_at, assigned_at FROM complaints")
    monkeypatch.setenv("COMPLAINTCTL_DB", str(tmp_path / "utc.db"))
    run("init", "--country", "CN", "--timezone", "UTC")
    r = run("import", out, "--mapping", "complaintctl")
    assert "Warning: the workbook's times are in Asia/Shanghai, the time zone of the " \
        "ledger it was exported from; they are read in it (this ledger keeps UTC)\n" \
        in r.stderr, r.stderr
    assert run.rows("SELECT received_at, assigned_at FROM complaints") == first


def test_a_workbook_keeps_the_second_time_of_an_hour_the_clocks_go_back_over(run, tmp_path):
    """New York's 01:30 on 1 November 2026 is two instants (EDT, then EST): the export's
    date-time cells, which hold no offset, wrote both as 01:30, and the import read the
    second as the first, an hour early, without a word. The second is its text with its
    offset, and comes back as it was."""
    run("init", "--country", "US", "--timezone", "America/New_York", "--currency", "USD")
    for offset in ("-04:00", "-05:00"):
        run("log", "--no-input", "--customer", f"A{offset}", "--description", "d",
            "--category", "quality", "--severity", "high", "--channel", "phone",
            "--received", f"2026-11-01T01:30{offset}")
    out = tmp_path / "all.xlsx"
    run("export", "complaints", "--reveal", "--output", out)
    first = run.rows("SELECT customer, received_at FROM complaints ORDER BY customer")
    assert first == [("A-04:00", "2026-11-01T05:30:00Z"), ("A-05:00", "2026-11-01T06:30:00Z")]
    from openpyxl import load_workbook

    cells = [row[[c.value for c in load_workbook(out).active[1]].index("received_at")]
             for row in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert "2026-11-01 01:30:00-05:00" in cells, cells
    other = tmp_path / "tokyo.db"
    run("--db", other, "init", "--country", "JP", "--timezone", "Asia/Tokyo")
    run("--db", other, "import", out, "--mapping", "complaintctl")
    assert read_rows(other, "SELECT customer, received_at FROM complaints ORDER BY "
                     "customer") == first


def test_a_time_that_differs_in_its_seconds_is_said_to_the_second(ledger, tmp_path):
    """A sheet re-saved by Excel drops the seconds: the conflict read "received_at was
    '2026-10-01 09:00', the file now says '2026-10-01 09:00'" and advised a key for a
    register that numbers its rows anew."""
    run = ledger
    run("log", "--no-input", "--customer", "甲", "--description", "d", "--category",
        "quality", "--severity", "low", "--channel", "phone", "--received",
        "2026-10-01 09:00:30")
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    text = out.read_text(encoding="utf-8-sig")
    path = tmp_path / "copy.csv"
    path.write_text(text.replace("2026-10-01T01:00:30Z", "2026-10-01 09:00"),
                    encoding="utf-8-sig")
    other = tmp_path / "other.db"
    run("--db", other, "init", "--timezone", "Asia/Shanghai")
    run("--db", other, "import", out, "--mapping", "complaintctl")
    r = run("--db", other, "import", path, "--mapping", "complaintctl")
    assert "received_at was '2026-10-01 09:00:30', the file now says '2026-10-01 " \
        "09:00:00'; the ledger is left as it is" in r.stderr, r.stderr
    assert "numbers its rows anew" not in r.stderr, r.stderr


@pytest.mark.parametrize("keyed", [True, False])
def test_an_import_sees_the_same_register_imported_just_before_it(ledger, files, keyed,
                                                                  monkeypatch):
    """Another process imports the same register between this import's start and its
    write transaction: what is imported already is read inside that transaction, so
    the rows come in once. With a key they are found imported; without one the file
    is refused, the ledger as the other import left it."""
    import subprocess
    import sys
    from contextlib import contextmanager

    from complaintctl import bulk

    mapping = files["map"]
    if not keyed:
        mapping = files["dir"] / "keyless.toml"
        mapping.write_text(MAPPING.replace('key = "投诉单号"', ""), encoding="utf-8")
    argv = ["import", str(files["csv"]), "--mapping", str(mapping)]
    writing = bulk.writing
    other: list[subprocess.CompletedProcess[str]] = []

    @contextmanager
    def after_another(lg, **kw):
        if not other:  # the other clerk's import, a real process, lands first
            other.append(subprocess.run(
                [sys.executable, "-m", "complaintctl", "--db", str(ledger.db), "--as",
                 "clerk2", *argv], capture_output=True, text=True, timeout=120))
        with writing(lg, **kw) as writer:
            yield writer

    monkeypatch.setattr(bulk, "writing", after_another)
    r = ledger(*argv, code=0 if keyed else 1)
    assert other[0].returncode == 0 and "3 new complaints" in other[0].stderr
    if keyed:
        assert "0 new complaints, 3 already imported" in r.stderr
    else:
        assert "was imported already, as batch 1" in r.stderr
    assert ledger.rows("SELECT count(*) FROM complaints") == [(3,)]
    assert ledger.rows("SELECT count(*) FROM import_batches WHERE added > 0") == [(1,)]
    ledger("verify")


def test_a_header_the_file_has_twice_is_refused_not_guessed(ledger, files):
    """日期 under 投诉 and again under 处理: which one the mapping means cannot be told."""
    header = ["投诉单号", "日期", "客户名称", "投诉渠道", "投诉内容", "投诉类别", "严重程度",
              "日期"]
    path = write_csv(files["dir"] / "twice.csv", [["D-1", "2025-03-05", "客户A", "电话", "描述",
                                                   "质量", "一般", "2025-03-09"]], header=header)
    mapping = files["dir"] / "twice.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "日期"\ncustomer = "客户名称"\n'
                       'channel = "投诉渠道"\ndescription = "投诉内容"\ncategory = "投诉类别"\n'
                       'severity = "严重程度"\n', encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert r.stderr == ("Error: column 日期 is in the file more than once (columns B, H)\n"
                        "Hint: rename them in the file so that each header is different (e.g. "
                        "日期1, 日期2), and map the one meant\n")
    assert ledger.snapshot() == before
    # a repeated header the mapping does not use is no obstacle
    mapping.write_text('key = "投诉单号"\n[columns]\ncustomer = "客户名称"\nchannel = "投诉渠道"\n'
                       'description = "投诉内容"\ncategory = "投诉类别"\nseverity = "严重程度"\n'
                       '[defaults]\nreceived_at = "2025-03-05"\n', encoding="utf-8")
    assert "1 new complaint" in ledger("import", path, "--mapping", mapping, "--dry-run").stdout


def _history_file(files, name: str, rows: list[list[str]], extra: str) -> tuple[Path, Path]:
    header = ["投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉内容", "投诉类别", "严重程度",
              "责任部门", "责任人", "原因分析", "处理方式", "处理日期", "状态"]
    path = write_csv(files["dir"] / f"{name}.csv", rows, header=header)
    mapping = files["dir"] / f"{name}.toml"
    mapping.write_text(
        'key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
        'channel = "投诉渠道"\ndescription = "投诉内容"\ncategory = "投诉类别"\n'
        'severity = "严重程度"\ndepartment = "责任部门"\nowner = "责任人"\ncause = "原因分析"\n'
        'disposition = "处理方式"\nresolved_at = "处理日期"\nstatus = "状态"\n' + extra,
        encoding="utf-8")
    return path, mapping


CLOSED_ROWS = [["C-1", "2024-01-05", "客户A", "电话", "描述", "质量", "一般", "质量部", "王芳",
                "原因", "退款", "2024-01-09", "已结案"],
               ["C-2", "2024-01-06", "客户B", "电话", "描述", "质量", "一般", "质量部", "王芳",
                "原因", "换货", "2024-01-10", "已结案"]]


def test_a_closing_after_an_unsatisfied_revisit_is_refused_not_dropped(ledger, files):
    """A register row with 不满意 and a 结案日期 came in reopened, its closing dropped
    without a word: every morning's overdue then had it at level 3, owing a second
    resolution the register says was never needed. The row is refused, saying why and
    the two ways out; without the closing date it comes in reopened, as the procedure
    has it."""
    header = ["投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉内容", "投诉类别", "严重程度",
              "责任部门", "责任人", "原因分析", "处理方式", "处理日期", "回访结果", "结案日期"]
    row = ["C-1", "2026-11-02", "甲公司", "电话", "漏水", "质量", "一般", "品质部", "王芳",
           "焊点不良", "换货", "2026-11-05", "不满意", "2026-11-10"]
    path = write_csv(files["dir"] / "unsatisfied.csv", [row], header=header)
    mapping = files["dir"] / "unsatisfied.toml"
    mapping.write_text(
        'key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
        'channel = "投诉渠道"\ndescription = "投诉内容"\ncategory = "投诉类别"\n'
        'severity = "严重程度"\ndepartment = "责任部门"\nowner = "责任人"\ncause = "原因分析"\n'
        'disposition = "处理方式"\nresolved_at = "处理日期"\nsatisfaction = "回访结果"\n'
        'closed_at = "结案日期"\n[defaults]\nsummary = "见登记表"\n[dates]\n'
        'assigned_at = "received_at"\nconcluded_at = "resolved_at"\n'
        'revisited_at = "closed_at"\n', encoding="utf-8")
    before = ledger.snapshot()
    for dry in ((), ("--dry-run",)):
        r = ledger("import", path, "--mapping", mapping, *dry, code=1)
        assert ("row 2, column 结案日期: closed on 2026-11-10 00:00, but the revisit is "
                "unsatisfied, which reopens the complaint for a second handling: a reopened "
                "complaint is closed by its next resolution and revisit (enter them after the "
                "import), or leave this row's 结案日期 empty to import it reopened") in r.stderr, \
            r.stderr
    assert ledger.snapshot() == before
    # its closing date left out (the revisit dated by its resolution): reopened
    path = write_csv(files["dir"] / "reopened.csv", [[*row[:-1], ""]], header=header)
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        'revisited_at = "closed_at"', 'revisited_at = "resolved_at"'), encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT status, reopen_count, closed_at FROM complaints") == [
        ("investigating", 1, None)]
    # its second handling entered by hand, the register's newer copy (closing date filled)
    # comes in as imported already: the refusal is of a row that comes in new (a reviewer
    # found the whole file refused)
    (cid,), = ledger.rows("SELECT id FROM complaints")
    newer = write_csv(files["dir"] / "newer.csv", [row], header=header)
    r = ledger("import", newer, "--mapping", mapping)  # still reopened here: said
    assert (f"Warning: row 2: C-1 ({cid}): the register closes it on 2026-11-10 00:00, but "
            "its unsatisfied revisit reopened it here: its second handling is owed "
            f"(complaintctl resolve {cid} …, then revisit)\n") in r.stderr, r.stderr
    ledger("resolve", cid, "--disposition", "exchange", "--summary", "再次换货", "--at",
           "2026-11-09 10:00")
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-11-10 09:00")
    r = ledger("import", newer, "--mapping", mapping)
    assert "0 new complaints, 1 already imported" in r.stderr, r.stderr
    assert "Warning" not in r.stderr, r.stderr
    # an unsatisfied revisit after the closing: which revisit closed it, the row does not
    # say (it came in reopened, its closing dropped, without a word)
    second = ["C-2", "2026-08-01", "乙公司", "电话", "冒烟", "质量", "紧急", "品质部", "王芳",
              "短路", "换货", "2026-08-03", "不满意", "2026-08-04"]
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        'revisited_at = "resolved_at"\n', "").replace(
        'closed_at = "结案日期"\n', 'closed_at = "结案日期"\nrevisited_at = "回访日期"\n'),
        encoding="utf-8")
    later = write_csv(files["dir"] / "second.csv", [[*second, "2026-11-05"],
                                                     ["C-3", *row[1:-1], "2026-11-10",
                                                      "2026-11-10 15:00"],
                                                     ["C-4", *row[1:-1], "2026-11-10 09:00",
                                                      "2026-11-10 15:00"]],
                      header=[*header, "回访日期"])
    r = ledger("import", later, "--mapping", mapping, "--dry-run", code=1)
    assert ("row 2, column 结案日期: closed on 2026-08-04 00:00 and revisited after that "
            "(2026-11-05 00:00) with unsatisfied, which reopens the complaint: the row does "
            "not say which revisit closed it; correct the dates in the file, or enter this "
            "complaint by hand") in r.stderr, r.stderr
    # a revisit later on the day of a closing dated without its time: the one revisit
    assert "row 3, column 结案日期: closed on 2026-11-10 00:00, but the revisit is " \
        "unsatisfied" in r.stderr, r.stderr
    # (a closing with its time, a revisit later that day: after it)
    assert "row 4, column 结案日期: closed on 2026-11-10 09:00 and revisited after that " \
        "(2026-11-10 15:00)" in r.stderr, r.stderr


def test_a_batch_is_not_voided_before_a_step_within_the_minute_ahead(ledger, files):
    """An imported step may be up to a minute ahead of the clock; the batch voided at once
    was dated before it (verify then named the void as a step set back by hand), then
    refused ("try again in a minute, or give --at", which import has not). As `void`
    does now, the voids follow it, at its time; one further ahead is refused, named."""
    header = ["投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉内容", "投诉类别", "严重程度",
              "责任部门", "责任人", "分派日期"]
    path = write_csv(files["dir"] / "ahead.csv", [[
        "C-1", "2026-11-23 19:00", "甲公司", "电话", "漏水", "质量", "一般", "品质部", "王芳",
        "2026-11-23 20:00:45"]], header=header)  # (the clock: 20:00 in Shanghai)
    mapping = files["dir"] / "ahead.toml"
    mapping.write_text(
        'key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
        'channel = "投诉渠道"\ndescription = "投诉内容"\ncategory = "投诉类别"\n'
        'severity = "严重程度"\ndepartment = "责任部门"\nowner = "责任人"\n'
        'assigned_at = "分派日期"\n', encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    conn = sqlite3.connect(ledger.db)
    with conn:  # (further ahead than a minute: as a clock set wrong would stamp it)
        conn.execute("UPDATE complaints SET last_step_at = '2026-11-23T12:03:00Z'")
    conn.close()
    before = ledger.snapshot()
    r = ledger("import", "--void-batch", "1", "--reason", "导错了", code=1)
    assert r.stderr.startswith("Error: the last step of CC-2026-0001 at 2026-11-23 20:03, "
                               "as recorded: that is ahead of this machine's clock "
                               "(2026-11-23 20:00)"), r.stderr
    assert ledger.snapshot() == before
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET last_step_at = '2026-11-23T12:00:45Z'")
    conn.close()
    ledger("import", "--void-batch", "1", "--reason", "导错了")
    assert ledger.rows("SELECT status, voided_at, last_step_at FROM complaints") == [
        ("void", "2026-11-23T12:00:45Z", "2026-11-23T12:00:45Z")]
    assert ledger.rows("SELECT at, recorded_at FROM events WHERE kind = 'void'") == [
        ("2026-11-23T12:00:45Z", "2026-11-23T12:00:00Z")]
    assert ledger.rows("SELECT voided_at FROM import_batches") == [("2026-11-23T12:00:45Z",)]
    assert ledger.rows("SELECT at FROM events WHERE kind = 'import-void'") == [
        ("2026-11-23T12:00:45Z",)]


def test_a_row_typed_by_hand_before_is_warned_of_when_it_comes_in(ledger, files):
    """A row refused by an import (--skip-bad) and typed by hand came in again with the
    corrected register: a second complaint, the month's received count one too many,
    and not a word (only its repeat_of). The dry run and the import say so, naming the
    complaint typed and what to void."""
    header = ["投诉单号", "投诉日期", "客户名称", "产品型号", "投诉渠道", "投诉内容", "投诉类别",
              "严重程度", "责任部门", "责任人", "原因分析", "处理方式", "处理日期", "回访结果"]
    rows = [["C-1", "2026-11-02", "宁波海天贸易", "BCD-215", "电话", "冰箱温控失灵", "质量", "严重",
             "品质部", "王芳", "温控器", "换货", "2026-11-05", "满意"],
            ["C-2", "2026-11-02", "宁波海天贸易", "BCD-300", "电话", "异响", "质量", "严重",
             "品质部", "王芳", "风扇", "换货", "2026-11-05", "满意"],
            # the same customer, product and instant as C-1: it repeats C-1, and may be
            # the one typed as well (a reviewer: only the first of the instant was named)
            ["C-3", "2026-11-02", "宁波海天贸易", "BCD-215", "电话", "不制冷", "质量", "严重",
             "品质部", "王芳", "压缩机", "维修", "2026-11-05", "满意"]]
    path = write_csv(files["dir"] / "typed.csv", rows, header=header)
    mapping = files["dir"] / "typed.toml"
    mapping.write_text(
        'key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
        'product = "产品型号"\nchannel = "投诉渠道"\ndescription = "投诉内容"\n'
        'category = "投诉类别"\nseverity = "严重程度"\ndepartment = "责任部门"\n'
        'owner = "责任人"\ncause = "原因分析"\ndisposition = "处理方式"\n'
        'resolved_at = "处理日期"\nsatisfaction = "回访结果"\n[defaults]\n'
        'summary = "见登记表"\n[dates]\nassigned_at = "received_at"\n'
        'concluded_at = "resolved_at"\nrevisited_at = "resolved_at"\n', encoding="utf-8")
    typed = ledger.log(customer="宁波海天贸易", product="BCD-215", received="2026-11-02 00:00")
    r = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert (f"Warning: row 2 was received at the same instant as {typed}, typed in the "
            "ledger, from the same customer and product: if it is that complaint (the row "
            "typed by hand), it would come in twice; leave the row out of the file\n"
            ) in r.stderr, r.stderr
    assert "row 3" not in r.stderr  # another product: another complaint
    assert f"Warning: row 4 was received at the same instant as {typed}" in r.stderr, r.stderr
    r = ledger("import", path, "--mapping", mapping)
    (new,), = ledger.rows("SELECT id FROM complaints WHERE source_key = 'C-1'")
    assert (f"Warning: row 2 came in as {new}, received at the same instant as {typed}, "
            "typed in the ledger, from the same customer and product: if they are one "
            f"complaint, void the one typed: complaintctl void {typed} --reason …\n"
            ) in r.stderr, r.stderr
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (new,)) == [(typed,)]
    (third,), = ledger.rows("SELECT id FROM complaints WHERE source_key = 'C-3'")
    assert f"Warning: row 4 came in as {third}, received at the same instant as {typed}" \
        in r.stderr, r.stderr


def test_a_row_the_register_voided_is_no_twin_of_one_typed(ledger, files):
    """A row voided in the register (作废) at the instant of a complaint typed by hand was
    warned of with "void the one typed" (voiding both); the next row of that instant
    repeats the typed one and is the one warned of."""
    path = write_csv(files["dir"] / "voided.csv", [
        ["C-1", "2026-11-02", "宁波海天贸易", "BCD-215", "x", "2026-11-03"],
        ["C-2", "2026-11-02", "宁波海天贸易", "BCD-215", "y", ""]],
        header=["编号", "投诉日期", "客户名称", "产品", "投诉内容", "作废"])
    mapping = files["dir"] / "voided.toml"
    mapping.write_text(
        'key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
        'product = "产品"\ndescription = "投诉内容"\nvoided_at = "作废"\n[defaults]\n'
        'channel = "phone"\ncategory = "quality"\nseverity = "low"\nvoid_reason = "重复"\n',
        encoding="utf-8")
    typed = ledger.log(customer="宁波海天贸易", product="BCD-215", received="2026-11-02 00:00")
    r = ledger("import", path, "--mapping", mapping)
    assert "row 2 " not in r.stderr, r.stderr
    (second,), = ledger.rows("SELECT id FROM complaints WHERE source_key = 'C-2'")
    assert (f"Warning: row 3 came in as {second}, received at the same instant as {typed}, "
            "typed in the ledger, from the same customer and product: if they are one "
            f"complaint, void the extra one: complaintctl void {second} --reason …\n"
            ) in r.stderr, r.stderr


def test_a_registers_void_reason_of_a_word_for_none_is_imported(ledger, files):
    """The check that refuses --reason 无 on the command line refused a register's row
    whose 作废原因 was 无 (and an export's own rows voided so), nothing imported."""
    path = write_csv(files["dir"] / "voided.csv", [
        ["C-1", "2026-11-02", "宁波海天贸易", "BCD-215", "x", "2026-11-03", "无"]],
        header=["编号", "投诉日期", "客户名称", "产品", "投诉内容", "作废", "作废原因"])
    mapping = files["dir"] / "voided.toml"
    mapping.write_text(
        'key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
        'product = "产品"\ndescription = "投诉内容"\nvoided_at = "作废"\n'
        'void_reason = "作废原因"\n[defaults]\nchannel = "phone"\ncategory = "quality"\n'
        'severity = "low"\nvoid_reason = "登记表作废"\n', encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT status FROM complaints") == [("void",)]
    # typed, it is refused: a word for none is no reason
    cid = ledger.log()
    r = ledger("void", cid, "--reason", "无", code=2)
    assert "'无' means none, not a value of --reason" in r.stderr, r.stderr


def test_dates_closed_at_closes_a_register_without_revisits(ledger, files):
    """[dates] closed_at = "resolved_at" with a close_reason default closes each row (its
    close marked estimated): old complaints do not flood `overdue`."""
    path, mapping = _history_file(
        files, "closing", CLOSED_ROWS,
        '[defaults]\nsummary = "见登记表"\nclose_reason = "历史登记，未回访"\n'
        '[dates]\nassigned_at = "received_at"\nconcluded_at = "resolved_at"\n'
        'closed_at = "resolved_at"\n')
    ledger("import", path, "--mapping", mapping)
    assert [(k, s, c) for k, s, *_, c, _b in complaints(ledger)] == [
        ("C-1", "closed", "2024-01-08T16:00:00Z"), ("C-2", "closed", "2024-01-09T16:00:00Z")]
    closes = ledger.rows("SELECT data FROM events WHERE kind = 'close' ORDER BY id")
    assert [json.loads(d)["estimated"] for (d,) in closes] == [True, True]
    assert ledger.json("overdue") == []


def test_a_status_a_step_cannot_reach_names_what_the_row_lacks(ledger, files):
    """已结案 with its resolution and closing dates mapped, but an empty cause: the hint
    sent the clerk to map resolved_at and closed_at, which were mapped; the row lacks
    the investigation its resolution follows, and that is what is said now (in Chinese
    without English words between the field names)."""
    rows = [[*row[:9], "", *row[10:]] for row in CLOSED_ROWS]
    path, mapping = _history_file(files, "nocause", rows,
                                  '[defaults]\nsummary = "见登记表"\nclose_reason = "历史"\n'
                                  '[dates]\nassigned_at = "received_at"\nconcluded_at = '
                                  '"resolved_at"\nclosed_at = "resolved_at"\n')
    r = ledger("import", path, "--mapping", mapping, code=1)
    assert ("row 2: the row's resolve step has no investigation before it: map "
            "cause (or validity) and where concluded_at comes from; “upheld” (成立) alone, "
            "without a cause, makes no investigation") in r.stderr, r.stderr
    assert "missing steps" not in r.stderr
    path, mapping = _history_file(files, "nodate", CLOSED_ROWS,
                                  '[defaults]\nsummary = "见登记表"\n[dates]\n'
                                  'assigned_at = "received_at"\nconcluded_at = "resolved_at"\n')
    r = ledger("--lang", "zh", "import", path, "--mapping", mapping, code=1)
    assert "（resolved_at，closed_at 或 revisited_at）" in r.stderr, r.stderr


def test_a_status_the_rows_dates_do_not_reach_is_refused(ledger, files):
    """已结案 in the status column, but no closing date mapped: refused, naming what to map
    (it came in as `resolved`, and late, before)."""
    path, mapping = _history_file(files, "status", CLOSED_ROWS,
                                  '[defaults]\nsummary = "见登记表"\n[dates]\n'
                                  'assigned_at = "received_at"\nconcluded_at = "resolved_at"\n')
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=1)
    assert ("row 2, column 状态: the status is closed but the row's steps reach only resolved: "
            "map the columns of the missing steps (resolved_at, closed_at or revisited_at), or "
            "say under [dates] where their times come from") in r.stderr, r.stderr
    assert "row 3, column 状态:" in r.stderr
    assert ledger.snapshot() == before
    # a status short of the steps is the register lagging: the steps win
    rows = [[*row[:-1], "处理中"] for row in CLOSED_ROWS]
    path, mapping = _history_file(files, "lagging", rows,
                                  '[values.status]\n"处理中" = "investigating"\n[defaults]\n'
                                  'summary = "见登记表"\n[dates]\nassigned_at = "received_at"\n'
                                  'concluded_at = "resolved_at"\n')
    ledger("import", path, "--mapping", mapping)
    assert {s for _k, s, *_ in complaints(ledger)} == {"resolved"}


@pytest.mark.parametrize(("typed", "minor"), [("1,250.50", 125050), ("12,345,678", 1234567800),
                                              ("1，250", 125000), ("99.5", 9950),
                                              ("１２３．５", 12350), ("１，２５０．５", 125050),
                                              ("¥1,250.50", 125050), ("1250元", 125000),
                                              ("RMB 80", 8000), ("300块", 30000),
                                              ("1.5万块", 1500000), ("300元整", 30000),
                                              ("300 块钱", 30000)])
def test_a_comma_between_thousands_is_read(ledger, typed, minor):
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    ledger("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount", typed)
    assert ledger.rows("SELECT amount FROM resolutions") == [(minor,)]


def test_the_yuan_around_a_typed_amount_only_in_a_ledger_kept_in_yuan(ledger, tmp_path):
    usd = tmp_path / "usd.db"
    ledger("--db", usd, "init", "--currency", "USD", "--timezone", "Asia/Shanghai")
    cid = ledger("--db", usd, "log", "--customer", "Acme", "--description", "x", "--category",
                 "quality", "--severity", "low", "--channel", "phone").stdout.strip()
    ledger("--db", usd, "assign", cid, "--dept", "QA", "--owner", "Li")
    ledger("--db", usd, "investigate", cid, "--cause", "x")
    r = ledger("--db", usd, "resolve", cid, "--disposition", "refund", "--summary", "x",
               "--amount", "¥100", code=2)
    assert "Error: --amount '¥100' is in another currency than the ledger's (USD)" in r.stderr


@pytest.mark.parametrize("typed", ["12,50", "1,2,3", "99，5", "1,25", ",123", "1,2500"])
def test_any_other_comma_in_an_amount_is_refused(ledger, typed):
    """A decimal comma (12,50) was read as 1250.00: refused, never scaled."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    before = ledger.snapshot()
    r = ledger("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount", typed,
               code=2)
    assert r.stderr == (f"Error: --amount {typed!r} is not an amount\nHint: type a number with "
                        "a point before at most two decimals, e.g. --amount 1250.50 (a comma "
                        "only between thousands: 1,250.50)\n")
    assert ledger.snapshot() == before


def test_a_date_without_a_time_on_the_day_of_a_timed_step_follows_it(ledger, files):
    """投诉日期 with a time, 分派日期 a date of the same day: assigned at the receipt's time
    (estimated), not refused as running backwards; a date of the day before still is."""
    header = ["投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉内容", "投诉类别", "严重程度",
              "责任部门", "责任人", "分派日期"]
    rows = [["SD-1", "2024-03-05 09:30", "客户A", "电话", "描述", "质量", "一般", "质量部", "王芳",
             "2024-03-05"]]
    path = write_csv(files["dir"] / "sameday.csv", rows, header=header)
    mapping = files["dir"] / "sameday.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\n'
                       'customer = "客户名称"\nchannel = "投诉渠道"\ndescription = "投诉内容"\n'
                       'category = "投诉类别"\nseverity = "严重程度"\ndepartment = "责任部门"\n'
                       'owner = "责任人"\nassigned_at = "分派日期"\n', encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT received_at, assigned_at FROM complaints") == [
        ("2024-03-05T01:30:00Z", "2024-03-05T01:30:00Z")]
    (data,) = ledger.rows("SELECT data FROM events WHERE kind = 'assign'")[0]
    assert json.loads(data)["estimated"] is True
    rows[0][0], rows[0][-1] = "SD-2", "2024-03-04"
    path = write_csv(files["dir"] / "daybefore.csv", rows, header=header)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=1)
    assert "the dates run backwards" in r.stderr and ledger.snapshot() == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_title_above_the_header_is_passed_over(ledger, files, kind):
    """2024年客户投诉登记表 in A1 (merged across in the XLSX), a blank row, then the header:
    the header is the first row with two cells filled; rows keep the file's numbers."""
    title = [["2024年客户投诉登记表", *[""] * (len(HEADER) - 1)], [""] * len(HEADER)]
    bad = list(ROWS[2])
    bad[1] = "2025/13/01"
    rows = [*title, HEADER, *ROWS[:2], bad]
    if kind == "csv":
        path = files["dir"] / "titled.csv"
        with open(path, "w", encoding="gbk", newline="") as fh:
            csv.writer(fh).writerows(rows)
    else:
        import xlsxwriter

        path = files["dir"] / "titled.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("登记表")
        sheet.merge_range(0, 0, 0, len(HEADER) - 1, title[0][0])
        for i, row in enumerate(rows[2:], 2):
            sheet.write_row(i, 0, row)
        book.close()
    assert 'key = "投诉单号"' in ledger("import", path, "--template").stdout
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert "row 6, column 投诉日期: '2025/13/01' is not a date" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects",
               files["dir"] / "rejects.csv")
    assert "2 new complaints" in r.stderr, r.stderr


@pytest.mark.parametrize("form", ["utf-16", "tabs", "titled"])
def test_excels_unicode_text_and_tab_separated_files_are_read(ledger, files, form):
    """Excel's "Unicode text" (UTF-16 with its BOM, tabs) and a tab-separated UTF-8 file
    (with a title line above it too), with a comma inside a cell: read as the CSV they
    are."""
    rows = [HEADER, *map(list, ROWS)]  # (ROWS itself changed, later tests read its row)
    rows[1][8] = "电机异响, 三台"
    text = ("2025年客户投诉登记表\r\n" if form == "titled" else "") + "".join(
        "\t".join(r) + "\r\n" for r in rows)
    path = files["dir"] / ("u16.txt" if form == "utf-16" else "tabs.csv")
    path.write_text(text, encoding="utf-16" if form == "utf-16" else "utf-8", newline="")
    ledger("import", path, "--mapping", files["map"])
    assert [c[0] for c in complaints(ledger)] == ["2025-001", "2025-002", "2025-003"]
    assert ledger.json("show", "--ref", "2025-001")["description"] == "电机异响, 三台"


def test_an_xlsx_amount_is_read_as_excel_shows_it(ledger, files):
    """¥3.30 typed in Excel is stored as the float 3.3000000000000003: read as 3.30 (it
    was refused for having more than two decimals)."""
    import xlsxwriter

    header = [*HEADER, "赔偿金额"]
    path = files["dir"] / "amount.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, [*ROWS[0], 0.1 + 3.2])  # 3.3000000000000003
    book.close()
    mapping = files["dir"] / "amount.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'amount = "赔偿金额"\n\n'
                                       "[values.category]"), encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT amount FROM resolutions") == [(330,)]


def test_an_xlsx_amount_with_a_third_decimal_says_the_sheet_may_show_it_rounded(
        ledger, files):
    """12345.675 in a cell formatted "¥"#,##0.00 shows ¥12,345.68: its refusal quoted a
    value the clerk never sees, and said nothing of why."""
    import xlsxwriter

    path = files["dir"] / "amount.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [*HEADER, "赔偿金额"])
    sheet.write_row(1, 0, ROWS[0])
    sheet.write_number(1, len(HEADER), 12345.675, book.add_format({"num_format": '"¥"#,##0.00'}))
    book.close()
    mapping = files["dir"] / "amount.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'amount = "赔偿金额"\n\n'
                                       "[values.category]"), encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert ("row 2, column 赔偿金额: '12345.675' has more than two decimals: a sheet may "
            "show the cell rounded while it holds this; round it in the sheet (=ROUND(cell, 2)) "
            "and save, or give the amount under [values.amount]") in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_an_xlsx_long_number_is_read_as_excel_shows_it(ledger, files):
    """An 18-digit order number typed as a number is kept by Excel to 15 significant
    digits (123456789012346000, as it shows it); it came in as the binary float's
    123456789012345696, digits Excel never shows."""
    import xlsxwriter

    header = [*HEADER, "订单号"]
    path = files["dir"] / "order.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, [*ROWS[2], 123456789012345678])
    book.close()
    mapping = files["dir"] / "order.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'order_no = "订单号"\n\n'
                                       "[values.category]"), encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT order_no FROM complaints") == [("123456789012346000",)]
    # a 16-digit number a float holds exactly (an ERP's key) is read exactly, as before
    from complaintctl.readers import _cell

    assert [_cell(v) for v in (2025030300000001.0, 2.0 ** 53 - 1, -9.0e15, 1e15)] == [
        "2025030300000001", "9007199254740991", "-9000000000000000", "1000000000000000"]


@pytest.mark.parametrize(("header", "key"), [
    (["序号", "投诉单号", "投诉日期", "客户名称"], "投诉单号"),
    (["订单编号", "投诉单号", "投诉日期", "客户名称"], "投诉单号"),
    (["序号", "投诉日期", "客户名称"], None),
    (["编号", "投诉日期", "客户名称"], "编号")])
def test_the_templates_key_is_the_complaints_own_id(header, key):
    """Never 序号 (a row number, renumbered when the sheet is sorted: every row of a newer
    copy conflicted) nor an order's number (shared by complaints of one order)."""
    from complaintctl.mapping import guess

    assert guess(header)[0] == key


def test_an_unreadable_date_is_said_once(ledger, files):
    """A cell that is not a date is named; the steps whose times it (or [dates] through it)
    would give are not reported again as mapping gaps."""
    row = list(ROWS[0])
    row[1], row[17] = "2025/13/01", "2025/13/06"
    path = write_csv(files["dir"] / "unread.csv", [row])
    r = ledger("import", path, "--mapping", files["map"], code=2)
    lines = [line for line in r.stderr.splitlines() if line.startswith("row ")]
    assert lines == ["row 2, column 投诉日期: '2025/13/01' is not a date: correct the cell, or "
                     "give it its date under [values.received_at] (\"2025/13/01\" = \"…\")",
                     "row 2, column 处理日期: '2025/13/06' is not a date: correct the cell, or "
                     "give it its date under [values.resolved_at] (\"2025/13/06\" = \"…\")"
                     ], r.stderr


def test_an_excel_date_number_or_a_date_without_its_year_says_what_it_is(ledger, files):
    """45730 (a date cell saved as General) and 3月5日 were both "is not a date", with
    nothing on what to do (`log --received 3月5日` says the year is missing)."""
    rows = [list(ROWS[0]), list(ROWS[1]), list(ROWS[2])]
    rows[0][1], rows[1][1], rows[2][1] = "45730", "3月5日", "45721.5"
    path = write_csv(files["dir"] / "serial.csv", rows)
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert "row 2, column 投诉日期: '45730' is not a date (as an Excel date number it is " \
        "2025-03-14: type the date into the cell, or give the cell a line under " \
        "[values.received_at]: \"45730\" = \"2025-03-14\")" in r.stderr, r.stderr
    assert "row 3, column 投诉日期: '3月5日' is not a date: it has no year (give the year " \
        "first, e.g. 2026年3月5日)" in r.stderr, r.stderr
    # a date-time cell in General (its time the fraction): said as one too, not given a
    # [formats] line that cannot read it
    assert "row 4, column 投诉日期: '45721.5' is not a date (as an Excel date number it is " \
        "2025-03-05 12:00: type the date into the cell, or give the cell a line under " \
        "[values.received_at]: \"45721.5\" = \"2025-03-05 12:00\")" in r.stderr, r.stderr
    assert "[formats]" not in r.stderr


def test_an_empty_date_cell_of_a_mapped_column_is_said_as_empty(ledger, files):
    """处理日期 empty in a row that was resolved: "the investigate step has no date: map
    concluded_at to a column" -- it was mapped (through [dates]); the cell was empty."""
    row = list(ROWS[0])
    row[17] = ""  # 处理日期
    path = write_csv(files["dir"] / "empty-date.csv", [row])
    r = ledger("import", path, "--mapping", files["map"], code=2)
    # (the investigation's conclusion takes its time from 处理日期 too: [dates])
    assert "row 2, column 处理日期: empty, and the investigate step needs its date" in \
        r.stderr, r.stderr
    assert "to a column" not in r.stderr


def test_a_mapping_typed_with_an_input_methods_quotes_or_a_typo_says_so(ledger, files):
    """key = “编号” (an IME's quotes) was "not TOML … (Invalid value)", the parser's
    English in the Chinese interface, with no word on the quotes; customr had no
    did-you-mean."""
    quoted = files["dir"] / "quoted.toml"
    quoted.write_text('key = “编号”\n[columns]\ncustomer = "客户名称"\n', encoding="utf-8")
    r = ledger("--lang", "zh", "import", files["csv"], "--mapping", quoted, code=2)
    assert "第 1 行第 7 列不是 TOML 格式（值既不是双引号里的文字，也不是数字或 true/false）" \
        in r.stderr, r.stderr
    assert "提示：第 1 行用了中文引号（“ ”）：请改为英文双引号" in r.stderr
    assert "Invalid value" not in r.stderr
    typo = files["dir"] / "typo.toml"
    typo.write_text('[columns]\ncustomr = "客户名称"\n', encoding="utf-8")
    r = ledger("import", files["csv"], "--mapping", typo, code=2)
    assert "[columns] customr: no such field (did you mean customer?)" in r.stderr


@pytest.mark.parametrize("again", ["2025-001", "T001"])
def test_a_key_twice_in_the_file_names_both_rows(ledger, files, again):
    """(in either letter case: T001 and t001 came in as two complaints, though the key
    is one in either case, and `show --ref` found one or the other as it was typed)"""
    first = [again, *ROWS[0][1:]]
    rows = [first, ROWS[1], [again.lower(), ROWS[0][1], "另一家", *ROWS[0][3:]]]
    path = write_csv(files["dir"] / "twice-key.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], code=1)
    assert f"row 4, column 投诉单号: '{again.lower()}' is in the file twice (also in row 2)" \
        in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_a_step_the_row_cannot_take_is_said_in_the_registers_terms(ledger, files):
    """No id the import never made, no commands: what the row lacks, and its key."""
    no_owner = list(ROWS[0])
    no_owner[10:13] = ["", "", ""]  # no 责任部门, 责任人, 分派日期: the investigation has none
    path = write_csv(files["dir"] / "lacks.csv", [no_owner])
    r = ledger("import", path, "--mapping", files["map"], code=1)
    assert ("row 2: investigate: the row's investigate step has no assignment before it: map "
            "department and owner (or give them under [defaults])") in r.stderr, r.stderr
    assert "CC-" not in r.stderr and "allowed next" not in r.stderr
    not_upheld = list(ROWS[0])
    not_upheld[13:15] = ["", ""]
    mapping = files["dir"] / "nu.toml"
    mapping.write_text(MAPPING.replace("[values.category]", '[defaults]\nvalidity = '
                                       '"not-upheld"\n\n[values.category]'), encoding="utf-8")
    path = write_csv(files["dir"] / "nu.csv", [not_upheld])
    r = ledger("import", path, "--mapping", mapping, code=1)
    assert "row 2: resolve: cannot resolve 2025-001 with exchange: it was found not upheld" \
        in r.stderr, r.stderr


def test_values_lines_read_placeholders_of_dates_counts_and_amounts(ledger, files):
    """[values.FIELD] serves every field: "/" = "" leaves a date empty (the step's time
    then comes from [dates]), "若干" = "" leaves a count empty; a placeholder with no line is
    still refused."""
    header = [*HEADER, "数量", "赔偿金额"]
    row = [*ROWS[0], "若干", "无"]
    row[12] = "/"  # 分派日期
    path = write_csv(files["dir"] / "placeholders.csv", [row], header=header)
    mapping = files["dir"] / "placeholders.toml"
    base = MAPPING.replace("[values.category]", 'quantity = "数量"\namount = "赔偿金额"\n\n'
                           "[values.category]")
    mapping.write_text(base, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert "column 分派日期: '/' is not a date" in r.stderr, r.stderr
    placeholders = ('\n[values.assigned_at]\n"/" = ""\n[values.quantity]\n"若干" = ""\n'
                    '[values.amount]\n"无" = ""\n')
    mapping.write_text(base.replace('concluded_at = "resolved_at"', 'concluded_at = '
                                    '"resolved_at"\nassigned_at = "received_at"') + placeholders,
                       encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT quantity, assigned_at FROM complaints") == [
        (None, "2025-03-02T16:00:00Z")]
    assert ledger.rows("SELECT amount FROM resolutions") == [(None,)]


def test_a_merged_cell_counts_for_each_row_it_covers(ledger, files):
    """A date and a customer merged over the two rows they hold for (and a merged title
    above the header): each row reads them, as Excel shows them."""
    import xlsxwriter

    path = files["dir"] / "merged.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "2025年客户投诉登记表")
    sheet.write_row(1, 0, HEADER)
    second = [*ROWS[0][:1], "", "", *ROWS[0][3:]]
    second[0] = "2025-009"
    sheet.write_row(2, 0, ROWS[0])
    sheet.write_row(3, 0, second)
    sheet.merge_range(2, 1, 3, 1, ROWS[0][1])  # 投诉日期 over both rows
    sheet.merge_range(2, 2, 3, 2, ROWS[0][2])  # 客户名称 over both rows
    book.close()
    ledger("import", path, "--mapping", files["map"])
    rows = ledger.rows("SELECT source_key, customer, received_at FROM complaints "
                       "ORDER BY source_key")
    assert rows == [("2025-001", "华东电器有限公司", "2025-03-02T16:00:00Z"),
                    ("2025-009", "华东电器有限公司", "2025-03-02T16:00:00Z")]


# The register's header in two rows, as Excel registers often draw it: 处理情况 and
# 回访情况 merged across the columns they group, named in the row below; the other
# headers merged down both rows (or, in the CSV Excel saves of it, empty below).
TOP = [*HEADER[:15], "处理情况", None, None, "回访情况", None]
BELOW = [None] * 15 + HEADER[15:]


def test_a_header_in_two_rows_is_read_as_one(ledger, files):
    """The columns under a merged group (处理情况 over 处理方式 | 处理说明 | 处理日期) were
    left without a name, and the row of their names was read as a complaint: a mapping
    naming 处理方式 was refused. Each column is named by the row below, else the row
    above; the data's row numbers are the sheet's."""
    import xlsxwriter

    path = files["dir"] / "two-rows.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for j, name in enumerate(TOP[:15]):
        sheet.merge_range(0, j, 1, j, name)
    sheet.merge_range(0, 15, 0, 17, "处理情况")
    sheet.merge_range(0, 18, 0, 19, "回访情况")
    sheet.write_row(1, 15, HEADER[15:])
    bad = ["2025-004", "2025/13/01", *ROWS[2][2:]]
    for i, row in enumerate([*ROWS, bad], start=2):
        for j, value in enumerate(row):
            if value:
                sheet.write(i, j, value)
    book.close()
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert "row 6, column 投诉日期: '2025/13/01' is not a date" in r.stderr, r.stderr
    # the names' row is not a complaint
    assert [line[:6] for line in r.stderr.splitlines() if line.startswith("row")] == [
        "row 6,"], r.stderr
    assert ledger.rows("SELECT count(*) FROM complaints") == [(0,)]
    csv_path = write_csv(files["dir"] / "two-rows.csv",
                         [["" if c is None else c for c in BELOW], *ROWS],
                         header=["" if c is None else c for c in TOP])
    for register in (csv_path, path):
        template = ledger("import", register, "--template").stdout
        assert 'disposition = "处理方式"' in template, template
        assert 'satisfaction = "回访结果"' in template, template
    r = ledger("import", csv_path, "--mapping", files["map"])
    assert "3 new complaints" in r.stderr, r.stderr
    assert [x[:2] for x in complaints(ledger)] == [
        ("2025-001", "closed"), ("2025-002", "assigned"), ("2025-003", "logged")]
    assert ledger.rows("SELECT disposition FROM resolutions") == [("exchange",)]


def test_a_second_row_of_data_is_not_taken_for_names(ledger, files):
    """A register whose header has an unnamed column: the row below it is a complaint
    (it fills columns outside the group), imported as one."""
    header = [*HEADER, ""]
    rows = [[*row, "备注"] for row in ROWS]
    path = write_csv(files["dir"] / "unnamed.csv", rows, header=header)
    r = ledger("import", path, "--mapping", files["map"])
    assert "3 new complaints" in r.stderr, r.stderr


def test_a_header_in_two_rows_names_alike_columns_by_their_group(ledger, files):
    """日期 under 处理情况 and under 回访情况: each is its group's (处理情况/日期)."""
    top = [*HEADER[:15], "处理情况", None, None, "回访情况", None]
    below = [""] * 15 + ["处理方式", "处理说明", "日期", "回访结果", "日期"]
    path = write_csv(files["dir"] / "alike.csv", [below, *ROWS],
                     header=["" if c is None else c for c in top])
    mapping = files["dir"] / "alike.toml"
    mapping.write_text(MAPPING.replace('resolved = "处理日期"', 'resolved = "处理情况/日期"')
                       .replace('revisited = "回访日期"', 'revisited = "回访情况/日期"'),
                       encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "3 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT resolved_at, closed_at FROM complaints WHERE source_key = "
                       "'2025-001'") == [("2025-03-05T16:00:00Z", "2025-03-06T16:00:00Z")]


def test_a_header_in_two_rows_with_a_group_of_one_column_is_read_as_one(ledger, files):
    """回访情况 over 满意度 alone (a group of one column, the other groups wider): the row of
    names was read as data, its 满意度 a satisfaction, and the template lost the group's
    columns. A group over one column is one where the columns outside the groups are
    empty below, as merged down both rows; a row of data fills them (next test's)."""
    top = [*HEADER[:15], "处理情况", None, None, "回访情况", "回访日期"]
    below = [""] * 15 + ["处理方式", "处理说明", "处理日期", "回访结果", ""]
    path = write_csv(files["dir"] / "one.csv", [below, *ROWS],
                     header=["" if c is None else c for c in top])
    template = ledger("import", path, "--template").stdout
    for line in ('disposition = "处理方式"', 'summary = "处理说明"', 'resolved_at = "处理日期"',
                 'satisfaction = "回访结果"', 'revisited_at = "回访日期"'):
        assert f"\n{line}\n" in template, (line, template)
    r = ledger("import", path, "--mapping", files["map"])
    assert "3 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT satisfaction FROM complaints WHERE source_key = '2025-001'"
                       ) == [("satisfied",)]


def test_units_and_the_yuan_around_numbers_are_read(ledger, files, tmp_path, env):
    """5台 is 5; ¥1,250.50 and 1250元 are amounts in a ledger kept in CNY (the test
    ledger's currency), and refused in one kept in another currency."""
    header = [*HEADER, "数量", "赔偿金额"]
    first, second = [*ROWS[0], "5台", "¥1,250.50"], [*ROWS[0], "3 pcs", "1250元"]
    second[0] = "2025-010"
    path = write_csv(files["dir"] / "units.csv", [first, second], header=header,
                     encoding="utf-8-sig")
    mapping = files["dir"] / "units.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'quantity = "数量"\namount = '
                                       '"赔偿金额"\n\n[values.category]'), encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT c.quantity, r.amount, r.currency FROM complaints c JOIN "
                       "resolutions r ON r.complaint_id = c.id ORDER BY c.source_key") == [
        (5, 125050, "CNY"), (3, 125000, "CNY")]
    usd = tmp_path / "usd.db"
    ledger("--db", usd, "init", "--currency", "USD", "--timezone", "Asia/Shanghai")
    r = ledger("--db", usd, "import", path, "--mapping", mapping, code=2)
    assert "column 赔偿金额: '¥1,250.50' is in another currency than the ledger's (USD)" \
        in r.stderr, r.stderr


def test_an_import_into_a_ledger_in_use_stays_in_wal(ledger, files, monkeypatch):
    """An import switched every ledger to a rollback journal for its write: a reader
    that started meanwhile (a listing paged in `less`) then held up its commit, and the
    clerks' steps and reports behind it, until the pager closed. Only a ledger with no
    complaint yet (a register's first import) is written that way now."""
    from complaintctl import bulk

    switches: list[bool] = []
    journal = bulk.journal

    def watched(cur, *, wal, **kw):
        switches.append(wal)
        return journal(cur, wal=wal, **kw)

    monkeypatch.setattr(bulk, "journal", watched)
    ledger("import", files["csv"], "--mapping", files["map"])
    assert switches == [False, True]  # the first import, into an empty ledger
    switches.clear()
    rows = [["2025-009", *ROWS[2][1:]]]
    ledger("import", write_csv(files["dir"] / "more.csv", rows), "--mapping", files["map"])
    assert switches == []
    assert ledger.rows("SELECT count(*) FROM complaints") == [(4,)]
    assert ledger.rows("PRAGMA journal_mode") == [("wal",)]


def test_a_rejects_file_that_cannot_be_written_is_refused_before_the_import(ledger, files):
    """--skip-bad committed the good rows, then failed on the rejects file (a folder that
    does not exist, a folder): exit 2 "Error", the refused rows' reasons lost, and the
    hint named --output."""
    rows = [list(r) for r in ROWS]
    rows[1][1] = "2025/13/01"
    path = write_csv(files["dir"] / "bad.csv", rows)
    before = ledger.snapshot()
    for target in (files["dir"] / "no" / "such" / "rejects.csv", files["dir"]):
        r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects",
                   target, code=2)
        assert f"Error: cannot write {target}: " in r.stderr
        assert "Hint: give --rejects a file in a folder" in r.stderr
        assert ledger.snapshot() == before


def test_an_erased_contact_is_not_brought_back_by_importing_a_voided_batch_again(ledger,
                                                                                 files):
    """Imported, its contact erased on request, the batch voided (a wrong mapping) and the
    register imported again: the number came back with no word."""
    ledger("import", files["csv"], "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    ledger("forget-contact", cid, "--reason", "本人来电要求删除")
    ledger("import", "--void-batch", "1", "--reason", "映射错了")
    r = ledger("import", files["csv"], "--mapping", files["map"])
    assert f"Warning: row 2: 2025-001: its contact was erased on request ({cid}): it is not " \
           "brought in again" in r.stderr, r.stderr
    assert ledger.rows("SELECT contact FROM complaints WHERE source_key = '2025-001' AND "
                       "status != 'void'") == [(None,)]
    assert b"13812345678" not in Path(ledger.db).read_bytes()
    # typed again by hand on an erased complaint: recorded, with a reminder
    new = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-003' AND "
                      "status != 'void'")[0][0]
    ledger("amend", new, "--contact", "13900000000", "--reason", "留电话")
    ledger("forget-contact", new, "--reason", "本人要求")
    r = ledger("amend", new, "--contact", "13900000000", "--reason", "客户同意再留")
    assert f"Warning: the contact of {new} was erased on the person's request before: keep " \
           "it only if they agreed" in r.stderr


def test_invisible_characters_are_dropped_as_log_drops_them(ledger, files):
    """A register's 华东<ZWSP>电器 was stored with the zero-width space: the repeat of a
    complaint typed as 华东电器 was missed, and `list --customer 华东电器` did not find it."""
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][2] = "华东\u200b电器有限公司"
    rows[1][2] = "华东\u00ad电器有限公司\u200e"  # (a soft hyphen, a direction mark)
    ledger("import", write_csv(files["dir"] / "zw.csv", rows, encoding="utf-8"), "--mapping",
           files["map"])
    assert ledger.rows("SELECT customer FROM complaints") == [("华东电器有限公司",)] * 2


def test_a_quote_never_closed_or_a_cell_too_long_is_refused_with_its_row(ledger, files):
    """A stray quote (") before a cell's text made every row after it part of that cell:
    "1 new complaint", exit 0, its description holding the other 58 rows. Past the csv
    reader's 131,072 characters it was "unexpected failure" (exit 1)."""
    before = ledger.snapshot()
    stray = files["dir"] / "stray.csv"
    write_csv(stray, [])
    with open(stray, "a", encoding="gbk", newline="") as fh:
        fh.write("2025-001,2025-03-03,甲,,电话,质量,中级,XD-200,\"屏幕有亮点\r\n")
        for i in range(2, 60):
            fh.write(f"2025-{i:03d},2025-03-03,乙,,电话,质量,中级,XD-200,闪烁\r\n")
    for extra in ([], ["--dry-run"], ["--skip-bad", "--rejects", files["dir"] / "r.csv"]):
        r = ledger("import", stray, "--mapping", files["map"], *extra, code=2)
        assert r.stderr == (f"Error: row 2: a quote (\") opens a cell in {stray} and is "
                            "never closed (everything after it would be one cell)\nHint: "
                            "open the file in a spreadsheet or a text editor, correct the "
                            "quotes in that row and save it again\n"), r.stderr
    assert ledger.snapshot() == before
    # the same, in a file past the csv reader's own limit
    with open(stray, "a", encoding="gbk", newline="") as fh:
        fh.write("长" * (1 << 20))
    r = ledger("import", stray, "--mapping", files["map"], code=2)
    assert r.stderr.startswith(f"Error: row 2: a quote (\") opens a cell in {stray} "), r.stderr
    # a quote inside a cell after its closing one ("甲"乙) is read as the spreadsheet reads
    # it, as before: the file is not refused whole for it
    odd = write_csv(files["dir"] / "odd.csv", [ROWS[0]])
    with open(odd, "a", encoding="gbk", newline="") as fh:
        fh.write("2025-002,2025-03-03,\"甲\"乙,,电话,质量,中级,XD-200,闪烁\r\n")
    ledger("import", odd, "--mapping", files["map"], "--dry-run")
    # a long cell is read, and refused by the field's own limit with its row and column
    long = write_csv(files["dir"] / "long.csv", [ROWS[2][:8] + ["长" * 200_000] + ROWS[2][9:]])
    r = ledger("import", long, "--mapping", files["map"], code=2)
    assert "row 2, column 投诉内容: is longer than 20000 characters" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    # and a quoted cell with line breaks, closed, is one cell as before
    fine = write_csv(files["dir"] / "fine.csv", [ROWS[2][:8] + ["第一行\n第二行"] + ROWS[2][9:]])
    ledger("import", fine, "--mapping", files["map"])
    assert ledger.rows("SELECT description FROM complaints") == [("第一行\n第二行",)]


def test_the_formula_guard_of_an_export_comes_off_when_read_back(ledger, files):
    """export's apostrophe before '+86 …' and '-外观划伤' stayed in the imported contact and
    description ('+86 138… stored), and in a corrected --rejects file imported again."""
    ledger("log", "--customer", "=甲公司", "--description", "-外观划伤", "--category",
           "quality", "--severity", "low", "--channel", "phone", "--contact",
           "+86 138 1234 5678", "--received", "2026-09-30 10:00")
    out = files["dir"] / "all.csv"
    ledger("export", "complaints", "--reveal", "--output", out)
    text = out.read_text(encoding="utf-8-sig")
    assert "'+86 138 1234 5678" in text and "'-外观划伤" in text and "'=甲公司" in text
    other = files["dir"] / "other.db"
    ledger("--db", other, "init")
    ledger("--db", other, "import", out, "--mapping", "complaintctl")
    assert read_rows(other, "SELECT customer, contact, description FROM complaints") == [
        ("=甲公司", "+86 138 1234 5678", "-外观划伤")]
    # a ledger an import filled before the guard came off holds it: the same file again
    # is no conflict, and no other contact (it was "投诉内容 was "'-外观划伤"")
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("UPDATE complaints SET contact = ? || contact, description = ? || "
                     "description", ("'", "'"))
    r = ledger("--db", other, "import", out, "--mapping", "complaintctl")
    assert "conflict" not in r.stderr and "Warning" not in r.stderr, r.stderr
    assert "0 new complaints, 1 already imported" in r.stderr, r.stderr
    # a refused row goes to --rejects guarded; corrected there and imported, as typed
    bad = write_csv(files["dir"] / "bad.csv", [
        ["2025-004", "不是日期", "甲", "+86 139 0000 0000"] + ROWS[2][4:8] + ["-划伤"]
        + ROWS[2][9:]])
    rejects = files["dir"] / "rejects.csv"
    # (its one row refused: refused as without --skip-bad, the rejects written)
    ledger("import", bad, "--mapping", files["map"], "--skip-bad", "--rejects", rejects,
           code=2)
    text = rejects.read_text(encoding="utf-8-sig")
    assert "'+86 139 0000 0000" in text and "'-划伤" in text
    rejects.write_text(text.replace("不是日期", "2025-04-02"), encoding="utf-8-sig")
    ledger("import", rejects, "--mapping", files["map"])
    assert ledger.rows("SELECT source_key, contact, description FROM complaints WHERE "
                       "source_key IS NOT NULL") == [("2025-004", "+86 139 0000 0000",
                                                      "-划伤")]
    # an apostrophe alone, or before any other text, is the register's own
    mine = write_csv(files["dir"] / "mine.csv", [
        ["2025-005", "2025-04-02", "'", ""] + ROWS[2][4:8] + ["'90年代的机型"] + ROWS[2][9:]])
    ledger("import", mine, "--mapping", files["map"])
    assert ledger.rows("SELECT customer, description FROM complaints WHERE source_key = "
                       "'2025-005'") == [("'", "'90年代的机型")]


@pytest.mark.parametrize(("index", "value", "said"), [
    (11, "韩梅梅", "责任人 was '王芳', the file now says '韩梅梅'"),
    (10, "技术部", "责任部门 was '质量部', the file now says '技术部'"),
    (13, "焊点虚焊", "原因分析 was '扭矩不足', the file now says '焊点虚焊'"),
    (16, "退款三台", "处理说明 was '换新机三台', the file now says '退款三台'"),
    (18, "基本满意", "回访结果 was 'satisfied', the file now says 'basically satisfied'"),
    (15, "退货", "处理方式 was 'exchange', the file now says 'return'")])
def test_a_newer_copy_that_changed_a_fact_of_a_step_is_a_conflict(ledger, files, index, value,
                                                                   said):
    """A newer copy of the register whose row kept its dates but changed its owner, its
    cause, its summary or the customer's satisfaction was counted 'already imported',
    without a word (only a changed disposition was a conflict, and only before a reopen)."""
    ledger("import", files["csv"], "--mapping", files["map"])
    before = ledger.snapshot()
    rows = [list(r) for r in ROWS]
    rows[0][index] = value
    newer = write_csv(files["dir"] / "newer.csv", rows)
    for dry in (["--dry-run"], []):
        r = ledger("import", newer, "--mapping", files["map"], *dry)
        assert (f"Warning: conflict: row 2: 2025-001 (CC-2026-0001): {said}; the ledger is "
                "left as it is") in r.stderr, r.stderr
        assert "0 new complaints, 2 already imported, 1 conflict." in r.stdout + r.stderr
    assert _beyond_the_batch(ledger, before) == []


def test_steps_typed_after_an_import_are_no_conflict_with_the_register(ledger, files):
    """The facts are compared with the step the import wrote at that time, not with the
    complaint as it is now: reassigned and reopened in the ledger since (by its second
    revisit: it is critical), the same register imported again is 'already imported'."""
    rows = [list(r) for r in ROWS]
    rows[0][6] = "紧急"  # closed in November 2026: its second revisit owed after the import
    rows[0][1], rows[0][12], rows[0][17], rows[0][19] = (
        "2026年11月2日", "2026-11-02", "2026-11-05", "2026-11-06")
    files["csv"] = write_csv(files["dir"] / "critical.csv", rows)
    ledger("import", files["csv"], "--mapping", files["map"])
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-11-08 10:00")
    ledger("assign", cid, "--dept", "技术部", "--owner", "韩梅梅", "--at", "2026-11-08 11:00")
    ledger("resolve", cid, "--disposition", "refund", "--summary", "退款",
           "--amount", "100", "--at", "2026-11-09 10:00")
    r = ledger("import", files["csv"], "--mapping", files["map"])
    assert "0 new complaints, 3 already imported." in r.stderr and "conflict" not in r.stderr


def test_an_excel_97_workbook_and_one_named_for_the_other_are_read(ledger, files):
    """A .xls (Excel 97–2003, tests/data/register-97.xls, made by xlwt) was 'cannot tell
    the file's encoding: it is neither UTF-8 nor GBK' with a hint to try big5; an XLSX
    saved under the name .xls (WPS does) was calamine's 'Cfb error: Invalid OLE'."""
    import shutil

    xls = files["dir"] / "登记表.xls"
    shutil.copy(Path(__file__).parent / "data" / "register-97.xls", xls)
    text = ledger("import", xls, "--template").stdout
    (files["dir"] / "m.toml").write_text(text, encoding="utf-8")
    ledger("import", xls, "--mapping", files["dir"] / "m.toml")
    assert ledger.rows("SELECT source_key, received_at, customer, severity FROM complaints "
                       "ORDER BY 1") == [("X-1", "2024-03-04T16:00:00Z", "华东电器", "critical"),
                                         ("X-2", "2024-03-05T16:00:00Z", "宁波精工", "medium")]
    # an XLSX by another name
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度",
                        "投诉内容"])
    book.active.append(["X-3", "2024-03-07", "甲", "电话", "质量", "一般", "异响"])
    wps = files["dir"] / "wps.xls"
    book.save(wps)
    ledger("import", wps, "--mapping", files["dir"] / "m.toml")
    assert ledger.rows("SELECT count(*) FROM complaints") == [(3,)]
    # an OLE file calamine cannot read (an .xls it does not know, or a password): said so
    before = ledger.snapshot()
    locked = files["dir"] / "locked.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    r = ledger("import", locked, "--mapping", files["dir"] / "m.toml", code=2)
    assert r.stderr.startswith(f"Error: cannot read {locked} as a workbook: "), r.stderr
    assert "Hint: it is an Excel 97–2003 file or one saved with a password: open it in " \
        "Excel or WPS and save it as .xlsx (Excel Workbook) without a password" in r.stderr
    assert ledger.snapshot() == before


def test_a_newer_copy_with_another_contact_is_said_and_the_ledger_keeps_its_own(ledger,
                                                                                files):
    """A phone number changed in the register counted 'already imported' without a word:
    the clerk believed it had come in."""
    ledger("import", files["csv"], "--mapping", files["map"])
    r = ledger("import", files["csv"], "--mapping", files["map"])
    assert "Warning" not in r.stderr
    rows = [list(r) for r in ROWS]
    rows[0][3] = "13900000000"
    newer = write_csv(files["dir"] / "newer.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", newer, "--mapping", files["map"])
    assert ("Warning: row 2: 2025-001 (CC-2026-0001): the file has another contact than the "
            "ledger, which keeps its own (complaintctl amend CC-2026-0001 --contact … "
            "--reason … changes it)\n") in r.stderr, r.stderr
    assert "13900000000" not in r.stderr + r.stdout  # (a contact is never shown whole)
    assert "0 new complaints, 3 already imported" in r.stderr
    assert _beyond_the_batch(ledger, before) == []
    # and when the row also conflicts in another column: the contact was not said
    rows[0][2] = "华东电器（新名）"
    newer = write_csv(files["dir"] / "newer2.csv", rows)
    r = ledger("import", newer, "--mapping", files["map"], code=None)
    assert "Warning: row 2: 2025-001 (CC-2026-0001): the file has another contact than the " \
        "ledger" in r.stderr and "conflict: row 2" in r.stderr, r.stderr


def test_a_critical_rows_closing_date_after_its_revisit_is_its_second_revisit(ledger, files):
    """A 很急 (critical) row revisited 10 June and closed (结案日期) 10 September: the
    closing date was dropped without a word, and the second revisit the complaint then
    owed stood in `overdue` at L3, 800 working days late. The second revisit comes in at
    the closing date, marked estimated; a complaint of another severity is closed by
    its revisit, as before."""
    header = [*HEADER, "结案日期"]
    row = ["2023-001", "2023-05-20", "上海宏大", "", "来访", "质量", "很急", "XD-200", "停线",
           "周敏", "质量部", "李强", "2023-05-20", "来料不良", "供应商", "赔偿", "按合同赔偿",
           "2023-06-01", "满意", "2023-06-10", "2023-09-10"]
    low = ["2023-002", *row[1:6], "低级", *row[7:]]
    register = write_csv(files["dir"] / "r.csv", [row, low], header=header)
    mapping = files["dir"] / "m.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'closed_at = "结案日期"\n\n'
                                       "[values.category]"), encoding="utf-8")
    ledger("import", str(register), "--mapping", str(mapping))
    assert ledger("overdue", "--format", "json").stdout.strip() == "[]"
    critical = ledger.json("show", "--ref", "2023-001")
    revisits = [e for e in critical["events"] if e["kind"] == "revisit"]
    assert [e["at"][:10] for e in revisits] == ["2023-06-09", "2023-09-09"]  # Shanghai
    assert revisits[1]["data"]["estimated"] is True and "estimated" not in revisits[0]["data"]
    assert critical["status"] == "closed"
    other = ledger.json("show", "--ref", "2023-002")
    assert [e["at"][:10] for e in other["events"] if e["kind"] == "revisit"] == ["2023-06-09"]


def test_a_status_an_unsatisfied_revisit_contradicts_is_said_as_such(ledger, files):
    """An unsatisfied revisit reopens the complaint (investigating); a status of 待回访
    (resolved) beside it was refused as "map the columns of the missing steps
    (disposition, resolved_at)", both mapped and filled: a dead end for the clerk."""
    header = [*HEADER, "状态"]
    row = [*ROWS[0][:18], "不满意", "2025-03-07", "待回访"]
    register = write_csv(files["dir"] / "r.csv", [row], header=header)
    mapping = files["dir"] / "m.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'status = "状态"\n\n'
                                       "[values.category]"), encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", str(register), "--mapping", str(mapping), code=1)
    assert "row 2, column 状态: the revisit is unsatisfied, which reopens the complaint " \
        "(investigating), but the status is resolved: correct the one that is wrong" \
        in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_a_step_dated_from_another_column_is_named_when_it_comes_too_early(ledger, files):
    """A void whose time [dates] takes from 投诉日期, before the assignment's 分派日期:
    "投诉日期: 2023-08-01 00:00 is before 分派日期 …: the dates run backwards" sent the
    clerk looking for a typo in a receipt date that was in order."""
    header = [*HEADER, "状态"]
    row = [*ROWS[1][:13], *[""] * 7, "作废"]
    register = write_csv(files["dir"] / "r.csv", [row], header=header)
    mapping = files["dir"] / "m.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'status = "状态"\n\n'
                                       "[values.category]").replace(
        'concluded_at = "resolved_at"', 'concluded_at = "resolved_at"\nvoided_at = '
        '"received_at"'), encoding="utf-8")
    r = ledger("import", str(register), "--mapping", str(mapping), code=1)
    assert "row 2, column 投诉日期: the void step, dated 2025-03-10 00:00 from this column " \
        "under [dates], comes before 分派日期 2025-03-11 00:00" in r.stderr, r.stderr


def test_a_void_row_already_resolved_is_told_so_in_the_registers_words(ledger, files):
    """作废 on a row with a resolution (a complaint cannot be voided once investigated): a
    void date before the resolution's was refused as "the dates run backwards", and once
    corrected the row was refused naming CLI commands (action add, revisit, amend …)."""
    header = [*HEADER, "状态", "作废日期"]
    rows = [[*ROWS[0][:18], "", "", "作废", "2025-03-05"],  # before the resolution
            [*ROWS[0][:18], "", "", "作废", "2025-03-09"],  # after it
            [*ROWS[1][:13], *[""] * 7, "作废", "2025-03-12"]]  # assigned only: voided
    rows[1][0], rows[2][0] = "2025-011", "2025-012"
    register = write_csv(files["dir"] / "r.csv", rows, header=header)
    mapping = files["dir"] / "m.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'status = "状态"\nvoided_at = '
                                       '"作废日期"\n\n[values.category]'), encoding="utf-8")
    before = ledger.snapshot()
    # (a rule refuses them, every value read: exit 1, as the README says; it was 2)
    r = ledger("import", str(register), "--mapping", str(mapping), code=1)
    for row in (2, 3):
        assert f"row {row}, column 状态: void in the register, but the row's steps reach " \
            "resolved: a complaint is voided only before it is investigated, and one taken " \
            "that far is closed instead; correct the status, or empty the columns of the " \
            "later steps if they were never taken" in r.stderr, r.stderr
    assert "dates run backwards" not in r.stderr and "action add" not in r.stderr
    assert "row 4" not in r.stderr and ledger.snapshot() == before
    zh = ledger("--lang", "zh", "import", str(register), "--mapping", str(mapping), code=1)
    assert "第 2 行“状态”列：登记表中为已作废，但这一行的步骤已到已处理：" in zh.stderr, zh.stderr


def test_a_batch_voided_with_a_complaint_closed_without_revisit_verifies(ledger, files):
    """A row imported closed without a revisit (with its close reason), its batch then
    voided: verify named close_reason (the replay kept the reason through the void,
    which the row keeps but is read only while closed) on an honest ledger."""
    header = [*HEADER, "结案日期", "结案说明"]
    row = [*ROWS[0][:18], "", "", "2025-03-08", "客户拒绝回访"]
    register = write_csv(files["dir"] / "r.csv", [row], header=header)
    mapping = files["dir"] / "m.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'closed_at = "结案日期"\n'
                                       'close_reason = "结案说明"\n\n[values.category]'),
                       encoding="utf-8")
    ledger("import", str(register), "--mapping", str(mapping))
    assert ledger.rows("SELECT status FROM complaints") == [("closed",)]
    ledger("import", "--void-batch", "1", "--reason", "映射错了")
    assert ledger.rows("SELECT status FROM complaints") == [("void",)]
    assert ledger("verify").stdout.startswith("OK: ")


# --- the revisit a register writes as 回访情况 (满意, 不满意, 基本满意) ---------------------

REVISITED_HEADER = ["投诉单号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度",
                    "投诉内容", "责任部门", "责任人", "原因分析", "处理方式", "处理结果",
                    "处理日期", "回访情况", "回访日期", "结案日期"]
REVISITED_ROWS = [
    ["R-1", "2025-03-03", "华东电器", "电话", "质量", "一般", "异响", "质量部", "王芳", "扭矩不足",
     "换货", "换新", "2025-03-06", "满意", "2025-03-07", "2025-03-07"],
    ["R-2", "2025-03-04", "宁波精工", "电话", "质量", "一般", "划伤", "质量部", "王芳", "包装",
     "维修", "返修", "2025-03-08", "基本满意", "2025-03-09", "2025-03-09"],
    ["R-3", "2025-03-05", "Acme", "电话", "质量", "一般", "缺件", "质量部", "王芳", "漏装",
     "补发", "补发", "2025-03-10", "不满意", "2025-03-11", ""],
]
# The intake columns the registers of the tests below name alike.
_INTAKE_COLUMNS = """[columns]
received_at = "投诉日期"
customer = "客户名称"
channel = "投诉渠道"
category = "投诉类别"
severity = "严重程度"
"""
REVISITED_MAP = 'key = "投诉单号"\n' + _INTAKE_COLUMNS + """description = "投诉内容"
department = "责任部门"
owner = "责任人"
cause = "原因分析"
disposition = "处理方式"
summary = "处理结果"
resolved_at = "处理日期"
{revisit}
[values.disposition]
"补发" = "exchange"
[dates]
assigned_at = "received_at"
concluded_at = "resolved_at"
"""


def _revisited(files, revisit: str, rows=REVISITED_ROWS) -> tuple[Path, Path]:
    path = write_csv(files["dir"] / "revisited.csv", rows, header=REVISITED_HEADER)
    mapping = files["dir"] / "revisited.toml"
    mapping.write_text(REVISITED_MAP.format(revisit=revisit), encoding="utf-8")
    return path, mapping


def test_a_template_maps_a_column_of_satisfaction_words_to_satisfaction(ledger, files):
    """回访情况 holding 满意 / 不满意 / 基本满意 was guessed as the revisit's note: no
    satisfaction was mapped, every revisit and its date were dropped without a word, and
    the finished complaints came in resolved and overdue. Its values are read through
    the word table: it is the satisfaction. A 回访情况 of free text stays the note."""
    path, _m = _revisited(files, "")
    text = ledger("import", path, "--template").stdout
    assert '\nsatisfaction = "回访情况"\n' in text and "revisit_note" not in text, text
    assert '\nrevisited_at = "回访日期"\n' in text and '\nclosed_at = "结案日期"\n' in text
    text += '\n[values.disposition]\n"补发" = "exchange"\n'
    assert '\nassigned_at = "received_at"\n' in text, text  # (the user had to add them)
    assert '\nconcluded_at = "resolved_at"\n' in text, text
    text = text.replace(
        "# No column", "channel = \"phone\"\n# No column")
    (files["dir"] / "t.toml").write_text(text, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["dir"] / "t.toml")
    assert "Import batch 1: 3 new complaints" in r.stderr and "not used" not in r.stderr
    assert ledger.rows("SELECT source_key, status, satisfaction FROM complaints ORDER BY 1") == [
        ("R-1", "closed", "satisfied"), ("R-2", "closed", "basically-satisfied"),
        ("R-3", "investigating", "unsatisfied")]  # reopened
    notes = [[*r[:13], "电话回访，客户认可处理结果", *r[14:]] for r in REVISITED_ROWS]
    path = write_csv(files["dir"] / "notes.csv", notes, header=REVISITED_HEADER)
    text = ledger("import", path, "--template").stdout
    assert '\nrevisit_note = "回访情况"\n' in text and "\nsatisfaction = " not in text, text


def test_a_revisit_date_no_step_takes_is_said_in_the_dry_run_and_the_import(ledger, files):
    """回访日期 mapped without a satisfaction: every row's revisit date was dropped without
    a word. Said, with the count, in the dry run and the import alike; a row whose
    satisfaction cell is empty is said with its row number."""
    path, mapping = _revisited(files, 'revisited_at = "回访日期"\nrevisit_note = "回访情况"')
    said = ("Warning: 回访日期 given in 3 rows but not used: no satisfaction column mapped (a "
            "revisit needs one: map the column of 满意, 不满意 … to satisfaction)")
    dry = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert said in dry.stderr.splitlines(), dry.stderr
    assert "Warning: 回访情况 given in 3 rows but not used: no satisfaction column mapped" \
        in dry.stderr
    r = ledger("import", path, "--mapping", mapping)
    assert said in r.stderr.splitlines() and "3 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT count(*) FROM revisits") == [(0,)]
    # mapped, but empty in a row: that row is named
    rows = [list(x) for x in REVISITED_ROWS]
    rows[1][13] = ""
    path, mapping = _revisited(files, 'revisited_at = "回访日期"\nsatisfaction = "回访情况"',
                               rows)
    r = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert ("Warning: 回访日期 given in 1 row but not used: its satisfaction (回访情况) is empty "
            "(row 3)") in r.stderr.splitlines(), r.stderr
    zh = ledger("--lang", "zh", "import", path, "--mapping", mapping, "--dry-run").stderr
    assert "满意度（回访情况）" in zh and "satisfaction" not in zh, zh  # (the field in English)


def test_a_closing_after_a_revisit_without_satisfaction_names_the_satisfaction(ledger, files):
    """结案日期 mapped, 回访情况 taken for a note: each finished row was refused with "closed
    without a revisit needs close_reason", though the row has its revisit date."""
    path, mapping = _revisited(files, 'revisited_at = "回访日期"\nrevisit_note = "回访情况"\n'
                                      'closed_at = "结案日期"')
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert ("row 2, column 结案日期: closed after a revisit (回访日期 2025-03-07 00:00), but the "
            "revisit has no satisfaction: map the column of 满意, 不满意 … to satisfaction"
            ) in r.stderr.splitlines(), r.stderr
    assert "close_reason" not in r.stderr
    assert "Error: 2 rows refused; nothing was imported" in r.stderr
    assert ledger.snapshot() == before
    # satisfaction mapped, empty in the row: that cell is named
    rows = [list(x) for x in REVISITED_ROWS]
    rows[0][13] = ""
    path, mapping = _revisited(files, 'revisited_at = "回访日期"\nsatisfaction = "回访情况"\n'
                                      'closed_at = "结案日期"', rows)
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert ("row 2, column 结案日期: closed after a revisit (回访日期 2025-03-07 00:00), but this "
            "row's satisfaction (回访情况) is empty: fill it in, or give close_reason for a "
            "complaint closed without a revisit") in r.stderr.splitlines(), r.stderr
    assert ledger.snapshot() == before


# --- a register numbered anew on each sheet ---------------------------------------------

SHEET_HEADER = ["编号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度", "产品型号",
                "投诉内容", "联系电话"]
SHEETS = {"2024年": [["001", "2024-01-08", "华东电器", "电话", "质量", "一般", "XD-200", "异响",
                      "13812345678"],
                     ["002", "2024-02-03", "宁波精工", "电话", "质量", "一般", "PS-5", "划伤",
                      ""]],
          "2025年": [["001", "2025-01-06", "苏州华达", "邮件", "质量", "高级", "HD-1", "缺件",
                      ""],
                     ["002", "2025-01-20", "华东电器", "电话", "质量", "一般", "XD-200", "异响",
                      ""]]}
SHEET_MAP = "key = {key}\n" + _INTAKE_COLUMNS + """product = "产品型号"
description = "投诉内容"
contact = "联系电话"
"""


def _write_sheets(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    """A workbook of these sheets, each under SHEET_HEADER."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, SHEET_HEADER)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
    book.close()


def _yearly(files, key: str) -> tuple[Path, Path]:
    path = files["dir"] / "年度台账.xlsx"
    _write_sheets(path, SHEETS)
    mapping = files["dir"] / "yearly.toml"
    mapping.write_text(SHEET_MAP.format(key=key), encoding="utf-8")
    return path, mapping


def test_a_key_of_two_columns_takes_a_register_numbered_anew_on_each_sheet(ledger, files):
    """编号 001, 002 … again on each yearly sheet: with key = "编号" the second sheet's rows
    were all conflicts and could never come in; a key of two columns was refused ("key
    must be a column header"). Now their cells joined are the row's key, and each sheet
    imported again is found."""
    path, mapping = _yearly(files, '["编号", "投诉日期"]')
    assert "2 new complaints" in ledger("import", path, "--mapping", mapping).stderr
    r = ledger("import", path, "--mapping", mapping, "--sheet", "2025年")
    assert "Import batch 2: 2 new complaints, 0 already imported." in r.stderr
    assert "conflict" not in r.stderr
    assert ledger.rows("SELECT source_key, customer FROM complaints ORDER BY id") == [
        ("001 | 2024-01-08", "华东电器"), ("002 | 2024-02-03", "宁波精工"),
        ("001 | 2025-01-06", "苏州华达"), ("002 | 2025-01-20", "华东电器")]
    for sheet in ("2024年", "2025年"):
        again = ledger("import", path, "--mapping", mapping, "--sheet", sheet)
        assert "0 new complaints, 2 already imported." in again.stderr
    shown = ledger.json("show", "--ref", "001 | 2025-01-06")
    assert shown["customer"] == "苏州华达"
    # a cell of the key empty: the row is refused, naming that column
    rows = {"2024年": [[*SHEETS["2024年"][0][:1], "", *SHEETS["2024年"][0][2:]]]}
    import xlsxwriter

    empty = files["dir"] / "empty-key.xlsx"
    book = xlsxwriter.Workbook(str(empty))
    sheet = book.add_worksheet("2024年")
    sheet.write_row(0, 0, SHEET_HEADER)
    sheet.write_row(1, 0, rows["2024年"][0])
    book.close()
    before = ledger.snapshot()
    r = ledger("import", empty, "--mapping", mapping, code=2)
    assert "row 2, column 投诉日期: empty; received_at is required" in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_a_key_of_columns_joins_them_so_that_no_two_rows_give_one_key(ledger, files):
    """"a | b" and "c" must not be the key of "a" and "b | c": a | in a cell is escaped."""
    header = ["编号", "分号", *HEADER[1:]]
    rows = [["A | B", "C", *ROWS[2][1:]], ["A", "B | C", *ROWS[2][1:]]]
    path = write_csv(files["dir"] / "bars.csv", rows, header=header)
    mapping = files["dir"] / "bars.toml"
    mapping.write_text(MAPPING.replace('key = "投诉单号"', 'key = ["编号", "分号"]'),
                       encoding="utf-8")
    assert "2 new complaints" in ledger("import", path, "--mapping", mapping).stderr
    assert ledger.rows("SELECT source_key FROM complaints ORDER BY id") == [
        ("A \\| B | C",), ("A | B \\| C",)]


@pytest.mark.parametrize("key", ['[]', '["编号", 3]', '["编号", "编号"]', "3"])
def test_a_key_that_is_no_header_nor_a_list_of_them_is_refused(ledger, files, key):
    path, mapping = _yearly(files, key)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert "key must be a column header, or a list of different column headers" in r.stderr
    assert 'key = ["编号", "投诉日期"]' in r.stderr
    assert ledger.snapshot() == before


def test_conflicts_of_a_register_numbered_anew_on_each_sheet_say_what_to_write(ledger, files):
    path, mapping = _yearly(files, '"编号"')
    ledger("import", path, "--mapping", mapping)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, "--sheet", "2025年", "--dry-run")
    assert ("Warning: 2 rows have the key (编号) of complaints imported before with another "
            "customer or date received: first check that the mapping reads the customer and "
            "the date received from the columns the import before read them from; if it does "
            "and the register numbers its rows anew on each sheet or year, make the key more "
            "than one column, e.g. key = [\"编号\", \"投诉日期\"], "
            "void the batch that used the old key (complaintctl import --void-batch 1 "
            "--reason …) and import each sheet again") in r.stderr.splitlines(), r.stderr
    assert r.stdout.endswith("\nDry run, nothing written: 0 new complaints, 0 already "
                             "imported, 2 conflicts.\n"), r.stdout
    assert ledger.snapshot() == before
    # a newer copy of the same sheet that corrected one customer: no such advice
    rows = [list(x) for x in SHEETS["2024年"]]
    rows[0][2] = "华东电器有限公司"
    newer = write_csv(files["dir"] / "newer.csv", rows, header=SHEET_HEADER)
    r = ledger("import", newer, "--mapping", mapping)
    assert "1 conflict" in r.stderr and "anew on each sheet" not in r.stderr


# --- a row pasted twice in a register without a key -------------------------------------

def test_without_a_key_a_row_pasted_twice_is_said_by_its_rows(ledger, files):
    """Without a key an exact duplicate row became two complaints, the second a repeat of
    the first, without a word (with a key the same rows are refused). It still comes in
    (two complaints alike may be two complaints), and the rows are named."""
    keyless = files["dir"] / "keyless.toml"
    keyless.write_text(MAPPING.replace('key = "投诉单号"', ""), encoding="utf-8")
    rows = [ROWS[0], ROWS[1], ROWS[0], ROWS[2], ROWS[0], ROWS[2]]
    path = write_csv(files["dir"] / "pasted.csv", rows)
    said = [f"Warning: row {row} is the same as row {first} in every column the mapping "
            "reads: each is a complaint of its own (a row pasted twice? delete it from the "
            "file and import it again)" for row, first in ((4, 2), (6, 2), (7, 5))]
    dry = ledger("import", path, "--mapping", keyless, "--dry-run")
    assert [x for x in _warnings(dry) if "same as row" in x] == said
    r = ledger("import", path, "--mapping", keyless)
    assert "6 new complaints" in r.stderr
    # imported: deleting the row and importing the file again was advised, and refused
    # (imported already); the extra complaint is voided instead (`void` takes one not yet
    # investigated), or the batch
    ids = dict(ledger.rows("SELECT json_extract(data, '$.source.row'), complaint_id FROM "
                           "events WHERE kind = 'log'"))
    assert [x for x in _warnings(r) if "same as row" in x] == [
        f"Warning: row {row} is the same as row 2 in every column the mapping reads: each "
        f"came in as a complaint of its own ({ids[row]}; a row pasted twice? void this import, "
        "complaintctl import --void-batch 1 --reason …, delete the row from the file and "
        "import it again)" for row in (4, 6)] + [
        "Warning: row 7 is the same as row 5 in every column the mapping reads: each came "
        f"in as a complaint of its own (a row pasted twice? void the extra one: complaintctl "
        f"void {ids[7]} --reason …)"], r.stderr
    ledger("void", ids[7], "--reason", "row pasted twice")  # as advised
    ledger("import", "--void-batch", "1", "--reason", "row pasted twice")
    path = write_csv(files["dir"] / "pasted.csv", ROWS)  # corrected
    assert "3 new complaints" in ledger("import", path, "--mapping", keyless).stderr
    # another contact: not the same row (the corrected import voided: its complaint would
    # be taken for the first row's, imported before)
    ledger("import", "--void-batch", "2", "--reason", "imported again below")
    other = [ROWS[0], [*ROWS[0][:3], "13900000000", *ROWS[0][4:]]]
    path = write_csv(files["dir"] / "two.csv", other)
    r = ledger("import", path, "--mapping", keyless)
    assert "same as row" not in r.stderr


# --- the sheet in an event's source; links written on other complaints ------------------

def test_the_events_of_a_sheets_rows_name_the_sheet(ledger, files):
    """Row 2 of two sheets of one workbook carried the same source {file, row}."""
    path, mapping = _yearly(files, '["编号", "投诉日期"]')
    ledger("import", path, "--mapping", mapping)
    ledger("import", path, "--mapping", mapping, "--sheet", "2025年")
    sources = [json.loads(d)["source"] for (d,) in ledger.rows(
        "SELECT data FROM events WHERE kind = 'log' ORDER BY id")]
    assert [(s["file"], s["sheet"], s["row"]) for s in sources] == [
        ("年度台账.xlsx", "2024年", 2), ("年度台账.xlsx", "2024年", 3),
        ("年度台账.xlsx", "2025年", 2), ("年度台账.xlsx", "2025年", 3)]
    ledger("import", files["csv"], "--mapping", files["map"])  # a CSV has no sheet
    (data,) = ledger.rows("SELECT data FROM events WHERE kind = 'log' ORDER BY id DESC LIMIT 1")
    assert "sheet" not in json.loads(data[0])["source"]


def _repeats(ledger, cid: str) -> str | None:
    return ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (cid,))[0][0]


def test_an_import_says_each_complaint_of_the_ledger_it_relinks(ledger, files):
    """A complaint typed before the import repeats none; the register brings in an
    earlier one of the same customer and product: the typed one is relinked to it, as
    `log` does, and the import now says so (--void-batch said the unlinking)."""
    typed = ledger.log(customer="华东电器有限公司", product="XD-200",
                       received="2025-03-20 10:00")
    dry = ledger("import", files["csv"], "--mapping", files["map"], "--dry-run")
    assert _repeats(ledger, typed) is None
    r = ledger("import", files["csv"], "--mapping", files["map"])
    imported = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    said = f"Warning: {typed} now repeats {imported}; linked"
    assert said in r.stderr.splitlines(), r.stderr
    # (the dry run as would be: it said 已关联 of a link nothing wrote)
    assert f"Warning: {typed} would repeat {imported}; it would be linked" in \
        dry.stderr.splitlines(), dry.stderr
    assert _repeats(ledger, typed) == imported


def test_a_repeat_link_a_newer_copy_writes_on_another_complaint_is_not_its_row(ledger,
                                                                              files):
    """A newer copy voids an imported complaint that a typed one repeated: the void
    unlinks the typed one, and that repeat-link event carried the importing row's source,
    reading as if it were the typed complaint's own row."""
    header = [*HEADER, "作废日期"]
    rows = [[*ROWS[0], ""], [*ROWS[1], ""]]
    path = write_csv(files["dir"] / "voided.csv", rows, header=header)
    mapping = files["dir"] / "voided.toml"
    mapping.write_text(MAPPING.replace("[values.category]", 'voided_at = "作废日期"\n\n'
                                       "[values.category]"), encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    imported = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-002'")[0][0]
    typed = ledger.log(customer="宁波精工", product="PS-5", received="2025-03-20 10:00")
    assert _repeats(ledger, typed) == imported
    rows[1][-1] = "2025-04-01"
    newer = write_csv(files["dir"] / "voided2.csv", rows, header=header)
    r = ledger("import", newer, "--mapping", mapping)
    assert "1 with new steps (1 step)" in r.stderr, r.stderr
    assert _repeats(ledger, typed) is None
    (void,) = ledger.rows("SELECT data FROM events WHERE kind = 'void' AND complaint_id = ?",
                          (imported,))
    assert json.loads(void[0])["source"]["row"] == 3
    (link,) = ledger.rows("SELECT data, old FROM events WHERE kind = 'repeat-link' AND "
                          "complaint_id = ?", (typed,))
    assert (json.loads(link[0]), json.loads(link[1])) == ({}, {"repeat_of": imported})
    assert ledger("verify").exit_code == 0


def test_a_repeat_link_an_import_writes_on_another_complaint_is_not_its_row(ledger, files):
    typed = ledger.log(customer="华东电器有限公司", product="XD-200",
                       received="2025-03-20 10:00")
    ledger("import", files["csv"], "--mapping", files["map"])
    imported = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-001'")[0][0]
    (link,) = ledger.rows("SELECT data FROM events WHERE kind = 'repeat-link' AND "
                          "complaint_id = ?", (typed,))
    assert json.loads(link[0]) == {"repeat_of": imported}


# --- a file that is not a register ------------------------------------------------------

def test_json_lines_are_refused_as_such_and_no_cell_is_echoed(ledger, files, tmp_path):
    """An export's JSON lines fed to import: its first line was read as the header and
    echoed whole as "its columns", an unmasked contact among them."""
    ledger("import", files["csv"], "--mapping", files["map"])
    out = tmp_path / "all.jsonl"
    ledger("export", "complaints", "--reveal", "--format", "jsonl", "--output", out)
    assert "13812345678" in out.read_text(encoding="utf-8")
    before = ledger.snapshot()
    for args in (("--mapping", "complaintctl"), ("--template",)):
        r = ledger("import", out, *args, code=2)
        assert r.stderr.splitlines()[0] == (f"Error: {out} is JSON lines, not a register: "
                                            "import reads CSV, XLSX or XLS files"), r.stderr
        assert "13812345678" not in r.output and "its columns" not in r.stderr
    assert ledger.snapshot() == before


def test_a_first_row_of_data_is_not_echoed_as_the_files_columns(ledger, files):
    """A CSV without its header row: the first row's cells were listed as its columns,
    the customer's phone number among them; then the phone left out, but the customer
    and the contact person ('甲公司', '张先生') still listed as "its columns"."""
    path = files["dir"] / "headless.csv"
    rows = [[*r[:9], "张先生", *r[10:]] for r in ROWS]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert r.stderr.splitlines()[-1] == (
        "Hint: the file seems to have no header row: its first row reads as data (a date, a "
        "phone number …), not as column names; add the register's header row above it"), \
        r.stderr
    for cell in ROWS[0][1:4] + ["张先生"]:
        assert cell not in r.output, cell
    assert ledger.snapshot() == before
    # a header row whose names are not the mapping's: listed, as before
    other = write_csv(files["dir"] / "other.csv", ROWS, header=[f"列{i}" for i in range(20)])
    r = ledger("import", other, "--mapping", files["map"], code=2)
    assert r.stderr.splitlines()[-1].startswith("Hint: its columns: '列0', '列1', "), r.stderr


def test_a_template_of_a_file_without_its_header_row_is_refused(ledger, files, tmp_path):
    """--template on a CSV whose first row is data wrote contact = "电话" (the channel's
    word) and `# ? = "13811112222"`: a customer's phone number in a mapping that is kept
    and shared."""
    path = tmp_path / "nohdr.csv"
    path.write_text("2024-05-01,甲公司,13811112222,电话,质量,高,P1,坏了,\n"
                    "2024-05-02,乙公司,13811113333,电话,质量,高,P2,坏了,2024-05-09\n",
                    encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--template", code=2)
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "Error: nohdr.csv seems to have no header row: its first row reads as data (a date, "
        "a phone number …), not as column names",
        "Hint: add the register's header row above its first row (投诉日期, 客户名称, 联系电话 "
        "…), save it, and try again"]
    assert ledger.snapshot() == before
    # a phone number in a header cell among real names: no header either, not written out
    typed = write_csv(tmp_path / "typed.csv", ROWS, header=[*HEADER[:-1], "13811112222"])
    r = ledger("import", typed, "--template", code=2)
    assert "13811112222" not in r.output and "seems to have no header row" in r.stderr


# --- names read as `log` reads them -------------------------------------------------------

def test_names_are_stored_as_log_stores_them_and_linked_as_repeats(ledger, files):
    """ＫＦＲ－３５ 空调 (typed with an input method on full width) and KFR-35  空调 (two
    spaces) came in as two products, no repeat of each other, where `log` stores both as
    KFR-35 空调. A plain cell with two spaces took the importer's fast path."""
    rows = [[*ROWS[2][:2], "华东电器", "１３８１２３４５６７８", *ROWS[2][4:7], "ＫＦＲ－３５ 空调",
             *ROWS[2][8:10], "质量部", "王芳", "2025-04-01", *ROWS[2][13:]],
            ["2025-004", "2025-04-03", "华东电器", "", *ROWS[2][4:7], "KFR-35  空调",
             *ROWS[2][8:10], "质量部", "王\u3000芳", "2025-04-03", *ROWS[2][13:]],
            ["2025-005", "2025-04-04", "宁波  精工", "", *ROWS[2][4:7], "PS-5", *ROWS[2][8:]]]
    path = write_csv(files["dir"] / "widths.csv", rows, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["map"])
    assert "3 new complaints" in r.stderr, r.stderr
    stored = ledger.rows("SELECT id, customer, contact, product, department, owner, repeat_of "
                         "FROM complaints ORDER BY received_at")
    first, second, third = stored
    assert first[1:6] == ("华东电器", "13812345678", "KFR-35 空调", "质量部", "王芳")
    assert second[1:] == ("华东电器", None, "KFR-35 空调", "质量部", "王 芳", first[0])
    assert third[1] == "宁波 精工"
    typed = ledger.log(customer="华东电器", product="ＫＦＲ－３５ 空调",
                       received="2025-04-05 10:00")
    assert _repeats(ledger, typed) == second[0]  # as `log` links them
    # again: already imported, no conflict
    again = ledger("import", path, "--mapping", files["map"])
    assert "0 new complaints, 3 already imported." in again.stderr, again.stderr
    assert "conflict" not in again.stderr


def test_an_import_links_repeats_by_the_repeat_key(ledger, files):
    """The bulk writer matched customer and product exactly, as `log` did: ACME and Acme,
    XD-300 and xd300 came in as no repeat of each other. A complaint typed before, spelt
    another way again, is linked to by the import too (asked of the ledger)."""
    typed = ledger.log(customer="acme", product="Xd 300", received="2025-03-30 10:00")
    rows = [[*ROWS[2][:2], "ACME", "", *ROWS[2][4:7], "xd300", *ROWS[2][8:]],
            ["2025-004", "2025-04-03", "Acme", "", *ROWS[2][4:7], "XD-300", *ROWS[2][8:]]]
    path = write_csv(files["dir"] / "spelt.csv", rows, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["map"])
    assert "2 new complaints" in r.stderr, r.stderr
    first, second = (cid for (cid,) in ledger.rows(
        "SELECT id FROM complaints WHERE import_batch = 1 ORDER BY received_at"))
    assert (_repeats(ledger, first), _repeats(ledger, second)) == (typed, first)
    assert ledger("verify").exit_code == 0


def test_a_key_typed_in_full_width_is_the_key(ledger, files):
    """A newer copy of the register with ２０２６－００１ (an input method left on full
    width) for 2025-001 came in as a new complaint, a repeat of the one it is. A key is
    read as a name is; one an import kept as typed before is still that complaint's;
    show --ref and list --ref find it typed either way."""
    ledger("import", files["csv"], "--mapping", files["map"])
    rows = [list(r) for r in ROWS]
    rows[0][0] = "２０２５－００１"
    path = write_csv(files["dir"] / "wide.csv", rows, encoding="utf-8")
    before = ledger.rows("SELECT id FROM complaints ORDER BY id")
    r = ledger("import", path, "--mapping", files["map"])
    assert "0 new complaints, 3 already imported." in r.stderr, r.stderr
    assert ledger.rows("SELECT id FROM complaints ORDER BY id") == before
    assert ledger.json("show", "--ref", "２０２５－００１")["source_key"] == "2025-001"
    # a key stored full width by an import before: the same file is already imported
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET source_key = '２０２５－００１' "
                     "WHERE source_key = '2025-001'")
    conn.close()
    for again in (path, files["csv"]):
        r = ledger("import", again, "--mapping", files["map"])
        assert "0 new complaints, 3 already imported." in r.stderr, r.stderr
    assert ledger.json("show", "--ref", "２０２５－００１")["source_key"] == "２０２５－００１"
    assert ledger.json("show", "--ref", "2025-001")["source_key"] == "２０２５－００１"
    # list --ref too (it found the key stored full width only typed full width)
    for typed in ("2025-001", "２０２５－００１", "2025－001"):
        found = ledger.json("list", "--ref", typed)
        assert [r["source_key"] for r in found] == ["２０２５－００１"], typed


def test_a_name_stored_before_names_were_folded_is_no_conflict(ledger, files):
    """A ledger imported before names were read as `log` reads them holds KFR-35  空调: a
    re-import of the same register reads KFR-35 空调, which is the same name."""
    rows = [[*ROWS[1][:7], "KFR-35  空调", *ROWS[1][8:]]]
    path = write_csv(files["dir"] / "old.csv", rows, encoding="utf-8")
    ledger("import", path, "--mapping", files["map"])
    import sqlite3

    conn = sqlite3.connect(ledger.db)
    with conn:  # as the importer stored it before
        conn.execute("UPDATE complaints SET product = 'KFR-35  空调', customer = '宁波  精工'")
        conn.execute("UPDATE assignments SET owner = '刘  洋'")
    conn.close()
    rows[0][2] = "宁波  精工"
    rows[0][11] = "刘  洋"
    path = write_csv(files["dir"] / "old.csv", rows, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["map"])
    assert "0 new complaints, 1 already imported." in r.stderr, r.stderr
    assert "conflict" not in r.stderr


def test_a_date_in_a_key_of_columns_is_the_date_however_it_is_written(ledger, files):
    """key = ["编号", "投诉日期"] took the cell's text: an Excel date cell (2024-01-08), the
    same date typed 2024/1/8 and a date-time cell (2024-01-08 09:30:00) were three keys,
    and a copy of the register saved otherwise came in again, its rows repeats."""
    from datetime import datetime

    import xlsxwriter

    path = files["dir"] / "dated.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("2024年")
    sheet.write_row(0, 0, SHEET_HEADER)
    day, timed = book.add_format({"num_format": "yyyy/m/d"}), \
        book.add_format({"num_format": "yyyy/m/d h:mm"})
    for i, (row, when, fmt) in enumerate([(SHEETS["2024年"][0], datetime(2024, 1, 8), day),
                                          (SHEETS["2024年"][1], datetime(2024, 2, 3, 9, 30),
                                           timed)], start=1):
        sheet.write_row(i, 0, row)
        sheet.write_datetime(i, 1, when, fmt)
    book.close()
    mapping = files["dir"] / "yearly.toml"
    mapping.write_text(SHEET_MAP.format(key='["编号", "投诉日期"]'), encoding="utf-8")
    assert "2 new complaints" in ledger("import", path, "--mapping", mapping).stderr
    assert ledger.rows("SELECT source_key FROM complaints ORDER BY id") == [
        ("001 | 2024-01-08",), ("002 | 2024-02-03 09:30",)]
    # the same register saved as CSV, its dates typed otherwise
    rows = [list(x) for x in SHEETS["2024年"]]
    rows[0][1], rows[1][1] = "2024/1/8", "2024年2月3日 09:30"
    copy = write_csv(files["dir"] / "dated.csv", rows, header=SHEET_HEADER)
    r = ledger("import", copy, "--mapping", mapping)
    assert "0 new complaints, 2 already imported." in r.stderr, r.stderr
    assert ledger.rows("SELECT count(*) FROM complaints") == [(2,)]


def test_a_number_key_shown_with_zeros_is_keyed_as_excel_shows_it(ledger, files):
    """编号 1 in the number format 000 shows 001 in Excel (and is 001 in a CSV saved from
    it, or typed as text); it was keyed 1, and the CSV's rows came in again."""
    import sqlite3

    import xlsxwriter

    path = files["dir"] / "padded.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("2024年")
    sheet.write_row(0, 0, SHEET_HEADER)
    padded, prefixed = book.add_format({"num_format": "000"}), \
        book.add_format({"num_format": '"KS-"0000'})
    for i, row in enumerate(SHEETS["2024年"], start=1):
        sheet.write_row(i, 0, row)
        sheet.write_number(i, 0, i, padded)
    sheet.write_row(3, 0, ["", *SHEETS["2025年"][0][1:]])
    sheet.write_number(3, 0, 3, prefixed)
    book.close()
    mapping = files["dir"] / "yearly.toml"
    mapping.write_text(SHEET_MAP.format(key='"编号"'), encoding="utf-8")
    assert "3 new complaints" in ledger("import", path, "--mapping", mapping).stderr
    assert ledger.rows("SELECT source_key FROM complaints ORDER BY id") == [
        ("001",), ("002",), ("KS-0003",)]
    rows = [*SHEETS["2024年"], ["KS-0003", *SHEETS["2025年"][0][1:]]]
    copy = write_csv(files["dir"] / "padded.csv", rows, header=SHEET_HEADER)
    r = ledger("import", copy, "--mapping", mapping)
    assert "0 new complaints, 3 already imported." in r.stderr, r.stderr
    # a ledger that an import keyed 1 before (the number as stored): the same row still
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET source_key = '1' WHERE source_key = '001'")
    conn.close()
    for register in (path, copy):
        r = ledger("import", register, "--mapping", mapping)
        assert "0 new complaints, 3 already imported." in r.stderr, r.stderr


def test_a_key_of_columns_over_a_register_imported_with_one_is_refused(ledger, files):
    """The mapping's key changed from "编号" to ["编号", "投诉日期"] on a ledger that had the
    register already: every row's key was new, and the whole register came in again
    without a word, each complaint a repeat of itself."""
    path, mapping = _yearly(files, '"编号"')
    ledger("import", path, "--mapping", mapping)
    mapping.write_text(SHEET_MAP.format(key='["编号", "投诉日期"]'), encoding="utf-8")
    before = ledger.snapshot()
    said = [f"row {n}, column 编号 + 投诉日期: {key} is new under this key, but {cid} "
            f"(import batch 1, key '{old}') has its customer and date received: the "
            "register was imported with a key of one column; void batch 1 first "
            "(complaintctl import --void-batch 1 --reason …), then import it again with "
            "this key" for n, key, cid, old in (
                (2, "'001 | 2024-01-08'", "CC-2026-0001", "001"),
                (3, "'002 | 2024-02-03'", "CC-2026-0002", "002"))]
    for dry_run in (("--dry-run",), ()):
        r = ledger("import", path, "--mapping", mapping, *dry_run, code=1)
        assert [x for x in r.stderr.splitlines() if x.startswith("row ")] == said, r.stderr
        assert ("Error: 2 rows refused: the import would take nothing" if dry_run else
                "Error: 2 rows refused; nothing was imported") in r.stderr, r.stderr
        assert ledger.snapshot() == before
    # the other sheet's rows (another customer, another date under 001): no such refusal
    r = ledger("import", path, "--mapping", mapping, "--sheet", "2025年")
    assert "2 new complaints" in r.stderr and "is new under this key" not in r.stderr
    # the batch voided, the register comes in under its new key
    ledger("import", "--void-batch", "1", "--reason", "key of one column")
    r = ledger("import", path, "--mapping", mapping)
    assert "2 new complaints" in r.stderr, r.stderr


def test_a_row_of_another_complaint_under_a_held_key_does_not_advise_amending_its_contact(
        ledger, files):
    """Sheet 2025年 numbered anew (001 again: another customer) imported with key = "编号":
    its conflicts said `complaintctl amend CC-… --contact …` for the complaint of 2024's
    001, which would have written 2025's customer's phone on it."""
    path, mapping = _yearly(files, '"编号"')
    ledger("import", path, "--mapping", mapping)
    sheets = {name: [list(x) for x in rows] for name, rows in SHEETS.items()}
    sheets["2025年"][0][8] = "13900001111"
    _write_sheets(path, sheets)
    r = ledger("import", path, "--mapping", mapping, "--sheet", "2025年")
    assert "2 conflicts" in r.stderr, r.stderr
    assert "amend" not in r.stderr and "another contact" not in r.stderr, r.stderr
    assert "13900001111" not in r.output
    assert ledger.rows("SELECT contact FROM complaints WHERE source_key = '001'") == [
        ("13812345678",)]
    # the same complaint with another phone (its customer and date as held): said, as before
    sheets["2024年"][0][8] = "13900002222"
    newer = write_csv(files["dir"] / "newer.csv", sheets["2024年"], header=SHEET_HEADER)
    r = ledger("import", newer, "--mapping", mapping)
    assert "the file has another contact than the ledger" in r.stderr, r.stderr


def test_an_empty_cell_of_a_mapped_step_column_is_said_as_empty(ledger, files):
    """A row with its 处理日期 and no 处理方式 said "a resolution needs disposition: map a
    column to it or give it under [defaults]", though the column is mapped; likewise an
    assignment without its 责任人."""
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][15] = ""  # 处理方式
    rows[1][11] = ""  # 责任人
    path = write_csv(files["dir"] / "empty-step.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert [x for x in r.stderr.splitlines() if x.startswith("row ")] == [
        "row 2, column 处理方式: empty, and the resolve step needs it",
        "row 3, column 责任人: empty, and the assign step needs it"], r.stderr
    assert ledger.snapshot() == before
    # not mapped at all: the mapping is what to change, as before
    unmapped = files["dir"] / "unmapped.toml"
    unmapped.write_text(MAPPING.replace('disposition = "处理方式"\n', ""), encoding="utf-8")
    r = ledger("import", files["csv"], "--mapping", unmapped, code=2)
    assert "row 2: a resolution needs disposition: map a column to it or give it under " \
        "[defaults]" in r.stderr.splitlines(), r.stderr
    # in Chinese by its name, the mapping's key beside it (处理需要 disposition read as a
    # code dropped into a sentence)
    r = ledger("--lang", "zh", "import", files["csv"], "--mapping", unmapped, code=2)
    assert "第 2 行：处理需要处理方式（disposition）：请为它映射一列，或在 [defaults] 中给出" \
        in r.stderr.splitlines(), r.stderr
    assert ledger.snapshot() == before


VALIDITY_MAP = """key = "编号"
[columns]
received_at = "投诉日期"
customer = "客户名称"
description = "投诉内容"
department = "责任部门"
owner = "责任人"
validity = "是否成立"
status = "状态"
[defaults]
channel = "phone"
category = "quality"
severity = "medium"
[dates]
assigned_at = "received_at"
"""


def test_upheld_without_a_cause_and_a_status_beyond_the_steps_are_said(ledger, files):
    """是否成立 = 成立 with no cause, and 状态 = 处理中 on a row that has only its assignment:
    the dry run read both ('成立' → upheld, '处理中' → investigating) and the import dropped
    them without a word (the complaint came in assigned, with no validity), where a
    mapped column no step takes is said."""
    path = write_csv(files["dir"] / "validity.csv", [
        ["V1", "2024-05-06", "长沙中联", "液压管爆裂", "品质部", "王强", "成立", "处理中"],
        ["V3", "2024-05-06", "湘潭钢铁", "焊缝开裂", "", "", "成立", ""]],
        header=["编号", "投诉日期", "客户名称", "投诉内容", "责任部门", "责任人", "是否成立",
                "状态"])
    mapping = files["dir"] / "validity.toml"
    mapping.write_text(VALIDITY_MAP, encoding="utf-8")
    upheld = ("Warning: 是否成立 given in 2 rows but not used: upheld (成立) is recorded with "
              "the root cause found, and no cause column is mapped (map the column of 原因分析 "
              "to cause)")
    status = ("Warning: 状态 given in 1 row but not used: the row's steps do not reach the "
              "status it gives, and the complaint comes in where they leave it (row 2: the "
              "columns of the missing steps are not mapped, or empty there)")
    dry = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert {upheld, status} <= set(dry.stderr.splitlines()), dry.stderr
    r = ledger("import", path, "--mapping", mapping)
    assert {upheld, status} <= set(r.stderr.splitlines()), r.stderr
    assert ledger.rows("SELECT source_key, status, validity FROM complaints ORDER BY 1") == [
        ("V1", "assigned", None), ("V3", "logged", None)]
    # a cause mapped, empty in those rows: the rows are named
    path = write_csv(files["dir"] / "cause.csv", [
        ["V4", "2024-05-06", "长沙中联", "液压管爆裂", "品质部", "王强", "成立", "", ""]],
        header=["编号", "投诉日期", "客户名称", "投诉内容", "责任部门", "责任人", "是否成立",
                "状态", "原因分析"])
    mapping.write_text(VALIDITY_MAP.replace('status = "状态"', 'status = "状态"\n'
                                            'cause = "原因分析"'), encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert "Warning: 是否成立 given in 1 row but not used: its cause (原因分析) is empty " \
        "(row 2)" in r.stderr.splitlines(), r.stderr


def test_a_column_mapped_to_department_and_owner_is_named_once(ledger, files):
    """"its department (责任部门, 责任部门)" when one column gives both."""
    path = files["dir"] / "one-column.csv"
    rows = [[*ROWS[1][:10], "", "", "2025-03-11", *ROWS[1][13:]]]
    write_csv(path, rows)
    mapping = files["dir"] / "one-column.toml"
    mapping.write_text(MAPPING.replace('owner = "责任人"', 'owner = "责任部门"'),
                       encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "Warning: 分派日期 given in 1 row but not used: its department (责任部门) is empty " \
        "(row 2)" in r.stderr.splitlines(), r.stderr


def test_a_conflict_shows_a_backslash_as_stored(ledger, files):
    """'中兴\\\\北京' (Python's repr) for the customer 中兴\\北京."""
    rows = [[*ROWS[1][:2], "中兴\\北京", *ROWS[1][3:]]]
    ledger("import", write_csv(files["dir"] / "a.csv", rows), "--mapping", files["map"])
    rows[0][2] = "中兴\\上海"
    r = ledger("import", write_csv(files["dir"] / "b.csv", rows), "--mapping", files["map"])
    assert "Warning: conflict: row 2: 2025-002 (CC-2026-0001): 客户名称 was '中兴\\北京', the " \
        "file now says '中兴\\上海'; the ledger is left as it is" in r.stderr.splitlines(), \
        r.stderr


def test_the_rejects_of_another_sheet_do_not_replace_the_first_sheets(ledger, files,
                                                                     monkeypatch):
    """--skip-bad on sheet 2025年 wrote 年度台账.rejects.csv over the rejects of sheet
    2024年, which the clerk had not corrected yet."""
    import xlsxwriter

    monkeypatch.chdir(files["dir"])
    path = files["dir"] / "年度台账.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in SHEETS.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, SHEET_HEADER)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, [*row[:5], "特高" if i == 1 else row[5], *row[6:]])
    book.close()
    mapping = files["dir"] / "yearly.toml"
    mapping.write_text(SHEET_MAP.format(key='["编号", "投诉日期"]'), encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--skip-bad")
    assert "written with its reason to 年度台账.rejects.csv" in r.stderr, r.stderr
    first = (files["dir"] / "年度台账.rejects.csv").read_text(encoding="utf-8-sig")
    r = ledger("import", path, "--mapping", mapping, "--skip-bad", "--sheet", "2025年")
    assert "written with its reason to 年度台账.2025年.rejects.csv" in r.stderr, r.stderr
    assert (files["dir"] / "年度台账.rejects.csv").read_text(encoding="utf-8-sig") == first
    assert "苏州华达" in (files["dir"] / "年度台账.2025年.rejects.csv").read_text(
        encoding="utf-8-sig")
    # the first sheet named: its rejects where they were
    r = ledger("import", path, "--mapping", mapping, "--skip-bad", "--sheet", "2024年")
    assert "written with its reason to 年度台账.rejects.csv" in r.stderr, r.stderr


def test_leave_out_columns(ledger, files):
    """`leave_out`: a row with one of those columns filled in is left out and counted; a
    leave_out that is not a list of headers is refused, the ledger unchanged."""
    rows = [list(r) + [""] for r in ROWS]
    rows[1][-1] = "是"
    register = write_csv(files["dir"] / "marked.csv", rows, header=HEADER + ["删除标记"])
    mapping = files["dir"] / "leave.toml"
    mapping.write_text('leave_out = ["删除标记"]\n' + MAPPING, encoding="utf-8")
    r = ledger("import", register, "--mapping", mapping)
    assert "2 new complaints" in r.stderr and "1 row left out by the mapping's leave_out" \
        in r.stderr, r.stderr
    assert {k for (k,) in ledger.rows("SELECT source_key FROM complaints")} == {"2025-001",
                                                                                "2025-003"}
    bad = files["dir"] / "bad.toml"
    bad.write_text('leave_out = "删除标记"\n' + MAPPING, encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", register, "--mapping", bad, code=2)
    assert "leave_out must be a list of column headers" in r.stderr
    assert ledger.snapshot() == before


def test_the_import_batches_listed(ledger, files, monkeypatch):
    """`import --batches`: each import, who, when, its counts, and whether (and why) it was
    voided: the batch ids the reports and --void-batch name, without sqlite3."""
    assert ledger("import", "--batches").stdout == "Nothing was imported yet.\n"
    ledger("import", files["csv"], "--mapping", files["map"])
    ledger("import", "--void-batch", "1", "--reason", "映射错了")
    ledger("import", files["csv"], "--mapping", files["map"])
    rows = ledger.json("import", "--batches")
    assert [(b["id"], b["file"], b["actor"], b["added"], b["void_reason"]) for b in rows] == [
        (1, "登记表.csv", "tester", 3, "映射错了"), (2, "登记表.csv", "tester", 3, None)]
    assert rows[0]["voided_at"] == "2026-11-23T12:00:00Z" and len(rows[0]["sha256"]) == 64
    table = ledger("import", "--batches").stdout
    assert "登记表.csv" in table and "映射错了" in table and "2026-11-23 20:00" in table, table
    assert "already imported" in table, table  # (at 120 columns, a batch voided)
    # every row of a batch is in one of its counts: the register again, already imported
    # (the table left that count out: batch 3's rows were accounted for nowhere)
    ledger("import", files["csv"], "--mapping", files["map"])
    monkeypatch.setenv("COLUMNS", "140")
    table = ledger("import", "--batches").stdout
    header = next(line for line in table.splitlines() if " rows " in line)
    assert "already imported" in header, table
    third = next(line.split() for line in table.splitlines() if line.split()[:1] == ["3"])
    assert third[-4:] == ["0", "3", "0", "0"], table  # new steps, already, conflicts, refused
    # a narrow terminal keeps the file (which register a batch was, before --void-batch)
    monkeypatch.setenv("COLUMNS", "60")
    narrow = ledger("import", "--batches")
    assert "登记表" in narrow.stdout, narrow.stdout
    # (whether a batch is voided kept before what it counted: batch 1, out of every
    # report, looked live)
    assert "by, new steps, already imported, conflicts, refused, why voided" in \
        narrow.stderr, \
        narrow.stderr
    first = next(line.split() for line in narrow.stdout.splitlines()
                 if line.split()[:1] == ["1"])
    assert first[-1] == "2026-11-23", narrow.stdout
    lines = ledger("import", "--batches", "--format", "csv").stdout.splitlines()
    assert lines[0].lstrip("\ufeff") == ("batch,imported,by,file,sheet,sha256,mapping,rows,"
                                         "new,new steps,conflicts,already imported,refused,"
                                         "voided,why voided")  # (its order as it was)
    assert len(lines) == 4
    before = ledger.snapshot()
    for extra in ((files["csv"],), ("--dry-run",), ("--sheet", "x"), ("--reason", "x")):
        r = ledger("import", *extra, "--batches", code=2)
        assert "--batches lists the batches: it takes no FILE nor any other option but " \
            "--format" in r.stderr, r.stderr
    r = ledger("import", files["csv"], "--mapping", files["map"], "--format", "json", code=2)
    assert "--format is for --batches" in r.stderr
    assert "complaintctl import --batches --format json" in r.stderr
    assert ledger.snapshot() == before


def test_voiding_the_newer_copy_after_the_earlier_says_no_steps_stay(ledger, files):
    """The earlier batch voided first, then the newer copy that gave its complaints steps:
    the void said those steps "stay, and count in the reports" of complaints already
    left out of every report."""
    ledger("import", files["csv"], "--mapping", files["map"])
    rows = [list(r) for r in ROWS]
    rows[1][13:20] = ["包装破损", "物流", "换货", "补发两箱", "2025-03-15", "基本满意",
                      "2025-03-20"]
    r = ledger("import", write_csv(files["dir"] / "newer.csv", rows), "--mapping",
               files["map"])
    assert "1 with new steps" in r.stderr, r.stderr
    ledger("import", "--void-batch", "1", "--reason", "映射错了")
    r = ledger("import", "--void-batch", "2", "--reason", "映射错了")
    assert "new steps batch 2" not in r.stderr, r.stderr
    rep = ledger.json("report", "--month", "2025-03")
    assert [(b["batch"], b["gave_steps_to"]) for b in rep["voided_imports"]] == [(1, 0), (2, 0)]
    assert rep["received"] == rep["resolved"] == 0


def test_a_void_row_links_nothing_it_says(ledger, files):
    """A 作废 row of the register linked a complaint of the ledger received after it as
    its repeat, then took the link off again with its void: the import warned that the
    complaint 'no longer repeats an earlier complaint', which it never had."""
    typed = ledger.log(received="2025-03-20 10:00")
    rows = [list(ROWS[0][:9]) + ["作废"]]
    register = write_csv(files["dir"] / "void.csv", rows, header=HEADER[:9] + ["状态"])
    mapping = files["dir"] / "void.toml"
    mapping.write_text(MAPPING.split("logged_by")[0] + 'status = "状态"\n\n[dates]\n'
                       'voided_at = "received_at"\n', encoding="utf-8")
    for dry in (("--dry-run",), ()):
        r = ledger("import", register, "--mapping", mapping, *dry)
        assert "repeat" not in r.stderr and "linked" not in r.stderr, r.stderr
    assert ledger.rows("SELECT repeat_of FROM complaints WHERE id = ?", (typed,)) == [(None,)]


def test_a_batch_gave_steps_only_to_what_its_events_name(ledger, files):
    """Two registers of one name imported in the same second (sheet after sheet, by a
    script): voiding the first said it had given steps to the second's complaints (its
    events were told apart by file name and second only)."""
    ledger("import", files["csv"], "--mapping", files["map"])
    other = files["dir"] / "next"
    other.mkdir()
    rows = [["2026-101"] + ROWS[0][1:], ["2026-102"] + ROWS[2][1:]]
    ledger("import", write_csv(other / "登记表.csv", rows), "--mapping", files["map"])
    r = ledger("import", "--void-batch", "1", "--reason", "映射错了", "--dry-run")
    assert "new steps" not in r.stderr, r.stderr
    ledger("import", "--void-batch", "1", "--reason", "映射错了")
    assert ledger.json("report", "--month", "2025-03")["voided_imports"][0][
        "gave_steps_to"] == 0


def test_a_row_left_out_that_the_ledger_holds_is_said(ledger, files):
    ledger("import", files["csv"], "--mapping", files["map"])
    rows = [list(r) + [""] for r in ROWS]
    rows[1][-1] = "是"
    mapping = files["dir"] / "leave.toml"
    mapping.write_text('leave_out = ["删除标记"]\n' + MAPPING, encoding="utf-8")
    r = ledger("import", write_csv(files["dir"] / "marked.csv", rows,
                                   header=HEADER + ["删除标记"]), "--mapping", mapping)
    cid = ledger.rows("SELECT id FROM complaints WHERE source_key = '2025-002'")[0][0]
    assert (f"Warning: row 3: 2025-002 ({cid}) is left out by the mapping's leave_out, but the "
            f"ledger holds it: void it if it should go (complaintctl void {cid} --reason …)"
            ) in r.stderr, r.stderr


def test_a_format_reads_the_cells_written_that_way_and_the_others_as_dates(ledger, files):
    """One [formats] line for the 21.4.6 cells made it the only reading of the column:
    2025/3/10 and 2025年3月3日 beside them were "not a date", 60 of 61 rows refused.
    And 4-Mar-21 (Excel's d-mmm-yy) was read as 2004-03-21, by import and log alike."""
    rows = [list(r) for r in ROWS]
    rows[2][1] = "25.4.1"
    path = write_csv(files["dir"] / "dates.csv", rows)
    mapping = files["dir"] / "dates.toml"
    mapping.write_text(MAPPING + '\n[formats]\nreceived_at = "%y.%m.%d"\n', encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT source_key, received_at FROM complaints ORDER BY source_key") \
        == [("2025-001", "2025-03-02T16:00:00Z"), ("2025-002", "2025-03-09T16:00:00Z"),
            ("2025-003", "2025-03-31T16:00:00Z")]
    rows[2][0], rows[2][1] = "2025-004", "4-Mar-21"
    path = write_csv(files["dir"] / "dates2.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert "row 4, column 投诉日期: '4-Mar-21' is not a date (nor in the mapping's format " \
        "%y.%m.%d)" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    r = ledger("log", "--customer", "x", "--description", "y", "--channel", "phone",
               "--category", "quality", "--severity", "low", "--received", "4-Mar-21",
               code=2)
    assert "cannot read --received '4-Mar-21': its year is not written in full" in r.stderr
    assert "write the year in full, e.g. 2021-03-04 or 4 Mar 2021" in r.stderr
    assert ledger.snapshot() == before


def test_a_borrowed_closing_date_closes_only_the_rows_without_their_revisit(ledger, files):
    """[dates] closed_at = "resolved_at" (for the rows a register closed without a revisit)
    closed a row that had its revisit (满意, 回访日期) at its resolution, and then refused
    that revisit as a second one none is due."""
    unrevisited = list(ROWS[0])
    unrevisited[0], unrevisited[18], unrevisited[19] = "2025-004", "", ""
    path = write_csv(files["dir"] / "closing.csv", [ROWS[0], unrevisited])
    mapping = files["dir"] / "closing.toml"
    mapping.write_text(MAPPING + 'closed_at = "resolved_at"\n[defaults]\n'
                       'close_reason = "历史登记，未回访"\n', encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    got = {key: (status, closed) for key, status, closed in ledger.rows(
        "SELECT source_key, status, closed_at FROM complaints")}
    assert got == {"2025-001": ("closed", "2025-03-06T16:00:00Z"),  # by its revisit
                   "2025-004": ("closed", "2025-03-05T16:00:00Z")}, got  # by the close
    kinds = ledger.rows("SELECT c.source_key, e.kind FROM events e JOIN complaints c ON "
                        "c.id = e.complaint_id WHERE e.kind IN ('revisit', 'close') "
                        "ORDER BY e.id")
    assert kinds == [("2025-001", "revisit"), ("2025-004", "close")], kinds


def test_a_conflict_names_every_value_that_differs(ledger, files):
    """A newer copy that changed a row's product, description and date said the product
    alone; amended, the next run said the description, then the date: one at a time."""
    ledger("import", files["csv"], "--mapping", files["map"])
    rows = [list(r) for r in ROWS]
    rows[0][1], rows[0][7], rows[0][8] = "2025年3月2日", "XD-300", "电机异响，外壳裂"
    changed = write_csv(files["dir"] / "changed.csv", rows)
    before = ledger.snapshot()
    ((said, made),) = ledger.rows("SELECT description, product FROM complaints WHERE "
                                  "source_key = '2025-001'")
    r = ledger("import", changed, "--mapping", files["map"])
    assert ("Warning: conflict: row 2: 2025-001 (CC-2026-0001): 投诉内容 was "
            f"'{said}', the file now says '电机异响，外壳裂'; 产品型号 was '{made}', the file "
            "now says 'XD-300'; "
            "投诉日期 was '2025-03-03 00:00', the file now says '2025-03-02 00:00'; the ledger "
            "is left as it is") in r.stderr, r.stderr
    assert _beyond_the_batch(ledger, before) == []


def test_a_header_broken_over_two_lines_is_the_mappings(ledger, files):
    """客户 (Alt+Enter) 名称 in one header cell was not the mapping's 客户名称: "column 客户名称
    is not in the file", with the file's own header shown beside it."""
    header = list(HEADER)
    header[2], header[7] = "客户\n名称", "产品 型号"
    path = write_csv(files["dir"] / "broken.csv", ROWS, header=header)
    ledger("import", path, "--mapping", files["map"])
    assert sorted(ledger.rows("SELECT source_key, customer, product FROM complaints")) == [
        (r[0], r[2], r[7]) for r in ROWS]
    # two headers that read alike so: which one the mapping means is not guessed
    twice = write_csv(files["dir"] / "twice.csv", [[*r, "另一家公司"] for r in ROWS],
                      header=[*header, "客户 名称"])
    r = ledger("import", twice, "--mapping", files["map"], code=2)
    assert "column 客户名称 is in the file more than once (columns C, U)" in r.stderr, r.stderr


def test_a_refused_cell_says_how_the_mapping_reads_the_registers_own_way(ledger, files):
    """'无' is not an amount, '21.4.6' is not a date: said nothing of [values] or
    [formats], as a word's refusal does; the line suggested then reads the file."""
    rows = [list(r) for r in ROWS]
    rows[0][12] = "25.3.3"
    rows[1][12] = "待定"  # a word: no format reads it (it was offered %y.%m.%d)
    path = write_csv(files["dir"] / "own.csv", [[*r, "无"] for r in rows],
                     header=[*HEADER, "赔偿金额"])
    mapping = files["dir"] / "own.toml"
    text = MAPPING.replace('revisited = "回访日期"\n',
                           'revisited = "回访日期"\namount = "赔偿金额"\n')
    mapping.write_text(text, encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert ("row 2, column 分派日期: '25.3.3' is not a date; a column written in one other "
            "way takes its format under [formats] (assigned_at = \"%y.%m.%d\" or assigned_at "
            "= \"%d.%m.%y\"), a single cell a line under [values.assigned_at]") in r.stderr, \
        r.stderr
    assert ("row 3, column 分派日期: '待定' is not a date; a register's word for none goes "
            "under [values.assigned_at] (\"待定\" = \"\")") in r.stderr, r.stderr
    assert ("row 3, column 赔偿金额: '无' is not an amount; a register's own way of writing one "
            "goes under [values.amount] (\"无\" = \"\" for none)") in r.stderr, r.stderr
    assert ledger.snapshot() == before
    mapping.write_text(text + '[values.amount]\n"无" = ""\n[values.assigned_at]\n'
                       '"25.3.3" = "2025-03-03"\n"待定" = "2025-03-11"\n', encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT count(*), count(amount) FROM complaints") == [(3, 0)]


def test_a_word_for_a_day_in_the_received_date_is_given_a_line_with_a_date(ledger, files):
    """昨天 in 投诉日期: the line offered mapped it to none ("昨天" = ""), and the row was
    then refused as having no received date, which every complaint needs."""
    rows = [list(ROWS[1])]
    rows[0][1] = "昨天"
    path = write_csv(files["dir"] / "y.csv", rows, header=HEADER)
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert "row 2, column 投诉日期: '昨天' is not a date: it counts from the day it was " \
        "written, which the file does not say (write the date itself); a cell written so " \
        "takes its date under [values.received_at] (\"昨天\" = \"2025-01-02\")" in r.stderr, \
        r.stderr
    mapping = files["dir"] / "y.toml"
    mapping.write_text(files["map"].read_text(encoding="utf-8")
                       + '[values.received_at]\n"昨天" = "2025-03-09"\n', encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT received_at FROM complaints") == [("2025-03-08T16:00:00Z",)]


def test_a_templates_satisfaction_column_with_placeholders_is_mapped_and_they_read_none(
        ledger, files):
    """A register writes / where there was no revisit: its 回访 column was no longer taken
    for the satisfaction (four in five values had to be its words), so every row's
    revisit was dropped. Placeholders are not counted, and get their line (\"/\" = \"\")."""
    header = ["投诉编号", "日期", "客户", "问题描述", "回访", "回访日期"]
    rows = [["A1", "2025/3/4", "甲", "坏了", "满意", "2025/3/6"],
            ["A2", "2025/3/5", "乙", "坏了", "/", ""],
            ["A3", "2025/3/6", "丙", "坏了", "基本满意", "2025/3/8"]]
    path = write_csv(files["dir"] / "回访.csv", rows, header=header)
    text = ledger("import", path, "--template").stdout
    assert 'satisfaction = "回访"' in text, text
    assert '[values.satisfaction]\n# the register\'s placeholder: no value\n"/" = ""' in text, text
    mapping = files["dir"] / "回访.toml"
    mapping.write_text(text.replace('# channel = "other"', 'channel = "other"').replace(
        '# category = "other"', 'category = "other"').replace(
        '# severity = "medium"', 'severity = "medium"'), encoding="utf-8")
    out = ledger("import", path, "--mapping", mapping, "--dry-run", code=1)  # (a revisit
    assert "回访: '/' → (none) ×1" in out.stdout, out.stdout  # needs a resolution first)
    assert "row 3" not in out.stderr, out.stderr  # the row with / has no revisit to refuse
    # marks are words, not placeholders: √ and × (成立 or not) were taken for "none"
    header = ["投诉编号", "投诉日期", "客户", "问题描述", "投诉是否成立"]
    path = write_csv(files["dir"] / "成立.csv", [["A1", "2025/3/4", "甲", "坏了", "√"],
                                                ["A2", "2025/3/5", "乙", "坏了", "×"],
                                                ["A3", "2025/3/6", "丙", "坏了", "-"]],
                     header=header, encoding="utf-8")
    text = ledger("import", path, "--template").stdout
    assert '"√" = ""' not in text and '"×" = ""' not in text, text
    assert '[values.validity]\n# the register\'s placeholder: no value\n"-" = ""' in text, text


def test_a_problem_many_rows_share_is_said_once_with_its_rows(ledger, files):
    """A word the mapping does not know, in 6 rows, was said 6 times (a real register's
    template run gave 544 lines): said once, with the rows; the rejects file keeps each."""
    rows = [list(ROWS[0]) for _ in range(6)]
    for n, row in enumerate(rows):
        row[0], row[5] = f"2025-1{n:02d}", "外观"
    rows.append(list(ROWS[1]))
    rows[-1][5] = "性能"
    path = write_csv(files["dir"] / "外观.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], code=2)
    lines = r.stderr.splitlines()
    assert lines[0] == ("rows 2–7 (6 rows), column 投诉类别: '外观' is not a "
                        "category; list it under [values.category]"), lines
    assert lines[1].startswith("row 8, column 投诉类别: '性能' is not a category"), lines
    assert ledger.snapshot() == before
    rejects = files["dir"] / "rejects.csv"
    ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects", rejects,
           code=2)
    assert len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 1 + 7


# --- a tester's findings: the dry run as the import; a keyless newer copy; hints -------

_SHORT = ["投诉编号", "投诉日期", "客户名称", "产品型号", "投诉内容"]
_SHORT_MAP = ('[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\nproduct = "产品型号"\n'
              'description = "投诉内容"\n[defaults]\nchannel = "phone"\ncategory = "quality"\n'
              'severity = "medium"\n')


def _short(files, name: str, rows: list[list[str]], keyed: bool = True) -> tuple[Path, Path]:
    path = write_csv(files["dir"] / f"{name}.csv", rows, header=_SHORT, encoding="utf-8")
    mapping = files["dir"] / f"{name}.toml"
    mapping.write_text(('key = "投诉编号"\n' if keyed else "") + _SHORT_MAP, encoding="utf-8")
    return path, mapping


def test_a_dry_run_with_refused_rows_says_the_repeat_links_too(ledger, files):
    """A dry run of a file with a refused row said what the good rows would give with
    --skip-bad, but not the repeat link they would make on a complaint the ledger holds
    (--dry-run --skip-bad and the import said it)."""
    first, mapping = _short(files, "a", [["TS-2", "2026/11/20", "华东电器", "XD-200", "异响"]])
    ledger("import", first, "--mapping", mapping)
    path, _m = _short(files, "b", [["TS-1", "2026/11/10", "华东电器", "XD-200", "异响"],
                                   ["TS-2", "2026/11/20", "华东电器", "XD-200", "异响"],
                                   ["TS-3", "2026/13/01", "宏达", "BX-12", "坏"]])
    before = ledger.snapshot()
    linked = "Warning: CC-2026-0001 would repeat CC-2026-0002; it would be linked\n"
    for skip in ([], ["--skip-bad"]):
        r = ledger("import", path, "--mapping", mapping, "--dry-run", *skip,
                   code=0 if skip else 2)
        assert linked in r.stderr, r.stderr
        assert "row 4, column 投诉日期: '2026/13/01' is not a date" in r.stderr, r.stderr
        assert "1 new complaint, 1 already imported, 1 refused." in r.stdout, r.stdout
    assert r.stderr.count("would repeat") == 1
    assert ledger.snapshot() == before
    # refused for good: nothing is linked, and not said
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert "repeat" not in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_a_dry_run_tells_the_new_steps_as_the_import_does(ledger, files):
    """A new step refused when it is told (before a step a clerk typed since) was a
    conflict in the import, but the dry run counted it among the new steps: the dry run
    tells them too, in a transaction it rolls back, and says what the import says."""
    ledger("import", files["csv"], "--mapping", files["map"])
    ledger("investigate", "CC-2026-0002", "--finding", "仓库复核", "--at", "2025-03-18 09:00")
    rows = [list(r) for r in ROWS]
    rows[1][13:20] = ["包装破损", "物流", "换货", "补发两箱", "2025-03-15", "基本满意",
                      "2025-03-20"]
    rows[2][10:13] = ["质量部", "王芳", "2025-04-02"]  # a new step the ledger takes
    newer = write_csv(files["dir"] / "newer.csv", rows)
    conflict = ("Warning: conflict: row 3: 2025-002 (CC-2026-0002): its new investigate step "
                "(处理日期: 2025-03-15 00:00) is before what the ledger holds (2025-03-18 "
                "09:00)\n")
    counts = "0 new complaints, 1 already imported, 1 with new steps (1 step), 1 conflict."
    before = ledger.snapshot()
    r = ledger("import", newer, "--mapping", files["map"], "--dry-run")
    assert conflict in r.stderr, r.stderr
    assert f"Dry run, nothing written: {counts}\n" in r.stdout, r.stdout
    assert ledger.snapshot() == before
    r = ledger("import", newer, "--mapping", files["map"])
    assert conflict in r.stderr, r.stderr
    assert f"Import batch 2: {counts}\n" in r.stderr, r.stderr
    assert ledger.rows("SELECT department FROM complaints WHERE id = 'CC-2026-0003'") == [
        ("质量部",)]


def test_a_date_without_its_year_or_an_excel_number_is_said_so_without_a_format(
        ledger, files):
    """1.25 and 3.5 (a month and a day: the year in the register's title) and an Excel
    date number in a General cell were answered with a [formats] line (received_at =
    "%y.%m.%d") that cannot read them; a format without a year read 1.25 as 1900-01-25."""
    path, mapping = _short(files, "无年份", [
        ["TS-1", "1.25", "华东电器", "XD-200", "异响"], ["TS-2", "3.5", "宏达", "BX-12", "坏"],
        ["TS-3", "46086", "恒星", "KFR-35", "漏水"], ["TS-4", "3月5日", "华东电器", "XD-9", "坏"],
        ["TS-6", "2/29", "宏达", "BX-12", "坏"], ["TS-5", "2026/1/25", "宏达", "BX-12", "坏"]])
    before = ledger.snapshot()
    for dry in (["--dry-run"], []):
        r = ledger("import", path, "--mapping", mapping, *dry, code=2)
        assert r.stderr.splitlines()[:5] == [
            "row 2, column 投诉日期: '1.25' is not a date: it has no year (e.g. 2025年3月5日)",
            "row 3, column 投诉日期: '3.5' is not a date: it has no year (e.g. 2025年3月5日)",
            "row 4, column 投诉日期: '46086' is not a date (as an Excel date number it is "
            "2026-03-05: type the date into the cell, or give the cell a line under "
            "[values.received_at]: \"46086\" = \"2026-03-05\")",
            # (the cell's own day with a year, as the command line gives it: 2/29 was
            # told "e.g. 2025年3月5日", another day, in a year without a 29 February)
            "row 5, column 投诉日期: '3月5日' is not a date: it has no year (give the year "
            "first, e.g. 2026年3月5日)",
            "row 6, column 投诉日期: '2/29' is not a date: it has no year (give the year "
            "first, e.g. 2024-02-29 or 2024年2月29日)"
        ], r.stderr
        assert "[formats]" not in r.stderr
    assert ledger.snapshot() == before
    # a column written in another way with its year still gets the format's advice
    other, _m = _short(files, "另一种", [["TS-1", "25.1.26", "华东电器", "XD-200", "异响"]])
    r = ledger("import", other, "--mapping", mapping, code=2)
    assert "under [formats] (received_at = \"%y.%m.%d\" or received_at = \"%d.%m.%y\")" \
        in r.stderr, r.stderr
    # the format of the cell's own marks, in the orders its numbers may be read in
    for cell, said in (("23/6/5", '(received_at = "%y/%m/%d" or received_at = "%d/%m/%y")'),
                       ("03/04/2025", '(received_at = "%d/%m/%Y" or received_at = '
                                      '"%m/%d/%Y")'),
                       ("13/04/2025", '(received_at = "%d/%m/%Y")'),
                       ("04/13/2025", '(received_at = "%m/%d/%Y")'),
                       ("06/25/23", '(received_at = "%m/%d/%y")'),
                       ("23/6/5 14:30", '(received_at = "%y/%m/%d %H:%M" or received_at = '
                                        '"%d/%m/%y %H:%M")'),
                       # Excel's month by name (it offered %y.%m.%d)
                       ("5-Jan-26", '(received_at = "%d-%b-%y")'),
                       ("5/Jan/26", '(received_at = "%d/%b/%y")')):
        other, _m = _short(files, "另一种", [["TS-1", cell, "华东电器", "XD-200", "异响"]])
        r = ledger("import", other, "--mapping", _m, code=2)
        assert f"under [formats] {said}, a single cell" in r.stderr, (cell, r.stderr)
    # a format without a year: every date in 1900, refused as a mapping
    mapping.write_text(mapping.read_text(encoding="utf-8") +
                       '[formats]\nreceived_at = "%m.%d"\n', encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert r.stderr == (
        f"Error: mapping {mapping}: [formats] received_at = '%m.%d' has no year (%Y or %y): "
        "its dates would be read as in 1900\nHint: a register that writes its dates without "
        "the year (1.25, 3月5日) needs the year in its cells; a single cell can be given a "
        "line under [values.received_at] (\"1.25\" = \"2026-01-25\")\n"), r.stderr
    assert ledger.snapshot() == before


def test_the_template_takes_a_not_upheld_reason_for_that_never_for_the_cause(ledger, files):
    """不成立原因 (why a complaint was judged not upheld) was guessed as the root cause,
    or, with 原因分析 beside it, left unplaced: the not-upheld reason then came from
    处理结果. It is the not_upheld_reason, and the import takes it from there."""
    header = ["投诉编号", "投诉日期", "客户名称", "投诉内容", "是否成立", "不成立原因", "原因分析",
              "处理结果"]
    rows = [["TS-1", "2026/11/2", "华东", "异响", "不成立", "符合规格", "", "已解释"],
            ["TS-2", "2026/11/3", "宏达", "坏", "成立", "", "焊接不良", "已换货"]]
    path = write_csv(files["dir"] / "成立.csv", rows, header=header, encoding="utf-8")
    text = ledger("import", path, "--template").stdout
    assert 'not_upheld_reason = "不成立原因"\n' in text and 'cause = "原因分析"\n' in text, text
    assert "不成立原因\"\n" not in text.split("[columns]")[1].split("not_upheld_reason")[0]
    alone = write_csv(files["dir"] / "不成立.csv", [[r[0], r[1], r[2], r[3], r[4], r[5]]
                                                    for r in rows], header=header[:6],
                      encoding="utf-8")
    other = ledger("import", alone, "--template").stdout
    assert 'not_upheld_reason = "不成立原因"\n' in other and "cause =" not in other, other
    # the template as the clerk finishes it: its defaults taken, the investigation's date
    mapping = files["dir"] / "成立.toml"
    mapping.write_text(text.replace('# channel = "other"', 'channel = "phone"').replace(
        '# category = "other"', 'category = "quality"').replace(
        '# severity = "medium"', 'severity = "medium"\ndepartment = "品质部"\nowner = "王芳"') +
        '[dates]\nassigned_at = "received_at"\nconcluded_at = "received_at"\n',
        encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "2 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT c.source_key, i.validity, i.reason, i.root_cause FROM "
                       "investigations i JOIN complaints c ON c.id = i.complaint_id "
                       "ORDER BY c.source_key") == [
        ("TS-1", "not-upheld", "符合规格", None), ("TS-2", "upheld", None, "焊接不良")]


def test_without_a_key_a_newer_copy_refuses_the_rows_imported_before(ledger, files):
    """Without a key the same file twice was refused, but a newer copy (a row added, a
    cell changed) came in whole again: every complaint twice, each copy a repeat of its
    original, without a word. A row received at the same instant as a complaint an
    earlier import brought in, from the same customer, about the same product, is refused
    naming it; each held complaint is one row's only, so the new rows come in with
    --skip-bad, a third complaint alike among them."""
    v1, keyless = _short(files, "登记表-11月", [
        ["1", "2026/11/2", "华东电器", "XD-200", "异响"],
        ["2", "2026/11/2", "华东电器", "XD-200", "漏水"],  # two complaints alike: two
        ["3", "2026/11/3", "宏达科技", "BX-12", "不工作"]], keyed=False)
    ledger("import", v1, "--mapping", keyless)
    v2, _m = _short(files, "登记表-11月-更新", [
        ["1", "2026/11/2", "华东电器", "XD-200", "异响"],
        ["2", "2026/11/2", "华东电器", "xd 200", "漏水"],  # the repeat check's same product
        ["3", "2026/11/3", "宏达科技", "BX-12", "不工作了"],  # a cell changed since
        ["4", "2026/11/3", "宏达科技", "BX-15", "不工作"],  # another product: new
        ["5", "2026/11/2", "华东电器", "XD-200", "异响"],  # a third alike: new
        ["6", "2026/11/9", "恒星精密", "KFR-35", "漏水"]], keyed=False)
    said = [f"row {row}: CC-2026-000{n} of import batch 1 was received at the same time, "
            "from the same customer, about the same product: without a key in the mapping "
            "this row cannot be told from it, and would come in twice; import only the new "
            "rows with --skip-bad, or, for a newer copy to add what happened since, map the "
            "register's id column as key, void batch 1 (complaintctl import --void-batch 1 "
            "--reason …) and import the register again" for row, n in ((2, 1), (3, 2), (4, 3))]
    before = ledger.snapshot()
    r = ledger("import", v2, "--mapping", keyless, "--dry-run", code=1)
    assert r.stderr.splitlines()[:3] == said, r.stderr
    assert "row 5" not in r.stderr and "row 6" not in r.stderr and "row 7" not in r.stderr
    assert ("Dry run, nothing written; with --skip-bad: 3 new complaints, 0 already "
            "imported, 3 refused.") in r.stdout, r.stdout
    r = ledger("import", v2, "--mapping", keyless, code=1)
    assert r.stderr.splitlines()[:3] == said, r.stderr
    assert "Error: 3 rows refused; nothing was imported" in r.stderr
    assert ledger.snapshot() == before
    rejects = files["dir"] / "rejects.csv"
    r = ledger("import", v2, "--mapping", keyless, "--skip-bad", "--rejects", rejects)
    assert "Import batch 2: 3 new complaints, 0 already imported, 3 refused." in r.stderr
    assert "now repeats" not in r.stderr, r.stderr  # no original taken for a repeat
    assert ledger.rows("SELECT id, description, repeat_of, import_batch FROM complaints "
                       "ORDER BY id") == [
        ("CC-2026-0001", "异响", None, 1), ("CC-2026-0002", "漏水", "CC-2026-0001", 1),
        ("CC-2026-0003", "不工作", None, 1), ("CC-2026-0004", "不工作", None, 2),
        ("CC-2026-0005", "异响", "CC-2026-0002", 2), ("CC-2026-0006", "漏水", None, 2)]
    # a register imported with its key, then without it: refused as well, naming the key
    keyed, mapping = _short(files, "编号", [["K-1", "2026/10/5", "甲公司", "P-1", "坏"]])
    ledger("import", keyed, "--mapping", mapping)
    newer, _m = _short(files, "编号-更新", [["K-1", "2026/10/5", "甲公司", "P-1", "坏"],
                                          ["K-2", "2026/10/6", "甲公司", "P-1", "坏"]])
    before = ledger.snapshot()
    r = ledger("import", newer, "--mapping", keyless, code=1)
    assert r.stderr.startswith(
        "row 2: CC-2026-0007 of import batch 3 (key 'K-1') was received at the same time, "
        "from the same customer, about the same product: without a key in the mapping this "
        "row cannot be told from it, and would come in twice; give the mapping the key that "
        "import had (a newer copy then adds only what happened since), or import only the "
        "new rows with --skip-bad\n"), r.stderr
    assert ledger.snapshot() == before


def test_a_keyless_import_racing_another_still_matches_what_it_brought_in(ledger, files,
                                                                          monkeypatch):
    """Whether an earlier import exists was asked before the write (to keep the index it
    matches by); another clerk's import committed in between, and the newer copy came
    in whole again, each complaint twice. Asked again inside the write."""
    import os
    import subprocess
    import sys

    from complaintctl import importer

    v1, keyless = _short(files, "v1", [
        ["1", "2026/11/2", "华东电器", "XD-200", "异响"],
        ["3", "2026/11/3", "宏达科技", "BX-12", "不工作"]], keyed=False)
    v2, _m = _short(files, "v2", [
        ["1", "2026/11/2", "华东电器", "XD-200", "异响"],
        ["3", "2026/11/3", "宏达科技", "BX-12", "不工作了"],
        ["6", "2026/11/9", "恒星精密", "KFR-35", "漏水"]], keyed=False)
    original, root = importer._import, Path(importer.__file__).parents[1]

    def racing(*args, **kwargs):  # the other import commits between the read and the write
        monkeypatch.setattr(importer, "_import", original)
        other = subprocess.run(
            [sys.executable, "-m", "complaintctl", "import", str(v1), "--mapping", str(keyless)],
            env={**os.environ, "COMPLAINTCTL_DB": str(ledger.db), "COMPLAINTCTL_USER": "李",
                 "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=120)
        assert other.returncode == 0, other.stderr
        return original(*args, **kwargs)

    monkeypatch.setattr(importer, "_import", racing)
    monkeypatch.chdir(files["dir"])  # (--skip-bad's rejects go to the current folder)
    r = ledger("import", v2, "--mapping", keyless, code=1)
    # (CC-YYYY-0001: the other import ran on the real clock)
    assert re.search(r"CC-\d{4}-0001 of import batch 1 was received at the same time",
                     r.stderr), r.stderr
    assert ledger.rows("SELECT count(*) FROM complaints") == [(2,)]
    ledger("import", v2, "--mapping", keyless, "--skip-bad")
    assert ledger.rows("SELECT count(*), count(repeat_of) FROM complaints") == [(3, 0)]


def test_a_chinese_rejects_file_with_a_cause_column_imports_again(ledger, tmp_path,
                                                                  monkeypatch):
    """The rejects file's reason column was headed 原因 in Chinese, a register's own word
    for the root cause: a register mapping 原因 then could not import its corrected
    rejects ("“原因”列在文件中出现了不止一次"). Its own word: 拒绝原因."""
    monkeypatch.chdir(tmp_path)
    path = write_csv(tmp_path / "r.csv", [["2026/11/2", "华东电器", "异响", "高", "螺丝松动"],
                                          ["2026/13/2", "宏达科技", "不工作", "低", "电源"]],
                     encoding="utf-8-sig",
                     header=["投诉日期", "客户名称", "问题描述", "严重程度", "原因"])
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
                       'description = "问题描述"\nseverity = "严重程度"\ncause = "原因"\n'
                       '[defaults]\nchannel = "phone"\ncategory = "quality"\n'
                       'department = "质量部"\nowner = "王芳"\n[dates]\n'
                       'assigned_at = "received_at"\nconcluded_at = "received_at"\n',
                       encoding="utf-8")
    ledger("--lang", "zh", "import", path, "--mapping", mapping, "--skip-bad", "--rejects",
           tmp_path / "rej.csv")
    text = (tmp_path / "rej.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "行,拒绝原因,投诉日期,客户名称,问题描述,严重程度,原因", text
    (tmp_path / "fixed.csv").write_text(text.replace("2026/13/2", "2026/11/3"),
                                        encoding="utf-8-sig")
    ledger("--lang", "zh", "import", tmp_path / "fixed.csv", "--mapping", mapping)
    assert ledger.rows("SELECT count(*) FROM complaints") == [(2,)]


def test_a_register_imported_without_a_key_then_with_one_does_not_come_in_twice(
        ledger, files, monkeypatch):
    """A register first imported without a key (its id column not mapped), then a newer
    copy with its key: every row was new under the key, and came in twice. A row an
    import without a key brought in is refused naming it; voided, the keyed copy comes in
    whole."""
    monkeypatch.chdir(files["dir"])  # (--skip-bad's rejects go to the current folder)
    rows = [["1", "2026/11/2", "华东电器", "XD-200", "异响"],
            ["3", "2026/11/3", "宏达科技", "BX-12", "不工作"]]
    first, keyless = _short(files, "v1", rows, keyed=False)
    ledger("import", first, "--mapping", keyless)
    later, keyed = _short(files, "v2", [*rows, ["6", "2026/11/9", "恒星精密", "KFR-35", "漏水"]])
    before = ledger.snapshot()
    r = ledger("import", later, "--mapping", keyed, code=1)
    lines = [x for x in r.stderr.splitlines() if x.startswith("row ")]
    assert len(lines) == 2 and all(
        re.search(r"CC-\d{4}-000[12] of import batch 1, imported without a key, was received "
                  r"at the same time", x) for x in lines), r.stderr
    assert ledger.snapshot() == before
    ledger("import", later, "--mapping", keyed, "--skip-bad")
    assert ledger.rows("SELECT count(*) FROM complaints") == [(3,)]
    ledger("import", "--void-batch", "1", "--reason", "没有编号，重新导入")
    ledger("import", later, "--mapping", keyed)
    assert ledger.rows("SELECT count(*) FROM complaints WHERE import_batch IN (SELECT id "
                       "FROM import_batches WHERE voided_at IS NULL)") == [(3,)]


def test_an_imports_events_check_from_a_json_lines_export(ledger, files, tmp_path):
    """An import appended its source to each event's document ('..."status": "assigned",
    "source": {...}' without the space json.dumps puts after a comma): a JSON-lines
    export's objects, encoded as the README says (json.dumps, keys in the file's order,
    ", " and ": "), gave other text, and an auditor checking the chain found every
    imported event 'tampered'."""
    import hashlib

    ledger("import", files["csv"], "--mapping", files["map"])
    out = tmp_path / "events.jsonl"
    ledger("export", "events", "--format", "jsonl", "--output", out)
    previous, bad = "", []
    for line in out.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        parts = [previous, *("" if e[k] is None else str(e[k]) for k in (
            "complaint_id", "return_id", "at", "recorded_at", "actor", "login", "kind")),
            *("" if e[k] is None else json.dumps(e[k], ensure_ascii=False)
              for k in ("data", "old"))]
        previous = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
        if previous != e["hash"]:
            bad.append((e["id"], e["kind"]))
            previous = e["hash"]
    assert ledger.rows("SELECT count(*) FROM events WHERE data LIKE '%\"source\"%'")[0][0] > 0
    assert bad == [], bad


def test_an_export_imported_again_after_the_investigation_grew_brings_its_new_steps(
        ledger, tmp_path, monkeypatch):
    """A corrective action added after the conclusion made every later import of the
    export a conflict (the export gives each investigation text as the latest of any
    entry), its new steps lost; an export made before the texts were in it was refused
    ("columns investigation.finding … are not in the file"). A reason a later upheld
    finding overturned is not exported as the reason."""
    monkeypatch.chdir(tmp_path)
    run = ledger
    b = run.log(received="2026-11-01 09:00", customer="乙公司")
    run("assign", b, "--dept", "QA", "--owner", "Li", "--at", "2026-11-01 10:00")
    run("investigate", b, "--cause", "c", "--containment", "hold stock", "--corrective",
        "retrain", "--at", "2026-11-02 10:00")
    first = tmp_path / "p1.csv"
    run("export", "complaints", "--reveal", "--output", first)
    # the same export as one made before the texts were in it
    rows = list(csv.reader(first.open(encoding="utf-8-sig")))
    keep = [i for i, h in enumerate(rows[0]) if not h.startswith(
        ("investigation.finding", "investigation.reason", "investigation.containment",
         "investigation.corrective", "investigation.preventive", "revisit.demand_met",
         "revisit.note"))]
    older = tmp_path / "older.csv"
    with older.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([[row[i] for i in keep] for row in rows])
    run("investigate", b, "--corrective", "fix the jig", "--at", "2026-11-03 10:00")
    run("resolve", b, "--disposition", "no-action", "--summary", "s", "--at",
        "2026-11-04 10:00")
    second = tmp_path / "p2.csv"
    run("export", "complaints", "--reveal", "--output", second)
    copy = tmp_path / "copy.db"
    run("--db", copy, "init", "--timezone", "Asia/Shanghai")
    r = run("--db", copy, "import", older, "--mapping", "complaintctl")
    assert "1 new complaint" in r.stderr, r.stderr
    r = run("--db", copy, "import", second, "--mapping", "complaintctl")
    assert "1 with new steps (1 step)" in r.stderr and "conflict" not in r.stderr, r.stderr
    # (the corrective action the conclusion had, 'retrain', was followed by another: the
    # export gives the latest, which the copy's step does not have)
    assert "Warning: 1 row of a complaint held says of its investigation or revisit what " \
        "the ledger's step does not" in r.stderr and "not brought in (row 2)" in r.stderr, \
        r.stderr
    assert run.json("--db", copy, "list")[0]["status"] == "resolved"
    # a text typed into the copy since, as the source's latest, is there: no more said
    d = run.log(received="2026-11-06 09:00", customer="丁公司")
    run("assign", d, "--dept", "QA", "--owner", "Li", "--at", "2026-11-06 10:00")
    run("investigate", d, "--finding", "f1", "--at", "2026-11-06 11:00")
    run("export", "complaints", "--reveal", "--output", second)
    run("--db", copy, "import", second, "--mapping", "complaintctl")
    run("investigate", d, "--corrective", "C3", "--at", "2026-11-06 12:00")
    run("export", "complaints", "--reveal", "--output", second)
    r = run("--db", copy, "import", second, "--mapping", "complaintctl")
    assert "not brought in (rows 2–3)" in r.stderr, r.stderr
    (held,) = [c["id"] for c in run.json("--db", copy, "list") if c["customer"] == "丁公司"]
    run("--db", copy, "investigate", held, "--corrective", "C3")
    r = run("--db", copy, "import", second, "--mapping", "complaintctl")
    assert "not brought in (row 2)" in r.stderr, r.stderr  # (乙公司's: still its own)
    # and an older export after a newer one: its missing texts are no conflict either
    other = tmp_path / "other.db"
    run("--db", other, "init", "--timezone", "Asia/Shanghai")
    run("--db", other, "import", first, "--mapping", "complaintctl")
    r = run("--db", other, "import", older, "--mapping", "complaintctl")
    assert "conflict" not in r.stderr and "1 already imported" in r.stderr, r.stderr
    # a not-upheld reason that a later finding overturned is no reason of the row
    c = run.log(received="2026-11-05 09:00", customer="丙公司")
    run("assign", c, "--dept", "QA", "--owner", "Li", "--at", "2026-11-05 10:00")
    run("investigate", c, "--not-upheld", "--reason", "customer misuse", "--at",
        "2026-11-05 11:00")
    run("resolve", c, "--disposition", "explanation", "--summary", "s", "--at",
        "2026-11-05 12:00")
    run("revisit", c, "--satisfaction", "unsatisfied", "--at", "2026-11-05 13:00")
    run("investigate", c, "--upheld", "--cause", "weld", "--at", "2026-11-05 14:00")
    third = tmp_path / "p3.csv"
    run("export", "complaints", "--reveal", "--output", third)
    (row,) = [r for r in csv.DictReader(third.open(encoding="utf-8-sig")) if r["id"] == c]
    assert (row["investigation.validity"], row["investigation.reason"]) == ("upheld", "")


def test_a_workbook_naming_a_zone_this_machine_does_not_know_is_refused(ledger, tmp_path):
    """Its times were read in the ledger's zone, each moved by the difference, without a
    word; a zone named otherwise that keeps the same clock (UTC, Etc/UTC) is no other."""
    import zipfile

    ledger.log(received="2026-10-01 09:00")
    out = tmp_path / "all.xlsx"
    ledger("export", "complaints", "--reveal", "--format", "xlsx", "--output", out)

    def with_zone(zone: str) -> Path:
        path = tmp_path / f"z{len(zone)}.xlsx"
        with zipfile.ZipFile(out) as src, zipfile.ZipFile(path, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "docProps/custom.xml":
                    data = data.replace(b"Asia/Shanghai", zone.encode())
                dst.writestr(item, data)
        return path

    other = tmp_path / "other.db"
    ledger("--db", other, "init", "--timezone", "Etc/UTC")

    before = dump(other)
    r = ledger("--db", other, "import", with_zone("Mars/Base"), "--mapping", "complaintctl",
               code=2)
    assert r.stderr.startswith("Error: the workbook says its times are in 'Mars/Base', a "
                               "time zone this machine does not know"), r.stderr
    assert dump(other) == before
    r = ledger("--db", other, "import", with_zone("UTC"), "--mapping", "complaintctl")
    assert "Warning: the workbook's times" not in r.stderr, r.stderr
    # a zone whose clock is another's on two days a year but not on others (Cairo's
    # summer begins on another day than Athens's): read in its own (it was taken for
    # the ledger's, 2026-04-10 10:00 an hour off, without a word)
    athens = tmp_path / "athens.db"
    ledger("--db", athens, "init", "--timezone", "Europe/Athens")
    ledger("--db", tmp_path / "cairo.db", "init", "--timezone", "Africa/Cairo")
    ledger("--db", tmp_path / "cairo.db", "log", "--no-input", "--customer", "C",
           "--description", "d", "--category", "quality", "--severity", "low", "--channel",
           "phone", "--received", "2026-04-10 10:00")
    cairo = tmp_path / "cairo.xlsx"
    ledger("--db", tmp_path / "cairo.db", "export", "complaints", "--reveal", "--format",
           "xlsx", "--output", cairo)
    r = ledger("--db", athens, "import", cairo, "--mapping", "complaintctl")
    assert "the workbook's times are in Africa/Cairo" in r.stderr, r.stderr
    conn = sqlite3.connect(athens)
    assert conn.execute("SELECT received_at FROM complaints").fetchall() == [
        ("2026-04-10T08:00:00Z",)]  # (Cairo's 10:00 that day; Athens's is 07:00Z)
    conn.close()


def test_a_time_the_clocks_skipped_is_refused_as_typed_ones_are(run, tmp_path):
    """An import read 2026-03-29 02:30 in Europe/Berlin (the clocks went from 02:00 to
    03:00) as 03:30 without a word, where log, amend, --at and --as-of refuse it; the
    repeated hour of October is read as its first time, a day alone as its midnight."""
    run("init", "--country", "DE", "--timezone", "Europe/Berlin")
    path = write_csv(tmp_path / "r.csv", [
        ["1", "2026-03-29 02:30", "A公司", "电话", "质量", "高", "x"],
        ["2", "2026-10-25 02:30", "B公司", "电话", "质量", "高", "x"],
        ["3", "2026-03-29", "C公司", "电话", "质量", "高", "x"]], encoding="utf-8",
        header=["编号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度", "投诉内容"])
    mapping = tmp_path / "m.toml"
    mapping.write_text('key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
                       'channel = "投诉渠道"\ncategory = "投诉类别"\nseverity = "严重程度"\n'
                       'description = "投诉内容"\n', encoding="utf-8")
    before = run.snapshot()
    r = run("import", path, "--mapping", mapping, code=2)
    assert r.stderr.startswith("row 2, column 投诉日期: 2026-03-29 02:30: the clocks of "
                               "Europe/Berlin went forward over that time\n"), r.stderr
    assert run.snapshot() == before
    run("import", path, "--mapping", mapping, "--skip-bad", "--rejects", tmp_path / "rej.csv")
    assert run.rows("SELECT customer, received_at FROM complaints ORDER BY customer") == [
        ("B公司", "2026-10-25T00:30:00Z"), ("C公司", "2026-03-28T23:00:00Z")]


def test_a_revisits_texts_are_compared_with_the_revisit_of_their_time(ledger, tmp_path):
    """An investigation's texts are compared with any of its entries (the export gives
    the latest of each); a revisit's demand met and note, with the revisit held at its
    time: each revisit is a step of its own (a later revisit's yes hid a changed no)."""
    run = ledger
    cid = run.log(received="2026-11-01 09:00")
    run("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-11-01 10:00")
    run("investigate", cid, "--cause", "c", "--at", "2026-11-02 10:00")
    run("resolve", cid, "--disposition", "repair", "--summary", "s", "--at", "2026-11-03 10:00")
    run("revisit", cid, "--satisfaction", "unsatisfied", "--demand-not-met", "--note",
        "still bad", "--at", "2026-11-05 10:00")
    out = tmp_path / "a.csv"
    run("export", "complaints", "--reveal", "--output", out)
    copy = tmp_path / "copy.db"
    run("--db", copy, "init", "--timezone", "Asia/Shanghai")
    run("--db", copy, "import", out, "--mapping", "complaintctl")
    (held,) = [c["id"] for c in run.json("--db", copy, "list")]
    run("--db", copy, "resolve", held, "--disposition", "repair", "--summary", "s2", "--at",
        "2026-11-06 10:00")
    run("--db", copy, "revisit", held, "--satisfaction", "satisfied", "--demand-met",
        "--note", "all good", "--at", "2026-11-07 10:00")
    text = out.read_text(encoding="utf-8-sig")
    edited = tmp_path / "edited.csv"
    edited.write_text(text.replace("still bad", "all good"), encoding="utf-8-sig")
    r = run("--db", copy, "import", edited, "--mapping", "complaintctl", "--dry-run")
    assert "not brought in (row 2)" in r.stderr, r.stderr


def _heading_book(path: Path, header: list[str], rows: list[list[str]], heading_at: int
                  ) -> Path:
    """A workbook of `rows` under `header`, with a section heading (2025年度) merged across
    the sheet's columns before row `heading_at` of them, as a register between its years
    has it."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    line = 1
    for i, row in enumerate(rows):
        if i == heading_at:
            sheet.merge_range(line, 0, line, len(header) - 1, "2025年度")
            line += 1
        sheet.write_row(line, 0, row)
        line += 1
    book.close()
    return path


def test_a_section_heading_merged_across_the_sheet_is_skipped(ledger, files):
    """2025年度 merged over the sheet between two years of rows was read into every
    column (a merged cell counted for each column it covered, not only for each row): one
    error a mapped column (not a channel, not a date …), and the file refused. The row
    is skipped, whichever column the heading starts in; a value merged across columns of
    a complaint's row is its first column's only (a description merged over 受理人 was
    taken as the name of who logged it)."""
    before = ledger.snapshot()
    path = _heading_book(files["dir"] / "heading.xlsx", HEADER, ROWS, heading_at=1)
    r = ledger("import", path, "--mapping", files["map"], "--dry-run")
    assert "2025年度" not in r.output and "row 3" not in r.output, r.output
    assert "Dry run, nothing written: 3 new complaints, 0 already imported" in r.stdout, \
        r.stdout
    assert ledger.snapshot() == before
    r = ledger("import", path, "--mapping", files["map"])
    assert "Import batch 1: 3 new complaints, 0 already imported" in r.stderr, r.stderr
    assert [x[:3] for x in complaints(ledger)] == [
        ("2025-001", "closed", "华东电器有限公司"), ("2025-002", "assigned", "宁波精工"),
        ("2025-003", "logged", "Acme")]
    # the heading over a column read as data (the date received first, not the key)
    order = [1, 0, *range(2, len(HEADER))]
    other = _heading_book(files["dir"] / "dated.xlsx", [HEADER[i] for i in order],
                          [[row[i] for i in order] for row in ROWS], heading_at=2)
    r = ledger("import", other, "--mapping", files["map"], "--dry-run")
    assert "2025年度" not in r.output and "row 4" not in r.output, r.output
    assert "0 new complaints, 3 already imported" in r.stdout, r.stdout
    # a description merged over the column beside it (受理人, empty under it): not the
    # name of who logged the complaint
    import xlsxwriter

    wide = files["dir"] / "wide.xlsx"
    book = xlsxwriter.Workbook(str(wide))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    row = [*ROWS[2]]
    row[0], row[9] = "2025-004", ""
    sheet.write_row(1, 0, row)
    sheet.merge_range(1, 8, 1, 9, "态度差")
    book.close()
    ledger("import", wide, "--mapping", files["map"])
    assert ledger.rows("SELECT description, logged_by FROM complaints WHERE source_key = "
                       "'2025-004'") == [("态度差", "tester")]


def test_a_section_heading_is_counted_in_the_summary(ledger, files):
    """A section heading skipped is said with the rows skipped, as a totals row is.
    (Needs Result.headings said in cli._import_counts.)"""
    path = _heading_book(files["dir"] / "heading.xlsx", HEADER, ROWS, heading_at=1)
    r = ledger("import", path, "--mapping", files["map"], "--dry-run")
    assert r.stdout.endswith("Dry run, nothing written: 3 new complaints, 0 already "
                             "imported, 1 section heading row (merged across the sheet) "
                             "skipped.\n"), r.stdout


# Keys as a register retypes them: letters in either case.
CASED = [[f"AB-{i}", *row[1:]] for i, row in enumerate(ROWS, start=1)]


def test_a_key_differing_only_in_letter_case_is_the_same_key(ledger, files):
    """A newer copy of the register where AB-1 was retyped ab-1 brought that complaint in
    a second time without a word (full width was read as half width, letter case was
    not aside). A key stored before as the register wrote it (in either case, full width)
    is found however the row writes it (as written first: an import before may have
    stored AB-1 and ab-1 as two)."""
    ledger("import", write_csv(files["dir"] / "a.csv", CASED), "--mapping", files["map"])
    held = ledger.rows("SELECT id, source_key FROM complaints ORDER BY id")
    assert [k for _id, k in held] == ["AB-1", "AB-2", "AB-3"]
    retyped = [[k, *row[1:]] for k, row in zip(("ab-1", "Ab-2", "ａｂ－３"), CASED,
                                                strict=True)]
    path = write_csv(files["dir"] / "b.csv", retyped, encoding="utf-8")
    r = ledger("import", path, "--mapping", files["map"], "--dry-run")
    assert "Dry run, nothing written: 0 new complaints, 3 already imported." in r.stdout, \
        r.stdout
    r = ledger("import", path, "--mapping", files["map"])
    assert "Import batch 2: 0 new complaints, 3 already imported." in r.stderr, r.stderr
    assert ledger.rows("SELECT id, source_key FROM complaints ORDER BY id") == held
    # a key an import before stored as typed (lower case, full width): the same complaint
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET source_key = 'ａｂ－１' WHERE source_key = 'AB-1'")
    conn.close()
    r = ledger("import", files["dir"] / "a.csv", "--mapping", files["map"], "--dry-run")
    assert "0 new complaints, 3 already imported." in r.stdout, r.stdout
    # a ledger an import before filled with AB-1 and ab-1 as two complaints: each row
    # is the complaint of its own key as written (ab-1's steps went to AB-1's), and the
    # file imports again (it was refused: ab-1 "in the file twice")
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET source_key = 'AB-1' WHERE source_key = 'ａｂ－１'")
        conn.execute("UPDATE complaints SET source_key = 'ab-1' WHERE source_key = 'AB-2'")
    conn.close()
    both = write_csv(files["dir"] / "both.csv", [["AB-1", *CASED[0][1:]],
                                                 ["ab-1", *CASED[1][1:]]])
    r = ledger("import", both, "--mapping", files["map"], "--dry-run")
    assert "0 new complaints, 2 already imported." in r.stdout, r.stdout
    assert ledger.json("show", "--ref", "ab-1")["id"] == held[1][0]
    assert [c["id"] for c in ledger.json("list", "--ref", "ab-1")] == [held[1][0]]
    assert [c["id"] for c in ledger.json("list", "--ref", "AB-1")] == [held[0][0]]


def test_show_and_list_ref_take_a_key_in_either_case(ledger, files):
    """show --ref ks2024-034 found nothing where ＫＳ２０２４－０３４ found KS2024-034.
    (Needs views.by_ref and views.list_stream to compare keys as mapping.key_fold reads
    them.)"""
    ledger("import", write_csv(files["dir"] / "a.csv", CASED), "--mapping", files["map"])
    for typed in ("ab-1", "Ab-1", "ａｂ－１", "AB-1"):
        assert ledger.json("show", "--ref", typed)["source_key"] == "AB-1", typed
        assert [c["source_key"] for c in ledger.json("list", "--ref", typed)] == ["AB-1"], \
            typed


def test_a_workbook_number_of_more_digits_than_excel_keeps_is_warned_of(ledger, files):
    """An 18-digit order number typed into Excel as a number is kept as its first 15
    digits and zeros: it came in as 123456789012346000, a number that never was, without
    a word (a CSV of it is warned of: scientific notation). Warned of by column and rows;
    a number the cell holds whole (16 digits an ERP wrote) is not."""
    import openpyxl  # (the tests' extra: a workbook as Excel writes one)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["投诉单号", "投诉日期", "客户名称", "订单号", "投诉内容", "投诉类别", "严重程度"])
    ws.append(["T1", "2025-03-05", "甲公司", 1.23456789012346e17, "划伤", "质量", "中"])
    ws.append(["T2", "2025-03-05", "乙公司", 123456789012345678, "划伤", "质量", "中"])
    ws.append(["T3", "2025-03-05", "丙公司", 1234567890123456, "划伤", "质量", "中"])
    path = files["dir"] / "long.xlsx"
    wb.save(path)
    mapping = files["dir"] / "long.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\n'
                       'customer = "客户名称"\norder_no = "订单号"\ndescription = "投诉内容"\n'
                       'category = "投诉类别"\nseverity = "严重程度"\n[defaults]\n'
                       'channel = "phone"\n', encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert ("Warning: column 订单号, rows 2–3: number cells of more digits than Excel keeps "
            "(such as 123456789012346000): their digits after the 15th were lost when they "
            "were typed as numbers, and are read as the zeros Excel shows; take the numbers "
            "from where they came from, or type them again in a column formatted as text\n"
            ) in r.stderr, r.stderr
    assert "row 4" not in r.stderr and "rows 2–4" not in r.stderr
    assert ledger.rows("SELECT source_key, order_no FROM complaints ORDER BY 1") == [
        ("T1", "123456789012346000"), ("T2", "123456789012346000"),
        ("T3", "1234567890123456")]


def test_numbers_excel_wrote_in_scientific_notation_are_warned_of(ledger, files):
    """A CSV saved by Excel holds 1.38001E+10 for a phone number and 2.02503E+17 for an
    order number: imported as that text without a word, the numbers lost. Warned of once
    a column (the contact, the order and lot numbers, the key), with its rows; the import
    goes on. Not in a column of text (a description may say 1.5E+3)."""
    header = [*HEADER, "订单号", "批号"]
    rows = [[*r, "", ""] for r in ROWS]
    rows[0][3], rows[0][20] = "1.39001E+10", "2.02503E+17"
    rows[1][20], rows[1][21] = "2.02503E+17", "3.5E+12"
    rows[2][0], rows[2][20], rows[2][8] = "2.02504E+11", "1.2e+13", "1.5E+3 次"
    rows[0][21] = "3E+2"  # (a lot so named: no number of 12 digits Excel shortened)
    path = write_csv(files["dir"] / "sci.csv", rows, header=header)
    mapping = files["dir"] / "sci.toml"
    mapping.write_text(MAPPING.replace("[columns]\n", '[columns]\norder_no = "订单号"\n'
                                       'lot = "批号"\n'), encoding="utf-8")

    def warned(n: int, column: str, rows: str, example: str) -> str:
        if n == 1:
            return (f"Warning: column {column}, row {rows}: a number Excel has shortened to "
                    f"scientific notation ({example}) when it saved the file; its "
                    "digits are lost, and it is read as it is written: take the numbers "
                    "from the original workbook, or format the column as text in Excel "
                    "before saving the file\n")
        return (f"Warning: column {column}, rows {rows}: numbers Excel has shortened to "
                f"scientific notation (such as {example}) when it saved the file; their "
                "digits are lost, and they are read as they are written: take the numbers "
                "from the original workbook, or format the column as text in Excel before "
                "saving the file\n")

    # (the column's own first value; a contact's masked: a made-up one was taken for it)
    said = warned(1, "投诉单号", "4", "2.02504E+11") + warned(1, "联系电话", "2", "*******E+10") \
        + warned(3, "订单号", "2–4", "2.02503E+17") + warned(1, "批号", "3", "3.5E+12")
    r = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert r.stderr.startswith(said), r.stderr
    r = ledger("import", path, "--mapping", mapping)
    assert r.stderr.startswith(said), r.stderr
    assert "1.39001E+10" not in r.stderr  # (the contact's own: not quoted)
    assert "Import batch 1: 3 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT source_key, order_no, lot FROM complaints ORDER BY 1") == [
        ("2.02504E+11", "1.2e+13", None), ("2025-001", "2.02503E+17", "3E+2"),
        ("2025-002", "2.02503E+17", "3.5E+12")]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_header_below_the_rows_looked_at_is_told_where_it_is_looked_for(ledger, tmp_path,
                                                                          kind):
    """A register with eleven lines of 填表说明 above its header: "has no header row" and
    no more, the clerk looking at a header on row 13; in Chinese it said 标题行, the
    register's title line, which the sheet plainly had."""
    import xlsxwriter

    lines = [["2024年客户投诉登记表"], *([f"填表说明第{i}条"] for i in range(1, 12)), HEADER,
             ROWS[0]]
    path = tmp_path / f"deep.{kind}"
    if kind == "csv":
        write_csv(path, lines[1:], header=lines[0])
    else:
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        for i, line in enumerate(lines):
            sheet.write_row(i, 0, line)
        book.close()
    r = ledger("import", path, "--template", code=2)
    assert r.stderr == (f"Error: {path} has no header row\nHint: the header row (the column "
                        "names) is looked for in the first 10 rows: delete the rows above "
                        "it, save, and try again\n"), r.stderr
    zh = ledger("--lang", "zh", "import", path, "--template", code=2)
    assert f"错误：{path} 没有表头行\n提示：表头行（各列的列名）只在前 10 行中查找" in zh.stderr, \
        zh.stderr
    # a file of one line, without a header: no rows below to look at, no hint
    one = tmp_path / "one.csv"
    one.write_text("a\n", encoding="utf-8")
    assert ledger("import", one, "--template", code=2).stderr == \
        f"Error: {one} has no header row\n"


def test_a_header_typed_over_two_lines_is_named_on_one(ledger, files):
    """投诉 Alt+Enter 日期 in a header cell, mapped as the template writes it (投诉\\n日期):
    each message naming the column broke in two (`row 2, column 投诉` / `日期: …`). Named
    with the break as a space; the column is matched as before."""
    import xlsxwriter

    header = [h.replace("投诉日期", "投诉\n日期").replace("投诉单号", "投诉\r\n单号")
              .replace("投诉渠道", "投诉 \n渠道") for h in HEADER]
    path = files["dir"] / "broken.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    rows = [list(r) for r in ROWS]
    rows[0][1] = "45721"  # a date cell saved as General: its number, as text
    rows[2][0] = rows[1][0]  # a key twice
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    book.close()
    text = ledger("import", path, "--template").stdout
    assert 'received_at = "投诉\\n日期"' in text and 'key = "投诉\\r\\n单号"' in text, text
    mapping = files["dir"] / "broken.toml"
    assert '\nconcluded_at = "resolved_at"\n' in text, text  # (the user added it)
    mapping.write_text(text, encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert r.stderr.startswith(
        "row 2, column 投诉 日期: '45721' is not a date (as an Excel date number it is "
        "2025-03-05: type the date into the cell, or give the cell a line under "
        "[values.received_at]: \"45721\" = \"2025-03-05\")\n"
        "row 4, column 投诉 单号: '2025-002' is in the file twice (also in row 3): delete this "
        "row if it is the same complaint, or give it a key of its own if it is another\n"
    ), r.stderr
    assert "\n  投诉 渠道: '来访' → visit ×1, '电话' → phone ×1, '邮件' → email ×1\n" in \
        r.stdout, r.stdout
    assert ledger.snapshot() == before
    r = ledger("import", path, "--mapping", mapping, "--skip-bad", "--rejects",
               files["dir"] / "rejects.csv")
    assert "1 new complaint" in r.stderr, r.stderr
    reasons = [line[1] for line in csv.reader(
        (files["dir"] / "rejects.csv").read_text(encoding="utf-8-sig").splitlines())][1:]
    assert reasons == ["row 2, column 投诉 日期: '45721' is not a date (as an Excel date "
                       "number it is 2025-03-05: type the date into the cell, or give the cell "
                       "a line under [values.received_at]: \"45721\" = \"2025-03-05\")",
                       "row 4, column 投诉 单号: '2025-002' is in the file twice (also in "
                       "row 3): delete this row if it is the same complaint, or give it a key "
                       "of its own if it is another"]


def test_a_row_whose_customer_is_a_number_or_whose_description_is_none_is_refused(
        ledger, files):
    """What `log` refuses, an import took: a caller's number as the customer (listed in
    clear, out of reach of masking and forget-contact) and a description 无 (a complaint
    filed without one). Each row is refused, the number masked, the others imported."""
    number = "13912345678"
    rows = [[ROWS[0][0], ROWS[0][1], number, *ROWS[0][3:]],
            [*ROWS[1][:8], "无", *ROWS[1][9:]], ROWS[2]]
    path = write_csv(files["dir"] / "reg.csv", rows)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", files["map"], code=2)
    assert number not in r.stdout + r.stderr, r.stderr
    assert f"row 2, column 客户名称: '{parse.mask(number)}' looks like a phone number or " \
        "e-mail address, not the name of a customer: map the register's column of numbers " \
        "to contact, and give who complained here (a caller who gave no name: how to tell " \
        "them apart, e.g. 匿名来电 3月4日 上午)" in r.stderr, r.stderr
    assert "row 3, column 投诉内容: '无' means none: a complaint needs what the customer " \
        "said, in their words" in r.stderr, r.stderr
    assert "2 rows refused; nothing was imported" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    r = ledger("import", path, "--mapping", files["map"], "--skip-bad", "--rejects",
               files["dir"] / "rejects.csv")
    assert "1 new complaint" in r.stderr, r.stderr
    assert ledger.rows("SELECT customer FROM complaints") == [("Acme",)]


def test_a_contact_column_mapped_to_a_word_field_is_masked_in_its_refusals(ledger, files):
    """A mapping that took the contact column for the channel listed every row's number
    in clear, one line each ("13911112222" is not a channel): it is masked, and the
    message says what the column looks like."""
    wrong = files["dir"] / "wrong.toml"
    wrong.write_text(MAPPING.replace('contact = "联系电话"\n', "").replace(
        'channel = "投诉渠道"', 'channel = "联系电话"'), encoding="utf-8")
    number = ROWS[0][3]
    before = ledger.snapshot()
    r = ledger("import", files["csv"], "--mapping", wrong, "--dry-run", code=2)
    assert number not in r.stderr + r.stdout, r.stderr
    assert f"'{parse.mask(number)}' is not a channel: it looks like a phone number or " \
        "e-mail address; is the column the contact?" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    # to a date or a count, or to a word with a "*" (its words listed as read): the same
    for field, extra in (("shipped", ""), ("quantity", ""),
                         ("channel", '\n[values.channel]\n"*" = "other"\n')):
        wrong.write_text(MAPPING.replace('contact = "联系电话"\n', "").replace(
            "[columns]\n", f'[columns]\n{field} = "联系电话"\n').replace(
            'channel = "投诉渠道"\n', "" if field == "channel" else 'channel = "投诉渠道"\n')
            + extra, encoding="utf-8")
        r = ledger("import", files["csv"], "--mapping", wrong, "--dry-run", code=None)
        assert number not in r.stderr + r.stdout, (field, r.stderr)
        assert parse.mask(number) in r.stderr + r.stdout, (field, r.stderr)
    assert ledger.snapshot() == before
    # however the message would show it: in full width, with a tab, cut when long; a
    # contact with words beside it; and in a currency column
    shapes = ["１３９１２３４５６７８", "139\t1234\t5678", "客户 " + "很" * 80 + " li@example.cn",
              "021-6123 4567转801"]
    rows = [ROWS[0][:3] + [shape] + ROWS[0][4:] for shape in shapes]
    rows = [[f"2025-0{i}"] + row[1:] for i, row in enumerate(rows, 1)]
    register = write_csv(files["dir"] / "shapes.csv", rows)
    for field in ("quantity", "shipped", "severity", "currency"):
        wrong.write_text(MAPPING.replace('contact = "联系电话"\n', "").replace(
            "[columns]\n", f'[columns]\n{field} = "联系电话"\namount = "处理说明"\n'
            if field == "currency" else f'[columns]\n{field} = "联系电话"\n').replace(
            'severity = "严重程度"\n', "" if field == "severity" else 'severity = "严重程度"\n'),
            encoding="utf-8")
        said = ledger("import", register, "--mapping", wrong, "--dry-run", code=None)
        said_all = said.stderr + said.stdout
        for leak in ("39123", "1234", "li@example", "6123"):
            assert leak not in said_all, (field, leak, said_all)
    assert ledger.snapshot() == before
    # a date is no contact: a date column mapped to the severity shows its dates
    wrong.write_text(MAPPING.replace('severity = "严重程度"', 'severity = "分派日期"'),
                     encoding="utf-8")
    r = ledger("import", files["csv"], "--mapping", wrong, "--dry-run", code=2)
    assert "looks like a phone number" not in r.stderr and "*" not in r.stderr, r.stderr


_SUMMARY_HEADER = ["投诉单号", "投诉日期", "客户名称", "投诉渠道", "问题类别", "严重程度",
                   "问题描述", "处理结果", "批示人", "结案说明"]
_SUMMARY_MAPPING = '''key = "投诉单号"
[columns]
received_at = "投诉日期"
customer = "客户名称"
channel = "投诉渠道"
category = "问题类别"
severity = "严重程度"
description = "问题描述"
summary = "处理结果"
approved_by = "批示人"
close_reason = "结案说明"
'''


def test_a_summary_approver_or_close_reason_no_step_takes_is_said(ledger, files):
    """处理结果, 批示人 and 结案说明 mapped in a register with no 处理方式 or 结案日期: the
    complaints came in and the three texts were in no event, without a word (as 回访日期
    without a satisfaction is said)."""
    rows = [["R-1", "2024/3/5", "庚公司", "电话", "质量", "高", "电机异响", "已更换电机，客户满意",
             "张总", "客户不需回访"],
            ["R-2", "2024/3/6", "辛公司", "电话", "质量", "低", "外壳划伤", "", "", ""]]
    path = write_csv(files["dir"] / "r.csv", rows, header=_SUMMARY_HEADER)
    mapping = files["dir"] / "r.toml"
    mapping.write_text(_SUMMARY_MAPPING, encoding="utf-8")
    said = ["Warning: 处理结果 given in 1 row but not used: no disposition column mapped (a "
            "resolution needs its disposition, 处理方式, and its date)",
            "Warning: 批示人 given in 1 row but not used: no disposition column mapped (a "
            "resolution needs its disposition, 处理方式, and its date)",
            "Warning: 结案说明 given in 1 row but not used: no closing date mapped (map the "
            "column of 结案日期 to closed_at, or say where it comes from under [dates])"]
    dry = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert all(line in dry.stderr.splitlines() for line in said), dry.stderr
    r = ledger("import", path, "--mapping", mapping)
    assert all(line in r.stderr.splitlines() for line in said), r.stderr
    assert "2 new complaints" in r.stderr
    assert ledger.rows("SELECT count(*) FROM resolutions") == [(0,)]
    zh = ledger("--lang", "zh", "import", path, "--mapping", mapping, "--dry-run").stderr
    assert "处理结果" in zh and "not used" not in zh and "disposition column" not in zh, zh


def test_a_closed_status_with_a_revisit_date_and_no_satisfaction_names_the_satisfaction(
        ledger, files):
    """结案 with 回访日期 filled and 回访结果 empty was told to map resolved_at, closed_at
    or revisited_at, columns mapped and filled already: what the row lacks is the
    revisit's satisfaction, and that is what it is told."""
    header = ["单号", "投诉日期", "客户名称", "投诉类别", "严重程度", "投诉渠道", "投诉内容",
              "责任部门", "责任人", "原因", "处理方式", "处理结果", "处理日期", "回访结果",
              "回访日期", "状态"]
    rows = [["S2", "2025-03-04", "乙公司", "质量", "高", "电话", "x", "质量部", "王芳", "来料",
             "换货", "已换", "2025-03-06", "", "2025-03-08", "结案"]]
    path = write_csv(files["dir"] / "s.csv", rows, header=header)
    mapping = files["dir"] / "s.toml"
    mapping.write_text(ledger("import", path, "--template").stdout, encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=1)
    assert "row 2, column 状态: closed after a revisit (回访日期 2025-03-08 00:00), but this " \
        "row's satisfaction (回访结果) is empty: fill it in, or give close_reason for a " \
        "complaint closed without a revisit" in r.stderr.splitlines(), r.stderr
    assert "map the columns of the missing steps" not in r.stderr
    assert ledger.snapshot() == before


def test_a_status_that_says_less_than_the_rows_dates_is_said(ledger, files):
    """处理中 on a row its dates close, 已处理 on one a [dates] line closes: both came in
    closed without a word (the other way, a status ahead of the dates, is said). Said,
    with the rows; a status that agrees is not."""
    header = ["单号", "投诉日期", "客户名称", "投诉类别", "严重程度", "投诉渠道", "投诉内容",
              "责任部门", "责任人", "原因", "处理方式", "处理结果", "处理日期", "回访结果",
              "回访日期", "状态"]
    common = ["质量", "高", "电话", "x", "质量部", "王芳", "来料", "换货", "已换", "2025-03-06"]
    rows = [["S4", "2025-03-04", "丁公司", *common, "满意", "2025-03-08", "处理中"],
            ["S5", "2025-03-04", "戊公司", *common, "", "", "已处理"],
            ["S6", "2025-03-04", "己公司", *common, "满意", "2025-03-08", "结案"]]
    path = write_csv(files["dir"] / "s.csv", rows, header=header)
    mapping = files["dir"] / "s.toml"
    template = ledger("import", path, "--template").stdout
    assert '[defaults]\n' in template and 'concluded_at = "resolved_at"\n' in template
    mapping.write_text(template.replace(
        "[defaults]\n", '[defaults]\nclose_reason = "登记表未记录"\n').replace(
        'concluded_at = "resolved_at"\n',
        'concluded_at = "resolved_at"\nclosed_at = "resolved_at"\n'), encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert ("Warning: 状态 says less than the rows' dates in 2 rows: the complaints come in "
            "where their dates (and [dates]) take them, past that status (rows 2, 3); if the "
            "status is right, a date is not") in r.stderr.splitlines(), r.stderr
    assert ledger.rows("SELECT source_key, status FROM complaints ORDER BY 1") == [
        ("S4", "closed"), ("S5", "closed"), ("S6", "closed")]


def test_a_phone_number_written_as_a_float_is_read_as_its_digits(ledger, files):
    """A contact column a script wrote as numbers (13812345678.0) was stored with its .0,
    without a word: a wrong number to call back, masked as *********78.0. Read as the
    digits (as a sheet's number cell is); a number with other marks stays as it is."""
    header = ["投诉单号", "投诉日期", "客户名称", "联系电话", "投诉渠道", "问题类别", "严重程度",
              "问题描述"]
    rows = [["P-1", "2024/3/5", "甲公司", "13812345678.0", "电话", "质量", "高", "异响"],
            ["P-2", "2024/3/6", "乙公司", "021-6123.0", "电话", "质量", "高", "划伤"]]
    path = write_csv(files["dir"] / "f.csv", rows, header=header)
    mapping = files["dir"] / "f.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\n'
                       'customer = "客户名称"\ncontact = "联系电话"\nchannel = "投诉渠道"\n'
                       'category = "问题类别"\nseverity = "严重程度"\ndescription = "问题描述"\n',
                       encoding="utf-8")
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT source_key, contact FROM complaints ORDER BY 1") == [
        ("P-1", "13812345678"), ("P-2", "021-6123.0")]


def _summary_steps(left_out: str, more: str) -> str:
    """_SUMMARY_MAPPING less the line `left_out`, with the columns of the steps up to a
    resolution and `more`, their dates from [dates]."""
    return _SUMMARY_MAPPING.replace(left_out, "") + (
        'department = "责任部门"\nowner = "责任人"\ncause = "原因分析"\ndisposition = "处理方式"\n'
        'resolved_at = "处理日期"\n' + more +
        '[dates]\nassigned_at = "received_at"\nconcluded_at = "resolved_at"\n')


def test_a_registers_approver_that_means_none_is_no_approver(ledger, files):
    """A register's 批示人 of 无 came in as the approver 无: a refund nobody approved
    read as approved in show and the exports. Read as no value, and said."""
    header = [*_SUMMARY_HEADER[:7], "责任部门", "责任人", "原因分析", "处理方式", "金额",
              "处理结果", "批示人", "处理日期"]
    rows = [["R-1", "2024/3/5", "庚公司", "电话", "质量", "高", "电机异响", "品质部", "王芳",
             "夹具", "退款", "500", "已退款", "无", "2024/3/8"],
            ["R-2", "2024/3/6", "辛公司", "电话", "质量", "高", "电机异响", "品质部", "王芳",
             "夹具", "退款", "300", "已退款", "张总", "2024/3/8"]]
    path = write_csv(files["dir"] / "a.csv", rows, header=header)
    mapping = files["dir"] / "a.toml"
    mapping.write_text(_summary_steps('close_reason = "结案说明"\n', 'amount = "金额"\n'),
                       encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "Warning: 批示人: '无' read as none (no value), in 1 row" in r.stderr.splitlines(), \
        r.stderr
    assert ledger.rows("SELECT c.source_key, r.amount, r.approved_by FROM resolutions r JOIN "
                       "complaints c ON c.id = r.complaint_id ORDER BY 1") == [
        ("R-1", 50000, None), ("R-2", 30000, "张总")]


def test_a_close_reason_of_a_complaint_its_revisit_closed_is_said(ledger, files):
    """A row closed by its revisit (满意) has no closing without one: its 结案说明 was
    dropped without a word."""
    header = [*_SUMMARY_HEADER[:7], "责任部门", "责任人", "原因分析", "处理方式", "处理结果",
              "处理日期", "回访情况", "回访日期", "结案说明"]
    rows = [["R-1", "2024/3/5", "庚公司", "电话", "质量", "高", "电机异响", "品质部", "王芳",
             "夹具", "换货", "已换货", "2024/3/8", "满意", "2024/3/9", "客户满意，结案"]]
    path = write_csv(files["dir"] / "v.csv", rows, header=header)
    mapping = files["dir"] / "v.toml"
    mapping.write_text(_summary_steps('approved_by = "批示人"\n', 'satisfaction = "回访情况"\n'
                                      'revisited_at = "回访日期"\n'), encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert ("Warning: 结案说明 given in 1 row but not used: its revisit closed the complaint (a "
            "reason is recorded for closing without a revisit; row 2)") in r.stderr.splitlines(), \
        r.stderr
    assert ledger.rows("SELECT status, close_reason FROM complaints") == [("closed", None)]


def test_a_refund_of_0_in_a_register_is_said(ledger, files):
    """索赔金额 ¥0 on a 赔偿 row came in as a compensation without an amount, without a
    word (the command refuses --amount 0). Said with its row; a 0 on a row that paid
    nothing (an explanation) is no money, and not said."""
    header = [*_SUMMARY_HEADER[:7], "责任部门", "责任人", "原因分析", "处理方式", "处理结果",
              "索赔金额", "处理日期"]
    head = ["2024/3/5", "甲公司", "电话", "质量", "高", "异响", "品质部", "王芳", "夹具"]
    rows = [["Z-1", *head, "赔偿", "已赔偿", "￥0", "2024/3/8"],
            ["Z-2", *head, "解释", "已解释", "0", "2024/3/8"],
            ["Z-3", *head, "赔偿", "已赔偿", "￥1,250.50", "2024/3/8"],
            ["Z-4", *head, "赔偿", "已赔偿", "/", "2024/3/8"],  # a placeholder: not a 0
            ["Z-5", *head, "赔偿", "已赔偿", "免费", "2024/3/8"]]  # read as 0 by the mapping
    path = write_csv(files["dir"] / "z.csv", rows, header=header)
    mapping = files["dir"] / "z.toml"
    mapping.write_text(
        _SUMMARY_MAPPING.replace('approved_by = "批示人"\nclose_reason = "结案说明"\n', "") + (
            'department = "责任部门"\nowner = "责任人"\ncause = "原因分析"\n'
            'disposition = "处理方式"\namount = "索赔金额"\nresolved_at = "处理日期"\n'
            '[dates]\nassigned_at = "received_at"\nconcluded_at = "resolved_at"\n'
            '[values.amount]\n"/" = ""\n"免费" = "0"\n'), encoding="utf-8")
    said = ("Warning: 索赔金额 is 0 in 2 rows of a refund, discount or compensation: imported "
            "without an amount (rows 2, 6; a resolution that paid nothing has another "
            "disposition)")
    dry = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert said in dry.stderr.splitlines(), dry.stderr
    r = ledger("import", path, "--mapping", mapping)
    assert said in r.stderr.splitlines() and "5 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT source_key, disposition, amount FROM complaints ORDER BY 1") == [
        ("Z-1", "compensation", None), ("Z-2", "explanation", None),
        ("Z-3", "compensation", 125050), ("Z-4", "compensation", None),
        ("Z-5", "compensation", None)]


def test_a_void_reason_on_a_row_that_is_not_void_is_said_so(ledger, files):
    """作废原因 on a row whose status is 处理中 was said "its void date or status (状态) is
    empty", though the status was there."""
    header = [*_SUMMARY_HEADER[:7], "状态", "作废原因"]
    rows = [["V-1", "2024/3/5", "甲公司", "电话", "质量", "高", "异响", "处理中", "录重了"],
            ["V-2", "2024/3/5", "乙公司", "电话", "质量", "高", "异响", "作废", "录重了"],
            ["V-3", "2024/3/5", "丙公司", "电话", "质量", "高", "异响", "处理中", "/"]]  # none
    path = write_csv(files["dir"] / "v.csv", rows, header=header)
    mapping = files["dir"] / "v.toml"
    mapping.write_text(_SUMMARY_MAPPING.split("summary =")[0] + 'status = "状态"\n'
                       'void_reason = "作废原因"\n[dates]\nvoided_at = "received_at"\n',
                       encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert ("Warning: 作废原因 given in 1 row but not used: the row is not void (row 2)"
            ) in r.stderr.splitlines(), r.stderr


def test_a_registers_word_for_none_in_a_product_or_contact_is_no_value(ledger, files):
    """A register's 无 in 产品型号 came in as the product 无, and the customer's next
    complaint "of the same product" was linked as its repeat; 无 as a contact was the
    contact. Read as no value, and said with how many rows held it."""
    header = ["投诉单号", "投诉日期", "客户名称", "联系电话", "投诉渠道", "问题类别", "严重程度",
              "产品型号", "问题描述"]
    rows = [["P-1", "2024/3/5", "甲公司", "无", "电话", "质量", "高", "无", "异响"],
            ["P-2", "2024/3/6", "甲公司", "/", "电话", "质量", "高", "無", "划伤"],
            ["P-3", "2024/3/7", "甲公司", "13912345678", "电话", "质量", "高", "XD-200", "异响"]]
    path = write_csv(files["dir"] / "p.csv", rows, header=header)
    mapping = files["dir"] / "p.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\n'
                       'customer = "客户名称"\ncontact = "联系电话"\nchannel = "投诉渠道"\n'
                       'category = "问题类别"\nseverity = "严重程度"\nproduct = "产品型号"\n'
                       'description = "问题描述"\n', encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    lines = r.stderr.splitlines()
    assert "Warning: 产品型号: '无' read as none (no value), in 1 row" in lines, r.stderr
    assert "Warning: 产品型号: '無' read as none (no value), in 1 row" in lines, r.stderr
    assert "Warning: 联系电话: '无' read as none (no value), in 1 row" in lines, r.stderr
    assert "Warning: 联系电话: '/' read as none (no value), in 1 row" in lines, r.stderr
    assert ledger.rows("SELECT source_key, product, contact IS NULL, repeat_of FROM complaints "
                       "ORDER BY 1") == [("P-1", None, 1, None), ("P-2", None, 1, None),
                                         ("P-3", "XD-200", 0, None)]
    # a ledger imported before, which holds the product 无 as read then: the same file
    # again is no conflict ("产品型号 was '无', the file now says —", on every re-import)
    con = sqlite3.connect(ledger.db)
    con.execute("DROP TRIGGER IF EXISTS complaints_no_update")
    con.execute("UPDATE complaints SET product = '无' WHERE source_key = 'P-1'")
    con.commit()
    con.close()
    again = ledger("import", path, "--mapping", mapping)
    assert "conflict" not in again.stderr and "3 already imported" in again.stderr, \
        again.stderr


def test_formulas_a_program_wrote_without_their_values_are_refused(ledger, files):
    """A workbook an ERP or a script wrote holds formulas nobody calculated (no cached
    value): calamine reads them as empty cells, and an amount of =M2*2 came in as no
    amount, exit 0, without a word. A column the mapping reads is refused until the file
    is opened and saved; one it does not read (a helper column) is no matter."""
    import zipfile

    import openpyxl

    path = files["dir"] / "erp.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2024年"
    sheet.append(SHEET_HEADER)
    for row in SHEETS["2024年"]:
        sheet.append(row)
    sheet["J1"] = "数量"  # (a column the mapping does not read)
    sheet["J2"] = 2
    sheet["J3"] = "=J2*2"
    sheet["G3"] = '="PS-"&"5"'  # 产品型号, read
    book.save(path)
    mapping = files["dir"] / "yearly.toml"
    mapping.write_text(SHEET_MAP.format(key='"编号"'), encoding="utf-8")
    before = ledger.snapshot()
    for dry in ((), ("--dry-run",)):
        r = ledger("import", path, "--mapping", mapping, *dry, code=2)
        assert ('column 产品型号: 1 formula cell holds no calculated value (G3 (="PS-"&"5")); '
                "it would be read as empty") in r.stderr, r.stderr
        assert "J3" not in r.stderr
        assert "Hint: a program wrote the file and nobody has opened it since: open it in " \
            "Excel or WPS and save it" in r.stderr
        assert ledger.snapshot() == before

    def calculated(xml: str) -> str:  # as Excel saves it: the formula with its value
        return re.sub(r'<c r="G3"><f>"PS-"&amp;"5"</f><v\s*/>',
                      '<c r="G3" t="str"><f>"PS-"&amp;"5"</f><v>PS-5</v>', xml)

    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    assert '<f>"PS-"&amp;"5"</f><v' in xml, xml
    members["xl/worksheets/sheet1.xml"] = calculated(xml).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    # the helper column's formula, uncalculated still, is no matter
    r = ledger("import", path, "--mapping", mapping)
    assert "2 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT product FROM complaints ORDER BY id") == [("XD-200",), ("PS-5",)]


def test_an_export_imported_into_a_fresh_ledger_keeps_its_ids(ledger, tmp_path, monkeypatch):
    """A ledger's export came into a fresh ledger numbered in the order received: a
    complaint entered late with an earlier date (a back-dated log) moved the ids, and
    CC-2026-0001 named another customer's complaint there, without a word. The ids are
    kept where they can be; where one cannot (another year, an id taken), it is said,
    with how to find a complaint by its old id."""
    run = ledger
    first = run.log(received="2026-11-01 10:00", customer="甲公司")
    late = run.log(received="2026-10-20 10:00", customer="乙公司")  # back-dated
    third = run.log(received="2026-11-10 10:00", customer="丙公司")
    assert (first, late, third) == ("CC-2026-0001", "CC-2026-0002", "CC-2026-0003")
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    db = tmp_path / "fresh.db"

    def ids() -> list[tuple]:  # (of the ledger in COMPLAINTCTL_DB)
        return read_rows(db, "SELECT id, source_key, customer FROM complaints ORDER BY id")

    def snapshot() -> list[str]:
        return dump(db)

    monkeypatch.setenv("COMPLAINTCTL_DB", str(db))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    dry = run("import", out, "--mapping", "complaintctl", "--dry-run")
    assert "another id" not in dry.stderr and "other ids" not in dry.stderr, dry.stderr
    r = run("import", out, "--mapping", "complaintctl")
    assert "3 new complaints" in r.stderr and "other ids" not in r.stderr, r.stderr
    assert ids() == [("CC-2026-0001", "CC-2026-0001", "甲公司"),
                             ("CC-2026-0002", "CC-2026-0002", "乙公司"),
                             ("CC-2026-0003", "CC-2026-0003", "丙公司")]
    assert run.json("show", "CC-2026-0001")["customer"] == "甲公司"
    assert run("verify").exit_code == 0
    assert run.log(received="2026-11-20 10:00", customer="丁公司") == "CC-2026-0004"
    # voided and imported again: the ids are taken (by the voided copies): said
    run("import", "--void-batch", "1", "--reason", "重导")
    r = run("import", out, "--mapping", "complaintctl")
    assert "Warning: 3 complaints came in under other ids than their keys (the first: " \
        "CC-2026-0002 is CC-2026-0005 here: another complaint has that id here): a " \
        "reference to an old id names another complaint here, or none; find one by its " \
        "old id, e.g. complaintctl show --ref CC-2026-0002 (or list --ref CC-2026-0002)\n" \
        in r.stderr, r.stderr
    assert run.json("show", "--ref", "CC-2026-0002")["id"] == "CC-2026-0005"
    assert run("verify").exit_code == 0
    # an id of another year cannot be kept (an id is numbered in the year its complaint is
    # entered): that one alone is given a new number, after those kept
    text = out.read_text(encoding="utf-8-sig").replace("CC-2026-0002", "CC-2025-0017")
    older = tmp_path / "older.csv"
    older.write_text(text, encoding="utf-8")
    db = tmp_path / "third.db"
    monkeypatch.setenv("COMPLAINTCTL_DB", str(db))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    before = snapshot()
    dry = run("import", older, "--mapping", "complaintctl", "--dry-run")
    assert "Warning: 1 complaint would come in under another id than its key " \
        "(CC-2025-0017 as CC-2026-0004: an id is numbered in the year its complaint is " \
        "entered here, 2026): a reference to its old id would name another complaint " \
        "here, or none\n" in dry.stderr, dry.stderr
    assert snapshot() == before
    r = run("import", older, "--mapping", "complaintctl")
    assert "Warning: 1 complaint came in under another id than its key (CC-2025-0017 is " \
        "CC-2026-0004 here: an id is numbered in the year its complaint is entered here, " \
        "2026): a reference to its old id names another complaint here, or none; find it " \
        "by its old id with complaintctl show --ref CC-2025-0017 (or list --ref " \
        "CC-2025-0017)\n" in r.stderr, r.stderr
    assert ids() == [("CC-2026-0001", "CC-2026-0001", "甲公司"),
                             ("CC-2026-0003", "CC-2026-0003", "丙公司"),
                             ("CC-2026-0004", "CC-2025-0017", "乙公司")]
    assert run("verify").exit_code == 0
    # a register numbered its own way is numbered as ever, without a word
    db = tmp_path / "fourth.db"
    monkeypatch.setenv("COMPLAINTCTL_DB", str(db))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    own = tmp_path / "own.csv"
    own.write_text(text.replace("CC-2026-0001", "A7").replace("CC-2025-0017", "A2")
                   .replace("CC-2026-0003", "A3"), encoding="utf-8")
    r = run("import", own, "--mapping", "complaintctl")
    assert "other id" not in r.stderr and "another id" not in r.stderr, r.stderr
    assert ids() == [("CC-2026-0001", "A2", "乙公司"), ("CC-2026-0002", "A7", "甲公司"),
                             ("CC-2026-0003", "A3", "丙公司")]


def test_a_default_cause_on_open_rows_and_no_cause_column_say_what_to_map(ledger, tmp_path):
    """A register with 处理方式, 处理说明 and 处理日期 but no cause column, some rows still
    open. A [defaults] cause made an investigation on every row, and the open one was
    refused for its empty 处理日期, which the sheet never needed, without a word of the
    default; without the default every resolved row was refused, and neither message
    said what works: the cause taken from the summary's column."""
    path = tmp_path / "r.csv"
    path.write_text(
        "编号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容,责任部门,责任人,处理方式,"
        "处理说明,处理日期\n"
        "A1,2024-01-08 09:30,华东电器,电话,质量,高,异响,品质部,王芳,换货,已换新机,2024-01-10\n"
        "A2,2024-01-09 10:00,佳达科技,电话,质量,中,不亮,品质部,王芳,,,\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    columns = ('key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
               'channel = "投诉渠道"\ncategory = "投诉类别"\nseverity = "严重程度"\n'
               'description = "投诉内容"\ndepartment = "责任部门"\nowner = "责任人"\n'
               'disposition = "处理方式"\nsummary = "处理说明"\nresolved_at = "处理日期"\n')
    dates = '[dates]\nassigned_at = "received_at"\nconcluded_at = "resolved_at"\n'
    before = ledger.snapshot()
    mapping.write_text(columns + '[defaults]\ncause = "见处理说明"\n' + dates, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert r.stderr.startswith(
        "row 3, column 处理日期: empty, and the investigate step needs its date: this row "
        "has no investigation of its own, [defaults] cause gives one to every row, the open "
        "ones too; map cause to a column instead, so that only the rows with a cause are "
        "investigated (a register that says the cause in its summary: cause = \"处理说明\" "
        "under [columns])\n"), r.stderr
    assert ledger.snapshot() == before
    mapping.write_text(columns + dates, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, code=1)
    assert r.stderr.startswith(
        "row 2: resolve: the row's resolve step has no investigation before it, and the "
        "mapping has no column for cause: a register that says the cause in its summary "
        "takes it from there (cause = \"处理说明\" under [columns])\n"), r.stderr
    assert ledger.snapshot() == before
    # (and where the investigation's date comes from, when the mapping does not say)
    mapping.write_text(columns + '[dates]\nassigned_at = "received_at"\n', encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, code=1)
    assert "takes it from there (cause = \"处理说明\" under [columns]) and concluded_at = " \
        "\"resolved_at\" under [dates]\n" in r.stderr, r.stderr
    zh = ledger("--lang", "zh", "import", path, "--mapping", mapping, code=1)
    assert "cause = \"处理说明\"" in zh.stderr and "the row" not in zh.stderr, zh.stderr
    # what it said works: the open row comes in assigned, the other resolved
    mapping.write_text(columns + 'cause = "处理说明"\n' + dates, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "2 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT source_key, status, root_cause FROM complaints ORDER BY "
                       "source_key") == [("A1", "resolved", "已换新机"), ("A2", "assigned", None)]


def _register_and_mapping(tmp_path: Path, rows: str, extra: str = "") -> tuple[Path, Path]:
    """A register of 编号 … 赔偿金额, 处理方式, 处理说明 (also the cause), 处理日期 in UTF-8,
    and its mapping (with `extra` after it)."""
    path = tmp_path / "r.csv"
    path.write_text("编号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容,赔偿金额,处理方式,"
                    "处理说明,处理日期,责任部门,责任人\n" + rows, encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
        'channel = "投诉渠道"\ncategory = "投诉类别"\nseverity = "严重程度"\n'
        'description = "投诉内容"\namount = "赔偿金额"\ndisposition = "处理方式"\n'
        'summary = "处理说明"\ncause = "处理说明"\nresolved_at = "处理日期"\n'
        'department = "责任部门"\nowner = "责任人"\n[dates]\nassigned_at = "received_at"\n'
        'concluded_at = "resolved_at"\n' + extra, encoding="utf-8")
    return path, mapping


def test_an_amount_or_an_excel_date_number_refused_says_what_to_write(ledger, tmp_path):
    """'12,50', '1.250' and '$100' were refused without a word of what to write instead
    (every other refusal of the import gives one), and the $ read badly in Chinese; the
    Excel date number's advice (format the column as a date) does nothing to a cell of
    text, which a CSV's is. Each says what to type, and the [values] line that maps the
    cell; that line works."""
    rows = ("A1,2024-01-08 09:30,华东电器,电话,质量,高,异响,\"12,50\",退款,退款,2024-01-09 10:00,"
            "品质部,王芳\n"
            "A2,2024-01-08 09:30,佳达科技,电话,质量,高,异响,1.250,退款,退款,2024-01-09 10:00,"
            "品质部,王芳\n"
            "A3,2024-01-08 09:30,恒通,电话,质量,高,异响,$100,退款,退款,2024-01-09 10:00,品质部,"
            "王芳\n"
            "A4,45300,恒通,电话,质量,高,异响,,,,,,\n"
            "A5,2024-01-08 09:30,恒通,电话,质量,高,异响,\"1,2,3\",退款,退款,2024-01-09 10:00,"
            "品质部,王芳\n")
    path, mapping = _register_and_mapping(tmp_path, rows + (
        "A6,2024-01-08 09:30,恒通,电话,质量,高,异响,12.505,退款,退款,2024-01-09 10:00,品质部,"
        "王芳\n"))
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert r.stderr.splitlines()[:5] == [
        "row 2, column 赔偿金额: '12,50' is not an amount: write it with a point before at "
        "most two decimals, and commas only between thousands (e.g. 12.50), or give the cell "
        "a line under [values.amount] (\"12,50\" = \"12.50\")",
        "row 3, column 赔偿金额: '1.250' could be read two ways: as 1.25 or as 1250: write "
        "1250 or 1.25 in the cell, or give it a line under [values.amount] (\"1.250\" = "
        "\"1250\")",
        "row 4, column 赔偿金额: '$100': a $ alone may be any dollar; the ledger keeps its "
        "amounts in CNY: write an amount in CNY without the $ (100), one in another currency "
        "converted to CNY; or give the cell a line under [values.amount] (\"$100\" = \"100\")",
        "row 5, column 投诉日期: '45300' is not a date (as an Excel date number it is "
        "2024-01-09: type the date into the cell, or give the cell a line under "
        "[values.received_at]: \"45300\" = \"2024-01-09\")",
        "row 6, column 赔偿金额: '1,2,3' is not an amount: write it with a point before at "
        "most two decimals, and commas only between thousands (e.g. 1250.50), or give the "
        "cell a line under [values.amount] (\"1,2,3\" = \"…\")"], r.stderr
    # (not the value refused as the other reading: 12.505 has three decimals)
    assert "row 7, column 赔偿金额: '12.505' could be read two ways: as 12.505 or as 12505: " \
        "write 12505, or the amount rounded to two decimals, in the cell, or give it a line " \
        "under [values.amount] (\"12.505\" = \"12505\")" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    zh = ledger("--lang", "zh", "import", path, "--mapping", mapping, "--dry-run", code=2)
    assert "第 4 行“赔偿金额”列：“$100”：单独的 $ 无法确定是哪种货币（美元、港元、新台币……）；" \
        "台账金额以 CNY 记" in zh.stderr, zh.stderr
    assert "任何一种元" not in zh.stderr and "write" not in zh.stderr, zh.stderr
    # the lines it offered take the cells
    path, mapping = _register_and_mapping(
        tmp_path, rows.replace("1,2,3", "1,250"),
        '[values.amount]\n"12,50" = "12.50"\n"1.250" = "1250"\n"$100" = "100"\n'
        '[values.received_at]\n"45300" = "2024-01-09"\n')
    r = ledger("import", path, "--mapping", mapping)
    assert "5 new complaints" in r.stderr, r.stderr
    assert ledger.rows("SELECT source_key, amount, received_at FROM complaints ORDER BY "
                       "source_key") == [
        ("A1", 1250, "2024-01-08T01:30:00Z"), ("A2", 125000, "2024-01-08T01:30:00Z"),
        ("A3", 10000, "2024-01-08T01:30:00Z"), ("A4", None, "2024-01-08T16:00:00Z"),
        ("A5", 125000, "2024-01-08T01:30:00Z")]


def test_a_corrected_rejects_file_leaves_its_row_and_reason_columns_behind(ledger, tmp_path,
                                                                             monkeypatch):
    """The rejects file, corrected and imported (as the README says), carried its row
    and reason columns into the next rejects file: row,reason,row,reason, and the reason
    of the round before beside the new one, one more pair each round."""
    monkeypatch.chdir(tmp_path)
    register = tmp_path / "r.csv"
    register.write_text("编号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容\n"
                        "A1,2024-01-08 09:30,华东电器,电话,质量,紧急!,异响\n"
                        "A2,2099-01-09 10:00,佳达科技,电话,质量,中,不亮\n"
                        "A3,2024-01-10 10:00,恒通商贸,电话,质量,中,破损\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"'
                       '\nchannel = "投诉渠道"\ncategory = "投诉类别"\nseverity = "严重程度"\n'
                       'description = "投诉内容"\n', encoding="utf-8")
    ledger("import", register, "--mapping", mapping, "--skip-bad", "--rejects", "rej1.csv")
    fixed = tmp_path / "rej1-fixed.csv"
    fixed.write_text((tmp_path / "rej1.csv").read_text(encoding="utf-8-sig")
                     .replace(",紧急!,异响", ",紧急,异响"), encoding="utf-8-sig")
    r = ledger("import", fixed, "--mapping", mapping, "--skip-bad", "--rejects", "rej2.csv")
    assert "1 new complaint" in r.stderr and "1 refused" in r.stderr, r.stderr
    assert (tmp_path / "rej2.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "row,reason,编号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容",
        '3,"row 3, column 投诉日期: 2099-01-09 10:00 is in the future: correct the date in '
        'the cell (a year or month typed wrong?)",A2,2099-01-09 10:00,'
        "佳达科技,电话,质量,中,不亮"]
    assert ledger.rows("SELECT source_key, severity FROM complaints ORDER BY source_key") == [
        ("A1", "critical"), ("A3", "medium")]
    # one written in Chinese, imported in English (and one of an earlier version, with
    # its pairs repeated): the same
    zh = tmp_path / "rej-zh.csv"
    zh.write_text("行,拒绝原因,row,reason,编号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容\n"
                  "3,将来,3,future,A2,2099-01-09 10:00,佳达科技,电话,质量,中,不亮\n",
                  encoding="utf-8-sig")
    before = ledger.snapshot()
    r = ledger("import", zh, "--mapping", mapping, "--skip-bad", "--rejects", "rej3.csv",
               code=1)
    assert (tmp_path / "rej3.csv").read_text(encoding="utf-8-sig").splitlines()[0] == \
        "row,reason,编号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容"
    assert "将来" not in (tmp_path / "rej3.csv").read_text(encoding="utf-8-sig")
    assert ledger.snapshot() == before
    # a register of its own headed Row, Reason, whose Reason the mapping reads: its columns
    # (they were taken for a rejects file's: "column Reason is not in the file")
    own = tmp_path / "own.csv"
    own.write_text("Row,Reason,No,Date,Customer\n1,motor noise,B1,2024-01-08 09:30,甲\n",
                   encoding="utf-8")
    by = tmp_path / "own.toml"
    by.write_text('key = "No"\n[columns]\nreceived_at = "Date"\ncustomer = "Customer"\n'
                  'description = "Reason"\n[defaults]\nchannel = "phone"\n'
                  'category = "quality"\nseverity = "low"\n', encoding="utf-8")
    ledger("import", own, "--mapping", by)
    assert ledger.rows("SELECT description FROM complaints WHERE source_key = 'B1'") == [
        ("motor noise",)]


def test_a_formula_without_its_value_in_a_totals_row_is_no_matter(ledger, tmp_path):
    """A totals row (合计) whose =SUM nobody calculated refused the whole import, though
    the import skips that row (with its value it was skipped as a totals row)."""
    import openpyxl

    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度", "投诉内容",
                  "数量"])
    sheet.append(["A1", "2024-01-08 09:30", "华东电器", "电话", "质量", "高", "异响", 3])
    sheet.append(["A2", "2024-01-09 10:00", "佳达科技", "电话", "质量", "中", "不亮", 2])
    sheet.append(["合计", None, None, None, None, None, None, "=SUM(H2:H3)"])
    book.save(path)
    mapping = tmp_path / "m.toml"
    mapping.write_text(ledger("import", path, "--template").stdout, encoding="utf-8")
    assert 'quantity = "数量"' in mapping.read_text(encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "2 new complaints, 0 already imported, 1 totals row (合计) skipped" in r.stderr, \
        r.stderr
    assert ledger.rows("SELECT source_key, quantity FROM complaints ORDER BY source_key") == [
        ("A1", 3), ("A2", 2)]
    # one in a complaint's row is refused still, named alone
    sheet.append(["A3", "2024-01-10 10:00", "恒通商贸", "电话", "质量", "中", "破损", "=H2*2"])
    book.save(path)
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, code=2)
    assert "Error: column 数量: 1 formula cell holds no calculated value (H5 (=H2*2)); it " \
        "would be read as empty\n" in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_any_other_text_of_a_text_field_takes_its_star_line(ledger, tmp_path):
    """[values.cause] "*" = "登记表未记录原因" was passed over unsaid: the cause column (the
    summary's, here) came in as the root cause. A text field's "*" line is any text not
    listed; its own lines first, an empty cell stays empty."""
    rows = ("A1,2024-01-08 09:30,华东电器,电话,质量,高,异响,,换货,已换新,2024-01-09 10:00,"
            "品质部,王芳\n"
            "A2,2024-01-08 10:30,佳达科技,电话,质量,高,异响,,退款,轴承不良,2024-01-09 10:00,"
            "品质部,王芳\n")
    path, mapping = _register_and_mapping(
        tmp_path, rows, '[values.cause]\n"轴承不良" = "轴承批次不良"\n"*" = "登记表未记录原因"\n')
    ledger("import", path, "--mapping", mapping)
    assert ledger.rows("SELECT source_key, root_cause, resolution_summary FROM complaints "
                       "ORDER BY source_key") == [
        ("A1", "登记表未记录原因", "已换新"), ("A2", "轴承批次不良", "轴承不良")]


def test_a_register_s_name_is_kept_without_its_control_characters_and_hinted_quoted(
        ledger, tmp_path):
    """A register named with an escape sequence (reg<ESC>[2J….csv) was kept so in the
    history: show and import --batches cleared the reader's screen, for good. Its name
    is kept as an attachment's is, its control characters '?'. And the hint to start a
    mapping printed the name as it was: `reg $(touch x);.csv` became a command that ran
    it."""
    plain = tmp_path / "plain.csv"
    plain.write_text("编号,客户名称,投诉内容,投诉日期,严重程度,投诉渠道,投诉类别\n"
                     "A1,华东,异响,2026-11-01,高,电话,质量\n", encoding="utf-8")
    template = ledger("import", plain, "--template").stdout
    (tmp_path / "m.toml").write_text(template, encoding="utf-8")
    named = tmp_path / "reg\x1b[2J\x1b]0;owned\x07.csv"
    named.write_bytes(plain.read_bytes())
    ledger("import", named, "--mapping", tmp_path / "m.toml")
    stored = ledger.rows("SELECT file FROM import_batches") + ledger.rows(
        "SELECT data FROM events WHERE kind IN ('import', 'log')")
    assert stored and all("\x1b" not in text and "\x07" not in text for (text,) in stored)
    assert ledger.rows("SELECT file FROM import_batches") == [("reg?[2J?]0;owned?.csv",)]
    for args in (("import", "--batches"), ("show", "--ref", "A1")):
        out = ledger(*args).stdout
        assert "\x1b" not in out and "reg?[2J" in out, (args, out)
    assert ledger("verify").stdout.startswith("OK")
    r = ledger("import", "reg $(touch PWNED);x.csv", code=2)
    assert "Hint: start one with: complaintctl import 'reg $(touch PWNED);x.csv' --template " \
        "> map.toml" in r.stderr, r.stderr
    r = ledger("import", "登记表.csv", code=2)
    assert "complaintctl import 登记表.csv --template" in r.stderr  # (as typed, unquoted)


def test_a_default_rejects_name_from_a_file_name_with_a_line_break(ledger, tmp_path,
                                                                   monkeypatch):
    """`import $'bad\\nname.csv' --skip-bad` was refused as "--rejects 'bad\\nname.rejects.csv'
    contains a control character", an option nobody typed: the default is made without
    it."""
    monkeypatch.chdir(tmp_path)
    named = tmp_path / "bad\nname.csv"
    named.write_text("编号,客户名称,投诉内容,投诉日期,严重程度,投诉渠道,投诉类别\n"
                     "B1,华东,异响,2099-13-45,高,电话,质量\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    # (the template's first line, a comment, named the file: its line break began a line
    # of TOML, and the tool's own template was refused)
    template = ledger("import", named, "--template").stdout
    assert template.startswith("# complaintctl import mapping for bad?name.csv ("), template
    mapping.write_text(template, encoding="utf-8")
    r = ledger("import", named, "--mapping", mapping, "--skip-bad", code=2)
    assert "written with its reason to bad_name.rejects.csv" in r.stderr, r.stderr
    assert (tmp_path / "bad_name.rejects.csv").exists()


def test_a_number_cell_of_three_decimals_is_said_to_be_rounded_not_read_two_ways(
        ledger, tmp_path):
    """A number cell 2.675 (shown ¥2.68) was told it could be read as 2675, the thousands
    written with a point, which a number cell cannot hold: the mapping line offered stored
    ¥2,675.00. It is told to round, as 1234.565 was; 1.25 in a number cell comes in."""
    import xlsxwriter

    _text, mapping = _register_and_mapping(tmp_path, "")
    path = tmp_path / "amounts.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    money = book.add_format({"num_format": "¥#,##0.00"})
    sheet.write_row(0, 0, ["编号", "投诉日期", "客户名称", "投诉渠道", "投诉类别", "严重程度",
                           "投诉内容", "赔偿金额", "处理方式", "处理说明", "处理日期", "责任部门",
                           "责任人"])
    for row, amount in enumerate((2.675, 1234.565, 1.25), 1):
        sheet.write_row(row, 0, [f"A{row}", "2024-01-08 09:30", "恒通", "电话", "质量", "高",
                                 "异响"])
        sheet.write_number(row, 7, amount, money)
        sheet.write_row(row, 8, ["退款", "退款", "2024-01-09 10:00", "品质部", "王芳"])
    book.close()
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    for row, amount in ((2, "2.675"), (3, "1234.565")):
        assert f"row {row}, column 赔偿金额: '{amount}' has more than two decimals: a sheet " \
            "may show the cell rounded while it holds this" in r.stderr, r.stderr
    assert "read two ways" not in r.stderr and "row 4" not in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_the_template_maps_a_void_columns_day_and_reason(ledger, tmp_path):
    """--template left 作废日期 unmapped (listed among the columns it could not guess):
    every 作废 row was then refused for want of its day."""
    path = tmp_path / "reg.csv"
    path.write_text("投诉单号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容,状态,作废日期,作废原因\n"
                    "A-1,2025-01-02,华东,电话,质量,中,坏,作废,2025-01-03,重复录入\n",
                    encoding="utf-8")
    template = ledger("import", path, "--template").stdout
    assert 'voided_at = "作废日期"' in template and 'void_reason = "作废原因"' in template
    mapping = tmp_path / "m.toml"
    mapping.write_text(template, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "1 new complaint" in r.stderr, r.stderr
    assert ledger.rows("SELECT status, void_reason FROM complaints") == [("void", "重复录入")]


def test_a_name_given_twice_in_a_mapping_is_said_as_such(ledger, tmp_path):
    """A template's line appended again (assigned_at = "received_at", which the template
    has) was said as the parser's English, "not TOML … (Cannot overwrite a value)", with
    a hint on how a line is written."""
    path = tmp_path / "reg.csv"
    path.write_text("投诉单号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容,责任部门,责任人\n"
                    "A-1,2025-01-02,华东,电话,质量,中,坏,质量部,王芳\n", encoding="utf-8")
    template = ledger("import", path, "--template").stdout
    first = template.splitlines().index('assigned_at = "received_at"') + 1
    mapping = tmp_path / "m.toml"
    mapping.write_text(template + 'assigned_at = "received_at"\n', encoding="utf-8")
    last = len(template.splitlines()) + 1
    before = ledger.snapshot()
    r = ledger("--lang", "zh", "import", path, "--mapping", mapping, "--dry-run", code=2)
    assert r.stderr == (f"错误：映射 {mapping}：assigned_at 写了两次（第 {first} 行和第 "
                        f"{last} 行）\n提示：请只保留其中一行\n"), r.stderr
    assert ledger.snapshot() == before


def test_a_day_from_another_field_under_defaults_is_sent_to_dates(ledger, tmp_path):
    """assigned_at = "received_at" written under [defaults] (the template's last table)
    was read as a date and refused on every row, with a hint about words for none."""
    path = tmp_path / "reg.csv"
    path.write_text("投诉单号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容\n"
                    "A-1,2025-01-02,华东,电话,质量,中,坏\n", encoding="utf-8")
    text = ledger("import", path, "--template").stdout
    assert "[defaults]" in text and "[dates]" in text
    mapping = tmp_path / "m.toml"
    mapping.write_text(text.replace("[defaults]", '[defaults]\nassigned_at = "received_at"', 1),
                       encoding="utf-8")
    before = ledger.snapshot()
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert r.stderr == ("Error: [defaults] assigned_at = \"received_at\" names a field: a day "
                        "taken from another field goes under [dates]\nHint: move the line "
                        "under [dates]: assigned_at = \"received_at\"\n"), r.stderr
    assert ledger.snapshot() == before


def test_a_dates_line_may_name_a_field_that_takes_its_own_time_from_dates(ledger, files):
    """concluded_at = "resolved_at" where resolved_at itself comes from [dates]
    (resolved_at = "revisited_at": a register with only 回访日期): the chain was not
    followed, the row was refused ("the investigate step has no date … say where it
    comes from under [dates]", the line that was there). Followed; a cell it cannot read
    said once, for the cell."""
    mapping = files["dir"] / "chain.toml"
    mapping.write_text(MAPPING.replace('resolved = "处理日期"\n', "").replace(
        "[dates]\n", '[dates]\nresolved_at = "revisited_at"\n'), encoding="utf-8")
    rows = [list(ROWS[0]), list(ROWS[0])]
    rows[1][0], rows[1][19] = "2025-009", "2025-13-07"
    path = write_csv(files["dir"] / "chain.csv", rows)
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert "row 3, column 回访日期: '2025-13-07' is not a date" in r.stderr, r.stderr
    assert "no date" not in r.stderr and "row 2" not in r.stderr, r.stderr
    r = ledger("import", path, "--mapping", mapping, "--skip-bad", "--rejects",
               files["dir"] / "rejects.csv")
    assert "1 new complaint" in r.stderr and "1 refused" in r.stderr, r.stderr
    assert ledger.rows("SELECT source_key, concluded_at, resolved_at FROM complaints") == [
        ("2025-001", "2025-03-06T16:00:00Z", "2025-03-06T16:00:00Z")]


def _one_row_register(tmp_path: Path, key: str) -> tuple[Path, Path]:
    """A register of one complaint under the register id `key`, and its mapping."""
    register = tmp_path / "k.csv"
    register.write_text("投诉单号,投诉日期,客户名称,投诉内容,投诉类别,严重程度\n"
                        f"{key},2026-10-05 09:30,丙公司,外观划伤,质量,中\n", encoding="utf-8")
    mapping = tmp_path / "k.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\n'
                       'customer = "客户名称"\ndescription = "投诉内容"\ncategory = "投诉类别"\n'
                       'severity = "严重程度"\n[defaults]\nchannel = "phone"\n', encoding="utf-8")
    return register, mapping


def test_a_ledger_moved_by_its_export_keeps_the_register_ids_of_what_it_imported(
        ledger, tmp_path, monkeypatch):
    """Moved by export and `--mapping complaintctl`, a complaint imported from a register
    (register id T9) came in keyed by its id: `show --ref T9` found nothing, and the
    department's register imported again brought every complaint in twice, without a
    word. Its register id is kept (the export's source_key), its id too; a complaint
    typed in is keyed by its id, as before."""
    run = ledger
    register, mapping = _one_row_register(tmp_path, "T9")
    run("import", register, "--mapping", mapping)
    typed = run.log(received="2026-11-01 10:00", customer="甲公司")
    assert typed == "CC-2026-0002"
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    db = tmp_path / "moved.db"
    monkeypatch.setenv("COMPLAINTCTL_DB", str(db))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    r = run("import", out, "--mapping", "complaintctl")
    assert "2 new complaints" in r.stderr and "other ids" not in r.stderr, r.stderr
    assert read_rows(db, "SELECT id, source_key, customer FROM complaints ORDER BY id") == [
        ("CC-2026-0001", "T9", "丙公司"), ("CC-2026-0002", "CC-2026-0002", "甲公司")]
    assert run.json("show", "--ref", "T9")["id"] == "CC-2026-0001"
    r = run("import", register, "--mapping", mapping)  # the register again: matched
    assert "0 new complaints, 1 already imported" in r.stderr, r.stderr
    r = run("import", out, "--mapping", "complaintctl")  # the export again: matched
    assert "0 new complaints, 2 already imported" in r.stderr, r.stderr
    assert read_rows(db, "SELECT count(*) FROM complaints") == [(2,)]
    assert run("verify").exit_code == 0


def test_a_step_column_not_used_is_said_of_the_rows_imported_only(ledger, tmp_path):
    """状态 "given in 3 rows but not used … (rows 2, 3, 4)" beside "row 4: 'S2' is in the
    file twice": a refused row, which comes in not at all, was counted and listed; the
    Chinese listed its rows with an English comma (第 2, 3, 4 行) and the column bare."""
    path = tmp_path / "st.csv"
    path.write_text("投诉单号,投诉日期,客户名称,投诉内容,投诉类别,严重程度,状态\n"
                    "S1,2025-03-05,甲,划伤,质量,中,处理中\nS2,2025-03-06,乙,划伤,质量,中,处理中\n"
                    "S2,2025-03-06,乙,划伤,质量,中,处理中\n", encoding="utf-8")
    mapping = tmp_path / "st.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\n'
                       'customer = "客户名称"\ndescription = "投诉内容"\ncategory = "投诉类别"\n'
                       'severity = "严重程度"\nstatus = "状态"\n[defaults]\nchannel = "phone"\n',
                       encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=1)
    assert "'S2' is in the file twice (also in row 3)" in r.stderr, r.stderr
    assert "Warning: 状态 given in 2 rows but not used" in r.stderr, r.stderr
    assert "(rows 2, 3: the columns" in r.stderr, r.stderr
    r = ledger("--lang", "zh", "import", path, "--mapping", mapping, "--dry-run", code=1)
    assert "警告：“状态”列有 2 行填了值，但未被使用" in r.stderr, r.stderr
    assert "（第 2、3 行：" in r.stderr, r.stderr


def test_a_template_says_what_a_step_needs_beside_the_column_it_found(ledger, tmp_path):
    """A register with 责任部门 and no 责任人, 处理方式 and no 处理说明: the template mapped
    department and disposition and wrote no line for owner or summary, and its own file
    was refused row by row. Their defaults are written commented out, and said; taken,
    the row comes in."""
    path = tmp_path / "tp.csv"
    path.write_text("投诉单号,投诉日期,客户名称,投诉内容,投诉类别,严重程度,投诉渠道,责任部门,原因分析,"
                    "处理方式,处理日期\nT1,2025-03-05,甲,划伤,质量,中,电话,质量部,螺栓松动,维修,"
                    "2025-03-09\n", encoding="utf-8")
    text = ledger("import", path, "--template").stdout
    assert ("# department has a column, owner none: the step needs both; map yours above, or "
            "remove the # to give every row the same owner (until then a row with a "
            "department is refused).\n# owner = \"质量部负责人\"\n") in text, text
    assert '\n# summary = "见登记表"\n' in text, text
    mapping = tmp_path / "tp.toml"
    mapping.write_text(text, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert "owner is empty" in r.stderr or "needs a department and an owner" in r.stderr, \
        r.stderr
    mapping.write_text(text.replace("\n# owner = ", "\nowner = ").replace(
        "\n# summary = ", "\nsummary = "), encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "1 new complaint" in r.stderr, r.stderr
    assert ledger.rows("SELECT owner, resolution_summary FROM complaints") == [
        ("质量部负责人", "见登记表")]


def test_a_count_of_more_digits_than_a_phone_number_is_said_out_of_range_not_masked(
        ledger, tmp_path):
    """A quantity of 20 digits was said masked as a phone number ('****…9999' … is the
    column the contact?), where it is out of range; a number of a phone number's length
    in a count column is still said masked."""
    path = tmp_path / "q.csv"
    path.write_text("编号,日期,客户,描述,类别,严重程度,渠道,数量\n"
                    "A2,2026-01-05,Y,d,质量,高,电话,99999999999999999999\n"
                    "A3,2026-01-05,Z,d,质量,高,电话,13812345678\n", encoding="utf-8")
    mapping = tmp_path / "q.toml"
    mapping.write_text(ledger("import", path, "--template").stdout, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    assert "row 2, column 数量: 99999999999999999999 is out of range" in r.stderr, r.stderr
    assert "row 3, column 数量: '*******5678' is not a value of this column's field: it " \
        "looks like a phone number" in r.stderr, r.stderr
    assert "13812345678" not in r.stderr


def test_a_date_of_a_year_out_of_range_is_said_so_with_the_years_taken(ledger, tmp_path):
    """0001-01-01 and 1850年3月1日 in a register were "not a date", where log says a year
    from 1900 to 2199 is taken: the same said of them."""
    path = tmp_path / "d.csv"
    path.write_text("编号,日期,客户,描述,类别,严重程度,渠道\nA1,0001-01-01,X,d,质量,高,电话\n"
                    "A2,1850年3月1日,X,d,质量,高,电话\nA3,2025-13-01,X,d,质量,高,电话\n",
                    encoding="utf-8")
    mapping = tmp_path / "d.toml"
    mapping.write_text(ledger("import", path, "--template").stdout, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run", code=2)
    for row, value in ((2, "0001-01-01"), (3, "1850年3月1日")):
        assert f"row {row}, column 日期: '{value}' is out of range: a date with a year from " \
            "1900 to 2199" in r.stderr, r.stderr
    assert "row 4, column 日期: '2025-13-01' is not a date" in r.stderr, r.stderr


def test_a_row_pasted_and_renumbered_in_a_keyed_register_is_said(ledger, tmp_path):
    """A clerk copied a row and Excel's fill handle gave it the next number: the two rows
    the same in every column but the key came in as two complaints, the second a repeat
    of the first, received and repeats counted twice, without a word (the README's
    warning was for a register without a key). Said, with the complaint to void."""
    same = "2026-11-01 09:00,温州瑞安电器,邮件,交付,低,ZK-7,到货少件"
    path = tmp_path / "dup.csv"
    path.write_text("投诉单号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,产品型号,投诉内容\n"
                    f"TS-1,{same}\nTS-2,{same}\nTS-3,2026-11-02 09:00,甲,电话,质量,中,A1,坏了\n",
                    encoding="utf-8")
    mapping = tmp_path / "dup.toml"
    mapping.write_text(ledger("import", path, "--template").stdout, encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping, "--dry-run")
    assert "Warning: row 3 is the same as row 2 in every column the mapping reads but the " \
        "key: each is a complaint of its own (a row pasted twice? delete it from the file " \
        "and import it again)\n" in r.stderr, r.stderr
    assert "row 4" not in r.stderr
    r = ledger("import", path, "--mapping", mapping)
    second = ledger.rows("SELECT id FROM complaints WHERE source_key = 'TS-2'")[0][0]
    assert "Warning: row 3 is the same as row 2 in every column the mapping reads but the " \
        "key: each came in as a complaint of its own (a row pasted twice? void the extra " \
        f"one: complaintctl void {second} --reason …)\n" in r.stderr, r.stderr
    r = ledger("import", path, "--mapping", mapping)  # (held: nothing new, nothing said)
    assert "the same as row" not in r.stderr, r.stderr


def test_a_refused_row_the_ledger_holds_says_so(ledger, tmp_path):
    """A row brought in once corrected (its rejects file) was refused again in every
    later copy of the register, with no word that the ledger holds it: said."""
    head = ("投诉单号,投诉日期,客户名称,投诉内容,投诉类别,严重程度,投诉渠道,责任部门,责任人,"
            "分派日期\n")
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(head + "A-1,2026-10-01 09:00,甲公司,坏了,质量,中,电话,,,\n", encoding="utf-8")
    kept = tmp_path / "kept.csv"
    kept.write_text(head + "A-1,2026-10-01 09:00,甲公司,坏了,质量,中,电话,质量部,王芳,2026-09-02\n"
                    "A-2,2026-10-03 09:00,乙公司,坏了,质量,中,电话,质量部,王芳,2026-09-02\n",
                    encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text(ledger("import", kept, "--template").stdout, encoding="utf-8")
    ledger("import", fixed, "--mapping", mapping)
    (cid,) = ledger.rows("SELECT id FROM complaints")[0]
    r = ledger("import", kept, "--mapping", mapping, "--dry-run", code=1)
    lines = [line for line in r.stderr.splitlines() if line.startswith("row ")]
    assert lines[0].startswith("row 2") and lines[0].endswith(
        f"(the ledger holds A-1 as {cid})"), r.stderr
    assert lines[1].startswith("row 3") and "the ledger holds" not in lines[1], r.stderr


def test_an_export_imported_before_register_ids_were_kept_is_matched_by_its_ids(
        ledger, tmp_path, monkeypatch):
    """A ledger that took an export before the shipped mapping kept register ids stored
    each row under its id: the same export again, keyed by its register ids now, matched
    nothing there and brought the register's complaints in a second time."""
    from pathlib import Path

    import complaintctl

    run = ledger
    register, mapping = _one_row_register(tmp_path, "R1")
    run("import", register, "--mapping", mapping)
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    shipped = (Path(complaintctl.__file__).parent / "mappings" / "complaintctl.toml").read_text(
        encoding="utf-8")
    before = tmp_path / "before.toml"  # (the shipped mapping as it was: keyed by the id)
    before.write_text(shipped.replace('register_key = "source_key"\n', ""), encoding="utf-8")
    assert before.read_text(encoding="utf-8") != shipped
    monkeypatch.setenv("COMPLAINTCTL_DB", str(tmp_path / "b.db"))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    run("import", out, "--mapping", before)
    r = run("import", out, "--mapping", "complaintctl")
    assert "0 new complaints, 1 already imported" in r.stderr, r.stderr
    assert read_rows(tmp_path / "b.db", "SELECT count(*) FROM complaints") == [(1,)]


def test_a_registers_supplier_beside_the_companys_responsibility_is_taken(ledger, tmp_path):
    """A register names the part's supplier beside 本公司 held responsible: the refusal
    made for `investigate --supplier` (taken there, the supplier was named nowhere)
    refused the row, and with it the whole import."""
    path = tmp_path / "reg.csv"
    path.write_text("编号,受理日期,客户,产品,问题描述,类别,严重程度,渠道,责任部门,责任人,分派日期,"
                    "原因,责任方,供应商,调查完成日期\nR1,2026-10-01,华东电器,XD-200,电机异响,质量,"
                    "一般,电话,质量部,王芳,2026-10-02,轴承不良,本公司,宁波精工,2026-10-05\n",
                    encoding="utf-8")
    mapping = tmp_path / "reg.toml"
    mapping.write_text('key = "编号"\n[columns]\nreceived_at = "受理日期"\ncustomer = "客户"\n'
                       'product = "产品"\ndescription = "问题描述"\ncategory = "类别"\n'
                       'severity = "严重程度"\nchannel = "渠道"\ndepartment = "责任部门"\n'
                       'owner = "责任人"\nassigned_at = "分派日期"\ncause = "原因"\n'
                       'responsibility = "责任方"\nsupplier = "供应商"\n'
                       'concluded_at = "调查完成日期"\n', encoding="utf-8")
    r = ledger("import", path, "--mapping", mapping)
    assert "1 new complaint" in r.stderr, r.stderr
    assert ledger.rows("SELECT responsibility, supplier FROM complaints") == [
        ("company", "宁波精工")]
    assert ledger("verify").exit_code == 0


def test_a_moved_ledger_and_its_register_agree_on_an_upheld_complaint(ledger, tmp_path,
                                                                       monkeypatch):
    """A register with a root cause and no validity column says upheld by the cause; a
    ledger moved by its export recorded upheld as said: the register imported there again
    (and the export back into the first) were a conflict neither could make agree."""
    run = ledger
    register = tmp_path / "reg.csv"
    register.write_text("投诉单号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容,原因分析,"
                        "处理方式,处理说明,处理日期\nT1,2026-10-05 09:00,华东电器,电话,质量,高,"
                        "电机异响,轴承缺陷,换货,已换新,2026-10-08 15:00\n", encoding="utf-8")
    mapping = tmp_path / "reg.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\n'
                       'customer = "客户名称"\nchannel = "投诉渠道"\ncategory = "投诉类别"\n'
                       'severity = "严重程度"\ndescription = "投诉内容"\ncause = "原因分析"\n'
                       'disposition = "处理方式"\nsummary = "处理说明"\nresolved_at = "处理日期"\n'
                       '[defaults]\ndepartment = "质量部"\nowner = "王芳"\n[dates]\n'
                       'assigned_at = "received_at"\nconcluded_at = "resolved_at"\n',
                       encoding="utf-8")
    run("import", register, "--mapping", mapping)
    out = tmp_path / "all.csv"
    run("export", "complaints", "--reveal", "--output", out)
    r = run("import", out, "--mapping", "complaintctl", "--dry-run", code=None)
    assert "conflict" not in r.stderr, r.stderr
    monkeypatch.setenv("COMPLAINTCTL_DB", str(tmp_path / "b.db"))
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    run("import", out, "--mapping", "complaintctl")
    r = run("import", register, "--mapping", mapping)
    assert "0 new complaints, 1 already imported" in r.stderr and "conflict" not in r.stderr, \
        r.stderr
