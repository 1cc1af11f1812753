package vuln

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// maxRecord bounds one advisory read from a zip (real ones are a few KiB).
const maxRecord = 4 << 20

// scoreFromAliases gives unscored advisories the score of a record they
// name as an alias or upstream. Distribution advisories (Debian's DSA, DLA
// and DEBIAN-CVE records) usually carry no CVSS vector while the CVE record
// they point to does; osv.dev exports those CVE records (with NVD's
// vectors) in its GIT ecosystem, so an operator who drops DIR/GIT/all.zip
// in gets them scored. Only zip entry names are scanned until a wanted id
// is found, so the cost is one pass over each zip's directory.
func (db DB) scoreFromAliases(vulns []Vuln) error {
	want := map[string]bool{}
	for _, v := range vulns {
		if v.Vector == "" {
			for _, id := range v.refs {
				want[id] = true
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	ents, err := os.ReadDir(db.Dir)
	if err != nil {
		return err
	}
	type scored struct {
		score  float64
		vector string
	}
	found := map[string]scored{}
	for _, e := range ents {
		zr, err := zip.OpenReader(filepath.Join(db.Dir, e.Name(), "all.zip"))
		if err != nil {
			continue // not an ecosystem directory
		}
		for _, zf := range zr.File {
			id := strings.TrimSuffix(path.Base(zf.Name), ".json")
			if !want[id] || zf.UncompressedSize64 > maxRecord {
				continue
			}
			rec, err := readRecord(zf)
			if err != nil {
				zr.Close()
				return fmt.Errorf("%s/all.zip %s: %w", e.Name(), zf.Name, err)
			}
			if s, vec := Score(rec); vec != "" && s > found[id].score {
				found[id] = scored{s, vec}
			}
		}
		zr.Close()
	}
	for i := range vulns {
		v := &vulns[i]
		if v.Vector != "" {
			continue
		}
		for _, id := range v.refs {
			if f, ok := found[id]; ok && (v.Vector == "" || f.score > v.Score) {
				v.Score, v.Vector, v.ScoredBy = f.score, f.vector, id
			}
		}
	}
	return nil
}

func readRecord(zf *zip.File) (*osvpb.Vulnerability, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxRecord))
	if err != nil {
		return nil, err
	}
	rec := &osvpb.Vulnerability{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, rec); err != nil {
		return nil, err
	}
	return rec, nil
}
