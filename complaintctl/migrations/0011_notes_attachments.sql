-- The communication log (沟通记录) and evidence (凭证) of issue 13: dated notes on a
-- complaint or one of its returns, and files stored inside the ledger, once per
-- content (sha256), in chunks of 1 MiB.

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    return_id TEXT REFERENCES returns (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    -- the revisit methods' words (parse.NOTE_KINDS), and internal: not a contact
    kind TEXT NOT NULL CHECK (kind = 'phone' OR kind = 'visit' OR kind = 'email' OR
        kind = 'letter' OR kind = 'internal'),
    text TEXT NOT NULL
);
CREATE INDEX notes_complaint ON notes (complaint_id);
CREATE INDEX notes_return ON notes (return_id) WHERE return_id IS NOT NULL;
-- last_contact_at of show and list: the latest contact note of a complaint
CREATE INDEX notes_contact ON notes (complaint_id, at) WHERE kind != 'internal';
-- and its latest revisit, from the index alone
CREATE INDEX revisits_contact ON revisits (complaint_id, at);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL CHECK (size >= 0),
    chunks INTEGER NOT NULL CHECK (chunks >= 0)
);

CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
) WITHOUT ROWID;

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    return_id TEXT REFERENCES returns (id),
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    name TEXT NOT NULL,
    type TEXT,
    size INTEGER NOT NULL CHECK (size >= 0),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT
);
CREATE INDEX attachments_complaint ON attachments (complaint_id);
CREATE INDEX attachments_return ON attachments (return_id) WHERE return_id IS NOT NULL;
CREATE INDEX attachments_sha256 ON attachments (sha256);

-- Evidence is never deleted or rewritten (a content's bytes are written once).
CREATE TRIGGER notes_no_change BEFORE UPDATE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are never changed; add another note'); END;
CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are never deleted'); END;
CREATE TRIGGER attachments_no_change BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are never changed'); END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are never deleted'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'stored files are never deleted'); END;
CREATE TRIGGER blob_chunks_no_change BEFORE UPDATE ON blob_chunks
BEGIN SELECT RAISE(ABORT, 'stored files are never changed'); END;
CREATE TRIGGER blob_chunks_no_delete BEFORE DELETE ON blob_chunks
BEGIN SELECT RAISE(ABORT, 'stored files are never deleted'); END;
