package dev.omnibus;

import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A channel as the bus uses it: resolved from the document and the builder.
 *
 * @param id the channel id (3.0) or name (2.x)
 * @param address the address, possibly with {@code {param}} segments
 * @param sendOptions {@code x-omnibus-*} settings for publishing: the send operation's before the channel's
 * @param receiveOptions {@code x-omnibus-*} settings for subscribers: the receive operation's before the channel's
 * @param parameterEnums allowed values per parameter, empty when unrestricted
 * @param path where in the document it was declared, for messages
 * @param reply what the document says of replies to requests on this channel, or {@code null}
 */
record ChannelDef(
    String id,
    String address,
    Bindings bindings,
    Bindings sendBindings,
    Bindings receiveBindings,
    Mode mode,
    Map<String, String> sendOptions,
    Map<String, String> receiveOptions,
    Map<String, List<String>> parameterEnums,
    String path,
    ConfigurationReader.@Nullable Reply reply) {

  private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

  /** A channel declared only by its address. */
  static ChannelDef of(String id, String address, @Nullable Bindings bindings, Mode mode) {
    return new ChannelDef(id, address, bindings == null ? Bindings.none() : bindings, Bindings.none(), Bindings.none(),
        mode, Map.of(), Map.of(), Map.of(), "", null);
  }

  Destination sendDestination(String concreteAddress) {
    return new Destination(id, concreteAddress, mode, bindings, sendBindings, sendOptions);
  }

  Destination receiveDestination() {
    return new Destination(id, address, mode, bindings, receiveBindings, receiveOptions);
  }

  boolean hasParameters() {
    return address.indexOf('{') >= 0;
  }

  /**
   * Whether a parameter value fills exactly one address level on every binding. The same rule everywhere, so a
   * service that publishes on one broker is not refused when moved to another.
   */
  static boolean isOneLevel(String value) {
    for (int i = 0; i < value.length(); i++) {
      switch (value.charAt(i)) {
        case '/', '.', '#', '+', '*' -> {
          return false;
        }
        default -> {
          // part of the level
        }
      }
    }
    return true;
  }

  /** The address with each parameter filled by the resolver; every problem is a ConfigurationException. */
  String fill(java.util.function.Function<String, @Nullable String> values, String eventType) {
    if (!hasParameters()) {
      return address;
    }
    Matcher matcher = PARAMETER.matcher(address);
    StringBuilder filled = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      String value = values.apply(name);
      if (value == null || value.isEmpty()) {
        throw ConfigurationException.of(path.isEmpty() ? "" : path + ".parameters." + name,
            "Channel '" + id + "' needs parameter '" + name + "' to publish '" + eventType + "': map it with "
                + "EventType.parameter(\"" + name + "\", payload -> ...) or set the event's '"
                + name.toLowerCase(java.util.Locale.ROOT) + "' extension");
      }
      if (!isOneLevel(value)) {
        throw ConfigurationException.of(path.isEmpty() ? "" : path + ".parameters." + name,
            "Parameter '" + name + "' of channel '" + id + "' must be one address level, was '" + value
                + "': '/', '.', '#', '+' and '*' separate levels or match several on some broker (a '.' is a "
                + "level on RabbitMQ topics and matched by Kafka patterns), so a value holding one would not reach "
                + "the channel's subscribers; replace it, e.g. 'eu.west' by 'eu-west'");
      }
      List<String> allowed = parameterEnums.getOrDefault(name, List.of());
      if (!allowed.isEmpty() && !allowed.contains(value)) {
        throw ConfigurationException.of(path.isEmpty() ? "" : path + ".parameters." + name,
            "Parameter '" + name + "' of channel '" + id + "' must be one of " + allowed + ", was '" + value + "'");
      }
      matcher.appendReplacement(filled, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(filled);
    return filled.toString();
  }
}
