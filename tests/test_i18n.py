"""Both languages: how the language is chosen, every message has its Chinese
translation and the catalogue follows the code, the help and Click's own words in
Chinese, errors in the ledger's language, and JSON the same in both."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.core
import typer.main
from support import read_rows

from complaintctl import i18n, i18n_click, render
from complaintctl.cli import app

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _catalogue_tool():
    spec = importlib.util.spec_from_file_location("catalogue", ROOT / "tools" / "catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands() -> list[tuple[str, ...]]:
    group = typer.main.get_command(app)
    found: list[tuple[str, ...]] = [()]
    for name, cmd in group.commands.items():
        found.append((name,))
        found += [(name, sub) for sub in getattr(cmd, "commands", {})]
    return found


def _command(path: tuple[str, ...]):
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def _flat(text: str) -> str:
    return " ".join(text.split())


# --- the catalogue -------------------------------------------------------------------

def test_every_message_has_a_chinese_translation_and_the_catalogue_is_current():
    """Extracted from the code (Babel: _, N_, ngettext) and from the command tree's
    help texts, compared with the .po: every msgid there and translated, none fuzzy,
    none left over, the same {fields} in each translation, and the committed .mo
    compiled from this .po."""
    problems = _catalogue_tool().problems("zh")
    assert problems == [], "\n".join(problems[:40]) + "\n(python tools/catalogue.py update, " \
        "translate, python tools/catalogue.py compile)"


def test_the_check_sees_an_untranslated_and_a_stale_message(tmp_path, monkeypatch):
    tool = _catalogue_tool()
    po = tmp_path / "zh" / "LC_MESSAGES" / "complaintctl.po"
    po.parent.mkdir(parents=True)
    text = tool.po_path("zh").read_text(encoding="utf-8")
    text = text.replace('msgstr "缺少选项{name}。"', 'msgstr ""')
    text += '\nmsgid "a message the code no longer has"\nmsgstr "代码里已经没有的消息"\n'
    text = text.replace('msgstr "错误：{message}"', 'msgstr "错误：{msg}"')
    po.write_text(text, encoding="utf-8")
    po.with_suffix(".mo").write_bytes(tool.mo_path("zh").read_bytes())
    monkeypatch.setattr(tool, "po_path", lambda lang: po)
    monkeypatch.setattr(tool, "mo_path", lambda lang: po.with_suffix(".mo"))
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    found = "\n".join(tool.problems("zh"))
    assert "untranslated: 'Missing option {name}.'" in found
    assert "no longer in the code (run update): 'a message the code no longer has'" in found
    assert "fields differ: 'Error: {message}'" in found
    assert "older than the .po" in found


def test_typer_still_passes_these_words_to_gettext():
    """TYPER_WORDS are found by their msgids in typer.core: an upgrade that changes
    one must change the catalogue too."""
    source = inspect.getsource(typer.core)
    for word in i18n_click.TYPER_WORDS:
        assert f'_("{word}")' in source, word
    assert typer.core._ is i18n._


# --- choosing the language -------------------------------------------------------------

@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),         # LC_ALL comes before LANG
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US"}, "zh"),
    ({"LANGUAGE": "fr:zh_CN", "LANG": "en_US.UTF-8"}, "zh"),  # no French: the next one
    ({"LANGUAGE": "", "LC_ALL": "", "LANG": "zh_CN"}, "zh"),  # empty means unset
    ({"COMPLAINTCTL_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"COMPLAINTCTL_LANG": "zh", "LANG": "C"}, "zh"),
    ({"COMPLAINTCTL_LANG": "中文"}, "zh"),
    ({"COMPLAINTCTL_LANG": "klingon", "LANG": "zh_CN.UTF-8"}, "zh"),  # not a language
])
def test_the_language_comes_from_the_environment_in_gettext_order(environ, expected):
    assert i18n.choose(None, environ) == expected


def test_lang_option_wins_and_the_ledger_yields_to_an_explicit_choice():
    assert i18n.choose("en", {"COMPLAINTCTL_LANG": "zh"}) == "en"
    i18n.use_ledger_language("zh")
    assert i18n.lang() == "en"  # --lang chose
    assert i18n.choose(None, {"COMPLAINTCTL_LANG": "en"}) == "en"
    i18n.use_ledger_language("zh")
    assert i18n.lang() == "en"  # the variable chose
    assert i18n.choose(None, {"LANG": "en_US.UTF-8"}) == "en"
    i18n.use_ledger_language("zh")
    assert i18n.lang() == "zh"  # the ledger comes before the locale
    assert i18n.choose(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    i18n.use_ledger_language("en")
    assert i18n.lang() == "en"
    i18n.use_ledger_language(None)
    assert i18n.lang() == "en"


@pytest.mark.parametrize(("argv", "expected"), [
    (["--lang", "zh", "list"], "zh"),
    (["--lang=zh", "list"], "zh"),
    (["--db", "--lang", "list"], None),          # a value of --db, not the option
    (["--as", "x", "--ascii", "--lang", "en"], "en"),
    (["init", "--lang", "zh"], None),            # init's own option: the ledger's language
    (["--", "--lang", "zh"], None),
])
def test_lang_option_is_read_before_the_command(argv, expected):
    assert i18n_click.lang_option(argv) == expected


def test_english_opens_no_catalogue(run, monkeypatch):
    monkeypatch.setattr(i18n, "_LOADED", {})
    run("--help")
    run("init")
    run("list", code=None)
    assert i18n._LOADED == {} and i18n._CATALOGUE is None


def test_a_language_that_is_not_one_is_refused(run):
    result = run("--lang", "fr", "list", code=2)
    assert "Error: --lang 'fr': the languages are zh and en" in result.stderr


def test_a_chinese_of_taiwan_or_hong_kong_is_chinese_wherever_a_language_is_given(
        run, tmp_path):
    """zh-TW and zh-Hant were taken by the root's --lang and COMPLAINTCTL_LANG, refused by
    init --lang and policy language, with a hint of zh-cn (the mainland's) and zh-hans."""
    new = tmp_path / "tw.db"
    run("--db", str(new), "init", "--country", "TW", "--timezone", "Asia/Taipei",
        "--lang", "zh-Hant")
    assert run("--db", str(new), "policy", "language").stdout == "zh\n"
    run("--db", str(new), "policy", "language", "en")
    run("--db", str(new), "policy", "language", "zh-TW")
    assert run("--db", str(new), "policy", "language").stdout == "zh\n"
    r = run("--db", str(new), "--lang", "en", "policy", "language", "fr", code=2)
    assert "zh-cn" not in r.stderr and "zh (Chinese), en (English)" in r.stderr, r.stderr


# --- help in Chinese ------------------------------------------------------------------

@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "root")
def test_every_help_is_chinese(run, monkeypatch, command):
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    out = run(*command, "--help").stdout
    assert out.startswith("用法："), out
    for english in ("Usage:", "Options:", "Commands:", "Arguments:", "Show this message",
                    "[required]", "[default", "TEXT", "COUNT", "<str>", "<int>"):
        assert english not in out, english
    flat = _flat(out)
    cmd = _command(command)
    texts = [cmd.help] + [p.help for p in cmd.params if getattr(p, "help", None)]
    for text in texts:
        if text and CJK.sub("", text) == text:  # an English text (not a bare code list)
            assert _flat(text) not in flat, text
    # the value's name each option shows (LETTERS was left in English)
    for p in cmd.params:
        name = getattr(p, "metavar", None)
        if name and len(name) > 1 and name.isupper() and p.param_type_name == "option":
            assert not re.search(rf"(?<![A-Z-]){re.escape(name)}(?![A-Z])", out), (name, out)
    assert CJK.search(out)


