package sdk

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// Site is a KooGallery site; it picks the open-API host.
type Site string

// Sites (§8.1).
const (
	SiteChina  Site = "cn"
	SiteIntl   Site = "intl"
	SiteEurope Site = "eu"
)

// RetryPolicy says how often and how patiently the Client retries.
type RetryPolicy struct {
	Attempts int           // total tries, the first included; 4 if zero
	Base     time.Duration // wait before the first retry, doubled each time; 500 ms if zero
	Max      time.Duration // longest wait; 8 s if zero
}

// ClientConfig configures a Client. AK and SK are required; AccessKey is required for usage
// pushes.
type ClientConfig struct {
	// AK and SK are the Huawei Cloud IAM access key pair that signs every call (APIG).
	AK, SK string
	// AccessKey is the key bound to the basic interfaces, the one in Config.Key: it signs the
	// usage push body.
	AccessKey string
	// Site picks the host when BaseURL is empty; SiteChina if empty.
	Site Site
	// BaseURL replaces the site's host, e.g. a Mercato sandbox ("http://127.0.0.1:8080").
	BaseURL string
	// FallbackURL is tried when BaseURL cannot be reached. For the China and international
	// sites it defaults to https://mkt.myhuaweicloud.cn, as KooGallery documents; with BaseURL
	// set there is none unless given.
	FallbackURL string
	// HTTPClient sends the calls; a client with a 30 s timeout if nil. Keep TLS verification
	// on: KooGallery requires merchants to check its certificate.
	HTTPClient *http.Client
	Retry      RetryPolicy
	Logger     *slog.Logger
	// Now stamps X-Sdk-Date and ts; time.Now if nil.
	Now func() time.Time
	// Sleep waits between retries; a context-aware timer if nil. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls KooGallery's open API (§8): order query, usage push, license activation and
// heartbeat. It signs every call with APIG SDK-HMAC-SHA256 over content-type, host and
// x-sdk-date, and retries with exponential backoff on network errors and on 5xx answers that
// are not a definite refusal. Errors the platform answers come back as *kgp.ErrorResponse.
type Client struct {
	cfg      ClientConfig
	base     *url.URL
	fallback *url.URL
}

// NewClient returns a Client for cfg.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.AK == "" || cfg.SK == "" {
		return nil, errors.New("sdk: ClientConfig.AK and SK are required")
	}
	if cfg.BaseURL == "" {
		switch cfg.Site {
		case SiteChina, "":
			cfg.BaseURL = "https://" + kgp.HostChina
		case SiteIntl:
			cfg.BaseURL = "https://" + kgp.HostIntl
		case SiteEurope:
			cfg.BaseURL = "https://" + kgp.HostEurope
		default:
			return nil, fmt.Errorf("sdk: unknown site %q", cfg.Site)
		}
		if cfg.FallbackURL == "" && cfg.Site != SiteEurope {
			cfg.FallbackURL = "https://" + kgp.HostChinaFallback
		}
	}
	c := &Client{cfg: cfg}
	var err error
	if c.base, err = parseBase(cfg.BaseURL); err != nil {
		return nil, err
	}
	if cfg.FallbackURL != "" {
		if c.fallback, err = parseBase(cfg.FallbackURL); err != nil {
			return nil, err
		}
	}
	if c.cfg.HTTPClient == nil {
		c.cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.cfg.Retry.Attempts <= 0 {
		c.cfg.Retry.Attempts = 4
	}
	if c.cfg.Retry.Base <= 0 {
		c.cfg.Retry.Base = 500 * time.Millisecond
	}
	if c.cfg.Retry.Max <= 0 {
		c.cfg.Retry.Max = 8 * time.Second
	}
	if c.cfg.Logger == nil {
		c.cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if c.cfg.Now == nil {
		c.cfg.Now = time.Now
	}
	if c.cfg.Sleep == nil {
		c.cfg.Sleep = sleep
	}
	return c, nil
}

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("sdk: open-API URL %q is not an absolute http(s) URL", s)
	}
	return u, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// request is one open-API call; usage says to add the usage-push body signature.
type request struct {
	method, path string
	query        url.Values
	body         []byte
	usage        bool
	contentType  string // application/json if empty
}

