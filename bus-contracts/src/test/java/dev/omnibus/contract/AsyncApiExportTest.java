package dev.omnibus.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.omnibus.EventType;
import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.AsyncApiMessage;
import dev.omnibus.asyncapi.AsyncApiContracts;
import dev.omnibus.asyncapi.PayloadContract;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** An AsyncAPI 3.0 document made from event types: stable, loadable, and agreeing with what the bus writes. */
class AsyncApiExportTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  enum Priority { LOW, HIGH }

  record Address(String street, @Nullable String city) {}

  record Shipment(
      String id,
      int pieces,
      Integer boxedPieces,
      long weightGrams,
      double price,
      boolean fragile,
      Priority priority,
      Instant createdAt,
      OffsetDateTime promisedAt,
      LocalDate day,
      LocalDateTime localTime,
      Duration window,
      UUID trace,
      List<String> tags,
      Set<Integer> codes,
      String[] aliases,
      Map<String, Long> counts,
      Address to,
      List<Address> stops,
      Optional<String> note,
      @Nullable String comment,
      @Nullable Address returnTo,
      byte[] blob) {}

  record Node(String name, List<Node> children) {}

  static final EventType<Shipment> SHIPPED = EventType.of("com.example.shipment.v1", Shipment.class)
      .channel("shipments");
  static final EventType<Node> TREE = EventType.of("com.example.tree.v1", Node.class).channel("trees");
  static final EventType<String> NOTE = EventType.of("com.example.note.v1", String.class).channel("notes");

  private static JsonNode tree(String yaml) throws Exception {
    return YAML.readTree(yaml);
  }

  private static JsonNode shipment() throws Exception {
    return tree(Contracts.export(List.of(SHIPPED))).at("/components/schemas/Shipment");
  }

  @Nested
  class PayloadSchemasFromJavaTypes {

    @Test
    void recordsBecomeNamedObjectSchemasWithPropertiesInDeclarationOrder() throws Exception {
      JsonNode schema = shipment();

      assertThat(schema.path("type").asText()).isEqualTo("object");
      List<String> names = new ArrayList<>();
      schema.path("properties").fieldNames().forEachRemaining(names::add);
      assertThat(names).startsWith("id", "pieces", "boxedPieces").endsWith("returnTo", "blob");
    }

    @Test
    void primitivesAndBoxedNumbersAreIntegersAndNumbersWithTheirSize() throws Exception {
      JsonNode properties = shipment().path("properties");

      assertThat(properties.path("pieces").toString()).isEqualTo("{\"type\":\"integer\",\"format\":\"int32\"}");
      assertThat(properties.path("boxedPieces").toString()).isEqualTo(properties.path("pieces").toString());
      assertThat(properties.path("weightGrams").path("format").asText()).isEqualTo("int64");
      assertThat(properties.path("price").path("type").asText()).isEqualTo("number");
      assertThat(properties.path("fragile").path("type").asText()).isEqualTo("boolean");
    }

    @Test
    void enumsListTheirConstants() throws Exception {
      assertThat(shipment().at("/properties/priority").toString())
          .isEqualTo("{\"type\":\"string\",\"enum\":[\"LOW\",\"HIGH\"]}");
    }

    @Test
    void javaTimeTypesAreStringsWithAFormatOrPattern() throws Exception {
      JsonNode properties = shipment().path("properties");

      assertThat(properties.at("/createdAt/format").asText()).isEqualTo("date-time");
      assertThat(properties.at("/promisedAt/format").asText()).isEqualTo("date-time");
      assertThat(properties.at("/day/format").asText()).isEqualTo("date");
      assertThat(properties.at("/localTime/pattern").asText()).startsWith("^\\d{4}-");
      assertThat(properties.at("/window/type").asText()).isEqualTo("number"); // the mapper writes seconds
      assertThat(properties.at("/trace/format").asText()).isEqualTo("uuid");
    }

    @Test
    void collectionsArraysAndMapsDescribeTheirElements() throws Exception {
      JsonNode properties = shipment().path("properties");

      assertThat(properties.path("tags").toString()).isEqualTo("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
      assertThat(properties.path("codes").path("uniqueItems").asBoolean()).isTrue();
      assertThat(properties.at("/aliases/items/type").asText()).isEqualTo("string");
      assertThat(properties.at("/counts/additionalProperties/format").asText()).isEqualTo("int64");
      assertThat(properties.at("/blob/contentEncoding").asText()).isEqualTo("base64");
    }

    @Test
    void nestedRecordsAreReferencedAndDescribedOnce() throws Exception {
      JsonNode document = tree(Contracts.export(List.of(SHIPPED)));

      assertThat(document.at("/components/schemas/Shipment/properties/to/$ref").asText())
          .isEqualTo("#/components/schemas/Address");
      assertThat(document.at("/components/schemas/Shipment/properties/stops/items/$ref").asText())
          .isEqualTo("#/components/schemas/Address");
      assertThat(document.at("/components/schemas/Address/required").toString()).isEqualTo("[\"street\"]");
    }

    @Test
    void optionalAndNullableComponentsAreNotRequiredAndMayBeNull() throws Exception {
      JsonNode schema = shipment();
      List<String> required = new ArrayList<>();
      schema.path("required").forEach(name -> required.add(name.asText()));

      assertThat(required).contains("id", "pieces", "to", "blob").doesNotContain("note", "comment", "returnTo");
      assertThat(schema.at("/properties/comment/type").toString()).isEqualTo("[\"string\",\"null\"]");
      assertThat(schema.at("/properties/note/type").toString()).isEqualTo("[\"string\",\"null\"]");
      assertThat(schema.at("/properties/returnTo/anyOf").toString())
          .isEqualTo("[{\"$ref\":\"#/components/schemas/Address\"},{\"type\":\"null\"}]");
    }

    @Test
    void recursiveRecordsReferToThemselves() throws Exception {
      JsonNode document = tree(Contracts.export(List.of(TREE)));

      assertThat(document.at("/components/schemas/Node/properties/children/items/$ref").asText())
          .isEqualTo("#/components/schemas/Node");
    }

    @Test
    void whatTheBusWritesIsValidAgainstTheExportedSchema() throws Exception {
      AsyncApiDocument exported = AsyncApiDocument.parse(Contracts.export(List.of(SHIPPED)), "export.yaml");
      PayloadContract contract = AsyncApiContracts.compile(exported, "none", ValidationMode.ENFORCE, List.of(SHIPPED));
      Shipment shipment = new Shipment("s-1", 2, 3, 1500L, 9.5, true, Priority.HIGH, Instant.parse(
          "2026-01-02T03:04:05Z"), OffsetDateTime.of(2026, 1, 3, 10, 0, 0, 0, ZoneOffset.ofHours(2)),
          LocalDate.of(2026, 1, 2), LocalDateTime.of(2026, 1, 2, 3, 4), Duration.ofHours(4), UUID.randomUUID(),
          List.of("a"), Set.of(1), new String[] {"x"}, Map.of("k", 1L), new Address("Main St", null), List.of(),
          Optional.empty(), null, null, new byte[] {1, 2});
      byte[] json = dev.omnibus.PayloadCodec.defaultMapper().registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
          .addSerializer(new OptionalAsNull())).writeValueAsBytes(shipment);

      assertThat(contract.checkReceive("shipments", SHIPPED.type(), json, "application/json")).isEmpty();
    }
  }

  @Nested
  class Messages {

    @Test
    void eachTypeIsAMessageWithItsCloudEventsTypeAndBinaryModeHeaders() throws Exception {
      JsonNode message = tree(Contracts.export(List.of(NOTE))).at("/components/messages/string");

      assertThat(message.path("x-omnibus-type").asText()).isEqualTo("com.example.note.v1");
      assertThat(message.path("contentType").asText()).isEqualTo("text/plain; charset=utf-8");
      assertThat(message.at("/headers/required").toString())
          .isEqualTo("[\"ce_id\",\"ce_source\",\"ce_specversion\",\"ce_type\"]");
      assertThat(message.at("/headers/properties/ce_specversion/const").asText()).isEqualTo("1.0");
      assertThat(message.at("/headers/properties/ce_type/const").asText()).isEqualTo("com.example.note.v1");
      assertThat(message.at("/payload/type").asText()).isEqualTo("string");
    }

    @Test
    void withoutADocumentEachChannelGetsASendAndAReceiveOperation() throws Exception {
      JsonNode document = tree(Contracts.export(List.of(NOTE)));

      assertThat(document.at("/channels/notes/address").asText()).isEqualTo("notes");
      assertThat(document.at("/operations/sendNotes/action").asText()).isEqualTo("send");
      assertThat(document.at("/operations/receiveNotes/action").asText()).isEqualTo("receive");
      assertThat(document.at("/operations/receiveNotes/messages/0/$ref").asText())
          .isEqualTo("#/channels/notes/messages/string");
    }

    @Test
    void theExportLoadsAndItsMessagesCarryTheTypes() {
      AsyncApiDocument loaded = AsyncApiDocument.parse(Contracts.export(List.of(SHIPPED, TREE, NOTE)), "e.yaml");

      assertThat(loaded.channels()).containsOnlyKeys("notes", "shipments", "trees");
      assertThat(loaded.channels().get("shipments").messages()).extracting(AsyncApiMessage::cloudEventType)
          .containsExactly("com.example.shipment.v1");
    }
  }

  @Nested
  class WithTheExampleDocument {

    private final AsyncApiDocument example = AsyncApiDocument.load(Orders.DOCUMENT);

    @Test
    void theOutputIsTheSameWhateverTheOrderOfTheTypes() {
      List<EventType<?>> reversed = new ArrayList<>(Orders.ALL);
      java.util.Collections.reverse(reversed);

      assertThat(Contracts.export(example, reversed)).isEqualTo(Contracts.export(example, Orders.ALL));
    }

    @Test
    void exportingTheLoadedExportAgainGivesTheSameDocument() {
      String first = Contracts.export(example, Orders.ALL);
      String second = Contracts.export(AsyncApiDocument.parse(first, "export.yaml"), Orders.ALL);

      assertThat(second).isEqualTo(first);
    }

    @Test
    void theDocumentsServersAddressesOperationsAndMessageNamesAreKept() throws Exception {
      JsonNode document = tree(Contracts.export(example, Orders.ALL));

      List<String> servers = new ArrayList<>();
      document.path("servers").fieldNames().forEachRemaining(servers::add);
      assertThat(servers).containsExactly("kafka", "local", "mqtt", "rabbitmq");
      assertThat(document.at("/servers/kafka/host").asText()).isEqualTo("{host}:{port}");
      assertThat(document.at("/servers/kafka/variables/port/default").asText()).isEqualTo("9092");
      assertThat(document.at("/channels/orderEvents/address").asText()).isEqualTo("orders.events");
      assertThat(document.at("/operations/publishOrderEvents/action").asText()).isEqualTo("send");
      assertThat(document.at("/operations/consumeOrderEvents/action").asText()).isEqualTo("receive");
      assertThat(document.at("/components/messages/orderPaid/x-omnibus-type").asText())
          .isEqualTo("com.example.orders.paid.v1");
    }

    @Test
    void theExportIsACompatibleSuccessorOfTheHandWrittenDocument() {
      AsyncApiDocument exported = AsyncApiDocument.parse(Contracts.export(example, Orders.ALL), "export.yaml");

      assertThat(Contracts.compare(example, exported)).filteredOn(Contracts.Change::breaking).isEmpty();
    }

    @Test
    void theExportValidatesTheRegisteredTypesWithoutDrift() {
      AsyncApiDocument exported = AsyncApiDocument.parse(Contracts.export(example, Orders.ALL), "export.yaml");
      PayloadContract contract = AsyncApiContracts.compile(exported, "local", ValidationMode.ENFORCE, Orders.ALL);

      assertThat(contract.checkReceive("orderEvents", Orders.ORDER_PAID.type(),
          "{\"orderId\":\"o\",\"totalMinor\":\"ten\",\"currency\":\"EUR\"}".getBytes(StandardCharsets.UTF_8),
          "application/json")).extracting(ValidationExceptionPointer::of).containsExactly("/totalMinor");
    }
  }

  @Nested
  class TheCommand {

    @Test
    void printsTheExportOfTheStaticEventTypeFieldsOfAClass() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      int status = ExportCommand.run(new String[] {Orders.DOCUMENT.toString(), Orders.class.getName()},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

      assertThat(status).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8))
          .isEqualTo(Contracts.export(AsyncApiDocument.load(Orders.DOCUMENT), Orders.ALL));
    }

    @Test
    void withoutEventTypesItFailsWithUsage() {
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      int status = ExportCommand.run(new String[] {"-", String.class.getName()}, new PrintStream(
          new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true,
          StandardCharsets.UTF_8));

      assertThat(status).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("no static EventType fields in java.lang.String");
    }
  }

  /** Writes an empty {@code Optional} as {@code null}, as jackson-datatype-jdk8 would. */
  static final class OptionalAsNull extends com.fasterxml.jackson.databind.ser.std.StdSerializer<Optional<?>> {

    @SuppressWarnings({"unchecked", "rawtypes"})
    OptionalAsNull() {
      super((Class) Optional.class);
    }

    @Override
    public void serialize(Optional<?> value, com.fasterxml.jackson.core.JsonGenerator generator,
        com.fasterxml.jackson.databind.SerializerProvider provider) throws java.io.IOException {
      if (value.isPresent()) {
        provider.defaultSerializeValue(value.get(), generator);
      } else {
        generator.writeNull();
      }
    }
  }

  /** The pointer of a violation. */
  static final class ValidationExceptionPointer {
    static String of(dev.omnibus.ValidationException.Violation violation) {
      return violation.pointer();
    }
  }
}
