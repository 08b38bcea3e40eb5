package dev.ringfence.gates;

import dev.ringfence.core.gate.AsyncGate;
import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.gates.internal.PrometheusClient;
import dev.ringfence.gates.internal.PrometheusGate;
import dev.ringfence.gates.internal.PrometheusParams;
import java.util.concurrent.Executor;

/**
 * Makes {@value #TYPE} gates: a PromQL instant query through Prometheus's HTTP API, judged on every tick without
 * the tick waiting for it. Register it with the engine:
 *
 * <pre>{@code
 * ExecutorService gateThreads = Executors.newFixedThreadPool(2);
 * RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom()
 *     .gate(PrometheusGateFactory.TYPE, PrometheusGateFactory.custom().executor(gateThreads).build())
 *     .build());
 * }</pre>
 *
 * <p>A ring's gate in a plan:
 *
 * <pre>{@code
 * "gate": {"type": "prometheus", "params": {
 *   "url": "http://prometheus:9090",
 *   "query": "sum(rate(app_errors_total{version=\"{{candidate}}\"}[5m])) / sum(rate(app_requests_total{version=\"{{candidate}}\"}[5m]))",
 *   "failIf": "> 0.02", "passIf": "< 0.01", "minSamples": 3, "consecutiveErrorLimit": 3}}
 * }</pre>
 *
 * <p>Parameters: {@code url} (required), {@code query} (required; placeholders {@code {{rollout}}, {{ring}},
 * {{channel}}, {{baseline}}, {{candidate}}}), {@code failIf} and {@code passIf} (at least one; an operator
 * {@code > >= < <= == !=} and a number), {@code minSamples} (default 1), {@code consecutiveErrorLimit} (default
 * {@value AsyncGateConfig#DEFAULT_CONSECUTIVE_ERROR_LIMIT}), {@code timeout} (default 30s) and {@code interval}
 * (default 0s). Bad parameters are refused with an {@link InvalidPlanException} naming each by its path when the
 * rollout is created. How the gate judges, and what it does on errors: {@code docs/gates.md}.
 */
public final class PrometheusGateFactory implements GateFactory {

  /** The gate type, as written in plans. */
  public static final String TYPE = PrometheusGate.TYPE;

  private final Executor executor;
  private final PrometheusClient client;

  private PrometheusGateFactory(Builder builder) {
    this.executor = builder.requiredExecutor();
    this.client = new PrometheusClient(builder.httpClientOrDefault());
  }

  /** @return a builder; an executor is required */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * Makes the gate of one ring.
   *
   * @param spec the ring's gate spec, of type {@value #TYPE}
   * @return the gate: it never waits on Prometheus when the engine evaluates it
   * @throws InvalidPlanException naming every bad parameter, e.g. {@code gate.params.failIf: ...}
   */
  @Override
  public Gate create(GateSpec spec) {
    PrometheusParams params = PrometheusParams.read(spec.params());
    return AsyncGate.polling(new PrometheusGate(params, client), params.asyncConfig(executor));
  }

  /**
   * Builds a {@link PrometheusGateFactory}: {@link #executor executor} (required; the queries block on the network
   * there, never on the thread that ticks the engine) and {@link #httpClient httpClient}.
   */
  public static final class Builder extends HttpGateFactoryBuilder<Builder> {

    private Builder() {
      super("Prometheus", "queries");
    }

    /**
     * @return the factory
     * @throws IllegalStateException if no executor was given
     */
    @Override
    public PrometheusGateFactory build() {
      return new PrometheusGateFactory(this);
    }
  }
}
