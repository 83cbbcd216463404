"""Shared by the hypothesis state machines: each example runs on its own copy
of a ledger prepared once (building the country calendar is the slow part)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

from hypothesis.stateful import RuleBasedStateMachine
from typer.testing import CliRunner

from complaintctl import cli
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


def pinned_now() -> datetime:
    return NOW


@contextmanager
def pinned_clock() -> Iterator[None]:
    """Commands run inside take NOW as the time; the real clock is back afterwards."""
    with mock.patch.object(cli, "_now", pinned_now):
        yield


def template_ledger(commands: tuple[tuple[str, ...], ...]) -> Path:
    """A ledger made once by running `commands`, kept for the whole test session."""
    if commands not in _TEMPLATES:
        path = Path(tempfile.mkdtemp(prefix="cc-template-")) / "ledger.db"
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


# What day_tallies summarises, recounted from the rows themselves.
_RECOUNT = {
    "received": "SELECT substr(received_at, 1, 10), count(*) FROM complaints GROUP BY 1",
    "resolutions": "SELECT substr(at, 1, 10), count(*) FROM resolutions GROUP BY 1",
    "closing_revisits": "SELECT substr(at, 1, 10), count(*) FROM revisits WHERE "
                        "from_status = 'resolved' AND to_status = 'closed' GROUP BY 1",
}


def tallies_and_recount(conn) -> tuple[dict, dict]:
    """(the day tallies the ledger keeps, the same counted from the rows); days
    whose tally went back to zero (an amended date) are left out of the first."""
    kept = {(m, d): n for m, d, n in conn.execute("SELECT measure, day, n FROM day_tallies")
            if n}
    recount = {(m, d): n for m, sql in _RECOUNT.items() for d, n in conn.execute(sql)}
    return kept, recount
