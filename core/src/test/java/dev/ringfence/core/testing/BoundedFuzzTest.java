package dev.ringfence.core.testing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * A Jazzer {@link FuzzTest} whose every input must be judged within 10 seconds, the limit of an in-process fuzz test
 * (docs/fuzzing.md): a slower input is a finding, and under {@code -Pfuzz} the limit is libFuzzer's per-input hang
 * limit. Jazzer and JUnit find both annotations through this one.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@FuzzTest
@Timeout(value = 10, unit = TimeUnit.SECONDS)
public @interface BoundedFuzzTest {}
