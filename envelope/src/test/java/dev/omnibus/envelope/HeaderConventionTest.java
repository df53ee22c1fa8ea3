package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The binary-mode header names of each protocol (STANDARDS.md §3–§5, DESIGN.md §3). */
class HeaderConventionTest {

  private static final byte[] BODY = "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8);

  private static CloudEvent event() {
    return Events.minimal().withSubject("o-1").withExtension("traceparent",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .withDataContentType("application/json").withData(BODY).build();
  }

  private static Map<String, String> attributes(String prefix) {
    Map<String, String> headers = new HashMap<>();
    headers.put(prefix + "specversion", "1.0");
    headers.put(prefix + "id", "A234-1234-1234");
    headers.put(prefix + "source", "/orders-service");
    headers.put(prefix + "type", "com.example.orders.paid.v1");
    return headers;
  }

  @Nested
  class Kafka {
    private final EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);

    @Test
    void writesEveryAttributeAsACeUnderscoreHeaderAndTheContentTypeApart() {
      WireMessage message = codec.encode(event(), Mode.BINARY);
      assertThat(message.headers()).containsOnlyKeys(
          "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "ce_traceparent");
      assertThat(message.contentType()).isEqualTo("application/json");
      assertThat(message.body()).isEqualTo(BODY);
    }

    @Test
    void readsCeUnderscoreHeadersAndIgnoresOthers() {
      Map<String, String> headers = attributes("ce_");
      headers.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      CloudEvent event = codec.decode(new WireMessage(headers, "application/json", BODY, null));
      assertThat(event.getId()).isEqualTo("A234-1234-1234");
      assertThat(event.getExtensionNames()).isEmpty();
    }

    @Test
    void doesNotReadAnotherProtocolsPrefix() {
      assertThatThrownBy(() -> codec.decode(new WireMessage(attributes("ce-"), "application/json", BODY, null)))
          .isInstanceOf(MalformedEventException.class).hasMessageContaining("ce_specversion");
    }
  }

  @Nested
  class Amqp {
    private final EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.AMQP);

    @Test
    void writesCloudEventsUnderscoreHeaders() {
      assertThat(codec.encode(event(), Mode.BINARY).headers()).containsOnlyKeys("cloudEvents_specversion",
          "cloudEvents_id", "cloudEvents_source", "cloudEvents_type", "cloudEvents_subject", "cloudEvents_traceparent");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cloudEvents_", "cloudEvents:", "ce-", "ce_"})
    void readsEachPrefixInUse(String prefix) {
      Map<String, String> headers = attributes(prefix);
      headers.put(prefix + "subject", "o-1");
      headers.put("x-death", "ignored");
      CloudEvent event = codec.decode(new WireMessage(headers, "application/json", BODY, null));
      assertThat(event.getSubject()).isEqualTo("o-1");
      assertThat(event.getType()).isEqualTo("com.example.orders.paid.v1");
    }

    @Test
    void refusesAMessageMixingPrefixes() {
      Map<String, String> headers = attributes("cloudEvents_");
      headers.put("cloudEvents:subject", "o-1");
      assertThatThrownBy(() -> codec.decode(new WireMessage(headers, "application/json", BODY, null)))
          .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
              .singleElement().asString().contains("cloudEvents:subject").contains("one prefix"));
    }

    @Test
    void refusesAMessageMixingCeDashAndCeUnderscore() {
      Map<String, String> headers = attributes("ce-");
      headers.put("ce_subject", "o-1");
      assertThatThrownBy(() -> codec.decode(new WireMessage(headers, "application/json", BODY, null)))
          .isInstanceOf(MalformedEventException.class).hasMessageContaining("ce_subject");
    }
  }

  @Nested
  class Mqtt {
    private final EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MQTT);

