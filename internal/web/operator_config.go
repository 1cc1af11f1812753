package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
)

// The configuration the marketplace runs with (read-only: it is set by flags and MERCATO_*
// variables), and the sandbox's test clock, as the JSON API's /api/v1/sandbox/* offers it.

// OperatorConfig is the operator console's configuration.
type OperatorConfig struct {
	// Sandbox says the server runs as the sandbox (mercato serve --sandbox).
	Sandbox bool
	// Clock is the sandbox's test clock; nil outside the sandbox, where the clock pages are the
	// 404 page.
	Clock TestClock
	// Settings are the configuration values the configuration page lists, in order. A setting's
	// label is the message op.setting.NAME when the catalogs have it, else its name.
	Settings []Setting
}

// TestClock is a business clock the operator can move forward (the sandbox's; api.TestClock).
type TestClock interface {
	Now() time.Time
	Advance(time.Duration)
}

// Setting is one configuration value.
type Setting struct {
	Name, Value string
}

// MaxAdvance is the largest single move of the test clock, as in the JSON API.
const MaxAdvance = 400 * 24 * time.Hour

func (c *Console) registerOperatorConfig(mux *http.ServeMux) {
	mux.Handle("GET /operator/config", c.operatorRoute(c.operatorSettings))
	mux.Handle("POST /operator/token", c.operatorRoute(c.operatorRotateToken))
	mux.Handle("GET /operator/clock", c.operatorRoute(c.operatorClock))
	mux.Handle("POST /operator/clock/advance", c.operatorRoute(c.operatorAdvance))
	mux.Handle("POST /operator/clock/collect", c.operatorRoute(c.operatorCollect))
}

func (c *Console) operatorSettings(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSettings(w, r, "")
}

// renderSettings shows the configuration; token is an operator token just issued, shown once.
func (c *Console) renderSettings(w http.ResponseWriter, r *http.Request, token string) {
	view := c.newView(r, "op.config.title")
	view.Nav = "op-config"
	view.Data = map[string]any{"Settings": c.cfg.Operator.Settings, "Sandbox": c.cfg.Operator.Sandbox, "Clock": c.cfg.Operator.Clock != nil, "Token": token}
	if token != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	c.render(w, r, http.StatusOK, "operator_config", view)
}

// operatorRotateToken replaces the stored operator tokens with a new one, shown once (as
// `mercato token rotate` does). A token set by MERCATO_OPERATOR_TOKEN keeps working while it is
// configured; sessions already signed in go on until they end.
func (c *Console) operatorRotateToken(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	token, err := c.svc.Identity.RotateOperatorToken(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderSettings(w, r, token)
}

// testClock is the sandbox's clock for the operator; nil (after writing the 404 page) outside
// the sandbox, as the JSON API answers.
func (c *Console) testClock(w http.ResponseWriter, r *http.Request, v market.Viewer) TestClock {
	if err := v.MustBeOperator(); err != nil {
		c.fail(w, r, err)
		return nil
	}
	if c.cfg.Operator.Clock == nil {
		c.notFound(w, r)
		return nil
	}
	return c.cfg.Operator.Clock
}

func (c *Console) operatorClock(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if clock := c.testClock(w, r, v); clock != nil {
		c.renderClock(w, r, http.StatusOK, clock, opForm(r))
	}
}

func (c *Console) renderClock(w http.ResponseWriter, r *http.Request, status int, clock TestClock, f *form) {
	now := clock.Now()
	view := c.newView(r, "op.clock.title")
	view.Nav = "op-config"
	view.Form = f
	view.Data = map[string]any{"Now": now, "NextHourly": metering.NextCollection(market.CycleHourly, now),
		"NextDaily": metering.NextCollection(market.CycleDaily, now)}
	c.render(w, r, status, "operator_clock", view)
}

func (c *Console) operatorAdvance(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	clock := c.testClock(w, r, v)
	if clock == nil || !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	d, err := time.ParseDuration(strings.TrimSpace(f.Get("duration")))
	if err != nil || d <= 0 || d > MaxAdvance {
		f.Add("duration", "op.clock.err_duration")
		c.renderClock(w, r, http.StatusUnprocessableEntity, clock, f)
		return
	}
	clock.Advance(d)
	c.backTo(w, r, "/operator/clock", "op.flash.clock_advanced")
}

// operatorCollect moves the clock just past the cycle's next collection and enqueues it, as
// POST /api/v1/sandbox/collect does.
func (c *Console) operatorCollect(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	clock := c.testClock(w, r, v)
	if clock == nil || !c.parseForm(w, r) {
		return
	}
	cycle := market.Cycle(r.PostForm.Get("cycle"))
	if cycle != market.CycleHourly && cycle != market.CycleDaily {
		f := opForm(r)
		f.Add("form", "op.clock.err_cycle")
		c.renderClock(w, r, http.StatusUnprocessableEntity, clock, f)
		return
	}
	now := clock.Now()
	at := metering.NextCollection(cycle, now)
	clock.Advance(at.Add(metering.Margin).Sub(now))
	if err := c.svc.Metering.Tick(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.backTo(w, r, "/operator/clock", "op.flash.collected")
}
