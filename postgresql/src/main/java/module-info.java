/**
 * Ringfence on PostgreSQL: a {@link dev.ringfence.core.store.RolloutStore} that several update server
 * replicas share. Only {@code dev.ringfence.postgresql} is exported
 * (its implementation package to the update server alone, for the schema migrator).
 */
module dev.ringfence.postgresql {
  requires transitive dev.ringfence.core;
  requires transitive java.sql;
  requires org.postgresql.jdbc;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports dev.ringfence.postgresql;
  // The schema migrator serves the update server's own tables too; it is not API.
  exports dev.ringfence.postgresql.internal to dev.ringfence.server;
}
