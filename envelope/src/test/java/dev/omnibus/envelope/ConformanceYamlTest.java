package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cloudevents/conformance YAML events ({@code conformance/yaml_*.yaml}), each round-tripped in binary and in
 * structured mode through every header convention.
 */
class ConformanceYamlTest {

  @BeforeAll
  static void corpus() {
    Corpus.dir();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<HeaderConvention> CONVENTIONS =
      List.of(HeaderConvention.KAFKA, HeaderConvention.AMQP, HeaderConvention.MQTT, HeaderConvention.MEMORY);

  /** One YAML document: the event it describes, and the transport headers it says travel beside it. */
  record YamlEvent(String label, CloudEvent event, Map<String, String> transportHeaders) {
    @Override
    public String toString() {
      return label;
    }
  }

  static List<YamlEvent> events(String file, UnaryOperator<String> extensionValue) throws IOException {
    List<YamlEvent> events = new ArrayList<>();
    try (var documents = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(TestData.bytes(file))) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        JsonNode attributes = document.get("ContextAttributes");
        CloudEventBuilder builder = CloudEventBuilder.v1()
            .withId(attributes.get("id").asText())
            .withType(attributes.get("type").asText())
            .withSource(URI.create(attributes.get("source").asText()));
        assertThat(attributes.get("specversion").asText()).isEqualTo("1.0");
        if (attributes.has("datacontenttype")) {
          builder.withDataContentType(attributes.get("datacontenttype").asText());
        }
        if (attributes.has("time")) {
          builder.withTime(OffsetDateTime.parse(attributes.get("time").asText()));
        }
        if (attributes.has("Extensions")) {
          attributes.get("Extensions").fields().forEachRemaining(
              e -> builder.withExtension(e.getKey(), extensionValue.apply(e.getValue().asText())));
        }
        if (document.has("Data")) {
          builder.withData(document.get("Data").asText().getBytes(StandardCharsets.UTF_8));
        }
        Map<String, String> transport = new HashMap<>();
        if (document.has("TransportExtensions")) {
          document.get("TransportExtensions").fields().forEachRemaining(
              e -> transport.put(e.getKey(), e.getValue().asText()));
        }
        String mode = document.has("Mode") ? " (" + document.get("Mode").asText() + ")" : "";
        events.add(new YamlEvent(file + " " + attributes.get("id").asText() + mode, builder.build(), transport));
      }
    }
    return events;
  }

  /**
   * The events with their extension values as the spec allows them: yaml_v1.yaml's {@code comexampleextension2} is a
   * {@code |} block scalar, so YAML keeps its trailing line feed, a control character that a CloudEvents String must
   * not hold; it is taken without it here (and refused with it, below).
   */
  static List<YamlEvent> validEvents() throws IOException {
    List<YamlEvent> events = new ArrayList<>();
    for (String file : TestData.filesUnder("conformance")) {
      if (file.endsWith(".yaml")) {
        events.addAll(events(file, String::stripTrailing));
      }
    }
    return events;
  }

  static List<Arguments> eventsAndConventions() throws IOException {
    List<Arguments> arguments = new ArrayList<>();
    for (YamlEvent event : validEvents()) {
      for (HeaderConvention convention : CONVENTIONS) {
        arguments.add(Arguments.of(event, convention));
      }
    }
    return arguments;
  }

  @Test
  void bothYamlFilesGiveTheirEvents() throws IOException {
    assertThat(validEvents()).extracting(YamlEvent::label).containsExactly(
        "conformance/yaml_v1.0_v1_minimum.yaml conformance-0001",
        "conformance/yaml_v1.0_v1_minimum.yaml conformance-0002",
        "conformance/yaml_v1.0_v1_minimum.yaml conformance-0003",
        "conformance/yaml_v1.0_v1_minimum.yaml conformance-0004",
        "conformance/yaml_v1.0_v1_minimum.yaml conformance-0005",
        "conformance/yaml_v1.0_v1_minimum.yaml conformance-0006",
        "conformance/yaml_v1.yaml 4321-4321-4321 (binary)",
        "conformance/yaml_v1.yaml 4321-4321-4321 (structured)");
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("eventsAndConventions")
  void eachEventRoundTripsInBinaryModeIgnoringTransportHeaders(YamlEvent yaml, HeaderConvention convention) {
    EnvelopeCodec codec = EnvelopeCodec.of(convention);
    WireMessage written = codec.encode(yaml.event(), Mode.BINARY);
    Map<String, String> headers = new HashMap<>(written.headers());
    if (!convention.writePrefix().isEmpty()) {
      // e.g. user-agent: not an attribute beside prefixed headers. Where attributes are unprefixed (MQTT user
      // properties), every header is an attribute, and such a name makes the message malformed (HeaderConventionTest).
      headers.putAll(yaml.transportHeaders());
    }
    CloudEvent read = codec.decode(new WireMessage(headers, written.contentType(), written.body(), written.key()));

    assertThat(TestData.canonicalAttributes(read)).isEqualTo(TestData.canonicalAttributes(yaml.event()));
    assertThat(read.getData().toBytes()).isEqualTo(yaml.event().getData().toBytes());
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("eventsAndConventions")
  void eachEventRoundTripsInStructuredMode(YamlEvent yaml, HeaderConvention convention) throws IOException {
    EnvelopeCodec codec = EnvelopeCodec.of(convention);
    WireMessage written = codec.encode(yaml.event(), Mode.STRUCTURED);
    assertThat(written.headers()).isEmpty();
    CloudEvent read = codec.decode(written);

    assertThat(TestData.canonicalAttributes(read)).isEqualTo(TestData.canonicalAttributes(yaml.event()));
    byte[] sent = yaml.event().getData().toBytes();
    String contentType = read.getDataContentType();
    if (contentType != null && contentType.startsWith("application/json")) {
      // a JSON value travels as the JSON value itself; insignificant whitespace around it is not kept.
      // Bytes without a content type travel as data_base64 (json-format.md §3.1.1), exactly.
      assertThat(JSON.readTree(read.getData().toBytes())).isEqualTo(JSON.readTree(sent));
    } else {
      assertThat(read.getData().toBytes()).isEqualTo(sent);
    }
  }

  @Test
  void theLiteralYamlExtensionValueWithItsTrailingLineFeedIsRefusedAsAControlCharacter() throws IOException {
    YamlEvent literal = events("conformance/yaml_v1.yaml", UnaryOperator.identity()).get(0);
    assertThat((String) literal.event().getExtension("comexampleextension2")).endsWith("\n");

    assertThatThrownBy(() -> EnvelopeCodec.of(HeaderConvention.KAFKA).encode(literal.event(), Mode.BINARY))
        .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
            .containsExactly("comexampleextension2 contains the control character U+000A"));
  }
}
