package dev.omnibus.examples.boot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import dev.omnibus.spring.boot.OmnibusTestKitConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The same service on the machine's RabbitMQ: only omnibus.server changes (and the test kit imported by hand). */
@Import(OmnibusTestKitConfiguration.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "omnibus.server=rabbitmq")
class OrdersRabbitMqTest extends OrdersServiceContract {

  @BeforeAll
  static void rabbitMqIsUp() {
    // As the bindings' tests: without a broker, skip here and fail on CI (CI=true), where .ci/run starts one.
    boolean up;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", 5672), 2000);
      up = true;
    } catch (IOException e) {
      up = false;
    }
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(up, "RabbitMQ is not running on 127.0.0.1:5672");
    }
  }

  @Override
  String expectedProtocol() {
    return "amqp";
  }
}
