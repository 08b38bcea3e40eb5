package dev.ringfence.gates.internal;

import dev.ringfence.core.gate.AsyncGate;
import dev.ringfence.core.gate.AsyncGateConfig;
import dev.ringfence.core.gate.Gate;
import dev.ringfence.core.gate.GateContext;
import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.gate.Verdict;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The {@code webhook} gate: each measurement POSTs the ring's context, signed with HMAC-SHA256, to the plan's URL,
 * and the receiver's 2xx answer {@code {"verdict": "PASS|FAIL|INCONCLUSIVE", "reason": "..."}} decides. Every
 * verdict names the URL, the instant, the attempt and the answer that decided.
 */
public final class WebhookGate implements AsyncGate<WebhookAnswer> {

  /** The gate type, as written in plans. */
  public static final String TYPE = "webhook";

  /**
   * The exposure counts of the tick that started the measurement running on this thread. Set by the executor
   * wrapper around exactly one measurement, so that a measurement that waited in the executor's queue still sends
   * the counts of its own tick, not those of a later one.
   */
  private static final ThreadLocal<@Nullable Exposure> EXPOSURE = new ThreadLocal<>();

  private final WebhookParams params;
  private final WebhookClient client;
  private final Map<String, String> environment;
  private final @Nullable Path secretsDirectory;

  /**
   * @param params the checked parameters
   * @param client the HTTP client
   * @param environment where {@code {"env": ...}} secrets are looked up
   * @param secretsDirectory where {@code {"file": ...}} secrets are read, or null
   */
  public WebhookGate(WebhookParams params, WebhookClient client, Map<String, String> environment,
      @Nullable Path secretsDirectory) {
    this.params = params;
    this.client = client;
    this.environment = environment;
    this.secretsDirectory = secretsDirectory;
  }

  /**
   * Wraps a webhook gate into the gate of one ring: {@link AsyncGate#polling}, plus the exposure counts of the
   * tick that starts each measurement, which {@link GateQuery} does not carry.
   *
   * @param gate the webhook gate
   * @param config its executor and counts
   * @return the gate the engine calls
   */
  public static Gate polling(WebhookGate gate, AsyncGateConfig config) {
    return new ExposureCapture(gate, config);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public WebhookAnswer measure(GateQuery query) throws Exception {
    Exposure exposure = EXPOSURE.get();
    WebhookRequest request = WebhookRequest.of(query, exposure, params.metadata());
    byte[] secret = params.secret().resolve(environment, secretsDirectory);
    String signature;
    try {
      signature = request.signature(secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
    return client.post(params.url(), request, signature, params, exposure);
  }

  @Override
  public Verdict judge(GateQuery query, WebhookAnswer answer) {
    URI url = params.url();
    Map<String, Double> evidence = new LinkedHashMap<>();
    evidence.put("httpStatus", (double) answer.status());
    evidence.put("attempt", (double) answer.attempt());
    evidence.put("attempts", (double) answer.attempts());
    Exposure exposure = answer.exposure();
    if (exposure != null) {
      evidence.put("exposedInRing", (double) exposure.inRing());
      evidence.put("exposedTotal", (double) exposure.total());
    }
    String reason = "webhook " + url + " at " + query.at() + " answered " + answer.verdict() + " (HTTP "
        + answer.status() + ", attempt " + answer.attempt() + " of " + answer.attempts() + "): "
        + (answer.reason() == null ? "no reason given" : answer.reason()) + "; answer " + answer.answer();
    switch (answer.verdict()) {
      case PASS:
        return Verdict.pass(TYPE, reason, evidence);
      case FAIL:
        return Verdict.fail(TYPE, reason, evidence);
      default:
        return Verdict.inconclusive(TYPE, reason + "; INCONCLUSIVE is never a pass", evidence);
    }
  }

  /**
   * The polling gate, with the exposure counts handed to the measurement it starts: the executor it is given
   * wraps each task it runs, and it runs at most one per ring at a time.
   */
  private static final class ExposureCapture implements Gate {
    private final Gate polling;
    // Written and read on the tick thread, under this object's lock (evaluate is synchronized).
    private @Nullable Exposure ticking;

    ExposureCapture(WebhookGate gate, AsyncGateConfig config) {
      Executor executor = config.executor();
      Executor capturing = task -> {
        Exposure exposure = ticking; // the start happens inside evaluate, on the tick thread
        executor.execute(() -> {
          EXPOSURE.set(exposure);
          try {
            task.run();
          } finally {
            EXPOSURE.remove();
          }
        });
      };
      this.polling = AsyncGate.polling(gate, AsyncGateConfig.from(config).executor(capturing).build());
    }

    @Override
    public synchronized Verdict evaluate(GateContext context) {
      ticking = Exposure.of(context);
      return polling.evaluate(context);
    }
  }
}
