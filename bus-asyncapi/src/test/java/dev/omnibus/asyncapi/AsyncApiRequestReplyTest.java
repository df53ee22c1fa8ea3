package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.ConfigurationReader;
import dev.omnibus.ConfigurationReader.Reply;
import dev.omnibus.ValidationMode;
import dev.omnibus.spi.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * An AsyncAPI 3 operation's {@code reply} (inline or from {@code components.replies}, its address inline or from
 * {@code components.replyAddresses}) and the {@code correlationId} of messages (inline or from
 * {@code components.correlationIds}) reach the bus as {@link ConfigurationReader.Channel#reply()} of the request
 * channel; a reply that cannot be used is refused with its document path.
 */
class AsyncApiRequestReplyTest {

  private static ConfigurationReader.Result read(String resource) {
    return read(resource, null);
  }

  private static ConfigurationReader.Result read(String resource, @Nullable ServerConfig server) {
    return new AsyncApiReader().read(new ConfigurationReader.Request(resource, server, null, Map.of(), Map.of(),
        name -> null, ValidationMode.ENFORCE, List.of()));
  }

  private static ConfigurationReader.Channel channel(ConfigurationReader.Result result, String id) {
    return result.channels().stream().filter(channel -> channel.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void the_rabbitmq_responder_replies_to_the_queue_each_request_names() {
    ConfigurationReader.Result result = read("documents/request-reply/rpc-server-rabbitmq.yaml");
    assertThat(channel(result, "rpcQueue").reply()).isEqualTo(new Reply("operations.sum.reply", "sumResults", null,
        "$message.header#/replyTo", List.of("com.example.rpc.sum-result.v1"), "$message.header#/correlation_id"));
    assertThat(channel(result, "sumResults").reply()).isNull();
  }

  @Test
  void the_rabbitmq_requester_names_the_reply_queue_in_each_request_and_reads_the_results_there() {
    ConfigurationReader.Result result = read("documents/request-reply/rpc-client-rabbitmq.yaml");
    assertThat(channel(result, "rpcQueue").reply()).isEqualTo(new Reply("operations.requestSum.reply", "sumResults",
        null, "$message.header#/replyTo", List.of("com.example.rpc.sum-result.v1"),
        "$message.header#/correlation_id"));
  }

  @Test
  void the_kafka_requester_reads_replies_from_a_static_topic_carrying_every_message_of_the_reply_channel() {
    ConfigurationReader.Result result = read("documents/request-reply/costing-kafka.yaml");
    assertThat(channel(result, "costingRequests").reply()).isEqualTo(new Reply("operations.requestCosting.reply",
        "costingResponses", "costing.responses", null,
        List.of("com.example.costing.computed.v1", "com.example.costing.failed.v1"), "$message.header#/REQUEST_ID"));
  }

  @Test
  void the_mqtt_responder_takes_the_correlation_of_the_request_when_the_reply_declares_none() {
    ConfigurationReader.Result result = read("documents/request-reply/lights-mqtt.yaml");
    assertThat(channel(result, "dimCommands").reply()).isEqualTo(new Reply("operations.dim.reply", "dimAcks",
        "lights/{lightId}/dim/ack", "$message.header#/responseTopic", List.of("com.example.lights.dimmed.v1"),
        "$message.header#/correlationData"));
  }

  @Test
  void the_document_model_keeps_the_reply_and_the_correlation_ids() {
    AsyncApiDocument document = AsyncApiDocument.fromClasspath("documents/request-reply/rpc-server-rabbitmq.yaml");
    AsyncApiOperation sum = document.operations().get(0);
    assertThat(sum.reply()).isNotNull();
    assertThat(sum.reply().channelId()).isEqualTo("sumResults");
    assertThat(sum.reply().addressLocation()).isEqualTo("$message.header#/replyTo");
    assertThat(sum.reply().messages()).extracting(AsyncApiMessage::name).containsExactly("sumResult");
    assertThat(sum.messages()).extracting(AsyncApiMessage::correlationLocation)
        .containsExactly("$message.header#/correlation_id");
    assertThat(document.object("operations.sum.reply")).isPresent();
  }

  @Test
  void a_document_without_replies_gives_channels_without_one() {
    ConfigurationReader.Result result = read("documents/payment-instructions.yaml",
        ServerConfig.of("code", "memory", "local"));
    assertThat(result.channels()).isNotEmpty().allSatisfy(channel -> assertThat(channel.reply()).isNull());
  }

  @Test
  void a_2x_message_correlation_id_is_read_too() {
    AsyncApiDocument document = AsyncApiDocument.parse("""
        asyncapi: 2.6.0
        info: {title: t, version: '1'}
        channels:
          rpc_queue:
            publish:
              message:
                correlationId: {location: '$message.header#/correlation_id'}
                payload: {type: object}
        """, "rpc-2.yaml");
    assertThat(document.operations().get(0).messages().get(0).correlationLocation())
        .isEqualTo("$message.header#/correlation_id");
    assertThat(document.operations().get(0).reply()).isNull();
  }

  // ---------------------------------------------------------------- several operations on one request channel

  private static final String PING_PONG = """
      asyncapi: 3.0.0
      info: {title: t, version: '1'}
      channels:
        exchange:
          address: exchange
          messages:
            ping: {payload: {type: object}, correlationId: {location: '$message.payload#/reqid'}}
            subscribe: {payload: {type: object}}
            pong: {payload: {type: object}}
            status: {payload: {type: object}}
        other:
          address: other
          messages:
            pong: {payload: {type: object}}
      operations:
        receivePing:
          action: receive
          channel: {$ref: '#/channels/exchange'}
          messages: [{$ref: '#/channels/exchange/messages/ping'}]
          reply:
            channel: {$ref: '#/channels/exchange'}
            messages: [{$ref: '#/channels/exchange/messages/pong'}]
        receiveSubscribe:
          action: receive
          channel: {$ref: '#/channels/exchange'}
          messages: [{$ref: '#/channels/exchange/messages/subscribe'}]
          reply:
            channel: {$ref: '#/channels/%s'}
            messages: [{$ref: '#/channels/%s/messages/%s'}]
      """;

  @Test
  void operations_replying_the_same_way_on_one_channel_make_one_reply_with_all_their_messages() {
    AsyncApiDocument document = AsyncApiDocument.parse(PING_PONG.formatted("exchange", "exchange", "status"),
        "ping.yaml");
    Reply reply = AsyncApiReader.reply(document, document.channels().get("exchange"));
    assertThat(reply).isEqualTo(new Reply("operations.receivePing.reply", "exchange", "exchange", null,
        List.of("pong", "status"), "$message.payload#/reqid"));
  }

  @Test
  void operations_replying_differently_on_one_channel_keep_the_first_reply_with_a_warning() {
    AsyncApiDocument document = AsyncApiDocument.parse(PING_PONG.formatted("other", "other", "pong"), "ping.yaml");
    Reply[] reply = new Reply[1];
    String log = loggedWhile(() -> reply[0] = AsyncApiReader.reply(document, document.channels().get("exchange")));
    assertThat(reply[0].path()).isEqualTo("operations.receivePing.reply");
    assertThat(reply[0].messageTypes()).containsExactly("pong");
    assertThat(log).contains("WARN", "operations.receivePing.reply", "operations.receiveSubscribe.reply",
        "'exchange'", "give the second operation its own channel");
  }

  // ---------------------------------------------------------------- refused

  private static String withReply(String reply, String components) {
    return """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          requests:
            address: requests
            messages:
              request:
                payload: {type: object}
                correlationId: {location: '$message.header#/correlation_id'}
          replies:
            address: replies
            messages:
              response: {payload: {type: object}}
        operations:
          respond:
            action: receive
            channel: {$ref: '#/channels/requests'}
            reply: %s
        components: %s
        """.formatted(reply, components);
  }

  private static List<Problem> refused(String document) {
    return catchThrowableOfType(ConfigurationException.class, () -> AsyncApiDocument.parse(document, "reply.yaml"))
        .problems();
  }

  @Test
  void a_reply_channel_that_does_not_exist_is_refused_with_its_path() {
    assertThat(refused(withReply("{channel: {$ref: '#/channels/answers'}}", "{}")))
        .anySatisfy(problem -> {
          assertThat(problem.path()).isEqualTo("operations.respond.reply.channel");
          assertThat(problem.message()).contains("no channel 'answers'", "[requests, replies]");
        });
  }

  @Test
  void a_reply_channel_that_is_not_a_channel_reference_is_refused() {
    assertThat(refused(withReply("{channel: replies}", "{}"))).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("operations.respond.reply.channel");
      assertThat(problem.message()).contains("must be a $ref", "#/channels/");
    });
  }

  @Test
  void a_reply_address_location_that_is_not_a_runtime_expression_is_refused() {
    assertThat(refused(withReply("{address: {location: 'header.replyTo'}}", "{}"))).singleElement()
        .satisfies(problem -> {
          assertThat(problem.path()).isEqualTo("operations.respond.reply.address.location");
          assertThat(problem.message()).contains("'header.replyTo' is not a runtime expression",
              "$message.header#/replyTo");
        });
  }

  @Test
  void a_reply_address_without_location_is_refused() {
    assertThat(refused(withReply("{address: {description: somewhere}}", "{}"))).singleElement()
        .satisfies(problem -> {
          assertThat(problem.path()).isEqualTo("operations.respond.reply.address.location");
          assertThat(problem.message()).startsWith("missing");
        });
  }

  @Test
  void a_broken_reference_to_components_replies_is_refused() {
    assertThat(refused(withReply("{$ref: '#/components/replies/missing'}", "{replies: {}}")))
        .anySatisfy(problem -> {
          assertThat(problem.path()).startsWith("operations.respond.reply");
          assertThat(problem.message()).contains("#/components/replies/missing");
        });
  }

  @Test
  void a_reply_address_from_components_must_hold_a_runtime_expression_too() {
    assertThat(refused(withReply("{address: {$ref: '#/components/replyAddresses/bad'}}",
        "{replyAddresses: {bad: {location: '$request.header#/replyTo'}}}")))
        .singleElement().satisfies(problem -> {
          assertThat(problem.path()).isEqualTo("operations.respond.reply.address.location");
          assertThat(problem.message()).contains("'$request.header#/replyTo' is not a runtime expression");
        });
  }

  @Test
  void a_reply_message_of_another_channel_is_refused() {
    assertThat(refused(withReply("{channel: {$ref: '#/channels/replies'}, messages: [{$ref:"
        + " '#/channels/requests/messages/request'}]}", "{}"))).singleElement().satisfies(problem -> {
          assertThat(problem.path()).isEqualTo("operations.respond.reply.messages[0]");
          assertThat(problem.message()).contains("message of channel 'requests'", "the reply uses channel 'replies'");
        });
  }

  @Test
  void an_unknown_field_of_a_reply_is_refused() {
    assertThat(refused(withReply("{channel: {$ref: '#/channels/replies'}, replyTo: replies}", "{}")))
        .singleElement().satisfies(problem -> {
          assertThat(problem.path()).isEqualTo("operations.respond.reply.replyTo");
          assertThat(problem.message()).contains("not a field of an AsyncAPI 3 operation reply");
        });
  }

  @Test
  void a_correlation_id_location_that_is_not_a_runtime_expression_is_refused() {
    assertThat(refused(withReply("{channel: {$ref: '#/channels/replies'}}", "{}")
        .replace("'$message.header#/correlation_id'", "correlation_id")))
        .singleElement().satisfies(problem -> {
          assertThat(problem.path()).isEqualTo("channels.requests.messages.request.correlationId.location");
          assertThat(problem.message()).contains("'correlation_id' is not a runtime expression");
        });
  }

  @Test
  void a_correlation_id_from_components_is_followed_and_checked() {
    String document = withReply("{channel: {$ref: '#/channels/replies'}}",
        "{correlationIds: {byHeader: {location: '$message.payload'}}}")
        .replace("{location: '$message.header#/correlation_id'}", "{$ref: '#/components/correlationIds/byHeader'}");
    assertThat(AsyncApiDocument.parse(document, "reply.yaml").operations().get(0).messages().get(0)
        .correlationLocation()).isEqualTo("$message.payload");
    assertThat(refused(document.replace("'$message.payload'", "'$message.body#/id'"))).singleElement()
        .satisfies(problem -> assertThat(problem.path())
            .isEqualTo("channels.requests.messages.request.correlationId.location"));
    assertThat(refused(document.replace("byHeader: {", "other: {"))).anySatisfy(problem -> assertThat(
        problem.message()).contains("#/components/correlationIds/byHeader"));
  }

  // ---------------------------------------------------------------- bindings inside a request/reply document

  @Test
  void unknown_binding_fields_never_stop_the_reader_and_strict_mode_reaches_the_bindings() {
    String document = withReply("{channel: {$ref: '#/channels/replies'}}", "{}").replace("""
            address: requests
        """, """
            address: requests
            bindings:
              amqp: {is: queue, replyTo: replies, notAField: 1}
              ws: {method: GET, query: {type: object}}
        """);
    for (boolean strict : List.of(false, true)) {
      String text = strict ? "x-omnibus-strict-bindings: true\n" + document : document;
      AsyncApiDocument parsed = AsyncApiDocument.parse(text, "bindings.yaml");
      AsyncApiChannel requests = parsed.channels().get("requests");
      assertThat(requests.bindings().byProtocol()).containsOnlyKeys("amqp", "ws");
      assertThat(requests.bindings().pathOf("amqp")).isEqualTo("channels.requests.bindings.amqp");
      ServerConfig server = parsed.withDocumentOptions(ServerConfig.of("code", "amqp", "localhost:5672"));
      assertThat(server.strictBindings()).isEqualTo(strict);
    }
  }

  private static String loggedWhile(Runnable action) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(originalErr);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
