"""`import`'s speed and memory: a made-up Chinese register of N rows with history
columns (GBK CSV or XLSX), imported by `/usr/bin/time -v complaintctl import` into a
new ledger: CPU seconds (user + system) and peak memory, beside the floor of the
same run (demo_bench.floor: the ledger's rows written by a bare executemany per
table, then its indexes built). And the XLSX readers side by side: python-calamine
against openpyxl's read-only mode, reading every cell of the same file.

    python benchmarks/import_bench.py [--rows 100000] [--runs 2] [--dir DIR] [--format csv]
                                      [--before SRC]
    python benchmarks/import_bench.py --readers 100000
    python benchmarks/import_bench.py --parts 100000
    python benchmarks/import_bench.py --profile 20000 [--top 40] [--again]

--before SRC runs, in each round, the same import from another source tree as well
(`git archive REV complaintctl schema.sql | tar -x -C SRC`; run as `python -m
complaintctl` with SRC on PYTHONPATH). --parts N splits the CPU of an N-row import
in-process, without a profiler (whose per-call cost distorts a per-row loop): reading
and decoding, the mapping's values (words, dates, numbers), key and row hash, the
history's facts, each as the difference of passes over the file that stop after it;
then the whole import, whose rest is the bulk writer's; then the same file again.
--profile runs `importer.run` under cProfile (CPU time, not wall), the same file
again too with --again.

Prints markdown rows for benchmarks/README.md. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_bench import floor  # noqa: E402

EXE = str(Path(sys.executable).with_name("complaintctl"))

HEADER = ["投诉单号", "投诉日期", "客户名称", "联系电话", "投诉渠道", "投诉类别", "严重程度",
          "产品型号", "批号", "数量", "投诉内容", "受理人", "责任部门", "责任人", "分派日期",
          "原因分析", "原因类别", "处理方式", "处理说明", "赔偿金额", "处理日期", "回访结果",
          "回访日期"]

MAPPING = """key = "投诉单号"

[columns]
received_at = "投诉日期"
customer = "客户名称"
contact = "联系电话"
channel = "投诉渠道"
category = "投诉类别"
severity = "严重程度"
product = "产品型号"
lot = "批号"
quantity = "数量"
description = "投诉内容"
logged_by = "受理人"
department = "责任部门"
owner = "责任人"
assigned_at = "分派日期"
cause = "原因分析"
cause_category = "原因类别"
disposition = "处理方式"
summary = "处理说明"
amount = "赔偿金额"
resolved_at = "处理日期"
satisfaction = "回访结果"
revisited_at = "回访日期"

[dates]
concluded_at = "resolved_at"
"""

CHANNELS = ["电话", "邮件", "来访", "网站", "传真", "信函"]
CATEGORIES = ["质量", "交付", "服务", "物流", "技术"]
SEVERITIES = ["低级", "中级", "高级", "特殊"]
CAUSES = ["制造", "检验", "设计", "供应商", "物流"]
DISPOSITIONS = ["换货", "退货", "维修", "返工", "退款", "折让", "解释"]
SATISFACTION = ["满意", "基本满意", "满意", "满意"]
DEPTS = [("质量部", "王芳"), ("技术部", "刘洋"), ("物流部", "孙丽"), ("销售部", "赵强")]


def register_rows(n: int, seed: int = 2015):
    """N rows of a register from 2019 to 2025, in the order received (as a register is
    kept), most of them closed after a revisit."""
    rng = random.Random(seed)
    customers = [f"客户{i:04d}有限公司" for i in range(3000)]
    products = [f"XD-{i:03d}" for i in range(60)]
    start = datetime(2019, 1, 2, 8)
    span = (datetime(2025, 12, 1) - start).total_seconds()
    times = sorted(int(rng.random() * span) for _ in range(n))
    for i in range(n):
        received = start + timedelta(seconds=times[i])
        row = [f"R{i + 1:07d}", received.strftime("%Y-%m-%d %H:%M"), rng.choice(customers),
               f"138{rng.randrange(10**8):08d}", rng.choice(CHANNELS), rng.choice(CATEGORIES),
               rng.choice(SEVERITIES), rng.choice(products), f"L{rng.randrange(9999):04d}",
               str(rng.randint(1, 50)), "设备运行异常，客户要求尽快处理", "周敏"]
        stage = rng.random()
        history = [""] * 11
        t = received
        if stage > 0.05:
            dept, owner = rng.choice(DEPTS)
            t += timedelta(hours=rng.randint(1, 30))
            history[0:3] = [dept, owner, t.strftime("%Y-%m-%d %H:%M")]
        if stage > 0.15:
            t += timedelta(hours=rng.randint(10, 120))
            disposition = rng.choice(DISPOSITIONS)
            history[3:10] = ["装配扭矩不足", rng.choice(CAUSES), disposition, "已与客户沟通处理",
                             f"{rng.randint(1, 500)}.00" if disposition == "折让" else "",
                             t.strftime("%Y-%m-%d %H:%M"), ""]
        if stage > 0.3:
            t += timedelta(hours=rng.randint(10, 60))
            history[9:11] = [rng.choice(SATISFACTION), t.strftime("%Y-%m-%d %H:%M")]
        yield row + history


def write_csv(path: Path, n: int) -> None:
    with open(path, "w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerows(register_rows(n))


def write_xlsx(path: Path, n: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("登记表")
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(register_rows(n), start=1):
        sheet.write_row(i, 0, row)
    book.close()


def time_v(args: list[str], env: dict[str, str] | None = None, cwd: str | None = None
           ) -> dict[str, float]:
    load = os.getloadavg()[0]
    done = subprocess.run(["/usr/bin/time", "-v", *args], env=env, capture_output=True,
                          text=True, cwd=cwd)
    out = done.stderr
    if done.returncode != 0:
        raise SystemExit(out[-3000:])

    def field(name: str) -> str:
        found = re.search(rf"^\s*{re.escape(name)}: (.*)$", out, re.MULTILINE)
        assert found, (name, out)
        return found.group(1)

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    return {"user": float(field("User time (seconds)")),
            "sys": float(field("System time (seconds)")),
            "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
            "wall": sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall))),
            "load_before": load, "load_after": os.getloadavg()[0], "stdout": done.stdout,
            "stderr": out}


READ_CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
n = 0
book = CalamineWorkbook.from_path(sys.argv[1])
for row in book.get_sheet_by_index(0).iter_rows():
    n += len(row)
print(n)
"""

