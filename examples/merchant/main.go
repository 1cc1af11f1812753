// Command merchant is the example KooGallery merchant, built only on package sdk and its SQLite
// store (sdk/sqlitestore): it sells a SaaS product on period, one-time and pay-per-use terms,
// provisions slow specs in the background, supports trials, renewals, upgrades, freezing and
// release, and keeps the tenants, applications, users and departments of joint-operation
// products. It is the reference for the merchant guide; copy it, nothing imports it.
//
//	go run ./examples/merchant --addr 127.0.0.1:9090 --key K --kit-key K2 --encrypt-type 1 --state DIR
//
// Its production URL is http://ADDR/ (every path; kit syncs under /produceAPI/). Add --ak,
// --sk and --api-url to query orders and push usage through the open API (KooGallery's, or a
// `mercato serve` sandbox). Besides the production URL it has a few demo pages under /-/:
// /-/app/<instanceId> (the "front end" a buyer logs in to, refused while frozen), /-/usage
// (POST instance=&amount= to record pay-per-use usage) and /-/health.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "merchant:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("merchant", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	var cfg config
	fs.StringVar(&cfg.Key, "key", os.Getenv("MERCHANT_KEY"), "access key bound to the basic interfaces")
	fs.StringVar(&cfg.KitKey, "kit-key", os.Getenv("MERCHANT_KIT_KEY"), "access key bound to the kit interfaces (empty: no kits)")
	encrypt := fs.String("encrypt-type", "1", "appInfo encryption: 1 (AES-256) or 2 (AES-128)")
	fs.StringVar(&cfg.StateDir, "state", "merchant-state", "state directory")
	fs.StringVar(&cfg.AK, "ak", "", "IAM access key ID for the open API")
	fs.StringVar(&cfg.SK, "sk", os.Getenv("MERCHANT_SK"), "IAM secret access key for the open API")
	fs.StringVar(&cfg.APIURL, "api-url", "", "open-API base URL (empty: KooGallery China)")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "URL buyers reach this merchant at (default http://ADDR)")
	keyFile := fs.String("private-key-file", "", "PKCS#8 RSA key that decrypts application clientSecrets")
	fs.DurationVar(&cfg.SlowDelay, "slow-delay", 8*time.Second, "provisioning time of \"slow\" specs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.EncryptType = kgp.EncryptType(*encrypt)
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + *addr
	}
	if *keyFile != "" {
		pem, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		cfg.PrivateKey = string(pem)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))

	h, closer, err := newApp(cfg)
	if err != nil {
		return err
	}
	// Bind before saying so: a port in use fails here, before anything claims to listen.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errors.Join(err, closer.Close())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	drained := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		drained <- srv.Shutdown(shutdown)
	}()
	cfg.Logger.Info("merchant listening", "addr", ln.Addr().String(), "state", cfg.StateDir, "kits", cfg.KitKey != "")
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		err = <-drained // in-flight requests end before the store closes
	}
	return errors.Join(err, closer.Close())
}
