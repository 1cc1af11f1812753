// Package conformancetest is a reference KooGallery merchant endpoint built from package kgp
// alone, with switches that break it one rule at a time. It exists to test checkers (package
// conformance, `mercato check`) and platform code that calls merchants. It keeps its state in
// memory and is not a model for production merchants; those use package sdk.
package conformancetest

import (
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// maxRequest bounds a request body; an authSync of 500 users is some 100 KiB.
const maxRequest = 1 << 20

// forever is the timestamp window of a merchant that does not check timestamps.
const forever = 100 * 365 * 24 * time.Hour

// Faults each break one rule of the protocol. The zero value is a conforming merchant.
type Faults struct {
	NewIDPerRetry         bool          // newInstance creates a new instance on every call
	RacyCreate            bool          // newInstance checks, then inserts unlocked: concurrent duplicates race
	CreateBeforeAuth      bool          // newInstance provisions before the signature is verified
	AcceptBadSignature    bool          // basic and 1.0 signatures are not verified
	NoTimestampCheck      bool          // basic and 1.0 timestamps are not checked (Huawei's 1.0 demo)
	NoNonceCheck          bool          // 2.0 nonces (and 1.0 authTokens) are not remembered
	SkipFieldValidation   bool          // basic and 1.0 requests missing a mandatory field are answered 000000
	NoBodySign            bool          // answers carry no Body-Sign
	LowercaseBodySign     bool          // answers carry only "body-sign"
	WrongBodySignKey      bool          // Body-Sign is made with another key
	NonJSON               bool          // answers are plain text
	SlowNewInstance       time.Duration // newInstance answers after this long
	AppInfoWrongKey       bool          // credentials are encrypted with another key
	MaxQueryIDs           int           // queryInstance refuses more IDs than this (0: kgp.MaxQueryInstances)
	ReleaseUnknownFails   bool          // releaseInstance of an unknown instance answers 000005
	ReleaseForgets        bool          // release deletes the instance; a repeat answers 000003
	KitAcceptBadSignature bool          // kit signatures are not verified
	KitNoTimestampCheck   bool          // kit timestamps are not checked
	KitNoNonceCheck       bool          // kit v2 x-nonces (and kit v1 authTokens) are not remembered
	KitAddRepeatFails     bool          // a repeated kit add answers 000005
	KitDeleteAbsentFails  bool          // a kit delete of absent data answers 000005
	MaxAuthSyncUsers      int           // authSync refuses more users than this (0: kgp.MaxAuthSyncUsers)
	ChangeAnyInstance     bool          // changeInstanceCheck agrees for any instance, known or not
}

// Config configures a Merchant.
type Config struct {
	Key    string // access key bound to the basic interfaces
	KitKey string // access key bound to the kit interfaces
	// ClientKey decrypts the applicationSync clientSecret; nil accepts any non-empty value.
	ClientKey *rsa.PrivateKey
	// EncryptType encrypts appInfo credentials; empty sends them in plaintext without
	// encryptType, as Huawei's 2.0 demo does (§14.4).
	EncryptType kgp.EncryptType
	Now         func() time.Time // nil means time.Now
	Faults      Faults
}

// Merchant is an http.Handler serving one production URL: 2.0 POST, 1.0 GET and the kit paths
// of both generations. Instances live in memory, keyed by (orderId, orderLineId). 1.0 and kit v1
// calls have no nonce; their authToken stands in for one, so a byte-identical request is refused
// as a replay (KooGallery's retries always carry a new timeStamp, hence a new authToken).
type Merchant struct {
	cfg                       Config
	basic, legacy, kit, kitV1 *kgp.ReplayGuard
	mu                        sync.Mutex
	byOrder                   map[orderKey]*instance
	byID                      map[string]*instance
	kitData                   map[string]bool
}

// New returns a merchant with no instances.
func New(cfg Config) *Merchant {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	guard := func(noTime, nonces bool) *kgp.ReplayGuard {
		g := &kgp.ReplayGuard{Now: cfg.Now}
		if noTime {
			g.Window = forever
		}
		if nonces {
			g.Nonces = kgp.NewMemoryNonceCache(2*kgp.DefaultWindow, cfg.Now)
		}
		return g
	}
	f := cfg.Faults
	return &Merchant{
		cfg:     cfg,
		basic:   guard(f.NoTimestampCheck, !f.NoNonceCheck),
		legacy:  guard(f.NoTimestampCheck, !f.NoNonceCheck),
		kit:     guard(f.KitNoTimestampCheck, !f.KitNoNonceCheck),
		kitV1:   guard(f.KitNoTimestampCheck, !f.KitNoNonceCheck),
		byOrder: map[orderKey]*instance{},
		byID:    map[string]*instance{},
		kitData: map[string]bool{},
	}
}

// ServeHTTP dispatches on the path (kit), then the method (1.0 GET, 2.0 POST).
func (m *Merchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		m.write(w, m.cfg.Key, result(kgp.ResultInvalidParam, "body too large"))
		return
	}
	if name, gen, ok := kgp.ParseKitPath(r.URL.Path); ok {
		m.write(w, m.cfg.KitKey, m.serveKit(r, name, gen, body))
		return
	}
	if r.Method == http.MethodGet {
		m.write(w, m.cfg.Key, m.serveLegacy(r))
		return
	}
	m.write(w, m.cfg.Key, m.serveBasic(r, body))
}

// result is an answer without data.
func result(code kgp.ResultCode, msg string) *kgp.Response {
	return &kgp.Response{ResultCode: code, ResultMsg: msg}
}

// refusal maps a verification or decoding error to its answer.
func refusal(err error) *kgp.Response {
	var fe *kgp.FieldError
	switch {
	case errors.As(err, &fe), errors.Is(err, kgp.ErrUnknownActivity):
		return result(kgp.ResultInvalidParam, err.Error())
	}
	return result(kgp.ResultAuthFailed, "authentication failed")
}

// write encodes and signs an answer. Body-Sign is set by direct map assignment because
// KooGallery matches the name case-sensitively (§3.6).
func (m *Merchant) write(w http.ResponseWriter, key string, resp *kgp.Response) {
	if resp == nil { // the client went away while the merchant was slow
		return
	}
	f := m.cfg.Faults
	body, err := kgp.EncodeResponse(resp)
	if err != nil {
		body = []byte(`{"resultCode":"000005","resultMsg":"internal error"}`)
	}
	contentType := "application/json;charset=UTF-8"
	if f.NonJSON {
		body, contentType = []byte("success"), "text/plain"
	}
	if f.WrongBodySignKey {
		key += "-wrong"
	}
	switch sig := kgp.BodySign(key, body); {
	case f.NoBodySign:
	case f.LowercaseBodySign:
		w.Header()["body-sign"] = []string{sig}
	default:
		w.Header()[kgp.BodySignHeader] = []string{sig}
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(body)
}
