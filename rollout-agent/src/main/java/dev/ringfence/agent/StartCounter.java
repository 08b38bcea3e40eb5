package dev.ringfence.agent;

/**
 * Which component counts a start of a version on trial. Exactly one may: if both did, a host would revert after
 * two failed starts instead of three. Set with {@link RolloutAgent.Builder#startCounter(StartCounter)}.
 */
public enum StartCounter {
  /** {@link RolloutAgent#onStart()} counts every start (the default): nothing runs before the JVM. */
  AGENT,
  /**
   * The native boot guard ({@code ringfence-bootguard start DIR}, docs/bootguard.md) runs before the consumer
   * at every boot, counts the start, reverts at the limit and consumes the clean-shutdown marker;
   * {@link RolloutAgent#onStart()} only reads the result (it still reverts a pending version whose slot is
   * damaged). If the guard did not run before a start (the state's boot id is the one the agent saw last
   * time, recorded in {@code agent-start}), the agent counts that start itself and says so in the reason.
   */
  BOOT_GUARD
}
