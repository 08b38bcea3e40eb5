/**
 * Implementations behind {@link dev.ringfence.gates}: the Prometheus gate's parameters, query template, HTTP
 * client and judge; the webhook gate's parameters, secret references, signed request, retried client and judge.
 * Not exported.
 */
@NullMarked
package dev.ringfence.gates.internal;

import org.jspecify.annotations.NullMarked;
