package cloudfs

import (
	"archive/zip"
	"cmp"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// An assembly is a folder whose name equals its assembly file's name ("Gearbox/" holds
// "Gearbox.asm") and that holds every file the assembly depends on (rules §7, Sdk::Save). It
// travels and is stored as the zip of that folder, named "<name>.zip" in the drive: every entry
// lies under "<name>/". The SDK zips it on save and unzips it on open.

// Ext is the extension of an assembly in the drive.
const Ext = ".zip"

// AssemblyName returns the assembly's name from its cloud path ("/x/Gearbox.zip" → "Gearbox").
func AssemblyName(cloudPath string) (string, error) {
	_, name := Split(cloudPath)
	stem, ok := strings.CutSuffix(name, Ext)
	if !ok || stem == "" {
		return "", errorf("an assembly is stored as <name>%s, not %q", Ext, name)
	}
	return stem, nil
}

// IsMainFile reports whether file name is the assembly file of an assembly called assembly:
// the same name with an extension.
func IsMainFile(assembly, name string) bool {
	stem, ext, ok := strings.Cut(name, ".")
	return ok && ext != "" && !strings.Contains(ext, ".") && stem == assembly
}

// Limits bound what an assembly may unpack to, so that a zip cannot fill a disk (a decompression
// bomb): the sum of the entries' declared sizes and their count. Go's zip reader refuses an entry
// that inflates beyond its declared size, so the declared sizes bound the real ones.
type Limits struct {
	MaxEntries  int
	MaxUnpacked int64
}

// DefaultLimits are 10,000 entries and 8 GiB.
func DefaultLimits() Limits { return Limits{MaxEntries: 10_000, MaxUnpacked: 8 << 30} }

// DependencyFunc lists the files an assembly file references, as the CAD program that wrote it
// knows them: paths relative to the assembly file's folder, or absolute.
type DependencyFunc func(mainFile string) ([]string, error)

// CheckFolder checks a local assembly folder before it is saved: the folder rule, a main file,
// only regular files and folders (a link could point out of the folder), names the drive
// accepts, and, when deps is given, every dependency present inside the folder. It returns the
// main file's path and the files to pack, relative to dir with "/" separators, sorted.
func CheckFolder(dir string, deps DependencyFunc) (mainFile string, files []string, err error) {
	dir = filepath.Clean(dir)
	st, err := os.Lstat(dir)
	if err != nil {
		return "", nil, errorf("assembly folder %s: %v (save it locally first)", dir, err)
	}
	if !st.IsDir() {
		return "", nil, errorf("an assembly is saved as its folder, and %s is not a folder", dir)
	}
	name := filepath.Base(dir)
	if err := CheckName(name); err != nil {
		return "", nil, errorf("assembly folder: %v", err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if err := CheckName(d.Name()); err != nil {
			return errorf("assembly file %s: %v", rel, err)
		}
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return errorf("assembly file %s is a link or a special file; copy the file itself into the folder", rel)
		}
		files = append(files, rel)
		if !strings.Contains(rel, "/") && IsMainFile(name, d.Name()) {
			if mainFile != "" {
				return errorf("assembly folder %s has two assembly files, %s and %s", name, filepath.Base(mainFile), d.Name())
			}
			mainFile = p
		}
		return nil
	})
	if err != nil {
		if IsRule(err) {
			return "", nil, err
		}
		return "", nil, errorf("assembly folder %s: %v", dir, err)
	}
	if mainFile == "" {
		return "", nil, errorf("assembly folder %s holds no assembly file named %s.<ext>: the folder's name must equal the assembly file's", dir, name)
	}
	if len(files) > DefaultLimits().MaxEntries {
		return "", nil, errorf("assembly folder %s holds more than %d files", dir, DefaultLimits().MaxEntries)
	}
	if deps != nil {
		if err := checkDependencies(dir, mainFile, deps); err != nil {
			return "", nil, err
		}
	}
	slices.Sort(files)
	return mainFile, files, nil
}

// checkDependencies checks that every file the assembly references is a regular file inside
// its folder.
func checkDependencies(dir, mainFile string, deps DependencyFunc) error {
	list, err := deps(mainFile)
	if err != nil {
		return errorf("listing the dependencies of %s: %v", filepath.Base(mainFile), err)
	}
	for _, d := range list {
		p := d
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(mainFile), p)
		}
		rel, err := filepath.Rel(dir, filepath.Clean(p))
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return errorf("dependency %s lies outside the assembly folder %s: copy it into the folder", d, filepath.Base(dir))
		}
		st, err := os.Lstat(p)
		if err != nil || !st.Mode().IsRegular() {
			return errorf("dependency %s is missing from the assembly folder %s", d, filepath.Base(dir))
		}
	}
	return nil
}

