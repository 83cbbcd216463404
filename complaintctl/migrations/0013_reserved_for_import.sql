-- Placeholder: migration 13 belongs to the "import" work (source keys, import batches).
-- This empty step only keeps the numbering without a gap on the rollups branch; when
-- both are merged, the import's 0013 replaces this file.
SELECT 1;
