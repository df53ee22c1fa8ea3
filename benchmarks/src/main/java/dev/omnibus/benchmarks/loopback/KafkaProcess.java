package dev.omnibus.benchmarks.loopback;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Starts {@link KafkaNode} in a JVM of its own ({@code -Xmx512m}, as PERFORMANCE.md ran Kafka) on free loopback
 * ports, and stops it on {@link #close()}. With {@code OMNIBUS_KAFKA_BOOTSTRAP} set, uses that broker instead.
 */
public final class KafkaProcess implements AutoCloseable {

  private final String bootstrap;
  private final Process process;
  private final Path dir;

  private KafkaProcess(String bootstrap, Process process, Path dir) {
    this.bootstrap = bootstrap;
    this.process = process;
    this.dir = dir;
  }

  /** Starts the node (or names the external broker) and waits until it is ready, at most 90 s. */
  public static KafkaProcess start() throws IOException, InterruptedException {
    String external = System.getenv("OMNIBUS_KAFKA_BOOTSTRAP");
    if (external != null && !external.isBlank()) {
      return new KafkaProcess(external, null, null);
    }
    Path dir = Files.createTempDirectory("omnibus-bench-kafka-");
    int brokerPort = freePort();
    int controllerPort = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xms512m", "-Xmx512m", "-XX:+UseG1GC",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), KafkaNode.class.getName(),
        dir.resolve("data").toString(), Integer.toString(brokerPort), Integer.toString(controllerPort)));
    Process process = new ProcessBuilder(command)
        .redirectError(dir.resolve("kafka.err").toFile())
        .start();
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String line;
    while ((line = output.readLine()) != null && !line.contains(KafkaNode.READY)) {
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    if (line == null || !line.contains(KafkaNode.READY)) {
      process.destroyForcibly();
      throw new IllegalStateException("Kafka did not start; see " + dir.resolve("kafka.err"));
    }
    Thread drain = new Thread(() -> {
      try {
        while (output.readLine() != null) {
          // keep the pipe empty
        }
      } catch (IOException e) {
        // the process is gone
      }
    }, "kafka-node-stdout");
    drain.setDaemon(true);
    drain.start();
    return new KafkaProcess("127.0.0.1:" + brokerPort, process, dir);
  }

  /** The bootstrap servers of the node. */
  public String bootstrapServers() {
    return bootstrap;
  }

  /**
   * CPU time the node's process has used so far, in nanoseconds; -1 for a node this run did not start
   * ({@code OMNIBUS_KAFKA_BOOTSTRAP}) or where the operating system does not tell.
   */
  public long cpuNanos() {
    return process == null ? -1 : process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  /** Creates a topic of one partition and waits until it is there. */
  public void createTopic(String topic) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    try {
      process.getOutputStream().close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a temporary directory
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
