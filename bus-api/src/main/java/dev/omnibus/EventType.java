package dev.omnibus;

import dev.omnibus.spi.TransportCapabilities.Feature;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A kind of event: its CloudEvents {@code type}, its Java payload type, the AsyncAPI channel it travels on, and how
 * its subject and channel parameters are taken from the payload.
 *
 * <pre>{@code
 * record OrderPaid(String orderId, long totalMinor, String currency) {}
 *
 * static final EventType<OrderPaid> ORDER_PAID =
 *     EventType.of("com.example.orders.paid.v1", OrderPaid.class)
 *         .channel("orderEvents")
 *         .subject(OrderPaid::orderId);
 * }</pre>
 *
 * <p>Immutable and thread-safe: each method returns a new instance. Keep them in constants.
 *
 * @param <T> the payload type
 */
public final class EventType<T> {

  private final String type;
  private final Class<T> javaType;
  private final @Nullable String channel;
  private final @Nullable Function<? super T, String> subject;
  private final PayloadCodec<T> codec;
  private final Map<String, Function<? super T, String>> parameters;
  private final @Nullable URI dataSchema;
  private final Set<Feature> required;

  private EventType(String type, Class<T> javaType, @Nullable String channel,
      @Nullable Function<? super T, String> subject, PayloadCodec<T> codec,
      Map<String, Function<? super T, String>> parameters, @Nullable URI dataSchema, Set<Feature> required) {
    this.type = type;
    this.javaType = javaType;
    this.channel = channel;
    this.subject = subject;
    this.codec = codec;
    this.parameters = parameters;
    this.dataSchema = dataSchema;
    this.required = required;
  }

  /**
   * An event type with the default codec for the payload type ({@link PayloadCodec#forType(Class)}).
   *
   * @param type the CloudEvents {@code type}, reverse-DNS prefixed, e.g. {@code com.example.orders.paid.v1}
   * @param javaType the payload class
   */
  public static <T> EventType<T> of(String type, Class<T> javaType) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(javaType, "javaType");
    if (type.isBlank()) {
      throw new IllegalArgumentException("The CloudEvents type must not be blank");
    }
    return new EventType<>(type, javaType, null, null, PayloadCodec.forType(javaType), Map.of(), null, Set.of());
  }

  /** This type on a channel: the AsyncAPI channel id (3.0) or name (2.x). */
  public EventType<T> channel(String channelId) {
    Objects.requireNonNull(channelId, "channelId");
    return new EventType<>(type, javaType, channelId, subject, codec, parameters, dataSchema, required);
  }

  /** Takes the CloudEvents {@code subject}, which is also the partitioning and ordering key, from the payload. */
  public EventType<T> subject(Function<? super T, String> subject) {
    Objects.requireNonNull(subject, "subject");
    return new EventType<>(type, javaType, channel, subject, codec, parameters, dataSchema, required);
  }

  /** Uses another payload codec. */
  public EventType<T> codec(PayloadCodec<T> codec) {
    Objects.requireNonNull(codec, "codec");
    return new EventType<>(type, javaType, channel, subject, codec, parameters, dataSchema, required);
  }

  /**
   * Fills a {@code {name}} parameter of the channel address from the payload on publish. Without a mapping, a
   * parameter is taken from the event's extension of the same name (lower-cased).
   */
  public EventType<T> parameter(String name, Function<? super T, String> value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Map<String, Function<? super T, String>> copy = new LinkedHashMap<>(parameters);
    copy.put(name, value);
    return new EventType<>(type, javaType, channel, subject, codec, Map.copyOf(copy), dataSchema, required);
  }

  /** Sets the CloudEvents {@code dataschema} written on every event of this type. */
  public EventType<T> dataSchema(URI dataSchema) {
    Objects.requireNonNull(dataSchema, "dataSchema");
    return new EventType<>(type, javaType, channel, subject, codec, parameters, dataSchema, required);
  }

  /**
   * Requires capabilities of the broker for this type's subscriptions, e.g. {@code Feature.PER_KEY_ORDER} for a handler
   * that relies on order per subject: {@link EventBus#subscribe} then fails fast with a {@link ConfigurationException}
   * naming what the selected server's channel lacks, instead of the service running without it.
   */
  public EventType<T> requires(Feature... features) {
    EnumSet<Feature> all = EnumSet.noneOf(Feature.class);
    all.addAll(required);
    all.addAll(List.of(features));
    return new EventType<>(type, javaType, channel, subject, codec, parameters, dataSchema, Set.copyOf(all));
  }

  /** The capabilities this type's subscriptions require; empty by default. */
  public Set<Feature> required() {
    return required;
  }

  /** Starts an event of this type with the given payload ({@code null} for an event without data). */
  public Event.Builder<T> event(@Nullable T data) {
    return new Event.Builder<>(this, data);
  }

  /** The CloudEvents {@code type}. */
  public String type() {
    return type;
  }

  /** The payload class. */
  public Class<T> javaType() {
    return javaType;
  }

  /** The channel id, or {@code null} when none was set. */
  @Nullable String channelOrNull() {
    return channel;
  }

  /**
   * The channel id.
   *
   * @throws ConfigurationException when no channel was set
   */
  public String channel() {
    if (channel == null) {
      throw ConfigurationException.of("EventType '" + type + "' has no channel: call .channel(\"<channel id>\")");
    }
    return channel;
  }

  /** The payload codec. */
  public PayloadCodec<T> codec() {
    return codec;
  }

  /** The subject for a payload, or {@code null} when no subject function is set. */
  public @Nullable String subjectOf(T data) {
    return subject == null ? null : subject.apply(data);
  }

  /** The value of a channel parameter for a payload, or {@code null} when it has no mapping. */
  public @Nullable String parameterOf(String name, T data) {
    Function<? super T, String> value = parameters.get(name);
    return value == null ? null : value.apply(data);
  }

  /** The {@code dataschema} written, or {@code null}. */
  public @Nullable URI dataSchema() {
    return dataSchema;
  }

  @Override
  public String toString() {
    return "EventType[" + type + " as " + javaType.getSimpleName() + (channel == null ? "" : " on " + channel) + "]";
  }
}
