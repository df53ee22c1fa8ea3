package dev.omnibus;

/** An event was not confirmed by the broker: it may not have been stored. Names the channel and the server. */
public final class PublishException extends EventBusException {

  private final String channel;

  private PublishException(String channel, String message, Throwable cause) {
    super(message, cause);
    this.channel = channel;
  }

  private PublishException(String channel, String message) {
    super(message);
    this.channel = channel;
  }

  /** The broker refused or failed to confirm a message. */
  public static PublishException of(String channel, String server, String reason) {
    return new PublishException(channel, "Publish to channel '" + channel + "' on server '" + server
        + "' failed: " + reason + ". The event may not have been stored; publish it again.");
  }

  /** As {@link #of(String, String, String)}, with the client's exception as the cause. */
  public static PublishException of(String channel, String server, String reason, Throwable cause) {
    return new PublishException(channel, "Publish to channel '" + channel + "' on server '" + server
        + "' failed: " + reason + ". The event may not have been stored; publish it again.", cause);
  }

  /** The channel (address) published to. */
  public String channel() {
    return channel;
  }
}
