package dev.omnibus.kafka.internal;

import dev.omnibus.envelope.WireMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Maps {@link WireMessage}s to Kafka records and back, as the CloudEvents Kafka protocol binding says: the content
 * type in the {@code content-type} header, every other header as a UTF-8 header, the body as the record value (none:
 * a null value), the key as the UTF-8 record key.
 *
 * <p>Thread-safe. Headers are the main cost of a small record, so the UTF-8 bytes of values that repeat from event to
 * event ({@code specversion}, {@code source}, {@code type}, content types) are encoded once and shared; Kafka never
 * modifies a header's value array.
 */
final class RecordMapping {

  static final String CONTENT_TYPE = "content-type";

  private static final Set<String> REPEATING_HEADERS =
      Set.of("ce_specversion", "ce_source", "ce_type", "ce_dataschema", CONTENT_TYPE);
  private static final int MAX_CACHED_VALUES = 1024;

  private final Map<String, byte[]> repeatingValues = new ConcurrentHashMap<>();

  ProducerRecord<byte[], byte[]> toRecord(String topic, WireMessage message) {
    Map<String, String> headers = message.headers();
    String contentType = message.contentType();
    Header[] recordHeaders = new Header[headers.size() + (contentType == null ? 0 : 1)];
    int count = 0;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      if (contentType != null && name.equalsIgnoreCase(CONTENT_TYPE)) {
        continue; // the message's content type slot is the one the binding defines
      }
      byte[] value = REPEATING_HEADERS.contains(name) ? repeating(header.getValue()) : utf8(header.getValue());
      recordHeaders[count++] = new RecordHeader(name, value);
    }
    if (contentType != null) {
      recordHeaders[count++] = new RecordHeader(CONTENT_TYPE, repeating(contentType));
    }
    if (count < recordHeaders.length) {
      recordHeaders = Arrays.copyOf(recordHeaders, count);
    }
    String key = message.key();
    return new ProducerRecord<>(topic, null, null, key == null ? null : utf8(key), message.body(),
        new RecordHeaders(recordHeaders));
  }

  /**
   * The message a record carries. Every header is passed on as a UTF-8 string (the bus reads the {@code ce_} ones and
   * its own); a header given twice counts once, with its first value: the rule of every Omnibus binding (see
   * docs/delivery.md, "Repeated attributes"), so that a bridge appending a header cannot override what the producer
   * wrote.
   */
  WireMessage toMessage(ConsumerRecord<byte[], byte[]> record) {
    Map<String, String> headers = new HashMap<>();
    String contentType = null;
    for (Header header : record.headers()) {
      byte[] value = header.value();
      if (value == null) {
        continue;
      }
      String name = header.key();
      if (name.equalsIgnoreCase(CONTENT_TYPE)) {
        if (contentType == null) {
          contentType = text(value);
        }
      } else {
        headers.putIfAbsent(name, text(value));
      }
    }
    byte[] key = record.key();
    return new WireMessage(headers, contentType, record.value(), key == null ? null : text(key));
  }

  private byte[] repeating(String value) {
    byte[] bytes = repeatingValues.get(value);
    if (bytes != null) {
      return bytes;
    }
    bytes = utf8(value);
    // Bounded: a producer whose "constant" values are not constant must not grow the cache without end.
    if (repeatingValues.size() < MAX_CACHED_VALUES) {
      repeatingValues.putIfAbsent(value, bytes);
    }
    return bytes;
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }
}
