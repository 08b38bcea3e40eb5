/**
 * Implementations behind the public API. Not exported; nothing here is API and all of it may change.
 */
@NullMarked
package dev.ringfence.core.internal;

import org.jspecify.annotations.NullMarked;
