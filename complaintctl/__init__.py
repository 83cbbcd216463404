"""complaintctl: the customer-complaint procedure in one SQLite ledger."""

import os as _os
import signal as _signal
import sys as _sys
from collections.abc import Mapping

__version__ = "0.1.0"

# What _early_stop says (the catalogue's words: tests/test_entry.py compares them).
EARLY_STOP = {"en": "Interrupted; nothing was written.", "zh": "已中断，未写入任何内容。"}


# The languages of the interface, and the names typed for them (i18n's, here: the early
# interrupt says its words before i18n loads).
LANGUAGES = ("en", "zh")
_LANGUAGE_NAMES = {"中文": "zh", "汉语": "zh", "简体中文": "zh", "chinese": "zh",
                   "英文": "en", "英语": "en", "english": "en"}


def language_of(value: str | None) -> str | None:
    """"en" or "zh" for a language the user may type (zh, zh_CN, zh-Hans, 中文, en,
    en_US, English ...); None for anything else (i18n.normalise)."""
    if not value:
        return None
    text = value.strip().lower()
    if text in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[text]
    for code in LANGUAGES:
        if text == code or text.startswith((code + "_", code + "-", code + ".")):
            return code
    return None


def locale_language(environ: Mapping[str, str]) -> str | None:
    """The language the locale asks for, read as gettext reads it: the first of
    LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set, a colon-separated list
    tried in order; `zh*` is Chinese, `en*`, `C` and `POSIX` English. None when
    it names neither (another language: English is then shown) (i18n.from_locale)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if not value:
            continue
        for item in value.split(":"):
            name = item.split(".")[0].split("@")[0]
            if name in ("C", "POSIX"):
                return "en"
            code = language_of(name)
            if code is not None:
                return code
        return None
    return None


def _early_chinese() -> bool:
    """Whether the run asks for Chinese, as far as its first moments can tell, in
    i18n.choose's order (--lang, COMPLAINTCTL_LANG, the locale), without the ledger's
    setting."""
    argv = _sys.argv
    for i, arg in enumerate(argv):
        code = language_of(argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else
                           arg[7:] if arg.startswith("--lang=") else None)
        if code:
            return code == "zh"
    code = language_of(_os.environ.get("COMPLAINTCTL_LANG")) or \
        locale_language(_os.environ)
    return code == "zh"


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
