package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestBenchHeartbeat(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "heartbeat", "--licenses", "20", "--clients", "4", "--duration", "300ms", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r heartbeatResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Engine != "sqlite" || r.Licenses != 20 || r.PerSec <= 0 || r.BaselinePerSec <= 0 || r.Ratio <= 0 || r.P99MS < r.P50MS ||
		r.Acknowledged <= 0 || r.Stored < r.Acknowledged || r.MeanBatch < 1 {
		t.Fatalf("figures %+v", r)
	}
}

func TestBenchHeartbeatFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--licenses", "0"}, {"--duration", "11m"}, {"--clients", "-1"}} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"bench", "heartbeat"}, args...), nil, &out, &errb); code == exitOK {
			t.Errorf("%v accepted", args)
		}
	}
}
