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
