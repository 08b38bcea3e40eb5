/**
 * The wire protocol between endpoints and an update server, with nothing but the JDK: health signals
 * (heartbeats, apply results, probe readings), the server's decision for an endpoint, the envelope's
 * signed-bytes format, the HTTP paths and headers, and the base of every Ringfence exception. Both the
 * engine ({@code ringfence-core}) and the endpoint agent ({@code ringfence-rollout-agent}) build on these
 * types, so an agent never carries the server's dependencies. Every parameter and return value is
 * non-null unless its Javadoc says otherwise.
 */
@NullMarked
package dev.ringfence.protocol;

import org.jspecify.annotations.NullMarked;
