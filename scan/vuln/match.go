package vuln

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/enricher/vulnmatch/osvlocal"
	"github.com/google/osv-scalibr/extractor"
	dpkgmeta "github.com/google/osv-scalibr/extractor/filesystem/os/dpkg/metadata"
	"github.com/google/osv-scalibr/inventory"
	"github.com/google/osv-scalibr/plugin/config"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Vuln is one advisory affecting one installed package.
type Vuln struct {
	// ID is the advisory id (CVE-..., GHSA-..., DSA-..., DEBIAN-CVE-...).
	ID string
	// Aliases are the advisory's other ids.
	Aliases []string
	// Summary is the advisory's one-line summary.
	Summary string
	// Package, Version and Ecosystem identify the installed package.
	Package, Version, Ecosystem string
	// Location is where the package was found.
	Location string
	// Fixed lists the fixed versions the advisory gives for the package.
	Fixed string
	// Score is the highest CVSS base score among the advisory's vectors;
	// Vector is the vector it came from. Both are zero without a vector.
	Score float64
	// Vector is the CVSS vector Score was computed from.
	Vector string
	// ScoredBy names the alias or upstream record the vector came from
	// when the advisory itself has none.
	ScoredBy string
	refs     []string // aliases and upstream ids
}

// DB is an OSV database directory in the osv.dev export layout:
// DIR/<Ecosystem>/all.zip, e.g. DIR/Debian/all.zip, DIR/PyPI/all.zip.
type DB struct {
	// Dir is the directory.
	Dir string
	// TempDir holds the scratch link osv-scalibr needs ("" for the default).
	TempDir string
}

// Ecosystem returns the OSV ecosystem a package's advisories are filed
// under, without release suffix ("Debian", not "Debian:12").
func Ecosystem(p *extractor.Package) string {
	eco := string(p.Ecosystem().Ecosystem)
	if eco == "" {
		return ""
	}
	return eco
}

// Match finds the advisories affecting pkgs. Packages of ecosystems with no
// zip in the database are returned in missing (ecosystem → count), so that
// the report can say what was not checked.
func (db DB) Match(ctx context.Context, pkgs []*extractor.Package) (vulns []Vuln, missing map[string]int, err error) {
	missing = map[string]int{}
	var covered []*extractor.Package
	for _, p := range pkgs {
		eco := Ecosystem(p)
		if eco == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(db.Dir, eco, "all.zip")); err != nil {
			missing[eco]++
			continue
		}
		covered = append(covered, p)
	}
	if len(covered) == 0 {
		return nil, missing, nil
	}
	// osvlocal reads <LocalPath>/osv-scalibr/<Ecosystem>/all.zip; a link
	// lets operators keep the plain export layout.
	abs, err := filepath.Abs(db.Dir)
	if err != nil {
		return nil, missing, err
	}
	tmp, err := os.MkdirTemp(db.TempDir, "mercato-scan-osv-")
	if err != nil {
		return nil, missing, err
	}
	defer os.RemoveAll(tmp)
	if err := os.Symlink(abs, filepath.Join(tmp, "osv-scalibr")); err != nil {
		return nil, missing, err
	}
	enr, err := osvlocal.New(&config.PluginConfig{
		ProtoConfig: &cpb.PluginConfig{PluginSpecific: []*cpb.PluginSpecificConfig{{
			Config: &cpb.PluginSpecificConfig_Osvlocal{Osvlocal: &cpb.OSVLocalConfig{LocalPath: tmp, Download: false}},
		}}},
		ClientFactories: config.NewDefaultClientFactories("mercato-scan"),
	})
	if err != nil {
		return nil, missing, err
	}
	inv := &inventory.Inventory{Packages: covered}
	if err := enr.Enrich(ctx, nil, inv); err != nil {
		return nil, missing, fmt.Errorf("osv match: %w", err)
	}
	for _, pv := range inv.PackageVulns {
		v := pv.Vulnerability
		if v == nil || pv.Package == nil {
			continue
		}
		out := Vuln{
			ID: v.GetId(), Aliases: v.GetAliases(), Summary: v.GetSummary(),
			Package: pv.Package.Name, Version: pv.Package.Version, Ecosystem: Ecosystem(pv.Package),
			Fixed: fixed(v, pv.Package),
		}
		out.Location = pv.Package.Location.PathOrEmpty()
		out.Score, out.Vector = Score(v)
		out.refs = append(append([]string{}, v.GetAliases()...), v.GetUpstream()...)
		vulns = append(vulns, out)
	}
	if err := db.scoreFromAliases(vulns); err != nil {
		return nil, missing, err
	}
	sort.Slice(vulns, func(i, j int) bool {
		if vulns[i].Package != vulns[j].Package {
			return vulns[i].Package < vulns[j].Package
		}
		return vulns[i].ID < vulns[j].ID
	})
	return vulns, missing, nil
}

// fixed collects the "fixed" events of the advisory's entries for pkg.
func fixed(v *osvpb.Vulnerability, p *extractor.Package) string {
	names := map[string]bool{p.Name: true}
	if m, ok := p.Metadata.(*dpkgmeta.Metadata); ok && m.SourceName != "" {
		names[m.SourceName] = true
	}
	eco := Ecosystem(p)
	var out []string
	seen := map[string]bool{}
	for _, a := range v.GetAffected() {
		pkgEco, _, _ := strings.Cut(a.GetPackage().GetEcosystem(), ":")
		if !names[a.GetPackage().GetName()] || !strings.EqualFold(pkgEco, eco) {
			continue
		}
		for _, r := range a.GetRanges() {
			for _, e := range r.GetEvents() {
				if f := e.GetFixed(); f != "" && !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	return strings.Join(out, ", ")
}

// ErrNoDB is returned by CheckDB for a directory without any all.zip.
var ErrNoDB = errors.New("no <Ecosystem>/all.zip in the OSV database directory")

// CheckDB lists the ecosystems present in dir.
func CheckDB(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ecos []string
	for _, e := range ents {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "all.zip")); err == nil {
			ecos = append(ecos, e.Name())
		}
	}
	if len(ecos) == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoDB)
	}
	return ecos, nil
}
