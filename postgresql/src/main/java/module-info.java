/**
 * Ringfence on PostgreSQL: a {@link dev.ringfence.core.store.RolloutStore} that several update server
 * replicas share. Only {@code dev.ringfence.postgresql} is exported.
 */
module dev.ringfence.postgresql {
  requires transitive dev.ringfence.core;
  requires transitive java.sql;
  requires org.postgresql.jdbc;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports dev.ringfence.postgresql;
}
