package store

import (
	"context"
	"encoding/base64"

	"github.com/mercato-oss/mercato/internal/market"
)

// AppendEvidence appends a step to a subject's evidence log, with its files, numbering it after
// the last. The log is never rewritten.
func (tx *Tx) AppendEvidence(ctx context.Context, e *market.Evidence) error {
	if err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM evidence WHERE subject = $1`, e.Subject).Scan(&e.Seq); err != nil {
		return err
	}
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO evidence (subject, seq, at, role, actor, action, from_state, to_state, text)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.Subject, e.Seq, ms(e.At), string(e.Role), e.Actor, e.Action, e.From, e.To, e.Text); err != nil {
		return err
	}
	for _, f := range e.Files {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO attachments (id, subject, seq, name, content_type, size, sha256, content)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.ID, e.Subject, e.Seq, f.Name, f.ContentType, f.Size, f.SHA256,
			base64.StdEncoding.EncodeToString(f.Content)); err != nil {
			return err
		}
	}
	return nil
}

// Evidence returns a subject's log, oldest first, with its files' metadata (not their content).
func (r Reader) Evidence(ctx context.Context, subject string) ([]*market.Evidence, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT subject, seq, at, role, actor, action, from_state, to_state, text FROM evidence
		WHERE subject = $1 ORDER BY seq LIMIT 1000`, subject)
	steps, err := collect(rows, err, func(r rowScanner) (*market.Evidence, error) {
		var e market.Evidence
		var at int64
		err := r.Scan(&e.Subject, &e.Seq, &at, &e.Role, &e.Actor, &e.Action, &e.From, &e.To, &e.Text)
		e.At = fromMS(at)
		return &e, err
	})
	if err != nil || len(steps) == 0 {
		return steps, err
	}
	rows, err = r.q.QueryContext(ctx, `SELECT id, seq, name, content_type, size, sha256 FROM attachments WHERE subject = $1 ORDER BY seq, id`, subject)
	type file struct {
		seq int
		a   market.Attachment
	}
	files, err := collect(rows, err, func(r rowScanner) (file, error) {
		var f file
		err := r.Scan(&f.a.ID, &f.seq, &f.a.Name, &f.a.ContentType, &f.a.Size, &f.a.SHA256)
		return f, err
	})
	for _, f := range files {
		if f.seq >= 1 && f.seq <= len(steps) {
			steps[f.seq-1].Files = append(steps[f.seq-1].Files, f.a)
		}
	}
	return steps, err
}

// Attachment returns a file of a subject's log with its content.
func (r Reader) Attachment(ctx context.Context, subject, id string) (*market.Attachment, error) {
	var a market.Attachment
	var content string
	err := r.q.QueryRowContext(ctx, `SELECT id, name, content_type, size, sha256, content FROM attachments WHERE subject = $1 AND id = $2`, subject, id).
		Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &content)
	if err != nil {
		return nil, notFound(err, "file", id)
	}
	a.Content, err = base64.StdEncoding.DecodeString(content)
	return &a, err
}
