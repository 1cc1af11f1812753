package assets

import (
	"strings"
	"testing"
)

// TestDecide: how the scanner's exit code and report decide, without running it.
func TestDecide(t *testing.T) {
	t.Parallel()
	s := &Service{cfg: DefaultConfig()}
	checks := func(malware, vuln string) string {
		return `"checks":[{"rule":"malware","status":"` + malware + `"},{"rule":"vulnerability","status":"ran","detail":"` + vuln + `"}]`
	}
	pass := `{"schema":"mercato-scan/v1","passed":true,"complete":true,` + checks("ran", "packages matched: 3") + `,"findings":[]}`
	cases := []struct {
		name     string
		code     int
		stdout   string
		approve  bool
		rejected bool
		err      string
	}{
		{"pass", 0, pass, true, false, ""},
		{"fail", 1, `{"schema":"mercato-scan/v1","passed":false,"complete":true,` + checks("ran", "") +
			`,"findings":[{"rule":"malware","blocking":true},{"rule":"private-key","blocking":true},{"rule":"malware","blocking":true},{"rule":"unscored-vulnerability","blocking":false}]}`,
			false, true, ""},
		{"malware skipped", 0, `{"schema":"mercato-scan/v1","passed":true,"complete":true,` + checks("skipped", "") + `}`, false, false, "malware check did not run"},
		{"ecosystem without data", 0, `{"schema":"mercato-scan/v1","passed":true,"complete":true,` + checks("ran", "packages matched: 12; no database for Alpine (12 packages)") + `}`,
			false, false, "no data for Alpine"},
		{"check missing", 0, `{"schema":"mercato-scan/v1","passed":true,"complete":true,"checks":[]}`, false, false, "no malware check"},
		{"incomplete", 0, `{"schema":"mercato-scan/v1","passed":true,"complete":false,` + checks("ran", "") + `}`, false, false, "complete=false"},
		{"no verdict", 2, `{"schema":"mercato-scan/v1","passed":true,"complete":false,"errors":["clamd failed 5 times"]}`, false, false, "clamd failed 5 times"},
		{"usage error", 2, ``, false, false, "exited 2"},
		{"crash", 1, `panic: runtime error`, false, false, "without a report"},
		{"killed", -1, ``, false, false, "exited -1"},
	}
	for _, c := range cases {
		v, err := s.decide(c.code, []byte(c.stdout), "stderr text")
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %+v, %v; want an error with %q", c.name, v, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case v.approve != c.approve:
			t.Errorf("%s: approve %t", c.name, v.approve)
		case c.rejected && v.summary != "rejected by the scan: malware, private-key":
			t.Errorf("%s: summary %q", c.name, v.summary)
		}
	}
}
