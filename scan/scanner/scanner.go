// Package scanner runs every marketplace check (§6.1–§6.3) on one input
// file and builds the report: it detects the format, walks the files once
// (malware, keys, passwords in files, architecture), then applies the rules
// that read the merged tree (accounts, password policy, vulnerabilities) and
// the limits on the input as a whole.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/clamd"
	"github.com/mercato-oss/mercato/scan/container"
	"github.com/mercato-oss/mercato/scan/diskimg"
	"github.com/mercato-oss/mercato/scan/report"
	"github.com/mercato-oss/mercato/scan/vuln"
)

// Kinds of input (they decide the size limit and which rules apply).
const (
	KindImage   = "image"
	KindPackage = "package"
)

// Config is everything a scan needs; the zero value scans with no clamd
// and no OSV database (those checks are then reported as skipped).
type Config struct {
	// Clamd scans file contents for malware; nil skips the malware check.
	Clamd *clamd.Client
	// OSVDir is the offline OSV database (DIR/<Ecosystem>/all.zip); ""
	// skips vulnerability matching (packages are still inventoried).
	OSVDir string
	// Words is the weak-password dictionary (account-name variants are
	// always tried too).
	Words []string
	// Regions are the regions the image will be published in; empty skips
	// the arch-region check.
	Regions []string
	// KunpengRegions are the regions where Kunpeng (arm64) images may be
	// published (§6.2).
	KunpengRegions []string
	// Kind forces "image" or "package"; "" detects it.
	Kind string
	// Name is the asset name checked by the package-name rule; "" uses the
	// file's base name without its archive extension.
	Name string
	// MaxImageSize and MaxPackageSize are the §6.1 size limits in bytes.
	MaxImageSize, MaxPackageSize int64
	// CVSSThreshold is the lowest blocking base score (7.0).
	CVSSThreshold float64
	// Limits bound archive expansion.
	Limits archive.Limits
	// TempDir holds stages, spools and extracted disks ("" = os.TempDir()).
	TempDir string
	// Counters receives progress; may be nil.
	Counters *archive.Counters
	// Phase is told what the scan is doing, for progress output; may be nil.
	Phase func(string)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Defaults from the marketplace rules.
const (
	DefaultMaxImageSize   = 128 << 30
	DefaultMaxPackageSize = 20 << 30
	DefaultCVSSThreshold  = 7.0
)

// DefaultKunpengRegions returns §6.2's Kunpeng publishing regions (a new
// slice each time: callers may change theirs).
func DefaultKunpengRegions() []string { return []string{"cn-north-4", "cn-east-3", "cn-south-1"} }

// Version is reported in every report.
const Version = "mercato-scan 0.1.0"

// Scan scans the file at path. A non-nil error means no report could be
// made at all (the file cannot be opened); scan problems after that are
// recorded in the report's Errors, with Complete false.
func Scan(ctx context.Context, cfg Config, path string) (*report.Report, error) {
	s, err := newScan(cfg, path)
	if err != nil {
		return nil, err
	}
	defer s.close()
	s.run(ctx)
	return s.finish(), nil
}

type scan struct {
	cfg     Config
	path    string
	file    *os.File
	size    int64
	rep     *report.Report
	start   time.Time
	walker  *archive.Walker
	inv     *vuln.Inventory
	tree    fs.FS  // merged tree for path rules
	dir     string // its directory, for scalibr
	stage   *archive.Stage
	disk    *diskimg.Disk
	image   *container.Image
	arch    archCounter
	checks  map[string]report.Check
	clam    *malwarePool
	scratch []byte
}

func newScan(cfg Config, path string) (*scan, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxImageSize == 0 {
		cfg.MaxImageSize = DefaultMaxImageSize
	}
	if cfg.MaxPackageSize == 0 {
		cfg.MaxPackageSize = DefaultMaxPackageSize
	}
	if cfg.CVSSThreshold == 0 {
		cfg.CVSSThreshold = DefaultCVSSThreshold
	}
	if cfg.KunpengRegions == nil {
		cfg.KunpengRegions = DefaultKunpengRegions()
	}
	if cfg.Counters == nil {
		cfg.Counters = &archive.Counters{}
	}
	if cfg.Phase == nil {
		cfg.Phase = func(string) {}
	}
	if cfg.Limits.TempDir == "" {
		cfg.Limits.TempDir = cfg.TempDir
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	s := &scan{cfg: cfg, path: path, file: f, size: st.Size(), start: cfg.Now(), checks: map[string]report.Check{}}
	s.rep = &report.Report{
		Schema: report.Schema, Scanner: Version, Complete: true, Started: s.start.UTC(),
		Input: report.Input{Path: path, Size: st.Size(), Arch: "unknown"},
	}
	return s, nil
}

func (s *scan) close() {
	if s.stage != nil {
		s.stage.Close()
	}
	if s.disk != nil {
		s.disk.Close()
	}
	s.file.Close()
}

func (s *scan) warn(msg string) {
	if len(s.rep.Warnings) < 1000 {
		s.rep.Warnings = append(s.rep.Warnings, msg)
	} else if len(s.rep.Warnings) == 1000 {
		s.rep.Warnings = append(s.rep.Warnings, "further warnings omitted")
	}
}

// fail records an error that makes the scan incomplete.
func (s *scan) fail(err error) {
	s.rep.Complete = false
	s.rep.Errors = append(s.rep.Errors, err.Error())
}

func (s *scan) check(rule, status, detail string) {
	if old, ok := s.checks[rule]; ok && old.Status == report.CheckFailed {
		return // an error sticks
	}
	s.checks[rule] = report.Check{Rule: rule, Status: status, Detail: detail}
}

func (s *scan) run(ctx context.Context) {
	var head [4096]byte
	n, _ := s.file.ReadAt(head[:], 0)
	format, err := s.detect(head[:n])
	if err != nil {
		s.fail(err)
		return
	}
	s.rep.Input.Format = format
	if s.cfg.Kind != "" {
		s.rep.Input.Kind = s.cfg.Kind
	}
	defer s.inputRules() // size, name and region apply whatever happened inside
	if s.tooBig(format, head[:n]) {
		return
	}
	s.inv, err = vuln.NewInventory()
	if err != nil {
		s.fail(err)
		return
	}
	s.walker = archive.NewWalker(s.cfg.Limits, s.visit, s.cfg.Counters, s.warn)
	s.cfg.Counters.Input.Store(0)
	if s.cfg.Clamd != nil {
		s.clam = newMalwarePool(ctx, s.cfg.Clamd, runtime.GOMAXPROCS(0))
	}
	err = s.walk(ctx, format)
	if s.clam != nil {
		s.clam.wait(s)
	}
	if s.rep.Input.Kind == "" {
		s.rep.Input.Kind = s.detectKind(format)
	}
	switch {
	case err == nil:
		s.treeRules(ctx)
	case errors.Is(err, archive.ErrLimit):
		s.rep.Add(report.Finding{Rule: report.RuleUnscannable, Severity: report.SeverityHigh, Blocking: true,
			Evidence: err.Error(), Detail: "the input expands beyond the scanner's limits (a decompression bomb, or too large to review); repackage it"})
		s.fail(errors.New("scan stopped at an expansion limit"))
	case ctx.Err() != nil:
		s.fail(fmt.Errorf("scan stopped: %w", context.Cause(ctx)))
	default:
		s.fail(err)
	}
}

// detect names the input's format.
func (s *scan) detect(head []byte) (string, error) {
	if f := diskimg.Sniff(head); f != "" && f != diskimg.FormatRaw {
		return f, nil
	}
	switch archive.Sniff(head) {
	case archive.KindZip:
		return "zip", nil
	case archive.KindTar:
		img, err := container.Open(s.file, s.size)
		if err != nil {
			return "", err
		}
		if img != nil {
			s.image = img
			return img.Format, nil
		}
		return "tar", nil
	case archive.KindGzip:
		return "tar.gz", nil
	case archive.KindBzip2:
		return "tar.bz2", nil
	case archive.KindZstd:
		return "tar.zst", nil
	}
	if diskimg.Sniff(head) == diskimg.FormatRaw {
		return diskimg.FormatRaw, nil
	}
	return "", fmt.Errorf("%s: unrecognised format (want qcow2, vmdk, raw disk, docker or OCI archive, tar, tar.gz, zip)", s.path)
}

// finish completes the report.
func (s *scan) finish() *report.Report {
	for _, rule := range []string{report.RuleMalware, report.RuleVulnerability, report.RulePresetPassword, report.RuleWeakPassword,
		report.RuleAuthorizedKeys, report.RulePrivateKey, report.RulePasswordInFile, report.RulePasswordPolicy,
		report.RuleSizeLimit, report.RulePackageName, report.RuleArchRegion} {
		c, ok := s.checks[rule]
		if !ok {
			c = report.Check{Rule: rule, Status: report.CheckSkipped, Detail: "not reached"}
			if s.rep.Complete {
				c.Detail = "not applicable"
			}
		}
		s.rep.Checks = append(s.rep.Checks, c)
	}
	st := &s.rep.Stats
	st.Files, st.Bytes, st.Archives = s.cfg.Counters.Files.Load(), s.cfg.Counters.Bytes.Load(), s.cfg.Counters.Archives.Load()
	s.rep.DurationMS = s.cfg.Now().Sub(s.start).Milliseconds()
	s.rep.Input.Path = filepath.Clean(s.path)
	s.rep.Finish()
	return s.rep
}
