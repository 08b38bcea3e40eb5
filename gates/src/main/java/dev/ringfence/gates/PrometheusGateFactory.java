package dev.ringfence.gates;

import dev.ringfence.core.gate.AsyncGate;
import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.gates.internal.PollingParams;
import dev.ringfence.gates.internal.PrometheusClient;
import dev.ringfence.gates.internal.PrometheusGate;
import dev.ringfence.gates.internal.PrometheusParams;
import dev.ringfence.protocol.InvalidInputException;
import java.net.http.HttpClient;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

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
    this.executor = builder.executor;
    HttpClient http = builder.httpClient;
    this.client = new PrometheusClient(http != null ? http : PollingParams.defaultHttpClient());
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

  /** Builds a {@link PrometheusGateFactory}. */
  public static final class Builder {
    private @Nullable Executor executor;
    private @Nullable HttpClient httpClient;

    private Builder() {}

    /**
     * @param executor where the queries run (they block on the network); never the thread that ticks the engine
     * @return this builder
     */
    public Builder executor(Executor executor) {
      if (executor == null) {
        throw new InvalidInputException("executor", "is null; give an executor whose threads may wait on Prometheus");
      }
      this.executor = executor;
      return this;
    }

    /**
     * @param httpClient the client the queries go through (proxy, TLS, authentication); by default one with a
     *     10-second connect timeout that follows no redirects (the JDK's client runs a selector thread of its own:
     *     give yours to decide which threads exist)
     * @return this builder
     */
    public Builder httpClient(HttpClient httpClient) {
      if (httpClient == null) {
        throw new InvalidInputException("httpClient", "is null");
      }
      this.httpClient = httpClient;
      return this;
    }

    /**
     * @return the factory
     * @throws InvalidInputException if no executor was given
     */
    public PrometheusGateFactory build() {
      if (executor == null) {
        throw new InvalidInputException("executor", "is required: queries never run on the thread that ticks");
      }
      return new PrometheusGateFactory(this);
    }
  }
}
