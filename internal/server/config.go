// Package server wires the marketplace together: configuration, the database and its job
// queue, the feature services and their workers, the HTTP routes, and graceful shutdown.
package server

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// Config is everything `mercato serve` is told. Environment variables MERCATO_* give defaults;
// flags override them.
type Config struct {
	Addr string
	// PublicURL is the address users and merchants reach this server at; the joint-operation
	// auth centre's addresses (tenantSync's domainName) are under it. Default: http://Addr.
	PublicURL              string
	DB                     string
	Site                   string // cn, intl or eu
	GraceDays              int
	RetentionDays          int
	AllowInsecureMerchants bool
	Sandbox                bool
	// SandboxSeed is what the sandbox merchant is seeded with; empty values come from an earlier
	// start's database or are generated.
	SandboxSeed SandboxSeed
	// OperatorToken authenticates the operator on the JSON API; generated and printed when empty.
	OperatorToken string
	// CallWorkers is how many merchant calls run at once per process; CallsPerMerchant how many
	// of them may go to one merchant.
	CallWorkers      int
	CallsPerMerchant int
	// BillDay is the day of the month merchants' statements are made; FeePerMille the platform's
	// fee on their sales, in thousandths.
	BillDay     int
	FeePerMille int64
	// KeyFile holds the keys that seal stored secrets (merchant keys, SKs, appInfo); it is
	// created when missing. Default: beside the SQLite database, or ./mercato.key for PostgreSQL.
	// Replicas sharing a PostgreSQL database need the same file.
	KeyFile string
	// TLSCert and TLSKey, when set, make the server speak HTTPS itself (otherwise put it behind
	// a reverse proxy that does, docs/operator-guide.md).
	TLSCert, TLSKey string
	// ShutdownGrace is how long a stopping server lets requests and merchant calls in flight
	// finish before it cancels them.
	ShutdownGrace time.Duration
	// Blob is where the industrial-software cloud keeps file content: file:///dir, or
	// s3://bucket?... shared by several replicas. Empty: a directory beside the SQLite file.
	Blob string
	// NoConsole turns the web consoles (internal/web, served at /) off; they are on by default.
	NoConsole bool
	// Assets configures the asset centre and its scanner (assets.go).
	Assets Assets
	// Deploy configures auto-deploy's local deployer (deploy.go).
	Deploy Deploy
	// Publishing holds the publishing choices the rules leave open (publishing.go).
	Publishing Publishing
	// AfterSale holds the after-sale rules' settings and the SMTP server reminders go out
	// through (aftersale.go).
	AfterSale AfterSale

	Log   *slog.Logger
	Clock market.Clock
	// Out receives what the operator must see once: generated tokens and sandbox keys.
	Out io.Writer
}

// Site is what a KooGallery site sets: the currency and the open-API host names.
type Site struct {
	Name         string
	Currency     string
	APIHost      string
	FallbackHost string
}

// Sites are the three KooGallery sites (protocol §8.1).
var Sites = map[string]Site{
	"cn":   {"cn", "CNY", kgp.HostChina, kgp.HostChinaFallback},
	"intl": {"intl", "USD", kgp.HostIntl, kgp.HostChinaFallback},
	"eu":   {"eu", "EUR", kgp.HostEurope, ""},
}

// DefaultAddr and DefaultDB are the defaults of --addr and --db.
const (
	DefaultAddr = "127.0.0.1:8080"
	DefaultDB   = "sqlite:./mercato.db"
)

// DefaultConfig is the configuration of `mercato serve` without flags or environment: what tests,
// benchmarks and the demo start from.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, DB: DefaultDB, Site: "cn", RetentionDays: 15, CallWorkers: 20, CallsPerMerchant: 4,
		BillDay: 7, FeePerMille: 50, ShutdownGrace: 30 * time.Second}
}

