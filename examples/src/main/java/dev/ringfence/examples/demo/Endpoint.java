package dev.ringfence.examples.demo;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.health.Heartbeat;

/**
 * One simulated host: what the update server knows about it, what it runs, whether it is up, and the
 * counters its agent stamps on every health signal (a boot id kept across reboots, a sequence number
 * reset at each boot).
 */
final class Endpoint {

  final String id;
  final EndpointAttributes attributes;
  /**
   * Whether the host's agent manages to report failed starts after a reboot. Most hosts that crash on
   * load never do (a blue screen sends nothing): the engine sees them only as silence.
   */
  final boolean reportsCrashes;
  /** The content version the host runs (installed, so it is loaded again at every boot). */
  long version;
  /** The host crashed and has not come back up yet. */
  boolean down;
  /** When down, the simulated minute it reboots. */
  int downUntilMinute = -1;
  /** Failed starts and crashes since the last report, as far as the agent knows of them. */
  private int failedStarts;
  private long bootId = 1;
  private long sequence;

  Endpoint(String id, EndpointAttributes attributes, long version, boolean reportsCrashes) {
    this.id = id;
    this.attributes = attributes;
    this.version = version;
    this.reportsCrashes = reportsCrashes;
  }

  boolean isWindows() {
    return "windows".equals(attributes.os());
  }

  /**
   * The host crashes and stays down until a minute. Only an agent that reports crashes remembers it.
   *
   * @param rebootMinute the simulated minute it comes back
   */
  void crash(int rebootMinute) {
    down = true;
    downUntilMinute = rebootMinute;
    if (reportsCrashes) {
      failedStarts++;
    }
  }

  /** @return whether there are failed starts to report */
  boolean hasFailedStarts() {
    return failedStarts > 0;
  }

  /** The process starts again: a new boot id, and the sequence starts over. */
  void reboot() {
    down = false;
    bootId++;
    sequence = 0;
  }

  /**
   * The next heartbeat on the running version, carrying the failed starts not yet reported.
   *
   * @return the signal, with a (boot id, sequence) above every one sent before
   */
  Heartbeat heartbeat() {
    Heartbeat beat = new Heartbeat(id, bootId, sequence++, version, failedStarts);
    failedStarts = 0;
    return beat;
  }
}
