package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"syscall"

	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
)

// runServe runs the marketplace until SIGINT or SIGTERM.
func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "[flags]", "Run the marketplace: the JSON API, the open API for merchants, and the workers that call\n"+
		"merchants' production interfaces. Several processes may share one PostgreSQL database.", stderr)
	var cfg server.Config
	cfg.Flags(fs)
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	cfg.Log, cfg.Out = slog.New(slog.NewTextHandler(stderr, nil)), stdout
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := server.New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", err)
		return exitFail
	}
	defer s.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", err)
		return exitFail
	}
	if err := s.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "mercato: listening on http://%s (site %s: %s, open API as %s; database %s)\n", ln.Addr(), s.Site.Name, s.Site.Currency, s.Site.APIHost, cfg.DB)
	if err := s.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "mercato serve: %v\n", err)
		return exitFail
	}
	return exitOK
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
		fmt.Fprintf(stderr, "mercato migrate: %v\n", err)
		return exitFail
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(stdout, nil))); err != nil {
		fmt.Fprintf(stderr, "mercato migrate: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "mercato: database is up to date")
	return exitOK
}
