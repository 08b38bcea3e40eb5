package dev.ringfence.agent;

import dev.ringfence.agent.internal.Args;
import dev.ringfence.agent.internal.ChildJvmValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

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
   * @throws NullPointerException if {@code validatorClass} is null
   */
  public static Builder builder(Class<? extends ContentValidator> validatorClass) {
    return new Builder(validatorClass);
  }

  @Override
  public void validate(Path content, long version) throws Exception {
    child.validate(content, version);
  }

  /**
   * Builds a {@link ProcessValidator}; every setter checks its argument at once: a null is a
   * {@link NullPointerException}, a value out of range an {@link IllegalArgumentException}, each naming the setting.
   */
  public static final class Builder {
    private final Class<? extends ContentValidator> validatorClass;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxHeapMegabytes = 256;
    private String classPath = System.getProperty("java.class.path", "");

    private Builder(Class<? extends ContentValidator> validatorClass) {
      this.validatorClass = Objects.requireNonNull(validatorClass, "validatorClass: is null");
    }

    /**
     * @param limit how long the child may run before it is killed and the content refused; default 10 s
     * @return this builder
     */
    public Builder timeout(Duration limit) {
      this.timeout = Args.positive("timeout", limit);
      return this;
    }

    /**
     * @param megabytes the child's maximum heap ({@code -Xmx}); 16 to 65,536, default 256
     * @return this builder
     */
    public Builder maxHeapMegabytes(int megabytes) {
      Args.require(megabytes >= 16 && megabytes <= 65_536, "maxHeapMegabytes", megabytes + " is outside 16..65536");
      this.maxHeapMegabytes = megabytes;
      return this;
    }

    /**
     * @param path the child's class path; default this process's {@code java.class.path}
     * @return this builder
     */
    public Builder classPath(String path) {
      Objects.requireNonNull(path, "classPath: is null");
      Args.require(!path.isBlank(), "classPath", "is blank");
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
