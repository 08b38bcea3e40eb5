/**
 * Ringfence's published test kit: a manual clock, a scripted gate and the store conformance suite. For
 * tests only.
 */
module dev.ringfence.testing {
  requires transitive dev.ringfence.core;
  requires transitive org.junit.jupiter.api;
  requires org.assertj.core;
  requires static transitive org.jspecify;

  exports dev.ringfence.testing;
}
