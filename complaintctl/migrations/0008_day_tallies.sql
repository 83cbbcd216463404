-- The year-to-date figures of a report count most of a year of complaints,
-- resolutions and closing revisits. Keep a count of each per UTC day, so a
-- report adds up to 365 tallies instead of stepping through hundreds of
-- thousands of index entries. Derived data: the triggers below keep it with
-- every write (the demo's bulk write too).

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
WHEN NEW.from_status = 'resolved' AND NEW.satisfaction != 'unsatisfied'
BEGIN
    INSERT INTO day_tallies (measure, day, n) VALUES ('closing_revisits', substr(NEW.at, 1, 10), 1)
        ON CONFLICT (measure, day) DO UPDATE SET n = n + 1;
END;

INSERT INTO day_tallies (measure, day, n)
    SELECT 'received', substr(received_at, 1, 10), count(*) FROM complaints GROUP BY 1, 2;
INSERT INTO day_tallies (measure, day, n)
    SELECT 'resolutions', substr(at, 1, 10), count(*) FROM resolutions GROUP BY 1, 2;
INSERT INTO day_tallies (measure, day, n)
    SELECT 'closing_revisits', substr(at, 1, 10), count(*) FROM revisits
    WHERE from_status = 'resolved' AND satisfaction != 'unsatisfied' GROUP BY 1, 2;
