-- complaintctl ledger schema: the single source of truth for a fresh ledger.
-- Times are UTC ISO-8601 text ('2026-09-30T02:00:00Z'); money is integer minor
-- units (cents / 分). Rows are never deleted (triggers below refuse it).
-- PRAGMA user_version holds the schema version (complaintctl/migrations.py).

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Stage deadlines by severity ('4h', '3wd', '90d'; NULL: the stage does not apply).
CREATE TABLE policy (
    stage TEXT NOT NULL CHECK (stage = 'assign' OR stage = 'investigate' OR stage = 'resolve' OR
        stage = 'revisit' OR stage = 'reopen' OR stage = 'second-revisit' OR stage = 'inspect' OR
        stage = 'dispose'),
    severity TEXT NOT NULL CHECK (severity = 'critical' OR severity = 'high' OR
        severity = 'medium' OR severity = 'low'),
    duration TEXT,
    PRIMARY KEY (stage, severity)
);

CREATE TABLE escalation (
    level INTEGER PRIMARY KEY CHECK (level BETWEEN 1 AND 9),
    after_working_days INTEGER NOT NULL CHECK (after_working_days >= 0),
    role TEXT NOT NULL
);

-- Country holidays and make-up workdays (source 'country', materialised from
-- the holidays package) and the user's own additions (source 'user').
CREATE TABLE calendar_days (
    day TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source = 'country' OR source = 'user'),
    kind TEXT NOT NULL CHECK (kind = 'holiday' OR kind = 'workday' OR kind = 'closure'),
    name TEXT,
    PRIMARY KEY (day, source)
);

-- Sequential ids per year and kind; never reused.
CREATE TABLE id_counters (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    logged_at TEXT NOT NULL,
    logged_by TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel = 'phone' OR channel = 'email' OR channel = 'letter' OR
        channel = 'fax' OR channel = 'visit' OR channel = 'web' OR channel = 'social' OR
        channel = 'hotline' OR channel = 'regulator' OR channel = 'other'),
    customer TEXT NOT NULL,
    contact TEXT,
    region TEXT,
    order_no TEXT,
    product TEXT,
    lot TEXT,
    quantity INTEGER CHECK (quantity IS NULL OR quantity > 0),
    shipped_on TEXT,
    category TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity = 'critical' OR severity = 'high' OR
        severity = 'medium' OR severity = 'low'),
    demand TEXT CHECK (demand = 'return' OR demand = 'exchange' OR demand = 'repair' OR
        demand = 'refund' OR demand = 'discount' OR demand = 'compensation' OR
        demand = 'explanation' OR demand = 'other'),
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status = 'logged' OR status = 'assigned' OR
        status = 'investigating' OR status = 'resolved' OR status = 'closed' OR status = 'void'),
    department TEXT,
    owner TEXT,
    assigned_at TEXT,
    repeat_of TEXT REFERENCES complaints (id),
    reopen_count INTEGER NOT NULL DEFAULT 0 CHECK (reopen_count >= 0),
    validity TEXT CHECK (validity = 'upheld' OR validity = 'not-upheld'),
    root_cause TEXT,
    cause_category TEXT CHECK (cause_category = 'manufacturing' OR cause_category = 'inspection' OR
        cause_category = 'design' OR cause_category = 'supplier' OR cause_category = 'logistics' OR
        cause_category = 'sales' OR cause_category = 'customer-misuse' OR
        cause_category = 'other'),
    responsibility TEXT CHECK (responsibility = 'company' OR responsibility = 'customer' OR
        responsibility = 'supplier'),
    supplier TEXT,
    concluded_at TEXT,
    disposition TEXT CHECK (disposition = 'return' OR disposition = 'exchange' OR
        disposition = 'repair' OR disposition = 'rework' OR disposition = 'refund' OR
        disposition = 'discount' OR disposition = 'compensation' OR disposition = 'explanation' OR
        disposition = 'no-action'),
    amount INTEGER CHECK (amount IS NULL OR amount >= 0),
    currency TEXT,
    approved_by TEXT,
    resolution_summary TEXT,
    resolved_at TEXT,
    satisfaction TEXT CHECK (satisfaction = 'satisfied' OR satisfaction = 'basically-satisfied' OR
        satisfaction = 'unsatisfied'),
    closed_at TEXT,
    close_reason TEXT,
    voided_at TEXT,
    void_reason TEXT,
    last_step_at TEXT NOT NULL,
    contact_salt TEXT,
    source_key TEXT,
    import_batch INTEGER REFERENCES import_batches (id),
    -- the latest of received_at, its contact notes and its revisits (kept by the
    -- last_contact_* triggers below)
    last_contact_at TEXT,
    -- what the repeat check matches by: the customer and the product with letter case,
    -- spaces and a name's punctuation aside (parse.repeat_key); NULL without a product
    repeat_key TEXT,
    UNIQUE (year, seq)
);
CREATE INDEX complaints_received ON complaints (received_at);
CREATE INDEX complaints_received_void ON complaints (received_at, voided_at, category, channel,
    severity, department, product, customer, repeat_of);
