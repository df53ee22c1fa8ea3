package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What is not a valid CloudEvent gives a {@link MalformedEventException} naming each reason: never a
 * NullPointerException, a Jackson exception or an SDK exception.
 */
class MalformedInputTest {

  private static final EnvelopeCodec KAFKA = EnvelopeCodec.of(HeaderConvention.KAFKA);
  private static final String STRUCTURED = "application/cloudevents+json";

  private static Map<String, String> headers() {
    Map<String, String> headers = new HashMap<>();
    headers.put("ce_specversion", "1.0");
    headers.put("ce_id", "1");
    headers.put("ce_source", "/s");
    headers.put("ce_type", "t");
    return headers;
  }

  private static MalformedEventException refusal(WireMessage message) {
    try {
      KAFKA.decode(message);
    } catch (MalformedEventException e) {
      return e;
    }
    throw new AssertionError("accepted: " + message);
  }

  private static MalformedEventException refusal(String structuredBody) {
    return refusal(new WireMessage(Map.of(), STRUCTURED, structuredBody.getBytes(StandardCharsets.UTF_8), null));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"garbage", "{", "[1,2]", "\"a string\"", "null", "{\"id\":\"1\"} trailing",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"id\":\"2\",\"source\":\"/s\",\"type\":\"t\"}"})
  void aGarbageBodyWithAStructuredContentTypeIsMalformed(String body) {
    assertThat(refusal(body).violations()).isNotEmpty();
  }

  @Test
  void anEmptyStructuredBodyIsMalformed() {
    assertThat(refusal(new WireMessage(Map.of(), STRUCTURED, null, null)).violations())
        .containsExactly("structured-mode message has an empty body");
  }

  @Test
  void aMessageWithoutSpecversionHeaderIsMalformed() {
    Map<String, String> headers = headers();
    headers.remove("ce_specversion");
    assertThat(refusal(new WireMessage(headers, "application/json", new byte[0], null)).getMessage())
        .contains("no ce_specversion header");
  }

  @Test
  void aMessageWithoutHeadersOrBodyIsMalformed() {
    assertThat(refusal(new WireMessage(Map.of(), null, null, null)).violations()).isNotEmpty();
  }

  @Test
  void specversion03IsMalformedInBinaryMode() {
    Map<String, String> headers = headers();
    headers.put("ce_specversion", "0.3");
    assertThat(refusal(new WireMessage(headers, null, null, null)).violations())
        .containsExactly("unsupported specversion '0.3': only 1.0 is understood");
  }

  @Test
  void specversion03IsMalformedInStructuredMode() {
    assertThat(refusal("{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}").violations())
        .anySatisfy(v -> assertThat(v).contains("'0.3'"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"yesterday", "2018-04-05T17:31Z", "2018-04-05 17:31:00Z", "2018-04-05T17:31:00",
      "2018-13-05T17:31:00Z", "2018-04-05T17:31:00+02:00:30"})
  void aTimeThatIsNotRfc3339IsMalformedInBinaryMode(String time) {
    Map<String, String> headers = headers();
    headers.put("ce_time", time);
    assertThat(refusal(new WireMessage(headers, null, null, null)).violations())
        .containsExactly("time must be an RFC 3339 date-time, was '" + time + "'");
  }

  @Test
  void aTimeThatIsNotRfc3339IsMalformedInStructuredMode() {
    assertThat(refusal("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\","
        + "\"time\":\"2018-04-05T17:31Z\"}").violations())
        .containsExactly("time must be an RFC 3339 date-time, was '2018-04-05T17:31Z'");
  }

  @Test
  void aLowerCaseRfc3339TimeIsAccepted() {
    Map<String, String> headers = headers();
    headers.put("ce_time", "2018-04-05t17:31:00z");
    assertThat(KAFKA.decode(new WireMessage(headers, null, null, null)).getTime()).isNotNull();
  }

  @Test
  void aSourceThatIsNotAUriReferenceIsMalformedInBinaryMode() {
    Map<String, String> headers = headers();
    headers.put("ce_source", "http://exa mple.com/");
    assertThat(refusal(new WireMessage(headers, null, null, null)).violations())
        .containsExactly("source is not a valid URI-reference: 'http://exa mple.com/'");
  }

  @Test
  void aSourceThatIsNotAUriReferenceIsMalformedInStructuredMode() {
    assertThat(refusal("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"a b\",\"type\":\"t\"}").violations())
        .containsExactly("source is not a valid URI-reference: 'a b'");
  }

  @Test
  void everyReasonIsListedTogether() {
    Map<String, String> headers = headers();
    headers.remove("ce_id");
    headers.put("ce_time", "yesterday");
    headers.put("ce_source", "a b");
    assertThat(refusal(new WireMessage(headers, null, null, null)).violations()).containsExactlyInAnyOrder(
        "id is required",
        "source is not a valid URI-reference: 'a b'",
        "time must be an RFC 3339 date-time, was 'yesterday'");
  }

  @Test
  void everyReasonOfAStructuredEventIsListedTogether() {
    assertThat(refusal("{\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"/s\",\"type\":\"t\","
        + "\"Bad\":1,\"n\":1.5,\"o\":{}}").violations()).hasSize(4);
  }

  @Test
  void anAttributeOfTheWrongJsonTypeIsMalformed() {
    assertThat(refusal("{\"specversion\":\"1.0\",\"id\":1,\"source\":\"/s\",\"type\":\"t\"}").violations())
        .contains("id must be a JSON string, was a number");
  }

  @Test
  void nonStringDataOfANonJsonContentTypeIsMalformed() {
    assertThat(refusal("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\","
        + "\"datacontenttype\":\"text/plain\",\"data\":{}}").violations())
        .containsExactly("data must be a JSON string when datacontenttype 'text/plain' is not JSON");
  }

  @Test
  void badBase64IsMalformed() {
    assertThat(refusal("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\","
        + "\"data_base64\":\"%%%\"}").violations()).singleElement().asString().contains("Base64");
  }

  @Test
  void anInvalidAttributeHeaderNameIsMalformed() {
    Map<String, String> headers = headers();
    headers.put("ce_a_b", "x");
    assertThat(refusal(new WireMessage(headers, null, null, null)).violations())
        .singleElement().asString().contains("'a_b'");
  }

  @Test
  void anUpperCaseAttributeHeaderIsNotRenamedButMalformed() {
    Map<String, String> headers = headers();
    headers.put("CE_ID", "2");
    assertThat(refusal(new WireMessage(headers, null, null, null)).violations())
        .singleElement().asString().contains("'ID'");
  }

  @Test
  void aHeaderGivenTwiceUnderDifferentlyCasedPrefixesIsMalformed() {
    Map<String, String> headers = headers();
    headers.put("CE_id", "2");
    assertThat(refusal(new WireMessage(headers, null, null, null)).violations())
        .containsExactly("attribute 'id' given twice");
  }

  @Test
  void anInvalidEventIsNotEncoded() {
    assertThatThrownBy(() -> KAFKA.encode(Events.minimal().withSubject("").build(), Mode.BINARY))
        .isInstanceOf(MalformedEventException.class);
  }
}
