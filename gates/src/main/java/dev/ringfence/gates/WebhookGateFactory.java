package dev.ringfence.gates;

import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.gates.internal.PollingParams;
import dev.ringfence.gates.internal.SecretRef;
import dev.ringfence.gates.internal.WebhookClient;
import dev.ringfence.gates.internal.WebhookGate;
import dev.ringfence.gates.internal.WebhookParams;
import dev.ringfence.protocol.InvalidInputException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@value #TYPE} gates: each measurement POSTs the ring's context as JSON, signed with HMAC-SHA256, to a
 * receiver whose 2xx answer {@code {"verdict": "PASS|FAIL|INCONCLUSIVE", "reason": "..."}} decides, retried when
 * another attempt may mend it; the tick never waits for it. Register it with the engine:
 *
 * <pre>{@code
 * ExecutorService gateThreads = Executors.newFixedThreadPool(2);
 * RolloutEngine engine = RolloutEngine.create(RolloutEngineConfig.custom()
 *     .gate(WebhookGateFactory.TYPE, WebhookGateFactory.custom().executor(gateThreads)
 *         .secretsDirectory(Path.of("/etc/ringfence/webhook-secrets")).build())
 *     .build());
 * }</pre>
 *
 * <p>A ring's gate in a plan:
 *
 * <pre>{@code
 * "gate": {"type": "webhook", "params": {
 *   "url": "https://checks.example.com/ringfence",
 *   "secret": {"env": "RINGFENCE_WEBHOOK_CHECKS"},
 *   "minSamples": 2, "consecutiveErrorLimit": 3, "retries": 2, "retryWait": "1s", "interval": "30s"}}
 * }</pre>
 *
 * <p>Parameters: {@code url} (required), {@code secret} (required: {@code {"env": "RINGFENCE_WEBHOOK_..."}} or
 * {@code {"file": "NAME"}} in the {@link Builder#secretsDirectory secrets directory}; an inline secret is refused),
 * {@code metadata} (strings sent with each request), {@code timeout} (default 30s), {@code requestTimeout}
 * (default 10s), {@code retries} (default 2), {@code retryWait} (default 1s), {@code minSamples} (default 1),
 * {@code consecutiveErrorLimit} (default {@value AsyncGateConfig#DEFAULT_CONSECUTIVE_ERROR_LIMIT}) and {@code
 * interval} (default 0s). Bad parameters are refused with an {@link InvalidPlanException} naming each by its path
 * when the rollout is created. The request, its signature and the answer a receiver gives: {@code docs/gates.md}.
 */
public final class WebhookGateFactory implements GateFactory {

  /** The gate type, as written in plans. */
  public static final String TYPE = WebhookGate.TYPE;
  /** The prefix of every environment variable a plan may name as a secret. */
  public static final String SECRET_ENV_PREFIX = SecretRef.ENV_PREFIX;

  private final Executor executor;
  private final WebhookClient client;
  private final Map<String, String> environment;
  private final @Nullable Path secretsDirectory;

  private WebhookGateFactory(Builder builder) {
    this.executor = builder.executor;
    this.environment = builder.environment;
    this.secretsDirectory = builder.secretsDirectory;
    HttpClient http = builder.httpClient;
    this.client = new WebhookClient(http != null ? http : PollingParams.defaultHttpClient());
  }

  /** @return a builder; an executor is required */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * Makes the gate of one ring.
   *
   * @param spec the ring's gate spec, of type {@value #TYPE}
   * @return the gate: it never waits on the receiver when the engine evaluates it
   * @throws InvalidPlanException naming every bad parameter, e.g. {@code gate.params.secret: ...}
   */
  @Override
  public Gate create(GateSpec spec) {
    WebhookParams params = WebhookParams.read(spec.params(), secretsDirectory != null);
    return WebhookGate.polling(new WebhookGate(params, client, environment, secretsDirectory),
        params.asyncConfig(executor));
  }

  /** Builds a {@link WebhookGateFactory}. */
  public static final class Builder {
    private @Nullable Executor executor;
    private @Nullable HttpClient httpClient;
    private Map<String, String> environment = System.getenv();
    private @Nullable Path secretsDirectory;

    private Builder() {}

    /**
     * @param executor where the requests run (they block on the network, and wait between retries); never the
     *     thread that ticks the engine. May be shared with other gates.
     * @return this builder
     */
    public Builder executor(Executor executor) {
      if (executor == null) {
        throw new InvalidInputException("executor", "is null; give an executor whose threads may wait on receivers");
      }
      this.executor = executor;
      return this;
    }

    /**
     * @param httpClient the client the requests go through (proxy, TLS); by default one with a 10-second connect
     *     timeout that follows no redirects
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
     * @param directory where {@code "secret": {"file": "NAME"}} is read from, at each measurement; without one,
     *     plans can name environment variables only
     * @return this builder
     */
    public Builder secretsDirectory(Path directory) {
      if (directory == null) {
        throw new InvalidInputException("secretsDirectory", "is null");
      }
      this.secretsDirectory = directory.toAbsolutePath().normalize();
      return this;
    }

    /**
     * @param variables where {@code "secret": {"env": "RINGFENCE_WEBHOOK_..."}} is looked up, at each measurement;
     *     {@link System#getenv()} by default
     * @return this builder
     */
    public Builder environment(Map<String, String> variables) {
      if (variables == null) {
        throw new InvalidInputException("environment", "is null");
      }
      this.environment = Map.copyOf(variables);
      return this;
    }

    /**
     * @return the factory
     * @throws InvalidInputException if no executor was given
     */
    public WebhookGateFactory build() {
      if (executor == null) {
        throw new InvalidInputException("executor", "is required: requests never run on the thread that ticks");
      }
      return new WebhookGateFactory(this);
    }
  }
}
