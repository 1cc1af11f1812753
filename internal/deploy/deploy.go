// Package deploy is auto-deploy (rules §5): sellers attach Terraform templates (HCL or
// .tf.json, for RFS) to the versions of their assets, each validated by rfs and kept with its
// report; an auto-deploy spec selects an approved asset (checked when its release is
// submitted, kept when it is approved); an app asset needs a valid template before it may be
// submitted. After a purchase the buyer gets a deployment form generated from the template's
// variables, an execution plan pricing every resource from the operator's price table (a
// resource without a price blocks the deployment, as on RFS), and a deployment stored with its
// job and handed to a Deployer by a durable River job.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// Assets is what auto-deploy needs of the asset centre (internal/assets implements it).
type Assets interface {
	// Get returns an asset v may see (not found otherwise).
	Get(ctx context.Context, v market.Viewer, id string) (market.Asset, error)
	// Approved returns an asset with an approved version (a conflict otherwise).
	Approved(ctx context.Context, r store.Reader, assetID string) (market.Asset, error)
	// OnSubmit registers a check run in the transaction submitting an asset.
	OnSubmit(func(ctx context.Context, tx *store.Tx, a market.Asset) error)
	// InUse registers the question whether a product uses an asset.
	InUse(func(ctx context.Context, r store.Reader, assetID string) (bool, error))
}

// Config holds auto-deploy's tunables.
type Config struct {
	// Currency is the price table's currency, the marketplace's.
	Currency string
	// Attempts is how many times a deployment is handed to the deployer before it fails.
	Attempts int
	// AppTemplates refuses to submit an app asset (a package) without a valid template (rules
	// §5.2). Only tests of the asset centre alone turn it off.
	AppTemplates bool
}

// DefaultConfig is a site in currency, trying a deployment five times, requiring app assets'
// templates.
func DefaultConfig(currency string) Config {
	return Config{Currency: currency, Attempts: 5, AppTemplates: true}
}

// Service runs templates, the price table and deployments.
type Service struct {
	db       *store.DB
	clock    market.Clock
	log      *slog.Logger
	assets   Assets
	deployer Deployer
	cfg      Config
}

// New returns the auto-deploy service and hooks it into the asset centre (an app asset needs a
// valid template to be submitted; an asset a spec selects is in use) and into publishing (a
// spec's asset is checked on submission and kept on approval).
func New(db *store.DB, clock market.Clock, log *slog.Logger, assets Assets, pub *publish.Service, deployer Deployer, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || assets == nil || pub == nil || deployer == nil {
		return nil, errors.New("deploy: New needs a database, a clock, a logger, the asset centre, publishing and a deployer")
	}
	if cfg.Currency == "" || cfg.Attempts < 1 {
		return nil, fmt.Errorf("deploy: Config needs a currency and at least 1 attempt")
	}
	s := &Service{db: db, clock: clock, log: log, assets: assets, deployer: deployer, cfg: cfg}
	assets.OnSubmit(s.submitting)
	assets.InUse(func(ctx context.Context, r store.Reader, assetID string) (bool, error) {
		return r.AssetInUse(ctx, assetID)
	})
	pub.OnSpecs(publish.SpecHook{Check: s.checkSpecs, Stored: s.specsStored})
	return s, nil
}

// Queue is auto-deploy's River queue.
const Queue = "deploy"

// Register adds the deployment worker and its queue.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &Worker{S: s})
	j.Queue(Queue, 2)
}

// submitting refuses to submit an app asset (a deployable package) without a valid template
// (rules §5.2: at least one auto-deploy template).
func (s *Service) submitting(ctx context.Context, tx *store.Tx, a market.Asset) error {
	if a.Kind != market.AssetPackage || !s.cfg.AppTemplates {
		return nil
	}
	n, err := tx.CountValidTemplates(ctx, a.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return market.Errorf(market.CodeConflict, "asset %s is an app asset: add at least one auto-deploy template that passes validation before submitting it", a.ID)
	}
	return nil
}
