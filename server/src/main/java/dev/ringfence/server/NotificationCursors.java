package dev.ringfence.server;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Each sink's delivery cursor, the number of the last audit line handled for it, with a lease: the replica that
 * holds a sink's lease is the only one that sends to it, and moves the cursor as each event is answered. A replica
 * that stops holding it (it died, or lost the database) lets another take over once the lease has run out, from
 * the cursor: the event it was sending is sent again (at-least-once, with the same {@code id}); in the normal case
 * every event is sent once.
 */
interface NotificationCursors {

  /**
   * Takes or renews a sink's lease, creating its cursor at {@code initial} the first time.
   *
   * @param sink the sink's name
   * @param initial the cursor of a sink never seen before
   * @param owner this replica
   * @param now the clock's now
   * @param lease how long the lease lasts from now
   * @return the cursor, or empty when another replica holds an unexpired lease
   */
  OptionalLong claim(String sink, long initial, String owner, Instant now, Duration lease);

  /**
   * Moves the cursor forward (never back) and renews the lease, if this replica still holds it.
   *
   * @param sink the sink's name
   * @param owner this replica
   * @param line the last line handled
   * @param now the clock's now
   * @param lease how long the lease lasts from now
   * @return false when the lease went to another replica: stop sending
   */
  boolean advance(String sink, String owner, long line, Instant now, Duration lease);

  /**
   * Gives the lease up, so another replica may take the sink at once (on a clean stop).
   *
   * @param sink the sink's name
   * @param owner this replica
   */
  void release(String sink, String owner);
}
