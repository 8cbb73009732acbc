package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/truce-monitor/truce/bench/internal/pgbench"
	"github.com/truce-monitor/truce/geo"
)

// The tables the harness owns. They are unlogged rather than temporary:
// PostgreSQL never lets parallel workers scan a temporary table, and the
// comparison must let PostGIS use every core.
const (
	piecesTable    = "truce_bench_pieces"
	pointsTable    = "truce_bench_points"
	snapshotsTable = "truce_bench_snapshots"
)

// drop removes the harness's tables.
var drop = []string{"DROP TABLE IF EXISTS " + piecesTable + ", " + pointsTable + ", " + snapshotsTable}

// postgis is one session on the PostGIS server under test.
type postgis struct {
	*pgbench.Session
}

// geoJSON encodes mp as a GeoJSON MultiPolygon. Go writes the shortest
// decimal that reads back as the same float64, so PostGIS reads exactly the
// coordinates truce holds.
func geoJSON(mp geo.MultiPolygon) ([]byte, error) {
	return json.Marshal(struct {
		Type        string           `json:"type"`
		Coordinates geo.MultiPolygon `json:"coordinates"`
	}{"MultiPolygon", mp})
}

// loadPieces replaces the pieces table with mp cut by ST_Subdivide into
// polygons of at most maxVertices vertices, under a GiST index, analyzed.
// storage, if not empty, is the column's TOAST storage (PLAIN, MAIN,
// EXTERNAL or EXTENDED). It returns the number of pieces.
func (db *postgis) loadPieces(ctx context.Context, mp geo.MultiPolygon, maxVertices int, storage string) (int, error) {
	js, err := geoJSON(mp)
	if err != nil {
		return 0, err
	}
	var n int
	err = pgx.BeginFunc(ctx, db.Conn, func(tx pgx.Tx) error {
		for _, q := range []string{
			"DROP TABLE IF EXISTS " + piecesTable,
			"CREATE UNLOGGED TABLE " + piecesTable + " (id serial PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL)",
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		if storage != "" {
			q := "ALTER TABLE " + piecesTable + " ALTER COLUMN geom SET STORAGE " + storage
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, "INSERT INTO "+piecesTable+" (geom) "+
			"SELECT ST_Subdivide(ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326), $2::int)", string(js), maxVertices)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, "CREATE INDEX ON "+piecesTable+" USING gist (geom)")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("loading the subdivided control map: %w", err)
	}
	if _, err := db.Conn.Exec(ctx, "ANALYZE "+piecesTable); err != nil {
		return 0, err
	}
	return n, nil
}

// copyPoints replaces the points table with pts (row id i for pts[i]) by a
// binary COPY of EWKB points, then analyzes it. It returns the time of the
// COPY alone.
func (db *postgis) copyPoints(ctx context.Context, pts []geo.Point) (time.Duration, error) {
	if err := db.Exec(ctx,
		"DROP TABLE IF EXISTS "+pointsTable,
		"CREATE UNLOGGED TABLE "+pointsTable+" (id int4 NOT NULL, geom geometry(Point, 4326) NOT NULL)",
	); err != nil {
		return 0, err
	}
	elapsed, err := db.CopyFrom(ctx, pointsTable, "id, geom", pointRows(pts))
	if err != nil {
		return 0, fmt.Errorf("copying the points: %w", err)
	}
	if _, err := db.Conn.Exec(ctx, "ANALYZE "+pointsTable); err != nil {
		return 0, err
	}
	return elapsed, nil
}

// pointRows encodes pts for a binary COPY as rows (int4 id, geometry),
// row id i for pts[i].
func pointRows(pts []geo.Point) *pgbench.CopyData {
	d := pgbench.NewCopyData(len(pts) * (2 + 4 + 4 + pgbench.PointSize))
	for i, p := range pts {
		d.Row(2)
		d.Int4(int32(i))
		d.Point(p[0], p[1])
	}
	return d
}

// coversQuery selects the ids of the points that some piece covers: a
// semi-join the planner can run with parallel workers.
const coversQuery = "SELECT p.id FROM " + pointsTable + " p WHERE EXISTS " +
	"(SELECT 1 FROM " + piecesTable + " s WHERE ST_Covers(s.geom, p.geom))"

// classify sets out[id] for every point that some piece covers and returns
// the time of the query, results received included. out must be all false
// on entry.
func (db *postgis) classify(ctx context.Context, out []bool) (time.Duration, error) {
	start := time.Now()
	rows, err := db.Conn.Query(ctx, coversQuery, pgx.QueryResultFormats{pgx.BinaryFormatCode})
	if err != nil {
		return 0, err
	}
	var id int32
	_, err = pgx.ForEachRow(rows, []any{&id}, func() error {
		if id < 0 || int(id) >= len(out) {
			return fmt.Errorf("point id %d out of range", id)
		}
		out[id] = true
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("classifying the points: %w", err)
	}
	return time.Since(start), nil
}

// loadSnapshots replaces the snapshots table with one geography row per
// snapshot, so that the timed query computes areas and does no casts.
func (db *postgis) loadSnapshots(ctx context.Context, snaps []snapshot) error {
	return pgx.BeginFunc(ctx, db.Conn, func(tx pgx.Tx) error {
		for _, q := range []string{
			"DROP TABLE IF EXISTS " + snapshotsTable,
			"CREATE UNLOGGED TABLE " + snapshotsTable + " (i int4 PRIMARY KEY, geog geography(MultiPolygon, 4326) NOT NULL)",
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		for i, s := range snaps {
			js, err := geoJSON(s.mp)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO "+snapshotsTable+" VALUES ($1, ST_SetSRID(ST_GeomFromGeoJSON($2::text), 4326)::geography)", i, string(js)); err != nil {
				return fmt.Errorf("loading snapshot %s: %w", s.date, err)
			}
		}
		_, err := tx.Exec(ctx, "ANALYZE "+snapshotsTable)
		return err
	})
}

// areas sets out[i] to the spheroidal area of snapshot i in square metres
// and returns the time of the query.
func (db *postgis) areas(ctx context.Context, out []float64) (time.Duration, error) {
	start := time.Now()
	rows, err := db.Conn.Query(ctx, "SELECT i, ST_Area(geog, true) FROM "+snapshotsTable)
	if err != nil {
		return 0, err
	}
	var (
		i int32
		a float64
	)
	n := 0
	_, err = pgx.ForEachRow(rows, []any{&i, &a}, func() error {
		if i < 0 || int(i) >= len(out) {
			return fmt.Errorf("snapshot %d out of range", i)
		}
		out[i] = a
		n++
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("computing areas: %w", err)
	}
	if n != len(out) {
		return 0, fmt.Errorf("computing areas: %d rows, want %d", n, len(out))
	}
	return time.Since(start), nil
}
