// Package isdk is the industrial-software cloud SDK (rules §7): what a CAD or CAE program calls
// to keep its files in a Mercato marketplace's cloud drive, get licenses and upgrade notices, and
// submit solve jobs. It plays ISCDesk's part too: it talks to the marketplace's JSON API with the
// buyer's token. Its C ABI (isdk/capi, isdk.h) serves desktop programs written in C++.
//
// The calls follow Huawei's Sdk:: calls: Init must come first (any other call before it is an
// error); results arrive as events (Event) through the callback RegisterEventRecall registers,
// one at a time, from one goroutine. Calls that wait for the marketplace return at once and
// raise their event later. Every method is safe for concurrent use.
//
// It imports only the standard library and isdk/cloudfs.
package isdk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// Options are what Init connects with.
type Options struct {
	// Server is the marketplace's address (https://market.example); the API is under /api/v1.
	Server string
	// Token is the buyer's bearer token; Instance the key of the buyer's instance of the software.
	Token    string
	Instance string
	// Workspace is the local folder cloud files are opened into ("/designs/Gear.prt" opens as
	// Workspace/designs/Gear.prt) and licenses are written to.
	Workspace string
	// Version is the software's version, for upgrade notices.
	Version string
	// Dependencies, when set, lists the files an assembly references: Save checks they are all in
	// the assembly folder. Without it only the folder rule is checked.
	Dependencies cloudfs.DependencyFunc
	// CompressAssemblies deflates assembly zips; by default they are stored, as CAD files are
	// mostly compressed already.
	CompressAssemblies bool
	// ChunkSize bounds one upload request (default 32 MiB, at most the marketplace's limit);
	// content up to it is sent whole, in one request.
	ChunkSize int64
	// Heartbeat, when positive, checks the marketplace that often: HeartBeat events while it
	// answers, one ISCDeskClosed event when it stops.
	Heartbeat time.Duration
	// HTTPClient sends the requests; nil uses a client of its own.
	HTTPClient *http.Client
	// Limits bound what an opened assembly may unpack to.
	Limits cloudfs.Limits
}

// Errors of the calls themselves (results are events).
var (
	ErrNotInitialized = errors.New("isdk: Init must be called first")
	ErrInitialized    = errors.New("isdk: Init was already called")
	ErrInCallback     = errors.New("isdk: ShutOut cannot be called from inside the event callback")
	ErrNoDataInCloud  = errors.New("isdk: the instance's package does not keep data in the cloud")
	// ErrInvalid wraps the errors of bad arguments.
	ErrInvalid = errors.New("isdk: invalid argument")
)

// Sdk is one connection of the software to the marketplace.
type Sdk struct {
	mu       sync.Mutex
	ready    bool
	opts     Options
	api      *client
	ctx      context.Context
	cancel   context.CancelFunc
	events   *dispatcher
	ops      sync.WaitGroup
	drive    *driveInfo // nil when the package keeps no data in the cloud
	notice   *noticeInfo
	opened   map[string]*opened
	busy     map[string]chan struct{} // paths being saved: the next save waits for the channel
	license  string                   // the last license request, for LicenseVerifyNotify
	licenseK []byte                   // the marketplace's public key, once fetched
}

// New returns an SDK that is not yet initialised.
func New() *Sdk { return &Sdk{} }

