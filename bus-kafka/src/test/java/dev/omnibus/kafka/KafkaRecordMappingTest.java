package dev.omnibus.kafka;

import static dev.omnibus.kafka.KafkaFixture.WAIT;
import static dev.omnibus.kafka.KafkaFixture.binary;
import static dev.omnibus.kafka.KafkaFixture.event;
import static dev.omnibus.kafka.KafkaFixture.join;
import static dev.omnibus.kafka.KafkaFixture.text;
import static dev.omnibus.kafka.KafkaFixture.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the binding writes to and reads from Kafka records: the CloudEvents Kafka protocol binding's mapping. */
@ExtendWith(EmbeddedKafka.class)
class KafkaRecordMappingTest {

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
  void binaryModeWritesCeHeadersTheContentTypeHeaderAndTheDataAsValue() {
    String topic = uniqueTopic("binary");
    CloudEvent event = CloudEventBuilder.v1(event("hello")).withSubject("order-7").withExtension("myext", "v").build();
    join(transport.send(Destination.of(topic), binary(event)));

    ConsumerRecord<byte[], byte[]> record = fixture.readRaw(topic, 1).get(0);
    assertThat(headers(record)).containsEntry("ce_id", event.getId())
        .containsEntry("ce_specversion", "1.0")
        .containsEntry("ce_source", "/kafka-tests")
        .containsEntry("ce_type", "dev.omnibus.test")
        .containsEntry("ce_subject", "order-7")
        .containsEntry("ce_myext", "v")
        .containsEntry("content-type", "text/plain")
        .doesNotContainKey("ce_datacontenttype");
    assertThat(text(record.value())).isEqualTo("hello");
  }

