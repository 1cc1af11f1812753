package store

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

const usageCols = 12

// usageChunk bounds one INSERT: 12 parameters a row stays far below both engines' limits
// (SQLite 32766, PostgreSQL 65535) at 1000 rows, but smaller statements prepare faster.
const usageChunk = 500

// InsertUsage stores usage records, skipping duplicates — a record whose (merchant, metering_sn)
// or (instance, begin, end) is already stored, first one wins — and keeps the per-cycle and
// per-hour totals of the records it stored, all in the caller's transaction. rows must hold no
// duplicate among themselves. It returns how many rows were new.
func (tx *Tx) InsertUsage(ctx context.Context, rows []market.UsageRecord) (int, error) {
	// In key order, like the sums below: concurrent pushes of the same records must take the
	// unique index's locks in one order.
	slices.SortFunc(rows, func(a, b market.UsageRecord) int {
		return cmp.Or(cmp.Compare(a.MerchantID, b.MerchantID), cmp.Compare(a.MeteringSN, b.MeteringSN))
	})
	var fresh []*market.UsageRecord
	for start := 0; start < len(rows); start += usageChunk {
		chunk := rows[start:min(start+usageChunk, len(rows))]
		args := make([]any, 0, len(chunk)*usageCols)
		for i := range chunk {
			r := &chunk[i]
			args = append(args, r.MerchantID, r.MeteringSN, r.InstanceKey, r.ProductID, r.PkgKey, ms(r.BeginAt), ms(r.EndAt),
				ms(r.RecordAt), int64(r.Quantity), ms(r.ReceivedAt), ms(r.CycleAt), r.Late)
		}
		inserted, err := tx.queryPrepared(ctx, usageInsertSQL(len(chunk), tx.sqlite), args...)
		if err != nil {
			return 0, err
		}
		bySN := make(map[[2]string]*market.UsageRecord, len(chunk))
		for i := range chunk {
			bySN[[2]string{chunk[i].MerchantID, chunk[i].MeteringSN}] = &chunk[i]
		}
		for inserted.Next() {
			var k [2]string
			if err := inserted.Scan(&k[0], &k[1]); err != nil {
				inserted.Close()
				return 0, err
			}
			fresh = append(fresh, bySN[k])
		}
		if err := inserted.Close(); err != nil {
			return 0, err
		}
	}
	if err := tx.addTotals(ctx, fresh); err != nil {
		return 0, err
	}
	return len(fresh), tx.addHours(ctx, fresh)
}

