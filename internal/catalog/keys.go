package catalog

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Key management (protocol §3.1), for a merchant's admins and the operator.

// Interfaces a key is bound to: the basic interfaces (signatures, Body-Sign, the appInfo cipher,
// usage push) and the joint-operation kit interfaces. One key is never bound to both.
const (
	InterfaceBasic = "basic"
	InterfaceKit   = "kit"
)

// RotateKey binds a fresh key to one interface type of a merchant and returns it (shown once).
// Calls already queued are signed with the new key from their next attempt on.
func (s *Service) RotateKey(ctx context.Context, v market.Viewer, merchantID, iface string) (string, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID); err != nil {
		return "", err
	}
	if iface != InterfaceBasic && iface != InterfaceKit {
		return "", market.Invalid("interface", "interface must be basic or kit")
	}
	key := market.NewSecret(32)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		m, err := tx.Merchant(ctx, merchantID)
		if err != nil {
			return err
		}
		if iface == InterfaceBasic {
			m.AccessKey = key
		} else {
			m.KitKey = key
		}
		return tx.SetMerchantKeys(ctx, m.ID, m.AccessKey, m.KitKey)
	})
	return key, err
}

// APIKeys lists a merchant's AK/SK pairs, for its admins and finance users (who read usage
// with them) and the operator.
func (s *Service) APIKeys(ctx context.Context, v market.Viewer, merchantID string) ([]*market.APIKey, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID, market.SellerFinance); err != nil {
		return nil, err
	}
	return s.db.APIKeysOf(ctx, merchantID)
}

// DeleteAPIKey revokes one AK/SK pair; a merchant keeps at least one.
func (s *Service) DeleteAPIKey(ctx context.Context, v market.Viewer, merchantID, ak string) error {
	if err := v.MustActAs("merchant", merchantID, merchantID); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		keys, err := tx.APIKeysOf(ctx, merchantID)
		if err != nil {
			return err
		}
		if len(keys) == 1 && keys[0].AK == ak {
			return market.Errorf(market.CodeConflict, "a merchant keeps at least one AK/SK pair: issue another first")
		}
		ok, err := tx.DeleteAPIKey(ctx, merchantID, ak)
		if err == nil && !ok {
			err = market.Errorf(market.CodeNotFound, "access key %s not found", ak)
		}
		return err
	})
}

// SetRSAPublicKey stores the RSA public key (PEM, PKIX or PKCS #1, at least 3072 bits) the
// marketplace encrypts joint-operation application secrets with (protocol §3.1, §5.2).
func (s *Service) SetRSAPublicKey(ctx context.Context, v market.Viewer, merchantID, pemText string) error {
	if err := v.MustActAs("merchant", merchantID, merchantID); err != nil {
		return err
	}
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return market.Invalid("public_key", "public_key is not a PEM block")
	}
	var pub *rsa.PublicKey
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		pub, _ = k.(*rsa.PublicKey)
	} else if k, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
		pub = k
	}
	if pub == nil {
		return market.Invalid("public_key", "public_key is not an RSA public key")
	}
	if pub.N.BitLen() < kgp.MinRSABits {
		return market.Invalid("public_key", "the RSA key has %d bits; at least %d are required", pub.N.BitLen(), kgp.MinRSABits)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, merchantID); err != nil {
			return err
		}
		return tx.SetRSAPublicKey(ctx, merchantID, string(pem.EncodeToMemory(block)), pub.N.BitLen(), s.clock.Now())
	})
}

// RSAPublicKey returns a merchant's RSA public key (PEM), "" if none was uploaded.
func (s *Service) RSAPublicKey(ctx context.Context, v market.Viewer, merchantID string) (string, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID, market.SellerOperations); err != nil {
		return "", err
	}
	k, _, err := s.db.RSAPublicKey(ctx, merchantID)
	return k, err
}
