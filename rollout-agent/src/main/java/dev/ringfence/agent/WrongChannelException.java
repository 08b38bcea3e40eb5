package dev.ringfence.agent;

/**
 * The envelope is for another channel than the one this agent follows: a mix-and-match attack or a misrouted release. Publish to the right channel.
 */
public final class WrongChannelException extends ContentRefusedException {
  private static final long serialVersionUID = 1L;

  /**
   * @param version the refused version
   * @param channel see the message
   * @param expected see the message
   */
  public WrongChannelException(long version, String channel, String expected) {
    super(Reason.WRONG_CHANNEL, version, "channel: '" + channel + "' of v" + version + " is not this agent's channel '" + expected + "'; publish the release to the right channel");
  }
}
