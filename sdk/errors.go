package sdk

import (
	"errors"
	"fmt"

	"github.com/mercato-oss/mercato/kgp"
)

// Error is a failure a Merchant method returns to answer KooGallery with a specific resultCode,
// such as kgp.ResultSoldOut (000106) or kgp.ResultEmailInvalid (000102). Any other error is
// answered with kgp.ResultInternalError (000005), which KooGallery retries.
type Error struct {
	Code    kgp.ResultCode
	Message string // sent as resultMsg: keep it free of secrets
}

// Errorf returns an *Error with a formatted message.
func Errorf(code kgp.ResultCode, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error implements error.
func (e *Error) Error() string { return "sdk: " + string(e.Code) + " " + e.Message }

// Errors a Merchant method may return, or wrap, for the common answers.
var (
	// ErrInstanceNotFound answers kgp.ResultInstanceNotFound (000003).
	ErrInstanceNotFound = errors.New("sdk: instance not found")
	// ErrNotImplemented answers kgp.ResultInternalError (000005) with a message saying that the
	// merchant does not support the activity; Unimplemented returns it.
	ErrNotImplemented = errors.New("sdk: not implemented by this merchant")
)

// resultOf maps a Merchant error to the resultCode and resultMsg KooGallery receives. Internal
// error texts are not sent: they may hold details the platform has no business seeing.
func resultOf(err error) (kgp.ResultCode, string) {
	if e, ok := errors.AsType[*Error](err); ok && len(e.Code) == 6 {
		return e.Code, e.Message
	}
	switch {
	case errors.Is(err, ErrInstanceNotFound):
		return kgp.ResultInstanceNotFound, "instance not found"
	case errors.Is(err, ErrNotImplemented):
		return kgp.ResultInternalError, "not supported by this merchant"
	}
	return kgp.ResultInternalError, "internal error"
}
