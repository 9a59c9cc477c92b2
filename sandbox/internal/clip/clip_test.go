package clip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestID(t *testing.T) {
	if got := ID("1228407231258-01"); got != "1228407231258-01" {
		t.Fatalf("a short id changed: %q", got)
	}
	long := strings.Repeat("ç", 1000)
	got := ID(long)
	if n := utf8.RuneCountInString(got); n != MaxEcho+1 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Fatalf("cut to %d characters: %q", n, got)
	}
}
