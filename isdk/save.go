package isdk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// Save puts the software's current file back to the cloud file it was opened from, as a new
// version (Sdk::Save). The rules (rules §7):
//
//   - the file must already be saved locally;
//   - an assembly is saved as its folder (isAssembly): the folder's name equals the assembly
//     file's, and it holds every file the assembly depends on;
//   - a file opened OpenOnly while checked in cannot be saved back;
//   - while a file uploads (UploadStart … UploadEnd) a second save of it waits for the first.
//
// The result is a SaveResult event, {"status":"success"} or {"status":"failed","reason":...}.
func (s *Sdk) Save(path string, isAssembly bool) error {
	come := map[string]string{"path": path, "isAssembly": strconv.FormatBool(isAssembly)}
	return s.begin(true, func(ctx context.Context) {
		s.saveResult(come, s.save(ctx, key(path), "", isAssembly))
	})
}

// SelectSaveAsPath saves the local file (or assembly folder) as a new cloud file at cloudPath
// ("Save As"; ISCDesk asks the engineer for the path, here the software passes it). An assembly's
// cloud name is its folder's name with ".zip". The new file stays checked out to the user, who
// goes on editing it: later Saves of path add its versions. The result is a SaveResult event.
func (s *Sdk) SelectSaveAsPath(path, cloudPath string, isAssembly bool) error {
	come := map[string]string{"path": path, "cloudPath": cloudPath, "isAssembly": strconv.FormatBool(isAssembly)}
	return s.begin(true, func(ctx context.Context) {
		if cloudPath == "" {
			cloudPath = "/"
		}
		s.saveResult(come, s.save(ctx, key(path), cloudPath, isAssembly))
	})
}

func (s *Sdk) saveResult(come map[string]string, err error) {
	params := success()
	if err != nil {
		params = failed(reason(err))
	}
	s.emit(Event{Operate: EventSaveResult, Params: params, ComeBackParams: come})
}

// source is what a save uploads: its size and SHA-256, and a way to read it from an offset.
type source struct {
	size int64
	sum  string
	open func(offset int64) (io.ReadCloser, error)
}

// save saves the local path: to the cloud file it came from, or as cloudPath when not "".
func (s *Sdk) save(ctx context.Context, path, cloudPath string, isAssembly bool) error {
	release := s.hold(path)
	defer release()
	s.mu.Lock()
	o := s.opened[path]
	s.mu.Unlock()
	req := beginRequest{Kind: "FILE"}
	if isAssembly {
		req.Kind = "ASSEMBLY"
	}
	if cloudPath != "" {
		p, err := cloudfs.CleanPath(cloudPath)
		if err != nil {
			return err
		}
		if isAssembly {
			name, err := cloudfs.AssemblyName(p)
			if err != nil {
				return err
			}
			if name != filepath.Base(path) {
				return fmt.Errorf("an assembly's cloud name is its folder's name: save folder %s as %s%s", filepath.Base(path), filepath.Base(path), cloudfs.Ext)
			}
		}
		req.Path = p
	} else {
		switch {
		case o == nil:
			return errors.New(path + " was not opened from the cloud: save it with SelectSaveAsPath")
		case o.assembly != isAssembly:
			return fmt.Errorf("%s was opened as %s: save it with isAssembly=%v", path, kindName(o.assembly), o.assembly)
		case o.openType == OpenOnly && o.workState == CheckIn:
			return errors.New(o.cloudPath + " was opened OpenOnly while checked in: it cannot be saved back to the cloud (open it with OpenAndCheckout)")
		}
		req.FileID, req.BaseVersion = o.fileID, o.version
	}
	src, err := s.source(path, isAssembly)
	if err != nil {
		return err
	}
	req.Size, req.SHA256 = src.size, src.sum
	s.emit(Event{Operate: EventUploadStart, Params: map[string]string{"path": path}})
	f, err := s.upload(ctx, req, src)
	end := success("path", path)
	if err != nil {
		end = failed(reason(err))
		end["path"] = path
	}
	s.emit(Event{Operate: EventUploadEnd, Params: end})
	if err != nil {
		return err
	}
	s.mu.Lock()
	if cloudPath != "" || o == nil {
		s.opened[path] = &opened{fileID: f.ID, cloudPath: f.Path, assembly: isAssembly, openType: OpenAndCheckout}
		o = s.opened[path]
	}
	o.version, o.workState = f.Version, f.WorkState
	s.mu.Unlock()
	return nil
}

func kindName(assembly bool) string {
	if assembly {
		return "an assembly"
	}
	return "a single file"
}

