package dev.omnibus.memory.internal;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import org.jspecify.annotations.Nullable;

/**
 * A message as the broker carries it: its wire form, and its decoding by the envelope, made once and shared by every
 * queue and redelivery of the message.
 *
 * <p>The broker decodes on the publishing thread ({@link #decode()}, before it takes its monitor), so that a consumer's
 * thread only handles: with one consumer thread per subscription, decoding there made it do twice the work of the
 * publisher while the publishing core waited. The decoding is the one the consumer's bus would make
 * ({@code EnvelopeCodec.decodeInProcess} of the same convention, {@link HeaderConvention#MEMORY}): the same event, or
 * the same exception, which the bus dead-letters as it would have. A message a bus encoded (its headers are the ones
 * the envelope wrote) is not validated a second time, its attributes were validated by that encode; a message
 * injected raw is validated in full, as any binding's received message. Handlers still decode the payload from the
 * body, each their own object.
 *
 * <p>Thread-safe: the decoding is deterministic, so two threads that decode at once (a benign race) keep equal results.
 */
final class Carried {

  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.MEMORY);

  private final WireMessage wire;
  /** The decoded event, or what decoding threw; {@code null} until decoded. */
  private volatile @Nullable Object decoded;

  Carried(WireMessage wire) {
    this.wire = wire;
  }

  WireMessage wire() {
    return wire;
  }

  /** Decodes the message now, unless done already; never throws (a failure is kept for {@link #event}). */
  void decode() {
    if (decoded == null) {
      Object result;
      try {
        result = CODEC.decodeInProcess(wire);
      } catch (RuntimeException e) {
        result = e;
      }
      decoded = result;
    }
  }

  /**
   * The message as the bus's {@code envelope} reads it: the decoding kept here when the envelope has the broker's
   * convention, else decoded by that envelope now.
   *
   * @throws RuntimeException what decoding threw, as {@code envelope.decode} would throw it
   */
  CloudEvent event(EnvelopeCodec envelope) {
    if (envelope.convention() != HeaderConvention.MEMORY) {
      return envelope.decodeInProcess(wire);
    }
    decode();
    Object result = decoded;
    if (result instanceof RuntimeException failure) {
      throw failure;
    }
    return (CloudEvent) result;
  }
}
