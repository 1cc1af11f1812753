package identity

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
)

// Passwords are people's, unlike tokens: short and guessable enough that a plain hash would
// fall to a dictionary. They are stored as PBKDF2-HMAC-SHA256 with a random salt and the
// iteration count in the stored form, so that raising the count later still verifies old ones.

// DefaultPasswordIterations is OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
const DefaultPasswordIterations = 600_000

// hashPassword returns the stored form of a password.
func hashPassword(password string, iterations int) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkPassword reports whether password matches a stored form, in constant time.
func checkPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	n, err := strconv.Atoi(parts[1])
	enc := base64.RawStdEncoding
	salt, serr := enc.DecodeString(parts[2])
	want, werr := enc.DecodeString(parts[3])
	if err != nil || serr != nil || werr != nil || n < 1 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, n, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// checkPasswordRule refuses a password too short or too plain: 10 to 128 characters with
// letters and digits.
func checkPasswordRule(field, p string) error {
	n := utf8.RuneCountInString(p)
	var letter, digit bool
	for _, r := range p {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	if n < 10 || n > 128 || !letter || !digit {
		return market.Invalid(field, "a password is 10 to 128 characters with letters and digits")
	}
	return nil
}
