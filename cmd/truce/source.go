package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/sqlite"
)

func runSource(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "source", args, []command{
		{"add", "register a source and print its API token once", runSourceAdd},
		{"list", "list the registered sources", runSourceList},
		{"token", "issue a source a new API token; its old one stops working", runSourceToken},
	})
}

func runSourceToken(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "source token", "source token NAME [--db PATH] [--json]",
		"Issue the source NAME a new API token and print it once. Its previous token stops\n"+
			"working at once; the log records that a token was issued, never the token.")
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("source token: want one NAME, got %d arguments", len(pos))
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
	fs := flags(e, "source add", "source add NAME --role ROLE [--description TEXT] [--db PATH] [--json]",
		"Register a source and print its API token. The token is shown only this once;\n"+
			"the store keeps its SHA-256. Roles: admin, analyst, monitor, sensor, dataset, party:<ID>.")
	db := dbFlag(fs)
	role := fs.String("role", "", "the source's role (required)")
	desc := fs.String("description", "", "who or what the source is")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("source add: want one NAME, got %d arguments", len(pos))
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
	s := &truce.Source{Name: pos[0], Role: r, Party: party, Description: *desc}
	token, err := store.CreateSource(ctx, nil, s)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, map[string]any{"source": s, "token": token})
	}
	fmt.Fprintf(e.stdout, "source %s (%s) registered. Its API token, shown only now:\n%s\n", s.Name, s.RoleString(), token)
	return nil
}

func runSourceList(ctx context.Context, e *env, args []string) error {
	return runList(ctx, e, args, "source list", "List the registered sources.",
		func(ctx context.Context, store truce.Store) ([]*truce.Source, error) { return store.Sources(ctx) },
		"NAME\tROLE\tCREATED\tDESCRIPTION", func(s *truce.Source) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s", s.Name, s.RoleString(), s.CreatedAt.Format("2006-01-02 15:04"), s.Description)
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
