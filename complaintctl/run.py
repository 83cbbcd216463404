"""What every command shares, without Typer: the one exit path (`Error: …`, `Hint: …`
and the exit code of a domain error), the ledger of this run, the clock, and output.

`cli` declares the commands with Typer and calls these; `dispatch` runs the common
forms of the read commands without importing Typer at all (start-up is most of
what `overdue` costs) and calls the same functions. Both are the command line:
the only modules that read the clock, print or exit.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from complaintctl import i18n, parse, render, views, workflow
from complaintctl.errors import BadInput, ComplaintctlError, LedgerError, VerifyFailed
from complaintctl.i18n import _, os_reason
from complaintctl.store import (
    Ledger,
    forget_reads,
    not_text,
    peek_language,
    storage_errors,
    written_under_read,
)

if TYPE_CHECKING:  # Rich is imported only when a table is printed
    from rich.console import RenderableType

UTC = timezone.utc
R = TypeVar("R")

_STATE: dict[str, Any] = {"db": None, "actor": None}


class Exit(SystemExit):
    """Leave the command with this exit code (its message, if any, already printed).
    A SystemExit: Click lets it through, and `finish` reads its code."""


def _plain_echo(message: str, err: bool = False) -> None:
    """Click's `echo` of one line as the fast path needs it: a UTF-8 text stream
    (`dispatch` checks), escape sequences dropped when it is not a terminal."""
    stream = sys.stderr if err else sys.stdout
    text = message + "\n"
    if "\x1b" in text and not _isatty(stream):
        import re

        text = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)  # Click's strip_ansi
    stream.write(text)
    stream.flush()


# How a line reaches stderr: Click's echo once `cli` is imported (it sets it), so that
# the commands Typer runs print exactly as before; the plain one on the fast path.
_ECHO: list[Callable[..., None]] = [_plain_echo]


def use_echo(echo: Callable[..., None]) -> None:
    _ECHO[0] = echo


_BEFORE_EXIT: list[Callable[[], None]] = []


def before_exit(hook: Callable[[], None]) -> None:
    """Call `hook` just before the process leaves (`_exit_now` skips atexit)."""
    _BEFORE_EXIT.append(hook)


# --- the one exit path --------------------------------------------------------

def _say(message: str) -> None:
    """An informational line on stderr: a confirmation, a note, a next step. `--quiet`
    drops them all, so that cron mails only trouble (errors and warnings print)."""
    if not _STATE.get("quiet"):
        _err(message)


# What a terminal would act on rather than print: control characters but the line's
# own breaks, and the marks that turn text right to left. A message names files as typed
# (`attach ID ~/Downloads/*`: a file named by a customer with an escape sequence in it
# retitled or cleared the clerk's terminal when an error named it).
_ACTING = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(message: str) -> str:
    """`message` with each character a terminal would act on written as Python writes
    it in a string (\\x1b, \\u202e)."""
    return _ACTING.sub(lambda m: repr(m[0])[1:-1], message)


def _err(message: str) -> None:
    """A line on stderr that prints even with --quiet: errors, warnings, interrupts.
    A stderr that cannot be written (`2>/dev/full`) loses the line, not the run: what
    was recorded stays recorded and the exit code still tells. What a terminal would
    act on in it is written visibly (_visible)."""
    _STATE["out"] = True  # (a warning said: a read written under is not taken again)
    try:
        _ECHO[0](_visible(message), err=True)
    except (OSError, ValueError):  # full, closed
        pass


def _warn(message: str) -> None:
    _err(_("Warning: {message}").format(message=message))


def _fail(exc: ComplaintctlError) -> Exit:
    _err(_("Error: {message}").format(message=exc.message))
    if exc.hint:
        _err(_("Hint: {hint}").format(hint=with_db(exc.hint)))
    return Exit(exc.exit_code)


def with_db(text: str) -> str:
    """A line that names a command to type, with the --db this run was given: pasted as
    it was ("find it with: complaintctl list --customer NAME" after `--db test.db
    show …`), it acted on the ledger COMPLAINTCTL_DB names, or on none."""
    db = _STATE.get("db")
    if not db or "complaintctl " not in text:
        return text
    import shlex

    return _A_COMMAND.sub(lambda _m: f"complaintctl --db {shlex.quote(str(db))} ", text)


# "complaintctl" before one of its commands, where a line names one to type (not "run a
# complaintctl command on the copy"); tests/test_dispatch.py holds them to the app's.
COMMAND_NAMES = ("action", "amend", "assign", "attach", "attachment", "backup", "close", "demo",
                 "export", "forget-contact", "import", "init", "investigate", "list", "log",
                 "note", "overdue", "policy", "report", "resolve", "return", "revisit", "show",
                 "upgrade", "verify", "void")
_NAMES = "|".join(re.escape(n) for n in sorted(COMMAND_NAMES, key=len, reverse=True))
_A_COMMAND = re.compile(rf"\bcomplaintctl (?=(?:{_NAMES})(?![\w-]))")


def _interrupted() -> Exit:
    """Ctrl-C anywhere (and the end of input at a prompt): one message, exit 130. A
    step's transaction rolls back when the interrupt goes through it, so nothing was
    written, unless the step had already committed (log says which id then)."""
    if not _STATE.get("interrupted"):
        _STATE["interrupted"] = True
        if _isatty(sys.stderr):
            _err("")  # the terminal's cursor is still on the prompt's line, after ^C
        written = _STATE.get("written") or next(  # (log's id, committed but not yet
            (lg.making[0] for lg in _STATE.get("open") or ()  # printed: a script doing
             if lg.making and lg.committed > lg.making[1]), None)  # ID=$(… log …) needs it)
        if _STATE.get("done"):  # a command's own words for what it finished (upgrade)
            _err(_STATE["done"])
        elif written is not None:
            _err(_("Interrupted after {id} was written.").format(id=written))
            if _STATE.pop("id_on_stdout", False):  # log's, written but not yet printed:
                # a script's ID=$(complaintctl log …) got nothing for a complaint there
                with contextlib.suppress(Exception):
                    _emit(f"{written}\n")
        elif _STATE.get("recorded") or any(lg.committed for lg in _STATE.get("open") or ()):
            # (a command's own words for where to see it: an import has no one id)
            _err(_STATE.get("recorded_said") or _(
                "Interrupted after the change was recorded: it is in the ledger (see its "
                "history with complaintctl show)."))
        elif _STATE.get("stdout") and (opened := _STATE.get("open")) and not any(
                lg.writable for lg in opened):
            # a read cut short once its output began (`list --format json > f`): "nothing
            # was written" of half a document on stdout (an export to a file is taken back:
            # nothing was written)
            _err(_("Interrupted: the ledger is unchanged; any output printed is "
                   "incomplete."))
        else:
            _err(_("Interrupted; nothing was written."))
    return Exit(130)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False


def _open_path() -> Path | None:
    """The ledger the command opened, for an error message."""
    opened = _STATE.get("open") or []
    return opened[-1].path if opened else None


def _exit_now(code: int) -> None:
    """Flush and leave without tearing the interpreter down (about 10 ms, a sixth of
    `overdue`). Safe here: every command has closed its ledger and written its
    files by now, no thread runs and nothing is registered with atexit."""
    for hook in _BEFORE_EXIT:  # a profile of the run (dispatch: COMPLAINTCTL_PROFILE)
        try:
            hook()
        except Exception:  # noqa: BLE001, S110 - a failed profile must not change the exit
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a reader gone (`| head`), none
            pass
    os._exit(code)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _db_path(override: str | None = None) -> Path:
    """The ledger's path: the command's own --db, the global --db, $COMPLAINTCTL_DB, the
    default; one given empty (`--db "$QA_DB"` with QA_DB unset) is refused rather than
    passed over to the next (which read or wrote another ledger)."""
    for given, name in ((override, "--db"), (_STATE["db"], "--db"),
                        (os.environ.get("COMPLAINTCTL_DB"), "COMPLAINTCTL_DB")):
        if given is not None:
            if not given.strip():
                raise BadInput(_("{name} is empty: it names no ledger").format(name=name),
                               hint=_("give the ledger's path, or leave {name} out for the "
                                      "default ledger").format(name=name), code="empty_db")
            parse.path_of_one_line(given, name)
            if given != given.strip():  # `--db "r.db "`: init made a ledger of that name,
                # the others said no ledger at r.db, the space unseen
                raise BadInput(_("{name} {path} begins or ends with a space").format(
                    name=name, path=i18n.shown(given)), hint=_(
                        "remove it (a path with spaces inside it is given in quotes); a "
                        "ledger an older complaintctl made under such a name: rename its "
                        "file without the space"),
                    code="spaced_path", path=given)
            if os.path.basename(given) in ("", ".", ".."):  # `--db r.db/` opened r.db, and
                # `init --db x.db/` made the file x.db: a folder's path, mistyped or not
                raise BadInput(_("{name} {path} ends as a folder's path does, not a "
                                 "file's").format(name=name, path=i18n.shown(given)),
                               hint=_("give the ledger file's path, without the / at its "
                                      "end") if given.endswith(("/", "/."))
                               else _("give the path of a ledger file"), code="folder_path",
                               path=given)
            return _path_of(given)
    return _path_of(None)


def _path_of(chosen: str | None) -> Path:
    """The ledger's path from --db or $COMPLAINTCTL_DB as typed, else the default."""
    if chosen:
        try:
            return Path(chosen).expanduser()
        except RuntimeError:  # ~name of a user this machine does not know
            raise BadInput(_("--db {path}: no such user's home folder").format(path=chosen),
                           hint=_("give the ledger's full path"), code="bad_path") from None
    import platformdirs

    return Path(platformdirs.user_data_dir("complaintctl", appauthor=False)) / "ledger.db"


