package dev.omnibus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiDocument;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the page says about a document, in HTML and in Markdown. */
class AsyncApiDocsTest {

  private static final AsyncApiDocs SHIPPING = AsyncApiDocs.of(Documents.shipping());
  private static final String HTML = SHIPPING.html();
  private static final String MARKDOWN = SHIPPING.markdown();

  @Nested
  class Escaping {

    @Test
    void markupInADescriptionIsEscapedInHtml() {
      assertThat(HTML).contains("Parcels on their way. &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;"
          + " friends.");
      assertThat(HTML).doesNotContain("<script");
      assertThat(HTML).contains("<title>Shipping &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; 2.1.0"
          + "</title>");
    }

    @Test
    void markupInADescriptionIsEscapedInMarkdown() {
      assertThat(MARKDOWN).contains("Parcels on their way. &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; friends.")
          .contains("A second paragraph with \\*emphasis\\* and \\| pipes \\|.")
          .doesNotContain("<script");
    }

    @Test
    void thePageFetchesNothingAndRunsNoScript() {
      assertThat(HTML).doesNotContainPattern("(?i)<script|<link rel=\"stylesheet\"|src=|@import|url\\(")
          .contains("<style>");
    }

    @Test
    void idsOfTwoNamesNeverCollide() {
      assertThat(PageIds.channel("user/signedup")).isNotEqualTo(PageIds.channel("user.signedup"))
          .matches("[A-Za-z0-9_-]+");
    }
  }

  @Nested
  class Sections {

    @Test
    void serversAreListedWithTheirVariablesAndSecurity() {
      assertThat(MARKDOWN).contains("| [production](#server-production) | Kafka | `{cluster}.kafka.example.com:9092` |"
          + " The production cluster. |")
          .contains("| `cluster` | `eu` | `eu`, `us` | environment `OMNIBUS_VAR_CLUSTER`. Which region. |")
          .contains("- `scram`: scramSha512 — SCRAM with the team's account.")
          .contains("WebSocket (`ws`) at `ws.example.com`. Omnibus has no binding for this protocol.");
    }

    @Test
    void channelParametersAreATable() {
      assertThat(MARKDOWN).contains("| Parameter | Allowed values | Default | Location | Description |")
          .contains("| `{region}` | `eu`, `us` | `eu` | — | The region the parcel ships from. |");
    }

    @Test
    void operationsSayWhatTheServiceDoes() {
      assertThat(MARKDOWN).contains("| `shipParcel` | sends | [parcels](#channel-parcels) |")
          .contains("| `trackParcel` | receives | [parcels](#channel-parcels) |");
    }

    @Test
    void payloadSchemasAreTablesWithNestedFieldsAndConstraints() {
      assertThat(MARKDOWN).contains("| `parcelId` | string (uuid) | yes | The parcel's id. |")
          .contains("| `weightGrams` | integer | yes | From 1 to 31500. |")
          .contains("| `carrier` | string | no | One of `DHL`, `UPS`. |")
          .contains("| `dimensions.tags` | array of string | no |  |");
    }

    @Test
    void aMessageWithoutExamplesGetsOneMadeFromItsSchema() {
      assertThat(MARKDOWN).contains("*Made from the payload schema*")
          .contains("\"parcelId\" : \"3f2504e0-4f89-41d3-9a0c-0305e82c3301\"")
          .contains("\"weightGrams\" : 1,");
    }

    @Test
    void aMessagesOwnExamplesAreShownInsteadOfAMadeOne() {
      String labels = MARKDOWN.substring(MARKDOWN.indexOf("### `labelPrinted`"));
      assertThat(labels).contains("*Front desk: The printer by the door. (from the document)*")
          .contains("\"printer\" : \"front-desk\"");
      assertThat(labels.substring(0, labels.indexOf("## Delivery semantics")))
          .doesNotContain("Made from the payload schema");
    }

    @Test
    void bindingsAreSaidInWords() {
      assertThat(MARKDOWN)
          .contains("- **Kafka**: Topic `shipping.parcels`. 12 partitions. Replication factor 3. Topic configuration:"
              + " `retention.ms=604800000`.")
          .contains("- **AMQP 0-9-1**: Messages are published to exchange `shipping` (topic), durable; the channel"
              + " address is the routing key.")
          .contains("- **AMQP 0-9-1**: The address names a queue `shipping.labels`, durable; consumers read it")
          .contains("- **MQTT**: QoS 2 (exactly once). Not retained.")
          .contains("- **MQTT**: Client id `shipping-1`. Persistent sessions (cleanSession: false). Keep-alive 60 s.")
          .contains("- **Kafka**: Consumer group id `tracking`");
    }
  }

  @Nested
  class Delivery {

