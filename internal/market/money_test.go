package market

import "testing"

func TestMoney(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Money{"0": 0, "12.5": 12_500, "-0.001": -1, "7": 7_000, "99.999": 99_999} {
		got, err := ParseMoney(in)
		if err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1.2345", "1e3", "1,5", ".5", "1.", "--1", "9223372036854775.808"} {
		if _, err := ParseMoney(bad); ErrorCode(err) != CodeInvalid {
			t.Errorf("ParseMoney(%q) accepted or wrong error: %v", bad, err)
		}
	}
	for v, want := range map[Money]string{0: "0.000", 1: "0.001", -1: "-0.001", 12_500: "12.500", -123_456: "-123.456"} {
		if got := v.String(); got != want {
			t.Errorf("%d formats as %s, want %s", v, got, want)
		}
	}
	if q, err := ParseQuantity("0.0001"); err != nil || q != 1 || q.String() != "0.0001" {
		t.Fatalf("quantity %d %v", q, err)
	}
	if _, err := Money(1 << 62).Times(4); err == nil {
		t.Fatal("overflow not reported")
	}
	if v, err := Money(1_500).Times(3); err != nil || v != 4_500 {
		t.Fatalf("times: %d %v", v, err)
	}
	var m Money
	if err := m.UnmarshalText([]byte("3.25")); err != nil || m != 3_250 {
		t.Fatalf("unmarshal: %d %v", m, err)
	}
}