CREATE INDEX complaints_voided ON complaints (received_at, voided_at, category, channel,
    severity, product, department, customer, repeat_of) WHERE voided_at IS NOT NULL;
CREATE INDEX complaints_status ON complaints (status);
CREATE INDEX complaints_repeat ON complaints (customer, product, received_at);
CREATE INDEX complaints_repeat_key ON complaints (repeat_key, received_at)
    WHERE repeat_key IS NOT NULL;
CREATE INDEX complaints_repeat_of ON complaints (repeat_of) WHERE repeat_of IS NOT NULL;
CREATE INDEX complaints_concluded ON complaints (concluded_at) WHERE concluded_at IS NOT NULL;
-- (migration 19) concluded without a cause category: the Pareto's (none)
CREATE INDEX complaints_uncategorised ON complaints (concluded_at)
    WHERE concluded_at IS NOT NULL AND cause_category IS NULL;
CREATE INDEX complaints_source_key ON complaints (source_key) WHERE source_key IS NOT NULL;
CREATE INDEX complaints_import_batch ON complaints (import_batch) WHERE import_batch IS NOT NULL;

-- Issue 15: every import is a batch (its file, who brought it in, what it did).
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

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    department TEXT NOT NULL,
    owner TEXT NOT NULL,
    note TEXT
);
CREATE INDEX assignments_complaint ON assignments (complaint_id);

CREATE TABLE investigations (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    finding TEXT,
    validity TEXT CHECK (validity = 'upheld' OR validity = 'not-upheld'),
    reason TEXT,
    root_cause TEXT,
    cause_category TEXT CHECK (cause_category = 'manufacturing' OR cause_category = 'inspection' OR
        cause_category = 'design' OR cause_category = 'supplier' OR cause_category = 'logistics' OR
        cause_category = 'sales' OR cause_category = 'customer-misuse' OR
        cause_category = 'other'),
    responsibility TEXT CHECK (responsibility = 'company' OR responsibility = 'customer' OR
        responsibility = 'supplier'),
    supplier TEXT,
    containment TEXT,
    corrective TEXT,
    preventive TEXT
);
CREATE INDEX investigations_complaint ON investigations (complaint_id);

