package dev.ringfence.gates.internal;

import dev.ringfence.core.gate.AsyncGateConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The parameters every gate of this module polls by ({@code minSamples}, {@code consecutiveErrorLimit}, {@code
 * timeout}, {@code interval}), read by {@link GateParams} from a ring's {@code gate.params}, and what a factory
 * makes of them.
 */
public interface PollingParams {

  /** @return passing measurements in a row before PASS */
  int minSamples();

  /** @return failed measurements in a row tolerated before ERROR */
  int consecutiveErrorLimit();

  /** @return how long a measurement may take, on the engine's clock */
  Duration timeout();

  /** @return least time between two measurements */
  Duration interval();

  /**
   * @param executor where the measurements run
   * @return the polling configuration of one ring's gate
   */
  default AsyncGateConfig asyncConfig(Executor executor) {
    return AsyncGateConfig.custom()
        .executor(executor)
        .timeout(timeout())
        .consecutiveErrorLimit(consecutiveErrorLimit())
        .minSamples(minSamples())
        .interval(interval())
        .build();
  }

  /**
   * The HTTP client a factory uses when the host gives none: a 10-second connect timeout, no redirects. Not the
   * gate executor: the client completes its responses on threads of its own, and a measurement blocked in send()
   * on a one-thread executor would wait for itself.
   *
   * @return a new client
   */
  static HttpClient defaultHttpClient() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }
}
