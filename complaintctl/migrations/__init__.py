"""Numbered forward migrations: ``NNNN_name.sql`` in this folder.

``0001_initial.sql`` is the oldest schema, frozen. A fresh ledger is built
from ``schema.sql`` (the current schema) and stamped with the latest number;
an older ledger gets every later step, in order, in one transaction when it is
opened. tests/test_schema.py proves both roads lead to the same schema.
"""

from __future__ import annotations

from pathlib import Path

# The number of the newest NNNN_*.sql here (tests/test_schema.py checks it), so
# that opening an up-to-date ledger reads no files.
LATEST = 6


def steps() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every migration, in order."""
    from importlib import resources

    folder = resources.files(__name__)
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest() -> int:
    return LATEST


def current_schema() -> str:
    """The text of schema.sql: packaged in the wheel, or at the checkout's root."""
    from importlib import resources

    packaged = resources.files("complaintctl") / "schema.sql"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "schema.sql").read_text(encoding="utf-8")
