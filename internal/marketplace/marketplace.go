// Package marketplace builds the marketplace's services over one database and wires them
// together: the call dispatcher, catalog, identity, publishing and dial tests, licenses, orders,
// billing and metering, the after-sale services, and the jobs they run. The server puts HTTP in
// front of it; tests build it on a fake clock.
package marketplace

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/authcentre"
	"github.com/mercato-oss/mercato/internal/billing"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/dialtest"
	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/inbox"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/notify"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/renewal"
	"github.com/mercato-oss/mercato/internal/resale"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// Config is what the services are built with.
type Config struct {
	Calls    fulfil.Config
	Catalog  catalog.Config
	Identity identity.Config
	Orders   order.Config
	Billing  billing.Config
	Vouchers promo.Config
	// After the sale: supervision, hardware, unsubscriptions, appeals, reminders and renewal,
	// and the buyers' messages (docs/after-sale.md).
	Supervision supervision.Config
	Hardware    hardware.Config
	Aftersale   aftersale.Config
	Appeals     appeal.Config
	Renewal     renewal.Config
	Inbox       inbox.Config
	Licenses    license.RecorderConfig
	Cloud       cloud.Config
	// Assets configures the asset centre: its content store and the scanner it runs.
	Assets assets.Config
	// Deploy configures auto-deploy; Deployer creates the resources (nil: deploy.LocalDeployer,
	// which records the plan).
	Deploy   deploy.Config
	Deployer deploy.Deployer
	// Enterprise configures the joint-operation identity model (the auth centre's address).
	Enterprise enterprise.Config
	// AuthCentre sets the lifetimes of the auth centre's codes, tokens and sessions.
	AuthCentre authcentre.Config
	Publish    publish.Config
	Dial       dialtest.Config
	// HTTP is the client merchant calls go through; nil builds fulfil.NewHTTPClient.
	HTTP *http.Client
}

// DefaultConfig is the production configuration of a site with currency.
func DefaultConfig(currency string) Config {
	return Config{Calls: fulfil.DefaultConfig(), Catalog: catalog.Config{Currency: currency}, Orders: order.DefaultConfig(),
		Billing: billing.DefaultConfig(), Vouchers: promo.DefaultConfig(), Supervision: supervision.DefaultConfig(), Hardware: hardware.DefaultConfig(),
		Aftersale: aftersale.DefaultConfigFor(currency), Appeals: appeal.DefaultConfig(), Renewal: renewal.DefaultConfig(), Licenses: license.DefaultRecorderConfig(), Cloud: cloud.DefaultConfig(),
		Assets: assets.DefaultConfig(), Deploy: deploy.DefaultConfig(currency),
		Enterprise: enterprise.DefaultConfig(), AuthCentre: authcentre.DefaultConfig(),
		Publish: publish.DefaultConfig(), Dial: dialtest.DefaultConfig()}
}

// Services is the marketplace's services, wired together.
type Services struct {
	DB       *store.DB
	Calls    *fulfil.Dispatcher
	Catalog  *catalog.Service
	Identity *identity.Service
	Licenses *license.Service
	Orders   *order.Service
	Billing  *billing.Service
	// Vouchers issues and redeems vouchers and cash coupons.
	Vouchers *promo.Service
	Metering *metering.Service
	Cloud    *cloud.Service
	// Assets is the asset centre: images and packages, their scans and review.
	Assets *assets.Service
	// Deploy is auto-deploy: templates, the price table, deployment forms, plans and deployments.
	Deploy *deploy.Service
	// Enterprises is the joint-operation identity model and its kit syncs.
	Enterprises *enterprise.Service
	// AuthCentre is the joint-operation auth centre (single sign-on).
	AuthCentre *authcentre.Service
	Notify     *notify.Service
	Publish    *publish.Service
	Dial       *dialtest.Service
	Resale     *resale.Service
	// Inbox holds buyers' messages and emails them.
	Inbox *inbox.Service
	// Supervision runs service flows; Hardware stock, shipments and waybills; Aftersale
	// unsubscriptions and refunds; Appeals appeals on flows; Renewal reminders and auto-renewal.
	Supervision *supervision.Service
	Hardware    *hardware.Service
	Aftersale   *aftersale.Service
	Appeals     *appeal.Service
	Renewal     *renewal.Service
}

