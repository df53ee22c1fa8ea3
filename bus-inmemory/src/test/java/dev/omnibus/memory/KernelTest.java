package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.RetryPolicy;
import dev.omnibus.SerializationException;
import dev.omnibus.Subscription;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.TransportCapabilities.Feature;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's interceptor chain, capabilities, and the defects the kernel issue (#13) lists, on the in-memory broker. */
class KernelTest {

  record Order(String id, String region) {}

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<Order> PLACED = EventType.of("com.example.order.placed", Order.class)
      .channel("orders").subject(Order::id);
  private static final EventType<Order> PAID = EventType.of("com.example.order.paid", Order.class)
      .channel("orders").subject(Order::id);

  @Nested
  class TheInterceptorChain {

    @Test
    void interceptorsRunAroundPublishAndHandlingFirstRegisteredOutermost() {
      List<String> calls = new CopyOnWriteArrayList<>();
      InMemoryBroker broker = InMemoryBroker.create();
      try (EventBus bus = EventBus.builder().server(broker.server())
          .intercept(recording("outer", calls)).intercept(recording("inner", calls)).build()) {
        List<Event<Order>> handled = new CopyOnWriteArrayList<>();
        bus.subscribe(PLACED, "g", event -> {
          calls.add("handler");
          handled.add(event);
        });
        bus.publish(PLACED, new Order("o-1", "eu")).toCompletableFuture().join();
        Awaitility.await().atMost(WAIT).until(() -> calls.contains("after-handle outer"));
      }
      assertThat(calls).containsExactly("publish outer", "publish inner", "handle outer g 1", "handle inner g 1",
          "handler", "after-handle inner", "after-handle outer");
    }

    @Test
    void anInterceptorMayAddAnExtensionThatTheReceiverSees() {
      Interceptor stamp = new Interceptor() {
        @Override
        public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
          return next.proceed(publishing.withEvent(CloudEventBuilder.v1(publishing.event())
              .withExtension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build()));
        }
      };
      InMemoryBroker broker = InMemoryBroker.create();
      try (EventBus bus = EventBus.builder().server(broker.server()).intercept(stamp).build()) {
        List<Event<Order>> handled = new CopyOnWriteArrayList<>();
        bus.subscribe(PLACED, "g", handled::add);
        bus.publish(PLACED, new Order("o-1", "eu")).toCompletableFuture().join();
        Awaitility.await().atMost(WAIT).until(() -> handled.size() == 1);
        assertThat(handled.get(0).extension("traceparent")).asString().startsWith("00-0af7");
      }
    }

