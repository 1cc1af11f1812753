package sdk

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/mercato-oss/mercato/kgp"
)

var (
	errBadTimestamp = errors.New("sdk: timestamp missing or malformed")
	errNoKitKey     = errors.New("sdk: no kit key configured")
)

// Every generation is checked the same way: the signature first, then the timestamp window and
// the nonce. The signature comes first so that an unsigned request can neither fill the nonce
// cache nor burn a nonce KooGallery is about to use. Nonces are namespaced per scheme, and
// 1.0 and kit v1, which have no nonce, use their authToken: it is unique per timestamp and
// message, so an identical replay is refused and nothing else is.

// authBasic checks a 2.0 basic request: signature, timestamp and nonce URL parameters.
func (h *Handler) authBasic(q url.Values, body []byte) error {
	sig, ts, nonce := q.Get("signature"), q.Get("timestamp"), q.Get("nonce")
	if sig == "" {
		return kgp.ErrSignatureMissing
	}
	at, err := kgp.ParseEpochMillis(ts)
	if err != nil {
		return fmt.Errorf("%w: %v", errBadTimestamp, err)
	}
	if err := kgp.VerifyBasic(h.cfg.Key, sig, ts, nonce, body); err != nil {
		return err
	}
	if nonce == "" {
		return kgp.ErrMissingNonce
	}
	return h.guard.Check(at, "v2:"+nonce)
}

// authLegacy checks a 1.0 GET request: authToken and timeStamp (UTC) query parameters.
func (h *Handler) authLegacy(q url.Values) error {
	token := q.Get("authToken")
	if token == "" {
		return kgp.ErrSignatureMissing
	}
	at, err := kgp.ParseTimeStamp(q.Get("timeStamp"))
	if err != nil {
		return fmt.Errorf("%w: %v", errBadTimestamp, err)
	}
	if err := kgp.VerifyAuthToken(h.cfg.Key, q); err != nil {
		return err
	}
	return h.guard.Check(at, "v1:"+token)
}

// authKit checks a kit request with the kit key: x-sign headers (v2) or the authToken header
// over the body, whose timeStamp is GMT+8 (v1).
func (h *Handler) authKit(header func(string) string, gen kgp.Generation, body []byte) error {
	key := h.cfg.KitKey
	if key == "" {
		return errNoKitKey
	}
	if gen == kgp.Gen1 {
		token := header("authToken")
		if token == "" {
			return kgp.ErrSignatureMissing
		}
		if err := kgp.VerifyKitV1AuthToken(key, token, body); err != nil {
			return err
		}
		_, ts, err := kgp.KitV1Message(body)
		if err != nil {
			return err
		}
		at, err := kgp.ParseKitTimeStamp(ts)
		if err != nil {
			return fmt.Errorf("%w: %v", errBadTimestamp, err)
		}
		return h.guard.Check(at, "kit1:"+token)
	}
	sig, ts, nonce := header("x-sign"), header("x-timestamp"), header("x-nonce")
	if sig == "" {
		return kgp.ErrSignatureMissing
	}
	at, err := kgp.ParseEpochMillis(ts)
	if err != nil {
		return fmt.Errorf("%w: %v", errBadTimestamp, err)
	}
	if err := kgp.VerifyKit(key, sig, ts, nonce, body); err != nil {
		return err
	}
	if nonce == "" {
		return kgp.ErrMissingNonce
	}
	return h.guard.Check(at, "kit2:"+nonce)
}
