package fulfil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// Timeout is KooGallery's budget for one call (protocol §2).
const Timeout = 5 * time.Second

// maxAnswer bounds what is read of a merchant's answer; a longer one is a failure. keptAnswer is
// what an attempt's record keeps of it (with its full length): enough to read an envelope, not
// enough for a merchant to fill the database.
const (
	maxAnswer  = 1 << 20
	keptAnswer = 4 << 10
)

// Caller sends calls to merchants. It holds no state besides its HTTP client.
type Caller struct {
	HTTP  *http.Client
	Clock market.Clock
}

// Outcome is what one attempt produced: the exchange as recorded and, when the merchant answered
// a signed, well-formed envelope, the decoded answer.
type Outcome struct {
	Attempt  market.Attempt
	Response *kgp.Response // nil when the attempt failed before a valid answer
}

// Failed reports why an attempt did not produce a usable answer, or "".
func (o *Outcome) Failed() string { return o.Attempt.Error }

// Send makes one attempt of call to merchant m: a fresh timestamp, nonce, businessId and
// signature every time (protocol §3.8, §4.1).
func (c *Caller) Send(ctx context.Context, m *market.Merchant, call *market.Call, n int) *Outcome {
	out := &Outcome{Attempt: market.Attempt{CallID: call.ID, N: n, At: c.Clock.Now()}}
	// Signatures carry the wall-clock time, not business time: the merchant checks them against
	// its own clock, also when a test or the demo runs business time faster.
	req, err := c.build(ctx, m, call, time.Now())
	if err != nil {
		out.Attempt.Error = "cannot build request: " + err.Error()
		return out
	}
	out.Attempt.Method, out.Attempt.URL = req.Method, req.URL.String()
	if req.GetBody != nil {
		b, _ := req.GetBody()
		out.Attempt.Request, _ = io.ReadAll(b)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	start := time.Now() // latency is real time, whatever the business clock says
	resp, err := c.HTTP.Do(req.WithContext(ctx))
	if err != nil {
		out.Attempt.Latency = time.Since(start)
		out.Attempt.Error = "request failed: " + err.Error()
		return out
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	out.Attempt.Latency = time.Since(start)
	out.Attempt.Status, out.Attempt.ResponseSize = resp.StatusCode, len(body)
	out.Attempt.Response = body[:min(len(body), keptAnswer)]
	switch {
	case err != nil:
		out.Attempt.Error = "reading answer: " + err.Error()
		return out
	case len(body) > maxAnswer:
		out.Attempt.Error = fmt.Sprintf("answer is longer than %d bytes", maxAnswer)
		return out
	}
	if resp.StatusCode != http.StatusOK {
		out.Attempt.Error = fmt.Sprintf("HTTP %d", resp.StatusCode)
		return out
	}
	if err := checkBodySign(m, call.Form, resp.Header, body, c.Clock.Now()); err != nil {
		out.Attempt.Error = err.Error()
		return out
	}
	r, err := kgp.DecodeResponse(body)
	if err != nil {
		out.Attempt.Error = "answer is not a KooGallery response: " + err.Error()
		return out
	}
	out.Attempt.ResultCode = string(r.ResultCode)
	out.Response = r
	return out
}

// checkBodySign verifies the Body-Sign header: required for 1.0 merchants, for kit v1 calls and
// for 2.0 merchants configured strict, verified when present otherwise (protocol §14.4). Kit
// answers are signed with the kit key. The name is matched exactly, as KooGallery does; a
// lower-case duplicate beside it is ignored.
func checkBodySign(m *market.Merchant, form market.CallForm, h http.Header, body []byte, now time.Time) error {
	key, previous := m.AccessKey, m.PreviousAccessKey
	if form == market.FormKitV1 || form == market.FormKitV2 {
		key, previous = m.KitKey, m.PreviousKitKey
	}
	values := h[kgp.BodySignHeader]
	if len(values) == 0 {
		if form == market.FormLegacy || form == market.FormKitV1 || m.RequireBodySign {
			return errors.New("http header->bodySign is empty")
		}
		return nil
	}
	err := kgp.VerifyBodySign(key, values[0], body)
	// A merchant that has not yet switched to a key rotated a moment ago signs with the old one.
	if err != nil && previous != "" && now.Before(m.KeysRotatedAt.Add(market.RotationGrace)) && kgp.VerifyBodySign(previous, values[0], body) == nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Body-Sign: %w", err)
	}
	return nil
}

// build makes the signed HTTP request for one attempt: the stored request decoded with kgp,
// stamped with now and signed with the merchant's key for its form.
func (c *Caller) build(ctx context.Context, m *market.Merchant, call *market.Call, now time.Time) (*http.Request, error) {
	base, err := url.Parse(m.ProductionURL)
	if err != nil {
		return nil, err
	}
	r, err := decode(call)
	if err != nil {
		return nil, err
	}
	switch {
	case r.legacy != nil:
		qs, err := kgp.EncodeLegacy(r.legacy, m.AccessKey, now)
		if err != nil {
			return nil, err
		}
		if base.RawQuery != "" {
			qs = base.RawQuery + "&" + qs
		}
		base.RawQuery = qs
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String(), nil)
		if err != nil {
			return nil, err
		}
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(qs)), nil }
		return req, nil
	case r.kit != nil:
		body, err := kgp.EncodeKit(kgp.StampKit(r.kit, kgp.FormatKitTimeStamp(now)), r.gen)
		if err != nil {
			return nil, err
		}
		base.Path = strings.TrimSuffix(base.Path, "/") + kgp.KitPath(call.Activity, r.gen)
		base.RawPath = ""
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String(), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		// Header names as KooGallery spells them (§3.3, §3.5).
		req.Header.Set("Content-Type", "application/json")
		if r.gen == kgp.Gen1 {
			tok, err := kgp.KitV1AuthToken(m.KitKey, body)
			if err != nil {
				return nil, err
			}
			req.Header["authToken"] = []string{tok}
			return req, nil
		}
		ts, nonce := kgp.FormatEpochMillis(now), market.NewSecret(32)
		req.Header["x-timestamp"] = []string{ts}
		req.Header["x-nonce"] = []string{nonce}
		req.Header["x-sign"] = []string{kgp.SignKit(m.KitKey, ts, nonce, body)}
		return req, nil
	}
	body, err := kgp.EncodeBasic(r.basic)
	if err != nil {
		return nil, err
	}
	ts, nonce := kgp.FormatEpochMillis(now), market.NewSecret(32)
	q := base.Query()
	q.Set("signature", kgp.SignBasic(m.AccessKey, ts, nonce, body))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	base.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json;charset=utf-8")
	req.Header.Set("Accept", "application/json")
	return req, nil
}
