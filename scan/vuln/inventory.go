// Package vuln inventories OS and language packages with osv-scalibr and
// matches them offline against OSV databases in the osv.dev export layout,
// scoring each advisory from its CVSS vectors.
package vuln

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"sort"

	scalibr "github.com/google/osv-scalibr"
	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gobinary"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargoauditable"
	fslist "github.com/google/osv-scalibr/extractor/filesystem/list"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/google/osv-scalibr/plugin"
	"github.com/google/osv-scalibr/plugin/config"
)

// Inventory holds the extractors for installed packages: OS package
// databases (dpkg, rpm, apk, ...) and the artifacts of language ecosystems
// (jars, wheels and site-packages, node_modules, Go and Rust binaries, .NET,
// Ruby gems). Lockfiles and other source-only manifests are left out: an
// image is judged on what is installed, not on what a repo would build.
type Inventory struct {
	extractors []filesystem.Extractor
}

// capabilities of the scan: offline, files reachable by path, not the live
// host (so no plugin reads /proc or the host's package manager).
func capabilities() *plugin.Capabilities {
	return &plugin.Capabilities{OS: plugin.OSLinux, Network: plugin.NetworkOffline, DirectFS: true, RunningSystem: false}
}

// NewInventory builds the extractor set.
func NewInventory() (*Inventory, error) {
	cfg := &config.PluginConfig{ProtoConfig: &cpb.PluginConfig{}, ClientFactories: config.NewDefaultClientFactories("mercato-scan")}
	var pls []plugin.Plugin
	for _, m := range []fslist.InitMap{fslist.OS, fslist.JavaArtifact, fslist.JavascriptArtifact, fslist.PythonArtifact,
		fslist.GoArtifact, fslist.DotnetArtifact, fslist.RustArtifact, fslist.RubyArtifact} {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names) // plugin order decides result order; keep reports stable
		for _, n := range names {
			for _, initFn := range m[n] {
				ex, err := initFn(cfg)
				if err != nil {
					return nil, fmt.Errorf("extractor %s: %w", n, err)
				}
				pls = append(pls, ex)
			}
		}
	}
	inv := &Inventory{}
	for _, p := range plugin.FilterByCapabilities(pls, capabilities()) {
		if ex, ok := p.(filesystem.Extractor); ok {
			inv.extractors = append(inv.extractors, ex)
		}
	}
	return inv, nil
}

// fileAPI presents an archive member to FileRequired.
type fileAPI struct {
	path string
	info fs.FileInfo
}

func (f fileAPI) Path() string               { return f.path }
func (f fileAPI) Stat() (fs.FileInfo, error) { return f.info, nil }

// Wants reports whether any extractor reads the file at p, so that archive
// inputs stage only those files instead of unpacking everything. With the
// content at hand (data not nil), an executable is wanted only when it can
// yield packages: a Go binary with build info, or a Rust binary built with
// cargo-auditable. Every ELF in a rootfs is "interesting" by name and mode,
// and copying them all would double the I/O of a scan.
func (inv *Inventory) Wants(p string, info fs.FileInfo, data []byte) bool {
	api := fileAPI{p, info}
	for _, ex := range inv.extractors {
		if !ex.FileRequired(api) {
			continue
		}
		if data != nil && binaryExtractors[ex.Name()] && isExecutable(data) &&
			!bytes.Contains(data, goBuildInfo) && !bytes.Contains(data, rustAudit) {
			continue
		}
		return true
	}
	return false
}

// binaryExtractors read packages out of executables.
var binaryExtractors = map[string]bool{gobinary.Name: true, cargoauditable.Name: true}

var (
	goBuildInfo = []byte("\xff Go buildinf:")
	rustAudit   = []byte(".dep-v0")
)

func isExecutable(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\x7fELF")) || bytes.HasPrefix(b, []byte("MZ")) ||
		bytes.HasPrefix(b, []byte{0xcf, 0xfa, 0xed, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xed, 0xfa, 0xcf})
}

// Packages lists the packages installed in the tree at dir (read through
// fsys, which must be rooted at dir).
func (inv *Inventory) Packages(ctx context.Context, fsys fs.FS, dir string) ([]*extractor.Package, error) {
	sfs, ok := fsys.(scalibrfs.FS)
	if !ok {
		return nil, fmt.Errorf("filesystem %T lacks ReadDir and Stat", fsys)
	}
	pls := make([]plugin.Plugin, len(inv.extractors))
	for i, ex := range inv.extractors {
		pls[i] = ex
	}
	cfg := &scalibr.ScanConfig{
		Plugins:         pls,
		Capabilities:    capabilities(),
		ScanRoots:       []*scalibrfs.ScanRoot{{FS: sfs, Path: dir}},
		ExplicitPlugins: true,
	}
	res := scalibr.New().Scan(ctx, cfg)
	if res.Status != nil && res.Status.Status == plugin.ScanStatusFailed {
		return res.Inventory.Packages, fmt.Errorf("package inventory: %s", res.Status.FailureReason)
	}
	return res.Inventory.Packages, nil
}
