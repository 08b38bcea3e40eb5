/**
 * Micrometer metrics for Ringfence: {@link dev.ringfence.micrometer.RingfenceMetrics} binds the rollout
 * engine's meters (dotted lowercase names under {@code ringfence.}, tagged with rollout and channel) to a
 * {@code MeterRegistry}, and {@link dev.ringfence.micrometer.RingfenceAgentMetrics} the endpoint agent's. Both
 * keep the ids of the meters they registered and remove them at {@code close()}. Kept out of
 * {@code ringfence-core} and {@code ringfence-rollout-agent} so that neither carries Micrometer.
 */
@NullMarked
package dev.ringfence.micrometer;

import org.jspecify.annotations.NullMarked;
