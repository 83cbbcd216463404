-- The Pareto of causes counts the complaints concluded without a cause category (a
-- register imported without one, an investigation typed with --cause alone, a
-- not-upheld decision without one) under (none); a long period counts them from this
-- index alone.
-- (A migration that rebuilt complaints from the current schema made it already.)
DROP INDEX IF EXISTS complaints_uncategorised;
CREATE INDEX complaints_uncategorised ON complaints (concluded_at)
    WHERE concluded_at IS NOT NULL AND cause_category IS NULL;
