package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules of STANDARDS.md §1 (CloudEvents spec.md), one by one, on events built through the SDK. */
class CloudEventValidatorTest {

  @Test
  void aMinimalEventIsValid() {
    assertThat(CloudEventValidator.violations(Events.minimal().build())).isEmpty();
  }

  @Test
  void attributesFoundValidBeforeAreRememberedOnlyAsThemselvesAndNothingInvalidIsRemembered() {
    String type = "com.example.placed";
    URI source = URI.create("/orders");
    String contentType = "application/json";
    CloudEvent valid = Events.minimal().withType(type).withSource(source).withDataContentType(contentType).build();
    assertThat(CloudEventValidator.violations(valid)).isEmpty();
    assertThat(CloudEventValidator.violations(valid)).isEmpty();

    // Other instances, equal but for a character the specification forbids, are checked, and again the second time.
    CloudEvent invalid = Events.minimal().withType(type + "\n").withSource(URI.create("/orders\uFFFE"))
        .withDataContentType(contentType + "\u0001").build();
    for (int attempt = 0; attempt < 2; attempt++) {
      assertThat(CloudEventValidator.violations(invalid)).containsExactly(
          "type contains the control character U+000A",
          "source contains the noncharacter U+FFFE",
          "datacontenttype must be an RFC 2046 media type, was '" + contentType + "\u0001'");
    }
    assertThat(CloudEventValidator.violations(valid)).isEmpty();
  }

  @Test
  void anEmptyIdIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withId("").build()))
        .containsExactly("id is required and must be non-empty");
  }

  @Test
  void anEmptyTypeIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withType("").build()))
        .containsExactly("type is required and must be non-empty");
  }

  @Test
  void anEmptySourceIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withSource(URI.create("")).build()))
        .singleElement().asString().startsWith("source is required");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/mycontext", "1-555-123-4567", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
      "mailto:cncf-wg-serverless@lists.cncf.io"})
  void aRelativeOrOpaqueSourceIsAValidUriReference(String source) {
    assertThat(CloudEventValidator.violations(Events.minimal().withSource(URI.create(source)).build())).isEmpty();
  }

  @Test
  void anEmptySubjectIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withSubject("").build()))
        .containsExactly("subject must be non-empty when present");
  }

  @Test
  void specversion03IsRefused() {
    CloudEvent v03 = CloudEventBuilder.v03().withId("1").withSource(URI.create("/s")).withType("t").build();
    assertThat(CloudEventValidator.violations(v03)).singleElement().asString().contains("1.0");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a", "abc123", "0abc", "comexampleextension1"})
  void lowerCaseLettersAndDigitsAreLegalNames(String name) {
    assertThat(CloudEventValidator.isValidAttributeName(name)).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "aString", "a_b", "a-b", "a.b", "é", "data"})
  void otherNamesAndDataAreNotLegalNames(String name) {
    assertThat(CloudEventValidator.isValidAttributeName(name)).isFalse();
  }

  @Test
  void anExtensionNamedDataIsRefused() {
    CloudEvent event = Events.minimal().withExtension("data", "x").build();
    assertThatThrownBy(() -> CloudEventValidator.validate(event)).isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("'data' is reserved");
  }

  @Test
  void aNameLongerThan20CharactersIsAWarningNotAViolation() {
    CloudEvent event = Events.minimal().withExtension("abcdefghijklmnopqrstu", "x").build();
    assertThat(CloudEventValidator.violations(event)).isEmpty();
    assertThat(CloudEventValidator.warnings(event)).singleElement().asString().contains("SHOULD NOT exceed 20");
  }

  @Test
  void aNameStartingWithADigitIsAWarningNotAViolation() {
    CloudEvent event = Events.minimal().withExtension("1abc", "x").build();
    assertThat(CloudEventValidator.violations(event)).isEmpty();
    assertThat(CloudEventValidator.warnings(event)).singleElement().asString().contains("start with a letter");
  }

  @Test
  void anInt32IntegerExtensionIsValid() {
    CloudEvent event = Events.minimal().withExtension("min", Integer.MIN_VALUE)
        .withExtension("max", Integer.MAX_VALUE).build();
    assertThat(CloudEventValidator.violations(event)).isEmpty();
  }

  @Test
  void aLongBeyondInt32IsRefused() {
    CloudEvent event = Events.minimal().withExtension("long", 4247483647L).build();
    assertThat(CloudEventValidator.violations(event)).singleElement().asString().contains("32-bit Integer");
  }

  @Test
  void aDecimalNumberIsRefused() {
    CloudEvent event = Events.minimal().withExtension("decimal", 42.42).build();
    assertThat(CloudEventValidator.violations(event)).singleElement().asString().contains("32-bit Integer");
  }

  @Test
  void aLineFeedInTheSubjectIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withSubject("a\nb").build()))
        .containsExactly("subject contains the control character U+000A");
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(ints = {0x00, 0x1F, 0x7F, 0x85, 0x9F})
  void aC0OrC1ControlCharacterInAStringExtensionIsRefused(int c) {
    CloudEvent event = Events.minimal().withExtension("text", "a" + (char) c).build();
    assertThat(CloudEventValidator.violations(event)).singleElement().asString().contains("control character");
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(ints = {0xFDD0, 0xFFFE, 0xFFFF, 0x1FFFF})
  void aNoncharacterIsRefused(int codePoint) {
    CloudEvent event = Events.minimal().withId("a" + Character.toString(codePoint)).build();
    assertThat(CloudEventValidator.violations(event)).singleElement().asString().contains("noncharacter");
  }

  @Test
  void anUnpairedSurrogateIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withType("t\uD800").build()))
        .containsExactly("type contains an unpaired surrogate");
  }

  @Test
  void aRelativeDataschemaIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withDataSchema(URI.create("/schemas/a")).build()))
        .singleElement().asString().contains("dataschema must be an absolute URI");
  }

  @Test
  void aDatacontenttypeThatIsNoMediaTypeIsRefused() {
    assertThat(CloudEventValidator.violations(Events.minimal().withDataContentType("json").build()))
        .singleElement().asString().contains("RFC 2046");
  }

  @Test
  void everyViolationIsListed() {
    CloudEvent event = Events.minimal().withId("").withSubject("").withExtension("n", 1.5).build();
    assertThat(CloudEventValidator.violations(event)).hasSize(3);
  }
}