def _keep(ledger: Ledger) -> Ledger:
    """The command wrapper closes the ledger when the command ends. From here on
    the ledger's language applies (unless --lang or $COMPLAINTCTL_LANG chose)."""
    _STATE.setdefault("open", []).append(ledger)
    if not i18n.explicit():
        try:
            i18n.use_ledger_language(getattr(ledger.config, "language", None))
        except Exception:  # noqa: BLE001 - damaged settings: the command reads them and says so
            pass
    return ledger


def _open(*, write: bool = False) -> Ledger:
    """The existing ledger: for reading only, unless the command records a step."""
    ledger = _keep(Ledger.open(_db_path(), write=write))
    if write:
        ledger.login = _login()
        ledger.live = True  # its events recorded as of now, in order (store.Ledger.event)
    return ledger


def _login() -> str:
    """The operating-system account running this process, recorded on every event
    beside the actor: --as and COMPLAINTCTL_USER are what the user claims."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, OSError):  # no passwd entry (containers), no pwd (Windows)
        import getpass

        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _when(ledger: Ledger, value: str | None, field: str = "--at") -> datetime:
    if value is None:  # (marked as the clock's: parse.Now)
        return parse.Now.of(_now())
    return parse.parse_when(value, now=_now(), tz=ledger.tz, field=field)


def _emit(text: str) -> None:
    """Data (JSON, CSV, markdown, an id) to stdout, in UTF-8 whatever its encoding."""
    _emit_chunks((text.encode("utf-8"),))


def _emit_text(text: str) -> None:
    """A line for a person to stdout, in stdout's own encoding as the tables are (in a
    GBK locale "没有符合条件的投诉。" and the calendar's line came out in UTF-8 beside
    GBK tables: mojibake, and a file valid in neither)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    errors = getattr(sys.stdout, "errors", None) or "strict"
    _emit_chunks((text.encode(encoding, errors),))


