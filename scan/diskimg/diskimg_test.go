package diskimg

import (
	"encoding/binary"
	"testing"
)

func TestSniffAndVirtualSize(t *testing.T) {
	t.Parallel()
	qcow := make([]byte, 512)
	copy(qcow, "QFI\xfb")
	binary.BigEndian.PutUint64(qcow[24:], 10<<30)
	vmdk := make([]byte, 512)
	copy(vmdk, "KDMV")
	binary.LittleEndian.PutUint64(vmdk[12:], 2<<20) // sectors
	mbr := make([]byte, 512)
	mbr[510], mbr[511] = 0x55, 0xaa
	ext := make([]byte, 4096)
	binary.LittleEndian.PutUint16(ext[0x438:], 0xef53)
	tests := []struct {
		name   string
		head   []byte
		format string
		size   int64
	}{
		{"qcow2", qcow, FormatQCOW2, 10 << 30},
		{"vmdk", vmdk, FormatVMDK, 1 << 30},
		{"mbr", mbr, FormatRaw, 12345},
		{"bare ext4", ext, FormatRaw, 12345},
		{"text", []byte("hello"), "", 0},
	}
	for _, tt := range tests {
		if got := Sniff(tt.head); got != tt.format {
			t.Errorf("%s: Sniff = %q, want %q", tt.name, got, tt.format)
			continue
		}
		if tt.format == "" {
			continue
		}
		if got, err := VirtualSize(tt.format, tt.head, 12345); err != nil || got != tt.size {
			t.Errorf("%s: VirtualSize = %d, %v, want %d", tt.name, got, err, tt.size)
		}
	}
	if _, err := VirtualSize(FormatQCOW2, qcow[:8], 1); err == nil {
		t.Error("short qcow2 header accepted")
	}
}
