/**
 * The PostgreSQL store: the rollout journal, admissions and audit shared by several update server replicas,
 * compiled against the PostgreSQL JDBC driver ({@code org.postgresql:postgresql}). Open it with
 * {@link dev.ringfence.postgresql.PostgresRolloutStore#create}; schema and operations in
 * {@code docs/postgresql.md}.
 */
@NullMarked
package dev.ringfence.postgresql;

import org.jspecify.annotations.NullMarked;
