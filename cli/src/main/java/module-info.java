/**
 * The {@code ringfence} command. Shipped as a shaded jar ({@code cli/target/ringfence.jar}, run by
 * {@code ./ringfence}); this descriptor states its dependencies and lets picocli reach the commands.
 */
module dev.ringfence.cli {
  requires dev.ringfence.server;
  requires dev.ringfence.postgresql;
  requires org.postgresql.jdbc;
  requires java.sql;
  requires dev.ringfence.simulator;
  requires dev.ringfence.examples;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports dev.ringfence.cli;
  exports dev.ringfence.cli.demo;
  opens dev.ringfence.cli to info.picocli;
}
