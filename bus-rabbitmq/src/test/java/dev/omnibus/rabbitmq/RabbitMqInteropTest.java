package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a plain amqp-client producer writes the binding reads, and what the binding writes a plain amqp-client consumer
 * reads: the header mapping of STANDARDS.md §5.1, on the real broker, with no Omnibus code on the other side.
 */
class RabbitMqInteropTest {

  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.AMQP);

  private final RabbitMqBroker broker = new RabbitMqBroker();
  private Transport transport;

  @BeforeEach
  void open() {
    RabbitMqBroker.assumeReachable();
    transport = new RabbitMqTransportProvider().open(RabbitMqBroker.server("interop"));
  }

  @AfterEach
  void close() throws Exception {
    if (transport != null) {
      transport.close();
    }
    broker.close();
  }

  @ParameterizedTest(name = "prefix {0}")
  @ValueSource(strings = {"cloudEvents_", "cloudEvents:", "ce-", "ce_"})
  void aPlainProducersHeadersWithEachKnownPrefixAreReadAsTheEvent(String prefix) throws Exception {
    String address = RabbitMqBroker.unique("interop.in");
    Recorder recorder = Recorder.acking();
    transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

    Map<String, Object> headers = new HashMap<>();
    headers.put(prefix + "specversion", "1.0");
    headers.put(prefix + "id", "plain-1");
    headers.put(prefix + "source", "/plain-producer");
    headers.put(prefix + "type", "com.example.plain.v1");
    headers.put(prefix + "subject", "order-7");
    headers.put(prefix + "time", "2024-05-01T10:15:30Z");
    headers.put(prefix + "priority", 5);
    headers.put(prefix + "urgent", true);
    headers.put("x-application", "not an attribute");
    try (Channel channel = broker.plain().createChannel()) {
      channel.basicPublish("omnibus", address, new AMQP.BasicProperties.Builder()
          .contentType("application/json").headers(headers).deliveryMode(2).build(),
          "{\"total\":42}".getBytes(StandardCharsets.UTF_8));
    }

    CloudEvent event = CODEC.decode(recorder.awaitCount(1).get(0).message());
    assertThat(event.getId()).isEqualTo("plain-1");
    assertThat(event.getSource()).isEqualTo(URI.create("/plain-producer"));
    assertThat(event.getType()).isEqualTo("com.example.plain.v1");
    assertThat(event.getSubject()).isEqualTo("order-7");
    assertThat(event.getTime()).isEqualTo(OffsetDateTime.of(2024, 5, 1, 10, 15, 30, 0, ZoneOffset.UTC));
    assertThat(event.getDataContentType()).isEqualTo("application/json");
    assertThat(event.getData().toBytes()).asString(StandardCharsets.UTF_8).isEqualTo("{\"total\":42}");
    assertThat(String.valueOf(event.getExtension("priority"))).isEqualTo("5");
    assertThat(String.valueOf(event.getExtension("urgent"))).isEqualTo("true");
  }

  @Test
  void anAmqpTimestampHeaderIsReadAsAnRfc3339Time() throws Exception {
    String address = RabbitMqBroker.unique("interop.time");
    Recorder recorder = Recorder.acking();
    transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

    Map<String, Object> headers = new HashMap<>();
    headers.put("cloudEvents_specversion", "1.0");
    headers.put("cloudEvents_id", "t-1");
    headers.put("cloudEvents_source", "/plain-producer");
    headers.put("cloudEvents_type", "com.example.time.v1");
    headers.put("cloudEvents_time", Date.from(OffsetDateTime.parse("2024-05-01T10:15:30Z").toInstant()));
    try (Channel channel = broker.plain().createChannel()) {
      channel.basicPublish("omnibus", address, new AMQP.BasicProperties.Builder().headers(headers).build(), new byte[0]);
    }

    WireMessage message = recorder.awaitCount(1).get(0).message();
    assertThat(message.headers()).containsEntry("cloudEvents_time", "2024-05-01T10:15:30Z");
    CloudEvent event = CODEC.decode(message);
    assertThat(event.getTime()).isEqualTo(OffsetDateTime.parse("2024-05-01T10:15:30Z"));
    assertThat(event.getData()).isNull();
  }

  @Test
  void aPlainStructuredModeMessageIsReadAsTheEvent() throws Exception {
    String address = RabbitMqBroker.unique("interop.structured");
    Recorder recorder = Recorder.acking();
    transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

    String json = "{\"specversion\":\"1.0\",\"id\":\"s-9\",\"source\":\"/plain\",\"type\":\"com.example.s.v1\","
        + "\"datacontenttype\":\"application/json\",\"data\":{\"a\":1}}";
    try (Channel channel = broker.plain().createChannel()) {
      channel.basicPublish("omnibus", address, new AMQP.BasicProperties.Builder()
          .contentType("application/cloudevents+json; charset=UTF-8").build(), json.getBytes(StandardCharsets.UTF_8));
    }

    CloudEvent event = CODEC.decode(recorder.awaitCount(1).get(0).message());
    assertThat(event.getId()).isEqualTo("s-9");
    assertThat(event.getData().toBytes()).asString(StandardCharsets.UTF_8).isEqualTo("{\"a\":1}");
  }

  @Test
  void aPlainConsumerReadsTheBindingsHeadersContentTypeMessageIdAndPersistentDelivery() throws Exception {
    String address = RabbitMqBroker.unique("interop.out");
    String queue = broker.queue(address + ".plain");
    try (Channel channel = broker.plain().createChannel()) {
      channel.exchangeDeclare("omnibus", "topic", true);
      channel.queueDeclare(queue, true, false, false, null);
      channel.queueBind(queue, "omnibus", address);
    }
    CloudEvent event = CloudEventBuilder.v1()
        .withId("out-1")
        .withSource(URI.create("/orders-service"))
        .withType("com.example.orders.paid.v1")
        .withSubject("o-1")
        .withTime(OffsetDateTime.parse("2024-05-01T10:15:30Z"))
        .withExtension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .withDataContentType("application/json")
        .withData("{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8))
        .build();

    transport.send(Destination.of(address), CODEC.encode(event, Mode.BINARY))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);

    GetResponse response = broker.get(queue);
    AMQP.BasicProperties properties = response.getProps();
    Map<String, String> headers = new HashMap<>();
    properties.getHeaders().forEach((name, value) -> headers.put(name, value.toString()));
    assertThat(headers).containsEntry("cloudEvents_id", "out-1")
        .containsEntry("cloudEvents_specversion", "1.0")
        .containsEntry("cloudEvents_source", "/orders-service")
        .containsEntry("cloudEvents_type", "com.example.orders.paid.v1")
        .containsEntry("cloudEvents_subject", "o-1")
        .containsEntry("cloudEvents_time", "2024-05-01T10:15:30Z")
        .containsEntry("cloudEvents_traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .doesNotContainKey("cloudEvents_datacontenttype");
    assertThat(properties.getContentType()).isEqualTo("application/json");
    assertThat(properties.getMessageId()).isEqualTo("out-1");
    assertThat(properties.getDeliveryMode()).isEqualTo(2);
    assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-1\"}");
  }
}
