package dev.ringfence.core;

import static dev.ringfence.core.testing.Properties.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CohortTest {

  /** Upper 0.999 quantile of chi-square with 99 degrees of freedom: p > 0.001 below it. */
  private static final double CHI_SQUARE_99_P001 = 148.23;

  @Test
  void bucket_millionSeededIds_isUniformOverHundredBins() {
    Cohort cohort = Cohort.withSalt(Cohort.saltFor("rollout-uniformity"));
    SplittableRandom random = new SplittableRandom(20240719L);
    int n = 1_000_000;
    long[] bins = new long[100];
    for (int i = 0; i < n; i++) {
      String id = "endpoint-" + Long.toHexString(random.nextLong());
      bins[cohort.bucket(id) / 100]++;
    }
    double expected = n / 100.0;
    double chiSquare = 0;
    for (long observed : bins) {
      chiSquare += (observed - expected) * (observed - expected) / expected;
    }
    assertThat(chiSquare).as("chi-square over 100 bins").isLessThan(CHI_SQUARE_99_P001);
  }

  @Test
  void bucket_sequentialIds_areUniformToo() {
    // Fleets often number their hosts; sequential ids must not cluster.
    Cohort cohort = Cohort.withSalt(7);
    long[] bins = new long[100];
    int n = 1_000_000;
    for (int i = 0; i < n; i++) {
      bins[cohort.bucket("host-" + i) / 100]++;
    }
    double chiSquare = 0;
    for (long observed : bins) {
      chiSquare += (observed - n / 100.0) * (observed - n / 100.0) / (n / 100.0);
    }
    assertThat(chiSquare).isLessThan(CHI_SQUARE_99_P001);
  }

  @Test
  void bucket_twoSalts_areUncorrelated() {
    Cohort a = Cohort.withSalt(Cohort.saltFor("rollout-a"));
    Cohort b = Cohort.withSalt(Cohort.saltFor("rollout-b"));
    int n = 200_000;
    double sumA = 0;
    double sumB = 0;
    double sumAb = 0;
    double sumA2 = 0;
    double sumB2 = 0;
    int bothCanary = 0;
    for (int i = 0; i < n; i++) {
      String id = "host-" + i;
      int x = a.bucket(id);
      int y = b.bucket(id);
      sumA += x;
      sumB += y;
      sumAb += (double) x * y;
      sumA2 += (double) x * x;
      sumB2 += (double) y * y;
      if (x < 100 && y < 100) {
        bothCanary++;
      }
    }
    double cov = sumAb / n - (sumA / n) * (sumB / n);
    double r = cov / Math.sqrt((sumA2 / n - Math.pow(sumA / n, 2)) * (sumB2 / n - Math.pow(sumB / n, 2)));
    assertThat(Math.abs(r)).as("Pearson correlation").isLessThan(0.01);
    // Independent 1% canaries overlap on about 0.01% of the fleet (20 of 200k), not on 1%.
    assertThat(bothCanary).isLessThan(60);
  }

  @Test
  void bucket_isStableAcrossVersionsAndReplicas() {
    // Golden values: if these change, every fleet's canaries change on upgrade. Never update them casually.
    assertThat(Cohort.bucket("host-1", 0)).isEqualTo(Cohort.withSalt(0).bucket("host-1"));
    int[] golden = {Cohort.bucket("host-1", 0), Cohort.bucket("host-2", 0), Cohort.bucket("hôte-3", 42)};
    assertThat(golden).containsExactly(GOLDEN_HOST_1, GOLDEN_HOST_2, GOLDEN_HOTE_3);
    assertThat(Cohort.saltFor("content-2024-07-19")).isEqualTo(GOLDEN_SALT);
  }

  // Computed with an independent murmur3_x86_32 implementation (Python, UTF-8 bytes, multiply-shift to 10000).
  private static final int GOLDEN_HOST_1 = 4012;
  private static final int GOLDEN_HOST_2 = 5716;
  private static final int GOLDEN_HOTE_3 = 9151;
  private static final int GOLDEN_SALT = -1033697038;

  @Test
  void murmur3_equalsGuavaReference() {
    // Any string: empty, every UTF-8 width, surrogate pairs and lone surrogates (Properties.Case#string).
    forAll("murmur3_equalsGuavaReference", 42, 5000, c -> {
      String id = c.string("id", 0, 255);
      int salt = c.anyInt("salt");
      assertThat(Cohort.murmur3(id, salt))
          .isEqualTo(Hashing.murmur3_32_fixed(salt).hashString(id, StandardCharsets.UTF_8).asInt());
    });
  }

  @Test
  void murmur3_equalsGuavaOnEveryEncodingWidthAndTail() {
    String[] ids = {"", "a", "ab", "abc", "abcd", "abcde", "é", "éé", "€", "€a", "😀", "a😀", "ab😀c", "\uD83D",
        "x\uDE00y", "\uD83Dz", "mixé€😀 host-42", "host-" + "é".repeat(37) + "€".repeat(11)};
    for (String id : ids) {
      for (int salt : new int[] {0, 1, -1, 42, Integer.MIN_VALUE}) {
        assertThat(Cohort.murmur3(id, salt)).as("'%s' salt %d", id, salt)
            .isEqualTo(Hashing.murmur3_32_fixed(salt).hashString(id, StandardCharsets.UTF_8).asInt());
      }
    }
  }

  @Test
  void murmur3_equalsGuava_whereverTheFirstCharBeyondAsciiStands() {
    // The ASCII path goes eight chars, then four, then the tail, and hands over at the first block holding any other
    // char: every length up to 24 with such a char (or a NUL, which is ASCII) at every position, and none.
    String[] others = {"é", "€", "😀", "\uD83D", "\uDE00", "\u0000", "\u007F", "\u0080"};
    for (int length = 0; length <= 24; length++) {
      String ascii = "endpoint-0123456789abcdef".substring(0, length);
      assertThat(Cohort.murmur3(ascii, 7)).as("'%s'", ascii)
          .isEqualTo(Hashing.murmur3_32_fixed(7).hashString(ascii, StandardCharsets.UTF_8).asInt());
      for (int at = 0; at < length; at++) {
        for (String other : others) {
          String id = ascii.substring(0, at) + other + ascii.substring(at + 1);
          assertThat(Cohort.murmur3(id, 7)).as("length %d, '%s' at %d", length, other, at)
              .isEqualTo(Hashing.murmur3_32_fixed(7).hashString(id, StandardCharsets.UTF_8).asInt());
        }
      }
    }
  }

  @Test
  void bucket_isInRangeAndDeterministic() {
    forAll("bucket_isInRangeAndDeterministic", 42, 1000, c -> {
      String id = c.string("id", 1, 64);
      int salt = c.anyInt("salt");
      int bucket = Cohort.bucket(id, salt);
      assertThat(bucket).isBetween(0, Cohort.BUCKETS - 1);
      assertThat(Cohort.withSalt(salt).bucket(id)).isEqualTo(bucket);
    });
  }

  @Test
  void widening_neverRemovesAnEndpoint() {
    forAll("widening_neverRemovesAnEndpoint", 42, 1000, c -> {
      String id = c.string("id", 1, 32);
      int salt = c.anyInt("salt");
      int narrow = c.intBetween("narrow", 0, 10_000);
      int extra = c.intBetween("extra", 0, 10_000);
      int wide = Math.min(10_000, narrow + extra);
      int bucket = Cohort.bucket(id, salt);
      if (bucket < narrow) {
        assertThat(bucket).isLessThan(wide);
      }
      // At 100% everyone is in; at 0% nobody is.
      assertThat(bucket).isLessThan(10_000).isGreaterThanOrEqualTo(0);
    });
  }
}
