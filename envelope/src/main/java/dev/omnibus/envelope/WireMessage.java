package dev.omnibus.envelope;

import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A protocol-neutral message: string headers, an optional content type, an optional body and an optional key.
 *
 * <p>Each binding maps it onto its protocol: the content type becomes Kafka's {@code content-type} header, the AMQP
 * {@code content_type} basic property or the MQTT 5 Content Type property; the key becomes Kafka's record key and is
 * ignored where the protocol has none. Header names are already prefixed by the {@link HeaderConvention} in use.
 *
 * <p>Immutable and thread-safe, except that the body array is shared, not copied, for speed: do not modify it.
 *
 * @param headers the headers, in no particular order; kept as they are when they are {@link WireHeaders}, else copied
 * @param contentType the media type of the body, or {@code null} when none was given
 * @param body the payload, or {@code null} for a message without one (a Kafka record with a null value)
 * @param key the partitioning key, or {@code null}
 */
public record WireMessage(
    Map<String, String> headers, @Nullable String contentType, byte @Nullable [] body, @Nullable String key) {

  public WireMessage {
    // WireHeaders are immutable already: a binding's received headers are kept as built, not copied again.
    headers = headers instanceof WireHeaders ? headers : Map.copyOf(headers);
  }

  /** The body's length in bytes, 0 when there is none. */
  public int bodyLength() {
    return body == null ? 0 : body.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WireMessage that
        && headers.equals(that.headers)
        && java.util.Objects.equals(contentType, that.contentType)
        && Arrays.equals(body, that.body)
        && java.util.Objects.equals(key, that.key);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(headers, contentType, Arrays.hashCode(body), key);
  }

  @Override
  public String toString() {
    return "WireMessage[headers=" + headers + ", contentType=" + contentType + ", body=" + bodyLength()
        + " bytes, key=" + key + "]";
  }
}
