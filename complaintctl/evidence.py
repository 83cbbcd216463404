"""The communication log (沟通记录) and evidence (凭证) of SPEC section 8: dated
notes and attached files, on a complaint or one of its returns, in any state but
void.

An attachment's bytes go into the ledger itself (the ledger stays one file to
back up and archive), stored once per content: `blobs` holds a content by its
sha256, `blob_chunks` its bytes in chunks of 1 MiB, `attachments` each time a
file was attached (name, size, type, who, when). A file is streamed, never read
whole into memory, both in and out (plain chunks, not incremental blob I/O, so
Python 3.10 keeps working).

Like every step, `note` and `attach` read their record, check it and write in one
``BEGIN IMMEDIATE`` transaction, with their event.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from complaintctl import settings, workflow
from complaintctl.complaints import check_at
from complaintctl.errors import BadInput, NotFound, Refused
from complaintctl.i18n import _, os_reason, shown
from complaintctl.parse import iso, mask_within, one_line, record_key, record_number
from complaintctl.store import Ledger, Outcome

CHUNK = 1 << 20  # bytes per blob_chunks row: 1 MiB
MB = 1 << 20  # a "MB" of the size limit and of messages (what file browsers show)
DEFAULT_MAX_MB = settings.ATTACHMENT_MAX_MB_DEFAULT  # the limit per file unless set
MAX_MB_SETTING = settings.ATTACHMENT_MAX_MB_KEY  # `policy attachments --max-mb N`

# A file to attach: a path, or an open binary file that can seek (it is read twice).
Source = Path | BinaryIO


def max_bytes_of(lg: Ledger) -> int:
    """The ledger's size limit per attached file, in bytes (setting attachment_max_mb,
    a whole number of MB; else 25 MB)."""
    value = lg.config.settings.get(MAX_MB_SETTING, "")
    limit = int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 6 \
        else 0
    return (limit or DEFAULT_MAX_MB) * MB


def mb(size: int) -> str:
    """A size as the limit's message says it: 25.3 MB, 0.4 MB."""
    return f"{size / MB:.1f} MB"


# --- the record a note or an attachment goes on ----------------------------------

@dataclass
class _Record:
    complaint_id: str
    return_id: str | None
    since: str  # when the complaint was received, or the return opened (stored time)

    @property
    def id(self) -> str:
        return self.return_id or self.complaint_id


def _record(lg: Ledger, cur: Any, record_id: str, command: str) -> _Record:
    """The complaint (CC-…) or return (RMA-…) `record_id`, read inside the step's
    transaction and refused when void."""
    key = record_key(record_id)
    if key.startswith(lg.config.settings["return_prefix"] + "-"):
        row = cur.execute("SELECT id, complaint_id, opened_at FROM returns WHERE id = ?",
                          (key,)).fetchone()
        if row is None:
            raise NotFound(_("no return {value}").format(value=shown(record_id)),
                           hint=_("find it with: complaintctl return list --complaint ID"),
                           code="no_return", record=record_id)
        c = lg.rows.complaint(cur, row[1])
        workflow.check_not_void(row[0], c["status"], command, complaint_id=c["id"])
        return _Record(c["id"], row[0], row[2])
    c = lg.rows.complaint(cur, key)
    workflow.check_not_void(c["id"], c["status"], command)
    return _Record(c["id"], None, c["received_at"])


def _check_time(lg: Ledger, rec: _Record, at: datetime, now: datetime) -> datetime:
    """Not in the future, not before the record began (check_at: its time). A note or
    an attachment is not a lifecycle step: it may record a call made before the last
    step was typed, and it moves no step's time (complaints.last_step_at stays)."""
    return check_at(lg, at, now, rec.since, _("the return was opened") if rec.return_id
                    else _("the complaint was received"))


# --- notes -------------------------------------------------------------------------

