package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A small run of bench template: the generated template passes and the figures are filled in.
func TestBenchTemplate(t *testing.T) {
	t.Parallel()
	var out, errb strings.Builder
	if code := run([]string{"bench", "template", "--runs", "3", "--json"}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r templateResult
	if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
		t.Fatal(err)
	}
	if r.Modules != 25 || r.Resources != 77 || r.ValidateMS <= 0 || r.ParseMS <= 0 || r.Ratio <= 0 {
		t.Fatalf("result %+v", r)
	}
	if code := run([]string{"bench", "template", "--runs", "0"}, nil, &out, &errb); code == exitOK {
		t.Fatal("zero runs were accepted")
	}
}
