package sqlitestore_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/mercato-oss/mercato/sdk"
	"github.com/mercato-oss/mercato/sdk/sqlitestore"
)

// TestOneStorePerDirectory: a second store on a directory in use is refused, because its
// Handler would resume the first one's pending provisioning; once the first closes, the
// directory opens again with what was stored.
func TestOneStorePerDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	first, err := sqlitestore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := &sdk.Instance{ID: "i-1", Key: "CS1\x1fline\x1fCS1-000001", OrderID: "CS1", OrderLineID: "CS1-000001",
		Provision: sdk.ProvisionPending, Attempt: 1, Status: sdk.StatusActive, Call: []byte(`{}`)}
	if _, inserted, err := first.Reserve(ctx, in); err != nil || !inserted {
		t.Fatalf("Reserve: inserted=%v, %v", inserted, err)
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "darwin" { // where flock locks (lock_flock.go)
		if second, err := sqlitestore.Open(dir); err == nil {
			second.Close()
			t.Fatal("a second store opened a directory in use")
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlitestore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got, err := again.InstanceByLine(ctx, "CS1", "CS1-000001")
	if err != nil || got == nil || got.ID != "i-1" || got.Provision != sdk.ProvisionPending {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
}
