package dev.ringfence.server;

import java.util.Locale;

/**
 * What an API token may do on the admin API, each role including the ones before it: a {@link #VIEWER} reads,
 * an {@link #OPERATOR} also steers running rollouts (pause, resume, halt, abort, stop-all), an {@link #ADMIN} also
 * changes what is rolled out and who may call (create and start rollouts, publish releases and roots, enroll
 * endpoints, manage tokens, lift a stop-all). Every admin route names the role it needs when it is registered.
 */
enum Role {
  /** Reads: rollouts, journals, the audit trail, endpoints, channels, releases, roots, the stop-all switch. */
  VIEWER,
  /** A viewer who may also pause, resume, halt and abort rollouts and stop them all. */
  OPERATOR,
  /** An operator who may also create and start rollouts, publish, enroll, manage tokens and lift a stop-all. */
  ADMIN;

  /**
   * @param needed the role a route needs
   * @return whether a token of this role may call it
   */
  boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** @return the role as the API writes it: {@code viewer}, {@code operator} or {@code admin} */
  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param text a role as the API writes it
   * @return the role
   * @throws dev.ringfence.protocol.InvalidInputException naming {@code role} for anything else
   */
  static Role parse(String text) {
    for (Role role : values()) {
      if (role.wireName().equals(text)) {
        return role;
      }
    }
    throw new dev.ringfence.protocol.InvalidInputException("role", "'" + LogText.of(text)
        + "' is not one of viewer, operator, admin");
  }
}
