package dev.omnibus.rabbitmq.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Health;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.ConfirmWindow;
import dev.omnibus.tck.FaultReport;
import dev.omnibus.tck.OwnRabbitMq;
import dev.omnibus.tck.OwnRabbitMqCluster;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quorum queues on a three-node RabbitMQ cluster of the test's own ({@link OwnRabbitMqCluster}; never the machine's
 * node): one bus, given every node ({@code x-omnibus-addresses}) and {@code x-omnibus-queue-type: quorum}, publishes
 * 10,000 events awaiting their confirms while its group consumer reads them; a third of the way in, one node's
 * application is stopped ({@code rabbitmqctl stop_app}), and started again while the second third is published, paced.
 * The stopped node is, in one scenario, the leader of the group's quorum queue (the node of the consuming connection,
 * which declared it), in the other the node of the publishing connection: either connection must recover on another
 * node. Each scenario writes a {@link FaultReport} to {@code target/faults/<scenario>.json}, prints it, and asserts
 * that no confirmed event was lost.
 */
class RabbitMqClusterFaultTest {

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Duration PACE = Duration.ofMillis(5);
  private static final int EVENTS = 10_000;
  private static final EventType<String> TEXT = EventType.of("dev.omnibus.faults.text", String.class);

  private static @Nullable OwnRabbitMqCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    long started = System.nanoTime();
    cluster = OwnRabbitMqCluster.start("q", 3);
    System.out.printf("[omnibus] three-node cluster %s up in %d ms%n", cluster.addresses(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void stoppingTheLeaderOfTheGroupsQuorumQueueLosesNoConfirmedEvent() throws Exception {
    scenario("cluster-leader-stop", (server, queue) -> cluster().leaderOf(queue));
  }

  @Test
  void stoppingTheNodeOfThePublishingConnectionLosesNoConfirmedEvent() throws Exception {
    scenario("cluster-publisher-node-stop",
        (server, queue) -> cluster().nodeOfConnection("omnibus-" + server + "-publish"));
  }

  private static OwnRabbitMqCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException("the cluster did not start");
    }
    return cluster;
  }

  /** Counts deliveries per event id. */
  private static final class Tally {
    final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    void add(String id) {
      deliveries.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
    }

    long duplicates() {
      return deliveries.values().stream().mapToLong(count -> count.get() - 1L).sum();
    }
  }

  private void scenario(String name, BiFunction<String, String, Optional<OwnRabbitMq>> victimOf) throws Exception {
    OwnRabbitMqCluster nodes = cluster();
    String server = name;
    String address = "faults." + name + "." + Long.toString(Math.abs(new Random().nextLong()), 36);
    String queue = address + ".cluster";
    ServerConfig config = ServerConfig.of(server, "amqp", nodes.node(0).address())
        .withOption("addresses", String.join(",", nodes.addresses()))
        .withOption("queue-type", "quorum");
    try (EventBus bus = EventBus.builder().server(config).source(URI.create("/faults/cluster"))
        .channel("c", address).build()) {
      Tally tally = new Tally();
      bus.subscribe(TEXT.channel("c"), "cluster", event -> tally.add(event.id()));
      OwnRabbitMq victim = victimOf.apply(server, queue)
          .orElseThrow(() -> new AssertionError("no node found to stop for " + name));
      String consuming = "omnibus-" + server + "-consume";
      String publishing = "omnibus-" + server + "-publish";
      System.out.printf("[omnibus] %s: stopping %s; queue leader %s, consuming connection on %s, publishing on %s%n",
          name, victim.node(), nodes.leaderOf(queue).map(OwnRabbitMq::node).orElse("?"),
          nodes.nodeOfConnection(consuming).map(OwnRabbitMq::node).orElse("?"),
          nodes.nodeOfConnection(publishing).map(OwnRabbitMq::node).orElse("?"));
      boolean consumerOnVictim = nodes.nodeOfConnection(consuming).filter(victim::equals).isPresent();
      boolean publisherOnVictim = nodes.nodeOfConnection(publishing).filter(victim::equals).isPresent();

      long[] downMillis = new long[1];
      long[] reconnectMillis = new long[1];
      CompletableFuture<Void>[] outage = new CompletableFuture[1];
      Set<String> confirmed = publish(bus, () -> outage[0] = CompletableFuture.runAsync(() -> {
        long stopped = System.nanoTime();
        try {
          victim.stopApp();
          long down = System.nanoTime();
          // Kept down until the connections that were on it have recovered on another node (at most WAIT).
          awaitReconnected(nodes, victim, consumerOnVictim ? consuming : null, publisherOnVictim ? publishing : null);
          reconnectMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);
        } finally {
          downMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
          victim.startApp();
        }
      }, runnable -> new Thread(runnable, "omnibus-cluster-outage").start()));
      outage[0].get(WAIT.toSeconds(), TimeUnit.SECONDS);
      Awaitility.await("every confirmed event delivered").atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .ignoreExceptions().until(() -> tally.deliveries.keySet().containsAll(confirmed));

      long delivered = confirmed.stream().filter(tally.deliveries::containsKey).count();
      FaultReport report = new FaultReport(name, "rabbitmq-quorum-cluster", EVENTS, confirmed.size(), delivered,
          tally.duplicates(), 0, 0, confirmed.size() - delivered);
      Path file = report.write(Path.of("target", "faults"));
      System.out.printf("[omnibus] %s (node stopped %d ms, its connections open on another node %d ms after its port "
          + "closed; consumer was on it: %s, publisher was on it: %s) -> %s%n", report, downMillis[0],
          reconnectMillis[0], consumerOnVictim, publisherOnVictim, file);
      assertThat(report.acked()).as("publishes confirmed across the outage").isPositive();
      assertThat(report.lost()).as("confirmed events never delivered: %s", report).isZero();
      Awaitility.await("the bus healthy again").atMost(WAIT).until(() -> bus.health().state() == Health.State.UP);
    }
  }

  /**
   * While the node is stopped: waits until each named connection that was on it is open on another node, which is
   * what a client given every node of the cluster must do.
   */
  private static void awaitReconnected(OwnRabbitMqCluster nodes, OwnRabbitMq stopped, @Nullable String... names) {
    for (String connection : names) {
      if (connection != null) {
        Awaitility.await(connection + " reconnected to another node").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
            .until(() -> nodes.nodeOfConnection(connection).filter(node -> !node.equals(stopped)).isPresent());
      }
    }
  }

  /** Publishes {@link #EVENTS} across the outage as the kit's fault suite does ({@link ConfirmWindow#publishAcross}). */
  private static Set<String> publish(EventBus bus, java.util.function.Supplier<CompletableFuture<Void>> outageAtOneThird)
      throws InterruptedException {
    return ConfirmWindow.publishAcross(bus, TEXT.channel("c"), EVENTS, "e", outageAtOneThird, PACE, WAIT);
  }
}
