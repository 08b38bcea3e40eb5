package dev.ringfence.micrometer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.MalformedEnvelopeException;
import dev.ringfence.protocol.RingfenceException;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {

  @Test
  void reason_ofARefusal_isItsReasonInLowerCase() {
    assertThat(AgentMetrics.reason(new ContentRefusedException(Reason.STALE_VERSION, 5, "refused"))).isEqualTo("stale_version");
    assertThat(AgentMetrics.reason(new ContentRefusedException(ContentRefusedException.Reason.TIMESTAMP_EXPIRED, 0,
        "timestamp: expired"))).isEqualTo("timestamp_expired");
  }

  @Test
  void reason_ofAMalformedEnvelope_ofAnotherException_andOfNone() {
    assertThat(AgentMetrics.reason(new MalformedEnvelopeException("version", "is negative")))
        .isEqualTo("malformed_envelope");
    assertThat(AgentMetrics.reason(new RingfenceException("something else"))).isEqualTo("unknown");
    assertThat(AgentMetrics.reason(null)).isEqualTo("unknown");
  }
}
