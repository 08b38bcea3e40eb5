package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.protocol.InvalidInputException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's request bodies as Jackson binds them (docs/update-server.md, "Admin API"). Jackson refuses
 * unknown fields and mistyped values; each record's constructor refuses what is missing or blank, naming the
 * field, and {@link JsonRefusals} puts the record's own path in front.
 */
final class AdminBodies {

  private AdminBodies() {}

  /** {@code POST /admin/v1/endpoints}. */
  record Enroll(String endpointId, @Nullable Attributes attributes) {

    static final JsonBody<Enroll> BODY = JsonBody.of(Enroll.class);

    Enroll {
      text(endpointId, "endpointId");
    }

    EndpointAttributes endpointAttributes() {
      return attributes == null ? EndpointAttributes.UNKNOWN : attributes.toAttributes();
    }
  }

  /** An endpoint's attributes, each optional; a given text must not be blank. */
  record Attributes(@Nullable String os, @Nullable String osBuild, @Nullable String region, @Nullable String tier,
      @Nullable List<String> tags) {

    Attributes {
      optionalText(os, "os");
      optionalText(osBuild, "osBuild");
      optionalText(region, "region");
      optionalText(tier, "tier");
      tags = tags == null ? List.of() : tags;
      for (int i = 0; i < tags.size(); i++) {
        if (tags.get(i) == null || tags.get(i).isBlank()) {
          throw new InvalidInputException("tags[" + i + "]", "must be a non-blank string");
        }
      }
    }

    EndpointAttributes toAttributes() {
      return EndpointAttributes.builder().os(os == null ? "" : os).osBuild(osBuild == null ? "" : osBuild)
          .region(region == null ? "" : region).tier(tier == null ? "" : tier).tags(tags.toArray(String[]::new))
          .build();
    }
  }

  /** {@code POST /admin/v1/channels/{channel}/releases}: the envelope is kept as sent, for its signatures. */
  record Publish(JsonNode envelope, String payloadBase64, @Nullable Boolean general) {

    static final JsonBody<Publish> BODY = JsonBody.of(Publish.class);

    Publish {
      if (envelope == null || envelope.isNull()) {
        throw new InvalidInputException("envelope", "is missing");
      }
      if (!envelope.isObject()) {
        throw new InvalidInputException("envelope", "must be the signed envelope object");
      }
      text(payloadBase64, "payloadBase64");
    }

    boolean isGeneral() {
      return general != null && general;
    }
  }

  /** {@code POST /admin/v1/rollouts}: the plan goes to the plan reader (docs/plans.md) as sent. */
  record CreateRollout(String id, String channel, Long baselineVersion, Long candidateVersion, JsonNode plan) {

    static final JsonBody<CreateRollout> BODY = JsonBody.of(CreateRollout.class);

    CreateRollout {
      text(id, "id");
      text(channel, "channel");
      version(baselineVersion, "baselineVersion");
      version(candidateVersion, "candidateVersion");
      if (plan == null || plan.isNull()) {
        throw new InvalidInputException("plan", "is missing");
      }
      if (!plan.isObject()) {
        throw new InvalidInputException("plan", "must be a plan object (see docs/plans.md)");
      }
    }
  }

  /** {@code POST /admin/v1/rollouts/{id}/{action}}; the route decides whether the reason is required. */
  record Command(@Nullable String reason, @Nullable String actor) {

    static final JsonBody<Command> BODY = JsonBody.of(Command.class);

    Command {
      optionalText(reason, "reason");
      optionalText(actor, "actor");
    }
  }

  /**
   * {@code POST /admin/v1/rollouts/{id}/promote}: {@code skipGate} true opens the next ring whatever the gate says and
   * then needs a written reason.
   */
  record Promote(@Nullable String reason, @Nullable Boolean skipGate, @Nullable String actor) {

    static final JsonBody<Promote> BODY = JsonBody.of(Promote.class);

    Promote {
      optionalText(actor, "actor");
      if (Boolean.TRUE.equals(skipGate) && (reason == null || reason.isBlank())) {
        throw new InvalidInputException("reason", "is " + (reason == null ? "missing" : "blank") + "; skipping the"
            + " gate opens the next ring whatever the gate says, and needs a written reason");
      } else {
        optionalText(reason, "reason");
      }
    }

    boolean skipsGate() {
      return Boolean.TRUE.equals(skipGate);
    }
  }

  /** {@code POST /admin/v1/tokens}. */
  record CreateToken(String name, String role) {

    static final JsonBody<CreateToken> BODY = JsonBody.of(CreateToken.class);

    CreateToken {
      text(name, "name");
      if (!ApiTokens.NAME.matcher(name).matches()) {
        throw new InvalidInputException("name", "must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a"
            + " letter or digit");
      }
      if (name.toLowerCase(java.util.Locale.ROOT).startsWith("bootstrap")) {
        throw new InvalidInputException("name", "names starting with 'bootstrap' are the replicas' generated tokens'");
      }
      text(role, "role");
      Role.parse(role);
    }
  }

  /** {@code POST /admin/v1/stop-all} and {@code /stop-all/lift}: the reason is required. */
  record Reason(String reason) {

    static final JsonBody<Reason> BODY = JsonBody.of(Reason.class);

    Reason {
      text(reason, "reason");
    }
  }

  /**
   * @param value a required text
   * @param field its name
   * @return the text
   * @throws InvalidInputException naming the field when missing or blank
   */
  static String text(@Nullable String value, String field) {
    if (value == null) {
      throw new InvalidInputException(field, "is missing");
    }
    if (value.isBlank()) {
      throw new InvalidInputException(field, "must be a non-blank string");
    }
    return value;
  }

  private static void optionalText(@Nullable String value, String field) {
    if (value != null) {
      text(value, field);
    }
  }

  private static void version(@Nullable Long value, String field) {
    if (value == null) {
      throw new InvalidInputException(field, "is missing");
    }
    if (value < 0) {
      throw new InvalidInputException(field, value + " is below 0");
    }
  }
}
