-- The year's count of complaints resolved subtracts every later round whose
-- round before fell in the same span. Keep on each later round when the round
-- before it was resolved, so that count reads one small index instead of
-- looking up the round before, row by row.

ALTER TABLE resolutions ADD COLUMN previous_at TEXT;
UPDATE resolutions SET previous_at = (
    SELECT p.at FROM resolutions p
    WHERE p.complaint_id = resolutions.complaint_id AND p.round = resolutions.round - 1)
WHERE round > 1;

DROP INDEX resolutions_again;
CREATE INDEX resolutions_again ON resolutions (at, previous_at) WHERE round > 1;

-- `overdue` reads every late open stage: let the index of open stages answer
-- with what it shows, without a lookup of each stage row.
DROP INDEX stages_open;
CREATE INDEX stages_open ON stages (due_at, complaint_id, return_id, stage, round, done_at)
    WHERE done_at IS NULL;