    @Test
    void anInterceptorRefusingAPublishSendsNothing() {
      Interceptor refuse = new Interceptor() {
        @Override
        public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
          throw SerializationException.of("refused by policy");
        }
      };
      InMemoryBroker broker = InMemoryBroker.create();
      try (EventBus bus = EventBus.builder().server(broker.server()).intercept(refuse).build()) {
        assertThatThrownBy(() -> bus.publish(PLACED, new Order("o-1", "eu")).toCompletableFuture().join())
            .isInstanceOf(CompletionException.class).hasCauseInstanceOf(SerializationException.class);
      }
      assertThat(broker.published("orders")).isEmpty();
    }

    @Test
    void anInterceptorRefusingAHandlingSendsTheEventToDeadLettersWithoutRetries() {
      AtomicInteger handled = new AtomicInteger();
      Interceptor refuse = new Interceptor() {
        @Override
        public void aroundHandle(Handling handling, HandleChain next) {
          throw new IllegalStateException("not for this service");
        }
      };
      InMemoryBroker broker = InMemoryBroker.create();
      try (EventBus bus = EventBus.builder().server(broker.server()).intercept(refuse).build()) {
        bus.subscribe(PLACED, "g", event -> handled.incrementAndGet());
        bus.publish(PLACED, new Order("o-1", "eu")).toCompletableFuture().join();
        List<CloudEvent> dead = broker.awaitPublished(bus.deadLetterAddress("orders", "g"), 1, WAIT);
        assertThat(dead.get(0).getExtension("dlqreason").toString()).contains("not for this service");
        assertThat(dead.get(0).getExtension("dlqattempts")).hasToString("1");
      }
      assertThat(handled).hasValue(0);
    }

    private Interceptor recording(String name, List<String> calls) {
      return new Interceptor() {
        @Override
        public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
          calls.add("publish " + name);
          return next.proceed(publishing);
        }

        @Override
        public void aroundHandle(Handling handling, HandleChain next) throws Exception {
          calls.add("handle " + name + " " + handling.group() + " " + handling.attempt());
          next.proceed(handling);
          calls.add("after-handle " + name);
        }
      };
    }
  }

  @Nested
  class DeadLettersAndCapabilities {

    @Test
    void deadLettersGoToADeadLetterDestinationWithoutTheOperationsBindings() {
      List<Destination> sent = new CopyOnWriteArrayList<>();
      InMemoryBroker broker = InMemoryBroker.create();
      try (EventBus bus = EventBus.builder().server(broker.server()).transport(Recording.of(broker, sent))
          .maxAttempts(1).build()) {
        bus.subscribe(PLACED, "g", event -> {
          throw new IllegalStateException("boom");
        });
        bus.publish(PLACED, new Order("o-1", "eu")).toCompletableFuture().join();
        broker.awaitPublished("orders.dlq", 1, WAIT);
      }
      Destination deadLetters = sent.stream().filter(Destination::isDeadLetters).findFirst().orElseThrow();
      assertThat(deadLetters.address()).isEqualTo("orders.dlq");
      assertThat(deadLetters.operationBindings().byProtocol()).isEmpty();
      assertThat(deadLetters.options()).isEmpty();
    }

    @Test
    void aChannelWhoseNameEndsInDlqIsAnOrdinaryChannel() {
      List<Destination> sent = new CopyOnWriteArrayList<>();
      InMemoryBroker broker = InMemoryBroker.create();
      EventType<Order> audit = EventType.of("com.example.audit", Order.class).channel("audit");
      try (EventBus bus = EventBus.builder().server(broker.server()).transport(Recording.of(broker, sent))
          .channel("audit", "orders.dlq").build()) {
        bus.publish(audit, new Order("o-1", "eu")).toCompletableFuture().join();
      }
      assertThat(sent).singleElement().satisfies(destination -> {
        assertThat(destination.address()).isEqualTo("orders.dlq");
        assertThat(destination.isDeadLetters()).isFalse();
      });
    }

    @Test
    void requiringAFeatureTheChannelLacksFailsAtSubscribeNamingIt() {
      InMemoryBroker broker = InMemoryBroker.create();
      try (EventBus bus = EventBus.builder().server(broker.server())
          .transport(Recording.without(broker, Feature.PER_KEY_ORDER)).build()) {
        assertThat(bus.capabilities("orders").supports(Feature.PER_KEY_ORDER)).isFalse();
        assertThatThrownBy(() -> bus.subscribe(PLACED.requires(Feature.PER_KEY_ORDER), "g", event -> { }))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("requires [PER_KEY_ORDER] on channel 'orders'")
            .hasMessageContaining("EventType.requires(");
        assertThat(bus.subscribe(PLACED.requires(Feature.CONSUMER_GROUPS), "g", event -> { })).isNotNull();
      }
    }
  }

  @Nested
  class Defects {

    @Test
    void aParameterValueHoldingADotIsRefusedBeforeAnythingIsSent() {
      EventType<Order> regional = EventType.of("com.example.regional", Order.class).channel("regional")
          .parameter("region", Order::region);
      InMemoryBroker broker = InMemoryBroker.create();
      try (EventBus bus = EventBus.builder().server(broker.server()).channel("regional", "orders.{region}").build()) {
        assertThatThrownBy(() -> bus.publish(regional, new Order("o-1", "eu.west")).toCompletableFuture().join())
            .hasCauseInstanceOf(ConfigurationException.class)
            .hasMessageContaining("must be one address level, was 'eu.west'");
        bus.publish(regional, new Order("o-2", "eu-west")).toCompletableFuture().join();
      }
      assertThat(broker.published("orders.eu.west")).isEmpty();
      assertThat(broker.published("orders.eu-west")).hasSize(1);
    }

    @Test
    void closingOneTypesHandlerNeverSkipsItsEventsInTheGroup() {
      InMemoryBroker broker = InMemoryBroker.create();
      List<String> second = new CopyOnWriteArrayList<>();
      List<CloudEvent> dead;
      try (EventBus first = EventBus.builder().server(broker.server()).build();
          EventBus other = EventBus.builder().server(broker.server()).build()) {
        Subscription placed = first.subscribe(PLACED, "g", event -> { });
        first.subscribe(PAID, "g", event -> { });
        other.subscribe(PLACED, "g", event -> second.add(event.data().id()));
        placed.close();

        for (int i = 0; i < 20; i++) {
          first.publish(PLACED, new Order("o-" + i, "eu")).toCompletableFuture().join();
        }
        Awaitility.await().atMost(WAIT)
            .until(() -> second.size() + broker.published("orders.dlq").size() == 20);
        dead = broker.published("orders.dlq");
      }
      // The member that closed its handler still gets its share of the keys: those events are dead-lettered, with the
      // reason, for replay, never acknowledged unhandled; the rest reach the member that still handles the type.
      assertThat(second).isNotEmpty();
      assertThat(dead).allSatisfy(letter -> assertThat(letter.getExtension("dlqreason").toString())
          .contains("no handler left for type 'com.example.order.placed' in this member of group 'g'"));
      assertThat(second.size() + dead.size()).isEqualTo(20);
    }

    @Test
    void aHandlersOwnSerializationExceptionIsRetriedLikeAnyFailure() {
      InMemoryBroker broker = InMemoryBroker.create();
      AtomicInteger calls = new AtomicInteger();
      try (EventBus bus = EventBus.builder().server(broker.server())
          .retry(RetryPolicy.attempts(3).backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2)).build()) {
        bus.subscribe(PLACED, "g", event -> {
          if (calls.incrementAndGet() < 3) {
            throw SerializationException.of("the handler's own downstream call failed");
          }
        });
        bus.publish(PLACED, new Order("o-1", "eu")).toCompletableFuture().join();
        Awaitility.await().atMost(WAIT).until(() -> calls.get() == 3);
        assertThat(broker.published("orders.dlq")).isEmpty();
      }
    }

    @Test
    void theServerTheEnvironmentNamesWinsOverTheBuildersDefault(@TempDir Path dir) throws Exception {
      Path document = dir.resolve("asyncapi.yaml");
      Files.writeString(document, """
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          servers:
            local: {host: one, protocol: memory}
            other: {host: two, protocol: memory}
          channels:
            orders: {address: orders}
          """);
      try (EventBus bus = EventBus.builder().asyncApi(document).server("local")
          .environment(Map.of("OMNIBUS_SERVER", "other")::get).build()) {
        assertThat(bus.server().name()).isEqualTo("other");
      }
      try (EventBus bus = EventBus.builder().asyncApi(document).server("local").environment(name -> null).build()) {
        assertThat(bus.server().name()).isEqualTo("local");
      }
    }

    @Test
    void retryOptionsOfASendOperationDoNotConfigureSubscribersAndTheReceiveOperationsBeatTheChannels(
        @TempDir Path dir) throws Exception {
      Path document = dir.resolve("asyncapi.yaml");
      Files.writeString(document, """
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          servers:
            local: {host: local, protocol: memory}
          channels:
            orders:
              address: orders
              x-omnibus-retry-max-attempts: 4
          operations:
            publishOrders:
              action: send
              channel: {$ref: '#/channels/orders'}
              x-omnibus-retry-max-attempts: 9
            consumeOrders:
              action: receive
              channel: {$ref: '#/channels/orders'}
              x-omnibus-retry-max-attempts: 2
              x-omnibus-retry-initial-backoff: 1ms
          """);
      InMemoryBroker broker = InMemoryBroker.named("local");
      AtomicInteger calls = new AtomicInteger();
      try (EventBus bus = EventBus.builder().asyncApi(document).environment(name -> null).build()) {
        bus.subscribe(PLACED, "g", event -> {
          calls.incrementAndGet();
          throw new IllegalStateException("boom");
        });
        bus.publish(PLACED, new Order("o-1", "eu")).toCompletableFuture().join();
        List<CloudEvent> dead = broker.awaitPublished("orders.dlq", 1, WAIT);
        assertThat(dead.get(0).getExtension("dlqattempts")).hasToString("2");
      }
      assertThat(calls).hasValue(2);
    }
  }

  /** A provider that records every send's destination, or hides a feature; over the in-memory transport. */
  static final class Recording {
    static dev.omnibus.spi.TransportProvider of(InMemoryBroker broker, List<Destination> sent) {
      return wrap(broker, sent, null);
    }

    static dev.omnibus.spi.TransportProvider without(InMemoryBroker broker, Feature feature) {
      return wrap(broker, new CopyOnWriteArrayList<>(), feature);
    }

    private static dev.omnibus.spi.TransportProvider wrap(InMemoryBroker broker, List<Destination> sent,
        Feature hidden) {
      return new dev.omnibus.spi.TransportProvider() {
        @Override
        public java.util.Set<String> protocols() {
          return java.util.Set.of("memory");
        }

        @Override
        public dev.omnibus.spi.Transport open(dev.omnibus.spi.ServerConfig server) {
          dev.omnibus.spi.Transport inner = new InMemoryTransportProvider().open(server);
          return new dev.omnibus.spi.Transport() {
            @Override
            public CompletionStage<Void> send(Destination destination, WireMessage message) {
              sent.add(destination);
              return inner.send(destination, message);
            }

            @Override
            public dev.omnibus.spi.TransportSubscription subscribe(Destination destination,
                dev.omnibus.spi.SubscribeOptions options, dev.omnibus.spi.DeliveryHandler handler) {
              return inner.subscribe(destination, options, handler);
            }

            @Override
            public dev.omnibus.spi.TransportCapabilities capabilities() {
              return inner.capabilities();
            }

            @Override
            public dev.omnibus.spi.TransportCapabilities capabilities(Destination destination) {
              dev.omnibus.spi.TransportCapabilities all = inner.capabilities(destination);
              if (hidden == null) {
                return all;
              }
              java.util.EnumSet<Feature> features = java.util.EnumSet.copyOf(all.features());
              features.remove(hidden);
              return new dev.omnibus.spi.TransportCapabilities(all.convention(), features, all.maxMessageBytes(),
                  all.publishConfirmation());
            }

            @Override
            public Destination deadLetter(Destination origin, String group) {
              return inner.deadLetter(origin, group);
            }

            @Override
            public void close() {
              inner.close();
            }
          };
        }
      };
    }
  }
}
