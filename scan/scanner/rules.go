package scanner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/diskimg"
	"github.com/mercato-oss/mercato/scan/policy"
	"github.com/mercato-oss/mercato/scan/report"
	"github.com/mercato-oss/mercato/scan/shadow"
	"github.com/mercato-oss/mercato/scan/vuln"
)

// treeRules apply to the merged filesystem after the walk.
func (s *scan) treeRules(ctx context.Context) {
	if s.cfg.Clamd != nil && s.checks[report.RuleMalware].Status == "" {
		s.check(report.RuleMalware, report.CheckRan, "")
	} else if s.cfg.Clamd == nil {
		s.check(report.RuleMalware, report.CheckSkipped, "no --clamd given")
	}
	for _, r := range []string{report.RuleAuthorizedKeys, report.RulePrivateKey, report.RulePasswordInFile} {
		s.check(r, report.CheckRan, "")
	}
	s.rep.Input.Arch = s.archName()
	s.accounts(ctx)
	if s.rep.Input.Kind == KindImage {
		s.passwordPolicy()
	} else {
		s.check(report.RulePasswordPolicy, report.CheckSkipped, "applies to VM and rootfs images only")
	}
	s.vulnerabilities(ctx)
}

func (s *scan) archName() string {
	if s.image != nil && s.image.Arch != "" {
		return s.image.Arch
	}
	if a := s.arch.best(); a != "" {
		return a
	}
	return "unknown"
}

// accounts applies preset-password and weak-password to passwd/shadow.
func (s *scan) accounts(ctx context.Context) {
	pw, perr := fs.ReadFile(s.tree, "etc/passwd")
	sh, serr := fs.ReadFile(s.tree, "etc/shadow")
	if perr != nil && serr != nil {
		s.check(report.RulePresetPassword, report.CheckRan, "no etc/passwd or etc/shadow")
		s.check(report.RuleWeakPassword, report.CheckRan, "no etc/passwd or etc/shadow")
		return
	}
	s.check(report.RulePresetPassword, report.CheckRan, "")
	s.check(report.RuleWeakPassword, report.CheckRan, "")
	accts := shadow.Parse(pw, sh)
	s.rep.Stats.Accounts = len(accts)
	for _, a := range accts {
		file := "etc/shadow"
		if a.InPasswd {
			file = "etc/passwd"
		}
		st := a.PasswordState()
		if st == shadow.Locked {
			continue
		}
		if a.LoginCapable() {
			ev := fmt.Sprintf("line %d: account %q (shell %s) has a %s password hash", a.Line, a.Name, orNone(a.Shell), schemeName(a.Hash))
			if st == shadow.Empty {
				ev = fmt.Sprintf("line %d: account %q (shell %s) has an empty password field", a.Line, a.Name, orNone(a.Shell))
			}
			s.rep.Add(report.Finding{Rule: report.RulePresetPassword, Severity: report.SeverityHigh, Blocking: true, Path: file,
				Evidence: ev, Detail: "no OS account may have a preset password; lock it (passwd -l / usermod -p '!') and let the buyer set one at first boot"})
		}
		if st != shadow.Set {
			continue
		}
		pass, ok, err := shadow.Crack(ctx, a.Hash, shadow.Candidates(a.Name, s.cfg.Words))
		switch {
		case errors.Is(err, shadow.ErrUnsupported):
			s.rep.Add(report.Finding{Rule: report.RuleUncheckedHash, Severity: report.SeverityInfo, Path: file,
				Evidence: fmt.Sprintf("line %d: account %q uses a %s hash", a.Line, a.Name, schemeName(a.Hash)),
				Detail:   "the weak-password check supports yescrypt, sha512crypt, sha256crypt, bcrypt and md5crypt"})
		case err != nil:
			s.fail(fmt.Errorf("weak-password %s: %w", a.Name, err))
		case ctx.Err() != nil:
			s.fail(fmt.Errorf("weak-password check stopped: %w", context.Cause(ctx)))
			return
		case ok:
			s.rep.Add(report.Finding{Rule: report.RuleWeakPassword, Severity: report.SeverityCritical, Blocking: true, Path: file,
				Evidence: fmt.Sprintf("line %d: account %q: %s hash cracked, password %s", a.Line, a.Name, schemeName(a.Hash), maskWord(pass)),
				Detail:   "the password is in the weak-password dictionary or derived from the account name; lock the account or set a strong password"})
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none: not in etc/passwd"
	}
	return s
}

func schemeName(h string) string {
	if s := shadow.Scheme(h); s != "" {
		return s
	}
	if i := strings.Index(h[min(1, len(h)):], "$"); strings.HasPrefix(h, "$") && i > 0 {
		return "$" + h[1:i+1] + "$"
	}
	return "DES or unknown"
}

// maskWord shows a cracked dictionary word by its ends only: enough for the
// merchant to recognise it, not a copy of the password in every report.
func maskWord(w string) string {
	r := []rune(w)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r)) + fmt.Sprintf(" (%d chars)", len(r))
	}
	return fmt.Sprintf("%c%s%c (%d chars)", r[0], strings.Repeat("*", len(r)-2), r[len(r)-1], len(r))
}

