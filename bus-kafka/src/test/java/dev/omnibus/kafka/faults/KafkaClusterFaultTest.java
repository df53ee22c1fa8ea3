package dev.omnibus.kafka.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.ChildBus;
import dev.omnibus.tck.ConfirmWindow;
import dev.omnibus.tck.FaultReport;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.test.kafka.EmbeddedKafkaCluster;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka on a cluster of three KRaft nodes of the test's own ({@link EmbeddedKafkaCluster}, inside the test JVM), with
 * channels whose binding asks for three replicas and {@code min.insync.replicas: 2}: a partition leader killed while a
 * bus publishes under load, and a group's members in three processes through rebalances and a SIGKILL. Each scenario
 * writes its {@link FaultReport} to {@code target/faults}, prints it, and asserts that no acknowledged event was lost.
 */
class KafkaClusterFaultTest {

  private static final EventType<String> TEXT = EventType.of("dev.omnibus.faults.text", String.class);
  private static final URI SOURCE = URI.create("/faults/kafka-cluster");
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int EVENTS = 10_000;
  /** How far apart the events published while the leader is down are, so that they span the failover. */
  private static final Duration FAILOVER_PACE = Duration.ofMillis(5);
  /** The events file lines of a member's handled event and of a delivery its dedupe skipped ({@link ChildBus}). */
  private static final String HANDLED = "handled";
  private static final String DUPLICATE = "duplicate";

  private static @Nullable EmbeddedKafkaCluster cluster;

  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private final List<ChildBus> members = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedKafka.startCluster("omnibus-kafka-cluster-faults-");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stopEverythingStarted() throws InterruptedException {
    for (ChildBus member : members) {
      member.close();
    }
    for (EventBus bus : buses) {
      bus.close();
    }
    // A scenario that failed half-way leaves no node down for the next one.
    for (int node : cluster().nodeIds()) {
      cluster().startNode(node);
    }
  }

  @Test
  void theLeaderKilledWhileABusPublishesLosesNoAcknowledgedEvent() throws Exception {
    String address = unique("failover");
    EventBus consumer = bus(address, 1);
    Tally tally = new Tally();
    consumer.subscribe(TEXT.channel("c"), "failover", event -> tally.add(event.id()));
    assertReplicatedThreeTimesWithTwoInSync(address, 1);
    EventBus publisher = bus(address, 1);
    int leader = cluster().leaderOf(address, 0);

    // A third at full speed; the leader is killed and a third goes out paced while the cluster fails over; once a
    // new leader serves, the old one is started again and the last third goes out at full speed meanwhile.
    AtomicInteger newLeader = new AtomicInteger(-1);
    AtomicLong killedAt = new AtomicLong();
    AtomicLong ledAgainAt = new AtomicLong();
    AtomicLong slowestAckNanos = new AtomicLong();
    CompletableFuture<Void> failover = new CompletableFuture<>();
    CompletableFuture<Void> restart = new CompletableFuture<>();
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    AtomicInteger failed = new AtomicInteger();
    Semaphore window = new Semaphore(256);
    List<CompletableFuture<Void>> sent = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      if (i == EVENTS / 3) {
        CompletableFuture.runAsync(() -> {
          killedAt.set(System.nanoTime());
          cluster().stopNode(leader);
          Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
              .until(() -> cluster().leaderOf(address, 0) != leader);
          newLeader.set(cluster().leaderOf(address, 0));
          ledAgainAt.set(System.nanoTime());
        }).whenComplete((ok, failure) -> complete(failover, failure));
      }
      if (i > EVENTS / 3 && i < 2 * EVENTS / 3) {
        waitAtMost(failover, FAILOVER_PACE);
      }
      if (i == 2 * EVENTS / 3) {
        waitAtMost(failover, WAIT);
        CompletableFuture.runAsync(() -> cluster().startNode(leader))
            .whenComplete((ok, failure) -> complete(restart, failure));
      }
      window.acquire();
      var event = TEXT.channel("c").event("f" + i).subject("k" + (i % 32)).build();
      long publishedAt = System.nanoTime();
      CompletableFuture<Void> publish = publisher.publish(event).toCompletableFuture();
      sent.add(publish);
      publish.whenComplete((ok, failure) -> {
        window.release();
        slowestAckNanos.accumulateAndGet(System.nanoTime() - publishedAt, Math::max);
        if (failure == null) {
          confirmed.add(event.id());
        } else {
          failed.incrementAndGet();
        }
      });
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).exceptionally(failure -> null)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    failover.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    restart.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitQuietly(() -> tally.deliveries.keySet().containsAll(confirmed));

