package dev.ringfence.agent.internal;

import dev.ringfence.agent.ContentValidator;
import java.nio.file.Path;

/**
 * Entry point of the validator's child JVM: instantiates the validator, runs it, and prints the success
 * line with the parent's nonce only when it returned normally. Any throwable is printed and exits 2.
 */
public final class ValidatorMain {

  static final String SUCCESS = "RINGFENCE-VALIDATION-OK ";

  private ValidatorMain() {}

  /**
   * @param args validator class, content path, version, nonce
   */
  public static void main(String[] args) {
    try {
      ContentValidator validator = Class.forName(args[0]).asSubclass(ContentValidator.class)
          .getDeclaredConstructor().newInstance();
      validator.validate(Path.of(args[1]), Long.parseLong(args[2]));
      System.out.println(SUCCESS + args[3]);
      System.out.flush();
    } catch (Throwable t) { // everything, StackOverflowError and OutOfMemoryError included
      System.out.println("refused: " + t);
      System.out.flush();
      Runtime.getRuntime().halt(2);
    }
  }
}
