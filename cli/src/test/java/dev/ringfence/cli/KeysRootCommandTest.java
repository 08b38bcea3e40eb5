package dev.ringfence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.RootDocument;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringfence keys init-root | rotate | sign-root}: a root from key files, a rotation that revokes a
 * stolen release key and is taken only once enough old and new root keys signed it.
 */
class KeysRootCommandTest {

  @TempDir Path dir;
  private StringWriter out;
  private StringWriter err;

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    return RingfenceCli.run(new PrintWriter(out), new PrintWriter(err), args);
  }

  private String key(String id) {
    return dir.resolve("keys").resolve(id).toString();
  }

  @BeforeEach
  void generateKeys() {
    for (String id : new String[] {"root-1", "root-2", "root-3", "release-1", "release-2", "timestamp-1"}) {
      assertThat(run("keys", "generate", "--id", id, "--out", dir.resolve("keys").toString())).as(err.toString())
          .isZero();
    }
  }

  @Test
  void initRoot_rotate_signRoot_revokeAStolenReleaseKey() throws Exception {
    Path v1File = dir.resolve("roots/1.json");
    int init = run("keys", "init-root", "--out", v1File.toString(), "--root-key", key("root-1.pub"),
        "--root-key", key("root-2.pub"), "--root-key", key("root-3.pub"), "--root-threshold", "2",
        "--release-key", key("release-1.pub"), "--timestamp-key", key("timestamp-1.pub"),
        "--sign-with", key("root-1.key"), "--sign-with", key("root-2.key"));
    assertThat(init).as(err.toString()).isZero();
    assertThat(out.toString()).contains("wrote root v1", "signed by enough of its own root keys");
    RootDocument v1 = RootDocument.parse(Files.readAllBytes(v1File));
    v1.verifySelfSigned();
    assertThat(v1.requiresTimestamp("rules")).isTrue();

    Path v2File = dir.resolve("roots/2.json");
    int rotate = run("keys", "rotate", "--from", v1File.toString(), "--out", v2File.toString(),
        "--revoke", "release-1", "--add-release-key", key("release-2.pub"), "--sign-with", key("root-1.key"));
    assertThat(rotate).as("one signature is short of both thresholds").isEqualTo(3);
    assertThat(out.toString()).contains("not yet acceptable", "keys sign-root");
    RootDocument draft = RootDocument.parse(Files.readAllBytes(v2File));
    assertThat(draft.release().keyIds()).containsExactly("release-2");
    assertThat(draft.revokedKeys()).containsKey("release-1");

    assertThat(run("keys", "sign-root", "--root", v2File.toString(), "--from", v1File.toString(),
        "--sign-with", key("root-3.key"))).as(err.toString()).isZero();
    assertThat(out.toString()).contains("signed by enough root keys of v1 and of v2");
    RootDocument v2 = RootDocument.parse(Files.readAllBytes(v2File));
    v1.verifySuccessor(v2);

    Path payload = Files.writeString(dir.resolve("rules-v1.bin"), "rules v1\n");
    assertThat(run("release", "sign", "--channel", "rules", "--version", "1", "--payload", payload.toString(),
        "--key", key("release-1.key"))).isZero();
    Envelope byRevoked = Envelope.parse(Files.readAllBytes(dir.resolve("rules-v1.bin.envelope.json")));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> v2.releaseKeys().verify(byRevoked, "rules",
        Instant.now())).isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason())
        .isEqualTo(ContentRefusedException.Reason.REVOKED_KEY));

    dev.ringfence.server.UpdateServerConfig server = dev.ringfence.server.UpdateServerMain.configure(null,
        java.util.Map.of("data", java.util.List.of(dir.resolve("data").toString()),
            "trust-root", java.util.List.of(v1File.toString()),
            "timestamp-key", java.util.List.of(key("timestamp-1.key"))), null);
    assertThat(server.trustRoot()).isEqualTo(v1);
    assertThat(server.timestampKeyId()).isEqualTo("timestamp-1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.ringfence.server.UpdateServerMain.configure(null,
        java.util.Map.of("trust-root", java.util.List.of(v1File.toString()),
            "timestamp-key", java.util.List.of(key("timestamp-1.pub"))), null))
        .hasMessageContaining("--timestamp-key").hasMessageContaining("is not an Ed25519 private key");
  }

  @Test
  void rotate_badInput_isRefusedNamingTheOption() throws Exception {
    Path v1File = dir.resolve("1.json");
    assertThat(run("keys", "init-root", "--out", v1File.toString(), "--root-key", key("root-1.pub"),
        "--release-key", key("release-1.pub"), "--sign-with", key("root-1.key"))).isZero();

    assertThat(run("keys", "rotate", "--from", v1File.toString(), "--out", dir.resolve("2.json").toString(),
        "--revoke", "nobody")).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("--revoke nobody: root v1 has no such key");
    assertThat(run("keys", "rotate", "--from", v1File.toString(), "--out", dir.resolve("2.json").toString(),
        "--remove-key", "release-1")).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("keyIds: is empty");
    assertThat(run("keys", "init-root", "--out", v1File.toString(), "--root-key", key("root-1.pub"),
        "--release-key", key("release-1.pub"))).isEqualTo(RingfenceCli.EXIT_USAGE);
    assertThat(err.toString()).contains("exists; a root is never overwritten");
    assertThat(Files.exists(dir.resolve("2.json"))).isFalse();
  }
}
