package enterprise

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// Passwords are typed by people, so they are stretched: PBKDF2-SHA256 (the standard library's)
// with a random salt. Client secrets and tokens are long random strings, for which one SHA-256
// is enough and keeps lookups by hash possible.

const passwordIterations = 100_000

// HashPassword returns the stored form of a password: "pbkdf2-sha256$iterations$salt$hash".
func HashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	return formatHash(passwordIterations, salt, password)
}

func formatHash(iter int, salt []byte, password string) string {
	key, _ := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(iter) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

// dummyHash is compared against when a user does not exist, so that a wrong user name costs as
// long as a wrong password and the login page does not tell which users exist.
var dummyHash = formatHash(passwordIterations, make([]byte, 16), "no such user")

// CheckPassword reports whether password matches stored ("" — no user, or no password — never
// matches, in the same time as a mismatch).
func CheckPassword(stored, password string) bool {
	ok := stored != ""
	if !ok {
		stored = dummyHash
	}
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	salt, err2 := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || err2 != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	match := subtle.ConstantTimeCompare([]byte(formatHash(iter, salt, password)), []byte(stored)) == 1
	return ok && match
}

// HashSecret is how client secrets are stored: SHA-256, hex.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// SecretMatches compares a presented client secret with a stored hash in constant time.
func SecretMatches(storedHash, secret string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(storedHash)) == 1
}