// hold waits until no other save of path is uploading, then marks path as uploading until
// release is called: a save of a file being uploaded waits for its UploadEnd.
func (s *Sdk) hold(path string) (release func()) {
	for {
		s.mu.Lock()
		ch, busy := s.busy[path]
		if !busy {
			mine := make(chan struct{})
			s.busy[path] = mine
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				delete(s.busy, path)
				s.mu.Unlock()
				close(mine)
			}
		}
		s.mu.Unlock()
		<-ch
	}
}

// Uploading reports whether path is being uploaded now: the software should not write it until
// its UploadEnd event.
func (s *Sdk) Uploading(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, busy := s.busy[key(path)]
	return busy
}

// source checks the local file or assembly folder and measures what will be uploaded.
func (s *Sdk) source(path string, isAssembly bool) (*source, error) {
	if !isAssembly {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v (save it locally first)", path, errors.Unwrap(err))
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a file: an assembly is saved with isAssembly", path)
		}
		if st.Size() <= s.opts.ChunkSize {
			// Small enough to send whole: read once, and send exactly the bytes hashed.
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(b)
			return &source{size: int64(len(b)), sum: hex.EncodeToString(sum[:]), open: func(off int64) (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(b[off:])), nil
			}}, nil
		}
		h := sha256.New()
		n, err := copyFile(h, path)
		if err != nil {
			return nil, err
		}
		return &source{size: n, sum: hex.EncodeToString(h.Sum(nil)), open: func(off int64) (io.ReadCloser, error) {
			f, err := os.Open(path)
			if err == nil {
				_, err = f.Seek(off, io.SeekStart)
			}
			return f, err
		}}, nil
	}
	_, files, err := cloudfs.CheckFolder(path, s.opts.Dependencies)
	if err != nil {
		return nil, err
	}
	// The zip is written twice, to hash it and to send it: it is deterministic, so no temporary
	// copy of a large assembly is needed (cloudfs.WriteZip).
	h := sha256.New()
	cw := &counter{w: h}
	if err := cloudfs.WriteZip(cw, path, files, s.opts.CompressAssemblies); err != nil {
		return nil, err
	}
	return &source{size: cw.n, sum: hex.EncodeToString(h.Sum(nil)), open: func(off int64) (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(cloudfs.WriteZip(pw, path, files, s.opts.CompressAssemblies)) }()
		if _, err := io.CopyN(io.Discard, pr, off); err != nil {
			pr.CloseWithError(err)
			return nil, err
		}
		return pr, nil
	}}, nil
}

func copyFile(w io.Writer, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// upload sends src as a new version in requests of at most the chunk size, resuming from the
// marketplace's offset after a failed request (three tries in a row at most).
func (s *Sdk) upload(ctx context.Context, req beginRequest, src *source) (*fileInfo, error) {
	chunk := min(s.opts.ChunkSize, s.drive.MaxChunk)
	if chunk <= 0 {
		chunk = s.opts.ChunkSize
	}
	var f fileInfo
	if src.size <= chunk {
		// Small content goes whole in one request: one round trip, one transaction. It is not
		// sent again after a transport failure: the first may have been saved, and a second
		// would add a version (or be refused as made from an old one). The SaveResult says so.
		r, err := src.open(0)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return &f, s.api.saveWhole(ctx, req, io.LimitReader(r, src.size), &f)
	}
	u, err := s.api.begin(ctx, req)
	if err != nil {
		return nil, err
	}
	offset, tries := int64(0), 0
	var r io.ReadCloser
	defer func() {
		if r != nil {
			r.Close()
		}
	}()
	for {
		if r == nil {
			if r, err = src.open(offset); err != nil {
				return nil, err
			}
		}
		n := min(chunk, src.size-offset)
		last := offset+n == src.size
		err := s.api.put(ctx, u.ID, offset, io.LimitReader(r, n), n, last, &f)
		if err == nil {
			if last {
				return &f, nil
			}
			offset, tries = offset+n, 0
			continue
		}
		if _, api := errors.AsType[*APIError](err); api && !isCode(err, "conflict") || ctx.Err() != nil || tries == 2 {
			return nil, err
		}
		// A transport failure or an offset conflict: ask where the upload stands and resume.
		tries++
		r.Close()
		r = nil
		cur, uerr := s.api.upload(ctx, u.ID)
		if uerr != nil {
			return nil, err
		}
		if cur.State != "OPEN" {
			return nil, err
		}
		offset = cur.Offset
	}
}
