package publish

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Submit sends a draft, or the latest rejected application once edited, to review. Every rule
// the application breaks is reported at once, with its field; nothing changes then.
func (s *Service) Submit(ctx context.Context, v market.Viewer, id string) (*market.Application, error) {
	var app *market.Application
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if app, err = s.load(ctx, tx.Reader, v, id); err != nil {
			return err
		}
		if err := s.editable(ctx, tx.Reader, app); err != nil {
			return err
		}
		return s.submit(ctx, tx, v, app)
	})
	return app, err
}

// submit checks an application and moves it to review. A removal puts its target in
// REMOVAL_PENDING, or discontinues it at once where removals are not reviewed.
func (s *Service) submit(ctx context.Context, tx *store.Tx, v market.Viewer, app *market.Application) error {
	p, err := tx.Product(ctx, app.ProductID)
	if err != nil {
		return err
	}
	if p.Status == market.StatusDiscontinued {
		return market.Errorf(market.CodeConflict, "product %s is discontinued: no further operations", p.ID)
	}
	if err := s.check(ctx, tx, app, p); err != nil {
		return err
	}
	now := s.clock.Now()
	app.SubmittedAt, app.DueAt = now, dueAt(now, s.cfg.ReviewDays)
	if err := s.move(ctx, tx, v, app, market.AppPending, ""); err != nil {
		return err
	}
	if app.Type != market.AppRemoval {
		return nil
	}
	review, err := s.removalReviewed(ctx, tx.Reader, p.ID)
	if err != nil {
		return err
	}
	if !review || v.IsOperator() {
		// Nobody to wait for: the operator removing is the reviewer, and without review the
		// removal takes effect as it is confirmed (rules §1.6).
		return s.decide(ctx, tx, market.AsOperator(), app, market.AppApproved, "takes effect without review")
	}
	return s.holdForRemoval(ctx, tx, app)
}

// check runs the rules of an application's type against its content and its product.
func (s *Service) check(ctx context.Context, tx *store.Tx, app *market.Application, p *market.Product) error {
	switch app.Type {
	case market.AppRelease, market.AppModification:
		var d Draft
		if err := json.Unmarshal(app.Payload, &d); err != nil {
			return err
		}
		return s.checkDraft(ctx, tx.Reader, app, p, &d)
	case market.AppVisibility:
		var vis Visibility
		if err := json.Unmarshal(app.Payload, &vis); err != nil {
			return err
		}
		return s.checkVisibility(ctx, tx.Reader, p, &vis)
	case market.AppRemoval:
		var rm Removal
		if err := json.Unmarshal(app.Payload, &rm); err != nil {
			return err
		}
		return s.checkRemoval(ctx, tx.Reader, p, &rm)
	case market.AppBusinessPlan:
		var bp BusinessPlan
		if err := json.Unmarshal(app.Payload, &bp); err != nil {
			return err
		}
		return s.checkPlan(ctx, tx.Reader, p, &bp)
	}
	return market.Errorf(market.CodeInternal, "application %s has type %s", app.ID, app.Type)
}

// Withdraw takes a pending application back to DRAFT, where the product's delivery methods
// allow it (Config.Withdrawable). A withdrawn removal gives its target back its status.
func (s *Service) Withdraw(ctx context.Context, v market.Viewer, id string) (*market.Application, error) {
	var app *market.Application
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if app, err = s.pending(ctx, tx.Reader, v, id, "withdrawn"); err != nil {
			return err
		}
		specs, err := s.deliveries(ctx, tx.Reader, app)
		if err != nil {
			return err
		}
		if !s.withdrawable(specs) {
			return market.Errorf(market.CodeConflict, "applications for products delivered as %s cannot be withdrawn on this marketplace", deliveriesOf(specs))
		}
		if err := s.move(ctx, tx, v, app, market.AppDraft, "withdrawn"); err != nil {
			return err
		}
		return s.undoHold(ctx, tx, app)
	})
	return app, err
}

// deliveries returns the specs whose delivery methods decide whether an application may be
// withdrawn: a release's drafted specs, or the product's.
func (s *Service) deliveries(ctx context.Context, r store.Reader, app *market.Application) ([]*market.Spec, error) {
	if app.Type == market.AppRelease {
		var d Draft
		if err := json.Unmarshal(app.Payload, &d); err != nil {
			return nil, err
		}
		var out []*market.Spec
		for _, sp := range d.Specs {
			out = append(out, &market.Spec{Delivery: orSaaS(sp.Delivery)})
		}
		return out, nil
	}
	return r.SpecsOf(ctx, app.ProductID)
}

func orSaaS(d market.Delivery) market.Delivery {
	if d == "" {
		return market.DeliverySaaS
	}
	return d
}

func deliveriesOf(specs []*market.Spec) string {
	seen := map[market.Delivery]bool{}
	var out []string
	for _, sp := range specs {
		if !seen[sp.Delivery] {
			seen[sp.Delivery] = true
			out = append(out, string(sp.Delivery))
		}
	}
	return strings.Join(out, ", ")
}

// Approve approves a pending application, and its change takes effect in the same transaction.
func (s *Service) Approve(ctx context.Context, v market.Viewer, id, comment string) (*market.Application, error) {
	return s.review(ctx, v, id, market.AppApproved, comment)
}

// Reject rejects a pending application with a reason, which the seller reads in its review
// details; a rejected removal gives its target back its status.
func (s *Service) Reject(ctx context.Context, v market.Viewer, id, reason string) (*market.Application, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 1 || n > 2000 {
		return nil, market.Invalid("reason", "a rejection needs a reason of 1 to 2000 characters")
	}
	return s.review(ctx, v, id, market.AppRejected, reason)
}

func (s *Service) review(ctx context.Context, v market.Viewer, id string, to market.ApplicationState, comment string) (*market.Application, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	var app *market.Application
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if app, err = s.pending(ctx, tx.Reader, v, id, "reviewed"); err != nil {
			return err
		}
		return s.decide(ctx, tx, v, app, to, comment)
	})
	return app, err
}

// decide records the review's outcome and applies an approval (or undoes a removal's hold).
func (s *Service) decide(ctx context.Context, tx *store.Tx, v market.Viewer, app *market.Application, to market.ApplicationState, comment string) error {
	if err := s.move(ctx, tx, v, app, to, comment); err != nil {
		return err
	}
	if to == market.AppRejected {
		return s.undoHold(ctx, tx, app)
	}
	return s.apply(ctx, tx, app)
}

// pending loads a pending application for v to act on (withdraw, review).
func (s *Service) pending(ctx context.Context, r store.Reader, v market.Viewer, id, action string) (*market.Application, error) {
	app, err := s.load(ctx, r, v, id)
	if err != nil {
		return nil, err
	}
	if app.State != market.AppPending {
		return nil, market.Errorf(market.CodeConflict, "application %s is %s; only a pending application is %s", id, app.State, action)
	}
	return app, nil
}
