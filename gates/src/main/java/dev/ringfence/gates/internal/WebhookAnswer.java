package dev.ringfence.gates.internal;

import dev.ringfence.core.gate.Verdict;
import org.jspecify.annotations.Nullable;

/**
 * A webhook receiver's 2xx answer that decided a measurement.
 *
 * @param status the HTTP status, 200..299
 * @param attempt which attempt it answered, from 1
 * @param attempts how many attempts the measurement could make
 * @param verdict PASS, FAIL or INCONCLUSIVE, as the receiver said
 * @param reason the receiver's reason, at most {@link WebhookClient#MAX_REASON} characters, or null when it gave none
 * @param answer the answer as one line of compact JSON, at most {@link WebhookClient#MAX_ANSWER} characters
 * @param exposure the exposure counts the request carried, or null
 */
public record WebhookAnswer(int status, int attempt, int attempts, Verdict.Outcome verdict, @Nullable String reason,
    String answer, @Nullable Exposure exposure) {}
