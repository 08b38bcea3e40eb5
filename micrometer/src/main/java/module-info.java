/**
 * Ringfence's Micrometer binders. Only {@code dev.ringfence.micrometer} is exported. The engine's meters
 * read only its public API ({@code RolloutEngine}, {@code Rollout}, their events), so no core internals are
 * opened to this module.
 */
module dev.ringfence.micrometer {
  requires transitive dev.ringfence.core;
  requires transitive micrometer.core;
  requires static transitive org.jspecify;

  exports dev.ringfence.micrometer;
}
