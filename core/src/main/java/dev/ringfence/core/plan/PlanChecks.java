package dev.ringfence.core.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validation rules of a plan, shared by the records' constructors and the JSON reader so that a
 * plan built in code and a plan read from a file are held to exactly the same rules. Each method
 * returns problems as {@code path: reason}; an empty list means valid.
 */
final class PlanChecks {

  static final int MAX_SHARE = 10_000;
  static final int SCHEMA_VERSION = 1;
  static final int MIN_OVERRIDE_REASON = 10;
  static final long MAX_EXPOSURES_PER_HOUR = 1_000_000_000_000L;

  private PlanChecks() {}

  static String at(String prefix, String field) {
    return prefix.isEmpty() ? field : prefix + "." + field;
  }

  static List<String> condition(String path, Attribute attribute, Operator operator, Collection<String> values) {
    List<String> problems = new ArrayList<>();
    if (attribute == null) {
      problems.add(at(path, "attribute") + ": is missing; use one of os, osBuild, region, tier, tag");
    }
    if (operator == null) {
      problems.add(at(path, "op") + ": is missing; use one of equals, in, not-in");
    }
    if (values == null || values.isEmpty()) {
      problems.add(at(path, "values") + ": is empty; a condition needs at least one value");
    } else {
      for (String value : values) {
        if (value == null) {
          problems.add(at(path, "values") + ": holds a null value");
        }
      }
      if (operator == Operator.EQUALS && values.size() != 1) {
        problems.add(at(path, "values") + ": 'equals' takes exactly one value, got " + values.size()
            + "; use 'in' for several");
      }
    }
    return problems;
  }

  static List<String> ring(String path, String name, Selector selector, int share, long cap, Duration bakeTime,
      int minSample) {
    List<String> problems = new ArrayList<>();
    if (name == null || name.isBlank()) {
      problems.add(at(path, "name") + ": is blank; every ring needs a name");
    }
    if (selector == null) {
      problems.add(at(path, "selector") + ": is null; use Selector.ALL to select every endpoint");
    }
    problems.addAll(share(path, share));
    if (cap != Ring.NO_CAP && cap < 1) {
      problems.add(at(path, "cap") + ": " + cap + " is below 1; omit the cap for no limit");
    }
    if (bakeTime == null) {
      problems.add(at(path, "bakeTime") + ": is missing; give an ISO-8601 duration such as PT30M");
    } else if (bakeTime.isNegative()) {
      problems.add(at(path, "bakeTime") + ": " + bakeTime + " is negative");
    }
    if (minSample < 0) {
      problems.add(at(path, "minSample") + ": " + minSample + " is negative");
    } else if (cap != Ring.NO_CAP && cap >= 1 && minSample > cap) {
      problems.add(minSampleAboveCap(path, minSample, cap));
    }
    return problems;
  }

  static String minSampleAboveCap(String path, long minSample, long cap) {
    return at(path, "minSample") + ": " + minSample + " is above the ring's cap " + cap
        + "; the ring could never pass";
  }

  static List<String> share(String path, long share) {
    if (share < 0) {
      return List.of(at(path, "share") + ": " + share + " is negative; shares are basis points 0..10000");
    }
    if (share > MAX_SHARE) {
      return List.of(at(path, "share") + ": " + share + " is above 10000");
    }
    return List.of();
  }

