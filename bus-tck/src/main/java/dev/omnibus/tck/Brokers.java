package dev.omnibus.tck;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.TestAbortedException;

/**
 * The one rule for tests that need something of the machine (a broker such as RabbitMQ or Mosquitto, or a tool such
 * as {@code mosquitto_pub}): when it is missing the test is skipped, with one line saying how to install and start it;
 * with the environment variable {@code CI=true} it fails instead, because CI must run every test. Also what a
 * {@code *FaultTest} needs to restart a broker that runs as a service of the machine: running its commands and
 * waiting for its port.
 *
 * <p>Thread-safe: stateless but for the set of reasons already printed.
 */
public final class Brokers {

  /** The Debian/Ubuntu command that installs the brokers of the full test suite. */
  public static final String INSTALL = "sudo apt-get install -y rabbitmq-server mosquitto";

  private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

  private Brokers() {}

  /**
   * {@link #assumeReachable(String, String, int, String)} with the usual remedy for RabbitMQ, Mosquitto or PostgreSQL
   * (named by {@code name}): install them from Debian's packages and start the service.
   */
  public static void assumeReachable(String name, String host, int port) {
    String service = switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "rabbitmq" -> "rabbitmq-server";
      case "mosquitto" -> "mosquitto";
      case "postgresql" -> "postgresql";
      default -> name.toLowerCase(java.util.Locale.ROOT);
    };
    assumeReachable(name, host, port, "Install and start it: " + INSTALL + " postgresql && sudo service " + service
        + " start");
  }

  /**
   * Skips the calling test (fails it with {@code CI=true}) when nothing listens at the address.
   *
   * @param name the broker's name, as a person knows it ({@code RabbitMQ})
   * @param remedy what to do, e.g. {@code "Install and start it: " + INSTALL + " && sudo service rabbitmq-server start"}
   */
  public static void assumeReachable(String name, String host, int port, String remedy) {
    announced(() -> {
      assumeReachable(name, host, port, remedy, onCi());
      return name;
    });
  }

  static void assumeReachable(String name, String host, int port, String remedy, boolean ci) {
    if (!accepts(host, port)) {
      skipOrFail(name + " is not reachable at " + host + ":" + port, "its tests", remedy, ci);
    }
  }

  /**
   * The path of an executable found on the {@code PATH} (or in {@code /usr/sbin}); skips the calling test (fails it
   * with {@code CI=true}) when there is none.
   *
   * @param aptPackage the Debian package that installs it
   */
  public static String requireTool(String tool, String aptPackage) {
    return announced(() -> requireTool(tool, aptPackage, onCi()));
  }

  static String requireTool(String tool, String aptPackage, boolean ci) {
    String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
    for (String folder : path.split(File.pathSeparator)) {
      File candidate = new File(folder, tool);
      if (!folder.isEmpty() && candidate.canExecute()) {
        return candidate.getPath();
      }
    }
    skipOrFail(tool + " is not installed", "the tests that run it", "Install it: sudo apt-get install -y " + aptPackage,
        ci);
    return tool;
  }

  /**
   * The rule itself: with {@code ci} the calling test fails, since CI must run every test; elsewhere it is skipped
   * (and the public entries print the reason).
   *
   * @param missing what is missing, e.g. {@code RabbitMQ is not reachable at 127.0.0.1:5672}
   * @param skipped which tests that skips, e.g. {@code its tests}
   * @param remedy what to do about it
   */
  static void skipOrFail(String missing, String skipped, String remedy, boolean ci) {
    if (ci) {
      throw new AssertionError(missing + ": CI=true requires it. " + remedy);
    }
    Assumptions.abort(missing + ", so " + skipped + " are skipped. " + remedy);
  }

  /** Runs a check; a skip's reason is printed once per test JVM, one line, so a build log says what was left out. */
  private static <T> T announced(Supplier<T> check) {
    try {
      return check.get();
    } catch (TestAbortedException e) {
      if (ANNOUNCED.add(String.valueOf(e.getMessage()))) {
        System.out.println("[omnibus] " + e.getMessage());
      }
      throw e;
    }
  }

  private static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Runs a command, failing with its output when it does not exit 0 within the timeout. */
  public static String run(Duration timeout, String... command) throws IOException, InterruptedException {
    // Output to a file, not a pipe: a daemon that forks keeps a pipe open, and a full pipe would stall the command.
    Path log = Files.createTempFile("omnibus-faults-", ".log");
    try {
      Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
            + output);
      }
      return output;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Waits until the port accepts connections ({@code open}) or refuses them. */
  public static void awaitPort(String host, int port, boolean open, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> accepts(host, port) == open);
  }

  /** Whether something accepts connections at the address within a second. */
  public static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
