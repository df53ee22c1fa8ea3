package dev.omnibus.kafka;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/** Shared helpers of the Kafka binding's tests: transports, events, unique topics and a plain client's view. */
final class KafkaFixture implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.KAFKA);

  private final EmbeddedKafka kafka;
  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

  KafkaFixture(EmbeddedKafka kafka) {
    this.kafka = kafka;
  }

  String bootstrap() {
    return kafka.bootstrapServers();
  }

  Transport transport() {
    Transport transport = new KafkaTransportProvider().open(ServerConfig.of("test", "kafka", bootstrap()));
    resources.add(transport);
    return transport;
  }

  static String uniqueTopic(String name) {
    return "test." + name + "." + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A binary-mode destination on a one-partition topic, so that offsets form one sequence. */
  static Destination onePartition(String topic) {
    return withBinding(topic, Map.of("partitions", 1));
  }

  /** A destination with a Kafka channel binding, given as the document would write it. */
  static Destination withBinding(String address, Map<String, Object> kafkaChannelBinding) {
    return new Destination(address, address, Mode.BINARY, new Bindings(Map.of("kafka", kafkaChannelBinding)),
        Bindings.none(), Map.of());
  }

  static CloudEvent event(String data) {
    return CloudEventBuilder.v1()
        .withId(UUID.randomUUID().toString())
        .withSource(URI.create("/kafka-tests"))
        .withType("dev.omnibus.test")
        .withDataContentType("text/plain")
        .withData(data.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  static WireMessage binary(CloudEvent event) {
    return CODEC.encode(event, Mode.BINARY);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static void join(java.util.concurrent.CompletionStage<?> stage) {
    stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** A plain producer writing raw records, as a foreign producer would. */
  KafkaProducer<byte[], byte[]> rawProducer() {
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    resources.add(producer);
    return producer;
  }

  void sendRaw(ProducerRecord<byte[], byte[]> record) throws Exception {
    rawProducer().send(record).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Reads every record of a topic from the beginning with a plain consumer, until {@code count} arrived. */
  List<ConsumerRecord<byte[], byte[]>> readRaw(String topic, int count) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "raw-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(topic));
      Awaitility.await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= count;
      });
    }
    return records;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }
}
