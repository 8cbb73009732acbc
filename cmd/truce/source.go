package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
)

func runSource(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "source", args, []command{
		{"add", "register a source and print its API token once", runSourceAdd},
		{"list", "list the registered sources", runSourceList},
		{"token", "issue a source a new API token; its old one stops working", runSourceToken},
		{"key", "set or replace a source's Ed25519 public key", runSourceKey},
		{"keygen", "make a source's Ed25519 signing key and print its public key", runSourceKeygen},
	})
}

func runSourceToken(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "source token", "source token NAME [--db PATH] [--json]",
		"Issue the source NAME a new API token and print it once. Its previous token stops\n"+
			"working at once; the log records that a token was issued, never the token.")
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseN(fs, args, "source token", "one NAME", 1)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	token, err := store.IssueToken(ctx, nil, pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, map[string]any{"source": pos[0], "token": token})
	}
	fmt.Fprintf(e.stdout, "source %s has a new API token, shown only now (the old one no longer works):\n%s\n", pos[0], token)
	return nil
}

func runSourceAdd(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "source add", "source add NAME --role ROLE [--description TEXT] [--public-key KEY] [--db PATH] [--json]",
		"Register a source and print its API token. The token is shown only this once;\n"+
			"the store keeps its SHA-256. Roles: admin, analyst, monitor, sensor, dataset, party:<ID>.\n"+
			"With --public-key (as truce source keygen prints it), every observation the source\n"+
			"files must be signed by that key.")
	db := dbFlag(fs)
	role := fs.String("role", "", "the source's role (required)")
	desc := fs.String("description", "", "who or what the source is")
	pub := fs.String("public-key", "", "the source's Ed25519 public key: base64 of its 32 bytes")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseN(fs, args, "source add", "one NAME", 1)
	if err != nil {
		return err
	}
	if *role == "" {
		return usagef("source add: --role is required (admin, analyst, monitor, sensor, dataset, party:<ID>)")
	}
	r, party, err := truce.ParseRole(*role)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	s := &truce.Source{Name: pos[0], Role: r, Party: party, Description: *desc, PublicKey: *pub}
	token, err := store.CreateSource(ctx, nil, s)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, map[string]any{"source": s, "token": token})
	}
	fmt.Fprintf(e.stdout, "source %s (%s) registered. Its API token, shown only now:\n%s\n", s.Name, s.RoleString(), token)
	if s.PublicKey != "" {
		fmt.Fprintf(e.stdout, "Its observations must be signed by the key %s.\n", s.PublicKey)
	}
	return nil
}

func runSourceKey(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "source key", "source key NAME KEY [--db PATH] [--json]",
		"Set the Ed25519 public key of the source NAME (base64 of its 32 bytes, as truce\n"+
			"source keygen prints it), or replace its key. From then on every observation the\n"+
			"source files must be signed by KEY. The log records the key with a source_key\n"+
			"entry and keeps every earlier key, so that earlier signatures stay verifiable.")
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseN(fs, args, "source key", "NAME and KEY", 2)
	if err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	s, changed, err := store.SetSourceKey(ctx, nil, pos[0], pos[1])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, map[string]any{"source": s, "changed": changed})
	}
	if !changed {
		fmt.Fprintf(e.stdout, "source %s already has the key %s; nothing changed.\n", s.Name, s.PublicKey)
		return nil
	}
	fmt.Fprintf(e.stdout, "source %s now has the key %s: its observations must be signed by it.\n", s.Name, s.PublicKey)
	return nil
}

func runSourceKeygen(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "source keygen", "source keygen --out FILE [--json]",
		"Make an Ed25519 key for a source to sign its observations with. The private key\n"+
			"is written to FILE (PKCS #8 in PEM, mode 0600; an existing file is never\n"+
			"overwritten) for truce sign --key; the public key is printed for an admin to\n"+
			"register: truce source add NAME --public-key KEY, or truce source key NAME KEY.")
	out := fs.String("out", "", "the file to write the private key to (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("source keygen: takes no arguments, got %q", pos)
	}
	if *out == "" {
		return usagef("source keygen: --out FILE is required")
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	b, err := truce.MarshalPrivateKey(priv)
	if err != nil {
		return err
	}
	if err := writeSecret(*out, b); err != nil {
		return fmt.Errorf("source keygen: %w", err)
	}
	key := truce.FormatPublicKey(pub)
	if *asJSON {
		return writeJSON(e, map[string]string{"key_file": *out, "public_key": key})
	}
	fmt.Fprintf(e.stdout, "private key written to %s (keep it secret; truce sign --key uses it).\nPublic key, to register with truce source key NAME KEY:\n%s\n", *out, key)
	return nil
}

// writeSecret writes b to a new file with mode 0600, synced; it never
// overwrites a file, and leaves none behind when it fails.
func writeSecret(file string, b []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; it is not overwritten (move it away first, or choose another file)", file)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(file)
	}
	return err
}

func runSourceList(ctx context.Context, e *env, args []string) error {
	return runList(ctx, e, args, "source list", "List the registered sources.",
		func(ctx context.Context, store truce.Store) ([]*truce.Source, error) { return store.Sources(ctx) },
		"NAME\tROLE\tCREATED\tPUBLIC KEY\tDESCRIPTION", func(s *truce.Source) string {
			key := s.PublicKey
			if key == "" {
				key = "-"
			}
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s", s.Name, s.RoleString(), s.CreatedAt.Format("2006-01-02 15:04"), key, s.Description)
		})
}

// runList runs a "list" command: it reads items from the store and prints
// them as a table (header, then one row each, tab-separated) or as JSON.
func runList[T any](ctx context.Context, e *env, args []string, name, about string,
	fetch func(context.Context, truce.Store) ([]T, error), header string, row func(T) string) error {
	fs := flags(e, name, name+" [--json] [--db PATH]", about)
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	items, err := fetch(ctx, store)
	if err != nil {
		return err
	}
	if *asJSON {
		if items == nil {
			items = []T{}
		}
		return writeJSON(e, items)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, it := range items {
		fmt.Fprintln(tw, row(it))
	}
	return tw.Flush()
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
