/**
 * Gates on outside systems, registered with the engine by type: {@link dev.ringfence.gates.PrometheusGateFactory}
 * ({@code "type": "prometheus"}) and {@link dev.ringfence.gates.WebhookGateFactory} ({@code "type": "webhook"}).
 * See {@code docs/gates.md}.
 */
@NullMarked
package dev.ringfence.gates;

import org.jspecify.annotations.NullMarked;
