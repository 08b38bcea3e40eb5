package dev.ringfence.simulator;

import dev.ringfence.agent.MemoryDisk;
import dev.ringfence.agent.RolloutAgent;
import dev.ringfence.protocol.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An endpoint that has met the candidate: its disk, its agent (a new one per boot, over the same disk) and the
 * signals the agent has said and the host has not yet sent. Endpoints that never meet the candidate have none:
 * the simulator reports for them itself.
 */
final class SimulatedHost {

  /** The host's disk, a copy of the fleet's image. */
  final MemoryDisk disk;
  /** What the agent said since the host last sent; its signal sink. */
  final List<Signal> outbox = new ArrayList<>(4);
  /** The agent of the host's current boot. */
  @SuppressWarnings("NullAway.Init")
  RolloutAgent agent;

  /**
   * A host whose agent is yet to be built.
   *
   * @param disk its disk
   */
  SimulatedHost(MemoryDisk disk) {
    this.disk = disk;
  }

  /**
   * Sends what the agent said, in order, when the network is up, and forgets it either way.
   *
   * @param networkUp whether anything gets out
   * @param send sends one signal
   */
  void deliver(boolean networkUp, Consumer<Signal> send) {
    if (networkUp) {
      for (Signal s : outbox) {
        send.accept(s);
      }
    }
    outbox.clear();
  }
}
