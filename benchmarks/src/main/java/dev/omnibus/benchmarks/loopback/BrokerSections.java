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

  private final LoopbackRunner runner;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  public BrokerSections(LoopbackRunner runner) {
    this.runner = runner;
  }

  /**
   * Kafka: a KRaft node in a JVM of its own, a one-partition topic per side. The bus in binary mode (the default,
   * the target's subject), then in structured mode against the same raw client, which users weigh against binary.
   */
  public List<LoopbackRunner.BrokerResult> kafka() throws Exception {
    try (KafkaProcess kafka = KafkaProcess.start()) {
      List<LoopbackRunner.BrokerResult> results = new ArrayList<>();
      ServerConfig server = ServerConfig.of("bench", "kafka", kafka.bootstrapServers());
      for (Mode mode : List.of(Mode.BINARY, Mode.STRUCTURED)) {
        String suffix = mode.name().toLowerCase(Locale.ROOT) + "-" + run;
        String rawTopic = "bench-raw-" + suffix;
        String busTopic = "bench-bus-" + suffix;
        kafka.createTopic(rawTopic);
        kafka.createTopic(busTopic);
        results.add(runner.run(mode == Mode.BINARY ? "kafka" : "kafka, bus in structured mode", KAFKA_WINDOW,
            receiver -> new KafkaRawSide(kafka.bootstrapServers(), rawTopic, "bench-raw-" + suffix, receiver),
            receiver -> new BusSide("omnibus bus", server, busTopic, "bench-bus", mode, receiver, () -> { })));
      }
      return results;
    }
  }

  /** RabbitMQ: the machine's broker; a durable queue per side on the {@code omnibus} topic exchange, deleted after. */
  public LoopbackRunner.BrokerResult rabbitmq() throws Exception {
    String host = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
    requireReachable("RabbitMQ", host, 5672);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(host);
    factory.setPort(5672);
    factory.setUsername("guest");
    factory.setPassword("guest");
    String rawAddress = "bench.raw." + run;
    String busAddress = "bench.bus." + run;
    ServerConfig server = ServerConfig.of("bench", "amqp", host + ":5672");
    return runner.run("rabbitmq", RABBITMQ_WINDOW,
        receiver -> new RabbitMqRawSide(factory, "omnibus", rawAddress, rawAddress + ".bench", receiver),
        receiver -> new BusSide("omnibus bus", server, busAddress, "bench", Mode.BINARY, receiver,
            () -> deleteQueues(factory, busAddress + ".bench", busAddress + ".bench.dlq")));
  }

  /** Mosquitto: the machine's broker; a topic per side, plain (non-shared) subscriptions on both. */
  public LoopbackRunner.BrokerResult mqtt() throws Exception {
    String host = env("OMNIBUS_MQTT_HOST", "127.0.0.1");
    requireReachable("Mosquitto", host, 1883);
    String uri = "tcp://" + host + ":1883";
    ServerConfig server = ServerConfig.of("bench", "mqtt", host + ":1883");
    return runner.run("mqtt", MQTT_WINDOW,
        receiver -> new MqttRawSide(uri, "bench/raw/" + run, "omnibus-bench-raw-" + run, receiver),
        receiver -> new BusSide("omnibus bus", server, "bench/bus/" + run, null, Mode.BINARY, receiver, () -> { }));
  }

  /** In memory: the bus's in-memory binding against a bare queue hand-off with the same JSON payload. */
  public LoopbackRunner.BrokerResult memory() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    return runner.run("memory", MEMORY_WINDOW, QueueSide::new,
        receiver -> new BusSide("omnibus bus", broker.server(), "orders.placed", "billing", Mode.BINARY, receiver,
            () -> { }));
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
