"""export: every complaint, event, return and CAPA item out to CSV, XLSX or JSON
lines; the codes, not labels; masked contacts; 0600, atomic, never onto the ledger;
streamed (memory flat in the number of rows)."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support import NOW

from complaintctl import cli

CUSTOMER = '=HYPERLINK("http://evil.example/x","点我")'
PHONE = "13812345678"
LIFECYCLE_NOW = datetime(2026, 10, 12, 4, tzinfo=timezone.utc)


@pytest.fixture
def lifecycle(ledger, monkeypatch):
    """A complaint taken through every step (typed on 2026-10-12), a return, a CAPA
    item, a second open complaint; then, on NOW (2026-11-23), a back-dated complaint
    received in October: its events happened in October but were RECORDED in November."""
    monkeypatch.setattr(cli, "_now", lambda: LIFECYCLE_NOW)
    cid = ledger("log", "--customer", CUSTOMER, "--description", "电机异响",
                 "--category", "quality", "--severity", "medium", "--channel", "phone",
                 "--product", "XD-200", "--quantity", "3", "--shipped", "2026-09-20",
                 "--received", "2026-09-30 10:00", "--contact", PHONE).stdout.strip()
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at", "2026-09-30 11:00")
    ledger("investigate", cid, "--cause", "装配扭矩不足", "--cause-category", "manufacturing",
           "--responsibility", "company", "--at", "2026-10-08 09:00")
    action = ledger("action", "add", cid, "--text", "更新作业指导书", "--owner", "刘洋",
                    "--due", "2026-11-30", "--at", "2026-10-08 10:00").stdout.strip()
    rma = ledger("return", "open", cid, "--qty", "2", "--at", "2026-10-08 11:00"
                 ).stdout.strip()
    ledger("return", "receive", rma, "--qty", "2", "--at", "2026-10-08 12:00")
    ledger("return", "inspect", rma, "--result", "defect-confirmed", "--defective", "2",
           "--at", "2026-10-08 13:00")
    ledger("return", "dispose", rma, "--action", "scrap", "--qty", "2", "--at",
           "2026-10-08 14:00")
    ledger("resolve", cid, "--disposition", "refund", "--summary", "退款",
           "--amount", "1250.50", "--approved-by", "质量经理", "--at", "2026-10-09 10:00")
    ledger("revisit", cid, "--satisfaction", "satisfied", "--method", "phone",
           "--at", "2026-10-10 10:00")
    other = ledger("log", "--customer", "华南五金", "--description", "-10 件短少",
                   "--category", "delivery", "--severity", "low", "--channel", "email",
                   "--received", "2026-10-11 09:00").stdout.strip()
    monkeypatch.setattr(cli, "_now", lambda: NOW)
    late = ledger("log", "--customer", "北方机械", "--description", "纸质记录补录",
                  "--category", "quality", "--severity", "low", "--channel", "letter",
                  "--received", "2026-10-05 09:00").stdout.strip()
    return {"id": cid, "action": action, "rma": rma, "other": other, "late": late,
            "db": ledger.db, "run": ledger}


def _export(run, tmp_path, what, fmt, *extra, code=0):
    out = tmp_path / f"{what}{'-'.join(extra).replace(' ', '')}.{fmt}"
    result = run("export", what, "--format", fmt, "--output", out, *extra, code=code)
    return out, result


def _csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _jsonl(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _xlsx(path: Path) -> tuple[list[str], list[list]]:
    import openpyxl

    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = [list(r) for r in ws.iter_rows()]
    return [c.value for c in rows[0]], rows[1:]


@pytest.mark.parametrize("what", ["complaints", "events", "returns", "actions"])
def test_each_what_in_each_format_has_the_same_rows_and_columns(lifecycle, tmp_path, what):
    run = lifecycle["run"]
    c, result = _export(run, tmp_path, what, "csv")
    j, _r = _export(run, tmp_path, what, "jsonl")
    x, _r = _export(run, tmp_path, what, "xlsx")
    rows_csv, rows_json = _csv(c), _jsonl(j)
    header, rows_xlsx = _xlsx(x)
    assert len(rows_csv) == len(rows_json) == len(rows_xlsx) > 0
    assert header == list(rows_csv[0]) == list(rows_json[0])
    n = len(rows_csv)
    assert f"Wrote {c}: {n} row{'s' if n > 1 else ''} of {what}." in result.stderr
    for path in (c, j, x):
        assert os.stat(path).st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_complaints_carry_state_deadlines_codes_and_guarded_text(lifecycle, tmp_path):
    run, cid = lifecycle["run"], lifecycle["id"]
    rows = {r["id"]: r for r in _csv(_export(run, tmp_path, "complaints", "csv")[0])}
    assert set(rows) == {cid, lifecycle["other"], lifecycle["late"]}
    r = rows[cid]
    shown = run.json("show", cid)
    assert r["customer"] == "'" + CUSTOMER  # render's formula guard
    assert rows[lifecycle["other"]]["description"] == "'-10 件短少"
    assert r["status"] == "closed" == shown["status"]
    assert (r["channel"], r["category"], r["severity"]) == ("phone", "quality", "medium")
    assert r["investigation.cause_category"] == "manufacturing"
    assert r["resolution.disposition"] == "refund"
    assert r["resolution.amount"] == "1250.50" and r["resolution.currency"] == "CNY"
    assert r["revisit.satisfaction"] == "satisfied" and r["revisit.method"] == "phone"
    assert r["received_at"] == "2026-09-30T02:00:00Z" == shown["received_at"]
    assert r["shipped_on"] == "2026-09-20" and r["quantity"] == "3"
    for stage, due in shown["deadlines"].items():  # (a stage not started: empty, null)
        assert r[f"deadlines.{stage}"] == (due or "")
    assert (r["actions.count"], r["returns.count"], r["revisits.count"]) == ("1", "1", "1")
    assert r["contact"] == "*******5678" == shown["contact"]
    # the same codes whatever the display language
    zh = tmp_path / "zh.csv"
    said = run("--lang", "zh", "export", "complaints", "--format", "csv", "--output", zh).stderr
    assert zh.read_bytes() == (tmp_path / "complaints.csv").read_bytes()
    assert said == f"已写出 {zh}：投诉共 {len(rows)} 行。\n"  # the thing named in Chinese


def test_jsonl_is_one_object_per_line_with_codes_and_iso_times(lifecycle, tmp_path):
    run, cid = lifecycle["run"], lifecycle["id"]
    complaints = {r["id"]: r for r in _jsonl(_export(run, tmp_path, "complaints", "jsonl")[0])}
    r = complaints[cid]
    assert r["customer"] == CUSTOMER  # JSON is data: no guard
    assert r["quantity"] == 3 and r["resolution.amount"] == "1250.50"
    assert r["closed_at"] == "2026-10-10T02:00:00Z"
    events = _jsonl(_export(run, tmp_path, "events", "jsonl")[0])
    stored = lifecycle["run"].rows("SELECT id, data, old, hash FROM events ORDER BY id")
    assert [e["id"] for e in events] == [s[0] for s in stored]
    for e, (_id, data, old, hsh) in zip(events, stored, strict=True):
        assert e["data"] == json.loads(data) and e["hash"] == hsh
        assert e["old"] == (json.loads(old) if old else None)
    kinds = [e["kind"] for e in events if e["complaint_id"] == cid]
    assert kinds[:3] == ["log", "assign", "investigate"] and "revisit" in kinds
    returns = _jsonl(_export(run, tmp_path, "returns", "jsonl")[0])
    assert returns[0]["id"] == lifecycle["rma"] and returns[0]["result"] == "defect-confirmed"
    assert returns[0]["dispositions.scrap"] == 2 and returns[0]["received_qty"] == 2
    # whose goods and who deals with them (a returns report groups by them; the export
    # had only the complaint's id)
    assert (returns[0]["customer"], returns[0]["department"], returns[0]["owner"]) == (
        CUSTOMER, "质量部", "王芳")
    actions = _jsonl(_export(run, tmp_path, "actions", "jsonl")[0])
    assert [a["id"] for a in actions] == [int(lifecycle["action"])]
    assert actions[0]["created_at"] == "2026-10-08T02:00:00Z"


def test_returns_say_their_count_discrepancy_in_every_format(lifecycle, tmp_path):
    """`show` and `return list` flag a receipt that differs from what was authorised;
    the export of returns left it out."""
    run = lifecycle["run"]
    short = run("return", "open", lifecycle["late"], "--qty", "3").stdout.strip()
    run("return", "receive", short, "--qty", "2")
    flags = {r["id"]: r["discrepancy"] for r in _jsonl(_export(run, tmp_path, "returns",
                                                                "jsonl")[0])}
    assert flags == {lifecycle["rma"]: False, short: True}
    rows = _csv(_export(run, tmp_path, "returns", "csv")[0])
    assert {r["id"]: r["discrepancy"] for r in rows} == {lifecycle["rma"]: "false",
                                                         short: "true"}
    header, cells = _xlsx(_export(run, tmp_path, "returns", "xlsx")[0])
    assert [(r[0].value, r[header.index("discrepancy")].value) for r in cells] == [
        (lifecycle["rma"], False), (short, True)]
    assert cells[0][header.index("discrepancy")].data_type == "b"


def test_events_keep_the_stored_text_in_csv(lifecycle, tmp_path):
    rows = _csv(_export(lifecycle["run"], tmp_path, "events", "csv")[0])
    stored = lifecycle["run"].rows("SELECT data, old, hash FROM events ORDER BY id")
    assert [(r["data"], r["old"] or None, r["hash"]) for r in rows] == stored
    assert list(rows[0]) == ["id", "complaint_id", "return_id", "at", "recorded_at", "actor",
                             "login", "kind", "data", "old", "hash"]


def test_shows_events_carry_the_id_login_and_hash_the_export_has(lifecycle, tmp_path):
    """An auditor could not match `show --format json`'s history to the events export:
    its events had no id, login or hash."""
    run = lifecycle["run"]
    rows = {r["id"]: r for r in _csv(_export(run, tmp_path, "events", "csv")[0])}
    cid = run.rows("SELECT complaint_id FROM events WHERE complaint_id IS NOT NULL "
                   "LIMIT 1")[0][0]
    shown = run.json("show", cid)["events"]
    assert shown and all(rows[str(e["id"])]["hash"] == e["hash"] and
                         (rows[str(e["id"])]["login"] or None) == e["login"] and
                         rows[str(e["id"])]["kind"] == e["kind"] for e in shown), shown


def test_a_cell_that_begins_with_the_guards_apostrophe_is_guarded_too(ledger, tmp_path):
    """An actor '@boss came out as '@boss, the same as a guarded @boss: taking the guard's
    apostrophe off (README: checking an export without complaintctl) gave @boss and a
    wrong hash."""
    from complaintctl.render import unguarded

    cid = ledger.log()
    ledger("--as", "'@boss", "note", cid, "--text", "y", "--at", "2026-10-01 09:00")
    ledger("--as", "@boss", "note", cid, "--text", "z", "--at", "2026-10-01 10:00")
    rows = _csv(_export(ledger, tmp_path, "events", "csv")[0])
    actors = [r["actor"] for r in rows if r["kind"] == "note"]
    assert actors == ["''@boss", "'@boss"]
    stored = ledger.rows("SELECT actor FROM events WHERE kind = 'note' ORDER BY id")
    assert [unguarded(a) for a in actors] == [a for (a,) in stored] == ["'@boss", "@boss"]


def test_events_since_until_select_on_when_recorded(lifecycle, tmp_path):
    """The back-dated complaint happened on 2026-10-05 but was recorded on 2026-11-23:
    the November archive has it, the October archive does not."""
    run, late = lifecycle["run"], lifecycle["late"]
    nov, _r = _export(run, tmp_path, "events", "jsonl", "--since", "2026-11-01",
                      "--until", "2026-11-30")
    octo, _r = _export(run, tmp_path, "events", "jsonl", "--since", "2026-10-01",
                       "--until", "2026-10-31")
    nov_rows, oct_rows = _jsonl(nov), _jsonl(octo)
    # the ledger was made (init) on NOW too
    assert [(e["complaint_id"], e["kind"]) for e in nov_rows] == [(None, "init"), (late, "log")]
    assert nov_rows[1]["at"].startswith("2026-10-05")
    assert late not in {e["complaint_id"] for e in oct_rows}
    everything = _jsonl(_export(run, tmp_path, "events", "jsonl")[0])
    assert len(oct_rows) + len(nov_rows) == len(everything)
    # complaints select on when they were received: the late one is October's
    rows = _jsonl(_export(run, tmp_path, "complaints", "jsonl", "--since", "2026-10-01",
                          "--until", "2026-10-31")[0])
    assert {r["id"] for r in rows} == {lifecycle["other"], late}
    # a day is the ledger's (Shanghai): 2026-09-30 10:00 local is on 2026-09-30
    rows = _jsonl(_export(run, tmp_path, "complaints", "jsonl", "--until", "2026-09-30")[0])
    assert [r["id"] for r in rows] == [lifecycle["id"]]


def test_xlsx_has_typed_cells_and_text_never_a_formula(lifecycle, tmp_path):
    run, cid = lifecycle["run"], lifecycle["id"]
    header, rows = _xlsx(_export(run, tmp_path, "complaints", "xlsx")[0])
    row = next(r for r in rows if r[0].value == cid)
    cell = dict(zip(header, row, strict=True))
    assert cell["customer"].value == CUSTOMER and cell["customer"].data_type == "s"
    assert cell["received_at"].value == datetime(2026, 9, 30, 10, 0)  # Shanghai time
    assert cell["received_at"].is_date
    assert cell["shipped_on"].value == datetime(2026, 9, 20)
    assert cell["quantity"].value == 3 and cell["quantity"].data_type == "n"
    assert cell["resolution.amount"].value == 1250.5
    assert "¥" in cell["resolution.amount"].number_format
    assert cell["status"].value == "closed"
    assert cell["contact"].value == "*******5678"
    assert cell["void_reason"].value is None
    header, rows = _xlsx(_export(run, tmp_path, "events", "xlsx")[0])
    stored = run.rows("SELECT data FROM events ORDER BY id")
    assert [r[header.index("data")].value for r in rows] == [d for (d,) in stored]
    # the events' times as stored, text (a local date-time could not be hashed, and was
    # one cell for two instants in the hour clocks go back)
    assert [(r[header.index("at")].value, r[header.index("recorded_at")].data_type)
            for r in rows] == [(a, "s") for (a,) in run.rows("SELECT at FROM events "
                                                              "ORDER BY id")]
    assert all(r[header.index("id")].data_type == "n" for r in rows)
    header, rows = _xlsx(_export(run, tmp_path, "returns", "xlsx")[0])
    cost = rows[0][header.index("cost_of_loss")]
    assert cost.value == 0 and cost.data_type == "n"


def test_xlsx_columns_are_wide_enough_for_what_they_hold(lifecycle, tmp_path):
    """The exports set no column width: Excel showed every date-time as ######## and
    cut the headers and the Chinese text. A date-time's column holds it, a text column
    its header and its first rows (Chinese counted twice), within 8 to 50."""
    import openpyxl

    run = lifecycle["run"]
    ws = openpyxl.load_workbook(_export(run, tmp_path, "complaints", "xlsx")[0]).worksheets[0]
    header = [c.value for c in ws[1]]

    def width(key: str) -> float:
        return ws.column_dimensions[openpyxl.utils.get_column_letter(
            header.index(key) + 1)].width

    assert width("received_at") >= 19 and width("shipped_on") >= 10
    from complaintctl.sheets import text_width

    assert width("customer") >= text_width(CUSTOMER) > len(CUSTOMER)  # 点我 counts twice
    assert width("investigation.cause_category") >= len("investigation.cause_category")
    assert all(8 <= ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width <= 50
               for i in range(len(header)))


def test_contact_masked_unless_reveal_and_erased_stays_erased(lifecycle, tmp_path):
    run, cid = lifecycle["run"], lifecycle["id"]
    for fmt in ("csv", "jsonl", "xlsx"):
        masked, _r = _export(run, tmp_path, "complaints", fmt)
        assert PHONE.encode() not in masked.read_bytes()
        events, _r = _export(run, tmp_path, "events", fmt, "--reveal")
        assert PHONE.encode() not in events.read_bytes()  # only "h:" references
    shown = {r["id"]: r for r in _jsonl(_export(run, tmp_path, "complaints", "jsonl",
                                                "--reveal")[0])}
    assert shown[cid]["contact"] == PHONE
    revealed = {r["id"]: r for r in _csv(_export(run, tmp_path, "complaints", "csv",
                                                  "--reveal")[0])}
    assert revealed[cid]["contact"] == PHONE
    run("forget-contact", cid, "--reason", "客户要求删除")
    out = tmp_path / "after.jsonl"
    run("export", "complaints", "--format", "jsonl", "--output", out, "--reveal")
    after = {r["id"]: r for r in _jsonl(out)}
    assert after[cid]["contact"] is None
    assert PHONE.encode() not in out.read_bytes()
    # erased, not never given: when (as show has it; the export left it out)
    erased = run.json("show", cid)["contact_erased_at"]
    assert erased and after[cid]["contact_erased_at"] == erased
    assert all(r["contact_erased_at"] is None for i, r in after.items() if i != cid)
    # a contact given again since: none, as show has it (the row said both)
    run("amend", cid, "--contact", "13900001111", "--reason", "客户同意重新留电话")
    run("export", "complaints", "--format", "jsonl", "--output", out)
    again = {r["id"]: r for r in _jsonl(out)}[cid]
    assert again["contact"] == "*******1111" and again["contact_erased_at"] is None, again
    assert run.json("show", cid)["contact_erased_at"] is None


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_refused_onto_the_ledger_and_its_files(lifecycle, suffix):
    run, db = lifecycle["run"], lifecycle["db"]
    before, raw = run.snapshot(), db.read_bytes()
    target = f"{db}{suffix}"
    result = run("export", "events", "--format", "csv", "--output", target, code=2)
    said = f"the ledger's {suffix} file (SQLite keeps" if suffix else "the ledger itself"
    assert f"Error: --output {target} is {said}" in result.stderr, result.stderr
    assert "Hint: write the export to another file" in result.stderr
    assert run.snapshot() == before and db.read_bytes() == raw


@pytest.mark.parametrize("args", [
    ("export", "events", "--format", "jsonl", "--output", "{other}"),
    ("report", "--month", "2026-10", "--format", "csv", "--output", "{other}"),
    ("attachment", "get", "1", "--output", "{other}")])
def test_another_ledger_is_never_written_over(lifecycle, tmp_path, args):
    """`backup` refused to replace a ledger; report, export and attachment get wrote
    over another one (a mistyped name) without a word: any SQLite database is refused."""
    run = lifecycle["run"]
    other = tmp_path / "other.db"
    run("--db", other, "init")
    raw = other.read_bytes()
    before = run.snapshot()
    result = run(*[a.format(other=other) for a in args], code=2)
    assert (f"Error: --output {other} is an SQLite database (another ledger?); complaintctl "
            "does not write over one") in result.stderr
    assert other.read_bytes() == raw and run.snapshot() == before


@pytest.mark.parametrize("side", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("args", [
    ("export", "events", "--format", "jsonl", "--output", "{other}"),
    ("report", "--month", "2026-10", "--format", "markdown", "--output", "{other}"),
    ("attachment", "get", "1", "--output", "{other}")])
def test_another_ledgers_sqlite_files_are_never_written_over(lifecycle, tmp_path, args, side):
    """Only the ledger's own -wal, -shm and -journal were refused: an export over another
    ledger's -wal threw away the steps it held (verify said OK), one over its -journal
    left every command on it refused."""
    run = lifecycle["run"]
    other = tmp_path / "other.db"
    run("--db", other, "init")
    beside = tmp_path / f"other.db{side}"
    beside.write_bytes(b"held")
    before = run.snapshot()
    result = run(*[a.format(other=beside) for a in args], code=2)
    assert (f"Error: --output {beside} is the {side} file SQLite keeps beside other.db: "
            "written over, that database would lose what it holds") in result.stderr, \
        result.stderr
    assert beside.read_bytes() == b"held" and run.snapshot() == before
    # a name that ends so with no database beside it is a name (checked, then written)
    alone = tmp_path / f"notes{side}"
    if args[0] != "attachment":  # (the ledger has none to get)
        run(*[a.format(other=alone) for a in args])
        assert alone.exists()


def test_an_empty_output_is_refused_not_written_to_stdout(lifecycle):
    """`--output "$f"` with $f unset in a cron line printed the report, to be mailed."""
    run = lifecycle["run"]
    result = run("report", "--month", "2026-10", "--format", "csv", "--output", "", code=2)
    assert result.stdout == "" and "Error: --output must not be empty" in result.stderr
    result = run("export", "events", "--format", "csv", "--output", "", code=2)
    assert "Error: --output must not be empty" in result.stderr


@pytest.mark.parametrize("args, message", [
    (("export", "everything", "--format", "csv", "--output", "x.csv"),
     "what to export, 'everything', is not one of: complaints, events, returns, actions"),
    (("export", "complaint", "--format", "csv", "--output", "x.csv"),
     "Hint: did you mean: complaintctl export complaints …?"),
    (("export", "events", "--format", "pdf", "--output", "x.pdf"),
     "--format 'pdf' is not one of: csv, xlsx (Excel workbook), jsonl (JSON lines)"),
    (("export", "events", "--output", "x.txt"), "give --format csv, xlsx or jsonl"),
    (("export", "events", "--format", "csv", "--output", "x.csv", "--since", "2026-10-02",
      "--until", "2026-10-01"), "--until is before --since"),
    (("export", "events", "--format", "csv", "--output", "x.csv", "--since", "yesterdayish"),
     "--since"),
])
def test_bad_input_exits_2_and_writes_nothing(lifecycle, tmp_path, monkeypatch, args, message):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    run = lifecycle["run"]
    before = run.snapshot()
    result = run(*args, code=2)
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(here.iterdir()) == [] and run.snapshot() == before


def test_format_from_the_output_extension(lifecycle, tmp_path):
    out = tmp_path / "a.JSONL"
    lifecycle["run"]("export", "actions", "--output", out)
    assert _jsonl(out)[0]["id"] == int(lifecycle["action"])


def test_failed_write_leaves_the_earlier_file(lifecycle, tmp_path):
    run = lifecycle["run"]
    out = tmp_path / "x.csv"
    out.write_text("earlier")
    result = run("export", "events", "--format", "csv", "--output",
                 tmp_path / "missing" / "x.csv", code=2)
    assert "does not exist" in result.stderr
    assert out.read_text() == "earlier"


def test_a_failure_mid_stream_leaves_no_file_and_no_temporary(lifecycle, tmp_path, monkeypatch):
    import tempfile

    from complaintctl import sheets

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(sheets, "XLSX_MAX_ROWS", 4)  # the header and three rows
    out = tmp_path / "out" / "events.xlsx"
    out.parent.mkdir()
    result = lifecycle["run"]("export", "events", "--format", "xlsx", "--output", out, code=2)
    assert "Error: more rows than a worksheet holds (3)" in result.stderr
    assert "--since and --until" in result.stderr
    assert list(out.parent.iterdir()) == [] and list(scratch.iterdir()) == []


def test_the_command_line_does_not_load_the_export_modules():
    code = ("import sys, complaintctl.cli; "
            "print(sorted(m for m in ('xlsxwriter', 'complaintctl.exports', "
            "'complaintctl.sheets', 'csv') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == "[]"


# --- memory: flat in the number of rows -------------------------------------------------

_PEAK = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
assert proc.returncode == 0, proc.stderr
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _peak_kib(db: Path, fmt: str, out: Path) -> int:
    """Peak RSS of one `export events` in a process of its own (a grandchild, so that
    RUSAGE_CHILDREN is its alone and not this test process's other children)."""
    cmd = [sys.executable, "-c", _PEAK, sys.executable, "-m", "complaintctl", "--db", str(db),
           "--quiet", "export", "events", "--format", fmt, "--output", str(out)]
    env = {**os.environ, "COMPLAINTCTL_USER": "tester"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, check=True)
    return int(proc.stdout.strip())


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_memory_is_flat_in_the_number_of_rows(run, tmp_path, fmt):
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    run("demo", "--complaints", "300", "--db", small)
    run("demo", "--complaints", "3000", "--db", large)
    counts = [sqlite3.connect(p).execute("SELECT count(*) FROM events").fetchone()[0]
              for p in (small, large)]
    assert counts[0] >= 1_500 and counts[1] >= 15_000  # about 2k and 20k rows
    peaks = [_peak_kib(db, fmt, tmp_path / f"{db.stem}.{fmt}") for db in (small, large)]
    lines = [sum(1 for _ in open(tmp_path / f"{db.stem}.{fmt}", "rb"))
             for db in (small, large)] if fmt != "xlsx" else counts
    assert lines[1] >= 15_000
    # ten times the rows: the peak grows by far less than the data (a few MiB of
    # SQLite page cache and writer buffers), while holding the rows would add
    # tens of MiB (events of 20k rows are about 9 MB as text, several times that
    # as Python objects)
    assert peaks[1] - peaks[0] < 8 * 1024, (counts, peaks)


def test_export_refuses_a_format_its_output_name_contradicts(lifecycle, tmp_path):
    """`--format csv --output x.xlsx` wrote CSV text into a file Excel will not open
    (`report` refused the same)."""
    run = lifecycle["run"]
    before = run.snapshot()
    for fmt, name in (("csv", "x.xlsx"), ("xlsx", "x.csv"), ("jsonl", "x.csv")):
        r = run("export", "events", "--format", fmt, "--output", tmp_path / name, code=2)
        assert f"is named for {Path(name).suffix[1:]}, not {fmt}" in r.stderr
        assert not (tmp_path / name).exists() and run.snapshot() == before
    run("export", "events", "--format", "csv", "--output", tmp_path / "x.txt")


def test_export_to_a_folder_that_does_not_exist_by_its_slash(lifecycle, tmp_path):
    run = lifecycle["run"]
    r = run("export", "events", "--format", "csv", "--output", f"{tmp_path}/nowhere/", code=2)
    assert f"folder {tmp_path}/nowhere/ does not exist" in r.stderr
    assert not (tmp_path / "nowhere").exists()


def test_a_cell_longer_than_xlsx_holds_is_refused_not_cut(ledger, tmp_path):
    """An investigation's texts of 45,000 characters: the events' data went into the
    workbook cut at 32,767, the archive copy silently short ("byte for byte")."""
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    long = "因" * 15000
    ledger("investigate", cid, "--finding", long, "--cause", long, "--containment", long)
    out = tmp_path / "events.xlsx"
    r = ledger("export", "events", "--output", out, code=2)
    assert "column data: 45," in r.stderr and "more than a cell holds (32,767)" in r.stderr
    assert "Hint: use --format csv or jsonl" in r.stderr
    assert not out.exists() and list(tmp_path.glob(".events.xlsx*")) == []
    ledger("export", "events", "--output", tmp_path / "events.jsonl")


def test_an_output_onto_a_read_only_disk_says_so_with_exit_1(ledger, tmp_path, monkeypatch):
    """`report --output` onto a read-only mount said "permission denied" with a hint to
    pick a folder one may write to, exit 2 (bad usage), where `backup` said the disk is
    read-only: a cron wrapper took a broken disk for a mistyped command."""
    ledger.log()
    statvfs = os.statvfs

    class ReadOnly:
        def __init__(self, real):
            self.f_flag = real.f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", lambda p: ReadOnly(statvfs(p)) if Path(p) == tmp_path
                        else statvfs(p))
    before = ledger.snapshot()
    r = ledger("report", "--month", "2026-10", "--format", "csv", "--output",
               tmp_path / "r.csv", code=1)
    assert r.stderr.startswith(f"Error: cannot write {tmp_path / 'r.csv'}: the disk is "
                               "read-only\n"), r.stderr
    # (its hint said to pick a folder one may write to, as for a mistyped path)
    assert "Hint: give --output a file on another disk, or have this one made writable" \
        in r.stderr, r.stderr
    assert ledger.snapshot() == before and not (tmp_path / "r.csv").exists()


