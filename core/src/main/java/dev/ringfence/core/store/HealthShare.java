package dev.ringfence.core.store;

import dev.ringfence.protocol.InvalidInputException;
import java.time.Instant;

/**
 * One replica's health of one rollout, as replicas sharing a store exchange it on every tick: what the judge
 * needs from that replica (per stratum, its cumulative failures and its endpoints at risk in each arm; per ring
 * and arm, its endpoints by outcome). The engine writes and reads {@code health}; a store keeps it verbatim, one
 * row per (rollout, replica), the latest replacing the one before. See {@link SharedRolloutStore#exchangeHealth}.
 *
 * @param rolloutId the rollout
 * @param replicaId the replica that published it, unique per engine instance (a restarted process is a new
 *     replica)
 * @param publishedAt when the replica published it, on its clock: a replica that stops publishing expires
 * @param health the engine's encoding of the numbers, one line of JSON
 */
public record HealthShare(String rolloutId, String replicaId, Instant publishedAt, String health) {

  /**
   * @param rolloutId the rollout
   * @param replicaId the replica that published it, unique per engine instance (a restarted process is a new
   *     replica)
   * @param publishedAt when the replica published it, on its clock: a replica that stops publishing expires
   * @param health the engine's encoding of the numbers, one line of JSON
   * @throws InvalidInputException naming the first field that is null or blank
   */
  public HealthShare {
    require("rolloutId", rolloutId);
    require("replicaId", replicaId);
    if (publishedAt == null) {
      throw new InvalidInputException("publishedAt", "is null");
    }
    require("health", health);
  }

  private static void require(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, "is null or blank");
    }
  }
}
