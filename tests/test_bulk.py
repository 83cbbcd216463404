"""The bulk writer (issue 15): the ledger it writes is, row for row, the ledger the
same histories make when they are typed one step at a time; a refused history
leaves nothing of itself; a failed block leaves nothing at all; and what it
writes passes `verify`."""

from __future__ import annotations

import gc
import random
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support import NOW

from complaintctl import audit, bulk, demo
from complaintctl.bulk import History, Step
from complaintctl.errors import (
    BadInput,
    ComplaintctlError,
    IllegalTransition,
    QuantityImbalance,
    Refused,
)
from complaintctl.store import Ledger

UTC = timezone.utc
LOGIN = "tester"


def new_ledger(path: Path, **init: str) -> Ledger:
    return Ledger.create(path, init=init, now=NOW, login=LOGIN)


def contents(lg: Ledger) -> dict[str, object]:
    """Every row of every table in rowid order, every column (event hashes too), and
    every index and trigger as the schema has them."""
    conn = lg.conn
    tables = [t for (t,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out: dict[str, object] = {}
    for table in tables:
        without_rowid = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                     (table,)).fetchone()[0].endswith("WITHOUT ROWID")
        order = "1, 2" if without_rowid else "rowid"
        out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    out["schema"] = sorted(conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type != 'table'"))
    return out


def same(a: dict[str, object], b: dict[str, object]) -> None:
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day} {clock}").replace(tzinfo=UTC)


FIELDS = {"customer": "华东电器有限公司", "contact": "13812345678", "channel": "phone",
          "category": "quality", "severity": "critical", "demand": "exchange",
          "product": "XD-200 电机", "lot": "L1", "quantity": 10,
          "description": "电机异响，三台都有"}
CAUSE = {"finding": "复现", "root_cause": "扭矩不足", "cause_category": "manufacturing",
         "responsibility": "company"}


def handmade() -> list[History]:
    """The paths the demo does not take: a second revisit that reopens a closed
    complaint, more goods after every unit had a disposition, a void after a closed
    return, a not-upheld finding, a close without revisit, a note, an amount."""
    reopened = History(FIELDS, at("2026-03-02"), at("2026-03-02", "09:05"), "周敏", [
        Step("assign", at("2026-03-02", "10:00"), "周敏",
             {"department": "质量部", "owner": "王芳", "note": "急"}),
        Step("assign", at("2026-03-02", "11:00"), "周敏",
             {"department": "技术部", "owner": "刘洋", "note": None}),
        Step("investigate", at("2026-03-03"), "刘洋", {"finding": "现场复现"}),
        Step("investigate", at("2026-03-04"), "刘洋", CAUSE),
        Step("resolve", at("2026-03-05"), "刘洋",
             {"disposition": "compensation", "summary": "赔偿", "amount": 123456,
              "approved_by": "质量经理"}),
        Step("revisit", at("2026-03-06"), "周敏",
             {"satisfaction": "satisfied", "method": "phone", "demand_met": True}),
        Step("revisit", at("2026-05-20"), "周敏",
             {"satisfaction": "unsatisfied", "method": "visit", "demand_met": False,
              "note": "又坏了"}),
        Step("investigate", at("2026-05-21"), "刘洋", {"corrective": "换供应商"}),
        Step("resolve", at("2026-05-22"), "刘洋",
             {"disposition": "exchange", "summary": "再换"}, at("2026-05-22", "10:00")),
        Step("revisit", at("2026-05-23"), "周敏", {"satisfaction": "basically-satisfied"}),
    ])
    regoods = History({**FIELDS, "severity": "low", "contact": None},
                      at("2026-04-01"), at("2026-04-01"), "吴婷", [
        Step("assign", at("2026-04-01", "10:00"), "吴婷", {"department": "QA", "owner": "孙丽"}),
        Step("return-open", at("2026-04-01", "11:00"), "仓库", {"qty": 10, "reason": "退货"}),
        Step("return-open", at("2026-04-01", "12:00"), "仓库",
             {"qty": 2, "product": "PS-5", "lot": "L9"}),
        Step("return-receive", at("2026-04-02"), "仓库", {"return": 0, "qty": 4}),
        Step("return-receive", at("2026-04-03"), "仓库",
             {"return": 0, "qty": 6, "note": "余下的"}),
        Step("return-inspect", at("2026-04-04"), "质检",
             {"return": 0, "result": "defect-confirmed", "defective": 8, "cause": "轴承"}),
        Step("return-inspect", at("2026-04-05"), "质检",
             {"return": 0, "result": "defect-confirmed", "defective": 9, "note": "复检"}),
        Step("return-dispose", at("2026-04-06"), "质检",
             {"return": 0, "action": "scrap", "qty": 10, "cost": 5000}),
        Step("return-receive", at("2026-04-07"), "仓库", {"return": 0, "qty": 1}),
        Step("return-inspect", at("2026-04-07", "15:00"), "质检",
             {"return": 0, "result": "defect-confirmed", "defective": 10}),
        Step("return-dispose", at("2026-04-08"), "质检",
             {"return": 0, "action": "repair", "qty": 1, "repair_cost": 300}),
        Step("return-close", at("2026-04-09"), "仓库", {"return": 0}),
        Step("return-close", at("2026-04-09", "10:00"), "仓库", {"return": 1}),
        Step("void", at("2026-04-10"), "吴婷", {"reason": "重复录入"}),
    ])
    not_upheld = History({**FIELDS, "customer": "Acme", "severity": "high"},
                         at("2026-04-01"), at("2026-04-01", "12:00"), "Alice", [
        Step("assign", at("2026-04-02"), "Alice", {"department": "QA", "owner": "Tom"}),
        Step("investigate", at("2026-04-03"), "Tom",
             {"validity": "not-upheld", "reason": "符合规格"}),
        Step("action-add", at("2026-04-03", "10:00"), "Tom",
             {"text": "培训", "owner": "Tom", "due": at("2026-05-01")}),
        Step("action-add", at("2026-04-03", "11:00"), "Tom",
             {"text": "复查", "owner": "Li Na", "due": at("2026-05-02")}),
        Step("action-done", at("2026-04-20"), "Li Na", {"action": 1}),
        Step("resolve", at("2026-04-04"), "Tom",
             {"disposition": "explanation", "summary": "解释"}),
        Step("action-verify", at("2026-04-25"), "质量经理", {"action": 1, "note": "有效"}),
        Step("close", at("2026-04-05"), "Alice", {"reason": "客户拒绝回访"}),
    ])
    supplier = History({**FIELDS, "customer": "Acme", "severity": "medium"},
                       at("2026-04-02"), at("2026-04-02"), "Alice", [
        Step("assign", at("2026-04-02", "10:00"), "Alice", {"department": "QA", "owner": "Tom"}),
        Step("investigate", at("2026-04-03"), "Tom",
             {"root_cause": "轴承", "cause_category": "supplier",
              "responsibility": "supplier", "supplier": "宁波精工"}),
    ])
    # goods after the inspection, its disposition not late yet: it ends, and the
    # inspection again owes it anew (rma.return_receive)
    blocked = History({**FIELDS, "customer": "Acme", "severity": "low", "contact": None},
                      at("2026-04-06"), at("2026-04-06"), "吴婷", [
        Step("assign", at("2026-04-06", "10:00"), "吴婷", {"department": "QA", "owner": "孙丽"}),
        Step("return-open", at("2026-04-06", "11:00"), "仓库", {"qty": 5}),
        Step("return-receive", at("2026-04-07"), "仓库", {"return": 0, "qty": 3}),
        Step("return-inspect", at("2026-04-07", "10:00"), "质检",
             {"return": 0, "result": "defect-confirmed", "defective": 3}),
        Step("return-receive", at("2026-04-08"), "仓库", {"return": 0, "qty": 2}),
        Step("return-inspect", at("2026-04-09"), "质检",
             {"return": 0, "result": "defect-confirmed", "defective": 5}),
        Step("return-dispose", at("2026-04-10"), "质检",
             {"return": 0, "action": "scrap", "qty": 5}),
    ])
    return [reopened, regoods, not_upheld, supplier, blocked]


def demo_histories(n: int) -> list[History]:
    return list(demo.histories(n, now=NOW, seed=2026))


def by_steps(path: Path, histories: list[History], **init: str) -> Ledger:
    lg = new_ledger(path, **init)
    lg.salt_source = demo.salt_source(7)
    for history in histories:
        bulk.through_steps(lg, history)
    return lg


def in_bulk(path: Path, histories: list[History], batch: int = 16, **init: str) -> Ledger:
    lg = new_ledger(path, **init)
    lg.salt_source = demo.salt_source(7)
    with bulk.writing(lg, batch=batch) as writer:
        for history in histories:
            writer.add(history)
    return lg


def test_the_bulk_path_writes_the_ledger_the_steps_write(tmp_path):
    """300 demo complaints and the handmade ones, in batches of 16 (repeats found in
    the batch in memory and in the ledger): every table, every column, the same."""
    histories = demo_histories(300) + handmade()
    kinds = {s.kind for h in histories for s in h.steps}
    assert kinds == {"assign", "investigate", "resolve", "revisit", "close", "void",
                     "action-add", "action-done", "action-verify", "return-open",
                     "return-receive", "return-inspect", "return-dispose", "return-close"}
    steps = by_steps(tmp_path / "steps.db", histories, country="CN", timezone="Asia/Shanghai")
    fast = in_bulk(tmp_path / "bulk.db", histories, country="CN", timezone="Asia/Shanghai")
    written = contents(fast)
    same(contents(steps), written)
    # the paths the proof covers are in the ledger
    rows = fast.conn.execute
    assert rows("SELECT count(*) FROM complaints WHERE status = 'void'").fetchone()[0] >= 2
    assert rows("SELECT count(*) FROM complaints WHERE reopen_count > 0").fetchone()[0] >= 2
    # (a second round's resolve recording the amount and approver it replaced)
    assert rows("SELECT count(*) FROM events WHERE kind = 'resolve' AND "
                "json_extract(old, '$.amount') IS NOT NULL").fetchone()[0] >= 1
    assert rows("SELECT count(*) FROM complaints WHERE repeat_of IS NOT NULL").fetchone()[0] > 30
    assert rows("SELECT count(*) FROM revisits WHERE from_status = 'closed'").fetchone()[0] >= 2
    assert rows("SELECT count(DISTINCT stage) FROM returns").fetchone()[0] == 5
    assert rows("SELECT count(*) FROM stages WHERE stage IN ('inspect', 'dispose') "
                "AND round = 2").fetchone()[0] == 4
    assert rows("SELECT count(*) FROM stages WHERE stage = 'dispose' AND outcome = 'void' "
                "AND return_id IS NOT NULL").fetchone()[0] == 1
    assert rows("SELECT count(*) FROM actions WHERE verified_at IS NOT NULL").fetchone()[0] > 5
    assert rows("SELECT count(*) FROM stages WHERE outcome = 'void'").fetchone()[0] >= 2
    assert len(written["events"]) > 2000  # type: ignore[arg-type]
    assert audit.verify(fast)["ok"]
    fast.close()
    steps.close()


def test_a_revisit_after_a_close_without_revisit_is_refused_both_ways(tmp_path):
    """Closed without a revisit (客户拒绝回访), then 'revisited' after all: it was taken as
    a later call and reopened the complaint (two clerks revisiting at once both
    succeeded so). A closed complaint is revisited only for its scheduled second revisit
    (SPEC 2): refused by the step and by the bulk writer alike, which keeps nothing of
    the history."""
    from complaintctl.errors import IllegalTransition

    history = History({**FIELDS, "severity": "medium"}, at("2026-04-01"), at("2026-04-01"),
                      "Alice", [
        Step("assign", at("2026-04-02"), "Alice", {"department": "QA", "owner": "Tom"}),
        Step("investigate", at("2026-04-03"), "Tom", {"validity": "not-upheld",
                                                      "reason": "符合规格"}),
        Step("resolve", at("2026-04-04"), "Tom", {"disposition": "explanation",
                                                  "summary": "解释"}),
        Step("close", at("2026-04-05"), "Alice", {"reason": "客户拒绝回访"}),
        Step("revisit", at("2026-04-20"), "Alice", {"satisfaction": "unsatisfied"}),
    ])
    for build in (by_steps, in_bulk):
        with pytest.raises(IllegalTransition, match="no second revisit of it is due"):
            build(tmp_path / f"{build.__name__}.db", [history])
    lg = Ledger.open(tmp_path / "in_bulk.db")
    assert lg.conn.execute("SELECT count(*) FROM complaints").fetchone() == (0,)


def test_histories_out_of_order_and_a_ledger_that_has_complaints(tmp_path):
    """Histories not in the order of their receipt (the repeat check then also asks
    the ledger), written after complaints typed before: still the same ledger."""
    histories = demo_histories(120)
    first, rest = histories[:40], histories[40:]
    random.Random(3).shuffle(rest)
    ledgers = []
    for name in ("steps", "bulk"):
        lg = by_steps(tmp_path / f"{name}.db", first)
        if name == "steps":
            for history in rest:
                bulk.through_steps(lg, history)
        else:
            with bulk.writing(lg, batch=7) as writer:
                for history in rest:
                    writer.add(history)
        ledgers.append(lg)
    same(contents(ledgers[0]), contents(ledgers[1]))
    assert audit.verify(ledgers[1])["ok"]


def test_histories_out_of_order_into_an_empty_ledger(tmp_path):
    """The writer remembers the complaints of the last window for the repeat check;
    one received before what it let go asks the ledger (building the index then)."""
    histories = demo_histories(150)
    random.Random(5).shuffle(histories)
    steps = by_steps(tmp_path / "steps.db", histories)
    fast = new_ledger(tmp_path / "bulk.db")
    fast.salt_source = demo.salt_source(7)
    statements: list[str] = []
    fast.conn.set_trace_callback(statements.append)
    with bulk.writing(fast, batch=5) as writer:
        for history in histories:
            writer.add(history)
    fast.conn.set_trace_callback(None)
    same(contents(steps), contents(fast))
    assert fast.conn.execute("SELECT count(*) FROM complaints WHERE repeat_of IS NOT NULL"
                             ).fetchone()[0] > 5
    built = [i for i, s in enumerate(statements)
             if s.startswith("CREATE INDEX complaints_repeat_key ON")]
    asked = [i for i, s in enumerate(statements) if "ORDER BY received_at DESC, rowid DESC" in s]
    assert len(built) == 1 and asked and built[0] < asked[0]


def _traced_write(lg: Ledger, histories: list[History], batch: int) -> list[str]:
    statements: list[str] = []
    lg.conn.set_trace_callback(statements.append)
    with bulk.writing(lg, batch=batch) as writer:
        for history in histories:
            writer.add(history)
    lg.conn.set_trace_callback(None)
    return statements


def test_a_small_write_into_a_ledger_with_complaints_keeps_its_indexes(tmp_path):
    """A few histories into a ledger that holds complaints go into the live indexes
    (building every index of a large ledger again would cost far more); the tally
    and rollup triggers are still set aside and made again; the same ledger."""
    histories = demo_histories(60)
    steps = by_steps(tmp_path / "steps.db", histories)
    fast = by_steps(tmp_path / "bulk.db", histories[:45])
    statements = _traced_write(fast, histories[45:], batch=2000)
    assert not [s for s in statements if s.startswith(("DROP INDEX", "CREATE INDEX"))]
    dropped = [s.split()[2] for s in statements if s.startswith("DROP TRIGGER")]
    assert set(bulk.TALLY_TRIGGERS) <= set(dropped)
    assert {s.split()[2] for s in statements if s.startswith("CREATE TRIGGER")} == set(dropped)
    same(contents(steps), contents(fast))
    assert audit.verify(fast)["ok"]


def test_a_large_write_sets_the_indexes_aside_once_it_outgrows_the_ledger(tmp_path):
    """Into a ledger of 20 complaints, in batches of 3: the first rows go into the live
    indexes; once the write has added a fifth of what the ledger held (and a batch),
    every index but the repeat check's is dropped, once, and built again before the
    commit. The same ledger as the steps write, every index back, pages zeroed on
    deletion again (secure_delete) after the drops."""
    histories = demo_histories(50)
    steps = by_steps(tmp_path / "steps.db", histories)
    fast = by_steps(tmp_path / "bulk.db", histories[:20])
    indexes = {n for (n,) in fast.conn.execute("SELECT name FROM sqlite_master WHERE "
                                               "type = 'index' AND sql IS NOT NULL")}
    statements = _traced_write(fast, histories[20:], batch=3)
    inserts = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO complaints")]
    drops = [i for i, s in enumerate(statements) if s.startswith("DROP INDEX")]
    builds = {s.split()[2] for s in statements if s.startswith("CREATE INDEX")}
    assert inserts[0] < drops[0] and len(inserts) > 1  # live first, then set aside
    assert len(drops) == len(indexes) - 1 == len(builds)
    assert builds == indexes - {bulk.REPEAT_INDEX}
    assert fast.conn.execute("PRAGMA secure_delete").fetchone() == (1,)
    same(contents(steps), contents(fast))
    assert audit.verify(fast)["ok"]


def test_no_index_holds_a_contact(tmp_path):
    """The writer drops indexes without zeroing their pages (secure_delete off for the
    drops): right only while no index holds the one value whose erasure the law asks
    for, a contact."""
    lg = new_ledger(tmp_path / "l.db")
    found = lg.conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE "
                            "type = 'index'").fetchall()
    assert len(found) > 40
    for name, _table, sql in found:
        columns = {row[2] for row in lg.conn.execute(f"PRAGMA index_xinfo({name})")}
        assert not {c for c in columns if c and c.startswith("contact")}, name
        assert sql is None or not re.search(r"\bcontact", sql.split(" ON ", 1)[1]), name