    FaultReport report = report(new FaultReport("cluster-leader-killed", "kafka", EVENTS, confirmed.size(),
        confirmed.stream().filter(tally.deliveries::containsKey).count(), tally.duplicates(), 0, 0,
        confirmed.stream().filter(id -> !tally.deliveries.containsKey(id)).count()));
    // Measured, not asserted (the machine is shared): how long the partition had no serving leader, and the
    // slowest publish's wait for its acknowledgement.
    System.out.printf("cluster-leader-killed: node %d killed, node %d led after %d ms, %d publishes failed, "
        + "slowest acknowledgement %d ms%n", leader, newLeader.get(),
        TimeUnit.NANOSECONDS.toMillis(ledAgainAt.get() - killedAt.get()), failed.get(),
        TimeUnit.NANOSECONDS.toMillis(slowestAckNanos.get()));
    assertThat(newLeader.get()).as("the partition's leader after the failover").isNotIn(-1, leader);
    assertThat(report.acked()).as("publishes acknowledged (acks=all, one of three nodes down, min ISR 2): %s", report)
        .isEqualTo(EVENTS);
    assertThat(report.lost()).as("acknowledged events never delivered: %s", report).isZero();
  }

  @Test
  void groupMembersInThreeProcessesThroughRebalancesAndAKillLoseNothingAndDedupeTheRedeliveries() throws Exception {
    String address = unique("members");
    String group = "members";
    int partitions = 6;
    Path run = Files.createDirectories(Path.of("target", "cluster-members", address));
    Path dedupe = Files.createDirectories(run.resolve("dedupe"));
    EventBus publisher = bus(address, partitions);
    // The first publish creates the topic with the binding; the members find it there.
    publisher.publish(TEXT.channel("c").event("warm-up").build()).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertReplicatedThreeTimesWithTwoInSync(address, partitions);

    ChildBus first = startMember(address, group, dedupe, run, "member-1");
    first.awaitReady(WAIT);

    // The publisher runs beside the scenario: paced while the other members join, a burst once they have
    // partitions (the second is killed in the middle of it), and paced again after the kill.
    CountDownLatch joined = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
      try {
        publishAroundTheKill(publisher, confirmed, joined, killed);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });

    long handledBySecondAtJoin;
    long handledBySecondAtKill;
    ChildBus second;
    ChildBus third;
    try {
      first.awaitAtLeast(HANDLED, 300, WAIT);
      second = startMember(address, group, dedupe, run, "member-2");
      third = startMember(address, group, dedupe, run, "member-3");
      second.awaitAtLeast(HANDLED, 50, WAIT);
      third.awaitAtLeast(HANDLED, 1, WAIT);
      handledBySecondAtJoin = second.lines(HANDLED).size();
      joined.countDown();
      second.awaitAtLeast(HANDLED, handledBySecondAtJoin + 200, WAIT);
      second.kill(); // SIGKILL: no commit, no leaving the group
      handledBySecondAtKill = second.lines(HANDLED).size();
    } finally {
      // The publisher never waits for a step of a scenario that failed.
      joined.countDown();
      killed.countDown();
    }
    publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    List<ChildBus> children = List.of(first, second, third);
    awaitQuietly(() -> handledIds(children).containsAll(confirmed));
    first.kill();
    third.kill();
    deleteTree(dedupe); // ten thousand marker files; the members' events files and logs stay in target/cluster-members
    Map<String, Integer> handled = new HashMap<>();
    Map<String, Integer> received = new HashMap<>();
    for (ChildBus child : children) {
      for (String id : child.lines(HANDLED)) {
        handled.merge(id, 1, Integer::sum);
        received.merge(id, 1, Integer::sum);
      }
      for (String id : child.lines(DUPLICATE)) {
        received.merge(id, 1, Integer::sum);
      }
    }
    long delivered = confirmed.stream().filter(handled::containsKey).count();
    FaultReport report = report(new FaultReport("cluster-members-killed", "kafka", EVENTS, confirmed.size(),
        delivered, duplicates(received, confirmed), duplicates(handled, confirmed), 0, confirmed.size() - delivered));
    long[] perMember = children.stream().mapToLong(child -> child.lines(HANDLED).size()).toArray();
    System.out.printf("cluster-members-killed: handled per member %d / %d / %d, the second killed after %d "
        + "(%d of them in the burst)%n", perMember[0], perMember[1], perMember[2], handledBySecondAtKill,
        handledBySecondAtKill - handledBySecondAtJoin);
    assertThat(perMember).as("events handled per member: each got partitions in a rebalance").doesNotContain(0L);
    assertThat(received.keySet()).as("events skipped as duplicates were handled by some member")
        .isSubsetOf(handled.keySet());
    assertThat(report.lost()).as("acknowledged events no member handled: %s", report).isZero();
  }

  /**
   * Publishes {@link #EVENTS}: at about 500 a second until the members have joined (at most 60% of them), then a
   * burst of 3,000 at full speed, then, once the member is killed, the rest at about 500 a second. Collects the
   * acknowledged ids.
   */
  private static void publishAroundTheKill(EventBus publisher, Set<String> confirmed, CountDownLatch joined,
      CountDownLatch killed) throws InterruptedException {
    ConfirmWindow window = new ConfirmWindow(ConfirmWindow.DEFAULT_SIZE);
    int burstEnd = -1;
    for (int i = 0; i < EVENTS; i++) {
      boolean burst = false;
      if (burstEnd < 0 && (joined.getCount() == 0 || i == EVENTS * 6 / 10)) {
        burstEnd = i + 3_000;
      }
      if (burstEnd >= 0 && i < burstEnd) {
        burst = true;
      } else if (i == burstEnd) {
        killed.await(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      if (!burst && i % 10 == 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the load's pace, not a wait for a condition
      }
      window.publish(publisher, TEXT.channel("c").event("m" + i).subject("k" + (i % 64)).build());
    }
    confirmed.addAll(window.awaitAll(WAIT));
  }

  /** Deliveries beyond the first of the acknowledged events. */
  private static long duplicates(Map<String, Integer> counts, Set<String> confirmed) {
    return confirmed.stream().mapToLong(id -> Math.max(0, counts.getOrDefault(id, 0) - 1L)).sum();
  }

  /**
   * Starts a member in a child JVM: about a millisecond of work per event (so that a kill lands in the middle of a
   * poll's batch, with events handled whose offsets are not committed yet, as in a real service), the dedupe store
   * the group's processes share, and a session timeout of 6 s (the broker's least, rather than 45 s) so that a killed
   * member's partitions move soon.
   */
  private ChildBus startMember(String address, String group, Path dedupe, Path run, String name) throws IOException {
    ServerConfig server = ServerConfig.of("cluster", "kafka", cluster().bootstrapServers())
        .withOption("kafka.consumer.session.timeout.ms", "6000");
    // Each member's log (its commits, and the group's joins, assignments and revocations) is kept beside its events
    // file, to tell where a redelivery came from.
    ChildBus.Member member = ChildBus.Member.handling(Duration.ofMillis(1)).withDedupeDirectory(dedupe)
        .withSystemProperty("org.slf4j.simpleLogger.log.dev.omnibus.kafka.internal.KafkaSubscription", "debug")
        .withSystemProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.consumer.internals."
            + "ConsumerCoordinator", "info");
    ChildBus child = ChildBus.member(server, TEXT.type(), address, group, member, run, name);
    members.add(child);
    return child;
  }

  private static void assertReplicatedThreeTimesWithTwoInSync(String topic, int partitions) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try (Admin admin = cluster().admin()) {
      Awaitility.await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(30, TimeUnit.SECONDS).get(topic);
        assertThat(description.partitions()).hasSize(partitions)
            .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));
        assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
            .get("min.insync.replicas").value()).isEqualTo("2");
      });
    }
  }

  private EventBus bus(String address, int partitions) {
    EventBus bus = EventBus.builder().server(cluster().server()).source(SOURCE)
        .channel("c", address, replicated(partitions)).build();
    buses.add(bus);
    return bus;
  }

  private static FaultReport report(FaultReport report) throws IOException {
    Path file = report.write(Path.of("target", "faults"));
    System.out.print(Files.readString(file));
    return report;
  }

  private static void deleteTree(Path directory) throws IOException {
    try (var paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private static Set<String> handledIds(List<ChildBus> children) {
    Set<String> ids = new HashSet<>();
    children.forEach(child -> ids.addAll(child.lines(HANDLED)));
    return ids;
  }

  private static void complete(CompletableFuture<Void> future, @Nullable Throwable failure) {
    if (failure == null) {
      future.complete(null);
    } else {
      future.completeExceptionally(failure);
    }
  }

  /** Waits at most the given time for a step of the fault; its failure is reported where the scenario joins it. */
  private static void waitAtMost(CompletableFuture<Void> step, Duration atMost) throws InterruptedException {
    try {
      step.get(atMost.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // still under way (paced on), or failed: the scenario's get(...) reports it
    }
  }

  /** Waits for a condition; a timeout is not an error here, the report counts what is missing. */
  private static void awaitQuietly(Callable<Boolean> condition) {
    try {
      Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(condition);
    } catch (ConditionTimeoutException e) {
      // the report shows what is missing and the assertions fail with it
    }
  }

  /** The channel binding of the scenarios: three replicas, two in sync for an {@code acks=all} write. */
  private static Bindings replicated(int partitions) {
    return new Bindings(Map.of("kafka", Map.of("partitions", partitions, "replicas", 3,
        "topicConfiguration", Map.of("min.insync.replicas", 2))));
  }

  private static String unique(String scenario) {
    return "cluster." + scenario + "." + Long.toString(Math.abs(new Random().nextLong()), 36);
  }

  private static EmbeddedKafkaCluster cluster() {
    return Objects.requireNonNull(cluster, "the cluster starts before the tests");
  }

  /** Deliveries per event id. */
  private static final class Tally {
    final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    void add(String id) {
      deliveries.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
    }

    long duplicates() {
      return deliveries.values().stream().mapToLong(count -> count.get() - 1L).sum();
    }
  }
}
