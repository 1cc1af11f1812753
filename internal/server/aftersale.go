package server

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/order"
)

// AfterSale is what `mercato serve` is told about the after-sale rules and reminders' email
// (docs/operator-guide.md lists them). Zero values take the site's defaults.
type AfterSale struct {
	// SMTP sends reminders and results by email; no host, no email.
	SMTPHost, SMTPUser, SMTPPassword, SMTPFrom string
	SMTPPort                                   int
	SMTPRequireTLS                             bool
	// CustomerLevels are "LEVEL=GRACE/RETENTION" days, comma-separated ("V3=7/7,V5=15/15").
	CustomerLevels string
	// LargeRefund is the refund above which the operator approves (default CNY 50,000 on the
	// China site, 7,000 in the others' currency).
	LargeRefund string
	// RefundDelay is how long after approval a refund is paid (0 to 3h).
	RefundDelay time.Duration
	// MinSettlement is the least a product type's sales settle at (default 1,000).
	MinSettlement string
	// AppealRules is cn or intl (default: the site's).
	AppealRules string
	// VouchersOnPayPerUse lets vouchers, not only cash coupons, pay pay-per-use bills.
	VouchersOnPayPerUse bool
	// TimeZone is the site's: an IANA name or an offset such as +08:00 (default +08:00 on the
	// China site, UTC elsewhere).
	TimeZone string
}

// afterSaleFlags registers the after-sale flags on fs, with defaults from the environment.
func (c *Config) afterSaleFlags(fs *flag.FlagSet) {
	a := &c.AfterSale
	fs.StringVar(&a.SMTPHost, "smtp-host", os.Getenv("MERCATO_SMTP_HOST"), "SMTP server for reminder emails; empty sends none (MERCATO_SMTP_HOST)")
	fs.IntVar(&a.SMTPPort, "smtp-port", envInt("MERCATO_SMTP_PORT", 587), "SMTP port (MERCATO_SMTP_PORT)")
	fs.StringVar(&a.SMTPUser, "smtp-user", os.Getenv("MERCATO_SMTP_USER"), "SMTP user; its password comes from MERCATO_SMTP_PASSWORD (MERCATO_SMTP_USER)")
	fs.StringVar(&a.SMTPFrom, "smtp-from", os.Getenv("MERCATO_SMTP_FROM"), "sender address of reminder emails (MERCATO_SMTP_FROM)")
	fs.BoolVar(&a.SMTPRequireTLS, "smtp-require-tls", envBool("MERCATO_SMTP_REQUIRE_TLS"), "refuse an SMTP server without STARTTLS (MERCATO_SMTP_REQUIRE_TLS)")
	fs.StringVar(&a.CustomerLevels, "customer-levels", env("MERCATO_CUSTOMER_LEVELS", "V3=7/7"), "grace/retention days by customer level, e.g. V3=7/7,V5=15/15 (MERCATO_CUSTOMER_LEVELS)")
	fs.StringVar(&a.LargeRefund, "large-refund", os.Getenv("MERCATO_LARGE_REFUND"), "refunds above this wait for the operator, auto-approved after 24 h; default by site (MERCATO_LARGE_REFUND)")
	fs.DurationVar(&a.RefundDelay, "refund-delay", envDuration("MERCATO_REFUND_DELAY", 0), "how long after approval a refund is paid, at most 3h (MERCATO_REFUND_DELAY)")
	fs.StringVar(&a.MinSettlement, "min-settlement", env("MERCATO_MIN_SETTLEMENT", "1000"), "least a product type's sales settle at in a bill run (MERCATO_MIN_SETTLEMENT)")
	fs.StringVar(&a.AppealRules, "appeal-rules", os.Getenv("MERCATO_APPEAL_RULES"), "appeal windows: cn or intl; default by site (MERCATO_APPEAL_RULES)")
	fs.BoolVar(&a.VouchersOnPayPerUse, "vouchers-on-pay-per-use", envBool("MERCATO_VOUCHERS_ON_PAY_PER_USE"), "let vouchers pay pay-per-use bills, not only cash coupons (MERCATO_VOUCHERS_ON_PAY_PER_USE)")
	fs.StringVar(&a.TimeZone, "time-zone", os.Getenv("MERCATO_TIME_ZONE"), "the site's time zone (reminders at 10:00, quota years, working days): IANA name or +08:00; default by site (MERCATO_TIME_ZONE)")
	a.SMTPPassword = os.Getenv("MERCATO_SMTP_PASSWORD")
}

