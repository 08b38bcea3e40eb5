package dev.ringfence.server;

import java.util.List;
import java.util.Optional;

/**
 * What replicas of the update server share besides the rollouts' journal: published releases (envelope
 * and payload) and endpoint enrollments (the API tokens and the stop-all switch are {@link TokenRecords} and
 * {@link StopAllRecords}). Every row carries a sequence number that grows with each insert, so that a replica
 * catches up by asking for the rows after the last one it has seen. Rows are only ever inserted: a release or an
 * enrollment is never changed or deleted.
 */
interface SharedRecords {

  /**
   * One published release.
   *
   * @param seq its sequence number
   * @param channel its channel
   * @param envelopeJson its signed envelope, as published
   * @param general whether it is the channel's general version
   */
  record ReleaseRow(long seq, String channel, byte[] envelopeJson, boolean general) {}

  /**
   * One enrollment.
   *
   * @param seq its sequence number
   * @param endpointId the endpoint
   * @param json the enrollment as the registry writes it
   */
  record EnrollmentRow(long seq, String endpointId, byte[] json) {}

  /**
   * Stores a release that the caller has checked, unless another replica got there first.
   *
   * @throws HttpError 409 when the version is not above the channel's newest, or {@code general} is asked
   *     for and the channel has a general version already
   */
  void publish(String channel, long version, String sha256, byte[] envelopeJson, byte[] payload, boolean general);

  /** @return releases inserted after {@code seq}, in order */
  List<ReleaseRow> releasesAfter(long seq);

  /** @return the payload with this digest */
  Optional<byte[]> payload(String sha256);

  /**
   * Stores an enrollment.
   *
   * @throws HttpError 409 when the endpoint is enrolled already, through any replica
   */
  void enroll(String endpointId, byte[] json);

  /** @return enrollments inserted after {@code seq}, in order */
  List<EnrollmentRow> enrollmentsAfter(long seq);

  /** @return one endpoint's enrollment */
  Optional<EnrollmentRow> enrollment(String endpointId);

}
