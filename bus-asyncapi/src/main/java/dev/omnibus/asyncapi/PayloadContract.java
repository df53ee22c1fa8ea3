package dev.omnibus.asyncapi;

import dev.omnibus.ValidationException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The payload schemas of a document, compiled once when the bus is built, checked on publish and on receive.
 * Thread-safe.
 */
public interface PayloadContract {

  /**
   * Checks a payload before anything is sent.
   *
   * @throws ValidationException listing every violation, when the payload is invalid and validation is enforced
   */
  void checkPublish(String channelId, String eventType, byte @Nullable [] payload, @Nullable String contentType);

  /** The violations of a received payload; empty when it is valid, not checked, or validation only warns. */
  List<ValidationException.Violation> checkReceive(String channelId, String eventType, byte @Nullable [] payload,
      @Nullable String contentType);

  /** No checks. */
  static PayloadContract none() {
    return None.INSTANCE;
  }

  /** The contract that checks nothing. */
  enum None implements PayloadContract {
    INSTANCE;

    @Override
    public void checkPublish(String channelId, String eventType, byte @Nullable [] payload,
        @Nullable String contentType) {}

    @Override
    public List<ValidationException.Violation> checkReceive(String channelId, String eventType,
        byte @Nullable [] payload, @Nullable String contentType) {
      return List.of();
    }
  }
}
