package kgp

import (
	"fmt"
	"strconv"
	"time"
)

// The protocol's time formats (§1). Formatting is exact; parsing is tolerant where the
// documentation's own examples vary (§12.3, §12.9).

const (
	layoutSeconds = "20060102150405"   // yyyyMMddHHmmss
	layoutSdkDate = "20060102T150405Z" // yyyyMMdd'T'HHmmss'Z', X-Sdk-Date and usage record times
)

// ChinaTime is GMT+8, the zone of kit timeStamp fields (§5).
var ChinaTime = time.FixedZone("GMT+8", 8*3600)

// FormatTimeStamp formats t as yyyyMMddHHmmssSSS in UTC: the 1.0 GET timeStamp parameter and
// the statisticalTime of usage info.
func FormatTimeStamp(t time.Time) string {
	return formatMillis17(t.UTC())
}

// FormatKitTimeStamp formats t as yyyyMMddHHmmssSSS in GMT+8, as kit bodies carry it.
func FormatKitTimeStamp(t time.Time) string {
	return formatMillis17(t.In(ChinaTime))
}

func formatMillis17(t time.Time) string {
	b := make([]byte, 0, 17)
	b = t.AppendFormat(b, layoutSeconds)
	ms := t.Nanosecond() / int(time.Millisecond)
	return string(append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10)))
}

// ParseTimeStamp parses a 17-digit yyyyMMddHHmmssSSS value in UTC.
func ParseTimeStamp(s string) (time.Time, error) {
	return parseMillis17(s, time.UTC)
}

// ParseKitTimeStamp parses a 17-digit kit timeStamp in GMT+8.
func ParseKitTimeStamp(s string) (time.Time, error) {
	return parseMillis17(s, ChinaTime)
}

func parseMillis17(s string, loc *time.Location) (time.Time, error) {
	if len(s) != 17 || !allDigits(s) {
		return time.Time{}, fmt.Errorf("kgp: time %q is not yyyyMMddHHmmssSSS", s)
	}
	t, err := time.ParseInLocation(layoutSeconds, s[:14], loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("kgp: time %q: %w", s, err)
	}
	ms, _ := strconv.Atoi(s[14:])
	return t.Add(time.Duration(ms) * time.Millisecond), nil
}

// FormatExpireTime formats t as yyyyMMddHHmmss in UTC: expireTime and order createTime.
func FormatExpireTime(t time.Time) string {
	return t.UTC().Format(layoutSeconds)
}

// ParseExpireTime parses yyyyMMddHHmmss in UTC, and also the 17-digit form with milliseconds
// that the 2.0 refreshInstance example shows (§12.9).
func ParseExpireTime(s string) (time.Time, error) {
	switch {
	case len(s) == 17:
		return ParseTimeStamp(s)
	case len(s) == 14 && allDigits(s):
		return time.ParseInLocation(layoutSeconds, s, time.UTC)
	}
	return time.Time{}, fmt.Errorf("kgp: time %q is not yyyyMMddHHmmss", s)
}

// FormatSdkDate formats t as yyyyMMdd'T'HHmmss'Z' in UTC: X-Sdk-Date and usage record times.
func FormatSdkDate(t time.Time) string {
	return t.UTC().Format(layoutSdkDate)
}

// ParseSdkDate parses yyyyMMdd'T'HHmmss'Z'.
func ParseSdkDate(s string) (time.Time, error) {
	if len(s) != 16 {
		return time.Time{}, fmt.Errorf("kgp: time %q is not yyyyMMdd'T'HHmmss'Z'", s)
	}
	t, err := time.ParseInLocation(layoutSdkDate, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("kgp: time %q is not yyyyMMdd'T'HHmmss'Z'", s)
	}
	return t, nil
}

// FormatEpochMillis formats t as decimal Unix milliseconds: the 2.0 timestamp, x-timestamp and ts.
func FormatEpochMillis(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// ParseEpochMillis parses decimal Unix milliseconds. Some 2.0 pages say seconds (§12.3); a value
// of 10 digits or fewer is read as seconds, since 11 digits of milliseconds end in 1973.
func ParseEpochMillis(s string) (time.Time, error) {
	if s == "" || len(s) > 16 || !allDigits(s) {
		return time.Time{}, fmt.Errorf("kgp: timestamp %q is not Unix milliseconds", s)
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	if len(s) <= 10 {
		return time.Unix(n, 0), nil
	}
	return time.UnixMilli(n), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}
