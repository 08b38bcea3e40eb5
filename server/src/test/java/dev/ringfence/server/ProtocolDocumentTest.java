package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.UpdateProtocol;
import dev.ringfence.testing.ManualClock;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published protocol ({@code docs/protocol/}) against the running server: the OpenAPI document names
 * exactly the endpoint routes the router has, and the golden vectors the agent's tests check byte for byte
 * pass through the server as they say — the valid envelope served unchanged, each refusal the server can see
 * refused at publish, each signed batch accepted, then refused as a replay and as stale.
 */
class ProtocolDocumentTest {

  private static final Path PROTOCOL = Path.of("..", "docs", "protocol");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** How every reader of a signed document parses it: no repeated key, nothing after the value. */
  private static final ObjectMapper STRICT = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  /** Routes for operators, not endpoints: documented in docs/update-server.md, not in the OpenAPI document. */
  private static final Set<String> NOT_ENDPOINT_API = Set.of("GET /status", "GET /", "GET /metrics", "GET /healthz");

  @TempDir Path dir;
  private UpdateServer server;
  @RegisterExtension final TestServers servers = new TestServers();
  private final HttpClient http = servers.http;

  private static JsonNode read(String path) throws Exception {
    return MAPPER.readTree(Files.readAllBytes(PROTOCOL.resolve(path)));
  }