    private String section(String server) {
      String from = MARKDOWN.substring(MARKDOWN.indexOf("### On `" + server + "`"));
      int next = from.indexOf("### On ", 5);
      return next < 0 ? from : from.substring(0, next);
    }

    @Test
    void kafkaOrdersByKeyAndDeadLettersToTheTopicDotDlq() {
      assertThat(section("production"))
          .contains("The ordering key is the event's `partitionkey` extension, else its `subject`.")
          .contains("The record key: one partition per key, in order (12 partitions).")
          .contains("`shipping.parcels.dlq`, for every group.")
          .contains("so at most 12 work at once.");
    }

    @Test
    void retriesComeFromTheReceiveOperationBeforeTheChannel() {
      // trackParcel (receive) says 4 attempts, the channel 3: the operation's wins, the channel's backoffs stay.
      assertThat(section("production")).contains("4 attempts, waiting up to 1 s, 2 s, 4 s (less a random 50% at"
          + " most), then dead letters. From the document's `x-omnibus-retry-*`.");
    }

    @Test
    void aChannelWithoutRetryOptionsGetsTheBusDefaults() {
      assertThat(section("rabbit")).contains("5 attempts, waiting up to 100 ms, 200 ms, 400 ms, 800 ms (less a"
          + " random 50% at most), then dead letters. The bus's defaults.");
    }

    @Test
    void rabbitMqDeadLettersPerGroupAndPerQueueChannel() {
      assertThat(section("rabbit")).contains("`parcels.{region}.events.<group>.dlq`, a durable queue per group")
          .contains("`shipping.labels.dlq`, for every group.")
          .contains("50 unacknowledged deliveries per subscription (`x-omnibus-prefetch`)");
    }

    @Test
    void mqttDeadLettersToTheTopicSlashDlqWithParametersAsUnderscores() {
      assertThat(section("mosquitto")).contains("`parcels._.events/dlq`, for every group.")
          .contains("not per key across a group's members")
          .doesNotContain("labels"); // limited to the rabbit server
    }

    @Test
    void aProtocolWithoutBindingSaysSoAndHasNoTable() {
      assertThat(section("socket")).contains("Omnibus has no binding for protocol `ws`")
          .doesNotContain("| Channel |");
    }

    @Test
    void validationFollowsTheModeTheBusIsBuiltWith() {
      assertThat(section("local")).contains("Enforced: an invalid payload is refused on publish and dead-lettered on"
          + " receive.");
      assertThat(SHIPPING.validation(ValidationMode.WARN).markdown())
          .contains("Warn: an invalid payload is logged and goes on.");
      assertThat(SHIPPING.validation(ValidationMode.OFF).markdown()).contains("Off: payloads are not checked.")
          .doesNotContain("Enforced:");
    }
  }

  @Test
  void aTwoPointXDocumentRendersItsOperationsFromTheServicesSide() {
    AsyncApiDocument document = AsyncApiDocument.parse("""
        asyncapi: 2.6.0
        info: {title: Lights, version: '1'}
        servers:
          broker: {url: 'mqtt://test.example.com:1883', protocol: mqtt}
        channels:
          light/{id}/measured:
            parameters:
              id: {schema: {type: string}, description: The light's id.}
            publish:
              operationId: receiveMeasurement
              message:
                name: measured
                payload: {type: object, properties: {lumens: {type: integer, minimum: 0}}}
        """, "lights.yaml");
    String markdown = AsyncApiDocs.of(document).markdown();
    assertThat(markdown).contains("| `receiveMeasurement` | receives |")
        .contains("| `{id}` | any | — | — | The light's id. |")
        .contains("\"lumens\" : 0")
        .contains("`light/_/measured/dlq`, for every group.");
  }

  @Test
  void aDocumentWithNothingButInfoStillRenders() {
    AsyncApiDocs docs = AsyncApiDocs.of(AsyncApiDocument.parse("asyncapi: 3.0.0\ninfo: {title: Empty, version: '0'}\n",
        "empty.yaml"));
    assertThat(docs.markdown()).contains("The document declares no server", "The document declares no channel.",
        "The document declares no operation.", "The document declares no message.");
    assertThat(docs.html()).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
  }

  @Test
  void writeCreatesTheHtmlAndMarkdownFiles(@TempDir Path dir) throws Exception {
    List<Path> files = SHIPPING.write(dir.resolve("docs"));
    assertThat(files).extracting(path -> path.getFileName().toString()).containsExactly("index.html", "index.md");
    assertThat(Files.readString(files.get(0), StandardCharsets.UTF_8)).isEqualTo(HTML);
    assertThat(Files.readString(files.get(1), StandardCharsets.UTF_8)).isEqualTo(MARKDOWN);
  }
}
