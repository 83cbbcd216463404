-- Indexes that let every report figure read only its period's rows.

CREATE INDEX events_kind_at ON events (kind, at);
CREATE INDEX resolutions_at ON resolutions (at);
CREATE INDEX revisits_at ON revisits (at);
CREATE INDEX stages_done ON stages (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX complaints_concluded ON complaints (concluded_at) WHERE concluded_at IS NOT NULL;
CREATE INDEX actions_created ON actions (created_at);
CREATE INDEX actions_done ON actions (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX actions_verified ON actions (verified_at) WHERE verified_at IS NOT NULL;
CREATE INDEX actions_open_due ON actions (due_at) WHERE done_at IS NULL;
CREATE INDEX returns_opened ON returns (opened_at);
CREATE INDEX return_receipts_at ON return_receipts (at);
CREATE INDEX return_dispositions_at ON return_dispositions (at);
