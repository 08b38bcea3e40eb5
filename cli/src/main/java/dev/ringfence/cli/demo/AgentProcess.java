package dev.ringfence.cli.demo;

import dev.ringfence.examples.toyagent.ToyAgentMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Supervises one agent JVM like an init system: starts it, reads its {@code EVENT} lines, and when it
 * dies abnormally starts it again (a boot loop), at most {@code maxRestarts} times. {@link #stop()} closes
 * its stdin, which makes the agent exit, and kills it if it does not.
 */
final class AgentProcess {

  private final String endpointId;
  private final List<String> command;
  private final Path log;
  private final int maxRestarts;
  private final Consumer<String> events;
  private final List<Integer> abnormalExits = new ArrayList<>();
  private volatile boolean stopping;
  private volatile Process process;
  private Thread supervisor;

  AgentProcess(String endpointId, Path configFile, Path log, int maxRestarts, Consumer<String> events) {
    this.endpointId = endpointId;
    String java = ProcessHandle.current().info().command().orElse("java");
    this.command = List.of(java, "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        ToyAgentMain.class.getName(), configFile.toString());
    this.log = log;
    this.maxRestarts = maxRestarts;
    this.events = events;
  }

  String endpointId() {
    return endpointId;
  }

  synchronized List<Integer> abnormalExits() {
    return List.copyOf(abnormalExits);
  }

  void start() {
    supervisor = new Thread(this::supervise, "supervise-" + endpointId);
    supervisor.setDaemon(true);
    supervisor.start();
  }

  private void supervise() {
    int starts = 0;
    while (!stopping && starts <= maxRestarts) {
      starts++;
      Process p;
      try {
        p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      } catch (IOException e) {
        events.accept(endpointId + " could-not-start " + e.getMessage());
        return;
      }
      process = p;
      if (stopping) { // stop() may have run between the check above and the start
        p.destroyForcibly();
        return;
      }
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("EVENT ")) {
            events.accept(endpointId + " " + line.substring("EVENT ".length()));
          }
        }
      } catch (IOException e) {
        // the process died; its exit code says how
      }
      int code;
      try {
        code = p.waitFor();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        return;
      }
      if (stopping) {
        return;
      }
      if (code != 0) {
        synchronized (this) {
          abnormalExits.add(code);
        }
        events.accept(endpointId + " exit " + code);
      } else {
        return;
      }
    }
    if (!stopping) {
      events.accept(endpointId + " gave-up after " + maxRestarts + " restarts");
    }
  }

  void stop() {
    stopping = true;
    Process p = process;
    if (p != null) {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        // it is gone already
      }
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (supervisor != null) {
      try {
        supervisor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
