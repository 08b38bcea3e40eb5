package dev.ringfence.agent.internal;

import dev.ringfence.agent.SignalSink;
import dev.ringfence.agent.TrustStore;
import java.nio.file.Path;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * Everything {@link DefaultRolloutAgent} needs, already validated by the public builder.
 *
 * @param stateDirectory where slots, pointer and state live
 * @param endpointId the endpoint's stable id
 * @param maxFailedStarts starts of a pending version without a confirmation before the agent reverts
 * @param sink where signals go
 * @param fileOps file-system operations (a fault-injecting one in tests)
 * @param channel the channel followed; null only in tests that never apply envelopes
 * @param trustStore the release keys; null only in tests that never apply envelopes
 * @param clock the clock envelope expiry is judged by
 */
public record AgentSettings(Path stateDirectory, String endpointId, int maxFailedStarts, SignalSink sink,
    FileOps fileOps, @Nullable String channel, @Nullable TrustStore trustStore, Clock clock) {}
