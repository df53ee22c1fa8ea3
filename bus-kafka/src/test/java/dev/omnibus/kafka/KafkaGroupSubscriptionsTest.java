package dev.omnibus.kafka;

import static dev.omnibus.kafka.KafkaFixture.WAIT;
import static dev.omnibus.kafka.KafkaFixture.binary;
import static dev.omnibus.kafka.KafkaFixture.event;
import static dev.omnibus.kafka.KafkaFixture.join;
import static dev.omnibus.kafka.KafkaFixture.onePartition;
import static dev.omnibus.kafka.KafkaFixture.text;
import static dev.omnibus.kafka.KafkaFixture.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.Health;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.test.kafka.EmbeddedKafka;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Group subscriptions of one transport to plain topics share one consumer per group: many of them cost one poll
 * thread, and each keeps its own events, settling, window and close as on a consumer of its own.
 */
@ExtendWith(EmbeddedKafka.class)
class KafkaGroupSubscriptionsTest {

  private EmbeddedKafka kafka;
  private KafkaFixture fixture;
  private Transport transport;

  @BeforeEach
  void open(EmbeddedKafka kafka) {
    this.kafka = kafka;
    fixture = new KafkaFixture(kafka);
    transport = fixture.transport();
  }

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  @Test
  void fiftyGroupSubscriptionsOfOneGroupUseOneConsumerAndEachGetsItsOwnTopicsEvents() {
    int count = 50;
    String base = uniqueTopic("group-many");
    String group = "group-many-" + base;
    // The producer and admin client start their threads before the count.
    sendAll(onePartition(base + ".warm-up"), "warm-up");
    int threadsBefore = Thread.activeCount();
    Map<String, List<String>> received = new ConcurrentHashMap<>();
    List<TransportSubscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String topic = base + "." + i;
      List<String> mine = new CopyOnWriteArrayList<>();
      received.put(topic, mine);
      subscriptions.add(transport.subscribe(onePartition(topic), SubscribeOptions.group(group), delivery -> {
        mine.add(data(delivery));
        delivery.ack();
      }));
    }
    int threadsAdded = Thread.activeCount() - threadsBefore;
    // Sent as soon as every subscribe returned, most topics not assigned yet: the group reads them from the beginning.
    received.keySet().forEach(topic -> sendAll(onePartition(topic), "for " + topic));

    Awaitility.await().atMost(WAIT).until(() -> received.values().stream().allMatch(list -> !list.isEmpty()));
    received.forEach((topic, events) -> assertThat(events).as(topic).containsExactly("for " + topic));
    // One consumer: its poll thread and Kafka's heartbeat thread, not two per subscription.
    assertThat(threadsAdded).isLessThan(count / 10);
    assertThat(threadNames().stream().filter(name -> name.startsWith("omnibus-kafka-group-" + group))).hasSize(1);

