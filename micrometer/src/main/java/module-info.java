/**
 * Ringfence's Micrometer binders. Only {@code dev.ringfence.micrometer} is exported. The engine's meters
 * read only its public API ({@code RolloutEngine}, {@code Rollout}, their events), so no core internals are
 * opened to this module; the agent's meters read only the agent's events and {@code activeContent()}. The
 * agent is a static (optional) dependency: only {@code RingfenceAgentMetrics} needs it, and an endpoint that
 * uses it has the agent already.
 */
module dev.ringfence.micrometer {
  requires transitive dev.ringfence.core;
  requires transitive micrometer.core;
  requires static transitive dev.ringfence.agent;
  requires static transitive org.jspecify;

  exports dev.ringfence.micrometer;
}