-- CAPA items (纠正预防措施).
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT,
    verified_at TEXT,
    verified_by TEXT,
    verify_note TEXT
);
CREATE INDEX actions_complaint ON actions (complaint_id);
CREATE INDEX actions_created ON actions (created_at);
CREATE INDEX actions_done ON actions (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX actions_verified ON actions (verified_at) WHERE verified_at IS NOT NULL;
CREATE INDEX actions_open_due ON actions (due_at) WHERE done_at IS NULL;
CREATE INDEX actions_done_late ON actions (done_at, due_at) WHERE done_at > due_at;

CREATE TABLE resolutions (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    round INTEGER NOT NULL CHECK (round >= 1),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    disposition TEXT NOT NULL CHECK (disposition = 'return' OR disposition = 'exchange' OR
        disposition = 'repair' OR disposition = 'rework' OR disposition = 'refund' OR
        disposition = 'discount' OR disposition = 'compensation' OR disposition = 'explanation' OR
        disposition = 'no-action'),
    amount INTEGER CHECK (amount IS NULL OR amount >= 0),
    currency TEXT,
    approved_by TEXT,
    summary TEXT NOT NULL,
    previous_at TEXT  -- round > 1: when the round before was resolved
);
CREATE INDEX resolutions_complaint ON resolutions (complaint_id, round, at);
CREATE INDEX resolutions_at ON resolutions (at, round, complaint_id);
CREATE INDEX resolutions_again ON resolutions (at, previous_at) WHERE round > 1;
-- what a period paid or credited its customers, and the payments recorded without an
-- amount, read by the report (migrations 17, 18)
CREATE INDEX resolutions_paid ON resolutions (at, disposition, amount)
    WHERE amount IS NOT NULL OR disposition IN ('refund', 'discount', 'compensation');

CREATE TABLE revisits (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    method TEXT CHECK (method = 'phone' OR method = 'visit' OR method = 'email' OR
        method = 'letter'),
    satisfaction TEXT NOT NULL CHECK (satisfaction = 'satisfied' OR
        satisfaction = 'basically-satisfied' OR satisfaction = 'unsatisfied'),
    demand_met INTEGER CHECK (demand_met = 0 OR demand_met = 1),
    note TEXT,
    from_status TEXT CHECK (from_status = 'resolved' OR from_status = 'closed'),
    -- the state the revisit left the complaint in (workflow.py decides it): closed, or
    -- investigating again (reopened); what counts closings and reopenings reads
    to_status TEXT CHECK (to_status = 'closed' OR to_status = 'investigating')
);
CREATE INDEX revisits_complaint ON revisits (complaint_id);
CREATE INDEX revisits_at ON revisits (at, from_status, to_status, satisfaction, complaint_id);
CREATE INDEX revisits_closing ON revisits (at)
    WHERE from_status = 'resolved' AND to_status = 'closed';
CREATE INDEX revisits_reopen_closed ON revisits (at)
    WHERE from_status = 'closed' AND to_status = 'investigating';
CREATE INDEX revisits_reopened ON revisits (at, complaint_id)
    WHERE to_status = 'investigating';
CREATE INDEX revisits_not_closing ON revisits (at)
    WHERE from_status IS NOT 'resolved' OR to_status IS NOT 'closed';
CREATE INDEX revisits_unsatisfied ON revisits (at) WHERE satisfaction = 'unsatisfied';

-- Returned goods (客退品 / RMA): authorised against a complaint, received
-- (partial receipts add up), inspected, and every received unit dispositioned.
CREATE TABLE returns (
    id TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    authorised_qty INTEGER NOT NULL CHECK (authorised_qty > 0),
    product TEXT,
    lot TEXT,
    reason TEXT,
    received_qty INTEGER NOT NULL DEFAULT 0 CHECK (received_qty >= 0),
    first_received_at TEXT,
    inspected_at TEXT,
    result TEXT CHECK (result = 'defect-confirmed' OR result = 'no-defect-found' OR
        result = 'customer-damage'),
    defective_qty INTEGER CHECK (defective_qty >= 0),
    cause TEXT,
    inspection_note TEXT,
    disposed_qty INTEGER NOT NULL DEFAULT 0
        CHECK (disposed_qty >= 0 AND disposed_qty <= received_qty),
    cost_of_loss INTEGER NOT NULL DEFAULT 0 CHECK (cost_of_loss >= 0),
    repair_cost INTEGER NOT NULL DEFAULT 0 CHECK (repair_cost >= 0),
    closed_at TEXT,
    stage TEXT NOT NULL CHECK (stage = 'authorised' OR stage = 'received' OR stage = 'inspected' OR
        stage = 'dispositioned' OR stage = 'closed'),
    last_step_at TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX returns_complaint ON returns (complaint_id);
CREATE INDEX returns_open ON returns (opened_at) WHERE closed_at IS NULL;
CREATE INDEX returns_opened ON returns (opened_at, authorised_qty);

CREATE TABLE return_receipts (
    id INTEGER PRIMARY KEY,
    return_id TEXT NOT NULL REFERENCES returns (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    -- a count, or a correction of the counts before (return correct): less than none
    qty INTEGER NOT NULL CHECK (qty != 0),
    note TEXT
);
CREATE INDEX return_receipts_return ON return_receipts (return_id, at, qty);
CREATE INDEX return_receipts_at ON return_receipts (at, return_id, qty);

CREATE TABLE return_dispositions (
    id INTEGER PRIMARY KEY,
    return_id TEXT NOT NULL REFERENCES returns (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action = 'rework' OR action = 'repair' OR action = 'scrap' OR
        action = 'restock' OR action = 'discount-sale' OR action = 'return-to-customer' OR
        action = 'return-to-supplier'),
    qty INTEGER NOT NULL CHECK (qty > 0),
    cost_of_loss INTEGER NOT NULL DEFAULT 0 CHECK (cost_of_loss >= 0),
    repair_cost INTEGER NOT NULL DEFAULT 0 CHECK (repair_cost >= 0),
    note TEXT
);
CREATE INDEX return_dispositions_return ON return_dispositions (return_id);
CREATE INDEX return_dispositions_at ON return_dispositions (at);
CREATE INDEX return_dispositions_action ON return_dispositions (action, at, qty, cost_of_loss,
    repair_cost);

-- Every deadline promised: one row per stage (and round) of a complaint or
-- a return. Open stages (done_at IS NULL) are what `overdue` reads.
CREATE TABLE stages (
    id INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    return_id TEXT,
    stage TEXT NOT NULL CHECK (stage = 'assign' OR stage = 'investigate' OR stage = 'resolve' OR
        stage = 'revisit' OR stage = 'second-revisit' OR stage = 'inspect' OR stage = 'dispose'),
    round INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
    started_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    done_at TEXT,
    outcome TEXT CHECK (outcome = 'done' OR outcome = 'void'),
    CHECK ((done_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX stages_open ON stages (due_at, complaint_id, return_id, stage, round, done_at)
    WHERE done_at IS NULL;
CREATE INDEX stages_complaint ON stages (complaint_id);
CREATE INDEX stages_return ON stages (return_id) WHERE return_id IS NOT NULL;
CREATE INDEX stages_done ON stages (done_at, stage, due_at, outcome, complaint_id)
    WHERE done_at IS NOT NULL;
CREATE INDEX stages_done_late ON stages (done_at, due_at, started_at)
    WHERE done_at > due_at;

-- Append-only history: who, when (the step's time and the time it was typed),
-- what, the new data and the old values (JSON text); the operating-system login
-- behind the actor; and a hash chain (store.event_hash: each hash covers the
-- previous one and the row as stored). Contacts appear only as "h:" references.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id TEXT REFERENCES complaints (id),
    at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    old TEXT,
    return_id TEXT REFERENCES returns (id),
    login TEXT,
    hash TEXT
);
CREATE INDEX events_complaint ON events (complaint_id);
CREATE INDEX events_return ON events (return_id) WHERE return_id IS NOT NULL;
CREATE INDEX events_kind_at ON events (kind, at);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints
BEGIN SELECT RAISE(ABORT, 'complaints are never deleted; void them'); END;
CREATE TRIGGER returns_no_delete BEFORE DELETE ON returns
BEGIN SELECT RAISE(ABORT, 'returns are never deleted'); END;

-- Per-UTC-day counts for the year-to-date figures of a report (a report adds up
-- tallies instead of stepping through a year of index entries). Derived data:
-- kept by these triggers with every write (the demo's bulk write too).
CREATE TABLE day_tallies (
    measure TEXT NOT NULL CHECK (measure = 'received' OR measure = 'resolutions' OR
        measure = 'closing_revisits'),
    day TEXT NOT NULL,  -- YYYY-MM-DD in UTC: the first ten characters of a stored time
    n INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (measure, day)
) WITHOUT ROWID;

CREATE TRIGGER tally_received AFTER INSERT ON complaints
BEGIN
    INSERT INTO day_tallies (measure, day, n) VALUES ('received', substr(NEW.received_at, 1, 10), 1)
        ON CONFLICT (measure, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tally_received_amended AFTER UPDATE OF received_at ON complaints
WHEN substr(OLD.received_at, 1, 10) != substr(NEW.received_at, 1, 10)
BEGIN
    UPDATE day_tallies SET n = n - 1
        WHERE measure = 'received' AND day = substr(OLD.received_at, 1, 10);
    INSERT INTO day_tallies (measure, day, n) VALUES ('received', substr(NEW.received_at, 1, 10), 1)
        ON CONFLICT (measure, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tally_resolutions AFTER INSERT ON resolutions
BEGIN
    INSERT INTO day_tallies (measure, day, n) VALUES ('resolutions', substr(NEW.at, 1, 10), 1)
        ON CONFLICT (measure, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tally_closing_revisits AFTER INSERT ON revisits
WHEN NEW.from_status = 'resolved' AND NEW.to_status = 'closed'
BEGIN
    INSERT INTO day_tallies (measure, day, n) VALUES ('closing_revisits', substr(NEW.at, 1, 10), 1)
        ON CONFLICT (measure, day) DO UPDATE SET n = n + 1;
END;

-- The communication log (沟通记录) and evidence (凭证): dated notes on a complaint or
-- one of its returns, and files stored inside the ledger, once per content (sha256),
-- in chunks of 1 MiB (blob_chunks). Never changed or deleted.

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

-- Reports over long periods (issue 16). What can be added up is kept per UTC day in
-- day_rollups; handling times are kept one row per resolution in handling_times, so
-- a report reads them in one pass without joining the complaints. Derived data: the
-- triggers below keep both with every step (the bulk writer sets them aside and adds
-- what it wrote once), and `verify` recounts them.
--
-- day_rollups: (measure, day, key) -> n (a count that falls to 0 is deleted; and ok,
-- for stage completions: how many by
-- their deadline). The day is the first ten characters of a stored time:
--   category, channel, severity, product, department, repeats: complaints by the day
--     they were received and their value now ('' for none; repeats: key 'yes');
--   cause, validity: complaints by the day their investigation concluded, by cause
--     category (when there is one) and by validity ('' for none);
--   stage_done: stage completions (outcome done) by the day done, by stage;
--   resolve_done: resolve-stage completions by the day done, by the complaint's
--     department now ('' for none).
CREATE TABLE day_rollups (
    measure TEXT NOT NULL,
    day TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL CHECK (n >= 0),
    ok INTEGER NOT NULL DEFAULT 0 CHECK (ok >= 0),
    PRIMARY KEY (measure, day, key)
) WITHOUT ROWID;

-- One row per resolution: its time, and the complaint's handling time to it in days
-- (from received), category and department now; next_at: when its next round was
-- resolved (a report counts a complaint's latest resolution in its period only).
CREATE TABLE handling_times (
    at TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    days REAL NOT NULL,
    category TEXT,
    department TEXT,
    next_at TEXT,
    PRIMARY KEY (at, complaint_id, round)
) WITHOUT ROWID;
CREATE INDEX handling_times_complaint ON handling_times (complaint_id);
-- (issue 16, migration 15) a group's handling times in the order of their days
CREATE INDEX handling_times_category ON handling_times (category, days, next_at);
CREATE INDEX handling_times_department ON handling_times (department, days, next_at);
CREATE INDEX handling_times_days ON handling_times (days, next_at);

CREATE TRIGGER rollup_complaint_logged AFTER INSERT ON complaints
BEGIN
    INSERT INTO day_rollups (measure, day, key, n)
        SELECT measure, day, key, 1 FROM (SELECT 'category' AS measure, substr(NEW.received_at, 1, 10) AS day, coalesce(NEW.category, '') AS key
            UNION ALL SELECT 'channel', substr(NEW.received_at, 1, 10), coalesce(NEW.channel, '')
            UNION ALL SELECT 'severity', substr(NEW.received_at, 1, 10), coalesce(NEW.severity, '')
            UNION ALL SELECT 'product', substr(NEW.received_at, 1, 10), coalesce(NEW.product, '')
            UNION ALL SELECT 'department', substr(NEW.received_at, 1, 10), coalesce(NEW.department, '')
            UNION ALL SELECT 'repeats', substr(NEW.received_at, 1, 10),
                CASE WHEN NEW.repeat_of IS NOT NULL THEN 'yes' END
            UNION ALL SELECT 'cause', substr(NEW.concluded_at, 1, 10), NEW.cause_category
            UNION ALL SELECT 'validity', substr(NEW.concluded_at, 1, 10), coalesce(NEW.validity, ''))
        WHERE day IS NOT NULL AND key IS NOT NULL
        ON CONFLICT (measure, day, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER rollup_complaint_changed AFTER UPDATE OF received_at, category, channel,
    severity, product, department, repeat_of, concluded_at, cause_category, validity
    ON complaints
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.category IS NOT NEW.category
    OR OLD.channel IS NOT NEW.channel OR OLD.severity IS NOT NEW.severity
    OR OLD.product IS NOT NEW.product OR OLD.department IS NOT NEW.department
    OR OLD.repeat_of IS NOT NEW.repeat_of OR OLD.concluded_at IS NOT NEW.concluded_at
    OR OLD.cause_category IS NOT NEW.cause_category OR OLD.validity IS NOT NEW.validity
BEGIN
    UPDATE day_rollups SET n = n - 1 WHERE (measure, day, key) IN (SELECT 'category' AS measure, substr(OLD.received_at, 1, 10) AS day, coalesce(OLD.category, '') AS key
            UNION ALL SELECT 'channel', substr(OLD.received_at, 1, 10), coalesce(OLD.channel, '')
            UNION ALL SELECT 'severity', substr(OLD.received_at, 1, 10), coalesce(OLD.severity, '')
            UNION ALL SELECT 'product', substr(OLD.received_at, 1, 10), coalesce(OLD.product, '')
            UNION ALL SELECT 'department', substr(OLD.received_at, 1, 10), coalesce(OLD.department, '')
            UNION ALL SELECT 'repeats', substr(OLD.received_at, 1, 10),
                CASE WHEN OLD.repeat_of IS NOT NULL THEN 'yes' END
            UNION ALL SELECT 'cause', substr(OLD.concluded_at, 1, 10), OLD.cause_category
            UNION ALL SELECT 'validity', substr(OLD.concluded_at, 1, 10), coalesce(OLD.validity, ''));
    DELETE FROM day_rollups WHERE n = 0 AND (measure, day, key) IN (SELECT 'category' AS measure, substr(OLD.received_at, 1, 10) AS day, coalesce(OLD.category, '') AS key
            UNION ALL SELECT 'channel', substr(OLD.received_at, 1, 10), coalesce(OLD.channel, '')
            UNION ALL SELECT 'severity', substr(OLD.received_at, 1, 10), coalesce(OLD.severity, '')
            UNION ALL SELECT 'product', substr(OLD.received_at, 1, 10), coalesce(OLD.product, '')
            UNION ALL SELECT 'department', substr(OLD.received_at, 1, 10), coalesce(OLD.department, '')
            UNION ALL SELECT 'repeats', substr(OLD.received_at, 1, 10),
                CASE WHEN OLD.repeat_of IS NOT NULL THEN 'yes' END
            UNION ALL SELECT 'cause', substr(OLD.concluded_at, 1, 10), OLD.cause_category
            UNION ALL SELECT 'validity', substr(OLD.concluded_at, 1, 10), coalesce(OLD.validity, ''));
    INSERT INTO day_rollups (measure, day, key, n)
        SELECT measure, day, key, 1 FROM (SELECT 'category' AS measure, substr(NEW.received_at, 1, 10) AS day, coalesce(NEW.category, '') AS key
            UNION ALL SELECT 'channel', substr(NEW.received_at, 1, 10), coalesce(NEW.channel, '')
            UNION ALL SELECT 'severity', substr(NEW.received_at, 1, 10), coalesce(NEW.severity, '')
            UNION ALL SELECT 'product', substr(NEW.received_at, 1, 10), coalesce(NEW.product, '')
            UNION ALL SELECT 'department', substr(NEW.received_at, 1, 10), coalesce(NEW.department, '')
            UNION ALL SELECT 'repeats', substr(NEW.received_at, 1, 10),
                CASE WHEN NEW.repeat_of IS NOT NULL THEN 'yes' END
            UNION ALL SELECT 'cause', substr(NEW.concluded_at, 1, 10), NEW.cause_category
            UNION ALL SELECT 'validity', substr(NEW.concluded_at, 1, 10), coalesce(NEW.validity, ''))
        WHERE day IS NOT NULL AND key IS NOT NULL
        ON CONFLICT (measure, day, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER rollup_department_changed AFTER UPDATE OF department ON complaints
WHEN OLD.department IS NOT NEW.department
BEGIN
    UPDATE day_rollups SET n = n - s.done, ok = ok - s.on_time FROM (
        SELECT substr(done_at, 1, 10) AS done_day, count(*) AS done,
            sum(done_at <= due_at) AS on_time
        FROM stages WHERE complaint_id = OLD.id AND stage = 'resolve' AND outcome = 'done'
        GROUP BY 1) AS s
        WHERE measure = 'resolve_done' AND day = s.done_day
        AND key = coalesce(OLD.department, '');
    DELETE FROM day_rollups WHERE measure = 'resolve_done' AND n = 0
        AND key = coalesce(OLD.department, '') AND day IN (SELECT substr(done_at, 1, 10)
        FROM stages WHERE complaint_id = OLD.id AND stage = 'resolve' AND outcome = 'done');
    INSERT INTO day_rollups (measure, day, key, n, ok)
        SELECT 'resolve_done', substr(done_at, 1, 10), coalesce(NEW.department, ''),
            count(*), sum(done_at <= due_at)
        FROM stages WHERE complaint_id = NEW.id AND stage = 'resolve' AND outcome = 'done'
        GROUP BY 2
        ON CONFLICT (measure, day, key) DO UPDATE SET n = n + excluded.n, ok = ok + excluded.ok;
END;

CREATE TRIGGER rollup_handling_changed AFTER UPDATE OF received_at, category, department
    ON complaints
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.category IS NOT NEW.category
    OR OLD.department IS NOT NEW.department
BEGIN
    UPDATE handling_times SET days = julianday(at) - julianday(NEW.received_at),
        category = NEW.category, department = NEW.department
        WHERE complaint_id = NEW.id;
END;

CREATE TRIGGER rollup_resolution AFTER INSERT ON resolutions
BEGIN
    INSERT INTO handling_times (at, complaint_id, round, days, category, department)
        SELECT NEW.at, NEW.complaint_id, NEW.round, julianday(NEW.at) - julianday(c.received_at),
            c.category, c.department
        FROM complaints c WHERE c.id = NEW.complaint_id;
    UPDATE handling_times SET next_at = NEW.at
        WHERE complaint_id = NEW.complaint_id AND round = NEW.round - 1;
END;

CREATE TRIGGER rollup_stage_done AFTER INSERT ON stages
WHEN NEW.outcome = 'done'
BEGIN
    INSERT INTO day_rollups (measure, day, key, n, ok)
        SELECT measure, substr(NEW.done_at, 1, 10), key, 1, NEW.done_at <= NEW.due_at
        FROM (SELECT 'stage_done' AS measure, NEW.stage AS key
            UNION ALL SELECT 'resolve_done', CASE WHEN NEW.stage = 'resolve' THEN (SELECT
                coalesce(department, '') FROM complaints WHERE id = NEW.complaint_id) END)
        WHERE key IS NOT NULL
        ON CONFLICT (measure, day, key) DO UPDATE SET n = n + 1, ok = ok + excluded.ok;
END;

CREATE TRIGGER rollup_stage_changed AFTER UPDATE OF stage, done_at, due_at, outcome ON stages
WHEN OLD.outcome IS 'done' OR NEW.outcome IS 'done'
BEGIN
    UPDATE day_rollups SET n = n - 1, ok = ok - (OLD.done_at <= OLD.due_at)
        WHERE OLD.outcome = 'done' AND day = substr(OLD.done_at, 1, 10)
        AND (measure, key) IN (SELECT 'stage_done' AS measure, OLD.stage AS key
            UNION ALL SELECT 'resolve_done', CASE WHEN OLD.stage = 'resolve' THEN (SELECT
                coalesce(department, '') FROM complaints WHERE id = OLD.complaint_id) END);
    DELETE FROM day_rollups
        WHERE n = 0 AND OLD.outcome = 'done' AND day = substr(OLD.done_at, 1, 10)
        AND (measure, key) IN (SELECT 'stage_done' AS measure, OLD.stage AS key
            UNION ALL SELECT 'resolve_done', CASE WHEN OLD.stage = 'resolve' THEN (SELECT
                coalesce(department, '') FROM complaints WHERE id = OLD.complaint_id) END);
    INSERT INTO day_rollups (measure, day, key, n, ok)
        SELECT measure, substr(NEW.done_at, 1, 10), key, 1, NEW.done_at <= NEW.due_at
        FROM (SELECT 'stage_done' AS measure, NEW.stage AS key
            UNION ALL SELECT 'resolve_done', CASE WHEN NEW.stage = 'resolve' THEN (SELECT
                coalesce(department, '') FROM complaints WHERE id = NEW.complaint_id) END)
        WHERE NEW.outcome = 'done' AND key IS NOT NULL
        ON CONFLICT (measure, day, key) DO UPDATE SET n = n + 1, ok = ok + excluded.ok;
END;

-- The last contact with the customer (last_contact_at), kept on the complaint
-- (migration 16); `verify` recounts it.
CREATE TRIGGER last_contact_logged AFTER INSERT ON complaints
WHEN NEW.last_contact_at IS NULL
BEGIN
    UPDATE complaints SET last_contact_at = NEW.received_at WHERE id = NEW.id;
END;

CREATE TRIGGER last_contact_received AFTER UPDATE OF received_at ON complaints
WHEN OLD.received_at IS NOT NEW.received_at
BEGIN
    UPDATE complaints SET last_contact_at = max(NEW.received_at,
        coalesce((SELECT max(n.at) FROM notes n WHERE n.complaint_id = NEW.id
                  AND n.kind != 'internal'), ''),
        coalesce((SELECT max(v.at) FROM revisits v WHERE v.complaint_id = NEW.id), ''))
    WHERE id = NEW.id;
END;

CREATE TRIGGER last_contact_note AFTER INSERT ON notes
WHEN NEW.kind != 'internal'
BEGIN
    UPDATE complaints SET last_contact_at = NEW.at
    WHERE id = NEW.complaint_id AND last_contact_at < NEW.at;
END;

CREATE TRIGGER last_contact_revisit AFTER INSERT ON revisits
BEGIN
    UPDATE complaints SET last_contact_at = NEW.at
    WHERE id = NEW.complaint_id AND last_contact_at < NEW.at;
END;
