"""Records that hold up in an audit (issue 13): every event hash-chained and
signed with the operating-system login, the deadlines a step set recorded in its
event, contacts held only in one erasable place."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support import oldest_ledger

from complaintctl.store import EVENT_COLUMNS, event_hash

PHONE = "13812345678"


def _chain_breaks(db: Path) -> list[int]:
    """Ids of the events whose stored hash is not the chain's."""
    conn = sqlite3.connect(db)
    try:
        previous, broken = "", []
        for event_id, stored, *row in conn.execute(
                f"SELECT id, hash, {', '.join(EVENT_COLUMNS)} FROM events ORDER BY id"):
            previous = event_hash(previous, tuple(row))
            if stored != previous:
                broken.append(event_id)
        return broken
    finally:
        conn.close()


def test_every_event_is_chained_and_signed_with_the_login(ledger, env):
    cid = ledger.log()
    ledger.to_state(cid, "closed")
    rows = ledger.rows("SELECT kind, login, hash FROM events ORDER BY id")
    assert [k for k, _l, _h in rows] == ["init", "log", "assign", "investigate", "resolve",
                                        "revisit"]
    assert all(login and len(h) == 64 for _k, login, h in rows)
    assert _chain_breaks(env) == []
    # an edit made behind the tool's back breaks the chain at that event
    conn = sqlite3.connect(env)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'someone else' WHERE kind = 'assign'")
    conn.commit()
    conn.close()
    (assign_id,) = ledger.rows("SELECT id FROM events WHERE kind = 'assign'")[0]
    assert _chain_breaks(env)[0] == assign_id


def test_each_step_records_the_deadlines_it_set(ledger):
    cid = ledger.log(severity="low")
    ledger.to_state(cid, "resolved")
    events = {e["kind"]: e["data"] for e in ledger.json("show", cid)["events"]}
    stages = {s: due for s, _r, due in ledger.rows(
        "SELECT stage, round, due_at FROM stages WHERE complaint_id = ?", (cid,))}
    assert events["log"]["deadlines"] == {"assign": stages["assign"],
                                          "resolve": stages["resolve"]}
    assert events["assign"]["deadlines"] == {"investigate": stages["investigate"]}
    assert events["resolve"]["deadlines"] == {"revisit": stages["revisit"]}
    out = ledger("amend", cid, "--severity", "critical", "--reason", "worse than said")
    assert "revisit now due" in out.stderr
    amend = ledger.json("show", cid)["events"][-1]
    assert amend["kind"] == "amend" and set(amend["data"]["deadlines"]) == {"revisit"}
    # a deadline the correction leaves where it was is neither said to move nor recorded
    # again (the revisit is due a working day after the resolution, high or critical:
    # "now due" the same instant read as a change)
    revisit = ledger.rows("SELECT due_at FROM stages WHERE stage = 'revisit'")
    out = ledger("amend", cid, "--severity", "high", "--reason", "not that bad")
    assert "now due" not in out.stderr, out.stderr
    amend = ledger.json("show", cid)["events"][-1]
    assert amend["kind"] == "amend" and "deadlines" not in amend["data"], amend
    assert ledger.rows("SELECT due_at FROM stages WHERE stage = 'revisit'") == revisit
    ledger("verify")


def test_a_forgotten_contact_is_gone_from_every_table_output_and_byte(ledger, env):
    cid = ledger.log()
    ledger("amend", cid, "--contact", "13900001111", "--reason", "typo")
    ledger("amend", cid, "--contact", PHONE, "--reason", "it was right")
    # another connection keeps the WAL alive, as a supervisor's open session would
    keeper = sqlite3.connect(env)
    keeper.execute("SELECT count(*) FROM complaints").fetchone()
    before = ledger.rows("SELECT count(*) FROM events")[0][0]
    refused = ledger("forget-contact", cid, code=2)
    assert "forget-contact needs --reason" in refused.stderr
    assert ledger.rows("SELECT count(*) FROM events")[0][0] == before
    done = ledger("forget-contact", cid, "--reason", "customer asked by phone 2026-11-20")
    assert "contact erased" in done.stderr
    shown = ledger("show", cid, "--reveal", "--format", "json").stdout
    assert json.loads(shown)["contact"] is None
    for value in (PHONE, "13900001111"):
        assert value not in shown
        for fmt in ("table", "csv", "markdown", "json"):
            assert value not in ledger("show", cid, "--reveal", "--format", fmt).stdout
        for path in (env, Path(f"{env}-wal")):
            if path.exists():
                assert value.encode() not in path.read_bytes(), path
    keeper.close()
    assert _chain_breaks(env) == []
    # again: nothing more recorded (it finishes an erasure a reader held up, below)
    events = ledger.rows("SELECT count(*) FROM events")
    again = ledger("forget-contact", cid, "--reason", "again")
    assert "CC-2026-0001: its contact was erased already" in again.stderr
    assert ledger.rows("SELECT count(*) FROM events") == events
    never = ledger("log", "--customer", "无联系人", "--description", "x", "--category",
                   "quality", "--severity", "low", "--channel", "phone").stdout.strip()
    refused = ledger("forget-contact", never, "--reason", "x", code=1)
    assert "has no contact to forget" in refused.stderr