  @Test
  void theRecordKeyIsThePartitionKeyElseTheSubject() {
    String topic = uniqueTopic("key");
    CloudEvent bySubject = CloudEventBuilder.v1(event("a")).withSubject("subject-1").build();
    CloudEvent byPartitionKey = CloudEventBuilder.v1(event("b")).withSubject("subject-2")
        .withExtension("partitionkey", "pk-2").build();
    CloudEvent neither = event("c");
    join(transport.send(Destination.of(topic), binary(bySubject)));
    join(transport.send(Destination.of(topic), binary(byPartitionKey)));
    join(transport.send(Destination.of(topic), binary(neither)));

    Map<String, byte[]> keysByData = new java.util.HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : fixture.readRaw(topic, 3)) {
      keysByData.put(text(record.value()), record.key());
    }
    assertThat(text(keysByData.get("a"))).isEqualTo("subject-1");
    assertThat(text(keysByData.get("b"))).isEqualTo("pk-2");
    assertThat(keysByData.get("c")).isNull();
  }

  @Test
  void anEventWithoutDataIsARecordWithANullValue() {
    String topic = uniqueTopic("nodata");
    CloudEvent event = CloudEventBuilder.v1().withId("no-data").withSource(URI.create("/x")).withType("t").build();
    join(transport.send(Destination.of(topic), binary(event)));

    ConsumerRecord<byte[], byte[]> record = fixture.readRaw(topic, 1).get(0);
    assertThat(record.value()).isNull();
    assertThat(headers(record)).containsEntry("ce_id", "no-data").doesNotContainKey("content-type");
  }

  @Test
  void aNullValueArrivesAsAMessageWithoutBody() throws Exception {
    String topic = uniqueTopic("nullvalue");
    BlockingQueue<Delivery> deliveries = subscribe(topic);
    fixture.sendRaw(new ProducerRecord<>(topic, null, null, null, null,
        List.of(header("ce_specversion", "1.0"), header("ce_id", "1"), header("ce_source", "/s"),
            header("ce_type", "t"))));

    WireMessage message = next(deliveries).message();
    assertThat(message.body()).isNull();
    assertThat(KafkaFixture.CODEC.decode(message).getData()).isNull();
  }

  @Test
  void structuredModeCarriesTheFormatContentTypeAndTheSerializedEvent() {
    String topic = uniqueTopic("structured");
    CloudEvent event = event("structured data");
    join(transport.send(Destination.of(topic).withMode(Mode.STRUCTURED),
        KafkaFixture.CODEC.encode(event, Mode.STRUCTURED)));

    ConsumerRecord<byte[], byte[]> record = fixture.readRaw(topic, 1).get(0);
    assertThat(headers(record)).containsEntry("content-type", EnvelopeCodec.STRUCTURED_CONTENT_TYPE);
    assertThat(text(record.value())).contains("\"id\":\"" + event.getId() + "\"");
  }

  @Test
  void structuredModeIsRecognisedInAnyCasingOfItsContentType() throws Exception {
    String topic = uniqueTopic("casing");
    BlockingQueue<Delivery> deliveries = subscribe(topic);
    String json = "{\"specversion\":\"1.0\",\"id\":\"cased\",\"source\":\"/s\",\"type\":\"t\","
        + "\"datacontenttype\":\"application/json\",\"data\":{\"a\":1}}";
    fixture.sendRaw(new ProducerRecord<>(topic, null, null, null, json.getBytes(StandardCharsets.UTF_8),
        List.of(header("Content-Type", "Application/CloudEvents+JSON; Charset=UTF-8"))));

    WireMessage message = next(deliveries).message();
    assertThat(message.contentType()).isEqualTo("Application/CloudEvents+JSON; Charset=UTF-8");
    CloudEvent decoded = KafkaFixture.CODEC.decode(message);
    assertThat(decoded.getId()).isEqualTo("cased");
    assertThat(text(decoded.getData().toBytes())).isEqualTo("{\"a\":1}");
  }

  @Test
  void aDuplicatedDataContentTypeHeaderIsPassedThroughAndTolerated() throws Exception {
    String topic = uniqueTopic("duplicatect");
    BlockingQueue<Delivery> deliveries = subscribe(topic);
    // The CloudEvents JavaScript SDK writes datacontenttype both as content-type and as ce_datacontenttype.
    fixture.sendRaw(new ProducerRecord<>(topic, null, null, null, "{}".getBytes(StandardCharsets.UTF_8),
        List.of(header("ce_specversion", "1.0"), header("ce_id", "dup"), header("ce_source", "/s"),
            header("ce_type", "t"), header("content-type", "application/json"),
            header("ce_datacontenttype", "application/json"))));

    WireMessage message = next(deliveries).message();
    assertThat(message.headers()).containsEntry("ce_datacontenttype", "application/json");
    assertThat(KafkaFixture.CODEC.decode(message).getDataContentType()).isEqualTo("application/json");
  }

  @Test
  void unknownCeExtensionsArriveAsExtensions() throws Exception {
    String topic = uniqueTopic("extensions");
    BlockingQueue<Delivery> deliveries = subscribe(topic);
    fixture.sendRaw(new ProducerRecord<>(topic, null, null, null, null,
        List.of(header("ce_specversion", "1.0"), header("ce_id", "ext"), header("ce_source", "/s"),
            header("ce_type", "t"), header("ce_comexampleext", "value 1"), header("ce_traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), header("x-other", "not an attribute"))));

    CloudEvent decoded = KafkaFixture.CODEC.decode(next(deliveries).message());
    assertThat(decoded.getExtension("comexampleext")).isEqualTo("value 1");
    assertThat(decoded.getExtension("traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(decoded.getExtensionNames()).doesNotContain("x-other", "other");
  }

  @Test
  void aHeaderGivenTwiceCountsWithItsFirstValueAsOnEveryBinding() throws Exception {
    String topic = uniqueTopic("twice");
    BlockingQueue<Delivery> deliveries = subscribe(topic);
    fixture.sendRaw(new ProducerRecord<>(topic, null, null, "k".getBytes(StandardCharsets.UTF_8), null,
        List.of(header("ce_specversion", "1.0"), header("ce_id", "first"), header("ce_source", "/s"),
            header("ce_type", "t"), header("ce_id", "last"))));

    WireMessage message = next(deliveries).message();
    assertThat(message.headers()).containsEntry("ce_id", "first");
    assertThat(message.key()).isEqualTo("k");
  }

  @Test
  void anUpperCaseAttributeHeaderIsNotRenamedSoTheEventIsMalformed() throws Exception {
    String topic = uniqueTopic("uppercase");
    BlockingQueue<Delivery> deliveries = subscribe(topic);
    fixture.sendRaw(new ProducerRecord<>(topic, null, null, null, null,
        List.of(header("ce_specversion", "1.0"), header("ce_id", "upper"), header("ce_source", "/s"),
            header("ce_type", "t"), header("ce_MyExt", "x"))));

    WireMessage message = next(deliveries).message();
    assertThatThrownBy(() -> KafkaFixture.CODEC.decode(message))
        .isInstanceOf(MalformedEventException.class).hasMessageContaining("'MyExt'");
  }

  @Test
  void aFailedSendCompletesWithAPublishExceptionNamingChannelAndServer() {
    String topic = uniqueTopic("toolarge");
    byte[] tooLarge = new byte[transport.capabilities().maxMessageBytes() + 128 * 1024];
    CloudEvent event = CloudEventBuilder.v1(event("x")).withData(tooLarge).build();

    assertThatThrownBy(() -> join(transport.send(Destination.of(topic), binary(event))))
        .hasCauseInstanceOf(PublishException.class)
        .cause().hasMessageContaining("'" + topic + "'").hasMessageContaining("'test'");
  }

  @Test
  void anInvalidTopicFailsEverySendBetweenSendsToAValidOne() {
    String valid = uniqueTopic("valid");
    Destination invalid = Destination.of("not a topic!");
    join(transport.send(Destination.of(valid), binary(event("a"))));

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> join(transport.send(invalid, binary(event("b")))))
          .hasCauseInstanceOf(PublishException.class).cause().hasMessageContaining("not a topic!");
    }
    join(transport.send(Destination.of(valid), binary(event("c"))));
    assertThat(fixture.readRaw(valid, 2)).extracting(record -> text(record.value())).containsExactly("a", "c");
  }

  @Test
  void aSendAfterCloseFailsWithTransportClosed() {
    transport.close();
    assertThatThrownBy(() -> join(transport.send(Destination.of(uniqueTopic("closed")), binary(event("x")))))
        .hasCauseInstanceOf(TransportClosedException.class);
  }

  private BlockingQueue<Delivery> subscribe(String topic) {
    BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    transport.subscribe(Destination.of(topic), SubscribeOptions.group(null), delivery -> {
      deliveries.add(delivery);
      delivery.ack();
    });
    return deliveries;
  }

  private static Delivery next(BlockingQueue<Delivery> deliveries) throws InterruptedException {
    Delivery delivery = deliveries.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(delivery).as("a delivery within %s", WAIT).isNotNull();
    return delivery;
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
    Map<String, String> headers = new java.util.HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), text(header.value()));
    }
    return headers;
  }
}
