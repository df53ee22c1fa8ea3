package dev.omnibus.rabbitmq;

import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportProvider;
import dev.omnibus.spi.TransportSubscription;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The real RabbitMQ provider, remembering the durable queues its transports use (group queues, their dead letter
 * queues, queue channels) so that a test class can delete them afterwards: the conformance kit's addresses are unique
 * per run, and durable queues would otherwise pile up on the machine's broker.
 */
public final class TrackingProvider implements TransportProvider {

  private final RabbitMqTransportProvider real = new RabbitMqTransportProvider();
  private final Set<String> queues = ConcurrentHashMap.newKeySet();

  @Override
  public Set<String> protocols() {
    return real.protocols();
  }

  @Override
  public Transport open(ServerConfig server) {
    Transport transport = real.open(server);
    return new Transport() {
      @Override
      public CompletionStage<Void> send(Destination destination, WireMessage message) {
        if (destination.channelBindings().has("amqp")) {
          queues.add(destination.address());
        }
        return transport.send(destination, message);
      }

      @Override
      public TransportSubscription subscribe(Destination destination, SubscribeOptions options,
          DeliveryHandler handler) {
        if (destination.channelBindings().has("amqp")) {
          queues.add(destination.address());
        }
        if (options.group() != null) {
          queues.add(destination.address() + "." + options.group());
          queues.add(destination.address() + "." + options.group() + ".retry");
        }
        queues.add(transport.deadLetter(destination, options.group()).address());
        return transport.subscribe(destination, options, handler);
      }

      @Override
      public TransportCapabilities capabilities() {
        return transport.capabilities();
      }

      @Override
      public boolean flush(Duration timeout) {
        return transport.flush(timeout);
      }

      @Override
      public Destination deadLetter(Destination origin, @Nullable String group) {
        return transport.deadLetter(origin, group);
      }

      @Override
      public Optional<Destination> groupDestination(Destination channelDestination, String group) {
        return transport.groupDestination(channelDestination, group);
      }

      @Override
      public TransportCapabilities capabilities(Destination destination) {
        return transport.capabilities(destination);
      }

      @Override
      public void close() {
        transport.close();
      }
    };
  }

  /** The queues remembered so far. */
  public Set<String> queues() {
    return Set.copyOf(queues);
  }

  /** Deletes every queue remembered so far (deleting a queue that does not exist is fine on RabbitMQ). */
  void deleteQueues(RabbitMqBroker broker) throws Exception {
    queues.forEach(broker::queue);
    queues.clear();
    broker.cleanUp();
  }
}
