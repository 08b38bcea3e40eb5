package dev.ringfence.postgresql;

import dev.ringfence.core.store.RolloutStore;
import dev.ringfence.postgresql.test.PostgresServer;
import dev.ringfence.testing.RolloutStoreConformanceKit;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;

/** The store conformance suite, on PostgreSQL: one database for the class, emptied before each test. */
class PostgresRolloutStoreTest extends RolloutStoreConformanceKit {

  private static PostgresServer.Database database;

  @BeforeAll
  static void createDatabase() {
    database = PostgresServer.newDatabase("contract");
  }

  @Override
  protected RolloutStore newStore() {
    RolloutStore store = PostgresRolloutStore.create(database.dataSource());
    database.execute("TRUNCATE ringfence_replica_health, ringfence_admission, ringfence_journal, ringfence_rollout, ringfence_audit RESTART IDENTITY",
        "UPDATE ringfence_audit_head SET lines = 0, hash = repeat('0', 64)");
    return store;
  }

  /** Another replica: a second store on the same database. */
  @Override
  protected Optional<RolloutStore> anotherProcess() {
    return Optional.of(PostgresRolloutStore.create(database.dataSource()));
  }
}
