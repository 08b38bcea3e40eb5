package dev.ringfence.agent.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs a validator class in a child JVM ({@link ValidatorMain}) and accepts only an explicit success
 * line carrying a fresh nonce; a timeout kills the child. Output goes to a temporary file, so a chatty
 * validator cannot block on a full pipe.
 */
public final class ChildJvmValidator {

  private static final int MAX_REASON = 500;

  private final String validatorClass;
  private final Duration timeout;
  private final int maxHeapMegabytes;
  private final String classPath;

  /**
   * @param validatorClass the validator's class name
   * @param timeout how long the child may run
   * @param maxHeapMegabytes its heap limit
   * @param classPath its class path
   */
  public ChildJvmValidator(String validatorClass, Duration timeout, int maxHeapMegabytes, String classPath) {
    this.validatorClass = validatorClass;
    this.timeout = timeout;
    this.maxHeapMegabytes = maxHeapMegabytes;
    this.classPath = classPath;
  }

  /**
   * @param content the staged content
   * @param version its version
   * @throws Exception with the reason when the child did not report success
   */
  public void validate(Path content, long version) throws Exception {
    String nonce = UUID.randomUUID().toString();
    Path output = Files.createTempFile("ringfence-validator-", ".out");
    try {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process child = new ProcessBuilder(List.of(java.toString(), "-Xmx" + maxHeapMegabytes + "m",
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath, ValidatorMain.class.getName(),
          validatorClass, content.toString(), Long.toString(version), nonce))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
          .start();
      boolean exited = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
        throw new Exception("timed out after " + timeout + " in the child JVM (killed)");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (child.exitValue() == 0 && text.contains(ValidatorMain.SUCCESS + nonce)) {
        return;
      }
      throw new Exception("child JVM exited with " + child.exitValue() + " without reporting success: "
          + lastLines(text));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  static String lastLines(String text) throws IOException {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return "(no output)";
    }
    if (trimmed.length() <= MAX_REASON) {
      return trimmed;
    }
    int start = trimmed.length() - MAX_REASON;
    // Never half a surrogate pair: a reason with a lone one is refused by the server with its whole batch.
    return "..." + trimmed.substring(Character.isLowSurrogate(trimmed.charAt(start)) ? start + 1 : start);
  }
}
