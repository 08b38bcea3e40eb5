package dev.ringfence.simulator;

import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The simulator's stand-in for a Prometheus gate: the candidate's request error ratio, as an operator's
 * service metrics would show it, fed from the simulator's own counters instead of a query. Each evaluation adds
 * the requests the hosts running the candidate served since the last one ({@code requestsPerMinute} each) and
 * draws their errors at the scenario's {@code candidate.serviceErrors.candidateRate}; the ratio since the ring
 * opened is judged like the prometheus gate judges its value ({@code failIf}, {@code passIf}), and below
 * {@code minRequests} it is INCONCLUSIVE. It never reads a heartbeat or a crash: a rollout it halts was halted by
 * the service metric alone.
 *
 * <p>Params: {@code failIf} and/or {@code passIf} (a comparison such as {@code "> 0.02"}), {@code minRequests}
 * (default 1,000), {@code requestsPerMinute} (per host, default 60).
 */
final class ServiceMetricGate implements Gate {

  /** The gate type plans name. */
  static final String TYPE = "service-metric";

  private static final Pattern COMPARISON = Pattern.compile("\\s*(>=|<=|==|!=|>|<)\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*");
  private static final Set<String> KNOWN = Set.of("failIf", "passIf", "minRequests", "requestsPerMinute");

  private record Threshold(String op, double bound, String text) {
    boolean matches(double value) {
      return switch (op) {
        case ">" -> value > bound;
        case ">=" -> value >= bound;
        case "<" -> value < bound;
        case "<=" -> value <= bound;
        case "==" -> value == bound;
        default -> value != bound;
      };
    }
  }

  private final @Nullable Threshold failIf;
  private final @Nullable Threshold passIf;
  private final long minRequests;
  private final int requestsPerMinute;
  private final IntSupplier serving;
  private final double errorRate;
  private final SplittableRandom random;
  private @Nullable Instant last;
  private long requests;
  private long errors;

  /**
   * @param spec the ring's gate spec
   * @param serving how many hosts run the candidate now
   * @param errorRate the share of their requests that fail
   * @param random the draws of this gate (its own stream: other scenarios' runs do not change)
   * @throws InvalidPlanException naming {@code gate.params.<name>} for every bad parameter
   */
  ServiceMetricGate(GateSpec spec, IntSupplier serving, double errorRate, SplittableRandom random) {
    List<String> problems = new ArrayList<>();
    Map<String, Object> params = spec.params();
    for (String key : new TreeSet<>(params.keySet())) {
      if (!KNOWN.contains(key)) {
        problems.add("gate.params." + key + ": unknown parameter of " + TYPE + "; known: " + new TreeSet<>(KNOWN));
      }
    }
    this.failIf = threshold(params.get("failIf"), "failIf", problems);
    this.passIf = threshold(params.get("passIf"), "passIf", problems);
    if (params.get("failIf") == null && params.get("passIf") == null) {
      problems.add("gate.params.failIf: neither failIf nor passIf is given; give at least one, e.g. \"> 0.02\"");
    }
    this.minRequests = whole(params.get("minRequests"), "minRequests", 1_000, problems);
    this.requestsPerMinute = (int) whole(params.get("requestsPerMinute"), "requestsPerMinute", 60, problems);
    if (!problems.isEmpty()) {
      throw new InvalidPlanException(problems);
    }
    this.serving = serving;
    this.errorRate = errorRate;
    this.random = random;
  }

  private static @Nullable Threshold threshold(@Nullable Object value, String name, List<String> problems) {
    if (value == null) {
      return null;
    }
    Matcher m = value instanceof String text ? COMPARISON.matcher(text) : null;
    if (m == null || !m.matches()) {
      problems.add("gate.params." + name + ": '" + value + "' is not a comparison such as \"> 0.02\"");
      return null;
    }
    return new Threshold(m.group(1), Double.parseDouble(m.group(2)), m.group(1) + " " + m.group(2));
  }

  private static long whole(@Nullable Object value, String name, long fallback, List<String> problems) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.longValue() < 1 || number.longValue() > 1_000_000_000L) {
      problems.add("gate.params." + name + ": " + value + " must be a whole number from 1 to 1000000000");
      return fallback;
    }
    return number.longValue();
  }

  @Override
  public Verdict evaluate(GateContext context) {
    Instant now = context.now();
    if (last != null) {
      double minutes = Duration.between(last, now).toMillis() / 60_000.0;
      long served = Math.round(serving.getAsInt() * (double) requestsPerMinute * minutes);
      requests += served;
      errors += draw(served);
    }
    last = now;
    Map<String, Double> evidence = Map.of("requests", (double) requests, "errors", (double) errors);
    if (requests < minRequests) {
      return Verdict.inconclusive(TYPE, String.format(Locale.ROOT, "the candidate served %,d requests since the"
          + " ring opened, fewer than minRequests %,d", requests, minRequests), evidence);
    }
    double ratio = (double) errors / requests;
    String value = String.format(Locale.ROOT, "the candidate's request error ratio since the ring opened was"
        + " %.4f (%,d errors in %,d requests)", ratio, errors, requests);
    Map<String, Double> withValue = Map.of("requests", (double) requests, "errors", (double) errors,
        "value", ratio);
    Threshold fail = failIf;
    if (fail != null && fail.matches(ratio)) {
      return Verdict.fail(TYPE, value + ", which is " + fail.text() + " (failIf): FAIL", withValue);
    }
    Threshold pass = passIf;
    if (pass == null) {
      // As the prometheus gate judges: without passIf, a value that does not fail passes.
      return Verdict.pass(TYPE, value + (fail == null ? "" : ", which is not " + fail.text() + " (failIf)") + ": PASS",
          withValue);
    }
    if (pass.matches(ratio)) {
      return Verdict.pass(TYPE, value + ", which is " + pass.text() + " (passIf): PASS", withValue);
    }
    return Verdict.inconclusive(TYPE, value + ", between the thresholds", withValue);
  }

  /** Errors among {@code n} requests: binomial, drawn as its normal approximation (n is in the thousands). */
  private long draw(long n) {
    if (n == 0 || errorRate == 0) {
      return 0;
    }
    double mean = n * errorRate;
    double sd = Math.sqrt(n * errorRate * (1 - errorRate));
    return Math.max(0, Math.min(n, Math.round(mean + sd * random.nextGaussian())));
  }
}
