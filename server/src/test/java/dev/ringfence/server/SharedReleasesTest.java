package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.postgresql.test.PostgresServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The release rules the shared records enforce themselves, in the transaction that stores a release: what a replica
 * whose cache has not seen another replica's publish yet would otherwise let through.
 */
class SharedReleasesTest {

  private static final String DIGEST = "00".repeat(32);

  @Test
  void aGeneralRelease_isRefusedOnceTheChannelHasAnyRelease_evenFromAReplicaThatHasNotSeenIt() throws Exception {
    PostgresServer.Database db = TestServers.postgresOrSkip("server_shared_releases");
    JdbcSharedRecords a = JdbcSharedRecords.open(db.dataSource());
    JdbcSharedRecords b = JdbcSharedRecords.open(db.dataSource());
    byte[] envelope = "{}".getBytes(StandardCharsets.UTF_8);
    a.publish("rules", 1, DIGEST, envelope, new byte[] {1}, false);

    assertThatThrownBy(() -> b.publish("rules", 2, DIGEST, envelope, new byte[] {1}, true))
        .isInstanceOfSatisfying(HttpError.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.field()).isEqualTo("general");
        }).hasMessageContaining("has releases already (published through another replica)");
    assertThat(b.releasesAfter(0)).hasSize(1);
    b.publish("rules", 2, DIGEST, envelope, new byte[] {1}, false);
    assertThat(a.releasesAfter(0)).hasSize(2);
  }
}
