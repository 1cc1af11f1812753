// Package aftersale runs unsubscription and refunds (rules §3): which instances may be
// unsubscribed and how (Eligibility, the §3.1 table, in words), the self-service unsubscription
// of products under Huawei Cloud's resource rules (the 5-day no-reason refund with its quota of
// 10 a calendar year, else the unused part), the negotiated unsubscription with its state
// machine (§3.2), hardware's "not received" and "received" returns (§3.3), large refunds held
// for the operator (auto-approved after 24 hours), and the refund itself: the buyer's balance
// credited through the ledger, vouchers given back by the 5-day rule, the order unsubscribed,
// releaseInstance sent to the merchant and the service flow closed.
package aftersale

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/inbox"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// Config holds the unsubscription rules' numbers.
type Config struct {
	// NoReasonWindow is how long after provisioning the no-reason refund applies (5 × 24 h);
	// NoReasonQuota how many of them a buyer has per calendar year (10).
	NoReasonWindow time.Duration
	NoReasonQuota  int
	// LargeRefund is the amount above which a refund waits for the operator's approval (intl
	// USD 7,000; CN CNY 50,000), AutoApproveAfter how long before it is approved without one.
	LargeRefund      market.Money
	AutoApproveAfter time.Duration
	// RefundDelay is how long after approval the refund is paid and the order unsubscribed
	// (rules §3.2: "within 3 hours"; at most that).
	RefundDelay time.Duration
	// ReturnWindow is how long a buyer has to send approved hardware back (10 days);
	// InspectWindow how long the seller has to inspect it before it is accepted (15 days).
	ReturnWindow  time.Duration
	InspectWindow time.Duration
	// Zone is the site's time zone: the quota's calendar year starts on 1 January there.
	Zone *time.Location
}

// DefaultConfig is the documented numbers, with the China site's large-refund threshold in
// CNY; DefaultConfigFor picks the threshold by currency.
func DefaultConfig() Config { return DefaultConfigFor("CNY") }

// DefaultConfigFor is DefaultConfig for a site's currency: CNY 50,000 or USD 7,000 (rules §3.1).
func DefaultConfigFor(currency string) Config {
	large := market.Money(50_000_000)
	if currency != "CNY" {
		large = 7_000_000
	}
	return Config{NoReasonWindow: 5 * 24 * time.Hour, NoReasonQuota: 10, LargeRefund: large, AutoApproveAfter: 24 * time.Hour,
		ReturnWindow: 10 * 24 * time.Hour, InspectWindow: 15 * 24 * time.Hour, Zone: time.UTC}
}

// Service runs unsubscriptions.
type Service struct {
	db       *store.DB
	clock    market.Clock
	log      *slog.Logger
	orders   *order.Service
	flows    *supervision.Service
	hardware *hardware.Service
	vouchers *promo.Service
	inbox    *inbox.Service
	cfg      Config
}

// New returns the unsubscription service.
func New(db *store.DB, clock market.Clock, log *slog.Logger, orders *order.Service, flows *supervision.Service, hw *hardware.Service,
	vouchers *promo.Service, messages *inbox.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || orders == nil || flows == nil || hw == nil || vouchers == nil || messages == nil {
		return nil, errors.New("aftersale: New needs a database, a clock, a logger, and the order, supervision, hardware, voucher and inbox services")
	}
	if cfg.RefundDelay < 0 || cfg.RefundDelay > 3*time.Hour {
		return nil, fmt.Errorf("aftersale: the refund delay %s must be 0 to 3 hours (rules §3.2)", cfg.RefundDelay)
	}
	if cfg.NoReasonWindow <= 0 || cfg.NoReasonQuota < 0 || cfg.LargeRefund <= 0 || cfg.AutoApproveAfter <= 0 || cfg.ReturnWindow <= 0 || cfg.InspectWindow <= 0 {
		return nil, errors.New("aftersale: windows, the quota and the large-refund threshold must be positive")
	}
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	return &Service{db: db, clock: clock, log: log, orders: orders, flows: flows, hardware: hw, vouchers: vouchers, inbox: messages, cfg: cfg}, nil
}

// Subject names a request's evidence log.
func Subject(id string) string { return "unsub:" + id }

// record appends a step to a request's evidence.
func (s *Service) record(ctx context.Context, tx *store.Tx, u *market.Unsubscription, role market.Role, actor, action string, from market.UnsubState, text string) error {
	return tx.AppendEvidence(ctx, &market.Evidence{Subject: Subject(u.ID), At: s.clock.Now(), Role: role, Actor: actor, Action: action,
		From: string(from), To: string(u.State), Text: text})
}

// tell posts the buyer a message about its request, once per request and state.
func (s *Service) tell(ctx context.Context, tx *store.Tx, u *market.Unsubscription, subject, body string) error {
	_, err := s.inbox.Post(ctx, tx, u.BuyerID, "unsubscription", "unsub:"+u.ID+":"+string(u.State), subject, body)
	return err
}
