// Package metering takes pay-per-use usage from merchants — the usage push, new and old — checks
// every record against KooGallery's rules, stores it once however often it is pushed, collects
// it at minute 15 of each hour (hourly items) or at 01:00 (daily items), and rates it: fixed,
// step and tier prices, packages drawn first. The resulting charges go to billing.
package metering

import "github.com/mercato-oss/mercato/internal/market"

// quantityUnit is one unit of usage in Quantity's ten-thousandths.
const quantityUnit = 10_000

// Charge prices a cycle's quantity of a billing item (market.Plan.Charge: fixed, step and tier
// prices, exact to the thousandth).
func Charge(p *market.Plan, q market.Quantity) (market.Money, error) { return p.Charge(q) }
