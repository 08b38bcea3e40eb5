/**
 * Small, runnable integrations of Ringfence:
 *
 * <ul>
 *   <li>{@link dev.ringfence.examples.QuickStart}: the README's quick start, a plan of three rings
 *       judged by the health gate, one decision and one tick; a test compiles and runs the README's copy
 *       and keeps the two identical.
 *   <li>{@link dev.ringfence.examples.http}: the engine behind a plain HTTP handler of the JDK's built-in
 *       server, answering {@code GET /decide} with JSON.
 *   <li>{@link dev.ringfence.examples.toyagent}: the toy agent of the end-to-end demo. {@code ./ringfence
 *       demo} (module {@code cli}) starts it in separate agent processes, each running {@code
 *       rollout-agent} in front of a toy consumer whose parser crashes on a poisoned file.
 * </ul>
 */
package dev.ringfence.examples;
