// Package policy decides whether an image enforces the §6.1 password
// complexity rule (length ≥ 8, at least 2 of 4 character classes, different
// from the account name) through PAM (pam_pwquality or pam_cracklib) and
// login.defs.
package policy

import (
	"bufio"
	"bytes"
	"strings"
)

// ParseKeyValues reads login.defs ("KEY VALUE") or pwquality.conf ("key =
// value") style files. Later keys win, as in the programs that read them.
func ParseKeyValues(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		var k, v string
		if i := strings.IndexByte(line, '='); i >= 0 {
			k, v = line[:i], line[i+1:]
		} else if i := strings.IndexAny(line, " \t"); i >= 0 {
			k, v = line[:i], line[i+1:]
		} else {
			k = line
		}
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		out[k] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out
}

// PAMLine is one rule of a PAM service file.
type PAMLine struct {
	// Type is auth, account, password or session ("" for @include).
	Type string
	// Control is required, requisite, sufficient, optional, include,
	// substack, or a bracketed [value=action ...] list.
	Control string
	// Module is the module path or name (pam_pwquality.so), or the included
	// service for include, substack and @include.
	Module string
	// Args are the module arguments.
	Args []string
	// Line is the 1-based line number.
	Line int
	// Optional is true for "-type" lines, which are skipped silently when
	// the module is missing.
	Optional bool
}

// ParsePAM reads a PAM service file. Bracketed controls may contain
// spaces; backslash-newline continues a line.
func ParsePAM(data []byte) []PAMLine {
	var out []PAMLine
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	for n, raw := range strings.Split(text, "\n") {
		line := raw
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := pamFields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] == "@include" {
			if len(f) > 1 {
				out = append(out, PAMLine{Control: "include", Module: f[1], Line: n + 1})
			}
			continue
		}
		if len(f) < 3 {
			continue
		}
		l := PAMLine{Type: strings.ToLower(f[0]), Control: f[1], Module: f[2], Args: f[3:], Line: n + 1}
		if strings.HasPrefix(l.Type, "-") {
			l.Type, l.Optional = l.Type[1:], true
		}
		out = append(out, l)
	}
	return out
}

// pamFields splits on blanks but keeps [ ... ] together.
func pamFields(s string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '[':
			depth++
			cur.WriteRune(r)
		case r == ']' && depth > 0:
			depth--
			cur.WriteRune(r)
		case (r == ' ' || r == '\t' || r == '\r') && depth == 0:
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// Args turns module arguments into a map; a bare flag maps to "".
func Args(args []string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		out[k] = v
	}
	return out
}