def _illegal() -> list[History]:
    good = handmade()
    bad_state = History(FIELDS, at("2026-03-02"), at("2026-03-02"), "周敏", [
        Step("assign", at("2026-03-02", "10:00"), "周敏", {"department": "QA", "owner": "王芳"}),
        Step("resolve", at("2026-03-03"), "王芳", {"disposition": "exchange", "summary": "x"})])
    bad_qty = History(FIELDS, at("2026-03-02"), at("2026-03-02"), "周敏", [
        Step("return-open", at("2026-03-02", "10:00"), "仓库", {"qty": 2}),
        Step("return-receive", at("2026-03-03"), "仓库", {"return": 0, "qty": 2}),
        Step("return-inspect", at("2026-03-04"), "质检",
             {"return": 0, "result": "defect-confirmed", "defective": 3})])
    backwards = History(FIELDS, at("2026-03-02"), at("2026-03-02"), "周敏", [
        Step("assign", at("2026-03-01"), "周敏", {"department": "QA", "owner": "王芳"})])
    return [good[0], bad_state, good[1], bad_qty, good[2], backwards, good[3]]


def test_a_refused_history_leaves_nothing_of_itself(tmp_path):
    """The writer refuses a history with the step's own error, naming the step, and
    keeps nothing of it (no id, no event, no stage): the others are written as if
    it had never been given. (A contact's salt is random: one drawn for a refused
    history is not given back, so here every salt is the same.)"""
    histories = _illegal()
    lg = new_ledger(tmp_path / "bulk.db")
    lg.salt_source = lambda: "5a17"
    refused = []
    with bulk.writing(lg, batch=2) as writer:
        for history in histories:
            try:
                writer.add(history)
            except ComplaintctlError as exc:
                refused.append((type(exc), exc.params["step"]))
    assert refused == [(IllegalTransition, 2), (QuantityImbalance, 3), (BadInput, 1)]
    good = [histories[i] for i in (0, 2, 4, 6)]
    steps = new_ledger(tmp_path / "steps.db")
    steps.salt_source = lambda: "5a17"
    for history in good:
        bulk.through_steps(steps, history)
    same(contents(steps), contents(lg))


