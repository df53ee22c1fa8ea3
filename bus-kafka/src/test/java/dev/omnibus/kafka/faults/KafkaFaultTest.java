package dev.omnibus.kafka.faults;

import dev.omnibus.EventBus;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.FaultSuite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The fault suite on a Kafka broker of its own, inside the test JVM (KRaft, one combined node): the restart stops it
 * and starts it again on the same ports and log directory. Malformed records come from a plain kafka-clients
 * producer, without any {@code ce_} header.
 */
class KafkaFaultTest extends FaultSuite {

  private static @Nullable Path directory;
  private static @Nullable EmbeddedKafka kafka;
  private static @Nullable KafkaProducer<byte[], byte[]> plain;

  @BeforeAll
  static void startBroker() throws Exception {
    directory = Files.createTempDirectory("omnibus-kafka-faults-");
    kafka = EmbeddedKafka.create(0, 0, directory.resolve("data"), Map.of());
    kafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    try {
      if (plain != null) {
        plain.close();
      }
    } finally {
      if (kafka != null) {
        kafka.stop();
      }
      if (directory != null) {
        try (var paths = Files.walk(directory)) {
          paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
      }
    }
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("faults", "kafka", broker().bootstrapServers()));
  }

  /** The in-JVM broker's bootstrap address, which a child JVM on this machine reaches as well. */
  @Override
  protected ServerConfig childServer(String instance) {
    return ServerConfig.of("faults", "kafka", broker().bootstrapServers());
  }

  @Override
  protected String binding() {
    return "kafka";
  }

  /** Stops the in-JVM broker and starts it again on the same port and data; back once it answers. */
  @Override
  protected void restartBroker() {
    try {
      broker().stop();
    } finally {
      broker().start();
    }
  }

  /**
   * A record with neither {@code ce_} headers nor a CloudEvents body: even ones plain text, odd ones claiming the
   * structured content type with a body that is not JSON.
   */
  @Override
  protected void publishMalformed(String address, int index) throws Exception {
    boolean structured = index % 2 == 1;
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(address, null,
        ((structured ? "{not json " : "not a cloud event ") + index).getBytes(StandardCharsets.UTF_8));
    record.headers().add("content-type",
        (structured ? "application/cloudevents+json" : "text/plain").getBytes(StandardCharsets.UTF_8));
    producer().send(record).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static EmbeddedKafka broker() {
    return java.util.Objects.requireNonNull(kafka, "the broker starts before the tests");
  }

  private static synchronized KafkaProducer<byte[], byte[]> producer() {
    if (plain == null) {
      plain = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }
    return plain;
  }
}
