package api

import (
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
)

// The sandbox's test clock (docs/operator-guide.md#test-clock), as Stripe's test clocks: the
// operator moves business time forward, or straight to the next usage collection, so that a
// merchant sees expiries and bills without waiting for them. Outside the sandbox every route
// answers 404.

// TestClock is a business clock that can be moved forward.
type TestClock interface {
	Now() time.Time
	Advance(time.Duration)
}

// MaxAdvance is the largest single move of the test clock.
const MaxAdvance = 400 * 24 * time.Hour

type (
	advanceRequest struct {
		// Duration is how far to move, in Go's notation: "90m", "36h".
		Duration string `json:"duration"`
	}
	collectRequest struct {
		Cycle market.Cycle `json:"cycle"`
	}
	clockView struct {
		Now string `json:"now"`
	}
	collectView struct {
		CollectionAt string `json:"collection_at"`
		Now          string `json:"now"`
	}
)

func (a *API) registerSandbox(mux Mux) {
	mux.Handle("GET /api/v1/sandbox/clock", a.auth(a.sandboxClock))
	mux.Handle("POST /api/v1/sandbox/clock/advance", a.auth(a.sandboxAdvance))
	mux.Handle("POST /api/v1/sandbox/collect", a.auth(a.sandboxCollect))
}

// testClock returns the sandbox's clock for the operator, or the error to answer.
func (a *API) testClock(v market.Viewer) (TestClock, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	if a.Clock == nil {
		return nil, market.Errorf(market.CodeNotFound, "the test clock exists only in the sandbox (mercato serve --sandbox)")
	}
	return a.Clock, nil
}

func (a *API) sandboxClock(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	c, err := a.testClock(v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, clockView{ts(c.Now())})
	return nil
}

func (a *API) sandboxAdvance(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	c, err := a.testClock(v)
	if err != nil {
		return err
	}
	var req advanceRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := time.ParseDuration(req.Duration)
	if err != nil || d <= 0 || d > MaxAdvance {
		return market.Invalid("duration", "duration must be a positive Go duration up to %s, such as \"90m\" or \"36h\"", MaxAdvance)
	}
	c.Advance(d)
	writeJSON(w, http.StatusOK, clockView{ts(c.Now())})
	return nil
}

// sandboxCollect moves the clock just past the next collection of the cycle and enqueues it:
// the usage pushed for the cycle is rated and billed within seconds.
func (a *API) sandboxCollect(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	c, err := a.testClock(v)
	if err != nil {
		return err
	}
	var req collectRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Cycle != market.CycleHourly && req.Cycle != market.CycleDaily {
		return market.Invalid("cycle", "cycle must be HOURLY or DAILY")
	}
	now := c.Now()
	at := metering.NextCollection(req.Cycle, now)
	c.Advance(at.Add(metering.Margin).Sub(now))
	if err := a.Metering.Tick(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, collectView{CollectionAt: ts(at), Now: ts(c.Now())})
	return nil
}
