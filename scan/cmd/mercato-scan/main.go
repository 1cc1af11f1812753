// Command mercato-scan checks a VM image, container image or software
// package against the marketplace's security rules (§6.1–§6.3) and prints
// a report: JSON with --json, a summary otherwise. Exit status: 0 passed,
// 1 failed, 2 usage error, scan error or incomplete scan.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/clamd"
	"github.com/mercato-oss/mercato/scan/scanner"
	"github.com/mercato-oss/mercato/scan/shadow"
	"github.com/mercato-oss/mercato/scan/vuln"
)

const usage = `usage: mercato-scan [flags] FILE
       mercato-scan --bench [SIZE] [--clamd ADDR]

Scans a qcow2, vmdk or raw disk image, a docker-save or OCI image tar, a
rootfs tarball or a software package (.zip, .tar, .tar.gz) and reports every
violation of the marketplace's security rules.

Exit status: 0 passed, 1 failed, 2 usage error, scan error or incomplete scan.

flags:
`

// options are the parsed flags.
type options struct {
	json, bench, quiet, verbose bool
	osvDB, clamdAddr, dict      string
	regions, kunpeng            string
	kind, name, tmpDir          string
	timeout                     time.Duration
	maxMemory, maxExpand        string
	maxImage, maxPackage        string
	clamdTimeout                time.Duration
	cpuProfile                  string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func parse(args []string, stderr io.Writer) (*options, []string, error) {
	o := &options{}
	fs := flag.NewFlagSet("mercato-scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.json, "json", false, "print the report as JSON (schema "+"mercato-scan/v1"+") on stdout")
	fs.StringVar(&o.osvDB, "osv-db", os.Getenv("MERCATO_SCAN_OSV_DB"), "offline OSV database `DIR` in the osv.dev export layout (DIR/<Ecosystem>/all.zip); empty skips vulnerability matching")
	fs.StringVar(&o.clamdAddr, "clamd", os.Getenv("MERCATO_SCAN_CLAMD"), "clamd socket `ADDR`: /path, unix:/path, tcp:host:port or host:port; empty skips the malware check")
	fs.DurationVar(&o.clamdTimeout, "clamd-timeout", 5*time.Minute, "time limit for clamd to scan one file")
	fs.StringVar(&o.dict, "dict", "", "weak-password dictionary `FILE`, one password per line (replaces the built-in list; account-name variants are always tried)")
	fs.StringVar(&o.regions, "arch-regions", "", "comma-separated `REGIONS` the image will be published in (checks that Kunpeng/arm64 images go only to Kunpeng regions)")
	fs.StringVar(&o.kunpeng, "kunpeng-regions", strings.Join(scanner.DefaultKunpengRegions(), ","), "comma-separated regions where Kunpeng images may be published")
	fs.StringVar(&o.kind, "kind", "", "force the input kind: image (128 GB limit, password policy) or package (20 GB limit, name rule); default: detect")
	fs.StringVar(&o.name, "name", "", "asset `NAME` for the package-name rule (default: the file name without its archive extension)")
	fs.StringVar(&o.tmpDir, "tmpdir", "", "directory for temporary files (default $TMPDIR)")
	fs.DurationVar(&o.timeout, "timeout", time.Hour, "time budget for the whole scan (0: none); an unfinished scan exits 2")
	fs.StringVar(&o.maxMemory, "max-memory", "", "soft memory `SIZE` for the Go heap, e.g. 2GiB (also caps in-memory archive members)")
	fs.StringVar(&o.maxExpand, "max-expand", "", "the most `SIZE` an archive or disk image may expand to (default 512GiB); beyond it the input fails as unscannable")
	fs.StringVar(&o.maxImage, "max-image-size", "128GiB", "size limit for images (§6.1)")
	fs.StringVar(&o.maxPackage, "max-package-size", "20GiB", "size limit for software and container packages (§6.1)")
	fs.BoolVar(&o.bench, "bench", false, "generate a test rootfs tar of SIZE (default 2GiB), scan it and compare with a plain read")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile to `FILE` (for performance work)")
	fs.BoolVar(&o.verbose, "verbose", false, "pass the libraries' own log and stdout output on to stderr")
	// Flags may follow the file ("mercato-scan img.qcow2 --json"), as the
	// usage line suggests: parse again after each positional argument.
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		if fs.NArg() == 0 {
			return o, rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func run(args []string, stderr io.Writer) int {
	o, rest, err := parse(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	stdout, restore, err := guardStdout(stderr, o.verbose)
	if err != nil {
		fmt.Fprintln(stderr, "mercato-scan:", err)
		return 2
	}
	defer restore()
	if o.verbose {
		vuln.SetLog(stderr)
	} else {
		vuln.SetLog(io.Discard)
	}
	cfg, err := o.config()
	if err != nil {
		fmt.Fprintln(stderr, "mercato-scan:", err)
		return 2
	}
	// Everything temporary goes into one private directory, removed on the
	// way out (also after SIGTERM). osv-scalibr's disk code writes to
	// os.TempDir() and does not always clean up when stopped midway, so
	// $TMPDIR points there too.
	work, err := os.MkdirTemp(o.tmpDir, "mercato-scan-")
	if err != nil {
		fmt.Fprintln(stderr, "mercato-scan:", err)
		return 2
	}
	defer os.RemoveAll(work)
	os.Setenv("TMPDIR", work)
	cfg.TempDir = work
	cfg.Limits.TempDir = work
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "mercato-scan:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "mercato-scan:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	if o.bench {
		if len(rest) > 1 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		size := int64(2 << 30)
		if len(rest) == 1 {
			if size, err = parseSize(rest[0]); err != nil {
				fmt.Fprintln(stderr, "mercato-scan:", err)
				return 2
			}
		}
		if err := bench(context.Background(), cfg, size, stdout, stderr); err != nil {
			fmt.Fprintln(stderr, "mercato-scan: bench:", err)
			return 2
		}
		return 0
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	// SIGTERM (a caller's own timeout) and SIGINT stop the scan the same
	// way --timeout does, so that temporary files are removed and an
	// incomplete report is still written.
	ctx, stopSignals := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stopSignals()
	// A caller that stops reading stderr (progress) must not kill the scan
	// before it removes its temporary files: writes then fail with EPIPE.
	signal.Ignore(syscall.SIGPIPE)
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.timeout, fmt.Errorf("time budget of %s exhausted", o.timeout))
		defer cancel()
	}
	if cfg.Clamd != nil {
		if err := cfg.Clamd.Ping(ctx); err != nil {
			fmt.Fprintf(stderr, "mercato-scan: clamd at %s: %v\n", o.clamdAddr, err)
			return 2
		}
	}
	if o.osvDB != "" {
		if _, err := vuln.CheckDB(o.osvDB); err != nil {
			fmt.Fprintln(stderr, "mercato-scan:", err)
			return 2
		}
	}
	stop := func() {}
	if !o.quiet {
		stop = progress(stderr, cfg.Counters, &cfg.Phase, 2*time.Second)
	}
	rep, err := scanner.Scan(ctx, cfg, rest[0])
	stop()
	if err != nil {
		fmt.Fprintln(stderr, "mercato-scan:", err)
		return 2
	}
	if o.json {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "mercato-scan:", err)
		return 2
	}
	return rep.ExitCode()
}

// config turns flags into the scanner's configuration.
func (o *options) config() (scanner.Config, error) {
	cfg := scanner.Config{
		OSVDir: o.osvDB, Kind: o.kind, Name: o.name, TempDir: o.tmpDir,
		Counters: &archive.Counters{}, Words: shadow.DefaultWords(),
	}
	switch o.kind {
	case "", scanner.KindImage, scanner.KindPackage:
	default:
		return cfg, fmt.Errorf("--kind must be image or package, not %q", o.kind)
	}
	if o.clamdAddr != "" {
		cfg.Clamd = &clamd.Client{Addr: o.clamdAddr, Timeout: o.clamdTimeout}
	}
	if o.dict != "" {
		data, err := os.ReadFile(o.dict)
		if err != nil {
			return cfg, err
		}
		if cfg.Words = shadow.ParseWords(data); len(cfg.Words) == 0 {
			return cfg, fmt.Errorf("%s: no passwords", o.dict)
		}
	}
	cfg.Regions = splitList(o.regions)
	cfg.KunpengRegions = splitList(o.kunpeng)
	if o.maxMemory != "" {
		n, err := parseSize(o.maxMemory)
		if err != nil {
			return cfg, err
		}
		// The Go heap limit is soft: the GC works harder near it. Members
		// held in memory are capped to a sixteenth so that nesting (one
		// buffer per depth) stays well inside it.
		debug.SetMemoryLimit(n)
		cfg.Limits.MaxInMemory = max(1<<20, min(32<<20, n/16))
	}
	for _, l := range []struct {
		flag string
		dst  *int64
	}{{o.maxImage, &cfg.MaxImageSize}, {o.maxPackage, &cfg.MaxPackageSize}} {
		n, err := parseSize(l.flag)
		if err != nil {
			return cfg, err
		}
		*l.dst = n
	}
	if o.maxExpand != "" {
		n, err := parseSize(o.maxExpand)
		if err != nil {
			return cfg, err
		}
		cfg.Limits.MaxBytes = n
	}
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
