package dev.ringfence.server;

import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Which {@code Host} headers a server answers. On a loopback address only the loopback names (with the
 * server's port or none), so that a web page whose name an attacker points at 127.0.0.1 (DNS rebinding)
 * cannot read {@code /status} or {@code /metrics} from a browser on the same machine: its requests carry the
 * attacker's name. On any other address every name, since the server cannot know its public names.
 */
final class HostCheck implements Predicate<@Nullable String> {

  private final boolean loopbackOnly;
  private final IntSupplier port;

  private HostCheck(boolean loopbackOnly, IntSupplier port) {
    this.loopbackOnly = loopbackOnly;
    this.port = port;
  }

  /**
   * @param loopback whether the server listens on a loopback address
   * @param port the port it listens on
   * @return the check
   */
  static HostCheck forBinding(boolean loopback, int port) {
    return new HostCheck(loopback, () -> port);
  }

  /**
   * @param loopback whether the server listens on a loopback address
   * @param port the port it listens on, known once it is bound
   * @return the check
   */
  static HostCheck forBinding(boolean loopback, IntSupplier port) {
    return new HostCheck(loopback, port);
  }

  /**
   * @param host the request's {@code Host} header; null when it has none (HTTP/1.0, not a browser)
   * @return whether the server answers it
   */
  @Override
  public boolean test(@Nullable String host) {
    if (!loopbackOnly || host == null) {
      return true;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    String name = h;
    int colon = h.lastIndexOf(':');
    if (colon > h.lastIndexOf(']')) {
      if (!h.substring(colon + 1).equals(Integer.toString(port.getAsInt()))) {
        return false;
      }
      name = h.substring(0, colon);
    }
    return name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
  }

  /** @return what the refusal says about the names that are answered */
  String describe() {
    return "this server listens on loopback and answers only Host 127.0.0.1, localhost or [::1] (port " + port.getAsInt()
        + "); a page that reaches it under another name is refused";
  }
}
