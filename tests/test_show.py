"""Reading a complaint, the overdue list and the register as people read them: `show` as
the handling form (客户投诉处理单 / 8D) in sections, every stored fact visible in the
table, markdown and csv, times in the ledger's zone; `overdue` and the report's register
one line per row at 80 columns, CJK names cut by display width, no word split."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from support import record_csv

ZONE = ZoneInfo("Asia/Shanghai")
UTC_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")

SECTIONS = ["Intake", "Validity", "Investigation (8D: D3–D7)", "CAPA items (D6)",
            "Resolution and approval", "Returns", "Revisits", "Deadlines",
            "Communication log (沟通记录)", "Attachments (凭证)",
            "History (times in Asia/Shanghai)"]


def local(stamp: str, day: bool = False) -> str:
    """A stored UTC time as `show` writes it in the ledger's zone."""
    dt = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZONE)
    return dt.strftime("%Y-%m-%d" if day else "%Y-%m-%d %H:%M")


@pytest.fixture
def lifecycle(ledger, tmp_path):
    """One complaint taken through every step, each with every option it stores."""
    run = ledger
    cid = run("log", "--customer", "华东电器有限公司", "--description", "电机异响，运行时有咔嗒声",
              "--category", "quality", "--severity", "high", "--channel", "phone",
              "--product", "XD-200", "--lot", "L2509", "--quantity", "12", "--order", "PO-88",
              "--region", "华东区", "--shipped", "2026-09-01", "--demand", "exchange",
              "--contact", "13812345678", "--received", "2026-09-30 10:00").stdout.strip()
    run("assign", cid, "--dept", "质量部", "--owner", "王芳", "--note", "请优先处理",
        "--at", "2026-09-30 11:00")
    run("investigate", cid, "--finding", "拆机发现轴承磨损", "--upheld", "--cause", "轴承扭矩不足",
        "--cause-category", "supplier", "--responsibility", "supplier", "--supplier", "宁波轴承厂",
        "--containment", "库存全检 200 台", "--corrective", "调整装配扭矩",
        "--preventive", "首件检验加扭矩项", "--at", "2026-10-08 09:00")
    run("investigate", cid, "--finding", "同批次 3 台同样问题", "--at", "2026-10-08 15:00")
    run("action", "add", cid, "--text", "修订作业指导书 WI-12", "--owner", "李强",
        "--due", "2026-10-20", "--at", "2026-10-08 16:00")
    run("action", "done", "1", "--at", "2026-10-12 10:00")
    run("action", "verify", "1", "--note", "抽检 50 台无异响", "--at", "2026-10-15 10:00")
    run("return", "open", cid, "--qty", "12", "--reason", "异响退回", "--at", "2026-10-08 17:00")
    rma = ledger.rows("SELECT id FROM returns")[0][0]
    run("return", "receive", rma, "--qty", "11", "--note", "少一台", "--at", "2026-10-09 10:00")
    run("return", "inspect", rma, "--result", "defect-confirmed", "--defective", "10",
        "--cause", "轴承", "--note", "10 台确认", "--at", "2026-10-09 14:00")
    run("return", "dispose", rma, "--action", "rework", "--qty", "10", "--repair-cost", "300",
        "--note", "返工", "--at", "2026-10-10 10:00")
    run("return", "dispose", rma, "--action", "scrap", "--qty", "1", "--cost", "120",
        "--at", "2026-10-10 11:00")
    run("return", "close", rma, "--at", "2026-10-10 12:00")
    run("resolve", cid, "--disposition", "compensation", "--summary", "换新 12 台并致歉",
        "--amount", "500", "--approved-by", "张总", "--at", "2026-10-12 09:00")
    run("note", cid, "--text", "客户确认收到新货", "--kind", "phone", "--at", "2026-10-12 16:00")
    photo = tmp_path / "异响截图.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    run("attach", cid, str(photo), "--note", "现场取证", "--at", "2026-10-12 17:00")
    run("revisit", cid, "--satisfaction", "basically-satisfied", "--method", "visit",
        "--demand-met", "--note", "希望以后发货前多检查", "--at", "2026-10-13 15:00")
    return cid, rma


