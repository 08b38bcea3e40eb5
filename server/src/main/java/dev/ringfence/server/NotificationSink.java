package dev.ringfence.server;

import dev.ringfence.protocol.InvalidInputException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where the update server sends notifications: one webhook receiver, the file with the secret the requests are
 * signed with, the body's format and which event types it wants. Every field is checked as the sink is made, and a
 * bad one refused with an {@link InvalidInputException} naming it ({@code notify.url}, ...).
 *
 * <p>Secure by default: only {@code https} URLs, except to a loopback host ({@code localhost}, {@code 127.x.x.x},
 * {@code [::1]}), where {@code http} is allowed; no user info in the URL (the signature authenticates the server,
 * and the URL would otherwise carry a credential into logs). Redirects are never followed. How the events look and
 * how a receiver checks their signature: {@code docs/update-server.md}, "Notifications".
 *
 * @param name the sink's name, 1 to 64 of {@code A-Z a-z 0-9 . _ -}: keys its delivery cursor, so keep it when the
 *     URL changes and the receiver should resume where it was
 * @param url the receiver, {@code https} (or {@code http} to a loopback host)
 * @param secretFile the HMAC secret, 32 to 4096 bytes (e.g. {@code openssl rand -hex 32}), in a file only its owner
 *     may read (mode 0600), checked when the server starts
 * @param format the body's format
 * @param types the event types sent ({@link #TRANSITION}, {@link #VERDICT}); empty for all
 */
public record NotificationSink(String name, URI url, Path secretFile, Format format, Set<String> types) {

  /** The CloudEvents {@code type} of a rollout's transition. */
  public static final String TRANSITION = "dev.ringfence.rollout.transition";
  /** The CloudEvents {@code type} of a gate's verdict that changed. */
  public static final String VERDICT = "dev.ringfence.rollout.verdict";
  /** Every event type. */
  public static final Set<String> TYPES = Set.of(TRANSITION, VERDICT);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  /** A notification body's format. */
  public enum Format {
    /** CloudEvents 1.0, structured mode: the event as one JSON object ({@code application/cloudevents+json}). */
    CLOUDEVENTS,
    /** A Slack-compatible incoming-webhook body, {@code {"text": "..."}}, one line per event. */
    SLACK;

    /**
     * @param text {@code cloudevents} or {@code slack}, in any case
     * @return the format
     * @throws InvalidInputException naming {@code notify.format} for anything else
     */
    public static Format parse(String text) {
      if (text != null) {
        for (Format f : values()) {
          if (f.name().equalsIgnoreCase(text.trim())) {
            return f;
          }
        }
      }
      throw new InvalidInputException("notify.format", "'" + text + "' is not a format; known: cloudevents, slack");
    }

    /** @return the name in config files, lower case */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Checks every field.
   *
   * @param name the sink's name
   * @param url the receiver
   * @param secretFile the HMAC secret's file
   * @param format the body's format
   * @param types the event types sent; empty for all
   * @throws InvalidInputException naming the field at fault and why
   */
  public NotificationSink {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException("notify.name", "'" + name + "' must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    checkUrl(url);
    if (secretFile == null) {
      throw new InvalidInputException("notify.secretFile", "is missing: every notification is signed");
    }
    if (format == null) {
      throw new InvalidInputException("notify.format", "is null");
    }
    if (types == null) {
      throw new InvalidInputException("notify.types", "is null");
    }
    for (String type : types) {
      if (!TYPES.contains(type)) {
        throw new InvalidInputException("notify.types", "'" + type + "' is not an event type; known: " + TRANSITION
            + ", " + VERDICT);
      }
    }
    types = Set.copyOf(types);
  }

  /**
   * @param type an event type
   * @return whether this sink wants it
   */
  public boolean wants(String type) {
    return types.isEmpty() || types.contains(type);
  }

  private static void checkUrl(URI url) {
    if (url == null) {
      throw new InvalidInputException("notify.url", "is missing");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new InvalidInputException("notify.url", "'" + url + "' must be an https URL (http only to a loopback"
          + " host)");
    }
    if (url.getHost() == null || url.getRawAuthority() == null) {
      throw new InvalidInputException("notify.url", "'" + url + "' has no host");
    }
    if (url.getRawUserInfo() != null) {
      throw new InvalidInputException("notify.url", "must not carry user info (a credential in the URL); the"
          + " signature authenticates the server");
    }
    if (url.getRawFragment() != null) {
      throw new InvalidInputException("notify.url", "'" + url + "' must not have a fragment");
    }
    if (scheme.equals("http") && !isLoopback(url.getHost())) {
      throw new InvalidInputException("notify.url", "'" + url + "' is plain http to a host that is not loopback;"
          + " use https, so that events and their signatures are not readable on the way");
    }
  }

  /** Loopback by its name or literal address, without a DNS lookup. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("[::1]") || h.equals("::1") || IPV4_LOOPBACK.matcher(h).matches();
  }

  @Override
  public String toString() {
    return "NotificationSink[" + name + " -> " + url + ", " + format.configName() + (types.isEmpty() ? ""
        : ", " + types) + "]";
  }
}
