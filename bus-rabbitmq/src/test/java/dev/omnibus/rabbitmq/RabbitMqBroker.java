package dev.omnibus.rabbitmq;

import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's real RabbitMQ for tests: {@code OMNIBUS_RABBITMQ_HOST} / {@code _PORT} / {@code _USERNAME} /
 * {@code _PASSWORD}, defaulting to 127.0.0.1:5672 guest/guest. Unreachable: the test fails with {@code CI=true}, else
 * it is skipped. Remembers the queues and exchanges a test names, and deletes them in {@link #cleanUp()}.
 */
public final class RabbitMqBroker implements AutoCloseable {

  static final String HOST = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(env("OMNIBUS_RABBITMQ_PORT", "5672"));
  static final String USERNAME = env("OMNIBUS_RABBITMQ_USERNAME", "guest");
  static final String PASSWORD = env("OMNIBUS_RABBITMQ_PASSWORD", "guest");

  private final List<String> queues = new ArrayList<>();
  private final List<String> exchanges = new ArrayList<>();
  private Connection connection;

  /** Checks that the broker is reachable: fails under CI, skips elsewhere. */
  public static void assumeReachable() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, PORT), 2_000);
    } catch (IOException e) {
      String message = "RabbitMQ is not reachable at " + HOST + ":" + PORT + " (" + e.getMessage() + ")";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "; CI=true requires it");
      }
      Assumptions.abort(message + "; set OMNIBUS_RABBITMQ_HOST/_PORT or start rabbitmq-server");
    }
  }

  /** A server of protocol amqp pointing at the test broker, with its credentials. */
  public static ServerConfig server(String name) {
    return ServerConfig.of(name, "amqp", HOST + ":" + PORT).withCredentials(Credentials.of(USERNAME, PASSWORD));
  }

  /** A name no other test run used. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A plain amqp-client connection, not through Omnibus. */
  synchronized Connection plain() throws IOException, TimeoutException {
    if (connection == null || !connection.isOpen()) {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setHost(HOST);
      factory.setPort(PORT);
      factory.setUsername(USERNAME);
      factory.setPassword(PASSWORD);
      connection = factory.newConnection("omnibus-test-plain");
    }
    return connection;
  }

  /** Remembers a queue to delete afterwards, and returns its name. */
  String queue(String name) {
    queues.add(name);
    return name;
  }

  /** Remembers an exchange to delete afterwards, and returns its name. */
  String exchange(String name) {
    exchanges.add(name);
    return name;
  }

  /** Whether a queue exists, checked with a passive declare on a throwaway channel. */
  boolean queueExists(String name) throws IOException, TimeoutException {
    try (Channel channel = plain().createChannel()) {
      channel.queueDeclarePassive(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether an exchange exists. */
  boolean exchangeExists(String name) throws IOException, TimeoutException {
    try (Channel channel = plain().createChannel()) {
      channel.exchangeDeclarePassive(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The number of ready messages in a queue. */
  long messageCount(String queue) throws IOException, TimeoutException {
    try (Channel channel = plain().createChannel()) {
      return channel.queueDeclarePassive(queue).getMessageCount();
    }
  }

  /** The number of consumers of a queue. */
  int consumerCount(String queue) throws IOException, TimeoutException {
    try (Channel channel = plain().createChannel()) {
      return channel.queueDeclarePassive(queue).getConsumerCount();
    }
  }

  /** Takes one message from a queue (auto-ack), or null. */
  GetResponse get(String queue) throws IOException, TimeoutException {
    try (Channel channel = plain().createChannel()) {
      return channel.basicGet(queue, true);
    }
  }

  /** Declares a durable queue with the plain client. */
  void declareQueue(String name) throws IOException, TimeoutException {
    try (Channel channel = plain().createChannel()) {
      channel.queueDeclare(queue(name), true, false, false, Map.of());
    }
  }

  /** Deletes what the test named. */
  void cleanUp() throws IOException, TimeoutException {
    try (Channel channel = plain().createChannel()) {
      for (String queue : queues) {
        channel.queueDelete(queue);
      }
      for (String exchange : exchanges) {
        channel.exchangeDelete(exchange);
      }
    }
    queues.clear();
    exchanges.clear();
  }

  @Override
  public void close() throws IOException, TimeoutException {
    cleanUp();
    if (connection != null && connection.isOpen()) {
      connection.close();
    }
  }

  private static String env(String name, String defaultValue) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
