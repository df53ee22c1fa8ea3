package dev.omnibus.sse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import io.cloudevents.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * One event as written on every stream: {@code id} the CloudEvents id, {@code event} its type, {@code data} the event
 * in the structured-mode JSON format. Encoded once, written to every client as the same bytes.
 */
record SseFrame(CloudEvent event, String id, byte[] bytes) {

  /** The SSE event name of the notice sent before a replay that could not start where the client asked. */
  static final String RESET_EVENT = "omnibus.reset";

  static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

  // Structured mode carries no headers, so any convention writes the same JSON.
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.MEMORY);

  /**
   * Encodes an event with the envelope's JSON event format writer.
   *
   * @throws dev.omnibus.envelope.MalformedEventException when the event is not a valid CloudEvent
   */
  static SseFrame of(CloudEvent event) {
    byte[] json = Objects.requireNonNull(CODEC.encode(event, Mode.STRUCTURED).body(), "structured body");
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 64);
    // The validator refuses control characters in attributes, so id and type are one line each; checked anyway,
    // since a line break there would end the field early and corrupt the stream.
    if (isOneLine(event.getId())) {
      field(out, "id", event.getId());
    }
    if (isOneLine(event.getType())) {
      field(out, "event", event.getType());
    }
    data(out, json);
    out.write('\n');
    return new SseFrame(event, event.getId(), out.toByteArray());
  }

  /** What every stream starts with: the reconnection delay browsers use, and a comment that flushes the headers. */
  static byte[] preamble(Duration retry) {
    String text = (retry.isZero() ? "" : "retry: " + retry.toMillis() + "\n") + ": omnibus\n\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The notice that the events after {@code lastEventId} are no longer all in the replay buffer (or never were): the
   * {@code replayed} events that follow are the whole buffer, and events before them may be missing.
   */
  static byte[] reset(String lastEventId, int replayed) {
    String quoted = new String(JsonStringEncoder.getInstance().quoteAsString(lastEventId));
    String text = "event: " + RESET_EVENT + "\ndata: {\"lastEventId\":\"" + quoted + "\",\"replayed\":" + replayed
        + "}\n\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void field(ByteArrayOutputStream out, String name, String value) {
    out.writeBytes((name + ": " + value + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The JSON as {@code data} lines. The writer puts strings on one line (it escapes line breaks) but copies JSON data
   * as it came, which may hold line breaks between tokens; each becomes a new {@code data:} line, which a browser
   * joins back with a line feed, so the text still parses to the same JSON.
   */
  private static void data(ByteArrayOutputStream out, byte[] json) {
    out.writeBytes("data: ".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < json.length; i++) {
      byte b = json[i];
      if (b == '\r' || b == '\n') {
        if (b == '\r' && i + 1 < json.length && json[i + 1] == '\n') {
          i++;
        }
        out.writeBytes("\ndata: ".getBytes(StandardCharsets.UTF_8));
      } else {
        out.write(b);
      }
    }
    out.write('\n');
  }

  private static boolean isOneLine(String value) {
    return value.indexOf('\n') < 0 && value.indexOf('\r') < 0 && value.indexOf('\0') < 0;
  }
}
