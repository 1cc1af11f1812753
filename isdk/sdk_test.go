package isdk_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/mercato-oss/mercato/internal/cloud/cloudtest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/isdk"
)

// Init must come first: every other call before it, and after ShutOut, is an error.
func TestInitComesFirst(t *testing.T) {
	t.Parallel()
	s := isdk.New()
	dev := isdk.DeviceInfo{MAC: "m", Disk: "d", Mainboard: "b", CPU: "c"}
	calls := map[string]func() error{
		"RegisterEventRecall":     func() error { return s.RegisterEventRecall(func(isdk.Event) {}) },
		"ShutOut":                 s.ShutOut,
		"OpenCloudFile":           func() error { return s.OpenCloudFile("/a.prt", isdk.OpenOnly) },
		"Save":                    func() error { return s.Save("/tmp/a.prt", false) },
		"SelectSaveAsPath":        func() error { return s.SelectSaveAsPath("/tmp/a.prt", "/a.prt", false) },
		"GetSolution":             func() error { return s.GetSolution("/tmp/a.prt") },
		"GetLicenseFileRequest":   func() error { return s.GetLicenseFileRequest("a.lic", dev) },
		"GetLicenseStringRequest": func() error { return s.GetLicenseStringRequest(dev) },
		"LicenseVerifyNotify":     func() error { return s.LicenseVerifyNotify(true, "") },
		"UpgradeNotify":           s.UpgradeNotify,
		"CheckIn":                 func() error { return s.CheckIn("/tmp/a.prt") },
	}
	check := func(when string) {
		for name, call := range calls {
			if err := call(); !errors.Is(err, isdk.ErrNotInitialized) {
				t.Errorf("%s %s: %v, want ErrNotInitialized", name, when, err)
			}
		}
	}
	check("before Init")
	site := site(t)
	bad := isdk.Options{Server: site.URL, Token: "wrong", Instance: site.Instance, Workspace: t.TempDir()}
	if err := s.Init(bad); err == nil {
		t.Fatal("Init with a bad token succeeded")
	}
	check("after a failed Init")
	good := bad
	good.Token = site.Token
	if err := s.Init(good); err != nil {
		t.Fatal(err)
	}
	if err := s.Init(good); !errors.Is(err, isdk.ErrInitialized) {
		t.Fatalf("second Init: %v", err)
	}
	if err := s.ShutOut(); err != nil {
		t.Fatal(err)
	}
	check("after ShutOut")
}

// A single file: save as, check in, open with check-out, edit, save; then the OpenOnly rule.
// Runs on both databases.
func TestSingleFile(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			d := connect(t, cloudtest.Start(t, dialect, cloudtest.Options{}), nil)
			local := d.write("Bracket.prt", "bracket v1")
			if err := d.sdk.SelectSaveAsPath(local, "/designs/Bracket.prt", false); err != nil {
				t.Fatal(err)
			}
			es := d.until(isdk.EventSaveResult)
			want := []string{
				`{"operate":"UploadStart","params":{"path":"` + local + `"},"comeBackParams":{}}`,
				`{"operate":"UploadEnd","params":{"path":"` + local + `","status":"success"},"comeBackParams":{}}`,
				`{"operate":"SaveResult","params":{"status":"success"},"comeBackParams":{"cloudPath":"/designs/Bracket.prt","isAssembly":"false","path":"` + local + `"}}`,
			}
			if len(es) != len(want) {
				t.Fatalf("events: %v", es)
			}
			for i := range es {
				if es[i].JSON() != want[i] {
					t.Errorf("event %d:\n got %s\nwant %s", i, es[i].JSON(), want[i])
				}
			}
			f := d.file("/designs/Bracket.prt")
			if f.Version != 1 || f.CheckedOutBy != d.site.Buyer.BuyerID {
				t.Fatalf("after save-as: %+v", f)
			}
			d.sdk.CheckIn(local)
			d.ok(d.last(isdk.EventCheckIn))

			d.sdk.OpenCloudFile("/designs/Bracket.prt", isdk.OpenAndCheckout)
			main := filepath.Join(d.ws, "cloud", "designs", "Bracket.prt")
			open := d.last(isdk.EventOpenFile)
			if want := `{"operate":"OpenFile","params":{"assembly":"false","mainFile":"` + main + `","openType":"OpenAndCheckout","workState":"CHECKOUT"},` +
				`"comeBackParams":{"cloudPath":"/designs/Bracket.prt","openType":"OpenAndCheckout"}}`; open.JSON() != want {
				t.Fatalf("open:\n got %s\nwant %s", open.JSON(), want)
			}
			if got := read(t, main); got != "bracket v1" {
				t.Fatalf("opened content %q", got)
			}
			d.write("../cloud/designs/Bracket.prt", "bracket v2")
			d.sdk.Save(main, false)
			d.ok(d.last(isdk.EventSaveResult))
			if f = d.file("/designs/Bracket.prt"); f.Version != 2 || f.Size != 10 {
				t.Fatalf("after save: %+v", f)
			}
			d.sdk.Save(main, true)
			d.failedWith(d.last(isdk.EventSaveResult), "opened as a single file")
			d.sdk.CheckIn(main)
			d.ok(d.last(isdk.EventCheckIn))

			// The OpenOnly rule: opened OpenOnly while checked in, it cannot be saved back.
			d.sdk.OpenCloudFile("/designs/Bracket.prt", isdk.OpenOnly)
			if e := d.last(isdk.EventOpenFile); e.Params["workState"] != isdk.CheckIn || e.Params["openType"] != "OpenOnly" {
				t.Fatalf("open only: %v", e.JSON())
			}
			d.sdk.Save(main, false)
			d.failedWith(d.last(isdk.EventSaveResult), "opened OpenOnly while checked in")
			if f = d.file("/designs/Bracket.prt"); f.Version != 2 || f.State() != market.CheckedIn {
				t.Fatalf("after the refused save: %+v", f)
			}
		})
	}
}

