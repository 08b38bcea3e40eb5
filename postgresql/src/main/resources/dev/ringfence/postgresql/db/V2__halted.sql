-- Ringfence PostgreSQL store, schema version 2: the rollout row remembers that the rollout was halted,
-- so that an admission racing with a halt committed by another replica is refused under the same row lock.
ALTER TABLE ringfence_rollout ADD COLUMN halted boolean NOT NULL DEFAULT false;