def test_the_steps_refuse_what_the_writer_refuses(tmp_path):
    """The same errors, typed one step at a time."""
    lg = new_ledger(tmp_path / "steps.db")
    errors = []
    for history in _illegal()[1::2][:3]:
        try:
            bulk.through_steps(lg, history)
        except ComplaintctlError as exc:
            errors.append(type(exc))
    assert errors == [IllegalTransition, QuantityImbalance, BadInput]
    with pytest.raises(IllegalTransition):
        with bulk.writing(lg) as writer:
            writer.add(History(FIELDS, at("2026-03-02"), at("2026-03-02"), "x", [
                Step("revisit", at("2026-03-03"), "x", {"satisfaction": "satisfied"})]))


def test_a_void_with_an_open_return_is_refused_both_ways(tmp_path):
    """The writer's void of a complaint with a return not closed crashed (ValueError:
    the refusal's list changed shape); refused by the step and the writer alike, with
    the return's next step."""
    from complaintctl.errors import Refused

    history = History(FIELDS, at("2026-03-02"), at("2026-03-02"), "周敏", [
        Step("return-open", at("2026-03-02", "10:00"), "仓库", {"qty": 2}),
        Step("return-receive", at("2026-03-03"), "仓库", {"return": 0, "qty": 2}),
        Step("void", at("2026-03-04"), "周敏", {"reason": "重复录入"})])
    for build in (by_steps, in_bulk):
        with pytest.raises(Refused, match="has open returns") as refused:
            build(tmp_path / f"{build.__name__}.db", [history])
        assert refused.value.hint == ("close them first; next: complaintctl return inspect "
                                      "RMA-2026-0001 --result ... --defective N"), build


