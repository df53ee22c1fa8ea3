package dev.omnibus.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.contract.Contracts.Change;
import dev.omnibus.contract.Contracts.Change.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two versions of a document compared: each change listed, breaking or not. */
class ContractCompatTest {

  private static final String EXAMPLE = read(Orders.DOCUMENT);
  private static final String PAID = "channels.orderEvents.messages.orderPaid.payload";
  private static final String PLACED = "channels.orderEvents.messages.orderPlaced.payload";

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Change> compareExampleWith(String newText) {
    return Contracts.compare(AsyncApiDocument.parse(EXAMPLE, "old.yaml"), AsyncApiDocument.parse(newText, "new.yaml"));
  }

  /** The example with one piece of text replaced; fails when the text is not there. */
  private static String exampleWith(String old, String replacement) {
    assertThat(EXAMPLE).contains(old);
    return EXAMPLE.replace(old, replacement);
  }

  /** The example's OrderPaid schema, from column 0. */
  private static final String PAID_SCHEMA = """
      OrderPaid:
        type: object
        required: [orderId, totalMinor, currency]
        properties:
          orderId:
            type: string
          totalMinor:
            type: integer
            minimum: 0
          currency:
            type: string
            enum: [EUR, USD, GBP]
      """;

  private static String paidSchema(String replacement) {
    return exampleWith(PAID_SCHEMA.indent(4), replacement.indent(4));
  }

  @Test
  void theSameDocumentHasNoChanges() {
    assertThat(compareExampleWith(EXAMPLE)).isEmpty();
  }

  @Nested
  class ChannelsOperationsAndMessages {

    @Test
    void aRemovedChannelIsBreaking() {
      String other = exampleWith("  orderEvents:\n    address: orders.events", "  otherEvents:\n    address: x")
          .replace("#/channels/orderEvents", "#/channels/otherEvents");

      assertThat(compareExampleWith(other)).contains(
          new Change("channels.orderEvents", Kind.REMOVED, true, true, "channel removed"),
          new Change("channels.otherEvents", Kind.ADDED, false, false, "channel added"));
    }

    @Test
    void aChangedAddressIsBreaking() {
      assertThat(compareExampleWith(exampleWith("address: orders.events", "address: orders.all")))
          .containsExactly(new Change("channels.orderEvents.address", Kind.CHANGED, true, true,
              "address changed from 'orders.events' to 'orders.all'"));
    }

    @Test
    void aRemovedMessageIsBreaking() {
      String without = exampleWith("""
          orderShipped:
            $ref: '#/components/messages/orderShipped'
          """.indent(6), "").replace("      - $ref: '#/channels/orderEvents/messages/orderShipped'\n", "");

      assertThat(compareExampleWith(without)).contains(
          new Change("channels.orderEvents.messages.orderShipped", Kind.REMOVED, true, true,
              "message removed"),
          new Change("operations.consumeOrderEvents.messages", Kind.REMOVED, true, false,
              "no longer receives message 'orderShipped'"));
    }

    @Test
    void aRemovedOperationIsBreaking() {
      String without = EXAMPLE.substring(0, EXAMPLE.indexOf("  consumeOrderEvents:"))
          + EXAMPLE.substring(EXAMPLE.indexOf("components:"));

      assertThat(compareExampleWith(without)).containsExactly(new Change("operations.consumeOrderEvents",
          Kind.REMOVED, true, false, "operation removed (it receives on channel 'orderEvents')"));
    }

    @Test
    void aRemovedSendOperationBreaksConsumersOnly() {
      String without = EXAMPLE.substring(0, EXAMPLE.indexOf("  publishOrderEvents:"))
          + EXAMPLE.substring(EXAMPLE.indexOf("  consumeOrderEvents:"));

      assertThat(compareExampleWith(without)).containsExactly(new Change("operations.publishOrderEvents",
          Kind.REMOVED, false, true, "operation removed (it sends on channel 'orderEvents')"));
    }

    @Test
    void aChangedActionIsBreaking() {
      String flipped = exampleWith("action: receive", "action: send");

      assertThat(compareExampleWith(flipped)).filteredOn(Change::breaking).extracting(Change::path)
          .contains("operations.consumeOrderEvents.action");
    }

