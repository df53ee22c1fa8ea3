package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventType;
import dev.omnibus.ValidationException;
import dev.omnibus.ValidationException.Violation;
import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiDocument;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Payloads are checked against the payload schema of their message, found by CloudEvents type or message name. */
class PayloadValidationTest {

  private static final String JSON = "application/json";
  private static final String PLACED = "com.example.orders.placed.v1";
  /** The module's own document with oneOf, anyOf and not payloads. */
  private static final Path PAYMENT_INSTRUCTIONS = AsyncApiDocumentTest.fixture("payment-instructions.yaml");

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static PayloadContract contract(AsyncApiDocument document, ValidationMode mode, EventType<?>... types) {
    return AsyncApiContracts.compile(document, document.serverNames().isEmpty() ? "none"
        : document.serverNames().iterator().next(), mode, List.of(types));
  }

  private static PayloadContract example(ValidationMode mode) {
    return contract(AsyncApiDocument.load(Orders.DOCUMENT), mode, Orders.ALL.toArray(EventType<?>[]::new));
  }

  private static AsyncApiDocument inline(String yaml) {
    return AsyncApiDocument.parse(yaml, "inline.yaml");
  }

  @Nested
  class TheExampleDocument {

    @Test
    void aValidPayloadPasses() {
      example(ValidationMode.ENFORCE).checkPublish("orderEvents", PLACED, bytes("""
          {"orderId":"o-1","customer":"ann@example.com","lines":[{"sku":"a","quantity":2}],
           "totalMinor":4599,"currency":"EUR"}"""), JSON);
    }

    @Test
    void anInvalidPayloadIsRefusedWithEveryViolationAndItsPointer() {
      ValidationException refused = catchThrowableOfType(ValidationException.class,
          () -> example(ValidationMode.ENFORCE).checkPublish("orderEvents", PLACED, bytes("""
              {"orderId":"","customer":"not an address","lines":[{"sku":"a","quantity":0}],
               "totalMinor":-1,"currency":"JPY"}"""), JSON));

      assertThat(refused.violations()).extracting(Violation::pointer)
          .containsExactlyInAnyOrder("/orderId", "/customer", "/lines/0/quantity", "/totalMinor", "/currency");
      assertThat(refused.getMessage())
          .startsWith("Payload of 'com.example.orders.placed.v1' on channel 'orderEvents' does not match its"
              + " AsyncAPI schema (5 violations); nothing was sent:")
          .contains("/lines/0/quantity: must have a minimum value of 1");
    }

    @Test
    void aMissingRequiredFieldIsReportedOnItsObject() {
      ValidationException refused = catchThrowableOfType(ValidationException.class,
          () -> example(ValidationMode.ENFORCE).checkPublish("orderEvents", "com.example.orders.paid.v1",
              bytes("{\"orderId\":\"o-1\",\"totalMinor\":10}"), JSON));

      assertThat(refused.violations()).containsExactly(new Violation("", "required property 'currency' not found"));
    }

    @Test
    void onReceiveTheViolationsAreReturnedForTheDeadLetter() {
      List<Violation> violations = example(ValidationMode.ENFORCE).checkReceive("orderEvents",
          "com.example.orders.shipped.v1", bytes("{\"orderId\":\"o-1\",\"carrier\":7}"), JSON);

      assertThat(violations).extracting(Violation::toString).containsExactlyInAnyOrder(
          "/carrier: integer found, string expected", "/: required property 'trackingCode' not found");
    }

    @Test
    void warnLogsButNeitherRefusesNorDeadLetters() {
      PayloadContract warn = example(ValidationMode.WARN);
      warn.checkPublish("orderEvents", PLACED, bytes("{}"), JSON);

      assertThat(warn.checkReceive("orderEvents", PLACED, bytes("{}"), JSON)).isEmpty();
    }

    @Test
    void offChecksNothing() {
      PayloadContract off = example(ValidationMode.OFF);
      off.checkPublish("orderEvents", PLACED, bytes("{}"), JSON);

      assertThat(off.checkReceive("orderEvents", PLACED, bytes("{}"), JSON)).isEmpty();
    }

    @Test
    void anUnregisteredTypeIsStillCheckedWhenItsTypeMatchesAMessage() {
      PayloadContract contract = contract(AsyncApiDocument.load(Orders.DOCUMENT), ValidationMode.ENFORCE);

      assertThatThrownBy(() -> contract.checkPublish("orderEvents", PLACED, bytes("{}"), JSON))
          .isInstanceOf(ValidationException.class);
    }

    @Test
    void aTypeWithoutAMessageIsNotChecked() {
      PayloadContract contract = example(ValidationMode.ENFORCE);
      contract.checkPublish("orderEvents", "com.example.orders.unknown.v1", bytes("{}"), JSON);

      assertThat(contract.checkReceive("orderEvents", "com.example.orders.unknown.v1", bytes("{}"), JSON)).isEmpty();
    }

