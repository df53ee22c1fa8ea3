package dev.omnibus.benchmarks.outbox;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.benchmarks.loopback.BrokerHosts;
import dev.omnibus.benchmarks.loopback.KafkaProcess;
import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.outbox.Outbox;
import dev.omnibus.outbox.OutboxRelay;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What the transactional outbox costs against publishing directly, on one bus, in one run: per round, side A
 * publishes {@code events} orders directly ({@code bus.publish}, all broker confirms awaited, at most
 * {@value #WINDOW} unconfirmed), then side B writes the same orders to the outbox table in transactions of
 * {@value #TRANSACTION} and an {@link OutboxRelay} publishes them (passes of {@value #BATCH} rows, each key's rows one
 * after the other's confirm, marked sent after the confirms) until all are sent. Rounds alternate A and B; the figures
 * are the medians of the rounds, the ratios the medians of the rounds' own ratios.
 *
 * <p>PostgreSQL at {@code OMNIBUS_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}, user
 * {@code OMNIBUS_PG_USER} or {@code postgres}), in a schema of the run's own, dropped afterwards; unpooled connections
 * ({@code PGSimpleDataSource}): one per writing transaction and per relay pass. No consumer: the figures are up to the
 * broker's confirm, which is where the relay's work ends.
 */
public final class OutboxSection {

  /** Orders published but not yet confirmed, at most, on the direct side. */
  static final int WINDOW = 1_000;
  /** Orders per business transaction on the outbox side. */
  static final int TRANSACTION = 100;
  /** Rows per relay pass. */
  static final int BATCH = 500;

  private static final String URL = BrokerHosts.env("OMNIBUS_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String USER = BrokerHosts.env("OMNIBUS_PG_USER", "postgres");
  private static final long RELAY_DEADLINE_SECONDS = 300;

  /** How many orders per round, how many rounds (after one warm-up round of each side). */
  public record Settings(int events, int rounds) {

    /** The full run. */
    public static Settings full(int events) {
      return new Settings(events, 5);
    }

    /** A smoke test of the harness. */
    public static Settings quick() {
      return new Settings(500, 1);
    }
  }

  /**
   * One binding's rounds, events/s: direct publishes, outbox writes (committed), and relayed (marked sent).
   *
   * @param binding the binding's name in the rows
   * @param direct side A, per round
   * @param written side B's writing, per round
   * @param relayed side B's relaying, per round
   */
  public record Result(String binding, List<Double> direct, List<Double> written, List<Double> relayed) {

    /** The median of the rounds' own relay / direct ratios. */
    public double relayOverDirect() {
      return medianRatio(relayed, direct);
    }

    /** The median of the rounds' own write / direct ratios. */
    public double writeOverDirect() {
      return medianRatio(written, direct);
    }

    /** Side B end to end per round: the events over the write's time plus the relay's. */
    public List<Double> endToEnd() {
      List<Double> both = new ArrayList<>();
      for (int i = 0; i < Math.min(written.size(), relayed.size()); i++) {
        both.add(1 / (1 / written.get(i) + 1 / relayed.get(i)));
      }
      return both;
    }

    /** The median of the rounds' own ratios of side B end to end (write, then relay) over direct. */
    public double outboxOverDirect() {
      return medianRatio(endToEnd(), direct);
    }
  }

  private final Settings settings;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  public OutboxSection(Settings settings) {
    this.settings = settings;
  }

  /**
   * In memory, on Kafka (a KRaft node in a JVM of its own, a one-partition topic) and on the machine's RabbitMQ
   * (skipped, with a note, when it is not reachable; an exchange without queues, which still confirms).
   *
   * @param notes where a skipped binding is reported
   */
  public List<Result> run(List<String> notes) throws Exception {
    List<Result> results = new ArrayList<>();
    InMemoryBroker broker = InMemoryBroker.create();
    results.add(measure("memory", EventBus.builder().server(broker.server()).channel(Orders.CHANNEL,
        "orders.outbox")));
    try (KafkaProcess kafka = KafkaProcess.start()) {
      String topic = "bench-outbox-" + run;
      kafka.createTopic(topic);
      results.add(measure("kafka", EventBus.builder()
          .server(ServerConfig.of("bench", "kafka", kafka.bootstrapServers())).channel(Orders.CHANNEL, topic)));
    }
    String rabbit = BrokerHosts.env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
    if (BrokerHosts.reachable(rabbit, 5672)) {
      results.add(measure("rabbitmq", EventBus.builder()
          .server(ServerConfig.of("bench", "amqp", rabbit + ":5672").withCredentials(Credentials.of("guest", "guest")))
          .channel(Orders.CHANNEL, "bench.outbox." + run)));
    } else {
      notes.add("outbox, rabbitmq: not measured in this run (RabbitMQ is not reachable at " + rabbit + ":5672).");
    }
    return results;
  }

  private Result measure(String binding, EventBus.Builder builder) throws Exception {
    String schema = "omnibus_bench_" + run + "_" + binding;
    PGSimpleDataSource dataSource = dataSource(schema);
    try (Connection connection = dataSource(null).getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL is not reachable at " + URL + " as " + USER + " (set OMNIBUS_PG_URL "
          + "and OMNIBUS_PG_USER): " + e.getMessage(), e);
    }
    try (EventBus bus = builder.source(Orders.SOURCE).build()) {
      Outbox outbox = Outbox.of(dataSource).createSchema();
      try (OutboxRelay relay = OutboxRelay.builder(dataSource, bus).types(Orders.ORDER_PLACED).batchSize(BATCH)
          .build()) {
        List<Double> direct = new ArrayList<>();
        List<Double> written = new ArrayList<>();
        List<Double> relayed = new ArrayList<>();
        for (int round = -1; round < settings.rounds(); round++) {
          double a = direct(bus);
          truncate(dataSource, outbox.table());
          double write = write(dataSource, outbox);
          double relayRate = relayAll(relay);
          log(String.format(Locale.ROOT, "outbox, %s %s: direct %,.0f/s, outbox write %,.0f/s, relay "
              + "%,.0f/s", binding, round < 0 ? "warm-up" : "round " + (round + 1), a, write, relayRate));
          if (round >= 0) {
            direct.add(a);
            written.add(write);
            relayed.add(relayRate);
          }
        }
        return new Result(binding, direct, written, relayed);
      }
    } finally {
      try (Connection connection = dataSource(null).getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  /** Side A: every order published directly, at most {@link #WINDOW} unconfirmed; events/s until the last confirm. */
  private double direct(EventBus bus) throws InterruptedException {
    Semaphore window = new Semaphore(WINDOW);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long start = System.nanoTime();
    for (int i = 0; i < settings.events(); i++) {
      window.acquire();
      bus.publish(event(i)).whenComplete((ignored, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        }
        window.release();
      });
    }
    if (!window.tryAcquire(WINDOW, 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("direct publishes not confirmed within 120 s");
    }
    double rate = rate(start);
    if (failure.get() != null) {
      throw new IllegalStateException("a direct publish failed: " + failure.get(), failure.get());
    }
    return rate;
  }

  /** Side B, writing: the orders written to the outbox in committed transactions; events/s until the last commit. */
  private double write(PGSimpleDataSource dataSource, Outbox outbox) throws SQLException {
    long start = System.nanoTime();
    for (int from = 0; from < settings.events(); from += TRANSACTION) {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        for (int i = from; i < Math.min(settings.events(), from + TRANSACTION); i++) {
          outbox.publish(connection, event(i));
        }
        connection.commit();
      }
    }
    return rate(start);
  }

  /** Side B, relaying: passes until every row is marked sent; events/s from the first pass to the last commit. */
  private double relayAll(OutboxRelay relay) {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(RELAY_DEADLINE_SECONDS);
    int sent = 0;
    while (sent < settings.events()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the relay sent " + sent + " of " + settings.events() + " rows in "
            + RELAY_DEADLINE_SECONDS + " s");
      }
      sent += relay.flush();
    }
    return rate(start);
  }

  private static Event<Order> event(int n) {
    return Orders.ORDER_PLACED.event(Orders.order(n, System.nanoTime())).extension("traceparent", Orders.TRACEPARENT)
        .build();
  }

  private double rate(long startNanos) {
    return settings.events() / ((System.nanoTime() - startNanos) / 1e9);
  }

  private static void truncate(PGSimpleDataSource dataSource, String table) throws SQLException {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE " + table);
    }
  }

  /** Connections whose unqualified tables ({@code omnibus_outbox}, {@code omnibus_inbox}) are in this schema. */
  private static PGSimpleDataSource dataSource(@Nullable String schema) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(URL);
    dataSource.setUser(USER);
    dataSource.setApplicationName("omnibus-benchmarks");
    if (schema != null) {
      dataSource.setCurrentSchema(schema);
    }
    return dataSource;
  }

  private static double medianRatio(List<Double> numerators, List<Double> denominators) {
    double[] ratios = new double[Math.min(numerators.size(), denominators.size())];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = numerators.get(i) / denominators.get(i);
    }
    return median(ratios);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static void log(String message) {
    System.out.println("[outbox] " + message);
  }

}
