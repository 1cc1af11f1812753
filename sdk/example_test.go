package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
	"github.com/mercato-oss/mercato/sdk/sqlitestore"
)

// shop is a merchant that sells one SaaS product: it implements NewInstance and leaves the
// rest to sdk.Unimplemented's defaults.
type shop struct{ sdk.Unimplemented }

func (shop) NewInstance(ctx context.Context, call *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
	// Create the tenant in your system here, keyed by call.InstanceID.
	return &sdk.Provisioned{AppInfo: &kgp.AppInfo{
		FrontEndURL: "https://shop.example.com/t/" + call.InstanceID,
		UserName:    "admin",
		Password:    "initial-password",
	}}, nil
}

// Serve the production URL. Here KooGallery is played by a few lines of kgp.
func ExampleNewHandler() {
	const key = "my-access-key" // Seller Console → Application Tools → Key management
	dir, _ := os.MkdirTemp("", "merchant-state")
	defer os.RemoveAll(dir)

	store, err := sqlitestore.Open(dir) // or your own database behind sdk.Store
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	h, err := sdk.NewHandler(sdk.Config{Key: key, Store: store}, shop{})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	mux := http.NewServeMux()
	mux.Handle("/saasproduce", h)  // the production URL...
	mux.Handle("/saasproduce/", h) // ...and its kit sub-paths (/saasproduce/produceAPI/v2/...)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	body, _ := kgp.EncodeBasic(kgp.NewInstance{BusinessID: "b-1", OrderID: "CS1", OrderLineID: "CS1-000001", TestFlag: "1"})
	ts, nonce := kgp.FormatEpochMillis(time.Now()), kgp.NewIV()
	url := srv.URL + "/saasproduce?signature=" + kgp.SignBasic(key, ts, nonce, body) + "&timestamp=" + ts + "&nonce=" + nonce
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	answer, _ := kgp.DecodeResponse(raw)
	fmt.Println(answer.ResultCode, len(answer.InstanceID))
	fmt.Println(kgp.VerifyBodySign(key, resp.Header.Get(kgp.BodySignHeader), raw) == nil)
	// Output:
	// 000000 36
	// true
}

// sandbox stands in for KooGallery's open API (or `mercato serve`) in the examples.
func sandbox() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == kgp.PathOrderQuery {
			id := r.URL.Query().Get("orderId")
			json.NewEncoder(w).Encode(kgp.OrderQueryResponse{ResultCode: kgp.MKTSuccess, ResultMsg: "success",
				OrderInfo: &kgp.OrderInfo{OrderID: id, OrderType: kgp.OrderNew, OrderLine: []kgp.OrderLine{{
					OrderLineID: id + "-000001", ChargingMode: kgp.ChargingOnDemand,
					ProductInfo: []kgp.ProductInfo{{ProductID: "OFFI-PPU", SkuCode: "sku-ppu"}}}}}})
			return
		}
		io.WriteString(w, `{"error_code":"MKT.0000","error_msg":"success"}`)
	}))
}

// Look up the order behind a 2.0 newInstance, which carries only its IDs.
func ExampleClient_QueryOrder() {
	api := sandbox()
	defer api.Close()
	client, err := sdk.NewClient(sdk.ClientConfig{
		AK: "my-iam-ak", SK: "my-iam-sk", // My Credentials → Access Keys
		BaseURL: api.URL, // omit for KooGallery itself: Site picks the host, with its fallback
	})
	if err != nil {
		log.Fatal(err)
	}
	order, err := client.QueryOrder(context.Background(), "MOCKONDEMAND", "MOCKONDEMAND-000001")
	if err != nil {
		log.Fatal(err) // a *kgp.ErrorResponse when KooGallery refused
	}
	line := order.OrderLine[0]
	fmt.Println(order.OrderType, line.ChargingMode, line.ProductInfo[0].ProductID)
	// Output: NEW ON_DEMAND OFFI-PPU
}

