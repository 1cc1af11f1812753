package kgp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// The kit applicationSync clientSecret (§5.2, §12.15, §14.7) is RSA-OAEP ciphertext made with the
// merchant's uploaded public key: SHA-256 as the OAEP digest and SHA-1 for MGF1, which is the
// JDK's "RSA/ECB/OAEPWithSHA-256AndMGF1Padding" default, sent as standard Base64. Keys travel as
// Base64 DER without PEM armour (X.509 SubjectPublicKeyInfo for the public key, PKCS#8 for the
// private key); PEM is accepted too.

// MinRSABits is the shortest RSA key KooGallery accepts for application credentials.
const MinRSABits = 3072

var oaepOptions = &rsa.OAEPOptions{Hash: crypto.SHA256, MGFHash: crypto.SHA1}

// EncryptClientSecret encrypts a clientSecret for the merchant's public key.
func EncryptClientSecret(pub *rsa.PublicKey, secret string) (string, error) {
	if pub.N.BitLen() < MinRSABits {
		return "", fmt.Errorf("kgp: RSA key is %d bits, at least %d required", pub.N.BitLen(), MinRSABits)
	}
	ct, err := rsa.EncryptOAEPWithOptions(rand.Reader, pub, []byte(secret), oaepOptions)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// DecryptClientSecret decrypts a clientSecret with the merchant's private key.
func DecryptClientSecret(priv *rsa.PrivateKey, value string) (string, error) {
	ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return "", fmt.Errorf("kgp: clientSecret is not Base64: %w", err)
	}
	pt, err := priv.Decrypt(nil, ct, oaepOptions)
	if err != nil {
		return "", errors.New("kgp: clientSecret does not decrypt with this key")
	}
	return string(pt), nil
}

// ParseRSAPrivateKey reads a PKCS#8 RSA private key given as Base64 DER or PEM.
func ParseRSAPrivateKey(s string) (*rsa.PrivateKey, error) {
	der, err := keyDER(s)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("kgp: private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("kgp: private key is not RSA")
	}
	return rk, nil
}

// ParseRSAPublicKey reads an X.509 SubjectPublicKeyInfo RSA public key given as Base64 DER or PEM.
func ParseRSAPublicKey(s string) (*rsa.PublicKey, error) {
	der, err := keyDER(s)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("kgp: public key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("kgp: public key is not RSA")
	}
	return rk, nil
}

// MarshalRSAPublicKey encodes a public key as KooGallery stores it: Base64 X.509 DER.
func MarshalRSAPublicKey(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

func keyDER(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		b, _ := pem.Decode([]byte(s))
		if b == nil {
			return nil, errors.New("kgp: malformed PEM key")
		}
		return b.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, fmt.Errorf("kgp: key is neither PEM nor Base64 DER: %w", err)
	}
	return der, nil
}
