package dev.omnibus.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.Health;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.mqtt.MqttBroker;
import dev.omnibus.mqtt.TcpProxy;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.TransportSubscription;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group subscriptions of one transport share a few persistent sessions, on the machine's Mosquitto: each gets its own
 * topic's events, the sessions and threads do not grow with the subscriptions, a message is acknowledged only once
 * its handler settled it, closing one loses nothing for the others, two members of one filter still split the
 * messages, a cut connection and a restarted bus resume every subscription. Connections are cut through a proxy of
 * the test's own; the broker keeps running.
 */
class MqttGroupSessionsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.MQTT);
  /** Short: the sessions these tests leave on the shared broker expire soon after. */
  private static final int SESSION_EXPIRY = 120;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeAll
  static void brokerIsThere() {
    MqttBroker.assumeReachable();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private MqttTransport open(String name, @Nullable String protocolVersion, String host) {
    ServerConfig server = ServerConfig.of(name, "mqtt", host).withProtocolVersion(protocolVersion)
        .withBindings(new Bindings(Map.of("mqtt", Map.of("clientId", name, "sessionExpiryInterval",
            SESSION_EXPIRY))));
    MqttTransport transport = MqttTransport.open(server);
    resources.add(transport);
    return transport;
  }

  private MqttTransport open(String name, @Nullable String protocolVersion) {
    return open(name, protocolVersion, MqttBroker.HOST + ":" + MqttBroker.PORT);
  }

  private static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private TransportSubscription subscribe(MqttTransport transport, String topic, String group,
      DeliveryHandler handler) {
    TransportSubscription subscription = transport.subscribe(Destination.of(topic), SubscribeOptions.group(group),
        handler);
    resources.add(subscription);
    return subscription;
  }

  private static WireMessage event(String text) {
    return CODEC.encode(CloudEventBuilder.v1()
        .withId(UUID.randomUUID().toString())
        .withSource(URI.create("/group-sessions-test"))
        .withType("dev.omnibus.test.v1")
        .withDataContentType("text/plain")
        .withData(text.getBytes(StandardCharsets.UTF_8))
        .build(), Mode.STRUCTURED);
  }

  private static void send(MqttTransport transport, String topic, String text) {
    transport.send(Destination.of(topic).withMode(Mode.STRUCTURED), event(text)).toCompletableFuture()
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  private static String text(Delivery delivery) {
    return new String(CODEC.decode(delivery.message()).getData().toBytes(), StandardCharsets.UTF_8);
  }

  /** Records the data of every delivery and acknowledges it. */
  private static final class Bodies implements DeliveryHandler {
    final List<String> got = new CopyOnWriteArrayList<>();

    @Override
    public void onDelivery(Delivery delivery) {
      got.add(text(delivery));
      delivery.ack();
    }
  }

  /** The slot of a topic's filter in group {@code g}. */
  private static int slotOf(String topic) {
    return Math.floorMod(GroupSessions.hash("$share/g/" + topic).hashCode(), GroupSessions.SLOTS);
  }

  private static long threadsOf(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(thread -> thread.getName().contains(name)).count();
  }

  @Test
  void manyGroupSubscriptionsOnMqtt5ShareAFewSessionsAndEachGetsItsOwnTopic() {
    eachGetsItsOwnTopicOnAFewSessions(null);
  }

  @Test
  void manyGroupSubscriptionsOnMqtt311ShareAFewSessionsAndEachGetsItsOwnTopic() {
    eachGetsItsOwnTopicOnAFewSessions("3.1.1");
  }

  private void eachGetsItsOwnTopicOnAFewSessions(@Nullable String version) {
    MqttTransport transport = open(uniqueName("groups"), version);
    String prefix = MqttBroker.uniqueTopic("groups");
    int count = 50;
    List<Bodies> bodies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Bodies one = new Bodies();
      bodies.add(one);
      subscribe(transport, prefix + "/" + i, "g", one);
    }
    assertThat(transport.groupConnections()).isBetween(1, GroupSessions.SLOTS);

    for (int i = 0; i < count; i++) {
      send(transport, prefix + "/" + i, "m" + i);
    }

    Awaitility.await().atMost(WAIT).until(() -> bodies.stream().allMatch(one -> !one.got.isEmpty()));
    for (int i = 0; i < count; i++) {
      assertThat(bodies.get(i).got).as("subscription %d", i).containsExactly("m" + i);
    }
  }

  @Test
  void overlappingGroupFiltersOnMqtt5EachGetAMessageOnce() {
    overlappingFiltersEachGetAMessageOnce(null);
  }

  @Test
  void overlappingGroupFiltersOnMqtt311EachGetAMessageOnce() {
    // Without Subscription Identifiers, a filter overlapping one of its slot's session gets a session of its own.
    overlappingFiltersEachGetAMessageOnce("3.1.1");
  }

  private void overlappingFiltersEachGetAMessageOnce(@Nullable String version) {
    MqttTransport transport = open(uniqueName("goverlap"), version);
    String prefix = MqttBroker.uniqueTopic("goverlap");
    List<Bodies> wildcards = new ArrayList<>();
    List<Bodies> exacts = new ArrayList<>();
    // Eight pairs, so that some pair meets on one slot's session.
    for (int i = 0; i < 8; i++) {
      Bodies wildcard = new Bodies();
      Bodies exact = new Bodies();
      wildcards.add(wildcard);
      exacts.add(exact);
      subscribe(transport, prefix + "/" + i + "/{id}", "g", wildcard);
      subscribe(transport, prefix + "/" + i + "/a", "g", exact);
    }

    for (int i = 0; i < 8; i++) {
      send(transport, prefix + "/" + i + "/a", "first");
      send(transport, prefix + "/" + i + "/b", "second");
    }

    Awaitility.await().atMost(WAIT).until(() -> wildcards.stream().allMatch(one -> one.got.size() >= 2)
        && exacts.stream().allMatch(one -> !one.got.isEmpty()));
    for (int i = 0; i < 8; i++) {
      assertThat(wildcards.get(i).got).as("wildcard %d", i).containsExactly("first", "second");
      assertThat(exacts.get(i).got).as("exact %d", i).containsExactly("first");
    }
  }

  @Test
  void groupSessionsZeroGivesEachFilterASessionOfItsOwn() {
    String name = uniqueName("gown");
    MqttTransport transport = MqttTransport.open(ServerConfig.of(name, "mqtt", MqttBroker.HOST + ":" + MqttBroker.PORT)
        .withBindings(new Bindings(Map.of("mqtt", Map.of("clientId", name, "sessionExpiryInterval", SESSION_EXPIRY))))
        .withOption("group-sessions", "0"));
    resources.add(transport);
    String prefix = MqttBroker.uniqueTopic("gown");
    List<Bodies> bodies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Bodies one = new Bodies();
      bodies.add(one);
      subscribe(transport, prefix + "/" + i, "g", one);
    }
    assertThat(transport.groupConnections()).isEqualTo(6);

    for (int i = 0; i < 6; i++) {
      send(transport, prefix + "/" + i, "m" + i);
    }

    Awaitility.await().atMost(WAIT).until(() -> bodies.stream().allMatch(one -> !one.got.isEmpty()));
    for (int i = 0; i < 6; i++) {
      assertThat(bodies.get(i).got).containsExactly("m" + i);
    }
  }

  @Test
  void theThreadsDoNotGrowWithTheGroupSubscriptions() {
    String name = uniqueName("gthreads");
    MqttTransport transport = open(name, null);
    String prefix = MqttBroker.uniqueTopic("gthreads");
    // A hundred filters take every slot's session (each misses one with a chance of (3/4)^100).
    for (int i = 0; i < 100; i++) {
      subscribe(transport, prefix + "/" + i, "g", new Bodies());
    }
    long withHundred = threadsOf(name);

    for (int i = 100; i < 1000; i++) {
      subscribe(transport, prefix + "/" + i, "g", new Bodies());
    }

    // Paho names its threads after the client id (the server binding's clientId and suffixes of it); the handler
    // pool after the server.
    assertThat(threadsOf(name)).isEqualTo(withHundred);
    assertThat(transport.groupConnections()).isEqualTo(GroupSessions.SLOTS);
  }

  @Test
  void aHandlerThatHoldsItsMessagesHoldsBackNoOtherSubscriptionOfItsSessions() throws Exception {
    MqttTransport transport = open(uniqueName("gslow"), null);
    String prefix = MqttBroker.uniqueTopic("gslow");
    CountDownLatch release = new CountDownLatch(1);
    List<String> slowGot = new CopyOnWriteArrayList<>();
    subscribe(transport, prefix + "/slow", "g", delivery -> {
      slowGot.add(text(delivery));
      try {
        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      delivery.ack();
    });
    // Twenty topics on the slow one's session, and so its slot.
    int slot = slotOf(prefix + "/slow");
    List<String> topics = new ArrayList<>();
    for (int i = 0; topics.size() < 20; i++) {
      if (slotOf(prefix + "/fast/" + i) == slot) {
        topics.add(prefix + "/fast/" + i);
      }
    }
    List<Bodies> fast = new ArrayList<>();
    for (String topic : topics) {
      Bodies one = new Bodies();
      fast.add(one);
      subscribe(transport, topic, "g", one);
    }
    assertThat(transport.groupConnections()).isEqualTo(1);
    for (int i = 0; i < 50; i++) {
      send(transport, prefix + "/slow", "s" + i);
    }
    Awaitility.await().atMost(WAIT).until(() -> !slowGot.isEmpty());

    for (String topic : topics) {
      for (int j = 0; j < 5; j++) {
        send(transport, topic, "f" + j);
      }
    }

    try {
      Awaitility.await().atMost(WAIT).until(() -> fast.stream().allMatch(one -> one.got.size() >= 5));
      assertThat(slowGot).hasSize(1);
    } finally {
      release.countDown();
    }
    Awaitility.await().atMost(WAIT).until(() -> slowGot.size() >= 50);
  }

  @Test
  void closingOneGroupSubscriptionLosesNothingForTheOthersAndTheNextMemberGetsWhatCameMeanwhile() {
    MqttTransport transport = open(uniqueName("gclose"), null);
    String prefix = MqttBroker.uniqueTopic("gclose");
    int count = 20;
    List<Bodies> bodies = new ArrayList<>();
    List<TransportSubscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Bodies one = new Bodies();
      bodies.add(one);
      subscriptions.add(subscribe(transport, prefix + "/" + i, "g", one));
    }

    subscriptions.get(0).close();
    for (int i = 0; i < count; i++) {
      send(transport, prefix + "/" + i, "after-" + i);
    }

    Awaitility.await().atMost(WAIT).until(() -> bodies.stream().skip(1).allMatch(one -> !one.got.isEmpty()));
    for (int i = 1; i < count; i++) {
      assertThat(bodies.get(i).got).as("subscription %d", i).containsExactly("after-" + i);
    }
    assertThat(subscriptions.get(0).health().state()).isEqualTo(Health.State.CLOSED);
    assertThat(bodies.get(0).got).isEmpty();
    // The closed one's filter stayed subscribed: what came for it waits for the next member.
    Bodies next = new Bodies();
    subscribe(transport, prefix + "/0", "g", next);
    Awaitility.await().atMost(WAIT).until(() -> !next.got.isEmpty());
    assertThat(next.got).containsExactly("after-0");
  }

  @Test
  void twoMembersOfOneGroupAndFilterInOneBusSplitTheMessages() {
    MqttTransport transport = open(uniqueName("gsplit"), null);
    String prefix = MqttBroker.uniqueTopic("gsplit");
    int topics = 10;
    List<Bodies> first = new ArrayList<>();
    List<Bodies> second = new ArrayList<>();
    for (int i = 0; i < topics; i++) {
      Bodies one = new Bodies();
      Bodies two = new Bodies();
      first.add(one);
      second.add(two);
      subscribe(transport, prefix + "/" + i, "g", one);
      subscribe(transport, prefix + "/" + i, "g", two);
    }
    assertThat(transport.groupConnections()).isLessThanOrEqualTo(2 * GroupSessions.SLOTS);

    for (int i = 0; i < topics; i++) {
      for (int j = 0; j < 20; j++) {
        send(transport, prefix + "/" + i, i + "-" + j);
      }
    }

    Awaitility.await().atMost(WAIT).until(() -> {
      for (int i = 0; i < topics; i++) {
        if (first.get(i).got.size() + second.get(i).got.size() < 20) {
          return false;
        }
      }
      return true;
    });
    for (int i = 0; i < topics; i++) {
      List<String> all = new ArrayList<>(first.get(i).got);
      all.addAll(second.get(i).got);
      assertThat(all).as("topic %d", i).hasSize(20).doesNotHaveDuplicates();
      assertThat(first.get(i).got).as("first member of topic %d", i).isNotEmpty();
      assertThat(second.get(i).got).as("second member of topic %d", i).isNotEmpty();
    }
  }

  @Test
  void twoBusesWithOneClientIdBaseAndGroupInOneJvmHaveSessionsOfTheirOwn() {
    String name = uniqueName("gtwo");
    String prefix = MqttBroker.uniqueTopic("gtwo");
    MqttTransport one = open(name, null);
    MqttTransport two = open(name, null);
    List<Bodies> ones = new ArrayList<>();
    List<Bodies> twos = new ArrayList<>();
    // Eight filters each: their slots meet, so sessions named by group and slot alone would be taken over.
    for (int i = 0; i < 8; i++) {
      Bodies a = new Bodies();
      Bodies b = new Bodies();
      ones.add(a);
      twos.add(b);
      subscribe(one, prefix + "/one/" + i, "g", a);
      subscribe(two, prefix + "/two/" + i, "g", b);
    }
    assertThat(one.groupClientIds()).doesNotContainAnyElementsOf(two.groupClientIds());

    for (int i = 0; i < 8; i++) {
      send(one, prefix + "/one/" + i, "one-" + i);
      send(two, prefix + "/two/" + i, "two-" + i);
    }

    Awaitility.await().atMost(WAIT).until(() -> ones.stream().allMatch(b -> !b.got.isEmpty())
        && twos.stream().allMatch(b -> !b.got.isEmpty()));
    for (int i = 0; i < 8; i++) {
      assertThat(ones.get(i).got).containsExactly("one-" + i);
      assertThat(twos.get(i).got).containsExactly("two-" + i);
    }
  }

  @Test
  void aRestartedBusOnMqtt5ResumesItsSessionsWithWhatWasUnacknowledgedAndWhatCameMeanwhile() {
    resumesItsSessions(null);
  }

  @Test
  void aRestartedBusOnMqtt311ResumesItsSessionsWithWhatWasUnacknowledgedAndWhatCameMeanwhile() {
    resumesItsSessions("3.1.1");
  }

  /**
   * The first subscription's handler never settles its message, so it stays unacknowledged on the session; the bus
   * closes, events are published while it is away, and a bus with the same client id gets them all.
   */
  private void resumesItsSessions(@Nullable String version) {
    String name = uniqueName("gresume");
    String prefix = MqttBroker.uniqueTopic("gresume");
    int count = 20;
    MqttTransport first = open(name, version);
    List<String> unsettled = new CopyOnWriteArrayList<>();
    subscribe(first, prefix + "/0", "g", delivery -> unsettled.add(text(delivery)));
    List<Bodies> before = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      Bodies one = new Bodies();
      before.add(one);
      subscribe(first, prefix + "/" + i, "g", one);
    }
    for (int i = 0; i < count; i++) {
      send(first, prefix + "/" + i, "before-" + i);
    }
    Awaitility.await().atMost(WAIT).until(() -> !unsettled.isEmpty()
        && before.stream().allMatch(one -> !one.got.isEmpty()));
    first.close();

    MqttTransport publisher = open(uniqueName("gresume-pub"), null);
    for (int i = 0; i < count; i++) {
      send(publisher, prefix + "/" + i, "away-" + i);
    }
    MqttTransport second = open(name, version);
    List<Bodies> after = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Bodies one = new Bodies();
      after.add(one);
      subscribe(second, prefix + "/" + i, "g", one);
    }

    Awaitility.await().atMost(WAIT).until(() -> after.get(0).got.size() >= 2
        && after.stream().allMatch(one -> one.got.contains("away-" + after.indexOf(one))));
    assertThat(after.get(0).got).as("the unacknowledged one, then what came meanwhile")
        .containsExactly("before-0", "away-0");
    for (int i = 1; i < count; i++) {
      assertThat(after.get(i).got).as("subscription %d", i).contains("away-" + i);
    }
  }

  @Test
  void aCutSessionSubscribesEveryFilterAgainAndLosesNothing() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    MqttTransport flaky = open(uniqueName("gflaky"), null, proxy.address());
    MqttTransport direct = open(uniqueName("gdirect"), null);
    String prefix = MqttBroker.uniqueTopic("gcut");
    int count = 20;
    List<Bodies> bodies = new ArrayList<>();
    List<TransportSubscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Bodies one = new Bodies();
      bodies.add(one);
      subscriptions.add(subscribe(flaky, prefix + "/" + i, "g", one));
    }

    proxy.cutAndRefuse();
    for (int i = 0; i < count; i++) {
      send(direct, prefix + "/" + i, "outage-" + i);
    }
    proxy.restore();

    Awaitility.await().atMost(WAIT).until(() -> bodies.stream().allMatch(one -> !one.got.isEmpty()));
    for (int i = 0; i < count; i++) {
      assertThat(bodies.get(i).got).as("subscription %d", i).containsExactly("outage-" + i);
    }
    Awaitility.await().atMost(WAIT).until(() -> subscriptions.stream()
        .allMatch(subscription -> subscription.health().state() == Health.State.UP));
  }
}
