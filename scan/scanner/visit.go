package scanner

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/report"
	"github.com/mercato-oss/mercato/scan/secret"
)

// visit runs the per-file checks on one file.
func (s *scan) visit(ctx context.Context, f *archive.File) error {
	s.arch.observe(f)
	if f.Depth == 0 && (f.Path == "etc/os-release" || (f.Path == "usr/lib/os-release" && s.rep.Input.OS == "")) {
		s.osRelease(f)
	}
	if s.clam != nil {
		if err := s.clam.submit(ctx, f); err != nil {
			return err
		}
	}
	// Name checks use the member's own path inside a nested archive.
	inner := f.Path
	if i := strings.LastIndex(inner, "!/"); i >= 0 {
		inner = inner[i+2:]
	}
	var keys []secret.Hit
	if f.Data != nil {
		keys = secret.ScanPrivateKeysBytes(f.Data)
	} else {
		if s.scratch == nil {
			s.scratch = make([]byte, secret.ScratchSize)
		}
		keys = secret.ScanPrivateKeys(f.R, f.Size, s.scratch)
	}
	binary := len(keys) > 0 && isBinary(f)
	for _, h := range keys {
		if binary {
			// Libraries compile in self-test keys (GnuTLS carries six, so
			// every Debian image would fail): noted, not blocking.
			s.rep.Add(report.Finding{Rule: report.RulePrivateKey, Severity: report.SeverityInfo,
				Path: f.Path, Evidence: h.Evidence + " inside an executable" + origin(f),
				Detail: "key material compiled into a program or library (often a self-test key); not a login credential, review if the program is the merchant's own"})
			continue
		}
		s.rep.Add(report.Finding{Rule: report.RulePrivateKey, Severity: report.SeverityHigh, Blocking: true,
			Path: f.Path, Evidence: h.Evidence + origin(f),
			Detail: "remove private keys from the image; generate keys on first boot (SSH host keys) or deliver them at deploy time"})
	}
	small := func() []byte {
		b := make([]byte, min(f.Size, 4<<20))
		n, _ := f.R.ReadAt(b, 0)
		return b[:n]
	}
	if secret.IsAuthorizedKeys(inner) {
		for _, h := range secret.ScanAuthorizedKeys(small()) {
			s.rep.Add(report.Finding{Rule: report.RuleAuthorizedKeys, Severity: report.SeverityHigh, Blocking: true,
				Path: f.Path, Evidence: fmt.Sprintf("line %d: %s%s", h.Line, h.Evidence, origin(f)),
				Detail: "no login keys may be preset; let cloud-init install the buyer's key at first boot"})
		}
	}
	if secret.IsHistory(inner) || secret.IsCloudInit(inner) {
		for _, h := range secret.ScanPasswords(inner, small()) {
			s.rep.Add(report.Finding{Rule: report.RulePasswordInFile, Severity: report.SeverityHigh, Blocking: true,
				Path: f.Path, Evidence: fmt.Sprintf("line %d: %s%s", h.Line, h.Evidence, origin(f)),
				Detail: "remove the file (clear shell histories and cloud-init data before capturing the image) and change the password"})
		}
	}
	return nil
}

// isBinary reports whether f is an ELF, PE or Mach-O executable or library.
func isBinary(f *archive.File) bool {
	var h [4]byte
	if n, _ := f.R.ReadAt(h[:], 0); n < 4 {
		return false
	}
	return bytes.Equal(h[:], []byte("\x7fELF")) || bytes.Equal(h[:2], []byte("MZ")) ||
		bytes.Equal(h[:], []byte{0xcf, 0xfa, 0xed, 0xfe}) || bytes.Equal(h[:], []byte{0xfe, 0xed, 0xfa, 0xcf}) ||
		bytes.Equal(h[:], []byte{0xca, 0xfe, 0xba, 0xbe})
}

func origin(f *archive.File) string {
	if f.Origin == "" {
		return ""
	}
	return " [" + f.Origin + "]"
}

func (s *scan) osRelease(f *archive.File) {
	b := make([]byte, min(f.Size, 64<<10))
	n, _ := f.R.ReadAt(b, 0)
	for line := range strings.SplitSeq(string(b[:n]), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			s.rep.Input.OS = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
}

// archCounter tallies ELF machine types; the most common one names the
// image's architecture (a few foreign binaries, e.g. firmware, do not).
type archCounter struct {
	counts map[string]int
}

var elfMachines = map[uint16]string{
	3: "386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390x", 40: "arm", 62: "amd64", 183: "arm64", 243: "riscv64", 258: "loong64",
}

func (a *archCounter) observe(f *archive.File) {
	if f.Depth > 0 || f.Size < 20 {
		return
	}
	var h [20]byte
	if n, _ := f.R.ReadAt(h[:], 0); n < 20 || !bytes.Equal(h[:4], []byte("\x7fELF")) {
		return
	}
	var m uint16
	if h[5] == 2 {
		m = binary.BigEndian.Uint16(h[18:])
	} else {
		m = binary.LittleEndian.Uint16(h[18:])
	}
	name, ok := elfMachines[m]
	if !ok {
		name = fmt.Sprintf("elf-machine-%d", m)
	}
	if a.counts == nil {
		a.counts = map[string]int{}
	}
	a.counts[name]++
}

func (a *archCounter) best() string {
	best, n := "", 0
	for k, v := range a.counts {
		if v > n || (v == n && k < best) {
			best, n = k, v
		}
	}
	return best
}
