package sdk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// BenchmarkHandler measures the hot path of a production URL: verify, replay check, decode,
// idempotent lookup, answer and Body-Sign. Each sub-benchmark also reports x-verify, its
// time per request over that of a bare kgp.VerifyBasic of the same body measured in the same
// run, so the figure survives a change of machine. Requests are signed before the timer
// starts, each with its own nonce.
func BenchmarkHandler(b *testing.B) {
	h, err := sdk.NewHandler(sdk.Config{Key: testKey, Store: openStore(b, b.TempDir()), Now: func() time.Time { return t0 }}, newFake())
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	serve := func(body []byte, nonce string) *kgp.Response {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedBasic(testKey, body, t0, nonce))
		resp, _ := kgp.DecodeResponse(w.Body.Bytes())
		return resp
	}
	create, _ := kgp.EncodeBasic(kgp.NewInstance{BusinessID: "b0", OrderID: "CSBENCH", OrderLineID: "CSBENCH-000001"})
	id := serve(create, "setup").InstanceID
	query, _ := kgp.EncodeBasic(kgp.QueryInstance{InstanceID: id})

	var baseline float64 // ns per bare VerifyBasic
	b.Run("baseline=kgp.VerifyBasic", func(b *testing.B) {
		ts := kgp.FormatEpochMillis(t0)
		sig := kgp.SignBasic(testKey, ts, "n", create)
		for b.Loop() {
			if err := kgp.VerifyBasic(testKey, sig, ts, "n", create); err != nil {
				b.Fatal(err)
			}
		}
		baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	cases := []struct {
		name string
		body func(i int) []byte
		want kgp.ResultCode
	}{
		{"newInstance=repeat", func(int) []byte { return create }, kgp.ResultSuccess},
		{"queryInstance=one", func(int) []byte { return query }, kgp.ResultSuccess},
		{"newInstance=create", func(i int) []byte {
			body, _ := kgp.EncodeBasic(kgp.NewInstance{BusinessID: "b", OrderID: "CSNEW", OrderLineID: fmt.Sprintf("CSNEW-%09d", i)})
			return body
		}, kgp.ResultSuccess},
	}
	seq := 0 // -count and b.N probing rerun a sub-benchmark on the same handler: never reuse a nonce
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			reqs := make([]*http.Request, b.N)
			ts := kgp.FormatEpochMillis(t0)
			for i := range reqs {
				seq++
				body := tc.body(seq)
				nonce := fmt.Sprintf("bench-%d", seq)
				target := "/p?signature=" + kgp.SignBasic(testKey, ts, nonce, body) + "&timestamp=" + ts + "&nonce=" + nonce
				reqs[i] = httptest.NewRequest(http.MethodPost, target, strings.NewReader(string(body)))
			}
			b.ResetTimer()
			for i := range b.N {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, reqs[i])
				if !strings.Contains(w.Body.String(), `"resultCode":"`+string(tc.want)+`"`) {
					b.Fatalf("answer %s", w.Body.String())
				}
			}
			b.StopTimer()
			if baseline > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseline, "x-verify")
			}
		})
	}
}
