package dev.ringfence.agent;

import dev.ringfence.protocol.SignalSink;

/**
 * A {@link SignalSink} that buffers signals while the server is unreachable: {@link #send} only queues
 * (never blocks on the network), {@link #flush()} delivers in order. The buffer is bounded; when full,
 * the oldest signal is dropped and counted, so the newest state of the endpoint always gets through.
 */
public interface BufferedSignalSink extends SignalSink {

  /**
   * Delivers buffered signals, oldest first, until the buffer is empty or a delivery fails (then the
   * undelivered ones stay buffered for the next flush). Call it on your schedule, e.g. after each
   * {@link RolloutAgent#checkForUpdate()}.
   *
   * @return how many signals were delivered
   */
  int flush();

  /** @return how many signals wait for delivery */
  int buffered();

  /** @return how many signals were dropped, oldest first, because the buffer was full */
  long dropped();
}
