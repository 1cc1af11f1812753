package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// need says whether a failure of a case fails the whole check.
type need int

const (
	required     need = iota // mandatory on both generations
	optional                 // reported, never fails the check
	requiredGen1             // mandatory for 1.0 and kit v1, reported for 2.0
)

// caseDef is one row of the case table.
type caseDef struct {
	id    string
	rule  string
	spec  string
	title string
	need  need
	kit   bool           // needs the kit key
	only  kgp.Generation // 0: both generations; otherwise skipped on the other one
	why   string         // why the case does not apply to the other generation
	run   func(ctx context.Context, c *caseRun) (note string, err error)
}

// mandatory reports whether the case is mandatory in generation g.
func (d caseDef) mandatory(g kgp.Generation) bool {
	return d.need == required || d.need == requiredGen1 && g == kgp.Gen1
}

// violation is a broken rule: the reason of a failed case reads "rule: msg".
type violation struct {
	rule, msg string
}

func (v *violation) Error() string { return v.rule + ": " + v.msg }

// broke returns a violation of rule.
func broke(rule, format string, a ...any) error {
	return &violation{rule, fmt.Sprintf(format, a...)}
}

// skipped is returned by a case that cannot run; its text is the reason.
type skipped string

func (s skipped) Error() string { return string(s) }

// runCase runs one case and turns its outcome into a Result. A call that overran the budget fails
// the case that made it, whatever the case itself concluded, because KooGallery would have
// counted the whole operation as failed.
func (p *probe) runCase(ctx context.Context, d caseDef) Result {
	res := Result{ID: d.id, Rule: d.rule, Title: d.title, Spec: d.spec, Mandatory: d.mandatory(p.cfg.Generation)}
	switch {
	case d.only != 0 && d.only != p.cfg.Generation:
		res.Verdict, res.Reason = Skip, d.why
		return res
	case d.kit && p.cfg.KitKey == "":
		res.Verdict, res.Reason = Skip, "no kit key: kit cases run with the key bound to the kit interfaces (--kit-key)"
		return res
	case p.cfg.Select != nil && !p.cfg.Select(d.id):
		res.Verdict, res.Reason = Skip, "not selected"
		return res
	}
	c := &caseRun{probe: p, id: d.id}
	start := time.Now()
	note, err := d.run(ctx, c)
	res.Duration = time.Since(start)
	calls := c.exchanges()
	res.Calls = len(calls)
	if err == nil {
		if x := slowest(calls); x != nil && x.elapsed > p.cfg.Timeout {
			err = broke("budget", "%s took %s, over the %s budget", x.label, x.elapsed.Round(time.Millisecond), p.cfg.Timeout)
		}
	}
	var v *violation
	var s skipped
	switch {
	case err == nil:
		res.Verdict, res.Reason = Pass, note
	case errors.As(err, &s):
		res.Verdict, res.Reason = Skip, s.Error()
	case errors.As(err, &v):
		res.Verdict, res.Reason = Fail, v.Error()
	default:
		res.Verdict, res.Reason = Fail, "checker: "+err.Error()
	}
	res.Reason = oneLine(res.Reason)
	return res
}

// slowest returns the exchange that took longest, or nil.
func slowest(xs []*exchange) *exchange {
	var top *exchange
	for _, x := range xs {
		if top == nil || x.elapsed > top.elapsed {
			top = x
		}
	}
	return top
}

// oneLine keeps a reason on one line of a table, whatever a merchant put in its answer.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const limit = 400
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}
