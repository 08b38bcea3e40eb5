package dev.ringfence.gates.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.InvalidPlanException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the two inputs of the {@code webhook} gate that come from outside (docs/fuzzing.md): the receiver's
 * answer, and the gate's parameters in a plan. Corpus: {@code WebhookGateFuzzTestInputs/}.
 */
class WebhookGateFuzzTest {

  private static final GateQuery QUERY = FuzzedParams.QUERY;
  private static final WebhookGate GATE = new WebhookGate(WebhookParams.read(Map.of("url", "http://receiver/",
      "secret", Map.of("env", "RINGFENCE_WEBHOOK_X")), false), null, Map.of(), null);

  /**
   * An answer body is a verdict, or refused with a {@link WebhookFailedException} that says why; a verdict is
   * judged without throwing, on one line, never as ERROR.
   */
  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void parseAnswer(byte[] body) {
    WebhookAnswer answer;
    try {
      answer = WebhookClient.parse("http://receiver/", 200, body, 1, 3, new Exposure(1, 2));
    } catch (WebhookFailedException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(answer.answer().length()).isLessThanOrEqualTo(WebhookClient.MAX_ANSWER + 3);
    if (answer.reason() != null) {
      assertThat(answer.reason()).doesNotContainPattern("\\p{Cntrl}").hasSizeLessThanOrEqualTo(
          WebhookClient.MAX_REASON + 3);
    }
    Verdict verdict = GATE.judge(QUERY, answer);
    assertThat(verdict.outcome()).isEqualTo(answer.verdict()).isNotEqualTo(Verdict.Outcome.ERROR);
    assertThat(verdict.reason()).doesNotContain("\n").doesNotContain("\r");
  }

  /**
   * The parameters of a plan's {@code webhook} gate, as the plan reader hands them over (strings, numbers,
   * booleans, and objects for {@code secret} and {@code metadata}): they make parameters with a secret reference,
   * or are refused with an {@link InvalidPlanException} whose every problem names a parameter by its path and
   * never repeats a string given as the secret.
   */
  @FuzzTest
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void readParams(FuzzedDataProvider data) {
    Map<String, Object> raw = FuzzedParams.read(data, KEYS, List.of(FuzzedDataProvider::consumeInt,
        FuzzedDataProvider::consumeRegularDouble, FuzzedDataProvider::consumeBoolean, WebhookGateFuzzTest::object,
        FuzzedParams::string, FuzzedParams::string));
    WebhookParams params;
    try {
      params = WebhookParams.read(new GateSpec("webhook", raw).params(), data.consumeBoolean());
    } catch (InvalidPlanException e) {
      FuzzedParams.assertProblemsNamed(e);
      if (raw.get("secret") instanceof String secret && secret.length() >= 8) {
        assertThat(String.join("\n", e.problems())).doesNotContain(secret);
      }
      return;
    }
    assertThat(params.url().getScheme().toLowerCase(Locale.ROOT)).isIn("http", "https");
    assertThat(params.secret().env() != null ^ params.secret().file() != null).isTrue();
    assertThat(params.requestTimeout()).isLessThanOrEqualTo(params.timeout());
  }

  /** An object for {@code secret} or {@code metadata}: up to three entries, each a string or a number. */
  private static Object object(FuzzedDataProvider data) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int j = data.consumeInt(0, 3); j > 0; j--) {
      object.put(data.pickValue(INNER), data.consumeBoolean() ? data.consumeString(40) : data.consumeInt());
    }
    return object;
  }

  private static final List<String> KEYS = List.of("url", "secret", "metadata", "timeout", "requestTimeout",
      "retries", "retryWait", "minSamples", "consecutiveErrorLimit", "interval", "other");
  private static final List<String> INNER = List.of("env", "file", "check", "value");
}
