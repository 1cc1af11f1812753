package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mercato-oss/mercato/kgp"
)

// verdictLabel shows a verdict in the table: mandatory failures in capitals, so that the ones that
// decide the exit status stand out from optional ones.
func verdictLabel(r Result) string {
	switch {
	case r.Verdict == Fail && r.Mandatory:
		return "FAIL"
	case r.Verdict == Fail:
		return "fail (optional)"
	}
	return string(r.Verdict)
}

// WriteTable writes the report as a table of case, verdict and reason, then a summary line.
func WriteTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tVERDICT\tWHY")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", res.ID, verdictLabel(res), res.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	pass, _ := r.Count(Pass)
	fail, mandatoryFail := r.Count(Fail)
	skip, _ := r.Count(Skip)
	conclusion := "conforms: every mandatory case passed"
	if !r.Passed() {
		conclusion = fmt.Sprintf("does NOT conform: %d mandatory case(s) failed", mandatoryFail)
	}
	_, err := fmt.Fprintf(w, "\n%s (generation %d): %d cases, %d passed, %d failed, %d skipped in %s; %s\n",
		r.URL, r.Generation, len(r.Results), pass, fail, skip, r.Duration.Round(1e6), conclusion)
	for _, d := range r.Diagnosis() {
		if err == nil {
			_, err = fmt.Fprintf(w, "%s\n", d)
		}
	}
	return err
}

// Diagnosis names the one cause behind many failures, when there is one: no request got an
// answer (a wrong URL, a merchant that is down), or every signed request of the basic or the
// kit interfaces was refused with 000001 (a wrong --key or --kit-key). Cases that fail for
// their own reasons (HTTPS, the answers' overall checks) do not count against it.
func (r *Report) Diagnosis() []string {
	var failed, transport int
	var firstTransport string
	auth := map[bool][2]int{} // kit → (failed, refused with 000001)
	for _, res := range r.Results {
		if res.Verdict != Fail || res.ID == "transport.https" || strings.HasPrefix(res.ID, "resp.") {
			continue
		}
		failed++
		if strings.HasPrefix(res.Reason, "transport:") {
			transport++
			if firstTransport == "" {
				firstTransport = strings.TrimSpace(strings.TrimPrefix(res.Reason, "transport:"))
			}
		}
		kit := strings.Contains(res.ID, "kit")
		n := auth[kit]
		n[0]++
		if strings.Contains(res.Reason, "answered "+string(kgp.ResultAuthFailed)) {
			n[1]++
		}
		auth[kit] = n
	}
	var out []string
	if failed > 0 && transport == failed {
		return append(out, "hint: no request got an answer ("+firstTransport+"): is --url right, and is the merchant up?")
	}
	if n := auth[false]; n[0] >= 3 && n[1] == n[0] {
		out = append(out, "hint: every signed request was refused with 000001 (authentication failed): is --key the access key bound to the basic interfaces?")
	}
	if n := auth[true]; n[0] >= 3 && n[1] == n[0] {
		out = append(out, "hint: every signed kit request was refused with 000001 (authentication failed): is --kit-key the access key bound to the kit interfaces?")
	}
	return out
}

// JUnit XML, in the shape CI servers read (Jenkins, GitLab, GitHub test reporters).
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML. Mandatory failures are <failure> elements. A failed
// optional case is written as <skipped> with its reason, so that a CI job goes red exactly when
// `mercato check` exits non-zero, yet the reason is still shown.
func WriteJUnit(w io.Writer, r *Report) error {
	suite := junitSuite{
		Name:      fmt.Sprintf("mercato check generation %d", r.Generation),
		Tests:     len(r.Results),
		Time:      seconds(r.Duration.Seconds()),
		Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"url", r.URL},
			{"generation", fmt.Sprint(r.Generation)},
		},
	}
	for _, res := range r.Results {
		c := junitCase{
			Name:      res.ID,
			Classname: "conformance." + strings.SplitN(res.ID, ".", 2)[0],
			Time:      seconds(res.Duration.Seconds()),
			SystemOut: fmt.Sprintf("%s\nrule: %s (%s)\nmandatory: %t\n%s", res.Title, res.Rule, res.Spec, res.Mandatory, res.Reason),
		}
		switch {
		case res.Verdict == Fail && res.Mandatory:
			suite.Failures++
			c.Failure = &junitMessage{Message: res.Reason, Type: res.Rule, Text: res.Reason}
		case res.Verdict == Fail:
			suite.Skipped++
			c.Skipped = &junitMessage{Message: "optional case failed: " + res.Reason}
		case res.Verdict == Skip:
			suite.Skipped++
			c.Skipped = &junitMessage{Message: res.Reason}
		}
		suite.Cases = append(suite.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
