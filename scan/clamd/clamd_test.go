package clamd_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/scan/clamd"
	"github.com/mercato-oss/mercato/scan/internal/clamdtest"
)

func TestScanLive(t *testing.T) {
	t.Parallel()
	addr := clamdtest.Start(t)
	c := &clamd.Client{Addr: "unix:" + addr, Timeout: 10 * time.Second, ChunkSize: 7}
	tests := []struct {
		name, data, sig string
	}{
		{"clean", "hello world", ""},
		{"empty", "", ""},
		{"eicar", clamdtest.EICAR, clamdtest.EICARSignature},
		{"custom in the middle", strings.Repeat("x", 5000) + clamdtest.CustomMarker + "tail", clamdtest.CustomSignature},
	}
	for _, tt := range tests {
		res, err := c.Scan(context.Background(), strings.NewReader(tt.data))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if res.Infected != (tt.sig != "") || res.Signature != tt.sig {
			t.Errorf("%s: got %+v, want %q", tt.name, res, tt.sig)
		}
	}
	big := bytes.Repeat([]byte("a"), 65<<20)
	if _, err := c.Scan(context.Background(), bytes.NewReader(big)); err == nil {
		t.Error("a stream over StreamMaxLength scanned without error")
	}
}

func TestParseResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		sig     string
		wantErr bool
	}{
		{"stream: OK\x00", "", false},
		{"stream: Win.Test.EICAR_HDB-1 FOUND\x00", "Win.Test.EICAR_HDB-1", false},
		{"1: stream: Eicar FOUND\n", "Eicar", false},
		{"INSTREAM size limit exceeded. ERROR\x00", "", true},
		{"stream: Can't allocate memory ERROR", "", true},
		{"stream:  FOUND", "", true},
		{"garbage", "", true},
	}
	for _, tt := range tests {
		r, err := clamd.ParseResponse(tt.in)
		if (err != nil) != tt.wantErr || r.Signature != tt.sig {
			t.Errorf("%q: got %+v, %v", tt.in, r, err)
		}
	}
}

func FuzzParseResponse(f *testing.F) {
	f.Add("stream: OK\x00")
	f.Add("stream: X FOUND\x00")
	f.Add("a: b: c ERROR")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := clamd.ParseResponse(s)
		if err == nil && r.Infected && r.Signature == "" {
			t.Fatal("infected without a signature")
		}
		if err != nil && r.Infected {
			t.Fatal("error with a verdict")
		}
	})
}