// apply puts the after-sale settings into the services' configuration.
func (a *AfterSale) apply(site string, mcfg *marketplace.Config) error {
	zone, err := parseZone(a.TimeZone, site)
	if err != nil {
		return err
	}
	mcfg.Aftersale.Zone, mcfg.Appeals.Zone, mcfg.Renewal.Zone = zone, zone, zone
	if a.CustomerLevels != "" {
		if mcfg.Orders.Levels, err = parseLevels(a.CustomerLevels); err != nil {
			return err
		}
	}
	if a.LargeRefund != "" {
		if mcfg.Aftersale.LargeRefund, err = market.ParseMoney(a.LargeRefund); err != nil || mcfg.Aftersale.LargeRefund <= 0 {
			return fmt.Errorf("--large-refund %q is not a positive amount", a.LargeRefund)
		}
	}
	if a.MinSettlement != "" {
		if mcfg.Billing.MinSettlement, err = market.ParseMoney(a.MinSettlement); err != nil || mcfg.Billing.MinSettlement < 0 {
			return fmt.Errorf("--min-settlement %q is not an amount", a.MinSettlement)
		}
	}
	mcfg.Aftersale.RefundDelay = a.RefundDelay
	switch a.AppealRules {
	case "":
		mcfg.Appeals.International = site != "cn"
	case "cn", "intl":
		mcfg.Appeals.International = a.AppealRules == "intl"
	default:
		return fmt.Errorf("--appeal-rules must be cn or intl, not %q", a.AppealRules)
	}
	mcfg.Vouchers.VouchersOnPayPerUse = a.VouchersOnPayPerUse
	if a.SMTPHost != "" {
		if a.SMTPFrom == "" {
			return fmt.Errorf("--smtp-host needs --smtp-from")
		}
		mcfg.Inbox.SMTP.Host, mcfg.Inbox.SMTP.Port, mcfg.Inbox.SMTP.From = a.SMTPHost, a.SMTPPort, a.SMTPFrom
		mcfg.Inbox.SMTP.Username, mcfg.Inbox.SMTP.Password, mcfg.Inbox.SMTP.RequireTLS = a.SMTPUser, a.SMTPPassword, a.SMTPRequireTLS
	}
	return nil
}

// parseZone reads a time zone: an offset (+08:00, -05:00), or an IANA name; empty is the site's.
func parseZone(s, site string) (*time.Location, error) {
	if s == "" {
		if site != "cn" {
			return time.UTC, nil
		}
		s = "+08:00" // China has no daylight saving time: the offset is Asia/Shanghai exactly
	}
	if len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' {
		h, herr := strconv.Atoi(s[1:3])
		m, merr := strconv.Atoi(s[4:])
		if herr == nil && merr == nil && h <= 14 && m < 60 {
			off := h*3600 + m*60
			if s[0] == '-' {
				off = -off
			}
			return time.FixedZone("UTC"+s, off), nil
		}
	}
	zone, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("--time-zone %q is neither an offset like +08:00 nor a known zone", s)
	}
	return zone, nil
}

// parseLevels reads "V3=7/7,V5=15/15".
func parseLevels(s string) (map[string]order.Terms, error) {
	out := map[string]order.Terms{}
	for _, part := range strings.Split(s, ",") {
		name, days, ok := strings.Cut(strings.TrimSpace(part), "=")
		grace, retention, ok2 := strings.Cut(days, "/")
		g, gerr := strconv.Atoi(grace)
		r, rerr := strconv.Atoi(retention)
		if !ok || !ok2 || name == "" || gerr != nil || rerr != nil || g < 0 || r < 0 || g > 365 || r > 365 {
			return nil, fmt.Errorf("--customer-levels %q: each level is NAME=GRACE/RETENTION days, e.g. V3=7/7", s)
		}
		out[name] = order.Terms{GraceDays: g, RetentionDays: r}
	}
	return out, nil
}
