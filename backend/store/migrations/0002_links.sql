-- Short share links: a content-addressed id for a redacted scenario. The
-- same table as links.Schema, which the link store's own tests use.
CREATE TABLE IF NOT EXISTS links (
    id TEXT PRIMARY KEY,
    scenario TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