    subscriptions.forEach(TransportSubscription::close);
  }

  @Test
  void closingOneGroupSubscriptionCommitsItsPrefixAndLosesNothingForItsNeighbour() {
    String group = "group-close-" + uniqueTopic("g");
    Destination closing = onePartition(uniqueTopic("group-closing"));
    Destination neighbour = onePartition(uniqueTopic("group-neighbour"));
    List<String> closingHandled = new CopyOnWriteArrayList<>();
    List<String> neighbourHandled = new CopyOnWriteArrayList<>();
    TransportSubscription first = transport.subscribe(closing, SubscribeOptions.group(group), delivery -> {
      closingHandled.add(data(delivery));
      delivery.ack();
    });
    transport.subscribe(neighbour, SubscribeOptions.group(group), delivery -> {
      neighbourHandled.add(data(delivery));
      delivery.ack();
    });
    sendAll(closing, "c0", "c1");
    sendAll(neighbour, "n0", "n1");
    Awaitility.await().atMost(WAIT).until(() -> closingHandled.size() >= 2 && neighbourHandled.size() >= 2);

    first.close();
    sendAll(neighbour, "n2", "n3");
    sendAll(closing, "c2");
    Awaitility.await().atMost(WAIT).until(() -> neighbourHandled.size() >= 4);
    assertThat(neighbourHandled).containsExactly("n0", "n1", "n2", "n3");
    assertThat(closingHandled).containsExactly("c0", "c1");

    // The group resumes the closed subscription's topic after what it acknowledged, on the same consumer.
    List<String> again = new CopyOnWriteArrayList<>();
    transport.subscribe(closing, SubscribeOptions.group(group), delivery -> {
      again.add(data(delivery));
      delivery.ack();
    });
    Awaitility.await().atMost(WAIT).until(() -> again.contains("c2"));
    assertThat(again).containsExactly("c2");
  }

  @Test
  void aTopicSubscribedAgainRightAfterCloseStartsAtTheFirstEventNotAcknowledged() {
    String group = "group-reopen-" + uniqueTopic("g");
    Destination destination = onePartition(uniqueTopic("group-reopen"));
    // Keeps the group's consumer running, so that the topic is taken over before any rebalance takes it away.
    transport.subscribe(onePartition(uniqueTopic("group-keeper")), SubscribeOptions.group(group), Delivery::ack);
    List<String> first = new CopyOnWriteArrayList<>();
    List<Delivery> held = new CopyOnWriteArrayList<>();
    TransportSubscription subscription = transport.subscribe(destination, SubscribeOptions.group(group), delivery -> {
      first.add(data(delivery));
      if (first.size() <= 2) {
        delivery.ack();
      } else {
        held.add(delivery); // never settled: comes again
      }
    });
    sendAll(destination, "e0", "e1", "e2", "e3");
    Awaitility.await().atMost(WAIT).until(() -> first.size() >= 4);
    subscription.close();

    List<String> second = new CopyOnWriteArrayList<>();
    transport.subscribe(destination, SubscribeOptions.group(group), delivery -> {
      second.add(data(delivery));
      delivery.ack();
    });
    sendAll(destination, "e4");
    Awaitility.await().atMost(WAIT).until(() -> second.contains("e4"));
    assertThat(second).containsExactly("e2", "e3", "e4");
    held.forEach(Delivery::ack); // too late: ignored
  }

  @Test
  void aSubscriptionAtItsWindowPausesOnlyItsOwnPartitionsAndResumesWhenItSettles() {
    String group = "group-slow-" + uniqueTopic("g");
    Destination slow = onePartition(uniqueTopic("group-slow"));
    Destination fast = onePartition(uniqueTopic("group-fast"));
    List<Delivery> held = new CopyOnWriteArrayList<>();
    List<String> fastHandled = new CopyOnWriteArrayList<>();
    // Settled later, from another thread; at most 1,000 unsettled (the default), then its partitions are paused.
    transport.subscribe(slow, SubscribeOptions.group(group), held::add);
    transport.subscribe(fast, SubscribeOptions.group(group), delivery -> {
      fastHandled.add(data(delivery));
      delivery.ack();
    });
    int sent = 2_500;
    // The first alone: the producer's first batches to a new topic may be retried behind later ones.
    sendAll(slow, "s0");
    List<java.util.concurrent.CompletionStage<Void>> sends = new ArrayList<>();
    for (int i = 1; i < sent; i++) {
      sends.add(transport.send(slow, binary(event("s" + i))));
    }
    sends.forEach(KafkaFixture::join);
    Awaitility.await().atMost(WAIT).until(() -> held.size() >= 1_000);
    sendAll(fast, "f0", "f1", "f2");
    Awaitility.await().atMost(WAIT).until(() -> fastHandled.size() >= 3);
    assertThat(fastHandled).containsExactly("f0", "f1", "f2");
    // Paused after the poll that reached the window: at most one poll's records (500) beyond it.
    assertThat(held.size()).isLessThan(sent);

    // Settling what was handed over frees room: the subscription resumes and gets the rest, in order.
    AtomicInteger settled = new AtomicInteger();
    Awaitility.await().atMost(WAIT).until(() -> {
      List<Delivery> now = List.copyOf(held);
      now.subList(settled.get(), now.size()).forEach(Delivery::ack);
      settled.set(now.size());
      return now.size() >= sent;
    });
    // In offset order (the producer may have retried a batch behind later ones), each once.
    List<String> inTopic = fixture.readRaw(slow.address(), sent).stream().map(record -> text(record.value())).toList();
    assertThat(held.stream().map(KafkaGroupSubscriptionsTest::data)).containsExactlyElementsOf(inTopic);
  }

  @Test
  void aSecondTransportJoiningTheGroupTakesPartitionsOverWithoutLossNorOneKeyHandledTwiceAtOnce() throws Exception {
    String group = "group-join-" + uniqueTopic("g");
    List<Destination> destinations = IntStream.range(0, 3)
        .mapToObj(i -> KafkaFixture.withBinding(uniqueTopic("group-join-" + i), Map.of("partitions", 4)))
        .toList();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    Set<String> running = ConcurrentHashMap.newKeySet();
    AtomicInteger overlaps = new AtomicInteger();
    Map<String, AtomicInteger> byTransport = new ConcurrentHashMap<>();
    Transport second = fixture.transport();
    for (Transport member : List.of(transport, second)) {
      AtomicInteger mine = byTransport.computeIfAbsent(member == transport ? "first" : "second",
          name -> new AtomicInteger());
      if (member == second) {
        sendKeyed(destinations, 0, 200); // the first member alone reads these; the second joins while it does
      }
      for (Destination destination : destinations) {
        member.subscribe(destination, SubscribeOptions.group(group), delivery -> {
          String key = destination.address() + "/" + delivery.message().key();
          if (!running.add(key)) {
            overlaps.incrementAndGet();
          }
          try {
            handled.add(data(delivery));
            mine.incrementAndGet();
          } finally {
            running.remove(key);
          }
          delivery.ack();
        });
      }
    }
    sendKeyed(destinations, 200, 400);

    Awaitility.await().atMost(WAIT).until(() -> handled.size() >= 3 * 400);
    assertThat(handled).hasSize(3 * 400);
    assertThat(overlaps).hasValue(0);
    Awaitility.await().atMost(WAIT).until(() -> byTransport.get("second").get() > 0);
  }

  @Test
  void aTopicThatCannotBeCreatedStallsOnlyItsOwnGroupSubscriptionUntilTheTopicAppears() throws Exception {
    String group = "group-uncreatable-" + uniqueTopic("g");
    Destination neighbour = onePartition(uniqueTopic("group-healthy"));
    String topic = uniqueTopic("group-uncreatable");
    // Three replicas on a cluster of one broker: the cluster refuses to create it.
    Destination threeReplicas = KafkaFixture.withBinding(topic, Map.of("partitions", 1, "replicas", 3));
    List<String> received = new CopyOnWriteArrayList<>();
    TransportSubscription healthy = transport.subscribe(neighbour, SubscribeOptions.group(group), Delivery::ack);
    TransportSubscription stalled = transport.subscribe(threeReplicas, SubscribeOptions.group(group), delivery -> {
      received.add(data(delivery));
      delivery.ack();
    });
    Awaitility.await().atMost(WAIT).until(() -> stalled.health().state() == Health.State.STALLED);
    assertThat(stalled.health().lastError()).contains("topic '" + topic + "'").contains("could not be created");
    Awaitility.await().atMost(WAIT).until(() -> healthy.health().state() == Health.State.UP);

    // Created by someone with the right settings: found, read from its beginning, up again.
    try (Admin admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    sendAll(onePartition(topic), "at last");
    Awaitility.await().atMost(WAIT).until(() -> received.contains("at last"));
    Awaitility.await().atMost(WAIT).until(() -> stalled.health().state() == Health.State.UP);
  }

  private void sendKeyed(List<Destination> destinations, int from, int to) {
    List<java.util.concurrent.CompletionStage<Void>> sends = new ArrayList<>();
    for (Destination destination : destinations) {
      for (int i = from; i < to; i++) {
        String data = destination.address() + "#" + i;
        sends.add(transport.send(destination, binary(CloudEventBuilder.v1(event(data))
            .withExtension("partitionkey", "k" + (i % 16)).build())));
      }
    }
    sends.forEach(KafkaFixture::join);
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toSet());
  }

  private void sendAll(Destination destination, String... data) {
    for (String item : data) {
      join(transport.send(destination, binary(event(item))));
    }
  }

  private static String data(Delivery delivery) {
    return text(delivery.message().body());
  }
}
