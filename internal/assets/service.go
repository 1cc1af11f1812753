// Package assets is the asset centre (rules §5.2, §6.1–§6.3): a merchant's VM images, container
// images and deployable software packages, each with versions, uploaded (resumably) or
// registered by URL, scanned by mercato-scan and reviewed. The review state machine is
// DRAFT → SUBMITTED (scanning) → APPROVED | REJECTED (with the scan report), and appeals
// REJECTED → APPEALED → APPROVED | REJECTED, decided by the operator with a comment.
//
// Scans run as durable jobs that copy the version's content from blob storage to a private
// temporary file and run the scanner as a subprocess with a timeout; its exit code and JSON
// report decide. A scanner that crashes, times out or leaves a required check unrun is an error
// that is retried, never a rejection. Content goes to blob storage (blobstore: a local
// directory, or S3-compatible storage shared by several replicas), metadata to the database.
package assets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"gocloud.dev/blob"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/notify"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config is the asset centre's part of the marketplace's configuration.
type Config struct {
	// Blob is the content store's URL (blobstore.Open): file:///dir, s3://bucket?..., mem://.
	// Content is kept under assets/ in it, so it may be the cloud's store.
	Blob string
	// Scanner is the mercato-scan binary (a path, or a name looked up in $PATH).
	Scanner string
	// OSVDB and Clamd are passed to the scanner as --osv-db and --clamd when set.
	OSVDB string
	Clamd string
	// ScanTimeout bounds one scan; a scan that runs out is retried, up to ScanAttempts times.
	ScanTimeout  time.Duration
	ScanAttempts int
	// RequireChecks are the scanner's checks that must have run for a passing report to approve
	// (docs/review.md: a skipped check is not a pass). The default requires malware and
	// vulnerability, which need Clamd and OSVDB.
	RequireChecks []string
	// TempDir is where scans copy content to (and the scanner unpacks); "" is os.TempDir().
	TempDir string
	// UploadTTL is how long an upload may stay incomplete; MaxChunk bounds one upload request.
	UploadTTL time.Duration
	MaxChunk  int64
	// MaxImage and MaxPackage are the size limits of rules §6.1 (128 GB, 20 GB).
	MaxImage   int64
	MaxPackage int64
	// KunpengRegions are where ARM64 (Kunpeng) images may be published (rules §6.2).
	KunpengRegions []string
	// FetchTimeout bounds fetching a version registered by URL; AllowInsecureFetch allows plain
	// HTTP and private addresses (tests, a private mirror).
	FetchTimeout       time.Duration
	AllowInsecureFetch bool
}

// DefaultConfig keeps content in memory (the server sets Blob) and runs mercato-scan from $PATH.
func DefaultConfig() Config {
	return Config{Blob: "mem://", Scanner: "mercato-scan", ScanTimeout: 2 * time.Hour, ScanAttempts: 8,
		RequireChecks: []string{"malware", "vulnerability"}, UploadTTL: 7 * 24 * time.Hour, MaxChunk: 64 << 20,
		MaxImage: 128 << 30, MaxPackage: 20 << 30, KunpengRegions: []string{"cn-north-4", "cn-east-3", "cn-south-1"},
		FetchTimeout: 6 * time.Hour}
}

// Service is the asset centre.
type Service struct {
	db     *store.DB
	clock  market.Clock
	log    *slog.Logger
	notify *notify.Service
	bucket *blob.Bucket
	cfg    Config
	client *http.Client
	// hooks registered by the features that build on assets (deploy, catalog).
	onSubmit []func(ctx context.Context, tx *store.Tx, a market.Asset) error
	inUse    []func(ctx context.Context, r store.Reader, assetID string) (bool, error)
	buffers  sync.Pool
}

// New opens the content store named by cfg.Blob and returns the service, which tells merchants
// of their assets' verdicts through their message centre. Close it after the last request.
func New(db *store.DB, clock market.Clock, log *slog.Logger, messages *notify.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || messages == nil {
		return nil, errors.New("assets: New needs a database, a clock, a logger and the message centre")
	}
	if cfg.Scanner == "" || cfg.ScanTimeout <= 0 || cfg.ScanAttempts <= 0 || cfg.UploadTTL <= 0 || cfg.MaxChunk <= 0 ||
		cfg.MaxImage <= 0 || cfg.MaxPackage <= 0 || cfg.FetchTimeout <= 0 {
		return nil, errors.New("assets: Config needs a Scanner and positive ScanTimeout, ScanAttempts, UploadTTL, MaxChunk, MaxImage, MaxPackage and FetchTimeout")
	}
	bucket, err := blobstore.Open(context.Background(), cfg.Blob)
	if err != nil {
		return nil, fmt.Errorf("assets: content store %q: %w", cfg.Blob, err)
	}
	s := &Service{db: db, clock: clock, log: log, notify: messages, bucket: bucket, cfg: cfg, client: fulfil.NewHTTPClient(cfg.AllowInsecureFetch)}
	s.buffers.New = func() any { b := make([]byte, 256<<10); return &b }
	return s, nil
}

// Close closes the content store.
func (s *Service) Close() error { return s.bucket.Close() }

// Queue is the River queue of the asset centre's jobs. Scans are heavy: two at a time per process.
const Queue = "assets"

