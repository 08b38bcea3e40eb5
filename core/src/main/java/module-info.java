/**
 * Ringfence core: rollout plans, sticky cohorts, decisions, gates, the rollout state machine, the file
 * journal and the audit chain, for embedding in an update server. Only API packages are exported;
 * implementations live in {@code dev.ringfence.core.internal}. The wire types it shares with endpoints
 * come from {@code dev.ringfence.protocol}; the PostgreSQL store and the Micrometer binders are modules of
 * their own ({@code dev.ringfence.postgresql}, {@code dev.ringfence.micrometer}).
 */
module dev.ringfence.core {
  requires transitive dev.ringfence.protocol;
  // Transitive while Guava's immutable collections appear in the plan API (Plan.rings(), Selector, ...).
  requires transitive com.google.common;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports dev.ringfence.core;
  exports dev.ringfence.core.plan;
  exports dev.ringfence.core.gate;
  exports dev.ringfence.core.store;
  exports dev.ringfence.core.health;
  exports dev.ringfence.core.deferral;
}
