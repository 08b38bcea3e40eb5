package dev.ringfence.core.internal;

import dev.ringfence.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The framing of the file journal's snapshots and journals: a sequence of records {@code [int length][int
 * crc32c][payload]}, big-endian, the length being the payload's (1 to {@link #MAX_RECORD} bytes) and the checksum
 * its CRC-32C. Writing one ({@link #frame}), reading a file back record by record ({@link #read}), and cutting off
 * a torn tail ({@link #truncateTornTail}); what a payload means is the store's business. Format and recovery
 * rules: {@code docs/journal.md}.
 */
final class RecordFile {

  /** Bytes before each payload: its length and its checksum. */
  static final int HEADER = 8;
  /** Largest payload accepted; a longer length field is a torn or corrupt header. */
  static final int MAX_RECORD = 16 << 20;

  private RecordFile() {}

  /** Receives each whole record of a file, in order. */
  @FunctionalInterface
  interface RecordReader {

    /**
     * Takes one record's payload.
     *
     * @param offset where the record starts in the file
     * @param payload the record's payload, its checksum verified
     */
    void record(int offset, byte[] payload);
  }

  /**
   * A record of {@code payload}, ready to write.
   *
   * @param payload the record's payload
   * @return the header and the payload, flipped for reading
   */
  static ByteBuffer frame(byte[] payload) {
    if (payload.length == 0 || payload.length > MAX_RECORD) {
      // Refused before a byte is written: a record the reader takes for corruption would stop the next start-up.
      throw new dev.ringfence.core.StoreException("a journal record of " + payload.length + " bytes is outside 1.."
          + MAX_RECORD + "; nothing was written");
    }
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + payload.length);
    buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    return buffer;
  }

  /**
   * Reads every record of a file and hands each payload to {@code reader}. A snapshot must be whole; a journal may
   * end in a torn record (a header or payload cut short, zero-filled space, or a last record whose checksum fails
   * with nothing but zeros after it), which is reported for truncation. A bad record with more data after it is
   * corruption: it stops start-up.
   *
   * @param file the file
   * @param mustBeWhole whether a torn tail is corruption (a snapshot) rather than an unacknowledged write
   * @param reader receives each whole record
   * @return where the torn tail starts, or -1 if the file ends with a whole record
   * @throws IOException if the file cannot be read
   * @throws StoreException if the file is corrupt
   */
  static long read(Path file, boolean mustBeWhole, RecordReader reader) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int offset = 0;
    while (offset < bytes.length) {
      // Only the last write can be torn: its header announces a length the file does not reach, or
      // its checksum fails with nothing but zeros after it. Anything else is corruption.
      boolean torn = false;
      String corrupt = null;
      int end = -1;
      if (bytes.length - offset < HEADER) {
        torn = true;
      } else {
        int length = buffer.getInt(offset);
        int crc = buffer.getInt(offset + 4);
        if (length == 0 && allZero(bytes, offset)) {
          torn = true;
        } else if (length <= 0 || length > MAX_RECORD) {
          corrupt = "an impossible record length " + length;
        } else if ((long) offset + HEADER + length > bytes.length) {
          torn = true;
        } else {
          end = offset + HEADER + length;
          CRC32C checksum = new CRC32C();
          checksum.update(bytes, offset + HEADER, length);
          if ((int) checksum.getValue() != crc) {
            if (allZero(bytes, end)) {
              torn = true;
            } else {
              corrupt = "a checksum mismatch with more records after it";
            }
          }
        }
      }
      if (torn && mustBeWhole) {
        corrupt = "a record cut short";
      }
      if (corrupt != null) {
        throw new StoreException("journal file " + file + " is corrupt at offset " + offset + ": " + corrupt
            + "; start-up stops rather than skip it — restore the directory from a backup");
      }
      if (torn) {
        return offset;
      }
      byte[] payload = new byte[end - offset - HEADER];
      System.arraycopy(bytes, offset + HEADER, payload, 0, payload.length);
      reader.record(offset, payload);
      offset = end;
    }
    return -1;
  }

  /**
   * Cuts a journal's torn tail off and forces the file: the write it held was never acknowledged.
   *
   * @param file the journal
   * @param tornAt where the torn tail starts, as {@link #read} returned it
   * @return what recovery reports: which file, where, and how many bytes
   * @throws IOException if the file cannot be truncated or forced
   */
  static String truncateTornTail(Path file, long tornAt) throws IOException {
    long size = Files.size(file);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(tornAt);
      channel.force(true);
    }
    return "journal " + file + ": torn tail of " + (size - tornAt) + " bytes at offset " + tornAt
        + " truncated (a write that was never acknowledged)";
  }

  private static boolean allZero(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