// do sends req, retrying, and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, req request, out any) error {
	base := c.base
	var err error
	for attempt := 0; ; attempt++ {
		var retry bool
		retry, err = c.send(ctx, base, req, out)
		if err == nil || !retry || ctx.Err() != nil || attempt+1 >= c.cfg.Retry.Attempts {
			return err
		}
		var netErr *networkError
		if errors.As(err, &netErr) && c.fallback != nil && base != c.fallback {
			c.cfg.Logger.Warn("open API unreachable; trying the fallback host", "host", base.Host, "fallback", c.fallback.Host, "err", err)
			base = c.fallback
			continue
		}
		wait := min(c.cfg.Retry.Base<<attempt, c.cfg.Retry.Max)
		c.cfg.Logger.Info("open API call failed; retrying", "path", req.path, "attempt", attempt+1, "wait", wait, "err", err)
		if serr := c.cfg.Sleep(ctx, wait); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

// networkError is a call that got no HTTP answer.
type networkError struct{ err error }

func (e *networkError) Error() string { return "sdk: open API unreachable: " + e.err.Error() }
func (e *networkError) Unwrap() error { return e.err }

// send makes one attempt, signed afresh (a new X-Sdk-Date, ts and nonce), and reports whether
// a failure is worth retrying.
func (c *Client) send(ctx context.Context, base *url.URL, req request, out any) (retry bool, err error) {
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + req.path
	u.RawQuery = req.query.Encode()
	hr, err := http.NewRequestWithContext(ctx, req.method, u.String(), bytes.NewReader(req.body))
	if err != nil {
		return false, err
	}
	now := c.cfg.Now()
	ct := req.contentType
	if ct == "" {
		ct = "application/json"
	}
	hr.Header.Set("Content-Type", ct)
	hr.Header.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(now))
	if req.usage {
		ts, nonce := kgp.FormatEpochMillis(now), newNonce()
		sig, err := kgp.SignUsage(c.cfg.AccessKey, ts, nonce, req.body)
		if err != nil {
			return false, err
		}
		hr.Header.Set("signature", sig)
		hr.Header.Set("ts", ts)
		hr.Header.Set("nonce", nonce)
	}
	auth, err := kgp.SignAPIG(c.cfg.AK, c.cfg.SK, &kgp.APIGRequest{Method: req.method, URL: &u, Host: u.Host,
		Header: hr.Header, Body: req.body}, "content-type", "host")
	if err != nil {
		return false, err
	}
	hr.Header.Set("Authorization", auth)
	resp, err := c.cfg.HTTPClient.Do(hr)
	if err != nil {
		return ctx.Err() == nil, &networkError{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return true, &networkError{err}
	}
	if e := envelopeError(body); e != nil || resp.StatusCode >= 300 {
		if e == nil {
			e = &kgp.ErrorResponse{ErrorMsg: fmt.Sprintf("HTTP %d: %s", resp.StatusCode, truncate(string(body), 200))}
		}
		return retryable(resp.StatusCode, e.ErrorCode), e
	}
	if err := json.Unmarshal(body, out); err != nil {
		return false, fmt.Errorf("sdk: open-API answer is not the expected JSON: %w", err)
	}
	return false, nil
}

// envelopeError reads an error from either envelope the open API uses: error_code/error_msg
// (usage, licenses) or resultCode/resultMsg (order query). Success and non-JSON give nil.
func envelopeError(body []byte) *kgp.ErrorResponse {
	var env struct {
		kgp.ErrorResponse
		ResultCode kgp.ErrorCode `json:"resultCode"`
		ResultMsg  string        `json:"resultMsg"`
	}
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	e := env.ErrorResponse
	if e.ErrorCode == "" {
		e.ErrorCode, e.ErrorMsg = env.ResultCode, env.ResultMsg
	}
	if e.ErrorCode == "" || e.ErrorCode.Success() {
		return nil
	}
	return &e
}

// retryable says whether an error answer may succeed when repeated. KooGallery answers some
// definite refusals with HTTP 500 (MKT.9001 instance not found, MKT.9004 begin time too old,
// ...): repeating those only delays the error. Internal errors, gateway errors and answers
// without a code are retried, and so is throttling (429).
func retryable(status int, code kgp.ErrorCode) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	if status < 500 {
		return false
	}
	switch {
	case code == "", code == kgp.MKTInternal, code == kgp.LicenseUnauthorized, strings.HasPrefix(string(code), "APIGW"):
		return true
	}
	return false
}

func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
