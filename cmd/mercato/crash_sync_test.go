package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/enterprise/enterprisetest"
	"github.com/mercato-oss/mercato/kgp"
)

// TestCrashMidSync SIGKILLs the server while an enterprise's syncs are being sent, restarts it
// on the same database, and checks that the merchant received every change, none out of order:
// nothing before its tenant, no authorization before its application, no delete before its add.
func TestCrashMidSync(t *testing.T) {
	t.Parallel()
	m := enterprisetest.Start(t, enterprisetest.TestKeyPEM(t))
	m.Delay = 25 * time.Millisecond
	db := "sqlite:" + filepath.Join(t.TempDir(), "mercato.db")
	p1 := startServe(t, "--db", db, "--call-workers", "8")
	j := seedJoint(t, p1, m)

	// Many changes, queued at once: 3,000 authorizations (6 batches), changes, cancellations.
	names := make([]string, 3000)
	for i := range names {
		names[i] = fmt.Sprintf("c%04d", i)
	}
	j.must(p1.call("POST", j.ent+"/authorizations", j.buyer, map[string]any{"instance_key": j.key, "app_id": j.app, "add": names}, nil), 202)
	for i := range 20 {
		j.must(p1.call("PATCH", fmt.Sprintf("%s/users/c%04d", j.ent, i), j.buyer, map[string]any{"org_code": "SALES"}, nil), 200)
	}
	j.must(p1.call("POST", j.ent+"/authorizations", j.buyer, map[string]any{"instance_key": j.key, "app_id": j.app, "cancel": names[100:600]}, nil), 202)
	j.must(p1.call("POST", j.ent+"/departments", j.buyer, map[string]any{"org_code": "NEW", "name": "New", "parent_code": "HQ"}, nil), 201)
	j.must(p1.call("POST", j.ent+"/authorizations", j.buyer, map[string]any{"instance_key": j.key, "app_id": j.app, "add": names[100:200]}, nil), 202)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if n := countKind(t, m, kgp.KitAuthSync); n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the merchant got no authSync within a minute")
		}
	}
	p1.kill()
	before := len(mustSyncs(t, m))

	p2 := startServe(t, "--db", db, "--call-workers", "8")
	for deadline := time.Now().Add(2 * time.Minute); !j.allDone(p2); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("syncs not done two minutes after the restart:\n%s", p2.log.String())
		}
	}
	log := mustSyncs(t, m)
	got, err := enterprisetest.CheckOrder(log)
	if err != nil {
		t.Fatal(err)
	}
	want := j.authorized(p2)
	authorized := 0
	for u, ok := range got[j.app] {
		if ok {
			authorized++
			if !want[u] {
				t.Fatalf("the merchant has %s authorized, the marketplace does not", u)
			}
		}
	}
	if authorized != len(want) || len(want) != 3000-400 {
		t.Fatalf("merchant has %d users authorized, the marketplace %d, want 2600", authorized, len(want))
	}
	t.Logf("killed after the merchant had accepted %d syncs; %d in all after the restart", before, len(log))
	p2.stop()
}

// joint is an enterprise bound to a joint-operation instance over the JSON API.
type joint struct {
	t                    *testing.T
	buyer, ent, key, app string
}

func (j *joint) must(code, want int) {
	j.t.Helper()
	if code != want {
		j.t.Fatalf("HTTP %d, want %d", code, want)
	}
}

// allDone reports whether every sync of the enterprise succeeded.
func (j *joint) allDone(p *proc) bool {
	done := true
	ok := j.pages(p, j.ent+"/syncs?limit=500", func(raw json.RawMessage) {
		var page struct{ Syncs []struct{ State string } }
		json.Unmarshal(raw, &page)
		for _, s := range page.Syncs {
			done = done && s.State == "DONE"
		}
	})
	return ok && done
}

// authorized returns the users the marketplace holds authorized on the application.
func (j *joint) authorized(p *proc) map[string]bool {
	out := map[string]bool{}
	if !j.pages(p, j.ent+"/apps/"+j.app+"/users?limit=500", func(raw json.RawMessage) {
		var page struct{ Users []string }
		json.Unmarshal(raw, &page)
		for _, u := range page.Users {
			out[u] = true
		}
	}) {
		j.t.Fatal("listing the authorized users failed")
	}
	return out
}