def note(lg: Ledger, record_id: str, text: str, kind: str, *, at: datetime, now: datetime,
         actor: str) -> Outcome:
    """`note`: a dated entry of the communication log by the acting user."""
    with lg.write() as cur:
        rec = _record(lg, cur, record_id, "note")
        at = _check_time(lg, rec, at, now)
        note_id = cur.execute(
            "INSERT INTO notes (complaint_id, return_id, at, actor, kind, text) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (rec.complaint_id, rec.return_id, iso(at), actor, kind, text)).fetchone()[0]
        lg.event(cur, rec.complaint_id, "note", at, now, actor,
                 {"note": note_id, "kind": kind, "text": text}, return_id=rec.return_id)
    return Outcome(rec.id, data={"note": note_id, "kind": kind})


# --- attachments ---------------------------------------------------------------------

@dataclass
class _File:
    """A file to attach, opened, measured and hashed (the first pass)."""

    label: str  # how the user named it (the path typed), for messages
    name: str  # the name stored
    fh: BinaryIO
    close: bool
    size: int = 0
    sha256: str = ""


def display_name(name: str) -> str:
    """A file name as stored and shown: bytes that are not UTF-8 (a name written by a
    GBK system) become U+FFFD; control characters, direction marks (which would show
    发票\u202egpj.exe as 发票exe.jpg) and line breaks '?'."""
    return one_line(os.fsencode(name).decode("utf-8", "replace")) or "file"


def _open(source: Source, name: str | None, limit: int) -> _File:
    """Open a file for reading and refuse what cannot be attached before reading it:
    missing, unreadable, not a regular file (a folder, a pipe, /dev/zero), empty, or
    over the size limit."""
    if isinstance(source, Path):
        # (one line: a name's line break printed a Hint: the tool never wrote; the rest
        # of what a terminal would act on is written visibly where it is printed)
        label = str(source).replace("\n", "\\n").replace("\r", "\\r")

        def unreadable(why: str, code: str) -> BadInput:
            return BadInput(_("cannot attach {path}: {reason}").format(path=label, reason=why),
                            hint=_("check the path; give the files to attach after the id"),
                            code=code, path=label)

        try:  # without waiting: a named pipe would wait for a writer (it is refused below)
            fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            fh: BinaryIO = os.fdopen(fd, "rb")  # closed by the caller
        except FileNotFoundError:
            raise unreadable(_("no such file"), "file_missing") from None
        except IsADirectoryError:
            raise unreadable(_("it is a folder"), "file_not_regular") from None
        except PermissionError:
            raise unreadable(_("permission denied"), "file_unreadable") from None
        except OSError as exc:
            raise unreadable(os_reason(exc), "file_unreadable") from None
        f = _File(label, display_name(name or source.name), fh, close=True)
    else:
        label = name or getattr(source, "name", None) or "stream"
        f = _File(str(label), display_name(str(label)), source, close=False)
    try:
        st = os.fstat(f.fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise BadInput(_("cannot attach {path}: it is not a regular file").format(
                path=f.label), hint=_("attach a file saved on disk"), code="file_not_regular",
                           path=f.label)
        _check_size(f.label, st.st_size, limit)
    except BaseException:
        _close(f)
        raise
    return f


def _check_size(label: str, size: int, limit: int) -> None:
    if size == 0:
        raise BadInput(_("cannot attach {path}: the file is empty").format(path=label),
                       hint=_("check it is the file you meant (a scan or a download that "
                              "did not finish is empty); for words alone use complaintctl "
                              "note"), code="file_empty",
                       path=label)
    if size > limit:
        limit_mb = f"{limit / MB:.1f}".removesuffix(".0")
        shown_size = mb(size)
        if shown_size == f"{limit / MB:.1f} MB":  # 25.0 MB "over" 25 MB: say the bytes
            shown_size = _("{n} bytes").format(n=f"{size:,}")
        raise Refused(_("{path} is {size}, over the {limit} MB limit for attachments").format(
            path=label, size=shown_size, limit=limit_mb),
                      hint=_("attach a smaller copy (a photo at a lower resolution, a PDF in "
                             "parts), or raise the limit: complaintctl policy attachments "
                             "--max-mb N"), code="file_too_large", path=label, size=size,
                      limit=limit)


def _close(f: _File) -> None:
    if f.close:
        f.fh.close()


def _chunks(f: _File) -> Iterator[bytes]:
    """The file from its start, CHUNK bytes at a time."""
    f.fh.seek(0)
    while chunk := f.fh.read(CHUNK):
        yield chunk


def _hash(f: _File, limit: int) -> None:
    """The first pass: size and sha256, a chunk at a time (a file that grew past the
    limit since it was measured is refused here)."""
    digest = hashlib.sha256()
    size = 0
    for chunk in _chunks(f):
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            _check_size(f.label, size, limit)
    _check_size(f.label, size, limit)
    f.size, f.sha256 = size, digest.hexdigest()


# Storing a content under its hash, streamed: the key of every chunk is the sha256,
# known only once the last byte is read. Of the two ways (write the chunks under a
# temporary key and re-key them, or hash first and store second) this takes the
# second: re-keying rewrites every 1 MiB row (an UPDATE of a WITHOUT ROWID table's
# key is a delete and an insert), and a content the ledger already holds would be
# written for nothing. So the first pass hashes the file before the transaction
# (holding no lock), and the second, inside it, writes only a content not yet
# stored, hashing again as it goes: a file changed between the passes is refused
# (and the transaction rolled back), never stored under a hash that is not its own.
# The price is reading a new file twice, the second time from the OS's cache.

def _store(cur: Any, f: _File) -> bool:
    """Store the file's content unless the ledger holds it; True if written now."""
    if cur.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (f.sha256,)).fetchone():
        return False
    cur.execute("INSERT INTO blobs (sha256, size, chunks) VALUES (?, ?, ?)",
                (f.sha256, f.size, -(-f.size // CHUNK)))
    digest = hashlib.sha256()
    size = 0
    for seq, chunk in enumerate(_chunks(f)):
        digest.update(chunk)
        size += len(chunk)
        if size > f.size:
            break
        cur.execute("INSERT INTO blob_chunks (sha256, seq, data) VALUES (?, ?, ?)",
                    (f.sha256, seq, chunk))
    if size != f.size or digest.hexdigest() != f.sha256:
        raise Refused(_("{path} changed while it was being attached").format(path=f.label),
                      hint=_("attach it again once nothing is writing to it"),
                      code="file_changed", path=f.label)
    return True


# The media type of a file compressed as its name says (a.txt.gz is gzip data, not text)
_COMPRESSED = {"gzip": "application/gzip", "bzip2": "application/x-bzip2",
               "xz": "application/x-xz", "compress": "application/x-compress",
               "br": "application/x-brotli"}


def _media_type(name: str) -> str | None:
    """The media type of a file by its name: a compressed one's is its compression's
    (a.txt.gz was stored as text/plain, and forget-contact could not search it as text);
    None when the name does not say."""
    import mimetypes

    kind, encoding = mimetypes.guess_type(name, strict=False)
    if encoding is not None:
        return _COMPRESSED.get(encoding, "application/octet-stream")
    return kind


def attach(lg: Ledger, record_id: str, path_or_stream: Source, name: str | None,
           note: str | None, *, at: datetime, now: datetime, actor: str,
           max_bytes: int | None = None) -> Outcome:
    """`attach` of one file (see attach_all)."""
    return attach_all(lg, record_id, [(path_or_stream, name)], note, at=at, now=now,
                      actor=actor, max_bytes=max_bytes)


def attach_all(lg: Ledger, record_id: str, files: Sequence[tuple[Source, str | None]],
               note: str | None, *, at: datetime, now: datetime, actor: str,
               max_bytes: int | None = None) -> Outcome:
    """`attach`: files (path or seekable stream, stored name or None for the file's
    own) onto a complaint or return, all of them or none, one event each.
    `max_bytes`: the size limit (default: the ledger's, attachment_max_mb)."""
    limit = max_bytes_of(lg) if max_bytes is None else max_bytes
    opened: list[_File] = []
    try:
        for source, name in files:
            f = _open(source, name, limit)
            opened.append(f)
            _hash(f, limit)
        done: list[dict[str, Any]] = []
        with lg.write() as cur:
            rec = _record(lg, cur, record_id, "attach")
            at = _check_time(lg, rec, at, now)
            if max_bytes is None and max_bytes_of(lg) != limit:  # changed meanwhile
                limit = max_bytes_of(lg)
                for f in opened:
                    _check_size(f.label, f.size, limit)
            for f in opened:
                earlier = cur.execute("SELECT min(id) FROM attachments WHERE sha256 = ?",
                                      (f.sha256,)).fetchone()[0]
                stored = _store(cur, f)
                kind = _media_type(f.name)
                att_id = cur.execute(
                    "INSERT INTO attachments (complaint_id, return_id, sha256, name, type, "
                    "size, at, actor, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (rec.complaint_id, rec.return_id, f.sha256, f.name, kind, f.size,
                     iso(at), actor, note)).fetchone()[0]
                lg.event(cur, rec.complaint_id, "attach", at, now, actor,
                         {"attachment": att_id, "sha256": f.sha256, "name": f.name,
                          "size": f.size, "type": kind, "note": note},
                         return_id=rec.return_id)
                done.append({"id": att_id, "name": f.name, "size": f.size, "type": kind,
                             "sha256": f.sha256, "stored": stored, "same_as": earlier})
    finally:
        for f in opened:
            _close(f)
    return Outcome(rec.id, data={"attachments": done})


# --- reading an attachment back ----------------------------------------------------------

def attachment_number(value: str, field: str = "ATT") -> int:
    """An attachment number as shown (7, #7, ATT-7)."""
    if not value.strip():
        raise BadInput(_("the attachment number is empty"),
                       hint=_("attachment numbers are shown by: complaintctl attachment "
                              "list ID"), code="empty_id")
    number = record_number(value, "ATT")
    if number is None:
        raise BadInput(_("{field} {value} is not an attachment number").format(
            field=_(field), value=shown(value)),  # (ATT as the usage line says it: 附件号)
                       hint=_("attachment numbers are shown by: complaintctl attachment "
                              "list ID"), code="bad_attachment_number", value=value)
    return number


def attachment_info(lg: Ledger, attachment_id: int) -> dict[str, Any]:
    """One attachment's row with its content's chunk count."""
    with lg.read() as cur:
        cur.execute("SELECT a.id, a.complaint_id, a.return_id, a.name, a.type, a.size, "
                    "a.sha256, a.at, a.actor, a.note, b.chunks FROM attachments a "
                    "LEFT JOIN blobs b ON b.sha256 = a.sha256 WHERE a.id = ?",
                    (attachment_id,))
        row = cur.fetchone()
        if row is None:
            raise NotFound(_("no attachment {number}").format(number=attachment_id),
                           hint=_("list a record's attachments: complaintctl attachment "
                                  "list ID"), code="no_attachment", attachment=attachment_id)
        return dict(zip([d[0] for d in cur.description], row, strict=True))


def read_attachment(lg: Ledger, info: dict[str, Any]) -> Iterator[bytes]:
    """The attachment's bytes, a chunk at a time, from one snapshot; checked against
    its sha256 and size as they go out: damage raises Refused after the last chunk
    (so that a file written from them is thrown away)."""
    digest = hashlib.sha256()
    size = 0
    with lg.read() as cur:
        for (data,) in cur.execute("SELECT CAST(data AS BLOB) FROM blob_chunks WHERE "
                                   "sha256 = ? ORDER BY seq", (info["sha256"],)):
            # (as bytes: a text put there by hand was "unexpected failure: Strings must be
            # encoded before hashing"; its bytes then do not match, said so below)
            data = b"" if data is None else bytes(data)
            digest.update(data)
            size += len(data)
            yield bytes(data)
    if size != info["size"] or digest.hexdigest() != info["sha256"]:
        raise Refused(_("attachment {number} is damaged in the ledger: its bytes do not "
                        "match the sha256 {sha}… it was stored with").format(
            number=info["id"], sha=info["sha256"][:12]),
                      hint=_("run: complaintctl verify; restore the ledger from a backup"),
                      code="attachment_damaged", attachment=info["id"])


# The encodings an attachment is read in when it is searched as text (an e-mail saved as
# .eml, a .txt, .csv or .html, a chat's export); UTF-16 only with its byte-order mark.
_TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
_OVERLAP = 512  # characters of a chunk's end kept before the next (a contact across them)


def searched_for(cur: Any, complaint_id: str, holds: Callable[[str], bool]
                 ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The attachments of a complaint (its returns' too) whose bytes, read as text, hold
    what `holds` finds, and those that are no text that could be searched (a photo, a
    PDF, an Office file: compressed), (number, name) each. forget-contact said "erased"
    of a contact an attached e-mail held in clear, and it stays there (nothing attached
    is ever changed). Read a chunk at a time, inside the caller's read. One whose name
    holds it holds it (客户13877776666.jpg: "could not be searched", said with the number
    in clear); its name is given with the number or address masked (parse.mask_within)."""
    found: list[tuple[int, str]] = []
    unsearched: list[tuple[int, str]] = []
    seen: dict[str, bool | None] = {}  # a content attached twice is read once
    for number, name, sha, size in cur.execute(
            "SELECT id, name, sha256, size FROM attachments WHERE complaint_id = ? ORDER BY id",
            (complaint_id,)).fetchall():
        if holds(name):
            found.append((number, mask_within(name, holds)))
            continue
        if sha not in seen:
            seen[sha] = _content_holds(cur, sha, size, holds)
        if seen[sha] is None:
            unsearched.append((number, name))
        elif seen[sha]:
            found.append((number, name))
    return found, unsearched


SEARCHED_MOST = 64 * MB  # a larger attachment is not read (minutes, in a read)


def _content_holds(cur: Any, sha: str, size: int, holds: Callable[[str], bool]
                   ) -> bool | None:
    """Whether an attachment's content holds what `holds` finds: as text, or an e-mail
    saved whole (.eml) as its decoded parts and headers (a Chinese mail's body is base64:
    read as text it held nothing). None: it could not all be searched (no text, an
    e-mail's photo or PDF, larger than SEARCHED_MOST)."""
    if size > SEARCHED_MOST:
        return None
    found = _text_holds(cur, sha, holds)
    if found:
        return True
    mail = _mail_holds(cur, sha, holds)
    return found if isinstance(mail, str) else mail


# The start of an e-mail saved whole: header lines (Name: value), one of them an e-mail's.
_MAIL_HEAD = re.compile(rb"\A(?:[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+")
_MAIL_FIELDS = re.compile(rb"^(?:from|to|subject|mime-version|content-type|received|"
                          rb"message-id|date):", re.I | re.M)


def _mail_start(data: bytes) -> bytes:
    """A content from where an e-mail saved whole begins: after a byte-order mark, or a
    mailbox's "From " line."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return data.partition(b"\n")[2] if data.startswith(b"From ") else data


def _no_mail(start: bytes) -> bool:
    """Whether the start of a content (its first chunk, _mail_start's) shows it cannot be
    an e-mail: _MAIL_HEAD's first header name ends in what is no colon (a run of name
    characters to the chunk's end could still be one)."""
    name = _HEADER_NAME.match(start)
    end = name.end() if name else 0
    return end < len(start) and (end == 0 or start[end:end + 1] != b":")


_HEADER_NAME = re.compile(rb"[!-9;-~]+")


def _mail_holds(cur: Any, sha: str, holds: Callable[[str], bool]) -> bool | str | None:
    """An e-mail's headers and parts, decoded, searched: None when a part is no text (a
    photo, a PDF) or the mail cannot be read, "no mail" when the content is none. Its
    first chunk alone is read for a text that does not begin as a mail (a large CSV was
    read whole into memory to find it none)."""
    first = cur.execute("SELECT CAST(data AS BLOB) FROM blob_chunks WHERE sha256 = ? AND "
                        "seq = 0", (sha,)).fetchone()
    if _no_mail(_mail_start(bytes(first[0] or b"") if first else b"")):
        return "no mail"
    data = _mail_start(b"".join(bytes(chunk or b"") for (chunk,) in cur.connection.execute(
        "SELECT CAST(data AS BLOB) FROM blob_chunks WHERE sha256 = ? ORDER BY seq", (sha,))))
    head = _MAIL_HEAD.match(data)
    if head is None or not _MAIL_FIELDS.search(head[0]):
        return "no mail"
    import email
    import email.policy

    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        unsearched = False
        for part in message.walk():  # (a mail forwarded inside it: its headers too)
            if holds("\n".join(f"{k}: {v}" for k, v in part.items())):
                return True
            if part.is_multipart():
                continue
            if part.get_content_maintype() != "text":
                unsearched = True
                continue
            try:
                text = part.get_content()
            except (LookupError, UnicodeError, ValueError):  # a charset Python lacks
                payload = part.get_payload(decode=True)
                text = payload.decode("gb18030", "replace") if isinstance(payload, bytes) \
                    else ""
            if holds(text):
                return True
    except Exception:  # noqa: BLE001 - a mail the parser cannot read: not searched
        return None
    return None if unsearched else False


def _text_holds(cur: Any, sha: str, holds: Callable[[str], bool]) -> bool | None:
    """Whether a content read as text holds what `holds` finds; None when it is no text
    in any of the encodings (or holds a NUL, as files that are not text do)."""
    import codecs

    first = cur.execute("SELECT CAST(data AS BLOB) FROM blob_chunks WHERE sha256 = ? AND "
                        "seq = 0", (sha,)).fetchone()
    head = bytes(first[0] or b"") if first else b""
    encodings = ("utf-16",) if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) \
        else _TEXT_ENCODINGS
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        tail = ""
        try:
            for (data,) in cur.connection.execute(
                    "SELECT CAST(data AS BLOB) FROM blob_chunks WHERE sha256 = ? ORDER BY seq",
                    (sha,)):
                text = tail + decoder.decode(bytes(data or b""))
                if "\x00" in text:
                    return None
                if holds(text):
                    return True
                tail = text[-_OVERLAP:]
            if holds(tail + decoder.decode(b"", final=True)):
                return True
        except UnicodeDecodeError:
            continue
        return False
    return None
