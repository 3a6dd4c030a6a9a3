package data

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func openTokenStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "tabane.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestTokenLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTokenStore(t)
	tok, secret, err := s.CreateToken(ctx, " ci ", RolePlanner)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^tbn_[A-Za-z0-9_-]{43}$`).MatchString(secret) {
		t.Fatalf("secret %q is not tbn_ and 43 base64url characters", secret)
	}
	if tok.Name != "ci" || tok.Role != RolePlanner || tok.Hint != secret[:10]+"…" || tok.LastUsedAt != nil || tok.Revoked() {
		t.Fatalf("created token = %+v", tok)
	}
	// Only the hash is stored: no column holds the secret.
	var stored, scopes string
	if err := s.DB().QueryRowContext(ctx, `SELECT token_hash, scopes FROM api_tokens WHERE id = ?`, tok.ID).Scan(&stored, &scopes); err != nil {
		t.Fatal(err)
	}
	if stored != HashToken(secret) || len(stored) != 64 || strings.Contains(stored, secret[4:]) || scopes != "planner" {
		t.Fatalf("stored hash %q scopes %q", stored, scopes)
	}
	got, err := s.TokenBySecret(ctx, secret)
	if err != nil || got.ID != tok.ID || got.Role != RolePlanner {
		t.Fatalf("TokenBySecret = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "tbn_", secret + "x", secret[:len(secret)-1], strings.TrimPrefix(secret, "tbn_"), HashToken(secret)} {
		if _, err := s.TokenBySecret(ctx, bad); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("TokenBySecret(%q) error = %v, want ErrTokenInvalid", bad, err)
		}
	}
	at := time.Date(2026, 4, 1, 9, 30, 0, 0, time.FixedZone("JST", 9*3600))
	if err := s.TouchToken(ctx, tok.ID, at); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Token(ctx, tok.ID); got.LastUsedAt == nil || *got.LastUsedAt != "2026-04-01T00:30:00Z" {
		t.Fatalf("last_used_at = %v", got.LastUsedAt)
	}
	if n, _ := s.CountLiveTokens(ctx); n != 1 {
		t.Fatalf("live tokens = %d, want 1", n)
	}
	rev, err := s.RevokeToken(ctx, tok.ID)
	if err != nil || !rev.Revoked() {
		t.Fatalf("RevokeToken = %+v, %v", rev, err)
	}
	if _, err := s.TokenBySecret(ctx, secret); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("a revoked token still answers: %v", err)
	}
	again, err := s.RevokeToken(ctx, tok.ID)
	if err != nil || *again.RevokedAt != *rev.RevokedAt {
		t.Fatalf("revoking twice = %+v, %v; want the first revocation kept", again, err)
	}
	if _, err := s.RevokeToken(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown = %v, want ErrNotFound", err)
	}
	if n, _ := s.CountLiveTokens(ctx); n != 0 {
		t.Fatalf("live tokens = %d, want 0", n)
	}
	list, err := s.Tokens(ctx)
	if err != nil || len(list) != 1 || list[0].ID != tok.ID || !list[0].Revoked() {
		t.Fatalf("Tokens = %+v, %v", list, err)
	}
}

func TestCreateTokenRefusals(t *testing.T) {
	ctx := context.Background()
	s := openTokenStore(t)
	if _, _, err := s.CreateToken(ctx, "  ", RoleAdmin); err == nil {
		t.Error("a blank name was accepted")
	}
	if _, _, err := s.CreateToken(ctx, "x", Role("root")); err == nil {
		t.Error("role root was accepted")
	}
	// The schema refuses a role the code does not know, whoever writes it.
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO api_tokens (name, token_hash, role) VALUES ('x', 'h', 'root')`); err == nil {
		t.Error("the schema accepted role root")
	}
	a, sa, _ := s.CreateToken(ctx, "a", RoleViewer)
	b, sb, _ := s.CreateToken(ctx, "a", RoleViewer)
	if a.ID == b.ID || sa == sb {
		t.Fatalf("two tokens share an id or a secret: %d %d", a.ID, b.ID)
	}
}

func TestRoleIncludes(t *testing.T) {
	roles := []Role{RoleViewer, RolePlanner, RoleAdmin}
	for i, have := range roles {
		for j, need := range roles {
			if got := have.Includes(need); got != (i >= j) {
				t.Errorf("%s.Includes(%s) = %v", have, need, got)
			}
		}
	}
	if Role("").Includes(RoleViewer) || Role("root").Includes(RoleViewer) {
		t.Error("an unknown role includes viewer")
	}
	if r, err := ParseRole(" Admin "); err != nil || r != RoleAdmin {
		t.Errorf("ParseRole(Admin) = %q, %v", r, err)
	}
	if _, err := ParseRole("owner"); err == nil {
		t.Error("ParseRole(owner) accepted")
	}
}