  static List<String> plan(int schemaVersion, String name, List<Ring> rings, long maxNewExposuresPerHour,
      List<FreezeWindow> freezeWindows, Set<String> heldTiers, Duration rollbackTimeout,
      List<LintOverride> overrides, Map<String, HeldTierCanary> heldTierCanaries) {
    List<String> problems = new ArrayList<>();
    if (schemaVersion != SCHEMA_VERSION) {
      problems.add("schemaVersion: " + schemaVersion + " is not supported; this library reads version "
          + SCHEMA_VERSION);
    }
    if (name == null || name.isBlank()) {
      problems.add("name: is blank; every plan needs a name");
    }
    if (rings == null || rings.isEmpty()) {
      problems.add("rings: is empty; a plan needs at least one ring");
    } else {
      problems.addAll(ringOrder(rings, true));
    }
    if (maxNewExposuresPerHour < 0) {
      problems.add("maxNewExposuresPerHour: " + maxNewExposuresPerHour + " is negative; use 0 for no limit");
    } else if (maxNewExposuresPerHour > MAX_EXPOSURES_PER_HOUR) {
      problems.add("maxNewExposuresPerHour: " + maxNewExposuresPerHour + " is above " + MAX_EXPOSURES_PER_HOUR
          + "; use 0 for no limit");
    }
    if (freezeWindows == null) {
      problems.add("freezeWindows: is null");
    } else {
      for (int i = 0; i < freezeWindows.size(); i++) {
        FreezeWindow window = freezeWindows.get(i);
        if (window == null) {
          problems.add("freezeWindows[" + i + "]: is null");
        }
      }
    }
    if (heldTiers == null) {
      problems.add("heldTiers: is null");
    } else {
      for (String tier : heldTiers) {
        if (tier == null || tier.isBlank()) {
          problems.add("heldTiers: holds a blank tier");
        }
      }
    }
    if (rollbackTimeout == null || rollbackTimeout.isNegative() || rollbackTimeout.isZero()) {
      problems.add("rollbackTimeout: " + rollbackTimeout + " must be a positive duration such as PT1H");
    }
    if (heldTierCanaries == null) {
      problems.add("heldTierCanaries: is null");
    } else if (rings != null && heldTiers != null) {
      problems.addAll(HeldTierRings.problems(rings, heldTiers, heldTierCanaries));
    }
    if (overrides == null) {
      problems.add("overrides: is null");
    } else if (rings != null) {
      problems.addAll(overrideRings(HeldTierRings.names(rings, heldTiers == null ? Set.of() : heldTiers),
          overrides));
    }
    return problems;
  }

  /**
   * Every override must name a ring of the plan (a held tier's ring included); rings or overrides that could not
   * be read are skipped.
   */
  static List<String> overrideRings(List<String> ringNames, List<LintOverride> overrides) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < overrides.size(); i++) {
      LintOverride override = overrides.get(i);
      if (override != null && !ringNames.contains(override.ring())) {
        problems.add("overrides[" + i + "].ring: '" + override.ring() + "' is not a ring of this plan");
      }
    }
    return problems;
  }

  static List<String> freezeWindow(String path, Instant from, Instant to, String reason) {
    List<String> problems = new ArrayList<>();
    if (from == null) {
      problems.add(at(path, "from") + ": is missing; give an ISO-8601 instant such as 2026-12-24T00:00:00Z");
    }
    if (to == null) {
      problems.add(at(path, "to") + ": is missing; give an ISO-8601 instant such as 2026-12-27T00:00:00Z");
    }
    if (from != null && to != null && !to.isAfter(from)) {
      problems.add(at(path, "to") + ": " + to + " is not after from " + from);
    }
    if (reason == null || reason.isBlank()) {
      problems.add(at(path, "reason") + ": is blank; say why the window is frozen");
    }
    return problems;
  }

  static List<String> override(String path, LintRule rule, String ring, String reason) {
    List<String> problems = new ArrayList<>();
    if (rule == null) {
      problems.add(at(path, "rule") + ": is missing; name one of " + List.of(LintRule.values()));
    }
    if (ring == null || ring.isBlank()) {
      problems.add(at(path, "ring") + ": is blank; name the ring the override applies to");
    }
    if (reason == null || reason.strip().length() < MIN_OVERRIDE_REASON) {
      problems.add(at(path, "reason") + ": must be a written reason of at least " + MIN_OVERRIDE_REASON
          + " characters; it is recorded with the rollout");
    }
    return problems;
  }

  /**
   * Cross-ring rules: unique names, shares that never shrink.
   *
   * @param reportNulls whether a null ring is itself a problem; the JSON reader passes false because
   *     it has already reported why that ring could not be built
   */
  static List<String> ringOrder(List<Ring> rings, boolean reportNulls) {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    int previousShare = -1;
    int previousIndex = -1;
    for (int i = 0; i < rings.size(); i++) {
      Ring ring = rings.get(i);
      if (ring == null) {
        if (reportNulls) {
          problems.add("rings[" + i + "]: is null");
        }
        continue;
      }
      Integer earlier = names.putIfAbsent(ring.name(), i);
      if (earlier != null) {
        problems.add("rings[" + i + "].name: '" + ring.name() + "' is already used by rings[" + earlier + "]");
      }
      if (ring.share() < previousShare) {
        problems.add("rings[" + i + "].share: " + ring.share() + " is below rings[" + previousIndex + "].share "
            + previousShare + "; shares are cumulative and may not shrink");
      }
      previousShare = ring.share();
      previousIndex = i;
    }
    return problems;
  }
}
