/**
 * Implementations behind {@link dev.ringfence.gates}: the Prometheus gate's parameters, query template, HTTP
 * client and judge. Not exported.
 */
@NullMarked
package dev.ringfence.gates.internal;

import org.jspecify.annotations.NullMarked;
