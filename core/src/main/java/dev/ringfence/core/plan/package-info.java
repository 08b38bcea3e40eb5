/**
 * Rollout plans: rings, selectors, freeze windows and velocity limits; strict JSON reading and writing; and the plan lint with its written overrides.
 */
@NullMarked
package dev.ringfence.core.plan;

import org.jspecify.annotations.NullMarked;
