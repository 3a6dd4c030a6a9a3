-- 0004: what-if batches (issue 7) run by the server. SQLite cannot alter a CHECK constraint,
-- so batches is rebuilt: its status set becomes the one of runs (0002's 'succeeded' becomes
-- 'done'; 'interrupted' is a batch the server did not finish: crash or restart), its ids
-- become integers like run ids (the old text ids are renumbered by rowid), and it gains the
-- scenario it varies, the document as posted, its size and timings. The rows of a batch are
-- stored one per finished variation in batch_rows, so a cancelled or interrupted batch keeps
-- what it finished.

CREATE TABLE batches_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    scenario_id  INTEGER REFERENCES scenarios (id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
    spec         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(spec)), -- solver settings and variations, as expanded
    document     TEXT NOT NULL DEFAULT '',                            -- the batch document as posted (YAML or JSON)
    total        INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),       -- number of variations
    error        TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    started_at   TEXT,
    finished_at  TEXT
) STRICT;

INSERT INTO batches_new (name, status, spec, created_at, finished_at)
SELECT name, CASE status WHEN 'succeeded' THEN 'done' ELSE status END, spec, created_at, finished_at
FROM batches ORDER BY rowid;

DROP TABLE batches;
ALTER TABLE batches_new RENAME TO batches;
CREATE INDEX batches_by_status ON batches (status, id);

-- One finished variation of a batch: the whatif.Row (JSON) and the plan it found.
CREATE TABLE batch_rows (
    batch_id   INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL CHECK (idx >= 1), -- the variation's 1-based index in the batch
    row        TEXT NOT NULL CHECK (json_valid(row)),
    plan       TEXT CHECK (plan IS NULL OR json_valid(plan)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (batch_id, idx)
) STRICT;
