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
 */
public record Destination(
    String channel,
    String address,
    Mode mode,
    Bindings channelBindings,
    Bindings operationBindings,
    Map<String, String> options) {

  private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

  public Destination {
    options = Map.copyOf(options);
  }

  /** A binary-mode destination whose address is the channel name, with no bindings; for tests. */
  public static Destination of(String address) {
    return new Destination(address, address, Mode.BINARY, Bindings.none(), Bindings.none(), Map.of());
  }

  /** This destination with another address (e.g. a dead letter channel's). */
  public Destination withAddress(String address) {
    return new Destination(channel, address, mode, channelBindings, operationBindings, options);
  }

  /** This destination in another mode. */
  public Destination withMode(Mode mode) {
    return new Destination(channel, address, mode, channelBindings, operationBindings, options);
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
