package dev.ringfence.agent.internal;

import dev.ringfence.agent.ContentValidator;
import dev.ringfence.agent.SignalSink;
import dev.ringfence.agent.TrustStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
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
 * @param validator the application's content check
 * @param validationTimeout how long an in-process validation may take
 * @param validationExecutor where in-process validations run
 */
public record AgentSettings(Path stateDirectory, String endpointId, int maxFailedStarts, SignalSink sink,
    FileOps fileOps, @Nullable String channel, @Nullable TrustStore trustStore, Clock clock,
    ContentValidator validator, Duration validationTimeout, Executor validationExecutor) {

  /** Runs each task on a new daemon thread: a validator stuck past its timeout cannot keep the JVM alive. */
  public static final Executor DAEMON_THREAD_PER_TASK = task -> {
    Thread thread = new Thread(task, "ringfence-validator");
    thread.setDaemon(true);
    thread.start();
  };
}