// usageInsertSQL is the INSERT of n usage records that skips duplicates and returns the keys of
// the rows it stored.
func usageInsertSQL(n int, sqlite bool) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO usage_records (merchant_id, metering_sn, instance_key, product_id, pkg_key, begin_at, end_at,
			record_at, quantity, received_at, cycle_at, late) VALUES `)
	q := Reader{sqlite: sqlite}
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		q.placeholders(&b, i*usageCols, usageCols)
	}
	b.WriteString(` ON CONFLICT DO NOTHING RETURNING merchant_id, metering_sn`)
	return b.String()
}

// placeholders writes "($n+1, ..., $n+k)", or "(?, ..., ?)" on SQLite.
func (r Reader) placeholders(b *strings.Builder, n, k int) {
	b.WriteByte('(')
	for j := range k {
		if j > 0 {
			b.WriteByte(',')
		}
		if r.sqlite {
			b.WriteByte('?')
			continue
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n + j + 1))
	}
	b.WriteByte(')')
}

type totalKey struct {
	cycle         int64
	instance, pkg string
}

type total struct {
	buyer                  string
	quantity, late, record int64
}

// addTotals adds stored records to the per-collection sums rating reads.
func (tx *Tx) addTotals(ctx context.Context, rows []*market.UsageRecord) error {
	sums := map[totalKey]*total{}
	var keys []totalKey
	for _, r := range rows {
		k := totalKey{ms(r.CycleAt), r.InstanceKey, r.PkgKey}
		t := sums[k]
		if t == nil {
			t = &total{buyer: r.BuyerID}
			sums[k] = t
			keys = append(keys, k)
		}
		t.quantity += int64(r.Quantity)
		t.record++
		if r.Late {
			t.late += int64(r.Quantity)
		}
	}
	// Rows are locked in key order, the same in every transaction: two concurrent pushes that
	// share sums wait for each other instead of deadlocking (PostgreSQL).
	slices.SortFunc(keys, func(a, b totalKey) int {
		return cmp.Or(cmp.Compare(a.cycle, b.cycle), cmp.Compare(a.instance, b.instance), cmp.Compare(a.pkg, b.pkg))
	})
	return tx.upsertMany(ctx, len(keys), 7, `INSERT INTO usage_totals (cycle_at, instance_key, pkg_key, buyer_id, quantity, late, records) VALUES `,
		` ON CONFLICT (cycle_at, instance_key, pkg_key) DO UPDATE SET quantity = `+saturated("usage_totals.quantity")+`,
			late = `+saturated("usage_totals.late")+`, records = usage_totals.records + excluded.records`,
		func(i int) []any {
			k, t := keys[i], sums[keys[i]]
			return []any{k.cycle, k.instance, k.pkg, t.buyer, t.quantity, t.late, t.record}
		})
}

// addHours adds stored records to the per-hour sums people read, by the hour their use began.
func (tx *Tx) addHours(ctx context.Context, rows []*market.UsageRecord) error {
	type key struct {
		instance string
		hour     int64
	}
	sums := map[key]*[2]int64{}
	var keys []key
	for _, r := range rows {
		k := key{r.InstanceKey, ms(r.BeginAt.Truncate(time.Hour))}
		s := sums[k]
		if s == nil {
			s = &[2]int64{}
			sums[k] = s
			keys = append(keys, k)
		}
		s[0] += int64(r.Quantity)
		s[1]++
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.instance, b.instance), cmp.Compare(a.hour, b.hour)) })
	return tx.upsertMany(ctx, len(keys), 4, `INSERT INTO usage_hours (instance_key, hour_at, quantity, records) VALUES `,
		` ON CONFLICT (instance_key, hour_at) DO UPDATE SET quantity = `+saturated("usage_hours.quantity")+`,
			records = usage_hours.records + excluded.records`,
		func(i int) []any {
			s := sums[keys[i]]
			return []any{keys[i].instance, keys[i].hour, s[0], s[1]}
		})
}

// saturated is the SQL that adds excluded's value to a running sum without overflowing: a sum
// stops at market.MaxTotal, where SQLite would turn it into a float and PostgreSQL fail the
// whole batch. Rating refuses a saturated sum (and bills the other instances).
func saturated(col string) string {
	name := col[strings.IndexByte(col, '.')+1:]
	cap := strconv.FormatInt(int64(market.MaxTotal), 10)
	return "CASE WHEN " + col + " > " + cap + " - excluded." + name + " THEN " + cap + " ELSE " + col + " + excluded." + name + " END"
}

// upsertMany runs head + n value tuples of k columns + tail, in chunks.
func (tx *Tx) upsertMany(ctx context.Context, n, k int, head, tail string, row func(i int) []any) error {
	for start := 0; start < n; start += usageChunk {
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, usageChunk*k)
		for i := start; i < min(start+usageChunk, n); i++ {
			if i > start {
				b.WriteByte(',')
			}
			tx.placeholders(&b, len(args), k)
			args = append(args, row(i)...)
		}
		b.WriteString(tail)
		if _, err := tx.q.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// UsageTotals returns the sums of a collection, by buyer and instance.
func (r Reader) UsageTotals(ctx context.Context, cycleAt time.Time) ([]market.UsageTotal, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT instance_key, pkg_key, buyer_id, quantity, late, records FROM usage_totals
		WHERE cycle_at = $1 ORDER BY buyer_id, instance_key, pkg_key`, ms(cycleAt))
	return collect(rows, err, func(r rowScanner) (market.UsageTotal, error) {
		var t market.UsageTotal
		err := r.Scan(&t.InstanceKey, &t.PkgKey, &t.BuyerID, &t.Quantity, &t.Late, &t.Records)
		return t, err
	})
}

// RecountUsage sums every collection straight from the stored records in one pass: the slow
// path that UsageTotals keeps current, used to check the running sums.
func (r Reader) RecountUsage(ctx context.Context) ([]market.Recount, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT cycle_at, COUNT(*), SUM(quantity) FROM usage_records GROUP BY cycle_at ORDER BY cycle_at`)
	return collect(rows, err, func(r rowScanner) (market.Recount, error) {
		var c market.Recount
		var at int64
		err := r.Scan(&at, &c.Records, &c.Quantity)
		c.CycleAt = fromMS(at)
		return c, err
	})
}

// UsageHours lists an instance's usage per hour, newest first.
func (r Reader) UsageHours(ctx context.Context, instanceKey string, limit int) ([]market.UsageHour, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT hour_at, quantity, records FROM usage_hours WHERE instance_key = $1
		ORDER BY hour_at DESC LIMIT $2`, instanceKey, limit)
	return collect(rows, err, func(r rowScanner) (market.UsageHour, error) {
		var h market.UsageHour
		var at int64
		err := r.Scan(&at, &h.Quantity, &h.Records)
		h.Hour = fromMS(at)
		return h, err
	})
}

// CountUsage counts every stored usage record and sums their quantities.
func (r Reader) CountUsage(ctx context.Context) (records int64, quantity market.Quantity, err error) {
	err = r.q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(quantity), 0) FROM usage_records`).Scan(&records, &quantity)
	return
}

// MeteringSNs lists the stored metering_sn values that start with prefix, for tests and tools.
func (r Reader) MeteringSNs(ctx context.Context, prefix string) ([]string, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT metering_sn FROM usage_records WHERE substr(metering_sn, 1, length(CAST($1 AS TEXT))) = $1`, prefix)
	return collect(rows, err, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}
