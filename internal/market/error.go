// Package market holds what every part of the marketplace shares: the domain types (merchants,
// products, orders, instances, merchant calls), exact money and quantities, IDs, the injected
// clock and the one error type. It imports nothing from the rest of the module.
package market

import (
	"errors"
	"fmt"
)

// Code classifies an Error. Each edge maps codes to its own dialect: an HTTP status for the JSON
// API, a resultCode for the production interface, an error_code for the open API.
type Code string

// Error codes.
const (
	CodeInvalid      Code = "invalid"      // the request is malformed or breaks a rule
	CodeNotFound     Code = "not_found"    // the thing does not exist, or is not visible to the caller
	CodeConflict     Code = "conflict"     // the thing exists, or its state forbids the change
	CodeUnauthorized Code = "unauthorized" // missing or bad credentials or signature
	CodeForbidden    Code = "forbidden"    // authenticated, but not allowed to touch this
	CodePayment      Code = "payment"      // the buyer's balance does not cover the payment
	CodeTooMany      Code = "too_many"     // the caller is sending too much; slow down
	CodeMethod       Code = "method"       // the path exists, but not with this method
	CodeUnavailable  Code = "unavailable"  // a dependency is down; retry later
	CodeInternal     Code = "internal"     // a bug or an unexpected failure
)

// Error is the one error type of the marketplace: a code and a message fit for the caller, and
// for a rejected field of a request, the field's path ("specs[0].plans[1].price").
type Error struct {
	Code    Code
	Message string
	Field   string
	// Details lists every rule a request broke when there were several (listing validation
	// reports them all at once rather than one per submit); Field and Message are the first.
	Details []FieldError
}

// FieldError is one broken rule: the field's path, the rule's name and what is wrong.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Problems gathers the rules a request breaks, so that all of them are reported together.
// The zero value is ready to use.
type Problems struct {
	list []FieldError
}

// Add records that field broke rule.
func (p *Problems) Add(field, rule, format string, args ...any) {
	p.list = append(p.list, FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// Len is how many rules were broken.
func (p *Problems) Len() int { return len(p.list) }

// Merge adds the rules err broke: its details, or err itself as one rule of field (when err is
// a plain *Error without a field of its own). Other errors are returned for the caller to fail with.
func (p *Problems) Merge(field, rule string, err error) error {
	if err == nil {
		return nil
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Code != CodeInvalid {
		return err
	}
	if len(e.Details) > 0 {
		p.list = append(p.list, e.Details...)
		return nil
	}
	f := e.Field
	if f == "" {
		f = field
	}
	p.list = append(p.list, FieldError{Field: f, Rule: rule, Message: e.Message})
	return nil
}

// Err returns nil when no rule was broken, and otherwise one CodeInvalid error carrying them all.
func (p *Problems) Err() error {
	switch len(p.list) {
	case 0:
		return nil
	case 1:
		f := p.list[0]
		return &Error{Code: CodeInvalid, Message: f.Message, Field: f.Field, Details: p.list}
	}
	f := p.list[0]
	return &Error{Code: CodeInvalid, Message: fmt.Sprintf("%d rules are broken; the first: %s", len(p.list), f.Message),
		Field: f.Field, Details: p.list}
}

// ErrorDetails returns the broken rules an error carries, if any.
func ErrorDetails(err error) []FieldError {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Details
	}
	return nil
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a CodeInvalid error about one field of a request.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Message: fmt.Sprintf(format, args...), Field: field}
}

// ErrorField returns the field an error is about, if any.
func ErrorField(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and CodeInternal otherwise.
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the caller-facing message of err; internal errors get a generic text so
// that nothing about the server's insides leaks.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "internal error"
}
