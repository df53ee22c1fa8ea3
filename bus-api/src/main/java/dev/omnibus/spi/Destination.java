package dev.omnibus.spi;

import dev.omnibus.envelope.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a transport sends to or consumes from: a channel of the document with its address resolved.
 *
 * <p>On send, the address is concrete. On subscribe it may hold {@code {param}} segments, which the transport turns
 * into single-level wildcards (MQTT {@code +}, AMQP topic {@code *}, a Kafka pattern).
 *
 * <p>Immutable and thread-safe.
 *
 * @param channel the channel's id (3.0) or name (2.x) in the document
 * @param address the broker address: topic, routing key or queue, possibly with {@code {param}} segments on subscribe
 * @param mode binary or structured mode for this channel
 * @param channelBindings the channel's bindings
 * @param operationBindings the bindings of the operation in this direction (send on send, receive on subscribe)
 * @param options {@code x-omnibus-*} settings of the channel and operation, without the prefix
 * @param kind a channel of the document, the dead letter channel of one ({@link Transport#deadLetter}), one group's
 *     part of one ({@link Transport#groupDestination}), or one group's retry destination of one
 *     ({@link Transport#retryDestination})
 */
public record Destination(
    String channel,
    String address,
    Mode mode,
    Bindings channelBindings,
    Bindings operationBindings,
    Map<String, String> options,
    Kind kind) {

  private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

  /** What a destination is: a channel's own address, or where the dead letters of a channel's consumers go. */
  public enum Kind {
    /** A channel of the document (or declared on the builder). */
    CHANNEL,
    /**
     * The dead letter channel of a channel as consumed by a group, made by {@link Transport#deadLetter}; the bus sends
     * dead letters to it and an application may subscribe to it.
     */
    DEAD_LETTERS,
    /**
     * The part of a channel that only one of its consumer groups reads (a RabbitMQ group queue), made by
     * {@link Transport#groupDestination}; the bus sends a replayed dead letter to it.
     */
    GROUP,
    /**
     * Where one group of a channel parks the copies of events it retries without blocking, made by
     * {@link Transport#retryDestination}; the bus sends the copies there and the group consumes it beside the channel.
     */
    RETRY,
    /**
     * Where replies to requests go: a requester's inbox, made by {@link Transport#replyInbox}, or the address a request
     * named in its {@code replyto} extension, made by {@link Transport#replyDestination}.
     */
    REPLY
  }

  public Destination {
    options = Map.copyOf(options);
  }

  /** A channel's destination. */
  public Destination(String channel, String address, Mode mode, Bindings channelBindings, Bindings operationBindings,
      Map<String, String> options) {
    this(channel, address, mode, channelBindings, operationBindings, options, Kind.CHANNEL);
  }

  /**
   * A dead letter destination for the channel with the given id: no bindings of the channel or its operations apply
   * (their expiration, routing or topic settings are the channel's, not its dead letters').
   */
  public static Destination deadLetters(String channel, String address, Mode mode) {
    return new Destination(channel, address, mode, Bindings.none(), Bindings.none(), Map.of(), Kind.DEAD_LETTERS);
  }

  /**
   * A retry destination for the channel with the given id ({@link Kind#RETRY}): as a dead letter destination, no
   * bindings of the channel or its operations apply.
   */
  public static Destination retries(String channel, String address, Mode mode) {
    return new Destination(channel, address, mode, Bindings.none(), Bindings.none(), Map.of(), Kind.RETRY);
  }

  /** Whether this is a dead letter channel. */
  /**
   * A reply destination: a requester's inbox ({@link Transport#replyInbox}) or the address a request named in its
   * {@code replyto} extension ({@link Transport#replyDestination}).
   *
   * @param channel the channel the replies belong to, for logs and metrics
   * @param address the address on the broker
   * @param mode how replies are encoded there
   * @return the destination, of kind {@link Kind#REPLY}
   */
  public static Destination replies(String channel, String address, Mode mode) {
    return new Destination(channel, address, mode, Bindings.none(), Bindings.none(), Map.of(), Kind.REPLY);
  }

  public boolean isDeadLetters() {
    return kind == Kind.DEAD_LETTERS;
  }

  /** A binary-mode destination whose address is the channel name, with no bindings; for tests. */
  public static Destination of(String address) {
    return new Destination(address, address, Mode.BINARY, Bindings.none(), Bindings.none(), Map.of());
  }

  /** This destination with another address (e.g. a dead letter channel's). */
  public Destination withAddress(String address) {
    return new Destination(channel, address, mode, channelBindings, operationBindings, options, kind);
  }

  /** This destination in another mode. */
  public Destination withMode(Mode mode) {
    return new Destination(channel, address, mode, channelBindings, operationBindings, options, kind);
  }

  /** Whether the address still holds {@code {param}} segments. */
  public boolean isPattern() {
    return address.indexOf('{') >= 0;
  }

  /** The parameter names in the address, in order. */
  public List<String> parameters() {
    List<String> names = new ArrayList<>();
    Matcher matcher = PARAMETER.matcher(address);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  /** The address with every {@code {param}} segment replaced by the given wildcard. */
  public String addressWithWildcards(String wildcard) {
    return PARAMETER.matcher(address).replaceAll(Matcher.quoteReplacement(wildcard));
  }

  /** An {@code x-omnibus-} option, or the default. */
  public String option(String key, String defaultValue) {
    return options.getOrDefault(key, defaultValue);
  }
}
