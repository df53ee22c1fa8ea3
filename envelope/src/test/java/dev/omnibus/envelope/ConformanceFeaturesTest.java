package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cloudevents/conformance Gherkin scenarios, read from the feature files (not retyped): the Kafka binding through
 * {@link HeaderConvention#KAFKA}; the HTTP binding's {@code ce-} headers through the conventions that read {@code ce-}
 * (AMQP, for knative's RabbitMQ binding and Spring, and MQTT, for sdk-go).
 */
class ConformanceFeaturesTest {

  @BeforeAll
  static void corpus() {
    Corpus.dir();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One scenario (one row of its Examples), as the feature file gives it. */
  record Scenario(String name, String given, Map<String, String> headers, Map<String, String> attributes,
      String data) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Scenario> kafkaScenarios() {
    return Feature.parse(TestData.text("conformance/features_kafka-protocol-binding.feature"));
  }

  static List<Arguments> httpScenarios() {
    List<Arguments> arguments = new ArrayList<>();
    for (Scenario scenario : Feature.parse(TestData.text("conformance/features_http-protocol-binding.feature"))) {
      arguments.add(Arguments.of(HeaderConvention.AMQP, scenario));
      arguments.add(Arguments.of(HeaderConvention.MQTT, scenario));
    }
    return arguments;
  }

  @Test
  void theKafkaFeatureHasOneBinaryAndTwoStructuredScenarios() {
    assertThat(kafkaScenarios()).extracting(Scenario::name).containsExactly(
        "Binary content mode",
        "Structured content mode (application/cloudevents+json)",
        "Structured content mode (application/cloudevents+json; charset=utf-8)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kafkaScenarios")
  void aKafkaRecordDecodesToTheScenariosAttributesAndData(Scenario scenario) throws IOException {
    Map<String, String> headers = new HashMap<>(scenario.headers());
    String contentType = headers.remove("content-type"); // the binding's record header becomes the content type
    WireMessage record = new WireMessage(headers, contentType, scenario.given().getBytes(StandardCharsets.UTF_8), null);

    CloudEvent event = EnvelopeCodec.of(HeaderConvention.KAFKA).decode(record);

    assertThat(TestData.canonicalAttributes(event)).isEqualTo(scenario.attributes());
    assertThat(JSON.readTree(event.getData().toBytes())).isEqualTo(JSON.readTree(scenario.data()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kafkaScenarios")
  void theDecodedKafkaEventIsWrittenBackAsTheSameRecordInBinaryMode(Scenario scenario) throws IOException {
    Map<String, String> headers = new HashMap<>(scenario.headers());
    String contentType = headers.remove("content-type");
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    CloudEvent event = codec.decode(
        new WireMessage(headers, contentType, scenario.given().getBytes(StandardCharsets.UTF_8), null));

    WireMessage written = codec.encode(event, Mode.BINARY);

    Map<String, String> expectedHeaders = new HashMap<>();
    scenario.attributes().forEach((name, value) -> {
      if (!name.equals("datacontenttype")) {
        expectedHeaders.put("ce_" + name, value);
      }
    });
    assertThat(written.headers()).isEqualTo(expectedHeaders);
    assertThat(written.contentType()).isEqualTo(scenario.attributes().get("datacontenttype"));
    assertThat(JSON.readTree(written.body())).isEqualTo(JSON.readTree(scenario.data()));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("httpScenarios")
  void anHttpStyleMessageWithCeDashHeadersDecodesToTheScenariosAttributesAndData(
      HeaderConvention convention, Scenario scenario) throws IOException {
    WireMessage message = HttpRequest.parse(scenario.given());

    CloudEvent event = EnvelopeCodec.of(convention).decode(message);

    assertThat(TestData.canonicalAttributes(event)).isEqualTo(scenario.attributes());
    assertThat(JSON.readTree(event.getData().toBytes())).isEqualTo(JSON.readTree(scenario.data()));
  }

  /** The HTTP request of a scenario as a message: {@code Content-Type} the content type, other headers as headers. */
  static final class HttpRequest {
    static WireMessage parse(String request) {
      String[] lines = request.split("\n", -1);
      Map<String, String> headers = new LinkedHashMap<>();
      String contentType = null;
      int i = 1; // line 0 is the request line
      for (; i < lines.length && !lines[i].isBlank(); i++) {
        int colon = lines[i].indexOf(':');
        String name = lines[i].substring(0, colon).trim();
        String value = lines[i].substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Type")) {
          contentType = value;
        } else {
          headers.put(name, value); // Host and Content-Length stay: they are not attributes and must be ignored
        }
      }
      String body = String.join("\n", java.util.Arrays.copyOfRange(lines, Math.min(i + 1, lines.length),
          lines.length));
      return new WireMessage(headers, contentType, body.getBytes(StandardCharsets.UTF_8), null);
    }
  }

  /**
   * Just enough Gherkin for these files: scenarios and scenario outlines, doc strings and tables attached to the step
   * before them, Examples rows substituted into {@code <placeholders>}.
   */
  static final class Feature {
    static List<Scenario> parse(String text) {
      List<Scenario> scenarios = new ArrayList<>();
      String[] lines = text.split("\r?\n");
      int i = 0;
      while (i < lines.length) {
        String line = lines[i].trim();
        if (!line.startsWith("Scenario")) {
          i++;
          continue;
        }
        String title = line.substring(line.indexOf(':') + 1).trim();
        Map<String, String> docStrings = new LinkedHashMap<>();
        Map<String, List<List<String>>> tables = new LinkedHashMap<>();
        String step = null;
        i++;
        while (i < lines.length && !lines[i].trim().startsWith("Scenario")) {
          String current = lines[i].trim();
          if (current.startsWith("\"\"\"")) {
            int indent = lines[i].indexOf("\"\"\"");
            StringBuilder doc = new StringBuilder();
            for (i++; !lines[i].trim().startsWith("\"\"\""); i++) {
              String content = lines[i];
              doc.append(content.length() >= indent && content.substring(0, indent).isBlank()
                  ? content.substring(indent) : content.trim()).append('\n');
            }
            docStrings.put(step, doc.toString().stripTrailing());
          } else if (current.startsWith("|")) {
            List<String> cells = new ArrayList<>();
            for (String cell : current.substring(1, current.length() - 1).split("\\|", -1)) {
              cells.add(cell.trim());
            }
            tables.computeIfAbsent(step, k -> new ArrayList<>()).add(cells);
          } else if (!current.isEmpty()) {
            step = current;
          }
          i++;
        }
        List<List<String>> examples = tables.getOrDefault("Examples:", List.of());
        List<Map<String, String>> rows = new ArrayList<>();
        if (examples.isEmpty()) {
          rows.add(Map.of());
        } else {
          for (List<String> row : examples.subList(1, examples.size())) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int c = 0; c < row.size(); c++) {
              values.put(examples.get(0).get(c), row.get(c));
            }
            rows.add(values);
          }
        }
        for (Map<String, String> row : rows) {
          scenarios.add(new Scenario(
              substitute(title, row),
              substitute(docString(docStrings, "Given "), row),
              keyValues(tables, "headers:", row),
              keyValues(tables, "Then the attributes are:", row),
              substitute(docString(docStrings, "the data is equal to"), row)));
        }
      }
      return scenarios;
    }

    private static String docString(Map<String, String> docStrings, String stepStart) {
      return docStrings.entrySet().stream()
          .filter(e -> e.getKey() != null && (e.getKey().startsWith(stepStart) || e.getKey().contains(stepStart)))
          .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no doc string " + stepStart));
    }

    private static Map<String, String> keyValues(
        Map<String, List<List<String>>> tables, String stepPart, Map<String, String> row) {
      Map<String, String> values = new LinkedHashMap<>();
      tables.forEach((step, table) -> {
        if (step != null && step.contains(stepPart)) {
          assertThat(table.get(0)).containsExactly("key", "value");
          for (List<String> cells : table.subList(1, table.size())) {
            values.put(cells.get(0), substitute(cells.get(1), row));
          }
        }
      });
      return values;
    }

    private static String substitute(String text, Map<String, String> row) {
      String result = text;
      for (Map.Entry<String, String> value : row.entrySet()) {
        result = result.replace("<" + value.getKey() + ">", value.getValue());
      }
      return result;
    }
  }
}
