/**
 * The endpoint-side rollout agent API (see the module description).
 */
@NullMarked
package dev.ringfence.agent;

import org.jspecify.annotations.NullMarked;