def test_days_and_times_before_excels_march_1900_are_what_they_say(ledger, tmp_path):
    """A ship date of 1900-01-01 was written as serial 0 (Excel shows 1900-01-00): a
    midnight read as a time of day alone; a report from 1900 on wrote its previous
    period's end, in 1899, as a negative date (#####). A day is its serial, a time
    before March 1900 (Excel's 29 February) its text."""
    import openpyxl

    cid = ledger.log("--shipped", "1900-01-01", received="1900-01-01 00:00")
    ledger.log("--shipped", "1900-03-01", received="2026-11-05 10:00")
    out, _r = _export(ledger, tmp_path, "complaints", "xlsx")
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("id")].value: r for r in ws.iter_rows(min_row=2)}
    shipped, received = header.index("shipped_on"), header.index("received_at")
    assert rows[cid][shipped].value == datetime(1900, 1, 1)  # (serial 1, not 0)
    assert rows[cid][received].value == "1900-01-01 00:00:00"  # text, not serial 0
    later = next(r for k, r in rows.items() if k != cid)
    assert later[shipped].value == datetime(1900, 3, 1)
    book = tmp_path / "r.xlsx"
    ledger("report", "--since", "1900-01-01", "--until", "2026-12-31", "--output", book)
    summary = openpyxl.load_workbook(book).worksheets[0]
    (cell,) = [r[1] for r in summary.iter_rows() if r[0].value == "the previous period "
               "counted to"]
    # (as far into 1899 as the range has gone into 2026 at the pinned clock)
    assert isinstance(cell.value, str) and cell.value.startswith("1899-11-23 "), cell.value