def stored_facts(db, cid: str) -> list[str]:
    """Every value the steps stored for the complaint, as `show` must write it: text as
    typed, codes by their English labels, times in the ledger's zone."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        c = conn.execute("SELECT * FROM complaints WHERE id = ?", (cid,)).fetchone()
        facts = [c[k] for k in ("id", "customer", "region", "order_no", "product", "lot",
                                "shipped_on", "description", "department", "owner",
                                "root_cause", "supplier", "approved_by",
                                "resolution_summary", "logged_by")]
        facts += [str(c["quantity"]), "*******5678", "high", "phone", "quality", "exchange",
                  "closed", "upheld", "supplier", "compensation", "basically satisfied",
                  "500.00 CNY"]
        facts += [local(c[k]) for k in ("received_at", "logged_at", "concluded_at",
                                        "resolved_at", "closed_at")]
        for (note,) in conn.execute("SELECT note FROM assignments WHERE complaint_id = ?",
                                    (cid,)):
            facts.append(note)
        for e in conn.execute("SELECT * FROM investigations WHERE complaint_id = ?", (cid,)):
            facts += [e[k] for k in ("finding", "containment", "corrective", "preventive")
                      if e[k]]
            facts.append(local(e["at"]))
        for a in conn.execute("SELECT * FROM actions WHERE complaint_id = ?", (cid,)):
            facts += [a["text"], a["owner"], a["verify_note"], local(a["due_at"], day=True),
                      local(a["done_at"], day=True), local(a["verified_at"], day=True)]
        for v in conn.execute("SELECT * FROM revisits WHERE complaint_id = ?", (cid,)):
            facts += [v["note"], local(v["at"]), "visit"]
        for n in conn.execute("SELECT * FROM notes WHERE complaint_id = ?", (cid,)):
            facts += [n["text"], local(n["at"])]
        for a in conn.execute("SELECT * FROM attachments WHERE complaint_id = ?", (cid,)):
            facts += [a["name"], a["note"], a["sha256"][:12], local(a["at"])]
        for r in conn.execute("SELECT * FROM returns WHERE complaint_id = ?", (cid,)):
            facts += [r["id"], "defect confirmed", r["cause"], "rework 10", "scrap 1",
                      "120.00 CNY", "300.00 CNY", local(r["closed_at"])]
        for s in conn.execute("SELECT * FROM stages WHERE complaint_id = ? AND return_id "
                              "IS NULL", (cid,)):
            facts += [local(s["due_at"]), local(s["done_at"])]
        for (at,) in conn.execute("SELECT at FROM events WHERE complaint_id = ?", (cid,)):
            facts.append(local(at))
    finally:
        conn.close()
    return facts


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_show_has_every_stored_fact(lifecycle, ledger, monkeypatch, fmt):
    cid, _rma = lifecycle
    monkeypatch.setenv("COLUMNS", "1000")  # a table wide enough that no cell wraps
    out = ledger("show", cid, "--format", fmt).stdout
    if fmt == "markdown":  # what markdown would read as markup is escaped (`\*` is a *)
        out = out.replace("\\*", "*").replace("\\_", "_")
    missing = [f for f in stored_facts(ledger.db, cid) if f not in out]
    assert missing == []
    assert not UTC_STAMP.search(out)  # no stored (UTC) time is shown as stored
    assert "13812345678" not in out and "h:" not in out


def test_show_sections_in_the_order_of_the_procedure(lifecycle, ledger):
    cid, rma = lifecycle
    md = ledger("show", cid, "--format", "markdown").stdout
    assert md.startswith(f"# Complaint {cid}\n")
    assert re.findall(r"^## (.*)$", md, re.M) == SECTIONS
    lines = record_csv(ledger("show", cid, "--format", "csv").stdout)
    assert list(dict.fromkeys(s for s, _f, _v in lines)) == SECTIONS
    table = ledger("show", cid).stdout
    positions = [table.index(title) for title in SECTIONS]
    assert positions == sorted(positions)
    # the investigation as 8D fields, in the form's order
    inv = [(f, v) for s, f, v in lines if s == SECTIONS[2]]
    assert [f for f, _v in inv] == ["findings", "D3 containment", "D4 root cause",
                                    "cause category", "responsibility",
                                    "D5 corrective action", "D7 preventive action",
                                    "investigated"]
    assert dict(inv)["findings"] == ("2026-10-08 09:00: 拆机发现轴承磨损\n"
                                     "2026-10-08 15:00: 同批次 3 台同样问题")
    assert dict(inv)["responsibility"] == "supplier (宁波轴承厂)"
    intake = dict((f, v) for s, f, v in lines if s == "Intake")
    assert intake["assigned"] == "2026-09-30 11:00 by tester"
    assert intake["assignment note"] == "请优先处理"
    resolution = dict((f, v) for s, f, v in lines if s == "Resolution and approval")
    assert resolution == {"disposition": "compensation", "amount": "500.00 CNY",
                          "approved by": "张总", "customer told": "换新 12 台并致歉",
                          "resolved": "2026-10-12 09:00 by tester",
                          "closed": "2026-10-13 15:00 by tester"}
    revisit = [(f, v) for s, f, v in lines if s == "Revisits"]
    assert revisit == [("2026-10-13 15:00", "by: tester; method: visit; satisfaction: "
                        "basically satisfied; demand met: yes; customer's words: "
                        "希望以后发货前多检查")]
    assert (SECTIONS[5], "", f"Receipts, inspection notes and each disposition: "
            f"complaintctl show {rma}") in lines


def test_show_deadlines_in_lifecycle_order_with_their_status(lifecycle, ledger):
    cid, _rma = lifecycle
    lines = record_csv(ledger("show", cid, "--format", "csv").stdout)
    deadlines = [(f, v) for s, f, v in lines if s == "Deadlines"]
    # assign due 30 Sep 14:00 (done 11:00); investigate due 3 wd after the assignment,
    # over the National Day holiday (done 8 Oct); resolve due Sat 10 Oct (a make-up
    # working day), done 12 Oct; revisit due 13 Oct 09:00, done 15:00
    assert deadlines == [
        ("assign", "started: 2026-09-30 10:00; due: 2026-09-30 14:00; done: 2026-09-30 11:00; "
                   "status: on time"),
        ("investigate", "started: 2026-09-30 11:00; due: 2026-10-09 11:00; done: "
                        "2026-10-08 09:00; status: on time"),
        ("resolve", "started: 2026-09-30 10:00; due: 2026-10-10 10:00; done: 2026-10-12 09:00; "
                    "status: late"),
        ("revisit", "started: 2026-10-12 09:00; due: 2026-10-13 09:00; done: 2026-10-13 15:00; "
                    "status: late")]
    # in Chinese, with its marks (they were the English ones: 开始: …; 期限: …)
    zh = ledger("--lang", "zh", "show", cid, "--format", "csv").stdout
    assert "处理时限,分派,开始：2026-09-30 10:00；期限：2026-09-30 14:00；" \
        "完成：2026-09-30 11:00；状态：按时" in zh, zh
    table = ledger("show", cid).stdout
    assert re.search(r"resolve +late +2026-09-30 10:00 +2026-10-10 10:00 +2026-10-12 09:00",
                     table)
    # open ones: one not yet due, one past due at the pinned clock (23 Nov 12:00 UTC)
    fresh = ledger.log(received="2026-11-23 19:00")
    old = ledger.log(received="2026-11-20 09:00")
    states = {cid: dict((f, v.rsplit("status: ", 1)[1]) for s, f, v in record_csv(
        ledger("show", cid, "--format", "csv").stdout) if s == "Deadlines")
        for cid in (fresh, old)}
    assert states == {fresh: {"assign": "open", "resolve": "open"},
                      old: {"assign": "overdue", "resolve": "open"}}  # resolve: 3 wd


def test_show_history_is_readable_in_the_ledgers_zone(lifecycle, ledger):
    cid, _rma = lifecycle
    rec = ledger.json("show", cid)
    lines = record_csv(ledger("show", cid, "--format", "csv").stdout)
    history = [(f, v) for s, f, v in lines if s.startswith("History")]
    assert [f.split(" ", 2)[:2] for f, _v in history] == [
        local(e["at"]).split(" ") for e in rec["events"]]
    steps = dict(history)
    assert steps["2026-09-30 11:00 assigned by tester"].startswith(
        "status: logged → assigned; department: 质量部; owner: 王芳; note: 请优先处理; "
        "due: investigate 2026-10-09 11:00")  # 3 working days; never UTC
    assert steps["2026-10-13 15:00 revisited by tester"].startswith(
        "status: resolved → closed; method: visit; satisfaction: basically satisfied; "
        "demand met: yes; note: 希望以后发货前多检查")
    assert "(entered 2026-11-23 20:00)" in steps["2026-10-12 09:00 resolved by tester"]
    assert steps["2026-09-30 10:00 logged by tester"].count("contact: (kept only as a "
                                                            "keyed hash)") == 1


def test_show_at_80_columns_fits_and_keeps_every_section(lifecycle, ledger, monkeypatch):
    cid, rma = lifecycle
    monkeypatch.setenv("COLUMNS", "80")
    for record in (cid, rma):
        out = ledger("show", record).stdout
        assert max(cell_len(line) for line in out.splitlines()) <= 80
    table = ledger("show", cid).stdout
    assert all(title in table for title in SECTIONS)
    assert "verification" in table and "verifi\n" not in table


def test_show_of_a_return_has_its_inspection_note_and_receipts(lifecycle, ledger):
    _cid, rma = lifecycle
    lines = record_csv(ledger("show", rma, "--format", "csv").stdout)
    fields = {f: v for s, f, v in lines if s == "Return"}
    assert fields["inspection note"] == "10 台确认"
    assert fields["reason"] == "异响退回"
    assert fields["inspection"] == "defect confirmed, 10 defective, 轴承"
    assert fields["disposed"] == "11 of 11 (rework 10, scrap 1)"
    assert ("Receipts", "2026-10-09 10:00", "by: tester; qty: 11; note: 少一台") in lines


def test_show_not_upheld_void_and_closing_without_revisit(ledger):
    a = ledger.log(received="2026-10-12 09:00")
    ledger("assign", a, "--dept", "QA", "--owner", "Li", "--at", "2026-10-12 10:00")
    ledger("investigate", a, "--not-upheld", "--reason", "客户使用不当", "--cause", "超载",
           "--cause-category", "customer-misuse", "--responsibility", "customer",
           "--at", "2026-10-13 09:00")
    ledger("resolve", a, "--disposition", "explanation", "--summary", "已说明",
           "--at", "2026-10-13 10:00")
    ledger("close", a, "--no-revisit", "--reason", "客户不再回应", "--at", "2026-10-20 10:00")
    b = ledger.log(received="2026-10-12 09:00", customer="Other Co")
    ledger("void", b, "--reason", "重复登记", "--at", "2026-10-12 10:00")
    shown = {f: v for s, f, v in record_csv(ledger("show", a, "--format", "csv").stdout)
             if s in ("Validity", "Resolution and approval", "Investigation (8D: D3–D7)")}
    assert shown["validity"] == "not upheld" and shown["reason"] == "客户使用不当"
    assert shown["cause category"] == "customer misuse"
    assert shown["closed"] == "2026-10-20 10:00 by tester (客户不再回应)"
    voided = {f: v for _s, f, v in record_csv(ledger("show", b, "--format", "csv").stdout)}
    assert voided["voided"] == "2026-10-12 10:00 by tester: 重复登记"
    assert voided["status"] == "void"


def test_a_not_upheld_decision_withdrawn_is_said_so_and_resolves_only_with_a_cause(ledger):
    """Not upheld, then upheld after all with a finding and no cause: `show` kept the
    withdrawn reason under "upheld", and the complaint resolved with a refund and no root
    cause ever recorded (it had concluded on the decision withdrawn)."""
    a = ledger.log(received="2026-10-12 09:00")
    ledger("assign", a, "--dept", "QA", "--owner", "Li", "--at", "2026-10-12 10:00")
    ledger("investigate", a, "--not-upheld", "--reason", "符合规格", "--at", "2026-10-13 09:00")
    ledger("investigate", a, "--upheld", "--finding", "复测不合格", "--at", "2026-10-13 10:00")
    shown = {f: v for s, f, v in record_csv(ledger("show", a, "--format", "csv").stdout)
             if s == "Validity"}
    assert shown["validity"] == "upheld" and "reason" not in shown, shown
    assert "符合规格" in shown["reason not upheld, withdrawn"], shown
    before = ledger.snapshot()
    r = ledger("resolve", a, "--disposition", "refund", "--amount", "300", "--summary", "退款",
               "--at", "2026-10-13 11:00", code=1)
    assert r.stderr.startswith(f"Error: cannot resolve {a}: it was found not upheld, then "
                               "upheld, and no root cause is recorded\nHint: record it: "
                               f"complaintctl investigate {a} --cause TEXT\n"), r.stderr
    assert ledger.snapshot() == before
    ledger("investigate", a, "--cause", "温控失效", "--at", "2026-10-13 12:00")
    ledger("resolve", a, "--disposition", "refund", "--amount", "300", "--summary", "退款",
           "--at", "2026-10-13 13:00")


def test_the_closing_names_who_took_the_step_that_closed_it(ledger):
    """A complaint closed by its revisit showed "closed <time>" with no one; one closed,
    reopened by its second revisit and closed again by a revisit named the first close's
    clerk under the revisit's time."""
    a = ledger.log()
    ledger.to_state(a, "resolved")
    ledger("--as", "liu", "revisit", a, "--satisfaction", "satisfied", "--at",
           "2026-10-14 10:00")
    shown = {f: v for s, f, v in record_csv(ledger("show", a, "--format", "csv").stdout)
             if s == "Resolution and approval"}
    assert shown["closed"] == "2026-10-14 10:00 by liu", shown
    b = ledger.log(customer="乙公司")
    ledger.to_state(b, "resolved")
    ledger("--as", "zhang", "close", b, "--no-revisit", "--reason", "联系不上", "--at",
           "2026-10-14 10:00")
    shown = {f: v for s, f, v in record_csv(ledger("show", b, "--format", "csv").stdout)
             if s == "Resolution and approval"}
    assert shown["closed"] == "2026-10-14 10:00 by zhang (联系不上)", shown


