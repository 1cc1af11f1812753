package store

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Lists are read a page at a time, by keyset: a page holds at most Limit items that sort after
// the cursor of the previous page's last item, so a page costs the same however deep it is and
// no item is seen twice or skipped when rows are added meanwhile.

// MaxLimit is the largest page; DefaultLimit is the page of a list that names none.
const (
	MaxLimit     = 500
	DefaultLimit = 100
)

// Page selects one page of a list.
type Page struct {
	Limit int    // 1 to MaxLimit; 0 means DefaultLimit
	After Cursor // zero for the first page
}

// Cursor is where a page ends: the sort key of its last item (a time and an ID, or for lists
// sorted by ID alone, the ID).
type Cursor struct {
	At time.Time
	ID string
}

// IsZero reports whether c is the zero cursor: the first page, or no next page.
func (c Cursor) IsZero() bool { return c.At.IsZero() && c.ID == "" }

// String encodes the cursor for a URL; it is opaque to clients.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(ms(c.At), 10) + "." + c.ID))
}

// ParseCursor decodes a cursor made by String.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	at, id, ok := strings.Cut(string(b), ".")
	n, nerr := strconv.ParseInt(at, 10, 64)
	if err != nil || !ok || nerr != nil || n < 0 || len(id) > 256 {
		return Cursor{}, market.Invalid("cursor", "cursor %q is not one this server made; use the next link of the previous page", s)
	}
	return Cursor{At: fromMS(n), ID: id}, nil
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return DefaultLimit
	}
	return min(p.Limit, MaxLimit)
}

// afterMS is the cursor's time for a query: 0 on the first page.
func (p Page) afterMS() int64 { return ms(p.After.At) }

// cut trims a query's rows, read with one more than the page's limit, to the page and returns
// the cursor of the next page (zero when this is the last).
func cut[T any](rows []T, err error, p Page, key func(T) Cursor) ([]T, Cursor, error) {
	if err != nil || len(rows) <= p.limit() {
		return rows, Cursor{}, err
	}
	rows = rows[:p.limit()]
	return rows, key(rows[len(rows)-1]), nil
}

// listQuery builds a list's WHERE clause from the filters a request gives, numbering their
// parameters in order ($? becomes $1, $2, ...): a filter left out is not in the query, so the
// planner sees which index narrows.
type listQuery struct {
	conds []string
	args  []any
}

// and adds cond with its values when on.
func (q *listQuery) and(on bool, cond string, vals ...any) {
	if on {
		q.conds = append(q.conds, q.number(cond, vals))
	}
}

// then numbers the placeholders of a clause that follows the conditions (ORDER BY ... LIMIT $?).
func (q *listQuery) then(clause string, vals ...any) string { return q.number(clause, vals) }

func (q *listQuery) number(s string, vals []any) string {
	for _, v := range vals {
		q.args = append(q.args, v)
		s = strings.Replace(s, "$?", fmt.Sprintf("$%d", len(q.args)), 1)
	}
	return s
}

// where is the WHERE clause of the conditions, or nothing.
func (q *listQuery) where() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}
