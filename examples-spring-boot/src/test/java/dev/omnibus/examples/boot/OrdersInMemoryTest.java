package dev.omnibus.examples.boot;

import dev.omnibus.spring.boot.OmnibusTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The service on an in-memory broker of its own: the starter's test annotation, no broker needed. */
@OmnibusTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OrdersInMemoryTest extends OrdersServiceContract {

  @Override
  String expectedProtocol() {
    return "memory";
  }
}
