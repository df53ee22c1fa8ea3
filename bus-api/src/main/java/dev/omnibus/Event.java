package dev.omnibus;

import java.net.URI;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A CloudEvent with a typed payload: the attributes (id, source, type, subject, time, datacontenttype, dataschema,
 * extensions) and the decoded {@link #data()}.
 *
 * <p>Built with {@link EventType#event(Object)} for publishing, or received by an {@link EventHandler}. On receipt,
 * extension values read from binary-mode headers are strings (their canonical form), as the CloudEvents bindings say;
 * structured mode keeps their JSON types.
 *
 * <p>Immutable and thread-safe (the payload is as immutable as its type).
 *
 * @param <T> the payload type
 */
public final class Event<T> {

  private final EventType<T> eventType;
  private final String id;
  private final @Nullable URI source;
  private final @Nullable String subject;
  private final @Nullable OffsetDateTime time;
  private final @Nullable String dataContentType;
  private final @Nullable URI dataSchema;
  private final Map<String, Object> extensions;
  private final @Nullable T data;

  private Event(Builder<T> builder) {
    this.eventType = builder.eventType;
    this.id = builder.id;
    this.source = builder.source;
    this.subject = builder.subject;
    this.time = builder.time;
    this.dataContentType = builder.dataContentType;
    this.dataSchema = builder.dataSchema;
    this.extensions = snapshot(builder.extensions);
    this.data = builder.data;
  }

  private Event(EventType<T> eventType, @Nullable T data, String id, URI source, @Nullable String subject,
      @Nullable OffsetDateTime time, @Nullable String dataContentType, @Nullable URI dataSchema,
      Map<String, Object> extensions) {
    this.eventType = eventType;
    this.id = id;
    this.source = source;
    this.subject = subject;
    this.time = time;
    this.dataContentType = dataContentType;
    this.dataSchema = dataSchema;
    this.extensions = extensions;
    this.data = data;
  }

  /**
   * The builder's extensions as the event keeps them: one extension (a {@code traceparent}, typically) as a singleton
   * map rather than a copied hash table and a view over it, built for every published event.
   */
  private static Map<String, Object> snapshot(@Nullable Map<String, Object> extensions) {
    if (extensions == null || extensions.isEmpty()) {
      return Collections.emptyMap();
    }
    if (extensions.size() == 1) {
      Map.Entry<String, Object> only = extensions.entrySet().iterator().next();
      return Collections.singletonMap(only.getKey(), only.getValue());
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /** The event type this event was published or received as. */
  public EventType<T> eventType() {
    return eventType;
  }

  /** The CloudEvents {@code id}. */
  public String id() {
    return id;
  }

  /** The CloudEvents {@code source}; {@code null} only on an event built for publishing, which takes the bus's. */
  public @Nullable URI source() {
    return source;
  }

  /** The CloudEvents {@code type}. */
  public String type() {
    return eventType.type();
  }

  /** The CloudEvents {@code subject}, or {@code null}. */
  public @Nullable String subject() {
    return subject;
  }

  /** The CloudEvents {@code time}, or {@code null}. */
  public @Nullable OffsetDateTime time() {
    return time;
  }

  /** The CloudEvents {@code datacontenttype}, or {@code null}. */
  public @Nullable String dataContentType() {
    return dataContentType;
  }

  /** The CloudEvents {@code dataschema}, or {@code null}. */
  public @Nullable URI dataSchema() {
    return dataSchema;
  }

  /** The extension attributes by name. */
  public Map<String, Object> extensions() {
    return extensions;
  }

  /** One extension attribute, or {@code null}. */
  public @Nullable Object extension(String name) {
    return extensions.get(name);
  }

  /** The payload, or {@code null} for an event without data. */
  public @Nullable T data() {
    return data;
  }

  @Override
  public String toString() {
    return "Event[type=" + type() + ", id=" + id + ", source=" + source + ", subject=" + subject + "]";
  }

  /**
   * Builds an {@link Event}. The id defaults to a new UUID version 7 string (RFC 9562: the milliseconds, a per-process
   * counter and a per-process random part, so ids are unique across processes and sort in the order one process made
   * them), the time to now, the subject to the event type's subject function, the source to the bus's source. Not
   * thread-safe.
   *
   * @param <T> the payload type
   */
  public static final class Builder<T> {
    private final EventType<T> eventType;
    private final @Nullable T data;
    private String id;
    private @Nullable URI source;
    private @Nullable String subject;
    private @Nullable OffsetDateTime time;
    private @Nullable String dataContentType;
    private @Nullable URI dataSchema;
    /** Made at the first extension: most events carry none or one. */
    private @Nullable Map<String, Object> extensions;

    /**
     * The current time in UTC. Not {@code OffsetDateTime.now(ZoneOffset.UTC)}: on Java 17 that asks the offset for its
     * rules, which makes a new {@code ZoneRules} (with a {@code ConcurrentHashMap}) for every event published.
     */
    private static OffsetDateTime utcNow() {
      Instant now = Instant.now();
      return OffsetDateTime.of(LocalDateTime.ofEpochSecond(now.getEpochSecond(), now.getNano(), ZoneOffset.UTC),
          ZoneOffset.UTC);
    }

    Builder(EventType<T> eventType, @Nullable T data) {
      this.eventType = eventType;
      this.data = data;
      this.id = EventIds.next();
      this.time = utcNow();
      this.subject = data == null ? null : eventType.subjectOf(data);
      this.dataSchema = eventType.dataSchema();
      this.dataContentType = data == null ? null : eventType.codec().contentType();
    }

    /** For a received event: no defaults computed (a random id and the clock per event cost on the hot path). */
    private Builder(EventType<T> eventType, @Nullable T data, String id) {
      this.eventType = eventType;
      this.data = data;
      this.id = id;
    }

    /** Sets the id (unique per source). */
    public Builder<T> id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** Sets the source instead of the bus's. */
    public Builder<T> source(URI source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Sets the subject (also the partitioning key unless a {@code partitionkey} extension is set). */
    public Builder<T> subject(@Nullable String subject) {
      this.subject = subject;
      return this;
    }

    /** Sets the time, or removes it with {@code null}. */
    public Builder<T> time(@Nullable OffsetDateTime time) {
      this.time = time;
      return this;
    }

    /** Sets the dataschema. */
    public Builder<T> dataSchema(@Nullable URI dataSchema) {
      this.dataSchema = dataSchema;
      return this;
    }

    /**
     * Adds an extension attribute. Values are of a CloudEvents type: {@code String}, {@code Integer}, {@code Boolean},
     * {@code URI}, {@code OffsetDateTime} or {@code byte[]}; names are {@code [a-z0-9]+}. Checked on publish.
     */
    public Builder<T> extension(String name, Object value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (extensions == null) {
        extensions = new LinkedHashMap<>(4);
      }
      extensions.put(name, value);
      return this;
    }

    /** Used by the bus when decoding: sets the content type as received. */
    Builder<T> dataContentType(@Nullable String dataContentType) {
      this.dataContentType = dataContentType;
      return this;
    }

    public Event<T> build() {
      return new Event<>(this);
    }
  }

  /** Rebuilds a received event; for the bus's own use. */
  /** This event with more extensions (replacing those of the same names), all else the same. */
  Event<T> withExtensions(Map<String, Object> more) {
    Builder<T> builder = new Builder<>(eventType, data, id);
    if (source != null) {
      builder.source(source);
    }
    builder.subject(subject).time(time).dataSchema(dataSchema);
    builder.dataContentType(dataContentType);
    extensions.forEach(builder::extension);
    more.forEach(builder::extension);
    return builder.build();
  }

  /**
   * A received event. It keeps {@code extensions} as they are, without a copy or a view: the caller hands over an
   * unmodifiable map of its own.
   */
  static <T> Event<T> received(EventType<T> type, @Nullable T data, String id, URI source, @Nullable String subject,
      @Nullable OffsetDateTime time, @Nullable String dataContentType, @Nullable URI dataSchema,
      Map<String, Object> extensions) {
    return new Event<>(type, data, id, source, subject, time, dataContentType, dataSchema,
        extensions.isEmpty() ? Collections.emptyMap() : extensions);
  }
}
