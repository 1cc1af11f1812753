package publish

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// ApplicationRequest creates an application: its type, the product (empty for a new product's
// release, whose ID is then generated unless given), and the content of its type.
type ApplicationRequest struct {
	Type      market.ApplicationType `json:"type"`
	ProductID string                 `json:"product_id,omitempty"`
	// MerchantID is whose product a new release is: a seller's own merchant; the operator names it.
	MerchantID   string        `json:"merchant_id,omitempty"`
	Draft        *Draft        `json:"draft,omitempty"`
	Visibility   *Visibility   `json:"visibility,omitempty"`
	Removal      *Removal      `json:"removal,omitempty"`
	BusinessPlan *BusinessPlan `json:"business_plan,omitempty"`
	// Submit sends the application to review at once instead of keeping it as a draft.
	Submit bool `json:"submit,omitempty"`
}

// Create stores a new application as a draft (and submits it when asked). A release of a new
// product creates the product too, as a DRAFT that only its merchant and the operator see.
func (s *Service) Create(ctx context.Context, v market.Viewer, r ApplicationRequest) (*market.Application, error) {
	now := s.clock.Now()
	app := &market.Application{ID: catalog.NewApplicationID(), ProductID: r.ProductID, Type: r.Type, State: market.AppDraft,
		CreatedBy: by(v), CreatedAt: now, UpdatedAt: now}
	if err := s.content(app, &r); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		p, err := s.productFor(ctx, tx, v, app, &r)
		if err != nil {
			return err
		}
		app.MerchantID = p.MerchantID
		// A product's applications are ordered by creation ("the latest rejected one"): one
		// created in the same millisecond as the previous (a stopped test clock) is a
		// millisecond later.
		last, err := tx.LastApplicationAt(ctx, p.ID)
		if err != nil {
			return err
		}
		if !app.CreatedAt.After(last) && !last.IsZero() {
			app.CreatedAt = last.Add(time.Millisecond)
		}
		if err := tx.InsertApplication(ctx, app); err != nil {
			return err
		}
		if err := s.record(ctx, tx, v, app, "", market.AppDraft, ""); err != nil {
			return err
		}
		if r.Submit {
			return s.submit(ctx, tx, v, app)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return app, nil
}

// content checks that the request carries what its type needs (and nothing else), gives a
// draft's new specs, SKUs and plans their IDs, and stores it as the application's payload.
func (s *Service) content(app *market.Application, r *ApplicationRequest) error {
	var body any
	var given int
	for _, present := range []bool{r.Draft != nil, r.Visibility != nil, r.Removal != nil, r.BusinessPlan != nil} {
		if present {
			given++
		}
	}
	switch r.Type {
	case market.AppRelease, market.AppModification:
		if r.Draft != nil {
			assignIDs(r.Draft)
			body = r.Draft
		}
	case market.AppVisibility:
		if r.Visibility != nil {
			body = r.Visibility
		}
	case market.AppRemoval:
		if r.Removal != nil {
			body, app.Target = r.Removal, r.Removal.target()
		}
	case market.AppBusinessPlan:
		if r.BusinessPlan != nil {
			body = r.BusinessPlan
		}
	default:
		return market.Invalid("type", "type must be RELEASE, MODIFICATION, VISIBILITY, REMOVAL or BUSINESS_PLAN")
	}
	if body == nil || given != 1 {
		field := map[market.ApplicationType]string{market.AppRelease: "draft", market.AppModification: "draft", market.AppVisibility: "visibility",
			market.AppRemoval: "removal", market.AppBusinessPlan: "business_plan"}[r.Type]
		return market.Invalid(field, "a %s application carries %s, and nothing else", r.Type, field)
	}
	b, err := json.Marshal(body)
	app.Payload = b
	return err
}

// assignIDs gives new specs, SKUs and plans their IDs once, when drafted, so that the IDs a
// seller sees in the draft are the ones the approved product has.
func assignIDs(d *Draft) {
	for i := range d.Specs {
		sp := &d.Specs[i]
		if sp.SkuCode == "" {
			sp.SkuCode = market.NewUUID()
		}
		for j := range sp.SKUs {
			if sp.SKUs[j].ID == "" {
				sp.SKUs[j].ID = "sku-" + strings.ToLower(market.NewSecret(12))
			}
		}
		for j := range sp.Plans {
			if sp.Plans[j].ProductID == "" {
				sp.Plans[j].ProductID = "OFFI" + strings.ToUpper(market.NewSecret(18))
			}
		}
	}
}

// productFor finds (or, for a new product's release, creates) the product an application is
// about, and checks that v may act on it: another merchant's product is not found.
func (s *Service) productFor(ctx context.Context, tx *store.Tx, v market.Viewer, app *market.Application, r *ApplicationRequest) (*market.Product, error) {
	if app.ProductID != "" {
		p, err := catalog.ProductFor(ctx, tx.Reader, v, app.ProductID, market.SellerOperations)
		if market.ErrorCode(err) == market.CodeNotFound && app.Type == market.AppRelease {
			if _, err := tx.Product(ctx, app.ProductID); market.ErrorCode(err) == market.CodeNotFound {
				return s.newDraftProduct(ctx, tx, v, app, r)
			}
		}
		if err != nil {
			return nil, err
		}
		if p.Status == market.StatusDiscontinued {
			return nil, market.Errorf(market.CodeConflict, "product %s is discontinued: no further operations (release it as a new product)", p.ID)
		}
		if app.Type == market.AppRelease && p.Status != market.StatusDraft {
			return nil, market.Errorf(market.CodeConflict, "product %s is released already; change it with a MODIFICATION application", p.ID)
		}
		if app.Type != market.AppRelease && p.Status == market.StatusDraft {
			return nil, market.Errorf(market.CodeConflict, "product %s is not released yet; only its RELEASE application applies", p.ID)
		}
		return p, nil
	}
	if app.Type != market.AppRelease {
		return nil, market.Invalid("product_id", "a %s application names its product", app.Type)
	}
	return s.newDraftProduct(ctx, tx, v, app, r)
}

// newDraftProduct creates the DRAFT product of a release.
func (s *Service) newDraftProduct(ctx context.Context, tx *store.Tx, v market.Viewer, app *market.Application, r *ApplicationRequest) (*market.Product, error) {
	merchantID := r.MerchantID
	if v.Role == market.RoleSeller {
		merchantID = v.MerchantID
	}
	if merchantID == "" {
		return nil, market.Invalid("merchant_id", "name the merchant whose product this is")
	}
	if err := v.MustActAs("merchant", merchantID, merchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	if _, err := tx.Merchant(ctx, merchantID); err != nil {
		return nil, err
	}
	if app.ProductID == "" {
		app.ProductID = "p-" + strings.ToLower(market.NewSecret(12))
	}
	name := r.Draft.Listing.Name
	if name == "" {
		name = "(untitled)"
	}
	p := &market.Product{ID: app.ProductID, MerchantID: merchantID, Name: name, Category: r.Draft.Listing.Category, Status: market.StatusDraft,
		CreatedAt: s.clock.Now()}
	return p, tx.InsertProduct(ctx, p)
}

// Update replaces the content of a draft, or of the latest rejected application before it is
// resubmitted (rules §1.3: only the latest rejected one can be edited).
func (s *Service) Update(ctx context.Context, v market.Viewer, id string, r ApplicationRequest) (*market.Application, error) {
	var app *market.Application
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if app, err = s.load(ctx, tx.Reader, v, id); err != nil {
			return err
		}
		if r.Type == "" {
			r.Type = app.Type
		}
		if r.Type != app.Type {
			return market.Invalid("type", "an application's type cannot change")
		}
		if err := s.editable(ctx, tx.Reader, app); err != nil {
			return err
		}
		target := app.Target
		if err := s.content(app, &r); err != nil {
			return err
		}
		if app.Target != target {
			return market.Invalid("removal", "a removal's target cannot change; delete it and apply again")
		}
		if app.Type == market.AppRelease {
			if err := tx.UpdateProductInfo(ctx, app.ProductID, r.Draft.Listing.Name, r.Draft.Listing.Category); err != nil {
				return err
			}
		}
		app.UpdatedAt = s.clock.Now()
		ok, err := tx.UpdateApplication(ctx, app, app.State)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "application %s changed meanwhile", id)
		}
		return err
	})
	return app, err
}

