package kgp

import (
	"testing"
	"time"
)

func TestTimeFormats(t *testing.T) {
	t.Parallel()
	at := time.Date(2022, 4, 13, 1, 35, 39, 534_900_000, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{FormatTimeStamp(at), "20220413013539534"},
		{FormatKitTimeStamp(at), "20220413093539534"},
		{FormatExpireTime(at), "20220413013539"},
		{FormatSdkDate(at), "20220413T013539Z"},
		{FormatEpochMillis(at), "1649813739534"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s want %s", tc.got, tc.want)
		}
	}
	ms := at.Truncate(time.Millisecond)
	sec := at.Truncate(time.Second)
	for _, tc := range []struct {
		in    string
		parse func(string) (time.Time, error)
		want  time.Time
	}{
		{"20220413013539534", ParseTimeStamp, ms},
		{"20220413093539534", ParseKitTimeStamp, ms},
		{"20220413013539", ParseExpireTime, sec},
		{"20220413013539534", ParseExpireTime, ms}, // §12.9: the 2.0 example's 17 digits
		{"20220413T013539Z", ParseSdkDate, sec},
		{"1649813739534", ParseEpochMillis, ms},
		{"1649813739", ParseEpochMillis, sec}, // §12.3: seconds on some pages
	} {
		got, err := tc.parse(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "2022041301353953", "2022041301353953x", "20221313013539534", "-1649813739534", "1e12"} {
		if _, err := ParseTimeStamp(bad); err == nil {
			t.Errorf("ParseTimeStamp(%q) accepted", bad)
		}
		if _, err := ParseEpochMillis(bad); err == nil && bad != "2022041301353953" {
			t.Errorf("ParseEpochMillis(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"2022-04-13", "202204130135391", "20220413 013539", "20220413T013539"} {
		if _, err := ParseExpireTime(bad); err == nil {
			t.Errorf("ParseExpireTime(%q) accepted", bad)
		}
		if _, err := ParseSdkDate(bad); err == nil {
			t.Errorf("ParseSdkDate(%q) accepted", bad)
		}
	}
}
