package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Storing built products: an approved release, a modification's new specs, and the operator's
// direct creation (an application approved at once).

// Insert stores a built product with its specs, SKUs and plans in tx; listing is its approved
// listing (JSON). An ID that exists already is a conflict.
func (s *Service) Insert(ctx context.Context, tx *store.Tx, p *Product, listing []byte) error {
	if _, err := tx.Merchant(ctx, p.Product.MerchantID); err != nil {
		return err
	}
	if _, err := tx.Product(ctx, p.Product.ID); err == nil {
		return market.Errorf(market.CodeConflict, "product %s exists", p.Product.ID)
	}
	if err := tx.InsertProduct(ctx, &p.Product); err != nil {
		return err
	}
	if err := tx.SetListing(ctx, p.Product.ID, listing); err != nil {
		return err
	}
	return s.InsertSpecs(ctx, tx, p)
}

// InsertSpecs stores p's specs, SKUs and plans (the new specs of a modification too).
func (s *Service) InsertSpecs(ctx context.Context, tx *store.Tx, p *Product) error {
	for i := range p.Specs {
		if _, err := tx.Spec(ctx, p.Specs[i].SkuCode); err == nil {
			return market.Errorf(market.CodeConflict, "skuCode %s exists", p.Specs[i].SkuCode)
		}
		if err := tx.InsertSpec(ctx, &p.Specs[i]); err != nil {
			return err
		}
	}
	for i := range p.SKUs {
		if err := tx.InsertSKU(ctx, &p.SKUs[i]); err != nil {
			return err
		}
	}
	for i := range p.Plans {
		if _, err := tx.Plan(ctx, p.Plans[i].ProductID); err == nil {
			return market.Errorf(market.CodeConflict, "productId %s exists", p.Plans[i].ProductID)
		}
		if err := s.packageItem(ctx, tx, p, &p.Plans[i]); err != nil {
			return err
		}
		if err := tx.InsertPlan(ctx, &p.Plans[i]); err != nil {
			return err
		}
	}
	return nil
}

// CreateProduct is the operator putting a product on sale directly. It still goes through an
// application, created and approved in the same transaction and recorded as the operator's, so
// that every product on sale has an approved release application behind it.
func (s *Service) CreateProduct(ctx context.Context, v market.Viewer, r ProductRequest) (*Product, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	for i, sr := range r.Specs {
		if sr.AssetID != "" {
			// The asset is checked and kept by publishing's hooks (internal/deploy), which a
			// direct creation skips: refuse it rather than drop it.
			return nil, market.Invalid(fmt.Sprintf("specs[%d].asset_id", i), "an auto-deploy spec selects its asset through a release application")
		}
	}
	now := s.clock.Now()
	p, err := s.Build(r, market.StatusOnSalePublic, now)
	if err != nil {
		return nil, err
	}
	r.ID = p.Product.ID
	payload, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	listing, err := json.Marshal(market.Listing{Name: r.Name, Category: r.Category, Public: true})
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.Insert(ctx, tx, p, listing); err != nil {
			return err
		}
		app := &market.Application{ID: NewApplicationID(), MerchantID: p.Product.MerchantID, ProductID: p.Product.ID, Type: market.AppRelease,
			State: market.AppApproved, Payload: payload, Comment: "put on sale by the operator", SubmittedAt: now, DueAt: now,
			CreatedBy: "operator", CreatedAt: now, UpdatedAt: now}
		return tx.RecordApplication(ctx, app, "", []market.Transition{
			{From: market.AppDraft, To: market.AppPending, By: "operator", At: now},
			{From: market.AppPending, To: market.AppApproved, By: "operator", Comment: app.Comment, At: now},
		})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// NewApplicationID returns a fresh application ID.
func NewApplicationID() string { return "app-" + strings.ToLower(market.NewSecret(16)) }

// packageItem checks that a package plan covers a pay-per-use billing item, of this product or
// an existing one.
func (s *Service) packageItem(ctx context.Context, tx *store.Tx, p *Product, pl *market.Plan) error {
	if pl.PackageItem == "" {
		return nil
	}
	for i, other := range p.Plans {
		if other.ProductID == pl.PackageItem {
			if specOf(p, p.Plans[i].SkuCode).Charging == market.ChargingOnDemand {
				return nil
			}
			break
		}
	}
	if e, err := tx.CatalogEntry(ctx, pl.PackageItem); err == nil && e.Spec.Charging == market.ChargingOnDemand {
		return nil
	}
	return market.Invalid("package_item", "package_item %s is not a pay-per-use plan", pl.PackageItem)
}

func specOf(p *Product, sku string) market.Spec {
	for _, s := range p.Specs {
		if s.SkuCode == sku {
			return s
		}
	}
	return market.Spec{}
}