def test_show_json_keeps_codes(lifecycle, ledger):
    cid, _rma = lifecycle
    rec = ledger.json("show", cid)
    assert rec["investigation"]["entries"][0]["containment"] == "库存全检 200 台"
    assert rec["revisits"][0]["satisfaction"] == "basically-satisfied"
    assert rec["resolution"]["disposition"] == "compensation"
    assert rec["received_at"] == "2026-09-30T02:00:00Z"


@pytest.fixture
def chinese(ledger):
    """The ledger's display language Chinese (the word table's labels)."""
    ledger("policy", "language", "zh")


def test_show_labels_follow_the_display_language(lifecycle, ledger, chinese):
    cid, _rma = lifecycle
    out = ledger("show", cid, "--format", "csv").stdout
    assert "基本满意" in out and "赔偿" in out and "供应商" in out and "上门" in out
    assert ledger.json("show", cid)["revisits"][0]["satisfaction"] == "basically-satisfied"


# --- overdue ------------------------------------------------------------------------------

LONG_NAMES = ["深圳市华强北电子科技有限公司第一分公司", "Globex International Holdings GmbH",
              "广州白云机电设备制造有限公司"]


def _late_ledger(ledger):
    ids = []
    for i, customer in enumerate(LONG_NAMES):
        cid = ledger.log(customer=customer, severity=("critical", "high", "medium")[i],
                         received="2026-11-02 09:00")
        ids.append(cid)
    ledger("assign", ids[1], "--dept", "质量管理部华东区", "--owner", "欧阳娜娜",
           "--at", "2026-11-02 10:00")
    return ids


def test_show_keeps_a_persons_and_a_steps_name_whole_at_80_columns(ledger, monkeypatch):
    """At 80 columns the history's actor and step columns were narrowed to four cells
    (倉管黃 / 小玲, 新增 / 纠正 / 预防 / 措施) while the text beside them kept its width."""
    monkeypatch.setenv("COLUMNS", "80")
    cid = ledger.log()
    ledger("--as", "倉管黃小玲", "assign", cid, "--dept", "品保部", "--owner", "林美華",
           "--at", "2026-09-30 11:00")
    ledger("--as", "倉管黃小玲", "investigate", cid, "--cause", "焊點虛焊", "--at",
           "2026-09-30 12:00")
    ledger("--as", "倉管黃小玲", "action", "add", cid, "--text",
           "加強焊接檢驗，增加 X 光抽檢，並對供應商來料做百分之百全檢", "--owner", "王",
           "--due", "2026-12-30")
    lines = ledger("--lang", "zh", "show", cid).stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    history = lines[next(i for i, line in enumerate(lines) if line.startswith("处理记录")):]
    steps = [line for line in history if "倉管黃小玲" in line]
    assert len(steps) == 3, history  # each step's actor on one line, whole
    assert any("新增纠正预防措施" in line for line in steps), lines


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_overdue_table_one_line_per_row_at_80_columns(ledger, monkeypatch, lang):
    _late_ledger(ledger)
    monkeypatch.setenv("COLUMNS", "80")
    if lang == "zh":
        monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    out = ledger("overdue", "--as-of", "2026-11-06 12:00").stdout
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    rows = [line for line in lines if line.lstrip().startswith("CC-")]
    expected = ledger.json("overdue", "--as-of", "2026-11-06 12:00")
    assert len(rows) == len(expected) == 5  # one line each: nothing wrapped
    for line, r in zip(rows, expected, strict=True):
        assert line.split()[0] == r["id"]
        severity = {"en": r["severity"], "zh": {"critical": "紧急", "high": "高",
                                                "medium": "中"}[r["severity"]]}[lang]
        assert f" {severity} " in line
    # long names are cut with … by display width, and start as stored
    assert "…" in out
    for name in LONG_NAMES:
        assert name[:4] in out
    assert "欧阳" in out  # the owner, after the department
    assert {"en": "Escalate to: L3 general manager", "zh": "升级至：三级 总经理"}[lang] in out


