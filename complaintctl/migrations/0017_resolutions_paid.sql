-- What a period paid or credited its customers (refunds, discounts, compensation):
-- the resolutions with an amount, read by the report from this small index alone.
CREATE INDEX IF NOT EXISTS resolutions_paid ON resolutions (at, disposition, amount)
    WHERE amount IS NOT NULL;
