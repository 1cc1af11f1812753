package web

import "github.com/mercato-oss/mercato/internal/market"

func moneyOf(m int64) market.Money { return market.Money(m) }