def test_a_cut_overdue_table_names_whom_every_level_of_its_title_goes_to(ledger, monkeypatch):
    """The title counts every late stage (L3 215, L2 3, L1 1) but the legend under a
    table cut by --limit named only the levels of the rows shown: whom L2 and L1 go to
    was nowhere."""
    _late_ledger(ledger)
    monkeypatch.setenv("COLUMNS", "80")
    every = ledger.json("overdue", "--as-of", "2026-11-06 12:00")
    levels = sorted({r["escalation_level"] for r in every if r["escalation_level"]},
                    reverse=True)
    assert len(levels) > 1, every  # (else there is nothing to leave out)
    r = ledger("overdue", "--as-of", "2026-11-06 12:00", "--limit", "1")
    assert sum(line.lstrip().startswith("CC-") for line in r.stdout.splitlines()) == 1
    legend = next(line for line in r.stdout.splitlines() if line.startswith("Escalate to:"))
    assert [part.split()[0] for part in legend.removeprefix("Escalate to: ").split("; ")] == [
        f"L{n}" for n in levels], legend
    assert "Showing the 1 most late of 5" in r.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("columns", [60, 50, 44])
def test_a_narrow_terminal_cuts_names_not_ids_or_lateness(ledger, monkeypatch, lang, columns):
    """At 60 columns the overdue table showed CC-2026-0…, RMA-2026-00… and "11…" (hours
    or working days?), and list CC-2026-0…: a row could not be acted on."""
    _late_ledger(ledger)
    monkeypatch.setenv("COLUMNS", str(columns))
    if lang == "zh":
        monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    out = ledger("overdue", "--as-of", "2026-11-06 12:00").stdout
    expected = ledger.json("overdue", "--as-of", "2026-11-06 12:00")
    rows = [line.split() for line in out.splitlines() if line.lstrip().startswith("CC-")]
    assert [r[0] for r in rows] == [r["id"] for r in expected], out
    unit = {"en": " wd", "zh": "个工作日"}[lang]  # (in Chinese as policy show: 3个工作日)
    for words, r in zip(rows, expected, strict=True):
        assert f"{r['late_working_days']}{unit}" in " ".join(words), out
    listed = ledger("list").stdout
    ids = [line.split()[0] for line in listed.splitlines() if line.lstrip().startswith("CC-")]
    assert ids and all(re.fullmatch(r"CC-\d{4}-\d{4}", i) for i in ids), listed


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_terminal_narrower_still_gives_up_the_severity_then_stacks_the_rows(
        ledger, monkeypatch, lang):
    """Below 50 columns the overdue table cut the id (CC-2026-00…) and how late (240…),
    the level to lev…; list and return list cut their ids at 30. At 40 columns the
    severity goes (the level says whom to tell); narrower, each row is drawn under the
    other, title beside value: every id and figure whole."""
    _late_ledger(ledger)
    if lang == "zh":
        monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    expected = ledger.json("overdue", "--as-of", "2026-11-06 12:00")
    unit = {"en": " wd", "zh": "个工作日"}[lang]
    monkeypatch.setenv("COLUMNS", "40")
    out = ledger("overdue", "--as-of", "2026-11-06 12:00").stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 40
    rows = [line.split() for line in out.splitlines() if line.lstrip().startswith("CC-")]
    assert [r[0] for r in rows] == [r["id"] for r in expected], out
    for words, r in zip(rows, expected, strict=True):
        late = f"{r['late_working_days']}{unit}" if r["late_working_days"] else None
        assert late is None or late in " ".join(words), out
        level = r["escalation_level"]
        assert words[-1] == ("-" if not level else f"L{level}" if lang == "en" else
                             "一二三"[level - 1] + "级")
    assert "…" not in out, out
    monkeypatch.setenv("COLUMNS", "30")
    out = ledger("overdue", "--as-of", "2026-11-06 12:00").stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 30
    stacked = [line.split() for line in out.splitlines()]
    assert [w[1] for w in stacked if w and w[0] == {"en": "id", "zh": "编号"}[lang]] == [
        r["id"] for r in expected], out
    late = [" ".join(w[1:]) for w in stacked if w and w[0] == {"en": "late", "zh": "逾期"}[lang]]
    assert len(late) == len(expected), out
    for said, r in zip(late, expected, strict=True):
        assert said == f"{r['late_working_days']}{unit}" if r["late_working_days"] else \
            said.endswith({"en": " h", "zh": "小时"}[lang]), out
    assert "…" not in out, out
    # row under row there is room for the columns a table gives up: the customer's too
    assert sum(line.split()[:1] == [{"en": "customer", "zh": "客户"}[lang]]
               for line in out.splitlines()) == len(expected), out
    listed = ledger("list").stdout
    assert max(cell_len(line) for line in listed.splitlines()) <= 30
    assert "…" not in listed and "CC-2026-0001" in listed, listed


def test_a_name_cut_on_a_narrow_terminal_ends_with_its_mark(ledger, monkeypatch):
    """A Chinese name cut where a wide character would cross the edge read "Osaka家电 …":
    rich left the half cell before its "…". The mark follows the last character kept."""
    ledger.log(customer="Osaka1家电有限公司", product="XD-300 电机")
    monkeypatch.setenv("COLUMNS", "80")
    for ascii_, mark in (((), "…"), (("--ascii",), "~")):
        out = ledger(*ascii_, "list").stdout
        assert f"Osaka1家电{mark}" in out and f"Osaka1家电 {mark}" not in out, out


def test_overdue_table_shows_the_due_time_where_there_is_room(ledger, monkeypatch):
    _late_ledger(ledger)
    monkeypatch.setenv("COLUMNS", "160")
    out = ledger("overdue", "--as-of", "2026-11-06 12:00").stdout
    assert "2026-11-02 10:00" in out and "深圳市华强北电子科技有限公司第一分公司" in out
    monkeypatch.setenv("COLUMNS", "80")
    assert "2026-11-02 10:00" not in ledger("overdue", "--as-of", "2026-11-06 12:00").stdout


