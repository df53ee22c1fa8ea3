package dev.omnibus.rabbitmq.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireHeaders;
import dev.omnibus.envelope.WireMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps {@link WireMessage}s to AMQP 0-9-1 basic properties and back.
 *
 * <p>Writing: headers as they come (already {@code cloudEvents_}-prefixed by the envelope), as long strings;
 * {@code content_type} = the content type; {@code message_id} = the event id; delivery mode persistent unless the
 * operation binding says 1; {@code priority}, {@code expiration}, {@code user_id}, {@code timestamp} and
 * {@code CC}/{@code BCC} from the operation binding. Reading: every scalar header as its canonical string; tables and
 * arrays (e.g. {@code x-death}) are not CloudEvents attributes and are left out.
 *
 * <p>Stateless and thread-safe.
 */
final class MessageMapper {

  private static final JsonFactory JSON = new JsonFactory();
  /** How the envelope begins a structured body: its first two members, then the id's text. */
  private static final byte[] ENVELOPE_HEAD = "{\"specversion\":\"1.0\",\"id\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final String ID_HEADER = HeaderConvention.AMQP.headerName("id");
  /** Where the bus writes a request's reply address and correlation id in binary mode. */
  private static final String REPLY_TO_HEADER = HeaderConvention.AMQP.headerName("replyto");
  private static final String CORRELATION_HEADER = HeaderConvention.AMQP.headerName("correlationid");

  private MessageMapper() {}

  /** The basic properties for a message sent with the given operation binding (or none). */
  static AMQP.BasicProperties properties(WireMessage message, @Nullable AmqpOperationBinding binding) {
    // The message's own immutable map, handed over as it is: BasicProperties copies it into a map of its own, so a
    // read-only view only added an iterator and an entry wrapper per header to every publish. Copied here only when
    // CC or BCC headers join it.
    Map<String, Object> headers = asTable(message.headers());
    AMQP.BasicProperties.Builder builder = new AMQP.BasicProperties.Builder()
        .contentType(message.contentType())
        .messageId(eventId(message))
        .deliveryMode(2);
    // A request's reply address and correlation id also in AMQP's own properties, for clients that know only those.
    Object replyTo = headers.get(REPLY_TO_HEADER);
    if (replyTo != null) {
      builder.replyTo(replyTo.toString());
    }
    Object correlationId = headers.get(CORRELATION_HEADER);
    if (correlationId != null) {
      builder.correlationId(correlationId.toString());
    }
    if (binding != null) {
      if (binding.deliveryMode() != null) {
        builder.deliveryMode(binding.deliveryMode());
      }
      if (binding.priority() != null) {
        builder.priority(binding.priority());
      }
      if (binding.expiration() != null) {
        builder.expiration(Long.toString(binding.expiration()));
      }
      if (binding.userId() != null) {
        builder.userId(binding.userId());
      }
      if (Boolean.TRUE.equals(binding.timestamp())) {
        builder.timestamp(new Date());
      }
      // RabbitMQ's sender-selected distribution: extra routing keys in the CC and BCC headers (BCC is stripped).
      if (!binding.cc().isEmpty() || !binding.bcc().isEmpty()) {
        Map<String, Object> routed = new HashMap<>(headers);
        if (!binding.cc().isEmpty()) {
          routed.put("CC", List.copyOf(binding.cc()));
        }
        if (!binding.bcc().isEmpty()) {
          routed.put("BCC", List.copyOf(binding.bcc()));
        }
        headers = routed;
      }
    }
    return builder.headers(headers).build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asTable(Map<String, String> headers) {
    // Sound because nothing writes to it: WireMessage's headers are immutable, and a String is an Object.
    return (Map<String, Object>) (Map<String, ?>) headers;
  }

  /** The message a delivery carries. */
  static WireMessage message(AMQP.BasicProperties properties, byte @Nullable [] body) {
    Map<String, Object> raw = properties.getHeaders();
    Map<String, String> headers;
    if (raw == null || raw.isEmpty()) {
      headers = WireHeaders.empty();
    } else {
      // Straight into WireHeaders, which WireMessage keeps and the envelope reads by position: a Map.ofEntries hashed
      // every freshly decoded name, and the envelope then copied it into WireHeaders all the same. The client's table
      // has distinct names, so the builder's first-value-counts rule never drops one here.
      WireHeaders.Builder builder = WireHeaders.builder(raw.size());
      for (Map.Entry<String, Object> header : raw.entrySet()) {
        String value = canonical(header.getValue());
        if (value != null) {
          builder.add(header.getKey(), value);
        }
      }
      headers = builder.build();
    }
    headers = withReplyProperties(headers, properties);
    // An empty AMQP body is what a producer writes for an event without data.
    byte[] payload = body == null || body.length == 0 ? null : body;
    return new WireMessage(headers, properties.getContentType(), payload, null);
  }

  /**
   * AMQP's {@code reply_to} and {@code correlation_id} as the CloudEvents extensions {@code replyto} and
   * {@code correlationid}, when a client set only the properties (a plain AMQP requester or responder); the
   * extensions win where both are there.
   */
  private static Map<String, String> withReplyProperties(Map<String, String> headers,
      AMQP.BasicProperties properties) {
    String replyTo = properties.getReplyTo();
    String correlationId = properties.getCorrelationId();
    if (replyTo == null && correlationId == null) {
      return headers;
    }
    String prefix = binaryModePrefix(headers);
    if (prefix == null) {
      return headers;
    }
    Map<String, String> with = new HashMap<>(headers);
    if (replyTo != null) {
      with.putIfAbsent(prefix + "replyto", replyTo);
    }
    if (correlationId != null) {
      with.putIfAbsent(prefix + "correlationid", correlationId);
    }
    return with;
  }

  /** The prefix of a binary-mode CloudEvent's attribute headers, or null for any other message. */
  private static @Nullable String binaryModePrefix(Map<String, String> headers) {
    for (String prefix : HeaderConvention.AMQP.readPrefixes()) {
      if (headers.containsKey(prefix + "specversion")) {
        return prefix;
      }
    }
    return null;
  }

  /** The canonical string of a header value, or null for values that are no scalar (tables, arrays, void). */
  static @Nullable String canonical(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof LongString longString) {
      return new String(longString.getBytes(), StandardCharsets.UTF_8);
    }
    if (value instanceof String string) {
      return string;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof Date date) {
      // AMQP 0-9-1 timestamps have whole seconds; RFC 3339 in UTC is the CloudEvents canonical form.
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
          Instant.ofEpochMilli(date.getTime()).atOffset(ZoneOffset.UTC));
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    return null;
  }

