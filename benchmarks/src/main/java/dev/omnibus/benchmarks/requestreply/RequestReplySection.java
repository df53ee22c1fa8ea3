package dev.omnibus.benchmarks.requestreply;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.benchmarks.loopback.BrokerHosts;
import dev.omnibus.benchmarks.loopback.KafkaProcess;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Round-trip latency of request/reply on each binding: one request at a time from a requesting bus to a responding bus
 * (separate buses, as separate services would be), against the same two buses doing it by hand, a publish on a ping
 * channel answered by a publish on a pong channel the requester subscribes, which is what a service without
 * request/reply writes. Both are measured in the same run, alternating in rounds, after a warm-up.
 */
public final class RequestReplySection {

  private static final EventType<String> QUESTION = EventType.of("dev.omnibus.bench.question", String.class)
      .channel("rpc");
  private static final EventType<String> ANSWER = EventType.of("dev.omnibus.bench.answer", String.class);
  private static final EventType<String> PING = EventType.of("dev.omnibus.bench.ping", String.class).channel("ping");
  private static final EventType<String> PONG = EventType.of("dev.omnibus.bench.pong", String.class).channel("pong");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * How much to run.
   *
   * @param requests measured round trips per binding and way, after as many for warm-up
   * @param rounds how many times the two ways alternate
   */
  public record Settings(int requests, int rounds) {

    /** The measuring run's settings. */
    public static Settings full() {
      return new Settings(2_000, 2);
    }

    /** A smoke test of the harness. */
    public static Settings quick() {
      return new Settings(100, 1);
    }
  }

  /**
   * One binding's latencies in milliseconds.
   *
   * @param binding the binding's name
   * @param request the round trips of {@code EventBus.request}
   * @param byHand the round trips of a ping answered by a pong
   */
  public record Result(String binding, double[] request, double[] byHand) {

    /** A percentile (0 to 100) of the request round trips. */
    public double request(double percentile) {
      return percentile(request, percentile);
    }

    /** A percentile (0 to 100) of the hand-made round trips. */
    public double byHand(double percentile) {
      return percentile(byHand, percentile);
    }
  }

  private final Settings settings;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private int channels;

  /** A section with the given settings. */
  public RequestReplySection(Settings settings) {
    this.settings = settings;
  }

  /**
   * Runs memory, Kafka (a KRaft node in a JVM of its own), RabbitMQ and MQTT (the machine's brokers; skipped with a
   * note when not reachable).
   *
   * @param notes where a skipped binding is reported
   */
  public List<Result> run(List<String> notes) throws Exception {
    List<Result> results = new ArrayList<>();
    InMemoryBroker broker = InMemoryBroker.create();
    results.add(measure("memory", () -> EventBus.builder().server(broker.server()), "."));
    try (KafkaProcess kafka = KafkaProcess.start()) {
      ServerConfig server = ServerConfig.of("bench", "kafka", kafka.bootstrapServers());
      results.add(measure("kafka", () -> EventBus.builder().server(server), "-"));
    }
    String rabbit = BrokerHosts.env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
    if (BrokerHosts.reachable(rabbit, 5672)) {
      ServerConfig server = ServerConfig.of("bench", "amqp", rabbit + ":5672")
          .withCredentials(Credentials.of("guest", "guest"));
      results.add(measure("rabbitmq", () -> EventBus.builder().server(server), "."));
    } else {
      notes.add("request/reply, rabbitmq: not measured in this run (RabbitMQ is not reachable at " + rabbit
          + ":5672).");
    }
    String mqtt = BrokerHosts.env("OMNIBUS_MQTT_HOST", "127.0.0.1");
    if (BrokerHosts.reachable(mqtt, 1883)) {
      ServerConfig server = ServerConfig.of("bench", "mqtt", mqtt + ":1883");
      results.add(measure("mqtt", () -> EventBus.builder().server(server), "/"));
    } else {
      notes.add("request/reply, mqtt: not measured in this run (Mosquitto is not reachable at " + mqtt + ":1883).");
    }
    return results;
  }

  private Result measure(String binding, Supplier<EventBus.Builder> builder, String separator) throws Exception {
    String base = "bench" + separator + "rpc" + separator + run + separator + (++channels) + separator;
    List<Double> request = new ArrayList<>();
    List<Double> byHand = new ArrayList<>();
    try (EventBus responder = open(builder, base);
        EventBus requester = open(builder, base)) {
      responder.respond(QUESTION, "responders", ANSWER, question -> "re:" + question.data());
      responder.subscribe(PING, "responders", ping -> responder.publish(PONG, "re:" + ping.data())
          .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      AtomicReference<CompletableFuture<String>> pong = new AtomicReference<>();
      requester.subscribe(PONG, reply -> pong.get().complete(reply.data()));
      requests(requester, settings.requests(), null);
      byHand(requester, pong, settings.requests(), null);
      for (int round = 0; round < settings.rounds(); round++) {
        requests(requester, settings.requests(), request);
        byHand(requester, pong, settings.requests(), byHand);
      }
    }
    Result result = new Result(binding, toArray(request), toArray(byHand));
    System.out.printf(Locale.ROOT, "[request/reply] %s: request p50 %.3f ms p99 %.3f ms; by hand p50 %.3f ms p99 "
        + "%.3f ms%n", binding, result.request(50), result.request(99), result.byHand(50), result.byHand(99));
    return result;
  }

  private static EventBus open(Supplier<EventBus.Builder> builder, String base) {
    return builder.get().source(URI.create("/bench/rpc")).channel("rpc", base + "questions")
        .channel("ping", base + "ping").channel("pong", base + "pong").build();
  }

  private static void requests(EventBus requester, int count, List<Double> into) throws Exception {
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      Event<String> reply = requester.request(QUESTION, "q" + i, ANSWER, TIMEOUT).toCompletableFuture()
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      long nanos = System.nanoTime() - start;
      if (!("re:q" + i).equals(reply.data())) {
        throw new IllegalStateException("request " + i + " got the reply '" + reply.data() + "'");
      }
      if (into != null) {
        into.add(nanos / 1e6);
      }
    }
  }

  private static void byHand(EventBus requester, AtomicReference<CompletableFuture<String>> pong, int count,
      List<Double> into) throws Exception {
    for (int i = 0; i < count; i++) {
      CompletableFuture<String> reply = new CompletableFuture<>();
      pong.set(reply);
      long start = System.nanoTime();
      requester.publish(PING, "p" + i);
      String data = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      long nanos = System.nanoTime() - start;
      if (!("re:p" + i).equals(data)) {
        throw new IllegalStateException("ping " + i + " got the pong '" + data + "'");
      }
      if (into != null) {
        into.add(nanos / 1e6);
      }
    }
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double percentile(double[] values, double percentile) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
