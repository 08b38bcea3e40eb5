package dev.ringfence.core.store;

import java.util.Optional;

/**
 * What checking an audit trail against the head its store recorded found.
 *
 * @param lines the lines the trail holds
 * @param recorded the head the store recorded, empty if it recorded none (a journal written before heads were
 *     recorded): then a cut-off tail cannot be seen
 * @param broken empty if the trail is intact; otherwise the first problem and why, e.g. {@code trail ends at line
 *     12 but the journal recorded 15 lines ending in hash ab12...: the last 3 lines were cut off}
 * @param note a caveat that does not make the trail broken (no head recorded; a line a crash left in between)
 */
public record AuditVerification(long lines, Optional<AuditHead> recorded, Optional<String> broken,
    Optional<String> note) {

  /** @return whether the trail is intact (a note may still say something about it) */
  public boolean intact() {
    return broken.isEmpty();
  }
}
