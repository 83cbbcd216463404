"""The ledger: one SQLite file. Opens it (path, pragmas, permissions,
migrations) and owns every write: one ``BEGIN IMMEDIATE`` transaction per
command, the state change and its append-only event row side by side.

Every method takes the instant `now` and the acting user from the caller; the
clock is read in cli.py only.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaintctl import deadlines, migrations, returns, workflow
from complaintctl.errors import BadInput, LedgerError, NotFound, Refused
from complaintctl.parse import CATEGORIES, format_money, from_iso, iso, mask

UTC = timezone.utc
BUSY_TIMEOUT_MS = 30_000

DEFAULT_SETTINGS = {
    "country": "CN",
    "timezone": "UTC",
    "currency": "CNY",
    "id_prefix": "CC",
    "return_prefix": "RMA",
    "repeat_window_days": "90",
    "categories": json.dumps(list(CATEGORIES)),
}

# Indexes that the write steps read (repeat check, a complaint's or a return's
# stages, a complaint's returns): a bulk write keeps them; it drops the others
# and builds them again before it commits.
WRITE_PATH_INDEXES = frozenset({"complaints_repeat", "stages_complaint", "stages_return",
                                "returns_complaint"})

# Years of the country calendar copied into the ledger, around the year it is set.
CALENDAR_YEARS_BACK, CALENDAR_YEARS_AHEAD = 10, 5

# Intake fields `amend` may correct (option name → column).
AMENDABLE = ("customer", "contact", "channel", "region", "order_no", "product", "lot",
             "quantity", "shipped_on", "category", "severity", "demand", "description",
             "received_at")


class Outcome:
    """What a write command did: the record's id and anything worth saying."""

    def __init__(self, id: str, status: str | None = None, *,  # noqa: A002
                 warnings: list[str] | None = None, data: dict[str, Any] | None = None):
        self.id, self.status = id, status
        self.warnings: list[str] = warnings or []
        self.notes: list[str] = []
        self.data: dict[str, Any] = data or {}


def _make_encode() -> Callable[[Any], str]:
    """json.dumps(..., ensure_ascii=False, sort_keys=True), its C encoder built once:
    JSONEncoder.encode builds one for each call, and every event stores two
    documents (with no cycles to look for)."""
    base = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
    make = getattr(json.encoder, "c_make_encoder", None)
    try:
        encoder = make(None, base.default, json.encoder.encode_basestring, None,
                       base.key_separator, base.item_separator, True, False, True)
    except TypeError:  # no C encoder, or not the one this was written for
        return base.encode
    return lambda document: "".join(encoder(document, 0))


_encode = _make_encode()


def _dumps(data: dict[str, Any] | None) -> str | None:
    if data is None:
        return None
    return _encode({k: v for k, v in data.items() if v is not None})


