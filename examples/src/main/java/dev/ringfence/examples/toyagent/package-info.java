/**
 * The end-to-end demo: an update server on loopback, agent processes in their own JVMs (each with its own
 * state directory, {@code rollout-agent} and a toy consumer whose parser crashes on a poisoned file), a
 * supervisor that restarts crashed agents like a boot loop, and a publisher that pushes a good release and
 * then a poisoned one. Run {@link dev.ringfence.cli.demo.EndToEndDemo}.
 */
package dev.ringfence.examples.toyagent;
