package dev.ringfence.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.core.plan.Attribute;
import dev.ringfence.core.deferral.DeferralPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A scenario file: the fleet, how the candidate behaves on it, the plan, and how long to run. Read with
 * {@link ScenarioReader}; the format is documented in {@code docs/scenarios.md}. Every constructor checks
 * its fields and names the one that is wrong.
 *
 * @param schemaVersion always 1
 * @param name a short name, used in file names of the report and chart
 * @param description one or two sentences shown in the report
 * @param seed the default seed; {@code --seed} overrides it
 * @param fleet the endpoints
 * @param candidate what the candidate does to them
 * @param agent the endpoint agent's settings
 * @param plan the plan: a file name relative to the scenario file, or the plan object inline
 * @param push the versions involved
 * @param stopAfter the longest the run may last in virtual time
 * @param vendorRevertAfter when the vendor pulls the content in the run without Ringfence (none if absent)
 * @param deferrals the channel's customer deferrals, as the update server takes them (none if absent)
 */
public record Scenario(Integer schemaVersion, String name, String description, Long seed, Fleet fleet,
    Candidate candidate, @Nullable AgentSettings agent, JsonNode plan, Push push, String stopAfter,
    @Nullable String vendorRevertAfter, @Nullable JsonNode deferrals) {

  /** The largest fleet the simulator accepts. */
  public static final int MAX_ENDPOINTS = 20_000_000;

  /** The most outage windows a fleet may have. */
  public static final int MAX_OUTAGES = 64;

  /**
   * Checks every field.
   *
   * @param schemaVersion always 1
   * @param name a short name, used in file names of the report and chart
   * @param description one or two sentences shown in the report
   * @param seed the default seed; {@code --seed} overrides it
   * @param fleet the endpoints
   * @param candidate what the candidate does to them
   * @param agent the endpoint agent's settings
   * @param plan the plan: a file name relative to the scenario file, or the plan object inline
   * @param push the versions involved
   * @param stopAfter the longest the run may last in virtual time
   * @param vendorRevertAfter when the vendor pulls the content in the run without Ringfence (none if absent)
   * @param deferrals the channel's customer deferrals (none if absent): {@code [{"match": {"tag": "tenant:acme"},
   *     "delay": "PT6H"}]}, the update server's syntax
   */
  public Scenario {
    if (schemaVersion == null || schemaVersion != 1) {
      throw new IllegalArgumentException("schemaVersion: " + schemaVersion + " is not supported; write 1");
    }
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,63}")) {
      throw new IllegalArgumentException("name: '" + name + "' must be 1-64 lower-case letters, digits or '-'");
    }
    require(description, "description");
    require(seed, "seed");
    require(fleet, "fleet");
    require(candidate, "candidate");
    if (agent == null) {
      agent = new AgentSettings(null, null, null, null, null);
    }
    if (plan == null || !(plan.isTextual() || plan.isObject())) {
      throw new IllegalArgumentException("plan: must be a plan file name (relative to the scenario) or a plan object");
    }
    require(push, "push");
    PartChecks c = new PartChecks();
    // A match on a value the fleet never has matches nobody: a typo ('Windows') would quietly test nothing.
    matchable("candidate.crashOnLoadWhen", candidate.crashOnLoadWhen(), CrashRule::match, fleet, c);
    matchable("fleet.backgroundCrashesWhen", fleet.backgroundCrashesWhen(), CrashRule::match, fleet, c);
    matchable("fleet.outages", fleet.outages(), Outage::match, fleet, c);
    Duration stop = SimDurations.parse("stopAfter", stopAfter, Duration.ofMinutes(1), Duration.ofDays(60));
    if (vendorRevertAfter != null) {
      String revert = vendorRevertAfter;
      c.ok(() -> {
        Duration at = SimDurations.parse("vendorRevertAfter", revert, Duration.ZERO, Duration.ofDays(60));
        if (at.compareTo(stop) >= 0) {
          throw new IllegalArgumentException("vendorRevertAfter: " + revert + " is not before stopAfter " + stopAfter
              + "; the run without Ringfence would end before the vendor's revert");
        }
      });
    }
    c.done();
    if (deferrals != null && !deferrals.isNull()) {
      DeferralPolicy.fromJson(deferrals.toString(), "deferrals"); // refuses a bad entry, naming its field
    }
  }

  /** @return the customer deferrals, {@link DeferralPolicy#NONE} when the scenario has none */
  public DeferralPolicy deferralPolicy() {
    return deferrals == null || deferrals.isNull() ? DeferralPolicy.NONE
        : DeferralPolicy.fromJson(deferrals.toString(), "deferrals");
  }

  /** @return {@link #stopAfter} as a duration */
  public Duration stopAfterDuration() {
    return SimDurations.parse("stopAfter", stopAfter);
  }

  /** @return {@link #vendorRevertAfter} as a duration, or null */
  public @Nullable Duration vendorRevertDuration() {
    return vendorRevertAfter == null ? null : SimDurations.parse("vendorRevertAfter", vendorRevertAfter);
  }

  /** Refuses each match value that no endpoint of the fleet has, naming it by its path. */
  private static <T> void matchable(String path, @Nullable List<T> rules,
      java.util.function.Function<T, Map<String, String>> match, Fleet fleet, PartChecks c) {
    if (rules == null) {
      return;
    }
    for (int i = 0; i < rules.size(); i++) {
      for (Map.Entry<String, String> m : match.apply(rules.get(i)).entrySet()) {
        Map<String, Double> values = fleet.attributes().get(m.getKey());
        if (values != null && !values.containsKey(m.getValue())) {
          c.fail(path + "[" + i + "].match." + m.getKey() + ": '" + m.getValue() + "' is not a value of"
              + " fleet.attributes." + m.getKey() + " " + values.keySet() + ", so it matches no endpoint");
        }
      }
    }
  }

  static <T> T require(@Nullable T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + ": is missing");
    }
    return value;
  }

  static double share(@Nullable Double value, String field, double fallback) {
    double v = value == null ? fallback : value;
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(field + ": " + v + " is outside 0..1");
    }
    return v;
  }

  /**
   * The fleet.
   *
   * @param endpoints how many endpoints
   * @param attributes for each attribute ({@code os}, {@code osBuild}, {@code region}, {@code tier}), the
   *     share of the fleet per value; each set of shares adds up to 1
   * @param heartbeatInterval how often an endpoint polls and sends a heartbeat (also the engine's)
   * @param jitter each poll comes up to this much earlier or later
   * @param lossRate the share of signals lost on the way
   * @param offlineShare the share of endpoints that are off during the whole run
   * @param backgroundCrashesPerHour how likely any endpoint is to crash in an hour, whatever it runs
   * @param bootTime how long a crashed endpoint takes to start again (±25%)
   * @param outages windows in which some endpoints can reach nobody: they neither poll nor send a signal
   * @param plannedRebootsPerHour how likely any endpoint is to restart cleanly (not a crash) in an hour,
   *     whatever it runs
   * @param backgroundCrashesWhen the background crash chance per hour ({@code probability}) of endpoints that
   *     match, instead of {@code backgroundCrashesPerHour}: the first matching rule wins
   */
  public record Fleet(Integer endpoints, Map<String, Map<String, Double>> attributes, String heartbeatInterval,
      @Nullable String jitter, @Nullable Double lossRate, @Nullable Double offlineShare,
      @Nullable Double backgroundCrashesPerHour, @Nullable String bootTime, @Nullable List<Outage> outages,
      @Nullable Double plannedRebootsPerHour, @Nullable List<CrashRule> backgroundCrashesWhen) {

    /**
     * Checks every field.
     *
     * @param endpoints how many endpoints
     * @param attributes for each attribute ({@code os}, {@code osBuild}, {@code region}, {@code tier}), the
     *     share of the fleet per value; each set of shares adds up to 1
     * @param heartbeatInterval how often an endpoint polls and sends a heartbeat (also the engine's)
     * @param jitter each poll comes up to this much earlier or later
     * @param lossRate the share of signals lost on the way
     * @param offlineShare the share of endpoints that are off during the whole run
     * @param backgroundCrashesPerHour how likely any endpoint is to crash in an hour, whatever it runs
     * @param bootTime how long a crashed endpoint takes to start again (±25%)
     * @param outages windows in which some endpoints can reach nobody: they neither poll nor send a signal
     * @param plannedRebootsPerHour how likely any endpoint is to restart cleanly (not a crash) in an hour,
     *     whatever it runs
     * @param backgroundCrashesWhen the background crash chance per hour ({@code probability}) of endpoints that
     *     match, instead of {@code backgroundCrashesPerHour}: the first matching rule wins
     */
    public Fleet {
      PartChecks c = new PartChecks();
      if (endpoints == null) {
        c.fail("endpoints: is missing");
      } else if (endpoints < 1 || endpoints > MAX_ENDPOINTS) {
        c.fail("endpoints: " + endpoints + " is outside 1.." + MAX_ENDPOINTS);
      }
      Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
      if (attributes == null) {
        c.fail("attributes: is missing");
      } else {
        for (Map.Entry<String, Map<String, Double>> e : attributes.entrySet()) {
          c.ok(() -> attribute(e.getKey(), "attributes." + e.getKey()));
          if (e.getValue() == null || e.getValue().isEmpty()) {
            c.fail("attributes." + e.getKey() + ": needs at least one value with its share");
            continue;
          }
          double sum = 0;
          boolean shares = true;
          for (Map.Entry<String, Double> v : e.getValue().entrySet()) {
            if (v.getValue() == null || !(v.getValue() > 0 && v.getValue() <= 1)) {
              c.fail("attributes." + e.getKey() + "." + v.getKey() + ": " + v.getValue() + " must be a share in (0, 1]");
              shares = false;
            } else {
              sum += v.getValue();
            }
          }
          if (shares && Math.abs(sum - 1) > 1e-6) {
            c.fail("attributes." + e.getKey() + ": shares add up to " + sum + ", not 1");
          }
          copy.put(e.getKey(), Map.copyOf(e.getValue()));
        }
      }
      attributes = copy;
      String beat = heartbeatInterval;
      Duration[] interval = new Duration[1];
      boolean beatOk = c.ok(() -> interval[0] = SimDurations.parse("heartbeatInterval", beat, Duration.ofSeconds(10),
          Duration.ofHours(1)));
      if (jitter == null) {
        jitter = "0s";
      }
      String jitterText = jitter;
      if (beatOk) {
        c.ok(() -> SimDurations.parse("jitter", jitterText, Duration.ZERO, interval[0].dividedBy(2)));
      }
      lossRate = c.share(lossRate, "lossRate", 0);
      if (lossRate > 0.5) {
        c.fail("lossRate: " + lossRate + " is above 0.5");
      }
      offlineShare = c.share(offlineShare, "offlineShare", 0);
      if (offlineShare > 0.9) {
        c.fail("offlineShare: " + offlineShare + " is above 0.9");
      }
      backgroundCrashesPerHour = c.share(backgroundCrashesPerHour, "backgroundCrashesPerHour", 0);
      if (bootTime == null) {
        bootTime = "90s";
      }
      String boot = bootTime;
      c.ok(() -> SimDurations.parse("bootTime", boot, Duration.ofSeconds(5), Duration.ofHours(1)));
      outages = outages == null ? List.of() : List.copyOf(outages);
      if (outages.size() > MAX_OUTAGES) {
        c.fail("outages: " + outages.size() + " windows is above " + MAX_OUTAGES);
      }
      plannedRebootsPerHour = c.share(plannedRebootsPerHour, "plannedRebootsPerHour", 0);
      backgroundCrashesWhen = backgroundCrashesWhen == null ? List.of() : List.copyOf(backgroundCrashesWhen);
      c.done();
    }

    /** @return the heartbeat interval */
    public Duration interval() {
      return SimDurations.parse("heartbeatInterval", heartbeatInterval);
    }

    /** @return the jitter */
    public Duration jitterDuration() {
      return SimDurations.parse("jitter", jitter);
    }

    /** @return the boot time */
    public Duration bootDuration() {
      return SimDurations.parse("bootTime", bootTime);
    }
  }

  /**
   * What the candidate does.
   *
   * @param crashOnLoad how likely an endpoint is to crash each time it loads the candidate (a host that
   *     crashes does so at every load: a boot loop)
   * @param crashOnLoadWhen the same, for endpoints that match: the first matching rule wins
   * @param crashDelay how long after loading the candidate the host crashes
   * @param silentCrashShare the share of crashing endpoints that crash before their network is up, so they
   *     never report anything while they run the candidate
   * @param validationFailureShare the share of endpoints whose validator refuses the candidate
   * @param loadedAtBoot whether the content is loaded at boot, before any user-space process (a boot-start
   *     driver, as Channel File 291 was): a crash on load then comes before the agent can count the start, and
   *     only a boot guard that runs before the content ({@code agent.startCounter: "bootguard"}) counts it
   * @param probe a probe metric and how the candidate moves it, or none
   */
  public record Candidate(@Nullable Double crashOnLoad, @Nullable List<CrashRule> crashOnLoadWhen,
      @Nullable String crashDelay, @Nullable Double silentCrashShare, @Nullable Double validationFailureShare,
      @Nullable Probe probe, @Nullable Boolean loadedAtBoot, @Nullable Double serviceErrorRate) {

    /**
     * Checks every field.
     *
     * @param crashOnLoad how likely an endpoint is to crash each time it loads the candidate (a host that
     *     crashes does so at every load: a boot loop)
     * @param crashOnLoadWhen the same, for endpoints that match: the first matching rule wins
     * @param crashDelay how long after loading the candidate the host crashes
     * @param silentCrashShare the share of crashing endpoints that crash before their network is up, so they
     *     never report anything while they run the candidate
     * @param validationFailureShare the share of endpoints whose validator refuses the candidate
     * @param loadedAtBoot whether the content is loaded at boot, before any user-space process (a boot-start
     *     driver, as Channel File 291 was): a crash on load then comes before the agent can count the start, and
     *     only a boot guard that runs before the content ({@code agent.startCounter: "bootguard"}) counts it
     * @param probe a probe metric and how the candidate moves it, or none
     * @param serviceErrorRate the share of requests that fail on hosts running the candidate, as the operator's
     *     service metrics show it (read by the {@code service-metric} gate, a stand-in for a Prometheus gate); it
     *     crashes nothing, so heartbeats stay healthy
     */
    public Candidate {
      PartChecks c = new PartChecks();
      crashOnLoad = c.share(crashOnLoad, "crashOnLoad", 0);
      crashOnLoadWhen = crashOnLoadWhen == null ? List.of() : List.copyOf(crashOnLoadWhen);
      if (crashDelay == null) {
        crashDelay = "20s";
      }
      String delay = crashDelay;
      c.ok(() -> SimDurations.parse("crashDelay", delay, Duration.ZERO, Duration.ofHours(1)));
      silentCrashShare = c.share(silentCrashShare, "silentCrashShare", 0);
      validationFailureShare = c.share(validationFailureShare, "validationFailureShare", 0);
      loadedAtBoot = loadedAtBoot != null && loadedAtBoot;
      serviceErrorRate = c.share(serviceErrorRate, "serviceErrorRate", 0);
      c.done();
    }

    /** @return the crash delay */
    public Duration crashDelayDuration() {
      return SimDurations.parse("crashDelay", crashDelay);
    }
  }

  /**
   * A window in which some endpoints can reach nobody (a regional network outage, a dead VPN
   * concentrator): a member neither polls nor sends a signal from {@code from} for {@code duration}; it keeps
   * running what it runs, and can still crash or restart. Membership is a pure function of the seed and the
   * endpoint, like its other traits, so both runs of a scenario meet the same members.
   *
   * @param match attribute values a member has, every one of them; absent or empty for every endpoint
   * @param from when the window opens, after the push ({@code "20m"})
   * @param duration how long it lasts ({@code "30m"})
   * @param share the chance that an endpoint that matches is a member, 0..1; 1 when absent
   */
  public record Outage(@Nullable Map<String, String> match, String from, String duration, @Nullable Double share) {

    /**
     * Checks every field.
     *
     * @param match attribute values a member has, every one of them; absent or empty for every endpoint
     * @param from when the window opens, after the push ({@code "20m"})
     * @param duration how long it lasts ({@code "30m"})
     * @param share the chance that an endpoint that matches is a member, 0..1; 1 when absent
     */
    public Outage {
      PartChecks c = new PartChecks();
      match = match == null ? Map.of() : Map.copyOf(match);
      for (String key : match.keySet()) {
        c.ok(() -> attribute(key, "match." + key));
      }
      String opens = from;
      String lasts = duration;
      c.ok(() -> SimDurations.parse("from", require(opens, "from"), Duration.ZERO, Duration.ofDays(60)));
      c.ok(() -> SimDurations.parse("duration", require(lasts, "duration"), Duration.ofSeconds(1),
          Duration.ofDays(60)));
      share = c.share(share, "share", 1);
      c.done();
    }

    /** @return when the window opens, after the push */
    public Duration fromDuration() {
      return SimDurations.parse("from", from);
    }

    /** @return how long the window lasts */
    public Duration durationDuration() {
      return SimDurations.parse("duration", duration);
    }
  }

  /**
   * A crash probability for the endpoints whose attributes match.
   *
   * @param match attribute to value, all of which must match
   * @param probability how likely a matching endpoint is to crash at each load
   */
  public record CrashRule(Map<String, String> match, Double probability) {

    /**
     * Checks every field.
     *
     * @param match attribute to value, all of which must match
     * @param probability how likely a matching endpoint is to crash at each load
     */
    public CrashRule {
      require(match, "match");
      if (match.isEmpty()) {
        throw new IllegalArgumentException("match: needs at least one attribute");
      }
      for (String key : match.keySet()) {
        attribute(key, "match." + key);
      }
      match = Map.copyOf(match);
      share(require(probability, "probability"), "probability", 0);
    }
  }

  /**
   * A probe metric every endpoint reports with its heartbeat.
   *
   * @param metric the metric's name
   * @param baseline its mean on the baseline
   * @param stddev its standard deviation
   * @param shift how much the candidate adds to the mean
   */
  public record Probe(String metric, Double baseline, Double stddev, @Nullable Double shift) {

    /**
     * Checks every field.
     *
     * @param metric the metric's name
     * @param baseline its mean on the baseline
     * @param stddev its standard deviation
     * @param shift how much the candidate adds to the mean
     */
    public Probe {
      PartChecks c = new PartChecks();
      if (metric == null || !metric.matches("[a-z][a-z0-9_.]{0,63}")) {
        c.fail("metric: '" + metric + "' must be 1-64 of a-z, 0-9, '_' or '.'");
      }
      if (baseline == null) {
        c.fail("baseline: is missing");
      }
      if (stddev == null) {
        c.fail("stddev: is missing");
      } else if (stddev < 0 || !Double.isFinite(stddev)) {
        c.fail("stddev: " + stddev + " must be a finite number >= 0");
      }
      shift = shift == null ? 0 : shift;
      c.done();
    }
  }

  /**
   * The endpoint agent.
   *
   * @param enabled whether endpoints run the agent (with Ringfence); default true
   * @param maxFailedStarts failed starts before the agent reverts; default 3
   * @param confirmAfter how long the host runs new content before it confirms it healthy; default 5m
   * @param startCounter what counts the host's starts: {@code agent} (default), the agent's {@code onStart()}
   *     in the process that loads the content, or {@code bootguard}, ringfence-bootguard run before anything
   *     loads it (docs/bootguard.md): the one that still counts when the content is loaded at boot
   * @param probation how long a confirmed candidate stays in probation ({@code RolloutAgent.Builder.probation}):
   *     its unclean starts counted and the baseline kept to go back to; default 24h, {@code 0s} turns it off
   */
  public record AgentSettings(@Nullable Boolean enabled, @Nullable Integer maxFailedStarts,
      @Nullable String confirmAfter, @Nullable String startCounter, @Nullable String probation) {

    /** The start counters a scenario may name. */
    public static final List<String> START_COUNTERS = List.of("agent", "bootguard");

    /**
     * Fills defaults and checks.
     *
     * @param enabled whether endpoints run the agent (with Ringfence); default true
     * @param maxFailedStarts failed starts before the agent reverts; default 3
     * @param confirmAfter how long the host runs new content before it confirms it healthy; default 5m
     * @param startCounter what counts the host's starts: {@code agent} (default), the agent's {@code onStart()}
     *     in the process that loads the content, or {@code bootguard}, ringfence-bootguard run before anything
     *     loads it (docs/bootguard.md): the one that still counts when the content is loaded at boot
     * @param probation how long a confirmed candidate stays in probation; default 24h, {@code 0s} turns it off
     */
    public AgentSettings {
      enabled = enabled == null || enabled;
      PartChecks c = new PartChecks();
      maxFailedStarts = maxFailedStarts == null ? 3 : maxFailedStarts;
      if (maxFailedStarts < 1 || maxFailedStarts > 100) {
        c.fail("maxFailedStarts: " + maxFailedStarts + " is outside 1..100");
      }
      if (confirmAfter == null) {
        confirmAfter = "5m";
      }
      String confirm = confirmAfter;
      c.ok(() -> SimDurations.parse("confirmAfter", confirm, Duration.ofSeconds(1), Duration.ofDays(1)));
      startCounter = startCounter == null ? "agent" : startCounter;
      if (!START_COUNTERS.contains(startCounter)) {
        c.fail("startCounter: '" + startCounter + "' is not one of " + START_COUNTERS);
      }
      if (probation == null) {
        probation = "24h";
      }
      String guard = probation;
      c.ok(() -> SimDurations.parse("probation", guard, Duration.ZERO, Duration.ofDays(3650)));
      c.done();
    }

    /** @return how long a confirmed candidate stays in probation; zero for none */
    public Duration probationDuration() {
      return SimDurations.parse("probation", probation);
    }

    /** @return whether ringfence-bootguard counts starts before the content loads */
    public boolean bootGuard() {
      return startCounter.equals("bootguard");
    }

    /** @return how long before a confirmation */
    public Duration confirmAfterDuration() {
      return SimDurations.parse("confirmAfter", confirmAfter);
    }
  }

  /**
   * The versions.
   *
   * @param baseline what the fleet runs before the push
   * @param candidate the content pushed
   */
  public record Push(Long baseline, Long candidate) {

    /**
     * Checks every field.
     *
     * @param baseline what the fleet runs before the push
     * @param candidate the content pushed
     */
    public Push {
      require(baseline, "baseline");
      require(candidate, "candidate");
      if (baseline < 1 || candidate <= baseline) {
        throw new IllegalArgumentException("candidate: " + candidate + " must be above baseline " + baseline
            + " (and baseline >= 1)");
      }
    }
  }

  static Attribute attribute(String key, String field) {
    Attribute a = Attribute.fromJsonName(key);
    if (a == null) {
      throw new IllegalArgumentException(field + ": '" + key + "' is not an attribute; use os, osBuild, region, tier"
          + " or tag");
    }
    return a;
  }

  /**
   * @param endpoint a simulated endpoint's attributes
   * @param attribute an attribute
   * @return its value; for {@code tag}, the endpoint's one tag (a simulated endpoint has at most one), or ""
   */
  static String value(dev.ringfence.core.EndpointAttributes endpoint, Attribute attribute) {
    if (attribute == Attribute.TAG) {
      return endpoint.tags().isEmpty() ? "" : endpoint.tags().iterator().next();
    }
    return endpoint.value(attribute);
  }
}
