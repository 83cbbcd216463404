"""The entry point's fast path (complaintctl/dispatch.py) against the Typer app.

Two kinds of check:

- in process, for many command lines (a list, and hypothesis's fuzzed ones): the
  fast parser either declines, or reads exactly what Typer reads: the same
  command, the same keyword arguments, the same root options, the same language.
  When Typer refuses a line or shows help, the fast parser must have declined;
- end to end, in real processes: `complaintctl ARGS` through the entry point and
  through `cli.main` alone (Typer for everything) print the same stdout and
  stderr and exit with the same code, valid and invalid lines, English and
  Chinese (--lang, COMPLAINTCTL_LANG, the ledger's language).

The fast path imports no Typer (checked too), and COMPLAINTCTL_PROFILE writes a
profile of the run.
"""

from __future__ import annotations

import os
import pstats
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from complaintctl import dispatch, i18n, render
from complaintctl import run as run_module
from complaintctl.cli import app

ROOT = Path(__file__).resolve().parents[1]


# --- in process: the fast parser reads what Typer reads ----------------------------------

def _typer_reading(argv: list[str], environ: dict[str, str], monkeypatch) -> dict | None:
    """What the Typer app passes to the command for `argv` (None when it does not
    run it: help, a usage error, another command), with the root's state."""
    seen: dict = {}

    def record(**kwargs) -> None:
        seen.update(kwargs=kwargs, root={"db": run_module._STATE["db"],
                                          "actor": run_module._STATE["actor"],
                                          "quiet": run_module._STATE["quiet"],
                                          "ascii_": render._STYLE["ascii"]},
                    lang=i18n.lang(), explicit=i18n.explicit())

    monkeypatch.setattr(run_module, "overdue", record)
    for var in ("COMPLAINTCTL_ASCII", "COMPLAINTCTL_QUIET", "COMPLAINTCTL_LANG"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(app, argv, env=environ)
    i18n.choose(None, {})
    if not seen:
        return None
    assert result.exit_code == 0, (argv, result.output)
    return seen


def _fast_reading(argv: list[str], environ: dict[str, str]) -> dict | None:
    plan = dispatch.understand(argv, environ)
    if plan is None:
        return None
    i18n.choose(plan.lang, environ)
    reading = {"kwargs": plan.kwargs, "root": plan.root, "lang": i18n.lang(),
               "explicit": i18n.explicit()}
    i18n.choose(None, {})
    return reading


def _same_reading(argv: list[str], environ: dict[str, str], monkeypatch) -> bool:
    """Asserts the fast parser agrees with Typer; True when it took the line."""
    fast = _fast_reading(argv, environ)
    if fast is None:
        return False
    assert _typer_reading(argv, environ, monkeypatch) == fast, argv
    return True


LINES = [
    (["overdue"], True),
    (["overdue", "--format", "json"], True),
    (["overdue", "--format=json"], True),
    (["overdue", "--format", "json", "--format", "json"], True),  # the same again
    (["overdue", "--format", "csv", "--format", "json"], False),  # refused by Typer
    (["overdue", "--dept=QA", "--dept", "质量部"], False),
    (["overdue", "--limit", "0"], True),
    (["overdue", "--limit", "007"], True),
    (["overdue", "--limit=12", "--dept", "质量部", "--owner", "王芳", "--severity", "高"],
     True),
    (["overdue", "--as-of", "2026-10-01 10:00", "--format", "markdown"], True),
    (["overdue", "--dept", ""], True),
    (["overdue", "--customer", "华东", "--severity", "high"], True),
    (["overdue", "--dept="], True),
    (["--db", "x.db", "overdue"], True),
    (["--db=x.db", "--as", "王芳", "overdue"], True),
    (["--ascii", "-q", "overdue"], True),
    (["--quiet", "--lang", "zh", "overdue", "--format", "json"], True),
    (["--lang=中文", "overdue"], True),
    (["--lang", "en_US.UTF-8", "overdue"], True),
    (["--db", "", "overdue"], True),
    # Typer's: help, errors, other commands, forms the fast parser leaves alone.
    (["overdue", "--help"], False),
    (["--version", "overdue"], False),
    (["overdue", "-h"], False),
    (["--help"], False),
    ([], False),
    (["overdue", "--limit", "x"], False),
    (["overdue", "--limit", "-1"], False),
    (["overdue", "--limit", "１２"], False),
    (["overdue", "--limit"], False),
    (["overdue", "--formt", "json"], False),
    (["overdue", "extra"], False),
    (["overdue", "--"], False),
    (["overdue", "--dept", "-x"], False),
    (["overdu"], False),
    (["Overdue"], False),
    (["--lang", "fr", "overdue"], False),
    (["--lang", "zh", "--lang", "en", "overdue"], False),
    (["-q", "-q", "overdue"], False),
    (["--db"], False),
    (["--db", "a", "--db", "b", "overdue"], False),
    (["--ascii=1", "overdue"], False),
    (["overdue", "--db", "x.db"], False),
    (["list"], False),
    (["log"], False),
    (["overdue", "--as-of"], False),
    (["overdue", "\udcff"], False),
]


@pytest.mark.parametrize(("argv", "fast"), LINES, ids=[" ".join(a) or "(none)" for a, _f in LINES])
def test_the_fast_parser_reads_what_typer_reads(argv, fast, monkeypatch):
    assert _same_reading(argv, {}, monkeypatch) is fast
    if not fast:  # and where Typer runs the command, the fast parser could have
        assert dispatch.understand(argv, {}) is None


ENVIRONMENTS = [
    {"COMPLAINTCTL_ASCII": "1"}, {"COMPLAINTCTL_ASCII": " Yes "}, {"COMPLAINTCTL_ASCII": ""},
    {"COMPLAINTCTL_QUIET": "off"}, {"COMPLAINTCTL_QUIET": "T"},
    {"COMPLAINTCTL_LANG": "zh"}, {"COMPLAINTCTL_LANG": "klingon"}, {"LANG": "zh_CN.UTF-8"},
]


@pytest.mark.parametrize("environ", ENVIRONMENTS, ids=str)
def test_the_environment_is_read_as_typer_reads_it(environ, monkeypatch):
    assert _same_reading(["overdue"], environ, monkeypatch)
    assert _same_reading(["--ascii", "-q", "overdue"], environ, monkeypatch)


@pytest.mark.parametrize("environ", [{"COMPLAINTCTL_ASCII": "maybe"},
                                     {"COMPLAINTCTL_QUIET": "2"},
                                     {"_COMPLAINTCTL_COMPLETE": "bash_complete"},
                                     {"_TYPER_COMPLETE_ARGS": "complaintctl over"}], ids=str)
def test_completion_and_bad_flags_in_the_environment_go_to_typer(environ):
    assert dispatch.understand(["overdue"], environ) is None


TOKENS = st.sampled_from([
    "overdue", "list", "show", "--format", "json", "table", "csv", "--limit", "3", "0",
    "-1", "x", "--dept", "质量部", "--owner", "--severity", "high", "--as-of",
    "2026-10-01", "--db", "l.db", "--as", "--lang", "zh", "en", "fr", "--ascii", "-q",
    "--quiet", "--help", "-h", "--", "", "--format=csv", "--limit=2", "--lang=zh",
    "--dept=", "-", "--bogus", "=",
])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(TOKENS, max_size=8), environ=st.sampled_from([*ENVIRONMENTS, {}]))
def test_fuzzed_command_lines_are_read_alike(argv, environ, monkeypatch):
    _same_reading(argv, environ, monkeypatch)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(TOKENS, max_size=4).map(lambda rest: ["overdue", *rest]))
