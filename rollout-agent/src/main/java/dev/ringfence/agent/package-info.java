/**
 * The endpoint-side rollout agent: verifies, validates and activates content atomically in A/B slots,
 * and reverts by itself to the last-known-good after failed starts, without the server. Start with
 * {@link dev.ringfence.agent.RolloutAgent#builder()}.
 */
@NullMarked
package dev.ringfence.agent;

import org.jspecify.annotations.NullMarked;
