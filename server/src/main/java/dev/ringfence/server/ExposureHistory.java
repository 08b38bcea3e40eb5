package dev.ringfence.server;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.RolloutStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exposure over time per rollout, sampled on every scheduler tick when it changed, for the status page's
 * chart. Bounded: past {@value #MAX_SAMPLES} samples every other one is dropped, so a long rollout keeps
 * its whole shape at a coarser grain.
 */
final class ExposureHistory {

  static final int MAX_SAMPLES = 1_000;

  /**
   * @param at when
   * @param state the rollout's state
   * @param exposed endpoints exposed so far
   * @param reverted exposed endpoints back on the baseline
   */
  record Sample(Instant at, RolloutState state, long exposed, long reverted) {}

  private final Map<String, List<Sample>> samples = new ConcurrentHashMap<>();

  void record(Rollout rollout, Instant now) {
    RolloutStatus status = rollout.status();
    List<Sample> list = samples.computeIfAbsent(rollout.id(), id -> new ArrayList<>());
    synchronized (list) {
      Sample last = list.isEmpty() ? null : list.get(list.size() - 1);
      if (last != null && last.state() == status.state() && last.exposed() == status.exposedTotal()
          && last.reverted() == status.revertedCount()) {
        return;
      }
      list.add(new Sample(now, status.state(), status.exposedTotal(), status.revertedCount()));
      if (list.size() > MAX_SAMPLES) {
        List<Sample> kept = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          if (i % 2 == 0 || i == list.size() - 1) {
            kept.add(list.get(i));
          }
        }
        list.clear();
        list.addAll(kept);
      }
    }
  }

  List<Sample> samples(String rolloutId) {
    List<Sample> list = samples.get(rolloutId);
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list);
    }
  }
}
