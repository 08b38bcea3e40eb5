package dev.ringfence.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What Jetty answers before any route, in the server's own refusal shape. */
class RouterRefusalsTest {

  @Test
  void aMalformedRequest_isTheRequestsFault_namingThePart() {
    HttpError path = Router.beforeRoute(400, "Illegal character CNTL=0x0");
    assertThat(path.status()).isEqualTo(400);
    assertThat(path.field()).isEqualTo("path");
    assertThat(path.getMessage()).startsWith("path: the request was refused before it reached a route (Illegal"
        + " character CNTL=0x0)");
    assertThat(Router.beforeRoute(431, null).field()).isEqualTo("headers");
  }

  @Test
  void anErrorAHandlerThrew_isTheServersFault_andItsTextStaysInTheLog() {
    // As when a jar of another build is on the class path: the handler throws NoSuchMethodError.
    HttpError internal = Router.beforeRoute(500, "java.lang.NoSuchMethodError: 'java.lang.String x.y()'");
    assertThat(internal.status()).isEqualTo(500);
    assertThat(internal.code()).isEqualTo("internal");
    assertThat(internal.field()).isNull();
    assertThat(internal.getMessage()).isEqualTo("internal error; see the server log")
        .doesNotContain("NoSuchMethodError").doesNotContain("refused before it reached a route");
  }
}