def _emit_chunks(chunks: Iterable[bytes]) -> None:
    """Bytes to stdout as they come (a listing streamed from the cursor; a whole text
    is one chunk), in UTF-8 whatever stdout's own encoding."""
    out = getattr(sys.stdout, "buffer", None)
    try:
        sys.stdout.flush()
        for chunk in chunks:
            reads_whole()  # (nothing read across a writer's step goes out)
            _STATE["out"] = _STATE["stdout"] = True  # (a read written under after this is
            # not taken again; an interrupt says what went out is incomplete)
            if out is not None:
                out.write(chunk)
            else:  # pragma: no cover
                sys.stdout.write(chunk.decode("utf-8"))
        if out is not None:
            out.flush()
    except BrokenPipeError:
        _reader_gone()


def _reader_gone() -> None:
    """stdout's reader closed early (`| head -3`): it had what it wanted, so exit 0,
    with stdout pointed at /dev/null so that no later flush fails again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (CliRunner)
        pass
    raise Exit(0)


def _format(value: str) -> str:
    return parse.choice(value, parse.FORMATS, "--format")


def _width() -> int:
    """The terminal's width (COLUMNS, or 80, when stdout is not a terminal)."""
    return render.console().width


def _print_rich(*renderables: RenderableType) -> None:
    con = render.console(on_broken_pipe=_reader_gone)  # Rich's own handler exits 1
    reads_whole()
    _STATE["out"] = _STATE["stdout"] = True
    fitted = [f for r in renderables if (f := getattr(r, "fitted", None)) is not None
              and (f.left_out or f.cut)]
    for r in renderables:
        if isinstance(r, render.Unbroken) and render.ascii_only():  # (… and 48 more: …)
            r = render.Unbroken(render.ascii_marks_of(r.replace("…", "...")))
        elif render.ascii_only():
            r = render.ascii_marks(r)
        con.print(r, soft_wrap=isinstance(r, render.Unbroken))
    if fitted and not _isatty(sys.stdout) and not isinstance(sys.stdout, _Nowhere):
        _said_fitted(fitted[0])  # (a closed stdout is said as such, and only that)


