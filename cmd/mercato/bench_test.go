package main

import (
	"bytes"
	"encoding/json"
	"strings"
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

func TestBenchUsageAndRate(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "usage", "--records", "5000", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("usage: exit %d: %s", code, errb.String())
	}
	var u usageResult
	if err := json.Unmarshal(out.Bytes(), &u); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if u.StoredRecords != 5000 || u.RejectedPushes != 0 || u.RecordsPerSec <= 0 || u.CeilingPerSec <= 0 || u.P99MS < u.P50MS {
		t.Fatalf("usage figures %+v", u)
	}
	out.Reset()
	if code := run([]string{"bench", "rate", "--records", "30000", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("rate: exit %d: %s", code, errb.String())
	}
	var r rateResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Records != 30000 || r.Collections != 24 || r.Bills != 24 || r.RateSeconds <= 0 {
		t.Fatalf("rate figures %+v", r)
	}
}

func TestBenchSync(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "sync", "--users", "1200", "--departments", "12", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r syncResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Users != 1200 || r.Batches != 3 || r.SendUsersPerSec <= 0 || r.BareUsersPerSec <= 0 || r.Ratio <= 0 || r.FullSyncBytes < 12*40 || r.Engine != "sqlite" {
		t.Fatalf("figures %+v", r)
	}
}

func TestBenchCatalog(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "catalog", "--products", "300", "--requests", "200", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r catalogResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Products != 300 || r.Plans != 900 || r.PerSec <= 0 || r.QueryPerSec <= 0 || r.BaselinePerSec <= 0 || r.P99MS < r.P50MS || r.Ratio <= 0 {
		t.Fatalf("figures %+v", r)
	}
}

func TestBenchWeb(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"bench", "web", "--orders", "300", "--instances", "30", "--requests", "40", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r webResult
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Orders != 300 || r.Instances != 30 || len(r.Pages) < 5 {
		t.Fatalf("figures %+v", r)
	}
	for _, p := range r.Pages {
		if p.PerSec <= 0 || p.APIPerSec <= 0 || p.Ratio <= 0 || p.P95MS <= 0 || strings.Contains(p.Page, "CS") {
			t.Errorf("page figures %+v", p)
		}
	}
}
