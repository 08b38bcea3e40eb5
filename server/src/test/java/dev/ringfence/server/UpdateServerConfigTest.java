package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.protocol.InvalidInputException;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The server's settings come from its config file and command line: a bad one is refused as input, an
 * {@link InvalidInputException} naming the setting, which the launcher prints as it is.
 */
class UpdateServerConfigTest {

  private final UpdateServerConfig.Builder builder = UpdateServerConfig.custom(Path.of("data"));

  @Test
  void outOfRangeNumbersAndDurations_areRefusedNamingTheSettingAndTheRange() {
    assertRefused(() -> builder.port(65_536), "port", "port: 65536 is outside 0..65535");
    assertRefused(() -> builder.maxJsonBytes(1023), "maxJsonBytes", "maxJsonBytes: 1023 is outside 1 KiB..64 MiB");
    assertRefused(() -> builder.notificationAttempts(11), "notificationAttempts",
        "notificationAttempts: 11 is outside 1..10");
    assertRefused(() -> builder.requestTimeout(Duration.ofMillis(50)), "requestTimeout",
        "requestTimeout: PT0.05S is outside PT0.1S..PT10M");
    assertRefused(() -> builder.timestampValidity(Duration.ofDays(8)), "timestampValidity",
        "timestampValidity: PT192H is outside PT1M..P7D");
    assertRefused(() -> builder.notificationLease(Duration.ZERO), "notificationLease",
        "notificationLease: PT0S must be a positive duration");
    assertRefused(() -> builder.tickInterval(null), "tickInterval", "tickInterval: null must be a positive duration");
  }

  @Test
  void missingOrMalformedValues_areRefusedNamingTheSetting() {
    assertRefused(() -> UpdateServerConfig.custom(null), "dataDirectory", "dataDirectory: is null");
    assertRefused(() -> builder.clock(null), "clock", "clock: is null");
    assertRefused(() -> builder.bindAddress(" "), "bindAddress", "bindAddress: is blank");
    assertRefused(() -> builder.jdbc("jdbc:mysql://h/db", null, null), "jdbcUrl",
        "jdbcUrl: 'jdbc:mysql://h/db' must start with jdbc:postgresql:");
  }

  @Test
  void timestampKeyWithoutATrustRoot_isRefusedAtBuild() throws Exception {
    builder.timestampKey("ts-1", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    assertRefused(builder::build, "timestampKey", "timestampKey: needs a trust root with a timestamp role naming it");
  }

  @Test
  void goodSettings_areKept() {
    UpdateServerConfig config = builder.port(0).requestTimeout(Duration.ofMinutes(10)).notificationAttempts(1).build();
    assertThat(config.port()).isZero();
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.notificationAttempts()).isEqualTo(1);
    assertThat(config.adminTokenFile()).isEqualTo(Path.of("data", "admin.token"));
  }

  private static void assertRefused(Runnable setting, String field, String message) {
    assertThatThrownBy(setting::run).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.field()).isEqualTo(field)).hasMessage(message);
  }
}
