package dev.omnibus;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns payloads into bytes and back, for one content type. {@link #forType(Class)} picks the default: {@code String}
 * as {@code text/plain; charset=utf-8}, {@code byte[]} as {@code application/octet-stream}, anything else as JSON
 * with Jackson (records, enums, collections and {@code java.time} supported).
 *
 * <p>Implementations are thread-safe. {@link #encode} and {@link #decode} throw {@link SerializationException}.
 *
 * @param <T> the payload type
 */
public interface PayloadCodec<T> {

  /** The content type written as {@code datacontenttype}. */
  String contentType();

  /** Encodes a payload. */
  byte[] encode(T payload);

  /** Decodes a payload. */
  T decode(byte[] bytes);

  /** The default codec for a Java type. */
  @SuppressWarnings("unchecked")
  static <T> PayloadCodec<T> forType(Class<T> type) {
    if (type == String.class) {
      return (PayloadCodec<T>) text();
    }
    if (type == byte[].class) {
      return (PayloadCodec<T>) bytes();
    }
    return json(type);
  }

  /** JSON with the bus's shared Jackson mapper (java.time as ISO strings, unknown properties ignored). */
  static <T> PayloadCodec<T> json(Class<T> type) {
    return new Codecs.JsonCodec<>(type, Codecs.MAPPER);
  }

  /**
   * JSON with the given mapper. Configure the mapper before the first payload is read: the codec reads with the
   * mapper's reader for the type, made at its first payload, as Jackson caches deserializers from its first read.
   */
  static <T> PayloadCodec<T> json(Class<T> type, ObjectMapper mapper) {
    return new Codecs.JsonCodec<>(type, mapper);
  }

  /** UTF-8 text. */
  /**
   * A copy of the Jackson mapper that {@link #json(Class)} uses (Java time as ISO-8601 text, unknown properties
   * ignored), for tools that must read payloads as the bus writes them, such as schema validation and export.
   */
  static ObjectMapper defaultMapper() {
    return Codecs.MAPPER.copy();
  }

  static PayloadCodec<String> text() {
    return Codecs.TEXT;
  }

  /** Bytes as they are. */
  static PayloadCodec<byte[]> bytes() {
    return Codecs.BYTES;
  }
}
