package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// TestAssetCentreOverHTTP: a seller uploads a package in two parts, it is rejected by the real
// mercato-scan with the report, the seller appeals, the operator approves it from the queue;
// another merchant's seller sees none of it. On both databases, through server.New's wiring of
// the --scanner, --scan-require and --asset-blob settings.
func TestAssetCentreOverHTTP(t *testing.T) {
	t.Parallel()
	scanner, err := assetstest.BuildScanner(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := market.NewFakeClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
			s, err := server.New(ctx, server.Config{DB: storetest.DSN(t, d), KeyFile: filepath.Join(t.TempDir(), "mercato.key"), Site: "cn", RetentionDays: 15,
				CallWorkers: 4, OperatorToken: testOperatorToken, Clock: clock, Out: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Assets: server.Assets{Scanner: scanner, Require: "none", Blob: "file://" + filepath.ToSlash(t.TempDir()) + "?create_dir=1", TempDir: t.TempDir()}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Queue.Stop(context.Background()) })
			srv := httptest.NewServer(s.Handler)
			t.Cleanup(srv.Close)
			c := &client{t: t, base: srv.URL}

			seller := func(name string) string {
				code, m := c.do("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": name, "production_url": "https://merchant.example/p"})
				if code != 201 {
					t.Fatalf("create merchant: %d %v", code, m)
				}
				id := str(m["merchant"].(map[string]any)["id"])
				code, u := c.do("POST", "/api/v1/merchants/"+id+"/users", testOperatorToken, map[string]any{"name": "ops-" + name, "role": "operations"})
				if code != 201 {
					t.Fatalf("create seller user: %d %v", code, u)
				}
				return str(u["token"])
			}
			acme, other := seller("Acme"), seller("Other")

			code, a := c.do("POST", "/api/v1/assets", acme, map[string]any{"kind": "PACKAGE", "name": "Acme app", "regions": []string{"cn-north-4"}})
			if code != 201 || a["state"] != "DRAFT" {
				t.Fatalf("create asset: %d %v", code, a)
			}
			id := str(a["id"])
			body := assetstest.KeyPackage()
			code, u := c.do("POST", "/api/v1/assets/"+id+"/uploads", acme, map[string]any{"label": "1.0", "file_name": "acme-app.zip",
				"size": len(body), "sha256": assetstest.SHA256(body)})
			if code != 201 {
				t.Fatalf("begin upload: %d %v", code, u)
			}
			put := func(q string, part []byte) (int, map[string]any) {
				req, _ := http.NewRequest("PUT", srv.URL+"/api/v1/asset-uploads/"+str(u["id"])+"?"+q, bytes.NewReader(part))
				req.Header.Set("Authorization", "Bearer "+acme)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			half := len(body) / 2
			if code, p := put("offset=0", body[:half]); code != 200 || p["offset"] != float64(half) {
				t.Fatalf("first part: %d %v", code, p)
			}
			if code, p := put("offset=0", body[:half]); code != 409 {
				t.Fatalf("a part at the wrong offset: %d %v", code, p)
			}
			if code, v := put("offset="+itoa(half)+"&complete=1", body[half:]); code != 200 || v["state"] != "DRAFT" || v["sha256"] != assetstest.SHA256(body) {
				t.Fatalf("last part: %d %v", code, v)
			}
			// An app asset is submitted with an auto-deploy template (rules §5.2; docs/auto-deploy.md).
			tpl := "variable \"name\" {\n  type        = string\n  description = \"Name prefix\"\n}\n\nresource \"huaweicloud_vpc\" \"main\" {\n  name = var.name\n}\n"
			if code, v := c.do("POST", "/api/v1/deploy/assets/"+id+"/templates", acme, map[string]any{"name": "standard",
				"files": []map[string]string{{"name": "main.tf", "data": tpl}}}); code != 201 || v["valid"] != true {
				t.Fatalf("template: %d %v", code, v)
			}
			if code, a := c.do("POST", "/api/v1/assets/"+id+"/submit", acme, nil); code != 200 || a["state"] != "SUBMITTED" {
				t.Fatalf("submit: %d %v", code, a)
			}
			settle(t, s, clock)

			code, dt := c.do("GET", "/api/v1/assets/"+id, acme, nil)
			if code != 200 || dt["asset"].(map[string]any)["state"] != "REJECTED" {
				t.Fatalf("after the scan: %d %v", code, dt)
			}
			rep, _ := json.Marshal(dt["versions"].([]any)[0].(map[string]any)["report"])
			if !strings.Contains(string(rep), `"rule":"private-key"`) || !strings.Contains(string(rep), "app/conf/server.key") {
				t.Fatalf("the report is shown: %s", rep)
			}
			// The operator downloads what was scanned, to judge the appeal.
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/assets/"+id+"/versions/1/content", nil)
			req.Header.Set("Authorization", "Bearer "+testOperatorToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Equal(got, body) || resp.Header.Get("X-Mercato-Sha256") != assetstest.SHA256(body) {
				t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(got))
			}
			if code, _ := c.do("GET", "/api/v1/assets/"+id+"/versions/1/content", other, nil); code != 404 {
				t.Fatalf("another merchant's download: %d", code)
			}
			if code, _ := c.do("GET", "/api/v1/assets/"+id, other, nil); code != 404 {
				t.Fatalf("another merchant's seller: %d", code)
			}
			if code, _ := c.do("POST", "/api/v1/assets/"+id+"/appeal", other, map[string]any{"reason": "x"}); code != 404 {
				t.Fatalf("another merchant's appeal: %d", code)
			}
			if code, e := c.do("POST", "/api/v1/assets/"+id+"/decision", testOperatorToken, map[string]any{"approve": true, "comment": "ok"}); code != 409 {
				t.Fatalf("a decision before an appeal: %d %v", code, e)
			}
			if code, a := c.do("POST", "/api/v1/assets/"+id+"/appeal", acme, map[string]any{"reason": "a test key, never used"}); code != 200 || a["state"] != "APPEALED" {
				t.Fatalf("appeal: %d %v", code, a)
			}
			code, q := c.do("GET", "/api/v1/assets?state=APPEALED", testOperatorToken, nil)
			if list, _ := q["assets"].([]any); code != 200 || len(list) != 1 || list[0].(map[string]any)["id"] != id {
				t.Fatalf("the operator's queue: %d %v", code, q)
			}
			if code, _ := c.do("POST", "/api/v1/assets/"+id+"/decision", acme, map[string]any{"approve": true, "comment": "mine"}); code != 403 {
				t.Fatalf("a seller deciding: %d", code)
			}
			code, a = c.do("POST", "/api/v1/assets/"+id+"/decision", testOperatorToken, map[string]any{"approve": true, "comment": "fixture key, accepted"})
			if code != 200 || a["state"] != "APPROVED" || a["approved_version"] != float64(1) {
				t.Fatalf("decision: %d %v", code, a)
			}
			code, dt = c.do("GET", "/api/v1/assets/"+id, acme, nil)
			if ev := dt["events"].([]any); code != 200 || len(ev) != 5 || ev[4].(map[string]any)["comment"] != "fixture key, accepted" {
				t.Fatalf("history: %d %v", code, dt["events"])
			}
			if code, _ := c.do("DELETE", "/api/v1/assets/"+id, acme, nil); code != 204 {
				t.Fatalf("delete an asset no product uses: %d", code)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
