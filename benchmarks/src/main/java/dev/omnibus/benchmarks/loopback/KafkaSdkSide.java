package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/**
 * kafka-clients with the CloudEvents SDK's Kafka binding ({@code cloudevents-kafka}), the settings of
 * {@link KafkaClientSide}: what a Java service that reads every event as a CloudEvent writes by hand. The producer
 * builds each event (random id, current time, subject = order id, the {@code traceparent} extension, the Jackson-encoded
 * order) and the SDK's serializer writes it in binary mode; the consumer gets each record as a {@link CloudEvent} from
 * the SDK's deserializer, which reads every attribute header, checks the type and reads the order with Jackson.
 *
 * <p>A reference for the bus, which also reads and validates every attribute, and not the raw side the targets are
 * measured against: that one reads a single header.
 */
final class KafkaSdkSide extends KafkaClientSide<CloudEvent> {

  KafkaSdkSide(String bootstrap, String topic, String group, Receiver receiver) throws InterruptedException {
    super("kafka-clients with the CloudEvents SDK", "sdk", bootstrap, topic, group, CloudEventSerializer.class,
        CloudEventDeserializer.class, receiver);
  }

  @Override
  ProducerRecord<byte[], CloudEvent> record(String topic, Order order) {
    CloudEvent event = CloudEventBuilder.v1()
        .withId(UUID.randomUUID().toString())
        .withSource(Orders.SOURCE)
        .withType(Orders.TYPE)
        .withTime(OffsetDateTime.now(ZoneOffset.UTC))
        .withSubject(order.orderId())
        .withExtension("traceparent", Orders.TRACEPARENT)
        .withData(Orders.CONTENT_TYPE, Orders.json(order))
        .build();
    return new ProducerRecord<>(topic, order.orderId().getBytes(StandardCharsets.UTF_8), event);
  }

  @Override
  @Nullable Order order(ConsumerRecord<byte[], CloudEvent> record) {
    CloudEvent event = record.value();
    CloudEventData data = event == null ? null : event.getData();
    return data != null && Orders.TYPE.equals(event.getType()) ? Orders.read(data.toBytes()) : null;
  }
}
