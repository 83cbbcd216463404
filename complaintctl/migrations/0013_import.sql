-- Issue 15 (import): a complaint brought in from an old register keeps that register's
-- own id (`source_key`, searched by `show --ref` / `list --ref` and by a re-import)
-- and the import batch it came in with; every import is a batch, so that a wrong one
-- can be voided as a whole (`import --void-batch`).

CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    mapping TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0 CHECK (rows >= 0),
    added INTEGER NOT NULL DEFAULT 0 CHECK (added >= 0),
    updated INTEGER NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged INTEGER NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    conflicts INTEGER NOT NULL DEFAULT 0 CHECK (conflicts >= 0),
    refused INTEGER NOT NULL DEFAULT 0 CHECK (refused >= 0),
    voided_at TEXT,
    void_reason TEXT
);
ALTER TABLE complaints ADD COLUMN source_key TEXT;
ALTER TABLE complaints ADD COLUMN import_batch INTEGER REFERENCES import_batches (id);
CREATE INDEX complaints_source_key ON complaints (source_key) WHERE source_key IS NOT NULL;
CREATE INDEX complaints_import_batch ON complaints (import_batch) WHERE import_batch IS NOT NULL;
