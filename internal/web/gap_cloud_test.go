package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
)

// TestGapCloudDrive: the buyer reads an industrial instance's cloud drive: usage, a folder's
// files, a file's two versions and the download of each; an instance without a drive says so;
// another buyer gets the 404 page.
func TestGapCloudDrive(t *testing.T) {
	t.Parallel()
	f := setup(t)
	e := f.e
	e.Product("p-cad", f.shop.M.ID, catalog.SpecRequest{SkuCode: "cad", Name: "cad", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
		Plans: []catalog.PlanRequest{{ProductID: "OFFI-CAD-M", Period: market.PeriodMonth, Price: 100_000}}})
	if _, err := e.Cloud.SetPackage(e.Ctx, market.AsOperator(), cloud.PackageRequest{SkuCode: "cad", DataInCloud: true, Version: "2.0"}); err != nil {
		t.Fatal(err)
	}
	o, err := e.Orders.Purchase(e.Ctx, f.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-CAD-M", PeriodNumber: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	e.Settle()
	key := o.Lines[0].ID
	save := func(r cloud.UploadRequest, body string) *market.CloudFile {
		t.Helper()
		s := sha256.Sum256([]byte(body))
		r.Kind, r.Size, r.SHA256 = market.KindFile, int64(len(body)), hex.EncodeToString(s[:])
		u, err := e.Cloud.BeginUpload(e.Ctx, f.buyer, key, r)
		if err == nil {
			_, err = e.Cloud.WriteChunk(e.Ctx, f.buyer, u.ID, 0, bytes.NewReader([]byte(body)))
		}
		var cf *market.CloudFile
		if err == nil {
			cf, err = e.Cloud.Complete(e.Ctx, f.buyer, u.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		return cf
	}
	file := save(cloud.UploadRequest{Path: "/designs/Bracket.prt"}, "first")
	file = save(cloud.UploadRequest{FileID: file.ID, BaseVersion: 1}, "second version")

	c := f.login(f.token)
	for lang, want := range map[string]string{"en": "Cloud drive", "zh-CN": "云端数据盘"} {
		status, body, _ := f.get(c, "/my/instances/"+key+"/cloud", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "designs/") {
			t.Fatalf("%s drive: %d", lang, status)
		}
		status, body, _ = f.get(c, "/my/instances/"+key+"/cloud?folder=/designs", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, "/my/cloud/files/"+file.ID) {
			t.Fatalf("%s folder: %d", lang, status)
		}
		status, body, _ = f.get(c, "/my/cloud/files/"+file.ID, "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, "content?version=1") || !strings.Contains(body, "content?version=2") {
			t.Fatalf("%s file: %d", lang, status)
		}
		if _, body, _ = f.get(c, "/my/instances/"+key, "Accept-Language", lang); !strings.Contains(body, "/my/instances/"+key+"/cloud") {
			t.Errorf("%s: no link to the drive on the instance page", lang)
		}
	}
	status, content, h := f.get(c, "/my/cloud/files/"+file.ID+"/content?version=1")
	if status != http.StatusOK || content != "first" || !strings.Contains(h.Get("Content-Disposition"), "Bracket.prt") || h.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download version 1: %d %q", status, content)
	}
	if _, content, _ = f.get(c, "/my/cloud/files/"+file.ID+"/content"); content != "second version" {
		t.Fatalf("current version: %q", content)
	}
	plain := e.Buy(f.buyer, f.shop, "plain", 1).Lines[0].ID
	if status, body, _ := f.get(c, "/my/instances/"+plain+"/cloud", "Accept-Language", "en"); status != http.StatusConflict || !strings.Contains(body, "has no cloud drive") {
		t.Errorf("an instance without a drive: %d", status)
	}
	other, _ := f.otherBuyer()
	for _, p := range []string{"/my/instances/" + key + "/cloud", "/my/cloud/files/" + file.ID, "/my/cloud/files/" + file.ID + "/content"} {
		if status, _, _ := f.get(other, p); status != http.StatusNotFound {
			t.Errorf("another buyer: %s %d", p, status)
		}
	}
}
