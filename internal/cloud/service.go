// Package cloud is the industrial-software cloud (rules §7): each instance of a package that
// declares "data in cloud" gets a drive of folders, files and assemblies, every save a new
// version, with exclusive check-out; the packages' fields (upgrades, trials, install mode, quota);
// license requests verified against the buyer's instance; and solve jobs.
//
// Content goes to blob storage (gocloud.dev/blob: a local directory, or S3-compatible storage
// shared by several replicas), metadata to the database. An upload is resumable: each request
// stores its bytes as one part and the running SHA-256's state in the upload's row, so neither a
// resume nor the completion reads earlier parts again, and a version is the list of its parts.
// A restore shares the parts of the version it restores.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gocloud.dev/blob"

	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// Config is the cloud's part of the marketplace's configuration.
type Config struct {
	// Blob is the content store's URL: file:///dir (a local directory), s3://bucket?... (see
	// OpenBucket) or mem:// (in memory, for tests).
	Blob string
	// DefaultQuota bounds a drive whose package sets no quota.
	DefaultQuota int64
	// UploadTTL is how long an upload may stay incomplete before its parts are deleted.
	UploadTTL time.Duration
	// MaxChunk bounds the bytes of one upload request.
	MaxChunk int64
	// Assembly bounds what an assembly may unpack to.
	Assembly cloudfs.Limits
}

// DefaultConfig keeps content in memory: the server sets Blob from --blob.
func DefaultConfig() Config {
	return Config{Blob: "mem://", DefaultQuota: 20 << 30, UploadTTL: 24 * time.Hour, MaxChunk: 64 << 20, Assembly: cloudfs.DefaultLimits()}
}

// Service is the industrial-software cloud.
type Service struct {
	db       *store.DB
	clock    market.Clock
	log      *slog.Logger
	bucket   *blob.Bucket
	licenses *license.Service
	cfg      Config
	signer   signer
	// buffers hold the buffers parts are copied through: blob.Writer's own ReadFrom would
	// allocate a fresh megabyte for every part.
	buffers sync.Pool
}

// New opens the content store named by cfg.Blob and returns the service. Close it after the
// last request.
func New(db *store.DB, clock market.Clock, log *slog.Logger, licenses *license.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || licenses == nil {
		return nil, errors.New("cloud: New needs a database, a clock, a logger and the license service")
	}
	if cfg.DefaultQuota <= 0 || cfg.UploadTTL <= 0 || cfg.MaxChunk <= 0 || cfg.Assembly.MaxEntries <= 0 || cfg.Assembly.MaxUnpacked <= 0 {
		return nil, errors.New("cloud: Config needs a positive DefaultQuota, UploadTTL, MaxChunk and Assembly limits")
	}
	// Opening a bucket reads its configuration (S3 credentials, a directory); it does no work
	// that a request's context should bound.
	bucket, err := OpenBucket(context.Background(), cfg.Blob)
	if err != nil {
		return nil, fmt.Errorf("cloud: content store %q: %w", cfg.Blob, err)
	}
	s := &Service{db: db, clock: clock, log: log, bucket: bucket, licenses: licenses, cfg: cfg}
	s.buffers.New = func() any { b := make([]byte, 256<<10); return &b }
	return s, nil
}

// Close closes the content store.
func (s *Service) Close() error { return s.bucket.Close() }

// Queue is the River queue of the cloud's jobs.
const Queue = "cloud"

// Register adds the cloud's workers: upload expiry and the stub solver.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &ExpiryWorker{S: s})
	store.AddWorker(j, &SolveWorker{S: s})
	j.Queue(Queue, 2)
}

// MaxChunk is the most bytes one upload request may carry.
func (s *Service) MaxChunk() int64 { return s.cfg.MaxChunk }

// access is what a viewer may do with an instance's drive.
type access struct {
	in   *market.Instance
	pkg  *market.IndustrialPackage
	user string
}

// userOf is who holds check-outs and authors versions: the person behind the viewer, else the
// buyer account itself, else the operator.
func userOf(v market.Viewer) string {
	switch {
	case v.UserID != "":
		return v.UserID
	case v.Role == market.RoleBuyer:
		return v.BuyerID
	case v.Role == market.RoleOperator:
		return "operator"
	}
	return ""
}

// isAdmin reports whether v may release another user's check-out: the operator, or the buyer
// account itself (which administers its enterprise users), not one of its users.
func isAdmin(v market.Viewer) bool {
	return v.IsOperator() || v.Role == market.RoleBuyer && v.BuyerID != "" && v.UserID == ""
}

// drive checks that v may use instance key's drive (write: change it) and returns the access.
// A drive holds the buyer's designs, so a seller sees none: only the buyer and the operator.
func (s *Service) drive(ctx context.Context, r store.Reader, v market.Viewer, key string, write bool) (*access, error) {
	in, pkg, err := s.instance(ctx, r, v, key)
	if err != nil {
		return nil, err
	}
	if !pkg.DataInCloud {
		return nil, market.Errorf(market.CodeConflict, "instance %s: its package does not keep data in the cloud", key)
	}
	switch {
	case in.State == market.InstanceActive:
	case in.State == market.InstanceFrozen && !write:
	case in.State == market.InstanceFrozen:
		return nil, market.Errorf(market.CodeConflict, "instance %s is frozen: its drive is read-only until it is renewed", key)
	default:
		return nil, market.Errorf(market.CodeConflict, "instance %s is %s: it has no drive", key, in.State)
	}
	return &access{in: in, pkg: pkg, user: userOf(v)}, nil
}

// quota is the drive's quota.
func (s *Service) quota(a *access) int64 {
	if a.pkg.QuotaBytes > 0 {
		return a.pkg.QuotaBytes
	}
	return s.cfg.DefaultQuota
}

// DriveInfo is a drive as its console shows it.
type DriveInfo struct {
	Drive   market.Drive
	Package *market.IndustrialPackage
	User    string // who the viewer acts as
}

// Drive returns an instance's drive: its package, quota and usage.
func (s *Service) Drive(ctx context.Context, v market.Viewer, key string) (*DriveInfo, error) {
	a, err := s.drive(ctx, s.db.Reader, v, key, false)
	if err != nil {
		return nil, err
	}
	used, reserved, err := s.db.Drive(ctx, key)
	if err != nil {
		return nil, err
	}
	return &DriveInfo{Drive: market.Drive{InstanceKey: key, UsedBytes: used, Reserved: reserved, QuotaBytes: s.quota(a)}, Package: a.pkg, User: a.user}, nil
}

// file reads a drive entry that v may use.
func (s *Service) file(ctx context.Context, r store.Reader, v market.Viewer, id string, write bool) (*market.CloudFile, *access, error) {
	f, err := r.CloudFile(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.drive(ctx, r, v, f.InstanceKey, write)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil, nil, market.Errorf(market.CodeNotFound, "file %s not found", id)
	}
	return f, a, err
}
