// Package fault holds tabane's application errors: an error that carries a code (not
// found, conflict, invalid with field paths, infeasible, limit, unavailable), so that
// the packages that find a problem say what kind it is and the HTTP edge
// (internal/api problem.go) maps the kind to a status in one place, as
// benbjohnson/wtf does. It imports nothing of ours, so any package may use it.
package fault

import "errors"

// Codes of application errors.
const (
	NotFound    = "not_found"   // the resource does not exist
	Conflict    = "conflict"    // the resource's state forbids the request
	Invalid     = "invalid"     // the input breaks a rule; Fields locate the problems
	Infeasible  = "infeasible"  // the model proves that no plan exists
	Limit       = "limit"       // a configured limit refuses the request; Limit names it
	Unavailable = "unavailable" // the service cannot take the request now (shutting down)
)

// Field is one problem of an input: where (a path such as params.max_value or
// variations[0].set, a line of a document) and what.
type Field struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	// Variation names the variation of a what-if batch the problem is in, if any.
	Variation string `json:"variation,omitempty"`
	// Also counts the other variations with the same problem.
	Also int `json:"also,omitempty"`
}

// Error is an application error with a code.
type Error struct {
	Code    string
	Message string
	// Fields are the problems of an invalid input.
	Fields []Field
	// Limit names the limit of a Limit error (e.g. max_queued_runs) and Max its value.
	Limit string
	Max   int
	// Err is the cause, if any.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message != "" {
		return e.Message + ": " + e.Err.Error()
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode is the code of e.
func (e *Error) ErrorCode() string { return e.Code }

// New is an error of code with a message.
func New(code, message string) *Error { return &Error{Code: code, Message: message} }

// Coder is any error that knows its code; *Error is one, and so may be errors of
// packages that cannot import this one.
type Coder interface{ ErrorCode() string }

// Code is the code of the first error in err's chain that has one; "" for none (an
// internal error).
func Code(err error) string {
	var c Coder
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}
