package dev.omnibus.test.kafka;

import dev.omnibus.spi.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real Kafka broker for tests: one KRaft node (broker and controller in one) from the Maven Central jars, running
 * inside the test JVM, started once per JVM and stopped when the JVM's tests are done. No Docker, nothing installed.
 *
 * <pre>{@code
 * {@literal @}ExtendWith(EmbeddedKafka.class)
 * class MyTest {
 *   {@literal @}Test
 *   void works(EmbeddedKafka kafka) {
 *     String bootstrap = kafka.bootstrapServers();          // for plain Kafka clients
 *     try (EventBus bus = EventBus.builder().server(kafka.server()).build()) {
 *       // ...
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>With the test kit of {@code dev.omnibus:bus-test}, each test's bus runs on it with
 * {@code OmnibusExtension.builder().server(() -> EmbeddedKafka.shared().server())}.
 *
 * <p>With {@code OMNIBUS_KAFKA_BOOTSTRAP} set, tests use that broker instead; an unreachable one fails the tests when
 * {@code CI=true} and skips them otherwise. The embedded broker can be {@link #stop() stopped} and
 * {@link #start() started} again on the same port and log directory, for fault tests.
 *
 * <p>{@link #startCluster(String)} starts three nodes of a test's own instead ({@link EmbeddedKafkaCluster}), for
 * tests of replication and of a broker's failure.
 *
 * <p>Thread-safe.
 */
public final class EmbeddedKafka implements BeforeAllCallback, ParameterResolver {

  /** The environment variable naming an external broker to use instead of the embedded one. */
  public static final String BOOTSTRAP_ENV = "OMNIBUS_KAFKA_BOOTSTRAP";

  private static final Object LOCK = new Object();
  private static @Nullable EmbeddedKafka shared;

  private final @Nullable String external;
  private final int brokerPort;
  private final int controllerPort;
  private final Path logDir;
  private final Map<String, String> extraConfig;
  /** This node's id and the quorum it votes in: {@code 1} and itself, unless it is a node of a cluster. */
  private final int nodeId;
  private final String voters;
  /** The cluster id its storage is formatted with: random for a single node, shared by a cluster's nodes. */
  private final String clusterId;
  private @Nullable KafkaRaftServer server;
  /** The temporary directory of a {@link #startPrivate} broker, deleted by {@link #discard()}. */
  private @Nullable Path temporary;

  /** For JUnit's {@code @ExtendWith}: the extension delegates to the JVM's shared broker. */
  public EmbeddedKafka() {
    this.external = null;
    this.brokerPort = 0;
    this.controllerPort = 0;
    this.logDir = Path.of("");
    this.extraConfig = Map.of();
    this.nodeId = 1;
    this.voters = "";
    this.clusterId = "";
  }

  private EmbeddedKafka(@Nullable String external, int brokerPort, int controllerPort, Path logDir,
      Map<String, String> extraConfig) {
    this(external, brokerPort, controllerPort, logDir, extraConfig, 1, "1@127.0.0.1:" + controllerPort,
        Uuid.randomUuid().toString());
  }

  private EmbeddedKafka(@Nullable String external, int brokerPort, int controllerPort, Path logDir,
      Map<String, String> extraConfig, int nodeId, String voters, String clusterId) {
    this.external = external;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.logDir = logDir;
    this.extraConfig = Map.copyOf(extraConfig);
    this.nodeId = nodeId;
    this.voters = voters;
    this.clusterId = clusterId;
  }

  /**
   * A node of a cluster, not started: {@link EmbeddedKafkaCluster} makes three, each a broker and a voter of the
   * controller quorum.
   */
  static EmbeddedKafka clusterNode(int nodeId, int brokerPort, int controllerPort, Path logDir, String voters,
      String clusterId, Map<String, String> config) {
    return new EmbeddedKafka(null, brokerPort, controllerPort, logDir, config, nodeId, voters, clusterId);
  }

  /**
   * A started cluster of three KRaft nodes of a test's own, each broker and controller, on free ports and in a fresh
   * temporary directory: internal topics with replication factor 3 and at least 2 in sync, and topics created
   * without a replication factor get 3 with {@code min.insync.replicas=2}. {@link EmbeddedKafkaCluster#close()}
   * stops it and deletes the directory.
   *
   * @param prefix the temporary directory's name prefix, e.g. {@code omnibus-kafka-cluster-}
   */
  public static EmbeddedKafkaCluster startCluster(String prefix) {
    return EmbeddedKafkaCluster.start(prefix);
  }

  /** The JVM's shared broker, started on first use (or the external one named by {@value #BOOTSTRAP_ENV}). */
  public static EmbeddedKafka shared() {
    synchronized (LOCK) {
      if (shared == null) {
        String external = System.getenv(BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
          requireReachable(external);
          shared = new EmbeddedKafka(external, 0, 0, Path.of(""), Map.of());
        } else {
          Path dir = tempDir();
          EmbeddedKafka broker = create(freePort(), freePort(), dir.resolve("data"), Map.of());
          broker.start();
          shared = broker;
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stopQuietly();
            deleteTree(dir);
          }, "embedded-kafka-stop"));
        }
      }
      return shared;
    }
  }

  /**
   * A broker of its own, not started, on the given ports (0 picks free ones) and log directory; for a local Kafka
   * outside tests ({@link LocalKafka}) or a test that must own its broker.
   */
  public static EmbeddedKafka create(int brokerPort, int controllerPort, Path logDir, Map<String, String> config) {
    return new EmbeddedKafka(null, brokerPort == 0 ? freePort() : brokerPort,
        controllerPort == 0 ? freePort() : controllerPort, logDir, config);
  }

  /**
   * A started broker of a test's own, on free ports and in a fresh temporary directory, for a test that stops and
   * starts it (the shared broker of the other tests is never stopped); {@link #discard()} stops it and deletes the
   * directory.
   *
   * @param prefix the temporary directory's name prefix, e.g. {@code omnibus-kafka-health-}
   */
  public static EmbeddedKafka startPrivate(String prefix) {
    Path directory;
    try {
      directory = Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a log directory for a private Kafka broker", e);
    }
    EmbeddedKafka kafka = create(0, 0, directory.resolve("data"), Map.of());
    kafka.temporary = directory;
    kafka.start();
    return kafka;
  }

  /** Stops a {@link #startPrivate} broker and deletes its directory. */
  public void discard() {
    try {
      stop();
    } finally {
      Path directory = temporary;
      if (directory != null) {
        try (var paths = Files.walk(directory)) {
          paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
          // a temporary directory left behind is no failure of the test
        }
      }
    }
  }

  /** The bootstrap servers to give clients, e.g. {@code 127.0.0.1:40123}. */
  public String bootstrapServers() {
    return external != null ? external : "127.0.0.1:" + brokerPort;
  }

  /**
   * A server of protocol {@code kafka} named {@code kafka} on this broker, for {@code EventBus.builder().server(...)}
   * (with {@code dev.omnibus:bus-kafka} on the classpath).
   */
  public ServerConfig server() {
    return ServerConfig.of("kafka", "kafka", bootstrapServers());
  }

  /** Whether this is an external broker (stop and start are then not available). */
  public boolean isExternal() {
    return external != null;
  }

  /**
   * Starts the broker (formatting its log directory the first time) and waits until it answers, at most 60 s.
   * Starting a running broker does nothing.
   */
  public void start() {
    startServer();
    awaitReady(Duration.ofSeconds(60));
  }

  /**
   * Starts the node without waiting for it to answer clients. A node of a cluster returns from here only once the
   * quorum has a leader, so a cluster starts its nodes on threads of their own.
   */
  void startServer() {
    synchronized (this) {
      requireEmbedded();
      if (server != null) {
        return;
      }
      // A fatal broker error calls Exit.halt; in a test JVM that must become an exception, not the end of Surefire.
      Exit.setExitProcedure((status, message) -> {
        throw new IllegalStateException("Kafka asked to exit with status " + status + ": " + message);
      });
      Exit.setHaltProcedure((status, message) -> {
        throw new IllegalStateException("Kafka asked to halt with status " + status + ": " + message);
      });
      Properties properties = brokerProperties();
      format(properties);
      KafkaRaftServer starting = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
      server = starting;
      try {
        starting.startup();
      } catch (RuntimeException e) {
        server = null;
        stopQuietly(starting);
        throw e;
      }
    }
  }

  /** Stops the broker, keeping its port and data for {@link #start()}. Stopping a stopped broker does nothing. */
  public void stop() {
    synchronized (this) {
      requireEmbedded();
      KafkaRaftServer running = server;
      if (running == null) {
        return;
      }
      server = null;
      running.shutdown();
      running.awaitShutdown();
    }
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      // the JVM is going away anyway
    }
  }

  private static void stopQuietly(KafkaRaftServer failed) {
    try {
      failed.shutdown();
      failed.awaitShutdown();
    } catch (RuntimeException e) {
      // it did not start: what it started is stopped as far as it can be
    }
  }

  /** Whether the node runs. */
  boolean isRunning() {
    synchronized (this) {
      return server != null;
    }
  }

  Path logDir() {
    return logDir;
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    shared();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared();
  }

  private Properties brokerProperties() {
    Properties properties = new Properties();
    properties.put("process.roles", "broker,controller");
    properties.put("node.id", Integer.toString(nodeId));
    properties.put("controller.quorum.voters", voters);
    properties.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    properties.put("controller.listener.names", "CONTROLLER");
    properties.put("inter.broker.listener.name", "PLAINTEXT");
    properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    properties.put("log.dirs", logDir.toAbsolutePath().toString());
    properties.put("num.partitions", "3");
    properties.put("offsets.topic.replication.factor", "1");
    properties.put("offsets.topic.num.partitions", "3");
    properties.put("transaction.state.log.replication.factor", "1");
    properties.put("transaction.state.log.min.isr", "1");
    properties.put("share.coordinator.state.topic.replication.factor", "1");
    properties.put("share.coordinator.state.topic.min.isr", "1");
    properties.put("group.initial.rebalance.delay.ms", "0");
    properties.put("auto.create.topics.enable", "true");
    properties.putAll(extraConfig);
    return properties;
  }

  private void format(Properties properties) {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    try {
      Files.createDirectories(logDir);
      Path config = logDir.resolveSibling(logDir.getFileName() + ".properties");
      try (Writer writer = Files.newBufferedWriter(config)) {
        properties.store(writer, "embedded Kafka");
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int status = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c",
          config.toString(), "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
      if (status != 0) {
        throw new IllegalStateException("formatting Kafka storage failed (" + status + "): "
            + output.toString(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin()) {
      RuntimeException last = null;
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          last = new IllegalStateException("Kafka at " + bootstrapServers() + " is not ready", e);
        }
      }
      throw last != null ? last : new IllegalStateException("Kafka at " + bootstrapServers() + " is not ready");
    }
  }

  private void requireEmbedded() {
    if (external != null) {
      throw new IllegalStateException("the broker at " + external + " is external: it cannot be stopped or started");
    }
  }

  private static void requireReachable(String bootstrap) {
    String first = bootstrap.split(",")[0].trim();
    int colon = first.lastIndexOf(':');
    String host = colon < 0 ? first : first.substring(0, colon);
    int port = colon < 0 ? 9092 : Integer.parseInt(first.substring(colon + 1));
    String problem = "Kafka (" + BOOTSTRAP_ENV + "=" + bootstrap + ") is not reachable at " + host + ":" + port
        + ". Start it, or unset " + BOOTSTRAP_ENV + " to use the broker the tests start themselves";
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(host, port), 2_000);
    } catch (IOException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(problem + " (CI=true requires it)");
      }
      org.junit.jupiter.api.Assumptions.abort(problem);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("omnibus-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a temporary directory
    }
  }
}
