package dev.omnibus.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.Brokers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The machine's real RabbitMQ for tests: {@code OMNIBUS_RABBITMQ_HOST} / {@code _PORT} / {@code _USERNAME} /
 * {@code _PASSWORD}, defaulting to 127.0.0.1:5672 guest/guest. Unreachable: the test is skipped, or fails with
 * {@code CI=true} (the rule of {@link Brokers}). Remembers the queues and exchanges a test names, and deletes them in {@link #cleanUp()}.
 */
public final class RabbitMqBroker implements AutoCloseable {

  static final String HOST = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(env("OMNIBUS_RABBITMQ_PORT", "5672"));
  static final String USERNAME = env("OMNIBUS_RABBITMQ_USERNAME", "guest");
  static final String PASSWORD = env("OMNIBUS_RABBITMQ_PASSWORD", "guest");

  private final List<String> queues = new ArrayList<>();
  private final List<String> exchanges = new ArrayList<>();
  private Connection connection;

  /** What to do when the broker is not reachable. */
  public static final String REMEDY = "Install and start it: " + Brokers.INSTALL + " && sudo service rabbitmq-server start"
      + " (or point OMNIBUS_RABBITMQ_HOST/_PORT at one)";

  /** Checks that the broker is reachable: skips the test with how to start it, fails it with {@code CI=true}. */
  public static void assumeReachable() {
    Brokers.assumeReachable("RabbitMQ", HOST, PORT, REMEDY);
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

  /** Deletes what the test named; nothing to connect for when it named nothing (a test skipped without broker). */
  void cleanUp() throws IOException, TimeoutException {
    if (queues.isEmpty() && exchanges.isEmpty()) {
      return;
    }
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
