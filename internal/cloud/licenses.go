package cloud

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// License requests from the client (GetLicenseFileRequest, GetLicenseStringRequest): the
// marketplace checks the request against the buyer's instance, issues a license signed with its
// Ed25519 key and bound to the device's fingerprint, and records what the software reports after
// verifying it (LicenseVerifyNotify).

// KeyID names the license-signing key. One key serves every replica: the first to need it makes
// it and the others read it back (store.InsertSigningKey).
const KeyID = "license-v1"

// signer holds the signing key once read.
type signer struct {
	mu  sync.Mutex
	key ed25519.PrivateKey
}

// LicenseInput is a client's license request.
type LicenseInput struct {
	Kind     string            `json:"kind"`                // FILE or STRING
	FileName string            `json:"file_name,omitempty"` // FILE: the name the client stores it under
	Device   market.DeviceInfo `json:"device"`
}

// signingKey returns the license-signing key, making it on first use.
func (s *Service) signingKey(ctx context.Context) (ed25519.PrivateKey, error) {
	s.signer.mu.Lock()
	defer s.signer.mu.Unlock()
	if s.signer.key != nil {
		return s.signer.key, nil
	}
	priv, _, err := s.db.SigningKey(ctx, KeyID)
	if market.ErrorCode(err) == market.CodeNotFound {
		pub, key, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		enc := base64.StdEncoding
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertSigningKey(ctx, KeyID, enc.EncodeToString(key.Seed()), enc.EncodeToString(pub), s.clock.Now().UnixMilli())
		})
		if err == nil {
			priv, _, err = s.db.SigningKey(ctx, KeyID)
		}
	}
	if err != nil {
		return nil, err
	}
	seed, err := base64.StdEncoding.DecodeString(priv)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, market.Errorf(market.CodeInternal, "signing key %s is damaged", KeyID)
	}
	s.signer.key = ed25519.NewKeyFromSeed(seed)
	return s.signer.key, nil
}

// PublicKey returns the key licenses verify with, and its ID.
func (s *Service) PublicKey(ctx context.Context) (ed25519.PublicKey, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	return key.Public().(ed25519.PublicKey), nil
}

// RequestLicense issues a license for an instance of v's, bound to the device. The instance must
// be active; a trial instance needs a package that supports trials, and its license ends with
// the package's trial days.
func (s *Service) RequestLicense(ctx context.Context, v market.Viewer, key string, r LicenseInput) (*market.LicenseRequest, error) {
	dev := cloudfs.Device(r.Device)
	if err := dev.Check(); err != nil {
		return nil, market.Errorf(market.CodeInvalid, "%v", err)
	}
	switch r.Kind {
	case "STRING":
		if r.FileName != "" {
			return nil, market.Errorf(market.CodeInvalid, "file_name goes with kind FILE")
		}
	case "FILE":
		if err := cloudfs.CheckName(r.FileName); err != nil {
			return nil, market.Errorf(market.CodeInvalid, "file_name: %v", err)
		}
	default:
		return nil, market.Errorf(market.CodeInvalid, "kind must be FILE or STRING")
	}
	in, pkg, err := s.instance(ctx, s.db.Reader, v, key)
	if err != nil {
		return nil, err
	}
	if in.State != market.InstanceActive {
		return nil, market.Errorf(market.CodeConflict, "instance %s is %s: no license is issued for it", key, in.State)
	}
	expire := in.ExpireAt
	if in.Trial {
		if !pkg.TrialSupported {
			return nil, market.Errorf(market.CodeConflict, "instance %s is a trial, and its package does not support trials", key)
		}
		if end := in.CreatedAt.AddDate(0, 0, pkg.TrialDays); expire.IsZero() || end.Before(expire) {
			expire = end
		}
	}
	code := ""
	if in.Delivery == market.DeliveryLicense {
		codes, err := s.licenses.Licenses(ctx, v, key)
		if err != nil {
			return nil, err
		}
		if len(codes) > 0 {
			code = codes[0].Code
		}
	}
	priv, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	l := &market.LicenseRequest{ID: market.NewHexID(), InstanceKey: key, BuyerID: in.BuyerID, UserID: userOf(v), Kind: r.Kind,
		FileName: r.FileName, DeviceSHA256: dev.Hash(), IssuedAt: now, ExpireAt: expire}
	l.License, err = cloudfs.SignLicense(&cloudfs.License{ID: l.ID, KeyID: KeyID, Instance: key, ProductID: pkg.ProductID, SkuCode: in.SkuCode,
		LicenseCode: code, Buyer: in.BuyerID, User: l.UserID, Device: l.DeviceSHA256, Trial: in.Trial, IssuedAt: now.Unix(), ExpireAt: unix(expire)}, priv)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.InsertLicenseRequest(ctx, l) })
	return l, err
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// ReportVerification records what the software found when it verified its license
// (LicenseVerifyNotify): ok, or the error it met. The first report stands.
func (s *Service) ReportVerification(ctx context.Context, v market.Viewer, id string, ok bool, msg string) (*market.LicenseRequest, error) {
	if err := textField("error", msg, 0, 2000); err != nil {
		return nil, err
	}
	if ok && msg != "" {
		return nil, market.Errorf(market.CodeInvalid, "an error goes with a failed verification only")
	}
	var l *market.LicenseRequest
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if l, err = tx.LicenseRequest(ctx, id); err != nil {
			return err
		}
		if !v.IsOperator() && (v.Role != market.RoleBuyer || v.BuyerID != l.BuyerID || userOf(v) != l.UserID) {
			return market.Errorf(market.CodeNotFound, "license request %s not found", id)
		}
		first, err := tx.VerifyLicenseRequest(ctx, id, ok, msg, s.clock.Now().UnixMilli())
		if err != nil {
			return err
		}
		if !first {
			return market.Errorf(market.CodeConflict, "license request %s was already reported", id)
		}
		l, err = tx.LicenseRequest(ctx, id)
		return err
	})
	return l, err
}
