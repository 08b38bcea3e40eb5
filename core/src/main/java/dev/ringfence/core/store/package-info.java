/**
 * The RolloutStore SPI and its journal entries: everything the engine writes before it acts, and reads back to rebuild itself after a restart.
 */
@NullMarked
package dev.ringfence.core.store;

import org.jspecify.annotations.NullMarked;
