"""Click's and Typer's own words, and the help of the command tree, in the
display language.

Typer builds the Click command tree from cli.py's decorators on every run and
hands it the command line. `Group` (the root group's class) first chooses the
language (`--lang`, the environment, the locale: see i18n), and in Chinese:

- translates the tree's texts: every command's help, every option's and
  argument's help (the English texts are the msgids; `tools/catalogue.py`
  extracts them from this same tree);
- gives each command a context whose formatter writes "用法：", translated
  headings and wraps Chinese text by its width on the terminal;
- shows Click's usage errors in Chinese: Click builds them as English
  sentences, matched here against the templates in `CLICK_SENTENCES`.

Typer's own words (the section headings, "default", "required") come through
gettext's `_` in `typer.core`, which is pointed at ours. English goes through
Click untouched: no catalogue is opened and nothing is translated.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

import typer
import typer.core
from typer._click import exceptions as click_exceptions
from typer._click.core import Command, Context
from typer._click.formatting import HelpFormatter
from typer._click.parser import _OptionParser

from complaintctl import i18n
from complaintctl.i18n import N_, _, root_option, shell_word

# Typer translates its headings, "default: …", "required", "Missing command." and
# "No such command …" with `gettext.gettext` under this name: ours instead, so that
# they follow --lang and the ledger rather than only the locale (and English never
# looks for a catalogue).
typer.core._ = _

# Typer's words, as it passes them to `_` (typer/core.py; a test checks they are
# still there).
TYPER_WORDS = (
    N_("Arguments"), N_("Options"), N_("Commands"), N_("default: {default}"),
    N_("required"), N_("env var: {var}"), N_("(dynamic)"), N_("Aborted!"),
    N_("Missing command."), N_("No such command {name!r}."),
)

# Click's sentences as the vendored Click writes them (f-strings, in English),
# each as a template: `{message}` is itself a sentence to translate, other fields
# are kept as they are. More specific templates first.
CLICK_SENTENCES = (
    N_("{message}. Did you mean {suggestions}?"),
    N_("{message} (Possible options: {options})"),
    N_("Invalid value for {name}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing option {name}."),
    N_("Missing argument {name}."),
    N_("Missing parameter {name}."),
    N_("Missing parameter: {name}"),
    N_("No such option: {name}"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {n} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {n} values."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("{value} is not a valid int."),
    N_("{value} is not a valid float."),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
    N_("{value} is not in the range {range}."),
    N_("Could not open file {name}: {message}"),
)
CLICK_WORDS = (
    N_("Usage: "), N_("{heading}:"), N_("Try '{command} {option}' for help."),
    N_("Show this message and exit."), N_("Error: {message}"),
)

_PATTERNS: list[tuple[re.Pattern[str], str]] = []


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """The templates as regular expressions, compiled when a Chinese run first shows
    one of Click's sentences."""
    if not _PATTERNS:
        field = re.compile(r"\{(\w+)(?:![rs])?\}")
        for template in CLICK_SENTENCES:
            parts, last = [], 0
            for m in field.finditer(template):
                parts += [re.escape(template[last:m.start()]), f"(?P<{m.group(1)}>.+?)"]
                last = m.end()
            parts.append(re.escape(template[last:]))
            _PATTERNS.append((re.compile(r"\A" + "".join(parts) + r"\Z", re.S), template))
    return _PATTERNS


def click_sentence(text: str) -> str:
    """One of Click's English sentences in the display language; as it is when no
    template matches it (or in English)."""
    if i18n.lang() == "en":
        return text
    for pattern, template in _patterns():
        m = pattern.match(text)
        if m:
            # (a list of quoted words in Chinese is 、-separated: “revisit”、“list”)
            # and Click's own list of options (--category, --customer) too
            fields = {k: click_sentence(v) if k == "message" else _QUOTED.sub(
                r"“\1”", v).replace("”, “", "”、“") if k != "options" else
                v.replace(", ", "、") for k, v in m.groupdict().items()}
            return _(template).format(**fields)
    return text


# What Click quotes 'so' (an option, a value typed): quoted “so” in Chinese, as
# i18n.shown quotes the values complaintctl's own messages name.
_QUOTED = re.compile(r"'([^'\n]*)'")


# --- choosing the language, and the Chinese run ---------------------------------------

