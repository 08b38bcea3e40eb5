/**
 * Ringfence rollout agent: the endpoint-side guard that verifies, validates, activates content
 * atomically and reverts by itself. Only {@code dev.ringfence.agent} is exported.
 */
module dev.ringfence.agent {
  requires transitive dev.ringfence.protocol;
  requires com.fasterxml.jackson.databind;
  requires transitive java.net.http;
  requires io.github.resilience4j.core;
  requires io.github.resilience4j.retry;
  requires io.github.resilience4j.circuitbreaker;
  requires io.github.resilience4j.timelimiter;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports dev.ringfence.agent;
}
