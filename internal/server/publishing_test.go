package server

import (
	"slices"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
)

func TestPublishingChoices(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		p       Publishing
		wantErr bool
		check   func(m marketplace.Config) bool
	}{
		{"defaults", Publishing{}, false, func(m marketplace.Config) bool {
			return len(m.Publish.Withdrawable) == 2 && m.Publish.RemovalReview[market.SalesCommon] && slices.Equal(m.Dial.Times, []string{"09:00", "15:00"})
		}},
		{"license only, common removals at once", Publishing{Withdrawable: "license", RemovalReview: "joint", DialTimes: "08:30, 16:00"}, false,
			func(m marketplace.Config) bool {
				return slices.Equal(m.Publish.Withdrawable, []market.Delivery{market.DeliveryLicense}) && !m.Publish.RemovalReview[market.SalesCommon] &&
					m.Publish.RemovalReview[market.SalesJoint] && slices.Equal(m.Dial.Times, []string{"08:30", "16:00"})
			}},
		{"no review", Publishing{RemovalReview: "none"}, false, func(m marketplace.Config) bool {
			return !m.Publish.RemovalReview[market.SalesCommon] && !m.Publish.RemovalReview[market.SalesJoint]
		}},
		{"unknown delivery", Publishing{Withdrawable: "IMAGE"}, true, nil},
		{"unknown sales type", Publishing{RemovalReview: "RESALE"}, true, nil},
	}
	for _, tc := range cases {
		m := marketplace.DefaultConfig("CNY")
		err := tc.p.apply(&m)
		if (err != nil) != tc.wantErr || err == nil && !tc.check(m) {
			t.Errorf("%s: %v, %+v %+v", tc.name, err, m.Publish, m.Dial)
		}
	}
}

func TestAssetSettings(t *testing.T) {
	t.Parallel()
	m := marketplace.DefaultConfig("CNY")
	Assets{}.apply(&m, "file:///var/lib/mercato/blobs", false)
	if m.Assets.Blob != "file:///var/lib/mercato/blobs" || m.Assets.Scanner != "mercato-scan" || len(m.Assets.RequireChecks) != 2 {
		t.Fatalf("defaults: %+v", m.Assets)
	}
	m = marketplace.DefaultConfig("CNY")
	Assets{Blob: "s3://assets", Scanner: "/opt/mercato-scan", Clamd: "/run/clamd.ctl", OSVDB: "/srv/osv", Require: "none", ScanTimeout: time.Minute}.apply(&m, "file:///x", true)
	if c := m.Assets; c.Blob != "s3://assets" || c.Scanner != "/opt/mercato-scan" || c.Clamd != "/run/clamd.ctl" || c.OSVDB != "/srv/osv" ||
		c.RequireChecks != nil || c.ScanTimeout != time.Minute || !c.AllowInsecureFetch {
		t.Fatalf("set: %+v", c)
	}
}
