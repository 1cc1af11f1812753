package assets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// ScanArgs scans version Version of an asset submitted for review.
type ScanArgs struct {
	AssetID string `json:"asset_id"`
	Version int    `json:"version"`
}

// Kind implements river.JobArgs.
func (ScanArgs) Kind() string { return "asset_scan" }

// ScanWorker runs mercato-scan on submitted versions.
type ScanWorker struct {
	river.WorkerDefaults[ScanArgs]
	S *Service
}

// Timeout leaves room for copying the content out of blob storage before the scan's own limit.
func (w *ScanWorker) Timeout(*river.Job[ScanArgs]) time.Duration {
	return w.S.cfg.ScanTimeout + 30*time.Minute
}

// NextRetry backs off on the business clock from half a minute, doubling to an hour: a
// scanner that crashed or timed out is given time (clamd restarting, a database being copied).
func (w *ScanWorker) NextRetry(job *river.Job[ScanArgs]) time.Time {
	return w.S.clock.Now().Add(retryDelay(job.Attempt))
}

// retryDelay is the wait before the retry after attempt.
func retryDelay(attempt int) time.Duration {
	return min(30*time.Second<<min(max(attempt-1, 0), 7), time.Hour)
}

// Work scans the version if the asset still waits for that scan, and records the verdict: an
// approval or a rejection with the report. A scanner failure is recorded on the asset
// (ScanError) and returned, so River retries the job; after the last attempt the asset stays
// SUBMITTED for the operator to rescan.
func (w *ScanWorker) Work(ctx context.Context, job *river.Job[ScanArgs]) error {
	s := w.S
	a, err := s.db.Asset(ctx, job.Args.AssetID)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if a.State != market.AssetSubmitted || a.Version != job.Args.Version {
		return nil
	}
	ver, err := s.db.AssetVersion(ctx, a.ID, a.Version)
	if err != nil {
		return err
	}
	v, err := s.scan(ctx, a, ver)
	if err != nil && ctx.Err() != nil {
		return err // stopped (a shutdown, the job's own timeout): not the scanner's failure
	}
	if err != nil {
		msg := err.Error()
		if job.Attempt >= job.MaxAttempts {
			msg = fmt.Sprintf("%s (gave up after %d attempts; the operator can scan again)", msg, job.Attempt)
		}
		if rerr := s.recordError(context.WithoutCancel(ctx), job.Args, msg); rerr != nil {
			s.log.Error("assets: recording a scan failure", "asset", a.ID, "err", rerr)
		}
		return fmt.Errorf("assets: scanning %s version %d: %w", a.ID, a.Version, err)
	}
	return s.db.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		cur, err := tx.Asset(ctx, a.ID)
		if market.ErrorCode(err) == market.CodeNotFound {
			return nil
		}
		if err != nil || cur.State != market.AssetSubmitted || cur.Version != job.Args.Version {
			return err
		}
		to := market.AssetRejected
		if v.approve {
			to = market.AssetApproved
		}
		ver.Report, ver.DecidedAt = v.report, s.clock.Now()
		return s.move(ctx, tx, cur, ver, to, "scanner", v.summary)
	})
}

// recordError notes a scanner failure on an asset still waiting for the scan.
func (s *Service) recordError(ctx context.Context, args ScanArgs, msg string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := tx.Asset(ctx, args.AssetID)
		if market.ErrorCode(err) == market.CodeNotFound {
			return nil
		}
		if err != nil || a.State != market.AssetSubmitted || a.Version != args.Version {
			return err
		}
		a.ScanError, a.ScanAttempts, a.UpdatedAt = msg, a.ScanAttempts+1, s.clock.Now()
		_, err = tx.UpdateAsset(ctx, a, a.State, a.Version)
		return err
	})
}

// verdict is what a complete scan decided.
type verdict struct {
	approve bool
	report  []byte // compact JSON
	summary string
}

// report is the part of mercato-scan's JSON report (schema mercato-scan/v1, docs/review.md)
// that decides.
type report struct {
	Schema   string `json:"schema"`
	Passed   bool   `json:"passed"`
	Complete bool   `json:"complete"`
	Checks   []struct {
		Rule   string `json:"rule"`
		Status string `json:"status"`
		Detail string `json:"detail"`
	} `json:"checks"`
	Findings []struct {
		Rule     string `json:"rule"`
		Blocking bool   `json:"blocking"`
	} `json:"findings"`
	Errors []string `json:"errors"`
}

