package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/mercato-oss/mercato/internal/market"
)

// The consoles' text lives in message catalogs: per language a directory (i18n/en, i18n/zh-CN)
// of JSON files, one per area (common, domain for the states and kinds every console shows,
// buyer, seller, operator), each a flat map from a key to an x/text/message format string (%s,
// %d, %[1]s ...). The files of a language are merged; a key in two files is an error. Keeping an
// area per file lets the consoles grow without editing each other's catalogs. Templates call
// {{t "key" args...}}; handlers keep keys, never text. Every key is in every catalog
// (TestCatalogsComplete), and with Config.StrictText a key missing from the page's language fails
// the page instead of showing the key (the browser tests run that way).

//go:embed i18n
var catalogFiles embed.FS

// Langs are the consoles' languages by their names in cookies, forms and catalog file names;
// the first is the default for a browser that asks for none of them (KooGallery's first
// language).
func Langs() []string { return []string{"zh-CN", "en"} }

func langTag(code string) language.Tag {
	if code == "zh-CN" {
		return language.SimplifiedChinese
	}
	return language.English
}

// texts holds every language's messages and the x/text catalog built from them.
type texts struct {
	byLang  map[string]map[string]string // lang code → key → format
	catalog catalog.Catalog
	matcher language.Matcher
}

func loadTexts() (*texts, error) {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	var tags []language.Tag
	for _, code := range Langs() {
		tags = append(tags, langTag(code))
	}
	t := &texts{byLang: map[string]map[string]string{}, matcher: language.NewMatcher(tags)}
	for _, code := range Langs() {
		tag := langTag(code)
		files, err := fs.Glob(catalogFiles, "i18n/"+code+"/*.json")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("web: no catalog for %s (%v)", code, err)
		}
		m := map[string]string{}
		for _, f := range files {
			raw, err := fs.ReadFile(catalogFiles, f)
			if err != nil {
				return nil, fmt.Errorf("web: catalog %s: %w", f, err)
			}
			part := map[string]string{}
			if err := json.Unmarshal(raw, &part); err != nil {
				return nil, fmt.Errorf("web: catalog %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("web: catalog %s: key %q is also in another file of %s", f, k, code)
				}
				m[k] = v
			}
		}
		for k, v := range m {
			if err := b.SetString(tag, k, v); err != nil {
				return nil, fmt.Errorf("web: catalog %s, key %s: %w", code, k, err)
			}
		}
		t.byLang[code] = m
	}
	t.catalog = b
	return t, nil
}

// pick chooses a language code: the remembered choice (cookie) if it is one of ours, else the
// best match of Accept-Language, else the default (zh-CN, KooGallery's first language).
func (t *texts) pick(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		if _, ok := t.byLang[c.Value]; ok {
			return c.Value
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return Langs()[0]
	}
	_, i, _ := t.matcher.Match(tags...)
	return Langs()[i]
}

// locale formats text, money and dates in one language.
type locale struct {
	Lang    string
	printer *message.Printer
	msgs    map[string]string
	strict  bool
	loc     *time.Location
}

func (t *texts) locale(lang string, strict bool, loc *time.Location) *locale {
	return &locale{Lang: lang, printer: message.NewPrinter(langTag(lang), message.Catalog(t.catalog)), msgs: t.byLang[lang], strict: strict, loc: loc}
}

// T translates key with args. A missing key is an error when strict (the page fails), else the
// key itself, so a missing translation is visible but not fatal in production.
func (l *locale) T(key string, args ...any) (string, error) {
	if _, ok := l.msgs[key]; !ok {
		if l.strict {
			return "", fmt.Errorf("message %q is missing from the %s catalog", key, l.Lang)
		}
		return key, nil
	}
	return l.printer.Sprintf(key, args...), nil
}

// Has reports whether the catalog has key (for optional, data-driven keys such as a state).
func (l *locale) Has(key string) bool {
	_, ok := l.msgs[key]
	return ok
}

// currencySymbol is shown before amounts in Chinese; English shows the ISO code.
func currencySymbol(currency string) (string, bool) {
	switch currency {
	case "CNY":
		return "¥", true
	case "USD":
		return "$", true
	case "EUR":
		return "€", true
	}
	return "", false
}

// Money formats an amount (fixed point, 3 decimals) with thousands separators and at least two
// decimals: ¥1,234.50 in Chinese, CNY 1,234.50 in English. No float is involved.
func (l *locale) Money(m market.Money, currency string) string {
	s := m.String() // "-1234.500"
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	out := l.printer.Sprintf("%d", mustAtoi(whole)) + "." + frac
	if neg {
		out = "-" + out
	}
	if sym, ok := currencySymbol(currency); ok && l.Lang == "zh-CN" {
		return sym + out
	}
	if currency == "" {
		return out
	}
	return currency + " " + out
}

// Quantity formats a usage quantity (4 decimals) without trailing zeros.
func (l *locale) Quantity(q market.Quantity) string {
	whole, frac, _ := strings.Cut(q.String(), ".")
	out := l.printer.Sprintf("%d", mustAtoi(strings.TrimPrefix(whole, "-")))
	if strings.HasPrefix(whole, "-") {
		out = "-" + out
	}
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		out += "." + frac
	}
	return out
}

// Date and DateTime format a time in the site's zone: 2026-01-31 / 2026年1月31日 09:00 in Chinese,
// 31 Jan 2026 / 31 Jan 2026, 09:00 in English. A zero time is a dash.
func (l *locale) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(l.loc)
	if l.Lang == "zh-CN" {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return t.Format("2 Jan 2006")
}

// DateTime formats a time to the minute; see Date.
func (l *locale) DateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if l.Lang == "zh-CN" {
		return l.Date(t) + " " + t.In(l.loc).Format("15:04")
	}
	return l.Date(t) + ", " + t.In(l.loc).Format("15:04")
}

func mustAtoi(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return n
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// keys returns a catalog's keys, sorted (for the completeness test).
func (t *texts) keys(lang string) []string {
	var out []string
	for k := range t.byLang[lang] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
