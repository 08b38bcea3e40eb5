/**
 * Small integrations of Ringfence: the README's quick start, the engine behind a plain JDK HTTP handler,
 * and the toy agent that {@code ringfence demo} starts in agent processes.
 */
module dev.ringfence.examples {
  requires transitive dev.ringfence.core;
  requires dev.ringfence.agent;
  requires com.fasterxml.jackson.databind;
  requires transitive jdk.httpserver;
  requires org.slf4j;
  requires static org.jspecify;

  // dev.ringfence.examples (the quick start) is a program, not API: not exported.
  exports dev.ringfence.examples.http;
  exports dev.ringfence.examples.toyagent;
}
