package assets

import (
	"context"
	"slices"
	"strings"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// CreateRequest describes a new asset.
type CreateRequest struct {
	// MerchantID is the operator's choice; a seller creates for its own merchant.
	MerchantID  string           `json:"merchant_id,omitempty"`
	Kind        market.AssetKind `json:"kind"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	// Arch is x86_64 (the default) or arm64 (Kunpeng).
	Arch string `json:"arch,omitempty"`
	// Regions are where the asset will be published; an arm64 image only in the Kunpeng regions.
	Regions []string `json:"regions,omitempty"`
}

// Create stores a new asset as a DRAFT without versions: its content comes by upload or URL.
func (s *Service) Create(ctx context.Context, v market.Viewer, r CreateRequest) (market.Asset, error) {
	merchant := r.MerchantID
	if v.Role == market.RoleSeller {
		merchant = v.MerchantID
	}
	if merchant == "" {
		return market.Asset{}, market.Invalid("merchant_id", "merchant_id is required")
	}
	if err := v.MustActAs("merchant", merchant, merchant, market.SellerOperations); err != nil {
		return market.Asset{}, err
	}
	if r.Arch == "" {
		r.Arch = market.ArchX86
	}
	var regions []string
	for _, reg := range r.Regions {
		if reg = strings.TrimSpace(reg); !slices.Contains(regions, reg) {
			regions = append(regions, reg)
		}
	}
	var p market.Problems
	s.checkAsset(&p, r.Kind, r.Name, r.Arch, regions)
	if len(r.Description) > 4000 {
		p.Add("description", "length", "description must have at most 4000 characters")
	}
	if err := p.Err(); err != nil {
		return market.Asset{}, err
	}
	now := s.clock.Now()
	a := market.Asset{ID: "ast-" + market.NewHexID(), MerchantID: merchant, Kind: r.Kind, Name: strings.TrimSpace(r.Name), Description: r.Description,
		Arch: r.Arch, Regions: regions, State: market.AssetDraft, CreatedBy: by(v), CreatedAt: now, UpdatedAt: now}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, merchant); err != nil {
			return err
		}
		return tx.InsertAsset(ctx, &a)
	})
	if err != nil {
		return market.Asset{}, err
	}
	return a, nil
}

// Delete deletes an asset and its content: a draft that was never approved at any time, any
// other asset only when no product uses it (the InUse hooks).
func (s *Service) Delete(ctx context.Context, v market.Viewer, id string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.act(ctx, tx.Reader, v, id)
		if err != nil {
			return err
		}
		if a.State != market.AssetDraft || a.ApprovedVersion != 0 {
			used, err := s.used(ctx, tx.Reader, id)
			if err != nil {
				return err
			}
			if used {
				return market.Errorf(market.CodeConflict, "asset %s is used by a product: it can be deleted only while a draft or once no product uses it", id)
			}
		}
		ok, err := tx.DeleteAsset(ctx, id, a.State, a.Version)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "asset %s changed meanwhile; read it again", id)
		}
		return err
	})
	if err != nil {
		return err
	}
	// The rows are gone; content left behind by a failure here is unreachable, not visible.
	if err := blobstore.DeletePrefix(context.WithoutCancel(ctx), s.bucket, prefix(id)); err != nil {
		s.log.Error("assets: deleting a deleted asset's content", "asset", id, "err", err)
	}
	return nil
}
