"""Fuzzing the command line: every command with options drawn from nasty values
(huge and negative numbers, years 1 and 9999, odd separators, CJK, bytes that are
not UTF-8, NUL, Rich markup, ids that exist and ids that don't) against a copy of
a small prepared ledger. Whatever the input: exit 0, 1 or 2, never a traceback or
"unexpected failure", and a ledger left as it was whenever the exit is not 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from support import NOW, dump, template_ledger
from typer.testing import CliRunner

from complaintctl import cli, parse
from complaintctl.errors import BadInput

TEMPLATE: tuple[tuple[str, ...], ...] = (
    ("init", "--timezone", "Asia/Shanghai"),
    *(("log", "--customer", c, "--description", "电机异响 [/]", "--category", "quality",
       "--severity", sev, "--channel", "phone", "--product", "XD-200", "--quantity", "3",
       "--received", f"2025-10-0{i} 09:00") for i, (c, sev) in enumerate(
           [("华东电器", "low"), ("Acme", "high"), ("深圳[佳达]", "medium"),
            ("Beta", "critical"), ("Gamma", "low")], start=1)),
    # CC-2026-0001 logged; 0002 assigned; 0003 investigating (with a return);
    # 0004 resolved; 0005 void.
    ("assign", "CC-2026-0002", "--dept", "质量部", "--owner", "王芳", "--at", "2025-10-02 10:00"),
    ("assign", "CC-2026-0003", "--dept", "QA", "--owner", "Li", "--at", "2025-10-03 10:00"),
    ("investigate", "CC-2026-0003", "--cause", "扭矩不足", "--at", "2025-10-04 10:00"),
    ("action", "add", "CC-2026-0003", "--text", "改进", "--owner", "Li", "--due", "2025-10-20",
     "--at", "2025-10-04 11:00"),
    ("return", "open", "CC-2026-0003", "--qty", "5", "--at", "2025-10-05 10:00"),
    ("return", "receive", "RMA-2026-0001", "--qty", "5", "--at", "2025-10-06 10:00"),
    ("assign", "CC-2026-0004", "--dept", "QA", "--owner", "Li", "--at", "2025-10-04 10:00"),
    ("investigate", "CC-2026-0004", "--cause", "x", "--at", "2025-10-05 10:00"),
    ("resolve", "CC-2026-0004", "--disposition", "refund", "--summary", "退款", "--amount",
     "12.50", "--at", "2025-10-06 10:00"),
    ("void", "CC-2026-0005", "--reason", "logged twice", "--at", "2025-10-05 12:00"),
)

HUGE = [10**9, 10**9 + 1, 2**31, 2**63, 2**64, 10**20, -10**20, -(2**63) - 1]
INTS = st.one_of(st.integers(-3, 12), st.sampled_from(HUGE))
# demo fills the ledger with that many complaints: only small or refused numbers
DEMO_INTS = st.sampled_from([-1, 0, 1, 2, 10**7 + 1, 2**63, 10**20])

NASTY = ["", " ", "\u3000", "\x00", "a\x00b", "\x07", "\udcff", "A\udcb5\udce7", "\ud800",
         "[/]", "[red]x[/red]", "=SUM(A1)", "-", "--", "电机异响", "深圳市佳达科技有限公司",
         "x" * 20001, "'\"", "\\", "\n", "a\r\nb", "😀", "\u200b", "\ufeff"]
DATES = ["0001-01-01", "9999-12-31", "9999-12-31 23:59", "0001-01-01 00:00", "1899-12-31",
         "1900-01-01", "2199-12-31", "2200-01-01", "2025-10-05", "2025-10-05 10:00",
         "2025/10/05", "2025.10.05", "2025年10月5日", "2025年10月5日 14:30", "2025-13-01",
         "2025-02-30", "0000-00-00", "now", "today", "yesterday", "99999999999999999999",
         "9999-12", "0001-01", "2025-10", "2025/10", "2025年10月", "1e9", "T", "24:00",
         "2025-10-05T10:00+14:00", "2025-10-05T10:00Z", "Feb 30", "٢٠٢٥-١٠-٠٥",
         "10/05/2025", "5 Oct 2025", "2025-W41", "0", "-1", "2025-10-05 10:00 EST"]
AMOUNTS = ["1e999999999", "1e9999999999999999999999", "99999999999999999999", "-1", "0",
           "0.001", "NaN", "sNaN", "Infinity", "12.50", "1,000.00", "1000000000000",
           "1000000000000.01", "１２", "1e-999999999"]
IDS = ["CC-2026-0001", "CC-2026-0002", "CC-2026-0003", "CC-2026-0004", "CC-2026-0005",
       "CC-2026-9999", "RMA-2026-0001", "RMA-2026-9999", "1", "2", "0", "-1",
       "99999999999999999999", "cc-2026-0001", " CC-2026-0001 ", "CC-2026-0001\udcff", "",
       "²", "#1", "A-1", "١"]
DURATIONS = ["4h", "3wd", "90d", "none", "0h", "-1d", "99999999999999999999h", "1e9wd",
             "1000000wd", "h", "4 h", "²wd", "1001h", "1000wd", "١wd"]
WORDS = sorted({*parse.CHANNELS, *parse.CATEGORIES, *parse.SEVERITIES, *parse.DEMANDS,
                *parse.DISPOSITIONS, *parse.SATISFACTIONS, *parse.FORMATS,
                *parse.INSPECTION_RESULTS, *parse.RETURN_ACTIONS, "all", "open", "CN", "XX",
                "escalation", "resolve", "assign", "UTC", "Asia/Shanghai", "../etc",
                "Mars/Base", "summary", "register"})

TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
ANY = st.one_of(TEXT, st.sampled_from(DATES + AMOUNTS + IDS + WORDS), INTS.map(str))

DATE_OPTS = {"--at", "--received", "--due", "--since", "--until", "--as-of", "--shipped",
             "--add-holiday", "--add-workday", "--add-closure", "--remove"}
MONEY_OPTS = {"--amount", "--cost", "--repair-cost"}


GOOD_WORDS = {"--format": parse.FORMATS, "--channel": parse.CHANNELS,
              "--category": parse.CATEGORIES, "--severity": parse.SEVERITIES,
              "--demand": parse.DEMANDS, "--disposition": parse.DISPOSITIONS,
              "--satisfaction": parse.SATISFACTIONS, "--method": parse.REVISIT_METHODS,
              "--result": parse.INSPECTION_RESULTS, "--action": parse.RETURN_ACTIONS,
              "--cause-category": parse.CAUSE_CATEGORIES,
              "--responsibility": parse.RESPONSIBILITIES, "--country": ("CN", "US"),
              "--status": ("open", "logged", "closed"), "--section": ("summary", "register"),
              "--timezone": ("UTC", "Asia/Shanghai"), "--currency": ("CNY", "EUR"),
              "--complaint": IDS[:5]}
GOOD_DATES = ["2025-11-01 10:00", "2025-12-01", "2025-10-20", "now", "2025年11月3日 9:00"]


def _good(opt: str, is_int: bool) -> st.SearchStrategy[str]:
    """A value that passes, so that the examples get past the first option."""
    if is_int:
        return st.integers(1, 5).map(str)
    if opt in GOOD_WORDS:
        return st.sampled_from(GOOD_WORDS[opt])
    if opt in DATE_OPTS:
        return st.sampled_from(GOOD_DATES)
    if opt in MONEY_OPTS:
        return st.sampled_from(["0", "12.50", "1000000"])
    return st.sampled_from(["ok", "电机异响", "Li", "[/]"])


def _nasty(opt: str, is_int: bool, command: str) -> st.SearchStrategy[str]:
    if is_int:
        ints = DEMO_INTS if command == "demo" else INTS
        return st.one_of(ints.map(str), ints.map(str), ANY)
    if opt in DATE_OPTS:
        return st.one_of(st.sampled_from(DATES), ANY)
    if opt in MONEY_OPTS:
        return st.one_of(st.sampled_from(AMOUNTS), ANY)
    if opt in ("--description", "--customer", "--text", "--summary", "--reason", "--note"):
        return st.one_of(TEXT, st.just("-"))
    return ANY


def _value(opt: str, is_int: bool, command: str) -> st.SearchStrategy[str]:
    if opt == "--output":
        return st.sampled_from(["r.csv", "r.csv", "missing/dir/r.csv", "", "/", ".",
                                "a\x00b", "~nosuchuser/r.csv", "\ud800.csv"])
    if command == "demo" and is_int and opt == "--complaints":
        return st.one_of(DEMO_INTS.map(str), ANY)
    good = _good(opt, is_int)
    return st.one_of(good, good, _nasty(opt, is_int, command))


# Options a command refuses to go without (checked in its body, not by Typer).
WANTED = {"log": {"customer", "description", "category", "severity", "channel"},
          "void": {"reason"}, "amend": {"reason"}}


def _commands() -> list[tuple[tuple[str, ...], list, list]]:
    """(path, options, arguments) of every leaf command of the real app."""
    root = typer.main.get_command(cli.app)
    found = []

    def walk(group, path):
        for name, sub in sorted(group.commands.items()):
            if hasattr(sub, "commands"):
                walk(sub, (*path, name))
                continue
            opts, args = [], []
            for p in sub.params:
                if p.param_type_name == "argument":
                    args.append(p)
                elif p.name != "help" and not (name == "demo" and p.name == "db"):
                    opts.append(p)
            found.append(((*path, name), opts, args))

    walk(root, ())
    return found


COMMANDS = _commands()
STDIN = [None, "", "电机异响".encode("gbk"), "\ufeff电机异响".encode(), b"ok",
         b"\xff\xfe\x00a", b"a\x00b"]


@st.composite
def command_lines(draw) -> tuple[list[str], bytes | str | None]:
    path, opts, args = draw(st.sampled_from(COMMANDS))
    argv = list(path)
    command = path[-1]
    for a in args:
        if a.required or draw(st.booleans()):
            if a.name in ("stage",):
                argv.append(draw(st.sampled_from([*WORDS, "second-revisit", "escalation",
                                                  "escalation", "x"])))
            elif a.name == "duration":
                argv.append(draw(st.one_of(st.sampled_from(DURATIONS), ANY)))
            elif a.name == "when":
                argv.append(draw(st.one_of(st.sampled_from(DATES), ANY)))
            elif a.name == "severity":
                argv.append(draw(st.sampled_from([*parse.SEVERITIES, "all", "1", "0", "x",
                                                  "²", "99999999999999999999"])))
            else:
                existing = st.sampled_from(IDS[:7] if a.name != "action" else ["1", "2"])
                argv.append(draw(st.one_of(existing, existing, st.sampled_from(IDS), ANY)))
    for o in opts:
        if not (o.required or o.name in WANTED.get(command, ()) or draw(st.booleans())):
            continue
        name = draw(st.sampled_from(o.opts + o.secondary_opts))
        if o.is_flag:
            argv.append(name)
            continue
        is_int = getattr(o.type, "name", "") == "integer"
        argv += [name, draw(_value(name, is_int, command))]
    stdin = draw(st.one_of(st.none(), st.sampled_from(STDIN)))
    return argv, stdin


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The pinned clock, a scratch working folder (for --output) and the template."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "_now", lambda: NOW)
        mp.setenv("COMPLAINTCTL_USER", "fuzzer")
        mp.setenv("COLUMNS", "100")
        mp.setenv("NO_COLOR", "1")
        mp.delenv("FORCE_COLOR", raising=False)
        work = tmp_path_factory.mktemp("fuzz")
        mp.chdir(work)
        template = template_ledger(TEMPLATE)
        yield work, template, dump(template)


def _invoke(runner: CliRunner, argv: list[str], stdin) -> tuple[int, str, BaseException | None]:
    """As `main()` does: the arguments check first, then the app."""
    try:
        parse.arguments(argv)
    except BadInput as exc:
        return 2, f"Error: {exc.message}\n", None
    result = runner.invoke(cli.app, argv, input=stdin)
    return result.exit_code, result.stdout + result.stderr, result.exception


@seed(20261203)
@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=command_lines())
def test_no_input_crashes_the_command_line(world, case):
    work, template, before = world
    argv, stdin = case
    db = work / "ledger.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, db)
    code, output, exc = _invoke(CliRunner(), ["--db", str(db), *argv], stdin)
    where = (argv, code, output[-2000:])
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(where) from exc
    assert code in (0, 1, 2), where
    assert "unexpected failure" not in output and "Traceback" not in output, where
    if code != 0:
        assert "Error" in output, where
        assert dump(db) == before, where
