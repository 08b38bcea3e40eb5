package dev.ringfence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.core.EndpointAttributes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Enrolled endpoints: their attributes (which decide their rings), the SHA-256 of their bearer token
 * (the token itself is shown once, at enrollment, and never stored) and their HMAC key. One file per
 * endpoint under {@code endpoints/}, mode 0600, written atomically; with {@link SharedRecords}
 * (replicas on one PostgreSQL) in the database instead, where an endpoint enrolled through any replica is
 * known to every replica at its first request.
 */
final class EndpointRegistry {

  static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /**
   * One enrolled endpoint.
   *
   * @param endpointId its id
   * @param attributes what its rings are chosen by
   * @param tokenSha256 SHA-256 of its bearer token
   * @param hmacKey its signal-signing key
   * @param enrolledAt when
   */
  record Enrollment(String endpointId, EndpointAttributes attributes, byte[] tokenSha256, byte[] hmacKey,
      Instant enrolledAt) {}

  private final Path directory;
  private final SecureRandom random;
  private final @Nullable SharedRecords shared;
  private final Map<String, Enrollment> endpoints = new ConcurrentHashMap<>();
  private long seenSeq;

  EndpointRegistry(Path directory, SecureRandom random) throws IOException {
    this(directory, random, null);
  }

  /**
   * @param directory the enrollment folder, unused with {@code shared}
   * @param random the source of tokens and keys
   * @param shared the replicas' shared records, or null for a single server
   */
  EndpointRegistry(Path directory, SecureRandom random, @Nullable SharedRecords shared) throws IOException {
    this.directory = directory;
    this.random = random;
    this.shared = shared;
    if (shared != null) {
      refresh();
      return;
    }
    Files.createDirectories(directory);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
      for (Path file : files) {
        Enrollment e = read(file);
        endpoints.put(e.endpointId(), e);
      }
    }
  }

  /**
   * Enrolls an endpoint and returns its credentials; they are not shown again.
   *
   * @throws HttpError 409 when the id is enrolled already
   */
  synchronized EndpointCredentials enroll(String endpointId, EndpointAttributes attributes, Instant now) {
    if (!ID.matcher(endpointId).matches()) {
      throw HttpError.badField("endpointId", "'" + endpointId + "' must be 1 to 128 of A-Z a-z 0-9 . _ -");
    }
    if (endpoints.containsKey(endpointId)) {
      throw new HttpError(409, "conflict", "endpointId", "endpointId: '" + endpointId + "' is enrolled already;"
          + " credentials are issued once");
    }
    byte[] tokenBytes = new byte[32];
    random.nextBytes(tokenBytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes);
    byte[] key = new byte[32];
    random.nextBytes(key);
    Enrollment enrollment = new Enrollment(endpointId, attributes, AdminToken.sha256(token), key, now);
    try {
      byte[] json = ServerJson.MAPPER.writeValueAsBytes(toJson(enrollment));
      if (shared != null) {
        shared.enroll(endpointId, json);
      } else {
        SecureFiles.write(directory.resolve(endpointId + ".json"), json, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store enrollment of " + endpointId, e);
    }
    endpoints.put(endpointId, enrollment);
    return new EndpointCredentials(endpointId, token, key);
  }

  /**
   * @param endpointId the {@code Ringfence-Endpoint} header
   * @param authorization the {@code Authorization} header
   * @return the endpoint, when the token is its own
   */
  Optional<Enrollment> authenticate(@Nullable String endpointId, @Nullable String authorization) {
    if (endpointId == null || authorization == null || !authorization.startsWith("Bearer ")) {
      return Optional.empty();
    }
    Enrollment e = endpoints.get(endpointId);
    if (e == null && shared != null && ID.matcher(endpointId).matches()) {
      // Enrolled through another replica since the last tick? One indexed lookup.
      e = shared.enrollment(endpointId).map(row -> parse(row.json())).orElse(null);
      if (e != null) {
        endpoints.put(endpointId, e);
      }
    }
    // Hash even when the endpoint is unknown, so the answer takes as long either way.
    byte[] presented = AdminToken.sha256(authorization.substring("Bearer ".length())); // exact: no trimming
    if (e == null || !MessageDigest.isEqual(e.tokenSha256(), presented)) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** Catches up with endpoints enrolled through other replicas; a single server has nothing to do. */
  synchronized void refresh() {
    if (shared == null) {
      return;
    }
    for (SharedRecords.EnrollmentRow row : shared.enrollmentsAfter(seenSeq)) {
      endpoints.put(row.endpointId(), parse(row.json()));
      seenSeq = row.seq();
    }
  }

  List<Enrollment> all() {
    List<Enrollment> list = new ArrayList<>(endpoints.values());
    list.sort((a, b) -> a.endpointId().compareTo(b.endpointId()));
    return list;
  }

  private static ObjectNode toJson(Enrollment e) {
    ObjectNode node = ServerJson.MAPPER.createObjectNode();
    node.put("endpointId", e.endpointId());
    node.set("attributes", attributesJson(e.attributes()));
    node.put("tokenSha256", HexFormat.of().formatHex(e.tokenSha256()));
    node.put("hmacKey", Base64.getEncoder().encodeToString(e.hmacKey()));
    node.put("enrolledAt", e.enrolledAt().toString());
    return node;
  }

  static ObjectNode attributesJson(EndpointAttributes a) {
    ObjectNode node = ServerJson.MAPPER.createObjectNode();
    node.put("os", a.os());
    node.put("osBuild", a.osBuild());
    node.put("region", a.region());
    node.put("tier", a.tier());
    a.tags().stream().sorted().forEach(node.putArray("tags")::add);
    if (!node.has("tags")) {
      node.putArray("tags");
    }
    return node;
  }

  private static Enrollment read(Path file) throws IOException {
    return parse(ServerJson.MAPPER.readTree(file.toFile()));
  }

  private static Enrollment parse(byte[] json) {
    try {
      return parse(ServerJson.MAPPER.readTree(json));
    } catch (IOException e) {
      throw new UncheckedIOException("an enrollment in the database cannot be read", e);
    }
  }

  private static Enrollment parse(JsonNode node) {
    JsonNode a = node.get("attributes");
    List<String> tags = new ArrayList<>();
    a.get("tags").forEach(t -> tags.add(t.asText()));
    EndpointAttributes attributes = EndpointAttributes.builder().os(a.get("os").asText())
        .osBuild(a.get("osBuild").asText()).region(a.get("region").asText()).tier(a.get("tier").asText())
        .tags(tags.toArray(String[]::new)).build();
    return new Enrollment(node.get("endpointId").asText(), attributes,
        HexFormat.of().parseHex(node.get("tokenSha256").asText()), Base64.getDecoder().decode(node.get("hmacKey").asText()),
        Instant.parse(node.get("enrolledAt").asText()));
  }
}
