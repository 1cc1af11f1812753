package sdk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/kgp"
)

// Handler serves a merchant's production URL: the 2.0 basic interfaces (POST, activity in the
// body), the 1.0 GET interfaces and the kit sync paths (.../produceAPI/v2/<name> and
// .../produceAPI/<name>), whatever path it is mounted on. Create it with NewHandler and Close
// it on shutdown.
type Handler struct {
	cfg   Config
	m     Merchant
	store Store
	guard *kgp.ReplayGuard
	log   *slog.Logger

	// ctx outlives requests: background provisioning runs under it, and Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	flights map[string]*flight // provisioning running in this process, by instance ID
	closed  bool
}

// NewHandler returns the production-interface handler for m. It resumes every provisioning a
// previous process left pending in cfg.Store.
func NewHandler(cfg Config, m Merchant) (*Handler, error) {
	if m == nil {
		return nil, errors.New("sdk: NewHandler needs a Merchant")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, m: m, store: cfg.Store, log: cfg.Logger, flights: map[string]*flight{}}
	h.guard = &kgp.ReplayGuard{Window: cfg.Window, Nonces: cfg.Nonces, Now: cfg.Now}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	if err := h.resume(); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// Close stops background provisioning and waits for it to return; the store stays open (its
// owner closes it). Provisioning interrupted by Close stays pending in the store and resumes
// with the next Handler on the same store.
func (h *Handler) Close() error {
	h.mu.Lock()
	already := h.closed
	h.closed = true
	h.mu.Unlock()
	if already {
		return nil
	}
	h.cancel()
	h.wg.Wait()
	return nil
}

// Instance returns what the SDK knows of an instance, with appInfo credentials decrypted, or
// ErrInstanceNotFound. Merchants use it to gate access by Status.
func (h *Handler) Instance(ctx context.Context, id string) (*Instance, error) {
	found, err := h.store.Instances(ctx, id)
	if err != nil {
		return nil, err
	}
	in, ok := found[id]
	if !ok {
		return nil, ErrInstanceNotFound
	}
	return h.opened(in), nil
}

// ServeHTTP implements http.Handler. Every answer is JSON with HTTP 200 (KooGallery reads the
// resultCode; a 5xx would only look like a crash) and carries Body-Sign.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	name, gen, kit := kgp.ParseKitPath(r.URL.Path)
	key := h.cfg.Key
	if kit && h.cfg.KitKey != "" {
		key = h.cfg.KitKey
	}
	if err != nil {
		h.log.Warn("kgp request body unreadable", "path", r.URL.Path, "err", err)
		h.write(w, key, http.StatusOK, &kgp.Response{ResultCode: kgp.ResultInvalidParam, ResultMsg: "request body unreadable or too large"})
		return
	}
	var resp *kgp.Response
	switch {
	case kit && r.Method == http.MethodPost:
		resp = h.serveKit(r, name, gen, body)
	case !kit && r.Method == http.MethodPost:
		resp = h.serveBasic(r, body)
	case !kit && r.Method == http.MethodGet:
		resp = h.serveLegacy(r)
	default:
		h.write(w, key, http.StatusMethodNotAllowed, &kgp.Response{ResultCode: kgp.ResultInvalidParam, ResultMsg: "method not allowed"})
		return
	}
	h.write(w, key, http.StatusOK, resp)
}

// write encodes resp and signs it with Body-Sign. The header is set by direct map assignment,
// so that its name goes out exactly as KooGallery matches it (case-sensitively), whatever
// canonicalisation net/http applies.
func (h *Handler) write(w http.ResponseWriter, key string, status int, resp *kgp.Response) {
	body, err := kgp.EncodeResponse(resp)
	if err != nil {
		h.log.Error("kgp response not encodable", "err", err)
		body, _ = kgp.EncodeResponse(&kgp.Response{ResultCode: kgp.ResultInternalError, ResultMsg: "internal error"})
	}
	hd := w.Header()
	hd["Content-Type"] = []string{"application/json;charset=UTF-8"}
	hd[kgp.BodySignHeader] = []string{kgp.BodySign(key, body)}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Answers shared by the serve functions.
func success() *kgp.Response {
	return &kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success"}
}

func failure(code kgp.ResultCode, msg string) *kgp.Response {
	return &kgp.Response{ResultCode: code, ResultMsg: msg}
}

// answer turns a Merchant error into a response.
func answer(err error) *kgp.Response {
	if err == nil {
		return success()
	}
	return failure(resultOf(err))
}

// invalid answers a request that is authentic but malformed: 000002 with the field at fault.
func (h *Handler) invalid(err error) *kgp.Response {
	h.log.Info("kgp request rejected", "code", kgp.ResultInvalidParam, "err", err)
	msg := "invalid request"
	if fe, ok := errors.AsType[*kgp.FieldError](err); ok {
		msg = fe.Field + ": " + fe.Problem
	} else if errors.Is(err, kgp.ErrUnknownActivity) {
		msg = "unknown activity"
	}
	return failure(kgp.ResultInvalidParam, truncate(msg, 255))
}

// deny answers a request that failed authentication: 000001. The reason sent back names the
// check that failed but none of its values: the expected signature would make the handler a
// signing oracle.
func (h *Handler) deny(scheme string, err error) *kgp.Response {
	msg := "signature mismatch"
	switch {
	case errors.Is(err, kgp.ErrSignatureMissing):
		msg = "signature missing"
	case errors.Is(err, kgp.ErrStaleTimestamp):
		msg = "timestamp outside the allowed window"
	case errors.Is(err, kgp.ErrReplayedNonce):
		msg = "nonce already used"
	case errors.Is(err, kgp.ErrMissingNonce):
		msg = "nonce missing"
	case errors.Is(err, errBadTimestamp):
		msg = "timestamp missing or malformed"
	case errors.Is(err, errNoKitKey):
		msg = "kit interfaces are not enabled"
	}
	h.log.Warn("kgp request denied", "scheme", scheme, "reason", msg, "err", err)
	return failure(kgp.ResultAuthFailed, msg)
}

// call runs a Merchant method, turning a panic into an error so that one bad call neither
// kills a background goroutine nor leaves KooGallery without an answer.
func (h *Handler) call(activity string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("merchant panicked", "activity", activity, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("sdk: merchant %s panicked: %v", activity, p)
		}
	}()
	err = fn()
	if err != nil {
		h.log.Info("merchant refused", "activity", activity, "err", err)
	}
	return err
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
