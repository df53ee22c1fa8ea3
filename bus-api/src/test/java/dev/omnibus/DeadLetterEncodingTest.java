package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.omnibus.envelope.CloudEventValidator;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A dead letter always encodes: whatever the refused message held, every attribute of its dead letter is valid. */
class DeadLetterEncodingTest {

  private static final EnvelopeCodec KAFKA = EnvelopeCodec.of(HeaderConvention.KAFKA);
  private static final URI SOURCE = URI.create("/omnibus/test");
  private static final DeadLetterEncoding.Cause MALFORMED =
      new DeadLetterEncoding.Cause("malformed: bad", 1, "c", "orders", "g", null);
  private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

  private static Map<String, Object> readJson(String json) throws Exception {
    return new ObjectMapper().readValue(json, new TypeReference<Map<String, Object>>() {});
  }

  private static CloudEvent roundTrip(WireMessage message, Mode mode, CloudEvent event, DeadLetterEncoding.Cause cause) {
    return KAFKA.decode(DeadLetterEncoding.encode(KAFKA, mode, event, message, SOURCE, cause));
  }

  private static CloudEvent deadLetterOf(WireMessage raw, DeadLetterEncoding.Cause cause) {
    WireMessage encoded = DeadLetterEncoding.encode(KAFKA, Mode.BINARY, null, raw, SOURCE, cause);
    return KAFKA.decode(encoded);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"application/json, charset=utf-8", "text/plain garbage", "text/plain; x=\uFFFE",
      "application/cloudevents+json", "\u0001/\u0002"})
  void aContentTypeThatIsNoValidDataContentTypeGoesToDlqheaders(String contentType) throws Exception {
    CloudEvent deadLetter = deadLetterOf(new WireMessage(Map.of("x", "1"), contentType, BODY, null), MALFORMED);

    assertThat(deadLetter.getDataContentType()).isEqualTo("application/octet-stream");
    assertThat(deadLetter.getData().toBytes()).isEqualTo(BODY);
    Map<String, Object> headers = readJson(deadLetter.getExtension("dlqheaders").toString());
    assertThat(headers).containsEntry("content-type", contentType).containsEntry("x", "1");
  }

  @Test
  void aValidContentTypeIsKeptAsDataContentType() {
    CloudEvent deadLetter = deadLetterOf(new WireMessage(Map.of(), "text/plain; charset=utf-8", BODY, null),
        MALFORMED);
    assertThat(deadLetter.getDataContentType()).isEqualTo("text/plain; charset=utf-8");
  }

  @Test
  void headersWithNoncharactersAndControlsAreKeptLosslesslyAsAsciiJson() throws Exception {
    Map<String, String> raw = Map.of("na\uFDD0me", "v\uFFFE\u0000\uD800x", "k", "日本");
    CloudEvent deadLetter = deadLetterOf(new WireMessage(raw, null, BODY, null), MALFORMED);

    String json = deadLetter.getExtension("dlqheaders").toString();
    assertThat(json.chars()).allMatch(c -> c >= 0x20 && c < 0x7F);
    assertThat(readJson(json)).isEqualTo(raw);
  }

  @Test
  void aReasonWithNoncharactersBecomesAValidDlqreason() {
    DeadLetterEncoding.Cause cause = new DeadLetterEncoding.Cause("malformed: id '\uFFFE\uFDD0\uDBFF\uDFFF'", 1, "c", "a", null,
        null);
    CloudEvent deadLetter = deadLetterOf(new WireMessage(Map.of(), null, BODY, null), cause);
    assertThat(deadLetter.getExtension("dlqreason")).isEqualTo("malformed: id '\uFFFD\uFFFD\uFFFD'");
  }

  @Test
  void aHandlerErrorWithNoncharactersKeepsTheEventWithAValidDlqerror() {
    CloudEvent event = CloudEventBuilder.v1().withId("e1").withSource(URI.create("/s")).withType("t")
        .withData("text/plain", BODY).build();
    DeadLetterEncoding.Cause cause = new DeadLetterEncoding.Cause("handler failed 3 times", 3, "c", "a", "g",
        new IllegalStateException("bad \uFFFF value\n"));

    CloudEvent deadLetter = roundTrip(new WireMessage(Map.of(), "text/plain", BODY, null), Mode.BINARY, event,
        cause);

    assertThat(deadLetter.getId()).isEqualTo("e1");
    assertThat(deadLetter.getExtension("dlqerror")).isEqualTo("java.lang.IllegalStateException: bad \uFFFD value ");
  }

  @Test
  void anEventThatCannotBeReencodedIsKeptAsReceived() {
    CloudEvent invalid = CloudEventBuilder.v1().withId("e1").withSource(URI.create("/s")).withType("t")
        .withExtension("bad", "\uFFFE").build();
    WireMessage raw = new WireMessage(Map.of("ce_id", "e1"), null, BODY, null);

    CloudEvent deadLetter = roundTrip(raw, Mode.STRUCTURED, invalid, MALFORMED);

    assertThat(deadLetter.getType()).isEqualTo(DeadLetterEncoding.MALFORMED_TYPE);
    assertThat(deadLetter.getExtension("dlqreason")).asString().contains("cannot be dead-lettered as it is");
    assertThat(deadLetter.getData().toBytes()).isEqualTo(BODY);
  }

  @Test
  void everyDeadLetterIsAValidCloudEvent() {
    CloudEvent deadLetter = DeadLetterEncoding.ofMessage(new WireMessage(Map.of("\uFFFF", "\uFFFF"), "\uFFFF", BODY, null),
        SOURCE, new DeadLetterEncoding.Cause("\uFFFF", 1, "\uFFFF", "\uFFFF", "\uFFFF", new RuntimeException("\uFFFF")),
        "\uFFFF", true);
    assertThat(CloudEventValidator.violations(deadLetter)).isEmpty();
  }

  @Test
  void textKeepsValidPairsAndCutsLongTextWithoutSplittingAPair() {
    assertThat(DeadLetterEncoding.text("a\uD83D\uDC4Bb")).isEqualTo("a\uD83D\uDC4Bb");
    String cut = DeadLetterEncoding.text("x".repeat(DeadLetterEncoding.MAX_TEXT - 1) + "\uD83D\uDC4B" + "tail");
    assertThat(cut).endsWith("\uFFFD...").hasSize(DeadLetterEncoding.MAX_TEXT + 3);
    assertThat(DeadLetterEncoding.text("")).isEqualTo("-");
  }

  @Test
  void headersLongerThanTheBoundAreCut() {
    String json = DeadLetterEncoding.headersJson(Map.of("k", "v".repeat(2 * DeadLetterEncoding.MAX_HEADERS)));
    assertThat(json).hasSize(DeadLetterEncoding.MAX_HEADERS + 3).endsWith("...");
  }
}