def test_a_ledger_in_yen_is_not_shown_in_yuan(run, tmp_path):
    """A ledger in JPY wrote its amounts "¥"#,##0.00, as the yuan's: JP¥ in the cell."""
    import openpyxl

    db = tmp_path / "jp.db"
    run("--db", db, "init", "--timezone", "Asia/Tokyo", "--currency", "JPY")
    cid = run("--db", db, "log", "--no-input", "--customer", "甲", "--description", "d",
              "--channel", "phone", "--category", "quality", "--severity", "low",
              "--received", "2026-11-02 10:00").stdout.strip()
    run("--db", db, "assign", cid, "--dept", "品質", "--owner", "佐藤")
    run("--db", db, "investigate", cid, "--cause", "c", "--cause-category", "design")
    run("--db", db, "resolve", cid, "--disposition", "refund", "--amount", "1200",
        "--approved-by", "部長", "--summary", "s")
    out = tmp_path / "c.xlsx"
    run("--db", db, "export", "complaints", "--output", out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    (row,) = list(ws.iter_rows(min_row=2))
    amount = row[header.index("resolution.amount")]
    assert amount.value == 1200 and amount.number_format == '"JP¥"#,##0', (
        amount.value, amount.number_format)


def test_what_a_killed_export_left_is_removed_by_the_next(ledger, tmp_path, monkeypatch):
    """An XLSX export killed outright (kill -9, the OOM killer) left its working folder
    in the temporary folder, its sheets holding every contact (unmasked with --reveal),
    and its temporary file beside the output: for good. The next export removes what
    is older than an hour and this user's own; a younger one (an export still at work)
    is left."""
    import tempfile

    ledger.log()
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    out = tmp_path / "out"
    out.mkdir()
    # (the file system's clock, as the export's is: the suite's own may be set ahead)
    old = os.stat(out).st_mtime - 7200
    killed = temp / "complaintctl-xlsx-abcd1234"
    killed.mkdir()
    (killed / "sheet1.xml").write_text("13812345678", encoding="utf-8")
    young = temp / "complaintctl-xlsx-efgh5678"
    young.mkdir()
    other = temp / "complaintctl-xlsx-notmine"  # (not a name mkdtemp gives)
    other.mkdir()
    # an export at work for hours: its folder's own time is its first file's, its sheet's
    # file is written as it goes (judged by the folder's own time, it was removed under it)
    working = temp / "complaintctl-xlsx-wrk12345"
    working.mkdir()
    (working / "sheet1.xml").write_text("…", encoding="utf-8")
    left = out / ".complaintctl-k9r2x7qz.partial"
    left.write_bytes(b"")
    # the user's own hidden files, their names like a temporary file's: they were removed
    own = [out / ".c.xlsx.20261130", out / ".c.xlsx.original"]
    for path in own:
        path.write_bytes(b"mine")
    for path in (killed / "sheet1.xml", killed, other, left, working, *own):
        os.utime(path, (old, old))
    kept = [other.name, young.name, working.name]
    if os.getuid() == 0:  # another user's, however old: left
        others = temp / "complaintctl-xlsx-nobody12"
        others.mkdir()
        os.chown(others, 65534, 65534)
        os.utime(others, (old, old))
        kept.append(others.name)
    # (this process's clock set years ahead, as faketime sets it: the folders are judged
    # by the file system's; judged by it, another export's at work were all removed)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 1700 * 86400)
    done = ledger("export", "complaints", "--reveal", "--format", "xlsx", "--output",
                  out / "c.xlsx")
    monkeypatch.setattr(time, "time", real)
    # said, as a backup says its own (it was removed without a word)
    assert "Removed .complaintctl-k9r2x7qz.partial: a partial file a killed write had " \
        "left.\n" in done.stderr, done.stderr
    # and the workbook's working folder (its sheets, contacts in clear: removed unsaid)
    assert f"Removed {killed}: the working folder of a killed workbook write (its " \
        "sheets).\n" in done.stderr, done.stderr
    assert done.stderr.count("Removed ") == 2, done.stderr
    assert sorted(p.name for p in temp.iterdir()) == sorted(kept)
    assert sorted(p.name for p in out.iterdir()) == [".c.xlsx.20261130", ".c.xlsx.original",
                                                     "c.xlsx"]
    long = out / ("投" * 83 + ".csv")  # 253 bytes: its temporary file's name held it, and
    ledger("export", "complaints", "--output", long)  # was too long
    assert long.exists()


def test_a_full_temporary_folder_is_said_as_such_not_as_the_output_s_disk(
        lifecycle, tmp_path, monkeypatch):
    """A workbook is built in a temporary folder: that disk full (a small /tmp) was said
    "cannot write events.xlsx: no space left on the disk" of a disk with 56 GB free, and
    its hint to write to another disk failed alike. The folder is named, and TMPDIR."""
    import tempfile

    import xlsxwriter

    run = lifecycle["run"]
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    def full(self):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(xlsxwriter.Workbook, "close", full)
    r = run("export", "events", "--format", "xlsx", "--output", tmp_path / "e.xlsx", code=1)
    assert r.stderr == (f"Error: no space left in the temporary folder {temp}, where the "
                        "workbook is built\nHint: free some space there, or set TMPDIR to a "
                        "folder on a disk with room, then run it again\n"), r.stderr
    assert not (tmp_path / "e.xlsx").exists() and not list(temp.iterdir())


@pytest.mark.parametrize(("error", "hint"), [
    (errno.ENOSPC, "Hint: free some space on that disk (or write to another), then run it "
                   "again\n"),
    (errno.EFBIG, "Hint: raise the limit on a file's size (4,096,000,000 bytes here: ulimit -f "
                  "unlimited; cron's or systemd's LimitFSIZE), or free some space on that disk, "
                  "then run it again\n")])
def test_a_full_disk_under_a_file_size_limit_is_told_to_free_space(lifecycle, tmp_path,
                                                                   monkeypatch, error, hint):
    """Any finite `ulimit -f` (4 GB, a hardened host's) led a full disk's hint with "raise
    the limit on a file's size"; only a write that met the limit (EFBIG) is told so."""
    import io

    from complaintctl import cli, i18n

    run = lifecycle["run"]
    monkeypatch.setattr(i18n, "file_size_limit", lambda: 4_096_000_000)

    class Full(io.BytesIO):
        def write(self, data: bytes) -> int:  # type: ignore[override]
            raise OSError(error, os.strerror(error))

    real = cli.os.fdopen
    monkeypatch.setattr(cli.os, "fdopen", lambda fd, *a, **k: (real(fd, *a, **k).close(),
                                                                  Full())[1])
    r = run("export", "complaints", "--format", "csv", "--output", tmp_path / "e.csv", code=1)
    assert r.stderr.endswith(hint), r.stderr
    assert not (tmp_path / "e.csv").exists()
