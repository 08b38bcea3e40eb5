package dev.ringfence.agent;

/**
 * The server sent more bytes than the signed envelope (or the agent's hard cap) allows: an endless-data
 * attack or a wrong payload. The download was cut at the cap and discarded.
 */
public final class PayloadTooLargeException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param cap the number of bytes after which the download was cut
   */
  public PayloadTooLargeException(long version, long cap) {
    super(Reason.PAYLOAD_TOO_LARGE, version, "size: payload of v" + version + " exceeds " + cap + " bytes (the signed size or the"
        + " agent's maxPayloadBytes); the download was cut and discarded, check the server");
  }
}
