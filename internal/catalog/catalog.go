// Package catalog manages what is sold: merchants with their keys and production interfaces,
// products, specs (skuCode) and plans (one KooGallery productId per spec × period type, with an
// exact price). The publishing review workflow builds on it; here the operator creates directly.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config is the catalog's part of the site's configuration.
type Config struct {
	// AllowInsecure accepts plain-HTTP and loopback production URLs (sandbox, tests).
	AllowInsecure bool
	// Currency is the site's currency, given to every plan.
	Currency string
}

// Service creates and reads the catalog.
type Service struct {
	db    *store.DB
	clock market.Clock
	cfg   Config
}

// New returns the catalog service.
func New(db *store.DB, clock market.Clock, cfg Config) (*Service, error) {
	if db == nil || clock == nil {
		return nil, errors.New("catalog: New needs a database and a clock")
	}
	if len(cfg.Currency) != 3 {
		return nil, fmt.Errorf("catalog: currency %q is not a 3-letter code", cfg.Currency)
	}
	return &Service{db: db, clock: clock, cfg: cfg}, nil
}

// MerchantRequest creates a merchant. Empty keys and IDs are generated.
type MerchantRequest struct {
	ID              string `json:"id,omitempty"`
	Name            string `json:"name"`
	ProductionURL   string `json:"production_url"`
	Generation      int    `json:"generation,omitempty"`
	AccessKey       string `json:"access_key,omitempty"`
	KitKey          string `json:"kit_key,omitempty"`
	RequireBodySign bool   `json:"require_body_sign,omitempty"`
	// AK and SK set the first open-API key pair (the sandbox uses fixed ones).
	AK string `json:"ak,omitempty"`
	SK string `json:"sk,omitempty"`
}

// NewMerchant is a created merchant with its first AK/SK pair.
type NewMerchant struct {
	Merchant *market.Merchant
	Key      *market.APIKey
}

// CreateMerchant validates and stores a merchant and issues its first AK/SK.
func (s *Service) CreateMerchant(ctx context.Context, v market.Viewer, r MerchantRequest) (*NewMerchant, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	var probs market.Problems
	text(&probs, "name", r.Name, 1, 100)
	if r.Generation == 0 {
		r.Generation = 2
	}
	if r.Generation != 1 && r.Generation != 2 {
		probs.Add("generation", "enum", "generation must be 1 or 2")
	}
	if err := probs.Merge("production_url", "url", fulfil.ValidateURL(r.ProductionURL, s.cfg.AllowInsecure)); err != nil {
		return nil, err
	}
	r.AccessKey, r.KitKey = orSecret(r.AccessKey, 32), orSecret(r.KitKey, 32)
	if r.AccessKey == r.KitKey {
		probs.Add("kit_key", "distinct-keys", "one key cannot be bound to both the basic and the kit interfaces")
	}
	if r.ID == "" {
		r.ID = "m-" + strings.ToLower(market.NewSecret(12))
	}
	probs.Merge("id", "id", ID("id", r.ID))
	for _, f := range []struct{ name, v string }{{"access_key", r.AccessKey}, {"kit_key", r.KitKey}} {
		probs.Merge(f.name, "key", secret(f.name, f.v, MinKeyLen))
	}
	if r.AK != "" {
		probs.Merge("ak", "id", ID("ak", r.AK))
	}
	if r.SK != "" {
		probs.Merge("sk", "key", secret("sk", r.SK, MinKeyLen))
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	m := &market.Merchant{ID: r.ID, Name: r.Name, ProductionURL: r.ProductionURL, Generation: r.Generation, AccessKey: r.AccessKey,
		KitKey: r.KitKey, RequireBodySign: r.RequireBodySign, CreatedAt: now}
	k := &market.APIKey{AK: orSecret(r.AK, 20), SK: orSecret(r.SK, 40), MerchantID: m.ID, CreatedAt: now}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, m.ID); err == nil {
			return market.Errorf(market.CodeConflict, "merchant %s exists", m.ID)
		}
		if _, err := tx.APIKey(ctx, k.AK); err == nil {
			return &market.Error{Code: market.CodeConflict, Message: "ak " + k.AK + " is taken; leave it empty to have one generated", Field: "ak"}
		}
		return errors.Join(tx.InsertMerchant(ctx, m), tx.InsertAPIKey(ctx, k))
	})
	if err != nil {
		return nil, err
	}
	return &NewMerchant{Merchant: m, Key: k}, nil
}

// IssueKey gives a merchant another AK/SK pair, at the request of the operator or one of the
// merchant's seller admins.
func (s *Service) IssueKey(ctx context.Context, v market.Viewer, merchantID string) (*market.APIKey, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID); err != nil {
		return nil, err
	}
	k := &market.APIKey{AK: market.NewSecret(20), SK: market.NewSecret(40), MerchantID: merchantID, CreatedAt: s.clock.Now()}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, merchantID); err != nil {
			return err
		}
		return tx.InsertAPIKey(ctx, k)
	})
	return k, err
}

// Limits of what a merchant may register.
const (
	// MaxPlans is the most plans of one spec: a plan per period type and SKU, or a handful of
	// pay-per-use billing items, are all KooGallery sells.
	MaxPlans = 60
	// MinKeyLen is the shortest key or secret accepted: they are HMAC keys and passwords that no
	// one types.
	MinKeyLen = 16
)

// ID checks an identifier that appears in URLs and file names: 4 to 64 letters, digits, '-' and
// '_', starting with a letter or digit. No dots or slashes, so that no ID can walk a path.
func ID(name, v string) error {
	if len(v) < 4 || len(v) > 64 {
		return market.Invalid(name, "%s must be 4 to 64 characters", name)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '-' && c != '_') {
			return market.Invalid(name, "%s %q may hold only letters, digits, '-' and '_', and starts with a letter or digit", name, v)
		}
	}
	return nil
}

// secret checks a key: at least min printable ASCII characters, at most 128.
func secret(name, v string, min int) error {
	if len(v) < min || len(v) > 128 {
		return market.Invalid(name, "%s must be %d to 128 characters", name, min)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return market.Invalid(name, "%s may hold only printable ASCII without spaces", name)
		}
	}
	return nil
}

// orSecret returns v, or a fresh secret of n characters when v is empty.
func orSecret(v string, n int) string {
	if v == "" {
		return market.NewSecret(n)
	}
	return v
}
