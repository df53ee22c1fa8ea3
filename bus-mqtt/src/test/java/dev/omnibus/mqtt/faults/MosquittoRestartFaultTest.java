package dev.omnibus.mqtt.faults;

import static dev.omnibus.mqtt.faults.KilledMemberScenario.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.FaultReport;
import dev.omnibus.tck.OwnMosquitto;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a group still loses on Mosquitto, measured on a Mosquitto of the test's own ({@link OwnMosquitto}: its own
 * port, configuration and persistence folder; the machine's broker is not touched), configured as production needs
 * it: {@code persistence true} and {@code max_queued_messages 0} (no limit on what a session queues). Reports go to
 * {@code target/faults/mosquitto/} and are printed.
 *
 * <p>A broker restart: Mosquitto 2.0 restores persistent sessions, their plain subscriptions and their queued
 * messages, but not their shared ({@code $share}) subscriptions. The binding subscribes a group again as soon as paho
 * has reconnected, so what is lost is what was published between the broker accepting connections again and the
 * group's SUBACK, which depends on paho's reconnect back-off (1 s, doubling up to 2 s in the binding). The scenario reports that loss and
 * asserts only what is guaranteed: every event confirmed once the group was subscribed again is delivered.
 *
 * <p>A member's process killed ({@code kill -9}): Mosquitto keeps what it had sent the member, unacknowledged, on the
 * member's session and does not pass it to the rest of the group; it even goes on routing the dead member its share
 * of new messages (queued, up to {@code max_queued_messages}). The other member cannot get them; the killed member
 * started again with the same client id does. The scenario reports both counts and asserts that nothing is lost once
 * the member came back.
 */
class MosquittoRestartFaultTest {

  private static final String BINDING = "mqtt-mosquitto";
  private static final Path REPORTS = Path.of("target", "faults", "mosquitto");
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int EVENTS = 9_000;
  private static final Duration PACE = Duration.ofMillis(5);
  /** How long the broker stays down. */
  private static final Duration OUTAGE = Duration.ofSeconds(5);
  /** Events a publisher connecting right after the restart sends before the subscriber is back. */
  private static final int BEFORE_BACK = 1_000;

