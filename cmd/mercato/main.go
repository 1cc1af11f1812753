// Command mercato is the one binary of the Mercato marketplace engine. Each subcommand lives in
// its own file and is listed in the commands table below; run `mercato help` for the list.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string // one line, shown by `mercato help`
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands is the binary's subcommand table, in the order `mercato help` lists them. A new
// subcommand is a new file with a run function and one line here.
var commands = []command{
	{"serve", "run the marketplace (JSON API, open API, merchant calls); --sandbox plays KooGallery locally", runServe},
	{"migrate", "apply the database migrations", runMigrate},
	{"demo", "run the marketplace with a demo merchant through the whole SaaS lifecycle", runDemo},
	{"bench", "measure a hot path beside a baseline run in the same process", runBench},
	{"sign", "compute or verify a KooGallery signature (v2, kit, authtoken, body, usage, apig)", runSign},
	{"crypt", "encrypt or decrypt an appInfo credential (AES with the SHA1PRNG-derived key)", runCrypt},
	{"check", "check a merchant endpoint for conformance (signatures, replay, idempotency, Body-Sign, 5 s)", runCheck},
	{"keys", "rotate the key file that seals stored secrets, and reseal them", runKeys},
	{"version", "print the version of this binary", runVersion},
}

// main only adapts the process to run, which tests call directly.
func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches on the first word and returns the exit status. `mercato help CMD` runs CMD -h with
// its help going to stdout, because help that was asked for is the command's output.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "--version" || args[0] == "-version" {
		return runVersion(nil, stdin, stdout, stderr)
	}
	if isHelp(args[0]) {
		if len(args) == 1 {
			usage(stdout)
			return exitOK
		}
		c, ok := lookup(args[1])
		if !ok {
			return unknown(args[1], stderr)
		}
		return c.run([]string{"-h"}, stdin, stdout, stdout)
	}
	c, ok := lookup(args[0])
	if !ok {
		return unknown(args[0], stderr)
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

// lookup finds a subcommand by name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// unknown reports a word that names no subcommand.
func unknown(name string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "mercato: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

// usage lists the subcommands.
func usage(w io.Writer) {
	fmt.Fprint(w, "usage: mercato COMMAND [arguments]\n\ncommands:\n")
	for _, c := range commands {
		summary := c.summary
		if c.name == "bench" {
			var names []string
			for _, b := range benchmarks {
				names = append(names, b.name)
			}
			summary += " (" + strings.Join(names, ", ") + ")"
		}
		fmt.Fprintf(w, "  %-8s %s\n", c.name, summary)
	}
	fmt.Fprint(w, "\nRun 'mercato help COMMAND' for a command's usage.\n"+
		"Exit status: 0 success, 1 failure (including a signature mismatch), 2 usage error.\n")
}