def test_an_erasure_names_the_steps_whose_text_still_holds_the_contact(ledger, tmp_path):
    """forget-contact said "erased; its history keeps only that there was one" while a
    note, an attachment's name and a revisit's words held the number as the clerk typed
    it (the history is append-only: those stay). It names them now."""
    cid = ledger.log()  # (its contact: 13812345678)
    ledger("note", cid, "--text", "客户电话 138-1234-5678 确认收到", "--at", "2026-11-02 10:00")
    ledger("note", cid, "--text", "已回电", "--at", "2026-11-02 11:00")
    photo = tmp_path / "evidence_13812345678.txt"
    photo.write_text("x")
    ledger("attach", cid, photo)
    before = ledger.rows("SELECT count(*) FROM events")[0][0]
    done = ledger("forget-contact", cid, "--reason", "本人要求")
    assert "Warning: the erased contact is also written in the text of 2 steps of " \
           f"{cid} (note 2026-11-02 10:00, attached " in done.stderr, done.stderr
    assert "the history is never changed, so it stays there" in done.stderr
    assert "contact erased from its record; the texts and files the warnings name keep it" \
        in done.stderr
    assert ledger.rows("SELECT contact FROM complaints") == [(None,)]
    assert ledger.rows("SELECT count(*) FROM events")[0][0] == before + 1
    # none written elsewhere: the message of before, no warning
    other = ledger.log("--contact", "buyer7@example.com", customer="乙公司")
    done = ledger("forget-contact", other, "--reason", "本人要求")
    assert "Warning" not in done.stderr and "its history keeps only that there was one" \
        in done.stderr
    # in Chinese the count (it said 一条, one step, whatever their number)
    zh = ledger.log(customer="丙公司", received="2026-11-05 09:00")
    for hour in (10, 11):
        ledger("note", zh, "--text", f"客户电话 13812345678（{hour}点）", "--at",
               f"2026-11-05 {hour}:00")
    done = ledger("--lang", "zh", "forget-contact", zh, "--reason", "本人要求")
    assert f"已删除的联系方式还写在 {zh} 的 2 条处理记录的文字中（" in done.stderr, done.stderr


