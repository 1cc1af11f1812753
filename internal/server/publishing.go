package server

import (
	"flag"
	"fmt"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
)

// Publishing choices the sources leave open (rules §11), as flags and MERCATO_* variables. Empty
// values keep the defaults (publish.DefaultConfig, dialtest.DefaultConfig); docs/operator-guide.md
// explains each choice.
type Publishing struct {
	// Withdrawable lists the delivery methods whose pending applications may be withdrawn.
	Withdrawable string
	// RemovalReview lists the sales types whose removals wait for the operator.
	RemovalReview string
	// DialTimes are the daily dial-test rounds, HH:MM China time.
	DialTimes string
}

func (c *Config) publishingFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Publishing.Withdrawable, "withdrawable", env("MERCATO_WITHDRAWABLE", "SAAS,LICENSE"),
		"delivery methods whose pending applications sellers may withdraw (MERCATO_WITHDRAWABLE)")
	fs.StringVar(&c.Publishing.RemovalReview, "removal-review", env("MERCATO_REMOVAL_REVIEW", "COMMON,JOINT"),
		"sales types whose removals wait for the operator; the others take effect at once; \"none\" for neither (MERCATO_REMOVAL_REVIEW)")
	fs.StringVar(&c.Publishing.DialTimes, "dial-times", env("MERCATO_DIAL_TIMES", "09:00,15:00"),
		"daily dial-test rounds, HH:MM China time (MERCATO_DIAL_TIMES)")
}

// apply sets the publishing choices in the services' configuration.
func (p Publishing) apply(m *marketplace.Config) error {
	if p.Withdrawable != "" {
		m.Publish.Withdrawable = nil
		for _, d := range list(p.Withdrawable) {
			if d != string(market.DeliverySaaS) && d != string(market.DeliveryLicense) {
				return fmt.Errorf("--withdrawable takes SAAS and LICENSE, not %q", d)
			}
			m.Publish.Withdrawable = append(m.Publish.Withdrawable, market.Delivery(d))
		}
	}
	if p.RemovalReview != "" {
		m.Publish.RemovalReview = map[market.SalesType]bool{market.SalesCommon: false, market.SalesJoint: false}
		for _, t := range list(p.RemovalReview) {
			if _, ok := m.Publish.RemovalReview[market.SalesType(t)]; !ok && t != "NONE" {
				return fmt.Errorf("--removal-review takes COMMON and JOINT (or none), not %q", t)
			}
			if t != "NONE" {
				m.Publish.RemovalReview[market.SalesType(t)] = true
			}
		}
	}
	if p.DialTimes != "" {
		m.Dial.Times = list(p.DialTimes)
	}
	return nil
}

func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.ToUpper(strings.TrimSpace(v)); v != "" {
			out = append(out, v)
		}
	}
	return out
}
