package market

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in thousandths of the currency unit (KooGallery amounts have at most three
// decimals). It is never a float.
type Money int64

// MoneyScale is the number of decimals of Money.
const MoneyScale = 3

// Quantity is a usage amount in ten-thousandths (usage values have at most four decimals).
type Quantity int64

// QuantityScale is the number of decimals of Quantity.
const QuantityScale = 4

// ParseMoney reads "12.5", "-0.001" or "7" exactly; more than three decimals is an error.
func ParseMoney(s string) (Money, error) {
	v, err := parseFixed(s, MoneyScale)
	return Money(v), err
}

// ParseQuantity reads a usage amount with at most four decimals.
func ParseQuantity(s string) (Quantity, error) {
	v, err := parseFixed(s, QuantityScale)
	return Quantity(v), err
}

// String formats m with exactly three decimals: "12.500".
func (m Money) String() string { return formatFixed(int64(m), MoneyScale) }

// String formats q with exactly four decimals.
func (q Quantity) String() string { return formatFixed(int64(q), QuantityScale) }

// MarshalText writes the decimal form, so JSON carries "12.500", never a float.
func (m Money) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads the decimal form.
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	*m = v
	return err
}

// MarshalText writes the decimal form.
func (q Quantity) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText reads the decimal form.
func (q *Quantity) UnmarshalText(b []byte) error {
	v, err := ParseQuantity(string(b))
	*q = v
	return err
}

// Times multiplies m by an integer count, failing on overflow.
func (m Money) Times(n int64) (Money, error) {
	if n == 0 || m == 0 {
		return 0, nil
	}
	r := int64(m) * n
	if r/n != int64(m) {
		return 0, Errorf(CodeInvalid, "amount %s × %d overflows", m, n)
	}
	return Money(r), nil
}

func parseFixed(s string, scale int) (int64, error) {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, point := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || point && (frac == "" || !digits(frac)) {
		return 0, Errorf(CodeInvalid, "%q is not a decimal number", orig)
	}
	if len(frac) > scale {
		return 0, Errorf(CodeInvalid, "%q has more than %d decimals", orig, scale)
	}
	frac += strings.Repeat("0", scale-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, Errorf(CodeInvalid, "%q is out of range", orig)
	}
	if neg {
		v = -v
	}
	return v, nil
}

func formatFixed(v int64, scale int) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", uint64(-v)
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	return fmt.Sprintf("%s%s.%s", sign, s[:len(s)-scale], s[len(s)-scale:])
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaxTotal is the ceiling of a running usage sum (2^62 ten-thousandths, about 4.6e14 units):
// a sum that reaches it has stopped counting and is not billed (metering isolates it).
const MaxTotal Quantity = 1 << 62

// Plus adds two quantities, failing on overflow.
func (q Quantity) Plus(r Quantity) (Quantity, error) {
	s := q + r
	if (r > 0 && s < q) || (r < 0 && s > q) {
		return 0, Errorf(CodeInvalid, "quantity %s + %s overflows", q, r)
	}
	return s, nil
}

// Plus adds two amounts, failing on overflow.
func (m Money) Plus(n Money) (Money, error) {
	s := m + n
	if (n > 0 && s < m) || (n < 0 && s > m) {
		return 0, Errorf(CodeInvalid, "amount %s + %s overflows", m, n)
	}
	return s, nil
}

// MaxBalance bounds an account balance either way (a hundred trillion units): every ledger sum
// stays far from int64's edge, and a larger amount is refused instead of wrapping.
const MaxBalance Money = 100_000_000_000_000_000

// MaxAmount bounds one price, order or top-up (a trillion units).
const MaxAmount Money = 1_000_000_000_000_000

// Ledger entry kinds: every money movement of a buyer's account is one entry.
const (
	EntryTopUp     = "TOPUP"     // money in
	EntryPayment   = "PAYMENT"   // an order paid from the balance
	EntryRefund    = "REFUND"    // an order (or part of it) paid back
	EntryDeduction = "DEDUCTION" // a pay-per-use bill
)
