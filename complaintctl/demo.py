"""A realistic, seeded history for trying complaintctl (and for benchmarks).

The demo tells each complaint's history (bulk.History: its intake and steps)
and the bulk writer applies it by the same rules the commands use, in one
transaction: a demo ledger obeys every rule a real one does. Complaints
are spread over a span that grows with their number (at most about 1,000 a
day); each moves on through its stages with human delays until it reaches
today, so old ones are mostly closed, recent ones still open, and a few stall
and show up in `overdue`.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from complaintctl import bulk, views
from complaintctl.bulk import Step
from complaintctl.store import Ledger

T = TypeVar("T")

CUSTOMERS = ["华东电器有限公司", "深圳市佳达科技", "北京新联商贸", "上海永信五金厂", "广州美的经销部",
             "成都天府家居", "杭州西子机电", "Acme Industrial Ltd", "Northwind Traders",
             "Globex GmbH", "Initech Supplies", "Umbrella Retail", "王建国", "李秀英", "张伟",
             "Maria Rossi", "John Smith", "苏州恒通电子", "武汉长江物流", "Contoso Pty"]
PRODUCTS = ["XD-200 电机", "XD-300 电机", "KB-12 控制板", "PS-5 电源", "VL-80 阀门",
            "Pump P-40", "Fan F-120", "Sensor S-7", "LED 灯条 L-1", "Cable C-3x2.5"]
REGIONS = ["华东", "华南", "华北", "西南", "Export"]
DEPARTMENTS = {"quality": ["质量部", "QA"], "delivery": ["物流部", "Sales"],
               "service": ["客服部"], "logistics": ["物流部"], "technical": ["技术部", "R&D"],
               "billing": ["财务部"], "other": ["客服部"]}
OWNERS = ["王芳", "刘洋", "陈静", "Li Na", "Zhang Wei", "赵磊", "Tom Baker", "孙丽"]
CLERKS = ["周敏", "吴婷", "Alice", "郑浩"]
DESCRIPTIONS = {
    "quality": ["收到的电机运行时有异响，[批次]抽查 3 台都有同样问题。",
                "Units arrived with cracked housings; customer says \"third time this year\".",
                "控制板上电后指示灯不亮，客户要求退货。"],
    "delivery": ["订单延迟交货两周，影响客户生产线。", "Shipment short by 20 pcs against the packing list."],
    "service": ["售后工程师未按约定时间上门。", "Hotline kept the customer on hold for 40 minutes."],
    "logistics": ["外箱破损，产品受潮。", "Pallet delivered to the wrong warehouse."],
    "technical": ["安装说明与实际接线不符。", "Firmware update bricked two controllers."],
    "billing": ["发票金额与合同不一致。", "Invoiced twice for order PO-7781."],
    "other": ["包装上的中文标签印刷错误。", "Customer unhappy with the tone of a sales call."],
}
CAUSES = [("装配工序扭矩不足", "manufacturing"), ("来料检验漏检", "inspection"),
          ("Design margin too small on the housing", "design"), ("供应商轴承批次不良", "supplier"),
          ("运输途中包装受压", "logistics"), ("销售承诺超出标准交期", "sales"),
          ("客户未按说明书安装", "customer-misuse")]
DISPOSITION_FOR = {"return": "return", "exchange": "exchange", "repair": "repair",
                   "refund": "refund", "discount": "discount", "compensation": "compensation",
                   "explanation": "explanation", "other": "rework"}
CATEGORY_WEIGHTS = {"quality": 45, "delivery": 15, "service": 12, "logistics": 10,
                    "technical": 9, "billing": 5, "other": 4}
SEVERITY_WEIGHTS = {"low": 30, "medium": 45, "high": 20, "critical": 5}
CHANNELS = ["phone"] * 5 + ["email"] * 3 + ["hotline", "web", "visit", "letter", "fax", "social",
                                           "regulator"]


CITIES = ["苏州", "宁波", "佛山", "东莞", "无锡", "青岛", "厦门", "合肥", "Penang", "Osaka"]
TRADES = ["精密", "机电", "五金", "电子", "家电", "物流", "商贸", "Trading", "Electric", "Tools"]
KINDS = ["有限公司", "制造厂", "经销部", "Co., Ltd", "Inc."]


def customer(rng: random.Random, pool: int) -> str:
    """A customer from a pool that grows with the ledger (about 1 per 20 complaints);
    the named regulars take a third of all complaints."""
    if rng.random() < 0.35:
        return _choice(rng, CUSTOMERS)
    k = int(rng.random() * pool)
    return f"{CITIES[k % 10]}{TRADES[k // 10 % 10]}{KINDS[k // 100 % 5]}" + (
        f" {k // 500}" if k >= 500 else "")


def span_days(n: int) -> int:
    """Days of history for n complaints: at least a year, at most ~1,000 a day."""
    return max(365, -(-n // 1000))


def _weighted(weights: dict[str, int]) -> tuple[list[str], list[int]]:
    """(population, cumulative weights) for rng.choices: the same draw as with the
    weights, without summing them for every complaint."""
    return list(weights), list(itertools.accumulate(weights.values()))


CATEGORY_DRAW = _weighted(CATEGORY_WEIGHTS)
SEVERITY_DRAW = _weighted(SEVERITY_WEIGHTS)
DEMANDS = list(DISPOSITION_FOR)


def _choice(rng: random.Random, seq: Sequence[T]) -> T:
    """One of seq, evenly (rng.choice's distribution, from one rng.random())."""
    return seq[int(rng.random() * len(seq))]


def _int(rng: random.Random, lo: int, hi: int) -> int:
    """A whole number from lo to hi, both included, evenly (as rng.randint)."""
    return lo + int(rng.random() * (hi - lo + 1))


QUANTITIES = (1, 2, 5, 10, 20, 50, 100)
SATISFIED = ("satisfied", "satisfied", "basically-satisfied")
INSPECTIONS = ("defect-confirmed",) * 6 + ("no-defect-found", "customer-damage")


def _pick(rng: random.Random, draw: tuple[list[str], list[int]]) -> str:
    """rng.choices(population, cum_weights)[0], the same draw without its list."""
    population, cum = draw
    return population[bisect(cum, rng.random() * cum[-1], 0, len(cum) - 1)]


def _hours(rng: random.Random, lo: float, hi: float) -> timedelta:
    """Between lo and hi hours, evenly, in whole seconds (as stored)."""
    return timedelta(0, int(3600 * (lo + (hi - lo) * rng.random())))


def histories(n: int, *, now: datetime, seed: int = 2026) -> Iterator[bulk.History]:
    """The demo's n complaint histories, oldest first (the same seed, the same ones)."""
    rng = random.Random(seed)
    start = (now - timedelta(days=span_days(n))).replace(microsecond=0)
    span = (now - start).total_seconds()
    # when each was received, as a fraction of the span: floats take less memory
    offsets = sorted(rng.random() for _ in range(n))
    stall_every = max(25, n // 200)
    return_counter = itertools.count()
    for index, offset in enumerate(offsets):
        yield _history(rng, index, start + timedelta(0, int(offset * span)), now, stall_every,
                       n, return_counter, max(8, n // 1000))


def fill(ledger: Ledger, n: int, *, now: datetime, seed: int = 2026,
         progress: Callable[[int], None] | None = None
         ) -> tuple[dict[str, int], list[str]]:
    """Add n complaints with their histories to a demo ledger, through the bulk
    writer, and a `demo` event saying so; returns counts by status, and the writer's warnings of the calendar (a
    deadline in a year it has no official data for: Writer.calendar_warnings, as
    `import` prints them). `progress(done)` is called now and then while the
    complaints are written, and with n when all are: the indexes come next."""
    ledger.salt_source = salt_source(seed)
    every = max(1, n // 500)
    with bulk.writing(ledger, demo=True) as writer:
        for index, history in enumerate(histories(n, now=now, seed=seed)):
            writer.add(history)
            if progress is not None and index % every == 0 and index:
                progress(index)
        # in the chain: the history says these complaints are the demo's (the ledger's
        # demo mark names this event; verify checks that it does)
        writer.ledger_event("demo", now, "demo", {"complaints": n, "seed": seed})
        if progress is not None:
            progress(n)
    return views.status_counts(ledger), writer.calendar_warnings()


def salt_source(seed: int) -> Callable[[], str]:
    """Contact salts from the seed too: the same seed, the same ledger."""
    salts = random.Random(seed + 1)
    return lambda: f"{salts.getrandbits(64):016x}"


def _history(rng: random.Random, index: int, received: datetime, now: datetime,
             stall_every: int, n_total: int, return_counter: Iterator[int],
             return_stall_every: int) -> bulk.History:
    category = _pick(rng, CATEGORY_DRAW)
    severity = _pick(rng, SEVERITY_DRAW)
    demand = _choice(rng, DEMANDS)
    customer_name = customer(rng, max(20, n_total // 20))
    clerk = _choice(rng, CLERKS)
    yymm = f"{received.year % 100:02d}{received.month:02d}"
    fields: dict[str, Any] = {
        "customer": customer_name,
        "contact": f"1{_int(rng, 3, 9)}{_int(rng, 0, 999999999):09d}"
        if rng.random() < 0.7 else f"buyer{_int(rng, 1, 99)}@example.com",
        "channel": _choice(rng, CHANNELS),
        "category": category,
        "severity": severity,
        "demand": demand,
        "region": _choice(rng, REGIONS),
        "order_no": f"SO-{yymm}-{_int(rng, 1, 9999):04d}",
        "product": _choice(rng, PRODUCTS),
        "lot": f"L{yymm}{received.day:02d}{_int(rng, 1, 9)}",
        "quantity": _choice(rng, QUANTITIES),
        "shipped_on": (received - timedelta(days=_int(rng, 3, 60))).date().isoformat(),
        "description": _choice(rng, DESCRIPTIONS[category]),
    }
    logged = received + _hours(rng, 0, 3)
    if logged > now:
        logged = now
    steps: list[Step] = []
    history = bulk.History(fields, received, logged, clerk, steps)
    # One in `stall_every` stalls and stays there, in turn after each step: every
    # state is present and these show up in overdue.
    stall_at = (index // stall_every) % 5 + 1 if index % stall_every == 7 else 99
    slow = rng.random() < 0.15    # takes longer than the deadline
    t = received
    steps_taken = 0

    def step(lo: float, hi: float) -> datetime | None:
        nonlocal t, steps_taken
        steps_taken += 1
        nxt = t + _hours(rng, lo * (3 if slow else 1), hi * (3 if slow else 1))
        if nxt > now or steps_taken >= stall_at:
            return None
        t = nxt
        return t

    if rng.random() < 0.02:
        at = step(0.2, 4)
        if at:
            steps.append(Step("void", at, clerk, {"reason": "重复录入 / logged twice"}))
        return history
    dept = _choice(rng, DEPARTMENTS[category])
    owner = _choice(rng, OWNERS)
    at = step(0.5, 10)
    if not at:
        return history
    steps.append(Step("assign", at, clerk, {"department": dept, "owner": owner}))
    if demand in ("return", "exchange", "repair") and category == "quality":
        returns_made = next(return_counter)
        stall = (returns_made // return_stall_every) % 4 + 1 \
            if returns_made % return_stall_every == 3 else 0
        _return(steps, rng, fields["quantity"], at, now, stall=stall)
    at = step(4, 40)
    if not at:
        return history
    finding: str | None = "复现了客户描述的问题 / reproduced"
    if rng.random() < 0.3 or stall_at <= 3:  # some record findings before the cause
        steps.append(Step("investigate", at, owner, {"finding": finding}))
        finding = None
        at = step(4, 40)
        if not at:
            return history
    not_upheld = rng.random() < 0.12
    if not_upheld:
        steps.append(Step("investigate", at, owner, {"finding": finding, "validity": "not-upheld",
                                                     "reason": "产品符合规格，属正常使用磨损"}))
    else:
        cause, cause_cat = _choice(rng, CAUSES)
        steps.append(Step("investigate", at, owner, {
            "finding": finding, "root_cause": cause, "cause_category": cause_cat,
            "responsibility": "supplier" if cause_cat == "supplier"
            else "customer" if cause_cat == "customer-misuse" else "company",
            "supplier": "宁波精工轴承" if cause_cat == "supplier" else None,
            "containment": "隔离同批次库存", "corrective": "修订作业指导书"}))
        if rng.random() < 0.3:
            steps.append(Step("action-add", at, owner, {
                "text": "更新检验标准并培训 / update inspection standard", "owner": owner,
                "due": at + timedelta(days=_int(rng, 7, 30))}))
            done = at + timedelta(days=_int(rng, 3, 40))
            if done < now and rng.random() < 0.8:
                steps.append(Step("action-done", done, owner, {"action": 0}))
                verified = done + timedelta(days=_int(rng, 1, 20))
                if verified < now and rng.random() < 0.7:
                    steps.append(Step("action-verify", verified, "质量经理",
                                      {"action": 0, "note": "三个批次未再发生"}))
    for round_ in range(3):
        at = step(8, 60)
        if not at:
            return history
        disposition = "explanation" if not_upheld else DISPOSITION_FOR[demand]
        amount = _int(rng, 100, 500000) if disposition in ("refund", "discount",
                                                             "compensation") else None
        steps.append(Step("resolve", at, owner, {
            "disposition": disposition, "summary": "已电话告知客户处理结果 / customer informed",
            "amount": amount, "approved_by": "质量经理" if amount else None}))
        at = step(4, 30)
        if not at:
            return history
        if rng.random() < 0.06:
            steps.append(Step("close", at, clerk, {"reason": "客户拒绝回访 / customer declined"}))
            return history
        satisfaction = ("unsatisfied" if round_ < 2 and rng.random() < 0.08
                        else _choice(rng, SATISFIED))
        steps.append(Step("revisit", at, clerk, {
            "satisfaction": satisfaction, "method": "phone",
            "demand_met": satisfaction != "unsatisfied"}))
        if satisfaction != "unsatisfied":
            second = at + timedelta(days=_int(rng, 80, 100))
            if severity == "critical" and second < now and stall_at == 99:
                steps.append(Step("revisit", second, clerk, {
                    "satisfaction": "satisfied", "method": "visit", "demand_met": True,
                    "note": "二次回访：问题未再发生"}))
            return history
    return history


RETURN_SPLITS = [("repair", "rework"), ("scrap",), ("restock", "scrap"), ("return-to-supplier",),
                 ("discount-sale", "scrap")]
WAREHOUSE, INSPECTOR = "仓库 陈静", "质检 孙丽"


def _return(steps: list[Step], rng: random.Random, qty: int, at: datetime, now: datetime,
            stall: int) -> None:
    """A return authorised at assignment; the warehouse and quality move it on.

    A few stop for good after step `stall` (1-4, 0: none), so every stage is present
    and some are late; one in eight receipts is short.
    """
    opened = at + _hours(rng, 0.5, 4)
    if opened > now:
        return
    steps.append(Step("return-open", opened, WAREHOUSE, {"qty": qty, "reason": "客户要求退货"}))
    t = opened
    stops = [stall == s for s in range(1, 5)]

    def later(lo: float, hi: float) -> datetime | None:
        nonlocal t
        t = t + _hours(rng, lo, hi)
        return t if t <= now else None

    if stops[0] or not (when := later(24, 120)):
        return
    short = qty > 1 and rng.random() < 0.125
    received = qty - _int(rng, 1, qty - 1) if short else qty
    steps.append(Step("return-receive", when, WAREHOUSE, {"return": 0, "qty": received}))
    if stops[1] or not (when := later(2, 60)):
        return
    result = _choice(rng, INSPECTIONS)
    defective = received if result == "defect-confirmed" else 0
    steps.append(Step("return-inspect", when, INSPECTOR, {
        "return": 0, "result": result, "defective": defective,
        "cause": "轴承磨损" if defective else None}))
    if stops[2] or not (when := later(4, 90)):
        return
    actions = _choice(rng, RETURN_SPLITS)
    first = received if len(actions) == 1 else _int(rng, 1, received) if received > 1 \
        else received
    for action, part in zip(actions, (first, received - first), strict=False):
        if part <= 0:
            continue
        loss = part * _int(rng, 50, 800) * 100 if action in ("scrap", "discount-sale") else 0
        repair = part * _int(rng, 20, 200) * 100 if action in ("repair", "rework") else 0
        steps.append(Step("return-dispose", when, INSPECTOR, {
            "return": 0, "action": action, "qty": part, "cost": loss, "repair_cost": repair}))
    if stops[3] or not (when := later(2, 48)):
        return
    steps.append(Step("return-close", when, WAREHOUSE, {"return": 0}))
