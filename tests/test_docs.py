"""Every command is documented: it has help text, its --help works, and the
README shows it in use. The README's test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from complaintctl.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, ...]]:
    group = typer.main.get_command(app)
    found = []
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        if subs:
            found += [(name, sub) for sub in subs]
        else:
            found.append((name,))
    return sorted(found)


COMMANDS = _commands()


def test_the_spec_commands_exist():
    names = {" ".join(c) for c in COMMANDS}
    for expected in ("init", "log", "assign", "investigate", "action add", "action done",
                     "action verify", "resolve", "revisit", "close", "void", "amend", "show",
                     "list", "overdue", "report", "policy show", "policy set",
                     "policy calendar", "return open", "return receive", "return inspect",
                     "return dispose", "return close", "return list", "demo"):
        assert expected in names, expected


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_has_help_and_is_in_the_readme(run, command):
    result = run(*command, "--help")
    assert "Usage:" in result.stdout
    group = typer.main.get_command(app)
    cmd = group.commands[command[0]]
    if len(command) == 2:
        cmd = cmd.commands[command[1]]
    assert (cmd.help or "").strip(), f"{' '.join(command)} has no help text"
    pattern = r"complaintctl (--db \S+ )?" + re.escape(" ".join(command)) + r"\b"
    assert re.search(pattern, README), f"README never shows `complaintctl {' '.join(command)}`"


def test_root_help_is_plain_and_fast_to_read(run):
    result = run("--help")
    assert "Usage:" in result.stdout and "overdue" in result.stdout
    assert "╭" not in result.stdout  # plain Click help, not Rich panels


def test_ci_runs_the_readme_test_command():
    test_cmd = next(line.strip() for line in README.splitlines()
                    if "pytest" in line and not line.lstrip().startswith("#"))
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
