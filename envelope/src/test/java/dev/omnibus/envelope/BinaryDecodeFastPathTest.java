package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shortcuts binary decoding takes for the common message (specversion first, printable values), each beside the
 * case that must still go the exact way: the prefix is decided once per message and the characters of a value are
 * skimmed while they cannot be forbidden.
 */
class BinaryDecodeFastPathTest {

  /** Headers in the given order, name then value, as a binding hands them over. */
  private static WireMessage message(String... namesAndValues) {
    WireHeaders.Builder headers = WireHeaders.builder(namesAndValues.length / 2);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return new WireMessage(headers.build(), "application/json", new byte[] {'{', '}'}, null);
  }

  private static WireMessage required(String prefix, String extraName, String extraValue) {
    return message(prefix + "specversion", "1.0", prefix + "id", "1", prefix + "source", "/s", prefix + "type", "t",
        extraName, extraValue);
  }

  @Nested
  class PrefixDecidedOncePerMessage {

    @Test
    void aHeaderUnderAnotherPrefixAfterAPreferredSpecversionIsStillRefused() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.AMQP);
      assertThatThrownBy(() -> codec.decode(required("cloudEvents_", "ce_subject", "o-1")))
          .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
              .containsExactly("header 'ce_subject' uses another prefix than 'cloudEvents_': one message must use one prefix"));
    }

    @Test
    void aLaterSpecversionUnderAPreferredPrefixWinsOverTheFirstHeader() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.AMQP);
      WireMessage mixed = message("ce_specversion", "1.0", "cloudEvents_specversion", "1.0", "cloudEvents_id", "1",
          "cloudEvents_source", "/s", "cloudEvents_type", "t");
      assertThatThrownBy(() -> codec.decode(mixed))
          .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations()).containsExactly(
              "header 'ce_specversion' uses another prefix than 'cloudEvents_': one message must use one prefix"));
    }

    @Test
    void aFirstSpecversionInAnotherCasingIsDetected() {
      CloudEvent event = EnvelopeCodec.of(HeaderConvention.AMQP).decode(required("CLOUDEVENTS_", "x-death", "n"));
      assertThat(event.getId()).isEqualTo("1");
    }

    @Test
    void aSpecversionThatIsNotTheFirstHeaderIsFound() {
      CloudEvent event = EnvelopeCodec.of(HeaderConvention.KAFKA)
          .decode(message("ce_id", "1", "ce_source", "/s", "ce_type", "t", "ce_specversion", "1.0"));
      assertThat(event.getType()).isEqualTo("t");
    }

    @Test
    void aCeDashUserPropertyBesideUnprefixedOnesIsStillRefusedOnMqtt() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MQTT);
      assertThatThrownBy(() -> codec.decode(required("", "ce-subject", "o-1")))
          .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
              .containsExactly("header 'ce-subject' uses another prefix than '': one message must use one prefix"));
    }

    @Test
    void aConventionWithOneReadPrefixHasNoOtherToMeet() {
      assertThat(HeaderConvention.KAFKA.usesOtherPrefix("ce-id", 0)).isFalse();
      assertThat(HeaderConvention.MEMORY.usesOtherPrefix("ce_id", 0)).isFalse();
      assertThat(HeaderConvention.AMQP.usesOtherPrefix("ce_id", 0)).isTrue();
      assertThat(HeaderConvention.AMQP.usesOtherPrefix("cloudEvents_id", 0)).isFalse();
    }
  }

  @Nested
  class StructuredModeToldByTheCharacterAfterTheSlash {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/cloudevents+json", "APPLICATION/CLOUDEVENTS+JSON; charset=UTF-8",
        "application/Cloudevents-batch+json", "application/cloudevents+xml"})
    void aCloudEventsTypeInAnyCasingIsStructured(String contentType) {
      assertThat(EnvelopeCodec.isStructured(contentType)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/json; charset=utf-8", "application/octet-stream+cloudevents",
        "application/\u0109loudevents+json", "application/cloudevent", "text/cloudevents+json; charset=utf-8",
        "application/xcloudevents+json"})
    void anyOtherTypeIsNot(String contentType) {
      assertThat(EnvelopeCodec.isStructured(contentType)).isFalse();
    }
  }

  @Nested
  class ExtensionNamesSharedAcrossMessages {

    @Test
    void twoMessagesOfAChannelGiveTheSameExtensionNameString() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
      String first = codec.decode(required("ce_", new String("ce_traceparent"), "00-a")).getExtensionNames()
          .iterator().next();
      String second = codec.decode(required("ce_", new String("ce_traceparent"), "00-b")).getExtensionNames()
          .iterator().next();
      assertThat(first).isEqualTo("traceparent").isSameAs(second);
    }

    @Test
    void theNameIsTheRestOfTheHeaderExactlyAsWritten() {
      assertThat(HeaderConvention.KAFKA.extensionName("CE_traceparent", 0)).isEqualTo("traceparent");
      assertThat(HeaderConvention.KAFKA.extensionName("ce_MyExt", 0)).isEqualTo("MyExt");
      assertThat(HeaderConvention.AMQP.extensionName("cloudEvents:ext", 1)).isEqualTo("ext");
      assertThat(HeaderConvention.MQTT.extensionName("ce-ext", 1)).isEqualTo("ext");
    }

    @Test
    void underTheEmptyPrefixTheHeaderIsTheName() {
      String header = new String("traceparent");
      assertThat(HeaderConvention.MQTT.extensionName(header, 0)).isSameAs(header);
    }

    @Test
    void aLongNameIsCutEachTimeAndStillRight() {
      String name = "x".repeat(1000);
      assertThat(HeaderConvention.KAFKA.extensionName("ce_" + name, 0)).isEqualTo(name);
      assertThat(HeaderConvention.KAFKA.extensionName("ce_" + name, 0)).isEqualTo(name);
    }

    @Test
    void anInvalidExtensionNameIsStillRefusedOnEveryMessage() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> codec.decode(required("ce_", "ce_MyExt", "v")))
            .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
                .containsExactly("attribute name 'MyExt' must consist of a-z and 0-9 only, and not be 'data'"));
      }
    }
  }

  @Nested
  class CharactersSkimmedWhileTheyCannotBeForbidden {

    private static final String PLAIN = "order o-1 paid in Zürich ©, 東京 ";

    @Test
    void printableAsciiLatinAndOtherBmpTextIsValid() {
      CloudEvent event = Events.minimal().withSubject(PLAIN).withExtension("text", PLAIN + "😀").build();
      assertThat(CloudEventValidator.violations(event)).isEmpty();
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(ints = {0x00, 0x1F, 0x7F, 0x85, 0x9F})
    void aControlCharacterAfterPlainTextIsRefused(int c) {
      CloudEvent event = Events.minimal().withSubject(PLAIN + (char) c + "x").build();
      assertThat(CloudEventValidator.violations(event))
          .containsExactly("subject contains the control character U+" + String.format("%04X", c));
    }

    @ParameterizedTest(name = "U+{0}")
    @ValueSource(ints = {0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF})
    void aNoncharacterAfterPlainTextIsRefused(int c) {
      CloudEvent event = Events.minimal().withId(PLAIN + (char) c).build();
      assertThat(CloudEventValidator.violations(event))
          .containsExactly("id contains the noncharacter U+" + String.format("%04X", c));
    }

    @Test
    void aSupplementaryNoncharacterAfterPlainTextIsRefused() {
      CloudEvent event = Events.minimal().withType(PLAIN + Character.toString(0x10FFFF)).build();
      assertThat(CloudEventValidator.violations(event)).containsExactly("type contains the noncharacter U+10FFFF");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\uD800", "\uDC00", "\uDBFFx"})
    void anUnpairedSurrogateAfterPlainTextIsRefused(String surrogate) {
      CloudEvent event = Events.minimal().withExtension("text", PLAIN + surrogate).build();
      assertThat(CloudEventValidator.violations(event)).containsExactly("text contains an unpaired surrogate");
    }

    @Test
    void aForbiddenCharacterInABinaryHeaderIsRefusedOnDecode() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
      assertThatThrownBy(() -> codec.decode(required("ce_", "ce_subject", "Zürich\uFFFE")))
          .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
              .containsExactly("subject contains the noncharacter U+FFFE"));
    }

    @Test
    void theSkimStopsAtTheFirstCharacterThatNeedsALook() {
      assertThat(CloudEventValidator.plainPrefixLength("")).isZero();
      assertThat(CloudEventValidator.plainPrefixLength(" ~\u00A0\uD7FF")).isEqualTo(4);
      for (char stop : new char[] {'\u001F', '\u007F', '\u009F', '\uD800', '\uDC00', '\uE000', '\uFDD0', '\uFFFF'}) {
        assertThat(CloudEventValidator.plainPrefixLength("ab" + stop + "c")).as("U+%04X", (int) stop).isEqualTo(2);
      }
    }
  }

  @Nested
  class ExtensionsHeldInAsLittleAsTheyNeed {

    @Test
    void oneExtensionOfABrokersMessageIsHeldWithoutAHashTable() {
      CloudEvent event = EnvelopeCodec.of(HeaderConvention.KAFKA).decode(required("ce_", "ce_traceparent", "00-1-2-01"));

      // Every reader of a received event walks its extension names; a table's walk scans its buckets.
      assertThat(event.getExtensionNames()).containsExactly("traceparent")
          .isNotInstanceOf(new HashMap<String, Object>().keySet().getClass());
    }

    @Test
    void aValidatorRegisteredWithTheSdkStillRefusesAReceivedEvent() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
      WireMessage message = required("ce_", "ce_" + SdkRegisteredValidator.REFUSED, "yes");

      // What the SDK's builder ran when it built the received event, and the bus sends to dead letters.
      assertThatThrownBy(() -> codec.decode(message))
          .isInstanceOfSatisfying(MalformedEventException.class,
              e -> assertThat(e.violations()).containsExactly(SdkRegisteredValidator.MESSAGE));
      assertThat(codec.readEncoded((WireHeaders) message.headers(), message.contentType(), message.body())).isNull();
    }

    @Test
    void extensionsReadInTheOrderAndWithTheLookupsTheSdkBuilderGives() {
      EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
      List<String> names = List.of("partitionkey", "traceparent", "tenant", "zeta", "alpha");
      for (int count = 0; count <= names.size(); count++) {
        List<String> headers = new ArrayList<>(List.of("ce_specversion", "1.0", "ce_id",
            "1", "ce_source", "/s", "ce_type", "t"));
        CloudEventBuilder builder = CloudEventBuilder.v1()
            .withId("1").withSource(URI.create("/s")).withType("t").withDataContentType("application/json")
            .withData(new byte[] {'{', '}'});
        for (String name : names.subList(0, count)) {
          headers.add("ce_" + name);
          headers.add("v-" + name);
          builder.withExtension(name, "v-" + name);
        }
        CloudEvent expected = builder.build();
        WireMessage message = message(headers.toArray(String[]::new));

        CloudEvent validated = codec.decode(message);
        CloudEvent trusted = codec.readEncoded((WireHeaders) message.headers(), message.contentType(), message.body());
        for (CloudEvent decoded : Arrays.asList(validated, trusted)) {
          assertThat(decoded).isEqualTo(expected).hasSameHashCodeAs(expected).hasToString(expected.toString());
          assertThat(List.copyOf(decoded.getExtensionNames()))
              .containsExactlyElementsOf(expected.getExtensionNames());
          assertThat(decoded.getExtension("absent")).isNull();
          for (String name : names.subList(0, count)) {
            assertThat(decoded.getExtension(name)).isEqualTo("v-" + name);
          }
        }
      }
    }
  }
}
