package dev.omnibus.mqtt;

import dev.omnibus.tck.Brokers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A Mosquitto process of a test's own, on a free port with its own configuration file under {@code target/}: for what
 * the machine's shared broker must not be reconfigured for (a large queue limit, TLS). Stopped by {@link #close()}.
 */
final class OwnMosquitto implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path dir;

  private OwnMosquitto(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /**
   * Starts Mosquitto listening on a free port with the given lines after the {@code listener} line. The test is skipped
   * without a mosquitto executable (and fails on CI).
   */
  static OwnMosquitto start(String name, List<String> listenerLines) throws IOException {
    String executable = find("mosquitto");
    Path dir = Path.of("target", "mosquitto", name + "-" + System.nanoTime()).toAbsolutePath();
    Files.createDirectories(dir);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    StringBuilder config = new StringBuilder()
        .append("persistence false\n")
        .append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n')
        .append("listener ").append(port).append(" 127.0.0.1\n")
        .append("allow_anonymous true\n");
    listenerLines.forEach(line -> config.append(line).append('\n'));
    Path file = dir.resolve("mosquitto.conf");
    Files.writeString(file, config);
    Process process = new ProcessBuilder(executable, "-c", file.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    OwnMosquitto broker = new OwnMosquitto(process, port, dir);
    try {
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> broker.accepts() || !process.isAlive());
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("mosquitto did not start; its output: "
          + Files.readString(dir.resolve("stdout.log")));
    }
    return broker;
  }

  int port() {
    return port;
  }

  /** A folder of this broker's, for files the test writes (certificates). */
  Path dir() {
    return dir;
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /**
   * The tool's path ({@code mosquitto}, {@code openssl}: each installed by the Debian package of its name); the test
   * is skipped without it, and fails with {@code CI=true} (the rule of {@link Brokers}).
   */
  static String find(String name) {
    return Brokers.requireTool(name, name);
  }
}
