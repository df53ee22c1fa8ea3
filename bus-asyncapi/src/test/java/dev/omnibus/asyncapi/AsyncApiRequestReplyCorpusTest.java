package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.ConfigurationReader;
import dev.omnibus.ConfigurationReader.Reply;
import dev.omnibus.ValidationMode;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The request/reply examples of the AsyncAPI specification in the external corpus ({@link Corpus}) load through the
 * reader, and their replies and correlation IDs reach the bus as the documents write them:
 *
 * <ul>
 *   <li>the RabbitMQ RPC pair (rpc-server / rpc-client, 2.0, 2.6 and 3.0): no {@code reply} object (the 3.0 versions
 *       are conversions of the 2.x ones, where a request and its response are two operations on two channels), so
 *       no channel has a reply; the {@code correlationId} of every message is read;
 *   <li>Adeo's Kafka case study: a reply channel with an address and a runtime reply address (the
 *       {@code REPLY_TOPIC} header), correlated by a {@code components.correlationIds} entry;
 *   <li>the two Kraken WebSocket examples: they declare no server (and Omnibus has no WebSocket binding), so they
 *       are read with a server given in code; their replies go to channels, several operations replying on one.
 * </ul>
 */
class AsyncApiRequestReplyCorpusTest {

  private static Path examples;

  @BeforeAll
  static void corpus() {
    examples = Corpus.dir().resolve("asyncapi-examples");
  }

  private static ConfigurationReader.Result read(String file, @Nullable ServerConfig server,
      @Nullable String serverName, Map<String, Credentials> credentials) {
    Path document = examples.resolve(file);
    assertThat(document).as("corpus file").exists();
    return new AsyncApiReader().read(new ConfigurationReader.Request(document, server, serverName, Map.of(),
        credentials, name -> null, ValidationMode.ENFORCE, List.of()));
  }

  private static ConfigurationReader.Channel channel(ConfigurationReader.Result result, String id) {
    return result.channels().stream().filter(channel -> channel.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void the_rpc_pair_loads_on_its_amqp_server_without_a_reply_object_and_with_its_correlation_ids() throws Exception {
    for (String file : List.of("asyncapi-spec__v3.0.0__rpc-server-asyncapi.yml",
        "asyncapi-spec__v3.0.0__rpc-client-asyncapi.yml", "asyncapi-spec__v2.6.0__rpc-server.yml",
        "asyncapi-spec__v2.6.0__rpc-client.yml", "asyncapi-spec__v2.0.0__rpc-server.yml",
        "asyncapi-spec__v2.0.0__rpc-client.yml")) {
      ConfigurationReader.Result result = read(file, null, null, Map.of());
      assertThat(result.server().protocol()).as(file).isEqualTo("amqp");
      assertThat(result.channels()).as(file).hasSize(2).allSatisfy(channel -> assertThat(channel.reply()).isNull());
      AsyncApiDocument document = AsyncApiDocument.load(examples.resolve(file));
      assertThat(document.operations()).as(file).hasSize(2).allSatisfy(operation -> {
        assertThat(operation.reply()).isNull();
        assertThat(operation.messages()).singleElement().extracting(AsyncApiMessage::correlationLocation)
            .isEqualTo("$message.header#/correlation_id");
      });
    }
    assertThat(Files.readString(examples.resolve("asyncapi-spec__v3.0.0__rpc-server-asyncapi.yml")))
        .as("the 3.0 rpc-server example has no reply object").doesNotContain("reply:");
  }

  @Test
  void adeos_kafka_responder_replies_to_the_topic_in_the_request_header() {
    ConfigurationReader.Result result = read("asyncapi-spec__v3.0.0__adeo-kafka-request-reply-asyncapi.yml", null,
        "production", Map.of("production", Credentials.of("svc-ccr-app", "not-a-secret")));
    assertThat(result.server().protocol()).isEqualTo("kafka-secure");
    assertThat(channel(result, "costingRequest").reply()).isEqualTo(new Reply("operations.requestCosting.reply",
        "costingResponse", "adeo-{env}-case-study-COSTING-RESPONSE-{version}", "$message.header#/REPLY_TOPIC",
        List.of("CostingResponse"), "$message.header#/REQUEST_ID"));
    assertThat(channel(result, "costingResponse").reply()).isNull();
  }

  @Test
  void krakens_multiple_channels_example_replies_on_channels_of_their_own() {
    ConfigurationReader.Result result = read(
        "asyncapi-spec__v3.0.0__kraken-websocket-request-reply-multiple-channels-asyncapi.yml",
        ServerConfig.of("code", "memory", "local"), null, Map.of());
    assertThat(channel(result, "ping").reply()).isEqualTo(new Reply("operations.receivePing.reply", "pong", "/",
        null, List.of("pong"), "$message.payload#/reqid"));
    assertThat(channel(result, "subscribe").reply()).isEqualTo(new Reply("operations.subscribe.reply",
        "currencyInfo", "/", null, List.of("subscriptionStatus", "dummyCurrencyInfo"), "$message.payload#/reqid"));
    assertThat(channel(result, "unsubscribe").reply()).isEqualTo(new Reply("operations.unsubscribe.reply",
        "currencyInfo", "/", null, List.of("subscriptionStatus"), "$message.payload#/reqid"));
    assertThat(channel(result, "heartbeat").reply()).isNull();
  }

  @Test
  void krakens_message_filter_example_makes_one_reply_of_the_three_operations_on_its_one_channel() {
    ConfigurationReader.Result result = read(
        "asyncapi-spec__v3.0.0__kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml",
        ServerConfig.of("code", "memory", "local"), null, Map.of());
    assertThat(result.channels()).singleElement().satisfies(channel -> assertThat(channel.reply())
        .isEqualTo(new Reply("operations.receivePing.reply", "currencyExchange", "/", null,
            List.of("pong", "subscriptionStatus", "dummyCurrencyInfo"), "$message.payload#/reqid")));
  }
}
