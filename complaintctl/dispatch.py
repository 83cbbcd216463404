"""The entry point. The common, fully valid forms of the read commands run here
without importing Typer (about three times the bare interpreter's start-up, most
of what `overdue` costs); everything else goes to the Typer app in `cli`, which
answers it exactly as before: help, errors and did-you-mean, completion, and any
option or form this parser does not know.

The parser is deliberately small and strict. It takes a command line only when it
is sure Click would read it the same way: the root options (`--db`, `--as`,
`--lang`, `--ascii`, `--quiet`/`-q`, each at most once), then a command named in
`COMMANDS`, then that command's own options, each `--name value` or
`--name=value`, each given once (or again with the same value). A value that
starts with `-`, an option given again with another value, an unknown option, an
argument, `--`, `-h`/`--help`, a `--lang` that names no language, an invalid
`COMPLAINTCTL_ASCII`/`COMPLAINTCTL_QUIET`, a completion variable in the
environment, bytes that are not UTF-8, or output streams that are not UTF-8: any
of these, and Typer parses the line. The command itself is the same function
either way (`run.overdue`), called through the same error path (`run.guarded`,
`run.finish`), so what a user sees cannot differ; tests/test_dispatch.py
compares the two paths.

`COMPLAINTCTL_PROFILE=FILE` writes a cProfile of the whole run (imports included)
to FILE before the process leaves (`python -m pstats FILE`): `main` leaves through
`os._exit`, so `python -m cProfile` never gets to print.

Imports nothing but the standard library's `os` and `sys` until it knows which
path it takes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

# The root's options: the ones that take a value, and the flags (with their
# environment variables, read as Click reads a boolean).
ROOT_VALUES = {"--db": "db", "--as": "actor", "--lang": "lang"}
ROOT_FLAGS = {"--ascii": ("ascii_", "COMPLAINTCTL_ASCII"),
              "--quiet": ("quiet", "COMPLAINTCTL_QUIET"), "-q": ("quiet", "COMPLAINTCTL_QUIET")}

# Each command this path runs: its options (all take one value) as keyword
# arguments of its function in `run`, and their defaults as cli.py declares them.
COMMANDS: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "overdue": ({"--as-of": "as_of", "--dept": "dept", "--owner": "owner",
                 "--severity": "severity", "--customer": "customer", "--limit": "limit",
                 "--format": "fmt"},
                {"as_of": None, "dept": None, "owner": None, "severity": None,
                 "customer": None, "limit": None, "fmt": "table"}),
}
INTEGERS = frozenset({"limit"})

# Click's words for a boolean (BoolParamType.bool_states): an environment variable
# holding anything else is an error, which Click words.
_BOOLEANS = {"1": True, "0": False, "yes": True, "no": False, "true": True, "false": False,
             "on": True, "off": False, "t": True, "f": False, "y": True, "n": False}


class Plan(NamedTuple):
    """A command line understood: the root's options, the language asked for (or
    None), the command and its keyword arguments."""

    root: dict[str, Any]
    lang: str | None
    command: str
    kwargs: dict[str, Any]


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8
        return False
    return True


def _flag(environ: Mapping[str, str], var: str) -> bool | None:
    value = environ.get(var)
    if not value:  # unset or empty: Click reads no value
        return False
    return _BOOLEANS.get(value.strip().lower())


def _options(args: Sequence[str], known: Mapping[str, str]) -> dict[str, str] | None:
    """`--name value` and `--name=value` pairs of `known` options; None at anything
    else."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if not arg.startswith("--") or name not in known:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        if value.startswith("-") or found.get(known[name], value) != value:
            return None  # (given twice, differently: Typer refuses it)
        found[known[name]] = value
        i += 1
    return found


def understand(argv: Sequence[str], environ: Mapping[str, str]) -> Plan | None:
    """The plan for `argv`, or None when Typer must read it."""
    if any(k.startswith("_") and (k.endswith("_COMPLETE") or k.startswith("_TYPER"))
           for k in environ):
        return None
    if not all(_utf8(arg) for arg in argv):
        return None
    root: dict[str, Any] = {"db": None, "actor": None, "lang": None}
    given: set[str] = set()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            break
        name, eq, value = arg.partition("=")
        if name in ROOT_VALUES:
            if not eq:
                if i + 1 >= len(argv):
                    return None
                value = argv[i + 1]
                i += 1
            key = ROOT_VALUES[name]
            if value.startswith("-"):
                return None
            root[key] = value
        elif arg in ROOT_FLAGS:
            key = ROOT_FLAGS[arg][0]
            root[key] = True
        else:
            return None
        if key in given:
            return None
        given.add(key)
        i += 1
    if i >= len(argv) or argv[i] not in COMMANDS:
        return None
    command = argv[i]
    for key, var in {"ascii_": "COMPLAINTCTL_ASCII", "quiet": "COMPLAINTCTL_QUIET"}.items():
        if key not in given:
            root[key] = _flag(environ, var)
            if root[key] is None:
                return None
    lang = root.pop("lang")
    if lang is not None:
        from complaintctl import i18n

        if i18n.normalise(lang) is None:  # the root's own error, in its words
            return None
    known, defaults = COMMANDS[command]
    options = _options(argv[i + 1:], known)
    if options is None:
        return None
    kwargs: dict[str, Any] = dict(defaults)
    for key, value in options.items():
        if key in INTEGERS:
            if not (value.isascii() and value.isdigit()) or len(value) > 4000:
                return None  # (Typer's path says why: int() of more digits fails)
            kwargs[key] = int(value)
        else:
            kwargs[key] = value
    return Plan(root, lang, command, kwargs)


