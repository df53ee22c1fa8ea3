package dev.omnibus.test.kafka;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A local Kafka for development, from the Maven Central jars, without Docker: one KRaft node on
 * {@code 127.0.0.1:9092} (or {@code OMNIBUS_KAFKA_PORT}), data in {@code target/local-kafka} of the working directory
 * (kept across runs; {@code OMNIBUS_KAFKA_DATA} moves it).
 * Prints the bootstrap address and runs until interrupted (Ctrl-C).
 *
 * <pre>{@code
 * mvn -q -pl bus-kafka -am -Plocal-kafka process-test-classes
 * }</pre>
 */
public final class LocalKafka {

  private LocalKafka() {}

  /** Starts the broker and waits until the JVM is asked to stop. */
  public static void main(String[] args) throws InterruptedException {
    int port = Integer.parseInt(env("OMNIBUS_KAFKA_PORT", "9092"));
    int controllerPort = Integer.parseInt(env("OMNIBUS_KAFKA_CONTROLLER_PORT", Integer.toString(port + 1)));
    Path data = Path.of(env("OMNIBUS_KAFKA_DATA", "target/local-kafka")).toAbsolutePath();
    EmbeddedKafka kafka = EmbeddedKafka.create(port, controllerPort, data, Map.of());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kafka.stop();
      stopped.countDown();
    }, "local-kafka-stop"));
    kafka.start();
    System.out.println("Kafka is ready at " + kafka.bootstrapServers() + " (data in " + data + "); Ctrl-C stops it");
    System.out.flush();
    stopped.await();
  }

  private static String env(String name, String defaultValue) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
