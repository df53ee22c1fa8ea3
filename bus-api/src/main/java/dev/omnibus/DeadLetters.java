package dev.omnibus;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.omnibus.Interceptor.Kind;
import dev.omnibus.Interceptor.Publishing;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities.Feature;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and sends dead letters: the events a consumer could not handle, as CloudEvents with the {@code dlq*}
 * extensions, to the transport's dead letter destination of the consumer's channel and group. Thread-safe.
 */
final class DeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  /** Extension attributes a dead letter carries (names are CloudEvents extension names: [a-z0-9]). */
  static final String DLQ_REASON = "dlqreason";
  static final String DLQ_ATTEMPTS = "dlqattempts";
  static final String DLQ_CHANNEL = "dlqchannel";
  static final String DLQ_ADDRESS = "dlqaddress";
  static final String DLQ_GROUP = "dlqgroup";
  static final String DLQ_ERROR = "dlqerror";
  static final String DLQ_HEADERS = "dlqheaders";
  static final List<String> EXTENSIONS = List.of(DLQ_REASON, DLQ_ATTEMPTS, DLQ_CHANNEL, DLQ_ADDRESS, DLQ_GROUP,
      DLQ_ERROR);
  static final String MALFORMED_TYPE = "dev.omnibus.deadletter.malformed";
  private static final int MAX_TEXT = 1000;

  private final Transport transport;
  private final EnvelopeCodec envelope;
  private final Mode mode;
  private final URI source;
  private final Duration timeout;
  private final Chains chains;
  private final Outbound outbound;

  DeadLetters(Transport transport, EnvelopeCodec envelope, URI source, Duration timeout, Chains chains,
      Outbound outbound) {
    this.transport = transport;
    this.envelope = envelope;
    this.mode = transport.capabilities().supports(Feature.BINARY_MODE) ? Mode.BINARY : Mode.STRUCTURED;
    this.source = source;
    this.timeout = timeout;
    this.chains = chains;
    this.outbound = outbound;
  }

  /** The dead letter destination of a channel's destination as consumed by a group. */
  Destination destination(Destination origin, @Nullable String group) {
    return transport.deadLetter(origin, group).withMode(mode);
  }

  /**
   * Sends a dead letter for a delivery and waits for the broker's confirmation. Returns whether it was stored; when
   * not, the caller leaves the original unacknowledged so nothing is lost.
   */
  boolean send(Destination origin, @Nullable String group, @Nullable CloudEvent event, WireMessage raw, String reason,
      int attempts, @Nullable Throwable error) {
    Destination target = destination(origin, group);
    try {
      CloudEvent letter = letter(origin, group, event, raw, reason, attempts, error);
      chains.publish(new Publishing(letter, origin.channel(), target.address(), Kind.DEAD_LETTER),
              publishing -> outbound.send(target, envelope.encode(publishing.event(), target.mode())))
          .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      LOG.warn("Dead-lettered an event of channel '{}' to '{}': {}", origin.channel(), target.address(),
          printable(reason));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.error("Cannot dead-letter an event of channel '{}' to '{}'; leaving it unacknowledged: {}",
          origin.channel(), target.address(), e.toString());
      return false;
    }
  }

  private CloudEvent letter(Destination origin, @Nullable String group, @Nullable CloudEvent event, WireMessage raw,
      String reason, int attempts, @Nullable Throwable error) {
    CloudEventBuilder builder;
    if (event != null) {
      builder = CloudEventBuilder.v1(event);
    } else {
      builder = CloudEventBuilder.v1()
          .withId(UUID.randomUUID().toString())
          .withSource(source)
          .withType(MALFORMED_TYPE)
          .withTime(OffsetDateTime.now(ZoneOffset.UTC));
      String contentType = raw.contentType();
      // The original content type becomes the dead letter's datacontenttype, except a CloudEvents format one
      // (application/cloudevents...): sent in binary mode, that content type would make every reader take the dead
      // letter for a structured-mode event and reject it as malformed in turn. It is then kept in dlqheaders.
      boolean keepContentType = contentType != null && contentType.matches("^[\\w.+-]+/[\\w.+-]+.*$")
          && !EnvelopeCodec.isStructured(contentType);
      Map<String, String> headers = raw.headers();
      if (contentType != null && !keepContentType && !headers.containsKey("content-type")) {
        headers = new LinkedHashMap<>(headers);
        headers.put("content-type", contentType);
      }
      if (raw.body() != null) {
        builder.withDataContentType(keepContentType ? printable(contentType) : "application/octet-stream");
        builder.withData(raw.body());
      }
      try {
        builder.withExtension(DLQ_HEADERS, printable(Codecs.MAPPER.writeValueAsString(headers)));
      } catch (JsonProcessingException e) {
        builder.withExtension(DLQ_HEADERS, "unreadable");
      }
    }
    builder.withExtension(DLQ_REASON, printable(reason))
        .withExtension(DLQ_ATTEMPTS, attempts)
        .withExtension(DLQ_CHANNEL, origin.channel())
        .withExtension(DLQ_ADDRESS, origin.address());
    if (group != null) {
      builder.withExtension(DLQ_GROUP, group);
    }
    if (error != null) {
      builder.withExtension(DLQ_ERROR, printable(error.getClass().getName() + ": " + error.getMessage()));
    }
    return builder.build();
  }

  /** The original event of a dead letter: the dead letter without the {@code dlq*} extensions. */
  static CloudEvent original(CloudEvent deadLetter) {
    CloudEventBuilder original = CloudEventBuilder.v1(deadLetter);
    for (String name : EXTENSIONS) {
      original.withoutExtension(name);
    }
    return original.build();
  }

  /** Text safe to put in an extension attribute: no control characters, bounded length. */
  static String printable(String text) {
    StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_TEXT));
    for (int i = 0; i < text.length() && clean.length() < MAX_TEXT; i++) {
      char c = text.charAt(i);
      if (c <= 0x1F || (c >= 0x7F && c <= 0x9F) || Character.isSurrogate(c)) {
        clean.append(' ');
      } else {
        clean.append(c);
      }
    }
    if (text.length() > MAX_TEXT) {
      clean.append("...");
    }
    return clean.toString().isEmpty() ? "-" : clean.toString();
  }
}
