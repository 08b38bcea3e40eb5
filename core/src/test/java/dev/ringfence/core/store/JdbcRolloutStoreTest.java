package dev.ringfence.core.store;

import dev.ringfence.core.testing.PostgresServer;
import org.junit.jupiter.api.BeforeAll;

/** The store conformance suite, on PostgreSQL: one database for the class, emptied before each test. */
class JdbcRolloutStoreTest extends RolloutStoreConformanceTest {

  private static PostgresServer.Database database;

  @BeforeAll
  static void createDatabase() {
    database = PostgresServer.newDatabase("contract");
  }

  @Override
  protected RolloutStore newStore() {
    RolloutStore store = RolloutStores.jdbc(database.dataSource());
    database.execute("TRUNCATE ringfence_admission, ringfence_journal, ringfence_rollout RESTART IDENTITY");
    return store;
  }
}
