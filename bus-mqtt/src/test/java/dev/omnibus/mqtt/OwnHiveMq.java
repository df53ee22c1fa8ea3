package dev.omnibus.mqtt;

import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.Brokers;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A HiveMQ Community Edition broker of a test's own, embedded in the test JVM: a second real MQTT 5 broker beside the
 * machine's Mosquitto. It listens on a free port of 127.0.0.1 (never 1883) and keeps its configuration and data
 * (file persistence) in its own folder under {@code target/hivemq/}, so {@link #stop()} then {@link #restart()} brings
 * back its persistent sessions, their subscriptions (shared ones included) and their queued messages.
 *
 * <p>The configuration raises HiveMQ's per-client queue ({@code max-queue-size}, 1000 by default, beyond which it
 * discards) to {@link #QUEUE_LIMIT}: a group whose members are all away while thousands are published needs it, as
 * users' brokers do (see {@code docs/production-mqtt-draft.md}).
 *
 * <p>Thread-safe: one lock serialises start and stop. Stopping takes about 4 s.
 */
public final class OwnHiveMq implements AutoCloseable {

  /** Messages HiveMQ queues per offline client (or shared subscription) before it discards: 1000 by default. */
  public static final long QUEUE_LIMIT = 1_000_000;

  private static final Duration LIMIT = Duration.ofMinutes(1);

  private final int port;
  private final Path dir;
  private final Object lock = new Object();
  private @Nullable EmbeddedHiveMQ broker; // guarded by lock

  private OwnHiveMq(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /** Starts a broker with file persistence in a new folder {@code target/hivemq/<name>-<nanos>}. */
  public static OwnHiveMq start(String name) throws IOException {
    Path dir = Path.of("target", "hivemq", name + "-" + System.nanoTime()).toAbsolutePath();
    Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(dir.resolve("extensions"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Files.writeString(dir.resolve("conf").resolve("config.xml"), """
        <?xml version="1.0"?>
        <hivemq>
            <listeners>
                <tcp-listener>
                    <port>%d</port>
                    <bind-address>127.0.0.1</bind-address>
                </tcp-listener>
            </listeners>
            <mqtt>
                <queued-messages>
                    <max-queue-size>%d</max-queue-size>
                </queued-messages>
            </mqtt>
            <persistence>
                <mode>file</mode>
            </persistence>
            <anonymous-usage-statistics>
                <enabled>false</enabled>
            </anonymous-usage-statistics>
        </hivemq>
        """.formatted(port, QUEUE_LIMIT));
    OwnHiveMq own = new OwnHiveMq(port, dir);
    own.restart();
    return own;
  }

  /** The port it listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Its address for an MQTT server: {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** A server for MQTT 5 on this broker with short test sessions (ten minutes). */
  public ServerConfig server(String name) {
    return ServerConfig.of(name, "mqtt", address())
        .withBindings(new Bindings(Map.of("mqtt", Map.of("sessionExpiryInterval", MqttBroker.TEST_SESSION_EXPIRY))));
  }

  /**
   * {@link #server(String)} with the server binding's {@code clientId}: the publishing client's id and the base of
   * the group sessions' ids, so that buses of one base resume one another's group sessions and no others.
   */
  public ServerConfig server(String name, String clientId) {
    return ServerConfig.of(name, "mqtt", address())
        .withBindings(new Bindings(Map.of("mqtt", Map.of("sessionExpiryInterval", MqttBroker.TEST_SESSION_EXPIRY,
            "clientId", clientId))));
  }

  /**
   * Starts the stopped broker again with the same configuration and data folder; returns once it accepts
   * connections. Restarting a running broker does nothing.
   */
  public void restart() {
    synchronized (lock) {
      if (broker != null) {
        return;
      }
      // No logging bootstrap: HiveMQ would reconfigure the test JVM's logging; SLF4J's provider here is the tests'.
      EmbeddedHiveMQ started = EmbeddedHiveMQ.builder()
          .withConfigurationFolder(dir.resolve("conf"))
          .withDataFolder(dir.resolve("data"))
          .withExtensionsFolder(dir.resolve("extensions"))
          .withoutLoggingBootstrap()
          .build();
      try {
        started.start().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closeQuietly(started);
        throw new IllegalStateException("interrupted while HiveMQ started", e);
      } catch (ExecutionException | TimeoutException e) {
        closeQuietly(started);
        throw new IllegalStateException("HiveMQ did not start on port " + port + " (folder " + dir + ")", e);
      }
      broker = started;
    }
    Brokers.awaitPort("127.0.0.1", port, true, LIMIT);
  }

  /** Stops the broker (its data stays) and returns once its port refuses connections. Stopping twice does nothing. */
  public void stop() {
    EmbeddedHiveMQ running;
    synchronized (lock) {
      running = broker;
      broker = null;
      if (running == null) {
        return;
      }
      try {
        running.stop().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("HiveMQ did not stop within " + LIMIT, e);
      } finally {
        closeQuietly(running);
      }
    }
    Brokers.awaitPort("127.0.0.1", port, false, LIMIT);
  }

  /** Stops the broker for good; its folder stays. */
  @Override
  public void close() {
    stop();
  }

  private static void closeQuietly(EmbeddedHiveMQ hiveMq) {
    try {
      hiveMq.close();
    } catch (ExecutionException e) {
      // already stopped or failed to start: nothing more to release
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For messages: the folder with its configuration and data. */
  @Override
  public String toString() {
    return "HiveMQ CE on " + address() + " (" + dir + ")";
  }
}