_INSERT_EVENT = ("INSERT INTO events (complaint_id, return_id, at, recorded_at, actor, kind, "
                 "data, old) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_STAGE = ("INSERT INTO stages (complaint_id, return_id, stage, round, started_at, due_at, "
                 "done_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


def _secure_dir(path: Path) -> None:
    """Create the ledger's folder 0700; one that exists is left as it is."""
    if path.exists():
        return
    try:
        path.mkdir(parents=True, mode=0o700)
    except FileExistsError:  # another complaintctl made it a moment ago
        return
    os.chmod(path, 0o700)


def _secure_file(path: Path) -> None:
    """Create the file 0600 before SQLite does, so its WAL/SHM files are 0600 too."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class _Held:
    """Bulk mode (demo): a new complaint's row, stages (its returns' too) and events
    kept in memory while it takes its steps, then written once (_release): one
    UPDATE of the columns that changed, the stages as they ended up and the
    events, each in the order they came. Its other rows (findings, returns...)
    are written as they come."""

    __slots__ = ("row", "changed", "stages", "events")

    def __init__(self, row: dict[str, Any]):
        self.row = row
        self.changed: dict[str, Any] = {}
        self.stages: list[list[Any]] = []
        self.events: list[tuple[Any, ...]] = []


class Ledger:
    # In a bulk write, hold each new complaint in memory until it is done with
    # (tests turn this off to prove a held demo and a written-through one equal).
    HOLD_IN_BULK = True

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn = conn
        self.path = path
        self._hold = False
        self._held: _Held | None = None
        self._blank: dict[str, Any] | None = None
        self._settings: dict[str, str] | None = None
        self._categories: tuple[str, ...] | None = None
        self._calendar: deadlines.Calendar | None = None
        self._policy: dict[str, dict[str, str | None]] | None = None
        self._tz: ZoneInfo | None = None

    # --- opening ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, now: datetime, create: bool = True,
             init: dict[str, str] | None = None) -> Ledger:
        """Open (and create, or upgrade) the ledger at `path`."""
        path = Path(path).expanduser()
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise NotFound(f"no ledger at {path}", hint="create one with: complaintctl init")
        try:
            if not exists:
                _secure_dir(path.parent)
                _secure_file(path)
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                                   cached_statements=1024)
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(f"cannot open ledger {path}: {exc}") from None
        ledger = cls(conn, path)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -65536")  # 64 MiB at most, allocated as used
            # Statement journals (one per INSERT/UPDATE that may fail half-way) in memory,
            # not in temp files: a third of the cost of a complaint insert.
            conn.execute("PRAGMA temp_store = MEMORY")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                ledger._create(now, init or {})
            else:
                if init is not None:
                    raise Refused(f"{path} is already a ledger",
                                  hint="change its calendar with: complaintctl policy calendar")
                ledger._migrate(version)
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                # new; or a bulk write (demo) has it in rollback-journal mode for now:
                # then leave it so, and the next opening switches it
                ledger._journal(conn.cursor(), wal=True, wait_ms=BUSY_TIMEOUT_MS)
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise LedgerError(f"{path} is not a complaintctl ledger ({exc})") from None
        except Exception:
            conn.close()
            raise
        return ledger

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, with any complaint held in memory written first: every
        read through it sees every step taken so far."""
        if self._held is not None:
            self._release()
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def _create(self, now: datetime, init: dict[str, str]) -> None:
        settings = dict(DEFAULT_SETTINGS)
        settings.update({k: v for k, v in init.items() if v})
        try:
            ZoneInfo(settings["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(f"unknown time zone {settings['timezone']!r}",
                           hint="type an IANA name, e.g. --timezone Asia/Shanghai") from None
        country_days = self._country_days(settings["country"], now)
        with self.write() as cur:
            if cur.execute("PRAGMA user_version").fetchone()[0] != 0:
                return  # another process created it meanwhile
            for stmt in _statements(migrations.current_schema()):
                cur.execute(stmt)
            cur.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                            settings.items())
            self._store_calendar(cur, country_days)
            cur.executemany("INSERT INTO policy (stage, severity, duration) VALUES (?, ?, ?)",
                            [(st, sev, dur) for st, row in deadlines.DEFAULT_POLICY.items()
                             for sev, dur in row.items()])
            cur.executemany("INSERT INTO escalation (level, after_working_days, role) "
                            "VALUES (?, ?, ?)", deadlines.DEFAULT_ESCALATION)
            cur.execute(f"PRAGMA user_version = {migrations.latest()}")
            self._event(cur, None, "init", now, now, "system",
                        {k: v for k, v in settings.items() if k != "categories"})

    def _migrate(self, version: int) -> None:
        latest = migrations.latest()
        if version > latest:
            raise LedgerError(f"{self.path} is schema version {version}, newer than this "
                              f"complaintctl knows ({latest})", hint="upgrade complaintctl")
        if version == latest:
            return
        with self.write() as cur:
            version = cur.execute("PRAGMA user_version").fetchone()[0]
            for number, _name, step in migrations.steps():
                if number > version:
                    if isinstance(step, str):
                        for stmt in _statements(step):
                            cur.execute(stmt)
                    else:
                        step(cur)
                    cur.execute(f"PRAGMA user_version = {number}")

    # --- transactions and events -------------------------------------------

    def write(self, bulk: bool = False) -> AbstractContextManager[sqlite3.Cursor]:
        """One BEGIN IMMEDIATE transaction: all of it, or none of it.

        `bulk` (demo): the transaction holds every page it changed, so let the cache
        keep them all rather than spill and re-read them (memory grows to about the
        ledger's size); each new complaint is held in memory through its steps and
        written once (see _Held), instead of being read back and updated at every
        step; and the indexes no step reads are built once, at the end."""
        if self._conn.in_transaction and not bulk:  # inside a bigger unit (demo): join it
            return nullcontext(self._conn.cursor())
        return self._transaction(bulk)

    @contextmanager
    def _transaction(self, bulk: bool) -> Iterator[sqlite3.Cursor]:
        conn = self._conn
        cur = conn.cursor()
        if bulk:
            cur.execute("PRAGMA cache_size = -8000000")
        if conn.in_transaction:  # a bulk unit inside another: join it
            yield cur
            return
        journal = bulk and self._journal(cur, wal=False)
        self._hold = bulk and self.HOLD_IN_BULK
        try:
            try:
                cur.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise LedgerError(f"the ledger is busy ({exc})",
                                  hint="another complaintctl holds it; try again") from None
            rebuild = self._drop_indexes_for_bulk(cur) if self._hold else []
            yield cur
            self._release()
            for sql in rebuild:
                cur.execute(sql)
            cur.execute("COMMIT")
        except BaseException:
            self._held = None
            conn.rollback()
            raise
        finally:
            self._hold = False
            if journal:
                self._journal(cur, wal=True)

    @staticmethod
    def _journal(cur: sqlite3.Cursor, *, wal: bool, wait_ms: int = 0) -> bool:
        """Switch the ledger to WAL, or to a rollback journal for one bulk write. WAL
        writes each changed page twice, to the log and then into the file; a rollback
        journal copies only the pages that were there before, and a fill writes
        mostly new ones. It is as atomic, and synced in full. Leaving WAL takes only
        when no other connection has the ledger open, and either switch waits at most
        `wait_ms` for the others: returns whether it switched (if not, the ledger
        stays as it was, and the next opening switches it back to WAL)."""
        cur.execute(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            mode = cur.execute(f"PRAGMA journal_mode = {'WAL' if wal else 'DELETE'}"
                               ).fetchone()[0]
        except sqlite3.OperationalError:  # busy: leave it as it is
            return False
        finally:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        switched = mode == ("wal" if wal else "delete")
        if switched:
            cur.execute(f"PRAGMA synchronous = {'NORMAL' if wal else 'FULL'}")
        return switched

    def _drop_indexes_for_bulk(self, cur: sqlite3.Cursor) -> list[str]:
        """Drop the indexes no write step reads, to build them once at the end of the
        bulk transaction (sorting is cheaper than a million single insertions);
        returns their CREATE statements."""
        found = cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                            "AND sql IS NOT NULL").fetchall()
        dropped = [(name, sql) for name, sql in found if name not in WRITE_PATH_INDEXES]
        for name, _sql in dropped:
            cur.execute(f"DROP INDEX {name}")
        return [sql for _name, sql in dropped]

    def _release(self) -> None:
        """Write the complaint held in memory: what changed in its row, its stages and
        its events."""
        held, self._held = self._held, None
        if held is None:
            return
        cur = self._conn.cursor()
        if held.changed:
            self._update(cur, held.row["id"], held.changed)
        cur.executemany(_INSERT_STAGE, held.stages)
        cur.executemany(_INSERT_EVENT, held.events)

    def _holding(self, complaint_id: str) -> _Held | None:
        held = self._held
        return held if held is not None and held.row["id"] == complaint_id else None

    def _blank_complaint(self) -> dict[str, Any]:
        """Every column of a complaint row with its default, in table order."""
        if self._blank is None:
            cols = self._conn.execute("PRAGMA table_info(complaints)").fetchall()
            values = self._conn.execute(
                "SELECT " + ", ".join(c[4] or "NULL" for c in cols)).fetchone()
            self._blank = {c[1]: v for c, v in zip(cols, values, strict=True)}
        return self._blank

    def _event(self, cur: sqlite3.Cursor, complaint_id: str | None, kind: str, at: datetime,
               now: datetime, actor: str, data: dict[str, Any],
               old: dict[str, Any] | None = None, return_id: str | None = None) -> None:
        row = (complaint_id, return_id, iso(at), iso(now), actor, kind, _dumps(data),
               _dumps(old))
        held = self._holding(complaint_id) if complaint_id else None
        if held is not None:
            held.events.append(row)
        else:
            cur.execute(_INSERT_EVENT, row)

    # --- settings, policy, calendar ---------------------------------------

    @property
    def settings(self) -> dict[str, str]:
        if self._settings is None:
            self._settings = dict(self.conn.execute("SELECT key, value FROM settings"))
        return self._settings

    @property
    def tz(self) -> ZoneInfo:
        if self._tz is None:
            self._tz = ZoneInfo(self.settings["timezone"])
        return self._tz

    @property
    def currency(self) -> str:
        return self.settings["currency"]

    @property
    def categories(self) -> tuple[str, ...]:
        if self._categories is None:
            self._categories = tuple(json.loads(self.settings["categories"]))
        return self._categories

    def policy(self) -> dict[str, dict[str, str | None]]:
        if self._policy is None:
            table: dict[str, dict[str, str | None]] = {}
            for stage, sev, dur in self.conn.execute("SELECT stage, severity, duration "
                                                     "FROM policy"):
                table.setdefault(stage, {})[sev] = dur
            self._policy = table
        return self._policy

    def escalation(self) -> tuple[tuple[int, int, str], ...]:
        return tuple(self.conn.execute("SELECT level, after_working_days, role FROM escalation "
                                       "ORDER BY level"))

    def calendar(self) -> deadlines.Calendar:
        if self._calendar is None:
            hol: set[date] = set()
            work: set[date] = set()
            user_years: set[int] = set()
            rows = self.conn.execute("SELECT day, source, kind FROM calendar_days "
                                     "ORDER BY source")  # 'user' after 'country': it wins
            for day_s, source, kind in rows:
                day = date.fromisoformat(day_s)
                if kind == "workday":
                    work.add(day)
                    hol.discard(day)
                else:
                    hol.add(day)
                    if source == "user":
                        work.discard(day)
                if source == "user" and kind in ("holiday", "workday"):
                    user_years.add(day.year)
            s = self.settings
            covered = s.get("calendar_covered_until")
            self._calendar = deadlines.Calendar(
                weekend=frozenset(json.loads(s.get("calendar_weekend", "[5, 6]"))),
                holidays=frozenset(hol), workdays=frozenset(work),
                covered_until=int(covered) if covered else None,
                user_years=frozenset(user_years))
        return self._calendar

    def _country_days(self, country: str, now: datetime) -> dict[str, Any]:
        year = now.year
        years = range(year - CALENDAR_YEARS_BACK, year + CALENDAR_YEARS_AHEAD + 1)
        found, workdays, weekend, covered = deadlines.load_country_calendar(country, years)
        return {"country": country.upper(), "holidays": found, "workdays": workdays,
                "weekend": weekend, "covered": covered, "years": years}

    def _store_calendar(self, cur: sqlite3.Cursor, days: dict[str, Any]) -> None:
        cur.execute("DELETE FROM calendar_days WHERE source = 'country'")
        cur.executemany("INSERT INTO calendar_days (day, source, kind, name) "
                        "VALUES (?, 'country', 'holiday', ?)",
                        [(d.isoformat(), n) for d, n in sorted(days["holidays"].items())])
        cur.executemany("INSERT INTO calendar_days (day, source, kind, name) "
                        "VALUES (?, 'country', 'workday', 'make-up working day')",
                        [(d.isoformat(),) for d in sorted(days["workdays"])])
        values = {"country": days["country"],
                  "calendar_weekend": json.dumps(sorted(days["weekend"])),
                  "calendar_covered_until": "" if days["covered"] is None
                  else str(days["covered"]),
                  "calendar_years": f"{days['years'].start}-{days['years'].stop - 1}"}
        cur.executemany("INSERT INTO settings (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        values.items())
        self._settings = None
        self._categories = None
        self._calendar = None
        self._tz = None

    def set_policy(self, stage: str, severity: str, duration: str | None, *, now: datetime,
                   actor: str, role: str | None = None) -> list[tuple[str, str, str | None]]:
        """`policy set`: change deadlines for stages that start from now on."""
        if stage == "escalation":
            return self._set_escalation(severity, duration, role, now=now, actor=actor)
        if stage not in deadlines.POLICY_STAGES:
            raise BadInput(f"unknown stage {stage!r}",
                           hint="one of: " + ", ".join(deadlines.POLICY_STAGES)
                           + ", escalation")
        sevs = deadlines.SEVERITIES if severity == "all" else (severity,)
        if severity != "all" and severity not in deadlines.SEVERITIES:
            raise BadInput(f"unknown severity {severity!r}",
                           hint="one of: " + ", ".join(deadlines.SEVERITIES) + ", all")
        if duration is not None and duration.lower() not in ("none", "-"):
            duration = str(deadlines.parse_duration(duration))
        else:
            duration = None
        old = self.policy()
        changes = [(stage, sev, duration) for sev in sevs]
        with self.write() as cur:
            cur.executemany("UPDATE policy SET duration = ? WHERE stage = ? AND severity = ?",
                            [(d, st, sv) for st, sv, d in changes])
            self._event(cur, None, "policy-set", now, now, actor,
                        {"stage": stage, "severities": list(sevs), "duration": duration},
                        {"durations": {sv: old.get(stage, {}).get(sv) for sv in sevs}})
        self._policy = None
        return changes

    def _set_escalation(self, level_s: str, duration: str | None, role: str | None, *,
                        now: datetime, actor: str) -> list[tuple[str, str, str | None]]:
        if not level_s.isdigit() or not 1 <= int(level_s) <= 9:
            raise BadInput(f"escalation level {level_s!r} is not a number from 1 to 9",
                           hint="e.g. complaintctl policy set escalation 2 1wd --role 分总")
        level = int(level_s)
        if duration is None:
            raise BadInput("give the working days late, e.g. 0wd, 1wd")
        raw = duration.strip().lower()
        if not (raw.endswith("wd") and raw[:-2].strip().isdigit()):
            raise BadInput(f"escalation threshold {duration!r} must be working days, e.g. 1wd")
        after = int(raw[:-2])
        old = {lvl: (a, r) for lvl, a, r in self.escalation()}
        if role is None and level not in old:
            raise BadInput(f"escalation level {level} is new: name whom it goes to with --role")
        role = role or old[level][1]
        with self.write() as cur:
            cur.execute("INSERT INTO escalation (level, after_working_days, role) "
                        "VALUES (?, ?, ?) ON CONFLICT (level) DO UPDATE SET "
                        "after_working_days = excluded.after_working_days, role = excluded.role",
                        (level, after, role))
            self._event(cur, None, "policy-set", now, now, actor,
                        {"escalation_level": level, "after_working_days": after, "role": role},
                        {"after_working_days": old.get(level, (None,))[0],
                         "role": old.get(level, (None, None))[1]})
        return [("escalation", str(level), f"{after}wd {role}")]

    def set_calendar(self, *, now: datetime, actor: str, country: str | None = None,
                     add_holiday: list[date] | None = None, add_workday: list[date] | None = None,
                     add_closure: list[date] | None = None,
                     remove: list[date] | None = None) -> list[str]:
        """`policy calendar`: the country, and the user's own days."""
        notes: list[str] = []
        days = self._country_days(country, now) if country else None
        existing = {d: (k, n) for d, k, n in self.conn.execute(
            "SELECT day, kind, name FROM calendar_days WHERE source = 'user'")}
        with self.write() as cur:
            data: dict[str, Any] = {}
            old: dict[str, Any] = {}
            if days:
                old["country"] = self.settings.get("country")
                self._store_calendar(cur, days)
                data["country"] = days["country"]
                notes.append(f"calendar is now {days['country']}")
            for kind, group in (("holiday", add_holiday), ("workday", add_workday),
                                ("closure", add_closure)):
                for d in group or ():
                    cur.execute("INSERT INTO calendar_days (day, source, kind, name) "
                                "VALUES (?, 'user', ?, ?) ON CONFLICT (day, source) DO UPDATE "
                                "SET kind = excluded.kind, name = excluded.name",
                                (d.isoformat(), kind, f"added by {actor}"))
                    data.setdefault(f"add_{kind}", []).append(d.isoformat())
                    if d.isoformat() in existing:
                        old.setdefault("replaced", {})[d.isoformat()] = existing[d.isoformat()][0]
                    label = "company closure day" if kind == "closure" else kind
                    notes.append(f"{d.isoformat()} is now a {label}")
            for d in remove or ():
                if d.isoformat() not in existing:
                    raise Refused(f"{d.isoformat()} is not a day you added",
                                  hint="see them with: complaintctl policy show")
                cur.execute("DELETE FROM calendar_days WHERE day = ? AND source = 'user'",
                            (d.isoformat(),))
                data.setdefault("remove", []).append(d.isoformat())
                old.setdefault("removed", {})[d.isoformat()] = existing[d.isoformat()][0]
                notes.append(f"{d.isoformat()} follows the country calendar again")
            if not data:
                raise BadInput("nothing to change",
                               hint="give --country, --add-holiday, --add-workday, "
                               "--add-closure or --remove")
            self._event(cur, None, "calendar", now, now, actor, data, old or None)
        self._calendar = None
        return notes

    def set_categories(self, add: list[str], remove: list[str], *, now: datetime,
                       actor: str) -> list[str]:
        """`policy categories`: the configurable list of complaint categories."""
        old = list(self.categories)
        new = list(old)
        for word in add:
            if word in new:
                raise BadInput(f"category {word!r} is already in the list")
            new.append(word)
        for word in remove:
            if word not in new:
                raise BadInput(f"category {word!r} is not in the list",
                               hint="the list: " + ", ".join(new))
            used = self.conn.execute("SELECT count(*) FROM complaints WHERE category = ?",
                                     (word,)).fetchone()[0]
            if used:
                raise Refused(f"cannot remove category {word!r}: {used} complaints have it",
                              hint="categories in use stay, so reports can still count them")
            new.remove(word)
        if not new:
            raise Refused("the category list cannot be empty")
        with self.write() as cur:
            cur.execute("UPDATE settings SET value = ? WHERE key = 'categories'",
                        (json.dumps(new, ensure_ascii=False),))
            self._event(cur, None, "categories", now, now, actor, {"categories": new},
                        {"categories": old})
        self._settings = None
        self._categories = None
        return new

    def policy_view(self) -> dict[str, Any]:
        s = self.settings
        return {
            "country": s.get("country"),
            "timezone": s.get("timezone"),
            "currency": s.get("currency"),
            "repeat_window_days": int(s.get("repeat_window_days", "90")),
            "categories": list(self.categories),
            "calendar_years": s.get("calendar_years"),
            "calendar_covered_until": int(s["calendar_covered_until"])
            if s.get("calendar_covered_until") else None,
            "deadlines": self.policy(),
            "escalation": [{"level": lvl, "after_working_days": a, "role": r}
                           for lvl, a, r in self.escalation()],
            "user_days": [{"day": d, "kind": k, "name": n} for d, k, n in self.conn.execute(
                "SELECT day, kind, name FROM calendar_days WHERE source = 'user' ORDER BY day")],
        }

    # --- helpers ---------------------------------------------------------

    def _complaint(self, complaint_id: str, keep: bool = False) -> sqlite3.Row | dict[str, Any]:
        """The complaint's row. `keep`: the step changes this complaint's row, stages and
        events only through _update, _open_stage, _finish_stage and _event, so a
        complaint held in memory (bulk mode) may stay held; any other caller has it
        written first."""
        key = complaint_id.strip().upper()
        if keep and (held := self._holding(key)) is not None:
            return dict(held.row)
        cur = self.conn.cursor()
        cur.row_factory = sqlite3.Row
        row = cur.execute("SELECT * FROM complaints WHERE id = ?", (key,)).fetchone()
        if row is None:
            raise NotFound(f"no complaint {complaint_id!r}",
                           hint="find it with: complaintctl list --customer NAME")
        return row

    def _check_at(self, at: datetime, now: datetime, after: str | None, what: str) -> None:
        """A step's time is not in the future and not before the previous step."""
        if at > now + timedelta(seconds=60):
            raise BadInput(f"--at {self.local(at)} is in the future",
                           hint="leave --at out to record it now")
        if after and iso(at) < after:
            raise BadInput(f"--at {self.local(at)} is before {what} "
                           f"({self.local(from_iso(after))})",
                           hint="give a time after it, or leave --at out")

    def local(self, dt: datetime) -> str:
        return dt.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def _next_id(self, cur: sqlite3.Cursor, kind: str, prefix: str, year: int) -> tuple[str, int]:
        seq = cur.execute("INSERT INTO id_counters (kind, year, last) VALUES (?, ?, 1) "
                          "ON CONFLICT (kind, year) DO UPDATE SET last = last + 1 "
                          "RETURNING last", (kind, year)).fetchall()[0][0]
        return f"{prefix}-{year}-{seq:04d}", seq

    def _open_stage(self, cur: sqlite3.Cursor, complaint_id: str, stage: str, policy_key: str,
                    severity: str, start: datetime, round_: int = 1,
                    return_id: str | None = None) -> datetime | None:
        due = deadlines.stage_due(self.policy(), policy_key, severity, start, self.calendar(),
                                  self.tz)
        if due is None:
            return None
        row = [complaint_id, return_id, stage, round_, iso(start), iso(due), None, None]
        held = self._holding(complaint_id)
        if held is not None:
            held.stages.append(row)
        else:
            cur.execute(_INSERT_STAGE, row)
        return due

    def _finish_stage(self, cur: sqlite3.Cursor, complaint_id: str, stage: str | None,
                      at: datetime, outcome: str = "done", return_id: str | None = None) -> None:
        """End the open stage `stage` of the complaint (or of its return `return_id`);
        stage None: every open stage of that return."""
        held = self._holding(complaint_id)
        if held is not None:
            for row in held.stages:
                if (stage is None or row[2] == stage) and row[1] == return_id \
                        and row[6] is None:
                    row[6], row[7] = iso(at), outcome
            return
        if stage is None:
            cur.execute("UPDATE stages SET done_at = ?, outcome = ? WHERE return_id = ? "
                        "AND done_at IS NULL", (iso(at), outcome, return_id))
            return
        cur.execute("UPDATE stages SET done_at = ?, outcome = ? WHERE complaint_id = ? "
                    "AND stage = ? AND done_at IS NULL AND return_id IS ?",
                    (iso(at), outcome, complaint_id, stage, return_id))

    def _calendar_warnings(self, dues: list[datetime | None]) -> list[str]:
        years = deadlines.uncovered_years([d for d in dues if d], self.calendar(), self.tz)
        return [f"a deadline falls in {y}, which the {self.settings.get('country')} calendar "
                f"does not cover yet: it counts weekends only. Add {y}'s public holidays and "
                f"make-up working days with `complaintctl policy calendar --add-holiday DATE "
                f"--add-workday DATE`" for y in years]

    def _update(self, cur: sqlite3.Cursor, complaint_id: str, values: dict[str, Any],
                table: str = "complaints") -> None:
        """Set columns of one complaint (or one return) by id; names come from code."""
        held = self._holding(complaint_id) if table == "complaints" else None
        if held is not None:
            held.row.update(values)
            held.changed.update(values)
            return
        cols = ", ".join(f"{k} = ?" for k in values)
        cur.execute(f"UPDATE {table} SET {cols} WHERE id = ?", (*values.values(), complaint_id))

    # --- lifecycle --------------------------------------------------------

    def log(self, fields: dict[str, Any], *, received_at: datetime, now: datetime,
            actor: str) -> Outcome:
        """`log`: a new complaint, its first deadlines, and the repeat check."""
        if received_at > now + timedelta(seconds=60):
            raise BadInput(f"--received {self.local(received_at)} is in the future",
                           hint="leave --received out for now, or give when the customer "
                           "complained")
        if fields["category"] not in self.categories:
            raise BadInput(f"--category {fields['category']!r} is not one of: "
                           + ", ".join(self.categories))
        tz = self.tz
        year = now.astimezone(tz).year
        window = int(self.settings.get("repeat_window_days", "90"))
        self._release()  # the repeat check below sees every complaint as it is now
        with self.write() as cur:
            cid, seq = self._next_id(cur, "complaint", self.settings["id_prefix"], year)
            repeat_of = None
            if fields.get("product"):
                row = cur.execute(
                    "SELECT id FROM complaints WHERE customer = ? AND product = ? "
                    "AND received_at <= ? AND received_at >= ? AND status != 'void' "
                    "ORDER BY received_at DESC LIMIT 1",
                    (fields["customer"], fields["product"], iso(received_at),
                     iso(received_at - timedelta(days=window)))).fetchone()
                repeat_of = row[0] if row else None
            record = {"id": cid, "year": year, "seq": seq, "received_at": iso(received_at),
                      "logged_at": iso(now), "logged_by": actor, "status": "logged",
                      "repeat_of": repeat_of, "last_step_at": iso(received_at), **fields}
            cur.execute(f"INSERT INTO complaints ({', '.join(record)}) VALUES "
                        f"({', '.join('?' for _ in record)})", tuple(record.values()))
            if self._hold:
                self._held = _Held({**self._blank_complaint(), **record})
            sev = fields["severity"]
            dues = [self._open_stage(cur, cid, "assign", "assign", sev, received_at),
                    self._open_stage(cur, cid, "resolve", "resolve", sev, received_at)]
            self._event(cur, cid, "log", received_at, now, actor,
                        {k: v for k, v in record.items()
                         if k not in ("id", "year", "seq", "last_step_at", "status")})
        out = Outcome(cid, "logged", warnings=self._calendar_warnings(dues))
        if repeat_of:
            out.warnings.insert(0, f"repeat complaint: {fields['customer']} complained about "
                                f"{fields['product']} within {window} days in {repeat_of}; "
                                f"linked")
        out.data = {"repeat_of": repeat_of,
                    "deadlines": {"assign": dues[0], "resolve": dues[1]}}
        return out

    def assign(self, complaint_id: str, department: str, owner: str, note: str | None, *,
               at: datetime, now: datetime, actor: str) -> Outcome:
        c = self._complaint(complaint_id, keep=True)
        cid = c["id"]
        new = workflow.next_state("assign", c["status"], cid)
        self._check_at(at, now, c["last_step_at"], "the previous step")
        with self.write() as cur:
            values = {"status": new, "department": department, "owner": owner,
                      "last_step_at": iso(at)}
            due = None
            if c["assigned_at"] is None:
                values["assigned_at"] = iso(at)
                self._finish_stage(cur, cid, "assign", at)
                due = self._open_stage(cur, cid, "investigate", "investigate", c["severity"], at)
            self._update(cur, cid, values)
            cur.execute("INSERT INTO assignments (complaint_id, at, actor, department, owner, "
                        "note) VALUES (?, ?, ?, ?, ?, ?)",
                        (cid, iso(at), actor, department, owner, note))
            self._event(cur, cid, "assign", at, now, actor,
                        {"department": department, "owner": owner, "note": note,
                         "status": new},
                        {"department": c["department"], "owner": c["owner"],
                         "status": c["status"]})
        return Outcome(cid, new, warnings=self._calendar_warnings([due]))

    def investigate(self, complaint_id: str, data: dict[str, Any], *, at: datetime,
                    now: datetime, actor: str) -> Outcome:
        c = self._complaint(complaint_id, keep=True)
        cid = c["id"]
        new = workflow.next_state("investigate", c["status"], cid)
        if not any(v is not None for v in data.values()):
            raise BadInput("nothing to record",
                           hint="give --finding, --cause, --not-upheld --reason, "
                           "--containment, --corrective or --preventive")
        if data.get("validity") == "not-upheld" and not data.get("reason"):
            raise BadInput("--not-upheld needs --reason (why the complaint does not stand)")
        if data.get("responsibility") == "supplier" and not (data.get("supplier")
                                                            or c["supplier"]):
            raise BadInput("--responsibility supplier needs --supplier NAME")
        self._check_at(at, now, c["last_step_at"], "the previous step")
        concluding = data.get("root_cause") is not None or data.get("validity") == "not-upheld"
        with self.write() as cur:
            cur.execute("INSERT INTO investigations (complaint_id, at, actor, finding, validity, "
                        "reason, root_cause, cause_category, responsibility, supplier, "
                        "containment, corrective, preventive) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (cid, iso(at), actor, data.get("finding"), data.get("validity"),
                         data.get("reason"), data.get("root_cause"), data.get("cause_category"),
                         data.get("responsibility"), data.get("supplier"),
                         data.get("containment"), data.get("corrective"),
                         data.get("preventive")))
            values: dict[str, Any] = {"status": new, "last_step_at": iso(at)}
            for key in ("validity", "root_cause", "cause_category", "responsibility",
                        "supplier"):
                if data.get(key) is not None:
                    values[key] = data[key]
            if concluding and c["concluded_at"] is None:
                values["concluded_at"] = iso(at)
                self._finish_stage(cur, cid, "investigate", at)
            if data.get("root_cause") and values.get("validity") is None \
                    and c["validity"] is None:
                values["validity"] = "upheld"
            self._update(cur, cid, values)
            self._event(cur, cid, "investigate", at, now, actor, {**data, "status": new},
                        {k: c[k] for k in values if k not in ("last_step_at",)})
        return Outcome(cid, new)

    def resolve(self, complaint_id: str, disposition: str, summary: str, amount: int | None,
                approved_by: str | None, *, at: datetime, now: datetime,
                actor: str) -> Outcome:
        c = self._complaint(complaint_id, keep=True)
        cid = c["id"]
        new = workflow.next_state("resolve", c["status"], cid)
        if c["concluded_at"] is None:
            raise Refused(f"cannot resolve {cid}: its investigation has no root cause or "
                          f"not-upheld decision yet",
                          hint=f"record one: complaintctl investigate {cid} --cause TEXT "
                          f"(or --not-upheld --reason TEXT)")
        if c["validity"] == "not-upheld" and disposition != "explanation":
            raise Refused(f"cannot resolve {cid} with {disposition}: it was found not upheld",
                          hint="a not-upheld complaint resolves with --disposition explanation")
        self._check_at(at, now, c["last_step_at"], "the previous step")
        round_ = c["reopen_count"] + 1
        with self.write() as cur:
            # resolved_at is the previous round's time until this round sets it
            cur.execute("INSERT INTO resolutions (complaint_id, round, at, actor, "
                        "disposition, amount, currency, approved_by, summary, previous_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (cid, round_, iso(at), actor, disposition, amount,
                         self.currency if amount is not None else None, approved_by, summary,
                         c["resolved_at"] if round_ > 1 else None))
            self._finish_stage(cur, cid, "resolve", at)
            due = self._open_stage(cur, cid, "revisit", "revisit", c["severity"], at,
                                   round_=round_)
            values = {"status": new, "disposition": disposition, "amount": amount,
                      "currency": self.currency if amount is not None else None,
                      "approved_by": approved_by, "resolution_summary": summary,
                      "resolved_at": iso(at), "last_step_at": iso(at)}
            self._update(cur, cid, values)
            self._event(cur, cid, "resolve", at, now, actor,
                        {"disposition": disposition, "summary": summary,
                         "amount": format_money(amount),
                         "currency": values["currency"], "approved_by": approved_by,
                         "round": round_, "status": new},
                        {"status": c["status"], "disposition": c["disposition"]})
        return Outcome(cid, new, warnings=self._calendar_warnings([due]))

    def revisit(self, complaint_id: str, satisfaction: str, method: str | None,
                demand_met: bool | None, note: str | None, *, at: datetime, now: datetime,
                actor: str) -> Outcome:
        c = self._complaint(complaint_id, keep=True)
        cid = c["id"]
        new = workflow.next_state("revisit", c["status"], cid, satisfaction)
        self._check_at(at, now, c["last_step_at"], "the previous step")
        out = Outcome(cid, new)
        with self.write() as cur:
            cur.execute("INSERT INTO revisits (complaint_id, at, actor, method, satisfaction, "
                        "demand_met, note, from_status, to_status) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (cid, iso(at), actor, method, satisfaction,
                         None if demand_met is None else int(demand_met), note, c["status"],
                         new))
            second = c["status"] == "closed"
            self._finish_stage(cur, cid, "second-revisit" if second else "revisit", at)
            values: dict[str, Any] = {"status": new, "satisfaction": satisfaction,
                                      "last_step_at": iso(at)}
            due = None
            if new == "closed":
                if not second:
                    values["closed_at"] = iso(at)
                    due = self._open_stage(cur, cid, "second-revisit", "second-revisit",
                                           c["severity"], at)
                    if due:
                        out.notes.append(f"second revisit due {self.local(due)}")
            else:
                values["reopen_count"] = c["reopen_count"] + 1
                values["closed_at"] = None
                self._finish_stage(cur, cid, "second-revisit", at)
                due = self._open_stage(cur, cid, "resolve", "reopen", c["severity"], at,
                                       round_=values["reopen_count"] + 1)
                out.notes.append(f"reopened ({values['reopen_count']}); "
                                 f"new resolve deadline {self.local(due) if due else 'none'}")
            self._update(cur, cid, values)
            self._event(cur, cid, "revisit", at, now, actor,
                        {"satisfaction": satisfaction, "method": method,
                         "demand_met": demand_met, "note": note, "status": new,
                         "reopen_count": values.get("reopen_count")},
                        {"status": c["status"], "reopen_count": c["reopen_count"]})
        out.warnings = self._calendar_warnings([due])
        return out

    def close_no_revisit(self, complaint_id: str, reason: str, *, at: datetime, now: datetime,
                         actor: str) -> Outcome:
        c = self._complaint(complaint_id, keep=True)
        cid = c["id"]
        new = workflow.next_state("close", c["status"], cid)
        self._check_at(at, now, c["last_step_at"], "the previous step")
        with self.write() as cur:
            self._finish_stage(cur, cid, "revisit", at)
            self._update(cur, cid, {"status": new, "closed_at": iso(at), "close_reason": reason,
                                    "last_step_at": iso(at)})
            self._event(cur, cid, "close", at, now, actor,
                        {"no_revisit": True, "reason": reason, "status": new},
                        {"status": c["status"]})
        return Outcome(cid, new)

    def void(self, complaint_id: str, reason: str, *, at: datetime, now: datetime,
             actor: str) -> Outcome:
        c = self._complaint(complaint_id)
        cid = c["id"]
        new = workflow.next_state("void", c["status"], cid)
        self._check_at(at, now, c["last_step_at"], "the previous step")
        open_returns = [r for (r,) in self.conn.execute(
            "SELECT id FROM returns WHERE complaint_id = ? AND closed_at IS NULL", (cid,))]
        if open_returns:
            raise Refused(f"cannot void {cid}: it has open returns ({', '.join(open_returns)})",
                          hint="close them first: complaintctl return close RMA")
        with self.write() as cur:
            cur.execute("UPDATE stages SET done_at = ?, outcome = 'void' WHERE complaint_id = ? "
                        "AND done_at IS NULL", (iso(at), cid))
            self._update(cur, cid, {"status": new, "voided_at": iso(at), "void_reason": reason,
                                    "last_step_at": iso(at)})
            self._event(cur, cid, "void", at, now, actor, {"reason": reason, "status": new},
                        {"status": c["status"]})
        return Outcome(cid, new)

    def amend(self, complaint_id: str, changes: dict[str, Any], reason: str, *, now: datetime,
              actor: str) -> Outcome:
        """Correct intake fields; open stages follow a corrected severity or received time."""
        c = self._complaint(complaint_id)
        cid = c["id"]
        workflow.next_state("amend", c["status"], cid)
        if changes.get("category") is not None and changes["category"] not in self.categories:
            raise BadInput(f"--category {changes['category']!r} is not one of: "
                           + ", ".join(self.categories))
        changes = {k: v for k, v in changes.items() if v is not None and c[k] != v}
        if not changes:
            raise BadInput("nothing to amend: every value given is already recorded",
                           hint="give at least one field with its corrected value")
        if "received_at" in changes:
            if changes["received_at"] > iso(now):
                raise BadInput("--received is in the future")
            first_step = self.conn.execute(
                "SELECT min(at) FROM events WHERE complaint_id = ? AND kind NOT IN "
                "('log', 'amend')", (cid,)).fetchone()[0]
            if first_step and changes["received_at"] > first_step:
                raise BadInput("--received is after the complaint's first step "
                               f"({self.local(from_iso(first_step))})")
        out = Outcome(cid, c["status"])
        with self.write() as cur:
            self._update(cur, cid, changes)
            if "severity" in changes or "received_at" in changes:
                out.notes.extend(self._recompute_open_stages(cur, cid))
            self._event(cur, cid, "amend", now, now, actor, {**changes, "reason": reason},
                        {k: c[k] for k in changes})
        return out

    def _recompute_open_stages(self, cur: sqlite3.Cursor, cid: str) -> list[str]:
        c = cur.execute("SELECT severity, received_at FROM complaints WHERE id = ?",
                        (cid,)).fetchone()
        notes = []
        rows = cur.execute("SELECT id, stage, round, started_at FROM stages WHERE "
                           "complaint_id = ? AND done_at IS NULL AND return_id IS NULL",
                           (cid,)).fetchall()
        for sid, stage, round_, started in rows:
            start = from_iso(started)
            if stage in ("assign", "resolve") and round_ == 1:
                start = from_iso(c[1])
            key = "reopen" if stage == "resolve" and round_ > 1 else stage
            due = deadlines.stage_due(self.policy(), key, c[0], start, self.calendar(), self.tz)
            if due is None:
                continue
            cur.execute("UPDATE stages SET started_at = ?, due_at = ? WHERE id = ?",
                        (iso(start), iso(due), sid))
            notes.append(f"{stage} now due {self.local(due)}")
        return notes

    # --- CAPA actions ------------------------------------------------------

    def _action(self, action_id: str) -> dict[str, Any]:
        """An action with its complaint's status (action rows are never held, so
        reading one leaves a held complaint held)."""
        raw = action_id.strip().lstrip("#").upper().removeprefix("A").lstrip("-")
        if not raw.isdigit():
            raise BadInput(f"{action_id!r} is not an action number",
                           hint="action numbers are shown by: complaintctl show COMPLAINT")
        cur = self._conn.cursor()
        cur.row_factory = sqlite3.Row
        row = cur.execute("SELECT * FROM actions WHERE id = ?", (int(raw),)).fetchone()
        if row is None:
            raise NotFound(f"no action {action_id!r}",
                           hint="action numbers are shown by: complaintctl show COMPLAINT")
        status = self._complaint(row["complaint_id"], keep=True)["status"]
        return {**dict(row), "complaint_status": status}

    def action_add(self, complaint_id: str, text: str, owner: str, due: datetime, *,
                   at: datetime, now: datetime, actor: str) -> Outcome:
        c = self._complaint(complaint_id, keep=True)
        cid = c["id"]
        workflow.next_state("action add", c["status"], cid)
        self._check_at(at, now, c["received_at"], "the complaint was received")
        if due < at:
            raise BadInput(f"--due {self.local(due)} is before the action is added",
                           hint="give a due date after --at")
        with self.write() as cur:
            cur.execute("INSERT INTO actions (complaint_id, text, owner, due_at, created_at, "
                        "created_by) VALUES (?, ?, ?, ?, ?, ?)",
                        (cid, text, owner, iso(due), iso(at), actor))
            aid = cur.lastrowid
            self._event(cur, cid, "action-add", at, now, actor,
                        {"action": aid, "text": text, "owner": owner, "due_at": iso(due)})
        return Outcome(cid, c["status"], data={"action": aid})

    def action_done(self, action_id: str, *, at: datetime, now: datetime,
                    actor: str) -> Outcome:
        a = self._action(action_id)
        workflow.next_state("action done", a["complaint_status"], a["complaint_id"])
        if a["done_at"]:
            raise Refused(f"action {a['id']} is already done "
                          f"({self.local(from_iso(a['done_at']))})")
        self._check_at(at, now, a["created_at"], "the action was added")
        with self.write() as cur:
            cur.execute("UPDATE actions SET done_at = ?, done_by = ? WHERE id = ?",
                        (iso(at), actor, a["id"]))
            self._event(cur, a["complaint_id"], "action-done", at, now, actor,
                        {"action": a["id"]})
        return Outcome(a["complaint_id"], a["complaint_status"], data={"action": a["id"]})

    def action_verify(self, action_id: str, note: str | None, *, at: datetime, now: datetime,
                      actor: str) -> Outcome:
        a = self._action(action_id)
        workflow.next_state("action verify", a["complaint_status"], a["complaint_id"])
        if not a["done_at"]:
            raise Refused(f"action {a['id']} is not done yet",
                          hint=f"mark it done first: complaintctl action done {a['id']}")
        if a["verified_at"]:
            raise Refused(f"action {a['id']} is already verified")
        self._check_at(at, now, a["done_at"], "the action was done")
        with self.write() as cur:
            cur.execute("UPDATE actions SET verified_at = ?, verified_by = ?, verify_note = ? "
                        "WHERE id = ?", (iso(at), actor, note, a["id"]))
            self._event(cur, a["complaint_id"], "action-verify", at, now, actor,
                        {"action": a["id"], "note": note})
        return Outcome(a["complaint_id"], a["complaint_status"], data={"action": a["id"]})

    # --- reading ------------------------------------------------------------

    def _events(self, column: str, value: str) -> list[dict[str, Any]]:
        """The history of a complaint or a return, oldest first, JSON decoded."""
        events = self._rows("SELECT at, recorded_at, actor, kind, data, old FROM events WHERE "
                            f"{column} = ? ORDER BY at, id", (value,))
        for e in events:
            e["data"] = json.loads(e["data"])
            e["old"] = json.loads(e["old"]) if e["old"] else None
        return events

    def _rows(self, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def show(self, complaint_id: str, *, reveal: bool = False) -> dict[str, Any]:
        """The whole record: fields, deadlines, investigation, actions, history.

        The contact is masked unless `reveal` (in the history too).
        """
        c = dict(self._complaint(complaint_id))
        cid = c["id"]
        stages = self._rows("SELECT stage, round, started_at, due_at, done_at, outcome FROM "
                            "stages WHERE complaint_id = ? AND return_id IS NULL ORDER BY id",
                            (cid,))
        deadlines_ = {s["stage"]: s["due_at"] for s in stages}
        events = self._events("complaint_id", cid)
        for e in events:
            if not reveal:
                for part in (e["data"], e["old"] or {}):
                    if part.get("contact"):
                        part["contact"] = mask(part["contact"])
        resolutions = self._rows("SELECT round, at, actor, disposition, amount, currency, "
                                 "approved_by, summary FROM resolutions WHERE complaint_id = ? "
                                 "ORDER BY id", (cid,))
        for r in resolutions:
            r["amount"] = format_money(r["amount"])
        latest = resolutions[-1] if resolutions else None
        revisits = self._rows("SELECT at, actor, method, satisfaction, demand_met, note FROM "
                              "revisits WHERE complaint_id = ? ORDER BY id", (cid,))
        for r in revisits:
            r["demand_met"] = None if r["demand_met"] is None else bool(r["demand_met"])
        return {
            "id": cid,
            "status": c["status"],
            "severity": c["severity"],
            "category": c["category"],
            "channel": c["channel"],
            "customer": c["customer"],
            "contact": c["contact"] if reveal else mask(c["contact"]),
            "region": c["region"],
            "order_no": c["order_no"],
            "product": c["product"],
            "lot": c["lot"],
            "quantity": c["quantity"],
            "shipped_on": c["shipped_on"],
            "demand": c["demand"],
            "description": c["description"],
            "received_at": c["received_at"],
            "logged_at": c["logged_at"],
            "logged_by": c["logged_by"],
            "department": c["department"],
            "owner": c["owner"],
            "deadlines": deadlines_,
            "stages": stages,
            "reopen_count": c["reopen_count"],
            "repeat_of": c["repeat_of"],
            "repeated_by": [r[0] for r in self.conn.execute(
                "SELECT id FROM complaints WHERE repeat_of = ? ORDER BY received_at", (cid,))],
            "investigation": {
                "validity": c["validity"], "root_cause": c["root_cause"],
                "cause_category": c["cause_category"], "responsibility": c["responsibility"],
                "supplier": c["supplier"], "concluded_at": c["concluded_at"],
                "entries": self._rows(
                    "SELECT at, actor, finding, validity, reason, root_cause, cause_category, "
                    "responsibility, supplier, containment, corrective, preventive FROM "
                    "investigations WHERE complaint_id = ? ORDER BY id", (cid,)),
            },
            "resolution": latest,
            "resolutions": resolutions,
            "actions": self._rows("SELECT id, text, owner, due_at, created_at, done_at, "
                                  "done_by, verified_at, verified_by, verify_note FROM actions "
                                  "WHERE complaint_id = ? ORDER BY id", (cid,)),
            "returns": self.returns_list(complaint_id=cid),
            "revisits": revisits,
            "closed_at": c["closed_at"],
            "close_reason": c["close_reason"],
            "voided_at": c["voided_at"],
            "void_reason": c["void_reason"],
            "events": events,
        }

    # --- returned goods (客退品) -------------------------------------------------

    def _return(self, return_id: str) -> dict[str, Any]:
        """A return with its complaint's severity and status (return rows are never
        held, so reading one leaves a held complaint held)."""
        cur = self._conn.cursor()
        cur.row_factory = sqlite3.Row
        row = cur.execute("SELECT * FROM returns WHERE id = ?",
                          (return_id.strip().upper(),)).fetchone()
        if row is None:
            raise NotFound(f"no return {return_id!r}",
                           hint="find it with: complaintctl return list --complaint ID")
        c = self._complaint(row["complaint_id"], keep=True)
        return {**dict(row), "severity": c["severity"], "complaint_status": c["status"]}

    def _return_step(self, cur: sqlite3.Cursor, r: dict[str, Any], values: dict[str, Any],
                     kind: str, at: datetime, now: datetime, actor: str,
                     data: dict[str, Any], old: dict[str, Any]) -> str:
        """Write a return's new numbers, its stage and the event; returns the stage."""
        merged = {**r, **values}
        values["stage"] = returns.stage(merged)
        values["last_step_at"] = iso(at)
        self._update(cur, r["id"], values, table="returns")
        self._event(cur, r["complaint_id"], kind, at, now, actor,
                    {**data, "stage": values["stage"]}, {**old, "stage": r["stage"]},
                    return_id=r["id"])
        return values["stage"]

    def return_open(self, complaint_id: str, qty: int, product: str | None, lot: str | None,
                    reason: str | None, *, at: datetime, now: datetime,
                    actor: str) -> Outcome:
        """`return open`: authorise a return against an open complaint."""
        c = self._complaint(complaint_id, keep=True)
        cid = c["id"]
        workflow.next_state("return open", c["status"], cid)
        returns.check_open(qty)
        self._check_at(at, now, c["received_at"], "the complaint was received")
        year = at.astimezone(self.tz).year
        with self.write() as cur:
            rid, seq = self._next_id(cur, "return", self.settings["return_prefix"], year)
            row = {"id": rid, "complaint_id": cid, "year": year, "seq": seq,
                   "opened_at": iso(at), "opened_by": actor, "authorised_qty": qty,
                   "product": product or c["product"], "lot": lot or c["lot"],
                   "reason": reason, "stage": "authorised", "last_step_at": iso(at)}
            cur.execute(f"INSERT INTO returns ({', '.join(row)}) VALUES "
                        f"({', '.join('?' for _ in row)})", tuple(row.values()))
            self._event(cur, cid, "return-open", at, now, actor,
                        {"return": rid, "authorised_qty": qty, "product": row["product"],
                         "lot": row["lot"], "reason": reason}, return_id=rid)
        return Outcome(rid, "authorised", data={"complaint_id": cid})

    def return_receive(self, return_id: str, qty: int, note: str | None, *, at: datetime,
                       now: datetime, actor: str) -> Outcome:
        r = self._return(return_id)
        returns.check_receive(r, qty)
        self._check_at(at, now, r["last_step_at"], "the return's previous step")
        out = Outcome(r["id"])
        with self.write() as cur:
            cur.execute("INSERT INTO return_receipts (return_id, at, actor, qty, note) "
                        "VALUES (?, ?, ?, ?, ?)", (r["id"], iso(at), actor, qty, note))
            values: dict[str, Any] = {"received_qty": r["received_qty"] + qty}
            if r["first_received_at"] is None:
                values["first_received_at"] = iso(at)
                self._open_stage(cur, r["complaint_id"], "inspect", "inspect", r["severity"],
                                 at, return_id=r["id"])
            elif r["stage"] == "dispositioned":  # more goods arrived after every unit had one
                rounds = self.conn.execute("SELECT count(*) FROM stages WHERE return_id = ? "
                                           "AND stage = 'dispose'", (r["id"],)).fetchone()[0]
                self._open_stage(cur, r["complaint_id"], "dispose", "dispose", r["severity"],
                                 at, round_=rounds + 1, return_id=r["id"])
            out.status = self._return_step(
                cur, r, values, "return-receive", at, now, actor,
                {"return": r["id"], "qty": qty, "received_qty": values["received_qty"],
                 "note": note}, {"received_qty": r["received_qty"]})
        total = values["received_qty"]
        if total != r["authorised_qty"]:
            out.warnings.append(f"{r['id']}: {total} received, {r['authorised_qty']} "
                                f"authorised ({total - r['authorised_qty']:+d})")
        out.data = {"received_qty": total}
        return out

    def return_inspect(self, return_id: str, result: str, defective: int, cause: str | None,
                       note: str | None, *, at: datetime, now: datetime,
                       actor: str) -> Outcome:
        r = self._return(return_id)
        returns.check_inspect(r, defective)
        self._check_at(at, now, r["last_step_at"], "the return's previous step")
        out = Outcome(r["id"])
        with self.write() as cur:
            values: dict[str, Any] = {"result": result, "defective_qty": defective,
                                      "cause": cause, "inspection_note": note}
            if r["inspected_at"] is None:
                values["inspected_at"] = iso(at)
                self._finish_stage(cur, r["complaint_id"], "inspect", at, return_id=r["id"])
                self._open_stage(cur, r["complaint_id"], "dispose", "dispose", r["severity"],
                                 at, return_id=r["id"])
            out.status = self._return_step(
                cur, r, values, "return-inspect", at, now, actor,
                {"return": r["id"], "result": result, "defective_qty": defective,
                 "cause": cause, "note": note},
                {"result": r["result"], "defective_qty": r["defective_qty"]})
        return out

    def return_dispose(self, return_id: str, action: str, qty: int, cost: int | None,
                       repair_cost: int | None, note: str | None, *, at: datetime,
                       now: datetime, actor: str) -> Outcome:
        r = self._return(return_id)
        returns.check_dispose(r, qty)
        self._check_at(at, now, r["last_step_at"], "the return's previous step")
        out = Outcome(r["id"])
        with self.write() as cur:
            cur.execute("INSERT INTO return_dispositions (return_id, at, actor, action, qty, "
                        "cost_of_loss, repair_cost, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (r["id"], iso(at), actor, action, qty, cost or 0, repair_cost or 0,
                         note))
            values = {"disposed_qty": r["disposed_qty"] + qty,
                      "cost_of_loss": r["cost_of_loss"] + (cost or 0),
                      "repair_cost": r["repair_cost"] + (repair_cost or 0)}
            if values["disposed_qty"] == r["received_qty"]:
                self._finish_stage(cur, r["complaint_id"], "dispose", at, return_id=r["id"])
            out.status = self._return_step(
                cur, r, values, "return-dispose", at, now, actor,
                {"return": r["id"], "action": action, "qty": qty,
                 "cost_of_loss": format_money(cost), "repair_cost": format_money(repair_cost),
                 "note": note}, {"disposed_qty": r["disposed_qty"]})
        out.data = {"left": r["received_qty"] - values["disposed_qty"]}
        return out

    def return_close(self, return_id: str, *, at: datetime, now: datetime,
                     actor: str) -> Outcome:
        r = self._return(return_id)
        returns.check_close(r)
        self._check_at(at, now, r["last_step_at"], "the return's previous step")
        with self.write() as cur:
            # nothing came back: no inspection or disposition is owed any more
            self._finish_stage(cur, r["complaint_id"], None, at, return_id=r["id"])
            status = self._return_step(cur, r, {"closed_at": iso(at)}, "return-close", at,
                                       now, actor, {"return": r["id"]}, {})
        return Outcome(r["id"], status)

    def returns_list(self, *, open_only: bool = False, complaint_id: str | None = None,
                     return_id: str | None = None) -> list[dict[str, Any]]:
        """Returns with their stage, quantities, open deadline, costs and dispositions."""
        where, params = [], []
        if open_only:
            where.append("r.closed_at IS NULL")
        for col, value in (("r.complaint_id", complaint_id), ("r.id", return_id)):
            if value:
                where.append(f"{col} = ?")
                params.append(value.strip().upper())
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        rows = self._rows(
            "SELECT r.id, r.complaint_id, r.stage, r.opened_at, r.product, r.lot, "
            "r.authorised_qty, r.received_qty, r.disposed_qty, r.result, r.defective_qty, "
            "r.cause, r.cost_of_loss, r.repair_cost, r.first_received_at, r.inspected_at, "
            "r.closed_at, c.customer, c.department, c.owner, "
            "(SELECT min(s.due_at) FROM stages s WHERE s.return_id = r.id "
            " AND s.done_at IS NULL) AS due_at "
            f"FROM returns r JOIN complaints c ON c.id = r.complaint_id{clause} "
            "ORDER BY r.opened_at, r.id", params)
        if not rows:
            return rows
        ids = [r["id"] for r in rows]
        split: dict[str, dict[str, int]] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for rid, action, qty in self.conn.execute(
                    "SELECT return_id, action, sum(qty) FROM return_dispositions WHERE "
                    f"return_id IN ({', '.join('?' for _ in part)}) GROUP BY return_id, "
                    "action ORDER BY return_id, action", part):
                split.setdefault(rid, {})[action] = qty
        currency = self.currency
        for r in rows:
            r["discrepancy"] = returns.discrepancy(r)
            r["dispositions"] = split.get(r["id"], {})
            r["cost_of_loss"] = format_money(r["cost_of_loss"])
            r["repair_cost"] = format_money(r["repair_cost"])
            r["currency"] = currency
        return rows

    def return_show(self, return_id: str) -> dict[str, Any]:
        r = self._return(return_id)
        (row,) = self.returns_list(return_id=r["id"])
        row.update({"reason": r["reason"], "inspection_note": r["inspection_note"],
                    "opened_by": r["opened_by"]})
        row["receipts"] = self._rows("SELECT at, actor, qty, note FROM return_receipts WHERE "
                                     "return_id = ? ORDER BY id", (r["id"],))
        disp = self._rows("SELECT at, actor, action, qty, cost_of_loss, repair_cost, note FROM "
                          "return_dispositions WHERE return_id = ? ORDER BY id", (r["id"],))
        for d in disp:
            d["cost_of_loss"] = format_money(d["cost_of_loss"])
            d["repair_cost"] = format_money(d["repair_cost"])
        row["disposition_lines"] = disp
        row["stages"] = self._rows("SELECT stage, round, started_at, due_at, done_at, outcome "
                                   "FROM stages WHERE return_id = ? ORDER BY id", (r["id"],))
        row["events"] = self._events("return_id", r["id"])
        return row

    def is_return_id(self, record_id: str) -> bool:
        return record_id.strip().upper().startswith(self.settings["return_prefix"] + "-")

    def list(self, *, status: str | None = None, department: str | None = None,
             owner: str | None = None, customer: str | None = None,
             product: str | None = None, category: str | None = None,
             severity: str | None = None, since: datetime | None = None,
             until: datetime | None = None, limit: int | None = None
             ) -> tuple[list[dict[str, Any]], int]:
        """Complaints matching every filter given, newest first; and the full count."""
        where, params = [], []
        if status == "open":
            where.append("status IN ('logged', 'assigned', 'investigating', 'resolved')")
            status = None
        for col, value in (("status", status), ("category", category),
                           ("severity", severity)):
            if value:
                where.append(f"{col} = ?")
                params.append(value)
        for col, value in (("department", department), ("owner", owner),
                           ("customer", customer), ("product", product)):
            if value:
                where.append(f"instr({col}, ?) > 0")
                params.append(value)
        if since:
            where.append("received_at >= ?")
            params.append(iso(since))
        if until:
            where.append("received_at < ?")
            params.append(iso(until))
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.conn.execute(f"SELECT count(*) FROM complaints{clause}",
                                  params).fetchone()[0]
        sql = ("SELECT id, received_at, status, severity, category, channel, customer, contact, "
               "product, quantity, department, owner, reopen_count, repeat_of, description "
               f"FROM complaints{clause} ORDER BY received_at DESC, id DESC")
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = self._rows(sql, params)
        for r in rows:
            r["contact"] = mask(r["contact"])
        return rows, total

    def status_counts(self) -> dict[str, int]:
        """Complaints by status."""
        return dict(self.conn.execute("SELECT status, count(*) FROM complaints "
                                      "GROUP BY status ORDER BY status"))

    def show_first_id(self) -> str | None:
        row = self.conn.execute("SELECT id FROM complaints WHERE reopen_count > 0 "
                                "ORDER BY received_at DESC LIMIT 1").fetchone() or \
            self.conn.execute("SELECT id FROM complaints ORDER BY received_at DESC "
                              "LIMIT 1").fetchone()
        return row[0] if row else None

    def report(self, period, as_of: datetime) -> dict[str, Any]:
        """Every figure of SPEC section 7 for a period (see reports.py)."""
        from complaintctl.reports import Report

        return Report(self.conn, self.tz, period, as_of, self.currency).build()

    def overdue(self, as_of: datetime, *, department: str | None = None,
                owner: str | None = None, severity: str | None = None,
                current: bool = True) -> list[dict[str, Any]]:
        """Every stage past its deadline at `as_of`, most late first.

        With `current` (as_of is now), only the open-stage index is read; for
        an earlier instant, stages done after it count as open then, and the
        department and owner (shown and filtered on) are those of the assignment
        in force then.
        """
        at = iso(as_of)
        if current:
            where = ["s.done_at IS NULL", "s.due_at < ?"]
            params: list[Any] = [at]
            owners, then = "c", ""
        else:
            where = ["s.due_at < ?", "s.started_at <= ?", "(s.done_at IS NULL OR s.done_at > ?)"]
            params = [at, at, at, at]
            owners, then = "a", (
                "LEFT JOIN assignments a ON a.id = (SELECT x.id FROM assignments x WHERE "
                "x.complaint_id = s.complaint_id AND x.at <= ? ORDER BY x.at DESC, x.id DESC "
                "LIMIT 1) ")
        for col, value in ((f"{owners}.department", department), (f"{owners}.owner", owner)):
            if value:
                where.append(f"instr({col}, ?) > 0")
                params.append(value)
        if severity:
            where.append("c.severity = ?")
            params.append(severity)
        rows = self.conn.execute(
            "SELECT s.complaint_id, s.return_id, s.stage, s.round, s.due_at, c.severity, "
            f"{owners}.department, {owners}.owner, c.customer, c.product FROM stages s "
            f"JOIN complaints c ON c.id = s.complaint_id {then}WHERE {' AND '.join(where)} "
            "ORDER BY s.due_at, s.complaint_id, s.id", params).fetchall()
        late_at = deadlines.LateAt(as_of, self.calendar(), self.tz, self.escalation())
        out = []
        for cid, rid, stage, round_, due_s, sev, dept, own, cust, prod in rows:
            late = late_at(from_iso(due_s))
            if late.level == 0:
                continue
            out.append({"id": rid or cid, "kind": "return" if rid else "complaint",
                        "complaint_id": cid, "stage": stage, "round": round_, "severity": sev,
                        "department": dept, "owner": own, "customer": cust, "product": prod,
                        "due_at": due_s, "late_hours": late.late_hours,
                        "late_working_days": late.late_working_days,
                        "escalation_level": late.level, "escalate_to": late.escalate_to})
        return out


def _statements(sql: str) -> list[str]:
    """Split a schema script into statements (triggers keep their inner ';')."""
    out, buf = [], []
    for line in sql.splitlines():
        stripped = line.strip()
        if not buf and (not stripped or stripped.startswith("--")):
            continue
        buf.append(line)
        text = "\n".join(buf)
        if stripped.endswith(";") and sqlite3.complete_statement(text):
            out.append(text)
            buf = []
    if buf and "".join(buf).strip():
        out.append("\n".join(buf))
    return out
