package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// request is one message before encoding; exactly one field is set.
type request struct {
	basic  kgp.BasicRequest
	legacy kgp.LegacyRequest
	kit    kgp.KitRequest
}

// label names the call in reasons and logs.
func (r request) label(g kgp.Generation) string {
	switch {
	case r.basic != nil:
		return string(r.basic.Activity())
	case r.legacy != nil:
		return "1.0 " + string(r.legacy.Activity())
	case r.kit != nil:
		return fmt.Sprintf("kit v%d %s", g, r.kit.KitName())
	}
	return "?"
}

// tweak holds the deliberate faults of a request: the negative cases send what KooGallery never
// would, and kgp's encoders refuse to produce it, so the faults are applied to their output.
type tweak struct {
	key      string            // sign with this key instead of the right one
	at       time.Time         // the signed timestamp, instead of now
	drop     string            // a field removed after encoding (the signature covers its absence)
	mutate   func(m any) error // changes the decoded body (basic and kit) after encoding
	unsigned bool              // no signature at all
	signedAs *request          // sign this request's encoding but send the real one
}

// option sets a fault of a request.
type option func(*tweak)

func withKey(k string) option           { return func(t *tweak) { t.key = k } }
func at(ts time.Time) option            { return func(t *tweak) { t.at = ts } }
func dropField(f string) option         { return func(t *tweak) { t.drop = f } }
func mutate(f func(m any) error) option { return func(t *tweak) { t.mutate = f } }
func unsigned() option                  { return func(t *tweak) { t.unsigned = true } }
func signedAs(r request) option         { return func(t *tweak) { t.signedAs = &r } }

// wire is a request ready to send.
type wire struct {
	label       string
	kit         bool
	method, url string
	header      http.Header
	body        []byte
}

// prepare encodes and signs req as KooGallery would, then applies the faults of opts.
func (p *probe) prepare(req request, opts ...option) (*wire, error) {
	var t tweak
	for _, o := range opts {
		o(&t)
	}
	if t.at.IsZero() {
		t.at = p.stamp()
	}
	w := &wire{label: req.label(p.cfg.Generation), header: http.Header{}}
	var err error
	switch {
	case req.basic != nil:
		err = p.prepareBasic(w, req, t)
	case req.legacy != nil:
		err = p.prepareLegacy(w, req, t)
	case req.kit != nil:
		err = p.prepareKit(w, req, t)
	}
	return w, err
}

func (p *probe) prepareBasic(w *wire, req request, t tweak) error {
	key := or(t.key, p.cfg.Key)
	body, err := encodeFaulty(func() ([]byte, error) { return kgp.EncodeBasic(req.basic) }, t)
	if err != nil {
		return err
	}
	signed := body
	if t.signedAs != nil {
		if signed, err = kgp.EncodeBasic(t.signedAs.basic); err != nil {
			return err
		}
	}
	ts, nonce := kgp.FormatEpochMillis(t.at), newNonce()
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}}
	if !t.unsigned {
		q.Set("signature", kgp.SignBasic(key, ts, nonce, signed))
	}
	w.method, w.url, w.body = http.MethodPost, withQuery(p.cfg.URL, q.Encode()), body
	w.header.Set("Content-Type", "application/json;charset=utf8")
	return nil
}

func (p *probe) prepareLegacy(w *wire, req request, t tweak) error {
	key := or(t.key, p.cfg.Key)
	enc, err := kgp.EncodeLegacy(req.legacy, key, t.at)
	if err != nil {
		return err
	}
	q, err := url.ParseQuery(enc)
	if err != nil {
		return err
	}
	if t.drop != "" {
		q.Del(t.drop)
		q.Del("authToken")
		q.Set("authToken", kgp.AuthToken(key, q))
	}
	if t.signedAs != nil {
		other, err := kgp.EncodeLegacy(t.signedAs.legacy, key, t.at)
		if err != nil {
			return err
		}
		oq, err := url.ParseQuery(other)
		if err != nil {
			return err
		}
		q.Set("authToken", oq.Get("authToken"))
	}
	if t.unsigned {
		q.Del("authToken")
	}
	w.method, w.url = http.MethodGet, withQuery(p.cfg.URL, q.Encode())
	return nil
}

func (p *probe) prepareKit(w *wire, req request, t tweak) error {
	gen, key := p.cfg.Generation, or(t.key, p.cfg.KitKey)
	stamp := t.at
	// The body timeStamp is what kit v1 signs and checks, and what makes two sends of one
	// request two requests, as KooGallery's are.
	kit := kgp.StampKit(req.kit, kgp.FormatKitTimeStamp(stamp))
	body, err := encodeFaulty(func() ([]byte, error) { return kgp.EncodeKit(kit, gen) }, t)
	if err != nil {
		return err
	}
	signed := body
	if t.signedAs != nil {
		if signed, err = kgp.EncodeKit(kgp.StampKit(t.signedAs.kit, kgp.FormatKitTimeStamp(stamp)), gen); err != nil {
			return err
		}
	}
	w.kit, w.method, w.body = true, http.MethodPost, body
	u, err := url.Parse(p.cfg.URL)
	if err != nil {
		return err
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + kgp.KitPath(req.kit.KitName(), gen)
	u.RawPath = ""
	w.url = u.String()
	// Header names are set as KooGallery spells them; HTTP matches them case-insensitively, but
	// a merchant behind a strict proxy should see what the platform sends.
	w.header.Set("Content-Type", "application/json")
	if gen == kgp.Gen1 {
		tok, err := kgp.KitV1AuthToken(key, signed)
		if err != nil {
			return err
		}
		if !t.unsigned {
			w.header["authToken"] = []string{tok}
		}
		return nil
	}
	ts, nonce := kgp.FormatEpochMillis(stamp), newNonce()
	w.header["x-timestamp"] = []string{ts}
	w.header["x-nonce"] = []string{nonce}
	if !t.unsigned {
		w.header["x-sign"] = []string{kgp.SignKit(key, ts, nonce, signed)}
	}
	return nil
}

// encodeFaulty encodes with kgp and then applies drop and mutate to the JSON. The result goes
// through kgp.CanonicalJSON, so that it is sorted and compact like everything KooGallery sends
// and a merchant verifying either reading of the signature (§14) sees the same bytes.
func encodeFaulty(encode func() ([]byte, error), t tweak) ([]byte, error) {
	body, err := encode()
	if err != nil || t.drop == "" && t.mutate == nil {
		return body, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	delete(m, t.drop)
	if t.mutate != nil {
		if err := t.mutate(m); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return kgp.CanonicalJSON(raw)
}

// withQuery appends a query to a URL that may already carry one.
func withQuery(base, query string) string {
	if strings.Contains(base, "?") {
		return base + "&" + query
	}
	return base + "?" + query
}

// or returns a unless it is empty, and b then.
func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
