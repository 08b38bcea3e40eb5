package dev.ringfence.core;

import dev.ringfence.core.plan.Plan;
import dev.ringfence.protocol.InvalidInputException;
import java.util.regex.Pattern;

/**
 * What to roll out: a channel moving from a baseline release to a candidate release by a plan.
 *
 * @param id unique, never reused rollout id: 1 to 128 of {@code A-Z a-z 0-9 . _ -}
 * @param channel the content channel, e.g. {@code channel-291}
 * @param baselineVersion the release endpoints run now; a halted rollout reverts to it
 * @param candidateVersion the release being rolled out; above the baseline
 * @param plan the rings and limits
 * @param salt the cohort salt; {@link Cohort#saltFor(String)} of the id unless chosen
 */
public record RolloutSpec(String id, String channel, long baselineVersion, long candidateVersion, Plan plan,
    int salt) {

  /** As a channel's name: no leading dot, so that no id is {@code .} or {@code ..}, which a URL path drops. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  /**
   * Validates.
   *
   * @param id unique, never reused rollout id: 1 to 128 of {@code A-Z a-z 0-9 . _ -}, not starting with {@code .}
   * @param channel the content channel, e.g. {@code channel-291}
   * @param baselineVersion the release endpoints run now; a halted rollout reverts to it
   * @param candidateVersion the release being rolled out; above the baseline
   * @param plan the rings and limits
   * @param salt the cohort salt; {@link Cohort#saltFor(String)} of the id unless chosen
   * @throws InvalidInputException naming the first bad field
   */
  public RolloutSpec {
    checkId(id);
    if (channel == null || channel.isBlank()) {
      throw new InvalidInputException("channel", "is blank; name the content channel");
    }
    if (baselineVersion < 0) {
      throw new InvalidInputException("baselineVersion", baselineVersion + " is negative");
    }
    if (candidateVersion <= baselineVersion) {
      throw new InvalidInputException("candidateVersion", candidateVersion + " is not above baseline "
          + baselineVersion + "; versions only grow (publish a revert as a new, higher version)");
    }
    if (plan == null) {
      throw new InvalidInputException("plan", "is null");
    }
  }

  private static void checkId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new InvalidInputException("id", "'" + id + "' must be 1 to 128 of A-Z a-z 0-9 . _ - and not start with"
          + " '.' (an id of '..' would leave the admin API's paths)");
    }
  }

  /**
   * A builder.
   *
   * @param id the rollout's id
   * @return a builder
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** Builds a {@link RolloutSpec}. */
  public static final class Builder {
    private final String id;
    private String channel;
    private long baseline = -1;
    private long candidate = -1;
    private Plan plan;
    private Integer salt;

    private Builder(String id) {
      this.id = id;
    }

    /**
     * @param channel the content channel
     * @return this builder
     */
    public Builder channel(String channel) {
      this.channel = channel;
      return this;
    }

    /**
     * @param baseline the version endpoints run now
     * @return this builder
     */
    public Builder baseline(long baseline) {
      this.baseline = baseline;
      return this;
    }

    /**
     * @param candidate the version to roll out
     * @return this builder
     */
    public Builder candidate(long candidate) {
      this.candidate = candidate;
      return this;
    }

    /**
     * @param plan the plan
     * @return this builder
     */
    public Builder plan(Plan plan) {
      this.plan = plan;
      return this;
    }

    /**
     * @param salt an explicit cohort salt
     * @return this builder
     */
    public Builder salt(int salt) {
      this.salt = salt;
      return this;
    }

    /**
     * @return the spec
     * @throws InvalidInputException naming the first bad field
     */
    public RolloutSpec build() {
      checkId(id); // before the default salt is derived from it
      return new RolloutSpec(id, channel, baseline, candidate, plan, salt == null ? Cohort.saltFor(id) : salt);
    }
  }
}
