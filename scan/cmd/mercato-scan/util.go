package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mercato-oss/mercato/scan/archive"
)

// guardStdout keeps the report alone on stdout. osv-scalibr's disk code
// and go-ext4 print warnings with fmt.Printf (one per symlink, hundreds per
// image); fd 1 is pointed at a pipe that drains them (to stderr with
// --verbose), and the report is written to a duplicate of the real stdout.
func guardStdout(stderr io.Writer, verbose bool) (*os.File, func(), error) {
	real, err := unix.Dup(1)
	if err != nil {
		return nil, nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	if err := unix.Dup2(int(w.Fd()), 1); err != nil {
		return nil, nil, err
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			if verbose {
				fmt.Fprintln(stderr, "library:", sc.Text())
			}
		}
		io.Copy(io.Discard, r)
	})
	out := os.NewFile(uintptr(real), "stdout")
	restore := func() {
		unix.Dup2(real, 1) // closes the pipe's fd 1 copy
		w.Close()
		wg.Wait()
	}
	return out, restore, nil
}

// parseSize reads "2GiB", "512M", "1g", "1048576".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 2GiB, 512M)", s)
	}
	return int64(n * float64(mult)), nil
}

// progress prints a status line every interval: files and bytes read, the
// share of the input consumed, and an ETA from the rate so far.
func progress(w io.Writer, c *archive.Counters, phase *func(string), interval time.Duration) (stop func()) {
	var mu sync.Mutex
	current := "starting"
	*phase = func(p string) {
		mu.Lock()
		current = p
		mu.Unlock()
	}
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	line := func() {
		mu.Lock()
		ph := current
		mu.Unlock()
		in, total := c.Input.Load(), c.Total.Load()
		el := time.Since(start)
		msg := fmt.Sprintf("mercato-scan: %s: %d files, %.0f MiB read, %d nested archives, %s", ph,
			c.Files.Load(), float64(c.Bytes.Load())/(1<<20), c.Archives.Load(), el.Round(time.Second))
		if total > 0 && in > 0 {
			pct := 100 * float64(in) / float64(total)
			eta := time.Duration(float64(el) * float64(total-in) / float64(in))
			msg += fmt.Sprintf(", input %.0f%% of %.0f MiB, ETA %s", min(pct, 100), float64(total)/(1<<20), max(eta, 0).Round(time.Second))
		}
		fmt.Fprintln(w, msg)
	}
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				line()
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		if time.Since(start) >= interval {
			line()
		}
	}
}
