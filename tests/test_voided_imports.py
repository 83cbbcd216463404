"""A voided import batch (`import --void-batch`) in the reports: left out of every figure,
whatever the report's instant, as if it had never been imported. A register imported
wrongly, voided and imported again reports exactly what importing it right the first
time reports (the fix of a double count: the voided copy was counted beside the new one)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_import import HEADER, MAPPING

from complaintctl import reports
from complaintctl.store import Ledger

# Twelve rows of March and April 2025 with what became of them: closed, resolved,
# assigned, logged (a full history has every dated step).
_PEOPLE = [("华东电器有限公司", "XD-200"), ("宁波精工", "PS-5"), ("Acme", "XD-300"),
           ("华东电器有限公司", "XD-200")]


def _row(n: int, category: str = "质量", month: int = 3) -> list[str]:
    customer, product = _PEOPLE[n % 4]
    day = 2 + 2 * n
    received = f"2025-{month:02d}-{day:02d}"
    row = [f"2025-{n:03d}", received, customer, "", "电话", category,
           ("高级", "中级", "低级")[n % 3], product, "电机异响", "周敏", "", "", "", "", "", "",
           "", "", "", ""]
    stage = n % 4  # 0 closed, 1 resolved, 2 assigned, 3 logged
    if stage <= 2:
        row[10:13] = ["质量部" if n % 2 else "物流部", "王芳", f"2025-{month:02d}-{day + 1:02d}"]
    if stage <= 1:
        row[13:18] = ["扭矩不足", "制造", "换货", "换新机", f"2025-{month:02d}-{day + 3:02d}"]
    if stage == 0:
        row[18:20] = ["满意", f"2025-{month:02d}-{day + 4:02d}"]
    return row


RIGHT = [_row(n) for n in range(12)]
# the wrong copy: the categories misread, and a third of the rows a month late
WRONG = [_row(n, category="交付", month=4 if n % 3 == 0 else 3) for n in range(12)]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def _scrapped(go, cid: str, qty: int, cause: str, cost: str, times: tuple[str, ...]) -> None:
    """A return of `qty` units of complaint `cid`: opened, received whole, found defective,
    scrapped at `cost`, closed, at `times` (one for each step)."""
    rma = go("return", "open", cid, "--qty", str(qty), "--at", times[0])
    go("return", "receive", rma, "--qty", str(qty), "--at", times[1])
    go("return", "inspect", rma, "--result", "defect-confirmed", "--defective", str(qty),
       "--cause", cause, "--at", times[2])
    go("return", "dispose", rma, "--action", "scrap", "--qty", str(qty), "--cost", cost,
       "--at", times[3])
    go("return", "close", rma, "--at", times[4])


def _typed(run, db: Path) -> None:
    """What the clerks typed in both ledgers: a complaint of March 2025 with a return
    and a CAPA item, and one of April."""
    def go(*args: str) -> str:
        return run("--db", db, *args).stdout.strip()

    cid = go("log", "--customer", "上海永信五金厂", "--description", "外箱破损",
             "--category", "logistics", "--severity", "high", "--channel", "phone",
             "--product", "VL-80", "--received", "2025-03-05 09:00")
    go("assign", cid, "--dept", "物流部", "--owner", "刘洋", "--at", "2025-03-05 10:00")
    _scrapped(go, cid, 4, "受潮", "400", ("2025-03-05 11:00", "2025-03-08 10:00",
                                          "2025-03-09 10:00", "2025-03-10 10:00",
                                          "2025-03-10 11:00"))
    go("investigate", cid, "--cause", "包装受压", "--cause-category", "logistics",
       "--at", "2025-03-11 09:00")
    go("action", "add", cid, "--text", "加固外箱", "--owner", "刘洋", "--due", "2025-03-30",
       "--at", "2025-03-11 10:00")
    go("resolve", cid, "--disposition", "refund", "--amount", "800", "--summary", "退款",
       "--at", "2025-03-12 09:00")
    go("log", "--customer", "Globex GmbH", "--description", "late", "--category", "delivery",
       "--severity", "low", "--channel", "email", "--product", "Fan F-120",
       "--received", "2025-04-20 09:00")


def _wrong_batch_worked_on(run, db: Path) -> None:
    """A return and a CAPA item typed on complaints of the wrong batch before it was
    voided (the return closed: void refuses an open one)."""
    def go(*args: str) -> str:
        return run("--db", db, *args).stdout.strip()

    rows = Ledger.open(db).conn.execute(
        "SELECT id, status FROM complaints WHERE import_batch = 1 ORDER BY id").fetchall()
    assigned = next(cid for cid, status in rows if status == "assigned")
    _scrapped(go, assigned, 2, "异响", "300", ("2025-03-20 09:00", "2025-03-21 09:00",
                                              "2025-03-22 09:00", "2025-03-23 09:00",
                                              "2025-03-23 10:00"))
    go("investigate", assigned, "--cause", "轴承", "--cause-category", "supplier",
       "--at", "2025-03-24 09:00")
    go("action", "add", assigned, "--text", "换供应商", "--owner", "王芳", "--due",
       "2025-04-10", "--at", "2025-03-24 10:00")
    go("resolve", assigned, "--disposition", "compensation", "--amount", "500",
       "--summary", "赔偿", "--at", "2025-03-25 09:00")


@pytest.fixture
def two(run, tmp_path):
    """Ledger `wrong`: the wrong register imported, worked on, voided, the right one
    imported; ledger `right`: the right one imported once. The same typed complaints in
    both."""
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    right_csv = _write(tmp_path / "登记表.csv", RIGHT)
    wrong_csv = _write(tmp_path / "错.csv", WRONG)
    dbs = {"wrong": tmp_path / "wrong.db", "right": tmp_path / "right.db"}
    for db in dbs.values():
        run("--db", db, "init", "--country", "CN", "--timezone", "Asia/Shanghai")
        _typed(run, db)
    run("--db", dbs["wrong"], "import", wrong_csv, "--mapping", mapping)
    _wrong_batch_worked_on(run, dbs["wrong"])
    said = run("--db", dbs["wrong"], "import", "--void-batch", "1", "--reason", "类别映射错了")
    assert "Every report leaves the batch out, whatever its period" in said.stderr
    # the work typed on it since (a return's five steps, an investigation, a CAPA item, a
    # resolution) goes out with it, and is said
    # (which complaint and which steps: a count alone gave the clerk nothing to act on)
    assert ("Warning: 8 steps typed on 1 of its complaints since the import go out of the "
            "reports with the batch: type them again on the complaints imported anew: "
            "CC-2026-0005 (return opened, return received, return inspected, return "
            "dispositioned, return closed, investigated, CAPA item added, resolved)\n"
            ) in said.stderr, said.stderr
    run("--db", dbs["wrong"], "import", right_csv, "--mapping", mapping)
    run("--db", dbs["right"], "import", right_csv, "--mapping", mapping)
    return dbs


def _comparable(rep: dict) -> dict:
    """A report without what differs between two ledgers of the same history: the
    chain's head, the ids given (the voided batch took numbers) and the batches left
    out."""
    rep = {k: v for k, v in rep.items() if k not in ("chain_head", "voided_imports")}
    rep["register"] = [{k: v for k, v in line.items() if k != "id"}
                       for line in rep["register"]]
    return rep


PERIODS = [("--month", "2025-03"), ("--month", "2025-04"), ("--week", "2025-03-05"),
           ("--since", "2025-01-01", "--until", "2025-12-31", "--register"),
           ("--month", "2026-11")]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: " ".join(p))
def test_a_voided_batch_imported_again_counts_once(run, two, period):
    wrong = run.json("--db", two["wrong"], "report", *period, "--trend", "3")
    right = run.json("--db", two["right"], "report", *period, "--trend", "3")
    assert _comparable(wrong) == _comparable(right)
    # and the ledger holds both copies: the report leaves one out, nothing is deleted
    assert Ledger.open(two["wrong"]).conn.execute(
        "SELECT count(*) FROM complaints WHERE import_batch = 1 AND status = 'void'"
    ).fetchone() == (12,)


def test_the_figures_that_would_double(run, two):
    """The figures by name, on the ledger with the voided batch: March 2025 received the
    right register's twelve rows (all of March) and the typed one, nothing of the wrong copy
    (its return, its refund, its CAPA item, its void events)."""
    rep = run.json("--db", two["wrong"], "report", "--month", "2025-03")
    assert rep["received"] == 13
    assert {d["key"]: d["count"] for d in rep["by_category"]} == {"quality": 12,
                                                                  "logistics": 1}
    assert rep["returns"]["authorised"] == 1 and rep["returns"]["cost_of_loss"] == "400.00"
    assert rep["paid"]["amount"] == "800.00" and rep["capa"]["opened"] == 1
    assert len(rep["register"]) == 13
    now = run.json("--db", two["wrong"], "report", "--month", "2026-11")
    assert now["voided"] == 0  # the batch's void events are not complaints voided
    assert rep["voided_imports"] == [{"batch": 1, "voided_at": "2026-11-23T12:00:00Z",
                                      "complaints": 12, "gave_steps_to": 0}]
    assert now["voided_imports"] == rep["voided_imports"]
    assert run.json("--db", two["right"], "report", "--month", "2025-03")["voided_imports"] == []


def test_whatever_the_reports_instant(run, two):
    """A report as of an instant before the void leaves the batch out too: its rows
    were wrong then as well (the figures do not depend on when they were corrected)."""
    args = ("report", "--month", "2025-03", "--as-of", "2025-04-01 08:00")
    assert _comparable(run.json("--db", two["wrong"], *args)) == _comparable(
        run.json("--db", two["right"], *args))


@pytest.mark.parametrize("by_index", [False, True])
def test_rollups_and_rows_agree(two, by_index):
    """The report from the rollups (less the batch's recount) is the report read from
    the rows, both ways of reading a long period."""
    from datetime import date, datetime, timezone
    from zoneinfo import ZoneInfo

    lg = Ledger.open(two["wrong"])
    at = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    for period in (reports.month_of(2025, 3), reports.between(date(2025, 1, 1),
                                                              date(2025, 12, 31))):
        fast = reports.Report(lg.conn, ZoneInfo("Asia/Shanghai"), period, at, "CNY")
        fast.by_index = by_index
        rows = reports.Report(lg.conn, ZoneInfo("Asia/Shanghai"), period, at, "CNY",
                              rollups=False).build()
        assert fast.build() == rows
        assert rows["received"] == (14 if period.kind == "range" else 13)


def test_the_report_says_what_it_left_out(run, two):
    table = run("--db", two["wrong"], "report", "--month", "2025-03").stdout
    assert "import batch 1 (12 complaints), voided 2026-11-23" in table, table
    zh = run("--db", two["wrong"], "--lang", "zh", "report", "--month", "2025-03",
             "--format", "markdown").stdout
    assert "导入批次 1（12 条投诉）" in zh, zh
    assert "voided import" not in run("--db", two["right"], "report", "--month",
                                      "2025-03").stdout


def test_overdue_as_of_leaves_the_batch_out(run, two):
    """`overdue --as-of` an instant while the wrong batch was in: its complaints beside
    the register imported again listed every late stage twice."""
    args = ("overdue", "--as-of", "2025-04-30 12:00")
    wrong, right = run.json("--db", two["wrong"], *args), run.json("--db", two["right"], *args)
    assert len(right) >= 8
    assert [(x["customer"], x["stage"], x["due_at"]) for x in wrong] == [
        (x["customer"], x["stage"], x["due_at"]) for x in right]


def test_export_and_import_again_leaves_the_batch_out(run, two, tmp_path):
    """`export complaints` of a ledger with a voided batch, imported with the shipped
    mapping into a fresh ledger: the batch's rows (void from any state, which `void`
    refuses) are left out, as the first ledger's reports leave them out; the figures
    are the same."""
    out = tmp_path / "all.csv"
    run("--db", two["wrong"], "export", "complaints", "--reveal", "--output", out)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted({r["import_batch_voided_at"] for r in rows}) == ["", "2026-11-23T12:00:00Z"]
    assert {r["import_batch"] for r in rows} == {"", "1", "2"}
    fresh = tmp_path / "fresh.db"
    run("--db", fresh, "init", "--country", "CN", "--timezone", "Asia/Shanghai")
    said = run("--db", fresh, "import", out, "--mapping", "complaintctl").stderr
    assert "14 new complaints" in said and "12 rows left out by the mapping's leave_out" \
        in said, said
    def figures(db: Path, month: str) -> dict:
        rep = run.json("--db", db, "report", "--month", month)
        return {k: rep[k] for k in ("received", "resolved", "closed", "voided",
                                    "by_category", "by_customer", "handling_days")}

    for month in ("2025-03", "2025-04"):
        assert figures(fresh, month) == figures(two["wrong"], month)


@pytest.mark.parametrize("sql, kind_id", [
    # a batch voided by hand: every report dropped its complaints
    ("UPDATE import_batches SET voided_at = '2026-11-23T12:00:00Z', void_reason = 'x' "
     "WHERE id = 2", "2 voided_at"),
    # a void cleared by hand: the wrong copy counted again beside the right one
    ("UPDATE import_batches SET voided_at = NULL, void_reason = NULL WHERE id = 1",
     "1 voided_at"),
    ("UPDATE import_batches SET void_reason = '另一个原因' WHERE id = 1", "1 void_reason"),
    ("UPDATE import_batches SET file = 'other.csv' WHERE id = 2", "2 file"),
    ("UPDATE import_batches SET actor = '某人' WHERE id = 2", "2 actor"),
])
def test_verify_holds_the_batches_to_their_events(run, two, sql, kind_id):
    """The batch table decides what every report leaves out: a change made behind the
    tool's back is named by verify (each batch's `import` and `import-void` events)."""
    from test_verify import tamper

    assert run("--db", two["wrong"], "verify").exit_code == 0
    tamper(two["wrong"], sql)
    r = run("--db", two["wrong"], "verify", "--format", "json", code=1)
    found = [(p["kind"], p["id"]) for p in json.loads(r.stdout)["problems"]]
    assert ("import_batch", kind_id) in found, found


def test_verify_holds_a_complaints_batch_to_its_log(run, two):
    """A complaint moved into (or out of) a voided batch by hand left (or joined) every
    report: its import_batch is held to its log event."""
    from test_verify import tamper

    cid = Ledger.open(two["wrong"]).conn.execute(
        "SELECT id FROM complaints WHERE import_batch IS NULL LIMIT 1").fetchone()[0]
    tamper(two["wrong"], f"UPDATE complaints SET import_batch = 1 WHERE id = '{cid}'")
    r = run("--db", two["wrong"], "verify", "--format", "json", code=1)
    found = [(p["kind"], p["id"]) for p in json.loads(r.stdout)["problems"]]
    assert ("import_batch", cid) in found, found


def test_the_capa_items_of_a_voided_batchs_complaint_asked_for_are_listed_as_void(run, two):
    """`action list --complaint ID --all` of a complaint of the voided batch said "No CAPA
    item matches." while show listed its item (void). Listed as show says it; a list of
    every complaint still leaves it out (owed no more)."""
    ((cid,),) = Ledger.open(two["wrong"]).conn.execute(
        "SELECT DISTINCT a.complaint_id FROM actions a JOIN complaints c ON c.id = "
        "a.complaint_id WHERE c.import_batch = 1").fetchall()
    listed = run.json("--db", two["wrong"], "action", "list", "--complaint", cid, "--all")
    assert [(r["state"], r["complaint_status"]) for r in listed] == [("void", "void")], listed
    assert run.json("--db", two["wrong"], "action", "list", "--complaint", cid, "--late") == []
    every = run.json("--db", two["wrong"], "action", "list", "--all")
    assert every and cid not in [r["complaint_id"] for r in every], every
    zh = run("--db", two["wrong"], "--lang", "zh", "action", "list", "--complaint", cid).stdout
    assert "作废" in zh, zh
