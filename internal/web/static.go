package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// Static files are embedded. Vendored files carry their version in their name
// (htmx-2.0.11.min.js); the consoles' own get a hash of their content in theirs when served
// (app.css → app.3f2a91c0.css). Either way a name never changes content, so every file is
// served as immutable for a year and a new release is fetched under its new name.

//go:embed static
var staticFiles embed.FS

// assetURL is the address of a static file by its name under static/ ("app.css",
// "vendor/htmx-2.0.11.min.js").
func (c *Console) assetURL(name string) string {
	if u, ok := c.assetURLs()[name]; ok {
		return u
	}
	return "/static/" + name
}

// assetURLs maps each static file to its served address, computed once by New.
func (c *Console) assetURLs() map[string]string {
	return c.assets.urls
}

type assets struct {
	urls  map[string]string // name → /static/ address
	files map[string]string // served name → name
}

func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, files: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		served := name
		if !strings.HasPrefix(name, "vendor/") {
			b, err := staticFiles.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			ext := path.Ext(name)
			served = strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		}
		a.urls[name] = "/static/" + served
		a.files[served] = name
		return nil
	})
	return a, err
}

// static serves the embedded files by their served names.
func (c *Console) static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := c.assets.files[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := staticFiles.ReadFile("static/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		switch path.Ext(name) {
		case ".js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		case ".css":
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		case ".svg":
			w.Header().Set("Content-Type", "image/svg+xml")
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(b)
	})
}
