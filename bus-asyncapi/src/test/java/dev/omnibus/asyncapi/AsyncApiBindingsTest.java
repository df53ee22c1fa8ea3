package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.ConfigurationReader;
import dev.omnibus.ValidationMode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader hands every binding object on as written (plain Java values) with the document path of its
 * {@code bindings}, for the broker binding to parse: it knows no protocol's grammar, only that bindings are an object
 * keyed by protocol. The document's {@code x-omnibus-strict-bindings: true} reaches the bindings as the server option
 * {@code strict-bindings}. (Each protocol's grammar is tested in its binding module.)
 */
class AsyncApiBindingsTest {

  private static final String SERVER = """
      servers:
        local: {host: 'localhost:9092', protocol: kafka, bindings: {kafka: {schemaRegistryUrl: 'http://r'}}}
      """;

  private static String document(String top, String channelBindings, String operationBindings) {
    return """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        %s
        %s
        channels:
          orders:
            address: orders
            bindings: %s
            messages:
              paid:
                payload: {type: string}
                bindings: {kafka: {key: {type: string}}}
        operations:
          send:
            action: send
            channel: {$ref: '#/channels/orders'}
            bindings: %s
        components:
          channelBindings:
            ordersTopic: {kafka: {topic: orders-v1}}
        """.formatted(top, SERVER, channelBindings, operationBindings);
  }

  private static AsyncApiDocument withBindings(String channelBindings, String operationBindings) {
    return AsyncApiDocument.parse(document("", channelBindings, operationBindings), "bindings.yaml");
  }

  private static List<Problem> problems(String channelBindings, String operationBindings) {
    return catchThrowableOfType(ConfigurationException.class,
        () -> withBindings(channelBindings, operationBindings)).problems();
  }

  @Test
  void channel_bindings_are_handed_on_as_written_with_their_path() {
    Bindings bindings = withBindings("""
        {kafka: {topic: orders-v1, partitions: 6, topicConfiguration: {cleanup.policy: [delete, compact]}}}""", "{}")
        .channels().get("orders").bindings();
    assertThat(bindings.byProtocol()).containsExactly(Map.entry("kafka", Map.of("topic", "orders-v1",
        "partitions", 6, "topicConfiguration", Map.of("cleanup.policy", List.of("delete", "compact")))));
    assertThat(bindings.path()).isEqualTo("channels.orders.bindings");
    assertThat(bindings.pathOf("kafka")).isEqualTo("channels.orders.bindings.kafka");
  }

  @Test
  void operation_server_and_message_bindings_carry_their_own_paths() {
    AsyncApiDocument document = withBindings("{}", "{mqtt: {qos: 1}}");
    assertThat(document.operations().get(0).bindings().pathOf("mqtt")).isEqualTo("operations.send.bindings.mqtt");
    assertThat(document.operations().get(0).bindings().byProtocol()).containsEntry("mqtt", Map.of("qos", 1));
    assertThat(document.serverTemplates().get("local").bindings().path()).isEqualTo("servers.local.bindings");
    Bindings message = document.channels().get("orders").messages().get(0).bindings();
    assertThat(message.path()).isEqualTo("channels.orders.messages.paid.bindings");
    assertThat(message.byProtocol()).containsEntry("kafka", Map.of("key", Map.of("type", "string")));
  }

  @Test
  void a_binding_field_is_not_the_loaders_to_judge() {
    // Before issue 13 the loader refused these; now the Kafka and AMQP bindings do, when a bus is built on them.
    AsyncApiDocument document = withBindings("{kafka: {partitions: many, hello: 1}}",
        "{amqp: {deliveryMode: 3}, futureBroker: {anything: [1, 2]}}");
    assertThat(document.channels().get("orders").bindings().byProtocol().get("kafka"))
        .isEqualTo(Map.of("partitions", "many", "hello", 1));
    assertThat(document.operations().get(0).bindings().byProtocol())
        .containsEntry("futureBroker", Map.of("anything", List.of(1, 2)));
  }

  @Test
  void a_bindings_reference_is_followed() {
    Bindings bindings = withBindings("{$ref: '#/components/channelBindings/ordersTopic'}", "{}")
        .channels().get("orders").bindings();
    assertThat(bindings.byProtocol()).containsExactly(Map.entry("kafka", Map.of("topic", "orders-v1")));
    assertThat(bindings.path()).isEqualTo("channels.orders.bindings");
  }

  @Test
  void a_binding_that_is_not_an_object_is_a_problem_with_its_path() {
    assertThat(problems("{kafka: 3}", "{}")).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("channels.orders.bindings.kafka");
      assertThat(problem.message()).contains("must be an object", "a number");
    });
  }

  @Test
  void bindings_that_are_not_an_object_keyed_by_protocol_are_a_problem() {
    assertThat(problems("[kafka]", "{}")).extracting(Problem::path).containsExactly("channels.orders.bindings");
  }

  @Test
  void extensions_beside_the_protocols_are_not_bindings() {
    assertThat(withBindings("{x-note: hello, kafka: {topic: t}}", "{}").channels().get("orders").bindings()
        .byProtocol()).containsOnlyKeys("kafka");
  }

  @Test
  void the_documents_strict_bindings_reach_the_resolved_server_as_an_option() {
    AsyncApiDocument strict = AsyncApiDocument.parse(document("x-omnibus-strict-bindings: true", "{}", "{}"),
        "strict.yaml");
    assertThat(strict.resolveServer(ServerSelection.documentOnly()).strictBindings()).isTrue();
    assertThat(strict.resolveServer(ServerSelection.documentOnly()).options())
        .containsEntry(ServerConfig.STRICT_BINDINGS, "true");
  }

  @Test
  void without_strict_bindings_the_server_has_no_such_option() {
    ServerConfig server = withBindings("{}", "{}").resolveServer(ServerSelection.documentOnly());
    assertThat(server.strictBindings()).isFalse();
    assertThat(server.options()).doesNotContainKey(ServerConfig.STRICT_BINDINGS);
  }

  @Test
  void the_reader_gives_a_server_from_code_the_documents_strict_bindings(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("strict.yaml");
    Files.writeString(file, document("x-omnibus-strict-bindings: true", "{kafka: {topic: t}}", "{}"));
    ConfigurationReader.Result result = new AsyncApiReader().read(new ConfigurationReader.Request(file,
        ServerConfig.of("code", "kafka", "localhost:9092"), null, Map.of(), Map.of(), name -> null,
        ValidationMode.OFF, List.of()));
    assertThat(result.server().name()).isEqualTo("code");
    assertThat(result.server().strictBindings()).isTrue();
    assertThat(result.channels().get(0).bindings().path()).isEqualTo("channels.orders.bindings");
  }
}
