package dev.omnibus.kafka.internal;

import dev.omnibus.envelope.WireHeaders;
import dev.omnibus.envelope.WireMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

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

  private static final int MAX_CACHED_VALUES = 1024;
  /** The headers of an event in binary mode with a few extensions; a builder grows past it. */
  private static final int EXPECTED_HEADERS = 10;
  /** The slot of the content type in {@link ReceivedValues}; the other repeating headers take 0 to 3. */
  private static final int CONTENT_TYPE_SLOT = 4;

  private final Map<String, byte[]> repeatingValues = new ConcurrentHashMap<>();

  ProducerRecord<byte[], byte[]> toRecord(String topic, WireMessage message) {
    // The envelope's binary mode hands WireHeaders: read by position, without entries or an iterator.
    WireHeaders headers = WireHeaders.copyOf(message.headers());
    String contentType = message.contentType();
    Header[] recordHeaders = new Header[headers.size() + (contentType == null ? 0 : 1)];
    int count = 0;
    for (int i = 0, size = headers.size(); i < size; i++) {
      String name = headers.name(i);
      if (contentType != null && isContentType(name)) {
        continue; // the message's content type slot is the one the binding defines
      }
      String value = headers.value(i);
      recordHeaders[count++] = new RecordHeader(name, isRepeating(name) ? repeating(value) : utf8(value));
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
   * wrote. Headers without a value are skipped.
   *
   * <p>Runs on a consumer thread for every record, so it hashes nothing: the headers go into {@link WireHeaders} in
   * record order, and the values that repeat from record to record are decoded once per consumer and reused. The
   * record's headers are iterated, not copied into an array first ({@code toArray} is a type-checked copy, a tenth of
   * this method's time in a profile of the Kafka benchmark), so their number is not known up front: the builder
   * starts at a binary-mode event's, and only once there is a header other than the content type.
   */
  WireMessage toMessage(ConsumerRecord<byte[], byte[]> record) {
    return toMessage(record, null);
  }

  /** {@link #toMessage(ConsumerRecord)}, reusing the texts of repeating values when given a consumer's own. */
  WireMessage toMessage(ConsumerRecord<byte[], byte[]> record, @Nullable ReceivedValues repeats) {
    WireHeaders.Builder headers = null; // none for a structured-mode record, which carries the content type alone
    String contentType = null;
    for (Header header : record.headers()) {
      byte[] value = header.value();
      if (value == null) {
        continue;
      }
      String name = header.key();
      if (isContentType(name)) {
        if (contentType == null) {
          contentType = repeats == null ? text(value) : repeats.contentType(value);
        }
      } else {
        if (headers == null) {
          headers = WireHeaders.builder(EXPECTED_HEADERS);
        }
        headers.add(name, repeats == null ? text(value) : repeats.text(name, value));
      }
    }
    byte[] key = record.key();
    return new WireMessage(headers == null ? WireHeaders.empty() : headers.build(), contentType, record.value(),
        key == null ? null : text(key));
  }

  /**
   * The last text of each header whose value repeats from record to record ({@code ce_specversion}, {@code ce_source},
   * {@code ce_type}, {@code ce_dataschema}, the content type): a record carrying the same bytes gets the same string
   * instead of a new one. One per consumer thread; not thread-safe.
   */
  static final class ReceivedValues {
    private final Last[] last = new Last[CONTENT_TYPE_SLOT + 1];

    /** The header's value as text, reused when it repeats the last one of a repeating header. */
    String text(String name, byte[] value) {
      int slot = slotOf(name);
      return slot < 0 ? RecordMapping.text(value) : reuse(slot, value);
    }

    String contentType(byte[] value) {
      return reuse(CONTENT_TYPE_SLOT, value);
    }

    private String reuse(int slot, byte[] value) {
      Last previous = last[slot];
      if (previous != null && Arrays.equals(previous.bytes, value)) {
        return previous.text;
      }
      String text = RecordMapping.text(value);
      last[slot] = new Last(value, text);
      return text;
    }

    /** Which repeating header a name is, by its length first: no hashing of a name decoded for this record. */
    private static int slotOf(String name) {
      return switch (name.length()) {
        case 7 -> name.equals("ce_type") ? 0 : -1;
        case 9 -> name.equals("ce_source") ? 1 : -1;
        case 13 -> name.equals("ce_dataschema") ? 2 : -1;
        case 14 -> name.equals("ce_specversion") ? 3 : -1;
        default -> -1;
      };
    }

    private record Last(byte[] bytes, String text) {}
  }

  /**
   * Whether a header's value is one that repeats from event to event: by the name's length first, as on the consumer
   * side (hashing the name for a set's lookup was two fifths of {@link #toRecord}'s time in a profile).
   */
  private static boolean isRepeating(String name) {
    return ReceivedValues.slotOf(name) >= 0 || name.equals(CONTENT_TYPE);
  }

  /**
   * Whether a header is the content type, in any casing: the spelling this binding writes is compared exactly first,
   * the cheaper comparison (a case-insensitive one was a third of {@link #toRecord}'s time in a profile).
   */
  private static boolean isContentType(String name) {
    return name.length() == CONTENT_TYPE.length()
        && (name.equals(CONTENT_TYPE) || name.equalsIgnoreCase(CONTENT_TYPE));
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
