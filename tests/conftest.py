"""Every test gets its own ledger in a temp dir, a fixed user, a pinned clock
(`NOW`: every in-process command takes it as the time) and a pinned terminal
(width, no colour), so nothing depends on the machine it runs on, or the day."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support import NOW, read_rows
from typer.testing import CliRunner

from complaintctl import cli, i18n
from complaintctl import run as run_module
from complaintctl.cli import app

TZ = "Asia/Shanghai"


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    db = tmp_path / "data" / "ledger.db"
    monkeypatch.setenv("COMPLAINTCTL_DB", str(db))
    monkeypatch.setenv("COMPLAINTCTL_USER", "tester")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TZ", raising=False)
    # English whatever the machine's locale; a test that wants Chinese says so.
    for var in ("COMPLAINTCTL_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setattr(cli, "_now", lambda: NOW)
    monkeypatch.setattr(run_module, "_now", lambda: NOW)  # the clock of the commands in run
    yield db
    i18n.choose(None, {})  # the next test starts in English, as a new process would


class Runner:
    """Drives the real command; fails the test on any traceback."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, code: int | None = 0):
        result = self.runner.invoke(app, [str(a) for a in args], input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert "Traceback" not in result.output
        if code is not None:
            assert result.exit_code == code, (args, result.exit_code, result.stdout,
                                              result.stderr)
        return result

    def json(self, *args: str):
        return json.loads(self(*args, "--format", "json").stdout)

    def log(self, *extra: str, customer: str = "华东电器有限公司", product: str = "XD-200",
            severity: str = "medium", received: str = "2026-09-30 10:00") -> str:
        given = {"--customer": customer, "--description": "电机异响", "--category": "quality",
                 "--severity": severity, "--channel": "phone", "--product": product,
                 "--received": received, "--contact": "13812345678"}
        for option in extra:  # an option in `extra` replaces its default (each once)
            given.pop(option, None)
        result = self("log", *(x for pair in given.items() for x in pair), *extra)
        return result.stdout.strip()

    # Bring a complaint to a state along the happy path; times follow `received`.
    def to_state(self, cid: str, state: str) -> None:
        order = ["logged", "assigned", "investigating", "resolved", "closed"]
        if state == "void":
            self("void", cid, "--reason", "logged twice", "--at", "2026-09-30 11:00")
            return
        steps = {
            "assigned": ("assign", cid, "--dept", "质量部", "--owner", "王芳",
                         "--at", "2026-09-30 11:00"),
            "investigating": ("investigate", cid, "--cause", "扭矩不足",
                              "--cause-category", "manufacturing", "--at", "2026-10-08 09:00"),
            "resolved": ("resolve", cid, "--disposition", "exchange", "--summary", "换新",
                         "--at", "2026-10-09 09:00"),
            "closed": ("revisit", cid, "--satisfaction", "satisfied", "--at",
                       "2026-10-09 15:00"),
        }
        for s in order[1:order.index(state) + 1]:
            self(*steps[s])

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return read_rows(self.db, sql, params)

    def snapshot(self) -> list[str]:
        """Every row of every table, as SQL text: equal snapshots, equal data."""
        conn = sqlite3.connect(self.db)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()


@pytest.fixture
def run(env) -> Runner:
    return Runner(env)


@pytest.fixture
def ledger(run) -> Runner:
    """A fresh CN ledger in Shanghai time."""
    run("init", "--country", "CN", "--timezone", TZ)
    return run
