package dev.ringfence.agent.internal;

import dev.ringfence.agent.AgentEvent;
import dev.ringfence.agent.ContentValidator;
import dev.ringfence.agent.EndpointCredentials;
import dev.ringfence.agent.FetchConfig;
import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.StartCounter;
import dev.ringfence.agent.TrustStore;
import dev.ringfence.protocol.SignalSink;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Everything {@link DefaultRolloutAgent} needs, already validated by the public builder, which is the only
 * place that makes one (Failsafe's builder-to-config split); tests build agents with that builder too and at most
 * swap the file operations ({@link #withFileOps}).
 *
 * @param stateDirectory where slots, pointer and state live
 * @param endpointId the endpoint's stable id
 * @param maxFailedStarts starts of a pending version without a confirmation before the agent reverts
 * @param sink where signals go
 * @param fileOps file-system operations (a fault-injecting one in tests)
 * @param channel the channel followed
 * @param trustStore the release keys (the trust root's release role when a root is followed)
 * @param clock the clock envelope expiry is judged by
 * @param validator the application's content check
 * @param validationTimeout how long an in-process validation may take
 * @param validationExecutor where in-process validations run
 * @param updateServer the update server's base URI, null when updates are applied with apply() only
 * @param fetchConfig the fetcher's timeouts, retries, breaker and cap
 * @param fetchExecutor where fetch attempts and the HTTP client's tasks run
 * @param listener receives every {@link AgentEvent}; its failures are swallowed
 * @param credentials authenticate the fetcher's requests; null when the server asks for none
 * @param maxVersionJump how far above the highest accepted version an envelope's version may be
 * @param startCounter who counts starts: this agent, or the native boot guard that runs before it
 * @param trustRoot the trust root the release keys come from, null when a fixed trust store was given
 * @param probation how long a confirmed version stays in probation (its starts counted, the version it replaced
 *     kept to go back to); zero for none
 */
public record AgentSettings(Path stateDirectory, String endpointId, int maxFailedStarts, SignalSink sink,
    FileOps fileOps, @Nullable String channel, @Nullable TrustStore trustStore, Clock clock,
    ContentValidator validator, Duration validationTimeout, Executor validationExecutor,
    @Nullable URI updateServer, FetchConfig fetchConfig, ExecutorService fetchExecutor,
    Consumer<AgentEvent> listener, @Nullable EndpointCredentials credentials, long maxVersionJump,
    StartCounter startCounter, @Nullable RootDocument trustRoot, Duration probation) {

  /**
   * The same settings over other file operations: for the fault-injection tests, which start from the public
   * builder's settings and swap the disk for one that fails or is killed at a chosen write.
   *
   * @param ops the file operations
   * @return a copy with {@code ops}
   */
  public AgentSettings withFileOps(FileOps ops) {
    return new AgentSettings(stateDirectory, endpointId, maxFailedStarts, sink, ops, channel, trustStore, clock,
        validator, validationTimeout, validationExecutor, updateServer, fetchConfig, fetchExecutor, listener,
        credentials, maxVersionJump, startCounter, trustRoot, probation);
  }

  /** Runs each task on a new daemon thread: a validator stuck past its timeout cannot keep the JVM alive. */
  public static final Executor DAEMON_THREAD_PER_TASK = task -> {
    Thread thread = new Thread(task, "ringfence-validator");
    thread.setDaemon(true);
    thread.start();
  };

  /** @return a cached pool of daemon threads, the default fetch executor */
  public static ExecutorService daemonPool() {
    return Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "ringfence-fetch");
      thread.setDaemon(true);
      return thread;
    });
  }
}
