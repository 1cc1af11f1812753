// Package report holds the scan report: the findings, the rule ids they cite,
// and the two renderings (JSON for the marketplace, text for people).
//
// The JSON field names and rule ids are a stable interface: the asset centre
// stores reports and compares them across scanner versions, so a field may be
// added but never renamed or removed within schema "mercato-scan/v1".
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Schema names the JSON layout written by WriteJSON.
const Schema = "mercato-scan/v1"

// Rule ids, one per check of the marketplace rules §6.1–§6.3.
const (
	RuleMalware               = "malware"
	RuleVulnerability         = "vulnerability"
	RulePresetPassword        = "preset-password"
	RuleWeakPassword          = "weak-password"
	RuleAuthorizedKeys        = "authorized-keys"
	RulePrivateKey            = "private-key"
	RulePasswordInFile        = "password-in-file"
	RulePasswordPolicy        = "password-policy"
	RuleSizeLimit             = "size-limit"
	RulePackageName           = "package-name"
	RuleArchRegion            = "arch-region"
	RuleUnscannable           = "unscannable"
	RuleUncheckedHash         = "unchecked-hash"
	RuleUnscoredVulnerability = "unscored-vulnerability"
)

// Severities, most severe first.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
	SeverityInfo     = "info"
)

// Check statuses.
const (
	CheckRan     = "ran"
	CheckSkipped = "skipped"
	CheckFailed  = "error"
)

// Finding is one violation (or, when Blocking is false, one observation) at
// one place in the scanned input.
type Finding struct {
	// Rule is one of the Rule* ids.
	Rule string `json:"rule"`
	// Severity is one of the Severity* words.
	Severity string `json:"severity"`
	// Blocking findings make the input fail review.
	Blocking bool `json:"blocking"`
	// Path is the slash-separated path inside the input, without a leading
	// slash; a file inside a nested archive is "outer.zip!/inner/file".
	// Empty for findings about the input as a whole.
	Path string `json:"path"`
	// Evidence is what was seen, short and with secrets masked.
	Evidence string `json:"evidence"`
	// Detail says what the rule requires and how to fix it.
	Detail string `json:"detail"`
	// ID is an advisory id for vulnerabilities (e.g. CVE-2024-1234).
	ID string `json:"id,omitempty"`
	// Package, Version and Fixed describe a vulnerable package.
	Package string `json:"package,omitempty"`
	// Version is the installed version of Package.
	Version string `json:"version,omitempty"`
	// Fixed is the first fixed version, when the advisory gives one.
	Fixed string `json:"fixed,omitempty"`
	// Score is the CVSS base score computed from Vector.
	Score float64 `json:"score,omitempty"`
	// Vector is the CVSS vector the score was computed from.
	Vector string `json:"vector,omitempty"`
	// ScoredBy names the record Vector came from when the advisory itself
	// has none (its alias or upstream CVE).
	ScoredBy string `json:"scored_by,omitempty"`
}

// Input describes what was scanned.
type Input struct {
	// Path is the file as given on the command line.
	Path string `json:"path"`
	// Name is the asset name that the package-name rule checks.
	Name string `json:"name"`
	// Kind is "image" (VM disk or rootfs, 128 GB limit) or "package"
	// (software or container package, 20 GB limit).
	Kind string `json:"kind"`
	// Format is the detected container format: qcow2, vmdk, raw,
	// docker-archive, oci-archive, tar, tar.gz, zip.
	Format string `json:"format"`
	// Size is the input file's size in bytes.
	Size int64 `json:"size"`
	// Arch is the CPU architecture found in the input's ELF files or image
	// config (amd64, arm64, 386, arm, ...), or "unknown".
	Arch string `json:"arch"`
	// OS is the os-release PRETTY_NAME, when there is one.
	OS string `json:"os,omitempty"`
}

// Check records whether a rule's check ran.
type Check struct {
	// Rule is the rule id the check enforces.
	Rule string `json:"rule"`
	// Status is "ran", "skipped" or "error".
	Status string `json:"status"`
	// Detail says why a check was skipped or failed.
	Detail string `json:"detail,omitempty"`
}

