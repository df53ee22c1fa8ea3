package dev.omnibus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.omnibus.envelope.CloudEventValidator;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Builds and encodes dead letters so that a dead letter never fails to encode, whatever the message that failed: the
 * original bytes are kept as data, the original headers as an ASCII JSON object, and every text attribute is cleaned
 * (control characters become spaces, noncharacters and unpaired surrogates U+FFFD, bounded length).
 *
 * <p>Self-contained on purpose: it knows the envelope codec and nothing of transports, dispatchers or the bus, so that
 * it can move behind an SPI. Stateless and thread-safe.
 */
final class DeadLetterEncoding {

  /** Extension attributes a dead letter carries (names are CloudEvents extension names: [a-z0-9]). */
  static final String DLQ_REASON = "dlqreason";
  static final String DLQ_ATTEMPTS = "dlqattempts";
  static final String DLQ_CHANNEL = "dlqchannel";
  static final String DLQ_ADDRESS = "dlqaddress";
  static final String DLQ_GROUP = "dlqgroup";
  static final String DLQ_ERROR = "dlqerror";
  static final String DLQ_HEADERS = "dlqheaders";
  static final String MALFORMED_TYPE = "dev.omnibus.deadletter.malformed";

  /** Longest text attribute, in characters, before {@code ...}. */
  static final int MAX_TEXT = 1000;
  /** Longest {@code dlqheaders}, in characters, before {@code ...}: well under MQTT's 65,535-byte property. */
  static final int MAX_HEADERS = 8192;

  private static final String OCTET_STREAM = "application/octet-stream";
  private static final JsonFactory ASCII_JSON = JsonFactory.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
      .build();

  /**
   * Why and from where a delivery is dead-lettered.
   *
   * @param reason why, e.g. {@code handler failed 3 times}
   * @param attempts how many attempts were made
   * @param channel the channel id it was consumed from
   * @param address the broker address it was consumed from
   * @param group the consumer group, {@code null} for an anonymous subscription
   * @param error the failure, when there is one
   */
  record Cause(String reason, int attempts, String channel, String address, @Nullable String group,
      @Nullable Throwable error) {}

  private DeadLetterEncoding() {}

  /**
   * The dead letter of a delivery, encoded in the given mode. Tries in turn, until one encodes: the failed event with
   * the {@code dlq*} extensions (when the message decoded to one); a {@value #MALFORMED_TYPE} event wrapping the
   * message as received; the same without any original header. Each step's refusal is added to the reason.
   *
   * @param codec the codec of the binding the dead letter is sent with
   * @param mode the mode it is sent in
   * @param event the decoded event, {@code null} when the message is not a valid CloudEvent
   * @param raw the message as received
   * @param source the {@code source} of a {@value #MALFORMED_TYPE} dead letter: the consuming bus's
   * @param cause why and from where
   * @throws MalformedEventException only when not even the last form encodes (an invalid {@code source})
   */
  static WireMessage encode(EnvelopeCodec codec, Mode mode, @Nullable CloudEvent event, WireMessage raw, URI source,
      Cause cause) {
    return codec.encode(letter(codec, mode, event, raw, source, cause), mode);
  }

  /**
   * The dead letter of a delivery as the first of the forms {@link #encode} tries that encodes in the given mode.
   *
   * @throws MalformedEventException only when not even the last form encodes (an invalid {@code source})
   */
  static CloudEvent letter(EnvelopeCodec codec, Mode mode, @Nullable CloudEvent event, WireMessage raw, URI source,
      Cause cause) {
    String reason = cause.reason();
    if (event != null) {
      CloudEvent letter = ofEvent(event, cause, reason);
      try {
        codec.encode(letter, mode);
        return letter;
      } catch (MalformedEventException e) {
        reason = reason + "; the failed event cannot be dead-lettered as it is (" + String.join("; ", e.violations())
            + "), so it is kept as received";
      }
    }
    CloudEvent withHeaders = ofMessage(raw, source, cause, reason, true);
    try {
      codec.encode(withHeaders, mode);
      return withHeaders;
    } catch (MalformedEventException e) {
      reason = reason + "; its headers cannot be kept (" + String.join("; ", e.violations()) + ")";
    }
    CloudEvent bare = ofMessage(raw, source, cause, reason, false);
    codec.encode(bare, mode);
    return bare;
  }