def lang_option(argv: Sequence[str], takes_value: Collection[str] = ("--db", "--as")
                ) -> str | None:
    """The value of the root's --lang on this command line (before the command's
    name), read before Click parses anything. `takes_value`: the root's other
    options that take a value."""
    return root_option(argv, "--lang", takes_value)


# Called with the root's --db as typed (or None) once the language of the command line
# is chosen and none was asked for: the ledger's language then applies to help and to
# Click's own errors too (run.language_before_parse, set by cli).
before_parse: Callable[[str | None], None] | None = None


class _GivenOnce:
    """An option given twice with different values is refused: Click would keep the
    last without a word (`resolve --amount 100 … --amount 1000`, a filter typed again
    at the end of a recalled line). The same value again, or an option that takes
    many (`multiple`), is fine."""

    def make_parser(self, ctx: Context) -> _OptionParser:
        parser: _OptionParser = super().make_parser(ctx)  # type: ignore[misc]
        names = frozenset((*parser._long_opt, *parser._short_opt))
        for opt in {*parser._long_opt.values(), *parser._short_opt.values()}:
            if opt.action in ("store", "store_const", "append"):
                opt.process = _once(ctx, opt, opt.process, names)  # type: ignore[method-assign,assignment]
        return parser


def _an_option(value: str, options: frozenset[str]) -> bool:
    """Whether a value is an option's name: the command's (`--cause`, or with its value,
    `--cause=轴承不良`), or complaintctl's own typed after the command (`-q`, `--db`)."""
    if not value.startswith("-"):
        return False
    name = value.partition("=")[0] if value.startswith("--") else value
    return name in options or name in _ROOT_OPTIONS


def _once(ctx: Context, opt: Any, process: Callable[[Any, Any], None],
          options: frozenset[str] = frozenset()) -> Callable[[Any, Any], None]:
    def checked(value: Any, state: Any) -> None:
        if opt.action in ("store", "append") and isinstance(value, str) and \
                _an_option(value, options):
            # `log --customer --no-input`: the value forgotten, the next option taken for
            # it (the customer stored as "--no-input", the flag lost); so were
            # `--finding --cause=轴承不良` and `note --text -q`
            raise click_exceptions.UsageError(
                _("{option} has no value: {value} after it is an option (its value left "
                  "out?)").format(option=max(opt.obj.opts or opt._long_opts, key=len),
                                  value=value), ctx)
        given = opt.const if opt.action == "store_const" else value
        if opt.action != "append" and opt.dest in state.opts and state.opts[opt.dest] != given \
                and not _same_word(opt.dest, state.opts[opt.dest], given):
            names = opt.obj.opts or opt._long_opts or opt._short_opts
            if opt.action == "store_const" and getattr(opt.obj, "secondary_opts", None):
                # a flag and its opposite (--demand-met --demand-not-met): "--demand-met
                # was given twice" named one of them only
                raise click_exceptions.UsageError(_(
                    "{option} and {opposite} say the opposite: give one").format(
                    option=max(opt.obj.opts, key=len),
                    opposite=max(opt.obj.secondary_opts, key=len)), ctx)
            raise click_exceptions.UsageError(
                _("{option} was given twice, with different values: give it once").format(
                    option=max(names, key=len)), ctx)
        process(value, state)

    return checked


# The options whose values are words of a field of the word table (words.TABLE), by
# their destination: the same word in two spellings (--severity high --severity 高) is
# the same value.
# (Not the category: a ledger's own categories are its words, known once it is open.)
_WORD_OPTIONS = {"severity": "severity", "channel": "channel", "demand": "demand",
                 "cause_category": "cause_category", "responsibility": "responsibility",
                 "disposition": "disposition",
                 "satisfaction": "satisfaction", "method": "method", "result": "inspection",
                 "status": "status", "fmt": "format"}


def _same_word(dest: str | None, one: Any, other: Any) -> bool:
    field = _WORD_OPTIONS.get(dest or "")
    if field is None or not isinstance(one, str) or not isinstance(other, str):
        return False
    from complaintctl import words

    try:
        return words.lookup(field, one) == words.lookup(field, other)
    except words.UnknownWord:
        return False


class OnceCommand(_GivenOnce, typer.core.TyperCommand):
    """A command (cli.command): its options each given once."""


class SubGroup(_GivenOnce, typer.core.TyperGroup):
    """A group under the root (`return`, `action`, …)."""


# Asked before Typer's --install-completion or --show-completion runs, with the option's
# name (cli._completion_shell, set by cli): it refuses a shell without a script.
completion_check: Callable[[str], None] | None = None


