package dev.ringfence.agent;

/**
 * The result of {@link RolloutAgent#checkForUpdate()}.
 *
 * @param outcome what happened
 * @param version the version concerned (offered, activated or refused), -1 when none
 * @param reason details in plain words
 */
public record UpdateCheck(UpdateOutcome outcome, long version, String reason) {}
