package main

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/report"
	"github.com/mercato-oss/mercato/scan/scanner"
)

// bench generates a rootfs tar of about size bytes, reads it once plainly
// (the baseline, same run, same page cache) and scans it, without and (if
// --clamd is given) with ClamAV.
func bench(ctx context.Context, cfg scanner.Config, size int64, out, stderr io.Writer) error {
	dir, err := os.MkdirTemp(cfg.TempDir, "mercato-scan-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "rootfs.tar")
	fmt.Fprintf(stderr, "generating %s (%d MiB)...\n", path, size>>20)
	files, err := generate(path, size)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	mb := float64(st.Size()) / 1e6
	// The first read warms the page cache for both contenders; each figure
	// is then the median of three runs.
	if _, err := plainRead(path); err != nil {
		return err
	}
	base, err := median(func() (time.Duration, error) { return plainRead(path) })
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "input: %s, %.0f MB, %d files (tar, uncompressed); %d CPUs, load average %s\n", path, mb, files, runtime.NumCPU(), loadavg())
	fmt.Fprintf(out, "plain sequential read:    %8.1f MB/s  (%.2fs, median of 3)\n", mb/base.Seconds(), base.Seconds())
	clam := cfg.Clamd
	cfg.Clamd = nil
	for _, run := range []struct {
		name string
		on   bool
	}{{"scan without ClamAV:", true}, {"scan with ClamAV:", clam != nil}} {
		if !run.on {
			fmt.Fprintf(out, "%-25s skipped (no --clamd)\n", run.name)
			continue
		}
		if run.name != "scan without ClamAV:" {
			cfg.Clamd = clam
		}
		var rep *report.Report
		el, err := median(func() (time.Duration, error) {
			cfg.Counters = &archive.Counters{}
			start := time.Now()
			var err error
			if rep, err = scanner.Scan(ctx, cfg, path); err != nil {
				return 0, err
			}
			if !rep.Complete {
				return 0, fmt.Errorf("%s incomplete: %v", run.name, rep.Errors)
			}
			return time.Since(start), nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-25s %8.1f MB/s  (%.2fs median of 3, %d files, %d packages)  ratio to plain read %.2f\n",
			run.name, mb/el.Seconds(), el.Seconds(), rep.Stats.Files, rep.Stats.Packages, base.Seconds()/el.Seconds())
	}
	return nil
}

// loadavg reads /proc/loadavg: a busy machine slows the scan more than the
// plain read, and the figure says so.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// median runs f three times and returns the middle duration.
func median(f func() (time.Duration, error)) (time.Duration, error) {
	var ds []time.Duration
	for range 3 {
		d, err := f()
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	slices.Sort(ds)
	return ds[1], nil
}

func plainRead(path string) (time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	start := time.Now()
	buf := make([]byte, 1<<20)
	for {
		_, err := f.Read(buf)
		if err == io.EOF {
			return time.Since(start), nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// generate writes a tar shaped like a Linux rootfs: many small files, some
// medium ones, a few large ones, ELF headers on binaries, text elsewhere
// and pseudo-random content (so compression-based shortcuts cannot help).
func generate(path string, size int64) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(bw)
	rng := rand.New(rand.NewPCG(1, 2))
	fixed := map[string]string{
		"etc/os-release": "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
		"etc/passwd":     "root:x:0:0:root:/root:/bin/bash\n",
		"etc/shadow":     "root:*:19700:0:99999:7:::\n",
		"var/lib/dpkg/status": "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n" +
			"Maintainer: x <x@example.org>\nDescription: base\n",
	}
	n := 0
	for name, body := range fixed {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			return n, err
		}
		tw.Write([]byte(body))
		n++
	}
	buf := make([]byte, 16<<20)
	var written int64
	for written < size {
		var sz int64
		switch r := rng.IntN(100); {
		case r < 70:
			sz = 512 + rng.Int64N(32<<10)
		case r < 97:
			sz = 32<<10 + rng.Int64N(1<<20)
		default:
			sz = 1<<20 + rng.Int64N(15<<20)
		}
		sz = min(sz, size-written+512)
		b := buf[:sz]
		for i := 0; i+8 <= len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
		}
		name := fmt.Sprintf("usr/share/data/%03d/file%06d.txt", n%997, n)
		if n%10 == 0 && sz >= 64 {
			copy(b, "\x7fELF\x02\x01\x01")
			binary.LittleEndian.PutUint16(b[18:], 62)
			name = fmt.Sprintf("usr/lib/x86_64-linux-gnu/%03d/lib%06d.so", n%997, n)
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: sz}); err != nil {
			return n, err
		}
		if _, err := tw.Write(b); err != nil {
			return n, err
		}
		written += sz
		n++
	}
	if err := tw.Close(); err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, err
	}
	// Finish writeback now, so that it does not compete with the runs.
	return n, f.Sync()
}