// Push usage yourself; the metering_sn derived from instance and window makes a retry safe.
func ExampleClient_PushUsage() {
	api := sandbox()
	defer api.Close()
	client, _ := sdk.NewClient(sdk.ClientConfig{AK: "my-iam-ak", SK: "my-iam-sk",
		AccessKey: "my-access-key", // the key bound to the basic interfaces signs the body
		BaseURL:   api.URL})
	err := client.PushUsage(context.Background(), []kgp.UsageRecord{{
		InstanceID: "7f141bf1-aec8-4859-8323-fb3a8ad50721",
		RecordTime: "20250314T101000Z",
		BeginTime:  "20250314T090000Z",
		EndTime:    "20250314T100000Z",
		UsageValue: "99.5",
	}})
	fmt.Println(err)
	fmt.Println(sdk.MeteringSN("7f141bf1-aec8-4859-8323-fb3a8ad50721", "20250314T090000Z", "20250314T100000Z"))
	// Output:
	// <nil>
	// 73d623c1868276f9dbd36d7f5338e47c
}

// stopped is a Clock that stays at one instant, for the example.
type stopped time.Time

func (c stopped) Now() time.Time                     { return time.Time(c) }
func (stopped) After(time.Duration) <-chan time.Time { return nil }

// Record usage as it happens; the Reporter pushes each hour in minutes 0–15 of the next one.
func ExampleReporter() {
	api := sandbox()
	defer api.Close()
	dir, _ := os.MkdirTemp("", "merchant-state")
	defer os.RemoveAll(dir)
	store, _ := sqlitestore.Open(dir) // the same store a Handler can use (Config.Store)
	defer store.Close()
	client, _ := sdk.NewClient(sdk.ClientConfig{AK: "my-iam-ak", SK: "my-iam-sk", AccessKey: "my-access-key", BaseURL: api.URL})

	now := time.Date(2025, 3, 14, 10, 5, 0, 0, time.UTC)
	reporter, _ := sdk.NewReporter(sdk.ReporterConfig{Pusher: client, Store: store, Clock: stopped(now)})
	ctx := context.Background()
	reporter.Record(ctx, sdk.Usage{InstanceID: "inst-1", Amount: "1.5", At: now.Add(-50 * time.Minute)})
	reporter.Record(ctx, sdk.Usage{InstanceID: "inst-1", Amount: "2", At: now.Add(-20 * time.Minute)})
	reporter.Record(ctx, sdk.Usage{InstanceID: "inst-1", Amount: "4", At: now}) // the current hour stays open

	// In production: go reporter.Run(ctx), which calls Flush at 2 minutes past every hour.
	n, err := reporter.Flush(ctx)
	fmt.Println(n, err)
	n, err = reporter.Flush(ctx) // delivered windows are never sent again
	fmt.Println(n, err)
	// Output:
	// 1 <nil>
	// 0 <nil>
}

// The production set-up of the merchant guide: a handler, the open-API client that fetches 2.0
// order details, and the usage Reporter, sharing one store. (Compiled, not run.)
func Example_production() {
	ctx := context.Background()
	store, err := sqlitestore.Open("/var/lib/shop/koogallery")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	client, err := sdk.NewClient(sdk.ClientConfig{
		AK:        os.Getenv("KG_AK"), // IAM access key pair: signs every open-API call
		SK:        os.Getenv("KG_SK"),
		AccessKey: os.Getenv("KG_KEY"), // the basic-interface key: signs usage bodies
		Site:      sdk.SiteChina,       // mkt.myhuaweicloud.com, falling back to mkt.myhuaweicloud.cn
	})
	if err != nil {
		log.Fatal(err)
	}
	h, err := sdk.NewHandler(sdk.Config{
		Key:    os.Getenv("KG_KEY"),
		KitKey: os.Getenv("KG_KIT_KEY"), // only for joint-operation products
		Store:  store,
		Orders: client, // 2.0 newInstance carries IDs only: the SDK fetches the order
		Logger: slog.Default(),
	}, shop{})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()

	reporter, err := sdk.NewReporter(sdk.ReporterConfig{Pusher: client, Store: store, Logger: slog.Default()})
	if err != nil {
		log.Fatal(err)
	}
	go reporter.Run(ctx)
	// Wherever a pay-per-use instance consumes something:
	_ = reporter.Record(ctx, sdk.Usage{InstanceID: "7f141bf1-aec8-4859-8323-fb3a8ad50721", Amount: "1.5", At: time.Now()})

	mux := http.NewServeMux()
	mux.Handle("/saasproduce", h)
	mux.Handle("/saasproduce/", h)
	log.Fatal(http.ListenAndServeTLS(":443", "cert.pem", "key.pem", mux))
}
