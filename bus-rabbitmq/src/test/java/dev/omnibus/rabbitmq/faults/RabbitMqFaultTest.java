package dev.omnibus.rabbitmq.faults;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.omnibus.EventBus;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.rabbitmq.TrackingProvider;
import dev.omnibus.tck.Brokers;
import dev.omnibus.tck.FaultSuite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The fault suite on the machine's RabbitMQ (127.0.0.1:5672 guest/guest, or {@code OMNIBUS_RABBITMQ_*}), default
 * topology: the durable topic exchange {@code omnibus}, group queues {@code <address>.<group>}. The broker restart is
 * {@code rabbitmqctl stop_app} / {@code start_app}; malformed messages are plain amqp-client publishes to the
 * exchange with the address as routing key and no CloudEvents headers.
 */
class RabbitMqFaultTest extends FaultSuite {

  private static final String HOST = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
  private static final int PORT = Integer.parseInt(env("OMNIBUS_RABBITMQ_PORT", "5672"));
  private static final String USERNAME = env("OMNIBUS_RABBITMQ_USERNAME", "guest");
  private static final String PASSWORD = env("OMNIBUS_RABBITMQ_PASSWORD", "guest");
  private static final String EXCHANGE = "omnibus";

  /** Remembers the durable queues the suite's buses declared: deleted afterwards, the addresses are unique per run. */
  private static final TrackingProvider PROVIDER = new TrackingProvider();
  private static @Nullable Connection plain;
  private static @Nullable Channel malformedChannel;

  @BeforeAll
  static void brokerIsThere() {
    Brokers.assumeReachable("RabbitMQ", HOST, PORT, "Install and start it: " + Brokers.INSTALL
        + " && sudo service rabbitmq-server start");
  }

  @AfterAll
  static void deleteQueuesAndDisconnect() throws Exception {
    if (PROVIDER.queues().isEmpty() && plain == null) {
      return; // skipped without broker: nothing to delete
    }
    try (Channel channel = plainConnection().createChannel()) {
      for (String queue : PROVIDER.queues()) {
        channel.queueDelete(queue);
      }
    } finally {
      if (plain != null) {
        plain.close();
      }
    }
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(server()).transport(PROVIDER);
  }

  /** The same server; the child's group queue is the test JVM's ({@code <address>.<group>}), deleted by it. */
  @Override
  protected ServerConfig childServer(String instance) {
    return server();
  }

  private static ServerConfig server() {
    return ServerConfig.of("faults", "amqp", HOST + ":" + PORT).withCredentials(Credentials.of(USERNAME, PASSWORD));
  }

  @Override
  protected String binding() {
    return "rabbitmq";
  }

  /** {@code rabbitmqctl stop_app}, then always {@code start_app}, and back once the broker accepts connections. */
  @Override
  protected void restartBroker() throws Exception {
    try {
      Brokers.run(Duration.ofMinutes(2), "rabbitmqctl", "stop_app");
    } finally {
      Brokers.run(Duration.ofMinutes(2), "rabbitmqctl", "start_app");
      Brokers.awaitPort(HOST, PORT, true, Duration.ofMinutes(2));
      Brokers.run(Duration.ofMinutes(2), "rabbitmqctl", "await_startup");
    }
  }

  /**
   * A persistent message with a content type but none of the CloudEvents {@code cloudEvents:*} headers, confirmed by
   * the broker; odd ones claim the structured content type but carry a body that is not JSON.
   */
  @Override
  protected void publishMalformed(String address, int index) throws Exception {
    Channel channel = malformedChannel();
    boolean structured = index % 2 == 1;
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .contentType(structured ? "application/cloudevents+json" : "text/plain")
        .deliveryMode(2)
        .build();
    byte[] body = ((structured ? "{not json " : "not a cloud event ") + index).getBytes(StandardCharsets.UTF_8);
    synchronized (RabbitMqFaultTest.class) {
      channel.basicPublish(EXCHANGE, address, true, properties, body);
      channel.waitForConfirmsOrDie(WAIT.toMillis());
    }
  }

  private static synchronized Channel malformedChannel() throws IOException, java.util.concurrent.TimeoutException {
    if (malformedChannel == null || !malformedChannel.isOpen()) {
      malformedChannel = plainConnection().createChannel();
      malformedChannel.confirmSelect();
    }
    return malformedChannel;
  }

  private static synchronized Connection plainConnection() throws IOException, java.util.concurrent.TimeoutException {
    if (plain == null || !plain.isOpen()) {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setHost(HOST);
      factory.setPort(PORT);
      factory.setUsername(USERNAME);
      factory.setPassword(PASSWORD);
      plain = factory.newConnection("omnibus-faults-plain");
    }
    return plain;
  }

  private static String env(String name, String defaultValue) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
