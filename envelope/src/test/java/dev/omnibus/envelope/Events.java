package dev.omnibus.envelope;

import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;

/** Events for the codec tests. */
final class Events {

  private Events() {}

  /** A valid event with the required attributes only. */
  static CloudEventBuilder minimal() {
    return CloudEventBuilder.v1()
        .withId("A234-1234-1234")
        .withSource(URI.create("/orders-service"))
        .withType("com.example.orders.paid.v1");
  }
}
