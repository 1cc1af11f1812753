package vuln

import (
	"strings"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Score returns the highest CVSS base score computed from the advisory's
// vectors (top-level and per affected package) and the vector it came from.
// Severity words ("HIGH", Ubuntu priorities) are ignored: the rule is about
// a CVSS score, and a word cannot be turned into one.
func Score(v *osvpb.Vulnerability) (float64, string) {
	sev := append([]*osvpb.Severity{}, v.GetSeverity()...)
	for _, a := range v.GetAffected() {
		sev = append(sev, a.GetSeverity()...)
	}
	best, vec := 0.0, ""
	for _, s := range sev {
		score, ok := VectorScore(s.GetScore())
		if ok && (score > best || vec == "") {
			best, vec = score, s.GetScore()
		}
	}
	return best, vec
}

// VectorScore computes the base score of a CVSS v2, v3.0, v3.1 or v4.0
// vector; ok is false for anything that does not parse.
func VectorScore(vector string) (score float64, ok bool) {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		c, err := gocvss40.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.Score(), true
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case strings.HasPrefix(vector, "AV:"):
		c, err := gocvss20.ParseVector(strings.TrimPrefix(vector, "CVSS:2.0/"))
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	}
	return 0, false
}
