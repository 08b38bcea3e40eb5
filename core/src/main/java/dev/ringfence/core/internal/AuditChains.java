package dev.ringfence.core.internal;

import java.util.List;

/** The exported face of {@link AuditChain}'s verification, for {@link dev.ringfence.core.store.AuditTrail}. */
public final class AuditChains {

  private AuditChains() {}

  /**
   * @param lines a trail's lines
   * @return null if the chain holds, else the first bad line and why
   */
  public static String verify(List<String> lines) {
    return AuditChain.verify(lines);
  }
}
