package dev.ringfence.gates;

import static java.util.Objects.requireNonNull;

import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import dev.ringfence.gates.internal.SecretRef;
import dev.ringfence.gates.internal.WebhookClient;
import dev.ringfence.gates.internal.WebhookGate;
import dev.ringfence.gates.internal.WebhookParams;
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
    this.executor = builder.requiredExecutor();
    this.environment = builder.environment;
    this.secretsDirectory = builder.secretsDirectory;
    this.client = new WebhookClient(builder.httpClientOrDefault());
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

  /**
   * Builds a {@link WebhookGateFactory}: {@link #executor executor} (required; the requests block on the network and
   * wait between retries there, never on the thread that ticks the engine; it may be shared with other gates),
   * {@link #httpClient httpClient}, {@link #secretsDirectory secretsDirectory} and {@link #environment environment}.
   */
  public static final class Builder extends HttpGateFactoryBuilder<Builder> {
    private Map<String, String> environment = System.getenv();
    private @Nullable Path secretsDirectory;

    private Builder() {
      super("receivers", "requests");
    }

    /**
     * @param directory where {@code "secret": {"file": "NAME"}} is read from, at each measurement; without one,
     *     plans can name environment variables only
     * @return this builder
     * @throws NullPointerException if {@code directory} is null
     */
    public Builder secretsDirectory(Path directory) {
      this.secretsDirectory = requireNonNull(directory, "secretsDirectory: is null").toAbsolutePath().normalize();
      return this;
    }

    /**
     * @param variables where {@code "secret": {"env": "RINGFENCE_WEBHOOK_..."}} is looked up, at each measurement;
     *     {@link System#getenv()} by default
     * @return this builder
     * @throws NullPointerException if {@code variables} is null
     */
    public Builder environment(Map<String, String> variables) {
      this.environment = Map.copyOf(requireNonNull(variables, "environment: is null"));
      return this;
    }

    /**
     * @return the factory
     * @throws IllegalStateException if no executor was given
     */
    @Override
    public WebhookGateFactory build() {
      return new WebhookGateFactory(this);
    }
  }
}
