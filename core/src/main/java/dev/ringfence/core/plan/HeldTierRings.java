package dev.ringfence.core.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rings the engine adds after a plan's own for its held tiers: per tier, in the order of the tier names, its
 * canary ring and then the ring for the rest of the tier. Appended, never inserted, so the index of every ring of
 * the plan, the one journals record, means what it meant before held tiers were canaried.
 */
final class HeldTierRings {

  static final String PREFIX = "held:";
  static final String CANARY_SUFFIX = ":canary";

  private HeldTierRings() {}

  static List<String> order(Set<String> heldTiers) {
    TreeSet<String> sorted = new TreeSet<>();
    for (String tier : heldTiers) {
      if (tier != null && !tier.isBlank()) {
        sorted.add(tier);
      }
    }
    return List.copyOf(sorted);
  }

  static String canaryName(String tier) {
    return PREFIX + tier + CANARY_SUFFIX;
  }

  static String restName(String tier) {
    return PREFIX + tier;
  }

  /** The names of every ring the engine runs: the plan's, then the held tiers'. */
  static List<String> names(List<Ring> rings, Set<String> heldTiers) {
    List<String> names = new ArrayList<>();
    for (Ring ring : rings) {
      names.add(ring == null ? null : ring.name());
    }
    for (String tier : order(heldTiers)) {
      names.add(canaryName(tier));
      names.add(restName(tier));
    }
    return names;
  }

  /** The plan's rings followed by each held tier's canary ring and rest ring; the plan must be valid. */
  static List<Ring> all(List<Ring> rings, Set<String> heldTiers, Map<String, HeldTierCanary> canaries) {
    List<Ring> all = new ArrayList<>(rings);
    Ring first = rings.get(0);
    Ring last = rings.get(rings.size() - 1);
    for (String tier : order(heldTiers)) {
      HeldTierCanary canary = canaries.getOrDefault(tier, HeldTierCanary.ofDefaults());
      Selector ofTier = Selector.allOf(Condition.equalTo(Attribute.TIER, tier));
      all.add(new Ring(canaryName(tier), ofTier, canary.share(), canary.cap() == null ? first.cap() : canary.cap(),
          canary.bakeTime() == null ? first.bakeTime() : canary.bakeTime(), canary.minSample(),
          canary.gate() == null ? first.gate() : canary.gate()));
      all.add(new Ring(restName(tier), ofTier, last.share(), Ring.NO_CAP, last.bakeTime(), 0, last.gate()));
    }
    return all;
  }

  /**
   * The rules that join held tiers to the rings: a canary names a held tier, its minimum sample fits the cap it
   * takes from the first ring, and no ring of the plan has the name of a held tier's ring.
   */
  static List<String> problems(List<Ring> rings, Set<String> heldTiers, Map<String, HeldTierCanary> canaries) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, HeldTierCanary> entry : canaries.entrySet()) {
      String path = "heldTierCanaries." + entry.getKey();
      if (!heldTiers.contains(entry.getKey())) {
        problems.add(path + ": '" + entry.getKey() + "' is not in heldTiers " + new TreeSet<>(heldTiers)
            + "; only a held tier has a canary");
      } else if (entry.getValue() == null) {
        problems.add(path + ": is null");
      } else if (!rings.isEmpty() && rings.get(0) != null && entry.getValue().cap() == null
          && rings.get(0).hasCap() && entry.getValue().minSample() > rings.get(0).cap()) {
        problems.add(path + ".minSample: " + entry.getValue().minSample() + " is above the cap "
            + rings.get(0).cap() + " the canary takes from rings[0]; the ring could never pass");
      }
    }
    for (String tier : order(heldTiers)) {
      for (int i = 0; i < rings.size(); i++) {
        Ring ring = rings.get(i);
        if (ring != null && (ring.name().equals(canaryName(tier)) || ring.name().equals(restName(tier)))) {
          problems.add("rings[" + i + "].name: '" + ring.name() + "' is the name of a ring of held tier '" + tier
              + "'; rename the ring");
        }
      }
    }
    return problems;
  }
}
