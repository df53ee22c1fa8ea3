package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain kafka-clients with the bus's settings: producer acks=all, idempotent, linger 5 ms, batch 64 KiB; a consumer
 * in a group, manual offsets, an asynchronous commit after each poll's records were handled (the bus commits the
 * handled prefix asynchronously too). Each record carries the same eight headers as the bus's binary mode, built per
 * message; the consumer checks the type header and reads the order with Jackson, as a hand-written consumer would.
 */
final class KafkaRawSide implements Side {

  private static final byte[] TYPE = Orders.TYPE.getBytes(StandardCharsets.UTF_8);

  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final Thread poller;
  private final AtomicBoolean running = new AtomicBoolean(true);

  KafkaRawSide(String bootstrap, String topic, String group, Receiver receiver) throws InterruptedException {
    this.topic = topic;
    producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
        ProducerConfig.CLIENT_ID_CONFIG, "raw-producer",
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.CLIENT_ID_CONFIG, "raw-consumer",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    CountDownLatch assigned = new CountDownLatch(1);
    poller = new Thread(() -> poll(receiver, assigned), "raw-kafka-consumer");
    poller.start();
    if (!assigned.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the raw consumer got no partition in 60 s");
    }
  }

  private void poll(Receiver receiver, CountDownLatch assigned) {
    try {
      consumer.subscribe(List.of(topic));
      while (running.get()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!consumer.assignment().isEmpty()) {
          assigned.countDown();
        }
        if (records.isEmpty()) {
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          Header type = record.headers().lastHeader("ce_type");
          if (type != null && Arrays.equals(type.value(), TYPE) && record.value() != null) {
            receiver.received(Orders.read(record.value()));
          }
        }
        consumer.commitAsync();
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  @Override
  public String label() {
    return "raw kafka-clients";
  }

  @Override
  public void send(Order order, Confirmation confirmation) {
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
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, utf8(order.orderId()),
        Orders.json(order), headers);
    producer.send(record, (metadata, failure) -> {
      if (failure == null) {
        confirmation.confirmed();
      } else {
        confirmation.failed(failure);
      }
    });
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    running.set(false);
    consumer.wakeup();
    try {
      poller.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
