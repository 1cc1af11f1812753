package catalog

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// MerchantUpdate changes a merchant; nil fields stay as they are. A new AccessKey or KitKey (or
// Rotate*, which generates one) rotates the key: the previous one keeps verifying answers to
// calls signed before for market.RotationGrace, and stored appInfo credentials are re-encrypted
// with the new access key.
type MerchantUpdate struct {
	Name            *string `json:"name,omitempty"`
	ProductionURL   *string `json:"production_url,omitempty"`
	Generation      *int    `json:"generation,omitempty"`
	RequireBodySign *bool   `json:"require_body_sign,omitempty"`
	AccessKey       *string `json:"access_key,omitempty"`
	KitKey          *string `json:"kit_key,omitempty"`
	RotateAccessKey bool    `json:"rotate_access_key,omitempty"`
	RotateKitKey    bool    `json:"rotate_kit_key,omitempty"`
}

// UpdateMerchant changes a merchant's profile, production interface or keys, at the request of
// the operator or the merchant's seller admin, and returns it as stored.
func (s *Service) UpdateMerchant(ctx context.Context, v market.Viewer, id string, u MerchantUpdate) (*market.Merchant, error) {
	if err := v.MustActAs("merchant", id, id); err != nil {
		return nil, err
	}
	if u.RotateAccessKey {
		k := market.NewSecret(32)
		u.AccessKey = &k
	}
	if u.RotateKitKey {
		k := market.NewSecret(32)
		u.KitKey = &k
	}
	var m *market.Merchant
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if m, err = tx.Merchant(ctx, id); err != nil {
			return err
		}
		old := *m
		if err := s.apply(m, u); err != nil {
			return err
		}
		if m.AccessKey != old.AccessKey || m.KitKey != old.KitKey {
			m.PreviousAccessKey, m.PreviousKitKey, m.KeysRotatedAt = old.AccessKey, old.KitKey, s.clock.Now()
		}
		if m.AccessKey != old.AccessKey {
			if err := reencrypt(ctx, tx, id, old.AccessKey, m.AccessKey); err != nil {
				return err
			}
		}
		return tx.UpdateMerchant(ctx, m)
	})
	return m, err
}

// apply checks and applies an update to m, every broken rule reported at once.
func (s *Service) apply(m *market.Merchant, u MerchantUpdate) error {
	var probs market.Problems
	if u.Name != nil {
		text(&probs, "name", *u.Name, 1, 100)
		m.Name = *u.Name
	}
	if u.ProductionURL != nil {
		if err := probs.Merge("production_url", "url", fulfil.ValidateURL(*u.ProductionURL, s.cfg.AllowInsecure)); err != nil {
			return err
		}
		m.ProductionURL = *u.ProductionURL
	}
	if u.Generation != nil {
		if *u.Generation != 1 && *u.Generation != 2 {
			probs.Add("generation", "enum", "generation must be 1 or 2")
		}
		m.Generation = *u.Generation
	}
	if u.RequireBodySign != nil {
		m.RequireBodySign = *u.RequireBodySign
	}
	for _, k := range []struct {
		name string
		v    *string
		dst  *string
	}{{"access_key", u.AccessKey, &m.AccessKey}, {"kit_key", u.KitKey, &m.KitKey}} {
		if k.v != nil {
			probs.Merge(k.name, "key", secret(k.name, *k.v, MinKeyLen))
			*k.dst = *k.v
		}
	}
	if m.AccessKey == m.KitKey {
		probs.Add("kit_key", "distinct-keys", "one key cannot be bound to both the basic and the kit interfaces")
	}
	return probs.Err()
}

// reencrypt re-encrypts the appInfo credentials stored for a merchant's instances from its old
// access key to its new one, so that they still open after the rotation.
func reencrypt(ctx context.Context, tx *store.Tx, merchantID, oldKey, newKey string) error {
	for page := (store.Page{Limit: store.MaxLimit}); ; {
		ins, next, err := tx.Instances(ctx, store.InstanceFilter{MerchantID: merchantID, Page: page})
		if err != nil {
			return err
		}
		for _, in := range ins {
			t := kgp.EncryptType(in.EncryptType)
			if t == "" || in.AppInfoJSON == nil {
				continue
			}
			var a kgp.AppInfo
			if err := json.Unmarshal(in.AppInfoJSON, &a); err != nil {
				continue // unreadable before the rotation too: nothing to carry over
			}
			for _, f := range []*string{&a.UserName, &a.Password} {
				if *f == "" {
					continue
				}
				plain, err := kgp.DecryptCredential(oldKey, t, *f)
				if err != nil {
					return fmt.Errorf("instance %s: credentials do not open with the old key: %w", in.Key, err)
				}
				if *f, err = kgp.EncryptCredential(newKey, t, plain); err != nil {
					return err
				}
			}
			if in.AppInfoJSON, err = json.Marshal(a); err != nil {
				return err
			}
			if _, err := tx.UpdateInstance(ctx, in, in.State); err != nil {
				return err
			}
		}
		if next.IsZero() {
			return nil
		}
		page.After = next
	}
}