  private static @Nullable OwnMosquitto broker;
  private final List<EventBus> buses = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    Path data = Path.of("target", "mosquitto-data", "restart-" + System.nanoTime()).toAbsolutePath();
    Files.createDirectories(data);
    // Started as root, Mosquitto drops to user mosquitto: its persistence file goes here.
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
    broker = OwnMosquitto.start("restart-faults", List.of(
        "persistence true",
        "persistence_location " + data + "/",
        "autosave_interval 1",
        "max_queued_messages 0"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void closeBuses() {
    buses.forEach(EventBus::close);
    buses.clear();
  }

  private static OwnMosquitto broker() {
    return java.util.Objects.requireNonNull(broker);
  }

  @Test
  void aGroupLosesOnlyWhatWasPublishedBeforeItSubscribedAgainAfterARestart() throws Exception {
    String topic = "faults/restart/" + Long.toString(Math.abs(new Random().nextLong()), 36);
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    EventBus consumer = bus(topic);
    consumer.subscribe(TEXT.channel("c"), "restart", event -> delivered.add(event.id()));
    EventBus publisher = bus(topic);
    Published published = publishAcrossRestart(publisher, topic, () -> consumer.health().ready());
    Set<String> confirmed = published.confirmed();
    Set<String> confirmedAfterResubscribe = published.confirmedOnceBack();
    KilledMemberScenario.awaitAllOrNoProgress(() -> confirmed.stream().filter(id -> !delivered.contains(id)).count());

    long lost = confirmed.stream().filter(id -> !delivered.contains(id)).count();
    long lostBeforeBack = published.confirmedBeforeBack().stream().filter(id -> !delivered.contains(id)).count();
    FaultReport report = new FaultReport("broker-restart-shared-group", BINDING, EVENTS + BEFORE_BACK,
        confirmed.size(), confirmed.size() - lost, 0, 0, 0, lost);
    report.write(REPORTS);
    System.out.println(report + ": " + lostBeforeBack + " of the " + published.confirmedBeforeBack().size()
        + " confirmed by a publisher that connected right after the restart, before the group had subscribed again, "
        + "and " + (lost - lostBeforeBack) + " others. Lost because Mosquitto does not restore shared subscriptions "
        + "($share) of persistent sessions across a restart: what is published between the broker's start and the "
        + "group's new SUBACK has no subscriber");
    assertThat(report.acked()).as("publishes confirmed across the restart").isPositive();
    assertThat(confirmedAfterResubscribe).as("events confirmed once the group subscribed again").isNotEmpty()
        .allSatisfy(id -> assertThat(delivered).contains(id));
  }

  /**
   * What the binding's groups could get on Mosquitto with a non-shared subscription: a plain paho client on a
   * persistent session (clean start false, session expiry 600 s) subscribed to the topic itself, as a single-member
   * group would be without {@code $share}. Mosquitto restores that subscription from its persistence file and queues
   * what is published before the client is back, so nothing is lost; the binding subscribes every group with
   * {@code $share} (a second member would otherwise get every event again), so this is a measure of the broker, not
   * an option of the binding yet.
   */
  @Test
  void aPlainPersistentSubscriptionLosesNothingAcrossARestart() throws Exception {
    String topic = "faults/restart-plain/" + Long.toString(Math.abs(new Random().nextLong()), 36);
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    MqttAsyncClient subscriber = new MqttAsyncClient("tcp://" + broker().address(),
        "faults-plain-" + Long.toString(Math.abs(new Random().nextLong()), 36), new MemoryPersistence());
    try {
      subscriber.setCallback(new MqttCallback() {
        @Override
        public void disconnected(MqttDisconnectResponse response) {}

        @Override
        public void mqttErrorOccurred(MqttException exception) {}

        @Override
        public void messageArrived(String arrivedOn, MqttMessage message) {
          for (UserProperty property : message.getProperties().getUserProperties()) {
            if (property.getKey().equals("id")) {
              delivered.add(property.getValue());
            }
          }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
      });
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(false);
      options.setSessionExpiryInterval(600L);
      options.setAutomaticReconnect(true);
      options.setAutomaticReconnectDelay(1, 2);
      options.setMaxReconnectDelay(2_000); // as the binding's clients: paho 1.2.5 shares one back-off among them all
      subscriber.connect(options).waitForCompletion(10_000);
      subscriber.subscribe(new MqttSubscription(topic, 1)).waitForCompletion(10_000);
      EventBus publisher = bus(topic);

      Published published = publishAcrossRestart(publisher, topic, subscriber::isConnected);
      Set<String> confirmed = published.confirmed();
      KilledMemberScenario.awaitAllOrNoProgress(() -> confirmed.stream().filter(id -> !delivered.contains(id)).count());

      long lost = confirmed.stream().filter(id -> !delivered.contains(id)).count();
      FaultReport report = new FaultReport("broker-restart-plain-persistent-subscription", BINDING,
          EVENTS + BEFORE_BACK,
          confirmed.size(), confirmed.size() - lost, 0, 0, 0, lost);
      report.write(REPORTS);
      System.out.println(report);
      assertThat(report.acked()).as("publishes confirmed across the restart").isPositive();
      assertThat(report.lost()).as("confirmed events never delivered: %s", report).isZero();
    } finally {
      if (subscriber.isConnected()) {
        subscriber.disconnect().waitForCompletion(5_000);
      }
      subscriber.close(true);
    }
  }

  @Test
  void unackedEventsOfAKilledMemberProcessComeBackWithTheMember() throws Exception {
    KilledMemberScenario.Result result = KilledMemberScenario.run(BINDING, broker().address(), REPORTS);
    if (result.afterKill().lost() > 0) {
      System.out.println(result.afterKill() + ": Mosquitto keeps a killed member's unacknowledged messages (and "
          + "its share of new ones) on that member's session; they reach the group when it comes back");
    }

    FaultReport last = result.afterRestart() == null ? result.afterKill() : result.afterRestart();
    assertThat(last.acked()).as("publishes confirmed").isEqualTo(KilledMemberScenario.EVENTS);
    assertThat(last.lost()).as("events never handled, the killed member back: %s", last).isZero();
  }

  /**
   * The ids the broker confirmed; among them those a publisher connecting at once after the restart sent before the
   * subscriber was back, and those published once it was back.
   */
  private record Published(Set<String> confirmed, Set<String> confirmedBeforeBack, Set<String> confirmedOnceBack) {}

  /**
   * Publishes {@link #EVENTS} as the kit's restart scenario does: the first third at full speed, then the broker is
   * stopped (SIGTERM, so it saves its persistence) and started again {@link #OUTAGE} later while the second third goes
   * out one every
   * {@link #PACE}. Once the broker is back, a publisher that connects at once (as one in another service may, while
   * the subscriber waits out paho's reconnect back-off) sends {@link #BEFORE_BACK} events; the last third goes out once
   * {@code subscriberBack} holds.
   */
  private Published publishAcrossRestart(EventBus publisher, String topic, BooleanSupplier subscriberBack)
      throws Exception {
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    Set<String> confirmedBeforeBack = ConcurrentHashMap.newKeySet();
    Set<String> confirmedOnceBack = ConcurrentHashMap.newKeySet();
    Semaphore window = new Semaphore(256);
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    CompletableFuture<Void> restart = null;
    CompletableFuture<Set<String>> early = null;
    for (int i = 0; i < EVENTS; i++) {
      if (i == EVENTS / 3) {
        // Down for OUTAGE, as a restart of a real broker (a service manager, a container) is: clients then wait
        // out paho's reconnect back-off (1 s, 2 s, 4 s...) after it is back.
        restart = CompletableFuture.runAsync(() -> broker().stop())
            .thenRunAsync(() -> broker().restart(),
                CompletableFuture.delayedExecutor(OUTAGE.toMillis(), TimeUnit.MILLISECONDS));
        early = restart.thenApplyAsync(back -> publishEarly(topic));
      }
      if (restart != null && i < 2 * EVENTS / 3) {
        // Paced while the broker goes down, is down and comes back, so publishes meet every phase of it.
        try {
          restart.get(PACE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException stillRestarting) {
          // go on pacing
        }
      } else if (restart != null && i == 2 * EVENTS / 3) {
        restart.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        confirmedBeforeBack.addAll(java.util.Objects.requireNonNull(early).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        confirmed.addAll(confirmedBeforeBack);
        Awaitility.await("the subscriber back").atMost(WAIT).pollInterval(Duration.ofMillis(50))
            .until(subscriberBack::getAsBoolean);
      }
      boolean late = restart != null && i >= 2 * EVENTS / 3;
      window.acquire();
      var event = TEXT.channel("c").event("r" + i).build();
      CompletableFuture<Void> one = publisher.publish(event).toCompletableFuture();
      sent.add(one);
      one.whenComplete((ok, failure) -> {
        window.release();
        if (failure == null) {
          confirmed.add(event.id());
          if (late) {
            confirmedOnceBack.add(event.id());
          }
        }
      });
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).exceptionally(failure -> null)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return new Published(confirmed, confirmedBeforeBack, confirmedOnceBack);
  }

  /** A publisher connecting as soon as the broker is back sends {@link #BEFORE_BACK} events; returns those confirmed. */
  private Set<String> publishEarly(String topic) {
    EventBus early = bus(topic);
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int j = 0; j < BEFORE_BACK; j++) {
      var event = TEXT.channel("c").event("early" + j).build();
      sent.add(early.publish(event).toCompletableFuture().thenRun(() -> confirmed.add(event.id())));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).exceptionally(failure -> null)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return confirmed;
  }

  private EventBus bus(String topic) {
    EventBus bus = EventBus.builder()
        .server(ServerConfig.of("faults", "mqtt", broker().address()).withBindings(new Bindings(Map.of("mqtt",
            Map.of("sessionExpiryInterval", 600)))))
        .channel("c", topic)
        .source(URI.create("/faults/" + BINDING))
        .build();
    buses.add(bus);
    return bus;
  }
}
