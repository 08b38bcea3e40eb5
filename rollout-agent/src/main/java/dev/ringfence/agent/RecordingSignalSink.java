package dev.ringfence.agent;

import dev.ringfence.protocol.Signal;
import java.util.List;

/** A {@link SignalSink} that keeps a bounded list of what it received. */
public interface RecordingSignalSink extends SignalSink {

  /** @return the kept signals, oldest first (a copy) */
  List<Signal> signals();

  /** @return how many signals were dropped because the sink was full */
  long dropped();
}