    @Test
    void writesUserPropertiesNamedAsTheAttributesWithoutPrefix() {
      WireMessage message = codec.encode(event(), Mode.BINARY);
      assertThat(message.headers()).containsOnlyKeys(
          "specversion", "id", "source", "type", "subject", "traceparent");
      assertThat(message.headers().keySet()).noneMatch(name -> name.startsWith("ce-"));
      assertThat(message.contentType()).isEqualTo("application/json");
    }

    @Test
    void readsUnprefixedUserProperties() {
      CloudEvent event = codec.decode(new WireMessage(attributes(""), "application/json", BODY, null));
      assertThat(event.getId()).isEqualTo("A234-1234-1234");
    }

    @Test
    void readsCeDashPrefixedUserPropertiesAsSdkGoWritesThem() {
      CloudEvent event = codec.decode(new WireMessage(attributes("ce-"), "application/json", BODY, null));
      assertThat(event.getId()).isEqualTo("A234-1234-1234");
    }

    @Test
    void refusesAUserPropertyThatIsNotAnAttributeName() {
      Map<String, String> headers = attributes("");
      headers.put("my_ext", "x");
      assertThatThrownBy(() -> codec.decode(new WireMessage(headers, "application/json", BODY, null)))
          .isInstanceOf(MalformedEventException.class).hasMessageContaining("'my_ext'");
    }

    @Test
    void neverLowerCasesAUserPropertyName() {
      Map<String, String> headers = attributes("");
      headers.put("MyExt", "x");
      assertThatThrownBy(() -> codec.decode(new WireMessage(headers, "application/json", BODY, null)))
          .isInstanceOf(MalformedEventException.class).hasMessageContaining("'MyExt'");
    }

    @Test
    void anUpperCaseTypeDoesNotCountAsTheRequiredType() {
      Map<String, String> headers = attributes("");
      headers.put("Type", headers.remove("type"));
      assertThatThrownBy(() -> codec.decode(new WireMessage(headers, "application/json", BODY, null)))
          .isInstanceOf(MalformedEventException.class).hasMessageContaining("type is required");
    }

    @Test
    void toleratesTheDatacontenttypeUserPropertyOfTheSpecsExample() {
      Map<String, String> headers = attributes("");
      headers.put("datacontenttype", "application/json");
      CloudEvent event = codec.decode(new WireMessage(headers, "application/json", BODY, null));
      assertThat(event.getDataContentType()).isEqualTo("application/json");
      assertThat(event.getExtensionNames()).isEmpty();
    }
  }

  @Nested
  class Memory {
    @Test
    void writesAndReadsUnprefixedHeaders() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
      WireMessage message = codec.encode(event(), Mode.BINARY);
      assertThat(message.headers()).containsOnlyKeys(
          "specversion", "id", "source", "type", "subject", "traceparent");
      assertThat(TestData.canonicalAttributes(codec.decode(message)))
          .isEqualTo(TestData.canonicalAttributes(event()));
    }
  }

  @Test
  void eachConventionSaysWhatItWritesAndReads() {
    assertThat(HeaderConvention.KAFKA.writePrefix()).isEqualTo("ce_");
    assertThat(HeaderConvention.KAFKA.readPrefixes()).containsExactly("ce_");
    assertThat(HeaderConvention.AMQP.writePrefix()).isEqualTo("cloudEvents_");
    assertThat(HeaderConvention.AMQP.readPrefixes()).containsExactly("cloudEvents_", "cloudEvents:", "ce-", "ce_");
    assertThat(HeaderConvention.MQTT.writePrefix()).isEmpty();
    assertThat(HeaderConvention.MQTT.readPrefixes()).containsExactly("", "ce-");
    assertThat(HeaderConvention.MEMORY.writePrefix()).isEmpty();
    assertThat(HeaderConvention.MEMORY.readPrefixes()).containsExactly("");
  }

  @Test
  void anExtensionsHeaderNameIsTheSameStringEachTime() {
    assertThat(HeaderConvention.KAFKA.headerName("traceparent"))
        .isSameAs(HeaderConvention.KAFKA.headerName("traceparent"))
        .isEqualTo("ce_traceparent");
  }
}
