package dev.omnibus.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Health;
import dev.omnibus.Subscription;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link EventBus#health()} reports while nothing goes wrong, the same for every binding: up and ready once
 * subscribed, a closed subscription gone from the consumers, a closed bus closed and not ready. Extend it in a
 * {@code *HealthTest} class; a binding with a broker to stop extends {@link HealthOutageSuite} instead, which adds the
 * broker outage.
 *
 * <p>Not thread-safe: JUnit runs one test of an instance at a time.
 */
public abstract class HealthSuite {

  /** How long a scenario waits for a state; generous, for a shared 2-core machine. */
  protected static final Duration WAIT = Duration.ofMinutes(2);

  /** The one event type of the suite: text on channel {@code c}. */
  protected static final EventType<String> TEXT = EventType.of("dev.omnibus.health.text", String.class);

  private final List<EventBus> buses = new CopyOnWriteArrayList<>();

  /** A builder configured for the binding under test. */
  protected abstract EventBus.Builder newBus();

  /** Declares channel {@code channelId} at the address on a builder; override to add channel bindings. */
  protected EventBus.Builder withChannel(EventBus.Builder builder, String channelId, String address) {
    return builder.channel(channelId, address);
  }

  /** Closes the buses a scenario opened. */
  @AfterEach
  void closeBuses() {
    for (EventBus bus : buses) {
      bus.close();
    }
    buses.clear();
  }

  /** A bus with channel {@code c} at a fresh address, closed after the test. */
  protected final EventBus openBus(String scenario) {
    String address = "health." + scenario + "." + Long.toString(Math.abs(new Random().nextLong()), 36);
    EventBus bus = withChannel(newBus().source(URI.create("/health")), "c", address).build();
    buses.add(bus);
    return bus;
  }

  /** Waits until the bus reports itself ready, failing with its last health report after {@link #WAIT}. */
  protected static void awaitReady(EventBus bus) {
    Awaitility.await("bus ready").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(bus::health, Health::ready);
  }

  @Test
  void isUpAndReadyOnceSubscribed() {
    EventBus bus = openBus("up");
    bus.subscribe(TEXT.channel("c"), "billing", event -> { });
    bus.subscribe(TEXT.channel("c"), event -> { });

    awaitReady(bus);

    Health health = bus.health();
    assertThat(health.server()).isEqualTo(bus.server().name());
    assertThat(health.protocol()).isEqualTo(bus.server().protocol());
    assertThat(health.transport().state()).isEqualTo(Health.State.UP);
    assertThat(health.consumers())
        .extracting(Health.Consumer::channel, Health.Consumer::group)
        .containsExactlyInAnyOrder(tuple("c", "billing"), tuple("c", null));
    assertThat(health.consumers()).allSatisfy(consumer ->
        assertThat(consumer.status().state()).isEqualTo(Health.State.UP));
    assertThat(health.state()).isEqualTo(Health.State.UP);
  }

  @Test
  void aClosedSubscriptionLeavesTheConsumers() {
    EventBus bus = openBus("unsubscribed");
    Subscription billing = bus.subscribe(TEXT.channel("c"), "billing", event -> { });
    bus.subscribe(TEXT.channel("c"), "audit", event -> { });
    awaitReady(bus);

    billing.close();

    Health health = bus.health();
    assertThat(health.consumers()).extracting(Health.Consumer::group).containsExactly("audit");
    assertThat(health.ready()).isTrue();
  }

  @Test
  void aClosedBusIsClosedAndNotReady() {
    EventBus bus = openBus("closed");
    bus.subscribe(TEXT.channel("c"), "billing", event -> { });
    awaitReady(bus);

    bus.close();

    Health health = bus.health();
    assertThat(health.transport().state()).isEqualTo(Health.State.CLOSED);
    assertThat(health.state()).isEqualTo(Health.State.CLOSED);
    assertThat(health.ready()).isFalse();
    assertThat(health.consumers()).allSatisfy(consumer ->
        assertThat(consumer.status().state()).isEqualTo(Health.State.CLOSED));
  }
}
