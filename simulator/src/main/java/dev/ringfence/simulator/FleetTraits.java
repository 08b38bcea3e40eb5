package dev.ringfence.simulator;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.plan.Attribute;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What each endpoint of a simulated fleet is, drawn once from the seed: its id, its attributes, whether it is
 * offline, whether the candidate crashes it, whether it crashes before its network is up, whether its validator
 * refuses the candidate, its polling phase, its outage memberships, and how often its life brings a background
 * crash or a planned restart. Every trait is a pure function of the seed and the endpoint's index, so the runs
 * with and without Ringfence meet the same hosts; none of them moves the simulator's other random draws.
 *
 * <p>Attributes are held per combination of values (a fleet of millions has a few hundred), and each endpoint
 * points at its combination.
 */
final class FleetTraits {

  private static final long TRAIT_ATTRIBUTES = 0x9E3779B97F4A7C15L;
  private static final long TRAIT_SUSCEPTIBLE = 0xC2B2AE3D27D4EB4FL;
  private static final long TRAIT_SILENT = 0x165667B19E3779F9L;
  private static final long TRAIT_REFUSES = 0x27D4EB2F165667C5L;
  private static final long TRAIT_OFFLINE = 0x85EBCA77C2B2AE63L;
  private static final long TRAIT_PHASE = 0xFF51AFD7ED558CCDL;
  private static final long TRAIT_OUTAGE = 0xD6E8FEB86659FD93L;

  private final Scenario scenario;
  private final long seed;

  private final List<EndpointAttributes> combos = new ArrayList<>();
  private final int[] comboOf;
  private final String[] ids;
  /** The candidate's crash probability per attribute combination. */
  private final double[] comboCrash;
  /** Per attribute combination: background crashes plus planned restarts, per second per host. */
  private final double[] comboLifeRate;
  /** Per attribute combination: the share of life events that are background crashes (the rest are restarts). */
  private final double[] comboCrashShareOfLife;

  /**
   * Draws the fleet.
   *
   * @param scenario the scenario, whose fleet section gives the attribute mix and the rates
   * @param seed the seed
   * @param endpoints the fleet size
   */
  FleetTraits(Scenario scenario, long seed, int endpoints) {
    this.scenario = scenario;
    this.seed = seed;
    this.comboOf = new int[endpoints];
    this.ids = new String[endpoints];
    List<Attribute> keys = List.of(Attribute.OS, Attribute.OS_BUILD, Attribute.REGION, Attribute.TIER, Attribute.TAG);
    String[][] values = new String[keys.size()][];
    double[][] cumulative = new double[keys.size()][];
    for (int k = 0; k < keys.size(); k++) {
      Map<String, Double> mix = scenario.fleet().attributes().get(keys.get(k).jsonName());
      if (mix == null) {
        mix = Map.of("", 1.0);
      }
      values[k] = new java.util.TreeSet<>(mix.keySet()).toArray(new String[0]); // a stable order
      cumulative[k] = new double[values[k].length];
      double acc = 0;
      for (int v = 0; v < values[k].length; v++) {
        acc += mix.get(values[k][v]);
        cumulative[k][v] = acc;
      }
    }
    int[] radix = new int[keys.size()];
    int combinations = 1;
    for (int k = keys.size() - 1; k >= 0; k--) {
      radix[k] = combinations;
      combinations *= values[k].length;
    }
    int[] comboIndex = new int[combinations];
    Arrays.fill(comboIndex, -1);
    int width = Integer.toString(endpoints - 1).length();
    for (int i = 0; i < endpoints; i++) {
      ids[i] = "ep-" + pad(i, Math.max(7, width));
      int key = 0;
      int[] picked = new int[keys.size()];
      for (int k = 0; k < keys.size(); k++) {
        double u = trait(i, TRAIT_ATTRIBUTES + k);
        int v = 0;
        while (v < values[k].length - 1 && u >= cumulative[k][v]) {
          v++;
        }
        picked[k] = v;
        key += v * radix[k];
      }
      if (comboIndex[key] < 0) {
        comboIndex[key] = combos.size();
        String tag = values[4][picked[4]];
        combos.add(new EndpointAttributes(values[0][picked[0]], values[1][picked[1]], values[2][picked[2]],
            values[3][picked[3]], tag.isEmpty() ? java.util.Set.of() : java.util.Set.of(tag)));
      }
      comboOf[i] = comboIndex[key];
    }
    comboCrash = combos.stream().mapToDouble(this::crashProbability).toArray();
    double reboots = scenario.fleet().plannedRebootsPerHour();
    comboLifeRate = new double[combos.size()];
    comboCrashShareOfLife = new double[combos.size()];
    for (int c = 0; c < combos.size(); c++) {
      double crashes = firstMatch(scenario.fleet().backgroundCrashesWhen(), combos.get(c),
          scenario.fleet().backgroundCrashesPerHour());
      comboLifeRate[c] = (crashes + reboots) / 3600.0;
      comboCrashShareOfLife[c] = crashes + reboots == 0 ? 0 : crashes / (crashes + reboots);
    }
  }

