package dev.omnibus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The tracing on the RabbitMQ binding, against the machine's broker; and, with plain amqp-client, that a foreign
 * consumer reads the context from the {@code cloudEvents_traceparent} header.
 */
class RabbitMqTracingTest extends TracingContract {

  @Override
  TestBroker broker() {
    return TestBroker.rabbitMq();
  }

  @Test
  void aForeignAmqpConsumerReadsTheContextFromTheCloudEventsTraceparentHeader() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(System.getenv().getOrDefault("OMNIBUS_RABBITMQ_HOST", "127.0.0.1"));
    factory.setPort(Integer.parseInt(System.getenv().getOrDefault("OMNIBUS_RABBITMQ_PORT", "5672")));
    factory.setUsername(System.getenv().getOrDefault("OMNIBUS_RABBITMQ_USERNAME", "guest"));
    factory.setPassword(System.getenv().getOrDefault("OMNIBUS_RABBITMQ_PASSWORD", "guest"));
    try (Connection connection = factory.newConnection("omnibus-test-foreign");
        Channel channel = connection.createChannel()) {
      // The bus publishes to the durable topic exchange 'omnibus' with the address as routing key (bus-rabbitmq).
      channel.exchangeDeclare("omnibus", "topic", true);
      String queue = channel.queueDeclare().getQueue();
      channel.queueBind(queue, "omnibus", orders);
      join(traced().publish(PLACED, new Order("o-1", 10)));
      String expected = traceparent(awaitSpan(named("send orders")));
      GetResponse message = Awaitility.await().atMost(WAIT).until(() -> channel.basicGet(queue, true),
          response -> response != null);
      assertThat(message.getProps().getHeaders().get("cloudEvents_traceparent")).hasToString(expected);
    }
  }
}
