package adjudicate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
)

// level is a confidence as a number, so that caps can be compared.
type level int

const (
	undetermined level = iota
	possible
	probable
	confirmed
)

func (l level) confidence() truce.Confidence {
	return [...]truce.Confidence{truce.Undetermined, truce.Possible, truce.Probable, truce.Confirmed}[l]
}

// limit is one factor's cap on a finding's confidence: the corroboration,
// the timing, the location, the attribution or a condition of the rule.
type limit struct {
	level level
	what  string // "corroboration", "attribution", ...
}

// combine returns the confidence that limits allow: the lowest of them,
// except that two or more doubts (limits at possible or below) leave the
// finding undetermined. It also returns the reason that states it.
func combine(limits []limit) (level, truce.Reason) {
	l := confirmed
	var doubts, lowest []string
	for _, x := range limits {
		if x.level <= possible {
			doubts = append(doubts, x.what)
		}
		l = min(l, x.level)
	}
	for _, x := range limits {
		if x.level == l && l < confirmed {
			lowest = append(lowest, x.what)
		}
	}
	if len(doubts) >= 2 {
		return undetermined, truce.Reason{Code: CodeConfidence, Text: fmt.Sprintf(
			"Confidence undetermined: %d doubts (%s) each allow no more than possible.", len(doubts), joinList(doubts))}
	}
	if l == confirmed {
		return l, truce.Reason{Code: CodeConfidence, Text: "Confidence confirmed: a monitor or sensor confirms it, and nothing else is in doubt."}
	}
	return l, truce.Reason{Code: CodeConfidence, Text: fmt.Sprintf("Confidence %s, limited by %s.", l.confidence(), joinList(lowest))}
}

// km formats metres as kilometres to one decimal.
func km(m float64) string { return strconv.FormatFloat(m/1000, 'f', 1, 64) + " km" }

// joinList joins items as English does: "a", "a and b", "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

var numbers = [...]string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

// plural returns "one bearing", "two bearings", "12 bearings".
func plural(n int, one, many string) string {
	w := strconv.Itoa(n)
	if n < len(numbers) {
		w = numbers[n]
	}
	if n == 1 {
		return w + " " + one
	}
	return w + " " + many
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