// Flags registers the serve flags on fs, with defaults from the environment.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("MERCATO_ADDR", DefaultAddr), "listen address (MERCATO_ADDR)")
	fs.StringVar(&c.PublicURL, "public-url", os.Getenv("MERCATO_PUBLIC_URL"), "address users and merchants reach this server at; default http://ADDR (MERCATO_PUBLIC_URL)")
	c.DBFlag(fs)
	fs.StringVar(&c.Site, "site", env("MERCATO_SITE", "cn"), "KooGallery site: cn, intl or eu; sets currency and open-API hosts (MERCATO_SITE)")
	fs.IntVar(&c.GraceDays, "grace-days", envInt("MERCATO_GRACE_DAYS", 0), "days an expired instance stays usable before it is frozen (MERCATO_GRACE_DAYS)")
	fs.IntVar(&c.RetentionDays, "retention-days", envInt("MERCATO_RETENTION_DAYS", 15), "days a frozen instance is kept before release (MERCATO_RETENTION_DAYS)")
	fs.BoolVar(&c.AllowInsecureMerchants, "allow-insecure-merchants", envBool("MERCATO_ALLOW_INSECURE_MERCHANTS"), "allow plain-HTTP and loopback merchant URLs (MERCATO_ALLOW_INSECURE_MERCHANTS)")
	fs.BoolVar(&c.Sandbox, "sandbox", envBool("MERCATO_SANDBOX"), "play KooGallery for one merchant: seed a sandbox merchant, catalog and instance (MERCATO_SANDBOX)")
	fs.IntVar(&c.CallWorkers, "call-workers", envInt("MERCATO_CALL_WORKERS", 20), "merchant calls in flight per process (MERCATO_CALL_WORKERS)")
	fs.IntVar(&c.CallsPerMerchant, "calls-per-merchant", envInt("MERCATO_CALLS_PER_MERCHANT", 4), "merchant calls in flight to one merchant per process (MERCATO_CALLS_PER_MERCHANT)")
	fs.IntVar(&c.BillDay, "bill-day", envInt("MERCATO_BILL_DAY", 7), "day of the month merchants' statements are made (MERCATO_BILL_DAY)")
	fs.StringVar(&c.KeyFile, "key-file", env("MERCATO_KEY_FILE", ""), "keys that seal stored secrets; created when missing (default: beside the SQLite file, or ./mercato.key) (MERCATO_KEY_FILE)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("MERCATO_TLS_CERT", ""), "PEM certificate chain: serve HTTPS (MERCATO_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", env("MERCATO_TLS_KEY", ""), "PEM private key of --tls-cert (MERCATO_TLS_KEY)")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", envDuration("MERCATO_SHUTDOWN_GRACE", 30*time.Second), "how long SIGTERM waits for requests and merchant calls in flight (MERCATO_SHUTDOWN_GRACE)")
	fs.Int64Var(&c.FeePerMille, "fee-permille", int64(envInt("MERCATO_FEE_PERMILLE", 50)), "platform fee on merchants' sales, in thousandths (MERCATO_FEE_PERMILLE)")
	fs.StringVar(&c.Blob, "blob", os.Getenv("MERCATO_BLOB"), "cloud file content: file:///dir or s3://bucket?endpoint=...; default a directory beside the SQLite file (MERCATO_BLOB)")
	fs.BoolVar(&c.NoConsole, "no-console", envBool("MERCATO_NO_CONSOLE"), "do not serve the web consoles at / (MERCATO_NO_CONSOLE)")
	c.publishingFlags(fs)
	c.assetFlags(fs)
	c.deployFlags(fs)
	c.afterSaleFlags(fs)
	c.OperatorToken = os.Getenv("MERCATO_OPERATOR_TOKEN")
	c.SandboxSeed = SandboxSeed{
		URL: os.Getenv("MERCATO_SANDBOX_URL"), AccessKey: os.Getenv("MERCATO_SANDBOX_KEY"), KitKey: os.Getenv("MERCATO_SANDBOX_KIT_KEY"),
		AK: os.Getenv("MERCATO_SANDBOX_AK"), SK: os.Getenv("MERCATO_SANDBOX_SK"), BuyerToken: os.Getenv("MERCATO_SANDBOX_BUYER_TOKEN"),
	}
}

// SandboxSeed is what `serve --sandbox` is told about its merchant (MERCATO_SANDBOX_*).
type SandboxSeed struct {
	URL        string // MERCATO_SANDBOX_URL: the merchant's production interface
	AccessKey  string // MERCATO_SANDBOX_KEY
	KitKey     string // MERCATO_SANDBOX_KIT_KEY
	AK, SK     string // MERCATO_SANDBOX_AK, MERCATO_SANDBOX_SK
	BuyerToken string // MERCATO_SANDBOX_BUYER_TOKEN
}