@pytest.mark.parametrize(("after", "end", "said"), [
    ([Step("action-add", at("2026-03-06", "10:00"), "王芳",
           {"text": "培训", "owner": "王芳", "due": at("2026-03-20")})],
     Step("close", at("2026-03-05", "10:00"), "周敏", {"reason": "联系不上"}),
     "a CAPA item's step recorded on it (2026-03-06 10:00)"),
    ([Step("action-add", at("2026-03-06", "10:00"), "王芳",
           {"text": "培训", "owner": "王芳", "due": at("2026-03-20")})],
     Step("revisit", at("2026-03-05", "10:00"), "周敏", {"satisfaction": "satisfied"}),
     "a CAPA item's step recorded on it (2026-03-06 10:00)"),
    ([Step("return-open", at("2026-03-06", "11:00"), "仓库", {"qty": 1}),
      Step("return-close", at("2026-03-06", "12:00"), "仓库", {"return": 0})],
     Step("void", at("2026-03-05", "10:00"), "周敏", {"reason": "重复录入"}), None)])
def test_a_back_dated_void_or_closing_is_refused_both_ways(tmp_path, after, end, said):
    """The steps refuse a void dated before anything recorded on the complaint, and a
    closing before a CAPA item added or a return opened; the writer took them (verify
    said OK of what it wrote)."""
    from complaintctl.errors import BadInput

    if end.kind == "void":  # (voided from assigned: the return of an assigned complaint)
        steps = [Step("assign", at("2026-03-03"), "周敏", {"department": "质量部",
                                                          "owner": "王芳"}), *after, end]
        said = "a return's step recorded on it (2026-03-06 12:00)"
    else:
        steps = [Step("assign", at("2026-03-03"), "周敏", {"department": "质量部",
                                                          "owner": "王芳"}),
                 Step("investigate", at("2026-03-03", "15:00"), "王芳", CAUSE),
                 Step("resolve", at("2026-03-04", "10:00"), "王芳",
                      {"disposition": "exchange", "summary": "换新"}), *after, end]
    history = History({**FIELDS, "severity": "high"}, at("2026-03-02"), at("2026-03-02"),
                      "周敏", steps)
    for build in (by_steps, in_bulk):
        with pytest.raises(BadInput) as refused:
            build(tmp_path / f"{build.__name__}.db", [history])
        assert refused.value.message == f"--at 2026-03-05 10:00 is before {said}", build

