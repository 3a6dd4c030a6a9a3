package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/tabane/tabane/data"
)

// Failed authentication, per client address: a wrong token (Authorization or the sign-in
// form) spends one of AuthFailureBurst attempts, given back one per authFailureEvery. An
// ended session does not: a page left open fires several requests with its stale cookie
// at once, and must still reach /login. With none left every credential from that address is refused (429)
// until one is given back, a right one too, so that guessing cannot go on by telling the
// two apart. Requests without a credential are not counted (rate_limit bounds them).
const (
	DefaultAuthFailureBurst = 10
	authFailureEvery        = 6 * time.Second // 10 a minute
	// authFailureForget drops an address that has not failed for this long.
	authFailureForget = 10 * time.Minute
)

// DefaultCredentialRecheck is how often an open event stream checks that its token (or
// session) is still live; a revoked one ends the stream.
const DefaultCredentialRecheck = 5 * time.Second

// failureLimiter is the per-address budget of failed authentications.
type failureLimiter struct {
	burst int
	mu    sync.Mutex
	by    map[string]*failureBudget
}

type failureBudget struct {
	lim  *rate.Limiter
	last time.Time
}

func newFailureLimiter(burst int) *failureLimiter {
	if burst <= 0 {
		burst = DefaultAuthFailureBurst
	}
	return &failureLimiter{burst: burst, by: map[string]*failureBudget{}}
}

// blocked reports whether addr has no attempt left, and when the next comes back.
func (f *failureLimiter) blocked(addr string, now time.Time) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.by[addr]
	if b == nil {
		return false, 0
	}
	left := b.lim.TokensAt(now)
	if left >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - left) * float64(authFailureEvery))
}

// fail spends one attempt of addr.
func (f *failureLimiter) fail(addr string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.by) > 10_000 { // many addresses: forget the quiet ones
		for a, b := range f.by {
			if now.Sub(b.last) > authFailureForget {
				delete(f.by, a)
			}
		}
	}
	b := f.by[addr]
	if b == nil {
		b = &failureBudget{lim: rate.NewLimiter(rate.Every(authFailureEvery), f.burst)}
		f.by[addr] = b
	}
	b.last = now
	b.lim.AllowN(now, 1)
}

// refuseBlocked answers 429 when the client's address has spent its failed attempts.
func (s *Server) refuseBlocked(c echo.Context) error {
	blocked, wait := s.sec.authFails.blocked(c.RealIP(), time.Now())
	if !blocked {
		return nil
	}
	secs := int(wait.Seconds() + 0.999)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return refuse(c, limitProblem{Problem: Problem{Type: ProblemRateLimited, Title: "Too many failed sign-ins",
		Status: http.StatusTooManyRequests,
		Detail: fmt.Sprintf("auth_failures: %d failed authentications from %s; one more attempt every %s, the next in %d s",
			s.sec.authFails.burst, c.RealIP(), authFailureEvery, secs)},
		Limit: "auth_failures", Burst: s.sec.authFails.burst, RatePerSecond: 1 / authFailureEvery.Seconds()})
}

// lookup is the live token of a credential: an API token, or the page's session.
func (s *Server) lookup(ctx context.Context, secret string, fromCookie bool) (data.Token, error) {
	if fromCookie {
		return s.store.SessionToken(ctx, secret)
	}
	return s.store.TokenBySecret(ctx, secret)
}

// watchCredential ends ctx when the credential stops being live (its token or session
// revoked or expired), checking every CredentialRecheck: event streams run for as long
// as a run does and must not outlive the right to see it.
func (s *Server) watchCredential(ctx context.Context, secret string, fromCookie bool) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	every := s.sec.opt.CredentialRecheck
	if every <= 0 {
		every = DefaultCredentialRecheck
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := s.lookup(ctx, secret, fromCookie); errors.Is(err, data.ErrTokenInvalid) {
					s.log.Info("event stream closed: its credential was revoked or expired")
					cancel()
					return
				}
			}
		}
	}()
	return ctx, cancel
}