    @Test
    void anAddedMessageIsNotBreaking() {
      String more = exampleWith("""
          orderShipped:
            $ref: '#/components/messages/orderShipped'
          """.indent(6), """
          orderShipped:
            $ref: '#/components/messages/orderShipped'
          orderLost:
            payload: {type: object}
          """.indent(6));

      assertThat(compareExampleWith(more)).containsExactly(
          new Change("channels.orderEvents.messages.orderLost", Kind.ADDED, false, false,
              "message added"));
    }
  }

  @Nested
  class Payloads {

    @Test
    void aRemovedPropertyIsBreaking() {
      String removed = paidSchema("""
          OrderPaid:
            type: object
            required: [orderId, currency]
            properties:
              orderId:
                type: string
              currency:
                type: string
                enum: [EUR, USD, GBP]
          """);

      assertThat(compareExampleWith(removed)).contains(new Change(PAID + ".properties.totalMinor", Kind.REMOVED, false, true,
          "property 'totalMinor' removed (consumers may read it)"));
    }

    @Test
    void aNewlyRequiredFieldIsBreaking() {
      String required = paidSchema(PAID_SCHEMA.replace("required: [orderId, totalMinor, currency]",
          "required: [orderId, totalMinor, currency, paidAt]").replace("""
          currency:
      """, """
          paidAt:
            type: string
          currency:
      """));

      assertThat(compareExampleWith(required)).containsExactly(new Change(PAID + ".properties.paidAt", Kind.NARROWED, true,
          false, "required property 'paidAt' added (payloads valid before may now be refused)"));
    }

    @Test
    void anOptionalFieldAddedIsNotBreaking() {
      String optional = paidSchema(PAID_SCHEMA.replace("""
              currency:
          """, """
              paidAt:
                type: string
              currency:
          """));

      assertThat(compareExampleWith(optional)).containsExactly(new Change(PAID + ".properties.paidAt", Kind.ADDED, false,
          false, "optional property 'paidAt' added"));
    }

    @Test
    void aTypeChangeIsBreaking() {
      String changed = paidSchema(PAID_SCHEMA.replace("""
              orderId:
                type: string
          """, """
              orderId:
                type: integer
          """));

      assertThat(compareExampleWith(changed)).containsExactly(new Change(PAID + ".properties.orderId.type", Kind.CHANGED,
          true, true, "type changed from string to integer"));
    }

    @Test
    void aNarrowedEnumIsBreakingAndAWidenedOneIsNot() {
      String narrowed = paidSchema(PAID_SCHEMA.replace("[EUR, USD, GBP]", "[EUR, USD]"));
      String widened = paidSchema(PAID_SCHEMA.replace("[EUR, USD, GBP]", "[EUR, USD, GBP, CHF]"));

      assertThat(compareExampleWith(narrowed)).singleElement().satisfies(change -> {
        assertThat(change.breaking()).isTrue();
        assertThat(change.path()).isEqualTo(PAID + ".properties.currency.enum");
        assertThat(change.description()).startsWith("enum narrowed: removed [\"GBP\"]");
      });
      assertThat(compareExampleWith(widened)).containsExactly(new Change(PAID + ".properties.currency.enum", Kind.WIDENED,
          false, false, "enum widened: added [\"CHF\"]"));
    }

    @Test
    void tightenedConstraintsAreBreakingAndLoosenedOnesAreNot() {
      String tightened = exampleWith("minLength: 1", "minLength: 3").replace("minItems: 1", "minItems: 2")
          .replace("""
              customer:
                type: string
              """.indent(8), """
              customer:
                type: string
                pattern: '^.+@.+$'
                maxLength: 200
              """.indent(8));
      String loosened = exampleWith("minLength: 1", "minLength: 0").replace("minimum: 1", "minimum: 0");

      assertThat(compareExampleWith(tightened)).allMatch(Change::breaking).extracting(Change::path)
          .containsExactlyInAnyOrder(PLACED + ".properties.orderId.minLength", PLACED + ".properties.lines.minItems",
              PLACED + ".properties.customer.pattern", PLACED + ".properties.customer.maxLength");
      assertThat(compareExampleWith(loosened)).noneMatch(Change::breaking).extracting(Change::path)
          .containsExactlyInAnyOrder(PLACED + ".properties.orderId.minLength",
              PLACED + ".properties.lines.items.properties.quantity.minimum");
    }

