package conformance

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// The response cases judge every answer of the run at once, so that one broken habit (no
// Body-Sign, a text body) fails one case named after it instead of hiding in all the others.

// answered returns the exchanges of the run that got an answer.
func (c *caseRun) answered() ([]*exchange, error) {
	var out []*exchange
	for _, x := range c.exchangesOf("") {
		if x.err == nil {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil, skipped("no answers to examine: no other case got one")
	}
	return out, nil
}

// offenders collects the exchanges that break a rule and reports the first of them.
type offenders struct {
	n     int
	first string
}

func (o *offenders) add(x *exchange, format string, a ...any) {
	if o.n == 0 {
		o.first = fmt.Sprintf("%s (case %s) %s", x.label, x.caseID, fmt.Sprintf(format, a...))
	}
	o.n++
}

func (o *offenders) err(rule string, total int, noun string) error {
	if o.n == 0 {
		return nil
	}
	return broke(rule, "%d of %d %s; first: %s", o.n, total, noun, o.first)
}

func respJSON(_ context.Context, c *caseRun) (string, error) {
	xs, err := c.answered()
	if err != nil {
		return "", err
	}
	var bad offenders
	for _, x := range xs {
		resp, err := kgp.DecodeResponse(x.body)
		switch {
		case err != nil:
			bad.add(x, "answered HTTP %d with %s", x.status, quoteBody(x.body))
		case !sixDigits(string(resp.ResultCode)):
			bad.add(x, "answered resultCode %q, not 6 digits (§1)", resp.ResultCode)
		case (resp.ResultCode == kgp.ResultSuccess || resp.ResultCode == kgp.ResultProcessing) && x.status/100 != 2:
			bad.add(x, "answered %s with HTTP %d", resp.ResultCode, x.status)
		}
	}
	if err := bad.err("json", len(xs), "answers"); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d answers, all JSON with a 6-digit resultCode", len(xs)), nil
}

func sixDigits(s string) bool {
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}

func respBudget(_ context.Context, c *caseRun) (string, error) {
	xs := c.exchangesOf("")
	if len(xs) == 0 {
		return "", skipped("no calls to examine")
	}
	var bad offenders
	for _, x := range xs {
		var v *violation
		switch {
		case errors.As(x.err, &v) && v.rule == "budget":
			bad.add(x, "got no complete answer within %s", c.cfg.Timeout)
		case x.err == nil && x.elapsed > c.cfg.Timeout:
			bad.add(x, "took %s", x.elapsed.Round(time.Millisecond))
		}
	}
	if err := bad.err("budget", len(xs), "calls"); err != nil {
		return "", err
	}
	s := slowest(xs)
	return fmt.Sprintf("%d calls within %s; slowest %s (%s)", len(xs), c.cfg.Timeout, s.elapsed.Round(time.Millisecond), s.label), nil
}

// bodySigns returns the Body-Sign values of an answer under the exact header name and under
// names that differ only in case. Without recorded header lines every value counts as exact,
// since net/http has already canonicalised the names.
func bodySigns(x *exchange) (exact, other []string, otherName string) {
	if x.fields == nil {
		return x.header.Values(kgp.BodySignHeader), nil, ""
	}
	for _, f := range x.fields {
		switch {
		case f.name == kgp.BodySignHeader:
			exact = append(exact, f.value)
		case strings.EqualFold(f.name, kgp.BodySignHeader):
			other, otherName = append(other, f.value), f.name
		}
	}
	return exact, other, otherName
}

func respBodySign(_ context.Context, c *caseRun) (string, error) {
	xs, err := c.answered()
	if err != nil {
		return "", err
	}
	var bad offenders
	unseen := 0
	for _, x := range xs {
		if x.fields == nil {
			unseen++
		}
		exact, other, name := bodySigns(x)
		switch {
		case len(exact) > 0:
		case len(other) > 0:
			bad.add(x, "sent only %q; KooGallery matches %q case-sensitively", name, kgp.BodySignHeader)
		default:
			bad.add(x, "sent no Body-Sign header")
		}
	}
	if err := bad.err("body-sign", len(xs), "answers"); err != nil {
		return "", err
	}
	note := fmt.Sprintf("all %d answers carry Body-Sign", len(xs))
	if unseen > 0 {
		note += fmt.Sprintf(" (header-name case not observable for %d of them with this transport)", unseen)
	}
	return note, nil
}

func respBodySignValid(_ context.Context, c *caseRun) (string, error) {
	xs, err := c.answered()
	if err != nil {
		return "", err
	}
	var bad offenders
	n := 0
	for _, x := range xs {
		key, which := c.cfg.Key, "basic-interface"
		if x.kit {
			key, which = c.cfg.KitKey, "kit"
		}
		exact, other, _ := bodySigns(x)
		for _, v := range append(exact, other...) {
			n++
			if err := kgp.VerifyBodySign(key, v, x.body); err != nil {
				bad.add(x, "sent a Body-Sign that does not verify over the body with the %s key: %v", which, err)
				break
			}
		}
	}
	if err := bad.err("body-sign", len(xs), "answers"); err != nil {
		return "", err
	}
	if n == 0 {
		return "no Body-Sign present, nothing to verify", nil
	}
	return fmt.Sprintf("%d Body-Sign values verify", n), nil
}

func transportHTTPS(_ context.Context, c *caseRun) (string, error) {
	u, _ := url.Parse(c.cfg.URL)
	if u.Scheme != "https" {
		return "", broke("https", "the URL is %s://; KooGallery calls only HTTPS production URLs with a trusted certificate and TLS 1.2+ (§2)", u.Scheme)
	}
	for _, x := range c.exchangesOf("") {
		if x.tls == nil {
			continue
		}
		if x.tls.Version < tls.VersionTLS12 {
			return "", broke("https", "the merchant negotiated %s; KooGallery requires TLS 1.2 or later (§2)", tls.VersionName(x.tls.Version))
		}
		return "HTTPS with " + tls.VersionName(x.tls.Version), nil
	}
	return "HTTPS (TLS version not observable with this transport)", nil
}
