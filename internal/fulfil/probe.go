package fulfil

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

// Probe sends call to m once, now, along the path of every call — the stored encoded request
// decoded, stamped, signed for its form, sent within the 5-second budget, its Body-Sign checked
// — but neither stores it nor retries it: debug runs and dial tests send their cases with
// testFlag=1 this way and keep their own record of the outcome.
func (d *Dispatcher) Probe(ctx context.Context, m *market.Merchant, call *market.Call) *Outcome {
	if call.ID == "" {
		call.ID = market.NewUUID()
	}
	return d.caller.Send(ctx, m, call, 1)
}
