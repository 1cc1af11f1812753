package testimage

import (
	"archive/zip"
	"os"
	"path/filepath"
	"testing"
)

// Advisories of the test OSV database. DSA-9999-1 affects libexample1
// (source "example") before 1.0-2 with CVSS 9.8; LOW-1 affects lowpkg with
// 3.3 (reported, not blocking); NOSEV-1 affects lowpkg with no vector
// (reported as unscored); OLD-1 was fixed long ago (not reported).
var advisories = map[string]string{
	"DSA-9999-1.json": `{"id":"DSA-9999-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-0001"],"summary":"example: remote code execution",
 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
 "affected":[{"package":{"ecosystem":"Debian:12","name":"example"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0-2"}]}]}]}`,
	"LOW-1.json": `{"id":"LOW-1","modified":"2024-01-01T00:00:00Z","summary":"lowpkg: local information leak",
 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N"}],
 "affected":[{"package":{"ecosystem":"Debian:12","name":"lowpkg"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0-5"}]}]}]}`,
	"NOSEV-1.json": `{"id":"NOSEV-1","modified":"2024-01-01T00:00:00Z","summary":"lowpkg: something, severity HIGH in words only",
 "database_specific":{"severity":"HIGH"},
 "affected":[{"package":{"ecosystem":"Debian:12","name":"lowpkg"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`,
	"OLD-1.json": `{"id":"OLD-1","modified":"2020-01-01T00:00:00Z","summary":"example: old bug",
 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
 "affected":[{"package":{"ecosystem":"Debian:12","name":"example"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"0.9-1"}]}]}]}`,
}

// OSVDB writes the test database in the osv.dev export layout and returns
// its directory: DIR/Debian/all.zip.
func OSVDB(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	WriteOSVZip(t, dir, "Debian", advisories)
	return dir
}

// WriteOSVZip writes DIR/<eco>/all.zip holding records (file name → JSON).
func WriteOSVZip(t testing.TB, dir, eco string, records map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, eco), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, eco, "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range records {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// Advisories returns a copy of the test database's Debian records.
func Advisories() map[string]string {
	out := map[string]string{}
	for k, v := range advisories {
		out[k] = v
	}
	return out
}
