/**
 * The agent side of the end-to-end demo ({@code ./ringfence demo}): {@link
 * dev.ringfence.examples.toyagent.ToyAgentMain} runs in its own JVM with its own state directory,
 * {@code rollout-agent} in front of a toy consumer whose parser ({@link
 * dev.ringfence.examples.toyagent.ToyContent}) crashes on a poisoned file. The update server, the
 * supervisor that restarts crashed agents like a boot loop, and the publisher that pushes a good release
 * and then a poisoned one are in the {@code cli} module ({@code dev.ringfence.cli.demo.EndToEndDemo}).
 */
package dev.ringfence.examples.toyagent;
