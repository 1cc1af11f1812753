package catalog

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Key management (protocol §3.1), for a merchant's admins and the operator.

// Interfaces a key is bound to: the basic interfaces (signatures, Body-Sign, the appInfo cipher,
// usage push) and the joint-operation kit interfaces. One key is never bound to both.
const (
	InterfaceBasic = "basic"
	InterfaceKit   = "kit"
)

// RotateKey binds a fresh key to one interface type of a merchant and returns it (shown once),
// as UpdateMerchant does: calls already queued are signed with the new key from their next
// attempt on, and the previous key keeps verifying answers for market.RotationGrace.
func (s *Service) RotateKey(ctx context.Context, v market.Viewer, merchantID, iface string) (string, error) {
	var u MerchantUpdate
	switch iface {
	case InterfaceBasic:
		u.RotateAccessKey = true
	case InterfaceKit:
		u.RotateKitKey = true
	default:
		return "", market.Invalid("interface", "interface must be basic or kit")
	}
	m, err := s.UpdateMerchant(ctx, v, merchantID, u)
	if err != nil {
		return "", err
	}
	if iface == InterfaceBasic {
		return m.AccessKey, nil
	}
	return m.KitKey, nil
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