  /** The event id: the id header in binary mode, the top-level {@code id} member of a structured body. */
  private static @Nullable String eventId(WireMessage message) {
    String id = message.headers().get(ID_HEADER);
    byte[] body = message.body();
    if (id != null || !EnvelopeCodec.isStructured(message.contentType()) || body == null) {
      return id;
    }
    String written = idAsTheEnvelopeWritesIt(body);
    if (written != null) {
      return written;
    }
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken token = parser.nextToken();
        if (field.equals("id") && token == JsonToken.VALUE_STRING) {
          return parser.getText();
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      // Not JSON after all: the message simply goes without a message_id.
    }
    return null;
  }

  /**
   * The id of a structured body that begins as the envelope writes one (the members {@code specversion} 1.0, then
   * {@code id}, without spaces), with a plain ASCII id (no escapes); null for any other body, which the parser reads.
   * Spares every structured send a Jackson parser, which the raw client, knowing its id, does not pay for.
   */
  static @Nullable String idAsTheEnvelopeWritesIt(byte[] body) {
    int start = ENVELOPE_HEAD.length;
    if (body.length <= start || !Arrays.equals(body, 0, start, ENVELOPE_HEAD, 0, start)) {
      return null;
    }
    for (int i = start; i < body.length; i++) {
      byte b = body[i];
      if (b == '"') {
        return new String(body, start, i - start, StandardCharsets.US_ASCII);
      }
      if (b < 0x20 || b == '\\') { // a control character, an escape, or (negative) a byte of a multi-byte character
        return null;
      }
    }
    return null;
  }
}
