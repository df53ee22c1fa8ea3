package dev.omnibus.mqtt.faults;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.ChildBus;
import dev.omnibus.tck.FaultReport;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A group member's process killed with {@code kill -9} on an MQTT broker: one member runs in a JVM of its own
 * ({@link ChildBus}) and stops acknowledging after 100 events (its handler gets stuck for good); it gets 1,000 events
 * alone, then the other member joins in the test's JVM and 1,000 more are published to both; then the first member's
 * process is killed. Whatever the broker had sent it unacknowledged (and, on a
 * broker that keeps routing a share of the group to an offline session, what it queued there) must reach the other
 * member; the binding cannot hand over across processes, so this is the broker's doing.
 *
 * <p>When some are still missing, the killed member is started again with the same client id, as a supervisor would
 * restart it: its persistent session gives back what was left on it. Both counts are reported:
 * {@code member-killed} (after the kill, the other member alone) and {@code member-killed-restarted}.
 */
final class KilledMemberScenario {

  /** The events the scenarios publish, read as text. */
  static final EventType<String> TEXT = EventType.of("dev.omnibus.faults.text", String.class);

  /** Events published. */
  static final int EVENTS = 2_000;
  /** Events the member in its own process handles before it stops acknowledging. */
  static final int HANDLED_BEFORE_STUCK = 100;
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final Duration NO_PROGRESS = Duration.ofSeconds(20);

  /** The counts after the kill, and after the killed member came back ({@code null} when nothing was missing). */
  record Result(FaultReport afterKill, @Nullable FaultReport afterRestart) {}

  private KilledMemberScenario() {}

  static Result run(String binding, String address, Path reports) throws Exception {
    String run = Long.toString(Math.abs(new Random().nextLong()), 36);
    String topic = "faults/killed/" + run;
    String group = "killed";
    String childId = "faults-child-" + run;
    ServerConfig childServer = server("member", address, childId);
    String childName = "member-process-" + run;
    List<EventBus> buses = new ArrayList<>();
    ChildBus child = null;
    try {
      // The member in its own process subscribes alone and gets the first half: it handles 100 and holds the rest
      // unacknowledged (HiveMQ sends a batch of at most 50 until it is acknowledged and queues the rest for the group;
      // Mosquitto sends all of it). Alone at first, because a broker need not split a group evenly: HiveMQ hands all
      // of a group of persistent sessions to one member.
      child = ChildBus.member(childServer, TEXT.type(), topic, group,
          ChildBus.Member.handling(Duration.ZERO).withStuckAfter(HANDLED_BEFORE_STUCK), reports, childName);
      child.awaitReady(WAIT);
      EventBus publisher = bus(address, "faults-publisher-" + run, topic, buses);
      Set<String> confirmed = publish(publisher, 0, EVENTS / 2);
      child.awaitAtLeast("stuck", 1, WAIT); // it got more than HANDLED_BEFORE_STUCK events
      // Then the other member joins, here, and the second half is published to the group of two.
      Map<String, AtomicInteger> here = new ConcurrentHashMap<>();
      EventBus member = bus(address, "faults-here-" + run, topic, buses);
      member.subscribe(TEXT.channel("c"), group,
          event -> here.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet());
      confirmed.addAll(publish(publisher, EVENTS / 2, EVENTS));
      child.kill();
      Set<String> handledByKilled = child.distinct("handled");
      awaitAllOrNoProgress(() -> missing(confirmed, handledByKilled, here.keySet()));
      FaultReport afterKill = report("member-killed", binding, confirmed, handledByKilled, here);
      afterKill.write(reports);
      System.out.println(afterKill);
      if (afterKill.lost() == 0) {
        return new Result(afterKill, null);
      }
      // A supervisor restarts the member with its client id: its session gives back what was left there.
      child = ChildBus.member(childServer, TEXT.type(), topic, group, Duration.ZERO, reports, childName + "-again");
      child.awaitReady(WAIT);
      ChildBus restarted = child;
      awaitAllOrNoProgress(() -> missing(confirmed, union(handledByKilled, restarted.distinct("handled")),
          here.keySet()));
      Set<String> byChild = union(handledByKilled, restarted.distinct("handled"));
      FaultReport afterRestart = report("member-killed-restarted", binding, confirmed, byChild, here);
      afterRestart.write(reports);
      System.out.println(afterRestart);
      return new Result(afterKill, afterRestart);
    } finally {
      if (child != null) {
        child.close();
      }
      buses.forEach(EventBus::close);
    }
  }

  private static EventBus bus(String address, String clientId, String topic, List<EventBus> buses) {
    EventBus bus = EventBus.builder()
        .server(server("faults", address, clientId))
        .channel("c", topic)
        .source(URI.create("/faults/killed"))
        .build();
    buses.add(bus);
    return bus;
  }

  /** A server whose persistent sessions (expiring after 600 s) derive their client ids from {@code clientId}. */
  private static ServerConfig server(String name, String address, String clientId) {
    return ServerConfig.of(name, "mqtt", address).withBindings(new Bindings(Map.of("mqtt",
        Map.of("clientId", clientId, "sessionExpiryInterval", 600))));
  }

  private static Set<String> publish(EventBus publisher, int from, int to) {
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = from; i < to; i++) {
      var event = TEXT.channel("c").event("k" + i).build();
      sent.add(publisher.publish(event).toCompletableFuture().thenRun(() -> confirmed.add(event.id())));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).exceptionally(failure -> null)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return confirmed;
  }

  private static FaultReport report(String scenario, String binding, Set<String> confirmed, Set<String> byChild,
      Map<String, AtomicInteger> here) {
    long delivered = confirmed.size() - missing(confirmed, byChild, here.keySet());
    long duplicates = here.values().stream().mapToLong(count -> count.get() - 1L).sum()
        + byChild.stream().filter(here::containsKey).count();
    return new FaultReport(scenario, binding, EVENTS, confirmed.size(), delivered, duplicates, 0, 0,
        confirmed.size() - delivered);
  }

  private static long missing(Set<String> confirmed, Set<String> one, Set<String> other) {
    return confirmed.stream().filter(id -> !one.contains(id) && !other.contains(id)).count();
  }

  private static Set<String> union(Set<String> one, Set<String> other) {
    Set<String> all = new HashSet<>(one);
    all.addAll(other);
    return all;
  }

  /**
   * Waits until nothing is missing, or nothing more arrived for {@link #NO_PROGRESS} (a broker that keeps a dead
   * member's messages on its session sends them to nobody else), at most {@link #WAIT}.
   */
  static void awaitAllOrNoProgress(java.util.function.LongSupplier missing) {
    long[] last = {Long.MAX_VALUE, System.nanoTime()};
    try {
      Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
        long now = missing.getAsLong();
        if (now != last[0]) {
          last[0] = now;
          last[1] = System.nanoTime();
        }
        return now == 0 || System.nanoTime() - last[1] > NO_PROGRESS.toNanos();
      });
    } catch (ConditionTimeoutException e) {
      // the report counts what is missing
    }
  }
}
