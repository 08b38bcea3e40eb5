/**
 * Ringfence core: rollout plans, sticky cohorts, decisions, gates and the rollout state machine, for
 * embedding in an update server. Only API packages are exported; implementations live in
 * {@code dev.ringfence.core.internal}.
 */
module dev.ringfence.core {
  requires transitive com.google.common;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  // Transitive: RolloutStores.jdbc takes a javax.sql.DataSource. No JDBC driver is needed to compile;
  // the application brings PostgreSQL's. The migration scripts (dev/ringfence/core/db) are read by the
  // module's own classes, so that resource package needs no opens.
  requires transitive java.sql;
  requires transitive micrometer.core;
  requires static transitive org.jspecify;

  exports dev.ringfence.core;
  exports dev.ringfence.core.plan;
  exports dev.ringfence.core.gate;
  exports dev.ringfence.core.store;
  exports dev.ringfence.core.health;
  exports dev.ringfence.core.metrics;
}
