-- 0006: the page's sessions. POST /login used to keep the API token itself in the browser's
-- cookie, and /logout only cleared the cookie: a copied cookie stayed valid as long as the
-- token. A session is a random secret of its own, stored as its SHA-256 (hex) only, tied to
-- the token that signed in, with an expiry; /logout revokes it, and revoking the token ends
-- every session of it (a session counts only while its token is live).
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    session_hash TEXT    NOT NULL UNIQUE,
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX sessions_token ON sessions (token_id);
