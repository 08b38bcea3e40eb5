/**
 * The RolloutStore SPI and its journal entries: everything the engine writes before it acts, and reads back to rebuild
 * itself after a restart. {@link dev.ringfence.core.store.SharedRolloutStore} adds what only a store that several
 * replicas write to has (admissions checked across them, catching up, waiting for a change, shared health), found
 * with {@link dev.ringfence.core.store.RolloutStore#shared()}.
 */
@NullMarked
package dev.ringfence.core.store;

import org.jspecify.annotations.NullMarked;
