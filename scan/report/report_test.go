package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestFinishAndExitCode(t *testing.T) {
	t.Parallel()
	r := &Report{Complete: true}
	r.Finish()
	if !r.Passed || r.ExitCode() != 0 || r.Findings == nil || r.Warnings == nil || r.Errors == nil {
		t.Fatalf("empty report: %+v", r)
	}
	r.Add(Finding{Rule: RuleVulnerability, Severity: SeverityLow, Path: "b"})
	r.Add(Finding{Rule: RuleWeakPassword, Severity: SeverityCritical, Blocking: true, Path: "etc/shadow", Evidence: "z"})
	r.Add(Finding{Rule: RuleMalware, Severity: SeverityCritical, Blocking: true, Path: "a"})
	r.Add(Finding{Rule: RuleWeakPassword, Severity: SeverityCritical, Blocking: true, Path: "etc/shadow", Evidence: "a"})
	r.Finish()
	var order []string
	for _, f := range r.Findings {
		order = append(order, f.Rule+":"+f.Evidence)
	}
	if got := strings.Join(order, " "); got != "malware: weak-password:a weak-password:z vulnerability:" {
		t.Errorf("order: %s", got)
	}
	if r.Passed || r.ExitCode() != 1 {
		t.Error("blocking finding passed")
	}
	r = &Report{Complete: false}
	r.Add(Finding{Rule: RuleVulnerability, Severity: SeverityLow})
	r.Finish()
	if !r.Passed || r.ExitCode() != 2 {
		t.Errorf("incomplete without blocking findings: exit %d", r.ExitCode())
	}
}

// TestJSONFieldNames pins the stable schema: renaming a field breaks the
// asset centre's stored reports.
func TestJSONFieldNames(t *testing.T) {
	t.Parallel()
	r := &Report{Schema: Schema, Complete: true}
	r.Add(Finding{Rule: RuleVulnerability, ID: "X", Package: "p", Version: "1", Fixed: "2", Score: 9.8, Vector: "v"})
	r.Finish()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "scanner", "passed", "complete", "input", "started", "duration_ms", "checks", "findings", "stats", "warnings", "errors"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q", k)
		}
	}
	for _, k := range []string{"path", "name", "kind", "format", "size", "arch"} {
		if _, ok := m["input"].(map[string]any)[k]; !ok {
			t.Errorf("no input.%s", k)
		}
	}
	f := m["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"rule", "severity", "blocking", "path", "evidence", "detail", "id", "package", "version", "fixed", "score", "vector"} {
		if _, ok := f[k]; !ok {
			t.Errorf("no finding.%s", k)
		}
	}
	for _, k := range []string{"files", "bytes", "archives", "packages", "accounts"} {
		if _, ok := m["stats"].(map[string]any)[k]; !ok {
			t.Errorf("no stats.%s", k)
		}
	}
}
