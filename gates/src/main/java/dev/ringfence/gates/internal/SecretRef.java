package dev.ringfence.gates.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a webhook gate's signing secret is, as a plan names it: {@code {"env": "RINGFENCE_WEBHOOK_..."}} or
 * {@code {"file": "NAME"}}, never the secret itself. A plan is kept in clear in the journal (and its backups), so
 * an inline secret is refused when the plan is read. The secret is read at each measurement (a rotated secret is
 * used from the next one; a missing one is a failed measurement, counted like any other).
 *
 * <p>Why the limits: whoever may write plans must not be able to make the engine sign with any environment
 * variable (a database password) or any file it can read, and send the result to a URL of their choice, where a
 * weak secret could be guessed offline. So an environment variable must be named {@value #ENV_PREFIX}..., and a
 * file is a plain name in the one directory the host gave ({@code WebhookGateFactory.Builder.secretsDirectory}).
 *
 * @param env the environment variable's name, or null
 * @param file the file's name in the secrets directory, or null
 */
public record SecretRef(@Nullable String env, @Nullable String file) {

  /** What every environment variable holding a webhook secret is named after. */
  public static final String ENV_PREFIX = "RINGFENCE_WEBHOOK_";
  /** The fewest bytes a secret may have: the length of an HMAC-SHA256 output. */
  public static final int MIN_BYTES = 32;
  /** The most bytes a secret may have. */
  public static final int MAX_BYTES = 4096;

  private static final Pattern ENV_NAME = Pattern.compile(ENV_PREFIX + "[A-Z0-9_]+");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Set<String> KEYS = Set.of("env", "file");

  /**
   * Reads the reference, adding each problem under {@code field}. Never puts the value of an inline secret in a
   * problem: problems are logged and returned to whoever sent the plan.
   *
   * @param value the parameter's value
   * @param field its path, e.g. {@code gate.params.secret}
   * @param filesAllowed whether the host gave a secrets directory
   * @param problems where problems are added
   * @return the reference, or null when there were problems
   */
  static @Nullable SecretRef read(@Nullable Object value, String field, boolean filesAllowed, List<String> problems) {
    String how = "name where the secret is: {\"env\": \"" + ENV_PREFIX + "NAME\"} or {\"file\": \"NAME\"}";
    if (value == null) {
      problems.add(field + ": is missing; every request is signed; " + how);
      return null;
    }
    if (value instanceof String) {
      problems.add(field + ": an inline secret is refused (a plan is kept in clear in the journal, and in"
          + " its backups, for as long as they are kept); " + how);
      return null;
    }
    if (!(value instanceof Map)) {
      problems.add(field + ": must be an object; " + how);
      return null;
    }
    Map<?, ?> map = (Map<?, ?>) value;
    int before = problems.size();
    for (Object key : new TreeSet<>(map.keySet().stream().map(String::valueOf).toList())) {
      if (!KEYS.contains(key)) {
        problems.add(field + "." + key + ": unknown; " + how);
      }
    }
    Object env = map.get("env");
    Object file = map.get("file");
    if ((env == null) == (file == null)) {
      problems.add(field + ": give exactly one of env and file; " + how);
      return null;
    }
    if (env != null && !(env instanceof String && ENV_NAME.matcher((String) env).matches())) {
      problems.add(field + ".env: '" + env + "' must be an environment variable named " + ENV_PREFIX
          + "... (capitals, digits and _), so that a plan cannot sign with any other variable of the engine");
    }
    if (file != null) {
      if (!(file instanceof String && FILE_NAME.matcher((String) file).matches())) {
        problems.add(field + ".file: '" + file + "' must be a plain file name (letters, digits, '.', '_', '-', not"
            + " starting with '.'), read from the engine's webhook secrets directory");
      } else if (!filesAllowed) {
        problems.add(field + ".file: this engine has no webhook secrets directory"
            + " (WebhookGateFactory.Builder.secretsDirectory); use {\"env\": \"" + ENV_PREFIX + "NAME\"}");
      }
    }
    return problems.size() == before ? new SecretRef((String) env, (String) file) : null;
  }

  /**
   * Reads the secret; runs on the gate's executor at each measurement.
   *
   * @param environment the environment variables
   * @param directory the secrets directory, or null when there is none
   * @return the secret's bytes: the variable's value in UTF-8, or the file's content without one final line end
   * @throws WebhookFailedException when the secret is missing, unreadable, too short or too long; the message
   *     never holds the secret
   */
  byte[] resolve(Map<String, String> environment, @Nullable Path directory) throws WebhookFailedException {
    byte[] secret;
    String where;
    if (env != null) {
      where = "environment variable " + env;
      String value = environment.get(env);
      if (value == null) {
        throw new WebhookFailedException("secret: " + where + " is not set");
      }
      secret = value.getBytes(StandardCharsets.UTF_8);
    } else {
      if (directory == null) {
        throw new WebhookFailedException("secret: file " + file + ", but this engine has no secrets directory");
      }
      Path path = directory.resolve(file);
      where = "file " + path;
      secret = readFile(path, where);
    }
    if (secret.length < MIN_BYTES || secret.length > MAX_BYTES) {
      int length = secret.length;
      Arrays.fill(secret, (byte) 0);
      throw new WebhookFailedException("secret: " + where + " holds " + length + " bytes; a secret has "
          + MIN_BYTES + ".." + MAX_BYTES + " (e.g. openssl rand -hex 32)");
    }
    return secret;
  }

  private static byte[] readFile(Path path, String where) throws WebhookFailedException {
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new WebhookFailedException("secret: " + where + " is not a regular file"
          + (Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? " (a link or a directory)" : " (it does not exist)"));
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(MAX_BYTES + 3);
    } catch (NoSuchFileException e) {
      throw new WebhookFailedException("secret: " + where + " does not exist");
    } catch (IOException e) {
      throw new WebhookFailedException("secret: cannot read " + where + ": " + e.getClass().getSimpleName());
    }
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\n') {
      end--;
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
    }
    if (end == bytes.length) {
      return bytes;
    }
    byte[] trimmed = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    return trimmed;
  }

  @Override
  public String toString() {
    return env != null ? "{\"env\": \"" + env + "\"}" : "{\"file\": \"" + file + "\"}";
  }
}