// editable checks that an application may be edited: a draft, or the latest rejected one.
func (s *Service) editable(ctx context.Context, r store.Reader, app *market.Application) error {
	switch app.State {
	case market.AppDraft:
		return nil
	case market.AppRejected:
		latest, err := r.LatestApplication(ctx, app.ProductID, app.Type)
		if err != nil {
			return err
		}
		if latest.ID != app.ID {
			return market.Errorf(market.CodeConflict, "application %s is not the latest %s application of product %s (%s is); only the latest rejected one can be edited and resubmitted",
				app.ID, app.Type, app.ProductID, latest.ID)
		}
		return nil
	}
	return market.Errorf(market.CodeConflict, "application %s is %s; only drafts and the latest rejected application can be edited", app.ID, app.State)
}

// Delete deletes a draft or a rejected application (it stays on record as DELETED).
func (s *Service) Delete(ctx context.Context, v market.Viewer, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		app, err := s.load(ctx, tx.Reader, v, id)
		if err != nil {
			return err
		}
		if app.State != market.AppDraft && app.State != market.AppRejected {
			return market.Errorf(market.CodeConflict, "application %s is %s; only drafts and rejected applications can be deleted", id, app.State)
		}
		return s.move(ctx, tx, v, app, market.AppDeleted, "")
	})
}

// load reads an application for v to act on: the operator, or a seller of its merchant with
// the operations role (another merchant's application is not found).
func (s *Service) load(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.Application, error) {
	app, err := r.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.MustActAs("application", id, app.MerchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	if app.State == market.AppDeleted {
		return nil, market.Errorf(market.CodeNotFound, "application %s not found", id)
	}
	return app, nil
}

// move changes an application's state (guarded by its current one, so that of two concurrent
// decisions exactly one wins), records the transition and tells the seller.
func (s *Service) move(ctx context.Context, tx *store.Tx, v market.Viewer, app *market.Application, to market.ApplicationState, comment string) error {
	from := app.State
	app.State, app.UpdatedAt = to, s.clock.Now()
	if comment != "" {
		app.Comment = comment
	}
	ok, err := tx.UpdateApplication(ctx, app, from)
	if err != nil {
		return err
	}
	if !ok {
		return market.Errorf(market.CodeConflict, "application %s is no longer %s", app.ID, from)
	}
	return s.record(ctx, tx, v, app, from, to, comment)
}

// record stores a transition and posts it to the seller's message centre.
func (s *Service) record(ctx context.Context, tx *store.Tx, v market.Viewer, app *market.Application, from, to market.ApplicationState, comment string) error {
	if err := tx.AddTransition(ctx, &market.Transition{ApplicationID: app.ID, From: from, To: to, By: by(v), Comment: comment, At: s.clock.Now()}); err != nil {
		return err
	}
	if comment != "" {
		comment = ": " + comment
	}
	return s.notify.Post(ctx, tx, app.MerchantID, "application."+strings.ToLower(string(to)), app.ID, "%s application %s for product %s is now %s%s",
		app.Type, app.ID, app.ProductID, to, comment)
}