// WriteZip writes the zip of an assembly folder (files as CheckFolder returned them) to w. It
// is deterministic while the files do not change: the same bytes each time, so the SDK can hash
// the zip in one pass and send it in another without a temporary copy, and resume an upload by
// writing it again from the start. compress deflates the entries; CAD files are mostly
// compressed already, so the default (store) spends no CPU for nothing.
func WriteZip(w io.Writer, dir string, files []string, compress bool) error {
	name := filepath.Base(filepath.Clean(dir))
	zw := zip.NewWriter(w)
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	for _, rel := range files {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		h := &zip.FileHeader{Name: name + "/" + rel, Method: method, Modified: st.ModTime().UTC().Truncate(time.Second)}
		h.SetMode(0o644)
		ew, err := zw.CreateHeader(h)
		if err == nil {
			_, err = io.Copy(ew, f)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// Entry is one file of a checked assembly zip.
type Entry struct {
	Name string // under "<assembly>/", "/"-separated
	Size int64
	file *zip.File
}

// CheckZip checks an assembly zip of size bytes read through r: every entry a file or folder
// under "<name>/" with a name the drive accepts, no two entries that collide on a Windows disk,
// no entries sharing compressed bytes (the overlapping-entry bomb), the declared sizes within
// lim, and one assembly file in the folder. With verify, it also inflates every entry, which
// checks its size and CRC-32: an assembly that passes unpacks. It returns the file entries.
func CheckZip(r io.ReaderAt, size int64, name string, lim Limits, verify bool) ([]Entry, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errorf("assembly %s is not a readable zip: %v", name, err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, errorf("assembly %s has %d entries, more than %d", name, len(zr.File), lim.MaxEntries)
	}
	type span struct{ from, to int64 }
	var spans []span
	var files []Entry
	var total int64
	seen := map[string]bool{}
	mains := 0
	for _, f := range zr.File {
		rel, ok := strings.CutPrefix(f.Name, name+"/")
		if !ok {
			return nil, errorf("assembly %s: entry %q lies outside the folder %s/", name, f.Name, name)
		}
		isDir := strings.HasSuffix(rel, "/")
		rel = strings.TrimSuffix(rel, "/")
		if rel == "" && isDir {
			continue
		}
		for _, seg := range strings.Split(rel, "/") {
			if err := CheckName(seg); err != nil {
				return nil, errorf("assembly %s: entry %q: %v", name, f.Name, err)
			}
		}
		if seen[Fold(rel)] {
			return nil, errorf("assembly %s: entry %q appears twice (names are compared without case)", name, f.Name)
		}
		seen[Fold(rel)] = true
		mode := f.Mode()
		if isDir || mode.IsDir() {
			continue
		}
		if !mode.IsRegular() {
			return nil, errorf("assembly %s: entry %q is not a regular file", name, f.Name)
		}
		if f.UncompressedSize64 > uint64(lim.MaxUnpacked) || total+int64(f.UncompressedSize64) > lim.MaxUnpacked {
			return nil, errorf("assembly %s unpacks to more than %d bytes", name, lim.MaxUnpacked)
		}
		total += int64(f.UncompressedSize64)
		off, err := f.DataOffset()
		if err != nil {
			return nil, errorf("assembly %s: entry %q: %v", name, f.Name, err)
		}
		if off < 0 || int64(f.CompressedSize64) > size-off {
			return nil, errorf("assembly %s: entry %q runs past the end of the zip", name, f.Name)
		}
		spans = append(spans, span{off, off + int64(f.CompressedSize64)})
		if !strings.Contains(rel, "/") && IsMainFile(name, rel) {
			mains++
		}
		files = append(files, Entry{Name: f.Name, Size: int64(f.UncompressedSize64), file: f})
	}
	if mains != 1 {
		return nil, errorf("assembly %s must hold exactly one assembly file %s/%s.<ext>, it holds %d", name, name, name, mains)
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	for i := 1; i < len(spans); i++ {
		if spans[i].from < spans[i-1].to {
			return nil, errorf("assembly %s: entries share compressed data (an overlapping-entry zip)", name)
		}
	}
	if verify {
		for _, e := range files {
			if err := drain(e.file); err != nil {
				return nil, errorf("assembly %s: entry %q is damaged: %v", name, e.Name, err)
			}
		}
	}
	return files, nil
}

func drain(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// Extract checks an assembly zip (CheckZip without the separate verification pass: extraction
// inflates every entry anyway) and unpacks it into dest, replacing dest/<name> whole: the
// engineer opens exactly what the drive holds. It returns the folder's path.
func Extract(r io.ReaderAt, size int64, name, dest string, lim Limits) (string, error) {
	entries, err := CheckZip(r, size, name, lim, false)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dest, "."+name+".unpack-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	for _, e := range entries {
		if err := extractOne(e, tmp); err != nil {
			return "", errorf("assembly %s: entry %q: %v", name, e.Name, err)
		}
	}
	final := filepath.Join(dest, name)
	if err := os.RemoveAll(final); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(tmp, name), 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(tmp, name), final); err != nil {
		return "", err
	}
	return final, nil
}

func extractOne(e Entry, root string) error {
	// The name was checked segment by segment, so joining it cannot leave root.
	p := filepath.Join(root, filepath.FromSlash(path.Clean(e.Name)))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	rc, err := e.file.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, io.LimitReader(rc, e.Size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		os.Chtimes(p, e.file.Modified, e.file.Modified)
	}
	return err
}
