package dev.ringfence.server;

import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.protocol.UpdateProtocol;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a signed signal batch: the HMAC-SHA256 of the canonical request under the endpoint's key
 * (compared in constant time), a timestamp within the allowed skew, and a nonce not seen within that
 * window. The signature is checked before the nonce is recorded, so nobody without the key can use up
 * an endpoint's nonces. Refusals are {@link HttpError}s: 401 for a missing, stale or wrong signature, 409
 * for a replay, each with the reason as its code.
 */
final class SignalAuthenticator {

  private static final Pattern NONCE = Pattern.compile("[0-9a-f]{32}");
  /** Bound on remembered nonces per endpoint: a flood of valid batches cannot grow memory without end. */
  static final int MAX_NONCES_PER_ENDPOINT = 10_000;

  private final Duration window;
  private final Map<String, LinkedHashMap<String, Long>> seen = new HashMap<>();

  SignalAuthenticator(Duration window) {
    this.window = window;
  }

  void verify(EndpointRegistry.Enrollment endpoint, Request request, byte[] body, Instant now) {
    String timestamp = request.header(UpdateProtocol.TIMESTAMP_HEADER);
    String nonce = request.header(UpdateProtocol.NONCE_HEADER);
    String signature = request.header(UpdateProtocol.SIGNATURE_HEADER);
    if (timestamp == null || nonce == null || signature == null) {
      throw new HttpError(401, "missing_signature", UpdateProtocol.SIGNATURE_HEADER, "signal batches must carry "
          + UpdateProtocol.TIMESTAMP_HEADER + ", " + UpdateProtocol.NONCE_HEADER + " and "
          + UpdateProtocol.SIGNATURE_HEADER);
    }
    long millis;
    try {
      millis = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw new HttpError(401, "bad_signature", UpdateProtocol.TIMESTAMP_HEADER, UpdateProtocol.TIMESTAMP_HEADER
          + ": '" + timestamp + "' is not epoch milliseconds");
    }
    if (!NONCE.matcher(nonce).matches()) {
      throw new HttpError(401, "bad_signature", UpdateProtocol.NONCE_HEADER, UpdateProtocol.NONCE_HEADER
          + ": must be 32 lowercase hex digits");
    }
    String expected = EndpointCredentials.sign(endpoint.hmacKey(), endpoint.endpointId(), millis, nonce, body);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      throw new HttpError(401, "bad_signature", UpdateProtocol.SIGNATURE_HEADER, UpdateProtocol.SIGNATURE_HEADER
          + ": does not match the body under this endpoint's key");
    }
    long skew = Math.abs(now.toEpochMilli() - millis);
    if (skew > window.toMillis()) {
      throw new HttpError(401, "stale_timestamp", UpdateProtocol.TIMESTAMP_HEADER, UpdateProtocol.TIMESTAMP_HEADER
          + ": " + Instant.ofEpochMilli(millis) + " is " + skew + " ms from the server's time; allowed "
          + window.toMillis() + " ms (check the endpoint's clock)");
    }
    synchronized (seen) {
      LinkedHashMap<String, Long> nonces = seen.computeIfAbsent(endpoint.endpointId(), id -> new LinkedHashMap<>());
      long cutoff = now.toEpochMilli() - window.toMillis();
      // Remember each nonce until its timestamp has left the window (then the timestamp check refuses it).
      for (Iterator<Long> it = nonces.values().iterator(); it.hasNext(); ) {
        if (it.next() < cutoff) {
          it.remove();
        }
      }
      if (nonces.containsKey(nonce)) {
        throw new HttpError(409, "replay", UpdateProtocol.NONCE_HEADER, UpdateProtocol.NONCE_HEADER + ": " + nonce
            + " was used already; a replayed batch is refused");
      }
      if (nonces.size() >= MAX_NONCES_PER_ENDPOINT) {
        throw new HttpError(429, "too_many_batches", null, "more than " + MAX_NONCES_PER_ENDPOINT
            + " signal batches from " + endpoint.endpointId() + " within " + window + "; batch them");
      }
      nonces.put(nonce, millis);
    }
  }
}