  /** The failed event, as it is, with the {@code dlq*} extensions. */
  static CloudEvent ofEvent(CloudEvent event, Cause cause, String reason) {
    return withCause(CloudEventBuilder.v1(event), cause, reason).build();
  }

  /**
   * A {@value #MALFORMED_TYPE} event holding the message as received: the body as data, the headers (and a content
   * type that cannot be {@code datacontenttype}) in {@code dlqheaders} when {@code withHeaders}.
   */
  static CloudEvent ofMessage(WireMessage raw, URI source, Cause cause, String reason, boolean withHeaders) {
    CloudEventBuilder builder = CloudEventBuilder.v1()
        .withId(EventIds.next())
        .withSource(source)
        .withType(MALFORMED_TYPE)
        .withTime(OffsetDateTime.now(ZoneOffset.UTC));
    String contentType = raw.contentType();
    // The original content type becomes the dead letter's datacontenttype only when it is a valid one and not a
    // CloudEvents format (application/cloudevents...): sent in binary mode, that would make every reader take the
    // dead letter for a structured-mode event and reject it as malformed in turn. Otherwise it goes to dlqheaders.
    boolean keepContentType = contentType != null && !EnvelopeCodec.isStructured(contentType)
        && CloudEventValidator.isMediaType(contentType);
    if (raw.body() != null) {
      builder.withDataContentType(keepContentType ? contentType : OCTET_STREAM);
      builder.withData(raw.body());
    }
    if (withHeaders) {
      Map<String, String> headers = new TreeMap<>(raw.headers());
      if (contentType != null && !keepContentType) {
        headers.putIfAbsent("content-type", contentType);
      }
      builder.withExtension(DLQ_HEADERS, headersJson(headers));
    }
    return withCause(builder, cause, reason).build();
  }

  private static CloudEventBuilder withCause(CloudEventBuilder builder, Cause cause, String reason) {
    builder.withExtension(DLQ_REASON, text(reason))
        .withExtension(DLQ_ATTEMPTS, cause.attempts())
        .withExtension(DLQ_CHANNEL, text(cause.channel()))
        .withExtension(DLQ_ADDRESS, text(cause.address()));
    if (cause.group() != null) {
      builder.withExtension(DLQ_GROUP, text(cause.group()));
    }
    Throwable error = cause.error();
    if (error != null) {
      builder.withExtension(DLQ_ERROR, text(error.getClass().getName() + ": " + error.getMessage()));
    }
    return builder;
  }

  /**
   * Headers as a JSON object, every character outside printable ASCII escaped ({@code \\uXXXX}): a valid attribute
   * value whatever the headers hold, and lossless up to {@value #MAX_HEADERS} characters.
   */
  static String headersJson(Map<String, String> headers) {
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = ASCII_JSON.createGenerator(out)) {
      gen.writeStartObject();
      for (Map.Entry<String, String> header : headers.entrySet()) {
        gen.writeStringField(header.getKey(), header.getValue());
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    String json = out.toString();
    return json.length() > MAX_HEADERS ? json.substring(0, MAX_HEADERS) + "..." : json;
  }

  /**
   * Text safe in any attribute and in logs: control characters become spaces, noncharacters and unpaired surrogates
   * U+FFFD; cut to {@value #MAX_TEXT} characters (never inside a surrogate pair) followed by {@code ...}; {@code -}
   * when empty.
   */
  static String text(@Nullable String text) {
    if (text == null || text.isEmpty()) {
      return "-";
    }
    StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_TEXT) + 3);
    int i = 0;
    while (i < text.length() && clean.length() < MAX_TEXT) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        int codePoint = Character.toCodePoint(c, text.charAt(i + 1));
        if (isNoncharacter(codePoint) || clean.length() + 2 > MAX_TEXT) {
          clean.append('\uFFFD');
        } else {
          clean.append(c).append(text.charAt(i + 1));
        }
        i += 2;
        continue;
      }
      if (c <= 0x1F || (c >= 0x7F && c <= 0x9F)) {
        clean.append(' ');
      } else if (Character.isSurrogate(c) || isNoncharacter(c)) {
        clean.append('\uFFFD');
      } else {
        clean.append(c);
      }
      i++;
    }
    if (i < text.length()) {
      clean.append("...");
    }
    return clean.toString();
  }

  private static boolean isNoncharacter(int codePoint) {
    return (codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE;
  }
}