def _shell_checked(callback: Callable[..., Any]) -> Callable[..., Any]:
    def checked(ctx: Context, param: Any, value: Any) -> Any:
        if value and not ctx.resilient_parsing and completion_check is not None:
            completion_check(param.opts[0])
        return callback(ctx, param, value)

    checked.shell_checked = True  # type: ignore[attr-defined]
    return checked


class Group(_GivenOnce, typer.core.TyperGroup):
    """The root group: the language is chosen before the command line is parsed,
    and a Chinese run gets its texts and errors in Chinese."""

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        """A command of a group typed without the group (`receive` for `return
        receive`, `calendar` for `policy calendar`): no near name offered (calendar was
        offered amend), the group's command said (show_error)."""
        try:
            return super().resolve_command(ctx, args)
        except click_exceptions.UsageError as exc:
            groups = [name for name, cmd in self.commands.items()
                      if args and args[0] in getattr(cmd, "commands", {})]
            if groups:
                exc.message = _("No such command {name!r}.").format(name=args[0])
                exc.in_groups = (args[0], groups)  # type: ignore[attr-defined]
            raise

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        for param in self.params:
            if param.name in ("install_completion", "show_completion") and \
                    param.callback is not None and \
                    not getattr(param.callback, "shell_checked", False):
                param.callback = _shell_checked(param.callback)
        argv = list(sys.argv[1:] if args is None else args)
        _GIVEN[:] = [argv]
        # (run as `python -m complaintctl`, Click named the program so: usage lines said
        # "python -m complaintctl assign", and the completion script ran `_PYTHON _M` and
        # took over the completion of `python` itself)
        prog_name = prog_name or "complaintctl"
        complete_var = complete_var or "_COMPLAINTCTL_COMPLETE"
        takes_value = {opt for p in self.params if isinstance(p, typer.core.TyperOption)
                       and not p.is_flag for opt in p.opts}
        i18n.choose(lang_option(argv, takes_value))
        if not i18n.explicit() and before_parse is not None:
            before_parse(root_option(argv, "--db", takes_value))
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode,
                                windows_expand_args, **extra)
        name_values(self)
        if i18n.lang() != "en":
            localise(self)
        show_time_forms(self)
        try:
            done = super().main(argv, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        except SystemExit as exc:  # Click's own exit 1 when a reader closed the pipe
            # (`complaintctl --help | head -1`): not an error, as for every command
            if exc.code == 1 and "PacifyFlushWrapper" in type(sys.stdout).__name__:
                sys.exit(0)
            raise
        except click_exceptions.NoArgsIsHelpError as exc:  # its message is the help
            exc.show()
            # and the one line every refusal ends with (a cron job running `complaintctl
            # policy` mailed a page of help with exit 2 and no error in it)
            typer.echo(_("Error: {message}").format(message=_("Missing command.")), err=True)
            sys.exit(exc.exit_code)
        except click_exceptions.ClickException as exc:
            show_error(exc)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo(_("Aborted!"), err=True)
            sys.exit(1)
        sys.exit(done if isinstance(done, int) else 0)


# A value Click quotes in its message, longer than a line (a --limit of 5,000 digits was
# echoed whole): its first characters and its length, as i18n.shown quotes ours.
_LONG_VALUE = re.compile(r"'([^'\n]{N,})'|\"([^\"\n]{N,})\"|“([^”\n]{N,})”".replace(
    "N", str(i18n.SHOWN_MOST + 1)))


def _shortened(m: re.Match[str]) -> str:
    text = next(group for group in m.groups() if group is not None)
    quoted = m[0][0] + text[:i18n.SHOWN_HEAD] + "…" + m[0][-1]  # (in its marks: "it's …")
    return _("{value} ({n} characters)").format(value=quoted, n=f"{len(text):,}")


def _below_root(ctx: Context | None) -> str:
    """The command's words after the program's name (`return list`): the root's name is
    not one word under `python -m complaintctl` (the hint said `-m complaintctl …`)."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


# The command lines Group.main was given, the latest last (a hint rebuilds one).
_GIVEN: list[list[str]] = []


def _moved(ctx: Context, argv: list[str], name: str, takes: list[tuple[str, Any]]
           ) -> str | None:
    """The command line `argv` with the command's option `name`, typed before the
    command, moved after the command's words (its value with it), quoted for the shell;
    None when the command typed does not take it, or none was typed."""
    at = next((i for i, t in enumerate(argv) if t == name or t.startswith(name + "=")), None)
    if at is None:
        return None
    end = at + 1
    if "=" not in argv[at] and not takes[0][1].is_flag and end < len(argv):
        end += 1  # its value
    option, rest = argv[at:end], argv[:at] + argv[end:]
    group: Any = ctx.command
    i = 0
    while i < len(rest) and rest[i].startswith("-"):  # the root's own options
        i += 2 if rest[i] in _ROOT_OPTIONS and _ROOT_OPTIONS[rest[i]] else 1
    path: list[str] = []
    while i < len(rest) and rest[i] in getattr(group, "commands", {}):
        group = group.commands[rest[i]]
        path.append(rest[i])
        i += 1
    if " ".join(path) not in {c for c, _o in takes}:
        return None
    return "complaintctl " + " ".join(map(shell_word, rest[:i] + option + rest[i:]))


# The options whose value is free text, where a space is part of a value (a name, a
# number said in groups, a sentence); not a word's (--status open closed was told to quote
# 'open closed', then refused) nor a number's, a date's or a path's.
_FREE_TEXT = frozenset((
    "--owner", "--customer", "--dept", "--product", "--contact", "--text", "--note",
    "--reason", "--summary", "--description", "--cause", "--supplier", "--lot", "--order",
    "--region", "--approved-by", "--as", "--containment", "--corrective", "--preventive",
    "--finding", "--role", "--label-zh", "--label-en", "--ref"))


def _split_value(ctx: Context, argv: list[str], word: str) -> tuple[str, str] | None:
    """The option and its value as meant, when the extra argument `word` follows an
    option's value in `argv` (`--owner 王 芳`: ("--owner", "王 芳")); None otherwise."""
    takes = {o for p in ctx.command.params if isinstance(p, typer.core.TyperOption) and
             not p.is_flag and p.nargs == 1 for o in p.opts} & _FREE_TEXT
    for j in range(2, len(argv)):
        if argv[j] == word and argv[j - 2] in takes and not argv[j - 1].startswith("-"):
            if argv[j - 2] != "--contact" and re.fullmatch(
                    r"[0-9.,:/年月日点时分-]+|[A-Za-z]+-[0-9]{4}-[0-9]+", word):
                return None  # (a second date, a time or an id: `--since 2026-10-01
                # 2026-10-31`; but a number said in groups, --contact 138 1234 5678)
            k = j
            while k < len(argv) and not argv[k].startswith("-"):
                k += 1  # (every word up to the next option: --owner 欧阳 小 明)
            return argv[j - 2], " ".join(argv[j - 1:k])
    return None


def _commands_taking(ctx: Context, name: str) -> list[tuple[str, Any]]:
    """The commands (`return list`) that take the option `name`, with it, in the order
    of the program's help."""
    found: list[tuple[str, Any]] = []

    def walk(group: Any, words: str) -> None:
        for word, sub in getattr(group, "commands", {}).items():
            if getattr(sub, "hidden", False):
                continue
            path = f"{words} {word}".strip()
            if hasattr(sub, "commands"):
                walk(sub, path)
                continue
            for param in sub.params:
                if name in getattr(param, "opts", ()):
                    found.append((path, param))
    walk(ctx.command, "")
    return found


def show_error(exc: click_exceptions.ClickException) -> None:
    """What Click's `show` prints, in the display language."""
    ctx = exc.ctx if isinstance(exc, click_exceptions.UsageError) else None
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
        typer.echo(f"{ctx.get_usage()}\n{hint}", err=True)
    if isinstance(exc, click_exceptions.NoSuchOption) and exc.possibilities and \
            not exc.option_name.startswith(("--h", "-h")):
        # (`log --chanel` was offered --channel and --help: help is not what a name
        # but --h… meant)
        exc.possibilities = [p for p in exc.possibilities if p not in ("--help", "-h")]
    if isinstance(exc, click_exceptions.NoSuchOption) and ctx is not None:
        exc.possibilities = _meant_options(ctx, exc.option_name, exc.possibilities or [])
    # `amend ID --cause …`: a step's fact, which its step records again (the one before
    # kept in the history); it was offered --customer, another field
    stepped = None
    if isinstance(exc, click_exceptions.NoSuchOption) and ctx is not None and \
            ctx.command.name == "amend":
        stepped = _STEP_FACTS.get(exc.option_name)
        if stepped is not None:
            exc.possibilities = []
    if isinstance(exc, click_exceptions.NoSuchOption) and exc.option_name == "--at" and \
            ctx is not None and ctx.command.name == "log":
        # (every later step takes --at; log's time is when the customer complained, and
        # the near name offered was --lot, the batch number)
        exc.possibilities = ["--received"]
    message = _LONG_VALUE.sub(_shortened, click_sentence(exc.format_message()))
    flag = _ENV_FLAG.fullmatch(exc.format_message())
    if flag:  # `COMPLAINTCTL_QUIET=2`: Click's sentence, cut at its "(env var: …)" in
        # Chinese, listed '' among the values and named the option before the variable
        import ast

        try:  # (Click's repr of the value: shown as typed, not escaped twice)
            value = ast.literal_eval(flag["q"] + flag["value"] + flag["q"])
        except (SyntaxError, ValueError):
            value = flag["value"]
        message = _("{variable} is {value}: it takes 1, yes, true or on, or 0, no, false "
                    "or off").format(variable=flag["var"], value=i18n.shown(value))
    blank = re.fullmatch(r"Got unexpected extra argument\S* \((.*)\)", exc.message or "",
                         re.DOTALL)
    if blank and not blank[1].strip():  # `list ""` (a script's variable unset, in quotes):
        # "()" said nothing; a blank one (" ", a full-width space) is said as one
        message = _("an empty or blank argument was given, and {command} takes none "
                    "there").format(command=ctx.command_path if ctx is not None
                                    else "complaintctl")
    else:
        blank = None
    name = getattr(exc, "option_name", None)
    if isinstance(exc, click_exceptions.NoSuchOption) and name in _ROOT_OPTIONS:
        # `complaintctl list --db a.db`: Click offered --dept, a command's own option
        value = _ROOT_OPTIONS[name]
        command = _below_root(ctx)  # return list
        example = " ".join(x for x in ("complaintctl", name, _(value) if value else "",
                                       command) if x)
        message = _("{option} is an option of complaintctl itself: put it before the "
                    "command, e.g. {example}").format(option=name, example=example)
    typer.echo(_("Error: {message}").format(message=message), err=True)
    if getattr(exc, "in_groups", None):
        typed, groups = exc.in_groups  # type: ignore[attr-defined]
        typer.echo(_("Hint: {hint}").format(hint=_(
            "{command} is a command of {groups}: {example}").format(
                command=typed, groups=i18n.listing(groups),
                example=f"complaintctl {groups[0]} {typed} …")),
            err=True)
    if blank:
        typer.echo(_("Hint: {hint}").format(hint=_(
            "a variable left empty in a script? leave the argument out, or give it a "
            "value")), err=True)
    if stepped:
        typer.echo(_("Hint: {hint}").format(hint=_(
            "amend corrects what was logged; {option} is recorded by {command}, again to "
            "correct it (the value before stays in the history): complaintctl {command} "
            "ID {option} …").format(option=name, command=stepped)), err=True)
    if flag:
        typer.echo(_("Hint: {hint}").format(hint=_(
            "set {variable}=1 (or 0), or leave it unset: unset {variable}").format(
                variable=flag["var"])), err=True)
    if isinstance(exc, click_exceptions.BadOptionUsage) and name in ("--week", "--month"):
        # `report --month=2026-11` (as every other option takes its value) was refused
        # with no word of how to write it: its day or month is an argument after it
        typed = next((arg.partition("=")[2] for arg in (_GIVEN[-1] if _GIVEN else [])
                      if arg.startswith(f"{name}=")), "")
        typer.echo(_("Hint: {hint}").format(hint=_(
            "the week's day or the month follows {option} after a space: {option} "
            "{value}").format(option=name, value=shell_word(typed) if typed else (
                "2026-11-18" if name == "--week" else "2026-11"))), err=True)  # (pasted)
    if isinstance(exc, click_exceptions.NoSuchOption) and ctx is not None and \
            ctx.parent is None and name not in _ROOT_OPTIONS and \
            (takes := _commands_taking(ctx, name or "")):
        # `complaintctl --format json overdue`: a command's option before the command
        # (the reverse of a root option after it, which is said)
        commands = i18n.listing([c for c, _o in takes[:4]] + (["…"] if len(takes) > 4
                                                                 else []))
        moved = _moved(ctx, _GIVEN[-1] if _GIVEN else [], name or "", takes)
        typer.echo(_("Hint: {hint}").format(hint=_(
            "{option} is an option of a command ({commands}): put it after the command, "
            "e.g. {example}").format(option=name, commands=commands, example=moved)
            if moved else _("{option} is an option of a command ({commands}): put it "
                              "after the command").format(option=name, commands=commands)),
            err=True)
    if isinstance(exc, click_exceptions.NoSuchOption) and re.fullmatch(
            r"-[0-9.,]+", name or "") and ctx is not None and any(
            isinstance(p, typer.core.TyperArgument) for p in ctx.command.params) and \
            not isinstance(ctx.command, typer.core.TyperGroup):
        # `policy set assign high -3d`, `policy repeat-window -5`: Click read the value
        # as options and said only "No such option: -3"
        typer.echo(_("Hint: {hint}").format(hint=_(
            "a value that begins with '-' is read as an option; to give it as a value, "
            "put -- before the values (after the options)")), err=True)
    extra = re.fullmatch(r"Got unexpected extra argument\S* \((.+)\)", exc.message or "")
    split = None
    if ctx is not None and extra and (split := _split_value(ctx, _GIVEN[-1] if _GIVEN else [],
                                                            extra.group(1).split(" ")[0])):
        # `assign … --owner 王 芳`: a name typed with a space (as input methods put one
        # between the surname and the given name), unquoted: "extra argument (芳)" alone
        option, value = split
        typer.echo(_("Hint: {hint}").format(hint=_(
            "{option} takes one value: put a value with a space in it in quotes, e.g. "
            "{option} {value}").format(option=option, value=shell_word(value))), err=True)
    twice = next((o for o in ("--week", "--month") if sum(
        a == o or a.startswith(o + "=") for a in (_GIVEN[-1] if _GIVEN else [])) > 1), None) \
        if ctx is not None and extra and ctx.command.name == "report" else None
    if twice:  # `report --month 2026-11 --month 2026-10`: "unexpected extra argument"
        typer.echo(_("Hint: {hint}").format(hint=_(
            "{option} is given twice: a report is of one period (several: one report each, "
            "or --since DATE --until DATE)").format(option=twice)), err=True)
    elif ctx is not None and extra and ctx.command.name == "report" and \
            ctx.params.get("week") and ctx.params.get("month"):
        # `report --week 2026-11-18 --month 2026-11`: two periods, each with its value
        typer.echo(_("Hint: {hint}").format(hint=_(
            "give one of --week [DATE], --month [YYYY-MM], or --since DATE --until DATE")),
            err=True)
    if ctx is not None and extra and ctx.command.name in ("list", "overdue") and \
            ctx.parent is not None and ctx.parent.parent is None and \
            ctx.params.get("customer") is None and split is None:  # (the word is the rest
        # of a value typed with a space, said above: not a customer to filter by)
        # `complaintctl list 华东`: a name where an option was meant (a supervisor's); one
        # word only (Click joins several with spaces), a name rather than a date or an
        # option, quoted for the shell as it would be pasted
        word = extra.group(1)
        command = ctx.command.name
        if not word.strip():  # (said above: no filter of a blank word to offer)
            return
        if re.fullmatch(r"[A-Za-z]+-[0-9]{4}-[0-9]+", word):
            typer.echo(_("Hint: {hint}").format(hint=_(
                "a complaint's id is shown with: complaintctl show {id}").format(id=word)),
                err=True)
        elif " " not in word and not word.startswith("-") and \
                not re.fullmatch(r"[0-9./年月日-]+", word):
            typer.echo(_("Hint: {hint}").format(hint=_(
                "{command} filters by its options, e.g. complaintctl {command} --customer "
                "{word}").format(command=command, word=shell_word(word))), err=True)


# The facts of a step after the log, by option, and the step that records them again
# to correct them (amend corrects the intake; the tree holds only the command typed).
_STEP_FACTS = {**dict.fromkeys(("--cause", "--cause-category", "--responsibility",
                                "--supplier", "--finding", "--containment", "--corrective",
                                "--preventive", "--upheld", "--not-upheld"), "investigate"),
               **dict.fromkeys(("--disposition", "--amount", "--summary", "--approved-by"),
                               "resolve"),
               **dict.fromkeys(("--satisfaction", "--method", "--demand-met",
                                "--demand-not-met"), "revisit"),
               **dict.fromkeys(("--dept", "--owner"), "assign")}

# Options typed as other tools name them, and the one the command has for it.
_OTHER_NAMES = {"--json": "--format json", "--csv": "--format csv", "--from": "--since",
                "--to": "--until", "--start": "--since", "--end": "--until"}


def _meant_options(ctx: Context, typed: str, offered: Sequence[str]) -> list[str]:
    """The options offered for one the command does not have: Click's near names whose
    names, without their dashes, are near the typed one's (--json was offered --owner and
    --since, --to --dept, --cost --at), or the command's option for a name other tools
    use (--json: --format json, --from: --since)."""
    import difflib

    other = _OTHER_NAMES.get(typed)
    names = {opt for p in ctx.command.params for opt in getattr(p, "opts", ())}
    if other is not None and other.split(" ")[0] in names:
        return [other]
    bare = typed.lstrip("-")
    return [p for p in offered
            if difflib.SequenceMatcher(None, bare, p.lstrip("-")).ratio() >= 0.6]


# Click's words for a boolean environment variable's value it cannot read.
_ENV_FLAG = re.compile(r"Invalid value for .+? \(env var: '(?P<var>[A-Z_]+)'\): "
                       r"(?P<q>['\"])(?P<value>.*)(?P=q) is not a valid boolean\. "
                       r"Recognized values: .*", re.S)

# The root's options, with what a value looks like, for the error of one typed after
# the command.
_ROOT_OPTIONS = {"--db": N_("PATH"), "--as": N_("NAME"), "--lang": "zh", "--ascii": "",
                 "--quiet": "", "-q": ""}


# The metavar Click makes of an option's type, as a message to translate, in the
# words of the metavars cli.py gives (a clerk read "<str>" as code).
_TYPE_WORDS = {"str": N_("TEXT"), "int": N_("N"), "text": N_("TEXT"),
               "integer": N_("N"), "count": N_("COUNT")}


# The metavars cli.py names values by, as messages to translate (路径, 时间, 编号 …).
_METAVAR_WORDS = frozenset((
    N_("WHEN"), N_("ID"), N_("DATE"), N_("PATH"), N_("RMA"), N_("WORD"), N_("FILE"),
    N_("ZONE"), N_("TEXT"), N_("NAME"), N_("N"), N_("KEY"), N_("AMOUNT"), N_("ACTION"),
    N_("YYYY"), N_("WHAT"), N_("HASH"), N_("FORMAT"), N_("FIELD"), N_("ENC"), N_("DEC"),
    N_("COMPLAINT"), N_("ATT"), N_("STAGE"), N_("SEVERITY"), N_("DURATION"), N_("DAYS"),
    N_("SHEET"), N_("[DATE|YYYY-MM]"), N_("LANGUAGE"), N_("LETTERS")))


def _walk(cmd: Command) -> Iterator[Command]:
    yield cmd
    for sub in getattr(cmd, "commands", {}).values():
        yield from _walk(sub)


def name_values(group: Command) -> None:
    """An option's value named by its type (TEXT, N, COUNT, in the user's language), not
    as Typer names it (<str>, <int>)."""
    for cmd in _walk(group):
        for param in cmd.params:
            if param.metavar is None and not getattr(param, "is_flag", False) and \
                    param.param_type_name == "option" and param.type.name in _TYPE_WORDS:
                param.metavar = _(_TYPE_WORDS[param.type.name])


# What a time and a day look like, told after an option's help (a clerk reading -h
# typed --at 12/01/2026 and was refused: no help said how to write one).
_FORMS = {N_("WHEN"): "2026-12-01 15:10", N_("DATE"): "2026-12-01"}


def show_time_forms(group: Command) -> None:
    """An option that takes a time (WHEN) or a day (DATE) shows one written as it is
    read, after its help, in the help's language (run after localise)."""
    forms = {_(name): example for name, example in _FORMS.items()}
    for cmd in _walk(group):
        for param in cmd.params:
            example = forms.get(param.metavar or "")
            help_text = getattr(param, "help", None)
            if example and help_text and example not in help_text:
                param.help = _("{help}; e.g. {example}").format(  # type: ignore[attr-defined]
                    help=help_text, example=example)


def localise(group: Command) -> None:
    """Translate the help texts of the whole tree in place (Typer builds a new tree
    on every run) and give every command the translating formatter."""
    for cmd in _walk(group):
        cmd.context_class = LocalisedContext
        if cmd.options_metavar == "[OPTIONS]":  # the usage line's words
            cmd.options_metavar = _("[OPTIONS]")
        if getattr(cmd, "subcommand_metavar", None) == "COMMAND [ARGS]...":
            cmd.subcommand_metavar = _("COMMAND [ARGS]...")  # type: ignore[attr-defined]
        if cmd.short_help:
            cmd.short_help = _(cmd.short_help)
        if cmd.help:
            text = _(cmd.help)
            if text != cmd.help and not cmd.short_help:
                cmd.short_help = first_sentence(text)
            cmd.help = text
        for param in cmd.params:
            if getattr(param, "help", None):
                param.help = _(param.help)  # type: ignore[attr-defined]
            if param.metavar in _METAVAR_WORDS:  # (FILE... keeps its dots)
                param.metavar = _(param.metavar)
            elif param.metavar and param.metavar.rstrip(".") in _METAVAR_WORDS:
                param.metavar = _(param.metavar.rstrip(".")) + "..."


def first_sentence(text: str) -> str:
    """The short help of a translated help text: its first sentence."""
    para = text.split("\n\n")[0]
    for end in ("。", "；"):
        if end in para:
            return para[:para.index(end)]
    return para


# --- the formatter: Chinese by its width on the terminal -------------------------------

# Characters a terminal draws two columns wide (East Asian Wide and Fullwidth, as
# ranges: a regular expression of them takes 20-60 ms to compile).
_WIDE_RANGES = ((0x1100, 0x115F), (0x2E80, 0x303E), (0x3041, 0x33FF), (0x3400, 0x4DBF),
                (0x4E00, 0x9FFF), (0xA000, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
                (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFD))


_WIDE_BOUNDS = [edge for lo, hi in _WIDE_RANGES for edge in (lo, hi + 1)]


def _wide(ch: str) -> bool:
    code = ord(ch)
    return code >= 0x1100 and bisect_right(_WIDE_BOUNDS, code) % 2 == 1


def width(text: str) -> int:
    """Columns `text` takes on a terminal (CJK characters take two)."""
    return sum(2 if _wide(ch) else 1 for ch in text)


def wrap(text: str, columns: int, first: str = "", rest: str = "") -> list[str]:
    """`text` in lines of at most `columns` columns, the first starting with
    `first`, the others with `rest` (as wide as `first`): broken as render.wrap_lines
    breaks a table's Chinese text (at spaces and between Chinese characters, never
    before closing punctuation or after an opening bracket, never inside a number),
    a short term between other text kept whole (render._terms)."""
    from complaintctl.render import wrap_lines

    lines = wrap_lines(" ".join(text.split("\n")), columns - width(first), terms=True,
                       grouped=False)
    return [first + lines[0], *(rest + line for line in lines[1:])]


def _paragraphs(text: str) -> Iterator[tuple[bool, str]]:
    """(keep as written, text) per paragraph, as Click reads help: blank lines part
    them, "\\b" alone on the first line keeps the lines as they are."""
    for para in re.split(r"\n\s*\n", text.expandtabs().strip("\n")):
        lines = para.splitlines()
        if lines and lines[0].strip() == "\b":
            yield True, "\n".join(lines[1:])
            continue
        joined = ""
        for ln in (ln.strip() for ln in lines):
            if joined and ln and not (_wide(joined[-1]) and _wide(ln[0])):
                joined += " "
            joined += ln
        yield False, joined


class LocalisedFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = f"{'':>{self.current_indent}}{_('Usage: ') if prefix is None else prefix}{prog} "
        self.write("\n".join(wrap(args, self.width, head, " " * width(head))) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=_(heading))}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        out = []
        for raw, para in _paragraphs(text):
            if raw:
                out.append("\n".join(indent + ln for ln in para.splitlines()))
            else:
                out.append("\n".join(wrap(para, self.width, indent, indent)))
        self.write("\n\n".join(out) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = [(first, _(second)) for first, second in rows]
        first_col = min(max((width(f) for f, _s in rows), default=0), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + pad)
            columns = max(self.width - first_col - 2, 10)
            lines: list[str] = []
            for _raw, para in _paragraphs(second):
                lines += wrap(para, columns)
            self.write(lines[0] + "\n" + "".join(f"{pad}{ln}\n" for ln in lines[1:]))


class LocalisedContext(typer.Context):
    formatter_class = LocalisedFormatter
