package dev.omnibus.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link HealthSuite} and a broker outage: the broker stops, the bus turns not ready with the client's reason (the
 * connection {@link Health.State#RECONNECTING RECONNECTING} and/or its consumers {@link Health.State#STALLED STALLED}),
 * the broker starts again, the bus is ready again, and every event the broker confirmed before, during and after the
 * outage reaches the group. Extend it in a {@code *HealthTest} class with a broker of the test's own (never the
 * machine's shared one, which other tests use): {@link OwnRabbitMq}, {@link OwnMosquitto}, an embedded Kafka.
 *
 * <p>Prints how long the bus took to notice the outage and the recovery, one line, for the record; never asserts
 * it.
 */
public abstract class HealthOutageSuite extends HealthSuite {

  private static final int EVENTS_PER_PHASE = 20;

  /** Stops the broker; returns once it refuses connections. */
  protected abstract void stopBroker() throws Exception;

  /** Starts the stopped broker again on the same address with the same data; returns once it accepts connections. */
  protected abstract void startBroker() throws Exception;

  /** The binding's name in the printed timings: {@code kafka}, {@code rabbitmq}, {@code mqtt}. */
  protected abstract String binding();

  /**
   * Why events published while the broker is down may be lost although the broker confirms them once it is back, or
   * {@code null} (the default) when they are not. A non-null reason makes the scenario publish nothing during the
   * outage, only before and after it, and prints the reason.
   */
  protected @Nullable String outageLimitation() {
    return null;
  }

  @Test
  void turnsNotReadyWithTheReasonWhileTheBrokerIsDownAndReadyAgainLosingNothing() throws Exception {
    EventBus bus = openBus("outage");
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    bus.subscribe(TEXT.channel("c"), "health", event -> delivered.add(event.id()));
    awaitReady(bus);
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    publish(bus, "before-", confirmed, sends);
    allDone(sends);
    awaitDelivered(delivered, confirmed);

    CompletableFuture<Void> during = CompletableFuture.completedFuture(null);
    long stopping = System.nanoTime();
    try {
      stopBroker();
      long stopped = System.nanoTime();
      Health down = Awaitility.await("bus not ready once the broker stopped").atMost(WAIT)
          .pollInterval(Duration.ofMillis(50)).until(bus::health, health -> !health.ready());
      long noticed = System.nanoTime();
      List<Health.Status> notUp = new ArrayList<>();
      if (down.transport().state() != Health.State.UP) {
        notUp.add(down.transport());
      }
      down.consumers().stream().map(Health.Consumer::status).filter(status -> status.state() != Health.State.UP)
          .forEach(notUp::add);
      assertThat(notUp).as("what is not up: %s", down).isNotEmpty().allSatisfy(status -> {
        assertThat(status.state()).isIn(Health.State.RECONNECTING, Health.State.STALLED);
        assertThat(status.lastError()).as("the reason of %s", status).isNotBlank();
      });
      String limitation = outageLimitation();
      if (limitation == null) {
        // On a thread of its own: a client may block a publish while the broker is away (Kafka's max.block.ms when
        // it has forgotten the topic's metadata), and these publishes are meant to span the outage and the recovery.
        during = CompletableFuture.runAsync(() -> {
          List<CompletableFuture<Void>> duringSends = new ArrayList<>();
          publish(bus, "during-", confirmed, duringSends);
          allDone(duringSends);
        });
      } else {
        System.out.println("[omnibus] " + binding() + " health: nothing published during the outage: " + limitation);
      }

      long starting = System.nanoTime();
      startBroker();
      long started = System.nanoTime();
      awaitReady(bus);
      long ready = System.nanoTime();
      // The broker may drop its connections before its stop command returns, and accept them before its start
      // command returns: both are printed from the command's beginning and with its duration.
      System.out.printf("[omnibus] %s health: not ready %d ms after the broker began to stop (stop took %d ms): %s; "
              + "ready %d ms after it began to start (start took %d ms)%n", binding(),
          TimeUnit.NANOSECONDS.toMillis(noticed - stopping), TimeUnit.NANOSECONDS.toMillis(stopped - stopping), down,
          TimeUnit.NANOSECONDS.toMillis(ready - starting), TimeUnit.NANOSECONDS.toMillis(started - starting));
    } finally {
      if (!bus.health().ready()) {
        startBroker(); // idempotent in the kits' brokers: a failed assertion must not leave the broker down
      }
    }

    List<CompletableFuture<Void>> after = new ArrayList<>();
    Set<String> confirmedAfter = ConcurrentHashMap.newKeySet();
    publish(bus, "after-", confirmedAfter, after);
    allDone(after);
    during.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    confirmed.addAll(confirmedAfter);
    assertThat(confirmedAfter).as("publishes confirmed once ready again").hasSize(EVENTS_PER_PHASE);
    awaitDelivered(delivered, confirmed);
    assertThat(bus.health().ready()).isTrue();
    System.out.printf("[omnibus] %s health: %d events confirmed (%d published during the outage), all delivered%n",
        binding(), confirmed.size(), confirmed.stream().filter(id -> id.startsWith("during-")).count());
  }

  private static void publish(EventBus bus, String prefix, Set<String> confirmed,
      List<CompletableFuture<Void>> sends) {
    for (int i = 0; i < EVENTS_PER_PHASE; i++) {
      var event = TEXT.channel("c").event(prefix + i).id(prefix + i).build();
      CompletableFuture<Void> sent = bus.publish(event).toCompletableFuture();
      sends.add(sent.whenComplete((ok, failure) -> {
        if (failure == null) {
          confirmed.add(event.id());
        }
      }));
    }
  }

  /** Waits until every send completed, confirmed or failed. */
  private static void allDone(List<CompletableFuture<Void>> sends) {
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).exceptionally(failure -> null)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  private static void awaitDelivered(Set<String> delivered, Set<String> confirmed) {
    Awaitility.await("every confirmed event delivered").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(delivered).containsAll(confirmed));
  }
}
