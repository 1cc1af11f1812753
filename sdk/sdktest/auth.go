package sdktest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// The SDK checks every request's signature, timestamp and nonce, and it cannot be told not to.
// A fault that skips a check therefore repairs what that check would refuse, and signs the
// request anew with the right key, before the SDK sees it: the other checks still apply.

// repair says which checks a fault skips.
type repair struct {
	signature, timestamp, nonce bool
}

// resign returns the request the SDK serves: r with its body restored, repaired as the faults
// of its interface say.
func (m *Merchant) resign(r *http.Request, c *call, f Faults) *http.Request {
	x := repair{f.AcceptBadSignature, f.NoTimestampCheck, f.NoNonceCheck}
	if c.kit {
		x = repair{f.KitAcceptBadSignature, f.KitNoTimestampCheck, f.KitNoNonceCheck}
	}
	return m.sign(r, c, x, time.Now())
}

// forged is a correctly signed copy of r with a fresh timestamp and nonce, for CreateBeforeAuth.
// A 1.0 copy differs from r in its timeStamp, or the SDK, which takes a 1.0 authToken for a
// nonce, would refuse r as a replay of its copy.
func (m *Merchant) forged(r *http.Request, c *call) *http.Request {
	at := time.Now()
	if kgp.FormatTimeStamp(at) == c.query.Get("timeStamp") {
		at = at.Add(time.Millisecond)
	}
	return m.sign(r, c, repair{true, true, true}, at)
}

// sign applies x to a copy of r. A request whose signature verifies is signed again over what
// x changed; one that does not verify is left refused unless x skips the signature check.
func (m *Merchant) sign(r *http.Request, c *call, x repair, at time.Time) *http.Request {
	in := r.Clone(r.Context())
	body := c.body
	defer func() {
		in.Body, in.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}()
	if x == (repair{}) {
		return in
	}
	nonce := "sdktest-" + kgp.NewIV()
	switch {
	case c.kit && m.KitKey == "": // the SDK refuses every kit call
	case c.kit && c.gen == kgp.Gen1:
		if kgp.VerifyKitV1AuthToken(m.KitKey, in.Header.Get("authToken"), body) != nil && !x.signature {
			return in
		}
		if x.timestamp {
			body = stampKitV1(body, at)
		}
		if token, err := kgp.KitV1AuthToken(m.KitKey, body); err == nil {
			in.Header.Set("authToken", token)
		}
	case c.kit:
		kitV2.resign(in.Header.Get, in.Header.Set, m.KitKey, body, x, at, nonce)
	case c.gen == kgp.Gen1:
		q := in.URL.Query()
		if kgp.VerifyAuthToken(m.Key, q) != nil && !x.signature {
			return in
		}
		if x.timestamp {
			q.Set("timeStamp", kgp.FormatTimeStamp(at))
		}
		q.Set("authToken", kgp.AuthToken(m.Key, q))
		in.URL.RawQuery = q.Encode()
	default:
		q := in.URL.Query()
		if basic.resign(q.Get, q.Set, m.Key, body, x, at, nonce) {
			in.URL.RawQuery = q.Encode()
		}
	}
	return in
}

// hmacScheme is a signature over a timestamp (epoch milliseconds), a nonce and the body, carried
// in three named fields: 2.0 URL parameters, kit v2 headers.
type hmacScheme struct {
	signature, timestamp, nonce string
	verify                      func(key, signature, timestamp, nonce string, body []byte) error
	sign                        func(key, timestamp, nonce string, body []byte) string
}

// The two schemes of that form (constant tables).
var (
	basic = hmacScheme{"signature", "timestamp", "nonce", kgp.VerifyBasic, kgp.SignBasic}
	kitV2 = hmacScheme{"x-sign", "x-timestamp", "x-nonce", kgp.VerifyKit, kgp.SignKit}
)

// resign applies x to the fields get reads and set writes, and reports whether it signed anew.
func (s hmacScheme) resign(get func(string) string, set func(string, string), key string, body []byte, x repair, at time.Time, fresh string) bool {
	ts, nonce := get(s.timestamp), get(s.nonce)
	if s.verify(key, get(s.signature), ts, nonce, body) != nil && !x.signature {
		return false
	}
	if x.timestamp {
		ts = kgp.FormatEpochMillis(at)
	}
	if x.nonce {
		nonce = fresh
	}
	set(s.timestamp, ts)
	set(s.nonce, nonce)
	set(s.signature, s.sign(key, ts, nonce, body))
	return true
}

// stampKitV1 sets the timeStamp of a kit v1 body, which carries its time inside the signed
// body; a body that is not a JSON object stays as it is.
func stampKitV1(body []byte, at time.Time) []byte {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil || fields == nil {
		return body
	}
	fields["timeStamp"], _ = json.Marshal(kgp.FormatKitTimeStamp(at))
	out, err := json.Marshal(fields)
	if err != nil {
		return body
	}
	return out
}
