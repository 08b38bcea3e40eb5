package dev.ringfence.core.gate;

import com.google.common.collect.ImmutableMap;
import dev.ringfence.protocol.InvalidInputException;
import java.util.Map;

/**
 * A gate's judgement of a ring, with the numbers behind it.
 *
 * @param outcome PASS, FAIL, INCONCLUSIVE or ERROR
 * @param test the test that produced it, e.g. {@code time-and-sample} or {@code hazard-msprt}
 * @param reason one line a person can act on, with the numbers
 * @param evidence the numbers by name (samples, rates, statistic, threshold), in a stable order
 */
public record Verdict(Outcome outcome, String test, String reason, Map<String, Double> evidence) {

  /** The four outcomes of a gate. */
  public enum Outcome {
    /** Healthy enough: the next ring may open once the bake time has passed. */
    PASS,
    /** Bad: the rollout halts and rolls back. */
    FAIL,
    /** Not enough data yet. Never counts as healthy; never opens the next ring. */
    INCONCLUSIVE,
    /** The gate itself broke: the rollout pauses and records the error. */
    ERROR
  }

  /**
   * Validates and copies.
   *
   * @param outcome PASS, FAIL, INCONCLUSIVE or ERROR
   * @param test the test that produced it, e.g. {@code time-and-sample} or {@code hazard-msprt}
   * @param reason one line a person can act on, with the numbers
   * @param evidence the numbers by name (samples, rates, statistic, threshold), in a stable order
   * @throws InvalidInputException if a part is null or blank
   */
  public Verdict {
    if (outcome == null) {
      throw new InvalidInputException("outcome", "is null");
    }
    if (test == null || test.isBlank()) {
      throw new InvalidInputException("test", "is blank; name the test that produced the verdict");
    }
    if (reason == null || reason.isBlank()) {
      throw new InvalidInputException("reason", "is blank; every verdict explains itself");
    }
    if (evidence == null) {
      throw new InvalidInputException("evidence", "is null; use an empty map");
    }
    evidence = ImmutableMap.copyOf(evidence);
  }

  /**
   * @param test the test's name
   * @param reason why, with the numbers
   * @param evidence the numbers
   * @return a PASS verdict
   */
  public static Verdict pass(String test, String reason, Map<String, Double> evidence) {
    return new Verdict(Outcome.PASS, test, reason, evidence);
  }

  /**
   * @param test the test's name
   * @param reason why, with the numbers
   * @param evidence the numbers
   * @return a FAIL verdict
   */
  public static Verdict fail(String test, String reason, Map<String, Double> evidence) {
    return new Verdict(Outcome.FAIL, test, reason, evidence);
  }

  /**
   * @param test the test's name
   * @param reason what is missing, with the numbers
   * @param evidence the numbers
   * @return an INCONCLUSIVE verdict
   */
  public static Verdict inconclusive(String test, String reason, Map<String, Double> evidence) {
    return new Verdict(Outcome.INCONCLUSIVE, test, reason, evidence);
  }

  /**
   * @param test the gate's name
   * @param error what the gate threw
   * @return an ERROR verdict naming the exception
   */
  public static Verdict error(String test, Throwable error) {
    String message = error.getMessage() == null ? "" : ": " + error.getMessage();
    return new Verdict(Outcome.ERROR, test, "gate threw " + error.getClass().getName() + message, Map.of());
  }
}
