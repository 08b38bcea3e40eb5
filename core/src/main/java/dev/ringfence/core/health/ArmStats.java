package dev.ringfence.core.health;

import java.util.Locale;

/**
 * What is known about the endpoints of one arm (candidate or control), each endpoint counted once by
 * its worst outcome.
 *
 * @param healthy endpoints that reported the version running well
 * @param crashed endpoints that reported a crash or failed starts
 * @param failedApply endpoints whose validator refused the content
 * @param silent endpoints offered the candidate that did not report within their deadline
 * @param revertedByAgent endpoints whose agent gave up on the version by itself
 */
public record ArmStats(long healthy, long crashed, long failedApply, long silent, long revertedByAgent) {

  /** No reports. */
  public static final ArmStats EMPTY = new ArmStats(0, 0, 0, 0, 0);

  /** @return endpoints that failed, in any way */
  public long failures() {
    return crashed + failedApply + silent + revertedByAgent;
  }

  /** @return endpoints with an outcome: healthy or failed */
  public long reported() {
    return healthy + failures();
  }

  /** @return failures over reported, 0 when nothing was reported */
  public double failureRate() {
    long reported = reported();
    return reported == 0 ? 0 : failures() / (double) reported;
  }

  /** @return e.g. {@code 3.1% (62/2000)} */
  public String describeRate() {
    return String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100 * failureRate(), failures(), reported());
  }

  /** @return e.g. {@code 10 crashed, 7 silent} listing only the non-zero kinds of failure */
  public String describeFailures() {
    StringBuilder out = new StringBuilder();
    append(out, crashed, "crashed");
    append(out, silent, "silent");
    append(out, failedApply, "failed validation");
    append(out, revertedByAgent, "reverted by agent");
    return out.length() == 0 ? "no failures" : out.toString();
  }

  private static void append(StringBuilder out, long count, String what) {
    if (count > 0) {
      out.append(out.length() == 0 ? "" : ", ").append(count).append(' ').append(what);
    }
  }
}
