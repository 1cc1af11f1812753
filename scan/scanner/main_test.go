package scanner

import (
	"io"
	"os"
	"testing"

	"github.com/mercato-oss/mercato/scan/vuln"
)

func TestMain(m *testing.M) {
	vuln.SetLog(io.Discard)
	os.Exit(m.Run())
}
