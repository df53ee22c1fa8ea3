package dev.omnibus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.test.kafka.EmbeddedKafka;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The tracing on the Kafka binding, against a broker inside the test JVM; and, with plain kafka-clients, that a
 * foreign consumer reads the context from the {@code ce_traceparent} header and a foreign producer's becomes the
 * parent.
 */
class KafkaTracingTest extends TracingContract {

  @Override
  TestBroker broker() {
    return TestBroker.kafka();
  }

  private static String bootstrap() {
    return EmbeddedKafka.shared().bootstrapServers();
  }

  @Test
  void aForeignKafkaConsumerReadsTheContextFromTheCeTraceparentHeader() {
    join(traced().publish(PLACED, new Order("o-1", 10)));
    String expected = traceparent(awaitSpan(named("send orders")));
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "foreign-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(orders));
      Awaitility.await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return !records.isEmpty();
      });
    }
    Header header = records.get(0).headers().lastHeader("ce_traceparent");
    assertThat(new String(header.value(), StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @Test
  void aForeignKafkaProducersCeTraceparentBecomesTheParentOfTheHandling() throws Exception {
    traced().subscribe(PLACED, "billing", event -> { });
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(orders, null,
        "{\"id\":\"o-1\",\"total\":10}".getBytes(StandardCharsets.UTF_8));
    Map.of("ce_specversion", "1.0", "ce_id", "foreign-1", "ce_source", "/foreign", "ce_type",
            PLACED.type(), "content-type", "application/json", "ce_traceparent", FOREIGN_TRACEPARENT)
        .forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
      producer.send(record).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    SpanData process = awaitSpan(named("process orders"));
    assertThat(process.getTraceId()).isEqualTo(FOREIGN_TRACE);
    assertThat(process.getParentSpanId()).isEqualTo(FOREIGN_SPAN);
  }
}
