"""Bad input: one line saying what was wrong and what to type, exit 1 or 2,
ledger unchanged, never a traceback. And text that must survive intact."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

LOG = ("log", "--customer", "Acme", "--description", "broken", "--category", "quality",
       "--severity", "low", "--channel", "phone")


def refused(ledger, *args, code, message, input=None):
    before = ledger.snapshot()
    result = ledger(*args, code=code, input=input)
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") or "Error: " in result.stderr
    assert "Traceback" not in result.stderr
    assert ledger.snapshot() == before
    return result


@pytest.mark.parametrize("args", [
    ("void", "", "--reason", "x"), ("note", " ", "--text", "x"), ("show", ""),
    ("attachment", "list", ""), ("return", "receive", "", "--qty", "1"),
    ("amend", "\u200b", "--reason", "x", "--region", "y")])
def test_an_empty_id_is_bad_input_not_a_missing_record(ledger, args):
    """A script's $ID left unset was "no complaint ''", exit 1, as if looked for and not
    found (`action done ""` and `show --ref ""` were exit 2 already)."""
    ledger.log()
    r = refused(ledger, *args, code=2, message="Error: the id is empty\n")
    assert "Hint: give the id of a complaint or a return, e.g. CC-2026-0001" in r.stderr
    refused(ledger, "attachment", "get", "", "--output", "o.bin", code=2,
            message="Error: the attachment number is empty\n")


@pytest.mark.parametrize(("args", "char"), [
    (("show", "CC-2026-0001\x01"), "U+0001"), (("void", "CC-2026\x1b-0001", "--reason", "x"),
                                               "U+001B"),
    (("show", "CC-2026-0001\x7f"), "U+007F")])
def test_a_control_character_in_an_id_is_bad_input_not_a_missing_record(ledger, args, char):
    """An id with a stray control character was "no complaint 'CC-2026-0001\\x01'", exit
    1, as if looked for and not found; every text option refuses one, exit 2."""
    ledger.log()
    r = refused(ledger, *args, code=2, message=f"contains a control character ({char})\n")
    assert r.stderr.startswith("Error: the id '"), r.stderr

def test_unknown_id(ledger):
    refused(ledger, "assign", "CC-2026-9999", "--dept", "QA", "--owner", "Li", code=1,
            message="Error: no complaint 'CC-2026-9999'")
    refused(ledger, "show", "nonsense", code=1, message="no complaint 'nonsense'")
    refused(ledger, "action", "done", "42", code=1, message="no action '42'")


def test_an_id_typed_in_full_width_is_the_id(ledger):
    """A Chinese IME types ＣＣ－２０２６－０００１: numbers and words were read in full
    width, ids were "no complaint"."""
    cid = ledger.log()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in cid)  # CC-2026-0001 in full width
    assert ledger.json("show", wide)["id"] == cid
    ledger("note", wide.lower(), "--text", "催办")
    assert ledger.rows("SELECT complaint_id FROM notes") == [(cid,)]
    # pasted from a chat or a document: a zero-width space after it, typeset hyphens
    for pasted in (cid + "\u200b", cid.replace("-", "\u2010"), cid.replace("-", "\u2013"),
                   "\u2060" + cid.replace("-", "\u2212").lower()):
        assert ledger.json("show", pasted)["id"] == cid, pasted


def test_an_id_typed_without_its_zeros_is_the_id(ledger):
    """`show CC-2026-1` was "no complaint": the zeros an id is written with may be left
    out, as a clerk reading one aloud does (a return's too)."""
    cid = ledger.log()
    assert cid == "CC-2026-0001"
    assert ledger.json("show", "cc-2026-1")["id"] == cid
    ledger("assign", "CC-2026-01", "--dept", "质量部", "--owner", "王芳")
    rid = ledger("return", "open", "CC-2026-001", "--qty", "1").stdout.strip()
    assert ledger.json("show", "RMA-2026-1")["id"] == rid == "RMA-2026-0001"
    refused(ledger, "show", "CC-2026-2", code=1, message="no complaint 'CC-2026-2'")
    # and without its dashes, as a paper form or a spreadsheet cell writes it
    for typed in ("CC20260001", "cc 2026 0001", "CC_2026_1", "ＣＣ２０２６０００１"):
        assert ledger.json("show", typed)["id"] == cid, typed
    assert ledger.json("show", "RMA20260001")["id"] == rid
    refused(ledger, "show", "CC20260002", code=1, message="no complaint 'CC20260002'")


def test_bad_enum_word(ledger):
    r = refused(ledger, *LOG[:-2], "--channel", "pigeon", code=2,
                message="Error: --channel 'pigeon' is not one of: phone, email")
    assert "Hint: " in r.stderr
    refused(ledger, "list", "--format", "xlsx", code=2, message="--format 'xlsx' is not one of")
    refused(ledger, "overdue", "--severity", "pressing", code=2,
            message="--severity 'pressing' is not one of")


@pytest.mark.parametrize("when", ["next week-ish", "2026-13-45", "2026/32/32", "yesterdayy"])
def test_unparseable_date(ledger, when):
    refused(ledger, *LOG, "--received", when, code=2, message="cannot read --received")


@pytest.mark.parametrize(("when", "example"), [
    ("2026-10-01 14:30 EST", "2026-10-01T14:30-05:00"),
    # an abbreviation of more than one zone (China's, or Central): this minute's, here
    ("2026-10-01 14:30 CST", "2026-11-23T20:00+08:00"),
    # an offset no zone has: no failure ("unexpected failure: ValueError", exit 1)
    ("2026-10-01 14:30 GMT+25", "2026-11-23T20:00+08:00"),
    ("2026-10-01 09:00 GMT+8", "2026-10-01T09:00+08:00"),
    ("2026-10-01 09:00 UTC", "2026-10-01T09:00Z"),
    # (a form the example is not made from: now, in the zone said)
    ("1 Oct 2026 14:30 GMT+3", "2026-11-23T15:00+03:00"),
    ("1 Oct 2026 14:30 UTC", "2026-11-23T12:00Z"),
    # a day alone with its zone (said as "cannot read")
    ("2026-10-01 EST", "2026-11-23T07:00-05:00"), ("2026-10-01 GMT+8", "2026-11-23T20:00+08:00")])
def test_a_time_zone_in_words_is_refused_not_misread(ledger, when, example):
    """dateutil dropped EST with a warning (14:30 taken as the ledger's), read GMT+8 as
    eight hours behind: a zone is taken only as an ISO offset. The example is the time
    typed (it was this minute's: copied, another instant), with the offset said when
    it is UTC's or GMT's."""
    r = refused(ledger, *LOG, "--received", when, code=2,
                message="a time zone is read only as an offset (+08:00 or Z)")
    assert "Hint: type the time in the ledger's time zone (Asia/Shanghai), or with its " \
        f"offset: {example}\n" in r.stderr, r.stderr
    assert "Warning" not in r.stderr
    # a day's option is shown a day: it was shown a time with its offset, which it refuses
    r = refused(ledger, "list", "--since", "2026-11-01 EST", code=2,
                message="a time zone is read only as an offset (+08:00 or Z)")
    assert r.stderr.endswith("Hint: type the day alone, e.g. --since 2026-11-01: the day is "
                             "taken whole, in the ledger's time zone\n"), r.stderr


def test_a_zone_in_words_in_another_ledgers_zone_gives_its_offset(run, env):
    """A Berlin ledger was told to write an offset of +08:00, Shanghai's."""
    run("init", "--timezone", "Europe/Berlin", "--country", "DE")
    r = run(*LOG, "--received", "2026-07-04 15:30 CEST", code=2)
    assert "a time zone is read only as an offset (+01:00 or Z)" in r.stderr, r.stderr
    # (the time typed, at Berlin's offset then: summer time)
    assert "with its offset: 2026-07-04T15:30+02:00" in r.stderr, r.stderr


@pytest.mark.parametrize("when", ["2026–10–01 14:30", "2026—10—01 14:30", "2026‐10‐01 14:30",
                                  "2026−10−01 14:30", "2026。10。01 14:30"])
def test_a_date_with_a_word_processors_dashes_is_read(ledger, when):
    """An en or em dash, a hyphen or a minus sign between a date's numbers (what Word and
    chat apps put in place of -), or the ideographic full stop: refused as "numbers alone
    could be more than one date", the year first."""
    cid = ledger(*LOG, "--received", when).stdout.strip()
    assert ledger.rows(f"SELECT received_at FROM complaints WHERE id = '{cid}'") == [
        ("2026-10-01T06:30:00Z",)]


SPAN = "is a span of time: give one time, when it began"


@pytest.mark.parametrize(("when", "message"), [
    # (the end of a span read as an offset: 9:00 at UTC-10:00, stored as the next day's
    # 03:00 without a word; an end hour of one digit was told a zone is read only as an
    # offset)
    ("2026年10月1日 9:00-10:00", SPAN), ("2026-10-01 10:00-12:00", SPAN),
    ("2026-10-01 09:30-11", SPAN), ("昨天 9:00-10:00", SPAN), ("2026-10-01 8:00-9:00", SPAN),
    ("2026-10-01 10-11点", SPAN), ("2026年10月1日 下午3点到4点", SPAN),
    ("2026-10-01 9:00~10:00", SPAN), ("2026年10月1日 9:00–10:00", SPAN),
    ("2026-10-01 14:30-15:00", SPAN), ("2026-10-01 10-11", SPAN),
    # an offset no zone has, written as one
    ("2026-10-01T14:30-15:00", "-15:00 is no time zone's offset (they run from -12:00 to "
                               "+14:00): a span of time?"),
    ("2026-10-01 TBD", "cannot read --received")])  # (not a zone: no offset asked for)
def test_a_span_of_time_is_not_read_as_a_time_with_an_offset(ledger, when, message):
    refused(ledger, *LOG, "--received", when, code=2, message=message)


@pytest.mark.parametrize("when", ["2026-10-01 14:30-05:00", "2026-10-01 14:30 -05:00",
                                  "2026-10-01 14:30-05", "2026-10-01T14:30-05:00",
                                  "2026-10-01 14:30:00-05:00"])
def test_a_time_with_a_negative_offset_after_a_space_is_that_time(ledger, when):
    """str(datetime) writes 2026-10-01 14:30-05:00: an hour after the hyphen no later
    than the time is its offset (the span check refused it, as a span of time)."""
    cid = ledger(*LOG, "--received", when).stdout.strip()
    assert ledger.rows(f"SELECT received_at FROM complaints WHERE id = '{cid}'") == [
        ("2026-10-01T19:30:00Z",)]


@pytest.mark.parametrize("when", ["01 Oct 2026 14:30:00 +08:00",
                                  "Thu, 01 Oct 2026 14:30:00 +0800"])
def test_an_offset_written_as_one_after_a_months_name_is_taken(ledger, when):
    """As a mail header writes a time: refused with "read only as an offset (+08:00)"."""
    cid = ledger(*LOG, "--received", when).stdout.strip()
    assert ledger.rows(f"SELECT received_at FROM complaints WHERE id = '{cid}'") == [
        ("2026-10-01T06:30:00Z",)]


def test_a_time_the_clocks_skipped_is_refused(ledger, tmp_path):
    """New York, 8 March 2026: 02:30 never happened (02:00 became 03:00). It was stored
    as 07:30Z, later than 03:00 (07:00Z). An hour that happened twice (1 November,
    01:30) is its first time, as before."""
    ny = tmp_path / "ny.db"
    ledger("--db", ny, "init", "--timezone", "America/New_York", "--country", "US")
    before = ny.read_bytes()
    r = ledger("--db", ny, *LOG, "--received", "2026-03-08 02:30", code=2)
    assert r.stderr == ("Error: --received '2026-03-08 02:30': the clocks of America/New_York "
                        "went forward over that time\nHint: type the time as the clocks "
                        "showed it: 2026-03-08 03:30\n")
    assert ny.read_bytes() == before
    cid = ledger("--db", ny, *LOG, "--received", "2025-11-02 01:30").stdout.strip()
    assert ledger.json("--db", ny, "show", cid)["received_at"] == "2025-11-02T05:30:00Z"


def test_the_second_time_of_an_hour_the_clocks_repeat_is_typed_as_it_is_shown(ledger,
                                                                              tmp_path):
    """New York, 2 November 2025: show writes the second 01:30 "2025-11-02 01:30 -05:00",
    and that, typed back (--received, --as-of), was refused as a span of time, 01:30 to
    05:00; so was any time before 05:00 with its offset written so (03:00 -05:00)."""
    ny = tmp_path / "ny.db"
    ledger("--db", ny, "init", "--timezone", "America/New_York", "--country", "US")
    cid = ledger("--db", ny, *LOG, "--received", "2025-11-02T06:30Z").stdout.strip()
    shown = ledger("--db", ny, "show", cid).stdout
    assert "2025-11-02 01:30 -05:00" in shown, shown
    again = ledger("--db", ny, *LOG, "--received", "2025-11-02 01:30 -05:00").stdout.strip()
    assert ledger.json("--db", ny, "show", again)["received_at"] == "2025-11-02T06:30:00Z"
    first = ledger("--db", ny, *LOG, "--received", "2025-11-02 01:30 -04:00").stdout.strip()
    assert ledger.json("--db", ny, "show", first)["received_at"] == "2025-11-02T05:30:00Z"
    r = ledger("--db", ny, "overdue", "--as-of", "2025-11-02 01:30 -05:00")
    assert "at 2025-11-02 01:30 -05:00" in r.stdout, r.stdout
    cid = ledger("--db", ny, *LOG, "--received", "2025-12-01 03:00 -05:00").stdout.strip()
    assert ledger.json("--db", ny, "show", cid)["received_at"] == "2025-12-01T08:00:00Z"
    # written as a span is (a dash between the times, or spaced on both sides): a span
    for span in ("2025-12-01 03:00-05:00", "2025-12-01 03:00 - 05:00"):
        refused(ledger, "--db", ny, *LOG, "--received", span, code=2, message=SPAN)


def test_a_time_zone_as_an_offset_is_read(ledger):
    cid = ledger.log(received="2026-10-01T14:30+05:00")
    assert ledger.json("show", cid)["received_at"] == "2026-10-01T09:30:00Z"
    cid = ledger.log(received="2026-10-01T14:30Z")
    assert ledger.json("show", cid)["received_at"] == "2026-10-01T14:30:00Z"


def test_future_and_out_of_order_times(ledger):
    refused(ledger, *LOG, "--received", "2099-01-01", code=2, message="is in the future")
    cid = ledger.log(received="2026-10-01 09:00")
    refused(ledger, "assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-09-01",
            code=2, message="is before the previous step (2026-10-01 09:00)")
    refused(ledger, "assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2099-01-01",
            code=2, message="is in the future")


def test_a_step_after_one_recorded_a_little_ahead_of_the_clock(ledger):
    """A step within the minute of grace ahead of this clock (another clerk's step
    committed while this one waited for the ledger, its clock read before; or another
    machine's clock): the next step typed without --at was refused, first "--at 20:00
    is before the previous step" to one who had given none, then "recorded ahead of
    this machine's clock (20:00)" with the same time twice -- two warehouse clerks
    receiving at once were refused about one time in forty. It follows that step now,
    at its time."""
    cid = ledger.log(received="2026-11-23 19:00")
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-11-23 20:00:40")
    r = ledger("investigate", cid, "--finding", "划伤")
    assert r.stderr == "CC-2026-0001 is investigating; investigation recorded.\n", r.stderr
    assert ledger.rows("SELECT kind, at, recorded_at FROM events WHERE complaint_id = ? "
                       "ORDER BY id DESC LIMIT 1", (cid,)) == [
        ("investigate", "2026-11-23T12:00:40Z", "2026-11-23T12:00:00Z")]
    assert ledger.rows("SELECT last_step_at FROM complaints WHERE id = ?", (cid,)) == [
        ("2026-11-23T12:00:40Z",)]
    assert ledger("verify").stdout.startswith("OK")
    # a return's steps and a note alike
    rma = ledger("return", "open", cid, "--qty", "2", "--at", "2026-11-23 20:00:50").stdout.strip()
    ledger("return", "receive", rma, "--qty", "2")
    assert ledger.rows("SELECT at FROM return_receipts") == [("2026-11-23T12:00:50Z",)]
    # a time typed before it is still the typist's mistake (exit 2)
    refused(ledger, "investigate", cid, "--finding", "x", "--at", "2026-11-23 19:30", code=2,
            message="--at 2026-11-23 19:30 is before the previous step")
    # more than the minute of grace ahead is no moment's wait: refused as before
    other = ledger.log(received="2026-11-23 19:00")
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET last_step_at = '2026-11-23T12:05:00Z' WHERE id = ?",
                     (other,))
    conn.close()
    before = ledger.snapshot()
    r = refused(ledger, "assign", other, "--dept", "QA", "--owner", "Li", code=1,
                message="Error: the previous step at 2026-11-23 20:05, as recorded: that is "
                "ahead of this machine's clock (2026-11-23 20:00)")
    assert "--at" not in r.stderr, r.stderr  # (no --at was typed; one that time, more than
    # a minute ahead, would be refused as in the future: not hinted at)
    assert r.stderr.endswith("Hint: check the clocks of this machine and of the one that "
                             "recorded it\n"), r.stderr
    assert ledger.snapshot() == before
    # a note, after a receipt recorded ahead: a sentence ("the complaint was received
    # (…) is recorded ahead of this machine's clock" was not)
    ahead = ledger.log(received="2026-11-23 19:00")
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE complaints SET received_at = '2026-11-23T12:05:00Z', "
                     "last_step_at = '2026-11-23T12:05:00Z' WHERE id = ?", (ahead,))
    conn.close()
    refused(ledger, "note", ahead, "--text", "hello", code=1,
            message="Error: the complaint was received at 2026-11-23 20:05, as recorded: "
            "that is ahead of this machine's clock (2026-11-23 20:00)")
    # a time typed is never moved: the current second typed after the step ahead is
    # refused as typed (it was recorded at the step's time, without a word)
    refused(ledger, "investigate", cid, "--finding", "x", "--at", "2026-11-23 20:00:00",
            code=2, message="--at 2026-11-23 20:00:00 is before the previous step "
            "(2026-11-23 20:00:40)")
    # a note given no time follows too
    ledger("note", cid, "--text", "回电")


