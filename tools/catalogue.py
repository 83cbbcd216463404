"""The message catalogues: extract, update, compile, check.

    python tools/catalogue.py update    # the .po files follow the code (new msgids
                                        # untranslated, changed ones fuzzy, gone ones out)
    python tools/catalogue.py compile   # .po -> .mo (committed; the wheel carries it)
    python tools/catalogue.py check     # what tests/test_catalogue.py asserts

What is extracted (with Babel, from complaintctl/):
- every `_("…")`, `N_("…")` and `ngettext("…", "…", n)` in the code;
- every help text of the command tree Typer builds from cli.py (commands'
  docstrings, `help=` of options and arguments, the groups' help), read from the
  tree itself, so that a help text cannot be missed and is matched exactly as
  the translating code (complaintctl/i18n_click.py) will look it up.

Translate by editing complaintctl/locale/<lang>/LC_MESSAGES/complaintctl.po (a
translation keeps every `{field}` of its msgid), then `compile`. Needs the test
extra (`pip install -e '.[test]'`: Babel).
"""

from __future__ import annotations

import argparse
import inspect
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "complaintctl"
LANGUAGES = ("zh",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "C_": ((1, "c"), 2),
            "pgettext": ((1, "c"), 2), "NC_": ((1, "c"), 2)}
FIELD = re.compile(r"\{(\w*)((?:![rsa])?(?::[^{}]*)?)\}")


def po_path(lang: str) -> Path:
    return PACKAGE / "locale" / lang / "LC_MESSAGES" / "complaintctl.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


# --- extraction --------------------------------------------------------------------

def _help_texts() -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of every help text in the command tree."""
    sys.path.insert(0, str(ROOT))
    import typer.main

    from complaintctl import cli

    source = (PACKAGE / "cli.py").read_text(encoding="utf-8")

    def line_of(text: str, default: int) -> int:
        first = text.strip().splitlines()[0][:40]
        at = source.find(first)
        return source.count("\n", 0, at) + 1 if at >= 0 else default

    def walk(cmd, where: int):  # noqa: ANN001, ANN202
        callback = inspect.unwrap(cmd.callback) if cmd.callback else None
        here = callback.__code__.co_firstlineno if callback else where
        for text in (cmd.help, cmd.short_help):
            if text:
                yield "complaintctl/cli.py", line_of(text, here), text
        for param in cmd.params:
            if getattr(param, "help", None):
                yield "complaintctl/cli.py", line_of(param.help, here), param.help
        for sub in getattr(cmd, "commands", {}).values():
            yield from walk(sub, here)

    yield from walk(typer.main.get_command(cli.app), 1)


def extract() -> Catalog:
    """The template: every message the code can show, in source order."""
    template = Catalog(project="complaintctl", charset="utf-8", fuzzy=False)
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")],
                             keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
                             strip_comment_tags=True)
    for filename, lineno, message, comments, context in sorted(
            found, key=lambda m: (m[0], m[1])):
        template.add(message, locations=[(f"complaintctl/{filename}", lineno)],
                     auto_comments=comments, context=context)
    for filename, lineno, text in _help_texts():
        template.add(text, locations=[(filename, lineno)], auto_comments=["help text"])
    return template


# --- the .po and .mo ------------------------------------------------------------------

def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain="complaintctl")


def update(lang: str) -> Catalog:
    """The .po brought in line with the code: new messages untranslated, changed
    ones with their old translation marked fuzzy, vanished ones dropped."""
    template = extract()
    path = po_path(lang)
    if path.exists():
        catalog = read(lang)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=lang, domain="complaintctl", project="complaintctl",
                          charset="utf-8", fuzzy=False)
    catalog.update(template, update_header_comment=False, update_creation_date=False)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, ignore_obsolete=True, include_lineno=False)
    path.write_bytes(buf.getvalue())
    return catalog


def compiled(lang: str) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, read(lang), use_fuzzy=False)
    return buf.getvalue()


def compile_mo(lang: str) -> None:
    mo_path(lang).write_bytes(compiled(lang))


def messages_of_mo(data: bytes) -> dict[object, object]:
    """A compiled catalogue's messages (header aside), to compare two .mo files
    whatever Babel version wrote them."""
    def key(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value

    catalog = read_mo(io.BytesIO(data))
    return {(m.context, key(m.id)): key(m.string) for m in catalog if m.id}


# --- the checks ------------------------------------------------------------------

def _named(context: str | None, msgid: object) -> str:
    return f"{msgid!r} (context {context!r})" if context else repr(msgid)


def fields(text: str) -> list[str]:
    """The fields a text formats, by name: a translation may quote one its own way
    ({name} for {name!r})."""
    return sorted(m.group(0).replace("!r}", "}") for m in FIELD.finditer(text))


def problems(lang: str) -> list[str]:
    """Everything that keeps the catalogue of `lang` from being complete and
    current: empty list when it is."""
    out = []
    template = extract()
    catalog = read(lang)
    wanted = {(m.context, m.id) for m in template if m.id}
    have = {(m.context, m.id) for m in catalog if m.id}
    out += [f"not in the catalogue (run update): {_named(*i)}" for i in wanted - have]
    out += [f"in the catalogue but no longer in the code (run update): {_named(*i)}"
            for i in have - wanted]
    for m in catalog:
        if not m.id or (m.context, m.id) not in wanted:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            out.append(f"fuzzy (check the translation, then drop the flag): {m.id!r}")
        if not all(strings):
            out.append(f"untranslated: {m.id!r}")
            continue
        # a language of one plural form (Chinese) says every count, one included, in
        # that form: it has the plural's fields (the count a singular leaves unsaid:
        # 一条 for 2 steps); of two forms or more, the singular's and the plural's
        expected = [ids[-1]] * len(strings) if len(strings) == 1 else \
            [ids[0], *[ids[-1]] * (len(strings) - 1)]
        for s, source in zip(strings, expected, strict=True):
            if fields(s) != fields(source):
                out.append(f"fields differ: {m.id!r} has {fields(source)}, "
                           f"the translation {fields(s)}")
    if not mo_path(lang).exists():
        out.append(f"{mo_path(lang).relative_to(ROOT)} is missing (run compile)")
    elif messages_of_mo(mo_path(lang).read_bytes()) != messages_of_mo(compiled(lang)):
        out.append(f"{mo_path(lang).relative_to(ROOT)} is older than the .po (run compile)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("update", "compile", "check"))
    parser.add_argument("--lang", action="append", choices=LANGUAGES)
    args = parser.parse_args()
    status = 0
    for lang in args.lang or LANGUAGES:
        if args.action == "update":
            catalog = update(lang)
            todo = sum(1 for m in catalog if m.id and (m.fuzzy or not all(
                m.string if isinstance(m.string, tuple) else (m.string,))))
            print(f"{po_path(lang).relative_to(ROOT)}: {len(catalog)} messages, "
                  f"{todo} to translate or check")
        elif args.action == "compile":
            compile_mo(lang)
            print(f"wrote {mo_path(lang).relative_to(ROOT)}")
        else:
            found = problems(lang)
            for p in found:
                print(f"{lang}: {p}")
            status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