def test_an_erasure_names_the_attached_files_that_still_hold_the_contact(ledger, tmp_path):
    """An e-mail attached whole (its address and number in clear) kept the contact, and
    forget-contact said "erased; its history keeps only that there was one". The files
    read as text (UTF-8, GBK, UTF-16 with its mark; across a chunk's end) that hold it
    are named, once each attachment; those that are no text, as unsearched."""
    cid = ledger.log("--contact", "peter.klein@web.de", customer="Klein GmbH")
    files = {"mail.eml": b"From: Peter Klein <peter.klein@web.de>\n",
             "plain.txt": b"Tel: 0151 99887766\n",
             "gbk.txt": "客户邮件 PETER.KLEIN@WEB.DE 请回复".encode("gbk"),
             "u16.txt": "mail: peter.klein@web.de".encode("utf-16"),
             # its address across the first MiB's end (the chunks the ledger keeps)
             "long.txt": b"x" * ((1 << 20) - 8) + b" peter.klein@web.de\n",
             "photo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        ledger("attach", cid, tmp_path / name)
    ledger("attach", cid, tmp_path / "mail.eml")  # the same content again, as #7
    ledger("attach", ledger.log(customer="乙公司"), tmp_path / "mail.eml")  # not its own
    files_sql = ("SELECT * FROM blob_chunks ORDER BY sha256, seq",
                 "SELECT * FROM attachments ORDER BY id")
    stored = [ledger.rows(sql) for sql in files_sql]
    done = ledger("forget-contact", cid, "--reason", "Anfrage per Post")
    assert f"Warning: the erased contact is also in 5 attachments of {cid} (#1 mail.eml, " \
           "#3 gbk.txt, #4 u16.txt, #5 long.txt, #7 mail.eml): nothing attached is ever " \
           "changed, so it stays there" in done.stderr, done.stderr
    assert f"Warning: attachment #6 photo.png of {cid} could not be searched as text (a " \
           "photo, a PDF, an Office file, text in another encoding, a file over 64 MB): if " \
           "it holds the contact, it stays there" in done.stderr, done.stderr
    assert "the texts and files the warnings name keep it" in done.stderr
    # the erasure itself as before: the contact gone, the files as attached
    assert ledger.rows("SELECT contact FROM complaints WHERE id = ?", (cid,)) == [(None,)]
    assert [ledger.rows(sql) for sql in files_sql] == stored


def test_an_erasure_names_an_attachment_whose_name_holds_the_contact_masked(ledger, tmp_path):
    """A photo named after the customer's number: the erasure's own warning printed the
    number just erased in clear, and said the file "could not be searched" though its name
    held it. Its name holds it: named as holding it, the number masked; another
    number in a name (an order's date) stays as it is."""
    cid = ledger.log("--contact", "13877776666")
    for name in ("客户13877776666.jpg", "订单20261203.jpg"):
        (tmp_path / name).write_bytes(b"\xff\xd8\xffjpg")
        ledger("attach", cid, tmp_path / name)
    done = ledger("forget-contact", cid, "--reason", "客户要求")
    assert "13877776666" not in done.stdout + done.stderr
    assert f"Warning: the erased contact is also in attachment #1 客户*******6666.jpg of " \
           f"{cid}: nothing attached is ever changed" in done.stderr, done.stderr
    assert f"Warning: attachment #2 订单20261203.jpg of {cid} could not be searched as " \
           "text" in done.stderr, done.stderr
    # the file as attached
    assert ledger.rows("SELECT name FROM attachments ORDER BY id") == [
        ("客户13877776666.jpg",), ("订单20261203.jpg",)]


def test_an_erasure_reads_an_attached_email_as_its_decoded_parts(ledger, tmp_path):
    """A Chinese e-mail saved whole has its body in base64 (or quoted-printable, a number
    broken over two lines): read as text it held nothing, and the file was called clean.
    Its parts are decoded, its headers and a forwarded mail's read too, with a
    byte-order mark or a mailbox's From line before it; one with a photo in it, the
    number not in its text, cannot be said clean."""
    import base64
    from email.message import EmailMessage

    from complaintctl.complaints import contact_finder

    cid = ledger.log("--contact", "139 1111 2222")
    body = "您好，我的电话是 139-1111-2222，请回电。"
    head = "From: kehu@example.cn\nSubject: =?utf-8?b?5oqV6K+J?=\nMIME-Version: 1.0\n" \
           "Content-Type: text/plain; charset=utf-8\n"
    b64 = EmailMessage()
    b64["From"], b64["Subject"] = "客户 <kehu@example.cn>", "投诉"
    b64.set_content(body, charset="utf-8", cte="base64")
    forwarded = EmailMessage()
    forwarded["From"], forwarded["Subject"] = "kehu@example.cn", "Fw"
    forwarded.set_content("见下")
    inner = EmailMessage()
    inner["From"] = "x@example.cn"
    inner["Subject"] = "=?utf-8?b?" + base64.b64encode("电话13911112222".encode()).decode() + "?="
    inner.set_content("hi")
    forwarded.add_attachment(inner)
    photo = EmailMessage()
    photo["From"], photo["Subject"] = "kehu@example.cn", "照片"
    photo.set_content("见附件")
    photo.add_attachment(b"\x89PNG\r\n\x1a\n\x00", maintype="image", subtype="png",
                         filename="a.png")
    files = {"b64.eml": bytes(b64),
             "qp.eml": (head + "Content-Transfer-Encoding: quoted-printable\n\n"
                        "=E7=94=B5=E8=AF=9D 139-1111-=\n2222\n").encode(),
             "bom.eml": b"\xef\xbb\xbf" + bytes(b64),
             "mbox.eml": b"From - Mon Nov 30 10:00:00 2026\n" + bytes(b64),
             "fw.eml": bytes(forwarded), "pic.eml": bytes(photo)}
    holds = contact_finder("139 1111 2222")
    for name, data in files.items():
        # (as text, none of them holds it: only decoded)
        assert not holds(data.decode("utf-8", "replace")), name
        (tmp_path / name).write_bytes(data)
        ledger("attach", cid, tmp_path / name)
    done = ledger("forget-contact", cid, "--reason", "本人要求")
    assert f"Warning: the erased contact is also in 5 attachments of {cid} (#1 b64.eml, " \
        "#2 qp.eml, #3 bom.eml, #4 mbox.eml, #5 fw.eml)" in done.stderr, done.stderr
    assert f"Warning: attachment #6 pic.eml of {cid} could not be searched as text" \
        in done.stderr, done.stderr


def test_an_erasure_names_the_other_complaints_whose_texts_hold_the_contact(ledger):
    """forget-contact named the texts of the complaint erased only: another complaint's
    description or note holding the number (a colleague's complaint quoting it, typed
    with spaces or in full width) was not said, and the clerk took the number for gone."""
    cid = ledger.log()  # (its contact: 13812345678)
    quoting = ledger.log("--description", "同事的电话１３８ １２３４ ５６７８也有此问题",
                         "--contact", "13900000001", customer="乙公司",
                         received="2026-10-01 10:00")
    noted = ledger.log("--contact", "13900000002", customer="丙公司",
                       received="2026-10-02 10:00")
    ledger("note", noted, "--text", "转告 138-1234-5678", "--at", "2026-10-03 10:00")
    unrelated = ledger.log("--description", "订单 5678 的另一个号码 13912345678",
                           "--contact", "13900000003", customer="丁公司",
                           received="2026-10-04 10:00")
    by_address = ledger.log("--contact", "li.wei@example.com", customer="戊公司",
                            received="2026-10-05 10:00")
    mailed = ledger.log("--description", "抄送 Li.Wei@Example.com", "--contact",
                        "13900000004", customer="己公司", received="2026-10-06 10:00")
    wide = ledger.log("--description", "请回复 ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", "--contact",
                      "13900000005", customer="庚公司", received="2026-10-07 10:00")
    texts = ledger.rows("SELECT id, description, contact FROM complaints WHERE id != ?",
                        (cid,))
    events = ledger.rows("SELECT count(*) FROM events")[0][0]
    done = ledger("forget-contact", cid, "--reason", "本人要求")
    assert ("Warning: the erased contact is also written in the texts of 2 other complaints "
            f"({quoting}, {noted}): the history is never changed, so it stays there"
            ) in done.stderr, done.stderr
    assert unrelated not in done.stderr and "same contact" not in done.stderr
    assert "the texts and files the warnings name keep it" in done.stderr
    # what it wrote: this contact gone and one event; the others as they were
    assert ledger.rows("SELECT id, description, contact FROM complaints WHERE id != ?",
                       (cid,)) == texts
    assert ledger.rows("SELECT count(*) FROM events")[0][0] == events + 1
    done = ledger("forget-contact", by_address, "--reason", "本人要求")
    assert (f"also written in the texts of 2 other complaints ({mailed}, {wide})") in \
        done.stderr, done.stderr


def test_an_erasure_of_a_wechat_id_is_looked_for_as_a_number_is(ledger):
    """A WeChat id (no number, no address) was looked for in the complaint's own texts
    only: another complaint's note holding it went unnamed; and labelled
    (wechat:lily_2026) a --reason with the id alone was taken into the history for good."""
    plain = ledger.log("--contact", "wxid_abc12345", customer="甲公司")
    labelled = ledger.log("--contact", "wechat:lily_2026", customer="乙公司",
                          received="2026-10-01 10:00")
    other = ledger.log("--contact", "13900000001", customer="丙公司",
                       received="2026-10-02 10:00")
    ledger("note", other, "--text", "转告 wxid_abc12345 的客户", "--at", "2026-10-03 10:00")
    ledger("note", other, "--text", "lily_2026 也来过电话", "--at", "2026-10-03 11:00")
    ledger("note", other, "--text", "lily_20267 另一个", "--at", "2026-10-03 12:00")
    done = ledger("forget-contact", plain, "--reason", "本人要求")
    assert (f"also written in the texts of 1 other complaint ({other})") in done.stderr, \
        done.stderr
    before = ledger.snapshot()
    r = ledger("forget-contact", labelled, "--reason", "lily_2026 本人要求", code=2)
    assert r.stderr.startswith("Error: --reason holds the contact being erased"), r.stderr
    assert ledger.snapshot() == before
    done = ledger("forget-contact", labelled, "--reason", "本人要求")
    assert (f"also written in the texts of 1 other complaint ({other})") in done.stderr, \
        done.stderr
    # an id as WeChat makes them, after WeChat's name with or without a colon, or beside
    # a number; a label's word, a Chinese phrase, is none (a reviewer: "微信：同手机号码"
    # refused a reason saying 微信同手机号码, "name: Smith" found every Smith)
    mixed = ledger.log("--contact", "13900000009 / WeChat ID: zhao_2026", customer="丁公司",
                       received="2026-10-04 10:00")
    phrase = ledger.log("--contact", "微信：同手机号码", customer="戊公司",
                        received="2026-10-05 10:00")
    before = ledger.snapshot()
    r = ledger("forget-contact", mixed, "--reason", "zhao_2026 本人来电要求", code=2)
    assert r.stderr.startswith("Error: --reason holds the contact being erased"), r.stderr
    assert ledger.snapshot() == before
    ledger("forget-contact", phrase, "--reason", "客户来电要求删除（微信同手机号码）")
    # show says it was erased (a contact never given looked the same), when
    shown = ledger.json("show", plain)
    assert shown["contact"] is None and shown["contact_erased_at"] == "2026-11-23T12:00:00Z"
    assert "contact        erased on request 2026-11-23 20:00" in ledger("show", plain).stdout
    assert ledger.json("show", other)["contact_erased_at"] is None


def test_an_amended_contact_is_refused_a_reason_that_holds_it_new_or_old(ledger):
    """`amend --contact 13900001234 --reason "new number 13900001234"` took the number
    into the amend event in clear, for good (the history keeps a contact as a keyed hash
    only; forget-contact refuses such a reason already)."""
    cid = ledger.log("--contact", "13812345678")
    before = ledger.snapshot()
    for reason in ("new number 13900001234", "客户换号：原 138-1234-5678", "139 0000 1234"):
        r = ledger("amend", cid, "--contact", "13900001234", "--reason", reason, code=2)
        assert r.stderr == (
            "Error: --reason holds the contact: the history would keep it for good, where "
            "it keeps a contact only as a keyed hash\nHint: say what was corrected without "
            "the number or address, e.g. --reason \"客户更换了联系电话\"\n"), r.stderr
        assert ledger.snapshot() == before
    ledger("amend", cid, "--contact", "13900001234", "--reason", "客户更换了联系电话")
    stored = ledger.rows("SELECT data, old FROM events WHERE kind = 'amend'")
    assert len(stored) == 1 and "1390000" not in str(stored) and "138123" not in str(stored)
    # the history says it changed ("(kept only as a keyed hash) → (kept only …)" said not)
    shown = ledger("show", cid).stdout
    assert "contact: changed (the old and the new kept only as keyed hashes)" in shown, shown
    zh = ledger("--lang", "zh", "show", cid).stdout
    assert "联系方式：已更改（为保护个人信息，历史中不显示新旧联系方式）" in zh, zh
    # the contact given again as it is, beside another field: looked at as well (its
    # reason went into the history in clear)
    before = ledger.snapshot()
    r = ledger("amend", cid, "--contact", "13900001234", "--region", "东区", "--reason",
               "客户13900001234确认", code=2)
    assert r.stderr.startswith("Error: --reason holds the contact"), r.stderr
    assert ledger.snapshot() == before
    # another field's amendment is not looked at: a reason may quote what it likes
    ledger("amend", cid, "--region", "华东", "--reason", "客户 13900001234 来电更正区域")


def test_an_erasure_finds_the_number_however_typed_and_the_persons_other_complaints(ledger):
    """A reason quoting the number was written into the forget-contact event for good;
    full-width digits, the full-width dash and slashes hid the number from the search;
    and the same person's other complaints went unmentioned."""
    cid = ledger.log("--contact", "+86 139 1111 2222", "--description", "来电 13911112222")
    ledger("note", cid, "--text", "回拨 １３９－１１１１－２２２２", "--at", "2026-11-02 10:00")
    ledger("note", cid, "--text", "回拨 139/1111/2222", "--at", "2026-11-02 11:00")
    ledger("note", cid, "--text", "邮件 已收到", "--at", "2026-11-02 12:00")
    same = ledger.log("--contact", "139-1111-2222", customer="乙公司")
    ledger.log("--contact", "13911112223", customer="丙公司")  # one digit off: not the same
    before = ledger.snapshot()
    for reason in ("客户 139 1111 2222 来电要求删除", "客户 +86-13911112222 要求"):
        r = ledger("forget-contact", cid, "--reason", reason, code=2)
        assert r.stderr.startswith("Error: --reason holds the contact being erased: the "
                                   "history would keep it for good\nHint: say who asked"), \
            r.stderr
        assert ledger.snapshot() == before
    done = ledger("forget-contact", cid, "--reason", "客户来电要求删除")
    assert f"the erased contact is also written in the text of 3 steps of {cid} (logged " \
        in done.stderr, done.stderr
    # each step with its time: several notes of one day told apart
    assert "note 2026-11-02 10:00, note 2026-11-02 11:00)" in done.stderr
    assert f"the same contact is the contact of another complaint too ({same}): erase it " \
        "there as well" in done.stderr, done.stderr
    assert ledger.rows("SELECT id FROM complaints WHERE contact IS NULL") == [(cid,)]
    # an e-mail typed with a full-width ＠ in a note
    mail = ledger.log("--contact", "Buyer7@example.com", customer="丁公司")
    ledger("note", mail, "--text", "回信 buyer7＠example.com", "--at", "2026-11-03 10:00")
    done = ledger("forget-contact", mail, "--reason", "本人要求")
    assert f"text of a step of {mail} (note 2026-11-03 10:00)" in done.stderr, done.stderr


def test_an_erasure_finds_the_number_by_its_digits_and_no_other_persons(ledger):
    """The en dash of Word and Excel, a date or a second number beside it hid the number
    from the search; and another person's number that merely ended like it (2345678),
    or an address that held it (ba@b.cn), was named "the same contact" — and a reason
    quoting a work order 2345678 was refused as holding the contact."""
    cid = ledger.log("--contact", "13812345678")
    for i, text in enumerate(("回电 138–1234–5678", "2026/01/05 138 1234 5678",
                              "客户电话 138 1234 5678 / 139 0000 1111", "138‑1234‑5678 2 台")):
        ledger("note", cid, "--text", text, "--at", f"2026-11-02 1{i}:00")
    ledger("note", cid, "--text", "工单 2345678 已派", "--at", "2026-11-02 14:00")
    other = ledger.log("--contact", "2345678", customer="乙公司")
    done = ledger("forget-contact", cid, "--reason", "工单 2345678 客户来电要求删除")
    assert f"text of 4 steps of {cid} (note 2026-11-02 10:00, note 2026-11-02 11:00, " \
        "note 2026-11-02 12:00, note 2026-11-02 13:00)" in done.stderr, done.stderr
    assert other not in done.stderr and "the same contact" not in done.stderr
    mail = ledger.log("--contact", "a@b.cn", customer="丙公司")
    longer = ledger.log("--contact", "ba@b.cn", customer="丁公司")
    evil = ledger.log("--contact", "xa@b.cn.evil", customer="戊公司")
    same = ledger.log("--contact", "A@B.CN", customer="己公司")
    done = ledger("forget-contact", mail, "--reason", "本人要求")
    assert f"the same contact is the contact of another complaint too ({same})" \
        in done.stderr, done.stderr
    assert longer not in done.stderr and evil not in done.stderr


def test_an_erasure_a_reader_held_up_is_finished_by_running_it_again(ledger, env):
    """A reader in the middle of a read (a supervisor's open session) keeps the page's old
    copy: the warning named the -wal file (the old copy is in the ledger file itself),
    and its advice, run it again, was refused ("has no contact to forget")."""
    cid = ledger.log()
    reader = sqlite3.connect(env, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM complaints").fetchone()
    done = ledger("forget-contact", cid, "--reason", "本人要求")
    assert "another program is reading the ledger: until it is done, the ledger file still " \
           "holds the old copy of what was erased. Run this command again then" in done.stderr
    reader.execute("COMMIT")
    reader.close()
    # run again: the old copy is written over (by this run, or by the reader's closing,
    # the last connection's checkpoint: then this run has nothing to copy; either way it
    # says that the contact was erased already, and that its old bytes are gone now)
    again = ledger("forget-contact", cid, "--reason", "本人要求")
    assert again.stderr.startswith(f"{cid}: its contact was erased already")
    assert "contact erased;" not in again.stderr and "Warning" not in again.stderr
    for path in (env, Path(f"{env}-wal")):
        if path.exists():
            assert PHONE.encode() not in path.read_bytes(), path
    assert ledger.rows("SELECT count(*) FROM events WHERE kind = 'forget-contact'") == [(1,)]


def test_run_again_once_the_reader_is_done_it_says_the_old_bytes_are_gone(ledger, env):
    """Run again once the reader was done, the erasure wrote the old copy over but never
    said so: it took the page counts of `wal_checkpoint(TRUNCATE)` for what it copied,
    and SQLite gives them as 0 once it has emptied the WAL."""
    cid = ledger.log()
    # a connection that stays open (no transaction): the reader's closing is then not
    # the last one, which would empty the WAL itself; this run has the copying to do
    keeper = sqlite3.connect(env)
    keeper.execute("SELECT count(*) FROM events").fetchone()
    reader = sqlite3.connect(env, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM complaints").fetchone()
    try:
        done = ledger("forget-contact", cid, "--reason", "本人要求")
        assert "another program is reading the ledger" in done.stderr
        reader.execute("COMMIT")
        reader.close()
        assert PHONE.encode() in env.read_bytes()  # the old copy, until it is written over
        again = ledger("forget-contact", cid, "--reason", "本人要求")
    finally:
        keeper.close()
    # (one sentence: two lines of fragments read as leftovers)
    assert again.stderr == (f"{cid}: its contact was erased already; its old bytes are "
                            "gone from the ledger file now\n"), again.stderr
    for path in (env, Path(f"{env}-wal")):
        if path.exists():
            assert PHONE.encode() not in path.read_bytes(), path


# Objects complaintctl does not make that could keep a contact past its erasure: a spy
# trigger copying each old contact into a table of its own (under a name that begins
# "sqlite" too: such names were left out as SQLite's own), a view, one of the schema's
# triggers made again with a body that copies it into a table of the schema's.
NOT_MADE = {
    "spy": (["CREATE TABLE spy (id TEXT, contact TEXT)",
             "CREATE TRIGGER spy_t AFTER UPDATE OF contact ON complaints BEGIN "
             "INSERT INTO spy VALUES (old.id, old.contact); END"],
            "table 'spy', trigger 'spy_t'"),
    "sqlite-named": (["CREATE TABLE sqlitespy (contact TEXT)",
                      "CREATE TRIGGER sqlitespy_t AFTER UPDATE OF contact ON complaints "
                      "BEGIN INSERT INTO sqlitespy VALUES (old.contact); END"],
                     "table 'sqlitespy', trigger 'sqlitespy_t'"),
    "view": (["CREATE VIEW contacts AS SELECT id, contact FROM complaints"],
             "view 'contacts'"),
    "altered": (["DROP TRIGGER last_contact_received",
                 "CREATE TRIGGER last_contact_received AFTER UPDATE OF received_at, contact "
                 "ON complaints BEGIN INSERT OR REPLACE INTO settings (key, value) "
                 "VALUES ('x-' || old.id, coalesce(old.contact, '')); END"],
                "trigger 'last_contact_received'"),
}


@pytest.mark.parametrize("case", list(NOT_MADE))
def test_an_erasure_is_refused_while_the_ledger_holds_what_complaintctl_does_not_make(
        ledger, env, case):
    """A trigger that copied each old contact into a table of its own kept it in the
    file, and forget-contact said the contact was erased (exit 0); verify named the
    trigger and the table. Refused, naming them, with nothing written."""
    sql, named = NOT_MADE[case]
    cid = ledger.log()
    conn = sqlite3.connect(env)
    try:
        for statement in sql:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    events = ledger.rows("SELECT count(*) FROM events")
    refused = ledger("forget-contact", cid, "--reason", "本人要求", code=1)
    assert refused.stderr == (
        f"Error: the ledger holds what complaintctl does not make ({named}): it could keep "
        f"the contact of {cid} past its erasure; nothing was erased\n"
        "Hint: see what they are and what else differs from the schema: complaintctl "
        "verify\n"), refused.stderr
    assert ledger.rows("SELECT contact FROM complaints WHERE id = ?", (cid,)) == [(PHONE,)]
    assert ledger.rows("SELECT count(*) FROM events") == events
    # verify names each of them
    found = {(p["kind"], p["id"]) for p in json.loads(
        ledger("verify", "--format", "json", code=1).stdout)["problems"]}
    for each in named.split(", "):
        kind, name = each.split(" ")
        assert (kind, name.strip("'")) in found, (kind, name, found)


def test_the_upgrade_chains_old_events_and_hides_their_contacts(run, env):
    env.parent.mkdir(parents=True)
    oldest_ledger(env)
    conn = sqlite3.connect(env)
    conn.execute("INSERT INTO events (complaint_id, at, recorded_at, actor, kind, data, old) "
                 "VALUES ('CC-2026-0001', '2026-09-30T03:00:00Z', '2026-09-30T03:00:00Z', "
                 "'周敏', 'amend', ?, ?)",
                 (json.dumps({"contact": PHONE}), json.dumps({"contact": "13900001111"})))
    conn.commit()
    conn.close()
    run("upgrade")
    assert _chain_breaks(env) == []
    assert not run.rows("SELECT id FROM events WHERE data LIKE '%1390000%' OR old LIKE "
                        f"'%1390000%' OR data LIKE '%{PHONE}%'")
    assert run.rows("SELECT contact FROM complaints") == [(PHONE,)]
    for path in (env, Path(f"{env}-wal")):
        if path.exists():
            assert b"13900001111" not in path.read_bytes(), path


def test_an_event_is_never_recorded_before_the_one_written_before_it(ledger, monkeypatch):
    """A command reads the clock before it waits for the ledger: the clerk who started
    first and wrote second got the later id and the earlier recorded_at, and a day's
    export of the events was no stretch of the chain. Each event is recorded no
    earlier than the one before it now (read inside the write transaction)."""
    from datetime import timedelta

    from support import NOW

    from complaintctl import cli

    cid = ledger.log()
    ledger("note", cid, "--text", "第一个写入")
    monkeypatch.setattr(cli, "_now", lambda: NOW - timedelta(minutes=2))  # started earlier
    ledger("note", cid, "--text", "较早开始，等待后写入", "--at", "2026-11-02 10:00")
    rows = ledger.rows("SELECT recorded_at FROM events ORDER BY id")
    assert [r[0] for r in rows] == sorted(r[0] for r in rows), rows
    assert rows[-1] == rows[-2]  # (the later command's, not two minutes before it)
    assert ledger("verify").stdout.startswith("OK")  # the chain covers what was stored
    # a clock set back (further than a command waits for the ledger) is kept as read: a
    # clock once a year ahead must not date every later event a year ahead
    monkeypatch.setattr(cli, "_now", lambda: NOW - timedelta(days=30))
    ledger("note", cid, "--text", "时钟被调回", "--at", "2026-10-20 10:00")
    assert ledger.rows("SELECT recorded_at FROM events ORDER BY id DESC LIMIT 1") == [
        ("2026-10-24T12:00:00Z",)]


def _refused_reasons(ledger, cid: str, *reasons: str) -> None:
    """Each --reason holding the contact refused (exit 2), the ledger unchanged."""
    before = ledger.snapshot()
    for reason in reasons:
        ledger("forget-contact", cid, "--reason", reason, code=2)
    assert ledger.snapshot() == before


def test_an_erasure_finds_the_number_with_its_country_code_and_an_address_typed_loosely(
        ledger):
    """+8613812345678 (the code glued on) hid a stored 13812345678: its reason was kept for
    good and its note unnamed; +86 755 1234 5678 hid 0755-12345678; li@example。com (the
    input method's full stop) and li @ example.com hid li@example.com."""
    cid = ledger.log("--contact", "13812345678")
    ledger("note", cid, "--text", "短信 +8613812345678", "--at", "2026-11-02 10:00")
    _refused_reasons(ledger, cid, "客户 +8613812345678 来电要求删除",
                     "＋８６１３８１２３４５６７８")
    landline = ledger.log("--contact", "+86 755 1234 5678", customer="乙公司")
    done = ledger("forget-contact", cid, "--reason", "本人要求")
    assert f"text of a step of {cid} (note 2026-11-02 10:00)" in done.stderr, done.stderr
    assert landline not in done.stderr
    other = ledger.log("--contact", "0755-12345678", customer="丙公司")
    done = ledger("forget-contact", landline, "--reason", "本人要求")
    assert f"the contact of another complaint too ({other})" in done.stderr, done.stderr
    mail = ledger.log("--contact", "li@example.com", customer="丁公司")
    for reason in ("li@example。com 要求删除", "li @ example.com 要求删除"):
        ledger("forget-contact", mail, "--reason", reason, code=2)


def test_an_erasure_finds_86_without_its_plus_and_a_landline_without_its_area_code(ledger):
    """86-137-0013-7000 (China's code without + or 00, as business cards write it) and
    6234 5678 转 8012 (a landline stored as 021-6234 5678 转 8012, written without its
    area code) were not the contact: a reason holding them was kept for good, a note
    holding them unnamed, and `list --contact` in those forms found nothing. A number
    under another code, or another city's, is still not it."""
    cid = ledger.log("--contact", "13700137000")
    ledger("note", cid, "--text", "名片上 86-137-0013-7000", "--at", "2026-11-02 10:00")
    _refused_reasons(ledger, cid, "本人 86-137-0013-7000", "本人 8613700137000",
                     "本人 86 13700137000")
    for typed in ("86-137-0013-7000", "8613700137000"):
        assert [c["id"] for c in ledger.json("list", "--contact", typed)] == [cid]
    coded = ledger.log("--contact", "+852 1370 0137", customer="乙公司")
    done = ledger("forget-contact", cid, "--reason", "本人要求")
    assert f"text of a step of {cid} (note 2026-11-02 10:00)" in done.stderr, done.stderr
    assert coded not in done.stderr
    landline = ledger.log("--contact", "021-6234 5678 转 8012", customer="丙公司")
    ledger("note", landline, "--text", "客户留了座机 6234 5678 转 8012，下午可打", "--at",
           "2026-11-03 10:00")
    for hour, text in ((11, "深圳分公司座机 0755 6234 5678"), (12, "北京 (010) 6234 5678"),
                       (13, "北京 010 62345678")):  # another city's number: not it
        ledger("note", landline, "--text", text, "--at", f"2026-11-03 {hour}:00")
    shenzhen = ledger.log("--contact", "0755-6234 5678", customer="丁公司")
    assert sorted(c["id"] for c in ledger.json("list", "--contact", "62345678")) == [
        landline, shenzhen]
    assert [c["id"] for c in ledger.json("list", "--contact", "021-62345678")] == [landline]
    _refused_reasons(ledger, landline, "客户座机 6234 5678 转 8012", "86-21-6234-5678")
    done = ledger("forget-contact", landline, "--reason", "本人要求")
    assert f"text of a step of {landline} (note 2026-11-03 10:00)" in done.stderr, \
        done.stderr
    assert shenzhen not in done.stderr and "11:00" not in done.stderr, done.stderr
    assert "12:00" not in done.stderr and "13:00" not in done.stderr, done.stderr
    # the same landline stored under China's code, its area code written apart
    for n, stored in enumerate(("+86 21 6234 5678", "86-21-6234-5678", "0086 21 6234 5678")):
        coded = ledger.log("--contact", stored, customer=f"戊公司{n}")
        ledger("note", coded, "--text", "客户座机 6234 5678 已回电", "--at", "2026-11-04 10:00")
        assert coded in [c["id"] for c in ledger.json("list", "--contact", "6234 5678")]
        _refused_reasons(ledger, coded, "客户 6234 5678 来电要求")
        done = ledger("forget-contact", coded, "--reason", "本人要求")
        assert f"text of a step of {coded} (note 2026-11-04 10:00)" in done.stderr, \
            done.stderr

def test_an_erasure_with_spaced_dashes_labels_and_others_numbers(ledger):
    """A reason "138 - 1234 - 5678" (spaces around the dashes) was kept for good; a
    contact stored with a label (电话 +86 138-1234-5678, 张三 <a@b.cn>) was hardly looked
    for; 400-2345-6789 was taken for +852 2345 6789, and +1 13812345678 for +86 138…"""
    cid = ledger.log("--contact", "电话 +86 138-1234-5678")
    ledger("note", cid, "--text", "回电 138 – 1234 – 5678", "--at", "2026-11-02 10:00")
    ledger("note", cid, "--text", "已转热线 400-1234-5678 跟进", "--at", "2026-11-02 11:00")
    _refused_reasons(ledger, cid, "客户 138 - 1234 - 5678 来电要求", "客户 13812345678 要求")
    same = ledger.log("--contact", "手机 13812345678", customer="乙公司")
    coded = ledger.log("--contact", "+1 13812345678", customer="丙公司")
    done = ledger("forget-contact", cid, "--reason", "客户致电热线 400-1234-5678 要求")
    assert f"text of a step of {cid} (note 2026-11-02 10:00)" in done.stderr, done.stderr
    assert f"the contact of another complaint too ({same})" in done.stderr, done.stderr
    assert coded not in done.stderr
    mail = ledger.log("--contact", "张三 <Zhang.San@Example.com>", customer="丁公司")
    ledger("note", mail, "--text", "客户邮件zhang.san@example.com。要求回复", "--at",
           "2026-11-03 10:00")
    ledger("forget-contact", mail, "--reason", "zhang.san@example.com", code=2)
    done = ledger("forget-contact", mail, "--reason", "本人要求")
    assert f"text of a step of {mail} (note 2026-11-03 10:00)" in done.stderr, done.stderr


def test_an_erasure_of_a_contact_with_two_numbers_or_addresses_guards_both(ledger):
    """李四 a@b.cn, c@d.cn: a reason with the second address was kept for good; and an
    address with a space before its 。 (example 。cn) slipped past."""
    cid = ledger.log("--contact", "李四 a@b.cn, c@d.cn")
    two = ledger.log("--contact", "138 1234 5678（张） / 139 8765 4321（李）", customer="乙")
    mail = ledger.log("--contact", "张三 <zhang.san@example.cn>", customer="丙")
    _refused_reasons(ledger, cid, "客户 c@d.cn 要求")
    _refused_reasons(ledger, two, "客户 139 8765 4321 要求")
    _refused_reasons(ledger, mail, "客户 zhang.san@example 。cn")


def test_a_capa_due_tomorrow_and_quiet_late_list_and_an_empty_verify_note(ledger):
    """--due 明天 / tomorrow were "cannot read"; `-q action list --late` printed "No CAPA
    item is late." every morning into cron's mail (overdue prints nothing); `action
    verify --note ""` stored an empty verification."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    a = ledger("action", "add", cid, "--text", "fix", "--owner", "li", "--due", "明天"
               ).stdout.strip()
    b = ledger("action", "add", cid, "--text", "fix2", "--owner", "li", "--due",
               "tomorrow").stdout.strip()
    assert ledger.rows("SELECT due_at FROM actions WHERE id IN (?, ?)", (a, b)) == [
        ("2026-11-24T15:59:59Z",)] * 2
    r = ledger("-q", "action", "list", "--late")
    assert (r.stdout, r.stderr) == ("", "")
    r = ledger("-q", "action", "list", "--late", "--owner", "nosuchperson")
    assert r.stdout == "" and "nosuchperson" in r.stderr, r.stderr  # (a typo still said)
    assert ledger("-q", "action", "list", "--late", "--format", "json").stdout == "[]\n"
    ledger("action", "done", a)
    before = ledger.snapshot()
    r = ledger("action", "verify", a, "--note", "", code=2)
    assert r.stderr.startswith("Error: --note must not be empty"), r.stderr
    assert ledger.snapshot() == before


def test_a_capa_due_tomorrow_morning_or_evening_in_short(ledger):
    """明早9点 and 明晚8点 (明天上午, 明天晚上 in short) were "cannot read"."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    for due in ("明早9点", "明晚8点半"):
        ledger("action", "add", cid, "--text", "fix", "--owner", "li", "--due", due)
    assert ledger.rows("SELECT due_at FROM actions ORDER BY id") == [
        ("2026-11-24T01:00:00Z",), ("2026-11-24T12:30:00Z",)]


def test_a_capa_due_at_a_time_shows_its_time(ledger):
    """--due "2026-12-01 12:00", done 12:30: show said due 2026-12-01, done 2026-12-01,
    "done late" unexplained. A due at a time shows it; a due by a day's end, the day."""
    cid = ledger.log()
    ledger.to_state(cid, "investigating")
    ledger("action", "add", cid, "--text", "audit", "--owner", "李四", "--due",
           "2026-12-01 12:00")
    ledger("action", "add", cid, "--text", "train", "--owner", "李四", "--due", "2026-12-02")
    # 23:59 typed is a time (the day's end, as --due DATE sets it, is its last second)
    ledger("action", "add", cid, "--text", "night", "--owner", "李四", "--due",
           "2026-12-03 23:59")
    import re

    for out in (ledger("show", cid).stdout, ledger("action", "list").stdout,
                ledger("show", cid, "--format", "markdown").stdout):
        assert re.search(r"audit\W+李四\W+2026-12-01 12:00\W", out), out
        assert re.search(r"train\W+李四\W+2026-12-02\W", out), out
        assert re.search(r"night\W+李四\W+2026-12-03 23:59\W", out), out
    # a due edited by hand into no time at all (verify names it) is shown as it is
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE actions SET due_at = '2026-12-0' WHERE text = 'train'")
    conn.close()
    assert re.search(r"train\W+李四\W+2026-12-0\W", ledger("show", cid).stdout)


def test_a_capa_item_of_a_voided_complaint_is_not_shown_overdue(ledger, tmp_path):
    """show listed an item of a complaint voided with its import batch as overdue, while
    its done is refused as the complaint is void and the report and action list leave
    it out."""
    register = tmp_path / "r.csv"
    register.write_text("编号,投诉日期,客户名称,投诉渠道,投诉类别,严重程度,投诉内容,责任部门,责任人,分派日期,"
                        "调查结果\n1,2026-11-19 10:00,A公司,电话,质量,高,x,QA,Li,2026-11-19 11:00,"
                        "复现\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('key = "编号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = "客户名称"\n'
                       'channel = "投诉渠道"\ncategory = "投诉类别"\nseverity = "严重程度"\n'
                       'description = "投诉内容"\ndepartment = "责任部门"\nowner = "责任人"\n'
                       'assigned_at = "分派日期"\nfinding = "调查结果"\n[dates]\n'
                       'concluded_at = "assigned_at"\n', encoding="utf-8")
    ledger("import", register, "--mapping", mapping)
    (cid,) = [c["id"] for c in ledger.json("list")]
    ledger("action", "add", cid, "--text", "fix", "--owner", "li", "--due", "2026-11-20",
           "--at", "2026-11-19 13:00")
    assert " overdue" in ledger("show", cid).stdout
    ledger("import", "--void-batch", "1", "--reason", "wrong file")
    out = ledger("show", cid).stdout
    capa = out[out.index("CAPA items"):].split("\n\n\n")[0]
    assert "overdue" not in capa and " void" in capa, out


@pytest.mark.parametrize(("due", "zone", "shown"), [
    ("2026-12-02T15:59:59Z", "Asia/Shanghai", "2026-12-02"),
    ("2026-12-02T15:59:00Z", "Asia/Shanghai", "2026-12-02 23:59"),
    # the clocks jump from 23:00 to 00:00: the day's last second is 22:59:59
    ("2026-03-29T00:59:59Z", "America/Nuuk", "2026-03-28"),
    # edited by hand beyond the dates a zone can show (verify names it): as it is
    ("9999-12-31T23:59:59Z", "Asia/Shanghai", "9999-12-31T23:59:59Z")])
def test_a_due_is_a_day_when_it_is_its_days_last_second(due, zone, shown):
    from zoneinfo import ZoneInfo

    from complaintctl import form

    assert form.due_shown(due, ZoneInfo(zone)) == shown


def test_a_contact_with_no_number_address_or_account_is_warned_of(ledger):
    """A prompt's answer one out of step put the category's number, 1, in the contact,
    stored without a word. It is recorded as typed, with a warning; a phone, an address
    or an account id is not warned of."""
    r = ledger("log", "--customer", "美的", "--contact", "1", "--channel", "phone",
               "--category", "quality", "--severity", "low", "--description", "x")
    cid = r.stdout.strip()
    assert "Warning: the contact (*) holds no phone number (seven digits or more), e-mail " \
        "address or account id: it was recorded as typed; correct it with complaintctl " \
        f"amend {cid} --contact VALUE --reason TEXT" in r.stderr, r.stderr
    assert ledger.rows("SELECT contact FROM complaints WHERE id = ?", (cid,)) == [("1",)]
    for contact in ("138 1234 5678", "zhang@example.cn", "微信 lily_2026", "QQ 12345678",
                    "QQ 123456", "qq号：10001"):  # (a QQ number of 5 or 6 digits too)
        r = ledger("log", "--customer", "美的", "--contact", contact, "--channel", "phone",
                   "--category", "quality", "--severity", "low", "--description", "x")
        assert "Warning" not in r.stderr, (contact, r.stderr)


def test_an_amended_contact_takes_a_new_key_so_the_old_one_cannot_be_found_again(ledger):
    """amend --contact kept the complaint's salt: the replaced number's keyed hash (in the
    amend event's old) could be matched by trying numbers with the salt stored beside
    the new contact. The new contact takes a new salt; the history's hashes stand as
    recorded and verify holds."""
    from complaintctl.complaints import contact_ref

    cid = ledger.log("--contact", "13812345678")
    (salt,) = ledger.rows("SELECT contact_salt FROM complaints WHERE id = ?", (cid,))[0]
    ledger("amend", cid, "--contact", "13900001111", "--reason", "号码记错")
    (new_salt,) = ledger.rows("SELECT contact_salt FROM complaints WHERE id = ?", (cid,))[0]
    (old,) = ledger.rows("SELECT old FROM events WHERE kind = 'amend'")[0]
    assert new_salt != salt
    assert json.loads(old)["contact"] == contact_ref(salt, "13812345678")  # as recorded
    assert json.loads(old)["contact"] != contact_ref(new_salt, "13812345678")
    assert ledger("verify").stdout.startswith("OK")
    assert [r["id"] for r in ledger.json("list", "--contact", "13900001111")] == [cid]


def test_forget_contact_given_a_return_s_id_names_its_complaint_s_step(ledger):
    """`forget-contact RMA-…` was hinted "a return's own steps: complaintctl return --help",
    which has nothing for a contact: the complaint's own forget-contact is given."""
    cid = ledger.log("--contact", "13800002222")
    ledger.to_state(cid, "assigned")
    rid = ledger("return", "open", cid, "--qty", "2").stdout.strip()
    before = ledger.snapshot()
    r = ledger("forget-contact", rid, "--reason", "本人要求", code=1)
    assert r.stderr == (f"Error: {rid} is a return, not a complaint\nHint: a return keeps no "
                        f"contact: its complaint's is erased with complaintctl forget-contact "
                        f"{cid} --reason TEXT\n"), r.stderr
    assert ledger.snapshot() == before
