"""Events that hold up in an audit (issue 13).

- `events.login`: the operating-system account behind a step, beside the actor
  (whom --as names). Unknown for the events before this step.
- `events.hash`: a hash chain. An event's hash covers the previous event's hash
  and its own columns exactly as stored (store.event_hash, restated here
  because a migration never changes once released).
- `complaints.contact_salt`: a contact's clear value now lives only in
  `complaints.contact`; events hold "h:" + sha256(salt + value) instead, so that
  erasing the value and its salt leaves a history that still verifies. Old
  events' clear contacts are rewritten here, with secure_delete on so that their
  bytes do not stay behind in free space.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from sqlite3 import Cursor
from typing import Any

_COLUMNS = ("complaint_id, return_id, at, recorded_at, actor, login, kind, data, old")
_BATCH = 20_000


def _hash(previous: str, row: tuple[Any, ...]) -> str:
    text = "\x1f".join([previous, *("" if v is None else str(v) for v in row)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ref(salt: str, value: str) -> str:
    return "h:" + hashlib.sha256((salt + value).encode("utf-8")).hexdigest()[:32]


def _without_contact(document: str | None, salt: str | None) -> str | None:
    if document is None or '"contact"' not in document:
        return document
    data = json.loads(document)
    value = data.get("contact")
    if isinstance(value, str) and not value.startswith("h:"):
        data["contact"] = _ref(salt or secrets.token_hex(8), value)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def upgrade(cur: Cursor) -> None:
    cur.execute("PRAGMA secure_delete = ON")
    cur.execute("ALTER TABLE complaints ADD COLUMN contact_salt TEXT")
    cur.execute("ALTER TABLE events ADD COLUMN login TEXT")
    cur.execute("ALTER TABLE events ADD COLUMN hash TEXT")
    salts: dict[str, str] = {}
    for (cid,) in cur.execute("SELECT id FROM complaints WHERE contact IS NOT NULL").fetchall():
        salts[cid] = secrets.token_hex(8)
    cur.executemany("UPDATE complaints SET contact_salt = ? WHERE id = ?",
                    [(salt, cid) for cid, salt in salts.items()])
    cur.execute("DROP TRIGGER events_no_update")
    previous, last = "", 0
    while True:
        rows = cur.execute(f"SELECT id, {_COLUMNS} FROM events WHERE id > ? ORDER BY id "
                           f"LIMIT {_BATCH}", (last,)).fetchall()
        if not rows:
            break
        changes = []
        for event_id, *values in rows:
            salt = salts.get(values[0]) if values[0] else None
            values[7] = _without_contact(values[7], salt)
            values[8] = _without_contact(values[8], salt)
            previous = _hash(previous, tuple(values))
            changes.append((values[7], values[8], previous, event_id))
        cur.executemany("UPDATE events SET data = ?, old = ?, hash = ? WHERE id = ?", changes)
        last = rows[-1][0]
    cur.execute("CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
                "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")
