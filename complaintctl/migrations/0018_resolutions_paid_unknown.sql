-- What a period paid: also the refunds, discounts and compensation recorded without
-- an amount (an imported register's), so that the report counts them instead of
-- leaving them out; still read from this index alone.
DROP INDEX IF EXISTS resolutions_paid;
CREATE INDEX resolutions_paid ON resolutions (at, disposition, amount)
    WHERE amount IS NOT NULL OR disposition IN ('refund', 'discount', 'compensation');
