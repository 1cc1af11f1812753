package isdk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// OpenType is how a cloud file is opened.
type OpenType string

// Open types (rules §7). OpenOnly reads the file; OpenAndCheckout also checks it out to the
// user, which is what lets Save put a new version back.
const (
	OpenOnly        OpenType = "OpenOnly"
	OpenAndCheckout OpenType = "OpenAndCheckout"
)

// Work states of an opened file.
const (
	CheckIn  = "CHECKIN"
	CheckOut = "CHECKOUT"
)

// opened is a local file or assembly folder that came from the cloud.
type opened struct {
	fileID    string
	cloudPath string
	assembly  bool
	openType  OpenType
	workState string
	version   int // the version the local content derives from
}

// localPath is where a cloud path opens in the workspace.
func (s *Sdk) localPath(cloudPath string) string {
	return filepath.Join(s.opts.Workspace, filepath.FromSlash(strings.TrimPrefix(cloudPath, "/")))
}

// key is how opened files are looked up: the cleaned absolute path.
func key(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// OpenCloudFile opens the cloud file at cloudPath in the workspace: ISCDesk's file browser picks
// it, here the software names it. An assembly ("<name>.zip") is unzipped and its folder is the
// mainFile; the software opens the file in it whose name is the folder's. The result is an
// OpenFile event:
//
//	{"operate":"OpenFile","params":{"mainFile":"<abs path>","openType":"OpenOnly|OpenAndCheckout",
//	 "workState":"CHECKIN|CHECKOUT","assembly":"false|true"},"comeBackParams":{...}}
//
// or, when it could not be opened, params {"status":"failed","reason":...}.
func (s *Sdk) OpenCloudFile(cloudPath string, openType OpenType) error {
	if openType != OpenOnly && openType != OpenAndCheckout {
		return fmt.Errorf("%w: openType must be OpenOnly or OpenAndCheckout", ErrInvalid)
	}
	come := map[string]string{"cloudPath": cloudPath, "openType": string(openType)}
	return s.begin(true, func(ctx context.Context) {
		params, err := s.open(ctx, cloudPath, openType)
		if err != nil {
			params = failed(reason(err))
		}
		s.emit(Event{Operate: EventOpenFile, Params: params, ComeBackParams: come})
	})
}

func (s *Sdk) open(ctx context.Context, cloudPath string, openType OpenType) (map[string]string, error) {
	p, err := cloudfs.CleanPath(cloudPath)
	if err != nil {
		return nil, err
	}
	f, err := s.api.fileByPath(ctx, p)
	if err != nil {
		return nil, err
	}
	if f.Kind == "FOLDER" {
		return nil, errors.New(p + " is a folder")
	}
	if openType == OpenAndCheckout {
		if f, err = s.api.fileAction(ctx, f.ID, "checkout"); err != nil {
			return nil, err
		}
	}
	o := &opened{fileID: f.ID, cloudPath: f.Path, assembly: f.Kind == "ASSEMBLY", openType: openType, workState: f.WorkState, version: f.Version}
	main, err := s.fetch(ctx, f)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.opened[key(main)] = o
	s.mu.Unlock()
	return map[string]string{"mainFile": main, "openType": string(openType), "workState": o.workState,
		"assembly": strconv.FormatBool(o.assembly)}, nil
}

// fetch downloads a file's current version into the workspace, checking its SHA-256, and
// returns the local file (or, for an assembly, the unzipped folder).
func (s *Sdk) fetch(ctx context.Context, f *fileInfo) (string, error) {
	dest := s.localPath(f.Path)
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	want, err := s.api.download(ctx, f.ID, f.Version, io.MultiWriter(tmp, h))
	if err != nil {
		return "", err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want || got != f.SHA256 {
		return "", errors.New("the download does not match its SHA-256: try again")
	}
	if f.Kind != "ASSEMBLY" {
		if err := tmp.Close(); err != nil {
			return "", err
		}
		return dest, os.Rename(tmp.Name(), dest)
	}
	name, err := cloudfs.AssemblyName(f.Path)
	if err != nil {
		return "", err
	}
	return cloudfs.Extract(tmp, f.Size, name, dir, s.opts.Limits)
}

// reason is an error as an event's reason: the marketplace's message without its code.
func reason(err error) string {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.Message
	}
	if errors.Is(err, context.Canceled) {
		return "the SDK was shut out"
	}
	return err.Error()
}