// pages reads a list a page at a time, following its next links.
func (j *joint) pages(p *proc, path string, each func(json.RawMessage)) bool {
	for path != "" {
		var raw json.RawMessage
		if p.call("GET", path, j.buyer, nil, &raw) != 200 {
			return false
		}
		each(raw)
		var next struct{ Next string }
		json.Unmarshal(raw, &next)
		path = next.Next
	}
	return true
}

func seedJoint(t *testing.T, p *proc, m *enterprisetest.Merchant) *joint {
	t.Helper()
	j := &joint{t: t}
	var nm struct{ Merchant struct{ ID string } }
	j.must(p.call("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Acme", "production_url": m.URL, "generation": 2,
		"access_key": m.Key, "kit_key": m.KitKey}, &nm), 201)
	j.must(p.call("PUT", "/api/v1/merchants/"+nm.Merchant.ID+"/kit-key", testOperatorToken, map[string]any{"public_key": m.PublicKey}, nil), 200)
	j.must(p.call("POST", "/api/v1/products", testOperatorToken, map[string]any{"merchant_id": nm.Merchant.ID, "name": "CRM",
		"specs": []any{map[string]any{"sku_code": "team", "name": "Team", "charging": "PERIOD",
			"plans": []any{map[string]any{"product_id": "OFFITEAMY", "period": "year", "price": "10"}}}}}, nil), 201)
	var b struct {
		Token      string
		CustomerID string `json:"customer_id"`
	}
	j.must(p.call("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "buyer"}, &b), 201)
	j.must(p.call("POST", "/api/v1/buyers/"+b.CustomerID+"/topup", testOperatorToken, map[string]any{"amount": "1000", "ref": "t"}, nil), 200)
	j.buyer = b.Token
	var o struct{ Lines []struct{ ID string } }
	j.must(p.call("POST", "/api/v1/orders", j.buyer, map[string]any{"items": []any{map[string]any{"product_id": "OFFITEAMY", "period_number": 1}}}, &o), 201)
	j.key = o.Lines[0].ID
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var in struct{ State string }
		p.call("GET", "/api/v1/instances/"+j.key, j.buyer, nil, &in)
		if in.State == "ACTIVE" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance is %s", in.State)
		}
	}
	var e struct {
		TenantID string `json:"tenant_id"`
	}
	j.must(p.call("POST", "/api/v1/enterprises", j.buyer, map[string]any{"name": "Crash Corp", "tenant_code": "crash"}, &e), 201)
	j.ent = "/api/v1/enterprises/" + e.TenantID
	for _, d := range []map[string]any{{"org_code": "HQ", "name": "HQ"}, {"org_code": "SALES", "name": "Sales", "parent_code": "HQ"}} {
		j.must(p.call("POST", j.ent+"/departments", j.buyer, d, nil), 201)
	}
	var users []any
	for i := range 3000 {
		users = append(users, map[string]any{"user_name": fmt.Sprintf("c%04d", i), "name": fmt.Sprintf("User %d", i), "org_code": "HQ"})
	}
	j.must(p.call("POST", j.ent+"/users", j.buyer, map[string]any{"users": users}, nil), 201)
	j.must(p.call("POST", j.ent+"/bindings", j.buyer, map[string]any{"instance_key": j.key}, nil), 201)
	var app struct {
		AppID string `json:"app_id"`
	}
	j.must(p.call("POST", j.ent+"/bindings/"+j.key+"/apps", j.buyer, map[string]any{"name": "CRM"}, &app), 201)
	j.app = app.AppID
	return j
}

func mustSyncs(t *testing.T, m *enterprisetest.Merchant) []enterprisetest.Sync {
	t.Helper()
	s, err := m.Syncs()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func countKind(t *testing.T, m *enterprisetest.Merchant, kind string) int {
	n := 0
	for _, s := range mustSyncs(t, m) {
		if s.Kind == kind {
			n++
		}
	}
	return n
}
