package dev.ringfence.server;

import java.util.NavigableMap;
import java.util.Optional;

/**
 * Where the update server keeps the trust documents it serves: every version of the trust root (never
 * changed or deleted, so an agent holding any old root can walk to the newest) and each channel's current
 * signed timestamp. A file folder for a single server; PostgreSQL for replicas, which then serve the same
 * timestamp and never issue two under one serial.
 */
interface TrustRecords {

  /**
   * One channel's stored timestamp.
   *
   * @param serial its serial
   * @param json its signed JSON
   */
  record StoredTimestamp(long serial, byte[] json) {}

  /**
   * Stores a root version that the caller checked against the one before.
   *
   * @param version its version
   * @param json its signed JSON
   * @throws HttpError 409 when another root with this version is stored already
   */
  void addRoot(long version, byte[] json);

  /** @return every stored root version's JSON, by version */
  NavigableMap<Long, byte[]> roots();

  /**
   * @param channel a channel
   * @return its stored timestamp, empty when none was issued
   */
  Optional<StoredTimestamp> timestamp(String channel);

  /**
   * Replaces a channel's timestamp only if the stored one still has {@code expectedSerial} (0: none stored),
   * so two replicas re-signing at once store one of their documents, never both under one serial.
   *
   * @param channel the channel
   * @param expectedSerial the serial the caller read, 0 when there was none
   * @param serial the new document's serial, above {@code expectedSerial}
   * @param json the new document
   * @return whether it was stored
   */
  boolean replaceTimestamp(String channel, long expectedSerial, long serial, byte[] json);
}