def test_chinese_help_wraps_by_width_on_the_terminal(run, monkeypatch):
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    out = run("investigate", "--help").stdout
    assert max(i18n_click.width(line) for line in out.splitlines()) <= 80  # CliRunner: 80
    assert "（不成立）即完成调" in _flat(out).replace(" ", "")


def test_chinese_help_keeps_a_listed_word_with_its_code_on_one_line(run, monkeypatch):
    """A list of codes and their words broke inside a word (explanation 解释说 | 明) and
    between a code and its word (visit | 来访); a sentence's longer run of Chinese still
    breaks between any two characters."""
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    out = run("log", "--help").stdout  # CliRunner: 80 columns
    lines = [line.strip() for line in out.splitlines()]
    assert max(i18n_click.width(line) for line in out.splitlines()) <= 80
    for item in ("explanation 解释说明、", "visit 来访、", "compensation 赔偿、",
                 "social 社交媒体、", "other 其他"):
        assert any(item in line for line in lines), (item, out)
    assert not any(line.endswith(("说", "visit", "explanation")) for line in lines), out
    words = render._terms(render._atoms("登记一条新投诉，输出其编号。"))
    assert words[:2] == ["登", "记"], words  # (prose: no word kept whole)


def test_help_from_the_installed_command_in_chinese_and_english():
    env = {**os.environ, "COMPLAINTCTL_LANG": "zh"}
    command = str(Path(sys.executable).with_name("complaintctl"))  # the venv's script
    zh = subprocess.run([command, "--help"], capture_output=True, text=True, env=env,
                        timeout=60)
    assert zh.returncode == 0 and zh.stdout.startswith("用法：complaintctl")
    assert "  log             登记一条新投诉，输出其编号" in zh.stdout
    env["COMPLAINTCTL_LANG"] = "en"
    en = subprocess.run([command, "--help"], capture_output=True, text=True, env=env,
                        timeout=60)
    assert en.stdout.startswith("Usage: complaintctl") and not CJK.search(
        en.stdout.split("Options:")[1].split("Commands:")[0])


