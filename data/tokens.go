package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is what an API token may do; each role includes the ones before it:
// viewer < planner < admin (the route table is in internal/api/auth.go).
type Role string

// Roles.
const (
	RoleViewer  Role = "viewer"
	RolePlanner Role = "planner"
	RoleAdmin   Role = "admin"
)

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleViewer, RolePlanner, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("role must be viewer, planner or admin, found %q", s)
}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RolePlanner:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Includes reports whether r may do what need may do.
func (r Role) Includes(need Role) bool { return r.rank() > 0 && r.rank() >= need.rank() }

// TokenPrefix starts every token secret, so that a leaked one is easy to recognise
// (secret scanners, logs).
const TokenPrefix = "tbn_"

// tokenHintLen is how many characters of the secret (after the prefix) a list shows.
const tokenHintLen = 6

// Token is an API token as stored: never its secret.
type Token struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	Role       Role    `json:"role"`
	Hint       string  `json:"hint"` // tbn_ and the secret's first characters, then "…"
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
}

// Revoked reports whether the token has been revoked.
func (t Token) Revoked() bool { return t.RevokedAt != nil }

// ErrTokenInvalid is the answer of TokenBySecret for a secret that matches no token or a
// revoked one (the two are not told apart).
var ErrTokenInvalid = errors.New("invalid or revoked API token")

// HashToken is the stored form of a secret: the hex SHA-256 of the whole string. A
// secret holds 256 random bits, so a fast unsalted hash is enough: nothing can be
// guessed from it.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newTokenSecret is TokenPrefix and 32 random bytes in unpadded base64url (43 characters).
func newTokenSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token secret: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

const tokenColumns = `id, name, role, hint, created_at, last_used_at, revoked_at`

func scanToken(sc interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var used, revoked sql.NullString
	if err := sc.Scan(&t.ID, &t.Name, &t.Role, &t.Hint, &t.CreatedAt, &used, &revoked); err != nil {
		return Token{}, err
	}
	if used.Valid {
		t.LastUsedAt = &used.String
	}
	if revoked.Valid {
		t.RevokedAt = &revoked.String
	}
	return t, nil
}

// CreateToken stores a new token and returns it with its secret, which exists only in
// this answer: the database keeps its hash.
func (s *Store) CreateToken(ctx context.Context, name string, role Role) (Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Token{}, "", fmt.Errorf("create token: a name is required")
	}
	if role.rank() == 0 {
		return Token{}, "", fmt.Errorf("create token: role must be viewer, planner or admin, found %q", role)
	}
	secret, err := newTokenSecret()
	if err != nil {
		return Token{}, "", err
	}
	hint := secret[:len(TokenPrefix)+tokenHintLen] + "…"
	row := s.db.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, scopes, role, hint)
		VALUES (?, ?, ?, ?, ?) RETURNING `+tokenColumns, name, HashToken(secret), string(role), string(role), hint)
	t, err := scanToken(row)
	if err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// Tokens lists every token, revoked ones included, by id.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Token is one token by id (ErrNotFound).
func (s *Store) Token(ctx context.Context, id int64) (Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("token %d: %w", id, err)
	}
	return t, nil
}

// RevokeToken revokes a token at once: the next request with its secret is refused.
// Revoking a revoked token keeps its first revocation time; an unknown id is ErrNotFound.
func (s *Store) RevokeToken(ctx context.Context, id int64) (Token, error) {
	if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		tokenTime(time.Now()), id); err != nil {
		return Token{}, fmt.Errorf("revoke token %d: %w", id, err)
	}
	return s.Token(ctx, id)
}

// TokenBySecret finds the live token of a secret (ErrTokenInvalid when there is none or
// it is revoked). Only the hash is compared, by the database's unique index.
func (s *Store) TokenBySecret(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return Token{}, ErrTokenInvalid
	}
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE token_hash = ? AND revoked_at IS NULL`, HashToken(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrTokenInvalid
	}
	if err != nil {
		return Token{}, fmt.Errorf("token lookup: %w", err)
	}
	return t, nil
}

// TouchToken records that a token was used at t.
func (s *Store) TouchToken(ctx context.Context, id int64, t time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, tokenTime(t), id); err != nil {
		return fmt.Errorf("touch token %d: %w", id, err)
	}
	return nil
}

// CountLiveTokens is the number of tokens not revoked.
func (s *Store) CountLiveTokens(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL`).Scan(&n)
	return n, err
}

// tokenTime is t as the RFC 3339 UTC text of the schema's timestamps.
func tokenTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