def test_overdue_other_formats_carry_labels_and_every_column(ledger):
    _late_ledger(ledger)
    md = ledger("overdue", "--as-of", "2026-11-06 12:00", "--format", "markdown").stdout
    assert "| severity |" in md and "| customer |" in md and "| critical |" in md
    assert LONG_NAMES[0] in md  # whole in a file


# --- the register ---------------------------------------------------------------------------

def test_register_at_80_columns_splits_no_word(ledger, monkeypatch):
    disposals = ["compensation", "explanation", "exchange", "no-action"]
    for i, disposition in enumerate(disposals):
        cid = ledger.log(customer=LONG_NAMES[i % len(LONG_NAMES)],
                         product="Industrial Ventilation Controller VC-9000",
                         received=f"2026-10-{12 + i} 09:00")
        ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", f"2026-10-{12 + i} 10:00")
        ledger("investigate", cid, "--cause", "x", "--at", f"2026-10-{12 + i} 10:30")
        ledger("resolve", cid, "--disposition", disposition, "--summary", "done",
               *(["--amount", "50"] if disposition == "compensation" else []),
               "--at", f"2026-10-{12 + i} 11:00")
        ledger("revisit", cid, "--satisfaction", "basically-satisfied",
               "--at", f"2026-10-{12 + i} 15:00")
    monkeypatch.setenv("COLUMNS", "80")
    out = ledger("report", "--month", "2026-10").stdout
    register = out[out.index("Register"):]
    lines = register.splitlines()
    # (the chain head is printed whole, for verify --head: the terminal folds it)
    assert max(cell_len(line) for line in out.splitlines()
               if not line.startswith("Chain head: ")) <= 80
    rows = [line for line in lines if line.lstrip().startswith("CC-")]
    assert len(rows) == 4  # one line per complaint
    for row, disposition in zip(rows, disposals, strict=True):
        assert f" {disposition.replace('-', ' ')} " in row
    words = set(re.findall(r"[A-Za-z]+", register))
    assert not {"compensat", "ion", "explanati", "dispositi"} & words
    # csv and markdown carry every name whole
    md = ledger("report", "--month", "2026-10", "--format", "markdown").stdout
    assert "| compensation | closed (basically satisfied) |" in md
    assert LONG_NAMES[0] in md


def test_report_json_keeps_codes(ledger):
    cid = ledger.log(received="2026-10-12 09:00")
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-10-12 10:00")
    ledger("investigate", cid, "--cause", "x", "--at", "2026-10-12 10:30")
    ledger("resolve", cid, "--disposition", "no-action", "--summary", "x",
           "--at", "2026-10-12 11:00")
    ledger("revisit", cid, "--satisfaction", "basically-satisfied", "--at", "2026-10-12 15:00")
    [line] = ledger.json("report", "--month", "2026-10")["register"]
    assert (line["disposition"], line["result"]) == ("no-action",
                                                     "closed (basically-satisfied)")


def test_show_a_reopened_complaint_round_by_round(ledger):
    """An unsatisfied revisit reopens: each resolution round is shown, the deadlines
    round by round with the second revisit (critical) after them, and the history says
    what changed from what."""
    cid = ledger.log(severity="critical", received="2026-11-02 09:00")
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-11-02 09:30")
    ledger("investigate", cid, "--cause", "c1", "--at", "2026-11-02 10:00")
    ledger("resolve", cid, "--disposition", "repair", "--summary", "s1",
           "--at", "2026-11-03 10:00")
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--note", "还是响",
           "--at", "2026-11-03 15:00")
    ledger("investigate", cid, "--cause", "c2", "--at", "2026-11-04 10:00")
    ledger("resolve", cid, "--disposition", "exchange", "--summary", "s2",
           "--at", "2026-11-04 12:00")
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-11-04 16:00")
    lines = record_csv(ledger("show", cid, "--format", "csv").stdout)
    resolution = [(f, v) for s, f, v in lines if s == "Resolution and approval"]
    assert ("round 1: disposition", "repair") in resolution
    assert ("round 2: disposition", "exchange") in resolution
    assert [f for s, f, _v in lines if s == "Deadlines"] == [
        "assign", "investigate", "resolve", "revisit", "resolve (round 2)",
        "revisit (round 2)", "second revisit"]
    history = dict((f, v) for s, f, v in lines if s.startswith("History"))
    assert history["2026-11-03 15:00 revisited by tester"].startswith(
        "status: resolved → investigating; satisfaction: unsatisfied; reopened: 0 → 1")
    assert history["2026-11-04 10:00 investigated by tester"] == (
        "D4 root cause: c1 → c2 (entered 2026-11-23 20:00)")