def test_an_option_taking_a_time_or_a_day_shows_one(run):
    """No help said how to write a time: a clerk typed --at 12/01/2026 and was refused
    ("numbers alone could be more than one date")."""
    assert "when it happened (default now), for paper records entered later; e.g. " \
        "2026-12-01 15:10" in " ".join(run("assign", "--help").stdout.split())
    assert "ship date; e.g. 2026-12-01" in run("log", "--help").stdout
    zh = " ".join(run("--lang", "zh", "report", "--help").stdout.split())
    assert "截止日期（含当天）；例如 2026-12-01" in zh, zh
    assert "e.g." not in zh


def test_show_says_its_id_may_be_a_return_or_a_register_key(run):
    """`show --help` listed ID with no word; show RMA-… works, and so does --ref."""
    assert "ID  a complaint or a return (or --ref KEY)" in run("show", "--help").stdout
    assert "编号  投诉或客退品编号（或用 --ref 原登记编号）" in run(
        "--lang", "zh", "show", "--help").stdout


def test_a_count_option_says_it_takes_a_count(run):
    """--quantity and --qty read 5台, ５ and 1,200, while their help said <int>; and a
    value was named as in code (<str>, <int>), where the others are WHEN, DATE, FILE."""
    assert "--quantity COUNT" in run("log", "--help").stdout
    assert "--qty COUNT" in run("return", "open", "--help").stdout
    assert "--limit N" in run("list", "--help").stdout  # (a number: digits alone)
    assert "--customer TEXT" in run("log", "--help").stdout
    for command in (("log",), ("list",), ("return", "open"), ("report",), ("import",)):
        help_text = run(*command, "--help").stdout
        assert "<" not in help_text.replace("<&-", ""), help_text
    assert "--quantity 数量" in run("--lang", "zh", "log", "--help").stdout


