package dev.omnibus.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A RabbitMQ node of a test's own beside the machine's: its own node name ({@code omnibus-<name>-<random>@localhost}),
 * AMQP port on 127.0.0.1, distribution port, configuration and data in a temporary folder, no plugins. For a test that
 * stops the broker ({@link #stopApp()}, {@link #startApp()}: {@code rabbitmqctl stop_app} / {@code start_app}), which
 * must never stop the shared one. {@link #close()} stops the node and deletes its folder. Credentials are RabbitMQ's
 * default {@code guest}/{@code guest}, accepted from loopback.
 *
 * <p>Runs {@code rabbitmq-server -detached} and {@code rabbitmqctl} of Debian's {@code rabbitmq-server} package, whose
 * scripts run the node as the {@code rabbitmq} user and so need root (or that user). The test is skipped without them,
 * and fails with {@code CI=true} (the rule of {@link Brokers}). Starting takes about 5 s, each node about 150 MB.
 * {@link OwnRabbitMqCluster} makes a cluster of several such nodes.
 *
 * <p>Thread-safe: one lock serialises the commands.
 */
public final class OwnRabbitMq implements AutoCloseable {

  private static final Duration LIMIT = Duration.ofMinutes(2);

  private final String node;
  private final int port;
  private final Path dir;
  private final Map<String, String> environment;
  private final Object lock = new Object();
  private boolean appRunning; // guarded by lock

  private OwnRabbitMq(String node, int port, Path dir, Map<String, String> environment) {
    this.node = node;
    this.port = port;
    this.dir = dir;
    this.environment = environment;
  }

  /** Starts a node of its own; returns once it accepts AMQP connections. */
  public static OwnRabbitMq start(String name) throws IOException {
    OwnRabbitMq broker = launch(name, "omnibus-" + name + "-" + UUID.randomUUID().toString().substring(0, 6)
        + "@localhost");
    try {
      broker.awaitStartup();
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /**
   * Launches a node named {@code node} ({@code rabbitmq-server -detached}) and returns at once, before it has started:
   * {@link OwnRabbitMqCluster} launches its nodes side by side, then awaits each ({@link #awaitStartup()}).
   */
  static OwnRabbitMq launch(String name, String node) throws IOException {
    String server = Brokers.requireTool("rabbitmq-server", "rabbitmq-server");
    Brokers.requireTool("rabbitmqctl", "rabbitmq-server");
    String user = System.getProperty("user.name");
    if (!"root".equals(user) && !"rabbitmq".equals(user)) {
      Brokers.skipOrFail("A RabbitMQ node of the test's own needs root (Debian's scripts run it as user rabbitmq), "
          + "this JVM runs as " + user, "the tests that stop a broker", "Run them as root, e.g. in the CI container",
          "true".equalsIgnoreCase(System.getenv("CI")));
    }
    Path dir = Files.createTempDirectory("omnibus-rabbitmq-" + name + "-");
    // The node runs as user rabbitmq: it writes its data and logs here and reads the files below.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    int port = freePort();
    Path config = dir.resolve("rabbitmq.conf");
    // Overrides the machine's listeners (its /etc/rabbitmq/rabbitmq.conf names port 5672).
    Files.writeString(config, "listeners.tcp.local = 127.0.0.1:" + port + "\n", StandardCharsets.UTF_8);
    Path plugins = dir.resolve("enabled_plugins");
    Files.writeString(plugins, "[].\n", StandardCharsets.UTF_8);
    for (Path file : List.of(config, plugins)) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
    for (String folder : List.of("mnesia", "log")) {
      Files.setPosixFilePermissions(Files.createDirectory(dir.resolve(folder)),
          PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    Map<String, String> environment = new HashMap<>();
    environment.put("RABBITMQ_NODENAME", node);
    environment.put("RABBITMQ_NODE_PORT", Integer.toString(port));
    environment.put("RABBITMQ_DIST_PORT", Integer.toString(freePort()));
    environment.put("RABBITMQ_CONFIG_FILE", config.toString());
    environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", plugins.toString());
    environment.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    environment.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    OwnRabbitMq broker = new OwnRabbitMq(node, port, dir, environment);
    try {
      broker.run(server, "-detached");
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /** The AMQP port, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Its address for an AMQP server: {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The node's name, for {@code rabbitmqctl -n}. */
  public String node() {
    return node;
  }

  /**
   * {@code rabbitmqctl stop_app}: the broker closes every connection and stops listening; durable queues and persistent
   * messages stay on disk. Returns once the port refuses connections. Stopping a stopped broker does nothing.
   */
  public void stopApp() {
    synchronized (lock) {
      if (!appRunning) {
        return;
      }
      appRunning = false;
      run("rabbitmqctl", "-n", node, "stop_app");
    }
    Brokers.awaitPort("127.0.0.1", port, false, LIMIT);
  }

  /**
   * {@code rabbitmqctl start_app}; returns once the broker has started and accepts connections. Starting a running
   * broker does nothing.
   */
  public void startApp() {
    synchronized (lock) {
      if (appRunning) {
        return;
      }
      run("rabbitmqctl", "-n", node, "start_app");
      awaitStartup();
    }
  }

  /** Stops the node ({@code rabbitmqctl stop}) and deletes its folder. */
  @Override
  public void close() {
    synchronized (lock) {
      try {
        run("rabbitmqctl", "-n", node, "stop");
      } catch (RuntimeException e) {
        System.out.println("[omnibus] stopping RabbitMQ node " + node + " failed: " + e.getMessage());
      }
      appRunning = false;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.out.println("[omnibus] could not delete " + dir + ": " + e);
    }
  }

  /**
   * {@code rabbitmqctl -n <node> <arguments>}, e.g. {@code join_cluster other@localhost}; returns what it printed.
   *
   * @throws IllegalStateException when it exits with an error, with what it printed
   */
  String ctl(String... arguments) {
    String[] command = new String[arguments.length + 3];
    command[0] = "rabbitmqctl";
    command[1] = "-n";
    command[2] = node;
    System.arraycopy(arguments, 0, command, 3, arguments.length);
    synchronized (lock) {
      return run(command);
    }
  }

  /**
   * Marks the application stopped or started after a {@link #ctl} that stopped or started it ({@code join_cluster}
   * needs {@code stop_app} first).
   */
  void appRunning(boolean running) {
    synchronized (lock) {
      appRunning = running;
    }
  }

  /** Waits until the node's application runs ({@code rabbitmqctl await_startup}) and its port accepts connections. */
  void awaitStartup() {
    // await_startup fails at once while the node has not yet registered with epmd: asked again until it answers.
    Awaitility.await("RabbitMQ node " + node + " started").atMost(LIMIT).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(() -> {
          run("rabbitmqctl", "-n", node, "await_startup", "--timeout", "60");
          return true;
        });
    Brokers.awaitPort("127.0.0.1", port, true, LIMIT);
    synchronized (lock) {
      appRunning = true;
    }
  }

  private String run(String... command) {
    Path log = null;
    try {
      log = Files.createTempFile("omnibus-rabbitmq-", ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + LIMIT);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " (node " + node + ") exited with "
            + process.exitValue() + ": " + Files.readString(log, StandardCharsets.UTF_8));
      }
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException e) {
          // a temporary file left behind
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
