/**
 * Micrometer metrics of the rollout engine, bound with {@link dev.ringfence.core.metrics.RingfenceMetrics}.
 */
@NullMarked
package dev.ringfence.core.metrics;

import org.jspecify.annotations.NullMarked;
