package marketplacetest

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
)

// Must returns a function that passes a service's result through and fails the test on its
// error: Must[*market.Order](t)(e.Orders.Purchase(...)).
func Must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// WantCode fails the test unless err has code; what says what was tried.
func WantCode(t testing.TB, err error, code market.Code, what string) {
	t.Helper()
	if market.ErrorCode(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}
