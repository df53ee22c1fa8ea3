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
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.test.kafka.EmbeddedKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Anonymous subscriptions to plain topics share consumers without a group: many of them cost a few threads, each
 * still gets exactly its own topic's events, and settling works as on a consumer of its own.
 */
@ExtendWith(EmbeddedKafka.class)
class KafkaAnonymousSubscriptionsTest {

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
  void threeHundredAnonymousSubscriptionsEachGetTheirOwnTopicsEventsOnAFewThreads() {
    int count = 300;
    String base = uniqueTopic("many");
    // The producer and admin client start their threads before the count.
    sendAll(onePartition(base + ".warm-up"), "warm-up");
    int threadsBefore = Thread.activeCount();
    Map<String, List<String>> received = new ConcurrentHashMap<>();
    List<TransportSubscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String topic = base + "." + i;
      List<String> mine = new CopyOnWriteArrayList<>();
      received.put(topic, mine);
      subscriptions.add(transport.subscribe(onePartition(topic), SubscribeOptions.group(null), delivery -> {
        mine.add(data(delivery));
        delivery.ack();
      }));
    }
    int threadsAdded = Thread.activeCount() - threadsBefore;

    for (int i = 0; i < count; i++) {
      String topic = base + "." + i;
      sendAll(onePartition(topic), "for " + topic);
    }
    Awaitility.await().atMost(WAIT).until(() -> received.values().stream().allMatch(list -> !list.isEmpty()));
    received.forEach((topic, events) -> assertThat(events).as(topic).containsExactly("for " + topic));
    // One poll thread per 500 subscriptions, not one per subscription.
    assertThat(threadsAdded).isLessThan(count / 10);

