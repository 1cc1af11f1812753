// Package web serves the marketplace's consoles: server-rendered pages for buyers (the
// storefront and "My KooGallery"), and the foundation the seller and operator consoles are built
// on. It is an edge like the JSON API: it turns a session into a market.Viewer and calls the same
// services, which decide what the viewer may see and do; it never reads the store.
//
// The shape (docs/consoles.md): html/template with one layout and partials, parsed once per
// language with that language's functions; htmx and uPlot embedded with their version in the file
// name; sessions in the database (scs); CSRF refused by http.CrossOriginProtection; a strict
// Content-Security-Policy (no inline script or style); every page readable without JavaScript.
package web

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
)

// Config configures the consoles.
type Config struct {
	// Sessions stores the sessions (store.Sessions: the database's web_sessions table).
	Sessions scs.Store
	// Secure marks cookies Secure: on when the server terminates TLS or sits behind a proxy that
	// does.
	Secure bool
	// SessionLifetime bounds a session (default 12 hours); IdleTimeout ends one unused that long
	// (default 2 hours).
	SessionLifetime, IdleTimeout time.Duration
	// Location is the zone dates are shown in (default UTC).
	Location *time.Location
	// Currency is the site's currency, shown when a price carries none.
	Currency string
	// StrictText fails a page that uses a message missing from its language's catalog, instead
	// of showing the key. Tests turn it on.
	StrictText bool
	// Log receives the errors that are the server's fault.
	Log *slog.Logger
	// Operator is the operator console's configuration (operator_config.go): the sandbox's test
	// clock and the settings it shows.
	Operator OperatorConfig
	// Limiter slows down guessing at the login page (the JSON API's api.FailureLimiter fits);
	// nil allows every attempt.
	Limiter Limiter
}

// Limiter refuses addresses that keep failing to sign in.
type Limiter interface {
	// Allow reports whether r's address may try to sign in now.
	Allow(r *http.Request) bool
	// Failed records a failed sign-in from r's address.
	Failed(r *http.Request)
}

// Console is the consoles' HTTP handler.
type Console struct {
	svc      *marketplace.Services
	cfg      Config
	texts    *texts
	pages    map[string]map[string]*template.Template // language → page → template
	assets   *assets
	sessions *scs.SessionManager
	handler  http.Handler
}

// New builds the consoles over the marketplace's services, the same ones the JSON API calls. It
// refuses a missing session store rather than serving a console that fails at the first click.
func New(svc *marketplace.Services, cfg Config) (*Console, error) {
	if svc == nil {
		return nil, errors.New("web: New needs the marketplace's services")
	}
	if cfg.Sessions == nil || cfg.Log == nil {
		return nil, errors.New("web: New needs a session store and a logger")
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Hour
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	c := &Console{svc: svc, cfg: cfg}
	var err error
	if c.texts, err = loadTexts(); err != nil {
		return nil, err
	}
	if c.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if c.pages, err = c.parsePages(); err != nil {
		return nil, err
	}
	c.sessions = newSessionManager(cfg)
	c.handler = c.routes()
	return c, nil
}

// Mux is where Register adds the consoles' routes.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Register adds the consoles' routes to mux: the home page at /, the console paths below, and
// the static files. They share the mux with /api/v1 and the open API, whose paths they avoid.
func (c *Console) Register(mux Mux) {
	for _, p := range []string{"GET /{$}", "/login", "/login/link/", "/logout", "/lang", "/products/", "/my/", "/seller/", "/operator/", "/static/"} {
		mux.Handle(p, c.handler)
	}
}

// ServeHTTP serves the consoles alone (tests mount them this way).
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// viewerOf is the viewer of a request that passed requireSignIn, or the anonymous visitor's
// zero viewer (which the services answer as nobody's).
func viewerOf(r *http.Request) (market.Viewer, bool) {
	v, ok := r.Context().Value(viewerKey{}).(market.Viewer)
	return v, ok
}

type viewerKey struct{}