// KeyFilePath is the key file of the configuration: --key-file, or the default beside the
// SQLite database, or ./mercato.key for PostgreSQL.
func (c *Config) KeyFilePath() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	if path, ok := strings.CutPrefix(c.DB, "sqlite:"); ok {
		return path + ".key"
	}
	if !strings.Contains(c.DB, "://") {
		return c.DB + ".key"
	}
	return "mercato.key"
}

// DBFlag registers --db alone (for `mercato migrate`).
func (c *Config) DBFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", env("MERCATO_DB", DefaultDB), "database: sqlite:PATH or postgres://... (MERCATO_DB)")
}

// Check validates the configuration and fills what is derived.
func (c *Config) Check() error {
	if _, ok := Sites[c.Site]; !ok {
		return fmt.Errorf("--site must be cn, intl or eu, not %q", c.Site)
	}
	if c.GraceDays < 0 || c.RetentionDays < 0 || c.GraceDays > 365 || c.RetentionDays > 365 {
		return fmt.Errorf("--grace-days and --retention-days must be 0 to 365")
	}
	if c.CallWorkers < 1 || c.CallWorkers > 1000 {
		return fmt.Errorf("--call-workers must be 1 to 1000")
	}
	if c.CallsPerMerchant == 0 {
		c.CallsPerMerchant = min(fulfil.DefaultConfig().PerMerchant, c.CallWorkers)
	}
	if c.CallsPerMerchant < 1 || c.CallsPerMerchant > c.CallWorkers {
		return fmt.Errorf("--calls-per-merchant must be 1 to --call-workers (%d)", c.CallWorkers)
	}
	if c.BillDay == 0 {
		c.BillDay = 7
	}
	if c.BillDay < 1 || c.BillDay > 28 || c.FeePerMille < 0 || c.FeePerMille > 1000 {
		return fmt.Errorf("--bill-day must be 1 to 28 and --fee-permille 0 to 1000")
	}
	if c.PublicURL == "" {
		host := c.Addr
		if host == "" || strings.HasPrefix(host, ":") {
			host = "127.0.0.1" + host
		}
		c.PublicURL = "http://" + host
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return fmt.Errorf("--public-url must be an http(s) address, not %q", c.PublicURL)
	}
	if c.Sandbox {
		c.AllowInsecureMerchants = true // the sandbox merchant runs on the developer's machine
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = 30 * time.Second
	}
	if c.ShutdownGrace < time.Second || c.ShutdownGrace > time.Hour {
		return fmt.Errorf("--shutdown-grace must be 1s to 1h")
	}
	if c.Blob == "" {
		c.Blob = DefaultBlob(c.DB)
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if c.Clock == nil {
		c.Clock = market.SystemClock{}
	}
	if c.Out == nil {
		c.Out = os.Stdout
	}
	return nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

// DefaultBlob is the content store beside a SQLite database ("x.db" → directory "x.db-blobs").
// A PostgreSQL database has no file to stand beside: its default is the user's data directory
// ($XDG_DATA_HOME/mercato/blobs, else ~/.local/share/mercato/blobs), which serves replicas on one
// machine; replicas on several machines need shared storage (s3://).
func DefaultBlob(db string) string {
	var dir string
	if p, ok := strings.CutPrefix(db, "sqlite:"); ok || !strings.Contains(db, "://") {
		if !ok {
			p = db
		}
		dir = p + "-blobs"
	} else if data := os.Getenv("XDG_DATA_HOME"); data != "" {
		dir = filepath.Join(data, "mercato", "blobs")
	} else if home, err := os.UserHomeDir(); err == nil {
		dir = filepath.Join(home, ".local", "share", "mercato", "blobs")
	} else {
		dir = "mercato-blobs"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	if abs = filepath.ToSlash(abs); !strings.HasPrefix(abs, "/") {
		abs = "/" + abs // a Windows drive: file:///C:/...
	}
	return "file://" + abs + "?create_dir=1"
}
