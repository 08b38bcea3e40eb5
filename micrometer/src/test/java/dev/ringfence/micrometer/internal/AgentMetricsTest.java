package dev.ringfence.micrometer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ringfence.agent.MalformedEnvelopeException;
import dev.ringfence.agent.StaleContentException;
import dev.ringfence.protocol.RingfenceException;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {

  @Test
  void reasonOf_exceptionNames_becomeSnakeCaseWithoutTheSuffix() {
    assertThat(AgentMetrics.reasonOf("BadSignatureException")).isEqualTo("bad_signature");
    assertThat(AgentMetrics.reasonOf("ValidationFailedException")).isEqualTo("validation_failed");
    assertThat(AgentMetrics.reasonOf("Refusal")).isEqualTo("refusal");
    assertThat(AgentMetrics.reasonOf("")).isEqualTo("unknown"); // an anonymous class
    assertThat(AgentMetrics.reasonOf("Exception")).isEqualTo("unknown");
  }

  @Test
  void reason_ofARefusal_isItsType_andOfNone_isUnknown() {
    assertThat(AgentMetrics.reason(new StaleContentException(5, 6))).isEqualTo("stale_content");
    assertThat(AgentMetrics.reason(new MalformedEnvelopeException("version", "is negative")))
        .isEqualTo("malformed_envelope");
    assertThat(AgentMetrics.reason(new RingfenceException("an anonymous refusal") {
      private static final long serialVersionUID = 1L;
    })).isEqualTo("unknown");
    assertThat(AgentMetrics.reason(null)).isEqualTo("unknown");
  }
}
