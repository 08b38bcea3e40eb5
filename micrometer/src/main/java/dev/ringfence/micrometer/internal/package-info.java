/** The meter binders' implementations; not API. */
@NullMarked
package dev.ringfence.micrometer.internal;

import org.jspecify.annotations.NullMarked;