def _said_fitted(fit: render.Fitted) -> None:
    """What a table fitted to the width gave up, said when it goes to a file or a pipe
    (a terminal shows it; a cron job's mail or a saved file lost the costs of `return
    list`, the names cut, without a word)."""
    parts = []
    # (in Chinese each column quoted: 略去了“维修、费用”列 read as one column)
    quoted = (lambda names: [f"“{n}”" for n in names]) if i18n.lang() == "zh" else list
    if fit.left_out:
        parts.append(_("left out {columns}").format(columns=i18n.listing(quoted(fit.left_out))))
    if fit.cut:
        parts.append(_("cut {columns} with {mark}").format(
            columns=i18n.listing(quoted(fit.cut)), mark="~" if render.ascii_only() else "…"))
    _say(_("To fit {width} columns the table {changes}: set COLUMNS wider, or use --format "
           "csv for every column whole.").format(width=fit.width,
                                                 changes=_("; ").join(parts)))


def _listing(rows: list[dict[str, Any]], cols: Sequence[render.Col], fmt: str, tz: tzinfo,
             title: str, json_rows: list[dict[str, Any]] | None = None,
             empty: str | None = None, shrink: dict[str, int] | None = None,
             drop: Sequence[str] = (), styles: dict[str, str] | None = None,
             comfort: dict[str, int] | None = None) -> None:
    """A listing in its format. `shrink`: on a terminal one line a row (render.fitted_table,
    these columns cut with "…" as `list` cuts its names, the columns in `drop` given up
    first where they cannot fit), not rows wrapped over lines."""
    if fmt == "json":
        _emit(render.to_json(rows if json_rows is None else json_rows))
    elif fmt == "csv":
        _emit(render.to_csv(rows, cols, tz))
    elif not rows and empty:
        said_empty(empty, markdown=fmt == "markdown")
    elif fmt == "markdown":
        _emit(render.to_markdown(rows, cols, tz, title))
    elif shrink is not None:
        _print_rich(render.fitted_table(rows, cols, tz, _width(), title, shrink=shrink,
                                        drop=drop, styles=styles, comfort=comfort))
    else:
        _print_rich(render.rich_table(rows, cols, tz, title, width=_width()))


def said_empty(text: str, markdown: bool = False) -> None:
    """What a table or markdown listing says when it holds nothing ("No complaints
    match."): nothing with --quiet, which prints only the data asked for (cron mailed the
    sentence every day; json and csv are data: [], a header). A table's in the terminal's
    encoding, markdown's in UTF-8 as markdown with rows is (a cron job's file was GBK on
    quiet days and UTF-8 on busy ones)."""
    if not _STATE.get("quiet"):
        (_emit if markdown else _emit_text)(text + "\n")


def unmatched(ledger: Ledger, dept: str | None, owner: str | None,
              actions: bool = False, customer: str | None = None) -> None:
    """A warning (printed with --quiet too) for a --dept or --owner no assignment (or,
    `actions`, no CAPA item) ever matched, and a --customer no complaint has: a
    misspelt filter in cron said "nothing overdue" every day."""
    for field, text, known, more in views.never_matched(
            ledger, dept, owner, "actions" if actions else "assignments", customer):
        message = (_("no complaint has a customer containing {text}: check the spelling "
                     "(customers there: {names})") if field == "customer" else
                   _("no CAPA item ever had an owner containing {text}: check the spelling "
                     "(owners there: {names})") if actions else
                   _("no complaint was ever assigned to a department containing {text}: "
                     "check the spelling (departments there: {names})") if field == "department"
                   else _("no complaint was ever assigned to an owner containing {text}: "
                          "check the spelling (owners there: {names})"))
        names = i18n.listing([*known, "…"] if more else known) or _("none")
        _warn(message.format(text=i18n.shown(text), names=names))


