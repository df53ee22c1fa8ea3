package dev.omnibus.spi.support;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The text of a client library's failure, for the reason in a {@code PublishException} or a
 * {@code ConfigurationException}: client exceptions wrap the telling one ({@code Connection refused},
 * {@code NOT_FOUND - no exchange 'x'}) in generic ones ({@code IOException}, {@code MqttException: Unable to connect}).
 *
 * <p>Stateless and thread-safe.
 */
public final class Causes {

  private Causes() {}

  /** The innermost cause of a failure (the failure itself when it has none); safe on a cause cycle. */
  public static Throwable root(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    Throwable root = failure;
    while (root.getCause() != null && seen.put(root, Boolean.TRUE) == null) {
      root = root.getCause();
    }
    return root;
  }

  /**
   * What went wrong, in words: the message of the innermost cause that has one (the root cause's, when it has one),
   * else the simple class name of the root cause ({@code SocketTimeoutException}). Never empty.
   */
  public static String message(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    String text = null;
    Throwable current = failure;
    Throwable root = failure;
    while (current != null && seen.put(current, Boolean.TRUE) == null) {
      String message = current.getMessage();
      if (message != null && !message.isBlank()) {
        text = message;
      }
      root = current;
      current = current.getCause();
    }
    return text != null ? text : root.getClass().getSimpleName();
  }
}
