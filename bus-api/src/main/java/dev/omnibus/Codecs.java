package dev.omnibus;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** The built-in payload codecs and the shared Jackson mapper. */
final class Codecs {

  /** The shared mapper: java.time as ISO-8601 strings, unknown properties ignored (forward compatible readers). */
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
      .build();

  public static final PayloadCodec<String> TEXT = new PayloadCodec<>() {
    @Override
    public String contentType() {
      return "text/plain; charset=utf-8";
    }

    @Override
    public byte[] encode(String payload) {
      return payload.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  };

  public static final PayloadCodec<byte[]> BYTES = new PayloadCodec<>() {
    @Override
    public String contentType() {
      return "application/octet-stream";
    }

    @Override
    public byte[] encode(byte[] payload) {
      return payload;
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes;
    }
  };

  /** JSON through Jackson. */
  public static final class JsonCodec<T> implements PayloadCodec<T> {
    private final Class<T> type;
    private final ObjectMapper mapper;
    /**
     * The mapper's reader for the type, made at the first decode rather than here, so that a mapper configured after
     * the codec was made is read with that configuration (Jackson itself caches what it resolved from the first read
     * on). It saves resolving the type and its deserializer on every payload.
     */
    private volatile @Nullable ObjectReader reader;

    public JsonCodec(Class<T> type, ObjectMapper mapper) {
      this.type = type;
      this.mapper = mapper;
    }

    @Override
    public String contentType() {
      return "application/json";
    }

    @Override
    public byte[] encode(T payload) {
      try {
        return mapper.writeValueAsBytes(payload);
      } catch (IOException e) {
        throw SerializationException.of("Cannot write " + type.getName() + " as JSON: " + originalMessage(e), e);
      }
    }

    @Override
    public T decode(byte[] bytes) {
      T value;
      try {
        ObjectReader current = reader;
        if (current == null) {
          current = mapper.readerFor(type);
          reader = current;
        }
        value = current.readValue(bytes);
      } catch (IOException e) {
        throw SerializationException.of("Cannot read JSON as " + type.getName() + ": " + originalMessage(e), e);
      }
      if (value == null) {
        throw SerializationException.of("JSON payload is null, expected " + type.getName());
      }
      return value;
    }
  }

  private static String originalMessage(IOException e) {
    return e instanceof JacksonException jackson ? jackson.getOriginalMessage() : String.valueOf(e.getMessage());
  }

  private Codecs() {}
}
