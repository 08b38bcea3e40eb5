package dev.ringfence.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringfence.agent.ContentRefusedException;
import dev.ringfence.agent.Envelope;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TimestampDocument;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/protocol/vectors/trust.json} against the agent's code: the generator still writes the committed
 * file, and the file read on its own gives the documented signed bytes, accepts what it says is accepted and
 * refuses the rest with the stated reason.
 */
class TrustVectorsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode read() throws Exception {
    return MAPPER.readTree(Files.readAllBytes(ProtocolVectors.DIR.resolve(TrustVectors.FILE)));
  }

  private static byte[] bytes(JsonNode node, String field) {
    return node.get(field).asText().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void generator_writesExactlyTheCommittedFile() throws Exception {
    Path path = ProtocolVectors.DIR.resolve(TrustVectors.FILE);
    byte[] made = TrustVectors.file();
    if (!Files.exists(path)) {
      Files.write(path, made);
    }
    assertThat(new String(Files.readAllBytes(path), StandardCharsets.UTF_8))
        .as("trust.json: the code no longer makes the committed vector; a format change needs a new version")
        .isEqualTo(new String(made, StandardCharsets.UTF_8));
  }

  @Test
  void roots_parseToTheirSignedBytes_andAreSignedByTheirOwnRootKeys() throws Exception {
    for (JsonNode r : read().get("roots")) {
      RootDocument root = RootDocument.parse(bytes(r, "json"));
      assertThat(new String(root.signedBytes(), StandardCharsets.UTF_8)).as(r.get("name").asText())
          .isEqualTo(r.get("signedBytes").asText());
      root.verifySelfSigned();
    }
  }

  @Test
  void rotations_acceptedOrRefusedAsTheVectorsSay() throws Exception {
    JsonNode file = read();
    Map<String, RootDocument> roots = new HashMap<>();
    file.get("roots").forEach(r -> roots.put(r.get("name").asText(), RootDocument.parse(bytes(r, "json"))));
    int refused = 0;
    for (JsonNode rot : file.get("rotations")) {
      RootDocument from = roots.get(rot.get("from").asText());
      RootDocument to = RootDocument.parse(bytes(rot, "json"));
      assertThat(new String(to.signedBytes(), StandardCharsets.UTF_8)).isEqualTo(rot.get("signedBytes").asText());
      if (rot.get("result").asText().equals("accepted")) {
        from.verifySuccessor(to);
      } else {
        refused++;
        assertThatThrownBy(() -> from.verifySuccessor(to)).as(rot.get("name").asText())
            .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason().name())
                .isEqualTo(rot.get("reason").asText().toUpperCase(Locale.ROOT)))
            .hasMessageContaining(rot.get("messageContains").asText());
      }
    }
    assertThat(refused).isEqualTo(4);
  }

  @Test
  void timestamps_acceptedOrRefusedAsTheVectorsSay() throws Exception {
    JsonNode file = read();
    JsonNode agent = file.get("timestampAgent");
    RootDocument trusted = null;
    for (JsonNode r : file.get("roots")) {
      if (r.get("name").asText().equals(agent.get("trustedRoot").asText())) {
        trusted = RootDocument.parse(bytes(r, "json"));
      }
    }
    TimestampDocument last = TimestampDocument.parse(bytes(agent, "lastAcceptedJson"));
    Instant now = Instant.parse(file.get("now").asText());
    int refused = 0;
    for (JsonNode t : file.get("timestamps")) {
      TimestampDocument ts = TimestampDocument.parse(bytes(t, "json"));
      assertThat(new String(ts.signedBytes(), StandardCharsets.UTF_8)).isEqualTo(t.get("signedBytes").asText());
      RootDocument root = trusted;
      if (t.get("result").asText().equals("accepted")) {
        TrustVerifier.verifyTimestamp(ts, root, agent.get("channel").asText(), now, last,
            agent.get("highestAccepted").asLong());
      } else {
        refused++;
        assertThatThrownBy(() -> TrustVerifier.verifyTimestamp(ts, root, agent.get("channel").asText(), now, last,
            agent.get("highestAccepted").asLong())).as(t.get("name").asText())
            .isInstanceOfSatisfying(ContentRefusedException.class, e -> assertThat(e.reason().name())
                .isEqualTo(t.get("reason").asText().toUpperCase(Locale.ROOT)));
      }
    }
    assertThat(refused).isEqualTo(5);
  }

  @Test
  void envelopesUnderTheRotatedRoot_revokedKeyRefused_newKeyAccepted() throws Exception {
    JsonNode file = read();
    RootDocument v2 = RootDocument.parse(bytes(file.get("roots").get(1), "json"));
    Instant now = Instant.parse(file.get("now").asText());
    for (JsonNode e : file.get("envelopesUnderV2")) {
      Envelope envelope = Envelope.parse(bytes(e, "json"));
      if (e.get("result").asText().equals("accepted")) {
        v2.releaseKeys().verify(envelope, "rules", now);
      } else {
        assertThatThrownBy(() -> v2.releaseKeys().verify(envelope, "rules", now))
            .isInstanceOfSatisfying(ContentRefusedException.class, x -> assertThat(x.reason().name())
                .isEqualTo(e.get("reason").asText().toUpperCase(Locale.ROOT)));
      }
    }
  }
}
