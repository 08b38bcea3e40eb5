package dev.ringfence.core.gate;

import dev.ringfence.protocol.InvalidInputException;
import java.time.Instant;

/**
 * What an {@link AsyncGate} measures: a copy of the parts of the {@link GateContext} that an outside system may
 * be asked about, taken on the tick thread, so that the measurement can run later on another thread.
 *
 * @param rolloutId the rollout's id
 * @param channel the channel being rolled out
 * @param ringIndex index of the ring being judged
 * @param ringName name of the ring being judged
 * @param baselineVersion the baseline version
 * @param candidateVersion the candidate version
 * @param at the instant to measure at, from the engine's clock when the measurement was started
 */
public record GateQuery(String rolloutId, String channel, int ringIndex, String ringName, long baselineVersion,
    long candidateVersion, Instant at) {

  /**
   * Validates.
   *
   * @param rolloutId the rollout's id
   * @param channel the channel being rolled out
   * @param ringIndex index of the ring being judged
   * @param ringName name of the ring being judged
   * @param baselineVersion the baseline version
   * @param candidateVersion the candidate version
   * @param at the instant to measure at
   * @throws InvalidInputException if a part is null or the ring index is negative
   */
  public GateQuery {
    if (rolloutId == null || channel == null || ringName == null || at == null) {
      throw new InvalidInputException("query", "rolloutId, channel, ringName and at are required");
    }
    if (ringIndex < 0) {
      throw new InvalidInputException("ringIndex", ringIndex + " is negative");
    }
  }

  /**
   * Copies what a measurement needs out of a gate context.
   *
   * @param context the context of the current evaluation
   * @return the query, at the context's {@code now}
   */
  public static GateQuery of(GateContext context) {
    return new GateQuery(context.rolloutId(), context.channel(), context.ringIndex(), context.ring().name(),
        context.baselineVersion(), context.candidateVersion(), context.now());
  }
}