def test_a_failed_block_leaves_nothing_and_every_index(tmp_path):
    """The writer drops indexes and tally triggers for the fill; whatever fails inside
    the block rolls all of it back, and the ledger is in WAL mode again."""
    lg = new_ledger(tmp_path / "l.db")
    before = contents(lg)
    with pytest.raises(RuntimeError), bulk.writing(lg, batch=3) as writer:
        for history in demo_histories(20):
            writer.add(history)
        during = lg.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                 "OR type = 'trigger'").fetchone()[0]
        raise RuntimeError("stop half-way")
    assert during < len(before["schema"]) / 2  # type: ignore[arg-type]
    same(before, contents(lg))
    assert lg.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert lg.conn.execute("PRAGMA temp_store").fetchone() == (2,)  # MEMORY again
    assert lg.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert gc.isenabled()


def test_an_ordinary_step_cannot_run_inside_a_bulk_write(tmp_path):
    """It would miss the rows the writer holds and the tallies: refused, all undone."""
    from complaintctl import complaints

    lg = new_ledger(tmp_path / "l.db")
    with pytest.raises(RuntimeError), bulk.writing(lg) as writer:
        writer.add(handmade()[3])
        complaints.log(lg, FIELDS, received_at=NOW, now=NOW, actor="t")
    assert lg.conn.execute("SELECT count(*) FROM complaints").fetchone() == (0,)


def test_another_command_waits_for_a_bulk_write_on_the_rollback_journal(tmp_path):
    """While the writer fills an empty ledger it is in rollback-journal mode and holds it
    whole: a reader waits (here, one that waits 0.1 s is told it is locked) rather than
    read the empty ledger being filled (`overdue` said "Nothing is overdue" of it, as
    the README says it does not); after the commit it reads what was written."""
    path = tmp_path / "l.db"
    lg = new_ledger(path)
    with bulk.writing(lg, batch=5) as writer:
        for history in demo_histories(12):
            writer.add(history)
        other = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("SELECT count(*) FROM complaints").fetchone()
        other.close()
    assert lg.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert lg.conn.execute("SELECT count(*) FROM complaints").fetchone() == (12,)


def test_the_demo_is_the_same_for_the_same_seed(tmp_path):
    """`demo` through the writer: the same seed, the same ledger; marked as the demo's."""
    built = []
    for name in ("a", "b"):
        lg = Ledger.create(tmp_path / f"{name}.db", init={}, now=NOW, demo=True, login=LOGIN)
        demo.fill(lg, 200, now=NOW)
        built.append(contents(lg))
        mark = lg.conn.execute("SELECT value FROM settings WHERE key = 'demo_through_event'"
                               ).fetchone()[0]
        assert int(mark) == lg.conn.execute("SELECT max(id) FROM events").fetchone()[0]
        lg.close()
    same(*built)


def test_times_of_steps_recorded_later(tmp_path):
    """A step recorded after its time (`now` later than `at`) keeps both."""
    history = History(FIELDS, at("2026-03-02"), at("2026-03-05"), "x", [
        Step("assign", at("2026-03-02", "10:00"), "x", {"department": "QA", "owner": "y"},
             at("2026-03-05", "10:00"))])
    lg = in_bulk(tmp_path / "b.db", [history])
    assert lg.conn.execute("SELECT kind, at, recorded_at FROM events WHERE complaint_id "
                           "IS NOT NULL ORDER BY id").fetchall() == [
        ("log", "2026-03-02T09:00:00Z", "2026-03-05T09:00:00Z"),
        ("assign", "2026-03-02T10:00:00Z", "2026-03-05T10:00:00Z")]
    same(contents(by_steps(tmp_path / "s.db", [history])), contents(lg))


def test_step_times_in_the_future_are_refused(tmp_path):
    lg = new_ledger(tmp_path / "l.db")
    later = NOW + timedelta(days=1)
    with bulk.writing(lg) as writer:
        with pytest.raises(Exception, match="in the future"):
            writer.add(History(FIELDS, later, NOW, "x", []))
    assert lg.conn.execute("SELECT count(*) FROM complaints").fetchone() == (0,)
    assert sqlite3.connect(tmp_path / "l.db").execute("PRAGMA journal_mode").fetchone() \
        == ("wal",)


