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


def test_the_chinese_quick_guide_runs_as_written(tmp_path, monkeypatch):
    """docs/快速上手.md, a clerk's day in Chinese: each block of commands meant to run in
    order does, from its first line (the variable naming the ledger) on a new ledger (the
    import's register, the prompts and the alternatives apart)."""
    import shlex

    from typer.testing import CliRunner

    text = (ROOT / "docs" / "快速上手.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, re.S)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMPLAINTCTL_DB")  # (the guide sets it, before init)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # (a ledger made elsewhere: not found)
    for name in ("现场照片1.jpg", "签收单.pdf"):
        (tmp_path / name).write_bytes(b"x")
    ran = 0
    for block in blocks:
        if "不是接着上面执行" in text.split(f"```\n{block}")[0][-40:]:
            continue  # the alternatives, not steps in order
        for line in re.sub(r"\\\n\s*", "", block).splitlines():
            line = line.split("  #")[0].split(" > ")[0].strip()
            if line.startswith("export "):  # as the shell would
                name, _eq, value = line.removeprefix("export ").partition("=")
                monkeypatch.setenv(name, value.replace("/srv/qa/", f"{tmp_path}/"))
                continue
            if not line.startswith("complaintctl ") or " import " in f"{line} " or \
                    line == "complaintctl log":
                continue
            line = line.replace("$(date +%F)", "x")
            argv = [a.replace("/srv/qa/backups/", f"{tmp_path}/")
                    for a in shlex.split(line)[1:]]
            result = CliRunner().invoke(app, ["--as", "周敏", *argv])
            assert result.exit_code == 0, (line, result.output)
            ran += 1
    assert ran >= 30, ran
