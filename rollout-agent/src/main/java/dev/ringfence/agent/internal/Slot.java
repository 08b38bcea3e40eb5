package dev.ringfence.agent.internal;

/** One of the two content slots under the state directory. */
public enum Slot {
  /** Directory {@code slots/A}. */
  A,
  /** Directory {@code slots/B}. */
  B;

  /** @return the other slot */
  public Slot other() {
    return this == A ? B : A;
  }
}
