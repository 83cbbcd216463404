-- Record on each revisit the state it left the complaint in (workflow decides it
-- when the revisit is written), so that reports, partial indexes and day tallies
-- count closings and reopenings from the states a revisit went from and to,
-- instead of each deriving them again from the satisfaction word.

ALTER TABLE revisits ADD COLUMN to_status TEXT
    CHECK (to_status = 'closed' OR to_status = 'investigating');
-- Every revisit so far moved the complaint by this table (workflow.py since the first
-- version): satisfied or basically satisfied closed it, unsatisfied reopened it.
UPDATE revisits SET to_status = CASE satisfaction WHEN 'unsatisfied' THEN 'investigating'
    ELSE 'closed' END;

DROP INDEX revisits_at;
CREATE INDEX revisits_at ON revisits (at, from_status, to_status, satisfaction, complaint_id);
DROP INDEX revisits_closing;
CREATE INDEX revisits_closing ON revisits (at)
    WHERE from_status = 'resolved' AND to_status = 'closed';
DROP INDEX revisits_reopen_closed;
CREATE INDEX revisits_reopen_closed ON revisits (at)
    WHERE from_status = 'closed' AND to_status = 'investigating';

DROP TRIGGER tally_closing_revisits;
CREATE TRIGGER tally_closing_revisits AFTER INSERT ON revisits
WHEN NEW.from_status = 'resolved' AND NEW.to_status = 'closed'
BEGIN
    INSERT INTO day_tallies (measure, day, n) VALUES ('closing_revisits', substr(NEW.at, 1, 10), 1)
        ON CONFLICT (measure, day) DO UPDATE SET n = n + 1;
END;
