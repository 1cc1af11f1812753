package cloud_test

import (
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

func TestPackagesAndUpgrades(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		for _, c := range []struct {
			r     cloud.PackageRequest
			wants string
		}{
			{cloud.PackageRequest{SkuCode: "cad"}, "version must be"},
			{cloud.PackageRequest{SkuCode: "cad", Version: "3", TrialSupported: true, TrialDays: 2}, "trial_days must be 3 to 180"},
			{cloud.PackageRequest{SkuCode: "cad", Version: "3", TrialDays: 7}, "needs trial_supported"},
			{cloud.PackageRequest{SkuCode: "cad", Version: "3", InstallMode: "MAGIC"}, "install_mode"},
			{cloud.PackageRequest{SkuCode: "cad", Version: "3", ForcedVersions: []string{"1.0\n2.0"}}, "one line"},
		} {
			_, err := h.Cloud.SetPackage(h.Ctx, market.AsOperator(), c.r)
			wantErr(t, err, market.CodeInvalid, c.wants)
		}
		_, err := h.Cloud.SetPackage(h.Ctx, market.AsSeller("m-other"), cloud.PackageRequest{SkuCode: "cad", Version: "9"})
		wantErr(t, err, market.CodeNotFound, "spec cad not found")
		p, err := h.Cloud.SetPackage(h.Ctx, market.AsSeller("m-cad"), cloud.PackageRequest{SkuCode: "cad", DataInCloud: true, Version: "3.0",
			ForcedVersions: []string{"1.0", "1.5"}, TrialSupported: true, TrialDays: 14, InstallMode: market.InstallInteractive, Notes: "faster meshing"})
		if err != nil || p.ProductID != "p-cad" || p.MerchantID != "m-cad" {
			t.Fatalf("seller's package: %+v, %v", p, err)
		}
		if got, err := h.Cloud.Package(h.Ctx, h.buyer, "cad"); err != nil || got.Version != "3.0" || len(got.ForcedVersions) != 2 || got.InstallMode != market.InstallInteractive {
			t.Fatalf("package as read: %+v, %v", got, err)
		}
		for _, c := range []struct {
			current         string
			upgrade, forced bool
		}{{"3.0", false, false}, {"2.0", true, false}, {"1.5", true, true}} {
			n, err := h.Cloud.Upgrade(h.Ctx, h.alice, h.key, c.current)
			if err != nil || n.Upgrade != c.upgrade || n.Forced != c.forced || n.LatestVersion != "3.0" || n.Notes != "faster meshing" {
				t.Errorf("notice for %s: %+v, %v", c.current, n, err)
			}
		}
		h.pkg(cloud.PackageRequest{SkuCode: "cad", DataInCloud: true, Version: "3.0", ForcedUpgrade: true})
		if n, _ := h.Cloud.Upgrade(h.Ctx, h.alice, h.key, "2.0"); !n.Forced {
			t.Errorf("a forced package's notice: %+v", n)
		}
		if _, err := h.Cloud.ConfirmUpgrade(h.Ctx, h.alice, h.key, "2.0"); err != nil {
			t.Fatal(err)
		}
		_, err = h.Cloud.ConfirmUpgrade(h.Ctx, h.alice, h.key, "3.0")
		wantErr(t, err, market.CodeConflict, "no upgrade to confirm")
		if n, _ := h.DB.CountUpgrades(h.Ctx, h.key); n != 1 {
			t.Errorf("%d upgrade confirmations recorded", n)
		}
	})
}

var device = market.DeviceInfo{MAC: "00:16:3e:aa:bb:cc", Disk: "S3Z9NX0K123456", Mainboard: "BSN12345678", CPU: "BFEBFBFF000906EA"}

