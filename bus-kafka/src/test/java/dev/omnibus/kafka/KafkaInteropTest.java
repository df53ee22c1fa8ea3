package dev.omnibus.kafka;

import static dev.omnibus.kafka.KafkaFixture.CODEC;
import static dev.omnibus.kafka.KafkaFixture.WAIT;
import static dev.omnibus.kafka.KafkaFixture.join;
import static dev.omnibus.kafka.KafkaFixture.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.envelope.Mode;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Interoperability with the official CloudEvents Java SDK's Kafka binding ({@code cloudevents-kafka}): it reads what
 * this binding writes, and this binding reads what it writes, in binary and in structured mode.
 */
@ExtendWith(EmbeddedKafka.class)
class KafkaInteropTest {

  private KafkaFixture fixture;
  private Transport transport;

  @BeforeEach
  void open(EmbeddedKafka kafka) {
    fixture = new KafkaFixture(kafka);
    transport = fixture.transport();
  }

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  @Test
  void theSdkReadsWhatTheBindingWritesInBinaryMode() {
    assertTheSdkReadsWhatTheBindingWrites(Mode.BINARY);
  }

  @Test
  void theSdkReadsWhatTheBindingWritesInStructuredMode() {
    assertTheSdkReadsWhatTheBindingWrites(Mode.STRUCTURED);
  }

  @Test
  void theSdkReadsAnEventWithoutDataThatTheBindingWrote() {
    String topic = uniqueTopic("interop.nodata");
    CloudEvent event = CloudEventBuilder.v1().withId("no-data").withSource(URI.create("/s")).withType("t").build();
    join(transport.send(Destination.of(topic), CODEC.encode(event, Mode.BINARY)));

    ConsumerRecord<byte[], byte[]> record = fixture.readRaw(topic, 1).get(0);
    CloudEvent read = KafkaMessageFactory.createReader(record).toEvent();
    assertThat(read.getId()).isEqualTo("no-data");
    assertThat(read.getData()).isNull();
  }

  @Test
  void theBindingReadsWhatTheSdkWritesInBinaryMode() throws Exception {
    assertTheBindingReadsWhatTheSdkWrites(Encoding.BINARY);
  }

  @Test
  void theBindingReadsWhatTheSdkWritesInStructuredMode() throws Exception {
    assertTheBindingReadsWhatTheSdkWrites(Encoding.STRUCTURED);
  }

  private void assertTheSdkReadsWhatTheBindingWrites(Mode mode) {
    String topic = uniqueTopic("interop." + mode.name().toLowerCase(java.util.Locale.ROOT));
    CloudEvent event = richEvent();
    join(transport.send(Destination.of(topic).withMode(mode), CODEC.encode(event, mode)));

    ConsumerRecord<byte[], byte[]> record = fixture.readRaw(topic, 1).get(0);
    CloudEvent viaFactory = KafkaMessageFactory.createReader(record).toEvent();
    try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
      CloudEvent viaDeserializer = deserializer.deserialize(topic, record.headers(), record.value());
      assertSameEvent(viaDeserializer, event);
    }
    assertSameEvent(viaFactory, event);
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("order-42");
  }

  private void assertTheBindingReadsWhatTheSdkWrites(Encoding encoding) throws Exception {
    String topic = uniqueTopic("interop.sdk" + encoding.name().toLowerCase(java.util.Locale.ROOT));
    BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    transport.subscribe(Destination.of(topic), SubscribeOptions.group(null), delivery -> {
      deliveries.add(delivery);
      delivery.ack();
    });
    CloudEvent event = richEvent();
    try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.bootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class,
        CloudEventSerializer.ENCODING_CONFIG, encoding.name(),
        CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE))) {
      producer.send(new ProducerRecord<>(topic, "order-42", event)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    Delivery delivery = deliveries.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(delivery).as("a delivery within %s", WAIT).isNotNull();
    assertThat(delivery.message().key()).isEqualTo("order-42");
    assertSameEvent(CODEC.decode(delivery.message()), event);
  }

  private static CloudEvent richEvent() {
    return CloudEventBuilder.v1()
        .withId(UUID.randomUUID().toString())
        .withSource(URI.create("https://example.com/orders"))
        .withType("com.example.orders.paid.v1")
        .withSubject("order-42")
        .withTime(OffsetDateTime.of(2026, 11, 22, 10, 15, 30, 123_000_000, ZoneOffset.UTC))
        .withDataSchema(URI.create("https://example.com/schemas/order.json"))
        .withDataContentType("application/json")
        .withExtension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .withExtension("comexampleext", "ext value ü")
        .withData("{\"orderId\":\"order-42\",\"totalMinor\":4599}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static void assertSameEvent(CloudEvent actual, CloudEvent expected) {
    assertThat(actual.getSpecVersion()).isEqualTo(expected.getSpecVersion());
    assertThat(actual.getId()).isEqualTo(expected.getId());
    assertThat(actual.getSource()).isEqualTo(expected.getSource());
    assertThat(actual.getType()).isEqualTo(expected.getType());
    assertThat(actual.getSubject()).isEqualTo(expected.getSubject());
    assertThat(actual.getTime()).isNotNull();
    assertThat(actual.getTime().toInstant()).isEqualTo(expected.getTime().toInstant());
    assertThat(actual.getDataSchema()).isEqualTo(expected.getDataSchema());
    assertThat(actual.getDataContentType()).isEqualTo(expected.getDataContentType());
    for (String name : expected.getExtensionNames()) {
      assertThat(String.valueOf(actual.getExtension(name))).as("extension %s", name)
          .isEqualTo(String.valueOf(expected.getExtension(name)));
    }
    assertThat(actual.getExtensionNames()).containsExactlyInAnyOrderElementsOf(expected.getExtensionNames());
    assertThat(actual.getData()).isNotNull();
    // Structured JSON data may be re-serialized by a JSON format: compare the JSON, not the bytes.
    assertThat(new String(actual.getData().toBytes(), StandardCharsets.UTF_8).replace(" ", ""))
        .isEqualTo(new String(expected.getData().toBytes(), StandardCharsets.UTF_8));
  }
}