// New builds the services over db (migrated).
func New(db *store.DB, clock market.Clock, log *slog.Logger, cfg Config) (*Services, error) {
	if db == nil || clock == nil || log == nil {
		return nil, errors.New("marketplace: New needs a database, a clock and a logger")
	}
	client := cfg.HTTP
	if client == nil {
		client = fulfil.NewHTTPClient(cfg.Calls.AllowInsecure)
	}
	s := &Services{DB: db}
	var err error
	if s.Calls, err = fulfil.New(db, clock, log, client, cfg.Calls); err != nil {
		return nil, err
	}
	if s.Catalog, err = catalog.New(db, clock, cfg.Catalog); err != nil {
		return nil, err
	}
	if s.Identity, err = identity.New(db, clock, cfg.Identity); err != nil {
		return nil, err
	}
	if s.Notify, err = notify.New(db, clock); err != nil {
		return nil, err
	}
	if s.Publish, err = publish.New(db, clock, s.Catalog, s.Notify, cfg.Publish); err != nil {
		return nil, err
	}
	if s.Dial, err = dialtest.New(db, clock, s.Calls, s.Publish, s.Notify, cfg.Dial); err != nil {
		return nil, err
	}
	if s.Resale, err = resale.New(db, clock); err != nil {
		return nil, err
	}
	if s.Licenses, err = license.New(db, clock, log, cfg.Licenses); err != nil {
		return nil, err
	}
	if s.Vouchers, err = promo.New(db, clock, cfg.Vouchers); err != nil {
		return nil, err
	}
	if s.Orders, err = order.New(db, clock, log, s.Calls, s.Licenses, s.Vouchers, cfg.Orders); err != nil {
		return nil, err
	}
	if s.Billing, err = billing.New(db, clock, log, s.Orders, s.Vouchers, cfg.Billing); err != nil {
		return nil, err
	}
	if s.Metering, err = metering.New(db, clock, log, s.Billing); err != nil {
		return nil, err
	}
	if s.Cloud, err = cloud.New(db, clock, log, s.Licenses, cfg.Cloud); err != nil {
		return nil, err
	}
	if s.Assets, err = assets.New(db, clock, log, s.Notify, cfg.Assets); err != nil {
		return nil, err
	}
	deployer := cfg.Deployer
	if deployer == nil {
		deployer = deploy.LocalDeployer{}
	}
	if s.Deploy, err = deploy.New(db, clock, log, s.Assets, s.Publish, deployer, cfg.Deploy); err != nil {
		return nil, err
	}
	if s.Enterprises, err = enterprise.New(db, clock, log, s.Calls, cfg.Enterprise); err != nil {
		return nil, err
	}
	if s.AuthCentre, err = authcentre.New(db, clock, log, cfg.AuthCentre); err != nil {
		return nil, err
	}
	return s, s.afterSale(db, clock, log, cfg)
}

// afterSale builds the after-sale services, which hook into orders (purchases, expiries).
func (s *Services) afterSale(db *store.DB, clock market.Clock, log *slog.Logger, cfg Config) error {
	var err error
	if s.Inbox, err = inbox.New(db, clock, log, cfg.Inbox); err != nil {
		return err
	}
	if s.Supervision, err = supervision.New(db, clock, log, s.Orders, cfg.Supervision); err != nil {
		return err
	}
	if s.Hardware, err = hardware.New(db, clock, log, s.Orders, s.Supervision, cfg.Hardware); err != nil {
		return err
	}
	if s.Aftersale, err = aftersale.New(db, clock, log, s.Orders, s.Supervision, s.Hardware, s.Vouchers, s.Inbox, cfg.Aftersale); err != nil {
		return err
	}
	// Unused vouchers scoped to a discontinued spec or SKU become unusable (rules §1.6, §11.1).
	s.Publish.OnDiscontinued(func(ctx context.Context, tx *store.Tx, _, skuCode, skuID string) error {
		if skuID != "" {
			return s.Vouchers.SpecDiscontinued(ctx, tx, skuID)
		}
		return s.Vouchers.SpecDiscontinued(ctx, tx, skuCode)
	})
	if s.Appeals, err = appeal.New(db, clock, log, s.Supervision, s.Aftersale, s.Inbox, cfg.Appeals); err != nil {
		return err
	}
	s.Renewal, err = renewal.New(db, clock, log, s.Orders, s.Inbox, cfg.Renewal)
	return err
}

// Jobs returns every worker, queue and periodic job of the services, for the job queue.
func (s *Services) Jobs() *store.Jobs {
	j := store.NewJobs()
	s.Calls.Register(j)
	s.Orders.Register(j)
	s.Licenses.Register(j)
	s.Metering.Register(j)
	s.Billing.Register(j)
	s.Cloud.Register(j)
	s.Assets.Register(j)
	s.Deploy.Register(j)
	s.Enterprises.Register(j)
	s.AuthCentre.Register(j)
	s.Publish.Register(j)
	s.Dial.Register(j)
	s.Resale.Register(j)
	s.Inbox.Register(j)
	s.Supervision.Register(j)
	s.Hardware.Register(j)
	s.Aftersale.Register(j)
	s.Renewal.Register(j)
	return j
}
