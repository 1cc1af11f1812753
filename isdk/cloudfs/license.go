package cloudfs

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// A license the marketplace issues to a client (GetLicenseFileRequest, GetLicenseStringRequest)
// is "MLIC1.<payload>.<signature>": the payload JSON and its Ed25519 signature, both base64url
// without padding. The client verifies it offline with the marketplace's public key, and checks
// that it was issued for its own device.

// LicensePrefix starts every license.
const LicensePrefix = "MLIC1."

// MaxDevice is the most bytes a device fingerprint's JSON may take (rules §10, #33).
const MaxDevice = 5 * 1024

// Device is a license request's device fingerprint: the serials that bind a license to one
// machine. Each field may list several values (several network cards), comma-separated.
type Device struct {
	MAC       string `json:"mac"`
	Disk      string `json:"disk"`
	Mainboard string `json:"mainboard"`
	CPU       string `json:"cpu"`
}

// Check validates a fingerprint: every serial present, at most MaxDevice bytes in all.
func (d Device) Check() error {
	for _, f := range []struct{ name, v string }{{"mac", d.MAC}, {"disk", d.Disk}, {"mainboard", d.Mainboard}, {"cpu", d.CPU}} {
		if strings.TrimSpace(f.v) == "" {
			return errorf("device fingerprint: %s serial is missing", f.name)
		}
	}
	b, _ := json.Marshal(d) // four strings always marshal
	if len(b) > MaxDevice {
		return errorf("device fingerprint is %d bytes, more than %d", len(b), MaxDevice)
	}
	return nil
}

// Hash is the fingerprint's SHA-256 (lowercase hex) over its trimmed, upper-cased fields, so
// that "aa:bb" and "AA:BB " name one machine. Licenses carry this, not the serials.
func (d Device) Hash() string {
	norm := func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
	sum := sha256.Sum256([]byte(norm(d.MAC) + "\n" + norm(d.Disk) + "\n" + norm(d.Mainboard) + "\n" + norm(d.CPU)))
	return hex.EncodeToString(sum[:])
}

// License is a license's signed content.
type License struct {
	ID          string `json:"id"` // the license request
	KeyID       string `json:"kid"`
	Instance    string `json:"instance"`
	ProductID   string `json:"product_id"`
	SkuCode     string `json:"sku_code"`
	LicenseCode string `json:"license_code,omitempty"` // the instance's license code, when it has one
	Buyer       string `json:"buyer"`
	User        string `json:"user"`
	Device      string `json:"device_sha256"`
	Trial       bool   `json:"trial,omitempty"`
	IssuedAt    int64  `json:"issued_at"`           // Unix seconds
	ExpireAt    int64  `json:"expire_at,omitempty"` // Unix seconds; 0: does not expire
}

// SignLicense encodes and signs l.
func SignLicense(l *License, key ed25519.PrivateKey) (string, error) {
	payload, err := json.Marshal(l)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return LicensePrefix + enc.EncodeToString(payload) + "." + enc.EncodeToString(ed25519.Sign(key, payload)), nil
}

// VerifyLicense checks a license's signature with the marketplace's public key and, when device
// is given, that it was issued for that device and has not expired at now.
func VerifyLicense(s string, pub ed25519.PublicKey, device *Device, now time.Time) (*License, error) {
	rest, ok := strings.CutPrefix(s, LicensePrefix)
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return nil, errorf("not a license")
	}
	payload, err := base64.RawURLEncoding.DecodeString(p64)
	if err != nil {
		return nil, errorf("license payload: %v", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(s64)
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, payload, sig) {
		return nil, errorf("license signature does not verify")
	}
	var l License
	if err := json.Unmarshal(payload, &l); err != nil {
		return nil, errorf("license payload: %v", err)
	}
	if device != nil && l.Device != device.Hash() {
		return nil, errorf("license was issued for another device")
	}
	if l.ExpireAt != 0 && now.Unix() >= l.ExpireAt {
		return nil, errorf("license expired at %s", time.Unix(l.ExpireAt, 0).UTC().Format(time.RFC3339))
	}
	return &l, nil
}