def test_a_time_before_the_step_of_its_own_minute_says_the_seconds(ledger):
    """--at 20:39 after a step stored at 20:39:31 was refused "--at 2026-12-06 20:39 is
    before the previous step (2026-12-06 20:39)": two equal times, and no reason."""
    cid = ledger.log(received="2026-11-23 19:00")
    ledger("assign", cid, "--dept", "QA", "--owner", "Li", "--at", "2026-11-23 19:30:31")
    before = ledger.snapshot()
    refused(ledger, "investigate", cid, "--finding", "x", "--at", "2026-11-23 19:30", code=2,
            message="--at 2026-11-23 19:30:00 is before the previous step (2026-11-23 "
            "19:30:31)")
    assert ledger.snapshot() == before
    ledger("investigate", cid, "--finding", "x", "--at", "2026-11-23 19:30:31")


def test_an_investigation_option_typed_empty_is_named(ledger):
    """`investigate ID --cause ""` said only "nothing to record", and beside another
    option (--finding x --cause "") the empty cause was dropped without a word."""
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    before = ledger.snapshot()
    for argv in (("--cause", ""), ("--cause", "  "), ("--finding", "x", "--cause", ""),
                 ("--containment", "\u3000"), ("--finding", "y", "--supplier", "")):
        refused(ledger, "investigate", cid, *argv, code=2,
                message=f"{argv[-2]} must not be empty")
    assert ledger.snapshot() == before


@pytest.mark.parametrize(("typed", "time"), [
    ("2026-11-20 25:00", "25:00"), ("2026-11-20 12:60", "12:60"), ("2026-11-20 24:00", "24:00"),
    ("2026-11-20 12:30:61", "12:30:61"), ("2026年11月20日 14点70分", "14点70")])
def test_a_time_of_day_no_clock_shows_is_named(ledger, typed, time):
    """25:00, 12:60 and 14点70分 were answered only "cannot read" and the general
    example, where 2026-02-30 was told "there is no such day"."""
    before = ledger.snapshot()
    r = refused(ledger, *LOG, "--received", typed, code=2,
                message=f"cannot read --received {typed!r}: there is no such time of day "
                f"({time})")
    assert "Hint: hours run 0 to 23, minutes 0 to 59" in r.stderr, r.stderr
    assert ledger.snapshot() == before


def test_empty_and_whitespace_description(ledger):
    args = list(LOG)
    args[args.index("--description") + 1] = " \u3000 "
    refused(ledger, *args, code=2, message="--description must not be empty")


def test_a_text_too_long_says_what_to_do(ledger):
    args = list(LOG)
    args[args.index("--description") + 1] = "长" * 20001
    r = refused(ledger, *args, code=2, message="--description is longer than 20000 characters")
    assert "Hint: keep the gist here and attach the whole text as a file" in r.stderr


def test_a_name_too_long_is_told_to_be_shortened(ledger, monkeypatch):
    """A customer (or --as, COMPLAINTCTL_USER) of 20,001 characters was told to attach the
    whole text as a file, and one of 19,999 was taken: a name is one line, of at most 500
    characters."""
    args = list(LOG)
    args[args.index("--customer") + 1] = "华" * 501
    r = refused(ledger, *args, code=2, message="Error: --customer is longer than 500 "
                "characters\nHint: shorten it: a name or a one-line value is at most 500 "
                "characters\n")
    assert "attach" not in r.stderr
    refused(ledger, "--as", "x" * 501, *LOG, code=2,
            message="Error: --as is longer than 500 characters")
    monkeypatch.setenv("COMPLAINTCTL_USER", "王" * 501)
    refused(ledger, *LOG, code=2, message="Error: COMPLAINTCTL_USER is longer than 500")
    monkeypatch.setenv("COMPLAINTCTL_USER", "王" * 500)
    args[args.index("--customer") + 1] = "华" * 500
    ledger(*args)
    assert ledger.rows("SELECT length(customer), length(logged_by) FROM complaints") == [
        (500, 500)]


def test_invisible_characters_are_dropped_and_direction_marks_refused(ledger):
    """A zero-width space pasted from a chat made 华东\u200b电器 another customer than
    华东电器 (the repeat check compares the text): dropped, as a BOM is. A mark that
    reorders what is shown (U+202E) would make a name read otherwise than it is
    stored: refused, as a line separator in a one-line field."""
    first = ledger.log(customer="华东电器", received="2026-10-01 09:00")
    second = ledger.log(customer="华东\u200b电器\ufeff", received="2026-10-02 09:00")
    assert ledger.rows("SELECT customer, repeat_of FROM complaints WHERE id = ?",
                       (second,)) == [("华东电器", first)]
    # a soft hyphen, a direction mark, an invisible separator, the Hangul filler: each
    # made another customer than 华东电器, the filler alone a name that looked blank
    # and the rest of what shows nothing but no script needs, and the jamo fillers and
    # the Mongolian separator out of their scripts: 华东\u115f电器 was another customer
    for day, typed in enumerate(("华东\u00ad电器", "华东电器\u200e", "华东\u2063电器",
                                 "\u200f华东电器\u3164", "华东\u115f电器", "华东\u1160电器",
                                 "华东\u061c电器", "华东\u180e电器", "华\u034f东\u206a电器",
                                 "华东\u17b4电\ufff9器", "华东电器\U000e0041",
                                 "华东\u115f\u1160电器",
                                 # (joiners and emoji selectors beside a Chinese character,
                                 # pasted from a chat: no emoji's, no script's)
                                 "华东\u200d电器", "华东\u200c电器", "华\ufe0f东\ufe0e电器",
                                 "华东\U0001d173电器"), 3):
        cid = ledger.log(customer=typed, received=f"2026-09-{day:02d} 09:00")
        assert ledger.rows("SELECT customer FROM complaints WHERE id = ?", (cid,)) == [
            ("华东电器",)], typed
    for blank in ("\u3164", "\u115f", "\u1160\u1160", "\u180e", "\u200d",
                  "\u200d\u3000\u200d", "\u180e \u180e"):  # (alone, or with spaces, they
        # show nothing: a customer that looked blank in list)
        args = list(LOG)
        args[args.index("--customer") + 1] = blank
        refused(ledger, *args, code=2, message="--customer must not be empty")
    # a direction mark alone is still refused as one (it was dropped as blank), a mark a
    # script draws is no blank
    args = list(LOG)
    args[args.index("--customer") + 1] = "\u202e"
    refused(ledger, *args, code=2, message="--customer holds an invisible mark that turns the "
            "text's direction (U+202E)\nHint: type the value again rather than paste it")
    cid = ledger.log("--lot", "\u06dd", received="2026-09-21 09:00")
    assert ledger.rows("SELECT lot FROM complaints WHERE id = ?", (cid,)) == [("\u06dd",)]
    # (in their scripts they stay: a Mongolian name keeps its vowel separator)
    cid = ledger.log(customer="ᠨᠠᠢᠮᠠ\u180eᠠ", received="2026-09-20 09:00")
    assert ledger.rows("SELECT customer FROM complaints WHERE id = ?", (cid,)) == [
        ("ᠨᠠᠢᠮᠠ\u180eᠠ",)]
    cid = ledger.log(customer="\u1100\u1160\u11a8", received="2026-09-19 09:00")  # old jamo
    assert ledger.rows("SELECT customer FROM complaints WHERE id = ?", (cid,)) == [
        ("\u1100\u1160\u11a8",)]
    cid = ledger.log(customer="\u115f\u1160\u11a8", received="2026-09-17 09:00")  # (a lone
    assert ledger.rows("SELECT customer FROM complaints WHERE id = ?", (cid,)) == [  # final
        ("\u115f\u1160\u11a8",)]  # consonant: both fillers before it)
    # a flag's tags stay (Scotland's flag is 🏴 and its tags); a grapheme joiner between
    # u and its umlaut, dropped, leaves ü (it was dropped after NFC: u + ̈, not ü)
    scotland = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    cid = ledger.log("--description", f"{scotland} 客户", customer="Mu\u034f\u0308ller",
                     received="2026-09-18 09:00")
    assert ledger.rows("SELECT customer, description FROM complaints WHERE id = ?",
                       (cid,)) == [("Müller", f"{scotland} 客户")]
    # an emoji's joiners and selectors stay, beside the Chinese text too
    family, heart = "👨\u200d👩\u200d👧", "❤\ufe0f"
    cid = ledger.log("--description", f"{family}{heart}客户 1\ufe0f\u20e3",
                     received="2026-09-16 09:00")
    assert ledger.rows("SELECT description FROM complaints WHERE id = ?", (cid,)) == [
        (f"{family}{heart}客户 1\ufe0f\u20e3",)]
    # a joiner between Latin letters or digits (XD\u200c200 was another product than XD200),
    # not the one a Persian word needs between its letters
    cid = ledger.log(received="2026-09-15 09:00", product="XD\u200c200",
                     customer="می\u200cخواهم")
    assert ledger.rows("SELECT product, customer FROM complaints WHERE id = ?", (cid,)) == [
        ("XD200", "می\u200cخواهم")]
    for bad, char in (("Acme\u2028Ltd", "U+2028"),
                      ("A\rB", "U+000D"), ("A\r\nB", "U+000D"), ("A\nB", "U+000A")):
        args = list(LOG)
        args[args.index("--customer") + 1] = bad
        refused(ledger, *args, code=2,
                message=f"--customer contains a control character ({char})")
    cid = ledger.log("--description", "第一行\u2028第二行", received="2026-10-03 09:00")
    assert ledger.rows("SELECT description FROM complaints WHERE id = ?", (cid,)) == [
        ("第一行\u2028第二行",)]


