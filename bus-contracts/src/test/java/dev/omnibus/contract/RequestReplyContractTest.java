package dev.omnibus.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.omnibus.EventType;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.contract.Contracts.Change;
import dev.omnibus.contract.Contracts.Change.Kind;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The {@code reply} of an operation in export and in the breaking-change check: a reply is compared like an operation
 * of the opposite action on the reply channel (the responder sends the replies, the requester receives them), and
 * where replies go must not change.
 */
class RequestReplyContractTest {

  /** A responder: it receives sums on rpc_queue and replies on the queue the request names. */
  private static final String RESPONDER = """
      asyncapi: 3.0.0
      info: {title: rpc, version: '1'}
      channels:
        rpcQueue:
          address: rpc_queue
          messages:
            sum:
              x-omnibus-type: com.example.rpc.sum.v1
              payload: {type: object, properties: {numbers: {type: array, items: {type: number}}}}
        sumResults:
          address: null
          messages:
            sumResult:
              x-omnibus-type: com.example.rpc.sum-result.v1
              payload: {type: object, properties: {result: {type: number}, note: {type: string}}}
            sumFailed:
              x-omnibus-type: com.example.rpc.sum-failed.v1
              payload: {type: object}
      operations:
        sum:
          action: receive
          channel: {$ref: '#/channels/rpcQueue'}
          reply:
            address: {location: '$message.header#/replyTo'}
            channel: {$ref: '#/channels/sumResults'}
            messages:
              - {$ref: '#/channels/sumResults/messages/sumResult'}
              - {$ref: '#/channels/sumResults/messages/sumFailed'}
      """;
  /** The same exchange seen from the requester. */
  private static final String REQUESTER = RESPONDER.replace("action: receive", "action: send");
  private static final String FAILED_REF = "\n        - {$ref: '#/channels/sumResults/messages/sumFailed'}";
  private static final String RESULT_SCHEMA =
      "payload: {type: object, properties: {result: {type: number}, note: {type: string}}}";

  private static List<Change> compare(String older, String newer) {
    return Contracts.compare(AsyncApiDocument.parse(older, "old.yaml"), AsyncApiDocument.parse(newer, "new.yaml"));
  }

  private static String with(String document, String old, String replacement) {
    assertThat(document).contains(old);
    return document.replace(old, replacement);
  }

  @Nested
  class Compatibility {

    @Test
    void theSameRequestReplyDocumentHasNoChanges() {
      assertThat(compare(RESPONDER, RESPONDER)).isEmpty();
    }

    @Test
    void aResponderThatNoLongerRepliesWithAMessageBreaksItsRequesters() {
      assertThat(compare(RESPONDER, with(RESPONDER, FAILED_REF, ""))).contains(new Change(
          "operations.sum.reply.messages", Kind.REMOVED, false, true, "no longer sends reply message 'sumFailed'"));
    }

    @Test
    void aRequesterThatNoLongerReadsAReplyMessageBreaksTheRespondersThatSendIt() {
      assertThat(compare(REQUESTER, with(REQUESTER, FAILED_REF, ""))).contains(new Change(
          "operations.sum.reply.messages", Kind.REMOVED, true, false,
          "no longer receives reply message 'sumFailed'"));
    }

    @Test
    void aResponderNarrowingItsReplyPayloadBreaksNobodyButARequesterNarrowingItBreaksResponders() {
      String narrowed = "payload: {type: object, required: [result], properties: {result: {type: number}, note:"
          + " {type: string}}}";
      String path = "channels.sumResults.messages.sumResult.payload.required";

      assertThat(compare(RESPONDER, with(RESPONDER, RESULT_SCHEMA, narrowed))).singleElement().satisfies(change -> {
        assertThat(change.path()).isEqualTo(path);
        assertThat(change.kind()).isEqualTo(Kind.NARROWED);
        assertThat(change.breaking()).isFalse();
      });
      assertThat(compare(REQUESTER, with(REQUESTER, RESULT_SCHEMA, narrowed))).singleElement().satisfies(change -> {
        assertThat(change.path()).isEqualTo(path);
        assertThat(change.breaksProducers()).isTrue();
        assertThat(change.breaksConsumers()).isFalse();
      });
    }

    @Test
    void aReplyPropertyRemovedBreaksTheRequestersThatReadIt() {
      assertThat(compare(RESPONDER, with(RESPONDER, RESULT_SCHEMA,
          "payload: {type: object, properties: {result: {type: number}}}"))).singleElement().satisfies(change -> {
            assertThat(change.path()).isEqualTo("channels.sumResults.messages.sumResult.payload.properties.note");
            assertThat(change.kind()).isEqualTo(Kind.REMOVED);
            assertThat(change.breaksConsumers()).isTrue();
          });
    }

    @Test
    void aChangedReplyAddressLocationIsBreakingForBoth() {
      assertThat(compare(RESPONDER, with(RESPONDER, "$message.header#/replyTo", "$message.header#/reply_to")))
          .containsExactly(new Change("operations.sum.reply.address", Kind.CHANGED, true, true,
              "reply address changed from '$message.header#/replyTo' to '$message.header#/reply_to' (replies go"
                  + " elsewhere)"));
    }

    @Test
    void aReplyThatNoLongerGoesWhereTheRequestSaysIsBreakingForBoth() {
      assertThat(compare(RESPONDER, with(RESPONDER, "      address: {location: '$message.header#/replyTo'}\n", "")))
          .containsExactly(new Change("operations.sum.reply.address", Kind.CHANGED, true, true,
              "reply address changed from '$message.header#/replyTo' to the reply channel's address (replies go"
                  + " elsewhere)"));
    }

