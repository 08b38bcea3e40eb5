package dev.ringfence.server;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the stop-all switch lives, so that every replica refuses new rollouts while it is on: every switch-on and
 * lift in order, in a file of the data folder ({@link FileStopAllRecords}) or in PostgreSQL ({@link
 * JdbcSharedRecords}). The switch is on when the newest event is a stop.
 */
interface StopAllRecords {

  /**
   * One switch-on or lift.
   *
   * @param stop true for a stop, false for a lift
   * @param actor the name of the token that called
   * @param reason the written reason
   * @param at when
   */
  record Event(boolean stop, String actor, String reason, Instant at) {}

  /**
   * Appends an event unless it would not change the switch: a stop while stopped, a lift while not.
   *
   * @param event the event
   * @return the switch's newest event afterwards: {@code event} when it was appended, else the one that stands
   */
  Optional<Event> append(Event event);

  /** @return the newest event, if there is one */
  Optional<Event> latest();

  /** @return every event, oldest first */
  List<Event> events();
}
