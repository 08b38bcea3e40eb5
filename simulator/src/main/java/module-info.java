/**
 * The Ringfence fleet simulator: replays a scenario on a virtual clock with the real engine and the real
 * agent on every exposed endpoint, with and without Ringfence, and writes the report and its charts.
 */
module dev.ringfence.simulator {
  requires transitive dev.ringfence.core;
  requires transitive dev.ringfence.agent;
  requires transitive com.fasterxml.jackson.databind;
  requires java.desktop;
  requires xchart;
  requires VectorGraphics2D;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.ringfence.simulator;
  // The shipped scenarios and plans, read by name through the module's own classes.
}
