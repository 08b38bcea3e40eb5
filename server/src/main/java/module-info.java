/**
 * The Ringfence update server: the endpoint API agents talk to, the admin API, the status page and the
 * metrics, around the rollout engine. Exports {@code dev.ringfence.server}, whose entry points are
 * {@code UpdateServer}, {@code UpdateServerConfig} and {@code UpdateServerMain}.
 */
module dev.ringfence.server {
  requires transitive dev.ringfence.core;
  requires dev.ringfence.postgresql;
  requires dev.ringfence.micrometer;
  requires dev.ringfence.gates;
  requires transitive dev.ringfence.agent;
  // AdminClient answers with Jackson trees.
  requires transitive com.fasterxml.jackson.databind;
  // PGSimpleDataSource is Referenceable.
  requires java.naming;
  requires java.sql;
  requires org.eclipse.jetty.server;
  requires java.net.http;
  requires transitive micrometer.registry.prometheus;
  requires org.postgresql.jdbc;
  requires org.slf4j;
  // Notifications' retries with backoff, as the webhook gate's.
  requires io.github.resilience4j.core;
  requires io.github.resilience4j.retry;
  requires static org.jspecify;

  exports dev.ringfence.server;
  // Request and response bodies are package-private records that Jackson binds.
  opens dev.ringfence.server to com.fasterxml.jackson.databind;
}
