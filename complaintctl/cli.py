"""The command line: parse options, call the ledger, render, map errors to exit
codes. With `run` (what the commands share without Typer: the one exit path, the
ledger, the clock, output) and `dispatch` (the entry point, which runs the common
forms of the read commands without importing Typer), the only modules that read
the clock, prompt, print or exit.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import itertools
import os
import re
import shlex
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, overload

import typer
from typer._click.types import IntParamType

from complaintctl import (
    complaints,
    i18n,
    i18n_click,
    parse,
    render,
    rma,
    run,
    settings,
    store,
    views,
    words,
)
from complaintctl.errors import BadInput, ComplaintctlError, LedgerError, NotFound
from complaintctl.i18n import _, listing, ngettext, pgettext, term
from complaintctl.run import (
    _STATE,
    _db_path,
    _emit,
    _emit_chunks,
    _emit_text,
    _err,
    _exit_now,
    _fail,
    _format,
    _interrupted,
    _isatty,
    _keep,
    _listing,
    _login,
    _now,
    _open,
    _print_rich,
    _say,
    _warn,
    _when,
    _width,
    with_db,
)
from complaintctl.store import Ledger, Outcome

run.use_echo(typer.echo)  # the commands Typer runs print through Click, as they always did

app = typer.Typer(
    help="The customer-complaint procedure (客户投诉处理) in one local SQLite ledger.",
    rich_markup_mode=None, add_completion=True, no_args_is_help=True,
    pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]},
    cls=i18n_click.Group)
action_app = typer.Typer(help="CAPA items (纠正预防措施): add, done, verify, list.",
                         rich_markup_mode=None, no_args_is_help=True, cls=i18n_click.SubGroup)
policy_app = typer.Typer(help="Deadlines, escalation and the working-day calendar.",
                         rich_markup_mode=None, no_args_is_help=True, cls=i18n_click.SubGroup)
return_app = typer.Typer(help="Returned goods (客退品 / RMA): open, receive, correct, "
                         "inspect, dispose, close, list.", rich_markup_mode=None,
                         no_args_is_help=True, cls=i18n_click.SubGroup)
attachment_app = typer.Typer(help="Evidence stored in the ledger (凭证): get one out, list "
                             "a record's.", rich_markup_mode=None, no_args_is_help=True,
                             cls=i18n_click.SubGroup)
app.add_typer(action_app, name="action")
app.add_typer(policy_app, name="policy")
app.add_typer(return_app, name="return")
app.add_typer(attachment_app, name="attachment")

FORMAT_HELP = "table, json, csv or markdown"
AT_HELP = "when it happened (default now), for paper records entered later"


# --- the one exit path --------------------------------------------------------


class _Bar:
    """A progress display on stderr (Rich, imported only when one is shown): tasks one
    under the other, each a bar, or a pulse when its total is unknown."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.tasks: list[Any] = []

    def add(self, description: str, total: int | None) -> None:
        self.tasks.append(self.progress.add_task(description, total=total))

    def advance(self, to: int | None = None) -> None:
        if to is None:
            self.progress.advance(self.tasks[-1])
        else:
            self.progress.update(self.tasks[-1], completed=to)

    def describe(self, description: str) -> None:
        self.progress.update(self.tasks[-1], description=description)


@contextlib.contextmanager
def _progress() -> Iterator[_Bar | None]:
    """Progress for long work, on stderr, only when stderr is a terminal that can
    redraw a line (not TERM=dumb) and without --quiet; None otherwise, and nothing at
    all is printed (cron mails any output)."""
    if _STATE.get("quiet") or not _isatty(sys.stderr):
        yield None
        return
    from rich.console import Console

    con = Console(stderr=True, highlight=False, emoji=False, markup=False)
    if not con.is_interactive:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class Count(MofNCompleteColumn):
        """done/total, and nothing for a task whose total is not known (the demo's
        writing showed 0/? the whole time, as if stalled)."""

        def render(self, task: Any) -> Text:
            return Text("") if task.total is None else super().render(task)

    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                  BarColumn(), Count(), TimeElapsedColumn(), console=con,
                  transient=True) as progress:
        yield _Bar(progress)


P = ParamSpec("P")
R = TypeVar("R")


def command(typer_app: typer.Typer, name: str | None = None,
            **kwargs: Any) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a command whose domain errors become `Error: …` and an exit code."""

    def register(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kw: P.kwargs) -> R:
            return run.guarded(func, *args, **kw)

        typer_app.command(name, cls=i18n_click.OnceCommand, **kwargs)(wrapper)
        return wrapper

    return register


def _only_the_command_asked(argv: list[str]) -> None:
    """Register only the command on the command line (Typer builds every command's
    options on each run: about 10 ms for all of them). Root help and unknown
    commands keep the full set."""
    args = iter(argv)
    for arg in args:
        if arg in ("--db", "--as", "--lang"):
            next(args, None)
        elif arg in ("--ascii", "--quiet", "-q"):
            continue
        elif arg.startswith("-"):
            return
        else:
            commands = [c for c in app.registered_commands if c.name == arg]
            groups = [g for g in app.registered_groups if g.name == arg]
            if commands or groups:
                app.registered_commands, app.registered_groups = commands, groups
            return


i18n_click.before_parse = run.language_before_parse


# The shells Typer has a completion script for.
COMPLETION_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _completion_shell(option: str) -> None:
    """--install-completion and --show-completion find the shell from the process that
    started complaintctl: from dash (a script's /bin/sh) Typer said "Shell dash not
    supported." with exit 1, no Error: line and nothing of what to do."""
    from typer import completion

    shell = completion._get_shell_name()
    if shell not in COMPLETION_SHELLS:
        raise _fail(BadInput((_("{option}: complaintctl was started by {shell}, which has "
                                "no completion script") if shell else
                              _("{option}: cannot tell which shell started complaintctl")
                              ).format(option=option, shell=shell),
                             hint=_("run it from bash, zsh, fish or PowerShell, e.g. "
                                    "bash -c 'complaintctl {option}'").format(option=option),
                             code="shell_not_supported", shell=shell))


i18n_click.completion_check = _completion_shell


def _takes_value(name: str) -> bool:
    """Whether an option of that name takes a value in some command (--dry-run takes
    none): read from the commands themselves, only when a word after it is not UTF-8."""
    def options(command: Any) -> Iterator[Any]:
        yield from command.params
        for sub in getattr(command, "commands", {}).values():
            yield from options(sub)

    return any(isinstance(p, typer.core.TyperOption) and not p.is_flag and name in p.opts
               for p in options(typer.main.get_command(app)))


def main() -> None:
    """Entry point of the installed command."""
    i18n.choose(i18n_click.lang_option(sys.argv[1:]))  # for errors before the app runs
    _only_the_command_asked(sys.argv[1:])

    def everything() -> None:
        parse.arguments(sys.argv[1:], _takes_value)
        app()

    _exit_now(run.finish(everything))


# --- context: ledger, actor, clock, output -----------------------------------------

def _version(asked: bool) -> None:
    """--version: what cron logs beside a report it writes (and the schema it writes)."""
    if asked:
        from complaintctl import __version__, migrations

        _emit_text(_("complaintctl {version} (ledger schema {schema})\n").format(
            version=__version__, schema=migrations.LATEST))
        raise typer.Exit()


@app.callback()
def _root(
    db: str | None = typer.Option(None, "--db", metavar="PATH",
                                     help="ledger file (else $COMPLAINTCTL_DB, else the user "
                                     "data directory)"),
    as_: str | None = typer.Option(None, "--as", metavar="NAME",
                                      help="acting user (else $COMPLAINTCTL_USER, else login)"),
    ascii_: bool = typer.Option(False, "--ascii", envvar="COMPLAINTCTL_ASCII",
                                help="draw table lines in ASCII (for terminals that draw "
                                "box characters double width)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", envvar="COMPLAINTCTL_QUIET",
                               help=("print nothing on success but the data asked for "
                                      "(for cron: errors and warnings still print; "
                                      "overdue prints nothing when nothing is late)")),
    lang: str | None = typer.Option(None, "--lang", metavar="zh|en",
                                    help="display language (else $COMPLAINTCTL_LANG, else "
                                    "the ledger's, else the locale's)"),
    _shown_version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                        help="print the version and exit"),
) -> None:
    if lang is not None and i18n.normalise(lang) is None:  # chosen before parsing (i18n)
        raise _fail(BadInput(_("--lang {value}: the languages are zh and en").format(
            value=i18n.shown(lang)), hint=_("--lang zh for Chinese, --lang en for English"),
            code="bad_lang", value=lang))
    run.root(db=db, actor=as_, quiet=quiet, ascii_=ascii_, lang=i18n.normalise(lang))


def _amended_demand(demand: str | None, complaint_id: str) -> str | None:
    """amend's --demand: a word for none is told how amend empties it (--clear demand:
    leaving --demand out changes nothing there)."""
    try:
        return parse.choice(demand, parse.DEMANDS, "--demand")
    except BadInput as exc:
        _emptied_how(exc, "--demand", complaint_id)
        raise


def _emptied_how(exc: BadInput, option: str, complaint_id: str) -> None:
    """A word for none given to amend's `option`: its hint says how amend empties the
    field (amend has no prompt, and leaving the option out changes nothing)."""
    if exc.code != "none_word":
        return
    field = option.removeprefix("--")
    exc.hint = (_("to erase a contact for good: complaintctl forget-contact {id} "
                  "--reason TEXT").format(id=complaint_id) if field == "contact" else
                _("a product is corrected, not cleared: give the right one")
                if field == "product" else
                _("to empty it: complaintctl amend {id} --clear {field} --reason "
                  "TEXT").format(id=complaint_id, field=field))


def _why(reason: str | None) -> str | None:
    """A step's --reason as typed: a word for none is no reason (a correction "because:
    无" was recorded). A register's own (an import's void or close reason) is its own."""
    return parse.not_none(parse.text(reason, "--reason", multiline=True), "--reason", _(
        "say why in a few words: --reason TEXT (it stays in the history)"))


def _actor() -> str:
    """Who acts: --as (an empty one refused: `--as "$CLERK"` with the variable unset
    must not record the login instead), else COMPLAINTCTL_USER, else the login (an
    account with no name, in a container: "uid 4242", not "unknown")."""
    if _STATE["actor"] is not None:
        return parse.not_none(parse.text(_STATE["actor"], "--as", required=True,
                                         max_len=parse.NAME_MOST), "--as",
                              _("--as names who did it: a person")) or ""
    name = os.environ.get("COMPLAINTCTL_USER")
    if name is not None:  # (one of spaces is refused by its own name, not as --as; an
        # empty one too, as COMPLAINTCTL_DB's: a crontab's COMPLAINTCTL_USER=$UNSET
        # recorded the login without a word)
        if not name.strip():
            raise BadInput(_("COMPLAINTCTL_USER holds only spaces") if name else
                           _("COMPLAINTCTL_USER is empty: it names nobody"),
                           hint=_("set it to the name to record, e.g. COMPLAINTCTL_USER=周敏, "
                                  "or unset it to record your login name"),
                           code="empty_user")
        return parse.text(name, "COMPLAINTCTL_USER", required=True, max_len=parse.NAME_MOST)
    import getpass

    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = _login()
    # (named where it came from: "--as contains a control character" sent a cron job's
    # reader to an option its crontab does not have)
    return parse.text(name, "LOGNAME", required=True)


def _new_ledger_language() -> tuple[str | None, bool]:
    """The display language a new ledger (init, demo) gets when none is given for it:
    the one this run was asked in (`--lang zh init`, `--lang zh demo`), else Chinese from
    a Chinese locale (set up in Chinese, cron under LANG=C wrote English) -- the locale's
    own, not the language of the ledger COMPLAINTCTL_DB names, read before the parse;
    and whether it came from the locale."""
    if i18n.explicit():
        return i18n.lang(), False
    if i18n.from_locale(os.environ) == "zh":
        return "zh", True
    return None, False


def _machine_timezone() -> str:
    """TZ (PRC, Asia/Shanghai, :/usr/share/zoneinfo/Asia/Shanghai; one the ledger cannot
    read, such as a POSIX rule CST-8, is refused by init with the way to name the zone),
    else /etc/localtime's, else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if "zoneinfo/" in tz:
        tz = tz.split("zoneinfo/", 1)[1]
    if tz:
        try:
            settings.zone(tz)
        except BadInput:
            raise BadInput(_("this machine's time zone TZ={tz} is not a zone name complaintctl "
                             "can read").format(tz=tz),
                           hint=_("name the ledger's zone: --timezone Asia/Shanghai"),
                           code="unknown_timezone", value=tz) from None
        return tz
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def _report_outcome(out: Outcome, message: str) -> None:
    """The step's line (the record's id, its new state) first, then what it noted
    (reopened (1); new resolve deadline …, said before the id, read as of no record).
    A step that found its values there already (out.data["unchanged"]) says only that."""
    for w in out.warnings:
        _warn(w)
    if not out.data.get("unchanged"):
        _say(message)
    for n in out.notes:
        _say(n)


# --- init, log ------------------------------------------------------------

@command(app, "init")
def init_cmd(
    country: str = typer.Option("CN", help="country calendar for working days (ISO code)"),
    timezone_: str | None = typer.Option(None, "--timezone", metavar="ZONE",
                                            help="ledger time zone (default: this machine's)"),
    currency: str | None = typer.Option(None, help="currency of amounts (default: the "
                                        "country's, CNY for CN, HKD, TWD, MOP …)"),
    lang: str | None = typer.Option(None, "--lang", metavar="zh|en",
                                    help="the ledger's display language (for cron and "
                                    "everyone without --lang or COMPLAINTCTL_LANG)"),
    id_prefix: str | None = typer.Option(None, "--id-prefix", metavar="LETTERS",
                                         help="complaint ids' prefix (default: CC, as in "
                                         "CC-2026-0001)"),
    return_prefix: str | None = typer.Option(None, "--return-prefix", metavar="LETTERS",
                                             help="return ids' prefix (default: RMA)"),
) -> None:
    """Create a new ledger (the only command that does, with demo into a new file)."""
    path = _db_path()
    prefixes = settings.id_prefixes(id_prefix, return_prefix)
    language = None if lang is None else parse.language(lang, "--lang")
    from_locale = False
    if language is None:
        language, from_locale = _new_ledger_language()
    from complaintctl import deadlines

    # (HKG is HK before its currency is looked up: it was CNY beside an HK calendar)
    code = deadlines.country_code(parse.half_width(country).strip().upper().rstrip("-"))
    own = settings.COUNTRY_CURRENCY.get(code.split("-")[0], "CNY")
    zone = _machine_timezone() if timezone_ is None else timezone_
    ledger = _create(path, {"country": code,
                            "currency": own if currency is None
                            else settings.currency(currency, home=own),
                            "timezone": zone,
                            "language": language or "", **prefixes})
    _STATE["written"] = str(path)  # an interruption from here on: it is there
    s = ledger.config.settings
    _say(_("Ledger created at {path} (calendar {country}, time zone {zone}, currency "
           "{currency}).").format(path=i18n.path_said(path), country=s["country"],
                                  zone=s["timezone"], currency=s["currency"]))
    # (each command named with the --db given: "Next: complaintctl log" pasted after
    # `--db test.db init` logged into the ledger COMPLAINTCTL_DB names)
    if from_locale:
        _say(with_db(_("Its display language is Chinese, as this terminal's, for everyone "
                       "and cron (change it with: complaintctl policy language en).")))
    elif lang is None and language is not None:  # from --lang or COMPLAINTCTL_LANG: said too
        _say(with_db(_("Its display language is {language}, as this run's, for everyone and "
                       "cron (change it with: complaintctl policy language {other}).").format(
            language=_("Chinese") if language == "zh" else _("English"),
            other="en" if language == "zh" else "zh")))
    if fixed := settings.fixed_offset_warning(zone, _now()):
        _warn(fixed)
    expected = settings.COUNTRY_ZONE.get(code)
    if timezone_ is None and expected is not None and \
            not settings.same_clock(zone, expected, _now()):
        # (a server on UTC made a Taiwan ledger whose 民國 dates and deadlines were off)
        _warn(with_db(_("the ledger's clock is this machine's, {zone}, not {country}'s: "
                        "dates and deadlines are read on it; change it with complaintctl "
                        "policy timezone {expected}").format(zone=zone, country=code,
                                                             expected=expected)))
    _say(with_db(_("Next: complaintctl log (on a terminal it asks for each field; in a "
                   "script give --customer, --channel, --category, --severity and "
                   "--description)")))


@command(app, "upgrade")
def upgrade_cmd() -> None:
    """Bring a ledger made by an older complaintctl up to this one's schema."""
    from complaintctl import migrations

    path = _db_path()
    with _progress() as bar:
        def progress(number: int, name: str) -> None:
            if bar is None:
                _say(_("  step {number}: {name}").format(number=number, name=name))
                return
            if not bar.tasks:  # the first pending step: the rest follow it in order
                bar.add(_("Upgrading"), migrations.LATEST - number + 1)
            else:
                bar.advance()
            bar.describe(_("Upgrading: step {number} ({name})").format(number=number,
                                                                       name=name))

        def committed() -> None:  # what an interruption from here on says
            _STATE["done"] = _("Interrupted after the upgrade was written: {path} is at "
                               "schema version {version}.").format(
                path=path, version=migrations.LATEST)

        try:
            before, now_v = Ledger.upgrade(path, progress, committed)
        except LedgerError as exc:
            if exc.code != "read_only_disk":
                raise
            # (it said "it can be read there (overdue, show …)", which refuse a ledger
            # that needs an upgrade)
            exc.hint = _("until it is upgraded it cannot be read either: copy it to a "
                         "writable disk (complaintctl --db {db} backup COPY.db), and upgrade "
                         "the copy (complaintctl --db COPY.db upgrade)").format(
                db=shlex.quote(str(path)))
            raise
    if before == now_v:
        _say(_("{path} is up to date (schema version {version}).").format(path=path,
                                                                          version=now_v))
    else:
        _say(_("Upgraded {path} from schema version {before} to {after}.").format(
            path=path, before=before, after=now_v))


def _create(path: Path, init: dict[str, str], *, demo: bool = False) -> Ledger:
    """A new ledger at `path` (init, or demo into a new file)."""
    return _keep(Ledger.create(path, init=init, now=_now(), demo=demo, login=_login(),
                               actor=_actor()))  # (who set it up: it was "system")


# --- log: the intake prompts -------------------------------------------------------

class _Intake:
    """A field of the intake, in the order a call goes: what is asked, how it is
    checked (the same check for the option and for the answer at the prompt). A plain
    class: a NamedTuple costs a quarter of a millisecond at every start."""

    __slots__ = ("field", "option", "required", "words", "extra")

    def __init__(self, field: str, option: str, required: bool,
                 words: tuple[str, ...] | None = None, extra: tuple[Any, ...] = ()) -> None:
        self.field = field  # the record's key; for a word, its field in the word table
        self.option = option
        # Required fields are asked for when missing; a prompt run then asks for every
        # field not given, and Enter skips an optional one.
        self.required = required
        self.words = words  # the codes offered, for an enumerated field
        self.extra = extra  # words.Word of the ledger's own categories (their labels)

    def check(self, value: str | None) -> str | None:
        if self.words is not None:
            return parse.choice(value, self.words, self.option, extra=self.extra)
        if self.field in parse.NAME_FIELDS:  # (full width and spaces folded)
            return parse.name(value, self.option, required=self.required)
        return parse.text(value, self.option, multiline=self.field == "description",
                          required=self.required)


def _intake(categories: tuple[str, ...], extra: tuple[Any, ...]) -> tuple[_Intake, ...]:
    return (_Intake("channel", "--channel", True, parse.CHANNELS),
            _Intake("customer", "--customer", True),
            _Intake("contact", "--contact", False),
            _Intake("product", "--product", False),
            _Intake("description", "--description", True),
            _Intake("category", "--category", True, categories, extra),
            _Intake("severity", "--severity", True, parse.SEVERITIES),
            _Intake("demand", "--demand", False, parse.DEMANDS))


def _prompt_label(field: str) -> str:
    return {"channel": _("Channel"), "customer": _("Customer"),
            "contact": _("Contact (phone or e-mail)"), "product": _("Product (model / spec)"),
            "description": _("Description (the customer's words)"),
            "category": _("Category"), "severity": _("Severity"),
            "demand": _("Demand (what the customer asks for)")}[field]


