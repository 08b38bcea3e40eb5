package dev.ringfence.gates.internal;

/** Prometheus did not answer the query with one number: what it said instead, for the verdict. */
public final class QueryFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, with what Prometheus said
   */
  public QueryFailedException(String message) {
    super(message);
  }
}
