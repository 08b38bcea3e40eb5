/**
 * The engine embedded in a plain HTTP handler on the JDK's built-in server ({@code jdk.httpserver}):
 * {@link dev.ringfence.examples.http.DecisionHandler} answers {@code GET /decide} with the rollout's
 * decision as JSON, and its {@code main} serves the quick start's rollout on 127.0.0.1.
 */
package dev.ringfence.examples.http;
