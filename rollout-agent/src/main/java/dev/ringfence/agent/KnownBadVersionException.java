package dev.ringfence.agent;

/**
 * The offered version is on this endpoint's known-bad list: it failed here before (crash loop or
 * validation failure) and is never activated again. Publish a fix as a new, higher version.
 */
public final class KnownBadVersionException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /** @param version the refused version */
  public KnownBadVersionException(long version) {
    super(Reason.KNOWN_BAD, version, "version: " + version + " is known-bad on this endpoint (it failed here before) and is never"
        + " activated again; publish the fix as a new, higher version");
  }
}
