package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthTest {

  private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");

  private static Health.Consumer consumer(String channel, Health.State state) {
    return new Health.Consumer(channel, "billing", Health.Status.of(state, state == Health.State.UP ? null : "why", T0));
  }

  @Test
  void isReadyWhenTheConnectionAndEveryConsumerAreUp() {
    Health health = new Health("local", "kafka", Health.Status.up(T0),
        List.of(consumer("orders", Health.State.UP), consumer("payments", Health.State.UP)));

    assertThat(health.ready()).isTrue();
    assertThat(health.state()).isEqualTo(Health.State.UP);
  }

  @Test
  void oneStalledConsumerMakesTheBusNotReady() {
    Health health = new Health("local", "kafka", Health.Status.up(T0),
        List.of(consumer("orders", Health.State.UP), consumer("payments", Health.State.STALLED)));

    assertThat(health.ready()).isFalse();
    assertThat(health.state()).isEqualTo(Health.State.STALLED);
  }

  @Test
  void theWorstStateWinsWhateverItsSource() {
    Health reconnecting = new Health("local", "amqp",
        Health.Status.of(Health.State.RECONNECTING, "Connection refused", T0), List.of(consumer("orders",
            Health.State.UP)));
    Health closed = new Health("local", "amqp", Health.Status.of(Health.State.CLOSED, null, T0),
        List.of(consumer("orders", Health.State.STALLED)));

    assertThat(reconnecting.state()).isEqualTo(Health.State.RECONNECTING);
    assertThat(reconnecting.transport().lastError()).isEqualTo("Connection refused");
    assertThat(closed.state()).isEqualTo(Health.State.CLOSED);
    assertThat(closed.ready()).isFalse();
  }

  @Test
  void keepsItsOwnCopyOfTheConsumers() {
    List<Health.Consumer> consumers = new ArrayList<>(List.of(consumer("orders", Health.State.UP)));
    Health health = new Health("local", "mqtt", Health.Status.up(T0), consumers);

    consumers.add(consumer("payments", Health.State.STALLED));

    assertThat(health.consumers()).hasSize(1);
    assertThat(health.ready()).isTrue();
  }

  @Test
  void refusesMissingParts() {
    assertThatNullPointerException().isThrownBy(() -> Health.Status.of(null, null, T0));
    assertThatNullPointerException().isThrownBy(() -> new Health.Consumer("orders", null, null));
  }
}
