"""Numbered forward migrations: ``NNNN_name.sql`` in this folder, or
``NNNN_name.py`` with an ``upgrade(cursor)`` for a step SQL alone cannot say.

``0001_initial.sql`` is the oldest schema, frozen. A fresh ledger is built
from ``schema.sql`` (the current schema) and stamped with the latest number;
an older ledger gets every later step, in order, in one transaction when it is
opened. tests/test_schema.py proves both roads lead to the same schema.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from sqlite3 import Cursor

Step = str | Callable[[Cursor], None]

# The number of the newest NNNN_* step here (tests/test_schema.py checks it), so
# that opening an up-to-date ledger reads no files.
LATEST = 21


def steps() -> list[tuple[int, str, Step]]:
    """(number, name, SQL text or upgrade function) for every migration, in order."""
    from importlib import import_module, resources

    folder = resources.files(__name__)
    found: list[tuple[int, str, Step]] = []
    for entry in folder.iterdir():
        name = entry.name
        if not name[:4].isdigit():
            continue
        if name.endswith(".sql"):
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
        elif name.endswith(".py"):
            found.append((int(name[:4]), name,
                          import_module(f"{__name__}.{name[:-3]}").upgrade))
    return sorted(found, key=lambda step: step[0])


def latest() -> int:
    return LATEST


def current_schema() -> str:
    """The text of schema.sql: packaged in the wheel, or at the checkout's root."""
    from importlib import resources

    packaged = resources.files("complaintctl") / "schema.sql"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "schema.sql").read_text(encoding="utf-8")
