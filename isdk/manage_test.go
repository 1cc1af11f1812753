package isdk_test

import (
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/cloud/cloudtest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk"
)

var dev = isdk.DeviceInfo{MAC: "00:16:3e:aa:bb:cc", Disk: "S3Z9NX0K123456", Mainboard: "BSN12345678", CPU: "BFEBFBFF000906EA"}

func TestLicenses(t *testing.T) {
	t.Parallel()
	d := connect(t, site(t), nil)
	if err := d.sdk.LicenseVerifyNotify(true, ""); err == nil {
		t.Fatal("LicenseVerifyNotify before a request")
	}
	big := dev
	big.CPU = strings.Repeat("x", 6000)
	if err := d.sdk.GetLicenseStringRequest(big); err == nil || !strings.Contains(err.Error(), "more than 5120") {
		t.Fatalf("a 6 KB fingerprint: %v", err)
	}
	d.sdk.GetLicenseStringRequest(dev)
	e := d.ok(d.last(isdk.EventLicenseVerify))
	l, err := d.sdk.VerifyLicense(e.Params["license"], dev)
	if err != nil || l.Instance != d.site.Instance || l.ID != e.Params["requestId"] {
		t.Fatalf("license %+v, %v", l, err)
	}
	other := dev
	other.MAC = "00:00:00:00:00:01"
	if _, err := d.sdk.VerifyLicense(e.Params["license"], other); err == nil {
		t.Fatal("a license verified for another device")
	}
	if err := d.sdk.LicenseVerifyNotify(true, ""); err != nil {
		t.Fatal(err)
	}
	d.sdk.GetLicenseFileRequest("cad.lic", dev)
	e = d.ok(d.last(isdk.EventLicenseVerify))
	b, err := os.ReadFile(e.Params["licenseFile"])
	if err != nil || strings.TrimSpace(string(b)) != e.Params["license"] {
		t.Fatalf("license file %s: %v", e.Params["licenseFile"], err)
	}
	if err := d.sdk.LicenseVerifyNotify(false, "dongle missing"); err != nil {
		t.Fatal(err)
	}
	r, err := d.site.DB.LicenseRequest(d.site.Ctx, e.Params["requestId"])
	if err != nil || r.VerifyOK || r.VerifyError != "dongle missing" || r.Kind != "FILE" || r.FileName != "cad.lic" {
		t.Fatalf("recorded request %+v, %v", r, err)
	}
}

func TestUpgrades(t *testing.T) {
	t.Parallel()
	s := cloudtest.Start(t, store.SQLite, cloudtest.Options{Package: cloud.PackageRequest{DataInCloud: true, Version: "3.0",
		ForcedVersions: []string{"1.0"}, InstallMode: "SILENT", Notes: "new mesher"}})
	d := connect(t, s, nil) // on 2.0
	e := d.last(isdk.EventUpgrade)
	if want := `{"operate":"Upgrade","params":{"currentVersion":"2.0","forced":"false","installMode":"SILENT","latestVersion":"3.0","notes":"new mesher","status":"success"},"comeBackParams":{}}`; e.JSON() != want {
		t.Fatalf("upgrade:\n got %s\nwant %s", e.JSON(), want)
	}
	if err := d.sdk.UpgradeNotify(); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.DB.CountUpgrades(s.Ctx, s.Instance); n != 1 {
		t.Fatalf("%d confirmations", n)
	}
	old := connect(t, s, func(o *isdk.Options) { o.Version = "1.0" })
	if e := old.last(isdk.EventUpgrade); e.Params["forced"] != "true" {
		t.Fatalf("forced upgrade: %s", e.JSON())
	}
	if err := old.sdk.UpgradeNotify(); err == nil {
		t.Fatal("a forced upgrade was confirmed")
	}
	current := connect(t, s, func(o *isdk.Options) { o.Version = "3.0" })
	if err := current.sdk.UpgradeNotify(); err == nil {
		t.Fatal("confirmed an upgrade without a notice")
	}
}

func TestSolutionAndNoDataInCloud(t *testing.T) {
	t.Parallel()
	s := site(t)
	d := connect(t, s, nil)
	local := d.write("Beam.prt", "beam")
	d.sdk.SelectSaveAsPath(local, "/Beam.prt", false)
	d.ok(d.last(isdk.EventSaveResult))
	d.sdk.GetSolution(local)
	e := d.ok(d.last(isdk.EventSolution))
	if e.Params["state"] != cloud.SolutionSubmitted || e.Params["solutionId"] == "" {
		t.Fatalf("solution: %s", e.JSON())
	}
	d.sdk.GetSolution(d.ws + "/unknown.prt")
	d.failedWith(d.last(isdk.EventSolution), "not opened from the cloud")

	viewer := connect(t, s, func(o *isdk.Options) { o.Instance = s.Viewer; o.Version = "1.0" })
	for _, err := range []error{viewer.sdk.OpenCloudFile("/a.prt", isdk.OpenOnly), viewer.sdk.Save(local, false), viewer.sdk.GetSolution(local)} {
		if !errors.Is(err, isdk.ErrNoDataInCloud) {
			t.Errorf("data call on a package without data in cloud: %v", err)
		}
	}
	viewer.sdk.GetLicenseStringRequest(dev) // licenses need no drive
	viewer.ok(viewer.last(isdk.EventLicenseVerify))
}

// Heartbeats report the marketplace answering, and one ISCDeskClosed when it stops.
func TestHeartbeat(t *testing.T) {
	t.Parallel()
	s := site(t)
	srv := httptest.NewServer(cloudtest.Handler(s.Services))
	d := connect(t, s, func(o *isdk.Options) { o.Server = srv.URL; o.Heartbeat = 20 * time.Millisecond })
	d.ok(d.last(isdk.EventHeartbeat))
	srv.Close()
	d.failedWith(d.last(isdk.EventDeskClosed), "")
}
