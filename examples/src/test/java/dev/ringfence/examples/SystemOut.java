package dev.ringfence.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what code prints on {@link System#out}. */
final class SystemOut {

  private SystemOut() {}

  /** Code to run while {@link System#out} is captured. */
  @FunctionalInterface
  interface Code {
    void run() throws Exception;
  }

  /**
   * Runs code with {@link System#out} captured, and restores it.
   *
   * @param code the code
   * @return what it printed
   * @throws Exception what the code threw
   */
  static String capture(Code code) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      code.run();
    } finally {
      System.setOut(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
