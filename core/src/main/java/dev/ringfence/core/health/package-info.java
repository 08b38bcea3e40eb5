/**
 * Health signals from endpoints (heartbeats, apply results, probe readings), what the engine does with
 * them, and the per-arm statistics gates read. Silence counts as failure: an endpoint offered the
 * candidate that does not report within its deadline is a silent failure of the candidate.
 */
@NullMarked
package dev.ringfence.core.health;

import org.jspecify.annotations.NullMarked;
