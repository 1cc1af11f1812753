package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// Stage rebuilds the parts of an input's file tree that later checks read by
// path (passwd, shadow, PAM, package databases), in a temporary directory.
// Content is written only through os.Root, so no member name or link can
// place a file outside it, and links are never created on disk: a wanted
// link is resolved inside the input's own namespace and its target copied.
type Stage struct {
	dir       string
	root      *os.Root
	want      WantFunc
	whiteouts bool
	layer     string
	links     map[string]string // path → absolute-in-image target
	staged    map[string]bool
}

// WantFunc decides whether a file is staged. data is its content when held
// in memory (nil otherwise, and for links), so that a decision may look
// inside: most executables need not be copied for the binary extractors.
type WantFunc func(p string, info fs.FileInfo, data []byte) bool

// NewStage creates a stage in a new directory under tempDir. want decides
// which regular files are kept.
func NewStage(tempDir string, want WantFunc) (*Stage, error) {
	dir, err := os.MkdirTemp(tempDir, "mercato-scan-stage-")
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Stage{dir: dir, root: root, want: want, links: map[string]string{}, staged: map[string]bool{}}, nil
}

// Layer starts a container layer: OCI whiteouts apply from now on, and
// visited files are attributed to origin.
func (s *Stage) Layer(origin string) {
	s.whiteouts = true
	s.layer = origin
}

func (s *Stage) origin(f *File) { f.Origin = s.layer }

// Dir is the stage's directory.
func (s *Stage) Dir() string { return s.dir }

// FS reads the stage; symlinks cannot exist in it, and os.Root confines
// reads even if one did.
func (s *Stage) FS() fs.FS { return s.root.FS() }

// Has reports whether a regular file was staged at p.
func (s *Stage) Has(p string) bool { return s.staged[p] }

// Close removes the stage.
func (s *Stage) Close() error {
	return errors.Join(s.root.Close(), os.RemoveAll(s.dir))
}

// special handles non-regular members and whiteouts; done means the member
// has no content to visit.
func (s *Stage) special(clean string, hdr *tar.Header) (done bool, err error) {
	dir, base := path.Split(clean)
	dir = strings.TrimSuffix(dir, "/")
	if s.whiteouts && strings.HasPrefix(base, ".wh.") {
		if base == ".wh..wh..opq" {
			return true, s.remove(dir, true)
		}
		return true, s.remove(path.Join(dir, strings.TrimPrefix(base, ".wh.")), false)
	}
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		_ = s.remove(clean, false)
		target := hdr.Linkname
		if !strings.HasPrefix(target, "/") {
			target = path.Join("/", dir, target)
		}
		s.links[clean] = target
		return true, nil
	case tar.TypeLink:
		_ = s.remove(clean, false)
		s.links[clean] = "/" + CleanPath(hdr.Linkname)
		return true, nil
	case tar.TypeReg:
		delete(s.links, clean)
	}
	return false, nil
}

// remove deletes p (or, when children is set, everything below p) from the
// stage and the link table.
func (s *Stage) remove(p string, children bool) error {
	under := p + "/"
	if p == "" {
		under = ""
	}
	for k := range s.links {
		if (!children && k == p) || strings.HasPrefix(k, under) {
			delete(s.links, k)
		}
	}
	for k := range s.staged {
		if (!children && k == p) || strings.HasPrefix(k, under) {
			delete(s.staged, k)
		}
	}
	if !children {
		if p == "" {
			return nil
		}
		return ignoreMissing(s.root.RemoveAll(p))
	}
	dir := p
	if dir == "" {
		dir = "."
	}
	ents, err := fs.ReadDir(s.root.FS(), dir)
	if err != nil {
		return ignoreMissing(err)
	}
	for _, e := range ents {
		if err := s.root.RemoveAll(path.Join(p, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func ignoreMissing(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// file stages a regular file when it is wanted.
func (s *Stage) file(clean string, info fs.FileInfo, r io.ReaderAt, size int64, data []byte) error {
	if !s.want(clean, info, data) {
		return nil
	}
	return s.write(clean, io.NewSectionReader(r, 0, size), info.Mode())
}

// write copies r to p. The permission bits are kept (executable bits tell
// the binary extractors what to read); special bits are not.
func (s *Stage) write(p string, r io.Reader, mode fs.FileMode) error {
	if d := path.Dir(p); d != "." {
		if err := s.root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	_ = s.root.RemoveAll(p) // a directory or older file of the same name
	f, err := s.root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(mode.Perm()&0o755 | 0o600); err != nil {
		f.Close()
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		s.staged[p] = true
	}
	return err
}

// Finish copies the targets of wanted links into place. It returns one
// warning per link that could not be resolved inside the input.
func (s *Stage) Finish() []string {
	var warns []string
	for p := range s.links {
		if !s.want(p, linkInfo(path.Base(p)), nil) {
			continue
		}
		t, ok := s.resolve(p)
		if !ok {
			warns = append(warns, fmt.Sprintf("%s: link loop or too deep", p))
			continue
		}
		if !s.staged[t] {
			continue
		}
		src, err := s.root.Open(t)
		if err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		mode := fs.FileMode(0o644)
		if st, err := src.Stat(); err == nil {
			mode = st.Mode()
		}
		err = s.write(p, src, mode)
		src.Close()
		if err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", p, err))
		}
	}
	return warns
}

// resolve follows links in every component of p, the way the kernel would
// inside a chroot at the input's root.
func (s *Stage) resolve(p string) (string, bool) {
	for range 40 {
		parts := strings.Split(p, "/")
		changed := false
		for i := 1; i <= len(parts); i++ {
			if t, ok := s.links[strings.Join(parts[:i], "/")]; ok {
				p = CleanPath(path.Join(t, strings.Join(parts[i:], "/")))
				changed = true
				break
			}
		}
		if !changed {
			return p, true
		}
	}
	return "", false
}

// linkInfo describes a link as the regular file it stands for, for want.
type linkInfo string

func (l linkInfo) Name() string       { return string(l) }
func (l linkInfo) Size() int64        { return 0 }
func (l linkInfo) Mode() fs.FileMode  { return 0o644 }
func (l linkInfo) ModTime() time.Time { return time.Time{} }
func (l linkInfo) IsDir() bool        { return false }
func (l linkInfo) Sys() any           { return nil }
