package dev.omnibus.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireHeaders;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The record ↔ message mapping on its own, without a broker: how received headers become the message's (first value
 * wins, valueless headers skipped, bytes decoded as UTF-8 with replacement), with and without a consumer's reuse of
 * repeating values. The broker round trips are in {@code KafkaRecordMappingTest}.
 */
class RecordMappingTest {

  private final RecordMapping mapping = new RecordMapping();

  @Test
  void headersBecomeWireHeadersInRecordOrderWithTheirFirstValue() {
    ConsumerRecord<byte[], byte[]> record = record("k", "ce_specversion", "1.0", "ce_id", "first", "ce_type", "t",
        "ce_id", "second", "ce_type", "u");

    for (WireMessage message : both(record)) {
      assertThat(message.headers()).isInstanceOf(WireHeaders.class);
      assertThat(message.headers().keySet()).containsExactly("ce_specversion", "ce_id", "ce_type");
      assertThat(message.headers()).containsEntry("ce_id", "first").containsEntry("ce_type", "t");
      assertThat(message.key()).isEqualTo("k");
    }
  }

  @Test
  void theContentTypeIsTheFirstContentTypeHeaderInAnyCasingAndNotAHeader() {
    ConsumerRecord<byte[], byte[]> record = record(null, "Content-Type", "application/json", "content-type", "text/plain",
        "ce_id", "1");

    for (WireMessage message : both(record)) {
      assertThat(message.contentType()).isEqualTo("application/json");
      assertThat(message.headers()).containsOnlyKeys("ce_id");
      assertThat(message.key()).isNull();
    }
  }

  @Test
  void aRecordCarryingTheContentTypeAloneHasNoHeaders() {
    ConsumerRecord<byte[], byte[]> record = record("k", "content-type", EnvelopeCodec.STRUCTURED_CONTENT_TYPE);

    for (WireMessage message : both(record)) {
      assertThat(message.headers()).isEmpty();
      assertThat(message.contentType()).isEqualTo(EnvelopeCodec.STRUCTURED_CONTENT_TYPE);
      assertThat(message.key()).isEqualTo("k");
    }
  }

  @Test
  void headersWithoutAValueAreSkipped() {
    ConsumerRecord<byte[], byte[]> record = record(null, "ce_id", "1");
    record.headers().add("ce_subject", null);
    record.headers().add("content-type", null);

    for (WireMessage message : both(record)) {
      assertThat(message.headers()).containsOnlyKeys("ce_id");
      assertThat(message.contentType()).isNull();
    }
  }

  @Test
  void bytesThatAreNotUtf8AreDecodedWithReplacementCharacters() {
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 0, 0, new byte[] {(byte) 0xff}, null);
    record.headers().add("ce_type", new byte[] {'a', (byte) 0xc3});
    record.headers().add("ce_id", new byte[] {(byte) 0xfe, 'b'});

    for (WireMessage message : both(record)) {
      assertThat(message.headers()).containsEntry("ce_type", "a\uFFFD").containsEntry("ce_id", "\uFFFDb");
      assertThat(message.key()).isEqualTo("\uFFFD");
    }
  }

  @Test
  void aConsumerReusesTheTextOfARepeatedValueAndDecodesAChangedOne() {
    RecordMapping.ReceivedValues repeats = new RecordMapping.ReceivedValues();
    WireMessage first = mapping.toMessage(record(null, "ce_source", "/orders", "content-type", "application/json",
        "ce_id", "1"), repeats);
    WireMessage same = mapping.toMessage(record(null, "ce_source", "/orders", "content-type", "application/json",
        "ce_id", "2"), repeats);
    WireMessage changed = mapping.toMessage(record(null, "ce_source", "/billing", "content-type", "text/plain",
        "ce_id", "3"), repeats);

    assertThat(same.headers().get("ce_source")).isSameAs(first.headers().get("ce_source"));
    assertThat(same.contentType()).isSameAs(first.contentType());
    assertThat(changed.headers()).containsEntry("ce_source", "/billing");
    assertThat(changed.contentType()).isEqualTo("text/plain");
    assertThat(changed.headers().get("ce_id")).isEqualTo("3");
  }

  @Test
  void anEncodedEventSurvivesTheRecordRoundTripInBinaryMode() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    CloudEvent event = CloudEventBuilder.v1().withId("1").withSource(URI.create("/s")).withType("t")
        .withSubject("order-7").withExtension("traceparent", "00-abc-01").withDataContentType("application/json")
        .withData("{\"a\":1}".getBytes(StandardCharsets.UTF_8)).build();

    ProducerRecord<byte[], byte[]> sent = mapping.toRecord("t", codec.encode(event, Mode.BINARY));
    ConsumerRecord<byte[], byte[]> received = new ConsumerRecord<>("t", 0, 0, sent.key(), sent.value());
    for (Header header : sent.headers()) {
      received.headers().add(header);
    }

    assertThat(headers(sent)).containsEntry("content-type", "application/json").containsEntry("ce_subject", "order-7")
        .doesNotContainKey("ce_datacontenttype");
    for (WireMessage message : both(received)) {
      assertThat(codec.decode(message)).isEqualTo(event);
    }
  }

  @Test
  void aMessageWithAPlainMapOfHeadersMapsToTheSameRecord() {
    WireMessage wire = new WireMessage(WireHeaders.copyOf(Map.of("ce_id", "1", "ce_type", "t")), "text/plain",
        new byte[] {1}, "k");
    WireMessage plain = new WireMessage(new HashMap<>(Map.of("ce_id", "1", "ce_type", "t")), "text/plain",
        new byte[] {1}, "k");

    assertThat(headers(mapping.toRecord("t", wire))).isEqualTo(headers(mapping.toRecord("t", plain)))
        .isEqualTo(Map.of("ce_id", "1", "ce_type", "t", "content-type", "text/plain"));
  }

  /** The record mapped as a shared consumer does (no reuse) and as a subscription's consumer does (with reuse). */
  private WireMessage[] both(ConsumerRecord<byte[], byte[]> record) {
    WireMessage plain = mapping.toMessage(record);
    WireMessage reusing = mapping.toMessage(record, new RecordMapping.ReceivedValues());
    assertThat(reusing).isEqualTo(plain);
    return new WireMessage[] {plain, reusing};
  }

  private static ConsumerRecord<byte[], byte[]> record(String key, String... headers) {
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 0, 0,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8), null);
    for (int i = 0; i < headers.length; i += 2) {
      record.headers().add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return record;
  }

  private static Map<String, String> headers(ProducerRecord<byte[], byte[]> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }
}
