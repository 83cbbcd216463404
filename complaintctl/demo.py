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
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from complaintctl import bulk, views
from complaintctl.bulk import Step
from complaintctl.errors import Refused
from complaintctl.i18n import _, path_said
from complaintctl.store import Ledger

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


def customer(rng: random.Random, pool: int, names: dict[int, str] | None = None) -> str:
    """A customer from a pool that grows with the ledger (about 1 per 20 complaints);
    the named regulars take a third of all complaints. `names`: the made-up names
    already given, by number in the pool, to reuse (and to add to)."""
    draw = rng.random
    if draw() < 0.35:
        return CUSTOMERS[int(draw() * len(CUSTOMERS))]
    k = int(draw() * pool)
    if names is None:
        return _made_up(k)
    name = names.get(k)
    if name is None:
        name = names[k] = _made_up(k)
    return name


def _made_up(k: int) -> str:
    """The name of the pool's customer k (0, 1, ...): a city, a trade and a kind."""
    return f"{CITIES[k % 10]}{TRADES[k // 10 % 10]}{KINDS[k // 100 % 5]}" + (
        f" {k // 500}" if k >= 500 else "")


def span_days(n: int) -> int:
    """Days of history for n complaints: at least a year, at most ~1,000 a day."""
    return max(365, -(-n // 1000))


def _weighted(weights: dict[str, int]) -> tuple[list[str], list[int], int, int]:
    """(population, cumulative weights, their total, the last place) for the draw of
    rng.choices(population, cum_weights)[0]: population[bisect(cum, rng.random() *
    total, 0, last)], without summing the weights or making a list for every complaint."""
    cum = list(itertools.accumulate(weights.values()))
    return list(weights), cum, cum[-1], len(cum) - 1


CATEGORY_DRAW = _weighted(CATEGORY_WEIGHTS)
SEVERITY_DRAW = _weighted(SEVERITY_WEIGHTS)
DEMANDS = list(DISPOSITION_FOR)

QUANTITIES = (1, 2, 5, 10, 20, 50, 100)
SATISFIED = ("satisfied", "satisfied", "basically-satisfied")
INSPECTIONS = ("defect-confirmed",) * 6 + ("no-defect-found", "customer-damage")
EMAILS = tuple(f"buyer{k}@example.com" for k in range(1, 100))  # buyer1 to buyer99
PAYING = ("refund", "discount", "compensation")

# The facts of the steps that come from small pools, made once and shared by every
# history: the bulk writer (and through_steps) only read a step's facts.
FINDING = "复现了客户描述的问题 / reproduced"
VOID = {"reason": "重复录入 / logged twice"}
FIRST_FINDING = {"finding": FINDING}
NOT_UPHELD = {finding: {"finding": finding, "validity": "not-upheld",
                        "reason": "产品符合规格，属正常使用磨损"} for finding in (FINDING, None)}
CONCLUSIONS = {finding: [{
    "finding": finding, "root_cause": cause, "cause_category": cause_cat,
    "responsibility": "supplier" if cause_cat == "supplier"
    else "customer" if cause_cat == "customer-misuse" else "company",
    "supplier": "宁波精工轴承" if cause_cat == "supplier" else None,
    "containment": "隔离同批次库存", "corrective": "修订作业指导书"} for cause, cause_cat in CAUSES]
    for finding in (FINDING, None)}  # by the finding, then the cause's place in CAUSES
ACTION_TEXT = "更新检验标准并培训 / update inspection standard"
ACTION_DONE = {"action": 0}
ACTION_VERIFIED = {"action": 0, "note": "三个批次未再发生"}
SUMMARY = "已电话告知客户处理结果 / customer informed"
RESOLVED = {disposition: {"disposition": disposition,  # without an amount
                          "summary": SUMMARY, "amount": None, "approved_by": None}
            for disposition in {*DISPOSITION_FOR.values(), "explanation"}}
DECLINED = {"reason": "客户拒绝回访 / customer declined"}
REVISITED = {satisfaction: {"satisfaction": satisfaction, "method": "phone",
                            "demand_met": satisfaction != "unsatisfied"}
             for satisfaction in ("satisfied", "basically-satisfied", "unsatisfied")}
SECOND_REVISIT = {"satisfaction": "satisfied", "method": "visit", "demand_met": True,
                  "note": "二次回访：问题未再发生"}
RETURN_CLOSED = {"return": 0}


def _step(kind: str, at: datetime, actor: str, facts: dict[str, Any]) -> Step:
    """Step(kind, at, actor, facts): the same tuple, made without calling the
    NamedTuple's __new__ (a Python function taking keywords and defaults)."""
    return tuple.__new__(Step, (kind, at, actor, facts, None, None))


if Step._field_defaults != {"now": None, "extra": None} or len(Step._fields) != 6:
    raise ImportError("demo._step makes a Step of another shape")  # (bulk.Step changed)

DAY_SECONDS = 86400
SECOND, HOUR = timedelta(seconds=1), timedelta(hours=1)
# SECONDS[s]: timedelta(seconds=s) for s below an hour, made once
SECONDS = list(itertools.accumulate(itertools.repeat(SECOND, 3599), initial=timedelta(0)))


class _Run:
    """What the complaints of one `histories` call share: the draws (`random`:
    rng.random), the clock, the counters and the strings made once.

    A complaint's times are counted in whole seconds after `start` (an int t) until a
    step records one; the datetime of t is start + hours[t // 3600] + SECONDS[t %
    3600], the same as start + timedelta(seconds=t) but cheaper than making that
    timedelta. t is after now when t > late and before now when t < early (now
    rounded down and up to whole seconds after start)."""

    __slots__ = ("rng", "random", "now", "start", "late", "early", "hours", "midnight", "pool",
                 "names", "stall_every", "return_stall_every", "returns_made", "days",
                 "shipped")

    def __init__(self, rng: random.Random, n: int, now: datetime) -> None:
        self.rng, self.random = rng, rng.random
        self.now = now
        self.start = start = (now - timedelta(days=span_days(n))).replace(microsecond=0)
        self.late = (now - start) // SECOND
        self.early = -((start - now) // SECOND)
        # hours[h]: timedelta(hours=h), up to 30 days after now (an action's due date)
        self.hours = list(itertools.accumulate(
            itertools.repeat(HOUR, self.late // 3600 + 30 * 24 + 1), initial=timedelta(0)))
        # start's seconds since its midnight: t is on day (midnight + t) // DAY_SECONDS
        self.midnight = start.hour * 3600 + start.minute * 60 + start.second
        self.pool = max(20, n // 20)  # of customers
        self.names: dict[int, str] = {}
        # One in `stall_every` stalls and stays there, in turn after each step: every
        # state is present and these show up in overdue; so does one return in
        # `return_stall_every` (counted in returns_made).
        self.stall_every = max(25, n // 200)
        self.return_stall_every = max(8, n // 1000)
        self.returns_made = 0
        self.days: dict[int, tuple[str, str]] = {}
        self.shipped: dict[int, str] = {}

    def day(self, day: int) -> tuple[str, str]:
        """How the order number and the lot of a complaint received on the day-th day
        after start's begin: SO-yymm- and Lyymmdd."""
        date = self.start.date() + timedelta(days=day)
        yymm = f"{date.year % 100:02d}{date.month:02d}"
        strings = self.days[day] = (f"SO-{yymm}-", f"L{yymm}{date.day:02d}")
        return strings

    def shipped_on(self, day: int) -> str:
        """The date (ISO) of the day-th day after start's."""
        text = self.shipped[day] = (self.start.date() + timedelta(days=day)).isoformat()
        return text


# The seed of a demo not given one (the first into a ledger; the next one it does not
# hold after).
SEED = 2026


def histories(n: int, *, now: datetime, seed: int = SEED) -> Iterator[bulk.History]:
    """The demo's n complaint histories, oldest first (the same seed, the same ones)."""
    rng = random.Random(seed)
    run = _Run(rng, n, now)
    span = (now - run.start).total_seconds()
    draw = run.random
    # when each was received, as a fraction of the span: floats take less memory
    offsets = sorted([draw() for _ in range(n)])
    for index, offset in enumerate(offsets):
        yield _history(run, index, int(offset * span))


def fill(ledger: Ledger, n: int, *, now: datetime, seed: int | None = None,
         progress: Callable[[int], None] | None = None
         ) -> tuple[dict[str, int], list[str], int]:
    """Add n complaints with their histories to a demo ledger, through the bulk
    writer, and a `demo` event saying so; returns counts by status, the writer's warnings
    of the calendar (a deadline in a year it has no official data for:
    Writer.calendar_warnings, as `import` prints them) and the seed (_seed: `seed`, or
    the first from SEED on that the ledger does not hold). `progress(done)` is called now
    and then while the complaints are written, and with n when all are: the indexes come
    next."""
    every = max(1, n // 500)
    with bulk.writing(ledger, demo=True) as writer:
        seed = _seed(writer, seed)
        ledger.salt_source = salt_source(seed)
        for index, history in enumerate(histories(n, now=now, seed=seed)):
            writer.add(history)
            if progress is not None and index % every == 0 and index:
                progress(index)
        # in the chain: the history says these complaints are the demo's (the ledger's
        # demo mark names this event; verify checks that it does)
        writer.ledger_event("demo", now, "demo", {"complaints": n, "seed": seed})
        if progress is not None:
            progress(n)
    return views.status_counts(ledger), writer.calendar_warnings(), seed


def _seed(writer: bulk.Writer, seed: int | None) -> int:
    """The seed to fill with: a seed the ledger holds already would make each complaint
    again as its twin, received at the same instant and linked as its repeat (the repeat
    rate doubled without a word): one given is refused, and without one the first from
    SEED on that it does not hold is taken. Read inside the writer's transaction."""
    held = {s for (s,) in writer.cur.execute(
        "SELECT json_extract(data, '$.seed') FROM events WHERE kind = 'demo'")}
    if seed is None:
        return next(s for s in itertools.count(SEED) if s not in held)
    if seed in held:
        raise Refused(_("{path} holds the demo's complaints of seed {seed} already: the same "
                        "again would each be its twin").format(
                            path=path_said(writer.lg.path), seed=seed),
                      hint=_("leave --seed out to add others (with the next seed it does not "
                             "hold), or make a new file: complaintctl demo --db NEW.db"),
                      code="demo_seed_held")
    return seed


def salt_source(seed: int) -> Callable[[], str]:
    """Contact salts from the seed too: the same seed, the same ledger."""
    salts = random.Random(seed + 1)
    return lambda: f"{salts.getrandbits(64):016x}"


def _history(run: _Run, index: int, t: int) -> bulk.History:
    """The index-th complaint's history, received t seconds after run.start."""
    draw, start, hours, late = run.random, run.start, run.hours, run.late
    received = start + hours[t // 3600] + SECONDS[t % 3600]
    day = (run.midnight + t) // DAY_SECONDS
    order_no_from, lot_from = run.days.get(day) or run.day(day)
    population, cum, total, last = CATEGORY_DRAW
    category = population[bisect(cum, draw() * total, 0, last)]
    population, cum, total, last = SEVERITY_DRAW
    severity = population[bisect(cum, draw() * total, 0, last)]
    demand = DEMANDS[int(draw() * len(DEMANDS))]
    customer_name = customer(run.rng, run.pool, run.names)
    clerk = CLERKS[int(draw() * len(CLERKS))]
    # a mobile number: 1, 3 to 9, nine digits (as f"1{d}{n:09d}", written as a number)
    contact = str(10_000_000_000 + (3 + int(draw() * 7)) * 1_000_000_000
                  + int(draw() * 1000000000)) if draw() < 0.7 else EMAILS[int(draw() * 99)]
    channel = CHANNELS[int(draw() * len(CHANNELS))]
    region = REGIONS[int(draw() * len(REGIONS))]
    order_no = f"{order_no_from}{1 + int(draw() * 9999):04d}"
    product = PRODUCTS[int(draw() * len(PRODUCTS))]
    lot = lot_from + "123456789"[int(draw() * 9)]
    quantity = QUANTITIES[int(draw() * len(QUANTITIES))]
    shipped = day - 3 - int(draw() * 58)  # 3 to 60 days before
    shipped_on = run.shipped.get(shipped) or run.shipped_on(shipped)
    descriptions = DESCRIPTIONS[category]
    fields: dict[str, Any] = {
        "customer": customer_name, "contact": contact, "channel": channel,
        "category": category, "severity": severity, "demand": demand, "region": region,
        "order_no": order_no, "product": product, "lot": lot, "quantity": quantity,
        "shipped_on": shipped_on,
        "description": descriptions[int(draw() * len(descriptions))]}
    logged_t = t + int(3600 * (3 * draw()))  # within 3 hours
    logged = run.now if logged_t > late else start + hours[logged_t // 3600] \
        + SECONDS[logged_t % 3600]
    steps: list[Step] = []
    add = steps.append
    history = bulk.History(fields, received, logged, clerk, steps)
    stall_every = run.stall_every
    stall_at = (index // stall_every) % 5 + 1 if index % stall_every == 7 else 99
    pace = 3 if draw() < 0.15 else 1  # slow: takes longer than the deadline
    taken = 0

    def step(lo: float, hi: float) -> datetime | None:
        """The next step's time, lo to hi hours (slowly: 3 times) after the last step's:
        None after now, or where this complaint stalls."""
        nonlocal t, taken
        taken += 1
        lo, hi = lo * pace, hi * pace
        nxt = t + int(3600 * (lo + (hi - lo) * draw()))
        if nxt > late or taken >= stall_at:
            return None
        t = nxt
        return start + hours[t // 3600] + SECONDS[t % 3600]

    if draw() < 0.02:
        at = step(0.2, 4)
        if at:
            add(_step("void", at, clerk, VOID))
        return history
    departments = DEPARTMENTS[category]
    dept = departments[int(draw() * len(departments))]
    owner = OWNERS[int(draw() * len(OWNERS))]
    at = step(0.5, 10)
    if not at:
        return history
    add(_step("assign", at, clerk, {"department": dept, "owner": owner}))
    if category == "quality" and demand in ("return", "exchange", "repair"):
        returns_made, every = run.returns_made, run.return_stall_every
        run.returns_made += 1
        stall = (returns_made // every) % 4 + 1 if returns_made % every == 3 else 0
        _return(run, steps, quantity, t, stall)
    at = step(4, 40)
    if not at:
        return history
    finding: str | None = FINDING
    if draw() < 0.3 or stall_at <= 3:  # some record findings before the cause
        add(_step("investigate", at, owner, FIRST_FINDING))
        finding = None
        at = step(4, 40)
        if not at:
            return history
    not_upheld = draw() < 0.12
    if not_upheld:
        add(_step("investigate", at, owner, NOT_UPHELD[finding]))
    else:
        add(_step("investigate", at, owner, CONCLUSIONS[finding][int(draw() * len(CAUSES))]))
        if draw() < 0.3:
            due = t + DAY_SECONDS * (7 + int(draw() * 24))  # 7 to 30 days
            add(_step("action-add", at, owner, {
                "text": ACTION_TEXT, "owner": owner,
                "due": start + hours[due // 3600] + SECONDS[due % 3600]}))
            done = t + DAY_SECONDS * (3 + int(draw() * 38))  # 3 to 40 days
            early = run.early
            if done < early and draw() < 0.8:
                add(_step("action-done", start + hours[done // 3600] + SECONDS[done % 3600],
                          owner, ACTION_DONE))
                verified = done + DAY_SECONDS * (1 + int(draw() * 20))  # 1 to 20 days
                if verified < early and draw() < 0.7:
                    add(_step("action-verify", start + hours[verified // 3600]
                              + SECONDS[verified % 3600], "质量经理", ACTION_VERIFIED))
    disposition = "explanation" if not_upheld else DISPOSITION_FOR[demand]
    paying = disposition in PAYING
    for round_ in range(3):
        at = step(8, 60)
        if not at:
            return history
        if paying:
            amount = 100 + int(draw() * 499901)  # 100 to 500,000
            add(_step("resolve", at, owner, {
                "disposition": disposition, "summary": SUMMARY, "amount": amount,
                "approved_by": "质量经理"}))
        else:
            add(_step("resolve", at, owner, RESOLVED[disposition]))
        at = step(4, 30)
        if not at:
            return history
        if draw() < 0.06:
            add(_step("close", at, clerk, DECLINED))
            return history
        satisfaction = ("unsatisfied" if round_ < 2 and draw() < 0.08
                        else SATISFIED[int(draw() * len(SATISFIED))])
        add(_step("revisit", at, clerk, REVISITED[satisfaction]))
        if satisfaction != "unsatisfied":
            second = t + DAY_SECONDS * (80 + int(draw() * 21))  # 80 to 100 days
            if severity == "critical" and second < run.early and stall_at == 99:
                add(_step("revisit", start + hours[second // 3600] + SECONDS[second % 3600],
                          clerk, SECOND_REVISIT))
            return history
    return history


RETURN_SPLITS = [("repair", "rework"), ("scrap",), ("restock", "scrap"), ("return-to-supplier",),
                 ("discount-sale", "scrap")]
WAREHOUSE, INSPECTOR = "仓库 陈静", "质检 孙丽"


def _return(run: _Run, steps: list[Step], qty: int, t: int, stall: int) -> None:
    """A return authorised at assignment (t seconds after run.start); the warehouse
    and quality move it on.

    A few stop for good after step `stall` (1-4, 0: none), so every stage is present
    and some are late; one in eight receipts is short.
    """
    draw, start, hours, late, add = run.random, run.start, run.hours, run.late, steps.append
    t += int(3600 * (0.5 + (4 - 0.5) * draw()))
    if t > late:
        return
    add(_step("return-open", start + hours[t // 3600] + SECONDS[t % 3600], WAREHOUSE,
              {"qty": qty, "reason": "客户要求退货"}))

    def later(lo: float, hi: float) -> datetime | None:
        """lo to hi hours after the return's last step: None after now."""
        nonlocal t
        t += int(3600 * (lo + (hi - lo) * draw()))
        return start + hours[t // 3600] + SECONDS[t % 3600] if t <= late else None

    if stall == 1 or not (when := later(24, 120)):
        return
    short = qty > 1 and draw() < 0.125
    received = qty - (1 + int(draw() * (qty - 1))) if short else qty
    add(_step("return-receive", when, WAREHOUSE, {"return": 0, "qty": received}))
    if stall == 2 or not (when := later(2, 60)):
        return
    result = INSPECTIONS[int(draw() * len(INSPECTIONS))]
    defective = received if result == "defect-confirmed" else 0
    add(_step("return-inspect", when, INSPECTOR, {
        "return": 0, "result": result, "defective": defective,
        "cause": "轴承磨损" if defective else None}))
    if stall == 3 or not (when := later(4, 90)):
        return
    actions = RETURN_SPLITS[int(draw() * len(RETURN_SPLITS))]
    first = received if len(actions) == 1 else 1 + int(draw() * received) if received > 1 \
        else received
    for action, part in zip(actions, (first, received - first), strict=False):
        if part <= 0:
            continue
        loss = part * (50 + int(draw() * 751)) * 100 if action in ("scrap", "discount-sale") \
            else 0
        repair = part * (20 + int(draw() * 181)) * 100 if action in ("repair", "rework") \
            else 0
        add(_step("return-dispose", when, INSPECTOR, {
            "return": 0, "action": action, "qty": part, "cost": loss, "repair_cost": repair}))
    if stall == 4 or not (when := later(2, 48)):
        return
    add(_step("return-close", when, WAREHOUSE, RETURN_CLOSED))