func TestLicenseRequests(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		bad := device
		bad.CPU = " "
		_, err := h.Cloud.RequestLicense(h.Ctx, h.alice, h.key, cloud.LicenseInput{Kind: "STRING", Device: bad})
		wantErr(t, err, market.CodeInvalid, "cpu serial is missing")
		bad.CPU = strings.Repeat("x", 5200)
		_, err = h.Cloud.RequestLicense(h.Ctx, h.alice, h.key, cloud.LicenseInput{Kind: "STRING", Device: bad})
		wantErr(t, err, market.CodeInvalid, "more than 5120")
		_, err = h.Cloud.RequestLicense(h.Ctx, h.alice, h.key, cloud.LicenseInput{Kind: "FILE", FileName: "../x.lic", Device: device})
		wantErr(t, err, market.CodeInvalid, "file_name")

		l, err := h.Cloud.RequestLicense(h.Ctx, h.alice, h.key, cloud.LicenseInput{Kind: "FILE", FileName: "cad.lic", Device: device})
		if err != nil {
			t.Fatal(err)
		}
		pub, err := h.Cloud.PublicKey(h.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		in, _ := h.DB.Instance(h.Ctx, h.key)
		dev := cloudfs.Device(device)
		lic, err := cloudfs.VerifyLicense(l.License, pub, &dev, h.Clock.Now())
		if err != nil || lic.Instance != h.key || lic.SkuCode != "cad" || lic.User != "alice" || !strings.HasPrefix(lic.LicenseCode, "PL") ||
			lic.ExpireAt != in.ExpireAt.Unix() {
			t.Fatalf("license %+v, %v", lic, err)
		}
		other := cloudfs.Device{MAC: "x", Disk: "y", Mainboard: "z", CPU: "w"}
		if _, err := cloudfs.VerifyLicense(l.License, pub, &other, h.Clock.Now()); err == nil {
			t.Fatal("a license verified on another device")
		}
		tampered := strings.Replace(l.License, ".", ".e", 1)
		if _, err := cloudfs.VerifyLicense(tampered, pub, nil, h.Clock.Now()); err == nil {
			t.Fatal("a tampered license verified")
		}

		_, err = h.Cloud.ReportVerification(h.Ctx, h.bob, l.ID, true, "")
		wantErr(t, err, market.CodeNotFound, "not found")
		if got, err := h.Cloud.ReportVerification(h.Ctx, h.alice, l.ID, false, "clock skew"); err != nil || got.VerifyOK || got.VerifyError != "clock skew" {
			t.Fatalf("report: %+v, %v", got, err)
		}
		_, err = h.Cloud.ReportVerification(h.Ctx, h.alice, l.ID, true, "")
		wantErr(t, err, market.CodeConflict, "already reported")

		// A trial instance needs a package that supports trials; its license ends with the trial.
		trial := h.buy(h.buyer, "OFFI-CAD-M", true)
		_, err = h.Cloud.RequestLicense(h.Ctx, h.buyer, trial, cloud.LicenseInput{Kind: "STRING", Device: device})
		wantErr(t, err, market.CodeConflict, "does not support trials")
		h.pkg(cloud.PackageRequest{SkuCode: "cad", DataInCloud: true, Version: "2.0", TrialSupported: true, TrialDays: 7})
		l, err = h.Cloud.RequestLicense(h.Ctx, h.buyer, trial, cloud.LicenseInput{Kind: "STRING", Device: device})
		if err != nil || !l.ExpireAt.Equal(h.Clock.Now().AddDate(0, 0, 7)) {
			t.Fatalf("trial license: %+v, %v", l, err)
		}
	})
}

// Who may use a drive: the buyer's users and the operator. Another buyer and the seller learn
// nothing; a package without data in cloud has no drive; a frozen instance's drive is read-only.
func TestVisibility(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		f := h.must(h.save(h.alice, cloud.UploadRequest{Path: "/Secret.prt"}, []byte("design")))
		stranger := h.Buyer()
		for _, v := range []market.Viewer{stranger, market.AsSeller("m-cad"), {}} {
			if _, err := h.Cloud.File(h.Ctx, v, f.ID); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%+v reads the file: %v", v, err)
			}
			if _, err := h.Cloud.Drive(h.Ctx, v, h.key); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%+v reads the drive: %v", v, err)
			}
			if _, err := h.Cloud.CheckIn(h.Ctx, v, f.ID); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%+v checks in: %v", v, err)
			}
		}
		if _, err := h.Cloud.File(h.Ctx, market.AsOperator(), f.ID); err != nil {
			t.Errorf("operator: %v", err)
		}
		viewer := h.buy(h.buyer, "OFFI-VIEW-M", false)
		_, err := h.Cloud.List(h.Ctx, h.buyer, viewer, "/", "", 0)
		wantErr(t, err, market.CodeConflict, "does not keep data in the cloud")

		h.Clock.Advance(32 * 24 * 3600e9) // past the month: frozen for retention
		h.Settle()
		if got := h.content(h.alice, f.ID, 0); got != "design" {
			t.Fatalf("frozen drive reads %q", got)
		}
		_, err = h.save(h.alice, cloud.UploadRequest{FileID: f.ID}, []byte("x"))
		wantErr(t, err, market.CodeConflict, "read-only")
	})
}

func TestSolve(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		f := h.must(h.save(h.alice, cloud.UploadRequest{Path: "/Beam.prt"}, []byte("beam")))
		sol, err := h.Cloud.Solve(h.Ctx, h.alice, f.ID, 0)
		if err != nil || sol.State != cloud.SolutionSubmitted || sol.Version != 1 {
			t.Fatalf("submitted: %+v, %v", sol, err)
		}
		h.Settle()
		if sol, err = h.Cloud.Solution(h.Ctx, h.bob, sol.ID); err != nil || sol.State != cloud.SolutionRecorded || sol.Result != cloud.StubResult {
			t.Fatalf("after the stub solver: %+v, %v", sol, err)
		}
		_, err = h.Cloud.Solution(h.Ctx, h.Buyer(), sol.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
	})
}
