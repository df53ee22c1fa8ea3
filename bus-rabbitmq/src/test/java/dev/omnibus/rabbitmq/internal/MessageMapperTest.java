package dev.omnibus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireHeaders;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mapping of messages to AMQP properties and back, without a broker. */
class MessageMapperTest {

  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.AMQP);

  private static CloudEvent event(String id) {
    return CloudEventBuilder.v1().withId(id).withSource(URI.create("/orders")).withType("com.example.placed")
        .withData("application/json", "{\"n\":1}".getBytes(StandardCharsets.UTF_8)).build();
  }

  @Test
  void aBinaryMessagesIdHeaderIsItsMessageId() {
    WireMessage message = CODEC.encode(event("e-1"), Mode.BINARY);
    AMQP.BasicProperties properties = MessageMapper.properties(message, null);
    assertThat(properties.getHeaders()).containsEntry("cloudEvents_id", "e-1");
    assertThat(properties.getMessageId()).isEqualTo("e-1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"e-1", "b2c1a7e4-6f0d-4f43-9a55-1c2d3e4f5a6b", "with \"quotes\"", "naïve ✓", "back\\slash"})
  void aStructuredMessagesIdIsItsMessageIdWhateverTheIdHolds(String id) {
    WireMessage message = CODEC.encode(event(id), Mode.STRUCTURED);
    assertThat(MessageMapper.properties(message, null).getMessageId()).isEqualTo(id);
  }

  @Test
  void theIdIsReadWithoutAParserOnlyFromABodyThatBeginsAsTheEnvelopeWritesIt() {
    byte[] envelope = CODEC.encode(event("e-1"), Mode.STRUCTURED).body();
    assertThat(MessageMapper.idAsTheEnvelopeWritesIt(envelope)).isEqualTo("e-1");
    for (String other : List.of("{\"id\":\"e-1\",\"specversion\":\"1.0\"}", "{ \"specversion\":\"1.0\",\"id\":\"e-1\"}",
        "{\"specversion\":\"1.0\",\"id\":\"e\\u002d1\"}", "{\"specversion\":\"1.0\",\"id\":\"naïve\"}",
        "{\"specversion\":\"1.0\",\"id\":\"unterminated")) {
      assertThat(MessageMapper.idAsTheEnvelopeWritesIt(other.getBytes(StandardCharsets.UTF_8))).as(other).isNull();
    }
  }

  @Test
  void aForeignStructuredBodyStillHasItsIdReadByTheParser() {
    byte[] body = "{\"type\":\"t\", \"id\" : \"e\\u002d1\",\"specversion\":\"1.0\",\"source\":\"/s\"}"
        .getBytes(StandardCharsets.UTF_8);
    WireMessage message = new WireMessage(Map.of(), EnvelopeCodec.STRUCTURED_CONTENT_TYPE, body, null);
    assertThat(MessageMapper.properties(message, null).getMessageId()).isEqualTo("e-1");
  }

  @Test
  void receivedHeadersBecomeWireHeadersWithoutNonScalarValues() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("cloudEvents_specversion", LongStringHelper.asLongString("1.0"));
    headers.put("cloudEvents_id", LongStringHelper.asLongString("e-1"));
    headers.put("x-death", List.of(Map.of("count", 1L)));
    headers.put("cloudEvents_count", 3);
    WireMessage message = MessageMapper.message(new AMQP.BasicProperties.Builder().headers(headers).build(), null);
    // WireHeaders, which the envelope reads as they are, rather than a map it copies into them.
    assertThat(message.headers()).isInstanceOf(WireHeaders.class)
        .containsOnly(Map.entry("cloudEvents_specversion", "1.0"), Map.entry("cloudEvents_id", "e-1"),
            Map.entry("cloudEvents_count", "3"));
  }

  @Test
  void aReceivedMessageRoundTripsThroughTheEnvelope() {
    WireMessage sent = CODEC.encode(event("e-1"), Mode.BINARY);
    AMQP.BasicProperties properties = MessageMapper.properties(sent, null);
    Map<String, Object> onTheWire = new LinkedHashMap<>();
    properties.getHeaders().forEach((name, value) -> onTheWire.put(name, LongStringHelper.asLongString(
        value.toString())));
    WireMessage received = MessageMapper.message(properties.builder().headers(onTheWire).build(), sent.body());
    assertThat(CODEC.decode(received)).isEqualTo(event("e-1"));
  }
}
