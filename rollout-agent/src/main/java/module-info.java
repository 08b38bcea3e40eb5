/**
 * Ringfence rollout agent: the endpoint-side guard that verifies, validates, activates content
 * atomically and reverts by itself. Only {@code dev.ringfence.agent} is exported.
 */
module dev.ringfence.agent {
  requires transitive dev.ringfence.core;
  requires com.fasterxml.jackson.databind;
  requires static transitive org.jspecify;

  exports dev.ringfence.agent;
}
