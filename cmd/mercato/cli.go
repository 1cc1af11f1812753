package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/kgp"
)

// Exit statuses shared by every subcommand, so that scripts and CI can tell a failed check (1)
// from a mistyped command line (2).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// bodyNote goes into every help text that reads a body: an editor's or echo's trailing newline is
// the most common reason a hand-computed signature differs from the platform's.
const bodyNote = `The body is read from stdin and used byte for byte, exactly as read: a trailing
newline is part of the signed bytes. Feed it with printf %s '...', echo -n '...' or < file.`

// stdio bundles a command's streams so that nested dispatch passes one value instead of three.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// isHelp reports whether a word asks for help rather than naming a subcommand.
func isHelp(word string) bool {
	switch word {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// newFlagSet returns a ContinueOnError flag set writing to stderr, whose usage shows the synopsis,
// the description and the flags, in that order.
func newFlagSet(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("mercato "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: mercato %s %s\n\n%s\n\nflags:\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and returns the positional arguments. Flags may follow positional
// arguments (`crypt decrypt VALUE --key K` is natural to type); "--" ends flag parsing. When ok is
// false the caller returns code: 0 after -h, 2 after a bad flag (flag has already said why).
func parseFlags(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), exitOK, true
		}
		if len(rest) == 0 {
			return pos, exitOK, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseCommand parses args, checks the required flags and the number of positional arguments
// (nargs; -1 leaves the check to the caller). When ok is false the caller returns code.
func parseCommand(fs *flag.FlagSet, args []string, nargs int, required ...string) (pos []string, code int, ok bool) {
	if pos, code, ok = parseFlags(fs, args); !ok {
		return nil, code, false
	}
	if err := checkRequired(fs, required...); err != nil {
		return nil, usageError(fs, "%v", err), false
	}
	switch {
	case nargs == 0 && len(pos) > 0:
		// Most likely the body itself, given in the wrong place.
		return nil, usageError(fs, "unexpected argument %q: the body is read from stdin", pos[0]), false
	case nargs > 0 && len(pos) != nargs:
		return nil, usageError(fs, "want %d argument(s), got %d", nargs, len(pos)), false
	}
	return pos, exitOK, true
}

// usageError prints a command-line mistake and the usage to stderr and returns exitUsage.
func usageError(fs *flag.FlagSet, format string, a ...any) int {
	fmt.Fprintf(fs.Output(), "%s: %s\n\n", fs.Name(), fmt.Sprintf(format, a...))
	fs.Usage()
	return exitUsage
}

// checkRequired names every required flag left empty. An empty value counts as missing, because no
// scheme has a meaningful empty key, timestamp or nonce and an empty shell variable is a likely slip.
func checkRequired(fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if fs.Lookup(n).Value.String() == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing required %s", strings.Join(missing, ", "))
	}
	return nil
}

// verifyNames returns names in verify mode and nothing otherwise, for checkRequired.
func verifyNames(verify bool, names ...string) []string {
	if verify {
		return names
	}
	return nil
}

// verifyFlag registers a string flag only in verify mode, so that `sign` rejects it as unknown
// instead of silently ignoring it.
func verifyFlag(fs *flag.FlagSet, verify bool, name, usage string) *string {
	if !verify {
		return new(string)
	}
	return fs.String(name, "", usage)
}

// readBody reads stdin whole and leaves every byte alone, since signatures cover exact bytes.
func readBody(s stdio) ([]byte, error) {
	b, err := io.ReadAll(s.in)
	if err != nil {
		return nil, fmt.Errorf("reading the body from stdin: %w", err)
	}
	return b, nil
}

// fail reports an error that is not a command-line mistake and returns exitFail.
func fail(s stdio, name string, err error) int {
	fmt.Fprintf(s.err, "mercato %s: %v\n", name, err)
	return exitFail
}

// printResult prints a computed value alone on stdout, so that a script can capture it with $(...).
func printResult(s stdio, name, out string, err error) int {
	if err != nil {
		return fail(s, name, err)
	}
	fmt.Fprintln(s.out, out)
	return exitOK
}

// stripHeaderName removes a leading "Name:" so that a header line pasted whole from a log works as
// well as its value alone.
func stripHeaderName(value, name string) string {
	if len(value) > len(name) && strings.EqualFold(value[:len(name)], name) && value[len(name)] == ':' {
		return strings.TrimSpace(value[len(name)+1:])
	}
	return value
}

// reportVerify turns a verifier's answer into output and an exit status: "ok", or on a mismatch
// everything the verifier computed. Showing the expected signature is safe here, unlike in a
// server's reply, because whoever runs the command already holds the key.
func reportVerify(s stdio, name string, err error, hints ...string) int {
	var se *kgp.SignatureError
	switch {
	case err == nil:
		fmt.Fprintln(s.out, "ok")
		return exitOK
	case errors.As(err, &se):
		printMismatch(s.out, se, hints)
		return exitFail
	}
	return fail(s, name, err)
}

// printMismatch writes a signature mismatch in a labelled form a merchant can compare with what
// their own code signed.
func printMismatch(w io.Writer, se *kgp.SignatureError, hints []string) {
	fmt.Fprintf(w, "mismatch (scheme %s)\n", se.Scheme)
	fmt.Fprintf(w, "expected signature: %s\n", se.Expected)
	fmt.Fprintf(w, "received signature: %s\n", se.Got)
	if se.CanonicalRequest != "" {
		printBlock(w, "canonical request", se.CanonicalRequest)
	}
	printBlock(w, "string to sign", se.StringToSign)
	for _, h := range hints {
		if h != "" {
			fmt.Fprintf(w, "hint: %s\n", h)
		}
	}
}

// printBlock prints text as is and then Go-quoted: the differences that break signatures (a
// trailing newline, a \r, a tab, a non-breaking space) are invisible in the plain form.
func printBlock(w io.Writer, label, text string) {
	fmt.Fprintf(w, "%s (%d bytes):\n%s\n%s, quoted: %s\n", label, len(text), text, label, strconv.Quote(text))
}

// headerList collects repeated --header 'Name: value' flags in order.
type headerList []string

// String implements flag.Value.
func (h *headerList) String() string { return strings.Join(*h, ", ") }

// Set implements flag.Value, rejecting a value without a header name early.
func (h *headerList) Set(v string) error {
	if n, _, ok := strings.Cut(v, ":"); !ok || strings.TrimSpace(n) == "" {
		return fmt.Errorf("want 'Name: value', got %q", v)
	}
	*h = append(*h, v)
	return nil
}
