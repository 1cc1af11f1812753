package isdk_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/cloud/cloudtest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk"
)

// desk is one program using the SDK against a test marketplace, with the events it received.
type desk struct {
	t      *testing.T
	site   *cloudtest.Site
	sdk    *isdk.Sdk
	ws     string
	events chan isdk.Event
}

// connect initialises an SDK on site's instance (or on instance, when given) with opts changed
// by change, and shuts it out when the test ends.
func connect(t *testing.T, site *cloudtest.Site, change func(*isdk.Options)) *desk {
	t.Helper()
	d := &desk{t: t, site: site, sdk: isdk.New(), ws: t.TempDir(), events: make(chan isdk.Event, 1000)}
	opts := isdk.Options{Server: site.URL, Token: site.Token, Instance: site.Instance, Workspace: filepath.Join(d.ws, "cloud"), Version: "2.0"}
	if change != nil {
		change(&opts)
	}
	if err := d.sdk.Init(opts); err != nil {
		t.Fatal(err)
	}
	if err := d.sdk.RegisterEventRecall(func(e isdk.Event) { d.events <- e }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.sdk.ShutOut() })
	return d
}

func site(t *testing.T) *cloudtest.Site { return cloudtest.Start(t, store.SQLite, cloudtest.Options{}) }

// until returns the events received up to and including the first whose operate is op. It waits
// at most a minute of real time: the SDK's requests go over HTTP.
func (d *desk) until(op string) []isdk.Event {
	d.t.Helper()
	var got []isdk.Event
	timeout := time.After(time.Minute)
	for {
		select {
		case e := <-d.events:
			got = append(got, e)
			if e.Operate == op {
				return got
			}
		case <-timeout:
			d.t.Fatalf("no %s event; got %v", op, got)
		}
	}
}

// last waits for op and returns that event.
func (d *desk) last(op string) isdk.Event {
	d.t.Helper()
	es := d.until(op)
	return es[len(es)-1]
}

// ok fails the test unless e succeeded.
func (d *desk) ok(e isdk.Event) isdk.Event {
	d.t.Helper()
	if e.Params["status"] == isdk.StatusFailed {
		d.t.Fatalf("%s failed: %s", e.Operate, e.Params["reason"])
	}
	return e
}

// failedWith fails the test unless e failed with a reason containing part.
func (d *desk) failedWith(e isdk.Event, part string) {
	d.t.Helper()
	if e.Params["status"] != isdk.StatusFailed || !strings.Contains(e.Params["reason"], part) {
		d.t.Fatalf("%s: %v, want a failure containing %q", e.Operate, e.JSON(), part)
	}
}

// write makes a local file under the desk's own folder (not the workspace) and returns its path.
func (d *desk) write(rel, content string) string {
	d.t.Helper()
	p := filepath.Join(d.ws, "local", filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		d.t.Fatal(err)
	}
	return p
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// file reads a cloud file as the operator sees it.
func (d *desk) file(path string) *market.CloudFile {
	d.t.Helper()
	f, err := d.site.Cloud.FileByPath(context.Background(), market.AsOperator(), d.site.Instance, path)
	if err != nil {
		d.t.Fatal(err)
	}
	return f
}
