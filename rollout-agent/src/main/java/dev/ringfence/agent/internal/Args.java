package dev.ringfence.agent.internal;

/**
 * One-line checks of a programmer's arguments, as Caffeine and resilience4j make them: a null is a
 * {@link NullPointerException}, a value out of range an {@link IllegalArgumentException}, a builder not ready to
 * build an {@link IllegalStateException}; each message names the argument and what is allowed. Input from
 * outside (wire documents, files) is refused with the domain exceptions instead.
 */
public final class Args {

  private Args() {}

  /**
   * @param ok whether the argument is acceptable
   * @param name the argument
   * @param reason what is wrong and what is allowed
   * @throws IllegalArgumentException {@code name: reason} when not ok
   */
  public static void require(boolean ok, String name, String reason) {
    if (!ok) {
      throw new IllegalArgumentException(name + ": " + reason);
    }
  }

  /**
   * @param ok whether the builder is ready
   * @param name the setting at fault
   * @param reason what is missing and how to set it
   * @throws IllegalStateException {@code name: reason} when not ok
   */
  public static void state(boolean ok, String name, String reason) {
    if (!ok) {
      throw new IllegalStateException(name + ": " + reason);
    }
  }
}
