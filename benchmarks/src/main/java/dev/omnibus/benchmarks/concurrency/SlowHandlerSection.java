package dev.omnibus.benchmarks.concurrency;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.benchmarks.loopback.BrokerHosts;
import dev.omnibus.benchmarks.loopback.KafkaProcess;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What concurrency buys a service whose handler is slow: a handler that takes 1 ms (it parks, as one waiting on a
 * database would), at concurrency 1 and at 16, on each binding. Each run subscribes once, publishes every event
 * while the first handlers are held at a gate (so the broker holds the backlog and publishing is not measured), opens
 * the gate and measures events/s until the last one is handled. After each run, the order of every key's events as
 * handled is checked against the order published: a run that breaks it fails the section.
 */
public final class SlowHandlerSection {

  /** The concurrency measured against 1. */
  public static final int CONCURRENCY = 16;
  private static final long HANDLER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int KEYS = 64;
  private static final EventType<String> SLOW = EventType.of("dev.omnibus.bench.slow", String.class)
      .channel("slow");

  /**
   * How much to run.
   *
   * @param events events per run
   * @param rounds measured rounds per binding and concurrency, after one warm-up round
   */
  public record Settings(int events, int rounds) {

    /** The measuring run's settings. */
    public static Settings full() {
      return new Settings(3_000, 3);
    }

    /** A smoke test of the harness. */
    public static Settings quick() {
      return new Settings(400, 1);
    }
  }

  /**
   * One binding's rounds.
   *
   * @param binding the binding's name
   * @param one events/s at concurrency 1, per round
   * @param many events/s at concurrency {@link #CONCURRENCY}, per round
   */
  public record Result(String binding, List<Double> one, List<Double> many) {

    /** The median of the rounds' own ratios (each round runs both back to back). */
    public double ratio() {
      double[] ratios = new double[Math.min(one.size(), many.size())];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = many.get(i) / one.get(i);
      }
      return median(ratios);
    }
  }

  /** Opens a builder for a fresh channel. */
  private interface Buses {
    EventBus.Builder next() throws Exception;
  }

  /** Mosquitto queues at most 1,000 messages for a client beyond those in flight (max_queued_messages). */
  private static final int MQTT_EVENTS = 800;

  private final Settings settings;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private int channels;

  /** A section with the given settings. */
  public SlowHandlerSection(Settings settings) {
    this.settings = settings;
  }

  /**
   * Runs memory, Kafka (a KRaft node in a JVM of its own, a topic of one partition), RabbitMQ and MQTT (the machine's
   * brokers; skipped with a note when not reachable).
   *
   * @param notes where a skipped binding is reported
   */
  public List<Result> run(List<String> notes) throws Exception {
    List<Result> results = new ArrayList<>();
    InMemoryBroker broker = InMemoryBroker.create();
    results.add(measure("memory", settings.events(), () -> EventBus.builder().server(broker.server())
        .channel("slow", "slow." + run + "." + (++channels))));
    try (KafkaProcess kafka = KafkaProcess.start()) {
      ServerConfig server = ServerConfig.of("bench", "kafka", kafka.bootstrapServers());
      results.add(measure("kafka", settings.events(), () -> {
        String topic = "bench-slow-" + run + "-" + (++channels);
        kafka.createTopic(topic);
        return EventBus.builder().server(server).channel("slow", topic);
      }));
    }
    String rabbit = BrokerHosts.env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
    if (BrokerHosts.reachable(rabbit, 5672)) {
      ServerConfig server = ServerConfig.of("bench", "amqp", rabbit + ":5672")
          .withCredentials(Credentials.of("guest", "guest"));
      results.add(measure("rabbitmq", settings.events(), () -> EventBus.builder().server(server)
          .channel("slow", "bench.slow." + run + "." + (++channels))));
    } else {
      notes.add("concurrency, rabbitmq: not measured in this run (RabbitMQ is not reachable at " + rabbit + ":5672).");
    }
    String mqtt = BrokerHosts.env("OMNIBUS_MQTT_HOST", "127.0.0.1");
    if (BrokerHosts.reachable(mqtt, 1883)) {
      ServerConfig server = ServerConfig.of("bench", "mqtt", mqtt + ":1883");
      results.add(measure("mqtt", Math.min(settings.events(), MQTT_EVENTS), () -> EventBus.builder().server(server)
          .channel("slow", "bench/slow/" + run + "/" + (++channels))));
    } else {
      notes.add("concurrency, mqtt: not measured in this run (Mosquitto is not reachable at " + mqtt + ":1883).");
    }
    return results;
  }

  private Result measure(String binding, int events, Buses bus) throws Exception {
    List<Double> one = new ArrayList<>();
    List<Double> many = new ArrayList<>();
    for (int round = -1; round < settings.rounds(); round++) {
      double a = once(binding, bus.next(), events, 1);
      double b = once(binding, bus.next(), events, CONCURRENCY);
      log(String.format(Locale.ROOT, "concurrency, %s %s: %,.0f/s at 1, %,.0f/s at %d (×%.1f)", binding,
          round < 0 ? "warm-up" : "round " + (round + 1), a, b, CONCURRENCY, b / a));
      if (round >= 0) {
        one.add(a);
        many.add(b);
      }
    }
    return new Result(binding, one, many);
  }

  /** One run: events/s from the gate's opening to the last event handled; fails when a key's order broke. */
  private double once(String binding, EventBus.Builder builder, int events, int concurrency) throws Exception {
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    AtomicInteger handled = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(events);
    try (EventBus bus = builder.source(URI.create("/bench/slow")).concurrency(concurrency).build()) {
      // Anonymous: nothing durable is left on the brokers after the run.
      bus.subscribe(SLOW, event -> {
        gate.await();
        String[] parts = event.data().split(":");
        LockSupport.parkNanos(HANDLER_NANOS);
        seen.computeIfAbsent(parts[0], key -> Collections.synchronizedList(new ArrayList<>()))
            .add(Integer.parseInt(parts[1]));
        handled.incrementAndGet();
        done.countDown();
      });
      List<CompletableFuture<Void>> sent = new ArrayList<>(events);
      for (int i = 0; i < events; i++) {
        String key = "k" + (i % KEYS);
        sent.add(bus.publish(SLOW.event(key + ":" + i).subject(key).build()).toCompletableFuture());
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      long start = System.nanoTime();
      gate.countDown();
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException(binding + ": only " + handled.get() + " of " + events + " handled within "
            + "300 s at concurrency " + concurrency);
      }
      double rate = events / ((System.nanoTime() - start) / 1e9);
      for (Map.Entry<String, List<Integer>> key : seen.entrySet()) {
        List<Integer> order = key.getValue();
        for (int i = 1; i < order.size(); i++) {
          if (order.get(i) < order.get(i - 1)) {
            throw new IllegalStateException(binding + ": key " + key.getKey() + " handled out of order at "
                + "concurrency " + concurrency + ": " + order);
          }
        }
      }
      return rate;
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static void log(String line) {
    System.out.println("[concurrency] " + line);
  }
}
