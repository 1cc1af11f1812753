package order

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// AppInfo returns an instance's login information as v may see it, its credentials decrypted
// with the merchant's key (encryptType absent means they came in plaintext, protocol §14.4). It
// returns nil when the merchant sent none yet.
func (s *Service) AppInfo(ctx context.Context, v market.Viewer, in *market.Instance) (*kgp.AppInfo, error) {
	if err := v.Check("instance", in.Key, in.BuyerID, in.MerchantID); err != nil {
		return nil, err
	}
	if in.AppInfoJSON == nil {
		return nil, nil
	}
	var a kgp.AppInfo
	if err := json.Unmarshal(in.AppInfoJSON, &a); err != nil {
		return nil, fmt.Errorf("stored appInfo is not JSON: %w", err)
	}
	t := kgp.EncryptType(in.EncryptType)
	if t == "" {
		return &a, nil
	}
	m, err := s.db.Merchant(ctx, in.MerchantID)
	if err != nil {
		return nil, err
	}
	for _, f := range []*string{&a.UserName, &a.Password} {
		if *f == "" {
			continue
		}
		if *f, err = kgp.DecryptCredential(m.AccessKey, t, *f); err != nil {
			return nil, market.Errorf(market.CodeConflict, "credentials do not decrypt: %v", err)
		}
	}
	return &a, nil
}
