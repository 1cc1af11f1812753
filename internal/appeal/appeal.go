// Package appeal runs appeals on service flows (rules §4.3): the buyer or the seller files one
// with a reason, a demand and proofs, when the site's rules allow it; the flow is frozen while
// it is open; the operator decides — the flow resumes at a state, completes (the seller is
// settled), or the order is refunded — within three working days, a deadline every appeal shows.
package appeal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/inbox"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// Config holds the appeal rules of the site.
type Config struct {
	// International applies the international site's windows: a seller may appeal at any time;
	// a buyer of a SaaS product when the seller has not moved for Wait, or after three rejections
	// either way. Otherwise the China site's: a seller when a buyer step has waited more than
	// Wait, a buyer at any time.
	International bool
	Wait          time.Duration
	// Rejections is how many rejections open an international buyer's appeal (3).
	Rejections int
	// SLA is the operator's deadline in working days (3); Zone the site's time zone for them.
	SLA  int
	Zone *time.Location
}

// DefaultConfig is the China site's rules.
func DefaultConfig() Config {
	return Config{Wait: 5 * 24 * time.Hour, Rejections: 3, SLA: 3, Zone: time.UTC}
}

// Service files and decides appeals.
type Service struct {
	db       *store.DB
	clock    market.Clock
	log      *slog.Logger
	flows    *supervision.Service
	unsubs   *aftersale.Service
	messages *inbox.Service
	cfg      Config
}

// New returns the appeal service.
func New(db *store.DB, clock market.Clock, log *slog.Logger, flows *supervision.Service, unsubs *aftersale.Service, messages *inbox.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || flows == nil || unsubs == nil || messages == nil {
		return nil, errors.New("appeal: New needs a database, a clock, a logger, and the supervision, unsubscription and inbox services")
	}
	if cfg.Wait <= 0 || cfg.Rejections < 1 || cfg.SLA < 1 {
		return nil, fmt.Errorf("appeal: the wait, the rejections and the SLA must be positive")
	}
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	return &Service{db: db, clock: clock, log: log, flows: flows, unsubs: unsubs, messages: messages, cfg: cfg}, nil
}

// Request is an appeal as a party files it.
type Request struct {
	Reason string             `json:"reason"`
	Demand string             `json:"demand,omitempty"`
	Files  []supervision.File `json:"files,omitempty"`
}

// Subject names an appeal's evidence log.
func Subject(id string) string { return "appeal:" + id }

// File files an appeal on a flow: its buyer or a seller of its merchant, when the rules allow.
func (s *Service) File(ctx context.Context, v market.Viewer, flowID string, r Request) (*market.Appeal, error) {
	if n := utf8.RuneCountInString(r.Reason); n < 1 || n > 1000 {
		return nil, market.Invalid("reason", "give a reason of 1 to 1000 characters")
	}
	if v.Role == market.RoleBuyer && r.Demand == "" {
		return nil, market.Invalid("demand", "say what you ask for")
	}
	files, err := supervision.Attach(r.Demand, r.Files)
	if err != nil {
		return nil, err
	}
	var a *market.Appeal
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		f, err := tx.Flow(ctx, flowID)
		if err != nil {
			return err
		}
		if err := v.Check("service flow", flowID, f.BuyerID, f.MerchantID); err != nil {
			return err
		}
		if v.Role != market.RoleBuyer && v.Role != market.RoleSeller {
			return market.Errorf(market.CodeForbidden, "appeals are filed by the buyer or the seller")
		}
		if f.State == market.FlowCompleted || f.State == market.FlowClosed {
			return market.Errorf(market.CodeConflict, "service flow %s is %s: there is nothing to appeal", flowID, f.State)
		}
		if err := s.allowed(v.Role, f); err != nil {
			return err
		}
		now := s.clock.Now()
		actor := v.BuyerID
		if v.Role == market.RoleSeller {
			actor = v.MerchantID
		}
		a = &market.Appeal{ID: "AP" + market.NewUUID(), FlowID: flowID, ByRole: v.Role, ByID: actor, Reason: r.Reason, Demand: r.Demand,
			State: market.AppealOpen, DueAt: WorkingDays(now, s.cfg.SLA, s.cfg.Zone), CreatedAt: now}
		if err := tx.InsertAppeal(ctx, a); err != nil {
			return err
		}
		if err := s.flows.Freeze(ctx, tx, f, v.Role, actor, "appeal "+a.ID+": "+r.Reason); err != nil {
			return err
		}
		return tx.AppendEvidence(ctx, &market.Evidence{Subject: Subject(a.ID), At: now, Role: v.Role, Actor: actor, Action: "file",
			To: string(market.AppealOpen), Text: r.Reason + "\n" + r.Demand, Files: files})
	})
	return a, err
}

// allowed applies the site's appeal windows (rules §4.3).
func (s *Service) allowed(role market.Role, f *market.Flow) error {
	waited := s.clock.Now().Sub(f.StateSince)
	switch {
	case role == market.RoleSeller && s.cfg.International:
		return nil
	case role == market.RoleSeller:
		if f.BuyerStep() && waited > s.cfg.Wait {
			return nil
		}
		return market.Errorf(market.CodeConflict, "a seller may appeal when the flow has waited on the buyer for more than %s (rules §4.3); it is %s since %s",
			s.cfg.Wait, f.State, f.StateSince.Format(time.RFC3339))
	case !s.cfg.International || f.Delivery != market.DeliverySaaS:
		return nil
	case !f.BuyerStep() && waited > s.cfg.Wait, f.RequirementRejections >= s.cfg.Rejections, f.DeliveryRejections >= s.cfg.Rejections:
		return nil
	}
	return market.Errorf(market.CodeConflict, "a buyer of a SaaS product may appeal when the seller has not moved for more than %s, or after %d rejections of the requirement or the delivery (rules §4.3)",
		s.cfg.Wait, s.cfg.Rejections)
}

// WorkingDays returns t plus n working days (Monday to Friday in zone): an appeal's deadline.
func WorkingDays(t time.Time, n int, zone *time.Location) time.Time {
	d := t.In(zone)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d.UTC()
}
