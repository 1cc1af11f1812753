package server

import (
	"flag"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/marketplace"
)

// Assets configures the asset centre (docs/review.md): where content is kept and how
// mercato-scan is run.
type Assets struct {
	// Blob is the asset centre's content store; empty uses --blob (keys under assets/).
	Blob string
	// Scanner is the mercato-scan binary; OSVDB and Clamd are passed to it.
	Scanner, OSVDB, Clamd string
	// ScanTimeout bounds one scan; TempDir is where scans copy content to.
	ScanTimeout time.Duration
	TempDir     string
	// Require lists the scanner checks that must have run for an approval ("none": no check).
	Require string
}

func (c *Config) assetFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Assets.Blob, "asset-blob", env("MERCATO_ASSET_BLOB", ""), "asset centre content: file:///dir or s3://bucket?...; default --blob (MERCATO_ASSET_BLOB)")
	fs.StringVar(&c.Assets.Scanner, "scanner", env("MERCATO_SCANNER", "mercato-scan"), "the mercato-scan binary assets are scanned with (MERCATO_SCANNER)")
	fs.StringVar(&c.Assets.OSVDB, "osv-db", env("MERCATO_SCAN_OSV_DB", ""), "offline OSV database directory passed to mercato-scan (MERCATO_SCAN_OSV_DB)")
	fs.StringVar(&c.Assets.Clamd, "clamd", env("MERCATO_SCAN_CLAMD", ""), "clamd socket passed to mercato-scan: /path or tcp:host:port (MERCATO_SCAN_CLAMD)")
	fs.DurationVar(&c.Assets.ScanTimeout, "scan-timeout", envDuration("MERCATO_SCAN_TIMEOUT", 2*time.Hour), "time limit of one asset scan; a scan that runs out is retried (MERCATO_SCAN_TIMEOUT)")
	fs.StringVar(&c.Assets.TempDir, "scan-tmpdir", env("MERCATO_SCAN_TMPDIR", ""), "where scans copy and unpack assets; default $TMPDIR (MERCATO_SCAN_TMPDIR)")
	fs.StringVar(&c.Assets.Require, "scan-require", env("MERCATO_SCAN_REQUIRE", "malware,vulnerability"),
		"scanner checks that must have run for an approval (they need --clamd and --osv-db); \"none\" for none (MERCATO_SCAN_REQUIRE)")
}

// apply sets the asset centre's configuration; blob is the server's --blob.
func (a Assets) apply(m *marketplace.Config, blob string, insecure bool) {
	m.Assets.Blob = blob
	if a.Blob != "" {
		m.Assets.Blob = a.Blob
	}
	if a.Scanner != "" {
		m.Assets.Scanner = a.Scanner
	}
	m.Assets.OSVDB, m.Assets.Clamd, m.Assets.TempDir, m.Assets.AllowInsecureFetch = a.OSVDB, a.Clamd, a.TempDir, insecure
	if a.ScanTimeout > 0 {
		m.Assets.ScanTimeout = a.ScanTimeout
	}
	if a.Require != "" {
		m.Assets.RequireChecks = nil
		for _, c := range strings.Split(a.Require, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "none" {
				m.Assets.RequireChecks = append(m.Assets.RequireChecks, c)
			}
		}
	}
}
