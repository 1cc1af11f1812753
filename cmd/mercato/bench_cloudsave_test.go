package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A small run of bench cloudsave: every save succeeds and the figures are filled in.
func TestBenchCloudSave(t *testing.T) {
	t.Parallel()
	var out, errb strings.Builder
	args := []string{"bench", "cloudsave", "--files", "6", "--file-kib", "64", "--assemblies", "2", "--assembly-mib", "1", "--parallel", "2", "--json"}
	if code := run(args, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r cloudsaveResult
	if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
		t.Fatal(err)
	}
	if r.Files != 6 || r.Assemblies != 2 || r.SaveMBps <= 0 || r.CopyMBps <= 0 || r.Ratio <= 0 || r.FileBytes != 6*64<<10 {
		t.Fatalf("result %+v", r)
	}
	if code := run([]string{"bench", "cloudsave", "--files", "0", "--assemblies", "0"}, nil, &out, &errb); code == exitOK {
		t.Fatal("nothing to save was accepted")
	}
}