READ_OPENPYXL = """
import sys
from openpyxl import load_workbook
n = 0
book = load_workbook(sys.argv[1], read_only=True)
for row in book.worksheets[0].iter_rows(values_only=True):
    n += len(row)
print(n)
"""


def readers(n: int, where: Path, runs: int) -> None:
    path = where / f"register-{n}.xlsx"
    write_xlsx(path, n)
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")
    print("| reader | rows | run | CPU s (user+sys) | peak MB | wall s | load before/after |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for run in range(1, runs + 1):
        for name, code in (("python-calamine", READ_CALAMINE), ("openpyxl read-only",
                                                               READ_OPENPYXL)):
            got = time_v([sys.executable, "-c", code, str(path)])
            print(f"| {name} | {n:,} | {run} | {got['user'] + got['sys']:.1f} "
                  f"({got['user']:.1f}+{got['sys']:.1f}) | {got['rss_mb']:.0f} | "
                  f"{got['wall']:.1f} | {got['load_before']:.1f} / {got['load_after']:.1f} |",
                  flush=True)
    path.unlink()


def _ledger(where: Path, name: str, now: datetime):
    from complaintctl.store import Ledger

    db = where / name
    for old in where.glob(name + "*"):
        old.unlink()
    return Ledger.create(db, init={"timezone": "Asia/Shanghai"}, now=now, login="bench")


def _register(where: Path, n: int) -> tuple[Path, Path]:
    reg = where / f"register-{n}.csv"
    if not reg.exists():
        write_csv(reg, n)
    m = where / "map.toml"
    m.write_text(MAPPING, encoding="utf-8")
    return reg, m


# The clock of the in-process runs: after every date of the register.
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def profile(n: int, top: int, where: Path, again: bool) -> None:
    import cProfile
    import pstats
    import time

    from complaintctl import importer, mapping, readers

    reg, m = _register(where, n)
    lg = _ledger(where, "profile.db", NOW)

    def run() -> None:
        result = importer.run(lg, reg, lambda: readers.open_table(reg), mapping.load(str(m)),
                              now=NOW, actor="bench")
        print(result.added, result.unchanged, result.refused,
              [p.line() for p in result.problems[:3]])

    if again:
        run()
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    run()
    profiler.disable()
    lg.close()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def parts(n: int, where: Path) -> None:
    """CPU µs a row by part, without a profiler (see the module's text)."""
    import resource
    import time

    from complaintctl import importer, mapping, readers

    reg, m = _register(where, n)
    lg = _ledger(where, "parts.db", NOW)
    the_mapping = mapping.load(str(m))
    cpu = time.process_time

    def passes(level: int) -> float:
        table = readers.open_table(reg)
        reader = importer.Reader(lg, table, the_mapping, now=NOW)
        start = cpu()
        for number, cells in table.rows:
            if level >= 1:
                row = reader.read(number, cells)
            if level >= 2:
                reader.key(row)
                digest = reader.row_hash(row)
            if level >= 3:
                reader.history(row, actor="bench", source={"file": reg.name, "row": number,
                                                           "row_hash": digest})
        return cpu() - start

    names = ("reading and decoding (CSV, GB18030)", "the mapping's values (texts, words, "
             "dates, numbers)", "key and row hash", "the history's facts (steps)")
    done = 0.0
    print("| part | µs a row | s |")
    print("|---|---:|---:|")
    for level, name in enumerate(names):
        took = min(passes(level) for _ in range(2))
        print(f"| {name} | {(took - done) / n * 1e6:.1f} | {took - done:.2f} |")
        done = took
    for label in ("the whole import", "the same file again"):
        start = cpu()
        result = importer.run(lg, reg, lambda: readers.open_table(reg), the_mapping, now=NOW,
                              actor="bench")
        took = cpu() - start
        print(f"| {label} ({result.added:,} added, {result.unchanged:,} unchanged) | "
              f"{took / n * 1e6:.1f} | {took:.2f} |")
        if label == "the whole import":
            print(f"| of which the bulk writer and the rest (whole - reading side) | "
                  f"{(took - done) / n * 1e6:.1f} | {took - done:.2f} |")
    print(f"<!-- peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
          f"load {os.getloadavg()[0]:.1f} -->")
    lg.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--format", default="csv", choices=("csv", "xlsx"))
    ap.add_argument("--dir", default=None)
    ap.add_argument("--readers", type=int, metavar="N")
    ap.add_argument("--profile", type=int, metavar="N")
    ap.add_argument("--again", action="store_true", help="profile the same file imported again")
    ap.add_argument("--parts", type=int, metavar="N")
    ap.add_argument("--before", metavar="SRC", help="a source tree to time as well")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    where = Path(args.dir or tempfile.mkdtemp(prefix="import-bench-"))
    where.mkdir(parents=True, exist_ok=True)
    if args.profile:
        profile(args.profile, args.top, where, args.again)
        return
    if args.parts:
        parts(args.parts, where)
        return
    if args.readers:
        readers(args.readers, where, args.runs)
        return
    n = args.rows
    reg = where / f"register-{n}.{args.format}"
    (write_csv if args.format == "csv" else write_xlsx)(reg, n)
    m = where / "map.toml"
    m.write_text(MAPPING, encoding="utf-8")
    print("| rows | file | version | run | CPU s (user+sys) | µs a row | peak MB | wall s | "
          "floor CPU s (insert + indexes) | × floor | the same file again: CPU s, peak MB | "
          "load before/after |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    env = {**os.environ, "COMPLAINTCTL_USER": "bench"}
    versions: list[tuple[str, list[str], dict[str, str], str | None]] = [
        ("this", [EXE], env, None)]
    if args.before:  # run from SRC: `python -m` puts the working folder first on the path
        src = str(Path(args.before).resolve())
        versions.append(("before", [sys.executable, "-m", "complaintctl"],
                         {**env, "PYTHONPATH": src}, src))
    for run in range(1, args.runs + 1):
        base = 0.0
        for version, command, version_env, cwd in versions:
            db = where / "import.db"
            for old in where.glob("import.db*"):
                old.unlink()
            subprocess.run([*command, "--db", str(db), "init", "--timezone", "Asia/Shanghai"],
                           env=version_env, check=True, capture_output=True, cwd=cwd)
            got = time_v([*command, "--db", str(db), "import", str(reg), "--mapping", str(m)],
                         version_env, cwd)
            cpu = got["user"] + got["sys"]
            if not base:  # the floor of the same rows, once a round
                scratch = where / "floor.db"
                for old in where.glob("floor.db*"):
                    old.unlink()
                f = floor(db, scratch)
                scratch.unlink()
                base = f["insert"] + f["indexes"]
                floor_text = f"{base:.1f} ({f['insert']:.1f} + {f['indexes']:.1f})"
            again = time_v([*command, "--db", str(db), "import", str(reg), "--mapping",
                            str(m)], version_env, cwd)
            print(f"| {n:,} | {args.format} | {version} | {run} | {cpu:.1f} ({got['user']:.1f}+"
                  f"{got['sys']:.1f}) | {cpu / n * 1e6:.0f} | {got['rss_mb']:.0f} | "
                  f"{got['wall']:.1f} | {floor_text} | {cpu / base:.2f} | "
                  f"{again['user'] + again['sys']:.1f}, {again['rss_mb']:.0f} | "
                  f"{got['load_before']:.1f} / {again['load_after']:.1f} |", flush=True)
            print("<!-- " + got["stderr"].splitlines()[0] + " / again: "
                  + again["stderr"].splitlines()[0] + " -->", flush=True)
    for old in where.glob("import.db*"):
        old.unlink()
    reg.unlink()


if __name__ == "__main__":
    main()
