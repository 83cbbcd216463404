"""The repeat check matched a complaint's customer and product exactly: ACME and
Acme, xd-200 and XD-200, 华东电器 有限公司 and 华东电器有限公司 were no repeat of each other.
complaints.repeat_key holds what the check matches by now (parse.repeat_key), filled
here for every complaint, with the index the check reads.

The links made before stay as they are (each was set with its event); complaints
logged, amended or voided from now on are matched by the key, and so are those a
step relinks. A function rather than SQL: the key is worked out in Python (a step
that finds the column there already adds only what is missing)."""

from __future__ import annotations

from sqlite3 import Cursor

INDEX = """CREATE INDEX IF NOT EXISTS complaints_repeat_key ON complaints (repeat_key, received_at)
    WHERE repeat_key IS NOT NULL"""


def upgrade(cur: Cursor) -> None:
    from complaintctl.parse import repeat_key

    have = {row[1] for row in cur.execute("PRAGMA table_info(complaints)").fetchall()}
    if "repeat_key" not in have:
        cur.execute("ALTER TABLE complaints ADD COLUMN repeat_key TEXT")
    cur.connection.create_function("complaintctl_repeat_key", 2, repeat_key,
                                   deterministic=True)
    cur.execute("UPDATE complaints SET repeat_key = complaintctl_repeat_key(customer, product)")
    cur.execute(INDEX)
