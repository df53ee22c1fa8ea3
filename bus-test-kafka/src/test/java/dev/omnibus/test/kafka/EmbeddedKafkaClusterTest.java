package dev.omnibus.test.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A cluster of three nodes replicates a topic created without a replication factor three times with two in sync,
 * keeps taking {@code acks=all} writes while its partition's leader is stopped, and has every record after the node
 * came back; closing it stops all three.
 */
class EmbeddedKafkaClusterTest {

  private static final Duration WAIT = Duration.ofMinutes(2);

  @Test
  void aStoppedLeaderIsReplacedAndComesBackWithEveryAcknowledgedRecord() throws Exception {
    String topic = "cluster.topic";
    List<String> bootstrap = new ArrayList<>();
    try (EmbeddedKafkaCluster cluster = EmbeddedKafka.startCluster("omnibus-kafka-cluster-test-")) {
      bootstrap.addAll(List.of(cluster.bootstrapServers().split(",")));
      assertThat(bootstrap).hasSize(3);
      try (Admin admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
        // A new topic reaches every broker's metadata a moment after its creation returned.
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Awaitility.await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
          TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
              .get(60, TimeUnit.SECONDS).get(topic);
          assertThat(description.partitions().get(0).replicas()).as("replicas by default").hasSize(3);
          assertThat(admin.describeConfigs(List.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource)
              .get("min.insync.replicas").value()).isEqualTo("2");
        });
      }

      Set<String> acknowledged = new HashSet<>();
      int leader;
      try (KafkaProducer<String, String> producer = producer(cluster)) {
        send(producer, topic, "before-", 100, acknowledged);
        leader = cluster.leaderOf(topic, 0);

        cluster.stopNode(leader);
        assertThat(cluster.isRunning(leader)).isFalse();
        send(producer, topic, "during-", 100, acknowledged);
        assertThat(cluster.leaderOf(topic, 0)).as("the partition's new leader").isNotEqualTo(leader);

        cluster.startNode(leader);
        send(producer, topic, "after-", 100, acknowledged);
      }
      cluster.awaitFullyReplicated(WAIT);

      assertThat(cluster.isRunning(leader)).isTrue();
      assertThat(readAll(cluster, topic, acknowledged.size())).containsExactlyInAnyOrderElementsOf(acknowledged);
    }
    for (String address : bootstrap) {
      String[] hostPort = address.split(":");
      assertThatThrownBy(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 2_000);
        }
      }).as("broker %s closed", address).isInstanceOf(IOException.class);
    }
  }

  private static KafkaProducer<String, String> producer(EmbeddedKafkaCluster cluster) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
  }

  private static void send(KafkaProducer<String, String> producer, String topic, String prefix, int count,
      Set<String> acknowledged) throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(producer.send(new ProducerRecord<>(topic, prefix + i)));
    }
    for (int i = 0; i < count; i++) {
      sent.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      acknowledged.add(prefix + i);
    }
  }

  private static List<String> readAll(EmbeddedKafkaCluster cluster, String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
