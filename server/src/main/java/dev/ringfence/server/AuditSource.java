package dev.ringfence.server;

import dev.ringfence.core.store.AuditTrail;
import dev.ringfence.core.store.AuditVerification;
import dev.ringfence.postgresql.PostgresRolloutStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Where the server's hash-chained audit trail lives, read the same way for either store: its lines and what
 * checking them against the head the store recorded found.
 */
interface AuditSource {

  /** The trail and its check. */
  record Export(List<String> lines, AuditVerification verification) {}

  /** @return the whole trail, checked */
  Export export();

  /**
   * The file journal's trail, checked against the heads the journal beside it recorded.
   *
   * @param auditFile the trail ({@code audit.jsonl} in the journal's folder)
   */
  static AuditSource file(Path auditFile) {
    Path journal = auditFile.toAbsolutePath().getParent();
    return () -> new Export(AuditTrail.lines(auditFile), AuditTrail.verifyJournal(journal));
  }

  /**
   * The PostgreSQL store's trail, checked against its head row and the journal's rows.
   *
   * @param dataSource the database the store uses
   */
  static AuditSource postgres(DataSource dataSource) {
    return () -> {
      List<String> lines = new ArrayList<>();
      PostgresRolloutStore.exportAudit(dataSource, lines::add);
      return new Export(lines, PostgresRolloutStore.verifyAudit(dataSource));
    };
  }
}
