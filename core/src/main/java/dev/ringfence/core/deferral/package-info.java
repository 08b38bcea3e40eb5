/**
 * Customer deferral: a per-channel policy, set by the customers whose endpoints it matches, that keeps those
 * endpoints one release behind ({@code policy: "n-1"}) or gives them a completed rollout's candidate only a delay
 * after it completed, through a short gated rollout of their own ({@code delay}). {@link
 * dev.ringfence.core.deferral.DeferralPolicy} is the policy, {@link dev.ringfence.core.deferral.Deferrals} decides
 * for a deferred endpoint and creates the deferred groups' own rollouts.
 */
@NullMarked
package dev.ringfence.core.deferral;

import org.jspecify.annotations.NullMarked;