def test_control_characters_refused(ledger):
    refused(ledger, "log", "--customer", "Ac\x07me", "--description", "x", "--category",
            "quality", "--severity", "low", "--channel", "phone", code=2,
            message="--customer contains a control character (U+0007)")


@pytest.mark.parametrize("args", [
    ("attach", "{cid}", "photo\x00.jpg"), ("attachment", "get", "1", "--output", "a\x00b"),
    ("backup", "copy\x00.db"), ("export", "events", "--output", "e\x00.csv"),
    ("report", "--week", "--output", "w\x00.xlsx"), ("import", "reg\x00.csv", "--template")])
def test_a_file_name_with_a_nul_is_refused(ledger, args):
    """A command line cannot carry a NUL, a program calling in-process can (the fuzzed
    argv found it): the system refuses such a name; complaintctl says so, exit 2."""
    cid = ledger.log()
    refused(ledger, *(a.format(cid=cid) for a in args), code=2,
            message="a file name cannot hold a NUL character (0x00)")


def test_missing_fields_without_terminal_never_prompt(ledger):
    r = refused(ledger, "log", "--customer", "Acme", code=2,
                message="missing --channel, --description, --category, --severity "
                "(no terminal to ask on)")
    assert r.stdout == "" and "Hint: give every one of them as an option" in r.stderr
    # one missing: "them" read oddly of it
    r = refused(ledger, "log", "--customer", "Acme", "--channel", "phone", "--category",
                "quality", "--severity", "low", code=2,
                message="Error: missing --description (no terminal to ask on)\n"
                        "Hint: give it as an option, e.g. --description …\n")


def test_missing_fields_in_a_real_pipe_do_not_hang(ledger, env):
    """A subprocess with stdin from a pipe: fails at once, nothing on stdout."""
    proc = subprocess.run([sys.executable, "-m", "complaintctl", "log", "--customer", "Acme"],
                          input="", capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COMPLAINTCTL_DB": str(env)})
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Error: missing --channel, --description")


def test_amounts_are_exact_and_checked(ledger):
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
            "1234.567", code=2, message="has more than two decimals")
    # (12.345 may be 12,345 written the European way: test_views)
    refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
            "12.345", code=2, message="could be read two ways: as 12.345 or as 12345")
    refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
            "abc", code=2, message="is not an amount")
    # NaN and infinities, and Decimal's other forms (1e3 was stored as 1000.00, 1_000 too)
    for word in ("NaN", "inf", "-Infinity", "1e3", "1_000", "0x10"):
        refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x",
                "--amount", word, code=2, message=f"--amount '{word}' is not an amount")
    # hints that lead somewhere: 0.004 offered 0.00 (refused as no money), the ledger's own
    # sign twice was "another currency", and a negative amount "must be zero or more"
    r = refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x",
                "--amount", "0.004", code=2, message="has more than two decimals")
    assert "Hint: amounts are kept to the cent: the least is 0.01" in r.stderr
    for word in ("¥¥1250", "1250元元", "块", "300块块"):
        refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x",
                "--amount", word, code=2, message=f"--amount '{word}' is not an amount")
    refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
            "-5", code=2, message="--amount must be more than 0, not '-5'")
    # a $ alone in a ledger in yuan: whose dollar, nobody can tell; US$ is the US's
    refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
            "$100", code=2, message="--amount '$100': a $ alone may be any dollar; the ledger "
            "keeps its amounts in CNY")
    refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
            "US$100", code=2, message="is in another currency than the ledger's (CNY)")
    # a currency whose word ends with the yuan's 元 (美元, 日元, 港元) was "not an amount"
    for word in ("1200美元", "1.2万美元", "1,200 欧元", "500日元", "80 港元"):
        refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x",
                "--amount", word, code=2,
                message=f"--amount '{word}' is in another currency than the ledger's (CNY)")
    ledger("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount", "0.10",
           "--at", "2026-10-09 09:00")
    assert ledger.rows("SELECT amount FROM resolutions") == [(10,)]
    # 人民币 before or after, as ¥ and 元 (the ledger is in yuan)
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 10:00")
    ledger("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
           "人民币1,250元", "--at", "2026-10-09 11:00")
    assert ledger.rows("SELECT amount FROM resolutions ORDER BY id") == [(10,), (125000,)]


def test_an_amount_is_money_that_moves(ledger):
    """An amount of 0 was stored and counted among what the period paid, and an amount
    beside an explanation or no action was stored as paid."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    for amount in ("0", "0.00", "¥0"):
        r = refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x",
                    "--amount", amount, code=2, message="Error: an amount of 0 records no money")
        # (a refund without its amount is refused: the hint does not lead there)
        assert ("Hint: give the amount the refund paid or credited; if nothing was, resolve "
                "with another disposition (explanation, no-action …)") in r.stderr, r.stderr
    r = refused(ledger, "resolve", cid, "--disposition", "return", "--summary", "x",
                "--amount", "0", code=2, message="Error: an amount of 0 records no money")
    assert "Hint: leave the amount out when nothing is paid or credited" in r.stderr
    for disposition in ("explanation", "no-action"):
        r = refused(ledger, "resolve", cid, "--disposition", disposition, "--summary", "x",
                    "--amount", "50", code=2,
                    message=f"Error: an amount is money paid or credited; with {disposition} "
                            "none moves")
        assert "give the disposition that paid it" in r.stderr
    r = ledger("--lang", "zh", "resolve", cid, "--disposition", "explanation", "--summary",
               "x", "--amount", "50", code=2)
    assert r.stderr.startswith("错误：金额是付给或记给客户的钱；解释说明不涉及付款"), r.stderr
    assert ledger.rows("SELECT count(*) FROM resolutions") == [(0,)]
    # in a return, a repair, or with no amount at all, as before
    ledger("resolve", cid, "--disposition", "return", "--summary", "x", "--amount", "80",
           "--at", "2026-10-09 09:00")
    assert ledger.rows("SELECT disposition, amount FROM resolutions") == [("return", 8000)]


def test_an_option_given_twice_with_different_values_is_refused(ledger):
    """Click kept the last without a word: `resolve … --amount 100 … --amount 1000`
    recorded 1000, `list --status assigned --status investigating` listed the second."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    r = refused(ledger, "resolve", cid, "--disposition", "refund", "--summary", "x",
                "--amount", "100", "--amount=1000", code=2,
                message="Error: --amount was given twice, with different values: give it once")
    assert "Usage: root resolve" in r.stderr  # (the test runner's program name)
    refused(ledger, "list", "--status", "assigned", "--status", "investigating", code=2,
            message="--status was given twice")
    # the same word in two spellings is the same value (it was refused as two)
    other = ledger.log(customer="丙公司", severity="high")
    assert ledger("list", "--severity", "high", "--severity", "高", "--status", "logged",
                  "--status", "已登记").stdout.count(other) == 1
    refused(ledger, "list", "--severity", "high", "--severity", "低", code=2,
            message="--severity was given twice")
    # a format in another letter case is the same format (it was refused as two)
    listed = ledger("list", "--format", "json", "--format", "JSON").stdout
    assert json.loads(listed)[0]["id"] == other
    refused(ledger, "list", "--format", "json", "--format", "csv", code=2,
            message="--format was given twice")
    # a category is the ledger's own word: one the built-in table gives to a category
    # the ledger removed is another value (the pair recorded the second, the first alone
    # refused)
    ledger("policy", "categories", "--remove", "delivery")
    ledger("policy", "categories", "--add", "送货", "--label-en", "shipping")
    refused(ledger, "log", "--customer", "A", "--description", "x", "--severity", "low",
            "--channel", "phone", "--no-input", "--category", "delivery", "--category", "送货",
            code=2, message="--category was given twice")
    refused(ledger, "return", "list", "--limit", "1", "--limit", "2", code=2,
            message="--limit was given twice")
    refused(ledger, "--db", "a.db", "--db", "b.db", "list", code=2,
            message="--db was given twice")
    # a flag and its opposite: "--demand-met was given twice" named one of them
    done = ledger.log(customer="乙公司")
    ledger.to_state(done, "resolved")
    for pair in (("--demand-met", "--demand-not-met"), ("--demand-not-met", "--demand-met")):
        refused(ledger, "revisit", done, "--satisfaction", "satisfied", *pair, code=2,
                message="Error: --demand-met and --demand-not-met say the opposite: give "
                        "one\n")
    before = ledger.snapshot()
    r = ledger("--lang", "zh", "overdue", "--dept", "QA", "--dept", "质量部", code=2)
    assert "错误：--dept 给了两次且值不同：请只给一次" in r.stderr
    assert ledger.snapshot() == before
    # the same value again is what was meant, and a flag typed twice is the flag
    assert ledger("list", "--status", "investigating", "--status=investigating",
                  "--format", "csv").stdout.count(cid) == 1
    ledger("--ascii", "--ascii", "-q", "-q", "overdue")


def test_an_empty_filter_is_refused_not_taken_as_none(ledger):
    """`list --customer "$CUST"` with the variable empty listed every complaint, and
    `overdue --dept ''` every late stage, as if filtered."""
    ledger.log()
    for args in (("list", "--customer", ""), ("list", "--product", "  "),
                 ("list", "--dept", "\u3000"), ("list", "--owner", ""), ("list", "--ref", ""),
                 ("overdue", "--dept", ""), ("overdue", "--owner=")):
        r = refused(ledger, *args, code=2,
                    message=f"Error: {args[1].split('=')[0]} is empty: it would match "
                            "every complaint")
        assert "Hint: give part of what to match, or leave" in r.stderr
    assert ledger("list", "--customer", "华东", "--format", "csv").stdout.count("CC-") == 1
    # a complaint's id: `return list --complaint "$ID"` listed every return
    for args in (("return", "list", "--complaint", ""), ("action", "list", "--complaint", " ")):
        r = refused(ledger, *args, code=2, message="Error: --complaint is empty: it would "
                    "list every complaint's")
        assert "Hint: give a complaint's id, or leave --complaint out" in r.stderr


def test_an_amount_in_the_ledgers_currency_or_another(run, env):
    """A USD ledger refused $100 as "not an amount", and ¥100 the same way: the ledger's
    sign and code are taken, another currency's are said to be one."""
    run("init", "--currency", "USD", "--timezone", "UTC")
    cid = run.log()
    run.to_state(cid, "investigating")
    before = run.snapshot()
    for value, code in (("¥100", "CNY"), ("100 元", "CNY"), ("€5", "EUR")):
        r = run("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
                value, code=2)
        assert f"--amount '{value}' is in another currency than the ledger's (USD)" \
            in r.stderr, (code, r.stderr)
    assert run.snapshot() == before
    run("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount", "$1,250.50",
        "--at", "2026-10-09 09:00")
    run("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 10:00")
    run("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount", "80 usd",
        "--at", "2026-10-09 11:00")
    assert run.rows("SELECT amount FROM resolutions ORDER BY id") == [(125050,), (8000,)]


