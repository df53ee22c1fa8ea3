package dev.omnibus.envelope;

import io.cloudevents.CloudEventData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Event data that remembers how the JSON event format carried it, so that re-encoding in structured mode writes it the
 * same way (json-format.md §3.1): {@link Json} came as a JSON value in {@code data} (or from the caller's own JSON
 * serializer, {@link EnvelopeCodec#producedJson}), {@link Text} as a JSON string in
 * {@code data} under a non-JSON content type. Bytes from {@code data_base64} or from a binary-mode body are plain
 * {@link io.cloudevents.core.data.BytesCloudEventData}.
 */
abstract sealed class EventData implements CloudEventData permits EventData.Json, EventData.Text {

  private final byte[] bytes;

  private EventData(byte[] bytes) {
    this.bytes = bytes;
  }

  @Override
  public final byte[] toBytes() {
    return bytes;
  }

  @Override
  public final boolean equals(Object other) {
    return other != null && other.getClass() == getClass() && Arrays.equals(bytes, ((EventData) other).bytes);
  }

  @Override
  public final int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + new String(bytes, StandardCharsets.UTF_8) + "]";
  }

  /** A JSON value, as its exact UTF-8 text. */
  static final class Json extends EventData {
    Json(byte[] json) {
      super(json);
    }
  }

  /** Text of a non-JSON media type, as UTF-8 bytes. */
  static final class Text extends EventData {
    Text(String text) {
      super(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
