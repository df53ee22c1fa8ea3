package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.tck.FaultReport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox's fault scenarios on the real PostgreSQL and one binding: business transactions write an order row and
 * its event; relays publish; a consumer handles through the {@link Inbox}. Each writes a {@link FaultReport} (the
 * fault suite's JSON) to {@code target/faults/outbox-<scenario>-<binding>.json}, where {@code acked} counts the rows
 * marked sent and {@code duplicatesAfterDedupe} the effects beyond the first after the inbox; every scenario requires
 * lost = 0, no duplicate effect, and no event of a rolled-back transaction delivered.
 */
abstract class OutboxScenarios {

  record Order(String id, int seq) {}

  static final EventType<Order> ORDER = EventType.of("com.example.order.v1", Order.class).channel("orders")
      .subject(Order::id);
  private static final Duration WAIT = Duration.ofSeconds(60);

  protected Postgres postgres;
  protected String address;
  private EventType<Order> order;
  private Outbox outbox;
  private Inbox inbox;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  private final Set<String> committed = ConcurrentHashMap.newKeySet();
  private final Set<String> rolledBack = ConcurrentHashMap.newKeySet();

  /** A builder of a bus on the binding's broker. */
  protected abstract EventBus.Builder newBus();

  /** The binding's name in the reports. */
  protected abstract String binding();

  @BeforeEach
  void start() throws Exception {
    postgres = Postgres.start();
    postgres.execute("CREATE TABLE " + postgres.schema + ".orders (id TEXT NOT NULL, seq INT NOT NULL)");
    postgres.execute("CREATE TABLE " + postgres.schema + ".effects (event_id TEXT NOT NULL)");
    address = "outbox-" + postgres.schema;
    order = ORDER;
    outbox = Outbox.of(postgres.dataSource()).table(postgres.outbox);
    inbox = Inbox.of(postgres.dataSource()).table(postgres.inbox);
    EventBus consumer = bus();
    var handler = inbox.<Order>handler("billing", (event, connection) -> {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + postgres.schema
          + ".effects (event_id) VALUES (?)")) {
        insert.setString(1, event.id());
        insert.executeUpdate();
      }
    });
    consumer.subscribe(order, "billing", event -> {
      deliveries.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
      handler.handle(event);
    });
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    cleanUp();
    postgres.close();
  }

  /** Deletes what the scenario left on a shared broker. */
  protected void cleanUp() throws Exception {}

  @Test
  void rollingBackHalfTheTransactionsDeliversExactlyTheCommittedHalf() throws Exception {
    relay(bus()).start();

    for (int i = 0; i < 200; i++) {
      businessTransaction(List.of(new Order("o-" + (i % 10), i)), i % 2 == 0);
    }

    report("rollback-half");
  }

  @Test
  void twoRelaysAtOnceLoseNothingAndDoubleNothing() throws Exception {
    for (int i = 0; i < 300; i += 10) {
      List<Order> orders = new ArrayList<>();
      for (int j = i; j < i + 10; j++) {
        orders.add(new Order("o-" + (j % 10), j));
      }
      businessTransaction(orders, true);
    }

    relay(bus()).start();
    relay(bus()).start();

    report("two-relays");
  }

  /**
   * The relay's process dies mid-pass: its publishes reached the broker but it never saw the confirms, and its
   * database session is killed ({@code pg_terminate_backend}, what the server sees of a kill -9). Another relay then
   * publishes the same rows again; the inbox absorbs the duplicates.
   */
  @Test
  void aRelayKilledMidFlushLosesNothingAndTheInboxAbsorbsItsDuplicates() throws Exception {
    for (int i = 0; i < 50; i++) {
      businessTransaction(List.of(new Order("o-" + i, i)), true);
    }
    String victim = "victim_" + postgres.schema;
    EventBus dying = bus(new Interceptor() {
      @Override
      public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
        next.proceed(publishing);
        return new CompletableFuture<>(); // the confirm never reaches the relay
      }
    });
    OutboxRelay doomed = OutboxRelay.builder(Postgres.dataSource(victim), dying).table(postgres.outbox)
        .types(order).publishTimeout(Duration.ofSeconds(30)).build();
    CompletableFuture<Integer> pass = CompletableFuture.supplyAsync(doomed::flush);
    await().atMost(WAIT).until(() -> deliveries.size() == 50);

    long killed = postgres.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        + "WHERE application_name = '" + victim + "'");
    relay(bus()).start();

    assertThat(killed).isEqualTo(1);
    await().atMost(WAIT).until(() -> deliveries.values().stream().mapToInt(AtomicInteger::get).sum() == 100);
    FaultReport report = report("relay-killed-mid-flush");
    assertThat(report.duplicates()).isEqualTo(50);
    pass.cancel(true);
  }

  /**
   * A relay in a child JVM ({@link RelayProcess}) killed with SIGKILL ({@code destroyForcibly()}) once it marked some
   * rows sent but not all; a relay started afterwards publishes the rest (and again what the dead one had published
   * without marking), the inbox absorbs the duplicates.
   *
   * @param protocol {@code amqp}, {@code mqtt} or {@code kafka}
   * @param hostPort the broker, as the child's bus reaches it
   */
  protected void relayProcessKilledMidFlush(String protocol, String hostPort) throws Exception {
    for (int i = 0; i < 400; i += 20) {
      List<Order> orders = new ArrayList<>();
      for (int j = i; j < i + 20; j++) {
        orders.add(new Order("o-" + (j % 40), j));
      }
      businessTransaction(orders, true);
    }
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), RelayProcess.class.getName(), Postgres.URL, Postgres.USER,
        postgres.outbox, protocol, hostPort, address)
        .redirectErrorStream(true).redirectOutput(Path.of("target", "relay-process.log").toFile()).start();
    long sentAtKill;
    try {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> postgres.count("SELECT count(*) FROM "
          + postgres.outbox + " WHERE status = 'SENT'") > 0);
    } finally {
      child.destroyForcibly();
      child.waitFor();
      sentAtKill = postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'SENT'");
    }
    relay(bus()).start();

    assertThat(sentAtKill).as("rows marked sent when the relay was killed").isBetween(1L, 399L);
    report("relay-process-killed");
  }

  protected FaultReport report(String scenario) throws Exception {
    await().atMost(WAIT).until(() -> postgres.count("SELECT count(DISTINCT event_id) FROM " + postgres.schema
        + ".effects") >= committed.size());
    await().atMost(WAIT).until(() -> postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE status = 'SENT'") == committed.size());
    long effects = postgres.count("SELECT count(*) FROM " + postgres.schema + ".effects");
    long distinctEffects = postgres.count("SELECT count(DISTINCT event_id) FROM " + postgres.schema + ".effects");
    long sent = postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'SENT'");
    long dead = postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'DEAD'");
    Set<String> delivered = new HashSet<>(deliveries.keySet());
    long duplicates = deliveries.values().stream().mapToLong(count -> count.get() - 1L).sum();
    Set<String> lost = new HashSet<>(committed);
    lost.removeAll(delivered);
    Set<String> ghosts = new HashSet<>(rolledBack);
    ghosts.retainAll(delivered);
    FaultReport report = new FaultReport("outbox-" + scenario + "-" + binding(), binding(),
        committed.size() + rolledBack.size(), sent, delivered.size(), duplicates, effects - distinctEffects, dead,
        lost.size());
    report.write(Path.of("target", "faults"));
    assertThat(lost).as("committed events never delivered").isEmpty();
    assertThat(ghosts).as("events of rolled-back transactions delivered").isEmpty();
    assertThat(effects).as("effects after the inbox").isEqualTo(distinctEffects).isEqualTo(committed.size());
    return report;
  }

  protected void businessTransaction(List<Order> orders, boolean commit) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection connection = postgres.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      for (Order placed : orders) {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + postgres.schema
            + ".orders (id, seq) VALUES (?, ?)")) {
          insert.setString(1, placed.id());
          insert.setInt(2, placed.seq());
          insert.executeUpdate();
        }
        ids.add(outbox.publish(connection, order, placed).id());
      }
      if (commit) {
        connection.commit();
        committed.addAll(ids);
      } else {
        connection.rollback();
        rolledBack.addAll(ids);
      }
    }
  }

  protected OutboxRelay relay(EventBus bus) {
    OutboxRelay relay = OutboxRelay.builder(postgres.dataSource(), bus).table(postgres.outbox).types(order)
        .pollInterval(Duration.ofMillis(50)).backoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
    closing.add(relay);
    return relay;
  }

  protected EventBus bus(Interceptor... interceptors) {
    EventBus.Builder builder = newBus().channel("orders", address);
    for (Interceptor interceptor : interceptors) {
      builder.intercept(interceptor);
    }
    EventBus bus = builder.build();
    closing.add(bus);
    return bus;
  }
}
