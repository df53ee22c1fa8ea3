package dev.omnibus.examples.boot;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The same service on the machine's RabbitMQ: only omnibus.server changes. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "omnibus.server=rabbitmq")
class OrdersRabbitMqTest extends OrdersServiceContract {

  @Override
  String expectedProtocol() {
    return "amqp";
  }
}
