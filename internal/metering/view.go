package metering

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

// MaxHours is the most hours one usage listing returns (three weeks, the push's reach back).
const MaxHours = 21 * 24

// Usage lists an instance's usage per hour, newest first, at most limit hours (1 to MaxHours),
// for the instance's buyer, its merchant's sellers and the operator.
func (s *Service) Usage(ctx context.Context, v market.Viewer, key string, limit int) (*market.Instance, []market.UsageHour, error) {
	in, err := s.db.Instance(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Check("instance", key, in.BuyerID, in.MerchantID); err != nil {
		return nil, nil, err
	}
	hours, err := s.db.UsageHours(ctx, key, min(max(limit, 1), MaxHours))
	return in, hours, err
}
