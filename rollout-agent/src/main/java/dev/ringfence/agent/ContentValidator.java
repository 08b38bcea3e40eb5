package dev.ringfence.agent;

import java.nio.file.Path;

/**
 * The embedding application's own check of new content, run before activation with a timeout: parse
 * the content with the same parser the application will load it with (the Channel File 291 lesson: the
 * content that crashed hosts had passed the publisher's validator, not the sensor's own parser).
 *
 * <p>Return normally to accept; throw anything to refuse. A refusal, a timeout or an error leaves the
 * host on its current content and marks the version known-bad. Run it in a child JVM with
 * {@link ProcessValidator} so that a validator that loops, exhausts memory, overflows its stack or calls
 * {@code System.exit} cannot take the host process down.
 */
@FunctionalInterface
public interface ContentValidator {

  /** Default time a validation may take. */
  java.time.Duration DEFAULT_TIMEOUT = java.time.Duration.ofSeconds(10);

  /**
   * Checks the staged content.
   *
   * @param content the staged content file; read it, do not change it
   * @param version its version
   * @throws Exception to refuse, with a message saying why
   */
  void validate(Path content, long version) throws Exception;

  /** A validator that accepts everything (the signature and digest checks still apply). */
  ContentValidator ACCEPT_ALL = (content, version) -> { };
}
