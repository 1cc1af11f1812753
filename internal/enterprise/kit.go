package enterprise

import (
	"context"
	"net/url"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Syncs as the enterprise administrator sees them, their retry, and what merchants upload and
// are told.

// Syncs lists a page of an enterprise's syncs, newest first, each with its call's state.
func (s *Service) Syncs(ctx context.Context, v market.Viewer, f store.SyncFilter) ([]*market.KitSync, store.Cursor, error) {
	if err := s.mayList(ctx, v, f.TenantID); err != nil {
		return nil, store.Cursor{}, err
	}
	return s.db.Syncs(ctx, f)
}

// RetrySync is the administrator's retry of a sync (§5): a failed one is sent again, a pending
// one at once. A sync still waiting for the syncs before it cannot be retried.
func (s *Service) RetrySync(ctx context.Context, v market.Viewer, tenantID, syncID string) (*market.KitSync, error) {
	if err := s.mayList(ctx, v, tenantID); err != nil {
		return nil, err
	}
	sy, err := s.db.Sync(ctx, syncID)
	if err != nil || sy.TenantID != tenantID {
		return nil, market.Errorf(market.CodeNotFound, "sync %s not found", syncID)
	}
	// The administrator acts on its own enterprise's call; fulfil knows only sellers and the
	// operator, so the call is restarted on the marketplace's behalf once visibility is settled.
	switch {
	case sy.State == market.SyncHeld:
		return nil, market.Errorf(market.CodeConflict, "sync %s waits for the syncs before it", syncID)
	case sy.CallState == market.CallFailed:
		_, err = s.calls.Restart(ctx, market.AsOperator(), sy.CallID)
	case sy.CallState == market.CallPending:
		_, err = s.calls.RetryNow(ctx, market.AsOperator(), sy.CallID)
	default:
		return nil, market.Errorf(market.CodeConflict, "sync %s succeeded; there is nothing to retry", syncID)
	}
	if err != nil {
		return nil, err
	}
	return s.db.Sync(ctx, syncID)
}

// KitKeyRequest uploads a merchant's RSA public key (Base64 X.509 DER or PEM, at least 3072
// bits) and the addresses its applications' logins may redirect to.
type KitKeyRequest struct {
	PublicKey    string   `json:"public_key"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
}

// PutKitKey stores a merchant's kit key: the merchant's seller admin or the operator.
func (s *Service) PutKitKey(ctx context.Context, v market.Viewer, merchantID string, r KitKeyRequest) (*market.KitKey, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID); err != nil {
		return nil, err
	}
	pub, err := kgp.ParseRSAPublicKey(r.PublicKey)
	if err != nil {
		return nil, market.Invalid("public_key", "public_key is not an RSA public key (Base64 X.509 DER or PEM): %v", err)
	}
	if pub.N.BitLen() < kgp.MinRSABits {
		return nil, market.Invalid("public_key", "public_key has %d bits; KooGallery requires at least %d", pub.N.BitLen(), kgp.MinRSABits)
	}
	if len(r.RedirectURIs) > 20 {
		return nil, market.Invalid("redirect_uris", "redirect_uris: at most 20")
	}
	for i, u := range r.RedirectURIs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.Fragment != "" || len(u) > 512 {
			return nil, market.Invalid("redirect_uris", "redirect_uris[%d]: %q is not an absolute http(s) address without fragment", i, u)
		}
	}
	canonical, err := kgp.MarshalRSAPublicKey(pub)
	if err != nil {
		return nil, err
	}
	k := &market.KitKey{MerchantID: merchantID, PublicKey: canonical, Bits: pub.N.BitLen(), RedirectURIs: r.RedirectURIs, UpdatedAt: s.clock.Now()}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, merchantID); err != nil {
			return err
		}
		return tx.PutKitKey(ctx, k)
	})
	return k, err
}

// KitKey returns a merchant's kit key.
func (s *Service) KitKey(ctx context.Context, v market.Viewer, merchantID string) (*market.KitKey, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	return s.db.KitKey(ctx, merchantID)
}

// Notices lists a page of failed-sync notices: a seller's merchant's, or the operator's choice.
func (s *Service) Notices(ctx context.Context, v market.Viewer, merchantID string, p store.Page) ([]*market.KitNotice, store.Cursor, error) {
	_, m, ok := v.Scope("", merchantID)
	if !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "notices are for sellers and the operator")
	}
	return s.db.KitNotices(ctx, m, p)
}
