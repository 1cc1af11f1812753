// Package supervision runs service supervision (服务监管, rules §4): a supervised spec's
// purchases get a service flow — the buyer's requirement (skipped for licenses and hardware),
// the seller's confirmation, the delivery with its result and files, the buyer's acceptance —
// that ends COMPLETED three hours after acceptance. Every step is logged as evidence. A
// supervised period purchase's validity starts at acceptance (rules §4.4); the order stays
// processing, and its sales unsettled, until the flow completes. While an appeal is open the flow
// is frozen (package appeal decides it).
package supervision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config holds supervision's tunables.
type Config struct {
	// CompleteAfter is how long after acceptance a flow completes (rules §4.1: 3 hours).
	CompleteAfter time.Duration
}

// DefaultConfig is the documented three hours.
func DefaultConfig() Config { return Config{CompleteAfter: 3 * time.Hour} }

// Service runs service flows.
type Service struct {
	db     *store.DB
	clock  market.Clock
	log    *slog.Logger
	orders *order.Service
	cfg    Config
}

// New returns the supervision service and hooks it into purchases: a supervised spec's
// purchase opens its flow in the purchase's transaction.
func New(db *store.DB, clock market.Clock, log *slog.Logger, orders *order.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || orders == nil {
		return nil, errors.New("supervision: New needs a database, a clock, a logger and the order service")
	}
	if cfg.CompleteAfter < 0 || cfg.CompleteAfter > 24*time.Hour {
		return nil, fmt.Errorf("supervision: completion %s after acceptance must be 0 to 24 hours", cfg.CompleteAfter)
	}
	s := &Service{db: db, clock: clock, log: log, orders: orders, cfg: cfg}
	orders.OnPurchase(s.purchased)
	return s, nil
}

// SpecRequest makes a spec supervised, with its flow template, or not.
type SpecRequest struct {
	Supervised bool `json:"supervised"`
	// Template is STANDARD or NO_REQUIREMENT; empty picks the delivery's: licenses and hardware
	// skip the requirement step (rules §4.1).
	Template market.FlowTemplate `json:"template,omitempty"`
}

// SetSpec sets a spec's supervision: its merchant's sellers or the operator. It applies to
// purchases made from then on.
func (s *Service) SetSpec(ctx context.Context, v market.Viewer, skuCode string, r SpecRequest) (market.FlowTemplate, error) {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		sp, owner, err := tx.SpecMerchant(ctx, skuCode)
		if err != nil {
			return err
		}
		if !v.MayActFor(owner) {
			return market.Errorf(market.CodeNotFound, "spec %s not found", skuCode)
		}
		if !r.Supervised {
			r.Template = ""
			return tx.SetSupervised(ctx, skuCode, "", s.clock.Now())
		}
		if sp.Delivery == market.DeliveryImage || sp.Charging == market.ChargingOnDemand || sp.Charging == market.ChargingOnDemandPkg {
			return market.Invalid("supervised", "image and pay-per-use specs are not supervised (rules §3.1, §4.1)")
		}
		skips := sp.Delivery == market.DeliveryLicense || sp.Delivery == market.DeliveryHardware
		switch {
		case r.Template == "" && skips:
			r.Template = market.TemplateNoRequirement
		case r.Template == "":
			r.Template = market.TemplateStandard
		case r.Template == market.TemplateStandard && skips:
			return market.Invalid("template", "licenses and hardware skip the requirement step: use NO_REQUIREMENT")
		case r.Template != market.TemplateStandard && r.Template != market.TemplateNoRequirement:
			return market.Invalid("template", "template must be STANDARD or NO_REQUIREMENT")
		}
		return tx.SetSupervised(ctx, skuCode, r.Template, s.clock.Now())
	})
	return r.Template, err
}

// Spec returns a spec's flow template ("" when it is not supervised); anyone may read it.
func (s *Service) Spec(ctx context.Context, skuCode string) (market.FlowTemplate, error) {
	if _, err := s.db.Spec(ctx, skuCode); err != nil {
		return "", err
	}
	return s.db.Supervision(ctx, skuCode)
}

// purchased opens the service flows of a purchase's supervised instances. Trials are not
// supervised (nothing was paid); a supervised period instance gets no expiry until acceptance.
func (s *Service) purchased(ctx context.Context, tx *store.Tx, o *market.Order, ins []*market.Instance) error {
	if o.Type != market.OrderNew {
		return nil
	}
	now := s.clock.Now()
	for _, in := range ins {
		t, err := tx.Supervision(ctx, in.SkuCode)
		if err != nil || t == "" {
			if err != nil {
				return err
			}
			continue
		}
		if in.Charging == market.ChargingPeriod {
			in.ExpireAt = time.Time{}
		}
		first := market.FlowAwaitingRequirement
		if t == market.TemplateNoRequirement {
			first = market.FlowDelivering
		}
		f := &market.Flow{ID: "SF" + market.NewUUID(), InstanceKey: in.Key, OrderID: o.ID, BuyerID: o.BuyerID, MerchantID: o.MerchantID,
			SkuCode: in.SkuCode, Delivery: in.Delivery, Template: t, State: first, StateSince: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertFlow(ctx, f); err != nil {
			return err
		}
		if err := record(ctx, tx, f, market.RoleOperator, "", "opened", "", string(first), "service flow opened by the purchase", nil, now); err != nil {
			return err
		}
	}
	return nil
}

// record appends a step to a flow's evidence.
func record(ctx context.Context, tx *store.Tx, f *market.Flow, role market.Role, actor, action, from, to, text string, files []market.Attachment, at time.Time) error {
	return tx.AppendEvidence(ctx, &market.Evidence{Subject: Subject(f.ID), At: at, Role: role, Actor: actor, Action: action, From: from, To: to, Text: text, Files: files})
}

// Subject names a flow's evidence log.
func Subject(flowID string) string { return "flow:" + flowID }

// Flow returns a flow and its evidence, to its buyer, its merchant's sellers and the operator.
func (s *Service) Flow(ctx context.Context, v market.Viewer, id string) (*market.Flow, []*market.Evidence, error) {
	f, err := s.db.Flow(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Check("service flow", id, f.BuyerID, f.MerchantID); err != nil {
		return nil, nil, err
	}
	ev, err := s.db.Evidence(ctx, Subject(id))
	return f, ev, err
}

// FlowOf returns an instance's flow, as Flow.
func (s *Service) FlowOf(ctx context.Context, v market.Viewer, instanceKey string) (*market.Flow, []*market.Evidence, error) {
	f, err := s.db.FlowOf(ctx, instanceKey)
	if err != nil {
		return nil, nil, err
	}
	return s.Flow(ctx, v, f.ID)
}

// Flows lists the flows v sees, newest first.
func (s *Service) Flows(ctx context.Context, v market.Viewer, f store.FlowFilter) ([]*market.Flow, store.Cursor, error) {
	var ok bool
	if f.BuyerID, f.MerchantID, ok = v.Scope(f.BuyerID, f.MerchantID); !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no service flows to see")
	}
	return s.db.Flows(ctx, f)
}

// File returns a file attached to a flow's step, with its content.
func (s *Service) File(ctx context.Context, v market.Viewer, flowID, fileID string) (*market.Attachment, error) {
	if _, _, err := s.Flow(ctx, v, flowID); err != nil {
		return nil, err
	}
	return s.db.Attachment(ctx, Subject(flowID), fileID)
}
