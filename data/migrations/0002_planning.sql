-- 0002: what planning needs — scenarios, solve runs, plans, what-if batches, API tokens.
-- Deliberately small: later issues add columns with new migrations. Timestamps are RFC 3339 UTC text.

-- A scenario is a named set of parameters applied to the inventory for one fiscal year.
CREATE TABLE scenarios (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    params      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)), -- solver.Params JSON
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- A run is one asynchronous solve.
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    scenario_id INTEGER REFERENCES scenarios (id) ON DELETE SET NULL,
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress    REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    cost        REAL,
    lower_bound REAL,
    error       TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    started_at  TEXT,
    finished_at TEXT
) STRICT;
CREATE INDEX runs_by_status ON runs (status, created_at);

-- A plan is a solver.Plan (JSON) produced by a run or stored by hand.
CREATE TABLE plans (
    id         INTEGER PRIMARY KEY,
    run_id     TEXT REFERENCES runs (id) ON DELETE CASCADE,
    name       TEXT NOT NULL DEFAULT '',
    plan       TEXT NOT NULL CHECK (json_valid(plan)),
    cost       REAL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX plans_by_run ON plans (run_id);

-- A batch is a set of what-if variations run together.
CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    spec        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(spec)),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    finished_at TEXT
) STRICT;

-- API tokens: only a hash of the secret is stored.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;
