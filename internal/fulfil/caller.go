// Package fulfil makes the marketplace's calls to merchants' production interfaces: it builds and
// signs each request exactly as KooGallery does, sends it with a 5-second budget, verifies and
// records the answer, and retries a failed call as a durable job until its window closes.
package fulfil

import (
	"bytes"
	"context"
	"encoding/json"
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

// maxAnswer bounds what is read of a merchant's answer.
const maxAnswer = 1 << 20

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
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	out.Attempt.Latency = time.Since(start)
	out.Attempt.Status, out.Attempt.Response = resp.StatusCode, body
	if err != nil {
		out.Attempt.Error = "reading answer: " + err.Error()
		return out
	}
	if resp.StatusCode != http.StatusOK {
		out.Attempt.Error = fmt.Sprintf("HTTP %d", resp.StatusCode)
		return out
	}
	if err := checkBodySign(m, resp.Header, body); err != nil {
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

// checkBodySign verifies the Body-Sign header: required for 1.0 merchants (and 2.0 merchants
// configured strict), verified when present otherwise (protocol §14.4). The name is matched
// exactly, as KooGallery does; a lower-case duplicate beside it is ignored.
func checkBodySign(m *market.Merchant, h http.Header, body []byte) error {
	values := h[kgp.BodySignHeader]
	if len(values) == 0 {
		if m.Generation == 1 || m.RequireBodySign {
			return errors.New("http header->bodySign is empty")
		}
		return nil
	}
	if err := kgp.VerifyBodySign(m.AccessKey, values[0], body); err != nil {
		return fmt.Errorf("Body-Sign: %w", err)
	}
	return nil
}

// build makes the signed HTTP request for one attempt.
func (c *Caller) build(ctx context.Context, m *market.Merchant, call *market.Call, now time.Time) (*http.Request, error) {
	base, err := url.Parse(m.ProductionURL)
	if err != nil {
		return nil, err
	}
	if m.Generation == 1 {
		r, err := decodeLegacy(call)
		if err != nil {
			return nil, err
		}
		qs, err := kgp.EncodeLegacy(r, m.AccessKey, now)
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
	}
	r, err := decodeBasic(call)
	if err != nil {
		return nil, err
	}
	body, err := kgp.EncodeBasic(r)
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

// decodeBasic turns a stored 2.0 request into its kgp type, with a fresh businessId for
// newInstance (it must differ on every request, retries included).
func decodeBasic(call *market.Call) (kgp.BasicRequest, error) {
	switch kgp.Activity(call.Activity) {
	case kgp.ActivityNewInstance:
		r, err := unmarshal[kgp.NewInstance](call.Request)
		r.BusinessID = market.NewUUID()
		return r, err
	case kgp.ActivityQueryInstance:
		return unmarshal[kgp.QueryInstance](call.Request)
	case kgp.ActivityRefreshInstance:
		return unmarshal[kgp.RefreshInstance](call.Request)
	case kgp.ActivityUpdateInstanceStatus:
		return unmarshal[kgp.UpdateInstanceStatus](call.Request)
	case kgp.ActivityReleaseInstance:
		return unmarshal[kgp.ReleaseInstance](call.Request)
	case kgp.ActivityUpgradeInstance:
		return unmarshal[kgp.UpgradeInstance](call.Request)
	case kgp.ActivityChangeInstanceCheck:
		return unmarshal[kgp.ChangeInstanceCheck](call.Request)
	case kgp.ActivityOrderNotify:
		return unmarshal[kgp.OrderNotify](call.Request)
	}
	return nil, fmt.Errorf("no 2.0 form for activity %q", call.Activity)
}

// decodeLegacy turns a stored 1.0 request into its kgp type.
func decodeLegacy(call *market.Call) (kgp.LegacyRequest, error) {
	switch kgp.Activity(call.Activity) {
	case kgp.ActivityNewInstance:
		r, err := unmarshal[kgp.LegacyNewInstance](call.Request)
		r.BusinessID = market.NewUUID()
		return r, err
	case kgp.ActivityQueryInstance:
		return unmarshal[kgp.LegacyQueryInstance](call.Request)
	case kgp.ActivityRefreshInstance:
		return unmarshal[kgp.LegacyRefreshInstance](call.Request)
	case kgp.ActivityExpireInstance:
		return unmarshal[kgp.LegacyExpireInstance](call.Request)
	case kgp.ActivityReleaseInstance:
		return unmarshal[kgp.LegacyReleaseInstance](call.Request)
	case kgp.ActivityUpgrade:
		return unmarshal[kgp.LegacyUpgrade](call.Request)
	case kgp.ActivityInstanceStatus:
		return unmarshal[kgp.LegacyInstanceStatus](call.Request)
	}
	return nil, fmt.Errorf("no 1.0 form for activity %q", call.Activity)
}

func unmarshal[T any](b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}
