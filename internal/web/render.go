package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Templates: templates/layout.html defines "layout", the page frame (landmarks, top bar with the
// language switch and the account, the role's side navigation); templates/partials/*.html define
// the shared pieces; each templates/pages/NAME.html defines "content" (and may define "head"
// for a page's own script). A page is parsed with the layout and partials once per language,
// with that language's functions bound, so rendering needs no per-request parsing.

//go:embed templates
var templateFiles embed.FS

// view is what every page template receives.
type view struct {
	Lang  string
	Langs []string
	// TitleKey is the page title's message key; Title an untranslated part (a product's name).
	TitleKey, Title string
	Viewer          market.Viewer
	SignedIn        bool
	// Nav is the side navigation's active entry.
	Nav string
	// Here is the current address (the language switch and the login page come back to it).
	Here  string
	Flash string
	Query string
	Form  *form
	Data  any
}

func (c *Console) parsePages() (map[string]map[string]*template.Template, error) {
	pages, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]*template.Template{}
	for _, lang := range Langs() {
		loc := c.texts.locale(lang, c.cfg.StrictText, c.cfg.Location)
		base, err := template.New("layout.html").Funcs(c.funcs(loc)).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html")
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		out[lang] = map[string]*template.Template{}
		for _, p := range pages {
			t, err := base.Clone()
			if err == nil {
				t, err = t.ParseFS(templateFiles, p)
			}
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", p, err)
			}
			out[lang][strings.TrimSuffix(path.Base(p), ".html")] = t
		}
	}
	return out, nil
}

// funcs are the template functions of one language.
func (c *Console) funcs(l *locale) template.FuncMap {
	return template.FuncMap{
		"t":        l.T,
		"has":      l.Has,
		"money":    l.Money,
		"qty":      l.Quantity,
		"date":     l.Date,
		"datetime": l.DateTime,
		"asset":    c.assetURL,
		// tstate translates a state, status or kind: prefix.VALUE.
		"tstate": func(prefix string, v any) (string, error) { return l.T(prefix + "." + fmt.Sprint(v)) },
		"badge":  badgeClass,
		"add":    func(a, b int) int { return a + b },
		"dict":   dict,
	}
}

// badgeClass picks a status badge's colour from the state's meaning.
func badgeClass(v any) string {
	switch fmt.Sprint(v) {
	case "ACTIVE", "PAID", "COMPLETED", "ON_SALE_PUBLIC", "APPROVED", "SUCCESS", "SUCCEEDED", "DECIDED", "DEPLOYED":
		return "badge ok"
	case "PENDING", "PROVISIONING", "PROCESSING", "REVIEWING", "PENDING_APPROVAL", "OPEN", "REFUNDING":
		return "badge busy"
	case "FROZEN", "FAILED", "REFUNDED", "CANCELLED", "REJECTED", "RELEASED", "DISPUTE":
		return "badge bad"
	}
	return "badge"
}

// newView starts a page's data for r.
func (c *Console) newView(r *http.Request, titleKey string) *view {
	v, signed := viewerOf(r)
	return &view{Lang: c.texts.pick(r), Langs: Langs(), TitleKey: titleKey, Viewer: v, SignedIn: signed,
		Here: here(r), Flash: c.sessions.PopString(r.Context(), sessionFlash), Query: r.URL.Query().Get("q")}
}

// here is the address the language switch and the login link come back to: the page itself,
// or for a form's answer (a POST address, which a GET cannot reach) the page the form was on.
func here(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		return safeNext(ref.RequestURI())
	}
	return "/"
}

// render writes page with status. It renders into a buffer first, so a template error is a
// clean 500 page rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t := c.pages[v.Lang][page]
	if t == nil {
		c.fail(w, r, fmt.Errorf("web: no page %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.cfg.Log.Error("web render", "page", page, "lang", v.Lang, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", v.Lang)
	h.Set("Vary", "Cookie, Accept-Language")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage renders the error page with a message key.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	v := c.newView(r, "error.title")
	v.Data = map[string]any{"Status": status, "Key": key}
	c.render(w, r, status, "error", v)
}

// notFound is the answer for anything the viewer may not see: it does not tell a page that
// exists for someone else from one that does not exist.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.errorPage(w, r, http.StatusNotFound, "error.notfound")
}

// fail answers a service error that is not a form's: not found (or not the viewer's) is the 404
// page, an expired sign-in goes to the login page, the server's own faults are logged.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch market.ErrorCode(err) {
	case market.CodeNotFound:
		c.notFound(w, r)
	case market.CodeUnauthorized:
		c.toLogin(w, r)
	case market.CodeForbidden:
		c.errorPage(w, r, http.StatusForbidden, "error.forbidden")
	case market.CodeInternal:
		c.cfg.Log.Error("web", "method", r.Method, "path", r.URL.Path, "err", err)
		c.errorPage(w, r, http.StatusInternalServerError, "error.internal")
	default:
		c.errorPage(w, r, http.StatusBadRequest, "error.code."+string(market.ErrorCode(err)))
	}
}

// form is a submitted form: what was typed (shown again) and the errors by field, as message
// keys with an optional detail (the service's own text, shown in English only).
type form struct {
	Values url.Values
	Errors map[string]fieldErr
	// Prefix is what the form's input ids start with, when a page has several forms
	// ("renew-periods"): the error summary links to Prefix+field.
	Prefix string
}

type fieldErr struct {
	Key, Detail string
}

func newForm(r *http.Request) *form { return &form{Values: r.PostForm, Errors: map[string]fieldErr{}} }

// Get is what was typed in field.
func (f *form) Get(field string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(field)
}

// Err is field's error, if any.
func (f *form) Err(field string) *fieldErr {
	if f == nil {
		return nil
	}
	if e, ok := f.Errors[field]; ok {
		return &e
	}
	return nil
}

// Add records an error of the console's own (a message key) at field.
func (f *form) Add(field, key string) { f.Errors[field] = fieldErr{Key: key} }

// Failed records a service's refusal at the field it names, or at "form" when it names none:
// the message key is err.FIELD.RULE, then err.FIELD, then the code's (error.code.CODE); the
// handler maps service field names to its form's first (fields).
func (f *form) Failed(l *locale, err error, fields map[string]string) {
	var me *market.Error
	if !errors.As(err, &me) {
		f.Errors["form"] = fieldErr{Key: "error.code.internal"}
		return
	}
	list := me.Details
	if len(list) == 0 {
		list = []market.FieldError{{Field: me.Field, Message: me.Message}}
	}
	for _, fe := range list {
		field := fe.Field
		if mapped, ok := fields[field]; ok {
			field = mapped
		}
		if field == "" {
			field = "form"
		}
		key := "error.code." + string(me.Code)
		for _, k := range []string{"err." + field, "err." + field + "." + fe.Rule} {
			if l.Has(k) {
				key = k
			}
		}
		if _, taken := f.Errors[field]; !taken {
			f.Errors[field] = fieldErr{Key: key, Detail: fe.Message}
		}
	}
}

// parseForm reads a small posted form (at most 64 KiB); false means the error page was written.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return false
	}
	return true
}

// Any reports whether the form has errors.
func (f *form) Any() bool { return f != nil && len(f.Errors) > 0 }

// dict builds a map from key, value pairs, to pass several values to a partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict needs key, value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
