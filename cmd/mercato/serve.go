package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
)

// serveEnv lists what `serve` reads from the environment only (the flags name their own).
const serveEnv = `
environment (besides the variables named by the flags above):
  MERCATO_OPERATOR_TOKEN       an operator bearer token (32+ random characters); without it one is
                               generated at the first start, stored hashed and printed once
  MERCATO_SANDBOX_URL          --sandbox: the merchant's production interface URL
  MERCATO_SANDBOX_KEY          --sandbox: the merchant's access key (basic interfaces)
  MERCATO_SANDBOX_KIT_KEY      --sandbox: the merchant's kit key (joint-operation syncs)
  MERCATO_SANDBOX_AK, _SK      --sandbox: the merchant's open-API AK/SK
  MERCATO_SANDBOX_BUYER_TOKEN  --sandbox: the sandbox buyer's bearer token`

// runServe runs the marketplace until SIGINT or SIGTERM.
func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "[flags]", "Run the marketplace: the JSON API, the open API for merchants, and the workers that call\n"+
		"merchants' production interfaces. Several processes may share one PostgreSQL database.", stderr)
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprintln(fs.Output(), serveEnv) }
	var cfg server.Config
	cfg.Flags(fs)
	logFormat := fs.String("log-format", env("MERCATO_LOG_FORMAT", "text"), "log lines as text or json (MERCATO_LOG_FORMAT)")
	logLevel := fs.String("log-level", env("MERCATO_LOG_LEVEL", "info"), "debug, info, warn or error (MERCATO_LOG_LEVEL)")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", err)
		return exitUsage
	}
	cfg.Log, cfg.Out = log, stdout
	// Bind first: a port in use must fail before anything is created, migrated or printed.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", err)
		return exitFail
	}
	defer ln.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := server.New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", store.Redact(err.Error(), cfg.DB))
		return exitFail
	}
	defer s.Close()
	if err := s.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", store.Redact(err.Error(), cfg.DB))
		return exitFail
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "mercato %s: listening on %s://%s (site %s: %s, open API as %s; database %s)\n", version(), scheme, ln.Addr(),
		s.Site.Name, s.Site.Currency, s.Site.APIHost, store.RedactDSN(cfg.DB))
	if err := s.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", err)
		return exitFail
	}
	return exitOK
}

// newLogger builds the process's logger: text for people, JSON for log collectors.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// runMigrate applies the database migrations and exits.
func runMigrate(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("migrate", "[--db DSN]", "Apply the marketplace's and the job queue's database migrations. `mercato serve` also\n"+
		"applies them at start; this runs them alone, e.g. before rolling out several replicas.", stderr)
	var cfg server.Config
	cfg.DBFlag(fs)
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		fmt.Fprintf(stderr, "mercato migrate: %v\n", store.Redact(err.Error(), cfg.DB))
		return exitFail
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(stdout, nil))); err != nil {
		fmt.Fprintf(stderr, "mercato migrate: %v\n", store.Redact(err.Error(), cfg.DB))
		return exitFail
	}
	fmt.Fprintln(stdout, "mercato: database is up to date")
	return exitOK
}
