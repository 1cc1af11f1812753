package deploy

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// resourceType is a Terraform resource type: provider_name.
var resourceType = regexp.MustCompile(`^[a-z][a-z0-9]*_[a-z0-9_]+$`)

// billingPeriods are the periods a price line may be billed per.
func billingPeriods() []string { return []string{"hour", "month", "year", "once"} }

// PriceRequest sets a resource type's price lines.
type PriceRequest struct {
	Lines []market.PriceLine `json:"lines"`
}

// SetPrice sets the price lines of a resource type in the price table: the operator only.
func (s *Service) SetPrice(ctx context.Context, v market.Viewer, typ string, r PriceRequest) (*market.ResourcePrice, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	var probs market.Problems
	if !resourceType.MatchString(typ) || len(typ) > 100 {
		probs.Add("resource_type", "deploy.resource-type", "%q is not a Terraform resource type (provider_name)", typ)
	}
	if len(r.Lines) < 1 || len(r.Lines) > 20 {
		probs.Add("lines", "deploy.price-lines", "a resource has 1 to 20 price lines")
	}
	for i, l := range r.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		if n := utf8.RuneCountInString(strings.TrimSpace(l.Name)); n < 1 || n > 64 {
			probs.Add(f+".name", "text", "a price line's name has 1 to 64 characters")
		}
		if utf8.RuneCountInString(l.Unit) > 32 {
			probs.Add(f+".unit", "text", "a unit has at most 32 characters")
		}
		if !slices.Contains(billingPeriods(), l.Per) {
			probs.Add(f+".per", "deploy.per", "per is one of %s", strings.Join(billingPeriods(), ", "))
		}
		if l.Price < 0 {
			probs.Add(f+".price", "deploy.price", "a price is not negative")
		}
		if l.Quantity < 0 || l.Quantity > 1_000_000 {
			probs.Add(f+".quantity", "deploy.quantity", "a quantity is 0 to 1000000")
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	p := &market.ResourcePrice{ResourceType: typ, Lines: r.Lines, UpdatedAt: s.clock.Now()}
	return p, s.db.Write(ctx, func(tx *store.Tx) error { return tx.SetResourcePrice(ctx, p) })
}

// DeletePrice removes a resource type from the price table: the operator only. Deployments
// of templates using it are blocked until it is priced again.
func (s *Service) DeletePrice(ctx context.Context, v market.Viewer, typ string) error {
	if err := v.MustBeOperator(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.DeleteResourcePrice(ctx, typ)
		if err == nil && !ok {
			err = market.Errorf(market.CodeNotFound, "resource type %s has no price", typ)
		}
		return err
	})
}

// Prices returns the price table; every signed-in viewer may read it (buyers see it in plans).
func (s *Service) Prices(ctx context.Context, v market.Viewer) ([]*market.ResourcePrice, error) {
	if v.Role == "" {
		return nil, market.Errorf(market.CodeForbidden, "sign in to read the price table")
	}
	return s.db.ResourcePrices(ctx)
}