    subscriptions.forEach(TransportSubscription::close);
  }

  @Test
  void twoAnonymousSubscriptionsToOneTopicBothGetEveryEvent() {
    Destination destination = onePartition(uniqueTopic("twice"));
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
      first.add(data(delivery));
      delivery.ack();
    });
    transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
      second.add(data(delivery));
      delivery.ack();
    });
    sendAll(destination, "e1", "e2", "e3");
    Awaitility.await().atMost(WAIT).until(() -> first.size() >= 3 && second.size() >= 3);
    assertThat(first).containsExactly("e1", "e2", "e3");
    assertThat(second).containsExactly("e1", "e2", "e3");
  }

  @Test
  void aNackOnASharedConsumerRedeliversThatEventWithoutSkippingLaterOnesNorDisturbingItsNeighbour() {
    Destination nacking = onePartition(uniqueTopic("shared-nack"));
    Destination neighbour = onePartition(uniqueTopic("shared-neighbour"));
    List<String> handled = new CopyOnWriteArrayList<>();
    List<String> attempts = new CopyOnWriteArrayList<>();
    List<String> neighbourHandled = new CopyOnWriteArrayList<>();
    transport.subscribe(neighbour, SubscribeOptions.group(null), delivery -> {
      neighbourHandled.add(data(delivery));
      delivery.ack();
    });
    transport.subscribe(nacking, SubscribeOptions.group(null), delivery -> {
      String data = data(delivery);
      attempts.add(data + "#" + delivery.attempt());
      if (data.equals("e2") && delivery.attempt() < 3) {
        delivery.nack(true);
        return;
      }
      handled.add(data);
      delivery.ack();
    });
    sendAll(nacking, "e0", "e1", "e2", "e3", "e4");
    sendAll(neighbour, "n0", "n1");

    Awaitility.await().atMost(WAIT).until(() -> handled.size() >= 5 && neighbourHandled.size() >= 2);
    assertThat(handled).containsExactly("e0", "e1", "e2", "e3", "e4");
    assertThat(attempts).containsSubsequence("e2#1", "e2#2", "e2#3", "e3#1").doesNotContain("e3#2");
    assertThat(neighbourHandled).containsExactly("n0", "n1");
  }

  @Test
  void aClosedAnonymousSubscriptionGetsNothingMoreAndItsTopicCanBeSubscribedAgain() {
    Destination destination = onePartition(uniqueTopic("reopen"));
    List<String> first = new CopyOnWriteArrayList<>();
    TransportSubscription subscription = transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
      first.add(data(delivery));
      delivery.ack();
    });
    sendAll(destination, "one");
    Awaitility.await().atMost(WAIT).until(() -> first.contains("one"));
    subscription.close();

    List<String> second = new CopyOnWriteArrayList<>();
    transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
      second.add(data(delivery));
      delivery.ack();
    });
    sendAll(destination, "two");
    Awaitility.await().atMost(WAIT).until(() -> second.contains("two"));
    assertThat(second).containsExactly("two");
    assertThat(first).containsExactly("one");
  }

  @Test
  void aSubscriptionWithAPrefetchReadsOnAConsumerOfItsOwnAndHoldsBackNoNeighbour() {
    Destination slow = onePartition(uniqueTopic("slow"));
    Destination fast = onePartition(uniqueTopic("fast"));
    List<Delivery> held = new CopyOnWriteArrayList<>();
    List<String> fastHandled = new CopyOnWriteArrayList<>();
    // Settled later, from another thread, as the bus does at a concurrency above 1 (which asks for a prefetch).
    transport.subscribe(slow, new SubscribeOptions(null, 2), held::add);
    transport.subscribe(fast, SubscribeOptions.group(null), delivery -> {
      fastHandled.add(data(delivery));
      delivery.ack();
    });
    // A consumer of its own: a shared one would seek back and fetch again for every few records at its prefetch.
    assertThat(threadNames()).contains("omnibus-kafka-" + slow.address())
        .doesNotContain("omnibus-kafka-" + fast.address());
    sendAll(slow, "s0", "s1", "s2", "s3");
    sendAll(fast, "f0", "f1", "f2");

    Awaitility.await().atMost(WAIT).until(() -> fastHandled.size() >= 3 && held.size() >= 2);
    assertThat(fastHandled).containsExactly("f0", "f1", "f2");
    held.forEach(Delivery::ack);
    Awaitility.await().atMost(WAIT).until(() -> held.size() >= 4);
    assertThat(held.stream().map(KafkaAnonymousSubscriptionsTest::data)).containsExactly("s0", "s1", "s2", "s3");
    held.forEach(Delivery::ack);
  }

  private static java.util.Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void aTopicCreatedAfterTheSubscriptionIsFoundAndReadFromItsBeginning() throws Exception {
    Transport noCreation = new KafkaTransportProvider().open(ServerConfig.of("no-creation", "kafka", fixture.bootstrap())
        .withOption("kafka-create-topics", "false"));
    try {
      String topic = uniqueTopic("later");
      List<String> received = new CopyOnWriteArrayList<>();
      noCreation.subscribe(onePartition(topic), SubscribeOptions.group(null), delivery -> {
        received.add(data(delivery));
        delivery.ack();
      });
      try (Admin admin = kafka.admin()) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      // Sent as soon as the topic exists, before the subscription can have found it: still delivered.
      sendAll(onePartition(topic), "first", "second");
      Awaitility.await().atMost(WAIT).until(() -> received.size() >= 2);
      assertThat(received).containsExactly("first", "second");
    } finally {
      noCreation.close();
    }
  }

  @Test
  void subscriptionsOpenedInABurstFromManyThreadsEachGetTheirOwnNewTopicsEventsWithoutAThreadEach() throws Exception {
    int threads = 8;
    int perThread = 40;
    String base = uniqueTopic("burst");
    sendAll(onePartition(base + ".warm-up"), "warm-up");
    int threadsBefore = Thread.activeCount();
    Map<String, List<String>> received = new ConcurrentHashMap<>();
    List<TransportSubscription> subscriptions = new CopyOnWriteArrayList<>();
    ExecutorService callers = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int caller = t;
        done.add(callers.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String topic = base + "." + caller + "." + i;
            List<String> mine = new CopyOnWriteArrayList<>();
            received.put(topic, mine);
            subscriptions.add(transport.subscribe(onePartition(topic), SubscribeOptions.group(null), delivery -> {
              mine.add(data(delivery));
              delivery.ack();
            }));
          }
        }));
      }
      for (Future<?> future : done) {
        future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
      assertThat(callers.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
    int threadsAdded = Thread.activeCount() - threadsBefore;

    // Sent as soon as every subscribe returned, while most topics are still being created.
    received.keySet().forEach(topic -> sendAll(onePartition(topic), "for " + topic));
    Awaitility.await().atMost(WAIT).until(() -> received.values().stream().allMatch(list -> !list.isEmpty()));
    received.forEach((topic, events) -> assertThat(events).as(topic).containsExactly("for " + topic));
    assertThat(received).hasSize(threads * perThread);
    // The shared consumer's poll thread, not one per subscription.
    assertThat(threadsAdded).isLessThan(threads * perThread / 10);

    subscriptions.forEach(TransportSubscription::close);
  }

  @Test
  void aNewTopicCreatedAndWrittenByAnotherClientRightAfterSubscribeIsReadFromItsBeginning() throws Exception {
    String topic = uniqueTopic("raced");
    List<String> received = new CopyOnWriteArrayList<>();
    transport.subscribe(onePartition(topic), SubscribeOptions.group(null), delivery -> {
      received.add(data(delivery));
      delivery.ack();
    });
    // Another transport creates the topic and writes to it, likely before this transport's own creation is answered.
    Transport other = fixture.transport();
    for (String item : List.of("first", "second", "third")) {
      join(other.send(onePartition(topic), binary(event(item))));
    }
    Awaitility.await().atMost(WAIT).until(() -> received.size() >= 3);
    assertThat(received).containsExactly("first", "second", "third");
  }

  @Test
  void aTopicThatCannotBeCreatedStallsTheSubscriptionWithTheReasonUntilTheTopicAppears() throws Exception {
    String topic = uniqueTopic("uncreatable");
    // Three replicas on a cluster of one broker: the cluster refuses to create it.
    Destination threeReplicas = KafkaFixture.withBinding(topic, Map.of("partitions", 1, "replicas", 3));
    List<String> received = new CopyOnWriteArrayList<>();
    TransportSubscription subscription = transport.subscribe(threeReplicas, SubscribeOptions.group(null), delivery -> {
      received.add(data(delivery));
      delivery.ack();
    });
    Awaitility.await().atMost(WAIT).until(() -> subscription.health().state() == Health.State.STALLED);
    assertThat(subscription.health().lastError()).contains("topic '" + topic + "'")
        .contains("could not be created").containsIgnoringCase("replication factor");

    // Created by someone with the right settings: found, read from its beginning, up again.
    try (Admin admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    sendAll(onePartition(topic), "at last");
    Awaitility.await().atMost(WAIT).until(() -> received.contains("at last"));
    Awaitility.await().atMost(WAIT).until(() -> subscription.health().state() == Health.State.UP);
  }

  @Test
  void closeWaitsForTheSubscriptionsRunningHandler() throws Exception {
    Destination destination = onePartition(uniqueTopic("closing"));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    TransportSubscription subscription = transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
      entered.countDown();
      try {
        proceed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      finished.set(true);
      delivery.ack();
    });
    sendAll(destination, "held");
    assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    AtomicBoolean finishedWhenClosed = new AtomicBoolean();
    Thread closer = new Thread(() -> {
      subscription.close();
      finishedWhenClosed.set(finished.get());
    });
    closer.start();
    // close() blocks while the handler runs...
    Awaitility.await().atMost(WAIT).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
    proceed.countDown();
    closer.join(WAIT.toMillis());
    // ...and returns only after it.
    assertThat(closer.isAlive()).isFalse();
    assertThat(finishedWhenClosed).isTrue();
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
