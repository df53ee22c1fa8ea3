package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders.Order;
import java.time.Duration;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * A side on plain kafka-clients with the bus's settings: producer acks=all, idempotent, linger 5 ms, batch 64 KiB; a
 * consumer in a group, manual offsets, an asynchronous commit after each poll's records were handled (the bus commits
 * the handled prefix asynchronously too). What a record carries and how the consumer reads it is the subclass's: the
 * record value is {@code V}, written and read by the given (de)serializer; the key is the order id.
 */
abstract class KafkaClientSide<V> implements Side {

  private final KafkaProducer<byte[], V> producer;
  private final KafkaConsumer<byte[], V> consumer;
  private final String topic;
  private final String label;
  private final Thread poller;
  private final AtomicBoolean running = new AtomicBoolean(true);

  /**
   * @param name the clients' ids ({@code <name>-producer}, {@code <name>-consumer}) and the poll thread's
   *     ({@code <name>-kafka-consumer})
   */
  KafkaClientSide(String label, String name, String bootstrap, String topic, String group,
      Class<? extends Serializer<V>> valueSerializer, Class<? extends Deserializer<V>> valueDeserializer,
      Receiver receiver) throws InterruptedException {
    this.label = label;
    this.topic = topic;
    producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
        ProducerConfig.CLIENT_ID_CONFIG, name + "-producer",
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, valueSerializer.getName()));
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.CLIENT_ID_CONFIG, name + "-consumer",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDeserializer.getName()));
    CountDownLatch assigned = new CountDownLatch(1);
    poller = new Thread(() -> poll(receiver, assigned), name + "-kafka-consumer");
    poller.start();
    if (!assigned.await(60, TimeUnit.SECONDS)) {
      close();
      throw new IllegalStateException("the " + label + " consumer got no partition in 60 s");
    }
  }

  /** The record an order is sent as, built per message. */
  abstract ProducerRecord<byte[], V> record(String topic, Order order);

  /** The order a record carries, or {@code null} when it is not one (another type). */
  abstract @Nullable Order order(ConsumerRecord<byte[], V> record);

  private void poll(Receiver receiver, CountDownLatch assigned) {
    try {
      consumer.subscribe(List.of(topic));
      while (running.get()) {
        ConsumerRecords<byte[], V> records = consumer.poll(Duration.ofMillis(100));
        if (!consumer.assignment().isEmpty()) {
          assigned.countDown();
        }
        if (records.isEmpty()) {
          continue;
        }
        for (ConsumerRecord<byte[], V> record : records) {
          Order order = order(record);
          if (order != null) {
            receiver.received(order);
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
    return label;
  }

  @Override
  public void send(Order order, Confirmation confirmation) {
    producer.send(record(topic, order), (metadata, failure) -> confirmation.settle(failure));
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
