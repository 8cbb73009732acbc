// Command sealkey creates a store sealed under the benchmarks' fixed
// sealing key, SHA-256("truce bench replay sealing key"), so that the real
// replay's findings digest reproduces from one run of bench/replay.sh to
// the next: findings name observations by public id, and a sealed
// source's public ids are a function of the store's sealing key (a real
// store's key is random and secret). It must run before anything is filed.
//
// Usage: go run ./bench/internal/sealkey DB
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"

	"github.com/truce-monitor/truce/sqlite"
)

// Key is the benchmarks' sealing key.
var Key = sha256.Sum256([]byte("truce bench replay sealing key"))

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sealkey DB")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "sealkey:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	if err := store.SetSealingKey(ctx, Key[:]); err != nil {
		store.Close()
		return err
	}
	return store.Close()
}
