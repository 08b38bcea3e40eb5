/**
 * The public API of the rollout engine: RolloutEngine and its configuration, Rollout handles, decisions, states and triggers, cohorts, events and the exceptions the library throws.
 */
@NullMarked
package dev.ringfence.core;

import org.jspecify.annotations.NullMarked;