  private static String pad(int i, int width) {
    String s = Integer.toString(i);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }

  /** A uniform number in [0, 1) that depends only on the seed, the endpoint and the trait. */
  private double trait(int endpoint, long salt) {
    long z = seed * 0x9E3779B97F4A7C15L + endpoint * 0xBF58476D1CE4E5B9L + salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }

  /** The endpoint's id, {@code ep-} and its index padded to at least 7 digits. */
  String id(int i) {
    return ids[i];
  }

  /** The endpoint's attributes. */
  EndpointAttributes attributes(int i) {
    return combos.get(comboOf[i]);
  }

  /** Whether the endpoint is off for the whole run. */
  boolean offline(int i) {
    return trait(i, TRAIT_OFFLINE) < scenario.fleet().offlineShare();
  }

  /** Whether the candidate crashes the endpoint on load. */
  boolean susceptible(int i) {
    return trait(i, TRAIT_SUSCEPTIBLE) < comboCrash[comboOf[i]];
  }

  /** Whether the endpoint, when the candidate crashes it, crashes before its network is up. */
  boolean silent(int i) {
    return trait(i, TRAIT_SILENT) < scenario.candidate().silentCrashShare();
  }

  /** Whether the endpoint's validator refuses the candidate. */
  boolean refuses(int i) {
    return trait(i, TRAIT_REFUSES) < scenario.candidate().validationFailureShare();
  }

  /** Where in its heartbeat interval the endpoint polls, as a share of it, in [0, 1). */
  double phase(int i) {
    return trait(i, TRAIT_PHASE);
  }

  /** Whether the endpoint is a member of outage window {@code k}: it matches the window and is drawn into it. */
  boolean outageMember(int i, int k) {
    Scenario.Outage outage = scenario.fleet().outages().get(k);
    for (Map.Entry<String, String> m : outage.match().entrySet()) {
      if (!m.getValue().equals(Scenario.value(attributes(i), Attribute.fromJsonName(m.getKey())))) {
        return false;
      }
    }
    return trait(i, TRAIT_OUTAGE + k) < outage.share();
  }

  /** Background crashes plus planned restarts of the endpoint, per second. */
  double lifeRate(int i) {
    return comboLifeRate[comboOf[i]];
  }

  /** The share of the endpoint's life events that are background crashes; the rest are planned restarts. */
  double crashShareOfLife(int i) {
    return comboCrashShareOfLife[comboOf[i]];
  }

  private double crashProbability(EndpointAttributes a) {
    return firstMatch(scenario.candidate().crashOnLoadWhen(), a, scenario.candidate().crashOnLoad());
  }

  /** @return the probability of the first rule whose match holds for {@code a}, or {@code otherwise} */
  private static double firstMatch(List<Scenario.CrashRule> rules, EndpointAttributes a, double otherwise) {
    for (Scenario.CrashRule rule : rules) {
      boolean all = true;
      for (Map.Entry<String, String> m : rule.match().entrySet()) {
        if (!Scenario.value(a, Attribute.fromJsonName(m.getKey())).equals(m.getValue())) {
          all = false;
          break;
        }
      }
      if (all) {
        return rule.probability();
      }
    }
    return otherwise;
  }
}
