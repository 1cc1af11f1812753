package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCatalogsComplete fails when a message is missing from either catalog: the catalogs must
// hold the same keys, and every literal key the templates and the handlers use must be in them.
// Keys built at run time (state.ACTIVE, lang.en) are checked by the page tests, which render
// with StrictText on.
func TestCatalogsComplete(t *testing.T) {
	t.Parallel()
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := tx.keys("zh-CN"), tx.keys("en")
	for _, k := range zh {
		if !slices.Contains(en, k) {
			t.Errorf("%q is in zh-CN but not in en", k)
		}
	}
	for _, k := range en {
		if !slices.Contains(zh, k) {
			t.Errorf("%q is in en but not in zh-CN", k)
		}
	}
	// Each area's file holds the same keys in both languages (so a key is where one looks for it).
	areas, _ := fs.Glob(catalogFiles, "i18n/en/*.json")
	for _, en := range areas {
		zhFile := strings.Replace(en, "/en/", "/zh-CN/", 1)
		a, b := map[string]string{}, map[string]string{}
		ra, _ := fs.ReadFile(catalogFiles, en)
		rb, err := fs.ReadFile(catalogFiles, zhFile)
		if err != nil {
			t.Errorf("%s has no %s", en, zhFile)
			continue
		}
		json.Unmarshal(ra, &a)
		json.Unmarshal(rb, &b)
		for k := range a {
			if _, ok := b[k]; !ok {
				t.Errorf("%q is in %s but not in %s", k, en, zhFile)
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				t.Errorf("%q is in %s but not in %s", k, zhFile, en)
			}
		}
	}
	used := map[string]string{}
	tmplKey := regexp.MustCompile(`\bt "([^"]+)"`)
	fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFiles, p)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return nil
	})
	// Handlers name keys as string literals with these prefixes.
	goKey := regexp.MustCompile(`"((?:flash|err|error|login|product|home|seller|op)\.[a-z_.]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				used[m[1]] = p
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for k, where := range used {
		for _, lang := range Langs() {
			if _, ok := tx.byLang[lang][k]; !ok {
				t.Errorf("%s uses %q, missing from the %s catalog", where, k, lang)
			}
		}
	}
}

// TestMoneyAndDates checks formatting per locale without floats.
func TestMoneyAndDates(t *testing.T) {
	t.Parallel()
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := tx.locale("zh-CN", true, nil), tx.locale("en", true, nil)
	for _, c := range []struct {
		l    *locale
		m    int64
		cur  string
		want string
	}{
		{zh, 1234500, "CNY", "¥1,234.50"}, {en, 1234500, "CNY", "CNY 1,234.50"}, {en, 10, "CNY", "CNY 0.01"},
		{zh, 5, "CNY", "¥0.005"}, {en, -99000, "USD", "USD -99.00"}, {zh, 0, "", "0.00"},
	} {
		if got := c.l.Money(moneyOf(c.m), c.cur); got != c.want {
			t.Errorf("%s Money(%d, %s) = %q, want %q", c.l.Lang, c.m, c.cur, got, c.want)
		}
	}
}