    @Test
    void aChangedReplyChannelIsBreakingForBoth() {
      String moved = with(RESPONDER, "channel: {$ref: '#/channels/sumResults'}", "channel: {$ref:"
          + " '#/channels/rpcQueue'}").replace("messages:\n        - {$ref: '#/channels/sumResults/messages/sumResult'}"
          + FAILED_REF, "messages:\n        - {$ref: '#/channels/rpcQueue/messages/sum'}");

      assertThat(compare(RESPONDER, moved)).contains(new Change("operations.sum.reply.channel", Kind.CHANGED, true,
          true, "reply channel changed from 'sumResults' to 'rpcQueue' (replies go elsewhere)"));
    }

    @Test
    void aChangedStaticReplyAddressIsTheReplyChannelsAddressChange() {
      String older = with(RESPONDER, "address: null", "address: sum.results");

      assertThat(compare(older, with(older, "address: sum.results", "address: sum.results.v2"))).containsExactly(
          new Change("channels.sumResults.address", Kind.CHANGED, true, true,
              "address changed from 'sum.results' to 'sum.results.v2'"));
    }

    @Test
    void aReplyAddedBreaksNobodyAndAReplyRemovedBreaksTheRequesters() {
      int start = RESPONDER.indexOf("    reply:");
      String withoutReply = RESPONDER.substring(0, start);

      assertThat(compare(withoutReply, RESPONDER)).containsExactly(new Change("operations.sum.reply", Kind.ADDED,
          false, false, "reply added (the application now sends replies on channel 'sumResults')"));
      assertThat(compare(RESPONDER, withoutReply)).containsExactly(new Change("operations.sum.reply", Kind.REMOVED,
          false, true, "reply removed (the application sends replies on channel 'sumResults' no more)"));
    }

    @Test
    void theMessagesOfAReplyWithoutChannelAreComparedWhereTheReplyIs() {
      String older = """
          asyncapi: 3.0.0
          info: {title: rpc, version: '1'}
          channels:
            rpcQueue:
              address: rpc_queue
              messages:
                sum: {payload: {type: object}}
          operations:
            sum:
              action: receive
              channel: {$ref: '#/channels/rpcQueue'}
              reply:
                address: {location: '$message.header#/replyTo'}
                messages: [{$ref: '#/components/messages/sumResult'}]
          components:
            messages:
              sumResult:
                payload: {type: object, properties: {result: {type: number}}}
          """;

      assertThat(compare(older, with(older, "{result: {type: number}}", "{result: {type: integer}}")))
          .singleElement().satisfies(change -> {
            assertThat(change.path()).isEqualTo("operations.sum.reply.messages.sumResult.payload.properties.result"
                + ".type");
            assertThat(change.kind()).isEqualTo(Kind.NARROWED);
            assertThat(change.breaking()).as("the responder only sends it").isFalse();
          });
    }
  }

  @Nested
  class Export {

    record Sum(List<Double> numbers) {}

    record SumResult(double result) {}

    private static final EventType<Sum> SUM = EventType.of("com.example.rpc.sum.v1", Sum.class).channel("rpcQueue");
    private static final EventType<SumResult> SUM_RESULT =
        EventType.of("com.example.rpc.sum-result.v1", SumResult.class).channel("sumResults");

    private final AsyncApiDocument responder = AsyncApiDocument.parse(RESPONDER, "rpc.yaml");

    private JsonNode tree(String yaml) throws Exception {
      return new YAMLMapper().readTree(yaml);
    }

    @Test
    void theReplyOfAnOperationIsExportedWithItsAddressChannelAndExportedMessages() throws Exception {
      JsonNode exported = tree(Contracts.export(responder, List.of(SUM, SUM_RESULT)));

      assertThat(exported.at("/operations/sum/reply/address/location").asText())
          .isEqualTo("$message.header#/replyTo");
      assertThat(exported.at("/operations/sum/reply/channel/$ref").asText()).isEqualTo("#/channels/sumResults");
      assertThat(exported.at("/operations/sum/reply/messages")).hasSize(1);
      assertThat(exported.at("/operations/sum/reply/messages/0/$ref").asText())
          .isEqualTo("#/channels/sumResults/messages/sumResult");
      assertThat(exported.at("/channels/sumResults/address").isNull()).isTrue();
      assertThat(exported.path("operations").has("sendSumResults"))
          .as("the reply carries the reply message: no generated operation").isFalse();
    }

    @Test
    void theExportedReplyLoadsAndExportsAgainTheSame() {
      String first = Contracts.export(responder, List.of(SUM, SUM_RESULT));
      AsyncApiDocument loaded = AsyncApiDocument.parse(first, "export.yaml");

      assertThat(loaded.operations()).singleElement().satisfies(operation -> {
        assertThat(operation.reply()).isNotNull();
        assertThat(operation.reply().channelId()).isEqualTo("sumResults");
        assertThat(operation.reply().addressLocation()).isEqualTo("$message.header#/replyTo");
      });
      assertThat(Contracts.export(loaded, List.of(SUM, SUM_RESULT))).isEqualTo(first);
    }

    @Test
    void aReplyChannelWithoutExportedTypesIsStillDeclaredSoTheReferenceHolds() throws Exception {
      String exported = Contracts.export(responder, List.of(SUM));

      assertThat(tree(exported).at("/channels/sumResults").isObject()).isTrue();
      assertThat(tree(exported).at("/operations/sum/reply/messages").isMissingNode()).isTrue();
      assertThat(AsyncApiDocument.parse(exported, "export.yaml").operations().get(0).reply().channelId())
          .isEqualTo("sumResults");
    }
  }
}
