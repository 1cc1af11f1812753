// Package container reads container image archives — `docker save` tars and
// OCI image layout tars — and walks their layers in order, so that the stage
// sees the merged filesystem (whiteouts applied) while every layer's files,
// deleted ones included, are still visited: a secret removed in a later
// layer still ships in the image.
package container

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/mercato-oss/mercato/scan/archive"
)

// Formats.
const (
	FormatDocker = "docker-archive"
	FormatOCI    = "oci-archive"
)

// maxMembers and maxJSON bound the index and the metadata files of an
// untrusted archive.
const (
	maxMembers = 1 << 20
	maxJSON    = 16 << 20
)

// Image is a container image archive.
type Image struct {
	// Format is FormatDocker or FormatOCI.
	Format string
	// Arch and OS come from the image config (e.g. "arm64", "linux").
	Arch, OS string
	// Layers are the layer blobs, bottom first.
	Layers []Layer
	// Extra lists further images in the archive that were not scanned.
	Extra int
	r     io.ReaderAt
	index map[string]member
}

// Layer is one layer blob inside the archive.
type Layer struct {
	// Name is the member path (a digest for OCI).
	Name string
	off  int64
	size int64
}

type member struct{ off, size int64 }

// Open indexes an uncompressed tar and recognises a container image in it.
// It returns nil, nil when the tar is not one (a rootfs or a package).
func Open(r io.ReaderAt, size int64) (*Image, error) {
	sr := io.NewSectionReader(r, 0, size)
	tr := tar.NewReader(sr)
	index := map[string]member{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(index) >= maxMembers {
			return nil, nil // far more members than any image archive has: a rootfs
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		pos, err := sr.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		index[archive.CleanPath(hdr.Name)] = member{pos, hdr.Size}
	}
	img := &Image{r: r, index: index}
	var err error
	switch {
	case has(index, "manifest.json"):
		img.Format = FormatDocker
		err = img.docker()
	case has(index, "index.json") && has(index, "oci-layout"):
		img.Format = FormatOCI
		err = img.oci()
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", img.Format, err)
	}
	return img, nil
}

func has(index map[string]member, name string) bool {
	_, ok := index[name]
	return ok
}

func (img *Image) readJSON(name string, v any) error {
	m, ok := img.index[archive.CleanPath(name)]
	if !ok {
		return fmt.Errorf("missing %s", name)
	}
	if m.size > maxJSON {
		return fmt.Errorf("%s: %d bytes is too large", name, m.size)
	}
	return json.NewDecoder(io.NewSectionReader(img.r, m.off, m.size)).Decode(v)
}

func (img *Image) layer(name string) (Layer, error) {
	m, ok := img.index[archive.CleanPath(name)]
	if !ok {
		return Layer{}, fmt.Errorf("missing layer %s", name)
	}
	return Layer{Name: name, off: m.off, size: m.size}, nil
}

type config struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

func (img *Image) docker() error {
	var man []struct {
		Config string
		Layers []string
	}
	if err := img.readJSON("manifest.json", &man); err != nil {
		return err
	}
	if len(man) == 0 {
		return errors.New("empty manifest.json")
	}
	img.Extra = len(man) - 1
	var cfg config
	if err := img.readJSON(man[0].Config, &cfg); err != nil {
		return err
	}
	img.Arch, img.OS = cfg.Architecture, cfg.OS
	for _, l := range man[0].Layers {
		ly, err := img.layer(l)
		if err != nil {
			return err
		}
		img.Layers = append(img.Layers, ly)
	}
	return nil
}

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Platform  *struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
	} `json:"platform,omitempty"`
}

func blob(digest string) (string, error) {
	algo, hex, ok := strings.Cut(digest, ":")
	if !ok || algo == "" || hex == "" || strings.ContainsAny(digest, "/\\") {
		return "", fmt.Errorf("bad digest %q", digest)
	}
	return path.Join("blobs", algo, hex), nil
}

func (img *Image) oci() error {
	var idx struct {
		MediaType string       `json:"mediaType"`
		Manifests []descriptor `json:"manifests"`
	}
	if err := img.readJSON("index.json", &idx); err != nil {
		return err
	}
	// Follow nested indexes (multi-platform images) to the first image
	// manifest; a bounded number of hops defeats loops.
	descs := idx.Manifests
	for hop := 0; hop < 4; hop++ {
		if len(descs) == 0 {
			return errors.New("no manifest in index")
		}
		img.Extra += len(descs) - 1
		d := descs[0]
		name, err := blob(d.Digest)
		if err != nil {
			return err
		}
		if strings.Contains(d.MediaType, "index") || strings.Contains(d.MediaType, "manifest.list") {
			var sub struct {
				Manifests []descriptor `json:"manifests"`
			}
			if err := img.readJSON(name, &sub); err != nil {
				return err
			}
			descs = sub.Manifests
			continue
		}
		var man struct {
			Config descriptor   `json:"config"`
			Layers []descriptor `json:"layers"`
		}
		if err := img.readJSON(name, &man); err != nil {
			return err
		}
		cname, err := blob(man.Config.Digest)
		if err != nil {
			return err
		}
		var cfg config
		if err := img.readJSON(cname, &cfg); err != nil {
			return err
		}
		img.Arch, img.OS = cfg.Architecture, cfg.OS
		for _, l := range man.Layers {
			lname, err := blob(l.Digest)
			if err != nil {
				return err
			}
			ly, err := img.layer(lname)
			if err != nil {
				return err
			}
			img.Layers = append(img.Layers, ly)
		}
		return nil
	}
	return errors.New("index nesting too deep")
}

// Walk visits every layer's files, bottom first, staging the merged tree.
func (img *Image) Walk(ctx context.Context, w *archive.Walker, stage *archive.Stage) error {
	for i, l := range img.Layers {
		sr := io.NewSectionReader(img.r, l.off, l.size)
		var head [512]byte
		n, _ := sr.ReadAt(head[:], 0)
		counted := w.CountInput(sr)
		var r io.Reader = counted
		if kind := archive.Sniff(head[:n]); kind == archive.KindGzip || kind == archive.KindZstd || kind == archive.KindBzip2 {
			dr, err := w.Decompress(kind, l.Name, counted)
			if err != nil {
				return fmt.Errorf("layer %d (%s): %w", i+1, l.Name, err)
			}
			r = dr
		}
		stage.Layer(fmt.Sprintf("layer %d (%s)", i+1, l.Name))
		if err := w.WalkTar(ctx, r, "", 0, stage); err != nil {
			return fmt.Errorf("layer %d (%s): %w", i+1, l.Name, err)
		}
	}
	return nil
}
