package dev.omnibus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.EventBus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bus built on Kafka from an AsyncAPI document refuses wrong Kafka bindings when it is built, every problem at once
 * with its document path: the loader hands the bindings on as written and the Kafka binding checks them. Needs no
 * broker: the Kafka clients connect on first use.
 */
class KafkaBindingsBusTest {

  @TempDir
  Path folder;

  private Path document(String top, String serverBindings, String channelBindings, String operationBindings)
      throws IOException {
    Path file = folder.resolve("asyncapi.yaml");
    Files.writeString(file, """
        asyncapi: 3.0.0
        info: {title: Orders, version: '1'}
        %s
        servers:
          local:
            host: 'localhost:1'
            protocol: kafka
            bindings: %s
        channels:
          orders:
            address: orders
            bindings: %s
        operations:
          consume:
            action: receive
            channel: {$ref: '#/channels/orders'}
            bindings: %s
        """.formatted(top, serverBindings, channelBindings, operationBindings));
    return file;
  }

  private static ConfigurationException refused(EventBus.Builder builder) {
    return catchThrowableOfType(ConfigurationException.class, () -> builder.build().close());
  }

  @Test
  void wrong_channel_and_operation_bindings_are_refused_together_when_the_bus_is_built() throws IOException {
    Path file = document("", "{}", "{kafka: {partitions: 0, replicas: many}}",
        "{kafka: {groupId: {type: string, enum: [a, b]}}}");
    assertThat(refused(EventBus.builder().asyncApi(file)).problems()).extracting(Problem::path)
        .containsExactlyInAnyOrder("channels.orders.bindings.kafka.partitions",
            "channels.orders.bindings.kafka.replicas", "operations.consume.bindings.kafka.groupId.enum");
  }

  @Test
  void a_wrong_server_binding_is_refused_when_the_transport_opens() throws IOException {
    Path file = document("", "{kafka: {schemaRegistryVendor: confluent}}", "{}", "{}");
    assertThat(refused(EventBus.builder().asyncApi(file)).problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("servers.local.bindings.kafka.schemaRegistryVendor");
      assertThat(problem.message()).contains("add the registry's URL");
    });
  }

  @Test
  void an_unknown_binding_field_does_not_stop_the_bus_by_default() throws IOException {
    Path file = document("", "{}", "{kafka: {topic: orders-v1, hello: 1}}", "{}");
    try (EventBus bus = EventBus.builder().asyncApi(file).build()) {
      assertThat(bus.capabilities("orders")).isNotNull();
    }
  }

  @Test
  void the_builders_strict_bindings_refuse_an_unknown_binding_field() throws IOException {
    Path file = document("", "{}", "{kafka: {topic: orders-v1, hello: 1}}", "{}");
    assertThat(refused(EventBus.builder().asyncApi(file).strictBindings(true)).problems())
        .extracting(Problem::path).containsExactly("channels.orders.bindings.kafka.hello");
  }

  @Test
  void the_documents_strict_bindings_refuse_an_unknown_binding_field() throws IOException {
    Path file = document("x-omnibus-strict-bindings: true", "{}", "{}", "{kafka: {clientId: c, topic: orders}}");
    assertThat(refused(EventBus.builder().asyncApi(file)).problems())
        .extracting(Problem::path).containsExactly("operations.consume.bindings.kafka.topic");
  }
}
