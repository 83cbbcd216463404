"""complaintctl: the customer-complaint procedure in one SQLite ledger."""

import os as _os
import signal as _signal
import sys as _sys

__version__ = "0.1.0"

# What _early_stop says (the catalogue's words: tests/test_entry.py compares them).
EARLY_STOP = {"en": "Interrupted; nothing was written.", "zh": "已中断，未写入任何内容。"}


def _early_lang(value: str | None) -> str | None:
    """i18n.normalise, without importing i18n: "zh", "en" or None."""
    text = (value or "").strip().lower()
    if text in ("中文", "汉语", "简体中文", "chinese", "zh") or text.startswith(
            ("zh_", "zh-", "zh.")):
        return "zh"
    if text in ("英文", "英语", "english", "en") or text.startswith(("en_", "en-", "en.")):
        return "en"
    return None


def _early_chinese() -> bool:
    """Whether the run asks for Chinese, as far as its first moments can tell, in
    i18n.choose's order (--lang, COMPLAINTCTL_LANG, the locale as gettext reads it),
    without the ledger's setting."""
    argv = _sys.argv
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else \
            arg[7:] if arg.startswith("--lang=") else None
        if _early_lang(value):
            return _early_lang(value) == "zh"
    if _early_lang(_os.environ.get("COMPLAINTCTL_LANG")):
        return _early_lang(_os.environ.get("COMPLAINTCTL_LANG")) == "zh"
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = _os.environ.get(var)
        if value:  # (i18n.from_locale: the first set, a list tried in order)
            for item in value.split(":"):
                name = item.split(".")[0].split("@")[0]
                if name in ("C", "POSIX"):
                    return False
                if _early_lang(name):
                    return _early_lang(name) == "zh"
            return False
    return False


def _early_stop(_signum: int, _frame: object) -> None:
    """Ctrl-C, SIGTERM or SIGHUP while the program's first modules load, before
    dispatch.main sets its own handling: nothing was written, so one line and exit 130
    (it printed a Python traceback, or died without a word)."""
    try:
        text = EARLY_STOP["zh" if _early_chinese() else "en"]
        _os.write(2, (text + "\n").encode("utf-8"))
    finally:
        _os._exit(130)


def _the_program(argv: list[str]) -> bool:
    """Whether the interpreter was started as complaintctl (the command line it was
    given, sys.orig_argv): its console script, or `python -m complaintctl`. Not another
    program importing the package (`python -m other` has argv[0] '-m' too while packages
    load), nor verify's worker processes (started with -c, then given the parent's argv)."""
    args = argv[1:]
    while args and args[0].startswith("-") and not args[0].startswith(("-m", "-c")):
        # the interpreter's own options (-I, -X importtime, -W error …)
        args = args[2:] if args[0] in ("-X", "-W", "--check-hash-based-pycs") else args[1:]
    if not args or args[0].startswith("-c"):
        return False
    if args[0].startswith("-m"):  # -m complaintctl, or -mcomplaintctl
        module = args[0][2:] or (args[1] if len(args) > 1 else "")
        return module == "complaintctl"
    name = _os.path.basename(args[0]).lower()
    return name in ("complaintctl", "complaintctl.exe", "complaintctl-script.py")


# Only when this package is the program: a library importing it keeps its signals.
if _the_program(list(getattr(_sys, "orig_argv", ()))):
    for _name in ("SIGINT", "SIGTERM", "SIGHUP"):
        _number = getattr(_signal, _name, None)
        if _number is not None and _signal.getsignal(_number) in (
                _signal.SIG_DFL, _signal.default_int_handler):  # (ignored stays ignored)
            _signal.signal(_number, _early_stop)
