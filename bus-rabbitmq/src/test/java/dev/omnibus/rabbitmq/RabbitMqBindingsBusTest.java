package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.EventBus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bus built on RabbitMQ from an AsyncAPI document refuses wrong AMQP bindings when it is built, every problem at
 * once with its document path: the loader hands the bindings on as written and the RabbitMQ binding checks them.
 */
class RabbitMqBindingsBusTest {

  @TempDir
  Path folder;

  @BeforeEach
  void brokerIsThere() {
    RabbitMqBroker.assumeReachable();
  }

  /** The AsyncAPI rpc example's shape: a 2.6 channel whose send operation has an AMQP binding. */
  private EventBus.Builder bus(String top, String channelBindings, String operationBindings) throws IOException {
    Path file = folder.resolve("asyncapi.yaml");
    Files.writeString(file, """
        asyncapi: 2.6.0
        info: {title: rpc, version: '1'}
        %s
        channels:
          rpc_queue:
            bindings: %s
            subscribe:
              bindings: %s
              message:
                payload: {type: string}
        """.formatted(top, channelBindings, operationBindings));
    return EventBus.builder().asyncApi(file).server(RabbitMqBroker.server("rpc"))
        .channel("rpc_queue", RabbitMqBroker.unique("rpc_queue"));
  }

  private static ConfigurationException refused(EventBus.Builder builder) {
    return catchThrowableOfType(ConfigurationException.class, () -> builder.build().close());
  }

  @Test
  void wrong_channel_and_operation_bindings_are_refused_together_when_the_bus_is_built() throws IOException {
    ConfigurationException e = refused(bus("", "{amqp: {is: queue, exchange: {name: x}}}",
        "{amqp: {deliveryMode: 3, expiration: -1}}"));
    assertThat(e.problems()).extracting(Problem::path).containsExactlyInAnyOrder(
        "channels.rpc_queue.bindings.amqp.exchange", "channels.rpc_queue.subscribe.bindings.amqp.deliveryMode",
        "channels.rpc_queue.subscribe.bindings.amqp.expiration");
    assertThat(e.getMessage()).contains("must be 1 (transient) or 2 (persistent)");
  }

  @Test
  void a_reply_to_of_binding_0_3_0_does_not_stop_the_bus_by_default() throws Exception {
    try (EventBus bus = bus("", "{}", "{amqp: {priority: 5, replyTo: replies, bindingVersion: 0.3.0}}").build()) {
      assertThat(bus.capabilities("rpc_queue")).isNotNull();
    }
  }

  @Test
  void the_documents_strict_bindings_refuse_a_reply_to_of_binding_0_3_0() throws IOException {
    assertThat(refused(bus("x-omnibus-strict-bindings: true", "{}",
        "{amqp: {priority: 5, replyTo: replies, bindingVersion: 0.3.0}}")).problems())
        .extracting(Problem::path).containsExactly("channels.rpc_queue.subscribe.bindings.amqp.replyTo");
  }

  @Test
  void the_builders_strict_bindings_refuse_a_reply_to_of_binding_0_3_0() throws IOException {
    assertThat(refused(bus("", "{}", "{amqp: {replyTo: replies, bindingVersion: 0.3.0}}").strictBindings(true))
        .problems()).extracting(Problem::path)
        .containsExactly("channels.rpc_queue.subscribe.bindings.amqp.replyTo");
  }
}
