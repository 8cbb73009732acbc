//go:build race

package importer_test

// raceEnabled is true under the race detector, which makes the real-data
// loops several times slower; they then read a sample.
const raceEnabled = true
