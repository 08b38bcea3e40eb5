package dev.ringfence.agent.internal;

import dev.ringfence.agent.SignalSink;
import java.nio.file.Path;

/**
 * Everything {@link DefaultRolloutAgent} needs, already validated by the public builder.
 *
 * @param stateDirectory where slots, pointer and state live
 * @param endpointId the endpoint's stable id
 * @param maxFailedStarts starts of a pending version without a confirmation before the agent reverts
 * @param sink where signals go
 * @param fileOps file-system operations (a fault-injecting one in tests)
 */
public record AgentSettings(Path stateDirectory, String endpointId, int maxFailedStarts, SignalSink sink,
    FileOps fileOps) {}
