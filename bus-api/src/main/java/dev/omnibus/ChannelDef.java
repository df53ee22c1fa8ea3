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
 * @param parameterEnums allowed values per parameter, empty when unrestricted
 * @param path where in the document it was declared, for messages
 */
record ChannelDef(
    String id,
    String address,
    Bindings bindings,
    Bindings sendBindings,
    Bindings receiveBindings,
    Mode mode,
    Map<String, String> options,
    Map<String, List<String>> parameterEnums,
    String path) {

  private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

  /** A channel declared only by its address. */
  static ChannelDef of(String id, String address, @Nullable Bindings bindings, Mode mode) {
    return new ChannelDef(id, address, bindings == null ? Bindings.none() : bindings, Bindings.none(), Bindings.none(),
        mode, Map.of(), Map.of(), "");
  }

  Destination sendDestination(String concreteAddress) {
    return new Destination(id, concreteAddress, mode, bindings, sendBindings, options);
  }

  Destination receiveDestination() {
    return new Destination(id, address, mode, bindings, receiveBindings, options);
  }

  boolean hasParameters() {
    return address.indexOf('{') >= 0;
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
      if (value.contains("/") || value.contains("#") || value.contains("+") || value.contains("*")) {
        throw ConfigurationException.of(path.isEmpty() ? "" : path + ".parameters." + name,
            "Parameter '" + name + "' of channel '" + id + "' must be one address level, was '" + value + "'");
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
