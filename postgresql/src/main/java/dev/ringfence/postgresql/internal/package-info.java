/** The PostgreSQL store's implementation; not API. */
@NullMarked
package dev.ringfence.postgresql.internal;

import org.jspecify.annotations.NullMarked;