def test_money_is_written_as_a_reader_writes_it(ledger):
    """show groups an amount's thousands; in Chinese a yuan amount carries its sign
    (¥12,500.50), as a Chinese form writes it; the JSON keeps the plain amount."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    ledger("resolve", cid, "--disposition", "compensation", "--summary", "赔偿",
           "--amount", "12500.5", "--at", "2026-10-09 09:00")
    assert re.search(r"amount +12,500\.50 CNY", ledger("show", cid).stdout)
    assert re.search("金额 +¥12,500\\.50 ", ledger("--lang", "zh", "show", cid).stdout)
    assert ledger.json("show", cid)["resolutions"][0]["amount"] == "12500.50"
    # csv is for a program: the amount as stored with its code, in either language
    for lang, field in (("en", "amount"), ("zh", "金额")):
        out = ledger("--lang", lang, "show", cid, "--format", "csv").stdout
        assert f",{field},12500.50 CNY\n" in out and "12,500" not in out, out
    # and the history says the amount its step recorded the same way as the form
    en = ledger("show", cid, "--format", "markdown").stdout
    assert "amount: 12,500.50 CNY" in en and "currency: CNY" not in en
    zh = ledger("--lang", "zh", "show", cid, "--format", "markdown").stdout
    assert "金额：¥12,500.50" in zh and "币种" not in zh


def test_a_returns_costs_are_grouped_on_the_screen_and_plain_in_csv(ledger):
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    ledger("return", "open", cid, "--qty", "3", "--reason", "r")
    (rma,), = ledger.rows("SELECT id FROM returns")
    ledger("return", "receive", rma, "--qty", "3")
    ledger("return", "inspect", rma, "--result", "defect-confirmed", "--defective", "3")
    ledger("return", "dispose", rma, "--action", "scrap", "--qty", "3", "--cost", "12345.6")
    md = ledger("show", rma, "--format", "markdown").stdout
    assert "| 12,345.60 |" in md and "cost of loss: 12,345.60 CNY" in md
    zh = ledger("--lang", "zh", "show", rma, "--format", "markdown").stdout
    assert "损失金额：¥12,345.60" in zh
    csv_out = ledger("show", rma, "--format", "csv").stdout
    assert "12,345" not in csv_out and "12345.60" in csv_out
    assert ledger.json("show", rma)["disposition_lines"][0]["cost_of_loss"] == "12345.60"


def test_show_leaves_out_the_returns_columns_nothing_fills_yet(ledger, monkeypatch):
    """A return only received: at 80 columns its three empty columns (inspection,
    dispositions, costs) split their headers ("dispositio / ns") and ran the costs down
    four lines."""
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    rma = ledger("return", "open", cid, "--qty", "5", "--at", "2026-10-01 10:00").stdout.strip()
    ledger("return", "receive", rma, "--qty", "3", "--at", "2026-10-01 11:00")
    monkeypatch.setenv("COLUMNS", "80")
    out = ledger("show", cid).stdout
    section = out[out.index("Returns"):out.index("Receipts, inspection notes")]
    header = next(line for line in section.splitlines() if line.lstrip().startswith("return"))
    assert header.split() == ["return", "stage", "auth", "recv", "disp", "count"], section
    assert f"{rma} received" in section and "short 2" in section
    data = ledger.json("show", cid)["returns"][0]  # the JSON keeps every key
    assert "cost_of_loss" in data and "dispositions" in data


def test_a_value_too_wide_for_its_field_name_s_line_goes_to_the_next_whole():
    """金额：¥1,250.50 in 12 columns: the name and its value were one piece, 13 wide, cut
    inside the amount (额：¥1,250.5 | 0)."""
    from complaintctl.render import wrap_lines

    assert wrap_lines("金额：¥1,250.50 客户说", 12) == ["金额：", "¥1,250.50 客", "户说"]


def test_the_items_of_a_history_line_are_not_broken_inside_their_names():
    """show's history at 80 columns read 渠道：电 | 话 and 订单 | 号：SO-2611-0042: an item
    set off by ；goes to the next line whole when it fits one, and is broken at its
    joins only when it does not."""
    from complaintctl.render import wrap_lines

    text = "严重程度：高；渠道：电话；订单号：SO-2611-0042；批号：L2611；"
    assert wrap_lines(text, 26) == ["严重程度：高；渠道：电话；", "订单号：SO-2611-0042；",
                                    "批号：L2611；"]
    assert wrap_lines("描述：电机运行时有异响要求退货；批号：L1；", 14) == [
        "描述：电机运行", "时有异响要求退", "货；批号：L1；"]


def test_a_day_keeps_its_time_and_a_field_its_name_when_wrapped():
    """show's history at 60 columns read 受理：2026-12-05 | 15:00 (a day, then a time of
    something else) and 投诉内 | 容：电机…: a day and its time are one piece, and a field's
    name goes whole to the line of its value's start."""
    from complaintctl.render import wrap_lines

    assert wrap_lines("受理：2026-12-05 15:00；渠道：电话；", 18) == [
        "受理：", "2026-12-05 15:00；", "渠道：电话；"]
    assert wrap_lines("期限：分派 2026-12-05 19:00、处理 2026-12-10 00:00", 18) == [
        "期限：分派", "2026-12-05 19:00、", "处理", "2026-12-10 00:00"]
    assert wrap_lines("渠道：电话；投诉内容：电机运行时有异响，已经第三次了，客户很生气；", 20) == [
        "渠道：电话；", "投诉内容：电机运行时", "有异响，已经第三次", "了，客户很生气；"]
    # a line narrower than the day and its time breaks between them, not inside either,
    # and the time does not start its line with the space between them
    assert wrap_lines("受理：2026-12-05 15:00；", 12) == ["受理：", "2026-12-05", "15:00；"]
    assert wrap_lines("2026-11-28 21:51", 10) == ["2026-11-28", "21:51"]
    assert wrap_lines("(entered 2026-11-29 00:28)", 10) == ["(entered", "2026-11-29", "00:28)"]
    # a field's name keeps its value's start beside it where the line has the room (the
    # whole value went to the next line, the name alone on a line half empty)
    assert wrap_lines("答复客户：已电话告知客户处理结果 / customer informed；", 28) == [
        "答复客户：已电话告知客户处理", "结果 / customer informed；"]
    assert wrap_lines("类别：质量；投诉内容：控制板上电后指示灯不亮，客户要求退货。；", 40) == [
        "类别：质量；投诉内容：控制板上电后指示灯", "不亮，客户要求退货。；"]
    assert wrap_lines("渠道：电话；", 8) == ["渠道：", "电话；"]  # (a short value whole)
    # a model's number is no count: its next character is not its unit
    assert wrap_lines("产品：XD-200 电机", 14) == ["产品：XD-200", "电机"]
    # a count keeps its unit (the report's summary read 收货 1555 | 件（含以前…）
    assert wrap_lines("授权 65 单（1707 件）；收货 1555 件（含以前各期授权的退货）", 34) == [
        "授权 65 单（1707 件）；收货", "1555 件（含以前各期授权的退货）"]


def test_a_paragraphs_indent_is_kept_when_it_is_wrapped(ledger, monkeypatch):
    """A description typed as Chinese paragraphs, each opened by two full-width spaces
    (　　): the wrapping dropped the indent, and the paragraphs ran together."""
    from complaintctl.render import wrap_lines

    text = "\u3000\u3000客户反映电机运行时有异响，要求退货。\n\u3000\u3000第二段。"
    assert wrap_lines(text, 20) == ["\u3000\u3000客户反映电机运行", "时有异响，要求退货。",
                                    "\u3000\u3000第二段。"]
    assert wrap_lines("  - one item to wrap", 12) == ["  - one item", "to wrap"]
    # (the text's own leading space is trimmed when it is typed, as every field's is)
    cid = ledger.log("--description", "第一段。\n\u3000\u3000第二段说得很长很长，"
                     "长到在六十列的终端上也要折行才能放下。")
    monkeypatch.setenv("COLUMNS", "60")
    out = ledger("show", cid).stdout
    assert re.search("\n +\u3000\u3000第二段说得很长很长，", out), out


@given(st.text(alphabet=st.sampled_from(list("质量部退款；：（）¥1,250.50 RMA-2026 abc\n")),
               max_size=80), st.integers(min_value=2, max_value=40))
def test_wrapped_lines_fit_and_keep_every_character(text, width):
    """render.wrap_lines: every line within the width (a CJK character is two columns),
    every character but the spaces kept, in order."""
    from complaintctl.render import wrap_lines

    lines = wrap_lines(text, width)
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert len(lines) >= text.count("\n") + 1


def test_deadlines_keep_their_status_on_a_narrow_terminal(ledger, monkeypatch):
    """At 40 columns the Deadlines table lost its last column, the status (open,
    overdue, late), while an empty `done` column kept its width: the status comes after
    the stage now, and `done` is there only when a stage is done."""
    cid = ledger.log()
    monkeypatch.setenv("COLUMNS", "40")
    out = ledger("show", cid).stdout
    table = out[out.index("Deadlines"):out.index("History")].splitlines()
    assert table[2].split() == ["stage", "status", "started", "due"], table
    assert [line.split()[:2] for line in table if line.startswith(" assign")] == [
        ["assign", "overdue"]], table
    ledger.to_state(cid, "assigned")
    monkeypatch.setenv("COLUMNS", "60")
    out = ledger("show", cid).stdout
    table = out[out.index("Deadlines"):out.index("History")].splitlines()
    assert table[2].split() == ["stage", "status", "started", "due", "done"], table


