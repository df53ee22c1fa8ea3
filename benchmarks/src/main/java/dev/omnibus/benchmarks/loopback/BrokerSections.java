package dev.omnibus.benchmarks.loopback;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.omnibus.envelope.Mode;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The broker sections of the loopback run: for each broker, the raw client (A) against the bus (B) on fresh
 * addresses of their own. Broker addresses come from the environment with the project's local defaults
 * ({@code OMNIBUS_RABBITMQ_HOST}, {@code OMNIBUS_MQTT_HOST}, {@code OMNIBUS_KAFKA_BOOTSTRAP}).
 */
public final class BrokerSections {

  /** The end-to-end windows: below what each broker or client would drop or refuse, the same for A and B. */
  static final int KAFKA_WINDOW = 20_000;
  static final int RABBITMQ_WINDOW = 2_000;
  static final int MQTT_WINDOW = 500;
  static final int MEMORY_WINDOW = 20_000;

  /** The names of the observability section's results. */
  public static final String OBSERVED_MEMORY = "memory, metrics and tracing";
  public static final String OBSERVED_KAFKA = "kafka, metrics and tracing";
  /**
   * The name of the kafka section's reference result: the bus (binary mode) against kafka-clients with the CloudEvents
   * SDK's Kafka binding ({@link KafkaSdkSide}), throughput only and without a target.
   */
  public static final String KAFKA_SDK = "kafka, against the CloudEvents SDK";
  private static final String OFF = "bus, observability off";

  private final LoopbackRunner runner;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  public BrokerSections(LoopbackRunner runner) {
    this.runner = runner;
  }

  /**
   * Kafka: a KRaft node in a JVM of its own, a one-partition topic per side. The bus in binary mode (the default,
   * the target's subject), then in structured mode against the same raw client, which users weigh against binary. In
   * the rounds of {@link LoopbackRunner.Settings#brokerProcess()}: the node warms up while it is measured. Then, as a
   * reference without a target, the bus in binary mode against kafka-clients with the CloudEvents SDK
   * ({@link #KAFKA_SDK}), throughput rounds only.
   */
  public List<LoopbackRunner.BrokerResult> kafka() throws Exception {
    LoopbackRunner runner = new LoopbackRunner(this.runner.settings().brokerProcess());
    try (KafkaProcess kafka = KafkaProcess.start()) {
      List<LoopbackRunner.BrokerResult> results = new ArrayList<>();
      ServerConfig server = ServerConfig.of("bench", "kafka", kafka.bootstrapServers());
      for (Mode mode : List.of(Mode.BINARY, Mode.STRUCTURED)) {
        String suffix = mode.name().toLowerCase(Locale.ROOT) + "-" + run;
        String rawTopic = "bench-raw-" + suffix;
        String busTopic = "bench-bus-" + suffix;
        kafka.createTopic(rawTopic);
        kafka.createTopic(busTopic);
        results.add(runner.run(named("kafka", mode), KAFKA_WINDOW,
            receiver -> new KafkaRawSide(kafka.bootstrapServers(), rawTopic, "bench-raw-" + suffix, receiver),
            receiver -> new BusSide("omnibus bus", server, busTopic, "bench-bus", mode, receiver, () -> { }),
            kafka::cpuNanos));
      }
      // The reference: the bus in binary mode against a consumer that, like the bus, reads every attribute.
      String sdkTopic = "bench-sdk-" + run;
      String busTopic = "bench-bus-sdk-" + run;
      kafka.createTopic(sdkTopic);
      kafka.createTopic(busTopic);
      results.add(new LoopbackRunner(runner.settings().throughputOnly()).run(KAFKA_SDK, KAFKA_WINDOW,
          receiver -> new KafkaSdkSide(kafka.bootstrapServers(), sdkTopic, "bench-sdk-" + run, receiver),
          receiver -> new BusSide("omnibus bus", server, busTopic, "bench-bus", Mode.BINARY, receiver, () -> { }),
          kafka::cpuNanos));
      return results;
    }
  }

  /**
   * RabbitMQ: the machine's broker; a durable queue per side on the {@code omnibus} topic exchange, deleted after. The
   * bus in binary mode, then in structured mode, each against the raw client on addresses of their own. In the rounds
   * of {@link LoopbackRunner.Settings#sharedBroker()}.
   */
  public List<LoopbackRunner.BrokerResult> rabbitmq() throws Exception {
    String host = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
    requireReachable("RabbitMQ", host, 5672);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(host);
    factory.setPort(5672);
    factory.setUsername("guest");
    factory.setPassword("guest");
    ServerConfig server = ServerConfig.of("bench", "amqp", host + ":5672");
    LoopbackRunner runner = new LoopbackRunner(this.runner.settings().sharedBroker());
    List<LoopbackRunner.BrokerResult> results = new ArrayList<>();
    for (Mode mode : List.of(Mode.BINARY, Mode.STRUCTURED)) {
      String suffix = mode.name().toLowerCase(Locale.ROOT) + "." + run;
      String rawAddress = "bench.raw." + suffix;
      String busAddress = "bench.bus." + suffix;
      results.add(runner.run(named("rabbitmq", mode), RABBITMQ_WINDOW,
          receiver -> new RabbitMqRawSide(factory, "omnibus", rawAddress, rawAddress + ".bench", receiver),
          receiver -> new BusSide("omnibus bus", server, busAddress, "bench", mode, receiver,
              () -> deleteQueues(factory, busAddress + ".bench", busAddress + ".bench.dlq"))));
    }
    return results;
  }

