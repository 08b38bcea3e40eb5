/**
 * The gate SPI that decides whether the next ring may open, the verdicts gates return, and the built-in
 * gates: the health judge ({@link dev.ringfence.core.gate.HealthGate}) and the time-and-sample gate.
 */
@NullMarked
package dev.ringfence.core.gate;

import org.jspecify.annotations.NullMarked;
