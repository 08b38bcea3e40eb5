package dev.ringfence.gates;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.ringfence.core.gate.GateFactory;
import dev.ringfence.gates.internal.PollingParams;
import java.net.http.HttpClient;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * What the builders of both HTTP gate factories take alike: the executor the measurements run on (required) and
 * the HTTP client they go through (optional), with their checks and messages written once. Package-private, as
 * the JDK's {@code AbstractStringBuilder} is: its public setters are documented as each builder's own.
 *
 * @param <B> the builder the setters return
 */
abstract class HttpGateFactoryBuilder<B extends HttpGateFactoryBuilder<B>> {

  private final String peer;
  private final String work;
  private @Nullable Executor executor;
  private @Nullable HttpClient httpClient;

  /**
   * @param peer whom the measurements wait on, for the messages: {@code Prometheus}, {@code receivers}
   * @param work what the measurements are, for the messages: {@code queries}, {@code requests}
   */
  HttpGateFactoryBuilder(String peer, String work) {
    this.peer = peer;
    this.work = work;
  }

  /** @return this builder as the subclass it is: a {@code Builder extends HttpGateFactoryBuilder<Builder>} */
  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * @param executor where the measurements run (they block on the network); never the thread that ticks the
   *     engine. May be shared with other gates.
   * @return this builder
   * @throws NullPointerException if {@code executor} is null
   */
  public B executor(Executor executor) {
    this.executor = checkNotNull(executor, "executor: is null; give an executor whose threads may wait on %s", peer);
    return self();
  }

  /**
   * @param httpClient the client the measurements go through (proxy, TLS, authentication); by default one with a
   *     10-second connect timeout that follows no redirects (the JDK's client runs a selector thread of its own:
   *     give yours to decide which threads exist)
   * @return this builder
   * @throws NullPointerException if {@code httpClient} is null
   */
  public B httpClient(HttpClient httpClient) {
    this.httpClient = checkNotNull(httpClient, "httpClient: is null");
    return self();
  }

  /**
   * @return the factory
   * @throws IllegalStateException if no executor was given
   */
  public abstract GateFactory build();

  /**
   * @return the executor given
   * @throws IllegalStateException if none was given
   */
  Executor requiredExecutor() {
    checkState(executor != null, "executor: is required: %s never run on the thread that ticks", work);
    return executor;
  }

  /** @return the client given, or a {@link PollingParams#defaultHttpClient() default} one when none was */
  HttpClient httpClientOrDefault() {
    return httpClient != null ? httpClient : PollingParams.defaultHttpClient();
  }
}
