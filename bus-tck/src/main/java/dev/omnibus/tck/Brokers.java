package dev.omnibus.tck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * Running a broker's own commands and waiting for its port: what a {@code *FaultTest} needs to restart a broker that runs
 * as a service of the machine (RabbitMQ, Mosquitto).
 */
public final class Brokers {

  private Brokers() {}

  /** Skips the tests (fails them with {@code CI=true}) when nothing listens at the address. */
  public static void assumeReachable(String name, String host, int port) {
    if (!accepts(host, port)) {
      String message = name + " is not reachable at " + host + ":" + port;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message + "; CI=true requires it");
      }
      Assumptions.abort(message);
    }
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

  public static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
