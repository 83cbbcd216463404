"""Issue 16: the last contact with the customer, kept on the complaint — the latest of
its intake (received_at), its contact notes (any kind but internal) and its revisits.
A listing worked it out with two subqueries a row, 45 % of its SQL. Derived data: the
triggers below keep it with every complaint, contact note, revisit and amended receipt
(the bulk writer sets the revisit trigger aside and writes the column itself), and
`verify` recounts it.

A function rather than SQL: a step that finds the column there already (a ledger
stamped back to an older version, as tests do) adds only what is missing (SQLite's
ALTER TABLE ADD COLUMN has no IF NOT EXISTS)."""

from __future__ import annotations

from sqlite3 import Cursor

FILL = """UPDATE complaints SET last_contact_at = max(received_at,
    coalesce((SELECT max(n.at) FROM notes n WHERE n.complaint_id = complaints.id
              AND n.kind != 'internal'), ''),
    coalesce((SELECT max(v.at) FROM revisits v WHERE v.complaint_id = complaints.id), ''))"""

TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS last_contact_logged AFTER INSERT ON complaints
WHEN NEW.last_contact_at IS NULL
BEGIN
    UPDATE complaints SET last_contact_at = NEW.received_at WHERE id = NEW.id;
END""",
    """CREATE TRIGGER IF NOT EXISTS last_contact_received AFTER UPDATE OF received_at ON complaints
WHEN OLD.received_at IS NOT NEW.received_at
BEGIN
    UPDATE complaints SET last_contact_at = max(NEW.received_at,
        coalesce((SELECT max(n.at) FROM notes n WHERE n.complaint_id = NEW.id
                  AND n.kind != 'internal'), ''),
        coalesce((SELECT max(v.at) FROM revisits v WHERE v.complaint_id = NEW.id), ''))
    WHERE id = NEW.id;
END""",
    """CREATE TRIGGER IF NOT EXISTS last_contact_note AFTER INSERT ON notes
WHEN NEW.kind != 'internal'
BEGIN
    UPDATE complaints SET last_contact_at = NEW.at
    WHERE id = NEW.complaint_id AND last_contact_at < NEW.at;
END""",
    """CREATE TRIGGER IF NOT EXISTS last_contact_revisit AFTER INSERT ON revisits
BEGIN
    UPDATE complaints SET last_contact_at = NEW.at
    WHERE id = NEW.complaint_id AND last_contact_at < NEW.at;
END""",
)


def upgrade(cur: Cursor) -> None:
    have = {row[1] for row in cur.execute("PRAGMA table_info(complaints)").fetchall()}
    if "last_contact_at" not in have:
        cur.execute("ALTER TABLE complaints ADD COLUMN last_contact_at TEXT")
    cur.execute(FILL)
    for sql in TRIGGERS:
        cur.execute(sql)
