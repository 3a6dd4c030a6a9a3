-- 0005: API tokens get a role (viewer < planner < admin, see internal/api/auth.go) and a
-- hint: the first characters of the secret, so that a list can tell tokens apart without
-- holding anything that lets one in. token_hash stays the SHA-256 (hex) of the whole
-- secret; the secret itself is shown once, at creation, and stored nowhere.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'viewer'
    CHECK (role IN ('viewer', 'planner', 'admin'));
ALTER TABLE api_tokens ADD COLUMN hint TEXT NOT NULL DEFAULT '';