    @Test
    void aChangedDescriptionIsNotBreaking() {
      String described = exampleWith("description: Total in minor units (cents).", "description: In cents.");

      assertThat(compareExampleWith(described)).containsExactly(new Change(
          PLACED + ".properties.totalMinor.description", Kind.ANNOTATION, false, false, "description changed"));
    }
  }

  @Nested
  class Direction {

    private String document(String action, String required) {
      return """
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          channels:
            notes:
              messages:
                note:
                  payload:
                    type: object
                    required: %s
                    properties:
                      text: {type: string}
                      author: {type: string}
          operations:
            notes:
              action: %s
              channel: {$ref: '#/channels/notes'}
          """.formatted(required, action);
    }

    private List<Change> requireAuthor(String action) {
      return Contracts.compare(AsyncApiDocument.parse(document(action, "[text]"), "old.yaml"),
          AsyncApiDocument.parse(document(action, "[text, author]"), "new.yaml"));
    }

    @Test
    void aFieldNewlyRequiredOnAMessageTheApplicationReceivesIsBreaking() {
      assertThat(requireAuthor("receive")).singleElement().satisfies(change -> {
        assertThat(change.breaking()).isTrue();
        assertThat(change.breaksProducers()).isTrue();
        assertThat(change.breaksConsumers()).isFalse();
        assertThat(change.kind()).isEqualTo(Kind.NARROWED);
        assertThat(change.description()).isEqualTo("property 'author' is now required (payloads valid before may"
            + " now be refused)");
      });
    }

    @Test
    void aFieldNewlyRequiredOnAMessageTheApplicationOnlySendsIsNot() {
      assertThat(requireAuthor("send")).singleElement().satisfies(change -> {
        assertThat(change.breaking()).isFalse();
        assertThat(change.kind()).isEqualTo(Kind.NARROWED);
        assertThat(change.description()).endsWith("(the application only sends this message: old consumers still"
            + " accept what it sends)");
      });
    }
  }

  @Nested
  class CompositionAndVersions {

    private static final String ONE_OF = """
        asyncapi: 3.0.0
        info: {title: Payment instructions, version: 1.0.0}
        channels:
          payments:
            address: payments
            messages:
              instruction:
                payload:
                  oneOf: [{$ref: '#/components/schemas/card'}, {$ref: '#/components/schemas/iban'}]
          refunds:
            address: refunds
            messages:
              cardRefund: {payload: {$ref: '#/components/schemas/card'}}
        operations:
          onInstruction: {action: receive, channel: {$ref: '#/channels/payments'}}
          sendRefund: {action: send, channel: {$ref: '#/channels/refunds'}}
        components:
          schemas:
            card: {type: object, properties: {cardNumber: {type: string}}}
            iban: {type: object, properties: {iban: {type: string}}}
        """;

    @Test
    void oneOfTurnedIntoAnyOfAndARemovedChannelAreListed() {
      String anyOf = ONE_OF.replace("oneOf:", "anyOf:")
          .substring(0, ONE_OF.indexOf("  refunds:")) + ONE_OF.substring(ONE_OF.indexOf("operations:"))
          .replace("  sendRefund: {action: send, channel: {$ref: '#/channels/refunds'}}\n", "");

      List<Change> changes = Contracts.compare(AsyncApiDocument.parse(ONE_OF, "old.yaml"),
          AsyncApiDocument.parse(anyOf, "new.yaml"));

      assertThat(changes).filteredOn(Change::breaking).extracting(Change::path).contains("channels.refunds",
          "operations.sendRefund");
      assertThat(changes).extracting(Change::path).contains(
          "channels.payments.messages.instruction.payload.oneOf.0",
          "channels.payments.messages.instruction.payload.anyOf.0");
    }

