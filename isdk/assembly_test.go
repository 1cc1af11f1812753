package isdk_test

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mercato-oss/mercato/isdk"
)

// parts is the test CAD program's dependency list: its assembly files name their parts on
// "part <file>" lines.
func parts(main string) ([]string, error) {
	f, err := os.Open(main)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "part "); ok {
			out = append(out, p)
		}
	}
	return out, sc.Err()
}

func TestAssembly(t *testing.T) {
	t.Parallel()
	d := connect(t, site(t), func(o *isdk.Options) { o.Dependencies = parts })
	folder := filepath.Dir(d.write("Gearbox/Gearbox.asm", "part shaft.prt\npart gears/spur.prt\n"))
	d.write("Gearbox/shaft.prt", "shaft")
	d.sdk.SelectSaveAsPath(folder, "/designs/Gearbox.zip", true)
	d.failedWith(d.last(isdk.EventSaveResult), "dependency gears/spur.prt is missing from the assembly folder Gearbox")
	d.write("Gearbox/gears/spur.prt", "spur")
	d.sdk.SelectSaveAsPath(folder, "/designs/Gear.zip", true)
	d.failedWith(d.last(isdk.EventSaveResult), "save folder Gearbox as Gearbox.zip")
	d.sdk.SelectSaveAsPath(filepath.Join(folder, "Gearbox.asm"), "/designs/Gearbox.asm.zip", true)
	d.failedWith(d.last(isdk.EventSaveResult), "is not a folder")
	d.sdk.SelectSaveAsPath(folder, "/designs/Gearbox.zip", true)
	d.ok(d.last(isdk.EventSaveResult))
	d.sdk.CheckIn(folder)
	d.ok(d.last(isdk.EventCheckIn))

	d.sdk.OpenCloudFile("/designs/Gearbox.zip", isdk.OpenAndCheckout)
	e := d.ok(d.last(isdk.EventOpenFile))
	main := filepath.Join(d.ws, "cloud", "designs", "Gearbox")
	if e.Params["mainFile"] != main || e.Params["assembly"] != "true" || e.Params["workState"] != isdk.CheckOut {
		t.Fatalf("open: %s", e.JSON())
	}
	if got := read(t, filepath.Join(main, "gears", "spur.prt")); got != "spur" {
		t.Fatalf("unzipped part: %q", got)
	}
	if err := os.WriteFile(filepath.Join(main, "Gearbox.asm"), []byte("part shaft.prt\npart gears/spur.prt\npart bolt.prt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.sdk.Save(main, true)
	d.failedWith(d.last(isdk.EventSaveResult), "bolt.prt is missing")
	os.WriteFile(filepath.Join(main, "bolt.prt"), []byte("bolt"), 0o644)
	d.sdk.Save(main, true)
	d.ok(d.last(isdk.EventSaveResult))
	if f := d.file("/designs/Gearbox.zip"); f.Version != 2 {
		t.Fatalf("assembly after save: %+v", f)
	}
	// Opening again unpacks exactly what the drive holds.
	os.WriteFile(filepath.Join(main, "stray.tmp"), []byte("x"), 0o644)
	d.sdk.OpenCloudFile("/designs/Gearbox.zip", isdk.OpenOnly)
	d.ok(d.last(isdk.EventOpenFile))
	if got := read(t, filepath.Join(main, "bolt.prt")); got != "bolt" {
		t.Fatalf("reopened part: %q", got)
	}
	if _, err := os.Stat(filepath.Join(main, "stray.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a file not in the drive survived reopening: %v", err)
	}
}

// A save of a file that is uploading waits for its UploadEnd: the two uploads do not interleave.
func TestSaveWaitsForUpload(t *testing.T) {
	t.Parallel()
	var d *desk
	uploading := make(chan bool, 10)
	d = connect(t, site(t), func(o *isdk.Options) { o.ChunkSize = 256 << 10 })
	d.sdk.RegisterEventRecall(func(e isdk.Event) {
		if e.Operate == isdk.EventUploadStart {
			uploading <- d.sdk.Uploading(e.Params["path"])
		}
		d.events <- e
	})
	local := d.write("Big.prt", strings.Repeat("big part ", 300_000))
	d.sdk.SelectSaveAsPath(local, "/Big.prt", false)
	d.ok(d.last(isdk.EventSaveResult))
	for range 2 {
		if err := d.sdk.Save(local, false); err != nil {
			t.Fatal(err)
		}
	}
	es := append(d.until(isdk.EventSaveResult), d.until(isdk.EventSaveResult)...)
	var ops []string
	for _, e := range es {
		d.ok(e)
		ops = append(ops, e.Operate)
	}
	if got := strings.Join(ops, ","); got != "UploadStart,UploadEnd,SaveResult,UploadStart,UploadEnd,SaveResult" {
		t.Fatalf("events: %s", got)
	}
	for range 3 {
		if !<-uploading {
			t.Fatal("Uploading was false during an upload")
		}
	}
	if d.sdk.Uploading(local) {
		t.Fatal("Uploading is still true")
	}
	if f := d.file("/Big.prt"); f.Version != 3 {
		t.Fatalf("version %d", f.Version)
	}
}

// failOnce fails the second upload request it sees once, after sending part of its body: a
// connection cut mid-upload.
type failOnce struct {
	next  http.RoundTripper
	puts  atomic.Int32
	fired atomic.Bool
}

func (f *failOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == "PUT" && f.puts.Add(1) == 2 && !f.fired.Swap(true) {
		buf := make([]byte, 1000)
		r.Body.Read(buf)
		r.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return f.next.RoundTrip(r)
}

func TestUploadResumes(t *testing.T) {
	t.Parallel()
	ft := &failOnce{next: http.DefaultTransport}
	d := connect(t, site(t), func(o *isdk.Options) { o.ChunkSize = 100 << 10; o.HTTPClient = &http.Client{Transport: ft} })
	body := strings.Repeat("0123456789", 50_000)
	local := d.write("Resumed.prt", body)
	d.sdk.SelectSaveAsPath(local, "/Resumed.prt", false)
	d.ok(d.last(isdk.EventSaveResult))
	folder := filepath.Dir(d.write("Pump/Pump.asm", body))
	d.sdk.SelectSaveAsPath(folder, "/Pump.zip", true)
	d.ok(d.last(isdk.EventSaveResult))
	if !ft.fired.Load() {
		t.Fatal("no request was cut")
	}
	d.sdk.OpenCloudFile("/Resumed.prt", isdk.OpenOnly)
	if got := read(t, d.ok(d.last(isdk.EventOpenFile)).Params["mainFile"]); got != body {
		t.Fatal("resumed upload's content differs")
	}
}
