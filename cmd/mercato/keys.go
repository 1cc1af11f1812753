package main

import (
	"context"
	"fmt"
	"io"

	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
)

// runKeys rotates the key file that seals stored secrets, and reseals the database with it.
func runKeys(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stdout, `usage: mercato keys rotate [--db DSN] [--key-file F]
       mercato keys rewrap [--db DSN] [--key-file F]

The key file holds the keys that seal stored secrets (merchants' keys, open-API SKs, appInfo).
rotate puts a fresh key first in it: new secrets are sealed with it, the old keys still open
what they sealed. rewrap reseals every stored secret with the first key (and seals the ones an
older Mercato stored in clear). Rotate, restart the servers, rewrap, then remove the old lines.
`)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	fs := newFlagSet("keys "+args[0], "[--db DSN] [--key-file F]", "Rotate the key file, or reseal stored secrets with its first key.", stderr)
	var cfg server.Config
	cfg.DBFlag(fs)
	fs.StringVar(&cfg.KeyFile, "key-file", env("MERCATO_KEY_FILE", ""), "the key file (default: beside the SQLite file, or ./mercato.key) (MERCATO_KEY_FILE)")
	if _, code, ok := parseCommand(fs, args[1:], 0); !ok {
		return code
	}
	path := cfg.KeyFilePath()
	switch args[0] {
	case "rotate":
		if err := store.RotateKeyFile(path); err != nil {
			fmt.Fprintf(stderr, "mercato keys rotate: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(stdout, "mercato: a new key seals from now on (%s); restart the servers, then run `mercato keys rewrap`\n", path)
		return exitOK
	case "rewrap":
		keys, err := store.LoadKeyFile(path, false)
		if err != nil {
			fmt.Fprintf(stderr, "mercato keys rewrap: %v\n", err)
			return exitFail
		}
		ctx := context.Background()
		db, err := store.Open(ctx, cfg.DB)
		if err != nil {
			fmt.Fprintf(stderr, "mercato keys rewrap: %v\n", store.Redact(err.Error(), cfg.DB))
			return exitFail
		}
		defer db.Close()
		db.UseKeyring(keys)
		n, err := db.Rewrap(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "mercato keys rewrap: %v (%d resealed before the error)\n", err, n)
			return exitFail
		}
		fmt.Fprintf(stdout, "mercato: %d stored secrets resealed with the first key of %s\n", n, path)
		return exitOK
	}
	fmt.Fprintf(stderr, "mercato keys: unknown action %q (rotate or rewrap)\n", args[0])
	return exitUsage
}
