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
CREATE TABLE IF NOT EXISTS day_rollups (
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
CREATE TABLE IF NOT EXISTS handling_times (
    at TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    days REAL NOT NULL,
    category TEXT,
    department TEXT,
    next_at TEXT,
    PRIMARY KEY (at, complaint_id, round)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS handling_times_complaint ON handling_times (complaint_id);

CREATE TRIGGER IF NOT EXISTS rollup_complaint_logged AFTER INSERT ON complaints
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

CREATE TRIGGER IF NOT EXISTS rollup_complaint_changed AFTER UPDATE OF received_at, category, channel,
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

CREATE TRIGGER IF NOT EXISTS rollup_department_changed AFTER UPDATE OF department ON complaints
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

CREATE TRIGGER IF NOT EXISTS rollup_handling_changed AFTER UPDATE OF received_at, category, department
    ON complaints
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.category IS NOT NEW.category
    OR OLD.department IS NOT NEW.department
BEGIN
    UPDATE handling_times SET days = julianday(at) - julianday(NEW.received_at),
        category = NEW.category, department = NEW.department
        WHERE complaint_id = NEW.id;
END;

CREATE TRIGGER IF NOT EXISTS rollup_resolution AFTER INSERT ON resolutions
BEGIN
    INSERT INTO handling_times (at, complaint_id, round, days, category, department)
        SELECT NEW.at, NEW.complaint_id, NEW.round, julianday(NEW.at) - julianday(c.received_at),
            c.category, c.department
        FROM complaints c WHERE c.id = NEW.complaint_id;
    UPDATE handling_times SET next_at = NEW.at
        WHERE complaint_id = NEW.complaint_id AND round = NEW.round - 1;
END;

CREATE TRIGGER IF NOT EXISTS rollup_stage_done AFTER INSERT ON stages
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

CREATE TRIGGER IF NOT EXISTS rollup_stage_changed AFTER UPDATE OF stage, done_at, due_at, outcome ON stages
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

-- What the ledger holds already (from scratch: the step can be run again).
DELETE FROM day_rollups;
DELETE FROM handling_times;
INSERT INTO day_rollups (measure, day, key, n)
    SELECT 'category', substr(received_at, 1, 10), coalesce(category, ''), count(*)
    FROM complaints GROUP BY 2, 3
    UNION ALL SELECT 'channel', substr(received_at, 1, 10), coalesce(channel, ''), count(*)
    FROM complaints GROUP BY 2, 3
    UNION ALL SELECT 'severity', substr(received_at, 1, 10), coalesce(severity, ''), count(*)
    FROM complaints GROUP BY 2, 3
    UNION ALL SELECT 'product', substr(received_at, 1, 10), coalesce(product, ''), count(*)
    FROM complaints GROUP BY 2, 3
    UNION ALL SELECT 'department', substr(received_at, 1, 10), coalesce(department, ''),
    count(*) FROM complaints GROUP BY 2, 3
    UNION ALL SELECT 'repeats', substr(received_at, 1, 10), 'yes', count(*)
    FROM complaints WHERE repeat_of IS NOT NULL GROUP BY 2
    UNION ALL SELECT 'cause', substr(concluded_at, 1, 10), cause_category, count(*)
    FROM complaints WHERE concluded_at IS NOT NULL AND cause_category IS NOT NULL GROUP BY 2, 3
    UNION ALL SELECT 'validity', substr(concluded_at, 1, 10), coalesce(validity, ''), count(*)
    FROM complaints WHERE concluded_at IS NOT NULL GROUP BY 2, 3;
INSERT INTO day_rollups (measure, day, key, n, ok)
    SELECT 'stage_done', substr(done_at, 1, 10), stage, count(*), sum(done_at <= due_at)
    FROM stages WHERE outcome = 'done' GROUP BY 2, 3
    UNION ALL SELECT 'resolve_done', substr(s.done_at, 1, 10), coalesce(c.department, ''),
    count(*), sum(s.done_at <= s.due_at)
    FROM stages s JOIN complaints c ON c.id = s.complaint_id
    WHERE s.stage = 'resolve' AND s.outcome = 'done' GROUP BY 2, 3;
INSERT INTO handling_times (at, complaint_id, round, days, category, department, next_at)
    SELECT r.at, r.complaint_id, r.round, julianday(r.at) - julianday(c.received_at),
        c.category, c.department, (SELECT x.at FROM resolutions x WHERE x.complaint_id =
        r.complaint_id AND x.round = r.round + 1)
    FROM resolutions r JOIN complaints c ON c.id = r.complaint_id;
