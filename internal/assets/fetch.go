package assets

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// A version registered by URL is added at once, without content, and a job fetches it: an HTTPS
// download (plain HTTP and private addresses only when the operator allows them, as for
// merchant URLs), stored as parts like an upload. A fetch that fails for a reason of the
// seller's (a 4xx answer, a size over the limit, a SHA-256 mismatch) is recorded on the version
// and not retried; a network or 5xx failure is retried by the job.

// URLRequest registers a new version fetched from a URL.
type URLRequest struct {
	Label string `json:"label"`
	URL   string `json:"url"`
	// FileName defaults to the URL path's last element.
	FileName string `json:"file_name,omitempty"`
	// SHA256, when given, must match the fetched content.
	SHA256 string `json:"sha256,omitempty"`
}

// RegisterURL adds a new version whose content is fetched from r.URL by a job; the version can
// be submitted once its content is stored.
func (s *Service) RegisterURL(ctx context.Context, v market.Viewer, assetID string, r URLRequest) (*market.AssetVersion, error) {
	u, err := url.Parse(r.URL)
	var p market.Problems
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && s.cfg.AllowInsecureFetch)) || u.Host == "" || u.User != nil {
		p.Add("url", "url", "url must be an https:// address without credentials")
	} else if r.FileName == "" {
		r.FileName = path.Base(u.Path)
	}
	if r.SHA256 != "" && !hexSHA256.MatchString(r.SHA256) {
		p.Add("sha256", "sha256", "sha256 must be 64 lowercase hex digits")
	}
	var ver *market.AssetVersion
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.act(ctx, tx.Reader, v, assetID)
		if err != nil {
			return err
		}
		s.checkContent(&p, a, r.Label, r.FileName, 0)
		if err := s.labelFree(ctx, tx.Reader, a.ID, r.Label, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		ver = &market.AssetVersion{Label: r.Label, FileName: r.FileName, SHA256: r.SHA256, SourceURL: r.URL, CreatedBy: by(v)}
		if err := s.addVersion(ctx, tx, a, ver, by(v)); err != nil {
			return err
		}
		return tx.Enqueue(ctx, FetchArgs{AssetID: a.ID, Version: ver.N}, &river.InsertOpts{Queue: Queue, MaxAttempts: 5})
	})
	return ver, err
}

// FetchArgs fetches a version registered by URL.
type FetchArgs struct {
	AssetID string `json:"asset_id"`
	Version int    `json:"version"`
}

// Kind implements river.JobArgs.
func (FetchArgs) Kind() string { return "asset_fetch" }

// FetchWorker fetches versions registered by URL.
type FetchWorker struct {
	river.WorkerDefaults[FetchArgs]
	S *Service
}

// Timeout is the configured fetch time (River's default minute is far too short for an image).
func (w *FetchWorker) Timeout(*river.Job[FetchArgs]) time.Duration {
	return w.S.cfg.FetchTimeout + time.Minute
}

// NextRetry backs off on the business clock, as scans do.
func (w *FetchWorker) NextRetry(job *river.Job[FetchArgs]) time.Time {
	return w.S.clock.Now().Add(retryDelay(job.Attempt))
}

// Work fetches the version's content unless it is already stored or its asset is gone.
func (w *FetchWorker) Work(ctx context.Context, job *river.Job[FetchArgs]) error {
	s := w.S
	a, err := s.db.Asset(ctx, job.Args.AssetID)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	ver, err := s.db.AssetVersion(ctx, a.ID, job.Args.Version)
	if err != nil || ver.Ready || ver.FetchError != "" {
		return err
	}
	fctx, cancel := context.WithTimeout(ctx, s.cfg.FetchTimeout)
	defer cancel()
	parts, size, sum, err := s.fetch(fctx, a, ver)
	var perm *permanent
	if errors.As(err, &perm) {
		ver.FetchError = perm.msg
	} else if err != nil {
		return fmt.Errorf("assets: fetching %s version %d: %w", a.ID, ver.N, err)
	} else {
		ver.Parts, ver.Size, ver.SHA256, ver.Ready = parts, size, sum, true
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.AssetVersion(ctx, a.ID, ver.N)
		if market.ErrorCode(err) == market.CodeNotFound || err == nil && cur.Ready {
			blobstore.DeletePrefix(context.WithoutCancel(ctx), s.bucket, fetchPrefix(a.ID, ver.N))
			return nil
		}
		if err != nil {
			return err
		}
		return tx.UpdateAssetVersion(ctx, ver)
	})
}

// permanent is a fetch failure that a retry would not change.
type permanent struct{ msg string }

func (p *permanent) Error() string { return p.msg }

func fetchPrefix(assetID string, n int) string { return fmt.Sprintf("%sf-%d-", prefix(assetID), n) }

// fetch downloads the version's URL into parts and returns them, the size and the SHA-256.
func (s *Service) fetch(ctx context.Context, a *market.Asset, ver *market.AssetVersion) ([]market.Part, int64, string, error) {
	// A retry starts afresh: parts of an earlier attempt are deleted first.
	if err := blobstore.DeletePrefix(ctx, s.bucket, fetchPrefix(a.ID, ver.N)); err != nil {
		return nil, 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ver.SourceURL, nil)
	if err != nil {
		return nil, 0, "", &permanent{err.Error()}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, "", err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return nil, 0, "", fmt.Errorf("%s answered %s", ver.SourceURL, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, 0, "", &permanent{fmt.Sprintf("%s answered %s", ver.SourceURL, resp.Status)}
	}
	limit := s.limit(a.Kind)
	if resp.ContentLength > limit {
		return nil, 0, "", &permanent{fmt.Sprintf("%s is %d bytes, over the %s limit of %d (rules §6.1)", ver.SourceURL, resp.ContentLength, lower(a.Kind), limit)}
	}
	h, _ := blobstore.ResumeHash(nil)
	buf := s.buffers.Get().(*[]byte)
	defer s.buffers.Put(buf)
	var parts []market.Part
	var size int64
	for {
		room := min(s.cfg.MaxChunk, limit-size)
		if room == 0 { // at the limit: one more byte is over it
			var one [1]byte
			if _, err := io.ReadFull(resp.Body, one[:]); err == nil {
				return nil, 0, "", &permanent{fmt.Sprintf("%s is over the %s limit of %d bytes (rules §6.1)", ver.SourceURL, lower(a.Kind), limit)}
			}
			break
		}
		key := fmt.Sprintf("%s%016d-%s", fetchPrefix(a.ID, ver.N), size, strings.ToLower(market.NewSecret(6)))
		n, err := blobstore.WritePart(ctx, s.bucket, key, io.LimitReader(resp.Body, room), room, h, *buf)
		if err != nil {
			return nil, 0, "", err
		}
		if n == 0 {
			break
		}
		parts, size = append(parts, market.Part{Key: key, Size: n}), size+n
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if size == 0 {
		return nil, 0, "", &permanent{ver.SourceURL + " is empty"}
	}
	if ver.SHA256 != "" && ver.SHA256 != sum {
		return nil, 0, "", &permanent{fmt.Sprintf("SHA-256 mismatch: declared %s, fetched %s", ver.SHA256, sum)}
	}
	return parts, size, sum, nil
}
