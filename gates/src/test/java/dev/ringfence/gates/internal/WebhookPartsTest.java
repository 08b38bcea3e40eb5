package dev.ringfence.gates.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.gate.GateQuery;
import dev.ringfence.core.gate.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook gate's parts without a network: the signed body, the strict answer reader, the secret reader. */
class WebhookPartsTest {

  private static final GateQuery QUERY = new GateQuery("r-291", "content", 0, "canary", 290, 291,
      Instant.parse("2026-01-15T12:00:00Z"));

  @Test
  void request_bodyAndSignature_matchTheWorkedExampleInTheDocs() {
    // docs/gates.md prints this body and signature; the hex was computed with openssl, not with this code:
    // printf '%s' "1768478400.$BODY" | openssl dgst -sha256 -hmac 'ringfence-docs-example-secret-0123456789'
    WebhookRequest request = WebhookRequest.of(QUERY, new Exposure(961, 961), Map.of("check", "error-budget"));
    String body = new String(request.body(), StandardCharsets.UTF_8);
    assertThat(body).isEqualTo("{\"schema\":\"ringfence.webhook-gate.v1\",\"id\":\"r-291/0/1768478400000\","
        + "\"rollout\":\"r-291\",\"channel\":\"content\",\"ring\":{\"index\":0,\"name\":\"canary\"},"
        + "\"baseline\":290,\"candidate\":291,\"now\":\"2026-01-15T12:00:00Z\","
        + "\"exposed\":{\"ring\":961,\"total\":961},\"metadata\":{\"check\":\"error-budget\"}}");
    assertThat(request.timestamp()).isEqualTo("1768478400");
    assertThat(request.signature("ringfence-docs-example-secret-0123456789".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(DOCS_SIGNATURE);
  }

  static final String DOCS_SIGNATURE =
      "sha256=da6c8a59327815bd4ac4e613050a8b883c4ca560f4e84080bcab8aeeed9eba5e";

  @Test
  void parse_strictAnswers_decideOrFailWithWhatWasWrong() throws Exception {
    WebhookAnswer pass = parse("{\"verdict\": \"PASS\", \"extra\": [1, 2]}");
    assertThat(pass.verdict()).isEqualTo(Verdict.Outcome.PASS);
    assertThat(pass.reason()).isNull();
    assertThat(pass.answer()).isEqualTo("{\"verdict\":\"PASS\",\"extra\":[1,2]}");
    assertThat(parse("{\"verdict\": \"FAIL\", \"reason\": \"two\\nlines\"}").reason()).isEqualTo("two lines");

    assertRefused("{\"verdict\": \"PASS\", \"verdict\": \"FAIL\"}", "is not JSON (Duplicate field 'verdict')");
    assertRefused("{\"verdict\": \"PASS\"} {\"verdict\": \"FAIL\"}", "is not JSON");
    assertRefused("[\"PASS\"]", "is not a JSON object with a verdict");
    assertRefused("", "is not a JSON object with a verdict: (no body)");
    assertRefused("{\"reason\": \"fine\"}", "has no string verdict");
    assertRefused("{\"verdict\": true}", "has no string verdict");
    assertRefused("{\"verdict\": \"OK\"}", "has the unknown verdict \"OK\"");
    assertRefused("{\"verdict\": \"PASS\", \"reason\": 3}", "has a reason that is not a string");
  }

  @Test
  void parse_longReason_isCutForTheJournal() throws Exception {
    WebhookAnswer answer = parse("{\"verdict\": \"FAIL\", \"reason\": \"" + "x".repeat(5000) + "\"}");
    assertThat(answer.reason()).hasSize(WebhookClient.MAX_REASON + 3).endsWith("...");
    assertThat(answer.answer()).hasSize(WebhookClient.MAX_ANSWER + 3);
  }

  private static WebhookAnswer parse(String body) throws WebhookFailedException {
    return WebhookClient.parse("http://receiver", 200, body.getBytes(StandardCharsets.UTF_8), 1, 3, null);
  }

  @Test
  void secretFile_withoutItsFinalLineEnd_andTooShort_andMissing(@TempDir Path dir) throws Exception {
    SecretRef ref = new SecretRef(null, "key");
    Files.writeString(dir.resolve("key"), "k".repeat(32) + "\r\n");
    assertThat(new String(ref.resolve(Map.of(), dir), StandardCharsets.UTF_8)).isEqualTo("k".repeat(32));

    Files.writeString(dir.resolve("key"), "short\n");
    assertThatThrownBy(() -> ref.resolve(Map.of(), dir)).isInstanceOf(WebhookFailedException.class)
        .hasMessage("secret: file " + dir.resolve("key") + " holds 5 bytes; a secret has 32..4096 (e.g. openssl"
            + " rand -hex 32)");

    assertThatThrownBy(() -> new SecretRef(null, "gone").resolve(Map.of(), dir))
        .isInstanceOf(WebhookFailedException.class).hasMessageContaining("(it does not exist)");
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("key"));
    assertThatThrownBy(() -> new SecretRef(null, "link").resolve(Map.of(), dir))
        .isInstanceOf(WebhookFailedException.class).hasMessageContaining("is not a regular file (a link");
  }

  /** The answer {@code body} is refused with a {@link WebhookFailedException} whose message holds {@code message}. */
  private static void assertRefused(String body, String message) {
    assertThatThrownBy(() -> parse(body)).isInstanceOf(WebhookFailedException.class).hasMessageContaining(message);
  }
}
