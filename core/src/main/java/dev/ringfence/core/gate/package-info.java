/**
 * The gate SPI that decides whether the next ring may open, the verdicts gates return, and the built-in
 * gates: the health judge ({@link dev.ringfence.core.gate.HealthGate}) and the time-and-sample gate. Gates that
 * wait on the network implement {@link dev.ringfence.core.gate.AsyncGate}, whose measurements run on an injected
 * executor while the tick only reads the last finished one.
 */
@NullMarked
package dev.ringfence.core.gate;

import org.jspecify.annotations.NullMarked;
