package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * Plain kafka-clients with the bus's settings ({@link KafkaClientSide}). Each record carries the same eight headers as
 * the bus's binary mode, built per message; the consumer checks the type header and reads the order with Jackson, as
 * a hand-written consumer would.
 */
final class KafkaRawSide extends KafkaClientSide<byte[]> {

  private static final byte[] TYPE = Orders.TYPE.getBytes(StandardCharsets.UTF_8);

  KafkaRawSide(String bootstrap, String topic, String group, Receiver receiver) throws InterruptedException {
    super("raw kafka-clients", "raw", bootstrap, topic, group, ByteArraySerializer.class, ByteArrayDeserializer.class,
        receiver);
  }

  @Override
  ProducerRecord<byte[], byte[]> record(String topic, Order order) {
    RawHeaders ce = RawHeaders.of(order);
    RecordHeaders headers = new RecordHeaders(new Header[] {
        new RecordHeader("ce_id", utf8(ce.id())),
        new RecordHeader("ce_source", utf8(ce.source())),
        new RecordHeader("ce_type", utf8(ce.type())),
        new RecordHeader("ce_specversion", utf8(ce.specVersion())),
        new RecordHeader("ce_time", utf8(ce.time())),
        new RecordHeader("ce_subject", utf8(ce.subject())),
        new RecordHeader("ce_traceparent", utf8(ce.traceparent())),
        new RecordHeader("content-type", utf8(Orders.CONTENT_TYPE))});
    return new ProducerRecord<>(topic, null, utf8(order.orderId()), Orders.json(order), headers);
  }

  @Override
  @Nullable Order order(ConsumerRecord<byte[], byte[]> record) {
    Header type = record.headers().lastHeader("ce_type");
    return type != null && Arrays.equals(type.value(), TYPE) && record.value() != null
        ? Orders.read(record.value()) : null;
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
