package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.memory.InMemoryBroker;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backlog of committed rows, many keys, large passes: the relay publishes each row once, in order per key. (How
 * fast, against direct publishes, is the benchmark runner's {@code outbox} section; see docs/benchmarks.md.)
 */
class OutboxBacklogTest {

  record Tick(String key, int seq) {}

  private static final EventType<Tick> TICK = EventType.of("com.example.tick.v1", Tick.class).channel("ticks")
      .subject(Tick::key);
  private static final int EVENTS = 2_000;
  private static final int KEYS = 50;

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
  void theRelayPublishesABacklogOfManyKeysEachRowOnceInOrderPerKey() throws Exception {
    EventBus bus = EventBus.builder().server(InMemoryBroker.create().server()).build();
    closing.add(bus);
    Map<String, List<Integer>> received = new ConcurrentHashMap<>();
    closing.add(bus.subscribe(TICK, "audit", event ->
        received.computeIfAbsent(event.data().key(), key -> new CopyOnWriteArrayList<>()).add(event.data().seq())));
    Outbox outbox = Outbox.of(postgres.dataSource()).table(postgres.outbox);
    for (int from = 0; from < EVENTS; from += 100) {
      try (Connection connection = postgres.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        for (int i = from; i < from + 100; i++) {
          outbox.publish(connection, TICK, new Tick("k" + (i % KEYS), i));
        }
        connection.commit();
      }
    }

    OutboxRelay relay = OutboxRelay.builder(postgres.dataSource(), bus).table(postgres.outbox).types(TICK)
        .batchSize(500).pollInterval(Duration.ofMillis(10)).build().start();
    closing.add(relay);

    await().atMost(Duration.ofSeconds(120)).until(() -> postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE status = 'SENT'") == EVENTS);
    await().atMost(Duration.ofSeconds(30)).until(() -> received.values().stream().mapToInt(List::size).sum()
        >= EVENTS);
    assertThat(received).hasSize(KEYS);
    received.forEach((key, seqs) -> assertThat(seqs).as("key %s", key).hasSize(EVENTS / KEYS).isSorted()
        .doesNotHaveDuplicates());
  }
}
