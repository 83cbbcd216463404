"""Shared by the hypothesis state machines: each example runs on its own copy
of a ledger prepared once (building the country calendar is the slow part)."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis.stateful import RuleBasedStateMachine
from typer.testing import CliRunner

from complaintctl import audit, cli, migrations
from complaintctl import run as run_module
from complaintctl.cli import app

# The instant every in-process command takes as "now" (conftest pins it for each test;
# the state machines, which run outside fixtures, pin it around each command).
NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)

_TEMPLATES: dict[tuple[tuple[str, ...], ...], Path] = {}


def read_rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of a ledger, read on a connection of their own."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def dump(db: Path) -> list[str]:
    """Everything a ledger holds, as SQL statements (what a refusal must leave as it was)."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def received_and_scrapped(run: Any, rid: str, received: int, defective: int,
                          scrapped: int, at: tuple[str, str, str]) -> None:
    """A return's goods received, inspected (the defect confirmed) and scrapped, each step
    at its time of `at`."""
    run("return", "receive", rid, "--qty", str(received), "--at", at[0])
    run("return", "inspect", rid, "--result", "defect-confirmed", "--defective", str(defective),
        "--at", at[1])
    run("return", "dispose", rid, "--action", "scrap", "--qty", str(scrapped), "--at", at[2])


def pinned_now() -> datetime:
    return NOW


@contextmanager
def pinned_clock() -> Iterator[None]:
    """Commands run inside take NOW as the time; the real clock is back afterwards."""
    with mock.patch.object(cli, "_now", pinned_now), \
            mock.patch.object(run_module, "_now", pinned_now):
        yield


def set_clock(monkeypatch: Any, when: datetime) -> None:
    """The commands of the test run from now on take `when` as the time."""
    monkeypatch.setattr(cli, "_now", lambda: when)
    monkeypatch.setattr(run_module, "_now", lambda: when)


def template_ledger(commands: tuple[tuple[str, ...], ...]) -> Path:
    """A ledger made once by running `commands`, kept for the whole test session."""
    if commands not in _TEMPLATES:
        folder = tempfile.mkdtemp(prefix="cc-template-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # not left in /tmp
        path = Path(folder) / "ledger.db"
        runner = CliRunner()
        for args in commands:
            with pinned_clock():
                result = runner.invoke(app, ["--db", str(path), *args])
            assert result.exit_code == 0, result.output
        _TEMPLATES[commands] = path
    return _TEMPLATES[commands]


class LedgerMachine(RuleBasedStateMachine):
    """A state machine over a fresh copy of the template made by TEMPLATE."""

    TEMPLATE: tuple[tuple[str, ...], ...] = (("init", "--timezone", "Asia/Shanghai"),)

    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="cc-sm-"))
        self.db = self.dir / "ledger.db"
        shutil.copy(template_ledger(self.TEMPLATE), self.db)
        self.runner = CliRunner()

    def teardown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return read_rows(self.db, sql, params)

    def invoke(self, *args: str):
        """The real command on this example's ledger; a traceback fails the test."""
        with pinned_clock():
            result = self.runner.invoke(app, ["--db", str(self.db), *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result


# What day_tallies summarises, recounted from the rows themselves: verify's recount.
tallies_and_recount = audit.tallies_and_recount


def oldest_ledger(path: Path, year: int = 2026) -> None:
    """A ledger exactly as version 1 of complaintctl made it, with one complaint
    CC-YEAR-0001 received on 30 September of `year`."""
    conn = sqlite3.connect(path)
    (_n, _name, sql) = migrations.steps()[0]
    conn.executescript(str(sql))
    conn.executescript("""
        INSERT INTO settings VALUES ('country', 'CN'), ('timezone', 'Asia/Shanghai'),
          ('currency', 'CNY'), ('id_prefix', 'CC'), ('return_prefix', 'RMA'),
          ('repeat_window_days', '90'),
          ('categories', '["quality","delivery","service","logistics","technical",
                          "billing","other"]'),
          ('calendar_weekend', '[5, 6]'), ('calendar_covered_until', '2026'),
          ('calendar_years', '2016-2031');
        INSERT INTO calendar_days VALUES ('{y}-10-01', 'country', 'holiday', 'National Day');
        INSERT INTO policy VALUES ('assign', 'medium', '1wd'), ('resolve', 'medium', '5wd'),
          ('investigate', 'medium', '3wd'), ('revisit', 'medium', '1wd'),
          ('reopen', 'medium', '3wd');
        INSERT INTO escalation VALUES (1, 0, 'manager'), (2, 1, 'branch head'),
          (3, 2, 'general manager');
        INSERT INTO id_counters VALUES ('complaint', {y}, 1);
        INSERT INTO complaints (id, year, seq, received_at, logged_at, logged_by, channel,
          customer, contact, product, category, severity, description, status, last_step_at)
          VALUES ('CC-{y}-0001', {y}, 1, '{y}-09-30T02:00:00Z', '{y}-09-30T02:05:00Z',
          '周敏', 'phone', '华东电器', '13812345678', 'XD-200', 'quality', 'medium',
          '电机异响 [批次]', 'logged', '{y}-09-30T02:00:00Z');
        INSERT INTO stages (complaint_id, stage, started_at, due_at) VALUES
          ('CC-{y}-0001', 'assign', '{y}-09-30T02:00:00Z', '{y}-10-08T02:00:00Z');
        INSERT INTO events (complaint_id, at, recorded_at, actor, kind, data) VALUES
          ('CC-{y}-0001', '{y}-09-30T02:00:00Z', '{y}-09-30T02:05:00Z', '周敏', 'log', '{}');
        PRAGMA user_version = 1;
    """.replace("{y}", str(year)))
    conn.commit()
    conn.close()


def record_csv(text: str) -> list[tuple[str, str, str]]:
    """The csv of `show`: (section, field, value) per line, header and BOM left out."""
    import csv
    import io

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["section", "field", "value"]
    assert all(len(r) == 3 for r in rows)
    return [(s, f, v) for s, f, v in rows[1:]]


def show_csv(run, record: str) -> dict[str, str]:
    """`show RECORD --format csv` as field → value (a field named twice keeps its last)."""
    return {f: v for _s, f, v in record_csv(run("show", record, "--format", "csv").stdout)}


def sleepy(cur, seconds: float) -> list:
    """A check of verify's that takes `seconds` (a worker of its pool imports it)."""
    import time

    time.sleep(seconds)
    return []
