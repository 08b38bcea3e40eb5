package dev.ringfence.agent;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link RolloutAgent#onStart()}.
 *
 * @param action what the agent decided
 * @param active the content to run, null when there is none
 * @param failedStarts the pending version's failed-start counter after this start, or while the last-known-good is in
 *     probation its count of unclean starts since the confirmation (0 when neither)
 * @param reason why, in plain words (also sent to the signal sink when something went wrong)
 */
public record StartResult(StartAction action, @Nullable ActiveContent active, int failedStarts, String reason) {

  /** @return the content to run, empty when there is none */
  public Optional<ActiveContent> activeContent() {
    return Optional.ofNullable(active);
  }
}