def test_a_time_in_the_hour_the_clocks_showed_twice_carries_its_offset(run):
    """Berlin, 25 October 2026: 02:00-03:00 happened twice. A complaint received at the
    first 02:40 and assigned at the second 02:20 read "started 02:40, done 02:20, on
    time", and a log said "assign by 02:40" an hour after 02:40. Such times now say
    their offset; every other time is shown as before."""
    run("init", "--country", "DE", "--timezone", "Europe/Berlin")
    cid = run("log", "--customer", "F1", "--description", "x", "--channel", "phone",
              "--category", "quality", "--severity", "critical",
              "--received", "2026-10-25T02:40+02:00").stdout.strip()
    run("assign", cid, "--dept", "QA", "--owner", "Eva", "--at", "2026-10-25T02:20+01:00")
    run("note", cid, "--text", "later", "--at", "2026-10-25 09:00")
    out = run("show", cid).stdout
    assert "2026-10-25 02:40 +02:00" in out and "2026-10-25 02:20 +01:00" in out, out
    assert "2026-10-25 09:00 " in out and "09:00 +" not in out
    assert "2026-10-25T00:40:00Z" in run("show", cid, "--format", "json").stdout  # as stored
    refused = run("assign", cid, "--dept", "QA", "--owner", "Bob", "--at",
                  "2026-10-25 02:45", code=2)
    assert "--at 2026-10-25 02:45 +02:00 is before the previous step (2026-10-25 02:20 " \
           "+01:00)" in refused.stderr


def test_a_wrapped_column_keeps_an_amount_whole(ledger, monkeypatch):
    """`show` at 80 columns split a return's cost of loss as ¥15,000.0 | 0: a text
    column is at least as wide as the longest run it must not break, where the
    terminal has the room."""
    cid = ledger.log(severity="high")
    ledger.to_state(cid, "investigating")
    rid = ledger("return", "open", cid, "--qty", "5", "--at", "2026-11-16 10:00").stdout.strip()
    ledger("return", "receive", rid, "--qty", "4", "--at", "2026-11-17 09:00")
    ledger("return", "inspect", rid, "--result", "defect-confirmed", "--defective", "3",
           "--cause", "轴承不良", "--at", "2026-11-18 09:00")
    ledger("return", "dispose", rid, "--action", "repair", "--qty", "2", "--repair-cost",
           "120.5", "--at", "2026-11-18 10:00")
    ledger("return", "dispose", rid, "--action", "scrap", "--qty", "2", "--cost", "15000",
           "--at", "2026-11-18 11:00")
    monkeypatch.setenv("COLUMNS", "80")
    for lang in ("zh",):  # (English's longer words leave too little room at 80: left)
        lines = ledger("--lang", lang, "show", cid).stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(f" {rid} "))
        end = next(i for i in range(start, len(lines)) if not lines[i].strip())
        row = lines[start:end]
        assert any("15,000.00" in line for line in row), "\n".join(row)
    # at 60 columns the table cannot hold its columns whole: the return's row is drawn
    # title beside value (the costs read ¥1,5 and the inspection 确/认/缺/陷, a
    # character a line)
    monkeypatch.setenv("COLUMNS", "60")
    for lang, costs, inspection in (
            ("zh", "损失 ¥15,000.00，维修 ¥120.50", "确认缺陷，不良 3，轴承不良"),
            ("en", "loss 15,000.00 CNY, repair 120.50 CNY",
             "defect confirmed, 3 defective, 轴承不良")):
        lines = [line.rstrip() for line in
                 ledger("--lang", lang, "show", cid).stdout.splitlines()]
        at = next(i for i, line in enumerate(lines)
                  if line.split() == ["客退品" if lang == "zh" else "return", rid])
        assert lines[at + 6].split(None, 1)[1] == inspection, lines[at:at + 10]
        assert lines[at + 8].split(None, 1)[1] == costs, lines[at:at + 10]


def test_a_supplier_named_without_its_responsibility_is_shown_on_its_own(ledger):
    """`investigate --supplier S` on a complaint with no responsibility (or another one)
    showed "responsibility  (S)": the supplier in brackets beside nothing."""
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    ledger("investigate", cid, "--finding", "f", "--supplier", "宁波轴承厂", "--at",
           "2026-10-08 09:00")
    lines = record_csv(ledger("show", cid, "--format", "csv").stdout)
    inv = {f: v for s, f, v in lines if s == SECTIONS[2]}
    assert "responsibility" not in inv and inv["supplier"] == "宁波轴承厂", inv
    assert "(宁波轴承厂)" not in ledger("show", cid).stdout
    # the responsibility found the customer's: the supplier is named no more (it was,
    # as if at fault; it stays in the history)
    r = ledger("investigate", cid, "--responsibility", "customer", "--at", "2026-10-08 10:00")
    assert "the supplier held responsible before, '宁波轴承厂', is no longer named (it stays " \
        "in the history)" in r.stderr, r.stderr
    inv = {f: v for s, f, v in record_csv(ledger("show", cid, "--format", "csv").stdout)
           if s == SECTIONS[2]}
    assert inv["responsibility"] == "customer" and "supplier" not in inv, inv
    assert ledger.json("show", cid)["investigation"]["supplier"] is None
    assert "宁波轴承厂" in ledger("show", cid).stdout  # (the history keeps it)
    assert ledger("verify").exit_code == 0


