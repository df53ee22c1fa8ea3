package dev.omnibus.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.envelope.WireMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A delivery's ack and nack take effect once, whoever calls first. */
class SettleOnceDeliveryTest {

  private static final WireMessage MESSAGE = new WireMessage(Map.of(), null, null, null);

  /** Records what reached the "broker". */
  private static final class Recording extends SettleOnceDelivery {
    final List<String> calls = new CopyOnWriteArrayList<>();

    Recording() {
      super(MESSAGE, 1);
    }

    @Override
    protected void onAck() {
      calls.add("ack");
    }

    @Override
    protected void onNack(boolean requeue) {
      calls.add("nack " + requeue);
    }
  }

  @Test
  void theFirstAckCountsAndLaterSettlementsAreIgnored() {
    Recording delivery = new Recording();

    delivery.ack();
    delivery.nack(true);
    delivery.ack();

    assertThat(delivery.calls).containsExactly("ack");
  }

  @Test
  void theFirstNackCountsWithItsRequeueFlag() {
    Recording delivery = new Recording();

    delivery.nack(false);
    delivery.ack();
    delivery.nack(true);

    assertThat(delivery.calls).containsExactly("nack false");
  }

  @Test
  void itIsSettledOnlyOnceSettled() {
    Recording delivery = new Recording();
    assertThat(delivery.isSettled()).isFalse();

    delivery.ack();

    assertThat(delivery.isSettled()).isTrue();
  }

  @Test
  void settlementsRacingOnManyThreadsReachTheBrokerOnce() throws Exception {
    Recording delivery = new Recording();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    try {
      for (int i = 0; i < 8; i++) {
        boolean ack = i % 2 == 0;
        threads.execute(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (ack) {
            delivery.ack();
          } else {
            delivery.nack(true);
          }
        });
      }
      start.countDown();
    } finally {
      threads.shutdown();
      assertThat(threads.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }

    assertThat(delivery.calls).hasSize(1);
  }

  @Test
  void itCarriesTheMessageAndTheAttempt() {
    SettleOnceDelivery delivery = new Recording();

    assertThat(delivery.message()).isSameAs(MESSAGE);
    assertThat(delivery.attempt()).isEqualTo(1);
  }

  @Test
  void anAttemptBelowOneIsRefused() {
    assertThatThrownBy(() -> new SettleOnceDelivery(MESSAGE, 0) {
      @Override
      protected void onAck() {}

      @Override
      protected void onNack(boolean requeue) {}
    }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempt");
  }
}
