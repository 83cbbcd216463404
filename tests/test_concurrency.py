"""Several processes logging and moving complaints in one ledger at once:
every write lands, nobody sees a lock error, the file stays sound."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

WORKER = textwrap.dedent("""
    import sys
    from typer.testing import CliRunner
    from complaintctl.cli import app

    worker, count = sys.argv[1], int(sys.argv[2])
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, ["--as", f"clerk{worker}", *args])
        if result.exit_code != 0:
            sys.stderr.write(f"FAILED {args}: {result.output}\\n")
            sys.exit(1)
        return result.stdout.strip()

    for i in range(count):
        cid = run("log", "--customer", f"客户{worker}-{i}", "--description", "并发",
                  "--category", "quality", "--severity", "high", "--channel", "phone",
                  "--product", "XD", "--received", "2025-11-03 09:00")
        run("assign", cid, "--dept", "QA", "--owner", f"owner{worker}", "--at",
            "2025-11-03 10:00")
        run("investigate", cid, "--cause", "torque", "--at", "2025-11-03 11:00")
""")


@pytest.mark.slow
@pytest.mark.parametrize("created_first", [True, False])
def test_parallel_writers(run, env, created_first):
    """With the ledger made beforehand, or made by whichever worker comes first."""
    if created_first:
        run("init", "--timezone", "Asia/Shanghai")
    workers, count = 4, 12
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(w), str(count)],
                              env={**os.environ, "COMPLAINTCTL_DB": str(env)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(workers)]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    conn = sqlite3.connect(env)
    total = workers * count
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM complaints").fetchone() == (
        total, total)
    assert conn.execute("SELECT count(*) FROM complaints WHERE status = 'investigating'"
                        ).fetchone()[0] == total
    assert conn.execute("SELECT count(*) FROM events WHERE complaint_id IS NOT NULL"
                        ).fetchone()[0] == total * 3
    # ids are a gapless sequence even under contention
    seqs = sorted(r[0] for r in conn.execute("SELECT seq FROM complaints"))
    assert seqs == list(range(1, total + 1))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
