package vuln

import (
	"fmt"
	"io"

	scalibrlog "github.com/google/osv-scalibr/log"
)

// SetLog sends osv-scalibr's log (a package-level logger in the library)
// to w, errors and warnings only; io.Discard silences it. Call it once,
// from main or TestMain, before scanning.
func SetLog(w io.Writer) { scalibrlog.SetLogger(logger{w}) }

type logger struct{ w io.Writer }

func (l logger) Errorf(format string, args ...any) {
	fmt.Fprintf(l.w, "scalibr: "+format+"\n", args...)
}
func (l logger) Warnf(format string, args ...any) { fmt.Fprintf(l.w, "scalibr: "+format+"\n", args...) }
func (logger) Infof(string, ...any)               {}
func (logger) Debugf(string, ...any)              {}
func (l logger) Error(args ...any)                { fmt.Fprintln(l.w, append([]any{"scalibr:"}, args...)...) }
func (l logger) Warn(args ...any)                 { fmt.Fprintln(l.w, append([]any{"scalibr:"}, args...)...) }
func (logger) Info(...any)                        {}
func (logger) Debug(...any)                       {}
