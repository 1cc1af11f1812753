package market

import "time"

// DebugKind says why a product's debug cases ran: the seller's debugging before release, or a
// dial test (拨测, protocol §0.2) of a product on sale.
type DebugKind string

// Debug kinds.
const (
	DebugSeller DebugKind = "DEBUG"
	DebugDial   DebugKind = "DIAL"
)

// RunState is where a debug run is.
type RunState string

// Run states.
const (
	RunRunning RunState = "RUNNING"
	RunPassed  RunState = "PASSED"
	RunFailed  RunState = "FAILED"
)

// The debug cases (rules §1.3): a yearly/monthly product passes the new-purchase, renewal,
// expiry and release cases, an upgradable one the upgrade case too.
const (
	CaseNew     = "new"
	CaseRenew   = "renew"
	CaseExpire  = "expire"
	CaseRelease = "release"
	CaseUpgrade = "upgrade"
)

// DebugRun is one run of a product's debug cases, each sent with testFlag=1.
type DebugRun struct {
	ID         string
	ProductID  string
	MerchantID string
	Kind       DebugKind
	// RoundAt is the dial round (its scheduled time) a dial run belongs to; for a seller's
	// debug run, its start.
	RoundAt    time.Time
	State      RunState
	StartedAt  time.Time
	FinishedAt time.Time
	Cases      []DebugCase
}

// Passed reports whether the run passed the named case.
func (r *DebugRun) Passed(name string) bool {
	for _, c := range r.Cases {
		if c.Name == name && c.Passed {
			return true
		}
	}
	return false
}

// DebugCase is one case of a run: the exchange as recorded, and whether it passed.
type DebugCase struct {
	N          int
	Name       string
	Activity   string
	Request    []byte
	Status     int
	Response   []byte
	ResultCode string
	Latency    time.Duration
	Error      string
	Passed     bool
	At         time.Time
}
