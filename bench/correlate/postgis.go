package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/truce-monitor/truce/bench/internal/pgbench"
)

// The tables the harness owns. They are unlogged rather than temporary:
// PostgreSQL never lets parallel workers scan a temporary table, and the
// comparison must let PostGIS use every core it can.
const (
	inputTable      = "truce_bench_detections_in" // as copied: lon/lat, hot spot flag
	detectionsTable = "truce_bench_detections"    // projected, hot spots left out
)

// drop removes the harness's tables and projection.
var drop = []string{
	"DROP TABLE IF EXISTS " + inputTable + ", " + detectionsTable,
	"DELETE FROM spatial_ref_sys WHERE srid = " + strconv.Itoa(projSRID),
}

// postgis is one session on the PostGIS server under test.
type postgis struct {
	*pgbench.Session
}

// detection is one dense detection as the harness loads it: row id i is
// the i-th detection.
type detection struct {
	kind     string
	t        int64 // Unix nanoseconds
	lon, lat float64
	hot      bool // set apart by correlate as part of a fixed hot spot
}

// copyDetections replaces the input table with ds by a binary COPY, and
// returns the time of the COPY alone.
func (db *postgis) copyDetections(ctx context.Context, ds []detection) (time.Duration, error) {
	if err := db.Exec(ctx,
		"DROP TABLE IF EXISTS "+inputTable+", "+detectionsTable,
		"CREATE UNLOGGED TABLE "+inputTable+" (id int4 NOT NULL, kind text NOT NULL, t int8 NOT NULL, hot bool NOT NULL, geom geometry(Point, 4326) NOT NULL)",
	); err != nil {
		return 0, err
	}
	elapsed, err := db.CopyFrom(ctx, inputTable, "id, kind, t, hot, geom", detectionRows(ds))
	if err != nil {
		return 0, fmt.Errorf("copying the detections: %w", err)
	}
	return elapsed, nil
}

// detectionRows encodes ds for a binary COPY as rows (int4 id, text kind,
// int8 t, bool hot, geometry), row id i for ds[i].
func detectionRows(ds []detection) *pgbench.CopyData {
	const row = 2 + 4 + 4 + 4 + 4 + 8 + 4 + 1 + pgbench.PointSize
	d := pgbench.NewCopyData(len(ds) * (row + 8)) // kinds of up to 8 bytes
	for i, det := range ds {
		d.Row(5)
		d.Int4(int32(i))
		d.Text(det.kind)
		d.Int8(det.t)
		d.Bool(det.hot)
		d.Point(det.lon, det.lat)
	}
	return d
}

// prepare makes the table the query reads: the detections not in a hot
// spot, projected by proj (a PROJ string), under a B-tree index in the
// order the query's first window functions read them, analyzed. It returns
// the time it took.
func (db *postgis) prepare(ctx context.Context, proj string) (time.Duration, error) {
	start := time.Now()
	// ST_Transform to a PROJ string builds the transformation anew for
	// every row (some 10 ms each); to an SRID it builds it once.
	if _, err := db.Conn.Exec(ctx, "DELETE FROM spatial_ref_sys WHERE srid = $1", projSRID); err != nil {
		return 0, fmt.Errorf("preparing the detections: %w", err)
	}
	if _, err := db.Conn.Exec(ctx, "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text) VALUES ($1, 'truce', $1, $2)", projSRID, proj); err != nil {
		return 0, fmt.Errorf("preparing the detections: %w", err)
	}
	if err := db.Exec(ctx,
		"DROP TABLE IF EXISTS "+detectionsTable,
		"CREATE UNLOGGED TABLE "+detectionsTable+" AS SELECT id, kind, t, ST_Transform(geom, "+strconv.Itoa(projSRID)+")::geometry(Point, "+strconv.Itoa(projSRID)+") AS xy FROM "+inputTable+" WHERE NOT hot",
		"CREATE INDEX ON "+detectionsTable+" (kind, t, id)",
		"ANALYZE "+detectionsTable,
	); err != nil {
		return 0, fmt.Errorf("preparing the detections: %w", err)
	}
	return time.Since(start), nil
}

// projSRID is the SRID under which the harness registers its projection
// in spatial_ref_sys (below PostGIS's reserved 999000–999999).
const projSRID = 990001

// clusterQuery returns the query that clusters the detections by
// ST-DBSCAN with radii epsM metres and epsT nanoseconds and minPts points:
// each kind's detections are cut, in time order, wherever two consecutive
// ones are more than epsT apart, into islands numbered across kinds; each
// island is clustered by ST_ClusterDBSCAN on its own. A row is (id,
// island, cluster number within the island or NULL for noise).
func clusterQuery(epsM float64, epsT int64, minPts int) string {
	return "SELECT id, island, ST_ClusterDBSCAN(xy, eps := " + strconv.FormatFloat(epsM, 'g', -1, 64) +
		", minpoints := " + strconv.Itoa(minPts) + ") OVER (PARTITION BY island) AS cid\n" +
		"FROM (SELECT id, xy, sum(gap) OVER (ORDER BY kind, t, id ROWS UNBOUNDED PRECEDING) AS island\n" +
		"      FROM (SELECT id, kind, t, xy, CASE WHEN t - lag(t) OVER (PARTITION BY kind ORDER BY t, id) <= " +
		strconv.FormatInt(epsT, 10) + " THEN 0 ELSE 1 END AS gap\n" +
		"            FROM " + detectionsTable + ") g) i"
}

// pgLabel is PostGIS's answer for one detection: its island and its
// cluster in the island, or -1 for noise.
type pgLabel struct {
	island int64
	cid    int32
}

// cluster runs query, sets out[id] for every row and returns the time of
// the query, results received included. It fails unless every id in
// want (those not in a hot spot) gets exactly one row.
func (db *postgis) cluster(ctx context.Context, query string, out []pgLabel, want []bool) (time.Duration, error) {
	seen := make([]bool, len(out))
	start := time.Now()
	rows, err := db.Conn.Query(ctx, query, pgx.QueryResultFormats{pgx.BinaryFormatCode})
	if err != nil {
		return 0, err
	}
	var (
		id     int32
		island int64
		cid    *int32
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &island, &cid}, func() error {
		if id < 0 || int(id) >= len(out) || seen[id] || !want[id] {
			return fmt.Errorf("unexpected row for detection %d", id)
		}
		seen[id] = true
		out[id] = pgLabel{island, -1}
		if cid != nil {
			out[id].cid = *cid
		}
		return nil
	})
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("clustering the detections: %w", err)
	}
	for i := range want {
		if want[i] && !seen[i] {
			return 0, fmt.Errorf("clustering the detections: no row for detection %d", i)
		}
	}
	return elapsed, nil
}

// projected returns the projected coordinates of the detections, by id;
// those not in the table are NaN.
func (db *postgis) projected(ctx context.Context, n int) ([][2]float64, error) {
	out := make([][2]float64, n)
	for i := range out {
		out[i] = [2]float64{math.NaN(), math.NaN()}
	}
	rows, err := db.Conn.Query(ctx, "SELECT id, ST_X(xy), ST_Y(xy) FROM "+detectionsTable, pgx.QueryResultFormats{pgx.BinaryFormatCode})
	if err != nil {
		return nil, err
	}
	var (
		id   int32
		x, y float64
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &x, &y}, func() error {
		if id < 0 || int(id) >= n {
			return fmt.Errorf("detection %d out of range", id)
		}
		out[id] = [2]float64{x, y}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the projected detections: %w", err)
	}
	return out, nil
}
