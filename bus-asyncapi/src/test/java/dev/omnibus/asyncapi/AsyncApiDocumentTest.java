package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.asyncapi.AsyncApiOperation.Action;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading documents: versions, sources, references, channels, operations and messages. */
class AsyncApiDocumentTest {

  /** A document of the module's own fixtures ({@code src/test/resources/documents}). */
  static Path fixture(String relative) {
    try {
      return Path.of(Objects.requireNonNull(AsyncApiDocumentTest.class.getResource("/documents/" + relative),
          relative).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_1x_document_is_refused_with_a_pointer_to_the_converter() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> AsyncApiDocument.parse("""
        asyncapi: '1.2.0'
        info: {title: Thermostats, version: '1.0.0'}
        baseTopic: thermostats
        topics:
          temperature.measured:
            publish: {payload: {type: object}}
        """, "thermostats-1.2.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("asyncapi");
      assertThat(problem.message()).contains("1.x is not supported", "AsyncAPI converter");
    });
  }

  @Test
  void malformed_yaml_is_a_configuration_exception_naming_the_document() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse("asyncapi: 3.0.0\ninfo: [unclosed\n", "broken.yaml"));
    assertThat(e).isExactlyInstanceOf(ConfigurationException.class);
    assertThat(e.getMessage()).contains("broken.yaml", "not well-formed YAML", "line");
  }

  @Test
  void malformed_json_is_a_configuration_exception_naming_the_document() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse("{\"asyncapi\": \"3.0.0\",", "broken.json"));
    assertThat(e.getMessage()).contains("broken.json", "not well-formed JSON");
  }

  @Test
  void a_missing_file_is_a_configuration_exception(@TempDir Path dir) {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.load(dir.resolve("absent.yaml")));
    assertThat(e.getMessage()).contains("absent.yaml", "does not exist");
  }

  @Test
  void json_documents_load_like_yaml_ones() {
    AsyncApiDocument document = AsyncApiDocument.parse("""
        {"asyncapi": "3.1.0", "info": {"title": "t", "version": "1"},
         "servers": {"mem": {"host": "local", "protocol": "memory"}},
         "channels": {"orders": {"address": "orders"}}}
        """, "doc.json");
    assertThat(document.asyncApiVersion()).isEqualTo("3.1.0");
    assertThat(document.serverNames()).containsExactly("mem");
    assertThat(document.channels()).containsKey("orders");
  }

  @Test
  void sibling_file_references_resolve_relative_to_the_file_that_holds_them_v3() {
    AsyncApiDocument document = AsyncApiDocument.load(fixture("warehouse-v3/service/asyncapi.yaml"));
    assertThat(document.serverNames()).containsExactly("dashboard", "broker");
    AsyncApiChannel changed = document.channels().get("stockChanged");
    assertThat(changed.address()).isEqualTo("stock/{sku}/changed");
    assertThat(changed.parameters()).containsKey("sku");
    AsyncApiMessage message = changed.messages().get(0);
    assertThat(message.name()).isEqualTo("stockChanged");
    // schemas.yaml#/stockChangedPayload refers to '#/sku' inside schemas.yaml itself
    assertThat(message.payload().at("/properties/sku/allOf/0/type").asText()).isEqualTo("string");
    assertThat(document.resolveServer(ServerSelection.documentOnly().withServer("dashboard")).pathname())
        .isEqualTo("/live");
  }

  @Test
  void sibling_file_references_resolve_in_2x_documents_too() {
    AsyncApiDocument document = AsyncApiDocument.load(fixture("warehouse-v2/service/asyncapi.yaml"));
    assertThat(document.resolveServer(ServerSelection.documentOnly().withServer("dashboard")).host())
        .isEqualTo("warehouse.example.com");
    assertThat(document.channels().get("stock/changed").messages()).singleElement()
        .satisfies(message -> assertThat(message.payload().path("properties").has("sku")).isTrue());
  }

  @Test
  void a_channel_limited_to_other_servers_is_reported_as_not_available() {
    AsyncApiDocument document = AsyncApiDocument.load(fixture("warehouse-v3/service/asyncapi.yaml"));
    assertThat(document.channel("stockChanged", "broker").servers()).containsExactly("broker");
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> document.channel("stockChanged", "dashboard"));
    assertThat(e.getMessage()).contains("not available on server 'dashboard'", "broker");
    assertThat(catchThrowableOfType(ConfigurationException.class, () -> document.channel("nope", "broker"))
        .getMessage()).contains("no channel 'nope'", "stockChanged");
  }

  @Test
  void the_2x_publish_and_subscribe_verbs_are_turned_into_the_applications_actions() {
    AsyncApiDocument document = AsyncApiDocument.parse("""
        asyncapi: 2.6.0
        info: {title: Thermostats, version: 1.0.0}
        channels:
          thermostats/temperature:
            publish:
              operationId: recordTemperature
              message: {payload: {type: object}}
          thermostats/calibrate:
            subscribe:
              operationId: requestCalibration
              message: {payload: {type: object}}
        """, "thermostats-2.6.yaml");
    assertThat(document.operations()).extracting(AsyncApiOperation::id, AsyncApiOperation::action).contains(
        org.assertj.core.groups.Tuple.tuple("recordTemperature", Action.RECEIVE), // publish
        org.assertj.core.groups.Tuple.tuple("requestCalibration", Action.SEND)); // subscribe
  }

  @Test
  void v3_operations_point_at_their_channel_and_its_messages_with_traits_applied() {
    AsyncApiDocument document = AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: Thermostats, version: 1.0.0}
        channels:
          temperatureMeasured:
            address: thermostats.{thermostatId}.temperature
            parameters: {thermostatId: {description: The thermostat.}}
            messages:
              temperatureMeasured: {$ref: '#/components/messages/temperatureMeasured'}
        operations:
          receiveTemperature:
            action: receive
            channel: {$ref: '#/channels/temperatureMeasured'}
            traits: [{$ref: '#/components/operationTraits/kafka'}]
            messages: [{$ref: '#/channels/temperatureMeasured/messages/temperatureMeasured'}]
        components:
          messages:
            temperatureMeasured:
              name: temperatureMeasured
              contentType: application/json
              traits: [{$ref: '#/components/messageTraits/siteHeaders'}]
              payload: {$ref: '#/components/schemas/temperature'}
          schemas:
            temperature:
              type: object
              properties:
                celsius: {type: number}
                sentAt: {type: string, format: date-time}
          messageTraits:
            siteHeaders:
              headers:
                type: object
                properties:
                  x-site: {type: integer, minimum: 0}
          operationTraits:
            kafka:
              bindings:
                kafka:
                  clientId: {type: string, enum: [thermostat-reader]}
        """, "thermostats-3.0.yaml");
    AsyncApiOperation receive = document.operations().get(0);
    assertThat(receive.id()).isEqualTo("receiveTemperature");
    assertThat(receive.action()).isEqualTo(Action.RECEIVE);
    assertThat(receive.channelId()).isEqualTo("temperatureMeasured");
    assertThat(receive.bindings().byProtocol().get("kafka"))
        .isEqualTo(Map.of("clientId", Map.of("type", "string", "enum", List.of("thermostat-reader"))));
    AsyncApiMessage message = receive.messages().get(0);
    assertThat(message.name()).isEqualTo("temperatureMeasured");
    assertThat(message.contentType()).isEqualTo("application/json");
    assertThat(message.headers().at("/properties/x-site/type").asText()).isEqualTo("integer");
    assertThat(message.payload().at("/properties/sentAt/format").asText()).isEqualTo("date-time");
    assertThat(message.path()).isEqualTo("channels.temperatureMeasured.messages.temperatureMeasured");
  }

  @Test
  void messages_carry_their_cloud_events_type_schema_format_and_options() {
    AsyncApiDocument document = AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          orders:
            address: orders.{region}
            x-omnibus-mode: structured
            parameters:
              region: {enum: [eu, us], default: eu}
            messages:
              paid:
                headers:
                  type: object
                  properties:
                    ce_type: {type: string, const: com.example.orders.paid.v1}
                payload: {$ref: '#/components/schemas/Paid'}
              refunded:
                x-omnibus-type: com.example.orders.refunded.v1
                headers:
                  properties:
                    ce_type: {enum: [ignored-because-x-omnibus-type-wins]}
                payload:
                  schemaFormat: application/vnd.apache.avro;version=1.9.0
                  schema: {type: record, name: Refunded, fields: []}
          replies: {}
        operations:
          sendPaid:
            action: send
            channel: {$ref: '#/channels/orders'}
            messages: [{$ref: '#/channels/orders/messages/paid'}]
            x-omnibus-retries: 3
        components:
          schemas:
            Paid: {type: object, properties: {orderId: {type: string}}}
        """, "messages.yaml");
    AsyncApiChannel orders = document.channels().get("orders");
    assertThat(orders.options()).containsExactly(Map.entry("mode", "structured"));
    assertThat(orders.addressParameters()).containsExactly("region");
    assertThat(orders.parameters().get("region").enumValues()).containsExactly("eu", "us");
    assertThat(orders.parameters().get("region").defaultValue()).isEqualTo("eu");
    assertThat(orders.messages()).extracting(AsyncApiMessage::name, AsyncApiMessage::cloudEventType).containsExactly(
        org.assertj.core.groups.Tuple.tuple("paid", "com.example.orders.paid.v1"),
        org.assertj.core.groups.Tuple.tuple("refunded", "com.example.orders.refunded.v1"));
    assertThat(orders.messages().get(0).payload().at("/properties/orderId/type").asText()).isEqualTo("string");
    assertThat(orders.messages().get(1).schemaFormat()).isEqualTo("application/vnd.apache.avro;version=1.9.0");
    assertThat(orders.messages().get(1).payload().path("name").asText()).isEqualTo("Refunded");
    assertThat(document.channels().get("replies").addressGivenAtRuntime()).isTrue();
    AsyncApiOperation send = document.operations().get(0);
    assertThat(send.messages()).extracting(AsyncApiMessage::name).containsExactly("paid");
    assertThat(send.options()).containsExactly(Map.entry("retries", "3"));
  }

  @Test
  void every_address_parameter_must_be_declared_in_3x_but_not_in_2x() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          users: {address: 'users/{userId}/signup'}
        """, "params.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("channels.users.parameters");
      assertThat(problem.message()).contains("{userId}");
    });
    AsyncApiDocument v2 = AsyncApiDocument.parse("""
        asyncapi: 2.6.0
        info: {title: t, version: '1'}
        channels:
          users/{userId}/signup: {}
        """, "params2.yaml");
    assertThat(v2.channels().get("users/{userId}/signup").addressParameters()).containsExactly("userId");
  }

  @Test
  void a_reference_cycle_is_reported_not_looped() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          a: {$ref: '#/components/channels/b'}
        components:
          channels:
            b: {$ref: '#/components/channels/c'}
            c: {$ref: '#/components/channels/b'}
        """, "cycle.yaml"));
    assertThat(e.problems()).isNotEmpty().allSatisfy(problem -> assertThat(problem.message()).contains("cycle"));
  }

  @Test
  void a_recursive_schema_keeps_its_inner_reference() {
    AsyncApiDocument document = AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          tree:
            address: tree
            messages:
              node: {payload: {$ref: '#/components/schemas/Node'}}
        components:
          schemas:
            Node: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Node'}}}}
        """, "recursive.yaml");
    AsyncApiMessage node = document.channels().get("tree").messages().get(0);
    assertThat(node.payload().at("/properties/children/items/$ref").asText()).isEqualTo("#/components/schemas/Node");
  }

  @Test
  void broken_references_are_reported_with_their_paths_together() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          prod: {host: 'broker', protocol: kafka, security: [{$ref: '#/components/securitySchemes/missing'}]}
        channels:
          orders:
            address: orders
            messages:
              paid: {payload: {$ref: '#/components/schemas/Nope'}}
        """, "refs.yaml"));
    assertThat(e.problems()).extracting(Problem::path).contains("servers.prod.security[0].$ref",
        "channels.orders.messages.paid.payload.$ref");
  }

  @Test
  void a_document_is_read_from_the_classpath_with_its_sibling_files(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("api/common"));
    Files.writeString(dir.resolve("api/service.yaml"), """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers: {mem: {host: local, protocol: memory}}
        channels:
          orders: {address: orders, messages: {paid: {$ref: 'common/messages.yaml#/paid'}}}
        """);
    Files.writeString(dir.resolve("api/common/messages.yaml"), "paid: {name: OrderPaid}\n");
    ClassLoader original = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      Thread.currentThread().setContextClassLoader(loader);
      AsyncApiDocument document = AsyncApiDocument.fromClasspath("api/service.yaml");
      assertThat(document.origin()).isEqualTo("classpath:api/service.yaml");
      assertThat(document.channels().get("orders").messages()).extracting(AsyncApiMessage::name)
          .containsExactly("OrderPaid");
      assertThat(catchThrowableOfType(ConfigurationException.class,
          () -> AsyncApiDocument.fromClasspath("api/absent.yaml")).getMessage()).contains("no classpath resource");
    } finally {
      Thread.currentThread().setContextClassLoader(original);
    }
  }

  @Test
  void a_document_given_as_text_cannot_follow_file_references_and_says_so() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          orders: {address: orders, messages: {paid: {$ref: 'common.yaml#/paid'}}}
        """, "inline text"));
    assertThat(e.getMessage()).contains("given as text");
  }

  @Test
  void structural_problems_of_the_whole_document_are_reported_together() {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> AsyncApiDocument.parse("""
        asyncapi: 2.6.0
        servers:
          bad name!: {url: x, protocol: kafka}
          noProtocol: {url: 'broker:9092'}
          vars: {url: 'broker:{port}', protocol: kafka, variables: {port: {enum: ['1'], examples: ['2']}}}
        channels:
          orders?x=1: {}
        """, "many.yaml"));
    assertThat(e.problems()).extracting(Problem::path).containsExactlyInAnyOrder("info", "servers.bad name!",
        "servers.noProtocol.protocol", "servers.vars.variables.port.examples", "channels.orders?x=1");
  }

  @Test
  void the_worked_example_of_the_configuration_guide_loads_and_resolves() throws IOException {
    String guide = Files.readString(Path.of("..", "docs", "configuration.md"));
    String example = guide.substring(guide.indexOf("## Worked example"));
    String yaml = example.substring(example.indexOf("```yaml") + 7, example.indexOf("```", example.indexOf("```yaml") + 7));
    AsyncApiDocument document = AsyncApiDocument.parse(yaml, "configuration.md");
    dev.omnibus.spi.ServerConfig production = document.resolveServer(ServerSelection.documentOnly().withEnvironment(
        Map.of("OMNIBUS_SERVER", "production", "OMNIBUS_VAR_CLUSTER", "us", "OMNIBUS_PRODUCTION_USERNAME", "orders",
            "OMNIBUS_PRODUCTION_PASSWORD", "pw")::get));
    assertThat(production.host()).isEqualTo("us.kafka.example.com:9093");
    assertThat(document.channels().get("orderEvents").messages().get(0).cloudEventType())
        .isEqualTo("com.example.orders.paid.v1");
    assertThat(document.operations()).extracting(AsyncApiOperation::action).containsExactly(Action.SEND,
        Action.RECEIVE);
    assertThat(document.resolveServer(ServerSelection.documentOnly().withServer("test")).protocol())
        .isEqualTo("memory");
  }
}
