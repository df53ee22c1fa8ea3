package dev.omnibus.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.test.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How anonymous subscriptions look their topics up against a real cluster: a lone subscribe asks with one metadata
 * request, not the admin client's two, and subscribes that come at once still each start at their topic's end.
 */
@ExtendWith(EmbeddedKafka.class)
class AnonymousConsumersTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private String bootstrap;
  private DescribingAdmin admin;
  private AnonymousConsumers consumers;
  private KafkaProducer<byte[], byte[]> producer;

  @BeforeEach
  void open(EmbeddedKafka kafka) {
    bootstrap = kafka.bootstrapServers();
    admin = new DescribingAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    consumers = new AnonymousConsumers("test", index -> Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.CLIENT_ID_CONFIG, "anonymous-consumers-test-" + index,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class),
        () -> admin, new RecordMapping(), WAIT, Duration.ofSeconds(5), Duration.ofSeconds(30));
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }

  @AfterEach
  void close() {
    consumers.close();
    producer.close();
    admin.close();
  }

  @Test
  void aLoneSubscribeLooksItsTopicUpWithoutTheAdminClientsTopicDescription() throws Exception {
    String existing = topic("existing");
    admin.createTopics(List.of(new NewTopic(existing, 2, (short) 1))).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    send(existing, "before");
    String missing = topic("missing");

    List<String> fromExisting = new CopyOnWriteArrayList<>();
    List<String> fromMissing = new CopyOnWriteArrayList<>();
    consumers.subscribe(existing, collect(fromExisting), 1_000, null).orElseThrow();
    consumers.subscribe(missing, collect(fromMissing), 1_000, null).orElseThrow();

    // The admin client's description is a DescribeCluster and then a DescribeTopicPartitions request, one after the
    // other: a lone subscribe waited for both. (The poll thread's background scan may describe; this thread did not.)
    assertThat(admin.describedBy).doesNotContain(Thread.currentThread());
    send(existing, "after");
    admin.createTopics(List.of(new NewTopic(missing, 1, (short) 1))).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    send(missing, "first");
    Awaitility.await().atMost(WAIT).until(() -> fromExisting.contains("after") && fromMissing.contains("first"));
    assertThat(fromExisting).containsExactly("after");
    assertThat(fromMissing).containsExactly("first");
  }

  @Test
  void subscribesThatComeAtOnceEachStartAtTheEndOfTheirTopic() throws Exception {
    int count = 16;
    String base = topic("at-once");
    List<NewTopic> topics = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      topics.add(new NewTopic(base + "." + i, 1, (short) 1));
    }
    admin.createTopics(topics).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    for (int i = 0; i < count; i++) {
      send(base + "." + i, "before");
    }
    producer.flush();
    Map<String, List<String>> received = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(count);
    try {
      List<Future<TransportSubscription>> subscribed = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String topic = base + "." + i;
        List<String> mine = new CopyOnWriteArrayList<>();
        received.put(topic, mine);
        subscribed.add(threads.submit(() -> {
          start.await();
          // One of them asks on the lookup consumer, the others meanwhile in a batch on the admin client.
          return consumers.subscribe(topic, collect(mine), 1_000, null).orElseThrow();
        }));
      }
      start.countDown();
      for (Future<TransportSubscription> subscription : subscribed) {
        subscription.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    for (int i = 0; i < count; i++) {
      send(base + "." + i, "after");
    }
    Awaitility.await().atMost(WAIT).until(() -> received.values().stream().allMatch(events -> !events.isEmpty()));
    received.forEach((topic, events) -> assertThat(events).as(topic).containsExactly("after"));
  }

  private static DeliveryHandler collect(List<String> into) {
    return delivery -> {
      into.add(new String(delivery.message().body(), StandardCharsets.UTF_8));
      delivery.ack();
    };
  }

  private void send(String topic, String data) throws Exception {
    producer.send(new ProducerRecord<>(topic, data.getBytes(StandardCharsets.UTF_8))).get(WAIT.toSeconds(),
        TimeUnit.SECONDS);
  }

  private static String topic(String name) {
    return "test.anonymous-consumers." + name + "." + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Remembers which threads asked for a topic description. */
  private static final class DescribingAdmin extends ForwardingAdmin {
    final Set<Thread> describedBy = ConcurrentHashMap.newKeySet();

    DescribingAdmin(Map<String, Object> configuration) {
      super(configuration);
    }

    @Override
    public DescribeTopicsResult describeTopics(TopicCollection topics, DescribeTopicsOptions options) {
      describedBy.add(Thread.currentThread());
      return super.describeTopics(topics, options);
    }
  }
}
