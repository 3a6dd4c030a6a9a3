-- 0003: scenarios get participation overrides, region assignments and an asset filter; runs
-- become the persisted job queue of internal/jobs. SQLite cannot alter a CHECK constraint, so
-- runs (and plans, which reference runs and would otherwise be emptied by ON DELETE CASCADE
-- when the old runs table is dropped) are rebuilt: create new, copy, drop, rename.
-- Status 'succeeded' of 0002 becomes 'done'; 'interrupted' is new (a run the server did not
-- finish: crash or restart). Run ids become integers (the old text ids are renumbered by rowid).

ALTER TABLE scenarios ADD COLUMN participation TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(participation));
ALTER TABLE scenarios ADD COLUMN regions TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(regions));
ALTER TABLE scenarios ADD COLUMN filter TEXT CHECK (filter IS NULL OR json_valid(filter));
ALTER TABLE scenarios ADD COLUMN updated_at TEXT;

CREATE TABLE runs_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    scenario_id  INTEGER REFERENCES scenarios (id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
    seed         INTEGER NOT NULL DEFAULT 1,
    time_limit_s REAL NOT NULL DEFAULT 10 CHECK (time_limit_s > 0),
    params       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),       -- the run request as given
    instance     TEXT CHECK (instance IS NULL OR json_valid(instance)),      -- the solver instance, frozen at submission
    progress     TEXT CHECK (progress IS NULL OR json_valid(progress)),      -- last progress snapshot
    summary      TEXT CHECK (summary IS NULL OR json_valid(summary)),        -- totals of the final plan
    cost         REAL,
    lower_bound  REAL,
    error        TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    started_at   TEXT,
    finished_at  TEXT,
    old_id       TEXT -- the 0002 text id, kept for the copy of plans below
) STRICT;

INSERT INTO runs_new (scenario_id, status, cost, lower_bound, error, created_at, started_at, finished_at, old_id)
SELECT scenario_id, CASE status WHEN 'succeeded' THEN 'done' ELSE status END,
       cost, lower_bound, error, created_at, started_at, finished_at, id
FROM runs ORDER BY rowid;

CREATE TABLE plans_new (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER REFERENCES runs_new (id) ON DELETE CASCADE,
    name       TEXT NOT NULL DEFAULT '',
    plan       TEXT NOT NULL CHECK (json_valid(plan)),
    cost       REAL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

INSERT INTO plans_new (id, run_id, name, plan, cost, created_at)
SELECT p.id, r.id, p.name, p.plan, p.cost, p.created_at
FROM plans p LEFT JOIN runs_new r ON r.old_id = p.run_id;

DROP TABLE plans;
DROP TABLE runs;
ALTER TABLE runs_new DROP COLUMN old_id;
-- RENAME also rewrites plans_new's foreign key to name runs.
ALTER TABLE runs_new RENAME TO runs;
ALTER TABLE plans_new RENAME TO plans;

CREATE INDEX runs_by_status ON runs (status, id);
CREATE INDEX runs_by_scenario ON runs (scenario_id, id);
CREATE INDEX plans_by_run ON plans (run_id);
