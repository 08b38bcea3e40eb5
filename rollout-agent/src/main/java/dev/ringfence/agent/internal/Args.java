package dev.ringfence.agent.internal;

import java.time.Duration;
import java.util.Objects;

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
   * @param name the argument
   * @param value a duration
   * @return {@code value}
   * @throws NullPointerException {@code name: is null} when it is
   * @throws IllegalArgumentException {@code name: value must be a positive duration} when it is zero or negative
   */
  public static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, () -> name + ": is null");
    require(!value.isNegative() && !value.isZero(), name, value + " must be a positive duration");
    return value;
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