def language_before_parse(db: str | None) -> None:
    """Before the command line is parsed (no --lang, no COMPLAINTCTL_LANG): the language
    of the ledger it names (`db`: the root's --db as typed; else $COMPLAINTCTL_DB, else
    the default), so that everything the run says is in it -- help, the errors of the
    command line's form, a command's checks of what was typed -- not only what follows
    its opening of the ledger. Read past every lock and without a side file
    (store.peek_language); when the ledger opens, its setting as it is now applies
    (_keep). The read commands dispatch runs without Click open their ledger first."""
    try:
        path = _path_of(db or os.environ.get("COMPLAINTCTL_DB"))
    except ComplaintctlError:  # the command says why
        return
    i18n.use_ledger_language(peek_language(path))


def _os_failure(exc: OSError) -> str:
    """What the system refused, said: the file it names, or, with none named, the
    command's output (stdout onto a full disk, /dev/full)."""
    if exc.filename:
        return os_reason(exc) + f": {exc.filename}"
    return _("cannot write the output: {reason}").format(reason=os_reason(exc))


class _ReadAgain(Exception):
    """A read of a ledger read whole was written under before anything went out."""


# How many times a read written under before anything went out is taken again (a
# clerk's steps while a supervisor's cron read, which said "run the command again").
_READS_AGAIN = 3


def guarded(func: Callable[..., R], /, *args: Any, **kw: Any) -> R:
    """Run a command: its domain errors become `Error: …` and an exit code, Ctrl-C
    exit 130, a reader that went away exit 0; its ledgers are closed after. A read that
    a writer wrote under (store.written_under_read) before any of it went out is taken
    again, up to _READS_AGAIN times."""
    for _attempt in range(_READS_AGAIN):
        try:
            return _guarded_once(func, *args, again=True, **kw)
        except _ReadAgain:
            continue
    return _guarded_once(func, *args, again=False, **kw)


def _failed(exc: ComplaintctlError, again: bool) -> BaseException:
    if again and exc.code == "written_while_read" and not _STATE.get("out"):
        return _ReadAgain()
    return _fail(exc)


def _guarded_once(func: Callable[..., R], /, *args: Any, again: bool, **kw: Any) -> R:
    _STATE["out"] = False
    try:
        with storage_errors(_open_path):
            done = func(*args, **kw)
        if not _STATE.get("out"):  # (once output went out, each part of it was checked
            # before it did: a write after the last, while a table was drawn, refused the
            # whole table printed whole, exit 1)
            reads_whole()
        return done
    except ComplaintctlError as exc:
        if isinstance(exc, (LedgerError, VerifyFailed)):  # what a read written under it
            try:  # found is that read's (verify's "the latest events were deleted", a
                reads_whole()  # damaged file); a typo's refusal stays its own
            except ComplaintctlError as under:
                raise _failed(under, again) from None
        raise _failed(exc, again) from None
    except KeyboardInterrupt:
        raise _interrupted() from None
    except BrokenPipeError:  # `| head` stopped reading: not an error
        raise Exit(0) from None
    except OSError as exc:
        reason = _os_failure(exc)
        written = _STATE.get("written")
        if written is not None:  # the output failed after the step was committed
            reason = _("{reason}; {id} was recorded all the same").format(reason=reason,
                                                                         id=written)
        raise _fail(ComplaintctlError(reason, code="os")) from None  # the system's words
    except (TypeError, AttributeError) as exc:
        # bytes where text is kept (a BLOB put there by hand: SQLite gives it as it is)
        # met by code that takes text: the ledger's fault, said as a value that cannot be
        # read is (store.not_text), not as "unexpected failure"
        ledgers = _STATE.get("open") or ()
        if not ledgers or "bytes" not in str(exc):
            raise
        raise _fail(not_text(ledgers[0].path)) from None
    except ValueError as exc:  # the system's refusal of a file name holding a NUL (a
        # command line cannot carry one; a program calling in-process can)
        if "embedded null" not in str(exc):
            raise
        raise _fail(BadInput(_("a file name cannot hold a NUL character (0x00)"),
                             hint=_("type the name again without it"),
                             code="nul_in_path")) from None
    finally:
        for ledger in _STATE.pop("open", []):
            if ledger.committed:  # an interruption after this still says it was recorded
                _STATE["recorded"] = True
            ledger.close()
        forget_reads()