def test_an_amount_in_ten_thousands(ledger):
    """1.5万 and 2万元 are how a Chinese clerk types an amount: they were refused as
    "not an amount". Read exactly in ten thousands; past the cent still refused."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    before = ledger.snapshot()
    r = ledger("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
               "1.2345678万", code=2)
    assert "--amount '1.2345678万' has more than two decimals" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    ledger("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount", "¥1.5万",
           "--at", "2026-10-09 09:00")
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 10:00")
    ledger("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount",
           "２万元", "--at", "2026-10-09 11:00")
    # and in hundreds of millions (1.2亿 was "not an amount" where 万 was taken)
    ledger("revisit", cid, "--satisfaction", "unsatisfied", "--at", "2026-10-09 12:00")
    ledger("resolve", cid, "--disposition", "compensation", "--summary", "x", "--amount",
           "0.012億", "--at", "2026-10-09 13:00")
    assert ledger.rows("SELECT amount FROM resolutions ORDER BY id") == [(1500000,),
                                                                          (2000000,),
                                                                          (120000000,)]
    # exactly: past the cent is refused however many digits (a product rounded to 28
    # digits took 1.00000000000000000000000000001亿 for 1亿)
    from complaintctl import parse

    with pytest.raises(Exception, match="more than two decimals"):
        parse.money("1.00000000000000000000000000001亿", currency="CNY")


def test_show_takes_an_id_or_a_register_key_not_both(ledger):
    """`show CC-… --ref X` said "give an ID or --ref KEY" though both were given."""
    cid = ledger.log()
    refused(ledger, "show", cid, "--ref", "KS-1", code=2,
            message="Error: give an ID or --ref KEY, not both")
    refused(ledger, "show", code=2, message="Error: give an ID or --ref KEY")


def test_domain_guards(ledger):
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    ledger("investigate", cid, "--finding", "seen", "--at", "2026-10-01 09:00")
    refused(ledger, "resolve", cid, "--disposition", "exchange", "--summary", "x", code=1,
            message="its investigation has no root cause or not-upheld decision yet")
    r = refused(ledger, "investigate", cid, "--not-upheld", code=2,
                message="--not-upheld needs --reason")
    assert r.stderr.endswith(  # (what to type: the only such refusal without a hint)
        "\nHint: say why in a few words, e.g. --not-upheld --reason \"客户使用不当，产品符合"
        "规格\" (it stays in the history)\n"), r.stderr
    r = refused(ledger, "investigate", cid, "--reason", "in spec", code=2,
                message="--reason goes with --not-upheld")
    assert "\nHint: --reason says why a complaint does not stand: give --not-upheld with " \
        "it, or say the finding with --finding TEXT\n" in r.stderr, r.stderr
    ledger("investigate", cid, "--not-upheld", "--reason", "in spec", "--at", "2026-10-02 09:00")
    r = refused(ledger, "resolve", cid, "--disposition", "exchange", "--summary", "x", code=1,
                message="it was found not upheld")
    assert f"complaintctl investigate {cid} --upheld --cause TEXT" in r.stderr
    # a complaint that cannot close now says so first (it was told to add --no-revisit,
    # and then refused for its state)
    refused(ledger, "close", cid.lower(), "--reason", "x", code=1,
            message=f"Error: cannot close {cid}: it is investigating; allowed next:")
    other = ledger.log(customer="丁公司")
    ledger.to_state(other, "resolved")
    r = refused(ledger, "close", other.lower(), "--reason", "x", code=2,
                message="close needs --no-revisit")
    assert r.stderr.endswith(  # the id, where the hint said ID
        f"Hint: a revisit closes a complaint: complaintctl revisit {other} --satisfaction "
        f"satisfied; without one: complaintctl close {other} --no-revisit --reason TEXT\n")
    r = refused(ledger, "void", cid, code=2, message="void needs --reason")
    assert "Hint: say why in a few words: --reason TEXT" in r.stderr
    # the hint's way out: it stands after all
    ledger("investigate", cid, "--upheld", "--cause", "批次来料不良", "--at", "2026-10-02 10:00")
    ledger("resolve", cid, "--disposition", "exchange", "--summary", "换货",
           "--at", "2026-10-02 11:00")


DESCRIPTION = '客户说："电机[red]异响[/red]" 已经 3 次了。\n第二行 [/] | =SUM(A1) \'quoted\''


def test_description_with_chinese_quotes_newlines_and_markup(ledger):
    cid = ledger("log", "--customer", "深圳市[佳达]科技", "--description", "-", "--category",
                 "quality", "--severity", "high", "--channel", "phone",
                 input=DESCRIPTION).stdout.strip()
    rec = ledger.json("show", cid)
    assert rec["description"] == DESCRIPTION
    assert rec["customer"] == "深圳市[佳达]科技"
    table = ledger("show", cid).stdout
    assert "[red]异响[/red]" in table and "[/]" in table and "深圳市[佳达]科技" in table
    assert "第二行" in table  # long Chinese text wraps, it is not cut
    md = ledger("list", "--format", "markdown").stdout
    assert "\\|" in md and "<br>" in md
    assert "深圳市\\[佳达\\]科技" in md, md  # markdown's markup, as typed
    csv_text = ledger("list", "--format", "csv").stdout
    assert csv_text.startswith("\ufeffid,")
    assert "'=SUM" not in csv_text  # the cell starts with 客, not with =


def test_markdown_for_mail_shows_user_text_as_typed(ledger):
    """A customer named as a link, HTML and emphasis was printed raw in `list` and the
    report's register as markdown: in the mailed report a live link, an image tag and
    bold text."""
    name = "[点击领取赔偿](http://evil.example) <img src=x onerror=alert(1)>"
    ledger.log(customer=name, received="2026-10-20 14:00")
    ledger("amend", "CC-2026-0001", "--description", "**urgent** a_b `x` ~~y~~ & z",
           "--reason", "typo")
    for args in (("list",), ("report", "--month", "2026-10", "--section", "register"),
                 ("show", "CC-2026-0001")):
        md = ledger(*args, "--format", "markdown").stdout
        assert "\\[点击领取赔偿\\](http://evil.example) \\<img src=x onerror=alert(1)>" \
            in md, (args, md)
        assert "<img" not in md.replace("\\<img", "") and "](http" not in md.replace("\\](", "")
    md = ledger("show", "CC-2026-0001", "--format", "markdown").stdout
    assert "\\*\\*urgent\\*\\* a\\_b \\`x\\` \\~\\~y\\~\\~ & z" in md, md


def test_markdown_keeps_an_ampersand_and_angle_brackets_that_are_no_markup(ledger):
    """The mailed markdown is read as plain text too: its department R&D read R&amp;D,
    a customer A&B <Co> A&amp;B &lt;Co&gt;. Only a tag's < and an entity's & are
    escaped, with a backslash (CommonMark's escape)."""
    cid = ledger.log(customer="A&B <Co> 5<6 &amp; x>y", received="2026-10-20 14:00")
    ledger("assign", cid, "--dept", "R&D", "--owner", "Tom", "--at", "2026-10-20 15:00")
    for args in (("list",), ("overdue",), ("report", "--month", "2026-10")):
        md = ledger(*args, "--format", "markdown").stdout
        assert "A&B \\<Co> 5<6 \\&amp; x>y" in md, (args, md)
        assert "&lt;" not in md and "&gt;" not in md and "&amp;" not in md.replace(
            "\\&amp;", ""), (args, md)
        if args[0] != "list":
            assert "| R&D |" in md, (args, md)


def test_formula_cells_are_neutralised_in_csv(ledger):
    ledger("log", "--customer", "=HYPERLINK(\"x\")", "--description", "+1", "--category",
           "quality", "--severity", "low", "--channel", "phone")
    csv_text = ledger("list", "--format", "csv").stdout
    assert "'=HYPERLINK" in csv_text and ",'+1" in csv_text


def test_nfc_and_full_width_spaces(ledger):
    cid = ledger("log", "--customer", "\u3000Cafe\u0301 Ltd\u3000", "--description", "x",
                 "--category", "quality", "--severity", "low", "--channel", "phone"
                 ).stdout.strip()
    assert ledger.json("show", cid)["customer"] == "Caf\u00e9 Ltd"


def test_chinese_date_form_and_words(ledger):
    cid = ledger.log(received="2026年10月8日 14:30")
    assert ledger.json("show", cid)["received_at"] == "2026-10-08T06:30:00Z"
    cid = ledger.log(received="yesterday", product="Other")
    assert ledger.json("show", cid)["received_at"].endswith("T16:00:00Z")


def test_usage_errors_are_exit_2_without_traceback(ledger):
    r = ledger("assign", code=2)
    assert "Missing argument" in r.stderr
    r = ledger("log", "--quantity", "many", code=2)
    assert "Invalid value" in r.stderr
    r = ledger("frobnicate", code=2)
    assert "No such command" in r.stderr


# --- issue 12 items 9 and 11: input the fuzzer found, pipes, files --------------

PINNED = "2025-12-15 10:00"


@pytest.fixture
def pinned(ledger, monkeypatch):
    """The ledger with the clock at 2025-12-15 10:00 Shanghai and one complaint,
    CC-2025-0001, received 2025-10-01, with a return RMA-2025-0001 of 5 received."""
    from datetime import datetime, timezone

    from complaintctl import cli

    monkeypatch.setattr(cli, "_now", lambda: datetime(2025, 12, 15, 2, tzinfo=timezone.utc))
    ledger(*LOG, "--received", "2025-10-01 09:00")
    ledger("assign", "CC-2025-0001", "--dept", "QA", "--owner", "Li", "--at", "2025-10-01 10:00")
    ledger("investigate", "CC-2025-0001", "--cause", "x", "--at", "2025-10-02 10:00")
    ledger("return", "open", "CC-2025-0001", "--qty", "5", "--at", "2025-10-03 10:00")
    ledger("return", "receive", "RMA-2025-0001", "--qty", "5", "--at", "2025-10-04 10:00")
    return ledger


@pytest.mark.parametrize(("args", "message"), [
    ((*LOG, "--quantity", "99999999999999999999"), "--quantity 99999999999999999999 is out of"),
    (("return", "open", "CC-2025-0001", "--qty", "99999999999999999999"), "--qty 999"),
    (("return", "receive", "RMA-2025-0001", "--qty", "-99999999999999999999"), "--qty -999"),
    (("return", "inspect", "RMA-2025-0001", "--result", "defect-confirmed", "--defective",
      "18446744073709551616"), "--defective 18446744073709551616 is out of range"),
    (("return", "dispose", "RMA-2025-0001", "--action", "scrap", "--qty", "1", "--cost",
      "1e999999999"), "--cost '1e999999999' is not an amount"),  # (Decimal's exponent)
    (("return", "dispose", "RMA-2025-0001", "--action", "scrap", "--qty", "1", "--cost",
      "9" * 40), f"--cost '{'9' * 40}' is out of range"),
    (("resolve", "CC-2025-0001", "--disposition", "refund", "--summary", "x", "--amount",
      "99999999999999999999"), "--amount '99999999999999999999' is out of range"),
    (("list", "--limit", "99999999999999999999"), "--limit 99999999999999999999 is out"),
    (("demo", "--complaints", "99999999999999999999"), "--complaints 9999"),
    (("action", "done", "99999999999999999999"), "is not an action number"),
    # a number with a dash before it is no number (it acted on the number after the dash,
    # and a done or verify cannot be undone)
    (("action", "done", "--", "-1"), "'-1' is not an action number"),
    (("action", "verify", "--note", "ok", "--", "--1"), "'--1' is not an action number"),
    (("policy", "set", "resolve", "high", "99999999999999999999h"), "duration '9999"),
    (("policy", "set", "escalation", "²", "1wd"), "type the number with the digits 0-9"),
    ((*LOG, "--received", "0001-01-01"), "--received '0001-01-01' is out of range"),
    ((*LOG, "--shipped", "9999-12-31"), "--shipped '9999-12-31' is out of range"),
    (("assign", "CC-2025-0001", "--dept", "a", "--owner", "b", "--at", "9999-12-31 23:59"),
     "--at '9999-12-31 23:59' is out of range"),
    (("action", "add", "CC-2025-0001", "--text", "t", "--owner", "o", "--due", "0001-01-01"),
     "--due '0001-01-01' is out of range"),
    (("list", "--since", "0001-01-01"), "--since '0001-01-01' is out of range"),
    (("overdue", "--as-of", "9999-12-31"), "--as-of '9999-12-31' is out of range"),
    (("report", "--month", "9999-12"), "--month '9999-12' is out of range"),
    (("report", "--week", "0001-01-01"), "--week '0001-01-01' is out of range"),
    (("report", "--month", "2025-10", "--as-of", "0001-01-01"), "--as-of '0001-01-01'"),
    (("policy", "calendar", "--add-holiday", "0001-01-01"), "--add-holiday '0001-01-01'"),
    (("log", "--customer", "A\udcb5", "--description", "x", "--category", "quality",
      "--severity", "low", "--channel", "phone"), "--customer 'A\\xb5' is not valid text"),
])
def test_huge_numbers_far_years_and_broken_text_are_bad_input(pinned, args, message):
    r = refused(pinned, *args, code=2, message=message)
    assert "unexpected failure" not in r.stderr


@pytest.mark.parametrize("args", [
    ("log", "--customer", "A", "--channel", "phone", "--category", "quality", "--severity",
     "low", "--description", "d", "--no-input", "--quantity"),
    ("amend", "CC-2025-0001", "--reason", "r", "--quantity"),
    ("return", "open", "CC-2025-0001", "--qty"),
    ("return", "receive", "RMA-2025-0001", "--qty"),
    ("overdue", "--limit"), ("list", "--limit")])
def test_a_number_of_thousands_of_digits_is_out_of_range_and_not_echoed_whole(pinned, args):
    """A number over 4,300 digits: Python's int() refused it ("unexpected failure:
    ValueError: Exceeds the limit (4300 digits)", a traceback by overdue's fast path);
    and one just under it was echoed whole in the refusal. A count is out of range by
    its digits, before int() (a million digits took it 17 s); a limit is not a valid
    int to Click."""
    said = "is not a valid int" if args[-1] == "--limit" else "is out of range\n"
    r = refused(pinned, *args, "9" * 5000, code=2,
                message=f"'{'9' * 60}…' (5,000 characters) {said}")
    assert len(r.stderr) < 400, r.stderr


def test_a_count_is_read_by_its_digits_and_a_long_click_value_is_cut(ledger):
    """A register's cell of a million digits (the same function as a typed count): out of
    range by its length, before int() (17 s); zeros before a count are no digits of it
    (int() counted them: "unexpected failure"); a long value Click quotes in double quotes
    (it holds an apostrophe) is cut as a single-quoted one is."""
    from complaintctl import parse
    from complaintctl.errors import BadInput

    with pytest.raises(BadInput, match=r"数量 '9{60}…' \(1,000,000 characters\) is out of"):
        parse.read_count("9" * 1_000_000, "数量")
    # zeros before it are no digits of its value (int() counted them: "unexpected failure")
    assert parse.read_count("0" * 5000 + "5", "数量") == 5
    r = refused(ledger, "list", "--limit", "it's" + "x" * 3000, code=2,
                message="(3,004 characters) is not a valid int")
    assert len(r.stderr) < 400, r.stderr


def test_a_path_with_an_escape_sequence_is_named_visibly(ledger, tmp_path, monkeypatch):
    """A file named by a customer (`attach ID ~/Downloads/*`) with an escape sequence in
    its name: the error naming it wrote the ESC and BEL bytes to the terminal (retitled
    or cleared it); so did --db, and an --output's confirmation. Written as \\x1b."""
    cid = ledger.log()
    acting = "\x1b]0;pwn\x07\u202e"
    empty = tmp_path / f"empty{acting}.jpg"
    empty.write_bytes(b"")
    attached = refused(ledger, "attach", cid, str(empty), code=2,
                       message="the file is empty")
    assert "empty\\x1b]0;pwn\\x07\\u202e.jpg" in attached.stderr, attached.stderr
    # a path of the ledger or of a file to write holding one is refused, named visibly
    opened = ledger("--db", str(tmp_path / f"x{acting}.db"), "list", code=2)
    assert opened.stderr.startswith(
        f"Error: --db '{tmp_path}/x\\x1b]0;pwn\\x07\\u202e.db' contains a control "
        "character (U+001B)"), opened.stderr
    monkeypatch.chdir(tmp_path)
    written = ledger("export", "complaints", "--format", "csv", "--output", f"o{acting}.csv",
                     code=2)
    assert "'o\\x1b]0;pwn\\x07\\u202e.csv' contains a control character" in written.stderr, \
        written.stderr
    assert not list(tmp_path.glob("o*.csv"))
    for said in (attached.stderr, opened.stderr, written.stderr):
        assert not any(ch in said for ch in "\x1b\x07\u202e"), said


def test_an_option_whose_value_was_left_out_does_not_take_the_next_option(ledger):
    """`log … --customer --no-input` stored the customer "--no-input" (and lost the
    flag); `note ID --text --kind` recorded the note "--kind"; `assign ID --dept --owner o`
    said --owner was missing though it was given."""
    cid = ledger.log()
    for args, option, value in (
            (("log", "--channel", "phone", "--category", "quality", "--severity", "low",
              "--description", "d", "--customer", "--no-input"), "--customer", "--no-input"),
            (("note", cid, "--text", "--kind"), "--text", "--kind"),
            (("assign", cid, "--dept", "--owner", "o"), "--dept", "--owner"),
            (("--db", "--lang", "list"), "--db", "--lang"),
            # (an option given many times too: --clear took --region and emptied it)
            (("amend", cid, "--reason", "fix", "--clear", "--region"), "--clear", "--region"),
            # an option with its value (`--name=value`), and complaintctl's own typed after
            # the command: recorded as the text, exit 0
            (("investigate", cid, "--finding", "--cause=轴承不良"), "--finding",
             "--cause=轴承不良"),
            (("note", cid, "--text", "--kind=email"), "--text", "--kind=email"),
            (("note", cid, "--text", "-q"), "--text", "-q"),
            (("note", cid, "--text", "--db"), "--text", "--db")):
        r = refused(ledger, *args, code=2, message=f"Error: {option} has no value: {value} "
                    "after it is an option (its value left out?)\n")
        assert "Usage: " in r.stderr
    ledger("note", cid, "--text", "--kind 写错了也照样记下")  # (a text that only starts so)
    assert ledger.rows("SELECT text FROM notes") == [("--kind 写错了也照样记下",)]


def test_a_count_out_of_range_is_said_in_its_options_words(pinned):
    """`demo --complaints 99999999999` said "a quantity is a whole number up to
    10,000,000": the hint of the goods' quantity, on a count of complaints."""
    r = refused(pinned, "demo", "--complaints", "99999999999", code=2,
                message="Error: --complaints 99999999999 is out of range\n")
    assert r.stderr.endswith("Hint: --complaints takes a whole number up to 10,000,000\n")
    r = refused(pinned, *LOG, "--quantity", "99999999999", code=2,
                message="Error: --quantity 99999999999 is out of range\n")
    assert r.stderr.endswith("Hint: --quantity takes a whole number up to 1,000,000,000\n")


def test_the_year_range_edges_are_accepted(pinned):
    pinned("list", "--since", "1900-01-01", "--until", "2199-12-31")
    pinned("overdue", "--as-of", "2199-12-31", "--format", "json")


def test_gbk_stdin_is_bad_input_with_a_hint(pinned):
    gbk = "电机异响".encode("gbk")
    # (received given: the description is read after every other option is checked)
    r = refused(pinned, *LOG[:4], "-", *LOG[5:], "--received", "2025-12-15 09:00", input=gbk,
                code=2,
                message="--description - (stdin) is not valid text (not UTF-8): byte 0xb5")
    assert "Hint: convert it to UTF-8 first, e.g. iconv -f GBK -t UTF-8" in r.stderr
    refused(pinned, "amend", "CC-2025-0001", "--reason", "typo", "--description", "-",
            input=gbk, code=2, message="not valid text (not UTF-8)")


def test_a_time_with_a_point_and_a_date_named_in_part(ledger):
    """`--received "2026-09-30 14.30"` was stored as 14:00 (Python's fromisoformat read
    14 hours and 0.30 seconds), and "Sep 2026" or "Sep 30" as a day python-dateutil
    filled in from today. 14.30 is half past two; a date named in part is refused; a
    day option refuses a time in any form rather than dropping it."""
    cid = ledger.log(received="2026-09-30 14.30")
    assert ledger.rows("SELECT received_at FROM complaints") == [("2026-09-30T06:30:00Z",)]
    ledger("amend", cid, "--received", "2026-09-30 9,45", "--reason", "typo")
    assert ledger.rows("SELECT received_at FROM complaints") == [("2026-09-30T01:45:00Z",)]
    before = ledger.snapshot()
    for value in ("2026-09-30 14.5", "2026-09-30 14.60"):
        refused(ledger, "amend", cid, "--received", value, "--reason", "typo", code=2,
                message=f"Error: cannot read --received '{value}'\nHint: type the time with "
                        "a colon, e.g. 2026-03-04 14:30")
    for value in ("Sep 2026", "Sep 30", "September"):
        refused(ledger, "amend", cid, "--received", value, "--reason", "typo", code=2,
                message=f"Error: cannot read --received '{value}': it does not name one day "
                        "(its year, month and day)")
    for value in ("2026-09-30 14.30", "2026-09-30 1430", "2026-09-30 14h30"):
        refused(ledger, "list", "--since", value, code=2,
                message=f"Error: --since takes a day, not a time of day: '{value}'")
        refused(ledger, "amend", cid, "--shipped", value, "--reason", "typo", code=2,
                message=f"Error: --shipped takes a day, not a time of day: '{value}'")
    refused(ledger, "report", "--week", "Sep", code=2, message="it does not name one day")
    assert ledger.snapshot() == before


def test_a_month_typed_as_the_days_are(ledger):
    """`--month ２０２６－１０` (full-width, as a Chinese IME types it) and 2026.10 were
    refused, where every day option reads them."""
    ledger.log(received="2026-10-20 14:00")
    for month in ("２０２６－１０", "2026.10", "2026年10月", "2026/10"):
        assert ledger.json("report", "--month", month)["period"]["from"] == "2026-10-01", month
    refused(ledger, "report", "--month", "2026.13", code=2,
            message="Error: cannot read --month '2026.13'")


def test_a_description_from_a_closed_stdin_is_bad_input(ledger):
    """`--description -` with stdin closed (`<&-`, a cron line) said "unexpected failure:
    AttributeError" and "this is a bug"."""
    import os
    import subprocess
    import sys

    before = ledger.snapshot()
    # (without a preloaded library: libfaketime, under which the suite is also run, opens
    # a file as the process starts, and with stdin closed that file becomes stdin)
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" -m complaintctl log --customer X --channel phone --category '
         'quality --severity low --description - <&-', sys.executable],
        env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2, done
    assert done.stderr == ("Error: --description - reads the text from standard input, which "
                           "is closed\nHint: pipe the text in (… | complaintctl …), or give it "
                           "as --description TEXT\n"), done.stderr
    assert ledger.snapshot() == before


