package dev.ringfence.agent;

import org.assertj.core.api.Condition;

/** AssertJ conditions on refusals: {@code assertThatThrownBy(...).has(refusedFor(Reason.STALE_VERSION))}. */
public final class RefusalConditions {

  private RefusalConditions() {}

  /**
   * @param reason the check that must have failed
   * @return a condition met by a {@link ContentRefusedException} with that reason
   */
  @SuppressWarnings("exports") // AssertJ is on the test module path only
  public static Condition<Throwable> refusedFor(ContentRefusedException.Reason reason) {
    return new Condition<>(t -> t instanceof ContentRefusedException e && e.reason() == reason,
        "a ContentRefusedException for " + reason);
  }
}
