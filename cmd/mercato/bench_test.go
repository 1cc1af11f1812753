package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestBenchDispatch(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "dispatch", "--orders", "30", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r dispatchResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Orders != 30 || r.OrdersPerSec <= 0 || r.QueueJobsPerS <= 0 || r.Ratio <= 0 || r.PickupP95MS < r.PickupP50MS || r.Engine != "sqlite" {
		t.Fatalf("figures %+v", r)
	}
}
