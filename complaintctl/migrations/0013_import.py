"""Issue 15 (import): a complaint brought in from an old register keeps that register's
own id (`source_key`, searched by `show --ref` / `list --ref` and by a re-import) and
the import batch it came in with; every import is a batch, so that a wrong one can be
voided as a whole (`import --void-batch`).

A function rather than SQL: a step that finds its table or columns there already
(a ledger stamped back to an older version, as tests do) adds only what is missing
(SQLite's ALTER TABLE ADD COLUMN has no IF NOT EXISTS)."""

from __future__ import annotations

from sqlite3 import Cursor

BATCHES = """CREATE TABLE IF NOT EXISTS import_batches (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    mapping TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0 CHECK (rows >= 0),
    added INTEGER NOT NULL DEFAULT 0 CHECK (added >= 0),
    updated INTEGER NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged INTEGER NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    conflicts INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0),
    refused INTEGER NOT NULL DEFAULT 0 CHECK (refused >= 0),
    voided_at TEXT,
    void_reason TEXT
)"""

COLUMNS = (("source_key", "source_key TEXT"),
           ("import_batch", "import_batch INTEGER REFERENCES import_batches (id)"))

INDEXES = (
    "CREATE INDEX IF NOT EXISTS complaints_source_key ON complaints (source_key) "
    "WHERE source_key IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS complaints_import_batch ON complaints (import_batch) "
    "WHERE import_batch IS NOT NULL",
)


def upgrade(cur: Cursor) -> None:
    cur.execute(BATCHES)
    have = {row[1] for row in cur.execute("PRAGMA table_info(complaints)").fetchall()}
    for name, definition in COLUMNS:
        if name not in have:
            cur.execute(f"ALTER TABLE complaints ADD COLUMN {definition}")
    for sql in INDEXES:
        cur.execute(sql)