// scan copies the version's content to a private temporary file and runs the scanner on it.
func (s *Service) scan(ctx context.Context, a *market.Asset, ver *market.AssetVersion) (*verdict, error) {
	dir, err := os.MkdirTemp(s.cfg.TempDir, "mercato-asset-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	stem, ext := splitExt(ver.FileName, append(slices.Clone(imageExts), packageExts...))
	file := filepath.Join(dir, "content"+ext)
	if err := s.copyOut(ctx, ver, file); err != nil {
		return nil, err
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		return nil, err
	}
	// --name is the package name the package-name rule checks: the file name without extension.
	args := []string{"--json", "--quiet", "--name", stem, "--tmpdir", work}
	// The asset's kind decides the size limit and the password-policy rule, except for an image
	// asset's tarball: a container image, which the scanner treats as a package (no PAM policy),
	// or a rootfs, which it treats as an image; it tells them apart by their content.
	if a.Kind == market.AssetPackage || ext != ".tar" && ext != ".tar.gz" {
		args = append(args, "--kind", lower(a.Kind))
	}
	if s.cfg.OSVDB != "" {
		args = append(args, "--osv-db", s.cfg.OSVDB)
	}
	if s.cfg.Clamd != "" {
		args = append(args, "--clamd", s.cfg.Clamd)
	}
	// Kunpeng's region rule is an image rule (§6.2, §6.3), as checkAsset applies it.
	if a.Kind == market.AssetImage && len(a.Regions) > 0 {
		args = append(args, "--arch-regions", strings.Join(a.Regions, ","), "--kunpeng-regions", strings.Join(s.cfg.KunpengRegions, ","))
	}
	code, stdout, stderr, err := s.run(ctx, append(args, file))
	if err != nil {
		return nil, err
	}
	return s.decide(code, stdout, stderr)
}

// copyOut writes the version's content to file.
func (s *Service) copyOut(ctx context.Context, ver *market.AssetVersion, file string) error {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	r := blobstore.NewReader(ctx, s.bucket, ver.Parts)
	defer r.Close()
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("copying the content out of blob storage: %w", err)
	}
	return f.Close()
}

// run runs the scanner with args under the scan timeout: SIGTERM when it runs out (the scanner
// then removes its temporary files), SIGKILL half a minute later.
func (s *Service) run(ctx context.Context, args []string) (int, []byte, string, error) {
	sctx, cancel := context.WithTimeout(ctx, s.cfg.ScanTimeout)
	defer cancel()
	cmd := exec.CommandContext(sctx, s.cfg.Scanner, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	var stdout bytes.Buffer
	stderr := &tail{max: 4096}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	err := cmd.Run()
	if sctx.Err() != nil {
		if ctx.Err() != nil {
			return 0, nil, "", ctx.Err()
		}
		return 0, nil, "", fmt.Errorf("the scanner ran out of its %s", s.cfg.ScanTimeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() >= 0 {
		return exit.ExitCode(), stdout.Bytes(), stderr.String(), nil
	}
	if err != nil {
		return 0, nil, "", fmt.Errorf("running %s: %w", s.cfg.Scanner, err)
	}
	return 0, stdout.Bytes(), stderr.String(), nil
}

// decide reads the scanner's exit code and report: 0 with a complete, passing report that ran
// every required check approves; 1 with a failing report rejects; anything else is an error.
func (s *Service) decide(code int, stdout []byte, stderr string) (*verdict, error) {
	var r report
	var compact bytes.Buffer
	parsed := json.Unmarshal(stdout, &r) == nil && r.Schema != ""
	if code == 0 || code == 1 {
		if !parsed {
			return nil, fmt.Errorf("the scanner exited %d without a report: %s", code, strings.TrimSpace(stderr))
		}
		if err := json.Compact(&compact, stdout); err != nil {
			return nil, err
		}
	}
	switch {
	case code == 1 && !r.Passed:
		var rules []string
		for _, f := range r.Findings {
			if f.Blocking && !slices.Contains(rules, f.Rule) {
				rules = append(rules, f.Rule)
			}
		}
		return &verdict{report: compact.Bytes(), summary: "rejected by the scan: " + strings.Join(rules, ", ")}, nil
	case code == 0 && r.Passed && r.Complete:
		for _, want := range s.cfg.RequireChecks {
			ran := false
			for _, c := range r.Checks {
				if c.Rule == want {
					if c.Status != "ran" {
						return nil, fmt.Errorf("the scanner's %s check did not run (%s: %s): the scanner is not configured for it", want, c.Status, c.Detail)
					}
					// Packages of an ecosystem the OSV database lacks were not checked: a
					// configuration error (docs/review.md), not a pass.
					if _, missing, ok := strings.Cut(c.Detail, "no database for "); ok && want == "vulnerability" {
						return nil, fmt.Errorf("the scanner's OSV database has no data for %s: add those ecosystems' zips to --osv-db", missing)
					}
					ran = true
				}
			}
			if !ran {
				return nil, fmt.Errorf("the scanner's report has no %s check", want)
			}
		}
		return &verdict{approve: true, report: compact.Bytes(), summary: "passed the scan"}, nil
	case code == 0 || code == 1:
		return nil, fmt.Errorf("the scanner exited %d with a report that says passed=%t, complete=%t", code, r.Passed, r.Complete)
	}
	msg := strings.TrimSpace(stderr)
	if len(r.Errors) > 0 {
		msg = strings.Join(r.Errors, "; ")
	}
	return nil, fmt.Errorf("the scanner exited %d (no verdict): %s", code, msg)
}

// tail keeps the last max bytes written to it.
type tail struct {
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.b) }
