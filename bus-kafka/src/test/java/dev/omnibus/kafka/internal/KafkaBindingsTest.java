package dev.omnibus.kafka.internal;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Kafka binding reads its own AsyncAPI bindings from the raw objects the document reader hands on: each field
 * checked against its binding version, each problem named by its document path.
 */
class KafkaBindingsTest {

  private static final String CHANNEL = "channels.orders.bindings";
  private static final String OPERATION = "operations.consume.bindings";

  private static final ServerConfig LENIENT = ServerConfig.of("local", "kafka", "localhost:9092");
  private static final ServerConfig STRICT = LENIENT.withOption(ServerConfig.STRICT_BINDINGS, "true");

  private static Destination destination(Map<String, Object> channel, Map<String, Object> operation) {
    return new Destination("orders", "orders", Mode.BINARY,
        channel.isEmpty() ? Bindings.none() : new Bindings(Map.of("kafka", channel), CHANNEL),
        operation.isEmpty() ? Bindings.none() : new Bindings(Map.of("kafka", operation), OPERATION), Map.of());
  }

  private static List<Problem> problems(ServerConfig server, Map<String, Object> channel,
      Map<String, Object> operation) {
    return catchThrowableOfType(ConfigurationException.class,
        () -> KafkaBindings.of(server).check(destination(channel, operation))).problems();
  }

  private static String loggedWhile(Runnable action) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(originalErr);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void a_channel_binding_gives_topic_partitions_replicas_and_topic_configuration() {
    KafkaChannelBinding binding = KafkaBindings.of(LENIENT).channel(destination(Map.of("topic", "orders-v1",
        "partitions", 6, "replicas", 3, "topicConfiguration", Map.of("cleanup.policy", List.of("delete", "compact"),
            "retention.ms", 604_800_000L, "segment.bytes", 1024)), Map.of()));
    assertThat(binding).isEqualTo(new KafkaChannelBinding("orders-v1", 6, 3,
        Map.of("cleanup.policy", "delete,compact", "retention.ms", "604800000", "segment.bytes", "1024"), null));
  }

  @Test
  void group_and_client_ids_are_taken_from_const_or_a_single_enum() {
    KafkaOperationBinding binding = KafkaBindings.of(LENIENT).operation(destination(Map.of(),
        Map.of("groupId", Map.of("type", "string", "const", "billing"),
            "clientId", Map.of("type", "string", "enum", List.of("billing-1")), "bindingVersion", "0.4.0")));
    assertThat(binding).isEqualTo(new KafkaOperationBinding("billing", "billing-1", "0.4.0"));
  }

  @Test
  void a_group_id_schema_with_several_values_is_a_problem_at_its_path() {
    assertThat(problems(LENIENT, Map.of(), Map.of("groupId", Map.of("type", "string", "enum", List.of("a", "b")))))
        .extracting(Problem::path).containsExactly(OPERATION + ".kafka.groupId.enum");
  }

  @Test
  void a_group_id_that_is_no_schema_is_a_problem_at_its_path() {
    assertThat(problems(LENIENT, Map.of(), Map.of("groupId", Map.of("prop", 1)))).singleElement()
        .satisfies(problem -> {
          assertThat(problem.path()).isEqualTo(OPERATION + ".kafka.groupId");
          assertThat(problem.message()).contains("must be a schema such as {type: string, const: my-groupId}");
        });
  }

  @Test
  void wrong_types_and_ranges_of_channel_fields_are_problems_even_when_lenient() {
    assertThat(problems(LENIENT, Map.of("topic", 7, "partitions", 0, "replicas", "three",
        "topicConfiguration", Map.of("cleanup.policy", List.of("delete", "shred"), "retention.ms", -2)), Map.of()))
        .extracting(Problem::path).containsExactlyInAnyOrder(CHANNEL + ".kafka.topic", CHANNEL + ".kafka.partitions",
            CHANNEL + ".kafka.replicas", CHANNEL + ".kafka.topicConfiguration.cleanup.policy",
            CHANNEL + ".kafka.topicConfiguration.retention.ms");
  }

  @Test
  void problems_of_the_channel_and_the_operation_are_reported_together() {
    assertThat(problems(LENIENT, Map.of("partitions", -1), Map.of("bindingVersion", 5)))
        .extracting(Problem::path)
        .containsExactly(CHANNEL + ".kafka.partitions", OPERATION + ".kafka.bindingVersion");
  }

  @Test
  void topic_configuration_exists_from_binding_0_4_0_and_is_refused_before_in_strict_mode() {
    assertThat(problems(STRICT, Map.of("topicConfiguration", Map.of("retention.ms", 1), "bindingVersion", "0.3.0"),
        Map.of())).extracting(Problem::path).containsExactly(CHANNEL + ".kafka.topicConfiguration");
  }

  @Test
  void in_strict_mode_unknown_fields_and_versions_are_problems_but_x_extensions_are_not() {
    assertThat(problems(STRICT, Map.of("topic", "t", "hello", 1, "x-note", "fine"),
        Map.of("bindingVersion", "9.9.9"))).extracting(Problem::path)
        .containsExactly(CHANNEL + ".kafka.hello", OPERATION + ".kafka.bindingVersion");
  }

  @Test
  void a_misplaced_field_is_a_warning_naming_its_path_when_lenient() {
    KafkaBindings bindings = KafkaBindings.of(LENIENT);
    Destination destination = destination(Map.of(), Map.of("topic", "orders", "clientId", "billing-1"));
    String log = loggedWhile(() -> bindings.check(destination));
    assertThat(log).contains("WARN", OPERATION + ".kafka.topic", "is not a field of the Kafka operation binding 0.5.0",
        "x-omnibus-strict-bindings");
    assertThat(bindings.operation(destination).clientId()).isEqualTo("billing-1");
  }

  @Test
  void a_misplaced_field_is_a_problem_in_strict_mode() {
    assertThat(problems(STRICT, Map.of(), Map.of("topic", "orders"))).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo(OPERATION + ".kafka.topic");
      assertThat(problem.message()).contains("remove it, or prefix it with 'x-'");
    });
  }

  @Test
  void a_binding_given_in_code_must_be_a_map_of_its_fields() {
    Destination destination = new Destination("orders", "orders", Mode.BINARY,
        new Bindings(Map.of("kafka", "orders-v1")), Bindings.none(), Map.of());
    assertThat(catchThrowableOfType(ConfigurationException.class,
        () -> KafkaBindings.of(LENIENT).check(destination)).problems()).singleElement().satisfies(problem -> {
          assertThat(problem.path()).isEqualTo("kafka");
          assertThat(problem.message()).contains("must be an object", "a string");
        });
  }

  @Test
  void a_server_binding_naming_a_vendor_without_a_registry_is_a_problem() {
    ServerConfig server = LENIENT.withBindings(new Bindings(Map.of("kafka", Map.of("schemaRegistryVendor",
        "confluent")), "servers.local.bindings"));
    assertThat(catchThrowableOfType(ConfigurationException.class, () -> KafkaBindings.of(server).server(server))
        .problems()).extracting(Problem::path)
        .containsExactly("servers.local.bindings.kafka.schemaRegistryVendor");
  }

  @Test
  void a_server_binding_with_a_registry_is_read() {
    ServerConfig server = LENIENT.withBindings(new Bindings(Map.of("kafka", Map.of("schemaRegistryUrl",
        "https://registry.example.com", "schemaRegistryVendor", "confluent")), "servers.local.bindings"));
    assertThat(KafkaBindings.of(server).server(server))
        .isEqualTo(new KafkaServerBinding("https://registry.example.com", "confluent", null));
  }
}
