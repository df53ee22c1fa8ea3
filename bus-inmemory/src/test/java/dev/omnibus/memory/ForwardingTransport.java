package dev.omnibus.memory;

import dev.omnibus.Health;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportSubscription;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A transport that hands every call to {@link #delegate()}: a test overrides the one call it changes (a record
 * {@code record X(Transport delegate) implements ForwardingTransport} gets the accessor for free). The capabilities of
 * one destination are left to {@link Transport}'s default, {@link #capabilities()}, so that a test overriding that
 * one is heard everywhere.
 */
interface ForwardingTransport extends Transport {

  Transport delegate();

  @Override
  default CompletionStage<Void> send(Destination destination, WireMessage message) {
    return delegate().send(destination, message);
  }

  @Override
  default TransportSubscription subscribe(Destination destination, SubscribeOptions options,
      DeliveryHandler handler) {
    return delegate().subscribe(destination, options, handler);
  }

  @Override
  default TransportCapabilities capabilities() {
    return delegate().capabilities();
  }

  @Override
  default boolean flush(Duration timeout) {
    return delegate().flush(timeout);
  }

  @Override
  default void close() {
    delegate().close();
  }

  @Override
  default Destination deadLetter(Destination origin, @Nullable String group) {
    return delegate().deadLetter(origin, group);
  }

  @Override
  default Destination retryDestination(Destination origin, String group) {
    return delegate().retryDestination(origin, group);
  }

  @Override
  default Destination replyInbox(String inboxId, Mode mode) {
    return delegate().replyInbox(inboxId, mode);
  }

  @Override
  default Destination replyDestination(String address, Mode mode) {
    return delegate().replyDestination(address, mode);
  }

  @Override
  default Optional<Destination> groupDestination(Destination channelDestination, String group) {
    return delegate().groupDestination(channelDestination, group);
  }

  @Override
  default void check(Destination destination) {
    delegate().check(destination);
  }

  @Override
  default Health.@Nullable Status health() {
    return delegate().health();
  }
}
