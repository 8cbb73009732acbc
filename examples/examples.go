// Package examples holds truce's example agreements, real ceasefires and
// truces written in the agreement format (docs/agreements.md), embedded so
// that the demo and the tests can load them from any working directory.
package examples

import "embed"

// FS holds the example agreement files (*.yaml) at its root.
//
//go:embed *.yaml
var FS embed.FS
