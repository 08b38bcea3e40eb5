package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The strict body reader and its translation of each kind of Jackson refusal into this API's words. */
class JsonBodyTest {

  private static final String ROLLOUT_PLAN = "\"plan\":{\"schemaVersion\":1}";

  @Test
  void read_unknownField_isRefusedNamingItAndTheKnownFields() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"tier\":\"x\"}", "tier",
        "tier: unknown field; known fields are [attributes, endpointId]");
  }

  @Test
  void read_unknownFieldInANestedObject_isNamedByItsPath() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"attributes\":{\"colour\":\"red\"}}",
        "attributes.colour", "attributes.colour: unknown field; known fields are [os, osBuild, region, tags, tier]");
  }

  @Test
  void read_duplicateKey_isRefusedNamingTheKey() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"endpointId\":\"b\"}", "endpointId",
        "endpointId: appears twice; send each field once");
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"attributes\":{\"os\":\"x\",\"os\":\"y\"}}",
        "attributes.os", "attributes.os: appears twice; send each field once");
  }

  @Test
  void read_duplicateKeyInsideAnEnvelopeKeptAsATree_isRefusedToo() {
    assertRefused(AdminBodies.Publish.BODY, "{\"envelope\":{\"a\":1,\"a\":2},\"payloadBase64\":\"AA==\"}",
        "envelope.a", "envelope.a: appears twice; send each field once");
  }

  @Test
  void read_trailingDocument_isRefusedSayingWhere() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\"} {}", "$",
        "$: more follows the JSON document at line 1, column 20; send one document");
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\"}]", "$",
        "$: not valid JSON at line 1, column 19: unexpected close marker ']': no open Array to close");
  }

  @Test
  void read_wrongType_namesTheFieldAndTheExpectedType() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":5}", "endpointId",
        "endpointId: must be a string, not a whole number");
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"attributes\":{\"tags\":[\"x\",true]}}",
        "attributes.tags[1]", "attributes.tags[1]: must be a string, not true or false");
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"attributes\":[]}", "attributes",
        "attributes: must be an object, not an array");
    assertRefused(AdminBodies.Publish.BODY, "{\"envelope\":{},\"payloadBase64\":\"AA==\",\"general\":1}", "general",
        "general: must be true or false, not 1");
    assertRefused(AdminBodies.CreateRollout.BODY, rollout("\"5\""), "baselineVersion",
        "baselineVersion: must be a whole number, not a string");
  }

  @Test
  void read_fractionForAWholeNumber_isRefusedNotTruncated() {
    assertRefused(AdminBodies.CreateRollout.BODY, rollout("1.5"), "baselineVersion",
        "baselineVersion: must be a whole number, not 1.5");
  }

  @Test
  void read_numberOutOfRange_isRefusedNamingTheField() {
    assertRefused(AdminBodies.CreateRollout.BODY, rollout("99999999999999999999"), "baselineVersion",
        "baselineVersion: 99999999999999999999 is out of range; a whole number from -9223372036854775808 to"
            + " 9223372036854775807");
  }

  @Test
  void read_missingOrNullRequiredField_isRefusedNamingIt() {
    assertRefused(AdminBodies.Enroll.BODY, "{}", "endpointId", "endpointId: is missing");
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":null}", "endpointId", "endpointId: is missing");
    assertRefused(AdminBodies.CreateRollout.BODY, "{\"id\":\"r\",\"channel\":\"c\",\"baselineVersion\":1,"
        + ROLLOUT_PLAN + "}", "candidateVersion", "candidateVersion: is missing");
  }

  @Test
  void read_constructorRefusalInANestedRecord_isNamedByItsPath() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"attributes\":{\"tags\":[\"x\",\" \"]}}",
        "attributes.tags[1]", "attributes.tags[1]: must be a non-blank string");
    assertRefused(AdminBodies.CreateRollout.BODY, rollout("-1"), "baselineVersion", "baselineVersion: -1 is below 0");
  }

  @Test
  void read_loneSurrogate_isRefusedNamingTheField() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":\"a\",\"attributes\":{\"tags\":[\"x\\udc00y\"]}}",
        "attributes.tags[0]", "attributes.tags[0]: has a lone surrogate \\udc00 at index 1; send valid Unicode");
    assertThat(AdminBodies.Enroll.BODY.read(bytes("{\"endpointId\":\"a\\ud83d\\ude00\"}")).endpointId())
        .as("a surrogate pair is fine").isEqualTo("a\uD83D\uDE00");
  }

  @Test
  void read_malformedOrEmpty_isRefusedAsTheBodyWithLineAndColumn() {
    assertRefused(AdminBodies.Enroll.BODY, "{\"endpointId\":", "$",
        "$: not valid JSON at line 1, column 15: unexpected end-of-input within/between Object entries");
    assertRefused(AdminBodies.Enroll.BODY, " \n", "$", "$: the body is empty; send a JSON document");
    assertRefused(AdminBodies.Enroll.BODY, "[]", "$", "$: must be an object, not an array");
  }

  @Test
  void read_signalOfUnknownOrMissingType_namesTheTypeField() {
    assertRefused(SignalJson.BATCH, "[" + heartbeat(0) + ",{\"type\":\"beep\"}]", "signals[1].type",
        "signals[1].type: 'beep' is not one of [heartbeat, applyResult, probe]");
    assertRefused(SignalJson.BATCH, "[{\"endpointId\":\"h\"}]", "signals[0].type",
        "signals[0].type: is missing; one of [heartbeat, applyResult, probe]");
  }

  @Test
  void read_signalWithAnotherTypesField_isRefusedAsUnknown() {
    String body = "[" + heartbeat(0).replace("}", ",\"outcome\":\"CRASHED\"}") + "]";
    assertRefused(SignalJson.BATCH, body, "signals[0].outcome", "signals[0].outcome: unknown field; known"
        + " fields are [bootId, endpointId, failedStarts, sequence, version]");
  }

  @Test
  void read_signalFieldsOutOfRangeOrMistyped_areNamedByTheirPath() {
    assertRefused(SignalJson.BATCH, "[" + heartbeat(0) + "," + heartbeat(3000000000L) + "]",
        "signals[1].failedStarts", "signals[1].failedStarts: 3000000000 is out of range; a whole number from"
            + " -2147483648 to 2147483647");
    assertRefused(SignalJson.BATCH, "[{\"type\":\"applyResult\",\"endpointId\":\"h\",\"bootId\":1,"
        + "\"sequence\":1,\"version\":1,\"outcome\":\"EXPLODED\"}]", "signals[0].outcome", "signals[0].outcome:"
        + " 'EXPLODED' is not one of [ACTIVATED, VALIDATION_FAILED, CRASHED, REVERTED_BY_AGENT]");
    assertRefused(SignalJson.BATCH, "[{\"type\":\"probe\",\"endpointId\":\"h\",\"bootId\":1,"
        + "\"sequence\":1,\"version\":1,\"metric\":\"cpu\",\"value\":\"high\"}]", "signals[0].value",
        "signals[0].value: must be a number, not a string");
    assertRefused(SignalJson.BATCH, "{}", "signals", "signals: must be an array, not an object");
  }

  @Test
  void parse_signalTheProtocolRefuses_isNamedByItsPath() {
    assertThatThrownBy(() -> SignalJson.parse(bytes("[" + heartbeat(0) + "," + heartbeat(-1) + "]")))
        .isInstanceOfSatisfying(HttpError.class, e -> {
          assertThat(e.field()).isEqualTo("signals[1].failedStarts");
          assertThat(e.getMessage()).isEqualTo("signals[1].failedStarts: -1 is negative");
        });
  }

  @Test
  void read_anyBadBody_neverLeaksJacksonOrJavaInternals() {
    List<String> bodies = List.of("{\"endpointId\":NaN}", "{/*c*/}", "{\"endpointId\":\"a\"", "\u0000",
        "{\"endpointId\":\"a\",\"attributes\":{\"tags\":{}}}", "{\"endpointId\":[1]}", "{\"endpointId\":\"\u0001\"}",
        "{\"endpointId\":'a'}", "{\"endpointId\":01}", "[".repeat(5000), "\"just a string\"", "null", "{\"a\" 1}",
        "99999999999999999999", "[{\"type\":[]}]", "[{\"type\":\"probe\",\"value\":1e999999}]", "[null]");
    List<Consumer<byte[]>> readers = List.of(AdminBodies.Enroll.BODY::read, SignalJson::parse);
    for (Consumer<byte[]> reader : readers) {
      for (String body : bodies) {
        assertThatThrownBy(() -> reader.accept(bytes(body))).as(body)
            .isInstanceOfSatisfying(HttpError.class, e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.field()).isNotBlank();
              assertThat(e.getMessage()).startsWith(e.field() + ": ").doesNotContain("dev.ringfence", "java.",
                  "Cannot", "Feature", "REDACTED", "Source", "`", "\n");
            });
      }
    }
  }

  private static String rollout(String baseline) {
    return "{\"id\":\"r\",\"channel\":\"c\",\"baselineVersion\":" + baseline + ",\"candidateVersion\":2,"
        + ROLLOUT_PLAN + "}";
  }

  private static String heartbeat(long failedStarts) {
    return "{\"type\":\"heartbeat\",\"endpointId\":\"h\",\"bootId\":1,\"sequence\":1,\"version\":1,"
        + "\"failedStarts\":" + failedStarts + "}";
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertRefused(JsonBody<?> reader, String body, String field, String message) {
    assertThatThrownBy(() -> reader.read(bytes(body))).as(body).isInstanceOfSatisfying(HttpError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.code()).isEqualTo("bad_request");
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.getMessage()).isEqualTo(message);
    });
  }
}