    @Test
    void anEventWithoutDataIsNotChecked() {
      PayloadContract contract = example(ValidationMode.ENFORCE);
      contract.checkPublish("orderEvents", PLACED, null, null);

      assertThat(contract.checkReceive("orderEvents", PLACED, null, null)).isEmpty();
    }

    @Test
    void aPayloadThatIsNotJsonIsOneViolation() {
      assertThat(example(ValidationMode.ENFORCE).checkReceive("orderEvents", PLACED, bytes("{oops"), JSON))
          .singleElement().satisfies(violation -> {
            assertThat(violation.pointer()).isEmpty();
            assertThat(violation.message()).startsWith("is not JSON");
          });
    }
  }

  @Nested
  class TheDriftCheck {

    @Test
    void aRegisteredTypeWithoutAMessageOnItsChannelFailsTheBuildNamingBothAndListingTheMessages() {
      EventType<String> cancelled = EventType.of("com.example.orders.cancelled.v1", String.class)
          .channel("orderEvents");

      assertThatThrownBy(() -> contract(AsyncApiDocument.load(Orders.DOCUMENT), ValidationMode.ENFORCE, cancelled))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("channels.orderEvents.messages")
          .hasMessageContaining("com.example.orders.cancelled.v1")
          .hasMessageContaining("channel 'orderEvents'")
          .hasMessageContaining("orderPlaced (type com.example.orders.placed.v1), orderPaid (type"
              + " com.example.orders.paid.v1), orderShipped (type com.example.orders.shipped.v1)");
    }

    @Test
    void theCheckRunsEvenWhenValidationIsOff() {
      EventType<String> stray = EventType.of("com.example.stray", String.class).channel("orderEvents");

      assertThatThrownBy(() -> contract(AsyncApiDocument.load(Orders.DOCUMENT), ValidationMode.OFF, stray))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("com.example.stray");
    }

    @Test
    void aRegisteredTypeOnAChannelTheDocumentLacksFailsListingTheChannels() {
      EventType<String> elsewhere = EventType.of(PLACED, String.class).channel("invoices");

      assertThatThrownBy(() -> contract(AsyncApiDocument.load(Orders.DOCUMENT), ValidationMode.ENFORCE, elsewhere))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("channel 'invoices', which the document does not declare; its channels are"
              + " orderEvents");
    }

    @Test
    void aTypeMatchesAMessageByNameWhenNoMessageHasACloudEventsType() {
      EventType<String> byName = EventType.of("contact", String.class).channel("contacts");
      AsyncApiDocument document = AsyncApiDocument.load(PAYMENT_INSTRUCTIONS);

      PayloadContract contract = contract(document, ValidationMode.ENFORCE, byName);

      assertThat(contract.checkReceive("contacts", "contact", bytes("[]"), JSON)).isNotEmpty();
    }

    @Test
    void aTypeMatchesAHeaderConstWhenThereIsNoExtension() {
      AsyncApiDocument document = inline("""
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          channels:
            notes:
              messages:
                note:
                  headers:
                    type: object
                    properties:
                      ce_type: {type: string, const: com.example.note}
                  payload: {type: string, maxLength: 3}
          """);
      PayloadContract contract = contract(document, ValidationMode.ENFORCE,
          EventType.of("com.example.note", String.class).channel("notes"));

      assertThat(contract.checkReceive("notes", "com.example.note", bytes("long"), "text/plain")).isNotEmpty();
    }
  }

  @Nested
  class CompositionKeywords {

    private final PayloadContract payments = contract(AsyncApiDocument.load(PAYMENT_INSTRUCTIONS),
        ValidationMode.ENFORCE);

    @Test
    void oneOfAcceptsAPayloadMatchingExactlyOneAlternative() {
      assertThat(payments.checkReceive("payments", "instruction", bytes("{\"cardNumber\":1}"), JSON)).isEmpty();
      assertThat(payments.checkReceive("payments", "instruction", bytes("{\"cardNumber\":\"4111\",\"iban\":2}"),
          JSON)).isEmpty();
    }

    @Test
    void oneOfRefusesAPayloadMatchingBothOrNeither() {
      // neither alternative requires its property, so {"cardNumber":"4111"} matches both
      assertThat(payments.checkReceive("payments", "instruction", bytes("{\"cardNumber\":\"4111\"}"), JSON))
          .isNotEmpty();
      assertThat(payments.checkReceive("payments", "instruction", bytes("{\"cardNumber\":1,\"iban\":2}"), JSON))
          .isNotEmpty();
    }

    @Test
    void whatTheApplicationSendsOnItsOtherChannelIsCheckedToo() {
      payments.checkPublish("refunds", "cardRefund", bytes("{\"cardNumber\":\"4111\"}"), JSON);

      assertThatThrownBy(() -> payments.checkPublish("refunds", "ibanRefund", bytes("{\"iban\":false}"), JSON))
          .isInstanceOf(ValidationException.class).hasMessageContaining("/iban: boolean found, string expected");
    }