// Stats counts the work done.
type Stats struct {
	// Files is the number of regular files read, nested archive members included.
	Files int64 `json:"files"`
	// Bytes is the number of file content bytes read.
	Bytes int64 `json:"bytes"`
	// Archives is the number of nested archives opened.
	Archives int64 `json:"archives"`
	// Packages is the number of OS and language packages inventoried.
	Packages int `json:"packages"`
	// Accounts is the number of /etc/shadow entries examined.
	Accounts int `json:"accounts"`
}

// Report is the result of one scan.
type Report struct {
	// Schema is always Schema.
	Schema string `json:"schema"`
	// Scanner is the tool's name and version.
	Scanner string `json:"scanner"`
	// Passed is true when no blocking finding was made.
	Passed bool `json:"passed"`
	// Complete is false when the scan stopped early (time or size budget,
	// unreadable input); a passed but incomplete report must not be trusted.
	Complete bool `json:"complete"`
	// Input describes the scanned file.
	Input Input `json:"input"`
	// Started is when the scan began (UTC).
	Started time.Time `json:"started"`
	// DurationMS is the scan's wall time in milliseconds.
	DurationMS int64 `json:"duration_ms"`
	// Checks lists every rule's check and whether it ran.
	Checks []Check `json:"checks"`
	// Findings lists violations and observations, blocking ones first.
	Findings []Finding `json:"findings"`
	// Stats counts the work done.
	Stats Stats `json:"stats"`
	// Warnings are problems that did not stop the scan (an unreadable
	// member, an archive entry that tried to leave its root, ...).
	Warnings []string `json:"warnings"`
	// Errors are problems that made the scan incomplete.
	Errors []string `json:"errors"`
}

// Add appends a finding.
func (r *Report) Add(f Finding) { r.Findings = append(r.Findings, f) }

// Finish computes Passed and sorts findings so that reports of the same
// input are byte-identical apart from times.
func (r *Report) Finish() {
	r.Passed = true
	for _, f := range r.Findings {
		if f.Blocking {
			r.Passed = false
		}
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Blocking != b.Blocking {
			return a.Blocking
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Evidence < b.Evidence
	})
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	if r.Errors == nil {
		r.Errors = []string{}
	}
}

// ExitCode maps the report to the process exit status: 0 passed, 1 failed,
// 2 when an incomplete scan found nothing blocking (no verdict).
func (r *Report) ExitCode() int {
	switch {
	case !r.Passed:
		return 1
	case !r.Complete:
		return 2
	}
	return 0
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes a summary for a person at a terminal.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	} else if !r.Complete {
		verdict = "INCOMPLETE"
	}
	fmt.Fprintf(&b, "%s: %s\n", verdict, r.Input.Path)
	fmt.Fprintf(&b, "  %s %s, %d bytes, arch %s", r.Input.Kind, r.Input.Format, r.Input.Size, r.Input.Arch)
	if r.Input.OS != "" {
		fmt.Fprintf(&b, ", %s", r.Input.OS)
	}
	fmt.Fprintf(&b, "\n  %d files, %d bytes read, %d nested archives, %d packages, %.1fs\n",
		r.Stats.Files, r.Stats.Bytes, r.Stats.Archives, r.Stats.Packages, float64(r.DurationMS)/1000)
	for _, c := range r.Checks {
		if c.Status != CheckRan {
			fmt.Fprintf(&b, "  check %s %s: %s\n", c.Rule, c.Status, c.Detail)
		}
	}
	for _, f := range r.Findings {
		mark := "FAIL"
		if !f.Blocking {
			mark = "note"
		}
		fmt.Fprintf(&b, "%s [%s/%s] %s", mark, f.Rule, f.Severity, orDash(f.Path))
		if f.ID != "" {
			fmt.Fprintf(&b, " %s", f.ID)
		}
		fmt.Fprintf(&b, "\n     %s\n", f.Evidence)
		if f.Detail != "" {
			fmt.Fprintf(&b, "     %s\n", f.Detail)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "error: %s\n", e)
	}
	for _, e := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", e)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