def test_the_writer_formats_instants_as_the_steps_do():
    """bulk._iso (a day and a time of day, each formatted once) is parse.iso."""
    from zoneinfo import ZoneInfo

    from complaintctl.bulk import _iso
    from complaintctl.parse import iso

    rng = random.Random(1)
    zones = [UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")]
    base = datetime(1900, 1, 1, tzinfo=UTC)
    for _ in range(5000):
        instant = base + timedelta(seconds=rng.random() * 300 * 365 * 86400,
                                   microseconds=rng.choice([0, 1, 999_999, rng.randrange(10**6)]))
        local = instant.astimezone(rng.choice(zones))
        assert _iso(local) == iso(local), local


@pytest.mark.parametrize(("history", "error", "code"), [
    (History(FIELDS, at("2026-03-02"), at("2026-03-02"), "x",
             [Step("escalate", at("2026-03-03"), "x", {})]), BadInput, "unknown_step"),
    (History({**FIELDS, "category": "weather"}, at("2026-03-02"), at("2026-03-02"), "x", []),
     BadInput, "unknown_category"),
    (History(FIELDS, at("2026-03-02"), at("2026-03-02"), "x",
             [Step("return-receive", at("2026-03-03"), "x", {"return": 0, "qty": 1})]),
     Refused, "no_return"),
    (History(FIELDS, at("2026-03-02"), at("2026-03-02"), "x",
             [Step("action-done", at("2026-03-03"), "x", {"action": 1})]),
     Refused, "no_action"),
])
def test_what_a_history_cannot_say(tmp_path, history, error, code):
    """A step the writer does not know, a category the ledger does not have, a return
    or action the history never opened: refused, nothing written."""
    lg = new_ledger(tmp_path / "l.db")
    with bulk.writing(lg) as writer:
        with pytest.raises(error) as caught:
            writer.add(history)
    assert caught.value.code == code
    assert lg.conn.execute("SELECT count(*) FROM events").fetchone() == (1,)  # init


# --- repeats by the time the customer complained, calendars of past years (issue 15) ---

def _links(lg: Ledger) -> dict[tuple[str, str, str], tuple[str, str, str] | None]:
    """Each complaint's repeat link, named by (customer, product, received_at) rather
    than by ids (which follow the order of entry)."""
    rows = lg.conn.execute("SELECT c.customer, c.product, c.received_at, p.customer, "
                           "p.product, p.received_at FROM complaints c LEFT JOIN "
                           "complaints p ON p.id = c.repeat_of").fetchall()
    return {r[:3]: (r[3:] if r[3] is not None else None) for r in rows}


@pytest.mark.parametrize("batch", [3, 2000])
def test_repeats_are_by_receipt_whatever_the_order_of_the_histories(tmp_path, batch):
    """Histories in any order link the same repeats as oldest first (void ones aside,
    which count only while they are not void): a back-dated one entered after a later
    one links that later one to itself, with a repeat-link event on it; and the bulk
    path writes what the steps write, row for row, in batches or in one."""
    histories = [h for h in demo_histories(260)
                 if not any(s.kind == "void" for s in h.steps)]
    in_order = sorted(histories, key=lambda h: h.received_at)
    shuffled = list(histories)
    random.Random(11).shuffle(shuffled)
    ordered = in_bulk(tmp_path / "ordered.db", in_order, batch=batch)
    fast = in_bulk(tmp_path / "bulk.db", shuffled, batch=batch)
    steps = by_steps(tmp_path / "steps.db", shuffled)
    same(contents(steps), contents(fast))
    links = _links(fast)
    assert links == _links(ordered)
    assert sum(v is not None for v in links.values()) > 30
    relinked = fast.conn.execute("SELECT count(*) FROM events WHERE kind = 'repeat-link'"
                                 ).fetchone()[0]
    assert relinked > 5
    assert ordered.conn.execute("SELECT count(*) FROM events WHERE kind = 'repeat-link'"
                                ).fetchone() == (0,)
    assert audit.verify(fast)["ok"]


@pytest.mark.parametrize("batch", [3, 2000])
def test_a_void_history_out_of_order_gives_back_the_links_it_took(tmp_path, batch):
    """Histories with voids among them, in any order: a back-dated complaint that linked
    later ones to itself and is then voided gives each back the one it repeated before
    (complaints.void's relink, a repeat-link event each), as the steps do, row for row;
    and no complaint is left repeating a void one it took from another."""
    histories = demo_histories(400)
    assert sum(any(s.kind == "void" for s in h.steps) for h in histories) > 3
    shuffled = list(histories)
    random.Random(5).shuffle(shuffled)
    fast = in_bulk(tmp_path / "bulk.db", shuffled, batch=batch)
    steps = by_steps(tmp_path / "steps.db", shuffled)
    same(contents(steps), contents(fast))
    rows = fast.conn.execute
    given_back = rows("SELECT count(*) FROM events e JOIN complaints v ON v.id = "
                      "json_extract(e.old, '$.repeat_of') WHERE e.kind = 'repeat-link' "
                      "AND v.status = 'void'").fetchone()[0]
    assert given_back > 0
    assert audit.verify(fast)["ok"]


def test_repeats_out_of_order_after_complaints_typed_before(tmp_path):
    """A ledger that has complaints (asked of the ledger, relinked there with an
    UPDATE) and histories added newest first: the same as the steps."""
    histories = [h for h in demo_histories(150) if not any(s.kind == "void" for s in h.steps)]
    histories.sort(key=lambda h: h.received_at)
    first, rest = histories[::3], [h for i, h in enumerate(histories) if i % 3]
    rest.reverse()
    ledgers = []
    for name in ("steps", "bulk"):
        lg = by_steps(tmp_path / f"{name}.db", first)
        if name == "steps":
            for history in rest:
                bulk.through_steps(lg, history)
        else:
            with bulk.writing(lg, batch=4) as writer:
                for history in rest:
                    writer.add(history)
        ledgers.append(lg)
    same(contents(ledgers[0]), contents(ledgers[1]))
    assert ledgers[1].conn.execute("SELECT count(*) FROM events WHERE kind = 'repeat-link'"
                                   ).fetchone()[0] > 5
    assert audit.verify(ledgers[1])["ok"]


def _in(year: int, customer: str, steps: bool = True) -> History:
    received = at(f"{year}-09-30", "10:00")
    return History({**FIELDS, "customer": customer, "severity": "medium"}, received,
                   NOW, "周敏", [
        Step("assign", at(f"{year}-10-08", "09:00"), "周敏",
             {"department": "QA", "owner": "王芳"}, NOW),
        Step("investigate", at(f"{year}-10-09", "09:00"), "王芳", CAUSE, NOW),
        Step("resolve", at(f"{year}-10-10", "09:00"), "王芳",
             {"disposition": "exchange", "summary": "换新"}, NOW)] if steps else [])


def test_histories_in_a_year_before_the_calendar_extend_it(tmp_path):
    """A history received in 2013 extends the calendar (2016-2031 when made) from the
    holidays package, with its `calendar` event in the chain before the history's:
    2013's National Day week and its make-up Saturday count, as the steps count
    them, and verify replays the extension."""
    histories = [_in(2013, "甲"), _in(2014, "乙"), _in(2026, "丙")]
    fast = in_bulk(tmp_path / "bulk.db", histories, country="CN", timezone="Asia/Shanghai")
    steps = by_steps(tmp_path / "steps.db", histories, country="CN", timezone="Asia/Shanghai")
    same(contents(steps), contents(fast))
    rows = fast.conn.execute
    assert rows("SELECT value FROM settings WHERE key = 'calendar_years'").fetchone() == \
        ("2013-2031",)
    kinds = [k for (k,) in rows("SELECT kind FROM events ORDER BY id")]
    assert kinds[:3] == ["init", "calendar", "log"]
    assert kinds.count("calendar") == 1
    # received Mon 30 Sep 2013 10:00 (Shanghai 18:00): 1 wd → 8 Oct (1-7 Oct off);
    # 5 wd → 12 Oct 2013, the make-up Saturday
    assert rows("SELECT stage, due_at FROM stages WHERE complaint_id = "
                "(SELECT id FROM complaints WHERE customer = '甲') ORDER BY rowid").fetchall() \
        == [("assign", "2013-10-08T10:00:00Z"), ("resolve", "2013-10-12T10:00:00Z"),
            ("investigate", "2013-10-11T09:00:00Z"), ("revisit", "2013-10-11T09:00:00Z")]
    assert audit.verify(fast)["ok"]


def test_a_refused_history_takes_its_calendar_extension_back(tmp_path):
    """The extension is made inside a savepoint: a history refused after it leaves
    the calendar as it was (and no event)."""
    bad = _in(2013, "甲")
    bad = bad._replace(steps=[bad.steps[2]])  # resolve before investigating: refused
    lg = new_ledger(tmp_path / "bulk.db", country="CN")
    lg.salt_source = lambda: "5a17"  # a refused history's salt is not given back
    before = lg.conn.execute("SELECT count(*) FROM calendar_days").fetchone()
    with bulk.writing(lg) as writer:
        with pytest.raises(IllegalTransition):
            writer.add(bad)
        writer.add(_in(2026, "丙"))
        assert writer.calendar_gaps == {}
    assert lg.conn.execute("SELECT count(*) FROM calendar_days").fetchone() == before
    assert lg.conn.execute("SELECT value FROM settings WHERE key = 'calendar_years'"
                           ).fetchone() == ("2016-2031",)
    steps = new_ledger(tmp_path / "steps.db", country="CN")
    steps.salt_source = lambda: "5a17"
    bulk.through_steps(steps, _in(2026, "丙"))
    same(contents(steps), contents(lg))
    assert audit.verify(lg)["ok"]


def test_a_year_the_package_has_no_data_for_is_counted_for_the_warning(tmp_path):
    """1998 is before China's make-up working days in the holidays package: stored
    (rule-based), and counted in writer.calendar_gaps for the command to warn of."""
    lg = new_ledger(tmp_path / "bulk.db", country="CN")
    with bulk.writing(lg) as writer:
        writer.add(_in(1998, "甲", steps=False))
        writer.add(_in(1998, "乙", steps=False))
        writer.add(_in(2013, "丙", steps=False))
        gaps = dict(writer.calendar_gaps)
    assert gaps == {1998: 2}
    assert lg.conn.execute("SELECT value FROM settings WHERE key IN "
                           "('calendar_years', 'calendar_covered_from') ORDER BY key"
                           ).fetchall() == [("2001",), ("1998-2031",)]
    assert audit.verify(lg)["ok"]


def test_a_step_past_the_calendar_extends_it_as_the_steps_do(tmp_path, monkeypatch):
    """A calendar that ends with the year its ledger was made in (2025-2026): a
    history's step in 2026 needs 2027, and the writer extends it where the step
    would, its event before the step's."""
    from complaintctl import settings

    monkeypatch.setattr(settings, "CALENDAR_YEARS_BACK", 1)
    monkeypatch.setattr(settings, "CALENDAR_YEARS_AHEAD", 0)
    history = History({**FIELDS, "severity": "medium"}, at("2025-12-30"), at("2025-12-30"),
                      "周敏", [Step("assign", at("2026-01-05"), "周敏",
                                   {"department": "QA", "owner": "王芳"}, NOW)])
    fast = in_bulk(tmp_path / "bulk.db", [history], country="CN")
    same(contents(by_steps(tmp_path / "steps.db", [history], country="CN")), contents(fast))
    assert [k for (k,) in fast.conn.execute("SELECT kind FROM events ORDER BY id")] == \
        ["init", "log", "calendar", "assign"]
    assert audit.verify(fast)["ok"]


def _without_data_after_2025(lg: Ledger) -> Ledger:
    """The calendar as a holidays package whose official data ended with 2025 would
    have left it: the same days stored, 2026 and later without official data."""
    lg.conn.execute("UPDATE settings SET value = '2025' WHERE key = 'calendar_covered_until'")
    lg.forget_config()
    lg.salt_source = demo.salt_source(7)
    return lg


def _around_the_new_year() -> list[History]:
    """Deadlines in years without official data: from steps in 2025 (in working days
    and in hours), from steps in 2026 (their own year: the step's warning says it),
    and a critical complaint's second revisit, 90 days after November 2026."""
    low = History({**FIELDS, "customer": "甲", "severity": "low"}, at("2025-12-26", "02:00"),
                  at("2025-12-26", "02:00"), "周敏", [
        Step("assign", at("2025-12-29", "02:00"), "周敏", {"department": "QA", "owner": "王芳"}),
        Step("investigate", at("2026-01-05", "02:00"), "王芳", CAUSE),
        Step("resolve", at("2026-01-06", "02:00"), "王芳",
             {"disposition": "exchange", "summary": "换新"})])
    critical = History({**FIELDS, "customer": "乙"}, at("2025-12-31", "14:00"),
                       at("2025-12-31", "14:00"), "周敏", [
        Step("assign", at("2025-12-31", "15:00"), "周敏", {"department": "QA", "owner": "王芳"})])
    summer = History({**FIELDS, "customer": "丙"}, at("2025-06-02"), at("2025-06-02"), "周敏", [
        Step("assign", at("2025-06-02", "10:00"), "周敏", {"department": "QA", "owner": "王芳"})])
    second = History({**FIELDS, "customer": "丁"}, at("2026-11-02"), at("2026-11-02"), "周敏", [
        Step("assign", at("2026-11-02", "10:00"), "周敏", {"department": "QA", "owner": "王芳"}),
        Step("investigate", at("2026-11-03"), "王芳", CAUSE),
        Step("resolve", at("2026-11-04"), "王芳", {"disposition": "exchange", "summary": "换新"}),
        Step("revisit", at("2026-11-05"), "周敏", {"satisfaction": "satisfied"})])
    return [low, critical, summer, second]


def test_a_deadline_in_a_year_without_official_data_warns_as_the_steps_do(tmp_path):
    """The steps typed one by one warn of a deadline that falls in a year the calendar
    has no official data for (unless the step is in that year: it warns of the year
    itself); the writer says the same lines, each once, by year, and writes the same
    rows. 2026's deadlines from 2025 come through the working-day plans; the 90-day
    second revisit's in 2027 uses no calendar, and is not warned of."""
    from complaintctl.complaints import deadline_warning, gap_warning

    histories = _around_the_new_year()
    steps = _without_data_after_2025(new_ledger(tmp_path / "steps.db", country="CN",
                                                timezone="Asia/Shanghai"))
    said: list[str] = []
    for history in histories:
        bulk.through_steps(steps, history, said)
    fast = _without_data_after_2025(new_ledger(tmp_path / "bulk.db", country="CN",
                                               timezone="Asia/Shanghai"))
    with bulk.writing(fast, batch=2) as writer:
        for history in histories:
            writer.add(history)
    same(contents(steps), contents(fast))
    expected = [gap_warning(2026, "CN"), deadline_warning(2026, "CN", True)]
    assert set(said) == set(expected)  # every line the steps said, and no other
    # the logs of 甲 and 乙 and the assignment of 甲 (乙's investigation is due in 48 hours)
    assert said.count(deadline_warning(2026, "CN", True)) == 3
    assert writer.calendar_warnings() == expected
    # how many histories met each year: the steps in 2026, the deadlines from 2025 and 2026
    assert writer.calendar_gaps == {2026: 2}
    assert writer.deadline_gaps == {2026: 2}
    assert fast.conn.execute("SELECT due_at FROM stages WHERE stage = 'second-revisit'"
                             ).fetchall() == [("2027-02-03T09:00:00Z",)]


def test_a_refused_history_leaves_no_deadline_warning(tmp_path):
    """What a refused history's deadlines met is dropped with it."""
    second = _around_the_new_year()[3]
    refused = second._replace(steps=[*second.steps, Step(
        "resolve", at("2026-11-06"), "王芳", {"disposition": "exchange", "summary": "再换"})])
    lg = _without_data_after_2025(new_ledger(tmp_path / "bulk.db", country="CN"))
    with bulk.writing(lg) as writer:
        with pytest.raises(IllegalTransition):
            writer.add(refused)
        assert writer.calendar_warnings() == []
        writer.add(_around_the_new_year()[2])
    assert writer.calendar_warnings() == []


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Europe/Berlin",
                                  "Australia/Lord_Howe", "Asia/Kathmandu", "UTC",
                                  "America/St_Johns"])
