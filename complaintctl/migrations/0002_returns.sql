-- Returned goods (客退品 / RMA): SPEC section 4.

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
    result TEXT CHECK (result IN ('defect-confirmed', 'no-defect-found', 'customer-damage')),
    defective_qty INTEGER CHECK (defective_qty >= 0),
    cause TEXT,
    inspection_note TEXT,
    disposed_qty INTEGER NOT NULL DEFAULT 0
        CHECK (disposed_qty >= 0 AND disposed_qty <= received_qty),
    cost_of_loss INTEGER NOT NULL DEFAULT 0 CHECK (cost_of_loss >= 0),
    repair_cost INTEGER NOT NULL DEFAULT 0 CHECK (repair_cost >= 0),
    closed_at TEXT,
    stage TEXT NOT NULL CHECK (stage IN ('authorised', 'received', 'inspected',
        'dispositioned', 'closed')),
    last_step_at TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX returns_complaint ON returns (complaint_id);
CREATE INDEX returns_open ON returns (opened_at) WHERE closed_at IS NULL;

CREATE TABLE return_receipts (
    id INTEGER PRIMARY KEY,
    return_id TEXT NOT NULL REFERENCES returns (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    qty INTEGER NOT NULL CHECK (qty > 0),
    note TEXT
);
CREATE INDEX return_receipts_return ON return_receipts (return_id);

CREATE TABLE return_dispositions (
    id INTEGER PRIMARY KEY,
    return_id TEXT NOT NULL REFERENCES returns (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('rework', 'repair', 'scrap', 'restock',
        'discount-sale', 'return-to-customer', 'return-to-supplier')),
    qty INTEGER NOT NULL CHECK (qty > 0),
    cost_of_loss INTEGER NOT NULL DEFAULT 0 CHECK (cost_of_loss >= 0),
    repair_cost INTEGER NOT NULL DEFAULT 0 CHECK (repair_cost >= 0),
    note TEXT
);
CREATE INDEX return_dispositions_return ON return_dispositions (return_id);

ALTER TABLE events ADD COLUMN return_id TEXT REFERENCES returns (id);
CREATE INDEX events_return ON events (return_id) WHERE return_id IS NOT NULL;

CREATE TRIGGER returns_no_delete BEFORE DELETE ON returns
BEGIN SELECT RAISE(ABORT, 'returns are never deleted'); END;
