-- Reports count over whole years (year to date) and break a month down by six
-- fields: give those counts covering indexes, and record on each revisit the state it found, so that closings and
-- reopenings are counted from columns rather than from the events' JSON.

ALTER TABLE revisits ADD COLUMN from_status TEXT CHECK (from_status IN ('resolved', 'closed'));
UPDATE revisits SET from_status = (
    SELECT json_extract(e.old, '$.status') FROM events e
    WHERE e.complaint_id = revisits.complaint_id AND e.kind = 'revisit' AND e.at = revisits.at
    ORDER BY e.id LIMIT 1);

DROP INDEX revisits_at;
CREATE INDEX revisits_at ON revisits (at, from_status, satisfaction, complaint_id);
DROP INDEX resolutions_at;
CREATE INDEX resolutions_at ON resolutions (at, round, complaint_id);
DROP INDEX stages_done;
CREATE INDEX stages_done ON stages (done_at, stage, due_at, outcome, complaint_id)
    WHERE done_at IS NOT NULL;
CREATE INDEX complaints_received_void ON complaints (received_at, voided_at, category, channel,
    severity, department, product, customer, repeat_of);
-- Rare rows that correct the year's counts: closings, reopenings from closed,
-- second resolutions, voided complaints.
CREATE INDEX revisits_closing ON revisits (at)
    WHERE from_status = 'resolved' AND satisfaction != 'unsatisfied';
CREATE INDEX revisits_reopen_closed ON revisits (at)
    WHERE from_status = 'closed' AND satisfaction = 'unsatisfied';
CREATE INDEX resolutions_again ON resolutions (at, complaint_id, round) WHERE round > 1;
DROP INDEX resolutions_complaint;
CREATE INDEX resolutions_complaint ON resolutions (complaint_id, round, at);
CREATE INDEX complaints_voided ON complaints (received_at, voided_at) WHERE voided_at IS NOT NULL;
