package dev.ringfence.core.deferral;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.plan.Selector;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a {@link DeferralPolicy}: which endpoints it defers and how.
 *
 * @param match which endpoints it defers: every condition must hold, as in a ring's selector
 * @param matchText the match as it reads in reasons, e.g. {@code tag=tenant:acme}
 * @param delay how long after a rollout completes the matching endpoints start their own rollout of its
 *     candidate; null for {@code policy: "n-1"} (one release behind the fleet)
 */
public record Deferral(Selector match, String matchText, @Nullable Duration delay) {

  /**
   * Checks the values.
   *
   * @param match which endpoints it defers
   * @param matchText the match as it reads in reasons
   * @param delay the delay, or null for n-1
   * @throws NullPointerException if {@code match} or {@code matchText} is null
   * @throws IllegalArgumentException if {@code match} selects every endpoint or the delay is not positive
   */
  public Deferral {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(matchText, "matchText");
    if (match.conditions().isEmpty()) {
      throw new IllegalArgumentException("a deferral must match some attribute, not every endpoint");
    }
    if (delay != null && (delay.isNegative() || delay.isZero())) {
      throw new IllegalArgumentException("delay " + delay + " is not positive");
    }
  }

  /** @return whether this is {@code policy: "n-1"}: the matching endpoints stay one release behind */
  public boolean previousRelease() {
    return delay == null;
  }

  /**
   * @param endpoint an endpoint's attributes
   * @return whether this entry matches it
   */
  public boolean matches(EndpointAttributes endpoint) {
    return match.matches(endpoint);
  }

  /** @return how the entry defers, for reasons: {@code policy n-1} or {@code delay PT24H} */
  public String how() {
    return delay == null ? "policy n-1" : "delay " + delay;
  }

  /**
   * The more conservative of two entries: n-1 before any delay, a longer delay before a shorter one; between
   * equals, the earlier entry (this one, when it is the earlier).
   *
   * @param other another entry
   * @return whether this one defers strictly longer than {@code other}
   */
  public boolean moreConservativeThan(Deferral other) {
    if (delay == null) {
      return other.delay != null;
    }
    return other.delay != null && delay.compareTo(other.delay) > 0;
  }

  @Override
  public String toString() {
    return how() + " for " + matchText;
  }
}
