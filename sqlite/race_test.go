//go:build race

package sqlite

// raceEnabled is true under the race detector, which makes TestTamper run
// fewer trials.
const raceEnabled = true
