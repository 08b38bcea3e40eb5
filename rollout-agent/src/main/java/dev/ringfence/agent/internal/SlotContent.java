package dev.ringfence.agent.internal;

/**
 * A verified version held in a slot: what the state file records for the last-known-good and the
 * pending version, and what a slot's manifest says about its content.
 *
 * @param slot where it is
 * @param version its version
 * @param sha256 SHA-256 of the content file, lowercase hex
 * @param size size of the content file in bytes
 */
public record SlotContent(Slot slot, long version, String sha256, long size) {

  String encode() {
    return slot + " " + version + " " + sha256 + " " + size;
  }

  static SlotContent decode(String text) throws ChecksummedText.CorruptException {
    String[] parts = text.split(" ", -1);
    try {
      if (parts.length != 4 || !Digests.isSha256Hex(parts[2])) {
        throw new ChecksummedText.CorruptException("slot reference '" + text + "' is malformed");
      }
      long version = Long.parseLong(parts[1]);
      long size = Long.parseLong(parts[3]);
      if (version < 0 || size < 0) {
        throw new ChecksummedText.CorruptException("slot reference '" + text + "': " + (version < 0 ? "version "
            + version : "size " + size) + " is negative");
      }
      return new SlotContent(Slot.valueOf(parts[0]), version, parts[2], size);
    } catch (IllegalArgumentException e) {
      throw new ChecksummedText.CorruptException("slot reference '" + text + "' is malformed");
    }
  }
}
