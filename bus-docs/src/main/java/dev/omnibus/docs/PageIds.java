package dev.omnibus.docs;

/**
 * The ids of the page's headings: one per server, channel, operation and message, made from the name so that two
 * names never share an id (letters, digits and {@code -} are kept, every other character becomes {@code _} and its
 * code in hex, so the id is safe in a URL fragment and an HTML attribute).
 */
final class PageIds {

  private PageIds() {}

  static String server(String name) {
    return "server-" + encode(name);
  }

  static String channel(String id) {
    return "channel-" + encode(id);
  }

  static String operation(String id) {
    return "operation-" + encode(id);
  }

  static String message(String path) {
    return "message-" + encode(path);
  }

  static String delivery(String server) {
    return "delivery-" + encode(server);
  }

  static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    name.codePoints().forEach(c -> {
      if (c < 128 && (Character.isLetterOrDigit(c) || c == '-')) {
        out.append((char) c);
      } else {
        out.append('_').append(Integer.toHexString(c)).append('_');
      }
    });
    return out.toString();
  }
}
