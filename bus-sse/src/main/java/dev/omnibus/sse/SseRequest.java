package dev.omnibus.sse;

import com.sun.net.httpserver.HttpExchange;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request to open an event stream, as the authentication hook sees it: method, path, headers, query parameters and
 * the peer's address. {@link #exchange()} gives the JDK server's exchange itself (a TLS session's principal, response
 * headers such as {@code WWW-Authenticate}).
 *
 * <p>Browsers' {@code EventSource} cannot set headers: authenticate with a cookie (same origin, or cross-origin with
 * {@code withCredentials} and {@link SseBridge.Builder#allowOrigin}) or a query parameter.
 *
 * <p>Not thread-safe; valid during the hook's call.
 */
public final class SseRequest {

  private final HttpExchange exchange;
  private final Map<String, List<String>> query;

  SseRequest(HttpExchange exchange) {
    this.exchange = exchange;
    this.query = parseQuery(exchange.getRequestURI());
  }

  /** The HTTP method, {@code GET} for an {@code EventSource}. */
  public String method() {
    return exchange.getRequestMethod();
  }

  /** The request path, e.g. {@code /events/orders}. */
  public String path() {
    return exchange.getRequestURI().getPath();
  }

  /** The first value of a header (names are case-insensitive). */
  public Optional<String> header(String name) {
    return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
  }

  /** The first value of a query parameter, decoded. */
  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every value of a query parameter, decoded, in order; empty when absent. */
  public List<String> queryValues(String name) {
    return query.getOrDefault(name, List.of());
  }

  /** The last event the client saw: its {@code Last-Event-ID} header, else its {@code lastEventId} query parameter. */
  public Optional<String> lastEventId() {
    Optional<String> header = header("Last-Event-ID");
    return header.isPresent() ? header : query("lastEventId");
  }

  /** The peer's address. */
  public InetSocketAddress remoteAddress() {
    return exchange.getRemoteAddress();
  }

  /** The JDK server's exchange of this request. */
  public HttpExchange exchange() {
    return exchange;
  }

  private static Map<String, List<String>> parseQuery(URI uri) {
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return parameters;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return text;
    }
  }
}
