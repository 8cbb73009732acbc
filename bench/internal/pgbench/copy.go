package pgbench

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// CopyData is rows in PostgreSQL's binary COPY format, built a row and a
// field at a time: Row starts a row, and a call for each of its fields
// follows, in the order of the columns they fill.
type CopyData struct {
	b    []byte
	rows int
}

// NewCopyData returns CopyData holding the format's header, with room for
// size bytes of rows.
func NewCopyData(size int) *CopyData {
	b := make([]byte, 0, 19+size+2)
	b = append(b, "PGCOPY\n\xff\r\n\x00"...)
	b = binary.BigEndian.AppendUint32(b, 0) // flags
	b = binary.BigEndian.AppendUint32(b, 0) // header extension length
	return &CopyData{b: b}
}

// Row starts a row of n fields.
func (d *CopyData) Row(n int) {
	d.b = binary.BigEndian.AppendUint16(d.b, uint16(n))
	d.rows++
}

// Int4 adds an int4 field.
func (d *CopyData) Int4(v int32) {
	d.b = binary.BigEndian.AppendUint32(d.b, 4)
	d.b = binary.BigEndian.AppendUint32(d.b, uint32(v))
}

// Int8 adds an int8 field.
func (d *CopyData) Int8(v int64) {
	d.b = binary.BigEndian.AppendUint32(d.b, 8)
	d.b = binary.BigEndian.AppendUint64(d.b, uint64(v))
}

// Text adds a text field.
func (d *CopyData) Text(s string) {
	d.b = binary.BigEndian.AppendUint32(d.b, uint32(len(s)))
	d.b = append(d.b, s...)
}

// Bool adds a bool field.
func (d *CopyData) Bool(v bool) {
	d.b = binary.BigEndian.AppendUint32(d.b, 1)
	if v {
		d.b = append(d.b, 1)
	} else {
		d.b = append(d.b, 0)
	}
}

// PointSize is the size of a field Point adds, length included.
const PointSize = 4 + 25

// Point adds a geometry field: the point (lon, lat) as little-endian EWKB
// with SRID 4326.
func (d *CopyData) Point(lon, lat float64) {
	d.b = binary.BigEndian.AppendUint32(d.b, 25)
	d.b = append(d.b, 1)                                      // little endian
	d.b = binary.LittleEndian.AppendUint32(d.b, 1|0x20000000) // Point, with SRID
	d.b = binary.LittleEndian.AppendUint32(d.b, 4326)
	d.b = binary.LittleEndian.AppendUint64(d.b, math.Float64bits(lon))
	d.b = binary.LittleEndian.AppendUint64(d.b, math.Float64bits(lat))
}

// Bytes returns the data with the format's trailer. It ends the data: add
// no row after it.
func (d *CopyData) Bytes() []byte {
	return binary.BigEndian.AppendUint16(d.b, 0xffff)
}

// CopyFrom copies d into the named columns of table, as "COPY table
// (columns) FROM STDIN (FORMAT binary)", and returns the time of the COPY
// alone. It fails unless the server copied every row of d.
func (s *Session) CopyFrom(ctx context.Context, table, columns string, d *CopyData) (time.Duration, error) {
	data := d.Bytes()
	start := time.Now()
	tag, err := s.Conn.PgConn().CopyFrom(ctx, bytes.NewReader(data), "COPY "+table+" ("+columns+") FROM STDIN (FORMAT binary)")
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if int(tag.RowsAffected()) != d.rows {
		return 0, fmt.Errorf("%d rows copied, want %d", tag.RowsAffected(), d.rows)
	}
	return elapsed, nil
}
