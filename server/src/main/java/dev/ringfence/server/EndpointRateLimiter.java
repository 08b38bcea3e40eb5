package dev.ringfence.server;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per endpoint, on the server's injected clock: each endpoint may send {@code burst} requests at
 * once and {@code perMinute} on average. One endpoint's flood drains only its own bucket. Buckets are created
 * for authenticated endpoints only, so their number is bounded by the enrollments.
 */
final class EndpointRateLimiter {

  private final Clock clock;
  private final double burst;
  private final int perMinute;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long updatedMillis;

    Bucket(double tokens, long updatedMillis) {
      this.tokens = tokens;
      this.updatedMillis = updatedMillis;
    }
  }

  EndpointRateLimiter(Clock clock, int burst, int perMinute) {
    this.clock = clock;
    this.burst = burst;
    this.perMinute = perMinute;
  }

  /**
   * Takes one token from the endpoint's bucket.
   *
   * @param endpointId an authenticated endpoint
   * @return 0 when the request may go ahead; otherwise the milliseconds until a token is back (at least 1)
   */
  long acquire(String endpointId) {
    long now = clock.millis();
    Bucket bucket = buckets.computeIfAbsent(endpointId, id -> new Bucket(burst, now));
    synchronized (bucket) {
      // A clock that steps back refills nothing; it never takes tokens away either.
      long elapsed = Math.max(0, now - bucket.updatedMillis);
      bucket.tokens = Math.min(burst, bucket.tokens + (double) elapsed * perMinute / 60_000);
      bucket.updatedMillis = Math.max(now, bucket.updatedMillis);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - bucket.tokens) * 60_000 / perMinute));
    }
  }
}
