package dev.ringfence.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ringfence.core.gate.Verdict;
import java.util.List;
import java.util.Map;

/**
 * What a simulation found, with and without Ringfence. Field names are stable and documented in
 * {@code docs/scenarios.md}; times are seconds of virtual time after the push. The same scenario and seed
 * always give the same report, byte for byte.
 *
 * @param schemaVersion the report format, {@value #SCHEMA_VERSION}
 * @param scenario the scenario's name
 * @param description the scenario's description
 * @param seed the seed
 * @param endpoints the fleet size
 * @param plan the plan's name
 * @param baseline the baseline version
 * @param candidate the candidate version
 * @param withRingfence the run gated by the plan, with an agent on each endpoint
 * @param withoutRingfence the same push to every endpoint at once, without an agent
 */
public record SimulationReport(int schemaVersion, String scenario, String description, long seed, int endpoints,
    String plan, long baseline, long candidate, Run withRingfence, Run withoutRingfence) {

  /** The report format's version. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  /**
   * One run.
   *
   * @param ringfence whether Ringfence gated it
   * @param outcome the rollout's final state, or {@code NO_GATE} without Ringfence
   * @param durationSeconds how long the run lasted
   * @param online endpoints online during the run
   * @param everExposed endpoints that received the candidate at any time
   * @param peakExposure the most endpoints running the candidate at one moment
   * @param exposedAtHalt endpoints that had received the candidate when the rollout halted; -1 if it did not
   * @param firstFailureSignalSeconds when the server first heard of a failure on the candidate; -1 never
   * @param exposedAtSecondFailureSignal endpoints that had received the candidate when the server heard of a
   *     second endpoint's failure on it; -1 never. A test that must tell a regression from chance needs at
   *     least two (with a canary of 1% of the endpoints at risk, one failure is 1-in-100 evidence): the
   *     exposure at which any such judge could have halted at the earliest
   * @param haltSeconds when the rollout first halted, in seconds of virtual time; -1 if it never did
   * @param crashedOnCandidate endpoints that crashed because of the candidate
   * @param backgroundCrashes crashes that would have happened anyway
   * @param plannedRestarts clean restarts (not crashes) that would have happened anyway
   * @param refusedByValidator endpoints whose validator refused the candidate before activation
   * @param revertedByAgent exposed endpoints back on the baseline through their agent alone
   * @param revertedByServer exposed endpoints back on the baseline because the server said REVERT
   * @param revertedByVendor without Ringfence: endpoints that fetched the vendor's revert between crashes
   * @param needManualRepair endpoints still crashing on the candidate when the run ended: hands-on repair
   * @param revertUnavailable REVERTs an agent could not follow (no slot held the baseline)
   * @param stragglerCount exposed endpoints the server never saw back
   * @param stragglers the first 20 of them, sorted
   * @param signals signals the server took, by what it did with them, those lost on the way, and
   *     ({@code unreachable}) the polls and signals of endpoints cut off by an outage
   * @param transitions every state change with its cause
   * @param verdicts every change of verdict, with its reason
   * @param ringOpenings when each ring opened
   * @param failuresByAttribute attribute values whose exposed endpoints failed far more than the others
   * @param timeline exposure, crashed and recovered endpoints over time
   */
  // Record components in their order, then the derived shares: Jackson orders getters as reflection lists them,
  // which differs between runs of the JVM.
  @com.fasterxml.jackson.annotation.JsonPropertyOrder({"ringfence", "outcome", "durationSeconds", "online",
      "everExposed", "peakExposure", "exposedAtHalt", "firstFailureSignalSeconds", "exposedAtSecondFailureSignal",
      "haltSeconds", "crashedOnCandidate", "backgroundCrashes", "plannedRestarts", "refusedByValidator",
      "revertedByAgent", "revertedByServer", "revertedByVendor", "needManualRepair", "revertUnavailable",
      "stragglerCount", "stragglers", "signals", "transitions", "verdicts", "ringOpenings", "failuresByAttribute",
      "timeline", "deferredGroups", "everExposedShare", "peakExposureShare"})
  public record Run(boolean ringfence, String outcome, int durationSeconds, int online, int everExposed,
      int peakExposure, int exposedAtHalt, int firstFailureSignalSeconds, int exposedAtSecondFailureSignal, int haltSeconds, int crashedOnCandidate,
      int backgroundCrashes, int plannedRestarts, int refusedByValidator, int revertedByAgent, int revertedByServer, int revertedByVendor,
      int needManualRepair, int revertUnavailable, int stragglerCount, List<String> stragglers,
      Map<String, Long> signals, List<Transition> transitions, List<VerdictLine> verdicts,
      List<RingOpening> ringOpenings, List<FailureBreakdown.Finding> failuresByAttribute, List<Sample> timeline,
      List<DeferredGroup> deferredGroups) {

    /**
     * Copies the lists.
     *
     * @param ringfence whether Ringfence gated it
     * @param outcome the rollout's final state, or {@code NO_GATE} without Ringfence
     * @param durationSeconds how long the run lasted
     * @param online endpoints online during the run
     * @param everExposed endpoints that received the candidate at any time
     * @param peakExposure the most endpoints running the candidate at one moment
     * @param exposedAtHalt endpoints that had received the candidate when the rollout halted; -1 if it did not
     * @param firstFailureSignalSeconds when the server first heard of a failure on the candidate; -1 never
     * @param exposedAtSecondFailureSignal endpoints that had received the candidate when the server heard of a
     *     second endpoint's failure on it; -1 never. A test that must tell a regression from chance needs at
     *     least two (with a canary of 1% of the endpoints at risk, one failure is 1-in-100 evidence): the
     *     exposure at which any such judge could have halted at the earliest
     * @param haltSeconds when the rollout first halted, in seconds of virtual time; -1 if it never did
     * @param crashedOnCandidate endpoints that crashed because of the candidate
     * @param backgroundCrashes crashes that would have happened anyway
     * @param plannedRestarts clean restarts (not crashes) that would have happened anyway
     * @param refusedByValidator endpoints whose validator refused the candidate before activation
     * @param revertedByAgent exposed endpoints back on the baseline through their agent alone
     * @param revertedByServer exposed endpoints back on the baseline because the server said REVERT
     * @param revertedByVendor without Ringfence: endpoints that fetched the vendor's revert between crashes
     * @param needManualRepair endpoints still crashing on the candidate when the run ended: hands-on repair
     * @param revertUnavailable REVERTs an agent could not follow (no slot held the baseline)
     * @param stragglerCount exposed endpoints the server never saw back
     * @param stragglers the first 20 of them, sorted
     * @param signals signals the server took, by what it did with them, those lost on the way, and
     *     ({@code unreachable}) the polls and signals of endpoints cut off by an outage
     * @param transitions every state change with its cause
     * @param verdicts every change of verdict, with its reason
     * @param ringOpenings when each ring opened
     * @param failuresByAttribute attribute values whose exposed endpoints failed far more than the others
     * @param timeline exposure, crashed and recovered endpoints over time
     * @param deferredGroups each customer deferral entry that deferred some endpoints: where its group stood
     */
    public Run {
      deferredGroups = List.copyOf(deferredGroups);
      stragglers = List.copyOf(stragglers);
      signals = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(signals)); // keeps its order
      transitions = List.copyOf(transitions);
      verdicts = List.copyOf(verdicts);
      ringOpenings = List.copyOf(ringOpenings);
      failuresByAttribute = List.copyOf(failuresByAttribute);
      timeline = List.copyOf(timeline);
    }

    /** @return {@link #everExposed} as a share of the endpoints online, rounded to 6 decimals */
    @com.fasterxml.jackson.annotation.JsonProperty
    public double everExposedShare() {
      return share(everExposed);
    }

    /** @return {@link #peakExposure} as a share of the endpoints online, rounded to 6 decimals */
    @com.fasterxml.jackson.annotation.JsonProperty
    public double peakExposureShare() {
      return share(peakExposure);
    }

    private double share(int count) {
      return online == 0 ? 0 : Math.round(1e6 * count / online) / 1e6;
    }

    /** @return whether the rollout halted */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean halted() {
      return haltSeconds >= 0;
    }
  }

  /**
   * A state change.
   *
   * @param atSeconds when
   * @param from the state before
   * @param to the state after
   * @param ring the open ring after it
   * @param cause why
   */
  public record Transition(int atSeconds, String from, String to, String ring, String cause) {}

  /**
   * A verdict that differs from the one before it.
   *
   * @param atSeconds when
   * @param ring the ring judged
   * @param outcome PASS, FAIL, INCONCLUSIVE or ERROR
   * @param test the test that decided
   * @param reason why, with the numbers
   */
  public record VerdictLine(int atSeconds, String ring, String outcome, String test, String reason) {

    boolean sameAs(String otherRing, Verdict verdict) {
      return ring.equals(otherRing) && outcome.equals(verdict.outcome().name()) && test.equals(verdict.test());
    }
  }

  /**
   * A ring opening.
   *
   * @param atSeconds when
   * @param ring its name
   */
  public record RingOpening(int atSeconds, String ring) {}

  /**
   * One point of the timeline.
   *
   * @param atSeconds when
   * @param exposed endpoints running the candidate
   * @param down endpoints crashed and not yet up again
   * @param recovered exposed endpoints back on the baseline so far
   */
  public record Sample(int atSeconds, int exposed, int down, int recovered) {}

  /** @return the report as indented JSON, with a trailing newline */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a report always serializes", e);
    }
  }

  /**
   * What one customer deferral entry did to the endpoints it deferred (docs/update-server.md, "Customer deferral").
   *
   * @param deferral the entry, e.g. {@code delay PT6H for tag=tenant:acme}
   * @param endpoints online endpoints it deferred
   * @param onCandidateWhenMainCompleted of them, those running the candidate when the main rollout completed
   * @param mainCompletedSeconds when the main rollout completed; -1 if it did not
   * @param ownRollout the group's own rollout, or null (n-1, or the delay not over)
   * @param ownRolloutStartedSeconds when the group's own rollout started; -1 if it did not
   * @param ownRolloutOutcome its final state, or null
   * @param everExposed of the group, endpoints that received the candidate at any time
   * @param onCandidateAtEnd of the group, endpoints running the candidate at the end
   */
  public record DeferredGroup(String deferral, int endpoints, int onCandidateWhenMainCompleted,
      int mainCompletedSeconds, @org.jspecify.annotations.Nullable String ownRollout, int ownRolloutStartedSeconds,
      @org.jspecify.annotations.Nullable String ownRolloutOutcome, int everExposed, int onCandidateAtEnd) {}
}
