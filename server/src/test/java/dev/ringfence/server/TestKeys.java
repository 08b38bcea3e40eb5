package dev.ringfence.server;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HashMap;
import java.util.Map;

/** Ed25519 key pairs made on first use and then kept by id, for tests that sign as several parties. */
final class TestKeys {

  private final Map<String, KeyPair> pairs = new HashMap<>();

  KeyPair get(String id) {
    return pairs.computeIfAbsent(id, k -> {
      try {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK has no Ed25519", e);
      }
    });
  }
}
