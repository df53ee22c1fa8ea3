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
  public byte[] toBytes() {
    return bytes;
  }

  /** The bytes, unchecked. */
  final byte[] bytes() {
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

  /**
   * A JSON value, as its exact UTF-8 text. Data that structured mode delimited by its structure alone ({@link
   * #delimited}) is checked to be JSON when its bytes are first asked for: {@link #toBytes} throws {@link
   * MalformedEventException} when they are not, so that nothing reads, forwards or re-encodes them as JSON unchecked.
   * A JSON parser that reads the bytes whole, and so checks them itself, takes them unchecked ({@link
   * EnvelopeCodec#dataToParse}).
   */
  static final class Json extends EventData {
    private volatile boolean checked;

    Json(byte[] json) {
      this(json, true);
    }

    private Json(byte[] json, boolean checked) {
      super(json);
      this.checked = checked;
    }

    /** Data delimited by its structure alone ({@link QuickJsonCheck#endOfStructure}), its JSON not yet checked. */
    static Json delimited(byte[] json) {
      return new Json(json, false);
    }

    /** Whether the bytes are known to be JSON. */
    boolean checked() {
      return checked;
    }

    /**
     * The bytes, once they are known to be JSON.
     *
     * @throws MalformedEventException when delimited data is not JSON (each call, for as long as it is asked)
     */
    @Override
    public byte[] toBytes() {
      if (!checked) {
        String reason = JsonEventFormat.notJsonText(bytes());
        if (reason != null) {
          throw MalformedEventException.of("data is not JSON: " + reason);
        }
        checked = true;
      }
      return bytes();
    }
  }

  /** Text of a non-JSON media type, as UTF-8 bytes. */
  static final class Text extends EventData {
    Text(String text) {
      super(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
