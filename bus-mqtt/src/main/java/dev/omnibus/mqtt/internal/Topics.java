package dev.omnibus.mqtt.internal;

import dev.omnibus.spi.Destination;
import org.jspecify.annotations.Nullable;

/** Channel addresses to MQTT topic names and filters. Stateless. */
final class Topics {

  private Topics() {}

  /** Whether a topic can be published to: non-empty, no wildcard, no NUL. */
  static boolean isValidTopicName(String topic) {
    return !topic.isEmpty() && topic.indexOf('+') < 0 && topic.indexOf('#') < 0 && topic.indexOf('\0') < 0
        && topic.indexOf('{') < 0;
  }

  /**
   * The filter to subscribe for a destination: {@code {param}} segments become {@code +}; a named group subscribes
   * the shared filter {@code $share/<group>/<filter>}.
   *
   * @throws IllegalArgumentException when a parameter spans more than one topic level or the group name cannot be a
   *     share name
   */
  static String filter(Destination destination, @Nullable String group) {
    String address = destination.address();
    for (String level : address.split("/", -1)) {
      if (level.indexOf('{') >= 0 && !level.matches("\\{[^{}/]+}")) {
        throw new IllegalArgumentException("channel '" + destination.channel() + "': address '" + address
            + "' has a parameter that is not a whole topic level; MQTT wildcards match whole levels only");
      }
    }
    String filter = destination.addressWithWildcards("+");
    if (filter.isEmpty()) {
      throw new IllegalArgumentException("channel '" + destination.channel() + "' has an empty address");
    }
    if (group == null) {
      return filter;
    }
    if (group.indexOf('/') >= 0 || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
      throw new IllegalArgumentException("group '" + group + "' cannot name an MQTT shared subscription: "
          + "it must not contain '/', '+' or '#'");
    }
    return "$share/" + group + "/" + filter;
  }

  /** The filter a shared filter {@code $share/<group>/<filter>} matches topics with; any other filter as it is. */
  static String unshared(String filter) {
    if (!filter.startsWith("$share/")) {
      return filter;
    }
    int slash = filter.indexOf('/', "$share/".length());
    return slash < 0 ? filter : filter.substring(slash + 1);
  }

  /** Whether a topic name matches a (non-shared) filter: {@code +} one whole level, a final {@code #} the rest. */
  static boolean matches(String filter, String topic) {
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false; // wildcards at the first level do not match $SYS-like topics
    }
    String[] filterLevels = filter.split("/", -1);
    String[] topicLevels = topic.split("/", -1);
    for (int i = 0; i < filterLevels.length; i++) {
      if (filterLevels[i].equals("#")) {
        return true;
      }
      if (i >= topicLevels.length || !(filterLevels[i].equals("+") || filterLevels[i].equals(topicLevels[i]))) {
        return false;
      }
    }
    return filterLevels.length == topicLevels.length;
  }

  /** Whether some topic name matches both (non-shared) filters. */
  static boolean overlap(String one, String other) {
    String[] a = one.split("/", -1);
    String[] b = other.split("/", -1);
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i].equals("#") || b[i].equals("#")) {
        return true;
      }
      if (!a[i].equals(b[i]) && !a[i].equals("+") && !b[i].equals("+")) {
        return false;
      }
    }
    // "a/#" also matches "a": a filter one level longer that ends in # overlaps.
    return a.length == b.length || (a.length == b.length + 1 && a[b.length].equals("#"))
        || (b.length == a.length + 1 && b[a.length].equals("#"));
  }
}