  private void start(ManualClock clock) throws Exception {
    JsonNode keys = read("vectors/keys.json");
    TrustStore.Builder trust = TrustStore.builder().threshold(keys.get("threshold").asInt());
    for (JsonNode key : keys.get("ed25519")) {
      if (key.get("trusted").asBoolean()) {
        trust.key(key.get("keyId").asText(),
            TrustStore.ed25519PublicKey(Base64.getDecoder().decode(key.get("publicKeyX509Base64").asText())));
      }
    }
    // The vector endpoint, enrolled as the server stores enrollments, with the vectors' token and HMAC key.
    JsonNode endpoint = keys.get("endpoint");
    ObjectNode enrollment = MAPPER.createObjectNode();
    enrollment.put("endpointId", endpoint.get("endpointId").asText());
    enrollment.set("attributes", EndpointRegistry.attributesJson(dev.ringfence.core.EndpointAttributes.builder()
        .tier("lab").region("eu").build()));
    enrollment.put("tokenSha256", HexFormat.of().formatHex(AdminToken.sha256(endpoint.get("token").asText())));
    enrollment.put("hmacKey", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(
        endpoint.get("hmacKeyHex").asText())));
    enrollment.put("enrolledAt", clock.instant().toString());
    Files.createDirectories(dir.resolve("endpoints"));
    Files.write(dir.resolve("endpoints").resolve(endpoint.get("endpointId").asText() + ".json"),
        MAPPER.writeValueAsBytes(enrollment));
    server = servers.start(UpdateServerConfig.custom(dir).releaseKeys(trust.build()).clock(clock));
  }

  @Test
  void openApi_namesExactlyTheServersEndpointRoutes() throws Exception {
    start(ManualClock.at("2026-01-01T00:00:00Z"));
    JsonNode openapi = read("openapi.json");
    assertThat(openapi.get("openapi").asText()).isEqualTo("3.1.0");
    Set<String> documented = new TreeSet<>();
    openapi.get("paths").properties().forEach(path -> path.getValue().fieldNames().forEachRemaining(method ->
        documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey())));
    Set<String> endpointRoutes = server.routes().stream()
        .filter(route -> !route.split(" ", 2)[1].startsWith("/admin/") && !NOT_ENDPOINT_API.contains(route))
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(documented).as("OpenAPI paths+methods vs the router's endpoint routes (docs/protocol/openapi.json)")
        .isEqualTo(endpointRoutes);
    assertThat(server.routes()).as("every operator route still exists").containsAll(NOT_ENDPOINT_API);
  }

  @Test
  void openApi_headersAreTheProtocolsHeaders() throws Exception {
    Set<String> protocolHeaders = new TreeSet<>();
    for (Field f : UpdateProtocol.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_HEADER")) {
        protocolHeaders.add((String) f.get(null));
      }
    }
    JsonNode openapi = read("openapi.json");
    Set<String> documented = new TreeSet<>();
    openapi.findValues("parameters").forEach(list -> list.forEach(p -> {
      JsonNode param = p.has("$ref") ? openapi.at(p.get("$ref").asText().substring(1)) : p;
      if (param.path("in").asText().equals("header")) {
        documented.add(param.get("name").asText());
      }
    }));
    JsonNode definitions = openapi.at("/components/headers");
    openapi.findValues("headers").stream().filter(map -> map != definitions)
        .forEach(map -> map.fieldNames().forEachRemaining(documented::add));
    documented.removeAll(Set.of("Retry-After"));

    assertThat(protocolHeaders).as("every header of UpdateProtocol is documented, and no other")
        .isEqualTo(documented);
  }

  @Test
  void trustVectors_satisfyTheirSchemas() throws Exception {
    SchemaSubset rootSchema = new SchemaSubset(read("root.schema.json"));
    SchemaSubset timestampSchema = new SchemaSubset(read("timestamp.schema.json"));
    JsonNode trust = read("vectors/trust.json");
    int checked = 0;
    for (String list : List.of("roots", "rotations")) {
      for (JsonNode r : trust.get(list)) {
        assertThat(rootSchema.problems(MAPPER.readTree(r.get("json").asText()))).as(r.get("name").asText()).isEmpty();
        checked++;
      }
    }
    for (JsonNode t : trust.get("timestamps")) {
      assertThat(timestampSchema.problems(MAPPER.readTree(t.get("json").asText()))).as(t.get("name").asText())
          .isEmpty();
      checked++;
    }
    assertThat(checked).isEqualTo(13);
    ObjectNode badRoot = (ObjectNode) MAPPER.readTree(trust.get("roots").get(0).get("json").asText());
    ((ObjectNode) badRoot.get("revokedKeys")).put("bad id!", "00");
    assertThat(rootSchema.problems(badRoot)).as("the subset validator refuses what the schema refuses")
        .anyMatch(p -> p.contains("revokedKeys.bad id!"));
  }

  /**
   * A real server started with the vectors' root v1 and timestamp key takes the valid rotation, refuses every
   * refused one with a 400, refuses the envelope signed by the revoked key at publish, serves each root byte for
   * byte, and signs a timestamp that verifies under root v2.
   */
  @Test
  void trustVectors_serverTakesTheValidRotationAndRefusesTheRest() throws Exception {
    JsonNode trust = read("vectors/trust.json");
    ManualClock clock = ManualClock.at(trust.get("now").asText());
    Map<String, JsonNode> keys = new java.util.HashMap<>();
    trust.get("keys").forEach(k -> keys.put(k.get("keyId").asText(), k));
    java.security.PrivateKey timestampKey = java.security.KeyFactory.getInstance("Ed25519").generatePrivate(
        new java.security.spec.EdECPrivateKeySpec(java.security.spec.NamedParameterSpec.ED25519,
            HexFormat.of().parseHex(keys.get("test-timestamp-1").get("seedHex").asText())));
    byte[] v1 = trust.get("roots").get(0).get("json").asText().getBytes(StandardCharsets.UTF_8);
    server = servers.start(UpdateServerConfig.custom(dir).clock(clock)
        .trustRoot(dev.ringfence.agent.RootDocument.parse(v1)).timestampKey("test-timestamp-1", timestampKey));
    AdminClient admin = servers.admin(server);

    int refused = 0;
    // Per starting root, the refused rotations first (each against the root it names), then the accepted one.
    for (String phase : List.of("v1:refused", "v1:accepted", "v2:refused", "v2:accepted")) {
      for (JsonNode rot : trust.get("rotations")) {
        if (!(rot.get("from").asText() + ":" + rot.get("result").asText()).equals(phase)) {
          continue;
        }
        JsonNode body = MAPPER.readTree(rot.get("json").asText());
        if (rot.get("result").asText().equals("accepted")) {
          assertThat(admin.call("POST", "admin/v1/roots", body).get("version").asLong()).isEqualTo(2);
        } else {
          refused++;
          assertThatThrownBy(() -> admin.call("POST", "admin/v1/roots", body)).as(rot.get("name").asText())
              .hasMessageContaining("HTTP 400").hasMessageContaining(rot.get("messageContains").asText());
        }
      }
    }
    assertThat(refused).isEqualTo(4);
    byte[] payload = "rules v7\n".getBytes(StandardCharsets.UTF_8);
    for (JsonNode e : trust.get("envelopesUnderV2")) {
      dev.ringfence.agent.Envelope envelope = dev.ringfence.agent.Envelope.parse(
          e.get("json").asText().getBytes(StandardCharsets.UTF_8));
      if (e.get("result").asText().equals("accepted")) {
        admin.publish(envelope, payload, true);
      } else {
        assertThatThrownBy(() -> admin.publish(envelope, payload, true)).hasMessageContaining("HTTP 400")
            .hasMessageContaining("revoked");
      }
    }
    server.tickNow();
    JsonNode endpoint = read("vectors/keys.json").get("endpoint");
    dev.ringfence.agent.EndpointCredentials lab = admin.enroll(endpoint.get("endpointId").asText(), "lab", "eu");
    for (JsonNode r : trust.get("roots")) {
      dev.ringfence.agent.RootDocument expected = dev.ringfence.agent.RootDocument.parse(
          r.get("json").asText().getBytes(StandardCharsets.UTF_8));
      HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/roots/"
          + expected.version())).header(UpdateProtocol.ENDPOINT_HEADER, lab.endpointId())
          .header("Authorization", lab.authorization()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(dev.ringfence.agent.RootDocument.parse(served.body())).isEqualTo(expected);
    }
    HttpResponse<byte[]> ts = http.send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/rules/timestamp"))
        .header(UpdateProtocol.ENDPOINT_HEADER, lab.endpointId()).header("Authorization", lab.authorization())
        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    dev.ringfence.agent.RootDocument v2 = dev.ringfence.agent.RootDocument.parse(
        trust.get("roots").get(1).get("json").asText().getBytes(StandardCharsets.UTF_8));
    v2.verifyTimestamp(dev.ringfence.agent.TimestampDocument.parse(ts.body()), "rules", clock.instant(), null, 7);
    assertThat(timestampSchemaProblems(ts.body())).isEmpty();
  }

  private static List<String> timestampSchemaProblems(byte[] json) throws Exception {
    return new SchemaSubset(read("timestamp.schema.json")).problems(MAPPER.readTree(json));
  }

  @Test
  void vectors_satisfyTheirSchemas() throws Exception {
    SchemaSubset envelope = new SchemaSubset(read("envelope.schema.json"));
    SchemaSubset batch = new SchemaSubset(read("signal-batch.schema.json"));
    JsonNode envelopes = read("vectors/envelopes.json");
    for (JsonNode v : envelopes.get("valid")) {
      assertThat(envelope.problems(MAPPER.readTree(v.get("envelopeJson").asText()))).as(v.get("name").asText())
          .isEmpty();
    }
    for (JsonNode v : envelopes.get("refused")) {
      if (v.path("field").asText("").equals("(document)")) {
        // Malformed below what a schema sees (a repeated key, content after the object): a strict parser refuses it.
        assertThatThrownBy(() -> STRICT.readTree(v.get("envelopeJson").asText())).as(v.get("name").asText())
            .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
        continue;
      }
      List<String> problems = envelope.problems(MAPPER.readTree(v.get("envelopeJson").asText()));
      if (v.get("reason").asText().equals("malformed")) {
        assertThat(problems).as(v.get("name").asText()).isNotEmpty()
            .anyMatch(problem -> problem.contains(v.get("field").asText()));
      } else {
        assertThat(problems).as(v.get("name").asText() + ": well-formed, refused for its content").isEmpty();
      }
    }
    for (JsonNode b : read("vectors/signal-batches.json").get("batches")) {
      assertThat(batch.problems(MAPPER.readTree(b.get("body").asText()))).as(b.get("name").asText()).isEmpty();
    }
    assertThat(batch.problems(MAPPER.readTree("[{\"type\":\"heartbeat\",\"endpointId\":\"e\",\"bootId\":1,"
        + "\"sequence\":1,\"version\":-1}]"))).as("the subset validator refuses what the schema refuses").isNotEmpty();
    // A field the server does not know is refused by it (400 naming it), so the schema refuses it too.
    assertThat(batch.problems(MAPPER.readTree("[{\"type\":\"heartbeat\",\"endpointId\":\"e\",\"bootId\":1,"
        + "\"sequence\":1,\"version\":1,\"failedStarts\":0,\"agentVersion\":\"2.1\"}]"))).as("an unknown field")
        .isNotEmpty();
  }

  @Test
  void envelopes_servedAsPublishedAndRefusedAtPublishWhereTheServerCanTell() throws Exception {
    JsonNode envelopes = read("vectors/envelopes.json");
    start(ManualClock.at(envelopes.get("agent").get("now").asText()));
    String channel = envelopes.get("agent").get("channel").asText();
    for (JsonNode v : envelopes.get("refused")) {
      JsonNode expected = v.get("serverRefusesPublish");
      if (expected.isNull()) {
        continue; // known-bad, stale and version jumps depend on the agent's state
      }
      HttpResponse<String> answer = publish(channel, v);
      assertThat(answer.statusCode()).as(v.get("name").asText() + ": " + answer.body())
          .isEqualTo(expected.get("status").asInt());
      assertThat(MAPPER.readTree(answer.body()).get("error").asText()).as(v.get("name").asText())
          .isEqualTo(expected.get("error").asText());
    }
    JsonNode valid = envelopes.get("valid").get(0);
    assertThat(publish(channel, valid).statusCode()).isEqualTo(201);

    JsonNode endpoint = read("vectors/keys.json").get("endpoint");
    HttpResponse<byte[]> served = http.send(asEndpoint(endpoint, "v1/channels/" + channel + "/envelope")
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, "0").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(new String(served.body(), StandardCharsets.UTF_8)).as("the envelope, byte for byte")
        .isEqualTo(valid.get("envelopeJson").asText());
    long version = MAPPER.readTree(served.body()).get("version").asLong();
    HttpResponse<byte[]> payload = http.send(asEndpoint(endpoint, "v1/channels/" + channel + "/releases/" + version
        + "/payload").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(payload.body()).isEqualTo(Base64.getDecoder().decode(valid.get("payloadBase64").asText()));
  }

  @Test
  void signalBatches_acceptedOnceThenRefusedAsReplayAndAsStale() throws Exception {
    JsonNode batches = read("vectors/signal-batches.json");
    JsonNode endpoint = read("vectors/keys.json").get("endpoint");
    JsonNode first = batches.get("batches").get(0);
    ManualClock clock = new ManualClock(Instant.ofEpochMilli(first.get("timestampMillis").asLong()));
    start(clock);
    for (JsonNode b : batches.get("batches")) {
      HttpResponse<String> answer = signals(endpoint, b, b.get("body").asText());
      assertThat(answer.statusCode()).as(b.get("name").asText() + ": " + answer.body()).isEqualTo(200);
      assertThat(MAPPER.readTree(answer.body()).get("ignored").asLong()).as("no rollout governs the channel")
          .isEqualTo(b.get("body").asText().chars().filter(c -> c == '{').count());
    }
    assertThat(error(signals(endpoint, first, first.get("body").asText()))).isEqualTo("409 replay");
    assertThat(error(signals(endpoint, first, first.get("body").asText().replace("\"version\":7", "\"version\":8"))))
        .isEqualTo("401 bad_signature");
    clock.advance(Duration.ofMinutes(10));
    JsonNode last = batches.get("batches").get(batches.get("batches").size() - 1);
    assertThat(error(signals(endpoint, last, last.get("body").asText()))).isEqualTo("401 stale_timestamp");
  }

  private String error(HttpResponse<String> answer) throws Exception {
    return answer.statusCode() + " " + MAPPER.readTree(answer.body()).get("error").asText();
  }

  private HttpResponse<String> signals(JsonNode endpoint, JsonNode batch, String body) throws Exception {
    return http.send(asEndpoint(endpoint, "v1/channels/rules/signals")
        .header("Content-Type", "application/json")
        .header(UpdateProtocol.TIMESTAMP_HEADER, batch.get("timestampMillis").asText())
        .header(UpdateProtocol.NONCE_HEADER, batch.get("nonce").asText())
        .header(UpdateProtocol.SIGNATURE_HEADER, batch.get("signature").asText())
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder asEndpoint(JsonNode endpoint, String path) {
    return HttpRequest.newBuilder(server.uri().resolve(path))
        .header(UpdateProtocol.PROTOCOL_HEADER, Integer.toString(UpdateProtocol.PROTOCOL_VERSION))
        .header(UpdateProtocol.ENDPOINT_HEADER, endpoint.get("endpointId").asText())
        .header("Authorization", "Bearer " + endpoint.get("token").asText());
  }

  private HttpResponse<String> publish(String channel, JsonNode vector) throws Exception {
    // The envelope's text goes in as it is, so that the server reads what the vector holds (a repeated key, content
    // after the object), not what a lenient parser here made of it.
    String body = "{\"envelope\":" + vector.get("envelopeJson").asText() + ",\"payloadBase64\":"
        + MAPPER.writeValueAsString(vector.get("payloadBase64").asText()) + ",\"general\":true}";
    String token = Files.readString(server.adminTokenFile()).trim();
    return http.send(HttpRequest.newBuilder(server.uri().resolve("admin/v1/channels/" + channel + "/releases"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