func (s *scan) passwordPolicy() {
	if _, err := fs.Stat(s.tree, "etc/passwd"); err != nil {
		s.check(report.RulePasswordPolicy, report.CheckSkipped, "no etc/passwd: not an OS image")
		return
	}
	s.check(report.RulePasswordPolicy, report.CheckRan, "")
	for _, p := range policy.Evaluate(s.tree) {
		s.rep.Add(report.Finding{Rule: report.RulePasswordPolicy, Severity: report.SeverityMedium, Blocking: true,
			Path: p.Path, Evidence: p.Evidence, Detail: p.Detail + " (§6.1: at least 8 characters, 2 of 4 character classes, different from the account name)"})
	}
}

func (s *scan) vulnerabilities(ctx context.Context) {
	s.cfg.Phase("inventorying packages")
	pkgs, err := s.inv.Packages(ctx, s.tree, s.dir)
	s.rep.Stats.Packages = len(pkgs)
	if err != nil {
		s.check(report.RuleVulnerability, report.CheckFailed, err.Error())
		s.fail(err)
		return
	}
	if s.cfg.OSVDir == "" {
		s.check(report.RuleVulnerability, report.CheckSkipped, fmt.Sprintf("no --osv-db given (%d packages inventoried)", len(pkgs)))
		return
	}
	s.cfg.Phase("matching vulnerabilities")
	vulns, missing, err := vuln.DB{Dir: s.cfg.OSVDir, TempDir: s.cfg.TempDir}.Match(ctx, pkgs)
	if err != nil {
		s.check(report.RuleVulnerability, report.CheckFailed, err.Error())
		s.fail(err)
		return
	}
	detail := fmt.Sprintf("packages matched: %d", len(pkgs))
	if len(missing) > 0 {
		var ms []string
		for eco, n := range missing {
			ms = append(ms, fmt.Sprintf("%s (%d packages)", eco, n))
		}
		sort.Strings(ms)
		detail += "; no database for " + strings.Join(ms, ", ")
		s.warn("vulnerabilities not checked for ecosystems without an OSV database: " + strings.Join(ms, ", "))
	}
	s.check(report.RuleVulnerability, report.CheckRan, detail)
	for _, v := range vulns {
		f := report.Finding{Rule: report.RuleVulnerability, Path: v.Location, ID: v.ID, Package: v.Package,
			Version: v.Version, Fixed: v.Fixed, Score: v.Score, Vector: v.Vector, ScoredBy: v.ScoredBy}
		f.Evidence = fmt.Sprintf("%s %s (%s) is affected by %s", v.Package, v.Version, v.Ecosystem, v.ID)
		if len(v.Aliases) > 0 {
			f.Evidence += " (" + strings.Join(v.Aliases, ", ") + ")"
		}
		if v.Summary != "" {
			f.Evidence += ": " + v.Summary
		}
		fix := "upgrade the package"
		if v.Fixed != "" {
			fix = "upgrade to " + v.Fixed
		}
		switch {
		case v.Vector == "":
			f.Rule, f.Severity = report.RuleUnscoredVulnerability, report.SeverityInfo
			f.Detail = "the advisory has no CVSS vector, so it cannot be held against the CVSS ≥ 7.0 rule; review it: " + fix
		case v.Score >= s.cfg.CVSSThreshold:
			f.Blocking = true
			f.Severity = report.SeverityHigh
			if v.Score >= 9 {
				f.Severity = report.SeverityCritical
			}
			f.Detail = fmt.Sprintf("CVSS %.1f ≥ %.1f must be fixed before release: %s", v.Score, s.cfg.CVSSThreshold, fix)
			if v.ScoredBy != "" {
				f.Detail = fmt.Sprintf("CVSS %.1f (vector of %s) ≥ %.1f must be fixed before release: %s", v.Score, v.ScoredBy, s.cfg.CVSSThreshold, fix)
			}
		default:
			f.Severity = report.SeverityLow
			if v.Score >= 4 {
				f.Severity = report.SeverityMedium
			}
			f.Detail = fmt.Sprintf("CVSS %.1f is below %.1f: not blocking; %s", v.Score, s.cfg.CVSSThreshold, fix)
		}
		s.rep.Add(f)
	}
}