def _ask(item: _Intake) -> str | None:
    """Ask for one field on stderr until the answer passes its check; Enter skips an
    optional field. A word may be typed as its number in the list shown, its code,
    label or synonym."""
    label = _prompt_label(item.field)
    if item.words is not None:
        _err(_choices_text(item.field, item.words, item.extra))
        span = f"1-{len(item.words)}"
        prompt = (_("{label} [{span}]: ") if item.required else
                  _("{label} [{span}, Enter to skip]: ")).format(label=label, span=span)
    else:  # (the colon is the language's: 客户：)
        prompt = (_("{label}: ") if item.required else
                  _("{label} [Enter to skip]: ")).format(label=label)
    kept_as_typed: str | None = None  # a contact flagged once: typed again, it is kept
    while True:
        try:
            answer = _read_answer(prompt)
            # (a description's paste may come in pieces: the next one waited for longer)
            more = _pasted_lines(_PASTE_QUIET if item.field == "description" else _PASTE_GAP)
            while more and more[-1] == "":  # a paste's blank line at its end
                more.pop()
            if more and item.field == "description":  # the customer's words, pasted whole
                lines = [answer, *more]  # (its last line read without its line break)
                _err("  " + _("Pasted {n} lines; type more, or press Enter on an empty line "
                              "to finish the description.").format(n=len(lines)))
                while (line := _read_answer("  ")) != "":
                    lines.append(line)
                answer = "\n".join(x for x in lines if x is not None) \
                    if None not in lines else None
        except _LineCut:  # the rest of that line is gone: nothing of it is kept
            while True:  # (the lines pasted after it, dropped with it)
                try:
                    _pasted_lines()
                    break
                except _LineCut:
                    continue
            _err("  " + (_(
                "A line was longer than a terminal passes on ({n} bytes, about {chars} "
                "Chinese characters): the rest of it was lost. Nothing of it was kept; paste "
                "it again in shorter lines (Enter between them).") if item.field ==
                "description" else _(  # (a one-line field takes no second line)
                "A line was longer than a terminal passes on ({n} bytes, about {chars} "
                "Chinese characters): the rest of it was lost. Nothing of it was kept; "
                "{label} is one line of at most {most} characters.")).format(
                    n=f"{_TERMINAL_LINE:,}", chars=f"{_TERMINAL_LINE // 3:,}", label=label,
                    most=parse.NAME_MOST))
            continue
        if more and item.field != "description":  # they would have answered the next prompts
            _err("  " + _("The text pasted had {n} lines; type {label} on one line.").format(
                n=len(more) + 1, label=label))
            continue
        if answer is None:
            _err("  " + _("That was not valid text (not UTF-8); type it again."))
            continue
        if not answer.strip():
            if not item.required:
                return None
            _err("  " + _("{label} is required; type it, or Ctrl-C to stop without "
                          "saving.").format(label=label))
            continue
        if _CURSOR_KEY.search(answer):  # ← → Home End came in as text: they were refused
            # as "a control character (0x1b)", which the clerk had not typed
            _err("  " + _("The arrow keys do not move within an answer here: correct it with "
                          "Backspace (Ctrl-W takes back a word, Ctrl-U the line); type "
                          "{label} again.").format(label=label))
            continue
        try:
            if item.words is not None:
                return _pick(answer, item)
            checked = item.check(answer)
            if item.field == "contact" and checked and checked != kept_as_typed and \
                    not complaints.reachable(checked):
                # (said only once the complaint was written, the customer gone by then)
                _err("  " + _("That holds no phone number (seven digits or more), e-mail "
                              "address or account id: type it again, or the same again to "
                              "keep it as typed."))
                kept_as_typed = checked
                continue
            return checked
        except BadInput as exc:
            if exc.code == "empty_value":  # invisible characters alone (a zero-width
                # space): the prompt's own words, not the command line's "in quotes"
                _err("  " + _("{label} is required; type it, or Ctrl-C to stop without "
                              "saving.").format(label=label))
                continue
            if exc.code == "customer_contact":  # (the option's hint, "give it with
                # --contact … name who complained with Customer", named a command line the
                # clerk had not typed; Contact is the prompt after this one)
                _err("  " + exc.message)
                _err("  " + _("Type who complained (a caller who gave no name: how to tell "
                              "them apart, e.g. 匿名来电 3月4日 上午); the number goes under "
                              "{contact}.").format(contact=_prompt_label("contact")))
                continue
            if exc.code == "none_word":  # 无: the prompt's way to say none is Enter
                _err("  " + _("{value} means none: press Enter to skip {label}.").format(
                    value=i18n.shown(answer.strip()), label=label))
                continue
            if item.words is not None:  # not the option's words: the clerk typed none
                _err("  " + _("{value} is not in the list.").format(
                    value=i18n.shown(answer.strip())))
                near = exc.params.get("suggestion")  # (质亮: the one-line form offered 质量)
                if near:  # (quoted, with the word the list names it by when it is a
                    # synonym the list does not show: 客户来访 was offered alone, not listed)
                    said = i18n.shown(near)
                    try:
                        listed = term(exc.params["field"], words.lookup(
                            exc.params["field"], near, exc.params.get("choices")))
                    except (KeyError, words.UnknownWord):
                        listed = None
                    if listed and words.key(listed) != words.key(near):
                        said = _("{word} ({label})").format(word=said,
                                                            label=i18n.shown(listed))
                    _err("  " + _("Did you mean {word}? Type it, its number, or a word "
                                  "from the list.").format(word=said))
                    continue
                _err("  " + _("Type a number from 1 to {n}, or a word from the list.")
                     .format(n=len(item.words)))
                continue
            # (said of the prompt's field, not of an option the clerk did not type)
            _err("  " + exc.message.replace(item.option, label))
            if exc.hint:
                _err("  " + exc.hint.replace(item.option, label))


# What a cursor key sends (← ESC [ D, Home ESC [ H or ESC O H, Delete ESC [ 3 ~).
_CURSOR_KEY = re.compile(r"\x1b(?:\[[0-9;]*[A-Za-z~]|O[A-Za-z])")


def _pick(answer: str, item: _Intake) -> str:
    """A word's number in the list shown (full-width digits too; a zero-width space
    pasted with it dropped), else the word."""
    import unicodedata

    from complaintctl.words import INVISIBLE_DROPPED

    assert item.words is not None
    digits = unicodedata.normalize("NFKC", answer.translate(INVISIBLE_DROPPED)).strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= 4 \
            and 1 <= int(digits) <= len(item.words):
        return item.words[int(digits) - 1]
    return parse.choice(answer, item.words, item.option)