def test_a_supplier_is_named_no_more_once_the_company_is_found_responsible(ledger, tmp_path):
    """Responsibility moved from the supplier to the company: the supplier named before
    stayed the complaint's in show, its JSON and export complaints (a supplier's claim
    or scorecard reads it), with no way to clear it; --supplier beside the company held
    responsible was taken without a word."""
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    ledger("investigate", cid, "--cause", "密封圈材料异常", "--cause-category", "supplier",
           "--responsibility", "supplier", "--supplier", "宁波橡胶厂", "--at", "2026-10-08 09:00")
    assert ledger.json("show", cid)["investigation"]["supplier"] == "宁波橡胶厂"
    ledger("investigate", cid, "--cause", "装配工装磨损", "--cause-category", "manufacturing",
           "--responsibility", "company", "--at", "2026-10-08 10:00")
    inv = ledger.json("show", cid)["investigation"]
    assert (inv["responsibility"], inv["supplier"]) == ("company", None), inv
    out = tmp_path / "c.csv"
    ledger("export", "complaints", "--output", out)
    import csv

    with open(out, encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert (row["investigation.responsibility"], row["investigation.supplier"]) == (
        "company", ""), row
    before = ledger.snapshot()
    for responsibility in ("company", "customer"):
        r = ledger("investigate", cid, "--responsibility", responsibility, "--supplier", "乙厂",
                   code=2)
        assert r.stderr.startswith("Error: --supplier names the supplier held responsible, "
                                   f"not beside --responsibility {responsibility}\n"), r.stderr
    # nor alone, the company held responsible before (taken, it was named nowhere)
    r = ledger("investigate", cid, "--supplier", "乙厂", code=2)
    assert r.stderr.startswith("Error: --supplier names the supplier held responsible, not "
                               "beside --responsibility company\n"), r.stderr
    assert ledger.snapshot() == before
    # held responsible again: named again, as recorded before (verify replays it so)
    ledger("investigate", cid, "--responsibility", "supplier", "--at", "2026-10-08 11:00")
    assert ledger.json("show", cid)["investigation"]["supplier"] == "宁波橡胶厂"
    assert ledger("verify").exit_code == 0


def test_a_stage_done_late_within_its_minute_says_by_how_much(ledger):
    """show said "assign late 2026-09-21 10:00 2026-09-21 10:00": due and done the same
    to the minute, late by a second."""
    cid = ledger.log(received="2026-11-19 10:00")
    due = ledger.json("show", cid)["deadlines"]["assign"]
    at = datetime.fromisoformat(due.replace("Z", "+00:00")) + timedelta(seconds=1)
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at",
           at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S"))
    out = ledger("show", cid).stdout
    assert "late (by 1 s)" in out, out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_escalation_level_stays_with_its_count_and_role(ledger, monkeypatch, lang):
    """The overdue title broke （L3 143、L2 1、L1 | 3）and the legend L1 | 部门经理 (the
    legend again at the table's width, as its caption); a name cut after its space read
    王芳 …: at every width a level ends no line, and no cut leaves a space before its
    mark."""
    _late_ledger(ledger)
    if lang == "zh":
        monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    split = re.compile(r"(^|[^A-Za-z0-9])L[0-9]$|[一二三四五六七八九]级$")  # (zh: 三级)
    for width in range(36, 101):
        monkeypatch.setenv("COLUMNS", str(width))
        out = ledger("overdue", "--as-of", "2026-11-06 12:00").stdout
        lines = [line.rstrip() for line in out.splitlines()]
        assert not [line for line in lines if split.search(line) and not line.lstrip(
            " │|").startswith(("level", "级别", "CC-", "RMA-"))], (width, out)
        assert " …" not in out, (width, out)
        assert max(cell_len(line) for line in lines) <= width, (width, out)
    assert {"en": ["L2 ", "L3 "], "zh": ["二级 ", "三级 "]}[lang] == [
        level for level in ({"en": ["L2 ", "L3 "], "zh": ["二级 ", "三级 "]}[lang])
        if level in out], out
    if lang == "zh":  # (a level is said as a Chinese reader says it, not as a code)
        assert "L2" not in out and "L3" not in out, out


def test_a_no_break_space_in_a_text_is_no_unbreakable_run(ledger, monkeypatch):
    """A description holding a no-break space (pasted from a web page) was one piece from
    it to the next space, cut hard: the line showed 型号 alone. It wraps as before."""
    cid = ledger.log("--description", "型号ABC\xa0电机在运行三十分钟后出现异响并伴有过热现象"
                     "客户要求更换全部产品并赔偿损失费用")
    monkeypatch.setenv("COLUMNS", "50")
    out = ledger("show", cid).stdout
    assert "型号ABC" in out and "电机在运行" in out, out


@pytest.mark.parametrize("columns", [60, 72, 80])
def test_a_count_keeps_its_measure_word_and_an_ordinal_its_number(ledger, monkeypatch,
                                                                  columns):
    """show's communication log broke 附拆机照片12 | 张 (a line ending on a number, the
    next starting with its unit), and its deadlines 重新处理（第 | 2 轮）."""
    monkeypatch.setenv("COLUMNS", str(columns))
    cid = ledger.log()
    ledger("note", cid, "--kind", "email", "--text",
           "已发送8D报告初稿（D1–D4），附拆机照片12张。到货后开箱抽检50台，其中有12台异响及3台外壳破损。")
    ledger.to_state(cid, "resolved")
    ledger("revisit", cid, "--satisfaction", "unsatisfied")
    lines = ledger("--lang", "zh", "show", cid).stdout.splitlines()
    for line, after in zip(lines, lines[1:], strict=False):
        assert not (re.search(r"[0-9]\s*$", line) and re.match(r"\s*[张台]", after)), \
            (line, after)
        assert not (line.rstrip().endswith("（第") or re.match(r"\s*2 轮", after)), \
            (line, after)
    assert any("12张" in line for line in lines) and any("50台" in line for line in lines)


def test_a_second_revisit_after_a_reopening_is_shown_with_its_round(ledger):
    """A critical complaint reopened by its second revisit, resolved and revisited again,
    owes a second revisit anew: show listed two "second revisit" lines, alike but for
    their times (resolve and revisit say round 2)."""
    cid = ledger.log(severity="critical")
    ledger.to_state(cid, "closed")
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-11-10 10:00")
    ledger("resolve", cid, "--disposition", "repair", "--summary", "更换散热模块", "--at",
           "2026-11-11 10:00")
    ledger("revisit", cid, "--satisfaction", "satisfied", "--at", "2026-11-12 10:00")
    out = ledger("show", cid).stdout
    lines = [line.strip() for line in out.splitlines()
             if line.strip().startswith("second revisit ")]
    assert [line.startswith("second revisit (round 2) open") for line in lines] == [
        False, True], out
    assert lines[0].startswith("second revisit           on time"), out


def test_a_chinese_overdue_at_60_columns_gives_the_names_the_room_of_a_short_header(
        ledger, monkeypatch):
    """At 60 columns the Chinese overdue table kept 严重程度 (8 cells for 紧急, 高, 中, 低)
    and cut the customer and the owner to one character (无…, 刘…): the short header 严重度,
    as FMEA calls it, and the names keep more."""
    _late_ledger(ledger)
    for columns in (64, 60):
        monkeypatch.setenv("COLUMNS", str(columns))
        out = ledger("--lang", "zh", "overdue", "--as-of", "2026-11-06 12:00").stdout
        header = next(line for line in out.splitlines() if line.lstrip().startswith("编号"))
        assert "严重程度" not in header, out
        assert (" 严重度 " in header) == (columns == 64), out  # (at 60 it goes before the
        # names are cut below their least)
        assert "深圳市" in out and "欧阳娜娜" in out, out  # (the owner whole: 欧阳娜… before)
        assert max(cell_len(line) for line in out.splitlines()) <= columns, out


def test_at_a_width_too_narrow_for_a_title_beside_an_id_each_title_is_over_its_value(
        ledger, monkeypatch):
    """Below about 22 columns the stacked overdue wrapped the id over two lines
    (CC-2025-000 / 8), where the README promises an id is never cut: each title goes
    over its value there, every id and count whole; wider, beside it as before."""
    ids = _late_ledger(ledger)
    monkeypatch.setenv("COLUMNS", "18")
    lines = [line.rstrip() for line in ledger("overdue", "--as-of", "2026-11-06 12:00"
                                              ).stdout.splitlines()]
    for cid in ids:
        assert cid in lines, lines  # (a line of its own, whole)
    assert lines[lines.index(ids[0]) - 1] == "id", lines
    assert max(cell_len(line) for line in lines) <= 18, lines
    monkeypatch.setenv("COLUMNS", "30")
    out = ledger("overdue", "--as-of", "2026-11-06 12:00").stdout
    assert any(line.split()[:2] == ["id", ids[0]] for line in out.splitlines()), out