// Save's other rules: saved locally first, opened from the cloud, and a check-out held by
// someone else.
func TestSaveRefusals(t *testing.T) {
	t.Parallel()
	d := connect(t, site(t), nil)
	d.sdk.Save(filepath.Join(d.ws, "nowhere.prt"), false)
	d.failedWith(d.last(isdk.EventSaveResult), "was not opened from the cloud")
	d.sdk.SelectSaveAsPath(filepath.Join(d.ws, "nowhere.prt"), "/nowhere.prt", false)
	d.failedWith(d.last(isdk.EventSaveResult), "save it locally first")
	local := d.write("Pin.prt", "pin")
	d.sdk.SelectSaveAsPath(local, "/../etc/Pin.prt", false)
	d.failedWith(d.last(isdk.EventSaveResult), "not allowed")
	d.sdk.SelectSaveAsPath(local, "/Pin.prt", false)
	d.ok(d.last(isdk.EventSaveResult))
	// Another user takes the file over (an administrator released it and they checked it out).
	f := d.file("/Pin.prt")
	other := market.Viewer{Role: market.RoleBuyer, BuyerID: d.site.Buyer.BuyerID, UserID: "bob"}
	if _, err := d.site.Cloud.Release(d.site.Ctx, d.site.Buyer, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.site.Cloud.CheckOut(d.site.Ctx, other, f.ID); err != nil {
		t.Fatal(err)
	}
	d.sdk.Save(local, false)
	d.failedWith(d.last(isdk.EventSaveResult), "checked out by bob")
	d.sdk.OpenCloudFile("/Pin.prt", isdk.OpenAndCheckout)
	d.failedWith(d.last(isdk.EventOpenFile), "checked out by bob")
	d.sdk.OpenCloudFile("/Missing.prt", isdk.OpenOnly)
	d.failedWith(d.last(isdk.EventOpenFile), "not found")
}

// ShutOut inside the callback refuses instead of waiting for itself; outside, it works.
func TestShutOutInCallback(t *testing.T) {
	t.Parallel()
	s := isdk.New()
	site := site(t)
	if err := s.Init(isdk.Options{Server: site.URL, Token: site.Token, Instance: site.Instance, Workspace: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	s.RegisterEventRecall(func(e isdk.Event) { got <- s.ShutOut() })
	s.OpenCloudFile("/none.prt", isdk.OpenOnly)
	if err := <-got; !errors.Is(err, isdk.ErrInCallback) {
		t.Fatalf("ShutOut in the callback: %v", err)
	}
	if err := s.ShutOut(); err != nil {
		t.Fatalf("ShutOut: %v", err)
	}
}
