package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.SerializationException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The CloudEvent a publish makes of an {@link Event}: the one the SDK's builder made, extensions held in as little as
 * they need, and refused where the builder refused it (an extension's name, a validator registered with the SDK)
 * before anything is sent.
 */
class PublishedCloudEventTest {

  record Order(String id) {}

  private static final EventType<Order> PLACED = EventType.of("com.example.order.placed", Order.class)
      .channel("orders").subject(Order::id);

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final List<CloudEvent> published = new CopyOnWriteArrayList<>();
  private final Interceptor recorder = new Interceptor() {
    @Override
    public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
      published.add(publishing.event());
      return next.proceed(publishing);
    }
  };

  private EventBus bus() {
    return EventBus.builder().server(broker.server()).channel("orders", "orders.placed").intercept(recorder).build();
  }

  @Test
  void eachPublishedEventIsTheOneTheSdkBuilderMakes() {
    List<String> names = List.of("traceparent", "partitionkey", "tenant", "zeta", "alpha");
    try (EventBus bus = bus()) {
      for (int count = 0; count <= names.size(); count++) {
        Event.Builder<Order> event = PLACED.event(new Order("o-" + count));
        for (String name : names.subList(0, count)) {
          event.extension(name, "v-" + name);
        }
        bus.publish(event.build()).toCompletableFuture().join();

        CloudEvent sent = published.get(count);
        CloudEvent built = CloudEventBuilder.v1(sent).build();
        assertThat(sent).isEqualTo(built).hasSameHashCodeAs(built).hasToString(built.toString());
        assertThat(new ArrayList<>(sent.getExtensionNames())).containsExactlyElementsOf(built.getExtensionNames());
        assertThat(sent.getExtension("absent")).isNull();
        for (String name : names.subList(0, count)) {
          assertThat(sent.getExtension(name)).isEqualTo("v-" + name);
        }
      }
    }
  }

  @Test
  void oneExtensionIsHeldWithoutAHashTable() {
    try (EventBus bus = bus()) {
      bus.publish(PLACED.event(new Order("o-1")).extension("traceparent", "00-1-2-01").build())
          .toCompletableFuture().join();

      // The validator, the envelope and the binding each walk the names once per publish; a table's walk scans its
      // buckets.
      assertThat(published.get(0).getExtensionNames()).containsExactly("traceparent")
          .isNotInstanceOf(new HashMap<String, Object>().keySet().getClass());
    }
  }

  @Test
  void anExtensionNameTheSdkRefusesIsRefusedBeforeAnythingIsSent() {
    try (EventBus bus = bus()) {
      CompletionStage<Void> publish = bus.publish(PLACED.event(new Order("o-1")).extension("Tenant", "t1").build());

      assertThatThrownBy(() -> publish.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
          .cause().isInstanceOf(SerializationException.class).hasMessageContaining("invalid extension")
          .hasMessageContaining("Tenant");
      assertThat(published).isEmpty();
    }
  }

  @Test
  void aValidatorRegisteredWithTheSdkStillRefusesAPublishBeforeAnythingIsSent() {
    try (EventBus bus = bus()) {
      CompletionStage<Void> publish = bus.publish(
          PLACED.event(new Order("o-1")).extension(SdkRegisteredValidator.REFUSED, "yes").build());

      assertThatThrownBy(() -> publish.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
          .cause().isInstanceOf(SerializationException.class)
          .hasMessageContaining("nothing was sent").hasMessageContaining(SdkRegisteredValidator.MESSAGE);
      assertThat(published).isEmpty();
    }
  }
}
