/**
 * Runnable examples of Ringfence embedded in an update server: {@link dev.ringfence.examples.QuickStart},
 * the code of the README's quick start, and the canary demo in {@code dev.ringfence.examples.demo}.
 */
package dev.ringfence.examples;
