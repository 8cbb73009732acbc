package httpapi

import (
	"fmt"
	"testing"
	"time"
)

// TestLimitersBounded checks that the limiters kept are at most the cap,
// however many clients come, and that the one forgotten is the one used
// least recently.
func TestLimitersBounded(t *testing.T) {
	l := newLimiters(1e-9, 1, 100)
	now := time.Now()
	if l.allow("keep", now) != 0 {
		t.Fatal("first event refused")
	}
	for i := range 10000 {
		l.allow(fmt.Sprintf("addr-%d", i), now)
		l.get("keep") // used all along: never forgotten
	}
	if n := l.size(); n != 100 {
		t.Errorf("%d limiters kept, want the cap, 100", n)
	}
	if l.allow("keep", now) == 0 {
		t.Error("the client used most recently was forgotten: its burst came back")
	}
	if l.allow("addr-0", now) != 0 {
		t.Error("a client forgotten long ago is still limited")
	}
}
