"""A receipt of returned goods may be a correction (`return correct`): the difference
between the count typed and the count that came, which may be less than none. The
CHECK of return_receipts.qty is relaxed from qty > 0 to qty != 0; every stored row
still satisfies it, so the table's definition is rewritten in place, as migration 7
rewrote its CHECKs (https://www.sqlite.org/lang_altertable.html#otheralter).
"""

from __future__ import annotations

import sqlite3

OLD = "qty INTEGER NOT NULL CHECK (qty > 0)"
NEW = "qty INTEGER NOT NULL CHECK (qty != 0)"


def upgrade(cur: sqlite3.Cursor) -> None:
    (sql,) = cur.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                         "name = 'return_receipts'").fetchone()
    if OLD not in sql:  # (made from a schema that has it already)
        return
    version = cur.execute("PRAGMA schema_version").fetchone()[0]
    cur.execute("PRAGMA writable_schema = ON")
    cur.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND "
                "name = 'return_receipts'", (sql.replace(OLD, NEW, 1),))
    cur.execute(f"PRAGMA schema_version = {version + 1}")
    cur.execute("PRAGMA writable_schema = OFF")