    @Test
    void the26AndThe30FormOfOneDocumentAreTheSameContract() {
      AsyncApiDocument v26 = AsyncApiDocument.parse("""
          asyncapi: 2.6.0
          info: {title: Thermostats, version: 1.0.0}
          channels:
            temperature:
              publish:
                operationId: recordTemperature
                message:
                  messageId: temperatureMeasured
                  payload: {$ref: '#/components/schemas/temperature'}
          components:
            schemas:
              temperature:
                type: object
                required: [celsius]
                properties:
                  celsius: {type: number, minimum: -90}
                  sentAt: {type: string, format: date-time}
          """, "v26.yaml");
      String v30 = """
          asyncapi: 3.0.0
          info: {title: Thermostats, version: 1.0.0}
          channels:
            temperature:
              address: temperature
              messages:
                temperatureMeasured:
                  payload: {$ref: '#/components/schemas/temperature'}
          operations:
            recordTemperature:
              action: receive
              channel: {$ref: '#/channels/temperature'}
          components:
            schemas:
              temperature:
                type: object
                required: [celsius]
                properties:
                  celsius: {type: number, minimum: -90}
                  sentAt: {type: string, format: date-time}
          """;

      assertThat(Contracts.compare(v26, AsyncApiDocument.parse(v30, "v30.yaml"))).isEmpty();
      assertThat(Contracts.compare(v26, AsyncApiDocument.parse(v30.replace("-90", "-50"), "v30-tighter.yaml")))
          .extracting(Change::path)
          .containsExactly("channels.temperature.messages.temperatureMeasured.payload.properties.celsius.minimum");
    }
  }

  /** The same comparisons over the AsyncAPI specification's own examples, when the external corpus is there. */
  @Nested
  class SpecExamples {

    @Test
    void theOneOfExampleAgainstTheAnyOfExampleNarrowsTheFirstAlternative() {
      List<Change> changes = Contracts.compare(
          AsyncApiDocument.load(Orders.corpus("asyncapi-spec__v3.0.0__oneof-asyncapi.yml")),
          AsyncApiDocument.load(Orders.corpus("asyncapi-spec__v3.0.0__anyof-asyncapi.yml")));

      assertThat(changes).filteredOn(Change::breaking).extracting(Change::path).contains("channels.test2",
          "operations.sendTest");
      assertThat(changes).extracting(Change::path).contains("channels.test.messages.testMessages.payload.oneOf.0",
          "channels.test.messages.testMessages.payload.anyOf.0");
    }

    @Test
    void the26AndThe30StreetlightsDescribeTheSamePayloads() {
      List<Change> changes = Contracts.compare(
          AsyncApiDocument.load(Orders.corpus("asyncapi-spec__v2.6.0__streetlights-kafka.yml")),
          AsyncApiDocument.load(Orders.corpus("asyncapi-spec__v3.0.0__streetlights-kafka-asyncapi.yml")));

      assertThat(changes).extracting(Change::path).noneMatch(path -> path.contains(".payload"));
    }
  }

  @Nested
  class TheCommand {

    private int run(Path older, Path newer, ByteArrayOutputStream out) {
      return CompatCommand.run(new String[] {older.toString(), newer.toString()},
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void exitsWithOneAndMarksTheBreakingChanges(@TempDir Path dir) throws IOException {
      Path newer = Files.writeString(dir.resolve("new.yaml"),
          paidSchema(PAID_SCHEMA.replace("[EUR, USD, GBP]", "[EUR, USD]")).replace("description: Total in minor"
              + " units (cents).", "description: In cents."));
      ByteArrayOutputStream out = new ByteArrayOutputStream();

      assertThat(run(Orders.DOCUMENT, newer, out)).isEqualTo(1);
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
          Compatibility of %s with %s
          ok                    %s.properties.totalMinor.description: description changed
          BREAKING (producers)  %s.properties.currency.enum: enum narrowed: removed ["GBP"] (payloads valid before \
          may now be refused)
          2 changes, 1 breaking (1 for producers, 0 for consumers).
          """.formatted(newer, Orders.DOCUMENT, PLACED, PAID));
    }

    @Test
    void exitsWithZeroWhenNothingBreaks(@TempDir Path dir) throws IOException {
      Path newer = Files.writeString(dir.resolve("new.yaml"),
          paidSchema(PAID_SCHEMA.replace("[EUR, USD, GBP]", "[EUR, USD, GBP, CHF]")));
      ByteArrayOutputStream out = new ByteArrayOutputStream();

      assertThat(run(Orders.DOCUMENT, newer, out)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("1 change, 0 breaking.\n");
    }

    @Test
    void exitsWithTwoWhenADocumentCannotBeRead(@TempDir Path dir) {
      assertThat(run(Orders.DOCUMENT, dir.resolve("missing.yaml"), new ByteArrayOutputStream())).isEqualTo(2);
    }
  }
}
