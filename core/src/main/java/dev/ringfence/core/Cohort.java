package dev.ringfence.core;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic, sticky cohorts: every endpoint gets a bucket in {@code [0, 10000)} from the 32-bit
 * murmur3 hash (x86_32, exactly Guava's {@code Hashing.murmur3_32_fixed(salt)} over the id's UTF-8
 * bytes) seeded with the rollout's salt.
 *
 * <p>An endpoint is in a ring's cohort when its bucket is below the ring's cumulative share, so
 * widening a ring only ever adds endpoints. The same id and salt give the same bucket on every
 * replica, after every restart and in every JVM. Different salts give unrelated buckets, so
 * different rollouts pick different canaries. Instances are immutable and thread-safe.
 *
 * <p>Why not call Guava on the hot path: {@code HashFunction.hashString} returns a {@code HashCode}
 * object that the JIT does not eliminate (16 bytes per call, measured with JMH {@code -prof gc}).
 * {@link #bucket(String)} computes the same function over the string's chars without allocating;
 * tests check it against Guava on random and adversarial strings, and Guava remains the reference.
 */
public final class Cohort {

  /** Number of buckets; shares are expressed in the same basis points. */
  public static final int BUCKETS = 10_000;

  private static final HashFunction SALT_HASH = Hashing.murmur3_32_fixed();
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private final int salt;

  private Cohort(int salt) {
    this.salt = salt;
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
   * The bucket of an endpoint under a salt.
   *
   * @param endpointId the endpoint's id
   * @param salt the rollout's salt
   * @return a bucket in {@code [0, 10000)}
   */
  public static int bucket(String endpointId, int salt) {
    return toBucket(murmur3(endpointId, salt));
  }

  /**
   * The bucket of an endpoint.
   *
   * @param endpointId the endpoint's id
   * @return a bucket in {@code [0, 10000)}
   */
  public int bucket(String endpointId) {
    return toBucket(murmur3(endpointId, salt));
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

  private static int toBucket(int hash) {
    // Multiply-shift maps the 32-bit hash onto [0, BUCKETS) without a division; the bias is below
    // one part in 400,000 per bucket.
    return (int) (((hash & 0xFFFF_FFFFL) * BUCKETS) >>> 32);
  }

  /**
   * murmur3_x86_32 of the UTF-8 encoding of {@code s}, streamed from its chars. Small enough for the JIT to inline
   * into the decision: an ASCII id (the common case) goes eight chars, two blocks, a step with one range test, and
   * the first block that holds any other char hands the rest to {@link #murmur3Utf8}.
   */
  static int murmur3(String s, int seed) {
    int h1 = seed;
    int n = s.length();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      char c0 = s.charAt(i);
      char c1 = s.charAt(i + 1);
      char c2 = s.charAt(i + 2);
      char c3 = s.charAt(i + 3);
      char c4 = s.charAt(i + 4);
      char c5 = s.charAt(i + 5);
      char c6 = s.charAt(i + 6);
      char c7 = s.charAt(i + 7);
      if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) >= 0x80) {
        return murmur3Utf8(s, seed, h1, i);
      }
      h1 = mixH1(h1, mixK1(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24)));
      h1 = mixH1(h1, mixK1(c4 | (c5 << 8) | (c6 << 16) | (c7 << 24)));
    }
    if (i + 4 <= n) {
      char c0 = s.charAt(i);
      char c1 = s.charAt(i + 1);
      char c2 = s.charAt(i + 2);
      char c3 = s.charAt(i + 3);
      if ((c0 | c1 | c2 | c3) >= 0x80) {
        return murmur3Utf8(s, seed, h1, i);
      }
      h1 = mixH1(h1, mixK1(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24)));
      i += 4;
    }
    int k1 = 0;
    for (int j = i; j < n; j++) {
      char c = s.charAt(j);
      if (c >= 0x80) {
        return murmur3Utf8(s, seed, h1, i);
      }
      k1 |= c << ((j - i) << 3);
    }
    if (i < n) {
      h1 ^= mixK1(k1);
    }
    return fmix(h1 ^ n);
  }

  /**
   * The rest of {@link #murmur3} from char {@code from}, where a block begins and every char before is ASCII:
   * encodes each char to UTF-8 as {@code String.getBytes} does, a char at a time (ids beyond ASCII are rare).
   */
  private static int murmur3Utf8(String s, int seed, int h1, int from) {
    int n = s.length();
    int i = from;
    long buffer = 0;
    int shift = 0;
    int length = i;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buffer |= (long) c << shift;
        shift += 8;
        length += 1;
      } else if (c < 0x800) {
        buffer |= (long) (0xC0 | (c >>> 6) | ((0x80 | (c & 0x3F)) << 8)) << shift;
        shift += 16;
        length += 2;
      } else if (Character.isSurrogate(c)) {
        int codePoint = Character.codePointAt(s, i);
        if (codePoint == c) {
          // An unpaired surrogate: encode exactly as String.getBytes does ('?'), as Guava does.
          return Hashing.murmur3_32_fixed(seed).hashBytes(s.getBytes(StandardCharsets.UTF_8)).asInt();
        }
        i++;
        int bytes = (0xF0 | (codePoint >>> 18))
            | ((0x80 | ((codePoint >>> 12) & 0x3F)) << 8)
            | ((0x80 | ((codePoint >>> 6) & 0x3F)) << 16)
            | ((0x80 | (codePoint & 0x3F)) << 24);
        buffer |= (bytes & 0xFFFF_FFFFL) << shift;
        shift += 32;
        length += 4;
      } else {
        buffer |= (long) (0xE0 | (c >>> 12) | ((0x80 | ((c >>> 6) & 0x3F)) << 8)
            | ((0x80 | (c & 0x3F)) << 16)) << shift;
        shift += 24;
        length += 3;
      }
      if (shift >= 32) {
        h1 = mixH1(h1, mixK1((int) buffer));
        buffer >>>= 32;
        shift -= 32;
      }
    }
    if (shift > 0) {
      h1 ^= mixK1((int) buffer);
    }
    return fmix(h1 ^ length);
  }

  private static int mixK1(int k1) {
    return Integer.rotateLeft(k1 * C1, 15) * C2;
  }

  private static int mixH1(int h1, int k1) {
    return Integer.rotateLeft(h1 ^ k1, 13) * 5 + 0xe6546b64;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