def _streams_are_utf8() -> bool:
    """Click's echo rewraps a stream of another encoding; the plain one here does not."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8":
            return False
    return True


def _profile(path: str) -> None:
    """Profile this whole run into `path` (written 0600, atomically, at the exit)."""
    import cProfile

    profiler = cProfile.Profile()

    def dump() -> None:
        import marshal

        profiler.disable()
        profiler.create_stats()
        refused = _not_a_profile(path)
        if refused is not None:  # (it replaced the ledger, or /dev/null, with the stats)
            sys.stderr.write(f"Warning: COMPLAINTCTL_PROFILE={path!r}: not written: "
                             f"{refused}\n")
            return
        tmp = f"{path}.{os.getpid()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(profiler.stats, fh)
            os.replace(tmp, path)
        except OSError as exc:  # a folder of that name, a missing folder, a full disk
            if os.path.lexists(tmp):
                os.unlink(tmp)
            sys.stderr.write(f"Warning: COMPLAINTCTL_PROFILE={path!r}: not written: "
                             f"{exc.strerror or exc}\n")

    _AT_EXIT.append(dump)
    profiler.enable()


def _not_a_profile(path: str) -> str | None:
    """Why the profile may not take the place of what is at `path` (None: it may): only
    a regular file that is not an SQLite file (a ledger) is replaced."""
    if path.endswith(("-wal", "-shm", "-journal")):  # (a ledger's own, whatever is there)
        return "it is the name SQLite gives a ledger's -wal, -shm or -journal file"
    try:
        if os.path.isdir(path) or os.path.exists(path) and not os.path.isfile(path):
            return "it exists and is not a regular file"
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                if fh.read(16) == b"SQLite format 3\x00":
                    return "it is an SQLite file (a ledger?)"
    except OSError as exc:
        return str(exc.strerror or exc)
    return None


_AT_EXIT: list[Any] = []


def main() -> None:
    """Entry point of the installed command (and of `python -m complaintctl`)."""
    try:
        _stop_on_signals()  # first: a signal while the modules load is stopped here too
        _main()
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM) while the modules load, before the
        # command's own handling (run.finish) is in place: no traceback, the same words
        run = sys.modules.get("complaintctl.run")
        try:  # in the language the run would have had (it was said in English)
            from complaintctl import i18n

            if not i18n.chosen():
                i18n.choose(i18n.root_option(sys.argv[1:], "--lang"))
            if run is not None:
                run._interrupted()
            else:
                sys.stderr.write(i18n._("Interrupted; nothing was written.") + "\n")
                sys.stderr.flush()
        except BaseException:  # noqa: BLE001, S110 - the exit code says it all the same
            pass
        os._exit(130)


def _stop_on_signals() -> None:
    """SIGTERM (cron's `timeout`, a service stopped) and SIGHUP (an ssh session dropped)
    end a run as Ctrl-C does: the transaction rolls back, temporary files go, one
    message, exit 130. They ended it with no word and left half-written hidden copies
    of the ledger's data (and while the modules loaded, with no word either: set
    before they load). A signal ignored when the run began (nohup) stays ignored."""
    import signal

    from complaintctl import _early_stop  # (the package's, while the modules loaded)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if signal.getsignal(signal.SIGINT) is _early_stop:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) in (signal.SIG_DFL, _early_stop):
            signal.signal(number, stop)


def _main() -> None:
    profile = os.environ.get("COMPLAINTCTL_PROFILE")
    if profile:
        _profile(profile)
    from complaintctl import run

    run.usable_streams()
    plan = understand(sys.argv[1:], os.environ) if _streams_are_utf8() else None

    for hook in _AT_EXIT:
        run.before_exit(hook)
    if plan is None:
        from complaintctl import cli

        cli.main()
        return
    from complaintctl import i18n

    i18n.choose(plan.lang)

    def command() -> None:
        run.root(**plan.root)
        run.guarded(getattr(run, plan.command), **plan.kwargs)

    run._exit_now(run.finish(command))
