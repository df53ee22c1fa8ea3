package dev.omnibus.spring.boot;

import dev.omnibus.EventType;
import dev.omnibus.PayloadCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/**
 * Which mapper writes the JSON payloads of the event types the starter sees (the {@code EventType} beans and the
 * types declared by {@link OmnibusListener#channel()}): Boot's Jackson 3 mapper when the application has one, else
 * Omnibus's own Jackson 2 mapper. Thread-safe.
 */
final class PayloadMapping {

  private static final Class<?> BUILT_IN_JSON = PayloadCodec.json(Object.class).getClass();

  private final @Nullable Object mapper;

  private PayloadMapping(@Nullable Object mapper) {
    this.mapper = mapper;
  }

  static PayloadMapping omnibus() {
    return new PayloadMapping(null);
  }

  /** The Boot mapper; typed {@code Object} so that this class loads without Jackson 3. */
  static PayloadMapping boot(Object jackson3Mapper) {
    return new PayloadMapping(jackson3Mapper);
  }

  /** The type with the Boot mapper's codec when it uses Omnibus's built-in JSON codec; else as it is. */
  <T> EventType<T> apply(EventType<T> type) {
    if (mapper == null || type.codec().getClass() != BUILT_IN_JSON) {
      return type;
    }
    return type.codec(JacksonPayloadCodec.of(type.javaType(), (ObjectMapper) mapper));
  }
}
