package dev.omnibus.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The MQTT binding reads its own AsyncAPI bindings from the raw objects the document reader hands on: each field
 * checked against its binding version (the MQTT 5 fields exist from 0.2.0), each problem named by its document path.
 */
class MqttBindingsTest {

  private static final String SERVER = "servers.edge.bindings";
  private static final String CHANNEL = "channels.lights.bindings";
  private static final String OPERATION = "operations.turnOn.bindings";

  private static final ServerConfig LENIENT = ServerConfig.of("edge", "mqtt", "localhost");
  private static final ServerConfig STRICT = LENIENT.withOption(ServerConfig.STRICT_BINDINGS, "true");

  private static Destination destination(Map<String, Object> channel, Map<String, Object> operation) {
    return new Destination("lights", "lights", Mode.BINARY,
        channel.isEmpty() ? Bindings.none() : new Bindings(Map.of("mqtt", channel), CHANNEL),
        operation.isEmpty() ? Bindings.none() : new Bindings(Map.of("mqtt", operation), OPERATION), Map.of());
  }

  private static List<Problem> problems(ServerConfig server, Map<String, Object> channel,
      Map<String, Object> operation) {
    return catchThrowableOfType(ConfigurationException.class,
        () -> MqttBindings.of(server).check(destination(channel, operation))).problems();
  }

  private static ServerConfig withServerBinding(ServerConfig server, Map<String, Object> binding) {
    return server.withBindings(new Bindings(Map.of("mqtt", binding), SERVER));
  }

  @Test
  void the_operation_binding_gives_qos_retain_and_message_expiry() {
    assertThat(MqttBindings.of(LENIENT).operation(destination(Map.of(), Map.of("qos", 2, "retain", true,
        "messageExpiryInterval", 60)))).isEqualTo(new MqttOperationBinding(2, true, 60L, null));
  }

  @Test
  void a_qos_outside_0_to_2_is_a_problem_at_its_path() {
    assertThat(problems(LENIENT, Map.of(), Map.of("qos", 3))).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo(OPERATION + ".mqtt.qos");
      assertThat(problem.message()).contains("between 0 and 2");
    });
  }

  @Test
  void mqtt_5_fields_do_not_exist_in_binding_0_1_0() {
    assertThat(problems(STRICT, Map.of(), Map.of("messageExpiryInterval", 60, "bindingVersion", "0.1.0")))
        .extracting(Problem::path).containsExactly(OPERATION + ".mqtt.messageExpiryInterval");
  }

  @Test
  void the_channel_binding_must_be_empty_in_strict_mode() {
    assertThat(problems(STRICT, Map.of("qos", 1), Map.of())).extracting(Problem::path)
        .containsExactly(CHANNEL + ".mqtt.qos");
  }

  @Test
  void a_misplaced_field_is_only_a_warning_by_default() {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      MqttBindings.of(LENIENT).check(destination(Map.of("qos", 1), Map.of()));
    } finally {
      System.setErr(originalErr);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("WARN", CHANNEL + ".mqtt.qos",
        "the MQTT channel binding 0.2.0 (which must be empty)");
  }

  @Test
  void the_server_binding_gives_the_session_and_the_last_will() {
    List<Problem> problems = new ArrayList<>();
    MqttServerBinding binding = MqttBindings.server(withServerBinding(LENIENT, Map.of("clientId", "orders",
        "cleanSession", false, "keepAlive", 30, "lastWill", Map.of("topic", "gone", "qos", 1),
        "sessionExpiryInterval", Map.of("type", "integer", "const", 600))), problems);
    assertThat(problems).isEmpty();
    assertThat(binding).isEqualTo(new MqttServerBinding("orders", false,
        new MqttServerBinding.LastWill("gone", 1, null, false), 30, 600L, null, null));
  }

  @Test
  void wrong_server_binding_fields_are_problems_at_their_paths() {
    List<Problem> problems = new ArrayList<>();
    MqttBindings.server(withServerBinding(LENIENT, Map.of("cleanSession", "no", "keepAlive", 70_000,
        "lastWill", Map.of("qos", 1))), problems);
    assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder(SERVER + ".mqtt.cleanSession",
        SERVER + ".mqtt.keepAlive", SERVER + ".mqtt.lastWill.topic");
  }

  @Test
  void server_binding_problems_reach_the_settings_with_the_others() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> MqttSettings.from(
        withServerBinding(LENIENT.withProtocolVersion("6"), Map.of("keepAlive", -1))));
    assertThat(e.problems()).extracting(Problem::path)
        .contains(SERVER + ".mqtt.keepAlive", "servers.edge.protocolVersion");
  }
}
