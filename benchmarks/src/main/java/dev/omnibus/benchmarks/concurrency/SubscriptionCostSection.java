package dev.omnibus.benchmarks.concurrency;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Subscription;
import dev.omnibus.benchmarks.loopback.BrokerHosts;
import dev.omnibus.benchmarks.loopback.KafkaProcess;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What a subscription costs: one bus opens 10, 100 and 1,000 subscriptions, one channel each, and the section
 * records the time to open them, the threads and the heap they added (after a GC), on each binding. It does so twice:
 * with anonymous subscriptions, and with one group subscription per channel, all of one group, as a service's
 * consumers are (issue 16 measures the latter). A binding that takes longer than {@link #BUDGET_SECONDS} for one step
 * stops there, with a note: what it opened is reported.
 *
 * <p>What group subscriptions leave on the brokers is removed after each step: the RabbitMQ queues of the group (the
 * bus declares them durable); an MQTT group session expires on its own (the binding's session expiry).
 */
public final class SubscriptionCostSection {

  /** The subscription counts measured. */
  public static final List<Integer> COUNTS = List.of(10, 100, 1_000);
  private static final long BUDGET_SECONDS = 120;
  private static final EventType<String> TYPE = EventType.of("dev.omnibus.bench.cost", String.class);

  /**
   * One binding and count.
   *
   * @param binding the binding
   * @param subscriptions how many were opened
   * @param seconds the time to open them
   * @param threads the threads they added
   * @param heapMiB the heap they added, after a GC
   */
  public record Result(String binding, Kind kind, int subscriptions, double seconds, int threads, double heapMiB) {}

  /** How the subscriptions are made. */
  public enum Kind {
    /** No group: each subscription hears every event. */
    ANONYMOUS,
    /** One group subscription per channel, all of one group. */
    GROUP;

    /** The word used in the report. */
    public String word() {
      return this == ANONYMOUS ? "anonymous" : "group";
    }
  }

  /** Removes what one step's group subscriptions left on a broker. */
  private interface Cleanup {
    void remove(List<String> channels, String group) throws Exception;
  }

  /** Opens a bus for a binding. */
  private interface Buses {
    EventBus open() throws Exception;
  }

  private final boolean quick;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  /** A section; {@code quick} measures 10 and 100 only. */
  public SubscriptionCostSection(boolean quick) {
    this.quick = quick;
  }

  /**
   * Memory, Kafka (a KRaft node in a JVM of its own), RabbitMQ and MQTT (the machine's brokers; skipped with a note
   * when not reachable).
   */
  public List<Result> run(List<String> notes) throws Exception {
    List<Result> results = new ArrayList<>();
    measure("memory", () -> EventBus.builder().server(InMemoryBroker.create().server()).build(), NOTHING, results,
        notes);
    try (KafkaProcess kafka = KafkaProcess.start()) {
      ServerConfig server = ServerConfig.of("bench", "kafka", kafka.bootstrapServers());
      measure("kafka", () -> EventBus.builder().server(server).build(), NOTHING, results, notes);
    }
    String rabbit = BrokerHosts.env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
    if (BrokerHosts.reachable(rabbit, 5672)) {
      ServerConfig server = ServerConfig.of("bench", "amqp", rabbit + ":5672")
          .withCredentials(Credentials.of("guest", "guest"));
      measure("rabbitmq", () -> EventBus.builder().server(server).build(), (channels, group) -> deleteQueues(rabbit,
          channels, group), results, notes);
      if (!quick) {
        Result raw = rawRabbitMqGroups(rabbit, 1_000);
        results.add(raw);
        log(String.format(Locale.ROOT, "subscriptions, rabbitmq raw client, group: %,d opened in %.2f s",
            raw.subscriptions(), raw.seconds()));
      }
    } else {
      notes.add("subscriptions, rabbitmq: not measured (RabbitMQ is not reachable at " + rabbit + ":5672).");
    }
    String mqtt = BrokerHosts.env("OMNIBUS_MQTT_HOST", "127.0.0.1");
    if (BrokerHosts.reachable(mqtt, 1883)) {
      ServerConfig server = ServerConfig.of("bench", "mqtt", mqtt + ":1883");
      measure("mqtt", () -> EventBus.builder().server(server).build(), NOTHING, results, notes);
    } else {
      notes.add("subscriptions, mqtt: not measured (Mosquitto is not reachable at " + mqtt + ":1883).");
    }
    return results;
  }

  private static final Cleanup NOTHING = (channels, group) -> { };

  private void measure(String binding, Buses buses, Cleanup cleanup, List<Result> results, List<String> notes)
      throws Exception {
    for (Kind kind : Kind.values()) {
      for (int count : COUNTS) {
        if (quick && count > 100) {
          break;
        }
        Result result = once(binding, kind, count, buses, cleanup);
        results.add(result);
        log(String.format(Locale.ROOT, "subscriptions, %s, %s: %,d opened in %.2f s, +%d threads, +%.1f MiB heap",
            binding, kind.word(), result.subscriptions(), result.seconds(), result.threads(), result.heapMiB()));
        if (result.subscriptions() < count) {
          notes.add(String.format(Locale.ROOT, "subscriptions, %s, %s: only %,d of %,d opened within %d s.", binding,
              kind.word(), result.subscriptions(), count, BUDGET_SECONDS));
          break;
        }
      }
    }
  }

  private Result once(String binding, Kind kind, int count, Buses buses, Cleanup cleanup) throws Exception {
    String group = kind == Kind.GROUP ? "cost-" + run + "-" + count : null;
    List<String> channels = new ArrayList<>(count);
    try (EventBus bus = buses.open()) {
      System.gc();
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      long heapBefore = usedHeap();
      List<Subscription> opened = new ArrayList<>(count);
      long start = System.nanoTime();
      long deadline = start + TimeUnit.SECONDS.toNanos(BUDGET_SECONDS);
      for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
        String channel = "cost-" + run + "-" + kind.word() + "-" + count + "-" + i;
        channels.add(channel);
        opened.add(bus.subscribe(TYPE.channel(channel), group, event -> { }));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.gc();
      int threads = ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore;
      double heap = (usedHeap() - heapBefore) / (1024.0 * 1024.0);
      for (Subscription subscription : opened) {
        subscription.close();
      }
      return new Result(binding, kind, opened.size(), seconds, threads, heap);
    } finally {
      if (group != null) {
        cleanup.remove(channels, group);
      }
    }
  }

  /**
   * The broker's share of a group subscription on RabbitMQ: amqp-client alone sends what the bus sends for each one
   * (a channel; the durable group queue and its binding without waiting; {@code basic.qos}; {@code basic.consume}:
   * a classic group's dead letter queue waits for its first dead letter), so that the bus's time to open 1,000 reads
   * against the broker's floor.
   */
  private Result rawRabbitMqGroups(String host, int count) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(host);
    factory.setUsername("guest");
    factory.setPassword("guest");
    String group = "cost-" + run + "-raw";
    List<String> channels = new ArrayList<>(count);
    try (Connection connection = factory.newConnection("omnibus-benchmark-raw-groups")) {
      connection.createChannel().exchangeDeclare("omnibus", "topic", true);
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        String address = "cost-" + run + "-raw-" + i;
        String queue = address + "." + group;
        Channel channel = connection.createChannel();
        channel.queueDeclareNoWait(queue, true, false, false, null);
        channel.queueBindNoWait(queue, "omnibus", address, null);
        channel.basicQos(250);
        channel.basicConsume(queue, false, new com.rabbitmq.client.DefaultConsumer(channel));
        channels.add(address);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int threads = ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore;
      return new Result("rabbitmq raw client", Kind.GROUP, count, seconds, threads, 0);
    } finally {
      deleteQueues(host, channels, group);
    }
  }

  /** Deletes the durable queues of the group's subscriptions (and their dead letter and retry queues, if declared). */
  private static void deleteQueues(String host, List<String> channels, String group) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(host);
    factory.setUsername("guest");
    factory.setPassword("guest");
    try (Connection connection = factory.newConnection("omnibus-benchmark-cleanup")) {
      Channel channel = connection.createChannel();
      for (String name : channels) {
        String queue = name + "." + group;
        for (String each : List.of(queue, queue + ".dlq", queue + ".retry")) {
          // Deleting a queue that was never declared is not an error in RabbitMQ.
          channel.queueDelete(each);
        }
      }
    }
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void log(String line) {
    System.out.println("[subscriptions] " + line);
  }
}
