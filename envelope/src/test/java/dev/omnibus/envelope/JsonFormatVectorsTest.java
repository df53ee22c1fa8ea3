package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector of {@code json-format-vectors.json}, positive and negative. Each key of a vector's {@code expect} is
 * checked by the clause of the same name below; a vector with a key no clause knows fails, so a new kind of
 * expectation cannot be skipped silently.
 */
class JsonFormatVectorsTest {

  @BeforeAll
  static void corpus() {
    Corpus.dir();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final EnvelopeCodec KAFKA = EnvelopeCodec.of(HeaderConvention.KAFKA);
  private static final EnvelopeCodec MEMORY = EnvelopeCodec.of(HeaderConvention.MEMORY);
  private static final EnvelopeCodec AMQP = EnvelopeCodec.of(HeaderConvention.AMQP);

  /** Expectation keys that only describe the vector ("note", "reason"), checked through the vector's other keys. */
  private static final Set<String> DESCRIPTIVE = Set.of("note", "reason");

  static List<Arguments> vectors() throws IOException {
    JsonNode root = JSON.readTree(TestData.bytes("json-format-vectors.json"));
    assertThat(root.isArray()).isTrue();
    List<Arguments> vectors = new ArrayList<>();
    for (JsonNode vector : root) {
      vectors.add(Arguments.of(vector.get("name").asText(), vector));
    }
    return vectors;
  }

  @Test
  void theFileHoldsTheVectorsItsReadmeAnnounces() throws IOException {
    assertThat(vectors()).hasSize(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void eachVectorHasItsExpectedOutcome(String name, JsonNode vector) {
    JsonNode json = vector.get("json");
    JsonNode expect = vector.get("expect");
    assertThat(vector.get("source").asText()).as("every vector names its source").isNotBlank();
    List<String> unchecked = new ArrayList<>();
    expect.fieldNames().forEachRemaining(unchecked::add);
    unchecked.removeAll(DESCRIPTIVE);

    if (json.isNull()) {
      checkApiOnlyVector(name, unchecked);
    } else if (json.isArray()) {
      checkBatch(json, expect, unchecked);
    } else if (!expect.get("valid").asBoolean()) {
      unchecked.remove("valid");
      assertThatThrownBy(() -> TestData.decodeStructured(bytes(json)))
          .isExactlyInstanceOf(MalformedEventException.class);
    } else {
      unchecked.remove("valid");
      checkValid(json, expect, unchecked);
    }
    assertThat(unchecked).as("expectations of vector %s that no clause of this test checks", name).isEmpty();
  }

  /** {@code neg-extension-named-data-like}: "setting extension 'data' via API must fail". */
  private static void checkApiOnlyVector(String name, List<String> unchecked) {
    if (!name.equals("neg-extension-named-data-like")) {
      fail("Vector " + name + " has no JSON and no expectation in this test");
    }
    CloudEvent event;
    try {
      event = CloudEventBuilder.v1().withId("1").withSource(URI.create("/s")).withType("t")
          .withExtension("data", "x").build();
    } catch (RuntimeException refusedByTheSdk) {
      return; // the SDK's builder refusing it is the outcome the vector asks for
    }
    CloudEvent built = event;
    assertThatThrownBy(() -> KAFKA.encode(built, Mode.BINARY)).isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("'data'");
    assertThatThrownBy(() -> KAFKA.encode(built, Mode.STRUCTURED)).isInstanceOf(MalformedEventException.class);
    assertThat(CloudEventValidator.violations(built)).isNotEmpty();
  }

  private static void checkBatch(JsonNode json, JsonNode expect, List<String> unchecked) {
    assertThat(expect.get("valid").asBoolean()).isTrue();
    assertThat(EnvelopeCodec.decodeBatch(bytes(json))).hasSize(json.size());
    unchecked.remove("valid");
    String mediaType = expect.get("media_type").asText();
    // "Kafka/MQTT/AMQP bindings do not support batch mode": a message announcing a batch is refused, with the reason.
    assertThatThrownBy(() -> KAFKA.decode(new WireMessage(Map.of(), mediaType, bytes(json), null)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("batch");
    unchecked.remove("media_type");
  }

  private static void checkValid(JsonNode json, JsonNode expect, List<String> unchecked) {
    CloudEvent event = TestData.decodeStructured(bytes(json));
    for (Iterator<String> it = unchecked.iterator(); it.hasNext(); ) {
      String key = it.next();
      JsonNode value = expect.get(key);
      switch (key) {
        case "data_kind" -> {
          // non-JSON content type: data is the text itself, and is written back as a JSON string
          assertThat(TestData.dataText(event)).isEqualTo(json.get("data").asText());
          JsonNode written = tree(KAFKA.encode(event, Mode.STRUCTURED).body());
          assertThat(written.get("data")).isEqualTo(json.get("data"));
        }
        case "extensions" -> value.fields().forEachRemaining(e -> {
          Object expected = e.getValue().isInt() ? (Object) e.getValue().intValue() : e.getValue().asText();
          assertThat(event.getExtension(e.getKey())).as(e.getKey()).isEqualTo(expected);
        });
        case "unset_attributes" -> value.forEach(n -> {
          assertThat(event.getAttributeNames()).doesNotContain(n.asText());
          assertThat(event.getExtensionNames()).doesNotContain(n.asText());
        });
        case "http_binary" -> checkHttpBinary(event, value);
        case "data_json" -> assertThat(tree(event.getData().toBytes())).isEqualTo(value);
        case "binary_body_utf8" -> assertThat(utf8(KAFKA.encode(event, Mode.BINARY).body()))
            .isEqualTo(value.asText());
        case "implied_datacontenttype" -> {
          assertThat(event.getDataContentType()).isNull();
          assertThat(KAFKA.encode(event, Mode.BINARY).contentType()).isEqualTo(value.asText());
        }
        case "when_rebound_to_binary" -> {
          WireMessage binary = KAFKA.encode(event, Mode.BINARY);
          assertThat(binary.contentType()).isEqualTo(value.get("content-type").isNull()
              ? null : value.get("content-type").asText());
          assertThat(utf8(binary.body())).isEqualTo(value.get("body_utf8").asText());
          assertThat(binary.headers()).doesNotContainKey("ce_datacontenttype");
        }
        case "data_bytes_utf8" -> assertThat(TestData.dataText(event)).isEqualTo(value.asText());
        case "no_content_type_inferred" -> assertThat(event.getDataContentType()).isNull();
        case "warning" -> {
          assertThat(CloudEventValidator.violations(event)).isEmpty();
          assertThat(CloudEventValidator.warnings(event)).singleElement().asString().contains("20");
        }
        case "equals" -> assertThat(event).isEqualTo(TestData.decodeStructured(bytes(value)));
        case "time_instant" -> assertThat(event.getTime().toInstant()).isEqualTo(Instant.parse(value.asText()));
        default -> {
          continue; // left in `unchecked`: the test fails naming it
        }
      }
      it.remove();
    }
    if (!expect.has("warning")) {
      assertThat(CloudEventValidator.warnings(event)).isEmpty();
    }
    if (json.has("binary")) {
      // binary-extension-as-base64-string: typed reading as Binary yields E0 FF 00 44 AA
      assertThat(Base64.getDecoder().decode((String) event.getExtension("binary")))
          .containsExactly(0xE0, 0xFF, 0x00, 0x44, 0xAA);
    }
  }

  /** The HTTP binary-mode equivalent, read through AMQP (which reads {@code ce-}) and written through memory. */
  private static void checkHttpBinary(CloudEvent event, JsonNode httpBinary) {
    Map<String, String> ceHeaders = new HashMap<>();
    Map<String, String> unprefixed = new HashMap<>();
    String contentType = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = httpBinary.get("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> header = it.next();
      if (header.getKey().equalsIgnoreCase("content-type")) {
        contentType = header.getValue().asText();
      } else {
        ceHeaders.put(header.getKey(), header.getValue().asText());
        unprefixed.put(header.getKey().substring("ce-".length()), header.getValue().asText());
      }
    }
    byte[] body = httpBinary.get("body_utf8").asText().getBytes(StandardCharsets.UTF_8);

    WireMessage written = MEMORY.encode(event, Mode.BINARY);
    assertThat(written.headers()).isEqualTo(unprefixed);
    assertThat(written.contentType()).isEqualTo(contentType);
    assertThat(written.body()).isEqualTo(body);

    CloudEvent read = AMQP.decode(new WireMessage(ceHeaders, contentType, body, null));
    assertThat(TestData.canonicalAttributes(read)).isEqualTo(TestData.canonicalAttributes(event));
    assertThat(read.getData().toBytes()).isEqualTo(event.getData().toBytes());
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return JSON.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode tree(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
