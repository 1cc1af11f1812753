-- +goose Up
-- A call's request is stored encoded, in the wire form it is sent in (form), and a pending call
-- shows when it is tried next. Calls left pending by an older Mercato hold a request in a form
-- that is no longer sent: they are failed, with a message, for an operator to look at.
ALTER TABLE calls ADD COLUMN form TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN job_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE call_attempts ADD COLUMN response_size INTEGER NOT NULL DEFAULT 0;
UPDATE calls SET state = 'FAILED', last_error = 'stored by an older Mercato in a form it no longer sends' WHERE state = 'PENDING';

-- +goose Down
ALTER TABLE call_attempts DROP COLUMN response_size;
ALTER TABLE calls DROP COLUMN job_id;
ALTER TABLE calls DROP COLUMN next_attempt_at;
ALTER TABLE calls DROP COLUMN form;
