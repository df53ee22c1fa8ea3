package dev.omnibus.kafka;

import static dev.omnibus.kafka.KafkaFixture.WAIT;
import static dev.omnibus.kafka.KafkaFixture.binary;
import static dev.omnibus.kafka.KafkaFixture.event;
import static dev.omnibus.kafka.KafkaFixture.join;
import static dev.omnibus.kafka.KafkaFixture.onePartition;
import static dev.omnibus.kafka.KafkaFixture.text;
import static dev.omnibus.kafka.KafkaFixture.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.envelope.Mode;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportSubscription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Acknowledgements, offsets, groups, wildcards and topic creation, on a real broker. */
@ExtendWith(EmbeddedKafka.class)
class KafkaDeliveryTest {

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
  void aNackWithRequeueRedeliversThatEventWithoutSkippingLaterOnes() {
    Destination destination = onePartition(uniqueTopic("nack"));
    List<String> handled = new CopyOnWriteArrayList<>();
    List<String> attempts = new CopyOnWriteArrayList<>();
    transport.subscribe(destination, SubscribeOptions.group("g-" + UUID.randomUUID()), delivery -> {
      String data = data(delivery);
      attempts.add(data + "#" + delivery.attempt());
      if (data.equals("e2") && delivery.attempt() < 3) {
        delivery.nack(true);
        return;
      }
      handled.add(data);
      delivery.ack();
    });
    sendAll(destination, "e0", "e1", "e2", "e3", "e4");

    Awaitility.await().atMost(WAIT).until(() -> handled.size() >= 5);
    assertThat(handled).containsExactly("e0", "e1", "e2", "e3", "e4");
    assertThat(attempts).containsSubsequence("e2#1", "e2#2", "e2#3", "e3#1").doesNotContain("e3#2");
  }

