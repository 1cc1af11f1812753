package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/cloud/cloudtest"
	"github.com/mercato-oss/mercato/internal/store"
)

// The cloud endpoints over HTTP: whole saves, the error shape of refusals, ranged downloads,
// history, restore and the lock refusals. (The SDK's tests drive the rest of the API.)
func TestCloudEndpoints(t *testing.T) {
	t.Parallel()
	s := cloudtest.Start(t, store.SQLite, cloudtest.Options{})
	do := func(method, path, body string, out any) int {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL+"/api/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: %s", method, path, b)
			}
		}
		return resp.StatusCode
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	save := func(q url.Values, body string, out any) int {
		return do("POST", "/instances/"+s.Instance+"/cloud/files?"+q.Encode(), body, out)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if st := save(url.Values{"path": {"/../etc/passwd"}, "kind": {"FILE"}, "sha256": {sum("x")}}, "x", &e); st != 400 || e.Error.Code != "invalid" {
		t.Fatalf("traversal: %d %+v", st, e)
	}
	if st := save(url.Values{"path": {"/a.prt"}, "kind": {"FILE"}, "sha256": {sum("other")}}, "x", &e); st != 400 || !strings.Contains(e.Error.Message, "SHA-256 mismatch") {
		t.Fatalf("mismatch: %d %+v", st, e)
	}
	if st := do("GET", "/instances/"+s.Instance+"/cloud/file?path=/a.prt", "", &e); st != 404 {
		t.Fatalf("a refused save was stored: %d", st)
	}
	var f struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if st := save(url.Values{"path": {"/designs/Plate.prt"}, "kind": {"FILE"}, "sha256": {sum("plate one")}}, "plate one", &f); st != 200 || f.Version != 1 {
		t.Fatalf("save: %d %+v", st, f)
	}
	if st := save(url.Values{"file_id": {f.ID}, "base_version": {"1"}, "kind": {"FILE"}, "sha256": {sum("plate two!")}}, "plate two!", &f); st != 200 || f.Version != 2 {
		t.Fatalf("second save: %d %+v", st, f)
	}
	if st := do("POST", "/cloud/files/"+f.ID+"/restore", `{"version":1}`, &e); st != 409 || !strings.Contains(e.Error.Message, "checked in before") {
		t.Fatalf("restore while checked out: %d %+v", st, e)
	}
	do("POST", "/cloud/files/"+f.ID+"/checkin", "", nil)
	if st := do("POST", "/cloud/files/"+f.ID+"/checkin", "", &e); st != 409 {
		t.Fatalf("second check-in: %d", st)
	}
	if st := do("POST", "/cloud/files/"+f.ID+"/restore", `{"version":1}`, &f); st != 200 || f.Version != 3 {
		t.Fatalf("restore: %d %+v", st, f)
	}
	var vs struct {
		Versions []struct {
			Version int `json:"version"`
		} `json:"versions"`
	}
	if st := do("GET", "/cloud/files/"+f.ID+"/versions", "", &vs); st != 200 || len(vs.Versions) != 3 {
		t.Fatalf("versions: %d %+v", st, vs)
	}
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/cloud/files/"+f.ID+"/content?version=2", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Range", "bytes=6-")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(b) != "two!" || resp.Header.Get("X-Mercato-Sha256") != sum("plate two!") {
		t.Fatalf("ranged download: %d %q %v", resp.StatusCode, b, resp.Header)
	}
	if st := do("GET", "/cloud/files/"+f.ID, "", nil); st != 200 {
		t.Fatalf("get: %d", st)
	}
	req, _ = http.NewRequest("GET", s.URL+"/api/v1/cloud/files/"+f.ID, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("no token: %v %v", resp, err)
	}
}