// Register adds the asset centre's workers: scans, URL fetches and upload expiry.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &ScanWorker{S: s})
	store.AddWorker(j, &FetchWorker{S: s})
	store.AddWorker(j, &ExpiryWorker{S: s})
	j.Queue(Queue, 2)
}

// MaxChunk is the most bytes one upload request may carry.
func (s *Service) MaxChunk() int64 { return s.cfg.MaxChunk }

// OnSubmit registers a check that runs in the transaction submitting an asset for review; an
// error refuses the submission (deploy requires an app asset's templates this way). Register
// hooks while wiring, before the service serves.
func (s *Service) OnSubmit(fn func(ctx context.Context, tx *store.Tx, a market.Asset) error) {
	s.onSubmit = append(s.onSubmit, fn)
}

// InUse registers a question "does a product use this asset?": an asset in use may not be
// deleted. Until a feature registers one, no asset is in use.
func (s *Service) InUse(fn func(ctx context.Context, r store.Reader, assetID string) (bool, error)) {
	s.inUse = append(s.inUse, fn)
}

// used reports whether any registered hook says the asset is in use.
func (s *Service) used(ctx context.Context, r store.Reader, id string) (bool, error) {
	for _, fn := range s.inUse {
		if ok, err := fn(ctx, r, id); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// read returns an asset v may see: the operator every asset, a seller its merchant's; buyers
// none. Others get not-found.
func (s *Service) read(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.Asset, error) {
	a, err := r.Asset(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("asset", id, "", a.MerchantID); err != nil {
		return nil, err
	}
	return a, nil
}

// act returns an asset v may change: the operator, a seller admin or operations user of its
// merchant (another merchant's seller gets not-found, the finance role forbidden).
func (s *Service) act(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.Asset, error) {
	a, err := r.Asset(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.MustActAs("asset", id, a.MerchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	return a, nil
}

// Get returns an asset v may see.
func (s *Service) Get(ctx context.Context, v market.Viewer, id string) (market.Asset, error) {
	a, err := s.read(ctx, s.db.Reader, v, id)
	if err != nil {
		return market.Asset{}, err
	}
	return *a, nil
}

// Detail is an asset with its versions (newest first) and review history.
type Detail struct {
	Asset    market.Asset
	Versions []*market.AssetVersion
	Events   []*market.AssetEvent
}

// Detail returns an asset v may see with its versions, their scan reports, and its history.
func (s *Service) Detail(ctx context.Context, v market.Viewer, id string) (*Detail, error) {
	a, err := s.read(ctx, s.db.Reader, v, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Asset: *a}
	if d.Versions, err = s.db.AssetVersions(ctx, id); err != nil {
		return nil, err
	}
	if d.Events, err = s.db.AssetEvents(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// Approved returns an asset that has an approved version, for the features that deploy it
// (ApprovedVersion names that version): not-found when there is no such asset, conflict when
// none of its versions is approved. It takes no viewer: the caller has already decided who
// may use the asset (a product's own merchant).
func (s *Service) Approved(ctx context.Context, r store.Reader, assetID string) (market.Asset, error) {
	a, err := r.Asset(ctx, assetID)
	if err != nil {
		return market.Asset{}, err
	}
	if a.ApprovedVersion == 0 {
		return market.Asset{}, market.Errorf(market.CodeConflict, "asset %s has no approved version (it is %s)", assetID, a.State)
	}
	return *a, nil
}

// ListFilter selects assets to list.
type ListFilter struct {
	MerchantID string // the operator's choice; a seller always lists its own merchant's
	Kind       market.AssetKind
	State      market.AssetState
	// Queue lists the longest-waiting first: the operator's review queue.
	Queue bool
	Page  store.Page
}

// List lists the assets v may see.
func (s *Service) List(ctx context.Context, v market.Viewer, f ListFilter) ([]*market.Asset, store.Cursor, error) {
	_, merchant, ok := v.Scope("", f.MerchantID)
	if !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "only sellers and the operator see assets")
	}
	return s.db.Assets(ctx, store.AssetFilter{MerchantID: merchant, Kind: f.Kind, State: f.State, Queue: f.Queue, Page: f.Page})
}

// by names who does something, for the review history.
func by(v market.Viewer) string {
	switch {
	case v.IsOperator():
		return "operator"
	case v.UserID != "":
		return v.UserID
	}
	return "merchant:" + v.MerchantID
}

// prefix is where an asset's content is kept in the bucket.
func prefix(assetID string) string { return "assets/" + assetID + "/" }

// Content opens version n of an asset v may see, for download (the operator checking an appeal,
// the seller its own upload) or for the features that deploy it. The version's content must be
// stored. Close the reader after use.
func (s *Service) Content(ctx context.Context, v market.Viewer, id string, n int) (*market.AssetVersion, *blobstore.Reader, error) {
	if _, err := s.read(ctx, s.db.Reader, v, id); err != nil {
		return nil, nil, err
	}
	ver, err := s.db.AssetVersion(ctx, id, n)
	if err != nil {
		return nil, nil, err
	}
	if !ver.Ready {
		return nil, nil, market.Errorf(market.CodeConflict, "version %s of asset %s has no content yet", ver.Label, id)
	}
	return ver, blobstore.NewReader(ctx, s.bucket, ver.Parts), nil
}
