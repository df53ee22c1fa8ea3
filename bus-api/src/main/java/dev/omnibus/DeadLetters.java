package dev.omnibus;

import dev.omnibus.Interceptor.Kind;
import dev.omnibus.Interceptor.Publishing;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities.Feature;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends dead letters: the events a consumer could not handle, as CloudEvents with the {@code dlq*} extensions (built by
 * {@link DeadLetterEncoding}, so that a dead letter always encodes), through the publish chain to the transport's dead
 * letter destination of the consumer's channel and group. Thread-safe.
 */
final class DeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  static final String DLQ_CHANNEL = DeadLetterEncoding.DLQ_CHANNEL;
  static final String DLQ_ADDRESS = DeadLetterEncoding.DLQ_ADDRESS;
  static final String DLQ_GROUP = DeadLetterEncoding.DLQ_GROUP;
  static final String MALFORMED_TYPE = DeadLetterEncoding.MALFORMED_TYPE;
  /** The extensions a dead letter adds to the failed event; replay removes them. */
  static final List<String> EXTENSIONS = List.of(DeadLetterEncoding.DLQ_REASON, DeadLetterEncoding.DLQ_ATTEMPTS,
      DeadLetterEncoding.DLQ_CHANNEL, DeadLetterEncoding.DLQ_ADDRESS, DeadLetterEncoding.DLQ_GROUP,
      DeadLetterEncoding.DLQ_ERROR);

  private final Transport transport;
  private final ServerConfig server;
  private final EnvelopeCodec envelope;
  private final Mode mode;
  private final URI source;
  private final Duration timeout;
  private final Chains chains;
  private final Outbound outbound;

  DeadLetters(Transport transport, ServerConfig server, EnvelopeCodec envelope, URI source, Duration timeout,
      Chains chains, Outbound outbound) {
    this.transport = transport;
    this.server = server;
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
   * Sends a dead letter for a delivery and waits for the broker's confirmation. Returns whether the delivery may be
   * acknowledged: when the dead letter was stored, and when it can never be encoded (logged once at ERROR, so that the
   * message does not block its partition or queue). When sending fails, the caller leaves the original
   * unacknowledged so nothing is lost.
   */
  boolean send(Destination origin, @Nullable String group, @Nullable CloudEvent event, WireMessage raw, String reason,
      int attempts, @Nullable Throwable error) {
    Destination target = destination(origin, group);
    CloudEvent letter;
    try {
      letter = DeadLetterEncoding.letter(envelope, target.mode(), event, raw, source,
          new DeadLetterEncoding.Cause(reason, attempts, origin.channel(), origin.address(), group, error));
    } catch (RuntimeException e) {
      LOG.error("Cannot encode a dead letter for a message of channel '{}' (to '{}'), so it is acknowledged and "
          + "dropped rather than block the channel: {}; dead letter refused: {}", origin.channel(), target.address(),
          DeadLetterEncoding.text(reason), DeadLetterEncoding.text(e.getMessage()));
      return true;
    }
    try {
      Publishing publishing = new Publishing(letter, origin.channel(), target.address(), Kind.DEAD_LETTER, server);
      chains.publish(publishing, sending -> outbound.send(target, envelope.encode(sending.event(), target.mode())))
          .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      LOG.warn("Dead-lettered an event of channel '{}' to '{}': {}", origin.channel(), target.address(),
          DeadLetterEncoding.text(reason));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.error("Cannot dead-letter an event of channel '{}' to '{}'; leaving it unacknowledged: {}",
          origin.channel(), target.address(), DeadLetterEncoding.text(e.toString()));
      return false;
    }
  }

  /** The original event of a dead letter: the dead letter without the {@code dlq*} extensions. */
  static CloudEvent original(CloudEvent deadLetter) {
    CloudEventBuilder original = CloudEventBuilder.v1(deadLetter);
    for (String name : EXTENSIONS) {
      original.withoutExtension(name);
    }
    return original.build();
  }
}
