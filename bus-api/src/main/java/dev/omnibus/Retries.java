package dev.omnibus;

import dev.omnibus.Interceptor.Kind;
import dev.omnibus.Interceptor.Publishing;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities.Feature;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the copies of non-blocking retries ({@link RetryPolicy.Mode#NON_BLOCKING}) to a group's retry destination
 * ({@link Transport#retryDestination}), and reads them back. A copy is the failed event, same id, source and
 * attributes, with three extensions: {@value #ATTEMPT} (the attempt it is for, 2 or more), {@value #NOT_BEFORE} (when
 * that attempt may start, RFC 3339 in UTC) and {@value #GROUP} (the group retrying it). The copy goes through the
 * publish chain as {@link Kind#RETRY} and the call waits for the broker's confirmation, so that the caller
 * acknowledges the original only once the copy is stored. Thread-safe.
 */
final class Retries {

  private static final Logger LOG = LoggerFactory.getLogger(Retries.class);

  /** The attempt a retry copy is for: 2 for the first retry. */
  static final String ATTEMPT = "retryattempt";
  /** When a retry copy's attempt may start: an RFC 3339 time in UTC. */
  static final String NOT_BEFORE = "retrynotbefore";
  /** The group retrying the copy. */
  static final String GROUP = "retrygroup";
  /** The extensions a retry copy adds to the failed event; the handler gets the event without them. */
  static final List<String> EXTENSIONS = List.of(ATTEMPT, NOT_BEFORE, GROUP);

  /** A retry copy read back: the original event, the attempt it is for and when that may start. */
  record Copy(CloudEvent event, int attempt, Instant notBefore) {}

  private final Transport transport;
  private final ServerConfig server;
  private final EnvelopeCodec envelope;
  private final Mode mode;
  private final Duration timeout;
  private final Chains chains;
  private final Outbound outbound;

  Retries(Transport transport, ServerConfig server, EnvelopeCodec envelope, Duration timeout, Chains chains,
      Outbound outbound) {
    this.transport = transport;
    this.server = server;
    this.envelope = envelope;
    this.mode = transport.capabilities().supports(Feature.BINARY_MODE) ? Mode.BINARY : Mode.STRUCTURED;
    this.timeout = timeout;
    this.chains = chains;
    this.outbound = outbound;
  }

  /**
   * The retry destination of a channel's destination as consumed by a group; empty for an anonymous consumer and on a
   * transport without {@link Feature#RETRY_DESTINATIONS}, which then retry blocking.
   */
  Optional<Destination> destination(Destination origin, @Nullable String group) {
    if (group == null || !transport.capabilities(origin).supports(Feature.RETRY_DESTINATIONS)) {
      return Optional.empty();
    }
    return Optional.of(transport.retryDestination(origin, group).withMode(mode));
  }

  /**
   * Sends the copy of a failed event for its next attempt and waits for the broker's confirmation. Returns whether the
   * copy was stored; when not, the caller retries blocking, so that nothing is lost.
   */
  boolean send(Destination target, String group, CloudEvent event, int nextAttempt, Instant notBefore) {
    CloudEvent copy = CloudEventBuilder.v1(event)
        .withExtension(ATTEMPT, Integer.toString(nextAttempt))
        .withExtension(NOT_BEFORE, OffsetDateTime.ofInstant(notBefore, ZoneOffset.UTC).toString())
        .withExtension(GROUP, group)
        .build();
    try {
      Publishing publishing = new Publishing(copy, target.channel(), target.address(), Kind.RETRY, server);
      chains.publish(publishing, sending -> outbound.send(target, envelope.encode(sending.event(), target.mode())))
          .toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("Cannot send the retry of event {} of channel '{}' to '{}'; retrying it blocking: {}", event.getId(),
          target.channel(), target.address(), e.toString());
      return false;
    }
  }

  /**
   * Reads a retry copy: the original event without the retry extensions, its attempt and its time; an extension that
   * is missing or unreadable counts as attempt 2, due now, so a copy is handled rather than lost.
   */
  static Copy read(CloudEvent copy) {
    int attempt = 2;
    Instant notBefore = Instant.EPOCH;
    Object attemptValue = copy.getExtension(ATTEMPT);
    Object notBeforeValue = copy.getExtension(NOT_BEFORE);
    try {
      if (attemptValue != null) {
        attempt = Math.max(2, Integer.parseInt(attemptValue.toString().trim()));
      }
      if (notBeforeValue != null) {
        notBefore = notBeforeValue instanceof OffsetDateTime time ? time.toInstant()
            : OffsetDateTime.parse(notBeforeValue.toString().trim()).toInstant();
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      LOG.warn("Retry copy {} has unreadable {}/{} ({}, {}): handled now as attempt {}", copy.getId(), ATTEMPT,
          NOT_BEFORE, attemptValue, notBeforeValue, attempt);
    }
    CloudEventBuilder original = CloudEventBuilder.v1(copy);
    for (String name : EXTENSIONS) {
      original.withoutExtension(name);
    }
    return new Copy(original.build(), attempt, notBefore);
  }
}
