package dev.omnibus.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.RetryPolicy;
import dev.omnibus.Subscription;
import dev.omnibus.spi.ServerConfig;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fault suite of issue 7, the same for every binding: a broker restart mid-stream, a group member closed without
 * acknowledging, handlers failing for 1% of events, and malformed messages between good ones; and, where the binding
 * gives a {@link #childServer(String)}, a group member and a producer in processes of their own killed with SIGKILL
 * ({@link ChildBus}). Each scenario writes
 * its counts to {@code target/faults/<scenario>.json} ({@link FaultReport}) and asserts that no confirmed event was
 * lost. Extend it in a {@code *FaultTest} class; those run with {@code -Pfaults}.
 */
public abstract class FaultSuite {

  /** How long a scenario waits for the last events; a broker restart takes a while on a shared 2-core machine. */
  protected static final Duration WAIT = Duration.ofMinutes(3);

  private static final EventType<String> TEXT = EventType.of("dev.omnibus.faults.text", String.class);

  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private final List<ChildBus> children = new CopyOnWriteArrayList<>();

  /** A builder configured for the binding under test. */
  protected abstract EventBus.Builder newBus();

  /** The binding's name in the reports: {@code kafka}, {@code rabbitmq}, {@code mqtt}. */
  protected abstract String binding();

  /**
   * Restarts the broker: stops it and starts it again on the same address with the same data, and returns once it
   * accepts connections again.
   */
  protected abstract void restartBroker() throws Exception;

  /**
   * Writes a message that is not a CloudEvent to an address with a plain client of the broker, not through Omnibus
   * (e.g. no {@code specversion}, or a body that is not the JSON event format under a structured content type).
   */
  protected abstract void publishMalformed(String address, int index) throws Exception;

  /** Declares a channel on a builder; override to add channel bindings. */
  protected EventBus.Builder withChannel(EventBus.Builder builder, String channelId, String address) {
    return builder.channel(channelId, address);
  }

  /** Where reports go: {@code target/faults} of the module under test. */
  protected Path reportDirectory() {
    return Path.of("target", "faults");
  }

  /**
   * Why this binding cannot promise that a group receives every confirmed event across a broker restart, or
   * {@code null} (the default) when it can. A non-null reason skips the restart scenario with that reason: a
   * guarantee a binding lacks is reported, never passed by luck.
   */
  protected @org.jspecify.annotations.Nullable String restartLimitation() {
    return null;
  }

  /** How many events the restart scenario publishes. */
  protected int restartEvents() {
    return 10_000;
  }

  /**
   * The broker as a bus in another process on this machine reaches it (with the credentials it needs), for the
   * process-kill scenarios; {@code null} (the default) skips them. {@code instance} names the child process and stays
   * the same when the scenario starts it again: add it where the binding needs an identity per process (MQTT: the
   * {@code clientId} server binding, which group members' client ids derive from, so that a child's sessions are not
   * the test JVM's).
   */
  protected @Nullable ServerConfig childServer(String instance) {
    return null;
  }

  /**
   * Why the other members of a group do not get the unacknowledged events of a member whose process was killed, or
   * {@code null} (the default) when they do. With a reason, the member-killed scenario starts the killed member again
   * with the same identity (as a supervisor restarts a service), reports the reason, and counts that member's events
   * as handled by the group: only a member resuming its session gets them.
   */
  protected @Nullable String handoverLimitation() {
    return null;
  }

  /** How many events the member-killed scenario publishes to its group of two. */
  protected int memberKilledEvents() {
    return 5_000;
  }

  @AfterEach
  void closeBuses() throws InterruptedException {
    try {
      for (ChildBus child : children) {
        child.close();
      }
    } finally {
      children.clear();
      for (EventBus bus : buses) {
        bus.close();
      }
      buses.clear();
    }
  }

  private String uniqueAddress(String scenario) {
    return "faults." + scenario + "." + Long.toString(Math.abs(new Random().nextLong()), 36);
  }

  private EventBus openBus(String address, java.util.function.UnaryOperator<EventBus.Builder> more) {
    EventBus bus = more.apply(withChannel(newBus().source(URI.create("/faults/" + binding())), "c", address))
        .build();
    buses.add(bus);
    return bus;
  }

  /** Tracks deliveries per event id. */
  private static final class Tally {
    final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    void add(String id) {
      deliveries.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
    }

    long distinct() {
      return deliveries.size();
    }

    long duplicates() {
      return deliveries.values().stream().mapToLong(count -> count.get() - 1L).sum();
    }

    boolean hasAll(Set<String> ids) {
      return deliveries.keySet().containsAll(ids);
    }

    long missing(Set<String> ids) {
      return ids.stream().filter(id -> !deliveries.containsKey(id)).count();
    }
  }

  /** How far apart the events published during a broker restart are: they span the outage, however long it is. */
  private static final Duration RESTART_PACE = Duration.ofMillis(5);

  /** Publishes with a bounded window of unconfirmed events; returns the ids the broker confirmed. */
  private static Set<String> publish(EventBus bus, int count, String prefix) throws InterruptedException {
    return publish(bus, count, prefix, null);
  }

  /** As {@link ConfirmWindow#publishAcross}, paced by {@link #RESTART_PACE} during the restart. */
  private static Set<String> publish(EventBus bus, int count, String prefix,
      @Nullable Supplier<CompletableFuture<Void>> restartAtOneThird) throws InterruptedException {
    return ConfirmWindow.publishAcross(bus, TEXT.channel("c"), count, prefix, restartAtOneThird, RESTART_PACE, WAIT);
  }

  @Test
  void brokerRestartMidStreamLosesNoConfirmedEvent() throws Exception {
    String limitation = restartLimitation();
    if (limitation != null) {
      org.junit.jupiter.api.Assumptions.abort("Not a guarantee of this binding: " + limitation);
    }
    String address = uniqueAddress("restart");
    EventBus consumer = openBus(address, b -> b);
    Tally tally = new Tally();
    consumer.subscribe(TEXT.channel("c"), "restart", event -> tally.add(event.id()));
    EventBus publisher = openBus(address, b -> b);

    CompletableFuture<Void> restart = new CompletableFuture<>();
    int events = restartEvents();
    Set<String> confirmed = publish(publisher, events, "r", () -> {
      CompletableFuture.runAsync(() -> {
        try {
          restartBroker();
          restart.complete(null);
        } catch (Exception e) {
          restart.completeExceptionally(e);
        }
      });
      return restart;
    });
    restart.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitQuietly(() -> tally.hasAll(confirmed));

    FaultReport report = new FaultReport("broker-restart", binding(), events, confirmed.size(),
        confirmed.stream().filter(tally.deliveries::containsKey).count(), tally.duplicates(), 0, 0,
        tally.missing(confirmed));
    report.write(reportDirectory());
    assertThat(report.acked()).as("publishes confirmed across the restart").isPositive();
    assertThat(report.lost()).as("confirmed events never delivered: %s", report).isZero();
  }

  @Test
  void unackedEventsOfAClosedMemberReachAnotherMember() throws Exception {
    String address = uniqueAddress("member");
    int events = 2_000;
    Tally first = new Tally();
    Tally second = new Tally();
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger seenByFirst = new AtomicInteger();
    EventBus firstBus = openBus(address, b -> b);
    Subscription firstMember = firstBus.subscribe(TEXT.channel("c"), "members", event -> {
      if (seenByFirst.incrementAndGet() == 100) {
        stuck.countDown();
        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        throw new IllegalStateException("closed mid-stream without acknowledging");
      }
      first.add(event.id());
    });
    openBus(address, b -> b).subscribe(TEXT.channel("c"), "members", event -> second.add(event.id()));
    EventBus publisher = openBus(address, b -> b);
    Set<String> confirmed = publish(publisher, events, "m");

    assertThat(stuck.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("first member got 100 events").isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
      firstMember.close();
      firstBus.close();
    });
    release.countDown();
    closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Set<String> handled = new HashSet<>();
    awaitQuietly(() -> {
      handled.clear();
      handled.addAll(first.deliveries.keySet());
      handled.addAll(second.deliveries.keySet());
      return handled.containsAll(confirmed);
    });

    long delivered = confirmed.stream().filter(handled::contains).count();
    long duplicates = first.duplicates() + second.duplicates()
        + first.deliveries.keySet().stream().filter(second.deliveries::containsKey).count();
    FaultReport report = new FaultReport("member-closed", binding(), events, confirmed.size(), delivered, duplicates,
        0, 0, confirmed.size() - delivered);
    report.write(reportDirectory());
    assertThat(report.lost()).as("events of the closed member never handled: %s", report).isZero();
  }

  @Test
  void exactlyTheFailingOnePercentLandInDeadLetters() throws Exception {
    String address = uniqueAddress("failing");
    int events = 2_000;
    RetryPolicy threeQuickAttempts = RetryPolicy.attempts(3).backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2);
    EventBus consumer = openBus(address, b -> b.retry(threeQuickAttempts).dedupe(Duration.ofMinutes(10)));
    Tally handled = new Tally();
    Map<String, AtomicInteger> failingAttempts = new ConcurrentHashMap<>();
    consumer.subscribe(TEXT.channel("c"), "failing", event -> {
      int index = Integer.parseInt(event.data().substring(1));
      if (index % 100 == 0) {
        failingAttempts.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
        throw new IllegalStateException("event " + index + " always fails");
      }
      handled.add(event.id());
    });
    EventBus reader = openBus(consumer.deadLetterAddress("c", "failing"), b -> b);
    List<CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
    reader.subscribe("c", "dead-letter-reader", deadLetters::add);

    EventBus publisher = openBus(address, b -> b);
    Map<String, Integer> indexOf = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      var event = TEXT.channel("c").event("e" + i).build();
      indexOf.put(event.id(), i);
      sent.add(publisher.publish(event).toCompletableFuture());
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
        .join();
    Set<String> failing = new HashSet<>();
    Set<String> good = new HashSet<>();
    indexOf.forEach((id, index) -> (index % 100 == 0 ? failing : good).add(id));
    awaitQuietly(() -> handled.hasAll(good) && deadLetters.size() >= failing.size());

    Set<String> deadIds = new HashSet<>();
    deadLetters.forEach(deadLetter -> deadIds.add(deadLetter.getId()));
    long delivered = good.stream().filter(handled.deliveries::containsKey).count()
        + failing.stream().filter(deadIds::contains).count();
    FaultReport report = new FaultReport("one-percent-failing", binding(), events, events, delivered,
        handled.duplicates(), handled.duplicates(), deadIds.size(), events - delivered);
    report.write(reportDirectory());
    assertThat(deadIds).as("dead letters are exactly the failing 1%%").isEqualTo(failing);
    assertThat(deadLetters).allSatisfy(deadLetter -> {
      assertThat(deadLetter.getExtension("dlqattempts")).hasToString("3");
      assertThat(deadLetter.getExtension("dlqchannel")).hasToString("c");
      assertThat(deadLetter.getExtension("dlqerror")).asString().contains("always fails");
    });
    assertThat(failingAttempts.values()).allSatisfy(attempts -> assertThat(attempts.get()).isGreaterThanOrEqualTo(3));
    assertThat(handled.duplicates()).as("good events handled more than once despite dedupe").isZero();
    assertThat(report.lost()).as("events neither handled nor dead-lettered: %s", report).isZero();
  }

  @Test
  void malformedMessagesFromAPlainClientGoToDeadLettersAndGoodOnesArrive() throws Exception {
    String address = uniqueAddress("malformed");
    int count = 1_000;
    EventBus consumer = openBus(address, b -> b);
    Tally handled = new Tally();
    consumer.subscribe(TEXT.channel("c"), "malformed", event -> handled.add(event.id()));
    EventBus reader = openBus(consumer.deadLetterAddress("c", "malformed"), b -> b);
    List<CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
    reader.subscribe("c", "dead-letter-reader", deadLetters::add);

    EventBus publisher = openBus(address, b -> b);
    Set<String> good = new HashSet<>();
    for (int i = 0; i < count; i++) {
      var event = TEXT.channel("c").event("good" + i).build();
      publisher.publish(event).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      good.add(event.id());
      publishMalformed(address, i);
    }
    awaitQuietly(() -> handled.hasAll(good) && deadLetters.size() >= count);

    long malformedDead = deadLetters.stream()
        .filter(deadLetter -> "dev.omnibus.deadletter.malformed".equals(deadLetter.getType())).count();
    long delivered = good.stream().filter(handled.deliveries::containsKey).count() + Math.min(malformedDead, count);
    FaultReport report = new FaultReport("malformed-input", binding(), 2L * count, 2L * count, delivered,
        handled.duplicates(), 0, malformedDead, 2L * count - delivered);
    report.write(reportDirectory());
    assertThat(malformedDead).as("malformed messages in dead letters").isEqualTo(count);
    assertThat(deadLetters).allSatisfy(deadLetter ->
        assertThat(deadLetter.getExtension("dlqreason")).asString().startsWith("malformed:"));
    assertThat(report.lost()).as("%s", report).isZero();
  }

  /**
   * A group of two members, one in a child JVM: the child handles slowly (2 ms an event), so the broker always has
   * events in flight to it, and is killed with SIGKILL once it handled 100, while the test JVM publishes. Every
   * confirmed event must be handled by a member; what the killed one had handled without acknowledging comes again
   * (duplicates). The other member gets the killed one's events when the broker notices the death (RabbitMQ: the
   * connection closes; Kafka: the member's session times out, 45 s by default), unless the binding says with
   * {@link #handoverLimitation()} that only the member itself, started again, does.
   */
  @Test
  void memberKilledInAnotherProcessLosesNoConfirmedEvent() throws Exception {
    String instance = "member-" + Long.toString(Math.abs(new Random().nextLong()), 36);
    ServerConfig server = childServerOrSkip(instance);
    String address = uniqueAddress("member-killed");
    String group = "killed";
    int events = memberKilledEvents();
    ChildBus child = startChild(ChildBus.member(server, TEXT.type(), address, group, Duration.ofMillis(2),
        reportDirectory(), instance));
    child.awaitReady(WAIT);
    Tally here = new Tally();
    openBus(address, b -> b).subscribe(TEXT.channel("c"), group, event -> here.add(event.id()));
    EventBus publisher = openBus(address, b -> b);
    CompletableFuture<Set<String>> publishing = CompletableFuture.supplyAsync(() -> {
      try {
        return publish(publisher, events, "k");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });

    child.awaitAtLeast("handled", 100, WAIT);
    child.kill();
    Set<String> confirmed = publishing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    String limitation = handoverLimitation();
    ChildBus again = null;
    if (limitation != null) {
      again = startChild(ChildBus.member(server, TEXT.type(), address, group, Duration.ZERO, reportDirectory(),
          instance + "-again"));
      again.awaitReady(WAIT);
    }
    List<ChildBus> members = again == null ? List.of(child) : List.of(child, again);
    Tally all = new Tally();
    awaitQuietly(() -> {
      all.deliveries.clear();
      here.deliveries.forEach((id, count) -> all.deliveries.put(id, new AtomicInteger(count.get())));
      members.forEach(member -> member.lines("handled").forEach(all::add));
      return all.hasAll(confirmed);
    });

    FaultReport report = new FaultReport("member-killed", binding(), events, confirmed.size(),
        confirmed.stream().filter(all.deliveries::containsKey).count(), all.duplicates(), 0, 0,
        all.missing(confirmed));
    report.write(reportDirectory());
    System.out.printf("member-killed (%s): the killed child handled %d events; %s%n", binding(),
        child.lines("handled").size(), limitation == null ? "the other member got the rest"
            : "started again, it got " + again.lines("handled").size() + ", because " + limitation);
    assertThat(report.acked()).as("publishes confirmed").isPositive();
    assertThat(report.lost()).as("confirmed events no member handled: %s", report).isZero();
  }

  /**
   * A producer in a child JVM, publishing as fast as the broker confirms (256 unconfirmed at most), killed with
   * SIGKILL once 2,000 of its events were confirmed: every event the broker confirmed to it reaches the test's group.
   * Events it had sent without a confirmation may or may not arrive: the scenario prints how many did.
   */
  @Test
  void producerKilledInAnotherProcessLosesNoConfirmedEvent() throws Exception {
    String instance = "producer-" + Long.toString(Math.abs(new Random().nextLong()), 36);
    ServerConfig server = childServerOrSkip(instance);
    String address = uniqueAddress("producer-killed");
    Tally tally = new Tally();
    openBus(address, b -> b).subscribe(TEXT.channel("c"), "producer-killed", event -> tally.add(event.id()));
    ChildBus child = startChild(ChildBus.producer(server, TEXT.type(), address, reportDirectory(), instance));
    child.awaitReady(WAIT);

    child.awaitAtLeast("confirmed", 2_000, WAIT);
    child.kill();
    Set<String> sent = child.distinct("sent");
    Set<String> confirmed = child.distinct("confirmed");
    awaitQuietly(() -> tally.hasAll(confirmed));

    Set<String> unconfirmed = new HashSet<>(sent);
    unconfirmed.removeAll(confirmed);
    long unconfirmedArrived = unconfirmed.stream().filter(tally.deliveries::containsKey).count();
    FaultReport report = new FaultReport("producer-killed", binding(), sent.size(), confirmed.size(),
        confirmed.stream().filter(tally.deliveries::containsKey).count(), tally.duplicates(), 0, 0,
        tally.missing(confirmed));
    report.write(reportDirectory());
    System.out.printf("producer-killed (%s): of %d events sent but not confirmed when the producer was killed, %d "
        + "arrived%n", binding(), unconfirmed.size(), unconfirmedArrived);
    assertThat(confirmed).as("events the broker confirmed to the child").isNotEmpty();
    assertThat(report.lost()).as("confirmed events never delivered: %s", report).isZero();
  }

  private ServerConfig childServerOrSkip(String instance) {
    ServerConfig server = childServer(instance);
    if (server == null) {
      org.junit.jupiter.api.Assumptions.abort(binding() + " gives no childServer(...): no bus in another process");
    }
    return server;
  }

  private ChildBus startChild(ChildBus child) {
    children.add(child);
    return child;
  }

  /** Waits for a condition; a timeout is not an error here, the report counts what is missing. */
  private static void awaitQuietly(java.util.concurrent.Callable<Boolean> condition) {
    try {
      Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // The report shows what is missing and the assertions fail with it.
    }
  }
}