  @Test
  void closeCommitsOnlyTheAcknowledgedPrefixAndLeavesTheRestForRedelivery() throws Exception {
    String topic = uniqueTopic("close");
    Destination destination = onePartition(topic);
    String group = "g-" + UUID.randomUUID();
    List<String> first = new CopyOnWriteArrayList<>();
    TransportSubscription subscription = transport.subscribe(destination, SubscribeOptions.group(group), delivery -> {
      String data = data(delivery);
      first.add(data);
      if (!data.equals("e3")) { // e3 is left unacknowledged: neither it nor e4 may be committed
        delivery.ack();
      }
    });
    sendAll(destination, "e0", "e1", "e2", "e3", "e4");
    Awaitility.await().atMost(WAIT).until(() -> first.size() >= 5);
    subscription.close();

    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      assertThat(committed.get(new TopicPartition(topic, 0)).offset()).isEqualTo(3);
    }
    List<String> second = new CopyOnWriteArrayList<>();
    transport.subscribe(destination, SubscribeOptions.group(group), delivery -> {
      second.add(data(delivery));
      delivery.ack();
    });
    Awaitility.await().atMost(WAIT).until(() -> second.size() >= 2);
    assertThat(second).containsExactly("e3", "e4");
  }

  @Test
  void aNamedGroupStartsFromTheEarliestEventTheFirstTime() {
    Destination destination = onePartition(uniqueTopic("earliest"));
    sendAll(destination, "before-1", "before-2");
    List<String> received = new CopyOnWriteArrayList<>();
    transport.subscribe(destination, SubscribeOptions.group("g-" + UUID.randomUUID()), delivery -> {
      received.add(data(delivery));
      delivery.ack();
    });
    sendAll(destination, "after");
    Awaitility.await().atMost(WAIT).until(() -> received.size() >= 3);
    assertThat(received).containsExactly("before-1", "before-2", "after");
  }

  @Test
  void anAnonymousSubscriptionGetsWhatIsSentAfterSubscribeReturnedAndNothingEarlier() {
    Destination destination = Destination.of(uniqueTopic("latest"));
    sendAll(destination, "before");
    List<String> received = new CopyOnWriteArrayList<>();
    transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
      received.add(data(delivery));
      delivery.ack();
    });
    sendAll(destination, "after");
    Awaitility.await().atMost(WAIT).until(() -> received.contains("after"));
    assertThat(received).containsExactly("after");
  }

  @Test
  void anonymousSubscriptionsEachGetEveryEventEvenWhenTheReceiveOperationNamesAGroupId() {
    // The bus treats a subscription without a group as anonymous (its own dead letters, its own retries): the Kafka
    // binding must not make it join the operation binding's groupId, where the members would share the events.
    String topic = uniqueTopic("anonymous");
    Destination destination = new Destination(topic, topic, Mode.BINARY,
        new Bindings(Map.of("kafka", Map.of("partitions", 2))),
        new Bindings(Map.of("kafka", Map.of("groupId", Map.of("type", "string", "const", "billing-" + topic)))),
        Map.of());
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
    sendAll(destination, "e1", "e2", "e3", "e4", "e5", "e6");
    Awaitility.await().atMost(WAIT).until(() -> first.size() >= 6 && second.size() >= 6);
    assertThat(first).containsExactlyInAnyOrder("e1", "e2", "e3", "e4", "e5", "e6");
    assertThat(second).containsExactlyInAnyOrder("e1", "e2", "e3", "e4", "e5", "e6");
  }

  @Test
  void aParameterisedAddressSubscribesToEveryMatchingTopicOneSegmentPerParameter() {
    String base = "test.wild." + UUID.randomUUID().toString().substring(0, 8);
    Destination pattern = Destination.of(base + ".{region}.created");
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    transport.subscribe(pattern, SubscribeOptions.group(null), delivery -> {
      received.add(data(delivery));
      delivery.ack();
    });
    // Topics that appear after the subscription started are found, and their events from the first one on.
    sendAll(Destination.of(base + ".eu.created"), "eu");
    sendAll(Destination.of(base + ".us.created"), "us");
    sendAll(Destination.of(base + ".eu.west.created"), "two segments");
    sendAll(Destination.of(base + ".eu.deleted"), "other suffix");

    Awaitility.await().atMost(WAIT).until(() -> received.containsAll(List.of("eu", "us")));
    sendAll(Destination.of(base + ".eu.created"), "eu again");
    Awaitility.await().atMost(WAIT).until(() -> received.contains("eu again"));
    assertThat(received).doesNotContain("two segments", "other suffix");
  }

  @Test
  void aMissingTopicIsCreatedWithTheChannelBindingsPartitionsAndConfiguration() throws Exception {
    String topic = uniqueTopic("created");
    Destination destination = new Destination("orders", "ignored-address", Mode.BINARY,
        new Bindings(Map.of("kafka", Map.of("topic", topic, "partitions", 2, "replicas", 1,
            "topicConfiguration", Map.of("retention.ms", 3_600_000)))),
        Bindings.none(), Map.of());
    join(transport.send(destination, binary(event("x"))));

    try (Admin admin = kafka.admin()) {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic);
      assertThat(description.partitions()).hasSize(2);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      var config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
      assertThat(Integer.parseInt(config.get("max.message.bytes").value()))
          .isGreaterThan(transport.capabilities().maxMessageBytes());
    }
  }

  @Test
  void aChannelWhoseAddressEndsInDlqIsCreatedWithItsTopicBinding() throws Exception {
    // Dead letter destinations are known by their kind, never by a .dlq suffix: this is a channel of the document.
    // (5 partitions, not the test broker's default of 3, so that a topic created without the binding shows.)
    String topic = "audit-" + UUID.randomUUID().toString().substring(0, 8) + ".dlq";
    join(transport.send(KafkaFixture.withBinding(topic, Map.of("partitions", 5,
        "topicConfiguration", Map.of("retention.ms", 7_200_000))), binary(event("x"))));

    try (Admin admin = kafka.admin()) {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(topic);
      assertThat(description.partitions()).hasSize(5);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      var config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      assertThat(config.get("retention.ms").value()).isEqualTo("7200000");
    }
  }

  @Test
  void flushWaitsForWhatWasSent() {
    Destination destination = Destination.of(uniqueTopic("flush"));
    List<java.util.concurrent.CompletableFuture<Void>> sent = new ArrayList<>();
    join(transport.send(destination, binary(event("warm-up")))); // creates the topic
    for (int i = 0; i < 100; i++) {
      sent.add(transport.send(destination, binary(event("e" + i))).toCompletableFuture());
    }
    assertThat(transport.flush(WAIT)).isTrue();
    assertThat(sent).allSatisfy(stage -> assertThat(stage).isCompleted().isNotCompletedExceptionally());
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
