"""The display language (stub: the i18n work replaces the body, keeping these names).

`_(msgid)` translates a message; `lang()` is the current display language, "en" or
"zh", for labels that come from the word table (`words.label(field, code, lang())`).
"""

from __future__ import annotations

_LANG = "en"


def _(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def lang() -> str:
    return _LANG


def set_lang(value: str) -> None:
    global _LANG
    _LANG = value