def _choices_text(field: str, codes: tuple[str, ...], extra: tuple[Any, ...] = ()) -> str:
    """The words offered, numbered, in the user's language, in columns that fit the
    terminal (CJK labels count two columns each)."""
    import unicodedata

    from complaintctl import i18n, words

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    lang = i18n.lang()
    cells = [f"{i:>2} {words.label(field, code, lang, extra=extra)}"
             for i, code in enumerate(codes, 1)]
    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 80
    cell = max(width(c) for c in cells) + 2
    per_line = max(1, (columns - 2) // cell)
    lines = []
    for at in range(0, len(cells), per_line):
        row = cells[at:at + per_line]
        lines.append("  " + "".join(c + " " * (cell - width(c)) for c in row[:-1]) + row[-1])
    return "\n".join(lines)


def _read_answer(prompt: str) -> str | None:
    """One line typed at the terminal, the prompt on stderr (never stdout, which holds
    only the id). None: the bytes were not UTF-8. The end of input (Ctrl-D) stops the
    command like Ctrl-C: nothing is written."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = _terminal_line()
    if not line:
        raise _interrupted()
    return _decoded(_whole(line))


class _LineCut(Exception):
    """A line the terminal cut at _TERMINAL_LINE bytes: what followed it on that line
    was dropped by the terminal itself (a long description filed 1,365 characters of
    1,900 without a word)."""


def _whole(line: bytes) -> bytes:
    """`line`, unless the terminal cut it (_LineCut)."""
    if len(line) > _TERMINAL_LINE and os.name != "nt":
        raise _LineCut
    return line


def _decoded(line: bytes) -> str | None:
    try:
        return line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None


def _terminal_line() -> bytes:
    """A line from the terminal, read from its descriptor: the terminal hands over a
    line at a time, so the lines pasted after it wait there (_pasted_lines reads them),
    where Python's buffered reader would take them all and answer the next prompts with
    them (a description pasted in three lines filed its last two as the category and
    the severity). b"" at the end of input (Ctrl-D), on an empty line or after text
    typed: the terminal hands that text over without a line break (a line is at most
    _TERMINAL_LINE bytes), and the next read waited for more -- a second Ctrl-D took the
    text as the answer, the next prompt on its line, and only a third stopped."""
    if os.name == "nt":  # a console reads a line at a time itself; no select() on it
        return sys.stdin.buffer.readline()
    fd = sys.stdin.fileno()
    line = b""
    with _utf8_erase(fd):
        while not line.endswith(b"\n"):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            if not chunk.endswith(b"\n") and len(chunk) < _TERMINAL_LINE and os.isatty(fd):
                return b""  # Ctrl-D after text typed
            line += chunk
    return line


# The most a terminal's line holds (Linux's N_TTY_BUF_SIZE, less its line break).
_TERMINAL_LINE = 4095


@contextlib.contextmanager
def _utf8_erase(fd: int) -> Iterator[None]:
    """The terminal's own line editing told that the input is UTF-8 (IUTF8) while a line
    is typed: without it Backspace took one byte of 华 (three), and the answer came
    back as "not valid text". Put back as it was."""
    import termios

    # (Python names it from 3.12; Linux and macOS both give it this value)
    flag = getattr(termios, "IUTF8", 0x4000 if sys.platform in ("linux", "darwin") else 0)
    try:
        attrs = termios.tcgetattr(fd)
    except (termios.error, OSError):  # not a terminal after all
        yield
        return
    if not flag or attrs[0] & flag:
        yield
        return
    changed = list(attrs)
    changed[0] |= flag
    try:
        termios.tcsetattr(fd, termios.TCSANOW, changed)
    except (termios.error, OSError):
        yield
        return
    try:
        yield
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except (termios.error, OSError):
            pass


# How long the lines after one read are waited for to tell a paste (nobody types that
# fast), and how long the rest of a paste is waited for once a line of it is found
# unfinished (it comes in pieces over a remote session: "L2 par", then "tial" 60 ms later,
# was read as two lines, and a character split between two pieces as not UTF-8).
_PASTE_GAP, _PASTE_QUIET = 0.05, 0.25


def _pasted_lines(wait: float = _PASTE_GAP) -> list[str | None]:
    """The lines already waiting at the terminal, or coming within `wait` seconds of each
    other, come with the one just read (a paste of several lines; nobody types ahead of a
    prompt they have not seen)."""
    if os.name == "nt":  # select() takes sockets only there: a paste is not told apart
        return []
    import select

    fd = sys.stdin.fileno()
    lines: list[str | None] = []
    while select.select([fd], [], [], wait)[0]:
        line = _terminal_line()
        if not line:
            break
        lines.append(_decoded(_whole(line)))
    waiting = _edited(_waiting_line(fd))
    if waiting:
        *whole, rest = waiting.split(b"\n")
        lines += [_decoded(_whole(line + b"\n")) for line in whole]
        if rest:  # on the screen without its line break: the next output starts below it
            sys.stderr.write("\n")
            sys.stderr.flush()
            if len(rest) >= _TERMINAL_LINE:  # the terminal's line was full: cut
                raise _LineCut
            lines.append(_decoded(rest))
    return lines


def _edited(held: bytes) -> bytes:
    """Text read with the terminal's line editing off (_waiting_line), edited as the
    terminal would have: Backspace takes back a character, Ctrl-W a word, Ctrl-U the
    line (they came in as bytes, and the text was refused for a control character)."""
    if not any(c in held for c in b"\x7f\x08\x15\x17"):
        return held
    lines: list[str] = [""]
    for ch in held.decode("utf-8", "surrogateescape"):
        if ch == "\n":
            lines.append("")
        elif ch in "\x7f\x08":
            lines[-1] = lines[-1][:-1]
        elif ch == "\x15":
            lines[-1] = ""
        elif ch == "\x17":
            lines[-1] = lines[-1].rstrip()
            lines[-1] = lines[-1][:len(lines[-1]) - len(lines[-1].split(" ")[-1])]
        else:
            lines[-1] += ch
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _waiting_line(fd: int) -> bytes:
    """The text of a line the terminal holds and has not handed over: a paste's last line
    copied without its line break (which answered the next prompt, or went unseen when
    the description was two lines), with whatever of the paste follows it until the
    terminal is quiet for _PASTE_QUIET (whole lines among it). The terminal hands over
    only whole lines while it edits them (ICANON); turned off for a moment, it hands
    over what it holds."""
    import select
    import termios

    try:
        attrs = termios.tcgetattr(fd)
    except (termios.error, OSError):  # not a terminal
        return b""
    if not attrs[3] & termios.ICANON:
        return b""
    now = list(attrs)
    now[3] &= ~termios.ICANON
    now[6] = list(attrs[6])
    now[6][termios.VMIN], now[6][termios.VTIME] = 0, 0  # what is there, without waiting
    held = b""
    try:
        try:  # (set inside: a Ctrl-C just after it still puts the terminal back)
            termios.tcsetattr(fd, termios.TCSANOW, now)
            while select.select([fd], [], [], _PASTE_QUIET if held else 0)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                held += chunk
        finally:
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except (termios.error, OSError):
        pass
    return held


# The record's intake columns, in the order the ledger has always written them.
_LOG_COLUMNS = ("customer", "description", "contact", "channel", "category", "severity",
                "demand", "region", "order_no", "product", "lot", "quantity", "shipped_on")


def _complete(field: str) -> Callable[[str], list[str]]:
    """Shell completion of a word option: the codes that begin with what was typed, or
    the Chinese labels, when that is what was typed. (Run only when the shell asks.)"""

    def complete(incomplete: str) -> list[str]:
        from complaintctl import words

        typed = incomplete.strip().lower()
        table = words.TABLE[field]
        return ([w.code for w in table if w.code.startswith(typed)]
                or [w.zh for w in table if typed and w.zh.startswith(typed)])

    return complete


# Options more than one command declares, each declared once: the intake fields (log,
# amend) and the filters (list, overdue): the same help and completion everywhere.
_CUSTOMER = typer.Option(None, help="customer (company or person)")
_DESCRIPTION = typer.Option(None, help="the customer's words; - reads stdin")
_CONTACT = typer.Option(None, help="phone or e-mail (masked on output)")
_CHANNEL = typer.Option(None, help=", ".join(parse.CHANNELS), autocompletion=_complete("channel"))
_CATEGORY = typer.Option(None, help=", ".join(parse.CATEGORIES),
                         autocompletion=_complete("category"))
_SEVERITY = typer.Option(None, help=", ".join(parse.SEVERITIES),
                         autocompletion=_complete("severity"))
_DEMAND = typer.Option(None, help=", ".join(parse.DEMANDS), autocompletion=_complete("demand"))
_REGION = typer.Option(None, help="sales region (区域)")
_ORDER = typer.Option(None, help="order number")
_PRODUCT = typer.Option(None, help="product model / spec")
_LOT = typer.Option(None, help="lot or serial number")


class _Count(IntParamType):
    """An int as clerks type a count: ５, 5台, 5 pcs, 1,200 (parse.read_count); anything
    else is refused saying how to write it (Click's "'三台' is not a valid int" did not)."""

    name = "count"  # (its help says <count>: <int> read as digits alone, not 5台)

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str):
            try:
                n = parse.read_count(value, max(param.opts, key=len) if param else "")
            except BadInput as exc:  # (a count of thousands of digits: out of range)
                raise _fail(exc) from None
            if n is not None:
                return n
        if isinstance(value, int):
            return value
        self.fail(_("{value} is not a count of units: write it in digits, e.g. 5, 5台 or "
                    "5 pcs (not 五台, nor 5箱: a carton holds any number)").format(
            value=i18n.shown(str(value))), param, ctx)


COUNT = _Count()
_QUANTITY = typer.Option(None, click_type=COUNT, help="defective quantity")
_SHIPPED = typer.Option(None, metavar="DATE", help="ship date")
_DEPT_PART = typer.Option(None, "--dept", help="part of the department")
_OWNER_PART = typer.Option(None, help="part of the owner's name")


def _read_terminal(fd: int) -> bytes:
    """What is typed at a terminal until Ctrl-D, read as the lines come, in Python's own
    steps: Ctrl-C stops it at once. A blocking read waited for ever when the Ctrl-C came
    just after a line: the signal arrived between two reads (CPython's readall looks for
    one only when a read is interrupted), or after the line woke the wait and before the
    read, Ctrl-C having thrown the line away (the read then had nothing to take, and no
    signal to come). So the terminal is read without blocking, between waits that end
    now and then: a signal is seen at the latest when the next one does. Backspace takes
    a whole character (_utf8_erase), as at a prompt."""
    import fcntl
    import select

    chunks: list[bytes] = []
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    with _utf8_erase(fd):
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        try:
            while True:
                if not select.select([fd], [], [], 0.25)[0]:
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:  # (the line taken back by Ctrl-C: its signal next)
                    continue
                if not chunk:  # Ctrl-D at the start of a line
                    return b"".join(chunks)
                chunks.append(chunk)
        finally:  # (the terminal's, shared with the shell: as it was)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags)


def _typed_description() -> str:
    """`--description -`: the text read from stdin to its end (at a terminal, after
    saying how to end it)."""
    terminal = _isatty(sys.stdin)
    if terminal:
        _err(_("Type the description; end it with Ctrl-Z then Enter on a line of its own.")
             if os.name == "nt" else
             _("Type the description; end it with Ctrl-D on a line of its own."))
    text = parse.decoded_text(_read_terminal(sys.stdin.fileno()), "--description") \
        if terminal and os.name != "nt" else parse.stream_text(sys.stdin, "--description")
    if terminal and not text.strip():  # Ctrl-D with nothing typed: stopped, as at a prompt
        # (it was told to type the value after --description, in quotes)
        raise _interrupted()
    if not text.strip():  # a pipe that gave nothing (told to type the value in quotes)
        raise BadInput(_("--description -: nothing came on standard input"),
                       hint=_("pipe the text in, e.g. complaintctl log … --description - < "
                              "FILE, or give it in quotes"), code="empty_value")
    if terminal and os.name != "nt" and any(
            len(line.encode("utf-8")) >= _TERMINAL_LINE for line in text.split("\n")):
        raise BadInput(_("a line of the description was longer than a terminal passes on "
                         "({n} bytes): the rest of it was lost").format(n=f"{_TERMINAL_LINE:,}"),
                       hint=_("type or paste it in shorter lines, or from a file: "
                              "--description - < FILE"), code="line_cut")
    return text


@command(app, "log")
def log_cmd(
    customer: str | None = _CUSTOMER,
    description: str | None = _DESCRIPTION,
    contact: str | None = _CONTACT,
    channel: str | None = _CHANNEL,
    category: str | None = _CATEGORY,
    severity: str | None = _SEVERITY,
    demand: str | None = _DEMAND,
    region: str | None = _REGION,
    order: str | None = _ORDER,
    product: str | None = _PRODUCT,
    lot: str | None = _LOT,
    quantity: int | None = _QUANTITY,
    shipped: str | None = _SHIPPED,
    received: str | None = typer.Option(None, metavar="WHEN",
                                           help="when the customer complained (default now)"),
    no_input: bool = typer.Option(False, "--no-input", help="never prompt; fail instead"),
) -> None:
    """Record a new complaint; prints its id. On a terminal, asks for what is missing."""
    from complaintctl import workflow

    ledger = _open(write=True)
    now = _now()
    # Everything given is checked before anything is asked, a description typed at the
    # terminal (--description -) included: nothing typed is lost.
    given = {"channel": channel, "customer": customer, "contact": contact,
             "product": product, "description": description, "category": category,
             "severity": severity, "demand": demand}
    typed = description == "-"
    intake = _intake(ledger.config.categories, ledger.config.category_words)
    fields: dict[str, Any] = {i.field: i.check(given[i.field]) for i in intake
                              if given[i.field] is not None and not
                              (typed and i.field == "description")}
    fields.update({
        "region": parse.name(region, "--region"),
        "order_no": parse.name(order, "--order"),
        "lot": parse.name(lot, "--lot"),
        "quantity": parse.positive_int(quantity, "--quantity"),
        "shipped_on": parse.past_day(shipped, now=now, tz=ledger.tz, field="--shipped")
        .isoformat() if shipped is not None else None,  # ("" refused, not dropped)
    })
    received_at = _when(ledger, received, "--received")
    workflow.check_time(received_at, now, option="--received", local=ledger.local)
    missing = [i for i in intake if i.required and given[i.field] is None]
    if missing and (no_input or not (_isatty(sys.stdin) and _isatty(sys.stderr))):
        raise BadInput((_("missing {options} (--no-input: nothing is asked)") if no_input else
                        _("missing {options} (no terminal to ask on)")).format(
            options=listing([i.option for i in missing])),
            hint=_("give every one of them as an option") if len(missing) > 1 else
            _("give it as an option, e.g. {option} …").format(option=missing[0].option))
    if typed:
        fields["description"] = next(i for i in intake if i.field == "description").check(
            _typed_description())
        now = _now()
    if missing:
        told = False
        for item in intake:
            if not told and fields.get("customer") and fields.get("product"):
                told = True  # while the customer is on the phone, not after the last prompt
                _tell_repeat(ledger, fields["customer"], fields["product"], received_at)
            if given[item.field] is None:
                fields[item.field] = _ask(item)
        now = _now()  # logged when the clerk is done; received when the call came
    fields = {k: fields.get(k) for k in _LOG_COLUMNS}
    _STATE["id_on_stdout"] = True  # (an interruption once it is written prints its id)
    # (a contact answered at the prompt that holds no number was kept on purpose there:
    # _ask asked for it again first)
    out = complaints.log(ledger, fields, received_at=received_at, now=now, actor=_actor(),
                         contact_kept=given["contact"] is None and bool(fields["contact"]))
    _STATE["written"] = out.id
    for w in out.warnings:
        _warn(w)
    dues = out.data["deadlines"]
    parts = [_("{stage} by {time}").format(stage=i18n.term("stage", k), time=ledger.local(v))
             for k, v in dues.items() if v]
    severity = i18n.term("severity", fields["severity"])
    _say(_("Logged {id} ({severity}); {deadlines}.").format(
        id=out.id, severity=severity, deadlines=_("; ").join(parts)) if parts else
        _("Logged {id} ({severity}); no deadlines for this severity.").format(
            id=out.id, severity=severity))
    for note in out.notes:  # (a deadline passed already: said with the confirmation)
        _say(note)
    _emit(out.id + "\n")
    _STATE.pop("id_on_stdout", None)


def _tell_repeat(ledger: Ledger, customer: str, product: str, received_at: datetime) -> None:
    """At the prompts, once customer and product are in: the earlier complaint this one
    will repeat, said then (the warning came after the last prompt, the call over)."""
    found = complaints.earlier_repeat(ledger, customer, product, received_at)
    if found is not None:
        cid, when, days = found
        _err("  " + _("A repeat: {customer} complained about {product} on {day} ({id}, "
                      "within {days} days); it will be linked.").format(
            customer=customer, product=product, day=ledger.local(when)[:10], id=cid,
            days=days))


# --- lifecycle steps ----------------------------------------------------------------

@command(app, "assign")
def assign_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    dept: str = typer.Option(..., "--dept", help="department that owns it (责任部门)"),
    owner: str = typer.Option(..., help="person responsible (责任人)"),
    note: str | None = typer.Option(None, help="a note kept with the step"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Route a complaint to a department and owner (again to reassign)."""
    ledger = _open(write=True)
    # (the confirmation says them as kept)
    dept, owner = parse.someone(dept, "--dept"), parse.someone(owner, "--owner")
    out = complaints.assign(ledger, complaint_id, dept, owner,
                            parse.text(note, "--note", multiline=True),
                            at=_when(ledger, at), now=_now(), actor=_actor())
    _report_outcome(out, _("{id} is {status}: {dept} / {owner}.").format(
        id=out.id, status=term("status", out.status), dept=dept, owner=owner))


@command(app, "investigate")
def investigate_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    finding: str | None = typer.Option(None, help="what was found"),
    not_upheld: bool = typer.Option(False, "--not-upheld", help="the complaint does not stand"),
    upheld: bool = typer.Option(False, "--upheld", help="the complaint stands (投诉成立)"),
    reason: str | None = typer.Option(None, help="why it is not upheld"),
    cause: str | None = typer.Option(None, help="root cause"),
    cause_category: str | None = typer.Option(None, help=", ".join(parse.CAUSE_CATEGORIES)),
    responsibility: str | None = typer.Option(None, help="company, customer or supplier"),
    supplier: str | None = typer.Option(None, help="supplier name"),
    containment: str | None = typer.Option(None, help="containment action (临时对策)"),
    corrective: str | None = typer.Option(None, help="corrective action"),
    preventive: str | None = typer.Option(None, help="preventive action"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Add to the investigation; a root cause or --not-upheld concludes it."""
    if upheld and not_upheld:
        raise BadInput(_("give --upheld or --not-upheld, not both"))
    ledger = _open(write=True)

    def given(value: str | None, option: str) -> str | None:
        """A text option's value: one typed empty is refused ("nothing to record" when
        alone; dropped without a word beside another)."""
        return parse.text(value, option, multiline=True, required=value is not None)

    data = {
        "finding": given(finding, "--finding"),
        "validity": "not-upheld" if not_upheld else ("upheld" if upheld else None),
        "reason": given(reason, "--reason"),
        "root_cause": parse.not_none(given(cause, "--cause"), "--cause", _(
            "a root cause says what caused it: what was found without one goes in --finding "
            "(or --not-upheld if the complaint does not stand)")),
        "cause_category": parse.choice(cause_category, parse.CAUSE_CATEGORIES,
                                       "--cause-category"),
        "responsibility": parse.choice(responsibility, parse.RESPONSIBILITIES,
                                       "--responsibility"),
        "supplier": parse.not_none(parse.name(supplier, "--supplier",
                                              required=supplier is not None), "--supplier",
                                   _("name the supplier, or leave --supplier out")),
        "containment": given(containment, "--containment"),
        "corrective": given(corrective, "--corrective"),
        "preventive": given(preventive, "--preventive"),
    }
    out = complaints.investigate(ledger, complaint_id, data, at=_when(ledger, at), now=_now(),
                                 actor=_actor(), typed=True)
    # (a not-upheld decision said as one: "investigating; investigation recorded" was all)
    _report_outcome(out, (_("{id} is {status}; judged not upheld: it is resolved with "
                            "--disposition explanation.") if not_upheld else
                          _("{id} is {status}; investigation recorded.")).format(
        id=out.id, status=term("status", out.status)))


@command(action_app, "add")
def action_add_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    text: str = typer.Option(..., help="what is to be done"),
    owner: str = typer.Option(..., help="who does it"),
    due: str = typer.Option(..., metavar="WHEN", help="due date"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Add a CAPA item to a complaint under investigation or resolved."""
    ledger = _open(write=True)
    out = complaints.action_add(ledger, complaint_id, parse.text(text, "--text", multiline=True,
                                                     required=True),
                            parse.someone(owner, "--owner"),
                            parse.parse_due(due, now=_now(), tz=ledger.tz),
                            at=_when(ledger, at), now=_now(),
                            actor=_actor())
    # (its number cannot be printed: the error says it was added, --quiet too)
    _STATE["written"] = _("action {action} of {id}").format(action=out.data["action"],
                                                            id=out.id)
    _report_outcome(out, _("Action {action} added to {id}.").format(
        action=out.data["action"], id=out.id))
    _emit(f"{out.data['action']}\n")


@command(action_app, "done")
def action_done_cmd(
    action: str = typer.Argument(..., metavar="ACTION"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Mark a CAPA item done."""
    ledger = _open(write=True)
    out = complaints.action_done(ledger, parse.action_number(action), at=_when(ledger, at),
                                 now=_now(), actor=_actor())
    _report_outcome(out, _("Action {action} of {id} is done.").format(
        action=out.data["action"], id=out.id))


@command(action_app, "verify")
def action_verify_cmd(
    action: str = typer.Argument(..., metavar="ACTION"),
    note: str | None = typer.Option(None, help="how effectiveness was checked (效果验证)"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Record that a done CAPA item was verified effective."""
    ledger = _open(write=True)
    out = complaints.action_verify(ledger, parse.action_number(action),
                                   parse.text(note, "--note", multiline=True,
                                              required=note is not None),
                               at=_when(ledger, at), now=_now(), actor=_actor())
    _report_outcome(out, _("Action {action} of {id} is verified.").format(
        action=out.data["action"], id=out.id))


@command(action_app, "list")
def action_list_cmd(
    late: bool = typer.Option(False, "--late", help="only those not done by their due date"),
    every: bool = typer.Option(False, "--all", help="verified ones too"),
    owner: str | None = typer.Option(None, help="part of the owner's name"),
    complaint_id: str | None = typer.Option(None, "--complaint", metavar="ID",
                                            help="of this complaint"),
    limit: int | None = typer.Option(None, help="at most N rows (table default 200; 0: all)"),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """CAPA items not verified yet, the soonest due first (--late: past due, not done)."""
    from complaintctl import form

    fmt = _format(fmt)
    if late and every:
        raise BadInput(_("--late and --all ask for different lists"),
                       hint=_("give one of them"), code="late_and_all")
    ledger = _open()
    now = _now()
    most = parse.positive_int(200 if limit is None and fmt == "table" else limit or 0,
                              "--limit", allow_zero=True)
    owner_typed = parse.text_filter(owner, "--owner", a_name=True, actions=True)
    rows = views.action_list(ledger, parse.iso(now), late=late, every=every,
                             owner=owner_typed,
                             complaint_id=parse.text_filter(complaint_id, "--complaint",
                                                            an_id=True))
    total = len(rows)
    if most and total > most:  # the soonest due (as `list`: a table of 200, then a count)
        rows = rows[:most]
    shown = form.action_list_table_rows(rows, ledger.tz) if fmt == "table" else \
        form.action_list_rows(rows)
    title = (_("CAPA items late at {time}") if late else _("CAPA items at {time}")).format(
        time=ledger.local(now))
    _listing(shown, form.ACTION_LIST_TABLE_COLS if fmt == "table" else form.ACTION_LIST_COLS,
             fmt, ledger.tz, title, json_rows=rows,
             empty=_("No CAPA item is late.") if late else _("No CAPA item matches.") if (
                 every or owner is not None or complaint_id is not None) else
             # (one just verified seemed gone: the list leaves the verified out)
             _("No CAPA item waits to be done or verified; those verified are listed with "
               "--all."),
             shrink={"text": 10, "customer": 8, "owner": 6}, drop=("customer", "owner"),
             comfort={"text": 20})  # (the action is what the list is of: at 60 columns
    # it was cut to its first character, with the customer and the owner kept)
    if len(rows) < total:
        _err(_("Showing {shown} of {total}; use --limit 0 for all.").format(
            shown=len(rows), total=total))
    if not rows:
        run.unmatched(ledger, None, owner_typed, actions=True)


@command(app, "resolve")
def resolve_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    disposition: str = typer.Option(..., help=", ".join(parse.DISPOSITIONS)),
    summary: str = typer.Option(..., help="what the customer was told"),
    amount: str | None = typer.Option(None, metavar="DEC", help="money that moves"),
    approved_by: str | None = typer.Option(None, help="who approved (主管批示)"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Record the resolution told to the customer."""
    ledger = _open(write=True)
    out = complaints.resolve(ledger, complaint_id,
                         parse.choice(disposition, parse.DISPOSITIONS, "--disposition"),
                         parse.text(summary, "--summary", multiline=True, required=True),
                         parse.money(amount, currency=ledger.config.currency),
                         # (given empty, "$APPROVER" unset in a script: refused, not a
                         # refund recorded as nobody's approval with a warning)
                         parse.not_none(parse.text(approved_by, "--approved-by",
                                                   required=approved_by is not None),
                                        "--approved-by", _(
                                            "name who approved it, or leave --approved-by "
                                            "out: the amount is then recorded with a "
                                            "warning that nobody approved it")),
                         at=_when(ledger, at), now=_now(), actor=_actor(), typed=True)
    _report_outcome(out, _("{id} is {status}; revisit the customer next.").format(
        id=out.id, status=term("status", out.status)))


@command(app, "revisit")
def revisit_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    satisfaction: str = typer.Option(..., help="satisfied, basically-satisfied or unsatisfied"),
    method: str | None = typer.Option(None, help="phone, visit, email or letter"),
    demand_met: bool | None = typer.Option(None, "--demand-met/--demand-not-met",
                                              help="was the customer's demand met"),
    note: str | None = typer.Option(None, help="the customer's words"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Record the call-back (回访); unsatisfied reopens the complaint."""
    ledger = _open(write=True)
    out = complaints.revisit(ledger, complaint_id,
                         parse.choice(satisfaction, parse.SATISFACTIONS, "--satisfaction"),
                         parse.choice(method, parse.REVISIT_METHODS, "--method"), demand_met,
                         parse.text(note, "--note", multiline=True),
                         at=_when(ledger, at), now=_now(), actor=_actor())
    _report_outcome(out, _("{id} is {status}.").format(id=out.id,
                                                       status=term("status", out.status)))


@command(app, "close")
def close_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    no_revisit: bool = typer.Option(False, "--no-revisit", help="close without a revisit"),
    reason: str | None = typer.Option(None, help="why there is no revisit"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Close a resolved complaint without a revisit (a revisit closes it otherwise)."""
    if not no_revisit:  # (a complaint that cannot close now says why first: the hint
        # below sends it to a revisit or a close its state refuses)
        complaints.check_allowed(_open(), complaint_id, "close")
        raise BadInput(_("close needs --no-revisit"),
                       hint=_("a revisit closes a complaint: complaintctl revisit {id} "
                              "--satisfaction satisfied; without one: complaintctl close {id} "
                              "--no-revisit --reason TEXT").format(
                                  id=parse.record_key(complaint_id)))
    ledger = _open(write=True)
    out = complaints.close_no_revisit(ledger, complaint_id,
                                      _why(reason) or "",
                                      at=_when(ledger, at), now=_now(), actor=_actor())
    _report_outcome(out, _("{id} is {status}.").format(id=out.id,
                                                       status=term("status", out.status)))


@command(app, "void")
def void_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    reason: str | None = typer.Option(None, help="why it was logged by mistake"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Void a complaint logged by mistake (it stays in the ledger)."""
    ledger = _open(write=True)
    out = complaints.void(ledger, complaint_id,
                          _why(reason) or "",
                          at=_when(ledger, at), now=_now(), actor=_actor())
    _report_outcome(out, _("{id} is {status}.").format(id=out.id,
                                                       status=term("status", out.status)))


@command(app, "amend")
def amend_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    reason: str | None = typer.Option(None, help="why the record is corrected"),
    customer: str | None = _CUSTOMER,
    contact: str | None = _CONTACT,
    channel: str | None = _CHANNEL,
    region: str | None = _REGION,
    order: str | None = _ORDER,
    product: str | None = _PRODUCT,
    lot: str | None = _LOT,
    quantity: int | None = _QUANTITY,
    shipped: str | None = _SHIPPED,
    category: str | None = _CATEGORY,
    severity: str | None = _SEVERITY,
    demand: str | None = _DEMAND,
    description: str | None = _DESCRIPTION,
    received: str | None = typer.Option(None, metavar="WHEN",
                                           help="when the customer complained"),
    clear: list[str] | None = typer.Option(
        None, "--clear", metavar="FIELD",
        help="empty an optional field filled in by mistake: region, order, lot, quantity, "
        "shipped or demand (again for another)"),
) -> None:
    """Correct intake fields; old and new values go into the history."""
    ledger = _open(write=True)
    now = _now()

    def given(value: str | None, option: str) -> str | None:
        """An option given empty corrects nothing: said so (it was "no field was given")."""
        try:
            return None if value is None else parse.name(value, option, required=True)
        except BadInput as exc:
            _emptied_how(exc, option, complaint_id)
            raise

    if contact is not None and not contact.strip():
        raise BadInput(_("--contact must not be empty"),
                       hint=_("to erase a contact for good: complaintctl forget-contact {id} "
                              "--reason TEXT").format(id=complaint_id),
                       code="empty_contact")
    changes = {
        "customer": given(customer, "--customer"),
        "contact": given(contact, "--contact"),
        "channel": parse.choice(channel, parse.CHANNELS, "--channel"),
        "region": given(region, "--region"),
        "order_no": given(order, "--order"),
        "product": given(product, "--product"),
        "lot": given(lot, "--lot"),
        "quantity": parse.positive_int(quantity, "--quantity"),
        "shipped_on": parse.past_day(parse.text(shipped, "--shipped", required=True), now=now,
                                     tz=ledger.tz, field="--shipped").isoformat()
        if shipped is not None else None,
        "category": parse.choice(category, ledger.config.categories, "--category",
                                 extra=ledger.config.category_words),
        "severity": parse.choice(severity, parse.SEVERITIES, "--severity"),
        "demand": _amended_demand(demand, complaint_id),
        "description": None if description in (None, "-") else
        parse.text(description, "--description", multiline=True, required=True),
        "received_at": parse.iso(_when(ledger, parse.text(received, "--received",
                                                          required=True), "--received"))
        if received is not None else None,
    }
    fields = [complaints.clearable(f) for f in clear or ()]
    reason_text = _why(reason) or ""
    if description == "-":  # read once every other option is checked: nothing typed is lost
        from complaintctl import workflow

        workflow.check_reason("amend", reason_text)
        complaints.check_amendable(ledger, complaint_id)
        changes["description"] = parse.text(_typed_description(), "--description",
                                            multiline=True, required=True)
        now = _now()  # amended when the clerk is done typing
    out = complaints.amend(ledger, complaint_id, changes, reason_text, now=now,
                           actor=_actor(), clear=fields)
    _report_outcome(out, _("{id} amended.").format(id=out.id))


def _first_ids(ids: Sequence[str]) -> str:
    """The first 20 ids of a list named in a sentence, "…" after them if there are more."""
    return listing(list(ids[:20])) + (" …" if len(ids) > 20 else "")


def _attachments_named(files: Sequence[tuple[int, str]]) -> str:
    """Attachments named in a sentence by number and name (#3 客户邮件.eml, as stored:
    evidence.display_name's), the first 20."""
    return _first_ids([f"#{number} {name}" for number, name in files])


@command(app, "forget-contact")
def forget_contact_cmd(
    complaint_id: str = typer.Argument(..., metavar="ID"),
    reason: str | None = typer.Option(None, help="the request (who asked, when, how)"),
) -> None:
    """Erase a complaint's contact for good, on the person's request (PIPL / GDPR)."""
    ledger = _open(write=True)
    # (stopped once the erasure is in, before its old bytes were written over in the
    # file: that it must run again, as the README says)
    _STATE["recorded_said"] = _(
        "Interrupted after the contact was erased from its record, perhaps before its old "
        "bytes were written over in the ledger file: run the same command again to make "
        "sure (it records nothing more).")
    try:
        out = complaints.forget_contact(ledger, complaint_id,
                                        _why(reason) or "",
                                        now=_now(), actor=_actor())
    except NotFound as exc:
        if exc.code != "a_return":
            raise
        # (a return has no contact: its complaint's is the one; "a return's own steps:
        # complaintctl return --help" led away from it)
        raise NotFound(exc.message, hint=_(
            "a return keeps no contact: its complaint's is erased with complaintctl "
            "forget-contact {complaint} --reason TEXT").format(
                complaint=exc.params["complaint"]), code="a_return", record=complaint_id,
            complaint=exc.params["complaint"]) from None
    if out.data.get("again"):  # erased before: only what became of its old copy
        for line in out.warnings:
            _warn(line)
        for line in out.notes:
            _say(line)
        return
    written, others, elsewhere = out.data["written"], out.data["others"], out.data["elsewhere"]
    attached, unsearched = out.data["attached"], out.data["unsearched"]
    if unsearched:  # a photo or PDF of a letter, which may show it
        out.warnings.insert(0, ngettext(
            "attachment {files} of {id} could not be searched as text (a photo, a PDF, an "
            "Office file, text in another encoding, a file over 64 MB): if it holds the "
            "contact, it stays there, as attached",
            "{count} attachments of {id} could not be searched as text (photos, PDFs, "
            "Office files, text in another encoding, files over 64 MB: {files}): any that "
            "holds the contact keeps it, as attached",
            len(unsearched)).format(count=len(unsearched), id=out.id,
                                    files=_attachments_named(unsearched)))
    if attached:  # an e-mail attached whole: nothing attached is ever changed
        out.warnings.insert(0, ngettext(
            "the erased contact is also in attachment {files} of {id}: nothing attached is "
            "ever changed, so it stays there",
            "the erased contact is also in {count} attachments of {id} ({files}): nothing "
            "attached is ever changed, so it stays there",
            len(attached)).format(count=len(attached), id=out.id,
                                  files=_attachments_named(attached)))
    if elsewhere:  # another complaint's description or note holding the number
        out.warnings.insert(0, ngettext(
            "the erased contact is also written in the texts of {count} other complaint ({ids}): "
            "the history is never changed, so it stays there",
            "the erased contact is also written in the texts of {count} other complaints "
            "({ids}): the history is never changed, so it stays there",
            len(elsewhere)).format(count=len(elsewhere), ids=_first_ids(elsewhere)))
    if others:  # the same person's contact in other complaints: an erasure is for a person
        out.warnings.insert(0, ngettext(
            "the same contact is the contact of another complaint too ({ids}): erase it "
            "there as well if the request covers it (complaintctl forget-contact ID)",
            "the same contact is the contact of {count} other complaints too ({ids}): erase "
            "it there as well if the request covers them (complaintctl forget-contact ID)",
            len(others)).format(count=len(others), ids=_first_ids(others)))
    if written:  # the steps whose text still holds it, by their names in show's history
        from complaintctl.form import STEP_NAMES

        steps = listing([f"{_(STEP_NAMES.get(kind, kind))} "
                         f"{ledger.local(parse.from_iso(at))[:16]}" for kind, at in written])
        out.warnings.insert(0, ngettext(
            "the erased contact is also written in the text of a step of {id} ({steps}): "
            "the history is never changed, so it stays there",
            "the erased contact is also written in the text of {count} steps of {id} "
            "({steps}): the history is never changed, so it stays there",
            len(written)).format(id=out.id, count=len(written), steps=steps))
    _report_outcome(out, (_(
        "{id}: contact erased from its record; the texts and files the warnings name keep "
        "it. Backups and exports made before keep it too: make them again (complaintctl "
        "backup, export) and delete the old copies.")
        if written or elsewhere or attached or unsearched else _(
        "{id}: contact erased; its history keeps only that there was one. Backups and "
        "exports made before keep it: make them again (complaintctl backup, export) and "
        "delete the old copies.")).format(id=out.id))


# --- communication log and evidence --------------------------------------------------

@command(app, "note")
def note_cmd(
    record_id: str = typer.Argument(..., metavar="ID", help="a complaint or a return"),
    text: str = typer.Option(..., "--text", help="what was said or done (沟通记录)"),
    kind: str = typer.Option("phone", "--kind", show_default=False,  # (said in its help,
                             # as a word the reader's language has: [default: phone] in zh)
                             help="phone (the default), email, visit, letter, or internal "
                             "(not a contact with the customer)"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Add a dated entry to the communication log of a complaint or return."""
    from complaintctl import evidence

    word = parse.choice(kind, parse.NOTE_KINDS, "--kind") or "phone"
    body = parse.text(text, "--text", multiline=True, required=True) or ""
    ledger = _open(write=True)
    out = evidence.note(ledger, record_id, body, word, at=_when(ledger, at), now=_now(),
                        actor=_actor())
    _say(_("Note {note} ({kind}) added to {id}.").format(note=out.data["note"],
                                                        kind=term("method", word), id=out.id))


@command(app, "attach")
def attach_cmd(
    record_id: str = typer.Argument(..., metavar="ID", help="a complaint or a return"),
    files: list[str] = typer.Argument(..., metavar="FILE...",
                                       help="files to store in the ledger (photos, "
                                       "receipts, repair records)"),
    note: str | None = typer.Option(None, help="what the files show"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Store files in the ledger as evidence (凭证); prints each attachment's number."""
    from complaintctl import evidence

    body = parse.text(note, "--note", multiline=True)
    ledger = _open(write=True)
    for f in files:  # (read while it is open, and closed: its locks would go with it)
        _not_the_ledger(f, ledger, _("FILE"), _("attach evidence, not the ledger"),
                        database_ok=True)
    # (interrupted once they are in, before their numbers are known: where to see them)
    _STATE["recorded_said"] = _("Interrupted after the files were attached: they are in the "
                                "ledger (see them with complaintctl attachment list "
                                "{id}).").format(id=record_id.strip())
    out = evidence.attach_all(ledger, record_id, [(Path(f), None) for f in files], body,
                              at=_when(ledger, at), now=_now(), actor=_actor())
    _STATE["written"] = _("attachment {numbers} of {id}").format(
        numbers=", ".join(str(a["id"]) for a in out.data["attachments"]), id=out.id)
    for a in out.data["attachments"]:
        again = "" if a["stored"] else (
            _("; same content as attachment {number}, stored once").format(
                number=a["same_as"]) if a["same_as"] else _("; same content stored once"))
        _say(_("Attached {name} to {id} as {number} ({size}, {type}, sha256 {sha}{again}).")
             .format(name=a["name"], id=out.id, number=a["id"],
                     size=render.size_text(a["size"]), type=a["type"] or _("unknown type"),
                     sha=a["sha256"][:12], again=again))
    _emit("".join(f"{a['id']}\n" for a in out.data["attachments"]))


@command(attachment_app, "get")
def attachment_get_cmd(
    attachment: str = typer.Argument(..., metavar="ATT", help="attachment number"),
    output: str = typer.Option(..., "--output", metavar="PATH",
                               help="file to write (0600; replaced whole)"),
) -> None:
    """Write an attachment's bytes out to a file, checked against its sha256."""
    from complaintctl import evidence

    number = evidence.attachment_number(attachment)
    ledger = _open()
    _not_the_ledger(output, ledger, hint=_("write the attachment to another file"))
    info = evidence.attachment_info(ledger, number)
    _write_atomically(output, evidence.read_attachment(ledger, info))
    _say(_("Wrote {output}: attachment {number} {name} of {id} ({size}, sha256 {sha}).")
         .format(output=output, number=info["id"], name=info["name"],
                 id=info["return_id"] or info["complaint_id"],
                 size=render.size_text(info["size"]), sha=info["sha256"][:12]))


@command(attachment_app, "list")
def attachment_list_cmd(
    record_id: str = typer.Argument(..., metavar="ID", help="a complaint or a return"),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """The attachments of a complaint (its returns' too) or of a return."""
    fmt = _format(fmt)
    ledger = _open()
    rows = views.attachment_list(ledger, record_id)
    shown = render.attachment_rows(rows)
    cols = render.ATTACHMENT_CSV_COLS if fmt == "csv" else \
        render.without_empty_return(shown, render.ATTACHMENT_COLS)  # (csv: its size was
    # "25.0 MB", its hash 12 digits: no file to check against)
    _listing(shown, cols, fmt, ledger.tz,
             _("Attachments of {id}").format(id=parse.record_key(record_id)), json_rows=rows,
             empty=_("No attachments."), shrink={"name": 8, "note": 6},
             drop=("sha256_short", "actor"), comfort={"name": 24})  # (the name is what a
    # clerk looks for: its hash and who attached it go before it is cut below 24)


# --- reading -----------------------------------------------------------------

@command(app, "show")
def show_cmd(
    record_id: str | None = typer.Argument(None, metavar="ID",
                                           help="a complaint or a return (or --ref KEY)"),
    ref: str | None = typer.Option(None, "--ref", metavar="KEY",
                                   help="the complaint imported with this register id"),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
    reveal: bool = typer.Option(False, "--reveal", help="show contact details unmasked"),
) -> None:
    """The whole record with its deadlines and history."""
    from complaintctl import form

    fmt = _format(fmt)
    if record_id is not None and ref is not None:
        raise BadInput(_("give an ID or --ref KEY, not both"), code="id_and_ref")
    if record_id is None and ref is None:
        raise BadInput(_("give an ID or --ref KEY"), code="id_or_ref")
    ledger = _open()
    tz, as_of = ledger.tz, parse.iso(_now())
    if record_id is None:
        record_id = views.by_ref(ledger, parse.text(ref, "--ref", required=True))
    if views.is_return_id(ledger, record_id):
        r = views.return_show(ledger, record_id)
        if fmt == "json":
            _emit(render.to_json(r))
            return
        _print_record(form.return_title(r),
                      form.return_sections(r, tz, as_of, plain=fmt == "csv"), fmt, tz)
        return
    rec = views.show(ledger, record_id, reveal=reveal)
    if fmt == "json":
        _emit(render.to_json(rec))
        return
    render.use_words("category", ledger.config.category_words)
    _print_record(form.complaint_title(rec),
                  form.complaint_sections(rec, tz, as_of, plain=fmt == "csv"), fmt, tz)


def _print_record(title: str, sections: Sequence[render.Section], fmt: str, tz: tzinfo) -> None:
    """A complaint or return in sections: csv (section, field, value), markdown or Rich."""
    if fmt == "csv":
        _emit(render.record_csv(sections, tz))
    elif fmt == "markdown":
        _emit(render.record_markdown(title, sections, tz))
    else:
        _print_rich(*render.record_rich(title, sections, tz, _width()))


@command(app, "list")
def list_cmd(
    status: str | None = typer.Option(None, help="logged, assigned, investigating, "
                                         "resolved, closed, void, or open"),
    dept: str | None = _DEPT_PART,
    owner: str | None = _OWNER_PART,
    customer: str | None = typer.Option(None, help="part of the customer's name"),
    product: str | None = typer.Option(None, help="part of the product"),
    category: str | None = _CATEGORY,
    severity: str | None = _SEVERITY,
    since: str | None = typer.Option(None, metavar="DATE", help="received on or after"),
    until: str | None = typer.Option(None, metavar="DATE", help="received on or before"),
    limit: int | None = typer.Option(None, help="at most N rows (table default 200; 0: all)"),
    ref: str | None = typer.Option(None, "--ref", metavar="KEY",
                                   help="imported with this register id (exactly)"),
    contact: str | None = typer.Option(None, help="the same phone number or e-mail address, "
                                       "however written (shown masked)"),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """Complaints matching the filters, newest first."""
    from complaintctl.workflow import STATES

    fmt = _format(fmt)
    status_w = parse.choice(status, (*STATES, "open"), "--status",
                            extra=(words.STATUS_OPEN,))
    ledger = _open()
    now, tz = _now(), ledger.tz
    since_dt = until_dt = None
    if since is not None:  # (one given empty is refused: a script's unset $START listed
        # the whole ledger)
        since_dt = datetime.combine(parse.parse_day(since, now=now, tz=tz, field="--since"),
                                    datetime.min.time(), tz)
    if until is not None:
        until_dt = datetime.combine(parse.parse_day(until, now=now, tz=tz, field="--until")
                                    + timedelta(days=1), datetime.min.time(), tz)
    if since_dt and until_dt:  # as report and export say, rather than "No complaints match."
        _in_order(since_dt.date(), (until_dt - timedelta(days=1)).date())
    if limit is None:
        limit = 200 if fmt == "table" else 0
    texts = {"department": parse.text_filter(dept, "--dept", a_name=True),
             "owner": parse.text_filter(owner, "--owner", a_name=True),
             "customer": parse.text_filter(customer, "--customer", a_name=True),
             "product": parse.text_filter(product, "--product", a_name=True)}
    category_w = parse.choice(category, ledger.config.categories, "--category",
                              extra=ledger.config.category_words)
    severity_w = parse.choice(severity, parse.SEVERITIES, "--severity")
    # (a person's complaints, by number)
    person = parse.text_filter(contact, "--contact", whole=True)
    listing = views.list_stream(
        ledger, status=status_w, department=texts["department"], owner=texts["owner"],
        customer=texts["customer"], product=texts["product"], category=category_w,
        severity=severity_w, since=since_dt, until=until_dt,
        limit=parse.positive_int(limit, "--limit", allow_zero=True),
        ref=parse.text_filter(ref, "--ref"), ids=None if person is None else
        complaints.with_contact(ledger, person))
    render.use_words("category", ledger.config.category_words)
    # the title says the filters, the words as read (处理中 is investigating: a table
    # of 90 read as every open complaint), as overdue's does
    only = run.filters_said(
        list(texts.items()),
        first=[*([_("{field} {word}").format(field=_("status"), word=words.label(
            "status", status_w, i18n.lang(), extra=(words.STATUS_OPEN,)))] if status_w else []),
               *([_("{field} {word}").format(field=_("category"), word=words.label(
                   "category", category_w, i18n.lang(), extra=ledger.config.category_words))]
                 if category_w else []),
               *([_("{field} {word}").format(field=_("severity"), word=i18n.term(
                   "severity", severity_w))] if severity_w else []),
               *([_("contact {masked}").format(masked=parse.mask(person))] if person else [])],
        last=[*([_("received on or after {day}").format(day=since_dt.date().isoformat())]
                if since_dt else []),
              *([_("received on or before {day}").format(
                  day=(until_dt - timedelta(days=1)).date().isoformat())] if until_dt else [])])
    title = _("Complaints (only {filters})").format(filters=only) if only else _("Complaints")
    if fmt in ("csv", "json"):  # streamed from the cursor: flat memory, any length
        batches = listing.batches(render.STREAM_BATCH)
        with contextlib.closing(batches):  # a reader gone early ends the snapshot now
            _emit_chunks(render.csv_stream(batches, render.LIST_CSV_COLS, tz) if fmt == "csv"
                         else render.json_stream(batches, views.LIST_COLUMNS))
    elif fmt == "markdown":  # streamed too
        batches = listing.batches(render.STREAM_BATCH)
        with contextlib.closing(batches):
            _markdown_stream(batches, views.LIST_COLUMNS, render.LIST_CSV_COLS, tz,
                             title, _("No complaints match."))
    else:
        rows = listing.dicts()
        if rows:  # one line per complaint, in the terminal's width
            _print_rich(render.list_table(rows, tz, _width(), title))
        else:
            _listing(rows, render.LIST_COLS, fmt, tz, title,
                     empty=_("No complaints match."))
    _shown_of(listing)
    if person is not None and not listing.shown and not complaints.whole_contact(person):
        _warn(_("--contact {value} is no whole phone number (seven digits or more), e-mail "
                "address or account id: a part of one finds nobody").format(
            value=i18n.shown(parse.mask(person))))
    if not listing.shown:
        run.unmatched(ledger, parse.text_filter(dept, "--dept", a_name=True),
                      parse.text_filter(owner, "--owner", a_name=True),
                      customer=parse.text_filter(customer, "--customer", a_name=True))


def _markdown_stream(batches: Iterator[Sequence[Sequence[Any]]], keys: Sequence[str],
                     cols: Sequence[render.Col], tz: tzinfo, title: str, empty: str) -> None:
    """A listing's batches of columns as a markdown table, a batch at a time; `empty`
    when there are none."""
    first = next(batches, None)
    if first is None:
        run.said_empty(empty, markdown=True)
    else:
        _emit_chunks(render.markdown_stream(itertools.chain((first,), batches), keys, cols,
                                            tz, title))


def _money_shown(batches: Iterator[list[list[Any]]], keys: Sequence[str]
                 ) -> Iterator[list[list[Any]]]:
    """A returns listing's batches of columns with its costs as amounts are shown (their
    thousands grouped, the currency with them), as markdown has them everywhere else."""
    currency = keys.index("currency")
    costs = [keys.index(k) for k in ("cost_of_loss", "repair_cost")]
    for batch in batches:
        for i in costs:
            batch[i] = [None if v is None else i18n.money(v, c)
                        for v, c in zip(batch[i], batch[currency], strict=True)]
        yield batch


def _as_listed(batches: Iterator[list[list[Any]]], keys: Sequence[str], now: str,
               tz: tzinfo) -> Iterator[list[list[Any]]]:
    """A returns listing's batches of columns with two more, its count check and its
    deadline as the table says them (render.return_listing_row: short 1, … late)."""
    for batch in batches:
        rows = [render.return_listing_row(dict(zip(keys, values, strict=True)), now, tz)
                for values in zip(*batch, strict=True)]
        yield [*batch, [r["flag"] for r in rows], [r["due_shown"] for r in rows]]


def _shown_of(listing: views.Listing | views.ReturnListing) -> None:
    """How many a listing cut short by --limit showed, of how many (or more than); with
    --quiet too: cron's mail of a table cut short must say so."""
    count = listing.count
    if count is not None and count.more:
        _err(_("Showing {shown} of more than {total}; use --limit 0 for all.").format(
            shown=listing.shown, total=count.total))
    elif count is not None and listing.shown < count.total:
        _err(_("Showing {shown} of {total}; use --limit 0 for all.").format(
            shown=listing.shown, total=count.total))


@command(app, "overdue")
def overdue_cmd(
    as_of: str | None = typer.Option(None, "--as-of", metavar="WHEN",
                                        help="evaluate at another instant (default now)"),
    dept: str | None = _DEPT_PART,
    owner: str | None = _OWNER_PART,
    severity: str | None = _SEVERITY,
    customer: str | None = typer.Option(None, help="part of the customer's name"),
    limit: int | None = typer.Option(None, help="show the N most late (0: all); unless "
                                     "told, the table shows 50 and other formats every one"),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """Every stage past its deadline, most late first, with whom it escalates to."""
    run.overdue(as_of=as_of, dept=dept, owner=owner, severity=severity, customer=customer,
                limit=limit, fmt=fmt)


# --- returned goods ----------------------------------------------------------------

@overload
def _count(value: int, option: str, *, zero: bool = ...) -> int: ...
@overload
def _count(value: int | None, option: str, *, zero: bool = ...) -> int | None: ...


def _count(value: int | None, option: str, *, zero: bool = False) -> int | None:
    """A count of returned units as typed: in range, and above 0 (with `zero`, 0 or
    more), checked before the return is looked up (returns.count)."""
    from complaintctl import returns

    value = parse.quantity(value, option)
    return None if value is None else returns.count(value, option, zero=zero)


@command(return_app, "open")
def return_open_cmd(
    complaint_id: str = typer.Argument(..., metavar="COMPLAINT"),
    qty: int = typer.Option(..., "--qty", click_type=COUNT, help="quantity authorised for return"),
    product: str | None = typer.Option(None, help="default: the complaint's product"),
    lot: str | None = typer.Option(None, help="default: the complaint's lot"),
    reason: str | None = typer.Option(None, help="why the goods come back"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Authorise a return against an open complaint; prints its RMA id."""
    ledger = _open(write=True)
    out = rma.return_open(ledger, complaint_id, _count(qty, "--qty"),
                          parse.name(product, "--product"),
                             parse.name(lot, "--lot"),
                             parse.text(reason, "--reason", multiline=True),
                             at=_when(ledger, at), now=_now(), actor=_actor())
    _STATE["written"] = out.id
    for w in out.warnings:  # (the calendar's too: they went unsaid)
        _warn(w)
    _say(_("Return {id} authorised for {qty} on {complaint}.").format(
        id=out.id, qty=qty, complaint=out.data["complaint_id"]))
    _emit(out.id + "\n")


@command(return_app, "receive")
def return_receive_cmd(
    return_id: str = typer.Argument(..., metavar="RMA"),
    qty: int = typer.Option(..., "--qty", click_type=COUNT,
                             help="quantity counted at the warehouse"),
    note: str | None = typer.Option(None, help="a note kept with the step"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Record goods counted in (partial receipts add up)."""
    ledger = _open(write=True)
    out = rma.return_receive(ledger, return_id, _count(qty, "--qty"),
                             parse.text(note, "--note", multiline=True),
                                at=_when(ledger, at), now=_now(), actor=_actor())
    _report_outcome(out, _("{id} is {stage}: {qty} received.").format(
        id=out.id, stage=term("return_stage", out.status), qty=out.data["received_qty"]))


@command(return_app, "correct")
def return_correct_cmd(
    return_id: str = typer.Argument(..., metavar="RMA"),
    received: int = typer.Option(..., "--received", click_type=COUNT,
                                 help="the quantity that was received in all"),
    reason: str | None = typer.Option(None, help="why the count was wrong (kept in the "
                                      "history)"),
    at: str | None = typer.Option(None, metavar="WHEN", help="when the goods it restates "
                                  "came (default: the return's latest receipt)"),
) -> None:
    """Correct the received count of a return (a count typed wrong)."""
    ledger = _open(write=True)
    out = rma.return_correct(ledger, return_id, _count(received, "--received", zero=True),
                             _why(reason),
                             at=None if at is None else _when(ledger, at), now=_now(),
                             actor=_actor())
    if not out.data["changed"]:
        _say(_("{id} has {qty} received already: nothing recorded.").format(
            id=out.id, qty=out.data["received_qty"]))
        return
    _report_outcome(out, _("{id} is {stage}: received corrected from {was} to {qty}.").format(
        id=out.id, stage=term("return_stage", out.status), was=out.data["was"],
        qty=out.data["received_qty"]))


@command(return_app, "inspect")
def return_inspect_cmd(
    return_id: str = typer.Argument(..., metavar="RMA"),
    result: str = typer.Option(..., help=", ".join(parse.INSPECTION_RESULTS)),
    defective: int | None = typer.Option(None, click_type=COUNT,
                                         help="defective quantity found (0 when no defect "
                                         "was found)"),
    cause: str | None = typer.Option(None, help="the cause the inspection found"),
    note: str | None = typer.Option(None, help="a note kept with the step"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Record the inspection of the received goods."""
    ledger = _open(write=True)
    out = rma.return_inspect(ledger, return_id,
                                parse.choice(result, parse.INSPECTION_RESULTS, "--result"),
                                _count(defective, "--defective", zero=True),
                                parse.text(cause, "--cause", multiline=True),
                                parse.text(note, "--note", multiline=True),
                                at=_when(ledger, at), now=_now(), actor=_actor())
    if not out.data["changed"]:  # the inspection it holds already: only that is said
        for line in out.notes:
            _say(line)
        return
    _report_outcome(out, _("{id} is {stage}.").format(id=out.id,
                                                      stage=term("return_stage", out.status)))


@command(return_app, "dispose")
def return_dispose_cmd(
    return_id: str = typer.Argument(..., metavar="RMA"),
    action: str = typer.Option(..., help=", ".join(parse.RETURN_ACTIONS)),
    qty: int = typer.Option(..., "--qty", click_type=COUNT, help="how many received units"),
    cost: str | None = typer.Option(None, metavar="AMOUNT", help="cost of loss"),
    repair_cost: str | None = typer.Option(None, metavar="AMOUNT", help="cost of the repair"),
    note: str | None = typer.Option(None, help="a note kept with the step"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Give received units a disposition (repeat to split the quantity)."""
    ledger = _open(write=True)
    code = ledger.config.currency
    action = parse.choice(action, parse.RETURN_ACTIONS, "--action")
    out = rma.return_dispose(ledger, return_id, action,
                                _count(qty, "--qty"),
                                parse.money(cost, "--cost", currency=code),
                                parse.money(repair_cost, "--repair-cost", currency=code),
                                parse.text(note, "--note", multiline=True),
                                at=_when(ledger, at), now=_now(), actor=_actor())
    left = out.data["left"]
    # what was just disposed of, and what is left (it said "RMA-… is inspected"); the
    # disposition by its label, as the close line and show name it ("2 to
    # return-to-customer" gave the code)
    _report_outcome(out, (ngettext(
        "{id}: {qty} to {action}; {left} received unit still without a disposition.",
        "{id}: {qty} to {action}; {left} received units still without a disposition.", left)
        if left else _("{id}: {qty} to {action}; every received unit has a disposition.")
    ).format(id=out.id, qty=qty, action=render.label("return_action", action), left=left))


@command(return_app, "close")
def return_close_cmd(
    return_id: str = typer.Argument(..., metavar="RMA"),
    at: str | None = typer.Option(None, metavar="WHEN", help=AT_HELP),
) -> None:
    """Close a return once every received unit has a disposition."""
    ledger = _open(write=True)
    out = rma.return_close(ledger, return_id, at=_when(ledger, at), now=_now(), actor=_actor())
    r = views.return_show(ledger, out.id)
    # labels, as show and return list name them (return to supplier, not its code)
    split = listing([f"{render.label('return_action', k)} {v}"
                     for k, v in r["dispositions"].items()]) or _("nothing received")
    _say(_("{id} closed: authorised {authorised}, received {received}, disposed {disposed} "
           "({split}); cost of loss {loss}, repair cost {repair}.")
         .format(id=r["id"], authorised=r["authorised_qty"], received=r["received_qty"],
                 disposed=r["disposed_qty"], split=split,
                 loss=i18n.money(r["cost_of_loss"], r["currency"]),
                 repair=i18n.money(r["repair_cost"], r["currency"])))


@command(return_app, "list")
def return_list_cmd(
    open_only: bool = typer.Option(False, "--open", help="only returns not closed"),
    complaint: str | None = typer.Option(None, "--complaint", metavar="ID",
                                         help="only the returns of this complaint"),
    limit: int | None = typer.Option(None, help="at most N rows (table default 200; 0: all)"),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """Returns with their stage, quantities, deadline and costs, the newest opened first."""
    fmt = _format(fmt)
    ledger = _open()
    if limit is None:
        limit = 200 if fmt == "table" else 0
    listing = views.return_stream(ledger, open_only=open_only,
                                  complaint_id=parse.text_filter(complaint, "--complaint",
                                                                 an_id=True),
                                  limit=parse.positive_int(limit, "--limit", allow_zero=True))
    tz = ledger.tz
    if fmt == "table":
        # on a narrow terminal the costs, the complaint and the count check go before the
        # deadline (render.RETURN_DROP), and a long stage's name is cut before it is
        now = parse.iso(_now())
        _listing([render.return_listing_row(r, now, tz) for r in listing.dicts()],
                 render.RETURN_COLS, fmt, tz, _("Returns"), empty=_("No returns match."),
                 shrink=render.RETURN_SHRINK, drop=render.RETURN_DROP,
                 styles=render.ESCALATION_STYLES, comfort=render.RETURN_COMFORT)
    else:  # streamed from the cursor: flat memory, any length
        batches = listing.batches(render.STREAM_BATCH)
        keys = [c.key for c in render.RETURN_CSV_COLS] if fmt == "csv" else \
            views.RETURN_JSON_KEYS
        columns = ([[r[k] for r in batch] for k in keys] for batch in batches)
        with contextlib.closing(batches):  # a reader gone early ends the snapshot now
            if fmt == "csv":
                _emit_chunks(render.csv_stream(columns, render.RETURN_CSV_COLS, tz))
            elif fmt == "json":
                _emit_chunks(render.json_stream(columns, keys))
            else:  # amounts, the count check and the deadline as on the screen
                # (12,500.50 CNY, ¥12,500.50; short 1; 2026-12-03 11:00 late)
                _markdown_stream(_as_listed(_money_shown(columns, keys), keys,
                                            parse.iso(_now()), tz),
                                 [*keys, "flag", "due_shown"], render.RETURN_MD_COLS, tz,
                                 _("Returns"), _("No returns match."))
    _shown_of(listing)


# --- reports ------------------------------------------------------------------


def _in_order(first: date, last: date) -> None:
    """--since before --until (the same day is a one-day period)."""
    if last < first:
        raise BadInput(_("--until is before --since"),
                       hint=_("swap them: --since {first} --until {last}").format(
                           first=last.isoformat(), last=first.isoformat()))

_MAX_TREND = 120  # periods of a trend, at most (ten years of months)


@command(app, "report")
def report_cmd(
    when: str | None = typer.Argument(None, metavar="[DATE|YYYY-MM]",
                                      help="with --week: a day of the week; with --month: "
                                      "the month (default: the last complete one)"),
    week: bool = typer.Option(False, "--week", help="the ISO week (Monday to Sunday)"),
    month: bool = typer.Option(False, "--month", help="the calendar month"),
    since: str | None = typer.Option(None, metavar="DATE", help="first day"),
    until: str | None = typer.Option(None, metavar="DATE", help="last day (inclusive)"),
    as_of: str | None = typer.Option(None, "--as-of", metavar="WHEN",
                                     help="count only what happened up to this instant"),
    register: bool | None = typer.Option(None, "--register/--no-register",
                                         help="the register, one line per complaint "
                                         "(default: for periods of up to 31 days)"),
    fmt: str = typer.Option("table", "--format", help="table, json, csv, markdown or xlsx "
                            "(a workbook, with --output FILE.xlsx)"),
    section: str | None = typer.Option(None, help="csv/markdown: only this section (summary, "
                                       "by_category, ..., returns, register, trend)"),
    output: str | None = typer.Option(None, "--output", metavar="FILE",
                                      help="write to FILE (atomically) instead of stdout"),
    trend_n: int | None = typer.Option(None, "--trend", metavar="N",
                                       help="add the N periods ending with this one (default: "
                                       "12 for xlsx, none otherwise; 0: none)"),
) -> None:
    """Weekly and monthly summaries, returns and the register of a period."""
    from complaintctl import reports

    named = _REPORT_SUFFIXES.get(Path(output).suffix.lower()) if output else None
    if fmt == "table" and named:  # the file's name says which, as export reads it
        fmt = named
    fmt = parse.choice(fmt, (*parse.FORMATS, "xlsx"), "--format")
    if fmt != "table":
        _named_for(output, fmt, _REPORT_SUFFIXES)
    if fmt == "xlsx" and not output:
        raise BadInput(_("a workbook is written to a file"),
                       hint=_("give --output FILE.xlsx"), code="xlsx_needs_output")
    if fmt == "xlsx" and section is not None:
        raise BadInput(_("--section goes with csv or markdown"),
                       hint=_("a workbook holds every section, one sheet each"))
    if trend_n is not None and not 0 <= trend_n <= _MAX_TREND:
        raise BadInput(_("--trend {value} is not between 0 and {most}").format(
            value=trend_n, most=_MAX_TREND),
            hint=_("how many periods to show beside it, the report's the last, e.g. "
                   "--trend 12; 0 for none"),
            code="bad_trend", value=trend_n)
    periods = (12 if fmt == "xlsx" else 0) if trend_n is None else trend_n
    if when is not None and not (week or month):
        raise BadInput(_("unexpected {value}: a date goes with --week, a month with "
                         "--month").format(value=i18n.shown(when)))
    given = [name for name, on in (("--week", week), ("--month", month),
                                   ("--since/--until", since is not None or until is not None))
             if on]
    if len(given) > 1:  # (two periods were told "give one of", as none was)
        raise BadInput(_("{periods} given: a report is of one period").format(
            periods=i18n.listing(given)), hint=_(
                "give one of --week [DATE], --month [YYYY-MM], or --since DATE --until DATE"),
            code="two_periods")
    if not given:
        raise BadInput(_("give one of --week [DATE], --month [YYYY-MM], or --since DATE "
                         "--until DATE"))
    section = parse.choice(section, render.REPORT_SECTIONS, "--section", field="report_section")
    if fmt in ("table", "json") and section is not None:  # it was ignored, the whole shown
        raise BadInput(_("--section goes with csv or markdown"),
                       hint=_("e.g. --format csv --section {name}").format(name=section))
    if section == "register":  # asked for by name: whatever the period's length
        if register is False:
            raise BadInput(_("--section register and --no-register ask for opposites"),
                           hint=_("leave out --no-register"))
        register = True
    ledger = _open()
    now, tz = _now(), ledger.tz
    as_of_dt = now if as_of is None else _when(ledger, as_of, "--as-of")
    from complaintctl.workflow import FUTURE_GRACE

    if as_of_dt > now + FUTURE_GRACE:  # it was stamped on the report as its instant
        raise BadInput(_("--as-of {time} is in the future").format(time=ledger.local(as_of_dt)),
                       hint=_("a report covers what has happened: leave --as-of out for "
                              "now"), code="as_of_in_future")
    today = as_of_dt.astimezone(tz).date()
    # (a period given empty, `--month "$MONTH"` with MONTH unset, is refused: it reported
    # last month without a word)
    if week:
        period = (reports.week_of(parse.parse_day(when, now=now, tz=tz, field="--week"))
                  if when is not None else reports.last_complete_week(today))
    elif month:
        period = (reports.month_of(*parse.parse_month(when, tz=tz, today=today))
                  if when is not None else reports.last_complete_month(today))
    else:
        if since is None or until is None:
            raise BadInput(_("--since and --until go together"),
                           hint=_("give both, e.g. --since 2026-01-01 --until 2026-06-30; or "
                                  "--month 2026-06"))
        first = parse.parse_day(since, now=now, tz=tz, field="--since")
        last = parse.parse_day(until, now=now, tz=tz, field="--until")
        _in_order(first, last)
        period = reports.between(first, last)
    real_today = now.astimezone(tz).date()
    if period.first > real_today:  # a mistyped year: nothing in it has happened yet
        raise BadInput(_("the period from {first} has not begun: today is {today}").format(
            first=period.first.isoformat(), today=real_today.isoformat()),
            hint=_("a report covers what has happened: give a period that starts by "
                   "today"), code="period_in_future")
    if today < period.first:  # nothing of it had happened then: every figure 0, or -100 %
        raise BadInput(_("--as-of {time} is before the period, which begins {first}").format(
            time=ledger.local(as_of_dt, seconds=True), first=period.first.isoformat()),
            hint=_("a report as of an instant covers a period begun by then: give a later "
                   "--as-of, or an earlier period"), code="as_of_before_period")
    if output is not None:  # before the work; a folder is said as one, whatever the format
        _not_the_ledger(output, ledger)
        _output_target(output, report=True)
        if output.lower().endswith((".xls", ".et")):  # (WPS's names: whatever --format,
            # a file of another kind would be named as a workbook Excel cannot read)
            raise BadInput(_("{path}: complaintctl writes workbooks as .xlsx, not .xls or "
                             ".et (Excel 2007 and later, WPS open it)").format(path=output),
                           hint=_("name it {name}").format(
                               name=output.rsplit(".", 1)[0] + ".xlsx"), code="old_workbook")
        if fmt == "table":
            raise BadInput(_("a table is for the terminal"),
                           hint=_("write a file with --format markdown, csv or json, or name "
                                  "it .md, .csv, .json or .xlsx"), code="table_to_file")
    from complaintctl.reports import Report

    with ledger.read():
        rep = Report(ledger.conn, tz, period, as_of_dt, ledger.config.currency,
                     register=register).build()
        if periods:
            from complaintctl import trend

            rep["trend"] = trend.series(ledger.conn, tz, period, periods, as_of_dt)
    earliest = views.first_received(ledger)
    if earliest is not None and ledger.local(parse.from_iso(earliest))[:10] > \
            period.last.isoformat():  # (printed with --quiet too) a year mistyped in cron's
        # --month mailed a report of zeros every month
        _warn(_("the period ends before the ledger's first complaint (received {first}): "
                "check the dates of the period").format(
                    first=ledger.local(parse.from_iso(earliest))))
    render.use_words("category", ledger.config.category_words)
    if section == "trend" and "trend" not in rep:
        raise BadInput(_("--section trend needs --trend N"))
    if fmt == "xlsx":
        from complaintctl import workbook

        assert output is not None
        _write_atomically(output, workbook.chunks(rep, tz, ledger.config.currency))
        _say(_("Wrote {output} ({period}).").format(output=output,
                                                    period=render.period_label(rep["period"])))
        return
    # a section cut short names the command that lists it all: this ledger (by its whole
    # path: the mail's reader is not in cron's folder, nor has cron's COMPLAINTCTL_DB),
    # this instant, this language
    again = ((f" --db {shlex.quote(str(Path(ledger.path).absolute()))}"
              if _STATE["db"] or os.environ.get("COMPLAINTCTL_DB", "").strip() else "")
             + (f" --lang {_STATE['lang']}" if _STATE.get("lang") else ""),
             f" --as-of {shlex.quote(as_of)}" if as_of else "")
    if fmt == "json":
        text = render.to_json(rep)
    elif fmt == "csv":
        text = render.report_csv(rep, tz, section)
    elif fmt == "markdown":
        text = render.report_markdown(rep, tz, section, again)
    else:  # (an empty period says so in the table: once, on stdout)
        _print_rich(*render.report_rich(rep, tz, _width(), again))
        return
    if output:
        _write_atomically(output, text)
        _say(_("Wrote {output} ({period}).").format(output=output,
                                                    period=render.period_label(rep["period"])))
    else:
        _emit(text)


@command(app, "verify")
def verify_cmd(
    head: str | None = typer.Option(None, "--head", metavar="HASH",
                                    help="a chain head recorded earlier (a report's "
                                    "chain_head): it must still be in the chain"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """Check the ledger: SQLite integrity, the events' hash chain, the records and
    settings against their events, the tallies. Exit 0 when all holds, 1 if not."""
    from complaintctl import audit
    from complaintctl.errors import VerifyFailed

    fmt = parse.choice(fmt, ("table", "json"), "--format")
    if head is not None:
        head = head.strip().lower()
        if len(head) != 64 or any(ch not in "0123456789abcdef" for ch in head):
            raise BadInput(_("--head {value} is not a chain head (64 hex digits)").format(
                value=i18n.shown(head)),
                hint=_("copy the 64 hex digits after 'Chain head: event #N' under a report "
                       "(chain_head.hash in its JSON), or from verify's OK line"),
                code="bad_head", value=head)
    try:
        result = audit.verify(_open(), head=head)
    except ComplaintctlError as exc:
        if fmt == "json":  # a monitor reading the JSON got nothing where verify found
            # the worst (a damaged file, no ledger at the path, a folder): said in it too
            _emit(render.to_json(render.verify_json(audit.unreadable(
                str(exc.params.get("why") or exc.params.get("detail") or exc.message),
                exc.code))))
        raise
    problems = result["problems"]
    try:
        if fmt == "json":
            _emit(render.to_json(render.verify_json(result)))
        elif problems:  # (on a narrow terminal a block per problem; lines for cron and grep)
            _emit_text(render.verify_lines(problems, _width() if _isatty(sys.stdout) else None))
        elif not _STATE["quiet"]:  # cron mails only real trouble
            _emit_text(render.verify_ok(result, _width() if _isatty(sys.stdout) else None))
    except run.Exit as gone:  # the reader went away (`verify | head`): what was found still
        if not problems or gone.code != 0:  # says so, exit 1 (a monitor reads the code)
            raise
    if result["unrecorded"] and not any(p["kind"] == "chain" for p in problems):
        # (with the history broken, what no event records may be what was taken out of it)
        _say(_("Note: {count} deadlines or settings were set before events recorded them (an "
               "upgraded ledger): not checked.").format(count=result["unrecorded"]))
    if result["before_chain"]:  # what OK does not cover (a note, as the deadlines': it
        # stays true of the ledger, and cron mails only what changes)
        _say(ngettext(
            "Note: {count} complaint has steps recorded before the hash chain (an upgraded "
            "ledger): its record is not compared with them, and the chain over those "
            "events is the one the upgrade worked out from them as it found them",
            "Note: {count} complaints have steps recorded before the hash chain (an upgraded "
            "ledger): their records are not compared with them, and the chain over those "
            "events is the one the upgrade worked out from them as it found them",
            result["before_chain"]).format(count=result["before_chain"]))
    if problems:
        missing = any(p["kind"] == "head" for p in problems)
        found = ngettext("{count} problem found", "{count} problems found",
                         len(problems)).format(count=len(problems))
        only_head = missing and len(problems) == 1
        said = _("chain head {head} is not in the ledger's history; {found}")
        if result["head_found"] is not None:  # there, but a link before it is broken
            said = _("chain head {head} is there, but the history up to it was changed; "
                     "{found}")
        raise VerifyFailed(said.format(head=head, found=found) if missing else found,
                           hint=_("check the head was copied from this ledger's report or "
                                  "verify, and that this is the ledger itself, not a copy "
                                  "taken without its -wal or an older backup; if so, the "
                                  "history before it was rewritten: compare with a backup "
                                  "of that time") if only_head else
                           _("each line names what differs: stored, and what the events "
                             "say it should be; the history itself was changed too (the "
                             "chain lines), so what an event changed says may be the change, "
                             "not the record: compare with a backup from before it")
                           if any(p["kind"] == "chain" for p in problems) else
                           _("each line names what differs: stored, and what the "
                             "events say it should be"), code="verify_failed",
                           problems=len(problems))


# The complaints `import --void-batch` names with the steps typed on them, at most.
_TYPED_LISTED = 10

# report --output FILE without --format: the format its name says.
_REPORT_SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "markdown",
                    ".markdown": "markdown"}
_EXPORT_SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".jsonl": "jsonl"}


def _named_for(output: str | None, fmt: str, suffixes: dict[str, str]) -> None:
    """A --format the --output file's name contradicts is refused (CSV text in a file
    named .xlsx, which Excel will not open)."""
    named = suffixes.get(Path(output).suffix.lower()) if output else None
    if named is not None and named != fmt:
        raise BadInput(_("--output {path} is named for {named}, not {format}").format(
            path=output, named=named, format=fmt),
            hint=_("name it for the format, or leave --format out: the name says it"),
            code="output_name_format")


def _same_file(one: Path, other: Path) -> bool:
    """Whether two paths name the same file (a hard link): by its device and inode."""
    try:
        return os.path.samefile(one, other)
    except OSError:  # (either not there: not the same)
        return False


def _not_the_ledger(output: str, ledger: Ledger | Path, name: str = "--output",
                    hint: str | None = None, *, inputs: Sequence[str | Path] = (),
                    database_ok: bool = False) -> None:
    """An output file is never the ledger or one of SQLite's files beside it, nor a
    file the command reads (`inputs`), nor (unless `database_ok`: a backup replaces an
    earlier one) any other SQLite database, another ledger perhaps; an empty name is
    refused. `name` is the option or argument that gave it, as the error says it."""
    from complaintctl.store import SIDE_SUFFIXES, SQLITE_HEADER, ledger_files

    if not str(output).strip():  # (a script's unset $OUT: "write the report to another
        # file" did not say what was wrong; a name of spaces alone wrote a file that
        # showed as nothing)
        raise BadInput(_("{option} must not be empty").format(option=name),
                       hint=_("give the path of the file to write"), code="output_empty")
    path = ledger.path if isinstance(ledger, Ledger) else ledger
    try:
        target = Path(output).expanduser().resolve()
    except RuntimeError:  # ~name of an unknown user: the writer says so
        return
    # (the ledger's own name: a --db that is a symlink named the link's -wal, and
    # --output real.db-wal overwrote the ledger's latest writes)
    files = ledger_files(Path(path).resolve())
    if target == files[0] or _same_file(target, files[0]):  # (and the link's own names,
        # for a reader that keeps them; a hard link to it, another name of the same file:
        # attached, the ledger held a copy of itself, contacts and all)
        raise BadInput(_("{option} {path} is the ledger itself").format(option=name,
                                                                        path=output),
                       hint=hint or _("write the report to another file"),
                       code="output_is_ledger", path=output)
    if any(target in (f, side.resolve())  # its -wal, -shm, -journal
           for f, side in zip(files[1:], ledger_files(Path(path))[1:], strict=True)):
        raise BadInput(_("{option} {path} is the ledger's {file} file (SQLite keeps its "
                         "latest writes or its locks there)").format(
            option=name, path=output, file="-" + target.name.rsplit("-", 1)[-1]),
            hint=hint or _("write the report to another file"),
            code="output_is_ledger", path=output)
    side = next((x for x in SIDE_SUFFIXES if target.name.endswith(x)), None)
    if side is not None and os.path.lexists(target.with_name(target.name[:-len(side)])):
        # (another database's: an export over a ledger's -wal threw away the steps it
        # held, and verify said OK; over its -journal, every command on it was refused)
        raise BadInput(_("{option} {path} is the {file} file SQLite keeps beside {database}: "
                         "written over, that database would lose what it holds").format(
            option=name, path=output, file=side,
            database=target.name[:-len(side)]), hint=hint or _(
                "write the report to another file"), code="output_is_ledger", path=output)
    if any(target == Path(f).expanduser().resolve() for f in inputs):
        raise BadInput(_("{option} {path} is a file this command reads").format(
            option=name, path=output), hint=hint or _("write the report to another file"),
            code="output_is_input", path=output)
    if not database_ok:
        try:  # a regular file only: opening a pipe to look would wait for a writer
            database = stat.S_ISREG(os.stat(target).st_mode)
            if database:
                with open(target, "rb") as fh:
                    database = fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
        except OSError:  # not there, or unreadable: the writer says what it is
            database = False
        if database:
            raise BadInput(_("{option} {path} is an SQLite database (another ledger?); "
                             "complaintctl does not write over one").format(
                option=name, path=output), hint=hint or _("write the report to another file"),
                code="output_is_database", path=output)


def _cannot_write(output: str, reason: str, option: str = "--output",
                  full: bool = False, disk: bool = False, denied: bool = False,
                  too_large: bool = False) -> ComplaintctlError:
    """A file complaintctl cannot write: bad input (exit 2) when the name is wrong (a
    folder, no such folder, a device); the system's refusal (the disk full, read-only or
    failing: `disk`; no permission there: `denied`; exit 1 as stdout onto a full disk
    and a ledger this user may not write) is no mistake of the command line."""
    cls = ComplaintctlError if disk or full or denied else BadInput
    return cls(_("cannot write {path}: {reason}").format(path=output, reason=reason),
               # (a file that met this process's limit on a file's size, ulimit -f: EFBIG;
               # a full disk under a generous limit is told to free space)
               hint=_("raise the limit on a file's size ({size} bytes here: ulimit -f "
                      "unlimited; cron's or systemd's LimitFSIZE), or free some space on "
                      "that disk, then run it again").format(size=f"{limit:,}")
               if too_large and (limit := i18n.file_size_limit()) is not None else
               _("free some space on that disk (or write to another), then run "
                 "it again") if full else
               _("give {option} a file on another disk, or have this one made writable "
                 "or repaired").format(option=option) if disk else
               _("give {option} a file in a folder that exists and you may write "
                 "to").format(option=option), code="cannot_write", path=output)


def _not_dash(output: str, report: bool = False) -> None:
    """`-` is no file complaintctl writes: it would be a file of that name."""
    if output == "-":
        raise BadInput(_("cannot write {path}: '-' would be a file of that name, not the "
                         "terminal").format(path=output),
                       hint=_("give a file name; to see a report on the terminal, leave out "
                              "--output") if report else _("give a file name"),
                       code="output_dash", path=output)


def _output_target(output: str, option: str = "--output", report: bool = False) -> Path:
    """The file `output` names, if complaintctl may write it there: not "-", a folder,
    a device or a pipe; in a folder that exists and this user may write in. Checked
    before the work that writes it (an import commits before its rejects are written).
    `report`: one the terminal shows without --output (the others need a file)."""
    def cannot(reason: str) -> ComplaintctlError:
        return _cannot_write(output, reason, option)

    _not_dash(output, report)
    parse.path_of_one_line(output, option)
    try:
        path = Path(output).expanduser()
        try:  # what it is, through any link (/dev/stdout is a link to a pipe or a terminal)
            mode = os.stat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            mode = None
        if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise cannot(_("it is not a regular file (a device, a pipe or a socket): it is "
                           "left as it is"))
        if mode is not None and stat.S_ISREG(mode) and _a_stream_of_ours(path):
            raise BadInput(_("cannot write {path}: it is the file this command's output "
                             "goes to (/dev/stdout, /dev/stderr or the same file): it would "
                             "be replaced, what was written there lost").format(path=output),
                           hint=_("to print a report there, leave out --output; else give "
                                  "{option} a file of its own").format(option=option)
                           if report else _("give {option} a file of its own").format(
                               option=option), code="output_is_a_stream", path=output)
        if path.is_symlink():  # the file it points to is replaced, the link kept
            path = path.resolve()
    except (RuntimeError, OSError) as exc:  # ~name of an unknown user, a loop of links
        raise _cannot_write(output, i18n.os_reason(exc), option, denied=i18n.denied(exc)
                            ) from None
    if path.is_dir():
        raise cannot(_("it is a folder"))
    if output.endswith("/"):  # a folder's name (the path drops the slash): not there
        raise cannot(_("folder {folder} does not exist").format(folder=output))
    if path.exists() and not path.is_file():  # a device (/dev/stdout), a pipe, a socket
        raise cannot(_("it is not a regular file (a device, a pipe or a socket): it is "
                       "left as it is"))
    folder = path.parent
    if not folder.is_dir():
        raise cannot((_("folder {folder} is not a folder") if folder.exists()
                      else _("folder {folder} does not exist")).format(folder=folder))
    if store.read_only_disk(folder):  # (access() says only "no")
        raise _cannot_write(output, i18n.os_reason(OSError(errno.EROFS, "")), option,
                            disk=True)
    if not os.access(folder, os.W_OK | os.X_OK):  # (the system's refusal: exit 1)
        raise _cannot_write(output, i18n.os_reason(PermissionError(errno.EACCES, "")),
                            option, denied=True)
    return path


def _a_stream_of_ours(path: Path) -> bool:
    """Whether `path` is the very file this process's standard output or error is
    (`--output /dev/stdout >> cron.log`, or `--output cron.log >> cron.log`): the
    rename over it replaced the file the shell appends to, with all that was in it."""
    try:
        found = os.stat(path)
    except OSError:
        return False
    for fd in (1, 2):  # (stdin's file replaced loses nothing: its reader holds the old)
        try:
            open_ = os.fstat(fd)
        except (OSError, ValueError):
            continue
        if (open_.st_dev, open_.st_ino) == (found.st_dev, found.st_ino):
            return True
    return False


def _write_atomically(output: str, content: str | Iterable[bytes],
                      option: str = "--output") -> None:
    """Temp file (0600) in the same folder, then rename: a reader never sees half a
    file. A symbolic link is followed (the file it names is replaced, the link kept);
    anything at the path that is not a regular file (a device such as /dev/stdout, a
    pipe) is refused rather than replaced, and so is "-". `content`: text (UTF-8), or
    bytes streamed a chunk at a time. A failure names the user's path, never the
    temporary file's, and leaves nothing behind."""
    import tempfile

    from complaintctl.archive import OUTPUT_PARTIAL, PARTIAL, STALE_OUTPUT, stale_removed

    def cannot(reason: str, exc: BaseException | None = None) -> ComplaintctlError:
        return _cannot_write(output, reason, option, exc is not None and i18n.disk_full(exc),
                             exc is not None and i18n.disk_refused(exc),
                             exc is not None and i18n.denied(exc),
                             exc is not None and i18n.too_large(exc))

    path = _output_target(output, option)
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=PARTIAL, suffix=OUTPUT_PARTIAL, dir=folder)
    except (OSError, ValueError) as exc:  # no permission, a NUL in the name, ...
        raise cannot(i18n.os_reason(exc), exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(content, str):
                fh.write(content.encode("utf-8"))
            else:
                for chunk in content:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        run.reads_whole()  # (a file of two moments does not take the place of one)
        os.replace(tmp, path)
        # what a write killed outright left in the folder (its name, archive.PARTIAL's:
        # a user's own .report.csv.20261130 is not one), said as a backup says it (an
        # export's with --reveal holds every contact in clear)
        removed = stale_removed(folder, STALE_OUTPUT.match, os.stat(path).st_mtime)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        close = getattr(content, "close", None)
        if close is not None:  # a generator reading the ledger: done with it now, while
            close()  # the ledger is open (not later, when it is collected)
        if isinstance(exc, OSError):  # a folder of that name, the disk full, ...
            raise cannot(i18n.os_reason(exc), exc) from None
        raise
    for name in removed:
        _say(_("Removed {name}: a partial file a killed write had left.").format(name=name))
    if "complaintctl.sheets" in sys.modules:  # (a workbook's, in the temporary folder)
        from complaintctl import sheets

        for name in sheets.REMOVED:
            _say(_("Removed {name}: the working folder of a killed workbook write (its "
                   "sheets).").format(name=name))
        sheets.REMOVED.clear()


def _problem_lines(problems: Sequence[Any]) -> list[str]:
    """The refused rows' lines (importer.Problem.line), a problem many rows share said
    once with its rows (a mapping's missing date was said for each of 120 rows, an
    unknown word for each of its 25), in the order of their first rows; the rejects file
    keeps every row."""
    groups: dict[tuple[str | None, str], list[Any]] = {}
    for p in problems:
        groups.setdefault((p.column, p.message), []).append(p)
    lines: list[tuple[int, str]] = []  # (the first row, the line), in the rows' order
    for (column, message), group in groups.items():
        if len(group) < _SAID_ONCE:
            lines += [(p.row, p.line()) for p in group]
            continue
        lines.append((group[0].row, (
            _("rows {rows} ({n} rows): {message}") if column is None else
            _("rows {rows} ({n} rows), column {column}: {message}")).format(
                rows=i18n.row_ranges([p.row for p in group]), n=f"{len(group):,}",
                column=column, message=message)))
    return [line for _row, line in sorted(lines, key=lambda x: x[0])]


# How many rows with the same problem are said on one line (_problem_lines).
_SAID_ONCE = 4


_EXPORT_FORMATS = ("csv", "xlsx", "jsonl")


@command(app, "import")
def import_cmd(
    file: str | None = typer.Argument(None, metavar="FILE",
                                      help="the register: .csv, .xlsx or .xls"),
    mapping: str | None = typer.Option(None, "--mapping", metavar="MAP.toml",
                                       help="the mapping (a TOML file), or a shipped one "
                                       "by name: complaintctl"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check everything, say what "
                                 "would happen, write nothing"),
    sheet: str | None = typer.Option(None, "--sheet", metavar="SHEET",
                                     help="XLSX: the sheet (default the first)"),
    encoding: str | None = typer.Option(None, "--encoding", metavar="ENC",
                                        help="CSV: the encoding (default: UTF-8, GBK or "
                                        "Big5, found by reading)"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="import the good rows; write "
                                  "the refused ones to --rejects"),
    rejects: str | None = typer.Option(None, "--rejects", metavar="PATH",
                                       help="with --skip-bad: the refused rows and why "
                                       "(default FILE.rejects.csv here; 0600)"),
    template: bool = typer.Option(False, "--template", help="print a starter mapping "
                                  "guessed from FILE's header row"),
    void_batch: int | None = typer.Option(None, "--void-batch", metavar="ID",
                                          help="void every complaint an import brought in"),
    reason: str | None = typer.Option(None, "--reason", help="with --void-batch: why"),
    list_batches: bool = typer.Option(False, "--batches", help="list the import batches: "
                                      "file, who, when, counts, voided"),
    fmt: str = typer.Option("table", "--format", help="with --batches: " + FORMAT_HELP),
) -> None:
    """Bring an old register (Excel or CSV) in through a column mapping; again, to add
    what happened since; or void a wrong import whole."""
    from complaintctl import importer, readers
    from complaintctl import mapping as mappings

    fmt = _format(fmt)
    if list_batches:
        if file is not None or mapping is not None or template or void_batch is not None \
                or dry_run or skip_bad or sheet is not None or encoding is not None \
                or rejects is not None or reason is not None:
            raise BadInput(_("--batches lists the batches: it takes no FILE nor any other "
                             "option but --format"), code="batches_alone")
        from complaintctl import form

        ledger = _open()
        rows = list(importer.batches(ledger))
        if fmt == "table":  # which sheet of a workbook, after its name (登记表.xlsx: 2025年)
            rows = [{**r, "file": f"{r['file']}: {r['sheet']}" if r["sheet"] else r["file"]}
                    for r in rows]
        _listing(rows, form.BATCH_TABLE_COLS if fmt == "table" else form.BATCH_COLS, fmt,
                 ledger.tz, _("Import batches"), empty=_("Nothing was imported yet."),
                 shrink={"file": 10, "void_reason": 8, "actor": 6},
                 # (the file kept before these: which register a batch was is what one
                 # reads before --void-batch; it went first of all at 60 columns)
                 # (and whether a batch is voided before what it counted: a voided one,
                 # out of every report, looked live at 50 columns)
                 drop=("void_reason", "unchanged", "updated", "actor", "conflicts",
                       "refused", "rows", "at", "voided_at"))
        return
    if fmt != "table":
        raise BadInput(_("--format is for --batches"),
                       hint=_("list the batches with: complaintctl import --batches --format "
                              "{format}").format(format=fmt), code="format_without_batches")
    if void_batch is not None:
        if file is not None or mapping is not None or template:
            raise BadInput(_("--void-batch takes no FILE, --mapping or --template"),
                           code="void_batch_alone")
        text = parse.text(reason, "--reason")
        if text is None:
            raise BadInput(_("--void-batch needs --reason (why the import was wrong)"),
                           code="reason_required")
        ledger = _open(write=True)
        done = importer.void_batch(ledger, void_batch, text, now=_now(), actor=_actor(),
                                   dry_run=dry_run)
        count = len(done.ids)
        said = (ngettext("Dry run, nothing written: {count} complaint of import batch {batch} "
                         "would be voided.",
                         "Dry run, nothing written: {count} complaints of import batch "
                         "{batch} would be voided.", count) if dry_run else
                ngettext("Voided {count} complaint of import batch {batch}.",
                         "Voided {count} complaints of import batch {batch}.", count)).format(
            count=f"{count:,}", batch=void_batch)
        if done.void_already:  # (the report's count of the batch holds them too)
            said += ("" if i18n.lang() == "zh" else " ") + ngettext(  # (no space after 。)
                "{n} more of it was void already.", "{n} more of it were void already.",
                done.void_already).format(n=f"{done.void_already:,}")
        _say(said)
        if not dry_run:
            _say(_("Every report leaves the batch out, whatever its period; import the "
                   "register again once it is right."))
        for w in complaints.relink_notes(done.relinked):  # as `void` says them
            _warn(w)
        steps, on = done.typed
        if steps:  # work typed since the import, which the reports leave out with the batch
            from complaintctl.form import STEP_NAMES

            # which, by complaint (a count alone gave the clerk nothing to act on)
            shown_on = [cid + i18n.aside(listing(list(dict.fromkeys(
                _(STEP_NAMES.get(k, k)) for k in kinds))))
                for cid, kinds in done.typed_on[:_TYPED_LISTED]]
            if len(done.typed_on) > _TYPED_LISTED:
                shown_on.append("…")
            _warn(ngettext(
                "{steps} step typed on {n} of its complaints since the import goes out of "
                "the reports with the batch: type it again on the complaint imported anew: "
                "{which}",
                "{steps} steps typed on {n} of its complaints since the import go out of "
                "the reports with the batch: type them again on the complaints imported "
                "anew: {which}", steps).format(
                    steps=f"{steps:,}", n=f"{on:,}", which=i18n.phrases(shown_on)
                    if i18n.lang() == "zh" else "; ".join(shown_on)))
        if done.kept:
            _warn(ngettext(
                "the new steps batch {batch} gave {count} complaint of an earlier import stay, "
                "and count in the reports (a step is never undone): to undo them too, void "
                "that earlier batch as well and import the right register again",
                "the new steps batch {batch} gave {count} complaints of earlier imports stay, "
                "and count in the reports (a step is never undone): to undo them too, void "
                "those earlier batches as well and import the right register again",
                done.kept).format(batch=void_batch, count=f"{done.kept:,}"))
        return
    if file is None:
        raise BadInput(_("give the register FILE (or --void-batch ID)"), code="no_file")
    path = Path(file).expanduser()
    if template:
        # the ledger's country, where there is one, settles a file that reads as GBK and
        # as Big5 alike (CN: GBK); without a ledger such a file is asked about
        try:
            region = _open().config.settings.get("country")
        except ComplaintctlError:
            region = None
        table = readers.open_table(path, sheet=sheet, encoding=encoding, region=region)
        _emit(mappings.template(table.header, path.name, table.rows))
        return
    if mapping is None:
        raise BadInput(_("give --mapping MAP.toml"),
                       hint=_("start one with: complaintctl import {file} --template > "
                              "map.toml").format(file=i18n.shell_word(file)),
                       code="no_mapping")
    if rejects is not None and not skip_bad:
        raise BadInput(_("--rejects goes with --skip-bad"), code="rejects_without_skip")
    the_map = mappings.load(mapping)
    # A dry run runs the import in a transaction it rolls back: it needs the write lock.
    ledger = _open(write=True)
    _not_the_ledger(str(path), ledger, _("FILE"), _("import a register, not the ledger"),
                    database_ok=True)  # read, not written: the reader says what it is
    render.use_words("category", ledger.config.category_words)  # (a dry run's words)
    rejects_path = (rejects or readers.default_rejects(path, sheet)) if skip_bad else None
    if rejects_path is not None:  # before the import: it is committed when they are written
        _output_target(rejects_path, "--rejects")
        _not_the_ledger(rejects_path, ledger, "--rejects",
                        _("write the rejects to another file"), inputs=(path, mapping))
    # opened before the import starts (a file it cannot read is refused at once), and
    # again if the import reads it twice (the import settles by the ledger's country an
    # encoding only that decides)
    opened = [readers.open_table(path, sheet=sheet, encoding=encoding)]

    def reopen() -> readers.Table:
        return opened.pop() if opened else readers.open_table(path, sheet=sheet,
                                                              encoding=encoding)

    with _progress() as bar:
        def progress(n: int) -> None:
            if bar is not None:
                if not bar.tasks:
                    bar.add(_("Importing {file}").format(file=path.name), None)
                bar.advance(n)

        recorded = _STATE["recorded_said"] = _(
            "Interrupted after the import was recorded: it is in the ledger (see it with "
            "complaintctl import --batches).")

        def told(n: int, of: int) -> None:  # (the new steps of complaints held before, a
            # transaction each after the import's: cut short, the clerk is told to finish)
            _STATE["recorded_said"] = recorded if n >= of else _(
                "Interrupted after the import was recorded, while it gave complaints held "
                "before their new steps: {n} of {of} had them (see it with complaintctl "
                "import --batches). Import the file again to give the rest theirs.").format(
                n=f"{n:,}", of=f"{of:,}")

        result = importer.run(ledger, path, reopen, the_map, now=_now(), actor=_actor(),
                              dry_run=dry_run, skip_bad=skip_bad, progress=progress,
                              told=None if dry_run else told)
    def on_sheet(line: str) -> str:  # (a workbook of one sheet a year has a row 2 on each)
        return _("sheet {sheet}: {line}").format(sheet=sheet, line=line) if sheet else line

    for w in result.warnings:
        _warn(w)
    for c in result.conflicts:
        _warn(_("conflict: {line}").format(line=on_sheet(c.line())))
    if any(c.code != "another_complaint" for c in result.conflicts):  # (what to do: a
        # conflict comes back with every copy until it is; not for another complaint held
        # under the same number, which an amend would write over)
        _err(_("Hint: {hint}").format(hint=_(
            "the ledger keeps its own values; where the file is right, correct the complaint "
            "(an intake value: complaintctl amend ID --customer … --reason …; a step's: the "
            "step again), or correct the file; a conflict is said again with every copy "
            "until the two agree")))
    if dry_run and result.words_read:  # refused rows or not: what the words were read as
        _emit_text(render.words_read(result.words_read))
    written = None  # the rejects file, once written
    if rejects_path is not None and not dry_run:  # --skip-bad: the rows it refused
        if result.problems:
            _write_atomically(rejects_path, _rejects_csv(result), "--rejects")
            written = rejects_path
        elif os.path.exists(rejects_path):  # an earlier run's: it would read as this one's
            _warn(_("{path} is from an earlier import: no row was refused this time").format(
                path=rejects_path))
    if result.problems and (not skip_bad or result.none_good):
        for line in _problem_lines(result.problems):
            _err(on_sheet(line))
        n = f"{result.refused:,}"
        message = ngettext("{n} row refused; nothing was imported",
                           "{n} rows refused; nothing was imported", result.refused).format(n=n)
        if dry_run and not skip_bad:  # what the good rows would give: one run, not two
            message = (ngettext("{n} row refused: the import would take nothing",
                                "{n} rows refused: the import would take nothing",
                                result.refused) if result.none_good else ngettext(
                # (the dry run's own line says what --skip-bad would take)
                "{n} row refused: without --skip-bad the import would take nothing",
                "{n} rows refused: without --skip-bad the import would take nothing",
                result.refused)).format(n=n)
            if not result.none_good:
                _emit_text(_("Dry run, nothing written; with --skip-bad: {counts}.").format(
                    counts=_import_counts(result)) + "\n")
        hint = _("correct the file or the mapping, or import the good rows with --skip-bad "
                 "--rejects PATH")
        if rejects_path is not None:  # --skip-bad, and no row was good: refused as
            message = ngettext("its {n} row was refused; nothing was imported",  # without it
                               "every row was refused ({n}); nothing was imported",
                               result.refused).format(n=n)
            hint = _("correct the file or the mapping and import it again")
            if written is not None:  # (a cron job sees it)
                message = ngettext(
                    "its {n} row was refused, written with its reason to {path}; nothing "
                    "was imported",
                    "every row was refused ({n}), written with their reasons to {path}; "
                    "nothing was imported", result.refused).format(n=n, path=written)
        if all(p.code == "masked" for p in result.problems):  # --skip-bad would take none
            hint = _("the file is an export with its contacts masked: export again with "
                     "--reveal (complaintctl export complaints --reveal --output FILE) and "
                     "import that")
        if all(p.rule for p in result.problems):
            from complaintctl.errors import Refused

            raise Refused(message, hint=hint, code="import_refused", rows=result.refused)
        raise BadInput(message, hint=hint, code="import_unreadable", rows=result.refused)
    counts = _import_counts(result)
    lapsed = ngettext(
        "{n} critical complaint came in closed with its second revisit due before the "
        "import and not in the register: none is asked for (not in overdue)",
        "{n} critical complaints came in closed with their second revisits due before the "
        "import and not in the register: none is asked for (not in overdue)",
        result.second_lapsed).format(n=f"{result.second_lapsed:,}")
    own_export = mapping is not None and mapping.strip() == "complaintctl"
    if dry_run:
        for line in _problem_lines(result.problems):
            _err(on_sheet(line))
        _emit_text(_("Dry run, nothing written: {counts}.").format(counts=counts) + "\n")
        if result.second_lapsed:
            _say(lapsed)
        _late_said(result, ledger, own_export=own_export)
        return
    if written is not None:
        _err(ngettext("{n} row refused, written with its reason to {path}.",
                      "{n} rows refused, written with their reasons to {path}.",
                      result.refused).format(n=f"{result.refused:,}", path=written))
    _say(_("Import batch {batch}: {counts}.").format(batch=result.batch, counts=counts))
    if result.second_lapsed:
        _say(lapsed)
    _late_said(result, ledger, own_export=own_export)


def _late_said(result: Any, ledger: Any, *, own_export: bool) -> None:
    """The stages the import leaves (a dry run: would leave) past due at once."""
    if not (result.late and result.late_since):
        return
    n, day = f"{result.late:,}", ledger.local(parse.from_iso(result.late_since))[:10]
    if result.dry_run and own_export:
        _warn(ngettext(
            "{n} stage of these complaints would be past due at once (the oldest since "
            "{day}): overdue would list it",
            "{n} stages of these complaints would be past due at once (the oldest since "
            "{day}): overdue would list them", result.late).format(n=n, day=day))
    elif result.dry_run:
        _warn(ngettext(
            "{n} stage of these complaints would be past due at once (the oldest since "
            "{day}): overdue would list it; a finished complaint comes in closed with its "
            "revisit date, or its status (已结案) and a close_reason",
            "{n} stages of these complaints would be past due at once (the oldest since "
            "{day}): overdue would list them; a finished complaint comes in closed with its "
            "revisit date, or its status (已结案) and a close_reason", result.late).format(
                n=n, day=day))
    elif own_export:  # (a ledger's own steps: no register's closings to add, as the
        # advice below says to one)
        _warn(ngettext(
            "{n} stage of the complaints imported is past due already (the oldest since "
            "{day}): overdue lists it",
            "{n} stages of the complaints imported are past due already (the oldest since "
            "{day}): overdue lists them", result.late).format(n=n, day=day))
    else:
        _warn(ngettext(
            "{n} stage of the complaints imported is past due already (the oldest since "
            "{day}): overdue lists it; a finished complaint comes in closed with its "
            "revisit date, or its status (已结案) and a close_reason",
            "{n} stages of the complaints imported are past due already (the oldest since "
            "{day}): overdue lists them; a finished complaint comes in closed with its "
            "revisit date, or its status (已结案) and a close_reason", result.late).format(
                n=n, day=day))
    if result.late_revisits and not own_export:  # resolved rows of a register that never
        # recorded closings
        _say(ngettext(
            "{n} of them is a revisit: if the register never recorded its closings, add "
            "closed_at = \"resolved_at\" under [dates] and close_reason = \"…\" under "
            "[defaults], and import it again (each resolved row is then closed, marked "
            "estimated)",
            "{n} of them are revisits: if the register never recorded its closings, add "
            "closed_at = \"resolved_at\" under [dates] and close_reason = \"…\" under "
            "[defaults], and import it again (each resolved row is then closed, marked "
            "estimated)", result.late_revisits).format(n=f"{result.late_revisits:,}"))


def _import_counts(result: Any) -> str:
    parts = [ngettext("{n} new complaint", "{n} new complaints", result.added).format(
        n=f"{result.added:,}"),
        _("{n} already imported").format(n=f"{result.unchanged:,}")]
    if result.updated:
        parts.append(ngettext("{n} with new steps ({steps})", "{n} with new steps ({steps})",
                              result.updated).format(
            n=f"{result.updated:,}", steps=ngettext("{n} step", "{n} steps", result.steps)
            .format(n=f"{result.steps:,}")))
    if result.conflicts:
        parts.append(ngettext("{n} conflict", "{n} conflicts", len(result.conflicts)).format(
            n=f"{len(result.conflicts):,}"))
    if result.problems:
        parts.append(ngettext("{n} refused", "{n} refused", result.refused).format(
            n=f"{result.refused:,}"))
    if result.blank:
        parts.append(ngettext("{n} row with nothing to import skipped",
                              "{n} rows with nothing to import skipped", result.blank).format(
            n=f"{result.blank:,}"))
    if result.totals:
        parts.append(ngettext("{n} totals row (合计) skipped", "{n} totals rows (合计) skipped",
                              result.totals).format(n=f"{result.totals:,}"))
    if result.footers:
        parts.append(ngettext("{n} signature row (制表人, 审核) skipped",
                              "{n} signature rows (制表人, 审核) skipped",
                              result.footers).format(n=f"{result.footers:,}"))
    if result.headings:
        parts.append(ngettext("{n} section heading row (merged across the sheet) skipped",
                              "{n} section heading rows (merged across the sheet) skipped",
                              result.headings).format(n=f"{result.headings:,}"))
    if result.left_out:
        parts.append(ngettext("{n} row left out by the mapping's leave_out",
                              "{n} rows left out by the mapping's leave_out",
                              result.left_out).format(n=f"{result.left_out:,}"))
    return _(", ").join(parts)


def _rejects_csv(result: Any) -> Iterator[bytes]:
    """The refused rows as they were, with the row number and the reasons (CSV with a
    BOM, cells guarded as export guards them)."""
    import csv
    import io

    from complaintctl.render import neutralise

    by_row: dict[int, list[Any]] = {}
    for p in result.problems:
        by_row.setdefault(p.row, [p.cells, []])[1].append(p.line())
    buf = io.StringIO()
    out = csv.writer(buf)
    # (its own word: 原因 is a register's root-cause column, and the file is imported
    # again once corrected)
    out.writerow([_("row"), pgettext("rejects", "reason"), *result.header])
    yield b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
    for number, (cells, reasons) in sorted(by_row.items()):
        buf.seek(0)
        buf.truncate()
        out.writerow([number, "; ".join(reasons),
                      *(neutralise("" if c is None else c) for c in (cells or []))])
        yield buf.getvalue().encode("utf-8")


@command(app, "export")
def export_cmd(
    what: str = typer.Argument(..., metavar="WHAT",
                               help="complaints, events, returns or actions"),
    fmt: str | None = typer.Option(None, "--format", metavar="FORMAT",
                                   help="csv, xlsx or jsonl (default: from the --output "
                                   "file's extension)"),
    since: str | None = typer.Option(None, metavar="DATE", help="first day: complaints "
                                     "received, events recorded, returns opened, actions "
                                     "added on or after it"),
    until: str | None = typer.Option(None, metavar="DATE", help="last day (inclusive)"),
    output: str = typer.Option(..., "--output", metavar="FILE",
                               help="file to write (0600; replaced whole)"),
    reveal: bool = typer.Option(False, "--reveal", help="complaints: contact details "
                                "unmasked (an erased contact stays erased)"),
) -> None:
    """Everything out, for the archive (归档) or a spreadsheet: one row per record,
    the JSON keys as columns, the codes as values."""
    from complaintctl import exports, sheets

    try:  # the code, or its name as the screens show it (投诉)
        what = words.lookup("export_what", what, exports.WHATS)
    except words.UnknownWord as exc:
        raise BadInput(_("what to export, {value}, is not one of: {allowed}").format(
            value=i18n.shown(what.strip()), allowed=listing(
                [w.code if i18n.lang() == "en" else f"{w.code}（{w.zh}）" for w in exc.choices])),
            hint=_("did you mean: complaintctl export {what} …?").format(
                what=words.lookup("export_what", exc.suggestion))
            if exc.suggestion else None, code="bad_what", value=what) from None
    if fmt is None:
        fmt = Path(output).suffix.lower().lstrip(".")
        if fmt not in _EXPORT_FORMATS:
            raise BadInput(_("give --format csv, xlsx or jsonl"),
                           hint=_("or name the --output file .csv, .xlsx or .jsonl"))
    else:
        fmt = parse.choice(fmt, _EXPORT_FORMATS, "--format")
        _named_for(output, fmt, _EXPORT_SUFFIXES)
    ledger = _open()
    now, tz = _now(), ledger.tz
    first = parse.parse_day(since, now=now, tz=tz, field="--since") if since is not None \
        else None  # ("" refused: a script's unset $START exported everything)
    last = parse.parse_day(until, now=now, tz=tz, field="--until") if until is not None \
        else None
    if first and last:
        _in_order(first, last)
    _not_the_ledger(output, ledger, hint=_("write the export to another file"))
    exp = exports.export(ledger, what, *exports.day_bounds(first, last, tz), reveal=reveal)
    rows = sheets.Counted(exp.batches)
    if fmt == "csv":
        chunks = sheets.csv_chunks(exp.columns, rows)
    elif fmt == "jsonl":
        chunks = sheets.jsonl_chunks(exp.columns, rows)
    else:
        chunks = sheets.xlsx_chunks(exp.columns, rows, tz=tz,
                                    currency=ledger.config.currency, sheet=what)
    with contextlib.closing(exp.batches):  # a failure half-way ends the read snapshot now
        _write_atomically(output, chunks)
    _say(ngettext("Wrote {output}: {count} row of {what}.",
                  "Wrote {output}: {count} rows of {what}.", rows.n).format(
                      output=output, count=rows.n, what=_(exports.WHAT_NAMES[what])))


@command(app, "backup")
def backup_cmd(
    path: str = typer.Argument(..., metavar="PATH", help="the backup file to write (an "
                               "earlier backup there is replaced; any other file refused)"),
) -> None:
    """Copy the ledger, consistently, while others keep writing; 0600, checked."""
    from complaintctl import archive

    ledger = _db_path()
    _not_dash(path)  # (it wrote a file of that name; archive.backup says the rest)
    parse.path_of_one_line(path, _("backup PATH"))
    _not_the_ledger(path, ledger, _("backup PATH"), _("back up to a file of another name"),
                    database_ok=True)  # archive.backup checks what it replaces
    done = archive.backup(ledger, path)
    _STATE["written"] = str(done.path)  # an interruption from here on: it is there
    _say(_("Backed up {ledger} to {path} ({complaints}, {events}, {size} MB, schema version "
           "{version}).").format(
        ledger=done.ledger, path=done.path,
        complaints=ngettext("{n} complaint", "{n} complaints", done.complaints).format(
            n=done.complaints),
        events=ngettext("{n} event", "{n} events", done.events).format(n=done.events),
        size=f"{done.size / 1e6:.1f}", version=done.version))
    for name in done.removed:  # (a copy's journal said with it: "a partial copy" twice
        # read as two copies of the ledger)
        if name.endswith(("-journal", "-wal", "-shm")) and \
                name.rsplit("-", 1)[0] in done.removed:
            continue
        sides = [other[len(name):] for other in done.removed
                 if other.startswith(name + "-") and other != name]
        _say((_("Removed {name} (and its {files}): a partial copy a killed backup had left.")
              if sides else _("Removed {name}: a partial copy a killed backup had left.")
              ).format(name=name, files=", ".join(sides)))


# --- policy ------------------------------------------------------------------

@command(policy_app, "show")
def policy_show_cmd(fmt: str = typer.Option("table", "--format", help=FORMAT_HELP)) -> None:
    """Deadlines per stage and severity, escalation, and the calendar."""
    fmt = _format(fmt)
    ledger = _open()
    view = ledger.config.view()
    if fmt == "json":
        _emit(render.to_json(view))
        return
    from complaintctl.deadlines import SEVERITIES

    lang = i18n.lang()
    view["escalation"] = [{**e, "role": words.label("role", e["role"], lang)}
                          for e in view["escalation"]]
    view["user_days"] = [{**d, "name": _added_by(d.get("name"))} for d in view["user_days"]]
    rows = [{"stage": term("stage", st), **{s: render.duration(d) if d else render.none()
                                            for s, d in row.items()}}
            for st, row in view["deadlines"].items()]
    cols = (render.Col("stage", _("stage")),
            *(render.Col(s, term("severity", s)) for s in SEVERITIES))
    esc_cols = (render.Col("level", _("level"), "num"),
                render.Col("after_working_days", _("after wd late"), "num"),
                render.Col("role", _("escalates to")))
    day_cols = (render.Col("day", _("day")), render.Col("kind", _("kind"), word="day_kind"),
                render.Col("name", _("note")))
    covered = view["calendar_covered_until"]
    # a country with official data up to a year (China's make-up working days), or one
    # whose holidays follow rules, every year alike (it read "official data up to every
    # year, rule-based")
    # (and from which year: "1998-2031; official data up to 2026" read as official from
    # 1998, where the package's start from 2001)
    first = view.get("calendar_covered_from")
    held = str(view["calendar_years"]).partition("-")[0]
    if first and held.isdigit():  # (of the years the ledger holds)
        first = max(int(first), int(held))
    calendar = (_("Calendar {country} (public holidays and make-up working days {years}; "
                  "official data {first}-{covered})") if covered and first else
                _("Calendar {country} (public holidays and make-up working days {years}; "
                  "official data up to {covered})") if covered else
                _("Calendar {country} (public holidays {years}, by rule)")).format(
        country=view["country"], years=view["calendar_years"], covered=covered, first=first)
    cal_line = _("{calendar}; time zone {zone}; currency {currency}; repeat window {days} "
                 "days; attachments up to {mb} MB per file.").format(
        calendar=calendar, zone=view["timezone"], currency=view["currency"],
        days=view["repeat_window_days"], mb=view["attachment_max_mb"])
    if fmt == "csv":  # each part under its name, as report's sections (JSON has them all)
        settings_rows = [{"key": key, "value": value} for key, value in (
            ("country", view["country"]), ("calendar_years", view["calendar_years"]),
            ("calendar_covered_until", covered or ""), ("timezone", view["timezone"]),
            ("currency", view["currency"]), ("repeat_window_days", view["repeat_window_days"]),
            ("attachment_max_mb", view["attachment_max_mb"]))]
        kv = (render.Col("key", _("setting")), render.Col("value", _("value")))
        _emit("\ufeff# deadlines\r\n" + render.to_csv(rows, cols, ledger.tz, bom=False)
              + "\r\n# escalation\r\n" + render.to_csv(view["escalation"], esc_cols,
                                                        ledger.tz, bom=False)
              + "\r\n# settings\r\n" + render.to_csv(settings_rows, kv, ledger.tz, bom=False)
              + ("\r\n# user_days\r\n" + render.to_csv(view["user_days"], day_cols,
                                                        ledger.tz, bom=False)
                 if view["user_days"] else ""))
    elif fmt == "markdown":
        _emit(render.to_markdown(rows, cols, ledger.tz, _("Deadlines")) + "\n"
              + render.to_markdown(view["escalation"], esc_cols, ledger.tz, _("Escalation"))
              + "\n" + cal_line + "\n"
              + ("\n" + render.to_markdown(view["user_days"], day_cols, ledger.tz,
                                           _("Your days"))
                 if view["user_days"] else ""))
    else:
        width = _width()  # (without it, at COLUMNS 1-6 Rich failed: "Sum of ratios")
        parts = [render.rich_table(rows, cols, ledger.tz, _("Deadlines"),  # (zh: 4小时)
                                   caption=None if lang == "zh" else
                                   _("h hours, d days, wd working days"), width=width),
                 render.rich_table(view["escalation"], esc_cols, ledger.tz, _("Escalation"),
                                   width=width)]
        if view["user_days"]:
            parts.append(render.rich_table(view["user_days"], day_cols, ledger.tz,
                                           _("Your days"), width=width))
        _print_rich(*parts)
        _emit_text("\n".join(render.wrap_lines(cal_line, _width())) + "\n")  # (a line of 140
        # columns at 60 ran past the terminal)


@command(policy_app, "set")
def policy_set_cmd(
    stage: str = typer.Argument(..., metavar="STAGE",
                                help="assign, investigate, resolve, revisit, reopen, "
                                "second-revisit, inspect, dispose, or escalation"),
    severity: str = typer.Argument(..., metavar="SEVERITY",
                                   help="critical, high, medium, low or all "
                                   "(for escalation: the level)"),
    duration: str = typer.Argument(..., metavar="DURATION",
                                   help="e.g. 4h, 3wd, 90d, or none"),
    role: str | None = typer.Option(None, help="escalation only: whom it goes to"),
) -> None:
    """Change a deadline; it applies to stages that start from now on."""
    ledger = _open(write=True)
    severity, duration = parse.half_width(severity), parse.half_width(duration)
    changes = settings.set_policy(
        ledger, stage.strip().lower(), parse.numbers_in(severity, _("severity")).strip().lower(),
        parse.numbers_in(duration, _("duration")), now=_now(), actor=_actor(),
        role=parse.text(role, "--role", required=role is not None))  # (--role "": refused,
    # not taken as no role given: the role stayed, exit 0, to one who meant to clear it)
    def said(st: str, dur: str | None) -> str:
        if st == "escalation" and dur:  # "1wd branch_head": the role as the reader reads it
            after, role = dur.split(" ", 1)
            return f"{render.duration(after)} {words.label('role', role, i18n.lang())}"
        return render.duration(dur) if dur else _("none")

    for st, sev, dur, this_changed, was in changes:
        # (what it was, as the time zone and the repeat window say theirs: of two admins
        # setting it at once, the one overridden is told)
        _say((_("{stage} {severity}: {old} → {duration}") if this_changed else
              _("{stage} {severity}: {duration} already (nothing recorded)")).format(
            stage=_("escalation") if st == "escalation" else term("stage", st),
            severity=sev if st == "escalation" or sev == "all" else term("severity", sev),
            duration=said(st, dur), old=said(st, was) if was else _("none")))


@command(policy_app, "calendar")
def policy_calendar_cmd(
    country: str | None = typer.Option(None, help="country calendar (ISO code)"),
    add_holiday: list[str] = typer.Option([], "--add-holiday", metavar="DATE",
                                          help="a public holiday (repeatable)"),
    add_workday: list[str] = typer.Option([], "--add-workday", metavar="DATE",
                                          help="a make-up working day (repeatable)"),
    add_closure: list[str] = typer.Option([], "--add-closure", metavar="DATE",
                                          help="a company closure day (repeatable)"),
    remove: list[str] = typer.Option([], "--remove", metavar="DATE",
                                     help="undo a day you added (repeatable)"),
    refresh: bool = typer.Option(False, "--refresh",
                                 help="take the newest data of the installed holidays "
                                 "package for the years the ledger holds"),
    year: str | None = typer.Option(None, "--year", metavar="YYYY",
                                    help="list the days of that year (alone: this year's)"),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """Set the country calendar and add your own days; alone, list this year's days."""
    changing = country is not None or add_holiday or add_workday or add_closure or remove
    if refresh and changing:
        raise BadInput(_("give --refresh alone"),
                       hint=_("refresh the calendar first, then change it"),
                       code="refresh_alone")
    if not (refresh or changing):  # (--country "" is a change, refused: it listed the days)
        _calendar_days(year, _format(fmt))
        return
    if year is not None:
        raise BadInput(_("--year lists a calendar; give it without a change"),
                       hint=_("e.g. complaintctl policy calendar --year 2027"),
                       code="year_with_change")
    ledger = _open(write=True)
    now, tz = _now(), ledger.tz
    if refresh:
        change = settings.refresh_calendar(ledger, now=now, actor=_actor())
        if not change["changed"]:
            _say(_("The calendar is already the one of {package}: nothing changed.").format(
                package=change["package"]))
            return
        for found, text in (
                (change["added"].get("holiday", []), ngettext(
                    "added {count} public holiday: {days}",
                    "added {count} public holidays: {days}",
                    len(change["added"].get("holiday", [])))),
                (change["added"].get("workday", []), ngettext(
                    "added {count} make-up working day: {days}",
                    "added {count} make-up working days: {days}",
                    len(change["added"].get("workday", [])))),
                (change["removed"].get("holiday", []), ngettext(
                    "removed {count} public holiday: {days}",
                    "removed {count} public holidays: {days}",
                    len(change["removed"].get("holiday", [])))),
                (change["removed"].get("workday", []), ngettext(
                    "removed {count} make-up working day: {days}",
                    "removed {count} make-up working days: {days}",
                    len(change["removed"].get("workday", []))))):
            if found:
                _say(text.format(count=len(found), days=listing(found)))
        _say(_("Calendar refreshed from {package}.").format(package=change["package"]))
        _say(_("Deadlines already set keep their dates; new stages use this calendar."))
        return

    def days(values: list[str], opt: str) -> list[date]:
        return [parse.calendar_day(v, now=now, tz=tz, field=opt) for v in values]

    notes, changed = settings.set_calendar(
        ledger, now=now, actor=_actor(),
        # (DE- is DE: it was stored as a calendar of its own)
        country=parse.half_width(country).strip().upper().rstrip("-") if country is not None
        else None,
        add_holiday=days(add_holiday, "--add-holiday"),
        add_workday=days(add_workday, "--add-workday"),
        add_closure=days(add_closure, "--add-closure"), remove=days(remove, "--remove"))
    for n in notes:
        _say(n)
    if changed:  # (said of a change only: after "calendar is CN already" it read odd)
        _say(_("Deadlines already set keep their dates; new stages use this calendar."))


def _added_by(name: str | None) -> str | None:
    """A day the user added is stored with the note "added by NAME": said in the language."""
    if name is not None and name.startswith("added by "):
        return _("added by {actor}").format(actor=name[9:])
    return name


def _calendar_days(year_s: str | None, fmt: str) -> None:
    """`policy calendar` alone: the public holidays, make-up working days and closure
    days of a year that deadlines count, with the weekend, the country's and yours."""
    ledger = _open()
    year = int(ledger.local(_now())[:4]) if year_s is None else parse.parse_year(
        year_s, tz=ledger.tz)
    cfg = ledger.config
    found, named, stored = settings.calendar_days(cfg, year, i18n.lang())
    if stored is not None:  # a year the ledger does not hold: the package's, said so
        _warn(_("{year} is not among the years the ledger's calendar holds ({first}-{last}): "
                "these are the days of the holidays package, which a step dated then adds "
                "to it").format(year=year, first=stored[0], last=stored[1]))
    cal = cfg.calendar()  # (2027's Spring Festival without its make-up working days read
    # as the official schedule, as 2026's; a year filled in by hand is covered; a country
    # whose holidays follow rules alone has no official years: nothing to say)
    if cal.covered_until is not None and not (year in cal.user_years or (
            cal.covered_from or year) <= year <= cal.covered_until):
        _warn(complaints.gap_warning(year, cfg.settings.get("country")))
    rows = [{**d, "source": _("yours") if d["source"] == "user" else cfg.settings["country"],
             # a make-up working day's stored name says what its kind does
             "name": None if d["kind"] == "workday" and d["source"] == "country"
             else named.get(d["day"], d["name"]) if d["source"] == "country"
             else _added_by(d["name"])}
            for d in found]
    cols = (render.Col("day", _("day")), render.Col("kind", _("kind"), word="day_kind"),
            render.Col("source", _("set by")), render.Col("name", _("note")))
    weekend = i18n.conjoined([render.weekday(d) for d in cfg.calendar().weekend])
    title = _("Calendar {year}: days off or on that deadlines count (and every {weekend} "
              "off)").format(year=year, weekend=weekend)
    run._listing(rows, cols, fmt, ledger.tz, title, json_rows=found,
                 empty=_("No holidays, make-up working days or closures in {year}: only "
                         "the weekend ({weekend}) is off.").format(year=year, weekend=weekend))


@command(policy_app, "categories")
def policy_categories_cmd(
    add: list[str] = typer.Option([], "--add", metavar="WORD", help="a new category"),
    remove: list[str] = typer.Option([], "--remove", metavar="WORD",
                                     help="a category no complaint has"),
    label_en: str | None = typer.Option(None, "--label-en", metavar="TEXT",
                                        help="English label of the category added"),
    label_zh: str | None = typer.Option(None, "--label-zh", metavar="TEXT",
                                        help="Chinese label of the category added"),
    relabel: str | None = typer.Option(None, "--relabel", metavar="WORD",
                                       help="a category you added: give it new labels"),
) -> None:
    """Show or change the list of complaint categories (and your categories' labels)."""
    change = bool(add or remove or relabel or label_en is not None or label_zh is not None)
    ledger = _open(write=change)

    def texts(values: list[str], opt: str) -> list[str]:
        return [parse.text(v, opt, required=True).lower() for v in values]

    if change:
        cats, changed = settings.set_categories(
            ledger, texts(add, "--add"), texts(remove, "--remove"), now=_now(),
            actor=_actor(), label_en=parse.text(label_en, "--label-en", required=label_en
                                                is not None),
            label_zh=parse.text(label_zh, "--label-zh", required=label_zh is not None),
            relabel=parse.text(relabel, "--relabel", required=relabel is not None))
        if not changed:  # a setup script run again: done already, not an error
            _say(_("the categories and their labels are so already (nothing recorded)"))
            return
    else:
        cats = list(ledger.config.categories)
    if change and _STATE["quiet"]:  # the list a change leaves is not data asked for
        return
    ledger.forget_config()  # the labels as just changed
    render.use_words("category", ledger.config.category_words)
    _emit_text(render.category_list(cats) + "\n")


@command(policy_app, "language")
def policy_language_cmd(
    language: str | None = typer.Argument(None, metavar="zh|en",
                                          help="zh (简体中文) or en; none: show it"),
) -> None:
    """Show or set the ledger's display language (used without --lang or
    COMPLAINTCTL_LANG: cron's reports come out in the department's language)."""
    from complaintctl.i18n import _

    if language is None:
        _emit_text((_open().config.language or _("not set")) + "\n")
        return
    code = parse.language(language, "LANGUAGE")
    ledger = _open(write=True)
    old, new = settings.set_language(ledger, code, now=_now(), actor=_actor())
    if old == new:  # a setup script run again: done already, not an error
        _say(_("the language is already {language}").format(language=term("language", code)))
        return
    i18n.use_ledger_language(new)  # said in the language the ledger speaks from now on
    _say(_("Language {old} → {new}.").format(
        old=term("language", old) if old else _("not set"), new=term("language", new)))


@command(policy_app, "timezone")
def policy_timezone_cmd(
    zone: str | None = typer.Argument(None, metavar="ZONE",
                                      help="IANA name, e.g. Asia/Shanghai; none: show it"),
) -> None:
    """Show or change the ledger's time zone (deadlines already set keep their
    instants)."""
    if zone is None:  # (as policy language shows its own; it was a usage error)
        _emit(f"{_open().config.settings['timezone']}\n")
        return
    ledger = _open(write=True)
    old, new = settings.set_timezone(ledger, zone.strip(), now=_now(), actor=_actor())
    if old == new:
        _say(_("the time zone is already {zone}").format(zone=new))
        return
    _say(_("Time zone {old} → {new}. Deadlines already set keep their instants (shown in "
           "{new} from now on); new deadlines and report days follow {new}.").format(
        old=old, new=new))
    if fixed := settings.fixed_offset_warning(new, _now()):
        _warn(fixed)


@command(policy_app, "attachments")
def policy_attachments_cmd(
    max_mb: int = typer.Option(..., "--max-mb", metavar="N",
                               help="size limit per attached file, in MB (default 25)"),
) -> None:
    """Change the size limit for files attached from now on."""
    ledger = _open(write=True)
    old, new = settings.set_attachment_limit(
        ledger, parse.positive_int(max_mb, "--max-mb") or 0, now=_now(), actor=_actor())
    if old == new:
        _say(_("the attachment limit is already {size} MB").format(size=new))
        return
    _say(_("Attachment limit {old} MB → {new} MB per file.").format(old=old, new=new))


@command(policy_app, "repeat-window")
def policy_repeat_window_cmd(
    days: str | None = typer.Argument(None, metavar="DAYS", help="calendar days, e.g. 60, "
                                      "60d, 60天 (default 90); none: show it"),
) -> None:
    """Show or change the repeat window: a complaint of a customer about a product they
    complained about within it is a repeat (重复投诉). For complaints logged from now on;
    links made before stay."""
    if days is None:
        shown_days = _open().config.repeat_window.days
        _emit_text(ngettext("{days} day", "{days} days", shown_days).format(days=shown_days) + "\n")
        return
    ledger = _open(write=True)
    old, new = settings.set_repeat_window(ledger, days, now=_now(), actor=_actor())
    if old == new:
        _say(ngettext("the repeat window is already {days} day",
                      "the repeat window is already {days} days", new).format(days=new))
        return
    _say(ngettext("Repeat window {old} → {new} day, for complaints logged from now on; the "
                  "links made before stay.",
                  "Repeat window {old} → {new} days, for complaints logged from now on; the "
                  "links made before stay.", new).format(old=old, new=new))


# --- demo --------------------------------------------------------------------

@contextlib.contextmanager
def _taken_back_if_interrupted(made: Ledger | None) -> Iterator[None]:
    """Ctrl-C while the demo fills the file it has just made (or a fill that fails: a
    full disk): the fill rolls back, and the file, made by this command a moment before
    and holding nothing else, goes too, so that "nothing was written" holds (a full
    disk left an empty demo ledger behind). Unless another command wrote to it in the
    meantime (a clerk's log into the wrong file): then it stays, with that."""
    try:
        yield
    except BaseException as exc:
        if getattr(exc, "code", None) == "busy":  # another command holds it: its own now
            raise
        try:
            gone = made is not None and made.as_made()
        except Exception:  # noqa: BLE001 - unreadable now: left as it is, said by the error
            gone = False
        if gone and made is not None:
            from complaintctl.store import ledger_files

            made.close()
            for f in ledger_files(made.path):
                f.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _said_as(hidden: Path | None, shown: Path) -> Iterator[None]:
    """An error of the file a command fills under a name of its own (demo's
    .NAME.PID.demo) said of the path typed: "no space left on the disk of
    s/.new.db.7566.demo" named a file the user never saw."""
    if hidden is None:
        yield
        return
    import sqlite3

    from complaintctl.store import translate

    try:
        yield
    except sqlite3.Error as exc:  # (else said at the boundary, of the file opened)
        raise translate(exc, shown) from None
    except ComplaintctlError as exc:
        exc.message = exc.message.replace(str(hidden), str(shown))
        exc.hint = exc.hint and exc.hint.replace(str(hidden), str(shown))
        exc.args = (exc.message,)
        if exc.params.get("path") == str(hidden):
            exc.params["path"] = str(shown)
        raise


@command(app, "demo")
def demo_cmd(
    complaints: int = typer.Option(300, "--complaints", help="how many complaints"),
    db: str | None = typer.Option(None, "--db", metavar="PATH", help="ledger file"),
    seed: int | None = typer.Option(
        None, help="random seed (same seed, same history; default 2026, or the next one a "
        "demo ledger does not hold)"),
) -> None:
    """Fill a ledger with a realistic, seeded history to try things on."""
    from complaintctl import demo

    # Ten times the largest benchmark ledger: the demo builds its timeline in memory.
    parse.positive_int(complaints, "--complaints", most=10**7)
    path = _db_path(db)
    fresh = not os.path.lexists(path)
    # the default ledger, or COMPLAINTCTL_DB's, made a demo: the department's real
    # complaints then went in among the fake ones (init said "already a ledger"); the
    # default place is the real ledger's, named with --db too
    if fresh and (not (db or _STATE["db"]) or path.resolve() == run._path_of(None).resolve()):
        raise BadInput(_("the demo makes a ledger of its own only in a file named with "
                         "--db, never where the default ledger is or COMPLAINTCTL_DB points "
                         "({path}): real complaints would land among its fake ones").format(
                             path=path),
                       hint=_("complaintctl demo --db demo.db"), code="demo_needs_db")
    language, _from_locale = _new_ledger_language()
    # the clock of its calendar's country, as a company there keeps it (a Chinese
    # clerk's demo showed times 8 hours off, in UTC beside China's holidays)
    values = {"timezone": settings.COUNTRY_ZONE[settings.DEFAULT_SETTINGS["country"]]}
    if language:
        values["language"] = language
    # A new file is made and filled under a name of its own beside it, then put in place
    # whole: a reader of the path meanwhile finds no ledger there (an `overdue` between
    # its making and the fill's first lock said "Nothing is overdue" of it).
    aside = path.with_name(f".{path.name}.{os.getpid()}.demo") if fresh else None
    with _said_as(aside, path):
        ledger = _create(aside, values, demo=True) if aside is not None else \
            _keep(Ledger.open(path, write=True))

    def fill(ledger: Ledger, made: bool) -> tuple[dict[str, int], list[str], int]:
        ledger.login = _login()  # (a second demo into its own ledger recorded none)
        with _progress() as bar, _taken_back_if_interrupted(ledger if made else None):
            def progress(done: int) -> None:
                if bar is None:
                    return
                if not bar.tasks:
                    bar.add(_("Making complaints"), complaints)
                bar.advance(done)
                if done == complaints:  # all made: what is left is writing them at once
                    bar.add(_("Writing the ledger"), None)

            return demo.fill(ledger, complaints, now=_now(), seed=seed, progress=progress)

    with _said_as(aside, path):
        summary, warnings, used = fill(ledger, aside is not None)
    first_id = views.show_first_id(ledger)
    if aside is not None:
        ledger.close()
        from complaintctl.store import ledger_files, put_in_place

        if not put_in_place(aside, path):  # another demo made it meanwhile: added to, as
            # it would be a moment later (two demos started together both fill it)
            for f in ledger_files(aside):
                f.unlink(missing_ok=True)
            ledger = _keep(Ledger.open(path, write=True))
            summary, warnings, used = fill(ledger, False)
            first_id = views.show_first_id(ledger)
    _say(_("Demo ledger: {path}").format(path=path))
    if used != demo.SEED and seed is None:  # (the same seed, the same history: said)
        _say("  " + _("added with seed {seed}: the ledger holds the demo's complaints of "
                      "the seeds before it").format(seed=used))
    order = {code: i for i, code in enumerate(words.codes("status"))}  # (the workflow's,
    # not the English codes' alphabet: 已分派 before 已登记 in Chinese)
    _say("  " + listing([f"{term('status', k)} {v}" for k, v in sorted(
        summary.items(), key=lambda kv: order.get(kv[0], len(order)))]))
    for w in warnings:  # the calendar's, in import's words (bulk.Writer.calendar_warnings)
        _warn(w)
    _say(_("Try:"))
    hint_db = f" --db {shlex.quote(str(path))}" if db or _STATE["db"] else ""  # (copied)
    _say(f"  complaintctl{hint_db} overdue")
    _say(f"  complaintctl{hint_db} list --status open")
    _say(f"  complaintctl{hint_db} show {first_id}")