    @Test
    void anyOfAcceptsAPayloadMatchingAnAlternative() {
      assertThat(payments.checkReceive("contacts", "contact", bytes("{\"cardNumber\":\"4111\"}"), JSON)).isEmpty();
      assertThat(payments.checkReceive("contacts", "contact", bytes("{\"iban\":\"DE89\"}"), JSON)).isEmpty();
    }

    @Test
    void anyOfRefusesAPayloadMatchingNone() {
      assertThat(payments.checkReceive("contacts", "contact", bytes("{\"cardNumber\":1,\"iban\":2}"), JSON))
          .isNotEmpty();
      assertThat(payments.checkReceive("contacts", "contact", bytes("\"text\""), JSON)).isNotEmpty();
    }

    @Test
    void notRefusesWhatItNames() {
      assertThat(payments.checkReceive("notes", "note", bytes("{\"text\":\"call back\"}"), JSON)).isEmpty();
      assertThat(payments.checkReceive("notes", "note", bytes("{\"text\":3}"), JSON))
          .singleElement().extracting(Violation::pointer).isEqualTo("/text");
    }
  }

  @Nested
  class SchemaFormatsAndContentTypes {

    private AsyncApiDocument withPayload(String schemaFormat, String payload) {
      return inline("""
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          channels:
            things:
              messages:
                thing:
                  x-omnibus-type: com.example.thing
                  payload:
                    schemaFormat: '%s'
                    schema:
          %s
          """.formatted(schemaFormat, payload.indent(12)));
    }

    @Test
    void asyncApiOnlyKeywordsAreAnnotations() {
      PayloadContract contract = contract(withPayload("application/vnd.aai.asyncapi+json;version=3.0.0", """
          type: object
          discriminator: kind
          externalDocs: {url: 'https://example.com'}
          deprecated: true
          x-owner: team
          properties:
            kind: {type: string}
          required: [kind]
          """), ValidationMode.ENFORCE);

      assertThat(contract.checkReceive("things", "com.example.thing", bytes("{\"kind\":\"a\"}"), JSON)).isEmpty();
      assertThat(contract.checkReceive("things", "com.example.thing", bytes("{}"), JSON)).hasSize(1);
    }

    @Test
    void jsonSchema202012IsHonouredWhenDeclared() {
      String pair = """
          type: array
          prefixItems: [{type: string}, {type: integer}]
          """;
      PayloadContract modern = contract(withPayload("application/schema+json;version=2020-12", pair),
          ValidationMode.ENFORCE);
      PayloadContract draft7 = contract(withPayload("application/schema+json;version=draft-07", pair),
          ValidationMode.ENFORCE);

      assertThat(modern.checkReceive("things", "com.example.thing", bytes("[1, \"a\"]"), JSON)).hasSize(2);
      assertThat(draft7.checkReceive("things", "com.example.thing", bytes("[1, \"a\"]"), JSON)).isEmpty();
    }

    @Test
    void avroSchemasAreNotValidated() {
      PayloadContract contract = contract(withPayload("application/vnd.apache.avro;version=1.9.0", """
          type: record
          name: Thing
          fields: [{name: id, type: int}]
          """), ValidationMode.ENFORCE);

      assertThat(contract.checkReceive("things", "com.example.thing", bytes("{\"id\":\"x\"}"), JSON)).isEmpty();
    }

    @Test
    void aTextPayloadIsCheckedAsOneJsonString() {
      PayloadContract contract = contract(withPayload("", """
          type: string
          pattern: '^[A-Z]+$'
          """), ValidationMode.ENFORCE);

      assertThat(contract.checkReceive("things", "com.example.thing", bytes("HELLO"), "text/plain; charset=utf-8"))
          .isEmpty();
      assertThat(contract.checkReceive("things", "com.example.thing", bytes("hello"), "text/plain; charset=utf-8"))
          .singleElement().extracting(Violation::pointer).isEqualTo("");
    }

    @Test
    void aTextPayloadAgainstAnObjectSchemaIsATypeViolation() {
      PayloadContract contract = contract(withPayload("", "type: object"), ValidationMode.ENFORCE);

      assertThat(contract.checkReceive("things", "com.example.thing", bytes("{}"), "text/plain"))
          .extracting(Violation::message).containsExactly("string found, object expected");
    }

    @Test
    void binaryPayloadsAreNotChecked() {
      PayloadContract contract = contract(withPayload("", "type: object"), ValidationMode.ENFORCE);

      assertThat(contract.checkReceive("things", "com.example.thing", new byte[] {1, 2, 3},
          "application/octet-stream")).isEmpty();
    }

    @Test
    void structuredSuffixJsonContentTypesAreParsed() {
      PayloadContract contract = contract(withPayload("", "type: object"), ValidationMode.ENFORCE);

      assertThat(contract.checkReceive("things", "com.example.thing", bytes("[]"), "application/vnd.thing+json"))
          .hasSize(1);
    }
  }
}
