package dev.omnibus.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A Mosquitto process of a test's own, on a free port of 127.0.0.1 with its own configuration file under
 * {@code target/mosquitto/}: for what the machine's shared broker must not be reconfigured for (a large queue limit,
 * TLS) or must not suffer (being stopped). {@link #stop()} and {@link #restart()} stop it and start it again on the
 * same port and configuration; {@link #close()} stops it for good.
 *
 * <p>The test is skipped without a {@code mosquitto} executable, and fails with {@code CI=true} (the rule of
 * {@link Brokers}). Thread-safe: one lock serialises start and stop.
 */
public final class OwnMosquitto implements AutoCloseable {

  private static final Duration LIMIT = Duration.ofSeconds(30);

  private final String executable;
  private final int port;
  private final Path dir;
  private final Object lock = new Object();
  private @Nullable Process process; // guarded by lock

  private OwnMosquitto(String executable, int port, Path dir) {
    this.executable = executable;
    this.port = port;
    this.dir = dir;
  }

  /**
   * Starts Mosquitto without persistence, listening on a free port with the given lines after the {@code listener}
   * line (e.g. {@code max_queued_messages 0}, {@code certfile ...}).
   */
  public static OwnMosquitto start(String name, List<String> listenerLines) throws IOException {
    return start(name, false, listenerLines);
  }

  /**
   * Starts Mosquitto on a free port with persistence in its own folder: sessions and the messages queued for them
   * survive {@link #restart()}, as with the machine's broker.
   */
  public static OwnMosquitto startPersistent(String name) throws IOException {
    return start(name, true, List.of());
  }

  private static OwnMosquitto start(String name, boolean persistent, List<String> listenerLines) throws IOException {
    String executable = find("mosquitto");
    Path dir = Path.of("target", "mosquitto", name + "-" + System.nanoTime()).toAbsolutePath();
    Files.createDirectories(dir);
    // Started as root, Mosquitto drops to user mosquitto: its log and persistence file go here.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    StringBuilder config = new StringBuilder();
    if (persistent) {
      config.append("persistence true\n")
          .append("persistence_location ").append(dir).append("/\n")
          .append("autosave_interval 1\n");
    } else {
      config.append("persistence false\n");
    }
    config.append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n')
        .append("listener ").append(port).append(" 127.0.0.1\n")
        .append("allow_anonymous true\n");
    listenerLines.forEach(line -> config.append(line).append('\n'));
    Files.writeString(dir.resolve("mosquitto.conf"), config);
    OwnMosquitto broker = new OwnMosquitto(executable, port, dir);
    broker.launch();
    return broker;
  }

  /** The port it listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Its address for an MQTT server: {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** A folder of this broker's, for files the test writes (certificates). */
  public Path dir() {
    return dir;
  }

  /**
   * Stops the broker with SIGTERM (so that a persistent one saves its sessions) and returns once it has exited and
   * its port refuses connections. Stopping a stopped broker does nothing.
   */
  public void stop() {
    synchronized (lock) {
      Process running = process;
      if (running == null) {
        return;
      }
      process = null;
      running.destroy();
      try {
        if (!running.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
          running.destroyForcibly();
          running.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.destroyForcibly();
      }
    }
    Brokers.awaitPort("127.0.0.1", port, false, LIMIT);
  }

  /**
   * Starts the stopped broker again on the same port and configuration; returns once it accepts connections.
   * Restarting a running broker does nothing.
   */
  public void restart() {
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() throws IOException {
    Process started;
    synchronized (lock) {
      if (process != null) {
        return;
      }
      started = new ProcessBuilder(executable, "-c", dir.resolve("mosquitto.conf").toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
          .start();
      process = started;
    }
    try {
      Awaitility.await("mosquitto listening on " + port).atMost(LIMIT).pollInterval(Duration.ofMillis(100))
          .until(() -> Brokers.accepts("127.0.0.1", port) || !started.isAlive());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    if (!started.isAlive()) {
      synchronized (lock) {
        process = null;
      }
      throw new IllegalStateException("mosquitto did not start; its output: "
          + Files.readString(dir.resolve("stdout.log")));
    }
  }

  /** Stops the broker for good (its folder stays, with its log). */
  @Override
  public void close() {
    stop();
  }

  /**
   * The tool's path ({@code mosquitto}, {@code openssl}: each installed by the Debian package of its name); the test
   * is skipped without it, and fails with {@code CI=true} (the rule of {@link Brokers}).
   */
  public static String find(String name) {
    return Brokers.requireTool(name, name);
  }
}
