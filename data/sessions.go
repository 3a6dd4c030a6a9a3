package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SessionPrefix starts every session secret (the page's cookie), so that it is never
// taken for an API token.
const SessionPrefix = "tbs_"

// CreateSession opens a session of the page for a live token, valid for lifetime, and
// returns its secret (stored only as its hash) and its expiry.
func (s *Store) CreateSession(ctx context.Context, tokenID int64, lifetime time.Duration) (string, time.Time, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("session secret: %w", err)
	}
	secret := SessionPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	now := time.Now()
	expires := now.Add(lifetime)
	// Ended sessions serve nothing: drop them as new ones come.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, tokenTime(now)); err != nil {
		return "", time.Time{}, fmt.Errorf("create session: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sessions (session_hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		HashToken(secret), tokenID, tokenTime(now), tokenTime(expires)); err != nil {
		return "", time.Time{}, fmt.Errorf("create session: %w", err)
	}
	return secret, expires, nil
}

// SessionToken is the token of a live session: ErrTokenInvalid when the secret matches
// no session, or the session has expired or was revoked, or its token was revoked.
func (s *Store) SessionToken(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, SessionPrefix) {
		return Token{}, ErrTokenInvalid
	}
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT t.id, t.name, t.role, t.hint, t.created_at, t.last_used_at, t.revoked_at
		FROM sessions s JOIN api_tokens t ON t.id = s.token_id
		WHERE s.session_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND t.revoked_at IS NULL`,
		HashToken(secret), tokenTime(time.Now())))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrTokenInvalid
	}
	if err != nil {
		return Token{}, fmt.Errorf("session lookup: %w", err)
	}
	return t, nil
}

// RevokeSession ends a session (sign-out); an unknown or ended one is no error.
func (s *Store) RevokeSession(ctx context.Context, secret string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE session_hash = ? AND revoked_at IS NULL`,
		tokenTime(time.Now()), HashToken(secret)); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}
