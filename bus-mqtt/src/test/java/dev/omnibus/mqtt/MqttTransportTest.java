package dev.omnibus.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SecurityScheme;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportSubscription;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MQTT 5 transport at the SPI level, on the machine's Mosquitto. */
class MqttTransportTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.MQTT);

  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeAll
  static void broker() {
    MqttBroker.assumeReachable();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Transport open(ServerConfig server) {
    Transport transport = new MqttTransportProvider().open(server);
    resources.add(transport);
    return transport;
  }

  private Transport open() {
    return open(MqttBroker.server("test", null));
  }

  private TransportSubscription subscribe(Transport transport, Destination destination, String group,
      dev.omnibus.spi.DeliveryHandler handler) {
    TransportSubscription subscription = transport.subscribe(destination, SubscribeOptions.group(group), handler);
    resources.add(subscription);
    return subscription;
  }

  private static CloudEvent event(String data) {
    return CloudEventBuilder.v1()
        .withId(UUID.randomUUID().toString())
        .withSource(URI.create("/mqtt-test"))
        .withType("dev.omnibus.test")
        .withSubject("s-1")
        .withDataContentType("text/plain")
        .withData(data.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static WireMessage binary(String data) {
    return CODEC.encode(event(data), Mode.BINARY);
  }

  private static void join(java.util.concurrent.CompletionStage<Void> stage) {
    stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  @Test
  void aBinaryEventTravelsAsUnprefixedUserPropertiesWithTheContentTypeProperty() {
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("binary"));
    Recorder recorder = new Recorder();
    subscribe(transport, topic, null, recorder);
    CloudEvent sent = event("hello");

    join(transport.send(topic, CODEC.encode(sent, Mode.BINARY)));

    WireMessage got = recorder.awaitCount(1).deliveries().get(0).message();
    assertThat(got.headers()).containsEntry("id", sent.getId()).containsEntry("source", "/mqtt-test")
        .containsEntry("specversion", "1.0").containsEntry("type", "dev.omnibus.test")
        .containsEntry("subject", "s-1")
        .doesNotContainKeys("ce-id", "ce_id", "datacontenttype");
    assertThat(got.contentType()).isEqualTo("text/plain");
    assertThat(CODEC.decode(got)).isEqualTo(sent);
  }

  @Test
  void aStructuredEventCarriesTheFormatAsContentType() {
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("structured")).withMode(Mode.STRUCTURED);
    Recorder recorder = new Recorder();
    subscribe(transport, topic, null, recorder);
    CloudEvent sent = event("structured");

    join(transport.send(topic, CODEC.encode(sent, Mode.STRUCTURED)));

    WireMessage got = recorder.awaitCount(1).deliveries().get(0).message();
    assertThat(got.contentType()).startsWith("application/cloudevents+json");
    assertThat(CODEC.decode(got)).isEqualTo(sent);
  }

  @Test
  void aMessageSentRightAfterSubscribeReturnedReachesTheSubscription() {
    Transport transport = open();
    for (int i = 0; i < 5; i++) {
      Destination topic = Destination.of(MqttBroker.uniqueTopic("suback"));
      Recorder recorder = new Recorder();
      subscribe(transport, topic, null, recorder);
      join(transport.send(topic, binary("right after " + i)));
      assertThat(recorder.awaitCount(1).bodies()).containsExactly("right after " + i);
    }
  }

  @Test
  void aParameterisedAddressIsSubscribedWithASingleLevelWildcard() {
    Transport transport = open();
    String base = MqttBroker.uniqueTopic("wildcard");
    Recorder recorder = new Recorder();
    subscribe(transport, Destination.of(base + "/{deviceId}/temperature"), null, recorder);

    join(transport.send(Destination.of(base + "/d-1/temperature"), binary("one")));
    join(transport.send(Destination.of(base + "/d-2/humidity"), binary("not this")));
    join(transport.send(Destination.of(base + "/d-2/temperature"), binary("two")));

    Awaitility.await().atMost(WAIT).until(() -> recorder.bodies().contains("two"));
    assertThat(recorder.bodies()).containsExactly("one", "two");
  }

  @Test
  void aNackedMessageIsDeliveredAgainInProcessCountingAttempts() {
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("nack"));
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    subscribe(transport, topic, "nackers", delivery -> {
      attempts.add(delivery.attempt());
      if (delivery.attempt() < 3) {
        delivery.nack(true);
      } else {
        delivery.ack();
      }
    });

    join(transport.send(topic, binary("retry me")));

    Awaitility.await().atMost(WAIT).until(() -> attempts.size() >= 3);
    assertThat(attempts).containsExactly(1, 2, 3);
  }

  @Test
  void aNackedMessageComesBackBeforeLaterOnesAndOnlyUpToTheBound() {
    Transport transport = open(MqttBroker.server("bounded", null).withOption("max-redeliveries", "2"));
    Destination topic = Destination.of(MqttBroker.uniqueTopic("bound"));
    List<String> seen = new CopyOnWriteArrayList<>();
    subscribe(transport, topic, "bounded", delivery -> {
      String body = new String(delivery.message().body(), StandardCharsets.UTF_8);
      seen.add(body + "#" + delivery.attempt());
      if (body.equals("poison")) {
        delivery.nack(true);
      } else {
        delivery.ack();
      }
    });

    join(transport.send(topic, binary("poison")));
    join(transport.send(topic, binary("after")));

    // In-process redelivery goes to the head of the queue: had the poison come back a fourth time, it would be seen
    // before "after".
    Awaitility.await().atMost(WAIT).until(() -> seen.contains("after#1"));
    assertThat(seen).containsExactly("poison#1", "poison#2", "poison#3", "after#1");
  }

  @Test
  void aSubscriberFarBehindThePublisherLosesNothingAndKeepsTheOrder() throws Exception {
    // Stock Mosquitto keeps 20 messages in flight to a subscriber and queues 1000 more, dropping the rest; the
    // binding's large Receive Maximum keeps every unacknowledged message in flight instead.
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("flood"));
    CountDownLatch allPublished = new CountDownLatch(1);
    List<String> received = new CopyOnWriteArrayList<>();
    subscribe(transport, topic, "slow", delivery -> {
      try {
        allPublished.await(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      received.add(new String(delivery.message().body(), StandardCharsets.UTF_8));
      delivery.ack();
    });
    int count = 3000;
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add("m" + i);
      sends.add(transport.send(topic, binary("m" + i)).toCompletableFuture());
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    allPublished.countDown();

    Awaitility.await().atMost(WAIT).until(() -> received.size() >= count);
    assertThat(received).containsExactlyElementsOf(expected);
  }

  @Test
  void aGroupMemberThatComesBackGetsWhatWasSentWhileItWasAway() {
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("durable"));
    TransportSubscription first = subscribe(transport, topic, "durable", new Recorder());
    first.close();

    join(transport.send(topic, binary("while away")));
    Recorder second = new Recorder();
    subscribe(open(), topic, "durable", second);

    assertThat(second.awaitCount(1).bodies()).containsExactly("while away");
  }

  @Test
  void membersOfOneGroupInOneJvmAreDistinctSessionsSharingTheMessages() {
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("share"));
    Recorder one = new Recorder();
    Recorder two = new Recorder();
    subscribe(transport, topic, "workers", one);
    subscribe(transport, topic, "workers", two);
    for (int i = 0; i < 40; i++) {
      join(transport.send(topic, binary("w" + i)));
    }
    Awaitility.await().atMost(WAIT).until(() -> one.deliveries().size() + two.deliveries().size() >= 40);
    List<String> all = new ArrayList<>(one.bodies());
    all.addAll(two.bodies());
    assertThat(all).hasSize(40).doesNotHaveDuplicates();
  }

  @Test
  void anEventAClosingMemberDidNotAcknowledgeReachesAnotherMemberOfItsGroup() throws Exception {
    // Mosquitto keeps a leaving member's unacknowledged messages on its session; the binding hands them to a member
    // that goes on. Here the handler outlives close() (bounded by the close timeout) and nacks afterwards.
    Transport transport = open(MqttBroker.server("handover", null).withOption("close-timeout-seconds", "1"));
    Destination topic = Destination.of(MqttBroker.uniqueTopic("handover"));
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TransportSubscription leaving = subscribe(transport, topic, "g", delivery -> {
      holding.countDown();
      try {
        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      delivery.nack(true);
    });
    join(transport.send(topic, binary("held")));
    assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    Recorder staying = new Recorder();
    subscribe(open(), topic, "g", staying);

    leaving.close();
    release.countDown();

    assertThat(staying.awaitCount(1).bodies()).containsExactly("held");
  }

  @Test
  void messagesQueuedForALeavingMemberReachAnotherMemberOfItsGroup() {
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("queued"));
    CountDownLatch firstSeen = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    List<String> leavingHandled = new CopyOnWriteArrayList<>();
    TransportSubscription leaving = subscribe(transport, topic, "q", delivery -> {
      firstSeen.countDown();
      leavingHandled.add(new String(delivery.message().body(), StandardCharsets.UTF_8));
      delivery.ack();
      try {
        never.await(2, TimeUnit.SECONDS); // a slow handler: the rest wait in this member's queue
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add("q" + i);
      join(transport.send(topic, binary("q" + i)));
    }
    Recorder staying = new Recorder();
    subscribe(open(), topic, "q", staying);

    leaving.close();

    Awaitility.await().atMost(WAIT).until(() -> leavingHandled.size() + staying.deliveries().size() >= 10);
    List<String> all = new ArrayList<>(leavingHandled);
    all.addAll(staying.bodies());
    assertThat(all).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void theOperationBindingSetsQosAndRetain() {
    Transport transport = open();
    String address = MqttBroker.uniqueTopic("retain");
    Destination retained = new Destination(address, address, Mode.BINARY, Bindings.none(),
        new Bindings(Map.of("mqtt", Map.of("qos", 0, "retain", true))), Map.of());
    join(transport.send(retained, binary("kept by the broker")));

    Recorder late = new Recorder();
    subscribe(transport, Destination.of(address), null, late);
    assertThat(late.awaitCount(1).bodies()).containsExactly("kept by the broker");
    // An empty retained message clears it, so the broker does not keep test data.
    join(transport.send(retained, new WireMessage(Map.of(), null, null, null)));
  }

  @Test
  void deadLettersGoToTheDlqSubTopic() {
    Transport transport = open();
    assertThat(transport.deadLetter(Destination.of("orders/paid"), "billing").address()).isEqualTo("orders/paid/dlq");
  }

  @Test
  void capabilitiesOfMqtt5() {
    assertThat(open().capabilities().features()).contains(Feature.BINARY_MODE, Feature.STRUCTURED_MODE,
        Feature.CONSUMER_GROUPS, Feature.DURABLE_GROUPS, Feature.ANONYMOUS_FAN_OUT, Feature.REDELIVERY,
        Feature.WILDCARD_SUBSCRIPTIONS).doesNotContain(Feature.PER_KEY_ORDER, Feature.RETAINS_UNCONSUMED);
    assertThat(open().capabilities().convention()).isSameAs(HeaderConvention.MQTT);
  }

  @Test
  void sendingToATopicWithWildcardsFails() {
    Transport transport = open();
    assertThatThrownBy(() -> join(transport.send(Destination.of("a/+/b"), binary("x"))))
        .hasCauseInstanceOf(PublishException.class);
  }

  @Test
  void afterCloseSendAndSubscribeFailAndCloseAgainIsQuiet() {
    Transport transport = open();
    transport.close();
    transport.close();
    assertThatThrownBy(() -> join(transport.send(Destination.of("x/y"), binary("late"))))
        .hasCauseInstanceOf(TransportClosedException.class);
    assertThatThrownBy(() -> transport.subscribe(Destination.of("x/y"), SubscribeOptions.group(null), d -> { }))
        .isInstanceOf(TransportClosedException.class);
  }

  @Test
  void everySettingProblemIsReportedAtOnce() {
    ServerConfig server = ServerConfig.of("edge", "mqtt", MqttBroker.HOST + ":" + MqttBroker.PORT)
        .withProtocolVersion("6")
        .withOption("max-in-flight", "zero")
        .withSecurity(List.of(new SecurityScheme("user", "userPassword", Map.of())));
    assertThatThrownBy(() -> new MqttTransportProvider().open(server))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .extracting(ConfigurationException.Problem::path)
            .containsExactlyInAnyOrder("servers.edge.protocolVersion", "servers.edge.x-omnibus-max-in-flight",
                "servers.edge.security"))
        .hasMessageContaining("OMNIBUS_EDGE_USERNAME");
  }

  @Test
  void anUnreachableBrokerIsAClearError() {
    ServerConfig server = ServerConfig.of("nowhere", "mqtt", "127.0.0.1:1").withOption("connect-timeout", "2s");
    assertThatThrownBy(() -> new MqttTransportProvider().open(server))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Cannot connect to MQTT server 'nowhere' at tcp://127.0.0.1:1");
  }

  @Test
  void aSubscribeTheBrokerDoesNotAnswerSaysToCheckTheBrokerAndSubscribeAgain() throws Exception {
    SilentBroker silent = new SilentBroker();
    resources.add(silent);
    Transport transport = open(MqttBroker.server("silent", null, silent.address())
        .withOption("connect-timeout", "1s"));

    assertThatThrownBy(() -> transport.subscribe(Destination.of("orders/paid"), SubscribeOptions.group(null),
        d -> { }))
        .isInstanceOf(TransportClosedException.class)
        .hasMessageStartingWith("Subscribing to channel 'orders/paid' ('orders/paid') on MQTT server 'silent' timed "
            + "out: the broker did not answer (no SUBACK and no message from the broker for 1 s, "
            + "x-omnibus-connect-timeout)")
        .hasMessageEndingWith("Check that the broker is up and not overloaded, then subscribe again: the bus stays "
            + "open")
        .message().doesNotContain("build a new EventBus");
  }

  @Test
  void noGroupCanBeAddressedSoAReplayReachesEveryGroup() {
    Transport transport = open();
    assertThat(transport.capabilities().supports(Feature.GROUP_REPLAY)).isFalse();
    assertThat(transport.groupDestination(Destination.of("orders/paid"), "billing")).isEmpty();
  }

  @Test
  void aDeliveryIsSettledOnceOnly() {
    Transport transport = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("once"));
    List<Delivery> got = new CopyOnWriteArrayList<>();
    subscribe(transport, topic, null, delivery -> {
      got.add(delivery);
      delivery.ack();
      delivery.nack(true); // ignored: the first settlement counts
    });
    join(transport.send(topic, binary("once")));
    join(transport.send(topic, binary("twice")));
    Awaitility.await().atMost(WAIT).until(() -> got.size() >= 2);
    assertThat(got).extracting(Delivery::attempt).containsExactly(1, 1);
  }

  @Test
  void anAnonymousSubscriptionSubscribesAgainAfterTheConnectionDropped() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    Transport flaky = open(MqttBroker.server("flaky", null, proxy.address()));
    Transport direct = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("reconnect"));
    Recorder recorder = new Recorder();
    subscribe(flaky, topic, null, recorder);
    join(direct.send(topic, binary("before")));
    recorder.awaitCount(1);

    proxy.cut();

    // The clean session lost its subscription with the connection: it must subscribe again after reconnecting.
    // Until it has, messages sent are gone for it, so keep sending until one arrives.
    int[] sent = {0};
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
      join(direct.send(topic, binary("after-" + sent[0]++)));
      return recorder.bodies().stream().anyMatch(body -> body.startsWith("after-"));
    });
  }

  @Test
  void aGroupGetsWhatWasSentWhileItsConnectionWasDown() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    Transport throughProxy = open(MqttBroker.server("flaky", null, proxy.address()));
    Transport direct = open();
    Destination topic = Destination.of(MqttBroker.uniqueTopic("outage"));
    Recorder recorder = new Recorder();
    subscribe(throughProxy, topic, "outage", recorder);

    proxy.cutAndRefuse();
    List<String> duringOutage = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      duringOutage.add("outage-" + i);
      join(direct.send(topic, binary("outage-" + i)));
    }
    proxy.restore();

    recorder.awaitCount(10);
    assertThat(recorder.bodies()).containsExactlyElementsOf(duringOutage);
  }

  @Test
  void publishingWorksAgainAfterTheConnectionCameBack() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    Transport flaky = open(MqttBroker.server("flaky", null, proxy.address()));
    Destination topic = Destination.of(MqttBroker.uniqueTopic("republish"));
    Recorder recorder = new Recorder();
    subscribe(open(), topic, null, recorder);

    proxy.cut();

    // A send caught in flight by the cut fails with a PublishException; later ones are held until paho reconnected
    // (at most 30 s), then published.
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> {
          join(flaky.send(topic, binary("back")));
          return true;
        });
    Awaitility.await().atMost(WAIT).until(() -> recorder.bodies().contains("back"));
  }

  @Test
  void twoBusesWithTheSameClientIdDoNotTakeEachOthersConnection() {
    ServerConfig server = MqttBroker.server("named", null).withBindings(new Bindings(Map.of("mqtt",
        Map.of("clientId", "omnibus-test-" + UUID.randomUUID(), "sessionExpiryInterval",
            MqttBroker.TEST_SESSION_EXPIRY))));
    Transport one = open(server);
    Transport two = open(server);
    Destination topic = Destination.of(MqttBroker.uniqueTopic("named"));
    Recorder recorder = new Recorder();
    subscribe(one, topic, null, recorder);

    for (int i = 0; i < 20; i++) {
      join((i % 2 == 0 ? one : two).send(topic, binary("n" + i)));
    }

    assertThat(recorder.awaitCount(20).bodies()).hasSize(20);
  }

  @Test
  void theBrokerPublishesTheLastWillWhenThePublishingClientDiesUncleanly() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    String willTopic = MqttBroker.uniqueTopic("will");
    ServerConfig server = MqttBroker.server("will", null, proxy.address()).withBindings(new Bindings(Map.of("mqtt",
        Map.of("lastWill", Map.of("topic", willTopic, "qos", 1, "message", "gone", "retain", false),
            "sessionExpiryInterval", MqttBroker.TEST_SESSION_EXPIRY))));
    open(server);
    Recorder watcher = new Recorder();
    subscribe(open(), Destination.of(willTopic), null, watcher);

    proxy.cutAndRefuse();

    assertThat(watcher.awaitCount(1).bodies()).containsExactly("gone");
  }
}
