package isdk

import (
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Event is what the SDK tells the software, as ISCDesk's events do:
//
//	{"operate":"SaveResult","params":{"status":"success"},"comeBackParams":{"path":"/work/Gear.prt","isAssembly":"false"}}
//
// Params carry the result, with string values as the documented events have them ("assembly":
// "true"); a failure has "status":"failed" and a "reason". ComeBackParams carry the arguments of
// the call that caused the event, so that the software can match a result to its call.
type Event struct {
	Operate        string            `json:"operate"`
	Params         map[string]string `json:"params"`
	ComeBackParams map[string]string `json:"comeBackParams"`
}

// JSON is the event as the C callback receives it.
func (e Event) JSON() string {
	if e.Params == nil {
		e.Params = map[string]string{}
	}
	if e.ComeBackParams == nil {
		e.ComeBackParams = map[string]string{}
	}
	b, _ := json.Marshal(e) // maps of strings always marshal
	return string(b)
}

// Event operates.
const (
	EventHeartbeat     = "HeartBeat"     // the marketplace answered a heartbeat
	EventOpenFile      = "OpenFile"      // OpenCloudFile's result
	EventSaveResult    = "SaveResult"    // Save's and SelectSaveAsPath's result
	EventUpgrade       = "Upgrade"       // an upgrade notice, after Init
	EventDeskClosed    = "ISCDeskClosed" // the marketplace stopped answering heartbeats
	EventLicenseVerify = "LicenseVerify" // a license request's result: the license to verify
	EventUploadStart   = "UploadStart"   // a file's upload began: do not save it locally until UploadEnd
	EventUploadEnd     = "UploadEnd"     // that upload ended
	EventSolution      = "SolutionResult"
	EventCheckIn       = "CheckInResult"
)

// Result statuses.
const (
	StatusSuccess = "success"
	StatusFailed  = "failed"
)

func success(params ...string) map[string]string {
	m := map[string]string{"status": StatusSuccess}
	for i := 0; i+1 < len(params); i += 2 {
		m[params[i]] = params[i+1]
	}
	return m
}

func failed(reason string) map[string]string {
	return map[string]string{"status": StatusFailed, "reason": reason}
}

// dispatcher delivers events to the callback one at a time, in order, from one goroutine.
// Events raised before a callback is registered wait for it.
type dispatcher struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []Event
	cb     func(Event)
	closed bool
	gid    atomic.Uint64 // the delivering goroutine, to refuse ShutOut from inside the callback
	done   chan struct{}
}

func newDispatcher() *dispatcher {
	d := &dispatcher{done: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	go d.run()
	return d
}

func (d *dispatcher) emit(e Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		d.queue = append(d.queue, e)
		d.cond.Signal()
	}
}

func (d *dispatcher) setCallback(cb func(Event)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cb = cb
	d.cond.Signal()
}

func (d *dispatcher) run() {
	defer close(d.done)
	d.gid.Store(goid())
	for {
		d.mu.Lock()
		for !d.closed && (len(d.queue) == 0 || d.cb == nil) {
			d.cond.Wait()
		}
		if len(d.queue) == 0 || d.cb == nil {
			d.mu.Unlock()
			return
		}
		e, cb := d.queue[0], d.cb
		d.queue = d.queue[1:]
		d.mu.Unlock()
		cb(e)
	}
}

// inCallback reports whether the caller runs inside the callback. A C callback that calls back
// into the library runs on the goroutine that called it, so this holds for C too.
func (d *dispatcher) inCallback() bool { return goid() == d.gid.Load() }

// close delivers the events already raised, then stops.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.cond.Signal()
	d.mu.Unlock()
	<-d.done
}

// goid returns the calling goroutine's ID. Go hides goroutine identity on purpose; ShutOut needs
// it once, to tell a call from inside the event callback (which must not wait for the callback
// to finish) from any other, so reading the stack's header is affordable here.
func goid() uint64 {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	if i := strings.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	id, _ := strconv.ParseUint(s, 10, 64)
	return id
}
