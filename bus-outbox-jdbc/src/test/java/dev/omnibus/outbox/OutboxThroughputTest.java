package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.Brokers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events per second through the outbox relay against direct publishes, in the same run, written to
 * {@code target/benchmarks/outbox-<binding>.json}. A small run (2,000 events) that fits in the test suite: the numbers
 * are indicative; what it asserts is that the relay publishes everything.
 */
class OutboxThroughputTest {

  record Tick(String key, int seq) {}

  private static final EventType<Tick> TICK = EventType.of("com.example.tick.v1", Tick.class).channel("ticks")
      .subject(Tick::key);
  private static final int EVENTS = 2_000;

  private Postgres postgres;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    postgres = Postgres.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    postgres.close();
  }

  @Test
  void theRelayPublishesEverythingOnMemory() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    measure("memory", () -> EventBus.builder().server(broker.server()));
  }

  @Test
  void theRelayPublishesEverythingOnRabbitMq() throws Exception {
    Brokers.assumeReachable("RabbitMQ", "127.0.0.1", 5672);
    // No consumer: the exchange drops what no queue takes, as the broker's confirm still comes back.
    measure("rabbitmq", () -> EventBus.builder().server(ServerConfig.of("bench", "amqp", "127.0.0.1:5672")
        .withCredentials(Credentials.of("guest", "guest"))).channel("ticks", "outbox-bench-" + postgres.schema));
  }

  private void measure(String binding, Supplier<EventBus.Builder> buses) throws Exception {
    EventBus bus = buses.get().build();
    closing.add(bus);
    long directStart = System.nanoTime();
    List<CompletableFuture<Void>> confirms = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      confirms.add(bus.publish(TICK, new Tick("k" + (i % 50), i)).toCompletableFuture());
    }
    CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).join();
    double direct = rate(directStart);

    Outbox outbox = Outbox.of(postgres.dataSource()).table(postgres.outbox);
    long writeStart = System.nanoTime();
    for (int from = 0; from < EVENTS; from += 100) {
      try (Connection connection = postgres.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        for (int i = from; i < from + 100; i++) {
          outbox.publish(connection, TICK, new Tick("k" + (i % 50), i));
        }
        connection.commit();
      }
    }
    double written = rate(writeStart);

    OutboxRelay relay = OutboxRelay.builder(postgres.dataSource(), bus).table(postgres.outbox).types(TICK)
        .batchSize(500).pollInterval(Duration.ofMillis(10)).build();
    closing.add(relay);
    long relayStart = System.nanoTime();
    relay.start();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10)).until(() -> postgres.count(
        "SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'SENT'") == EVENTS);
    double relayed = rate(relayStart);

    Path report = Path.of("target", "benchmarks", "outbox-" + binding + ".json");
    Files.createDirectories(report.getParent());
    Files.writeString(report, String.format(Locale.ROOT, "{\"binding\": \"%s\", \"events\": %d, "
        + "\"directPublishPerSecond\": %.0f, \"outboxWritePerSecond\": %.0f, \"relayPerSecond\": %.0f, "
        + "\"relayOverDirect\": %.3f}%n", binding, EVENTS, direct, written, relayed, relayed / direct));
    assertThat(relayed).isPositive();
  }

  private static double rate(long startNanos) {
    return EVENTS / ((System.nanoTime() - startNanos) / 1e9);
  }
}
