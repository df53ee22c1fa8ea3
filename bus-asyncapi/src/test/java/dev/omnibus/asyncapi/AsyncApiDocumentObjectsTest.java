package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The objects as written, for tools such as the documentation page, and the options of each direction. */
class AsyncApiDocumentObjectsTest {

  private static final AsyncApiDocument DOCUMENT = AsyncApiDocument.parse("""
      asyncapi: 3.0.0
      info: {title: Orders, version: '1', description: All about orders.}
      servers:
        local: {host: orders, protocol: memory, description: In the JVM.}
      channels:
        orders:
          address: orders.{region}
          description: Order events.
          parameters:
            region: {enum: [eu, us], description: Where.}
          messages:
            placed: {$ref: '#/components/messages/placed'}
          x-omnibus-retry-max-attempts: 3
          x-omnibus-retry-jitter: 0
      operations:
        consume:
          action: receive
          channel: {$ref: '#/channels/orders'}
          description: Billing reads them.
          x-omnibus-retry-max-attempts: 7
        publish:
          action: send
          channel: {$ref: '#/channels/orders'}
          x-omnibus-mode: structured
      components:
        messages:
          placed:
            summary: An order was placed.
            traits: [{$ref: '#/components/messageTraits/common'}]
            payload: {type: object}
            examples:
              - payload: {orderId: o-1}
        messageTraits:
          common:
            description: From the trait.
      """, "orders.yaml");

  @Test
  void objectsAreFoundByTheirDocumentPath() {
    assertThat(DOCUMENT.object("").orElseThrow().path("info").path("description").asText())
        .isEqualTo("All about orders.");
    assertThat(DOCUMENT.object("servers.local").orElseThrow().path("description").asText()).isEqualTo("In the JVM.");
    assertThat(DOCUMENT.object("channels.orders").orElseThrow().path("description").asText())
        .isEqualTo("Order events.");
    assertThat(DOCUMENT.object("channels.orders.parameters.region").orElseThrow().path("description").asText())
        .isEqualTo("Where.");
    assertThat(DOCUMENT.object("operations.consume").orElseThrow().path("description").asText())
        .isEqualTo("Billing reads them.");
    assertThat(DOCUMENT.object("channels.orders.messages.placed")).get()
        .satisfies(message -> {
          assertThat(message.path("description").asText()).isEqualTo("From the trait.");
          assertThat(message.path("examples").get(0).path("payload").path("orderId").asText()).isEqualTo("o-1");
        });
    assertThat(DOCUMENT.object("channels.nothing")).isEmpty();
  }

  @Test
  void aDirectionsOptionsAreItsOperationsBeforeItsChannels() {
    assertThat(DOCUMENT.options("orders", AsyncApiOperation.Action.RECEIVE))
        .isEqualTo(Map.of("retry-max-attempts", "7", "retry-jitter", "0"));
    assertThat(DOCUMENT.options("orders", AsyncApiOperation.Action.SEND))
        .isEqualTo(Map.of("mode", "structured", "retry-max-attempts", "3", "retry-jitter", "0"));
    assertThat(DOCUMENT.options("nothing", AsyncApiOperation.Action.SEND)).isEmpty();
  }
}
