-- Ringfence PostgreSQL store, schema version 3: the hash-chained audit trail and its head.
-- Applied by JdbcRolloutStore in one transaction under pg_advisory_xact_lock; in the same transaction the store
-- chains the audited rows already in ringfence_journal (created, transition, verdict), in position order.

-- One row per audit line, the same line as the file journal's audit.jsonl: seq from 1, prev the previous line's
-- hash (64 zeros for the first), hash the SHA-256 of prev || E'\n' || entry, entry the journal row's entry as
-- written. Inserted in the transaction of its journal row (position), under the lock of the head row, so seq
-- follows commit order over the whole store.
CREATE TABLE ringfence_audit (
  seq      bigint PRIMARY KEY CHECK (seq > 0),
  position bigint NOT NULL UNIQUE,
  prev     text   NOT NULL,
  hash     text   NOT NULL,
  entry    text   NOT NULL
);

-- Where the trail ends: updated in the same transaction as every line, so a deleted last line, an emptied table
-- or a shorter chain no longer matches it. Exactly one row.
CREATE TABLE ringfence_audit_head (
  id    boolean PRIMARY KEY DEFAULT true CHECK (id),
  lines bigint  NOT NULL CHECK (lines >= 0),
  hash  text    NOT NULL
);

INSERT INTO ringfence_audit_head (id, lines, hash)
  VALUES (true, 0, '0000000000000000000000000000000000000000000000000000000000000000');