def test_fuzzed_overdue_lines_are_read_alike(argv, monkeypatch):
    _same_reading(argv, {}, monkeypatch)


# --- end to end: the same output in a real process ------------------------------------------

ENTRY = {  # both named `complaintctl`, so that Click's usage lines name the same program
    "dispatch": "from complaintctl.dispatch import main\nmain()\n",
    "typer": "from complaintctl.cli import main\nmain()\n",
}


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    """The two entry points, an English ledger with late stages and a Chinese one."""
    top = tmp_path_factory.mktemp("dispatch")
    scripts = {}
    for name, text in ENTRY.items():
        (top / name).mkdir()
        script = top / name / "complaintctl"
        script.write_text(text)
        scripts[name] = script
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("COMPLAINTCTL_") and k not in ("LANGUAGE", "LC_ALL",
                                                              "LC_MESSAGES", "FORCE_COLOR")}
    env.update(COMPLAINTCTL_USER="tester", LANG="C.UTF-8", COLUMNS="100", NO_COLOR="1",
               TERM="dumb")
    ledgers = {}
    for lang in ("en", "zh"):
        db = top / f"{lang}.db"
        first = ""
        for args in (["init", "--country", "CN", "--timezone", "Asia/Shanghai", "--lang", lang],
                     ["log", "--customer", "华东电器", "--description", "异响", "--channel",
                      "phone", "--category", "quality", "--severity", "high", "--received",
                      "2025-11-03 10:00", "--no-input"],
                     ["log", "--customer", "Contoso", "--description", "noise", "--channel",
                      "email", "--category", "delivery", "--severity", "low", "--received",
                      "2025-11-04 10:00", "--no-input"],
                     ["assign", "FIRST", "--dept", "质量部", "--owner", "王芳", "--at",
                      "2025-11-03 11:00"]):
            args = [first if a == "FIRST" else a for a in args]  # noqa: PLW2901
            done = subprocess.run([sys.executable, str(scripts["typer"]), "--db", str(db),
                                   *args], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            first = first or done.stdout.strip()  # the id `log` printed
        ledgers[lang] = db
    return scripts, env, ledgers


def _both(processes, argv: list[str], **extra: str) -> None:
    scripts, env, _ledgers = processes
    env = {**env, **extra}

    def once(name: str) -> tuple[int, str, str]:
        done = subprocess.run([sys.executable, str(scripts[name]), *argv], env=env,
                              capture_output=True, text=True, timeout=60)
        assert "Traceback" not in done.stderr
        return done.returncode, done.stdout, done.stderr

    for _attempt in range(3):  # the clock moves on between the runs (overdue says "now",
        # to the second): on a busy machine a second can pass between two pairs as well
        typer = once("typer")
        fast = once("dispatch")
        if fast == typer:
            break
    assert fast == typer, argv


END_TO_END = [
    ["overdue"],
    ["overdue", "--format", "json"],
    ["overdue", "--format", "csv", "--as-of", "2026-01-05 09:00"],
    ["overdue", "--format", "markdown", "--limit", "1"],
    ["overdue", "--limit", "1"],
    ["-q", "overdue", "--limit", "1", "--as-of", "2026-01-05"],
    ["overdue", "--limit", "0", "--severity", "high"],
    ["overdue", "--dept", "质量部", "--owner", "王芳"],
    ["overdue", "--customer", "华东 电器"],
    ["overdue", "--customer", "华冬"],
    ["overdue", "--as-of", "2025-01-01"],
    ["-q", "overdue", "--as-of", "2025-01-01"],
    ["--ascii", "overdue", "--as-of", "2026-01-05"],
    ["overdue", "--format", "yaml"],
    ["overdue", "--severity", "pressing"],
    ["overdue", "--as-of", "yesterday-ish"],
    ["overdue", "--limit", "-3"],
    ["overdue", "--dept", "   "],
    ["overdue", "--limit", "x"],
    ["overdue", "--formt", "json"],
    ["overdue", "--format", "csv", "--format", "json"],
    ["overdue", "--limit", "3", "--limit=3"],
    ["overdue", "--limit", "9" * 5000],  # (int() refused it: a traceback on the fast path)
    ["overdue", "--help"],
    ["overdue", "stray"],
    ["--lang", "fr", "overdue"],
    ["overdu"],
]


@pytest.mark.slow
@pytest.mark.parametrize("argv", END_TO_END, ids=" ".join)
@pytest.mark.parametrize("lang", ["ledger", "flag", "env"])
@pytest.mark.parametrize("ledger", ["en", "zh"])
def test_both_paths_print_the_same(processes, argv, lang, ledger):
    db = ["--db", str(processes[2][ledger])]
    if lang == "flag":
        _both(processes, [*db, "--lang", "en" if ledger == "zh" else "zh", *argv])
    elif lang == "env":
        _both(processes, [*db, *argv], COMPLAINTCTL_LANG="en" if ledger == "zh" else "zh")
    else:
        _both(processes, [*db, *argv])


@pytest.mark.slow
def test_a_missing_ledger_is_refused_alike(processes, tmp_path):
    _both(processes, ["--db", str(tmp_path / "none.db"), "overdue"])
    _both(processes, ["--db", str(tmp_path / "none.db"), "overdue"], COMPLAINTCTL_LANG="zh")
    assert not (tmp_path / "none.db").exists()


@pytest.mark.slow
def test_the_fast_path_imports_no_typer(processes, tmp_path):
    scripts, env, ledgers = processes
    probe = tmp_path / "complaintctl"
    probe.write_text("import sys\nfrom complaintctl import run\n"
                     "run.before_exit(lambda: print(sorted(m for m in sys.modules "
                     "if m.split('.')[0] in ('typer', 'click', 'rich')), file=sys.stderr))\n"
                     "from complaintctl.dispatch import main\nmain()\n")
    done = subprocess.run([sys.executable, str(probe), "--db", str(ledgers["en"]), "overdue",
                           "--format", "json"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.strip() == "[]", done.stderr
    done = subprocess.run([sys.executable, str(probe), "--db", str(ledgers["en"]), "overdue",
                           "--help"], env=env, capture_output=True, text=True)
    assert "'typer'" in done.stderr  # help is Typer's


@pytest.mark.slow
def test_a_profile_of_the_run(processes, tmp_path):
    scripts, env, ledgers = processes
    out = tmp_path / "overdue.prof"
    for argv, ran in ((["overdue", "--format", "json"], "run.py:overdue"),
                      (["overdue", "--help"], "cli.py:main")):
        out.unlink(missing_ok=True)
        done = subprocess.run([sys.executable, str(scripts["dispatch"]), "--db",
                               str(ledgers["en"]), *argv], capture_output=True, text=True,
                              env={**env, "COMPLAINTCTL_PROFILE": str(out)})
        assert done.returncode == 0, done.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        names = {f"{Path(f).name}:{fn}" for f, _line, fn in pstats.Stats(str(out)).stats}
        assert ran in names and "dispatch.py:understand" in names  # the whole run
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


@pytest.mark.slow
def test_a_profile_never_takes_the_place_of_a_ledger_or_a_device(processes, tmp_path):
    """COMPLAINTCTL_PROFILE naming the ledger replaced it with the stats (exit 0, the
    ledger lost); naming a folder it left a temporary file beside it each run; a
    missing folder said nothing. Each is now said, and nothing is replaced."""
    scripts, env, ledgers = processes
    ledger = ledgers["en"]
    before = ledger.read_bytes()
    folder = tmp_path / "folder"
    folder.mkdir()
    for target, said in ((ledger, "it is an SQLite file (a ledger?)"),
                         (folder, "it exists and is not a regular file"),
                         (tmp_path / "missing" / "x.prof", "No such file or directory")):
        done = subprocess.run([sys.executable, str(scripts["dispatch"]), "--db", str(ledger),
                               "overdue", "--format", "json"], capture_output=True, text=True,
                              env={**env, "COMPLAINTCTL_PROFILE": str(target)})
        assert done.returncode == 0, done.stderr
        assert done.stderr.endswith(f"Warning: COMPLAINTCTL_PROFILE={str(target)!r}: not "
                                    f"written: {said}\n"), done.stderr
    assert ledger.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
    assert list(folder.iterdir()) == []


def test_the_hints_command_names_are_the_app_s():
    """run.with_db puts the --db typed into a hint's command line before a command's name
    (not into "run a complaintctl command on the copy"): its names are the app's."""
    import typer.main

    from complaintctl import run
    from complaintctl.cli import app

    assert sorted(run.COMMAND_NAMES) == sorted(typer.main.get_command(app).commands)
