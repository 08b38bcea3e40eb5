package dev.ringfence.agent.internal;

import static dev.ringfence.agent.internal.Fixtures.activate;
import static dev.ringfence.agent.internal.Fixtures.agent;
import static dev.ringfence.agent.internal.Fixtures.content;

import dev.ringfence.protocol.SignalSink;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of {@link KillNineActivationTest}: runs activation of v7, a restart and the
 * confirmation against a state directory holding v6, with real fsyncs, and at step {@code killStep}
 * announces itself on stdout and waits to be killed with SIGKILL.
 */
public final class KillTrialChild {

  /** Size of the content of both versions. */
  static final int SIZE = 200_000;

  private KillTrialChild() {}

  /**
   * @param args the state directory and the step to stop at (0: never)
   * @throws InterruptedException never, the process is killed while waiting
   */
  public static void main(String[] args) throws InterruptedException {
    Path dir = Path.of(args[0]);
    long killStep = Long.parseLong(args[1]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    CountDownLatch never = new CountDownLatch(1);
    FaultyFileOps ops = new FaultyFileOps().listener((step, what) -> {
      if (step == killStep) {
        out.println("KILL-POINT " + step + " " + what);
        try {
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    run(dir, ops);
    out.println("DONE " + ops.steps());
  }

  /** Activation of 7 ({@link #SIZE} bytes), a restart, and the confirmation, through the given operations. */
  static void run(Path dir, FileOps ops) {
    DefaultRolloutAgent first = agent(dir, ops, SignalSink.DISCARD);
    first.onStart();
    activate(first, 7, content(7, SIZE));
    DefaultRolloutAgent second = agent(dir, ops, SignalSink.DISCARD);
    second.onStart();
    second.confirmHealthy();
  }
}
