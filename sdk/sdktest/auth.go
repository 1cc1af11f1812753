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
		h := in.Header
		ts, n := h.Get("x-timestamp"), h.Get("x-nonce")
		if kgp.VerifyKit(m.KitKey, h.Get("x-sign"), ts, n, body) != nil && !x.signature {
			return in
		}
		ts, n = restamp(ts, n, x, at, nonce)
		h.Set("x-timestamp", ts)
		h.Set("x-nonce", n)
		h.Set("x-sign", kgp.SignKit(m.KitKey, ts, n, body))
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
		ts, n := q.Get("timestamp"), q.Get("nonce")
		if kgp.VerifyBasic(m.Key, q.Get("signature"), ts, n, body) != nil && !x.signature {
			return in
		}
		ts, n = restamp(ts, n, x, at, nonce)
		q.Set("timestamp", ts)
		q.Set("nonce", n)
		q.Set("signature", kgp.SignBasic(m.Key, ts, n, body))
		in.URL.RawQuery = q.Encode()
	}
	return in
}

// restamp replaces the epoch-millisecond timestamp and the nonce where x says so.
func restamp(ts, nonce string, x repair, at time.Time, fresh string) (string, string) {
	if x.timestamp {
		ts = kgp.FormatEpochMillis(at)
	}
	if x.nonce {
		nonce = fresh
	}
	return ts, nonce
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
