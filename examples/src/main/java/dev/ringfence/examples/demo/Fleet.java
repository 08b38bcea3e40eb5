package dev.ringfence.examples.demo;

import dev.ringfence.core.EndpointAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** A simulated fleet with a realistic mix of operating systems, builds, regions and tiers. */
final class Fleet {

  private static final String[] WINDOWS_BUILDS = {"19045", "22631", "22621", "20348", "17763"};
  private static final String[] LINUX_BUILDS = {"6.1", "5.15", "5.14"};
  private static final String[] MACOS_BUILDS = {"14.5", "13.6"};
  private static final String[] REGIONS = {"us-east", "us-west", "eu-west", "eu-central", "ap-southeast"};

  private final List<Endpoint> endpoints;

  private Fleet(List<Endpoint> endpoints) {
    this.endpoints = Collections.unmodifiableList(endpoints);
  }

  /** Share of hosts whose agent reports failed starts after a crash; the rest crash in silence. */
  static final double CRASH_REPORTERS = 0.4;

  /**
   * Generates a fleet: 70% windows, 20% linux, 10% macos; 5% critical, 8% internal, the rest standard;
   * 40% of the hosts report their crashes after a reboot, 60% go silent.
   *
   * @param size how many endpoints
   * @param version the content version every endpoint starts on
   * @param random the seeded source of every choice
   * @return the fleet
   */
  static Fleet generate(int size, long version, Random random) {
    List<Endpoint> list = new ArrayList<>(size);
    for (int i = 1; i <= size; i++) {
      double os = random.nextDouble();
      String name;
      String build;
      if (os < 0.70) {
        name = "windows";
        build = pick(WINDOWS_BUILDS, random);
      } else if (os < 0.90) {
        name = "linux";
        build = pick(LINUX_BUILDS, random);
      } else {
        name = "macos";
        build = pick(MACOS_BUILDS, random);
      }
      double tier = random.nextDouble();
      EndpointAttributes attributes = EndpointAttributes.builder()
          .os(name)
          .osBuild(build)
          .region(pick(REGIONS, random))
          .tier(tier < 0.05 ? "critical" : tier < 0.13 ? "internal" : "standard")
          .build();
      boolean reportsCrashes = random.nextDouble() < CRASH_REPORTERS;
      list.add(new Endpoint(String.format(Locale.ROOT, "host-%05d", i), attributes, version, reportsCrashes));
    }
    return new Fleet(list);
  }

  private static String pick(String[] values, Random random) {
    return values[random.nextInt(values.length)];
  }

  List<Endpoint> endpoints() {
    return endpoints;
  }

  int size() {
    return endpoints.size();
  }

  int countOs(String os) {
    return (int) endpoints.stream().filter(e -> e.attributes.os().equals(os)).count();
  }

  int countTier(String tier) {
    return (int) endpoints.stream().filter(e -> e.attributes.tier().equals(tier)).count();
  }

  int countOnVersion(long version) {
    return (int) endpoints.stream().filter(e -> e.version == version).count();
  }
}
