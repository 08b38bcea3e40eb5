-- Ringfence PostgreSQL store, schema version 4: the judge's numbers of every replica, so that each judges the fleet.
-- One row per (rollout, replica), replaced on every tick of that replica (INSERT ... ON CONFLICT DO UPDATE). health is
-- the engine's JSON (per stratum key: cumulative failures and endpoints at risk in each arm; endpoints per ring and
-- outcome); published_at is the replica's clock when it published. Rows of replicas that stopped are kept: the engine
-- expires them (their failures stay counted, their endpoints at risk do not). A replica id is new with every start.
CREATE TABLE ringfence_replica_health (
  rollout_id   text        NOT NULL REFERENCES ringfence_rollout (rollout_id),
  replica_id   text        NOT NULL,
  published_at timestamptz NOT NULL,
  health       text        NOT NULL,
  PRIMARY KEY (rollout_id, replica_id)
);
