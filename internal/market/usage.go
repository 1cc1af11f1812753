package market

import "time"

// UsageRecord is one stored usage record.
type UsageRecord struct {
	MerchantID  string
	MeteringSN  string
	InstanceKey string
	BuyerID     string // not stored per record; carried to the totals
	ProductID   string
	PkgKey      string
	BeginAt     time.Time
	EndAt       time.Time
	RecordAt    time.Time
	Quantity    Quantity
	ReceivedAt  time.Time
	CycleAt     time.Time
	Late        bool
}

// UsageTotal is the usage of one instance (and one package it draws from) in one collection.
type UsageTotal struct {
	InstanceKey string
	PkgKey      string
	BuyerID     string
	Quantity    Quantity
	Late        Quantity
	Records     int64
}

// Recount is one collection's usage summed straight from the stored records.
type Recount struct {
	CycleAt  time.Time
	Records  int64
	Quantity Quantity
}

// UsageHour is an instance's usage that began in one hour.
type UsageHour struct {
	Hour     time.Time
	Quantity Quantity
	Records  int64
}

// CollectionFailure is an instance whose usage a collection could not rate: it is billed for
// nothing in that collection, and the operator sees why.
type CollectionFailure struct {
	CycleAt     time.Time
	InstanceKey string
	Reason      string
	At          time.Time
}
