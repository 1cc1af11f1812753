// Package enterprise is the joint-operation identity model (protocol §5): enterprises (tenants)
// administered by buyers, their department tree and users, the joint-operation purchases bound
// to them with their applications and user authorizations, and the kit syncs every change sends
// to the bound instances' merchants.
//
// Every change is one transaction that also queues the syncs it causes. The syncs of a binding
// go out in the order they were made, a group at a time (group: the batches of one change), and
// a group waits until every earlier one succeeded: a user authorization never reaches the
// merchant before its application, an application never before its tenant, a delete never
// before its add. A failed sync is not retried by itself (§5): the merchant is notified, and
// the enterprise administrator retries it, which lets the syncs behind it go on.
package enterprise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config configures the service.
type Config struct {
	// AuthURL is the auth centre's public base address; an enterprise's domainName is
	// AuthURL/{tenantCode}, and merchants call {domainName}/api/v1/oauth2/token.
	AuthURL string
	// InFlight is how many syncs of one binding are sent at once: the batches of a large
	// authorization. The dispatcher's calls per merchant is the useful most.
	InFlight int
}

// DefaultConfig serves the auth centre from a server on the default address and sends as many
// syncs at once as the dispatcher's default calls per merchant.
func DefaultConfig() Config { return Config{AuthURL: "http://127.0.0.1:8080/authc", InFlight: 4} }

// Service is the joint-operation identity model and its syncs.
type Service struct {
	db    *store.DB
	clock market.Clock
	log   *slog.Logger
	calls *fulfil.Dispatcher
	cfg   Config
}

// New returns the service and registers the kit interfaces with calls.
func New(db *store.DB, clock market.Clock, log *slog.Logger, calls *fulfil.Dispatcher, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || calls == nil {
		return nil, errors.New("enterprise: New needs a database, a clock, a logger and a call dispatcher")
	}
	u, err := url.Parse(cfg.AuthURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("enterprise: AuthURL %q is not an http(s) base address", cfg.AuthURL)
	}
	if cfg.InFlight < 1 {
		return nil, fmt.Errorf("enterprise: InFlight %d must be at least 1", cfg.InFlight)
	}
	cfg.AuthURL = strings.TrimSuffix(cfg.AuthURL, "/")
	s := &Service{db: db, clock: clock, log: log, calls: calls, cfg: cfg}
	s.handleCalls()
	return s, nil
}

// Register adds nothing: the syncs are merchant calls, worked by the dispatcher's worker. It
// exists so that the service is wired like every other.
func (s *Service) Register(*store.Jobs) {}

// DomainName is the auth centre address of the enterprise with tenantCode.
func (s *Service) DomainName(tenantCode string) string { return s.cfg.AuthURL + "/" + tenantCode }

// visible returns an enterprise v may read, or not found.
func (s *Service) visible(ctx context.Context, r store.Reader, v market.Viewer, tenantID string) (*market.Enterprise, error) {
	e, err := r.Enterprise(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !v.SeesEnterprise(e.TenantID, e.AdminID, e.TestMerchantID) {
		return nil, market.Errorf(market.CodeNotFound, "enterprise %s not found", tenantID)
	}
	return e, nil
}

// change runs fn in a transaction on an enterprise v administers, locked against concurrent
// changes: every change of an enterprise and the syncs it queues take one order.
func (s *Service) change(ctx context.Context, v market.Viewer, tenantID string, fn func(tx *store.Tx, e *market.Enterprise) error) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		e, err := s.visible(ctx, tx.Reader, v, tenantID)
		if err != nil {
			return err
		}
		if !v.MayAdminister(e.AdminID, e.TestMerchantID) {
			return market.Errorf(market.CodeForbidden, "only the enterprise's administrator may change it")
		}
		if err := tx.LockEnterprise(ctx, tenantID, s.clock.Now()); err != nil {
			return err
		}
		return fn(tx, e)
	})
}
