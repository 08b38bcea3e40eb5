package dev.ringfence.agent;

import dev.ringfence.agent.internal.ChildJvmValidator;
import dev.ringfence.protocol.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs a {@link ContentValidator} in a child JVM, so that a validator that throws, loops forever,
 * exhausts its memory, overflows its stack or calls {@code System.exit} cannot take the agent's process
 * down: the child is killed at the timeout, and the content is accepted only if the child reports
 * success explicitly (an {@code exit(0)} without that report is a refusal).
 *
 * <p>The validator class needs a public no-argument constructor and must be on the class path given
 * (by default this process's own).
 */
public final class ProcessValidator implements ContentValidator {

  private final ChildJvmValidator child;

  private ProcessValidator(ChildJvmValidator child) {
    this.child = child;
  }

  /**
   * @param validatorClass the validator to run in the child JVM
   * @return a builder
   */
  public static Builder builder(Class<? extends ContentValidator> validatorClass) {
    return new Builder(validatorClass);
  }

  @Override
  public void validate(Path content, long version) throws Exception {
    child.validate(content, version);
  }

  /** Builds a {@link ProcessValidator}; every setter checks its argument at once. */
  public static final class Builder {
    private final Class<? extends ContentValidator> validatorClass;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxHeapMegabytes = 256;
    private String classPath = System.getProperty("java.class.path", "");

    private Builder(Class<? extends ContentValidator> validatorClass) {
      if (validatorClass == null) {
        throw new InvalidInputException("validatorClass", "is null");
      }
      this.validatorClass = validatorClass;
    }

    /**
     * @param limit how long the child may run before it is killed and the content refused; default 10 s
     * @return this builder
     */
    public Builder timeout(Duration limit) {
      if (limit == null || limit.isNegative() || limit.isZero()) {
        throw new InvalidInputException("timeout", limit + " must be a positive duration");
      }
      this.timeout = limit;
      return this;
    }

    /**
     * @param megabytes the child's maximum heap ({@code -Xmx}); 16 to 65,536, default 256
     * @return this builder
     */
    public Builder maxHeapMegabytes(int megabytes) {
      if (megabytes < 16 || megabytes > 65_536) {
        throw new InvalidInputException("maxHeapMegabytes", megabytes + " is outside 16..65536");
      }
      this.maxHeapMegabytes = megabytes;
      return this;
    }

    /**
     * @param path the child's class path; default this process's {@code java.class.path}
     * @return this builder
     */
    public Builder classPath(String path) {
      if (path == null || path.isBlank()) {
        throw new InvalidInputException("classPath", "is null or blank");
      }
      this.classPath = path;
      return this;
    }

    /** @return the validator */
    public ProcessValidator build() {
      return new ProcessValidator(new ChildJvmValidator(validatorClass.getName(), timeout, maxHeapMegabytes,
          classPath));
    }
  }
}
