package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
	"github.com/mercato-oss/mercato/sdk/sqlitestore"
)

// config configures the example merchant.
type config struct {
	Key         string          // access key bound to the basic interfaces (required)
	KitKey      string          // access key bound to the kit interfaces; empty disables kits
	EncryptType kgp.EncryptType // "1" (AES-256, the default) or "2" (AES-128)
	StateDir    string          // the SDK store and the merchant's own data (required)

	// AK, SK and APIURL configure the open-API client (order query, usage push). Without
	// them 2.0 orders are provisioned from their IDs alone and usage is not pushed.
	AK, SK, APIURL string
	// PrivateKey (PKCS#8, PEM or Base64 DER) decrypts the clientSecret of application syncs.
	PrivateKey string

	// PublicURL is where buyers reach this merchant; it prefixes frontEndUrl and adminUrl.
	PublicURL string
	// SlowDelay is how long a "slow" spec takes to provision (longer than the SDK's 3 s
	// budget, so that KooGallery gets 000004 and polls); 8 s if zero.
	SlowDelay time.Duration
	// ProvisionBudget is passed to the SDK; its default if zero.
	ProvisionBudget time.Duration

	Logger *slog.Logger
	Now    func() time.Time // the SDK's clock; time.Now if nil
}

// newApp builds the merchant: the SDK handler on the production URL, the demo pages, and, when
// the open API is configured, a usage Reporter running in the background. Close the returned
// Closer on shutdown.
func newApp(cfg config) (http.Handler, io.Closer, error) {
	if cfg.StateDir == "" {
		return nil, nil, errors.New("merchant: StateDir is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = 8 * time.Second
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://merchant.example.com"
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, nil, err
	}
	data, err := openDB(cfg.StateDir)
	if err != nil {
		return nil, nil, err
	}
	m := &merchant{cfg: cfg, db: data, log: cfg.Logger}
	if cfg.PrivateKey != "" {
		if m.priv, err = kgp.ParseRSAPrivateKey(cfg.PrivateKey); err != nil {
			return nil, nil, err
		}
	}
	store, err := sqlitestore.Open(cfg.StateDir)
	if err != nil {
		return nil, nil, err
	}
	a := &app{store: store}
	sdkCfg := sdk.Config{Key: cfg.Key, KitKey: cfg.KitKey, EncryptType: cfg.EncryptType, Store: store,
		ProvisionBudget: cfg.ProvisionBudget, Logger: cfg.Logger, Now: cfg.Now}
	if cfg.AK != "" {
		m.client, err = sdk.NewClient(sdk.ClientConfig{AK: cfg.AK, SK: cfg.SK, AccessKey: cfg.Key, BaseURL: cfg.APIURL, Logger: cfg.Logger})
		if err != nil {
			store.Close()
			return nil, nil, err
		}
		sdkCfg.Orders = m.client
	}
	if a.handler, err = sdk.NewHandler(sdkCfg, m); err != nil {
		store.Close()
		return nil, nil, err
	}
	if m.client != nil {
		if m.reporter, err = sdk.NewReporter(sdk.ReporterConfig{Pusher: m.client, Store: store, Logger: cfg.Logger}); err != nil {
			a.Close()
			return nil, nil, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		a.stop = cancel
		a.wg.Go(func() {
			if err := m.reporter.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				cfg.Logger.Error("usage reporter stopped", "err", err)
			}
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /-/health", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /-/app/{id}", m.serveApp)
	mux.HandleFunc("POST /-/usage", m.serveUsage)
	m.ssoRoutes(mux)
	mux.Handle("/", a.handler)
	return mux, a, nil
}

// app owns what New started.
type app struct {
	handler *sdk.Handler
	store   *sqlitestore.Store
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// Close stops the reporter and the handler (provisioning still running resumes on the next
// start) and closes the store.
func (a *app) Close() error {
	if a.stop != nil {
		a.stop()
	}
	a.wg.Wait()
	var err error
	if a.handler != nil {
		err = a.handler.Close()
	}
	return errors.Join(err, a.store.Close())
}

// serveApp is the buyer's front end: it shows the instance, or refuses while it is frozen or
// after it was released, which is what freezing is for.
func (m *merchant) serveApp(w http.ResponseWriter, r *http.Request) {
	var in instance
	var ok bool
	m.db.view(func(s *state) {
		var p *instance
		if p, ok = s.Instances[r.PathValue("id")]; ok {
			in = *p
		}
	})
	switch {
	case !ok:
		http.NotFound(w, r)
		return
	case in.Status == statusFrozen:
		http.Error(w, "this instance is frozen: renew it in KooGallery", http.StatusForbidden)
		return
	case in.Status == statusReleased:
		http.Error(w, "this instance was released", http.StatusGone)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "Demo instance "+in.ID+"\nplan: "+in.Plan+"\nexpires: "+in.ExpireTime+"\n"+strings.Join(in.History, "\n")+"\n")
}
