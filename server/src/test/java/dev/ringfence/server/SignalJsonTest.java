package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignalJsonTest {

  @Test
  void parse_fieldOutOfRange_namesItByItsPathInFieldAndMessage() {
    // Found by SignalJsonFuzzTest: the message used to say "signals[0].signal.bootId", a path the body lacks.
    byte[] body = ("[{\"type\":\"heartbeat\",\"endpointId\":\"host-2\",\"bootId\":4294967296,\"sequence\":1,"
        + "\"version\":42,\"failedStarts\":0}]").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> SignalJson.parse(body)).isInstanceOfSatisfying(HttpError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.field()).isEqualTo("signals[0].bootId");
      assertThat(e.getMessage()).isEqualTo("signals[0].bootId: 4294967296 is outside 0..4294967295");
    });
  }
}
