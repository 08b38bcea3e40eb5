package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.protocol.UpdateProtocol;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON answers byte for byte as clients and docs/update-server.md know them: field names, their order,
 * the indentation. Values that change from run to run (tokens, keys, times, digests) are masked.
 */
class WireFormatTest {

  @TempDir Path dir;
  private UpdateServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminClient admin;
  private String token;

  @BeforeEach
  void start() throws Exception {
    ReleaseSigner signer = new ReleaseSigner(List.of("release-1"), 1);
    server = UpdateServer.start(UpdateServerConfig.custom(dir).port(0).releaseKeys(signer.trustStore()).build());
    admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
    token = java.nio.file.Files.readString(server.adminTokenFile()).trim();
    byte[] content = "rule v1\n".getBytes(StandardCharsets.UTF_8);
    admin.publish(signer.sign("rules", 1, content, Instant.now().plusSeconds(3600)), content, true);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void decision_isTheSixFieldsInTheirOrder() throws Exception {
    EndpointCredentials lab = admin.enroll("lab-1", "lab", "eu");
    String body = send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/rules/decision"))
        .header(UpdateProtocol.ENDPOINT_HEADER, lab.endpointId()).header("Authorization", lab.authorization())
        .header(UpdateProtocol.CURRENT_VERSION_HEADER, "0")).body();

    assertThat(body).isEqualTo("""
        {
          "channel" : "rules",
          "decision" : "STAY",
          "version" : 1,
          "ring" : "",
          "rolloutId" : null,
          "reason" : "general release of 'rules'"
        }""");
  }

  @Test
  void error_isCodeFieldAndMessage() throws Exception {
    String body = send(HttpRequest.newBuilder(server.uri().resolve("v1/channels/rules/decision"))).body();

    assertThat(body).isEqualTo("""
        {
          "error" : "unauthorized",
          "field" : "Authorization",
          "message" : "Authorization: send Ringfence-Endpoint and the endpoint's enrollment token as 'Bearer <token>'"
        }""");
    assertThat(send(HttpRequest.newBuilder(server.uri().resolve("nowhere"))).body()).isEqualTo("""
        {
          "error" : "not_found",
          "field" : null,
          "message" : "no route for /nowhere"
        }""");
  }

  @Test
  void adminAnswers_keepTheirFieldsAndOrder() throws Exception {
    String enrolled = send(adminRequest("admin/v1/endpoints")
        .POST(HttpRequest.BodyPublishers.ofString("{\"endpointId\":\"e2\"}"))).body();
    assertThat(mask(enrolled)).isEqualTo("""
        {
          "endpointId" : "e2",
          "token" : "*",
          "hmacKey" : "*",
          "note" : "shown once: the server keeps only the token's hash"
        }""");
    assertThat(mask(send(adminRequest("admin/v1/channels/rules/releases")).body())).isEqualTo("""
        {
          "channel" : "rules",
          "releases" : [ {
            "channel" : "rules",
            "version" : 1,
            "sha256" : "*",
            "size" : 8,
            "expiresAt" : "*"
          } ]
        }""");
    assertThat(send(adminRequest("admin/v1/channels")).body()).isEqualTo("""
        {
          "channels" : [ {
            "channel" : "rules",
            "fleetVersion" : 1,
            "governingRollout" : null
          } ]
        }""");
    assertThat(mask(send(HttpRequest.newBuilder(server.uri().resolve("healthz"))).body())).isEqualTo("""
        {
          "status" : "ok",
          "store" : "file",
          "rollouts" : 0,
          "lastTick" : "*"
        }""");
  }

  @Test
  void badBody_overHttp_isTheErrorShapeNamingTheFieldInOurWords() throws Exception {
    HttpResponse<String> duplicate = send(adminRequest("admin/v1/endpoints")
        .POST(HttpRequest.BodyPublishers.ofString("{\"endpointId\":\"a\",\"endpointId\":\"b\"}")));

    assertThat(duplicate.statusCode()).isEqualTo(400);
    assertThat(duplicate.body()).isEqualTo("""
        {
          "error" : "bad_request",
          "field" : "endpointId",
          "message" : "endpointId: appears twice; send each field once"
        }""");
    assertThat(admin.endpoints()).as("nothing enrolled").isEmpty();
  }

  /** Masks the values that differ from run to run. */
  private static String mask(String body) {
    return body.replaceAll("\"(token|hmacKey|sha256|expiresAt|lastTick)\" : \"[^\"]*\"", "\"$1\" : \"*\"");
  }

  private HttpRequest.Builder adminRequest(String path) {
    return HttpRequest.newBuilder(server.uri().resolve(path)).header("Authorization", "Bearer " + token);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