// Init connects to the marketplace: it checks the token and the instance, learns whether its
// package keeps data in the cloud, and raises an Upgrade event when the software's version is
// not the package's. It must be the first call.
func (s *Sdk) Init(opts Options) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready {
		return ErrInitialized
	}
	if opts.Server == "" || opts.Token == "" || opts.Instance == "" || opts.Workspace == "" {
		return fmt.Errorf("%w: Init needs Server, Token, Instance and Workspace", ErrInvalid)
	}
	ws, err := filepath.Abs(opts.Workspace)
	if err == nil {
		err = os.MkdirAll(ws, 0o755)
	}
	if err != nil {
		return fmt.Errorf("isdk: workspace: %w", err)
	}
	opts.Workspace = ws
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 32 << 20
	}
	if opts.Limits.MaxEntries == 0 {
		opts.Limits = cloudfs.DefaultLimits()
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 8,
			ResponseHeaderTimeout: 2 * time.Minute, IdleConnTimeout: 90 * time.Second}}
	}
	api := &client{base: strings.TrimRight(opts.Server, "/") + "/api/v1", token: opts.Token, instance: opts.Instance, http: hc}
	ctx, cancel := context.WithCancel(context.Background())
	var notice noticeInfo
	if err := api.do(ctx, "GET", api.instancePath("/upgrade?version="+queryEscape(opts.Version)), nil, &notice); err != nil {
		cancel()
		return fmt.Errorf("isdk: connect: %w", err)
	}
	var drive driveInfo
	switch err := api.do(ctx, "GET", api.instancePath(""), nil, &drive); {
	case err == nil:
		s.drive = &drive
	case isCode(err, "conflict"):
		s.drive = nil // no data in cloud: the data calls will say so
	default:
		cancel()
		return fmt.Errorf("isdk: connect: %w", err)
	}
	s.opts, s.api, s.ctx, s.cancel = opts, api, ctx, cancel
	s.events = newDispatcher()
	s.opened, s.busy = map[string]*opened{}, map[string]chan struct{}{}
	s.ready = true
	if notice.Upgrade {
		s.notice = &notice
		s.events.emit(Event{Operate: EventUpgrade, Params: success("currentVersion", notice.Current, "latestVersion", notice.Latest,
			"forced", fmt.Sprint(notice.Forced), "installMode", notice.InstallMode, "notes", notice.Notes)})
	}
	if opts.Heartbeat > 0 {
		s.ops.Go(func() { s.heartbeat(opts.Heartbeat) })
	}
	return nil
}

func isCode(err error, code string) bool {
	e, ok := errors.AsType[*APIError](err)
	return ok && e.Code == code
}

// RegisterEventRecall sets the event callback (nil holds events until one is set). It runs on
// a goroutine of the SDK's, one event at a time; it must not call ShutOut.
func (s *Sdk) RegisterEventRecall(cb func(Event)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return ErrNotInitialized
	}
	s.events.setCallback(cb)
	return nil
}

// ShutOut disconnects: it stops the calls in flight (their results are failures), delivers the
// events already raised, and frees the SDK's resources. Afterwards every call but Init is an
// error. Called from inside the event callback it would wait for itself, so it refuses
// (ErrInCallback) instead.
func (s *Sdk) ShutOut() error {
	s.mu.Lock()
	if !s.ready {
		s.mu.Unlock()
		return ErrNotInitialized
	}
	if s.events.inCallback() {
		s.mu.Unlock()
		return ErrInCallback
	}
	s.ready = false
	s.cancel()
	s.mu.Unlock()
	s.ops.Wait()
	s.events.close()
	s.api.http.CloseIdleConnections()
	return nil
}

// begin starts an asynchronous call: it checks the SDK is initialised (and, for data calls, that
// the package keeps data in the cloud) and runs fn on a goroutine of the call's own.
func (s *Sdk) begin(data bool, fn func(ctx context.Context)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return ErrNotInitialized
	}
	if data && s.drive == nil {
		return ErrNoDataInCloud
	}
	ctx := s.ctx
	s.ops.Go(func() { fn(ctx) })
	return nil
}

func (s *Sdk) emit(e Event) { s.events.emit(e) }

// live runs read (which reads the SDK's state) under its lock and returns the SDK's context, or
// ErrNotInitialized: the synchronous calls' check.
func (s *Sdk) live(read func()) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return nil, ErrNotInitialized
	}
	read()
	return s.ctx, nil
}

func queryEscape(v string) string { return url.QueryEscape(v) }

// heartbeat checks the marketplace every interval until ShutOut.
func (s *Sdk) heartbeat(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	up := true
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(s.ctx, max(every, 5*time.Second))
		err := s.api.do(ctx, "GET", s.api.instancePath("/upgrade?version="+queryEscape(s.opts.Version)), nil, nil)
		cancel()
		switch {
		case s.ctx.Err() != nil:
			return
		case err == nil:
			up = true
			s.emit(Event{Operate: EventHeartbeat, Params: success()})
		case up:
			up = false
			s.emit(Event{Operate: EventDeskClosed, Params: failed(err.Error())})
		}
	}
}
