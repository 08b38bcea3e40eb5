package dev.ringfence.core;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic, sticky cohorts: every endpoint gets a bucket in {@code [0, 10000)} from a fixed
 * 32-bit hash (Guava's {@code murmur3_32_fixed}) of its id, seeded with the rollout's salt.
 *
 * <p>An endpoint is in a ring's cohort when its bucket is below the ring's cumulative share, so
 * widening a ring only ever adds endpoints. The same id and salt give the same bucket on every
 * replica, after every restart and in every JVM. Different salts give unrelated buckets, so
 * different rollouts pick different canaries. Instances are immutable and thread-safe.
 */
public final class Cohort {

  /** Number of buckets; shares are expressed in the same basis points. */
  public static final int BUCKETS = 10_000;

  private static final HashFunction SALT_HASH = Hashing.murmur3_32_fixed();

  private final int salt;
  private final HashFunction hash;

  private Cohort(int salt) {
    this.salt = salt;
    this.hash = Hashing.murmur3_32_fixed(salt);
  }

  /**
   * The cohort assignment of one rollout.
   *
   * @param salt the rollout's salt
   * @return the assignment
   */
  public static Cohort withSalt(int salt) {
    return new Cohort(salt);
  }

  /**
   * The bucket of an endpoint under a salt. Prefer {@link #bucket(String)} on a kept instance in
   * loops: this builds the seeded hash function on each call.
   *
   * @param endpointId the endpoint's id
   * @param salt the rollout's salt
   * @return a bucket in {@code [0, 10000)}
   */
  public static int bucket(String endpointId, int salt) {
    return withSalt(salt).bucket(endpointId);
  }

  /**
   * The bucket of an endpoint.
   *
   * @param endpointId the endpoint's id
   * @return a bucket in {@code [0, 10000)}
   */
  public int bucket(String endpointId) {
    int h = hash.hashString(endpointId, StandardCharsets.UTF_8).asInt();
    // Multiply-shift maps the 32-bit hash onto [0, BUCKETS) without a division; the bias is below
    // one part in 400,000 per bucket.
    return (int) (((h & 0xFFFF_FFFFL) * BUCKETS) >>> 32);
  }

  /** @return this cohort's salt */
  public int salt() {
    return salt;
  }

  /**
   * The default salt of a rollout, derived from its id so that every replica agrees on it.
   *
   * @param rolloutId the rollout's id
   * @return the salt
   */
  public static int saltFor(String rolloutId) {
    return SALT_HASH.hashString(rolloutId, StandardCharsets.UTF_8).asInt();
  }
}
