-- Reports over long periods read each figure in one pass over an index that holds
-- what it needs (issue 16), instead of looking up every row of the period.
--
-- Handling times in the order of their days, by category, by department and over
-- all: a long report reads a group's count, sum, median and p90 in index order
-- (the table's key, with `at`, is in every index), without sorting the period.
CREATE INDEX IF NOT EXISTS handling_times_category ON handling_times (category, days, next_at);
CREATE INDEX IF NOT EXISTS handling_times_department ON handling_times (department, days, next_at);
CREATE INDEX IF NOT EXISTS handling_times_days ON handling_times (days, next_at);

-- What was late at a report's cut-off and done after it: only the stages and CAPA
-- items done late, not everything done since the cut-off.
CREATE INDEX IF NOT EXISTS stages_done_late ON stages (done_at, due_at, started_at)
    WHERE done_at > due_at;
CREATE INDEX IF NOT EXISTS actions_done_late ON actions (done_at, due_at) WHERE done_at > due_at;

-- Revisits of a period: the closing ones are tallied per day (day_tallies); the
-- others, the unsatisfied, and the reopening ones (by complaint) each have a small index.
CREATE INDEX IF NOT EXISTS revisits_reopened ON revisits (at, complaint_id)
    WHERE to_status = 'investigating';
CREATE INDEX IF NOT EXISTS revisits_not_closing ON revisits (at)
    WHERE from_status IS NOT 'resolved' OR to_status IS NOT 'closed';
CREATE INDEX IF NOT EXISTS revisits_unsatisfied ON revisits (at) WHERE satisfaction = 'unsatisfied';

-- The voided complaints of a period with what a report counts them by (few: the
-- rollups count them too, and a report takes them out again).
DROP INDEX IF EXISTS complaints_voided;
CREATE INDEX complaints_voided ON complaints (received_at, voided_at, category, channel,
    severity, product, department, customer, repeat_of) WHERE voided_at IS NOT NULL;

-- Returns: the period's sums read from the index alone (same names, more columns).
DROP INDEX IF EXISTS returns_opened;
CREATE INDEX returns_opened ON returns (opened_at, authorised_qty);
DROP INDEX IF EXISTS return_receipts_return;
CREATE INDEX return_receipts_return ON return_receipts (return_id, at, qty);
DROP INDEX IF EXISTS return_receipts_at;
CREATE INDEX return_receipts_at ON return_receipts (at, return_id, qty);
-- (each disposition action's span of a period, without sorting the period)
CREATE INDEX IF NOT EXISTS return_dispositions_action ON return_dispositions (action, at, qty,
    cost_of_loss, repair_cost);
