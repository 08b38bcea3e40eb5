/**
 * Ringfence gates that judge a ring from outside systems: {@code prometheus}, a PromQL query through
 * Prometheus's HTTP API, and {@code webhook}, a signed POST whose answer is the verdict. They are asynchronous gates ({@link dev.ringfence.core.gate.AsyncGate}): their requests
 * run on an executor the host gives, never on the thread that ticks the engine. Kept out of {@code core} so that
 * the engine carries no HTTP client of its own.
 */
module dev.ringfence.gates {
  requires transitive dev.ringfence.core;
  requires transitive java.net.http; // HttpClient appears in the factories' builders
  requires com.fasterxml.jackson.databind;
  requires io.github.resilience4j.core;
  requires io.github.resilience4j.retry;
  requires static org.jspecify;

  exports dev.ringfence.gates;
}
