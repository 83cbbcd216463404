"""The repeat check matched a complaint's customer and product exactly: ACME and
Acme, xd-200 and XD-200, 华东电器 有限公司 and 华东电器有限公司 were no repeat of each other.
complaints.repeat_key holds what the check matches by now (parse.repeat_key), filled
here for every complaint, with the index the check reads.

The links made before stay as they are (each was set with its event); complaints
logged, amended or voided from now on are matched by the key, and so are those a
step relinks. A function rather than SQL: the key is worked out in Python (a step
that finds the column there already adds only what is missing)."""

from __future__ import annotations

import signal
import sqlite3
import threading
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
    # Ctrl-C (or SIGTERM) while SQLite calls the function raised KeyboardInterrupt inside
    # it, which SQLite said as "user-defined function raised exception" (exit 1, a hint
    # about the disk): the signal stops the statement instead, and is said as the
    # interruption it was (the step is rolled back whole either way)
    stopped: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopped.append(signum)
        cur.connection.interrupt()

    main = threading.current_thread() is threading.main_thread()
    signals = [s for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
               if main and signal.getsignal(s) not in (signal.SIG_IGN, None)]
    before = {s: signal.signal(s, stop) for s in signals}
    try:
        cur.execute("UPDATE complaints SET repeat_key = complaintctl_repeat_key(customer, "
                    "product)")
    except sqlite3.OperationalError:
        if stopped:
            raise KeyboardInterrupt from None
        raise
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
    if stopped:
        raise KeyboardInterrupt
    cur.execute(INDEX)
