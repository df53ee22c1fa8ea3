package dev.omnibus.spring.boot;

import dev.omnibus.PayloadCodec;
import dev.omnibus.SerializationException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * JSON payloads with a Jackson 3 mapper ({@code tools.jackson}), the one Spring Boot 4 configures from
 * {@code spring.jackson.*} and {@code JsonMapperBuilderCustomizer} beans. Omnibus's own
 * {@link PayloadCodec#json(Class, com.fasterxml.jackson.databind.ObjectMapper)} takes a Jackson 2 mapper; this codec
 * is the bridge, so that a Boot application's customised mapper writes and reads its event payloads.
 *
 * <p>Thread-safe (Jackson mappers are).
 *
 * @param <T> the payload type
 */
public final class JacksonPayloadCodec<T> implements PayloadCodec<T> {

  private final Class<T> type;
  private final ObjectMapper mapper;

  private JacksonPayloadCodec(Class<T> type, ObjectMapper mapper) {
    this.type = type;
    this.mapper = mapper;
  }

  /** A codec of one payload type over the given Jackson 3 mapper. */
  public static <T> JacksonPayloadCodec<T> of(Class<T> type, ObjectMapper mapper) {
    return new JacksonPayloadCodec<>(type, mapper);
  }

  @Override
  public String contentType() {
    return "application/json";
  }

  @Override
  public byte[] encode(T payload) {
    try {
      return mapper.writeValueAsBytes(payload);
    } catch (JacksonException e) {
      throw SerializationException.of("Cannot write a " + type.getName() + " as JSON with the application's "
          + "Jackson mapper: " + e.getOriginalMessage() + ". Make the class serialisable (public accessors or a "
          + "record) or adjust spring.jackson.*", e);
    }
  }

  @Override
  public T decode(byte[] bytes) {
    try {
      return mapper.readValue(bytes, type);
    } catch (JacksonException e) {
      throw SerializationException.of("Cannot read a " + type.getName() + " from JSON with the application's "
          + "Jackson mapper: " + e.getOriginalMessage() + ". Check that the producer writes this event type's "
          + "schema", e);
    }
  }

  @Override
  public String toString() {
    return "JacksonPayloadCodec[" + type.getName() + "]";
  }
}
