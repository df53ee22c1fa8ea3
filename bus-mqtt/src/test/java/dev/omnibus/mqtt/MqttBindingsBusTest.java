package dev.omnibus.mqtt;

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
 * A bus built on MQTT from an AsyncAPI document refuses wrong MQTT bindings, every problem at once with its document
 * path: server bindings when the transport opens, channel and operation bindings when the bus is built. The loader
 * hands the bindings on as written and the MQTT binding checks them.
 */
class MqttBindingsBusTest {

  @TempDir
  Path folder;

  @BeforeEach
  void brokerIsThere() {
    MqttBroker.assumeReachable();
  }

  private EventBus.Builder bus(String top, String serverBindings, String channelBindings, String operationBindings)
      throws IOException {
    Path file = folder.resolve("asyncapi.yaml");
    Files.writeString(file, """
        asyncapi: 3.0.0
        info: {title: Lights, version: '1'}
        %s
        servers:
          edge:
            host: '%s:%d'
            protocol: mqtt
            bindings: %s
        channels:
          lights:
            address: %s
            bindings: %s
        operations:
          turnOn:
            action: send
            channel: {$ref: '#/channels/lights'}
            bindings: %s
        """.formatted(top, MqttBroker.HOST, MqttBroker.PORT, serverBindings, MqttBroker.uniqueTopic("lights"),
        channelBindings, operationBindings));
    return EventBus.builder().asyncApi(file);
  }

  private static ConfigurationException refused(EventBus.Builder builder) {
    return catchThrowableOfType(ConfigurationException.class, () -> builder.build().close());
  }

  @Test
  void a_wrong_server_binding_is_refused_when_the_transport_opens() throws IOException {
    assertThat(refused(bus("", "{mqtt: {keepAlive: -1, lastWill: {qos: 1}}}", "{}", "{}")).problems())
        .extracting(Problem::path).containsExactlyInAnyOrder("servers.edge.bindings.mqtt.keepAlive",
            "servers.edge.bindings.mqtt.lastWill.topic");
  }

  @Test
  void a_wrong_operation_binding_is_refused_when_the_bus_is_built() throws IOException {
    assertThat(refused(bus("", "{}", "{}", "{mqtt: {qos: 3, retain: sometimes}}")).problems())
        .extracting(Problem::path).containsExactlyInAnyOrder("operations.turnOn.bindings.mqtt.qos",
            "operations.turnOn.bindings.mqtt.retain");
  }

  @Test
  void a_field_in_the_reserved_channel_binding_is_only_a_warning_by_default() throws Exception {
    try (EventBus bus = bus("", "{}", "{mqtt: {qos: 1}}", "{mqtt: {qos: 1}}").build()) {
      assertThat(bus.capabilities("lights")).isNotNull();
    }
  }

  @Test
  void the_documents_strict_bindings_refuse_a_field_in_the_reserved_channel_binding() throws IOException {
    assertThat(refused(bus("x-omnibus-strict-bindings: true", "{}", "{mqtt: {qos: 1}}", "{}")).problems())
        .extracting(Problem::path).containsExactly("channels.lights.bindings.mqtt.qos");
  }
}
