package dev.ringfence.protocol;

/**
 * The HTTP conversation between the agent and an update server, in one place: paths and header names.
 * The update server ({@code ringfence-server}) implements the server side; {@code docs/update-server.md}
 * describes it.
 *
 * <ul>
 *   <li>{@code GET {base}v1/channels/{channel}/envelope} with {@value #CURRENT_VERSION_HEADER}: 200 with the
 *       envelope this endpoint should run, or 204 with {@value #DECISION_HEADER} ({@code STAY}, {@code HOLD},
 *       {@code OFFER} when it runs the offered version already, or {@code REVERT} with
 *       {@value #REVERT_TO_HEADER} and {@value #REASON_HEADER}: the rollout was halted, go back);
 *   <li>{@code GET {base}v1/channels/{channel}/releases/{version}/payload}: the release's bytes;
 *   <li>{@code POST {base}v1/channels/{channel}/signals}: a JSON array of signals, signed (see
 *       the agent's {@code EndpointCredentials}).
 * </ul>
 */
public final class UpdateProtocol {

  private UpdateProtocol() {}

  /** Header naming the endpoint. */
  public static final String ENDPOINT_HEADER = "Ringfence-Endpoint";
  /** Header with the version the endpoint runs now, 0 when it runs none. */
  public static final String CURRENT_VERSION_HEADER = "Ringfence-Current-Version";
  /** Header with the server's decision for this endpoint: OFFER, STAY, HOLD or REVERT. */
  public static final String DECISION_HEADER = "Ringfence-Decision";
  /** Header with the version a REVERT goes back to. */
  public static final String REVERT_TO_HEADER = "Ringfence-Revert-To";
  /** Header with the decision's reason, printable ASCII. */
  public static final String REASON_HEADER = "Ringfence-Reason";
  /** Header with the signing time of a signal batch, epoch milliseconds. */
  public static final String TIMESTAMP_HEADER = "Ringfence-Timestamp";
  /** Header with a signal batch's single-use nonce, 32 lowercase hex digits. */
  public static final String NONCE_HEADER = "Ringfence-Nonce";
  /** Header with the HMAC-SHA256 of the canonical signal batch, lowercase hex. */
  public static final String SIGNATURE_HEADER = "Ringfence-Signature";
  /**
   * Header with the protocol version the sender speaks, a whole number: agents send it on every request,
   * the server on every answer. A request without it speaks version 1 (agents from before the header).
   */
  public static final String PROTOCOL_HEADER = "Ringfence-Protocol";
  /** The protocol version of this build. */
  public static final int PROTOCOL_VERSION = 1;
  /**
   * How far apart an agent's and a server's protocol versions may be and still work together: one, in
   * either direction, so that agents and servers can be upgraded one after the other; a larger skew is
   * refused with 426 naming the side to upgrade.
   */
  public static final int PROTOCOL_SKEW = 1;
}
