package kgp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
)

// Credential encryption (§3.7): appInfo.userName and appInfo.password (and, in 1.0, a buyer's
// mobile and email) travel as iv + Base64(AES-CBC-PKCS5(key, iv, plaintext)), where iv is 16
// alphanumeric ASCII characters and key is derived from the access key with Java's SHA1PRNG.

// EncryptType selects the AES key size; it is sent as the encryptType response field.
type EncryptType string

// The encryption types of §3.7.
const (
	EncryptAES256 EncryptType = "1" // the default
	EncryptAES128 EncryptType = "2"
)

// MaxCredentialLen is the longest encrypted userName or password KooGallery accepts, IV included.
const MaxCredentialLen = 128

const ivLen = 16

// keyBytes returns the AES key length for t; an empty type means the default, AES-256.
func (t EncryptType) keyBytes() (int, error) {
	switch t {
	case EncryptAES256, "":
		return 32, nil
	case EncryptAES128:
		return 16, nil
	}
	return 0, fmt.Errorf("kgp: unknown encryptType %q", string(t))
}

// SHA1PRNG returns the first n bytes of Java's "SHA1PRNG" SecureRandom seeded with seed before
// any output (sun.security.provider.SecureRandom), which is how Huawei's sample code turns an
// access key into an AES key.
func SHA1PRNG(seed []byte, n int) []byte {
	state := sha1.Sum(seed)
	out := make([]byte, 0, n+sha1.Size)
	for len(out) < n {
		block := sha1.Sum(state[:])
		out = append(out, block[:]...)
		// updateState: state = state + block + 1, little-endian over Java signed bytes.
		carry := 1
		changed := false
		for i := range state {
			v := int(int8(state[i])) + int(int8(block[i])) + carry
			t := byte(v)
			changed = changed || state[i] != t
			state[i] = t
			carry = v >> 8
		}
		if !changed {
			state[0]++
		}
	}
	return out[:n]
}

// CredentialKey derives the AES key for t from an access key.
func CredentialKey(accessKey string, t EncryptType) ([]byte, error) {
	n, err := t.keyBytes()
	if err != nil {
		return nil, err
	}
	return SHA1PRNG([]byte(accessKey), n), nil
}

// NewIV returns 16 random characters from [A-Za-z0-9].
func NewIV() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, ivLen)
	for i := range b {
		b[i] = alphabet[randIndex(len(alphabet))]
	}
	return string(b)
}

// randIndex draws uniformly from [0, n) by rejection, n <= 256.
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// EncryptCredential encrypts plaintext for an appInfo field with a random IV.
func EncryptCredential(accessKey string, t EncryptType, plaintext string) (string, error) {
	return EncryptCredentialIV(accessKey, t, NewIV(), plaintext)
}

// EncryptCredentialIV encrypts with the given IV, which must be 16 alphanumeric characters.
// It fails when the result would exceed MaxCredentialLen, as KooGallery would then fail the order.
func EncryptCredentialIV(accessKey string, t EncryptType, iv, plaintext string) (string, error) {
	if len(iv) != ivLen || !alphanumeric(iv) {
		return "", fmt.Errorf("kgp: IV must be %d characters from [A-Za-z0-9]", ivLen)
	}
	key, err := CredentialKey(accessKey, t)
	if err != nil {
		return "", err
	}
	block, _ := aes.NewCipher(key)
	padded := pkcs7Pad([]byte(plaintext), aes.BlockSize)
	cipher.NewCBCEncrypter(block, []byte(iv)).CryptBlocks(padded, padded)
	out := iv + base64.StdEncoding.EncodeToString(padded)
	if len(out) > MaxCredentialLen {
		return "", fmt.Errorf("kgp: encrypted value is %d characters, KooGallery accepts at most %d", len(out), MaxCredentialLen)
	}
	return out, nil
}

// DecryptCredential reverses EncryptCredential: the first 16 characters are the IV, the rest is
// Base64 ciphertext.
func DecryptCredential(accessKey string, t EncryptType, value string) (string, error) {
	if len(value) <= ivLen {
		return "", errors.New("kgp: encrypted value too short")
	}
	key, err := CredentialKey(accessKey, t)
	if err != nil {
		return "", err
	}
	ct, err := base64.StdEncoding.DecodeString(value[ivLen:])
	if err != nil {
		return "", fmt.Errorf("kgp: encrypted value: %w", err)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return "", errors.New("kgp: encrypted value is not whole AES blocks")
	}
	block, _ := aes.NewCipher(key)
	cipher.NewCBCDecrypter(block, []byte(value[:ivLen])).CryptBlocks(ct, ct)
	pt, err := pkcs7Unpad(ct, aes.BlockSize)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

func pkcs7Pad(b []byte, size int) []byte {
	n := size - len(b)%size
	return append(bytes.Clone(b), bytes.Repeat([]byte{byte(n)}, n)...)
}

// errBadPadding does not say which byte was wrong: padding errors must not become an oracle.
var errBadPadding = errors.New("kgp: wrong key or corrupt value (bad padding)")

func pkcs7Unpad(b []byte, size int) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > size || n > len(b) {
		return nil, errBadPadding
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, errBadPadding
		}
	}
	return b[:len(b)-n], nil
}

func alphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
