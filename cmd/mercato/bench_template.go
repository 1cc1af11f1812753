package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/mercato-oss/mercato/internal/rfs"
)

// templateResult is what `bench template` measures.
type templateResult struct {
	Modules    int     `json:"modules"`
	Files      int     `json:"files"`
	Bytes      int     `json:"bytes"`
	Resources  int     `json:"resources"`
	Runs       int     `json:"runs"`
	ValidateMS float64 `json:"validate_ms"`
	// ParseMS is parsing the same files with HCL and checking nothing: the floor.
	ParseMS float64 `json:"parse_ms"`
	Ratio   float64 `json:"ratio_validate_to_parse"`
	// TargetMS is the budget for a 25-module template.
	TargetMS float64 `json:"target_ms"`
}

// benchTemplate validates a generated template of the most modules RFS allows (rules §5.3)
// against every constraint, beside parsing the same files alone.
func benchTemplate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench template", "[--modules N] [--runs N] [--json]",
		"Validate a generated auto-deploy template of N modules (RFS allows 25, nested 3 deep) against\nRFS's constraints, beside parsing the same files with HCL alone.", stderr)
	modules := fs.Int("modules", rfs.MaxModules, "module calls in the generated template")
	runs := fs.Int("runs", 50, "validations to average over")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *modules < 0 || *runs < 1 {
		fmt.Fprintln(stderr, "mercato bench template: --modules must be at least 0 and --runs at least 1")
		return exitUsage
	}
	files := rfs.Sample(*modules)
	r := templateResult{Modules: *modules, Files: len(files), Runs: *runs, TargetMS: 50}
	for _, f := range files {
		r.Bytes += len(f.Data)
	}
	res := rfs.Validate(files)
	if *modules <= rfs.MaxModules && !res.OK() {
		return fail(stdio{nil, stdout, stderr}, "bench", fmt.Errorf("the generated template breaks the rules: %v", res.Violations))
	}
	r.Resources = len(res.Resources)
	start := time.Now()
	for range *runs {
		rfs.Validate(files)
	}
	r.ValidateMS = float64(time.Since(start).Microseconds()) / 1000 / float64(*runs)
	start = time.Now()
	for range *runs {
		if err := rfs.ParseOnly(files); err != nil {
			return fail(stdio{nil, stdout, stderr}, "bench", err)
		}
	}
	r.ParseMS = float64(time.Since(start).Microseconds()) / 1000 / float64(*runs)
	if r.ParseMS > 0 {
		r.Ratio = r.ValidateMS / r.ParseMS
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "template: %d modules, %d files (%d KB), %d resources validated in %.2f ms (target %.0f ms); parsing alone %.2f ms; ratio %.2f (mean of %d)\n",
		r.Modules, r.Files, r.Bytes/1000, r.Resources, r.ValidateMS, r.TargetMS, r.ParseMS, r.Ratio, r.Runs)
	return exitOK
}
