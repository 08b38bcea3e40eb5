package dev.ringfence.agent;

import static dev.ringfence.agent.AgentFixture.bytes;
import static dev.ringfence.agent.RefusalConditions.refusedFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.agent.ContentRefusedException.Reason;
import dev.ringfence.protocol.ApplyOutcome;
import dev.ringfence.protocol.ApplyResult;
import dev.ringfence.testing.RecordingSignalSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validator runs before activation; whatever it does (refuse, throw, loop, overflow its stack, exhaust
 * memory, call System.exit), the agent survives, the host keeps its content, and the version becomes
 * known-bad.
 */
class ValidatorTest {

  @TempDir Path dir;
  /** Downloads live apart from the state directory, and are cleaned up with the test. */
  @TempDir Path payloads;
  private final RecordingSignalSink sink = new RecordingSignalSink(100);
  private AgentFixture fixture;

  @BeforeEach
  void fixture() {
    fixture = AgentFixture.onDirectory(dir, payloads, "c", "k");
  }

  /** Accepts content that starts with "rules v". */
  public static final class ParsingValidator implements ContentValidator {
    @Override
    public void validate(Path content, long version) throws Exception {
      String text = Files.readString(content, StandardCharsets.UTF_8);
      if (!text.startsWith("rules v" + version)) {
        throw new IllegalArgumentException("line 1: expected 'rules v" + version + "'");
      }
    }
  }

  /** Calls System.exit(0), which must not pass for success. */
  public static final class ExitingValidator implements ContentValidator {
    @Override
    public void validate(Path content, long version) {
      System.exit(0);
    }
  }

  /** Loops forever, ignoring interrupts. */
  public static final class LoopingValidator implements ContentValidator {
    @Override
    @SuppressWarnings("InfiniteLoopStatement")
    public void validate(Path content, long version) {
      long spins = 0;
      while (spins >= 0) {
        spins = (spins + 1) & Long.MAX_VALUE;
      }
    }
  }

  /** Recurses until the stack overflows. */
  public static final class RecursingValidator implements ContentValidator {
    @Override
    public void validate(Path content, long version) {
      recurse(0);
    }

    private static long recurse(long depth) {
      return recurse(depth + 1) + 1;
    }
  }

  /** Allocates until the heap is exhausted. */
  public static final class HungryValidator implements ContentValidator {
    @Override
    public void validate(Path content, long version) {
      List<long[]> hoard = new ArrayList<>();
      while (hoard.size() >= 0) {
        hoard.add(new long[1 << 20]);
      }
    }
  }

  private RolloutAgent agent(ContentValidator validator) {
    RolloutAgent agent = fixture.builder().validator(validator).validationTimeout(Duration.ofSeconds(2))
        .signalSink(sink).build();
    agent.onStart();
    return agent;
  }

  private ActiveContent apply(RolloutAgent agent, long version, byte[] content) {
    return agent.apply(fixture.release(version, content, "k"), fixture.payload(version, content));
  }

  private void assertRefusedAndKnownBad(RolloutAgent agent, String reason)
      throws Exception {
    assertThatThrownBy(() -> apply(agent, 7, bytes(7))).has(refusedFor(Reason.VALIDATION_FAILED))
        .hasMessageContaining("validator: refused v7").hasMessageContaining(reason);
    assertThat(agent.activeContent().orElseThrow().version()).as("host keeps v6").isEqualTo(6);
    assertThat(sink.signals()).filteredOn(ApplyResult.class::isInstance).map(ApplyResult.class::cast)
        .anySatisfy(r -> assertThat(r.outcome()).isEqualTo(ApplyOutcome.VALIDATION_FAILED));
    assertThatThrownBy(() -> apply(agent, 7, bytes(7))).has(refusedFor(Reason.KNOWN_BAD));
    // The agent's process is alive and its state consistent: nothing is on trial.
    assertThat(agent.confirmHealthy()).isFalse();
  }

