-- Omnibus outbox and inbox tables for PostgreSQL (9.5 or later: FOR UPDATE SKIP LOCKED, ON CONFLICT).
-- Run it yourself (psql -f) or let Outbox.createSchema() / Inbox.createSchema() run it. Idempotent.
-- The table names omnibus_outbox and omnibus_inbox are replaced when the module runs it with other names.

CREATE TABLE IF NOT EXISTS omnibus_outbox (
  id                BIGSERIAL PRIMARY KEY,          -- relay order: per ordering_key, ascending id
  event_id          TEXT        NOT NULL,           -- CloudEvents id
  event_source      TEXT,                           -- CloudEvents source; NULL: the relaying bus's source
  event_type        TEXT        NOT NULL,           -- CloudEvents type
  channel           TEXT        NOT NULL,           -- AsyncAPI channel id
  subject           TEXT,                           -- CloudEvents subject
  ordering_key      TEXT,                           -- partitionkey extension, else subject; NULL: no order
  event_time        TIMESTAMPTZ,                    -- CloudEvents time
  data_schema       TEXT,                           -- CloudEvents dataschema
  extensions        JSONB       NOT NULL DEFAULT '{}',
  data              BYTEA,                          -- the payload encoded by the event type's codec
  status            TEXT        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'DEAD')),
  attempts          INT         NOT NULL DEFAULT 0,
  next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_error        TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at           TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS omnibus_outbox_pending ON omnibus_outbox (ordering_key, id) WHERE status = 'PENDING';
CREATE INDEX IF NOT EXISTS omnibus_outbox_sent ON omnibus_outbox (sent_at) WHERE status = 'SENT';

CREATE TABLE IF NOT EXISTS omnibus_inbox (
  key               TEXT        PRIMARY KEY,        -- consumer + ' ' + CloudEvents source + ' ' + id
  handled_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS omnibus_inbox_handled ON omnibus_inbox (handled_at);
