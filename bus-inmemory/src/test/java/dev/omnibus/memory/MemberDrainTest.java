package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportSubscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A member's drain: when its handler acknowledges, the lane's next message comes back to the same member without a
 * wake-up; that must keep each key's order, lose nothing, and hand what the member held to the others when it leaves.
 */
class MemberDrainTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int KEYS = 16;
  private static final int PER_KEY = 500;

  private static WireMessage message(String key, int sequence) {
    return new WireMessage(Map.of("key", key), null, Integer.toString(sequence).getBytes(StandardCharsets.US_ASCII),
        key);
  }

  private static int sequence(Delivery delivery) {
    return Integer.parseInt(new String(delivery.message().body(), StandardCharsets.US_ASCII));
  }

  @Test
  void aBusyMemberHandlesEveryKeysMessagesOnceAndInOrder() {
    InMemoryBroker broker = InMemoryBroker.create();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    try (Transport transport = new InMemoryTransportProvider().open(broker.server())) {
      transport.subscribe(Destination.of("orders"), new SubscribeOptions("g", 1), delivery -> {
        seen.computeIfAbsent(delivery.message().key(), key -> new CopyOnWriteArrayList<>()).add(sequence(delivery));
        delivery.ack();
      });

      for (int i = 0; i < PER_KEY; i++) {
        for (int k = 0; k < KEYS; k++) {
          transport.send(Destination.of("orders"), message("key-" + k, i));
        }
      }

      broker.awaitDelivered("orders", KEYS * PER_KEY, WAIT);
      List<Integer> inOrder = new ArrayList<>();
      for (int i = 0; i < PER_KEY; i++) {
        inOrder.add(i);
      }
      assertThat(seen).hasSize(KEYS);
      seen.values().forEach(sequences -> assertThat(sequences).isEqualTo(inOrder));
    }
  }

  @Test
  void aMemberClosedByItsOwnHandlerHandsWhatItHeldToTheOtherMemberInOrderPerKey() {
    InMemoryBroker broker = InMemoryBroker.create();
    Map<String, List<Integer>> acked = new ConcurrentHashMap<>();
    AtomicReference<TransportSubscription> leaving = new AtomicReference<>();
    try (Transport transport = new InMemoryTransportProvider().open(broker.server())) {
      // The first member acknowledges a while, then closes itself from inside its handler, leaving this one unsettled
      // and whatever its acknowledgements had already scheduled to it.
      leaving.set(transport.subscribe(Destination.of("orders"), new SubscribeOptions("g", 1), new DeliveryHandler() {
        private int handled;

        @Override
        public void onDelivery(Delivery delivery) {
          if (++handled == KEYS * PER_KEY / 4) {
            leaving.get().close();
            return;
          }
          acked.computeIfAbsent(delivery.message().key(), key -> new CopyOnWriteArrayList<>()).add(sequence(delivery));
          delivery.ack();
        }
      }));
      for (int i = 0; i < PER_KEY; i++) {
        for (int k = 0; k < KEYS; k++) {
          transport.send(Destination.of("orders"), message("key-" + k, i));
        }
      }
      Awaitility.await().atMost(WAIT).until(() -> acked.values().stream().mapToInt(List::size).sum()
          >= KEYS * PER_KEY / 4 - 1);
      transport.subscribe(Destination.of("orders"), new SubscribeOptions("g", 1), delivery -> {
        acked.computeIfAbsent(delivery.message().key(), key -> new CopyOnWriteArrayList<>()).add(sequence(delivery));
        delivery.ack();
      });

      broker.awaitDelivered("orders", KEYS * PER_KEY, WAIT);
      List<Integer> inOrder = new ArrayList<>();
      for (int i = 0; i < PER_KEY; i++) {
        inOrder.add(i);
      }
      assertThat(acked).hasSize(KEYS);
      acked.values().forEach(sequences -> assertThat(sequences).isEqualTo(inOrder));
    }
  }
}