  private RolloutAgent onSix(ContentValidator validator) throws Exception {
    RolloutAgent agent = agent(ContentValidator.ACCEPT_ALL);
    apply(agent, 6, bytes(6));
    agent.confirmHealthy();
    return agent(validator);
  }

  @Test
  void inProcess_validContent_isActivated_badContentRefused() throws Exception {
    RolloutAgent agent = onSix(new ParsingValidator());
    assertThat(apply(agent, 7, bytes(7)).version()).isEqualTo(7);
    agent.confirmHealthy();
    assertThatThrownBy(() -> apply(agent, 8, "garbage".getBytes(StandardCharsets.UTF_8)))
        .has(refusedFor(Reason.VALIDATION_FAILED)).hasMessageContaining("line 1: expected 'rules v8'");
    assertThat(agent.activeContent().orElseThrow().version()).isEqualTo(7);
  }

  @Test
  void inProcess_stackOverflow_isContained() throws Exception {
    RolloutAgent agent = onSix(new RecursingValidator());
    assertRefusedAndKnownBad(agent, "StackOverflowError");
  }

  @Test
  void inProcess_interruptibleLoop_timesOut() throws Exception {
    RolloutAgent agent = onSix((content, version) -> {
      while (!Thread.currentThread().isInterrupted()) {
        Thread.onSpinWait();
      }
    });
    assertRefusedAndKnownBad(agent, "timed out");
  }

  private static ProcessValidator child(Class<? extends ContentValidator> type) {
    return ProcessValidator.builder(type).timeout(Duration.ofSeconds(5)).maxHeapMegabytes(32).build();
  }

  @Test
  void processValidatorBuilder_badSettings_areProgrammerErrorsNamingThem() {
    assertThatThrownBy(() -> ProcessValidator.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("validatorClass: is null");
    ProcessValidator.Builder builder = ProcessValidator.builder(ParsingValidator.class);
    assertThatThrownBy(() -> builder.timeout(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("timeout: is null");
    assertThatThrownBy(() -> builder.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT0S must be a positive duration");
    assertThatThrownBy(() -> builder.maxHeapMegabytes(15)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxHeapMegabytes: 15 is outside 16..65536");
    assertThatThrownBy(() -> builder.classPath(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("classPath: is blank");
  }

  @Test
  void processValidator_validContent_isActivated() throws Exception {
    RolloutAgent agent = onSix(child(ParsingValidator.class));
    assertThat(apply(agent, 7, bytes(7)).version()).isEqualTo(7);
  }

  @Test
  void processValidator_refusal_carriesTheValidatorsReason() throws Exception {
    RolloutAgent agent = onSix(child(ParsingValidator.class));
    assertThatThrownBy(() -> apply(agent, 7, "garbage".getBytes(StandardCharsets.UTF_8)))
        .has(refusedFor(Reason.VALIDATION_FAILED)).hasMessageContaining("line 1: expected 'rules v7'");
  }

  @Test
  void processValidator_systemExit_isContained_andNotTakenForSuccess() throws Exception {
    RolloutAgent agent = onSix(child(ExitingValidator.class));
    assertRefusedAndKnownBad(agent, "without reporting success");
  }

  @Test
  void processValidator_infiniteLoop_isKilledAtTheTimeout() throws Exception {
    RolloutAgent agent = onSix(ProcessValidator.builder(LoopingValidator.class).timeout(Duration.ofSeconds(2))
        .maxHeapMegabytes(32).build());
    assertRefusedAndKnownBad(agent, "timed out");
  }

  @Test
  void processValidator_stackOverflow_isContained() throws Exception {
    RolloutAgent agent = onSix(child(RecursingValidator.class));
    assertRefusedAndKnownBad(agent, "StackOverflowError");
  }

  @Test
  void processValidator_outOfMemory_isContained() throws Exception {
    RolloutAgent agent = onSix(child(HungryValidator.class));
    assertRefusedAndKnownBad(agent, "OutOfMemoryError");
  }
}
