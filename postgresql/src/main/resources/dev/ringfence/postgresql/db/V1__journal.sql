-- Ringfence PostgreSQL store, schema version 1: the journal, one row per rollout, the admission set.
-- Applied by JdbcRolloutStore in one transaction under pg_advisory_xact_lock; see docs/postgresql.md.
-- Statements end with ';' at the end of a line (the migrator splits on that); no dollar-quoted bodies.

-- One row per rollout, inserted with its Created entry. last_sequence is the number of the last stored
-- Transitioned entry (0 before the first) and doubles as the version of the row: an append of
-- transition n updates it from n-1 to n in the same transaction, or is refused.
CREATE TABLE ringfence_rollout (
  rollout_id    text        PRIMARY KEY,
  creation      bigserial   NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL,
  last_sequence bigint      NOT NULL DEFAULT 0 CHECK (last_sequence >= 0)
);

-- Every journal entry, in append order (position). entry is the JournalCodec JSON, the only source of
-- truth on read; the other columns index it.
CREATE TABLE ringfence_journal (
  position    bigserial   PRIMARY KEY,
  rollout_id  text        NOT NULL REFERENCES ringfence_rollout (rollout_id),
  kind        text        NOT NULL CHECK (kind IN ('created', 'transition', 'admitted', 'verdict', 'reverted')),
  sequence    bigint      CHECK (sequence > 0),
  at          timestamptz NOT NULL,
  endpoint_id text,
  entry       text        NOT NULL,
  CONSTRAINT ringfence_journal_sequence_unique UNIQUE (rollout_id, sequence),
  CONSTRAINT ringfence_journal_sequence_only_on_transitions CHECK ((kind = 'transition') = (sequence IS NOT NULL)),
  CONSTRAINT ringfence_journal_endpoint_on_endpoint_entries
    CHECK ((kind IN ('admitted', 'reverted')) = (endpoint_id IS NOT NULL))
);

CREATE INDEX ringfence_journal_rollout_position ON ringfence_journal (rollout_id, position);

CREATE INDEX ringfence_journal_rollout_endpoint ON ringfence_journal (rollout_id, endpoint_id)
  WHERE endpoint_id IS NOT NULL;

-- The exact set of admitted endpoints per rollout (the journal may hold a concurrent duplicate; this
-- table keeps the first). Written in the same transaction as the Admitted entry.
CREATE TABLE ringfence_admission (
  rollout_id  text        NOT NULL REFERENCES ringfence_rollout (rollout_id),
  endpoint_id text        NOT NULL,
  ring_index  integer     NOT NULL CHECK (ring_index >= 0),
  admitted_at timestamptz NOT NULL,
  PRIMARY KEY (rollout_id, endpoint_id)
);

CREATE INDEX ringfence_admission_rollout_ring ON ringfence_admission (rollout_id, ring_index);
