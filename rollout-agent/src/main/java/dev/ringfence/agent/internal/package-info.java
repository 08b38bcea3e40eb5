/**
 * Implementations behind the agent's API: the slot store and its state file, the activation protocol,
 * and the file-system seam that tests use to inject faults. Not exported; do not depend on it.
 */
@NullMarked
package dev.ringfence.agent.internal;

import org.jspecify.annotations.NullMarked;
