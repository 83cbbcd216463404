"""`verify`'s speed (issue 13): the command in a fresh process, and each check of its
plan alone.

    python benchmarks/verify_bench.py --db LEDGER [--runs 1] [-- EXTRA VERIFY ARGS]

Runs `complaintctl --db LEDGER verify` in a fresh process (output discarded) and prints
its wall time, its CPU seconds (user + system of it and of its pool workers, from the
rusage of the children of this script) and the peak memory of its largest process,
beside the floor (`python -c 'import sqlite3'`) of the same run and the load average
before and after. The ledger is only read.

    python benchmarks/verify_bench.py --db LEDGER --tasks [--only NAME,...] [--profile N]
        [--src DIR]

Each task of verify's parallel plan (audit._plan) run alone, one after the other, in
this process, each on a read-only connection of its own as a worker runs it: CPU
seconds (time.process_time) and wall seconds per task, their sum, the longest, and
what the plan's parent does before it (the chain head, the cuts). `--profile N`:
cProfile (CPU time) of each task, its N costliest functions. `--src DIR`: the
complaintctl package of another version (`git archive REV complaintctl | tar -x -C
DIR`), imported instead of the installed one. Not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

EXE = str(Path(sys.executable).with_name("complaintctl"))
FLOOR = [sys.executable, "-c", "import sqlite3"]


def measured(cmd: list[str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s of the process and its descendants, peak MB, exit code)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = ru.ru_utime + ru.ru_stime
    return wall, cpu, ru.ru_maxrss / 1024, proc.returncode


def command(db: str, runs: int, extra: list[str]) -> None:
    print("| run | load before → after | wall s | CPU s | peak MB | exit | floor CPU s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for k in range(1, runs + 1):
        before = os.getloadavg()[0]
        fwall, fcpu, _fmb, _ = measured(FLOOR)
        wall, cpu, mb, code = measured([EXE, "--db", db, "verify", *extra])
        after = os.getloadavg()[0]
        print(f"| {k} | {before:.2f} → {after:.2f} | {wall:.1f} | {cpu:.1f} | {mb:.0f} | "
              f"{code} | {fcpu:.3f} |", flush=True)


def tasks(db: str, only: set[str], top: int) -> None:
    from complaintctl import audit
    from complaintctl.store import Ledger, chain_head

    print(f"complaintctl from {Path(audit.__file__).parent}")
    t0, w0 = time.process_time(), time.perf_counter()
    lg = Ledger.open(Path(db))
    try:
        with lg.read() as cur:
            last_id, _hash = chain_head(cur)
            plan = audit._plan(cur, last_id, None, parts=4)
    finally:
        lg.close()
    print(f"load {os.getloadavg()[0]:.2f}; {last_id} events; the plan's parent: "
          f"{time.process_time() - t0:.2f} CPU s, {time.perf_counter() - w0:.2f} s wall")
    print("| task | CPU s | wall s | problems |")
    print("|---|---:|---:|---:|")
    total, longest = 0.0, 0.0
    for key, check, args in plan:
        name = key if isinstance(key, str) else f"{key[0]} {key[1]}"
        if only and (key if isinstance(key, str) else key[0]) not in only:
            continue
        prof = None
        if top:
            import cProfile

            prof = cProfile.Profile(time.process_time)
        t0, w0 = time.process_time(), time.perf_counter()
        if prof is not None:
            prof.enable()
        out = audit._apart(db, check, args)
        if prof is not None:
            prof.disable()
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
        total += cpu
        longest = max(longest, cpu)
        found = (len(out["problems"]) if isinstance(out, dict) else
                 len(out[0]) if isinstance(out, tuple) else len(out))
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {found} |", flush=True)
        if prof is not None:
            import pstats

            pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(top)
    print(f"| **sum** | **{total:.2f}** | | longest {longest:.2f} |")
    print(f"load {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--tasks", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--profile", type=int, default=0)
    ap.add_argument("extra", nargs="*")
    ap.add_argument("--src", default="")
    args = ap.parse_args()
    if args.src:  # before the editable install's finder, which would win over sys.path
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        sys.path.insert(0, str(Path(args.src).resolve()))
    if args.tasks:
        tasks(args.db, {s for s in args.only.split(",") if s}, args.profile)
    else:
        command(args.db, args.runs, args.extra)


if __name__ == "__main__":
    main()
