package fault

import (
	"errors"
	"fmt"
	"testing"
)

// codeOnly is an error of another package that knows its code without importing fault.
type codeOnly struct{}

func (codeOnly) Error() string     { return "bad instance" }
func (codeOnly) ErrorCode() string { return Invalid }

// TestCode: the code is found through wrapping, on *Error and on any Coder; an error
// without one has "" (an internal error); Error keeps message and cause.
func TestCode(t *testing.T) {
	notFound := New(NotFound, "not found")
	for _, tc := range []struct {
		err       error
		code, msg string
	}{
		{fmt.Errorf("run 7: %w", notFound), NotFound, "run 7: not found"},
		{fmt.Errorf("submit: %w", codeOnly{}), Invalid, "submit: bad instance"},
		{&Error{Code: Limit, Message: "queue full", Err: errors.New("5 waiting")}, Limit, "queue full: 5 waiting"},
		{&Error{Code: Conflict, Err: errors.New("ended")}, Conflict, "ended"},
		{errors.New("disk full"), "", "disk full"},
	} {
		if got := Code(tc.err); got != tc.code || tc.err.Error() != tc.msg {
			t.Errorf("%v: code %q, want %q; message %q, want %q", tc.err, got, tc.code, tc.err.Error(), tc.msg)
		}
	}
	if !errors.Is(fmt.Errorf("x: %w", notFound), notFound) {
		t.Error("a wrapped sentinel is not found by errors.Is")
	}
}
