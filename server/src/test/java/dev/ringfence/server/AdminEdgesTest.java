package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API at its edges, as found by trying it: the release size limit is the payload's, a later release cannot
 * be published as general, and the client says what went wrong when no update server answers.
 */
class AdminEdgesTest {

  private static final int LIMIT = 64 * 1024;

  @TempDir java.nio.file.Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Instant expires = Instant.now().plusSeconds(3600);
  private ReleaseSigner signer;
  private UpdateServer server;
  private AdminClient admin;

  @BeforeEach
  void start() throws Exception {
    signer = new ReleaseSigner(List.of("release-1"), 1);
    server = UpdateServer.start(UpdateServerConfig.custom(dir.resolve("data")).port(0).maxReleaseBytes(LIMIT)
        .releaseKeys(signer.trustStore()).build());
    admin = new AdminClient(server.uri(), server.adminTokenFile(), http);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(size).nextBytes(bytes);
    return bytes;
  }

  @Test
  void aPayloadOfExactlyTheLimit_isPublished_althoughItsBase64BodyIsAThirdLarger() throws Exception {
    byte[] payload = random(LIMIT);
    assertThat(admin.publish(signer.sign("rules", 1, payload, expires), payload, true).get("size").asInt())
        .isEqualTo(LIMIT);
  }

  @Test
  void aPayloadAboveTheLimit_is413NamingThePayloadAndBothSizes_andNothingIsStored() throws Exception {
    byte[] payload = random(LIMIT + 1);
    assertThatThrownBy(() -> admin.publish(signer.sign("rules", 1, payload, expires), payload, true))
        .isInstanceOfSatisfying(AdminClient.AdminCallException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("payloadBase64").hasMessageContaining(Integer.toString(LIMIT + 1))
        .hasMessageContaining("max-release-bytes of " + LIMIT);
    assertThat(admin.call("GET", "admin/v1/channels", null).get("channels")).isEmpty();
    // A body beyond even the base64 of the limit is cut off before it is read, as before.
    byte[] huge = random(LIMIT * 2);
    assertThatThrownBy(() -> admin.publish(signer.sign("rules", 1, huge, expires), huge, true))
        .isInstanceOfSatisfying(AdminClient.AdminCallException.class, e -> assertThat(e.status()).isEqualTo(413));
  }

  @Test
  void aLaterReleaseAsGeneral_isRefusedNamingGeneral_andNotStored() throws Exception {
    byte[] v1 = "rules v1".getBytes(StandardCharsets.UTF_8);
    byte[] v2 = "rules v2".getBytes(StandardCharsets.UTF_8);
    admin.publish(signer.sign("rules", 1, v1, expires), v1, false);
    assertThatThrownBy(() -> admin.publish(signer.sign("rules", 2, v2, expires), v2, true))
        .isInstanceOfSatisfying(AdminClient.AdminCallException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("general: channel 'rules' has releases already (v1 to v1)");
    assertThat(admin.call("GET", "admin/v1/channels/rules/releases", null).get("releases")).hasSize(1);
    assertThat(admin.call("GET", "admin/v1/channels", null).toString()).doesNotContain("\"fleetVersion\":2");
    // Published as it should be, v2 is taken.
    assertThat(admin.publish(signer.sign("rules", 2, v2, expires), v2, false).get("version").asLong()).isEqualTo(2);
  }

  @Test
  void aProxyAnsweringInHtml_isAnAdminCallExceptionWithItsStatusAndText() throws Exception {
    try (ServerSocket proxy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answer = new Thread(() -> answerOnce(proxy, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n",
          "<html>\n<h1>502 Bad Gateway</h1>\n</html>"));
      answer.start();
      AdminClient through = new AdminClient(URI.create("http://127.0.0.1:" + proxy.getLocalPort() + "/"), "token",
          http);
      assertThatThrownBy(() -> through.command("r1", "halt", "crash reports"))
          .isInstanceOfSatisfying(AdminClient.AdminCallException.class, e -> assertThat(e.status()).isEqualTo(502))
          .hasMessage("POST /admin/v1/rollouts/r1/halt: HTTP 502 (text/html) <html> <h1>502 Bad Gateway</h1> </html>");
      answer.join();
    }
  }

  /** Reads one request's head from the first connection and answers it with {@code head} and {@code body}. */
  private static void answerOnce(ServerSocket socket, String head, String body) {
    try (Socket connection = socket.accept()) {
      InputStream in = connection.getInputStream();
      int matched = 0;
      for (int b; matched < 4 && (b = in.read()) >= 0; ) {
        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      OutputStream out = connection.getOutputStream();
      out.write((head + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aServerThatIsNotThere_isUnreachableNamingTheCallTheUrlAndThatNothingWasSent() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    AdminClient nowhere = new AdminClient(URI.create("http://127.0.0.1:" + port + "/"), "token", http);
    assertThatThrownBy(() -> nowhere.rollout("r1"))
        .isInstanceOf(AdminClient.UnreachableException.class)
        .hasMessageStartingWith("GET http://127.0.0.1:" + port + "/admin/v1/rollouts/r1: cannot connect (")
        .hasMessageEndingWith("); nothing was sent");
  }

  @Test
  void anUnknownRollout_is404InTheServersWords() throws Exception {
    assertThatThrownBy(() -> admin.rollout("nope"))
        .isInstanceOfSatisfying(AdminClient.AdminCallException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessageContaining("no rollout 'nope' on this server; GET /admin/v1/rollouts lists them")
        .hasMessageNotContaining("RolloutEngine");
  }
}
