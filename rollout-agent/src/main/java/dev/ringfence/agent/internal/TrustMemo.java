package dev.ringfence.agent.internal;

import dev.ringfence.agent.RootDocument;
import dev.ringfence.agent.TrustStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What was already worked out for a root document, shared by every agent in the JVM that holds an equal root:
 * its release role's {@link TrustStore} (so the store's memo of verified envelope signatures is shared too,
 * as it is when many agents are given one {@code TrustStore}) and whether it is signed by its own root keys.
 * Keyed by the document's value, least recently used first out; only successes are kept.
 */
public final class TrustMemo {

  private static final int SIZE = 16;

  private static final Map<RootDocument, TrustStore> RELEASE_KEYS = lru();
  private static final Map<RootDocument, Boolean> SELF_SIGNED = lru();

  private TrustMemo() {}

  private static <V> Map<RootDocument, V> lru() {
    return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<RootDocument, V> eldest) {
        return size() > SIZE;
      }
    });
  }

  /**
   * @param root a root
   * @param build makes the trust store when it is not known yet
   * @return the root's release keys, the same instance for equal roots
   */
  public static TrustStore releaseKeys(RootDocument root, Function<RootDocument, TrustStore> build) {
    TrustStore known = RELEASE_KEYS.get(root);
    if (known != null) {
      return known;
    }
    TrustStore made = build.apply(root);
    TrustStore raced = RELEASE_KEYS.putIfAbsent(root, made);
    return raced != null ? raced : made;
  }

  /**
   * Checks the root's own signatures once per equal root.
   *
   * @param root a root
   * @throws dev.ringfence.agent.ContentRefusedException when a threshold of its own root keys did not sign it
   */
  public static void verifySelfSigned(RootDocument root) {
    if (SELF_SIGNED.get(root) != null) {
      return;
    }
    TrustVerifier.verifySelfSigned(root);
    SELF_SIGNED.put(root, Boolean.TRUE);
  }
}