def test_working_day_deadlines_worked_out_per_day_are_the_rule_s(zone):
    """The writer's deadlines in working days (planned once per UTC day) are those of
    deadlines.add_duration, in zones with summer time, half hours and quarter hours,
    around their changes, on holidays and make-up working days."""
    from zoneinfo import ZoneInfo

    from complaintctl import deadlines

    tz = ZoneInfo(zone)
    d = datetime(2026, 1, 1).date()
    cal = deadlines.Calendar(holidays=frozenset({d.replace(month=3, day=9),
                                                 d.replace(month=10, day=26),
                                                 d.replace(month=11, day=2)}),
                             workdays=frozenset({d.replace(month=3, day=14)}))
    dues = bulk._WorkingDues(cal, tz)
    rng = random.Random(zone)
    for i in range(4000):
        if i % 2:  # around the changes of offset
            start = datetime(2026, rng.choice([3, 4, 10, 11]), rng.randrange(1, 29),
                             tzinfo=UTC) + timedelta(seconds=rng.randrange(86400))
        else:
            start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(
                seconds=rng.randrange(8 * 365 * 86400))
        duration = deadlines.Duration(rng.choice([1, 2, 3, 5, 10]), "wd")
        assert dues(start, bulk._iso(start), duration) == bulk._iso(
            deadlines.add_duration(start, duration, cal, tz)), (start, duration)


def test_the_writers_refusal_from_closed_offers_a_revisit_only_to_a_critical_one(tmp_path):
    """The steps no longer offered a closed low complaint "revisit (a critical complaint's
    second revisit)"; the bulk writer (an import's new steps) still did."""
    lg = new_ledger(tmp_path / "bulk.db")
    low = History({**FIELDS, "severity": "low"}, at("2026-03-02"), at("2026-03-02"), "x", [
        Step("assign", at("2026-03-02", "10:00"), "x", {"department": "QA", "owner": "孙丽"}),
        Step("investigate", at("2026-03-03"), "x", CAUSE),
        Step("resolve", at("2026-03-04"), "x", {"disposition": "exchange", "summary": "换"}),
        Step("revisit", at("2026-03-05"), "x", {"satisfaction": "satisfied"}),
        Step("void", at("2026-03-06"), "x", {"reason": "重复"})])
    with pytest.raises(IllegalTransition) as refused:
        with bulk.writing(lg) as writer:
            writer.add(low)
    assert "it is closed; allowed next:" in refused.value.message
    assert "revisit" not in refused.value.message, refused.value.message
