package dev.ringfence.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.core.store.HealthShare;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health across replicas: the encoding of a replica's {@link HealthCounts} in a {@link HealthShare}, and the
 * merge of the other replicas' shares into a rollout's tracker on each tick.
 *
 * <p>The form, version 1: {@code {"v":1,"strata":[{"key":..,"candidateFailures":..,"controlFailures":..,
 * "candidateAtRisk":..,"controlAtRisk":..}, ..],"outcomes":[..],"censoredReported":..}}, strata by key (stratum
 * ids are each process's own), only those with a non-zero count.
 *
 * <p>Expiry: a share published more than {@code expiry} before now (on this replica's clock) is of a replica
 * that stopped. Its failures stay in the totals, frozen, because the totals feed deltas that must never go
 * negative; its endpoints at risk and its outcomes leave the sums, because the load balancer sends those
 * endpoints to the replicas left, which track them from their next poll.
 */
final class FleetHealth {

  static final int FORMAT = 1;
  private static final Logger LOG = LoggerFactory.getLogger(FleetHealth.class);
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private FleetHealth() {}

  static String encode(HealthCounts counts) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("v", FORMAT);
    ArrayNode strata = root.putArray("strata");
    for (int i = 0; i < counts.keys.length; i++) {
      if (counts.candidateFailures[i] == 0 && counts.controlFailures[i] == 0 && counts.candidateAtRisk[i] == 0
          && counts.controlAtRisk[i] == 0) {
        continue;
      }
      strata.addObject().put("key", counts.keys[i]).put("candidateFailures", counts.candidateFailures[i])
          .put("controlFailures", counts.controlFailures[i]).put("candidateAtRisk", counts.candidateAtRisk[i])
          .put("controlAtRisk", counts.controlAtRisk[i]);
    }
    ArrayNode outcomes = root.putArray("outcomes");
    for (long n : counts.outcomes) {
      outcomes.add(n);
    }
    root.put("censoredReported", counts.censoredReported);
    return root.toString();
  }

  /**
   * @param outcomeCells the length of {@link HealthCounts#outcomes} for this rollout's plan
   * @throws IllegalArgumentException naming the field that is missing, negative or of the wrong size
   */
  static HealthCounts decode(String json, int outcomeCells) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("health: not JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("health: not a JSON object");
    }
    if (root.path("v").asInt(-1) != FORMAT) {
      throw new IllegalArgumentException("health.v: " + root.path("v") + " is not format " + FORMAT
          + " (a replica of another version)");
    }
    JsonNode strata = root.path("strata");
    JsonNode outcomes = root.path("outcomes");
    if (!strata.isArray()) {
      throw new IllegalArgumentException("health.strata: missing or not an array");
    }
    if (!outcomes.isArray() || outcomes.size() != outcomeCells) {
      throw new IllegalArgumentException("health.outcomes: must be an array of " + outcomeCells
          + " counts (rings + control, by status), found " + outcomes);
    }
    int n = strata.size();
    String[] keys = new String[n];
    long[][] columns = new long[4][n];
    String[] names = {"candidateFailures", "controlFailures", "candidateAtRisk", "controlAtRisk"};
    for (int i = 0; i < n; i++) {
      JsonNode stratum = strata.get(i);
      if (!stratum.path("key").isTextual()) {
        throw new IllegalArgumentException("health.strata[" + i + "].key: missing or not a string");
      }
      keys[i] = stratum.get("key").asText();
      for (int c = 0; c < names.length; c++) {
        columns[c][i] = count(stratum.path(names[c]), "health.strata[" + i + "]." + names[c]);
      }
    }
    long[] perStatus = new long[outcomeCells];
    for (int i = 0; i < outcomeCells; i++) {
      perStatus[i] = count(outcomes.get(i), "health.outcomes[" + i + "]");
    }
    return new HealthCounts(keys, columns[0], columns[1], columns[2], columns[3], perStatus,
        count(root.path("censoredReported"), "health.censoredReported"));
  }

  private static long count(JsonNode node, String field) {
    if (!node.canConvertToExactIntegral() || !node.canConvertToLong() || node.asLong() < 0) {
      throw new IllegalArgumentException(field + ": must be a count (a whole number, 0 or more), found " + node);
    }
    return node.asLong();
  }

  /**
   * Records a tick of {@code tracker} with this replica's counts and the other replicas' latest shares of the
   * rollout. A share that cannot be read is left out and logged.
   */
  static void record(HealthTracker tracker, String rolloutId, long nowMillis, HealthCounts local,
      List<HealthShare> others, Instant now, Duration expiry, int outcomeCells) {
    List<HealthCounts> live = new ArrayList<>();
    List<HealthCounts> expired = new ArrayList<>();
    for (HealthShare share : others) {
      HealthCounts counts;
      try {
        counts = decode(share.health(), outcomeCells);
      } catch (IllegalArgumentException e) {
        LOG.warn("rollout '{}': the health share of replica '{}' is left out: {}", rolloutId, share.replicaId(),
            e.getMessage());
        continue;
      }
      boolean stopped = Duration.between(share.publishedAt(), now).compareTo(expiry) > 0;
      (stopped ? expired : live).add(counts);
    }
    tracker.record(nowMillis, local, live, expired);
  }
}
