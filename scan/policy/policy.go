package policy

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Problem is one way the image fails the password complexity rule.
type Problem struct {
	// Path is the file that sets (or should set) the policy.
	Path string
	// Evidence is the line or value seen.
	Evidence string
	// Detail says what the rule needs.
	Detail string
}

// Quality is the effective password-quality setting of one PAM module.
type Quality struct {
	// Module is pam_pwquality or pam_cracklib.
	Module string
	// Source is the PAM file and line that loads it.
	Source string
	// MinLen is the shortest password the module accepts, credits counted.
	MinLen int
	// MinClasses is how many character classes it requires.
	MinClasses int
	// UserCheck is true when it rejects passwords containing the user name.
	UserCheck bool
	// Enforcing is false when the module only warns.
	Enforcing bool
}

// Rule values from §6.1.
const (
	wantLen     = 8
	wantClasses = 2
)

// passwordStacks are the PAM services consulted when a password changes,
// in the order they are looked for.
var passwordStacks = []string{"passwd", "common-password", "system-auth", "password-auth"}

// Evaluate reads the policy files from fsys (an image's root) and lists the
// problems; none means the rule is enforced.
func Evaluate(fsys fs.FS) []Problem {
	var probs []Problem
	defs, _ := fs.ReadFile(fsys, "etc/login.defs")
	if v, ok := ParseKeyValues(defs)["PASS_MIN_LEN"]; ok {
		if n, err := strconv.Atoi(v); err != nil || n < wantLen {
			probs = append(probs, Problem{"etc/login.defs", "PASS_MIN_LEN " + v,
				fmt.Sprintf("PASS_MIN_LEN must be at least %d", wantLen)})
		}
	}
	q, src, err := FindQuality(fsys)
	if err != nil {
		return append(probs, Problem{src, err.Error(),
			"the PAM password stack must run pam_pwquality (or pam_cracklib) requiring length ≥ 8, ≥ 2 character classes and rejecting the user name"})
	}
	if !q.Enforcing {
		probs = append(probs, Problem{q.Source, q.Module + " enforcing=0",
			"the quality module only warns; set enforcing=1"})
	}
	if q.MinLen < wantLen {
		probs = append(probs, Problem{q.Source, fmt.Sprintf("%s accepts %d-character passwords", q.Module, q.MinLen),
			"set minlen=8 (and credits ≤ 0) so that no password shorter than 8 characters is accepted"})
	}
	if q.MinClasses < wantClasses {
		probs = append(probs, Problem{q.Source, fmt.Sprintf("%s requires %d character classes", q.Module, q.MinClasses),
			"set minclass=2 (or two of dcredit/ucredit/lcredit/ocredit to -1)"})
	}
	if !q.UserCheck {
		probs = append(probs, Problem{q.Source, q.Module + " does not reject the user name",
			"pam_pwquality: usercheck=1 (the default); pam_cracklib: add reject_username"})
	}
	return probs
}

// FindQuality follows the password stack and returns the first quality
// module's effective settings. src names the file blamed on error.
func FindQuality(fsys fs.FS) (q Quality, src string, err error) {
	stack := ""
	for _, s := range passwordStacks {
		if _, err := fs.Stat(fsys, path.Join("etc/pam.d", s)); err == nil {
			stack = s
			break
		}
	}
	if stack == "" {
		return q, "etc/pam.d", fmt.Errorf("no PAM password stack (etc/pam.d/%s)", strings.Join(passwordStacks, ", etc/pam.d/"))
	}
	src = path.Join("etc/pam.d", stack)
	lines := passwordLines(fsys, stack, 0)
	for _, l := range lines {
		mod := strings.TrimSuffix(path.Base(l.line.Module), ".so")
		if mod != "pam_pwquality" && mod != "pam_cracklib" {
			continue
		}
		src := fmt.Sprintf("%s:%d", l.file, l.line.Line)
		return quality(fsys, mod, src, Args(l.line.Args)), src, nil
	}
	if len(lines) > 0 {
		// Blame the file that holds the password rules (an included
		// common-password), where the module must be added.
		src = lines[0].file
	}
	return q, src, fmt.Errorf("no pam_pwquality or pam_cracklib in the password stack of %s", path.Join("etc/pam.d", stack))
}

type located struct {
	file string
	line PAMLine
}

// passwordLines expands includes (bounded depth: include loops exist in
// broken images).
func passwordLines(fsys fs.FS, service string, depth int) []located {
	if depth > 8 || strings.Contains(service, "..") {
		return nil
	}
	file := path.Join("etc/pam.d", path.Base(service))
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil
	}
	var out []located
	for _, l := range ParsePAM(data) {
		if l.Control == "include" || l.Control == "substack" {
			if l.Type == "" || l.Type == "password" {
				out = append(out, passwordLines(fsys, l.Module, depth+1)...)
			}
			continue
		}
		if l.Type == "password" {
			out = append(out, located{file, l})
		}
	}
	return out
}

// quality merges defaults, pwquality.conf (pam_pwquality only) and the
// module arguments, in that order of precedence (last wins).
func quality(fsys fs.FS, mod, src string, args map[string]string) Quality {
	set := map[string]string{}
	if mod == "pam_cracklib" {
		// pam_cracklib(8) defaults; it ignores pwquality.conf.
		maps.Copy(set, map[string]string{"minlen": "9", "dcredit": "1", "ucredit": "1", "lcredit": "1", "ocredit": "1", "minclass": "0"})
		if _, ok := args["reject_username"]; ok {
			set["usercheck"] = "1"
		} else {
			set["usercheck"] = "0"
		}
	} else {
		// pwquality.conf(5) defaults.
		maps.Copy(set, map[string]string{"minlen": "8", "dcredit": "0", "ucredit": "0", "lcredit": "0", "ocredit": "0", "minclass": "0", "usercheck": "1", "enforcing": "1"})
		conf, _ := fs.ReadFile(fsys, "etc/security/pwquality.conf")
		maps.Copy(set, ParseKeyValues(conf))
		if ents, err := fs.ReadDir(fsys, "etc/security/pwquality.conf.d"); err == nil {
			names := []string{}
			for _, e := range ents {
				if strings.HasSuffix(e.Name(), ".conf") {
					names = append(names, e.Name())
				}
			}
			slices.Sort(names)
			for _, n := range names {
				d, _ := fs.ReadFile(fsys, "etc/security/pwquality.conf.d/"+n)
				maps.Copy(set, ParseKeyValues(d))
			}
		}
	}
	for k, v := range args {
		if k == "enforce_for_root" || k == "reject_username" {
			continue
		}
		set[k] = v
	}
	num := func(k string) int {
		n, _ := strconv.Atoi(set[k])
		return n
	}
	minlen := num("minlen")
	if mod == "pam_pwquality" && minlen < 6 {
		minlen = 6 // libpwquality refuses lower values and uses 6
	}
	credit, required := 0, 0
	for _, k := range []string{"dcredit", "ucredit", "lcredit", "ocredit"} {
		if c := num(k); c > 0 {
			credit += c
		} else if c < 0 {
			required++
		}
	}
	// Each character earns at most one credit, so a password of length L
	// scores at most L + min(L, credit).
	eff := max(minlen-credit, (minlen+1)/2)
	return Quality{
		Module:     mod,
		Source:     src,
		MinLen:     eff,
		MinClasses: max(num("minclass"), required),
		UserCheck:  num("usercheck") != 0,
		Enforcing:  set["enforcing"] == "" || num("enforcing") != 0,
	}
}
