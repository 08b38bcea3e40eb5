package dev.ringfence.agent.internal;

import dev.ringfence.agent.ContentValidator;
import dev.ringfence.agent.ProcessValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** Runs a {@link ContentValidator} with a timeout and turns every way it can fail into a reason. */
final class Validation {

  private Validation() {}

  /** @return null when the content is accepted, else why not */
  static @Nullable String run(ContentValidator validator, Path content, long version, Duration timeout,
      Executor executor) {
    if (validator instanceof ProcessValidator) {
      // Isolated already, with its own timeout that kills the child JVM.
      try {
        validator.validate(content, version);
        return null;
      } catch (Exception e) {
        return String.valueOf(e.getMessage());
      }
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicReference<Thread> worker = new AtomicReference<>();
    try {
      executor.execute(() -> {
        worker.set(Thread.currentThread());
        try {
          validator.validate(content, version);
          done.complete(null);
        } catch (Throwable t) { // StackOverflowError and friends are refusals, not agent failures
          done.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      // Not a verdict on the content: the agent's own executor is shut down or full. Nothing was activated.
      throw new IllegalStateException("validationExecutor: refused the validation of v" + version + " ("
          + e.getMessage() + "); it is shut down or saturated, nothing was activated; retry with a working one", e);
    }
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (TimeoutException e) {
      Thread thread = worker.get();
      if (thread != null) {
        thread.interrupt();
      }
      return "timed out after " + timeout + " (in-process; use ProcessValidator to kill a stuck validator)";
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while validating";
    }
  }
}