def test_the_version_is_the_packages_with_its_schema():
    """`complaintctl --version` was a usage error: a cron admin could not log which
    version wrote a report. The package's version (pyproject.toml) and the schema."""
    from complaintctl import migrations

    version = re.search(r'^version = "([^"]+)"', (Path(__file__).resolve().parents[1] /
                        "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    for args, said in ((("--version",), f"complaintctl {version} (ledger schema "
                                        f"{migrations.LATEST})\n"),
                       (("--lang", "zh", "--version", "overdue"),
                        f"complaintctl {version}（台账结构版本 {migrations.LATEST}）\n")):
        result = subprocess.run([sys.executable, "-m", "complaintctl", *args],
                                capture_output=True, text=True, timeout=60)
        assert (result.returncode, result.stdout, result.stderr) == (0, said, ""), result


def test_a_language_variable_naming_no_language_is_warned_of(tmp_path):
    """COMPLAINTCTL_LANG=cn in a cron line was passed over without a word (the report came
    out in English every week) while --lang cn was refused: a warning, by both entry
    paths (the fast one of overdue and Typer's), and none when --lang chose."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL",
                                                             "LC_MESSAGES")}
    env.update(LANG="C.UTF-8", COMPLAINTCTL_LANG="cn")
    warning = ("Warning: COMPLAINTCTL_LANG='cn' is not a language of complaintctl (zh or en): "
               "it was passed over\n")
    db = str(tmp_path / "none.db")
    for args in (("overdue",), ("list",), ("--lang", "zh", "overdue")):
        result = subprocess.run([sys.executable, "-m", "complaintctl", "--db", db, *args],
                                capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 1, result.stderr  # (no ledger there)
        assert result.stderr.startswith(warning) == (args[0] != "--lang"), result.stderr
    env["COMPLAINTCTL_LANG"] = "zh"
    result = subprocess.run([sys.executable, "-m", "complaintctl", "--db", db, "overdue"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.stderr.startswith("错误："), result.stderr
    # a Chinese ledger's run says it in Chinese, as the rest of the run (it was English),
    # by both paths, the ledger named by --db or COMPLAINTCTL_DB
    made = subprocess.run([sys.executable, "-m", "complaintctl", "--db", db, "init",
                           "--country", "CN", "--timezone", "Asia/Shanghai", "--lang", "zh"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert made.returncode == 0, made.stderr
    env["COMPLAINTCTL_LANG"] = "cn"
    for args, environ in ((("--db", db, "overdue"), {}), (("--db", db, "list"), {}),
                          (("overdue",), {"COMPLAINTCTL_DB": db})):
        result = subprocess.run([sys.executable, "-m", "complaintctl", *args],
                                capture_output=True, text=True, env={**env, **environ},
                                timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ("警告：COMPLAINTCTL_LANG=“cn”不是 complaintctl 的语言（zh 或 "
                                 "en）：已忽略\n"), (args, result.stderr)


@pytest.mark.parametrize(("locale", "chinese"), [("zh_CN.UTF-8", True), ("C", False)])
def test_the_locale_alone_chooses(locale, chinese):
    env = {k: v for k, v in os.environ.items()
           if k not in ("COMPLAINTCTL_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = locale
    result = subprocess.run([sys.executable, "-m", "complaintctl", "assign", "CC-2026-0001"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    if chinese:
        assert "错误：缺少选项“--dept”。" in result.stderr
    else:
        assert "Error: Missing option '--dept'." in result.stderr


# --- Click's own words and usage errors ---------------------------------------------------

USAGE_ERRORS = [
    (("assign", "CC-2026-0001"), "错误：缺少选项“--dept”。", "Error: Missing option '--dept'."),
    (("assign",), "错误：缺少参数“编号”。", "Error: Missing argument 'ID'."),
    (("ovrdue",), "错误：没有命令“ovrdue”。您是不是要输入“overdue”？",
     "Error: No such command 'ovrdue'. Did you mean 'overdue'?"),
    (("frobnicate",), "错误：没有命令“frobnicate”。", "Error: No such command 'frobnicate'."),
    (("revist",), "错误：没有命令“revist”。您是不是要输入“revisit”、“list”？",  # (、, not ", ")
     "Error: No such command 'revist'. Did you mean 'revisit', 'list'?"),
    # a group's command without its group: the group's command said, not a near name
    # (calendar was offered amend; receive, nothing)
    (("calendar",), "错误：没有命令“calendar”。\n提示：calendar 是 policy 的子命令："
     "complaintctl policy calendar …", "Error: No such command 'calendar'.\nHint: calendar is "
     "a command of policy: complaintctl policy calendar …"),
    (("receive", "RMA-2026-0001"), "提示：receive 是 return 的子命令：complaintctl return "
     "receive …", "Hint: receive is a command of return: complaintctl return receive …"),
    (("list", "--limit", "x"), "错误：“--limit”的值无效：“x”不是有效的整数。",
     "Error: Invalid value for '--limit': 'x' is not a valid int."),
    (("list", "--lmit", "3"), "错误：没有此选项：--lmit（可能的选项：--limit）",
     "Error: No such option: --lmit (Possible options: --limit)"),
    (("investigate", "CC-2026-0001", "--corective", "x"), "错误：没有此选项：--corective（可能"
     "的选项：--corrective、--preventive）", "Error: No such option: --corective (Possible "
     "options: --corrective, --preventive)"),  # (、 in Chinese, not ", ")
    # a near name by its letters, not by its dashes (--custmer was offered --category,
    # --json --owner and --since), or the command's option for another tool's name
    (("list", "--custmer", "华东"), "错误：没有此选项：--custmer（可能的选项：--customer）",
     "Error: No such option: --custmer (Possible options: --customer)\n"),
    (("list", "--json"), "（可能的选项：--format json）",
     "Error: No such option: --json (Possible options: --format json)\n"),
    (("list", "--from", "2026-01-01"), "（可能的选项：--since）",
     "Error: No such option: --from (Possible options: --since)\n"),
    (("resolve", "CC-2026-0001", "--cost", "5"), "错误：没有此选项：--cost\n",
     "Error: No such option: --cost\n"),
    # (not --help: `log --chanel` was offered --channel and --help; --hlep still is)
    (("log", "--chanel", "x"), "错误：没有此选项：--chanel（可能的选项：--channel）",
     "Error: No such option: --chanel (Possible options: --channel)\n"),
    (("log", "--hlep"), "错误：没有此选项：--hlep（可能的选项：--help）",
     "Error: No such option: --hlep (Possible options: --help)"),
    (("list", "--limit"), "错误：选项“--limit”需要一个值。",
     "Error: Option '--limit' requires an argument."),
    (("list", "a", "b"), "错误：多余的参数：a b",
     "Error: Got unexpected extra argument(s) (a b)"),
    (("close", "CC-2026-0001", "--no-revisit=yes"), "错误：选项“--no-revisit”不接受值。",
     "Error: Option '--no-revisit' does not take a value."),
]


@pytest.mark.parametrize(("args", "zh", "en"), USAGE_ERRORS, ids=lambda a: str(a)[:30])
def test_usage_errors_in_both_languages(run, monkeypatch, args, zh, en):
    result = run(*args, code=2)
    assert en in result.stderr
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    result = run(*args, code=2)
    assert zh in result.stderr, result.stderr
    assert "Error" not in result.stderr and "Usage" not in result.stderr
    if "用法：" in result.stderr:
        assert "查看帮助请用“" in result.stderr


def test_a_name_given_to_list_without_its_option_is_hinted(run, monkeypatch):
    """`complaintctl list 华东` (a supervisor meant the customer) said only "Got unexpected
    extra argument(s)"; the hint names the option, or `show` for a complaint's id."""
    r = run("list", "华东", code=2)
    assert r.stderr.endswith("Error: Got unexpected extra argument(s) (华东)\nHint: list "
                             "filters by its options, e.g. complaintctl list --customer 华东\n"
                             ), r.stderr
    r = run("overdue", "CC-2026-0001", code=2)
    assert r.stderr.endswith("Hint: a complaint's id is shown with: complaintctl show "
                             "CC-2026-0001\n"), r.stderr
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    r = run("list", "华东", code=2)
    assert r.stderr.endswith("提示：list 用选项筛选，例如 complaintctl list --customer 华东\n"), \
        r.stderr
    assert "Hint" not in run("assign", "CC-2026-0001", "x", code=2).stderr  # (list, overdue)
    # not where it would mislead (a reviewer): another command's list (no --customer), a
    # customer given already, a date, several words, an option; quoted for the shell
    for args in (("return", "list", "华东"), ("action", "list", "华东"),
                 ("list", "--since", "2026-10-01", "2026-10-31"),
                 ("list", "--since", "2026-10-01", "10:00"),
                 ("list", "华东", "电器"), ("list", "--", "-x")):
        assert "Hint" not in run(*args, code=2).stderr, args
    assert run("list", "A&B", code=2).stderr.endswith(  # (in Chinese here)
        "提示：list 用选项筛选，例如 complaintctl list --customer 'A&B'\n")


def test_a_value_typed_with_a_space_and_no_quotes_is_hinted(ledger, monkeypatch):
    """`--owner 王 芳` (an input method puts a space between the surname and the given
    name): "extra argument (芳)" said nothing of the quotes."""
    cid = ledger.log()
    before = ledger.snapshot()
    r = ledger("assign", cid, "--dept", "质量部", "--owner", "王", "芳", code=2)
    assert r.stderr.endswith("Error: Got unexpected extra argument(s) (芳)\nHint: --owner "
                             "takes one value: put a value with a space in it in quotes, e.g. "
                             "--owner '王 芳'\n"), r.stderr
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    r = ledger("assign", cid, "--owner", "欧阳", "小", "明", "--dept", "质量部", code=2)
    assert r.stderr.endswith("错误：多余的参数：小 明\n提示：--owner 只取一个值：值中有空格"
                             "时请加引号，例如 --owner '欧阳 小 明'\n"), r.stderr
    assert ledger("list", "--customer", "华东", "x", code=2).stderr.endswith(
        "--customer '华东 x'\n")
    # and only that: the rest of an owner's name is no customer to filter by (it went on
    # "Hint: overdue filters by its options, e.g. complaintctl overdue --customer 芳")
    r = ledger("overdue", "--owner", "王", "芳", code=2)
    assert r.stderr.endswith(
        "提示：--owner 只取一个值：值中有空格时请加引号，例如 --owner '王 芳'\n"), r.stderr
    assert "--customer" not in r.stderr, r.stderr
    # not a word's value: two words are never one (it was told to quote 'open closed',
    # then refused)
    for args in (("list", "--status", "open", "closed"), ("list", "--format", "json", "csv")):
        assert "takes one value" not in ledger(*args, code=2).stderr, args
    # a number said in groups (it was passed over as a second date)
    assert ledger("list", "--contact", "138", "0000", "2222", code=2).stderr.endswith(
        "--contact '138 0000 2222'\n")
    assert ledger.snapshot() == before


def test_lang_en_overrides_the_variable(run, monkeypatch):
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    result = run("--lang", "en", "assign", "CC-2026-0001", code=2)
    assert "Error: Missing option '--dept'." in result.stderr
    result = run("--lang", "zh", "assign", "CC-2026-0001", code=2)
    assert "错误：缺少选项“--dept”。" in result.stderr
    monkeypatch.setenv("COMPLAINTCTL_LANG", "en")
    assert run("--lang=zh", "--help").stdout.startswith("用法：")


def test_no_command_shows_the_chinese_help(run, monkeypatch):
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    result = run(code=2)
    assert "命令：" in result.output and "登记一条新投诉" in result.output


# --- the domain's messages --------------------------------------------------------------

def test_refusals_in_chinese(ledger, monkeypatch):
    cid = ledger.log()
    before = ledger.snapshot()
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    result = ledger("resolve", cid, "--disposition", "exchange", "--summary", "换新", code=1)
    assert result.stderr == ("错误：无法对 CC-2026-0001 执行 resolve：当前状态为“已登记”；"
                             "下一步可执行：assign、void、amend、return open、note、attach\n"
                             "提示：查看其历史记录：complaintctl show CC-2026-0001\n")
    result = ledger("void", "CC-2026-0099", "--reason", "重复", code=1)
    assert "错误：没有投诉“CC-2026-0099”" in result.stderr
    result = ledger("--db", str(ledger.db) + ".missing", "list", code=1)
    assert "错误：" in result.stderr and "处没有台账" in result.stderr
    assert ledger.snapshot() == before
    result = ledger("assign", cid, "--dept", "质量部", "--owner", "王芳", "--at",
                    "2026-09-30 11:00")
    # (the National Day holidays in its deadline: 10-01 to 10-08)
    assert result.stderr == "CC-2026-0001 已分派：质量部 / 王芳。\n调查期限 2026-10-10 11:00\n"


def test_json_is_the_same_in_both_languages(ledger, monkeypatch):
    ledger.log()
    en = [ledger(*args, "--format", "json").stdout
          for args in (("list",), ("policy", "show"), ("return", "list"))]
    monkeypatch.setenv("COMPLAINTCTL_LANG", "zh")
    zh = [ledger(*args, "--format", "json").stdout
          for args in (("list",), ("policy", "show"), ("return", "list"))]
    assert en == zh


def test_a_chinese_ledger_speaks_chinese_after_it_is_open(run, monkeypatch):
    run("init", "--lang", "zh", "--country", "CN", "--timezone", "Asia/Shanghai")
    ledger = run
    result = ledger("void", "CC-2026-0099", "--reason", "重复", code=1)
    assert result.stderr.startswith("错误：没有投诉“CC-2026-0099”")
    # --help and the command line's own errors speak the ledger's language too
    shown = ledger("assign", "--help").stdout
    assert shown.startswith("用法：") and " assign [选项] {编号}" in shown
    assert "OPTIONS" not in shown
    assert "--at 时间" in shown and "WHEN" not in shown  # the values' names too
    assert " [选项] 命令 [参数]..." in ledger("return", "--help").stdout
    assert "错误：缺少选项“--dept”。" in ledger("assign", "X", code=2).stderr
    assert "Error: Missing option '--dept'." in ledger("--lang", "en", "assign", "X",
                                                       code=2).stderr
    # --lang and COMPLAINTCTL_LANG come before the ledger
    result = ledger("--lang", "en", "void", "CC-2026-0099", "--reason", "x", code=1)
    assert result.stderr.startswith("Error: no complaint 'CC-2026-0099'")
    monkeypatch.setenv("COMPLAINTCTL_LANG", "en")
    result = ledger("void", "CC-2026-0099", "--reason", "x", code=1)
    assert result.stderr.startswith("Error: no complaint 'CC-2026-0099'")
    monkeypatch.delenv("COMPLAINTCTL_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the ledger comes before the locale
    assert ledger("--lang", "zh", "policy", "language", "en").stderr == "语言：中文 → 英文。\n"
    result = ledger("void", "CC-2026-0099", "--reason", "x", code=1)
    assert result.stderr.startswith("Error: no complaint 'CC-2026-0099'")


def test_a_ledger_set_up_in_a_chinese_locale_is_chinese_for_cron_too(run, monkeypatch):
    """`init` in a zh_CN terminal answered in Chinese but gave the ledger no language:
    cron (LANG=C) then wrote its reports in English. An English locale sets none."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    made = run("init", "--timezone", "Asia/Shanghai")
    assert "台账显示语言设为中文（与本终端相同），对所有人和 cron 都有效（修改：complaintctl " \
        "policy language en）。" in made.stderr, made.stderr
    assert run.rows("SELECT value FROM settings WHERE key = 'language'") == [("zh",)]
    monkeypatch.setenv("LANG", "C")
    assert run("overdue").stdout.startswith("截至 ")
    other = run.db.with_name("english.db")
    made = run("--db", str(other), "init", "--timezone", "Asia/Shanghai")
    assert "display language" not in made.stderr and "Ledger created at" in made.stderr
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    made = run("--db", str(other.with_name("en2.db")), "init", "--lang", "en",
               "--timezone", "Asia/Shanghai")  # (asked for English: no word of it)
    assert "Ledger created at" in made.stderr and "display language" not in made.stderr
    demo = run.db.with_name("demo.db")  # the demo's new ledger, as init's
    run("--db", str(demo), "demo", "--complaints", "5")
    assert read_rows(demo, "SELECT value FROM settings WHERE key = 'language'") == [("zh",)]
    # the locale's own, not the language of the ledger COMPLAINTCTL_DB names (read before
    # the command line: a reviewer's demo came out Chinese under LANG=C)
    monkeypatch.setenv("LANG", "C")
    monkeypatch.setenv("COMPLAINTCTL_DB", str(run.db))  # (Chinese, made above)
    other = run.db.with_name("demo2.db")
    run("demo", "--db", str(other), "--complaints", "5")
    assert read_rows(other, "SELECT value FROM settings WHERE key = 'language'") == []


def test_a_chinese_ledger_speaks_chinese_in_every_check_of_a_command(run, monkeypatch, tmp_path):
    """LANG=C (cron): what a command checks before it opens the ledger, what backup and
    upgrade print, Click's own errors and help are in the ledger's language too (the
    ledger named by --db, $COMPLAINTCTL_DB or the default); --lang still comes first."""
    monkeypatch.setenv("LANG", "C")
    run("init", "--lang", "zh", "--timezone", "Asia/Shanghai")
    cid = run.log()
    checks = [
        (("list", "--status", "结案中"), 2, "错误：--status “结案中”不在可选范围内"),
        (("overdue", "--limit", "-5"), 2, "错误：--limit 必须是 0 或正整数，而不是 -5"),
        (("list", "--format", "xml"), 2, "错误：--format “xml”不在可选范围内"),
        (("close", cid), 1, "错误：无法对 "),  # (logged: its state said first)
        (("report", "--month", "2026-10", "--trend", "-1"), 2,
         "错误：--trend -1 不在 0 到 120 之间"),
        (("verify", "--head", "abc"), 2, "错误：--head “abc”不是链头"),
        (("init",), 1, "错误："),
    ]
    for args, code, said in checks:
        assert run(*args, code=code).stderr.startswith(said), args
    assert run("backup", tmp_path / "bk.db").stderr.startswith("已将 ")
    assert "已是最新" in run("upgrade").stderr
    assert "错误：缺少选项“--dept”。" in run("assign", "X", code=2).stderr
    assert "错误：没有命令“lst”。" in run("lst", code=2).stderr
    assert run("--lang", "en", "list", "--status", "x", code=2).stderr.startswith(
        "Error: --status 'x' is not one of")
    assert run("--db", tmp_path / "none.db", "assign", "X", code=2).stderr.endswith(
        "Error: Missing option '--dept'.\n")  # no ledger there: the locale's language


def test_init_lang_zh_gives_a_chinese_ledger(run):
    run("init", "--lang", "zh", "--timezone", "Asia/Shanghai")
    result = run("void", "CC-2026-0099", "--reason", "重复", code=1)
    assert result.stderr.startswith("错误：没有投诉“CC-2026-0099”")
    assert run("--lang", "en", "void", "CC-2026-0099", "--reason", "x",
               code=1).stderr.startswith("Error: no complaint")


def test_lang_zh_before_init_gives_a_chinese_ledger_as_before_demo(run, tmp_path):
    """`complaintctl --lang zh init` made a ledger with no language (`--lang zh demo` gives
    a Chinese one): cron, without --lang, then wrote the department's reports in English."""
    run("--lang", "zh", "init", "--timezone", "Asia/Shanghai")
    assert run("policy", "language").stdout == "zh\n"
    assert run("void", "CC-2026-0099", "--reason", "重复", code=1).stderr.startswith(
        "错误：没有投诉“CC-2026-0099”")
    # init's own option wins; without either, none is set (the reader's locale decides)
    run("--db", tmp_path / "b.db", "--lang", "zh", "init", "--lang", "en")
    assert run("--db", tmp_path / "b.db", "policy", "language").stdout == "en\n"
    run("--db", tmp_path / "c.db", "init")
    assert run("--db", tmp_path / "c.db", "policy", "language").stdout == "not set\n"


def test_demo_counts_and_a_supplier_refusal_in_chinese(run):
    """The demo's counts by status, and the refusal of a supplier without a name, say the
    words in Chinese (they showed the codes: `closed 25`, `--responsibility supplier`)."""
    out = run("--lang", "zh", "demo", "--complaints", "40", "--db", run.db).stderr
    counts = out.splitlines()[1]
    assert "已结案" in counts and "closed" not in counts, out
    # in the workflow's order (it was the English codes' alphabet: 已分派, 已结案, 调查中 …)
    said = [word for word in ("已登记", "已分派", "调查中", "已处理", "已结案", "已作废")
            if word in counts]
    assert sorted(said, key=counts.index) == said, counts
    cid = run.json("list", "--status", "assigned", "--format", "json")[0]["id"]
    r = run("--lang", "zh", "investigate", cid, "--cause", "轴承", "--cause-category", "来料",
            "--responsibility", "供应商", code=2)
    assert r.stderr == ("错误：--responsibility 供应商 需要 --supplier 供应商名称\n"
                        "提示：请写明供应商：--supplier 供应商名称\n"), r.stderr


@pytest.mark.parametrize(("args", "said"), [
    (("list", "--db", "a.db"), "--db is an option of complaintctl itself: put it before the "
     "command, e.g. complaintctl --db PATH list"),
    (("assign", "CC-2026-0001", "--dept", "QA", "--owner", "x", "--as", "王芳"),
     "--as is an option of complaintctl itself: put it before the command, e.g. complaintctl "
     "--as NAME assign"),
    (("list", "-q"), "-q is an option of complaintctl itself: put it before the command, "
     "e.g. complaintctl -q list"),
    (("return", "list", "--db", "a.db"), "--db is an option of complaintctl itself: put it "
     "before the command, e.g. complaintctl --db PATH return list")])
def test_an_option_of_complaintctl_after_the_command_is_said_so(run, args, said):
    """`list --db a.db` answered 'No such option: --db (Possible options: --dept)', and
    `--as` after assign offered --at, which takes the name for a date."""
    r = run(*args, code=2)
    assert r.stderr.endswith(f"Error: {said}\n"), r.stderr
    zh = run("--lang", "zh", *args, code=2)
    assert "是 complaintctl 本身的选项：请放在命令之前" in zh.stderr, zh.stderr


def test_the_root_option_hint_under_python_m(tmp_path):
    """Under `python -m complaintctl` the program's name is three words: the hint said
    `e.g. complaintctl -q -m complaintctl return list`."""
    env = {**os.environ, "COMPLAINTCTL_USER": "wang", "COMPLAINTCTL_DB": str(tmp_path / "a.db")}
    r = subprocess.run([sys.executable, "-m", "complaintctl", "return", "list", "-q"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.endswith("Error: -q is an option of complaintctl itself: put it before "
                             "the command, e.g. complaintctl -q return list\n"), r.stderr


@pytest.mark.parametrize("args", [("policy", "set", "assign", "high", "-3d"),
                                  ("policy", "repeat-window", "-5")])
def test_a_negative_value_read_as_an_option_is_explained(ledger, run, args):
    """`policy repeat-window -5` said only 'No such option: -5'; it says how to give a
    value that begins with a dash (the command then refuses the value itself), and the
    ledger's policy is unchanged."""
    before = run.snapshot()
    r = run(*args, code=2)
    assert r.stderr.endswith(
        "Hint: a value that begins with '-' is read as an option; to give it as a value, "
        "put -- before the values (after the options)\n"), r.stderr
    zh = run("--lang", "zh", *args, code=2)
    assert "请在这些值之前加上 --" in zh.stderr, zh.stderr
    assert run.snapshot() == before
    r = run("policy", "repeat-window", "--", "-5", code=2)
    assert "cannot read repeat window '-5'" in r.stderr, r.stderr
    # not where no value is taken (list -- -1 is refused all the same)
    r = run("list", "-1", code=2)
    assert r.stderr.endswith("Error: No such option: -1\n"), r.stderr