def filters_said(texts: Sequence[tuple[str, str | None]],
                 chosen: Sequence[tuple[str, str | None]] = (),
                 first: Sequence[str] = (), last: Sequence[str] = ()) -> str:
    """A listing's filters as its title says them ("department contains 质量, severity
    high"): `texts`, (field, part of its text); `chosen`, (word field, code) of a word
    chosen (a Chinese word typed is said as the code it was read as: 处理中 is
    investigating); `first` and `last`, said already. Empty when none is given."""
    return i18n.listing([
        *first,
        *(_("{field} contains {text}").format(field=_(field), text=text)
          for field, text in texts if text),
        *(_("{field} {word}").format(field=_(field), word=i18n.term(field, code))
          for field, code in chosen if code),
        *last])


def reads_whole() -> None:
    """Refuse what was read from a ledger read as a whole (store._READ_WHOLE) that a
    writer wrote into meanwhile: before anything read goes out (each chunk of output, a
    file made of it before it takes its place), at a command's end, and in place of a
    refusal the read may have caused. A write after the read is refused as well: no
    command says where its reading ends."""
    for ledger in _STATE.get("open") or ():
        under = written_under_read(ledger.path)
        if under is not None:
            raise under


class _Nowhere:
    """Standard output closed when the command started (`>&-`), which Python gives as
    None: the run goes on into /dev/null (a step is recorded, not half done), and one
    that wrote anything then fails as on a full disk (finish): its data went nowhere."""

    def __init__(self, binary: bool = False) -> None:
        self.stream: Any = (open(os.devnull, "wb") if binary  # noqa: SIM115
                            else open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
        self.wrote = False
        if not binary:
            self.buffer = _Nowhere(binary=True)

    def write(self, data: Any) -> int:
        self.wrote = self.wrote or bool(data)
        return int(self.stream.write(data))

    def used(self) -> bool:
        return self.wrote or self.buffer.wrote

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class _WholeWrites(io.RawIOBase):
    """Standard output's file, each write written whole or failed. CPython's buffered
    writer returns a short count for a write larger than its buffer that the file
    took only in part, and the text layer above it drops that count: on a disk that
    filled up part-way (`overdue --format json > report.json`), 16 KB of a 55 KB
    document were written and the rest lost, with exit 0. Here the rest is written
    again, which raises the disk's error (said as a command's output is, exit 1)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        size = len(view)
        while view:
            n = os.write(self.fd, view)
            if n <= 0:  # (a file takes some or fails; never none, but never a loop either)
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            view = view[n:]
        return size


def _whole_writes(stream: Any) -> Any:
    """`stream` (the process's stdout) over a _WholeWrites of its file, in its encoding
    and buffering (none with PYTHONUNBUFFERED); any other stream (a test's) as it is."""
    buffer = getattr(stream, "buffer", None)
    unbuffered = isinstance(buffer, io.FileIO)
    raw = buffer if unbuffered else getattr(buffer, "raw", None)
    if not isinstance(raw, io.FileIO):
        return stream
    stream.flush()
    whole = _WholeWrites(raw.fileno())
    return io.TextIOWrapper(whole if unbuffered else io.BufferedWriter(whole),
                            encoding=stream.encoding, errors=stream.errors,
                            line_buffering=stream.line_buffering,
                            write_through=stream.write_through)


def _replaced_by_width(exc: UnicodeError) -> tuple[str, int]:
    """The characters an encoding cannot write as '?', as many as the columns the
    table's layout gave them: in Big5, 编号 as one '?' each put every bar of a table
    out of line; in GBK an emoji with its skin tone (two columns) was four '?', a
    combining mark (none) one, and a row ran out through its border."""
    from rich.cells import cell_len

    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    # in the context of what comes before (GBK's codec asks one character at a time,
    # and one after a zero-width joiner, 👨‍👩‍👧‍👦, takes no column of its own)
    text, start, end = exc.object, exc.start, exc.end
    before = max(0, start - 8)
    return "?" * (cell_len(text[before:end]) - cell_len(text[before:start])), end


_ERRORS_BY_WIDTH = "complaintctl-width"


def usable_streams() -> None:
    """A stdout closed when the command started becomes _Nowhere, a stderr /dev/null.
    stdout writes whole or fails (_WholeWrites).
    A stream in an encoding that cannot write every character (a latin-1 or ASCII
    locale, LC_ALL=C) writes '?' for those it cannot, rather than failing half-way
    through a table. COLUMNS=0 (or empty), a width no table fits in (every table
    printed nothing), counts as not set: the terminal's, or 80."""
    if sys.stdout is None:
        sys.stdout = _Nowhere()
    else:
        sys.stdout = _whole_writes(sys.stdout)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    import codecs

    codecs.register_error(_ERRORS_BY_WIDTH, _replaced_by_width)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "gb18030") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=_ERRORS_BY_WIDTH)
    for name in ("COLUMNS", "LINES"):
        if os.environ.get(name, "1").strip() in ("", "0"):
            del os.environ[name]


def finish(run: Callable[[], object]) -> int:
    """The exit code of a whole run (`run` parses the command line and runs the
    command): whatever ends it, one message at most and never a traceback."""
    code = 0
    env_lang = os.environ.get("COMPLAINTCTL_LANG", "")
    if env_lang.strip() and not i18n.explicit():  # a cron line's typo, passed over: said
        # in the ledger's language, as the run goes on (it was said in the locale's)
        language_before_parse(i18n.root_option(sys.argv[1:], "--db"))
        _warn(_("COMPLAINTCTL_LANG={value} is not a language of complaintctl (zh or en): "
                "it was passed over").format(value=i18n.shown(env_lang)))
    try:
        run()
    except ComplaintctlError as exc:  # from the arguments check, before any command
        try:
            _fail(exc)
        except BrokenPipeError:
            pass
        code = exc.exit_code
    except BrokenPipeError:  # a reader that went away outside a command: not an error
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            _err(done.code)
        elif code == 130:  # Typer's own answer to Ctrl-C while it parsed the command line
            _interrupted()
    except KeyboardInterrupt:
        _interrupted()
        code = 130
    except OSError as exc:  # help, --version or completion onto a full disk (/dev/full):
        # outside a command, said as a command's output is (guarded)
        _err(_("Error: {message}").format(message=_os_failure(exc)))
        code = 1
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        _err(_("Error: {message}").format(message=_("unexpected failure: {error}").format(
            error=f"{type(exc).__name__}: {exc}")))
        _err(_("Hint: {hint}").format(
            hint=_("this is a bug in complaintctl, or a value changed in the ledger by hand "
                   "(complaintctl verify names those); the ledger was left as it was")))
        code = 1
    if code == 0 and isinstance(sys.stdout, _Nowhere) and sys.stdout.used():
        reason = _("cannot write the output: {reason}").format(
            reason=_("standard output is closed"))
        written = _STATE.get("written")
        if written is not None:
            reason = _("{reason}; {id} was recorded all the same").format(reason=reason,
                                                                         id=written)
        _err(_("Error: {message}").format(message=reason))
        code = 1
    return code


def root(*, db: str | None, actor: str | None, quiet: bool, ascii_: bool,
         lang: str | None = None) -> None:
    """The root options of this run (the language is chosen before, see i18n; `lang` is
    the --lang typed, for a hint's command line to keep)."""
    _STATE.update(db=db, actor=actor, quiet=quiet, interrupted=False, written=None,
                  recorded=False, lang=lang, done=None, recorded_said=None, stdout=False)
    render.use_ascii(ascii_)


# --- the read commands that dispatch runs without Typer ---------------------------

# The most late stages the table shows unless told (--limit).
_OVERDUE_SHOWN = 50


def overdue(*, as_of: str | None, dept: str | None, owner: str | None,
            severity: str | None, limit: int | None, fmt: str, customer: str | None = None
            ) -> None:
    """Every stage past its deadline, most late first, with whom it escalates to. `limit`
    None: the table's 50, every one in another format (a --limit given is kept in any:
    a chat-bot's `--format json --limit 5` got every late stage)."""
    def typed() -> tuple[str, int]:  # (--limit whatever the format)
        given = parse.positive_int(limit, "--limit", allow_zero=True) \
            if limit is not None else None
        fmt_ = _format(fmt)
        return fmt_, (given if given is not None else _OVERDUE_SHOWN if fmt_ == "table"
                      else 0)

    told = limit is not None  # (a CSV then keeps to it too: not offered for all)
    try:  # before the ledger opens: a typo waited out a writer's lock (30 s) to be "busy"
        fmt, limit = typed()
    except BadInput:  # said in the ledger's language, read past any lock
        if not i18n.explicit():
            language_before_parse(_STATE.get("db"))
        fmt, limit = typed()
    ledger = _open()  # its language is the one a refusal below is said in
    now = _now()
    when = now if as_of is None else _when(ledger, as_of, "--as-of")
    dept, owner = (parse.text_filter(dept, "--dept", a_name=True),
                   parse.text_filter(owner, "--owner", a_name=True))
    severity = parse.choice(severity, parse.SEVERITIES, "--severity")
    customer = parse.text_filter(customer, "--customer", a_name=True)
    rows = views.overdue(ledger, when, department=dept, owner=owner, severity=severity,
                         customer=customer, current=when >= now)
    if not rows:
        unmatched(ledger, dept, owner, customer=customer)
        first = views.first_received(ledger) if as_of is not None else None
        if first is not None and parse.iso(when) < first:  # (printed with --quiet too) a year
            # mistyped in cron's --as-of said "nothing overdue" every day
            _warn(_("at {time} the ledger held no complaint yet (the first was received "
                    "{first}): check the date of --as-of").format(
                time=ledger.local(when), first=ledger.local(parse.from_iso(first))))
    local = ledger.local(when, seconds=True)  # (re-run from its title: the same rows)
    if when > now + workflow.FUTURE_GRACE:  # what will be late then if nothing is done
        local = _("{time} (ahead of now)").format(time=local)
    # a listing filtered says so in its title: forwarded, it does not read as the whole
    only = filters_said((("department", dept), ("owner", owner), ("customer", customer)),
                        (("severity", severity),))
    at = _("Overdue at {time}").format(time=local) if not only else \
        _("Overdue at {time} (only {filters})").format(time=local, filters=only)
    empty = _("Nothing is overdue at {time}.").format(time=local) if not only else \
        _("Nothing is overdue at {time} (only {filters}).").format(time=local, filters=only)
    if i18n.lang() == "zh":  # (the time's note, （尚未到来的时刻）, ends in a full-width
        # bracket: no space after it before the next word, 逾期)
        at, empty = at.replace("） ", "）"), empty.replace("） ", "）")
    # CAPA items late are no stage: said beside, to the morning's check of now ("Nothing
    # is overdue" while action list --late showed one 27 days late)
    capa = as_of is None and not only and views.late_actions(ledger, parse.iso(now))

    def tell_capa() -> None:
        if capa:
            _say(_("CAPA items are past their due date too: complaintctl action list --late"))

    shown = rows[:limit] if limit else rows  # (the most late first)
    if fmt not in ("table", "markdown") or not rows:
        _listing(shown, render.OVERDUE_COLS, fmt, ledger.tz, at, empty=empty)
        tell_capa()
        return
    levels = Counter(r["escalation_level"] for r in rows)
    title = _("{title}: {n} ({levels})").format(
        title=at, n=len(rows),
        levels=i18n.listing([_("{level} {n}").format(level=render.level_said(lvl),
                                                      n=levels[lvl]) if lvl else _(
            "not escalated yet {n}").format(n=levels[lvl])
            for lvl in sorted(levels, reverse=True)]))
    if fmt == "markdown":  # (cron's mail: the count by level in its title, as the table's)
        _listing([{**r, "stage_shown": render.stage_shown(r)} for r in shown],
                 render.OVERDUE_MARKDOWN_COLS, fmt, ledger.tz, title)
        tell_capa()
        return
    _print_rich(*render.overdue_table(shown, ledger.tz, _width(), title, rows))
    if len(shown) < len(rows) and not isinstance(sys.stdout, _Nowhere):  # with --quiet
        # too: a cut listing must not read as whole (none shown: only that is said)
        _err((_("Showing the {n} most late of {total}; use --limit 0 for all.") if told else
              _("Showing the {n} most late of {total}; use --limit 0 for all, or --format "
                "csv.")).format(n=len(shown), total=len(rows)))
    tell_capa()
