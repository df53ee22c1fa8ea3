package dev.omnibus.rabbitmq;

import dev.omnibus.EventBus;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.HealthOutageSuite;
import dev.omnibus.tck.OwnRabbitMq;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The RabbitMQ binding against the health kit, on a RabbitMQ node of this class's own (the machine's shared broker is
 * never stopped): the outage is {@code rabbitmqctl stop_app}, the recovery {@code start_app}. The group's queue is
 * durable and its messages persistent, so nothing confirmed is lost across the outage.
 */
class RabbitMqHealthTest extends HealthOutageSuite {

  private static @Nullable OwnRabbitMq broker;

  @BeforeAll
  static void startNode() throws Exception {
    broker = OwnRabbitMq.start("health");
  }

  @AfterAll
  static void stopNode() {
    if (broker != null) {
      broker.close();
    }
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("health", "amqp", broker().address())
        .withCredentials(Credentials.of("guest", "guest")));
  }

  @Override
  protected String binding() {
    return "rabbitmq";
  }

  @Override
  protected void stopBroker() {
    broker().stopApp();
  }

  @Override
  protected void startBroker() {
    broker().startApp();
  }

  private static OwnRabbitMq broker() {
    return java.util.Objects.requireNonNull(broker, "the node starts before the tests");
  }
}
