package dev.ringfence.gates.internal;

import dev.ringfence.core.gate.AsyncGate;
import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.gate.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code prometheus} gate: one PromQL instant query per measurement, at the engine's instant, judged against
 * {@code failIf} and {@code passIf}. No data is INCONCLUSIVE, never PASS. Every verdict names the query as sent,
 * the instant and the value that decided.
 */
public final class PrometheusGate implements AsyncGate<Sample> {

  /** The gate type, as written in plans. */
  public static final String TYPE = "prometheus";

  private final PrometheusParams params;
  private final PrometheusClient client;

  /**
   * @param params the checked parameters
   * @param client the HTTP client
   */
  public PrometheusGate(PrometheusParams params, PrometheusClient client) {
    this.params = params;
    this.client = client;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Sample measure(GateQuery query) throws Exception {
    return client.query(params.queryUri(), params.query().render(query), query.at(), params.timeout());
  }

  @Override
  public Verdict judge(GateQuery query, Sample sample) {
    String asked = "query " + sample.query() + " at " + query.at();
    Map<String, Double> evidence = new LinkedHashMap<>();
    Threshold failIf = params.failIf();
    Threshold passIf = params.passIf();
    if (failIf != null) {
      evidence.put("failIfBound", failIf.bound());
    }
    if (passIf != null) {
      evidence.put("passIfBound", passIf.bound());
    }
    if (sample.value() == null) {
      return Verdict.inconclusive(TYPE, asked + " returned no data: " + sample.noData()
          + "; no data is never a pass", evidence);
    }
    double value = sample.number();
    if (Double.isFinite(value)) {
      evidence.put("value", value); // the journal holds finite numbers only; the reason keeps +Inf and -Inf
    }
    String returned = asked + " returned " + sample.value();
    if (failIf != null && failIf.matches(value)) {
      return Verdict.fail(TYPE, returned + ", which is " + failIf + " (failIf): FAIL", evidence);
    }
    if (passIf == null) {
      return Verdict.pass(TYPE, returned + ", which is not " + failIf + " (failIf, no passIf): PASS", evidence);
    }
    if (passIf.matches(value)) {
      return Verdict.pass(TYPE, returned + ", which is " + passIf + " (passIf)" + (failIf == null ? ""
          : " and not " + failIf + " (failIf)") + ": PASS", evidence);
    }
    return Verdict.inconclusive(TYPE, returned + ", which is not " + passIf + " (passIf)" + (failIf == null ? ""
        : " nor " + failIf + " (failIf)") + ": waiting", evidence);
  }
}
