package vuln

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/scan/internal/testimage"
)

func TestVectorScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		vec  string
		want float64
		ok   bool
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, true},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3, true},
		{"CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.5, true},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, true},
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, true},
		{"HIGH", 0, false},
		{"CVSS:3.1/AV:X", 0, false},
	}
	for _, tt := range tests {
		got, ok := VectorScore(tt.vec)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %v %v, want %v %v", tt.vec, got, ok, tt.want, tt.ok)
		}
	}
}

func TestInventoryAndMatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	testimage.Write(t, dir, "var/lib/dpkg/status", strings.Replace(mustRead(t, dir+"/var/lib/dpkg/status"), "Version: 1.0-2", "Version: 1.0-1", 1))
	inv, err := NewInventory()
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	pkgs, err := inv.Packages(context.Background(), root.FS(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 3 {
		t.Fatalf("got %d packages, want 3", len(pkgs))
	}
	vulns, missing, err := DB{Dir: testimage.OSVDB(t)}.Match(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 0 {
		t.Errorf("missing ecosystems: %v", missing)
	}
	got := map[string]Vuln{}
	for _, v := range vulns {
		got[v.ID] = v
	}
	if v := got["DSA-9999-1"]; v.Score != 9.8 || v.Fixed != "1.0-2" || v.Package != "libexample1" || v.Version != "1.0-1" {
		t.Errorf("DSA-9999-1: %+v", v)
	}
	if v := got["LOW-1"]; v.Score != 3.3 {
		t.Errorf("LOW-1: %+v", v)
	}
	if v, ok := got["NOSEV-1"]; !ok || v.Score != 0 || v.Vector != "" {
		t.Errorf("NOSEV-1: %+v %v", v, ok)
	}
	if _, ok := got["OLD-1"]; ok {
		t.Error("OLD-1 fixed before the installed version but reported")
	}
	if len(vulns) != 3 {
		t.Errorf("got %d vulns: %+v", len(vulns), vulns)
	}
	// No database for the ecosystem: reported as missing, not as an error.
	_, missing, err = DB{Dir: t.TempDir()}.Match(context.Background(), pkgs)
	if err != nil || missing["Debian"] != 3 {
		t.Errorf("empty db: %v %v", missing, err)
	}
}

func mustRead(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestScoreFromAliases: a Debian record without a vector is scored from the
// CVE record it names (osv.dev's GIT export carries NVD's vectors).
func TestScoreFromAliases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	inv, err := NewInventory()
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	pkgs, err := inv.Packages(context.Background(), root.FS(), dir)
	if err != nil {
		t.Fatal(err)
	}
	db := t.TempDir()
	recs := testimage.Advisories()
	recs["DEBIAN-CVE-2099-0003.json"] = `{"id":"DEBIAN-CVE-2099-0003","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2099-0003"],
 "affected":[{"package":{"ecosystem":"Debian:12","name":"base-files"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"13"}]}]}]}`
	testimage.WriteOSVZip(t, db, "Debian", recs)
	testimage.WriteOSVZip(t, db, "GIT", map[string]string{
		"CVE-2099-0003.json": `{"id":"CVE-2099-0003","modified":"2024-01-01T00:00:00Z",
 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}]}`,
	})
	vulns, _, err := DB{Dir: db}.Match(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	var got *Vuln
	for i := range vulns {
		if vulns[i].ID == "DEBIAN-CVE-2099-0003" {
			got = &vulns[i]
		}
		if vulns[i].ID == "NOSEV-1" && vulns[i].Vector != "" {
			t.Errorf("NOSEV-1 names no scored record but got %+v", vulns[i])
		}
	}
	if got == nil || got.Score != 8.8 || got.ScoredBy != "CVE-2099-0003" || got.Fixed != "13" {
		t.Fatalf("alias scoring: %+v", got)
	}
}
