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
 * Anonymous subscriptions of one transport share one connection, on the machine's Mosquitto: each gets its own
 * topic's messages only, closing one leaves the others, a cut connection subscribes them all again, and the threads do
 * not grow with the subscriptions. Connections are cut through a proxy of the test's own; the broker keeps running.
 */
class MqttSharedConnectionTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.MQTT);

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
        .withBindings(new Bindings(Map.of("mqtt", Map.of("clientId", name))));
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

  private TransportSubscription subscribe(MqttTransport transport, Destination destination, Bodies bodies) {
    TransportSubscription subscription = transport.subscribe(destination, SubscribeOptions.group(null), bodies);
    resources.add(subscription);
    return subscription;
  }

  private static WireMessage event(String text) {
    return CODEC.encode(CloudEventBuilder.v1()
        .withId(UUID.randomUUID().toString())
        .withSource(URI.create("/shared-connection-test"))
        .withType("dev.omnibus.test.v1")
        .withDataContentType("text/plain")
        .withData(text.getBytes(StandardCharsets.UTF_8))
        .build(), Mode.STRUCTURED);
  }

  private static void send(MqttTransport transport, String topic, String text) {
    transport.send(Destination.of(topic).withMode(Mode.STRUCTURED), event(text)).toCompletableFuture()
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Records the data of every delivery and acknowledges it. */
  private static final class Bodies implements dev.omnibus.spi.DeliveryHandler {
    final List<String> got = new CopyOnWriteArrayList<>();

    @Override
    public void onDelivery(Delivery delivery) {
      got.add(new String(CODEC.decode(delivery.message()).getData().toBytes(), StandardCharsets.UTF_8));
      delivery.ack();
    }
  }

  @Test
  void manyAnonymousSubscriptionsOnMqtt5ShareOneConnectionAndEachGetsOnlyItsOwnTopic() {
    eachGetsOnlyItsOwnTopicOnOneConnection(null);
  }

  @Test
  void manyAnonymousSubscriptionsOnMqtt311ShareOneConnectionAndEachGetsOnlyItsOwnTopic() {
    eachGetsOnlyItsOwnTopicOnOneConnection("3.1.1");
  }

  private void eachGetsOnlyItsOwnTopicOnOneConnection(@Nullable String protocolVersion) {
    MqttTransport transport = open(uniqueName("shared"), protocolVersion);
    String prefix = MqttBroker.uniqueTopic("shared");
    int count = 50;
    List<Bodies> bodies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Bodies one = new Bodies();
      bodies.add(one);
      subscribe(transport, Destination.of(prefix + "/" + i), one);
    }
    assertThat(transport.anonymousConnections()).isEqualTo(1);

    for (int i = 0; i < count; i++) {
      send(transport, prefix + "/" + i, "m" + i);
    }

    Awaitility.await().atMost(WAIT).until(() -> bodies.stream().allMatch(one -> !one.got.isEmpty()));
    for (int i = 0; i < count; i++) {
      assertThat(bodies.get(i).got).as("subscription %d", i).containsExactly("m" + i);
    }
  }

  @Test
  void overlappingFiltersOnMqtt5ShareTheConnectionAndEachGetsAMessageOnce() {
    overlappingFiltersEachGetAMessageOnce("overlap5", null, 1);
  }

  @Test
  void anOverlappingFilterOnMqtt311GetsAConnectionOfItsOwnSoEachGetsAMessageOnce() {
    // Without Subscription Identifiers a broker may send a message matching both filters once or twice.
    overlappingFiltersEachGetAMessageOnce("overlap3", "3.1.1", 2);
  }

  private void overlappingFiltersEachGetAMessageOnce(String name, @Nullable String version, int connections) {
    MqttTransport transport = open(uniqueName(name), version);
    String prefix = MqttBroker.uniqueTopic("overlap");
    Bodies wildcard = new Bodies();
    Bodies exact = new Bodies();
    subscribe(transport, Destination.of(prefix + "/{id}"), wildcard);
    subscribe(transport, Destination.of(prefix + "/a"), exact);
    assertThat(transport.anonymousConnections()).isEqualTo(connections);

    send(transport, prefix + "/a", "first");
    send(transport, prefix + "/b", "second");

    Awaitility.await().atMost(WAIT).until(() -> wildcard.got.size() >= 2 && !exact.got.isEmpty());
    assertThat(wildcard.got).containsExactly("first", "second");
    assertThat(exact.got).containsExactly("first");
  }

  @Test
  void closingOneSubscriptionLeavesTheOthersOfItsConnectionReceiving() {
    MqttTransport transport = open(uniqueName("close"), null);
    String prefix = MqttBroker.uniqueTopic("close");
    Bodies closing = new Bodies();
    Bodies sameTopic = new Bodies();
    Bodies otherTopic = new Bodies();
    TransportSubscription closed = subscribe(transport, Destination.of(prefix + "/a"), closing);
    subscribe(transport, Destination.of(prefix + "/a"), sameTopic);
    subscribe(transport, Destination.of(prefix + "/b"), otherTopic);
    send(transport, prefix + "/a", "before");
    Awaitility.await().atMost(WAIT).until(() -> !closing.got.isEmpty() && !sameTopic.got.isEmpty());

    closed.close();
    send(transport, prefix + "/a", "after-a");
    send(transport, prefix + "/b", "after-b");

    Awaitility.await().atMost(WAIT).until(() -> sameTopic.got.size() >= 2 && !otherTopic.got.isEmpty());
    assertThat(sameTopic.got).containsExactly("before", "after-a");
    assertThat(otherTopic.got).containsExactly("after-b");
    assertThat(closing.got).containsExactly("before");
    assertThat(closed.health().state()).isEqualTo(Health.State.CLOSED);
    assertThat(transport.anonymousConnections()).isEqualTo(1);
  }

  @Test
  void theConnectionClosesWithItsLastSubscriptionAndANewOneOpensForTheNext() {
    MqttTransport transport = open(uniqueName("last"), null);
    String topic = MqttBroker.uniqueTopic("last");
    TransportSubscription only = subscribe(transport, Destination.of(topic), new Bodies());
    assertThat(transport.anonymousConnections()).isEqualTo(1);

    only.close();
    assertThat(transport.anonymousConnections()).isZero();

    Bodies next = new Bodies();
    subscribe(transport, Destination.of(topic), next);
    send(transport, topic, "again");
    Awaitility.await().atMost(WAIT).until(() -> !next.got.isEmpty());
    assertThat(next.got).containsExactly("again");
  }

  @Test
  void aHandlerThatDoesNotReturnHoldsBackNoOtherSubscriptionOfItsConnection() throws Exception {
    MqttTransport transport = open(uniqueName("slow"), null);
    String prefix = MqttBroker.uniqueTopic("slow");
    CountDownLatch release = new CountDownLatch(1);
    List<String> slowGot = new CopyOnWriteArrayList<>();
    TransportSubscription slow = transport.subscribe(Destination.of(prefix + "/slow"), SubscribeOptions.group(null),
        delivery -> {
          slowGot.add("got");
          try {
            release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          delivery.ack();
        });
    resources.add(slow);
    Bodies fast = new Bodies();
    subscribe(transport, Destination.of(prefix + "/fast"), fast);
    for (int i = 0; i < 100; i++) {
      send(transport, prefix + "/slow", "s" + i);
    }
    Awaitility.await().atMost(WAIT).until(() -> !slowGot.isEmpty());

    for (int i = 0; i < 100; i++) {
      send(transport, prefix + "/fast", "f" + i);
    }

    try {
      Awaitility.await().atMost(WAIT).until(() -> fast.got.size() >= 100);
      assertThat(slowGot).hasSize(1);
    } finally {
      release.countDown();
    }
    Awaitility.await().atMost(WAIT).until(() -> slowGot.size() >= 100);
  }

  @Test
  void aCutSharedConnectionSubscribesEverySubscriptionAgain() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    MqttTransport flaky = open(uniqueName("flaky"), null, proxy.address());
    MqttTransport direct = open(uniqueName("direct"), null);
    String prefix = MqttBroker.uniqueTopic("cut");
    int count = 20;
    List<Bodies> bodies = new ArrayList<>();
    List<TransportSubscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Bodies one = new Bodies();
      bodies.add(one);
      subscriptions.add(subscribe(flaky, Destination.of(prefix + "/" + i), one));
    }

    proxy.cut();

    // The clean session lost its subscriptions with the connection; until they are back, what is sent is gone for
    // them, so keep sending to every topic until each subscription got a message sent after the cut.
    int[] round = {0};
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
      round[0]++;
      for (int i = 0; i < count; i++) {
        if (bodies.get(i).got.isEmpty()) {
          send(direct, prefix + "/" + i, "after-" + i + "-" + round[0]);
        }
      }
      return bodies.stream().allMatch(one -> !one.got.isEmpty());
    });
    for (int i = 0; i < count; i++) {
      int index = i;
      assertThat(bodies.get(i).got).allMatch(text -> text.startsWith("after-" + index + "-"));
    }
    Awaitility.await().atMost(WAIT).until(() -> subscriptions.stream()
        .allMatch(subscription -> subscription.health().state() == Health.State.UP));
    assertThat(flaky.anonymousConnections()).isEqualTo(1);
  }

  @Test
  void theThreadsDoNotGrowWithTheAnonymousSubscriptions() {
    String name = uniqueName("threads");
    MqttTransport transport = open(name, null);
    String prefix = MqttBroker.uniqueTopic("threads");
    subscribe(transport, Destination.of(prefix + "/0"), new Bodies());
    long withOne = threadsOf(name);

    for (int i = 1; i < 100; i++) {
      subscribe(transport, Destination.of(prefix + "/" + i), new Bodies());
    }

    // Paho names its threads after the client id (the server binding's clientId and suffixes of it); the handler
    // pool after the server.
    assertThat(threadsOf(name)).isEqualTo(withOne);
  }

  private static long threadsOf(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(thread -> thread.getName().contains(name)).count();
  }
}
