package assets

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// The limits of rules §6.1–§6.3 checked when an asset is created and when its content arrives,
// so that an upload that can only fail its scan is refused before a byte is sent. The scanner
// checks them again on the content itself (mercato-scan's size-limit, package-name and
// arch-region rules).

var (
	packageName = regexp.MustCompile(`^[A-Za-z0-9_\-()]+$`)
	imageName   = regexp.MustCompile(`^[A-Za-z0-9_\-().]+$`)
	labelRule   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+\-]{0,63}$`)
	regionRule  = regexp.MustCompile(`^[a-z0-9][a-z0-9\-]{0,63}$`)
)

// Extensions each kind accepts, longest first so that .tar.gz wins over .gz.
var (
	packageExts = []string{".tar.gz", ".zip", ".tar"}
	imageExts   = []string{".tar.gz", ".qcow2", ".vmdk", ".raw", ".img", ".tar"}
)

// splitExt returns a file name's stem and the extension of exts it ends with ("" when none).
func splitExt(name string, exts []string) (string, string) {
	lower := strings.ToLower(name)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) && len(name) > len(e) {
			return name[:len(name)-len(e)], e
		}
	}
	return name, ""
}

// checkAsset adds the rules a new asset's description breaks to p.
func (s *Service) checkAsset(p *market.Problems, kind market.AssetKind, name, arch string, regions []string) {
	if kind != market.AssetImage && kind != market.AssetPackage {
		p.Add("kind", "kind", "kind must be IMAGE or PACKAGE")
	}
	if n := len([]rune(strings.TrimSpace(name))); n == 0 || n > 100 {
		p.Add("name", "length", "name must have 1 to 100 characters")
	}
	if arch != market.ArchX86 && arch != market.ArchARM64 {
		p.Add("arch", "arch", "arch must be %s or %s", market.ArchX86, market.ArchARM64)
	}
	for i, r := range regions {
		if !regionRule.MatchString(r) {
			p.Add(fmt.Sprintf("regions[%d]", i), "region", "region %q is not a region ID such as cn-north-4", r)
		}
	}
	if kind == market.AssetImage && arch == market.ArchARM64 {
		for i, r := range regions {
			if !slices.Contains(s.cfg.KunpengRegions, r) {
				p.Add(fmt.Sprintf("regions[%d]", i), "kunpeng-region", "a Kunpeng (arm64) image is published only in the Kunpeng regions %s, not %s (rules §6.2)",
					strings.Join(s.cfg.KunpengRegions, ", "), r)
			}
		}
	}
}

// limit is the size limit of a kind.
func (s *Service) limit(kind market.AssetKind) int64 {
	if kind == market.AssetImage {
		return s.cfg.MaxImage
	}
	return s.cfg.MaxPackage
}

// checkContent adds the rules a version's label, file name and declared size break to p. size
// 0 is unknown (a URL whose length the fetch will tell).
func (s *Service) checkContent(p *market.Problems, a *market.Asset, label, fileName string, size int64) {
	if !labelRule.MatchString(label) {
		p.Add("label", "label", "label must be a version name of 1 to 64 letters, digits, '.', '_', '+' or '-', such as 1.4.2")
	}
	if size < 0 {
		p.Add("size", "size", "size must be at least 0")
	}
	if limit := s.limit(a.Kind); size > limit {
		p.Add("size", "size-limit", "%s of %d bytes is over the %s limit of %d bytes (rules §6.1)", fileName, size, lower(a.Kind), limit)
	}
	if len(fileName) > 255 {
		p.Add("file_name", "length", "file_name must have at most 255 characters")
		return
	}
	switch a.Kind {
	case market.AssetPackage:
		stem, ext := splitExt(fileName, packageExts)
		if ext == "" {
			p.Add("file_name", "package-format", "a software package is a .zip, .tar or .tar.gz file, not %q (rules §6.1)", fileName)
		} else if !packageName.MatchString(stem) {
			p.Add("file_name", "package-name", "a package name may hold only letters, digits, '_', '-', '(' and ')': %q (rules §6.1)", stem)
		}
	case market.AssetImage:
		stem, ext := splitExt(fileName, imageExts)
		if ext == "" {
			p.Add("file_name", "image-format", "an image is a .qcow2, .vmdk, .raw or .img disk image or a .tar/.tar.gz container image, not %q", fileName)
		} else if !imageName.MatchString(stem) {
			p.Add("file_name", "image-name", "an image file name may hold only letters, digits, '.', '_', '-', '(' and ')': %q", stem)
		}
	}
}

func lower[T ~string](v T) string { return strings.ToLower(string(v)) }
