package dev.ringfence.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.ringfence.testing.ManualExecutor;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP gate factories' builders: a programmer's mistake is an exception by its role, naming the setting (a null
 * a {@link NullPointerException}, a missing executor an {@link IllegalStateException}), not a refusal of input.
 */
class HttpGateFactoryBuilderTest {

  static Stream<Arguments> builders() {
    Supplier<HttpGateFactoryBuilder<?>> prometheus = PrometheusGateFactory::custom;
    Supplier<HttpGateFactoryBuilder<?>> webhook = WebhookGateFactory::custom;
    return Stream.of(arguments("prometheus", prometheus, "Prometheus", "queries"),
        arguments("webhook", webhook, "receivers", "requests"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void build_withoutAnExecutor_isAnIllegalStateNamingIt(String type, Supplier<HttpGateFactoryBuilder<?>> builder,
      String peer, String work) {
    assertThatThrownBy(() -> builder.get().build()).isInstanceOf(IllegalStateException.class)
        .hasMessage("executor: is required: " + work + " never run on the thread that ticks");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void nullExecutorOrClient_isANullPointerExceptionNamingIt(String type, Supplier<HttpGateFactoryBuilder<?>> builder,
      String peer, String work) {
    assertThatThrownBy(() -> builder.get().executor(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("executor: is null; give an executor whose threads may wait on " + peer);
    assertThatThrownBy(() -> builder.get().httpClient(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("httpClient: is null");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void anExecutor_isAllABuilderNeeds(String type, Supplier<HttpGateFactoryBuilder<?>> builder, String peer,
      String work) {
    assertThat(builder.get().executor(new ManualExecutor()).build()).isNotNull();
  }

  @Test
  void webhook_nullSecretsDirectoryOrEnvironment_isANullPointerExceptionNamingIt() {
    assertThatThrownBy(() -> WebhookGateFactory.custom().secretsDirectory(null))
        .isInstanceOf(NullPointerException.class).hasMessage("secretsDirectory: is null");
    assertThatThrownBy(() -> WebhookGateFactory.custom().environment(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("environment: is null");
  }
}
