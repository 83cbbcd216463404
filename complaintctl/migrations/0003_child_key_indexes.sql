-- Child keys without an index make SQLite scan the child table on every
-- parent insert or lookup: repeat links and the stages of a return.

CREATE INDEX complaints_repeat_of ON complaints (repeat_of) WHERE repeat_of IS NOT NULL;
CREATE INDEX stages_return ON stages (return_id) WHERE return_id IS NOT NULL;