def test_an_empty_pipe_for_the_description_says_so(pinned):
    """`--description -` given an empty pipe was told to type the value after
    --description, in quotes."""
    r = refused(pinned, *LOG[:4], "-", *LOG[5:], "--received", "2025-12-15 09:00", input="",
                code=2, message="Error: --description -: nothing came on standard input\n")
    assert "Hint: pipe the text in" in r.stderr and "in quotes if" not in r.stderr


def test_an_empty_output_path_or_a_folder_for_the_mapping_says_what_is_wrong(pinned,
                                                                            tmp_path):
    """`--output ""` was told to write the report to another file, `backup ""` to back
    up to a file of another name, and `--mapping FOLDER` that there was no mapping."""
    # (a name of spaces alone wrote a file that showed as nothing: "Backed up to   ")
    for args in (("report", "--month", "2025-12", "--output", ""), ("backup", ""),
                 ("backup", "  "), ("export", "complaints", "--format", "csv", "--output", " ")):
        r = refused(pinned, *args, code=2, message="must not be empty\n")
        assert "Hint: give the path of the file to write\n" in r.stderr, r.stderr
    r = pinned("--lang", "zh", "backup", "", code=2)  # (it said "backup PATH" in Chinese)
    assert r.stderr.startswith("错误：备份路径 不能为空\n"), r.stderr
    register = tmp_path / "r.csv"
    register.write_text("a,b\n1,2\n", encoding="utf-8")
    r = refused(pinned, "import", register, "--mapping", tmp_path, code=2,
                message=f"Error: --mapping {tmp_path} is a folder\n")
    assert "Hint: give the mapping's TOML file in it" in r.stderr


def test_utf8_stdin_with_a_bom_is_read(pinned):
    pinned("amend", "CC-2025-0001", "--reason", "typo", "--description", "-",
           input="\ufeff电机异响".encode())
    assert pinned.json("show", "CC-2025-0001")["description"] == "电机异响"