// tooBig decides before any reading whether the input is over its size
// limit (or, for a disk, would expand past the expansion limit): then its
// content is not read at all. Reading 128 GB to confirm what the size
// already decides would only hold up the review queue.
func (s *scan) tooBig(format string, head []byte) bool {
	kind := s.cfg.Kind
	if kind == "" {
		switch format {
		case diskimg.FormatQCOW2, diskimg.FormatVMDK, diskimg.FormatRaw:
			kind = KindImage
		case "docker-archive", "oci-archive":
			kind = KindPackage
		}
		// A tar or zip is judged by the larger limit until its content
		// shows whether it is an OS tree or a package.
	}
	if kind == KindPackage && s.size > s.cfg.MaxPackageSize || s.size > s.cfg.MaxImageSize {
		if s.rep.Input.Kind == "" {
			s.rep.Input.Kind = kindOr(kind)
		}
		s.fail(errors.New("input over the size limit: content not scanned"))
		return true
	}
	if vs, err := diskimg.VirtualSize(format, head, s.size); err == nil && vs > s.maxExpand() {
		s.rep.Add(report.Finding{Rule: report.RuleUnscannable, Severity: report.SeverityHigh, Blocking: true,
			Evidence: fmt.Sprintf("virtual disk size %d bytes exceeds the expansion limit %d", vs, s.maxExpand()),
			Detail:   "the disk would expand beyond what the scanner may write; shrink the virtual disk (or raise --max-expand)"})
		s.fail(errors.New("disk image over the expansion limit: content not scanned"))
		return true
	}
	return false
}

func kindOr(k string) string {
	if k == "" {
		return KindImage
	}
	return k
}

// maxExpand is the byte budget a disk image may expand to.
func (s *scan) maxExpand() int64 {
	if s.cfg.Limits.MaxBytes > 0 {
		return s.cfg.Limits.MaxBytes
	}
	return archive.DefaultLimits().MaxBytes
}

// inputRules apply to the input as a whole: size, name, architecture.
func (s *scan) inputRules() {
	limit := s.cfg.MaxImageSize
	if s.rep.Input.Kind == KindPackage {
		limit = s.cfg.MaxPackageSize
	}
	s.check(report.RuleSizeLimit, report.CheckRan, "")
	if s.size > limit {
		s.rep.Add(report.Finding{Rule: report.RuleSizeLimit, Severity: report.SeverityHigh, Blocking: true,
			Evidence: fmt.Sprintf("%d bytes > %d bytes (%s limit)", s.size, limit, s.rep.Input.Kind),
			Detail:   fmt.Sprintf("images may be at most %s and software packages at most %s (§6.1)", gb(s.cfg.MaxImageSize), gb(s.cfg.MaxPackageSize))})
	}
	name := s.cfg.Name
	if name == "" {
		name = packageBase(filepath.Base(s.path))
	}
	s.rep.Input.Name = name
	if s.rep.Input.Kind == KindPackage {
		s.check(report.RulePackageName, report.CheckRan, "")
		if !packageName.MatchString(name) {
			s.rep.Add(report.Finding{Rule: report.RulePackageName, Severity: report.SeverityMedium, Blocking: true,
				Evidence: fmt.Sprintf("package name %q", name),
				Detail:   "package names may contain only letters, digits, '_', '-', '(' and ')' (§6.1, app assets)"})
		}
	} else {
		s.check(report.RulePackageName, report.CheckSkipped, "applies to software packages only")
	}
	s.archRegion()
}

var packageName = regexp.MustCompile(`^[A-Za-z0-9_\-()]+$`)

// packageBase strips the archive extensions the rule's name excludes.
func packageBase(b string) string {
	for _, ext := range []string{".tar.gz", ".tar.bz2", ".tar.zst", ".tgz", ".tar", ".zip"} {
		if strings.HasSuffix(strings.ToLower(b), ext) {
			return b[:len(b)-len(ext)]
		}
	}
	return b
}

// archRegion: a Kunpeng (arm64) image may only go to Kunpeng regions.
func (s *scan) archRegion() {
	if len(s.cfg.Regions) == 0 {
		s.check(report.RuleArchRegion, report.CheckSkipped, "no --arch-regions given")
		return
	}
	s.check(report.RuleArchRegion, report.CheckRan, "")
	if s.rep.Input.Arch != "arm64" {
		return
	}
	var bad []string
	for _, r := range s.cfg.Regions {
		if !slices.Contains(s.cfg.KunpengRegions, r) {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		s.rep.Add(report.Finding{Rule: report.RuleArchRegion, Severity: report.SeverityMedium, Blocking: true,
			Evidence: fmt.Sprintf("arm64 (Kunpeng) image targeted at %s", strings.Join(bad, ", ")),
			Detail:   fmt.Sprintf("Kunpeng images are published only in %s (§6.2, §6.3)", strings.Join(s.cfg.KunpengRegions, ", "))})
	}
}

func gb(n int64) string {
	if n%(1<<30) == 0 {
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return fmt.Sprintf("%d bytes", n)
}
