package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The files of {@code spec/}: the CloudEvents JSON Schema (its required attributes, minimum lengths and examples) and
 * the CloudEvents AsyncAPI trait for Kafka binary mode (the headers the Kafka convention writes and reads).
 */
class SpecFilesTest {

  @BeforeAll
  static void corpus() {
    Corpus.dir();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode schema() throws IOException {
    return JSON.readTree(TestData.bytes("spec/cloudevents.schema.json"));
  }

  private static ObjectNode minimalEvent() {
    ObjectNode event = JSON.createObjectNode();
    event.put("specversion", "1.0").put("id", "1").put("source", "/s").put("type", "t");
    return event;
  }

  static List<String> requiredAttributes() throws IOException {
    List<String> required = new ArrayList<>();
    schema().get("required").forEach(n -> required.add(n.asText()));
    return required;
  }

  /** Each example value the schema gives for an attribute. */
  static List<Arguments> schemaExamples() throws IOException {
    List<Arguments> examples = new ArrayList<>();
    schema().get("properties").fields().forEachRemaining(property -> {
      JsonNode values = property.getValue().get("examples");
      if (values != null) {
        values.forEach(v -> examples.add(Arguments.of(property.getKey(), v)));
      }
    });
    return examples;
  }

  @Test
  void theSchemaRequiresTheFourAttributesTheCodecRequires() throws IOException {
    assertThat(requiredAttributes()).containsExactlyInAnyOrder("id", "source", "specversion", "type");
  }

  @ParameterizedTest(name = "without {0}")
  @MethodSource("requiredAttributes")
  void anEventWithoutARequiredAttributeIsRefused(String attribute) {
    ObjectNode event = minimalEvent();
    event.remove(attribute);
    assertThatThrownBy(() -> TestData.decodeStructured(JSON.writeValueAsBytes(event)))
        .isInstanceOfSatisfying(MalformedEventException.class,
            e -> assertThat(e.violations()).anySatisfy(v -> assertThat(v).contains(attribute)));
  }

  @ParameterizedTest(name = "empty {0}")
  @MethodSource("requiredAttributes")
  void anEventWithAnEmptyRequiredAttributeIsRefused(String attribute) {
    ObjectNode event = minimalEvent();
    event.put(attribute, "");
    assertThatThrownBy(() -> TestData.decodeStructured(JSON.writeValueAsBytes(event)))
        .isInstanceOf(MalformedEventException.class);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("schemaExamples")
  void eachExampleValueOfTheSchemaIsAccepted(String attribute, JsonNode example) throws IOException {
    ObjectNode event = minimalEvent();
    event.set(attribute, example);
    CloudEvent decoded = TestData.decodeStructured(JSON.writeValueAsBytes(event));
    switch (attribute) {
      // without datacontenttype, data is a JSON value (here a JSON string): the data is that JSON text
      case "data" -> assertThat(JSON.readTree(decoded.getData().toBytes())).isEqualTo(example);
      case "data_base64" -> assertThat(decoded.getData().toBytes()).isEqualTo(example.binaryValue());
      default -> assertThat(TestData.canonicalAttributes(decoded)).containsEntry(attribute, example.asText());
    }
  }

  private static JsonNode kafkaTrait() throws IOException {
    return new YAMLMapper().readTree(TestData.bytes("spec/asyncapi-trait-cloudevents-headers-kafka-binary.yaml"))
        .get("headers");
  }

  @Test
  void theKafkaConventionWritesEveryRequiredHeaderOfTheAsyncApiTraitAndOnlyHeadersItDeclares() throws IOException {
    JsonNode trait = kafkaTrait();
    Map<String, String> examples = new HashMap<>();
    trait.get("properties").fields().forEachRemaining(p -> examples.put(p.getKey(), p.getValue().has("examples")
        ? p.getValue().get("examples").get(0).asText() : p.getValue().get("enum").get(0).asText()));
    Map<String, String> headers = new HashMap<>(examples);
    String contentType = headers.remove("content-type");

    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    WireMessage written = codec.encode(codec.decode(new WireMessage(headers, contentType, new byte[0], null)),
        Mode.BINARY);

    List<String> required = new ArrayList<>();
    trait.get("required").forEach(n -> required.add(n.asText()));
    assertThat(written.headers()).containsKeys(required.toArray(String[]::new));
    assertThat(examples).containsAllEntriesOf(written.headers());
    assertThat(written.contentType()).isEqualTo(contentType);
  }

  @Test
  void theTraitsSpecversionEnumIsTheOnlyVersionAccepted() throws IOException {
    assertThat(kafkaTrait().get("properties").get("ce_specversion").get("enum"))
        .extracting(JsonNode::asText).containsExactly("1.0");
  }
}