def test_output_in_a_missing_folder_names_the_users_path(pinned, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    r = refused(pinned, "report", "--month", "2025-10", "--format", "csv", "--output",
                "missing/dir/r.csv", code=2,
                message="Error: cannot write missing/dir/r.csv: folder missing/dir does not "
                "exist")
    assert ".r.csv." not in r.stderr
    refused(pinned, "report", "--month", "2025-10", "--format", "csv", "--output",
            str(tmp_path), code=2, message=f"cannot write {tmp_path}: it is a folder")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_output_is_a_regular_file_or_a_link_to_one(pinned, tmp_path, monkeypatch):
    """A link is followed (the file it names is replaced, the link kept); a device,
    a pipe and "-" are refused and left as they are (as root, replacing /dev/null or
    /dev/stdout with a file would break the machine)."""
    import stat

    monkeypatch.chdir(tmp_path)
    report = ("report", "--month", "2025-10", "--format", "csv", "--output")
    (tmp_path / "real.csv").write_text("old")
    os.symlink("real.csv", tmp_path / "link.csv")
    pinned(*report, "link.csv")
    assert os.readlink(tmp_path / "link.csv") == "real.csv"
    assert (tmp_path / "real.csv").read_text(encoding="utf-8-sig").startswith("# summary\n")
    assert stat.S_IMODE(os.stat(tmp_path / "real.csv").st_mode) == 0o600
    os.symlink("missing.csv", tmp_path / "dangling.csv")  # a link to a file not there yet
    pinned(*report, "dangling.csv")
    assert (tmp_path / "missing.csv").is_file() and (tmp_path / "dangling.csv").is_symlink()
    os.mkfifo(tmp_path / "pipe.csv")
    for target in ("pipe.csv", "/dev/null"):
        refused(pinned, *report, target, code=2,
                message=f"cannot write {target}: it is not a regular file")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe.csv").st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    r = refused(pinned, *report, "-", code=2, message="cannot write -: '-' would be a file")
    assert "Hint: give a file name; to see a report on the terminal, leave out --output\n" \
        in r.stderr, r.stderr
    # an export needs its file: no report to see on the terminal (an engineer's
    # `attachment get 2 --output -` was told so)
    r = refused(pinned, "export", "complaints", "--format", "csv", "--output", "-", code=2,
                message="cannot write -: '-' would be a file")
    assert r.stderr.endswith("Hint: give a file name\n"), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == [
        "dangling.csv", "link.csv", "missing.csv", "pipe.csv", "real.csv"]  # no temp left


def test_dev_stdout_on_a_pipe_is_said_to_be_no_regular_file(pinned, env):
    """/dev/stdout is a link to /proc/self/fd/1, whose target (pipe:[…]) is no path:
    "cannot write /dev/stdout: no such file or folder" though it is there."""
    done = _cli(env, "export", "complaints", "--format", "csv", "--output", "/dev/stdout",
                text=True)
    assert done.returncode == 2 and done.stdout == "", done
    assert done.stderr.startswith("Error: cannot write /dev/stdout: it is not a regular file"), \
        done.stderr


def _cli(env, *args, **kw):
    return subprocess.run([sys.executable, "-m", "complaintctl", *args], capture_output=True,
                          timeout=60, env={**os.environ, "COMPLAINTCTL_DB": str(env)}, **kw)


def test_arguments_that_are_not_utf8_in_a_real_process(ledger, env):
    """A GBK shell passes bytes that Python turns into lone surrogates."""
    before = ledger.snapshot()
    for args, message in [
        ((b"log", b"--customer", "电机".encode("gbk"), b"--description", b"x"),
         b"Error: --customer '\\xb5\\xe7\\xbb\\xfa' is not valid text (not UTF-8)"),
        ((b"show", b"CC-2025-\xff"), b"Error: argument 'CC-2025-\\xff' is not valid text"),
        ((b"list", b"--customer=\xff"), b"Error: --customer '\\xff' is not valid text")]:
        proc = _cli(env, *args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(message), proc.stderr
        assert b"unexpected failure" not in proc.stderr
    assert ledger.snapshot() == before


def test_bytes_that_are_not_utf8_are_shown_escaped_in_chinese_quotes_too(ledger, env):
    before = ledger.snapshot()
    proc = _cli(env, b"--lang", b"zh", b"show", b"CC-2025-\xff")
    assert proc.returncode == 2, proc.stderr
    assert "“CC-2025-\\xff”不是有效文本".encode() in proc.stderr, proc.stderr.decode()
    assert ledger.snapshot() == before


def test_gbk_stdin_in_a_real_process(ledger, env):
    before = ledger.snapshot()
    proc = _cli(env, *LOG[:4], "-", *LOG[5:], "--received", "2025-10-01",
                input="电机异响".encode("gbk"))
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        "Error: --description - (stdin) is not valid text (not UTF-8): byte 0xb5 at offset 0",
        "Hint: convert it to UTF-8 first, e.g. iconv -f GBK -t UTF-8"]
    assert ledger.snapshot() == before


@pytest.mark.parametrize("args", [("show", "ID"), ("report", "--month", "2025-10"),
                                  ("list",), ("list", "--format", "json"),
                                  # Click's own exit 1 (help is Click's)
                                  ("--help",), ("report", "--help"), ("-h",)])
def test_a_reader_that_stops_early_is_not_an_error(ledger, env, args):
    """`complaintctl show ID | head -1`: exit 0, nothing on stderr. The reader here
    closes the pipe before the command writes, so every write meets a closed pipe."""
    cid = ledger(*LOG[:4], "电机异响 " * 3000, *LOG[5:], "--received", "2025-10-01"
                 ).stdout.strip()
    ledger(*LOG, "--received", "2025-10-02")
    args = tuple(cid if a == "ID" else a for a in args)
    proc = subprocess.Popen([sys.executable, "-m", "complaintctl", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "COMPLAINTCTL_DB": str(env), "COLUMNS": "60"})
    proc.stdout.close()  # like a head that has already had its lines
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, err
    assert err == b""


@pytest.mark.parametrize("actor", ["", "   "])
def test_an_empty_as_is_refused_not_taken_for_the_login(pinned, actor):
    """`--as "$CLERK"` with CLERK unset: refused, nothing recorded (the step would
    otherwise be the operating-system login's)."""
    refused(pinned, "--as", actor, "amend", "CC-2025-0001", "--reason", "typo", "--product",
            "XD-9", code=2, message="Error: --as must not be empty")


def test_a_user_variable_of_spaces_is_named_as_itself(pinned, monkeypatch):
    """COMPLAINTCTL_USER="   " was refused as "--as must not be empty", an option nobody
    typed."""
    monkeypatch.setenv("COMPLAINTCTL_USER", "   ")
    r = refused(pinned, "amend", "CC-2025-0001", "--reason", "typo", "--product", "XD-9",
                code=2, message="Error: COMPLAINTCTL_USER holds only spaces")
    assert "Hint: set it to the name to record, e.g. COMPLAINTCTL_USER=周敏, or unset it to " \
        "record your login name" in r.stderr, r.stderr
    # and an empty one (a crontab's COMPLAINTCTL_USER=$UNSET) recorded the login silently
    monkeypatch.setenv("COMPLAINTCTL_USER", "")
    r = refused(pinned, "amend", "CC-2025-0001", "--reason", "typo", "--product", "XD-9",
                code=2, message="Error: COMPLAINTCTL_USER is empty: it names nobody")
    assert "or unset it to record your login name" in r.stderr, r.stderr


def test_a_login_name_with_a_control_character_is_named_as_the_login(pinned, monkeypatch):
    """LOGNAME=$'wang\\e[31m' was refused as "--as contains a control character": a cron
    job's mail named an option its crontab does not have."""
    monkeypatch.delenv("COMPLAINTCTL_USER", raising=False)
    monkeypatch.setenv("LOGNAME", "wang\x1b[31m")
    refused(pinned, "amend", "CC-2025-0001", "--reason", "typo", "--product", "XD-9",
            code=2, message="Error: LOGNAME contains a control character (U+001B)")


@pytest.mark.parametrize("command", ["list", "overdue"])
def test_a_negative_limit_says_that_0_is_allowed(pinned, command):
    """--limit 0 means all: the refusal of -1 says so (overdue through the fast path too)."""
    refused(pinned, command, "--limit", "-1", "--format", "json", code=2,
            message="Error: --limit must be 0 or a positive whole number, not -1")


def test_refusals_of_bad_input_say_what_to_type(ledger):
    """Each of these names the next step on a Hint line (exit 2, nothing written)."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    resolve = ("resolve", cid, "--disposition", "refund", "--summary", "x", "--amount")
    cases = [
        ((*LOG[:2], "   ", *LOG[3:]), "--customer must not be empty",
         "type the value after --customer, in quotes if it has spaces"),
        ((*resolve, "1234.345"), "--amount '1234.345' has more than two decimals",
         "amounts are kept to the cent: e.g. --amount 1234.35"),
        ((*resolve, "-5"), "--amount must be more than 0, not '-5'",
         "type the amount without a sign"),
        (("list", "--limit", "-2"), "--limit must be 0 or a positive whole number",
         "0 means no limit; else a count such as --limit 20"),
        (("log", *LOG[1:], "--quantity", "0"), "--quantity must be a positive whole number",
         "type a count such as --quantity 1"),
        (("export", "complaints", "--since", "2026-10-31", "--until", "2026-10-01", "--output",
          "x.csv"), "--until is before --since", "swap them: --since 2026-10-01 --until "
         "2026-10-31"),
        (("report", "--since", "2026-10-05", "--until", "2026-10-01"),
         "--until is before --since", "swap them: --since 2026-10-01 --until 2026-10-05"),
        (("report", "--since", "2026-10-01"), "--since and --until go together",
         "give both, e.g. --since 2026-01-01 --until 2026-06-30"),
        (("report", "--month", "2026-10", "--trend", "200"), "--trend 200 is not between 0 "
         "and 120", "how many periods to show beside it, the report's the last, e.g. --trend 12"),
        (("amend", cid, "--reason", "typo"), "nothing to amend: no field was given",
         "give each field to correct with its right value, e.g. complaintctl amend "
         f"{cid} --severity high --reason TEXT"),
        # an option given empty was "no field was given"; a contact is erased otherwise
        (("amend", cid, "--contact", "", "--reason", "typo"), "--contact must not be empty",
         f"to erase a contact for good: complaintctl forget-contact {cid} --reason TEXT"),
        (("amend", cid, "--product", " ", "--reason", "typo"), "--product must not be empty",
         "type the value after --product, in quotes if it has spaces"),
        (("amend", cid, "--shipped", "", "--reason", "typo"), "--shipped must not be empty",
         "type the value after --shipped, in quotes if it has spaces"),
        (("amend", cid, "--received", " ", "--reason", "typo"), "--received must not be empty",
         "type the value after --received, in quotes if it has spaces"),
        (("init", "--lang", "fr"), "--lang 'fr' is not one of: zh (Chinese), en (English)",
         "type one of them, e.g. --lang zh"),
        ((*LOG, "--shipped", "2026-11-24"), "--shipped 2026-11-24 is in the future",
         "give the day the goods left"),
        (("report", "--format", "xml"), "--format 'xml' is not one of: table, json, csv, "
         "markdown, xlsx", "type one of them, e.g. --format table"),
    ]
    for args, message, hint in cases:
        r = refused(ledger, *args, code=2, message=f"Error: {message}")
        assert f"\nHint: {hint}" in r.stderr, (args, r.stderr)


def test_a_ship_date_of_today_or_before_is_taken(ledger):
    """The pinned clock's day (23 November 2026) is not in the future."""
    cid = ledger("log", *LOG[1:], "--shipped", "2026-11-23").stdout.strip()
    assert ledger.rows("SELECT shipped_on FROM complaints WHERE id = ?", (cid,)) == [
        ("2026-11-23",)]


def test_an_account_without_a_name_acts_by_its_uid(run, monkeypatch):
    """Run under a uid with no passwd entry (a container's --user 4242) and without
    COMPLAINTCTL_USER, every event's actor was "unknown"."""
    import getpass
    import os

    from complaintctl import cli

    def nameless():
        raise KeyError("uid not found")

    run("init")
    monkeypatch.delenv("COMPLAINTCTL_USER")
    monkeypatch.setattr(getpass, "getuser", nameless)
    monkeypatch.setattr(cli, "_login", lambda: f"uid {os.getuid()}")  # no passwd entry
    cid = run("log", "--customer", "A", "--description", "x", "--category", "quality",
              "--severity", "low", "--channel", "phone").stdout.strip()
    assert run.rows("SELECT actor FROM events WHERE complaint_id = ?", (cid,)) == [
        (f"uid {os.getuid()}",)]


def test_a_day_whose_midnight_the_clocks_skipped_is_taken_from_its_first_instant(run):
    """America/Santiago goes from 00:00 to 01:00 on 6 September 2026: every option
    taking a day refused 2026-09-06 ("the clocks went forward over that time"), and the
    time its hint offered was refused as "a day, not a time of day": no closure, no
    report of that week, no ship date that day. A time typed in the gap is still refused."""
    from test_words import refused

    run("init", "--country", "CL", "--timezone", "America/Santiago")
    run("policy", "calendar", "--add-closure", "2026-09-06")
    cid = run("log", "--customer", "S", "--description", "x", "--channel", "phone",
              "--category", "quality", "--severity", "low", "--shipped", "2026-09-06",
              "--received", "2026-09-06").stdout.strip()
    assert run.rows("SELECT received_at, shipped_on FROM complaints WHERE id = ?", (cid,)) == \
        [("2026-09-06T04:00:00Z", "2026-09-06")]  # 01:00 at -03:00
    week = run.json("report", "--week", "2026-09-06")["period"]
    assert (week["from"], week["to"]) == ("2026-08-31", "2026-09-06")
    assert [c["id"] for c in run.json("list", "--since", "2026-09-06", "--until",
                                      "2026-09-06")] == [cid]
    refused(run, "log", "--customer", "S", "--description", "x", "--channel", "phone",
            "--category", "quality", "--severity", "low", "--received", "2026-09-06 00:30",
            message="--received '2026-09-06 00:30': the clocks of America/Santiago went "
                    "forward over that time")


@pytest.mark.parametrize("args", [("report", "--week", "周本"), ("list", "--since", "xyz"),
                                  ("policy", "calendar", "--add-closure", "next")])
def test_an_option_taking_a_day_hints_a_day_only(ledger, args):
    """`--week 本周` hinted `2026-03-04 14:30 (2026年3月4日 14点30分)`, which --week then
    refused as "takes a day, not a time of day" (本周 is this week now: test_words)."""
    from test_words import refused

    refused(ledger, *args, message=f"cannot read {args[-2]} {args[-1]!r}",
            hint="type a date like 2026-03-04 or 2026年3月4日, or today, yesterday")


def test_a_dash_for_a_text_other_than_the_description_is_refused(ledger):
    """`echo … | investigate ID --finding -` stored the finding "-" (for good: an event)
    and the text piped in was lost; resolve --summary -, revisit --note - and note --text -
    the same. Only --description reads stdin (log and amend); the others refuse "-",
    saying how to give a text kept in a file."""
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    for args in (("investigate", cid, "--finding", "-"), ("note", cid, "--text", "-"),
                 ("investigate", cid, "--cause", "-")):
        r = refused(ledger, *args, input="一、现象确认\n", code=2,
                    message=f"Error: {args[2]} -: only --description reads its text from stdin")
        assert f'Hint: give the text itself, in quotes: {args[2]} "…"' in r.stderr
    ledger("investigate", cid, "--cause", "焊点不良")
    refused(ledger, "resolve", cid, "--disposition", "exchange", "--summary", "-", code=2,
            input="换货\n", message="--summary -: only --description reads")
    ledger("amend", cid, "--description", "-", "--reason", "补充", input="电机异响，已拆机\n")
    assert ledger.rows("SELECT description FROM complaints") == [("电机异响，已拆机",)]
    # a description piped in that is itself "-" is said as what it is, a word for none
    # (it was told only --description reads stdin)
    refused(ledger, "amend", cid, "--description", "-", "--reason", "补充", input="-\n",
            code=2, message="Error: '-' means none, not a value of --description\n")


def test_a_due_date_before_the_action_is_added_names_when_that_is(ledger):
    """`action add … --due 2026-10-01` without --at: the hint said "give a due date after
    --at", an option the clerk had not typed; the message names the time it is before."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    refused(ledger, "action", "add", cid, "--text", "x", "--owner", "y", "--due",
            "2026-10-01", "--at", "2026-10-09 09:00", code=2,
            message="Error: --due 2026-10-01 23:59 is before the action is added "
                    "(2026-10-09 09:00)\nHint: give a due date after it\n")
    before = ledger.snapshot()
    r = ledger("--lang", "zh", "action", "add", cid, "--text", "x", "--owner", "y",
               "--due", "2026-10-01", code=2)
    assert r.stderr == ("错误：--due 2026-10-01 23:59 早于该措施的添加时间（2026-11-23 20:00）\n"
                        "提示：请给出晚于该时间的截止日期\n"), r.stderr
    assert ledger.snapshot() == before
    # due the moment it is added: late at once (it was taken, and listed by --late)
    refused(ledger, "action", "add", cid, "--text", "x", "--owner", "y", "--due", "now",
            code=2, message="Error: --due 2026-11-23 20:00 is when the action is added: it "
                            "would be late at once\nHint: give a due date after it")


def test_a_path_with_a_line_break_is_refused_naming_it(ledger, tmp_path, monkeypatch):
    """A path read from a file with its newline: "Error: no ledger at /srv/qa/ledger.db",
    then a blank line (the path looked right); `--db "…\\n" init` made a ledger whose
    name ends in a newline, and `Wrote a` and `b.csv` on two lines."""
    said = "contains a control character (U+000A)\nHint: a path is one line: a line break " \
        "at its end, read from a file?\n"
    db = str(ledger.db)
    for args in (("--db", db + "\n", "list"), ("--db", str(tmp_path / "new.db\n"), "init"),
                 ("export", "complaints", "--output", str(tmp_path / "a\nb.csv")),
                 ("backup", str(tmp_path / "b.db\n")),
                 ("report", "--month", "2026-10", "--output", str(tmp_path / "r\u2028.csv"))):
        r = refused(ledger, *args, code=2, message="Error: ")
        assert r.stderr.endswith(said.replace("U+000A", "U+2028") if "\u2028" in args[-1]
                                 else said), r.stderr
    monkeypatch.setenv("COMPLAINTCTL_DB", db + "\n")
    r = ledger("overdue", code=2)
    assert r.stderr == f"Error: COMPLAINTCTL_DB {db + chr(10)!r} {said}", r.stderr
    assert not any("\n" in p.name or "\u2028" in p.name for p in tmp_path.iterdir())


@pytest.mark.parametrize(("args", "message"), [
    (("list", "--since", ""), "cannot read --since ''"),
    (("list", "--until="), "cannot read --until ''"),
    (("export", "complaints", "--since", "", "--output", "e.csv"), "cannot read --since ''"),
    (("log", "--no-input", "--customer", "A", "--description", "d", "--category", "quality",
      "--severity", "low", "--channel", "phone", "--shipped", ""), "cannot read --shipped ''"),
    (("policy", "calendar", "--country", ""), "unknown country calendar ''"),
    (("report", "--month", ""), "cannot read --month ''"),
    (("report", "--week", ""), "cannot read --week ''")])
def test_an_option_given_empty_is_refused_not_passed_over(ledger, tmp_path, monkeypatch,
                                                          args, message):
    """`list --since "$START"` with START unset listed (and `export` wrote) the whole
    ledger, exit 0; `--shipped ""` logged without a ship date, `policy calendar
    --country ""` listed the days: as report --since "" and log --received "", refused."""
    monkeypatch.chdir(tmp_path)
    ledger.log()
    r = refused(ledger, *args, code=2, message=f"Error: {message}")
    assert "Hint: " in r.stderr
    assert not (tmp_path / "e.csv").exists()


def test_a_year_alone_where_a_day_is_asked_says_so(ledger):
    """`report --since 2026 --until 2026-12-31` said "numbers alone could be more than
    one date: type the year first" to one who had: a supervisor wanting a year's report
    is told how to ask for it."""
    r = refused(ledger, "report", "--since", "2026", "--until", "2026-12-31", code=2,
                message="Error: --since '2026' is a year, not a day\n")
    assert r.stderr.endswith("Hint: give the day, e.g. --since 2026-01-01 (a year's report: "
                             "report --since 2026-01-01 --until 2026-12-31)\n"), r.stderr
    refused(ledger, "list", "--until", "2026", code=2,
            message="Hint: give the day, e.g. --until 2026-12-31 (a year's report")
    refused(ledger, "report", "--week", "2026", code=2,
            message="Hint: give a week by a day of it, e.g. --week 2026-W01")
    # where a time may be typed, four digits may be one (19:30): as before
    cid = ledger.log()
    refused(ledger, "note", cid, "--text", "x", "--at", "1930", code=2,
            message="numbers alone could be more than one date")


@pytest.mark.parametrize(("typed", "hint"), [
    ("11-3", "2026-11-03 or 2026年11月3日"), ("12/3 14:00", "2025-12-03 or 2025年12月3日"),
    ("13/3", "2026-03-13 or 2026年3月13日")])
def test_a_month_and_day_in_numbers_is_told_the_year_to_add(ledger, typed, hint):
    """`--received 11-3` (as a clerk jots 3 November) was told "type the year first:
    2026-03-04", read as a reading of what was typed; 11月3日 was told the year to add.
    So is 11-3, the latest year not after today (2026-11-23 here)."""
    refused(ledger, *LOG, "--received", typed, code=2,
            message=f"Error: cannot read --received '{typed}': it has no year\n"
                    f"Hint: give the year first, e.g. {hint}\n")
    # a day that does not exist is said so (2/30 was offered 2026-02-30); 29 February the
    # latest leap year's; --as-of looks ahead, as --due does (12-10 was offered last year's)
    refused(ledger, *LOG, "--received", "2/30", code=2,
            message="Error: cannot read --received '2/30': there is no such day\n")
    refused(ledger, *LOG, "--received", "2/29", code=2,
            message="Hint: give the year first, e.g. 2024-02-29 or 2024年2月29日\n")
    refused(ledger, "overdue", "--as-of", "11-30", code=2,
            message="Hint: give the year first, e.g. 2026-11-30 or 2026年11月30日\n")


def test_a_file_whose_name_is_not_utf8_is_told_how_to_rename_it(ledger, env, tmp_path):
    """attach of 报告.txt named in GBK (unzipped from a Chinese Windows archive) was told
    to "convert it to UTF-8 first, e.g. iconv", which converts what a file holds."""
    cid = ledger.log()
    name = os.path.join(os.fsencode(tmp_path), "报告.txt".encode("gbk"))
    with open(name, "wb") as fh:
        fh.write(b"x")
    before = ledger.snapshot()
    proc = _cli(env, b"attach", cid.encode(), name)
    assert proc.returncode == 2, proc.stderr
    said = ("Hint: the name of a file or folder on its path is not UTF-8: rename them to "
            "UTF-8, e.g. convmv -f GBK -t UTF-8 -r --notest PATH, or give another name\n")
    assert proc.stderr.decode().endswith(said), proc.stderr.decode()
    # a folder's name on the way, and a file to write, alike; a customer so named is no
    # file (a file of that name here or not)
    folder = os.path.join(os.fsencode(tmp_path), "照片".encode("gbk"))
    os.mkdir(folder)
    proc = _cli(env, b"attach", cid.encode(), os.path.join(folder, b"a.jpg"))
    assert proc.stderr.decode().endswith(said), proc.stderr.decode()
    proc = _cli(env, b"export", b"complaints", b"--output", "报表.csv".encode("gbk"))
    assert proc.stderr.decode().endswith(said), proc.stderr.decode()
    proc = _cli(env, b"log", b"--customer", name, b"--no-input")
    assert proc.stderr.decode().endswith("Hint: convert it to UTF-8 first, e.g. iconv -f "
                                         "GBK -t UTF-8\n"), proc.stderr.decode()
    # after a flag the file is still the argument (it was taken for --dry-run's value,
    # and told to iconv); an option that takes a value keeps its name
    proc = _cli(env, b"import", b"--mapping", b"complaintctl", b"--dry-run", name)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode().startswith("Error: argument "), proc.stderr.decode()
    assert proc.stderr.decode().endswith(said), proc.stderr.decode()
    proc = _cli(env, b"import", b"--dry-run", b"--mapping", name, b"x.csv")
    assert proc.stderr.decode().startswith("Error: --mapping "), proc.stderr.decode()
    assert ledger.snapshot() == before


@pytest.mark.parametrize(("option", "value"), [("--demand", "无"), ("--demand", "n/a")])
def test_a_word_for_none_as_an_optional_word_is_refused_with_how_to_leave_it_out(
        ledger, option, value):
    """--demand 无 was told the list of demands (at the prompt: not in the list)."""
    r = refused(ledger, *LOG, option, value, code=2,
                message=f"{value!r} means none, not a value of {option}")
    assert f"Hint: leave {option} out (at the prompt: press Enter to skip it)" in r.stderr
    cid = ledger.log()
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳")
    refused(ledger, "investigate", cid, "--cause", "x", "--responsibility", "没有", code=2,
            message="'没有' means none, not a value of --responsibility")
    # amend asks nothing, and leaving --demand out changes nothing there: how it empties
    r = refused(ledger, "amend", cid, option, value, "--reason", "r", code=2,
                message=f"{value!r} means none, not a value of {option}")
    assert r.stderr.endswith(f"Hint: to empty it: complaintctl amend {cid} --clear demand "
                             "--reason TEXT\n"), r.stderr


def test_a_customer_that_is_a_word_for_none_is_refused(ledger):
    """Two unknown callers logged as customer 不详 about one product were one customer's
    repeat complaint (linked, and counted in the repeat rate); 无, n/a, / and ？ were
    stored without a word. The product's none-words were refused already."""
    cid = ledger.log()
    for value in ("不详", "无", "n/a", "/", "？"):
        r = refused(ledger, "log", "--customer", value, *LOG[3:], code=2,
                    message=f"{value!r} means none, not a value of --customer")
        assert r.stderr.endswith("Hint: name who complained, as they gave it: a person or a "
                                 "company (a caller who gave no name: how to tell them apart, "
                                 "e.g. 匿名来电 3月4日 上午)\n"), r.stderr
    r = refused(ledger, "amend", cid, "--customer", "不详", "--reason", "r", code=2,
                message="'不详' means none, not a value of --customer")
    assert "--clear" not in r.stderr, r.stderr  # (a customer is never emptied)
    # a filter takes any text (a customer stored so before is found)
    assert ledger("list", "--customer", "不详").exit_code == 0


def test_a_description_that_is_a_word_for_none_is_refused(ledger):
    """The description is required (客户原话), yet 无, - and / were filed as one, where the
    customer's 无 is refused. Refused with what to write; a short real one is taken."""
    for value in ("无", "--", "/", "（无）", "Ｎ／Ａ", "ＮＯＮＥ", "／", "n / a"):  # (- reads
        # stdin)
        r = refused(ledger, *LOG[:3], "--description", value, *LOG[5:], code=2,
                    message=f"Error: {value!r} means none, not a value of --description\n")
        assert r.stderr.endswith("Hint: write what the customer said, in their words\n"), \
            r.stderr
    assert ledger(*LOG[:3], "--description", "异响", *LOG[5:]).stdout.startswith("CC-")


@pytest.mark.parametrize(("value", "said"), [("13812345678", "*******5678"),
                                             ("138 1234 5678", "*********5678"),
                                             ("02161234567", "*******4567"),
                                             # (a hotline, a number and its extension, an
                                             # address typed loosely: as contacts read)
                                             ("4008208820", "******8820"),
                                             ("021-61234567转8001", "********4567*****"),
                                             ("a @ b.cn", "********"),
                                             ("buyer@example.com", "*************.com")])
def test_a_customer_that_is_a_phone_number_or_address_is_refused(ledger, value, said):
    """A caller's number typed at 客户 (the usual slip on a call) was stored as the
    customer: shown in clear in every listing and event, and forget-contact had nothing to
    erase. Refused (exit 2, said masked) with where it goes; a name with digits is not."""
    cid = ledger.log()
    hint = ("Hint: give it with --contact (masked on output, and erasable), and name who "
            "complained with --customer (a caller who gave no name: how to tell them apart, "
            "e.g. 匿名来电 3月4日 上午)\n")
    message = f"Error: '{said}' looks like a phone number or e-mail address, not the name of " \
              "a customer\n"
    for args in (("log", "--customer", value, *LOG[3:]),
                 ("amend", cid, "--customer", value, "--reason", "r")):
        r = refused(ledger, *args, code=2, message=message)
        assert r.stderr.endswith(message + hint), r.stderr
        assert value not in r.stderr
    # (a date is none; nor digits alone that are no phone number's: a customer's number
    # in a register, the CFPB's 1800001)
    for name in ("3M 中国 2026", "匿名来电 2026-03-04", "客户2026-10-02", "1800001",
                 "100234567"):
        assert ledger("log", "--customer", name, *LOG[3:]).stdout.startswith("CC-"), name
    assert ledger("list", "--customer", value).exit_code == 0  # (a filter takes any text)


@pytest.mark.parametrize(("args", "hint"), [
    (("investigate", "{cid}", "--cause", "无"), "a root cause says what caused it"),
    (("investigate", "{cid}", "--cause", "不详。"), "a root cause says what caused it"),
    (("investigate", "{cid}", "--cause", "原因", "--supplier", "-"), "name the supplier"),
    (("--as", "无", "note", "{cid}", "--text", "回电"), "--as names who did it"),
    (("amend", "{cid}", "--product", "XD-300", "--reason", "无"), "say why in a few words"),
    (("void", "{cid}", "--reason", "n/a"), "say why in a few words")])
def test_a_word_for_none_as_a_cause_a_supplier_or_who_is_refused(ledger, args, hint):
    """--cause 无 was a root cause (it concluded the investigation a resolve needs), a
    supplier - a supplier, --as 无 the clerk who acted, --reason 无 why."""
    cid = ledger.log()
    ledger("assign", cid, "--dept", "质量部", "--owner", "王芳")
    before = ledger.snapshot()
    r = refused(ledger, *(a.format(cid=cid) for a in args), code=2,
                message=" means none, not a value of ")
    assert f"Hint: {hint}" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    # a cause that holds such a word is a cause
    ledger("investigate", cid, "--cause", "无防护包装", "--supplier", "无锡精工")
    assert ledger.rows("SELECT root_cause, supplier FROM complaints") == [
        ("无防护包装", "无锡精工")]


@pytest.mark.parametrize(("option", "value"), [
    ("--contact", "无"), ("--product", "没有"), ("--lot", "N/A"), ("--order", "/"),
    ("--region", "不详"), ("--product", "ｎｏｎｅ"), ("--product", "NA"), ("--product", "無")])
def test_a_word_for_none_in_a_field_that_may_be_left_out_is_refused(ledger, option, value):
    """A clerk types 无 or 没有 for "none": it was stored as the contact 无 or the product
    没有, and the customer's next complaint with the "product" 没有 was linked as its
    repeat. Refused, on log and amend alike, with how to leave it out."""
    cid = ledger.log()
    log = ("log", "--customer", "李女士", "--channel", "phone", "--category", "quality",
           "--severity", "low", "--description", "划伤", option, value)
    r = refused(ledger, *log, code=2, message=" means none, not a value of " + option)
    assert f"Hint: leave {option} out (at the prompt: press Enter to skip it)" in r.stderr
    r = refused(ledger, "amend", cid, option, value, "--reason", "r", code=2,
                message=" means none, not a value of " + option)
    # amend asks nothing: how the value is emptied there
    field = option.removeprefix("--")
    assert r.stderr.endswith({
        "contact": f"Hint: to erase a contact for good: complaintctl forget-contact {cid} "
                   "--reason TEXT\n",
        "product": "Hint: a product is corrected, not cleared: give the right one\n"}.get(
        field, f"Hint: to empty it: complaintctl amend {cid} --clear {field} --reason "
               "TEXT\n")), r.stderr
    before = ledger.snapshot()
    zh = ledger("--lang", "zh", *log, code=2)
    assert f"表示空缺，不能作为 {option} 的值" in zh.stderr and "means" not in zh.stderr, zh.stderr
    assert ledger.snapshot() == before
    # a real name holding such a word is a name; NA is a region (North America)
    ledger("log", "--customer", "李女士", "--channel", "phone", "--category", "quality",
           "--severity", "low", "--description", "划伤", "--product", "无线网卡 W-1",
           "--region", "NA")


@pytest.mark.parametrize("command", ["list", "overdue"])
def test_an_empty_argument_where_none_is_taken_says_so(ledger, command):
    """`list ""` (a script's variable unset, in quotes) said "Got unexpected extra
    argument(s) ()": the empty brackets said nothing."""
    for blank in ("", " ", "\u3000"):  # (a full-width space: offered as a filter too)
        r = refused(ledger, command, blank, code=2, message="Error: an empty or blank "
                    f"argument was given, and root {command} takes none there\n")
        assert "()" not in r.stderr and "--customer" not in r.stderr, r.stderr
        assert r.stderr.endswith("Hint: a variable left empty in a script? leave the argument "
                                 "out, or give it a value\n"), r.stderr
    r = ledger("--lang", "zh", command, "", code=2)
    assert "错误：给了一个空的（或只有空格的）参数，而 root " in r.stderr, r.stderr


def test_a_commands_option_before_the_command_is_said_to_go_after_it(ledger):
    """`complaintctl --format json overdue` said only "No such option: --format" (the
    reverse, a root option after the command, is said): a script writer's mistake."""
    r = refused(ledger, "--format", "json", "overdue", "--dept", "质量部", code=2,
                message="Error: No such option: --format\n")
    assert ("Hint: --format is an option of a command (show, list, overdue, report, …): "
            "put it after the command, e.g. complaintctl overdue --format json --dept 质量部\n"
            ) in r.stderr, r.stderr
    # the command typed, its id and other options kept, a value of two words quoted
    r = refused(ledger, "-q", "--at", "2026-12-01 09:00", "void", "CC-2026-0001", "--reason",
                "重复 录入", code=2, message="No such option: --at")
    assert ("e.g. complaintctl -q void --at '2026-12-01 09:00' CC-2026-0001 --reason "
            "'重复 录入'\n") in r.stderr, r.stderr
    r = refused(ledger, "--qty", "5", "return", "receive", "RMA-2026-0001", code=2,
                message="No such option: --qty")
    assert "e.g. complaintctl return receive --qty 5 RMA-2026-0001\n" in r.stderr, r.stderr
    r = refused(ledger, "--reveal", "export", "complaints", code=2,
                message="No such option: --reveal")
    assert ("Hint: --reveal is an option of a command (show, export): put it after the "
            "command, e.g. complaintctl export --reveal complaints\n") in r.stderr, r.stderr
    # no command typed, or one that does not take it: the commands that do, no example
    for args in (("--format", "json"), ("--reveal", "list")):
        r = refused(ledger, *args, code=2, message="No such option")
        assert r.stderr.endswith("put it after the command\n"), r.stderr
    r = ledger("--lang", "zh", "--limit", "5", "list", code=2)
    assert "--limit 是命令（list、overdue、action list、return list）的选项" in r.stderr, r.stderr
    r = refused(ledger, "--nonsense", "list", code=2, message="No such option: --nonsense")
    assert "Hint" not in r.stderr, r.stderr


def test_a_word_for_none_is_no_one_to_answer_for_a_step(ledger):
    """`action add … --owner 无` and `assign --owner 无` were taken: a late CAPA item, or a
    stage, nobody answers for, listed under 无. Refused; a filter by such a name still
    takes it (one stored so before is found)."""
    cid = ledger.log()
    for args in (("--dept", "质量部", "--owner", "无"), ("--dept", "/", "--owner", "王芳"),
                 ("--dept", "质量部", "--owner", "N/A"), ("--dept", "质量部", "--owner", "（无）"),
                 ("--dept", "无。", "--owner", "王芳")):
        r = refused(ledger, "assign", cid, *args, code=2, message=" means none, not a "
                    "value of --")
        assert "names who answers for it: a department or a person" in r.stderr, r.stderr
    ledger.to_state(cid, "investigating")
    refused(ledger, "action", "add", cid, "--text", "培训", "--owner", "没有", "--due",
            "2026-12-20", code=2, message="Error: '没有' means none, not a value of --owner")
    assert ledger("list", "--owner", "无").exit_code == 0


def test_a_due_date_not_read_is_answered_with_the_words_a_due_date_takes(ledger):
    """`action add … --due 5天后` was answered "or now, today, yesterday (昨天 14:30)": a due
    date is never yesterday; the words --due takes (明天, 下周五) were not named."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    r = refused(ledger, "action", "add", cid, "--text", "培训", "--owner", "刘洋", "--due",
                "月底", code=2, message="Error: cannot read --due '月底'\n")
    assert r.stderr.endswith("or tomorrow, 明天, 下周五 (a due date is ahead)\n"), r.stderr
    assert "yesterday" not in r.stderr, r.stderr
    # (a span from now is said as one, with the same words)
    r = refused(ledger, "action", "add", cid, "--text", "培训", "--owner", "刘洋", "--due",
                "5天后", code=2, message="Error: --due '5天后' is a span of time from now")
    assert r.stderr.endswith("明天, 下周五, next Friday\n") and "yesterday" not in r.stderr, \
        r.stderr
    ledger("action", "add", cid, "--text", "培训", "--owner", "刘洋", "--due", "下周五")


def test_a_portals_usage_mistakes_are_said_as_usage(ledger):
    """An unknown word listed labels (no action, customer misuse) where the did-you-mean
    and the JSON give codes (no-action); `investigate --not-upheld` without --reason was
    exit 1 ("it is logged") on a complaint not assigned yet, exit 2 on one assigned;
    `report --month=2026-11` was refused with no word of how to write it."""
    cid = ledger.log()
    before = ledger.snapshot()
    r = ledger("investigate", cid, "--cause-category", "xyz", code=2)
    assert r.stderr.startswith("Error: --cause-category 'xyz' is not one of: manufacturing, "
                               "inspection, design, supplier, logistics, sales, "
                               "customer-misuse, other\n"), r.stderr
    r = ledger("investigate", cid, "--not-upheld", code=2)
    assert r.stderr.startswith("Error: --not-upheld needs --reason"), r.stderr
    r = ledger("report", "--month=2026-11", code=2)
    assert r.stderr.endswith("Hint: the week's day or the month follows --month after a "
                             "space: --month 2026-11\n"), r.stderr
    r = ledger("report", "--week=last week", code=2)  # (quoted: it is pasted)
    assert r.stderr.endswith("space: --week 'last week'\n"), r.stderr
    assert ledger.snapshot() == before


def test_a_contact_typed_in_a_words_option_is_masked_in_the_error(ledger):
    """A phone number or an e-mail typed into --channel or --severity was echoed whole in
    the error (to cron's mail too); the importer masks the same mistake."""
    for option in ("--channel", "--severity"):
        for value, masked in (("13955554444", "*******4444"), ("a@b.cn", "**b.cn")):
            args = {"--channel": "phone", "--severity": "low", option: value}
            r = refused(ledger, "log", "--customer", "B", "--category", "quality",
                        "--description", "x", "--channel", args["--channel"], "--severity",
                        args["--severity"], code=2,
                        message=f"{option} '{masked}' is not one of its words: it looks "
                        "like a phone number or e-mail address")
            assert value not in r.stderr and r.stderr.endswith(
                "Hint: give a contact with --contact\n"), r.stderr


@pytest.mark.parametrize(("option", "step"), [("--cause", "investigate"),
                                               ("--amount", "resolve"),
                                               ("--satisfaction", "revisit")])
def test_amend_given_a_steps_fact_names_the_step_that_records_it_again(ledger, option, step):
    """`amend ID --cause …` was offered --customer, another field: the investigation's
    cause is corrected by investigating again (the one before stays in the history)."""
    cid = ledger.log()
    r = refused(ledger, "amend", cid, option, "x", "--reason", "录错", code=2,
                message=f"Error: No such option: {option}\n")
    assert "Possible options" not in r.stderr, r.stderr
    assert r.stderr.endswith(
        f"Hint: amend corrects what was logged; {option} is recorded by {step}, again to "
        f"correct it (the value before stays in the history): complaintctl {step} ID "
        f"{option} …\n"), r.stderr


@pytest.mark.parametrize("typed", ["+7d", "7d", "7天后", "3 weeks", "+2周"])
def test_a_span_from_now_where_a_date_goes_is_said_as_one(ledger, typed):
    """`--due +7d` was told "numbers alone could be more than one date", "type the year
    first": it is a span counted from now, which a date option does not take."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    r = refused(ledger, "action", "add", cid, "--text", "t", "--owner", "o", "--due", typed,
                code=2, message=f"Error: --due {typed!r} is a span of time from now, not a "
                "date\nHint: give the day itself, e.g. --due 2026-03-04, or a day by its word")
    assert "numbers alone" not in r.stderr
    r = refused(ledger, "list", "--since", typed, code=2,
                message=f"Error: --since {typed!r} is a span of time from now, not a date\n"
                "Hint: give the day itself, e.g. --since 2026-03-04\n")


@pytest.mark.parametrize("option,values", [("--month", ("2026-11", "2026-10")),
                                           ("--week", ("2026-11-18", "2026-11-11"))])
def test_a_report_period_given_twice_is_said_so(ledger, option, values):
    """`report --month 2026-11 --month 2026-10` said only "unexpected extra argument
    (2026-10)", where other options given twice are said to be."""
    r = ledger("report", option, values[0], option, values[1], code=2)
    assert r.stderr.endswith(f"Hint: {option} is given twice: a report is of one period "
                             "(several: one report each, or --since DATE --until DATE)\n"), \
        r.stderr


def test_a_direction_mark_in_an_id_is_said_as_in_a_text(ledger):
    """An id pasted from a chat with U+202E was "contains a control character … remove
    it", where a text with it is said to hold an invisible mark, to be typed again."""
    ledger.log()
    r = refused(ledger, "return", "receive", "RMA-2026-0001\u202e", "--qty", "1", code=2,
                message="holds an invisible mark that turns the text's direction (U+202E)\n"
                "Hint: type the value again rather than paste it")
    assert "control character" not in r.stderr
