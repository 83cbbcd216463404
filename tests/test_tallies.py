"""day_tallies: per-UTC-day counts that a report adds up for the whole days of a
span instead of counting a year of rows. They must always equal a recount of
the rows they summarise, and a count through them must equal the plain count."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import tallies_and_recount

from complaintctl import demo, reports
from complaintctl.parse import iso
from complaintctl.store import Ledger

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)

COUNTS = {
    "received": "SELECT count(*) FROM complaints WHERE received_at >= ? AND received_at < ?",
    "resolutions": "SELECT count(*) FROM resolutions WHERE at >= ? AND at < ?",
    "closing_revisits": "SELECT count(*) FROM revisits WHERE from_status = 'resolved' AND "
                        "to_status = 'closed' AND at >= ? AND at < ?",
}


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A Shanghai demo ledger of 600 complaints (months of history), opened once."""
    ledger = Ledger.create(tmp_path_factory.mktemp("tallies") / "l.db", now=NOW,
                           init={"country": "CN", "timezone": "Asia/Shanghai"}, demo=True)
    demo.fill(ledger, 600, now=NOW)
    yield ledger
    ledger.close()


def test_demo_tallies_equal_a_recount(filled):
    kept, recount = tallies_and_recount(filled.conn)
    assert kept == recount
    measures = {m for m, _day in kept}
    assert measures == set(COUNTS)
    assert sum(n for (m, _d), n in kept.items() if m == "received") == 600


def test_amending_received_moves_the_tally_to_the_new_day(ledger):
    run = ledger
    cid = run.log(received="2026-09-30 10:00")  # 02:00 UTC
    run.log(customer="Acme", received="2026-09-30 11:00")
    run("amend", cid, "--received", "2026-09-28 07:00", "--reason", "paper date")  # 27th 23:00 UTC
    assert run.rows("SELECT day, n FROM day_tallies WHERE measure = 'received' ORDER BY day") \
        == [("2026-09-27", 1), ("2026-09-30", 1)]
    # within the same UTC day nothing moves
    run("amend", cid, "--received", "2026-09-28 06:00", "--reason", "paper date")
    assert run.rows("SELECT day, n FROM day_tallies WHERE measure = 'received' ORDER BY day") \
        == [("2026-09-27", 1), ("2026-09-30", 1)]


def test_a_refused_step_leaves_the_tallies_alone(ledger):
    run = ledger
    cid = run.log(received="2026-09-30 10:00")
    before = run.rows("SELECT * FROM day_tallies ORDER BY measure, day")
    run("amend", cid, "--received", "2099-01-01 10:00", "--reason", "typo", code=2)
    run("resolve", cid, "--disposition", "refund", "--summary", "x", code=1)
    assert run.rows("SELECT * FROM day_tallies ORDER BY measure, day") == before


# instants in the demo's span: on the minute, and often exactly at midnight UTC or in
# Shanghai (16:00 UTC), where the whole days of a span begin and end
_instants = st.builds(
    lambda days, minute, snap: (NOW - timedelta(days=days)).replace(
        hour=0 if snap == "utc" else 16 if snap == "local" else minute // 60 % 24,
        minute=0 if snap else minute % 60, second=0),
    st.integers(0, 200), st.integers(0, 24 * 60 - 1), st.sampled_from(["utc", "local", None]))


@settings(max_examples=300, deadline=None)
@given(a=_instants, b=_instants, measure=st.sampled_from(sorted(COUNTS)))
def test_counting_through_tallies_equals_counting_rows(filled, a, b, measure):
    lo, hi = sorted((iso(a), iso(b)))
    report = reports.Report(filled.conn, filled.tz, reports.week_of(NOW.date()), NOW, "CNY")
    direct = report._one(COUNTS[measure], lo, hi)
    assert report._tallied(measure, COUNTS[measure], lo, hi) == direct


def test_upgrade_to_9_records_where_each_revisit_moved_the_complaint(tmp_path):
    """Migration 9 fills revisits.to_status for the revisits a ledger already holds (the
    satisfaction decided it); the closing tallies kept before it still equal a recount
    through to_status, and a revisit written after it is tallied by the new trigger."""
    from complaintctl import migrations
    from complaintctl.store import statements as _statements

    def apply(conn, numbers):
        cur = conn.cursor()
        for number, _name, step in migrations.steps():
            if number not in numbers:
                continue
            if isinstance(step, str):
                for stmt in _statements(step):
                    cur.execute(stmt)
            else:
                step(cur)

    conn = sqlite3.connect(tmp_path / "v8.db")
    apply(conn, range(1, 9))
    conn.executescript("""
        INSERT INTO complaints (id, year, seq, received_at, logged_at, logged_by, channel,
          customer, category, severity, description, status, last_step_at) VALUES
          ('CC-2025-0001', 2025, 1, '2025-03-03T01:00:00Z', '2025-03-03T01:00:00Z', 't',
           'phone', 'A', 'quality', 'low', 'x', 'closed', '2025-03-09T01:00:00Z');
        INSERT INTO revisits (complaint_id, at, actor, satisfaction, from_status) VALUES
          ('CC-2025-0001', '2025-03-05T01:00:00Z', 't', 'unsatisfied', 'resolved'),
          ('CC-2025-0001', '2025-03-07T01:00:00Z', 't', 'basically-satisfied', 'resolved'),
          ('CC-2025-0001', '2025-03-08T01:00:00Z', 't', 'unsatisfied', 'closed'),
          ('CC-2025-0001', '2025-03-09T01:00:00Z', 't', 'satisfied', 'resolved');
    """)
    apply(conn, {9})
    assert conn.execute("SELECT satisfaction, to_status FROM revisits ORDER BY at").fetchall() \
        == [("unsatisfied", "investigating"), ("basically-satisfied", "closed"),
            ("unsatisfied", "investigating"), ("satisfied", "closed")]
    kept, recount = tallies_and_recount(conn)
    assert kept == recount
    assert {d: n for (m, d), n in kept.items() if m == "closing_revisits"} == {
        "2025-03-07": 1, "2025-03-09": 1}
    conn.execute("INSERT INTO revisits (complaint_id, at, actor, satisfaction, from_status, "
                 "to_status) VALUES ('CC-2025-0001', '2025-03-09T02:00:00Z', 't', "
                 "'basically-satisfied', 'resolved', 'closed')")
    assert tallies_and_recount(conn)[0][("closing_revisits", "2025-03-09")] == 2
    conn.close()
