// Package server wires the marketplace together: configuration, the database and its job
// queue, the feature services and their workers, the HTTP routes, and graceful shutdown.
package server

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// Config is everything `mercato serve` is told. Environment variables MERCATO_* give defaults;
// flags override them.
type Config struct {
	Addr                   string
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
	// Publishing holds the publishing choices the rules leave open (publishing.go).
	Publishing Publishing

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
		BillDay: 7, FeePerMille: 50}
}

// Flags registers the serve flags on fs, with defaults from the environment.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("MERCATO_ADDR", DefaultAddr), "listen address (MERCATO_ADDR)")
	c.DBFlag(fs)
	fs.StringVar(&c.Site, "site", env("MERCATO_SITE", "cn"), "KooGallery site: cn, intl or eu; sets currency and open-API hosts (MERCATO_SITE)")
	fs.IntVar(&c.GraceDays, "grace-days", envInt("MERCATO_GRACE_DAYS", 0), "days an expired instance stays usable before it is frozen (MERCATO_GRACE_DAYS)")
	fs.IntVar(&c.RetentionDays, "retention-days", envInt("MERCATO_RETENTION_DAYS", 15), "days a frozen instance is kept before release (MERCATO_RETENTION_DAYS)")
	fs.BoolVar(&c.AllowInsecureMerchants, "allow-insecure-merchants", envBool("MERCATO_ALLOW_INSECURE_MERCHANTS"), "allow plain-HTTP and loopback merchant URLs (MERCATO_ALLOW_INSECURE_MERCHANTS)")
	fs.BoolVar(&c.Sandbox, "sandbox", envBool("MERCATO_SANDBOX"), "play KooGallery for one merchant: seed a sandbox merchant, catalog and instance (MERCATO_SANDBOX)")
	fs.IntVar(&c.CallWorkers, "call-workers", envInt("MERCATO_CALL_WORKERS", 20), "merchant calls in flight per process (MERCATO_CALL_WORKERS)")
	fs.IntVar(&c.CallsPerMerchant, "calls-per-merchant", envInt("MERCATO_CALLS_PER_MERCHANT", 4), "merchant calls in flight to one merchant per process (MERCATO_CALLS_PER_MERCHANT)")
	fs.IntVar(&c.BillDay, "bill-day", envInt("MERCATO_BILL_DAY", 7), "day of the month merchants' statements are made (MERCATO_BILL_DAY)")
	fs.Int64Var(&c.FeePerMille, "fee-permille", int64(envInt("MERCATO_FEE_PERMILLE", 50)), "platform fee on merchants' sales, in thousandths (MERCATO_FEE_PERMILLE)")
	c.publishingFlags(fs)
	c.OperatorToken = os.Getenv("MERCATO_OPERATOR_TOKEN")
	c.SandboxSeed = SandboxSeed{
		URL: os.Getenv("MERCATO_SANDBOX_URL"), AccessKey: os.Getenv("MERCATO_SANDBOX_KEY"), KitKey: os.Getenv("MERCATO_SANDBOX_KIT_KEY"),
		AK: os.Getenv("MERCATO_SANDBOX_AK"), SK: os.Getenv("MERCATO_SANDBOX_SK"), InstanceID: os.Getenv("MERCATO_SANDBOX_INSTANCE"),
		BuyerToken: os.Getenv("MERCATO_SANDBOX_BUYER_TOKEN"),
	}
}

// SandboxSeed is what `serve --sandbox` is told about its merchant (MERCATO_SANDBOX_*).
type SandboxSeed struct {
	URL        string // MERCATO_SANDBOX_URL: the merchant's production interface
	AccessKey  string // MERCATO_SANDBOX_KEY
	KitKey     string // MERCATO_SANDBOX_KIT_KEY
	AK, SK     string // MERCATO_SANDBOX_AK, MERCATO_SANDBOX_SK
	InstanceID string // MERCATO_SANDBOX_INSTANCE
	BuyerToken string // MERCATO_SANDBOX_BUYER_TOKEN
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
	if c.Sandbox {
		c.AllowInsecureMerchants = true // the sandbox merchant runs on the developer's machine
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

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}
