package dev.omnibus.outbox;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.omnibus.EventBus;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.Brokers;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbox scenarios on the machine's RabbitMQ (127.0.0.1:5672 guest/guest, or {@code OMNIBUS_RABBITMQ_*}). */
class RabbitMqOutboxScenariosTest extends OutboxScenarios {

  static final String HOST = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(env("OMNIBUS_RABBITMQ_PORT", "5672"));
  private static final String USERNAME = env("OMNIBUS_RABBITMQ_USERNAME", "guest");
  private static final String PASSWORD = env("OMNIBUS_RABBITMQ_PASSWORD", "guest");

  @BeforeAll
  static void brokerIsThere() {
    Brokers.assumeReachable("RabbitMQ", HOST, PORT);
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("outbox", "amqp", HOST + ":" + PORT)
        .withCredentials(Credentials.of(USERNAME, PASSWORD)));
  }

  @Test
  void aRelayProcessKilledMidFlushLosesNothing() throws Exception {
    relayProcessKilledMidFlush("amqp", HOST + ":" + PORT);
  }

  @Override
  protected String binding() {
    return "rabbitmq";
  }

  /** The scenario's queues: the group's and its dead letters' (the address is unique per run). */
  @Override
  protected void cleanUp() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(HOST);
    factory.setPort(PORT);
    factory.setUsername(USERNAME);
    factory.setPassword(PASSWORD);
    try (Connection connection = factory.newConnection()) {
      for (String queue : new String[] {address + ".billing", address + ".billing.dlq"}) {
        try (Channel channel = connection.createChannel()) {
          channel.queueDelete(queue);
        } catch (IOException e) {
          // not declared by this scenario
        }
      }
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