  /**
   * Mosquitto: the machine's broker; a topic per side, plain (non-shared) subscriptions on both. The bus in binary
   * mode, then in structured mode. In the rounds of {@link LoopbackRunner.Settings#sharedBroker()}.
   */
  public List<LoopbackRunner.BrokerResult> mqtt() throws Exception {
    String host = env("OMNIBUS_MQTT_HOST", "127.0.0.1");
    requireReachable("Mosquitto", host, 1883);
    String uri = "tcp://" + host + ":1883";
    ServerConfig server = ServerConfig.of("bench", "mqtt", host + ":1883");
    LoopbackRunner runner = new LoopbackRunner(this.runner.settings().sharedBroker());
    List<LoopbackRunner.BrokerResult> results = new ArrayList<>();
    for (Mode mode : List.of(Mode.BINARY, Mode.STRUCTURED)) {
      String suffix = mode.name().toLowerCase(Locale.ROOT) + "/" + run;
      results.add(runner.run(named("mqtt", mode), MQTT_WINDOW,
          receiver -> new MqttRawSide(uri, "bench/raw/" + suffix, "omnibus-bench-raw-" + suffix.replace('/', '-'),
              receiver),
          receiver -> new BusSide("omnibus bus", server, "bench/bus/" + suffix, null, mode, receiver, () -> { })));
    }
    return results;
  }

  /**
   * In memory: the bus's in-memory binding against a bare queue hand-off with the same JSON payload, in interleaved
   * rounds ({@link LoopbackRunner.Settings#inProcess()}): both sides run on this JVM's cores alone, so a round is
   * short and easily disturbed.
   */
  public LoopbackRunner.BrokerResult memory() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    return new LoopbackRunner(runner.settings().inProcess()).run("memory", MEMORY_WINDOW, QueueSide::new,
        receiver -> new BusSide("omnibus bus", broker.server(), "orders.placed", "billing", Mode.BINARY, receiver,
            () -> { }));
  }

  /**
   * What metrics and tracing cost: the same bus with {@link Observability} off (A) and on (B), in memory and on Kafka
   * (a one-partition topic per side), same settings otherwise.
   */
  public List<LoopbackRunner.BrokerResult> observability() throws Exception {
    List<LoopbackRunner.BrokerResult> results = new ArrayList<>();
    InMemoryBroker broker = InMemoryBroker.create();
    results.add(runner.run(OBSERVED_MEMORY, MEMORY_WINDOW,
        receiver -> new BusSide(OFF, broker.server(), "orders.plain", "billing", Mode.BINARY, receiver, () -> { }),
        receiver -> observed(broker.server(), "orders.observed", "billing", receiver)));
    try (KafkaProcess kafka = KafkaProcess.start()) {
      ServerConfig server = ServerConfig.of("bench", "kafka", kafka.bootstrapServers());
      String plainTopic = "bench-plain-" + run;
      String observedTopic = "bench-observed-" + run;
      kafka.createTopic(plainTopic);
      kafka.createTopic(observedTopic);
      results.add(runner.run(OBSERVED_KAFKA, KAFKA_WINDOW,
          receiver -> new BusSide(OFF, server, plainTopic, "bench-bus", Mode.BINARY, receiver, () -> { }),
          receiver -> observed(server, observedTopic, "bench-bus", receiver), kafka::cpuNanos));
    }
    return results;
  }

  /** A broker's section name: the broker alone for binary mode, the target's subject, else with the mode. */
  private static String named(String broker, Mode mode) {
    return mode == Mode.BINARY ? broker : broker + ", bus in structured mode";
  }

  private static Side observed(ServerConfig server, String address, String group, Side.Receiver receiver) {
    Observability observability = new Observability();
    try {
      return new BusSide("bus with metrics and tracing", server, address, group, Mode.BINARY, receiver,
          observability::close, observability.interceptors());
    } catch (RuntimeException e) {
      observability.close();
      throw e;
    }
  }

  private static void deleteQueues(ConnectionFactory factory, String... queues) {
    try (Connection connection = factory.newConnection("bench-cleanup"); Channel channel = connection.createChannel()) {
      for (String queue : queues) {
        channel.queueDelete(queue);
      }
    } catch (Exception e) {
      LoopbackRunner.log("could not delete " + String.join(", ", queues) + ": " + e);
    }
  }

  private static String env(String name, String defaultValue) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? defaultValue : value;
  }

  private static void requireReachable(String broker, String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 3_000);
    } catch (IOException e) {
      throw new IllegalStateException(broker + " is not reachable at " + host + ":" + port + " (see BROKERS.md to "
          + "start it): " + e.getMessage(), e);
    }
  }
}
